/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "glint-bytes.h"
#include "glint-chip-image.h"
#include "glint-error.h"
#include "glint-image.h"

/* Everything here follows docs/protocol.md §12 (layout) and §8.4
 * (header patching), which in turn follow esptool's bin_image.py. */

G_DEFINE_BOXED_TYPE (GlintImage, glint_image, glint_image_ref, glint_image_unref)

/* Accepts "esp32s3", "ESP32-S3", "esp32-s3": the chip table is glint-chip-image's. */
static const GlintChipImage *
lookup_chip (const char *chip)
{
  return chip != NULL ? glint_chip_image_lookup (chip) : NULL;
}

/**
 * glint_image_chip_is_known:
 * @chip: a chip name such as "esp32s3" or "ESP32-S3"
 *
 * Returns: whether the firmware layer knows @chip
 */
gboolean
glint_image_chip_is_known (const char *chip)
{
  return lookup_chip (chip) != NULL;
}

/**
 * glint_image_chip_get_id:
 * @chip: a chip name
 * @chip_id: (out): the extended header chip id
 *
 * Returns: %FALSE for unknown chips and for the ESP8266, which has no
 *   extended header
 */
gboolean
glint_image_chip_get_id (const char *chip,
                         guint16    *chip_id)
{
  const GlintChipImage *facts = lookup_chip (chip);

  if (facts == NULL || facts->image_chip_id == GLINT_CHIP_NO_IMAGE_ID)
    return FALSE;
  if (chip_id != NULL)
    *chip_id = facts->image_chip_id;
  return TRUE;
}

/**
 * glint_image_chip_from_id:
 * @chip_id: an extended header chip id
 *
 * Returns: (nullable): the esptool chip name, or %NULL if unknown
 */
const char *
glint_image_chip_from_id (guint16 chip_id)
{
  const GlintChipImage *facts = glint_chip_image_from_id (chip_id);

  return facts != NULL ? facts->name : NULL;
}

/**
 * glint_image_chip_bootloader_offset:
 * @chip: a chip name
 *
 * Returns: where the second stage bootloader lives in flash; 0 for unknown
 *   chips
 */
guint32
glint_image_chip_bootloader_offset (const char *chip)
{
  const GlintChipImage *facts = lookup_chip (chip);

  return facts != NULL ? facts->bootloader_offset : 0;
}

/**
 * glint_image_chip_from_family:
 * @family: an ESP Web Tools chipFamily such as "ESP32-S3"
 *
 * Returns: (nullable): the esptool chip name
 */
const char *
glint_image_chip_from_family (const char *family)
{
  const GlintChipImage *facts = lookup_chip (family);

  return facts != NULL ? facts->name : NULL;
}

/**
 * glint_image_chip_to_family:
 * @chip: a chip name
 *
 * Returns: (nullable): the ESP Web Tools chipFamily of @chip
 */
const char *
glint_image_chip_to_family (const char *chip)
{
  const GlintChipImage *facts = lookup_chip (chip);

  return facts != NULL ? facts->display_name : NULL;
}

/**
 * glint_image_chip_uf2_family:
 * @chip: a chip name
 *
 * Returns: the UF2 family id of @chip, 0 for unknown chips
 */
guint32
glint_image_chip_uf2_family (const char *chip)
{
  const GlintChipImage *facts = lookup_chip (chip);

  return facts != NULL ? facts->uf2_family_id : 0;
}

/**
 * glint_image_chip_from_uf2_family:
 * @family_id: a UF2 family id
 *
 * Returns: (nullable): the esptool chip name, %NULL when no Espressif chip
 *   has that family id
 */
const char *
glint_image_chip_from_uf2_family (guint32 family_id)
{
  guint n_chips = 0;
  const GlintChipImage *chips = glint_chip_image_get_all (&n_chips);

  for (guint i = 0; i < n_chips && family_id != 0; i++)
    {
      if (chips[i].uf2_family_id == family_id)
        return chips[i].name;
    }
  return NULL;
}

GlintImage *
glint_image_ref (GlintImage *image)
{
  g_return_val_if_fail (image != NULL, NULL);

  return g_rc_box_acquire (image);
}

static void
glint_image_clear (gpointer data)
{
  GlintImage *image = data;

  g_clear_pointer (&image->segments, g_array_unref);
}

void
glint_image_unref (GlintImage *image)
{
  g_return_if_fail (image != NULL);

  g_rc_box_release_full (image, glint_image_clear);
}

