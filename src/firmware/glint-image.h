/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "glint-types.h"

G_BEGIN_DECLS

#define GLINT_IMAGE_MAGIC            0xE9
#define GLINT_IMAGE_HEADER_SIZE      8
#define GLINT_IMAGE_EXT_HEADER_SIZE  16
#define GLINT_IMAGE_DIGEST_SIZE      32
#define GLINT_IMAGE_MAX_SEGMENTS     16

#define GLINT_TYPE_IMAGE (glint_image_get_type ())

typedef struct _GlintImage GlintImage;

/**
 * GlintImageSegment:
 * @load_addr: address the ROM loads the segment to
 * @length: length of the segment data
 * @file_offset: offset of the segment data (after its 8-byte header) in the file
 */
typedef struct
{
  guint32 load_addr;
  guint32 length;
  gsize   file_offset;
} GlintImageSegment;

/**
 * GlintImage:
 * @has_extended_header: %FALSE for ESP8266 (v1) images
 * @flash_mode: header byte 2 (0 QIO, 1 QOUT, 2 DIO, 3 DOUT)
 * @flash_size_code: high nibble of header byte 3, shifted down (0..15)
 * @flash_freq_code: low nibble of header byte 3
 * @entry: entry point address
 * @wp_pin: extended header WP pin (0xEE = disabled)
 * @chip_id: extended header chip id (protocol.md §5), 0 without extended header
 * @min_rev: legacy minimum revision (major only)
 * @min_rev_full: minimum chip revision, major * 100 + minor
 * @max_rev_full: maximum chip revision, major * 100 + minor
 * @hash_appended: a SHA-256 digest follows the checksum
 * @segments: (element-type GlintImageSegment): the segments in file order
 * @checksum: the stored checksum byte
 * @checksum_offset: file offset of the checksum byte (≡ 15 mod 16)
 * @data_length: length through the checksum byte (what the digest covers)
 * @image_length: length through the digest, if any; bytes after it belong
 *   to something else (merged binaries)
 *
 * The parsed header of an app or bootloader image (protocol.md §12).
 * Read-only; reference counted.
 */
struct _GlintImage
{
  gboolean  has_extended_header;
  guint8    flash_mode;
  guint8    flash_size_code;
  guint8    flash_freq_code;
  guint32   entry;
  guint8    wp_pin;
  guint16   chip_id;
  guint8    min_rev;
  guint16   min_rev_full;
  guint16   max_rev_full;
  gboolean  hash_appended;
  GArray   *segments;
  guint8    checksum;
  gsize     checksum_offset;
  gsize     data_length;
  gsize     image_length;
};

GType        glint_image_get_type              (void) G_GNUC_CONST;
GlintImage  *glint_image_ref                   (GlintImage   *image);
void         glint_image_unref                 (GlintImage   *image);

gboolean     glint_image_looks_like_image      (GBytes       *bytes);
GlintImage  *glint_image_parse                 (GBytes       *bytes,
                                                const char   *chip,
                                                GError      **error);
guint        glint_image_get_n_segments        (const GlintImage *image);
const GlintImageSegment *
             glint_image_get_segment           (const GlintImage *image,
                                                guint         index);
const char  *glint_image_get_chip_name         (const GlintImage *image);
const char  *glint_image_get_flash_mode_name   (const GlintImage *image);

GBytes      *glint_image_patch_header          (GBytes       *bytes,
                                                const char   *chip,
                                                const char   *flash_mode,
                                                const char   *flash_freq,
                                                const char   *flash_size,
                                                GError      **error);

/* Chip facts needed by the firmware layer. A stand-in for the main chip
 * table (glint-chip.h); swap callers over once that lands. */
gboolean     glint_image_chip_is_known         (const char   *chip);
gboolean     glint_image_chip_get_id           (const char   *chip,
                                                guint16      *chip_id);
const char  *glint_image_chip_from_id          (guint16       chip_id);
guint32      glint_image_chip_bootloader_offset (const char  *chip);
const char  *glint_image_chip_from_family      (const char   *family);
const char  *glint_image_chip_to_family        (const char   *chip);
guint32      glint_image_chip_uf2_family       (const char   *chip);
const char  *glint_image_chip_from_uf2_family  (guint32       family_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GlintImage, glint_image_unref)

G_END_DECLS
