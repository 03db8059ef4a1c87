/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-chip-image.h"

/* Values from docs/protocol.md §5 and §12 (esptool targets at bb72741).
 * The order is esptool's order of introduction, the same as the protocol
 * layer's chip table. */
static const GlintChipImage chips[] = {
  { "esp8266", "ESP8266", GLINT_CHIP_NO_IMAGE_ID, 0x0, 0x7EAB61ED },
  { "esp32", "ESP32", 0, 0x1000, 0x1C5F21B0 },
  /* inherits ESP32's bootloader offset */
  { "esp32s2", "ESP32-S2", 2, 0x1000, 0xBFDD4EEE },
  { "esp32s3", "ESP32-S3", 9, 0x0, 0xC47E5767 },
  { "esp32c2", "ESP32-C2", 12, 0x0, 0x2B88D29C },
  { "esp32c3", "ESP32-C3", 5, 0x0, 0xD42BA06C },
  /* 0x0 in esptool v4.8.1 (then inherited from C6); current is 0x2000 */
  { "esp32c5", "ESP32-C5", 23, 0x2000, 0xF71C0343 },
  { "esp32c6", "ESP32-C6", 13, 0x0, 0x540DDF62 },
  /* C61 and H2 inherit C6's offset */
  { "esp32c61", "ESP32-C61", 20, 0x0, 0x77D850C4 },
  { "esp32h2", "ESP32-H2", 16, 0x0, 0x332726F6 },
  /* the first two sectors are reserved for flash encryption */
  { "esp32p4", "ESP32-P4", 18, 0x2000, 0x3D308E94 },
};

typedef struct
{
  const char *name;
  gint        code;
} CodeEntry;

/* §12.1 flash size codes, already shifted into the high nibble */
static const CodeEntry size_codes_esp8266[] = {
  { "256KB", 0x10 }, { "512KB", 0x00 }, { "1MB", 0x20 }, { "2MB", 0x30 },
  { "4MB", 0x40 }, { "2MB-c1", 0x50 }, { "4MB-c1", 0x60 }, { "8MB", 0x80 },
  { "16MB", 0x90 }, { NULL, 0 },
};
/* 32MB and up are "chip-dependent availability" in protocol.md without a per-chip
 * list, so every ESP32-family chip accepts them here. */
static const CodeEntry size_codes_esp32[] = {
  { "1MB", 0x00 }, { "2MB", 0x10 }, { "4MB", 0x20 }, { "8MB", 0x30 },
  { "16MB", 0x40 }, { "32MB", 0x50 }, { "64MB", 0x60 }, { "128MB", 0x70 },
  { NULL, 0 },
};

/* §12.1 flash freq codes (low nibble) */
static const CodeEntry freq_codes_default[] = {
  { "80m", 0xF }, { "40m", 0x0 }, { "26m", 0x1 }, { "20m", 0x2 }, { NULL, 0 },
};
static const CodeEntry freq_codes_c2[] = {
  { "60m", 0xF }, { "30m", 0x0 }, { "20m", 0x1 }, { "15m", 0x2 }, { NULL, 0 },
};
static const CodeEntry freq_codes_c5[] = {
  { "80m", 0xF }, { "40m", 0x0 }, { "20m", 0x2 }, { NULL, 0 },
};
/* C6: 80m is written as 0x0 on purpose, a workaround for the ROM's MSPI
 * divider (§12.1), so 80m and 40m share a code. */
static const CodeEntry freq_codes_c6[] = {
  { "80m", 0x0 }, { "40m", 0x0 }, { "20m", 0x2 }, { NULL, 0 },
};
static const CodeEntry freq_codes_h2[] = {
  { "48m", 0xF }, { "24m", 0x0 }, { "16m", 0x1 }, { "12m", 0x2 }, { NULL, 0 },
};

/* §12.1 flash mode byte */
static const CodeEntry mode_codes[] = {
  { "qio", 0 }, { "qout", 1 }, { "dio", 2 }, { "dout", 3 }, { NULL, 0 },
};

/**
 * glint_chip_image_get_all:
 * @n_chips: (out): number of entries
 *
 * Returns: (transfer none): the table, in esptool's order of introduction
 */
const GlintChipImage *
glint_chip_image_get_all (guint *n_chips)
{
  g_return_val_if_fail (n_chips != NULL, NULL);

  *n_chips = G_N_ELEMENTS (chips);
  return chips;
}

/**
 * glint_chip_image_lookup:
 * @name: "esp32s3", "ESP32-S3", "esp32-s3", … (ASCII case is ignored)
 *
 * Accepts esptool's names (flasher_args.json "chip") and ESP Web Tools'
 * chipFamily strings (§11).
 *
 * Returns: (nullable): the chip, or %NULL if @name is not one
 */
const GlintChipImage *
glint_chip_image_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (chips); i++)
    {
      if (g_ascii_strcasecmp (name, chips[i].name) == 0 ||
          g_ascii_strcasecmp (name, chips[i].display_name) == 0)
        return &chips[i];
    }

  return NULL;
}

