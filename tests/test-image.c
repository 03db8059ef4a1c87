/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-error.h"
#include "glint-image.h"
#include "glint-test-image.h"
#include "glint-test-utils.h"

static void
assert_digest_ok (GBytes           *bytes,
                  const GlintImage *image)
{
  const guint8 *data = g_bytes_get_data (bytes, NULL);
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  g_checksum_update (sum, data, image->data_length);
  g_checksum_get_digest (sum, digest, &digest_len);
  g_assert_cmpmem (digest, 32, data + image->data_length, 32);
}

static void
test_parse_esp32 (void)
{
  TestImageSpec spec = { .chip_id = 0, .n_segments = 3, .seg_len = 20,
                         .flash_mode = 2, .size_freq = 0x2F,
                         .min_rev_full = 301, .max_rev_full = 399 };
  g_autoptr(GBytes) bytes = test_image_build (&spec);
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintImage) image = NULL;
  const GlintImageSegment *seg;

  image = glint_image_parse (bytes, "esp32", &error);
  g_assert_no_error (error);
  g_assert_nonnull (image);

  g_assert_true (image->has_extended_header);
  g_assert_cmpuint (image->flash_mode, ==, 2);
  g_assert_cmpstr (glint_image_get_flash_mode_name (image), ==, "dio");
  g_assert_cmpuint (image->flash_size_code, ==, 0x2);
  g_assert_cmpuint (image->flash_freq_code, ==, 0xF);
  g_assert_cmphex (image->entry, ==, 0x40080680);
  g_assert_cmpuint (image->wp_pin, ==, 0xEE);
  g_assert_cmpuint (image->chip_id, ==, 0);
  g_assert_cmpstr (glint_image_get_chip_name (image), ==, "esp32");
  g_assert_cmpuint (image->min_rev, ==, 3);
  g_assert_cmpuint (image->min_rev_full, ==, 301);
  g_assert_cmpuint (image->max_rev_full, ==, 399);
  g_assert_false (image->hash_appended);

  g_assert_cmpuint (glint_image_get_n_segments (image), ==, 3);
  seg = glint_image_get_segment (image, 0);
  g_assert_cmphex (seg->load_addr, ==, 0x3FF00000);
  g_assert_cmpuint (seg->length, ==, 20);
  g_assert_cmpuint (seg->file_offset, ==, 32);
  seg = glint_image_get_segment (image, 2);
  g_assert_cmphex (seg->load_addr, ==, 0x3FF20000);
  g_assert_cmpuint (seg->file_offset, ==, 32 + 2 * 28);

  /* 24 + 3 * 28 = 108 → checksum at 111 */
  g_assert_cmpuint (image->checksum_offset, ==, 111);
  g_assert_cmpuint (image->data_length, ==, 112);
  g_assert_cmpuint (image->image_length, ==, 112);
  g_assert_cmpuint (image->image_length, ==, g_bytes_get_size (bytes));

  /* Detected without naming the chip, too. */
  g_clear_pointer (&image, glint_image_unref);
  image = glint_image_parse (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (image->has_extended_header);
  g_assert_cmpuint (glint_image_get_n_segments (image), ==, 3);
}

static void
test_parse_esp32s3_digest (void)
{
  TestImageSpec spec = { .chip_id = 9, .hash = TRUE, .trailer_len = 100 };
  g_autoptr(GBytes) bytes = test_image_build (&spec);
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintImage) image = NULL;

  image = glint_image_parse (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (image->hash_appended);
  g_assert_cmpstr (glint_image_get_chip_name (image), ==, "esp32s3");
  g_assert_cmpuint (image->data_length % 16, ==, 0);
  g_assert_cmpuint (image->image_length, ==, image->data_length + 32);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, image->image_length + 100);
}

