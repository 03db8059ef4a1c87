/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "glint-error.h"
#include "glint-network-browser.h"
#include "glint-port-details.h"
#include "glint-serial-stream.h"
#include "glint-stream.h"
#include "glint-stream-address.h"
#include "glint-board-page.h"
#include "glint-board-contents.h"
#include "glint-window.h"

/* The Board page: local ports, the Demo board, a remote URL, Detect. */

#define MAX_RECENT_URLS  8

struct _GlintBoardPage
{
  GlintWizardPage   parent_instance;

  /* template children, alphabetical */
  AdwPreferencesGroup *contents_group;
  GtkListBox       *contents_list;
  GtkCheckButton   *demo_check;
  GtkButton        *detect_button;
  AdwActionRow     *detect_row;
  GtkSpinner       *detect_spinner;
  GtkListBox       *network_list;
  GtkListBox       *ports_list;
  GtkMenuButton    *recent_button;
  GtkCheckButton   *remote_check;
  GtkLabel         *remote_error_label;
  AdwEntryRow      *remote_row;

  GSettings        *settings;
  char             *address;         /* the chosen board, NULL if none */
  char             *ports_signature; /* to rebuild the list only on change */
  char             *wanted_port;     /* last-address, selected when it shows up */
  GlintPortMonitor *port_monitor;
  GlintNetworkBrowser *network_browser;
  AdwActionRow     *network_placeholder;
  GCancellable     *detect_cancellable;
  GlintFlasher     *detect_flasher;
  GlintBoardInfo   *board_info;      /* from Detect, for the summary */
  char             *demo_address;    /* the window's Demo board, with its board= */
  GlintFlasher     *job_flasher;     /* erasing or saving a partition */
  GCancellable     *job_cancellable;
  AdwMessageDialog *erase_dialog;
};

G_DEFINE_FINAL_TYPE (GlintBoardPage, glint_board_page, GLINT_TYPE_WIZARD_PAGE)

enum {
  PROP_0,
  PROP_ADDRESS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_PERMISSION_DENIED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
toast (GlintBoardPage *self,
       const char     *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static gboolean
is_remote_address (const char *address)
{
  return g_str_has_prefix (address, "rfc2217://") || g_str_has_prefix (address, "socket://");
}

/* A local port ("/dev/ttyUSB0", "COM3"), as opposed to "sim://…" or a URL. */
static gboolean
is_port_address (const char *address)
{
  return address != NULL && strstr (address, "://") == NULL;
}

static void clear_contents (GlintBoardPage *self);

static void
set_address (GlintBoardPage *self,
             const char  *address)
{
  if (g_strcmp0 (self->address, address) == 0)
    return;

  g_free (self->address);
  self->address = g_strdup (address);

  /* Details of another board are no use. */
  g_clear_pointer (&self->board_info, glint_board_info_free);
  clear_contents (self);
  adw_action_row_set_subtitle (self->detect_row,
                               _("Read the chip type and MAC address before flashing"));
  glint_wizard_page_set_complete (GLINT_WIZARD_PAGE (self), address != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ADDRESS]);
}

/* Returns a new string: the remote row's URL if it parses, else NULL. */
static char *
remote_address (GlintBoardPage *self,
                GError     **error)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->remote_row));
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  g_autoptr(GlintStreamAddress) address = NULL;

  if (stripped[0] == '\0')
    return NULL;

  address = glint_stream_address_parse (stripped, error);
  if (address == NULL)
    return NULL;

  return g_steal_pointer (&stripped);
}

/* The URL row's error shows while the remote board is the chosen one
 * (typing chooses it): after choosing another board it is moot. */
static void
update_remote_error (GlintBoardPage *self,
                     const GError   *error)
{
  gboolean shown = error != NULL && gtk_check_button_get_active (self->remote_check);

  gtk_widget_set_visible (GTK_WIDGET (self->remote_error_label), shown);
  if (shown)
    {
      gtk_label_set_text (self->remote_error_label, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->remote_row), "error");
    }
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->remote_row), "error");
}

static void
on_board_toggled_cb (GlintBoardPage *self,
                                   GtkCheckButton *check)
{
  if (!gtk_check_button_get_active (check))
    {
      /* Unchecking the chosen one without checking another (cannot happen
       * with radio buttons, except programmatically). */
      return;
    }

  if (check == self->demo_check)
    set_address (self, GLINT_DEMO_ADDRESS);
  else if (check == self->remote_check)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *address = remote_address (self, &error);

      update_remote_error (self, error);
      set_address (self, address);
      if (address == NULL)
        gtk_widget_grab_focus (GTK_WIDGET (self->remote_row));
    }
  else
    set_address (self, g_object_get_data (G_OBJECT (check), "glint-address"));

  if (check != self->remote_check)
    update_remote_error (self, NULL);
}

