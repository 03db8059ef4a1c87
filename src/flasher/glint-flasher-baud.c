/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "glint-error.h"
#include "glint-flasher-private.h"
#include "glint-link-timing.h"
#include "glint-stream.h"

/*
 * The automatic baud (GLINT_FLASHER_BAUD_AUTO): climb a list of rates that
 * suits the link, each step a CHANGE_BAUDRATE and then a short verified
 * exchange (the chip's magic register must read back as at detection);
 * the climb ends at the first rate that fails, and the job goes on at the
 * last one that worked.
 *
 * A chip that switched to a rate the link cannot carry cannot be told to
 * switch back, so falling back means resetting it into download mode
 * again, syncing at the boot rate, loading the stub again and switching
 * straight to the last good rate; after a failed first step in the ROM
 * (below) there is none, and the stub climbs again below the rate that
 * failed. Where the board cannot be reset (no DTR/RTS), that ends the job
 * with the advice to give a fixed rate.
 *
 * Which rates: the ones the stream says its link carries
 * (GlintStream:baud-rates), none where it cannot change the rate
 * (GlintStream:can-set-baud); the flasher does not look at the transport.
 * In short: the chip's own USB (Espressif's VID 303a) ignores the rate;
 * socket:// is a raw pipe to a bridge whose UART rate is fixed on the far
 * side; rfc2217:// from 230400, and a server that answers with a rate
 * other than the one asked ends the climb like a failed step; a local USB
 * adapter up to what its bridge is known to carry (FTDI 2 Mbaud, others
 * 921600), other local ports up to 921600; sim:// up to 2 Mbaud, or as the
 * USB adapter it is told it sits behind.
 * With a hint (a rate that worked before, glint_flasher_set_baud_hint())
 * only that rate is tried.
 *
 * Where the ROM can change its rate (not the ESP8266), and the stub is to
 * be loaded, the first step happens in the ROM (to the fastest candidate
 * up to 921600), so that the stub upload runs at it too. That step costs
 * two round trips (CHANGE_BAUDRATE and the verifying read), but spares the
 * stub its own steps up to that rate, two round trips each, and saves the
 * difference of the stub's wire time at the two rates; it is taken only
 * where that pays, judged with the loader's smoothed round trip. Climbing
 * a list it nearly always does; with a hint (one rate, one step either
 * way) over a slow remote link a small stub goes up at the boot rate.
 *
 * The ESP32, ESP32-C2 and ESP32-C5 ROMs need a crystal correction
 * (protocol.md §5 notes): the ESP32 ROM sets its divider from the crystal
 * it believes in, measured at boot against its drifting CK8M clock, and
 * really runs at requested × real / believed; the C2 ROM believes in 40
 * MHz on any board; the C5 ROM divides the crystal it expects (40 or 48
 * MHz, in a register), which need not be the board's.
 * Before their first ROM step one batch of register reads (one round trip
 * more, counted in the cost) gives the belief (glint_chip_rom_xtal_mhz()),
 * and every CHANGE_BAUDRATE to the ROM is scaled by it; the stub always
 * gets the exact rate. Where the belief cannot be read, or makes no sense,
 * the ROM takes no step and the stub climbs.
 */

#define MAX_CANDIDATES 8
#define ROM_STEP_MAX   921600

typedef struct
{
  GlintFlasherStep next;         /* the job's step after the climb */
  GlintFlasherStep rom_next;     /* the stub upload, after the ROM's step */
  GlintFlasherStep stub_ready;   /* the job's step once the stub runs */
  guint            candidates[MAX_CANDIDATES];
  guint            n_candidates;
  guint            index;
  guint            good;         /* the last rate verified */
  guint            trying;
  gboolean         in_rom;       /* the ROM's step, before the stub */
  gboolean         failed_in_rom;
  gboolean         recovering;   /* reset after a failed rate: straight to @good */
  gboolean         stop;         /* a rate failed: no more steps */
  gboolean         cut_short;    /* stopped where a step would not pay */
} AutoBaud;

/* The crystal the ROM believes in, read once per ROM session. */
typedef struct
{
  GlintFlasherStep next;
  gdouble          mhz;          /* 0: the exact rate (no figure, or none needed) */
} RomXtal;

