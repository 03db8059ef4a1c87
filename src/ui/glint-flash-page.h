/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-flasher.h"
#include "glint-wizard-page.h"

G_BEGIN_DECLS

#define GLINT_TYPE_FLASH_PAGE (glint_flash_page_get_type ())

G_DECLARE_FINAL_TYPE (GlintFlashPage, glint_flash_page, GLINT, FLASH_PAGE, GlintWizardPage)

void   glint_flash_page_reset           (GlintFlashPage *self,
                                         const char     *detail);
void   glint_flash_page_set_flasher     (GlintFlashPage *self,
                                         GlintFlasher   *flasher);
void   glint_flash_page_add_log_line    (GlintFlashPage *self,
                                         const char     *line);
char  *glint_flash_page_format_duration (gdouble         seconds);

G_END_DECLS
