/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "glint-backup.h"
#include "glint-error.h"
#include "glint-flash-plan.h"
#include "glint-image.h"
#include "glint-test-image.h"
#include "glint-test-utils.h"

typedef struct
{
  char *dir;
} Fixture;

static void
remove_tree (const char *path)
{
  GDir *dir;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_remove (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("glint-flash-plan-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* Writes bytes to dir/rel (making directories) and returns the path. */
static char *
write_file (const char *dir,
            const char *rel,
            GBytes     *bytes)
{
  g_autofree char *path = g_build_filename (dir, rel, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : "";

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static char *
write_text (const char *dir,
            const char *rel,
            const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  return write_file (dir, rel, bytes);
}

static GBytes *
make_app (int chip_id)
{
  TestImageSpec spec = { .chip_id = chip_id, .n_segments = 2, .seg_len = 0x5000,
                         .hash = TRUE };

  return test_image_build (&spec);
}

static GBytes *
make_bootloader (int chip_id)
{
  TestImageSpec spec = { .chip_id = chip_id, .n_segments = 3, .seg_len = 0x400 };

  return test_image_build (&spec);
}

static GBytes *
make_fill (gsize  len,
           guint8 value)
{
  guint8 *data = g_malloc (len);

  memset (data, value, len);
  return g_bytes_new_take (data, len);
}

/* bootloader at bl_offset, app at 0x10000, 0xFF elsewhere */
static GBytes *
make_merged (int     chip_id,
             guint32 bl_offset)
{
  g_autoptr(GBytes) bl = make_bootloader (chip_id);
  g_autoptr(GBytes) app = make_app (chip_id);
  gsize len = 0x10000 + g_bytes_get_size (app);
  guint8 *data = g_malloc (len);

  memset (data, 0xFF, len);
  memcpy (data + bl_offset, g_bytes_get_data (bl, NULL), g_bytes_get_size (bl));
  memcpy (data + 0x10000, g_bytes_get_data (app, NULL), g_bytes_get_size (app));
  return g_bytes_new_take (data, len);
}

static void
assert_message_has (const GError *error,
                    const char   *word)
{
  g_assert_nonnull (error);
  if (strstr (error->message, word) == NULL)
    g_error ("“%s” not in “%s”", word, error->message);
}

static void
test_args_offsets (void)
{
  const char *args[] = { "dir/c.bin@0X10000", "a.bin@0x1000", "b.bin@32768",
                         "we@ird.bin@0x9000", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new_from_args (args, "esp32", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (glint_flash_plan_get_n_regions (plan), ==, 4);
  g_assert_cmpstr (glint_flash_plan_get_chip (plan), ==, "esp32");

  g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 0), ==, 0x1000);
  g_assert_cmpstr (glint_flash_plan_get_region_path (plan, 0), ==, "a.bin");
  g_assert_cmpstr (glint_flash_plan_get_region_name (plan, 0), ==, "a.bin");
  g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 1), ==, 0x8000);
  g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 2), ==, 0x9000);
  g_assert_cmpstr (glint_flash_plan_get_region_path (plan, 2), ==, "we@ird.bin");
  g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 3), ==, 0x10000);
  g_assert_cmpstr (glint_flash_plan_get_region_name (plan, 3), ==, "c.bin");
  /* nothing read before validation */
  g_assert_null (glint_flash_plan_get_region_data (plan, 0));
  g_assert_cmpuint (glint_flash_plan_get_total_bytes (plan), ==, 0);
}

static void
test_args_bad_offsets (void)
{
  const char *bad[] = { "a.bin@0x", "a.bin@12k", "a.bin@0x100000000", "a.bin@-1",
                        "a.bin@0xg0", "a.bin@", "a.bin@ 16" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *args[] = { bad[i], NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new_from_args (args, NULL, &error);

      g_assert_null (plan);
      g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN);
      assert_message_has (error, "offset");
    }

  {
    const char *args[] = { "a.bin@0x1000", "b.bin", NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new_from_args (args, NULL, &error);

    g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN);
    assert_message_has (error, "b.bin");
  }

  {
    const char *args[] = { "@0x1000", NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new_from_args (args, NULL, &error);

    g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN);
  }
}

static guint32
single_file_offset (const char *path,
                    const char *chip,
                    char      **name)
{
  const char *args[] = { path, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new_from_args (args, chip, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (glint_flash_plan_get_n_regions (plan), ==, 1);
  g_assert_nonnull (glint_flash_plan_get_region_data (plan, 0));
  if (name != NULL)
    *name = g_strdup (glint_flash_plan_get_region_name (plan, 0));
  return glint_flash_plan_get_region_offset (plan, 0);
}

static void
test_single_app (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GBytes) app = make_app (9);
  TestImageSpec small_spec = { .chip_id = 5, .app_desc = TRUE };
  g_autoptr(GBytes) small = test_image_build (&small_spec);
  g_autofree char *path = write_file (fixture->dir, "hello.bin", app);
  g_autofree char *small_path = write_file (fixture->dir, "tiny.bin", small);
  g_autofree char *name = NULL;

  g_assert_cmphex (single_file_offset (path, "esp32s3", &name), ==, 0x10000);
  g_assert_cmpstr (name, ==, "app");
  g_assert_cmphex (single_file_offset (path, NULL, NULL), ==, 0x10000);
  /* small, but it has an app descriptor */
  g_assert_cmphex (single_file_offset (small_path, NULL, NULL), ==, 0x10000);

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new_for_path (path, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (glint_flash_plan_get_n_regions (plan), ==, 1);
    g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 0), ==, 0x10000);
    g_assert_cmpuint (glint_flash_plan_get_total_bytes (plan), ==, g_bytes_get_size (app));
  }
}

