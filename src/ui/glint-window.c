/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "glint-batch-window.h"
#include "glint-stream-address.h"
#include "glint-window-private.h"

/* The wizard: a GtkStack of pages with our own Back/Next buttons in the
 * header bar, as gnome-initial-setup does it. The pages live in one
 * template; their code is split into glint-window-{board,firmware,flash}.c. */


G_DEFINE_FINAL_TYPE (GlintWindow, glint_window, ADW_TYPE_APPLICATION_WINDOW)

static void update_actions (GlintWindow *self,
                            const char  *page);

void
_glint_window_toast (GlintWindow *self,
                     const char  *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

const char *
_glint_window_get_page (GlintWindow *self)
{
  g_return_val_if_fail (GLINT_IS_WINDOW (self), NULL);

  return glint_wizard_get_page_name (self->wizard);
}

void
_glint_window_go_to (GlintWindow *self,
                     const char  *page)
{
  /* Leaving the monitor lets go of the port; so does leaving the Wi-Fi
   * set-up (Done asks the board, Wi-Fi talks to it). */
  if (g_strcmp0 (page, "monitor") != 0)
    glint_monitor_page_stop (self->monitor_page);
  if (g_strcmp0 (page, "done") != 0 && g_strcmp0 (page, "wifi") != 0)
    _glint_window_stop_wifi (self);

  /* The Flashing page comes without a transition: a slide (or a fade)
   * draws both pages on every frame just while the flash starts, 30 ms of
   * CPU a frame in software rendering against 3-6 ms for the page alone
   * (tests/test-window.c measures it). */
  /* The actions first: the page, once shown, puts the focus on a button
   * that one of them drives. */
  update_actions (self, page);
  glint_wizard_set_page (self->wizard, page, g_strcmp0 (page, "flash") != 0);
}

/* What Next, Back, Detect and Cancel may do now. The wizard shows the
 * buttons as the pages say; the actions also know about the board. */
static void
update_actions (GlintWindow *self,
                const char  *page)
{
  GtkWidget *page_widget = gtk_stack_get_child_by_name (glint_wizard_get_stack (self->wizard),
                                                        page != NULL ? page : "");
  gboolean on_board = g_strcmp0 (page, "board") == 0;
  gboolean on_firmware = g_strcmp0 (page, "firmware") == 0;
  gboolean can_next = FALSE;
  gboolean can_back;

  if (on_board)
    can_next = glint_wizard_page_get_complete (GLINT_WIZARD_PAGE (self->board_page));
  else if (on_firmware)
    can_next = glint_wizard_page_get_complete (GLINT_WIZARD_PAGE (self->firmware_page)) &&
               self->address != NULL;
  can_back = GLINT_IS_WIZARD_PAGE (page_widget) &&
             glint_wizard_page_get_can_go_back (GLINT_WIZARD_PAGE (page_widget));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.next", can_next);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", can_back);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.detect",
                                 on_board && self->address != NULL &&
                                 !glint_wizard_page_get_applying (GLINT_WIZARD_PAGE (self->board_page)));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel",
                                 self->flash_cancellable != NULL);
}

void
_glint_window_update_buttons (GlintWindow *self)
{
  update_actions (self, _glint_window_get_page (self));
}

/* The board page chose a board (or lost it). */
static void
on_address_changed_cb (GlintWindow *self)
{
  /* What earlier attempts left in the flash was about another board. */
  if (g_strcmp0 (self->address, glint_board_page_get_address (self->board_page)) != 0)
    _glint_window_forget_regions (self);
  g_free (self->address);
  self->address = g_strdup (glint_board_page_get_address (self->board_page));
  glint_firmware_page_set_has_board (self->firmware_page, self->address != NULL);
  {
    g_autofree char *sample = glint_flash_plan_find_sample ();

    glint_firmware_page_set_offer_sample (self->firmware_page,
                                          sample != NULL &&
                                          g_strcmp0 (self->address, GLINT_DEMO_ADDRESS) == 0);
  }
  _glint_window_update_buttons (self);
}

static void
on_is_active_cb (GlintWindow *self)
{
  /* Cheap insurance for a change the port monitor could not see. */
  if (gtk_window_is_active (GTK_WINDOW (self)))
    glint_board_page_refresh_ports (self->board_page);
}

