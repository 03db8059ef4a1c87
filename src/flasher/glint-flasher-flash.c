/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "glint-error.h"
#include "glint-flasher-flash-private.h"
#include "glint-stream.h"

/*
 * The flash job: connect, detect, load the stub (or say why the ROM does the
 * work), switch speed, then for every region of the plan a compressed write
 * (protocol.md §8.1), and an MD5 check of every region before anything is
 * called done. The stub acks each block before writing it (§9), so a block's
 * flash work is added to the wait for the *next* command.
 */

/* This file holds the job's steps and entry points; the writing is in
 * glint-flasher-flash-write.c, the search for what changed in
 * glint-flasher-flash-scan.c, the choice between the ROM and the stub in
 * glint-flasher-flash-cost.c. */

static void
flash_job_free (gpointer data)
{
  FlashJob *job = data;

  g_clear_pointer (&job->images, g_ptr_array_unref);
  g_clear_pointer (&job->segments, g_array_unref);
  g_clear_pointer (&job->differing, g_array_unref);
  g_free (job->whole);
  g_free (job->searching);
  g_free (job->hinted);
  g_free (job->hint_unchanged);
  g_free (job->board);
  g_queue_clear_full (&job->scan, g_free);
  g_queue_clear_full (&job->scan_sent, g_free);
  g_clear_pointer (&job->image, g_bytes_unref);
  g_clear_pointer (&job->payload, g_bytes_unref);
  g_free (job);
}

static void flash_resume (GTask *task);

/* The plan's own flash size, 0 where it has none ("keep", "detect") */
static guint64
plan_own_flash_size (GlintFlasher *self)
{
  return glint_flash_plan_parse_size (glint_flash_plan_get_flash_size (self->plan));
}

/* What the job writes against: the plan's own size, else the size the
 * board's flash id gave (read only when the plan needs more than the
 * default, flash_detected ()), else the default. */
static guint64
plan_flash_size (GlintFlasher *self)
{
  if (plan_own_flash_size (self) == 0 && self->flash_id_known &&
      self->detected_flash_size != 0)
    return self->detected_flash_size;
  return glint_flash_plan_get_flash_size_bytes (self->plan);
}

/* Where the plan's last region ends (its files read) */
static guint64
plan_end (GlintFlasher *self)
{
  guint64 end = 0;

  for (guint i = 0; i < glint_flash_plan_get_n_regions (self->plan); i++)
    {
      GBytes *data = glint_flash_plan_get_region_data (self->plan, i);
      guint64 region_end = (guint64) glint_flash_plan_get_region_offset (self->plan, i) +
                           (data != NULL ? g_bytes_get_size (data) : 0);

      end = MAX (end, region_end);
    }
  return end;
}

const char *
_glint_flash_region_name (GlintFlasher *self,
                          guint         region)
{
  const char *name = glint_flash_plan_get_region_name (self->plan, region);

  return name != NULL ? name : "image";
}

GlintRegionReport *
_glint_flash_report (GlintFlasher *self,
                     guint         region)
{
  return &g_array_index (self->regions, GlintRegionReport, region);
}

/* The record of what Glint wrote to this board (see glint-flash-record.c) */

static void
record_save (GlintFlasher *self)
{
  g_autoptr(GError) error = NULL;

  /* Only time is lost without it. */
  if (!glint_flash_record_save (self->record, &error))
    _glint_flasher_log (self, GLINT_LOG_WARNING, _("cannot keep a record of what was written "
                                                   "(%s): the next flash of this board will "
                                                   "take a little longer"), error->message);
}

/* Done ------------------------------------------------------------------------- */

static void
flash_done (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  gdouble seconds = (g_get_monotonic_time () - job->started) / 1e6;
  guint64 total = glint_flash_plan_get_total_bytes (self->plan);

  if (self->bytes_unchanged > 0)
    _glint_flasher_log (self, GLINT_LOG_INFO,
                        _("written %u of %u KiB, rest unchanged"),
                        (guint) ((self->bytes_written + 1023) / 1024),
                        (guint) ((total + 1023) / 1024));
  if (self->no_verify || _glint_flasher_secure_download (self))
    _glint_flasher_log (self, GLINT_LOG_INFO,
                        _("wrote %u bytes in %u region(s) in %.1f s"),
                        (guint) self->bytes_written, glint_flash_plan_get_n_regions (self->plan),
                        seconds);
  else
    _glint_flasher_log (self, GLINT_LOG_INFO,
                        _("wrote %u bytes and verified %u region(s) in %.1f s"),
                        (guint) self->bytes_written, job->verified, seconds);
  if (job->to_write == 0)
    _glint_flasher_set_progress (self, total, total);
  if (job->board != NULL)
    record_save (self);

  /* Written, but nothing could check it: not a success (never "Done") */
  if (!self->no_verify && _glint_flasher_secure_download (self))
    {
      _glint_flasher_job_fail (task,
                               g_error_new (GLINT_ERROR, GLINT_ERROR_NOT_VERIFIED,
                                            _("written, not verified: the chip is in secure "
                                              "download mode, whose ROM refuses the MD5 check "
                                              "(and flash reads)")));
      return;
    }

  g_task_return_boolean (task, TRUE);
  _glint_flasher_job_done (task);
}

