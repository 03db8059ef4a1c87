/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-wizard-page.h"

G_BEGIN_DECLS

#define GLINT_TYPE_FAILED_PAGE (glint_failed_page_get_type ())

G_DECLARE_FINAL_TYPE (GlintFailedPage, glint_failed_page, GLINT, FAILED_PAGE, GlintWizardPage)

void glint_failed_page_set_error (GlintFailedPage *self,
                                  const char      *hint,
                                  const char      *details);
void glint_failed_page_set_title (GlintFailedPage *self,
                                  const char      *title);

G_END_DECLS
