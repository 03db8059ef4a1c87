/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "glint-flash-record.h"

/*
 * GlintFlashRecord on its own: the board key, the sector digests, and what
 * survives a save, a forget, a damaged file and a folder it cannot write.
 * How the flash job uses it is tested in test-flasher-fast.
 */

static const guint8 mac[6] = { 0x24, 0x0A, 0xC4, 0xA1, 0xB2, 0xC3 };

static char *
temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("glint-record-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

static GBytes *
pattern (guint seed,
         gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 31 + seed + i / 4096);

  return g_bytes_new_take (data, size);
}

static void
test_board_id (void)
{
  g_autofree char *id = glint_flash_record_board_id ("esp32", mac);
  g_autofree char *odd = glint_flash_record_board_id ("ESP32/../x", mac);

  g_assert_cmpstr (id, ==, "esp32-240ac4a1b2c3");
  /* never a path */
  g_assert_null (strchr (odd, '/'));
  g_assert_null (strstr (odd, ".."));
  g_assert_cmpstr (odd, ==, "esp32____x-240ac4a1b2c3");
}

/* A sector is counted as the flash holds it after the write: the image's
 * bytes, then erased ones. */
static void
test_sector_digests (void)
{
  g_autoptr(GBytes) data = pattern (1, 4096 + 6);
  g_autofree guint8 *digests = NULL;
  g_autofree guint8 *padded = g_malloc (4096);
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  guint8 expected[16];
  gsize len = sizeof expected;
  guint n = 0;

  digests = glint_flash_record_sector_digests (data, &n);
  g_assert_cmpuint (n, ==, 2);

  g_checksum_update (md5, g_bytes_get_data (data, NULL), 4096);
  g_checksum_get_digest (md5, expected, &len);
  g_assert_cmpmem (digests, 16, expected, 16);

  memset (padded, 0xFF, 4096);
  memcpy (padded, (const guint8 *) g_bytes_get_data (data, NULL) + 4096, 6);
  g_checksum_reset (md5);
  g_checksum_update (md5, padded, 4096);
  len = sizeof expected;
  g_checksum_get_digest (md5, expected, &len);
  g_assert_cmpmem (digests + 16, 16, expected, 16);
}

static void
test_remember_and_reload (void)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *board = glint_flash_record_board_id ("esp32", mac);
  g_autoptr(GBytes) data = pattern (2, 5 * 4096);
  g_autoptr(GlintFlashRecord) record = glint_flash_record_new (dir);
  g_autoptr(GlintFlashRecord) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *ours = NULL;
  g_autofree guint8 *theirs = NULL;
  g_autofree guint8 *middle = NULL;
  g_autofree char *path = NULL;
  guint n;

  /* nothing known yet */
  g_assert_null (glint_flash_record_lookup (record, board, 0x10000, 5));

  glint_flash_record_remember (record, board, 0x10000, data);
  g_assert_true (glint_flash_record_save (record, &error));
  g_assert_no_error (error);
  path = g_strdup_printf ("%s/%s.ini", dir, board);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  /* a fresh record reads the file */
  again = glint_flash_record_new (dir);
  ours = glint_flash_record_sector_digests (data, &n);
  theirs = glint_flash_record_lookup (again, board, 0x10000, n);
  g_assert_nonnull (theirs);
  g_assert_cmpmem (theirs, 16 * n, ours, 16 * n);

  /* one sector more than known, an unaligned address, another board */
  g_assert_null (glint_flash_record_lookup (again, board, 0x10000, n + 1));
  g_assert_null (glint_flash_record_lookup (again, board, 0x10004, 1));
  {
    guint8 other_mac[6] = { 0x24, 0x0A, 0xC4, 0, 0, 1 };
    g_autofree char *other = glint_flash_record_board_id ("esp32", other_mac);

    g_assert_null (glint_flash_record_lookup (again, other, 0x10000, 1));
  }

  /* forgetting the middle sector leaves the others */
  glint_flash_record_forget (again, board, 0x12000, 100);
  g_assert_null (glint_flash_record_lookup (again, board, 0x10000, n));
  middle = glint_flash_record_lookup (again, board, 0x13000, 2);
  g_assert_nonnull (middle);
  g_assert_cmpmem (middle, 32, ours + 3 * 16, 32);
  g_assert_true (glint_flash_record_save (again, &error));

  {
    g_autoptr(GlintFlashRecord) third = glint_flash_record_new (dir);
    g_autofree guint8 *first_two = glint_flash_record_lookup (third, board, 0x10000, 2);

    g_assert_nonnull (first_two);
    g_assert_null (glint_flash_record_lookup (third, board, 0x12000, 1));
  }

  remove_tree (dir);
}

/* A damaged file is an empty record, and the next save replaces it. */
static void
test_damaged_file (void)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *board = glint_flash_record_board_id ("esp32s3", mac);
  g_autofree char *path = g_strdup_printf ("%s/%s.ini", dir, board);
  g_autoptr(GBytes) data = pattern (3, 4096);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *found = NULL;

  g_assert_true (g_file_set_contents (path, "[sectors]\n0x00000000=nothex\n\x01\x02[", -1,
                                      NULL));
  {
    g_autoptr(GlintFlashRecord) record = glint_flash_record_new (dir);

    g_assert_null (glint_flash_record_lookup (record, board, 0, 1));
    glint_flash_record_remember (record, board, 0, data);
    g_assert_true (glint_flash_record_save (record, &error));
    g_assert_no_error (error);
  }

  {
    g_autoptr(GlintFlashRecord) record = glint_flash_record_new (dir);

    found = glint_flash_record_lookup (record, board, 0, 1);
    g_assert_nonnull (found);
  }

  /* a digest that is not 32 hex digits counts as unknown */
  g_assert_true (g_file_set_contents (path, "[sectors]\n0x00000000=0123\n", -1, NULL));
  {
    g_autoptr(GlintFlashRecord) record = glint_flash_record_new (dir);

    g_assert_null (glint_flash_record_lookup (record, board, 0, 1));
  }

  remove_tree (dir);
}

