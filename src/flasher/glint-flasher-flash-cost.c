/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "glint-flasher-flash-private.h"
#include "glint-link-timing.h"
#include "glint-stream.h"
#include "glint-stub.h"

/* The flash job's cost model: how long asking the chip, writing, and
 * loading the stub take, and from that whether the ROM alone writes a
 * small change. */

/* Rough costs for deciding how far to look (microseconds). The chip's MD5
 * speed is a guess (the simulator models 0.3 s per MiB; a stub reading
 * flash and hashing in software is of that order). */
#define MD5_US_PER_MIB      300000
#define SECTOR_WRITE_US     30000     /* erase + program of 4 KiB */

gint64
_glint_flash_md5_cost (gsize length)
{
  return (gint64) length * MD5_US_PER_MIB / (1024 * 1024);
}

gint64
_glint_flash_rtt_us (GlintFlasher *self)
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
gboolean
_glint_flash_worth_splitting (GlintFlasher *self,
                              gsize         length,
                              gsize         part)
{
  guint n_parts = (length + part - 1) / part;
  guint width = self->stub_running ? 2 : 1;
  gint64 ask = (gint64) ((n_parts + width - 1) / width) * _glint_flash_rtt_us (self) +
               _glint_flash_md5_cost (length);
  gint64 wire = glint_link_timing_wire_time (length / 2, glint_stream_get_baud (self->stream));
  gint64 flash = (gint64) ((length + GLINT_SECTOR_SIZE - 1) / GLINT_SECTOR_SIZE) * SECTOR_WRITE_US;

  return ask < MAX (wire, flash);
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
      differs = _glint_flash_record_differs (self, board, data,
                                             glint_flash_plan_get_region_offset (self->plan, i),
                                             &n);
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
/* The rate the stub is loaded at: where the ROM takes the first step of
 * the automatic baud, that step's (at most 921600); the stub's first
 * commands run at it too. */
guint
_glint_flasher_stub_rate (GlintFlasher *self)
{
  guint rate = glint_stream_get_baud (self->stream);

  if (!self->stub_running && self->baud == GLINT_FLASHER_BAUD_AUTO &&
      _glint_flasher_rom_can_step (self))
    rate = MAX (rate, 921600u);
  return rate;
}

/* What loading the stub would cost (microseconds), as rom_is_quicker ()
 * weighs it; 0 when it runs already, -1 when there is none to load (none
 * found, turned off, or refused by secure download mode). The info job's
 * contents step weighs it too (glint-flasher-contents.c). */
gint64
_glint_flasher_stub_load_cost (GlintFlasher *self)
{
  g_autoptr(GlintStub) stub = NULL;
  guint rate;
  gsize stub_bytes;

  if (self->stub_running)
    return 0;
  if (self->no_stub || _glint_flasher_secure_download (self))
    return -1;
  stub = glint_stub_find (self->chip, _glint_flasher_major_rev (self), NULL, NULL);
  if (stub == NULL)
    return -1;

  rate = _glint_flasher_stub_rate (self);
  stub_bytes = g_bytes_get_size (glint_stub_get_text (stub)) +
               (glint_stub_get_data (stub) != NULL ? g_bytes_get_size (glint_stub_get_data (stub)) : 0);
  return glint_link_timing_wire_time (stub_bytes, rate) +
         STUB_ROUND_TRIPS * _glint_flash_rtt_us (self);
}

static gboolean
rom_is_quicker (GlintFlasher *self,
                guint64       bytes)
{
  gint64 rtt = _glint_flash_rtt_us (self);
  guint64 sent = glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_FLASH_DEFL) ? bytes / 2 : bytes;
  gint64 stub_cost = _glint_flasher_stub_load_cost (self);
  gint64 rom_cost;

  if (stub_cost <= 0)
    return FALSE;

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
      _glint_flasher_start_stub (task, _glint_flash_change_baud);
      return;
    }

  differing = record_differing_bytes (self, job->board);

  /* so little may not be worth the speed steps either */
  self->planned_known = differing != G_MAXUINT64;
  self->planned_bytes = differing != G_MAXUINT64 ? differing : 0;

  if (differing == G_MAXUINT64 || !rom_is_quicker (self, differing))
    {
      _glint_flasher_start_stub (task, _glint_flash_change_baud);
      return;
    }

  _glint_flasher_log (self, GLINT_LOG_INFO, _("%u KiB differ from what Glint last wrote to this "
                                              "board: the ROM loader writes them sooner than "
                                              "the flasher stub could be loaded"),
                      (guint) ((differing + 1023) / 1024));
  job->rom_by_record = TRUE;
  _glint_flash_change_baud (task);
}

/* With a record of the board, what is about to be written may be small
 * enough for the ROM: that needs the MAC, asked before the stub. */
void
_glint_flash_choose_loader (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);

  if (self->record == NULL || self->no_skip || self->erase_all || self->no_verify ||
      _glint_flasher_secure_download (self) ||
      self->no_stub || self->backup_path != NULL ||
      !glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_MD5) ||
      !glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_SPI_ATTACH))
    {
      _glint_flasher_start_stub (task, _glint_flash_change_baud);
      return;
    }

  _glint_flash_read_board (task, flash_loader_chosen);
}
