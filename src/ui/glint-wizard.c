/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "glint-wizard.h"

/* The wizard, as gnome-initial-setup's GisAssistant: a GtkStack of
 * GlintWizardPages and the header bar with Back, Next and a spinner. The
 * buttons follow the shown page's properties (next-label, can-go-back,
 * complete, applying, title, default-widget) through notify; the pages
 * never touch them. Back and Next are enabled from can-go-back and
 * complete, and activate win.back and win.next: where they lead is the
 * window's business. */

struct _GlintWizard
{
  AdwBin          parent_instance;

  /* template children, alphabetical */
  GtkButton      *back_button;
  GtkBox         *end_box;
  GtkButton      *next_button;
  GtkSpinner     *spinner;
  GtkStack       *stack;
  AdwWindowTitle *window_title;
};

static void glint_wizard_buildable_init (GtkBuildableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GlintWizard, glint_wizard, ADW_TYPE_BIN,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_BUILDABLE,
                                                      glint_wizard_buildable_init))

static GtkBuildableIface *parent_buildable_iface;

static void
update_buttons (GlintWizard *self)
{
  GtkWidget *visible = gtk_stack_get_visible_child (self->stack);
  GlintWizardPage *page = GLINT_IS_WIZARD_PAGE (visible) ? GLINT_WIZARD_PAGE (visible) : NULL;
  const char *next_label = page != NULL ? glint_wizard_page_get_next_label (page) : NULL;
  gboolean applying = page != NULL && glint_wizard_page_get_applying (page);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *default_widget = NULL;

  if (page == NULL || gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;

  gtk_widget_set_visible (GTK_WIDGET (self->back_button),
                          glint_wizard_page_get_can_go_back (page));
  gtk_widget_set_visible (GTK_WIDGET (self->next_button), next_label != NULL);
  if (next_label != NULL)
    gtk_button_set_label (self->next_button, next_label);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.next",
                                 glint_wizard_page_get_complete (page));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.back",
                                 glint_wizard_page_get_can_go_back (page));

  /* Busy before Next can go on: loading firmware, detecting a board. */
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), applying && next_label != NULL);
  gtk_spinner_set_spinning (self->spinner, applying && next_label != NULL);

  adw_window_title_set_subtitle (self->window_title, glint_wizard_page_get_title (page));

  /* Enter does what the page's main button does. */
  default_widget = next_label != NULL ? GTK_WIDGET (self->next_button)
                                      : glint_wizard_page_get_default_widget (page);
  if (GTK_IS_WINDOW (root) && !gtk_widget_in_destruction (GTK_WIDGET (root)))
    gtk_window_set_default_widget (GTK_WINDOW (root), default_widget);
}

/* What the buttons follow. */
static const char * const page_properties[] = {
  "title", "complete", "applying", "next-label", "can-go-back", "default-widget",
};

static void
on_page_notify_cb (GlintWizard *self,
                   GParamSpec  *pspec,
                   GtkWidget   *page)
{
  if (page == gtk_stack_get_visible_child (self->stack))
    update_buttons (self);
}

static void
on_visible_child_cb (GlintWizard *self)
{
  GtkWidget *visible = gtk_stack_get_visible_child (self->stack);

  update_buttons (self);
  if (GLINT_IS_WIZARD_PAGE (visible))
    glint_wizard_page_shown (GLINT_WIZARD_PAGE (visible));
}

/**
 * glint_wizard_add_page:
 * @self: a #GlintWizard
 * @page: a page, named by its #GtkWidget:name
 *
 * Adds @page as a step (also `<child>` in a template).
 */
void
glint_wizard_add_page (GlintWizard     *self,
                       GlintWizardPage *page)
{
  g_return_if_fail (GLINT_IS_WIZARD (self));
  g_return_if_fail (GLINT_IS_WIZARD_PAGE (page));

  gtk_stack_add_named (self->stack, GTK_WIDGET (page), gtk_widget_get_name (GTK_WIDGET (page)));
  for (guint i = 0; i < G_N_ELEMENTS (page_properties); i++)
    {
      g_autofree char *signal = g_strconcat ("notify::", page_properties[i], NULL);

      g_signal_connect_object (page, signal, G_CALLBACK (on_page_notify_cb), self,
                               G_CONNECT_SWAPPED);
    }
  if (GTK_WIDGET (page) == gtk_stack_get_visible_child (self->stack))
    update_buttons (self);
}

/**
 * glint_wizard_set_page:
 * @self: a #GlintWizard
 * @name: the page to show
 * @animate: slide to it (or show it at once)
 */
