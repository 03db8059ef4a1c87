/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-error.h"
#include "glint-formats.h"
#include "glint-fuzz.h"
#include "glint-image.h"

/* The ELF converter on any bytes, for the chip the first byte picks: an
 * error, or an image that Glint's own image parser accepts for that chip
 * (for the ESP8266: a version 1 image and IROM data within the window). */

static const char *chips[] = {
  "esp8266", "esp32", "esp32s2", "esp32s3", "esp32c2", "esp32c3", "esp32c5",
  "esp32c6", "esp32c61", "esp32h2", "esp32p4",
};

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) image = NULL;
  g_autoptr(GlintImage) parsed = NULL;
  g_autoptr(GError) error = NULL;
  GlintElfSettings settings = { "dio", NULL, "4MB" };
  const char *chip;

  if (size < 1)
    return 0;

  chip = chips[data[0] % G_N_ELEMENTS (chips)];
  bytes = g_bytes_new (data + 1, size - 1);

  glint_elf_looks_like (bytes);
  if (g_str_equal (chip, "esp8266"))
    {
      g_autoptr(GBytes) irom = NULL;
      guint32 irom_offset = 0;

      image = glint_elf_to_esp8266 (bytes, data[0] & 0x80 ? &settings : NULL, &irom_offset,
                                    &irom, &error);
      g_assert_true ((image == NULL) == (error != NULL));
      if (image == NULL)
        return 0;
      g_assert_cmpuint (irom_offset, <, 0x100000);
      parsed = glint_image_parse (image, chip, &error);
      g_assert_no_error (error);
      g_assert_false (parsed->has_extended_header);
      return 0;
    }

  image = glint_elf_to_image (bytes, chip, data[0] & 0x80 ? &settings : NULL, &error);
  g_assert_true ((image == NULL) == (error != NULL));
  if (image == NULL)
    return 0;

  parsed = glint_image_parse (image, chip, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (glint_image_get_chip_name (parsed), ==, chip);
  g_assert_true (parsed->hash_appended);
  g_assert_cmpuint (parsed->image_length, ==, g_bytes_get_size (image));

  return 0;
}
