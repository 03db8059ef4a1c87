/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>
#include <string.h>
#include <zlib.h>

#include "glint-chip.h"
#include "glint-error.h"
#include "glint-protocol.h"
#include "glint-sim.h"
#include "glint-slip.h"

/*
 * GlintSim is a simulated Espressif chip on the far end of a serial wire,
 * faithful enough that esptool could talk to it (facts: docs/protocol.md).
 *
 * It is a discrete-event simulation run against the real monotonic clock:
 * everything that happens (host bytes reaching the chip, chip bytes reaching
 * the host, the strapping pins being sampled, the CPU becoming free) is an
 * Event with a due time in one sorted queue, and a single GSource fires at
 * the earliest due time.  Events are processed "at" their due time, so
 * follow-up timing does not drift with main loop latency.
 *
 * The host's UART adapter is modelled at the chip end of the link: latency
 * applies between the host program and the adapter, wire time between the
 * adapter and the chip.
 */

#define BOOT_BAUD          115200
#define STRAP_DELAY_US     5000.0     /* EN high -> IO0 sampled */
#define MIN_STRAP_DELAY_US 2000       /* ... even at time-scale 0 */
#define CMD_US             50.0       /* processing time of a simple command */
#define SECTOR_SIZE        GLINT_FLASH_SECTOR_SIZE
#define BLOCK_SIZE         GLINT_FLASH_BLOCK_SIZE
#define SECTOR_ERASE_US    25000.0
#define BLOCK_ERASE_US     150000.0
#define PAGE_PROGRAM_US    400.0      /* per 256 bytes */
#define MD5_US_PER_MIB     300000.0
#define APP_TICK_US        1000000.0
#define MIN_APP_TICK_US    10000
#define MAX_FRAME          (8 + 0x4000 + 0xFF)
#define ROM_ERROR_REPEAT   8          /* the ROM repeats "invalid message" (protocol.md §1.4) */
#define MAX_CHIP_BAUD      5000000

/* The ESP32 ROM's crystal belief (esptool's get_rom_cal_crystal_freq):
 * believed = cali_val × 15625 × ck8m / 40 Hz, cali_val in RTCCALICFG1
 * bits 31..7, ck8m the low byte of eFuse word 4. */
#define ESP32_RTCCALICFG1     0x3FF5F06C
#define ESP32_EFUSE_RD_WORD4  (0x3FF5A000 + 4 * 4)
#define CK8M_MIN              128          /* ck8m drawn from the seed in here */
#define CK8M_MAX              224

/* What the simulated ROM says and runs on: the simulator's own model data.
 * Which of a chip's magic values (protocol.md §4) its ROM answers is a
 * choice of revision. The protocol's facts about the chip (ids, registers,
 * offsets, what its ROM supports) come from glint-chip.c. */
typedef struct
{
  const char *name;
  const char *rom_banner;
  guint32     magic;
  guint32     uart_clk_hz;         /* CLKDIV = this / baud */
  guint32     uart_clkdiv_reg;     /* only where glint-chip.c knows none */
} ChipModel;

static const ChipModel chip_models[] = {
  { "esp8266", "ets Jan  8 2013,rst cause:2, boot mode:(1,7)", 0xFFF0C101, 52000000 },
  { "esp32", "ets Jun  8 2016 00:22:57", 0x00F01D83, 40000000 },
  { "esp32s2", "ESP-ROM:esp32s2-rc4-20191025", 0x000007C6, 40000000 },
  { "esp32s3", "ESP-ROM:esp32s3-20210327", 0x00000009, 40000000 },
  { "esp32c2", "ESP-ROM:esp8684-api2-20220127", 0x6F51306F, 40000000 },
  { "esp32c3", "ESP-ROM:esp32c3-api1-20210207", 0x6921506F, 40000000 },
  { "esp32c5", "ESP-ROM:esp32c5-eco2-20250121", 0x1101406F, 40000000 },
  { "esp32c6", "ESP-ROM:esp32c6-20220919", 0x2CE0806F, 40000000 },
  { "esp32c61", "ESP-ROM:esp32c61-20240405", 0x33F0206F, 40000000 },
  { "esp32h2", "ESP-ROM:esp32h2-20221101", 0xD7B73E80, 40000000 },
  /* The P4 UART_CLKDIV address is not in esptool (unverified): the UART0
   * base of the P4 TRM. */
  { "esp32p4", "ESP-ROM:esp32p4-eco2-20240710", 0x0ADDBAD0, 40000000, 0x500CA014 },
};

/* The model and the protocol's facts, as the simulator uses them. */
typedef struct
{
  const char *name;
  const char *rom_banner;
  guint32     magic;
  guint32     chip_id;
  guint       security_info_len;   /* 0: ROM has no GET_SECURITY_INFO */
  guint32     mac_reg;             /* low MAC word; ESP8266: OTP MAC0 */
  guint32     spi_base;
  guint32     usr_offs;
  guint32     w0_offs;
  guint32     uart_clkdiv_reg;
  guint32     uart_clk_hz;         /* CLKDIV = this / baud */
  guint32     bootloader_offset;
  guint       rom_status_len;
  guint       rom_is_esp8266 : 1;  /* no DEFL/MD5/CHANGE_BAUD/SPI_ATTACH/... in ROM */
} ChipInfo;

static void
chip_info_init (ChipInfo        *info,
                const ChipModel *model,
                const GlintChip *facts)
{
  info->name = model->name;
  info->rom_banner = model->rom_banner;
  info->magic = model->magic;
  info->uart_clk_hz = model->uart_clk_hz;
  info->chip_id = MAX (facts->image_chip_id, 0);
  if (!glint_chip_rom_has (facts, GLINT_CHIP_ROM_GET_SECURITY_INFO))
    info->security_info_len = 0;
  else if (glint_chip_rom_has (facts, GLINT_CHIP_ROM_SECURITY_INFO_CHIP_ID))
    info->security_info_len = 20;
  else
    info->security_info_len = 12;
  info->mac_reg = facts->mac_regs[0];
  info->spi_base = facts->spi.base;
  info->usr_offs = facts->spi.usr;
  info->w0_offs = facts->spi.w0;
  info->uart_clkdiv_reg = facts->uart_clkdiv_reg != 0 ? facts->uart_clkdiv_reg
                                                     : model->uart_clkdiv_reg;
  info->bootloader_offset = facts->bootloader_offset;
  info->rom_status_len = facts->rom_status_len;
  info->rom_is_esp8266 = !glint_chip_rom_has (facts, GLINT_CHIP_ROM_FLASH_DEFL);
}

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

typedef enum
{
  EV_HOST_BYTES,    /* host bytes reach the chip */
  EV_HOST_LINES,    /* a DTR/RTS change reaches the chip */
  EV_HOST_BAUD,     /* the host adapter changes its rate */
  EV_OUTPUT,        /* chip bytes reach the host */
  EV_BOOT,          /* the chip comes out of reset */
  EV_APP_TICK,      /* the application prints a line */
  EV_CPU,           /* the chip is free to handle the next frame */
} EventKind;

typedef enum
{
  BOOT_POWER_ON,
  BOOT_STRAP,       /* EN went high: sample IO0 */
  BOOT_SW,          /* software reset into the app (FLASH_END reboot) */
  BOOT_RUN,         /* run user code without a reset */
  BOOT_BROWN_OUT,
} BootKind;

typedef struct
{
  guint32     offset;
  guint8      mask;
} FlashCell;

typedef struct
{
  guint32     start;
  guint32     end;          /* exclusive */
} FlashRange;

typedef struct
{
  gint64      due;
  EventKind   kind;
  guint       gen;          /* boot generation for chip-internal events */
  GBytes     *bytes;
  GlintLines  mask;
  GlintLines  values;
  guint       baud;
  BootKind    boot;
} Event;

struct _GlintSim
{
  GObject           parent_instance;

  const ChipInfo   *chip;
  ChipInfo          chip_info;
  GMainContext     *context;
  GSource          *source;
  GQueue            events;
  GRand            *rand;
  gboolean          disposed;

  /* options */
  gdouble           latency_ms;
  gint64            last_in_ready;   /* when the previous host item was sent */
  gint64            last_in_delay;   /* and the link delay it got */
  gdouble           jitter_ms;
  gdouble           drop_p;
  gdouble           corrupt_p;
  gdouble           duplicate_p;
  gboolean          lose_baud_change;
  guint             damage_op;         /* the next damage_left such commands arrive damaged */
  guint             damage_left;
  guint             garble_op;         /* the next garble_left answers to it carry a */
  guint             garble_left;       /* ... flipped bit in their value word */
  gdouble           rom_xtal_drift;    /* %: the ESP32 ROM's belief vs. its crystal */
  gboolean          rom_xtal_drift_set;/* ... given, not drawn from the seed */
  gdouble           time_scale;
  guint64           disconnect_after;
  guint64           brown_out_at;
  guint32           seed;
  gboolean          baud_check;
  guint             max_baud;
  gboolean          boot_download;
  char             *flash_path;
  gint              revision;        /* major * 100 + minor, -1: the chip's default */
  gint              package;         /* -1: the chip's default */
  guint32           security_flags;  /* GET_SECURITY_INFO flags (SIM_*) */
  guint             flash_crypt_cnt;

  /* the wire */
  gint64            last_in_due;
  gint64            last_out_due;
  gint64            host_tx_busy_until;
  gint64            tx_busy_until;
  guint             host_baud;
  guint             chip_baud;
  GlintLines        lines;

  /* the chip */
  GlintSimMode      mode;
  guint             gen;
  gboolean          powered_on;
  gboolean          autobaud;
  GlintSlipDecoder *rx;
  gint64            rx_time;
  GQueue            pending;       /* GBytes frames waiting for the CPU */
  gboolean          cpu_scheduled;
  gint64            cpu_busy_until;
  GHashTable       *regs;
  gdouble           rom_xtal_hz;     /* the crystal the ROM believes in, 0: exact */
  guint             app_ticks;
  guint8            mac[6];
  guint8            rom_last_op;     /* the ROM's response header, kept between */
  guint32           rom_last_value;  /* commands (see send_response) */

  /* flash */
  guint8           *flash;         /* as the host sees it: flash_size bytes */
  gsize             flash_size;    /* what the JEDEC id says */

  /* flash faults (see "flash cells" below) */
  gsize             real_flash_size;  /* 0: flash_size; less: addresses wrap */
  GArray           *stuck_bits;       /* FlashCell: bits that stay 1 */
  GArray           *no_erase;         /* guint32: sectors that keep their content */
  GArray           *write_protect;    /* FlashRange: writes and erases ignored */
  gdouble           unstable_reads;   /* per read: chance of one bit read wrong */
  guint8           *read_copy;        /* what the last unstable read returned */

  /* FLASH_BEGIN / FLASH_DEFL_BEGIN session */
  gboolean          flashing;
  gboolean          deflating;
  guint32           fl_offset;
  guint32           fl_erase_size;
  guint32           fl_total;
  guint32           fl_pos;
  guint32           fl_erased_to;
  z_stream          zs;
  gboolean          zs_init;
  gboolean          zs_done;
  guint16           carried_error;  /* stub: error of an early-acked block */

  /* MEM_BEGIN / MEM_DATA session, and what was loaded into RAM */
  gboolean          mem_active;
  guint32           mem_addr;
  guint32           mem_size;
  guint32           mem_blocks;
  guint32           mem_block_size;
  guint32           mem_seq;
  guint32           mem_received;
  GArray           *ram_loaded;     /* guint32 [start, end) pairs since the reset */

  /* stub READ_FLASH streaming */
  gboolean          reading;
  guint32           rd_offset;
  guint32           rd_len;
  guint32           rd_sent;
  guint32           rd_acked;
  guint32           rd_packet;
  GChecksum        *rd_md5;

  guint64           counters[GLINT_SIM_N_COUNTERS];
};

