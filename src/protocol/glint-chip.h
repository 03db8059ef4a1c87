/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "glint-chip-image.h"
#include "glint-types.h"

G_BEGIN_DECLS

/* The PID of the on-chip USB-Serial/JTAG under Espressif's vendor id
 * (GLINT_USB_VID_ESPRESSIF, protocol.md §3.2); the ROM's USB-OTG CDC uses
 * PID == image chip id (§5). */
#define GLINT_USB_PID_USB_SERIAL_JTAG 0x1001

/* READ_REG address identifying old chips (protocol.md §4). */
#define GLINT_CHIP_DETECT_MAGIC_REG   0x40001000

/* A major revision that was not read (glint_chip_get_stub_file()). */
#define GLINT_CHIP_REV_UNKNOWN        G_MAXUINT

/* Number of 32-bit words glint_chip_decode_mac() reads at most. */
#define GLINT_CHIP_MAX_MAC_REGS       3

/* Number of 32-bit words glint_chip_decode_ident() reads at most. */
#define GLINT_CHIP_MAX_EFUSE_REGS     5

/* Features glint_chip_decode_ident() lists at most. */
#define GLINT_CHIP_MAX_FEATURES       8

/* GlintChipIdent.revision of a chip without one (the ESP8266). */
#define GLINT_CHIP_NO_REVISION        (-1)

/* Number of 32-bit words glint_chip_rom_xtal_mhz() reads at most. */
#define GLINT_CHIP_MAX_XTAL_REGS      2

/* Crystal figures outside this range are no crystal a ROM ran on: a
 * register that did not read what the recipe expects. */
#define GLINT_CHIP_XTAL_MIN_MHZ       20.0
#define GLINT_CHIP_XTAL_MAX_MHZ       60.0

typedef struct _GlintChip GlintChip;

/**
 * GlintChipSecurity:
 * @GLINT_CHIP_SECURE_BOOT: secure boot is enabled
 * @GLINT_CHIP_SECURE_BOOT_AGGRESSIVE_REVOKE: aggressive key revocation
 * @GLINT_CHIP_SECURE_DOWNLOAD: secure download mode: the ROM takes only
 *   SYNC, SPI_ATTACH, SPI_SET_PARAMS, CHANGE_BAUDRATE, FLASH_BEGIN/DATA/END
 *   and GET_SECURITY_INFO (protocol.md §2)
 * @GLINT_CHIP_SOFT_DIS_JTAG: JTAG disabled until re-enabled by software
 * @GLINT_CHIP_HARD_DIS_JTAG: JTAG disabled for good
 * @GLINT_CHIP_DIS_USB: the USB interfaces are disabled
 *
 * The flags word of GET_SECURITY_INFO (protocol.md §4); on the ESP32,
 * which has no such command, the same bits are filled from its eFuse.
 */
typedef enum
{
  GLINT_CHIP_SECURE_BOOT                   = 1 << 0,
  GLINT_CHIP_SECURE_BOOT_AGGRESSIVE_REVOKE = 1 << 1,
  GLINT_CHIP_SECURE_DOWNLOAD               = 1 << 2,
  GLINT_CHIP_SOFT_DIS_JTAG                 = 1 << 6,
  GLINT_CHIP_HARD_DIS_JTAG                 = 1 << 7,
  GLINT_CHIP_DIS_USB                       = 1 << 8,
} GlintChipSecurity;

/**
 * GlintChipIdent:
 * @revision: major * 100 + minor, %GLINT_CHIP_NO_REVISION on the ESP8266
 * @package: the chip's description as esptool gives it, without the
 *   revision: "ESP32-D0WD-V3", "ESP32-S3 (QFN56)", "ESP8266EX"
 * @features: %NULL-terminated, untranslated (marked for gettext): "Wi-Fi",
 *   "BT", "dual core", "240 MHz", "embedded flash 4 MB", …
 * @has_efuse_security: @security and @flash_crypt_cnt were read from
 *   eFuse (the ESP32, whose ROM has no GET_SECURITY_INFO)
 * @security: #GlintChipSecurity flags, when @has_efuse_security
 * @flash_crypt_cnt: the flash encryption counter, when @has_efuse_security
 *
 * What a chip's eFuse says it is (glint_chip_decode_ident()). All strings
 * are static.
 */
typedef struct
{
  gint         revision;
  const char  *package;
  const char  *features[GLINT_CHIP_MAX_FEATURES + 1];
  gboolean     has_efuse_security;
  guint32      security;
  guint        flash_crypt_cnt;
} GlintChipIdent;

