/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "glint-types.h"

G_BEGIN_DECLS

#define GLINT_TYPE_WIZARD_PAGE (glint_wizard_page_get_type ())

G_DECLARE_DERIVABLE_TYPE (GlintWizardPage, glint_wizard_page, GLINT, WIZARD_PAGE, AdwBin)

/**
 * GlintWizardPageClass:
 * @parent_class: the parent class
 * @shown: the page became the one the wizard shows
 *
 * One step of the wizard, as gnome-initial-setup's GisPage: the page says
 * through its properties whether it is complete, busy (applying) and what
 * it is called; the wizard owns the buttons and follows those properties.
 */
struct _GlintWizardPageClass
{
  AdwBinClass parent_class;

  void (*shown) (GlintWizardPage *self);

  /*< private >*/
  gpointer padding[4];
};

const char *glint_wizard_page_get_title          (GlintWizardPage *self);
void        glint_wizard_page_set_title          (GlintWizardPage *self,
                                                  const char      *title);
gboolean    glint_wizard_page_get_complete       (GlintWizardPage *self);
void        glint_wizard_page_set_complete       (GlintWizardPage *self,
                                                  gboolean         complete);
gboolean    glint_wizard_page_get_applying       (GlintWizardPage *self);
void        glint_wizard_page_set_applying       (GlintWizardPage *self,
                                                  gboolean         applying);
GtkWidget  *glint_wizard_page_get_default_widget (GlintWizardPage *self);
void        glint_wizard_page_set_default_widget (GlintWizardPage *self,
                                                  GtkWidget       *widget);
const char *glint_wizard_page_get_next_label     (GlintWizardPage *self);
gboolean    glint_wizard_page_get_can_go_back    (GlintWizardPage *self);
void        glint_wizard_page_shown              (GlintWizardPage *self);

G_END_DECLS
