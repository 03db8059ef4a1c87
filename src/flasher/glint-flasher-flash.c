/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>
#include <zlib.h>

#include "glint-error.h"
#include "glint-flash-plan.h"
#include "glint-flasher-private.h"
#include "glint-link-timing.h"
#include "glint-stream.h"

/*
 * The flash job: connect, detect, load the stub (or say why the ROM does the
 * work), switch speed, then for every region of the plan a compressed write
 * (protocol.md §8.1), and an MD5 check of every region before anything is
 * called done. The stub acks each block before writing it (§9), so a block's
 * flash work is added to the wait for the *next* command.
 */

#define SECTOR_SIZE     0x1000
#define WRITE_BLOCK_ATTEMPTS 3   /* as esptool (protocol.md §7) */
#define DEFAULT_FLASH   (4 * 1024 * 1024)

typedef struct
{
  guint      region;          /* index in the plan */
  GBytes    *image;           /* the region, padded to 4 bytes */
  GBytes    *payload;         /* what is sent: compressed or the image */
  gboolean   compressed;
  guint32    offset;
  gsize      block_size;
  guint      n_blocks;
  guint      block;
  guint      block_attempts;  /* sends of the current block that came back damaged */
  gint64     deferred_us;     /* stub work carried to the next command */
  guint64    done_before;     /* image bytes of earlier regions */
  guint      verified;        /* regions verified so far */
  gint64     started;
} FlashJob;

static void
flash_job_free (gpointer data)
{
  FlashJob *job = data;

  g_clear_pointer (&job->image, g_bytes_unref);
  g_clear_pointer (&job->payload, g_bytes_unref);
  g_free (job);
}

static void flash_region_begin (GTask *task);
static void flash_verify_next  (GTask *task);

static guint64
plan_flash_size (GlintFlasher *self)
{
  const char *size = glint_flash_plan_get_flash_size (self->plan);
  guint64 bytes = 0;

  if (size != NULL && !g_str_equal (size, "keep") && !g_str_equal (size, "detect"))
    bytes = glint_flash_plan_parse_size (size);

  return bytes != 0 ? bytes : DEFAULT_FLASH;
}

static const char *
region_name (GlintFlasher *self,
             guint         region)
{
  const char *name = glint_flash_plan_get_region_name (self->plan, region);

  return name != NULL ? name : "image";
}

/* Every command of this job goes through here: the wait is the chip's work
 * plus whatever the stub still owes from the block before. */
static void
send (GTask               *task,
      guint8               op,
      GBytes              *payload,
      guint32              checksum,
      gsize                resp_len,
      gint64               processing_us,
      GAsyncReadyCallback  callback)
{
  FlashJob *job = g_task_get_task_data (task);
  gint64 owed = job->deferred_us;

  job->deferred_us = 0;
  _glint_flasher_send (task, op, payload, checksum, resp_len, processing_us + owed, callback);
}

/* Done ------------------------------------------------------------------------- */

static void
flash_done (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  gdouble seconds = (g_get_monotonic_time () - job->started) / 1e6;

  _glint_flasher_log (self, GLINT_LOG_INFO,
                      "wrote and verified %" G_GUINT64_FORMAT " bytes in %u region(s) in %.1f s",
                      self->bytes_total, job->verified, seconds);
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
                        "the board was not reset (%s): press its reset button to start "
                        "the new firmware", error->message);
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
                          "%s cannot reset the board: press its reset button to start the "
                          "new firmware", glint_stream_get_address (self->stream));
      flash_done (task);
      return;
    }

  glint_loader_reset_async (self->loader, GLINT_RESET_HARD, g_task_get_cancellable (task),
                            flash_reboot_cb, task);
}

/* Verifying ---------------------------------------------------------------------- */

static char *
md5_hex (GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  return g_compute_checksum_for_data (G_CHECKSUM_MD5, data, len);
}

