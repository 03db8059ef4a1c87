/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-wizard-page.h"

G_BEGIN_DECLS

#define GLINT_TYPE_WIZARD (glint_wizard_get_type ())

G_DECLARE_FINAL_TYPE (GlintWizard, glint_wizard, GLINT, WIZARD, AdwBin)

void             glint_wizard_add_page      (GlintWizard     *self,
                                             GlintWizardPage *page);
void             glint_wizard_set_page      (GlintWizard     *self,
                                             const char      *name,
                                             gboolean         animate);
const char      *glint_wizard_get_page_name (GlintWizard     *self);
GlintWizardPage *glint_wizard_get_page      (GlintWizard     *self);
GtkStack        *glint_wizard_get_stack     (GlintWizard     *self);
void             glint_wizard_pack_end      (GlintWizard     *self,
                                             GtkWidget       *widget);
void             glint_wizard_set_title     (GlintWizard     *self,
                                             const char      *title);

G_END_DECLS
