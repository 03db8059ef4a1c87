/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include <string.h>
#include <glib/gstdio.h>

#include "glint-chip.h"
#include "glint-backup.h"
#include "glint-error.h"
#include "glint-image.h"
#include "glint-port-details.h"
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

/* The window kept the rate "Automatic" settled on in GSettings
 * ("settled-bauds"); the flash record keeps it now, for the window and the
 * CLI alike, by one rule (glint_flash_record_remember_baud()). What the
 * key held is moved there once, rates at or below the boot rate dropped
 * by that rule, and the key is emptied. The key stays in the schema, so
 * that an older Glint run after this one finds what it expects. */
static void
settled_bauds_migrate (GlintWindow *self)
{
  g_autoptr(GVariant) bauds = g_settings_get_value (self->settings, "settled-bauds");
  GVariantIter iter;
  const char *address;
  guint baud;

  if (g_variant_n_children (bauds) == 0)
    return;

  g_variant_iter_init (&iter, bauds);
  while (g_variant_iter_next (&iter, "{&su}", &address, &baud))
    {
      g_autoptr(GlintStreamAddress) parsed = glint_stream_address_parse (address, NULL);
      g_autofree char *canonical = parsed != NULL ? glint_stream_address_to_string (parsed)
                                                  : g_strdup (address);
      g_autoptr(GError) error = NULL;

      if (glint_flash_record_lookup_baud (self->flash_record, canonical) == 0 &&
          !glint_flash_record_remember_baud (self->flash_record, canonical, baud, &error))
        g_debug ("not moving the rate for %s: %s", canonical, error->message);
    }

  g_settings_reset (self->settings, "settled-bauds");
}

/* Backups go to the user's data folder (inside the sandbox under
 * Flatpak); the flasher names each file after the chip, the board's MAC,
 * the offset and the time, which is what restoring it takes. */
static char *
backup_dir_new (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "glint", "backups", NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    return NULL;
  return g_steal_pointer (&dir);
}

/* Whether the plan brought what a board starts from: an image at the
 * chip's bootloader offset and a partition table at 0x8000 (alone or in a
 * merged image). Without them the board starts the new app only if its
 * flash held them already, which the Done page must not claim. */
static gboolean
plan_has_boot_chain (GlintFlashPlan *plan,
                     const char     *chip)
{
  guint32 wanted[2] = { 0, 0x8000 };
  const guint8 magic[2][2] = { { 0xE9, 0 }, { 0xAA, 0x50 } };
  gboolean found[2] = { FALSE, FALSE };

  if (chip == NULL || !glint_image_chip_is_known (chip))
    return FALSE;
  wanted[0] = glint_image_chip_bootloader_offset (chip);

  for (guint i = 0; i < glint_flash_plan_get_n_regions (plan); i++)
    {
      guint32 offset = glint_flash_plan_get_region_offset (plan, i);
      GBytes *data = glint_flash_plan_get_region_data (plan, i);
      gsize size = data != NULL ? g_bytes_get_size (data) : 0;
      const guint8 *bytes = data != NULL ? g_bytes_get_data (data, NULL) : NULL;

      for (guint w = 0; w < 2; w++)
        if (wanted[w] >= offset && (guint64) wanted[w] + 2 <= (guint64) offset + size &&
            bytes[wanted[w] - offset] == magic[w][0] &&
            (magic[w][1] == 0 || bytes[wanted[w] - offset + 1] == magic[w][1]))
          found[w] = TRUE;
    }

  return found[0] && found[1];
}

