/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "glint-bytes.h"
#include "glint-error.h"
#include "glint-formats.h"
#include "glint-image.h"

/* Flash is erased in sectors of this size: bytes a file leaves out
 * inside a sector it writes are erased anyway. */

#define UF2_MAGIC_START0      0x0A324655
#define UF2_MAGIC_START1      0x9E5D5157
#define UF2_MAGIC_END         0x0AB16F30
#define UF2_FLAG_NOT_MAIN     0x00000001
#define UF2_FLAG_CONTAINER    0x00001000
#define UF2_FLAG_FAMILY       0x00002000
#define UF2_FLAG_MD5          0x00004000
#define UF2_HEADER_SIZE       32
#define UF2_DATA_SIZE         476
#define UF2_MD5_PART_SIZE     24

static gboolean
is_hex_start (const guint8 *p,
              gsize         len)
{
  gsize i = 0;
  gsize digits = 0;

  /* a byte-order mark or blank lines may come first */
  if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
    i = 3;
  while (i < len && g_ascii_isspace (p[i]))
    i++;
  if (i >= len || p[i] != ':')
    return FALSE;
  for (i++; i < len && g_ascii_isxdigit (p[i]); i++)
    digits++;
  /* the shortest record: count, address, type, checksum */
  return digits >= 10 && (i == len || p[i] == '\r' || p[i] == '\n');
}


/**
 * glint_format_detect:
 * @data: file contents
 *
 * Tells what a file holds by its content, never by its name.
 *
 * Returns: the format; %GLINT_FORMAT_UNKNOWN for anything else
 */
GlintFormat
glint_format_detect (GBytes *data)
{
  const guint8 *p;
  gsize len;

  g_return_val_if_fail (data != NULL, GLINT_FORMAT_UNKNOWN);

  p = g_bytes_get_data (data, &len);
  if (len >= 4 && memcmp (p, "\x7F" "ELF", 4) == 0)
    return GLINT_FORMAT_ELF;
  if (len >= GLINT_UF2_BLOCK_SIZE && glint_read_u32 (p) == UF2_MAGIC_START0 &&
      glint_read_u32 (p + 4) == UF2_MAGIC_START1)
    return GLINT_FORMAT_UF2;
  if (is_hex_start (p, len))
    return GLINT_FORMAT_INTEL_HEX;
  if (glint_image_looks_like_image (data))
    return GLINT_FORMAT_IMAGE;
  if (len >= 32 && p[0] == 0xAA && p[1] == 0x50)
    return GLINT_FORMAT_PARTITION_TABLE;
  if (len > 0 && glint_bytes_all (p, len, 0xFF))
    return GLINT_FORMAT_ERASED;
  return GLINT_FORMAT_UNKNOWN;
}

/**
 * glint_format_describe_unknown:
 * @data: file contents glint_format_detect() did not recognise
 *
 * Returns: (transfer full): what the bytes look like, to complete "it
 *   looks like …" ("text", "a ZIP archive: unpack it first")
 */
