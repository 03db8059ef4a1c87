/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-error.h"
#include "glint-formats.h"
#include "glint-fuzz.h"

/* The UF2 parser on any bytes: an error or regions, never both;
 * regions sorted, sector-aligned, not overlapping, within 4 GiB. */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) regions = NULL;
  guint64 end = 0;
  guint32 family = 0;

  glint_format_detect (bytes);
  regions = glint_uf2_parse (bytes, &family, &error);
  g_assert_true ((regions == NULL) == (error != NULL));
  if (regions == NULL)
    {
      g_assert_true (error->domain == GLINT_ERROR);
      return 0;
    }

  g_assert_cmpuint (regions->len, >, 0);
  for (guint i = 0; i < regions->len; i++)
    {
      GlintFormatRegion *r = &g_array_index (regions, GlintFormatRegion, i);

      g_assert_cmpuint (r->offset % 0x1000, ==, 0);
      g_assert_cmpuint (r->offset, >=, end);
      g_assert_cmpuint (g_bytes_get_size (r->data), >, 0);
      end = (guint64) r->offset + g_bytes_get_size (r->data);
      g_assert_cmpuint (end, <=, (guint64) 1 << 32);
    }

  return 0;
}
