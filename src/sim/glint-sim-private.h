/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>
#include <zlib.h>

#include "glint-bytes.h"
#include "glint-chip.h"
#include "glint-error.h"
#include "glint-protocol.h"
#include "glint-sim.h"
#include "glint-slip.h"

G_BEGIN_DECLS

/* What the parts of GlintSim share (glint-sim.c and its glint-sim-*.c):
 * the model's constants and types, the instance struct, and the functions
 * one part calls in another. */

#define BOOT_BAUD          115200
#define STRAP_DELAY_US     5000.0     /* EN high -> IO0 sampled */
#define MIN_STRAP_DELAY_US 2000       /* ... even at time-scale 0 */
#define CMD_US             50.0       /* processing time of a simple command */
#define BLOCK_SIZE         GLINT_FLASH_BLOCK_SIZE
#define SECTOR_ERASE_US    25000.0
#define BLOCK_ERASE_US     150000.0
#define PAGE_PROGRAM_US    400.0      /* per 256 bytes */
#define MD5_US_PER_MIB     300000.0
#define APP_TICK_US        1000000.0
#define MIN_APP_TICK_US    10000
#define MAX_FRAME          (8 + 0x4000 + 0xFF)
/* Both stubs read into a 4 KiB buffer and refuse a larger READ_FLASH
 * packet (protocol.md §6.4) */
#define READ_PACKET_MAX    0x1000
#define ROM_ERROR_REPEAT   8          /* the ROM repeats "invalid message" (protocol.md §1.4) */
#define MAX_CHIP_BAUD      5000000

/* The ESP32 ROM's crystal belief (esptool's get_rom_cal_crystal_freq):
 * believed = cali_val × 15625 × ck8m / 40 Hz, cali_val in RTCCALICFG1
 * bits 31..7, ck8m the low byte of eFuse word 4. */
#define ESP32_RTCCALICFG1     0x3FF5F06C
#define ESP32_EFUSE_RD_WORD4  (0x3FF5A000 + 4 * 4)
#define CK8M_MIN              128          /* ck8m drawn from the seed in here */
#define CK8M_MAX              224

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
  guint32     xtal_freq_reg;       /* 0, or the crystal the ROM expects (MHz << 24) */
  gboolean    spi_addr_lsb;        /* a user command's address in SPI_ADDR's low bits */
  guint32     bootloader_offset;
  guint       rom_status_len;
  guint       rom_is_esp8266 : 1;  /* no DEFL/MD5/CHANGE_BAUD/SPI_ATTACH/... in ROM */
} ChipInfo;

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
  guint64           garble_skip;       /* ... after this many answers to it went by */
  guint             lose_op;           /* the next lose_left answers to it are done */
  guint             lose_left;         /* ... but never reach the host */
  guint64           lose_skip;         /* ... after this many answers to it went by */
  gdouble           rom_xtal_drift;    /* %: the ESP32 ROM's belief vs. its crystal */
  gboolean          rom_xtal_drift_set;/* ... given, not drawn from the seed */
  guint             rom_xtal_expect;   /* MHz the C5 ROM expects, 0: the real one */
  gdouble           time_scale;
  guint64           disconnect_after;
  guint64           brown_out_at;
  guint64           brown_out_erasing; /* ... after this many bytes erased by ERASE_REGION */
  gboolean          usb_jtag;          /* lines through a USB-Serial/JTAG controller */
  gboolean          jtag_download;     /* ... which saw "download" before this reset */
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
  GQueue            pending;       /* GBytes: arrival time (gint64), then a
                                    * frame; waiting for the CPU */
  gboolean          cpu_scheduled;
  gint64            cpu_busy_until;
  gboolean          cpu_holds_frame; /* the frame worked on keeps its buffer */
  guint64           stub_rx_frames;  /* option: frames the stub holds, 0: any */
  gboolean          legacy_read;     /* option: READ_FLASH as the legacy stub's */
  gint64            frame_arrived;   /* when the frame being handled arrived */
  gboolean          legacy_stub;     /* option: esptool's legacy stub receives */
  gboolean          usb_otg;         /* option: the host is on the chip's USB-OTG CDC */
  guint32           work_from;       /* flash the data block in work writes */
  guint32           work_to;
  GHashTable       *regs;
  gdouble           rom_xtal_hz;     /* the crystal the ROM believes in, 0: exact */
  guint             app_ticks;
  char             *app_failure;     /* the line a board that cannot start repeats */
  char             *app_project;     /* the running app's project name, if it has one */
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
  gint64            rd_answered;     /* when the READ_FLASH answer left */

  /* Improv Serial in the app (glint-sim-improv.c) */
  gint              improv_mode;     /* option: -1 auto, 0 off, 1 on */
  GlintImprovDecoder *improv_rx;
  gint64            improv_time;     /* when the bytes being decoded arrived */
  guint8            improv_state;
  char             *improv_url;

  guint64           counters[GLINT_SIM_N_COUNTERS];
};

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

enum {
  SIGNAL_OUTPUT,
  SIGNAL_DISCONNECTED,
  N_SIGNALS
};

extern guint        _glint_sim_signals[N_SIGNALS];
extern GSourceFuncs _glint_sim_source_funcs;

/* the object (glint-sim.c) */
gint64    _glint_sim_scaled                 (GlintSim      *self,
                                             gdouble        us);
gint64    _glint_sim_strap_delay            (GlintSim      *self);
gint64    _glint_sim_wire_time              (GlintSim      *self,
                                             gsize          len,
                                             guint          baud);
