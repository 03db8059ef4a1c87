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

/*
 * The flash job's speed and safety features against the simulated board:
 * skipping what the flash already holds (checked with the simulator's
 * write and erase counters), the region report of an interrupted job, the
 * backup before writing, erasing everything first and the automatic baud.
 */

typedef struct
{
  GlintStream  *stream;
  GlintFlasher *flasher;
  GPtrArray    *log;
  char         *record_dir;
} Fixture;

static char *stub_dir;

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

  f->stream = glint_stream_new_for_address (address, &error);
  g_assert_no_error (error);
  f->flasher = glint_flasher_new (f->stream);
  f->log = g_ptr_array_new_with_free_func (g_free);
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
  g_clear_pointer (&f->log, g_ptr_array_unref);
  if (f->record_dir != NULL)
    glint_test_remove_dir (f->record_dir);
  g_clear_pointer (&f->record_dir, g_free);
}

static gboolean
log_has (Fixture    *f,
         const char *needle)
{
  for (guint i = 0; i < f->log->len; i++)
    if (strstr (g_ptr_array_index (f->log, i), needle) != NULL)
      return TRUE;

  return FALSE;
}

static GlintSim *
fixture_sim (Fixture *f)
{
  return glint_sim_stream_get_sim (GLINT_SIM_STREAM (f->stream));
}

static guint64
counter (Fixture         *f,
         GlintSimCounter  which)
{
  return glint_sim_get_counter (fixture_sim (f), which);
}

/* A copy of @image with @len bytes at @at changed. */
static GBytes *
changed_copy (GBytes *image,
              gsize   at,
              gsize   len)
{
  gsize size;
  guint8 *data = g_memdup2 (g_bytes_get_data (image, &size), g_bytes_get_size (image));

  g_assert_cmpuint (at + len, <=, size);
  for (gsize i = at; i < at + len; i++)
    data[i] ^= 0x5A;

  return g_bytes_new_take (data, size);
}

static gboolean
run_flash (Fixture       *f,
           GError       **error)
{
  g_ptr_array_set_size (f->log, 0);
  return glint_test_flash (f->flasher, error);
}

static void
flash_plan (Fixture  *f,
            guint32   offset,
            GBytes   *image)
{
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GError) error = NULL;

  glint_flash_plan_add_bytes (plan, offset, image, "app");
  glint_flasher_set_plan (f->flasher, plan);
  if (!run_flash (f, &error))
    g_error ("flash failed: %s", error->message);
}

/* Skipping unchanged data ------------------------------------------------------- */

/* 4 KiB changed in a 256 KiB app: only that sector is erased and written. */
static void
test_skip_changed_block (Fixture       *f,
                         gconstpointer  data)
{
  const char *variant = data;
  g_autoptr(GBytes) first = glint_test_seeded_bytes (1, 256 * 1024, TRUE);
  g_autoptr(GBytes) second = changed_copy (first, 100 * 1024, 4096);
  g_autofree char *chip = g_strndup (variant, strcspn (variant, "-"));
  g_autofree char *address = g_strdup_printf ("sim://%s?boot=normal&time-scale=0", chip);
  const GlintRegionReport *rep;
  guint64 written, erased;

  fixture_open (f, address);
  if (g_str_has_suffix (variant, "-rom"))
    glint_flasher_set_use_stub (f->flasher, FALSE);   /* the ROM's MD5 */
  flash_plan (f, 0x10000, first);
  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, first);
  /* a blank chip: everything differed */
  g_assert_cmpuint (glint_flasher_get_bytes_written (f->flasher), ==, 256 * 1024);

  written = counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN);
  erased = counter (f, GLINT_SIM_COUNTER_SECTORS_ERASED);
  flash_plan (f, 0x10000, second);

  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, second);
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN) - written, ==, 4096);
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_SECTORS_ERASED) - erased, ==, 1);
  g_assert_cmpuint (glint_flasher_get_bytes_written (f->flasher), ==, 4096);
  g_assert_cmpuint (glint_flasher_get_bytes_unchanged (f->flasher), ==, 252 * 1024);
  g_assert_true (log_has (f, "written 4 of 256 KiB, rest unchanged"));
  g_assert_true (log_has (f, "app at 0x10000 verified"));

  g_assert_cmpuint (glint_flasher_get_n_regions (f->flasher), ==, 1);
  rep = glint_flasher_get_region_report (f->flasher, 0);
  g_assert_cmpint (rep->status, ==, GLINT_REGION_VERIFIED);
  g_assert_cmpuint (rep->written, ==, 4096);
  g_assert_cmpuint (rep->size, ==, 256 * 1024);
}

/* Changes in two places, one across a sector boundary: three sectors. */
static void
test_skip_scattered (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) first = glint_test_seeded_bytes (2, 300 * 1024 + 6, TRUE);
  g_autoptr(GBytes) tmp = changed_copy (first, 8 * 1024 - 10, 20);
  g_autoptr(GBytes) second = changed_copy (tmp, 300 * 1024, 6);   /* the short tail */
  guint64 written;

  fixture_open (f, "sim://esp32c3?boot=normal&time-scale=0");
  flash_plan (f, 0x20000, first);
  written = counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN);
  flash_plan (f, 0x20000, second);

  glint_test_assert_flash_holds (fixture_sim (f), 0x20000, second);
  /* two whole sectors and the 8-byte (padded) tail */
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN) - written, ==, 8192 + 8);
  g_assert_cmpuint (glint_flasher_get_bytes_written (f->flasher), ==, 8192 + 8);
}

/* The same image again writes nothing and still ends verified. */
static void
test_skip_identical (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) image = glint_test_seeded_bytes (3, 128 * 1024, TRUE);
  g_autoptr(GBytes) table = glint_test_seeded_bytes (4, 3072, TRUE);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GError) error = NULL;
  guint64 written, erased;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  glint_flash_plan_add_bytes (plan, 0x8000, table, "partition-table");
  glint_flash_plan_add_bytes (plan, 0x10000, image, "app");
  glint_flasher_set_plan (f->flasher, plan);
  g_assert_true (run_flash (f, &error));

  written = counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN);
  erased = counter (f, GLINT_SIM_COUNTER_SECTORS_ERASED);
  g_assert_true (run_flash (f, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN), ==, written);
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_SECTORS_ERASED), ==, erased);
  g_assert_cmpuint (glint_flasher_get_bytes_written (f->flasher), ==, 0);
  g_assert_true (log_has (f, "nothing to write"));
  g_assert_true (log_has (f, "app at 0x10000 is unchanged"));
  g_assert_cmpint (glint_flasher_get_region_report (f->flasher, 0)->status, ==,
                   GLINT_REGION_UNCHANGED);
  g_assert_cmpint (glint_flasher_get_region_report (f->flasher, 1)->status, ==,
                   GLINT_REGION_UNCHANGED);
  g_assert_cmpfloat (glint_flasher_get_fraction (f->flasher), ==, 1.0);
  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, image);
}

/* A lost answer in the middle of the change scan (the 11th MD5, a
 * sector's): the job recovers and goes on from the question not
 * answered, not from the region's start (protocol.md §8.1). The same
 * change without the loss sets the count to compare with. The ROM asks one
 * at a time; the stub two, and the lost answer's partner is asked again
 * too (protocol.md §7.3). */
static void
test_skip_scan_resumes (Fixture       *f,
                        gconstpointer  data)
{
  gboolean rom = g_str_equal (data, "rom");
  g_autoptr(GBytes) first = glint_test_seeded_bytes (6, 256 * 1024, TRUE);
  g_autoptr(GBytes) second = changed_copy (first, 200 * 1024, 4096);
  g_autoptr(GError) error = NULL;
  guint64 md5s, clean, lossy, written;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  glint_flasher_set_use_stub (f->flasher, !rom);
  flash_plan (f, 0x10000, first);
  md5s = counter (f, GLINT_SIM_COUNTER_MD5S);
  flash_plan (f, 0x10000, second);
  clean = counter (f, GLINT_SIM_COUNTER_MD5S) - md5s;
  g_assert_cmpuint (glint_flasher_get_recoveries (f->flasher), ==, 0);
  flash_plan (f, 0x10000, first);

  g_assert_true (glint_sim_set_option (fixture_sim (f), "lose-reply", "19", &error));
  g_assert_true (glint_sim_set_option (fixture_sim (f), "lose-skip", "10", &error));
  md5s = counter (f, GLINT_SIM_COUNTER_MD5S);
  written = counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN);
  flash_plan (f, 0x10000, second);
  lossy = counter (f, GLINT_SIM_COUNTER_MD5S) - md5s;

  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, second);
  g_assert_cmpuint (glint_flasher_get_recoveries (f->flasher), ==, 1);
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN) - written, ==, 4096);
  /* a probe, 4 chunks, 16 sectors, the check; the lost one asked again */
  g_assert_cmpuint (clean, ==, 22);
  g_assert_cmpuint (lossy, ==, clean + (rom ? 1 : 2));
}

