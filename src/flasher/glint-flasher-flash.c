/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>
#include <zlib.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "glint-error.h"
#include "glint-flash-plan.h"
#include "glint-flash-record.h"
#include "glint-flasher-private.h"
#include "glint-link-timing.h"
#include "glint-stream.h"
#include "glint-stub.h"

/*
 * The flash job: connect, detect, load the stub (or say why the ROM does the
 * work), switch speed, then for every region of the plan a compressed write
 * (protocol.md §8.1), and an MD5 check of every region before anything is
 * called done. The stub acks each block before writing it (§9), so a block's
 * flash work is added to the wait for the *next* command.
 */

#define WRITE_BLOCK_ATTEMPTS 3   /* as esptool (protocol.md §7) */

/* Skipping what the chip already holds: a region whose MD5 matches is left
 * alone; one that differs is looked at in 64 KiB chunks, and a chunk that
 * differs in 4 KiB blocks (the erase sector), as long as one more round of
 * questions is cheaper than writing the lot (see worth_splitting ()). */
#define SKIP_BLOCK      0x1000
#define SKIP_CHUNK      0x10000

typedef struct
{
  guint      region;
  gsize      start;           /* in the region's padded image */
  gsize      length;
  gboolean   probe;           /* the region's first sector, asked first */
} Span;

typedef struct
{
  GPtrArray *images;          /* per region, padded to 4 bytes */
  GArray    *segments;        /* Span: what gets written, in order */
  guint      segment;         /* the one being written */
  GQueue     scan;            /* Span*: waiting for the chip's MD5 */
  GQueue     scan_sent;       /* Span*: asked, oldest first */
  GArray    *differing;       /* Span: 64 KiB chunks that differ, to split or not */
  gboolean  *whole;           /* per region: found erased, written whole */
  gboolean  *searching;       /* per region: in the current round of questions */
  gboolean  *hinted;          /* per region: what to write came from the record */
  guint64   *hint_unchanged;  /* per region: bytes the record called unchanged */
  char      *board;           /* the board's key in the record, once known */
  gboolean   board_asked;     /* its MAC was asked for */
  gboolean   rom_by_record;   /* the ROM alone, chosen for what the record says */
  guint      check_region;    /* ... the region whose first sector checks it */
  GlintFlasherStep after_board; /* flash_read_board ()'s next step */
  GBytes    *image;           /* the current segment's data */
  GBytes    *payload;         /* what is sent: compressed or the image */
  gboolean   compressed;
  gboolean   began;           /* a FLASH(_DEFL)_BEGIN was sent */
  guint32    offset;
  gsize      block_size;
  guint      n_blocks;
  guint      block;
  guint      block_attempts;  /* sends of the current block that came back damaged */
  guint64    done_before;     /* image bytes of earlier segments */
  guint64    segment_done;    /* image bytes of this segment acknowledged */
  guint64    to_write;
  guint      verify_region;
  guint      verified;        /* regions verified so far */
  guint      md5_questions;   /* MD5s asked while looking for changes */
  gint64     started;
  gboolean   resuming;        /* after a lost link: ask the chip what it holds */
  gboolean   backup_done;
  gboolean   erased_all;
  gboolean   verify_asked_again; /* the region's MD5 differed once */
} FlashJob;

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

static void flash_segment_begin    (GTask *task);
static void flash_verify_next      (GTask *task);
static void flash_writes_done      (GTask *task);
static void flash_resume           (GTask *task);
static void flash_record_was_wrong (GTask *task,
                                    guint  region);

static guint64
plan_flash_size (GlintFlasher *self)
{
  return glint_flash_plan_get_flash_size_bytes (self->plan);
}

static const char *
region_name (GlintFlasher *self,
             guint         region)
{
  const char *name = glint_flash_plan_get_region_name (self->plan, region);

  return name != NULL ? name : "image";
}

static GlintRegionReport *
report (GlintFlasher *self,
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

/* A region the flash was just found to hold. */
static void
record_remember (GlintFlasher *self,
                 FlashJob     *job,
                 guint         region)
{
  if (job->board != NULL)
    glint_flash_record_remember (self->record, job->board, report (self, region)->offset,
                                 g_ptr_array_index (job->images, region));
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

static void
flash_reboot (GTask *task)
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

/* Verifying ---------------------------------------------------------------------- */

static char *
md5_hex (const guint8 *data,
         gsize         len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_MD5, data, len);
}

static char *
md5_of_erased (gsize len)
{
  g_autofree guint8 *ff = g_malloc (len);

  memset (ff, 0xFF, len);
  return g_compute_checksum_for_data (G_CHECKSUM_MD5, ff, len);
}

/* The chip's answer to SPI_FLASH_MD5 as lower-case hex: the stub sends the
 * 16 raw bytes, the ROM 32 hex characters (protocol.md §2). */
static char *
hex_of (const guint8 *data,
        gsize         len)
{
  GString *hex = g_string_sized_new (2 * len);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", data[i]);

  return g_string_free (hex, FALSE);
}

static char *
reply_md5 (GlintFlasher *self,
           GBytes       *reply)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (reply, &len);

  if (!self->stub_running)
    return g_ascii_strdown ((const char *) data, len);

  return hex_of (data, len);
}

static void
send_md5 (GTask               *task,
          guint32              address,
          gsize                size,
          GAsyncReadyCallback  callback)
{
  GlintFlasher *self = g_task_get_source_object (task);

  glint_loader_flash_md5_async (self->loader, address, size, self->stub_running,
                                g_task_get_cancellable (task), _glint_flasher_sent_cb,
                                _glint_flasher_sent (task, callback));
}