static void
test_single_bootloader (Fixture       *fixture,
                        gconstpointer  data)
{
  struct {
    int chip_id;
    const char *chip;
    guint32 offset;
  } cases[] = {
    { 0, "esp32", 0x1000 },
    { 2, "esp32s2", 0x1000 },
    { 9, "esp32s3", 0x0 },
    { 5, "esp32c3", 0x0 },
    { 23, "esp32c5", 0x2000 },
    { 18, "esp32p4", 0x2000 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bl = make_bootloader (cases[i].chip_id);
      g_autofree char *path = write_file (fixture->dir, "bl.bin", bl);
      g_autofree char *name = NULL;

      g_assert_cmphex (single_file_offset (path, cases[i].chip, &name), ==, cases[i].offset);
      g_assert_cmpstr (name, ==, "bootloader");
      /* the chip id in the image is enough */
      g_assert_cmphex (single_file_offset (path, NULL, NULL), ==, cases[i].offset);
    }

  {
    /* named bootloader: never taken for an app, even when big */
    TestImageSpec spec = { .chip_id = 0, .seg_len = 0x4000, .app_desc = TRUE };
    g_autoptr(GBytes) bl = test_image_build (&spec);
    g_autofree char *path = write_file (fixture->dir, "bootloader.bin", bl);

    g_assert_cmphex (single_file_offset (path, NULL, NULL), ==, 0x1000);
  }
}

static void
test_single_merged (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GBytes) m32 = make_merged (0, 0x1000);
  g_autoptr(GBytes) ms3 = make_merged (9, 0x0);
  g_autoptr(GBytes) mp4 = make_merged (18, 0x2000);
  g_autoptr(GBytes) junk = make_fill (0x2000, 0x5A);
  g_autofree char *p32 = write_file (fixture->dir, "out32.bin", m32);
  g_autofree char *ps3 = write_file (fixture->dir, "outs3.bin", ms3);
  g_autofree char *pp4 = write_file (fixture->dir, "outp4.bin", mp4);
  g_autofree char *pnamed = write_file (fixture->dir, "firmware.factory.bin", junk);
  g_autofree char *pmerged = write_file (fixture->dir, "Merged-Flash.bin", junk);
  g_autofree char *name = NULL;

  g_assert_cmphex (single_file_offset (p32, "esp32", &name), ==, 0x0);
  g_assert_cmpstr (name, ==, "merged");
  g_assert_cmphex (single_file_offset (p32, NULL, NULL), ==, 0x0);
  g_assert_cmphex (single_file_offset (ps3, "esp32s3", NULL), ==, 0x0);
  g_assert_cmphex (single_file_offset (pp4, NULL, NULL), ==, 0x0);
  g_assert_cmphex (single_file_offset (pnamed, NULL, NULL), ==, 0x0);
  g_assert_cmphex (single_file_offset (pmerged, NULL, NULL), ==, 0x0);
}

/* An app with 0xE9 0x02 at 0x10000 (checksum kept right) is still an app. */
static void
test_single_app_not_merged (Fixture       *fixture,
                            gconstpointer  data)
{
  TestImageSpec spec = { .chip_id = 0, .n_segments = 1, .seg_len = 0x12000 };
  g_autoptr(GBytes) app = test_image_build (&spec);
  g_autoptr(GlintImage) image = glint_image_parse (app, NULL, NULL);
  const guint8 *d = g_bytes_get_data (app, NULL);
  g_autoptr(GBytes) p1 = test_image_poke (app, 0x10000, 0xE9);
  g_autoptr(GBytes) p2 = test_image_poke (p1, 0x10001, 0x02);
  guint8 sum = d[image->checksum_offset] ^ d[0x10000] ^ 0xE9 ^ d[0x10001] ^ 0x02;
  g_autoptr(GBytes) fixed = test_image_poke (p2, image->checksum_offset, sum);
  g_autofree char *path = write_file (fixture->dir, "big.bin", fixed);
  g_autoptr(GlintImage) check = glint_image_parse (fixed, "esp32", NULL);

  g_assert_nonnull (check);
  g_assert_cmphex (single_file_offset (path, "esp32", NULL), ==, 0x10000);
  g_assert_cmphex (single_file_offset (path, NULL, NULL), ==, 0x10000);
}

static void
test_single_unknown (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GBytes) junk = make_fill (0x3000, 0x5A);
  g_autofree char *path = write_file (fixture->dir, "data.bin", junk);
  const char *args[] = { path, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new_from_args (args, "esp32", &error);

  /* not placed at a guessed offset: refused, saying what it is, and the
   * hint says how to write raw data on purpose */
  g_assert_null (plan);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_UNKNOWN_CONTENT);
  assert_message_has (error, "data.bin");
  assert_message_has (error, "text");
  g_assert_nonnull (strstr (glint_error_get_hint (error), "offset"));
}

static const char flasher_args_json[] =
  "{\n"
  "  \"write_flash_args\": [\"--flash_mode\", \"dio\", \"--flash_size\", \"4MB\",\n"
  "                       \"--flash_freq\", \"80m\"],\n"
  "  \"flash_settings\": {\"flash_mode\": \"dio\", \"flash_size\": \"4MB\",\n"
  "                     \"flash_freq\": \"80m\"},\n"
  "  \"flash_files\": {\"0x10000\": \"hello.bin\",\n"
  "                  \"0x0\": \"bootloader/bootloader.bin\",\n"
  "                  \"0x8000\": \"partition_table/partition-table.bin\"},\n"
  "  \"bootloader\": {\"offset\": \"0x0\", \"file\": \"bootloader/bootloader.bin\",\n"
  "                 \"encrypted\": \"false\"},\n"
  "  \"app\": {\"offset\": \"0x10000\", \"file\": \"hello.bin\", \"encrypted\": \"true\"},\n"
  "  \"partition-table\": {\"offset\": \"0x8000\",\n"
  "                      \"file\": \"partition_table/partition-table.bin\",\n"
  "                      \"encrypted\": \"false\"},\n"
  "  \"extra_esptool_args\": {\"after\": \"hard_reset\", \"before\": \"default_reset\",\n"
  "                         \"stub\": true, \"chip\": \"esp32s3\"}\n"
  "}\n";

static void
write_build_dir (const char *dir)
{
  g_autoptr(GBytes) bl = make_bootloader (9);
  g_autoptr(GBytes) app = make_app (9);
  g_autoptr(GBytes) pt = make_fill (0xC00, 0xAA);
  g_autofree char *p1 = write_file (dir, "bootloader/bootloader.bin", bl);
  g_autofree char *p2 = write_file (dir, "hello.bin", app);
  g_autofree char *p3 = write_file (dir, "partition_table/partition-table.bin", pt);
  g_autofree char *p4 = write_text (dir, "flasher_args.json", flasher_args_json);
}

