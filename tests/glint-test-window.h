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

/* Iterates the main context until @done (@data) holds, @timeout_s at most
 * (a timer wakes the loop to see the time pass); returns whether it held,
 * for the caller to say what it waited for. */
gboolean  glint_test_wait_until       (GlintTestCondition done,
                                       gpointer           data,
                                       guint              timeout_s);

/* The calling thread's CPU time: its own work, without the time other
 * processes had the CPU. */
gint64    glint_test_thread_cpu_us    (void);

/* The widget called @name in @window's template, its wizard's or one of
 * its pages'; fails the test where there is none. */
GtkWidget *glint_test_window_child    (GlintWindow       *window,
                                       const char        *name);

G_END_DECLS