static char *
md5_of_erased (gsize len)
{
  g_autofree guint8 *ff = g_malloc (len);

  memset (ff, 0xFF, len);
  return g_compute_checksum_for_data (G_CHECKSUM_MD5, ff, len);
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
  GBytes *image;
  g_autofree char *expected = NULL;
  g_autofree char *actual = NULL;
  const guint8 *data;
  gsize len;
  guint region = job->verified;

  if (!_glint_flasher_finish_command (task, result, &reply, "verifying %s at 0x%x",
                                      region_name (self, region),
                                      glint_flash_plan_get_region_offset (self->plan, region)))
    return;

  data = g_bytes_get_data (reply, &len);
  if (self->stub_running)
    {
      GString *hex = g_string_new (NULL);

      for (gsize i = 0; i < len; i++)
        g_string_append_printf (hex, "%02x", data[i]);
      actual = g_string_free (hex, FALSE);
    }
  else
    {
      actual = g_ascii_strdown ((const char *) data, len);
    }

  image = glint_flash_plan_get_region_data (self->plan, region);
  {
    gsize size = g_bytes_get_size (image);
    g_autofree guint8 *padded = g_malloc0 (((size + 3) & ~(gsize) 3));
    g_autoptr(GBytes) padded_bytes = NULL;

    memcpy (padded, g_bytes_get_data (image, NULL), size);
    memset (padded + size, 0xFF, ((size + 3) & ~(gsize) 3) - size);
    padded_bytes = g_bytes_new_take (g_steal_pointer (&padded), (size + 3) & ~(gsize) 3);
    expected = md5_hex (padded_bytes);

    if (!g_str_equal (expected, actual))
      {
        g_autofree char *erased = md5_of_erased (g_bytes_get_size (padded_bytes));

        _glint_flasher_job_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_CHECKSUM_MISMATCH,
                                                    "verification of %s at 0x%x failed: the "
                                                    "flash holds MD5 %s, the file %s%s",
                                                    region_name (self, region),
                                                    glint_flash_plan_get_region_offset (self->plan,
                                                                                        region),
                                                    actual, expected,
                                                    g_str_equal (actual, erased) ?
                                                    " (the region is empty)" : ""));
        return;
      }
  }

  _glint_flasher_log (self, GLINT_LOG_INFO, "%s at 0x%x verified (MD5 %s)",
                      region_name (self, region),
                      glint_flash_plan_get_region_offset (self->plan, region), actual);
  job->verified++;
  flash_verify_next (task);
}