static void
flash_reboot_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  /* The image is written and verified: a reset that fails is a warning. */
  if (!glint_loader_reset_finish (GLINT_LOADER (object), result, &error))
    _glint_flasher_log (self, GLINT_LOG_WARNING,
                        _("the board was not reset (%s): press its reset button to start "
                          "the new firmware"), error->message);
  else
    self->stub_running = FALSE;

  flash_done (task);
}

void
_glint_flash_reboot (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);

  if (self->no_reboot)
    {
      flash_done (task);
      return;
    }

  _glint_flasher_set_state (self, GLINT_FLASHER_STATE_REBOOTING);
  if (!glint_stream_get_can_control_lines (self->stream))
    {
      _glint_flasher_log (self, GLINT_LOG_WARNING,
                          _("%s cannot reset the board: press its reset button to start the "
                            "new firmware"), glint_stream_get_address (self->stream));
      flash_done (task);
      return;
    }

  glint_loader_reset_async (self->loader, GLINT_RESET_HARD, g_task_get_cancellable (task),
                            flash_reboot_cb, task);
}

static void
flash_erase_all_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);

  if (!_glint_flasher_finish_command (task, result, NULL, _("erasing the whole flash")))
    return;
  ((FlashJob *) g_task_get_task_data (task))->erased_all = TRUE;

  _glint_flasher_log (self, GLINT_LOG_INFO, _("the whole flash is erased"));
  _glint_flash_plan_writes (task);
}

/* ERASE_FLASH (a stub command, up to 120 s: protocol.md §7) before writing,
 * where asked. */
static void
flash_erase_all (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);

  if (!self->erase_all || ((FlashJob *) g_task_get_task_data (task))->erased_all)
    {
      _glint_flash_plan_writes (task);
      return;
    }

  if (!self->stub_running)
    {
      g_autofree char *why = _glint_flasher_describe_no_stub (self);

      _glint_flasher_job_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED,
                                                  _("erasing the whole flash needs the flasher "
                                                  "stub, and %s; nothing was erased or "
                                                  "written"), why));
      return;
    }

  /* Every region loses its old data now. */
  for (guint i = 0; i < self->regions->len; i++)
    _glint_flash_report (self, i)->status = GLINT_REGION_PARTLY_WRITTEN;

  _glint_flasher_set_state (self, GLINT_FLASHER_STATE_ERASING);
  _glint_flasher_log (self, GLINT_LOG_INFO, _("erasing the whole flash"));
  glint_loader_erase_flash_async (self->loader, g_task_get_cancellable (task),
                                  _glint_flasher_sent_cb,
                                  _glint_flasher_sent (task, flash_erase_all_cb));
}

static void
flash_backup_done (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);

  _glint_flasher_log (self, GLINT_LOG_INFO, _("the old contents are saved in %s"),
                      self->backup_file);
  ((FlashJob *) g_task_get_task_data (task))->backup_done = TRUE;
  _glint_flasher_set_resume (task, flash_resume);
  flash_erase_all (task);
}

/* The span from the lowest to the highest address of the plan, read into
 * the backup file before anything is erased (see
 * glint_flasher_set_backup_path()). */
