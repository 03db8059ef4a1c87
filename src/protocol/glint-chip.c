/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "glint-chip.h"
#include "glint-error.h"
#include "glint-protocol.h"

/* All values below come from docs/protocol.md (esptool targets at
 * bb72741, v4.8.1 for the magic lists). Section numbers refer to it. Values
 * marked "unverified" are so marked there; "not in protocol.md" marks a gap
 * that is left unknown (0) rather than guessed. */

/* §5.3 block sizes (glint-protocol.h) */
#define RAM_BLOCK             GLINT_RAM_BLOCK_SIZE
#define USB_RAM_BLOCK         GLINT_USB_RAM_BLOCK_SIZE
#define ROM_FLASH_WRITE_SIZE  GLINT_ROM_FLASH_WRITE_SIZE
#define STUB_FLASH_WRITE_SIZE GLINT_STUB_FLASH_WRITE_SIZE

/* Every ROM after the ESP8266 has these; the ESP8266 ROM has none (§5.4). */
#define ROM_ESP32_COMMON (GLINT_CHIP_ROM_FLASH_DEFL | GLINT_CHIP_ROM_MD5 | \
                          GLINT_CHIP_ROM_CHANGE_BAUDRATE | GLINT_CHIP_ROM_SPI_ATTACH | \
                          GLINT_CHIP_ROM_SPI_SET_PARAMS | GLINT_CHIP_ROM_READ_FLASH_SLOW)
/* S2 and later: GET_SECURITY_INFO, and esptool sends the 5th FLASH_BEGIN word
 * to every ROM except ESP32 and ESP8266 (§2 notes). */
#define ROM_S2_LATER     (ROM_ESP32_COMMON | GLINT_CHIP_ROM_GET_SECURITY_INFO | \
                          GLINT_CHIP_ROM_FLASH_BEGIN_ENCRYPTED)
#define ROM_WITH_CHIP_ID (ROM_S2_LATER | GLINT_CHIP_ROM_SECURITY_INFO_CHIP_ID)

/* SPI registers: USR and W0 from protocol.md §5; USR1, USR2, MOSI_DLEN and
 * MISO_DLEN from esptool's and esptool-js's target definitions (ESP32 at
 * 0x20/0x24/0x28/0x2C, the later chips at 0x1C/0x20/0x24/0x28). The ESP8266
 * packs its data lengths into USR1 instead: no DLEN registers (0). */
#define SPI_ESP8266(b) { .base = (b), .usr = 0x1C, .usr1 = 0x20, .usr2 = 0x24, .w0 = 0x40, \
                         .addr_msb = TRUE }
#define SPI_ESP32(b)   { .base = (b), .usr = 0x1C, .usr1 = 0x20, .usr2 = 0x24, \
                         .mosi_dlen = 0x28, .miso_dlen = 0x2C, .w0 = 0x80, .addr_msb = TRUE }
#define SPI_LATER(b)   { .base = (b), .usr = 0x18, .usr1 = 0x1C, .usr2 = 0x20, \
                         .mosi_dlen = 0x24, .miso_dlen = 0x28, .w0 = 0x58, .addr_msb = FALSE }

/* The ESP32 family's UART divider gives the crystal directly: 347 at
 * 115200 Bd is 39.97 MHz. The divider of 1 is inferred from that worked
 * example, not stated in protocol.md; the ESP8266's divider is not given
 * at all, so its crystal is not estimated. */
#define XTAL_DIV_ESP32 1

static const guint32 magic_esp8266[] = { 0xFFF0C101 };
static const guint32 magic_esp32[]   = { 0x00F01D83 };
static const guint32 magic_esp32s2[] = { 0x000007C6 };
static const guint32 magic_esp32s3[] = { 0x9 };
static const guint32 magic_esp32c2[] = { 0x6F51306F, 0x7C41A06F, 0x0C21E06F };
static const guint32 magic_esp32c3[] = { 0x6921506F, 0x1B31506F, 0x4881606F, 0x4361606F };
static const guint32 magic_esp32c5[] = { 0x1101406F };
static const guint32 magic_esp32c6[] = { 0x2CE0806F };
static const guint32 magic_esp32c61[] = { 0x33F0206F, 0x2421606F };
static const guint32 magic_esp32h2[] = { 0xD7B73E80 };
/* v4.8.1 lists 0x0 for the P4: a READ_REG returning 0 names a P4 only when
 * GET_SECURITY_INFO could not say otherwise. */
static const guint32 magic_esp32p4[] = { 0x0, 0x0ADDBAD0 };

#define MAGIC(m) .magic_values = (m), .n_magic_values = G_N_ELEMENTS (m)

/* Later chips: MAC in two eFuse words at MAC_EFUSE_REG and +4 (§5.1). */
#define MAC_PAIR(reg) .mac_rule = GLINT_CHIP_MAC_EFUSE_PAIR, \
                      .mac_regs = { (reg), (reg) + 4 }, .n_mac_regs = 2

/* Chip identity from eFuse: package, revision, features (esptool's
 * targets, get_pkg_version / get_{major,minor}_chip_version /
 * get_chip_description / get_chip_features of each chip). Each decoder
 * takes the words of its chip's efuse_regs, in that order. */

static guint32
bits (guint32 word,
      guint   shift,
      guint   width)
{
  return (word >> shift) & ((1u << width) - 1);
}

static const char *
pick (const char *const *names,
      guint              n_names,
      guint              index,
      const char        *unknown)
{
  return index < n_names && names[index] != NULL ? names[index] : unknown;
}

static void
add_features (GlintChipIdent *ident,
              ...)
{
  va_list ap;
  const char *f;
  guint n = 0;

  while (n < GLINT_CHIP_MAX_FEATURES && ident->features[n] != NULL)
    n++;

  va_start (ap, ident);
  while ((f = va_arg (ap, const char *)) != NULL)
    {
      if (n < GLINT_CHIP_MAX_FEATURES)
        ident->features[n++] = f;
    }
  va_end (ap);
}

/* OTP words 0x3FF00050, 54, 58, 5C: the 128 bits esptool's get_efuses()
 * assembles. The ESP8285 (flash in package) sets bit 4 or bit 80. */
static const guint32 efuse_esp8266[] = { 0x3FF00050, 0x3FF00054, 0x3FF00058, 0x3FF0005C };

static void
ident_esp8266 (const guint32  *w,
               GlintChipIdent *ident)
{
  gboolean r0_4 = bits (w[0], 4, 1);
  gboolean r3_25 = bits (w[3], 25, 1);
  guint r3_26_27 = bits (w[3], 26, 2);
  gboolean max_temp = bits (w[0], 5, 1);
  gint flash_mb = -1;

  ident->revision = GLINT_CHIP_NO_REVISION;
  add_features (ident, N_("Wi-Fi"), N_("160 MHz"), NULL);

  if (!r0_4 && !bits (w[2], 16, 1))
    {
      ident->package = "ESP8266EX";
      return;
    }

  if (r0_4 != r3_25 && r3_26_27 == 0)
    flash_mb = r0_4 ? 1 : 2;
  else if (r0_4 != r3_25 && r3_26_27 == 1)
    flash_mb = r0_4 ? 2 : 4;

  if (flash_mb == 1)
    ident->package = max_temp ? "ESP8285H08" : "ESP8285N08";
  else if (flash_mb == 2)
    ident->package = max_temp ? "ESP8285H16" : "ESP8285N16";
  else
    ident->package = "ESP8285";
  add_features (ident, N_("embedded flash"), NULL);
}

