/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-test-utils.h"

#include "glint-link-timing.h"
#include "glint-protocol.h"

/* esptool's opcodes and names (loader.py, ESP_* constants), written out here
 * rather than taken from the header, so that a slip in the table shows. */
static const struct
{
  guint8      op;
  const char *name;
} esptool_ops[] = {
  { 0x02, "FLASH_BEGIN" },
  { 0x03, "FLASH_DATA" },
  { 0x04, "FLASH_END" },
  { 0x05, "MEM_BEGIN" },
  { 0x06, "MEM_END" },
  { 0x07, "MEM_DATA" },
  { 0x08, "SYNC" },
  { 0x09, "WRITE_REG" },
  { 0x0A, "READ_REG" },
  { 0x0B, "SPI_SET_PARAMS" },
  { 0x0D, "SPI_ATTACH" },
  { 0x0E, "READ_FLASH_SLOW" },
  { 0x0F, "CHANGE_BAUDRATE" },
  { 0x10, "FLASH_DEFL_BEGIN" },
  { 0x11, "FLASH_DEFL_DATA" },
  { 0x12, "FLASH_DEFL_END" },
  { 0x13, "SPI_FLASH_MD5" },
  { 0x14, "GET_SECURITY_INFO" },
  { 0xD0, "ERASE_FLASH" },
  { 0xD1, "ERASE_REGION" },
  { 0xD2, "READ_FLASH" },
  { 0xD3, "RUN_USER_CODE" },
  { 0xD4, "FLASH_ENCRYPT_DATA" },
};

static void
test_op_table (void)
{
  guint known = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (esptool_ops); i++)
    {
      const GlintOpInfo *info = glint_protocol_op_info (esptool_ops[i].op);

      g_assert_nonnull (info);
      g_assert_cmpuint (info->op, ==, esptool_ops[i].op);
      g_assert_cmpstr (info->name, ==, esptool_ops[i].name);
      g_assert_cmpstr (glint_protocol_op_name (esptool_ops[i].op), ==, esptool_ops[i].name);
    }

  /* nothing else is known: every other byte is an unknown command */
  for (guint op = 0; op < 256; op++)
    {
      if (glint_protocol_op_info (op) != NULL)
        known++;
      else
        g_assert_cmpstr (glint_protocol_op_name (op), ==, "unknown command");
    }
  g_assert_cmpuint (known, ==, G_N_ELEMENTS (esptool_ops));
}

static void
test_timing_classes (void)
{
  g_assert_cmpint (glint_protocol_timing_class (GLINT_OP_SYNC), ==, GLINT_TIMING_NONE);
  g_assert_cmpint (glint_protocol_timing_class (GLINT_OP_READ_REG), ==, GLINT_TIMING_NONE);
  g_assert_cmpint (glint_protocol_timing_class (GLINT_OP_FLASH_END), ==, GLINT_TIMING_NONE);
  g_assert_cmpint (glint_protocol_timing_class (GLINT_OP_MEM_END), ==, GLINT_TIMING_NONE);
  g_assert_cmpint (glint_protocol_timing_class (GLINT_OP_MEM_BEGIN), ==, GLINT_TIMING_MEM);
  g_assert_cmpint (glint_protocol_timing_class (GLINT_OP_MEM_DATA), ==, GLINT_TIMING_MEM);
  g_assert_cmpint (glint_protocol_timing_class (GLINT_OP_ERASE_FLASH), ==,
                   GLINT_TIMING_CHIP_ERASE);
  g_assert_cmpint (glint_protocol_timing_class (GLINT_OP_ERASE_REGION), ==,
                   GLINT_TIMING_ERASE_PER_MB);
  g_assert_cmpint (glint_protocol_timing_class (GLINT_OP_FLASH_BEGIN), ==,
                   GLINT_TIMING_ROM_ERASE_PER_MB);
  g_assert_cmpint (glint_protocol_timing_class (GLINT_OP_FLASH_DEFL_BEGIN), ==,
                   GLINT_TIMING_ROM_ERASE_PER_MB);
  g_assert_cmpint (glint_protocol_timing_class (GLINT_OP_FLASH_DATA), ==,
                   GLINT_TIMING_WRITE_PER_MB);
  g_assert_cmpint (glint_protocol_timing_class (GLINT_OP_FLASH_DEFL_DATA), ==,
                   GLINT_TIMING_WRITE_PER_MB);
  g_assert_cmpint (glint_protocol_timing_class (GLINT_OP_FLASH_ENCRYPT_DATA), ==,
                   GLINT_TIMING_WRITE_PER_MB);
  g_assert_cmpint (glint_protocol_timing_class (GLINT_OP_SPI_FLASH_MD5), ==,
                   GLINT_TIMING_MD5_PER_MB);
  g_assert_cmpint (glint_protocol_timing_class (0x42), ==, GLINT_TIMING_NONE);

  /* the MEM class is the stub upload's fixed 10 ms */
  g_assert_cmpint (glint_link_timing_processing_time (GLINT_OP_MEM_DATA, 0x1800, FALSE), ==,
                   10000);
  g_assert_cmpint (glint_link_timing_processing_time (GLINT_OP_MEM_END, 0, FALSE), ==, 0);
}

