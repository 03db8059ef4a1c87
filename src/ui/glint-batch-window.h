/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "glint-flash-batch.h"
#include "glint-flash-plan.h"
#include "glint-types.h"

G_BEGIN_DECLS

#define GLINT_TYPE_BATCH_WINDOW (glint_batch_window_get_type ())

G_DECLARE_FINAL_TYPE (GlintBatchWindow, glint_batch_window, GLINT, BATCH_WINDOW, AdwWindow)

GlintBatchWindow *glint_batch_window_new            (GtkWindow        *parent,
                                                     GlintFlashPlan   *plan,
                                                     const char       *firmware_name);
gboolean          glint_batch_window_load_firmware  (GlintBatchWindow *self,
                                                     const char       *path,
                                                     GError          **error);
void              glint_batch_window_set_log_path   (GlintBatchWindow *self,
                                                     const char       *path);
const char       *glint_batch_window_get_log_path   (GlintBatchWindow *self);
GlintFlashBatch  *glint_batch_window_get_batch      (GlintBatchWindow *self);
guint             glint_batch_window_get_n_rows     (GlintBatchWindow *self);

G_END_DECLS
