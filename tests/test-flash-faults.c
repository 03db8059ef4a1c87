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

/* One faulty place near the end of a region that is written whole: the
 * final MD5 over the whole region (not just its start) must catch it. */
typedef struct
{
  const char *chip;
  gboolean    use_stub;
  const char *fault;         /* the option ... */
  const char *suffix;        /* ... and what follows the fault's address */
  gsize       at;            /* where in the region */
  gboolean    zeros;         /* the sector there holds zeros beforehand */
} FaultCase;

static const FaultCase stuck_bit_stub = { "esp32", TRUE, "stuck-bit", ":3", REGION_SIZE - 5,
                                          FALSE };
static const FaultCase stuck_bit_rom = { "esp32", FALSE, "stuck-bit", ":3", REGION_SIZE - 5,
                                         FALSE };
/* the last sector keeps its zeros: programming cannot set bits */
static const FaultCase no_erase = { "esp32c3", TRUE, "no-erase", "", REGION_SIZE - 0x1000, TRUE };
/* writes to the second half are ignored, without an error */
static const FaultCase protect_stub = { "esp32s3", TRUE, "write-protect", "-0x20000",
                                        REGION_SIZE / 2, FALSE };
static const FaultCase protect_rom = { "esp32s3", FALSE, "write-protect", "-0x20000",
                                       REGION_SIZE / 2, FALSE };

static void
test_fault (Fixture       *f,
            gconstpointer  data)
{
  const FaultCase *c = data;
  g_autoptr(GBytes) image = image_bytes (1, REGION_SIZE, c->at, 3);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autofree char *faults = g_strdup_printf ("%s=0x%x%s", c->fault, (guint) (REGION + c->at),
                                             c->suffix);
  g_autoptr(GError) error = NULL;

  fixture_open (f, c->chip, faults, c->use_stub);
  if (c->zeros)
    {
      g_autofree guint8 *zeros = g_malloc0 (0x1000);

      glint_sim_load_flash (f->sim, REGION + c->at, zeros, 0x1000);
    }
  glint_flash_plan_add_bytes (plan, REGION, image, "app");
  glint_flasher_set_plan (f->flasher, plan);

  g_assert_false (glint_test_flash (f->flasher, &error));
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
  glint_flasher_set_plan (f->flasher, plan);

  g_assert_false (glint_test_flash (f->flasher, &error));
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

  g_assert_false (glint_test_read_flash (f->flasher, 0x8000, 0x2000, path, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_CHECKSUM_MISMATCH);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (glint_test_count_files (f->dir), ==, 0);
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

  g_assert_true (glint_test_read_flash (f->flasher, 0x8000, 0x2000, path, &error));
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

  glint_sim_stream_register ();

  /* Our stand-in stubs come first, whatever the machine has installed. */
  stub_dir = glint_test_fake_stub_dir ();

  g_test_add_func ("/glint/flash-faults/options", test_options);
  g_test_add ("/glint/flash-faults/stuck-bit/stub", Fixture, &stuck_bit_stub, fixture_setup,
              test_fault, fixture_teardown);
  g_test_add ("/glint/flash-faults/stuck-bit/rom", Fixture, &stuck_bit_rom, fixture_setup,
              test_fault, fixture_teardown);
  g_test_add ("/glint/flash-faults/no-erase", Fixture, &no_erase, fixture_setup, test_fault,
              fixture_teardown);
  g_test_add ("/glint/flash-faults/write-protect/stub", Fixture, &protect_stub, fixture_setup,
              test_fault, fixture_teardown);
  g_test_add ("/glint/flash-faults/write-protect/rom", Fixture, &protect_rom, fixture_setup,
              test_fault, fixture_teardown);
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
