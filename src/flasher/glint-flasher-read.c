/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>

#include "glint-error.h"
#include "glint-flasher-private.h"

/*
 * The read job: connect, detect, load the stub, switch speed, attach the
 * flash, then read into a temporary file next to the destination. With the
 * stub, READ_FLASH streams raw packets that are acknowledged one by one and
 * ends with the MD5 of what it read (protocol.md §6.4); the ROM reads 64
 * bytes per READ_FLASH_SLOW and is checked with SPI_FLASH_MD5 where it has
 * one. The file appears under its name only once the data is complete and
 * checked: a failed read leaves nothing behind, and an older file by that
 * name untouched.
 */

#define PACKET_SIZE       0x1000
#define MAX_IN_FLIGHT     64
#define SLOW_READ_SIZE    GLINT_READ_FLASH_SLOW_SIZE
#define SLOW_READ_WARN    (64 * 1024)
/* The chip's own work for one packet: a 4 KiB flash read is quick; this
 * is esptool's per-frame port timeout less the link, which comes on top. */
#define PACKET_US         (1 * G_USEC_PER_SEC)

typedef struct
{
  guint32        offset;
  guint32        length;
  char          *path;
  char          *tmp_path;
  GOutputStream *out;
  GChecksum     *md5;
  GChecksum     *seg_md5;      /* of what came since the last READ_FLASH */
  guint32        received;     /* bytes from the chip */
  GByteArray    *unwritten;    /* received, not yet handed to the file */
  GBytes        *writing;      /* being written */
  gboolean       checked;      /* the MD5 matched: waiting for the file */
  gboolean       capturing;
  gboolean       link_busy;    /* a loader call will come back to the job */
  GError        *write_error;  /* for link_back () to report */
  gint64         started;
  GlintFlasherStep next;       /* a step of another job: what comes after */
} ReadJob;

/* The read's state, on the task of the read job or of the job it is a
 * step of (the flash job's backup). */
static ReadJob *
read_job (GTask *task)
{
  return g_object_get_data (G_OBJECT (task), "glint-read");
}

static void
read_job_cleanup (GlintFlasher *self,
                  ReadJob      *job)
{
  if (job->capturing && self->loader != NULL)
    glint_loader_set_capture_raw (self->loader, FALSE);
  job->capturing = FALSE;

  /* The stream closes its descriptor when the last write lets go of it. */
  g_clear_object (&job->out);
  if (job->tmp_path != NULL)
    {
      g_unlink (job->tmp_path);
      g_clear_pointer (&job->tmp_path, g_free);
    }
}

/* The job failed for good: nothing is left behind. */
static void
read_on_fail (GTask *task)
{
  ReadJob *job = read_job (task);

  if (job != NULL)
    read_job_cleanup (g_task_get_source_object (task), job);
}

static void
read_job_free (gpointer data)
{
  ReadJob *job = data;

  g_clear_object (&job->out);
  if (job->tmp_path != NULL)
    g_unlink (job->tmp_path);
  g_free (job->tmp_path);
  g_free (job->path);
  g_clear_pointer (&job->md5, g_checksum_free);
  g_clear_pointer (&job->seg_md5, g_checksum_free);
  g_clear_pointer (&job->unwritten, g_byte_array_unref);
  g_clear_pointer (&job->writing, g_bytes_unref);
  g_clear_error (&job->write_error);
  g_free (job);
}

/* Fails the job once the temporary file exists: removes it first. */
static void
read_fail (GTask  *task,
           GError *error)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ReadJob *job = read_job (task);

  /* (the temporary file stays while the job recovers from a lost link:
   * read_on_fail () removes it when the job fails for good) */
  if (job->capturing && self->loader != NULL)
    glint_loader_set_capture_raw (self->loader, FALSE);
  job->capturing = FALSE;
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_prefix_error (&error, _("reading 0x%x bytes at 0x%x: "), job->length, job->offset);
      if (job->next != NULL)
        g_prefix_error (&error, _("backing up to %s failed, so nothing was erased or written: "),
                        job->path);
    }
  _glint_flasher_job_fail (task, error);
}

