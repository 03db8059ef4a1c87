/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GLINT_SETTINGS_SCHEMA "io.github.glintapp.Glint"

#define GLINT_TYPE_WINDOW (glint_window_get_type ())

G_DECLARE_FINAL_TYPE (GlintWindow, glint_window, GLINT, WINDOW, AdwApplicationWindow)

GlintWindow *glint_window_new           (GtkApplication *application);
void         glint_window_open_firmware (GlintWindow    *self,
                                         GFile          *file);

G_END_DECLS