static void
flash_verify_next (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  g_autoptr(GBytes) payload = NULL;
  GBytes *image;
  guint32 words[4];
  gsize size;

  if (job->verified >= glint_flash_plan_get_n_regions (self->plan))
    {
      flash_reboot (task);
      return;
    }

  _glint_flasher_set_state (self, GLINT_FLASHER_STATE_VERIFYING);
  image = glint_flash_plan_get_region_data (self->plan, job->verified);
  size = (g_bytes_get_size (image) + 3) & ~(gsize) 3;
  words[0] = glint_flash_plan_get_region_offset (self->plan, job->verified);
  words[1] = size;
  words[2] = 0;
  words[3] = 0;
  payload = _glint_flasher_words_payload (words, 4);
  send (task, GLINT_OP_SPI_FLASH_MD5, payload, 0, self->stub_running ? 16 : 32,
        glint_link_timing_processing_time (GLINT_OP_SPI_FLASH_MD5, size, self->stub_running),
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
  if (!_glint_flasher_finish_command (task, result, NULL, "finishing the write"))
    return;

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
  g_autoptr(GBytes) payload = NULL;
  const guint32 stay = 1;

  /* Said plainly: nothing below claims the flash holds the image. */
  if (self->no_verify)
    _glint_flasher_log (self, GLINT_LOG_WARNING, "written without verification, as asked");

  /* To the ROM a FLASH_END would leave the loader (protocol.md §8.1). */
  if (!self->stub_running)
    {
      if (self->no_verify)
        flash_reboot (task);
      else
        flash_verify_next (task);
      return;
    }

  payload = _glint_flasher_words_payload (&stay, 1);
  send (task, job->compressed ? GLINT_OP_FLASH_DEFL_END : GLINT_OP_FLASH_END, payload, 0, 0, 0,
        flash_end_cb);
}

/* Writing ------------------------------------------------------------------------- */

static void
flash_send_block (GTask *task);

static void
flash_block_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
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
       * three times). Anything else ends the job. */
      if (g_error_matches (error, GLINT_ERROR, GLINT_ERROR_CHECKSUM_MISMATCH) &&
          ++job->block_attempts < WRITE_BLOCK_ATTEMPTS)
        {
          _glint_flasher_log (self, GLINT_LOG_WARNING, "block %u of %u of %s arrived damaged; "
                              "sending it again", job->block, job->n_blocks,
                              region_name (self, job->region));
          job->block--;
          flash_send_block (task);
          return;
        }
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, "writing %s at 0x%x, block %u of %u: ",
                        region_name (self, job->region), job->offset, job->block, job->n_blocks);
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }
  job->block_attempts = 0;

  /* Progress in image bytes: the share of the payload acknowledged. */
  done = MIN ((guint64) image_size,
              (guint64) image_size * MIN ((gsize) job->block * job->block_size, payload_size) /
              payload_size);
  _glint_flasher_set_progress (self, job->done_before + done, self->bytes_total);

  if (job->block < job->n_blocks)
    {
      flash_send_block (task);
      return;
    }

  _glint_flasher_log (self, GLINT_LOG_INFO, "%s at 0x%x written (%" G_GSIZE_FORMAT " bytes, %"
                      G_GSIZE_FORMAT " sent)", region_name (self, job->region), job->offset,
                      image_size, payload_size);
  job->done_before += image_size;
  job->region++;
  if (job->region < glint_flash_plan_get_n_regions (self->plan))
    flash_region_begin (task);
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
  gsize sent_len = job->compressed ? len : job->block_size;
  g_autofree guint8 *data = g_malloc (16 + sent_len);
  g_autoptr(GBytes) payload = NULL;
  gsize image_size = g_bytes_get_size (job->image);
  gsize work = MAX ((gsize) 1, (gsize) ((guint64) image_size * len / payload_size));
  guint8 op = job->compressed ? GLINT_OP_FLASH_DEFL_DATA : GLINT_OP_FLASH_DATA;

  _glint_flasher_put_u32 (data, sent_len);
  _glint_flasher_put_u32 (data + 4, job->block);
  _glint_flasher_put_u32 (data + 8, 0);
  _glint_flasher_put_u32 (data + 12, 0);
  memcpy (data + 16, payload_data + start, len);
  /* Uncompressed: the last block is padded with erased bytes (§5.3). */
  if (sent_len > len)
    memset (data + 16 + len, 0xFF, sent_len - len);

  payload = g_bytes_new_take (g_steal_pointer (&data), 16 + sent_len);
  send (task, op, payload, glint_loader_checksum ((const guint8 *) g_bytes_get_data (payload, NULL)
                                                  + 16, sent_len), 0,
        glint_link_timing_processing_time (op, work, self->stub_running), flash_block_cb);
  job->deferred_us = glint_link_timing_deferred_time (op, work, self->stub_running);
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

  if (!_glint_flasher_finish_command (task, result, NULL, "starting to write %s at 0x%x",
                                      region_name (self, job->region), job->offset))
    return;

  /* The stub already has block 0 (see flash_region_begin ()). */
  if (!self->stub_running)
    flash_send_block (task);
}

/* ESP8266 ROM erase-size workaround (protocol.md §5.4). */
static guint32
esp8266_erase_size (guint32 offset,
                    guint32 size)
{
  guint32 sectors_per_block = 16;
  guint32 num_sectors = (size + SECTOR_SIZE - 1) / SECTOR_SIZE;
  guint32 start_sector = offset / SECTOR_SIZE;
  guint32 head = sectors_per_block - (start_sector % sectors_per_block);

  if (num_sectors < head)
    head = num_sectors;

  if (num_sectors < 2 * head)
    return (num_sectors + 1) / 2 * SECTOR_SIZE;

  return (num_sectors - head) * SECTOR_SIZE;
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
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_FAILED, "compressing the image failed (%d)",
                   rc);
      return NULL;
    }

  return g_bytes_new_take (g_realloc (g_steal_pointer (&out), out_len), out_len);
}