/* File writes run beside the loader's calls, and a job ends once: a write
 * that fails while the loader works for the job leaves its error for the
 * loader's callback to report. */
static void
link_wait (GTask *task)
{
  ReadJob *job = read_job (task);

  job->link_busy = TRUE;
}

static gboolean
link_back (GTask *task)
{
  ReadJob *job = read_job (task);

  job->link_busy = FALSE;
  if (job->write_error != NULL)
    {
      read_fail (task, g_steal_pointer (&job->write_error));
      return FALSE;
    }

  return TRUE;
}

/* The file ------------------------------------------------------------------------ */

static gboolean
open_temp (GTask   *task,
           GError **error)
{
  ReadJob *job = read_job (task);
  g_autofree char *dir = g_path_get_dirname (job->path);
  g_autofree char *base = g_path_get_basename (job->path);
  g_autofree char *tmpl = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  int fd = g_mkstemp_full (tmpl, O_WRONLY, 0644);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("cannot create a file in %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }

  job->tmp_path = g_steal_pointer (&tmpl);
  job->out = g_unix_output_stream_new (fd, TRUE);
  return TRUE;
}

static void
read_done (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ReadJob *job = read_job (task);
  g_autoptr(GError) error = NULL;
  gdouble seconds = (g_get_monotonic_time () - job->started) / 1e6;

  if (!g_output_stream_close (job->out, NULL, &error))
    {
      g_prefix_error (&error, _("writing %s: "), job->tmp_path);
      read_fail (task, g_steal_pointer (&error));
      return;
    }

  if (g_rename (job->tmp_path, job->path) != 0)
    {
      int saved = errno;

      read_fail (task, g_error_new (G_IO_ERROR, g_io_error_from_errno (saved),
                                    _("cannot save %s: %s"), job->path, g_strerror (saved)));
      return;
    }
  g_clear_pointer (&job->tmp_path, g_free);
  read_job_cleanup (self, job);

  _glint_flasher_log (self, GLINT_LOG_INFO, _("read 0x%x bytes at 0x%x into %s in %.1f s"),
                      job->length, job->offset, job->path, seconds);
  if (job->next != NULL)
    {
      job->next (task);
      return;
    }
  g_task_return_boolean (task, TRUE);
  _glint_flasher_job_done (task);
}

static void write_some (GTask *task);

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ReadJob *job = read_job (task);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error);
  g_clear_pointer (&job->writing, g_bytes_unref);

  /* The job failed meanwhile: the file is gone already. */
  if (_glint_flasher_job_is_over (task))
    return;

  if (!ok)
    {
      g_prefix_error (&error, _("writing %s: "), job->tmp_path);
      if (job->link_busy)
        job->write_error = g_steal_pointer (&error);
      else
        read_fail (task, g_steal_pointer (&error));
      return;
    }

  write_some (task);
}

/* Hands what arrived to the file, one write at a time; once the data is
 * checked and all written, the file takes its name. Local writes are not
 * cancelled: cancelling the job stops the link, and the file goes. */
static void
write_some (GTask *task)
{
  ReadJob *job = read_job (task);

  if (job->writing != NULL)
    return;

  if (job->unwritten->len == 0)
    {
      if (job->checked)
        read_done (task);
      return;
    }

  job->writing = g_byte_array_free_to_bytes (g_steal_pointer (&job->unwritten));
  job->unwritten = g_byte_array_new ();
  g_output_stream_write_all_async (job->out, g_bytes_get_data (job->writing, NULL),
                                   g_bytes_get_size (job->writing), G_PRIORITY_DEFAULT,
                                   NULL, write_cb,
                                   g_object_ref (task));
}

