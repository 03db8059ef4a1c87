/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "glint-bytes.h"
#include "glint-flash-record.h"

/*
 * GlintFlashRecord: what Glint last wrote to each board, and checked.
 *
 * For every board (chip and factory MAC) the record keeps the MD5 of each
 * 4 KiB flash sector that a verified flash left there: the region's bytes
 * in that sector, the rest of the sector counted as erased (a write erases
 * whole sectors). A reflash compares its image with the record and writes
 * the sectors that differ without first asking the chip to hash its whole
 * flash; the final MD5 check of every region still decides, and where the
 * board holds something else (flashed by another tool, or another board
 * with the same record), the flasher forgets the record and looks for the
 * differences as without one. The record is a hint: it can cost time when
 * it is wrong, never correctness.
 *
 * One key file per board in the directory given (the user cache: losing
 * it only costs time); a board's file is read the first time that board is
 * asked about. Files are written without fsync(), which costs tens of
 * milliseconds a flash: a file damaged by a crash reads as an empty or
 * partial record, which is safe, as is a stale one.
 */

#define GROUP "sectors"

struct _GlintFlashRecord
{
  GObject     parent_instance;

  char       *directory;
  GHashTable *boards;   /* board id → GKeyFile */
  GHashTable *dirty;    /* board ids to write */
};

G_DEFINE_FINAL_TYPE (GlintFlashRecord, glint_flash_record, G_TYPE_OBJECT)

static void
glint_flash_record_finalize (GObject *object)
{
  GlintFlashRecord *self = GLINT_FLASH_RECORD (object);

  g_free (self->directory);
  g_hash_table_unref (self->boards);
  g_hash_table_unref (self->dirty);

  G_OBJECT_CLASS (glint_flash_record_parent_class)->finalize (object);
}

static void
glint_flash_record_class_init (GlintFlashRecordClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = glint_flash_record_finalize;
}

static void
glint_flash_record_init (GlintFlashRecord *self)
{
  self->boards = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_key_file_unref);
  self->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * glint_flash_record_new:
 * @directory: where the boards' files live (created when first written)
 *
 * Returns: (transfer full): a record
 */
GlintFlashRecord *
glint_flash_record_new (const char *directory)
{
  GlintFlashRecord *self;

  g_return_val_if_fail (directory != NULL, NULL);

  self = g_object_new (GLINT_TYPE_FLASH_RECORD, NULL);
  self->directory = g_strdup (directory);

  return self;
}

const char *
glint_flash_record_get_directory (GlintFlashRecord *self)
{
  g_return_val_if_fail (GLINT_IS_FLASH_RECORD (self), NULL);

  return self->directory;
}

/**
 * glint_flash_record_board_id:
 * @chip: the chip's canonical name
 * @mac: its factory MAC address
 *
 * Returns: (transfer full): the board's key in the record, safe as a file
 *   name: "esp32-240ac4a1b2c3"
 */
char *
glint_flash_record_board_id (const char   *chip,
                             const guint8  mac[6])
{
  GString *id;

  g_return_val_if_fail (chip != NULL && mac != NULL, NULL);

  id = g_string_new (NULL);
  for (const char *c = chip; *c != '\0'; c++)
    g_string_append_c (id, g_ascii_isalnum (*c) ? g_ascii_tolower (*c) : '_');
  g_string_append_c (id, '-');
  for (guint i = 0; i < 6; i++)
    g_string_append_printf (id, "%02x", mac[i]);

  return g_string_free (id, FALSE);
}

static char *
board_path (GlintFlashRecord *self,
            const char       *board)
{
  g_autofree char *name = g_strconcat (board, ".ini", NULL);

  return g_build_filename (self->directory, name, NULL);
}

static GKeyFile *
board_file (GlintFlashRecord *self,
            const char       *board)
{
  GKeyFile *file = g_hash_table_lookup (self->boards, board);
  g_autofree char *path = NULL;

  if (file != NULL)
    return file;

  /* A missing or damaged file is an empty record: the flash is then
   * asked, as if Glint had never seen the board. */
  file = g_key_file_new ();
  path = board_path (self, board);
  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL))
    {
      g_key_file_unref (file);
      file = g_key_file_new ();
    }
  g_hash_table_insert (self->boards, g_strdup (board), file);

  return file;
}

static char *
sector_key (guint32 address)
{
  return g_strdup_printf ("0x%08x", address);
}

static gboolean
parse_digest (const char *hex,
              guint8      out[16])
{
  if (hex == NULL || strlen (hex) != 32)
    return FALSE;

  for (guint i = 0; i < 16; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
    }

  return TRUE;
}