/* EFUSE_BLK0_RDATA0, 3, 5, 6 and APB_CTL_DATE: the major revision's
 * third bit sits outside the eFuse (esptool's esp32.py). */
#define ESP32_EFUSE_RD(n) (0x3FF5A000 + 4 * (n))
static const guint32 efuse_esp32[] = {
  ESP32_EFUSE_RD (0), ESP32_EFUSE_RD (3), ESP32_EFUSE_RD (5), ESP32_EFUSE_RD (6),
  0x3FF66000 + 0x7C,
};

static void
ident_esp32 (const guint32  *w,
             GlintChipIdent *ident)
{
  static const char *const names[] = {
    "ESP32-D0WDQ6", "ESP32-D0WD", "ESP32-D2WD", NULL, "ESP32-U4WDH", "ESP32-PICO-D4",
    "ESP32-PICO-V3-02", "ESP32-D0WDR2-V3",
  };
  guint32 w0 = w[0], w3 = w[1], w5 = w[2], w6 = w[3], apb_date = w[4];
  guint pkg = bits (w3, 9, 3) | bits (w3, 2, 1) << 3;
  guint rev_bits = bits (apb_date, 31, 1) << 2 | bits (w5, 20, 1) << 1 | bits (w3, 15, 1);
  guint major = rev_bits == 1 ? 1 : rev_bits == 3 ? 2 : rev_bits == 7 ? 3 : 0;
  gboolean single_core = bits (w3, 0, 1);

  ident->revision = major * 100 + bits (w5, 24, 2);
  ident->package = pick (names, G_N_ELEMENTS (names), pkg, "Unknown ESP32");
  if (single_core && pkg == 0)
    ident->package = "ESP32-S0WDQ6";
  else if (single_core && pkg == 1)
    ident->package = "ESP32-S0WD";
  else if (major == 3 && pkg == 0)
    ident->package = "ESP32-D0WDQ6-V3";
  else if (major == 3 && pkg == 1)
    ident->package = "ESP32-D0WD-V3";
  else if (major == 3 && pkg == 5)
    ident->package = "ESP32-PICO-V3";

  add_features (ident, N_("Wi-Fi"), NULL);
  if (!bits (w3, 1, 1))
    add_features (ident, N_("BT"), NULL);
  add_features (ident, single_core ? N_("single core") : N_("dual core"), NULL);
  if (bits (w3, 13, 1))
    add_features (ident, bits (w3, 12, 1) ? N_("160 MHz") : N_("240 MHz"), NULL);
  if (pkg == 2 || pkg == 4 || pkg == 5 || pkg == 6)
    add_features (ident, N_("embedded flash"), NULL);
  if (pkg == 6)
    add_features (ident, N_("embedded PSRAM"), NULL);

  /* No GET_SECURITY_INFO on the ESP32: FLASH_CRYPT_CNT in word 0, ABS_DONE_0
   * (secure boot v1) and ABS_DONE_1 (v2, from v3.0) and JTAG_DISABLE in
   * word 6 (esptool's esp32.py). */
  ident->has_efuse_security = TRUE;
  ident->flash_crypt_cnt = bits (w0, 20, 7);
  if (bits (w6, 4, 1) || (major >= 3 && bits (w6, 5, 1)))
    ident->security |= GLINT_CHIP_SECURE_BOOT;
  if (bits (w6, 6, 1))
    ident->security |= GLINT_CHIP_HARD_DIS_JTAG;
}

static const char *
embedded_mb (guint mb,
             gboolean psram)
{
  switch (mb)
    {
    case 1: return psram ? N_("embedded PSRAM 1 MB") : N_("embedded flash 1 MB");
    case 2: return psram ? N_("embedded PSRAM 2 MB") : N_("embedded flash 2 MB");
    case 4: return psram ? N_("embedded PSRAM 4 MB") : N_("embedded flash 4 MB");
    case 8: return psram ? N_("embedded PSRAM 8 MB") : N_("embedded flash 8 MB");
    case 16: return psram ? N_("embedded PSRAM 16 MB") : N_("embedded flash 16 MB");
    default: return psram ? N_("embedded PSRAM") : N_("embedded flash");
    }
}

/* One eFuse capacity code, as MB by a table (0: none in the package;
 * a code beyond the table: embedded, size unknown). */
static void
add_embedded (GlintChipIdent *ident,
              const guint    *mb_by_code,
              guint           n_codes,
              guint           code,
              gboolean        psram)
{
  if (code == 0)
    return;

  add_features (ident, embedded_mb (code < n_codes ? mb_by_code[code] : 0, psram), NULL);
}

#define ESP32S2_BLOCK1(n) (0x3F41A044 + 4 * (n))
static const guint32 efuse_esp32s2[] = { ESP32S2_BLOCK1 (3), ESP32S2_BLOCK1 (4) };

static void
ident_esp32s2 (const guint32  *w,
               GlintChipIdent *ident)
{
  static const guint flash_mb[] = { 0, 2, 4 };
  static const guint psram_mb[] = { 0, 2, 4 };
  guint flash_cap = bits (w[0], 21, 4);
  guint psram_cap = bits (w[0], 28, 4);

  ident->revision = bits (w[0], 18, 2) * 100 + (bits (w[0], 20, 1) << 3 | bits (w[1], 4, 3));
  switch (flash_cap + psram_cap * 100)
    {
    case 0: ident->package = "ESP32-S2"; break;
    case 1: ident->package = "ESP32-S2FH2"; break;
    case 2: ident->package = "ESP32-S2FH4"; break;
    case 100: ident->package = "ESP32-S2R2"; break;
    case 102: ident->package = "ESP32-S2FNR2"; break;
    default: ident->package = "Unknown ESP32-S2"; break;
    }

  add_features (ident, N_("Wi-Fi"), N_("single core"), N_("240 MHz"), NULL);
  add_embedded (ident, flash_mb, G_N_ELEMENTS (flash_mb), flash_cap, FALSE);
  add_embedded (ident, psram_mb, G_N_ELEMENTS (psram_mb), psram_cap, TRUE);
}

#define ESP32S3_BLOCK1(n) (0x60007044 + 4 * (n))
#define ESP32S3_BLOCK2(n) (0x6000705C + 4 * (n))
static const guint32 efuse_esp32s3[] = {
  ESP32S3_BLOCK1 (3), ESP32S3_BLOCK1 (4), ESP32S3_BLOCK1 (5), ESP32S3_BLOCK2 (4),
};