char *
glint_format_describe_unknown (GBytes *data)
{
  const guint8 *p;
  gsize len;
  gsize probe;
  gsize i = 0;
  const char *valid_end = NULL;

  g_return_val_if_fail (data != NULL, NULL);

  p = g_bytes_get_data (data, &len);
  if (len >= 4 && memcmp (p, "PK\x03\x04", 4) == 0)
    return g_strdup (_("a ZIP archive: unpack it and pick the firmware inside"));
  if (len >= 2 && p[0] == 0x1F && p[1] == 0x8B)
    return g_strdup (_("a gzip archive: unpack it and pick the firmware inside"));
  if (len > 0 && glint_bytes_all (p, len, 0x00))
    return g_strdup (_("nothing but zero bytes"));

  /* UTF-8 without NULs, but for a character cut off at the end */
  probe = MIN (len, 4096);
  if (probe > 0 && memchr (p, 0, probe) == NULL &&
      (g_utf8_validate ((const char *) p, probe, &valid_end) ||
       (probe < len && (const guint8 *) valid_end + 4 > p + probe)))
    {
      while (i < probe && g_ascii_isspace (p[i]))
        i++;
      if (i < probe && p[i] == '<')
        return g_strdup (_("an HTML or XML page (a download link may have given a web page "
                           "instead of the file)"));
      if (i < probe && (p[i] == '{' || p[i] == '['))
        return g_strdup (_("JSON that is neither a manifest.json nor a flasher_args.json"));
      if (i < probe && p[i] == ':')
        return g_strdup (_("broken Intel HEX (its first record is malformed)"));
      return g_strdup (_("text, not firmware"));
    }

  if (len >= 4)
    return g_strdup_printf (_("binary data in no format Glint knows (it starts with "
                              "%02x %02x %02x %02x)"), p[0], p[1], p[2], p[3]);
  return g_strdup (_("binary data in no format Glint knows"));
}

static void
format_region_clear (gpointer data)
{
  GlintFormatRegion *region = data;

  g_clear_pointer (&region->data, g_bytes_unref);
}

/**
 * glint_format_regions_new:
 *
 * Returns: (transfer full) (element-type GlintFormatRegion): an empty array
 *   that frees the regions' bytes
 */
GArray *
glint_format_regions_new (void)
{
  GArray *regions = g_array_new (FALSE, TRUE, sizeof (GlintFormatRegion));

  g_array_set_clear_func (regions, format_region_clear);
  return regions;
}

/**
 * glint_format_regions_add:
 * @regions: from glint_format_regions_new()
 * @offset: flash offset
 * @data: bytes, copied
 * @len: their length
 *
 * Adds a region in offset order.
 */
void
glint_format_regions_add (GArray       *regions,
                          guint32       offset,
                          const guint8 *data,
                          gsize         len)
{
  GlintFormatRegion region = { offset, g_bytes_new (data, len) };
  guint i;

  for (i = 0; i < regions->len; i++)
    {
      if (g_array_index (regions, GlintFormatRegion, i).offset > offset)
        break;
    }
  g_array_insert_val (regions, i, region);
}

/* Pieces of a file (HEX records, UF2 blocks) before they become regions. */
typedef struct
{
  guint64 addr;
  gsize   pos;     /* in the bytes array */
  gsize   len;
  guint   where;   /* line or block number, for messages */
} Piece;

static gint
compare_pieces (gconstpointer a,
                gconstpointer b)
{
  const Piece *pa = a;
  const Piece *pb = b;

  if (pa->addr != pb->addr)
    return pa->addr < pb->addr ? -1 : 1;
  return pa->where < pb->where ? -1 : pa->where > pb->where;
}

/* Sorts the pieces and joins them into regions: contiguous pieces, and
 * pieces separated by a gap that stays within one flash sector (padded
 * with 0xFF, which that sector holds after its erase anyway). A region
 * starts on a sector boundary, padded likewise. Larger gaps split
 * regions, so that flash between them is left alone. */
