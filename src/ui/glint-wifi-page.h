/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-improv-client.h"
#include "glint-wizard-page.h"

G_BEGIN_DECLS

#define GLINT_TYPE_WIFI_PAGE (glint_wifi_page_get_type ())

G_DECLARE_FINAL_TYPE (GlintWifiPage, glint_wifi_page, GLINT, WIFI_PAGE, GlintWizardPage)

void        glint_wifi_page_start      (GlintWifiPage     *self,
                                        GlintImprovClient *client,
                                        guint              probe_ms);
void        glint_wifi_page_stop       (GlintWifiPage     *self);
const char *glint_wifi_page_get_state  (GlintWifiPage     *self);
const char *glint_wifi_page_get_url    (GlintWifiPage     *self);

G_END_DECLS
