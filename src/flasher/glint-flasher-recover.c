/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "glint-error.h"
#include "glint-flasher-private.h"
#include "glint-port-monitor.h"
#include "glint-serial-stream.h"
#include "glint-stream.h"
#include "glint-stream-address.h"

/*
 * Recovery: a job that has found its chip does not end on a lost link, a
 * missing or damaged answer, or a chip that reset under it. It says so
 * (GlintFlasher::reconnecting), waits a little, opens a new stream to the
 * same address where the old one is gone (a closed GlintStream cannot be
 * opened again), connects as at the start (first a SYNC alone, since the
 * stub may still be running; then resets where the link has DTR/RTS),
 * checks by its MAC that the same chip answered, and hands the job back to
 * its resume step, which finds out by MD5 what is already done
 * (architecture.md, "Recovery"). On the old link, where it still carries
 * and nothing reset the chip, the SYNC is all it asks (see
 * recover_connected ()).
 *
 * Where recovery cannot work it is not tried: a chip that reset and booted
 * its application cannot be put back into download mode over a link
 * without DTR/RTS.
 */

#define RECOVER_ATTEMPTS  5     /* per lost link */
#define RECOVER_LOSSES    10    /* per job: more and the link is not fit to flash over */
/* ... but a link that loses an answer now and then and carries the rest is
 * fit: every so many answers since the last loss take one loss back */
#define LOSS_CREDIT_ANSWERS 30

/* back-off before each attempt, in ms */
static const guint backoff_ms[RECOVER_ATTEMPTS] = { 500, 1000, 2000, 4000, 4000 };

typedef enum
{
  PHASE_IDLE,          /* the job runs */
  PHASE_WAITING,       /* the back-off before an attempt */
  PHASE_OPENING,       /* a new stream is being opened */
  PHASE_CONNECTING,    /* connect and detect, as at the start */
} Phase;

typedef struct
{
  GlintFlasherStep  resume;
  Phase             phase;
  guint             attempt;        /* of the current loss, from 1 */
  guint             losses;         /* lost links this job (see LOSS_CREDIT_ANSWERS) */
  gconstpointer     mark_loader;    /* the loader after the last recovery (not a ref) */
  guint             mark_answers;   /* ... and its answers then */
  gboolean          have_mac;
  guint32           mac_words[GLINT_CHIP_MAX_MAC_REGS];
  guint             n_mac;
  char             *cause;          /* the first error of the current loss */
  guint             timer;
  gboolean          reset_seen;     /* a boot log came: the job fails soon */
  gboolean          had_stub;       /* the stub ran when the link was lost */
  gboolean          began_dead;     /* ... and the loss was a closed connection */
  gboolean          reopened;       /* this loss opened a new stream */
  guint             loss_resets;    /* the flasher's resets_sent when it began */
  gboolean          kept;           /* the last recovery found the chip as it was */
  gboolean          mac_asked_again; /* the MAC differed once */
  GError           *held;           /* a reset's failure, until its boot log is complete */
  gulong            cancelled_id;
  GCancellable     *cancellable;
} RecoverState;

static void
recover_state_free (gpointer data)
{
  RecoverState *rs = data;

  g_clear_handle_id (&rs->timer, g_source_remove);
  if (rs->cancellable != NULL)
    g_cancellable_disconnect (rs->cancellable, rs->cancelled_id);
  g_clear_object (&rs->cancellable);
  g_clear_error (&rs->held);
  g_free (rs->cause);
  g_free (rs);
}

static RecoverState *
recover_state (GTask *task)
{
  return _glint_flasher_task_state (task, "glint-recover", sizeof (RecoverState),
                                    recover_state_free);
}

/* An overdue answer is checked by reading a MAC word behind its command:
 * a lost answer then costs a round trip, not the command's whole budget
 * and the late wait (protocol.md §7.3). With the words' values, read twice
 * alike at detection, a READ_REG is probed too: the probe's answer is told
 * by its value. Not while reconnecting (@with_values FALSE): another board
 * may answer there, with other values. */