G_DEFINE_FINAL_TYPE (GlintSim, glint_sim, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (GlintSimMode, glint_sim_mode,
                    G_DEFINE_ENUM_VALUE (GLINT_SIM_MODE_RESET, "reset"),
                    G_DEFINE_ENUM_VALUE (GLINT_SIM_MODE_APP, "app"),
                    G_DEFINE_ENUM_VALUE (GLINT_SIM_MODE_ROM, "rom"),
                    G_DEFINE_ENUM_VALUE (GLINT_SIM_MODE_STUB, "stub"),
                    G_DEFINE_ENUM_VALUE (GLINT_SIM_MODE_DEAD, "dead"))

enum {
  PROP_0,
  PROP_MODE,
  PROP_BAUD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_OUTPUT,
  SIGNAL_DISCONNECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void schedule_boot   (GlintSim *self,
                             gint64    t,
                             BootKind  kind);
static void handle_read_ack (GlintSim *self,
                             gint64    t,
                             guint32   acked);

/* ------------------------------------------------------------------ */
/* small helpers */

static guint32
get_u32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static void
put_u32 (guint8  *p,
         guint32  v)
{
  p[0] = v & 0xFF;
  p[1] = (v >> 8) & 0xFF;
  p[2] = (v >> 16) & 0xFF;
  p[3] = (v >> 24) & 0xFF;
}

static gint64
scaled (GlintSim *self,
        gdouble   us)
{
  return (gint64) (us * self->time_scale + 0.5);
}

/* A host sets DTR and RTS with two calls (ClassicReset); at time-scale 0
 * a zero delay would sample IO0 in between, so keep a small real floor. */
static gint64
strap_delay (GlintSim *self)
{
  return MAX (scaled (self, STRAP_DELAY_US), MIN_STRAP_DELAY_US);
}

static gint64
wire_time (GlintSim *self,
           gsize     len,
           guint     baud)
{
  /* 8N1: 10 bits per byte */
  return scaled (self, (gdouble) len * 10.0 * 1e6 / MAX (baud, 1));
}

static gint64
link_delay (GlintSim *self)
{
  gdouble ms = self->latency_ms;

  if (self->jitter_ms > 0)
    ms += g_rand_double (self->rand) * self->jitter_ms;

  return (gint64) (ms * 1000.0);
}

static gboolean
link_garbled (GlintSim *self)
{
  if (self->max_baud > 0 && (self->chip_baud > self->max_baud || self->host_baud > self->max_baud))
    return TRUE;

  if (self->baud_check)
    {
      gdouble diff = fabs ((gdouble) self->host_baud - (gdouble) self->chip_baud);

      if (diff > 0.03 * self->chip_baud)
        return TRUE;
    }

  return FALSE;
}

static void
set_mode (GlintSim     *self,
          GlintSimMode  mode)
{
  if (self->mode == mode)
    return;

  self->mode = mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

static void
set_chip_baud (GlintSim *self,
               guint     baud)
{
  if (self->chip_baud == baud)
    return;

  self->chip_baud = baud;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BAUD]);
}

static gboolean
in_loader (GlintSim *self)
{
  return self->mode == GLINT_SIM_MODE_ROM || self->mode == GLINT_SIM_MODE_STUB;
}

/* ------------------------------------------------------------------ */
/* the event queue */

static void
event_free (Event *ev)
{
  g_clear_pointer (&ev->bytes, g_bytes_unref);
  g_free (ev);
}

static void
update_ready_time (GlintSim *self)
{
  Event *head;

  if (self->source == NULL)
    return;

  head = g_queue_peek_head (&self->events);
  g_source_set_ready_time (self->source, head != NULL ? MAX (head->due, 0) : -1);
}

static Event *
push_event (GlintSim  *self,
            gint64     due,
            EventKind  kind)
{
  Event *ev = g_new0 (Event, 1);
  GList *l;

  ev->due = due;
  ev->kind = kind;
  ev->gen = self->gen;

  /* Stable insertion from the tail: most events are due last. */
  for (l = self->events.tail; l != NULL; l = l->prev)
    if (((Event *) l->data)->due <= due)
      break;

  if (l == NULL)
    g_queue_push_head (&self->events, ev);
  else
    g_queue_insert_after (&self->events, l, ev);

  update_ready_time (self);

  return ev;
}

/* ------------------------------------------------------------------ */
/* chip -> host */

static GByteArray *
apply_faults (GlintSim     *self,
              const guint8 *data,
              gsize         len,
              gboolean      garble)
{
  GByteArray *out = g_byte_array_sized_new (len);

  /* the common case: a clean link */
  if (!garble && self->drop_p <= 0 && self->corrupt_p <= 0 && self->duplicate_p <= 0)
    return g_byte_array_append (out, data, len);

  for (gsize i = 0; i < len; i++)
    {
      guint8 b = data[i];

      if (garble)
        {
          b = g_rand_int_range (self->rand, 0, 256);
          self->counters[GLINT_SIM_COUNTER_GARBLED]++;
        }

      if (self->drop_p > 0 && g_rand_double (self->rand) < self->drop_p)
        {
          self->counters[GLINT_SIM_COUNTER_DROPPED]++;
          continue;
        }

      if (self->corrupt_p > 0 && g_rand_double (self->rand) < self->corrupt_p)
        {
          b ^= g_rand_int_range (self->rand, 1, 256);
          self->counters[GLINT_SIM_COUNTER_CORRUPTED]++;
        }

      g_byte_array_append (out, &b, 1);

      if (self->duplicate_p > 0 && g_rand_double (self->rand) < self->duplicate_p)
        {
          g_byte_array_append (out, &b, 1);
          self->counters[GLINT_SIM_COUNTER_DUPLICATED]++;
        }
    }

  return out;
}

/* Puts bytes on the chip's TX line at time t (or when it is free). */
static void
send_raw (GlintSim     *self,
          gint64        t,
          const guint8 *data,
          gsize         len)
{
  g_autoptr(GByteArray) wire = NULL;
  gint64 start;
  gint64 arrival;
  Event *ev;

  if (self->mode == GLINT_SIM_MODE_DEAD || len == 0)
    return;

  start = MAX (t, self->tx_busy_until);
  self->tx_busy_until = start + wire_time (self, len, self->chip_baud);
  self->counters[GLINT_SIM_COUNTER_BYTES_OUT] += len;

  wire = apply_faults (self, data, len, link_garbled (self));
  if (wire->len == 0)
    return;

  /* (MAX evaluates its arguments twice: take the random delay once) */
  arrival = self->tx_busy_until + link_delay (self);
  self->last_out_due = MAX (self->last_out_due, arrival);
  ev = push_event (self, self->last_out_due, EV_OUTPUT);
  ev->bytes = g_byte_array_free_to_bytes (g_steal_pointer (&wire));
}

static void
send_text (GlintSim   *self,
           gint64      t,
           const char *text)
{
  send_raw (self, t, (const guint8 *) text, strlen (text));
}

static void
send_frame (GlintSim     *self,
            gint64        t,
            const guint8 *data,
            gsize         len)
{
  g_autoptr(GByteArray) wire = g_byte_array_sized_new (len + 16);

  glint_slip_encode (data, len, wire);
  send_raw (self, t, wire->data, wire->len);
}

/* A response: 01 op size value data status. */
static void
send_response (GlintSim     *self,
               gint64        t,
               guint8        op,
               guint32       value,
               const guint8 *data,
               gsize         len,
               guint8        rom_error,
               guint16       stub_error)
{
  g_autoptr(GByteArray) pkt = g_byte_array_sized_new (8 + len + 4);
  guint8 hdr[8];
  guint8 status[4] = { 0, 0, 0, 0 };
  gsize status_len;

  if (self->mode == GLINT_SIM_MODE_STUB)
    {
      status[0] = stub_error >> 8;
      status[1] = stub_error & 0xFF;
      status_len = 2;
    }
  else
    {
      status[0] = rom_error != GLINT_ROM_OK ? 1 : 0;
      status[1] = rom_error;
      status_len = self->chip->rom_status_len;
    }

  /* A failed command carries no payload. */
  if (status[0] != 0)
    len = 0;

  /* The ROM answers from one response header that it keeps between
   * commands: the value word is only written by the commands that have one
   * (READ_REG, SYNC), so the others carry the last one along (a MEM_BEGIN
   * reply after reading the MAC carries a MAC word). */
  if (self->mode != GLINT_SIM_MODE_STUB)
    {
      self->rom_last_op = op;
      if (op == GLINT_OP_READ_REG || op == GLINT_OP_SYNC)
        self->rom_last_value = value;
      value = self->rom_last_value;
    }

  /* one-shot fault: line noise in the value word, which no checksum
   * covers (a READ_REG answer that reads as another magic value) */
  if (self->garble_op != 0 && op == self->garble_op)
    {
      value ^= 0x00400000;
      if (--self->garble_left == 0)
        self->garble_op = 0;
    }

  hdr[0] = 0x01;
  hdr[1] = op;
  hdr[2] = (len + status_len) & 0xFF;
  hdr[3] = ((len + status_len) >> 8) & 0xFF;
  put_u32 (hdr + 4, value);
  g_byte_array_append (pkt, hdr, sizeof hdr);
  if (len > 0)
    g_byte_array_append (pkt, data, len);
  g_byte_array_append (pkt, status, status_len);

  send_frame (self, t, pkt->data, pkt->len);
}

/* Finishes a command that took dur_us of (unscaled) processing time. */
static void
finish (GlintSim     *self,
        gint64        t,
        gdouble       dur_us,
        guint8        op,
        guint32       value,
        const guint8 *data,
        gsize         len,
        guint8        rom_error,
        guint16       stub_error)
{
  self->cpu_busy_until = t + scaled (self, dur_us);
  send_response (self, self->cpu_busy_until, op, value, data, len, rom_error, stub_error);
}

static void
fail (GlintSim *self,
      gint64    t,
      guint8    op,
      guint8    rom_error,
      guint16   stub_error)
{
  finish (self, t, CMD_US, op, 0, NULL, 0, rom_error, stub_error);
}

/* ------------------------------------------------------------------ */
/* registers */

static gdouble
believed_hz (guint32 cali_val,
             guint32 ck8m)
{
  return (gdouble) cali_val * 15625 * ck8m / 40;
}

static guint32
cali_val_for (gdouble hz,
              guint32 ck8m)
{
  return (guint32) lround (hz * 40 / (15625.0 * ck8m));
}

/* The ESP32 ROM measures its crystal at boot against the internal 8 MHz
 * RC clock (CK8M), whose factory figure sits in eFuse; CK8M drifts, so the
 * ROM believes in a crystal a few % off and, on CHANGE_BAUDRATE, sets its
 * UART to requested × real / believed. The two registers the belief is
 * read from are made consistent with the drift (option rom-xtal-drift;
 * by default 3.5–5 % either way, from the seed: past the 3 % baud-check
 * tolerates, so that an uncorrected speed change garbles the link). */
static void
init_rom_xtal (GlintSim *self)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (self->seed * 2654435761u + 0xC8A1);
  guint32 drawn, ck8m, cali_val;
  gdouble drift, target;

  self->rom_xtal_hz = 0;
  if (!g_str_equal (self->chip->name, "esp32"))
    return;

  /* drawn whatever is asked, so that the seed alone fixes ck8m */
  drawn = g_rand_int_range (rand, CK8M_MIN, CK8M_MAX + 1);
  drift = 3.5 + 1.5 * g_rand_double (rand);
  if (g_rand_boolean (rand))
    drift = -drift;
  if (self->rom_xtal_drift_set)
    drift = self->rom_xtal_drift;
  target = self->chip->uart_clk_hz * (1 + drift / 100);

  /* cali_val is a count of some 600: the belief moves in steps of about
   * 0.2 %. The ck8m nearest the one drawn that comes closest to the drift
   * (exactly 40 MHz for a drift of 0). */
  ck8m = drawn;
  for (guint32 c = CK8M_MIN; c <= CK8M_MAX; c++)
    {
      gdouble miss = fabs (believed_hz (cali_val_for (target, c), c) - target);
      gdouble best = fabs (believed_hz (cali_val_for (target, ck8m), ck8m) - target);

      if (miss < best - 0.5 ||
          (fabs (miss - best) <= 0.5 && ABS ((gint) c - (gint) drawn) <
                                        ABS ((gint) ck8m - (gint) drawn)))
        ck8m = c;
    }

  cali_val = cali_val_for (target, ck8m);
  self->rom_xtal_hz = believed_hz (cali_val, ck8m);
  g_hash_table_insert (self->regs, GUINT_TO_POINTER (ESP32_RTCCALICFG1),
                       GUINT_TO_POINTER (cali_val << 7));
  g_hash_table_insert (self->regs, GUINT_TO_POINTER (ESP32_EFUSE_RD_WORD4),
                       GUINT_TO_POINTER (ck8m));
}

/* ------------------------------------------------------------------ */
/* eFuse: package, revision and security (esptool's targets) */

/* Where a chip keeps package and revision, as esptool's targets read
 * them: minor_hi is the minor revision's bit 3 where it sits apart
 * (0: none). The ESP32 (three major bits in three places), the P4 (major
 * bit 2 at bit 23) and the ESP8266 (none) are handled in init_efuse(). */
typedef struct
{
  const char *chip;
  gint        default_rev;    /* major * 100 + minor: a current silicon */
  guint       default_pkg;
  guint32     pkg_addr;
  guint       pkg_shift, pkg_width;
  guint32     major_addr;
  guint       major_shift;
  guint32     minor_addr;
  guint       minor_shift, minor_width;
  guint32     minor_hi_addr;
  guint       minor_hi_shift;
} EfuseLayout;

static const EfuseLayout efuse_layouts[] = {
  { "esp32",    301, 1, 0x3FF5A00C, 9, 3, 0, 0, 0x3FF5A014, 24, 2, 0, 0 },
  /* the S2's "package" is its embedded-flash code (esptool names it by that) */
  { "esp32s2",  100, 0, 0x3F41A050, 21, 4, 0x3F41A050, 18, 0x3F41A054, 4, 3, 0x3F41A050, 20 },
  { "esp32s3",    2, 0, 0x60007050, 21, 3, 0x60007058, 24, 0x60007050, 18, 3, 0x60007058, 23 },
  { "esp32c2",  101, 0, 0x60008844, 22, 3, 0x60008844, 20, 0x60008844, 16, 4, 0, 0 },
  { "esp32c3",    4, 0, 0x60008850, 21, 3, 0x60008858, 24, 0x60008850, 18, 3, 0x60008858, 23 },
  { "esp32c5",  100, 0, 0x600B484C, 26, 3, 0x600B484C, 4, 0x600B484C, 0, 4, 0, 0 },
  { "esp32c6",    2, 0, 0x600B0850, 24, 3, 0x600B0850, 22, 0x600B0850, 18, 4, 0, 0 },
  { "esp32c61", 100, 0, 0x600B484C, 26, 3, 0x600B484C, 4, 0x600B484C, 0, 4, 0, 0 },
  { "esp32h2",    1, 0, 0x600B0854, 0, 3, 0x600B0850, 21, 0x600B0850, 18, 3, 0, 0 },
  { "esp32p4",  301, 0, 0x5012D04C, 20, 3, 0x5012D04C, 4, 0x5012D04C, 0, 4, 0, 0 },
};

