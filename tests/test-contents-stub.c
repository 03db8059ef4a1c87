/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "glint-board-contents.h"
#include "glint-flasher.h"
#include "glint-flasher-private.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-stream.h"
#include "glint-test-contents.h"
#include "glint-test-utils.h"

/*
 * What is on the board, read with the flasher stub (stand-ins: the
 * simulator runs none): where the ROM cannot read at all (ESP8266), and
 * where it would pay; a round trip a read once the stub runs, otadata
 * only where two app slots hold images, and the same findings as the
 * ROM's reads. The ROM's command counts per layout; the legacy stub's
 * acknowledgements; encrypted flash, not read.
 */

typedef struct
{
  GlintStream    *stream;
  GlintFlasher   *flasher;
  GAsyncResult   *result;
  GlintBoardInfo *info;
} Board;

static char *tmp_dir;

static char *
write_flash (const char   *name,
             const guint8 *flash)
{
  char *path = g_build_filename (tmp_dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const char *) flash, FLASH_SIZE, &error);
  g_assert_no_error (error);
  return path;
}

/* @use_stub: -1 the stub whatever it costs, 0 none, 1 where it pays;
 * @keep_baud: no automatic baud (the stub loads at the boot rate) */
static void
board_start_full (Board      *board,
                  const char *address,
                  gint        use_stub,
                  gboolean    keep_baud)
{
  g_autoptr(GError) error = NULL;

  memset (board, 0, sizeof *board);
  board->stream = glint_stream_new_for_address (address, &error);
  g_assert_no_error (error);
  board->flasher = glint_flasher_new (board->stream);
  glint_flasher_set_read_contents (board->flasher, TRUE);
  glint_flasher_set_use_stub (board->flasher, use_stub != 0);
  _glint_flasher_set_contents_by_stub (board->flasher, use_stub < 0);
  if (keep_baud)
    glint_flasher_set_baud (board->flasher, 0);
  glint_flasher_info_async (board->flasher, NULL, glint_test_store_result_cb, &board->result);
}

static void
board_start (Board      *board,
             const char *address,
             gint        use_stub)
{
  board_start_full (board, address, use_stub, FALSE);
}