static void
show_done (GlintWindow *self)
{
  gdouble seconds = (g_get_monotonic_time () - self->flash_started_us) / 1e6;
  guint64 written = glint_flasher_get_bytes_written (self->flasher);
  guint64 unchanged = glint_flasher_get_bytes_unchanged (self->flasher);
  g_autofree char *size = g_format_size_full (written, G_FORMAT_SIZE_IEC_UNITS);
  g_autoptr(GString) extra = g_string_new (NULL);
  g_autofree char *duration = glint_flash_page_format_duration (seconds);
  const char *chip_name = glint_flasher_get_chip (self->flasher);
  const GlintChip *known = chip_name != NULL ? glint_chip_lookup (chip_name) : NULL;
  const char *chip = known != NULL ? known->display_name : chip_name;
  g_autofree char *text = NULL;
  g_autofree char *where = board_name (self);
  GlintFlashPlan *plan = glint_firmware_page_get_plan (self->firmware_page);
  g_autofree char *after_problem = NULL;
  gboolean starts = self->boot_verdict_known && self->boot_problem == NULL;
  const char *after;

  /* What the boot check found decides where there is a verdict; else what
   * the plan brought. */
  if (self->boot_problem != NULL)
    /* the same sentence as the question before writing, whose fix is
     * the next step */
    after = after_problem = g_strdup_printf ("%c%s.", g_ascii_toupper (self->boot_problem[0]),
                                             self->boot_problem + 1);
  else if (!glint_firmware_page_get_reboot (self->firmware_page))
    after = _("Reset the board to start the new firmware.");
  else if (starts || (plan != NULL && plan_has_boot_chain (plan, chip_name)))
    after = _("The board has restarted with the new firmware.");
  else
    after = _("The board has been reset; it starts the new firmware only if its flash "
              "already holds a bootloader and a partition table: the serial monitor shows "
              "what it prints.");

  if (written == 0 && unchanged > 0)
    /* Translators: "The ESP32 on the Demo board already held this firmware (checked in 2 seconds)." */
    text = g_strdup_printf (_("The %s on %s already held this firmware (checked in %s)."),
                            chip != NULL ? chip : "ESP", where, duration);
  else if (glint_firmware_page_get_verify (self->firmware_page))
    /* Translators: "Wrote 64.0 KiB to the ESP32 on the Demo board in 2 seconds and verified it." */
    text = g_strdup_printf (_("Wrote %s to the %s on %s in %s and verified it."),
                            size, chip != NULL ? chip : "ESP", where, duration);
  else
    text = g_strdup_printf (_("Wrote %s to the %s on %s in %s."),
                            size, chip != NULL ? chip : "ESP", where, duration);

  if (unchanged > 0 && written > 0)
    {
      g_autofree char *same = g_format_size_full (unchanged, G_FORMAT_SIZE_IEC_UNITS);

      g_string_append_c (extra, ' ');
      /* Translators: "1.0 MiB was already on the board and was not written again." */
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

  /* Everything of the plan is on the board now. */
  _glint_window_forget_regions (self);

  glint_done_page_set_summary (self->done_page, text);
  glint_done_page_set_has_backup (self->done_page, self->backup_path != NULL);
  glint_done_page_set_will_start (self->done_page, self->boot_problem == NULL);
  _glint_window_go_to (self, "done");
  /* firmware that does not run answers nothing */
  if (self->boot_problem == NULL)
    _glint_window_probe_wifi (self);
}

static void
region_report_clear (gpointer data)
{
  GlintRegionReport *rep = data;

  g_clear_pointer (&rep->name, g_free);
}

/**
 * _glint_window_forget_regions:
 *
 * Another board: what earlier attempts did is no longer about it.
 */
void
_glint_window_forget_regions (GlintWindow *self)
{
  g_clear_pointer (&self->regions_seen, g_array_unref);
}

/* Adds what the last job did to what earlier attempts on this board did.
 * A region a job did not get to keeps the state an earlier attempt left
 * it in: a retry that fails before writing has not made half-written
 * flash "untouched". A region a job touched is what that job made of it;
 * an earlier region (of another plan) that overlaps it is superseded. */
static void
regions_merge (GlintWindow *self)
{
  guint n = self->flasher != NULL ? glint_flasher_get_n_regions (self->flasher) : 0;
  GArray *merged;

  if (n == 0)
    return;

  merged = g_array_new (FALSE, TRUE, sizeof (GlintRegionReport));
  g_array_set_clear_func (merged, region_report_clear);

  for (guint i = 0; i < n; i++)
    {
      const GlintRegionReport *now = glint_flasher_get_region_report (self->flasher, i);
      GlintRegionReport rep = *now;

      if (now->status == GLINT_REGION_UNTOUCHED && self->regions_seen != NULL)
        for (guint j = 0; j < self->regions_seen->len; j++)
          {
            const GlintRegionReport *before = &g_array_index (self->regions_seen,
                                                              GlintRegionReport, j);

            if (before->offset == now->offset && before->size == now->size)
              {
                rep = *before;
                break;
              }
          }
      rep.name = g_strdup (rep.name);
      g_array_append_val (merged, rep);
    }

  /* Earlier regions this plan does not have, unless this job wrote over
   * them. */
  for (guint j = 0; self->regions_seen != NULL && j < self->regions_seen->len; j++)
    {
      GlintRegionReport rep = g_array_index (self->regions_seen, GlintRegionReport, j);
      gboolean keep = rep.status != GLINT_REGION_UNTOUCHED;

      for (guint i = 0; keep && i < n; i++)
        {
          const GlintRegionReport *now = glint_flasher_get_region_report (self->flasher, i);
          gboolean same = now->offset == rep.offset && now->size == rep.size;
          gboolean overlaps = now->offset < rep.offset + MAX (rep.size, 1) &&
                              rep.offset < now->offset + MAX (now->size, 1);

          if (same || (overlaps && now->status != GLINT_REGION_UNTOUCHED))
            keep = FALSE;
        }
      if (keep)
        {
          rep.name = g_strdup (rep.name);
          g_array_append_val (merged, rep);
        }
    }

  g_clear_pointer (&self->regions_seen, g_array_unref);
  self->regions_seen = merged;
}

/* What the flash holds now, by every attempt on this board. */
static char *
regions_describe (GlintWindow *self)
{
  GString *text;

  if (self->regions_seen == NULL || self->regions_seen->len == 0)
    return NULL;

  text = g_string_new (NULL);
  for (guint i = 0; i < self->regions_seen->len; i++)
    {
      g_autofree char *line =
        glint_region_report_describe (&g_array_index (self->regions_seen, GlintRegionReport, i));

      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, line);
    }

  return g_string_free (text, FALSE);
}