static void
probe_with_mac (GlintFlasher *self,
                gboolean      with_values)
{
  const guint32 *regs;
  guint n_regs = 0;

  if (self->loader == NULL || self->chip == NULL)
    return;
  regs = glint_chip_get_mac_registers (self->chip, &n_regs);
  with_values = with_values && self->ident_known && self->mac_confirmed;
  glint_loader_set_probe_registers (self->loader, regs,
                                    with_values ? _glint_flasher_detected_mac_words (self) : NULL,
                                    n_regs);
}

/**
 * _glint_flasher_set_resume:
 * @resume: the job's step that carries on after a recovery
 *
 * From now on the job recovers from a lost link instead of failing; the
 * chip's MAC (read at detection) is what a reconnect must find again.
 */
void
_glint_flasher_set_resume (GTask            *task,
                           GlintFlasherStep  resume)
{
  GlintFlasher *self = g_task_get_source_object (task);
  RecoverState *rs = recover_state (task);

  rs->resume = resume;
  g_string_truncate (self->chip_text, 0);
  probe_with_mac (self, TRUE);
  /* (only a MAC read alike twice: a damaged one would make the same
   * chip another after a reconnect) */
  if (self->ident_known && self->mac_confirmed && !rs->have_mac)
    {
      const guint32 *words = _glint_flasher_detected_mac_words (self);

      glint_chip_get_mac_registers (self->chip, &rs->n_mac);
      rs->n_mac = MIN (rs->n_mac, (guint) G_N_ELEMENTS (rs->mac_words));
      memcpy (rs->mac_words, words, rs->n_mac * sizeof (guint32));
      rs->have_mac = TRUE;
    }
}

/**
 * _glint_flasher_job_epoch:
 *
 * Returns: how many recoveries the job has started: an answer to a
 *   command sent before the last one belongs to a link that is gone
 */
guint
_glint_flasher_job_epoch (GTask *task)
{
  return GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (task), "glint-epoch"));
}

/* What can be recovered from: the link, not the chip or the plan. */
static gboolean
is_link_fault (const GError *error)
{
  return g_error_matches (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED) ||
         g_error_matches (error, GLINT_ERROR, GLINT_ERROR_TIMEOUT) ||
         g_error_matches (error, GLINT_ERROR, GLINT_ERROR_CHIP_RESET) ||
         g_error_matches (error, GLINT_ERROR, GLINT_ERROR_INVALID_RESPONSE) ||
         g_error_matches (error, GLINT_ERROR, GLINT_ERROR_PROTOCOL) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

/* What the chip printed says it reset (brown-out, watchdog): a boot log. */
static gboolean
log_says_reset (const char *log)
{
  return strstr (log, "rst:") != NULL || strstr (log, "boot:") != NULL ||
         strstr (log, "ets ") != NULL;
}

static void recover_attempt (GTask *task);

static void
recover_stop_waiting (RecoverState *rs)
{
  g_clear_handle_id (&rs->timer, g_source_remove);
  if (rs->cancellable != NULL && rs->cancelled_id != 0)
    g_cancellable_disconnect (rs->cancellable, rs->cancelled_id);
  rs->cancelled_id = 0;
  g_clear_object (&rs->cancellable);
}

static gboolean
recover_cancelled_idle_cb (gpointer user_data)
{
  GTask *task = user_data;
  RecoverState *rs = recover_state (task);

  if (rs->phase == PHASE_WAITING && !_glint_flasher_job_is_over (task))
    {
      recover_stop_waiting (rs);
      rs->phase = PHASE_IDLE;
      _glint_flasher_job_fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                          _("cancelled")));
    }
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
recover_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  /* not from inside g_cancellable_cancel () */
  g_idle_add (recover_cancelled_idle_cb, g_object_ref (user_data));
}