static void
flash_backup (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  guint n_regions = glint_flash_plan_get_n_regions (self->plan);
  guint32 low = G_MAXUINT32;
  guint64 high = 0;

  if (self->backup_path == NULL || ((FlashJob *) g_task_get_task_data (task))->backup_done)
    {
      flash_erase_all (task);
      return;
    }

  for (guint i = 0; i < n_regions; i++)
    {
      low = MIN (low, _glint_flash_report (self, i)->offset);
      high = MAX (high, (guint64) _glint_flash_report (self, i)->offset +
                        _glint_flash_report (self, i)->size);
    }

  /* Back after a lost link: the same file, read on from what arrived
   * (_glint_flasher_read_into ()). */
  if (job->backup_started && self->backup_file != NULL)
    {
      _glint_flasher_read_into (task, low, (guint32) (high - low), self->backup_file,
                                flash_backup_done);
      return;
    }

  /* Into a folder: the file is named after the chip, the MAC, the offset
   * and the time, which is all it takes to restore it (glint-backup.c). */
  g_clear_pointer (&self->backup_file, g_free);
  job->backup_started = TRUE;
  if (g_file_test (self->backup_path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      guint8 mac[6];
      gboolean has_mac = self->ident_known &&
                         glint_chip_decode_mac (self->chip, _glint_flasher_detected_mac_words (self),
                                                mac, NULL);
      g_autofree char *name = glint_backup_name_format (self->chip->name, has_mac ? mac : NULL,
                                                        low, now);

      self->backup_file = g_build_filename (self->backup_path, name, NULL);
    }
  else
    {
      self->backup_file = g_strdup (self->backup_path);
    }

  _glint_flasher_log (self, GLINT_LOG_INFO, _("saving 0x%x bytes at 0x%x to %s before "
                                              "writing"), (guint32) (high - low), low,
                      self->backup_file);
  _glint_flasher_read_into (task, low, (guint32) (high - low), self->backup_file,
                            flash_backup_done);
}

/* Before the first erase: the backup, where asked. */
static void
flash_start_writing (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  guint n_regions = glint_flash_plan_get_n_regions (self->plan);

  /* Pad to a multiple of four with erased bytes (§8.1 step 3); the
   * bootloader is patched by now. (Again after a record that did not
   * hold: see flash_record_checked_cb ().) */
  g_clear_pointer (&job->images, g_ptr_array_unref);
  /* (a change scan that goes on keeps what it found) */
  if (!job->scan_kept && !job->write_kept)
    g_clear_pointer (&job->segments, g_array_unref);
  job->images = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (guint i = 0; i < n_regions; i++)
    {
      GBytes *region = glint_flash_plan_get_region_data (self->plan, i);
      gsize size = g_bytes_get_size (region);
      gsize padded = (size + 3) & ~(gsize) 3;
      guint8 *data = g_malloc (padded);

      memcpy (data, g_bytes_get_data (region, NULL), size);
      memset (data + size, 0xFF, padded - size);
      g_ptr_array_add (job->images, g_bytes_new_take (data, padded));
      _glint_flash_report (self, i)->size = padded;
    }

  if (job->segments == NULL)
    job->segments = g_array_new (FALSE, FALSE, sizeof (Span));
  /* secure download mode takes FLASH_BEGIN/DATA/END only (protocol.md §2) */
  job->compressed = self->stub_running ||
                    (glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_FLASH_DEFL) &&
                     !_glint_flasher_secure_download (self));
  flash_backup (task);
}

/* Preparing ------------------------------------------------------------------------ */

static void
flash_spi_params_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);

  if (!_glint_flasher_finish_command (task, result, NULL, _("setting the flash parameters")))
    return;

  ((FlashJob *) g_task_get_task_data (task))->stub_prepared = self->stub_running;
  flash_start_writing (task);
}

static void
flash_send_spi_params (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);

  glint_loader_spi_set_params_async (self->loader, plan_flash_size (self), self->stub_running,
                                     g_task_get_cancellable (task), _glint_flasher_sent_cb,
                                     _glint_flasher_sent (task, flash_spi_params_cb));
}

static void
flash_spi_attach_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);

  if (!_glint_flasher_finish_command (task, result, NULL, _("attaching the SPI flash")))
    return;

  /* The stub got both at once; the ROM one at a time. */
  if (!self->stub_running)
    flash_send_spi_params (task);
}

static void
flash_prepare (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);

  /* Refuse before writing anything rather than leave it unverified. */
  if (!self->stub_running && !self->no_verify && !_glint_flasher_secure_download (self) &&
      !glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_MD5))
    {
      _glint_flasher_job_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED,
                                                  _("the %s ROM cannot check what was written, and "
                                                  "no flasher stub was found: install esptool "
                                                  "(or put its stubs in %s/glint/stubs), or "
                                                  "flash without verification"),
                                                  self->chip->display_name,
                                                  g_get_user_data_dir ()));
      return;
    }

  /* The ESP8266 ROM has neither command; it needs none (§2 notes). */
  if (!self->stub_running && !glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_SPI_ATTACH))
    {
      flash_start_writing (task);
      return;
    }

  /* A stub that ran on through a lost answer keeps both (§7.3). */
  if (self->stub_running && job->stub_prepared && _glint_flasher_stub_kept (task))
    {
      flash_start_writing (task);
      return;
    }
  job->stub_prepared = FALSE;

  _glint_flasher_send_attach (task, flash_spi_attach_cb);

  /* The stub receives into two buffers (protocol.md §9): the two small
   * set-up commands can share one round trip. The ROM's receive side is
   * not documented, so it gets them one by one. */
  if (self->stub_running)
    flash_send_spi_params (task);
}

