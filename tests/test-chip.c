/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-test-utils.h"

#include "glint-chip.h"
#include "glint-error.h"

/* Expected values are protocol.md's (§4, §5, §12.1), copied by hand so the
 * tests do not just re-read the table. */

static void
test_lookup_spellings (void)
{
  static const struct
  {
    const char *name;
    const char *display;
    const char *dashed;
  } names[] = {
    { "esp8266", "ESP8266", "esp8266" },
    { "esp32", "ESP32", "esp32" },
    { "esp32s2", "ESP32-S2", "esp32-s2" },
    { "esp32s3", "ESP32-S3", "esp32-s3" },
    { "esp32c2", "ESP32-C2", "esp32-c2" },
    { "esp32c3", "ESP32-C3", "esp32-c3" },
    { "esp32c5", "ESP32-C5", "esp32-c5" },
    { "esp32c6", "ESP32-C6", "esp32-c6" },
    { "esp32c61", "ESP32-C61", "esp32-c61" },
    { "esp32h2", "ESP32-H2", "esp32-h2" },
    { "esp32p4", "ESP32-P4", "esp32-p4" },
  };
  const GlintChip *all;
  guint n = 0;

  all = glint_chip_get_all (&n);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (names));

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const GlintChip *chip = glint_chip_lookup (names[i].name);
      g_autofree char *upper = g_ascii_strup (names[i].name, -1);

      g_assert_nonnull (chip);
      g_assert_true (chip == &all[i]);
      g_assert_cmpstr (chip->name, ==, names[i].name);
      g_assert_cmpstr (chip->display_name, ==, names[i].display);
      g_assert_true (glint_chip_lookup (names[i].display) == chip);
      g_assert_true (glint_chip_lookup (names[i].dashed) == chip);
      g_assert_true (glint_chip_lookup (upper) == chip);
    }
}

static void
test_lookup_failures (void)
{
  const char *bad[] = {
    "", "esp", "esp32s", "esp32-s9", "esp 32", "esp32s3 ", " esp32", "esp32s3beta",
    "esp32_s3", "esp32c61x", "esp8285", "ESP32-S3(beta2)",
  };
  g_autofree char *valid = glint_chip_valid_names ();

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_null (glint_chip_lookup (bad[i]));

  g_assert_cmpstr (valid, ==,
                   "esp8266, esp32, esp32s2, esp32s3, esp32c2, esp32c3, esp32c5, "
                   "esp32c6, esp32c61, esp32h2, esp32p4");
}

static void
test_security_info_ids (void)
{
  static const struct
  {
    guint32     id;
    const char *name;
  } ids[] = {
    { 9, "esp32s3" }, { 12, "esp32c2" }, { 5, "esp32c3" }, { 23, "esp32c5" },
    { 13, "esp32c6" }, { 20, "esp32c61" }, { 16, "esp32h2" }, { 18, "esp32p4" },
  };
  /* beta chips esptool lists as unsupported, and the ids of chips that are
   * identified by magic (ESP32 0, ESP32-S2 2), and nonsense */
  const guint32 none[] = { 4, 6, 7, 10, 14, 17, 0, 2, 1, 99, 0xFFFFFFFF };

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      const GlintChip *chip = glint_chip_from_security_info_id (ids[i].id);

      g_assert_nonnull (chip);
      g_assert_cmpstr (chip->name, ==, ids[i].name);
      g_assert_cmpint (chip->image_chip_id, ==, ids[i].id);
    }

  for (guint i = 0; i < G_N_ELEMENTS (none); i++)
    g_assert_null (glint_chip_from_security_info_id (none[i]));

  g_assert_cmpstr (glint_chip_describe_unsupported_id (4), ==, "ESP32-S3(beta2)");
  g_assert_cmpstr (glint_chip_describe_unsupported_id (6), ==, "ESP32-S3(beta3)");
  g_assert_cmpstr (glint_chip_describe_unsupported_id (7), ==, "ESP32-C6(beta)");
  g_assert_cmpstr (glint_chip_describe_unsupported_id (10), ==, "ESP32-H2(beta1)");
  g_assert_cmpstr (glint_chip_describe_unsupported_id (14), ==, "ESP32-H2(beta2)");
  g_assert_cmpstr (glint_chip_describe_unsupported_id (17), ==, "ESP32-C5(beta3)");
  g_assert_null (glint_chip_describe_unsupported_id (9));

  g_assert_cmpint (glint_chip_lookup ("esp8266")->image_chip_id, ==, GLINT_CHIP_NO_IMAGE_ID);
  g_assert_cmpint (glint_chip_lookup ("esp32")->image_chip_id, ==, 0);
  g_assert_cmpint (glint_chip_lookup ("esp32s2")->image_chip_id, ==, 2);
}