/* A lost answer to a block while a blank board is written: the job
 * recovers and asks how far the write came from the segment's start (by
 * halving what is not known written), not with a change scan from the
 * region's start, and writes on from the first sector not written. (The
 * stub alike, but a lost answer to its block is not probed, §7.3: seconds
 * of budget, too long here.) */
static void
test_write_resumes (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) image = glint_test_seeded_bytes (7, 256 * 1024, TRUE);
  g_autoptr(GError) error = NULL;
  guint64 md5s;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  glint_flasher_set_use_stub (f->flasher, FALSE);
  /* the 121st of some 130 ROM blocks (1 KiB compressed each): late in
   * the region, where a chunk at a time from the start costs most */
  g_assert_true (glint_sim_set_option (fixture_sim (f), "lose-reply", "17", &error));
  g_assert_true (glint_sim_set_option (fixture_sim (f), "lose-skip", "120", &error));
  md5s = counter (f, GLINT_SIM_COUNTER_MD5S);
  flash_plan (f, 0x10000, image);
  md5s = counter (f, GLINT_SIM_COUNTER_MD5S) - md5s;
  g_test_message ("%" G_GUINT64_FORMAT " MD5s", md5s);

  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, image);
  g_assert_cmpuint (glint_flasher_get_recoveries (f->flasher), ==, 1);
  g_assert_true (log_has (f, "app at 0x10000 verified"));
  /* the first sector (blank: the region is written whole); after the
   * loss, halves of the stretch not known written down to a sector, at
   * most 7 for 64 sectors; the check. A change scan from the region's
   * start asked 23; a chunk at a time from the start, then sectors, 15. */
  g_assert_cmpuint (md5s, >=, 1 + 1 + 1 + 1);
  g_assert_cmpuint (md5s, <=, 1 + 7 + 1);
}

/* On a blank chip the first sector's MD5 settles it (the first chunk's,
 * asked with it, is wasted); over a wholly different image, one MD5 per
 * 64 KiB chunk, and no closer look. */
static void
test_skip_new_image (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) first = glint_test_seeded_bytes (40, 256 * 1024, TRUE);
  g_autoptr(GBytes) other = glint_test_seeded_bytes (41, 256 * 1024, TRUE);
  guint64 written;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  flash_plan (f, 0x10000, first);
  g_assert_true (log_has (f, "looked for changes with 2 MD5(s)"));
  g_assert_cmpuint (glint_flasher_get_bytes_written (f->flasher), ==, 256 * 1024);

  written = counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN);
  flash_plan (f, 0x10000, other);
  g_assert_true (log_has (f, "looked for changes with 5 MD5(s)"));
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN) - written, ==, 256 * 1024);
  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, other);
}

/* --no-skip: every byte is written again. */
static void
test_skip_off (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) image = glint_test_seeded_bytes (5, 64 * 1024, TRUE);
  guint64 written;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  flash_plan (f, 0x10000, image);
  written = counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN);

  glint_flasher_set_skip_unchanged (f->flasher, FALSE);
  flash_plan (f, 0x10000, image);
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN) - written, ==, 64 * 1024);
  g_assert_cmpuint (glint_flasher_get_bytes_written (f->flasher), ==, 64 * 1024);
  g_assert_cmpuint (glint_flasher_get_bytes_unchanged (f->flasher), ==, 0);
  g_assert_false (log_has (f, "rest unchanged"));
  g_assert_cmpint (glint_flasher_get_region_report (f->flasher, 0)->status, ==,
                   GLINT_REGION_VERIFIED);
}

/* The record of what was written ------------------------------------------------- */

/* A record in a folder of its own, given to the flasher. */
static GlintFlashRecord *
fixture_record (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlashRecord) record = NULL;

  if (f->record_dir == NULL)
    {
      f->record_dir = g_dir_make_tmp ("glint-record-XXXXXX", &error);
      g_assert_no_error (error);
    }
  record = glint_flash_record_new (f->record_dir);
  glint_flasher_set_flash_record (f->flasher, record);

  return g_steal_pointer (&record);
}

static char *
fixture_board (Fixture    *f,
               const char *chip)
{
  return glint_flash_record_board_id (chip, glint_sim_get_mac (fixture_sim (f)));
}

/* The record on disk (read afresh) says @board holds @image at @offset. */
static void
assert_record_holds (Fixture    *f,
                     const char *board,
                     guint32     offset,
                     GBytes     *image)
{
  g_autoptr(GlintFlashRecord) reread = glint_flash_record_new (f->record_dir);
  g_autofree guint8 *ours = NULL;
  g_autofree guint8 *known = NULL;
  guint n = 0;

  ours = glint_flash_record_sector_digests (image, &n);
  known = glint_flash_record_lookup (reread, board, offset, n);
  g_assert_nonnull (known);
  g_assert_cmpmem (known, 16 * n, ours, 16 * n);
}

/* The board holds @image at 0x10000, and the record knows it. */
static void
board_holds_on_record (Fixture    *f,
                       const char *chip,
                       GBytes     *image)
{
  g_autoptr(GlintFlashRecord) record = fixture_record (f);
  g_autofree char *board = fixture_board (f, chip);

  glint_sim_load_flash (fixture_sim (f), 0x10000, g_bytes_get_data (image, NULL),
                        g_bytes_get_size (image));
  glint_flash_record_remember (record, board, 0x10000, image);
}

/* With a record of the first flash, the reflash writes the one changed
 * sector without asking the chip first, and the final MD5 proves it. */
static void
test_record_reflash (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) first = glint_test_seeded_bytes (60, 256 * 1024, TRUE);
  g_autoptr(GBytes) second = changed_copy (first, 64 * 1024 + 10, 100);
  g_autofree char *board = NULL;
  guint64 written, erased;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  g_object_unref (fixture_record (f));
  /* At a fixed 115200 even the tests' small (2 KiB) stub takes longer to
   * load than the ROM takes to write one sector; with the automatic baud
   * the stub would go up at 921600 and win. */
  glint_flasher_set_baud (f->flasher, 115200);
  flash_plan (f, 0x10000, first);
  /* nothing known of a new board: the chip is asked, as without a record */
  g_assert_true (log_has (f, "looked for changes with 2 MD5(s)"));

  /* the verified image is on record, on disk */
  board = fixture_board (f, "esp32");
  assert_record_holds (f, board, 0x10000, first);

  written = counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN);
  erased = counter (f, GLINT_SIM_COUNTER_SECTORS_ERASED);
  flash_plan (f, 0x10000, second);

  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, second);
  /* 4 KiB: sooner done by the ROM than by loading the stub */
  g_assert_true (log_has (f, "4 KiB differ from what Glint last wrote to this board: the ROM "
                             "loader writes them"));
  g_assert_false (log_has (f, "flasher stub running"));
  g_assert_true (log_has (f, "1 of 64 sector(s) differ from what Glint last wrote"));
  g_assert_true (log_has (f, "looked for changes with 0 MD5(s)"));
  g_assert_true (log_has (f, "app at 0x10000 verified"));
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN) - written, ==, 4096);
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_SECTORS_ERASED) - erased, ==, 1);
  g_assert_cmpuint (glint_flasher_get_bytes_written (f->flasher), ==, 4096);
  g_assert_cmpuint (glint_flasher_get_bytes_unchanged (f->flasher), ==, 252 * 1024);
  g_assert_true (log_has (f, "written 4 of 256 KiB, rest unchanged"));
  g_assert_cmpint (glint_flasher_get_region_report (f->flasher, 0)->status, ==,
                   GLINT_REGION_VERIFIED);

  /* and the record now holds the second image */
  assert_record_holds (f, board, 0x10000, second);
}

/* Half of the image changed: worth loading the stub for, and still written
 * from the record without a search. */
