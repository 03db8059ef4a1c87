/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-wizard-page.h"

G_BEGIN_DECLS

#define GLINT_TYPE_DONE_PAGE (glint_done_page_get_type ())

G_DECLARE_FINAL_TYPE (GlintDonePage, glint_done_page, GLINT, DONE_PAGE, GlintWizardPage)

void glint_done_page_set_summary    (GlintDonePage *self,
                                     const char    *summary);
void glint_done_page_set_has_backup (GlintDonePage *self,
                                     gboolean       has_backup);
void glint_done_page_set_will_start (GlintDonePage *self,
                                     gboolean       will_start);
void glint_done_page_set_wifi       (GlintDonePage *self,
                                     gboolean       checking,
                                     gboolean       available);
gboolean glint_done_page_get_wifi_offered (GlintDonePage *self);

G_END_DECLS