static void
ident_esp32s3 (const guint32  *w,
               GlintChipIdent *ident)
{
  static const char *const names[] = { "ESP32-S3 (QFN56)", "ESP32-S3-PICO-1 (LGA56)" };
  static const guint flash_mb[] = { 0, 8, 4 };
  static const guint psram_mb[] = { 0, 8, 2, 16, 4 };
  guint minor = bits (w[2], 23, 1) << 3 | bits (w[0], 18, 3);
  guint major = bits (w[2], 24, 2);

  /* v0.0 chips reused the major field: block version v1.1 tells them */
  if ((minor & 7) == 0 && bits (w[3], 0, 2) == 1 && bits (w[0], 24, 3) == 1)
    major = minor = 0;

  ident->revision = major * 100 + minor;
  ident->package = pick (names, G_N_ELEMENTS (names), bits (w[0], 21, 3), "Unknown ESP32-S3");
  add_features (ident, N_("Wi-Fi"), N_("BT 5 (LE)"), N_("dual core"), N_("240 MHz"), NULL);
  add_embedded (ident, flash_mb, G_N_ELEMENTS (flash_mb), bits (w[0], 27, 3), FALSE);
  add_embedded (ident, psram_mb, G_N_ELEMENTS (psram_mb),
                bits (w[2], 19, 1) << 2 | bits (w[1], 3, 2), TRUE);
}

#define ESP32C2_BLOCK2(n) (0x60008840 + 4 * (n))
static const guint32 efuse_esp32c2[] = { ESP32C2_BLOCK2 (1), ESP32C2_BLOCK2 (7) };

static void
ident_esp32c2 (const guint32  *w,
               GlintChipIdent *ident)
{
  static const char *const names[] = { "ESP32-C2", "ESP8684H" };
  static const guint flash_mb[] = { 0, 4, 2, 1 };

  ident->revision = bits (w[0], 20, 2) * 100 + bits (w[0], 16, 4);
  ident->package = pick (names, G_N_ELEMENTS (names), bits (w[0], 22, 3), "Unknown ESP32-C2");
  add_features (ident, N_("Wi-Fi"), N_("BT 5 (LE)"), N_("single core"), N_("120 MHz"), NULL);
  add_embedded (ident, flash_mb, G_N_ELEMENTS (flash_mb), bits (w[1], 29, 3), FALSE);
}

#define ESP32C3_BLOCK1(n) (0x60008844 + 4 * (n))
static const guint32 efuse_esp32c3[] = { ESP32C3_BLOCK1 (3), ESP32C3_BLOCK1 (5) };

static void
ident_esp32c3 (const guint32  *w,
               GlintChipIdent *ident)
{
  static const char *const names[] = {
    "ESP32-C3 (QFN32)", "ESP8685 (QFN28)", "ESP32-C3 AZ (QFN32)", "ESP8686 (QFN24)",
  };
  static const guint flash_mb[] = { 0, 4, 2, 1, 8 };

  ident->revision = bits (w[1], 24, 2) * 100 + (bits (w[1], 23, 1) << 3 | bits (w[0], 18, 3));
  ident->package = pick (names, G_N_ELEMENTS (names), bits (w[0], 21, 3), "Unknown ESP32-C3");
  add_features (ident, N_("Wi-Fi"), N_("BT 5 (LE)"), N_("single core"), N_("160 MHz"), NULL);
  add_embedded (ident, flash_mb, G_N_ELEMENTS (flash_mb), bits (w[0], 27, 3), FALSE);
}

/* C5, C61 and P4: package, major and minor in BLOCK1 word 2 */
static const guint32 efuse_esp32c5[] = { 0x600B4844 + 4 * 2 };
static const guint32 efuse_esp32p4[] = { 0x5012D044 + 4 * 2 };

static void
ident_esp32c5 (const guint32  *w,
               GlintChipIdent *ident)
{
  ident->revision = bits (w[0], 4, 2) * 100 + bits (w[0], 0, 4);
  ident->package = bits (w[0], 26, 3) == 0 ? "ESP32-C5" : "Unknown ESP32-C5";
  add_features (ident, N_("Wi-Fi 6 (dual-band)"), N_("BT 5 (LE)"), N_("IEEE 802.15.4"),
                N_("single core"), N_("240 MHz"), NULL);
}

static void
ident_esp32c61 (const guint32  *w,
                GlintChipIdent *ident)
{
  ident->revision = bits (w[0], 4, 2) * 100 + bits (w[0], 0, 4);
  ident->package = bits (w[0], 26, 3) == 0 ? "ESP32-C61" : "Unknown ESP32-C61";
  add_features (ident, N_("Wi-Fi 6"), N_("BT 5 (LE)"), N_("single core"), N_("160 MHz"), NULL);
}

static void
ident_esp32p4 (const guint32  *w,
               GlintChipIdent *ident)
{
  /* the major revision's third bit is bit 23 */
  ident->revision = (bits (w[0], 23, 1) << 2 | bits (w[0], 4, 2)) * 100 + bits (w[0], 0, 4);
  ident->package = bits (w[0], 20, 3) == 0 ? "ESP32-P4" : "Unknown ESP32-P4";
  add_features (ident, N_("dual core"), N_("400 MHz"), NULL);
}

/* C6 and H2 (which inherits the C6's eFuse base): BLOCK1 words 3 and 4 */
#define ESP32C6_BLOCK1(n) (0x600B0844 + 4 * (n))
static const guint32 efuse_esp32c6[] = { ESP32C6_BLOCK1 (3), ESP32C6_BLOCK1 (4) };

static void
ident_esp32c6 (const guint32  *w,
               GlintChipIdent *ident)
{
  static const guint flash_mb[] = { 0, 4, 8 };
  guint pkg = bits (w[0], 24, 3);
  guint flash_cap = bits (w[1], 0, 3);

  ident->revision = bits (w[0], 22, 2) * 100 + bits (w[0], 18, 4);
  if (pkg == 0)
    ident->package = "ESP32-C6 (QFN40)";
  else if (pkg == 1 && flash_cap == 1)
    ident->package = "ESP32-C6FH4 (QFN32)";
  else if (pkg == 1 && flash_cap == 2)
    ident->package = "ESP32-C6FH8 (QFN32)";
  else
    ident->package = "Unknown ESP32-C6";
  add_features (ident, N_("Wi-Fi 6"), N_("BT 5 (LE)"), N_("IEEE 802.15.4"), N_("single core"),
                N_("160 MHz"), NULL);
  add_embedded (ident, flash_mb, G_N_ELEMENTS (flash_mb), flash_cap, FALSE);
}

static void
ident_esp32h2 (const guint32  *w,
               GlintChipIdent *ident)
{
  ident->revision = bits (w[0], 21, 2) * 100 + bits (w[0], 18, 3);
  ident->package = bits (w[1], 0, 3) == 0 ? "ESP32-H2" : "Unknown ESP32-H2";
  add_features (ident, N_("BT 5 (LE)"), N_("IEEE 802.15.4"), N_("single core"), N_("96 MHz"),
                NULL);
}

#define IDENT(name) .efuse_regs = efuse_##name, .n_efuse_regs = G_N_ELEMENTS (efuse_##name), \
                    .decode_ident = ident_##name
