/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>
#include <string.h>
#include <zlib.h>

#include "glint-sim-private.h"

/* GlintSim's command handlers: what the ROM loader and the stub do with
 * each request (protocol.md §2). */

static void handle_read_ack (GlintSim *self,
                             gint64    t,
                             guint32   acked);

/* Where MEM_BEGIN may load code and data: each chip's internal RAM as
 * esptool's MEMORY_MAP names it (IRAM, DRAM, their DIRAM aliases, RTC
 * RAM). The ESP8266's IRAM runs on to 0x40110000: with the cache off, as
 * in the ROM loader, its cache RAM is IRAM too, and the stubs load there
 * (unverified beyond that). */
typedef struct
{
  const char *chip;
  guint32     ram[6][2];   /* [start, end) pairs; zeros end the list */
} RamMap;

static const RamMap ram_maps[] = {
  { "esp8266", { { 0x3FFE8000, 0x40000000 }, { 0x40100000, 0x40110000 } } },
  { "esp32", { { 0x3FF80000, 0x3FF82000 }, { 0x3FFAE000, 0x40000000 },
               { 0x40080000, 0x400BFFFC }, { 0x400C0000, 0x400C2000 } } },
  { "esp32s2", { { 0x3FF9E000, 0x3FFA0000 }, { 0x3FFB0000, 0x40000000 },
                 { 0x40020000, 0x40072000 } } },
  { "esp32s3", { { 0x3FC88000, 0x3FD00000 }, { 0x40370000, 0x403E0000 },
                 { 0x600FE000, 0x60100000 } } },
  { "esp32c2", { { 0x3FCA0000, 0x3FCE0000 }, { 0x4037C000, 0x403C0000 } } },
  { "esp32c3", { { 0x3FC80000, 0x3FCE0000 }, { 0x4037C000, 0x403E0000 },
                 { 0x50000000, 0x50002000 } } },
  { "esp32c5", { { 0x40800000, 0x40860000 }, { 0x50000000, 0x50004000 } } },
  { "esp32c6", { { 0x40800000, 0x40880000 }, { 0x50000000, 0x50004000 } } },
  { "esp32c61", { { 0x40800000, 0x40860000 }, { 0x50000000, 0x50004000 } } },
  { "esp32h2", { { 0x40800000, 0x40880000 }, { 0x50000000, 0x50004000 } } },
  { "esp32p4", { { 0x4FF00000, 0x4FFA0000 }, { 0x50108000, 0x50110000 } } },
};

static void
cmd_sync (GlintSim     *self,
          gint64        t,
          guint8        op,
          const guint8 *body,
          gsize         size,
          guint32       checksum)
{
  static const guint8 magic[4] = { 0x07, 0x07, 0x12, 0x20 };
  guint32 value = 0;

  /* A garbled SYNC is not answered at all. */
  if (size != 36 || memcmp (body, magic, 4) != 0)
    return;

  for (gsize i = 4; i < size; i++)
    if (body[i] != 0x55)
      return;

  if (self->mode == GLINT_SIM_MODE_ROM)
    {
      value = 0x20120707;
      /* The ROM measures the rate of the SYNC pattern. */
      if (self->autobaud)
        _glint_sim_set_chip_baud (self, self->host_baud);
    }

  self->counters[GLINT_SIM_COUNTER_SYNCS]++;
  self->cpu_busy_until = t + _glint_sim_scaled (self, CMD_US);
  for (guint i = 0; i < 8; i++)
    _glint_sim_send_response (self, self->cpu_busy_until, GLINT_OP_SYNC, value, NULL, 0,
                              GLINT_ROM_OK, GLINT_STUB_OK);
}

static void
cmd_write_reg (GlintSim     *self,
               gint64        t,
               guint8        op,
               const guint8 *body,
               gsize         size,
               guint32       checksum)
{
  gdouble us = CMD_US;

  if (size == 0 || size % 16 != 0)
    {
      _glint_sim_fail (self, t, GLINT_OP_WRITE_REG, GLINT_ROM_ERR_FORMAT,
                       GLINT_STUB_ERR_BAD_DATA_LEN);
      return;
    }

  for (gsize i = 0; i < size; i += 16)
    {
      _glint_sim_reg_write (self, glint_read_u32 (body + i), glint_read_u32 (body + i + 4),
                            glint_read_u32 (body + i + 8));
      us += glint_read_u32 (body + i + 12);
    }

  _glint_sim_finish (self, t, us, GLINT_OP_WRITE_REG, 0, NULL, 0, GLINT_ROM_OK, GLINT_STUB_OK);
}

static gboolean
check_data_block (GlintSim      *self,
                  gint64         t,
                  guint8         op,
                  const guint8  *body,
                  gsize          size,
                  guint32        checksum,
                  const guint8 **payload,
                  gsize         *payload_len)
{
  guint8 ck = 0xEF;

  if (size < 16 || glint_read_u32 (body) != size - 16)
    {
      _glint_sim_fail (self, t, op, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_BAD_DATA_LEN);
      return FALSE;
    }

  for (gsize i = 16; i < size; i++)
    ck ^= body[i];
  if (ck != (checksum & 0xFF))
    {
      _glint_sim_fail (self, t, op, GLINT_ROM_ERR_CHECKSUM, GLINT_STUB_ERR_BAD_CHECKSUM);
      return FALSE;
    }

  *payload = body + 16;
  *payload_len = size - 16;

  return TRUE;
}

