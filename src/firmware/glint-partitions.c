/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <stdio.h>
#include <string.h>

#include "glint-bytes.h"
#include "glint-error.h"
#include "glint-partitions.h"

/* The formats are ESP-IDF's (protocol.md §12.4–§12.6): gen_esp32part.py's binary
 * table, esp_app_desc_t and esp_ota_select_entry_t. */

#define ENTRY_MAGIC0  0xAA
#define ENTRY_MAGIC1  0x50
#define MD5_MAGIC     0xEB
#define MD5_SIZE      16
#define MAX_ENTRIES   (GLINT_PARTITION_TABLE_SIZE / GLINT_PARTITION_ENTRY_SIZE)


/**
 * glint_partition_table_looks_like:
 * @data: bytes
 * @len: their length
 *
 * Returns: %TRUE if @data starts with a partition table entry's magic.
 */
gboolean
glint_partition_table_looks_like (const guint8 *data,
                                  gsize         len)
{
  return len >= GLINT_PARTITION_ENTRY_SIZE && data[0] == ENTRY_MAGIC0 && data[1] == ENTRY_MAGIC1;
}

/**
 * glint_partition_table_find:
 * @data: the start of flash
 * @len: its length (the first 64 KiB are searched)
 *
 * A table moved from 0x8000 (CONFIG_PARTITION_TABLE_OFFSET) starts on a
 * sector boundary after the bootloader.
 *
 * Returns: the offset of the first sector that starts with a partition
 *   table entry, or -1
 */
gssize
glint_partition_table_find (const guint8 *data,
                            gsize         len)
{
  len = MIN (len, GLINT_PARTITION_SEARCH_SIZE);
  for (gsize off = GLINT_SECTOR_SIZE; off + GLINT_PARTITION_ENTRY_SIZE <= len;
       off += GLINT_SECTOR_SIZE)
    if (glint_partition_table_looks_like (data + off, len - off))
      return (gssize) off;
  return -1;
}

static gboolean
check_md5 (const guint8 *data,
           gsize         entry_offset,
           GError      **error)
{
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  guint8 digest[MD5_SIZE];
  gsize digest_len = sizeof digest;
  const guint8 *entry = data + entry_offset;

  /* 0xEBEB, 14 bytes 0xFF, then the MD5 of every entry before it */
  if (entry[1] != MD5_MAGIC || !glint_bytes_all (entry + 2, 14, 0xFF))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("partition table entry %u is a damaged MD5 entry; write the "
                     "partition table again"), (guint) (entry_offset / GLINT_PARTITION_ENTRY_SIZE));
      return FALSE;
    }
  g_checksum_update (md5, data, entry_offset);
  g_checksum_get_digest (md5, digest, &digest_len);
  if (memcmp (digest, entry + 16, MD5_SIZE) != 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_IMAGE_CORRUPT,
                   _("the partition table’s MD5 digest does not match its entries: it is "
                     "damaged; write the partition table again"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_entry (const guint8   *p,
             guint           index,
             GlintPartition *part,
             GError        **error)
{
  guint32 align;

  memset (part, 0, sizeof *part);
  part->type = p[2];
  part->subtype = p[3];
  part->offset = glint_read_u32 (p + 4);
  part->size = glint_read_u32 (p + 8);
  /* up to the NUL: what follows it is no part of the name */
  memcpy (part->name, p + 12, strnlen ((const char *) p + 12, GLINT_PARTITION_NAME_SIZE));
  part->flags = glint_read_u32 (p + 28);

  for (guint i = 0; part->name[i] != '\0'; i++)
    if (!g_ascii_isprint (part->name[i]))
      {
        g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                     _("partition table entry %u has a name that is not text; this is "
                       "not an ESP-IDF partition table"), index);
        return FALSE;
      }
  if (part->name[0] == '\0')
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("partition table entry %u has no name; this is not an ESP-IDF "
                     "partition table"), index);
      return FALSE;
    }
  if (part->size == 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("partition “%s” is empty (size 0); fix the partition table"), part->name);
      return FALSE;
    }
  if ((guint64) part->offset + part->size > G_MAXUINT32)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("partition “%s” ends beyond 4 GiB (offset 0x%x, size 0x%x); fix the "
                     "partition table"), part->name, part->offset, part->size);
      return FALSE;
    }
  align = part->type == GLINT_PARTITION_TYPE_APP ? GLINT_PARTITION_APP_ALIGN
                                                  : GLINT_PARTITION_DATA_ALIGN;
  if (part->offset % align != 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("partition “%s” at 0x%x is not aligned to 0x%x; fix the partition "
                     "table"), part->name, part->offset, align);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_table (GArray  *table,
             GError **error)
{
  for (guint i = 0; i < table->len; i++)
    for (guint j = i + 1; j < table->len; j++)
      {
        GlintPartition *a = &g_array_index (table, GlintPartition, i);
        GlintPartition *b = &g_array_index (table, GlintPartition, j);

        if (strcmp (a->name, b->name) == 0)
          {
            g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                         _("the partition table names two partitions “%s”; fix the "
                           "partition table"), a->name);
            return FALSE;
          }
        if (a->offset < (guint64) b->offset + b->size &&
            b->offset < (guint64) a->offset + a->size)
          {
            g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                         _("partitions “%s” and “%s” overlap; fix the partition table"),
                         a->name, b->name);
            return FALSE;
          }
      }
  return TRUE;
}