void
_glint_flash_change_baud (GTask *task)
{
  _glint_flasher_change_baud (task, flash_prepare);
}

static void regions_reset (GlintFlasher *self);

/* A backup goes back to the board it was read from: the chip is the
 * plan's (checked above), the MAC is checked here. */
static gboolean
check_backup_board (GlintFlasher  *self,
                    GError       **error)
{
  const GlintBackupName *backup = glint_flash_plan_get_backup (self->plan);
  g_autofree char *wanted = NULL;
  g_autofree char *found = NULL;
  guint8 mac[6];

  if (backup == NULL || !backup->has_mac)
    return TRUE;
  if (!self->ident_known ||
      !glint_chip_decode_mac (self->chip, _glint_flasher_detected_mac_words (self), mac, NULL))
    {
      _glint_flasher_log (self, GLINT_LOG_WARNING, _("the board's MAC cannot be read: whether "
                                                     "this backup came from this board is not "
                                                     "checked"));
      return TRUE;
    }
  if (memcmp (mac, backup->mac, sizeof mac) == 0)
    return TRUE;

  wanted = glint_backup_format_mac (backup->mac);
  found = glint_backup_format_mac (mac);
  g_set_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP,
               _("this backup was read from the board with MAC %s, and this board’s MAC is %s: "
                 "restore it to the board it came from (or, to write it here anyway, flash it "
                 "as raw data at 0x%x)"), wanted, found, backup->offset);
  return FALSE;
}

static void
flash_detected (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  /* a manifest with a build per chip: the board's chip picks its own */
  gboolean choosing = glint_flash_plan_get_build_chips (self->plan) != NULL;
  const char *plan_chip = choosing ? NULL : glint_flash_plan_get_chip (self->plan);
  const GlintChip *wanted = plan_chip != NULL ? glint_chip_lookup (plan_chip) : NULL;

  /* Nothing is written before the plan is known to fit this board. */
  if (wanted != NULL && wanted != self->chip)
    {
      _glint_flasher_job_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_WRONG_CHIP,
                                                  _("the firmware is for %s but the board is %s"),
                                                  wanted->display_name,
                                                  self->chip->display_name));
      return;
    }

  /* the revision the images ask for, by their headers (unknown in secure
   * download mode, and none on the ESP8266: not checked) */
  glint_flash_plan_set_chip_revision (self->plan, self->ident_known ? self->ident.revision : -1);

  /* A plan without a flash size of its own that needs more than the
   * default: what the board's flash id says decides, as with esptool's
   * detected size. Only then is it asked for (a few round trips). */
  if (!job->flash_id_asked && !self->flash_id_known && plan_own_flash_size (self) == 0)
    {
      if (!glint_flash_plan_validate (self->plan, self->chip->name, 0, &error))
        {
          _glint_flasher_job_fail (task, g_steal_pointer (&error));
          return;
        }
      if (plan_end (self) > glint_flash_plan_get_flash_size_bytes (self->plan))
        {
          job->flash_id_asked = TRUE;
          _glint_flasher_log (self, GLINT_LOG_INFO, _("the firmware reaches past 0x%llx: "
                                                      "reading the flash's size"),
                              (unsigned long long) glint_flash_plan_get_flash_size_bytes (self->plan));
          _glint_flasher_read_flash_id (task, flash_detected);
          return;
        }
    }

  if (!check_backup_board (self, &error) ||
      !glint_flash_plan_validate (self->plan, self->chip->name, plan_flash_size (self), &error) ||
      !glint_flash_plan_patch_bootloader (self->plan, self->chip->name, NULL, &error))
    {
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }
  /* A manifest's build chosen now, or an ELF that became two regions:
   * nothing is written yet, so the report starts afresh. */
  if (choosing || self->regions->len != glint_flash_plan_get_n_regions (self->plan))
    {
      regions_reset (self);
      _glint_flasher_set_progress (self, 0, glint_flash_plan_get_total_bytes (self->plan));
    }
  if (choosing)
    _glint_flasher_log (self, GLINT_LOG_INFO, _("the manifest's build for %s is flashed"),
                        self->chip->display_name);

  if (_glint_flasher_secure_download (self) && (self->erase_all || self->backup_path != NULL))
    {
      _glint_flasher_job_fail (task,
                               g_error_new (GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED,
                                            _("the chip is in secure download mode, whose ROM "
                                              "can neither erase the whole flash nor read it "
                                              "for a backup: flash without these options")));
      return;
    }

  /* From here on a lost link is recovered from (with a backup to make,
   * once it is made: a read cut short is not resumed). */
  if (self->backup_path == NULL)
    _glint_flasher_set_resume (task, flash_resume);

  if (self->security_known && glint_chip_flash_encrypted (self->flash_crypt_cnt))
    _glint_flasher_log (self, GLINT_LOG_WARNING,
                        _("flash encryption is on: the chip decrypts what it reads from flash, "
                          "so plaintext images written now will not run; write images "
                          "encrypted for this chip"));

  _glint_flash_choose_loader (task);
}