static void
cmd_flash_begin (GlintSim     *self,
                 gint64        t,
                 guint8        op,
                 const guint8 *body,
                 gsize         size,
                 guint32       checksum)
{
  gboolean stub = self->mode == GLINT_SIM_MODE_STUB;
  guint32 word0, num_blocks, block_size, offset;
  guint64 erase_end;
  gdouble us = CMD_US;

  /* The 5th word ("encrypted") is optional, but esptool never sends it to
   * the ESP32 and ESP8266 ROMs: treat it as a malformed request there. */
  if ((size != 16 && size != 20) ||
      (!stub && size == 20 &&
       (self->chip->rom_is_esp8266 || g_str_equal (self->chip->name, "esp32"))))
    {
      _glint_sim_fail (self, t, op, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_BAD_DATA_LEN);
      return;
    }

  word0 = glint_read_u32 (body);
  num_blocks = glint_read_u32 (body + 4);
  block_size = glint_read_u32 (body + 8);
  offset = glint_read_u32 (body + 12);
  erase_end = (guint64) offset + word0;

  /* esptool shrinks erase_size for the ESP8266 ROM to make up for the
   * ROM's erase bug (protocol.md §5.4), and the buggy ROM then erases
   * enough after all: model the outcome, not the bug. */
  if (!stub && self->chip->rom_is_esp8266 && op == GLINT_OP_FLASH_BEGIN)
    erase_end = MAX (erase_end, (guint64) offset + (guint64) num_blocks * block_size);

  if ((guint64) offset + word0 > self->flash_size ||
      (op == GLINT_OP_FLASH_BEGIN &&
       (guint64) offset + (guint64) num_blocks * block_size > self->flash_size))
    {
      _glint_sim_fail (self, t, op, GLINT_ROM_ERR_PARAM, GLINT_STUB_ERR_FAILED_SPI);
      return;
    }

  _glint_sim_end_sessions (self);
  self->flashing = TRUE;
  self->deflating = op == GLINT_OP_FLASH_DEFL_BEGIN;
  self->fl_offset = offset;
  self->fl_erase_size = word0;
  self->fl_total = word0;
  self->fl_pos = offset;
  self->fl_erased_to = offset & ~(GLINT_SECTOR_SIZE - 1);

  if (self->deflating)
    {
      memset (&self->zs, 0, sizeof self->zs);
      if (inflateInit (&self->zs) != Z_OK)
        {
          self->flashing = FALSE;
          _glint_sim_fail (self, t, op, GLINT_ROM_ERR_DEFLATE, GLINT_STUB_ERR_INFLATE);
          return;
        }
      self->zs_init = TRUE;
      self->zs_done = FALSE;
    }

  /* The ROM erases the whole region before it answers; the stub erases
   * lazily while writing. */
  if (!stub && word0 > 0)
    {
      us += _glint_sim_erase_range (self, offset, (guint32) erase_end);
      self->fl_erased_to = (guint32) erase_end;
    }

  _glint_sim_finish (self, t, us, op, 0, NULL, 0, GLINT_ROM_OK, GLINT_STUB_OK);
}

/* Writes decompressed or plain data at fl_pos.  Returns an error pair
 * through rom_error/stub_error, FALSE on brown-out. */
static gboolean
write_block (GlintSim     *self,
             gint64        t,
             const guint8 *data,
             gsize         len,
             gdouble      *us,
             guint8       *rom_error,
             guint16      *stub_error)
{
  guint64 end;

  /* The stub writes only the declared size; the 0xFF padding of the last
   * uncompressed block must not erase what follows the image. */
  if (self->mode == GLINT_SIM_MODE_STUB && !self->deflating)
    {
      guint64 limit = (guint64) self->fl_offset + self->fl_total;

      len = self->fl_pos < limit ? MIN (len, limit - self->fl_pos) : 0;
    }
  end = (guint64) self->fl_pos + len;

  if (end > self->flash_size)
    {
      *rom_error = GLINT_ROM_ERR_WRITE;
      *stub_error = GLINT_STUB_ERR_FAILED_SPI;
      return TRUE;
    }

  if (self->mode == GLINT_SIM_MODE_STUB)
    *us += _glint_sim_ensure_erased (self, (guint32) end);

  if (!_glint_sim_program (self, t, self->fl_pos, data, len, us))
    return FALSE;
  self->fl_pos = (guint32) end;

  return TRUE;
}

