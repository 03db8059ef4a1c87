/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-protocol.h"

#include <string.h>

/* The one opcode table (protocol.md §2, §7). resp_len is what the ROM's
 * answer carries before its status, at most: the MD5 as hex text, the
 * longest security info, one slow read. */
static const GlintOpInfo ops[] = {
  { GLINT_OP_FLASH_BEGIN,        "FLASH_BEGIN",        GLINT_TIMING_ROM_ERASE_PER_MB, 0 },
  { GLINT_OP_FLASH_DATA,         "FLASH_DATA",         GLINT_TIMING_WRITE_PER_MB,     0 },
  { GLINT_OP_FLASH_END,          "FLASH_END",          GLINT_TIMING_NONE,             0 },
  { GLINT_OP_MEM_BEGIN,          "MEM_BEGIN",          GLINT_TIMING_MEM,              0 },
  { GLINT_OP_MEM_END,            "MEM_END",            GLINT_TIMING_NONE,             0 },
  { GLINT_OP_MEM_DATA,           "MEM_DATA",           GLINT_TIMING_MEM,              0 },
  { GLINT_OP_SYNC,               "SYNC",               GLINT_TIMING_NONE,             0 },
  { GLINT_OP_WRITE_REG,          "WRITE_REG",          GLINT_TIMING_NONE,             0 },
  { GLINT_OP_READ_REG,           "READ_REG",           GLINT_TIMING_NONE,             0 },
  { GLINT_OP_SPI_SET_PARAMS,     "SPI_SET_PARAMS",     GLINT_TIMING_NONE,             0 },
  { GLINT_OP_SPI_ATTACH,         "SPI_ATTACH",         GLINT_TIMING_NONE,             0 },
  { GLINT_OP_READ_FLASH_SLOW,    "READ_FLASH_SLOW",    GLINT_TIMING_NONE,
    GLINT_READ_FLASH_SLOW_SIZE },
  { GLINT_OP_CHANGE_BAUDRATE,    "CHANGE_BAUDRATE",    GLINT_TIMING_NONE,             0 },
  { GLINT_OP_FLASH_DEFL_BEGIN,   "FLASH_DEFL_BEGIN",   GLINT_TIMING_ROM_ERASE_PER_MB, 0 },
  { GLINT_OP_FLASH_DEFL_DATA,    "FLASH_DEFL_DATA",    GLINT_TIMING_WRITE_PER_MB,     0 },
  { GLINT_OP_FLASH_DEFL_END,     "FLASH_DEFL_END",     GLINT_TIMING_NONE,             0 },
  { GLINT_OP_SPI_FLASH_MD5,      "SPI_FLASH_MD5",      GLINT_TIMING_MD5_PER_MB,
    GLINT_MD5_ROM_LEN },
  { GLINT_OP_GET_SECURITY_INFO,  "GET_SECURITY_INFO",  GLINT_TIMING_NONE,             20 },
  { GLINT_OP_ERASE_FLASH,        "ERASE_FLASH",        GLINT_TIMING_CHIP_ERASE,       0 },
  { GLINT_OP_ERASE_REGION,       "ERASE_REGION",       GLINT_TIMING_ERASE_PER_MB,     0 },
  { GLINT_OP_READ_FLASH,         "READ_FLASH",         GLINT_TIMING_NONE,             0 },
  { GLINT_OP_RUN_USER_CODE,      "RUN_USER_CODE",      GLINT_TIMING_NONE,             0 },
  { GLINT_OP_FLASH_ENCRYPT_DATA, "FLASH_ENCRYPT_DATA", GLINT_TIMING_WRITE_PER_MB,     0 },
};

/**
 * glint_protocol_op_info:
 * @op: an opcode
 *
 * Returns: (nullable): what the protocol says about it, %NULL if no loader
 *   knows it
 */
const GlintOpInfo *
glint_protocol_op_info (guint8 op)
{
  for (gsize i = 0; i < G_N_ELEMENTS (ops); i++)
    {
      if (ops[i].op == op)
        return &ops[i];
    }

  return NULL;
}

/**
 * glint_protocol_op_name:
 * @op: an opcode
 *
 * Returns: esptool's name of it, or "unknown command"
 */
const char *
glint_protocol_op_name (guint8 op)
{
  const GlintOpInfo *info = glint_protocol_op_info (op);

  return info != NULL ? info->name : "unknown command";
}

/* Whether @len bytes at @text contain @mark. */
static gboolean
contains (const char *text,
          gsize       len,
          const char *mark)
{
  gsize n = strlen (mark);

  for (gsize at = 0; at + n <= len; at++)
    if (memcmp (text + at, mark, n) == 0)
      return TRUE;

  return FALSE;
}

/**
 * glint_protocol_line_shows_reset:
 * @line: one line the chip printed outside frames
 * @len: its length
 *
 * Whether @line is a ROM's reset line (protocol.md §7.2): "rst:0x…,boot:…"
 * (the ESP8266: "…rst cause:…, boot mode:(…)") for a boot into flash, which
 * only a reset prints, so a command sent before it will not be answered. A
 * boot into download mode ("DOWNLOAD", boot mode 1 on the ESP8266) does not
 * count: that chip listens.
 *
 * Returns: %TRUE if @line shows that the chip reset and left download mode
 */