static void
on_remote_changed_cb (GlintBoardPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = remote_address (self, &error);

  /* Typing chooses the remote board; a half-typed URL is no board yet. */
  if (gtk_editable_get_text (GTK_EDITABLE (self->remote_row))[0] != '\0' &&
      !gtk_check_button_get_active (self->remote_check))
    gtk_check_button_set_active (self->remote_check, TRUE);
  else if (gtk_check_button_get_active (self->remote_check))
    set_address (self, address);
  update_remote_error (self, error);
}

/* Enter in the URL row goes on with that board. (Not activates-default:
 * libadwaita 1.2 does not pass Enter on to the default widget.) */
static void
on_remote_activated_cb (GlintBoardPage *self)
{
  if (gtk_check_button_get_active (self->remote_check) && self->address != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.next", NULL);
  else if (gtk_widget_get_visible (GTK_WIDGET (self->remote_error_label)))
    gtk_widget_error_bell (GTK_WIDGET (self->remote_row));
}

static void
remember_recent_url (GlintBoardPage *self,
                     const char  *url)
{
  g_auto(GStrv) old = g_settings_get_strv (self->settings, "recent-urls");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) urls = NULL;
  guint n = 1;

  g_strv_builder_add (builder, url);
  for (guint i = 0; old[i] != NULL && n < MAX_RECENT_URLS; i++)
    {
      if (g_str_equal (old[i], url))
        continue;
      g_strv_builder_add (builder, old[i]);
      n++;
    }
  urls = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-urls", (const char * const *) urls);
}

static void
on_recent_urls_changed_cb (GlintBoardPage *self)
{
  g_auto(GStrv) urls = g_settings_get_strv (self->settings, "recent-urls");
  g_autoptr(GMenu) menu = g_menu_new ();

  for (guint i = 0; urls[i] != NULL; i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (urls[i], NULL);

      g_menu_item_set_action_and_target (item, "win.select-board", "s", urls[i]);
      g_menu_append_item (menu, item);
    }

  gtk_menu_button_set_menu_model (self->recent_button, G_MENU_MODEL (menu));
  gtk_widget_set_visible (GTK_WIDGET (self->recent_button), urls[0] != NULL);
}

/* Called when a flash starts: what to preselect next time. */
static void
remember_address (GlintBoardPage *self)
{
  g_settings_set_string (self->settings, "last-address", self->address);
  if (is_remote_address (self->address))
    remember_recent_url (self, self->address);
}

static GtkCheckButton *
find_port_check (GlintBoardPage *self,
                 const char  *path)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->ports_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *check = g_object_get_data (G_OBJECT (row), "glint-check");

      if (check != NULL &&
          g_strcmp0 (g_object_get_data (G_OBJECT (check), "glint-address"), path) == 0)
        return GTK_CHECK_BUTTON (check);
    }

  return NULL;
}

/**
 * glint_board_page_select:
 * @address: a port path, a URL, or a `sim://` address
 *
 * What a click on a board row does (also win.select-board).
 */
void
glint_board_page_select (GlintBoardPage *self,
                         const char     *address)
{
  GtkCheckButton *check;

  if (g_str_equal (address, GLINT_DEMO_ADDRESS))
    {
      gtk_check_button_set_active (self->demo_check, TRUE);
      return;
    }

  check = find_port_check (self, address);
  if (check != NULL)
    {
      gtk_check_button_set_active (check, TRUE);
      return;
    }

  if (is_port_address (address))
    {
      /* Not plugged in (yet): choose it when it shows up. */
      g_free (self->wanted_port);
      self->wanted_port = g_strdup (address);
      return;
    }

  /* Anything else is typed into the URL row, like a user would. */
  gtk_editable_set_text (GTK_EDITABLE (self->remote_row), address);
  gtk_check_button_set_active (self->remote_check, TRUE);
}

static GtkWidget *
port_row_new (GlintBoardPage *self,
              const GlintSerialPortInfo *info)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  g_autofree char *adapter = glint_port_describe_adapter (info);
  g_autofree char *state = glint_port_describe_state (info);
  g_autofree char *subtitle = NULL;

  /* The path, what carries it (product, serial number, the chip's own
   * USB), and what stands in the way, with the way out. */
  if (state != NULL)
    subtitle = g_markup_printf_escaped ("%s · %s\n<span weight=\"bold\">%s</span>",
                                        info->path, adapter, state);
  else
    subtitle = g_markup_printf_escaped ("%s · %s", info->path, adapter);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), info->friendly_name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (info->is_usb && info->vid == GLINT_USB_VID_ESPRESSIF)
    {
      GtkWidget *badge = gtk_label_new (_("Built-in USB"));

      gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (badge, _("The chip’s own USB port: no adapter in between, "
                                            "and the speed setting does not matter"));
      gtk_widget_add_css_class (badge, "glint-badge");
      gtk_widget_add_css_class (badge, "caption");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), badge);
    }
  if (state != NULL)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      gtk_widget_add_css_class (icon, "warning");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
    }
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_check_button_set_group (GTK_CHECK_BUTTON (check), self->demo_check);
  g_object_set_data_full (G_OBJECT (check), "glint-address", g_strdup (info->path), g_free);
  g_object_set_data (G_OBJECT (row), "glint-check", check);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  g_signal_connect_object (check, "toggled", G_CALLBACK (on_board_toggled_cb),
                           self, G_CONNECT_SWAPPED);

  return row;
}

