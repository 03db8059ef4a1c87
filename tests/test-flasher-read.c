/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "glint-error.h"
#include "glint-flasher.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-stream.h"
#include "glint-stream-address.h"
#include "glint-test-utils.h"

/* GlintFlasher's read and erase jobs against the simulated board. */

typedef struct
{
  GlintStream  *stream;
  GlintFlasher *flasher;
  GlintSim     *sim;
  GPtrArray    *states;
  char         *dir;
} Fixture;

static char *stub_dir;

static void
on_state_cb (GlintFlasher *flasher,
             GParamSpec   *pspec,
             Fixture      *f)
{
  g_ptr_array_add (f->states,
                   g_strdup (glint_flasher_state_to_string (glint_flasher_get_state (flasher))));
}

static gboolean
states_have (Fixture    *f,
             const char *state)
{
  for (guint i = 0; i < f->states->len; i++)
    if (g_str_equal (g_ptr_array_index (f->states, i), state))
      return TRUE;

  return FALSE;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("glint-read-XXXXXX", &error);
  g_assert_no_error (error);
  f->states = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_open (Fixture    *f,
              const char *address)
{
  g_autoptr(GError) error = NULL;

  f->stream = glint_stream_new_for_address (address, &error);
  g_assert_no_error (error);
  f->sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (f->stream));
  f->flasher = glint_flasher_new (f->stream);
  g_signal_connect (f->flasher, "notify::state", G_CALLBACK (on_state_cb), f);
}

static void
fixture_close (Fixture *f)
{
  g_clear_object (&f->flasher);
  if (f->stream != NULL)
    g_io_stream_close (G_IO_STREAM (f->stream), NULL, NULL);
  g_clear_object (&f->stream);
  f->sim = NULL;
  g_ptr_array_set_size (f->states, 0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  fixture_close (f);
  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_ptr_array_unref (f->states);
}

static guint
count_files (Fixture *f)
{
  return glint_test_count_files (f->dir);
}

static GBytes *
random_bytes (gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) g_random_int ();

  return g_bytes_new_take (data, size);
}

static gboolean
run_read (Fixture     *f,
          guint32      offset,
          guint32      length,
          const char  *path,
          GError     **error)
{
  return glint_test_read_flash (f->flasher, offset, length, path, error);
}

static gboolean
run_erase (Fixture  *f,
           guint32   offset,
           guint32   length,
           GError  **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  glint_flasher_erase_async (f->flasher, offset, length, NULL, glint_test_store_result_cb,
                             &result);
  glint_test_wait_for ((gpointer *) &result, 120000);
  ok = glint_flasher_erase_finish (f->flasher, result, error);
  g_object_unref (result);

  return ok;
}

static void
assert_file_holds (const char *path,
                   GBytes     *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (contents, len, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
}

/* Reading ---------------------------------------------------------------------- */

static void
test_read_stub (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) image = random_bytes (0x9000 + 123);
  g_autofree char *path = g_build_filename (f->dir, "dump.bin", NULL);
  g_autoptr(GError) error = NULL;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  glint_flasher_set_baud (f->flasher, 921600);
  glint_sim_load_flash (f->sim, 0x10400, g_bytes_get_data (image, NULL),
                        g_bytes_get_size (image));

  g_assert_true (run_read (f, 0x10400, g_bytes_get_size (image), path, &error));
  g_assert_no_error (error);
  assert_file_holds (path, image);
  g_assert_cmpuint (count_files (f), ==, 1);
  g_assert_true (states_have (f, "loading-stub"));
  g_assert_true (states_have (f, "reading"));
  g_assert_cmpint (glint_flasher_get_state (f->flasher), ==, GLINT_FLASHER_STATE_DONE);
  g_assert_cmpfloat (glint_flasher_get_fraction (f->flasher), ==, 1.0);
  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_STUB);
  g_assert_cmpuint (glint_stream_get_baud (f->stream), ==, 921600);
}