static void
check_build_plan (GlintFlashPlan *plan,
                  const char     *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *app_path = g_build_filename (dir, "hello.bin", NULL);

  g_assert_cmpuint (glint_flash_plan_get_n_regions (plan), ==, 3);
  g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 0), ==, 0x0);
  g_assert_cmpstr (glint_flash_plan_get_region_name (plan, 0), ==, "bootloader");
  g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 1), ==, 0x8000);
  g_assert_cmpstr (glint_flash_plan_get_region_name (plan, 1), ==, "partition-table");
  g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 2), ==, 0x10000);
  g_assert_cmpstr (glint_flash_plan_get_region_name (plan, 2), ==, "app");
  g_assert_cmpstr (glint_flash_plan_get_region_path (plan, 2), ==, app_path);
  g_assert_false (glint_flash_plan_get_region_encrypted (plan, 0));
  g_assert_true (glint_flash_plan_get_region_encrypted (plan, 2));

  g_assert_cmpstr (glint_flash_plan_get_chip (plan), ==, "esp32s3");
  g_assert_cmpstr (glint_flash_plan_get_flash_mode (plan), ==, "dio");
  g_assert_cmpstr (glint_flash_plan_get_flash_freq (plan), ==, "80m");
  g_assert_cmpstr (glint_flash_plan_get_flash_size (plan), ==, "4MB");
  g_assert_cmpstr (glint_flash_plan_get_before (plan), ==, "default-reset");
  g_assert_cmpstr (glint_flash_plan_get_after (plan), ==, "hard-reset");

  g_assert_true (glint_flash_plan_validate (plan, NULL, 0, &error));
  g_assert_no_error (error);
  g_assert_nonnull (glint_flash_plan_get_region_data (plan, 1));
  g_assert_cmpuint (glint_flash_plan_get_total_bytes (plan), ==,
                    g_bytes_get_size (glint_flash_plan_get_region_data (plan, 0)) +
                    0xC00 +
                    g_bytes_get_size (glint_flash_plan_get_region_data (plan, 2)));
  g_assert_cmpuint (g_strv_length ((char **) glint_flash_plan_get_warnings (plan)), ==, 0);
}

static void
test_build_dir (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *json = g_build_filename (fixture->dir, "flasher_args.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlashPlan) p1 = NULL;
  g_autoptr(GlintFlashPlan) p2 = NULL;
  g_autoptr(GlintFlashPlan) p3 = NULL;
  g_autoptr(GlintFlashPlan) p4 = NULL;

  write_build_dir (fixture->dir);

  p1 = glint_flash_plan_new_from_build_dir (fixture->dir, &error);
  g_assert_no_error (error);
  check_build_plan (p1, fixture->dir);

  p2 = glint_flash_plan_new_from_build_dir (json, &error);
  g_assert_no_error (error);
  check_build_plan (p2, fixture->dir);

  p3 = glint_flash_plan_new_for_path (fixture->dir, NULL, &error);
  g_assert_no_error (error);
  check_build_plan (p3, fixture->dir);

  p4 = glint_flash_plan_new_for_path (json, NULL, &error);
  g_assert_no_error (error);
  check_build_plan (p4, fixture->dir);

  /* The build is for the S3; a C3 on the port is refused. */
  g_assert_false (glint_flash_plan_validate (p4, "esp32c3", 0, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP);
}

static void
test_build_dir_errors (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlashPlan) plan = NULL;
  g_autofree char *other = NULL;
  g_autofree char *broken = NULL;

  plan = glint_flash_plan_new_from_build_dir (fixture->dir, &error);
  g_assert_null (plan);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN);
  assert_message_has (error, "flasher_args.json");
  g_clear_error (&error);

  other = write_text (fixture->dir, "other.json", "{\"hello\": 1}");
  plan = glint_flash_plan_new_for_path (other, NULL, &error);
  g_assert_null (plan);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN);
  assert_message_has (error, "manifest");
  g_clear_error (&error);

  broken = write_text (fixture->dir, "flasher_args.json",
                       "{\"flash_files\": {\"0xZZ\": \"a.bin\"}}");
  plan = glint_flash_plan_new_from_build_dir (fixture->dir, &error);
  g_assert_null (plan);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN);
  assert_message_has (error, "0xZZ");
}

static const char manifest_json[] =
  "{\n"
  "  \"name\": \"Test\", \"version\": \"1.0\",\n"
  "  \"builds\": [\n"
  "    {\"chipFamily\": \"ESP32\", \"parts\": [\n"
  "      {\"path\": \"esp32/bootloader.bin\", \"offset\": 4096},\n"
  "      {\"path\": \"esp32/app.bin\", \"offset\": 65536}]},\n"
  "    {\"chipFamily\": \"ESP32-S3\", \"improv\": false, \"parts\": [\n"
  "      {\"path\": \"s3/app.bin\", \"offset\": 65536},\n"
  "      {\"path\": \"s3/bootloader.bin\", \"offset\": 0}]}\n"
  "  ]\n"
  "}\n";