#define ESP32_EFUSE_WORD0    0x3FF5A000
#define ESP32_EFUSE_WORD3    0x3FF5A00C
#define ESP32_EFUSE_WORD5    0x3FF5A014
#define ESP32_EFUSE_WORD6    0x3FF5A018
#define ESP32_APB_CTL_DATE   0x3FF6607C

static const EfuseLayout *
efuse_layout (GlintSim *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (efuse_layouts); i++)
    if (g_str_equal (efuse_layouts[i].chip, self->chip->name))
      return &efuse_layouts[i];

  return NULL;   /* the ESP8266 */
}

static void
efuse_set (GlintSim *self,
           guint32   addr,
           guint     shift,
           guint     width,
           guint32   value)
{
  guint32 mask = ((1u << width) - 1) << shift;
  guint32 old = GPOINTER_TO_UINT (g_hash_table_lookup (self->regs, GUINT_TO_POINTER (addr)));

  g_hash_table_insert (self->regs, GUINT_TO_POINTER (addr),
                       GUINT_TO_POINTER ((old & ~mask) | ((value << shift) & mask)));
}

static void
init_efuse (GlintSim *self)
{
  const EfuseLayout *l = efuse_layout (self);
  gint rev;
  guint major, minor, pkg;

  if (l == NULL)
    return;   /* ESP8266: OTP words 0x3FF00050..5C hold no revision */

  rev = self->revision >= 0 ? self->revision : l->default_rev;
  pkg = self->package >= 0 ? (guint) self->package : l->default_pkg;
  major = rev / 100;
  minor = rev % 100;

  efuse_set (self, l->pkg_addr, l->pkg_shift, l->pkg_width, pkg);
  efuse_set (self, l->minor_addr, l->minor_shift, l->minor_width, minor);
  if (l->minor_hi_addr != 0)
    efuse_set (self, l->minor_hi_addr, l->minor_hi_shift, 1, minor >> 3);

  if (g_str_equal (l->chip, "esp32"))
    {
      /* major 0..3 is the bit pattern 000, 001, 011, 111 of (APB_CTL_DATE
       * bit 31, word 5 bit 20, word 3 bit 15); package bit 3 in word 3 bit 2 */
      efuse_set (self, ESP32_EFUSE_WORD3, 15, 1, major >= 1);
      efuse_set (self, ESP32_EFUSE_WORD5, 20, 1, major >= 2);
      efuse_set (self, ESP32_APB_CTL_DATE, 31, 1, major >= 3);
      efuse_set (self, ESP32_EFUSE_WORD3, 2, 1, pkg >> 3);
      /* no GET_SECURITY_INFO: the state is in the eFuse (FLASH_CRYPT_CNT,
       * ABS_DONE_0 for secure boot v1, ABS_DONE_1 for v2 from v3.0,
       * JTAG_DISABLE) */
      efuse_set (self, ESP32_EFUSE_WORD0, 20, 7, self->flash_crypt_cnt);
      efuse_set (self, ESP32_EFUSE_WORD6, major >= 3 ? 5 : 4, 1,
                 (self->security_flags & GLINT_CHIP_SECURE_BOOT) != 0);
      efuse_set (self, ESP32_EFUSE_WORD6, 6, 1, (self->security_flags & GLINT_CHIP_HARD_DIS_JTAG) != 0);
    }
  else if (g_str_equal (l->chip, "esp32p4"))
    {
      efuse_set (self, l->major_addr, l->major_shift, 2, major);
      efuse_set (self, l->major_addr, 23, 1, major >> 2);
    }
  else
    efuse_set (self, l->major_addr, l->major_shift, 2, major);
}

/* "3.1" or "v3.1": major * 100 + minor, within what the chip's fields hold */
static gboolean
parse_revision (GlintSim    *self,
                const char  *value,
                gint        *out,
                GError     **error)
{
  const EfuseLayout *l = efuse_layout (self);
  g_auto(GStrv) parts = NULL;
  guint64 major, minor;
  guint max_major = l != NULL && g_str_equal (l->chip, "esp32p4") ? 7 : 3;

  if (l == NULL)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   "sim option revision: the ESP8266 has no chip revision");
      return FALSE;
    }

  parts = g_strsplit (value[0] == 'v' ? value + 1 : value, ".", 2);
  if (parts[0] == NULL || parts[1] == NULL ||
      !g_ascii_string_to_unsigned (parts[0], 10, 0, max_major, &major, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 0, (1u << (l->minor_width +
                                                             (l->minor_hi_addr != 0))) - 1,
                                   &minor, NULL))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   "sim option revision: '%s' is not MAJOR.MINOR within what %s's eFuse "
                   "holds (e.g. 3.1)", value, self->chip->name);
      return FALSE;
    }

  *out = (gint) (major * 100 + minor);
  return TRUE;
}

static void
init_registers (GlintSim *self)
{
  const ChipInfo *chip = self->chip;
  const guint8 *m = self->mac;
  g_autoptr(GRand) rand = g_rand_new_with_seed (self->seed * 2654435761u + 0x5EED);

  /* Espressif OUI, the rest from the seed */
  self->mac[0] = 0x24;
  self->mac[1] = 0x0A;
  self->mac[2] = 0xC4;
  for (guint i = 3; i < 6; i++)
    self->mac[i] = g_rand_int_range (rand, 0, 256);

  g_hash_table_remove_all (self->regs);
  g_hash_table_insert (self->regs, GUINT_TO_POINTER (0x40001000), GUINT_TO_POINTER (chip->magic));

  if (chip->rom_is_esp8266)
    {
      /* protocol.md §5.1: OUI from MAC3, tail from MAC1 and MAC0 */
      g_hash_table_insert (self->regs, GUINT_TO_POINTER (chip->mac_reg),
                           GUINT_TO_POINTER ((guint32) m[5] << 24));
      g_hash_table_insert (self->regs, GUINT_TO_POINTER (chip->mac_reg + 4),
                           GUINT_TO_POINTER ((guint32) m[3] << 8 | m[4]));
      g_hash_table_insert (self->regs, GUINT_TO_POINTER (chip->mac_reg + 0xC),
                           GUINT_TO_POINTER ((guint32) m[0] << 16 | (guint32) m[1] << 8 | m[2]));
    }
  else
    {
      /* (high, low) packed big-endian, first two bytes dropped; only the
       * ESP32 keeps a CRC there, later chips other fields (revision …) */
      guint32 crc = g_rand_int_range (rand, 0, 256);

      if (!g_str_equal (chip->name, "esp32"))
        crc = 0;

      g_hash_table_insert (self->regs, GUINT_TO_POINTER (chip->mac_reg),
                           GUINT_TO_POINTER ((guint32) m[2] << 24 | (guint32) m[3] << 16 |
                                             (guint32) m[4] << 8 | m[5]));
      g_hash_table_insert (self->regs, GUINT_TO_POINTER (chip->mac_reg + 4),
                           GUINT_TO_POINTER (crc << 16 | (guint32) m[0] << 8 | m[1]));
    }

  init_rom_xtal (self);
  init_efuse (self);
}

static guint32
reg_read (GlintSim *self,
          guint32   addr)
{
  if (addr == self->chip->uart_clkdiv_reg)
    return (guint32) ((self->chip->uart_clk_hz + self->chip_baud / 2) / self->chip_baud) & 0xFFFFF;

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->regs, GUINT_TO_POINTER (addr)));
}

static guint32
jedec_id (GlintSim *self)
{
  guint cap = 0x14;   /* 1 MiB */

  for (gsize s = self->flash_size; s > 1024 * 1024; s >>= 1)
    cap++;

  /* Winbond W25Q-style: manufacturer 0xEF, memory type 0x40 */
  return 0xEF | (0x40 << 8) | (cap << 16);
}

static void
reg_write (GlintSim *self,
           guint32   addr,
           guint32   value,
           guint32   mask)
{
  const ChipInfo *chip = self->chip;
  guint32 old = GPOINTER_TO_UINT (g_hash_table_lookup (self->regs, GUINT_TO_POINTER (addr)));

  value = (old & ~mask) | (value & mask);
  g_hash_table_insert (self->regs, GUINT_TO_POINTER (addr), GUINT_TO_POINTER (value));

  /* SPI "user command" (protocol.md §5.2): CMD bit 18 runs the command in
   * the low bits of USR2 and clears itself when done. */
  if (addr == chip->spi_base && (value & (1u << 18)) != 0)
    {
      guint32 usr2 = reg_read (self, chip->spi_base + chip->usr_offs + 8);
      guint32 w0 = 0;

      if ((usr2 & 0xFF) == 0x9F)
        w0 = jedec_id (self);
      g_hash_table_insert (self->regs, GUINT_TO_POINTER (chip->spi_base + chip->w0_offs),
                           GUINT_TO_POINTER (w0));
      g_hash_table_insert (self->regs, GUINT_TO_POINTER (addr),
                           GUINT_TO_POINTER (value & ~(1u << 18)));
    }
}

/* ------------------------------------------------------------------ */
/* reset and boot */

static void
end_sessions (GlintSim *self)
{
  self->flashing = FALSE;
  self->deflating = FALSE;
  self->carried_error = 0;
  if (self->zs_init)
    inflateEnd (&self->zs);
  self->zs_init = FALSE;
  self->reading = FALSE;
  g_clear_pointer (&self->rd_md5, g_checksum_free);
}

/* The chip goes into reset: everything volatile is lost. */
static void
chip_reset (GlintSim *self,
            gint64    t)
{
  self->gen++;
  self->counters[GLINT_SIM_COUNTER_RESETS]++;
  set_mode (self, GLINT_SIM_MODE_RESET);
  set_chip_baud (self, BOOT_BAUD);
  self->autobaud = TRUE;
  glint_slip_decoder_reset (self->rx);
  g_queue_clear_full (&self->pending, (GDestroyNotify) g_bytes_unref);
  self->cpu_scheduled = FALSE;
  self->cpu_busy_until = t;
  self->rom_last_op = 0;
  self->rom_last_value = 0;
  self->mem_active = FALSE;
  g_array_set_size (self->ram_loaded, 0);
  end_sessions (self);
}

static gboolean
has_app_image (GlintSim *self)
{
  return self->chip->bootloader_offset < self->flash_size &&
         self->flash[self->chip->bootloader_offset] == 0xE9;
}

static void
boot_rom (GlintSim   *self,
          gint64      t,
          const char *reset_reason)
{
  g_autofree char *log = NULL;

  set_mode (self, GLINT_SIM_MODE_ROM);
  log = g_strdup_printf ("%s\r\n\r\n"
                         "rst:%s,boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\n"
                         "waiting for download\r\n",
                         self->chip->rom_banner, reset_reason);
  send_text (self, t, log);
}

static void
boot_app (GlintSim   *self,
          gint64      t,
          const char *reset_reason)
{
  g_autoptr(GString) log = g_string_new (NULL);
  gint64 interval;
  Event *ev;

  set_mode (self, GLINT_SIM_MODE_APP);
  self->app_ticks = 0;

  if (reset_reason != NULL)
    g_string_append_printf (log, "%s\r\n\r\nrst:%s,boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n",
                            self->chip->rom_banner, reset_reason);

  if (has_app_image (self))
    g_string_append_printf (log,
                            "I (31) boot: ESP-IDF v5.1.2 2nd stage bootloader\r\n"
                            "I (31) boot: compile time Jan  1 2026 12:00:00\r\n"
                            "I (33) boot: chip: %s\r\n"
                            "I (40) boot: Loaded app from partition at offset 0x10000\r\n"
                            "I (250) cpu_start: Starting scheduler.\r\n",
                            self->chip->name);
  else
    g_string_append (log, "invalid header: 0xffffffff\r\n");

  send_text (self, t, log->str);

  /* Never tick faster than every 10 ms of real time, even at time-scale 0. */
  interval = MAX (scaled (self, APP_TICK_US), MIN_APP_TICK_US);
  ev = push_event (self, t + interval, EV_APP_TICK);
  ev->gen = self->gen;
}

static void
app_tick (GlintSim *self,
          gint64    t)
{
  g_autofree char *line = NULL;
  gint64 interval;
  Event *ev;

  self->app_ticks++;
  if (has_app_image (self))
    line = g_strdup_printf ("I (%u) glint-demo: hello from the demo board, uptime %u s\r\n",
                            250 + self->app_ticks * 1000, self->app_ticks);
  else
    line = g_strdup ("invalid header: 0xffffffff\r\n");
  send_text (self, t, line);

  interval = MAX (scaled (self, APP_TICK_US), MIN_APP_TICK_US);
  ev = push_event (self, t + interval, EV_APP_TICK);
  ev->gen = self->gen;
}

static void
schedule_boot (GlintSim *self,
               gint64    t,
               BootKind  kind)
{
  Event *ev = push_event (self, t, EV_BOOT);

  ev->boot = kind;
}

static gboolean
en_low (GlintLines lines)
{
  return (lines & GLINT_LINE_RTS) != 0 && (lines & GLINT_LINE_DTR) == 0;
}

static gboolean
io0_low (GlintLines lines)
{
  return (lines & GLINT_LINE_DTR) != 0 && (lines & GLINT_LINE_RTS) == 0;
}

