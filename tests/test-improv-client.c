/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-error.h"
#include "glint-flash-plan.h"
#include "glint-flasher.h"
#include "glint-improv.h"
#include "glint-improv-client.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-stream-address.h"
#include "glint-test-utils.h"

/* Improv Serial set-up on the Demo board (docs/protocol.md §13): the
 * engine's client against the simulated app, from a bare board and after
 * a real flash job. */

#define DEMO_SSID     "Glint Demo (password: demo1234)"
#define DEMO_PASSWORD "demo1234"

static char *stub_dir;

static GlintStream *
open_board (const char *address)
{
  g_autoptr(GError) error = NULL;
  GlintStream *stream = glint_stream_new_for_address (address, &error);

  g_assert_no_error (error);
  return stream;
}

static gboolean
probe (GlintImprovClient *client,
       guint              timeout_ms,
       GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  glint_improv_client_probe_async (client, timeout_ms, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 30000);
  return glint_improv_client_probe_finish (client, result, error);
}

static GPtrArray *
scan (GlintImprovClient *client,
      GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  glint_improv_client_scan_async (client, 5000, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 30000);
  return glint_improv_client_scan_finish (client, result, error);
}

static char *
provision (GlintImprovClient *client,
           const char        *ssid,
           const char        *password,
           GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  glint_improv_client_provision_async (client, ssid, password, 5000, NULL,
                                       glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 30000);
  return glint_improv_client_provision_finish (client, result, error);
}

static char *
demo_url (GlintStream *stream)
{
  const guint8 *mac = glint_sim_get_mac (glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream)));

  return g_strdup_printf ("http://glint-demo-%02x%02x%02x.local", mac[3], mac[4], mac[5]);
}

/* The whole conversation: info, scan, a wrong password, the right one. The
 * stream starts at a flashing rate: the client goes to the app's 115200. */
static void
test_set_up (void)
{
  g_autoptr(GlintStream) stream = open_board ("sim://esp32?boot=normal&improv=on&time-scale=0");
  g_autoptr(GlintImprovClient) client = glint_improv_client_new (stream);
  g_autoptr(GPtrArray) networks = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *expected = demo_url (stream);
  const char * const *info;
  GlintImprovNetwork *network;

  g_assert_true (glint_test_open (stream, NULL, &error));
  g_assert_true (glint_test_set_baud (stream, 921600, &error));

  g_assert_true (probe (client, 5000, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (glint_stream_get_baud (stream), ==, GLINT_IMPROV_BAUD);
  info = glint_improv_client_get_device_info (client);
  g_assert_nonnull (info);
  g_assert_cmpstr (info[0], ==, "glint-demo");
  g_assert_cmpstr (info[2], ==, "ESP32");
  g_assert_cmpuint (glint_improv_client_get_state (client), ==, GLINT_IMPROV_STATE_AUTHORIZED);

  networks = scan (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (networks->len, ==, 3);
  network = g_ptr_array_index (networks, 0);
  g_assert_cmpstr (network->ssid, ==, DEMO_SSID);
  g_assert_cmpint (network->rssi, ==, -42);
  g_assert_true (network->secured);
  network = g_ptr_array_index (networks, 1);
  g_assert_cmpstr (network->ssid, ==, "Cafe Guest");
  g_assert_false (network->secured);

  /* a wrong password: the board's "unable to connect", named, and the
   * password nowhere in the message */
  g_assert_null (provision (client, DEMO_SSID, "guessed-wrong", &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "could not join “" DEMO_SSID "”"));
  g_assert_null (strstr (error->message, "guessed-wrong"));
  g_clear_error (&error);
  g_assert_null (glint_improv_client_get_url (client));

  url = provision (client, DEMO_SSID, DEMO_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (url, ==, expected);
  g_assert_cmpstr (glint_improv_client_get_url (client), ==, expected);
  g_assert_cmpuint (glint_improv_client_get_state (client), ==, GLINT_IMPROV_STATE_PROVISIONED);

  glint_improv_client_stop (client);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
}

/* A board that never answers: "no Improv" after the wait, and no sooner. */
static void
test_silent (void)
{
  g_autoptr(GlintStream) stream = open_board ("sim://esp32?boot=normal&improv=off&time-scale=0");
  g_autoptr(GlintImprovClient) client = glint_improv_client_new (stream);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_false (probe (client, 300, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "did not answer Improv Serial"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 300000);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
}

/* By default the Demo board speaks Improv when it runs its own firmware
 * ("glint-demo"), not other firmware, and not when erased. */
static void
test_by_firmware (void)
{
  const char *projects[] = { "glint-demo", "blink", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (projects); i++)
    {
      g_autoptr(GlintStream) stream = open_board ("sim://esp32?boot=normal&time-scale=0");
      g_autoptr(GlintImprovClient) client = glint_improv_client_new (stream);
      g_autoptr(GError) error = NULL;
      GlintSim *sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream));

      if (projects[i] != NULL)
        {
          g_autoptr(GBytes) app = glint_test_app_image (projects[i]);

          glint_sim_load_flash (sim, 0x10000, g_bytes_get_data (app, NULL),
                                g_bytes_get_size (app));
        }

      if (i == 0)
        {
          g_assert_true (probe (client, 3000, &error));
          g_assert_no_error (error);
        }
      else
        {
          g_assert_false (probe (client, 300, &error));
          g_assert_error (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED);
        }
      g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
    }
}

/* After a verified flash of the Demo firmware (at the fastest rate, then
 * the hard reset into the app), over the flasher's own stream. */
static void
test_after_flash (void)
{
  g_autoptr(GlintStream) stream = open_board ("sim://esp32?time-scale=0");
  g_autoptr(GlintFlasher) flasher = glint_flasher_new (stream);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GBytes) app = glint_test_app_image ("glint-demo");
  g_autoptr(GlintImprovClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *expected = demo_url (stream);

  glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
  glint_flasher_set_plan (flasher, plan);
  g_assert_true (glint_test_flash (flasher, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (glint_stream_get_baud (stream), >, 115200);

  /* the flasher stays (the window shows what it did) but lets go of
   * the stream */
  glint_flasher_release_stream (flasher);
  client = glint_improv_client_new (stream);
  g_assert_true (probe (client, 5000, &error));
  g_assert_no_error (error);
  url = provision (client, "Cafe Guest", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (url, ==, expected);
  glint_improv_client_stop (client);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
}

/* Settings that do not fit into one packet are refused before sending. */
static void
test_too_long (void)
{
  g_autoptr(GlintStream) stream = open_board ("sim://esp32?boot=normal&improv=on&time-scale=0");
  g_autoptr(GlintImprovClient) client = glint_improv_client_new (stream);
  g_autofree char *password = g_strnfill (240, 'x');
  g_autoptr(GError) error = NULL;

  g_assert_null (provision (client, DEMO_SSID, password, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_assert_null (strstr (error->message, password));
  g_assert_false (glint_stream_get_is_open (stream));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  glint_sim_stream_register ();
  stub_dir = glint_test_fake_stub_dir ();

  g_test_add_func ("/glint/improv-client/set-up", test_set_up);
  g_test_add_func ("/glint/improv-client/silent", test_silent);
  g_test_add_func ("/glint/improv-client/by-firmware", test_by_firmware);
  g_test_add_func ("/glint/improv-client/after-flash", test_after_flash);
  g_test_add_func ("/glint/improv-client/too-long", test_too_long);

  status = g_test_run ();
  glint_test_remove_dir (stub_dir);
  g_free (stub_dir);
  return status;
}