static void
flash_region_begin (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  GBytes *region = glint_flash_plan_get_region_data (self->plan, job->region);
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GError) error = NULL;
  gboolean stub = self->stub_running;
  gsize size = g_bytes_get_size (region);
  gsize padded = (size + 3) & ~(gsize) 3;
  guint32 words[5];
  guint n_words = 4;
  guint8 op;
  guint32 erase;

  _glint_flasher_set_state (self, GLINT_FLASHER_STATE_WRITING);

  /* Pad to a multiple of four with erased bytes (§8.1 step 3). */
  {
    guint8 *data = g_malloc (padded);

    memcpy (data, g_bytes_get_data (region, NULL), size);
    memset (data + size, 0xFF, padded - size);
    g_clear_pointer (&job->image, g_bytes_unref);
    job->image = g_bytes_new_take (data, padded);
  }

  job->offset = glint_flash_plan_get_region_offset (self->plan, job->region);
  job->compressed = stub || glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_FLASH_DEFL);
  job->block_size = glint_chip_get_flash_write_size (self->chip, stub, FALSE);
  job->block = 0;

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
    erase = padded;
  else if (job->compressed)
    erase = (padded + job->block_size - 1) / job->block_size * job->block_size;
  else if (g_str_equal (self->chip->name, "esp8266"))
    erase = esp8266_erase_size (job->offset, padded);
  else
    erase = padded;

  words[0] = erase;
  words[1] = job->n_blocks;
  words[2] = job->block_size;
  words[3] = job->offset;
  /* The fifth word, "not encrypted", for stubs and ROMs that take it. */
  if (stub || glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_FLASH_BEGIN_ENCRYPTED))
    words[n_words++] = 0;

  op = job->compressed ? GLINT_OP_FLASH_DEFL_BEGIN : GLINT_OP_FLASH_BEGIN;
  payload = _glint_flasher_words_payload (words, n_words);
  _glint_flasher_log (self, GLINT_LOG_DEBUG, "writing %s: %" G_GSIZE_FORMAT " bytes at 0x%x in %u"
                      " block(s)%s", region_name (self, job->region), padded, job->offset,
                      job->n_blocks, job->compressed ? ", compressed" : "");
  send (task, op, payload, 0, 0, glint_link_timing_processing_time (op, erase, stub),
        flash_begin_cb);

  /* The stub erases lazily and answers BEGIN at once, so block 0 can wait
   * in its second receive buffer: one round trip less per region. The ROM
   * erases the whole region first, with only its UART FIFO to receive
   * into; it gets block 0 after it answered. */
  if (stub)
    flash_send_block (task);
}

/* Preparing ------------------------------------------------------------------------ */

static void
flash_spi_params_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);

  if (!_glint_flasher_finish_command (task, result, NULL, "setting the flash parameters"))
    return;

  job->started = g_get_monotonic_time ();
  _glint_flasher_set_progress (self, 0, glint_flash_plan_get_total_bytes (self->plan));
  flash_region_begin (task);
}

static void
flash_send_spi_params (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  g_autoptr(GBytes) payload = NULL;
  guint32 words[6];

  /* id, total size, block, sector, page, status mask (§2) */
  words[0] = 0;
  words[1] = plan_flash_size (self);
  words[2] = 64 * 1024;
  words[3] = SECTOR_SIZE;
  words[4] = 256;
  words[5] = 0xFFFF;
  payload = _glint_flasher_words_payload (words, 6);
  send (task, GLINT_OP_SPI_SET_PARAMS, payload, 0, 0,
        glint_link_timing_processing_time (GLINT_OP_SPI_SET_PARAMS, 0, self->stub_running),
        flash_spi_params_cb);
}

static void
flash_spi_attach_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);

  if (!_glint_flasher_finish_command (task, result, NULL, "attaching the SPI flash"))
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
  if (!self->stub_running && !self->no_verify &&
      !glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_MD5))
    {
      _glint_flasher_job_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED,
                                                  "the %s ROM cannot check what was written, and "
                                                  "no flasher stub was found: install esptool "
                                                  "(or put its stubs in %s/glint/stubs), or "
                                                  "flash without verification",
                                                  self->chip->display_name,
                                                  g_get_user_data_dir ()));
      return;
    }

  /* The ESP8266 ROM has neither command; it needs none (§2 notes). */
  if (!self->stub_running && !glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_SPI_ATTACH))
    {
      job->started = g_get_monotonic_time ();
      _glint_flasher_set_progress (self, 0, glint_flash_plan_get_total_bytes (self->plan));
      flash_region_begin (task);
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
                                                  "the firmware is for %s but the board is %s",
                                                  wanted->display_name,
                                                  self->chip->display_name));
      return;
    }

  if (!glint_flash_plan_validate (self->plan, self->chip->name, plan_flash_size (self), &error) ||
      !glint_flash_plan_patch_bootloader (self->plan, self->chip->name, NULL, &error))
    {
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }

  _glint_flasher_start_stub (task, flash_change_baud);
}

static void
flash_connected (GTask *task)
{
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
 * @baud: the speed for the transfer, 0 to stay at the connection's
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

  if (self->plan == NULL || glint_flash_plan_get_n_regions (self->plan) == 0)
    {
      _glint_flasher_job_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                                                  "nothing to flash: choose a firmware first"));
      return;
    }

  g_task_set_task_data (task, g_new0 (FlashJob, 1), flash_job_free);
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