static const GlintBoardContents *
board_finish (Board *board)
{
  g_autoptr(GError) error = NULL;

  glint_test_wait_for ((gpointer *) &board->result, 60000);
  board->info = glint_flasher_info_finish (board->flasher, board->result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (board->info->contents);
  return board->info->contents;
}

static void
board_clear (Board *board)
{
  g_clear_object (&board->result);
  g_clear_pointer (&board->info, glint_board_info_free);
  g_clear_object (&board->flasher);
  if (board->stream != NULL)
    g_io_stream_close (G_IO_STREAM (board->stream), NULL, NULL);
  g_clear_object (&board->stream);
}

static const GlintPartitionContents *
part (const GlintBoardContents *contents,
      const char               *name)
{
  const GlintPartitionContents *pc = glint_board_contents_lookup (contents, name);

  g_assert_nonnull (pc);
  return pc;
}

/* What the full build holds, whoever read it. */
static void
assert_full_build (const GlintBoardContents *contents,
                   guint32                   table_offset)
{
  g_assert_cmpint (contents->state, ==, GLINT_CONTENTS_PARTITIONS);
  g_assert_true (contents->bootloader);
  g_assert_cmphex (contents->table_offset, ==, table_offset);
  g_assert_cmpuint (contents->partitions->len, ==, 6);
  g_assert_cmpint (part (contents, "factory")->app_state, ==, GLINT_APP_FOUND);
  g_assert_cmpstr (part (contents, "factory")->desc.version, ==, "0.15.0");
  g_assert_false (part (contents, "factory")->boots);
  g_assert_cmpint (part (contents, "ota_0")->app_state, ==, GLINT_APP_FOUND);
  g_assert_cmpstr (part (contents, "ota_0")->desc.version, ==, "0.14.0");
  g_assert_true (part (contents, "ota_0")->boots);
  g_assert_cmpint (part (contents, "ota_1")->app_state, ==, GLINT_APP_BLANK);
  g_assert_true (contents->otadata_read);
}

/* The ESP8266 ROM has no flash read: the stub reads the bootloader's
 * header, the table, the three apps and otadata's two entries, a round
 * trip each; a table moved to 0xC000 costs a probe of each sector's
 * first entry up to it, and its read again. */
static void
test_esp8266 (void)
{
  g_autofree guint8 *flash = full_build (0);
  g_autofree char *path = NULL;
  g_autofree char *moved_path = NULL;
  g_autofree char *address = NULL;
  Board board;
  const GlintBoardContents *contents;

  /* its bootloader at 0 */
  memcpy (flash, flash + 0x1000, 0x1000);
  memset (flash + 0x1000, 0xFF, 0x1000);
  path = write_flash ("esp8266.bin", flash);
  address = g_strdup_printf ("sim://esp8266?time-scale=0&flash=%s", path);
  board_start (&board, address, TRUE);
  contents = board_finish (&board);
  assert_full_build (contents, GLINT_PARTITION_TABLE_OFFSET);
  g_assert_true (contents->with_stub);
  g_assert_cmpuint (contents->round_trips, ==, 7);
  board_clear (&board);

  memcpy (flash + 0xC000, flash + 0x8000, GLINT_PARTITION_TABLE_SIZE);
  memset (flash + 0x8000, 0xFF, GLINT_PARTITION_TABLE_SIZE);
  moved_path = write_flash ("esp8266-moved.bin", flash);
  g_free (address);
  address = g_strdup_printf ("sim://esp8266?time-scale=0&flash=%s", moved_path);
  board_start (&board, address, TRUE);
  contents = board_finish (&board);
  assert_full_build (contents, 0xC000);
  /* a probe of each sector from 0x1000 to the table, but 0x8000 (11) */
  g_assert_cmpuint (contents->round_trips, ==, 7 + 11 + 1);
  board_clear (&board);

  /* without the stub, it is said why */
  board_start (&board, address, FALSE);
  contents = board_finish (&board);
  g_assert_cmpint (contents->state, ==, GLINT_CONTENTS_NOT_READ);
  g_assert_nonnull (strstr (contents->why, "ESP8266 ROM cannot read flash, and the flasher "
                                           "stub that can is not there: the flasher stub was "
                                           "turned off"));
  board_clear (&board);

  g_unlink (path);
  g_unlink (moved_path);
}

/* Each way at once on three boards over one kind of link (the test
 * takes the slowest one's time): the choice, the ROM, the stub. The
 * chosen way is the one that came out faster, or within a tenth of it
 * (the two may be that close); all find the same. */
static void
compare (const char *address,
         gboolean    keep_baud,
         gboolean    stub_expected)
{
  Board chosen, rom, stub;
  const GlintBoardContents *c, *r, *s;
  gint64 faster;

  board_start_full (&chosen, address, 1, keep_baud);
  board_start_full (&rom, address, 0, keep_baud);
  board_start_full (&stub, address, -1, keep_baud);
  c = board_finish (&chosen);
  r = board_finish (&rom);
  s = board_finish (&stub);
  assert_full_build (c, GLINT_PARTITION_TABLE_OFFSET);
  assert_full_build (r, GLINT_PARTITION_TABLE_OFFSET);
  assert_full_build (s, GLINT_PARTITION_TABLE_OFFSET);
  g_test_message ("%s: chosen %s %.2f s; the ROM %.2f s in %u round trips, the stub %.2f s "
                  "in %u", address, c->with_stub ? "stub" : "ROM", c->duration_us / 1e6,
                  r->duration_us / 1e6, r->round_trips, s->duration_us / 1e6, s->round_trips);
  g_assert_false (r->with_stub);
  g_assert_true (s->with_stub);
  g_assert_cmpint (c->with_stub, ==, stub_expected);
  /* the stub's reads: the bootloader, the table, 3 apps, 2 otadata
   * entries; the ROM's: SPI_ATTACH, the bootloader, the table to its MD5
   * entry (4), 2 apps (3 each), the blank slot (1), 2 otadata entries */
  g_assert_cmpuint (s->round_trips, ==, 7);
  g_assert_cmpuint (r->round_trips, ==, 15);
  faster = MIN (r->duration_us, s->duration_us);
  g_assert_cmpint (c->duration_us, <=, faster + faster / 10);
  g_assert_cmpint (stub_expected ? s->duration_us : r->duration_us, <,
                   stub_expected ? r->duration_us : s->duration_us);
  board_clear (&chosen);
  board_clear (&rom);
  board_clear (&stub);
}

/* Over a 200 ms round trip, loading the stub (some 9 round trips with
 * the automatic baud) and its 7 reads cost more than the ROM's 15
 * commands, now that the ROM reads only what tells something; on a
 * local link at the boot rate (no automatic baud) the stub's 6 KiB cost
 * more than the ROM's reads too. No stub is loaded for either. */
static void
test_choice (void)
{
  g_autofree guint8 *flash = full_build (0);
  g_autofree char *path = write_flash ("esp32.bin", flash);
  g_autofree char *slow = g_strdup_printf ("sim://esp32?time-scale=0&latency=100&flash=%s",
                                           path);
  /* chip and wire times as they are: a local link */
  g_autofree char *fast = g_strdup_printf ("sim://esp32?flash=%s", path);

  compare (slow, FALSE, FALSE);
  compare (fast, TRUE, FALSE);
  g_unlink (path);
}

/* Layouts ------------------------------------------------------------------------- */

/* A board with ESP-IDF's bootloader and a table of nvs, otadata (with
 * OTA slots), phy_init, then the factory app at 0x10000 (@factory),
 * ota_0 at 0x110000 and ota_1 at 0x210000 (@n_ota); @images: bit 0 the
 * factory app holds an image, bit 1 + N ota_N; otadata names @ota_slot
 * (-1: erased). */
static guint8 *
layout_flash (gboolean factory,
              guint    n_ota,
              guint    images,
              gint     ota_slot)
{
  guint8 *flash = g_malloc (FLASH_SIZE);
  g_autoptr(GArray) table = g_array_new (FALSE, TRUE, sizeof (GlintPartition));
  g_autoptr(GBytes) table_bytes = NULL;
  g_autoptr(GBytes) bootloader = app_image ("bootloader", "");
  struct { const char *name; guint8 type, subtype; guint32 offset, size; gboolean on; } parts[] = {
    { "nvs", GLINT_PARTITION_TYPE_DATA, GLINT_PARTITION_DATA_NVS, 0x9000, 0x4000, TRUE },
    { "otadata", GLINT_PARTITION_TYPE_DATA, GLINT_PARTITION_DATA_OTA, 0xD000, 0x2000, n_ota > 0 },
    { "phy_init", GLINT_PARTITION_TYPE_DATA, GLINT_PARTITION_DATA_PHY, 0xF000, 0x1000, TRUE },
    { "factory", GLINT_PARTITION_TYPE_APP, GLINT_PARTITION_APP_FACTORY, 0x10000, 0x100000,
      factory },
    { "ota_0", GLINT_PARTITION_TYPE_APP, GLINT_PARTITION_APP_OTA_MIN, 0x110000, 0x100000,
      n_ota > 0 },
    { "ota_1", GLINT_PARTITION_TYPE_APP, GLINT_PARTITION_APP_OTA_MIN + 1, 0x210000, 0x100000,
      n_ota > 1 },
  };

  memset (flash, 0xFF, FLASH_SIZE);
  put (flash, 0x1000, bootloader);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      GlintPartition p = { 0 };

      if (!parts[i].on)
        continue;
      g_strlcpy (p.name, parts[i].name, sizeof p.name);
      p.type = parts[i].type;
      p.subtype = parts[i].subtype;
      p.offset = parts[i].offset;
      p.size = parts[i].size;
      g_array_append_val (table, p);
      if (p.type == GLINT_PARTITION_TYPE_APP && (images & (1u << (i - 3))) != 0)
        {
          g_autofree char *version = g_strdup_printf ("1.%u", i - 3);
          g_autoptr(GBytes) app = app_image ("wled", version);

          put (flash, p.offset, app);
        }
    }
  table_bytes = glint_partition_table_build ((GlintPartition *) table->data, table->len, TRUE);
  put (flash, GLINT_PARTITION_TABLE_OFFSET, table_bytes);
  if (n_ota > 0)
    {
      g_autoptr(GBytes) otadata = glint_otadata_build (ota_slot, n_ota);

      put (flash, 0xD000, otadata);
    }
  return flash;
}