static void
flash_verify_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  g_autoptr(GBytes) reply = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *actual = NULL;
  guint region = job->verify_region;
  GBytes *image = g_ptr_array_index (job->images, region);
  gsize size;
  const guint8 *data = g_bytes_get_data (image, &size);

  if (!_glint_flasher_finish_command (task, result, &reply, _("verifying %s at 0x%x"),
                                      region_name (self, region),
                                      glint_flash_plan_get_region_offset (self->plan, region)))
    return;

  actual = reply_md5 (self, reply);
  expected = md5_hex (data, size);
  if (!g_str_equal (expected, actual) && job->hinted[region])
    {
      flash_record_was_wrong (task, region);
      return;
    }

  /* An answer damaged on the way reads as another MD5 (nothing checks
   * an answer's data): one more question before calling the flash wrong. */
  if (!g_str_equal (expected, actual) && !job->verify_asked_again)
    {
      job->verify_asked_again = TRUE;
      _glint_flasher_log (self, GLINT_LOG_INFO, _("%s at 0x%x: the flash holds MD5 %s, not %s; "
                                                  "asking again"),
                          region_name (self, region),
                          glint_flash_plan_get_region_offset (self->plan, region), actual,
                          expected);
      flash_verify_next (task);
      return;
    }

  if (!g_str_equal (expected, actual))
    {
      g_autofree char *erased = md5_of_erased (size);

      report (self, region)->status = GLINT_REGION_MISMATCH;
      _glint_flasher_job_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_CHECKSUM_MISMATCH,
                                                  _("verification of %s at 0x%x failed: the "
                                                  "flash holds MD5 %s, the file %s%s"),
                                                  region_name (self, region),
                                                  glint_flash_plan_get_region_offset (self->plan,
                                                                                      region),
                                                  actual, expected,
                                                  g_str_equal (actual, erased) ?
                                                  _(" (the region is empty)") : ""));
      return;
    }

  if (report (self, region)->status != GLINT_REGION_UNCHANGED)
    report (self, region)->status = GLINT_REGION_VERIFIED;
  record_remember (self, job, region);
  _glint_flasher_log (self, GLINT_LOG_NOTICE, _("%s at 0x%x verified (MD5 %s)"),
                      region_name (self, region),
                      glint_flash_plan_get_region_offset (self->plan, region), actual);
  job->verified++;
  job->verify_region++;
  job->verify_asked_again = FALSE;
  flash_verify_next (task);
}

static void
flash_verify_next (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  guint n_regions = glint_flash_plan_get_n_regions (self->plan);

  /* A region found unchanged was verified by that very MD5, unless
   * anything was written since: on a chip smaller than its id says, a
   * later region lands on an earlier one, so only an MD5 taken after the
   * last write counts. */
  while (job->verify_region < n_regions && job->to_write == 0 && self->bytes_written == 0 &&
         report (self, job->verify_region)->status == GLINT_REGION_UNCHANGED)
    {
      record_remember (self, job, job->verify_region);
      job->verified++;
      job->verify_region++;
    }

  if (job->verify_region >= n_regions)
    {
      flash_reboot (task);
      return;
    }

  _glint_flasher_set_state (self, GLINT_FLASHER_STATE_VERIFYING);
  send_md5 (task, glint_flash_plan_get_region_offset (self->plan, job->verify_region),
            g_bytes_get_size (g_ptr_array_index (job->images, job->verify_region)),
            flash_verify_cb);
}

static void
flash_end_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);

  /* The stub only promises the last block once this is acknowledged. */
  if (!_glint_flasher_finish_command (task, result, NULL, _("finishing the write")))
    return;
  ((FlashJob *) g_task_get_task_data (task))->began = FALSE;

  if (self->no_verify)
    flash_reboot (task);
  else
    flash_verify_next (task);
}

static void
flash_writes_done (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);

  /* Said plainly: nothing below claims the flash holds the image. */
  if (self->no_verify)
    _glint_flasher_log (self, GLINT_LOG_WARNING, _("written without verification, as asked"));

  /* To the ROM a FLASH_END would leave the loader (protocol.md §8.1); a
   * stub that was given nothing to write has nothing to finish. */
  if (!self->stub_running || !job->began)
    {
      if (self->no_verify || _glint_flasher_secure_download (self))
        flash_reboot (task);
      else
        flash_verify_next (task);
      return;
    }

  /* stay in the loader: the job resets the chip itself */
  if (job->compressed)
    glint_loader_flash_defl_end_async (self->loader, TRUE, g_task_get_cancellable (task),
                                       _glint_flasher_sent_cb,
                                       _glint_flasher_sent (task, flash_end_cb));
  else
    glint_loader_flash_end_async (self->loader, TRUE, g_task_get_cancellable (task),
                                  _glint_flasher_sent_cb,
                                  _glint_flasher_sent (task, flash_end_cb));
}

/* Writing ------------------------------------------------------------------------- */

static void
flash_send_block (GTask *task);

static const Span *
current_segment (FlashJob *job)
{
  return &g_array_index (job->segments, Span, job->segment);
}

static void
flash_block_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  const Span *segment = current_segment (job);
  GlintRegionReport *rep = report (self, segment->region);
  gsize image_size = g_bytes_get_size (job->image);
  gsize payload_size = g_bytes_get_size (job->payload);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint64 done;

  reply = glint_loader_command_finish (GLINT_LOADER (object), result, NULL, &error);
  if (reply == NULL)
    {
      /* The chip checks each block's checksum before it takes it, so a
       * block damaged on the way can simply be sent again (esptool tries
       * three times). A damaged length field makes the ROM call the message
       * malformed ("not supported", status 0x05), although the write
       * command itself was just accepted: that is damage too (a command
       * really unsupported fails the same way three times). Anything else
       * ends the job. */
      if ((g_error_matches (error, GLINT_ERROR, GLINT_ERROR_CHECKSUM_MISMATCH) ||
           g_error_matches (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED)) &&
          ++job->block_attempts < WRITE_BLOCK_ATTEMPTS)
        {
          _glint_flasher_log (self, GLINT_LOG_WARNING, _("block %u of %u of %s arrived damaged; "
                              "sending it again"), job->block, job->n_blocks,
                              region_name (self, segment->region));
          job->block--;
          flash_send_block (task);
          return;
        }
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, _("writing %s at 0x%x, block %u of %u: "),
                        region_name (self, segment->region), job->offset, job->block,
                        job->n_blocks);
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }
  job->block_attempts = 0;

  /* Progress in image bytes: the share of the payload acknowledged. */
  done = MIN ((guint64) image_size,
              (guint64) image_size * MIN ((gsize) job->block * job->block_size, payload_size) /
              payload_size);
  rep->written += done - job->segment_done;
  self->bytes_written += done - job->segment_done;
  job->segment_done = done;
  _glint_flasher_set_progress (self, job->done_before + done, job->to_write);

  if (job->block < job->n_blocks)
    {
      flash_send_block (task);
      return;
    }

  _glint_flasher_log (self, GLINT_LOG_DEBUG, "0x%x: %" G_GSIZE_FORMAT " bytes written (%"
                      G_GSIZE_FORMAT " sent)", job->offset, image_size, payload_size);
  job->done_before += image_size;
  job->segment++;

  /* The region's last segment: all of it that differed is written. */
  if (job->segment >= job->segments->len || current_segment (job)->region != segment->region)
    {
      rep->status = GLINT_REGION_WRITTEN;
      _glint_flasher_log (self, GLINT_LOG_INFO, _("%s at 0x%x written (%u of %u bytes)"),
                          region_name (self, segment->region), rep->offset, rep->written,
                          rep->size);
    }

  if (job->segment < job->segments->len)
    flash_segment_begin (task);
  else
    flash_writes_done (task);
}