/* Back after a lost link (glint-flasher-recover.c), with the same chip:
 * the stub again where it is gone, the speed, and then the plan as at the
 * start, except that what the flash holds is asked for whatever was
 * chosen: what was written before the link was lost is found by MD5 and
 * not sent again; the final MD5 of every region decides as always. */
static void
flash_resume (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  Span *span;

  /* Lost during the change scan, before anything was written: what it
   * found stands (each answer it took was the chip's own, protocol.md
   * §7.3), and it goes on from the questions not answered, not from each
   * region's start again. */
  job->scan_kept = job->scanning;
  while (job->scan_kept && (span = g_queue_pop_tail (&job->scan_sent)) != NULL)
    g_queue_push_head (&job->scan, span);

  /* Lost while writing: the segments before the one being written are
   * written (each block was answered; and from the stub, which answers a
   * block before it writes it, a later command too). The one being written
   * is checked from its start; where none of its blocks was answered it is
   * written again whole, and the one before it is checked instead, as it
   * is where everything was written (a loss while verifying). See
   * _glint_flash_resume_writes (). */
  job->write_kept = job->writing && !job->scanning && job->segments != NULL &&
                    job->segments->len > 0;
  if (job->write_kept)
    {
      guint first = MIN (job->segment, job->segments->len);

      job->check_whole = first > 0 && (first == job->segments->len || job->segment_done == 0);
      job->check = job->check_whole || job->segment_done > 0;
      if (job->check_whole)
        first--;
      g_array_remove_range (job->segments, 0, first);
      job->check_at = g_array_index (job->segments, Span, 0).start;
    }
  job->writing = FALSE;

  if (!job->scan_kept && !job->write_kept)
    {
      g_queue_clear_full (&job->scan, g_free);
      g_queue_clear_full (&job->scan_sent, g_free);
      g_clear_pointer (&job->differing, g_array_unref);
      g_clear_pointer (&job->whole, g_free);
      g_clear_pointer (&job->searching, g_free);
      g_clear_pointer (&job->hinted, g_free);
      g_clear_pointer (&job->hint_unchanged, g_free);
    }
  if (!job->scan_kept)
    job->resuming = TRUE;
  job->scanning = FALSE;
  job->rom_by_record = FALSE;
  job->segment = 0;
  job->began = FALSE;
  job->block_attempts = 0;
  job->done_before = 0;
  job->segment_done = 0;
  job->verify_region = 0;
  job->verified = 0;
  job->verify_asked_again = FALSE;

  /* the rate that worked, not a new climb */
  if (self->baud == GLINT_FLASHER_BAUD_AUTO && self->baud_hint == 0)
    self->baud_hint = self->settled_baud;

  _glint_flasher_start_stub (task, _glint_flash_change_baud);
}

static void
flash_connected (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);

  /* The chip answers: a lost answer while it is made out is recovered
   * from too, by making it out again (its MAC is not known yet). */
  self->ident_known = FALSE;
  _glint_flasher_set_resume (task, flash_connected);
  _glint_flasher_detect (task, flash_detected);
}

/**
 * glint_flasher_set_plan:
 * @plan: (nullable): what to write where
 */
void
glint_flasher_set_plan (GlintFlasher   *self,
                        GlintFlashPlan *plan)
{
  g_return_if_fail (GLINT_IS_FLASHER (self));
  g_return_if_fail (plan == NULL || GLINT_IS_FLASH_PLAN (plan));

  g_set_object (&self->plan, plan);
}

