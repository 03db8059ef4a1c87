/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "glint-types.h"

G_BEGIN_DECLS

/* Firmware files other than raw images: Intel HEX, UF2 and ELF, turned
 * into flash regions (docs/architecture.md, "Input formats"). Pure
 * parsing: the callers read the files. */

/**
 * GlintFormatRegion:
 * @offset: flash offset
 * @data: the bytes to write there
 */
typedef struct
{
  guint32  offset;
  GBytes  *data;
} GlintFormatRegion;

typedef enum
{
  GLINT_FORMAT_UNKNOWN,
  GLINT_FORMAT_IMAGE,            /* starts with an app/bootloader image header */
  GLINT_FORMAT_INTEL_HEX,
  GLINT_FORMAT_UF2,
  GLINT_FORMAT_ELF,
  GLINT_FORMAT_PARTITION_TABLE,
  GLINT_FORMAT_ERASED,           /* nothing but 0xFF: otadata, blank sectors */
} GlintFormat;

GlintFormat  glint_format_detect          (GBytes        *data);
char        *glint_format_describe_unknown (GBytes       *data);

/* A GArray of GlintFormatRegion, sorted by offset, owning the bytes. */
GArray      *glint_format_regions_new     (void);
void         glint_format_regions_add     (GArray        *regions,
                                           guint32        offset,
                                           const guint8  *data,
                                           gsize          len);

GArray      *glint_hex_parse              (GBytes        *data,
                                           GError       **error);

#define GLINT_UF2_BLOCK_SIZE 512

GArray      *glint_uf2_parse              (GBytes        *data,
                                           guint32       *family_id,
                                           GError       **error);

/**
 * GlintElfSettings:
 * @flash_mode: (nullable): "qio", "dio"…; %NULL for esptool's default
 * @flash_freq: (nullable): "40m"…; %NULL for the chip's default
 * @flash_size: (nullable): "4MB"…; %NULL for "1MB", esptool's default
 *
 * The header fields elf2image writes.
 */
typedef struct
{
  const char *flash_mode;
  const char *flash_freq;
  const char *flash_size;
} GlintElfSettings;

gboolean     glint_elf_looks_like         (GBytes        *data);
GBytes      *glint_elf_to_image           (GBytes        *data,
                                           const char    *chip,
                                           const GlintElfSettings *settings,
                                           GError       **error);

GBytes      *glint_elf_to_esp8266         (GBytes        *data,
                                           const GlintElfSettings *settings,
                                           guint32       *irom_offset,
                                           GBytes       **irom,
                                           GError       **error);

G_END_DECLS