static void
test_record_stub (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) first = glint_test_seeded_bytes (66, 256 * 1024, TRUE);
  g_autoptr(GBytes) second = changed_copy (first, 64 * 1024, 128 * 1024);
  guint64 written;

  fixture_open (f, "sim://esp32s3?boot=normal&time-scale=0");
  g_object_unref (fixture_record (f));
  flash_plan (f, 0x10000, first);
  written = counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN);
  flash_plan (f, 0x10000, second);

  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, second);
  g_assert_false (log_has (f, "the ROM loader writes them"));
  g_assert_true (log_has (f, "flasher stub running"));
  g_assert_true (log_has (f, "32 of 64 sector(s) differ from what Glint last wrote"));
  g_assert_true (log_has (f, "looked for changes with 0 MD5(s)"));
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN) - written, ==, 128 * 1024);
  g_assert_cmpint (glint_flasher_get_region_report (f->flasher, 0)->status, ==,
                   GLINT_REGION_VERIFIED);
}

/* Two segments with the stub, in real time: the first one's last block is
 * answered early and then written, and esp-flasher-stub holds two frames
 * (protocol.md §9). The second BEGIN must not bring block 0 along then, or
 * the block is lost and the job reconnects. */
static void
test_segments_stub_buffers (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) boot = glint_test_seeded_bytes (71, 24 * 1024, TRUE);
  g_autoptr(GBytes) app = glint_test_seeded_bytes (72, 24 * 1024, TRUE);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GError) error = NULL;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=1&stub-rx-frames=2");
  glint_flash_plan_add_bytes (plan, 0x20000, boot, "data");
  glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
  glint_flasher_set_plan (f->flasher, plan);
  if (!run_flash (f, &error))
    g_error ("flash failed: %s", error->message);

  glint_test_assert_flash_holds (fixture_sim (f), 0x20000, boot);
  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, app);
  g_assert_true (log_has (f, "flasher stub running"));
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_FRAMES_LOST), ==, 0);
  g_assert_false (log_has (f, "reconnecting"));
}

/* Only the last, partial sector changed: the record names it, it alone is
 * written, and the chip is never asked where the changes are. */
static void
test_record_last_sector (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GBytes) first = glint_test_seeded_bytes (69, 64 * 1024 + 100, TRUE);
  g_autoptr(GBytes) second = changed_copy (first, 64 * 1024 + 40, 20);

  fixture_open (f, "sim://esp32s3?boot=normal&time-scale=0");
  board_holds_on_record (f, "esp32s3", first);
  flash_plan (f, 0x10000, second);

  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, second);
  g_assert_true (log_has (f, "1 of 17 sector(s) differ from what Glint last wrote"));
  g_assert_true (log_has (f, "looked for changes with 0 MD5(s)"));
  g_assert_false (log_has (f, "did not hold what Glint last wrote"));
  g_assert_cmpuint (glint_flasher_get_bytes_written (f->flasher), ==, 100);
  g_assert_cmpint (glint_flasher_get_region_report (f->flasher, 0)->status, ==,
                   GLINT_REGION_VERIFIED);
}

/* Over a 400 ms round trip a 4 KiB reflash from the record takes no
 * speed step (each costs two round trips, more than it saves), and keeps
 * what it was told works (@data: with a hint, or none). */
static void
test_record_slow_link (Fixture       *f,
                       gconstpointer  data)
{
  gboolean hint = data != NULL;
  g_autoptr(GBytes) first = glint_test_seeded_bytes (67, 64 * 1024, TRUE);
  g_autoptr(GBytes) second = changed_copy (first, 8 * 1024, 4096);

  fixture_open (f, "sim://esp32c3?boot=normal&time-scale=0&latency=200");
  board_holds_on_record (f, "esp32c3", first);
  if (hint)
    glint_flasher_set_baud_hint (f->flasher, 921600);

  flash_plan (f, 0x10000, second);

  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, second);
  g_assert_true (log_has (f, "faster would not pay for so little data"));
  g_assert_false (log_has (f, "trying "));
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_BAUD_CHANGES), ==, 0);
  g_assert_cmpuint (glint_flasher_get_settled_baud (f->flasher), ==, hint ? 921600 : 0);
  g_assert_cmpint (glint_flasher_get_region_report (f->flasher, 0)->status, ==,
                   GLINT_REGION_VERIFIED);
}

/* The same image again: the record says nothing changed, and one MD5 of
 * the whole region confirms it. */
static void
test_record_identical (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) image = glint_test_seeded_bytes (61, 256 * 1024, TRUE);
  guint64 written;

  fixture_open (f, "sim://esp32s3?boot=normal&time-scale=0");
  g_object_unref (fixture_record (f));
  flash_plan (f, 0x10000, image);
  written = counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN);
  flash_plan (f, 0x10000, image);

  g_assert_true (log_has (f, "looked for changes with 1 MD5(s)"));
  g_assert_true (log_has (f, "app at 0x10000 is unchanged"));
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN), ==, written);
  g_assert_cmpint (glint_flasher_get_region_report (f->flasher, 0)->status, ==,
                   GLINT_REGION_UNCHANGED);
}

/* The board was flashed by something else since (@data: "blank" or
 * "other"): the record is wrong, the final check says so, and the flash
 * job falls back to asking the chip, writes what differs and verifies. */
static void
test_record_wrong (Fixture       *f,
                   gconstpointer  data)
{
  gboolean blank = g_str_equal (data, "blank");
  g_autoptr(GBytes) first = glint_test_seeded_bytes (62, 256 * 1024, TRUE);
  g_autoptr(GBytes) second = changed_copy (first, 128 * 1024, 4096);
  g_autoptr(GBytes) meanwhile = NULL;
  g_autofree char *board = NULL;

  fixture_open (f, "sim://esp32c3?boot=normal&time-scale=0");
  g_object_unref (fixture_record (f));
  flash_plan (f, 0x10000, first);

  if (blank)
    {
      guint8 *ff = g_malloc (256 * 1024);

      memset (ff, 0xFF, 256 * 1024);
      meanwhile = g_bytes_new_take (ff, 256 * 1024);
    }
  else
    {
      /* the same image with a different change elsewhere */
      meanwhile = changed_copy (first, 8 * 1024, 4096);
    }
  glint_sim_load_flash (fixture_sim (f), 0x10000, g_bytes_get_data (meanwhile, NULL),
                        g_bytes_get_size (meanwhile));

  flash_plan (f, 0x10000, second);

  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, second);
  g_assert_true (log_has (f, "did not hold what Glint last wrote there"));
  g_assert_true (log_has (f, "app at 0x10000 verified"));
  g_assert_cmpint (glint_flasher_get_region_report (f->flasher, 0)->status, ==,
                   GLINT_REGION_VERIFIED);
  if (blank)
    {
      /* the changed sector from the record, then everything else (the
       * chip's MD5s show that sector right by now) */
      g_assert_cmpuint (glint_flasher_get_bytes_written (f->flasher), ==, 4096 + 252 * 1024);
      g_assert_cmpuint (glint_flasher_get_bytes_unchanged (f->flasher), ==, 4096);
    }
  else
    {
      /* the changed sector from the record, then the one the other tool
       * changed: found by asking the chip */
      g_assert_cmpuint (glint_flasher_get_bytes_written (f->flasher), ==, 2 * 4096);
      g_assert_cmpuint (glint_flasher_get_bytes_unchanged (f->flasher), ==, 252 * 1024);
    }

  /* the record holds what was verified in the end */
  board = fixture_board (f, "esp32c3");
  assert_record_holds (f, board, 0x10000, second);
}

/* A record that would send a small reflash to the ROM alone, on a board
 * that does not hold what it says (blank here: flashed by another tool in
 * between, or another board): one MD5 of a sector the record knows shows
 * it before anything is written, and the stub does the work, as without a
 * record. Left to the ROM, every sector would go in 1 KiB lock-step
 * blocks: over a 200 ms link 129 s where the stub took 20 s. */
static void
test_record_stale_rom (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) first = glint_test_seeded_bytes (64, 256 * 1024, TRUE);
  g_autoptr(GBytes) second = changed_copy (first, 64 * 1024, 4096);
  g_autofree guint8 *ff = g_malloc (256 * 1024);
  g_autofree char *board = NULL;
  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  g_object_unref (fixture_record (f));
  glint_flasher_set_baud (f->flasher, 115200);
  flash_plan (f, 0x10000, first);

  memset (ff, 0xFF, 256 * 1024);
  glint_sim_load_flash (fixture_sim (f), 0x10000, ff, 256 * 1024);
  flash_plan (f, 0x10000, second);

  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, second);
  /* the record chose the ROM; one MD5 of the first sector showed it wrong */
  g_assert_true (log_has (f, "4 KiB differ from what Glint last wrote to this board: the ROM "
                             "loader writes them"));
  g_assert_true (log_has (f, "app at 0x10000 does not hold what Glint last wrote there: "
                             "looking for what differs with the flasher stub"));
  g_assert_true (log_has (f, "flasher stub running"));
  /* nothing was written by the ROM on the record's word: the stub found
   * the board blank and wrote the image whole, checked once */
  g_assert_false (log_has (f, "did not hold what Glint last wrote there"));
  g_assert_cmpuint (glint_flasher_get_bytes_written (f->flasher), ==, 256 * 1024);
  g_assert_cmpint (glint_flasher_get_region_report (f->flasher, 0)->status, ==,
                   GLINT_REGION_VERIFIED);

  board = fixture_board (f, "esp32");
  assert_record_holds (f, board, 0x10000, second);
}