/**
 * glint_image_looks_like_image:
 * @bytes: file contents
 *
 * A cheap check of the first bytes: magic 0xE9 and a plausible segment
 * count. Merged binaries for ESP32/ESP32-S2 (which start with 0xFF padding)
 * and partition tables are not images; callers decide what that means.
 *
 * Returns: whether @bytes starts like an app or bootloader image
 */
gboolean
glint_image_looks_like_image (GBytes *bytes)
{
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (bytes != NULL, FALSE);

  data = g_bytes_get_data (bytes, &len);
  return len >= GLINT_IMAGE_HEADER_SIZE + 8 &&
         data[0] == GLINT_IMAGE_MAGIC &&
         data[1] >= 1 && data[1] <= GLINT_IMAGE_MAX_SEGMENTS;
}

static void
compute_sha256 (const guint8 *data,
                gsize         len,
                guint8        digest[GLINT_IMAGE_DIGEST_SIZE])
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize digest_len = GLINT_IMAGE_DIGEST_SIZE;

  g_checksum_update (sum, data, len);
  g_checksum_get_digest (sum, digest, &digest_len);
  g_assert (digest_len == GLINT_IMAGE_DIGEST_SIZE);
}

static GlintImage *
parse_layout (const guint8  *data,
              gsize          len,
              gboolean       extended,
              GError       **error)
{
  g_autoptr(GlintImage) image = NULL;
  guint n_segments;
  gsize pos = GLINT_IMAGE_HEADER_SIZE;
  guint8 checksum = 0xEF;

  if (len < GLINT_IMAGE_HEADER_SIZE)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("truncated: %lu bytes are too few for an image header"),
                   (gulong) len);
      return NULL;
    }

  if (data[0] != GLINT_IMAGE_MAGIC)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("not an image: bad magic byte 0x%02x (expected 0xe9)"), data[0]);
      return NULL;
    }

  n_segments = data[1];
  if (n_segments == 0 || n_segments > GLINT_IMAGE_MAX_SEGMENTS)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("not an image: invalid segment count %u (1 to %u allowed)"),
                   n_segments, GLINT_IMAGE_MAX_SEGMENTS);
      return NULL;
    }

  image = g_rc_box_new0 (GlintImage);
  image->segments = g_array_new (FALSE, FALSE, sizeof (GlintImageSegment));
  image->has_extended_header = extended;
  image->flash_mode = data[2];
  image->flash_size_code = data[3] >> 4;
  image->flash_freq_code = data[3] & 0x0F;
  image->entry = glint_read_u32 (data + 4);

  if (extended)
    {
      const guint8 *ext = data + GLINT_IMAGE_HEADER_SIZE;

      if (len < GLINT_IMAGE_HEADER_SIZE + GLINT_IMAGE_EXT_HEADER_SIZE)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("truncated: the extended header needs %u bytes, the file has %lu"),
                       GLINT_IMAGE_HEADER_SIZE + GLINT_IMAGE_EXT_HEADER_SIZE, (gulong) len);
          return NULL;
        }

      image->wp_pin = ext[0];
      image->chip_id = glint_read_u16 (ext + 4);
      image->min_rev = ext[6];
      image->min_rev_full = glint_read_u16 (ext + 7);
      image->max_rev_full = glint_read_u16 (ext + 9);
      if (ext[15] > 1)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("not an image: invalid hash_appended value 0x%02x (0 or 1 allowed)"),
                       ext[15]);
          return NULL;
        }
      image->hash_appended = ext[15] == 1;
      pos += GLINT_IMAGE_EXT_HEADER_SIZE;
    }

  for (guint i = 0; i < n_segments; i++)
    {
      GlintImageSegment seg;

      if (len - pos < 8)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("truncated: header of segment %u of %u at 0x%lx is past the end "
                         "of the file (%lu bytes)"),
                       i, n_segments, (gulong) pos, (gulong) len);
          return NULL;
        }

      seg.load_addr = glint_read_u32 (data + pos);
      seg.length = glint_read_u32 (data + pos + 4);
      pos += 8;
      seg.file_offset = pos;

      if (seg.length > len - pos)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("segment %u (load address 0x%08x) overflows the file: it is %u "
                         "bytes long but only %lu bytes remain"),
                       i, seg.load_addr, seg.length, (gulong) (len - pos));
          return NULL;
        }

      for (gsize j = 0; j < seg.length; j++)
        checksum ^= data[pos + j];
      pos += seg.length;
      g_array_append_val (image->segments, seg);
    }

  /* Zero padding puts the checksum at an offset ≡ 15 (mod 16). */
  image->checksum_offset = pos | 0xF;
  if (image->checksum_offset >= len)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("truncated: the checksum byte at 0x%lx is past the end of the file "
                     "(%lu bytes)"),
                   (gulong) image->checksum_offset, (gulong) len);
      return NULL;
    }

  image->checksum = data[image->checksum_offset];
  image->data_length = image->checksum_offset + 1;
  if (image->checksum != checksum)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_IMAGE_CORRUPT,
                   _("image checksum mismatch: stored 0x%02x, computed 0x%02x"),
                   image->checksum, checksum);
      return NULL;
    }

  image->image_length = image->data_length;
  if (image->hash_appended)
    {
      guint8 digest[GLINT_IMAGE_DIGEST_SIZE];

      if (len - image->data_length < GLINT_IMAGE_DIGEST_SIZE)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("truncated: the SHA-256 digest after offset 0x%lx is missing"),
                       (gulong) image->data_length);
          return NULL;
        }

      compute_sha256 (data, image->data_length, digest);
      if (memcmp (digest, data + image->data_length, GLINT_IMAGE_DIGEST_SIZE) != 0)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_IMAGE_CORRUPT,
                       _("image SHA-256 digest mismatch at offset 0x%lx"),
                       (gulong) image->data_length);
          return NULL;
        }
      image->image_length += GLINT_IMAGE_DIGEST_SIZE;
    }

  return g_steal_pointer (&image);
}

