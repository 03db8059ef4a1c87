/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "glint-error.h"
#include "glint-flash-plan.h"
#include "glint-flasher.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-stream.h"
#include "glint-stream-address.h"
#include "glint-test-utils.h"

/* Flash that fails as real chips do (the simulator's stuck-bit, no-erase,
 * write-protect, real-flash-size and unstable-reads options): the link is
 * perfect, every block arrives, and only the final MD5 of each region,
 * taken after the last write, can tell that the flash does not hold the
 * image.  Glint must never call such a flash done, and never keep a read
 * that differs from the flash. */

#define REGION      0x10000
#define REGION_SIZE 0x8000

typedef struct
{
  GlintStream  *stream;
  GlintFlasher *flasher;
  GlintSim     *sim;
  char         *dir;
} Fixture;

static char *stub_dir;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("glint-flash-faults-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_open (Fixture    *f,
              const char *chip,
              const char *faults,
              gboolean    use_stub)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = g_strdup_printf ("sim://%s?boot=download&time-scale=0&%s",
                                              chip, faults);

  f->stream = glint_stream_new_for_address (address, &error);
  g_assert_no_error (error);
  f->sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (f->stream));
  f->flasher = glint_flasher_new (f->stream);
  glint_flasher_set_use_stub (f->flasher, use_stub);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->flasher);
  if (f->stream != NULL)
    g_io_stream_close (G_IO_STREAM (f->stream), NULL, NULL);
  g_clear_object (&f->stream);
  glint_test_remove_dir (f->dir);
  g_free (f->dir);
}

/* Random bytes, with bit @bit of byte @clear_at (if in range) cleared:
 * a stuck bit there cannot hold the image. */
static GBytes *
image_bytes (guint32 seed,
             gsize   size,
             gsize   clear_at,
             guint   bit)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) g_rand_int (rand);
  /* never an image header: the flasher may patch those */
  data[0] = 0x00;
  if (clear_at < size)
    data[clear_at] &= (guint8) ~(1 << bit);

  return g_bytes_new_take (data, size);
}

static gboolean
run_flash (Fixture         *f,
           GlintFlashPlan  *plan,
           GError         **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  glint_flasher_set_plan (f->flasher, plan);
  glint_flasher_flash_async (f->flasher, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 120000);
  ok = glint_flasher_flash_finish (f->flasher, result, error);
  g_object_unref (result);

  return ok;
}

static gboolean
run_read (Fixture     *f,
          guint32      offset,
          guint32      length,
          const char  *path,
          GError     **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  glint_flasher_read_flash_async (f->flasher, offset, length, path, NULL,
                                  glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 120000);
  ok = glint_flasher_read_flash_finish (f->flasher, result, error);
  g_object_unref (result);

  return ok;
}

static guint
count_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

/* The flash is refused as a mismatch of the one region, whose report says
 * so; the board holds something else than the image. */
static void
assert_region_mismatch (Fixture *f,
                        GError  *error,
                        guint    region,
                        GBytes  *image,
                        guint32  offset)
{
  const guint8 *flash = glint_sim_get_flash (f->sim, NULL);

  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_CHECKSUM_MISMATCH);
  g_assert_nonnull (strstr (error->message, "verification of"));
  g_assert_cmpint (glint_flasher_get_state (f->flasher), ==, GLINT_FLASHER_STATE_FAILED);
  g_assert_cmpint (glint_flasher_get_region_report (f->flasher, region)->status, ==,
                   GLINT_REGION_MISMATCH);
  g_assert_true (memcmp (flash + offset, g_bytes_get_data (image, NULL),
                         g_bytes_get_size (image)) != 0);
}

/* A bit near the end of the region will not program: the final MD5 over
 * the whole region (not just its start) must catch it, stub and ROM. */
