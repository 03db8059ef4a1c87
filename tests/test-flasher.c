/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "glint-chip.h"
#include "glint-error.h"
#include "glint-flash-plan.h"
#include "glint-flasher.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-stream.h"
#include "glint-stream-address.h"
#include "glint-test-image.h"
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
      g_autofree char *address = g_strdup_printf ("sim://%s?boot=normal&time-scale=0&"
                                                  "flash-size=%s", chips[i].name,
                                                  i % 2 ? "8M" : "2M");
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
      /* the C5 runs on 48 MHz, as esptool measures it */
      if (g_str_equal (chips[i].name, "esp32c5"))
        g_assert_cmpuint (info->crystal_mhz, ==, 48);

      /* the flash chip's own id, read through the SPI registers */
      if (chips[i].spi.miso_dlen != 0)
        {
          gsize flash_size = 0;

          glint_sim_get_flash (sim, &flash_size);
          g_assert_cmpuint (info->flash_size, ==, flash_size);
          g_assert_cmphex (info->flash_id & 0xFF, !=, 0);
          g_assert_true (strv_has (f->log, "flash id"));
        }

      fixture_teardown (f, NULL);
    }
}

/* Package, revision and features from eFuse, as esptool reads them (the
 * simulator's defaults and options); the security state from
 * GET_SECURITY_INFO, or from the ESP32's eFuse */
