/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-reset.h"
#include "glint-types.h"

G_BEGIN_DECLS

/* Opcodes (protocol.md §2). */
typedef enum
{
  GLINT_OP_FLASH_BEGIN       = 0x02,
  GLINT_OP_FLASH_DATA        = 0x03,
  GLINT_OP_FLASH_END         = 0x04,
  GLINT_OP_MEM_BEGIN         = 0x05,
  GLINT_OP_MEM_END           = 0x06,
  GLINT_OP_MEM_DATA          = 0x07,
  GLINT_OP_SYNC              = 0x08,
  GLINT_OP_WRITE_REG         = 0x09,
  GLINT_OP_READ_REG          = 0x0A,
  GLINT_OP_SPI_SET_PARAMS    = 0x0B,
  GLINT_OP_SPI_ATTACH        = 0x0D,
  GLINT_OP_READ_FLASH_SLOW   = 0x0E,
  GLINT_OP_CHANGE_BAUDRATE   = 0x0F,
  GLINT_OP_FLASH_DEFL_BEGIN  = 0x10,
  GLINT_OP_FLASH_DEFL_DATA   = 0x11,
  GLINT_OP_FLASH_DEFL_END    = 0x12,
  GLINT_OP_SPI_FLASH_MD5     = 0x13,
  GLINT_OP_GET_SECURITY_INFO = 0x14,
  GLINT_OP_ERASE_FLASH       = 0xD0,
  GLINT_OP_ERASE_REGION      = 0xD1,
  GLINT_OP_READ_FLASH        = 0xD2,
  GLINT_OP_RUN_USER_CODE     = 0xD3,
} GlintOp;

/**
 * GlintCommandFlags:
 * @GLINT_COMMAND_SAMPLE_RTT: the command is cheap for the chip; its round
 *   trip feeds the link estimate
 * @GLINT_COMMAND_NO_RESPONSE: complete once written (RUN_USER_CODE)
 */
typedef enum
{
  GLINT_COMMAND_NONE        = 0,
  GLINT_COMMAND_SAMPLE_RTT  = 1 << 0,
  GLINT_COMMAND_NO_RESPONSE = 1 << 1,
} GlintCommandFlags;

#define GLINT_TYPE_LOADER (glint_loader_get_type ())

G_DECLARE_FINAL_TYPE (GlintLoader, glint_loader, GLINT, LOADER, GObject)

GlintLoader     *glint_loader_new              (GlintStream          *stream);
GlintStream     *glint_loader_get_stream       (GlintLoader          *self);
GlintLinkTiming *glint_loader_get_timing       (GlintLoader          *self);
guint            glint_loader_get_round_trips  (GlintLoader          *self);
char            *glint_loader_take_boot_log    (GlintLoader          *self);
void             glint_loader_set_reset_delay  (GlintLoader          *self,
                                                guint                 reset_delay_ms);

void             glint_loader_command_async    (GlintLoader          *self,
                                                guint8                op,
                                                GBytes               *payload,
                                                guint32               checksum,
                                                gsize                 resp_len,
                                                gint64                processing_us,
                                                GlintCommandFlags     flags,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
GBytes          *glint_loader_command_finish   (GlintLoader          *self,
                                                GAsyncResult         *result,
                                                guint32              *value,
                                                GError              **error);

void             glint_loader_sync_async       (GlintLoader          *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean         glint_loader_sync_finish      (GlintLoader          *self,
                                                GAsyncResult         *result,
                                                guint32              *value,
                                                GError              **error);

void             glint_loader_read_regs_async  (GlintLoader          *self,
                                                const guint32        *addresses,
                                                guint                 n_addresses,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
guint32         *glint_loader_read_regs_finish (GlintLoader          *self,
                                                GAsyncResult         *result,
                                                GError              **error);

void             glint_loader_reset_async      (GlintLoader          *self,
                                                GlintResetStrategy    strategy,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean         glint_loader_reset_finish     (GlintLoader          *self,
                                                GAsyncResult         *result,
                                                GError              **error);

void             glint_loader_wait_frame_async (GlintLoader          *self,
                                                GBytes               *expected,
                                                gint64                processing_us,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean         glint_loader_wait_frame_finish (GlintLoader         *self,
                                                GAsyncResult         *result,
                                                GError              **error);

void             glint_loader_set_capture_raw  (GlintLoader          *self,
                                                gboolean              capture);
void             glint_loader_wait_raw_frame_async (GlintLoader      *self,
                                                gsize                 expected_len,
                                                gint64                processing_us,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
GBytes          *glint_loader_wait_raw_frame_finish (GlintLoader     *self,
                                                GAsyncResult         *result,
                                                GError              **error);
gboolean         glint_loader_send_raw         (GlintLoader          *self,
                                                GBytes               *data,
                                                GError              **error);

guint32          glint_loader_checksum         (const guint8         *data,
                                                gsize                 len);
const char      *glint_loader_op_name          (guint8                op);
gboolean         glint_loader_parse_status     (const guint8         *data,
                                                gsize                 len,
                                                gsize                 resp_len,
                                                guint16              *code);
const char      *glint_loader_describe_status  (guint16               code);

G_END_DECLS