static gboolean
inflate_block (GlintSim     *self,
               gint64        t,
               const guint8 *data,
               gsize         len,
               gdouble      *us,
               guint8       *rom_error,
               guint16      *stub_error)
{
  g_autofree guint8 *out = g_malloc (0x8000);

  if (self->zs_done)
    {
      if (len > 0)
        {
          *rom_error = GLINT_ROM_ERR_DEFLATE;
          *stub_error = GLINT_STUB_ERR_TOO_MUCH;
        }
      return TRUE;
    }

  self->zs.next_in = (Bytef *) data;
  self->zs.avail_in = len;

  do
    {
      gsize produced;
      int r;

      self->zs.next_out = out;
      self->zs.avail_out = 0x8000;
      r = inflate (&self->zs, Z_NO_FLUSH);
      if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
        {
          *rom_error = GLINT_ROM_ERR_DEFLATE;
          *stub_error = GLINT_STUB_ERR_INFLATE;
          return TRUE;
        }

      produced = 0x8000 - self->zs.avail_out;
      if ((guint64) self->fl_pos + produced > (guint64) self->fl_offset + self->fl_total)
        {
          *rom_error = GLINT_ROM_ERR_DEFLATE;
          *stub_error = GLINT_STUB_ERR_TOO_MUCH;
          return TRUE;
        }
      if (produced > 0 && !write_block (self, t, out, produced, us, rom_error, stub_error))
        return FALSE;
      if (*rom_error != GLINT_ROM_OK)
        return TRUE;

      if (r == Z_STREAM_END)
        {
          self->zs_done = TRUE;
          break;
        }
      if (r == Z_BUF_ERROR)
        break;
    }
  while (self->zs.avail_out == 0 || self->zs.avail_in > 0);

  return TRUE;
}

static void
cmd_flash_data (GlintSim     *self,
                gint64        t,
                guint8        op,
                const guint8 *body,
                gsize         size,
                guint32       checksum)
{
  gboolean stub = self->mode == GLINT_SIM_MODE_STUB;
  gboolean deflate = op == GLINT_OP_FLASH_DEFL_DATA;
  const guint8 *payload;
  gsize len;
  guint8 rom_error = GLINT_ROM_OK;
  guint16 stub_error = GLINT_STUB_OK;
  gdouble us = 0;
  gboolean alive;
  guint32 from;

  if (!check_data_block (self, t, op, body, size, checksum, &payload, &len))
    return;

  if (!self->flashing || self->deflating != deflate)
    {
      _glint_sim_fail (self, t, op, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_NOT_IN_FLASH);
      return;
    }

  if (stub)
    {
      guint16 carried = self->carried_error;

      /* protocol.md §9: ack first, then inflate/erase/write; an error
       * carries over to the next command. */
      self->carried_error = 0;
      _glint_sim_finish (self, t, CMD_US, op, 0, NULL, 0, GLINT_ROM_OK, carried);
      t = self->cpu_busy_until;
    }

  from = self->fl_pos;
  if (deflate)
    alive = inflate_block (self, t, payload, len, &us, &rom_error, &stub_error);
  else
    alive = write_block (self, t, payload, len, &us, &rom_error, &stub_error);

  if (!alive)
    return;

  /* what a frame decoded into this block's buffer meanwhile would damage
   * (the legacy stub, protocol.md §9) */
  self->work_from = from;
  self->work_to = self->fl_pos;

  if (stub)
    {
      self->cpu_busy_until = t + _glint_sim_scaled (self, us);
      if (stub_error != GLINT_STUB_OK)
        self->carried_error = stub_error;
    }
  else
    {
      _glint_sim_finish (self, t, CMD_US + us, op, 0, NULL, 0, rom_error, stub_error);
    }
}

static void
cmd_flash_end (GlintSim     *self,
               gint64        t,
               guint8        op,
               const guint8 *body,
               gsize         size,
               guint32       checksum)
{
  gboolean stub = self->mode == GLINT_SIM_MODE_STUB;
  guint16 stub_error = self->carried_error;
  guint32 flag;

  if (size < 4)
    {
      _glint_sim_fail (self, t, op, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_BAD_DATA_LEN);
      return;
    }
  flag = glint_read_u32 (body);

  if (stub && stub_error == GLINT_STUB_OK)
    {
      if (!self->flashing)
        stub_error = GLINT_STUB_ERR_NOT_IN_FLASH;
      else if (op == GLINT_OP_FLASH_DEFL_END && self->deflating && !self->zs_done)
        stub_error = GLINT_STUB_ERR_NOT_ENOUGH;
    }

  _glint_sim_end_sessions (self);
  _glint_sim_finish (self, t, CMD_US, op, 0, NULL, 0, GLINT_ROM_OK, stub_error);

  /* 0 = reboot.  1 = "run user code": the ESP8266 ROM jumps to the app
   * (esptool's soft reset); later ROMs and the stub stay in the loader. */
  if (flag == 0)
    _glint_sim_reset_into_app (self, self->cpu_busy_until, BOOT_SW);
  else if (!stub && self->chip->rom_is_esp8266)
    {
      _glint_sim_chip_reset (self, self->cpu_busy_until);
      _glint_sim_schedule_boot (self, self->cpu_busy_until, BOOT_RUN);
    }
}