static void
test_info_ident (Fixture       *f,
                 gconstpointer  data)
{
  static const struct
  {
    const char *address, *package;
    gint        revision;
    const char *features;
    gboolean    security_known;
    guint32     security;
    gboolean    encrypted;
  } cases[] = {
    { "sim://esp32?time-scale=0", "ESP32-D0WD-V3", 301, "Wi-Fi, BT, dual core", TRUE, 0, FALSE },
    { "sim://esp32?time-scale=0&revision=1.0&secure-boot=on&jtag-disabled=on&flash-crypt-cnt=1",
      "ESP32-D0WD", 100, "Wi-Fi, BT, dual core", TRUE,
      GLINT_CHIP_SECURE_BOOT | GLINT_CHIP_HARD_DIS_JTAG, TRUE },
    { "sim://esp8266?time-scale=0", "ESP8266EX", -1, "Wi-Fi, 160 MHz", FALSE, 0, FALSE },
    { "sim://esp32s2?time-scale=0&secure-boot=on", "ESP32-S2", 100,
      "Wi-Fi, single core, 240 MHz", TRUE, GLINT_CHIP_SECURE_BOOT, FALSE },
    { "sim://esp32c3?time-scale=0&revision=1.1&flash-crypt-cnt=3", "ESP32-C3 (QFN32)", 101,
      "Wi-Fi, BT 5 (LE), single core, 160 MHz", TRUE, 0, FALSE },
    { "sim://esp32c6?time-scale=0&flash-crypt-cnt=7", "ESP32-C6 (QFN40)", 2,
      "Wi-Fi 6, BT 5 (LE), IEEE 802.15.4, single core, 160 MHz", TRUE, 0, TRUE },
    { "sim://esp32p4?time-scale=0&revision=1.3", "ESP32-P4", 103, "dual core, 400 MHz", TRUE,
      0, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GlintBoardInfo) info = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *features = NULL;
      g_autofree char *address = g_strconcat (cases[i].address, "&boot=download", NULL);

      fixture_open (f, address);
      info = run_info (f, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (info->package, ==, cases[i].package);
      g_assert_cmpint (info->revision, ==, cases[i].revision);
      features = g_strjoinv (", ", info->features);
      g_assert_cmpstr (features, ==, cases[i].features);
      g_assert_cmpint (info->security_known, ==, cases[i].security_known);
      g_assert_cmphex (info->security, ==, cases[i].security);
      g_assert_cmpint (glint_board_info_get_flash_encrypted (info), ==, cases[i].encrypted);
      g_assert_false (glint_board_info_get_secure_download (info));
      g_assert_true (strv_has (f->log, cases[i].package));
      fixture_teardown (f, NULL);
    }
}

/* Secure download mode: the ROM refuses READ_REG, yet GET_SECURITY_INFO
 * names the chip (the S2's 12-byte answer too); nothing is made up for
 * what could not be read. */
static void
test_info_secure_download (Fixture       *f,
                           gconstpointer  data)
{
  static const char *const chips[] = { "esp32c6", "esp32s2" };
  const guint8 no_mac[6] = { 0, };

  for (guint i = 0; i < G_N_ELEMENTS (chips); i++)
    {
      g_autoptr(GlintBoardInfo) info = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *address = g_strdup_printf ("sim://%s?time-scale=0&boot=download&"
                                                  "secure-download=on&secure-boot=on",
                                                  chips[i]);
      g_autofree char *security = NULL;

      fixture_open (f, address);
      info = run_info (f, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (info->chip, ==, chips[i]);
      g_assert_null (info->package);
      g_assert_cmpint (info->revision, ==, -1);
      g_assert_true (glint_board_info_get_secure_download (info));
      g_assert_cmpmem (info->mac, 6, no_mac, 6);
      g_assert_cmpuint (info->flash_size, ==, 0);
      security = glint_board_info_describe_security (info);
      g_assert_nonnull (strstr (security, "secure boot on"));
      g_assert_nonnull (strstr (security, "secure download mode on"));
      g_assert_true (strv_has (f->log, "secure download mode"));
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
  /* answers, batched ones included: sync, detection, eFuse words with
   * the MAC in one batch (4 + 2 + 1 on the S3), flash id */
  g_assert_cmpuint (info->round_trips, <=, 18);
  g_assert_nonnull (strstr (info->link, "RTT"));
}

/* Line noise in the answer to the magic register (0x00F01D83 read as
 * 0x00B01D83: nothing checks a reply's value word) is not taken for an
 * unknown chip: detection asks again, and concludes only when the answer
 * stays unknown three times. */
static void
test_info_garbled_magic (Fixture       *f,
                         gconstpointer  data)
{
  guint garbled = GPOINTER_TO_UINT (data);
  g_autofree char *address = NULL;
  g_autoptr(GlintBoardInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  /* READ_REG is opcode 10 */
  address = g_strdup_printf ("sim://esp32?boot=normal&time-scale=0&garble-reply=10:%u", garbled);
  fixture_open (f, address);
  info = run_info (f, NULL, &error);
  g_assert_true (strv_has (f->log, "could not make out the chip (unknown chip (magic value "
                                   "0x00b01d83"));
  if (garbled < 3)
    {
      g_assert_no_error (error);
      g_assert_cmpstr (info->chip, ==, "esp32");
    }
  else
    {
      g_assert_error (error, GLINT_ERROR, GLINT_ERROR_UNSUPPORTED_CHIP);
      g_assert_nonnull (strstr (error->message, "0x00b01d83"));
    }
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

/* Flashing ------------------------------------------------------------------- */

static char *stub_dir;

static GBytes *
random_bytes (gsize size)
{
  guint8 *data = g_malloc (size);

  /* Half random, half compressible, like real firmware. */
  for (gsize i = 0; i < size; i++)
    data[i] = (i / 512) % 2 ? (guint8) g_random_int () : (guint8) (i / 7);

  return g_bytes_new_take (data, size);
}

static gboolean
run_flash (Fixture       *f,
           GError       **error)
{
  return glint_test_flash (f->flasher, error);
}

static GlintSim *
fixture_sim (Fixture *f)
{
  return glint_sim_stream_get_sim (GLINT_SIM_STREAM (f->stream));
}

static void
test_flash (Fixture       *f,
            gconstpointer  data)
{
  const char *variant = data;
  gboolean with_stub = strstr (variant, "stub") != NULL;
  g_autofree char *address = NULL;
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GBytes) table = random_bytes (3072);
  g_autoptr(GBytes) app = random_bytes (200 * 1024 + 3);
  g_autoptr(GError) error = NULL;
  GlintSim *sim;

  address = g_strdup_printf ("sim://%s?boot=normal&time-scale=0",
                             strstr (variant, "s3") != NULL ? "esp32s3" : "esp32");
  fixture_open (f, address);
  sim = fixture_sim (f);

  glint_flash_plan_add_bytes (plan, 0x8000, table, "partition-table");
  glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
  glint_flasher_set_plan (f->flasher, plan);
  glint_flasher_set_use_stub (f->flasher, with_stub);
  if (strstr (variant, "baud") != NULL)
    glint_flasher_set_baud (f->flasher, 921600);

  g_assert_true (run_flash (f, &error));
  g_assert_no_error (error);

  glint_test_assert_flash_holds (sim, 0x8000, table);
  glint_test_assert_flash_holds (sim, 0x10000, app);
  g_assert_cmpint (glint_flasher_get_state (f->flasher), ==, GLINT_FLASHER_STATE_DONE);
  g_assert_cmpfloat (glint_flasher_get_fraction (f->flasher), ==, 1.0);
  g_assert_true (strv_has (f->states, "writing"));
  g_assert_true (strv_has (f->states, "verifying"));
  g_assert_true (strv_has (f->log, "app at 0x10000 verified"));
  g_assert_true (strv_has (f->states, "loading-stub") == with_stub);
  if (with_stub)
    g_assert_true (strv_has (f->log, "flasher stub running"));
  if (strstr (variant, "baud") != NULL)
    {
      /* (the reboot took the chip back to 115200) */
      g_assert_cmpuint (glint_sim_get_counter (sim, GLINT_SIM_COUNTER_BAUD_CHANGES), ==, 1);
      g_assert_cmpuint (glint_stream_get_baud (f->stream), ==, 921600);
      g_assert_true (strv_has (f->log, "running at 921600 baud"));
    }
  /* rebooted into the new firmware (after the strapping delay) */
  glint_test_spin (50);
  g_assert_cmpint (glint_sim_get_mode (sim), ==, GLINT_SIM_MODE_APP);
}

/* Every chip family of the simulator takes a verified write through its
 * stub, with its own block sizes, status format and ROM features. With
 * "real", the stubs are esptool's own (glint_test_real_stub_dir ()), their
 * v2 ones: the simulator takes their real sizes and load addresses. */
static void
test_flash_every_chip (Fixture       *f,
                       gconstpointer  data)
{
  gboolean real = g_strcmp0 (data, "real") == 0;
  guint n_chips = 0;
  const GlintChip *chips = glint_chip_get_all (&n_chips);

  if (real && !glint_test_need_real_stubs ())
    return;
  if (real)
    g_setenv ("GLINT_STUB_DIR", glint_test_real_stub_dir (), TRUE);

  for (guint i = 0; i < n_chips; i++)
    {
      /* the P4 as most boards carry it today, v1.3, takes the rev1 stub */
      gboolean p4 = g_str_equal (chips[i].name, "esp32p4");
      g_autofree char *address = g_strdup_printf ("sim://%s?boot=normal&time-scale=0%s",
                                                  chips[i].name, p4 ? "&revision=1.3" : "");
      g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
      g_autoptr(GBytes) app = random_bytes (40 * 1024);
      g_autoptr(GError) error = NULL;
      g_autofree char *running = NULL;
      g_autofree char *stub_file = NULL;

      if (real)
        {
          const char *name = p4 ? "esp32p4-rev1.json" : chips[i].stub_file;
          g_autofree char *path = g_build_filename (glint_test_real_stub_dir (), "2", name,
                                                    NULL);
          g_autoptr(GlintTestStubFile) file = glint_test_stub_file_read (path);
          gsize size = g_bytes_get_size (file->text) + g_bytes_get_size (file->data);

          running = g_strdup_printf ("flasher stub running (%" G_GSIZE_FORMAT " bytes", size);
          stub_file = g_strconcat ("flasher stub file ", path, NULL);
        }

      fixture_open (f, address);
      glint_flash_plan_add_bytes (plan, 0x20000, app, "app");
      glint_flasher_set_plan (f->flasher, plan);
      glint_flasher_set_baud (f->flasher, 460800);

      if (!run_flash (f, &error))
        g_error ("%s: %s", chips[i].name, error->message);
      glint_test_assert_flash_holds (fixture_sim (f), 0x20000, app);
      g_assert_true (strv_has (f->log, "flasher stub running"));
      if (real)
        {
          g_assert_true (strv_has (f->log, "loading the flasher stub: esptool 5.x stubs "
                                   "(esp-flasher-stub)"));
          g_assert_true (strv_has (f->log, running));
          g_assert_true (strv_has (f->log, stub_file));
        }

      fixture_teardown (f, NULL);
    }

  g_setenv ("GLINT_STUB_DIR", stub_dir, TRUE);
}

/* esptool's legacy stubs alone (1/, as where only an older esptool is
 * installed), in real time, with the legacy stub's receive side modelled
 * (protocol.md §9: a second frame waiting replaces the first and lands in
 * the buffer in work). One chip per family; the board holds the plan but
 * for a sector in each of two segments, so that the change scan asks its
 * MD5 questions two at a time and the second BEGIN follows a block
 * answered early and still being written: nothing may be lost. */
static void
test_flash_legacy_stubs (Fixture       *f,
                         gconstpointer  data)
{
  static const char *const chips[] = { "esp8266", "esp32", "esp32s3", "esp32c3" };
  g_autoptr(GError) error = NULL;
  g_autofree char *legacy_dir = NULL;
  g_autofree char *link = NULL;
  g_autofree char *target = NULL;

  if (!glint_test_need_real_stubs ())
    return;

  legacy_dir = g_dir_make_tmp ("glint-legacy-stubs-XXXXXX", &error);
  g_assert_no_error (error);
  link = g_build_filename (legacy_dir, "1", NULL);
  target = g_build_filename (glint_test_real_stub_dir (), "1", NULL);
  g_assert_cmpint (symlink (target, link), ==, 0);
  g_setenv ("GLINT_STUB_DIR", legacy_dir, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (chips); i++)
    {
      g_autofree char *address = NULL;
      g_autoptr(GBytes) boot = glint_test_seeded_bytes (80 + i, 24 * 1024, TRUE);
      g_autoptr(GBytes) app = glint_test_seeded_bytes (90 + i, 40 * 1024, TRUE);
      g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
      g_autofree guint8 *old_boot = g_memdup2 (g_bytes_get_data (boot, NULL), 24 * 1024);
      g_autofree guint8 *old_app = g_memdup2 (g_bytes_get_data (app, NULL), 40 * 1024);
      GlintSim *sim;

      address = g_strdup_printf ("sim://%s?boot=normal&time-scale=1&legacy-stub=on", chips[i]);
      fixture_open (f, address);
      sim = fixture_sim (f);
      old_boot[0x3000] ^= 0xFF;
      old_app[0x5000] ^= 0xFF;
      glint_sim_load_flash (sim, 0x20000, old_boot, 24 * 1024);
      glint_sim_load_flash (sim, 0x10000, old_app, 40 * 1024);

      glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
      glint_flash_plan_add_bytes (plan, 0x20000, boot, "data");
      glint_flasher_set_plan (f->flasher, plan);
      glint_flasher_set_baud (f->flasher, 921600);
      if (!run_flash (f, &error))
        g_error ("%s: %s", chips[i], error->message);

      glint_test_assert_flash_holds (sim, 0x20000, boot);
      glint_test_assert_flash_holds (sim, 0x10000, app);
      g_assert_true (strv_has (f->log, "loading the flasher stub: esptool legacy stubs "
                               "(esptool-legacy-flasher-stub)"));
      /* 16 sectors asked about, two of them changed */
      g_assert_true (strv_has (f->log, "MD5(s): 57344 bytes unchanged"));
      g_assert_cmpuint (glint_sim_get_counter (sim, GLINT_SIM_COUNTER_FLASH_WRITTEN), ==,
                        2 * 4096);
      g_assert_cmpuint (glint_sim_get_counter (sim, GLINT_SIM_COUNTER_FRAMES_LOST), ==, 0);
      fixture_teardown (f, NULL);
    }

  g_unlink (link);
  g_rmdir (legacy_dir);
  g_setenv ("GLINT_STUB_DIR", stub_dir, TRUE);
}

static void
test_flash_slow_link (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GBytes) app = random_bytes (96 * 1024);
  g_autoptr(GError) error = NULL;

  /* A 400 ms round trip with jitter: where fixed 50 ms waits failed. */
  fixture_open (f, "sim://esp32?boot=normal&time-scale=0&latency=200&jitter=30");
  glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
  glint_flasher_set_plan (f->flasher, plan);

  g_assert_true (run_flash (f, &error));
  g_assert_no_error (error);
  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, app);
}

static void
test_flash_link_dies (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GBytes) app = random_bytes (256 * 1024);
  g_autoptr(GError) error = NULL;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0&disconnect-after=60000");
  glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
  glint_flasher_set_plan (f->flasher, plan);

  g_assert_false (run_flash (f, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED);
  g_assert_nonnull (strstr (error->message, "app at 0x10000"));
  g_assert_cmpint (glint_flasher_get_state (f->flasher), ==, GLINT_FLASHER_STATE_FAILED);
  g_assert_cmpfloat (glint_flasher_get_fraction (f->flasher), <, 1.0);
  g_assert_false (strv_has (f->log, "verified"));
}

static void
test_flash_noisy_link (Fixture       *f,
                       gconstpointer  data)
{
  /* Whatever the noise does, success means the flash holds the image. */
  for (guint seed = 1; seed <= 4; seed++)
    {
      g_autofree char *address = g_strdup_printf ("sim://esp32?boot=normal&time-scale=0&"
                                                  "corrupt=0.0002&seed=%u", seed);
      g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
      /* the same data every run: the noise is seeded too */
      g_autoptr(GBytes) app = glint_test_seeded_bytes (seed, 64 * 1024, TRUE);
      g_autoptr(GError) error = NULL;

      fixture_open (f, address);
      glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
      glint_flasher_set_plan (f->flasher, plan);
      glint_flasher_set_timeout_scale (f->flasher, 0.2);

      if (run_flash (f, &error))
        glint_test_assert_flash_holds (fixture_sim (f), 0x10000, app);
      else if (error->domain != GLINT_ERROR || error->code == GLINT_ERROR_FAILED)
        g_error ("seed %u: not a specific error: %s %d: %s", seed,
                 g_quark_to_string (error->domain), error->code, error->message);

      fixture_teardown (f, NULL);
    }
}

static void
on_writing_cancel_cb (GlintFlasher *flasher,
                      GParamSpec   *pspec,
                      GCancellable *cancellable)
{
  if (glint_flasher_get_fraction (flasher) > 0.3)
    g_cancellable_cancel (cancellable);
}

/* Cancel in the middle of a write: the job ends at once, as cancelled. */
static void
test_flash_cancel (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GBytes) app = random_bytes (512 * 1024);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0&latency=20");
  glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
  glint_flasher_set_plan (f->flasher, plan);
  g_signal_connect (f->flasher, "notify::bytes-done", G_CALLBACK (on_writing_cancel_cb),
                    cancellable);

  glint_flasher_flash_async (f->flasher, cancellable, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 30000);
  g_assert_false (glint_flasher_flash_finish (f->flasher, result, &error));
  g_object_unref (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (glint_flasher_get_state (f->flasher), ==, GLINT_FLASHER_STATE_CANCELLED);
  g_assert_true (strv_has (f->states, "writing"));
  g_assert_false (strv_has (f->log, "verified"));

  /* the flasher is free for the next job */
  g_clear_error (&error);
  glint_flasher_set_plan (f->flasher, plan);
  g_signal_handlers_disconnect_by_func (f->flasher, on_writing_cancel_cb, cancellable);
  g_assert_true (run_flash (f, &error));
  g_assert_no_error (error);
  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, app);
}

/* A block damaged on the way is refused by the chip's checksum and sent
 * again; the write still ends verified. */
static void
test_flash_damaged_block_retried (Fixture       *f,
                                  gconstpointer  data)
{
  guint recovered = 0;

  for (guint seed = 1; seed <= 8; seed++)
    {
      g_autofree char *address = g_strdup_printf ("sim://esp32?boot=normal&time-scale=0&"
                                                  "corrupt=0.00002&seed=%u", seed);
      g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
      g_autoptr(GBytes) app = glint_test_seeded_bytes (42, 120000, FALSE);
      g_autoptr(GError) error = NULL;

      fixture_open (f, address);
      glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
      glint_flasher_set_plan (f->flasher, plan);
      glint_flasher_set_timeout_scale (f->flasher, 0.3);

      if (run_flash (f, &error))
        {
          glint_test_assert_flash_holds (fixture_sim (f), 0x10000, app);
          if (strv_has (f->log, "arrived damaged"))
            recovered++;
        }
      else
        {
          g_assert_true (error->domain == GLINT_ERROR && error->code != GLINT_ERROR_FAILED);
        }

      fixture_teardown (f, NULL);
    }

  g_test_message ("%u of 8 noisy runs recovered from a damaged block", recovered);
  g_assert_cmpuint (recovered, >=, 1);
}

static void
test_flash_wrong_chip (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GBytes) app = random_bytes (8192);
  g_autoptr(GError) error = NULL;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
  glint_flash_plan_set_chip (plan, "esp32s3");
  glint_flasher_set_plan (f->flasher, plan);

  g_assert_false (run_flash (f, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP);
  g_assert_cmpuint (glint_sim_get_counter (fixture_sim (f), GLINT_SIM_COUNTER_FLASH_WRITTEN),
                    ==, 0);
}

/* An image that needs a newer chip is refused before anything is
 * written, with a message that names both revisions. */
static void
test_flash_wrong_revision (Fixture       *f,
                           gconstpointer  data)
{
  TestImageSpec spec = { .chip_id = 0, .seg_len = 0x800, .min_rev_full = 300,
                         .max_rev_full = 0xFFFF };
  g_autoptr(GBytes) app = test_image_build (&spec);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GError) error = NULL;
  gsize flash_size = 0;
  const guint8 *flash;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0&revision=1.0");
  glint_flash_plan_add_bytes (plan, 0x10000, app, "app.bin");
  glint_flasher_set_plan (f->flasher, plan);

  g_assert_false (run_flash (f, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_REVISION);
  g_assert_cmpstr (error->message, ==,
                   "“app.bin” needs chip revision v3.0 or later; this ESP32 is v1.0");
  g_assert_cmpuint (glint_sim_get_counter (fixture_sim (f), GLINT_SIM_COUNTER_FLASH_WRITTEN),
                    ==, 0);
  g_assert_cmpuint (glint_sim_get_counter (fixture_sim (f), GLINT_SIM_COUNTER_SECTORS_ERASED),
                    ==, 0);
  flash = glint_sim_get_flash (fixture_sim (f), &flash_size);
  for (gsize i = 0; i < flash_size; i++)
    if (flash[i] != 0xFF)
      g_assert_not_reached ();
  g_assert_false (strv_has (f->states, "writing"));

  /* the same image on a v3.1 goes through */
  g_clear_error (&error);
  fixture_teardown (f, NULL);
  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  glint_flasher_set_plan (f->flasher, plan);
  g_assert_true (run_flash (f, &error));
  g_assert_no_error (error);
}

/* Secure download mode: the ROM writes but cannot check; the job says so
 * and never ends as done, unless verification was turned off. */
static void
test_flash_secure_download (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GBytes) app = random_bytes (20000);
  g_autoptr(GError) error = NULL;
  const GlintRegionReport *rep;

  fixture_open (f, "sim://esp32s3?boot=normal&time-scale=0&secure-download=on");
  glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
  glint_flasher_set_plan (f->flasher, plan);

  g_assert_false (run_flash (f, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_NOT_VERIFIED);
  g_assert_nonnull (strstr (error->message, "written, not verified"));
  g_assert_nonnull (strstr (error->message, "secure download mode"));
  g_assert_cmpint (glint_flasher_get_state (f->flasher), ==, GLINT_FLASHER_STATE_FAILED);
  rep = glint_flasher_get_region_report (f->flasher, 0);
  g_assert_cmpint (rep->status, ==, GLINT_REGION_WRITTEN);
  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, app);
  g_assert_false (strv_has (f->states, "loading-stub"));
  g_assert_false (strv_has (f->states, "verifying"));
  g_assert_true (strv_has (f->log, "refuses the flasher stub"));
  g_clear_error (&error);

  /* --no-verify: the user accepts an unchecked write */
  fixture_teardown (f, NULL);
  fixture_open (f, "sim://esp32s3?boot=normal&time-scale=0&secure-download=on");
  glint_flasher_set_plan (f->flasher, plan);
  glint_flasher_set_verify (f->flasher, FALSE);
  g_assert_true (run_flash (f, &error));
  g_assert_no_error (error);
  g_assert_cmpint (glint_flasher_get_state (f->flasher), ==, GLINT_FLASHER_STATE_DONE);

  /* what the ROM cannot do at all is refused before writing */
  g_clear_error (&error);
  fixture_teardown (f, NULL);
  fixture_open (f, "sim://esp32s3?boot=normal&time-scale=0&secure-download=on");
  glint_flasher_set_plan (f->flasher, plan);
  glint_flasher_set_erase_all (f->flasher, TRUE);
  g_assert_false (run_flash (f, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED);
  g_assert_cmpuint (glint_sim_get_counter (fixture_sim (f), GLINT_SIM_COUNTER_FLASH_WRITTEN),
                    ==, 0);
}

/* @app at 0x10000 on the board at @address, all else as by default */
static gboolean
flash_app (Fixture     *f,
           const char  *address,
           GBytes      *app,
           GError     **error)
{
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();

  fixture_open (f, address);
  glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
  glint_flasher_set_plan (f->flasher, plan);

  return run_flash (f, error);
}

/* The stub does not run on the ESP32-C2 v0.0: the ROM writes and checks */
static void
test_flash_c2_eco0_rom (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) app = random_bytes (8192);
  g_autoptr(GError) error = NULL;

  g_assert_true (flash_app (f, "sim://esp32c2?boot=normal&time-scale=0&revision=0.0", app,
                            &error));
  g_assert_no_error (error);
  g_assert_false (strv_has (f->states, "loading-stub"));
  g_assert_true (strv_has (f->log, "does not support the ESP32-C2 v0.0"));
  g_assert_true (strv_has (f->log, "app at 0x10000 verified"));
  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, app);
}