static void
flash_send_block (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  gsize payload_size;
  const guint8 *payload_data = g_bytes_get_data (job->payload, &payload_size);
  gsize start = (gsize) job->block * job->block_size;
  gsize len = MIN (job->block_size, payload_size - start);
  gsize image_size = g_bytes_get_size (job->image);
  gsize work = MAX ((gsize) 1, (gsize) ((guint64) image_size * len / payload_size));

  /* Uncompressed, the loader pads the last block with erased bytes (§5.3). */
  if (job->compressed)
    glint_loader_flash_defl_data_async (self->loader, payload_data + start, len, job->block, work,
                                        self->stub_running, g_task_get_cancellable (task),
                                        _glint_flasher_sent_cb,
                                        _glint_flasher_sent (task, flash_block_cb));
  else
    glint_loader_flash_data_async (self->loader, payload_data + start, len, job->block_size,
                                   job->block, self->stub_running, g_task_get_cancellable (task),
                                   _glint_flasher_sent_cb,
                                   _glint_flasher_sent (task, flash_block_cb));
  job->block++;
}

static void
flash_begin_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);

  if (!_glint_flasher_finish_command (task, result, NULL, _("starting to write %s at 0x%x"),
                                      region_name (self, current_segment (job)->region),
                                      job->offset))
    return;

  /* The stub already has block 0 (see flash_segment_begin ()). */
  if (!self->stub_running)
    flash_send_block (task);
}

/* ESP8266 ROM erase-size workaround (protocol.md §5.4). */
static guint32
esp8266_erase_size (guint32 offset,
                    guint32 size)
{
  guint32 sectors_per_block = 16;
  guint32 num_sectors = (size + GLINT_SECTOR_SIZE - 1) / GLINT_SECTOR_SIZE;
  guint32 start_sector = offset / GLINT_SECTOR_SIZE;
  guint32 head = sectors_per_block - (start_sector % sectors_per_block);

  if (num_sectors < head)
    head = num_sectors;

  if (num_sectors < 2 * head)
    return (num_sectors + 1) / 2 * GLINT_SECTOR_SIZE;

  return (num_sectors - head) * GLINT_SECTOR_SIZE;
}

static GBytes *
compress_image (GBytes  *image,
                GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (image, &len);
  uLongf out_len = compressBound (len);
  g_autofree guint8 *out = g_malloc (out_len);
  int rc = compress2 (out, &out_len, data, len, 9);

  if (rc != Z_OK)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_FAILED, _("compressing the image failed (%d)"),
                   rc);
      return NULL;
    }

  return g_bytes_new_take (g_realloc (g_steal_pointer (&out), out_len), out_len);
}

/* One contiguous stretch of a region (all of it, or the blocks that
 * differ): FLASH(_DEFL)_BEGIN, then its blocks. */
static void
flash_segment_begin (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  const Span *segment = current_segment (job);
  GlintRegionReport *rep = report (self, segment->region);
  g_autoptr(GError) error = NULL;
  gboolean stub = self->stub_running;
  gsize size = segment->length;
  gboolean encrypted_word;
  guint32 erase;

  _glint_flasher_set_state (self, GLINT_FLASHER_STATE_WRITING);

  g_clear_pointer (&job->image, g_bytes_unref);
  job->image = g_bytes_new_from_bytes (g_ptr_array_index (job->images, segment->region),
                                       segment->start, segment->length);
  job->offset = rep->offset + segment->start;
  job->block_size = glint_chip_get_flash_write_size (self->chip, stub, FALSE);
  job->block = 0;
  job->segment_done = 0;

  g_clear_pointer (&job->payload, g_bytes_unref);
  if (job->compressed)
    {
      job->payload = compress_image (job->image, &error);
      if (job->payload == NULL)
        {
          _glint_flasher_job_fail (task, g_steal_pointer (&error));
          return;
        }
    }
  else
    {
      job->payload = g_bytes_ref (job->image);
    }

  job->n_blocks = (g_bytes_get_size (job->payload) + job->block_size - 1) / job->block_size;

  /* word 0: what to erase. The stub takes the exact size; the ROM erases
   * that much up front, rounded up to whole blocks for compressed writes
   * (§8.1 step 4), and with its own formula on the ESP8266 (§5.4). */
  if (stub)
    erase = size;
  else if (job->compressed)
    erase = (size + job->block_size - 1) / job->block_size * job->block_size;
  else if (g_str_equal (self->chip->name, "esp8266"))
    erase = esp8266_erase_size (job->offset, size);
  else
    erase = size;

  /* The fifth word, "not encrypted", for stubs and ROMs that take it. */
  encrypted_word = stub || glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_FLASH_BEGIN_ENCRYPTED);

  /* From here on the region holds neither the old data nor the new. */
  if (rep->status == GLINT_REGION_UNTOUCHED)
    rep->status = GLINT_REGION_PARTLY_WRITTEN;
  job->began = TRUE;

  _glint_flasher_log (self, GLINT_LOG_DEBUG, "writing %s: %" G_GSIZE_FORMAT " bytes at 0x%x in %u"
                      " block(s)%s", region_name (self, segment->region), size, job->offset,
                      job->n_blocks, job->compressed ? ", compressed" : "");
  if (job->compressed)
    glint_loader_flash_defl_begin_async (self->loader, erase, job->n_blocks, job->block_size,
                                         job->offset, encrypted_word, stub,
                                         g_task_get_cancellable (task), _glint_flasher_sent_cb,
                                         _glint_flasher_sent (task, flash_begin_cb));
  else
    glint_loader_flash_begin_async (self->loader, erase, job->n_blocks, job->block_size,
                                    job->offset, encrypted_word, stub,
                                    g_task_get_cancellable (task), _glint_flasher_sent_cb,
                                    _glint_flasher_sent (task, flash_begin_cb));

  /* The stub erases lazily and answers BEGIN at once, so block 0 can wait
   * in its second receive buffer: one round trip less per segment. The ROM
   * erases the whole segment first, with only its UART FIFO to receive
   * into; it gets block 0 after it answered. */
  if (stub)
    flash_send_block (task);
}