/**
 * glint_partition_table_parse:
 * @data: the table (at most %GLINT_PARTITION_TABLE_SIZE bytes are read)
 * @len: its length
 * @error: return location for an error naming what is wrong
 *
 * Reads entries up to the erased end marker, checks the MD5 entry when
 * there is one, names, alignment, overlaps and duplicates.
 *
 * Returns: (transfer full) (element-type GlintPartition): the partitions
 *   in table order, or %NULL
 */
GArray *
glint_partition_table_parse (const guint8 *data,
                             gsize         len,
                             GError      **error)
{
  g_autoptr(GArray) table = g_array_new (FALSE, TRUE, sizeof (GlintPartition));
  gboolean seen_md5 = FALSE;
  guint n = MIN (len, GLINT_PARTITION_TABLE_SIZE) / GLINT_PARTITION_ENTRY_SIZE;

  if (!glint_partition_table_looks_like (data, len))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("no partition table here: a partition table starts with 0xAA 0x50; "
                     "give the partition table of the build (partition-table.bin)"));
      return NULL;
    }

  for (guint i = 0; i < n; i++)
    {
      const guint8 *p = data + (gsize) i * GLINT_PARTITION_ENTRY_SIZE;
      GlintPartition part;

      if (glint_bytes_all (p, GLINT_PARTITION_ENTRY_SIZE, 0xFF))
        {
          if (!check_table (table, error))
            return NULL;
          return g_steal_pointer (&table);
        }
      if (seen_md5)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("partition table entry %u follows the MD5 entry, which must be "
                         "last; write the partition table again"), i);
          return NULL;
        }
      if (p[0] == MD5_MAGIC)
        {
          if (!check_md5 (data, (gsize) i * GLINT_PARTITION_ENTRY_SIZE, error))
            return NULL;
          seen_md5 = TRUE;
          continue;
        }
      if (p[0] != ENTRY_MAGIC0 || p[1] != ENTRY_MAGIC1)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("partition table entry %u starts with 0x%02X 0x%02X, not a "
                         "partition’s 0xAA 0x50; write the partition table again"),
                       i, p[0], p[1]);
          return NULL;
        }
      if (!parse_entry (p, i, &part, error))
        return NULL;
      g_array_append_val (table, part);
    }

  if (len < GLINT_PARTITION_TABLE_SIZE)
    g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                 _("the partition table is cut short after %u entries (%zu bytes); give "
                   "the whole table"), table->len, len);
  else
    g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                 _("the partition table has no end within %u bytes; write the "
                   "partition table again"), GLINT_PARTITION_TABLE_SIZE);
  return NULL;
}