static void
data_received (GTask        *task,
               const guint8 *data,
               gsize         len)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ReadJob *job = read_job (task);

  g_checksum_update (job->md5, data, len);
  g_checksum_update (job->seg_md5, data, len);
  g_byte_array_append (job->unwritten, data, len);
  job->received += len;
  _glint_flasher_set_progress (self, job->received, job->length);
  write_some (task);
}

/* Compares the chip's MD5 with @ours; the file is finished when written. */
static void
data_check (GTask      *task,
            const char *ours,
            const char *chip_md5)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ReadJob *job = read_job (task);

  if (g_ascii_strcasecmp (ours, chip_md5) != 0)
    {
      read_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_CHECKSUM_MISMATCH,
                                    _("the data received has MD5 %s but the flash holds %s"),
                                    ours, chip_md5));
      return;
    }

  _glint_flasher_log (self, GLINT_LOG_DEBUG, "read data checked (MD5 %s)", ours);
  job->checked = TRUE;
  write_some (task);
}

/* The flash's MD5 of what was read: the answer ---------------------------------------- */

static void
flash_md5_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autofree char *hex = NULL;
  gsize len;
  const guint8 *data;

  reply = glint_loader_command_finish (GLINT_LOADER (object), result, NULL, &error);
  if (!link_back (task))
    return;
  if (reply == NULL)
    {
      g_prefix_error (&error, _("checking the data: "));
      read_fail (task, g_steal_pointer (&error));
      return;
    }

  /* The ROM answers in 32 hex characters, the stub in 16 bytes (§2). */
  data = g_bytes_get_data (reply, &len);
  if (self->stub_running)
    {
      GString *s = g_string_new (NULL);

      for (gsize i = 0; i < len; i++)
        g_string_append_printf (s, "%02x", data[i]);
      hex = g_string_free (s, FALSE);
    }
  else
    {
      hex = g_strndup ((const char *) data, len);
    }
  data_check (task, g_checksum_get_string (read_job (task)->md5), hex);
}

static void
ask_flash_md5 (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ReadJob *job = read_job (task);

  _glint_flasher_set_state (self, GLINT_FLASHER_STATE_VERIFYING);
  link_wait (task);
  glint_loader_flash_md5_async (self->loader, job->offset, job->length, self->stub_running,
                                g_task_get_cancellable (task), _glint_flasher_sent_cb,
                                _glint_flasher_sent (task, flash_md5_cb));
}

/* Stub: READ_FLASH (§6.4) ------------------------------------------------------------ */

static void wait_packet (GTask *task);

/* A packet wait, for the job's link of the moment (see
 * _glint_flasher_job_epoch ()) */
typedef struct
{
  GTask *task;
  guint  epoch;
} PacketWait;

static void
packet_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  PacketWait *wait = user_data;
  g_autoptr(GTask) task = wait->task;
  guint epoch = wait->epoch;
  GlintFlasher *self = g_task_get_source_object (task);
  ReadJob *job = read_job (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GBytes) ack = NULL;
  const guint8 *data;
  gsize len;
  guint8 total[4];

  g_free (wait);
  frame = glint_loader_wait_raw_frame_finish (GLINT_LOADER (object), result, &error);
  /* the job ended, or a link that is gone: only collect it */
  if (_glint_flasher_job_is_over (task) || epoch != _glint_flasher_job_epoch (task))
    return;
  if (!link_back (task))
    return;
  if (frame == NULL)
    {
      read_fail (task, g_steal_pointer (&error));
      return;
    }

  data = g_bytes_get_data (frame, &len);

  /* After the data, the chip's MD5 of all of it. */
  if (job->received == job->length)
    {
      g_autoptr(GString) hex = g_string_new (NULL);

      if (len != 16)
        {
          read_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_INVALID_RESPONSE,
                                        _("expected the 16-byte MD5 after the data, got %u bytes"),
                                        (guint) len));
          return;
        }
      for (gsize i = 0; i < len; i++)
        g_string_append_printf (hex, "%02x", data[i]);
      glint_loader_set_capture_raw (self->loader, FALSE);
      job->capturing = FALSE;
      /* The stub's MD5 covers what it read (since a resume: what this
       * READ_FLASH read): a bit read wrong on its way from the flash is in
       * both.  The flash's own MD5 of the whole region, a second read,
       * decides. */
      if (g_ascii_strcasecmp (hex->str, g_checksum_get_string (job->seg_md5)) != 0)
        data_check (task, g_checksum_get_string (job->seg_md5), hex->str);
      else
        ask_flash_md5 (task);
      return;
    }

  if (len == 0 || len > MIN ((gsize) PACKET_SIZE, (gsize) (job->length - job->received)))
    {
      read_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_INVALID_RESPONSE,
                                    _("a packet of %u bytes after 0x%x of 0x%x"), (guint) len,
                                    job->received, job->length));
      return;
    }

  data_received (task, data, len);

  /* The acknowledgement: everything received so far. */
  glint_put_u32 (total, job->received);
  ack = g_bytes_new (total, sizeof total);
  if (!glint_loader_send_raw (self->loader, ack, &error))
    {
      read_fail (task, g_steal_pointer (&error));
      return;
    }

  wait_packet (task);
}