static void
flash_write_segments (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);

  job->to_write = 0;
  for (guint i = 0; i < job->segments->len; i++)
    job->to_write += g_array_index (job->segments, Span, i).length;

  /* No claim about what is about to change survives a job that stops
   * half way (saved at the end, or when the job fails; were the process
   * killed, the claim left would only cost the next flash time: the
   * final check catches it). */
  for (guint i = 0; job->board != NULL && i < job->segments->len; i++)
    {
      const Span *span = &g_array_index (job->segments, Span, i);

      glint_flash_record_forget (self->record, job->board,
                                 report (self, span->region)->offset + span->start, span->length);
    }

  /* Progress and ETA count only what is sent. */
  job->started = job->started != 0 ? job->started : g_get_monotonic_time ();
  _glint_flasher_set_progress (self, 0, job->to_write);

  if (job->segments->len == 0)
    {
      _glint_flasher_log (self, GLINT_LOG_INFO, _("the flash already holds all of it: nothing "
                                                  "to write"));
      flash_writes_done (task);
      return;
    }

  flash_segment_begin (task);
}

/* Looking for what changed ------------------------------------------------------ */

static void
add_segment (FlashJob   *job,
             const Span *span)
{
  g_array_append_val (job->segments, *span);
}

static int
span_compare (gconstpointer a,
              gconstpointer b)
{
  const Span *x = a;
  const Span *y = b;

  if (x->region != y->region)
    return x->region < y->region ? -1 : 1;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;

  return 0;
}

/* In region and address order, neighbours joined: one BEGIN per stretch. */
static void
segments_tidy (FlashJob *job)
{
  GArray *joined = g_array_new (FALSE, FALSE, sizeof (Span));

  g_array_sort (job->segments, span_compare);
  for (guint i = 0; i < job->segments->len; i++)
    {
      const Span *span = &g_array_index (job->segments, Span, i);
      Span *last = joined->len > 0 ? &g_array_index (joined, Span, joined->len - 1) : NULL;

      if (last != NULL && last->region == span->region &&
          last->start + last->length == span->start)
        last->length += span->length;
      else
        g_array_append_val (joined, *span);
    }

  g_array_unref (job->segments);
  job->segments = joined;
}

/* Rough costs for deciding how far to look (microseconds). The chip's MD5
 * speed is a guess (the simulator models 0.3 s per MiB; a stub reading
 * flash and hashing in software is of that order). */
#define MD5_US_PER_MIB      300000
#define SECTOR_WRITE_US     30000     /* erase + program of 4 KiB */

static gint64
md5_cost (gsize length)
{
  return (gint64) length * MD5_US_PER_MIB / (1024 * 1024);
}

static gint64
rtt_us (GlintFlasher *self)
{
  return glint_link_timing_get_srtt (glint_loader_get_timing (self->loader));
}

/* Whether asking for the MD5s of @length bytes' parts costs less than
 * writing them whole: the questions take a round trip per two (the stub's
 * two receive buffers, protocol.md §9) plus the chip's hashing, the write
 * at least its wire time (assuming 2:1 compression) or its flash time,
 * whichever is longer. On a local port round trips are a few milliseconds
 * and splitting nearly always pays; at 400 ms it stops paying for small
 * chunks at high baud. */
static gboolean
worth_splitting (GlintFlasher *self,
                 gsize         length,
                 gsize         part)
{
  guint n_parts = (length + part - 1) / part;
  guint width = self->stub_running ? 2 : 1;
  gint64 ask = (gint64) ((n_parts + width - 1) / width) * rtt_us (self) + md5_cost (length);
  gint64 wire = glint_link_timing_wire_time (length / 2, glint_stream_get_baud (self->stream));
  gint64 flash = (gint64) ((length + GLINT_SECTOR_SIZE - 1) / GLINT_SECTOR_SIZE) * SECTOR_WRITE_US;

  return ask < MAX (wire, flash);
}

static void
push_parts (FlashJob   *job,
            const Span *span,
            gsize       part)
{
  for (gsize at = 0; at < span->length; at += part)
    {
      Span *child = g_new (Span, 1);

      child->region = span->region;
      child->start = span->start + at;
      child->length = MIN (part, span->length - at);
      child->probe = FALSE;
      g_queue_push_tail (&job->scan, child);
    }
}

static void scan_pump (GTask *task);

static void
scan_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  g_autofree Span *span = g_queue_pop_head (&job->scan_sent);
  g_autoptr(GBytes) reply = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *ours = NULL;
  g_autofree char *erased = NULL;
  GBytes *image = g_ptr_array_index (job->images, span->region);
  gsize image_size = g_bytes_get_size (image);
  const guint8 *data = g_bytes_get_data (image, NULL);

  if (!_glint_flasher_finish_command (task, result, &reply, _("reading the MD5 of %s at 0x%x"),
                                      region_name (self, span->region),
                                      report (self, span->region)->offset + (guint32) span->start))
    return;

  /* The region is being written whole already: nothing to learn. */
  if (job->whole[span->region])
    {
      scan_pump (task);
      return;
    }

  theirs = reply_md5 (self, reply);
  ours = md5_hex (data + span->start, span->length);

  /* A region whose first sector is erased is taken to be erased all over
   * (a new board, or one erased): written whole, without hashing the rest.
   * At worst that writes more than needed, never less. */
  if (span->probe)
    {
      erased = md5_of_erased (span->length);
      if (g_str_equal (theirs, erased) && !g_str_equal (ours, erased))
        {
          Span all = { span->region, 0, image_size, FALSE };
          GList *l = job->scan.head;

          job->whole[span->region] = TRUE;
          add_segment (job, &all);
          while (l != NULL)
            {
              GList *next = l->next;

              if (((Span *) l->data)->region == span->region)
                {
                  g_free (l->data);
                  g_queue_delete_link (&job->scan, l);
                }
              l = next;
            }
        }
      scan_pump (task);
      return;
    }

  if (g_str_equal (theirs, ours))
    {
      /* (after a lost link, what matches now was mostly written before) */
      if (!job->resuming)
        self->bytes_unchanged += span->length;
    }
  else if (span->length <= SKIP_BLOCK)
    {
      add_segment (job, span);
    }
  else
    {
      /* Erased flash differs everywhere the image is not blank itself:
       * no point in looking closer. */
      erased = md5_of_erased (span->length);
      if (g_str_equal (theirs, erased))
        add_segment (job, span);
      else if (span->length == image_size && image_size > SKIP_CHUNK)
        {
          if (worth_splitting (self, span->length, SKIP_CHUNK))
            push_parts (job, span, SKIP_CHUNK);
          else
            add_segment (job, span);
        }
      else
        {
          /* a chunk: split or not once all of its region's chunks are known */
          g_array_append_val (job->differing, *span);
        }
    }

  scan_pump (task);
}