/* A folder that cannot be made: save says why, nothing crashes. */
static void
test_unwritable (void)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *blocker = g_build_filename (dir, "file", NULL);
  g_autofree char *inside = g_build_filename (blocker, "boards", NULL);
  g_autofree char *board = glint_flash_record_board_id ("esp32", mac);
  g_autoptr(GBytes) data = pattern (4, 4096);
  g_autoptr(GlintFlashRecord) record = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (blocker, "x", 1, NULL));
  record = glint_flash_record_new (inside);
  glint_flash_record_remember (record, board, 0, data);
  g_assert_false (glint_flash_record_save (record, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, inside));

  /* what it knows stays known in memory */
  {
    g_autofree guint8 *found = glint_flash_record_lookup (record, board, 0, 1);

    g_assert_nonnull (found);
  }

  remove_tree (dir);
}

/* One rule for remembered rates: above the boot rate kept, at or below
 * it forgotten (the next job climbs again), 0 (nothing learnt) no change;
 * a new record object reads what an earlier one wrote. */
static void
test_remembered_rates (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-record-XXXXXX", &error);
  g_autofree char *sub = g_build_filename (dir, "boards", NULL);
  g_autofree char *file = g_build_filename (sub, "links.ini", NULL);
  g_autoptr(GlintFlashRecord) record = glint_flash_record_new (sub);
  g_autoptr(GlintFlashRecord) again = NULL;
  const char *port = "/dev/ttyUSB0";
  const char *url = "rfc2217://192.0.2.7:4000?ign_set_control";

  g_assert_no_error (error);
  g_assert_cmpuint (glint_flash_record_lookup_baud (record, port), ==, 0);

  /* nothing to keep: no file */
  g_assert_true (glint_flash_record_remember_baud (record, port, 115200, &error));
  g_assert_true (glint_flash_record_remember_baud (record, port, 0, &error));
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));

  g_assert_true (glint_flash_record_remember_baud (record, port, 921600, &error));
  g_assert_true (glint_flash_record_remember_baud (record, url, 460800, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (file, G_FILE_TEST_EXISTS));
  again = glint_flash_record_new (sub);
  g_assert_cmpuint (glint_flash_record_lookup_baud (again, port), ==, 921600);
  g_assert_cmpuint (glint_flash_record_lookup_baud (again, url), ==, 460800);

  /* a job that learnt nothing changes nothing */
  g_assert_true (glint_flash_record_remember_baud (record, port, 0, &error));
  g_assert_cmpuint (glint_flash_record_lookup_baud (again, port), ==, 921600);
  /* the boot rate, or below: forgotten, the next job climbs */
  g_assert_true (glint_flash_record_remember_baud (record, port, 115200, &error));
  g_assert_cmpuint (glint_flash_record_lookup_baud (again, port), ==, 0);
  g_assert_true (glint_flash_record_remember_baud (record, url, 57600, &error));
  g_assert_cmpuint (glint_flash_record_lookup_baud (again, url), ==, 0);
  g_assert_no_error (error);

  g_unlink (file);
  g_rmdir (sub);
  g_rmdir (dir);
}

/* Every simulated ESP32 has the same MAC: a record or a remembered rate
 * another test program writes beside this one would be taken for this
 * board's.  So each program has a home and a cache of its own
 * (tests/meson.build), and this one checks that it got them. */
static void
test_own_home (void)
{
  const char *build = g_getenv ("G_TEST_BUILDDIR");
  g_autofree char *home = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *config = NULL;
  g_autofree char *data = NULL;
  g_autofree char *state = NULL;

  if (build == NULL)
    {
      g_test_skip ("not run by meson test (no G_TEST_BUILDDIR)");
      return;
    }
  home = g_build_filename (build, "home-flash-record", NULL);
  cache = g_build_filename (build, "cache-flash-record", NULL);
  config = g_build_filename (home, "config", NULL);
  data = g_build_filename (home, "data", NULL);
  state = g_build_filename (home, "state", NULL);
  g_assert_cmpstr (g_get_home_dir (), ==, home);
  g_assert_cmpstr (g_get_user_cache_dir (), ==, cache);
  g_assert_cmpstr (g_get_user_config_dir (), ==, config);
  g_assert_cmpstr (g_get_user_data_dir (), ==, data);
  g_assert_cmpstr (g_get_user_state_dir (), ==, state);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/glint/flash-record/board-id", test_board_id);
  g_test_add_func ("/glint/flash-record/sector-digests", test_sector_digests);
  g_test_add_func ("/glint/flash-record/remember-and-reload", test_remember_and_reload);
  g_test_add_func ("/glint/flash-record/damaged-file", test_damaged_file);
  g_test_add_func ("/glint/flash-record/unwritable", test_unwritable);
  g_test_add_func ("/glint/flash-record/remembered-rates", test_remembered_rates);
  g_test_add_func ("/glint/flash-record/own-home", test_own_home);

  return g_test_run ();
}
