/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>

#include <glib/gi18n.h>

#include "glint-chip.h"
#include "glint-error.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-stream.h"
#include "glint-stream-address.h"
#include "glint-window-private.h"

/* The Flashing page, and where it ends: Done, Failed or Permission. */

/* How long a cancelled job may take to wind down before the window stops
 * waiting for it (a job that never returns must not trap the user). */
#define CANCEL_WATCHDOG_S 5


static void
append_log (GlintWindow   *self,
            GlintLogLevel  level,
            const char    *message)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%H:%M:%S");
  g_autofree char *line = g_strdup_printf ("%s  %s\n", stamp, message);

  g_string_append (self->log, line);

  /* The view shows what people can act on; Copy Log has everything. */
  if (level >= GLINT_LOG_INFO)
    glint_flash_page_add_log_line (self->flash_page, line);
}

static void
on_flasher_log_cb (GlintFlasher  *flasher,
                   GlintLogLevel  level,
                   const char    *message,
                   GlintWindow   *self)
{
  append_log (self, level, message);
}

static char *
board_name (GlintWindow *self)
{
  g_autoptr(GlintStreamAddress) address = NULL;

  if (g_str_equal (self->address, GLINT_DEMO_ADDRESS))
    return g_strdup (_("the Demo board"));
  if (g_str_has_prefix (self->address, "sim://"))
    return g_strdup (_("a simulated board"));

  address = glint_stream_address_parse (self->address, NULL);
  if (address != NULL && address->host != NULL)
    return g_strdup_printf ("%s:%u", address->host, address->port);

  return g_strdup (self->address);
}

/* The rate "Automatic" settled on last time for this port or URL: the
 * flasher tries it first instead of climbing again. */
static guint
settled_baud_load (GlintWindow *self)
{
  guint baud = 0;

  g_autoptr(GVariant) bauds = g_settings_get_value (self->settings, "settled-bauds");
  if (!g_variant_lookup (bauds, self->address, "u", &baud))
    return 0;

  return baud;
}

static void
settled_baud_store (GlintWindow *self,
                    guint        baud)
{
  g_autoptr(GVariant) old = g_settings_get_value (self->settings, "settled-bauds");
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{su}"));
  GVariantIter iter;
  const char *key;
  guint value;

  g_variant_iter_init (&iter, old);
  while (g_variant_iter_next (&iter, "{&su}", &key, &value))
    {
      if (!g_str_equal (key, self->address))
        g_variant_builder_add (&builder, "{su}", key, value);
    }
  if (baud > 0)
    g_variant_builder_add (&builder, "{su}", self->address, baud);

  g_settings_set_value (self->settings, "settled-bauds", g_variant_builder_end (&builder));
}

/* Backups go to the user's data folder (inside the sandbox under
 * Flatpak), one file per flash, named after the board and the time. */
static char *
backup_path_new (GlintWindow *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d-%H%M%S");
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "glint", "backups", NULL);
  g_autofree char *name = NULL;
  g_autoptr(GString) board = g_string_new (NULL);

  for (const char *p = self->address; *p != '\0'; p++)
    g_string_append_c (board, g_ascii_isalnum (*p) ? *p : '-');

  if (g_mkdir_with_parents (dir, 0700) != 0)
    return NULL;
  name = g_strdup_printf ("backup-%s-%s.bin", board->str, stamp);

  return g_build_filename (dir, name, NULL);
}