/* A USB-serial bridge that is plugged in but has no port: why, and the
 * fix. Not a board to choose. */
static GtkWidget *
missing_row_new (const GlintMissingPort *port)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  g_autofree char *what = glint_missing_port_describe (port);
  g_autofree char *fix = glint_missing_port_fix (port);
  g_autofree char *escaped = g_markup_escape_text (fix, -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), what);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  gtk_widget_add_css_class (icon, "warning");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  g_object_set_data (G_OBJECT (row), "glint-missing", GINT_TO_POINTER (TRUE));

  return row;
}

static void
update_ports (GlintBoardPage *self,
              GPtrArray      *ports,
              GPtrArray      *missing)
{
  g_autoptr(GString) signature = g_string_new (NULL);
  g_autofree char *selected = NULL;
  gboolean selected_present = FALSE;
  GtkWidget *child;

  for (guint i = 0; i < ports->len; i++)
    {
      GlintSerialPortInfo *info = g_ptr_array_index (ports, i);

      g_string_append_printf (signature, "%s|%s|%s|%s|%u|%d\n", info->path, info->friendly_name,
                              info->product, info->serial, info->holder_pid, info->denied);
    }
  for (guint i = 0; missing != NULL && i < missing->len; i++)
    {
      GlintMissingPort *port = g_ptr_array_index (missing, i);

      g_string_append_printf (signature, "!%s|%s\n", port->usb_path, port->claimed_by);
    }
  if (g_strcmp0 (signature->str, self->ports_signature) == 0)
    return;
  g_free (self->ports_signature);
  self->ports_signature = g_strdup (signature->str);

  if (is_port_address (self->address))
    selected = g_strdup (self->address);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->ports_list))) != NULL)
    {
      GtkWidget *check = g_object_get_data (G_OBJECT (child), "glint-check");

      if (check != NULL)
        gtk_check_button_set_group (GTK_CHECK_BUTTON (check), NULL);
      gtk_list_box_remove (self->ports_list, child);
    }

  for (guint i = 0; i < ports->len; i++)
    {
      GlintSerialPortInfo *info = g_ptr_array_index (ports, i);
      GtkWidget *row = port_row_new (self, info);
      GtkWidget *check = g_object_get_data (G_OBJECT (row), "glint-check");

      gtk_list_box_append (self->ports_list, row);

      if (g_strcmp0 (info->path, selected) == 0 || g_strcmp0 (info->path, self->wanted_port) == 0)
        {
          gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
          selected_present = TRUE;
          g_clear_pointer (&self->wanted_port, g_free);
        }
    }

  for (guint i = 0; missing != NULL && i < missing->len; i++)
    gtk_list_box_append (self->ports_list, missing_row_new (g_ptr_array_index (missing, i)));

  /* The chosen board was unplugged. */
  if (selected != NULL && !selected_present)
    {
      set_address (self, NULL);
      toast (self, _("The board was unplugged"));
    }
}

static void
on_ports_changed_cb (GlintBoardPage *self)
{
  GPtrArray *ports = glint_port_monitor_get_ports (self->port_monitor);

  if (ports != NULL)
    update_ports (self, ports, glint_port_monitor_get_missing (self->port_monitor));
}

/* On the Network */

static void
on_network_row_activated_cb (AdwActionRow   *row,
                             GlintBoardPage *self)
{
  /* fills in the URL row and chooses it, as if typed */
  glint_board_page_select (self, g_object_get_data (G_OBJECT (row), "glint-url"));
}

static GtkWidget *
network_row_new (GlintBoardPage          *self,
                 const GlintNetworkBoard *board)
{
  GtkWidget *row = adw_action_row_new ();
  g_autoptr(GString) subtitle = g_string_new (NULL);

  g_string_append_printf (subtitle, "%s:%u", board->host, board->port);
  if (board->adapter != NULL)
    g_string_append_printf (subtitle, " · %s", board->adapter);
  if (board->usb != NULL)
    /* Translators: the USB adapter's ids, as for local ports: "USB 10c4:ea60" */
    g_string_append_printf (subtitle, _(" · USB %04x:%04x"), board->usb->vid, board->usb->pid);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), board->name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_widget_set_tooltip_text (row, board->url);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "glint-url", g_strdup (board->url), g_free);
  g_signal_connect_object (row, "activated", G_CALLBACK (on_network_row_activated_cb), self, 0);

  return row;
}

