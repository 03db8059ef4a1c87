/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-wizard-page.h"

G_BEGIN_DECLS

#define GLINT_TYPE_PERMISSION_PAGE (glint_permission_page_get_type ())

G_DECLARE_FINAL_TYPE (GlintPermissionPage, glint_permission_page, GLINT, PERMISSION_PAGE,
                      GlintWizardPage)

void        glint_permission_page_set_sandboxed (GlintPermissionPage *self,
                                                 gboolean             sandboxed);
void        glint_permission_page_set_port      (GlintPermissionPage *self,
                                                 const char          *port);
const char *glint_permission_page_get_command   (GlintPermissionPage *self);

G_END_DECLS
