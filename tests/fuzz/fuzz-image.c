/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-fuzz.h"
#include "glint-image.h"

/* The app/bootloader image parser and header patcher on any bytes, for
 * every chip (and none). */

static const char *chips[] = {
  NULL, "esp8266", "esp32", "esp32s2", "esp32s3", "esp32c2", "esp32c3", "esp32c5",
  "esp32c6", "esp32c61", "esp32h2", "esp32p4",
};

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GlintImage) image = NULL;
  g_autoptr(GBytes) patched = NULL;
  g_autoptr(GError) error = NULL;
  const char *chip;

  if (size < 1)
    return 0;

  chip = chips[data[0] % G_N_ELEMENTS (chips)];
  bytes = g_bytes_new (data + 1, size - 1);

  glint_image_looks_like_image (bytes);
  image = glint_image_parse (bytes, chip, &error);
  if (image != NULL)
    {
      g_assert_no_error (error);
      glint_image_get_n_segments (image);
      glint_image_get_chip_name (image);
      glint_image_get_flash_mode_name (image);
    }
  else
    g_assert_nonnull (error);
  g_clear_error (&error);

  patched = glint_image_patch_header (bytes, chip != NULL ? chip : "esp32", "dio", "40m", "4MB",
                                      &error);
  g_assert_true ((patched != NULL) == (error == NULL));

  return 0;
}