/* Without the final check the record is not trusted: the chip is asked. */
static void
test_record_no_verify (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) first = glint_test_seeded_bytes (63, 128 * 1024, TRUE);
  g_autoptr(GBytes) second = changed_copy (first, 4096, 4096);

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  g_object_unref (fixture_record (f));
  flash_plan (f, 0x10000, first);

  glint_flasher_set_verify (f->flasher, FALSE);
  flash_plan (f, 0x10000, second);
  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, second);
  g_assert_false (log_has (f, "differ from what Glint last wrote"));
  g_assert_false (log_has (f, "looked for changes with 0 MD5(s)"));
  g_assert_cmpuint (glint_flasher_get_bytes_written (f->flasher), ==, 4096);
}

/* A job that stops half way leaves no claim about what it was changing:
 * the next one asks the chip. */
static void
test_record_interrupted (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GBytes) first = glint_test_seeded_bytes (64, 256 * 1024, TRUE);
  g_autoptr(GBytes) other = glint_test_seeded_bytes (65, 256 * 1024, TRUE);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GlintFlashRecord) reread = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *board = NULL;
  g_autofree char *limit = NULL;
  g_autofree guint8 *known = NULL;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  g_object_unref (fixture_record (f));
  flash_plan (f, 0x10000, first);
  board = fixture_board (f, "esp32");

  /* the link dies while the other image is being written */
  limit = g_strdup_printf ("%" G_GUINT64_FORMAT, counter (f, GLINT_SIM_COUNTER_BYTES_IN) + 60000);
  g_assert_true (glint_sim_set_option (fixture_sim (f), "disconnect-after", limit, &error));
  glint_flash_plan_add_bytes (plan, 0x10000, other, "app");
  glint_flasher_set_plan (f->flasher, plan);
  g_assert_false (run_flash (f, &error));
  g_assert_nonnull (error);
  g_assert_cmpint (glint_flasher_get_region_report (f->flasher, 0)->status, ==,
                   GLINT_REGION_PARTLY_WRITTEN);

  reread = glint_flash_record_new (f->record_dir);
  known = glint_flash_record_lookup (reread, board, 0x10000, 1);
  g_assert_null (known);
}

/* Region report ------------------------------------------------------------------ */

/* The link dies in the app: the table is written (not verified yet, that
 * comes at the end), the app partly written, and the log says so. */
static void
test_report_link_dies (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) table = glint_test_seeded_bytes (6, 3072, TRUE);
  g_autoptr(GBytes) app = glint_test_seeded_bytes (7, 256 * 1024, TRUE);
  g_autoptr(GBytes) other = glint_test_seeded_bytes (8, 4096, TRUE);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const GlintRegionReport *rep;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0&disconnect-after=60000");
  glint_flash_plan_add_bytes (plan, 0x8000, table, "partition-table");
  glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
  glint_flash_plan_add_bytes (plan, 0x100000, other, "storage");
  glint_flasher_set_plan (f->flasher, plan);

  g_assert_false (run_flash (f, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED);

  g_assert_cmpuint (glint_flasher_get_n_regions (f->flasher), ==, 3);
  rep = glint_flasher_get_region_report (f->flasher, 0);
  g_assert_cmpstr (rep->name, ==, "partition-table");
  g_assert_cmpint (rep->status, ==, GLINT_REGION_WRITTEN);
  rep = glint_flasher_get_region_report (f->flasher, 1);
  g_assert_cmpint (rep->status, ==, GLINT_REGION_PARTLY_WRITTEN);
  g_assert_cmpuint (rep->written, >, 0);
  g_assert_cmpuint (rep->written, <, rep->size);
  rep = glint_flasher_get_region_report (f->flasher, 2);
  g_assert_cmpint (rep->status, ==, GLINT_REGION_UNTOUCHED);
  g_assert_cmpuint (rep->written, ==, 0);

  text = glint_flasher_describe_regions (f->flasher);
  g_assert_nonnull (strstr (text, "partition-table at 0x8000 (3 KiB): written, not verified"));
  g_assert_nonnull (strstr (text, "app at 0x10000 (256 KiB): partly written"));
  g_assert_nonnull (strstr (text, "storage at 0x100000 (4 KiB): untouched"));
  g_assert_true (log_has (f, "stopped before the end"));
  g_assert_true (log_has (f, "storage at 0x100000 (4 KiB): untouched"));
}

static void
on_bytes_cancel_cb (GlintFlasher *flasher,
                    GParamSpec   *pspec,
                    GCancellable *cancellable)
{
  if (glint_flasher_get_fraction (flasher) > 0.3)
    g_cancellable_cancel (cancellable);
}

/* Cancelled: the same note; a second region that was verified by an
 * earlier MD5 (unchanged) says so. */
static void
test_report_cancel (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) table = glint_test_seeded_bytes (9, 3072, TRUE);
  g_autoptr(GBytes) app = glint_test_seeded_bytes (10, 512 * 1024, TRUE);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0&latency=20");
  glint_sim_load_flash (fixture_sim (f), 0x8000, g_bytes_get_data (table, NULL), 3072);
  glint_flash_plan_add_bytes (plan, 0x8000, table, "partition-table");
  glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
  glint_flasher_set_plan (f->flasher, plan);
  g_signal_connect (f->flasher, "notify::bytes-done", G_CALLBACK (on_bytes_cancel_cb),
                    cancellable);

  glint_flasher_flash_async (f->flasher, cancellable, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 60000);
  g_assert_false (glint_flasher_flash_finish (f->flasher, result, &error));
  g_object_unref (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_cmpint (glint_flasher_get_region_report (f->flasher, 0)->status, ==,
                   GLINT_REGION_UNCHANGED);
  g_assert_cmpint (glint_flasher_get_region_report (f->flasher, 1)->status, ==,
                   GLINT_REGION_PARTLY_WRITTEN);
  g_assert_true (log_has (f, "stopped before the end"));
}

/* A job that fails before writing says that nothing was written. */
static void
test_report_nothing_written (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GBytes) app = glint_test_seeded_bytes (11, 8192, TRUE);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GError) error = NULL;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
  glint_flash_plan_set_chip (plan, "esp32s3");
  glint_flasher_set_plan (f->flasher, plan);

  g_assert_false (run_flash (f, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP);
  g_assert_cmpint (glint_flasher_get_region_report (f->flasher, 0)->status, ==,
                   GLINT_REGION_UNTOUCHED);
  g_assert_true (log_has (f, "stopped before writing anything"));
}

/* Erase all --------------------------------------------------------------------- */

static void
test_erase_all (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) image = glint_test_seeded_bytes (12, 64 * 1024, TRUE);
  g_autoptr(GBytes) junk = glint_test_seeded_bytes (13, 8192, TRUE);
  gsize flash_size = 0;
  const guint8 *flash;
  guint64 erased;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0&flash-size=2M");
  /* old data elsewhere, and the very image in place: erase-all writes anyway */
  glint_sim_load_flash (fixture_sim (f), 0x180000, g_bytes_get_data (junk, NULL), 8192);
  glint_sim_load_flash (fixture_sim (f), 0x10000, g_bytes_get_data (image, NULL), 64 * 1024);
  erased = counter (f, GLINT_SIM_COUNTER_SECTORS_ERASED);

  glint_flasher_set_erase_all (f->flasher, TRUE);
  flash_plan (f, 0x10000, image);

  flash = glint_sim_get_flash (fixture_sim (f), &flash_size);
  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, image);
  for (gsize i = 0x180000; i < 0x182000; i++)
    g_assert_cmphex (flash[i], ==, 0xFF);
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_SECTORS_ERASED) - erased, >=,
                    flash_size / 4096);
  g_assert_cmpuint (glint_flasher_get_bytes_written (f->flasher), ==, 64 * 1024);
  g_assert_true (log_has (f, "the whole flash is erased"));
}