/**
 * glint_chip_image_from_id:
 * @image_chip_id: the chip id of an image's extended header
 *
 * Returns: (nullable): the chip whose images carry @image_chip_id
 */
const GlintChipImage *
glint_chip_image_from_id (guint16 image_chip_id)
{
  for (guint i = 0; i < G_N_ELEMENTS (chips); i++)
    {
      if (chips[i].image_chip_id == (gint) image_chip_id)
        return &chips[i];
    }

  return NULL;
}

static gint
find_code (const CodeEntry *table,
           const char      *name)
{
  for (guint i = 0; table[i].name != NULL; i++)
    {
      if (g_ascii_strcasecmp (table[i].name, name) == 0)
        return table[i].code;
    }

  return -1;
}

static const CodeEntry *
size_table (const GlintChipImage *chip)
{
  return chip->image_chip_id == GLINT_CHIP_NO_IMAGE_ID ? size_codes_esp8266 : size_codes_esp32;
}

static const CodeEntry *
freq_table (const GlintChipImage *chip)
{
  /* P4 keeps the default table: not overridden in its esptool target,
   * unverified (§12.1) */
  if (g_str_equal (chip->name, "esp32c2"))
    return freq_codes_c2;
  if (g_str_equal (chip->name, "esp32c5") || g_str_equal (chip->name, "esp32c61"))
    return freq_codes_c5;
  if (g_str_equal (chip->name, "esp32c6"))
    return freq_codes_c6;
  if (g_str_equal (chip->name, "esp32h2"))
    return freq_codes_h2;

  return freq_codes_default;
}

static char *
list_names (const CodeEntry *table)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; table[i].name != NULL; i++)
    {
      if (i > 0)
        g_string_append (s, ", ");
      g_string_append (s, table[i].name);
    }

  return g_string_free (g_steal_pointer (&s), FALSE);
}

/**
 * glint_chip_image_flash_size_code:
 * @chip: a chip
 * @size: "4MB", "2MB-c1", …
 *
 * Returns: the image header's size code (high nibble, already shifted), or
 *   -1 if @chip has no such size
 */
gint
glint_chip_image_flash_size_code (const GlintChipImage *chip,
                                  const char           *size)
{
  g_return_val_if_fail (chip != NULL, -1);
  g_return_val_if_fail (size != NULL, -1);

  return find_code (size_table (chip), size);
}

/**
 * glint_chip_image_flash_freq_code:
 * @chip: a chip
 * @freq: "80m", "40m", …
 *
 * Returns: the image header's freq code (low nibble), or -1
 */
gint
glint_chip_image_flash_freq_code (const GlintChipImage *chip,
                                  const char           *freq)
{
  g_return_val_if_fail (chip != NULL, -1);
  g_return_val_if_fail (freq != NULL, -1);

  return find_code (freq_table (chip), freq);
}

/**
 * glint_chip_image_flash_mode_code:
 * @mode: "qio", "qout", "dio" or "dout"
 *
 * Returns: the image header's mode byte, or -1
 */
gint
glint_chip_image_flash_mode_code (const char *mode)
{
  g_return_val_if_fail (mode != NULL, -1);

  return find_code (mode_codes, mode);
}

/**
 * glint_chip_image_flash_size_names:
 * @chip: a chip
 *
 * Returns: (transfer full): the sizes @chip's images can declare, "1MB, 2MB, …"
 */
char *
glint_chip_image_flash_size_names (const GlintChipImage *chip)
{
  g_return_val_if_fail (chip != NULL, NULL);

  return list_names (size_table (chip));
}

/**
 * glint_chip_image_max_flash_size:
 * @chip: (nullable): a chip, or %NULL for any
 *
 * The largest flash the image header's size codes name (§12.1): what no
 * board of @chip can exceed, known before connecting.
 *
 * Returns: the size in bytes
 */
guint64
glint_chip_image_max_flash_size (const GlintChipImage *chip)
{
  if (chip != NULL && chip->image_chip_id == GLINT_CHIP_NO_IMAGE_ID)
    return 16 * 1024 * 1024;      /* "16MB", the last of size_codes_esp8266 */
  return 128 * 1024 * 1024;       /* "128MB", the last of size_codes_esp32 */
}

/**
 * glint_chip_image_flash_freq_names:
 * @chip: a chip
 *
 * Returns: (transfer full): the flash frequencies of @chip, "80m, 40m, …"
 */
char *
glint_chip_image_flash_freq_names (const GlintChipImage *chip)
{
  g_return_val_if_fail (chip != NULL, NULL);

  return list_names (freq_table (chip));
}

/**
 * glint_chip_image_flash_mode_names:
 *
 * Returns: (transfer full): "qio, qout, dio, dout"
 */
char *
glint_chip_image_flash_mode_names (void)
{
  return list_names (mode_codes);
}