static AutoBaud *
auto_baud (GTask *task)
{
  return _glint_flasher_task_state (task, "glint-auto-baud", sizeof (AutoBaud), g_free);
}

static RomXtal *
rom_xtal (GTask *task)
{
  return _glint_flasher_task_state (task, "glint-rom-xtal", sizeof (RomXtal), g_free);
}

static void
rom_xtal_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  RomXtal *rx = rom_xtal (task);
  g_autoptr(GError) error = NULL;
  g_autofree guint32 *values = NULL;

  if (_glint_flasher_job_is_over (task))
    return;

  values = glint_loader_read_regs_finish (GLINT_LOADER (object), result, &error);
  if (values == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED))
        {
          _glint_flasher_job_fail (task, g_steal_pointer (&error));
          return;
        }
      _glint_flasher_log (self, GLINT_LOG_DEBUG, "cannot read the crystal the ROM believes "
                          "in: %s", error->message);
      rx->next (task);
      return;
    }

  rx->mhz = glint_chip_rom_xtal_mhz (self->chip, values, glint_stream_get_baud (self->stream));
  if (rx->mhz == 0)
    {
      g_autoptr(GString) read = g_string_new (NULL);
      const guint32 *regs;
      guint n = 0;

      regs = glint_chip_get_rom_xtal_registers (self->chip, &n);
      for (guint i = 0; i < n; i++)
        g_string_append_printf (read, "%s0x%08x = 0x%08x", i > 0 ? ", " : "", regs[i],
                                values[i]);
      _glint_flasher_log (self, GLINT_LOG_DEBUG, "the crystal the ROM believes in makes no "
                          "sense (%s)", read->str);
    }
  else if (self->chip->xtal_fudge == GLINT_CHIP_XTAL_FUDGE_EXPECTED)
    _glint_flasher_log (self, GLINT_LOG_DEBUG, "the %s ROM expects %s crystal: its rates "
                        "are sent × %.4f", self->chip->display_name,
                        rx->mhz == 40 ? "the board's" : "another", rx->mhz / 40);
  else
    _glint_flasher_log (self, GLINT_LOG_DEBUG, "the %s ROM believes in a %.3f MHz crystal",
                        self->chip->display_name, rx->mhz);
  rx->next (task);
}

/**
 * _glint_flasher_read_rom_xtal:
 * @next: called once the figure is known, or known to be missing
 *
 * Reads, in one round trip, the crystal the ROM believes in, for every
 * CHANGE_BAUDRATE to the ROM that follows (_glint_flasher_rom_xtal_mhz()).
 * Nothing is read for chips whose ROM takes the exact rate, nor with the
 * stub running.
 */
void
_glint_flasher_read_rom_xtal (GTask            *task,
                              GlintFlasherStep  next)
{
  GlintFlasher *self = g_task_get_source_object (task);
  RomXtal *rx = rom_xtal (task);
  const guint32 *regs;
  guint n = 0;

  rx->next = next;
  rx->mhz = 0;
  regs = glint_chip_get_rom_xtal_registers (self->chip, &n);
  if (n == 0 || self->stub_running || _glint_flasher_secure_download (self))
    {
      next (task);
      return;
    }

  glint_loader_read_regs_async (self->loader, regs, n, g_task_get_cancellable (task),
                                rom_xtal_cb, task);
}

/**
 * _glint_flasher_rom_xtal_mhz:
 *
 * Returns: the figure for glint_chip_baud_to_send() while in the ROM, 0
 *   where it is not known (_glint_flasher_read_rom_xtal() not run, or it
 *   found nothing)
 */
gdouble
_glint_flasher_rom_xtal_mhz (GTask *task)
{
  return rom_xtal (task)->mhz;
}

/* Whether the ROM cannot be told the rate: it needs a correction and the
 * figure for it is missing. */
static gboolean
rom_xtal_missing (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);

  return self->chip->xtal_fudge != GLINT_CHIP_XTAL_FUDGE_NONE &&
         _glint_flasher_rom_xtal_mhz (task) == 0;
}

