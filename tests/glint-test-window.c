/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-test-window.h"

void
glint_test_window_show (GtkWindow *window)
{
  gtk_window_present (window);
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);
}

void
glint_test_window_destroy (gpointer window)
{
  GtkWindow **slot = window;
  GtkWindow *weak = *slot;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_object_add_weak_pointer (G_OBJECT (weak), (gpointer *) &weak);
  gtk_window_destroy (*slot);
  g_clear_object (slot);
  while (weak != NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (weak);
}

void
glint_test_window_activate (GtkWidget  *widget,
                            const char *action,
                            const char *param)
{
  if (param != NULL)
    g_assert_true (gtk_widget_activate_action (widget, action, "s", param));
  else
    g_assert_true (gtk_widget_activate_action (widget, action, NULL));
}

void
glint_test_window_wait (GlintWindow        *window,
                        GlintTestCondition  done,
                        gpointer            data,
                        guint               timeout_s,
                        const char         *what)
{
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("waited %u s for %s; on “%s” (%s)", timeout_s, what,
                 _glint_window_get_page (window),
                 window->log->len > 0 ? window->log->str : "no log");
      g_main_context_iteration (NULL, TRUE);
    }
}