static void
handle_boot (GlintSim *self,
             gint64    t,
             BootKind  kind)
{
  if (self->mode == GLINT_SIM_MODE_DEAD)
    return;

  switch (kind)
    {
    case BOOT_POWER_ON:
      self->powered_on = TRUE;
      if (en_low (self->lines))
        break;
      set_chip_baud (self, BOOT_BAUD);
      self->autobaud = TRUE;
      if (self->boot_download || io0_low (self->lines))
        boot_rom (self, t, "0x1 (POWERON_RESET)");
      else
        boot_app (self, t, "0x1 (POWERON_RESET)");
      break;

    case BOOT_STRAP:
      /* The strapping pins are sampled now, not at the EN edge: this is
       * why ClassicReset's brief (1,1) state still ends in download mode.
       * If EN was pulled low before the power-on boot, this is it. */
      if (en_low (self->lines))
        break;
      if (io0_low (self->lines) || (self->boot_download && !self->powered_on))
        boot_rom (self, t, "0x1 (POWERON_RESET)");
      else
        boot_app (self, t, "0x1 (POWERON_RESET)");
      self->powered_on = TRUE;
      break;

    case BOOT_SW:
      boot_app (self, t, "0xc (SW_CPU_RESET)");
      break;

    case BOOT_RUN:
      boot_app (self, t, NULL);
      break;

    case BOOT_BROWN_OUT:
      boot_app (self, t, "0xf (RTCWDT_BROWN_OUT_RESET)");
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Resets and later boots the app (FLASH_END reboot, brown-out). */
static void
reset_into_app (GlintSim *self,
                gint64    t,
                BootKind  kind)
{
  chip_reset (self, t);
  schedule_boot (self, t + strap_delay (self), kind);
}

static void
go_dead (GlintSim *self)
{
  GList *l = self->events.head;

  if (self->mode == GLINT_SIM_MODE_DEAD)
    return;

  /* Nothing more reaches the host. */
  while (l != NULL)
    {
      GList *next = l->next;
      Event *ev = l->data;

      if (ev->kind == EV_OUTPUT || ev->kind == EV_APP_TICK || ev->kind == EV_BOOT ||
          ev->kind == EV_CPU)
        {
          event_free (ev);
          g_queue_delete_link (&self->events, l);
        }
      l = next;
    }
  update_ready_time (self);

  end_sessions (self);
  g_queue_clear_full (&self->pending, (GDestroyNotify) g_bytes_unref);
  set_mode (self, GLINT_SIM_MODE_DEAD);
  g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0);
}

static void
handle_lines (GlintSim   *self,
              gint64      t,
              GlintLines  mask,
              GlintLines  values)
{
  GlintLines old = self->lines;
  gboolean was_low = en_low (old);
  gboolean is_low;

  self->lines = (old & ~mask) | (values & mask);
  if (self->lines == old)
    return;

  self->counters[GLINT_SIM_COUNTER_LINE_CHANGES]++;

  /* An EN pulse also revives a chip whose link died (DEAD). */
  is_low = en_low (self->lines);
  if (!was_low && is_low)
    {
      chip_reset (self, t);
    }
  else if (was_low && !is_low)
    {
      schedule_boot (self, t + strap_delay (self), BOOT_STRAP);
    }
}

/* ------------------------------------------------------------------ */
/* flash */

/* Flash cells, as real chips fail (options stuck-bit, no-erase,
 * write-protect, real-flash-size, unstable-reads).  self->flash is the
 * flash as the host sees it through its addresses; a chip smaller than its
 * JEDEC id says ignores the high address bits, so every address that maps
 * to the same cell holds the same byte: a write at 1 MiB on a 1 MiB chip
 * lands on 0.  Without faults all of this is a plain memset/AND. */

static gsize
real_size (GlintSim *self)
{
  if (self->real_flash_size > 0 && self->real_flash_size < self->flash_size)
    return self->real_flash_size;

  return self->flash_size;
}

static gboolean
flash_faulty (GlintSim *self)
{
  return real_size (self) != self->flash_size || self->stuck_bits->len > 0 ||
         self->no_erase->len > 0 || self->write_protect->len > 0;
}

static gboolean
cell_protected (GlintSim *self,
                guint32   addr)
{
  gsize real = real_size (self);

  for (guint i = 0; i < self->write_protect->len; i++)
    {
      const FlashRange *r = &g_array_index (self->write_protect, FlashRange, i);

      for (guint64 a = addr % real; a < self->flash_size; a += real)
        if (a >= r->start && a < r->end)
          return TRUE;
    }

  return FALSE;
}

static guint8
cell_stuck (GlintSim *self,
            guint32   addr)
{
  gsize real = real_size (self);
  guint8 mask = 0;

  for (guint i = 0; i < self->stuck_bits->len; i++)
    {
      const FlashCell *c = &g_array_index (self->stuck_bits, FlashCell, i);

      if (c->offset % real == addr % real)
        mask |= c->mask;
    }

  return mask;
}

static gboolean
sector_erases (GlintSim *self,
               guint32   sector)
{
  gsize real = real_size (self);

  for (guint i = 0; i < self->no_erase->len; i++)
    if ((g_array_index (self->no_erase, guint32, i) & ~(guint32) (SECTOR_SIZE - 1)) % real ==
        sector % real)
      return FALSE;

  return TRUE;
}

/* Puts @value in the cell behind @addr: every address that maps to it. */
static void
cell_store (GlintSim *self,
            guint32   addr,
            guint8    value)
{
  gsize real = real_size (self);

  for (gsize a = addr % real; a < self->flash_size; a += real)
    self->flash[a] = value;
}

/* Makes the flash periodic after a load or a resize: a cell holds what
 * was last put at any of its addresses. */
static void
cells_fold (GlintSim *self,
            gsize     offset,
            gsize     len)
{
  if (real_size (self) == self->flash_size)
    return;

  for (gsize i = 0; i < len; i++)
    cell_store (self, (guint32) (offset + i), self->flash[offset + i]);
}

static void
cells_erase (GlintSim *self,
             guint32   start,
             guint32   n)
{
  if (!flash_faulty (self))
    {
      memset (self->flash + start, 0xFF, n);
      return;
    }

  for (guint32 sector = start; sector < start + n; sector += SECTOR_SIZE)
    {
      if (!sector_erases (self, sector))
        continue;
      for (guint32 a = sector; a < sector + SECTOR_SIZE; a++)
        if (!cell_protected (self, a))
          cell_store (self, a, 0xFF);
    }
}

/* NOR flash: programming only clears bits; a stuck bit stays 1. */
static void
cells_program (GlintSim     *self,
               guint32       offset,
               const guint8 *data,
               gsize         len)
{
  if (!flash_faulty (self))
    {
      for (gsize i = 0; i < len; i++)
        self->flash[offset + i] &= data[i];
      return;
    }

  for (gsize i = 0; i < len; i++)
    {
      guint32 a = offset + (guint32) i;

      if (!cell_protected (self, a))
        cell_store (self, a, (self->flash[a] & data[i]) | cell_stuck (self, a));
    }
}

/* What one read of @len bytes at @addr returns: with unstable-reads, now
 * and then with one bit wrong (valid until the next read). */
static const guint8 *
cells_read (GlintSim *self,
            guint32   addr,
            gsize     len)
{
  if (len == 0 || self->unstable_reads <= 0 ||
      g_rand_double (self->rand) >= self->unstable_reads)
    return self->flash + addr;

  g_free (self->read_copy);
  self->read_copy = g_memdup2 (self->flash + addr, len);
  self->read_copy[g_rand_int_range (self->rand, 0, (gint32) len)] ^=
    (guint8) (1 << g_rand_int_range (self->rand, 0, 8));

  return self->read_copy;
}

static gdouble
erase_range (GlintSim *self,
             guint32   start,
             guint32   end)
{
  gdouble us = 0;

  start &= ~(SECTOR_SIZE - 1);
  end = MIN ((end + SECTOR_SIZE - 1) & ~(guint32) (SECTOR_SIZE - 1), self->flash_size);

  while (start < end)
    {
      guint32 n;

      if ((start & (BLOCK_SIZE - 1)) == 0 && end - start >= BLOCK_SIZE)
        {
          n = BLOCK_SIZE;
          us += BLOCK_ERASE_US;
        }
      else
        {
          n = SECTOR_SIZE;
          us += SECTOR_ERASE_US;
        }
      cells_erase (self, start, n);
      self->counters[GLINT_SIM_COUNTER_SECTORS_ERASED] += n / SECTOR_SIZE;
      start += n;
    }

  return us;
}

/* The stub erases lazily, just ahead of the data it writes. */
static gdouble
ensure_erased (GlintSim *self,
               guint32   end)
{
  guint32 region_end = (self->fl_offset + self->fl_erase_size + SECTOR_SIZE - 1) &
                       ~(guint32) (SECTOR_SIZE - 1);
  gdouble us = 0;

  end = MIN (end, region_end);
  while (self->fl_erased_to < end && self->fl_erased_to < self->flash_size)
    {
      guint32 start = self->fl_erased_to;
      guint32 n = SECTOR_SIZE;

      if ((start & (BLOCK_SIZE - 1)) == 0 && start + BLOCK_SIZE <= region_end)
        n = BLOCK_SIZE;
      us += erase_range (self, start, start + n);
      self->fl_erased_to = start + n;
    }

  return us;
}

/* Programs @len bytes; returns FALSE when the chip browned out in the
 * middle. */
static gboolean
program (GlintSim     *self,
         gint64        t,
         guint32       offset,
         const guint8 *data,
         gsize         len,
         gdouble      *us)
{
  gsize n = len;
  gboolean brown_out = FALSE;

  if (self->brown_out_at > 0 &&
      self->counters[GLINT_SIM_COUNTER_FLASH_WRITTEN] + len >= self->brown_out_at)
    {
      n = self->brown_out_at - self->counters[GLINT_SIM_COUNTER_FLASH_WRITTEN];
      brown_out = TRUE;
    }

  cells_program (self, offset, data, n);
  self->counters[GLINT_SIM_COUNTER_FLASH_WRITTEN] += n;
  *us += PAGE_PROGRAM_US * ((n + 255) / 256);

  if (brown_out)
    {
      g_debug ("sim: brown-out after %" G_GUINT64_FORMAT " bytes programmed",
               self->counters[GLINT_SIM_COUNTER_FLASH_WRITTEN]);
      self->brown_out_at = 0;
      reset_into_app (self, t + scaled (self, *us), BOOT_BROWN_OUT);
      return FALSE;
    }

  return TRUE;
}

/* ------------------------------------------------------------------ */
/* commands */

static gboolean
rom_supports (GlintSim *self,
              guint8    op)
{
  /* Secure download mode: the ROM takes only these (protocol.md §2) */
  if ((self->security_flags & GLINT_CHIP_SECURE_DOWNLOAD) != 0)
    return op == GLINT_OP_SYNC || op == GLINT_OP_SPI_ATTACH || op == GLINT_OP_SPI_SET_PARAMS ||
           op == GLINT_OP_CHANGE_BAUDRATE || op == GLINT_OP_FLASH_BEGIN || op == GLINT_OP_FLASH_DATA ||
           op == GLINT_OP_FLASH_END || op == GLINT_OP_GET_SECURITY_INFO;

  switch (op)
    {
    case GLINT_OP_FLASH_BEGIN:
    case GLINT_OP_FLASH_DATA:
    case GLINT_OP_FLASH_END:
    case GLINT_OP_MEM_BEGIN:
    case GLINT_OP_MEM_END:
    case GLINT_OP_MEM_DATA:
    case GLINT_OP_SYNC:
    case GLINT_OP_WRITE_REG:
    case GLINT_OP_READ_REG:
      return TRUE;
    case GLINT_OP_SPI_SET_PARAMS:
    case GLINT_OP_SPI_ATTACH:
    case GLINT_OP_READ_FLASH_SLOW:
    case GLINT_OP_CHANGE_BAUDRATE:
    case GLINT_OP_FLASH_DEFL_BEGIN:
    case GLINT_OP_FLASH_DEFL_DATA:
    case GLINT_OP_FLASH_DEFL_END:
    case GLINT_OP_SPI_FLASH_MD5:
      return !self->chip->rom_is_esp8266;
    case GLINT_OP_GET_SECURITY_INFO:
      return self->chip->security_info_len > 0;
    default:
      return FALSE;
    }
}

static gboolean
stub_supports (GlintSim *self,
               guint8    op)
{
  switch (op)
    {
    case GLINT_OP_READ_FLASH_SLOW:
      return FALSE;
    case GLINT_OP_GET_SECURITY_INFO:
      return self->chip->security_info_len > 0;
    case GLINT_OP_FLASH_BEGIN:
    case GLINT_OP_FLASH_DATA:
    case GLINT_OP_FLASH_END:
    case GLINT_OP_MEM_BEGIN:
    case GLINT_OP_MEM_END:
    case GLINT_OP_MEM_DATA:
    case GLINT_OP_SYNC:
    case GLINT_OP_WRITE_REG:
    case GLINT_OP_READ_REG:
    case GLINT_OP_SPI_SET_PARAMS:
    case GLINT_OP_SPI_ATTACH:
    case GLINT_OP_CHANGE_BAUDRATE:
    case GLINT_OP_FLASH_DEFL_BEGIN:
    case GLINT_OP_FLASH_DEFL_DATA:
    case GLINT_OP_FLASH_DEFL_END:
    case GLINT_OP_SPI_FLASH_MD5:
    case GLINT_OP_ERASE_FLASH:
    case GLINT_OP_ERASE_REGION:
    case GLINT_OP_READ_FLASH:
    case GLINT_OP_RUN_USER_CODE:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
cmd_sync (GlintSim     *self,
          gint64        t,
          const guint8 *body,
          gsize         size)
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
        set_chip_baud (self, self->host_baud);
    }

  self->counters[GLINT_SIM_COUNTER_SYNCS]++;
  self->cpu_busy_until = t + scaled (self, CMD_US);
  for (guint i = 0; i < 8; i++)
    send_response (self, self->cpu_busy_until, GLINT_OP_SYNC, value, NULL, 0, GLINT_ROM_OK, GLINT_STUB_OK);
}

static void
cmd_write_reg (GlintSim     *self,
               gint64        t,
               const guint8 *body,
               gsize         size)
{
  gdouble us = CMD_US;

  if (size == 0 || size % 16 != 0)
    {
      fail (self, t, GLINT_OP_WRITE_REG, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_BAD_DATA_LEN);
      return;
    }

  for (gsize i = 0; i < size; i += 16)
    {
      reg_write (self, get_u32 (body + i), get_u32 (body + i + 4), get_u32 (body + i + 8));
      us += get_u32 (body + i + 12);
    }

  finish (self, t, us, GLINT_OP_WRITE_REG, 0, NULL, 0, GLINT_ROM_OK, GLINT_STUB_OK);
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

  if (size < 16 || get_u32 (body) != size - 16)
    {
      fail (self, t, op, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_BAD_DATA_LEN);
      return FALSE;
    }

  for (gsize i = 16; i < size; i++)
    ck ^= body[i];
  if (ck != (checksum & 0xFF))
    {
      fail (self, t, op, GLINT_ROM_ERR_CHECKSUM, GLINT_STUB_ERR_BAD_CHECKSUM);
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
                 gsize         size)
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
      fail (self, t, op, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_BAD_DATA_LEN);
      return;
    }

  word0 = get_u32 (body);
  num_blocks = get_u32 (body + 4);
  block_size = get_u32 (body + 8);
  offset = get_u32 (body + 12);
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
      fail (self, t, op, GLINT_ROM_ERR_PARAM, GLINT_STUB_ERR_FAILED_SPI);
      return;
    }

  end_sessions (self);
  self->flashing = TRUE;
  self->deflating = op == GLINT_OP_FLASH_DEFL_BEGIN;
  self->fl_offset = offset;
  self->fl_erase_size = word0;
  self->fl_total = word0;
  self->fl_pos = offset;
  self->fl_erased_to = offset & ~(SECTOR_SIZE - 1);

  if (self->deflating)
    {
      memset (&self->zs, 0, sizeof self->zs);
      if (inflateInit (&self->zs) != Z_OK)
        {
          self->flashing = FALSE;
          fail (self, t, op, GLINT_ROM_ERR_DEFLATE, GLINT_STUB_ERR_INFLATE);
          return;
        }
      self->zs_init = TRUE;
      self->zs_done = FALSE;
    }

  /* The ROM erases the whole region before it answers; the stub erases
   * lazily while writing. */
  if (!stub && word0 > 0)
    {
      us += erase_range (self, offset, (guint32) erase_end);
      self->fl_erased_to = (guint32) erase_end;
    }

  finish (self, t, us, op, 0, NULL, 0, GLINT_ROM_OK, GLINT_STUB_OK);
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
    *us += ensure_erased (self, (guint32) end);

  if (!program (self, t, self->fl_pos, data, len, us))
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

  if (!check_data_block (self, t, op, body, size, checksum, &payload, &len))
    return;

  if (!self->flashing || self->deflating != deflate)
    {
      fail (self, t, op, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_NOT_IN_FLASH);
      return;
    }

  if (stub)
    {
      guint16 carried = self->carried_error;

      /* protocol.md §9: ack first, then inflate/erase/write; an error
       * carries over to the next command. */
      self->carried_error = 0;
      finish (self, t, CMD_US, op, 0, NULL, 0, GLINT_ROM_OK, carried);
      t = self->cpu_busy_until;
    }

  if (deflate)
    alive = inflate_block (self, t, payload, len, &us, &rom_error, &stub_error);
  else
    alive = write_block (self, t, payload, len, &us, &rom_error, &stub_error);

  if (!alive)
    return;

  if (stub)
    {
      self->cpu_busy_until = t + scaled (self, us);
      if (stub_error != GLINT_STUB_OK)
        self->carried_error = stub_error;
    }
  else
    {
      finish (self, t, CMD_US + us, op, 0, NULL, 0, rom_error, stub_error);
    }
}

