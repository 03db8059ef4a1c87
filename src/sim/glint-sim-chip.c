/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>
#include <string.h>

#include "glint-sim-private.h"

/* GlintSim's chip: registers, eFuse, the ESP32 ROM's crystal belief, reset
 * and boot. */

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
void
_glint_sim_init_rom_xtal (GlintSim *self)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (self->seed * 2654435761u + 0xC8A1);
  guint32 drawn, ck8m, cali_val;
  gdouble drift, target;

  self->rom_xtal_hz = 0;

  /* The C5 ROM divides the crystal it expects (option rom-xtal-expect),
   * which may not be the board's: it then runs at asked × real / expected. */
  if (self->chip->xtal_freq_reg != 0 && self->rom_xtal_expect != 0 &&
      self->rom_xtal_expect * 1000000u != self->chip->uart_clk_hz)
    self->rom_xtal_hz = self->rom_xtal_expect * 1e6;

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

const EfuseLayout *
_glint_sim_efuse_layout (GlintSim *self)
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
  const EfuseLayout *l = _glint_sim_efuse_layout (self);
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
      efuse_set (self, ESP32_EFUSE_WORD6, 6, 1,
                 (self->security_flags & GLINT_CHIP_HARD_DIS_JTAG) != 0);
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
gboolean
_glint_sim_parse_revision (GlintSim    *self,
                           const char  *value,
                           gint        *out,
                           GError     **error)
{
  const EfuseLayout *l = _glint_sim_efuse_layout (self);
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
                   "sim option revision: “%s” is not MAJOR.MINOR within what %s's eFuse "
                   "holds (e.g. 3.1)", value, self->chip->name);
      return FALSE;
    }

  *out = (gint) (major * 100 + minor);
  return TRUE;
}

void
_glint_sim_init_registers (GlintSim *self)
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

  _glint_sim_init_rom_xtal (self);
  init_efuse (self);
}

guint32
_glint_sim_reg_read (GlintSim *self,
                     guint32   addr)
{
  if (addr == self->chip->uart_clkdiv_reg)
    return (guint32) ((self->chip->uart_clk_hz + self->chip_baud / 2) / self->chip_baud) & 0xFFFFF;
  if (addr != 0 && addr == self->chip->xtal_freq_reg)
    return (self->rom_xtal_expect != 0 ? self->rom_xtal_expect
                                       : self->chip->uart_clk_hz / 1000000) << 24;

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->regs, GUINT_TO_POINTER (addr)));
}

static guint32
jedec_id (GlintSim *self)
{
  guint cap = 0x14;   /* 1 MiB */

  for (gsize s = self->flash_size; s > 1024 * 1024; s >>= 1)
    cap++;

  /* Winbond W25Q-style: manufacturer 0xEF, memory type 0x40; from 512
   * Mbit on Winbond counts on from 0x20 (W25Q512JV: EF 40 20, W25Q01JV:
   * EF 40 21), which esptool takes as well (protocol.md §5.2) */
  if (cap > 0x19)
    cap = 0x20 + (cap - 0x1A);

  return 0xEF | (0x40 << 8) | (cap << 16);
}

/* The flash's SFDP table (JESD216, read with 0x5A, a 24-bit address and 8
 * dummy cycles): the "SFDP" signature, one parameter header and the basic
 * flash parameter table, whose second word is the density in bits − 1.
 * esptool reads its first word to see that a flash answers. */
static guint32
sfdp_word (GlintSim *self,
           guint32   offset)
{
  switch (offset & ~3u)
    {
    case 0x00:
      return 0x50444653;            /* "SFDP" */
    case 0x04:
      return 0xFF000106;            /* rev 1.6, one parameter header */
    case 0x08:
      return 0x10010600;            /* BFPT: rev 1.6, 16 words */
    case 0x0C:
      return 0xFF000080;            /* at 0x80 */
    case 0x80:
      return 0xFFF120E5;            /* 4 KiB erase with 0x20, 3- or 4-byte addresses */
    case 0x84:
      return (guint32) (self->flash_size * 8 - 1);
    default:
      return 0xFFFFFFFF;
    }
}

void
_glint_sim_reg_write (GlintSim *self,
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
      guint32 usr2 = _glint_sim_reg_read (self, chip->spi_base + chip->usr_offs + 8);
      guint32 w0 = 0;

      if ((usr2 & 0xFF) == 0x9F)
        {
          w0 = jedec_id (self);
        }
      else if ((usr2 & 0xFF) == 0x5A)
        {
          /* the 24-bit address in the register's high bits, or (C3 and
           * later RISC-V chips) in its low ones */
          guint32 addr_reg = _glint_sim_reg_read (self, chip->spi_base + 4);

          w0 = sfdp_word (self, chip->spi_addr_lsb ? addr_reg : addr_reg >> 8);
        }
      g_hash_table_insert (self->regs, GUINT_TO_POINTER (chip->spi_base + chip->w0_offs),
                           GUINT_TO_POINTER (w0));
      g_hash_table_insert (self->regs, GUINT_TO_POINTER (addr),
                           GUINT_TO_POINTER (value & ~(1u << 18)));
    }
}

