/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-chip.h"
#include "glint-error.h"
#include "glint-flasher.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-stream.h"
#include "glint-stream-address.h"
#include "glint-test-utils.h"

/* GlintFlasher's jobs against the simulated board behind sim://. */

typedef struct
{
  GlintStream  *stream;
  GlintFlasher *flasher;
  GPtrArray    *states;
  GPtrArray    *log;
} Fixture;

static void
on_state_cb (GlintFlasher *flasher,
             GParamSpec   *pspec,
             Fixture      *f)
{
  g_ptr_array_add (f->states,
                   g_strdup (glint_flasher_state_to_string (glint_flasher_get_state (flasher))));
}

static void
on_log_cb (GlintFlasher  *flasher,
           GlintLogLevel  level,
           const char    *message,
           Fixture       *f)
{
  g_ptr_array_add (f->log, g_strdup (message));
}

static void
fixture_open (Fixture    *f,
              const char *address)
{
  g_autoptr(GError) error = NULL;

  /* The flasher opens the stream itself. */
  f->stream = glint_stream_new_for_address (address, &error);
  g_assert_no_error (error);
  f->flasher = glint_flasher_new (f->stream);
  f->states = g_ptr_array_new_with_free_func (g_free);
  f->log = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->flasher, "notify::state", G_CALLBACK (on_state_cb), f);
  g_signal_connect (f->flasher, "log", G_CALLBACK (on_log_cb), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->flasher);
  if (f->stream != NULL)
    g_io_stream_close (G_IO_STREAM (f->stream), NULL, NULL);
  g_clear_object (&f->stream);
  g_clear_pointer (&f->states, g_ptr_array_unref);
  g_clear_pointer (&f->log, g_ptr_array_unref);
}

static GlintBoardInfo *
run_info (Fixture       *f,
          GCancellable  *cancellable,
          GError       **error)
{
  GAsyncResult *result = NULL;
  GlintBoardInfo *info;

  glint_flasher_info_async (f->flasher, cancellable, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 60000);
  info = glint_flasher_info_finish (f->flasher, result, error);
  g_object_unref (result);

  return info;
}

static gboolean
strv_has (GPtrArray  *array,
          const char *needle)
{
  for (guint i = 0; i < array->len; i++)
    if (strstr (g_ptr_array_index (array, i), needle) != NULL)
      return TRUE;

  return FALSE;
}

/* Every chip of the table, from a board that needs the DTR/RTS reset. */
static void
test_info_every_chip (Fixture       *f,
                      gconstpointer  data)
{
  guint n_chips = 0;
  const GlintChip *chips = glint_chip_get_all (&n_chips);

  g_assert_cmpuint (n_chips, ==, 11);
  for (guint i = 0; i < n_chips; i++)
    {
      g_autofree char *address = g_strdup_printf ("sim://%s?boot=normal&time-scale=0",
                                                  chips[i].name);
      g_autoptr(GlintBoardInfo) info = NULL;
      g_autoptr(GError) error = NULL;
      GlintSim *sim;

      fixture_open (f, address);
      info = run_info (f, NULL, &error);
      g_assert_no_error (error);
      sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (f->stream));

      g_assert_cmpstr (info->chip, ==, chips[i].name);
      g_assert_cmpstr (info->chip_display_name, ==, chips[i].display_name);
      g_assert_cmpstr (glint_flasher_get_chip (f->flasher), ==, chips[i].display_name);
      g_assert_cmpmem (info->mac, 6, glint_sim_get_mac (sim), 6);
      g_assert_cmpint (glint_flasher_get_state (f->flasher), ==, GLINT_FLASHER_STATE_DONE);
      g_assert_cmpint (glint_sim_get_mode (sim), ==, GLINT_SIM_MODE_ROM);

      g_assert_cmpstr (g_ptr_array_index (f->states, 0), ==, "connecting");
      g_assert_true (strv_has (f->states, "resetting"));
      g_assert_true (strv_has (f->states, "syncing"));
      g_assert_true (strv_has (f->states, "detecting"));
      g_assert_cmpstr (g_ptr_array_index (f->states, f->states->len - 1), ==, "done");
      g_assert_true (strv_has (f->log, "chip is"));

      if (g_str_equal (chips[i].name, "esp32"))
        g_assert_cmpuint (info->crystal_mhz, ==, 40);

      fixture_teardown (f, NULL);
    }
}