static void
cmd_flash_end (GlintSim     *self,
               gint64        t,
               guint8        op,
               const guint8 *body,
               gsize         size)
{
  gboolean stub = self->mode == GLINT_SIM_MODE_STUB;
  guint16 stub_error = self->carried_error;
  guint32 flag;

  if (size < 4)
    {
      fail (self, t, op, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_BAD_DATA_LEN);
      return;
    }
  flag = get_u32 (body);

  if (stub && stub_error == GLINT_STUB_OK)
    {
      if (!self->flashing)
        stub_error = GLINT_STUB_ERR_NOT_IN_FLASH;
      else if (op == GLINT_OP_FLASH_DEFL_END && self->deflating && !self->zs_done)
        stub_error = GLINT_STUB_ERR_NOT_ENOUGH;
    }

  end_sessions (self);
  finish (self, t, CMD_US, op, 0, NULL, 0, GLINT_ROM_OK, stub_error);

  /* 0 = reboot.  1 = "run user code": the ESP8266 ROM jumps to the app
   * (esptool's soft reset); later ROMs and the stub stay in the loader. */
  if (flag == 0)
    reset_into_app (self, self->cpu_busy_until, BOOT_SW);
  else if (!stub && self->chip->rom_is_esp8266)
    {
      chip_reset (self, self->cpu_busy_until);
      schedule_boot (self, self->cpu_busy_until, BOOT_RUN);
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
      if (size != 16)
        {
          fail (self, t, op, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_BAD_DATA_LEN);
          return;
        }
      self->mem_size = get_u32 (body);
      self->mem_blocks = get_u32 (body + 4);
      self->mem_block_size = get_u32 (body + 8);
      self->mem_addr = get_u32 (body + 12);
      if (self->mem_block_size == 0 ||
          (guint64) self->mem_blocks * self->mem_block_size < self->mem_size)
        {
          self->mem_active = FALSE;
          fail (self, t, op, GLINT_ROM_ERR_RAM_SIZE, GLINT_STUB_ERR_BAD_DATA_LEN);
          return;
        }
      if (!in_ram (self, self->mem_addr, self->mem_size))
        {
          self->mem_active = FALSE;
          fail (self, t, op, GLINT_ROM_ERR_RAM_ADDR, GLINT_STUB_ERR_FAILED_SPI);
          return;
        }
      self->mem_active = TRUE;
      self->mem_seq = 0;
      self->mem_received = 0;
      break;

    case GLINT_OP_MEM_DATA:
      if (!check_data_block (self, t, op, body, size, checksum, &payload, &len))
        return;
      if (!self->mem_active || get_u32 (body + 4) != self->mem_seq ||
          len > self->mem_block_size || self->mem_received + len > self->mem_size)
        {
          fail (self, t, op, GLINT_ROM_ERR_PARAM, GLINT_STUB_ERR_BAD_DATA_LEN);
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
      if (size != 8)
        {
          fail (self, t, op, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_BAD_DATA_LEN);
          return;
        }
      self->mem_active = FALSE;
      if (self->mode == GLINT_SIM_MODE_ROM && get_u32 (body) == 0 && get_u32 (body + 4) != 0)
        {
          static const guint8 ohai[4] = { 'O', 'H', 'A', 'I' };

          finish (self, t, CMD_US, op, 0, NULL, 0, GLINT_ROM_OK, GLINT_STUB_OK);
          if (!was_loaded (self, get_u32 (body + 4)))
            {
              send_text (self, self->cpu_busy_until + scaled (self, 1000),
                         "Guru Meditation Error: Core  0 panic'ed (InstrFetchProhibited). "
                         "Exception was unhandled.\r\n");
              reset_into_app (self, self->cpu_busy_until + scaled (self, 2000), BOOT_SW);
              return;
            }
          /* The stub takes over and greets the host. */
          set_mode (self, GLINT_SIM_MODE_STUB);
          self->cpu_busy_until += scaled (self, 1000);
          send_frame (self, self->cpu_busy_until, ohai, sizeof ohai);
          return;
        }
      break;

    default:
      g_assert_not_reached ();
    }

  finish (self, t, CMD_US, op, 0, NULL, 0, GLINT_ROM_OK, GLINT_STUB_OK);
}

static void
cmd_md5 (GlintSim     *self,
         gint64        t,
         const guint8 *body,
         gsize         size)
{
  g_autoptr(GChecksum) md5 = NULL;
  guint32 addr, len;
  guint8 digest[16];
  gsize digest_len = sizeof digest;
  gdouble us;

  if (size != 16)
    {
      fail (self, t, GLINT_OP_SPI_FLASH_MD5, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_BAD_DATA_LEN);
      return;
    }

  addr = get_u32 (body);
  len = get_u32 (body + 4);
  if ((guint64) addr + len > self->flash_size)
    {
      fail (self, t, GLINT_OP_SPI_FLASH_MD5, GLINT_ROM_ERR_READ, GLINT_STUB_ERR_FAILED_SPI);
      return;
    }

  md5 = g_checksum_new (G_CHECKSUM_MD5);
  g_checksum_update (md5, cells_read (self, addr, len), len);
  us = CMD_US + MD5_US_PER_MIB * len / (1024.0 * 1024.0);

  if (self->mode == GLINT_SIM_MODE_STUB)
    {
      g_checksum_get_digest (md5, digest, &digest_len);
      finish (self, t, us, GLINT_OP_SPI_FLASH_MD5, 0, digest, digest_len, GLINT_ROM_OK, GLINT_STUB_OK);
    }
  else
    {
      const char *hex = g_checksum_get_string (md5);

      finish (self, t, us, GLINT_OP_SPI_FLASH_MD5, 0, (const guint8 *) hex, 32, GLINT_ROM_OK, GLINT_STUB_OK);
    }
}

static void
cmd_change_baud (GlintSim     *self,
                 gint64        t,
                 const guint8 *body,
                 gsize         size)
{
  guint32 baud;

  if (size != 8)
    {
      fail (self, t, GLINT_OP_CHANGE_BAUDRATE, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_BAD_DATA_LEN);
      return;
    }

  baud = get_u32 (body);
  if (baud < 300 || baud > MAX_CHIP_BAUD)
    {
      fail (self, t, GLINT_OP_CHANGE_BAUDRATE, GLINT_ROM_ERR_PARAM, GLINT_STUB_ERR_BAD_DATA_LEN);
      return;
    }

  /* The ESP32 ROM divides the crystal it believes in; the stub knows the
   * real one. */
  if (self->mode == GLINT_SIM_MODE_ROM && self->rom_xtal_hz > 0)
    baud = (guint32) lround ((gdouble) baud * self->chip->uart_clk_hz / self->rom_xtal_hz);

  /* The answer still goes out at the old rate; then the UART switches. */
  finish (self, t, CMD_US, GLINT_OP_CHANGE_BAUDRATE, 0, NULL, 0, GLINT_ROM_OK, GLINT_STUB_OK);
  self->counters[GLINT_SIM_COUNTER_BAUD_CHANGES]++;
  self->autobaud = FALSE;
  if (self->lose_baud_change)
    {
      /* one-shot fault: acknowledged, but the UART keeps its old rate (a
       * change lost on the way, as a relay that ignores SET-BAUDRATE) */
      self->lose_baud_change = FALSE;
      return;
    }
  set_chip_baud (self, baud);
}

static void
send_read_packet (GlintSim *self,
                  gint64    t)
{
  guint32 n = MIN (self->rd_packet, self->rd_len - self->rd_sent);
  const guint8 *p = cells_read (self, self->rd_offset + self->rd_sent, n);

  g_checksum_update (self->rd_md5, p, n);
  send_frame (self, t, p, n);
  self->rd_sent += n;
  self->counters[GLINT_SIM_COUNTER_FLASH_READ] += n;
}

static void
cmd_read_flash (GlintSim     *self,
                gint64        t,
                const guint8 *body,
                gsize         size)
{
  guint32 offset, len, packet;

  if (size != 16)
    {
      fail (self, t, GLINT_OP_READ_FLASH, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_BAD_DATA_LEN);
      return;
    }

  offset = get_u32 (body);
  len = get_u32 (body + 4);
  packet = get_u32 (body + 8);
  if ((guint64) offset + len > self->flash_size || packet == 0 || packet > 0x4000)
    {
      fail (self, t, GLINT_OP_READ_FLASH, GLINT_ROM_ERR_PARAM, GLINT_STUB_ERR_FAILED_SPI);
      return;
    }

  finish (self, t, CMD_US, GLINT_OP_READ_FLASH, 0, NULL, 0, GLINT_ROM_OK, GLINT_STUB_OK);

  /* esp-flasher-stub keeps one packet in flight (protocol.md §6.4). */
  end_sessions (self);
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
      send_frame (self, t, digest, digest_len);
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
                     const guint8 *body,
                     gsize         size)
{
  guint8 data[64];
  guint32 offset, len;

  if (size != 8)
    {
      fail (self, t, GLINT_OP_READ_FLASH_SLOW, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_BAD_DATA_LEN);
      return;
    }

  offset = get_u32 (body);
  len = get_u32 (body + 4);
  if (len > sizeof data)
    {
      fail (self, t, GLINT_OP_READ_FLASH_SLOW, GLINT_ROM_ERR_READ_LEN, GLINT_STUB_ERR_BAD_DATA_LEN);
      return;
    }
  if ((guint64) offset + len > self->flash_size)
    {
      fail (self, t, GLINT_OP_READ_FLASH_SLOW, GLINT_ROM_ERR_READ, GLINT_STUB_ERR_FAILED_SPI);
      return;
    }

  /* The ROM always answers 64 bytes. */
  memset (data, 0xFF, sizeof data);
  memcpy (data, cells_read (self, offset, len), len);
  self->counters[GLINT_SIM_COUNTER_FLASH_READ] += len;
  finish (self, t, CMD_US, GLINT_OP_READ_FLASH_SLOW, 0, data, sizeof data, GLINT_ROM_OK, GLINT_STUB_OK);
}

static void
cmd_security_info (GlintSim *self,
                   gint64    t)
{
  guint8 info[20];

  /* flags, flash_crypt_cnt, key_purposes[7] (none set); then chip_id and
   * api/eco version (ESP32-S2 stops after the first 12 bytes) */
  memset (info, 0, sizeof info);
  put_u32 (info, self->security_flags);
  info[4] = self->flash_crypt_cnt;
  put_u32 (info + 12, self->chip->chip_id);
  put_u32 (info + 16, 0);

  finish (self, t, CMD_US, GLINT_OP_GET_SECURITY_INFO, 0, info, self->chip->security_info_len,
          GLINT_ROM_OK, GLINT_STUB_OK);
}

static void
cmd_erase (GlintSim     *self,
           gint64        t,
           guint8        op,
           const guint8 *body,
           gsize         size)
{
  guint32 offset = 0;
  guint32 len = self->flash_size;

  if (op == GLINT_OP_ERASE_REGION)
    {
      if (size != 8)
        {
          fail (self, t, op, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_BAD_DATA_LEN);
          return;
        }
      offset = get_u32 (body);
      len = get_u32 (body + 4);
      if (offset % SECTOR_SIZE != 0 || len % SECTOR_SIZE != 0)
        {
          fail (self, t, op, GLINT_ROM_ERR_PARAM, GLINT_STUB_ERR_BAD_DATA_LEN);
          return;
        }
      if ((guint64) offset + len > self->flash_size)
        {
          fail (self, t, op, GLINT_ROM_ERR_PARAM, GLINT_STUB_ERR_FAILED_SPI);
          return;
        }
    }

  finish (self, t, CMD_US + erase_range (self, offset, offset + len), op, 0, NULL, 0,
          GLINT_ROM_OK, GLINT_STUB_OK);
}

static void
handle_frame (GlintSim     *self,
              gint64        t,
              const guint8 *frame,
              gsize         len)
{
  gboolean stub = self->mode == GLINT_SIM_MODE_STUB;
  g_autofree guint8 *damaged = NULL;
  const guint8 *body;
  guint8 op;
  gsize size;
  guint32 checksum;

  if (self->reading)
    {
      if (len == 4)
        {
          handle_read_ack (self, t, get_u32 (frame));
          return;
        }
      /* anything else ends the transfer */
      end_sessions (self);
    }

  /* Not a request: the loader ignores it. */
  if (len < 8 || frame[0] != 0x00)
    return;

  op = frame[1];
  size = frame[2] | (frame[3] << 8);
  checksum = get_u32 (frame + 4);
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
      fail (self, t, op, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_BAD_DATA_LEN);
      return;
    }

  if (stub ? !stub_supports (self, op) : !rom_supports (self, op))
    {
      if (stub)
        {
          fail (self, t, op, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_INVALID_CMD);
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

          self->cpu_busy_until = t + scaled (self, CMD_US);
          for (guint i = 0; i < ROM_ERROR_REPEAT; i++)
            send_response (self, self->cpu_busy_until, last_op, self->rom_last_value, NULL, 0,
                           GLINT_ROM_ERR_FORMAT, 0);
        }
      return;
    }

  self->counters[GLINT_SIM_COUNTER_COMMANDS]++;

  /* An error of an early-acked block is reported by the next command
   * (protocol.md §9); the _DATA commands do that in their ack. */
  if (stub && self->carried_error != 0 && op != GLINT_OP_FLASH_DATA && op != GLINT_OP_FLASH_DEFL_DATA)
    {
      guint16 carried = self->carried_error;

      self->carried_error = 0;
      fail (self, t, op, GLINT_ROM_OK, carried);
      return;
    }

  switch (op)
    {
    case GLINT_OP_SYNC:
      cmd_sync (self, t, body, size);
      break;

    case GLINT_OP_READ_REG:
      if (size != 4)
        fail (self, t, op, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_BAD_DATA_LEN);
      else
        finish (self, t, CMD_US, op, reg_read (self, get_u32 (body)), NULL, 0, GLINT_ROM_OK, GLINT_STUB_OK);
      break;

    case GLINT_OP_WRITE_REG:
      cmd_write_reg (self, t, body, size);
      break;

    case GLINT_OP_SPI_SET_PARAMS:
      if (size != 24)
        fail (self, t, op, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_BAD_DATA_LEN);
      else
        finish (self, t, CMD_US, op, 0, NULL, 0, GLINT_ROM_OK, GLINT_STUB_OK);
      break;

    case GLINT_OP_SPI_ATTACH:
      /* ROM: hspi_arg + 4 more bytes; stub: hspi_arg only (protocol.md §2) */
      if (size != (stub ? 4u : 8u))
        fail (self, t, op, GLINT_ROM_ERR_FORMAT, GLINT_STUB_ERR_BAD_DATA_LEN);
      else
        finish (self, t, CMD_US, op, 0, NULL, 0, GLINT_ROM_OK, GLINT_STUB_OK);
      break;

    case GLINT_OP_FLASH_BEGIN:
    case GLINT_OP_FLASH_DEFL_BEGIN:
      cmd_flash_begin (self, t, op, body, size);
      break;

    case GLINT_OP_FLASH_DATA:
    case GLINT_OP_FLASH_DEFL_DATA:
      cmd_flash_data (self, t, op, body, size, checksum);
      break;

    case GLINT_OP_FLASH_END:
    case GLINT_OP_FLASH_DEFL_END:
      cmd_flash_end (self, t, op, body, size);
      break;

    case GLINT_OP_MEM_BEGIN:
    case GLINT_OP_MEM_DATA:
    case GLINT_OP_MEM_END:
      cmd_mem (self, t, op, body, size, checksum);
      break;

    case GLINT_OP_SPI_FLASH_MD5:
      cmd_md5 (self, t, body, size);
      break;

    case GLINT_OP_CHANGE_BAUDRATE:
      cmd_change_baud (self, t, body, size);
      break;

    case GLINT_OP_GET_SECURITY_INFO:
      cmd_security_info (self, t);
      break;

    case GLINT_OP_READ_FLASH_SLOW:
      cmd_read_flash_slow (self, t, body, size);
      break;

    case GLINT_OP_READ_FLASH:
      cmd_read_flash (self, t, body, size);
      break;

    case GLINT_OP_ERASE_FLASH:
    case GLINT_OP_ERASE_REGION:
      cmd_erase (self, t, op, body, size);
      break;

    case GLINT_OP_RUN_USER_CODE:
      /* no response */
      reset_into_app (self, t + scaled (self, CMD_US), BOOT_SW);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* ------------------------------------------------------------------ */
/* host -> chip */

static void
schedule_cpu (GlintSim *self,
              gint64    t)
{
  Event *ev;

  if (self->cpu_scheduled || g_queue_is_empty (&self->pending))
    return;

  self->cpu_scheduled = TRUE;
  ev = push_event (self, MAX (t, self->cpu_busy_until), EV_CPU);
  ev->gen = self->gen;
}

static void
rx_frame_cb (const guint8 *frame,
             gsize         len,
             gpointer      user_data)
{
  GlintSim *self = user_data;

  self->counters[GLINT_SIM_COUNTER_FRAMES_IN]++;
  g_queue_push_tail (&self->pending, g_bytes_new (frame, len));
  schedule_cpu (self, self->rx_time);
}

static void
handle_host_bytes (GlintSim *self,
                   gint64    t,
                   GBytes   *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  g_autofree guint8 *garbled = NULL;

  if (self->mode == GLINT_SIM_MODE_DEAD)
    return;

  if (self->disconnect_after > 0 &&
      self->counters[GLINT_SIM_COUNTER_BYTES_IN] + len >= self->disconnect_after)
    {
      /* one-shot, so that a reset and a new connection work again */
      self->counters[GLINT_SIM_COUNTER_BYTES_IN] = self->disconnect_after;
      self->disconnect_after = 0;
      go_dead (self);
      return;
    }
  self->counters[GLINT_SIM_COUNTER_BYTES_IN] += len;

  if (!in_loader (self))
    return;

  /* The ROM's auto-baud detector copes with any rate until a
   * CHANGE_BAUDRATE fixed it; a wrong rate garbles otherwise. */
  if (link_garbled (self) &&
      !(self->mode == GLINT_SIM_MODE_ROM && self->autobaud &&
        (self->max_baud == 0 || self->host_baud <= self->max_baud)))
    {
      garbled = g_malloc (len);
      for (gsize i = 0; i < len; i++)
        garbled[i] = g_rand_int_range (self->rand, 0, 256);
      self->counters[GLINT_SIM_COUNTER_GARBLED] += len;
      data = garbled;
    }

  self->rx_time = t;
  glint_slip_decoder_feed (self->rx, data, len, rx_frame_cb, self);
}

static void
handle_cpu (GlintSim *self,
            gint64    t)
{
  g_autoptr(GBytes) frame = NULL;
  const guint8 *data;
  gsize len;

  self->cpu_scheduled = FALSE;
  if (!in_loader (self))
    return;

  frame = g_queue_pop_head (&self->pending);
  if (frame == NULL)
    return;

  data = g_bytes_get_data (frame, &len);
  handle_frame (self, MAX (t, self->cpu_busy_until), data, len);
  self->cpu_busy_until = MAX (self->cpu_busy_until, t);

  if (in_loader (self))
    schedule_cpu (self, self->cpu_busy_until);
}

static void
process_event (GlintSim *self,
               Event    *ev)
{
  switch (ev->kind)
    {
    case EV_HOST_BYTES:
      handle_host_bytes (self, ev->due, ev->bytes);
      break;

    case EV_HOST_LINES:
      handle_lines (self, ev->due, ev->mask, ev->values);
      break;

    case EV_HOST_BAUD:
      self->host_baud = ev->baud;
      break;

    case EV_OUTPUT:
      if (self->mode != GLINT_SIM_MODE_DEAD)
        g_signal_emit (self, signals[SIGNAL_OUTPUT], 0, ev->bytes);
      break;

    case EV_BOOT:
      if (ev->gen == self->gen)
        handle_boot (self, ev->due, ev->boot);
      break;

    case EV_APP_TICK:
      if (ev->gen == self->gen && self->mode == GLINT_SIM_MODE_APP)
        app_tick (self, ev->due);
      break;

    case EV_CPU:
      if (ev->gen == self->gen)
        handle_cpu (self, ev->due);
      break;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
run_events_cb (gpointer user_data)
{
  GlintSim *self = g_object_ref (user_data);
  gint64 now = g_get_monotonic_time ();
  Event *ev;

  while (!self->disposed &&
         (ev = g_queue_peek_head (&self->events)) != NULL &&
         ev->due <= now)
    {
      g_queue_pop_head (&self->events);
      process_event (self, ev);
      event_free (ev);
    }

  update_ready_time (self);
  g_object_unref (self);

  return G_SOURCE_CONTINUE;
}

static gboolean
sim_source_dispatch (GSource     *source,
                     GSourceFunc  callback,
                     gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs sim_source_funcs = {
  NULL, NULL, sim_source_dispatch, NULL, NULL, NULL,
};

static gint64
host_item_due (GlintSim *self,
               gint64    ready)
{
  gint64 arrival;

  /* What the host sends in one go travels in one packet: it shares one
   * delay, so jitter does not pull apart, say, the two line changes of a
   * reset that a server applies back to back. */
  if (self->last_in_ready == 0 || ready - self->last_in_ready > 2000)
    self->last_in_delay = link_delay (self);
  self->last_in_ready = ready;
  arrival = ready + self->last_in_delay;

  /* never before an earlier item: jitter must not reorder */
  self->last_in_due = MAX (self->last_in_due, arrival);
  return self->last_in_due;
}

/**
 * glint_sim_host_write:
 * @self: a #GlintSim
 * @data: bytes the host sends
 * @len: their number
 *
 * The host writes bytes to the wire.  They reach the chip after the
 * configured latency plus their wire time.  Must be called from the thread
 * of the main context the simulator was created in.
 */
void
glint_sim_host_write (GlintSim     *self,
                      const guint8 *data,
                      gsize         len)
{
  g_autoptr(GByteArray) wire = NULL;
  gint64 start;
  Event *ev;

  g_return_if_fail (GLINT_IS_SIM (self));
  g_return_if_fail (data != NULL || len == 0);

  if (len == 0)
    return;

  start = MAX (g_get_monotonic_time (), self->host_tx_busy_until);
  self->host_tx_busy_until = start + wire_time (self, len, self->chip_baud);

  wire = apply_faults (self, data, len, FALSE);
  if (wire->len == 0)
    return;

  ev = push_event (self, host_item_due (self, self->host_tx_busy_until), EV_HOST_BYTES);
  ev->bytes = g_byte_array_free_to_bytes (g_steal_pointer (&wire));
}

/**
 * glint_sim_host_set_lines:
 * @self: a #GlintSim
 * @mask: the lines to change
 * @values: their new state (set = asserted)
 *
 * The host changes DTR/RTS; the usual auto-reset circuit turns that into
 * EN and IO0 (protocol.md §3.3).
 */
void
glint_sim_host_set_lines (GlintSim   *self,
                          GlintLines  mask,
                          GlintLines  values)
{
  Event *ev;

  g_return_if_fail (GLINT_IS_SIM (self));

  ev = push_event (self, host_item_due (self, g_get_monotonic_time ()), EV_HOST_LINES);
  ev->mask = mask;
  ev->values = values;
}

/**
 * glint_sim_host_set_baud:
 * @self: a #GlintSim
 * @baud: the host's new rate
 *
 * The host's UART changes its rate.
 */
void
glint_sim_host_set_baud (GlintSim *self,
                         guint     baud)
{
  Event *ev;

  g_return_if_fail (GLINT_IS_SIM (self));
  g_return_if_fail (baud > 0);

  ev = push_event (self, host_item_due (self, g_get_monotonic_time ()), EV_HOST_BAUD);
  ev->baud = baud;
}

/* ------------------------------------------------------------------ */
/* options */

static gboolean
parse_double (const char  *key,
              const char  *value,
              gdouble      min,
              gdouble      max,
              gdouble     *out,
              GError     **error)
{
  char *end = NULL;
  gdouble v;

  if (value != NULL)
    v = g_ascii_strtod (value, &end);
  if (value == NULL || end == value || *end != '\0' || isnan (v) || v < min || v > max)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   "sim option %s: '%s' is not a number between %g and %g",
                   key, value != NULL ? value : "", min, max);
      return FALSE;
    }

  *out = v;
  return TRUE;
}

static gboolean
parse_uint (const char  *key,
            const char  *value,
            guint64      max,
            guint64     *out,
            GError     **error)
{
  guint64 v;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, max, &v, NULL))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   "sim option %s: '%s' is not a whole number up to %" G_GUINT64_FORMAT,
                   key, value != NULL ? value : "", max);
      return FALSE;
    }

  *out = v;
  return TRUE;
}