/* Whether a job left anything of the flash changed (erased or written). */
static gboolean
flash_touched (GlintWindow *self)
{
  GlintFlasherState state;

  if (self->flasher == NULL)
    return FALSE;

  state = glint_flasher_get_state (self->flasher);
  if (state == GLINT_FLASHER_STATE_ERASING || state == GLINT_FLASHER_STATE_WRITING ||
      state == GLINT_FLASHER_STATE_VERIFYING || state == GLINT_FLASHER_STATE_REBOOTING)
    return TRUE;

  for (guint i = 0; i < glint_flasher_get_n_regions (self->flasher); i++)
    {
      GlintRegionStatus status = glint_flasher_get_region_report (self->flasher, i)->status;

      if (status != GLINT_REGION_UNTOUCHED && status != GLINT_REGION_UNCHANGED)
        return TRUE;
    }

  return FALSE;
}

/* The way on that can help with @error. */
static GlintFailedAction
failed_action_for (const GError *error)
{
  if (error->domain != GLINT_ERROR)
    return GLINT_FAILED_TRY_AGAIN;

  switch ((GlintError) error->code)
    {
    case GLINT_ERROR_WRONG_CHIP:
    case GLINT_ERROR_WRONG_REVISION:
    case GLINT_ERROR_IMAGE_TOO_LARGE:
    case GLINT_ERROR_INVALID_IMAGE:
    case GLINT_ERROR_IMAGE_CORRUPT:
    case GLINT_ERROR_INVALID_FILE:
    case GLINT_ERROR_INVALID_PLAN:
    case GLINT_ERROR_UNKNOWN_CONTENT:
      return GLINT_FAILED_CHOOSE_FIRMWARE;
    case GLINT_ERROR_INVALID_ADDRESS:
    case GLINT_ERROR_PORT_NOT_FOUND:
    case GLINT_ERROR_UNSUPPORTED_CHIP:
      return GLINT_FAILED_CHOOSE_BOARD;
    default:
      return GLINT_FAILED_TRY_AGAIN;
    }
}