/* Whether [start, start + len) lies in one of the chip's RAM ranges. */
static gboolean
in_ram (GlintSim *self,
        guint32   start,
        guint32   len)
{
  for (guint i = 0; i < G_N_ELEMENTS (ram_maps); i++)
    {
      if (!g_str_equal (ram_maps[i].chip, self->chip->name))
        continue;
      for (guint j = 0; j < G_N_ELEMENTS (ram_maps[i].ram) && ram_maps[i].ram[j][1] != 0; j++)
        if (start >= ram_maps[i].ram[j][0] &&
            (guint64) start + len <= ram_maps[i].ram[j][1])
          return TRUE;
    }

  return FALSE;
}

/* Whether @addr lies in what MEM_DATA loaded since the last reset. */
static gboolean
was_loaded (GlintSim *self,
            guint32   addr)
{
  for (guint i = 0; i + 1 < self->ram_loaded->len; i += 2)
    if (addr >= g_array_index (self->ram_loaded, guint32, i) &&
        addr < g_array_index (self->ram_loaded, guint32, i + 1))
      return TRUE;

  return FALSE;
}

/* MEM_BEGIN, MEM_DATA, MEM_END: code and data into RAM, then a jump to
 * the entry point (protocol.md §6.3). What is loaded is checked as the
 * ROM can check it: the range must be RAM (0x0F, invalid RAM binary
 * address), the blocks must cover the size (0x0E, invalid size), blocks
 * come in sequence. A jump to an entry point where nothing was loaded
 * crashes the chip, as it would: the answer to MEM_END still goes out, then
 * a panic and a reset, and no stub greets the host. */
static void
cmd_mem (GlintSim     *self,
         gint64        t,
         guint8        op,
         const guint8 *body,
         gsize         size,
         guint32       checksum)
{
  const guint8 *payload;
  gsize len;

  switch (op)
    {
    case GLINT_OP_MEM_BEGIN:
      self->mem_size = glint_read_u32 (body);
      self->mem_blocks = glint_read_u32 (body + 4);
      self->mem_block_size = glint_read_u32 (body + 8);
      self->mem_addr = glint_read_u32 (body + 12);
      if (self->mem_block_size == 0 ||
          (guint64) self->mem_blocks * self->mem_block_size < self->mem_size)
        {
          self->mem_active = FALSE;
          _glint_sim_fail (self, t, op, GLINT_ROM_ERR_RAM_SIZE, GLINT_STUB_ERR_BAD_DATA_LEN);
          return;
        }
      if (!in_ram (self, self->mem_addr, self->mem_size))
        {
          self->mem_active = FALSE;
          _glint_sim_fail (self, t, op, GLINT_ROM_ERR_RAM_ADDR, GLINT_STUB_ERR_FAILED_SPI);
          return;
        }
      self->mem_active = TRUE;
      self->mem_seq = 0;
      self->mem_received = 0;
      break;

    case GLINT_OP_MEM_DATA:
      if (!check_data_block (self, t, op, body, size, checksum, &payload, &len))
        return;
      if (!self->mem_active || glint_read_u32 (body + 4) != self->mem_seq ||
          len > self->mem_block_size || self->mem_received + len > self->mem_size)
        {
          _glint_sim_fail (self, t, op, GLINT_ROM_ERR_PARAM, GLINT_STUB_ERR_BAD_DATA_LEN);
          return;
        }
      {
        guint32 range[2] = { self->mem_addr + self->mem_received,
                             self->mem_addr + self->mem_received + (guint32) len };

        g_array_append_vals (self->ram_loaded, range, 2);
      }
      self->mem_seq++;
      self->mem_received += len;
      break;

    case GLINT_OP_MEM_END:
      self->mem_active = FALSE;
      if (self->mode == GLINT_SIM_MODE_ROM && glint_read_u32 (body) == 0 && glint_read_u32 (body + 4) != 0)
        {
          static const guint8 ohai[4] = { 'O', 'H', 'A', 'I' };

          _glint_sim_finish (self, t, CMD_US, op, 0, NULL, 0, GLINT_ROM_OK, GLINT_STUB_OK);
          if (!was_loaded (self, glint_read_u32 (body + 4)))
            {
              _glint_sim_send_text (self, self->cpu_busy_until + _glint_sim_scaled (self, 1000),
                                    "Guru Meditation Error: Core  0 panic'ed "
                                    "(InstrFetchProhibited). Exception was unhandled.\r\n");
              _glint_sim_reset_into_app (self,
                                         self->cpu_busy_until + _glint_sim_scaled (self, 2000),
                                         BOOT_SW);
              return;
            }
          /* The stub takes over and greets the host. */
          _glint_sim_set_mode (self, GLINT_SIM_MODE_STUB);
          self->cpu_busy_until += _glint_sim_scaled (self, 1000);
          _glint_sim_send_frame (self, self->cpu_busy_until, ohai, sizeof ohai);
          return;
        }
      break;

    default:
      g_assert_not_reached ();
    }

  _glint_sim_finish (self, t, CMD_US, op, 0, NULL, 0, GLINT_ROM_OK, GLINT_STUB_OK);
}