/* Without the stub there is no ERASE_FLASH: refused before anything. */
static void
test_erase_all_needs_stub (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) image = glint_test_seeded_bytes (14, 8192, TRUE);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GError) error = NULL;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  glint_flasher_set_erase_all (f->flasher, TRUE);
  glint_flasher_set_use_stub (f->flasher, FALSE);
  glint_flash_plan_add_bytes (plan, 0x10000, image, "app");
  glint_flasher_set_plan (f->flasher, plan);

  g_assert_false (run_flash (f, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED);
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN), ==, 0);
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_SECTORS_ERASED), ==, 0);
}

/* Backup ---------------------------------------------------------------------- */

static guint
count_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

/* The backup holds the span the plan covers (the gap too), as the flash
 * held it before, byte for byte; then the plan is written. */
static void
test_backup (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-backup-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "old.bin", NULL);
  g_autoptr(GBytes) before = glint_test_seeded_bytes (20, 0x60000, TRUE);
  g_autoptr(GBytes) table = glint_test_seeded_bytes (21, 3072, TRUE);
  g_autoptr(GBytes) app = glint_test_seeded_bytes (22, 200 * 1024 + 2, TRUE);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autofree char *saved = NULL;
  gsize saved_len = 0;
  const guint8 *old = g_bytes_get_data (before, NULL);

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  glint_sim_load_flash (fixture_sim (f), 0, old, 0x60000);
  glint_flash_plan_add_bytes (plan, 0x8000, table, "partition-table");
  glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
  glint_flasher_set_plan (f->flasher, plan);
  glint_flasher_set_backup_path (f->flasher, path);

  g_assert_true (run_flash (f, &error));
  g_assert_no_error (error);

  g_file_get_contents (path, &saved, &saved_len, &error);
  g_assert_no_error (error);
  /* from 0x8000 to the end of the app, padded to 4 bytes */
  g_assert_cmpmem (saved, saved_len, old + 0x8000, 0x10000 + 200 * 1024 + 4 - 0x8000);
  glint_test_assert_flash_holds (fixture_sim (f), 0x8000, table);
  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, app);
  g_assert_true (log_has (f, "the old contents are saved in"));
  g_assert_cmpuint (count_files (dir), ==, 1);

  g_unlink (path);
  g_rmdir (dir);
}

static void
on_reading_cut_link_cb (GlintFlasher *flasher,
                        GParamSpec   *pspec,
                        GlintSim     *sim)
{
  g_autofree char *after = NULL;

  if (glint_flasher_get_state (flasher) != GLINT_FLASHER_STATE_READING)
    return;

  /* a few acknowledgements into the read, the link dies */
  after = g_strdup_printf ("%" G_GUINT64_FORMAT,
                           glint_sim_get_counter (sim, GLINT_SIM_COUNTER_BYTES_IN) + 60);
  g_assert_true (glint_sim_set_option (sim, "disconnect-after", after, NULL));
}

/* Flashes @plan through a flasher of its own on a fresh sim:// board. */
static gboolean
flash_other_board (const char      *address,
                   GlintFlashPlan  *plan,
                   GlintSim       **sim_out,
                   GlintStream    **stream_out,
                   GError         **error)
{
  g_autoptr(GError) local = NULL;
  GlintStream *stream = glint_stream_new_for_address (address, &local);
  g_autoptr(GlintFlasher) flasher = NULL;
  gboolean ok;

  g_assert_no_error (local);
  flasher = glint_flasher_new (stream);
  glint_flasher_set_plan (flasher, plan);
  ok = glint_test_flash (flasher, error);
  *sim_out = glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream));
  *stream_out = stream;
  return ok;
}

/* One plan from a manifest with a build per chip (the sample firmware),
 * flashed to boards of two chips: each gets its own build, whole. */
static void
test_manifest_build_per_board (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *manifest = g_build_filename (g_getenv ("GLINT_SAMPLE_DIR"), "manifest.json",
                                                NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new_from_manifest (manifest, NULL, &error);
  const char *boards[] = { "sim://esp32?boot=normal&time-scale=0",
                           "sim://esp32c3?boot=normal&time-scale=0" };
  const guint32 bootloader_at[] = { 0x1000, 0x0 };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (boards); i++)
    {
      g_autoptr(GlintStream) stream = NULL;
      GlintSim *sim = NULL;
      const guint8 *flash;
      gsize flash_size = 0;

      g_assert_true (flash_other_board (boards[i], plan, &sim, &stream, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (glint_flash_plan_get_chip (plan), ==, i == 0 ? "esp32" : "esp32c3");
      g_assert_cmpuint (glint_flash_plan_get_n_regions (plan), ==, 3);
      g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 0), ==, bootloader_at[i]);
      flash = glint_sim_get_flash (sim, &flash_size);
      for (guint r = 0; r < 3; r++)
        glint_test_assert_flash_holds (sim, glint_flash_plan_get_region_offset (plan, r),
                                       glint_flash_plan_get_region_data (plan, r));
      g_assert_cmphex (flash[bootloader_at[i]], ==, 0xE9);
      g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
    }
}

/* A backup into a folder is named after the chip, the board's MAC, the
 * offset and the time; flashing that file puts the old content back, on
 * that board only. */
static void
test_backup_restore (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-backup-XXXXXX", &error);
  g_autoptr(GBytes) before = glint_test_seeded_bytes (30, 0x20000, TRUE);
  g_autoptr(GBytes) app = glint_test_seeded_bytes (31, 0x8000, TRUE);
  g_autoptr(GBytes) old_app = g_bytes_new_from_bytes (before, 0x10000, 0x8000);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GlintFlashPlan) restore = NULL;
  g_autofree char *file = NULL;
  GlintBackupName name;
  const char *others[] = { "sim://esp32?boot=normal&time-scale=0&seed=6",
                           "sim://esp32c3?boot=normal&time-scale=0&seed=5" };

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0&seed=5");
  glint_sim_load_flash (fixture_sim (f), 0, g_bytes_get_data (before, NULL), 0x20000);
  glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
  glint_flasher_set_plan (f->flasher, plan);
  glint_flasher_set_backup_path (f->flasher, dir);
  g_assert_true (run_flash (f, &error));
  g_assert_no_error (error);
  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, app);

  file = g_strdup (glint_flasher_get_backup_file (f->flasher));
  g_assert_nonnull (file);
  g_assert_true (g_str_has_prefix (file, dir));
  g_assert_true (glint_backup_name_parse (file, &name));
  g_assert_cmpstr (name.chip, ==, "esp32");
  g_assert_true (name.has_mac);
  g_assert_cmpmem (name.mac, 6, glint_sim_get_mac (fixture_sim (f)), 6);
  g_assert_cmphex (name.offset, ==, 0x10000);

  /* back onto the board it came from */
  restore = glint_flash_plan_new_for_path (file, NULL, &error);
  g_assert_no_error (error);
  glint_flasher_set_backup_path (f->flasher, NULL);
  glint_flasher_set_plan (f->flasher, restore);
  g_assert_true (run_flash (f, &error));
  g_assert_no_error (error);
  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, old_app);
  g_assert_null (glint_flasher_get_backup_file (f->flasher));

  /* another ESP32 (another MAC), another chip: refused, nothing written */
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    {
      g_autoptr(GlintFlashPlan) again = glint_flash_plan_new_for_path (file, NULL, &error);
      g_autoptr(GlintStream) stream = NULL;
      GlintSim *sim = NULL;

      g_assert_no_error (error);
      g_assert_false (flash_other_board (others[i], again, &sim, &stream, &error));
      g_assert_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP);
      if (i == 0)
        {
          g_autofree char *mac = glint_backup_format_mac (name.mac);

          g_assert_nonnull (strstr (error->message, mac));
          g_assert_nonnull (strstr (error->message, "restore it to the board it came from"));
        }
      g_assert_cmpuint (glint_sim_get_counter (sim, GLINT_SIM_COUNTER_FLASH_WRITTEN), ==, 0);
      g_clear_error (&error);
      g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
    }

  glint_test_remove_dir (dir);
}

/* A backup that fails leaves no file and the board untouched. */
static void
test_backup_fails (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-backup-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "old.bin", NULL);
  g_autoptr(GBytes) before = glint_test_seeded_bytes (23, 0x60000, TRUE);
  g_autoptr(GBytes) app = glint_test_seeded_bytes (24, 256 * 1024, TRUE);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  glint_sim_load_flash (fixture_sim (f), 0, g_bytes_get_data (before, NULL), 0x60000);
  glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
  glint_flasher_set_plan (f->flasher, plan);
  glint_flasher_set_backup_path (f->flasher, path);
  glint_flasher_set_timeout_scale (f->flasher, 0.2);
  g_signal_connect (f->flasher, "notify::state", G_CALLBACK (on_reading_cut_link_cb),
                    fixture_sim (f));

  g_assert_false (run_flash (f, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "backing up"));
  g_assert_nonnull (strstr (error->message, "nothing was erased or written"));

  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN), ==, 0);
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_SECTORS_ERASED), ==, 0);
  g_assert_cmpuint (count_files (dir), ==, 0);
  glint_test_assert_flash_holds (fixture_sim (f), 0, before);
  g_assert_cmpint (glint_flasher_get_region_report (f->flasher, 0)->status, ==,
                   GLINT_REGION_UNTOUCHED);

  g_rmdir (dir);
}

