/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "glint-error.h"
#include "glint-wifi-page.h"

/* Wi-Fi set-up over Improv Serial after flashing: the networks from the
 * board's own scan, a name and a password, the board's answer, and at the
 * end the device's own page as a button. The page drives the engine's
 * GlintImprovClient; the window hands it one. The password stays in its
 * entry and the one request to the board: nothing here logs it. */

struct _GlintWifiPage
{
  GlintWizardPage     parent_instance;

  /* template children, alphabetical */
  GtkLabel           *busy_label;
  GtkSpinner         *busy_spinner;
  GtkButton          *connect_button;
  GtkLabel           *error_label;
  AdwStatusPage      *joined_status;
  GtkListBox         *networks_list;
  AdwPasswordEntryRow *password_row;
  GtkButton          *rescan_button;
  AdwEntryRow        *ssid_row;
  GtkStack           *stack;
  AdwStatusPage      *unavailable_status;
  GtkButton          *url_button;

  GlintImprovClient  *client;
  GCancellable       *cancellable;
  char               *url;
};

G_DEFINE_FINAL_TYPE (GlintWifiPage, glint_wifi_page, GLINT_TYPE_WIZARD_PAGE)

enum {
  SIGNAL_JOINED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_busy (GlintWifiPage *self,
           const char    *text)
{
  gtk_label_set_text (self->busy_label, text);
  gtk_spinner_set_spinning (self->busy_spinner, TRUE);
  gtk_stack_set_visible_child_name (self->stack, "busy");
}

static void
show (GlintWifiPage *self,
      const char    *name)
{
  gtk_spinner_set_spinning (self->busy_spinner, FALSE);
  gtk_stack_set_visible_child_name (self->stack, name);
}

static void
show_error (GlintWifiPage *self,
            const GError  *error)
{
  gtk_label_set_text (self->error_label, error != NULL ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);
}

/* Signal bars as GNOME shows them, from the RSSI in dBm. */
static const char *
signal_icon (gint rssi)
{
  if (rssi == 0)
    return "network-wireless-symbolic";
  if (rssi >= -55)
    return "network-wireless-signal-excellent-symbolic";
  if (rssi >= -67)
    return "network-wireless-signal-good-symbolic";
  if (rssi >= -78)
    return "network-wireless-signal-ok-symbolic";
  return "network-wireless-signal-weak-symbolic";
}

static GtkWidget *
network_row (const GlintImprovNetwork *network)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (signal_icon (network->rssi));
  g_autofree char *subtitle = NULL;

  /* TRANSLATORS: "Secured, −42 dBm": whether a password is needed, then the signal */
  subtitle = g_strdup_printf (_("%s, %d dBm"),
                              network->secured ? _("Secured") : _("Open"), network->rssi);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), network->ssid);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  if (network->secured)
    adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                               gtk_image_new_from_icon_name ("channel-secure-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "ssid", g_strdup (network->ssid), g_free);
  g_object_set_data (G_OBJECT (row), "secured", GINT_TO_POINTER (network->secured));

  return row;
}

static void
clear_networks (GlintWifiPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->networks_list))) != NULL)
    gtk_list_box_remove (self->networks_list, child);
}

static void
scan_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GlintWifiPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) networks = NULL;

  networks = glint_improv_client_scan_finish (GLINT_IMPROV_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->client == NULL)
    return;

  clear_networks (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->rescan_button), TRUE);
  /* without a list the name can still be typed */
  show_error (self, error);
  for (guint i = 0; networks != NULL && i < networks->len; i++)
    gtk_list_box_append (self->networks_list, network_row (g_ptr_array_index (networks, i)));
  gtk_widget_set_visible (GTK_WIDGET (self->networks_list),
                          networks != NULL && networks->len > 0);
  show (self, "form");
}