static void
test_read_slow_link (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) image = random_bytes (6000);
  g_autofree char *path = g_build_filename (f->dir, "dump.bin", NULL);
  g_autoptr(GError) error = NULL;

  /* A 400 ms round trip: every packet waits for its acknowledgement. */
  fixture_open (f, "sim://esp32?boot=download&time-scale=0&latency=200");
  glint_sim_load_flash (f->sim, 0x3000, g_bytes_get_data (image, NULL),
                        g_bytes_get_size (image));

  g_assert_true (run_read (f, 0x3000, g_bytes_get_size (image), path, &error));
  g_assert_no_error (error);
  assert_file_holds (path, image);
  g_assert_true (states_have (f, "loading-stub"));
}

static void
test_read_rom (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) image = random_bytes (300);
  g_autofree char *path = g_build_filename (f->dir, "dump.bin", NULL);
  g_autoptr(GError) error = NULL;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  glint_flasher_set_use_stub (f->flasher, FALSE);
  glint_sim_load_flash (f->sim, 0x2010, g_bytes_get_data (image, NULL),
                        g_bytes_get_size (image));

  g_assert_true (run_read (f, 0x2010, g_bytes_get_size (image), path, &error));
  g_assert_no_error (error);
  assert_file_holds (path, image);
  /* checked with the ROM's SPI_FLASH_MD5 */
  g_assert_true (states_have (f, "verifying"));
  g_assert_false (states_have (f, "loading-stub"));
  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_ROM);
}

/* Bytes the host sends for a whole 64 KiB read through the stub. */
static guint64
measure_read_bytes (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->dir, "probe.bin", NULL);
  g_autoptr(GError) error = NULL;
  guint64 bytes;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  g_assert_true (run_read (f, 0x10000, 0x10000, path, &error));
  g_assert_no_error (error);
  bytes = glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_BYTES_IN);
  fixture_close (f);
  g_unlink (path);

  return bytes;
}

static void
test_read_link_dies (Fixture       *f,
                     gconstpointer  data)
{
  gboolean existing = GPOINTER_TO_INT (data);
  g_autofree char *path = g_build_filename (f->dir, "dump.bin", NULL);
  g_autofree char *address = NULL;
  g_autoptr(GError) error = NULL;
  guint64 total = measure_read_bytes (f);

  if (existing)
    {
      g_file_set_contents (path, "older dump", -1, &error);
      g_assert_no_error (error);
    }

  /* The link dies some acknowledgements (4 bytes and SLIP) before the end. */
  address = g_strdup_printf ("sim://esp32?boot=download&time-scale=0&disconnect-after=%"
                             G_GUINT64_FORMAT, total - 40);
  fixture_open (f, address);
  g_assert_false (run_read (f, 0x10000, 0x10000, path, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED);
  g_assert_nonnull (strstr (error->message, "reading 0x10000 bytes at 0x10000"));
  g_assert_true (states_have (f, "reading"));
  g_assert_cmpint (glint_flasher_get_state (f->flasher), ==, GLINT_FLASHER_STATE_FAILED);

  if (existing)
    {
      g_autoptr(GBytes) older = g_bytes_new_static ("older dump", 10);

      assert_file_holds (path, older);
      g_assert_cmpuint (count_files (f), ==, 1);
    }
  else
    {
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      g_assert_cmpuint (count_files (f), ==, 0);
    }
}

/* Whether the file had its name before the check finished. */
static void
named_early_cb (GlintFlasher *flasher,
                GParamSpec   *pspec,
                gpointer      user_data)
{
  const char *path = g_object_get_data (G_OBJECT (flasher), "dump-path");
  GlintFlasherState state = glint_flasher_get_state (flasher);

  if (state != GLINT_FLASHER_STATE_DONE && g_file_test (path, G_FILE_TEST_EXISTS))
    g_object_set_data (G_OBJECT (flasher), "named-early", GINT_TO_POINTER (TRUE));
}

static void
test_read_check_lost (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) image = random_bytes (0x3000);
  g_autofree char *path = g_build_filename (f->dir, "dump.bin", NULL);
  g_autoptr(GError) error = NULL;
  guint i;

  /* The answer to the final SPI_FLASH_MD5 (0x13 = 19) is lost: the data is
   * all in and written long before the probe finds the answer gone (the
   * 100 ms floor of the allowance, tripled here), and still the file waits
   * for the check asked again after the resync. */
  fixture_open (f, "sim://esp32?boot=download&time-scale=0&lose-reply=19");
  glint_flasher_set_timeout_scale (f->flasher, 3.0);
  glint_sim_load_flash (f->sim, 0x4000, g_bytes_get_data (image, NULL),
                        g_bytes_get_size (image));
  g_object_set_data_full (G_OBJECT (f->flasher), "dump-path", g_strdup (path), g_free);
  g_signal_connect (f->flasher, "notify::state", G_CALLBACK (named_early_cb), NULL);

  g_assert_true (run_read (f, 0x4000, g_bytes_get_size (image), path, &error));
  g_assert_no_error (error);
  assert_file_holds (path, image);
  g_assert_cmpuint (count_files (f), ==, 1);
  g_assert_false (g_object_get_data (G_OBJECT (f->flasher), "named-early"));
  /* the lost answer was noticed (the link resynced after the check had
   * begun) before the file took its name, not skipped over */
  for (i = 0; i < f->states->len; i++)
    if (g_str_equal (g_ptr_array_index (f->states, i), "verifying"))
      break;
  for (; i < f->states->len; i++)
    if (g_str_equal (g_ptr_array_index (f->states, i), "syncing"))
      break;
  g_assert_cmpuint (i, <, f->states->len);
  g_assert_cmpint (glint_flasher_get_state (f->flasher), ==, GLINT_FLASHER_STATE_DONE);
}

