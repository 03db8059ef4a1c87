/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-wizard-page.h"

G_BEGIN_DECLS

#define GLINT_TYPE_FAILED_PAGE (glint_failed_page_get_type ())

G_DECLARE_FINAL_TYPE (GlintFailedPage, glint_failed_page, GLINT, FAILED_PAGE, GlintWizardPage)

/**
 * GlintFailedAction:
 * @GLINT_FAILED_TRY_AGAIN: flash the same firmware to the same board again
 * @GLINT_FAILED_CHOOSE_FIRMWARE: back to the Firmware page
 * @GLINT_FAILED_CHOOSE_BOARD: back to the Board page
 *
 * The way out of a failure that can help: the Failed page's main button.
 */
typedef enum
{
  GLINT_FAILED_TRY_AGAIN,
  GLINT_FAILED_CHOOSE_FIRMWARE,
  GLINT_FAILED_CHOOSE_BOARD,
} GlintFailedAction;

void glint_failed_page_set_error (GlintFailedPage *self,
                                  const char      *hint,
                                  const char      *details);
void glint_failed_page_set_title (GlintFailedPage *self,
                                  const char      *title);
void glint_failed_page_set_main_action (GlintFailedPage   *self,
                                        GlintFailedAction  action);
GlintFailedAction glint_failed_page_get_main_action (GlintFailedPage *self);
void glint_failed_page_set_has_backup (GlintFailedPage *self,
                                       gboolean         has_backup);

G_END_DECLS