#define IDENT_AS(regs, name) .efuse_regs = efuse_##regs, \
                             .n_efuse_regs = G_N_ELEMENTS (efuse_##regs), \
                             .decode_ident = ident_##name

/* The image facts (display name, image chip id, bootloader offset) are
 * glint-chip-image's; table () copies them in on first use. */
static GlintChip rows[] = {
  {
    .name = "esp8266",
    MAGIC (magic_esp8266), .uses_magic = TRUE,
    .rom_features = 0,
    .rom_status_len = 2,
    .spi = SPI_ESP8266 (0x60000200),
    /* OTP mac0, mac1, mac3, in the order the decoder takes them */
    .mac_rule = GLINT_CHIP_MAC_ESP8266,
    .mac_regs = { 0x3FF00050, 0x3FF00054, 0x3FF0005C }, .n_mac_regs = 3,
    .uart_clkdiv_reg = 0x60000014, .xtal_clk_divider = 0,
    .xtal_fudge = GLINT_CHIP_XTAL_FUDGE_NONE,
    IDENT (esp8266),
    .stub_file = "esp8266.json",
  },
  {
    .name = "esp32",
    MAGIC (magic_esp32), .uses_magic = TRUE,
    .rom_features = ROM_ESP32_COMMON,
    .rom_status_len = 4,
    .spi = SPI_ESP32 (0x3FF42000),
    /* EFUSE_RD words 1 and 2: low word first */
    .mac_rule = GLINT_CHIP_MAC_EFUSE_PAIR,
    .mac_regs = { 0x3FF5A000 + 4, 0x3FF5A000 + 8 }, .n_mac_regs = 2,
    .uart_clkdiv_reg = 0x3FF40014, .xtal_clk_divider = XTAL_DIV_ESP32,
    .xtal_fudge = GLINT_CHIP_XTAL_FUDGE_MEASURED,
    IDENT (esp32),
    .stub_file = "esp32.json",
  },
  {
    .name = "esp32s2",
    MAGIC (magic_esp32s2), .uses_magic = TRUE,
    .rom_features = ROM_S2_LATER,   /* 12-byte security info, no chip_id */
    .rom_status_len = 4,
    .spi = SPI_LATER (0x3F402000),
    MAC_PAIR (0x3F41A044),
    .uart_clkdiv_reg = 0x3F400014, .xtal_clk_divider = XTAL_DIV_ESP32,
    .has_usb_otg = TRUE,
    IDENT (esp32s2),
    .stub_file = "esp32s2.json",
  },
  {
    .name = "esp32s3",
    MAGIC (magic_esp32s3),
    .rom_features = ROM_WITH_CHIP_ID,
    .rom_status_len = 4,
    .spi = SPI_LATER (0x60002000),
    MAC_PAIR (0x60007000 + 0x44),
    .uart_clkdiv_reg = 0x60000014, .xtal_clk_divider = XTAL_DIV_ESP32,
    .has_usb_otg = TRUE,
    IDENT (esp32s3),
    .stub_file = "esp32s3.json",
  },
  {
    .name = "esp32c2",
    MAGIC (magic_esp32c2),
    .rom_features = ROM_WITH_CHIP_ID,
    .rom_status_len = 4,
    .spi = SPI_LATER (0x60002000),
    MAC_PAIR (0x60008800 + 0x40),   /* +0x40, unlike the others' +0x44 */
    .uart_clkdiv_reg = 0x60000014, .xtal_clk_divider = XTAL_DIV_ESP32,
    .xtal_fudge = GLINT_CHIP_XTAL_FUDGE_26MHZ,
    IDENT (esp32c2),
    .stub_file = "esp32c2.json",
  },
  {
    .name = "esp32c3",
    MAGIC (magic_esp32c3),
    .rom_features = ROM_WITH_CHIP_ID,
    .rom_status_len = 4,
    .spi = SPI_LATER (0x60002000),
    MAC_PAIR (0x60008800 + 0x44),
    .uart_clkdiv_reg = 0x60000014, .xtal_clk_divider = XTAL_DIV_ESP32,
    IDENT (esp32c3),
    .stub_file = "esp32c3.json",
  },
  {
    .name = "esp32c5",
    MAGIC (magic_esp32c5),
    .rom_features = ROM_WITH_CHIP_ID,
    .rom_status_len = 4,
    .spi = SPI_LATER (0x60003000),
    MAC_PAIR (0x600B4800 + 0x44),
    .uart_clkdiv_reg = 0x60000014,  /* inherited C6 -> C3 */
    .xtal_clk_divider = XTAL_DIV_ESP32,
    .xtal_fudge = GLINT_CHIP_XTAL_FUDGE_EXPECTED,
    IDENT (esp32c5),
    .stub_file = "esp32c5.json",
  },
  {
    .name = "esp32c6",
    MAGIC (magic_esp32c6),
    .rom_features = ROM_WITH_CHIP_ID,
    .rom_status_len = 4,
    .spi = SPI_LATER (0x60003000),
    MAC_PAIR (0x600B0800 + 0x44),
    .uart_clkdiv_reg = 0x60000014,  /* inherited from C3 */
    .xtal_clk_divider = XTAL_DIV_ESP32,
    IDENT (esp32c6),
    .stub_file = "esp32c6.json",
  },
  {
    .name = "esp32c61",
    MAGIC (magic_esp32c61),
    .rom_features = ROM_WITH_CHIP_ID,
    .rom_status_len = 4,
    .spi = SPI_LATER (0x60003000),
    MAC_PAIR (0x600B4800 + 0x44),
    .uart_clkdiv_reg = 0x60000014,  /* inherited */
    .xtal_clk_divider = XTAL_DIV_ESP32,
    IDENT_AS (esp32c5, esp32c61),
    .stub_file = "esp32c61.json",
  },
  {
    .name = "esp32h2",
    MAGIC (magic_esp32h2),
    .rom_features = ROM_WITH_CHIP_ID,
    .rom_status_len = 4,
    .spi = SPI_LATER (0x60003000),
    /* eFuse base inherited from the C6 class (protocol.md §5) */
    MAC_PAIR (0x600B0800 + 0x44),
    .uart_clkdiv_reg = 0x60000014,  /* inherited */
    .xtal_clk_divider = XTAL_DIV_ESP32,
    IDENT_AS (esp32c6, esp32h2),
    .stub_file = "esp32h2.json",
  },
  {
    .name = "esp32p4",
    MAGIC (magic_esp32p4),
    .rom_features = ROM_WITH_CHIP_ID,
    .rom_status_len = 4,
    .spi = SPI_LATER (0x5008D000),  /* SPIMEM1 */
    MAC_PAIR (0x5012D000 + 0x44),
    /* UART_CLKDIV_REG: "not overridden in P4 class", unverified and no value
     * given, so the crystal is not estimated on the P4 */
    .uart_clkdiv_reg = 0, .xtal_clk_divider = 0,
    .has_usb_otg = TRUE,
    IDENT (esp32p4),
    .stub_file = "esp32p4.json",
  },
};

/* Fills each row's image facts from glint-chip-image, once: that table is
 * the only place they are written down. */
#define N_CHIPS G_N_ELEMENTS (rows)

static const GlintChip *
table (void)
{
  static gsize filled = 0;

  if (g_once_init_enter (&filled))
    {
      for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
        {
          const GlintChipImage *image = glint_chip_image_lookup (rows[i].name);

          g_assert (image != NULL);
          rows[i].display_name = image->display_name;
          rows[i].image_chip_id = image->image_chip_id;
          rows[i].bootloader_offset = image->bootloader_offset;
        }
      g_once_init_leave (&filled, 1);
    }

  return rows;
}

/* GET_SECURITY_INFO chip ids esptool knows but does not support (§4) */
static const struct
{
  guint32     id;
  const char *name;
} unsupported_ids[] = {
  { 4, "ESP32-S3(beta2)" },
  { 6, "ESP32-S3(beta3)" },
  { 7, "ESP32-C6(beta)" },
  { 10, "ESP32-H2(beta1)" },
  { 14, "ESP32-H2(beta2)" },
  { 17, "ESP32-C5(beta3)" },
};

/* §5.2 DETECTED_FLASH_SIZES, by capacity byte */
static const struct
{
  guint8  capacity;
  guint64 bytes;
} jedec_sizes[] = {
  { 0x12, 256 * 1024 }, { 0x13, 512 * 1024 }, { 0x14, 1 << 20 }, { 0x15, 2 << 20 },
  { 0x16, 4 << 20 }, { 0x17, 8 << 20 }, { 0x18, 16 << 20 }, { 0x19, 32 << 20 },
  { 0x1A, 64 << 20 }, { 0x1B, 128 << 20 }, { 0x1C, 256 << 20 },
  { 0x20, 64 << 20 }, { 0x21, 128 << 20 }, { 0x22, 256 << 20 },
  { 0x32, 256 * 1024 }, { 0x33, 512 * 1024 }, { 0x34, 1 << 20 }, { 0x35, 2 << 20 },
  { 0x36, 4 << 20 }, { 0x37, 8 << 20 }, { 0x38, 16 << 20 }, { 0x39, 32 << 20 },
  { 0x3A, 64 << 20 },
};

/**
 * glint_chip_get_all:
 * @n_chips: (out): number of entries
 *
 * Returns: (transfer none): the table, in esptool's order of introduction
 */
const GlintChip *
glint_chip_get_all (guint *n_chips)
{
  const GlintChip *chips = table ();

  g_return_val_if_fail (n_chips != NULL, NULL);

  *n_chips = N_CHIPS;
  return chips;
}

/**
 * glint_chip_lookup:
 * @name: "esp32s3", "ESP32-S3", "esp32-s3", … (ASCII case is ignored)
 *
 * Accepts esptool's names (flasher_args.json "chip") and ESP Web Tools'
 * chipFamily strings (§11).
 *
 * Returns: (nullable): the chip, or %NULL if @name is not one
 */
const GlintChip *
glint_chip_lookup (const char *name)
{
  const GlintChip *chips = table ();

  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < N_CHIPS; i++)
    {
      if (g_ascii_strcasecmp (name, chips[i].name) == 0 ||
          g_ascii_strcasecmp (name, chips[i].display_name) == 0)
        return &chips[i];
    }

  return NULL;
}

