/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <time.h>

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

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
glint_test_wait_until (GlintTestCondition done,
                       gpointer           data,
                       guint              timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;
  guint wake = g_timeout_add (100, wake_cb, NULL);   /* so that the deadline is seen */
  gboolean held;

  while (!(held = done (data)) && g_get_monotonic_time () <= deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return held;
}

void
glint_test_window_wait (GlintWindow        *window,
                        GlintTestCondition  done,
                        gpointer            data,
                        guint               timeout_s,
                        const char         *what)
{
  if (!glint_test_wait_until (done, data, timeout_s))
    g_error ("waited %u s for %s; on “%s” (%s)", timeout_s, what,
             _glint_window_get_page (window),
             window->log->len > 0 ? window->log->str : "no log");
}

gint64
glint_test_thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

GtkWidget *
glint_test_window_child (GlintWindow *window,
                         const char  *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (window), GLINT_TYPE_WINDOW, name);
  GtkWidget *stack = GTK_WIDGET (glint_wizard_get_stack (window->wizard));

  if (object == NULL)
    object = gtk_widget_get_template_child (GTK_WIDGET (window->wizard), GLINT_TYPE_WIZARD,
                                            name);
  for (GtkWidget *p = gtk_widget_get_first_child (stack);
       object == NULL && p != NULL;
       p = gtk_widget_get_next_sibling (p))
    if (GLINT_IS_WIZARD_PAGE (p))
      object = gtk_widget_get_template_child (p, G_OBJECT_TYPE (p), name);

  if (object == NULL)
    g_error ("no widget called “%s” in the window, its wizard or its pages", name);
  return GTK_WIDGET (object);
}