static void
wait_packet (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  PacketWait *wait = g_new0 (PacketWait, 1);

  wait->task = g_object_ref (task);
  wait->epoch = _glint_flasher_job_epoch (task);
  link_wait (task);
  glint_loader_wait_raw_frame_async (self->loader, PACKET_SIZE, PACKET_US,
                                     g_task_get_cancellable (task), packet_cb, wait);
}

static void
read_flash_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;

  reply = glint_loader_command_finish (GLINT_LOADER (object), result, NULL, &error);
  if (!link_back (task))
    return;
  if (reply == NULL)
    {
      read_fail (task, g_steal_pointer (&error));
      return;
    }

  wait_packet (task);
}

static void
read_with_stub (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ReadJob *job = read_job (task);

  /* everything came before the link was lost, but the stub's MD5 */
  if (job->received == job->length)
    {
      ask_flash_md5 (task);
      return;
    }

  /* Packets may follow the response at once: keep them from now on. */
  glint_loader_set_capture_raw (self->loader, TRUE);
  job->capturing = TRUE;
  g_checksum_reset (job->seg_md5);

  link_wait (task);
  glint_loader_read_flash_async (self->loader, job->offset + job->received,
                                 job->length - job->received, PACKET_SIZE,
                                 MAX_IN_FLIGHT, g_task_get_cancellable (task),
                                 _glint_flasher_sent_cb, _glint_flasher_sent (task, read_flash_cb));
}

/* ROM: READ_FLASH_SLOW, 64 bytes at a time -------------------------------------------- */

static void read_slow_next (GTask *task);
static void read_slow_complete (GTask *task);

static void
read_slow_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  ReadJob *job = read_job (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  gsize want = MIN ((gsize) SLOW_READ_SIZE, (gsize) (job->length - job->received));

  reply = glint_loader_command_finish (GLINT_LOADER (object), result, NULL, &error);
  if (!link_back (task))
    return;
  if (reply == NULL)
    {
      read_fail (task, g_steal_pointer (&error));
      return;
    }

  /* The ROM always answers 64 bytes; only the first ones were asked for. */
  data_received (task, g_bytes_get_data (reply, NULL), want);
  read_slow_next (task);
}

static void
read_slow_complete (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ReadJob *job = read_job (task);

  if (!glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_MD5))
    {
      _glint_flasher_log (self, GLINT_LOG_WARNING, _("the %s ROM cannot check what was read"),
                          self->chip->display_name);
      job->checked = TRUE;
      write_some (task);
      return;
    }

  ask_flash_md5 (task);
}