/**
 * glint_partition_table_build:
 * @partitions: (array length=n_partitions): the entries
 * @n_partitions: how many
 * @with_md5: append the MD5 entry, as gen_esp32part.py does by default
 *
 * The binary table, %GLINT_PARTITION_TABLE_SIZE bytes padded with 0xFF.
 * The entries are written as given, unchecked (tests build broken ones).
 *
 * Returns: (transfer full): the table
 */
GBytes *
glint_partition_table_build (const GlintPartition *partitions,
                             guint                 n_partitions,
                             gboolean              with_md5)
{
  guint8 *out = g_malloc (GLINT_PARTITION_TABLE_SIZE);
  gsize pos = 0;

  g_return_val_if_fail (n_partitions + (with_md5 ? 1 : 0) < MAX_ENTRIES, NULL);

  memset (out, 0xFF, GLINT_PARTITION_TABLE_SIZE);
  for (guint i = 0; i < n_partitions; i++, pos += GLINT_PARTITION_ENTRY_SIZE)
    {
      const GlintPartition *part = &partitions[i];
      guint8 *p = out + pos;

      p[0] = ENTRY_MAGIC0;
      p[1] = ENTRY_MAGIC1;
      p[2] = part->type;
      p[3] = part->subtype;
      glint_put_u32 (p + 4, part->offset);
      glint_put_u32 (p + 8, part->size);
      memset (p + 12, 0, GLINT_PARTITION_NAME_SIZE);
      memcpy (p + 12, part->name, strnlen (part->name, GLINT_PARTITION_NAME_SIZE));
      glint_put_u32 (p + 28, part->flags);
    }
  if (with_md5)
    {
      g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
      gsize digest_len = MD5_SIZE;

      out[pos] = MD5_MAGIC;
      out[pos + 1] = MD5_MAGIC;
      g_checksum_update (md5, out, pos);
      g_checksum_get_digest (md5, out + pos + 16, &digest_len);
    }
  return g_bytes_new_take (out, GLINT_PARTITION_TABLE_SIZE);
}

static void
add_partition (GArray     *table,
               const char *name,
               guint8      type,
               guint8      subtype,
               guint32     offset,
               guint32     size)
{
  GlintPartition part = { .type = type, .subtype = subtype, .offset = offset, .size = size };

  g_strlcpy (part.name, name, sizeof part.name);
  g_array_append_val (table, part);
}

/**
 * glint_partition_table_new_default:
 * @with_ota: ESP-IDF's "factory app, two OTA definitions" table instead of
 *   its "single factory app" one
 *
 * ESP-IDF's built-in tables (partitions_singleapp.csv,
 * partitions_two_ota.csv), for 4 MB of flash.
 *
 * Returns: (transfer full) (element-type GlintPartition): the partitions
 */
GArray *
glint_partition_table_new_default (gboolean with_ota)
{
  GArray *table = g_array_new (FALSE, TRUE, sizeof (GlintPartition));

  if (!with_ota)
    {
      add_partition (table, "nvs", GLINT_PARTITION_TYPE_DATA, GLINT_PARTITION_DATA_NVS,
                     0x9000, 0x6000);
      add_partition (table, "phy_init", GLINT_PARTITION_TYPE_DATA, GLINT_PARTITION_DATA_PHY,
                     0xF000, 0x1000);
      add_partition (table, "factory", GLINT_PARTITION_TYPE_APP, GLINT_PARTITION_APP_FACTORY,
                     0x10000, 0x100000);
      return table;
    }
  add_partition (table, "nvs", GLINT_PARTITION_TYPE_DATA, GLINT_PARTITION_DATA_NVS,
                 0x9000, 0x4000);
  add_partition (table, "otadata", GLINT_PARTITION_TYPE_DATA, GLINT_PARTITION_DATA_OTA,
                 0xD000, 0x2000);
  add_partition (table, "phy_init", GLINT_PARTITION_TYPE_DATA, GLINT_PARTITION_DATA_PHY,
                 0xF000, 0x1000);
  add_partition (table, "factory", GLINT_PARTITION_TYPE_APP, GLINT_PARTITION_APP_FACTORY,
                 0x10000, 0x100000);
  add_partition (table, "ota_0", GLINT_PARTITION_TYPE_APP, GLINT_PARTITION_APP_OTA_MIN,
                 0x110000, 0x100000);
  add_partition (table, "ota_1", GLINT_PARTITION_TYPE_APP, GLINT_PARTITION_APP_OTA_MIN + 1,
                 0x210000, 0x100000);
  return table;
}