static void
test_stuck_bit (Fixture       *f,
                gconstpointer  data)
{
  gboolean use_stub = GPOINTER_TO_INT (data);
  gsize at = REGION_SIZE - 5;
  g_autoptr(GBytes) image = image_bytes (1, REGION_SIZE, at, 3);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autofree char *faults = g_strdup_printf ("stuck-bit=0x%x:3", (guint) (REGION + at));
  g_autoptr(GError) error = NULL;

  fixture_open (f, "esp32", faults, use_stub);
  glint_flash_plan_add_bytes (plan, REGION, image, "app");

  g_assert_false (run_flash (f, plan, &error));
  assert_region_mismatch (f, error, 0, image, REGION);
  /* every block was written: only the flash itself failed */
  g_assert_cmpuint (glint_sim_get_flash (f->sim, NULL)[REGION + at] & 0x08, ==, 0x08);
}

/* The region's last sector keeps its old content (all zeros): programming
 * cannot set bits back. */
static void
test_no_erase (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) image = image_bytes (2, REGION_SIZE, G_MAXSIZE, 0);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  guint32 last = REGION + REGION_SIZE - 0x1000;
  g_autofree char *faults = g_strdup_printf ("no-erase=0x%x", last);
  g_autofree guint8 *zeros = g_malloc0 (0x1000);
  g_autoptr(GError) error = NULL;

  fixture_open (f, "esp32c3", faults, TRUE);
  glint_sim_load_flash (f->sim, last, zeros, 0x1000);
  glint_flash_plan_add_bytes (plan, REGION, image, "app");

  g_assert_false (run_flash (f, plan, &error));
  assert_region_mismatch (f, error, 0, image, REGION);
}

/* Writes to the second half of the region are ignored without an error. */
static void
test_write_protect (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) image = image_bytes (3, REGION_SIZE, G_MAXSIZE, 0);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autofree char *faults = g_strdup_printf ("write-protect=0x%x-0x%x",
                                             REGION + REGION_SIZE / 2, REGION + REGION_SIZE);
  g_autoptr(GError) error = NULL;

  fixture_open (f, "esp32s3", faults, GPOINTER_TO_INT (data));
  glint_flash_plan_add_bytes (plan, REGION, image, "app");

  g_assert_false (run_flash (f, plan, &error));
  assert_region_mismatch (f, error, 0, image, REGION);
}

/* A 1 MiB chip that says 4 MiB: the region at 1 MiB + 0x9000 lands on
 * the one at 0x9000.  Each region's MD5 right after its own write would
 * pass; verified after the last write, the first one fails.  With
 * @data, the first region is on the board already (found unchanged
 * before anything was written), which must not spare it the final check. */
static void
test_wrap (Fixture       *f,
           gconstpointer  data)
{
  gboolean already_there = GPOINTER_TO_INT (data);
  g_autoptr(GBytes) low = image_bytes (4, 0x4000, G_MAXSIZE, 0);
  g_autoptr(GBytes) high = image_bytes (5, 0x4000, G_MAXSIZE, 0);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GError) error = NULL;
  const guint8 *flash;

  fixture_open (f, "esp32", "flash-size=4M&real-flash-size=1M", TRUE);
  if (already_there)
    glint_sim_load_flash (f->sim, 0x9000, g_bytes_get_data (low, NULL), 0x4000);
  glint_flash_plan_add_bytes (plan, 0x9000, low, "storage");
  glint_flash_plan_add_bytes (plan, 0x109000, high, "app");

  g_assert_false (run_flash (f, plan, &error));
  assert_region_mismatch (f, error, 0, low, 0x9000);

  /* the model: one cell behind both addresses, holding the later write */
  flash = glint_sim_get_flash (f->sim, NULL);
  g_assert_cmpmem (flash + 0x9000, 0x4000, g_bytes_get_data (high, NULL), 0x4000);
}

/* Reads that get a bit wrong now and then (here: every one).  The ROM reads
 * 64 bytes at a time and checks with SPI_FLASH_MD5, a second read; the stub
 * sends its MD5 of what it read, which matches a wrong read, so Glint asks
 * the flash's own MD5 too.  Either way no file may appear. */