static GArray *
pieces_to_regions (GArray        *pieces,
                   const guint8  *bytes,
                   gboolean       is_hex,
                   GError       **error)
{
  g_autoptr(GArray) regions = glint_format_regions_new ();
  g_autoptr(GByteArray) current = NULL;
  guint64 start = 0;
  guint64 end = 0;
  guint last_where = 0;

  g_array_sort (pieces, compare_pieces);

  for (guint i = 0; i < pieces->len; i++)
    {
      const Piece *piece = &g_array_index (pieces, Piece, i);

      if (piece->len == 0)
        continue;

      if (current != NULL && piece->addr < end)
        {
          if (is_hex)
            g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                         _("line %u writes to 0x%llx again, already written by line %u"),
                         piece->where, (unsigned long long) piece->addr, last_where);
          else
            g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                         _("UF2 block %u writes to 0x%llx again, already written by "
                           "block %u"),
                         piece->where, (unsigned long long) piece->addr, last_where);
          return NULL;
        }

      if (current != NULL && piece->addr > end &&
          piece->addr / GLINT_SECTOR_SIZE > (end - 1) / GLINT_SECTOR_SIZE)
        {
          glint_format_regions_add (regions, (guint32) start, current->data, current->len);
          g_clear_pointer (&current, g_byte_array_unref);
        }

      if (current == NULL)
        {
          start = piece->addr - piece->addr % GLINT_SECTOR_SIZE;
          end = start;
          current = g_byte_array_new ();
        }

      while (end < piece->addr)
        {
          static const guint8 ff = 0xFF;

          g_byte_array_append (current, &ff, 1);
          end++;
        }
      g_byte_array_append (current, bytes + piece->pos, piece->len);
      end += piece->len;
      last_where = piece->where;
    }

  if (current != NULL)
    glint_format_regions_add (regions, (guint32) start, current->data, current->len);

  if (regions->len == 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("the file holds no data to flash"));
      return NULL;
    }

  return g_steal_pointer (&regions);
}

static int
hex_value (guint8 c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* One line of Intel HEX, from ':' to its last digit, into @record (count,
 * address, type, data, checksum); checks its length and checksum. */
static gboolean
decode_record (const guint8  *p,
               gsize          pos,
               gsize          end,
               guint          line,
               guint8         record[5 + 255],
               gsize         *n_out,
               GError       **error)
{
  gsize n = 0;
  guint8 sum = 0;
  guint count;

  if (p[pos] != ':')
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("line %u does not start with “:”, as every Intel HEX record must"),
                   line);
      return FALSE;
    }

  for (gsize i = pos + 1; i < end; i += 2)
    {
      int hi = hex_value (p[i]);
      int lo = i + 1 < end ? hex_value (p[i + 1]) : -1;

      if (i + 1 >= end)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("line %u has an odd number of hex digits"), line);
          return FALSE;
        }
      if (hi < 0 || lo < 0)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("line %u holds “%c”, which is not a hex digit"),
                       line, hi < 0 ? p[i] : p[i + 1]);
          return FALSE;
        }
      if (n == 5 + 255)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("line %u is longer than any Intel HEX record"), line);
          return FALSE;
        }
      record[n++] = (guint8) (hi << 4 | lo);
    }

  if (n < 5)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("line %u is too short for an Intel HEX record"), line);
      return FALSE;
    }
  count = record[0];
  if (n != count + 5u)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("line %u announces %u data bytes but holds %u"),
                   line, count, (guint) (n - 5));
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    sum += record[i];
  if (sum != 0)
    {
      guint8 expected = (guint8) (record[n - 1] - sum);

      g_set_error (error, GLINT_ERROR, GLINT_ERROR_IMAGE_CORRUPT,
                   _("line %u: checksum is 0x%02X, expected 0x%02X (the file is "
                     "damaged)"), line, record[n - 1], expected);
      return FALSE;
    }

  *n_out = n;
  return TRUE;
}

/**
 * glint_hex_parse:
 * @data: the contents of an Intel HEX file
 * @error: return location for a #GError
 *
 * Reads records of type 00 (data), 01 (end of file), 02 (extended segment
 * address), 03 and 05 (start addresses, ignored: the ROM starts the
 * bootloader) and 04 (extended linear address). Addresses are flash
 * offsets, as esptool's merge-bin writes them. Every record's checksum is
 * checked; a line that is wrong is named with its number.
 *
 * Returns: (transfer full) (element-type GlintFormatRegion): the regions,
 *   or %NULL with %GLINT_ERROR_INVALID_IMAGE or %GLINT_ERROR_IMAGE_CORRUPT
 */