static void
set_candidates (AutoBaud    *ab,
                const guint *rates,
                guint        n)
{
  ab->n_candidates = MIN (n, (guint) MAX_CANDIDATES);
  for (guint i = 0; i < ab->n_candidates; i++)
    ab->candidates[i] = rates[i];
}

/* Whether the rate means anything on this link; if so, what to try. The
 * stream says what it carries (GlintStream:can-set-baud, :baud-rates). */
static gboolean
pick_candidates (GlintFlasher *self,
                 AutoBaud     *ab,
                 const char  **why_not)
{
  const guint *rates;
  guint n = 0;

  *why_not = NULL;
  if (self->usb_reset)
    {
      *why_not = "the chip's own USB ignores the baud rate";
      return FALSE;
    }

  rates = glint_stream_get_baud_rates (self->stream, &n);
  if (!glint_stream_get_can_set_baud (self->stream) || n == 0)
    {
      const GlintUsbIdentity *usb = glint_stream_get_usb_identity (self->stream);

      if (usb != NULL && glint_usb_identity_is_native (usb))
        *why_not = "the chip's own USB ignores the baud rate";
      else
        *why_not = "the link cannot change the far side's serial rate";
      return FALSE;
    }

  if (self->baud_hint > 0)
    {
      set_candidates (ab, &self->baud_hint, 1);
      return TRUE;
    }

  set_candidates (ab, rates, n);

  return TRUE;
}

static void climb (GTask *task);
static void recover (GTask *task, const char *why);

static void
settle (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  AutoBaud *ab = auto_baud (task);

  self->settled_baud = glint_stream_get_baud (self->stream);
  if (ab->in_rom)
    {
      ab->rom_next (task);
      return;
    }

  /* A climb cut short for want of data to send found no limit: what is
   * worth remembering is still the rate that worked before, if any. */
  if (ab->cut_short)
    {
      self->settled_baud = self->baud_hint;
      _glint_flasher_log (self, GLINT_LOG_INFO, _("running at %u baud (faster would not pay "
                                                  "for so little data)"),
                          glint_stream_get_baud (self->stream));
      ab->next (task);
      return;
    }

  _glint_flasher_log (self, GLINT_LOG_INFO, _("running at %u baud (the fastest that worked)"),
                      self->settled_baud);
  ab->next (task);
}

static void
verify_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  AutoBaud *ab = auto_baud (task);
  g_autoptr(GError) error = NULL;
  g_autofree guint32 *values = NULL;
  g_autofree char *why = NULL;

  if (_glint_flasher_job_is_over (task))
    return;

  values = glint_loader_read_regs_finish (GLINT_LOADER (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED))
    {
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }

  if (values == NULL)
    why = g_strdup (error->message);
  else if (values[0] != _glint_flasher_detected_magic (task))
    why = g_strdup_printf ("the magic register read 0x%08x instead of 0x%08x", values[0],
                           _glint_flasher_detected_magic (task));

  if (why != NULL)
    {
      recover (task, why);
      return;
    }

  _glint_flasher_log (self, GLINT_LOG_DEBUG, "%u baud works", ab->trying);
  ab->good = ab->trying;
  ab->index++;
  if (ab->in_rom || ab->recovering)
    ab->stop = TRUE;
  climb (task);
}

static void
host_baud_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  guint32 magic_reg = GLINT_CHIP_DETECT_MAGIC_REG;

  if (_glint_flasher_job_is_over (task))
    return;

  /* A server that set another rate, or an adapter that refused it: the
   * chip is at the new rate already, so this is a failed step. */
  if (!glint_stream_set_baud_finish (GLINT_STREAM (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          _glint_flasher_job_fail (task, g_steal_pointer (&error));
          return;
        }
      recover (task, error->message);
      return;
    }

  glint_loader_read_regs_async (self->loader, &magic_reg, 1, g_task_get_cancellable (task),
                                verify_cb, task);
}

