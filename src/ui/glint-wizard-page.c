/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-wizard-page.h"

typedef struct
{
  char      *title;
  gboolean   complete;
  gboolean   applying;
  GtkWidget *default_widget;   /* weak: a child of the page */
  char      *next_label;
  gboolean   can_go_back;
} GlintWizardPagePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (GlintWizardPage, glint_wizard_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_COMPLETE,
  PROP_APPLYING,
  PROP_DEFAULT_WIDGET,
  PROP_NEXT_LABEL,
  PROP_CAN_GO_BACK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The default widget: Enter presses it, and the keyboard starts there
 * when the page is shown. On a page that ends the flow, where the focus
 * was on a button that is gone. */
static void
glint_wizard_page_real_shown (GlintWizardPage *self)
{
  GlintWizardPagePrivate *priv = glint_wizard_page_get_instance_private (self);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (priv->default_widget == NULL || root == NULL || !GTK_IS_WINDOW (root))
    return;

  gtk_widget_grab_focus (priv->default_widget);
}

static void
glint_wizard_page_dispose (GObject *object)
{
  GlintWizardPage *self = GLINT_WIZARD_PAGE (object);
  GlintWizardPagePrivate *priv = glint_wizard_page_get_instance_private (self);

  g_clear_weak_pointer (&priv->default_widget);

  G_OBJECT_CLASS (glint_wizard_page_parent_class)->dispose (object);
}

static void
glint_wizard_page_finalize (GObject *object)
{
  GlintWizardPage *self = GLINT_WIZARD_PAGE (object);
  GlintWizardPagePrivate *priv = glint_wizard_page_get_instance_private (self);

  g_free (priv->title);
  g_free (priv->next_label);

  G_OBJECT_CLASS (glint_wizard_page_parent_class)->finalize (object);
}

static void
glint_wizard_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  GlintWizardPage *self = GLINT_WIZARD_PAGE (object);
  GlintWizardPagePrivate *priv = glint_wizard_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, priv->title);
      break;

    case PROP_COMPLETE:
      g_value_set_boolean (value, priv->complete);
      break;

    case PROP_APPLYING:
      g_value_set_boolean (value, priv->applying);
      break;

    case PROP_DEFAULT_WIDGET:
      g_value_set_object (value, priv->default_widget);
      break;

    case PROP_NEXT_LABEL:
      g_value_set_string (value, priv->next_label);
      break;

    case PROP_CAN_GO_BACK:
      g_value_set_boolean (value, priv->can_go_back);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_wizard_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  GlintWizardPage *self = GLINT_WIZARD_PAGE (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      glint_wizard_page_set_title (self, g_value_get_string (value));
      break;

    case PROP_COMPLETE:
      glint_wizard_page_set_complete (self, g_value_get_boolean (value));
      break;

    case PROP_APPLYING:
      glint_wizard_page_set_applying (self, g_value_get_boolean (value));
      break;

    case PROP_DEFAULT_WIDGET:
      glint_wizard_page_set_default_widget (self, g_value_get_object (value));
      break;

    case PROP_NEXT_LABEL:
      {
        GlintWizardPagePrivate *priv = glint_wizard_page_get_instance_private (self);

        if (g_strcmp0 (priv->next_label, g_value_get_string (value)) != 0)
          {
            g_free (priv->next_label);
            priv->next_label = g_value_dup_string (value);
            g_object_notify_by_pspec (object, pspec);
          }
      }
      break;

    case PROP_CAN_GO_BACK:
      {
        GlintWizardPagePrivate *priv = glint_wizard_page_get_instance_private (self);

        if (priv->can_go_back != g_value_get_boolean (value))
          {
            priv->can_go_back = g_value_get_boolean (value);
            g_object_notify_by_pspec (object, pspec);
          }
      }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_wizard_page_class_init (GlintWizardPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = glint_wizard_page_dispose;
  object_class->finalize = glint_wizard_page_finalize;
  object_class->get_property = glint_wizard_page_get_property;
  object_class->set_property = glint_wizard_page_set_property;

  klass->shown = glint_wizard_page_real_shown;

  /**
   * GlintWizardPage:title:
   *
   * What the step is called, shown under the window title.
   */
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintWizardPage:complete:
   *
   * Whether the wizard may go on from this page.
   */
  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintWizardPage:applying:
   *
   * Whether the page is busy (the wizard shows its spinner).
   */
  properties[PROP_APPLYING] =
    g_param_spec_boolean ("applying", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintWizardPage:default-widget:
   *
   * The page's main button: Enter presses it, and the keyboard starts on
   * it when the page is shown.
   */
  properties[PROP_DEFAULT_WIDGET] =
    g_param_spec_object ("default-widget", NULL, NULL, GTK_TYPE_WIDGET,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintWizardPage:next-label:
   *
   * The label of the wizard's Next button on this page (with a mnemonic),
   * or %NULL for a page without one.
   */
  properties[PROP_NEXT_LABEL] =
    g_param_spec_string ("next-label", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintWizardPage:can-go-back:
   *
   * Whether the wizard shows Back on this page.
   */
  properties[PROP_CAN_GO_BACK] =
    g_param_spec_boolean ("can-go-back", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
glint_wizard_page_init (GlintWizardPage *self)
{
}

const char *
glint_wizard_page_get_title (GlintWizardPage *self)
{
  GlintWizardPagePrivate *priv = glint_wizard_page_get_instance_private (self);

  g_return_val_if_fail (GLINT_IS_WIZARD_PAGE (self), NULL);

  return priv->title;
}

void
glint_wizard_page_set_title (GlintWizardPage *self,
                             const char      *title)
{
  GlintWizardPagePrivate *priv = glint_wizard_page_get_instance_private (self);

  g_return_if_fail (GLINT_IS_WIZARD_PAGE (self));

  if (g_strcmp0 (priv->title, title) == 0)
    return;

  g_free (priv->title);
  g_free (priv->next_label);
  priv->title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

gboolean
glint_wizard_page_get_complete (GlintWizardPage *self)
{
  GlintWizardPagePrivate *priv = glint_wizard_page_get_instance_private (self);

  g_return_val_if_fail (GLINT_IS_WIZARD_PAGE (self), FALSE);

  return priv->complete;
}

void
glint_wizard_page_set_complete (GlintWizardPage *self,
                                gboolean         complete)
{
  GlintWizardPagePrivate *priv = glint_wizard_page_get_instance_private (self);

  g_return_if_fail (GLINT_IS_WIZARD_PAGE (self));

  complete = !!complete;
  if (priv->complete == complete)
    return;

  priv->complete = complete;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
}

gboolean
glint_wizard_page_get_applying (GlintWizardPage *self)
{
  GlintWizardPagePrivate *priv = glint_wizard_page_get_instance_private (self);

  g_return_val_if_fail (GLINT_IS_WIZARD_PAGE (self), FALSE);

  return priv->applying;
}

void
glint_wizard_page_set_applying (GlintWizardPage *self,
                                gboolean         applying)
{
  GlintWizardPagePrivate *priv = glint_wizard_page_get_instance_private (self);

  g_return_if_fail (GLINT_IS_WIZARD_PAGE (self));

  applying = !!applying;
  if (priv->applying == applying)
    return;

  priv->applying = applying;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_APPLYING]);
}

GtkWidget *
glint_wizard_page_get_default_widget (GlintWizardPage *self)
{
  GlintWizardPagePrivate *priv = glint_wizard_page_get_instance_private (self);

  g_return_val_if_fail (GLINT_IS_WIZARD_PAGE (self), NULL);

  return priv->default_widget;
}

void
glint_wizard_page_set_default_widget (GlintWizardPage *self,
                                      GtkWidget       *widget)
{
  GlintWizardPagePrivate *priv = glint_wizard_page_get_instance_private (self);

  g_return_if_fail (GLINT_IS_WIZARD_PAGE (self));
  g_return_if_fail (widget == NULL || GTK_IS_WIDGET (widget));

  if (g_set_weak_pointer (&priv->default_widget, widget))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEFAULT_WIDGET]);
}

/**
 * glint_wizard_page_shown:
 * @self: a #GlintWizardPage
 *
 * Called by the wizard when @self becomes the page it shows.
 */
void
glint_wizard_page_shown (GlintWizardPage *self)
{
  g_return_if_fail (GLINT_IS_WIZARD_PAGE (self));

  if (GLINT_WIZARD_PAGE_GET_CLASS (self)->shown != NULL)
    GLINT_WIZARD_PAGE_GET_CLASS (self)->shown (self);
}

const char *
glint_wizard_page_get_next_label (GlintWizardPage *self)
{
  GlintWizardPagePrivate *priv = glint_wizard_page_get_instance_private (self);

  g_return_val_if_fail (GLINT_IS_WIZARD_PAGE (self), NULL);

  return priv->next_label;
}

gboolean
glint_wizard_page_get_can_go_back (GlintWizardPage *self)
{
  GlintWizardPagePrivate *priv = glint_wizard_page_get_instance_private (self);

  g_return_val_if_fail (GLINT_IS_WIZARD_PAGE (self), FALSE);

  return priv->can_go_back;
}