/* A backup file that cannot be written: refused before the board. */
static void
test_backup_bad_path (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) app = glint_test_seeded_bytes (25, 8192, TRUE);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GError) error = NULL;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
  glint_flasher_set_plan (f->flasher, plan);
  glint_flasher_set_backup_path (f->flasher, "/nonexistent/dir/old.bin");

  g_assert_false (run_flash (f, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "/nonexistent/dir/old.bin"));
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_BYTES_IN), ==, 0);
}

/* Automatic baud ---------------------------------------------------------------- */

typedef struct
{
  const char *address;
  guint       hint;
  guint       settled;
  guint       baud_changes;   /* CHANGE_BAUDRATEs the chip accepted, 0: any */
  const char *failed;         /* a rate the log says failed */
} AutoCase;

static void
test_auto_baud (Fixture       *f,
                gconstpointer  data)
{
  const AutoCase *c = data;
  g_autoptr(GBytes) image = glint_test_seeded_bytes (30, 96 * 1024, TRUE);

  fixture_open (f, c->address);
  glint_flasher_set_baud (f->flasher, GLINT_FLASHER_BAUD_AUTO);
  glint_flasher_set_baud_hint (f->flasher, c->hint);
  flash_plan (f, 0x10000, image);

  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, image);
  g_assert_true (log_has (f, "app at 0x10000 verified"));
  g_assert_cmpuint (glint_flasher_get_settled_baud (f->flasher), ==, c->settled);
  if (c->baud_changes > 0)
    g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_BAUD_CHANGES), ==, c->baud_changes);
  if (c->failed != NULL)
    {
      g_autofree char *needle = g_strdup_printf ("%s baud failed", c->failed);

      g_assert_true (log_has (f, needle));
    }
  else
    {
      g_assert_false (log_has (f, "baud failed"));
    }
}

/* The board is reset after the flash: a second job finds it at the boot
 * rate, and the same flasher climbs again. */
static void
test_auto_baud_twice (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) image = glint_test_seeded_bytes (31, 32 * 1024, TRUE);
  g_autoptr(GBytes) second = changed_copy (image, 0, 16);

  fixture_open (f, "sim://esp32c3?boot=normal&time-scale=0&max-baud=921600");
  glint_flasher_set_baud (f->flasher, GLINT_FLASHER_BAUD_AUTO);
  flash_plan (f, 0x10000, image);
  g_assert_cmpuint (glint_flasher_get_settled_baud (f->flasher), ==, 921600);

  /* what worked, as the window would give it back */
  glint_flasher_set_baud_hint (f->flasher, glint_flasher_get_settled_baud (f->flasher));
  flash_plan (f, 0x10000, second);
  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, second);
  g_assert_cmpuint (glint_flasher_get_settled_baud (f->flasher), ==, 921600);
  g_assert_false (log_has (f, "baud failed"));
}

/* Without reset lines a failed rate cannot be undone: a clear error. */
static void
test_auto_baud_no_reset (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GBytes) image = glint_test_seeded_bytes (32, 8192, TRUE);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GError) error = NULL;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0&max-baud=921600");
  glint_flasher_set_no_reset (f->flasher, TRUE);
  glint_flasher_set_baud (f->flasher, GLINT_FLASHER_BAUD_AUTO);
  glint_flasher_set_timeout_scale (f->flasher, 0.2);
  glint_flash_plan_add_bytes (plan, 0x10000, image, "app");
  glint_flasher_set_plan (f->flasher, plan);

  g_assert_false (run_flash (f, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "1500000 baud"));
  g_assert_nonnull (strstr (error->message, "fixed rate (e.g. 921600)"));
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_FLASH_WRITTEN), ==, 0);
}

typedef struct
{
  GlintSim    *sim;
  GlintStream *stream;
  guint        chip_baud;     /* the simulated UART's rate as the stub upload began */
  guint        host_baud;
  guint        chip_writing;  /* ... and as the write began */
} UploadRate;

static void
on_state_upload_rate_cb (GlintFlasher *flasher,
                         GParamSpec   *pspec,
                         UploadRate   *rate)
{
  if (glint_flasher_get_state (flasher) == GLINT_FLASHER_STATE_LOADING_STUB)
    {
      rate->chip_baud = glint_sim_get_baud (rate->sim);
      rate->host_baud = glint_stream_get_baud (rate->stream);
    }
  else if (glint_flasher_get_state (flasher) == GLINT_FLASHER_STATE_WRITING &&
           rate->chip_writing == 0)
    {
      rate->chip_writing = glint_sim_get_baud (rate->sim);
    }
}

/* The ESP32 ROM believes in a crystal a few % off (by default, from the
 * seed; or as asked): its first step, corrected, reaches 921600 within a
 * baud, the stub goes up at it, and the stub climbs the rest. */
static void
test_auto_baud_rom_xtal (Fixture       *f,
                         gconstpointer  data)
{
  const char *drift = data;
  g_autoptr(GBytes) image = glint_test_seeded_bytes (33, 96 * 1024, TRUE);
  g_autofree char *address = NULL;
  UploadRate rate = { 0 };
  gdouble believed;

  address = g_strdup_printf ("sim://esp32?boot=normal&time-scale=0%s%s",
                             drift != NULL ? "&rom-xtal-drift=" : "", drift != NULL ? drift : "");
  fixture_open (f, address);
  believed = glint_sim_get_rom_xtal_mhz (fixture_sim (f));
  if (drift != NULL)
    g_assert_cmpfloat_with_epsilon (believed / 40 - 1, g_ascii_strtod (drift, NULL) / 100, 1e-4);
  else
    g_assert_cmpfloat (ABS (believed / 40 - 1), >=, 0.035 - 1e-4);
  rate.sim = fixture_sim (f);
  rate.stream = f->stream;
  g_signal_connect (f->flasher, "notify::state", G_CALLBACK (on_state_upload_rate_cb), &rate);
  glint_flasher_set_baud (f->flasher, GLINT_FLASHER_BAUD_AUTO);
  flash_plan (f, 0x10000, image);

  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, image);
  g_assert_true (log_has (f, "app at 0x10000 verified"));
  g_assert_true (log_has (f, "trying 921600 baud (ROM)"));
  g_assert_false (log_has (f, "baud failed"));
  g_assert_cmpuint (rate.host_baud, ==, 921600);
  g_assert_cmpint (ABS ((gint) rate.chip_baud - 921600), <=, 1);
  /* the ROM's step, then the stub's 1.5 and 2 Mbaud, exactly */
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_BAUD_CHANGES), ==, 3);
  g_assert_cmpuint (glint_flasher_get_settled_baud (f->flasher), ==, 2000000);
  g_assert_cmpuint (rate.chip_writing, ==, 2000000);
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_GARBLED), ==, 0);
}

/* Over a 300 ms round trip. Climbing the list, the ROM's step (the
 * crystal's read, CHANGE_BAUDRATE, the verifying read) spares the stub its
 * steps to 460800 and 921600 and pays. With a hint of 921600 it spares the
 * stub one step only, and the round trip left costs more than the small
 * test stub gains: the ROM takes no step, the stub goes up at the boot
 * rate and makes the step itself. */