GArray *
glint_hex_parse (GBytes  *data,
                 GError **error)
{
  g_autoptr(GArray) pieces = g_array_new (FALSE, FALSE, sizeof (Piece));
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  const guint8 *p;
  gsize len;
  gsize pos = 0;
  guint line = 0;
  guint64 base = 0;
  gboolean ended = FALSE;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  p = g_bytes_get_data (data, &len);
  if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
    pos = 3;

  while (pos < len)
    {
      gsize eol = pos;
      gsize end;
      guint8 record[5 + 255];
      gsize n = 0;
      guint count, type, addr16;

      while (eol < len && p[eol] != '\n')
        eol++;
      line++;
      end = eol;
      /* CR LF line ends, trailing blanks */
      while (end > pos && g_ascii_isspace (p[end - 1]))
        end--;
      while (pos < end && g_ascii_isspace (p[pos]))
        pos++;

      if (pos == end)
        {
          pos = eol + 1;
          continue;
        }

      if (ended)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("line %u: data after the end-of-file record"), line);
          return NULL;
        }
      if (!decode_record (p, pos, end, line, record, &n, error))
        return NULL;
      count = record[0];

      addr16 = (record[1] << 8) | record[2];
      type = record[3];
      switch (type)
        {
        case 0x00:
          {
            Piece piece = { base + addr16, bytes->len, count, line };

            if (piece.addr + count > ((guint64) 1 << 32))
              {
                g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                             _("line %u writes beyond the 4 GiB address space"), line);
                return NULL;
              }
            g_byte_array_append (bytes, record + 4, count);
            g_array_append_val (pieces, piece);
          }
          break;

        case 0x01:
          if (count != 0)
            {
              g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                           _("line %u: the end-of-file record must hold no data"), line);
              return NULL;
            }
          ended = TRUE;
          break;

        case 0x02:
        case 0x04:
          if (count != 2)
            {
              g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                           _("line %u: an extended address record holds 2 bytes, not %u"),
                           line, count);
              return NULL;
            }
          base = (guint64) ((record[4] << 8) | record[5]) << (type == 0x02 ? 4 : 16);
          break;

        case 0x03:
        case 0x05:
          if (count != 4)
            {
              g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                           _("line %u: a start address record holds 4 bytes, not %u"),
                           line, count);
              return NULL;
            }
          break;

        default:
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("line %u has record type %02X, which Intel HEX does not define"),
                       line, type);
          return NULL;
        }

      pos = eol + 1;
    }

  if (!ended)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("the file ends after line %u without an end-of-file record: it is "
                     "incomplete"), line);
      return NULL;
    }

  return pieces_to_regions (pieces, bytes->data, TRUE, error);
}

/**
 * glint_uf2_parse:
 * @data: the contents of a UF2 file
 * @family_id: (out): the family id of its blocks, 0 when they name none
 * @error: return location for a #GError
 *
 * Reads 512-byte UF2 blocks: both start magics and the end magic, the
 * payload size, block number below block count, one family id for all
 * blocks, and the MD5 part esptool appends (address, length, MD5 of the
 * payload) where it describes the block's own payload. Blocks flagged
 * "not main flash" are skipped; file containers are refused.
 *
 * Returns: (transfer full) (element-type GlintFormatRegion): the regions,
 *   or %NULL
 */