void
_glint_window_select_board (GlintWindow *self,
                            const char  *address)
{
  glint_board_page_select (self->board_page, address);
}

void
_glint_window_show_permission_page (GlintWindow *self)
{
  /* the group to join is the one that owns this port */
  glint_permission_page_set_port (self->permission_page,
                                  self->address != NULL && strstr (self->address, "://") == NULL ?
                                  self->address : NULL);
  glint_permission_page_set_sandboxed (self->permission_page,
                                       g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS));
  _glint_window_go_to (self, "permission");
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GlintWindow *self = GLINT_WINDOW (widget);
  const char *page = _glint_window_get_page (self);

  if (g_strcmp0 (page, "firmware") == 0 || g_strcmp0 (page, "permission") == 0)
    _glint_window_go_to (self, "board");
  else if (g_strcmp0 (page, "failed") == 0)
    _glint_window_go_to (self, "firmware");
  else if (g_strcmp0 (page, "monitor") == 0)
    {
      glint_monitor_page_stop (self->monitor_page);
      _glint_window_go_to (self, "done");
    }
  else if (g_strcmp0 (page, "wifi") == 0)
    _glint_window_go_to (self, self->wifi_return != NULL ? self->wifi_return : "board");
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GlintWindow *self = GLINT_WINDOW (widget);
  const char *page = _glint_window_get_page (self);

  if (g_strcmp0 (page, "board") == 0 &&
      glint_wizard_page_get_complete (GLINT_WIZARD_PAGE (self->board_page)))
    _glint_window_go_to (self, "firmware");
  else if (g_strcmp0 (page, "firmware") == 0 &&
           glint_wizard_page_get_complete (GLINT_WIZARD_PAGE (self->firmware_page)) &&
           self->address != NULL)
    _glint_window_start_flash (self);
}

/* Escape: one step back, or (while flashing) cancel after asking. */
static void
escape_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  GlintWindow *self = GLINT_WINDOW (widget);
  const char *page = _glint_window_get_page (self);

  if (g_strcmp0 (page, "flash") == 0)
    _glint_window_cancel_flash (self, TRUE);
  else
    back_action (widget, NULL, NULL);
}

static void
detect_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  glint_board_page_detect (GLINT_WINDOW (widget)->board_page);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  _glint_window_choose_firmware (GLINT_WINDOW (widget));
}

/* "Flash Several Boards": its own window, with the firmware chosen here
 * (if any), so that this one stays free for single boards. */
static void
flash_several_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  GlintWindow *self = GLINT_WINDOW (widget);
  GlintFlashPlan *plan = glint_firmware_page_get_plan (self->firmware_page);
  g_autofree char *name = NULL;
  GlintBatchWindow *batch;

  if (plan != NULL && glint_flash_plan_get_n_regions (plan) > 0)
    {
      const char *path = glint_flash_plan_get_region_path (plan, 0);

      if (glint_flash_plan_get_n_regions (plan) > 1)
        name = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u file", "%u files",
                                             glint_flash_plan_get_n_regions (plan)),
                                glint_flash_plan_get_n_regions (plan));
      else if (path != NULL)
        name = g_path_get_basename (path);
      else
        name = g_strdup (glint_flash_plan_get_region_name (plan, 0));
    }
  else
    {
      plan = NULL;
    }

  batch = glint_batch_window_new (GTK_WINDOW (self), plan, name);
  gtk_window_present (GTK_WINDOW (batch));
}

static void
open_link_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  _glint_window_ask_link (GLINT_WINDOW (widget));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  _glint_window_cancel_flash (GLINT_WINDOW (widget), TRUE);
}

/* From the Failed page: the same board, other firmware (or other
 * settings: they are on the Firmware page). */
static void
choose_another_firmware_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  _glint_window_go_to (GLINT_WINDOW (widget), "firmware");
}

static void
flash_another_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  _glint_window_go_to (GLINT_WINDOW (widget), "board");
}

static void
show_backup_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GlintWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!gtk_show_uri_full_finish (GTK_WINDOW (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = NULL;

      /* Translators: the path of the backup file */
      text = g_strdup_printf (_("Could not open the folder; the backup is %s"),
                              self->backup_path != NULL ? self->backup_path : "");
      _glint_window_toast (self, text);
    }
}