static void
cmd_md5 (GlintSim     *self,
         gint64        t,
         guint8        op,
         const guint8 *body,
         gsize         size,
         guint32       checksum)
{
  g_autoptr(GChecksum) md5 = NULL;
  guint32 addr, len;
  guint8 digest[16];
  gsize digest_len = sizeof digest;
  gdouble us;

  addr = glint_read_u32 (body);
  len = glint_read_u32 (body + 4);
  if ((guint64) addr + len > self->flash_size)
    {
      _glint_sim_fail (self, t, GLINT_OP_SPI_FLASH_MD5, GLINT_ROM_ERR_READ,
                       GLINT_STUB_ERR_FAILED_SPI);
      return;
    }

  self->counters[GLINT_SIM_COUNTER_MD5S]++;
  md5 = g_checksum_new (G_CHECKSUM_MD5);
  g_checksum_update (md5, _glint_sim_cells_read (self, addr, len), len);
  us = CMD_US + MD5_US_PER_MIB * len / (1024.0 * 1024.0);

  if (self->mode == GLINT_SIM_MODE_STUB)
    {
      g_checksum_get_digest (md5, digest, &digest_len);
      _glint_sim_finish (self, t, us, GLINT_OP_SPI_FLASH_MD5, 0, digest, digest_len, GLINT_ROM_OK,
                         GLINT_STUB_OK);
    }
  else
    {
      const char *hex = g_checksum_get_string (md5);

      _glint_sim_finish (self, t, us, GLINT_OP_SPI_FLASH_MD5, 0, (const guint8 *) hex, 32,
                         GLINT_ROM_OK, GLINT_STUB_OK);
    }
}

static void
cmd_change_baud (GlintSim     *self,
                 gint64        t,
                 guint8        op,
                 const guint8 *body,
                 gsize         size,
                 guint32       checksum)
{
  guint32 baud;

  baud = glint_read_u32 (body);
  if (baud < 300 || baud > MAX_CHIP_BAUD)
    {
      _glint_sim_fail (self, t, GLINT_OP_CHANGE_BAUDRATE, GLINT_ROM_ERR_PARAM,
                       GLINT_STUB_ERR_BAD_DATA_LEN);
      return;
    }

  /* The ESP32 ROM divides the crystal it believes in, the C5 ROM the one
   * it expects; the stub knows the real one. */
  if (self->mode == GLINT_SIM_MODE_ROM && self->rom_xtal_hz > 0)
    baud = (guint32) lround ((gdouble) baud * self->chip->uart_clk_hz / self->rom_xtal_hz);

  /* The answer still goes out at the old rate; then the UART switches. */
  _glint_sim_finish (self, t, CMD_US, GLINT_OP_CHANGE_BAUDRATE, 0, NULL, 0, GLINT_ROM_OK,
                     GLINT_STUB_OK);
  self->counters[GLINT_SIM_COUNTER_BAUD_CHANGES]++;
  self->autobaud = FALSE;
  if (self->lose_baud_change)
    {
      /* one-shot fault: acknowledged, but the UART keeps its old rate (a
       * change lost on the way, as a relay that ignores SET-BAUDRATE) */
      self->lose_baud_change = FALSE;
      return;
    }
  _glint_sim_set_chip_baud (self, baud);
}

static void
send_read_packet (GlintSim *self,
                  gint64    t)
{
  guint32 n = MIN (self->rd_packet, self->rd_len - self->rd_sent);
  const guint8 *p = _glint_sim_cells_read (self, self->rd_offset + self->rd_sent, n);

  g_checksum_update (self->rd_md5, p, n);
  _glint_sim_send_frame (self, t, p, n);
  self->rd_sent += n;
  self->counters[GLINT_SIM_COUNTER_FLASH_READ] += n;
}

static void
cmd_read_flash (GlintSim     *self,
                gint64        t,
                guint8        op,
                const guint8 *body,
                gsize         size,
                guint32       checksum)
{
  guint32 offset, len, packet;

  offset = glint_read_u32 (body);
  len = glint_read_u32 (body + 4);
  packet = glint_read_u32 (body + 8);
  if (packet > READ_PACKET_MAX)
    {
      _glint_sim_fail (self, t, GLINT_OP_READ_FLASH, GLINT_ROM_ERR_PARAM,
                       GLINT_STUB_ERR_BAD_DATA_LEN);
      return;
    }
  if ((guint64) offset + len > self->flash_size || packet == 0)
    {
      _glint_sim_fail (self, t, GLINT_OP_READ_FLASH, GLINT_ROM_ERR_PARAM,
                       GLINT_STUB_ERR_FAILED_SPI);
      return;
    }

  _glint_sim_finish (self, t, CMD_US, GLINT_OP_READ_FLASH, 0, NULL, 0, GLINT_ROM_OK, GLINT_STUB_OK);
  self->rd_answered = self->cpu_busy_until;

  /* esp-flasher-stub keeps one packet in flight (protocol.md §6.4). */
  _glint_sim_end_sessions (self);
  self->reading = TRUE;
  self->rd_offset = offset;
  self->rd_len = len;
  self->rd_sent = 0;
  self->rd_acked = 0;
  self->rd_packet = packet;
  self->rd_md5 = g_checksum_new (G_CHECKSUM_MD5);

  if (len > 0)
    send_read_packet (self, self->cpu_busy_until);
  else
    handle_read_ack (self, self->cpu_busy_until, 0);
}