/**
 * glint_partition_table_lookup:
 * @table: (element-type GlintPartition): a parsed table
 * @name: a partition's name
 *
 * Returns: (nullable): the partition named @name
 */
const GlintPartition *
glint_partition_table_lookup (GArray     *table,
                              const char *name)
{
  for (guint i = 0; i < table->len; i++)
    if (strcmp (g_array_index (table, GlintPartition, i).name, name) == 0)
      return &g_array_index (table, GlintPartition, i);
  return NULL;
}

/**
 * glint_partition_table_at:
 * @table: (element-type GlintPartition): a parsed table
 * @offset: a flash offset
 *
 * Returns: (nullable): the partition that starts at @offset
 */
const GlintPartition *
glint_partition_table_at (GArray  *table,
                          guint32  offset)
{
  for (guint i = 0; i < table->len; i++)
    if (g_array_index (table, GlintPartition, i).offset == offset)
      return &g_array_index (table, GlintPartition, i);
  return NULL;
}

/**
 * glint_partition_is_app:
 * @partition: a partition
 *
 * Returns: %TRUE for an app partition (factory, ota_N, test)
 */
gboolean
glint_partition_is_app (const GlintPartition *partition)
{
  return partition->type == GLINT_PARTITION_TYPE_APP;
}

/**
 * glint_partition_table_n_ota_slots:
 * @table: (element-type GlintPartition): a parsed table
 *
 * The bootloader counts the ota_N partitions and maps a sequence number
 * to the slot (seq − 1) mod that count.
 *
 * Returns: the number of ota_N app partitions
 */
guint
glint_partition_table_n_ota_slots (GArray *table)
{
  guint n = 0;

  for (guint i = 0; i < table->len; i++)
    {
      GlintPartition *p = &g_array_index (table, GlintPartition, i);

      if (p->type == GLINT_PARTITION_TYPE_APP && p->subtype >= GLINT_PARTITION_APP_OTA_MIN &&
          p->subtype <= GLINT_PARTITION_APP_OTA_MAX)
        n++;
    }
  return n;
}

/**
 * glint_partition_table_otadata:
 * @table: (element-type GlintPartition): a parsed table
 *
 * Returns: (nullable): the otadata partition (data/ota)
 */
const GlintPartition *
glint_partition_table_otadata (GArray *table)
{
  for (guint i = 0; i < table->len; i++)
    {
      GlintPartition *p = &g_array_index (table, GlintPartition, i);

      if (p->type == GLINT_PARTITION_TYPE_DATA && p->subtype == GLINT_PARTITION_DATA_OTA)
        return p;
    }
  return NULL;
}

static const char *
data_subtype_name (guint8 subtype)
{
  switch (subtype)
    {
    case GLINT_PARTITION_DATA_OTA: return "ota";
    case GLINT_PARTITION_DATA_PHY: return "phy";
    case GLINT_PARTITION_DATA_NVS: return "nvs";
    case GLINT_PARTITION_DATA_COREDUMP: return "coredump";
    case GLINT_PARTITION_DATA_NVS_KEYS: return "nvs_keys";
    case GLINT_PARTITION_DATA_EFUSE: return "efuse";
    case GLINT_PARTITION_DATA_UNDEFINED: return "undefined";
    case GLINT_PARTITION_DATA_ESPHTTPD: return "esphttpd";
    case GLINT_PARTITION_DATA_FAT: return "fat";
    case GLINT_PARTITION_DATA_SPIFFS: return "spiffs";
    case GLINT_PARTITION_DATA_LITTLEFS: return "littlefs";
    default: return NULL;
    }
}

/**
 * glint_partition_describe_type:
 * @partition: a partition
 *
 * Returns: (transfer full): type and subtype as partition CSVs write
 *   them: "app/factory", "app/ota_1", "data/nvs", "0x40/0x01"
 */
