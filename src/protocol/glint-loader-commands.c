/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-link-timing.h"
#include "glint-loader-private.h"
#include "glint-protocol.h"

/* Typed commands (protocol.md §2): each packs its own request words and
 * takes its wait from the command's timing class (glint-protocol.h,
 * glint_link_timing_processing_time()). The loader adds wire time and the
 * link allowance as for any command. A stub acknowledges a data block before
 * it writes it; the work is owed to the next typed command's wait (§9), and
 * the loader carries it there. Every call completes with
 * glint_loader_command_finish(). None waits for anything but its own
 * answer, so callers keep as many in flight as the chip takes. */

static GBytes *
words_payload (const guint32 *words,
               guint          n_words)
{
  guint8 *data = g_malloc (4 * n_words);

  for (guint i = 0; i < n_words; i++)
    glint_put_u32 (data + 4 * i, words[i]);

  return g_bytes_new_take (data, 4 * n_words);
}

static void
send (GlintLoader         *self,
      guint8               op,
      GBytes              *payload,
      guint32              checksum,
      gsize                resp_len,
      gsize                work_size,
      gboolean             is_stub,
      GlintCommandFlags    flags,
      GCancellable        *cancellable,
      GAsyncReadyCallback  callback,
      gpointer             user_data)
{
  gint64 processing = glint_link_timing_processing_time (op, work_size, is_stub) +
                      _glint_loader_take_owed (self);

  glint_loader_command_async (self, op, payload, checksum, resp_len, processing, flags,
                              cancellable, callback, user_data);
  _glint_loader_set_owed (self, glint_link_timing_deferred_time (op, work_size, is_stub));
}

static void
send_words (GlintLoader         *self,
            guint8               op,
            const guint32       *words,
            guint                n_words,
            gsize                work_size,
            gboolean             is_stub,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GBytes) payload = n_words > 0 ? words_payload (words, n_words) : NULL;

  send (self, op, payload, 0, glint_protocol_response_len (op, is_stub), work_size, is_stub,
        GLINT_COMMAND_NONE, cancellable, callback, user_data);
}

/* A *_DATA command: length, sequence, two zero words, the data, padded with
 * @pad (erased flash, 0xFF) up to @padded_len; checksummed (§1.2). */
static void
send_data (GlintLoader         *self,
           guint8               op,
           const guint8        *data,
           gsize                len,
           gsize                padded_len,
           guint32              seq,
           gsize                work_size,
           gboolean             is_stub,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  gsize sent_len = MAX (len, padded_len);
  guint8 *buf = g_malloc0 (GLINT_PROTOCOL_DATA_HEADER_LEN + sent_len);
  g_autoptr(GBytes) payload = NULL;
  guint32 checksum;

  glint_put_u32 (buf, sent_len);
  glint_put_u32 (buf + 4, seq);
  memcpy (buf + GLINT_PROTOCOL_DATA_HEADER_LEN, data, len);
  if (sent_len > len)
    memset (buf + GLINT_PROTOCOL_DATA_HEADER_LEN + len, 0xFF, sent_len - len);
  checksum = glint_loader_checksum (buf + GLINT_PROTOCOL_DATA_HEADER_LEN, sent_len);
  payload = g_bytes_new_take (buf, GLINT_PROTOCOL_DATA_HEADER_LEN + sent_len);

  send (self, op, payload, checksum, 0, work_size, is_stub, GLINT_COMMAND_NONE, cancellable,
        callback, user_data);
}

/**
 * glint_loader_flash_begin_async:
 * @compressed: FLASH_DEFL_BEGIN: the blocks that follow are deflated, and
 *   @n_blocks counts compressed blocks; otherwise FLASH_BEGIN
 * @erase_size: what the chip erases: the ROM erases it before it answers
 * @n_blocks: FLASH_DATA blocks that follow
 * @block_size: their size (glint_chip_get_flash_write_size())
 * @offset: flash address
 * @encrypted_word: send the fifth word ("not encrypted"): stubs, and ROMs
 *   with %GLINT_CHIP_ROM_FLASH_BEGIN_ENCRYPTED
 * @is_stub: whether the stub answers
 *
 * FLASH_BEGIN or FLASH_DEFL_BEGIN (protocol.md §2, §8.1). With @n_blocks
 * 0 a ROM only erases.
 */