static void
test_magic (void)
{
  static const struct
  {
    guint32     magic;
    const char *name;
  } magics[] = {
    { 0xFFF0C101, "esp8266" }, { 0x00F01D83, "esp32" }, { 0x000007C6, "esp32s2" },
    { 0x9, "esp32s3" },
    { 0x6F51306F, "esp32c2" }, { 0x7C41A06F, "esp32c2" }, { 0x0C21E06F, "esp32c2" },
    { 0x6921506F, "esp32c3" }, { 0x1B31506F, "esp32c3" }, { 0x4881606F, "esp32c3" },
    { 0x4361606F, "esp32c3" },
    { 0x1101406F, "esp32c5" }, { 0x2CE0806F, "esp32c6" },
    { 0x33F0206F, "esp32c61" }, { 0x2421606F, "esp32c61" },
    { 0xD7B73E80, "esp32h2" },
    { 0x0, "esp32p4" }, { 0x0ADDBAD0, "esp32p4" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (magics); i++)
    {
      const GlintChip *chip = glint_chip_from_magic (magics[i].magic);

      g_assert_nonnull (chip);
      g_assert_cmpstr (chip->name, ==, magics[i].name);
    }

  g_assert_null (glint_chip_from_magic (0xDEADBEEF));
  g_assert_null (glint_chip_from_magic (0xFFFFFFFF));
  g_assert_null (glint_chip_from_magic (0x20120707));

  /* current esptool uses magic only for these three (§4) */
  g_assert_true (glint_chip_lookup ("esp8266")->uses_magic);
  g_assert_true (glint_chip_lookup ("esp32")->uses_magic);
  g_assert_true (glint_chip_lookup ("esp32s2")->uses_magic);
  g_assert_false (glint_chip_lookup ("esp32s3")->uses_magic);
}

static void
assert_mac (const guint8 *mac,
            const guint8 *expected)
{
  g_autofree char *got = g_strdup_printf ("%02X:%02X:%02X:%02X:%02X:%02X",
                                          mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
  g_autofree char *want = g_strdup_printf ("%02X:%02X:%02X:%02X:%02X:%02X",
                                           expected[0], expected[1], expected[2],
                                           expected[3], expected[4], expected[5]);

  g_assert_cmpstr (got, ==, want);
}

static void
test_mac_esp8266 (void)
{
  const GlintChip *chip = glint_chip_lookup ("esp8266");
  const guint32 *regs;
  guint n = 0;
  guint8 mac[6];
  g_autoptr(GError) error = NULL;

  regs = glint_chip_get_mac_registers (chip, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmphex (regs[0], ==, 0x3FF00050);
  g_assert_cmphex (regs[1], ==, 0x3FF00054);
  g_assert_cmphex (regs[2], ==, 0x3FF0005C);

  /* mac3 != 0: OUI from mac3 bytes 2..0; tail mac1 bytes 1, 0, mac0 byte 3 */
  {
    const guint32 w[] = { 0xAB000000, 0x00123456, 0x00A0B0C0 };
    const guint8 want[] = { 0xA0, 0xB0, 0xC0, 0x34, 0x56, 0xAB };
    g_assert_true (glint_chip_decode_mac (chip, w, mac, &error));
    g_assert_no_error (error);
    assert_mac (mac, want);
  }
  /* mac3 == 0, selector 0: Espressif's 18:FE:34 */
  {
    const guint32 w[] = { 0x7F112233, 0x00009ABC, 0 };
    const guint8 want[] = { 0x18, 0xFE, 0x34, 0x9A, 0xBC, 0x7F };
    g_assert_true (glint_chip_decode_mac (chip, w, mac, &error));
    assert_mac (mac, want);
  }
  /* mac3 == 0, selector 1: AC:D0:74 */
  {
    const guint32 w[] = { 0x01FFFFFF, 0x00010203, 0 };
    const guint8 want[] = { 0xAC, 0xD0, 0x74, 0x02, 0x03, 0x01 };
    g_assert_true (glint_chip_decode_mac (chip, w, mac, &error));
    assert_mac (mac, want);
  }
  /* mac3 == 0 and an unknown selector */
  {
    const guint32 w[] = { 0x01FFFFFF, 0x00020203, 0 };
    g_assert_false (glint_chip_decode_mac (chip, w, mac, &error));
    g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_RESPONSE);
  }
}

static void
test_mac_esp32 (void)
{
  const GlintChip *chip = glint_chip_lookup ("esp32");
  const guint32 *regs;
  guint n = 0;
  guint8 mac[6];
  /* word 1 = 0x11223344, word 2 = 0xABCD5566 -> AB CD 55 66 11 22 33 44,
   * drop the CRC bytes AB CD */
  const guint32 w[] = { 0x11223344, 0xABCD5566 };
  const guint8 want[] = { 0x55, 0x66, 0x11, 0x22, 0x33, 0x44 };

  regs = glint_chip_get_mac_registers (chip, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmphex (regs[0], ==, 0x3FF5A004);
  g_assert_cmphex (regs[1], ==, 0x3FF5A008);

  g_assert_true (glint_chip_decode_mac (chip, w, mac, NULL));
  assert_mac (mac, want);
}

static void
test_mac_later (void)
{
  static const struct
  {
    const char *name;
    guint32     reg;
  } regs_want[] = {
    { "esp32s2", 0x3F41A044 }, { "esp32s3", 0x60007044 }, { "esp32c2", 0x60008840 },
    { "esp32c3", 0x60008844 }, { "esp32c5", 0x600B4844 }, { "esp32c6", 0x600B0844 },
    { "esp32c61", 0x600B4844 }, { "esp32h2", 0x600B0844 }, { "esp32p4", 0x5012D044 },
  };
  /* mac0 = 0x8899AABB, mac1 = 0xFFFF0102: only mac1's low 16 bits count */
  const guint32 w[] = { 0x8899AABB, 0xFFFF0102 };
  const guint8 want[] = { 0x01, 0x02, 0x88, 0x99, 0xAA, 0xBB };

  for (guint i = 0; i < G_N_ELEMENTS (regs_want); i++)
    {
      const GlintChip *chip = glint_chip_lookup (regs_want[i].name);
      const guint32 *regs;
      guint n = 0;
      guint8 mac[6];

      regs = glint_chip_get_mac_registers (chip, &n);
      g_assert_cmpuint (n, ==, 2);
      g_assert_cmphex (regs[0], ==, regs_want[i].reg);
      g_assert_cmphex (regs[1], ==, regs_want[i].reg + 4);

      g_assert_true (glint_chip_decode_mac (chip, w, mac, NULL));
      assert_mac (mac, want);
    }
}

static void
test_jedec (void)
{
  /* manufacturer in bits 7..0, type 15..8, capacity 23..16 */
  g_assert_cmpuint (glint_chip_flash_size_from_jedec (0x1640EF), ==, 4 * 1024 * 1024);
  g_assert_cmpuint (glint_chip_flash_size_from_jedec (0x1840EF), ==, 16 * 1024 * 1024);
  g_assert_cmpuint (glint_chip_flash_size_from_jedec (0x1240C8), ==, 256 * 1024);
  g_assert_cmpuint (glint_chip_flash_size_from_jedec (0x1C4020), ==, 256u * 1024 * 1024);
  g_assert_cmpuint (glint_chip_flash_size_from_jedec (0x2060C2), ==, 64 * 1024 * 1024);
  g_assert_cmpuint (glint_chip_flash_size_from_jedec (0x22BA20), ==, 256u * 1024 * 1024);
  g_assert_cmpuint (glint_chip_flash_size_from_jedec (0x32601C), ==, 256 * 1024);
  g_assert_cmpuint (glint_chip_flash_size_from_jedec (0x3A6020), ==, 64 * 1024 * 1024);
  /* the top byte is not part of the id */
  g_assert_cmpuint (glint_chip_flash_size_from_jedec (0xFF1640EF), ==, 4 * 1024 * 1024);

  /* unknown capacity bytes and Adesto's own encoding */
  g_assert_cmpuint (glint_chip_flash_size_from_jedec (0x1140EF), ==, 0);
  g_assert_cmpuint (glint_chip_flash_size_from_jedec (0x3B6020), ==, 0);
  g_assert_cmpuint (glint_chip_flash_size_from_jedec (0x16861F), ==, 0);

  /* no flash / bad connection */
  g_assert_cmpuint (glint_chip_flash_size_from_jedec (0xFFFFFF), ==, 0);
  g_assert_cmpuint (glint_chip_flash_size_from_jedec (0x000000), ==, 0);
  g_assert_cmpuint (glint_chip_flash_size_from_jedec (0xFFFF3F), ==, 0);
  g_assert_true (glint_chip_jedec_is_no_flash (0xFFFFFF));
  g_assert_true (glint_chip_jedec_is_no_flash (0x000000));
  g_assert_true (glint_chip_jedec_is_no_flash (0xFFFF3F));
  g_assert_false (glint_chip_jedec_is_no_flash (0x1640EF));
  g_assert_false (glint_chip_jedec_is_no_flash (0x1140EF));
}

static void
test_size_codes (void)
{
  const GlintChip *esp8266 = glint_chip_lookup ("esp8266");
  const GlintChip *esp32 = glint_chip_lookup ("esp32");
  const GlintChip *c6 = glint_chip_lookup ("esp32c6");

  g_assert_cmpint (glint_chip_flash_size_code (esp8266, "256KB"), ==, 0x10);
  g_assert_cmpint (glint_chip_flash_size_code (esp8266, "512KB"), ==, 0x00);
  g_assert_cmpint (glint_chip_flash_size_code (esp8266, "1MB"), ==, 0x20);
  g_assert_cmpint (glint_chip_flash_size_code (esp8266, "4MB"), ==, 0x40);
  g_assert_cmpint (glint_chip_flash_size_code (esp8266, "2MB-c1"), ==, 0x50);
  g_assert_cmpint (glint_chip_flash_size_code (esp8266, "4MB-c1"), ==, 0x60);
  g_assert_cmpint (glint_chip_flash_size_code (esp8266, "8MB"), ==, 0x80);
  g_assert_cmpint (glint_chip_flash_size_code (esp8266, "16MB"), ==, 0x90);
  g_assert_cmpint (glint_chip_flash_size_code (esp8266, "32MB"), ==, -1);

  g_assert_cmpint (glint_chip_flash_size_code (esp32, "1MB"), ==, 0x00);
  g_assert_cmpint (glint_chip_flash_size_code (esp32, "4MB"), ==, 0x20);
  g_assert_cmpint (glint_chip_flash_size_code (esp32, "16MB"), ==, 0x40);
  g_assert_cmpint (glint_chip_flash_size_code (esp32, "128MB"), ==, 0x70);
  g_assert_cmpint (glint_chip_flash_size_code (esp32, "256KB"), ==, -1);
  g_assert_cmpint (glint_chip_flash_size_code (esp32, "2MB-c1"), ==, -1);
  g_assert_cmpint (glint_chip_flash_size_code (esp32, "detect"), ==, -1);
  g_assert_cmpint (glint_chip_flash_size_code (c6, "2MB"), ==, 0x10);
}

static void
test_freq_codes (void)
{
  const GlintChip *esp8266 = glint_chip_lookup ("esp8266");
  const GlintChip *esp32 = glint_chip_lookup ("esp32");
  const GlintChip *c2 = glint_chip_lookup ("esp32c2");
  const GlintChip *c5 = glint_chip_lookup ("esp32c5");
  const GlintChip *c6 = glint_chip_lookup ("esp32c6");
  const GlintChip *h2 = glint_chip_lookup ("esp32h2");
  const GlintChip *p4 = glint_chip_lookup ("esp32p4");

  g_assert_cmpint (glint_chip_flash_freq_code (esp8266, "80m"), ==, 0xF);
  g_assert_cmpint (glint_chip_flash_freq_code (esp8266, "26m"), ==, 0x1);
  g_assert_cmpint (glint_chip_flash_freq_code (esp32, "40m"), ==, 0x0);
  g_assert_cmpint (glint_chip_flash_freq_code (esp32, "20m"), ==, 0x2);
  g_assert_cmpint (glint_chip_flash_freq_code (esp32, "60m"), ==, -1);

  g_assert_cmpint (glint_chip_flash_freq_code (c2, "60m"), ==, 0xF);
  g_assert_cmpint (glint_chip_flash_freq_code (c2, "30m"), ==, 0x0);
  g_assert_cmpint (glint_chip_flash_freq_code (c2, "20m"), ==, 0x1);
  g_assert_cmpint (glint_chip_flash_freq_code (c2, "15m"), ==, 0x2);
  g_assert_cmpint (glint_chip_flash_freq_code (c2, "80m"), ==, -1);

  g_assert_cmpint (glint_chip_flash_freq_code (c5, "80m"), ==, 0xF);
  g_assert_cmpint (glint_chip_flash_freq_code (c5, "20m"), ==, 0x2);
  g_assert_cmpint (glint_chip_flash_freq_code (c5, "26m"), ==, -1);

  /* the C6 writes 0x0 for 80m too (ROM MSPI divider workaround) */
  g_assert_cmpint (glint_chip_flash_freq_code (c6, "80m"), ==, 0x0);
  g_assert_cmpint (glint_chip_flash_freq_code (c6, "40m"), ==, 0x0);
  g_assert_cmpint (glint_chip_flash_freq_code (c6, "20m"), ==, 0x2);
  g_assert_cmpint (glint_chip_flash_freq_code (c6, "26m"), ==, -1);

  g_assert_cmpint (glint_chip_flash_freq_code (h2, "48m"), ==, 0xF);
  g_assert_cmpint (glint_chip_flash_freq_code (h2, "24m"), ==, 0x0);
  g_assert_cmpint (glint_chip_flash_freq_code (h2, "16m"), ==, 0x1);
  g_assert_cmpint (glint_chip_flash_freq_code (h2, "12m"), ==, 0x2);
  g_assert_cmpint (glint_chip_flash_freq_code (h2, "80m"), ==, -1);

  g_assert_cmpint (glint_chip_flash_freq_code (p4, "80m"), ==, 0xF);
}

static void
test_mode_codes_and_names (void)
{
  const GlintChip *esp8266 = glint_chip_lookup ("esp8266");
  const GlintChip *c2 = glint_chip_lookup ("esp32c2");
  g_autofree char *modes = glint_chip_flash_mode_names ();
  g_autofree char *sizes_8266 = glint_chip_flash_size_names (esp8266);
  g_autofree char *freqs_c2 = glint_chip_flash_freq_names (c2);

  g_assert_cmpint (glint_chip_flash_mode_code ("qio"), ==, 0);
  g_assert_cmpint (glint_chip_flash_mode_code ("QOUT"), ==, 1);
  g_assert_cmpint (glint_chip_flash_mode_code ("dio"), ==, 2);
  g_assert_cmpint (glint_chip_flash_mode_code ("dout"), ==, 3);
  g_assert_cmpint (glint_chip_flash_mode_code ("opi"), ==, -1);

  g_assert_cmpstr (modes, ==, "qio, qout, dio, dout");
  g_assert_cmpstr (sizes_8266, ==, "256KB, 512KB, 1MB, 2MB, 4MB, 2MB-c1, 4MB-c1, 8MB, 16MB");
  g_assert_cmpstr (freqs_c2, ==, "60m, 30m, 20m, 15m");
}

static void
test_image_ids (void)
{
  guint n = 0;
  const GlintChip *all = glint_chip_get_all (&n);

  for (guint i = 0; i < n; i++)
    {
      if (all[i].image_chip_id == GLINT_CHIP_NO_IMAGE_ID)
        continue;
      g_assert_true (glint_chip_from_image_id (all[i].image_chip_id) == &all[i]);
    }
  g_assert_cmpstr (glint_chip_from_image_id (9)->name, ==, "esp32s3");
  g_assert_null (glint_chip_from_image_id (0xFFFF));
}

static void
test_xtal (void)
{
  const GlintChip *esp32 = glint_chip_lookup ("esp32");
  const GlintChip *c2 = glint_chip_lookup ("esp32c2");
  const GlintChip *c3 = glint_chip_lookup ("esp32c3");
  gdouble measured;

  /* 347 × 115200 = 39.97 MHz */
  measured = glint_chip_measure_xtal_mhz (esp32, 347, 115200);
  g_assert_cmpfloat_with_epsilon (measured, 39.9744, 1e-9);
  g_assert_cmpuint (glint_chip_estimate_xtal_mhz (esp32, 347, 115200), ==, 40);
  /* bits above the 20-bit divider are ignored */
  g_assert_cmpuint (glint_chip_estimate_xtal_mhz (esp32, 0x00F00000 | 347, 115200), ==, 40);
  /* 226 × 115200 = 26.03 MHz */
  g_assert_cmpuint (glint_chip_estimate_xtal_mhz (esp32, 226, 115200), ==, 26);
  g_assert_cmpuint (glint_chip_estimate_xtal_mhz (c2, 226, 115200), ==, 26);
  /* the C5's 48 MHz crystal: 417 × 115200 = 48.04 MHz (esptool: above 45) */
  g_assert_cmpuint (glint_chip_estimate_xtal_mhz (glint_chip_lookup ("esp32c5"), 417, 115200),
                    ==, 48);

  /* not known: the ESP8266's divider, the P4's register */
  g_assert_cmpuint (glint_chip_estimate_xtal_mhz (glint_chip_lookup ("esp8266"), 347, 115200),
                    ==, 0);
  g_assert_cmpuint (glint_chip_estimate_xtal_mhz (glint_chip_lookup ("esp32p4"), 347, 115200),
                    ==, 0);

  /* ESP32 ROM: 921600 × 39.9744 / 40 = 921010.2 */
  g_assert_cmpuint (glint_chip_baud_to_send (esp32, 921600, measured, FALSE), ==, 921010);
  g_assert_cmpuint (glint_chip_baud_to_send (esp32, 921600, measured, TRUE), ==, 921600);
  /* C2 ROM on 26 MHz: 921600 × 40 / 26 = 1417846.2; on 40 MHz: exact */
  g_assert_cmpuint (glint_chip_baud_to_send (c2, 921600, 26.03, FALSE), ==, 1417846);
  g_assert_cmpuint (glint_chip_baud_to_send (c2, 921600, 39.97, FALSE), ==, 921600);
  g_assert_cmpuint (glint_chip_baud_to_send (c2, 921600, 26.03, TRUE), ==, 921600);
  g_assert_cmpuint (glint_chip_baud_to_send (c3, 921600, 39.97, FALSE), ==, 921600);
  /* nothing measured: send what was asked */
  g_assert_cmpuint (glint_chip_baud_to_send (esp32, 460800, 0, FALSE), ==, 460800);
}

/* The ROM's crystal belief, with worked numbers. */
static void
test_rom_xtal (void)
{
  const GlintChip *esp32 = glint_chip_lookup ("esp32");
  const GlintChip *c2 = glint_chip_lookup ("esp32c2");
  const GlintChip *c3 = glint_chip_lookup ("esp32c3");
  const guint32 *regs;
  guint32 values[GLINT_CHIP_MAX_XTAL_REGS];
  gdouble mhz;
  guint n = 99;

  /* ESP32: RTCCALICFG1 and eFuse word 4 */
  regs = glint_chip_get_rom_xtal_registers (esp32, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmphex (regs[0], ==, 0x3FF5F06C);
  g_assert_cmphex (regs[1], ==, 0x3FF5A010);

  /* cali_val 832 (bits 31..7; bits 6..0 are not part of it), ck8m 128 (the
   * low byte): 832 × 15625 × 128 / 40 = 41.6 MHz, 4 % above the crystal */
  values[0] = 832 << 7 | 0x7F;
  values[1] = 0x12345680;
  mhz = glint_chip_rom_xtal_mhz (esp32, values, 115200);
  g_assert_cmpfloat_with_epsilon (mhz, 41.6, 1e-9);
  /* 921600 × 41.6 / 40: the ROM then sets 958464 × 40 / 41.6 = 921600 */
  g_assert_cmpuint (glint_chip_baud_to_send (esp32, 921600, mhz, FALSE), ==, 958464);
  g_assert_cmpuint (glint_chip_baud_to_send (esp32, 460800, mhz, FALSE), ==, 479232);
  g_assert_cmpuint (glint_chip_baud_to_send (esp32, 921600, mhz, TRUE), ==, 921600);

  /* 768 × 15625 × 128 / 40 = 38.4 MHz, 4 % below */
  values[0] = 768 << 7;
  values[1] = 128;
  mhz = glint_chip_rom_xtal_mhz (esp32, values, 115200);
  g_assert_cmpfloat_with_epsilon (mhz, 38.4, 1e-9);
  g_assert_cmpuint (glint_chip_baud_to_send (esp32, 921600, mhz, FALSE), ==, 884736);

  /* a 26 MHz board: 532 × 15625 × 128 / 40 = 26.6 MHz, nominal 26:
   * 921600 × 26.6 / 26 = 942867.7 */
  values[0] = 532 << 7;
  mhz = glint_chip_rom_xtal_mhz (esp32, values, 115200);
  g_assert_cmpfloat_with_epsilon (mhz, 26.6, 1e-9);
  g_assert_cmpuint (glint_chip_baud_to_send (esp32, 921600, mhz, FALSE), ==, 942867);

  /* no figure: nothing calibrated, no eFuse byte, or nonsense */
  values[0] = 0;
  values[1] = 128;
  g_assert_cmpfloat (glint_chip_rom_xtal_mhz (esp32, values, 115200), ==, 0);
  values[0] = 832 << 7;
  values[1] = 0xFFFFFF00;
  g_assert_cmpfloat (glint_chip_rom_xtal_mhz (esp32, values, 115200), ==, 0);
  values[0] = 0xFFFFFFFF;
  values[1] = 0xFF;
  g_assert_cmpfloat (glint_chip_rom_xtal_mhz (esp32, values, 115200), ==, 0);
  /* 300 × 15625 × 128 / 40 = 15 MHz: below any crystal */
  values[0] = 300 << 7;
  values[1] = 128;
  g_assert_cmpfloat (glint_chip_rom_xtal_mhz (esp32, values, 115200), ==, 0);

  /* ESP32-C2: its UART divider at the boot rate */
  regs = glint_chip_get_rom_xtal_registers (c2, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmphex (regs[0], ==, 0x60000014);
  /* 226 × 115200 = 26.03 MHz: a 26 MHz board, 921600 × 40 / 26 */
  values[0] = 226;
  mhz = glint_chip_rom_xtal_mhz (c2, values, 115200);
  g_assert_cmpfloat (mhz, ==, 26);
  g_assert_cmpuint (glint_chip_baud_to_send (c2, 921600, mhz, FALSE), ==, 1417846);
  g_assert_cmpuint (glint_chip_baud_to_send (c2, 921600, mhz, TRUE), ==, 921600);
  /* 347 × 115200 = 39.97 MHz: exact */
  values[0] = 347;
  mhz = glint_chip_rom_xtal_mhz (c2, values, 115200);
  g_assert_cmpfloat (mhz, ==, 40);
  g_assert_cmpuint (glint_chip_baud_to_send (c2, 921600, mhz, FALSE), ==, 921600);
  values[0] = 0;
  g_assert_cmpfloat (glint_chip_rom_xtal_mhz (c2, values, 115200), ==, 0);

  /* ESP32-C5: the UART divider (the board's crystal) and PCR_SYSCLK_CONF
   * (bits 30..24: the one the ROM expects), esptool's esp32c5.py */
  {
    const GlintChip *c5 = glint_chip_lookup ("esp32c5");

    regs = glint_chip_get_rom_xtal_registers (c5, &n);
    g_assert_cmpuint (n, ==, 2);
    g_assert_cmphex (regs[0], ==, 0x60000014);
    g_assert_cmphex (regs[1], ==, 0x60096110);
    /* 417 × 115200 = 48.04 MHz, the ROM expects 40 (other bits set too):
     * send asked × 40 / 48 */
    values[0] = 417;
    values[1] = 0x80000000 | 40 << 24 | 0x123;
    mhz = glint_chip_rom_xtal_mhz (c5, values, 115200);
    g_assert_cmpuint (glint_chip_baud_to_send (c5, 460800, mhz, FALSE), ==, 384000);
    g_assert_cmpuint (glint_chip_baud_to_send (c5, 921600, mhz, FALSE), ==, 768000);
    g_assert_cmpuint (glint_chip_baud_to_send (c5, 2000000, mhz, FALSE), ==, 1666666);
    g_assert_cmpuint (glint_chip_baud_to_send (c5, 460800, mhz, TRUE), ==, 460800);
    /* a 40 MHz board, the ROM expecting 48: asked × 48 / 40 */
    values[0] = 347;
    values[1] = 48 << 24;
    mhz = glint_chip_rom_xtal_mhz (c5, values, 115200);
    g_assert_cmpuint (glint_chip_baud_to_send (c5, 460800, mhz, FALSE), ==, 552960);
    /* the same crystal both ways, or a pair esptool leaves alone: exact */
    values[0] = 417;
    values[1] = 48 << 24;
    mhz = glint_chip_rom_xtal_mhz (c5, values, 115200);
    g_assert_cmpuint (glint_chip_baud_to_send (c5, 460800, mhz, FALSE), ==, 460800);
    values[0] = 226;
    values[1] = 40 << 24;
    mhz = glint_chip_rom_xtal_mhz (c5, values, 115200);
    g_assert_cmpuint (glint_chip_baud_to_send (c5, 460800, mhz, FALSE), ==, 460800);
    /* no crystal in the register, or no divider: no figure */
    values[0] = 417;
    values[1] = 0;
    g_assert_cmpfloat (glint_chip_rom_xtal_mhz (c5, values, 115200), ==, 0);
    values[0] = 0;
    values[1] = 40 << 24;
    g_assert_cmpfloat (glint_chip_rom_xtal_mhz (c5, values, 115200), ==, 0);
  }

  /* the others take the exact rate: nothing to read */
  g_assert_null (glint_chip_get_rom_xtal_registers (c3, &n));
  g_assert_cmpuint (n, ==, 0);
  g_assert_null (glint_chip_get_rom_xtal_registers (glint_chip_lookup ("esp8266"), &n));
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpfloat (glint_chip_rom_xtal_mhz (c3, values, 115200), ==, 0);
}

static void
test_bootloader_offsets (void)
{
  g_assert_cmphex (glint_chip_lookup ("esp8266")->bootloader_offset, ==, 0x0);
  g_assert_cmphex (glint_chip_lookup ("esp32")->bootloader_offset, ==, 0x1000);
  g_assert_cmphex (glint_chip_lookup ("esp32s2")->bootloader_offset, ==, 0x1000);
  g_assert_cmphex (glint_chip_lookup ("esp32s3")->bootloader_offset, ==, 0x0);
  g_assert_cmphex (glint_chip_lookup ("esp32c3")->bootloader_offset, ==, 0x0);
  g_assert_cmphex (glint_chip_lookup ("esp32c5")->bootloader_offset, ==, 0x2000);
  g_assert_cmphex (glint_chip_lookup ("esp32c6")->bootloader_offset, ==, 0x0);
  g_assert_cmphex (glint_chip_lookup ("esp32c61")->bootloader_offset, ==, 0x0);
  g_assert_cmphex (glint_chip_lookup ("esp32h2")->bootloader_offset, ==, 0x0);
  g_assert_cmphex (glint_chip_lookup ("esp32p4")->bootloader_offset, ==, 0x2000);
}

static void
test_rom_features (void)
{
  const GlintChip *esp8266 = glint_chip_lookup ("esp8266");
  const GlintChip *esp32 = glint_chip_lookup ("esp32");
  const GlintChip *s2 = glint_chip_lookup ("esp32s2");
  const GlintChip *c6 = glint_chip_lookup ("esp32c6");

  g_assert_false (glint_chip_rom_has (esp8266, GLINT_CHIP_ROM_FLASH_DEFL));
  g_assert_false (glint_chip_rom_has (esp8266, GLINT_CHIP_ROM_MD5));
  g_assert_false (glint_chip_rom_has (esp8266, GLINT_CHIP_ROM_CHANGE_BAUDRATE));
  g_assert_false (glint_chip_rom_has (esp8266, GLINT_CHIP_ROM_SPI_ATTACH));
  g_assert_false (glint_chip_rom_has (esp8266, GLINT_CHIP_ROM_SPI_SET_PARAMS));
  g_assert_cmpuint (esp8266->rom_status_len, ==, 2);

  g_assert_true (glint_chip_rom_has (esp32, GLINT_CHIP_ROM_FLASH_DEFL | GLINT_CHIP_ROM_MD5 |
                                            GLINT_CHIP_ROM_CHANGE_BAUDRATE |
                                            GLINT_CHIP_ROM_SPI_ATTACH |
                                            GLINT_CHIP_ROM_SPI_SET_PARAMS));
  g_assert_false (glint_chip_rom_has (esp32, GLINT_CHIP_ROM_GET_SECURITY_INFO));
  g_assert_false (glint_chip_rom_has (esp32, GLINT_CHIP_ROM_FLASH_BEGIN_ENCRYPTED));
  g_assert_cmpuint (esp32->rom_status_len, ==, 4);

  g_assert_true (glint_chip_rom_has (s2, GLINT_CHIP_ROM_GET_SECURITY_INFO));
  g_assert_false (glint_chip_rom_has (s2, GLINT_CHIP_ROM_SECURITY_INFO_CHIP_ID));
  g_assert_true (glint_chip_rom_has (s2, GLINT_CHIP_ROM_FLASH_BEGIN_ENCRYPTED));

  g_assert_true (glint_chip_rom_has (c6, GLINT_CHIP_ROM_SECURITY_INFO_CHIP_ID));
  g_assert_true (glint_chip_rom_has (c6, GLINT_CHIP_ROM_FLASH_BEGIN_ENCRYPTED));
  g_assert_cmpuint (c6->rom_status_len, ==, 4);
}

static void
test_spi_regs (void)
{
  const GlintChip *esp8266 = glint_chip_lookup ("esp8266");
  const GlintChip *esp32 = glint_chip_lookup ("esp32");
  const GlintChip *s3 = glint_chip_lookup ("esp32s3");
  const GlintChip *p4 = glint_chip_lookup ("esp32p4");

  g_assert_cmphex (esp8266->spi.base, ==, 0x60000200);
  g_assert_cmphex (esp8266->spi.usr, ==, 0x1C);
  g_assert_cmphex (esp8266->spi.w0, ==, 0x40);
  g_assert_true (esp8266->spi.addr_msb);
  g_assert_cmphex (esp32->spi.base, ==, 0x3FF42000);
  g_assert_cmphex (esp32->spi.w0, ==, 0x80);
  g_assert_cmphex (esp32->spi.usr2, ==, 0x24);
  g_assert_cmphex (esp32->spi.miso_dlen, ==, 0x2C);
  g_assert_cmphex (esp8266->spi.miso_dlen, ==, 0);
  g_assert_true (esp32->spi.addr_msb);
  g_assert_cmphex (s3->spi.base, ==, 0x60002000);
  g_assert_cmphex (s3->spi.usr, ==, 0x18);
  g_assert_cmphex (s3->spi.w0, ==, 0x58);
  g_assert_cmphex (s3->spi.usr2, ==, 0x20);
  g_assert_cmphex (s3->spi.miso_dlen, ==, 0x28);
  g_assert_false (s3->spi.addr_msb);
  g_assert_cmphex (p4->spi.base, ==, 0x5008D000);
  g_assert_cmphex (glint_chip_lookup ("esp32c6")->spi.base, ==, 0x60003000);
  g_assert_cmphex (esp32->uart_clkdiv_reg, ==, 0x3FF40014);
  g_assert_cmphex (glint_chip_lookup ("esp32s2")->uart_clkdiv_reg, ==, 0x3F400014);
}

static void
test_blocks_and_usb (void)
{
  const GlintChip *s3 = glint_chip_lookup ("esp32s3");
  const GlintChip *c3 = glint_chip_lookup ("esp32c3");

  g_assert_true (glint_chip_is_usb_otg (s3, 0x303A, 9));
  g_assert_false (glint_chip_is_usb_otg (s3, 0x303A, 0x1001));
  g_assert_false (glint_chip_is_usb_otg (s3, 0x10C4, 9));
  g_assert_true (glint_chip_is_usb_otg (glint_chip_lookup ("esp32s2"), 0x303A, 2));
  g_assert_true (glint_chip_is_usb_otg (glint_chip_lookup ("esp32p4"), 0x303A, 18));
  g_assert_false (glint_chip_is_usb_otg (c3, 0x303A, 5));

  g_assert_cmpuint (glint_chip_get_ram_block_size (s3, FALSE), ==, 0x1800);
  g_assert_cmpuint (glint_chip_get_ram_block_size (s3, TRUE), ==, 0x800);
  g_assert_cmpuint (glint_chip_get_ram_block_size (c3, TRUE), ==, 0x1800);
  g_assert_cmpuint (glint_chip_get_flash_write_size (s3, FALSE, FALSE), ==, 0x400);
  g_assert_cmpuint (glint_chip_get_flash_write_size (s3, FALSE, TRUE), ==, 0x400);
  g_assert_cmpuint (glint_chip_get_flash_write_size (s3, TRUE, FALSE), ==, 0x4000);
  g_assert_cmpuint (glint_chip_get_flash_write_size (s3, TRUE, TRUE), ==, 0x800);
  g_assert_cmpuint (glint_chip_get_flash_write_size (c3, TRUE, TRUE), ==, 0x4000);
}

static void
test_stub_files (void)
{
  g_assert_cmpstr (glint_chip_get_stub_file (glint_chip_lookup ("esp8266"), 0), ==,
                   "esp8266.json");
  g_assert_cmpstr (glint_chip_get_stub_file (glint_chip_lookup ("esp32-c61"), 0), ==,
                   "esp32c61.json");
  g_assert_cmpstr (glint_chip_get_stub_file (glint_chip_lookup ("ESP32-S3"), 0), ==,
                   "esp32s3.json");
  g_assert_cmpstr (glint_chip_get_stub_file (glint_chip_lookup ("esp32p4"), 1), ==,
                   "esp32p4-rev1.json");
  g_assert_cmpstr (glint_chip_get_stub_file (glint_chip_lookup ("esp32p4"), 3), ==,
                   "esp32p4.json");
  /* esptool: get_chip_revision () < 300, so v0.x too */
  g_assert_cmpstr (glint_chip_get_stub_file (glint_chip_lookup ("esp32p4"), 0), ==,
                   "esp32p4-rev1.json");
  g_assert_cmpstr (glint_chip_get_stub_file (glint_chip_lookup ("esp32p4"), 2), ==,
                   "esp32p4-rev1.json");
  g_assert_cmpstr (glint_chip_get_stub_file (glint_chip_lookup ("esp32p4"), 4), ==,
                   "esp32p4.json");
  g_assert_cmpstr (glint_chip_get_stub_file (glint_chip_lookup ("esp32p4"),
                                             GLINT_CHIP_REV_UNKNOWN), ==, "esp32p4.json");
}

static void
assert_ident (const char    *chip_name,
              const guint32 *words,
              guint          n_words,
              const char    *package,
              gint           revision,
              const char    *features)
{
  const GlintChip *chip = glint_chip_lookup (chip_name);
  g_autofree char *joined = NULL;
  GlintChipIdent ident;
  guint n;

  glint_chip_get_efuse_registers (chip, &n);
  g_assert_cmpuint (n, ==, n_words);
  g_assert_cmpuint (n, <=, GLINT_CHIP_MAX_EFUSE_REGS);
  glint_chip_decode_ident (chip, words, &ident);
  g_assert_cmpstr (ident.package, ==, package);
  g_assert_cmpint (ident.revision, ==, revision);
  joined = g_strjoinv (", ", (char **) ident.features);
  g_assert_cmpstr (joined, ==, features);
}

static void
test_ident (void)
{
  /* ESP32: w0, w3, w5, w6, APB_CTL_DATE; major 3 needs all three bits */
  const guint32 esp32_v31[] = { 0, 1u << 15 | 1u << 9, 1u << 20 | 1u << 24, 0, 1u << 31 };
  const guint32 esp32_v10[] = { 0, 1u << 15 | 1u << 9, 0, 0, 0 };
  const guint32 esp32_pico[] = { 0, 5u << 9 | 1u << 13 | 1u << 12 | 1u << 1, 0, 0, 0 };
  const guint32 esp32_sc[] = { 0, 1u << 9 | 1u << 0, 0, 0, 0 };
  const guint32 esp32_bad[] = { 0, 1u << 15 | 3u << 9 | 1u << 2, 0, 0, 1u << 31 };
  /* S2: block1 words 3, 4: flash cap 2, minor bit 3 + low bits 1 */
  const guint32 s2[] = { 2u << 21 | 1u << 18 | 1u << 20, 1u << 4 };
  /* S3: v0.2; and a v0.0 whose block version 1.1 hides a "major" */
  const guint32 s3[] = { 2u << 18 | 1u << 27, 2u << 3, 0, 0 };
  const guint32 s3_eco0[] = { 1u << 24, 0, 1u << 24, 1 };
  const guint32 c2[] = { 1u << 20 | 1u << 16 | 1u << 22, 1u << 29 };
  const guint32 c3[] = { 4u << 18 | 1u << 21, 1u << 23 | 1u << 24 };
  const guint32 c5[] = { 1u << 4 };
  const guint32 c6[] = { 1u << 24 | 2u << 18, 2 };
  const guint32 h2[] = { 1u << 21 | 2u << 18, 0 };
  const guint32 p4[] = { 1u << 23 | 3u << 4 | 1 };
  const guint32 esp8266[] = { 0, 0, 0, 0 };
  const guint32 esp8285[] = { 1u << 4 | 1u << 5, 0, 0, 0 };

  assert_ident ("esp32", esp32_v31, 5, "ESP32-D0WD-V3", 301, "Wi-Fi, BT, dual core");
  assert_ident ("esp32", esp32_v10, 5, "ESP32-D0WD", 100, "Wi-Fi, BT, dual core");
  assert_ident ("esp32", esp32_pico, 5, "ESP32-PICO-D4", 0,
                "Wi-Fi, dual core, 160 MHz, embedded flash");
  assert_ident ("esp32", esp32_sc, 5, "ESP32-S0WD", 0, "Wi-Fi, BT, single core");
  /* bits 001 + APB 1 = 101: no valid pattern, esptool says major 0 */
  assert_ident ("esp32", esp32_bad, 5, "Unknown ESP32", 0, "Wi-Fi, BT, dual core");
  assert_ident ("esp32s2", s2, 2, "ESP32-S2FH4", 109,
                "Wi-Fi, single core, 240 MHz, embedded flash 4 MB");
  assert_ident ("esp32s3", s3, 4, "ESP32-S3 (QFN56)", 2,
                "Wi-Fi, BT 5 (LE), dual core, 240 MHz, embedded flash 8 MB, "
                "embedded PSRAM 2 MB");
  assert_ident ("esp32s3", s3_eco0, 4, "ESP32-S3 (QFN56)", 0,
                "Wi-Fi, BT 5 (LE), dual core, 240 MHz");
  assert_ident ("esp32c2", c2, 2, "ESP8684H", 101,
                "Wi-Fi, BT 5 (LE), single core, 120 MHz, embedded flash 4 MB");
  assert_ident ("esp32c3", c3, 2, "ESP8685 (QFN28)", 112,
                "Wi-Fi, BT 5 (LE), single core, 160 MHz");
  assert_ident ("esp32c5", c5, 1, "ESP32-C5", 100,
                "Wi-Fi 6 (dual-band), BT 5 (LE), IEEE 802.15.4, single core, 240 MHz");
  assert_ident ("esp32c61", c5, 1, "ESP32-C61", 100,
                "Wi-Fi 6, BT 5 (LE), single core, 160 MHz");
  assert_ident ("esp32c6", c6, 2, "ESP32-C6FH8 (QFN32)", 2,
                "Wi-Fi 6, BT 5 (LE), IEEE 802.15.4, single core, 160 MHz, "
                "embedded flash 8 MB");
  assert_ident ("esp32h2", h2, 2, "ESP32-H2", 102,
                "BT 5 (LE), IEEE 802.15.4, single core, 96 MHz");
  assert_ident ("esp32p4", p4, 1, "ESP32-P4", 701, "dual core, 400 MHz");
  assert_ident ("esp8266", esp8266, 4, "ESP8266EX", GLINT_CHIP_NO_REVISION, "Wi-Fi, 160 MHz");
  assert_ident ("esp8266", esp8285, 4, "ESP8285H08", GLINT_CHIP_NO_REVISION,
                "Wi-Fi, 160 MHz, embedded flash");
}

static void
test_ident_esp32_security (void)
{
  const GlintChip *esp32 = glint_chip_lookup ("esp32");
  /* FLASH_CRYPT_CNT 1 (on), ABS_DONE_1 on a v3.0, JTAG_DISABLE */
  const guint32 v3[] = { 1u << 20, 1u << 15, 1u << 20, 1u << 5 | 1u << 6, 1u << 31 };
  /* ABS_DONE_1 counts only from v3.0; crypt count 3: even, off */
  const guint32 v1[] = { 3u << 20, 1u << 15, 0, 1u << 5, 0 };
  g_autofree char *v31 = glint_chip_format_revision (301);
  GlintChipIdent ident;

  glint_chip_decode_ident (esp32, v3, &ident);
  g_assert_true (ident.has_efuse_security);
  g_assert_cmpuint (ident.flash_crypt_cnt, ==, 1);
  g_assert_true (glint_chip_flash_encrypted (ident.flash_crypt_cnt));
  g_assert_cmphex (ident.security, ==, GLINT_CHIP_SECURE_BOOT | GLINT_CHIP_HARD_DIS_JTAG);

  glint_chip_decode_ident (esp32, v1, &ident);
  g_assert_cmpuint (ident.flash_crypt_cnt, ==, 3);
  g_assert_false (glint_chip_flash_encrypted (ident.flash_crypt_cnt));
  g_assert_cmphex (ident.security, ==, 0);

  glint_chip_decode_ident (glint_chip_lookup ("esp32s3"), (const guint32[]) { 0, 0, 0, 0 },
                           &ident);
  g_assert_false (ident.has_efuse_security);

  g_assert_null (glint_chip_format_revision (GLINT_CHIP_NO_REVISION));
  g_assert_cmpstr (v31, ==, "v3.1");
}

/* The P4's revision word decodes as esptool's ESP32P4ROM reads it:
 * major = bit 23 << 2 | bits 5-4, minor = bits 3-0 (its stub depends on
 * the major). */
static void
test_revision (void)
{
  static const struct { guint32 word; gint revision; } cases[] = {
    { 0, 0 }, { 0x10, 100 },
    { 0xFF000031 & ~(1u << 23), 301 },   /* other bits are not the revision */
    { 1u << 23 | 0x12, 502 },            /* bit 23: the major's high bit */
  };
  const GlintChip *p4 = glint_chip_lookup ("esp32p4");
  const guint32 *regs;
  guint n;

  regs = glint_chip_get_efuse_registers (p4, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmphex (regs[0], ==, 0x5012D04C);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GlintChipIdent ident;

      glint_chip_decode_ident (p4, &cases[i].word, &ident);
      g_assert_cmpint (ident.revision, ==, cases[i].revision);
    }
}

/* The image facts are written once, in base's glint-chip-image; the
 * protocol table carries the same chips in the same order with them. */
static void
test_image_facts_shared (void)
{
  guint n_chips = 0, n_images = 0;
  const GlintChip *chips = glint_chip_get_all (&n_chips);
  const GlintChipImage *images = glint_chip_image_get_all (&n_images);

  g_assert_cmpuint (n_chips, ==, n_images);
  for (guint i = 0; i < n_chips; i++)
    {
      g_assert_cmpstr (chips[i].name, ==, images[i].name);
      g_assert_cmpstr (chips[i].display_name, ==, images[i].display_name);
      g_assert_cmpint (chips[i].image_chip_id, ==, images[i].image_chip_id);
      g_assert_cmphex (chips[i].bootloader_offset, ==, images[i].bootloader_offset);
      g_assert_true (glint_chip_image_lookup (images[i].display_name) == &images[i]);
      if (images[i].image_chip_id != GLINT_CHIP_NO_IMAGE_ID)
        g_assert_true (glint_chip_image_from_id (images[i].image_chip_id) == &images[i]);
      g_assert_cmpint (glint_chip_flash_size_code (&chips[i], "4MB"), ==,
                       glint_chip_image_flash_size_code (&images[i], "4MB"));
    }
  g_assert_null (glint_chip_image_lookup ("esp31"));
  g_assert_cmpint (glint_chip_image_flash_freq_code (glint_chip_image_lookup ("esp32c2"), "60m"),
                   ==, 0xF);
  g_assert_cmpint (glint_chip_image_flash_size_code (glint_chip_image_lookup ("esp8266"), "2MB-c1"),
                   ==, 0x50);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/glint/chip/lookup-spellings", test_lookup_spellings);
  g_test_add_func ("/glint/chip/image-facts-shared", test_image_facts_shared);
  g_test_add_func ("/glint/chip/revision", test_revision);
  g_test_add_func ("/glint/chip/lookup-failures", test_lookup_failures);
  g_test_add_func ("/glint/chip/security-info-ids", test_security_info_ids);
  g_test_add_func ("/glint/chip/magic", test_magic);
  g_test_add_func ("/glint/chip/mac-esp8266", test_mac_esp8266);
  g_test_add_func ("/glint/chip/mac-esp32", test_mac_esp32);
  g_test_add_func ("/glint/chip/mac-later", test_mac_later);
  g_test_add_func ("/glint/chip/jedec", test_jedec);
  g_test_add_func ("/glint/chip/size-codes", test_size_codes);
  g_test_add_func ("/glint/chip/freq-codes", test_freq_codes);
  g_test_add_func ("/glint/chip/mode-codes-and-names", test_mode_codes_and_names);
  g_test_add_func ("/glint/chip/image-ids", test_image_ids);
  g_test_add_func ("/glint/chip/xtal", test_xtal);
  g_test_add_func ("/glint/chip/rom-xtal", test_rom_xtal);
  g_test_add_func ("/glint/chip/bootloader-offsets", test_bootloader_offsets);
  g_test_add_func ("/glint/chip/rom-features", test_rom_features);
  g_test_add_func ("/glint/chip/spi-regs", test_spi_regs);
  g_test_add_func ("/glint/chip/blocks-and-usb", test_blocks_and_usb);
  g_test_add_func ("/glint/chip/stub-files", test_stub_files);
  g_test_add_func ("/glint/chip/ident", test_ident);
  g_test_add_func ("/glint/chip/ident-esp32-security", test_ident_esp32_security);

  return g_test_run ();
}