/**
 * glint_flasher_set_baud:
 * @baud: the speed for the transfer, 0 to stay at the connection's, or
 *   %GLINT_FLASHER_BAUD_AUTO for the fastest the link sustains (see
 *   glint_flasher_set_baud_hint() and glint_flasher_get_settled_baud())
 *
 * Applies to the flash, read and erase jobs. The default is
 * %GLINT_FLASHER_BAUD_AUTO.
 */
void
glint_flasher_set_baud (GlintFlasher *self,
                        guint         baud)
{
  g_return_if_fail (GLINT_IS_FLASHER (self));

  self->baud = baud;
}

void
glint_flasher_set_use_stub (GlintFlasher *self,
                            gboolean      use_stub)
{
  g_return_if_fail (GLINT_IS_FLASHER (self));

  self->no_stub = !use_stub;
}

/**
 * glint_flasher_set_verify:
 *
 * Verification is on by default; without it the job never claims that the
 * flash holds the image.
 */
void
glint_flasher_set_verify (GlintFlasher *self,
                          gboolean      verify)
{
  g_return_if_fail (GLINT_IS_FLASHER (self));

  self->no_verify = !verify;
}

static void
region_report_clear (gpointer data)
{
  GlintRegionReport *rep = data;

  g_free (rep->name);
}

/* A fresh report: every region of the plan untouched. */
static void
regions_reset (GlintFlasher *self)
{
  guint n_regions = glint_flash_plan_get_n_regions (self->plan);

  g_clear_pointer (&self->regions, g_array_unref);
  self->regions = g_array_sized_new (FALSE, TRUE, sizeof (GlintRegionReport), n_regions);
  g_array_set_clear_func (self->regions, region_report_clear);
  for (guint i = 0; i < n_regions; i++)
    {
      GlintRegionReport rep = { 0 };
      GBytes *data = glint_flash_plan_get_region_data (self->plan, i);
      /* files are read when the plan is validated: the size may come later */
      gsize size = data != NULL ? g_bytes_get_size (data) : 0;

      rep.name = g_strdup (_glint_flash_region_name (self, i));
      rep.offset = glint_flash_plan_get_region_offset (self->plan, i);
      rep.size = (size + 3) & ~(gsize) 3;
      rep.status = GLINT_REGION_UNTOUCHED;
      g_array_append_val (self->regions, rep);
    }
  self->bytes_written = 0;
  self->bytes_unchanged = 0;
}

/**
 * glint_flasher_set_skip_unchanged:
 * @skip: whether to leave alone what the flash already holds
 *
 * On by default. Before writing a region the flasher asks the chip for the
 * MD5 of what its flash holds there; a region that matches is not written
 * at all (that MD5 is its verification), and of one that differs only the
 * 64 KiB chunks and then 4 KiB sectors that differ are erased and written.
 * Each written region is still verified as a whole at the end. Off, every
 * byte of the plan is written (the CLI's `--no-skip`). Where the chip
 * cannot tell an MD5 (the ESP8266 ROM without a stub) everything is written.
 */
void
glint_flasher_set_skip_unchanged (GlintFlasher *self,
                                  gboolean      skip)
{
  g_return_if_fail (GLINT_IS_FLASHER (self));

  self->no_skip = !skip;
}

/**
 * glint_flasher_set_erase_all:
 * @erase_all: whether to erase the whole flash before writing
 *
 * Off by default. On, the flash job sends ERASE_FLASH (which takes the
 * stub, and up to two minutes) before it writes the plan; nothing is then
 * skipped. Settings and data kept in other partitions are lost.
 */
void
glint_flasher_set_erase_all (GlintFlasher *self,
                             gboolean      erase_all)
{
  g_return_if_fail (GLINT_IS_FLASHER (self));

  self->erase_all = !!erase_all;
}

/**
 * glint_flasher_set_flash_record:
 * @record: (nullable): what Glint last wrote to each board
 *
 * With a record (and skipping unchanged data, and verification, on), the
 * flash job reads the board's MAC and, where the record knows every sector
 * of a region, writes the sectors that differ from it without first
 * asking the chip for MD5s. The final MD5 check of the region still
 * decides: if it fails, the record is dropped and the chip is asked, as
 * without one. Every region verified is written to the record.
 */
void
glint_flasher_set_flash_record (GlintFlasher     *self,
                                GlintFlashRecord *record)
{
  g_return_if_fail (GLINT_IS_FLASHER (self));
  g_return_if_fail (record == NULL || GLINT_IS_FLASH_RECORD (record));

  g_set_object (&self->record, record);
}

