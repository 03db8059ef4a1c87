/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-flasher.h"
#include "glint-port-monitor.h"
#include "glint-wizard-page.h"

G_BEGIN_DECLS

/* The address of the Demo board: a simulated ESP32 that really resets
 * into the new firmware when done. */
#define GLINT_DEMO_ADDRESS "sim://esp32?boot=normal"

#define GLINT_TYPE_BOARD_PAGE (glint_board_page_get_type ())

G_DECLARE_FINAL_TYPE (GlintBoardPage, glint_board_page, GLINT, BOARD_PAGE, GlintWizardPage)

const char       *glint_board_page_get_address       (GlintBoardPage *self);
GlintBoardInfo   *glint_board_page_get_board_info    (GlintBoardPage *self);
void              glint_board_page_select            (GlintBoardPage *self,
                                                      const char     *address);
void              glint_board_page_detect            (GlintBoardPage *self);
void              glint_board_page_cancel_detect     (GlintBoardPage *self);
void              glint_board_page_refresh_ports     (GlintBoardPage *self);
void              glint_board_page_remember          (GlintBoardPage *self);
void              glint_board_page_set_demo_address  (GlintBoardPage *self,
                                                      const char     *address);
void              glint_board_page_erase_partition   (GlintBoardPage *self,
                                                      const char     *name);
void              glint_board_page_save_partition    (GlintBoardPage *self,
                                                      const char     *name,
                                                      const char     *path);

/* For tests */
GlintPortMonitor *_glint_board_page_get_port_monitor (GlintBoardPage *self);
AdwMessageDialog *_glint_board_page_get_erase_dialog (GlintBoardPage *self);

G_END_DECLS