/**
 * GlintChipRomFeature:
 * @GLINT_CHIP_ROM_FLASH_DEFL: FLASH_DEFL_BEGIN/DATA/END (0x10–0x12)
 * @GLINT_CHIP_ROM_MD5: SPI_FLASH_MD5 (0x13)
 * @GLINT_CHIP_ROM_CHANGE_BAUDRATE: CHANGE_BAUDRATE (0x0F)
 * @GLINT_CHIP_ROM_SPI_ATTACH: SPI_ATTACH (0x0D)
 * @GLINT_CHIP_ROM_SPI_SET_PARAMS: SPI_SET_PARAMS (0x0B)
 * @GLINT_CHIP_ROM_GET_SECURITY_INFO: GET_SECURITY_INFO (0x14)
 * @GLINT_CHIP_ROM_SECURITY_INFO_CHIP_ID: GET_SECURITY_INFO carries chip_id
 *   (20-byte reply; ESP32-S2 returns only 12 bytes)
 * @GLINT_CHIP_ROM_FLASH_BEGIN_ENCRYPTED: FLASH_BEGIN / FLASH_DEFL_BEGIN take
 *   the 5th "encrypted" word
 * @GLINT_CHIP_ROM_READ_FLASH_SLOW: READ_FLASH_SLOW (0x0E)
 *
 * What the chip's ROM loader (not the stub) implements, protocol.md §2, §5.4.
 */
typedef enum
{
  GLINT_CHIP_ROM_FLASH_DEFL            = 1 << 0,
  GLINT_CHIP_ROM_MD5                   = 1 << 1,
  GLINT_CHIP_ROM_CHANGE_BAUDRATE       = 1 << 2,
  GLINT_CHIP_ROM_SPI_ATTACH            = 1 << 3,
  GLINT_CHIP_ROM_SPI_SET_PARAMS        = 1 << 4,
  GLINT_CHIP_ROM_GET_SECURITY_INFO     = 1 << 5,
  GLINT_CHIP_ROM_SECURITY_INFO_CHIP_ID = 1 << 6,
  GLINT_CHIP_ROM_FLASH_BEGIN_ENCRYPTED = 1 << 7,
  GLINT_CHIP_ROM_READ_FLASH_SLOW       = 1 << 8,
} GlintChipRomFeature;

/**
 * GlintChipMacRule:
 * @GLINT_CHIP_MAC_ESP8266: OTP words mac0, mac1, mac3 with the OUI rule
 * @GLINT_CHIP_MAC_EFUSE_PAIR: two eFuse words (low, high), packed
 *   big-endian as (high, low), first 2 bytes dropped
 *
 * How the MAC is decoded from eFuse/OTP words (protocol.md §5.1).
 */
typedef enum
{
  GLINT_CHIP_MAC_ESP8266,
  GLINT_CHIP_MAC_EFUSE_PAIR,
} GlintChipMacRule;

/**
 * GlintChipXtalFudge:
 * @GLINT_CHIP_XTAL_FUDGE_NONE: ROM CHANGE_BAUDRATE takes the exact baud
 * @GLINT_CHIP_XTAL_FUDGE_MEASURED: ESP32 ROM: baud × believed / nominal xtal,
 *   the believed crystal measured by the ROM against its CK8M clock
 * @GLINT_CHIP_XTAL_FUDGE_26MHZ: ESP32-C2 ROM on a 26 MHz xtal: baud × 40 / 26
 * @GLINT_CHIP_XTAL_FUDGE_EXPECTED: ESP32-C5 ROM: baud × expected / real where
 *   the crystal it expects (40 or 48 MHz, in PCR_SYSCLK_CONF) is not the board's
 *
 * The CHANGE_BAUDRATE correction the ROM needs (protocol.md §5 notes).
 */
typedef enum
{
  GLINT_CHIP_XTAL_FUDGE_NONE,
  GLINT_CHIP_XTAL_FUDGE_MEASURED,
  GLINT_CHIP_XTAL_FUDGE_26MHZ,
  GLINT_CHIP_XTAL_FUDGE_EXPECTED,
} GlintChipXtalFudge;

/**
 * GlintChipSpiRegs:
 * @base: SPI_REG_BASE of the flash SPI controller
 * @usr, @usr1, @usr2, @w0, @mosi_dlen, @miso_dlen: offsets from @base;
 *   0 means "not known" (no register of interest sits at offset 0 except CMD)
 * @addr_msb: address register is left-justified (SPI_ADDR_REG_MSB)
 *
 * Registers used by the RDID recipe of protocol.md §5.2.
 */
typedef struct
{
  guint32  base;
  guint32  usr;
  guint32  usr1;
  guint32  usr2;
  guint32  w0;
  guint32  mosi_dlen;
  guint32  miso_dlen;
  gboolean addr_msb;
} GlintChipSpiRegs;

/**
 * GlintChip:
 *
 * One entry of the chip table. All entries are static and constant: compare
 * pointers, never free them.
 */