static void
on_network_changed_cb (GlintBoardPage *self)
{
  GPtrArray *boards = glint_network_browser_get_boards (self->network_browser);
  const char *unavailable = glint_network_browser_get_unavailable (self->network_browser);
  GtkWidget *child;

  /* Said once, in the place of the list: nothing to do about it here. */
  if (unavailable != NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->network_placeholder),
                                     unavailable);
      adw_action_row_set_subtitle (self->network_placeholder, "");
    }
  else if (!glint_network_browser_get_settled (self->network_browser))
    {
      /* Avahi has not said what it knows yet (a slow bus takes seconds) */
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->network_placeholder),
                                     _("Looking for boards on the network…"));
      adw_action_row_set_subtitle (self->network_placeholder, "");
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->network_placeholder),
                                     _("No boards found on the network"));
      adw_action_row_set_subtitle (self->network_placeholder,
                                   _("ser2net announces a board when its connection has "
                                     "“mdns: true” in its options"));
    }

  /* rows only: the placeholder is a child of the list too */
  while ((child = GTK_WIDGET (gtk_list_box_get_row_at_index (self->network_list, 0))) != NULL)
    gtk_list_box_remove (self->network_list, child);
  for (guint i = 0; i < boards->len; i++)
    gtk_list_box_append (self->network_list,
                         network_row_new (self, g_ptr_array_index (boards, i)));
}

static void show_detect_error (GlintBoardPage *self, const GError *error);
static char *describe_board (const GlintBoardInfo *info);

/* What is on the board ---------------------------------------------------------- */

/* The address Detect and the partition jobs use: the Demo board is the
 * window's own, which keeps what was flashed to it. */
static const char *
board_address (GlintBoardPage *self)
{
  if (self->demo_address != NULL && g_strcmp0 (self->address, GLINT_DEMO_ADDRESS) == 0)
    return self->demo_address;
  return self->address;
}

static void
clear_contents (GlintBoardPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->contents_list))) != NULL)
    gtk_list_box_remove (self->contents_list, child);
  gtk_widget_set_visible (GTK_WIDGET (self->contents_group), FALSE);
}

static GtkWidget *
partition_button (const char *icon,
                  const char *tooltip,
                  const char *action,
                  const char *name)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", name);
  return button;
}

static GtkWidget *
partition_row_new (const GlintPartitionContents *pc)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *size = g_format_size_full (pc->partition.size, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *what = glint_partition_contents_describe_app (pc);
  g_autofree char *subtitle = NULL;
  g_autofree char *save_tip = g_strdup_printf (_("Save “%s” to a File…"), pc->partition.name);
  g_autofree char *erase_tip = g_strdup_printf (_("Erase “%s”…"), pc->partition.name);

  if (pc->boots)
    /* Translators: a partition: offset, size, what it holds; it is the one that starts */
    subtitle = g_strdup_printf (_("0x%x · %s · %s · starts"), pc->partition.offset, size, what);
  else
    subtitle = g_strdup_printf ("0x%x · %s · %s", pc->partition.offset, size, what);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), pc->partition.name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_name (row, pc->partition.name);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             partition_button ("document-save-symbolic", save_tip,
                                               "board.save-partition", pc->partition.name));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             partition_button ("user-trash-symbolic", erase_tip,
                                               "board.erase-partition", pc->partition.name));
  return row;
}

/* The partitions Detect read, each with its app and actions; or what
 * the flash holds instead (blank, foreign, not readable). */
static void
show_contents (GlintBoardPage *self)
{
  const GlintBoardContents *contents = self->board_info != NULL ?
                                       self->board_info->contents : NULL;
  g_autofree char *summary = NULL;

  clear_contents (self);
  if (contents == NULL)
    return;

  summary = glint_board_contents_summary (contents);
  summary[0] = g_ascii_toupper (summary[0]);   /* a sentence here, a line in the CLI */
  adw_preferences_group_set_description (self->contents_group, summary);
  gtk_widget_set_visible (GTK_WIDGET (self->contents_group), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->contents_list),
                          contents->state == GLINT_CONTENTS_PARTITIONS);
  for (guint i = 0; contents->state == GLINT_CONTENTS_PARTITIONS &&
       i < contents->partitions->len; i++)
    gtk_list_box_append (self->contents_list,
                         partition_row_new (&g_array_index (contents->partitions,
                                                            GlintPartitionContents, i)));
}

/* A partition job ended (called from its callback). Its port is let go
 * of now, not when the job's last reference goes after the callback: the
 * Detect an erase starts, or anything the user starts next, opens it. */
static void
job_done (GlintBoardPage *self)
{
  g_clear_object (&self->job_cancellable);
  if (self->job_flasher != NULL)
    glint_flasher_close_stream (self->job_flasher);
  g_clear_object (&self->job_flasher);
  gtk_spinner_stop (self->detect_spinner);
  glint_wizard_page_set_applying (GLINT_WIZARD_PAGE (self), FALSE);
}