static void
test_auto_baud_rom_step_slow_link (Fixture       *f,
                                   gconstpointer  data)
{
  gboolean hint = GPOINTER_TO_INT (data);
  g_autoptr(GBytes) image = glint_test_seeded_bytes (34, 4096, TRUE);
  UploadRate rate = { 0 };

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0&latency=150");
  rate.sim = fixture_sim (f);
  rate.stream = f->stream;
  g_signal_connect (f->flasher, "notify::state", G_CALLBACK (on_state_upload_rate_cb), &rate);
  glint_flasher_set_baud (f->flasher, GLINT_FLASHER_BAUD_AUTO);
  glint_flasher_set_baud_hint (f->flasher, hint ? 921600 : 0);
  flash_plan (f, 0x10000, image);

  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, image);
  g_assert_false (log_has (f, "baud failed"));
  if (hint)
    {
      g_assert_true (log_has (f, "no ROM step to 921600 baud: 3 round trips less the 2 it "
                                 "spares the stub"));
      g_assert_false (log_has (f, "(ROM)"));
      g_assert_false (log_has (f, "believes in"));
      g_assert_cmpuint (rate.host_baud, ==, 115200);
      g_assert_cmpuint (rate.chip_baud, ==, 115200);
      g_assert_cmpuint (glint_flasher_get_settled_baud (f->flasher), ==, 921600);
    }
  else
    {
      g_assert_false (log_has (f, "no ROM step"));
      g_assert_true (log_has (f, "trying 921600 baud (ROM)"));
      g_assert_false (log_has (f, "trying 460800 baud"));
      g_assert_cmpuint (rate.host_baud, ==, 921600);
      g_assert_cmpuint (glint_flasher_get_settled_baud (f->flasher), ==, 2000000);
    }
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_GARBLED), ==, 0);
}

/* No stub: the ESP32 ROM does all the work, and every speed change it
 * gets is corrected, climbing or fixed. */
static void
test_rom_xtal_no_stub (Fixture       *f,
                       gconstpointer  data)
{
  guint baud = GPOINTER_TO_UINT (data);
  g_autoptr(GBytes) image = glint_test_seeded_bytes (35, 32 * 1024, TRUE);
  UploadRate rate = { 0 };

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0&rom-xtal-drift=-4.5");
  rate.sim = fixture_sim (f);
  rate.stream = f->stream;
  g_signal_connect (f->flasher, "notify::state", G_CALLBACK (on_state_upload_rate_cb), &rate);
  glint_flasher_set_use_stub (f->flasher, FALSE);
  glint_flasher_set_baud (f->flasher, baud);
  flash_plan (f, 0x10000, image);

  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, image);
  g_assert_true (log_has (f, "the ESP32 ROM believes in a 38.2"));
  g_assert_false (log_has (f, "baud failed"));
  g_assert_false (log_has (f, "crystal correction cannot be read"));
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_GARBLED), ==, 0);
  if (baud == GLINT_FLASHER_BAUD_AUTO)
    {
      g_assert_cmpuint (glint_flasher_get_settled_baud (f->flasher), ==, 2000000);
      g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_BAUD_CHANGES), ==, 4);
    }
  else
    {
      g_assert_cmpuint (glint_flasher_get_settled_baud (f->flasher), ==, baud);
      g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_BAUD_CHANGES), ==, 1);
    }
  /* the UART's real rate, within a baud or two of the ROM's divider */
  g_assert_cmpint (ABS ((gint) rate.chip_writing -
                        (gint) glint_flasher_get_settled_baud (f->flasher)), <=, 2);
}

/* An ESP32-C5 on a 48 MHz board whose ROM expects 40 MHz: every ROM
 * CHANGE_BAUDRATE is sent × 40 / 48 (as esptool's), so that the UART runs
 * at the rate asked, fixed without a stub or as the ROM's first step; the
 * stub then gets the exact rate. */
static void
test_c5_rom_xtal (Fixture       *f,
                  gconstpointer  data)
{
  guint baud = GPOINTER_TO_UINT (data);
  gboolean stub = baud == GLINT_FLASHER_BAUD_AUTO;
  g_autoptr(GBytes) image = glint_test_seeded_bytes (36, 32 * 1024, TRUE);
  UploadRate rate = { 0 };

  fixture_open (f, "sim://esp32c5?boot=normal&time-scale=0&rom-xtal-expect=40");
  g_assert_cmpfloat (glint_sim_get_rom_xtal_mhz (fixture_sim (f)), ==, 40);
  rate.sim = fixture_sim (f);
  rate.stream = f->stream;
  g_signal_connect (f->flasher, "notify::state", G_CALLBACK (on_state_upload_rate_cb), &rate);
  glint_flasher_set_use_stub (f->flasher, stub);
  glint_flasher_set_baud (f->flasher, baud);
  flash_plan (f, 0x10000, image);

  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, image);
  g_assert_true (log_has (f, "the ESP32-C5 ROM expects another crystal: its rates are sent "
                             "× 0.8333"));
  g_assert_false (log_has (f, "baud failed"));
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_GARBLED), ==, 0);
  if (stub)
    {
      /* 921600 in the ROM (768000 sent), the stub's 1.5 and 2 Mbaud exact */
      g_assert_true (log_has (f, "trying 921600 baud (ROM)"));
      g_assert_cmpuint (rate.chip_baud, ==, 921600);
      g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_BAUD_CHANGES), ==, 3);
      g_assert_cmpuint (glint_flasher_get_settled_baud (f->flasher), ==, 2000000);
      g_assert_cmpuint (rate.chip_writing, ==, 2000000);
    }
  else
    {
      g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_BAUD_CHANGES), ==, 1);
      g_assert_cmpuint (glint_flasher_get_settled_baud (f->flasher), ==, baud);
      g_assert_cmpuint (rate.chip_writing, ==, baud);
    }
}

static const AutoCase auto_fastest = {
  /* 921600 in the ROM (its crystal corrected), then 1.5 and 2 Mbaud */
  "sim://esp32?boot=normal&time-scale=0", 0, 2000000, 3, NULL
};
static const AutoCase auto_capped = {
  "sim://esp32?boot=normal&time-scale=0&max-baud=921600", 0, 921600, 0, "1500000"
};
static const AutoCase auto_rom_step = {
  /* 921600 in the ROM, the stub uploaded at it, then 1.5 and 2 Mbaud */
  "sim://esp32s3?boot=normal&time-scale=0", 0, 2000000, 3, NULL
};
static const AutoCase auto_rom_step_fails = {
  /* 921600 fails in the ROM, 460800 with the stub: the boot rate */
  "sim://esp32s3?boot=normal&time-scale=0&max-baud=300000", 0, 115200, 0, "921600"
};
static const AutoCase auto_rom_step_fails_climbs = {
  /* 921600 fails in the ROM; after the reset the stub climbs below it,
   * never to the rate that failed: two changes in all */
  "sim://esp32s3?boot=normal&time-scale=0&max-baud=500000", 0, 460800, 2, "921600"
};
/* What the stream says its link carries decides the rates: a simulated
 * board behind a given USB device gets that adapter's rates. */
typedef struct
{
  const char *address;
  guint       settled;
  guint       baud_changes;   /* exactly */
  const char *log;            /* a line the log must have */
} LinkCase;

static void
test_auto_baud_link (Fixture       *f,
                     gconstpointer  data)
{
  const LinkCase *c = data;
  g_autoptr(GBytes) image = glint_test_seeded_bytes (32, 64 * 1024, TRUE);

  fixture_open (f, c->address);
  glint_flasher_set_baud (f->flasher, GLINT_FLASHER_BAUD_AUTO);
  flash_plan (f, 0x10000, image);

  glint_test_assert_flash_holds (fixture_sim (f), 0x10000, image);
  g_assert_cmpuint (glint_flasher_get_settled_baud (f->flasher), ==, c->settled);
  g_assert_cmpuint (counter (f, GLINT_SIM_COUNTER_BAUD_CHANGES), ==, c->baud_changes);
  g_assert_true (log_has (f, c->log));
  g_assert_false (log_has (f, "baud failed"));
}

static const LinkCase link_native_usb = {
  /* the chip's own USB: can-set-baud is false, nothing is changed */
  "sim://esp32s3?boot=normal&time-scale=0&usb=303a:1001&usb-serial=F4:12:FA:00:00:01",
  115200, 0, "staying at 115200 baud: the chip's own USB ignores the baud rate"
};
static const LinkCase link_cp210x = {
  /* a CP210x carries 921600: the ROM's step, and the stub stays there */
  "sim://esp32s3?boot=normal&time-scale=0&usb=10c4:ea60", 921600, 1, "trying 921600 baud (ROM)"
};
static const LinkCase link_ftdi = {
  /* an FTDI bridge 2 Mbaud: the ROM's step, then 1.5 and 2 Mbaud */
  "sim://esp32s3?boot=normal&time-scale=0&usb=0403:6015", 2000000, 3, "trying 2000000 baud"
};

