/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "glint-window-private.h"

/* Firmware into the window: the file chooser, and drag and drop anywhere
 * in the window. The Firmware page (glint-firmware-page.c) reads it. */

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

/* Drag and drop: a file, a build folder or a manifest, anywhere in the window. */
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

  if (file == NULL)
    return FALSE;

  glint_window_open_firmware (self, file);
  return TRUE;
}

void
_glint_window_firmware_init (GlintWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };

  gtk_drop_target_set_gtypes (target, types, G_N_ELEMENTS (types));
  g_signal_connect (target, "drop", G_CALLBACK (on_drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (glint_wizard_get_stack (self->wizard)), GTK_EVENT_CONTROLLER (target));
}