static void
change_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  AutoBaud *ab = auto_baud (task);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = glint_loader_command_finish (GLINT_LOADER (object), result, NULL, &error);
  if (reply == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED))
        {
          _glint_flasher_job_fail (task, g_steal_pointer (&error));
          return;
        }
      /* The chip refused (it stays at the old rate) or its answer was
       * lost (it may have switched): only a reset tells for sure. */
      recover (task, error->message);
      return;
    }

  /* The chip answered at the old rate and has switched (§5 notes). */
  glint_stream_set_baud_async (self->stream, ab->trying, g_task_get_cancellable (task),
                               host_baud_cb, task);
}

/* Whether a step from @from to @to pays where the flash job knows how
 * much it will send (a reflash from the record): the step costs two round
 * trips (CHANGE_BAUDRATE, the verifying read) and the host's own switch,
 * and saves the wire time of the data at the faster rate (2:1 compression
 * assumed). Where nothing is known, every step is taken. */
#define STEP_HOST_US 5000

static gboolean
step_pays (GlintFlasher *self,
           guint         from,
           guint         to)
{
  guint64 sent = self->planned_bytes / 2;
  gint64 rtt = glint_link_timing_get_srtt (glint_loader_get_timing (self->loader));
  gint64 saved;

  if (!self->planned_known)
    return TRUE;

  saved = glint_link_timing_wire_time (sent, from) - glint_link_timing_wire_time (sent, to);
  return saved > 2 * rtt + STEP_HOST_US;
}

/* The next rate up, or the end of the climb. */
static void
climb (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  AutoBaud *ab = auto_baud (task);
  guint current = glint_stream_get_baud (self->stream);

  while (!ab->stop && ab->index < ab->n_candidates && ab->candidates[ab->index] <= current)
    ab->index++;

  if (ab->stop || ab->index >= ab->n_candidates)
    {
      settle (task);
      return;
    }

  ab->trying = ab->candidates[ab->index];
  if (!ab->in_rom && !ab->recovering && !step_pays (self, current, ab->trying))
    {
      _glint_flasher_log (self, GLINT_LOG_DEBUG, "no step to %u baud: %" G_GUINT64_FORMAT
                          " bytes to write save less time than the step takes", ab->trying,
                          self->planned_bytes);
      ab->cut_short = TRUE;
      settle (task);
      return;
    }

  _glint_flasher_set_state (self, GLINT_FLASHER_STATE_CHANGING_BAUD);
  _glint_flasher_log (self, GLINT_LOG_DEBUG, "trying %u baud%s", ab->trying,
                      self->stub_running ? "" : " (ROM)");
  glint_loader_change_baudrate_async (self->loader,
                                      glint_chip_baud_to_send (self->chip, ab->trying,
                                                               self->stub_running
                                                               ? 0
                                                               : _glint_flasher_rom_xtal_mhz (task),
                                                               self->stub_running),
                                      self->stub_running ? current : 0, self->stub_running,
                                      g_task_get_cancellable (task), change_cb, task);
}

/* After the reset: the stub runs again at the boot rate; one step to the
 * last good rate, and no further. */
static void
recovered_climb (GTask *task)
{
  AutoBaud *ab = auto_baud (task);
  GlintFlasher *self = g_task_get_source_object (task);

  ab->stop = FALSE;
  ab->candidates[0] = ab->good;
  ab->n_candidates = ab->good > 0 ? 1 : 0;
  ab->index = 0;
  if (!self->stub_running && rom_xtal_missing (task))
    ab->n_candidates = 0;
  climb (task);
}

static void
recovered_stub_ready (GTask *task)
{
  /* Without a stub the ROM climbs again, and the reset made it measure
   * its crystal again. */
  _glint_flasher_read_rom_xtal (task, recovered_climb);
}

static void
recovered_connected (GTask *task)
{
  AutoBaud *ab = auto_baud (task);

  /* The ROM's step failed: the job's own course, whose climb starts
   * again at the boot rate. */
  if (ab->failed_in_rom)
    _glint_flasher_start_stub (task, ab->stub_ready);
  else
    _glint_flasher_start_stub (task, recovered_stub_ready);
}

static void
recover_baud_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!glint_stream_set_baud_finish (GLINT_STREAM (object), result, &error))
    {
      g_prefix_error (&error, _("going back to the boot rate: "));
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }

  _glint_flasher_connect (task, recovered_connected);
}