/**
 * glint_chip_from_image_id:
 * @image_chip_id: the chip id of an image's extended header
 *
 * Returns: (nullable): the chip whose images carry @image_chip_id
 */
const GlintChip *
glint_chip_from_image_id (guint16 image_chip_id)
{
  const GlintChip *chips = table ();

  for (guint i = 0; i < N_CHIPS; i++)
    {
      if (chips[i].image_chip_id == (gint) image_chip_id)
        return &chips[i];
    }

  return NULL;
}

/**
 * glint_chip_valid_names:
 *
 * Returns: (transfer full): "esp8266, esp32, esp32s2, …" for error messages
 */
char *
glint_chip_valid_names (void)
{
  const GlintChip *chips = table ();

  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < N_CHIPS; i++)
    {
      if (i > 0)
        g_string_append (s, ", ");
      g_string_append (s, chips[i].name);
    }

  return g_string_free (g_steal_pointer (&s), FALSE);
}

/**
 * glint_chip_from_security_info_id:
 * @chip_id: the chip_id word of a 20-byte GET_SECURITY_INFO reply
 *
 * Follows esptool's decision order (§4): a chip_id only names chips that are
 * not identified by their magic value. ESP8266, ESP32 and ESP32-S2 never
 * report a chip_id (no 0x14, or a 12-byte reply), so 0 and 2 do not match:
 * a zero word is more likely a short or zeroed reply than an ESP32.
 *
 * Returns: (nullable): the chip, or %NULL for unknown and beta ids
 */
const GlintChip *
glint_chip_from_security_info_id (guint32 chip_id)
{
  const GlintChip *chips = table ();

  for (guint i = 0; i < N_CHIPS; i++)
    {
      if (!chips[i].uses_magic &&
          chips[i].image_chip_id >= 0 &&
          (guint32) chips[i].image_chip_id == chip_id)
        return &chips[i];
    }

  return NULL;
}

/**
 * glint_chip_describe_unsupported_id:
 * @chip_id: a GET_SECURITY_INFO chip_id
 *
 * Returns: (nullable): "ESP32-H2(beta1)" etc. for the pre-release chips esptool
 *   lists as unsupported, so an error can name them; %NULL otherwise
 */
const char *
glint_chip_describe_unsupported_id (guint32 chip_id)
{
  for (guint i = 0; i < G_N_ELEMENTS (unsupported_ids); i++)
    {
      if (unsupported_ids[i].id == chip_id)
        return unsupported_ids[i].name;
    }

  return NULL;
}

/**
 * glint_chip_from_magic:
 * @value: READ_REG of %GLINT_CHIP_DETECT_MAGIC_REG
 *
 * Matches every chip's v4.8.1 magic list, for old ROMs whose
 * GET_SECURITY_INFO has no chip_id. Prefer glint_chip_from_security_info_id().
 *
 * Returns: (nullable): the chip, or %NULL
 */
const GlintChip *
glint_chip_from_magic (guint32 value)
{
  const GlintChip *chips = table ();

  for (guint i = 0; i < N_CHIPS; i++)
    {
      for (guint j = 0; j < chips[i].n_magic_values; j++)
        {
          if (chips[i].magic_values[j] == value)
            return &chips[i];
        }
    }

  return NULL;
}

gboolean
glint_chip_rom_has (const GlintChip     *chip,
                    GlintChipRomFeature  feature)
{
  g_return_val_if_fail (chip != NULL, FALSE);

  return (chip->rom_features & feature) == feature;
}

/**
 * glint_chip_get_mac_registers:
 * @chip: a chip
 * @n_regs: (out): number of addresses
 *
 * Returns: (transfer none): the addresses to READ_REG, in the order
 *   glint_chip_decode_mac() expects the words
 */
const guint32 *
glint_chip_get_mac_registers (const GlintChip *chip,
                              guint           *n_regs)
{
  g_return_val_if_fail (chip != NULL, NULL);
  g_return_val_if_fail (n_regs != NULL, NULL);

  *n_regs = chip->n_mac_regs;
  return chip->mac_regs;
}

/**
 * glint_chip_decode_mac:
 * @chip: a chip
 * @words: the values read from glint_chip_get_mac_registers(), same order
 * @mac: (out): the MAC
 * @error: return location for a #GError
 *
 * Returns: %FALSE if an ESP8266's OTP names no known OUI
 */