/**
 * glint_flasher_set_backup_path:
 * @path: (nullable): where to save the flash about to be overwritten
 *
 * Before the first erase, the flash job reads the span from the lowest
 * to the highest address of the plan (gaps between regions included, so
 * that the file goes back with one write at that address) into @path,
 * checked by MD5 and written atomically (a temporary file renamed once
 * complete). If that fails, nothing is erased or written. %NULL: no backup.
 * A folder: the file is named in it after the chip, the board's MAC, the
 * offset and the time (glint_backup_name_format()), so that flashing it
 * later puts it back (glint_flash_plan_new_for_path());
 * glint_flasher_get_backup_file() tells the name.
 */
void
glint_flasher_set_backup_path (GlintFlasher *self,
                               const char   *path)
{
  g_return_if_fail (GLINT_IS_FLASHER (self));

  g_free (self->backup_path);
  self->backup_path = g_strdup (path);
}

/**
 * glint_flasher_get_bytes_written:
 *
 * Returns: image bytes the last flash job wrote (blocks found unchanged
 *   are not counted)
 */
guint64
glint_flasher_get_bytes_written (GlintFlasher *self)
{
  g_return_val_if_fail (GLINT_IS_FLASHER (self), 0);

  return self->bytes_written;
}

/**
 * glint_flasher_get_bytes_unchanged:
 *
 * Returns: bytes of the plan the last flash job found already in the
 *   flash (by MD5) and did not write
 */
guint64
glint_flasher_get_bytes_unchanged (GlintFlasher *self)
{
  g_return_val_if_fail (GLINT_IS_FLASHER (self), 0);

  return self->bytes_unchanged;
}

/**
 * glint_flasher_get_n_regions:
 *
 * Returns: how many regions the last flash job's report has (those of its
 *   plan), 0 before any flash job
 */
guint
glint_flasher_get_n_regions (GlintFlasher *self)
{
  g_return_val_if_fail (GLINT_IS_FLASHER (self), 0);

  return self->regions != NULL ? self->regions->len : 0;
}

/**
 * glint_flasher_get_region_report:
 * @index: a region of the last flash job's plan
 *
 * What the last (or current) flash job did to that region: for the Done
 * and Failed pages. Valid until the next flash job starts.
 *
 * Returns: (transfer none): the region's report
 */
const GlintRegionReport *
glint_flasher_get_region_report (GlintFlasher *self,
                                 guint         index)
{
  g_return_val_if_fail (GLINT_IS_FLASHER (self), NULL);
  g_return_val_if_fail (index < glint_flasher_get_n_regions (self), NULL);

  return &g_array_index (self->regions, GlintRegionReport, index);
}

/**
 * glint_region_status_to_string:
 *
 * Returns: the status for people, translated ("written and verified")
 */
const char *
glint_region_status_to_string (GlintRegionStatus status)
{
  switch (status)
    {
    case GLINT_REGION_UNTOUCHED:
      return _("untouched");
    case GLINT_REGION_UNCHANGED:
      return _("unchanged (the flash already held it; checked by MD5)");
    case GLINT_REGION_PARTLY_WRITTEN:
      return _("partly written: it holds neither the old nor the new data");
    case GLINT_REGION_WRITTEN:
      return _("written, not verified");
    case GLINT_REGION_VERIFIED:
      return _("written and verified");
    case GLINT_REGION_MISMATCH:
      return _("written, but the flash does not match the file");
    default:
      return _("unknown");
    }
}

/**
 * glint_region_report_describe:
 * @report: what a flash job did to one region
 *
 * Returns: (transfer full): one line for people, translated ("app at
 *   0x10000 (1024 KiB): written and verified")
 */
char *
glint_region_report_describe (const GlintRegionReport *rep)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (rep != NULL, NULL);

  if (rep->size > 0)
    /* Translators: region name, flash address, size, then what happened */
    g_string_append_printf (text, _("%s at 0x%x (%u KiB): %s"), rep->name, rep->offset,
                            (rep->size + 1023) / 1024,
                            glint_region_status_to_string (rep->status));
  else
    /* Translators: region name, flash address, then what happened */
    g_string_append_printf (text, _("%s at 0x%x: %s"), rep->name, rep->offset,
                            glint_region_status_to_string (rep->status));
  if (rep->status == GLINT_REGION_PARTLY_WRITTEN && rep->written > 0)
    g_string_append_printf (text, _(" (%u of %u bytes written)"), rep->written, rep->size);

  return g_string_free (text, FALSE);
}