/* The folder that holds the backup, in the file manager. */
static void
show_backup_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  GlintWindow *self = GLINT_WINDOW (widget);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *uri = NULL;

  if (self->backup_path == NULL)
    return;

  file = g_file_new_for_path (self->backup_path);
  folder = g_file_get_parent (file);
  uri = g_file_get_uri (folder);
  gtk_show_uri_full (GTK_WINDOW (self), uri, GDK_CURRENT_TIME, NULL, show_backup_cb,
                     g_object_ref (self));
}

static void
try_again_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  GlintWindow *self = GLINT_WINDOW (widget);

  if (glint_firmware_page_get_plan (self->firmware_page) != NULL && self->address != NULL)
    _glint_window_start_flash (self);
  else
    _glint_window_go_to (self, "board");
}

static void
monitor_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  GlintWindow *self = GLINT_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStream) stream = NULL;

  if (glint_monitor_page_is_running (self->monitor_page) || self->address == NULL)
    return;

  /* Take the stream over from the flasher: dropping the flasher cancels
   * its loader's read, and the board keeps running. */
  if (self->flasher != NULL)
    {
      stream = g_object_ref (glint_flasher_get_stream (self->flasher));
      g_clear_object (&self->flasher);
    }
  else
    {
      stream = glint_stream_new_for_address (self->address, &error);
      if (stream == NULL)
        {
          _glint_window_toast (self, error->message);
          return;
        }
    }

  _glint_window_go_to (self, "monitor");
  glint_monitor_page_start (self->monitor_page, stream);
}

static void
wifi_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  _glint_window_wifi (GLINT_WINDOW (widget));
}

static void
monitor_reset_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  glint_monitor_page_reset (GLINT_WINDOW (widget)->monitor_page);
}

static void
monitor_clear_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  glint_monitor_page_clear (GLINT_WINDOW (widget)->monitor_page);
}

static void
copy_log_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  _glint_window_copy_log (GLINT_WINDOW (widget));
}

static void
copy_command_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  GlintWindow *self = GLINT_WINDOW (widget);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget),
                          glint_permission_page_get_command (self->permission_page));
  _glint_window_toast (self, _("Command copied"));
}

static void
select_board_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  glint_board_page_select (GLINT_WINDOW (widget)->board_page,
                           g_variant_get_string (parameter, NULL));
}

static void
load_firmware_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  GlintWindow *self = GLINT_WINDOW (widget);

  _glint_window_load_firmware (self, g_variant_get_string (parameter, NULL));
  if (g_strcmp0 (_glint_window_get_page (self), "board") == 0 ||
      g_strcmp0 (_glint_window_get_page (self), "done") == 0)
    _glint_window_go_to (self, "firmware");
}

/* The backup the last flash made, back where it came from: it becomes the
 * firmware (its name says chip, MAC and offset), and Flash puts it back. */
static void
restore_backup_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  GlintWindow *self = GLINT_WINDOW (widget);

  if (self->backup_path == NULL || self->flash_cancellable != NULL)
    return;
  _glint_window_load_firmware (self, self->backup_path);
  _glint_window_go_to (self, "firmware");
}

/* The sample firmware for the Demo board: its manifest has a build for
 * every chip, and the one for the board's is flashed. */
static void
load_sample_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  GlintWindow *self = GLINT_WINDOW (widget);
  g_autofree char *sample = glint_flash_plan_find_sample ();

  if (sample == NULL)
    {
      _glint_window_toast (self, _("The sample firmware is not installed: reinstall Glint, "
                                   "or choose a firmware file"));
      return;
    }
  _glint_window_load_firmware (self, sample);
}

/**
 * glint_window_open_firmware:
 * @self: a #GlintWindow
 * @file: a firmware file, build folder or manifest
 *
 * Loads @file and shows the Firmware page (used for "Open With").
 */
void
glint_window_open_firmware (GlintWindow *self,
                            GFile       *file)
{
  g_autofree char *path = NULL;

  g_return_if_fail (GLINT_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->flash_cancellable != NULL)
    {
      _glint_window_toast (self, _("Wait until flashing has finished"));
      return;
    }

  path = g_file_get_path (file);
  if (path == NULL && (g_file_has_uri_scheme (file, "https") ||
                       g_file_has_uri_scheme (file, "http")))
    path = g_file_get_uri (file);   /* a web installer's manifest */
  if (path == NULL)
    {
      _glint_window_toast (self, _("Only local files and web links can be flashed"));
      return;
    }

  _glint_window_load_firmware (self, path);
  _glint_window_go_to (self, "firmware");

  /* Opened from the file manager before any board was chosen. */
  if (self->address == NULL)
    _glint_window_toast (self, _("Go back to choose the board to flash"));
}