char *
glint_partition_describe_type (const GlintPartition *partition)
{
  guint8 sub = partition->subtype;

  switch (partition->type)
    {
    case GLINT_PARTITION_TYPE_APP:
      if (sub == GLINT_PARTITION_APP_FACTORY)
        return g_strdup ("app/factory");
      if (sub >= GLINT_PARTITION_APP_OTA_MIN && sub <= GLINT_PARTITION_APP_OTA_MAX)
        return g_strdup_printf ("app/ota_%u", sub - GLINT_PARTITION_APP_OTA_MIN);
      if (sub == GLINT_PARTITION_APP_TEST)
        return g_strdup ("app/test");
      return g_strdup_printf ("app/0x%02x", sub);
    case GLINT_PARTITION_TYPE_DATA:
      if (data_subtype_name (sub) != NULL)
        return g_strdup_printf ("data/%s", data_subtype_name (sub));
      return g_strdup_printf ("data/0x%02x", sub);
    case GLINT_PARTITION_TYPE_BOOTLOADER:
      return g_strdup_printf ("bootloader/0x%02x", sub);
    case GLINT_PARTITION_TYPE_TABLE:
      return g_strdup_printf ("partition_table/0x%02x", sub);
    default:
      return g_strdup_printf ("0x%02x/0x%02x", partition->type, sub);
    }
}

/* A fixed-size string field: text up to the first NUL (or the field's
 * end), printable ASCII or UTF-8. */
static gboolean
read_field (const guint8 *p,
            gsize         size,
            char         *out,
            const char   *what,
            GError      **error)
{
  gsize n = strnlen ((const char *) p, size);

  memcpy (out, p, n);
  out[n] = '\0';
  if (!g_utf8_validate (out, n, NULL))
    goto bad;
  for (gsize i = 0; i < n; i++)
    if ((guint8) out[i] < 0x20 || out[i] == 0x7F)
      goto bad;
  return TRUE;

bad:
  g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
               _("the app description’s field %s is not text; the app is damaged or "
                 "not built with ESP-IDF"), what);
  return FALSE;
}

/**
 * glint_app_desc_parse:
 * @data: the description (esp_app_desc_t)
 * @len: its length (at least %GLINT_APP_DESC_SIZE)
 * @desc: (out): where to put it
 * @error: return location for an error naming what is wrong
 *
 * Returns: %TRUE if @data holds an app description
 */
gboolean
glint_app_desc_parse (const guint8 *data,
                      gsize         len,
                      GlintAppDesc *desc,
                      GError      **error)
{
  memset (desc, 0, sizeof *desc);
  if (len < GLINT_APP_DESC_SIZE)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("the app description is cut short (%zu of %u bytes)"),
                   len, GLINT_APP_DESC_SIZE);
      return FALSE;
    }
  if (glint_read_u32 (data) != GLINT_APP_DESC_MAGIC)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("no app description: the magic is 0x%08X, not 0x%08X; the app "
                     "was not built with ESP-IDF 3.3 or later"),
                   glint_read_u32 (data), GLINT_APP_DESC_MAGIC);
      return FALSE;
    }
  desc->secure_version = glint_read_u32 (data + 4);
  if (!read_field (data + 16, 32, desc->version, "version", error) ||
      !read_field (data + 48, 32, desc->project_name, "project_name", error) ||
      !read_field (data + 80, 16, desc->time, "time", error) ||
      !read_field (data + 96, 16, desc->date, "date", error) ||
      !read_field (data + 112, 32, desc->idf_ver, "idf_ver", error))
    return FALSE;
  memcpy (desc->elf_sha256, data + 144, sizeof desc->elf_sha256);
  return TRUE;
}

/**
 * glint_app_desc_parse_image:
 * @image: the start of an app image
 * @len: its length (at least 0x120 bytes)
 * @desc: (out): where to put the description
 * @error: return location for an error naming what is wrong
 *
 * The description is the first thing in the app's first segment (DROM):
 * after the 24-byte image header and the 8-byte segment header.
 *
 * Returns: %TRUE if the image holds an app description
 */