static void
test_parse_esp8266 (void)
{
  TestImageSpec spec = { .chip_id = -1, .n_segments = 1, .seg_len = 40,
                         .size_freq = 0x40 };
  g_autoptr(GBytes) bytes = test_image_build (&spec);
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintImage) image = NULL;

  image = glint_image_parse (bytes, "esp8266", &error);
  g_assert_no_error (error);
  g_assert_false (image->has_extended_header);
  g_assert_cmpuint (image->flash_size_code, ==, 4);
  g_assert_cmpuint (glint_image_get_segment (image, 0)->file_offset, ==, 16);
  g_assert_cmpuint (image->checksum_offset, ==, 63);
  g_assert_cmpstr (glint_image_get_chip_name (image), ==, "esp8266");

  g_clear_pointer (&image, glint_image_unref);
  image = glint_image_parse (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (image->has_extended_header);

  /* Naming another chip forces the extended layout, which does not fit. */
  g_clear_pointer (&image, glint_image_unref);
  image = glint_image_parse (bytes, "esp32", &error);
  g_assert_null (image);
  g_assert_nonnull (error);
}

static void
test_looks_like_image (void)
{
  TestImageSpec spec = { .chip_id = 0 };
  g_autoptr(GBytes) image = test_image_build (&spec);
  static const guint8 ff[32] = { 0xFF, 0xFF, 0xFF, 0xFF };
  static const guint8 partitions[32] = { 0xAA, 0x50, 0x01, 0x02 };
  static const guint8 short_image[4] = { 0xE9, 0x02, 0x00, 0x00 };
  static const guint8 zero_segments[32] = { 0xE9, 0x00 };
  g_autoptr(GBytes) b1 = g_bytes_new_static (ff, sizeof ff);
  g_autoptr(GBytes) b2 = g_bytes_new_static (partitions, sizeof partitions);
  g_autoptr(GBytes) b3 = g_bytes_new_static (short_image, sizeof short_image);
  g_autoptr(GBytes) b4 = g_bytes_new_static (zero_segments, sizeof zero_segments);

  g_assert_true (glint_image_looks_like_image (image));
  g_assert_false (glint_image_looks_like_image (b1));
  g_assert_false (glint_image_looks_like_image (b2));
  g_assert_false (glint_image_looks_like_image (b3));
  g_assert_false (glint_image_looks_like_image (b4));
}

static void
assert_parse_error (GBytes     *bytes,
                    const char *chip,
                    int         code,
                    const char *word)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintImage) image = glint_image_parse (bytes, chip, &error);

  g_assert_null (image);
  g_assert_error (error, GLINT_ERROR, code);
  if (strstr (error->message, word) == NULL)
    g_error ("“%s” not in “%s”", word, error->message);
}

static void
test_bad_magic (void)
{
  TestImageSpec spec = { .chip_id = 0 };
  g_autoptr(GBytes) bytes = test_image_build (&spec);
  g_autoptr(GBytes) bad = test_image_poke (bytes, 0, 0xE8);
  g_autoptr(GBytes) count = test_image_poke (bytes, 1, 17);

  assert_parse_error (bad, "esp32", GLINT_ERROR_INVALID_IMAGE, "magic");
  assert_parse_error (bad, NULL, GLINT_ERROR_INVALID_IMAGE, "magic");
  assert_parse_error (count, "esp32", GLINT_ERROR_INVALID_IMAGE, "segment count");
}