/* Flash encryption on: said before writing */
static void
test_flash_encrypted_warns (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GBytes) app = random_bytes (8192);
  g_autoptr(GError) error = NULL;

  g_assert_true (flash_app (f, "sim://esp32c3?boot=normal&time-scale=0&flash-crypt-cnt=1", app,
                            &error));
  g_assert_no_error (error);
  g_assert_true (strv_has (f->log, "plaintext images written now will not run"));
}

static void
test_flash_esp8266_rom_cannot_verify (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GBytes) app = random_bytes (8192);
  g_autoptr(GError) error = NULL;

  fixture_open (f, "sim://esp8266?boot=normal&time-scale=0");
  glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
  glint_flasher_set_plan (f->flasher, plan);
  glint_flasher_set_use_stub (f->flasher, FALSE);

  g_assert_false (run_flash (f, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "stub"));
  g_assert_cmpuint (glint_sim_get_counter (fixture_sim (f), GLINT_SIM_COUNTER_FLASH_WRITTEN),
                    ==, 0);
}

static void
test_flash_nothing (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  g_assert_false (run_flash (f, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  glint_sim_stream_register ();

  /* Our stand-in stubs come first, whatever the machine has installed. */
  stub_dir = glint_test_fake_stub_dir ();

  g_test_add ("/glint/flasher/info/every-chip", Fixture, NULL, NULL, test_info_every_chip,
              fixture_teardown);
  g_test_add ("/glint/flasher/info/slow-link", Fixture, NULL, NULL, test_info_slow_link,
              fixture_teardown);
  g_test_add ("/glint/flasher/info/ident", Fixture, NULL, NULL, test_info_ident,
              fixture_teardown);
  g_test_add ("/glint/flasher/info/secure-download", Fixture, NULL, NULL,
              test_info_secure_download, fixture_teardown);
  g_test_add ("/glint/flasher/info/garbled-magic", Fixture, GUINT_TO_POINTER (1), NULL,
              test_info_garbled_magic, fixture_teardown);
  g_test_add ("/glint/flasher/info/garbled-magic-thrice", Fixture, GUINT_TO_POINTER (3), NULL,
              test_info_garbled_magic, fixture_teardown);
  g_test_add ("/glint/flasher/info/wrong-boot-mode", Fixture, NULL, NULL, test_wrong_boot_mode,
              fixture_teardown);
  g_test_add ("/glint/flasher/info/cancel", Fixture, NULL, NULL, test_cancel, fixture_teardown);
  g_test_add ("/glint/flasher/info/busy", Fixture, NULL, NULL, test_busy, fixture_teardown);
  g_test_add ("/glint/flasher/info/link-dies", Fixture, NULL, NULL, test_link_dies,
              fixture_teardown);
  g_test_add ("/glint/flasher/info/port-missing", Fixture, NULL, NULL, test_port_missing,
              fixture_teardown);

  g_test_add ("/glint/flasher/flash/rom", Fixture, "rom", NULL, test_flash, fixture_teardown);
  g_test_add ("/glint/flasher/flash/stub", Fixture, "stub", NULL, test_flash, fixture_teardown);
  g_test_add ("/glint/flasher/flash/stub-baud", Fixture, "stub-baud", NULL, test_flash,
              fixture_teardown);
  g_test_add ("/glint/flasher/flash/stub-s3", Fixture, "stub-s3", NULL, test_flash,
              fixture_teardown);
  g_test_add ("/glint/flasher/flash/rom-s3-baud", Fixture, "rom-s3-baud", NULL, test_flash,
              fixture_teardown);
  g_test_add ("/glint/flasher/flash/every-chip", Fixture, NULL, NULL, test_flash_every_chip,
              fixture_teardown);
  g_test_add ("/glint/flasher/flash/every-chip-real-stub", Fixture, "real", NULL,
              test_flash_every_chip, fixture_teardown);
  g_test_add ("/glint/flasher/flash/legacy-stubs", Fixture, NULL, NULL, test_flash_legacy_stubs,
              fixture_teardown);
  g_test_add ("/glint/flasher/flash/slow-link", Fixture, NULL, NULL, test_flash_slow_link,
              fixture_teardown);
  g_test_add ("/glint/flasher/flash/link-dies", Fixture, NULL, NULL, test_flash_link_dies,
              fixture_teardown);
  g_test_add ("/glint/flasher/flash/noisy-link", Fixture, NULL, NULL, test_flash_noisy_link,
              fixture_teardown);
  g_test_add ("/glint/flasher/flash/cancel", Fixture, NULL, NULL, test_flash_cancel,
              fixture_teardown);
  g_test_add ("/glint/flasher/flash/damaged-block", Fixture, NULL, NULL,
              test_flash_damaged_block_retried, fixture_teardown);
  g_test_add ("/glint/flasher/flash/wrong-chip", Fixture, NULL, NULL, test_flash_wrong_chip,
              fixture_teardown);
  g_test_add ("/glint/flasher/flash/wrong-revision", Fixture, NULL, NULL,
              test_flash_wrong_revision, fixture_teardown);
  g_test_add ("/glint/flasher/flash/secure-download", Fixture, NULL, NULL,
              test_flash_secure_download, fixture_teardown);
  g_test_add ("/glint/flasher/flash/encrypted-warns", Fixture, NULL, NULL,
              test_flash_encrypted_warns, fixture_teardown);
  g_test_add ("/glint/flasher/flash/c2-eco0-rom", Fixture, NULL, NULL,
              test_flash_c2_eco0_rom, fixture_teardown);
  g_test_add ("/glint/flasher/flash/esp8266-rom", Fixture, NULL, NULL,
              test_flash_esp8266_rom_cannot_verify, fixture_teardown);
  g_test_add ("/glint/flasher/flash/nothing", Fixture, NULL, NULL, test_flash_nothing,
              fixture_teardown);

  status = g_test_run ();

  glint_test_remove_dir (stub_dir);
  g_free (stub_dir);

  return status;
}