/**
 * glint_flasher_describe_regions:
 *
 * One line per region of the last flash job ("app at 0x10000 (1024 KiB):
 * written and verified"), translated: what the flash holds now.
 *
 * Returns: (transfer full) (nullable): the lines, %NULL before any flash job
 */
char *
glint_flasher_describe_regions (GlintFlasher *self)
{
  GString *text;

  g_return_val_if_fail (GLINT_IS_FLASHER (self), NULL);

  if (self->regions == NULL)
    return NULL;

  text = g_string_new (NULL);
  for (guint i = 0; i < self->regions->len; i++)
    {
      g_autofree char *line =
        glint_region_report_describe (&g_array_index (self->regions, GlintRegionReport, i));

      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, line);
    }

  return g_string_free (text, FALSE);
}

/* The note for an interrupted flash job: exactly what the flash holds. */
void
_glint_flasher_flash_failed (GlintFlasher *self)
{
  g_autofree char *regions = glint_flasher_describe_regions (self);
  gboolean touched = FALSE;
  gboolean all_written = TRUE;

  /* What was about to change is no longer on record. */
  if (self->record != NULL)
    record_save (self);

  if (regions == NULL)
    return;

  for (guint i = 0; i < self->regions->len; i++)
    {
      GlintRegionStatus status = g_array_index (self->regions, GlintRegionReport, i).status;

      touched |= status != GLINT_REGION_UNTOUCHED && status != GLINT_REGION_UNCHANGED;
      all_written &= status == GLINT_REGION_WRITTEN || status == GLINT_REGION_VERIFIED ||
                     status == GLINT_REGION_UNCHANGED;
    }

  _glint_flasher_log (self, GLINT_LOG_WARNING, "%s\n%s",
                      touched && all_written ?
                        _("The flash job wrote everything, but could not check all of it. "
                          "What the flash holds now:") :
                      touched ? _("The flash job stopped before the end. What the flash holds "
                                  "now:")
                              : _("The flash job stopped before writing anything:"),
                      regions);
}

/**
 * glint_flasher_flash_async:
 *
 * Writes the plan (glint_flasher_set_plan()) and checks every region's MD5
 * before it completes. Errors name the region, the block and the cause.
 */
void
glint_flasher_flash_async (GlintFlasher        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (GLINT_IS_FLASHER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = _glint_flasher_job_new (self, glint_flasher_flash_async, "glint-flasher-flash",
                                 cancellable, callback, user_data);
  if (task == NULL)
    return;

  g_clear_pointer (&self->regions, g_array_unref);
  g_clear_pointer (&self->backup_file, g_free);
  /* (a manifest's build for the board's chip is chosen once it is known) */
  if (self->plan == NULL || (glint_flash_plan_get_n_regions (self->plan) == 0 &&
                             glint_flash_plan_get_build_chips (self->plan) == NULL))
    {
      _glint_flasher_job_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                                                  _("nothing to flash: choose a firmware first")));
      return;
    }

  /* Where the backup goes is known now: say so before touching the board. */
  if (self->backup_path != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self->backup_path);

      /* a folder: the job names the file in it */
      if (g_file_test (self->backup_path, G_FILE_TEST_IS_DIR))
        {
          g_free (dir);
          dir = g_strdup (self->backup_path);
        }
      if (!g_file_test (dir, G_FILE_TEST_IS_DIR) || g_access (dir, W_OK) != 0)
        {
          _glint_flasher_job_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                                                      _("cannot write the backup file %s: "
                                                      "choose a file in a folder you can "
                                                      "write to"), self->backup_path));
          return;
        }
    }

  g_task_set_task_data (task, g_new0 (FlashJob, 1), flash_job_free);
  regions_reset (self);
  _glint_flasher_set_progress (self, 0, glint_flash_plan_get_total_bytes (self->plan));
  _glint_flasher_connect (task, flash_connected);
}

gboolean
glint_flasher_flash_finish (GlintFlasher  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (GLINT_IS_FLASHER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * glint_flasher_get_backup_file:
 *
 * Returns: (nullable): the file the last flash job saved the old flash
 *   contents in: the backup path, or the file it named in the backup
 *   folder (glint_flasher_set_backup_path()); %NULL without a backup
 */
const char *
glint_flasher_get_backup_file (GlintFlasher *self)
{
  g_return_val_if_fail (GLINT_IS_FLASHER (self), NULL);

  return self->backup_file;
}