static GlintFlasher *
job_start (GlintBoardPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStream) stream = NULL;

  if (self->job_cancellable != NULL || self->detect_cancellable != NULL)
    return NULL;
  stream = glint_stream_new_for_address (board_address (self), &error);
  if (stream == NULL)
    {
      show_detect_error (self, error);
      return NULL;
    }
  self->job_flasher = glint_flasher_new (stream);
  self->job_cancellable = g_cancellable_new ();
  gtk_spinner_start (self->detect_spinner);
  glint_wizard_page_set_applying (GLINT_WIZARD_PAGE (self), TRUE);
  return self->job_flasher;
}

static void
erase_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GlintBoardPage) self = user_data;
  g_autoptr(GError) error = NULL;
  const char *name = g_object_get_data (object, "glint-partition");
  g_autofree char *text = NULL;

  if (!glint_flasher_erase_finish (GLINT_FLASHER (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error == NULL)
    text = g_strdup_printf (_("Erased “%s”"), name);
  job_done (self);
  if (error != NULL)
    {
      show_detect_error (self, error);
      return;
    }
  toast (self, text);
  /* what the board holds now */
  glint_board_page_detect (self);
}

/**
 * glint_board_page_erase_partition:
 * @self: a #GlintBoardPage
 * @name: a partition Detect found
 *
 * Erases the partition, without asking (the row's action asks first).
 */
void
glint_board_page_erase_partition (GlintBoardPage *self,
                                  const char     *name)
{
  const GlintPartitionContents *pc;
  GlintFlasher *flasher;
  guint32 length;

  g_return_if_fail (GLINT_IS_BOARD_PAGE (self));

  if (self->board_info == NULL || self->board_info->contents == NULL ||
      (pc = glint_board_contents_lookup (self->board_info->contents, name)) == NULL)
    return;
  length = (pc->partition.size + 0xFFF) & ~(guint32) 0xFFF;
  flasher = job_start (self);
  if (flasher == NULL)
    return;
  g_object_set_data_full (G_OBJECT (flasher), "glint-partition", g_strdup (name), g_free);
  adw_action_row_set_subtitle (self->detect_row, _("Erasing…"));
  glint_flasher_erase_async (flasher, pc->partition.offset, length, self->job_cancellable,
                             erase_cb, g_object_ref (self));
}

static void
on_erase_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      GlintBoardPage   *self)
{
  const char *name = g_object_get_data (G_OBJECT (dialog), "glint-partition");

  if (self->erase_dialog == dialog)
    self->erase_dialog = NULL;
  if (g_str_equal (response, "erase"))
    glint_board_page_erase_partition (self, name);
}

static void
on_erase_dialog_destroy_cb (GlintBoardPage *self,
                            GtkWidget      *dialog)
{
  if (self->erase_dialog == ADW_MESSAGE_DIALOG (dialog))
    self->erase_dialog = NULL;
}

static void
erase_partition_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  GlintBoardPage *self = GLINT_BOARD_PAGE (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  const GlintPartitionContents *pc;
  g_autofree char *heading = NULL;
  g_autofree char *loss = NULL;
  g_autofree char *body = NULL;
  g_autofree char *size = NULL;
  GtkWidget *dialog;

  if (self->board_info == NULL || self->board_info->contents == NULL ||
      (pc = glint_board_contents_lookup (self->board_info->contents, name)) == NULL ||
      self->erase_dialog != NULL)
    return;

  loss = glint_board_contents_describe_loss (self->board_info->contents, pc);
  size = g_format_size_full (pc->partition.size, G_FORMAT_SIZE_IEC_UNITS);
  heading = g_strdup_printf (_("Erase “%s”?"), name);
  /* Translators: size and offset of a partition, then what erasing it loses */
  body = g_strdup_printf (_("This erases %s at 0x%x and loses %s."), size, pc->partition.offset,
                          loss);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "erase", _("_Erase"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "erase",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "glint-partition", g_strdup (name), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_erase_response_cb), self, 0);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (on_erase_dialog_destroy_cb), self,
                           G_CONNECT_SWAPPED);
  self->erase_dialog = ADW_MESSAGE_DIALOG (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GlintBoardPage) self = user_data;
  g_autoptr(GError) error = NULL;
  const char *path = g_object_get_data (object, "glint-path");
  g_autofree char *text = NULL;
  g_autofree char *subtitle = NULL;

  if (!glint_flasher_read_flash_finish (GLINT_FLASHER (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error == NULL)
    text = g_strdup_printf (_("Saved to %s"), path);
  job_done (self);
  if (self->board_info != NULL)
    adw_action_row_set_subtitle (self->detect_row, subtitle = describe_board (self->board_info));
  if (error != NULL)
    {
      show_detect_error (self, error);
      return;
    }
  toast (self, text);
}

/**
 * glint_board_page_save_partition:
 * @self: a #GlintBoardPage
 * @name: a partition Detect found
 * @path: the file to save it to
 *
 * Reads the partition into @path (checked against the chip's MD5).
 */
void
glint_board_page_save_partition (GlintBoardPage *self,
                                 const char     *name,
                                 const char     *path)
{
  const GlintPartitionContents *pc;
  GlintFlasher *flasher;

  g_return_if_fail (GLINT_IS_BOARD_PAGE (self));

  if (self->board_info == NULL || self->board_info->contents == NULL ||
      (pc = glint_board_contents_lookup (self->board_info->contents, name)) == NULL)
    return;
  flasher = job_start (self);
  if (flasher == NULL)
    return;
  g_object_set_data_full (G_OBJECT (flasher), "glint-path", g_strdup (path), g_free);
  adw_action_row_set_subtitle (self->detect_row, _("Reading…"));
  glint_flasher_read_flash_async (flasher, pc->partition.offset, pc->partition.size, path,
                                  self->job_cancellable, save_cb, g_object_ref (self));
}

static void
save_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  g_autoptr(GlintBoardPage) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      const char *name = g_object_get_data (G_OBJECT (dialog), "glint-partition");

      if (path != NULL)
        glint_board_page_save_partition (self, name, path);
    }
  g_object_unref (dialog);
}