/* OPCODE[:N] for the one-shot faults: the next N (default 1) commands or
 * answers with that opcode; N = 0 turns the fault off. */
static gboolean
parse_op_count (const char  *key,
                const char  *value,
                guint       *op,
                guint       *count,
                GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (value, ":", 2);
  guint64 u, n = 1;

  if (!parse_uint (key, parts[0], 255, &u, error) ||
      (parts[1] != NULL && !parse_uint (key, parts[1], 1000, &n, error)))
    return FALSE;
  *op = n > 0 ? (guint) u : 0;
  *count = (guint) n;

  return TRUE;
}

static gboolean
parse_bool (const char  *key,
            const char  *value,
            gboolean    *out,
            GError     **error)
{
  static const char *const yes[] = { "on", "true", "yes", "1", NULL };
  static const char *const no[] = { "off", "false", "no", "0", NULL };

  if (value != NULL && g_strv_contains (yes, value))
    *out = TRUE;
  else if (value != NULL && g_strv_contains (no, value))
    *out = FALSE;
  else
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   "sim option %s: '%s' is not on or off", key, value != NULL ? value : "");
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_flash_size (const char  *key,
                  const char  *value,
                  gsize       *out,
                  GError     **error)
{
  static const char *const names[] = { "1M", "2M", "4M", "8M", "16M", NULL };

  for (guint i = 0; value != NULL && names[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (value, names[i]) == 0 ||
          (g_str_has_prefix (value, names[i]) &&
           g_ascii_strcasecmp (value + strlen (names[i]), "B") == 0))
        {
          *out = (gsize) 1024 * 1024 << i;
          return TRUE;
        }
    }

  g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
               "sim option %s: '%s' is not one of 1M, 2M, 4M, 8M, 16M",
               key, value != NULL ? value : "");
  return FALSE;
}

