/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-error.h"
#include "glint-fuzz.h"
#include "glint-partitions.h"

/* The app description parser on any bytes, as a description and as an
 * image: an error or a description; its texts are UTF-8 without control
 * characters, and what the builder writes from it parses back the same. */

/* The builder leaves a NUL in each field, as ESP-IDF does: a parsed
 * field that fills its whole width comes back shorter, cut between
 * characters. */
static void
cut (char  *field,
     gsize  width)
{
  gsize n = MIN (strlen (field), width - 1);

  while (n > 0 && !g_utf8_validate (field, n, NULL))
    n--;
  memset (field + n, 0, width + 1 - n);
}

static void
check (const GlintAppDesc *desc)
{
  g_autofree char *text = glint_app_desc_describe (desc);
  guint8 raw[GLINT_APP_DESC_SIZE];
  GlintAppDesc again;
  GlintAppDesc expected = *desc;

  cut (expected.version, 32);
  cut (expected.project_name, 32);
  cut (expected.time, 16);
  cut (expected.date, 16);
  cut (expected.idf_ver, 32);

  g_assert_true (g_utf8_validate (text, -1, NULL));
  for (const char *p = text; *p != '\0'; p++)
    g_assert_cmpint ((guint8) *p, >=, 0x20);
  glint_app_desc_build (desc, raw);
  g_assert_true (glint_app_desc_parse (raw, sizeof raw, &again, NULL));
  g_assert_cmpmem (&again, sizeof again, &expected, sizeof expected);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  GlintAppDesc desc;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) image_error = NULL;

  if (glint_app_desc_parse (data, size, &desc, &error))
    {
      g_assert_no_error (error);
      check (&desc);
    }
  else
    g_assert_true (error != NULL && error->domain == GLINT_ERROR);

  if (glint_app_desc_parse_image (data, size, &desc, &image_error))
    {
      g_assert_no_error (image_error);
      check (&desc);
    }
  else
    g_assert_true (image_error != NULL && image_error->domain == GLINT_ERROR);
  return 0;
}