void
glint_loader_flash_begin_async (GlintLoader         *self,
                                gboolean             compressed,
                                guint32              erase_size,
                                guint32              n_blocks,
                                guint32              block_size,
                                guint32              offset,
                                gboolean             encrypted_word,
                                gboolean             is_stub,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  /* erase size, blocks, block size, offset; the fifth word, "not
   * encrypted", for stubs and the ROMs that take it (§2) */
  const guint32 words[5] = { erase_size, n_blocks, block_size, offset, 0 };

  send_words (self, compressed ? GLINT_OP_FLASH_DEFL_BEGIN : GLINT_OP_FLASH_BEGIN, words,
              encrypted_word ? 5 : 4, erase_size, is_stub, cancellable, callback, user_data);
}

/**
 * glint_loader_flash_data_async:
 * @data: the block's bytes
 * @len: how many
 * @block_size: the block size of FLASH_BEGIN: a short last block is padded
 *   with erased bytes up to it (§5.3)
 * @seq: the block's number, from 0
 * @is_stub: whether the stub answers: the ROM writes before it answers, the
 *   stub after, owing the work to the next command
 *
 * FLASH_DATA.
 */
void
glint_loader_flash_data_async (GlintLoader         *self,
                               const guint8        *data,
                               gsize                len,
                               gsize                block_size,
                               guint32              seq,
                               gboolean             is_stub,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  send_data (self, GLINT_OP_FLASH_DATA, data, len, block_size, seq, MAX (len, (gsize) 1),
             is_stub, cancellable, callback, user_data);
}

/**
 * glint_loader_flash_defl_data_async:
 * @data: the block's compressed bytes, not padded
 * @len: how many
 * @seq: the block's number, from 0
 * @work_size: the uncompressed bytes it stands for, at least 1: the chip's
 *   work
 * @is_stub: whether the stub answers
 *
 * FLASH_DEFL_DATA.
 */
void
glint_loader_flash_defl_data_async (GlintLoader         *self,
                                    const guint8        *data,
                                    gsize                len,
                                    guint32              seq,
                                    gsize                work_size,
                                    gboolean             is_stub,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  send_data (self, GLINT_OP_FLASH_DEFL_DATA, data, len, 0, seq, work_size, is_stub,
             cancellable, callback, user_data);
}

/**
 * glint_loader_flash_end_async:
 * @stay: stay in the loader (1) rather than run the application
 *
 * FLASH_END. To a ROM it leaves the loader (§8.1); the flasher sends it to
 * stubs only.
 */
void
glint_loader_flash_end_async (GlintLoader         *self,
                              gboolean             stay,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  const guint32 word = stay ? 1 : 0;

  send_words (self, GLINT_OP_FLASH_END, &word, 1, 0, TRUE, cancellable, callback, user_data);
}

/**
 * glint_loader_flash_defl_end_async:
 * @stay: stay in the loader rather than run the application
 *
 * FLASH_DEFL_END: the stub's answer waits for the last block's work.
 */
void
glint_loader_flash_defl_end_async (GlintLoader         *self,
                                   gboolean             stay,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  const guint32 word = stay ? 1 : 0;

  send_words (self, GLINT_OP_FLASH_DEFL_END, &word, 1, 0, TRUE, cancellable, callback,
              user_data);
}

/**
 * glint_loader_mem_begin_async:
 * @size: bytes of the segment
 * @n_blocks: MEM_DATA blocks that follow
 * @block_size: their size (glint_chip_get_ram_block_size())
 * @address: where in RAM
 *
 * MEM_BEGIN (§6.3).
 */