static gboolean
recover_timer_cb (gpointer user_data)
{
  GTask *task = user_data;
  RecoverState *rs = recover_state (task);

  rs->timer = 0;
  recover_stop_waiting (rs);
  recover_attempt (task);
  return G_SOURCE_REMOVE;
}

static void
recover_connected (GTask *task);

static void
recover_detected (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  RecoverState *rs = recover_state (task);

  /* Another board on the same address (a swapped cable, a server now
   * serving another port): nothing more is written to it. */
  if (rs->have_mac && self->ident_known)
    {
      const guint32 *words = _glint_flasher_detected_mac_words (self);

      /* (a damaged answer reads as another MAC: asked once more first) */
      if (memcmp (words, rs->mac_words, rs->n_mac * sizeof (guint32)) != 0 &&
          !rs->mac_asked_again)
        {
          rs->mac_asked_again = TRUE;
          _glint_flasher_detect (task, recover_detected);
          return;
        }
      if (memcmp (words, rs->mac_words, rs->n_mac * sizeof (guint32)) != 0)
        {
          rs->phase = PHASE_IDLE;
          rs->resume = NULL;
          _glint_flasher_job_fail (task,
                                   g_error_new (GLINT_ERROR, GLINT_ERROR_WRONG_CHIP,
                                                _("after reconnecting, another chip answered "
                                                  "(its MAC differs): nothing more was written; "
                                                  "connect the board the job started on and "
                                                  "flash again")));
          return;
        }
    }

  rs->phase = PHASE_IDLE;
  rs->attempt = 0;
  rs->mac_asked_again = FALSE;
  g_clear_pointer (&rs->cause, g_free);
  self->chip_reset = FALSE;
  g_string_truncate (self->chip_text, 0);
  self->recoveries++;
  _glint_flasher_notify_recoveries (self);
  probe_with_mac (self, TRUE);
  rs->mark_loader = self->loader;
  rs->mark_answers = self->loader != NULL ? glint_loader_get_round_trips (self->loader) : 0;
  _glint_flasher_log (self, GLINT_LOG_NOTICE, _("reconnected: resuming (%s)"),
                      self->stub_running ? _("the flasher stub was still running") :
                      rs->had_stub ? _("the chip was reset") :
                                     _("the ROM loader answered"));
  rs->resume (task);
}

/* The same link, never dropped; no reset sent (DTR/RTS) or seen (a boot
 * log); and the chip answers SYNC as it did at the loss: the stub with 0,
 * which a reset chip's ROM never does (protocol.md §3.1). Then it is the
 * chip detection found, with the same eFuse and MAC, and a stub that ran
 * on keeps its attached flash and parameters: detection is not asked
 * again (protocol.md §7.3). */
static gboolean
chip_kept (GlintFlasher *self,
           RecoverState *rs)
{
  return !rs->reopened && !rs->began_dead && !self->link_dead && !self->chip_reset &&
         !log_says_reset (self->chip_text->str) &&
         self->resets_sent == rs->loss_resets && self->stub_running == rs->had_stub &&
         rs->have_mac && self->ident_known && self->mac_confirmed;
}

static void
recover_connected (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  RecoverState *rs = recover_state (task);

  rs->kept = chip_kept (self, rs);
  if (rs->kept)
    {
      _glint_flasher_log (self, GLINT_LOG_DEBUG,
                          "the link carried on and nothing reset the chip: not detected again");
      recover_detected (task);
      return;
    }
  _glint_flasher_detect (task, recover_detected);
}

/**
 * _glint_flasher_stub_kept:
 *
 * Returns: whether the last recovery found the stub running on, as it was
 *   at the loss (nothing reset the chip, see chip_kept ()): it keeps what
 *   it was told (SPI_ATTACH, SPI_SET_PARAMS)
 */