static void
save_partition_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  GlintBoardPage *self = GLINT_BOARD_PAGE (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  g_autofree char *file_name = g_strdup_printf ("%s.bin", name);
  GtkFileChooserNative *chooser;

  if (self->job_cancellable != NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Save Partition"),
                                         GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), file_name);
  g_object_set_data_full (G_OBJECT (chooser), "glint-partition", g_strdup (name), g_free);
  g_signal_connect (chooser, "response", G_CALLBACK (save_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/**
 * glint_board_page_set_demo_address:
 * @self: a #GlintBoardPage
 * @address: the window's Demo board (GLINT_DEMO_ADDRESS with its board=)
 *
 * Detect reads the Demo board the window flashes.
 */
void
glint_board_page_set_demo_address (GlintBoardPage *self,
                                   const char     *address)
{
  g_return_if_fail (GLINT_IS_BOARD_PAGE (self));

  g_free (self->demo_address);
  self->demo_address = g_strdup (address);
}

/**
 * _glint_board_page_get_erase_dialog:
 * @self: a #GlintBoardPage
 *
 * Returns: (nullable): the confirmation an erase action shows (for tests)
 */
AdwMessageDialog *
_glint_board_page_get_erase_dialog (GlintBoardPage *self)
{
  g_return_val_if_fail (GLINT_IS_BOARD_PAGE (self), NULL);

  return self->erase_dialog;
}

/* Detect */

static void
show_detect_error (GlintBoardPage *self,
                   const GError *error)
{
  g_autofree char *subtitle = NULL;
  g_autofree char *text = NULL;
  const char *hint;

  if (g_error_matches (error, GLINT_ERROR, GLINT_ERROR_PERMISSION_DENIED))
    {
      g_signal_emit (self, signals[SIGNAL_PERMISSION_DENIED], 0);
      return;
    }

  /* The cause, then what to do: the row keeps both (it is markup). */
  hint = glint_error_get_hint (error);
  subtitle = g_markup_printf_escaped ("%s\n%s", error->message, hint != NULL ? hint : "");
  adw_action_row_set_subtitle (self->detect_row, g_strchomp (subtitle));
  /* Translators: why Detect failed, like "Detect failed: the board did not
   * answer" (a toast: markup) */
  text = g_markup_printf_escaped (_("Detect failed: %s"), error->message);
  toast (self, text);
}

/* The Board Details row: the chip as esptool describes it, the MAC, the
 * security state and, up front, what a secure or encrypted chip means
 * for flashing (the subtitle is markup). */
static char *
describe_board (const GlintBoardInfo *info)
{
  g_autofree char *chip = glint_board_info_describe_chip (info);
  g_autofree char *mac = glint_board_info_format_mac (info);
  g_autofree char *security = glint_board_info_describe_security (info);
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree char *line = NULL;

  if (glint_board_info_get_secure_download (info))
    line = g_strdup (chip);
  else
    /* Translators: the chip's description, then its MAC address */
    line = g_strdup_printf (_("%s · MAC %s"), chip, mac);
  g_string_append (s, line);
  g_clear_pointer (&line, g_free);

  /* Translators: what secure boot, flash encryption, … are set to */
  line = g_strdup_printf (_("Security: %s"), security);
  g_string_append_printf (s, "\n%s", line);

  if (glint_board_info_get_secure_download (info))
    g_string_append_printf (s, "\n%s", _("Secure download mode: the chip refuses the flasher "
                                         "stub, flash reads and checks. Glint can write, but "
                                         "not verify."));
  if (glint_board_info_get_flash_encrypted (info))
    g_string_append_printf (s, "\n%s", _("Flash encryption is on: plaintext images will not "
                                         "run."));

  return g_markup_escape_text (s->str, -1);
}

static void
info_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GlintBoardPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintBoardInfo) info = glint_flasher_info_finish (GLINT_FLASHER (object),
                                                               result, &error);
  g_autofree char *subtitle = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->detect_cancellable);
  /* the port is free for whatever comes next, as after a partition job */
  glint_flasher_close_stream (GLINT_FLASHER (object));
  g_clear_object (&self->detect_flasher);
  gtk_spinner_stop (self->detect_spinner);

  if (info == NULL)
    {
      glint_wizard_page_set_applying (GLINT_WIZARD_PAGE (self), FALSE);
      show_detect_error (self, error);
      return;
    }

  adw_action_row_set_subtitle (self->detect_row, subtitle = describe_board (info));

  g_clear_pointer (&self->board_info, glint_board_info_free);
  self->board_info = g_steal_pointer (&info);
  show_contents (self);
  /* last: whoever waits for Detect to end finds what it found */
  glint_wizard_page_set_applying (GLINT_WIZARD_PAGE (self), FALSE);
}

