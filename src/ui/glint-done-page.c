/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "glint-done-page.h"

/* The end of a good flash: what was written where, and what next
 * (Flash Another Board, Set Up Wi-Fi where the firmware speaks Improv
 * Serial, Show the Backup where one was made, Open Serial Monitor; all
 * window actions). Written firmware the board will not start (the boot
 * check said so, and the user flashed anyway) is no success: the page
 * says so and offers Choose Another Firmware first. */

struct _GlintDonePage
{
  GlintWizardPage  parent_instance;

  /* template children, alphabetical */
  GtkButton       *backup_button;
  GtkButton       *restore_button;
  AdwStatusPage   *done_status;
  GtkButton       *firmware_button;
  GtkButton       *flash_another_button;
  GtkButton       *wifi_button;
  GtkWidget       *wifi_checking;
  GtkSpinner      *wifi_spinner;
};

G_DEFINE_FINAL_TYPE (GlintDonePage, glint_done_page, GLINT_TYPE_WIZARD_PAGE)

static void
glint_done_page_dispose (GObject *object)
{
  /* Let AdwBin drop its child first: the template owns it until then. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), GLINT_TYPE_DONE_PAGE);

  G_OBJECT_CLASS (glint_done_page_parent_class)->dispose (object);
}

static void
glint_done_page_class_init (GlintDonePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = glint_done_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/glintapp/Glint/glint-done-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GlintDonePage, backup_button);
  gtk_widget_class_bind_template_child (widget_class, GlintDonePage, restore_button);
  gtk_widget_class_bind_template_child (widget_class, GlintDonePage, done_status);
  gtk_widget_class_bind_template_child (widget_class, GlintDonePage, firmware_button);
  gtk_widget_class_bind_template_child (widget_class, GlintDonePage, flash_another_button);
  gtk_widget_class_bind_template_child (widget_class, GlintDonePage, wifi_button);
  gtk_widget_class_bind_template_child (widget_class, GlintDonePage, wifi_checking);
  gtk_widget_class_bind_template_child (widget_class, GlintDonePage, wifi_spinner);
}

static void
glint_done_page_init (GlintDonePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * glint_done_page_set_summary:
 * @self: a #GlintDonePage
 * @summary: what was flashed, as plain text
 */
void
glint_done_page_set_summary (GlintDonePage *self,
                             const char    *summary)
{
  g_autofree char *markup = NULL;

  g_return_if_fail (GLINT_IS_DONE_PAGE (self));

  markup = g_markup_escape_text (summary, -1);
  adw_status_page_set_description (self->done_status, markup);
}

/**
 * glint_done_page_set_has_backup:
 * @has_backup: whether the flash just done saved the old content
 *
 * Shows or hides Show the Backup.
 */
void
glint_done_page_set_has_backup (GlintDonePage *self,
                                gboolean       has_backup)
{
  g_return_if_fail (GLINT_IS_DONE_PAGE (self));

  gtk_widget_set_visible (GTK_WIDGET (self->backup_button), has_backup);
  gtk_widget_set_visible (GTK_WIDGET (self->restore_button), has_backup);
}

/**
 * glint_done_page_set_will_start:
 * @will_start: %FALSE when the board will not start what was written
 *   (the summary says why)
 *
 * Then the page is a warning, and Choose Another Firmware comes first.
 */
void
glint_done_page_set_will_start (GlintDonePage *self,
                                gboolean       will_start)
{
  GtkWidget *first;

  g_return_if_fail (GLINT_IS_DONE_PAGE (self));

  first = GTK_WIDGET (will_start ? self->flash_another_button : self->firmware_button);
  adw_status_page_set_icon_name (self->done_status, will_start ? "emblem-ok-symbolic" :
                                                                 "dialog-warning-symbolic");
  adw_status_page_set_title (self->done_status, will_start ? _("Flashing Complete") :
                                                             _("Written, but It Will Not Start"));
  gtk_widget_set_visible (GTK_WIDGET (self->firmware_button), !will_start);
  if (will_start)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->flash_another_button), "suggested-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->done_status), "success-page");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->flash_another_button), "suggested-action");
      gtk_widget_remove_css_class (GTK_WIDGET (self->done_status), "success-page");
    }
  glint_wizard_page_set_default_widget (GLINT_WIZARD_PAGE (self), first);
}

/**
 * glint_done_page_set_wifi:
 * @self: a #GlintDonePage
 * @checking: the window is asking the firmware whether it speaks Improv
 * @available: it does: offer Set Up Wi-Fi
 *
 * Firmware without Improv Serial gets neither: nothing is offered.
 */
void
glint_done_page_set_wifi (GlintDonePage *self,
                          gboolean       checking,
                          gboolean       available)
{
  g_return_if_fail (GLINT_IS_DONE_PAGE (self));

  gtk_widget_set_visible (self->wifi_checking, checking);
  gtk_spinner_set_spinning (self->wifi_spinner, checking);
  gtk_widget_set_visible (GTK_WIDGET (self->wifi_button), available);
}

/**
 * glint_done_page_get_wifi_offered:
 * @self: a #GlintDonePage
 *
 * Returns: whether Set Up Wi-Fi shows
 */
gboolean
glint_done_page_get_wifi_offered (GlintDonePage *self)
{
  g_return_val_if_fail (GLINT_IS_DONE_PAGE (self), FALSE);

  return gtk_widget_get_visible (GTK_WIDGET (self->wifi_button));
}
