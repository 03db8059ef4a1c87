/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GLINT_TYPE_APPLICATION (glint_application_get_type ())

G_DECLARE_FINAL_TYPE (GlintApplication, glint_application, GLINT, APPLICATION, AdwApplication)

GlintApplication *glint_application_new (void);

G_END_DECLS