static void
test_manifest (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GBytes) bl = make_bootloader (9);
  g_autoptr(GBytes) app = make_app (9);
  g_autofree char *p1 = write_file (fixture->dir, "s3/bootloader.bin", bl);
  g_autofree char *p2 = write_file (fixture->dir, "s3/app.bin", app);
  g_autoptr(GBytes) bl32 = make_bootloader (0);
  g_autoptr(GBytes) app32 = make_app (0);
  g_autofree char *p3 = write_file (fixture->dir, "esp32/bootloader.bin", bl32);
  g_autofree char *p4 = write_file (fixture->dir, "esp32/app.bin", app32);
  g_autofree char *manifest = write_text (fixture->dir, "manifest.json", manifest_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlashPlan) plan = NULL;
  g_autoptr(GlintFlashPlan) by_chip = NULL;

  plan = glint_flash_plan_new_from_manifest (manifest, "ESP32-S3", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (glint_flash_plan_get_chip (plan), ==, "esp32s3");
  g_assert_cmpuint (glint_flash_plan_get_n_regions (plan), ==, 2);
  g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 0), ==, 0x0);
  g_assert_cmpstr (glint_flash_plan_get_region_path (plan, 0), ==, p1);
  g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 1), ==, 0x10000);
  g_assert_cmpstr (glint_flash_plan_get_region_path (plan, 1), ==, p2);
  g_assert_true (glint_flash_plan_validate (plan, NULL, 4 * 1024 * 1024, &error));
  g_assert_no_error (error);

  /* for_path picks the build from the chip */
  by_chip = glint_flash_plan_new_for_path (manifest, "esp32s3", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (glint_flash_plan_get_n_regions (by_chip), ==, 2);
  g_assert_cmpstr (glint_flash_plan_get_region_path (by_chip, 0), ==, p1);
  g_clear_object (&plan);

  /* Without a chip the build waits for the board's: the plan is valid,
   * empty, and says so; the chip given later picks its build. */
  plan = glint_flash_plan_new_from_manifest (manifest, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (glint_flash_plan_get_build_chips (plan), ==, "ESP32, ESP32-S3");
  g_assert_cmpuint (glint_flash_plan_get_n_regions (plan), ==, 0);
  g_assert_null (glint_flash_plan_get_chip (plan));
  g_assert_true (glint_flash_plan_validate (plan, NULL, 4 * 1024 * 1024, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (glint_flash_plan_get_build_chips (plan), ==, "ESP32, ESP32-S3");
  g_assert_true (glint_flash_plan_validate (plan, "esp32s3", 4 * 1024 * 1024, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (glint_flash_plan_get_chip (plan), ==, "esp32s3");
  g_assert_cmpuint (glint_flash_plan_get_n_regions (plan), ==, 2);
  g_assert_cmpstr (glint_flash_plan_get_region_path (plan, 0), ==, p1);
  g_assert_cmpstr (glint_flash_plan_get_region_path (plan, 1), ==, p2);
  /* validated again without a chip: the build chosen stays */
  g_assert_true (glint_flash_plan_validate (plan, NULL, 4 * 1024 * 1024, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (glint_flash_plan_get_region_path (plan, 0), ==, p1);
  /* the same plan for a board of another chip: that chip's build */
  g_assert_cmpstr (glint_flash_plan_get_build_chips (plan), ==, "ESP32, ESP32-S3");
  g_assert_true (glint_flash_plan_validate (plan, "esp32", 4 * 1024 * 1024, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (glint_flash_plan_get_chip (plan), ==, "esp32");
  g_assert_cmpuint (glint_flash_plan_get_n_regions (plan), ==, 2);
  g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 0), ==, 0x1000);
  g_assert_cmpstr (glint_flash_plan_get_region_path (plan, 0), ==, p3);
  g_clear_object (&plan);

  /* a board with no build in the manifest: the wrong chip, named */
  plan = glint_flash_plan_new_from_manifest (manifest, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (glint_flash_plan_validate (plan, "esp32c3", 0, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP);
  assert_message_has (error, "ESP32-C3");
  assert_message_has (error, "ESP32, ESP32-S3");
  g_clear_error (&error);
  g_clear_object (&plan);

  plan = glint_flash_plan_new_from_manifest (manifest, "ESP32-C3", &error);
  g_assert_null (plan);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP);
  assert_message_has (error, "ESP32-C3");
  assert_message_has (error, "ESP32, ESP32-S3");
}

/* A backup's name says chip, MAC, offset and date, and is all it takes
 * to put it back: at its offset, byte for byte (erased flash is a fine
 * backup), and only on a board of its chip. */
static void
test_backup_name (Fixture       *fixture,
                  gconstpointer  data)
{
  const guint8 mac[6] = { 0x24, 0xa1, 0x60, 0xf3, 0xc2, 0xb8 };
  g_autoptr(GDateTime) when = g_date_time_new_local (2026, 12, 6, 15, 5, 1);
  g_autofree char *name = glint_backup_name_format ("esp32", mac, 0x1000, when);
  g_autofree char *no_mac = glint_backup_name_format ("esp32c3", NULL, 0x10000, when);
  g_autoptr(GBytes) erased = make_fill (0x3000, 0xFF);
  g_autofree char *path = NULL;
  g_autoptr(GlintFlashPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  GlintBackupName parsed;
  const char *not_backups[] = {
    "backup-sim---esp32-2026-12-06-150501.bin",                 /* the old names */
    "glint-backup-esp99-24a160f3c2b8-0x1000-20261206-150501.bin",
    "glint-backup-esp32-24a160f3c2bx-0x1000-20261206-150501.bin",
    "glint-backup-esp32-24a160f3c2b8-1000-20261206-150501.bin",
    "glint-backup-esp32-24a160f3c2b8-0x1000-2026126-150501.bin",
    "glint-backup-esp32-24a160f3c2b8-0x1000-20261206-150501.img",
  };

  g_assert_cmpstr (name, ==, "glint-backup-esp32-24a160f3c2b8-0x1000-20261206-150501.bin");
  g_assert_true (glint_backup_name_parse (name, &parsed));
  g_assert_cmpstr (parsed.chip, ==, "esp32");
  g_assert_true (parsed.has_mac);
  g_assert_cmpmem (parsed.mac, 6, mac, 6);
  g_assert_cmphex (parsed.offset, ==, 0x1000);
  g_assert_cmpstr (parsed.date, ==, "2026-12-06 15:05:01");
  g_assert_cmpstr (no_mac, ==, "glint-backup-esp32c3-nomac-0x10000-20261206-150501.bin");
  g_assert_true (glint_backup_name_parse (no_mac, &parsed));
  g_assert_false (parsed.has_mac);
  for (guint i = 0; i < G_N_ELEMENTS (not_backups); i++)
    g_assert_false (glint_backup_name_parse (not_backups[i], &parsed));

  /* erased flash at the ESP32's bootloader offset: no image, still restored */
  path = write_file (fixture->dir, name, erased);
  plan = glint_flash_plan_new_for_path (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (glint_flash_plan_get_backup (plan));
  g_assert_cmpstr (glint_flash_plan_get_chip (plan), ==, "esp32");
  g_assert_cmpuint (glint_flash_plan_get_n_regions (plan), ==, 1);
  g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 0), ==, 0x1000);
  g_assert_true (glint_flash_plan_validate (plan, "esp32", 4 * 1024 * 1024, &error));
  g_assert_no_error (error);
  g_assert_true (glint_flash_plan_patch_bootloader (plan, "esp32", "4MB", &error));
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (glint_flash_plan_get_region_data (plan, 0), erased));
  g_assert_null (glint_flash_plan_get_warnings (plan)[0]);

  /* another chip: refused, by the plan and by the board's chip */
  g_assert_false (glint_flash_plan_validate (plan, "esp32c3", 0, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP);
  assert_message_has (error, "ESP32-C3");
  g_clear_error (&error);
  g_clear_object (&plan);
  plan = glint_flash_plan_new_for_path (path, "esp32s3", &error);
  g_assert_null (plan);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP);
}

static void
test_manifest_single_and_url (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *single = write_text (fixture->dir, "one.json",
    "{\"builds\": [{\"chipFamily\": \"ESP8266\", "
    "\"parts\": [{\"path\": \"fw.bin\", \"offset\": 0}]}]}");
  g_autofree char *url = write_text (fixture->dir, "url.json",
    "{\"builds\": [{\"chipFamily\": \"ESP32\", \"parts\": ["
    "{\"path\": \"https://example.com/fw.bin\", \"offset\": 65536}]}]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlashPlan) plan = NULL;

  plan = glint_flash_plan_new_from_manifest (single, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (glint_flash_plan_get_chip (plan), ==, "esp8266");
  g_assert_cmpuint (glint_flash_plan_get_n_regions (plan), ==, 1);
  g_clear_object (&plan);

  plan = glint_flash_plan_new_from_manifest (url, NULL, &error);
  g_assert_null (plan);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN);
  assert_message_has (error, "download the files first");
}

static void
assert_validate_fails (GlintFlashPlan *plan,
                       const char     *chip,
                       guint64         flash_size,
                       GQuark          domain,
                       int             code,
                       const char     *word)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (glint_flash_plan_validate (plan, chip, flash_size, &error));
  g_assert_error (error, domain, code);
  assert_message_has (error, word);
}

static void
test_validate_files (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (fixture->dir, "missing.bin", NULL);
  g_autofree char *empty = write_file (fixture->dir, "empty.bin", NULL);
  g_autofree char *subdir = g_build_filename (fixture->dir, "subdir", NULL);
  g_autoptr(GlintFlashPlan) p1 = glint_flash_plan_new ();
  g_autoptr(GlintFlashPlan) p2 = glint_flash_plan_new ();
  g_autoptr(GlintFlashPlan) p3 = glint_flash_plan_new ();
  g_autoptr(GlintFlashPlan) p4 = glint_flash_plan_new ();
  g_autoptr(GBytes) nothing = g_bytes_new (NULL, 0);

  g_assert_cmpint (g_mkdir (subdir, 0755), ==, 0);

  glint_flash_plan_add_file (p1, 0x10000, missing, NULL);
  assert_validate_fails (p1, NULL, 0, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "missing.bin");

  glint_flash_plan_add_file (p2, 0x10000, empty, NULL);
  assert_validate_fails (p2, NULL, 0, GLINT_ERROR, GLINT_ERROR_INVALID_FILE, "empty");

  glint_flash_plan_add_file (p3, 0x10000, subdir, NULL);
  assert_validate_fails (p3, NULL, 0, GLINT_ERROR, GLINT_ERROR_INVALID_FILE, "directory");

  glint_flash_plan_add_bytes (p4, 0x10000, nothing, "blob");
  assert_validate_fails (p4, NULL, 0, GLINT_ERROR, GLINT_ERROR_INVALID_FILE, "empty");

  /* a plan naming files outside its folder */
  {
    const char *plans[][2] = {
      { "manifest.json", "{\"builds\": [{\"chipFamily\": \"ESP32\", \"parts\": "
        "[{\"path\": \"../../etc/passwd\", \"offset\": 65536}]}]}" },
      { "manifest.json", "{\"builds\": [{\"chipFamily\": \"ESP32\", \"parts\": "
        "[{\"path\": \"/etc/passwd\", \"offset\": 65536}]}]}" },
      { "flasher_args.json", "{\"flash_files\": {\"0x10000\": \"a/../../passwd\"}}" },
      { "flasher_args.json", "{\"write_flash_args\": [], \"app\": {\"offset\": \"0x10000\", "
        "\"file\": \"/etc/passwd\"}}" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (plans); i++)
      {
        g_autofree char *sub = g_strdup_printf ("plan%u", i);
        g_autofree char *rel = g_build_filename (sub, plans[i][0], NULL);
        g_autofree char *json = write_text (fixture->dir, rel, plans[i][1]);
        g_autoptr(GError) plan_error = NULL;
        g_autoptr(GlintFlashPlan) bad = glint_flash_plan_new_for_path (json, NULL, &plan_error);

        g_assert_null (bad);
        g_assert_error (plan_error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN);
        assert_message_has (plan_error, "outside its folder");
      }
  }

  /* the linker's output is converted; a broken one is refused, for the
   * chip given or the plan's */
  {
    static const guint8 elf_header[] = { 0x7F, 'E', 'L', 'F', 1, 1, 1, 0, 0, 0, 0, 0 };
    g_autoptr(GBytes) elf = g_bytes_new_static (elf_header, sizeof elf_header);
    g_autofree char *elf_path = write_file (fixture->dir, "app.elf", elf);
    g_autoptr(GlintFlashPlan) p6 = glint_flash_plan_new ();

    g_autoptr(GlintFlashPlan) p7 = glint_flash_plan_new ();

    glint_flash_plan_add_file (p6, 0x10000, elf_path, NULL);
    assert_validate_fails (p6, "esp32", 0, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE, "ELF");
    glint_flash_plan_add_file (p7, 0x10000, elf_path, NULL);
    glint_flash_plan_set_chip (p7, "esp32c3");
    assert_validate_fails (p7, NULL, 0, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE, "ELF");
  }

  if (getuid () != 0)
    {
      g_autoptr(GBytes) app = make_app (0);
      g_autofree char *secret = write_file (fixture->dir, "secret.bin", app);
      g_autoptr(GlintFlashPlan) p5 = glint_flash_plan_new ();

      g_assert_cmpint (g_chmod (secret, 0), ==, 0);
      glint_flash_plan_add_file (p5, 0x10000, secret, NULL);
      assert_validate_fails (p5, NULL, 0, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                             "secret.bin");
    }
}

static void
test_validate_special (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *fifo = g_build_filename (fixture->dir, "fifo.bin", NULL);
  g_autoptr(GlintFlashPlan) p1 = glint_flash_plan_new ();
  g_autoptr(GlintFlashPlan) p2 = glint_flash_plan_new ();
  const char *fifo_args[] = { fifo, NULL };
  const char *zero_args[] = { "/dev/zero", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlashPlan) p3 = NULL;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);

  /* Neither must block or read forever. */
  glint_flash_plan_add_file (p1, 0x10000, fifo, NULL);
  assert_validate_fails (p1, NULL, 0, GLINT_ERROR, GLINT_ERROR_INVALID_FILE, "special");

  glint_flash_plan_add_file (p2, 0x10000, "/dev/zero", NULL);
  assert_validate_fails (p2, NULL, 0, GLINT_ERROR, GLINT_ERROR_INVALID_FILE, "/dev/zero");

  /* The single-file form reads the file at once: same checks. */
  p3 = glint_flash_plan_new_from_args (fifo_args, "esp32", &error);
  g_assert_null (p3);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_FILE);
  g_clear_error (&error);
  p3 = glint_flash_plan_new_from_args (zero_args, "esp32", &error);
  g_assert_null (p3);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_FILE);
  g_clear_error (&error);
  p3 = glint_flash_plan_new_for_path ("/dev/zero", NULL, &error);
  g_assert_null (p3);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_FILE);
}

static void
test_validate_layout (void)
{
  g_autoptr(GBytes) sector2 = make_fill (0x2000, 0xAA);
  g_autoptr(GBytes) small = make_fill (0x100, 0xAA);
  g_autoptr(GlintFlashPlan) misaligned = glint_flash_plan_new ();
  g_autoptr(GlintFlashPlan) overlap = glint_flash_plan_new ();
  g_autoptr(GlintFlashPlan) big = glint_flash_plan_new ();
  g_autoptr(GlintFlashPlan) fits = glint_flash_plan_new ();
  g_autoptr(GBytes) sector_and_byte = make_fill (0x1001, 0xAA);
  g_autoptr(GlintFlashPlan) overlap_byte = glint_flash_plan_new ();
  g_autoptr(GlintFlashPlan) big_byte = glint_flash_plan_new ();
  g_autoptr(GError) error = NULL;

  glint_flash_plan_add_bytes (misaligned, 0x10100, small, "data");
  assert_validate_fails (misaligned, NULL, 0, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                         "aligned");
  assert_validate_fails (misaligned, NULL, 0, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                         "0x10000");

  glint_flash_plan_add_bytes (overlap, 0x9000, sector2, "nvs");
  glint_flash_plan_add_bytes (overlap, 0xA000, small, "phy");
  assert_validate_fails (overlap, NULL, 0, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN, "overlaps");
  assert_validate_fails (overlap, NULL, 0, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN, "nvs");
  assert_validate_fails (overlap, NULL, 0, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN, "phy");

  glint_flash_plan_add_bytes (big, 0x3FF000, sector2, "storage");
  assert_validate_fails (big, NULL, 4 * 1024 * 1024, GLINT_ERROR,
                         GLINT_ERROR_IMAGE_TOO_LARGE, "storage");
  assert_validate_fails (big, NULL, 4 * 1024 * 1024, GLINT_ERROR,
                         GLINT_ERROR_IMAGE_TOO_LARGE, "4 MB");
  /* unknown flash size: fine */
  g_assert_true (glint_flash_plan_validate (big, NULL, 0, &error));
  g_assert_no_error (error);
  /* the plan's own flash size counts when the chip's is unknown */
  glint_flash_plan_set_flash_settings (big, "dio", "40m", "2MB");
  assert_validate_fails (big, NULL, 0, GLINT_ERROR, GLINT_ERROR_IMAGE_TOO_LARGE, "2 MB");

  /* one byte is enough: a file that ends one byte into the next region's
   * sector, and one byte beyond the end of the flash */
  glint_flash_plan_add_bytes (overlap_byte, 0x9000, sector_and_byte, "nvs");
  glint_flash_plan_add_bytes (overlap_byte, 0xA000, small, "phy");
  assert_validate_fails (overlap_byte, NULL, 0, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                         "overlaps");
  glint_flash_plan_add_bytes (big_byte, 0x3FF000, sector_and_byte, "storage");
  assert_validate_fails (big_byte, NULL, 4 * 1024 * 1024, GLINT_ERROR,
                         GLINT_ERROR_IMAGE_TOO_LARGE, "storage");

  /* touching is not overlapping; exactly full is not too big */
  glint_flash_plan_add_bytes (fits, 0x3FE000, sector2, "a");
  glint_flash_plan_add_bytes (fits, 0x3FC000, sector2, "b");
  g_assert_true (glint_flash_plan_validate (fits, NULL, 4 * 1024 * 1024, &error));
  g_assert_no_error (error);
}

static void
test_validate_images (void)
{
  g_autoptr(GBytes) app_s3 = make_app (9);
  g_autoptr(GBytes) app_32 = make_app (0);
  g_autoptr(GlintFlashPlan) wrong_prefix = glint_flash_plan_new ();
  g_autoptr(GBytes) bl_32 = make_bootloader (0);
  g_autoptr(GBytes) junk = make_fill (0x1000, 0xAA);
  g_autoptr(GBytes) merged = make_merged (0, 0x1000);
  g_autoptr(GBytes) bad_merged = make_merged (0, 0x2000);
  g_autoptr(GlintFlashPlan) wrong = glint_flash_plan_new ();
  g_autoptr(GlintFlashPlan) not_image = glint_flash_plan_new ();
  g_autoptr(GlintFlashPlan) elsewhere = glint_flash_plan_new ();
  g_autoptr(GlintFlashPlan) plan_merged = glint_flash_plan_new ();
  g_autoptr(GlintFlashPlan) plan_bad_merged = glint_flash_plan_new ();
  g_autoptr(GlintFlashPlan) mixed = glint_flash_plan_new ();
  g_autoptr(GlintFlashPlan) data_at_app = glint_flash_plan_new ();
  g_autoptr(GError) error = NULL;

  glint_flash_plan_add_bytes (wrong, 0x10000, app_s3, "app");
  assert_validate_fails (wrong, "esp32c3", 0, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP, "esp32s3");
  assert_validate_fails (wrong, "ESP32-C3", 0, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP, "esp32c3");
  assert_validate_fails (wrong, "esp31", 0, GLINT_ERROR, GLINT_ERROR_UNSUPPORTED_CHIP, "esp31");
  /* a name that starts like the chip's is another chip, both ways */
  assert_validate_fails (wrong, "esp32", 0, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP, "esp32s3");
  glint_flash_plan_add_bytes (wrong_prefix, 0x10000, app_32, "app");
  assert_validate_fails (wrong_prefix, "esp32s3", 0, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP,
                         "built for esp32,");
  assert_validate_fails (wrong_prefix, "esp32c3", 0, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP,
                         "esp32c3");
  g_assert_true (glint_flash_plan_validate (wrong, "esp32s3", 0, &error));
  g_assert_no_error (error);

  glint_flash_plan_add_bytes (not_image, 0x1000, junk, "bootloader");
  assert_validate_fails (not_image, "esp32", 0, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                         "bootloader offset");
  assert_validate_fails (not_image, "esp32", 0, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                         "0xaa");
  /* the same data is fine where no bootloader goes */
  g_assert_true (glint_flash_plan_validate (not_image, "esp32s3", 0, &error));
  g_assert_no_error (error);

  glint_flash_plan_add_bytes (elsewhere, 0x8000, junk, "partition-table");
  glint_flash_plan_add_bytes (elsewhere, 0x1000, bl_32, "bootloader");
  g_assert_true (glint_flash_plan_validate (elsewhere, "esp32", 0, &error));
  g_assert_no_error (error);
  /* without a chip the bootloader's chip id decides */
  g_assert_true (glint_flash_plan_validate (elsewhere, NULL, 0, &error));
  g_assert_no_error (error);

  glint_flash_plan_add_bytes (plan_merged, 0x0, merged, "merged");
  g_assert_true (glint_flash_plan_validate (plan_merged, "esp32", 0, &error));
  g_assert_no_error (error);
  assert_validate_fails (plan_merged, "esp32s3", 0, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                         "0x0");
  glint_flash_plan_add_bytes (plan_bad_merged, 0x0, bad_merged, "merged");
  assert_validate_fails (plan_bad_merged, "esp32", 0, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                         "0x1000");

  glint_flash_plan_add_bytes (data_at_app, 0x10000, junk, "storage");
  g_assert_true (glint_flash_plan_validate (data_at_app, "esp32", 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length ((char **) glint_flash_plan_get_warnings (data_at_app)), ==, 1);
  g_assert_nonnull (strstr (glint_flash_plan_get_warnings (data_at_app)[0], "not an app"));

  glint_flash_plan_add_bytes (mixed, 0x1000, bl_32, "bootloader");
  glint_flash_plan_add_bytes (mixed, 0x10000, app_s3, "app");
  assert_validate_fails (mixed, NULL, 0, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP, "app");
}

static void
test_validate_revision (void)
{
  TestImageSpec spec = { .chip_id = 9, .seg_len = 0x9000, .min_rev_full = 102,
                         .max_rev_full = 199 };
  g_autoptr(GBytes) app = test_image_build (&spec);
  g_autoptr(GBytes) odd = make_fill (0x101, 0x00);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GError) error = NULL;
  const char * const *warnings;

  glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
  glint_flash_plan_add_bytes (plan, 0x9000, odd, "odd");

  g_assert_true (glint_flash_plan_validate (plan, "esp32s3", 0, &error));
  g_assert_no_error (error);
  warnings = glint_flash_plan_get_warnings (plan);
  g_assert_cmpuint (g_strv_length ((char **) warnings), ==, 1);
  g_assert_nonnull (strstr (warnings[0], "padded"));
  g_assert_nonnull (strstr (warnings[0], "odd"));

  /* v1.2 to v1.99: the chip's revision outside is refused, naming both */
  glint_flash_plan_set_chip_revision (plan, 100);
  assert_validate_fails (plan, "esp32s3", 0, GLINT_ERROR, GLINT_ERROR_WRONG_REVISION,
                         "“app” needs chip revision v1.2 or later; this ESP32-S3 is v1.0");
  glint_flash_plan_set_chip_revision (plan, 200);
  assert_validate_fails (plan, "esp32s3", 0, GLINT_ERROR, GLINT_ERROR_WRONG_REVISION,
                         "v1.99 or earlier; this ESP32-S3 is v2.0");
  glint_flash_plan_set_chip_revision (plan, 105);
  g_assert_true (glint_flash_plan_validate (plan, "esp32s3", 0, &error));
  g_assert_cmpuint (g_strv_length ((char **) glint_flash_plan_get_warnings (plan)), ==, 1);
}

/* esptool's choice of fields (write_flash) */
static void
check_revision_rule (const char *chip,
                     gint        chip_id,
                     guint8      min_rev,
                     guint16     min_rev_full,
                     guint16     max_rev_full,
                     gint        revision,
                     gboolean    fits)
{
  TestImageSpec spec = { .chip_id = chip_id, .seg_len = 0x100, .min_rev = min_rev,
                         .min_rev_full = min_rev_full, .max_rev_full = max_rev_full };
  g_autoptr(GBytes) app = test_image_build (&spec);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GError) error = NULL;

  glint_flash_plan_add_bytes (plan, 0x10000, app, "app.bin");
  glint_flash_plan_set_chip_revision (plan, revision);
  if (fits)
    {
      g_assert_true (glint_flash_plan_validate (plan, chip, 0, &error));
      g_assert_no_error (error);
    }
  else
    {
      assert_validate_fails (plan, chip, 0, GLINT_ERROR, GLINT_ERROR_WRONG_REVISION,
                             "app.bin");
    }
}

static void
test_validate_revision_rules (void)
{
  /* no max_rev_full: only the legacy min_rev, a major revision */
  check_revision_rule ("esp32", 0, 3, 0, 0, 100, FALSE);
  check_revision_rule ("esp32", 0, 3, 0, 0, 300, TRUE);
  check_revision_rule ("esp32", 0, 1, 500, 0, 100, TRUE);   /* min_rev_full ignored */
  /* the default max (0xFFFF) with min_rev_full unset: legacy again */
  check_revision_rule ("esp32", 0, 3, 0, 0xFFFF, 201, FALSE);
  /* the full fields, 0xFFFF meaning no maximum */
  check_revision_rule ("esp32", 0, 0, 300, 0xFFFF, 299, FALSE);
  check_revision_rule ("esp32", 0, 0, 300, 0xFFFF, 9999, TRUE);
  check_revision_rule ("esp32", 0, 3, 100, 0xFFFF, 100, TRUE);  /* min_rev ignored */
  check_revision_rule ("esp32p4", 18, 0, 0, 199, 301, FALSE);
  check_revision_rule ("esp32p4", 18, 0, 0, 199, 103, TRUE);
  /* the ESP32-C3's legacy min_rev is its minor revision */
  check_revision_rule ("esp32c3", 5, 3, 0, 0, 4, TRUE);
  check_revision_rule ("esp32c3", 5, 3, 0, 0, 102, FALSE);
  check_revision_rule ("esp32s3", 9, 1, 0, 0, 2, FALSE);
  /* an unknown revision checks nothing */
  check_revision_rule ("esp32", 0, 3, 300, 0xFFFF, -1, TRUE);
}

static void
test_patch_bootloader (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlashPlan) plan = NULL;
  g_autoptr(GlintFlashPlan) plan32 = glint_flash_plan_new ();
  g_autoptr(GBytes) merged = make_merged (0, 0x1000);
  g_autoptr(GBytes) app = NULL;
  const guint8 *bl;

  write_build_dir (fixture->dir);
  plan = glint_flash_plan_new_from_build_dir (fixture->dir, &error);
  g_assert_no_error (error);

  /* files must be read first */
  g_assert_false (glint_flash_plan_patch_bootloader (plan, NULL, NULL, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN);
  g_clear_error (&error);

  g_assert_true (glint_flash_plan_validate (plan, NULL, 0, &error));
  app = g_bytes_ref (glint_flash_plan_get_region_data (plan, 2));
  g_assert_true (glint_flash_plan_patch_bootloader (plan, NULL, NULL, &error));
  g_assert_no_error (error);

  /* dio, 4MB, 80m from flasher_args.json; only the bootloader changes */
  bl = g_bytes_get_data (glint_flash_plan_get_region_data (plan, 0), NULL);
  g_assert_cmpuint (bl[2], ==, 2);
  g_assert_cmphex (bl[3], ==, 0x2F);
  g_assert_true (glint_flash_plan_get_region_data (plan, 2) == app);
  g_assert_true (glint_flash_plan_validate (plan, NULL, 0, &error));
  g_assert_no_error (error);

  /* "detect" takes the detected size */
  glint_flash_plan_set_flash_settings (plan, "keep", "keep", "detect");
  g_assert_true (glint_flash_plan_patch_bootloader (plan, "esp32s3", "16MB", &error));
  g_assert_no_error (error);
  bl = g_bytes_get_data (glint_flash_plan_get_region_data (plan, 0), NULL);
  g_assert_cmphex (bl[3], ==, 0x4F);

  /* a value the chip cannot do */
  glint_flash_plan_set_flash_settings (plan, "dio", "15m", "4MB");
  g_assert_false (glint_flash_plan_patch_bootloader (plan, NULL, NULL, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* merged at 0 on the ESP32: not at 0x1000, left alone */
  glint_flash_plan_add_bytes (plan32, 0x0, merged, "merged");
  glint_flash_plan_set_flash_settings (plan32, "qio", "40m", "4MB");
  g_assert_true (glint_flash_plan_validate (plan32, "esp32", 0, &error));
  g_assert_true (glint_flash_plan_patch_bootloader (plan32, "esp32", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (glint_flash_plan_get_region_data (plan32, 0) == merged);
}

static void
test_validate_empty_plan (void)
{
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();

  assert_validate_fails (plan, NULL, 0, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN, "nothing");
}

/* A copy for one board's job: the same regions, bytes and settings, and
 * what the job changes in its copy stays there. */
static void
test_copy (void)
{
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GlintFlashPlan) copy = NULL;
  g_autoptr(GBytes) app = g_bytes_new_static ("\xe9\x01\x02\x20", 4);
  g_autoptr(GBytes) data = g_bytes_new_static ("data", 4);

  glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
  glint_flash_plan_add_bytes (plan, 0x9000, data, "nvs");
  glint_flash_plan_set_chip (plan, "esp32");
  glint_flash_plan_set_flash_settings (plan, "dio", "40m", "4MB");

  copy = glint_flash_plan_copy (plan);
  g_assert_cmpuint (glint_flash_plan_get_n_regions (copy), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpuint (glint_flash_plan_get_region_offset (copy, i), ==,
                        glint_flash_plan_get_region_offset (plan, i));
      g_assert_cmpstr (glint_flash_plan_get_region_name (copy, i), ==,
                       glint_flash_plan_get_region_name (plan, i));
      g_assert_true (g_bytes_equal (glint_flash_plan_get_region_data (copy, i),
                                    glint_flash_plan_get_region_data (plan, i)));
    }
  g_assert_cmpstr (glint_flash_plan_get_chip (copy), ==, "esp32");
  g_assert_cmpstr (glint_flash_plan_get_flash_mode (copy), ==, "dio");
  g_assert_cmpstr (glint_flash_plan_get_flash_size (copy), ==, "4MB");
  g_assert_cmpuint (glint_flash_plan_get_total_bytes (copy), ==,
                    glint_flash_plan_get_total_bytes (plan));

  glint_flash_plan_set_chip (copy, "esp32c3");
  glint_flash_plan_set_flash_settings (copy, "qio", "80m", "8MB");
  glint_flash_plan_add_bytes (copy, 0x20000, data, "more");
  g_assert_cmpstr (glint_flash_plan_get_chip (plan), ==, "esp32");
  g_assert_cmpstr (glint_flash_plan_get_flash_mode (plan), ==, "dio");
  g_assert_cmpuint (glint_flash_plan_get_n_regions (plan), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD_FIXTURE(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/glint/flash-plan/copy", test_copy);
  g_test_add_func ("/glint/flash-plan/args-offsets", test_args_offsets);
  g_test_add_func ("/glint/flash-plan/args-bad-offsets", test_args_bad_offsets);
  ADD_FIXTURE ("/glint/flash-plan/single-app", test_single_app);
  ADD_FIXTURE ("/glint/flash-plan/single-bootloader", test_single_bootloader);
  ADD_FIXTURE ("/glint/flash-plan/single-merged", test_single_merged);
  ADD_FIXTURE ("/glint/flash-plan/single-app-not-merged", test_single_app_not_merged);
  ADD_FIXTURE ("/glint/flash-plan/single-unknown", test_single_unknown);
  ADD_FIXTURE ("/glint/flash-plan/build-dir", test_build_dir);
  ADD_FIXTURE ("/glint/flash-plan/build-dir-errors", test_build_dir_errors);
  ADD_FIXTURE ("/glint/flash-plan/manifest", test_manifest);
  ADD_FIXTURE ("/glint/flash-plan/backup-name", test_backup_name);
  ADD_FIXTURE ("/glint/flash-plan/manifest-single-and-url", test_manifest_single_and_url);
  ADD_FIXTURE ("/glint/flash-plan/validate-files", test_validate_files);
  ADD_FIXTURE ("/glint/flash-plan/validate-special", test_validate_special);
  g_test_add_func ("/glint/flash-plan/validate-layout", test_validate_layout);
  g_test_add_func ("/glint/flash-plan/validate-images", test_validate_images);
  g_test_add_func ("/glint/flash-plan/validate-revision", test_validate_revision);
  g_test_add_func ("/glint/flash-plan/validate-revision-rules", test_validate_revision_rules);
  ADD_FIXTURE ("/glint/flash-plan/patch-bootloader", test_patch_bootloader);
  g_test_add_func ("/glint/flash-plan/validate-empty-plan", test_validate_empty_plan);

#undef ADD_FIXTURE

  return g_test_run ();
}