gboolean
_glint_flasher_stub_kept (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  RecoverState *rs = g_object_get_data (G_OBJECT (task), "glint-recover");

  return rs != NULL && rs->kept && rs->had_stub && self->stub_running;
}

static void
recover_connect (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  RecoverState *rs = recover_state (task);

  rs->phase = PHASE_CONNECTING;
  _glint_flasher_reconnect (task, self->chip_reset, recover_connected);
}

static void
recover_baud_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (_glint_flasher_job_is_over (task))
    return;

  /* Not at that rate: the connect's reset brings the chip to the boot
   * rate anyway. */
  if (!glint_stream_set_baud_finish (GLINT_STREAM (object), result, &error))
    g_debug ("reconnecting at the job's rate: %s", error->message);

  recover_connect (task);
}

static void
recover_open_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  RecoverState *rs = recover_state (task);
  g_autoptr(GError) error = NULL;

  if (_glint_flasher_job_is_over (task))
    return;

  if (!glint_stream_open_finish (GLINT_STREAM (object), result, &error))
    {
      /* counts as an attempt, as any failure while connecting does */
      rs->phase = PHASE_CONNECTING;
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }

  /* A stub that runs on (an RFC 2217 server restarted, the chip not
   * reset) listens at the rate the job had switched to: so must the new
   * stream, for the SYNC alone to reach it. */
  if (glint_stream_get_baud (self->stream) != glint_stream_get_baud (GLINT_STREAM (object)) &&
      glint_stream_get_baud (self->stream) != 0 && !self->chip_reset)
    {
      guint baud = glint_stream_get_baud (self->stream);

      _glint_flasher_swap_stream (self, GLINT_STREAM (object));
      glint_stream_set_baud_async (self->stream, baud, g_task_get_cancellable (task),
                                   recover_baud_cb, g_object_ref (task));
      return;
    }

  _glint_flasher_swap_stream (self, GLINT_STREAM (object));
  recover_connect (task);
}

/* A new stream to the address of the dead one. */
static void
recover_open (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  RecoverState *rs = recover_state (task);
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  const GlintUsbIdentity *identity;
  const char *address;

  address = glint_stream_get_address (self->stream);
  /* A USB port that went away may come back under another name (a
   * native-USB chip re-enumerates on every reset, often as another
   * ttyACM): the same device, by its serial number or socket. */
  identity = glint_stream_get_usb_identity (self->stream);
  if (identity != NULL)
    found = glint_port_find_usb_identity (identity);
  if (found != NULL && g_strcmp0 (found, address) != 0)
    {
      _glint_flasher_log (self, GLINT_LOG_NOTICE, _("the board is back as %s"), found);
      address = found;
    }
  stream = glint_stream_new_for_address (address, &error);
  if (stream == NULL)
    {
      rs->phase = PHASE_IDLE;
      rs->resume = NULL;
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }

  glint_stream_open_async (stream, g_task_get_cancellable (task), recover_open_cb,
                           g_object_ref (task));
}

static void
recover_closed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* (the port is let go of even where closing reports an error) */
  if (!g_io_stream_close_finish (G_IO_STREAM (object), result, &error))
    g_debug ("closing the lost link: %s", error->message);
  if (_glint_flasher_job_is_over (task))
    return;

  recover_open (task);
}

static void
recover_attempt (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  RecoverState *rs = recover_state (task);

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      rs->phase = PHASE_IDLE;
      _glint_flasher_job_fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                          _("cancelled")));
      return;
    }

  /* The old link still carries (a lost or damaged answer): resync on it. */
  if (self->loader != NULL && !self->link_dead)
    {
      recover_connect (task);
      return;
    }

  rs->phase = PHASE_OPENING;
  rs->reopened = TRUE;

  /* A dead stream to a local serial port still holds the port's lock, and
   * a new one to the same device would wait for it, then fail as busy:
   * the old one lets go first (its loader with it, whose reads must not
   * outlive its descriptor). The object stays: its address, baud and USB
   * identity are read on. */
  if (GLINT_IS_SERIAL_STREAM (self->stream) && !g_io_stream_is_closed (G_IO_STREAM (self->stream)))
    {
      _glint_flasher_drop_lost_loader (self);
      g_io_stream_close_async (G_IO_STREAM (self->stream), G_PRIORITY_DEFAULT, NULL,
                               recover_closed_cb, g_object_ref (task));
      return;
    }

  recover_open (task);
}