/* Once every chunk has answered: where most of a region's chunks differ
 * the image is a different one, and looking at 4 KiB blocks would cost
 * more questions than it saves; elsewhere, the blocks of the chunks that
 * differ are asked about. */
static void
scan_split_chunks (FlashJob     *job,
                   GlintFlasher *self)
{
  guint n_regions = job->images->len;
  g_autofree guint *n_differing = g_new0 (guint, n_regions);

  for (guint i = 0; i < job->differing->len; i++)
    n_differing[g_array_index (job->differing, Span, i).region]++;

  for (guint i = 0; i < job->differing->len; i++)
    {
      const Span *span = &g_array_index (job->differing, Span, i);
      gsize size = g_bytes_get_size (g_ptr_array_index (job->images, span->region));
      guint n_chunks = (size + SKIP_CHUNK - 1) / SKIP_CHUNK;

      gboolean mostly_new = n_chunks >= 4 && n_differing[span->region] * 2 > n_chunks;

      if (!mostly_new && worth_splitting (self, span->length, SKIP_BLOCK))
        push_parts (job, span, SKIP_BLOCK);
      else
        add_segment (job, span);
    }

  g_array_set_size (job->differing, 0);
}

static gboolean
is_root (FlashJob   *job,
         const Span *span)
{
  return !span->probe &&
         span->length == g_bytes_get_size (g_ptr_array_index (job->images, span->region));
}

static gboolean
probe_pending (FlashJob *job,
               guint     region)
{
  for (GList *l = job->scan_sent.head; l != NULL; l = l->next)
    {
      const Span *sent = l->data;

      if (sent->probe && sent->region == region)
        return TRUE;
    }

  return FALSE;
}

/* Keeps up to two questions at the stub (one at the ROM, whose receive
 * side is not documented); when all are answered, writes what differs. */
static void
scan_pump (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  guint width = self->stub_running ? 2 : 1;

  if (job->scan.length == 0 && job->scan_sent.length == 0 && job->differing->len > 0)
    scan_split_chunks (job, self);

  while (job->scan_sent.length < width && job->scan.length > 0)
    {
      Span *span = g_queue_peek_head (&job->scan);

      /* A region asked about as a whole (slow links) waits for its first
       * sector: on a blank board that answer makes hashing the rest, and
       * waiting for it, needless. */
      if (is_root (job, span) && probe_pending (job, span->region))
        break;
      g_queue_pop_head (&job->scan);

      g_queue_push_tail (&job->scan_sent, span);
      job->md5_questions++;
      send_md5 (task, report (self, span->region)->offset + span->start, span->length, scan_cb);
    }

  if (job->scan_sent.length > 0)
    return;

  segments_tidy (job);

  /* A region asked about with nothing to write matched its MD5(s) all
   * over: that is its verification. */
  for (guint i = 0; i < job->images->len; i++)
    {
      gboolean written = FALSE;

      if (!job->searching[i])
        continue;
      job->searching[i] = FALSE;
      for (guint j = 0; j < job->segments->len; j++)
        written |= g_array_index (job->segments, Span, j).region == i;
      /* (written before a lost link: all of it arrived) */
      if (!written && report (self, i)->written > 0)
        {
          report (self, i)->status = GLINT_REGION_WRITTEN;
        }
      else if (!written)
        {
          report (self, i)->status = GLINT_REGION_UNCHANGED;
          _glint_flasher_log (self, GLINT_LOG_INFO, _("%s at 0x%x is unchanged"),
                              region_name (self, i), report (self, i)->offset);
        }
    }

  _glint_flasher_log (self, GLINT_LOG_DEBUG, "looked for changes with %u MD5(s): %"
                      G_GUINT64_FORMAT " bytes unchanged", job->md5_questions,
                      self->bytes_unchanged);
  flash_write_segments (task);
}

/* A region asked about as a whole where a round trip costs more than
 * hashing it (slow links: one question answers "unchanged"), else straight
 * away in 64 KiB chunks (local links: the chip hashes the region once, not
 * twice). */
static void
scan_region (GlintFlasher *self,
             FlashJob     *job,
             guint         region)
{
  Span span = { region, 0, g_bytes_get_size (g_ptr_array_index (job->images, region)), FALSE };
  guint n_chunks = (span.length + SKIP_CHUNK - 1) / SKIP_CHUNK;
  guint width = self->stub_running ? 2 : 1;

  job->searching[region] = TRUE;
  if (n_chunks > 1 &&
      rtt_us (self) * (gint64) ((n_chunks + width - 1) / width - 1) <= md5_cost (span.length))
    push_parts (job, &span, SKIP_CHUNK);
  else
    g_queue_push_tail (&job->scan, g_memdup2 (&span, sizeof span));
}

/* Which 4 KiB sectors of @data, to be written at @offset, differ from
 * what the record says @board holds; %NULL unless it knows all of them. */
static gboolean *
record_differs (GlintFlasher *self,
                const char   *board,
                GBytes       *data,
                guint32       offset,
                guint        *n_sectors)
{
  g_autofree guint8 *ours = NULL;
  g_autofree guint8 *theirs = NULL;
  gboolean *differs;

  ours = glint_flash_record_sector_digests (data, n_sectors);
  theirs = glint_flash_record_lookup (self->record, board, offset, *n_sectors);
  if (theirs == NULL)
    return NULL;

  differs = g_new (gboolean, MAX (*n_sectors, 1u));
  for (guint i = 0; i < *n_sectors; i++)
    differs[i] = memcmp (ours + 16 * i, theirs + 16 * i, 16) != 0;

  return differs;
}