static void
test_segment_overflow (void)
{
  TestImageSpec spec = { .chip_id = 9, .n_segments = 2 };
  g_autoptr(GBytes) bytes = test_image_build (&spec);
  /* length of segment 0 lives at 24 + 4 */
  g_autoptr(GBytes) bad = test_image_poke (bytes, 24 + 5, 0x10);
  g_autoptr(GBytes) cut = g_bytes_new_from_bytes (bytes, 0, 24 + 8 + 64 + 4);
  g_autoptr(GBytes) no_sum = g_bytes_new_from_bytes (bytes, 0, g_bytes_get_size (bytes) - 1);
  g_autoptr(GBytes) no_ext = g_bytes_new_from_bytes (bytes, 0, 20);

  assert_parse_error (bad, "esp32s3", GLINT_ERROR_INVALID_IMAGE, "segment 0");
  assert_parse_error (bad, "esp32s3", GLINT_ERROR_INVALID_IMAGE, "overflows");
  assert_parse_error (cut, "esp32s3", GLINT_ERROR_INVALID_IMAGE, "truncated");
  assert_parse_error (no_sum, "esp32s3", GLINT_ERROR_INVALID_IMAGE, "checksum");
  assert_parse_error (no_sum, "esp32s3", GLINT_ERROR_INVALID_IMAGE, "truncated");
  assert_parse_error (no_ext, "esp32s3", GLINT_ERROR_INVALID_IMAGE, "truncated");
}

static void
test_checksum_mismatch (void)
{
  TestImageSpec spec = { .chip_id = 5 };
  g_autoptr(GBytes) bytes = test_image_build (&spec);
  const guint8 *data = g_bytes_get_data (bytes, NULL);
  /* first data byte of segment 0 */
  g_autoptr(GBytes) bad = test_image_poke (bytes, 32, data[32] ^ 0x01);

  assert_parse_error (bad, "esp32c3", GLINT_ERROR_IMAGE_CORRUPT, "checksum");
  assert_parse_error (bad, NULL, GLINT_ERROR_IMAGE_CORRUPT, "checksum");
}

static void
test_digest_mismatch (void)
{
  TestImageSpec spec = { .chip_id = 13, .hash = TRUE };
  g_autoptr(GBytes) bytes = test_image_build (&spec);
  gsize len = g_bytes_get_size (bytes);
  const guint8 *data = g_bytes_get_data (bytes, NULL);
  g_autoptr(GBytes) bad_digest = test_image_poke (bytes, len - 1, data[len - 1] ^ 0x80);
  /* the header is not in the checksum but is in the digest */
  g_autoptr(GBytes) bad_header = test_image_poke (bytes, 2, 3);
  g_autoptr(GBytes) no_digest = g_bytes_new_from_bytes (bytes, 0, len - 10);

  assert_parse_error (bad_digest, "esp32c6", GLINT_ERROR_IMAGE_CORRUPT, "digest");
  assert_parse_error (bad_header, "esp32c6", GLINT_ERROR_IMAGE_CORRUPT, "digest");
  assert_parse_error (no_digest, "esp32c6", GLINT_ERROR_INVALID_IMAGE, "digest");
}

static void
test_patch_keep (void)
{
  TestImageSpec spec = { .chip_id = 0, .flash_mode = 2, .size_freq = 0x1F };
  g_autoptr(GBytes) bytes = test_image_build (&spec);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) same = NULL;
  g_autoptr(GBytes) keep = NULL;

  same = glint_image_patch_header (bytes, "esp32", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (same == bytes);

  keep = glint_image_patch_header (bytes, "esp32", "keep", "keep", "keep", &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (keep, bytes));
}

