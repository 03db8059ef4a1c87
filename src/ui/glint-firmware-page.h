/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-board-contents.h"
#include "glint-flash-plan.h"
#include "glint-wizard-page.h"

G_BEGIN_DECLS

#define GLINT_TYPE_FIRMWARE_PAGE (glint_firmware_page_get_type ())

G_DECLARE_FINAL_TYPE (GlintFirmwarePage, glint_firmware_page, GLINT, FIRMWARE_PAGE,
                      GlintWizardPage)

void            glint_firmware_page_load                 (GlintFirmwarePage *self,
                                                          const char        *path,
                                                          const char        *chip);
void            glint_firmware_page_continue_download    (GlintFirmwarePage *self,
                                                          const char        *chip);
gboolean        glint_firmware_page_get_waiting_for_chip (GlintFirmwarePage *self);
void            glint_firmware_page_set_chip_revision    (GlintFirmwarePage *self,
                                                          int                revision);
GlintFlashPlan *glint_firmware_page_get_plan             (GlintFirmwarePage *self);
AdwMessageDialog *glint_firmware_page_get_raw_dialog     (GlintFirmwarePage *self);
AdwMessageDialog *glint_firmware_page_get_question_dialog (GlintFirmwarePage *self);
char           *glint_firmware_page_get_name             (GlintFirmwarePage *self);
const char     *glint_firmware_page_get_web_title        (GlintFirmwarePage *self);
guint           glint_firmware_page_get_baud             (GlintFirmwarePage *self);
gboolean        glint_firmware_page_get_verify           (GlintFirmwarePage *self);
gboolean        glint_firmware_page_get_skip_unchanged   (GlintFirmwarePage *self);
gboolean        glint_firmware_page_get_backup           (GlintFirmwarePage *self);
gboolean        glint_firmware_page_get_erase_all        (GlintFirmwarePage *self);
int             glint_firmware_page_get_improv_wait_time (GlintFirmwarePage *self);
void            glint_firmware_page_set_tls_database     (GlintFirmwarePage *self,
                                                          GTlsDatabase      *database);
gboolean        glint_firmware_page_get_reboot           (GlintFirmwarePage *self);
gboolean        glint_firmware_page_get_auto_reset       (GlintFirmwarePage *self);
gboolean        glint_firmware_page_get_use_stub         (GlintFirmwarePage *self);
gboolean        glint_firmware_page_apply_flash_settings (GlintFirmwarePage *self);
void            glint_firmware_page_set_offer_sample     (GlintFirmwarePage *self,
                                                          gboolean           offer);
void            glint_firmware_page_set_has_board        (GlintFirmwarePage *self,
                                                          gboolean           has_board);

void               glint_firmware_page_set_board_contents (GlintFirmwarePage        *self,
                                                           const GlintBoardContents *contents);

G_END_DECLS
