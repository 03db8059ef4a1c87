/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-stream.h"
#include "glint-wizard-page.h"

G_BEGIN_DECLS

#define GLINT_TYPE_MONITOR_PAGE (glint_monitor_page_get_type ())

G_DECLARE_FINAL_TYPE (GlintMonitorPage, glint_monitor_page, GLINT, MONITOR_PAGE, GlintWizardPage)

void     glint_monitor_page_start      (GlintMonitorPage *self,
                                        GlintStream      *stream);
void     glint_monitor_page_stop       (GlintMonitorPage *self);
gboolean glint_monitor_page_is_running (GlintMonitorPage *self);
void     glint_monitor_page_reset      (GlintMonitorPage *self);
void     glint_monitor_page_clear      (GlintMonitorPage *self);

G_END_DECLS
