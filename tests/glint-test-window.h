/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gtk/gtk.h>

#include "glint-window-private.h"

G_BEGIN_DECLS

/* What the window tests share (linked only by them: it needs GTK). */

/* Presents @window and iterates the main context until it is mapped. */
void      glint_test_window_show      (GtkWindow         *window);

/* Destroys the window in *@window, drops the test's reference to it and
 * fails the test unless it is finalized within 5 s (pending callbacks,
 * such as the port listing or the flasher, drop theirs meanwhile).
 * Clears *@window. */
void      glint_test_window_destroy   (gpointer           window);

/* Activates @action ("win.detect") on @widget, with the string @param
 * unless that is NULL; fails the test if nothing handles it. */
void      glint_test_window_activate  (GtkWidget         *widget,
                                       const char        *action,
                                       const char        *param);

typedef gboolean (*GlintTestCondition) (gpointer data);

/* Iterates the main context until @done (@data) holds, or fails the test
 * after @timeout_s, naming @what, the page the window shows and its log. */
void      glint_test_window_wait      (GlintWindow       *window,
                                       GlintTestCondition done,
                                       gpointer           data,
                                       guint              timeout_s,
                                       const char        *what);

G_END_DECLS