static void
show_failed (GlintWindow  *self,
             const GError *error)
{
  const char *hint = glint_error_get_hint (error);
  g_autofree char *busy_hint = NULL;
  g_autofree char *regions = NULL;
  g_autofree char *details = NULL;

  if (g_error_matches (error, GLINT_ERROR, GLINT_ERROR_PERMISSION_DENIED))
    {
      _glint_window_show_permission_page (self);
      return;
    }

  /* A busy port: who has it, when that can be found out. */
  if (g_error_matches (error, GLINT_ERROR, GLINT_ERROR_PORT_BUSY) && self->address != NULL &&
      strstr (self->address, "://") == NULL)
    {
      guint pid = 0;
      g_autofree char *holder = glint_port_holder (self->address, &pid);

      if (holder != NULL)
        /* Translators: "/dev/ttyUSB0 is in use by minicom (process 1234). Close it, …" */
        busy_hint = g_strdup_printf (_("%s is in use by %s (process %u). Close that program "
                                       "(or end the process), then try again."),
                                     self->address, holder, pid);
    }

  regions_merge (self);
  regions = regions_describe (self);
  if (regions != NULL && *regions != '\0')
    /* Translators: the error, then what the flash holds now, one region per line */
    details = g_strdup_printf (_("%s\n\nWhat the flash holds now:\n%s"), error->message, regions);

  /* written but unchecked (secure download mode) is no failure to write,
   * and no success either */
  glint_failed_page_set_title (self->failed_page,
                               g_error_matches (error, GLINT_ERROR, GLINT_ERROR_NOT_VERIFIED) ?
                               _("Written, Not Verified") : _("Flashing Failed"));
  glint_failed_page_set_error (self->failed_page,
                               busy_hint != NULL ? busy_hint :
                               hint != NULL ? hint : _("Something went wrong."),
                               details != NULL ? details : error->message);
  glint_failed_page_set_main_action (self->failed_page, failed_action_for (error));
  /* The flasher renames the backup into place once it is complete: a
   * file there is the whole old content, which puts the board back as it
   * was. */
  glint_failed_page_set_has_backup (self->failed_page,
                                    self->backup_path != NULL &&
                                    g_file_test (self->backup_path, G_FILE_TEST_IS_REGULAR));
  _glint_window_go_to (self, "failed");
}

/* The toast after a cancelled flash: whether the board still starts. */
static const char *
cancelled_text (gboolean touched)
{
  return touched ? _("Flashing cancelled; the board may not start until it is flashed again")
                 : _("Flashing cancelled before anything was written; the board is as it was");
}

/* The Demo board behaves like a real one: what was flashed to it is still
 * there next time, for this window. The simulator keeps the flash of a
 * sim:// board by its board= name; each window has a board of its own. */
const char *
_glint_window_demo_address (GlintWindow *self)
{
  static guint n_boards;

  if (self->demo_address == NULL)
    self->demo_address = g_strdup_printf ("%s&board=window-%u", GLINT_DEMO_ADDRESS, ++n_boards);

  return self->demo_address;
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
  if (self->boot_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->boot_dialog));
  g_cancellable_cancel (self->boot_check_cancellable);
  g_clear_object (&self->boot_check_cancellable);
  g_clear_object (&self->boot_check_flasher);

  /* the backup folder was asked for; the flasher named the file, if it
   * got as far as making one (a kept first backup stays as it is) */
  if (self->backup_path != NULL && g_file_test (self->backup_path, G_FILE_TEST_IS_DIR))
    {
      g_free (self->backup_path);
      self->backup_path = g_strdup (glint_flasher_get_backup_file (GLINT_FLASHER (object)));
    }

  if (ok)
    {
      append_log (self, GLINT_LOG_INFO, _("Flashing complete"));
      show_done (self);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      gboolean touched = flash_touched (self);

      append_log (self, GLINT_LOG_INFO, _("Cancelled"));
      regions_merge (self);
      _glint_window_go_to (self, "firmware");
      _glint_window_toast (self, cancelled_text (touched));
    }
  else
    {
      append_log (self, GLINT_LOG_ERROR, error->message);
      show_failed (self, error);
    }
}

/* Whether the last attempt's backup is a complete file that holds every
 * byte the plan would overwrite (the plan may have changed since). */