/**
 * glint_flash_record_sector_digests:
 * @data: a region's image, starting at a sector boundary
 * @n_sectors: (out): how many sectors it covers
 *
 * The MD5 of each 4 KiB sector as the flash holds it once @data is
 * written: its bytes in that sector, erased bytes (0xFF) after its end.
 *
 * Returns: (transfer full): @n_sectors × 16 bytes
 */
guint8 *
glint_flash_record_sector_digests (GBytes *data,
                                   guint  *n_sectors)
{
  gsize size;
  const guint8 *bytes = g_bytes_get_data (data, &size);
  guint n = (size + GLINT_SECTOR_SIZE - 1) / GLINT_SECTOR_SIZE;
  guint8 *digests = g_malloc (MAX (n, 1u) * 16);
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  guint8 erased[256];

  memset (erased, 0xFF, sizeof erased);
  for (guint i = 0; i < n; i++)
    {
      gsize at = (gsize) i * GLINT_SECTOR_SIZE;
      gsize len = MIN ((gsize) GLINT_SECTOR_SIZE, size - at);
      gsize digest_len = 16;

      g_checksum_reset (md5);
      g_checksum_update (md5, bytes + at, len);
      for (gsize pad = GLINT_SECTOR_SIZE - len; pad > 0; pad -= MIN (pad, sizeof erased))
        g_checksum_update (md5, erased, MIN (pad, sizeof erased));
      g_checksum_get_digest (md5, digests + 16 * i, &digest_len);
    }

  *n_sectors = n;
  return digests;
}

/**
 * glint_flash_record_lookup:
 * @board: from glint_flash_record_board_id()
 * @address: a sector boundary
 * @n_sectors: how many sectors from there
 *
 * Returns: (transfer full) (nullable): @n_sectors × 16 bytes, the MD5 of
 *   each sector as Glint last verified it, or %NULL unless every one of
 *   them is known
 */
guint8 *
glint_flash_record_lookup (GlintFlashRecord *self,
                           const char       *board,
                           guint32           address,
                           guint             n_sectors)
{
  GKeyFile *file;
  g_autofree guint8 *digests = NULL;

  g_return_val_if_fail (GLINT_IS_FLASH_RECORD (self), NULL);
  g_return_val_if_fail (board != NULL, NULL);

  if (n_sectors == 0 || address % GLINT_SECTOR_SIZE != 0)
    return NULL;

  file = board_file (self, board);
  digests = g_malloc (n_sectors * 16);
  for (guint i = 0; i < n_sectors; i++)
    {
      g_autofree char *key = sector_key (address + i * GLINT_SECTOR_SIZE);
      g_autofree char *hex = g_key_file_get_string (file, GROUP, key, NULL);

      if (!parse_digest (hex, digests + 16 * i))
        return NULL;
    }

  return g_steal_pointer (&digests);
}

/**
 * glint_flash_record_remember:
 * @address: where @data starts (a sector boundary)
 * @data: what the flash was just verified to hold there
 */
void
glint_flash_record_remember (GlintFlashRecord *self,
                             const char       *board,
                             guint32           address,
                             GBytes           *data)
{
  GKeyFile *file;
  g_autofree guint8 *digests = NULL;
  guint n;

  g_return_if_fail (GLINT_IS_FLASH_RECORD (self));
  g_return_if_fail (board != NULL && data != NULL);

  if (address % GLINT_SECTOR_SIZE != 0 || g_bytes_get_size (data) == 0)
    return;

  file = board_file (self, board);
  digests = glint_flash_record_sector_digests (data, &n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = sector_key (address + i * GLINT_SECTOR_SIZE);
      char hex[33];

      for (guint j = 0; j < 16; j++)
        g_snprintf (hex + 2 * j, 3, "%02x", digests[16 * i + j]);
      g_key_file_set_string (file, GROUP, key, hex);
    }
  g_hash_table_add (self->dirty, g_strdup (board));
}

/**
 * glint_flash_record_forget:
 *
 * Drops what the record knows of the sectors @address … @address +
 * @length (before they are written, so that a job that stops half way
 * leaves no claim about them).
 */
void
glint_flash_record_forget (GlintFlashRecord *self,
                           const char       *board,
                           guint32           address,
                           gsize             length)
{
  GKeyFile *file;
  guint32 first = address - address % GLINT_SECTOR_SIZE;

  g_return_if_fail (GLINT_IS_FLASH_RECORD (self));
  g_return_if_fail (board != NULL);

  file = board_file (self, board);
  for (guint64 at = first; at < (guint64) address + length; at += GLINT_SECTOR_SIZE)
    {
      g_autofree char *key = sector_key ((guint32) at);

      g_key_file_remove_key (file, GROUP, key, NULL);
    }
  g_hash_table_add (self->dirty, g_strdup (board));
}