static void
show_done (GlintWindow *self)
{
  gdouble seconds = (g_get_monotonic_time () - self->flash_started_us) / 1e6;
  guint64 written = glint_flasher_get_bytes_written (self->flasher);
  guint64 unchanged = glint_flasher_get_bytes_unchanged (self->flasher);
  g_autofree char *size = g_format_size (written);
  g_autoptr(GString) extra = g_string_new (NULL);
  g_autofree char *duration = glint_flash_page_format_duration (seconds);
  const char *chip_name = glint_flasher_get_chip (self->flasher);
  const GlintChip *known = chip_name != NULL ? glint_chip_lookup (chip_name) : NULL;
  const char *chip = known != NULL ? known->display_name : chip_name;
  g_autofree char *text = NULL;
  g_autofree char *where = board_name (self);
  const char *after = glint_firmware_page_get_reboot (self->firmware_page)
                      ? _("The board has restarted with the new firmware.")
                      : _("Reset the board to start the new firmware.");

  if (written == 0 && unchanged > 0)
    /* Translators: "The ESP32 on the Demo board already held this firmware (checked in 2 seconds)." */
    text = g_strdup_printf (_("The %s on %s already held this firmware (checked in %s)."),
                            chip != NULL ? chip : "ESP", where, duration);
  else if (glint_firmware_page_get_verify (self->firmware_page))
    /* Translators: "Wrote 64.0 kB to the ESP32 on the Demo board in 2 seconds and verified it." */
    text = g_strdup_printf (_("Wrote %s to the %s on %s in %s and verified it."),
                            size, chip != NULL ? chip : "ESP", where, duration);
  else
    text = g_strdup_printf (_("Wrote %s to the %s on %s in %s."),
                            size, chip != NULL ? chip : "ESP", where, duration);

  if (unchanged > 0 && written > 0)
    {
      g_autofree char *same = g_format_size (unchanged);

      g_string_append_c (extra, ' ');
      /* Translators: "1.0 MB was already on the board and was not written again." */
      g_string_append_printf (extra, _("%s was already on the board and was not written again."),
                              same);
    }
  if (glint_flasher_get_recoveries (self->flasher) > 0)
    {
      guint n = glint_flasher_get_recoveries (self->flasher);

      g_string_append_c (extra, ' ');
      /* Translators: the job lost its link and resumed where it stopped */
      g_string_append_printf (extra, g_dngettext (GETTEXT_PACKAGE,
                                                  "It recovered from %u lost connection.",
                                                  "It recovered from %u lost connections.", n),
                              n);
    }
  if (self->backup_path != NULL)
    {
      g_string_append_c (extra, ' ');
      g_string_append_printf (extra, _("The old flash content is saved in %s."),
                              self->backup_path);
    }
  g_string_append_c (extra, ' ');
  g_string_append (extra, after);
    {
      char *joined = g_strconcat (text, extra->str, NULL);

      g_free (text);
      text = joined;
    }

  glint_done_page_set_summary (self->done_page, text);
  glint_done_page_set_has_backup (self->done_page, self->backup_path != NULL);
  _glint_window_go_to (self, "done");
}

static void
show_failed (GlintWindow  *self,
             const GError *error)
{
  const char *hint = glint_error_get_hint (error);
  g_autofree char *regions = NULL;
  g_autofree char *details = NULL;

  if (g_error_matches (error, GLINT_ERROR, GLINT_ERROR_PERMISSION_DENIED))
    {
      _glint_window_show_permission_page (self);
      return;
    }

  regions = self->flasher != NULL ? glint_flasher_describe_regions (self->flasher) : NULL;
  if (regions != NULL && *regions != '\0')
    /* Translators: the error, then what the flash holds now, one region per line */
    details = g_strdup_printf (_("%s\n\nWhat the flash holds now:\n%s"), error->message, regions);

  /* written but unchecked (secure download mode) is no failure to write,
   * and no success either */
  glint_failed_page_set_title (self->failed_page,
                               g_error_matches (error, GLINT_ERROR, GLINT_ERROR_NOT_VERIFIED) ?
                               _("Written, Not Verified") : _("Flashing Failed"));
  glint_failed_page_set_error (self->failed_page,
                               hint != NULL ? hint : _("Something went wrong."),
                               details != NULL ? details : error->message);
  _glint_window_go_to (self, "failed");
}

/* The Demo board behaves like a real one: what was flashed to it is
 * still there next time (for this window), so a reflash shows what
 * skipping unchanged data does. */
static void
demo_keep_flash (GlintWindow *self)
{
  GlintStream *stream = self->flasher != NULL ? glint_flasher_get_stream (self->flasher) : NULL;
  const guint8 *flash;
  gsize size = 0;

  if (!self->flashing_demo || !GLINT_IS_SIM_STREAM (stream))
    return;

  flash = glint_sim_get_flash (glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream)), &size);
  g_clear_pointer (&self->demo_flash, g_bytes_unref);
  self->demo_flash = g_bytes_new (flash, size);
}

