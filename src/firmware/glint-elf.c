/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "glint-error.h"
#include "glint-formats.h"
#include "glint-image.h"

gboolean
glint_elf_looks_like (GBytes *data)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (data, &len);

  return len >= 4 && memcmp (p, "\x7F" "ELF", 4) == 0;
}

GBytes *
glint_elf_to_image (GBytes                 *data,
                    const char             *chip,
                    const GlintElfSettings *settings,
                    GError                **error)
{
  g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
               _("this ELF file cannot be converted yet"));
  return NULL;
}