gboolean
glint_chip_decode_mac (const GlintChip *chip,
                       const guint32   *words,
                       guint8           mac[6],
                       GError         **error)
{
  g_return_val_if_fail (chip != NULL, FALSE);
  g_return_val_if_fail (words != NULL, FALSE);
  g_return_val_if_fail (mac != NULL, FALSE);

  if (chip->mac_rule == GLINT_CHIP_MAC_ESP8266)
    {
      guint32 mac0 = words[0];
      guint32 mac1 = words[1];
      guint32 mac3 = words[2];

      /* §5.1: the OUI is in mac3 when set, else selected by mac1 bits 23..16 */
      if (mac3 != 0)
        {
          mac[0] = (mac3 >> 16) & 0xFF;
          mac[1] = (mac3 >> 8) & 0xFF;
          mac[2] = mac3 & 0xFF;
        }
      else if (((mac1 >> 16) & 0xFF) == 0)
        {
          mac[0] = 0x18;
          mac[1] = 0xFE;
          mac[2] = 0x34;
        }
      else if (((mac1 >> 16) & 0xFF) == 1)
        {
          mac[0] = 0xAC;
          mac[1] = 0xD0;
          mac[2] = 0x74;
        }
      else
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_RESPONSE,
                       "unknown ESP8266 OUI selector 0x%02x in mac1 0x%08x",
                       (mac1 >> 16) & 0xFF, mac1);
          return FALSE;
        }

      mac[3] = (mac1 >> 8) & 0xFF;
      mac[4] = mac1 & 0xFF;
      mac[5] = (mac0 >> 24) & 0xFF;
      return TRUE;
    }

  /* §5.1: pack (high, low) big-endian into 8 bytes and drop the first two
   * (a CRC on the ESP32, unused bits later), leaving the low 16 bits of the
   * high word and all of the low word. */
  mac[0] = (words[1] >> 8) & 0xFF;
  mac[1] = words[1] & 0xFF;
  mac[2] = (words[0] >> 24) & 0xFF;
  mac[3] = (words[0] >> 16) & 0xFF;
  mac[4] = (words[0] >> 8) & 0xFF;
  mac[5] = words[0] & 0xFF;
  return TRUE;
}

/**
 * glint_chip_jedec_is_no_flash:
 * @jedec_id: the RDID result (bits 23..0)
 *
 * Returns: %TRUE for the ids esptool reads as "no flash / bad connection"
 */
gboolean
glint_chip_jedec_is_no_flash (guint32 jedec_id)
{
  jedec_id &= 0xFFFFFF;
  return jedec_id == 0xFFFFFF || jedec_id == 0x000000 || jedec_id == 0xFFFF3F;
}

/**
 * glint_chip_flash_size_from_jedec:
 * @jedec_id: the RDID result: manufacturer in bits 7..0, memory type in
 *   15..8, capacity in 23..16
 *
 * Returns: the flash size in bytes, or 0 when there is no flash or the
 *   capacity byte is unknown
 */
guint64
glint_chip_flash_size_from_jedec (guint32 jedec_id)
{
  guint8 capacity = (jedec_id >> 16) & 0xFF;

  if (glint_chip_jedec_is_no_flash (jedec_id))
    return 0;

  /* Adesto (0x1F) encodes the size in byte 1 with its own table, which
   * protocol.md does not give: report "unknown" rather than misread it. */
  if ((jedec_id & 0xFF) == 0x1F)
    return 0;

  for (guint i = 0; i < G_N_ELEMENTS (jedec_sizes); i++)
    {
      if (jedec_sizes[i].capacity == capacity)
        return jedec_sizes[i].bytes;
    }

  return 0;
}

/**
 * glint_chip_flash_size_code:
 * @chip: a chip
 * @size: "4MB", "2MB-c1", …
 *
 * Returns: the image header's size code (high nibble, already shifted), or
 *   -1 if @chip has no such size
 */
gint
glint_chip_flash_size_code (const GlintChip *chip,
                            const char      *size)
{
  g_return_val_if_fail (chip != NULL, -1);
  g_return_val_if_fail (size != NULL, -1);

  return glint_chip_image_flash_size_code (glint_chip_image_lookup (chip->name), size);
}

/**
 * glint_chip_flash_freq_code:
 * @chip: a chip
 * @freq: "80m", "40m", …
 *
 * Returns: the image header's freq code (low nibble), or -1
 */
gint
glint_chip_flash_freq_code (const GlintChip *chip,
                            const char      *freq)
{
  g_return_val_if_fail (chip != NULL, -1);
  g_return_val_if_fail (freq != NULL, -1);

  return glint_chip_image_flash_freq_code (glint_chip_image_lookup (chip->name), freq);
}

/**
 * glint_chip_flash_mode_code:
 * @mode: "qio", "qout", "dio" or "dout"
 *
 * Returns: the image header's mode byte, or -1
 */
gint
glint_chip_flash_mode_code (const char *mode)
{
  g_return_val_if_fail (mode != NULL, -1);

  return glint_chip_image_flash_mode_code (mode);
}

/**
 * glint_chip_flash_size_names:
 * @chip: a chip
 *
 * Returns: (transfer full): the sizes @chip's images can declare, "1MB, 2MB, …"
 */
char *
glint_chip_flash_size_names (const GlintChip *chip)
{
  g_return_val_if_fail (chip != NULL, NULL);

  return glint_chip_image_flash_size_names (glint_chip_image_lookup (chip->name));
}

/**
 * glint_chip_flash_freq_names:
 * @chip: a chip
 *
 * Returns: (transfer full): the flash frequencies of @chip, "80m, 40m, …"
 */
char *
glint_chip_flash_freq_names (const GlintChip *chip)
{
  g_return_val_if_fail (chip != NULL, NULL);

  return glint_chip_image_flash_freq_names (glint_chip_image_lookup (chip->name));
}

/**
 * glint_chip_flash_mode_names:
 *
 * Returns: (transfer full): "qio, qout, dio, dout"
 */
char *
glint_chip_flash_mode_names (void)
{
  return glint_chip_image_flash_mode_names ();
}

/**
 * glint_chip_measure_xtal_mhz:
 * @chip: a chip
 * @clkdiv_reg: READ_REG of @chip's uart_clkdiv_reg
 * @baud: the baud rate the ROM auto-detected (the one we synced at)
 *
 * The ROM sets its UART divider from the crystal it runs on, so
 * baud × divider recovers the crystal, as esptool's get_crystal_freq().
 *
 * Returns: the raw estimate in MHz, or 0 when @chip's register or divider is
 *   not known
 */
gdouble
glint_chip_measure_xtal_mhz (const GlintChip *chip,
                             guint32          clkdiv_reg,
                             guint            baud)
{
  g_return_val_if_fail (chip != NULL, 0);

  if (chip->uart_clkdiv_reg == 0 || chip->xtal_clk_divider == 0)
    return 0;

  /* The integer divider sits in bits 19..0 (esptool's UART_CLKDIV_MASK);
   * the mask is not in protocol.md: unverified. */
  clkdiv_reg &= 0xFFFFF;

  return (gdouble) baud * clkdiv_reg / 1e6 / chip->xtal_clk_divider;
}

static guint
normalise_xtal (gdouble mhz)
{
  /* Snap to the nearest crystal protocol.md names (26, 40 and the C5's
   * 48 MHz), rounding as esptool does (above 45, above 33). */
  if (mhz <= 0)
    return 0;
  if (mhz > 45)
    return 48;
  return mhz > 33 ? 40 : 26;
}

/**
 * glint_chip_estimate_xtal_mhz:
 *
 * Like glint_chip_measure_xtal_mhz() but normalised to a real crystal.
 * Only 26, 40 and 48 MHz are known to protocol.md; chips with other fixed
 * crystals (not listed there) would be misreported, so use this where
 * esptool measures the crystal: ESP8266, ESP32, ESP32-C2, ESP32-C5.
 *
 * Returns: 48, 40 or 26, or 0 if not known for @chip
 */