static void
demo_restore_flash (GlintWindow *self,
                    GlintStream *stream)
{
  self->flashing_demo = g_str_equal (self->address, GLINT_DEMO_ADDRESS) &&
                        GLINT_IS_SIM_STREAM (stream);
  if (self->flashing_demo && self->demo_flash != NULL)
    glint_sim_load_flash (glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream)), 0,
                          g_bytes_get_data (self->demo_flash, NULL),
                          g_bytes_get_size (self->demo_flash));
}

static void
flash_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GlintWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = glint_flasher_flash_finish (GLINT_FLASHER (object), result, &error);

  /* The window went away while we flashed. */
  if (self->flash_cancellable == NULL)
    return;

  g_clear_object (&self->flash_cancellable);
  glint_flash_page_set_flasher (self->flash_page, NULL);
  g_clear_handle_id (&self->cancel_watchdog_id, g_source_remove);
  if (self->cancel_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->cancel_dialog));
  demo_keep_flash (self);

  if (ok)
    {
      if (glint_firmware_page_get_baud (self->firmware_page) == 0)
        settled_baud_store (self, glint_flasher_get_settled_baud (self->flasher));
      append_log (self, GLINT_LOG_INFO, _("Flashing complete"));
      show_done (self);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      append_log (self, GLINT_LOG_INFO, _("Cancelled"));
      _glint_window_go_to (self, "firmware");
      _glint_window_toast (self, _("Flashing cancelled; the board may not start until "
                                   "it is flashed again"));
    }
  else
    {
      append_log (self, GLINT_LOG_ERROR, error->message);
      show_failed (self, error);
    }
}

/**
 * _glint_window_start_flash:
 *
 * Flashes the plan to the chosen board and shows the Flashing page.
 */
void
_glint_window_start_flash (GlintWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStream) stream = NULL;
  g_autofree char *where = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *detail = NULL;
  guint baud;

  g_return_if_fail (glint_firmware_page_get_plan (self->firmware_page) != NULL && self->address != NULL);

  if (self->flash_cancellable != NULL)
    return;

  /* Detect holds the port; let go of it. */
  glint_board_page_cancel_detect (self->board_page);

  where = board_name (self);
  basename = glint_firmware_page_get_name (self->firmware_page);
  /* Translators: "firmware.bin to the Demo board" */
  detail = g_strdup_printf (_("%s to %s"), basename, where);
  g_string_truncate (self->log, 0);
  glint_flash_page_reset (self->flash_page, detail);

  g_clear_object (&self->flasher);
  stream = glint_stream_new_for_address (self->address, &error);
  if (stream == NULL)
    {
      show_failed (self, error);
      return;
    }

  baud = glint_firmware_page_get_baud (self->firmware_page);
  g_clear_pointer (&self->backup_path, g_free);
  if (glint_firmware_page_get_backup (self->firmware_page))
    {
      self->backup_path = backup_path_new (self);
      if (self->backup_path == NULL)
        {
          g_autoptr(GError) backup_error =
            g_error_new (GLINT_ERROR, GLINT_ERROR_INVALID_FILE,
                         _("cannot create the backup folder in %s: %s"),
                         g_get_user_data_dir (), g_strerror (errno));

          show_failed (self, backup_error);
          return;
        }
    }

  glint_firmware_page_apply_flash_settings (self->firmware_page);
  demo_restore_flash (self, stream);
  if (self->flash_record == NULL)
    {
      g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "glint", "boards", NULL);

      self->flash_record = glint_flash_record_new (dir);
    }
  self->flasher = glint_flasher_new (stream);
  /* The Demo board starts blank with every window: a record of it would
   * only ever be wrong. */
  if (!self->flashing_demo)
    glint_flasher_set_flash_record (self->flasher, self->flash_record);
  glint_flasher_set_plan (self->flasher, glint_firmware_page_get_plan (self->firmware_page));
  if (baud == 0)
    {
      glint_flasher_set_baud (self->flasher, GLINT_FLASHER_BAUD_AUTO);
      glint_flasher_set_baud_hint (self->flasher, settled_baud_load (self));
    }
  else
    {
      glint_flasher_set_baud (self->flasher, baud);
    }
  glint_flasher_set_skip_unchanged (self->flasher,
                                    glint_firmware_page_get_skip_unchanged (self->firmware_page));
  glint_flasher_set_erase_all (self->flasher,
                               glint_firmware_page_get_erase_all (self->firmware_page));
  glint_flasher_set_backup_path (self->flasher, self->backup_path);
  glint_flasher_set_use_stub (self->flasher, glint_firmware_page_get_use_stub (self->firmware_page));
  glint_flasher_set_verify (self->flasher, glint_firmware_page_get_verify (self->firmware_page));
  glint_flasher_set_reboot (self->flasher, glint_firmware_page_get_reboot (self->firmware_page));
  glint_flasher_set_no_reset (self->flasher, !glint_firmware_page_get_auto_reset (self->firmware_page));

  g_signal_connect_object (self->flasher, "log", G_CALLBACK (on_flasher_log_cb), self, 0);
  glint_flash_page_set_flasher (self->flash_page, self->flasher);

  glint_board_page_remember (self->board_page);
  self->flash_cancellable = g_cancellable_new ();
  self->flash_started_us = g_get_monotonic_time ();
  _glint_window_go_to (self, "flash");

  glint_flasher_flash_async (self->flasher, self->flash_cancellable, flash_cb,
                             g_object_ref (self));
}