gboolean
glint_protocol_line_shows_reset (const char *line,
                                 gsize       len)
{
  if (contains (line, len, "rst:0x"))
    return !contains (line, len, "DOWNLOAD");
  if (contains (line, len, "rst cause:"))
    return !contains (line, len, "boot mode:(1,");

  return FALSE;
}

/**
 * glint_protocol_unreadable_bytes:
 * @text: bytes the chip sent outside frames
 * @len: their length
 *
 * Returns: how many of them are neither printable ASCII nor a line break
 *   or tab: what text sent at another rate than the one listened at turns
 *   into (protocol.md §7.2)
 */
gsize
glint_protocol_unreadable_bytes (const guint8 *text,
                                 gsize         len)
{
  gsize n = 0;

  for (gsize i = 0; i < len; i++)
    if (!(text[i] >= 0x20 && text[i] < 0x7f) && text[i] != '\r' && text[i] != '\n' &&
        text[i] != '\t')
      n++;

  return n;
}

/**
 * glint_protocol_timing_class:
 * @op: an opcode
 *
 * Returns: how its device work is estimated; %GLINT_TIMING_NONE for
 *   unknown opcodes
 */
GlintTimingClass
glint_protocol_timing_class (guint8 op)
{
  const GlintOpInfo *info = glint_protocol_op_info (op);

  return info != NULL ? info->timing : GLINT_TIMING_NONE;
}

/**
 * glint_protocol_response_len:
 * @op: an opcode
 * @is_stub: whether the stub answers
 *
 * Returns: payload bytes the answer carries before its status, at most: the
 *   stub sends the MD5 as 16 raw bytes, the ROM as 32 hex digits (§2)
 */
gsize
glint_protocol_response_len (guint8   op,
                             gboolean is_stub)
{
  const GlintOpInfo *info = glint_protocol_op_info (op);

  if (op == GLINT_OP_SPI_FLASH_MD5 && is_stub)
    return GLINT_MD5_STUB_LEN;

  return info != NULL ? info->resp_len : 0;
}

/**
 * glint_protocol_describe_status:
 * @code: the two status bytes as a big-endian number, as esptool shows
 *   them: ROM failures are 0x01xx, stub failures 0xC000–0xFF00
 *
 * Returns: what the chip meant (protocol.md §1.4)
 */
const char *
glint_protocol_describe_status (guint16 code)
{
  static const char *rom[] = {
    [GLINT_ROM_OK] = "undefined error",
    [GLINT_ROM_ERR_PARAM] = "input parameter invalid",
    [GLINT_ROM_ERR_ALLOC] = "failed to allocate memory",
    [GLINT_ROM_ERR_SEND] = "failed to send message",
    [GLINT_ROM_ERR_RECEIVE] = "failed to receive message",
    [GLINT_ROM_ERR_FORMAT] = "message format invalid or command not supported",
    [GLINT_ROM_ERR_RESULT] = "message OK but running result wrong",
    [GLINT_ROM_ERR_CHECKSUM] = "checksum error",
    [GLINT_ROM_ERR_WRITE] = "flash write error",
    [GLINT_ROM_ERR_READ] = "flash read error",
    [GLINT_ROM_ERR_READ_LEN] = "flash read length error",
    [GLINT_ROM_ERR_DEFLATE] = "deflate failed",
    [GLINT_ROM_ERR_DEFLATE_ADLER] = "deflate Adler-32 error",
    [GLINT_ROM_ERR_DEFLATE_PARAM] = "deflate parameter error",
    [GLINT_ROM_ERR_RAM_SIZE] = "invalid RAM binary size",
    [GLINT_ROM_ERR_RAM_ADDR] = "invalid RAM binary address",
    [GLINT_ROM_ERR_INVALID_PARAM] = "invalid parameter",
    [GLINT_ROM_ERR_INVALID_FORMAT] = "invalid format",
    [GLINT_ROM_ERR_DESC_TOO_LONG] = "description too long",
    [GLINT_ROM_ERR_BAD_ENCODING] = "bad encoding description",
    [GLINT_ROM_ERR_NO_STORAGE] = "insufficient storage",
  };

  if ((code >> 8) != 0 && (code >> 8) < 0xC0)
    {
      guint8 low = code & 0xFF;

      if (low < G_N_ELEMENTS (rom) && rom[low] != NULL)
        return rom[low];
      return "unknown ROM error";
    }

  switch (code)
    {
    case GLINT_STUB_ERR_BAD_DATA_LEN: return "bad data length";
    case GLINT_STUB_ERR_BAD_CHECKSUM: return "bad data checksum";
    case GLINT_STUB_ERR_BAD_BLOCKSIZE: return "bad block size";
    case GLINT_STUB_ERR_INVALID_CMD: return "invalid command";
    case GLINT_STUB_ERR_FAILED_SPI: return "failed SPI operation";
    case GLINT_STUB_ERR_SPI_UNLOCK: return "failed SPI unlock";
    case GLINT_STUB_ERR_NOT_IN_FLASH: return "not in flash mode";
    case GLINT_STUB_ERR_INFLATE: return "inflate error";
    case GLINT_STUB_ERR_NOT_ENOUGH: return "not enough data";
    case GLINT_STUB_ERR_TOO_MUCH: return "too much data";
    case GLINT_STUB_ERR_NAND_PROGRAM: return "NAND program failed";
    case GLINT_STUB_ERR_NAND_ERASE: return "NAND erase failed";
    case GLINT_STUB_ERR_NOT_IMPLEMENTED: return "command not implemented";
    default: return "unknown error";
    }
}