guint
glint_chip_estimate_xtal_mhz (const GlintChip *chip,
                              guint32          clkdiv_reg,
                              guint            baud)
{
  return normalise_xtal (glint_chip_measure_xtal_mhz (chip, clkdiv_reg, baud));
}

/* The ESP32 ROM's crystal belief (esptool's esp32.py,
 * get_rom_cal_crystal_freq): at boot the ROM counts crystal cycles against
 * its internal 8 MHz RC clock (CK8M), whose factory-measured frequency sits
 * in an eFuse byte; the RTC calibration result and that byte give the
 * crystal it believes in. CK8M drifts, so the belief is off by a few %. */
#define ESP32_RTCCALICFG1        0x3FF5F06C
#define ESP32_RTC_CALI_VALUE_S   7
#define ESP32_RTC_CALI_VALUE     0x01FFFFFF
#define ESP32_EFUSE_RD_WORD4     (0x3FF5A000 + 4 * 4)
#define ESP32_EFUSE_CK8M_FREQ    0xFF

static const guint32 rom_xtal_regs_esp32[] = { ESP32_RTCCALICFG1, ESP32_EFUSE_RD_WORD4 };

/* The ESP32-C5 ROM keeps the crystal it expects in PCR_SYSCLK_CONF (bits
 * 30..24, MHz; esptool's esp32c5.py, get_crystal_freq_rom_expect); the
 * UART divider tells the board's. */
#define ESP32C5_PCR_SYSCLK_CONF  0x60096110
#define ESP32C5_XTAL_FREQ_S      24
#define ESP32C5_XTAL_FREQ        0x7F

static const guint32 rom_xtal_regs_esp32c5[] = { 0x60000014, ESP32C5_PCR_SYSCLK_CONF };

/**
 * glint_chip_get_rom_xtal_registers:
 * @chip: a chip
 * @n_regs: (out): number of addresses, 0 when @chip's ROM takes the exact
 *   rate (or its belief cannot be read)
 *
 * What to READ_REG, in the ROM, for glint_chip_rom_xtal_mhz(): on the
 * ESP32 the RTC calibration register and eFuse word 4; on the ESP32-C2
 * the UART divider, which tells its crystal; on the ESP32-C5 the UART
 * divider and PCR_SYSCLK_CONF; on other chips nothing.
 *
 * Returns: (transfer none) (nullable): the addresses, in the order
 *   glint_chip_rom_xtal_mhz() expects the values
 */
const guint32 *
glint_chip_get_rom_xtal_registers (const GlintChip *chip,
                                   guint           *n_regs)
{
  g_return_val_if_fail (chip != NULL, NULL);
  g_return_val_if_fail (n_regs != NULL, NULL);

  switch (chip->xtal_fudge)
    {
    case GLINT_CHIP_XTAL_FUDGE_MEASURED:
      *n_regs = G_N_ELEMENTS (rom_xtal_regs_esp32);
      return rom_xtal_regs_esp32;

    case GLINT_CHIP_XTAL_FUDGE_26MHZ:
      if (chip->uart_clkdiv_reg == 0 || chip->xtal_clk_divider == 0)
        break;
      *n_regs = 1;
      return &chip->uart_clkdiv_reg;

    case GLINT_CHIP_XTAL_FUDGE_EXPECTED:
      *n_regs = G_N_ELEMENTS (rom_xtal_regs_esp32c5);
      return rom_xtal_regs_esp32c5;

    case GLINT_CHIP_XTAL_FUDGE_NONE:
    default:
      break;
    }

  *n_regs = 0;
  return NULL;
}

/**
 * glint_chip_rom_xtal_mhz:
 * @chip: a chip
 * @values: what glint_chip_get_rom_xtal_registers() read, same order
 * @boot_baud: the rate the ROM auto-detected (the one we synced at)
 *
 * The crystal the ROM believes it runs on, as glint_chip_baud_to_send()
 * wants it. ESP32: cali_val = (RTCCALICFG1 >> 7) & 0x1FFFFFF, ck8m = eFuse
 * word 4 & 0xFF, believed = cali_val × 15625 × ck8m / 40 Hz. ESP32-C2: the
 * crystal the UART divider at @boot_baud tells, 26 or 40 MHz (its ROM
 * believes in 40 MHz whatever the board carries). ESP32-C5: the crystal
 * the ROM expects (PCR_SYSCLK_CONF bits 30..24) as it would be on a 40 MHz
 * board, 40 × expected / real, real being what the UART divider at
 * @boot_baud tells; only 40 and 48 MHz are corrected, as by esptool, any
 * other pair gives 40 (the rate asked is sent).
 *
 * Returns: MHz, or 0 when @chip needs no figure or the values give none
 *   in GLINT_CHIP_XTAL_MIN_MHZ..GLINT_CHIP_XTAL_MAX_MHZ (a register that did
 *   not read what the recipe expects)
 */
gdouble
glint_chip_rom_xtal_mhz (const GlintChip *chip,
                         const guint32   *values,
                         guint            boot_baud)
{
  gdouble mhz = 0;

  g_return_val_if_fail (chip != NULL, 0);
  g_return_val_if_fail (values != NULL, 0);

  switch (chip->xtal_fudge)
    {
    case GLINT_CHIP_XTAL_FUDGE_MEASURED:
      {
        guint32 cali_val = (values[0] >> ESP32_RTC_CALI_VALUE_S) & ESP32_RTC_CALI_VALUE;
        guint32 ck8m = values[1] & ESP32_EFUSE_CK8M_FREQ;

        mhz = (gdouble) cali_val * 15625 * ck8m / 40 / 1e6;
      }
      break;

    case GLINT_CHIP_XTAL_FUDGE_26MHZ:
      mhz = glint_chip_estimate_xtal_mhz (chip, values[0], boot_baud);
      break;

    case GLINT_CHIP_XTAL_FUDGE_EXPECTED:
      {
        guint real = glint_chip_estimate_xtal_mhz (chip, values[0], boot_baud);
        guint expected = (values[1] >> ESP32C5_XTAL_FREQ_S) & ESP32C5_XTAL_FREQ;

        if (expected == 0 || real == 0)
          break;
        if ((expected == 40 && real == 48) || (expected == 48 && real == 40))
          mhz = 40.0 * expected / real;
        else
          mhz = 40;
      }
      break;

    case GLINT_CHIP_XTAL_FUDGE_NONE:
    default:
      break;
    }

  if (mhz < GLINT_CHIP_XTAL_MIN_MHZ || mhz > GLINT_CHIP_XTAL_MAX_MHZ)
    return 0;

  return mhz;
}