static gboolean
backup_covers_plan (GlintWindow *self)
{
  GlintFlashPlan *plan = glint_firmware_page_get_plan (self->firmware_page);
  GlintBackupName name;
  GStatBuf st;

  if (self->backup_path == NULL || plan == NULL ||
      g_stat (self->backup_path, &st) != 0 || !S_ISREG (st.st_mode) ||
      !glint_backup_name_parse (self->backup_path, &name))
    return FALSE;

  for (guint i = 0; i < glint_flash_plan_get_n_regions (plan); i++)
    {
      GBytes *data = glint_flash_plan_get_region_data (plan, i);
      guint64 start = glint_flash_plan_get_region_offset (plan, i);
      guint64 end = start + (data != NULL ? g_bytes_get_size (data) : 0);

      if (start < name.offset || end > (guint64) name.offset + (guint64) st.st_size)
        return FALSE;
    }

  return glint_flash_plan_get_n_regions (plan) > 0;
}

/* Flashes the plan to the chosen board and shows the Flashing page. */
static void
start_flash_now (GlintWindow *self)
{
  g_autofree char *kept_backup = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStream) stream = NULL;
  g_autofree char *where = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *detail = NULL;
  g_autoptr(GlintFlashOptions) options = NULL;
  guint baud;

  g_return_if_fail (glint_firmware_page_get_plan (self->firmware_page) != NULL && self->address != NULL);

  if (self->flash_cancellable != NULL)
    return;

  /* Detect holds the port, and so may the Wi-Fi set-up; let go of it. */
  glint_board_page_cancel_detect (self->board_page);
  _glint_window_stop_wifi (self);

  where = board_name (self);
  basename = glint_firmware_page_get_name (self->firmware_page);
  /* Translators: "firmware.bin to the Demo board" */
  detail = g_strdup_printf (_("%s to %s"), basename, where);
  g_string_truncate (self->log, 0);
  glint_flash_page_reset (self->flash_page, detail);

  g_clear_object (&self->flasher);
  /* An earlier flash's backup is not this attempt's, except after a failed
   * attempt on this board: then the flash may be half written, and its
   * first backup is what the user wants back, not a copy of the damage. */
  if (self->regions_seen != NULL && backup_covers_plan (self))
    kept_backup = g_steal_pointer (&self->backup_path);
  g_clear_pointer (&self->backup_path, g_free);
  self->flashing_demo = g_str_equal (self->address, GLINT_DEMO_ADDRESS);
  stream = glint_stream_new_for_address (self->flashing_demo ? _glint_window_demo_address (self) :
                                         self->address, &error);
  if (stream == NULL)
    {
      show_failed (self, error);
      return;
    }

  baud = glint_firmware_page_get_baud (self->firmware_page);
  if (glint_firmware_page_get_backup (self->firmware_page) && kept_backup != NULL)
    {
      g_autofree char *note = NULL;

      self->backup_path = g_steal_pointer (&kept_backup);
      note = g_strdup_printf (_("keeping the backup of the first attempt, %s: the flash may "
                                "have been changed since"), self->backup_path);
      _glint_window_log (self, GLINT_LOG_INFO, note);
    }
  else if (glint_firmware_page_get_backup (self->firmware_page))
    {
      self->backup_path = backup_dir_new ();
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
  if (self->flash_record == NULL)
    {
      g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "glint", "boards", NULL);

      self->flash_record = glint_flash_record_new (dir);
    }
  settled_bauds_migrate (self);

  options = glint_flash_options_new ();
  options->baud = baud == 0 ? GLINT_FLASHER_BAUD_AUTO : baud;
  options->skip_unchanged = glint_firmware_page_get_skip_unchanged (self->firmware_page);
  options->erase_all = glint_firmware_page_get_erase_all (self->firmware_page);
  /* (a kept backup is a file: the flasher is not asked to write it again) */
  if (self->backup_path != NULL && !g_file_test (self->backup_path, G_FILE_TEST_IS_REGULAR))
    options->backup_path = g_strdup (self->backup_path);
  options->use_stub = glint_firmware_page_get_use_stub (self->firmware_page);
  options->verify = glint_firmware_page_get_verify (self->firmware_page);
  options->reboot = glint_firmware_page_get_reboot (self->firmware_page);
  options->no_reset = !glint_firmware_page_get_auto_reset (self->firmware_page);
  /* The Demo board starts blank with every window: a record of what it
   * holds would only ever be wrong; its link's rate is worth keeping. */
  if (!self->flashing_demo)
    options->record = g_object_ref (self->flash_record);
  options->rates = g_object_ref (self->flash_record);

  self->flasher = glint_flasher_new (stream);
  glint_flasher_set_options (self->flasher, options);
  glint_flasher_set_plan (self->flasher, glint_firmware_page_get_plan (self->firmware_page));

  g_signal_connect_object (self->flasher, "log", G_CALLBACK (on_flasher_log_cb), self, 0);
  glint_flash_page_set_flasher (self->flash_page, self->flasher);

  glint_board_page_remember (self->board_page);
  self->flash_cancellable = g_cancellable_new ();
  self->flash_started_us = g_get_monotonic_time ();
  _glint_window_go_to (self, "flash");

  glint_flasher_flash_async (self->flasher, self->flash_cancellable, flash_cb,
                             g_object_ref (self));
}

