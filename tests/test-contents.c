/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "glint-bytes.h"
#include "glint-partitions.h"
#include "glint-test-contents.h"
#include "glint-test-utils.h"

/*
 * What is on the board: glint-cli info on simulated boards that hold a
 * full ESP-IDF build (bootloader, partition table, apps with their
 * descriptions, otadata), blank or foreign flash, or that cannot be read;
 * read and erase of a partition by its name.
 */

static void
run_cli (GlintTestRun      *run,
         const char *const *args)
{
  glint_test_run_cli (run, args, NULL, NULL);
}

static void
assert_has (const char *text,
            const char *part)
{
  if (strstr (text, part) == NULL)
    g_error ("“%s” not in:\n%s", part, text);
}

static char *
write_flash (const char   *dir,
             const char   *name,
             const guint8 *flash)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const char *) flash, FLASH_SIZE, &error);
  g_assert_no_error (error);
  return path;
}

static JsonObject *
info_event (JsonParser *parser,
            const char *out)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "\"event\":\"info\"") != NULL)
      {
        g_autoptr(GError) error = NULL;

        json_parser_load_from_data (parser, lines[i], -1, &error);
        g_assert_no_error (error);
        return json_node_get_object (json_parser_get_root (parser));
      }
  g_error ("no info event in %s", out);
}

static JsonObject *
json_partition (JsonObject *contents,
                const char *name)
{
  JsonArray *parts = json_object_get_array_member (contents, "partitions");

  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonObject *p = json_array_get_object_element (parts, i);

      if (g_str_equal (json_object_get_string_member (p, "name"), name))
        return p;
    }
  g_error ("no partition %s", name);
}

