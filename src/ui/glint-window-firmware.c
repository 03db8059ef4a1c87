/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "glint-web-fetch.h"
#include "glint-window-private.h"

/* Firmware into the window: the file chooser, "Open Link…" for a web
 * installer's manifest, and drag and drop of files and links anywhere in
 * the window. The Firmware page (glint-firmware-page.c) reads it. */

/**
 * _glint_window_load_firmware:
 * @path: a firmware file (optionally FILE@OFFSET), a build folder or a
 *   manifest.json
 *
 * Has the Firmware page read @path, checked against the detected chip.
 */
void
_glint_window_load_firmware (GlintWindow *self,
                             const char  *path)
{
  GlintBoardInfo *board_info = glint_board_page_get_board_info (self->board_page);

  glint_firmware_page_set_chip_revision (self->firmware_page,
                                         board_info != NULL ? board_info->revision : -1);
  glint_firmware_page_set_board_contents (self->firmware_page,
                                          board_info != NULL ? board_info->contents : NULL);
  glint_firmware_page_load (self->firmware_page, path,
                            board_info != NULL ? board_info->chip : NULL);
}

/* Detect ended that a web installer with builds for several chips waited
 * for: the board's chip, or every build when it could not be detected
 * (the Board page, Back from here, says why). */
static void
on_board_applying_cb (GlintWindow *self)
{
  GlintBoardInfo *info;

  if (!self->detect_for_download ||
      glint_wizard_page_get_applying (GLINT_WIZARD_PAGE (self->board_page)))
    return;

  self->detect_for_download = FALSE;
  info = glint_board_page_get_board_info (self->board_page);
  if (info == NULL)
    _glint_window_toast (self, _("The board could not be detected (Back shows why), so the "
                                 "builds for every chip are downloaded"));
  glint_firmware_page_set_chip_revision (self->firmware_page,
                                         info != NULL ? info->revision : -1);
  glint_firmware_page_set_board_contents (self->firmware_page,
                                          info != NULL ? info->contents : NULL);
  glint_firmware_page_continue_download (self->firmware_page, info != NULL ? info->chip : NULL);
}

/* A web installer has builds for several chips: only the board's is
 * downloaded. The Demo board's chip is known; another board is detected
 * first, as the Detect button does (and as the CLI does). No board chosen
 * yet: every build. */
static void
on_chip_needed_cb (GlintWindow *self)
{
  GlintBoardInfo *info = glint_board_page_get_board_info (self->board_page);

  if (info != NULL)
    glint_firmware_page_continue_download (self->firmware_page, info->chip);
  else if (g_strcmp0 (self->address, GLINT_DEMO_ADDRESS) == 0)
    glint_firmware_page_continue_download (self->firmware_page, "esp32");
  else if (self->address == NULL)
    glint_firmware_page_continue_download (self->firmware_page, NULL);
  else
    {
      self->detect_for_download = TRUE;
      glint_board_page_detect (self->board_page);
      /* it did not start (no stream for the address): it ended */
      on_board_applying_cb (self);
    }
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  g_autoptr(GlintWindow) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        glint_window_open_firmware (self, file);
    }

  g_object_unref (dialog);
}

void
_glint_window_choose_firmware (GlintWindow *self)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) firmware = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  if (self->flash_cancellable != NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Choose Firmware"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (firmware, _("Firmware"));
  gtk_file_filter_add_suffix (firmware, "bin");
  gtk_file_filter_add_suffix (firmware, "hex");
  gtk_file_filter_add_suffix (firmware, "uf2");
  gtk_file_filter_add_suffix (firmware, "elf");
  gtk_file_filter_add_pattern (firmware, "manifest.json");
  gtk_file_filter_add_pattern (firmware, "flasher_args.json");
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), firmware);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);

  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
open_link (GlintWindow *self,
           const char  *text)
{
  g_autofree char *url = g_strstrip (g_strdup (text));

  if (self->flash_cancellable != NULL)
    {
      _glint_window_toast (self, _("Wait until flashing has finished"));
      return;
    }
  if (!glint_web_is_url (url))
    {
      _glint_window_toast (self, _("Paste a link that starts with https://"));
      return;
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "win.load-firmware", "s", url);
  if (self->address == NULL)
    _glint_window_toast (self, _("Go back to choose the board to flash"));
}

static void
on_link_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     GlintWindow      *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));

  if (g_str_equal (response, "open"))
    open_link (self, gtk_editable_get_text (entry));
}

static void
on_link_dialog_destroy_cb (GlintWindow *self)
{
  self->link_dialog = NULL;
}

static void
on_link_changed_cb (GtkEditable      *entry,
                    AdwMessageDialog *dialog)
{
  adw_message_dialog_set_response_enabled (dialog, "open",
                                           glint_web_is_url (gtk_editable_get_text (entry)));
}

/**
 * _glint_window_ask_link:
 *
 * "Open Link…" (Ctrl+L): the link of a web installer's manifest.json, as
 * the installer's page gives it (ESP Web Tools' manifest attribute).
 */
void
_glint_window_ask_link (GlintWindow *self)
{
  GtkWidget *dialog;
  GtkWidget *entry;

  if (self->flash_cancellable != NULL)
    return;
  if (self->link_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->link_dialog));
      return;
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Open Link"),
                                   _("The link of a web installer's manifest.json, as on the "
                                     "installer's page: Glint downloads the firmware and checks "
                                     "it before anything is written."));
  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), "https://…/manifest.json");
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_URL);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "open", _("_Open"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "open",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "open", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "open");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (entry, "changed", G_CALLBACK (on_link_changed_cb), dialog, 0);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_link_response_cb), self, 0);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (on_link_dialog_destroy_cb), self,
                           G_CONNECT_SWAPPED);
  self->link_dialog = ADW_MESSAGE_DIALOG (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

AdwMessageDialog *
_glint_window_get_link_dialog (GlintWindow *self)
{
  return self->link_dialog;
}

/* Drag and drop: a file, a build folder or a manifest, or a link to a web
 * installer's manifest, anywhere in the window. */
static gboolean
on_drop_cb (GtkDropTarget *target,
            const GValue  *value,
            double         x,
            double         y,
            GlintWindow   *self)
{
  GFile *file = NULL;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);

      if (files != NULL)
        file = files->data;
      if (files != NULL && files->next != NULL)
        _glint_window_toast (self, _("Drop one file or folder; using the first"));
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    file = g_value_get_object (value);
  else if (G_VALUE_HOLDS (value, G_TYPE_STRING) && g_value_get_string (value) != NULL)
    {
      /* a link dragged from a browser as text: its first line */
      g_auto(GStrv) lines = g_strsplit (g_value_get_string (value), "\n", 2);

      if (lines[0] == NULL || !glint_web_is_url (g_strstrip (lines[0])))
        return FALSE;
      open_link (self, lines[0]);
      return TRUE;
    }

  if (file == NULL)
    return FALSE;

  glint_window_open_firmware (self, file);
  return TRUE;
}

void
_glint_window_firmware_init (GlintWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE, G_TYPE_STRING };

  gtk_drop_target_set_gtypes (target, types, G_N_ELEMENTS (types));
  g_signal_connect (target, "drop", G_CALLBACK (on_drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (glint_wizard_get_stack (self->wizard)), GTK_EVENT_CONTROLLER (target));

  g_signal_connect_object (self->firmware_page, "chip-needed", G_CALLBACK (on_chip_needed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->board_page, "notify::applying",
                           G_CALLBACK (on_board_applying_cb), self, G_CONNECT_SWAPPED);
}