gboolean
glint_app_desc_parse_image (const guint8 *image,
                            gsize         len,
                            GlintAppDesc *desc,
                            GError      **error)
{
  if (len < 1 || image[0] != 0xE9)
    {
      memset (desc, 0, sizeof *desc);
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("no app here: an app image starts with 0xE9"));
      return FALSE;
    }
  if (len < GLINT_APP_DESC_IMAGE_OFFSET)
    {
      memset (desc, 0, sizeof *desc);
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("the app image is cut short (%zu bytes) before its app description"),
                   len);
      return FALSE;
    }
  return glint_app_desc_parse (image + GLINT_APP_DESC_IMAGE_OFFSET,
                               len - GLINT_APP_DESC_IMAGE_OFFSET, desc, error);
}

/* ESP-IDF cuts a field to leave a NUL; @out is zeroed. The cut falls
 * between characters, so that what is written stays text. */
static void
put_field (guint8     *out,
           gsize       size,
           const char *text)
{
  gsize n = MIN (strlen (text), size - 1);

  while (n > 0 && !g_utf8_validate (text, n, NULL))
    n--;
  memcpy (out, text, n);
}

/**
 * glint_app_desc_build:
 * @desc: the description
 * @out: (out caller-allocates): %GLINT_APP_DESC_SIZE bytes
 *
 * Writes esp_app_desc_t as ESP-IDF does: strings NUL-padded (cut to leave
 * a NUL), reserved words zero.
 */
void
glint_app_desc_build (const GlintAppDesc *desc,
                      guint8              out[GLINT_APP_DESC_SIZE])
{
  memset (out, 0, GLINT_APP_DESC_SIZE);
  glint_put_u32 (out, GLINT_APP_DESC_MAGIC);
  glint_put_u32 (out + 4, desc->secure_version);
  put_field (out + 16, 32, desc->version);
  put_field (out + 48, 32, desc->project_name);
  put_field (out + 80, 16, desc->time);
  put_field (out + 96, 16, desc->date);
  put_field (out + 112, 32, desc->idf_ver);
  memcpy (out + 144, desc->elf_sha256, sizeof desc->elf_sha256);
}

/**
 * glint_app_desc_iso_date:
 * @desc: a description
 *
 * Returns: (transfer full): the build date as "2025-01-20", or the date
 *   as stored when it is not `__DATE__`'s "Jan 20 2025"
 */
char *
glint_app_desc_iso_date (const GlintAppDesc *desc)
{
  static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  char mon[4] = { 0 };
  guint day = 0, year = 0;
  const char *m;

  if (sscanf (desc->date, "%3s %u %u", mon, &day, &year) == 3 && strlen (mon) == 3 &&
      (m = strstr (months, mon)) != NULL && (m - months) % 3 == 0 &&
      day >= 1 && day <= 31 && year >= 1970 && year <= 9999)
    return g_strdup_printf ("%04u-%02u-%02u", year, (guint) ((m - months) / 3 + 1), day);
  return g_strdup (desc->date);
}

/**
 * glint_app_desc_name:
 * @desc: a description
 *
 * Returns: (transfer full): "wled 0.15.0": project and version
 */
char *
glint_app_desc_name (const GlintAppDesc *desc)
{
  if (desc->project_name[0] == '\0')
    return g_strdup (desc->version[0] != '\0' ? desc->version : _("unnamed app"));
  if (desc->version[0] == '\0')
    return g_strdup (desc->project_name);
  return g_strdup_printf ("%s %s", desc->project_name, desc->version);
}

/**
 * glint_app_desc_describe:
 * @desc: a description
 *
 * Returns: (transfer full): "wled 0.15.0 (ESP-IDF v4.4.7, 2025-01-20)"
 */