static void
handle_read_ack (GlintSim *self,
                 gint64    t,
                 guint32   acked)
{
  self->rd_acked = acked;

  if (self->rd_acked >= self->rd_len && self->rd_sent >= self->rd_len)
    {
      guint8 digest[16];
      gsize digest_len = sizeof digest;

      g_checksum_get_digest (self->rd_md5, digest, &digest_len);
      _glint_sim_send_frame (self, t, digest, digest_len);
      self->reading = FALSE;
      g_clear_pointer (&self->rd_md5, g_checksum_free);
      return;
    }

  if (self->rd_sent < self->rd_len && self->rd_acked >= self->rd_sent)
    send_read_packet (self, t);
}

static void
cmd_read_flash_slow (GlintSim     *self,
                     gint64        t,
                     guint8        op,
                     const guint8 *body,
                     gsize         size,
                     guint32       checksum)
{
  guint8 data[64];
  guint32 offset, len;

  offset = glint_read_u32 (body);
  len = glint_read_u32 (body + 4);
  if (len > sizeof data)
    {
      _glint_sim_fail (self, t, GLINT_OP_READ_FLASH_SLOW, GLINT_ROM_ERR_READ_LEN,
                       GLINT_STUB_ERR_BAD_DATA_LEN);
      return;
    }
  if ((guint64) offset + len > self->flash_size)
    {
      _glint_sim_fail (self, t, GLINT_OP_READ_FLASH_SLOW, GLINT_ROM_ERR_READ,
                       GLINT_STUB_ERR_FAILED_SPI);
      return;
    }

  /* The ROM always answers 64 bytes. */
  memset (data, 0xFF, sizeof data);
  memcpy (data, _glint_sim_cells_read (self, offset, len), len);
  self->counters[GLINT_SIM_COUNTER_FLASH_READ] += len;
  _glint_sim_finish (self, t, CMD_US, GLINT_OP_READ_FLASH_SLOW, 0, data, sizeof data, GLINT_ROM_OK,
                     GLINT_STUB_OK);
}

static void
cmd_security_info (GlintSim     *self,
                   gint64        t,
                   guint8        op,
                   const guint8 *body,
                   gsize         size,
                   guint32       checksum)
{
  guint8 info[20];

  /* flags, flash_crypt_cnt, key_purposes[7] (none set); then chip_id and
   * api/eco version (ESP32-S2 stops after the first 12 bytes) */
  memset (info, 0, sizeof info);
  glint_put_u32 (info, self->security_flags);
  info[4] = self->flash_crypt_cnt;
  glint_put_u32 (info + 12, self->chip->chip_id);
  glint_put_u32 (info + 16, 0);

  _glint_sim_finish (self, t, CMD_US, GLINT_OP_GET_SECURITY_INFO, 0, info,
                     self->chip->security_info_len,
                     GLINT_ROM_OK, GLINT_STUB_OK);
}

static void
cmd_erase (GlintSim     *self,
           gint64        t,
           guint8        op,
           const guint8 *body,
           gsize         size,
           guint32       checksum)
{
  guint32 offset = 0;
  guint32 len = self->flash_size;

  if (op == GLINT_OP_ERASE_REGION)
    {
      offset = glint_read_u32 (body);
      len = glint_read_u32 (body + 4);
      if (offset % GLINT_SECTOR_SIZE != 0 || len % GLINT_SECTOR_SIZE != 0)
        {
          _glint_sim_fail (self, t, op, GLINT_ROM_ERR_PARAM, GLINT_STUB_ERR_BAD_DATA_LEN);
          return;
        }
      if ((guint64) offset + len > self->flash_size)
        {
          _glint_sim_fail (self, t, op, GLINT_ROM_ERR_PARAM, GLINT_STUB_ERR_FAILED_SPI);
          return;
        }
    }

  /* fault: the chip browns out while it erases (the sectors before that
   * point are erased), and answers no more */
  if (op == GLINT_OP_ERASE_REGION && self->brown_out_erasing > 0)
    {
      guint64 left = self->brown_out_erasing;

      if (len >= left)
        {
          guint32 n = (guint32) (left + GLINT_SECTOR_SIZE - 1) & ~(guint32) (GLINT_SECTOR_SIZE - 1);
          gdouble us = _glint_sim_erase_range (self, offset, offset + n);

          g_debug ("sim: brown-out while erasing, 0x%x bytes at 0x%x erased", n, offset);
          self->brown_out_erasing = 0;
          _glint_sim_reset_into_app (self, t + _glint_sim_scaled (self, us), BOOT_BROWN_OUT);
          return;
        }
      self->brown_out_erasing -= len;
    }

  _glint_sim_finish (self, t, CMD_US + _glint_sim_erase_range (self, offset, offset + len), op, 0,
                     NULL, 0,
                     GLINT_ROM_OK, GLINT_STUB_OK);
}

static void
cmd_read_reg (GlintSim     *self,
              gint64        t,
              guint8        op,
              const guint8 *body,
              gsize         size,
              guint32       checksum)
{
  _glint_sim_finish (self, t, CMD_US, op, _glint_sim_reg_read (self, glint_read_u32 (body)), NULL,
                     0, GLINT_ROM_OK, GLINT_STUB_OK);
}