/* Without a chip we guess: an extended header has a known chip id and a
 * 0/1 hash byte; in an ESP8266 image those bytes are segment header and
 * data. If the guess fails we still try the other layout. */
static gboolean
guess_extended (const guint8 *data,
                gsize         len)
{
  if (len < GLINT_IMAGE_HEADER_SIZE + GLINT_IMAGE_EXT_HEADER_SIZE)
    return FALSE;

  return glint_chip_image_from_id (glint_read_u16 (data + 12)) != NULL && data[23] <= 1;
}

/**
 * glint_image_parse:
 * @bytes: the file contents, starting with the image
 * @chip: (nullable): the chip the image is for, or %NULL to detect whether
 *   there is an extended header
 * @error: return location for a #GError
 *
 * Parses and checks an app or bootloader image: the header, every segment
 * within the data, the checksum and, when appended, the SHA-256 digest.
 * Bytes after the image are ignored.
 *
 * Returns: (transfer full): the parsed image, or %NULL with
 *   %GLINT_ERROR_INVALID_IMAGE (not an image, truncated, segment overflow)
 *   or %GLINT_ERROR_IMAGE_CORRUPT (checksum or digest mismatch)
 */
GlintImage *
glint_image_parse (GBytes      *bytes,
                   const char  *chip,
                   GError     **error)
{
  const guint8 *data;
  gsize len;
  g_autoptr(GError) local_error = NULL;
  GlintImage *image;
  gboolean extended;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &len);

  if (chip != NULL)
    {
      const GlintChipImage *facts = lookup_chip (chip);

      if (facts == NULL)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                       _("unknown chip “%s”"), chip);
          return NULL;
        }
      return parse_layout (data, len, facts->image_chip_id != GLINT_CHIP_NO_IMAGE_ID, error);
    }

  extended = guess_extended (data, len);
  image = parse_layout (data, len, extended, &local_error);
  if (image != NULL)
    return image;

  /* Bad magic or count is the same in both layouts. */
  if (len >= GLINT_IMAGE_HEADER_SIZE && data[0] == GLINT_IMAGE_MAGIC &&
      data[1] >= 1 && data[1] <= GLINT_IMAGE_MAX_SEGMENTS)
    {
      image = parse_layout (data, len, !extended, NULL);
      if (image != NULL)
        return image;
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

guint
glint_image_get_n_segments (const GlintImage *image)
{
  g_return_val_if_fail (image != NULL, 0);

  return image->segments->len;
}

const GlintImageSegment *
glint_image_get_segment (const GlintImage *image,
                         guint             index)
{
  g_return_val_if_fail (image != NULL, NULL);
  g_return_val_if_fail (index < image->segments->len, NULL);

  return &g_array_index (image->segments, GlintImageSegment, index);
}

/**
 * glint_image_get_chip_name:
 * @image: a #GlintImage
 *
 * Returns: (nullable): "esp8266" for images without extended header, the
 *   chip named by the chip id otherwise, %NULL for unknown ids
 */
const char *
glint_image_get_chip_name (const GlintImage *image)
{
  g_return_val_if_fail (image != NULL, NULL);

  if (!image->has_extended_header)
    return "esp8266";
  return glint_image_chip_from_id (image->chip_id);
}

/**
 * glint_image_get_flash_mode_name:
 * @image: a #GlintImage
 *
 * Returns: "qio", "qout", "dio", "dout", "fast_read", "slow_read" or "unknown"
 */
const char *
glint_image_get_flash_mode_name (const GlintImage *image)
{
  g_return_val_if_fail (image != NULL, NULL);

  switch (image->flash_mode)
    {
    case 0: return "qio";
    case 1: return "qout";
    case 2: return "dio";
    case 3: return "dout";
    case 4: return "fast_read";
    case 5: return "slow_read";
    default: return "unknown";
    }
}

static gboolean
is_keep (const char *value)
{
  return value == NULL || g_str_equal (value, "keep");
}

/**
 * glint_image_patch_header:
 * @bytes: data starting with a bootloader image
 * @chip: (nullable): the target chip; %NULL takes it from the image
 * @flash_mode: (nullable): "qio", "qout", "dio", "dout", or %NULL/"keep"
 * @flash_freq: (nullable): e.g. "40m", "80m" (chip dependent), or %NULL/"keep"
 * @flash_size: (nullable): e.g. "4MB", or %NULL/"keep"
 * @error: return location for a #GError
 *
 * Rewrites the flash settings in the image header as esptool does when it
 * writes the bootloader (protocol.md §8.4). When a SHA-256 digest is
 * appended it is recomputed, since the ROM checks it; bytes after the
 * digest (the rest of a merged binary) are kept as they are.
 *
 * Returns: (transfer full): the patched data (@bytes itself when all are
 *   "keep"), or %NULL with %GLINT_ERROR_INVALID_ARGUMENT for values the chip
 *   does not know, or an image error when @bytes is not a valid image
 */
GBytes *
glint_image_patch_header (GBytes      *bytes,
                          const char  *chip,
                          const char  *flash_mode,
                          const char  *flash_freq,
                          const char  *flash_size,
                          GError     **error)
{
  g_autoptr(GlintImage) image = NULL;
  const GlintChipImage *facts;
  const guint8 *src;
  guint8 *data;
  gsize len;
  gint mode_code = 0;
  gint freq_code = 0;
  gint size_code = 0;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (is_keep (flash_mode) && is_keep (flash_freq) && is_keep (flash_size))
    return g_bytes_ref (bytes);

  image = glint_image_parse (bytes, chip, error);
  if (image == NULL)
    {
      g_prefix_error (error, _("cannot change the flash settings: "));
      return NULL;
    }

  facts = lookup_chip (chip != NULL ? chip : glint_image_get_chip_name (image));
  if (facts == NULL)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   _("cannot change the flash settings: unknown image chip id %u"),
                   image->chip_id);
      return NULL;
    }
  if (!is_keep (flash_mode) && (mode_code = glint_chip_image_flash_mode_code (flash_mode)) < 0)
    {
      g_autofree char *allowed = glint_chip_image_flash_mode_names ();

      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   _("unknown flash mode “%s” (use %s or keep)"), flash_mode, allowed);
      return NULL;
    }

  if (!is_keep (flash_freq) &&
      (freq_code = glint_chip_image_flash_freq_code (facts, flash_freq)) < 0)
    {
      g_autofree char *allowed = glint_chip_image_flash_freq_names (facts);

      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   _("flash frequency “%s” is not possible on %s (use %s or keep)"),
                   flash_freq, facts->name, allowed);
      return NULL;
    }

  if (!is_keep (flash_size) && g_str_equal (flash_size, "detect"))
    {
      g_set_error_literal (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                           "flash size “detect” must be replaced by the detected size "
                           "before patching");
      return NULL;
    }

  if (!is_keep (flash_size) &&
      (size_code = glint_chip_image_flash_size_code (facts, flash_size)) < 0)
    {
      g_autofree char *allowed = glint_chip_image_flash_size_names (facts);

      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   _("flash size “%s” is not possible on %s (use %s or keep)"),
                   flash_size, facts->name, allowed);
      return NULL;
    }

  src = g_bytes_get_data (bytes, &len);
  data = g_memdup2 (src, len);

  if (!is_keep (flash_mode))
    data[2] = mode_code;
  if (!is_keep (flash_freq))
    data[3] = (data[3] & 0xF0) | freq_code;
  if (!is_keep (flash_size))
    data[3] = (data[3] & 0x0F) | size_code;  /* already in the high nibble */

  /* The checksum covers segment data only; the digest covers the header. */
  if (image->hash_appended)
    compute_sha256 (data, image->data_length, data + image->data_length);

  return g_bytes_new_take (data, len);
}