/**
 * glint_board_page_detect:
 * @self: a #GlintBoardPage
 *
 * Reads chip, MAC and crystal of the chosen board; the page is applying
 * meanwhile.
 */
void
glint_board_page_detect (GlintBoardPage *self)
{
  g_return_if_fail (GLINT_IS_BOARD_PAGE (self));

  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStream) stream = NULL;

  if (self->address == NULL || self->detect_cancellable != NULL)
    return;

  stream = glint_stream_new_for_address (board_address (self), &error);
  if (stream == NULL)
    {
      show_detect_error (self, error);
      return;
    }

  self->detect_flasher = glint_flasher_new (stream);
  glint_flasher_set_read_contents (self->detect_flasher, TRUE);
  self->detect_cancellable = g_cancellable_new ();
  adw_action_row_set_subtitle (self->detect_row, _("Talking to the board…"));
  gtk_spinner_start (self->detect_spinner);
  glint_wizard_page_set_applying (GLINT_WIZARD_PAGE (self), TRUE);

  glint_flasher_info_async (self->detect_flasher, self->detect_cancellable,
                            info_cb, g_object_ref (self));
}

static void
glint_board_page_init (GlintBoardPage *self)
{
  g_autofree char *last = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = g_settings_new (GLINT_SETTINGS_SCHEMA);
  last = g_settings_get_string (self->settings, "last-address");

  self->port_monitor = glint_port_monitor_new ();
  g_signal_connect_object (self->port_monitor, "notify::ports",
                           G_CALLBACK (on_ports_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->port_monitor, "notify::missing",
                           G_CALLBACK (on_ports_changed_cb), self, G_CONNECT_SWAPPED);

  self->network_placeholder = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->network_placeholder), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->network_placeholder), "dim-label");
  gtk_list_box_set_placeholder (self->network_list, GTK_WIDGET (self->network_placeholder));
  self->network_browser = glint_network_browser_new ();
  g_signal_connect_object (self->network_browser, "notify::boards",
                           G_CALLBACK (on_network_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->network_browser, "notify::unavailable",
                           G_CALLBACK (on_network_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->network_browser, "notify::settled",
                           G_CALLBACK (on_network_changed_cb), self, G_CONNECT_SWAPPED);
  on_network_changed_cb (self);

  g_signal_connect_object (self->settings, "changed::recent-urls",
                           G_CALLBACK (on_recent_urls_changed_cb), self, G_CONNECT_SWAPPED);
  on_recent_urls_changed_cb (self);

  {
    GtkWidget *placeholder = adw_action_row_new ();

    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (placeholder), _("No boards found"));
    adw_action_row_set_subtitle (ADW_ACTION_ROW (placeholder),
                                 _("Some boards need a data cable, not just a charging one"));
    gtk_widget_add_css_class (placeholder, "dim-label");
    gtk_list_box_set_placeholder (self->ports_list, placeholder);
  }

  if (last[0] != '\0')
    {
      if (g_str_has_prefix (last, "sim://") && !g_str_equal (last, GLINT_DEMO_ADDRESS))
        ; /* test boards are not remembered */
      else
        glint_board_page_select (self, last);
    }
}