/* RUN_USER_CODE: no response, the app starts */
static void
cmd_run_user_code (GlintSim     *self,
                   gint64        t,
                   guint8        op,
                   const guint8 *body,
                   gsize         size,
                   guint32       checksum)
{
  _glint_sim_reset_into_app (self, t + _glint_sim_scaled (self, CMD_US), BOOT_SW);
}

/* SPI_SET_PARAMS, SPI_ATTACH: taken, and nothing to model */
static void
cmd_ok (GlintSim     *self,
        gint64        t,
        guint8        op,
        const guint8 *body,
        gsize         size,
        guint32       checksum)
{
  _glint_sim_finish (self, t, CMD_US, op, 0, NULL, 0, GLINT_ROM_OK, GLINT_STUB_OK);
}

typedef void (*CommandFunc) (GlintSim     *self,
                             gint64        t,
                             guint8        op,
                             const guint8 *body,
                             gsize         size,
                             guint32       checksum);

/* Who takes a command (protocol.md §2) */
typedef enum
{
  ON_ROM = 1 << 0,        /* every ROM */
  ON_ROM_ESP32 = 1 << 1,  /* the ROMs but the ESP8266's */
  ON_SECURE = 1 << 2,     /* the ROM in secure download mode */
  ON_STUB = 1 << 3,
  WITH_INFO = 1 << 4,     /* only where the chip tells security info (but in
                           * secure download mode) */
} Takers;

/* Every command the simulator knows: who takes it, and the length of its
 * argument where it has one (protocol.md §2), on the ROM and under the
 * stub: any other is a format error before the command does anything.
 * ANY_LEN: the command checks its own. */
#define ANY_LEN G_MAXUINT8

typedef struct
{
  guint8      op;
  Takers      takers;
  guint8      rom_len;
  guint8      stub_len;
  CommandFunc run;
} Command;

static const Command commands[] = {
  { GLINT_OP_SYNC, ON_ROM | ON_SECURE | ON_STUB, ANY_LEN, ANY_LEN, cmd_sync },
  { GLINT_OP_READ_REG, ON_ROM | ON_STUB, 4, 4, cmd_read_reg },
  { GLINT_OP_WRITE_REG, ON_ROM | ON_STUB, ANY_LEN, ANY_LEN, cmd_write_reg },
  { GLINT_OP_SPI_SET_PARAMS, ON_ROM_ESP32 | ON_SECURE | ON_STUB, 24, 24, cmd_ok },
  /* ROM: hspi_arg + 4 more bytes; stub: hspi_arg only */
  { GLINT_OP_SPI_ATTACH, ON_ROM_ESP32 | ON_SECURE | ON_STUB, 8, 4, cmd_ok },
  { GLINT_OP_FLASH_BEGIN, ON_ROM | ON_SECURE | ON_STUB, ANY_LEN, ANY_LEN, cmd_flash_begin },
  { GLINT_OP_FLASH_DEFL_BEGIN, ON_ROM_ESP32 | ON_STUB, ANY_LEN, ANY_LEN, cmd_flash_begin },
  { GLINT_OP_FLASH_DATA, ON_ROM | ON_SECURE | ON_STUB, ANY_LEN, ANY_LEN, cmd_flash_data },
  { GLINT_OP_FLASH_DEFL_DATA, ON_ROM_ESP32 | ON_STUB, ANY_LEN, ANY_LEN, cmd_flash_data },
  { GLINT_OP_FLASH_END, ON_ROM | ON_SECURE | ON_STUB, ANY_LEN, ANY_LEN, cmd_flash_end },
  { GLINT_OP_FLASH_DEFL_END, ON_ROM_ESP32 | ON_STUB, ANY_LEN, ANY_LEN, cmd_flash_end },
  { GLINT_OP_MEM_BEGIN, ON_ROM | ON_STUB, 16, 16, cmd_mem },
  { GLINT_OP_MEM_DATA, ON_ROM | ON_STUB, ANY_LEN, ANY_LEN, cmd_mem },
  { GLINT_OP_MEM_END, ON_ROM | ON_STUB, 8, 8, cmd_mem },
  { GLINT_OP_SPI_FLASH_MD5, ON_ROM_ESP32 | ON_STUB, 16, 16, cmd_md5 },
  { GLINT_OP_CHANGE_BAUDRATE, ON_ROM_ESP32 | ON_SECURE | ON_STUB, 8, 8, cmd_change_baud },
  { GLINT_OP_GET_SECURITY_INFO, ON_ROM | ON_SECURE | ON_STUB | WITH_INFO, ANY_LEN, ANY_LEN,
    cmd_security_info },
  { GLINT_OP_READ_FLASH_SLOW, ON_ROM_ESP32, 8, 8, cmd_read_flash_slow },
  { GLINT_OP_READ_FLASH, ON_STUB, 16, 16, cmd_read_flash },
  { GLINT_OP_ERASE_FLASH, ON_STUB, ANY_LEN, ANY_LEN, cmd_erase },
  { GLINT_OP_ERASE_REGION, ON_STUB, 8, 8, cmd_erase },
  { GLINT_OP_RUN_USER_CODE, ON_STUB, ANY_LEN, ANY_LEN, cmd_run_user_code },
};