static void
read_slow_next (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ReadJob *job = read_job (task);

  if (job->received == job->length)
    {
      read_slow_complete (task);
      return;
    }

  link_wait (task);
  glint_loader_read_flash_slow_async (self->loader, job->offset + job->received,
                                      MIN ((guint32) SLOW_READ_SIZE,
                                           job->length - job->received),
                                      g_task_get_cancellable (task), _glint_flasher_sent_cb,
                                      _glint_flasher_sent (task, read_slow_cb));
}

/* Starting -------------------------------------------------------------------------- */

static void
read_attached (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ReadJob *job = read_job (task);
  g_autoptr(GError) error = NULL;

  /* back after a lost link: on from what arrived */
  if (job->out != NULL)
    {
      if (job->write_error != NULL)
        {
          read_fail (task, g_steal_pointer (&job->write_error));
          return;
        }
      _glint_flasher_set_state (self, GLINT_FLASHER_STATE_READING);
      _glint_flasher_log (self, GLINT_LOG_INFO, _("reading on at 0x%x: 0x%x of 0x%x bytes "
                                                  "had arrived"),
                          job->offset + job->received, job->received, job->length);
      if (self->stub_running)
        read_with_stub (task);
      else
        read_slow_next (task);
      return;
    }

  if (!open_temp (task, &error))
    {
      read_fail (task, g_steal_pointer (&error));
      return;
    }

  _glint_flasher_set_state (self, GLINT_FLASHER_STATE_READING);
  _glint_flasher_log (self, GLINT_LOG_INFO, _("reading 0x%x bytes at 0x%x"), job->length,
                      job->offset);
  job->started = g_get_monotonic_time ();
  _glint_flasher_set_progress (self, 0, job->length);

  if (self->stub_running)
    read_with_stub (task);
  else
    read_slow_next (task);
}

static void
read_speed_set (GTask *task)
{
  _glint_flasher_attach_flash (task, read_attached);
}

static void
read_stub_ready (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ReadJob *job = read_job (task);

  if (!self->stub_running)
    {
      if (!glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_READ_FLASH_SLOW))
        {
          g_autofree char *why = _glint_flasher_describe_no_stub (self);

          _glint_flasher_job_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED,
                                                      _("reading 0x%x bytes at 0x%x: the %s ROM "
                                                      "cannot read flash, and %s"),
                                                      job->length, job->offset,
                                                      self->chip->display_name, why));
          return;
        }
      if (job->length > SLOW_READ_WARN)
        _glint_flasher_log (self, GLINT_LOG_WARNING, _("the ROM loader reads %u bytes per "
                            "command: 0x%x bytes will take a while"), SLOW_READ_SIZE,
                            job->length);
    }

  _glint_flasher_change_baud (task, read_speed_set);
}

/* Back after a lost link (glint-flasher-recover.c), with the same chip:
 * the stub again where it is gone, the speed that worked, and the read
 * goes on from the last packet that arrived; the temporary file keeps
 * what came, and the MD5 of the whole region still decides. */
static void
read_resume (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ReadJob *job = read_job (task);

  job->capturing = FALSE;
  job->link_busy = FALSE;
  if (self->baud == GLINT_FLASHER_BAUD_AUTO && self->baud_hint == 0)
    self->baud_hint = self->settled_baud;
  _glint_flasher_start_stub (task, read_stub_ready);
}

/* The flash's size known (where its id tells it): a region that ends
 * past it is refused here, not by the chip. */
static void
read_size_known (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ReadJob *job = read_job (task);
  g_autofree char *what = g_strdup_printf (_("reading 0x%x bytes at 0x%x"), job->length,
                                           job->offset);
  GError *error = NULL;

  if (!_glint_flasher_check_flash_end (self, what, job->offset, job->length, &error))
    {
      _glint_flasher_job_fail (task, error);
      return;
    }

  /* From here on a lost link is recovered from. */
  _glint_flasher_set_resume (task, read_resume);
  _glint_flasher_start_stub (task, read_stub_ready);
}

static void
read_detected (GTask *task)
{
  _glint_flasher_read_flash_id (task, read_size_known);
}

static void
read_connected (GTask *task)
{
  _glint_flasher_detect (task, read_detected);
}