char *
glint_app_desc_describe (const GlintAppDesc *desc)
{
  g_autofree char *name = glint_app_desc_name (desc);
  g_autofree char *date = glint_app_desc_iso_date (desc);

  if (desc->idf_ver[0] != '\0' && date[0] != '\0')
    return g_strdup_printf ("%s (ESP-IDF %s, %s)", name, desc->idf_ver, date);
  if (desc->idf_ver[0] != '\0')
    return g_strdup_printf ("%s (ESP-IDF %s)", name, desc->idf_ver);
  if (date[0] != '\0')
    return g_strdup_printf ("%s (%s)", name, date);
  return g_steal_pointer (&name);
}

/**
 * glint_otadata_crc:
 * @seq: a sequence number
 *
 * The bootloader's check of an entry: CRC-32 (IEEE, reflected) of the
 * four little-endian bytes of @seq, started from 0xFFFFFFFF as
 * esp_rom_crc32_le (UINT32_MAX, …) does — zlib's crc32 with that seed.
 *
 * Returns: the CRC
 */
guint32
glint_otadata_crc (guint32 seq)
{
  guint32 crc = 0;   /* ~0xFFFFFFFF */
  guint8 bytes[4];

  glint_put_u32 (bytes, seq);
  for (guint i = 0; i < 4; i++)
    {
      crc ^= bytes[i];
      for (guint bit = 0; bit < 8; bit++)
        crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
  return ~crc;
}

/**
 * glint_otadata_parse_entry:
 * @data: %GLINT_OTADATA_ENTRY_SIZE bytes: the start of one otadata sector
 * @entry: (out): the entry
 *
 * esp_ota_select_entry_t: seq, a 20-byte label, state, CRC.
 */
void
glint_otadata_parse_entry (const guint8  *data,
                           GlintOtaEntry *entry)
{
  entry->seq = glint_read_u32 (data);
  entry->state = glint_read_u32 (data + 24);
  entry->crc = glint_read_u32 (data + 28);
  entry->valid = entry->seq != 0xFFFFFFFF && entry->crc == glint_otadata_crc (entry->seq) &&
                 entry->state != GLINT_OTA_STATE_INVALID &&
                 entry->state != GLINT_OTA_STATE_ABORTED;
}

/**
 * glint_otadata_boot_slot:
 * @entries: the entries of both sectors
 * @n_ota_slots: the number of ota_N partitions
 *
 * Returns: the ota_N the bootloader starts, (highest valid seq − 1) mod
 *   @n_ota_slots; -1 when no entry is valid (the factory app starts)
 */
gint
glint_otadata_boot_slot (const GlintOtaEntry entries[2],
                         guint               n_ota_slots)
{
  const GlintOtaEntry *best = NULL;

  if (n_ota_slots == 0)
    return -1;
  for (guint i = 0; i < 2; i++)
    if (entries[i].valid && (best == NULL || entries[i].seq > best->seq))
      best = &entries[i];
  if (best == NULL || best->seq == 0)
    return -1;
  return (gint) ((best->seq - 1) % n_ota_slots);
}

/**
 * glint_otadata_build:
 * @slot: the ota_N to boot, or -1 for the factory app (erased otadata)
 * @n_ota_slots: the number of ota_N partitions (ignored for -1)
 *
 * Returns: (transfer full): %GLINT_OTADATA_SIZE bytes: an entry with seq
 *   @slot + 1 and state VALID in the first sector, the second erased
 */
GBytes *
glint_otadata_build (gint slot,
                     guint n_ota_slots)
{
  guint8 *out = g_malloc (GLINT_OTADATA_SIZE);

  memset (out, 0xFF, GLINT_OTADATA_SIZE);
  if (slot >= 0)
    {
      guint32 seq = (guint32) slot + 1;

      g_return_val_if_fail ((guint) slot < n_ota_slots, g_bytes_new_take (out, GLINT_OTADATA_SIZE));
      glint_put_u32 (out, seq);
      memset (out + 4, 0, 20);
      glint_put_u32 (out + 24, GLINT_OTA_STATE_VALID);
      glint_put_u32 (out + 28, glint_otadata_crc (seq));
    }
  return g_bytes_new_take (out, GLINT_OTADATA_SIZE);
}

/* The app partition at one of the bootloader's indices: -1 the factory
 * app, 0… the ota_N slots it can reach (ota_N with N below their count). */
static gint
partition_at_index (GArray *table,
                    gint    index,
                    guint   n_slots)
{
  for (guint i = 0; i < table->len; i++)
    {
      GlintPartition *p = &g_array_index (table, GlintPartition, i);

      if (p->type != GLINT_PARTITION_TYPE_APP)
        continue;
      if (index < 0 && p->subtype == GLINT_PARTITION_APP_FACTORY)
        return (gint) i;
      if (index >= 0 && (guint) index < n_slots &&
          p->subtype == GLINT_PARTITION_APP_OTA_MIN + index)
        return (gint) i;
    }
  return -1;
}

static gboolean
holds (const gboolean *holds_image,
       gint            i)
{
  return i >= 0 && (holds_image == NULL || holds_image[i]);
}

/**
 * glint_partition_table_boots:
 * @table: (element-type GlintPartition): a parsed table
 * @entries: (nullable) (array fixed-size=2): the otadata entries, %NULL
 *   when there is no otadata or it was not read
 * @holds_image: (nullable) (array): for each entry of @table, whether it
 *   holds an app image; %NULL: every app partition does
 *
 * The bootloader's choice (protocol.md §12.6): it starts from the OTA
 * slot otadata names (without a valid entry: the factory app), tries it
 * and the slots below it down to the factory app, then the slots above,
 * then the test app, and boots the first that holds an image.
 *
 * Returns: (nullable): the app partition that boots; %NULL when none
 *   holds an image
 */
const GlintPartition *
glint_partition_table_boots (GArray              *table,
                             const GlintOtaEntry *entries,
                             const gboolean      *holds_image)
{
  guint n_slots = glint_partition_table_n_ota_slots (table);
  gint start = entries != NULL ? glint_otadata_boot_slot (entries, n_slots) : -1;

  for (gint index = start; index >= -1; index--)
    {
      gint i = partition_at_index (table, index, n_slots);

      if (holds (holds_image, i))
        return &g_array_index (table, GlintPartition, i);
    }
  for (gint index = start + 1; index < (gint) n_slots; index++)
    {
      gint i = partition_at_index (table, index, n_slots);

      if (holds (holds_image, i))
        return &g_array_index (table, GlintPartition, i);
    }
  for (guint i = 0; i < table->len; i++)
    {
      GlintPartition *p = &g_array_index (table, GlintPartition, i);

      if (p->type == GLINT_PARTITION_TYPE_APP && p->subtype == GLINT_PARTITION_APP_TEST &&
          holds (holds_image, (gint) i))
        return p;
    }
  return NULL;
}

/**
 * glint_partition_table_otadata_decides:
 * @table: (element-type GlintPartition): a parsed table
 * @holds_image: (nullable) (array): as for glint_partition_table_boots ()
 *
 * Whether otadata can change which app boots: only when two or more of
 * the factory app and the ota_N slots hold an image. With one, the
 * bootloader falls back to it from whatever otadata names; the test app
 * comes after all of them.
 *
 * Returns: %TRUE if otadata must be read to tell which app boots
 */
gboolean
glint_partition_table_otadata_decides (GArray         *table,
                                       const gboolean *holds_image)
{
  guint n_slots = glint_partition_table_n_ota_slots (table);
  guint n = 0;

  if (n_slots == 0)
    return FALSE;
  for (gint index = -1; index < (gint) n_slots; index++)
    if (holds (holds_image, partition_at_index (table, index, n_slots)))
      n++;
  return n >= 2;
}

/**
 * glint_partition_table_booting:
 * @table: (element-type GlintPartition): a parsed table
 * @entries: (nullable) (array fixed-size=2): the otadata entries, %NULL
 *   when there is no otadata or it could not be read
 *
 * The bootloader's choice when every app partition holds an image:
 * glint_partition_table_boots () without what the partitions hold.
 *
 * Returns: (nullable): the app partition that boots
 */
const GlintPartition *
glint_partition_table_booting (GArray              *table,
                               const GlintOtaEntry *entries)
{
  return glint_partition_table_boots (table, entries, NULL);
}