static void
scan (GlintWifiPage *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->rescan_button), FALSE);
  glint_improv_client_scan_async (self->client, GLINT_IMPROV_SCAN_TIMEOUT_MS, self->cancellable,
                                  scan_cb, g_object_ref (self));
}

static void
probe_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GlintWifiPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!glint_improv_client_probe_finish (GLINT_IMPROV_CLIENT (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->client == NULL)
        return;
      adw_status_page_set_description (self->unavailable_status, error->message);
      show (self, "unavailable");
      return;
    }

  show_busy (self, _("Looking for Wi-Fi networks…"));
  scan (self);
}

static void
provision_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GlintWifiPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *description = NULL;
  const char *ssid;

  url = glint_improv_client_provision_finish (GLINT_IMPROV_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->client == NULL)
    return;

  if (url == NULL)
    {
      show_error (self, error);
      show (self, "form");
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }

  ssid = gtk_editable_get_text (GTK_EDITABLE (self->ssid_row));
  g_free (self->url);
  self->url = g_strdup (url);
  /* TRANSLATORS: %s is the Wi-Fi network's name */
  description = g_strdup_printf (_("The board joined “%s”."), ssid);
  adw_status_page_set_description (self->joined_status, NULL);
  adw_status_page_set_description (self->joined_status, description);
  if (*url != '\0')
    {
      g_autofree char *label = NULL;

      /* TRANSLATORS: %s is the board's address, such as http://wled-abc123.local */
      label = g_strdup_printf (_("Open %s"), url);
      gtk_button_set_label (self->url_button, label);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->url_button), *url != '\0');
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  show (self, "joined");
  g_signal_emit (self, signals[SIGNAL_JOINED], 0, ssid, url);
}

static void
on_connect_clicked_cb (GlintWifiPage *self)
{
  const char *ssid = gtk_editable_get_text (GTK_EDITABLE (self->ssid_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  g_autofree char *text = NULL;

  if (self->client == NULL || *ssid == '\0')
    return;

  show_error (self, NULL);
  /* TRANSLATORS: %s is the Wi-Fi network's name */
  text = g_strdup_printf (_("Waiting for the board to join “%s”…"), ssid);
  show_busy (self, text);
  glint_improv_client_provision_async (self->client, ssid, password,
                                       GLINT_IMPROV_PROVISION_TIMEOUT_MS, self->cancellable,
                                       provision_cb, g_object_ref (self));
}

static void
on_rescan_clicked_cb (GlintWifiPage *self)
{
  if (self->client == NULL)
    return;
  show_busy (self, _("Looking for Wi-Fi networks…"));
  scan (self);
}

static void
on_network_activated_cb (GlintWifiPage *self,
                         GtkListBoxRow *row)
{
  gboolean secured = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "secured"));

  gtk_editable_set_text (GTK_EDITABLE (self->ssid_row), g_object_get_data (G_OBJECT (row), "ssid"));
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  show_error (self, NULL);
  if (secured)
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->connect_button));
}

static void
on_ssid_changed_cb (GlintWifiPage *self)
{
  const char *ssid = gtk_editable_get_text (GTK_EDITABLE (self->ssid_row));

  gtk_widget_set_sensitive (GTK_WIDGET (self->connect_button), *ssid != '\0');
}

static void
on_url_clicked_cb (GlintWifiPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->url != NULL && *self->url != '\0')
    gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->url, GDK_CURRENT_TIME);
}

static void
glint_wifi_page_dispose (GObject *object)
{
  GlintWifiPage *self = GLINT_WIFI_PAGE (object);

  glint_wifi_page_stop (self);
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), GLINT_TYPE_WIFI_PAGE);

  G_OBJECT_CLASS (glint_wifi_page_parent_class)->dispose (object);
}

static void
glint_wifi_page_finalize (GObject *object)
{
  GlintWifiPage *self = GLINT_WIFI_PAGE (object);

  g_clear_pointer (&self->url, g_free);

  G_OBJECT_CLASS (glint_wifi_page_parent_class)->finalize (object);
}

