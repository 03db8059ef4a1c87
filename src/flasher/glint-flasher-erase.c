/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "glint-error.h"
#include "glint-flasher-private.h"

/*
 * The erase job: connect, detect, load the stub, attach the flash, then
 * ERASE_FLASH or ERASE_REGION (protocol.md §8.2). Both are stub commands.
 * Without a stub a region is erased the way the ROM erases before a write:
 * FLASH_BEGIN erases up front, and no data follows. The ROM has no way to
 * erase the whole chip, so that needs the stub.
 *
 * A region goes in pieces of ERASE_PIECE, one command each, so that after
 * a lost link (glint-flasher-recover.c) only the pieces whose answer had
 * not come are erased again. The whole chip is one command, sent again.
 */

#define ERASE_PIECE  (256 * 1024)

typedef struct
{
  guint32  offset;
  guint32  length;         /* 0: the whole chip */
  guint32  done;           /* confirmed, from offset on */
  guint32  piece;          /* being erased */
  gboolean resumed;
  gint64   started;
} EraseJob;

static char *
describe (EraseJob *job)
{
  if (job->length == 0)
    return g_strdup (_("erasing the whole flash"));

  return g_strdup_printf (_("erasing 0x%x bytes at 0x%x"), job->length, job->offset);
}

static void erase_run (GTask *task);
static void erase_cb  (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data);

/* The next piece of a region, job->piece bytes after what is done. */
static void
erase_piece (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  EraseJob *job = g_task_get_task_data (task);
  guint32 at = job->offset + job->done;

  if (self->stub_running)
    {
      glint_loader_erase_region_async (self->loader, at, job->piece,
                                       g_task_get_cancellable (task), _glint_flasher_sent_cb,
                                       _glint_flasher_sent (task, erase_cb));
      return;
    }

  /* ROM: FLASH_BEGIN(erase size, no blocks, block size, offset) erases
   * before it answers (§8.1 step 5); the fifth word where the ROM takes it. */
  glint_loader_flash_begin_async (self->loader, FALSE, job->piece, 0,
                                  glint_chip_get_flash_write_size (self->chip, FALSE, FALSE),
                                  at,
                                  glint_chip_rom_has (self->chip,
                                                      GLINT_CHIP_ROM_FLASH_BEGIN_ENCRYPTED),
                                  FALSE, g_task_get_cancellable (task), _glint_flasher_sent_cb,
                                  _glint_flasher_sent (task, erase_cb));
}

static void
erase_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  EraseJob *job = g_task_get_task_data (task);
  g_autofree char *what = describe (job);
  gdouble seconds;

  if (!_glint_flasher_finish_command (task, result, NULL, "%s", what))
    return;

  if (job->length > 0)
    {
      job->done += job->piece;
      _glint_flasher_set_progress (self, job->done, job->length);
      if (job->done < job->length)
        {
          erase_run (task);
          return;
        }
    }

  seconds = (g_get_monotonic_time () - job->started) / 1e6;
  if (job->length == 0)
    _glint_flasher_log (self, GLINT_LOG_INFO, _("erased the whole flash in %.1f s"), seconds);
  else
    _glint_flasher_log (self, GLINT_LOG_INFO, _("erased 0x%x bytes at 0x%x in %.1f s"),
                        job->length, job->offset, seconds);

  g_task_return_boolean (task, TRUE);
  _glint_flasher_job_done (task);
}

static void
erase_run (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  EraseJob *job = g_task_get_task_data (task);
  gboolean first = job->started == 0;

  _glint_flasher_set_state (self, GLINT_FLASHER_STATE_ERASING);
  if (first)
    job->started = g_get_monotonic_time ();
  job->piece = MIN ((guint32) ERASE_PIECE, job->length - job->done);

  /* each piece after the first, or what was not confirmed after a
   * recovery: said once */
  if (job->length > 0 && !first && !job->resumed)
    {
      erase_piece (task);
      return;
    }
  if (job->resumed && job->length > 0)
    {
      job->resumed = FALSE;
      _glint_flasher_log (self, GLINT_LOG_INFO, _("erasing on at 0x%x: 0x%x of 0x%x bytes were "
                                                  "erased"),
                          job->offset + job->done, job->done, job->length);
      erase_piece (task);
      return;
    }
  job->resumed = FALSE;

  if (self->stub_running && job->length == 0)
    {
      _glint_flasher_log (self, GLINT_LOG_INFO, _("erasing the whole flash (this takes a while)"));
      glint_loader_erase_flash_async (self->loader, g_task_get_cancellable (task),
                                      _glint_flasher_sent_cb, _glint_flasher_sent (task, erase_cb));
      return;
    }

  if (self->stub_running)
    _glint_flasher_log (self, GLINT_LOG_INFO, _("erasing 0x%x bytes at 0x%x"), job->length,
                        job->offset);
  else
    _glint_flasher_log (self, GLINT_LOG_INFO, _("erasing 0x%x bytes at 0x%x with the ROM loader"),
                        job->length, job->offset);
  erase_piece (task);
}