typedef struct
{
  const char *name;
  gboolean    factory;
  guint       n_ota;
  guint       images;
  gint        ota_slot;
  const char *boots;
  guint       stub_round_trips;
  guint       rom_commands;
  gboolean    otadata_read;
  const char *after_erase;   /* what boots once otadata is erased */
} Layout;

/* Round trips once the stub runs, ROM commands (SPI_ATTACH included):
 * otadata is read only where two app slots hold images, the ROM reads
 * the table to its MD5 entry and 64 bytes of a slot without an image. */
static const Layout layouts[] = {
  /* the bootloader, the table, the app; ROM: + SPI_ATTACH, the table
   * (4 entries: 2 commands), the app (3) */
  { "single factory app", TRUE, 0, 0x1, -1, "factory", 3, 1 + 1 + 2 + 3, FALSE, NULL },
  /* the only image boots, whatever otadata says (erased: ota_0 first) */
  { "two OTA slots, one image", FALSE, 2, 0x4, -1, "ota_1", 4, 1 + 1 + 3 + 1 + 3, FALSE,
    "ota_1" },
  { "two OTA slots, both images", FALSE, 2, 0x6, 1, "ota_1", 6, 1 + 1 + 3 + 3 + 3 + 2, TRUE,
    "ota_0" },
  /* ESP-IDF's two-OTA layout as first flashed, and after one update */
  { "factory and two OTA slots, factory image", TRUE, 2, 0x1, -1, "factory", 5,
    1 + 1 + 4 + 3 + 1 + 1, FALSE, "factory" },
  { "factory and two OTA slots, factory and ota_0 images", TRUE, 2, 0x3, 0, "ota_0", 7,
    1 + 1 + 4 + 3 + 3 + 1 + 2, TRUE, "factory" },
};