void
_glint_sim_end_sessions (GlintSim *self)
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
void
_glint_sim_chip_reset (GlintSim *self,
                       gint64    t)
{
  self->gen++;
  self->counters[GLINT_SIM_COUNTER_RESETS]++;
  _glint_sim_set_mode (self, GLINT_SIM_MODE_RESET);
  _glint_sim_set_chip_baud (self, BOOT_BAUD);
  self->autobaud = TRUE;
  glint_slip_decoder_reset (self->rx);
  g_queue_clear_full (&self->pending, (GDestroyNotify) g_bytes_unref);
  self->cpu_scheduled = FALSE;
  self->cpu_busy_until = t;
  self->cpu_holds_frame = FALSE;
  self->rom_last_op = 0;
  self->rom_last_value = 0;
  self->mem_active = FALSE;
  g_array_set_size (self->ram_loaded, 0);
  _glint_sim_end_sessions (self);
  _glint_sim_improv_reset (self);
}

static void
boot_rom (GlintSim   *self,
          gint64      t,
          const char *reset_reason)
{
  g_autofree char *log = NULL;

  _glint_sim_set_mode (self, GLINT_SIM_MODE_ROM);
  log = g_strdup_printf ("%s\r\n\r\n"
                         "rst:%s,boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\n"
                         "waiting for download\r\n",
                         self->chip->rom_banner, reset_reason);
  _glint_sim_send_text (self, t, log);
}

static void
boot_app (GlintSim   *self,
          gint64      t,
          const char *reset_reason)
{
  g_autoptr(GString) log = g_string_new (NULL);
  gint64 interval;
  Event *ev;

  _glint_sim_set_mode (self, GLINT_SIM_MODE_APP);
  self->app_ticks = 0;

  if (reset_reason != NULL)
    g_string_append_printf (log, "%s\r\n\r\nrst:%s,boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n",
                            self->chip->rom_banner, reset_reason);

  g_clear_pointer (&self->app_failure, g_free);
  g_clear_pointer (&self->app_project, g_free);
  self->app_failure = _glint_sim_boot_from_flash (self, log, &self->app_project);

  _glint_sim_send_text (self, t, log->str);

  /* Never tick faster than every 10 ms of real time, even at time-scale 0. */
  interval = MAX (_glint_sim_scaled (self, APP_TICK_US), MIN_APP_TICK_US);
  ev = _glint_sim_push_event (self, t + interval, EV_APP_TICK);
  ev->gen = self->gen;
}

void
_glint_sim_app_tick (GlintSim *self,
                     gint64    t)
{
  g_autofree char *line = NULL;
  gint64 interval;
  Event *ev;

  self->app_ticks++;
  /* A board that cannot start an app says so again and again, as the
   * ROM or the bootloader of a real one does after each reset. */
  if (self->app_failure != NULL)
    line = g_strdup (self->app_failure);
  else
    line = g_strdup_printf ("I (%u) %s: hello from the demo board, uptime %u s\r\n",
                            250 + self->app_ticks * 1000,
                            self->app_project != NULL ? self->app_project : "app",
                            self->app_ticks);
  _glint_sim_send_text (self, t, line);

  interval = MAX (_glint_sim_scaled (self, APP_TICK_US), MIN_APP_TICK_US);
  ev = _glint_sim_push_event (self, t + interval, EV_APP_TICK);
  ev->gen = self->gen;
}

void
_glint_sim_schedule_boot (GlintSim *self,
                          gint64    t,
                          BootKind  kind)
{
  Event *ev = _glint_sim_push_event (self, t, EV_BOOT);

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

void
_glint_sim_handle_boot (GlintSim *self,
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
      _glint_sim_set_chip_baud (self, BOOT_BAUD);
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
      if (io0_low (self->lines) || self->jtag_download ||
          (self->boot_download && !self->powered_on))
        boot_rom (self, t, "0x1 (POWERON_RESET)");
      else
        boot_app (self, t, "0x1 (POWERON_RESET)");
      self->jtag_download = FALSE;
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
void
_glint_sim_reset_into_app (GlintSim *self,
                           gint64    t,
                           BootKind  kind)
{
  _glint_sim_chip_reset (self, t);
  _glint_sim_schedule_boot (self, t + _glint_sim_strap_delay (self), kind);
}

void
_glint_sim_go_dead (GlintSim *self)
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
          _glint_sim_event_free (ev);
          g_queue_delete_link (&self->events, l);
        }
      l = next;
    }
  _glint_sim_update_ready_time (self);

  _glint_sim_end_sessions (self);
  g_queue_clear_full (&self->pending, (GDestroyNotify) g_bytes_unref);
  _glint_sim_set_mode (self, GLINT_SIM_MODE_DEAD);
  g_signal_emit (self, _glint_sim_signals[SIGNAL_DISCONNECTED], 0);
}

void
_glint_sim_handle_lines (GlintSim   *self,
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
  if (self->usb_jtag && io0_low (self->lines))
    self->jtag_download = TRUE;

  /* An EN pulse also revives a chip whose link died (DEAD). */
  is_low = en_low (self->lines);
  if (!was_low && is_low)
    {
      _glint_sim_chip_reset (self, t);
    }
  else if (was_low && !is_low)
    {
      _glint_sim_schedule_boot (self, t + _glint_sim_strap_delay (self), BOOT_STRAP);
    }
}
