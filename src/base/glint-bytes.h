/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Everything on the wire and in an image is little-endian (protocol.md §1.2,
 * §12): these are the only helpers that pack and unpack it. */

/* The flash erase unit of every supported chip (protocol.md §5.3). */
#define GLINT_SECTOR_SIZE 0x1000

static inline guint16
glint_read_u16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static inline guint32
glint_read_u32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) |
         ((guint32) p[3] << 24);
}

static inline void
glint_put_u32 (guint8  *p,
               guint32  value)
{
  p[0] = value & 0xFF;
  p[1] = (value >> 8) & 0xFF;
  p[2] = (value >> 16) & 0xFF;
  p[3] = (value >> 24) & 0xFF;
}

/* Whether all @len bytes at @p are @value (0xFF: erased flash). */
static inline gboolean
glint_bytes_all (const guint8 *p,
                 gsize         len,
                 guint8        value)
{
  for (gsize i = 0; i < len; i++)
    if (p[i] != value)
      return FALSE;
  return TRUE;
}

G_END_DECLS