static void
test_info_slow_link (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GlintBoardInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  /* 400 ms round trip with jitter: few round trips, no failure. */
  fixture_open (f, "sim://esp32s3?boot=normal&time-scale=0&latency=200&jitter=40");
  info = run_info (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->chip, ==, "esp32s3");
  g_assert_cmpuint (info->round_trips, <=, 6);
  g_assert_nonnull (strstr (info->link, "RTT"));
}

static void
test_wrong_boot_mode (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GlintBoardInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  /* The app runs and we may not reset: the boot log tells why. */
  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  glint_flasher_set_no_reset (f->flasher, TRUE);
  glint_flasher_set_timeout_scale (f->flasher, 0.2);
  info = run_info (f, NULL, &error);
  g_assert_null (info);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_NO_SYNC);
  g_assert_nonnull (strstr (error->message, "wrong boot mode"));
  g_assert_cmpint (glint_flasher_get_state (f->flasher), ==, GLINT_FLASHER_STATE_FAILED);
  g_assert_false (strv_has (f->states, "resetting"));
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GlintBoardInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  glint_flasher_set_no_reset (f->flasher, TRUE);
  g_timeout_add (300, cancel_cb, cancellable);
  info = run_info (f, cancellable, &error);
  g_assert_null (info);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (glint_flasher_get_state (f->flasher), ==, GLINT_FLASHER_STATE_CANCELLED);
}

static void
test_busy (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GlintBoardInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *first = NULL;
  GAsyncResult *second = NULL;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  glint_flasher_info_async (f->flasher, NULL, glint_test_store_result_cb, &first);
  glint_flasher_info_async (f->flasher, NULL, glint_test_store_result_cb, &second);
  glint_test_wait_for ((gpointer *) &second, 5000);
  g_assert_null (glint_flasher_info_finish (f->flasher, second, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_object_unref (second);
  g_clear_error (&error);

  glint_test_wait_for ((gpointer *) &first, 30000);
  info = glint_flasher_info_finish (f->flasher, first, &error);
  g_object_unref (first);
  g_assert_no_error (error);

  /* and again, on the same connection */
  g_clear_pointer (&info, glint_board_info_free);
  info = run_info (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->chip, ==, "esp32");
}

static void
test_link_dies (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GlintBoardInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  /* Dies after the first SYNC: never a result, a clear error. */
  fixture_open (f, "sim://esp32?boot=download&time-scale=0&disconnect-after=50");
  info = run_info (f, NULL, &error);
  g_assert_null (info);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED);
  g_assert_cmpint (glint_flasher_get_state (f->flasher), ==, GLINT_FLASHER_STATE_FAILED);
}

static void
test_port_missing (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GlintBoardInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  fixture_open (f, "/dev/glint-no-such-port");
  info = run_info (f, NULL, &error);
  g_assert_null (info);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_PORT_NOT_FOUND);
  g_assert_nonnull (glint_error_get_hint (error));
  g_assert_cmpint (glint_flasher_get_state (f->flasher), ==, GLINT_FLASHER_STATE_FAILED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/glint/flasher/info/every-chip", Fixture, NULL, NULL, test_info_every_chip,
              fixture_teardown);
  g_test_add ("/glint/flasher/info/slow-link", Fixture, NULL, NULL, test_info_slow_link,
              fixture_teardown);
  g_test_add ("/glint/flasher/info/wrong-boot-mode", Fixture, NULL, NULL, test_wrong_boot_mode,
              fixture_teardown);
  g_test_add ("/glint/flasher/info/cancel", Fixture, NULL, NULL, test_cancel, fixture_teardown);
  g_test_add ("/glint/flasher/info/busy", Fixture, NULL, NULL, test_busy, fixture_teardown);
  g_test_add ("/glint/flasher/info/link-dies", Fixture, NULL, NULL, test_link_dies,
              fixture_teardown);
  g_test_add ("/glint/flasher/info/port-missing", Fixture, NULL, NULL, test_port_missing,
              fixture_teardown);

  return g_test_run ();
}