static void
test_response_len (void)
{
  g_assert_cmpuint (glint_protocol_response_len (GLINT_OP_SPI_FLASH_MD5, TRUE), ==, 16);
  g_assert_cmpuint (glint_protocol_response_len (GLINT_OP_SPI_FLASH_MD5, FALSE), ==, 32);
  g_assert_cmpuint (glint_protocol_response_len (GLINT_OP_READ_FLASH_SLOW, FALSE), ==, 64);
  g_assert_cmpuint (glint_protocol_response_len (GLINT_OP_GET_SECURITY_INFO, TRUE), ==, 20);
  g_assert_cmpuint (glint_protocol_response_len (GLINT_OP_SYNC, FALSE), ==, 0);
  g_assert_cmpuint (glint_protocol_response_len (0x42, FALSE), ==, 0);
}

static void
test_status (void)
{
  g_assert_cmpuint (GLINT_ROM_FAILURE (GLINT_ROM_ERR_CHECKSUM), ==, 0x0107);
  g_assert_cmpstr (glint_protocol_describe_status (0x0107), ==, "checksum error");
  g_assert_cmpstr (glint_protocol_describe_status (0x0105), ==,
                   "message format invalid or command not supported");
  g_assert_cmpstr (glint_protocol_describe_status (0x0169), ==, "insufficient storage");
  g_assert_cmpstr (glint_protocol_describe_status (0x0110), ==, "unknown ROM error");
  g_assert_cmpstr (glint_protocol_describe_status (0x0168), ==, "unknown ROM error");
  g_assert_cmpstr (glint_protocol_describe_status (0xC100), ==, "bad data checksum");
  g_assert_cmpstr (glint_protocol_describe_status (0xC700), ==, "inflate error");
  g_assert_cmpstr (glint_protocol_describe_status (0xFF00), ==, "command not implemented");
  g_assert_cmpstr (glint_protocol_describe_status (0xC1FF), ==, "unknown error");
}

/* What text outside frames says about a reset (§7.2). */
static void
test_reset_lines (void)
{
  static const struct { const char *line; gboolean reset; } cases[] = {
    { "rst:0xf (RTCWDT_BROWN_OUT_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)", TRUE },
    { "rst:0x1 (POWERON),boot:0x8 (SPI_FAST_FLASH_BOOT)", TRUE },
    { "rst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))", FALSE },
    { "rst:0x1 (POWERON),boot:0x0 (DOWNLOAD(USB/UART0/1))", FALSE },
    { " ets Jan  8 2013,rst cause:2, boot mode:(3,6)", TRUE },
    { " ets Jan  8 2013,rst cause:2, boot mode:(1,6)", FALSE },
    { "ets Jun  8 2016 00:22:57", FALSE },
    { "I (31) boot: ESP-IDF v5.1.2 2nd stage bootloader", FALSE },
    { "", FALSE },
  };
  static const guint8 noise[] = { 'o', 'k', '\r', '\n', 0x00, 0xff, 0x80, '\t', 0x1b, 0x7f };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (glint_protocol_line_shows_reset (cases[i].line, strlen (cases[i].line)), ==,
                     cases[i].reset);
  /* (a line cut short, as the decoder may deliver it, is no reset line) */
  g_assert_false (glint_protocol_line_shows_reset ("rst:0", 5));

  g_assert_cmpuint (glint_protocol_unreadable_bytes (noise, sizeof noise), ==, 5);
  g_assert_cmpuint (glint_protocol_unreadable_bytes ((const guint8 *) "rst:0x1\r\n", 9), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/glint/protocol/op-table", test_op_table);
  g_test_add_func ("/glint/protocol/timing-classes", test_timing_classes);
  g_test_add_func ("/glint/protocol/response-len", test_response_len);
  g_test_add_func ("/glint/protocol/status", test_status);
  g_test_add_func ("/glint/protocol/reset-lines", test_reset_lines);

  return g_test_run ();
}