/* The command @op names, if the chip in its mode takes it, else %NULL */
static const Command *
find_command (GlintSim *self,
              guint8    op)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const Command *cmd = &commands[i];
      gboolean taken;

      if (cmd->op != op)
        continue;
      if (self->mode == GLINT_SIM_MODE_STUB)
        taken = (cmd->takers & ON_STUB) != 0;
      else if ((self->security_flags & GLINT_CHIP_SECURE_DOWNLOAD) != 0)
        return (cmd->takers & ON_SECURE) != 0 ? cmd : NULL;
      else
        taken = (cmd->takers & ON_ROM) != 0 ||
                ((cmd->takers & ON_ROM_ESP32) != 0 && !self->chip->rom_is_esp8266);
      if ((cmd->takers & WITH_INFO) != 0 && self->chip->security_info_len == 0)
        taken = FALSE;
      return taken ? cmd : NULL;
    }
  return NULL;
}


void
_glint_sim_handle_frame (GlintSim     *self,
                         gint64        t,
                         const guint8 *frame,
                         gsize         len)
{
  gboolean stub = self->mode == GLINT_SIM_MODE_STUB;
  g_autofree guint8 *damaged = NULL;
  const Command *cmd;
  const guint8 *body;
  guint8 arg_len;
  guint8 op;
  gsize size;
  guint32 checksum;

  if (self->reading)
    {
      if (len == 4 && (self->legacy_read || self->legacy_stub) &&
          self->frame_arrived < self->rd_answered + (gint64) (self->latency_ms * 1000))
        {
          /* The legacy stub masks its receive interrupt only once the
           * answer is sent: an acknowledgement that arrived with the
           * request (one USB write carrying both) is taken as the next
           * command, and the read waits for one that never comes
           * (protocol.md §9). The model: one that arrives sooner than
           * the answer could have reached the host (the latency) was
           * sent with the request. */
          self->counters[GLINT_SIM_COUNTER_FRAMES_LOST]++;
          g_debug ("sim: the legacy stub took an early READ_FLASH acknowledgement as a "
                   "command");
          return;
        }
      if (len == 4)
        {
          handle_read_ack (self, t, glint_read_u32 (frame));
          return;
        }
      /* anything else ends the transfer */
      _glint_sim_end_sessions (self);
    }

  /* Not a request: the loader ignores it. */
  if (len < 8 || frame[0] != 0x00)
    return;

  op = frame[1];
  size = frame[2] | (frame[3] << 8);
  checksum = glint_read_u32 (frame + 4);
  body = frame + 8;

  /* one-shot fault: a byte of this command's data damaged on the way (for
   * the _DATA commands, past their 16-byte header: the checksum fails) */
  if (self->damage_op != 0 && op == self->damage_op && len > 8 + 16)
    {
      damaged = g_memdup2 (frame, len);
      damaged[8 + 16] ^= 0x5A;
      body = damaged + 8;
      if (--self->damage_left == 0)
        self->damage_op = 0;
    }

  if (size != len - 8)
    {
      _glint_sim_fail (self, t, op, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_BAD_DATA_LEN);
      return;
    }

  cmd = find_command (self, op);
  if (cmd == NULL)
    {
      if (stub)
        {
          _glint_sim_fail (self, t, op, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_INVALID_CMD);
        }
      else
        {
          /* The ROM does not take the opcode of a command it does not
           * know into its response header: "invalid message" goes out
           * under the opcode of the last answered command, eight times.
           * esptool knows it by exactly that (an error 0x05 under another
           * opcode: UnsupportedCommandError) and drains the repeats
           * (protocol.md §1.4). */
          guint8 last_op = self->rom_last_op;

          self->cpu_busy_until = t + _glint_sim_scaled (self, CMD_US);
          for (guint i = 0; i < ROM_ERROR_REPEAT; i++)
            _glint_sim_send_response (self, self->cpu_busy_until, last_op, self->rom_last_value,
                                      NULL, 0,
                                      GLINT_ROM_ERR_FORMAT, 0);
        }
      return;
    }

  self->counters[GLINT_SIM_COUNTER_COMMANDS]++;

  /* An error of an early-acked block is reported by the next command
   * (protocol.md §9); the _DATA commands do that in their ack. */
  if (stub && self->carried_error != 0 && op != GLINT_OP_FLASH_DATA &&
      op != GLINT_OP_FLASH_DEFL_DATA)
    {
      guint16 carried = self->carried_error;

      self->carried_error = 0;
      _glint_sim_fail (self, t, op, GLINT_ROM_OK, carried);
      return;
    }

  arg_len = stub ? cmd->stub_len : cmd->rom_len;
  if (arg_len != ANY_LEN && size != arg_len)
    _glint_sim_fail (self, t, op, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_BAD_DATA_LEN);
  else
    cmd->run (self, t, op, body, size, checksum);
}