struct _GlintChip
{
  const char         *name;            /* canonical, esptool's: "esp32s3" */
  /* display_name, image_chip_id and bootloader_offset are copies of the
   * chip's GlintChipImage (glint-chip-image.h), the one place they are kept */
  const char         *display_name;    /* "ESP32-S3", also ESP Web Tools' chipFamily */
  gint                image_chip_id;   /* GLINT_CHIP_NO_IMAGE_ID for ESP8266 */
  const guint32      *magic_values;    /* READ_REG 0x40001000 values (v4.8.1 lists) */
  guint               n_magic_values;
  gboolean            uses_magic;      /* current esptool identifies it by magic only */
  guint32             bootloader_offset;
  GlintChipRomFeature rom_features;
  guint               rom_status_len;  /* status bytes of the ROM loader's replies */
  GlintChipSpiRegs    spi;
  GlintChipMacRule    mac_rule;
  guint32             mac_regs[GLINT_CHIP_MAX_MAC_REGS];
  guint               n_mac_regs;
  guint32             uart_clkdiv_reg; /* 0 = not known */
  guint               xtal_clk_divider;/* 0 = not known */
  GlintChipXtalFudge  xtal_fudge;
  gboolean            has_usb_otg;     /* ROM USB-OTG CDC: smaller blocks */
  const char         *stub_file;       /* "esp32s3.json" */
  const guint32      *efuse_regs;      /* what glint_chip_decode_ident() reads */
  guint               n_efuse_regs;
  void              (*decode_ident)    (const guint32  *words,
                                        GlintChipIdent *ident);
};

const GlintChip  *glint_chip_lookup                   (const char      *name);
const GlintChip  *glint_chip_get_all                  (guint           *n_chips);
const GlintChip  *glint_chip_from_image_id            (guint16          image_chip_id);
char             *glint_chip_valid_names              (void);

const GlintChip  *glint_chip_from_security_info_id    (guint32          chip_id);
const char       *glint_chip_describe_unsupported_id  (guint32          chip_id);
const GlintChip  *glint_chip_from_magic               (guint32          value);

gboolean          glint_chip_rom_has                  (const GlintChip *chip,
                                                       GlintChipRomFeature feature);

const guint32    *glint_chip_get_mac_registers        (const GlintChip *chip,
                                                       guint           *n_regs);
gboolean          glint_chip_decode_mac               (const GlintChip *chip,
                                                       const guint32   *words,
                                                       guint8           mac[6],
                                                       GError         **error);

const guint32    *glint_chip_get_efuse_registers      (const GlintChip *chip,
                                                       guint           *n_regs);
void              glint_chip_decode_ident             (const GlintChip *chip,
                                                       const guint32   *words,
                                                       GlintChipIdent  *ident);
char             *glint_chip_format_revision          (gint             revision);
gboolean          glint_chip_flash_encrypted          (guint            flash_crypt_cnt);

guint64           glint_chip_flash_size_from_jedec    (guint32          jedec_id);
gboolean          glint_chip_jedec_is_no_flash        (guint32          jedec_id);
gint              glint_chip_flash_size_code          (const GlintChip *chip,
                                                       const char      *size);
gint              glint_chip_flash_freq_code          (const GlintChip *chip,
                                                       const char      *freq);
gint              glint_chip_flash_mode_code          (const char      *mode);
char             *glint_chip_flash_size_names         (const GlintChip *chip);
char             *glint_chip_flash_freq_names         (const GlintChip *chip);
char             *glint_chip_flash_mode_names         (void);

gdouble           glint_chip_measure_xtal_mhz         (const GlintChip *chip,
                                                       guint32          clkdiv_reg,
                                                       guint            baud);
guint             glint_chip_estimate_xtal_mhz        (const GlintChip *chip,
                                                       guint32          clkdiv_reg,
                                                       guint            baud);
const guint32    *glint_chip_get_rom_xtal_registers   (const GlintChip *chip,
                                                       guint           *n_regs);
gdouble           glint_chip_rom_xtal_mhz             (const GlintChip *chip,
                                                       const guint32   *values,
                                                       guint            boot_baud);
guint             glint_chip_baud_to_send             (const GlintChip *chip,
                                                       guint            baud,
                                                       gdouble          xtal_mhz,
                                                       gboolean         is_stub);

gboolean          glint_chip_is_usb_otg               (const GlintChip *chip,
                                                       guint16          vid,
                                                       guint16          pid);
guint             glint_chip_get_ram_block_size       (const GlintChip *chip,
                                                       gboolean         usb_otg);
guint             glint_chip_get_flash_write_size     (const GlintChip *chip,
                                                       gboolean         is_stub,
                                                       gboolean         usb_otg);
const char       *glint_chip_get_stub_file            (const GlintChip *chip,
                                                       guint            major_rev);

G_END_DECLS