/* The board's key in the record from its MAC words (%NULL where they
 * could not be read, @error says why), then the step after it. Without
 * the MAC the record is no use: the chip is asked, as always. */
static void
flash_board_known (GTask         *task,
                   const guint32 *words,
                   GError        *error)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  g_autoptr(GError) local = NULL;
  guint8 mac[6];

  if (words != NULL && glint_chip_decode_mac (self->chip, words, mac, &local))
    job->board = glint_flash_record_board_id (self->chip->name, mac);
  else
    _glint_flasher_log (self, GLINT_LOG_DEBUG, "no MAC for the flash record: %s",
                        local != NULL ? local->message : error->message);

  job->after_board (task);
}

/* The MAC words asked for (one round trip). */
static void
flash_board_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree guint32 *words = NULL;

  if (_glint_flasher_job_is_over (task))
    return;

  words = glint_loader_read_regs_finish (GLINT_LOADER (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED))
    {
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }

  flash_board_known (task, words, error);
}

static void
flash_read_board (GTask            *task,
                  GlintFlasherStep  next)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  const guint32 *regs;
  guint n_regs;

  job->board_asked = TRUE;
  job->after_board = next;

  /* Detection read the MAC words with the eFuse: no round trip. */
  if (self->ident_known)
    {
      flash_board_known (task, _glint_flasher_detected_mac_words (self), NULL);
      return;
    }

  regs = glint_chip_get_mac_registers (self->chip, &n_regs);
  glint_loader_read_regs_async (self->loader, regs, n_regs, g_task_get_cancellable (task),
                                flash_board_cb, task);
}

/* Whether the record of what Glint last wrote to this board knows every
 * sector of @region; if so, the sectors that differ from the image are
 * written without asking the chip first (the final MD5 check decides, see
 * flash_record_was_wrong ()). Where it says nothing changed, the region is
 * asked about as a whole: that one MD5 is its check. */
static gboolean
plan_from_record (GlintFlasher *self,
                  FlashJob     *job,
                  guint         region)
{
  GBytes *image = g_ptr_array_index (job->images, region);
  gsize size = g_bytes_get_size (image);
  guint32 offset = report (self, region)->offset;
  g_autofree gboolean *differs = NULL;
  guint n = 0;
  guint n_differing = 0;

  if (job->board == NULL)
    return FALSE;

  differs = record_differs (self, job->board, image, offset, &n);
  if (differs == NULL)
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      Span sector = { region, (gsize) i * SKIP_BLOCK, 0, FALSE };

      sector.length = MIN ((gsize) SKIP_BLOCK, size - sector.start);
      if (differs[i])
        {
          add_segment (job, &sector);
          n_differing++;
        }
      else
        {
          job->hint_unchanged[region] += sector.length;
        }
    }

  if (n_differing == 0)
    {
      job->hint_unchanged[region] = 0;
      job->searching[region] = TRUE;
      g_queue_push_tail (&job->scan, g_memdup2 (&(Span) { region, 0, size, FALSE }, sizeof (Span)));
      return TRUE;
    }

  job->hinted[region] = TRUE;
  self->bytes_unchanged += job->hint_unchanged[region];
  _glint_flasher_log (self, GLINT_LOG_INFO, _("%s at 0x%x: %u of %u sector(s) differ from what "
                                              "Glint last wrote to this board"),
                      region_name (self, region), offset, n_differing, n);
  return TRUE;
}

/* What to write: everything, or (the default, where the chip can tell an
 * MD5) only what differs from what the flash holds, from the record where
 * it knows the board, else by asking the chip. */
static void flash_change_baud (GTask *task);
static void flash_plan_writes (GTask *task);

/* The MD5 the record has for the sector at @offset, as hex; %NULL where
 * it knows none. */
static char *
record_sector_md5 (GlintFlasher *self,
                   const char   *board,
                   guint32       offset)
{
  g_autofree guint8 *digest = glint_flash_record_lookup (self->record, board, offset, 1);

  return digest != NULL ? hex_of (digest, 16) : NULL;
}

static void
flash_record_checked_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  guint region = job->check_region;
  guint32 offset = report (self, region)->offset;
  g_autoptr(GBytes) reply = NULL;
  g_autofree char *actual = NULL;
  g_autofree char *expected = NULL;
  guint n_regions;

  if (!_glint_flasher_finish_command (task, result, &reply, _("checking the record of the board")))
    return;

  job->rom_by_record = FALSE;
  actual = reply_md5 (self, reply);
  expected = record_sector_md5 (self, job->board, offset);
  if (expected != NULL && g_str_equal (actual, expected))
    {
      flash_plan_writes (task);
      return;
    }

  /* The board does not hold what Glint last wrote to it (flashed by
   * another tool, or another board): what differs is unknown and may be
   * everything, which the ROM's 1 KiB lock-step blocks would make slow on
   * a slow link. Forget the record and decide as without one. */
  _glint_flasher_log (self, GLINT_LOG_INFO, _("%s at 0x%x does not hold what Glint last wrote "
                                              "there: looking for what differs with the flasher "
                                              "stub"),
                      region_name (self, region), offset);
  n_regions = glint_flash_plan_get_n_regions (self->plan);
  for (guint i = 0; i < n_regions; i++)
    glint_flash_record_forget (self->record, job->board, report (self, i)->offset,
                               g_bytes_get_size (g_ptr_array_index (job->images, i)));
  self->planned_known = FALSE;
  self->planned_bytes = 0;
  _glint_flasher_start_stub (task, flash_change_baud);
}

/* Before the ROM alone writes what the record says differs, one MD5 (one
 * round trip) checks that the board holds what the record says: the first
 * sector of the largest region whose record is not an erased sector (on a
 * blank board, or one with other firmware, that sector differs). */