static void
test_info_full_build (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-contents-XXXXXX", &error);
  g_autofree guint8 *flash = full_build (0);
  g_autofree char *path = write_flash (dir, "flash.bin", flash);
  g_autofree char *port = g_strdup_printf ("sim://esp32?time-scale=0&flash=%s", path);
  const char *args[] = { "--port", port, "info", NULL };
  const char *json_args[] = { "--json", "--port", port, "info", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *info, *contents, *p;
  GlintTestRun run = { 0 };

  run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  assert_has (run.out, "Contents: 6 partitions at 0x8000; ota_0 starts wled 0.14.0 "
                       "(ESP-IDF v4.4.7, 2025-01-20)");
  assert_has (run.out, "factory          0x10000   1.0\u00a0MiB   wled 0.15.0 (ESP-IDF v4.4.7, "
                       "2025-01-20)\n");
  assert_has (run.out, "ota_0            0x110000  1.0\u00a0MiB   wled 0.14.0 (ESP-IDF v4.4.7, "
                       "2025-01-20) — boots\n");
  assert_has (run.out, "ota_1            0x210000  1.0\u00a0MiB   blank\n");
  assert_has (run.out, "nvs              0x9000    16.0\u00a0KiB  data/nvs\n");
  /* after the chip lines */
  g_assert_true (strstr (run.out, "Contents:") > strstr (run.out, "Security:"));
  glint_test_run_clear (&run);

  run_cli (&run, json_args);
  g_assert_cmpint (run.status, ==, 0);
  info = info_event (parser, run.out);
  contents = json_object_get_object_member (info, "contents");
  g_assert_cmpstr (json_object_get_string_member (contents, "state"), ==, "partitions");
  g_assert_true (json_object_get_boolean_member (contents, "bootloader"));
  g_assert_cmpint (json_object_get_int_member (contents, "table-offset"), ==, 0x8000);
  /* SPI_ATTACH, then ROM reads of 64 bytes: the bootloader's header, the
   * table to its MD5 entry (7 entries), 176 bytes of each of two apps
   * (header and description texts), the first 64 of the blank ota_1, two
   * otadata entries (two apps: otadata decides) */
  g_assert_cmpint (json_object_get_int_member (contents, "round-trips"), ==,
                   1 + 1 + 4 + 2 * 3 + 1 + 2);
  p = json_partition (contents, "factory");
  g_assert_cmpstr (json_object_get_string_member (p, "project"), ==, "wled");
  g_assert_cmpstr (json_object_get_string_member (p, "version"), ==, "0.15.0");
  g_assert_cmpstr (json_object_get_string_member (p, "date"), ==, "2025-01-20");
  g_assert_false (json_object_get_boolean_member (p, "boots"));
  p = json_partition (contents, "ota_0");
  g_assert_true (json_object_get_boolean_member (p, "boots"));
  p = json_partition (contents, "ota_1");
  g_assert_cmpstr (json_object_get_string_member (p, "holds"), ==, "blank");
  glint_test_run_clear (&run);

  g_unlink (path);
  g_rmdir (dir);
}

/* Erased otadata: the factory app starts. */
static void
test_info_factory_boots (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-contents-XXXXXX", &error);
  g_autofree guint8 *flash = full_build (-1);
  g_autofree char *path = write_flash (dir, "flash.bin", flash);
  g_autofree char *port = g_strdup_printf ("sim://esp32?time-scale=0&flash=%s", path);
  const char *args[] = { "--port", port, "info", NULL };
  GlintTestRun run = { 0 };

  run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  assert_has (run.out, "factory starts wled 0.15.0");
  assert_has (run.out, "2025-01-20) — boots\n");
  g_assert_null (strstr (run.out, "0.14.0 (ESP-IDF v4.4.7, 2025-01-20) — boots"));
  glint_test_run_clear (&run);

  g_unlink (path);
  g_rmdir (dir);
}

/* A table moved to 0xC000 (CONFIG_PARTITION_TABLE_OFFSET), a foreign
 * layout and a blank board: findings, not errors. */
static void
test_info_blank_foreign_moved (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-contents-XXXXXX", &error);
  g_autofree guint8 *flash = full_build (0);
  g_autofree char *moved_path = NULL;
  g_autofree char *foreign_path = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *foreign = NULL;
  const char *blank[] = { "--json", "--port", "sim://esp32?time-scale=0", "info", NULL };
  const char *args[] = { "--port", NULL, "info", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *contents;
  GlintTestRun run = { 0 };

  /* the table at 0xC000 instead of 0x8000 */
  memcpy (flash + 0xC000, flash + 0x8000, GLINT_PARTITION_TABLE_SIZE);
  memset (flash + 0x8000, 0xFF, GLINT_PARTITION_TABLE_SIZE);
  moved_path = write_flash (dir, "moved.bin", flash);
  moved = g_strdup_printf ("sim://esp32?time-scale=0&flash=%s", moved_path);
  args[1] = moved;
  run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  assert_has (run.out, "Contents: 6 partitions at 0xc000; ota_0 starts wled 0.14.0");
  glint_test_run_clear (&run);

  /* a bootloader and then something else */
  memset (flash + 0xC000, 0x5A, GLINT_PARTITION_TABLE_SIZE);
  foreign_path = write_flash (dir, "foreign.bin", flash);
  foreign = g_strdup_printf ("sim://esp32?time-scale=0&flash=%s", foreign_path);
  args[1] = foreign;
  run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  assert_has (run.out, "Contents: a bootloader but no partition table in the first 64 KiB");
  g_assert_null (strstr (run.err, "Error"));
  glint_test_run_clear (&run);

  run_cli (&run, blank);
  g_assert_cmpint (run.status, ==, 0);
  contents = json_object_get_object_member (info_event (parser, run.out), "contents");
  g_assert_cmpstr (json_object_get_string_member (contents, "state"), ==, "blank");
  /* SPI_ATTACH, the bootloader's first bytes and the table's: no search
   * on a blank board */
  g_assert_cmpint (json_object_get_int_member (contents, "round-trips"), ==, 3);
  glint_test_run_clear (&run);

  g_unlink (moved_path);
  g_unlink (foreign_path);
  g_rmdir (dir);
}

/* The ESP8266 ROM cannot read flash; secure download mode refuses it. */
static void
test_info_not_readable (void)
{
  const char *esp8266[] = { "--port", "sim://esp8266?time-scale=0", "info", NULL };
  const char *sdm[] = { "--port", "sim://esp32s3?time-scale=0&secure-download=on", "info",
                        NULL };
  GlintTestRun run = { 0 };

  run_cli (&run, esp8266);
  g_assert_cmpint (run.status, ==, 0);
  assert_has (run.out, "Contents: not read: the ESP8266 ROM cannot read flash");
  glint_test_run_clear (&run);

  run_cli (&run, sdm);
  g_assert_cmpint (run.status, ==, 0);
  assert_has (run.out, "Contents: not read: secure download mode refuses flash reads");
  glint_test_run_clear (&run);
}

/* A board in another process whose flash starts as @flash_path holds and
 * is saved there when it stops. */
static GSubprocess *
spawn_board (const char  *flash_path,
             char       **address)
{
  const char *const args[] = { "--option", "time-scale=0", NULL };
  GlintTestBoardOptions options = { GLINT_TEST_LINK_TCP, flash_path, args, NULL };

  return glint_test_board_start (&options, address);
}

static guint8 *
stop_board (GSubprocess *server,
            const char  *flash_path)
{
  g_autoptr(GBytes) saved = glint_test_board_stop (server, flash_path);
  guint8 *flash = g_malloc (FLASH_SIZE);

  g_assert_cmpuint (g_bytes_get_size (saved), <=, FLASH_SIZE);
  memset (flash, 0xFF, FLASH_SIZE);   /* trailing erased bytes are not saved */
  memcpy (flash, g_bytes_get_data (saved, NULL), g_bytes_get_size (saved));
  return flash;
}

static void
test_partition_by_name (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-contents-XXXXXX", &error);
  g_autofree guint8 *flash = full_build (0);
  g_autofree char *path = write_flash (dir, "flash.bin", flash);
  g_autofree char *nvs_path = g_build_filename (dir, "nvs.bin", NULL);
  g_autofree char *address = NULL;
  g_autofree char *nvs = NULL;
  g_autofree guint8 *after = NULL;
  g_autoptr(GSubprocess) server = spawn_board (path, &address);
  const char *read_args[] = { "--port", address, "read", "--partition", "nvs", nvs_path, NULL };
  const char *erase_args[] = { "--port", address, "erase", "--partition", "otadata", NULL };
  const char *unknown[] = { "--port", address, "erase", "--partition", "wifi", NULL };
  const char *usage[] = { "--port", address, "read", "--partition", "nvs", NULL };
  gsize len = 0;
  GlintTestRun run = { 0 };

  run_cli (&run, read_args);
  g_assert_cmpint (run.status, ==, 0);
  assert_has (run.out, "Done: read partition nvs (0x4000 bytes at 0x9000)");
  glint_test_run_clear (&run);
  g_file_get_contents (nvs_path, &nvs, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (nvs, len, flash + 0x9000, 0x4000);

  run_cli (&run, erase_args);
  g_assert_cmpint (run.status, ==, 0);
  assert_has (run.out, "Erasing partition otadata (0x2000 bytes at 0xd000) loses which OTA "
                       "update starts: factory starts next.");
  assert_has (run.out, "Done: erased partition otadata (0x2000 bytes at 0xd000).");
  glint_test_run_clear (&run);

  /* no such partition: the board's are named; bad usage is refused first */
  run_cli (&run, unknown);
  g_assert_cmpint (run.status, ==, 1);
  assert_has (run.err, "the board has no partition “wifi”; its partitions are nvs, otadata, "
                       "phy_init, factory, ota_0, ota_1");
  glint_test_run_clear (&run);
  run_cli (&run, usage);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_null (strstr (run.out, "Connecting"));
  glint_test_run_clear (&run);

  after = stop_board (server, path);
  for (guint i = 0xD000; i < 0xF000; i++)
    g_assert_cmphex (after[i], ==, 0xFF);
  g_assert_cmpmem (after, 0xD000, flash, 0xD000);
  g_assert_cmpmem (after + 0xF000, FLASH_SIZE - 0xF000, flash + 0xF000, FLASH_SIZE - 0xF000);

  g_unlink (nvs_path);
  g_unlink (path);
  g_rmdir (dir);
}

static char *
write_bytes (const char *dir,
             const char *name,
             GBytes     *bytes)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  return path;
}

static guint
count (const char *text,
       const char *part)
{
  guint n = 0;

  for (const char *p = strstr (text, part); p != NULL; p = strstr (p + 1, part))
    n++;
  return n;
}

/* A lone app onto a blank board ends on a board that does not start:
 * warned before writing, refused with --refuse-unbootable. */
static void
test_boot_check_blank (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-contents-XXXXXX", &error);
  g_autoptr(GBytes) app = app_image ("blink", "1.0");
  g_autofree char *app_path = write_bytes (dir, "app.bin", app);
  g_autofree guint8 *blank = g_malloc (FLASH_SIZE);
  g_autofree char *flash_path = NULL;
  g_autofree char *address = NULL;
  g_autofree guint8 *after = NULL;
  g_autoptr(GSubprocess) server = NULL;
  const char *warn[] = { "--port", "sim://esp32?time-scale=0", "flash", app_path, NULL };
  const char *json[] = { "--json", "--port", "sim://esp32?time-scale=0", "flash", app_path,
                         NULL };
  const char *refuse[] = { "--refuse-unbootable", "--port", NULL, "flash", app_path, NULL };
  GlintTestRun run = { 0 };

  run_cli (&run, warn);
  g_assert_cmpint (run.status, ==, 0);
  assert_has (run.err, "Warning: the board will not start this firmware: there is no "
                       "bootloader at 0x1000 and no partition table at 0x8000, neither on the "
                       "board nor in what is written; flash the whole build folder or a "
                       "merged image");
  glint_test_run_clear (&run);

  /* before writing: one stream shows the order */
  run_cli (&run, json);
  g_assert_cmpint (run.status, ==, 0);
  assert_has (run.out, "\"level\":\"warning\",\"message\":\"the board will not start");
  assert_has (run.out, "\"state\":\"writing\"");
  g_assert_true (strstr (run.out, "will not start") < strstr (run.out, "\"state\":\"writing\""));
  glint_test_run_clear (&run);

  memset (blank, 0xFF, FLASH_SIZE);
  flash_path = write_flash (dir, "flash.bin", blank);
  server = spawn_board (flash_path, &address);
  refuse[2] = address;
  run_cli (&run, refuse);
  g_assert_cmpint (run.status, ==, 1);
  assert_has (run.err, "there is no bootloader at 0x1000 and no partition table at 0x8000");
  assert_has (run.err, "refused by --refuse-unbootable; nothing was written");
  glint_test_run_clear (&run);
  after = stop_board (server, flash_path);
  for (guint i = 0x10000; i < 0x10000 + g_bytes_get_size (app); i++)
    g_assert_cmphex (after[i], ==, 0xFF);

  g_unlink (app_path);
  g_unlink (flash_path);
  g_rmdir (dir);
}

/* The same app onto a board that holds a build: it starts; at an offset
 * where the table has no app partition, it does not. A full build needs
 * no look at the board. */
static void
test_boot_check_board (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-contents-XXXXXX", &error);
  g_autofree guint8 *flash = full_build (0);
  g_autofree char *flash_path = write_flash (dir, "flash.bin", flash);
  g_autoptr(GBytes) app = app_image ("blink", "1.0");
  g_autoptr(GBytes) bootloader = app_image ("bootloader", "");
  g_autoptr(GArray) table = glint_partition_table_new_default (FALSE);
  g_autoptr(GBytes) table_bytes = glint_partition_table_build ((GlintPartition *) table->data,
                                                               table->len, TRUE);
  g_autofree char *app_path = write_bytes (dir, "app.bin", app);
  g_autofree char *bl_path = write_bytes (dir, "bootloader.bin", bootloader);
  g_autofree char *table_path = write_bytes (dir, "partitions.bin", table_bytes);
  g_autofree char *port = g_strdup_printf ("sim://esp32?time-scale=0&flash=%s", flash_path);
  g_autofree char *app_at = g_strdup_printf ("%s@0x10000", app_path);
  g_autofree char *app_wrong = g_strdup_printf ("%s@0x20000", app_path);
  g_autofree char *bl_at = g_strdup_printf ("%s@0x1000", bl_path);
  g_autofree char *table_at = g_strdup_printf ("%s@0x8000", table_path);
  const char *fits[] = { "--port", port, "flash", app_at, NULL };
  const char *wrong[] = { "--port", port, "flash", app_wrong, NULL };
  const char *full[] = { "--port", "sim://esp32?time-scale=0", "flash", bl_at, table_at, app_at,
                         NULL };
  g_autoptr(GBytes) erased = g_bytes_new_take (g_malloc (GLINT_PARTITION_TABLE_SIZE),
                                               GLINT_PARTITION_TABLE_SIZE);
  g_autofree char *erased_path = NULL;
  g_autofree char *erased_at = NULL;
  const char *erased_args[] = { "--port", port, "flash", bl_at, NULL, app_at, NULL };
  GlintTestRun run = { 0 };

  memset ((guint8 *) g_bytes_get_data (erased, NULL), 0xFF, GLINT_PARTITION_TABLE_SIZE);
  erased_path = write_bytes (dir, "erased.bin", erased);

  run_cli (&run, fits);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.err, "will not start"));
  glint_test_run_clear (&run);

  run_cli (&run, wrong);
  g_assert_cmpint (run.status, ==, 0);
  assert_has (run.err, "Warning: the board will not start this firmware: the partition table "
                       "has no app partition at 0x20000 (its apps: factory 0x10000, ota_0 "
                       "0x110000, ota_1 0x210000)");
  glint_test_run_clear (&run);

  run_cli (&run, full);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.err, "will not start"));
  /* one job: the plan alone shows the board will start it */
  g_assert_cmpuint (count (run.out, "chip is ESP32"), ==, 1);
  glint_test_run_clear (&run);

  /* an erased table written over the board's good one */
  erased_at = g_strdup_printf ("%s@0x8000", erased_path);
  erased_args[4] = erased_at;
  run_cli (&run, erased_args);
  g_assert_cmpint (run.status, ==, 0);
  assert_has (run.err, "Warning: the board will not start this firmware: there is no partition "
                       "table at 0x8000");
  glint_test_run_clear (&run);
  g_unlink (erased_path);

  g_unlink (app_path);
  g_unlink (bl_path);
  g_unlink (table_path);
  g_unlink (flash_path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/glint/contents/info-full-build", test_info_full_build);
  g_test_add_func ("/glint/contents/info-factory-boots", test_info_factory_boots);
  g_test_add_func ("/glint/contents/info-blank-foreign-moved", test_info_blank_foreign_moved);
  g_test_add_func ("/glint/contents/info-not-readable", test_info_not_readable);
  g_test_add_func ("/glint/contents/partition-by-name", test_partition_by_name);
  g_test_add_func ("/glint/contents/boot-check-blank", test_boot_check_blank);
  g_test_add_func ("/glint/contents/boot-check-board", test_boot_check_board);

  return g_test_run ();
}