static void
recover (GTask      *task,
         const char *why)
{
  GlintFlasher *self = g_task_get_source_object (task);
  AutoBaud *ab = auto_baud (task);
  guint good = ab->good;

  if (ab->recovering || self->no_reset || !glint_stream_get_can_control_lines (self->stream))
    {
      _glint_flasher_job_fail (task, g_error_new (GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED,
                                                  _("the link failed at %u baud (%s), and the "
                                                  "board cannot be reset from here to fall "
                                                  "back: reset it into download mode and try "
                                                  "again with a fixed rate (e.g. %u)"),
                                                  ab->trying, why, MAX (good, 115200u)));
      return;
    }

  _glint_flasher_log (self, GLINT_LOG_INFO, _("%u baud failed (%s): falling back to %u baud"),
                      ab->trying, why, good != 0 ? good : self->boot_baud);
  ab->stop = TRUE;
  ab->recovering = TRUE;
  ab->failed_in_rom = ab->in_rom;
  ab->in_rom = FALSE;
  glint_stream_set_baud_async (self->stream, self->boot_baud, g_task_get_cancellable (task),
                               recover_baud_cb, task);
}

/* The ROM climbs without a stub: only with its crystal known. */
static void
rom_climb (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);

  if (rom_xtal_missing (task))
    {
      self->settled_baud = glint_stream_get_baud (self->stream);
      _glint_flasher_log (self, GLINT_LOG_INFO, _("staying at %u baud: %s"), self->settled_baud,
                          "the crystal the ROM believes in cannot be read");
      auto_baud (task)->next (task);
      return;
    }

  climb (task);
}

/**
 * _glint_flasher_auto_baud:
 * @next: called at the settled rate
 *
 * The stub's climb (or, where there is no stub, the ROM's).
 */
void
_glint_flasher_auto_baud (GTask            *task,
                          GlintFlasherStep  next)
{
  GlintFlasher *self = g_task_get_source_object (task);
  AutoBaud *ab = auto_baud (task);
  const char *why_not = NULL;

  ab->next = next;
  ab->in_rom = FALSE;
  if (ab->recovering)
    {
      guint n = 0;

      /* The ROM's step failed and the board was reset, so no rate has
       * worked yet: the stub climbs from the boot rate, below the one
       * that failed (a later failure resets once more, to the last good). */
      for (guint i = 0; i < ab->n_candidates; i++)
        if (ab->candidates[i] < ab->trying)
          ab->candidates[n++] = ab->candidates[i];
      ab->n_candidates = n;
      ab->recovering = FALSE;
      ab->failed_in_rom = FALSE;
      ab->stop = FALSE;
      ab->index = 0;
      climb (task);
      return;
    }

  ab->stop = FALSE;
  if (ab->n_candidates == 0 && !pick_candidates (self, ab, &why_not))
    {
      self->settled_baud = glint_stream_get_baud (self->stream);
      _glint_flasher_log (self, GLINT_LOG_INFO, _("staying at %u baud: %s"), self->settled_baud,
                          why_not);
      next (task);
      return;
    }

  if (!self->stub_running && !glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_CHANGE_BAUDRATE))
    {
      self->settled_baud = glint_stream_get_baud (self->stream);
      _glint_flasher_log (self, GLINT_LOG_INFO, _("the %s ROM cannot change speed: staying "
                                                     "at %u baud"), self->chip->display_name,
                          self->settled_baud);
      next (task);
      return;
    }

  if (!self->stub_running && self->chip->xtal_fudge != GLINT_CHIP_XTAL_FUDGE_NONE)
    {
      _glint_flasher_read_rom_xtal (task, rom_climb);
      return;
    }

  climb (task);
}

/* Whether the ROM's step to the candidate @index pays; if not, why. It
 * costs @round_trips (at the smoothed round trip), but spares the stub
 * its own steps up to that rate, two round trips each (CHANGE_BAUDRATE
 * and the verifying read), and it saves the stub's wire time at the boot
 * rate less that at the new one. */