static ReadJob *
read_job_new (GTask      *task,
              guint32     offset,
              guint32     length,
              const char *path)
{
  ReadJob *job = g_new0 (ReadJob, 1);

  job->offset = offset;
  job->length = length;
  job->path = g_strdup (path);
  job->md5 = g_checksum_new (G_CHECKSUM_MD5);
  job->seg_md5 = g_checksum_new (G_CHECKSUM_MD5);
  job->unwritten = g_byte_array_new ();
  g_object_set_data_full (G_OBJECT (task), "glint-read", job, read_job_free);
  g_object_set_data (G_OBJECT (task), "glint-on-fail", (gpointer) read_on_fail);

  return job;
}

/**
 * _glint_flasher_read_into:
 * @next: called once @path holds the data, checked
 *
 * The read job's work as a step of another job (the flash job's backup),
 * with the stub started and the flash attached: reads @length bytes at
 * @offset into @path, through a temporary file renamed only once the
 * data matches the chip's MD5. On failure the job fails and no file is
 * left behind.
 */
void
_glint_flasher_read_into (GTask            *task,
                          guint32           offset,
                          guint32           length,
                          const char       *path,
                          GlintFlasherStep  next)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ReadJob *job = read_job (task);

  /* Back after a lost link, the same span into the same file: on from
   * the last packet that arrived, as a read job does (read_resume ()). */
  if (job != NULL && job->out != NULL && job->next == next && job->offset == offset &&
      job->length == length && g_strcmp0 (job->path, path) == 0)
    {
      job->capturing = FALSE;
      job->link_busy = FALSE;
    }
  else
    {
      job = read_job_new (task, offset, length, path);
      job->next = next;
    }

  if (!self->stub_running && !glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_READ_FLASH_SLOW))
    {
      g_autofree char *why = _glint_flasher_describe_no_stub (self);

      _glint_flasher_job_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED,
                                                  _("backing up 0x%x bytes at 0x%x: the %s ROM "
                                                  "cannot read flash, and %s; nothing was "
                                                  "erased or written"), length, offset,
                                                  self->chip->display_name, why));
      return;
    }

  read_attached (task);
}

/**
 * glint_flasher_read_flash_async:
 * @offset: where to start
 * @length: how many bytes, at least one
 * @path: the file to write
 *
 * Reads flash into @path. The data goes to a temporary file next to it
 * that takes its name only once complete and checked against the chip's
 * MD5; on failure nothing is left behind and an existing @path stays.
 */
void
glint_flasher_read_flash_async (GlintFlasher        *self,
                                guint32              offset,
                                guint32              length,
                                const char          *path,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (GLINT_IS_FLASHER (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = _glint_flasher_job_new (self, glint_flasher_read_flash_async, "glint-flasher-read",
                                 cancellable, callback, user_data);
  if (task == NULL)
    return;

  if (length == 0 || (guint64) offset + length > G_MAXUINT32)
    {
      _glint_flasher_job_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                                                  _("reading 0x%x bytes at 0x%x: %s"), length,
                                                  offset, length == 0 ? _("nothing to read")
                                                                      : _("past 4 GiB")));
      return;
    }

  /* Where the file goes is known now: say so before touching the board. */
  {
    g_autofree char *dir = g_path_get_dirname (path);

    if (g_file_test (path, G_FILE_TEST_IS_DIR) || !g_file_test (dir, G_FILE_TEST_IS_DIR) ||
        g_access (dir, W_OK) != 0)
      {
        _glint_flasher_job_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                                                    _("reading 0x%x bytes at 0x%x: cannot write "
                                                    "%s"), length, offset, path));
        return;
      }
  }

  read_job_new (task, offset, length, path);
  _glint_flasher_set_progress (self, 0, length);
  _glint_flasher_connect (task, read_connected);
}

gboolean
glint_flasher_read_flash_finish (GlintFlasher  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (GLINT_IS_FLASHER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