void
glint_loader_mem_begin_async (GlintLoader         *self,
                              guint32              size,
                              guint32              n_blocks,
                              guint32              block_size,
                              guint32              address,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  const guint32 words[4] = { size, n_blocks, block_size, address };

  send_words (self, GLINT_OP_MEM_BEGIN, words, 4, 0, FALSE, cancellable, callback, user_data);
}

/**
 * glint_loader_mem_data_async:
 * @data: the block, not padded (§6.3)
 * @len: its length
 * @seq: its number, from 0
 *
 * MEM_DATA.
 */
void
glint_loader_mem_data_async (GlintLoader         *self,
                             const guint8        *data,
                             gsize                len,
                             guint32              seq,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  send_data (self, GLINT_OP_MEM_DATA, data, len, 0, seq, len, FALSE, cancellable, callback,
             user_data);
}

/**
 * glint_loader_mem_end_async:
 * @entry: the entry point to jump to
 * @flags: %GLINT_COMMAND_NO_RESPONSE to complete once written (the ROM's
 *   answer may come late, early or not at all, §7.1)
 *
 * MEM_END with flag 0: jump to @entry (§2, §6.3).
 */
void
glint_loader_mem_end_async (GlintLoader         *self,
                            guint32              entry,
                            GlintCommandFlags    flags,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  const guint32 words[2] = { 0, entry };
  g_autoptr(GBytes) payload = words_payload (words, 2);

  send (self, GLINT_OP_MEM_END, payload, 0, 0, 0, FALSE, flags, cancellable, callback,
        user_data);
}

/**
 * glint_loader_write_regs_async:
 * @pairs: address and value, @n_pairs times
 * @n_pairs: how many registers, at least 1
 * @is_stub: whether the stub answers
 *
 * WRITE_REG with one 16-byte entry per register: address, value, mask all
 * ones, no delay (§2, §5.2). Written in order, in one round trip.
 */
void
glint_loader_write_regs_async (GlintLoader         *self,
                               const guint32       *pairs,
                               guint                n_pairs,
                               gboolean             is_stub,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autofree guint32 *words = g_new0 (guint32, 4 * n_pairs);

  for (guint i = 0; i < n_pairs; i++)
    {
      words[4 * i] = pairs[2 * i];
      words[4 * i + 1] = pairs[2 * i + 1];
      words[4 * i + 2] = 0xFFFFFFFF;
    }
  send_words (self, GLINT_OP_WRITE_REG, words, 4 * n_pairs, 0, is_stub, cancellable, callback,
              user_data);
}

/**
 * glint_loader_spi_attach_async:
 * @is_stub: whether the stub answers: the ROM wants four more zero bytes
 *
 * SPI_ATTACH with the default pins (§2).
 */
void
glint_loader_spi_attach_async (GlintLoader         *self,
                               gboolean             is_stub,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  const guint32 words[2] = { 0, 0 };

  send_words (self, GLINT_OP_SPI_ATTACH, words, is_stub ? 1 : 2, 0, is_stub, cancellable,
              callback, user_data);
}

/**
 * glint_loader_spi_set_params_async:
 * @flash_size: the flash's total size
 * @is_stub: whether the stub answers
 *
 * SPI_SET_PARAMS: id 0, total size, 64 KiB blocks, 4 KiB sectors, 256-byte
 * pages, status mask 0xFFFF (§2).
 */
void
glint_loader_spi_set_params_async (GlintLoader         *self,
                                   guint32              flash_size,
                                   gboolean             is_stub,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  const guint32 words[6] = {
    0, flash_size, GLINT_FLASH_BLOCK_SIZE, GLINT_SECTOR_SIZE, GLINT_FLASH_PAGE_SIZE, 0xFFFF,
  };

  send_words (self, GLINT_OP_SPI_SET_PARAMS, words, 6, 0, is_stub, cancellable, callback,
              user_data);
}

/**
 * glint_loader_change_baudrate_async:
 * @baud: the value to send (glint_chip_baud_to_send())
 * @old_baud: the current rate, which the stub wants; 0 to a ROM
 * @is_stub: whether the stub answers
 *
 * CHANGE_BAUDRATE (§2). The caller changes its own side after the answer.
 */