static void
test_layouts (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (layouts); i++)
    {
      const Layout *l = &layouts[i];
      g_autofree guint8 *flash = layout_flash (l->factory, l->n_ota, l->images, l->ota_slot);
      g_autofree char *name = g_strdup_printf ("layout%u.bin", i);
      g_autofree char *path = write_flash (name, flash);
      g_autofree char *address = g_strdup_printf ("sim://esp32?time-scale=0&flash=%s", path);
      Board rom, stub;
      const GlintBoardContents *r, *s;

      board_start (&rom, address, 0);
      board_start (&stub, address, -1);
      r = board_finish (&rom);
      s = board_finish (&stub);
      g_test_message ("%s: the stub %u round trips, the ROM %u commands", l->name,
                      s->round_trips, r->round_trips);
      for (guint k = 0; k < 2; k++)
        {
          const GlintBoardContents *c = k == 0 ? r : s;
          const GlintPartitionContents *boots = glint_board_contents_booting (c);

          g_assert_cmpint (c->state, ==, GLINT_CONTENTS_PARTITIONS);
          g_assert_true (c->bootloader);
          g_assert_nonnull (boots);
          g_assert_cmpstr (boots->partition.name, ==, l->boots);
          g_assert_cmpint (boots->app_state, ==, GLINT_APP_FOUND);
          g_assert_cmpint (c->otadata_read, ==, l->otadata_read);
          if (l->after_erase != NULL)
            {
              g_autofree char *loss = glint_board_contents_describe_loss (
                c, glint_board_contents_lookup (c, "otadata"));
              g_autofree char *next = g_strdup_printf ("%s starts next", l->after_erase);

              g_assert_nonnull (strstr (loss, next));
            }
        }
      g_assert_false (r->with_stub);
      g_assert_true (s->with_stub);
      g_assert_cmpuint (s->round_trips, ==, l->stub_round_trips);
      g_assert_cmpuint (r->round_trips, ==, l->rom_commands);
      board_clear (&rom);
      board_clear (&stub);
      g_unlink (path);
    }
}

/* The legacy stub (esptool's 1/) takes a READ_FLASH acknowledgement sent
 * with the request as a command and waits for one forever (sim option
 * legacy-read): it gets it once the answer is in, a round trip more a
 * read. esp-flasher-stub gets it at once. */
