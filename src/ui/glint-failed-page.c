/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-failed-page.h"

/* A flash that failed: what to do about it, the error itself (selectable,
 * for a bug report), and every way on (window actions): Try Again,
 * Choose Another Firmware, Choose Another Board, Copy Log, and Restore the
 * Backup when the attempt saved the old flash content first; Back goes to
 * the Firmware page. The one that can help is the main button, top left. */

struct _GlintFailedPage
{
  GlintWizardPage  parent_instance;

  /* template children, alphabetical */
  GtkButton       *choose_board_button;
  GtkButton       *choose_firmware_button;
  GtkLabel        *failed_details_label;
  GtkButton       *failed_restore_button;
  AdwStatusPage   *failed_status;
  GtkBox          *main_box;
  GtkBox          *other_box;
  GtkButton       *try_again_button;

  GlintFailedAction main_action;
};

G_DEFINE_FINAL_TYPE (GlintFailedPage, glint_failed_page, GLINT_TYPE_WIZARD_PAGE)

static void
glint_failed_page_shown (GlintWizardPage *page)
{
  GlintFailedPage *self = GLINT_FAILED_PAGE (page);

  GLINT_WIZARD_PAGE_CLASS (glint_failed_page_parent_class)->shown (page);

  /* The stack gave the focus to the details first, which selected them
   * all on the way. */
  gtk_label_select_region (self->failed_details_label, 0, 0);
}

static void
glint_failed_page_dispose (GObject *object)
{
  /* Let AdwBin drop its child first: the template owns it until then. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), GLINT_TYPE_FAILED_PAGE);

  G_OBJECT_CLASS (glint_failed_page_parent_class)->dispose (object);
}

static void
glint_failed_page_class_init (GlintFailedPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GlintWizardPageClass *page_class = GLINT_WIZARD_PAGE_CLASS (klass);

  object_class->dispose = glint_failed_page_dispose;
  page_class->shown = glint_failed_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/glintapp/Glint/glint-failed-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GlintFailedPage, choose_board_button);
  gtk_widget_class_bind_template_child (widget_class, GlintFailedPage, choose_firmware_button);
  gtk_widget_class_bind_template_child (widget_class, GlintFailedPage, failed_details_label);
  gtk_widget_class_bind_template_child (widget_class, GlintFailedPage, failed_restore_button);
  gtk_widget_class_bind_template_child (widget_class, GlintFailedPage, failed_status);
  gtk_widget_class_bind_template_child (widget_class, GlintFailedPage, main_box);
  gtk_widget_class_bind_template_child (widget_class, GlintFailedPage, other_box);
  gtk_widget_class_bind_template_child (widget_class, GlintFailedPage, try_again_button);
}

static void
glint_failed_page_init (GlintFailedPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * glint_failed_page_set_error:
 * @self: a #GlintFailedPage
 * @hint: what went wrong and what to do, for people
 * @details: the error message itself
 */
void
glint_failed_page_set_error (GlintFailedPage *self,
                             const char      *hint,
                             const char      *details)
{
  g_autofree char *markup = NULL;

  g_return_if_fail (GLINT_IS_FAILED_PAGE (self));

  markup = g_markup_escape_text (hint, -1);
  adw_status_page_set_description (self->failed_status, markup);
  gtk_label_set_text (self->failed_details_label, details);
}

/**
 * glint_failed_page_set_title:
 * @self: a #GlintFailedPage
 * @title: the outcome, "Flashing Failed" or "Written, Not Verified"
 */
void
glint_failed_page_set_title (GlintFailedPage *self,
                             const char      *title)
{
  g_return_if_fail (GLINT_IS_FAILED_PAGE (self));
  g_return_if_fail (title != NULL);

  adw_status_page_set_title (self->failed_status, title);
}

static GtkWidget *
action_button (GlintFailedPage   *self,
               GlintFailedAction  action)
{
  switch (action)
    {
    case GLINT_FAILED_CHOOSE_FIRMWARE:
      return GTK_WIDGET (self->choose_firmware_button);
    case GLINT_FAILED_CHOOSE_BOARD:
      return GTK_WIDGET (self->choose_board_button);
    case GLINT_FAILED_TRY_AGAIN:
    default:
      return GTK_WIDGET (self->try_again_button);
    }
}

/**
 * glint_failed_page_set_main_action:
 * @self: a #GlintFailedPage
 * @action: what can help with this failure
 *
 * Makes that button the suggested one, first in the top row (next to
 * Copy Log) and the one the page focuses (Enter activates it); the other
 * two go to the row below, in their usual order.
 */
void
glint_failed_page_set_main_action (GlintFailedPage   *self,
                                   GlintFailedAction  action)
{
  GtkWidget *main_button;

  g_return_if_fail (GLINT_IS_FAILED_PAGE (self));

  self->main_action = action;
  main_button = action_button (self, action);
  for (int i = GLINT_FAILED_TRY_AGAIN; i <= GLINT_FAILED_CHOOSE_BOARD; i++)
    {
      GtkWidget *button = g_object_ref (action_button (self, i));

      gtk_box_remove (GTK_BOX (gtk_widget_get_parent (button)), button);
      if (button == main_button)
        {
          gtk_box_prepend (self->main_box, button);
          gtk_widget_add_css_class (button, "suggested-action");
        }
      else
        {
          gtk_box_append (self->other_box, button);
          gtk_widget_remove_css_class (button, "suggested-action");
        }
      g_object_unref (button);
    }
  glint_wizard_page_set_default_widget (GLINT_WIZARD_PAGE (self), main_button);
}

/**
 * glint_failed_page_get_main_action:
 *
 * Returns: the main button's action
 */
GlintFailedAction
glint_failed_page_get_main_action (GlintFailedPage *self)
{
  g_return_val_if_fail (GLINT_IS_FAILED_PAGE (self), GLINT_FAILED_TRY_AGAIN);

  return self->main_action;
}

/**
 * glint_failed_page_set_has_backup:
 * @has_backup: whether the failed attempt saved the old flash content
 *   before it changed anything
 *
 * Shows or hides Restore the Backup (win.restore-backup).
 */
void
glint_failed_page_set_has_backup (GlintFailedPage *self,
                                  gboolean         has_backup)
{
  g_return_if_fail (GLINT_IS_FAILED_PAGE (self));

  gtk_widget_set_visible (GTK_WIDGET (self->failed_restore_button), has_backup);
}