void
glint_loader_change_baudrate_async (GlintLoader         *self,
                                    guint32              baud,
                                    guint32              old_baud,
                                    gboolean             is_stub,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  const guint32 words[2] = { baud, old_baud };

  send_words (self, GLINT_OP_CHANGE_BAUDRATE, words, 2, 0, is_stub, cancellable, callback,
              user_data);
}

/**
 * glint_loader_flash_md5_async:
 * @address: flash address
 * @size: bytes to hash: the chip's work
 * @is_stub: whether the stub answers: 16 raw bytes, or the ROM's 32 hex
 *   digits (the data glint_loader_command_finish() returns)
 *
 * SPI_FLASH_MD5 (§2).
 */
void
glint_loader_flash_md5_async (GlintLoader         *self,
                              guint32              address,
                              guint32              size,
                              gboolean             is_stub,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  const guint32 words[4] = { address, size, 0, 0 };

  send_words (self, GLINT_OP_SPI_FLASH_MD5, words, 4, size, is_stub, cancellable, callback,
              user_data);
}

/**
 * glint_loader_erase_region_async:
 * @offset: sector-aligned flash address
 * @length: whole sectors: the stub erases them before it answers
 *
 * ERASE_REGION (stub only, §8.2).
 */
void
glint_loader_erase_region_async (GlintLoader         *self,
                                 guint32              offset,
                                 guint32              length,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  const guint32 words[2] = { offset, length };

  send_words (self, GLINT_OP_ERASE_REGION, words, 2, length, TRUE, cancellable, callback,
              user_data);
}

/**
 * glint_loader_erase_flash_async:
 *
 * ERASE_FLASH: the whole chip (stub only, §8.2).
 */
void
glint_loader_erase_flash_async (GlintLoader         *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  send_words (self, GLINT_OP_ERASE_FLASH, NULL, 0, 0, TRUE, cancellable, callback, user_data);
}

/**
 * glint_loader_read_flash_async:
 * @offset: flash address
 * @length: bytes
 * @packet_size: bytes per data packet
 * @max_in_flight: packets the stub may send before an acknowledgement
 *
 * READ_FLASH (stub only, §6.4). Its answer comes first; the packets follow
 * as raw frames (glint_loader_set_capture_raw()).
 */
void
glint_loader_read_flash_async (GlintLoader         *self,
                               guint32              offset,
                               guint32              length,
                               guint32              packet_size,
                               guint32              max_in_flight,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  const guint32 words[4] = { offset, length, packet_size, max_in_flight };

  send_words (self, GLINT_OP_READ_FLASH, words, 4, 0, TRUE, cancellable, callback, user_data);
}

/**
 * glint_loader_read_flash_slow_async:
 * @address: flash address
 * @size: bytes, at most %GLINT_READ_FLASH_SLOW_SIZE
 *
 * READ_FLASH_SLOW (ROM, §2): the answer carries
 * %GLINT_READ_FLASH_SLOW_SIZE bytes.
 */
void
glint_loader_read_flash_slow_async (GlintLoader         *self,
                                    guint32              address,
                                    guint32              size,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  const guint32 words[2] = { address, size };

  send_words (self, GLINT_OP_READ_FLASH_SLOW, words, 2, 0, FALSE, cancellable, callback,
              user_data);
}

/**
 * glint_loader_get_security_info_async:
 * @info_len: the answer's length for this chip: 12, or 20 with the chip id
 * @is_stub: whether the stub answers
 *
 * GET_SECURITY_INFO (§4).
 */
void
glint_loader_get_security_info_async (GlintLoader         *self,
                                      gsize                info_len,
                                      gboolean             is_stub,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  send (self, GLINT_OP_GET_SECURITY_INFO, NULL, 0, info_len, 0, is_stub, GLINT_COMMAND_NONE,
        cancellable, callback, user_data);
}
