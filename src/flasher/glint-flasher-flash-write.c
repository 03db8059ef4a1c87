/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <zlib.h>

#include <glib/gi18n.h>

#include "glint-error.h"
#include "glint-flasher-flash-private.h"

/* The flash job's writing: FLASH(_DEFL)_BEGIN, the blocks, FLASH(_DEFL)_END
 * (protocol.md §8.1), then the MD5 check of every region. */

#define WRITE_BLOCK_ATTEMPTS 3   /* as esptool (protocol.md §7) */

static void flash_segment_begin    (GTask *task);
static void flash_verify_next      (GTask *task);

/* A region the flash was just found to hold. */
static void
record_remember (GlintFlasher *self,
                 FlashJob     *job,
                 guint         region)
{
  if (job->board != NULL)
    glint_flash_record_remember (self->record, job->board,
                                 _glint_flash_report (self, region)->offset,
                                 g_ptr_array_index (job->images, region));
}

/* Verifying ---------------------------------------------------------------------- */

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
                                      _glint_flash_region_name (self, region),
                                      glint_flash_plan_get_region_offset (self->plan, region)))
    return;

  actual = _glint_flash_reply_md5 (self, reply);
  expected = _glint_flash_md5_hex (data, size);
  if (!g_str_equal (expected, actual) && job->hinted[region])
    {
      _glint_flash_record_was_wrong (task, region);
      return;
    }

  /* An answer damaged on the way reads as another MD5 (nothing checks
   * an answer's data): one more question before calling the flash wrong. */
  if (!g_str_equal (expected, actual) && !job->verify_asked_again)
    {
      job->verify_asked_again = TRUE;
      _glint_flasher_log (self, GLINT_LOG_INFO, _("%s at 0x%x: the flash holds MD5 %s, not %s; "
                                                  "asking again"),
                          _glint_flash_region_name (self, region),
                          glint_flash_plan_get_region_offset (self->plan, region), actual,
                          expected);
      flash_verify_next (task);
      return;
    }

  if (!g_str_equal (expected, actual))
    {
      g_autofree char *erased = _glint_flash_md5_of_erased (size);

      _glint_flash_report (self, region)->status = GLINT_REGION_MISMATCH;
      _glint_flasher_job_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_CHECKSUM_MISMATCH,
                                                  _("verification of %s at 0x%x failed: the "
                                                  "flash holds MD5 %s, the file %s%s"),
                                                  _glint_flash_region_name (self, region),
                                                  glint_flash_plan_get_region_offset (self->plan,
                                                                                      region),
                                                  actual, expected,
                                                  g_str_equal (actual, erased) ?
                                                  _(" (the region is empty)") : ""));
      return;
    }

  if (_glint_flash_report (self, region)->status != GLINT_REGION_UNCHANGED)
    _glint_flash_report (self, region)->status = GLINT_REGION_VERIFIED;
  record_remember (self, job, region);
  _glint_flasher_log (self, GLINT_LOG_NOTICE, _("%s at 0x%x verified (MD5 %s)"),
                      _glint_flash_region_name (self, region),
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
         _glint_flash_report (self, job->verify_region)->status == GLINT_REGION_UNCHANGED)
    {
      record_remember (self, job, job->verify_region);
      job->verified++;
      job->verify_region++;
    }

  if (job->verify_region >= n_regions)
    {
      _glint_flash_reboot (task);
      return;
    }

  _glint_flasher_set_state (self, GLINT_FLASHER_STATE_VERIFYING);
  _glint_flash_send_md5 (task, glint_flash_plan_get_region_offset (self->plan, job->verify_region),
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
    _glint_flash_reboot (task);
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
        _glint_flash_reboot (task);
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
  GlintRegionReport *rep = _glint_flash_report (self, segment->region);
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
                              _glint_flash_region_name (self, segment->region));
          job->block--;
          flash_send_block (task);
          return;
        }
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, _("writing %s at 0x%x, block %u of %u: "),
                        _glint_flash_region_name (self, segment->region), job->offset, job->block,
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
                          _glint_flash_region_name (self, segment->region), rep->offset,
                          rep->written, rep->size);
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
                                      _glint_flash_region_name (self,
                                                                current_segment (job)->region),
                                      job->offset))
    return;

  /* The stub may already have block 0 (see flash_segment_begin ()). */
  if (!self->stub_running || !job->block0_ahead)
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
  GlintRegionReport *rep = _glint_flash_report (self, segment->region);
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
  job->block_size = glint_chip_get_flash_write_size (self->chip, stub,
                                                     _glint_flasher_on_usb_otg (self));
  job->block = 0;
  job->segment_done = 0;

  g_clear_pointer (&job->payload, g_bytes_unref);
  if (job->compressed)
    {
      g_autofree char *key = NULL;

      if (self->payload_cache != NULL)
        {
          key = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, job->image);
          job->payload = g_hash_table_lookup (self->payload_cache, key);
          if (job->payload != NULL)
            g_bytes_ref (job->payload);
        }
      if (job->payload == NULL)
        {
          job->payload = compress_image (job->image, &error);
          if (job->payload != NULL && key != NULL)
            g_hash_table_insert (self->payload_cache, g_steal_pointer (&key),
                                 g_bytes_ref (job->payload));
        }
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

  /* The stub erases lazily and answers BEGIN at once, so block 0 can wait
   * in its second receive buffer: one round trip less per segment. Not
   * behind an earlier segment's last block, answered early: while the stub
   * still writes that one, BEGIN takes the second buffer and block 0 would
   * be lost (protocol.md §9). The ROM erases the whole segment first, with
   * only its UART FIFO to receive into; it gets block 0 after it answered. */
  job->block0_ahead = stub && !job->began;

  /* From here on the region holds neither the old data nor the new. */
  if (rep->status == GLINT_REGION_UNTOUCHED)
    rep->status = GLINT_REGION_PARTLY_WRITTEN;
  job->began = TRUE;

  _glint_flasher_log (self, GLINT_LOG_DEBUG, "writing %s: %" G_GSIZE_FORMAT " bytes at 0x%x in %u"
                      " block(s)%s", _glint_flash_region_name (self, segment->region), size,
                      job->offset, job->n_blocks, job->compressed ? ", compressed" : "");
  glint_loader_flash_begin_async (self->loader, job->compressed, erase, job->n_blocks,
                                  job->block_size, job->offset, encrypted_word, stub,
                                  g_task_get_cancellable (task), _glint_flasher_sent_cb,
                                  _glint_flasher_sent (task, flash_begin_cb));

  if (job->block0_ahead)
    flash_send_block (task);
}

void
_glint_flash_write_segments (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);

  job->writing = TRUE;
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
                                 _glint_flash_report (self, span->region)->offset + span->start,
                                 span->length);
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