static void
cancel_when_reading_cb (GlintFlasher *flasher,
                        GParamSpec   *pspec,
                        GCancellable *cancellable)
{
  if (glint_flasher_get_state (flasher) == GLINT_FLASHER_STATE_READING &&
      glint_flasher_get_fraction (flasher) > 0)
    g_cancellable_cancel (cancellable);
}

static void
test_read_cancel (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "dump.bin", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  g_signal_connect (f->flasher, "notify::bytes-done", G_CALLBACK (cancel_when_reading_cb),
                    cancellable);
  glint_flasher_read_flash_async (f->flasher, 0, 0x40000, path, cancellable,
                                  glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 60000);
  g_assert_false (glint_flasher_read_flash_finish (f->flasher, result, &error));
  g_object_unref (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (glint_flasher_get_state (f->flasher), ==, GLINT_FLASHER_STATE_CANCELLED);
  g_assert_cmpuint (count_files (f), ==, 0);
}

static void
test_read_nothing (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "dump.bin", NULL);
  g_autoptr(GError) error = NULL;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  g_assert_false (run_read (f, 0x1000, 0, path, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Nowhere to put it: said before the board hears anything. */
  g_assert_false (run_read (f, 0x1000, 16, "/nonexistent/dump.bin", &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "/nonexistent/dump.bin"));
  g_clear_error (&error);
  g_assert_false (run_read (f, 0x1000, 16, f->dir, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);

  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_BYTES_IN), ==, 0);
  g_assert_cmpuint (count_files (f), ==, 0);
}

/* Erasing ---------------------------------------------------------------------- */

static void
test_erase_region (Fixture       *f,
                   gconstpointer  data)
{
  gboolean with_stub = GPOINTER_TO_INT (data);
  g_autoptr(GBytes) image = random_bytes (0x4000);
  const guint8 *before = g_bytes_get_data (image, NULL);
  g_autoptr(GError) error = NULL;
  const guint8 *flash;
  gsize flash_size;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  glint_flasher_set_use_stub (f->flasher, with_stub);
  glint_sim_load_flash (f->sim, 0x20000, before, 0x4000);

  g_assert_true (run_erase (f, 0x21000, 0x2000, &error));
  g_assert_no_error (error);
  g_assert_true (states_have (f, "erasing"));
  g_assert_true (states_have (f, "loading-stub") == with_stub);

  flash = glint_sim_get_flash (f->sim, &flash_size);
  g_assert_cmpmem (flash + 0x20000, 0x1000, before, 0x1000);
  for (guint i = 0x21000; i < 0x23000; i++)
    g_assert_cmphex (flash[i], ==, 0xFF);
  g_assert_cmpmem (flash + 0x23000, 0x1000, before + 0x3000, 0x1000);
}

static void
test_erase_all (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) image = random_bytes (0x3000);
  g_autoptr(GError) error = NULL;
  const guint8 *flash;
  gsize flash_size;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  glint_sim_load_flash (f->sim, 0x1000, g_bytes_get_data (image, NULL), 0x3000);
  glint_sim_load_flash (f->sim, 0x300000, g_bytes_get_data (image, NULL), 0x3000);

  g_assert_true (run_erase (f, 0, 0, &error));
  g_assert_no_error (error);

  flash = glint_sim_get_flash (f->sim, &flash_size);
  for (gsize i = 0; i < flash_size; i++)
    if (flash[i] != 0xFF)
      g_error ("flash byte 0x%" G_GSIZE_MODIFIER "x is 0x%02x after erasing it all", i,
               flash[i]);
}