static void
test_read_unstable (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) image = image_bytes (6, 0x2000, G_MAXSIZE, 0);
  g_autofree char *path = g_build_filename (f->dir, "backup.bin", NULL);
  g_autoptr(GError) error = NULL;

  fixture_open (f, "esp32", "unstable-reads=1&seed=7", GPOINTER_TO_INT (data));
  glint_sim_load_flash (f->sim, 0x8000, g_bytes_get_data (image, NULL), 0x2000);

  g_assert_false (run_read (f, 0x8000, 0x2000, path, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_CHECKSUM_MISMATCH);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (f->dir), ==, 0);
}

/* The same reads, stable: the file holds the flash. */
static void
test_read_stable (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) image = image_bytes (6, 0x2000, G_MAXSIZE, 0);
  g_autofree char *path = g_build_filename (f->dir, "backup.bin", NULL);
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  fixture_open (f, "esp32", "unstable-reads=0&seed=7", GPOINTER_TO_INT (data));
  glint_sim_load_flash (f->sim, 0x8000, g_bytes_get_data (image, NULL), 0x2000);

  g_assert_true (run_read (f, 0x8000, 0x2000, path, &error));
  g_assert_no_error (error);
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (contents, len, g_bytes_get_data (image, NULL), 0x2000);
}

/* The options themselves: the model, and values refused. */
static void
test_options (void)
{
  static const char *const bad[] = {
    "stuck-bit=zz", "stuck-bit=0x10:8", "no-erase=", "write-protect=0x2000-0x1000",
    "write-protect=0x1000", "real-flash-size=3M", "unstable-reads=2",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintSim) sim = glint_sim_new ("esp32", &error);
  guint8 byte = 0x5A;
  gsize size = 0;
  const guint8 *flash;

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) local_error = NULL;

      g_assert_false (glint_sim_set_options (sim, bad[i], &local_error));
      g_assert_error (local_error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
    }

  g_assert_true (glint_sim_set_options (sim, "stuck-bit=16:2&no-erase=4096&"
                                        "write-protect=0-16&unstable-reads=0.5&"
                                        "flash-size=2M&real-flash-size=1M", &error));
  g_assert_no_error (error);

  /* a load lands on every address of its cell */
  glint_sim_load_flash (sim, 0x100000 + 0x20, &byte, 1);
  flash = glint_sim_get_flash (sim, &size);
  g_assert_cmpuint (size, ==, 2 * 1024 * 1024);
  g_assert_cmphex (flash[0x20], ==, 0x5A);
  g_assert_cmphex (flash[0x100020], ==, 0x5A);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  /* Our stand-in stubs come first, whatever the machine has installed. */
  stub_dir = glint_test_fake_stub_dir ();

  g_test_add_func ("/glint/flash-faults/options", test_options);
  g_test_add ("/glint/flash-faults/stuck-bit/stub", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_stuck_bit, fixture_teardown);
  g_test_add ("/glint/flash-faults/stuck-bit/rom", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_stuck_bit, fixture_teardown);
  g_test_add ("/glint/flash-faults/no-erase", Fixture, NULL, fixture_setup, test_no_erase,
              fixture_teardown);
  g_test_add ("/glint/flash-faults/write-protect/stub", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_write_protect, fixture_teardown);
  g_test_add ("/glint/flash-faults/write-protect/rom", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_write_protect, fixture_teardown);
  g_test_add ("/glint/flash-faults/wrap/both-written", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_wrap, fixture_teardown);
  g_test_add ("/glint/flash-faults/wrap/first-unchanged", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_wrap, fixture_teardown);
  g_test_add ("/glint/flash-faults/read-unstable/rom", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_read_unstable, fixture_teardown);
  g_test_add ("/glint/flash-faults/read-unstable/stub", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_read_unstable, fixture_teardown);
  g_test_add ("/glint/flash-faults/read-stable/rom", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_read_stable, fixture_teardown);
  g_test_add ("/glint/flash-faults/read-stable/stub", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_read_stable, fixture_teardown);

  status = g_test_run ();

  glint_test_remove_dir (stub_dir);
  g_free (stub_dir);

  return status;
}