/* A flash address: decimal or 0x-prefixed hex. */
static gboolean
parse_address (const char  *key,
               const char  *value,
               guint32     *out,
               GError     **error)
{
  guint64 v;
  gboolean hex = value != NULL && g_ascii_strncasecmp (value, "0x", 2) == 0;

  if (value == NULL ||
      !g_ascii_string_to_unsigned (hex ? value + 2 : value, hex ? 16 : 10, 0, G_MAXUINT32,
                                   &v, NULL))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   "sim option %s: '%s' is not a flash address", key, value != NULL ? value : "");
      return FALSE;
    }

  *out = (guint32) v;
  return TRUE;
}

/* The flash fault options; each stuck-bit, no-erase and write-protect adds
 * one more. */
static gboolean
set_flash_fault (GlintSim    *self,
                 const char  *key,
                 const char  *value,
                 GError     **error)
{
  g_auto(GStrv) parts = NULL;

  if (g_str_equal (key, "stuck-bit"))
    {
      FlashCell cell;
      guint64 bit = 0;

      parts = g_strsplit (value, ":", 2);
      if (!parse_address (key, parts[0], &cell.offset, error) ||
          (parts[1] != NULL && !parse_uint (key, parts[1], 7, &bit, error)))
        return FALSE;
      cell.mask = (guint8) (1 << bit);
      g_array_append_val (self->stuck_bits, cell);
    }
  else if (g_str_equal (key, "no-erase"))
    {
      guint32 offset;

      if (!parse_address (key, value, &offset, error))
        return FALSE;
      g_array_append_val (self->no_erase, offset);
    }
  else if (g_str_equal (key, "write-protect"))
    {
      FlashRange range;

      parts = g_strsplit (value, "-", 2);
      if (!parse_address (key, parts[0], &range.start, error) ||
          !parse_address (key, parts[1], &range.end, error))
        return FALSE;
      if (range.end <= range.start)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                       "sim option write-protect: '%s' is not START-END", value);
          return FALSE;
        }
      g_array_append_val (self->write_protect, range);
    }
  else if (g_str_equal (key, "real-flash-size"))
    {
      if (!parse_flash_size (key, value, &self->real_flash_size, error))
        return FALSE;
      cells_fold (self, 0, real_size (self));
    }
  else
    {
      return parse_double (key, value, 0, 1, &self->unstable_reads, error);
    }

  return TRUE;
}

static void
resize_flash (GlintSim *self,
              gsize     size)
{
  if (size == self->flash_size)
    return;

  self->flash = g_realloc (self->flash, size);
  if (size > self->flash_size)
    memset (self->flash + self->flash_size, 0xFF, size - self->flash_size);
  self->flash_size = size;
  cells_fold (self, 0, real_size (self));
}

/**
 * glint_sim_set_option:
 * @self: a #GlintSim
 * @key: an option name
 * @value: (nullable): its value; %NULL means "on"
 * @error: return location for a #GError
 *
 * Sets one option: `latency`, `jitter` (ms), `drop`, `corrupt`,
 * `duplicate` (probability per byte), `disconnect-after`, `brown-out-at`
 * (bytes), `seed`, `time-scale`, `baud-check` (on/off), `max-baud`,
 * `lose-baud-change` (on/off: acknowledge the next CHANGE_BAUDRATE but
 * keep the old rate), `damage-next` (OPCODE[:N], decimal: the next N
 * commands (default 1) with that opcode arrive with a data byte damaged),
 * `rom-xtal-drift` (%, -10 to 10: how far the crystal
 * the ESP32 ROM believes in is off the real 40 MHz; its CHANGE_BAUDRATE
 * sets requested × 40 MHz / believed; by default 3.5 to 5 % either way,
 * from the seed), `boot` (download/normal), `flash` (a path),
 * `flash-size`, `revision` (MAJOR.MINOR in the chip's eFuse; by default a
 * current silicon, e.g. the ESP32's v3.1), `package` (the eFuse package
 * code: ESP32 1 = D0WD), `secure-boot`, `secure-download` (the ROM then
 * refuses all but the commands secure download mode allows),
 * `jtag-disabled` (on/off), `flash-crypt-cnt` (the eFuse counter;
 * flash encryption is on when an odd number of its bits are set),
 * `garble-reply` (OPCODE[:N]: a flipped bit in the value word of the next
 * N answers to that opcode), and flash faults as real chips have them:
 * `stuck-bit` (OFFSET[:BIT]: that bit stays 1), `no-erase` (OFFSET: its
 * sector keeps its content), `write-protect` (START-END: writes and erases
 * there are ignored, silently), `real-flash-size` (1M…: a chip smaller
 * than its JEDEC id says; addresses wrap) and `unstable-reads` (P: each
 * read of the flash gets one bit wrong with that chance).  Addresses are
 * decimal or 0x-prefixed hex; stuck-bit, no-erase and write-protect may be
 * repeated.
 *
 * Returns: %TRUE if the option was valid and applied
 */
gboolean
glint_sim_set_option (GlintSim    *self,
                      const char  *key,
                      const char  *value,
                      GError     **error)
{
  guint64 u;
  gdouble d;

  g_return_val_if_fail (GLINT_IS_SIM (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (value == NULL)
    value = "on";

  if (g_str_equal (key, "latency") || g_str_equal (key, "jitter"))
    {
      if (!parse_double (key, value, 0, 60000, &d, error))
        return FALSE;
      if (g_str_equal (key, "latency"))
        self->latency_ms = d;
      else
        self->jitter_ms = d;
    }
  else if (g_str_equal (key, "drop") || g_str_equal (key, "corrupt") ||
           g_str_equal (key, "duplicate"))
    {
      if (!parse_double (key, value, 0, 1, &d, error))
        return FALSE;
      if (g_str_equal (key, "drop"))
        self->drop_p = d;
      else if (g_str_equal (key, "corrupt"))
        self->corrupt_p = d;
      else
        self->duplicate_p = d;
    }
  else if (g_str_equal (key, "time-scale"))
    {
      if (!parse_double (key, value, 0, 1000, &self->time_scale, error))
        return FALSE;
    }
  else if (g_str_equal (key, "disconnect-after"))
    {
      if (!parse_uint (key, value, G_MAXUINT64, &self->disconnect_after, error))
        return FALSE;
    }
  else if (g_str_equal (key, "brown-out-at"))
    {
      if (!parse_uint (key, value, G_MAXUINT64, &self->brown_out_at, error))
        return FALSE;
    }
  else if (g_str_equal (key, "seed"))
    {
      if (!parse_uint (key, value, G_MAXUINT32, &u, error))
        return FALSE;
      self->seed = (guint32) u;
      g_rand_set_seed (self->rand, self->seed);
      init_registers (self);
    }
  else if (g_str_equal (key, "max-baud"))
    {
      if (!parse_uint (key, value, G_MAXUINT, &u, error))
        return FALSE;
      self->max_baud = (guint) u;
    }
  else if (g_str_equal (key, "baud-check"))
    {
      if (!parse_bool (key, value, &self->baud_check, error))
        return FALSE;
    }
  else if (g_str_equal (key, "lose-baud-change"))
    {
      if (!parse_bool (key, value, &self->lose_baud_change, error))
        return FALSE;
    }
  else if (g_str_equal (key, "damage-next"))
    {
      if (!parse_op_count (key, value, &self->damage_op, &self->damage_left, error))
        return FALSE;
    }
  else if (g_str_equal (key, "garble-reply"))
    {
      if (!parse_op_count (key, value, &self->garble_op, &self->garble_left, error))
        return FALSE;
    }
  else if (g_str_equal (key, "rom-xtal-drift"))
    {
      if (!parse_double (key, value, -10, 10, &self->rom_xtal_drift, error))
        return FALSE;
      self->rom_xtal_drift_set = TRUE;
      init_rom_xtal (self);
    }
  else if (g_str_equal (key, "boot"))
    {
      gboolean download;

      if (g_str_equal (value, "download"))
        download = TRUE;
      else if (g_str_equal (value, "normal"))
        download = FALSE;
      else
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                       "sim option boot: '%s' is not download or normal", value);
          return FALSE;
        }

      /* Too late for the power-on boot: power-cycle. */
      if (download != self->boot_download && self->powered_on &&
          self->mode != GLINT_SIM_MODE_DEAD)
        {
          gint64 now = g_get_monotonic_time ();

          self->boot_download = download;
          chip_reset (self, now);
          schedule_boot (self, now + strap_delay (self), BOOT_POWER_ON);
        }
      self->boot_download = download;
    }
  else if (g_str_equal (key, "revision"))
    {
      if (!parse_revision (self, value, &self->revision, error))
        return FALSE;
      init_registers (self);
    }
  else if (g_str_equal (key, "package"))
    {
      const EfuseLayout *l = efuse_layout (self);

      if (l == NULL)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                       "sim option package: the ESP8266 has no package field");
          return FALSE;
        }
      if (!parse_uint (key, value, (1u << l->pkg_width) - 1, &u, error))
        return FALSE;
      self->package = (gint) u;
      init_registers (self);
    }
  else if (g_str_equal (key, "secure-boot") || g_str_equal (key, "secure-download") ||
           g_str_equal (key, "jtag-disabled"))
    {
      guint32 flag = g_str_equal (key, "secure-boot") ? GLINT_CHIP_SECURE_BOOT :
                     g_str_equal (key, "secure-download") ? GLINT_CHIP_SECURE_DOWNLOAD :
                     GLINT_CHIP_HARD_DIS_JTAG;
      gboolean on;

      if (!parse_bool (key, value, &on, error))
        return FALSE;
      /* the ESP32 keeps these in eFuse alone, and has no secure download
       * mode; the ESP8266 has none of them */
      if (on && (self->chip->rom_is_esp8266 ||
                 (flag == GLINT_CHIP_SECURE_DOWNLOAD && self->chip->security_info_len == 0)))
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                       "sim option %s: %s has no such mode", key, self->chip->name);
          return FALSE;
        }
      self->security_flags = on ? self->security_flags | flag : self->security_flags & ~flag;
      init_registers (self);
    }
  else if (g_str_equal (key, "flash-crypt-cnt"))
    {
      /* 7 bits on the ESP32, 3 on the later chips */
      if (self->chip->rom_is_esp8266 ||
          !parse_uint (key, value, self->chip->security_info_len == 0 ? 0x7F : 0x7, &u, error))
        {
          if (self->chip->rom_is_esp8266)
            g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                         "sim option %s: the ESP8266 has no flash encryption", key);
          return FALSE;
        }
      self->flash_crypt_cnt = (guint) u;
      init_registers (self);
    }
  else if (g_str_equal (key, "flash-size"))
    {
      gsize size;

      if (!parse_flash_size (key, value, &size, error))
        return FALSE;
      resize_flash (self, size);
    }
  else if (g_str_equal (key, "stuck-bit") || g_str_equal (key, "no-erase") ||
           g_str_equal (key, "write-protect") || g_str_equal (key, "real-flash-size") ||
           g_str_equal (key, "unstable-reads"))
    {
      if (!set_flash_fault (self, key, value, error))
        return FALSE;
    }
  else if (g_str_equal (key, "flash"))
    {
      if (*value == '\0')
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                       "sim option flash: a file name is needed");
          return FALSE;
        }

      if (g_file_test (value, G_FILE_TEST_EXISTS))
        {
          g_autofree char *contents = NULL;
          g_autoptr(GError) local_error = NULL;
          gsize len;

          if (!g_file_get_contents (value, &contents, &len, &local_error))
            {
              g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                           "sim option flash: %s", local_error->message);
              return FALSE;
            }
          memset (self->flash, 0xFF, self->flash_size);
          memcpy (self->flash, contents, MIN (len, self->flash_size));
          cells_fold (self, 0, self->flash_size);
        }

      g_free (self->flash_path);
      self->flash_path = g_strdup (value);
    }
  else
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   "unknown sim option '%s' (known: latency, jitter, drop, corrupt, duplicate, "
                   "disconnect-after, brown-out-at, seed, time-scale, baud-check, max-baud, "
                   "lose-baud-change, damage-next, rom-xtal-drift, boot, flash, flash-size, "
                   "revision, package, secure-boot, secure-download, jtag-disabled, "
                   "flash-crypt-cnt, garble-reply, stuck-bit, no-erase, write-protect, "
                   "real-flash-size, unstable-reads)", key);
      return FALSE;
    }

  return TRUE;
}