void      _glint_sim_set_mode               (GlintSim      *self,
                                             GlintSimMode   mode);
void      _glint_sim_set_chip_baud          (GlintSim      *self,
                                             guint          baud);
gboolean  _glint_sim_in_loader              (GlintSim      *self);

/* the event queue, host and chip output (glint-sim-scheduler.c) */
void      _glint_sim_event_free             (Event         *ev);
void      _glint_sim_update_ready_time      (GlintSim      *self);
Event    *_glint_sim_push_event             (GlintSim      *self,
                                             gint64         due,
                                             EventKind      kind);
void      _glint_sim_send_text              (GlintSim      *self,
                                             gint64         t,
                                             const char    *text);
void      _glint_sim_send_bytes             (GlintSim      *self,
                                             gint64         t,
                                             const guint8  *data,
                                             gsize          len);
void      _glint_sim_send_frame             (GlintSim      *self,
                                             gint64         t,
                                             const guint8  *data,
                                             gsize          len);
void      _glint_sim_send_response          (GlintSim      *self,
                                             gint64         t,
                                             guint8         op,
                                             guint32        value,
                                             const guint8  *data,
                                             gsize          len,
                                             guint8         rom_error,
                                             guint16        stub_error);
void      _glint_sim_finish                 (GlintSim      *self,
                                             gint64         t,
                                             gdouble        dur_us,
                                             guint8         op,
                                             guint32        value,
                                             const guint8  *data,
                                             gsize          len,
                                             guint8         rom_error,
                                             guint16        stub_error);
void      _glint_sim_fail                   (GlintSim      *self,
                                             gint64         t,
                                             guint8         op,
                                             guint8         rom_error,
                                             guint16        stub_error);
gboolean  _glint_sim_run_events_cb          (gpointer       user_data);

/* link and flash faults (glint-sim-faults.c) */
gint64    _glint_sim_link_delay             (GlintSim      *self);
gboolean  _glint_sim_link_garbled           (GlintSim      *self);
GByteArray *_glint_sim_apply_faults           (GlintSim      *self,
                                               const guint8  *data,
                                               gsize          len,
                                               gboolean       garble);
gboolean  _glint_sim_flash_faulty           (GlintSim      *self);
gboolean  _glint_sim_cell_protected         (GlintSim      *self,
                                             guint32        addr);
guint8    _glint_sim_cell_stuck             (GlintSim      *self,
                                             guint32        addr);

/* registers, eFuse, reset and boot (glint-sim-chip.c) */
void      _glint_sim_init_rom_xtal          (GlintSim      *self);
const EfuseLayout *_glint_sim_efuse_layout    (GlintSim      *self);
gboolean  _glint_sim_parse_revision         (GlintSim      *self,
                                             const char    *value,
                                             gint          *out,
                                             GError       **error);
void      _glint_sim_init_registers         (GlintSim      *self);
guint32   _glint_sim_reg_read               (GlintSim      *self,
                                             guint32        addr);
void      _glint_sim_reg_write              (GlintSim      *self,
                                             guint32        addr,
                                             guint32        value,
                                             guint32        mask);
void      _glint_sim_end_sessions           (GlintSim      *self);
void      _glint_sim_chip_reset             (GlintSim      *self,
                                             gint64         t);
void      _glint_sim_app_tick               (GlintSim      *self,
                                             gint64         t);

/* what the board starts from its flash (glint-sim-boot.c) */
char     *_glint_sim_boot_from_flash        (GlintSim      *self,
                                             GString       *log,
                                             char         **project);
void      _glint_sim_schedule_boot          (GlintSim      *self,
                                             gint64         t,
                                             BootKind       kind);
void      _glint_sim_handle_boot            (GlintSim      *self,
                                             gint64         t,
                                             BootKind       kind);
void      _glint_sim_reset_into_app         (GlintSim      *self,
                                             gint64         t,
                                             BootKind       kind);
void      _glint_sim_go_dead                (GlintSim      *self);
void      _glint_sim_handle_lines           (GlintSim      *self,
                                             gint64         t,
                                             GlintLines     mask,
                                             GlintLines     values);

/* the flash model (glint-sim-flash.c) */
gsize     _glint_sim_real_size              (GlintSim      *self);
void      _glint_sim_cells_fold             (GlintSim      *self,
                                             gsize          offset,
                                             gsize          len);
const guint8 *_glint_sim_cells_read             (GlintSim      *self,
                                                 guint32        addr,
                                                 gsize          len);
gdouble   _glint_sim_erase_range            (GlintSim      *self,
                                             guint32        start,
                                             guint32        end);
gdouble   _glint_sim_ensure_erased          (GlintSim      *self,
                                             guint32        end);
gboolean  _glint_sim_program                (GlintSim      *self,
                                             gint64         t,
                                             guint32        offset,
                                             const guint8  *data,
                                             gsize          len,
                                             gdouble       *us);
void      _glint_sim_resize_flash           (GlintSim      *self,
                                             gsize          size);

/* Improv Serial in the app (glint-sim-improv.c) */
gboolean  _glint_sim_app_speaks_improv      (GlintSim      *self);
void      _glint_sim_improv_feed            (GlintSim      *self,
                                             gint64         t,
                                             const guint8  *data,
                                             gsize          len);
void      _glint_sim_improv_reset           (GlintSim      *self);
void      _glint_sim_improv_free            (GlintSim      *self);

/* the command handlers (glint-sim-commands.c) */
void      _glint_sim_handle_frame           (GlintSim      *self,
                                             gint64         t,
                                             const guint8  *frame,
                                             gsize          len);

G_END_DECLS