/* A web installer's name and version above every page while it is the
 * firmware. */
static void
on_firmware_complete_cb (GlintWindow *self)
{
  glint_wizard_set_title (self->wizard, glint_firmware_page_get_web_title (self->firmware_page));
}

static gboolean
glint_window_close_request (GtkWindow *window)
{
  GlintWindow *self = GLINT_WINDOW (window);

  /* Closing mid-flash would leave a half-written board: ask first. */
  if (self->flash_cancellable != NULL)
    {
      _glint_window_cancel_flash (self, TRUE);
      return TRUE;
    }

  return GTK_WINDOW_CLASS (glint_window_parent_class)->close_request (window);
}

static void
glint_window_dispose (GObject *object)
{
  GlintWindow *self = GLINT_WINDOW (object);

  /* Both may point into the wizard, which goes first; and its pages
   * going away must not set them again. */
  if (self->wizard != NULL)
    g_signal_handlers_disconnect_by_data (glint_wizard_get_stack (self->wizard), self);
  gtk_window_set_default_widget (GTK_WINDOW (self), NULL);
  gtk_window_set_focus (GTK_WINDOW (self), NULL);

  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->backup_path, g_free);
  if (self->link_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->link_dialog));
  glint_monitor_page_stop (self->monitor_page);
  _glint_window_stop_wifi (self);
  _glint_window_flash_dispose (self);
  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), GLINT_TYPE_WINDOW);

  G_OBJECT_CLASS (glint_window_parent_class)->dispose (object);
}

static void
glint_window_class_init (GlintWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = glint_window_dispose;
  window_class->close_request = glint_window_close_request;

  g_type_ensure (GLINT_TYPE_WIZARD);
  g_type_ensure (GLINT_TYPE_BOARD_PAGE);
  g_type_ensure (GLINT_TYPE_DONE_PAGE);
  g_type_ensure (GLINT_TYPE_FAILED_PAGE);
  g_type_ensure (GLINT_TYPE_FIRMWARE_PAGE);
  g_type_ensure (GLINT_TYPE_FLASH_PAGE);
  g_type_ensure (GLINT_TYPE_MONITOR_PAGE);
  g_type_ensure (GLINT_TYPE_PERMISSION_PAGE);
  g_type_ensure (GLINT_TYPE_WIFI_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/glintapp/Glint/glint-window.ui");
  gtk_widget_class_bind_template_child (widget_class, GlintWindow, board_page);
  gtk_widget_class_bind_template_child (widget_class, GlintWindow, done_page);
  gtk_widget_class_bind_template_child (widget_class, GlintWindow, failed_page);
  gtk_widget_class_bind_template_child (widget_class, GlintWindow, firmware_page);
  gtk_widget_class_bind_template_child (widget_class, GlintWindow, flash_page);
  gtk_widget_class_bind_template_child (widget_class, GlintWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, GlintWindow, monitor_page);
  gtk_widget_class_bind_template_child (widget_class, GlintWindow, wifi_page);
  gtk_widget_class_bind_template_child (widget_class, GlintWindow, permission_page);
  gtk_widget_class_bind_template_child (widget_class, GlintWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, GlintWindow, wizard);

  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "win.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "win.escape", NULL, escape_action);
  gtk_widget_class_install_action (widget_class, "win.detect", NULL, detect_action);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-link", NULL, open_link_action);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "win.flash-several", NULL,
                                   flash_several_action);
  gtk_widget_class_install_action (widget_class, "win.flash-another", NULL,
                                   flash_another_action);
  gtk_widget_class_install_action (widget_class, "win.try-again", NULL, try_again_action);
  gtk_widget_class_install_action (widget_class, "win.choose-another-firmware", NULL,
                                   choose_another_firmware_action);
  gtk_widget_class_install_action (widget_class, "win.show-backup", NULL, show_backup_action);
  gtk_widget_class_install_action (widget_class, "win.copy-log", NULL, copy_log_action);
  gtk_widget_class_install_action (widget_class, "win.monitor", NULL, monitor_action);
  gtk_widget_class_install_action (widget_class, "win.wifi", NULL, wifi_action);
  gtk_widget_class_install_action (widget_class, "win.monitor-reset", NULL,
                                   monitor_reset_action);
  gtk_widget_class_install_action (widget_class, "win.monitor-clear", NULL,
                                   monitor_clear_action);
  gtk_widget_class_install_action (widget_class, "win.copy-command", NULL,
                                   copy_command_action);
  gtk_widget_class_install_action (widget_class, "win.select-board", "s",
                                   select_board_action);
  gtk_widget_class_install_action (widget_class, "win.load-firmware", "s",
                                   load_firmware_action);
  gtk_widget_class_install_action (widget_class, "win.load-sample", NULL, load_sample_action);
  gtk_widget_class_install_action (widget_class, "win.restore-backup", NULL,
                                   restore_backup_action);

}