/* Whether a new stream for the address reaches the same board: not for a
 * scheme registered from above (sim://, where each stream is a board of
 * its own). */
static gboolean
can_reopen (GlintFlasher *self)
{
  g_autoptr(GlintStreamAddress) address =
    glint_stream_address_parse (glint_stream_get_address (self->stream), NULL);

  return address != NULL && address->kind != GLINT_STREAM_KIND_REGISTERED;
}

/* Fails the job at once with @error: recovery ends here. */
static gboolean
give_up (GTask  *task,
         GError *error)
{
  RecoverState *rs = recover_state (task);

  rs->phase = PHASE_IDLE;
  rs->resume = NULL;
  _glint_flasher_job_fail (task, error);
  return TRUE;
}

static GError *
chip_reset_error (GlintFlasher *self,
                  const char   *what)
{
  return g_error_new (GLINT_ERROR, GLINT_ERROR_CHIP_RESET,
                      _("the chip reset during the job (it printed its boot messages: a "
                        "brown-out or a watchdog; %s), and %s has no DTR/RTS lines to put it "
                        "back into download mode"),
                      what, glint_stream_get_address (self->stream));
}

static gboolean
chip_reset_idle_cb (gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  RecoverState *rs = g_object_get_data (G_OBJECT (task), "glint-recover");

  if (_glint_flasher_job_is_over (task) || rs == NULL || rs->resume == NULL ||
      rs->phase != PHASE_IDLE)
    return G_SOURCE_REMOVE;

  /* A chip reset into download mode (the boot log of a power-on, or of
   * someone's hands on its buttons) still answers. */
  if (strstr (self->chip_text->str, "waiting for download") != NULL)
    {
      rs->reset_seen = FALSE;
      /* the loader gave up on the answers: recover as from a lost one */
      if (rs->held != NULL)
        _glint_flasher_job_fail (task, g_steal_pointer (&rs->held));
      return G_SOURCE_REMOVE;
    }

  rs->resume = NULL;
  if (rs->held != NULL)
    {
      g_autoptr(GError) held = g_steal_pointer (&rs->held);

      _glint_flasher_job_fail (task, chip_reset_error (self, held->message));
      return G_SOURCE_REMOVE;
    }
  _glint_flasher_job_fail (task, chip_reset_error (self, _("it stopped answering")));
  return G_SOURCE_REMOVE;
}

/**
 * _glint_flasher_chip_text_arrived:
 *
 * The chip printed something outside frames while @task runs. A boot log
 * in the middle of a job where nothing can reset the chip into download
 * mode ends the job at once: no answer will come.
 */
void
_glint_flasher_chip_text_arrived (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  RecoverState *rs = g_object_get_data (G_OBJECT (task), "glint-recover");

  if (rs == NULL || rs->resume == NULL || rs->phase != PHASE_IDLE || rs->reset_seen ||
      !log_says_reset (self->chip_text->str) ||
      strstr (self->chip_text->str, "waiting for download") != NULL ||
      (!self->no_reset && glint_stream_get_can_control_lines (self->stream)))
    return;

  /* the rest of the boot log first: it may end "waiting for download" */
  rs->reset_seen = TRUE;
  g_timeout_add_full (G_PRIORITY_DEFAULT, 300, chip_reset_idle_cb, g_object_ref (task), NULL);
}

