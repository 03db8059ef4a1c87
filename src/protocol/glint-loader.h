/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-reset.h"
#include "glint-protocol.h"
#include "glint-types.h"

G_BEGIN_DECLS

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
void             glint_loader_set_probe_register (GlintLoader        *self,
                                                  guint32             address);
void             glint_loader_set_probe_registers (GlintLoader       *self,
                                                   const guint32     *addresses,
                                                   const guint32     *values,
                                                   guint              n);
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

/* Typed commands (glint-loader-commands.c): each packs its own words and
 * picks its wait from glint-protocol.h's timing class; all complete with
 * glint_loader_command_finish(). */
void  glint_loader_flash_begin_async        (GlintLoader         *self,
                                             gboolean             compressed,
                                             guint32              erase_size,
                                             guint32              n_blocks,
                                             guint32              block_size,
                                             guint32              offset,
                                             gboolean             encrypted_word,
                                             gboolean             is_stub,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void  glint_loader_flash_data_async         (GlintLoader         *self,
                                             const guint8        *data,
                                             gsize                len,
                                             gsize                block_size,
                                             guint32              seq,
                                             gboolean             is_stub,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void  glint_loader_flash_defl_data_async    (GlintLoader         *self,
                                             const guint8        *data,
                                             gsize                len,
                                             guint32              seq,
                                             gsize                work_size,
                                             gboolean             is_stub,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void  glint_loader_flash_end_async          (GlintLoader         *self,
                                             gboolean             stay,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void  glint_loader_flash_defl_end_async     (GlintLoader         *self,
                                             gboolean             stay,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void  glint_loader_mem_begin_async          (GlintLoader         *self,
                                             guint32              size,
                                             guint32              n_blocks,
                                             guint32              block_size,
                                             guint32              address,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void  glint_loader_mem_data_async           (GlintLoader         *self,
                                             const guint8        *data,
                                             gsize                len,
                                             guint32              seq,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void  glint_loader_mem_end_async            (GlintLoader         *self,
                                             guint32              entry,
                                             GlintCommandFlags    flags,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void  glint_loader_write_regs_async         (GlintLoader         *self,
                                             const guint32       *pairs,
                                             guint                n_pairs,
                                             gboolean             is_stub,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void  glint_loader_spi_attach_async         (GlintLoader         *self,
                                             gboolean             is_stub,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void  glint_loader_spi_set_params_async     (GlintLoader         *self,
                                             guint32              flash_size,
                                             gboolean             is_stub,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void  glint_loader_change_baudrate_async    (GlintLoader         *self,
                                             guint32              baud,
                                             guint32              old_baud,
                                             gboolean             is_stub,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void  glint_loader_flash_md5_async          (GlintLoader         *self,
                                             guint32              address,
                                             guint32              size,
                                             gboolean             is_stub,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void  glint_loader_erase_region_async       (GlintLoader         *self,
                                             guint32              offset,
                                             guint32              length,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void  glint_loader_erase_flash_async        (GlintLoader         *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void  glint_loader_read_flash_async         (GlintLoader         *self,
                                             guint32              offset,
                                             guint32              length,
                                             guint32              packet_size,
                                             guint32              max_in_flight,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void  glint_loader_read_flash_slow_async    (GlintLoader         *self,
                                             guint32              address,
                                             guint32              size,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void  glint_loader_get_security_info_async  (GlintLoader         *self,
                                             gsize                info_len,
                                             gboolean             is_stub,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);

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
