/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-flash-options.h"
#include "glint-flasher.h"
#include "glint-types.h"

G_BEGIN_DECLS

/**
 * GlintBatchResult:
 * @GLINT_BATCH_RESULT_RUNNING: the board's job has not ended
 * @GLINT_BATCH_RESULT_VERIFIED: the flash holds the firmware, checked
 * @GLINT_BATCH_RESULT_NOT_VERIFIED: written, but not checked (as asked, or
 *   the chip refuses checks in secure download mode)
 * @GLINT_BATCH_RESULT_FAILED: the job failed; the board's error says why
 * @GLINT_BATCH_RESULT_CANCELLED: stopped on purpose
 *
 * How one board of a #GlintFlashBatch ended.
 */
typedef enum
{
  GLINT_BATCH_RESULT_RUNNING,
  GLINT_BATCH_RESULT_VERIFIED,
  GLINT_BATCH_RESULT_NOT_VERIFIED,
  GLINT_BATCH_RESULT_FAILED,
  GLINT_BATCH_RESULT_CANCELLED,
} GlintBatchResult;

#define GLINT_TYPE_FLASH_BATCH (glint_flash_batch_get_type ())

G_DECLARE_FINAL_TYPE (GlintFlashBatch, glint_flash_batch, GLINT, FLASH_BATCH, GObject)

GlintFlashBatch  *glint_flash_batch_new              (GlintFlashPlan          *plan,
                                                      const GlintFlashOptions *options);
guint             glint_flash_batch_add              (GlintFlashBatch         *self,
                                                      const char              *address,
                                                      GError                 **error);
void              glint_flash_batch_cancel           (GlintFlashBatch         *self);
guint             glint_flash_batch_get_n_boards     (GlintFlashBatch         *self);
guint             glint_flash_batch_get_n_running    (GlintFlashBatch         *self);
gboolean          glint_flash_batch_is_running       (GlintFlashBatch         *self,
                                                      const char              *address);
const char       *glint_flash_batch_get_firmware_md5 (GlintFlashBatch         *self);
gboolean          glint_flash_batch_set_results_log  (GlintFlashBatch         *self,
                                                      const char              *path,
                                                      GError                 **error);

const char       *glint_flash_batch_get_address      (GlintFlashBatch         *self,
                                                      guint                    index);
GlintFlasher     *glint_flash_batch_get_flasher      (GlintFlashBatch         *self,
                                                      guint                    index);
GlintBatchResult  glint_flash_batch_get_result       (GlintFlashBatch         *self,
                                                      guint                    index);
const GError     *glint_flash_batch_get_error        (GlintFlashBatch         *self,
                                                      guint                    index);
const char       *glint_flash_batch_get_chip         (GlintFlashBatch         *self,
                                                      guint                    index);
const char       *glint_flash_batch_get_mac          (GlintFlashBatch         *self,
                                                      guint                    index);
gdouble           glint_flash_batch_get_seconds      (GlintFlashBatch         *self,
                                                      guint                    index);

const char       *glint_batch_result_to_string       (GlintBatchResult         result);

G_END_DECLS