static const AutoCase auto_hint = {
  "sim://esp32s3?boot=normal&time-scale=0", 921600, 921600, 1, NULL
};

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  glint_sim_stream_register ();

  stub_dir = glint_test_fake_stub_dir ();

  g_test_add ("/glint/flasher-fast/skip/changed-block", Fixture, "esp32", NULL,
              test_skip_changed_block, fixture_teardown);
  g_test_add ("/glint/flasher-fast/skip/changed-block-s3", Fixture, "esp32s3", NULL,
              test_skip_changed_block, fixture_teardown);
  g_test_add ("/glint/flasher-fast/skip/changed-block-rom", Fixture, "esp32s3-rom", NULL,
              test_skip_changed_block, fixture_teardown);
  g_test_add ("/glint/flasher-fast/skip/scan-resumes-rom", Fixture, "rom", NULL,
              test_skip_scan_resumes, fixture_teardown);
  g_test_add ("/glint/flasher-fast/skip/scan-resumes-stub", Fixture, "stub", NULL,
              test_skip_scan_resumes, fixture_teardown);
  g_test_add ("/glint/flasher-fast/skip/write-resumes", Fixture, NULL, NULL,
              test_write_resumes, fixture_teardown);
  g_test_add ("/glint/flasher-fast/skip/scattered", Fixture, NULL, NULL, test_skip_scattered,
              fixture_teardown);
  g_test_add ("/glint/flasher-fast/skip/identical", Fixture, NULL, NULL, test_skip_identical,
              fixture_teardown);
  g_test_add ("/glint/flasher-fast/skip/new-image", Fixture, NULL, NULL, test_skip_new_image,
              fixture_teardown);
  g_test_add ("/glint/flasher-fast/skip/off", Fixture, NULL, NULL, test_skip_off,
              fixture_teardown);
  g_test_add ("/glint/flasher-fast/record/last-sector", Fixture, NULL, NULL,
              test_record_last_sector, fixture_teardown);
  g_test_add ("/glint/flasher-fast/record/reflash", Fixture, NULL, NULL, test_record_reflash,
              fixture_teardown);
  g_test_add ("/glint/flasher-fast/segments/stub-buffers", Fixture, NULL, NULL,
              test_segments_stub_buffers, fixture_teardown);
  g_test_add ("/glint/flasher-fast/record/stub", Fixture, NULL, NULL, test_record_stub,
              fixture_teardown);
  g_test_add ("/glint/flasher-fast/record/slow-link", Fixture, NULL, NULL,
              test_record_slow_link, fixture_teardown);
  g_test_add ("/glint/flasher-fast/record/slow-link-hint", Fixture, "hint", NULL,
              test_record_slow_link, fixture_teardown);
  g_test_add ("/glint/flasher-fast/record/identical", Fixture, NULL, NULL,
              test_record_identical, fixture_teardown);
  g_test_add ("/glint/flasher-fast/record/wrong-blank", Fixture, "blank", NULL,
              test_record_wrong, fixture_teardown);
  g_test_add ("/glint/flasher-fast/record/wrong-other", Fixture, "other", NULL,
              test_record_wrong, fixture_teardown);
  g_test_add ("/glint/flasher-fast/record/stale-rom", Fixture, NULL, NULL,
              test_record_stale_rom, fixture_teardown);
  g_test_add ("/glint/flasher-fast/record/no-verify", Fixture, NULL, NULL,
              test_record_no_verify, fixture_teardown);
  g_test_add ("/glint/flasher-fast/record/interrupted", Fixture, NULL, NULL,
              test_record_interrupted, fixture_teardown);
  g_test_add ("/glint/flasher-fast/report/link-dies", Fixture, NULL, NULL,
              test_report_link_dies, fixture_teardown);
  g_test_add ("/glint/flasher-fast/report/cancel", Fixture, NULL, NULL, test_report_cancel,
              fixture_teardown);
  g_test_add ("/glint/flasher-fast/report/nothing-written", Fixture, NULL, NULL,
              test_report_nothing_written, fixture_teardown);
  g_test_add ("/glint/flasher-fast/erase-all/stub", Fixture, NULL, NULL, test_erase_all,
              fixture_teardown);
  g_test_add ("/glint/flasher-fast/erase-all/needs-stub", Fixture, NULL, NULL,
              test_erase_all_needs_stub, fixture_teardown);

  g_test_add ("/glint/flasher-fast/backup/span", Fixture, NULL, NULL, test_backup,
              fixture_teardown);
  g_test_add ("/glint/flasher-fast/backup/restore", Fixture, NULL, NULL, test_backup_restore,
              fixture_teardown);
  g_test_add ("/glint/flasher-fast/manifest-build-per-board", Fixture, NULL, NULL,
              test_manifest_build_per_board, fixture_teardown);
  g_test_add ("/glint/flasher-fast/backup/fails", Fixture, NULL, NULL, test_backup_fails,
              fixture_teardown);
  g_test_add ("/glint/flasher-fast/backup/bad-path", Fixture, NULL, NULL, test_backup_bad_path,
              fixture_teardown);

  g_test_add ("/glint/flasher-fast/auto-baud/fastest", Fixture, &auto_fastest, NULL,
              test_auto_baud, fixture_teardown);
  g_test_add ("/glint/flasher-fast/auto-baud/capped", Fixture, &auto_capped, NULL,
              test_auto_baud, fixture_teardown);
  g_test_add ("/glint/flasher-fast/auto-baud/rom-step", Fixture, &auto_rom_step, NULL,
              test_auto_baud, fixture_teardown);
  g_test_add ("/glint/flasher-fast/auto-baud/rom-step-fails", Fixture, &auto_rom_step_fails,
              NULL, test_auto_baud, fixture_teardown);
  g_test_add ("/glint/flasher-fast/auto-baud/rom-step-fails-climbs", Fixture,
              &auto_rom_step_fails_climbs, NULL, test_auto_baud, fixture_teardown);
  g_test_add ("/glint/flasher-fast/auto-baud/rom-xtal", Fixture, NULL, NULL,
              test_auto_baud_rom_xtal, fixture_teardown);
  g_test_add ("/glint/flasher-fast/auto-baud/rom-xtal-below", Fixture, "-4.8", NULL,
              test_auto_baud_rom_xtal, fixture_teardown);
  g_test_add ("/glint/flasher-fast/auto-baud/rom-xtal-above", Fixture, "4.8", NULL,
              test_auto_baud_rom_xtal, fixture_teardown);
  g_test_add ("/glint/flasher-fast/auto-baud/rom-step-slow-link", Fixture,
              GINT_TO_POINTER (FALSE), NULL, test_auto_baud_rom_step_slow_link,
              fixture_teardown);
  g_test_add ("/glint/flasher-fast/auto-baud/rom-step-skipped", Fixture, GINT_TO_POINTER (TRUE),
              NULL, test_auto_baud_rom_step_slow_link, fixture_teardown);
  g_test_add ("/glint/flasher-fast/auto-baud/rom-xtal-no-stub", Fixture,
              GUINT_TO_POINTER (GLINT_FLASHER_BAUD_AUTO), NULL, test_rom_xtal_no_stub,
              fixture_teardown);
  g_test_add ("/glint/flasher-fast/auto-baud/rom-xtal-fixed", Fixture,
              GUINT_TO_POINTER (921600), NULL, test_rom_xtal_no_stub, fixture_teardown);
  g_test_add ("/glint/flasher-fast/auto-baud/link/native-usb", Fixture, &link_native_usb, NULL,
              test_auto_baud_link, fixture_teardown);
  g_test_add ("/glint/flasher-fast/auto-baud/link/cp210x", Fixture, &link_cp210x, NULL,
              test_auto_baud_link, fixture_teardown);
  g_test_add ("/glint/flasher-fast/auto-baud/link/ftdi", Fixture, &link_ftdi, NULL,
              test_auto_baud_link, fixture_teardown);
  g_test_add ("/glint/flasher-fast/auto-baud/hint", Fixture, &auto_hint, NULL,
              test_auto_baud, fixture_teardown);
  g_test_add ("/glint/flasher-fast/auto-baud/twice", Fixture, NULL, NULL,
              test_auto_baud_twice, fixture_teardown);
  g_test_add ("/glint/flasher-fast/auto-baud/no-reset", Fixture, NULL, NULL,
              test_auto_baud_no_reset, fixture_teardown);
  g_test_add ("/glint/flasher-fast/auto-baud/c5-rom-xtal", Fixture,
              GUINT_TO_POINTER (GLINT_FLASHER_BAUD_AUTO), NULL, test_c5_rom_xtal,
              fixture_teardown);
  g_test_add ("/glint/flasher-fast/auto-baud/c5-rom-xtal-fixed", Fixture,
              GUINT_TO_POINTER (460800), NULL, test_c5_rom_xtal, fixture_teardown);

  status = g_test_run ();

  glint_test_remove_dir (stub_dir);
  g_free (stub_dir);

  return status;
}