static void
test_erase_all_rom (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  glint_flasher_set_use_stub (f->flasher, FALSE);
  g_assert_false (run_erase (f, 0, 0, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "stub"));
  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_SECTORS_ERASED), ==, 0);
}

static void
test_erase_misaligned (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  g_assert_false (run_erase (f, 0x1800, 0x1000, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "0x1800"));
  g_clear_error (&error);

  g_assert_false (run_erase (f, 0x1000, 0x1234, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);

  /* Refused before the board heard anything. */
  g_assert_false (glint_stream_get_is_open (f->stream));
  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_BYTES_IN), ==, 0);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  glint_sim_stream_register ();

  /* Our stand-in stubs come first, whatever the machine has installed. */
  stub_dir = glint_test_fake_stub_dir ();

  g_test_add ("/glint/flasher/read/stub", Fixture, NULL, fixture_setup, test_read_stub,
              fixture_teardown);
  g_test_add ("/glint/flasher/read/slow-link", Fixture, NULL, fixture_setup,
              test_read_slow_link, fixture_teardown);
  g_test_add ("/glint/flasher/read/rom", Fixture, NULL, fixture_setup, test_read_rom,
              fixture_teardown);
  g_test_add ("/glint/flasher/read/link-dies", Fixture, GINT_TO_POINTER (FALSE), fixture_setup,
              test_read_link_dies, fixture_teardown);
  g_test_add ("/glint/flasher/read/link-dies-file-kept", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_read_link_dies, fixture_teardown);
  g_test_add ("/glint/flasher/read/check-lost", Fixture, NULL, fixture_setup,
              test_read_check_lost, fixture_teardown);
  g_test_add ("/glint/flasher/read/cancel", Fixture, NULL, fixture_setup, test_read_cancel,
              fixture_teardown);
  g_test_add ("/glint/flasher/read/nothing", Fixture, NULL, fixture_setup, test_read_nothing,
              fixture_teardown);
  g_test_add ("/glint/flasher/erase/region-stub", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_erase_region, fixture_teardown);
  g_test_add ("/glint/flasher/erase/region-rom", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_erase_region, fixture_teardown);
  g_test_add ("/glint/flasher/erase/all", Fixture, NULL, fixture_setup, test_erase_all,
              fixture_teardown);
  g_test_add ("/glint/flasher/erase/all-rom", Fixture, NULL, fixture_setup, test_erase_all_rom,
              fixture_teardown);
  g_test_add ("/glint/flasher/erase/misaligned", Fixture, NULL, fixture_setup,
              test_erase_misaligned, fixture_teardown);

  status = g_test_run ();

  glint_test_remove_dir (stub_dir);
  g_free (stub_dir);

  return status;
}