/* Will the board start it? ---------------------------------------------------------- */

static void
boot_check_done (GlintWindow *self)
{
  g_clear_object (&self->boot_check_cancellable);
  g_clear_object (&self->boot_check_flasher);
  glint_wizard_page_set_applying (GLINT_WIZARD_PAGE (self->firmware_page), FALSE);
}

static void
on_boot_dialog_destroy_cb (GlintWindow *self,
                           GtkWidget   *dialog)
{
  if (self->boot_dialog == ADW_MESSAGE_DIALOG (dialog))
    self->boot_dialog = NULL;
}

static void
on_boot_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     GlintWindow      *self)
{
  /* The dialog closes itself after a response. */
  if (self->boot_dialog == dialog)
    self->boot_dialog = NULL;
  if (g_str_equal (response, "flash"))
    {
      self->boot_check_accepted = TRUE;
      _glint_window_start_flash (self);
    }
}

/* Warns, before anything is written, when the board would not start the
 * firmware; the user may flash anyway (a bootloader may come later). */
static void
boot_checked (GlintWindow              *self,
              const char               *chip,
              const GlintBoardContents *contents)
{
  GlintFlashPlan *plan = glint_firmware_page_get_plan (self->firmware_page);
  g_autofree char *problem = plan != NULL ? glint_boot_check (plan, chip, contents) : NULL;
  g_autofree char *body = NULL;
  const char *cause;
  GtkWidget *dialog;

  if (plan == NULL)
    return;
  /* A verdict, for the Done page: a problem is one; no problem is one
   * only where the board was read and the plan writes an app that needs
   * what it holds (else NULL may mean "cannot be told", and the plan alone
   * speaks). */
  g_clear_pointer (&self->boot_problem, g_free);
  self->boot_problem = g_strdup (problem);
  self->boot_verdict_known = problem != NULL ||
                             (chip != NULL && contents != NULL &&
                              contents->state != GLINT_CONTENTS_NOT_READ &&
                              glint_boot_check_needs_board (plan, chip));
  if (problem == NULL)
    {
      start_flash_now (self);
      return;
    }

  /* the heading says the first half */
  cause = strstr (problem, ": ");
  cause = cause != NULL ? cause + 2 : problem;
  body = g_strdup_printf ("%c%s.", g_ascii_toupper (cause[0]), cause + 1);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("The Board Will Not Start This Firmware"),
                                   body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "flash", _("_Flash Anyway"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "flash",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_boot_response_cb), self, 0);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (on_boot_dialog_destroy_cb), self,
                           G_CONNECT_SWAPPED);
  self->boot_dialog = ADW_MESSAGE_DIALOG (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
boot_check_info_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GlintWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintBoardInfo) info = glint_flasher_info_finish (GLINT_FLASHER (object), result,
                                                               &error);
  GlintFlashPlan *plan = glint_firmware_page_get_plan (self->firmware_page);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* the flash opens the port next, at once */
  glint_flasher_close_stream (GLINT_FLASHER (object));
  boot_check_done (self);
  if (info == NULL || plan == NULL)
    {
      /* the flash job meets the same trouble, and its page tells it */
      if (plan != NULL)
        start_flash_now (self);
      return;
    }
  boot_checked (self, glint_flash_plan_get_chip (plan) != NULL ? glint_flash_plan_get_chip (plan)
                                                                : info->chip,
                info->contents);
}