static void
test_legacy_stub (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = g_strdup (g_getenv ("GLINT_STUB_DIR"));
  g_autofree char *dir = g_dir_make_tmp ("glint-legacy-stub-XXXXXX", &error);
  g_autofree char *v1 = g_build_filename (dir, "1", NULL);
  g_autofree char *stub_path = g_build_filename (v1, "esp32.json", NULL);
  g_autofree guint8 *flash = full_build (0);
  g_autofree char *path = write_flash ("legacy.bin", flash);
  g_autofree char *address = g_strdup_printf ("sim://esp32?time-scale=0&latency=20&"
                                              "legacy-read=on&flash=%s", path);
  Board board;
  const GlintBoardContents *contents;
  GlintSim *sim;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (v1, 0700), ==, 0);
  glint_test_write_fake_stub_sized (stub_path, 2048, 300);
  g_setenv ("GLINT_STUB_DIR", dir, TRUE);

  board_start (&board, address, -1);
  contents = board_finish (&board);
  sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (board.stream));
  assert_full_build (contents, GLINT_PARTITION_TABLE_OFFSET);
  g_assert_true (contents->with_stub);
  g_assert_cmpuint (glint_sim_get_counter (sim, GLINT_SIM_COUNTER_FRAMES_LOST), ==, 0);
  /* seven reads of two round trips (40 ms each) */
  g_assert_cmpint (contents->duration_us, >=, 7 * 2 * 40000);
  g_test_message ("the legacy stub: %u reads in %.2f s", contents->round_trips,
                  contents->duration_us / 1e6);
  board_clear (&board);

  g_setenv ("GLINT_STUB_DIR", saved, TRUE);
  g_unlink (stub_path);
  g_rmdir (v1);
  g_rmdir (dir);
  g_unlink (path);
}

/* Flash encryption on: READ_FLASH would read ciphertext; nothing is read
 * and it is said why. */
static void
test_encrypted (void)
{
  g_autofree guint8 *flash = full_build (0);
  g_autofree char *path = write_flash ("encrypted.bin", flash);
  g_autofree char *address = g_strdup_printf ("sim://esp32?time-scale=0&flash-crypt-cnt=1&"
                                              "flash=%s", path);
  Board board;
  const GlintBoardContents *contents;

  for (gint use_stub = -1; use_stub <= 0; use_stub++)
    {
      board_start (&board, address, use_stub);
      contents = board_finish (&board);
      g_assert_cmpint (contents->state, ==, GLINT_CONTENTS_NOT_READ);
      g_assert_cmpstr (contents->why, ==, "flash encryption is on: the board’s flash holds "
                                          "encrypted data that cannot be read as plain text "
                                          "here");
      g_assert_cmpuint (contents->round_trips, ==, 0);
      board_clear (&board);
    }
  g_unlink (path);
}

int
main (int argc, char **argv)
{
  g_autofree char *stub_dir = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  glint_sim_stream_register ();
  stub_dir = glint_test_fake_stub_dir ();
  if (glint_test_real_stub_dir () != NULL)
    {
      /* esptool's own, where they are installed (the simulator runs none) */
      g_setenv ("GLINT_STUB_DIR", glint_test_real_stub_dir (), TRUE);
    }
  else
    {
      /* as long as esptool 5's stubs (flasher stub 2): their wire time
       * is what the choice weighs */
      g_autofree char *esp32 = g_build_filename (stub_dir, "esp32.json", NULL);
      g_autofree char *esp8266 = g_build_filename (stub_dir, "esp8266.json", NULL);

      glint_test_write_fake_stub_sized (esp32, 6140, 212);
      glint_test_write_fake_stub_sized (esp8266, 13740, 932);
    }
  tmp_dir = g_dir_make_tmp ("glint-contents-stub-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/glint/contents/stub/esp8266", test_esp8266);
  g_test_add_func ("/glint/contents/stub/choice", test_choice);
  g_test_add_func ("/glint/contents/stub/layouts", test_layouts);
  g_test_add_func ("/glint/contents/stub/legacy-stub", test_legacy_stub);
  g_test_add_func ("/glint/contents/stub/encrypted", test_encrypted);
  status = g_test_run ();

  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  glint_test_remove_dir (stub_dir);
  return status;
}