/**
 * _glint_flasher_try_recover:
 * @error: (transfer full): why the job would fail
 *
 * Called by _glint_flasher_job_fail() for every failure of a job.
 *
 * Returns: %TRUE if recovery took @error over (the job goes on, or has
 *   been failed with a better reason); %FALSE to fail the job with it
 */
gboolean
_glint_flasher_try_recover (GTask  *task,
                            GError *error)
{
  GlintFlasher *self = g_task_get_source_object (task);
  RecoverState *rs = g_object_get_data (G_OBJECT (task), "glint-recover");
  g_autofree char *log = NULL;
  g_autofree char *cause = NULL;
  gboolean chip_reset;

  if (rs == NULL || rs->resume == NULL ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;

  /* The old link's last answers, coming back while a new one is made. */
  if (rs->phase == PHASE_WAITING || rs->phase == PHASE_OPENING)
    {
      g_debug ("while reconnecting: %s", error->message);
      g_error_free (error);
      return TRUE;
    }

  /* The loader saw the boot log begin and gave up on the answers; where
   * nothing can reset the chip, the rest of the log decides (see
   * _glint_flasher_chip_text_arrived()). The other commands in flight fail
   * with it. */
  if (rs->phase == PHASE_IDLE && (rs->held != NULL ||
                                  (rs->reset_seen &&
                                   g_error_matches (error, GLINT_ERROR, GLINT_ERROR_CHIP_RESET))))
    {
      if (rs->held == NULL)
        rs->held = error;
      else
        g_error_free (error);
      return TRUE;
    }

  /* While reconnecting anything may fail (nobody answers yet, the server
   * refuses): another attempt, unless it is another chip. */
  if (rs->phase == PHASE_IDLE && !is_link_fault (error))
    return FALSE;
  if (rs->phase == PHASE_CONNECTING &&
      (g_error_matches (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP) ||
       g_error_matches (error, GLINT_ERROR, GLINT_ERROR_UNSUPPORTED_CHIP)))
    return FALSE;

  /* A stream that closed, or a loader whose reading ended, is no use:
   * the next attempt opens a new one. */
  if (g_error_matches (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED) ||
      g_error_matches (error, GLINT_ERROR, GLINT_ERROR_CONNECTION_FAILED) ||
      (error->domain == G_IO_ERROR && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) ||
      !glint_stream_get_is_open (self->stream))
    self->link_dead = TRUE;

  /* (the loader keeps the last of it; what came first says why) */
  if (self->loader != NULL)
    g_free (glint_loader_take_boot_log (self->loader));
  log = g_strdup (self->chip_text->str);
  g_string_truncate (self->chip_text, 0);
  chip_reset = log_says_reset (log);
  self->chip_reset = self->chip_reset || chip_reset;
  /* (a boot log at another rate than the link's: unreadable; where DTR/RTS
   * can reset the chip, the reconnect starts with that) */
  if (g_error_matches (error, GLINT_ERROR, GLINT_ERROR_CHIP_RESET) && !self->no_reset &&
      glint_stream_get_can_control_lines (self->stream))
    self->chip_reset = TRUE;

  /* A chip that reset and booted its application waits for nothing: only
   * DTR/RTS (or the hands of someone at the board) bring it back. */
  if (self->chip_reset && strstr (log, "waiting for download") == NULL &&
      (self->no_reset || !glint_stream_get_can_control_lines (self->stream)))
    {
      g_autoptr(GError) local = error;

      return give_up (task, chip_reset_error (self, local->message));
    }

  /* A link that is gone for good where a new one would be another board. */
  if (rs->phase == PHASE_IDLE && self->link_dead && !can_reopen (self))
    {
      self->link_dead = FALSE;
      return FALSE;
    }

  if (rs->phase == PHASE_IDLE)
    {
      if (self->loader != NULL && self->loader == rs->mark_loader)
        rs->losses -= MIN (rs->losses, (glint_loader_get_round_trips (self->loader) -
                                        rs->mark_answers) / LOSS_CREDIT_ANSWERS);
      if (++rs->losses > RECOVER_LOSSES)
        {
          g_autoptr(GError) local = error;

          return give_up (task, g_error_new (GLINT_ERROR, GLINT_ERROR_DISCONNECTED,
                                             _("the link failed %u times in one job (lost, or "
                                               "answers missing or damaged): it is not fit to "
                                               "flash over (last: %s)"),
                                             RECOVER_LOSSES, local->message));
        }
      rs->attempt = 0;
      rs->had_stub = self->stub_running;
      rs->began_dead = self->link_dead;
      rs->reopened = FALSE;
      rs->kept = FALSE;
      rs->loss_resets = self->resets_sent;
      g_free (rs->cause);
      rs->cause = self->chip_reset && chip_reset ?
                    g_strdup_printf (_("the chip reset: %s"), error->message) :
                    g_strdup (error->message);
    }

  if (++rs->attempt > RECOVER_ATTEMPTS && !self->link_dead && !rs->began_dead &&
      (self->no_reset || !glint_stream_get_can_control_lines (self->stream)))
    {
      g_autoptr(GError) local = error;

      /* The link carries, the chip is silent, nothing can reset it: most
       * likely it reset (its boot messages came at another rate than the
       * job's, unreadable) and runs its application. */
      return give_up (task, g_error_new (GLINT_ERROR, GLINT_ERROR_CHIP_RESET,
                                         _("the chip stopped answering (%s) and %u attempts to "
                                           "reach it again failed; %s has no DTR/RTS lines, so "
                                           "if it reset (a brown-out), only its buttons bring "
                                           "it back"),
                                         rs->cause, RECOVER_ATTEMPTS,
                                         glint_stream_get_address (self->stream)));
    }

  if (rs->attempt > RECOVER_ATTEMPTS)
    {
      g_autoptr(GError) local = error;

      return give_up (task, g_error_new (GLINT_ERROR, GLINT_ERROR_DISCONNECTED,
                                         _("the link was lost (%s) and %u attempts to reconnect "
                                           "failed, the last with: %s"),
                                         rs->cause, RECOVER_ATTEMPTS, local->message));
    }

  cause = rs->attempt == 1 ? g_strdup (rs->cause) : g_strdup (error->message);
  g_error_free (error);

  probe_with_mac (self, FALSE);
  /* Answers in flight belong to the old link from now on. */
  g_object_set_data (G_OBJECT (task), "glint-epoch",
                     GUINT_TO_POINTER (_glint_flasher_job_epoch (task) + 1));

  _glint_flasher_emit_reconnecting (self, rs->attempt, RECOVER_ATTEMPTS, cause);
  _glint_flasher_log (self, GLINT_LOG_WARNING, _("Link lost — reconnecting (%u of %u): %s"),
                      rs->attempt, RECOVER_ATTEMPTS, cause);

  rs->phase = PHASE_WAITING;
  rs->cancellable = g_task_get_cancellable (task) != NULL ?
                    g_object_ref (g_task_get_cancellable (task)) : NULL;
  if (rs->cancellable != NULL)
    rs->cancelled_id = g_cancellable_connect (rs->cancellable, G_CALLBACK (recover_cancelled_cb),
                                              task, NULL);
  /* the back-off is a wait like any other: --timeout-scale scales it;
   * where the link still carries (a lost or damaged answer), nothing has
   * to come back, and a short one lets stray answers pass */
  rs->timer = g_timeout_add (MAX (1, (guint) (backoff_ms[rs->attempt - 1] *
                                              (self->link_dead ? 1 : 0.2) *
                                              self->timeout_scale)),
                             recover_timer_cb, task);
  g_source_set_name_by_id (rs->timer, "[glint] reconnect back-off");
  return TRUE;
}