static void
test_patch_replace (void)
{
  TestImageSpec spec = { .chip_id = 9, .flash_mode = 2, .size_freq = 0x1F,
                         .hash = TRUE, .trailer_len = 4096 };
  g_autoptr(GBytes) bytes = test_image_build (&spec);
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintImage) orig = glint_image_parse (bytes, "esp32s3", &error);
  gsize len = g_bytes_get_size (bytes);
  const guint8 *data;
  const guint8 *odata = g_bytes_get_data (bytes, NULL);
  g_autoptr(GBytes) mode = NULL;
  g_autoptr(GBytes) freq = NULL;
  g_autoptr(GBytes) size = NULL;
  g_autoptr(GBytes) all = NULL;
  g_autoptr(GlintImage) patched = NULL;

  g_assert_no_error (error);

  mode = glint_image_patch_header (bytes, "esp32s3", "qio", NULL, "keep", &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (mode, NULL);
  g_assert_cmpuint (data[2], ==, 0);
  g_assert_cmphex (data[3], ==, 0x1F);

  freq = glint_image_patch_header (bytes, "esp32s3", "keep", "40m", NULL, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (freq, NULL);
  g_assert_cmpuint (data[2], ==, 2);
  g_assert_cmphex (data[3], ==, 0x10);

  size = glint_image_patch_header (bytes, "esp32s3", NULL, NULL, "16MB", &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (size, NULL);
  g_assert_cmphex (data[3], ==, 0x4F);

  all = glint_image_patch_header (bytes, NULL, "dout", "20m", "4MB", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (all), ==, len);
  data = g_bytes_get_data (all, NULL);
  g_assert_cmpuint (data[2], ==, 3);
  g_assert_cmphex (data[3], ==, 0x22);

  /* Digest recomputed over the patched header, trailer untouched. */
  assert_digest_ok (all, orig);
  g_assert_cmpmem (data + orig->image_length, len - orig->image_length,
                   odata + orig->image_length, len - orig->image_length);
  g_assert_cmpmem (data + 4, orig->data_length - 4, odata + 4, orig->data_length - 4);
  patched = glint_image_parse (all, "esp32s3", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (patched->flash_mode, ==, 3);

  assert_digest_ok (mode, orig);
  assert_digest_ok (freq, orig);
  assert_digest_ok (size, orig);
}

static void
test_patch_codes (void)
{
  TestImageSpec s8266 = { .chip_id = -1, .size_freq = 0x00 };
  TestImageSpec s32 = { .chip_id = 0 };
  TestImageSpec sc6 = { .chip_id = 13, .size_freq = 0x0F };
  TestImageSpec sh2 = { .chip_id = 16 };
  TestImageSpec sc2 = { .chip_id = 12 };
  g_autoptr(GBytes) b8266 = test_image_build (&s8266);
  g_autoptr(GBytes) b32 = test_image_build (&s32);
  g_autoptr(GBytes) bc6 = test_image_build (&sc6);
  g_autoptr(GBytes) bh2 = test_image_build (&sh2);
  g_autoptr(GBytes) bc2 = test_image_build (&sc2);
  struct {
    GBytes *bytes;
    const char *chip, *freq, *size;
    guint8 expected;
  } cases[] = {
    { b8266, "esp8266", "80m", "4MB", 0x4F },
    { b8266, "esp8266", "40m", "512KB", 0x00 },
    { b8266, "esp8266", "26m", "256KB", 0x11 },
    { b8266, "esp8266", "20m", "1MB", 0x22 },
    { b8266, NULL, NULL, "2MB", 0x30 },
    { b8266, "esp8266", NULL, "2MB-c1", 0x50 },
    { b8266, "esp8266", NULL, "16MB", 0x90 },
    { b32, "esp32", "80m", "4MB", 0x2F },
    { b32, "esp32", "40m", "1MB", 0x00 },
    { b32, "esp32", "26m", "128MB", 0x71 },
    { bc6, "esp32c6", "80m", NULL, 0x00 },
    { bc6, "esp32c6", "20m", "8MB", 0x32 },
    { bh2, "esp32h2", "48m", "2MB", 0x1F },
    { bh2, "esp32h2", "16m", NULL, 0x01 },
    { bc2, "esp32c2", "60m", NULL, 0x0F },
    { bc2, "esp32c2", "15m", NULL, 0x02 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) out = glint_image_patch_header (cases[i].bytes, cases[i].chip, NULL,
                                                        cases[i].freq, cases[i].size,
                                                        &error);
      const guint8 *data;

      g_assert_no_error (error);
      data = g_bytes_get_data (out, NULL);
      g_assert_cmphex (data[3], ==, cases[i].expected);
    }
}

static void
test_patch_errors (void)
{
  TestImageSpec s32 = { .chip_id = 0 };
  TestImageSpec s8266 = { .chip_id = -1 };
  TestImageSpec sc6 = { .chip_id = 13 };
  g_autoptr(GBytes) b32 = test_image_build (&s32);
  g_autoptr(GBytes) b8266 = test_image_build (&s8266);
  g_autoptr(GBytes) bc6 = test_image_build (&sc6);
  g_autoptr(GBytes) bad = test_image_poke (b32, 0, 0x00);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;

  out = glint_image_patch_header (b32, "esp32", "fast", NULL, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "fast"));
  g_clear_error (&error);

  out = glint_image_patch_header (bc6, "esp32c6", NULL, "26m", NULL, &error);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "esp32c6"));
  g_clear_error (&error);

  out = glint_image_patch_header (b32, "esp32", NULL, NULL, "detect", &error);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* 512KB only exists on the ESP8266, 32MB only on later chips */
  out = glint_image_patch_header (b32, "esp32", NULL, NULL, "512KB", &error);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  out = glint_image_patch_header (b8266, "esp8266", NULL, NULL, "32MB", &error);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  out = glint_image_patch_header (bad, "esp32", "dio", NULL, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE);
  g_assert_nonnull (strstr (error->message, "magic"));
}