static gboolean
rom_step_pays (GlintFlasher  *self,
               AutoBaud      *ab,
               guint          index,
               gsize          stub_bytes,
               guint          round_trips,
               char         **why_not)
{
  gint64 rtt = glint_link_timing_get_srtt (glint_loader_get_timing (self->loader));
  guint current = glint_stream_get_baud (self->stream);
  guint rate = ab->candidates[index];
  gint spared = 0;
  gint64 saved, cost;

  for (guint i = 0; i <= index; i++)
    if (ab->candidates[i] > current && ab->candidates[i] <= rate)
      spared += 2;

  /* SLIP's escapes and the frames' headers are left out: a few %. */
  saved = glint_link_timing_wire_time (stub_bytes, current) -
          glint_link_timing_wire_time (stub_bytes, rate);
  cost = ((gint64) round_trips - spared) * rtt;
  if (saved > cost)
    return TRUE;

  *why_not = g_strdup_printf ("%u round trips less the %d it spares the stub cost %"
                              G_GINT64_FORMAT " ms, more than the %" G_GINT64_FORMAT " ms it "
                              "saves on the stub's %" G_GSIZE_FORMAT " bytes", round_trips,
                              spared, cost / 1000, saved / 1000, stub_bytes);
  return FALSE;
}

/* Back from reading the ROM's crystal before its step. */
static void
rom_step_xtal_read (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  AutoBaud *ab = auto_baud (task);

  if (rom_xtal_missing (task))
    {
      _glint_flasher_log (self, GLINT_LOG_DEBUG, "no ROM step: the %s ROM's crystal is not "
                          "known, the stub makes the first step", self->chip->display_name);
      ab->in_rom = FALSE;
      ab->index = 0;
      ab->rom_next (task);
      return;
    }

  climb (task);
}

/**
 * _glint_flasher_rom_can_step:
 *
 * Returns: whether, with the automatic baud, the ROM takes the first step
 *   (so that a stub would go up faster than at the boot rate)
 */
gboolean
_glint_flasher_rom_can_step (GlintFlasher *self)
{
  /* (the ESP32's, C2's and C5's with the crystal correction, when it reads) */
  return !self->usb_reset && glint_stream_get_can_set_baud (self->stream) &&
         glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_CHANGE_BAUDRATE);
}

/**
 * _glint_flasher_auto_baud_rom:
 * @stub_bytes: the stub's text and data, to weigh the step's round trips
 * @next: called with the ROM at a faster rate, or as it was
 * @stub_ready: the job's step once the stub runs (after a failed step)
 *
 * The ROM's first step, before the stub upload, where it can take it and
 * it pays.
 */
void
_glint_flasher_auto_baud_rom (GTask            *task,
                              gsize             stub_bytes,
                              GlintFlasherStep  next,
                              GlintFlasherStep  stub_ready)
{
  GlintFlasher *self = g_task_get_source_object (task);
  AutoBaud *ab = auto_baud (task);
  const char *why_not = NULL;
  g_autofree char *no_pay = NULL;
  gboolean fudge = self->chip->xtal_fudge != GLINT_CHIP_XTAL_FUDGE_NONE;
  guint index = 0;

  if (self->baud != GLINT_FLASHER_BAUD_AUTO || ab->recovering || self->stub_running ||
      !glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_CHANGE_BAUDRATE) ||
      !pick_candidates (self, ab, &why_not))
    {
      next (task);
      return;
    }

  /* One step only, to the fastest candidate up to 921600 (a rate every
   * ROM UART takes): the stub climbs the rest. */
  while (index + 1 < ab->n_candidates && ab->candidates[index + 1] <= ROM_STEP_MAX)
    index++;

  /* CHANGE_BAUDRATE and the verifying read; the crystal's read too. */
  if (!rom_step_pays (self, ab, index, stub_bytes, fudge ? 3 : 2, &no_pay))
    {
      _glint_flasher_log (self, GLINT_LOG_DEBUG, "no ROM step to %u baud: %s",
                          ab->candidates[index], no_pay);
      next (task);
      return;
    }

  ab->rom_next = next;
  ab->stub_ready = stub_ready;
  ab->in_rom = TRUE;
  ab->stop = FALSE;
  ab->index = index;
  if (fudge)
    {
      _glint_flasher_read_rom_xtal (task, rom_step_xtal_read);
      return;
    }

  climb (task);
}