static void
on_cancel_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       GlintWindow      *self)
{
  /* The dialog closes itself after a response. */
  if (self->cancel_dialog == dialog)
    self->cancel_dialog = NULL;

  if (g_str_equal (response, "stop"))
    _glint_window_cancel_flash (self, FALSE);
}

static void
on_cancel_dialog_destroy_cb (GlintWindow *self,
                             GtkWidget   *dialog)
{
  if (self->cancel_dialog == ADW_MESSAGE_DIALOG (dialog))
    self->cancel_dialog = NULL;
}

static gboolean
cancel_watchdog_cb (gpointer user_data)
{
  GlintWindow *self = user_data;

  self->cancel_watchdog_id = 0;
  if (self->flash_cancellable == NULL)
    return G_SOURCE_REMOVE;

  /* The job did not come back: let go of it (and of the port). flash_cb
   * ignores a late answer because flash_cancellable is gone. */
  g_warning_once ("flash job did not finish %u s after cancelling", CANCEL_WATCHDOG_S);
  append_log (self, GLINT_LOG_WARNING, "the flash job did not stop in time; abandoned it");
  g_clear_object (&self->flash_cancellable);
  glint_flash_page_set_flasher (self->flash_page, NULL);
  g_clear_object (&self->flasher);
  _glint_window_go_to (self, "firmware");
  _glint_window_toast (self, _("Flashing cancelled; the board may not start until "
                               "it is flashed again"));

  return G_SOURCE_REMOVE;
}

/**
 * _glint_window_cancel_flash:
 * @confirm: ask first
 *
 * Stopping halfway leaves a board that does not boot, so this asks.
 */
void
_glint_window_cancel_flash (GlintWindow *self,
                            gboolean     confirm)
{
  GtkWidget *dialog;

  if (self->flash_cancellable == NULL)
    return;

  if (!confirm)
    {
      g_cancellable_cancel (self->flash_cancellable);
      if (self->cancel_watchdog_id == 0)
        self->cancel_watchdog_id = g_timeout_add_seconds (CANCEL_WATCHDOG_S,
                                                          cancel_watchdog_cb, self);
      return;
    }

  if (self->cancel_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->cancel_dialog));
      return;
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Stop Flashing?"),
                                   _("The board will not start until it is flashed "
                                     "completely."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "continue", _("_Keep Flashing"),
                                    "stop", _("_Stop"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "stop",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "continue");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "continue");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_cancel_response_cb), self, 0);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (on_cancel_dialog_destroy_cb),
                           self, G_CONNECT_SWAPPED);
  self->cancel_dialog = ADW_MESSAGE_DIALOG (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_glint_window_copy_log (GlintWindow *self)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), self->log->str);
  _glint_window_toast (self, _("Log copied"));
}

void
_glint_window_flash_dispose (GlintWindow *self)
{
  g_clear_handle_id (&self->cancel_watchdog_id, g_source_remove);
  if (self->cancel_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->cancel_dialog));
  g_cancellable_cancel (self->flash_cancellable);
  g_clear_object (&self->flash_cancellable);
  g_clear_object (&self->flasher);
  g_clear_object (&self->flash_record);
  g_clear_pointer (&self->demo_flash, g_bytes_unref);
  if (self->log != NULL)
    g_string_free (self->log, TRUE);
  self->log = NULL;
}
