/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "glint-bytes.h"

G_BEGIN_DECLS

/* The serial protocol's facts, written once (protocol.md §1, §2, §5.3, §7):
 * opcodes and their names, status codes, sizes and the timing class of each
 * command. Pure: no I/O and no GObject, so that the loader, the link timing
 * and the simulator can all use it. */

/* Framing (§1.2, §1.3) ------------------------------------------------------------ */

#define GLINT_PROTOCOL_REQUEST            0x00   /* first header byte, host to chip */
#define GLINT_PROTOCOL_RESPONSE           0x01   /* first header byte, chip to host */
#define GLINT_PROTOCOL_HEADER_LEN         8      /* direction, op, length, checksum/value */
#define GLINT_PROTOCOL_DATA_HEADER_LEN    16     /* *_DATA: length, sequence, two zero words */
#define GLINT_PROTOCOL_STATUS_MAX_LEN     4      /* ROM status bytes at most; stubs send 2 */
#define GLINT_PROTOCOL_CHECKSUM_SEED      0xEF   /* XOR seed of the *_DATA checksum */
#define GLINT_PROTOCOL_WRITE_REG_ENTRY    16     /* address, value, mask, delay */

/* Sizes (§5.3, §6.4) ------------------------------------------------------------ */

#define GLINT_FLASH_BLOCK_SIZE            0x10000  /* a block erase: 64 KiB */
#define GLINT_FLASH_PAGE_SIZE             256      /* one program operation */
#define GLINT_RAM_BLOCK_SIZE              0x1800   /* MEM_DATA */
#define GLINT_USB_RAM_BLOCK_SIZE          0x800    /* MEM_DATA and stub writes over USB-OTG */
#define GLINT_ROM_FLASH_WRITE_SIZE        0x400    /* FLASH_(DEFL_)DATA to the ROM */
#define GLINT_STUB_FLASH_WRITE_SIZE       0x4000   /* FLASH_(DEFL_)DATA to the stub */
#define GLINT_READ_FLASH_SLOW_SIZE        64       /* READ_FLASH_SLOW's answer */
#define GLINT_MD5_ROM_LEN                 32       /* SPI_FLASH_MD5 from the ROM: hex text */
#define GLINT_MD5_STUB_LEN                16       /* from the stub: the raw digest */

/* Opcodes (§2) ------------------------------------------------------------------- */

typedef enum
{
  GLINT_OP_FLASH_BEGIN        = 0x02,
  GLINT_OP_FLASH_DATA         = 0x03,
  GLINT_OP_FLASH_END          = 0x04,
  GLINT_OP_MEM_BEGIN          = 0x05,
  GLINT_OP_MEM_END            = 0x06,
  GLINT_OP_MEM_DATA           = 0x07,
  GLINT_OP_SYNC               = 0x08,
  GLINT_OP_WRITE_REG          = 0x09,
  GLINT_OP_READ_REG           = 0x0A,
  GLINT_OP_SPI_SET_PARAMS     = 0x0B,
  GLINT_OP_SPI_ATTACH         = 0x0D,
  GLINT_OP_READ_FLASH_SLOW    = 0x0E,
  GLINT_OP_CHANGE_BAUDRATE    = 0x0F,
  GLINT_OP_FLASH_DEFL_BEGIN   = 0x10,
  GLINT_OP_FLASH_DEFL_DATA    = 0x11,
  GLINT_OP_FLASH_DEFL_END     = 0x12,
  GLINT_OP_SPI_FLASH_MD5      = 0x13,
  GLINT_OP_GET_SECURITY_INFO  = 0x14,
  GLINT_OP_ERASE_FLASH        = 0xD0,
  GLINT_OP_ERASE_REGION       = 0xD1,
  GLINT_OP_READ_FLASH         = 0xD2,
  GLINT_OP_RUN_USER_CODE      = 0xD3,
  GLINT_OP_FLASH_ENCRYPT_DATA = 0xD4,
} GlintOp;

/**
 * GlintTimingClass:
 * @GLINT_TIMING_NONE: no device work to speak of; the link allowance
 *   covers it (SYNC, registers, SPI set-up, END commands, reads)
 * @GLINT_TIMING_MEM: a RAM block copied and checksummed by the ROM
 *   (%GLINT_PROTOCOL_MEM_WORK_US)
 * @GLINT_TIMING_CHIP_ERASE: fixed, esptool's CHIP_ERASE_TIMEOUT
 * @GLINT_TIMING_ERASE_PER_MB: erases the region before answering
 *   (ERASE_REGION_TIMEOUT_PER_MB)
 * @GLINT_TIMING_ROM_ERASE_PER_MB: the ROM erases the region up front, per
 *   MB; the stub erases lazily while writing and answers at once
 *   (FLASH_BEGIN, FLASH_DEFL_BEGIN)
 * @GLINT_TIMING_WRITE_PER_MB: a data block: the ROM writes it before it
 *   answers, per MB; the stub answers first and the work delays its next
 *   answer (§9)
 * @GLINT_TIMING_MD5_PER_MB: hashes the region, MD5_TIMEOUT_PER_MB
 *
 * How a command's worst-case device work is estimated (protocol.md §7;
 * glint_link_timing_processing_time() turns it into microseconds).
 */
