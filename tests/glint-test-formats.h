/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

/* Intel HEX and UF2 files written as esptool's merge-bin writes them,
 * for the firmware and flash tests. Header-only. */

static inline void
hex_record (GString      *out,
            guint         type,
            guint         addr,
            const guint8 *data,
            guint         len)
{
  guint8 sum = len + (addr >> 8) + (addr & 0xFF) + type;

  g_string_append_printf (out, ":%02X%04X%02X", len, addr & 0xFFFF, type);
  for (guint i = 0; i < len; i++)
    {
      g_string_append_printf (out, "%02X", data[i]);
      sum += data[i];
    }
  g_string_append_printf (out, "%02X\r\n", (guint8) (0x100 - sum));
}

/* 16 bytes a record, a type 04 record whenever the upper half changes */
static inline void
hex_add (GString *out,
         guint32  offset,
         GBytes  *bytes,
         guint32 *upper)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  for (gsize i = 0; i < len; i += 16)
    {
      guint32 addr = offset + i;
      guint n = MIN (16, len - i);

      if (addr >> 16 != *upper)
        {
          guint8 ext[2] = { addr >> 24, (addr >> 16) & 0xFF };

          *upper = addr >> 16;
          hex_record (out, 0x04, 0, ext, 2);
        }
      /* records do not cross a 64 KiB boundary */
      n = MIN (n, 0x10000 - (addr & 0xFFFF));
      hex_record (out, 0x00, addr & 0xFFFF, data + i, n);
      if (n < MIN (16, len - i))
        i -= 16 - n;
    }
}

static inline void
put_u32 (guint8  *p,
         guint32  v)
{
  p[0] = v;
  p[1] = v >> 8;
  p[2] = v >> 16;
  p[3] = v >> 24;
}

/* esptool's writer: 452 payload bytes a block, the MD5 part right after
 * the payload, blocks numbered per file. */
static inline void
uf2_add (GByteArray *out,
         guint32     family,
         guint32     offset,
         GBytes     *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  guint n_blocks = (len + 451) / 452;

  for (guint b = 0; b < n_blocks; b++)
    {
      guint8 block[512] = { 0 };
      guint n = MIN (452, len - b * 452);
      g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
      gsize digest_len = 16;

      put_u32 (block, 0x0A324655);
      put_u32 (block + 4, 0x9E5D5157);
      put_u32 (block + 8, 0x2000 | 0x4000);
      put_u32 (block + 12, offset + b * 452);
      put_u32 (block + 16, n);
      put_u32 (block + 20, b);
      put_u32 (block + 24, n_blocks);
      put_u32 (block + 28, family);
      memcpy (block + 32, data + b * 452, n);
      put_u32 (block + 32 + n, offset + b * 452);
      put_u32 (block + 36 + n, n);
      g_checksum_update (md5, data + b * 452, n);
      g_checksum_get_digest (md5, block + 40 + n, &digest_len);
      put_u32 (block + 508, 0x0AB16F30);
      g_byte_array_append (out, block, sizeof block);
    }
}

G_END_DECLS
