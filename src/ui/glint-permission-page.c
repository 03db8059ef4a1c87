/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "glint-permission-page.h"
#include "glint-port-details.h"

/* Permission denied on a local port: the command that fixes it, for the
 * host (the group that owns the port: dialout on Debian, uucp on Arch) or
 * for the Flatpak sandbox (the devices). */

struct _GlintPermissionPage
{
  GlintWizardPage  parent_instance;

  /* template children, alphabetical */
  GtkButton       *permission_button;
  GtkLabel        *permission_command_label;
  GtkLabel        *permission_flatpak_label;
  AdwStatusPage   *permission_status;

  char            *port;          /* the port that could not be opened */
  gboolean         sandboxed;
};

G_DEFINE_FINAL_TYPE (GlintPermissionPage, glint_permission_page, GLINT_TYPE_WIZARD_PAGE)

static void
glint_permission_page_shown (GlintWizardPage *page)
{
  GlintPermissionPage *self = GLINT_PERMISSION_PAGE (page);

  GLINT_WIZARD_PAGE_CLASS (glint_permission_page_parent_class)->shown (page);

  /* The stack gave the focus to the command first, which selected it all
   * on the way. */
  gtk_label_select_region (self->permission_command_label, 0, 0);
}

static void
glint_permission_page_dispose (GObject *object)
{
  /* Let AdwBin drop its child first: the template owns it until then. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), GLINT_TYPE_PERMISSION_PAGE);

  G_OBJECT_CLASS (glint_permission_page_parent_class)->dispose (object);
}

static void
glint_permission_page_finalize (GObject *object)
{
  g_free (GLINT_PERMISSION_PAGE (object)->port);

  G_OBJECT_CLASS (glint_permission_page_parent_class)->finalize (object);
}

static void
glint_permission_page_class_init (GlintPermissionPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GlintWizardPageClass *page_class = GLINT_WIZARD_PAGE_CLASS (klass);

  object_class->dispose = glint_permission_page_dispose;
  object_class->finalize = glint_permission_page_finalize;
  page_class->shown = glint_permission_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/glintapp/Glint/glint-permission-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GlintPermissionPage, permission_button);
  gtk_widget_class_bind_template_child (widget_class, GlintPermissionPage,
                                        permission_command_label);
  gtk_widget_class_bind_template_child (widget_class, GlintPermissionPage,
                                        permission_flatpak_label);
  gtk_widget_class_bind_template_child (widget_class, GlintPermissionPage, permission_status);
}

static void
update (GlintPermissionPage *self)
{
  g_autofree char *group = self->port != NULL ? glint_port_group (self->port) : NULL;
  g_autofree char *description = NULL;

  if (group != NULL)
    /* Translators: the group that owns the port, “dialout” or “uucp” */
    description = g_strdup_printf (_("This port belongs to the “%s” group. Add yourself to it "
                                     "once with this command in a terminal:"), group);
  else
    description = g_strdup (_("On most Linux systems, serial ports belong to the “dialout” "
                              "group (“uucp” on Arch). Add yourself to it once with this "
                              "command in a terminal:"));
  adw_status_page_set_description (self->permission_status, description);

  if (self->sandboxed)
    {
      g_autofree char *command = g_strdup_printf ("flatpak override --user --device=all %s",
                                                  APP_ID);
      /* Translators: the group that owns serial ports, “dialout” or “uucp” */
      g_autofree char *text = g_strdup_printf (_("Glint runs as a Flatpak without access to "
                                                 "devices. Run the command on the host, restart "
                                                 "Glint and try again. If it still fails, the "
                                                 "host also needs the “%s” group."),
                                               group != NULL ? group : "dialout");

      gtk_label_set_text (self->permission_command_label, command);
      gtk_label_set_text (self->permission_flatpak_label, text);
    }
  else
    {
      g_autofree char *command = glint_port_permission_command (self->port);

      gtk_label_set_text (self->permission_command_label, command);
      gtk_label_set_text (self->permission_flatpak_label,
                          _("Then log out and back in, plug the board in again and try "
                            "again."));
    }
}

static void
glint_permission_page_init (GlintPermissionPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update (self);
}

/**
 * glint_permission_page_set_sandboxed:
 * @self: a #GlintPermissionPage
 * @sandboxed: whether Glint runs as a Flatpak
 *
 * Inside a sandbox the group does not help: the app needs the devices.
 */
void
glint_permission_page_set_sandboxed (GlintPermissionPage *self,
                                     gboolean             sandboxed)
{
  g_return_if_fail (GLINT_IS_PERMISSION_PAGE (self));

  self->sandboxed = sandboxed;
  update (self);
}

/**
 * glint_permission_page_set_port:
 * @self: a #GlintPermissionPage
 * @port: (nullable): the port that could not be opened
 *
 * The group to join is the one that owns @port's device node (dialout
 * where it cannot be read).
 */
void
glint_permission_page_set_port (GlintPermissionPage *self,
                                const char          *port)
{
  g_return_if_fail (GLINT_IS_PERMISSION_PAGE (self));

  g_free (self->port);
  self->port = g_strdup (port);
  update (self);
}

/**
 * glint_permission_page_get_command:
 * @self: a #GlintPermissionPage
 *
 * Returns: the command the page shows
 */
const char *
glint_permission_page_get_command (GlintPermissionPage *self)
{
  g_return_val_if_fail (GLINT_IS_PERMISSION_PAGE (self), NULL);

  return gtk_label_get_text (self->permission_command_label);
}
