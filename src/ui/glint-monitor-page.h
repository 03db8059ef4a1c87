/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-stream.h"
#include "glint-wizard-page.h"

G_BEGIN_DECLS

#define GLINT_TYPE_MONITOR_PAGE (glint_monitor_page_get_type ())

G_DECLARE_FINAL_TYPE (GlintMonitorPage, glint_monitor_page, GLINT, MONITOR_PAGE, GlintWizardPage)

void     glint_monitor_page_start          (GlintMonitorPage   *self,
                                            GlintStream        *stream);
void     glint_monitor_page_stop           (GlintMonitorPage   *self);
gboolean glint_monitor_page_is_running     (GlintMonitorPage   *self);
void     glint_monitor_page_reset          (GlintMonitorPage   *self);
void     glint_monitor_page_clear          (GlintMonitorPage   *self);
gboolean glint_monitor_page_send           (GlintMonitorPage   *self,
                                            const char         *line);
void     glint_monitor_page_set_paused     (GlintMonitorPage   *self,
                                            gboolean            paused);
void     glint_monitor_page_set_timestamps (GlintMonitorPage   *self,
                                            gboolean            timestamps);
void     glint_monitor_page_set_follow     (GlintMonitorPage   *self,
                                            gboolean            follow);
void     glint_monitor_page_save_async     (GlintMonitorPage   *self,
                                            GFile              *file,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
gboolean glint_monitor_page_save_finish    (GlintMonitorPage   *self,
                                            GAsyncResult       *result,
                                            GError            **error);

/* For tests */
guint    _glint_monitor_page_get_n_flushes (GlintMonitorPage *self);

G_END_DECLS