/**
 * glint_sim_set_options:
 * @self: a #GlintSim
 * @query: (nullable): a URL query such as `latency=20&boot=download`
 * @error: return location for a #GError
 *
 * Sets several options; a bare key means "on".  Stops at the first bad one.
 *
 * Returns: %TRUE if all options were applied
 */
gboolean
glint_sim_set_options (GlintSim    *self,
                       const char  *query,
                       GError     **error)
{
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (GLINT_IS_SIM (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (query == NULL || *query == '\0')
    return TRUE;
  if (*query == '?')
    query++;

  parts = g_strsplit (query, "&", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;
      char *eq;

      if (*parts[i] == '\0')
        continue;

      eq = strchr (parts[i], '=');
      if (eq != NULL)
        {
          *eq = '\0';
          value = g_uri_unescape_string (eq + 1, NULL);
        }
      key = g_uri_unescape_string (parts[i], NULL);

      if (key == NULL || (eq != NULL && value == NULL))
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                       "bad escaping in sim option '%s'", parts[i]);
          return FALSE;
        }

      if (!glint_sim_set_option (self, key, value, error))
        return FALSE;
    }

  return TRUE;
}

/* ------------------------------------------------------------------ */
/* accessors */

const char *
glint_sim_get_chip_name (GlintSim *self)
{
  g_return_val_if_fail (GLINT_IS_SIM (self), NULL);

  return self->chip->name;
}

GlintSimMode
glint_sim_get_mode (GlintSim *self)
{
  g_return_val_if_fail (GLINT_IS_SIM (self), GLINT_SIM_MODE_DEAD);

  return self->mode;
}

/**
 * glint_sim_get_baud:
 * @self: a #GlintSim
 *
 * Returns: the chip's UART rate
 */
guint
glint_sim_get_baud (GlintSim *self)
{
  g_return_val_if_fail (GLINT_IS_SIM (self), 0);

  return self->chip_baud;
}

/**
 * glint_sim_get_host_baud:
 * @self: a #GlintSim
 *
 * Returns: the host's UART rate as the chip end currently sees it
 */
guint
glint_sim_get_host_baud (GlintSim *self)
{
  g_return_val_if_fail (GLINT_IS_SIM (self), 0);

  return self->host_baud;
}

/**
 * glint_sim_get_lines:
 * @self: a #GlintSim
 *
 * Returns: DTR/RTS as they have reached the chip
 */
GlintLines
glint_sim_get_lines (GlintSim *self)
{
  g_return_val_if_fail (GLINT_IS_SIM (self), 0);

  return self->lines;
}

guint64
glint_sim_get_counter (GlintSim        *self,
                       GlintSimCounter  counter)
{
  g_return_val_if_fail (GLINT_IS_SIM (self), 0);
  g_return_val_if_fail (counter < GLINT_SIM_N_COUNTERS, 0);

  return self->counters[counter];
}

const guint8 *
glint_sim_get_flash (GlintSim *self,
                     gsize    *size)
{
  g_return_val_if_fail (GLINT_IS_SIM (self), NULL);

  if (size != NULL)
    *size = self->flash_size;

  return self->flash;
}

/**
 * glint_sim_load_flash:
 * @self: a #GlintSim
 * @offset: where to put the data
 * @data: the bytes
 * @len: their number
 *
 * Overwrites flash content directly (no erase needed), e.g. to put an app
 * image in place for a demo.
 */
void
glint_sim_load_flash (GlintSim     *self,
                      gsize         offset,
                      const guint8 *data,
                      gsize         len)
{
  g_return_if_fail (GLINT_IS_SIM (self));
  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (offset <= self->flash_size && len <= self->flash_size - offset);

  memcpy (self->flash + offset, data, len);
  cells_fold (self, offset, len);
}

/**
 * glint_sim_get_mac:
 * @self: a #GlintSim
 *
 * Returns: (array fixed-size=6): the MAC address in the chip's eFuses
 */
const guint8 *
glint_sim_get_mac (GlintSim *self)
{
  g_return_val_if_fail (GLINT_IS_SIM (self), NULL);

  return self->mac;
}

/**
 * glint_sim_get_rom_xtal_mhz:
 * @self: a #GlintSim
 *
 * Returns: the crystal the ROM believes in (option `rom-xtal-drift`), what
 *   its RTCCALICFG1 and eFuse word 4 tell; 0 where the ROM knows the real
 *   one (every chip but the ESP32)
 */
gdouble
glint_sim_get_rom_xtal_mhz (GlintSim *self)
{
  g_return_val_if_fail (GLINT_IS_SIM (self), 0);

  return self->rom_xtal_hz / 1e6;
}

/**
 * glint_sim_save_flash:
 * @self: a #GlintSim
 * @error: return location for a #GError
 *
 * Writes the flash image back to the file given as the `flash` option,
 * atomically.
 *
 * Returns: %TRUE on success
 */
gboolean
glint_sim_save_flash (GlintSim  *self,
                      GError   **error)
{
  g_return_val_if_fail (GLINT_IS_SIM (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->flash_path == NULL)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   "the simulated board has no flash file (option flash=PATH)");
      return FALSE;
    }

  return g_file_set_contents (self->flash_path, (const char *) self->flash,
                              self->flash_size, error);
}

/* ------------------------------------------------------------------ */
/* GObject */

static void
glint_sim_dispose (GObject *object)
{
  GlintSim *self = GLINT_SIM (object);

  self->disposed = TRUE;
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  g_queue_clear_full (&self->events, (GDestroyNotify) event_free);
  g_queue_clear_full (&self->pending, (GDestroyNotify) g_bytes_unref);

  G_OBJECT_CLASS (glint_sim_parent_class)->dispose (object);
}

static void
glint_sim_finalize (GObject *object)
{
  GlintSim *self = GLINT_SIM (object);

  end_sessions (self);
  g_queue_clear_full (&self->events, (GDestroyNotify) event_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->ram_loaded, g_array_unref);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->rx, glint_slip_decoder_free);
  g_clear_pointer (&self->regs, g_hash_table_unref);
  g_clear_pointer (&self->flash, g_free);
  g_clear_pointer (&self->read_copy, g_free);
  g_clear_pointer (&self->stuck_bits, g_array_unref);
  g_clear_pointer (&self->no_erase, g_array_unref);
  g_clear_pointer (&self->write_protect, g_array_unref);
  g_clear_pointer (&self->flash_path, g_free);

  G_OBJECT_CLASS (glint_sim_parent_class)->finalize (object);
}

static void
glint_sim_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  GlintSim *self = GLINT_SIM (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_BAUD:
      g_value_set_uint (value, self->chip_baud);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_sim_class_init (GlintSimClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = glint_sim_dispose;
  object_class->finalize = glint_sim_finalize;
  object_class->get_property = glint_sim_get_property;

  /**
   * GlintSim:mode:
   *
   * What the simulated chip is doing.
   */
  properties[PROP_MODE] =
    g_param_spec_enum ("mode", NULL, NULL,
                       GLINT_TYPE_SIM_MODE, GLINT_SIM_MODE_RESET,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintSim:baud:
   *
   * The chip's UART rate.
   */
  properties[PROP_BAUD] =
    g_param_spec_uint ("baud", NULL, NULL,
                       0, G_MAXUINT, BOOT_BAUD,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * GlintSim::output:
   * @self: a #GlintSim
   * @bytes: the bytes
   *
   * Bytes from the chip arrive at the host (after wire time and latency).
   */
  signals[SIGNAL_OUTPUT] =
    g_signal_new ("output",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BYTES);

  /**
   * GlintSim::disconnected:
   * @self: a #GlintSim
   *
   * The simulated link died (option `disconnect-after`); the transport
   * should close the connection.
   */
  signals[SIGNAL_DISCONNECTED] =
    g_signal_new ("disconnected",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
glint_sim_init (GlintSim *self)
{
  self->time_scale = 1.0;
  self->ram_loaded = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->baud_check = TRUE;
  self->host_baud = BOOT_BAUD;
  self->chip_baud = BOOT_BAUD;
  self->autobaud = TRUE;
  self->mode = GLINT_SIM_MODE_RESET;
  self->rand = g_rand_new_with_seed (0);
  self->rx = glint_slip_decoder_new (MAX_FRAME);
  self->regs = g_hash_table_new (NULL, NULL);
  self->revision = -1;
  self->package = -1;
  self->flash_size = 4 * 1024 * 1024;
  self->flash = g_malloc (self->flash_size);
  memset (self->flash, 0xFF, self->flash_size);
  self->stuck_bits = g_array_new (FALSE, FALSE, sizeof (FlashCell));
  self->no_erase = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->write_protect = g_array_new (FALSE, FALSE, sizeof (FlashRange));
  g_queue_init (&self->events);
  g_queue_init (&self->pending);
}

/**
 * glint_sim_new:
 * @chip: (nullable): a chip name such as "esp32s3"; %NULL for "esp32"
 * @error: return location for a #GError
 *
 * Creates a simulated chip.  Its timers run in the thread-default main
 * context of the caller, and all glint_sim_host_*() calls must come from
 * that thread.  It powers on at the next main loop iteration, so options
 * set right after construction (e.g. `boot=download`) still apply to the
 * power-on boot.
 *
 * Returns: (transfer full): a new #GlintSim, or %NULL for an unknown chip
 */
GlintSim *
glint_sim_new (const char  *chip,
               GError     **error)
{
  g_autoptr(GlintSim) self = NULL;
  const ChipModel *model = NULL;
  const GlintChip *facts;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (chip == NULL)
    chip = "esp32";

  for (guint i = 0; i < G_N_ELEMENTS (chip_models); i++)
    if (g_ascii_strcasecmp (chip_models[i].name, chip) == 0)
      model = &chip_models[i];

  if (model == NULL)
    {
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; i < G_N_ELEMENTS (chip_models); i++)
        g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", chip_models[i].name);
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_UNSUPPORTED_CHIP,
                   "unknown simulated chip '%s' (valid: %s)", chip, names->str);
      return NULL;
    }

  facts = glint_chip_lookup (model->name);
  g_assert (facts != NULL);

  self = g_object_new (GLINT_TYPE_SIM, NULL);
  chip_info_init (&self->chip_info, model, facts);
  self->chip = &self->chip_info;
  init_registers (self);

  self->context = g_main_context_ref_thread_default ();
  self->source = g_source_new (&sim_source_funcs, sizeof (GSource));
  g_source_set_static_name (self->source, "glint-sim");
  g_source_set_callback (self->source, run_events_cb, self, NULL);
  g_source_attach (self->source, self->context);

  schedule_boot (self, g_get_monotonic_time (), BOOT_POWER_ON);

  return g_steal_pointer (&self);
}
