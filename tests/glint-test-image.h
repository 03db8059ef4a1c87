/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

/* Assembles app/bootloader images the way esptool's elf2image lays them
 * out (docs/protocol.md §12), for the firmware tests. Header-only so
 * that both firmware tests can use it without touching the test library. */

typedef struct
{
  int      chip_id;         /* -1: ESP8266 image without extended header */
  guint    n_segments;      /* 0 means 2 */
  guint32  seg_len;         /* length of each segment; 0 means 64 */
  gboolean hash;            /* append a SHA-256 digest */
  guint8   flash_mode;
  guint8   size_freq;       /* header byte 3 */
  guint16  min_rev_full;
  guint16  max_rev_full;
  gsize    trailer_len;     /* bytes after the image (as in merged binaries) */
  gsize    total_len;       /* pad with 0xFF up to this length if larger */
  gboolean app_desc;        /* start segment 0 with the esp_app_desc_t magic */
  guint8   min_rev;         /* legacy field; 0 means min_rev_full / 100 */
  const guint8 *desc;       /* 256 bytes segment 0 starts with (an esp_app_desc_t), or NULL */
} TestImageSpec;

static inline void
test_image_put_u32 (GByteArray *a,
                    guint32     v)
{
  guint8 b[4] = { v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, (v >> 24) & 0xFF };

  g_byte_array_append (a, b, 4);
}

static inline GBytes *
test_image_build (const TestImageSpec *spec)
{
  GByteArray *a = g_byte_array_new ();
  guint n_segments = spec->n_segments != 0 ? spec->n_segments : 2;
  guint32 seg_len = spec->seg_len != 0 ? spec->seg_len : 64;
  guint8 checksum = 0xEF;
  guint8 header[8] = { 0xE9, n_segments, spec->flash_mode, spec->size_freq,
                       0x80, 0x06, 0x08, 0x40 };   /* entry 0x40080680 */

  g_byte_array_append (a, header, sizeof header);

  if (spec->chip_id >= 0)
    {
      guint8 ext[16] = { 0 };

      ext[0] = 0xEE;
      ext[4] = spec->chip_id & 0xFF;
      ext[5] = spec->chip_id >> 8;
      ext[6] = spec->min_rev != 0 ? spec->min_rev : spec->min_rev_full / 100;
      ext[7] = spec->min_rev_full & 0xFF;
      ext[8] = spec->min_rev_full >> 8;
      ext[9] = spec->max_rev_full & 0xFF;
      ext[10] = spec->max_rev_full >> 8;
      ext[15] = spec->hash ? 1 : 0;
      g_byte_array_append (a, ext, sizeof ext);
    }

  for (guint i = 0; i < n_segments; i++)
    {
      test_image_put_u32 (a, 0x3FF00000 + i * 0x10000);
      test_image_put_u32 (a, seg_len);
      for (guint32 j = 0; j < seg_len; j++)
        {
          static const guint8 app_magic[4] = { 0x32, 0x54, 0xCD, 0xAB };
          guint8 b = (guint8) (j * 31 + i * 7 + 1);

          if (spec->app_desc && i == 0 && j < 4)
            b = app_magic[j];
          if (spec->desc != NULL && i == 0 && j < 256)
            b = spec->desc[j];

          checksum ^= b;
          g_byte_array_append (a, &b, 1);
        }
    }

  while (a->len % 16 != 15)
    {
      guint8 zero = 0;

      g_byte_array_append (a, &zero, 1);
    }
  g_byte_array_append (a, &checksum, 1);

  if (spec->hash)
    {
      GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
      guint8 digest[32];
      gsize digest_len = sizeof digest;

      g_checksum_update (sum, a->data, a->len);
      g_checksum_get_digest (sum, digest, &digest_len);
      g_checksum_free (sum);
      g_byte_array_append (a, digest, sizeof digest);
    }

  for (gsize i = 0; i < spec->trailer_len; i++)
    {
      guint8 b = 0xA5 ^ (guint8) i;

      g_byte_array_append (a, &b, 1);
    }

  while (a->len < spec->total_len)
    {
      guint8 ff = 0xFF;

      g_byte_array_append (a, &ff, 1);
    }

  return g_byte_array_free_to_bytes (a);
}

/* A copy of bytes with one byte changed. */
static inline GBytes *
test_image_poke (GBytes *bytes,
                 gsize   offset,
                 guint8  value)
{
  gsize len;
  const guint8 *src = g_bytes_get_data (bytes, &len);
  guint8 *copy = g_memdup2 (src, len);

  g_assert_cmpuint (offset, <, len);
  copy[offset] = value;
  return g_bytes_new_take (copy, len);
}

G_END_DECLS