/**
 * glint_flash_record_save:
 *
 * Writes the boards changed since the last save.
 *
 * Returns: %FALSE if a file could not be written (@error says which)
 */
gboolean
glint_flash_record_save (GlintFlashRecord  *self,
                         GError           **error)
{
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (GLINT_IS_FLASH_RECORD (self), FALSE);

  if (g_hash_table_size (self->dirty) == 0)
    return TRUE;

  if (g_mkdir_with_parents (self->directory, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot create %s: %s", self->directory, g_strerror (saved));
      return FALSE;
    }

  g_hash_table_iter_init (&iter, self->dirty);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_autofree char *path = board_path (self, key);
      GKeyFile *file = g_hash_table_lookup (self->boards, key);

      g_autofree char *tmp = g_strdup_printf ("%s.%d.tmp", path, (int) getpid ());
      g_autofree char *data = NULL;
      gsize len = 0;

      /* A new file renamed over the old one, without fsync(). (Written in
       * place, GLib 2.74 does not truncate a longer old file.) */
      data = g_key_file_to_data (file, &len, NULL);
      g_unlink (tmp);
      if (!g_file_set_contents_full (tmp, data, len, G_FILE_SET_CONTENTS_NONE, 0600, error))
        return FALSE;
      if (g_rename (tmp, path) != 0)
        {
          int saved = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       "cannot replace %s: %s", path, g_strerror (saved));
          g_unlink (tmp);
          return FALSE;
        }
      g_hash_table_iter_remove (&iter);
    }

  return TRUE;
}

/* Remembered rates ---------------------------------------------------------------- */

/*
 * The rate the automatic baud settled on, per port or URL (the stream's
 * address, URI-escaped as the key), in one key file beside the boards'
 * files: with it, the next job tries that one rate instead of climbing.
 * The window and the CLI share it. One rule: a rate at or below the boot
 * rate is not remembered (a link that did no better this time climbs again
 * next time), and a job that learnt nothing (0) changes nothing.
 */

#define RATES_FILE  "links.ini"
#define RATES_GROUP "baud"

static char *
rates_path (GlintFlashRecord *self)
{
  return g_build_filename (self->directory, RATES_FILE, NULL);
}

/**
 * glint_flash_record_lookup_baud:
 * @address: the stream's address
 *
 * Returns: the rate remembered for @address, 0 for none
 */
guint
glint_flash_record_lookup_baud (GlintFlashRecord *self,
                                const char       *address)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *path = NULL;
  g_autofree char *key = NULL;
  guint64 baud;

  g_return_val_if_fail (GLINT_IS_FLASH_RECORD (self), 0);
  g_return_val_if_fail (address != NULL, 0);

  path = rates_path (self);
  key = g_uri_escape_string (address, NULL, FALSE);
  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL))
    return 0;
  baud = g_key_file_get_uint64 (file, RATES_GROUP, key, NULL);

  return baud > GLINT_FLASH_RECORD_BOOT_BAUD && baud <= G_MAXUINT ? (guint) baud : 0;
}

/**
 * glint_flash_record_remember_baud:
 * @address: the stream's address
 * @baud: the rate a job settled on (glint_flasher_get_settled_baud())
 *
 * Keeps @baud for @address if it beats the boot rate, forgets what was
 * kept if it does not, and changes nothing for 0. Written at once.
 *
 * Returns: %FALSE if the file could not be written (@error says why)
 */
gboolean
glint_flash_record_remember_baud (GlintFlashRecord  *self,
                                  const char        *address,
                                  guint              baud,
                                  GError           **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *path = NULL;
  g_autofree char *key = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  g_return_val_if_fail (GLINT_IS_FLASH_RECORD (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  if (baud == 0)
    return TRUE;

  path = rates_path (self);
  key = g_uri_escape_string (address, NULL, FALSE);
  g_key_file_load_from_file (file, path, G_KEY_FILE_KEEP_COMMENTS, NULL);
  if (baud > GLINT_FLASH_RECORD_BOOT_BAUD)
    {
      if (g_key_file_get_uint64 (file, RATES_GROUP, key, NULL) == baud)
        return TRUE;
      g_key_file_set_uint64 (file, RATES_GROUP, key, baud);
    }
  else if (!g_key_file_remove_key (file, RATES_GROUP, key, NULL))
    return TRUE;

  if (g_mkdir_with_parents (self->directory, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot create %s: %s", self->directory, g_strerror (saved));
      return FALSE;
    }

  data = g_key_file_to_data (file, &len, NULL);

  return g_file_set_contents_full (path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                   error);
}