void
glint_wizard_set_page (GlintWizard *self,
                       const char  *name,
                       gboolean     animate)
{
  g_return_if_fail (GLINT_IS_WIZARD (self));

  gtk_stack_set_visible_child_full (self->stack, name,
                                    animate ? GTK_STACK_TRANSITION_TYPE_SLIDE_LEFT_RIGHT
                                            : GTK_STACK_TRANSITION_TYPE_NONE);
}

const char *
glint_wizard_get_page_name (GlintWizard *self)
{
  g_return_val_if_fail (GLINT_IS_WIZARD (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/**
 * glint_wizard_get_page:
 * @self: a #GlintWizard
 *
 * Returns: (transfer none) (nullable): the page shown
 */
GlintWizardPage *
glint_wizard_get_page (GlintWizard *self)
{
  GtkWidget *visible;

  g_return_val_if_fail (GLINT_IS_WIZARD (self), NULL);

  visible = gtk_stack_get_visible_child (self->stack);
  return GLINT_IS_WIZARD_PAGE (visible) ? GLINT_WIZARD_PAGE (visible) : NULL;
}

/**
 * glint_wizard_get_stack:
 * @self: a #GlintWizard
 *
 * Returns: (transfer none): the stack of pages (to drop files on)
 */
GtkStack *
glint_wizard_get_stack (GlintWizard *self)
{
  g_return_val_if_fail (GLINT_IS_WIZARD (self), NULL);

  return self->stack;
}

/**
 * glint_wizard_pack_end:
 * @self: a #GlintWizard
 * @widget: a widget for the end of the header bar (the main menu)
 */
void
glint_wizard_pack_end (GlintWizard *self,
                       GtkWidget   *widget)
{
  g_return_if_fail (GLINT_IS_WIZARD (self));

  gtk_box_append (self->end_box, widget);
}

static void
glint_wizard_add_child (GtkBuildable *buildable,
                        GtkBuilder   *builder,
                        GObject      *child,
                        const char   *type)
{
  if (GLINT_IS_WIZARD_PAGE (child))
    glint_wizard_add_page (GLINT_WIZARD (buildable), GLINT_WIZARD_PAGE (child));
  else
    parent_buildable_iface->add_child (buildable, builder, child, type);
}

static void
glint_wizard_buildable_init (GtkBuildableIface *iface)
{
  parent_buildable_iface = g_type_interface_peek_parent (iface);
  iface->add_child = glint_wizard_add_child;
}

static void
glint_wizard_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (glint_wizard_parent_class)->root (widget);

  /* The default widget belongs to the window: set it once there is one. */
  update_buttons (GLINT_WIZARD (widget));
}

static void
glint_wizard_dispose (GObject *object)
{
  GlintWizard *self = GLINT_WIZARD (object);

  /* Pages going away change the visible one: nothing to show any more. */
  if (self->stack != NULL)
    g_signal_handlers_disconnect_by_data (self->stack, self);

  /* Let AdwBin drop its child first: the template owns it until then. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), GLINT_TYPE_WIZARD);

  G_OBJECT_CLASS (glint_wizard_parent_class)->dispose (object);
}

/* Where Next and Back lead is the window's business (win.next, win.back). */
static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  gtk_widget_activate_action (widget, "win.next", NULL);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  gtk_widget_activate_action (widget, "win.back", NULL);
}

static void
glint_wizard_class_init (GlintWizardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = glint_wizard_dispose;
  widget_class->root = glint_wizard_root;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/glintapp/Glint/glint-wizard.ui");
  gtk_widget_class_bind_template_child (widget_class, GlintWizard, back_button);
  gtk_widget_class_bind_template_child (widget_class, GlintWizard, end_box);
  gtk_widget_class_bind_template_child (widget_class, GlintWizard, next_button);
  gtk_widget_class_bind_template_child (widget_class, GlintWizard, spinner);
  gtk_widget_class_bind_template_child (widget_class, GlintWizard, stack);
  gtk_widget_class_bind_template_child (widget_class, GlintWizard, window_title);
  gtk_widget_class_bind_template_callback (widget_class, on_visible_child_cb);

  gtk_widget_class_install_action (widget_class, "wizard.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "wizard.back", NULL, back_action);
}

static void
glint_wizard_init (GlintWizard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * glint_wizard_set_title:
 * @self: a #GlintWizard
 * @title: (nullable): what the header says above every page's title (the
 *   name and version of a web installer); %NULL for "Glint"
 */
void
glint_wizard_set_title (GlintWizard *self,
                        const char  *title)
{
  g_return_if_fail (GLINT_IS_WIZARD (self));

  adw_window_title_set_title (self->window_title, title != NULL ? title : _("Glint"));
}