/**
 * _glint_window_start_flash:
 *
 * Flashes the Firmware page's plan to the chosen board. An app without a
 * bootloader or partition table of its own is checked first against
 * what the board holds (Detect's reading, or a quick read now), and the
 * user confirms when the board would not start it.
 */
void
_glint_window_start_flash (GlintWindow *self)
{
  GlintFlashPlan *plan = glint_firmware_page_get_plan (self->firmware_page);
  GlintBoardInfo *info = glint_board_page_get_board_info (self->board_page);
  const char *chip;
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (plan != NULL && self->address != NULL);

  if (self->flash_cancellable != NULL || self->boot_check_cancellable != NULL ||
      self->boot_dialog != NULL)
    return;
  chip = glint_flash_plan_get_chip (plan) != NULL ? glint_flash_plan_get_chip (plan) :
         info != NULL ? info->chip : NULL;
  /* a new check, unless this is the flash its question let go on */
  if (!self->boot_check_accepted)
    {
      g_clear_pointer (&self->boot_problem, g_free);
      self->boot_verdict_known = FALSE;
    }
  if (self->boot_check_accepted || self->no_boot_check)
    {
      self->boot_check_accepted = FALSE;
      start_flash_now (self);
      return;
    }
  /* a full build or merged image: the plan alone decides */
  if (!glint_boot_check_needs_board (plan, chip))
    {
      boot_checked (self, chip, NULL);
      return;
    }
  if (info != NULL && info->contents != NULL)
    {
      boot_checked (self, chip != NULL ? chip : info->chip, info->contents);
      return;
    }

  /* Detect holds the port; let go of it. */
  glint_board_page_cancel_detect (self->board_page);
  stream = glint_stream_new_for_address (g_str_equal (self->address, GLINT_DEMO_ADDRESS) ?
                                         _glint_window_demo_address (self) : self->address,
                                         &error);
  if (stream == NULL)
    {
      start_flash_now (self);
      return;
    }
  self->boot_check_flasher = glint_flasher_new (stream);
  self->boot_check_cancellable = g_cancellable_new ();
  glint_flasher_set_read_contents (self->boot_check_flasher, TRUE);
  glint_wizard_page_set_applying (GLINT_WIZARD_PAGE (self->firmware_page), TRUE);
  glint_flasher_info_async (self->boot_check_flasher, self->boot_check_cancellable,
                            boot_check_info_cb, g_object_ref (self));
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
  gboolean touched;

  self->cancel_watchdog_id = 0;
  if (self->flash_cancellable == NULL)
    return G_SOURCE_REMOVE;

  /* The job did not come back: let go of it (and of the port). flash_cb
   * ignores a late answer because flash_cancellable is gone. */
  touched = flash_touched (self);
  regions_merge (self);
  g_warning_once ("flash job did not finish %u s after cancelling", CANCEL_WATCHDOG_S);
  append_log (self, GLINT_LOG_WARNING, "the flash job did not stop in time; abandoned it");
  g_clear_object (&self->flash_cancellable);
  glint_flash_page_set_flasher (self->flash_page, NULL);
  g_clear_object (&self->flasher);
  _glint_window_go_to (self, "firmware");
  _glint_window_toast (self, cancelled_text (touched));

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

  /* Before anything was erased or written the board holds what it held:
   * stopping then costs nothing. */
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Stop Flashing?"),
                                   flash_touched (self) ?
                                   _("The board will not start until it is flashed "
                                     "completely.") :
                                   _("Nothing has been written yet: the board keeps "
                                     "its old firmware."));
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
  g_clear_pointer (&self->boot_problem, g_free);
  g_clear_pointer (&self->demo_address, g_free);
  _glint_window_forget_regions (self);
  if (self->log != NULL)
    g_string_free (self->log, TRUE);
  self->log = NULL;
}

void
_glint_window_log (GlintWindow   *self,
                   GlintLogLevel  level,
                   const char    *message)
{
  append_log (self, level, message);
}