static gboolean
flash_check_record (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  guint n_regions = glint_flash_plan_get_n_regions (self->plan);
  g_autofree char *erased = NULL;
  gsize best_size = 0;

  if (!job->rom_by_record || self->stub_running || job->board == NULL)
    return FALSE;

  erased = md5_of_erased (GLINT_SECTOR_SIZE);
  job->check_region = G_MAXUINT;
  for (guint i = 0; i < n_regions; i++)
    {
      gsize size = g_bytes_get_size (g_ptr_array_index (job->images, i));
      g_autofree char *theirs = record_sector_md5 (self, job->board, report (self, i)->offset);

      if (theirs != NULL && !g_str_equal (theirs, erased) && size > best_size)
        {
          job->check_region = i;
          best_size = size;
        }
    }

  if (job->check_region == G_MAXUINT)
    return FALSE;

  send_md5 (task, report (self, job->check_region)->offset, GLINT_SECTOR_SIZE,
            flash_record_checked_cb);
  return TRUE;
}

static void
flash_plan_writes (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  guint n_regions = glint_flash_plan_get_n_regions (self->plan);
  gboolean can_md5 = self->stub_running ||
                     (glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_MD5) &&
                      !_glint_flasher_secure_download (self));
  /* After a lost link, what arrived is found by MD5 and not sent again. */
  gboolean skip = (job->resuming || (!self->no_skip && !self->erase_all)) && can_md5;
  g_autofree gboolean *planned = NULL;

  if (flash_check_record (task))
    return;

  planned = g_new0 (gboolean, n_regions);

  /* The record needs the board's MAC (one round trip), and the final MD5
   * check to catch it when it is wrong. */
  if (skip && self->record != NULL && !self->no_verify && !job->board_asked)
    {
      flash_read_board (task, flash_plan_writes);
      return;
    }

  if (!self->no_skip && !self->erase_all && !can_md5)
    _glint_flasher_log (self, GLINT_LOG_INFO, _("the %s ROM cannot tell what the flash holds: "
                                                "writing everything"),
                        self->chip->display_name);

  if (!job->resuming)
    job->started = g_get_monotonic_time ();
  job->differing = g_array_new (FALSE, FALSE, sizeof (Span));
  job->whole = g_new0 (gboolean, n_regions);
  job->searching = g_new0 (gboolean, n_regions);
  job->hinted = g_new0 (gboolean, n_regions);
  job->hint_unchanged = g_new0 (guint64, n_regions);

  /* (after a lost link the chip is asked, whatever the record says) */
  for (guint i = 0; skip && !job->resuming && i < n_regions; i++)
    planned[i] = plan_from_record (self, job, i);

  /* every other region's first sector first: on a blank board that
   * settles it */
  for (guint i = 0; skip && i < n_regions; i++)
    {
      Span probe = { i, 0, SKIP_BLOCK, TRUE };

      if (!planned[i] && g_bytes_get_size (g_ptr_array_index (job->images, i)) > SKIP_BLOCK)
        g_queue_push_tail (&job->scan, g_memdup2 (&probe, sizeof probe));
    }

  for (guint i = 0; i < n_regions; i++)
    {
      Span span = { i, 0, g_bytes_get_size (g_ptr_array_index (job->images, i)), FALSE };

      if (!skip)
        add_segment (job, &span);
      else if (!planned[i])
        scan_region (self, job, i);
    }

  if (skip)
    {
      _glint_flasher_set_state (self, GLINT_FLASHER_STATE_WRITING);
      scan_pump (task);
    }
  else
    {
      flash_write_segments (task);
    }
}

/* The final check of a region written from the record failed: the board
 * did not hold what Glint last wrote to it (another tool flashed it, or
 * it is another board). Forget the record and do what is done without one:
 * ask the chip what differs, write that, check again. */
static void
flash_record_was_wrong (GTask *task,
                        guint  region)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);

  _glint_flasher_log (self, GLINT_LOG_INFO, _("%s at 0x%x did not hold what Glint last wrote "
                                              "there: looking for what differs"),
                      region_name (self, region), report (self, region)->offset);
  job->hinted[region] = FALSE;
  self->bytes_unchanged -= job->hint_unchanged[region];
  job->hint_unchanged[region] = 0;
  report (self, region)->status = GLINT_REGION_PARTLY_WRITTEN;
  glint_flash_record_forget (self->record, job->board, report (self, region)->offset,
                             g_bytes_get_size (g_ptr_array_index (job->images, region)));

  g_array_set_size (job->segments, 0);
  job->segment = 0;
  job->done_before = 0;
  scan_region (self, job, region);
  _glint_flasher_set_state (self, GLINT_FLASHER_STATE_WRITING);
  scan_pump (task);
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
  flash_plan_writes (task);
}

/* ERASE_FLASH (a stub command, up to 120 s: protocol.md §7) before writing,
 * where asked. */
static void
flash_erase_all (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);

  if (!self->erase_all || ((FlashJob *) g_task_get_task_data (task))->erased_all)
    {
      flash_plan_writes (task);
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
    report (self, i)->status = GLINT_REGION_PARTLY_WRITTEN;

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
                      self->backup_path);
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
      low = MIN (low, report (self, i)->offset);
      high = MAX (high, (guint64) report (self, i)->offset + report (self, i)->size);
    }

  _glint_flasher_log (self, GLINT_LOG_INFO, _("saving 0x%x bytes at 0x%x to %s before "
                                              "writing"), (guint32) (high - low), low,
                      self->backup_path);
  _glint_flasher_read_into (task, low, (guint32) (high - low), self->backup_path,
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
      report (self, i)->size = padded;
    }

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

  if (!_glint_flasher_finish_command (task, result, NULL, _("setting the flash parameters")))
    return;

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

  _glint_flasher_send_attach (task, flash_spi_attach_cb);

  /* The stub receives into two buffers (protocol.md §9): the two small
   * set-up commands can share one round trip. The ROM's receive side is
   * not documented, so it gets them one by one. */
  if (self->stub_running)
    flash_send_spi_params (task);
}

static void
flash_change_baud (GTask *task)
{
  _glint_flasher_change_baud (task, flash_prepare);
}

/* Small reflashes: the ROM alone ------------------------------------------------ */

/* What loading the stub costs besides its bytes on the wire: MEM_BEGIN and
 * MEM_DATA blocks for text and data, then MEM_END (the latency bench counts
 * six answers for a 13 KiB stub). */
#define STUB_ROUND_TRIPS 6
#define ROM_WRITE_BLOCK  GLINT_ROM_FLASH_WRITE_SIZE   /* protocol.md §5.3 */

/* The image bytes that differ from the record, all regions together, or
 * G_MAXUINT64 unless the record knows every sector of every region. */