static void
glint_board_page_dispose (GObject *object)
{
  GlintBoardPage *self = GLINT_BOARD_PAGE (object);

  g_clear_object (&self->port_monitor);
  g_clear_object (&self->network_browser);
  g_cancellable_cancel (self->detect_cancellable);
  g_clear_object (&self->detect_cancellable);
  g_clear_object (&self->detect_flasher);
  g_cancellable_cancel (self->job_cancellable);
  g_clear_object (&self->job_cancellable);
  g_clear_object (&self->job_flasher);
  if (self->erase_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->erase_dialog));
  g_clear_object (&self->settings);
  /* Let AdwBin drop its child first: the template owns it until then. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), GLINT_TYPE_BOARD_PAGE);

  G_OBJECT_CLASS (glint_board_page_parent_class)->dispose (object);
}

static void
glint_board_page_finalize (GObject *object)
{
  GlintBoardPage *self = GLINT_BOARD_PAGE (object);

  g_clear_pointer (&self->board_info, glint_board_info_free);
  g_free (self->demo_address);
  g_free (self->address);
  g_free (self->ports_signature);
  g_free (self->wanted_port);

  G_OBJECT_CLASS (glint_board_page_parent_class)->finalize (object);
}

static void
glint_board_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  GlintBoardPage *self = GLINT_BOARD_PAGE (object);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_board_page_class_init (GlintBoardPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = glint_board_page_dispose;
  object_class->finalize = glint_board_page_finalize;
  object_class->get_property = glint_board_page_get_property;

  /**
   * GlintBoardPage:address:
   *
   * The chosen board: a port, a URL or a `sim://` address; %NULL if none.
   */
  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * GlintBoardPage::permission-denied:
   *
   * The chosen port may not be opened (Detect found out).
   */
  signals[SIGNAL_PERMISSION_DENIED] =
    g_signal_new ("permission-denied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/glintapp/Glint/glint-board-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GlintBoardPage, contents_group);
  gtk_widget_class_bind_template_child (widget_class, GlintBoardPage, contents_list);
  gtk_widget_class_bind_template_child (widget_class, GlintBoardPage, demo_check);
  gtk_widget_class_bind_template_child (widget_class, GlintBoardPage, detect_button);
  gtk_widget_class_bind_template_child (widget_class, GlintBoardPage, detect_row);
  gtk_widget_class_bind_template_child (widget_class, GlintBoardPage, detect_spinner);
  gtk_widget_class_bind_template_child (widget_class, GlintBoardPage, network_list);
  gtk_widget_class_bind_template_child (widget_class, GlintBoardPage, ports_list);
  gtk_widget_class_bind_template_child (widget_class, GlintBoardPage, recent_button);
  gtk_widget_class_bind_template_child (widget_class, GlintBoardPage, remote_check);
  gtk_widget_class_bind_template_child (widget_class, GlintBoardPage, remote_error_label);
  gtk_widget_class_bind_template_child (widget_class, GlintBoardPage, remote_row);
  gtk_widget_class_bind_template_callback (widget_class, on_board_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_remote_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_remote_changed_cb);

  gtk_widget_class_install_action (widget_class, "board.erase-partition", "s",
                                   erase_partition_action);
  gtk_widget_class_install_action (widget_class, "board.save-partition", "s",
                                   save_partition_action);
}

const char *
glint_board_page_get_address (GlintBoardPage *self)
{
  g_return_val_if_fail (GLINT_IS_BOARD_PAGE (self), NULL);

  return self->address;
}

/**
 * glint_board_page_get_board_info:
 * @self: a #GlintBoardPage
 *
 * Returns: (nullable): what Detect found out about the chosen board
 */
GlintBoardInfo *
glint_board_page_get_board_info (GlintBoardPage *self)
{
  g_return_val_if_fail (GLINT_IS_BOARD_PAGE (self), NULL);

  return self->board_info;
}

/**
 * glint_board_page_cancel_detect:
 * @self: a #GlintBoardPage
 *
 * Stops Detect, which holds the port (a flash is about to start).
 */
void
glint_board_page_cancel_detect (GlintBoardPage *self)
{
  g_return_if_fail (GLINT_IS_BOARD_PAGE (self));

  g_cancellable_cancel (self->detect_cancellable);
  g_clear_object (&self->detect_cancellable);
  g_clear_object (&self->detect_flasher);
  gtk_spinner_stop (self->detect_spinner);
  glint_wizard_page_set_applying (GLINT_WIZARD_PAGE (self), FALSE);
}

/**
 * glint_board_page_refresh_ports:
 * @self: a #GlintBoardPage
 *
 * Lists the ports again (the window got the focus back).
 */
void
glint_board_page_refresh_ports (GlintBoardPage *self)
{
  g_return_if_fail (GLINT_IS_BOARD_PAGE (self));

  glint_port_monitor_refresh (self->port_monitor);
}

/**
 * glint_board_page_remember:
 * @self: a #GlintBoardPage
 *
 * What to choose next time (a flash starts with this board).
 */
void
glint_board_page_remember (GlintBoardPage *self)
{
  g_return_if_fail (GLINT_IS_BOARD_PAGE (self));

  if (self->address != NULL)
    remember_address (self);
}

GlintPortMonitor *
_glint_board_page_get_port_monitor (GlintBoardPage *self)
{
  g_return_val_if_fail (GLINT_IS_BOARD_PAGE (self), NULL);

  return self->port_monitor;
}