static void
glint_window_init (GlintWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Escape: in the capture phase, because a class binding (bubble) never
   * sees it: a widget on the way up takes it. Popovers and dialogs are
   * windows of their own and keep their Escape. The other shortcuts are
   * the application's (glint-application.c). */
  {
    GtkEventController *shortcuts = gtk_shortcut_controller_new ();

    gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                            gtk_named_action_new ("win.escape")));
    gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
  }

  self->log = g_string_new (NULL);
  glint_board_page_set_demo_address (self->board_page, _glint_window_demo_address (self));

  self->settings = g_settings_new (GLINT_SETTINGS_SCHEMA);
  g_settings_bind (self->settings, "window-width", self, "default-width",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized",
                   G_SETTINGS_BIND_DEFAULT);

  glint_wizard_pack_end (self->wizard, GTK_WIDGET (self->menu_button));
  g_signal_connect_object (glint_wizard_get_stack (self->wizard), "notify::visible-child",
                           G_CALLBACK (_glint_window_update_buttons), self, G_CONNECT_SWAPPED);

  _glint_window_firmware_init (self);
  _glint_window_wifi_init (self);
  g_signal_connect_object (self->board_page, "notify::address",
                           G_CALLBACK (on_address_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->firmware_page, "notify::complete",
                           G_CALLBACK (_glint_window_update_buttons), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->firmware_page, "notify::complete",
                           G_CALLBACK (on_firmware_complete_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->board_page, "notify::applying",
                           G_CALLBACK (_glint_window_update_buttons), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->board_page, "permission-denied",
                           G_CALLBACK (_glint_window_show_permission_page), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self, "notify::is-active", G_CALLBACK (on_is_active_cb),
                           self, G_CONNECT_SWAPPED);
  on_address_changed_cb (self);
  _glint_window_update_buttons (self);
}

/**
 * glint_window_new:
 * @application: (nullable): the application
 *
 * Returns: (transfer full): a new wizard window
 */
GlintWindow *
glint_window_new (GtkApplication *application)
{
  return g_object_new (GLINT_TYPE_WINDOW, "application", application, NULL);
}

GlintFlasher *
_glint_window_get_flasher (GlintWindow *self)
{
  g_return_val_if_fail (GLINT_IS_WINDOW (self), NULL);

  return self->flasher;
}

AdwEntryRow *
_glint_window_get_remote_row (GlintWindow *self)
{
  g_return_val_if_fail (GLINT_IS_WINDOW (self), NULL);

  return ADW_ENTRY_ROW (gtk_widget_get_template_child (GTK_WIDGET (self->board_page),
                                                      GLINT_TYPE_BOARD_PAGE, "remote_row"));
}

GlintWifiPage *
_glint_window_get_wifi_page (GlintWindow *self)
{
  g_return_val_if_fail (GLINT_IS_WINDOW (self), NULL);

  return self->wifi_page;
}

GtkWidget *
_glint_window_get_next_button (GlintWindow *self)
{
  g_return_val_if_fail (GLINT_IS_WINDOW (self), NULL);

  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (self->wizard), GLINT_TYPE_WIZARD,
                                                   "next_button"));
}

GlintPortMonitor *
_glint_window_get_port_monitor (GlintWindow *self)
{
  g_return_val_if_fail (GLINT_IS_WINDOW (self), NULL);

  return _glint_board_page_get_port_monitor (self->board_page);
}