typedef enum
{
  GLINT_TIMING_NONE,
  GLINT_TIMING_MEM,
  GLINT_TIMING_CHIP_ERASE,
  GLINT_TIMING_ERASE_PER_MB,
  GLINT_TIMING_ROM_ERASE_PER_MB,
  GLINT_TIMING_WRITE_PER_MB,
  GLINT_TIMING_MD5_PER_MB,
} GlintTimingClass;

/* esptool's constants behind the classes (§7) */
#define GLINT_PROTOCOL_DEFAULT_TIMEOUT_US     (3 * G_USEC_PER_SEC)
#define GLINT_PROTOCOL_CHIP_ERASE_US          (120 * G_USEC_PER_SEC)
#define GLINT_PROTOCOL_MAX_TIMEOUT_US         (240 * G_USEC_PER_SEC)
#define GLINT_PROTOCOL_ERASE_REGION_S_PER_MB  40
#define GLINT_PROTOCOL_ERASE_WRITE_S_PER_MB   40
#define GLINT_PROTOCOL_MD5_S_PER_MB           8
/* not esptool's: the ROM copies a MEM_DATA block into RAM and checksums it
 * in well under a millisecond; the link allowance comes on top */
#define GLINT_PROTOCOL_MEM_WORK_US            10000

/**
 * GlintOpInfo:
 * @op: the opcode
 * @name: esptool's name, for logs and errors
 * @timing: how its device work is estimated
 * @resp_len: payload bytes its answer carries before the status, at most
 *   (the ROM's; glint_protocol_response_len() knows the stub's)
 */
typedef struct
{
  guint8            op;
  const char       *name;
  GlintTimingClass  timing;
  guint8            resp_len;
} GlintOpInfo;

const GlintOpInfo *glint_protocol_op_info       (guint8   op);
const char        *glint_protocol_op_name       (guint8   op);
GlintTimingClass   glint_protocol_timing_class  (guint8   op);
gsize              glint_protocol_response_len  (guint8   op,
                                                 gboolean is_stub);

/* Text outside frames (§1.1, §7.2) ------------------------------------------------- */

gboolean           glint_protocol_line_shows_reset (const char   *line,
                                                    gsize         len);
gsize              glint_protocol_unreadable_bytes (const guint8 *text,
                                                    gsize         len);

/* Status codes (§1.3, §1.4) -------------------------------------------------------- */

/* The ROM's second status byte when the first is 1 (failure). */
typedef enum
{
  GLINT_ROM_OK                  = 0x00,
  GLINT_ROM_ERR_PARAM           = 0x01,
  GLINT_ROM_ERR_ALLOC           = 0x02,
  GLINT_ROM_ERR_SEND            = 0x03,
  GLINT_ROM_ERR_RECEIVE         = 0x04,
  GLINT_ROM_ERR_FORMAT          = 0x05,
  GLINT_ROM_ERR_RESULT          = 0x06,
  GLINT_ROM_ERR_CHECKSUM        = 0x07,
  GLINT_ROM_ERR_WRITE           = 0x08,
  GLINT_ROM_ERR_READ            = 0x09,
  GLINT_ROM_ERR_READ_LEN        = 0x0A,
  GLINT_ROM_ERR_DEFLATE         = 0x0B,
  GLINT_ROM_ERR_DEFLATE_ADLER   = 0x0C,
  GLINT_ROM_ERR_DEFLATE_PARAM   = 0x0D,
  GLINT_ROM_ERR_RAM_SIZE        = 0x0E,
  GLINT_ROM_ERR_RAM_ADDR        = 0x0F,
  GLINT_ROM_ERR_INVALID_PARAM   = 0x64,
  GLINT_ROM_ERR_INVALID_FORMAT  = 0x65,
  GLINT_ROM_ERR_DESC_TOO_LONG   = 0x66,
  GLINT_ROM_ERR_BAD_ENCODING    = 0x67,
  GLINT_ROM_ERR_NO_STORAGE      = 0x69,
} GlintRomError;

/* A ROM failure as the two status bytes read big-endian (esptool's form). */
#define GLINT_ROM_FAILURE(err) ((guint16) (0x0100 | (err)))

/* The stubs' status, two bytes read big-endian. */
typedef enum
{
  GLINT_STUB_OK                 = 0x0000,
  GLINT_STUB_ERR_BAD_DATA_LEN   = 0xC000,
  GLINT_STUB_ERR_BAD_CHECKSUM   = 0xC100,
  GLINT_STUB_ERR_BAD_BLOCKSIZE  = 0xC200,
  GLINT_STUB_ERR_INVALID_CMD    = 0xC300,
  GLINT_STUB_ERR_FAILED_SPI     = 0xC400,
  GLINT_STUB_ERR_SPI_UNLOCK     = 0xC500,
  GLINT_STUB_ERR_NOT_IN_FLASH   = 0xC600,
  GLINT_STUB_ERR_INFLATE        = 0xC700,
  GLINT_STUB_ERR_NOT_ENOUGH     = 0xC800,
  GLINT_STUB_ERR_TOO_MUCH       = 0xC900,
  GLINT_STUB_ERR_NAND_PROGRAM   = 0xCA00,
  GLINT_STUB_ERR_NAND_ERASE     = 0xCB00,
  GLINT_STUB_ERR_NOT_IMPLEMENTED = 0xFF00,
} GlintStubError;

const char        *glint_protocol_describe_status (guint16 code);

G_END_DECLS