static void
erase_stub_ready (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  EraseJob *job = g_task_get_task_data (task);

  if (!self->stub_running)
    {
      /* The ESP8266 ROM's FLASH_BEGIN erases a different amount than asked
       * (§5.4), and no ROM erases the whole chip (§8.2). */
      if (job->length == 0 || g_str_equal (self->chip->name, "esp8266"))
        {
          g_autofree char *what = describe (job);
          g_autofree char *why = _glint_flasher_describe_no_stub (self);

          _glint_flasher_job_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED,
                                                      _("%s: the %s ROM cannot do this, and %s"),
                                                      what, self->chip->display_name, why));
          return;
        }
    }

  _glint_flasher_attach_flash (task, erase_run);
}

/* Back after a lost link (glint-flasher-recover.c), with the same chip:
 * the stub again where it is gone, then the pieces not confirmed. */
static void
erase_resume (GTask *task)
{
  EraseJob *job = g_task_get_task_data (task);

  job->resumed = job->started != 0;
  _glint_flasher_start_stub (task, erase_stub_ready);
}

/* The flash's size known (where its id tells it): a region that ends
 * past it is refused here, not by the chip. */
static void
erase_size_known (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  EraseJob *job = g_task_get_task_data (task);
  g_autofree char *what = describe (job);
  GError *error = NULL;

  if (job->length > 0 &&
      !_glint_flasher_check_flash_end (self, what, job->offset, job->length, &error))
    {
      _glint_flasher_job_fail (task, error);
      return;
    }

  /* From here on a lost link is recovered from. */
  _glint_flasher_set_resume (task, erase_resume);
  _glint_flasher_start_stub (task, erase_stub_ready);
}

static void
erase_detected (GTask *task)
{
  EraseJob *job = g_task_get_task_data (task);

  if (job->length > 0)
    _glint_flasher_read_flash_id (task, erase_size_known);
  else
    erase_size_known (task);
}

static void
erase_connected (GTask *task)
{
  _glint_flasher_detect (task, erase_detected);
}

/**
 * glint_flasher_erase_async:
 * @offset: where to start, a multiple of 4 KiB
 * @length: how much to erase, a multiple of 4 KiB; 0 (with @offset 0) for
 *   the whole flash
 *
 * Erases flash. Arguments are checked before anything goes to the board.
 */
void
glint_flasher_erase_async (GlintFlasher        *self,
                           guint32              offset,
                           guint32              length,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;
  EraseJob *job;

  g_return_if_fail (GLINT_IS_FLASHER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = _glint_flasher_job_new (self, glint_flasher_erase_async, "glint-flasher-erase",
                                 cancellable, callback, user_data);
  if (task == NULL)
    return;

  if (length == 0 && offset != 0)
    {
      _glint_flasher_job_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                                                  _("erasing at 0x%x: the length is 0"), offset));
      return;
    }

  if (offset % GLINT_SECTOR_SIZE != 0 || length % GLINT_SECTOR_SIZE != 0 ||
      (guint64) offset + length > G_MAXUINT32)
    {
      _glint_flasher_job_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                                                  _("erasing 0x%x bytes at 0x%x: offset and "
                                                  "length must be multiples of the 4 KiB "
                                                  "sector (0x%x)"), length, offset,
                                                  GLINT_SECTOR_SIZE));
      return;
    }

  job = g_new0 (EraseJob, 1);
  job->offset = offset;
  job->length = length;
  g_task_set_task_data (task, job, g_free);
  _glint_flasher_set_progress (self, 0, 0);
  _glint_flasher_connect (task, erase_connected);
}

gboolean
glint_flasher_erase_finish (GlintFlasher  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (GLINT_IS_FLASHER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