/**
 * glint_chip_baud_to_send:
 * @chip: a chip
 * @baud: the baud rate wanted on the wire
 * @xtal_mhz: the crystal the ROM believes in (glint_chip_rom_xtal_mhz()),
 *   0 if unknown
 * @is_stub: whether the stub is running
 *
 * The stub programs the exact rate. The ESP32 ROM derives its new divider
 * from the crystal frequency it believes in, measured against the drifting
 * CK8M clock, so the rate it really sets is the one asked × real / believed;
 * esptool therefore sends baud × believed / nominal (nominal = 40 MHz above
 * 33 MHz, else 26 MHz). The ESP32-C2 ROM assumes 40 MHz, so on a 26 MHz
 * board the value is scaled by 40/26. The ESP32-C5 ROM divides the
 * crystal it expects, which may not be the board's: @xtal_mhz is then 40 ×
 * expected / real, and the value baud × @xtal_mhz / 40 (baud × 40 / 48 or
 * × 48 / 40; protocol.md §5 notes). Results are truncated, as esptool's.
 *
 * For the ESP32, @xtal_mhz must be the ROM's belief, not the UART-divider
 * estimate of glint_chip_measure_xtal_mhz(): that one sees the real crystal,
 * so with it the correction is close to 1 (harmless, but not the drift fix).
 * For the C2 the normalised UART estimate is the figure. With 0 the rate
 * asked is sent. The caller must check %GLINT_CHIP_ROM_CHANGE_BAUDRATE first.
 *
 * Returns: the new_baud word of CHANGE_BAUDRATE
 */
guint
glint_chip_baud_to_send (const GlintChip *chip,
                         guint            baud,
                         gdouble          xtal_mhz,
                         gboolean         is_stub)
{
  guint nominal = normalise_xtal (xtal_mhz);

  g_return_val_if_fail (chip != NULL, baud);

  if (is_stub || nominal == 0)
    return baud;

  switch (chip->xtal_fudge)
    {
    case GLINT_CHIP_XTAL_FUDGE_MEASURED:
      /* @xtal_mhz is a decimal fraction (41.6) that a double cannot hold
       * exactly: a product that is whole must not truncate to one below. */
      return (guint) ((gdouble) baud * xtal_mhz / nominal + 1e-6);

    case GLINT_CHIP_XTAL_FUDGE_26MHZ:
      if (nominal == 26)
        return (guint) ((guint64) baud * 40 / 26);
      return baud;

    case GLINT_CHIP_XTAL_FUDGE_EXPECTED:
      /* 33.33… or 48: a whole product must not truncate to one below */
      return (guint) ((gdouble) baud * xtal_mhz / 40 + 1e-6);

    case GLINT_CHIP_XTAL_FUDGE_NONE:
    default:
      return baud;
    }
}

/**
 * glint_chip_is_usb_otg:
 *
 * Returns: %TRUE when @vid:@pid is @chip's ROM USB-OTG CDC port (Espressif
 *   VID, PID == image chip id; S2, S3 and P4 only, §5)
 */
gboolean
glint_chip_is_usb_otg (const GlintChip *chip,
                       guint16          vid,
                       guint16          pid)
{
  g_return_val_if_fail (chip != NULL, FALSE);

  return chip->has_usb_otg &&
         vid == GLINT_USB_VID_ESPRESSIF &&
         pid == chip->image_chip_id;
}

/**
 * glint_chip_get_ram_block_size:
 *
 * Returns: MEM_DATA block size; smaller over USB-OTG, whose ROM CDC buffer is
 *   smaller (§5.3)
 */
guint
glint_chip_get_ram_block_size (const GlintChip *chip,
                               gboolean         usb_otg)
{
  g_return_val_if_fail (chip != NULL, RAM_BLOCK);

  return usb_otg && chip->has_usb_otg ? USB_RAM_BLOCK : RAM_BLOCK;
}

/**
 * glint_chip_get_flash_write_size:
 *
 * Returns: FLASH_DATA / FLASH_DEFL_DATA block size (§5.3)
 */
guint
glint_chip_get_flash_write_size (const GlintChip *chip,
                                 gboolean         is_stub,
                                 gboolean         usb_otg)
{
  g_return_val_if_fail (chip != NULL, ROM_FLASH_WRITE_SIZE);

  if (!is_stub)
    return ROM_FLASH_WRITE_SIZE;

  return usb_otg && chip->has_usb_otg ? USB_RAM_BLOCK : STUB_FLASH_WRITE_SIZE;
}

/**
 * glint_chip_get_stub_file:
 * @chip: a chip
 * @major_rev: the chip's major revision, or %GLINT_CHIP_REV_UNKNOWN
 *
 * Returns: the stub JSON file name (§6.1). The P4 before revision 3 has its
 *   own "esp32p4-rev1.json": esptool 5 takes it when get_chip_revision()
 *   (major × 100 + minor) is below 300, so for majors 0 to 2. Without the
 *   revision, the current chip's "esp32p4.json".
 */
const char *
glint_chip_get_stub_file (const GlintChip *chip,
                          guint            major_rev)
{
  g_return_val_if_fail (chip != NULL, NULL);

  if (g_str_equal (chip->name, "esp32p4") && major_rev != GLINT_CHIP_REV_UNKNOWN &&
      major_rev < 3)
    return "esp32p4-rev1.json";

  return chip->stub_file;
}

/**
 * glint_chip_get_efuse_registers:
 * @chip: a chip
 * @n_regs: (out): number of addresses (at most %GLINT_CHIP_MAX_EFUSE_REGS)
 *
 * Returns: (transfer none): the addresses to READ_REG, in the order
 *   glint_chip_decode_ident() expects the words
 */
const guint32 *
glint_chip_get_efuse_registers (const GlintChip *chip,
                                guint           *n_regs)
{
  g_return_val_if_fail (chip != NULL, NULL);
  g_return_val_if_fail (n_regs != NULL, NULL);

  *n_regs = chip->n_efuse_regs;
  return chip->efuse_regs;
}

/**
 * glint_chip_decode_ident:
 * @chip: a chip
 * @words: the values read from glint_chip_get_efuse_registers(), same order
 * @ident: (out caller-allocates): what they say
 *
 * Decodes package, revision and features as esptool's targets do, so
 * both print the same description ("ESP32-D0WD-V3", v3.1).
 */
void
glint_chip_decode_ident (const GlintChip *chip,
                         const guint32   *words,
                         GlintChipIdent  *ident)
{
  g_return_if_fail (chip != NULL);
  g_return_if_fail (words != NULL);
  g_return_if_fail (ident != NULL);

  memset (ident, 0, sizeof *ident);
  chip->decode_ident (words, ident);
}

/**
 * glint_chip_format_revision:
 * @revision: major * 100 + minor, or %GLINT_CHIP_NO_REVISION
 *
 * Returns: (transfer full) (nullable): "v3.1" as esptool writes it, or
 *   %NULL for no revision
 */
char *
glint_chip_format_revision (gint revision)
{
  if (revision < 0)
    return NULL;

  return g_strdup_printf ("v%d.%d", revision / 100, revision % 100);
}

/**
 * glint_chip_flash_encrypted:
 * @flash_crypt_cnt: the FLASH_CRYPT_CNT / SPI_BOOT_CRYPT_CNT eFuse field
 *
 * Returns: %TRUE when flash encryption is on: an odd number of its bits
 *   set (each burnt bit toggles it, as esptool counts)
 */
gboolean
glint_chip_flash_encrypted (guint flash_crypt_cnt)
{
  guint n = 0;

  for (; flash_crypt_cnt != 0; flash_crypt_cnt &= flash_crypt_cnt - 1)
    n++;

  return (n & 1) != 0;
}