static guint64
record_differing_bytes (GlintFlasher *self,
                        const char   *board)
{
  guint n_regions = glint_flash_plan_get_n_regions (self->plan);
  guint64 total = 0;

  for (guint i = 0; i < n_regions; i++)
    {
      GBytes *data = glint_flash_plan_get_region_data (self->plan, i);
      gsize size = g_bytes_get_size (data);
      g_autofree gboolean *differs = NULL;
      guint n = 0;

      /* (the 4-byte padding of flash_start_writing () is erased bytes:
       * the same digests) */
      differs = record_differs (self, board, data,
                                glint_flash_plan_get_region_offset (self->plan, i), &n);
      if (differs == NULL)
        return G_MAXUINT64;

      for (guint k = 0; k < n; k++)
        if (differs[k])
          total += MIN ((gsize) SKIP_BLOCK, size - (gsize) k * SKIP_BLOCK);
    }

  return total;
}

/* Whether the ROM writes @bytes and checks them sooner than the stub could
 * be loaded. The stub costs its frames on the wire (at the boot rate, or
 * where the ROM takes the first step of the automatic baud, at that step's
 * rate) and its round trips; the ROM a round trip per 1 KiB block (2:1
 * compression assumed), its SPI set-up in two round trips instead of one,
 * and its flash work, which it does before it answers instead of while the
 * next block is on the wire. Both hash the region the same. */
static gboolean
rom_is_quicker (GlintFlasher *self,
                guint64       bytes)
{
  g_autoptr(GlintStub) stub = glint_stub_find (self->chip, _glint_flasher_major_rev (self),
                                                NULL, NULL);
  gint64 rtt = rtt_us (self);
  guint rate = glint_stream_get_baud (self->stream);
  gsize stub_bytes;
  guint64 sent = glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_FLASH_DEFL) ? bytes / 2 : bytes;
  gint64 stub_cost, rom_cost;

  if (stub == NULL)
    return FALSE;

  if (self->baud == GLINT_FLASHER_BAUD_AUTO && _glint_flasher_rom_can_step (self))
    rate = MAX (rate, 921600u);
  stub_bytes = g_bytes_get_size (glint_stub_get_text (stub)) +
               (glint_stub_get_data (stub) != NULL ? g_bytes_get_size (glint_stub_get_data (stub)) : 0);
  stub_cost = glint_link_timing_wire_time (stub_bytes, rate) + STUB_ROUND_TRIPS * rtt;
  rom_cost = (gint64) ((sent + ROM_WRITE_BLOCK - 1) / ROM_WRITE_BLOCK + 1) * rtt +
             (gint64) ((bytes + GLINT_SECTOR_SIZE - 1) / GLINT_SECTOR_SIZE) * SECTOR_WRITE_US;

  return rom_cost < stub_cost;
}

/* With the board known (or not), the stub or the ROM alone. */
static void
flash_loader_chosen (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  guint64 differing;

  if (job->board == NULL)
    {
      _glint_flasher_start_stub (task, flash_change_baud);
      return;
    }

  differing = record_differing_bytes (self, job->board);

  /* so little may not be worth the speed steps either */
  self->planned_known = differing != G_MAXUINT64;
  self->planned_bytes = differing != G_MAXUINT64 ? differing : 0;

  if (differing == G_MAXUINT64 || !rom_is_quicker (self, differing))
    {
      _glint_flasher_start_stub (task, flash_change_baud);
      return;
    }

  _glint_flasher_log (self, GLINT_LOG_INFO, _("%u KiB differ from what Glint last wrote to this "
                                              "board: the ROM loader writes them sooner than "
                                              "the flasher stub could be loaded"),
                      (guint) ((differing + 1023) / 1024));
  job->rom_by_record = TRUE;
  flash_change_baud (task);
}

/* With a record of the board, what is about to be written may be small
 * enough for the ROM: that needs the MAC, asked before the stub. */
static void
flash_choose_loader (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);

  if (self->record == NULL || self->no_skip || self->erase_all || self->no_verify ||
      _glint_flasher_secure_download (self) ||
      self->no_stub || self->backup_path != NULL ||
      !glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_MD5) ||
      !glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_SPI_ATTACH))
    {
      _glint_flasher_start_stub (task, flash_change_baud);
      return;
    }

  flash_read_board (task, flash_loader_chosen);
}

static void
flash_detected (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  const char *plan_chip = glint_flash_plan_get_chip (self->plan);
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
  if (!glint_flash_plan_validate (self->plan, self->chip->name, plan_flash_size (self), &error) ||
      !glint_flash_plan_patch_bootloader (self->plan, self->chip->name, NULL, &error))
    {
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }

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

  flash_choose_loader (task);
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

  g_queue_clear_full (&job->scan, g_free);
  g_queue_clear_full (&job->scan_sent, g_free);
  g_clear_pointer (&job->differing, g_array_unref);
  g_clear_pointer (&job->whole, g_free);
  g_clear_pointer (&job->searching, g_free);
  g_clear_pointer (&job->hinted, g_free);
  g_clear_pointer (&job->hint_unchanged, g_free);
  job->rom_by_record = FALSE;
  job->segment = 0;
  job->began = FALSE;
  job->block_attempts = 0;
  job->done_before = 0;
  job->segment_done = 0;
  job->verify_region = 0;
  job->verified = 0;
  job->verify_asked_again = FALSE;
  job->resuming = TRUE;

  /* the rate that worked, not a new climb */
  if (self->baud == GLINT_FLASHER_BAUD_AUTO && self->baud_hint == 0)
    self->baud_hint = self->settled_baud;

  _glint_flasher_start_stub (task, flash_change_baud);
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

void
glint_flasher_set_reboot (GlintFlasher *self,
                          gboolean      reboot)
{
  g_return_if_fail (GLINT_IS_FLASHER (self));

  self->no_reboot = !reboot;
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

      rep.name = g_strdup (region_name (self, i));
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
  if (self->plan == NULL || glint_flash_plan_get_n_regions (self->plan) == 0)
    {
      _glint_flasher_job_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                                                  _("nothing to flash: choose a firmware first")));
      return;
    }

  /* Where the backup goes is known now: say so before touching the board. */
  if (self->backup_path != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self->backup_path);

      if (g_file_test (self->backup_path, G_FILE_TEST_IS_DIR) ||
          !g_file_test (dir, G_FILE_TEST_IS_DIR) || g_access (dir, W_OK) != 0)
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
