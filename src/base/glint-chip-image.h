/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Value of GlintChipImage.image_chip_id for the ESP8266, which has no
 * extended image header (protocol.md §12.2). */
#define GLINT_CHIP_NO_IMAGE_ID        (-1)

/**
 * GlintChipImage:
 * @name: canonical, esptool's: "esp32s3"
 * @display_name: "ESP32-S3", also ESP Web Tools' chipFamily (§11.2)
 * @image_chip_id: the extended header's chip id, %GLINT_CHIP_NO_IMAGE_ID
 *   for the ESP8266 (§12.2)
 * @bootloader_offset: where the second stage bootloader lives (§5, §8.4)
 * @uf2_family_id: the UF2 family id of the chip's images
 *
 * What images for one chip look like: the facts the firmware layer parses
 * and patches by and the protocol layer's chip table shares. Register
 * addresses and detection are the protocol layer's (glint-chip.h). All
 * entries are static and constant.
 */
typedef struct
{
  const char *name;
  const char *display_name;
  gint        image_chip_id;
  guint32     bootloader_offset;
  guint32     uf2_family_id;
} GlintChipImage;

const GlintChipImage *glint_chip_image_get_all          (guint                *n_chips);
const GlintChipImage *glint_chip_image_lookup           (const char           *name);
const GlintChipImage *glint_chip_image_from_id          (guint16               image_chip_id);

gint                  glint_chip_image_flash_size_code  (const GlintChipImage *chip,
                                                         const char           *size);
gint                  glint_chip_image_flash_freq_code  (const GlintChipImage *chip,
                                                         const char           *freq);
gint                  glint_chip_image_flash_mode_code  (const char           *mode);
char                 *glint_chip_image_flash_size_names (const GlintChipImage *chip);
guint64               glint_chip_image_max_flash_size   (const GlintChipImage *chip);
char                 *glint_chip_image_flash_freq_names (const GlintChipImage *chip);
char                 *glint_chip_image_flash_mode_names (void);

G_END_DECLS