static void
test_chip_facts (void)
{
  guint16 id = 0xFFFF;

  g_assert_cmphex (glint_image_chip_bootloader_offset ("esp8266"), ==, 0x0);
  g_assert_cmphex (glint_image_chip_bootloader_offset ("esp32"), ==, 0x1000);
  g_assert_cmphex (glint_image_chip_bootloader_offset ("esp32s2"), ==, 0x1000);
  g_assert_cmphex (glint_image_chip_bootloader_offset ("esp32s3"), ==, 0x0);
  g_assert_cmphex (glint_image_chip_bootloader_offset ("esp32c5"), ==, 0x2000);
  g_assert_cmphex (glint_image_chip_bootloader_offset ("ESP32-P4"), ==, 0x2000);
  g_assert_true (glint_image_chip_get_id ("esp32c61", &id));
  g_assert_cmpuint (id, ==, 20);
  g_assert_false (glint_image_chip_get_id ("esp8266", &id));
  g_assert_false (glint_image_chip_is_known ("esp31"));
  g_assert_cmpstr (glint_image_chip_from_id (23), ==, "esp32c5");
  g_assert_null (glint_image_chip_from_id (99));
  g_assert_cmpstr (glint_image_chip_from_family ("ESP32-S3"), ==, "esp32s3");
  g_assert_cmpstr (glint_image_chip_to_family ("esp32h2"), ==, "ESP32-H2");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/glint/image/parse-esp32", test_parse_esp32);
  g_test_add_func ("/glint/image/parse-esp32s3-digest", test_parse_esp32s3_digest);
  g_test_add_func ("/glint/image/parse-esp8266", test_parse_esp8266);
  g_test_add_func ("/glint/image/looks-like-image", test_looks_like_image);
  g_test_add_func ("/glint/image/bad-magic", test_bad_magic);
  g_test_add_func ("/glint/image/segment-overflow", test_segment_overflow);
  g_test_add_func ("/glint/image/checksum-mismatch", test_checksum_mismatch);
  g_test_add_func ("/glint/image/digest-mismatch", test_digest_mismatch);
  g_test_add_func ("/glint/image/patch-keep", test_patch_keep);
  g_test_add_func ("/glint/image/patch-replace", test_patch_replace);
  g_test_add_func ("/glint/image/patch-codes", test_patch_codes);
  g_test_add_func ("/glint/image/patch-errors", test_patch_errors);
  g_test_add_func ("/glint/image/chip-facts", test_chip_facts);

  return g_test_run ();
}