static void
glint_wifi_page_class_init (GlintWifiPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = glint_wifi_page_dispose;
  object_class->finalize = glint_wifi_page_finalize;

  /**
   * GlintWifiPage::joined:
   * @self: the page
   * @ssid: the network
   * @url: the device's address, "" when it named none
   *
   * The board joined a network.
   */
  signals[SIGNAL_JOINED] = g_signal_new ("joined", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                         G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/glintapp/Glint/glint-wifi-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GlintWifiPage, busy_label);
  gtk_widget_class_bind_template_child (widget_class, GlintWifiPage, busy_spinner);
  gtk_widget_class_bind_template_child (widget_class, GlintWifiPage, connect_button);
  gtk_widget_class_bind_template_child (widget_class, GlintWifiPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, GlintWifiPage, joined_status);
  gtk_widget_class_bind_template_child (widget_class, GlintWifiPage, networks_list);
  gtk_widget_class_bind_template_child (widget_class, GlintWifiPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, GlintWifiPage, rescan_button);
  gtk_widget_class_bind_template_child (widget_class, GlintWifiPage, ssid_row);
  gtk_widget_class_bind_template_child (widget_class, GlintWifiPage, stack);
  gtk_widget_class_bind_template_child (widget_class, GlintWifiPage, unavailable_status);
  gtk_widget_class_bind_template_child (widget_class, GlintWifiPage, url_button);
  gtk_widget_class_bind_template_callback (widget_class, on_connect_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_network_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_rescan_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_ssid_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_url_clicked_cb);
}

static void
glint_wifi_page_init (GlintWifiPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * glint_wifi_page_start:
 * @self: a #GlintWifiPage
 * @client: the board's Improv client
 * @probe_ms: how long the board has to answer whether it speaks Improv;
 *   0: @client already found that it does
 *
 * Asks the board (where @probe_ms is not 0), then for its networks.
 */
void
glint_wifi_page_start (GlintWifiPage     *self,
                       GlintImprovClient *client,
                       guint              probe_ms)
{
  g_return_if_fail (GLINT_IS_WIFI_PAGE (self));
  g_return_if_fail (GLINT_IS_IMPROV_CLIENT (client));

  glint_wifi_page_stop (self);
  self->client = g_object_ref (client);
  self->cancellable = g_cancellable_new ();
  g_clear_pointer (&self->url, g_free);
  clear_networks (self);
  show_error (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->ssid_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");

  if (probe_ms == 0)
    {
      show_busy (self, _("Looking for Wi-Fi networks…"));
      scan (self);
      return;
    }

  show_busy (self, _("Asking the board whether its firmware offers Wi-Fi set-up…"));
  glint_improv_client_probe_async (client, probe_ms, self->cancellable, probe_cb,
                                   g_object_ref (self));
}

/**
 * glint_wifi_page_stop:
 * @self: a #GlintWifiPage
 *
 * Cancels what the page asked of the board and lets go of the client.
 */
void
glint_wifi_page_stop (GlintWifiPage *self)
{
  g_return_if_fail (GLINT_IS_WIFI_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  if (self->password_row != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  if (self->busy_spinner != NULL)
    gtk_spinner_set_spinning (self->busy_spinner, FALSE);
}

/**
 * glint_wifi_page_get_state:
 * @self: a #GlintWifiPage
 *
 * Returns: what the page shows: "busy", "form", "joined" or "unavailable"
 */
const char *
glint_wifi_page_get_state (GlintWifiPage *self)
{
  g_return_val_if_fail (GLINT_IS_WIFI_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

/**
 * glint_wifi_page_get_url:
 * @self: a #GlintWifiPage
 *
 * Returns: (nullable): the device's address once it joined
 */
const char *
glint_wifi_page_get_url (GlintWifiPage *self)
{
  g_return_val_if_fail (GLINT_IS_WIFI_PAGE (self), NULL);
  return self->url;
}