GArray *
glint_uf2_parse (GBytes   *data,
                 guint32  *family_id,
                 GError  **error)
{
  g_autoptr(GArray) pieces = g_array_new (FALSE, FALSE, sizeof (Piece));
  const guint8 *p;
  gsize len;
  guint n_blocks;
  gboolean have_family = FALSE;
  guint32 family = 0;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  p = g_bytes_get_data (data, &len);
  if (len == 0 || len % GLINT_UF2_BLOCK_SIZE != 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("the file is %lu bytes, not a whole number of 512-byte "
                     "UF2 blocks: it is incomplete"), (unsigned long) len);
      return NULL;
    }

  n_blocks = (guint) (len / GLINT_UF2_BLOCK_SIZE);
  for (guint b = 0; b < n_blocks; b++)
    {
      const guint8 *block = p + (gsize) b * GLINT_UF2_BLOCK_SIZE;
      guint32 flags = glint_read_u32 (block + 8);
      guint32 target = glint_read_u32 (block + 12);
      guint32 size = glint_read_u32 (block + 16);
      guint32 block_no = glint_read_u32 (block + 20);
      guint32 count = glint_read_u32 (block + 24);
      guint32 block_family = glint_read_u32 (block + 28);
      Piece piece;

      if (glint_read_u32 (block) != UF2_MAGIC_START0 || glint_read_u32 (block + 4) != UF2_MAGIC_START1 ||
          glint_read_u32 (block + GLINT_UF2_BLOCK_SIZE - 4) != UF2_MAGIC_END)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("UF2 block %u has wrong magic numbers: the file is "
                         "damaged"), b);
          return NULL;
        }
      if (flags & UF2_FLAG_NOT_MAIN)
        continue;
      if (flags & UF2_FLAG_CONTAINER)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("UF2 block %u belongs to a file container, which "
                         "holds files, not flash contents"), b);
          return NULL;
        }
      if (size == 0 || size > UF2_DATA_SIZE)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("UF2 block %u claims %u payload bytes; a block "
                         "holds 1 to 476"), b, size);
          return NULL;
        }
      if (block_no >= count)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("UF2 block %u is numbered %u of %u"),
                       b, block_no, count);
          return NULL;
        }
      if ((guint64) target + size > ((guint64) 1 << 32))
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("UF2 block %u writes beyond the 4 GiB address "
                         "space"), b);
          return NULL;
        }

      if (!(flags & UF2_FLAG_FAMILY))
        block_family = 0;
      if (!have_family)
        {
          family = block_family;
          have_family = TRUE;
        }
      else if (block_family != family)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("UF2 block %u is for family 0x%08x, the blocks "
                         "before it for 0x%08x: the file mixes firmware for different "
                         "chips"), b, block_family, family);
          return NULL;
        }

      if (flags & UF2_FLAG_MD5)
        {
          /* esptool puts the part right after the payload; the UF2
           * specification at the end of the data area. */
          const guint8 *parts[2] = {
            block + UF2_HEADER_SIZE + MIN (size, UF2_DATA_SIZE - UF2_MD5_PART_SIZE),
            block + UF2_HEADER_SIZE + UF2_DATA_SIZE - UF2_MD5_PART_SIZE,
          };

          for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
            {
              const guint8 *part = parts[i];
              g_autoptr(GChecksum) md5 = NULL;
              guint8 digest[16];
              gsize digest_len = sizeof digest;

              if (size > UF2_DATA_SIZE - UF2_MD5_PART_SIZE ||
                  glint_read_u32 (part) != target || glint_read_u32 (part + 4) != size)
                continue;
              md5 = g_checksum_new (G_CHECKSUM_MD5);
              g_checksum_update (md5, block + UF2_HEADER_SIZE, size);
              g_checksum_get_digest (md5, digest, &digest_len);
              if (memcmp (digest, part + 8, sizeof digest) != 0)
                {
                  g_set_error (error, GLINT_ERROR, GLINT_ERROR_IMAGE_CORRUPT,
                               _("UF2 block %u (0x%x) does not match its "
                                 "MD5 sum: the file is damaged"), b, target);
                  return NULL;
                }
              break;
            }
        }

      piece.addr = target;
      piece.pos = (gsize) b * GLINT_UF2_BLOCK_SIZE + UF2_HEADER_SIZE;
      piece.len = size;
      piece.where = b;
      g_array_append_val (pieces, piece);
    }

  if (family_id != NULL)
    *family_id = family;

  return pieces_to_regions (pieces, p, FALSE, error);
}
