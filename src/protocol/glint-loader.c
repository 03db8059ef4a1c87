/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "glint-bytes.h"
#include "glint-error.h"
#include "glint-link-timing.h"
#include "glint-loader.h"
#include "glint-loader-private.h"
#include "glint-reset.h"
#include "glint-slip.h"
#include "glint-stream.h"
#include "glint-wire-trace.h"

/*
 * GlintLoader speaks the Espressif serial bootloader protocol over a
 * GlintStream: SLIP frames, a request answered by a response with the same
 * opcode (protocol.md §1). Every wait is computed, never fixed: the chip's
 * expected processing time, plus the wire time of request and response at
 * the current baud, plus the link allowance of GlintLinkTiming, which learns
 * the round trip from every cheap command. This is what lets Glint work
 * over a 400 ms RFC 2217 link where fixed 50–100 ms waits broke esptool.
 *
 * Several commands may be outstanding (independent register reads are
 * batched into one round trip); the chip answers in order, so responses
 * are matched to the oldest outstanding command with the same opcode, and
 * held back while a command with that opcode waits behind it (the answer
 * may be that one's, the oldest one's lost: protocol.md §7.3).
 */

#define READ_CHUNK        4096
#define MAX_FRAME         (8 + 0x4000 + 0x400)
#define BOOT_LOG_MAX      (16 * 1024)
#define UNSUPPORTED_REPEATS 7   /* after the first of the ROM's eight (protocol.md §1.4) */
/* Unreadable bytes outside frames that say the chip reset while a command
 * waits (protocol.md §7.2): a boot log at another rate gives hundreds, a
 * damaged frame delimiter turns one short answer into a dozen. */
#define UNREADABLE_RESET   32

typedef struct
{
  GlintLoader       *loader;   /* not a reference: see read_next () */
  GCancellable      *cancellable;
  guint8             buf[READ_CHUNK];
} ReadOp;

typedef struct
{
  GTask             *task;     /* owned */
  guint8             op;
  gsize              resp_len;
  gint64             processing_us;
  GlintCommandFlags  flags;
  gsize              request_wire_bytes;
  guint64            write_end;       /* output offset after our last byte */
  gint64             sent_at;         /* 0 until written */
  gint64             timer_started;
  guint              timeout_id;
  gboolean           waiting_late;    /* its budget ran out: listening on */
  gint64             owed_us;         /* of processing_us: the stub's work on the last block */
  guint              probe_id;        /* the early probe's timer */
  gboolean           probed;          /* a probe went out behind it */
  gboolean           is_probe;        /* it is a probe (see send_probe ()) */
  gboolean           first_in_line;   /* nothing was outstanding when sent */
  guint64            seq;             /* from 1, in the order sent; 0: a frame waiter */
  gboolean           has_reg;         /* a READ_REG: of reg */
  guint32            reg;
  gboolean           value_known;     /* a probe: the value its answer carries */
  guint32            expected_value;
  gboolean           answered;        /* an answer (or a refusal) was matched to it */
  GBytes            *answer;          /* held: that answer, until it is known whose */
  guint64            held_until;      /* ... the youngest command that could have sent it */
  GBytes            *expected_frame;  /* wait_frame: the frame to wait for */
  GSource           *cancel_source;
} Pending;

typedef struct
{
  guint32            address;
  guint32            value;
  gboolean           value_known;     /* read at detection: its answers carry value */
} ProbeRegister;

struct _GlintLoader
{
  GObject            parent_instance;

  GlintStream       *stream;
  GlintLinkTiming   *timing;
  GlintSlipDecoder  *decoder;
  GCancellable      *cancellable;

  GQueue             pending;         /* Pending*, oldest first */
  Pending           *frame_waiter;    /* wait_frame or wait_raw_frame */
  GQueue             raw_frames;      /* GBytes*: kept while capture_raw */
  gboolean           capture_raw;
  gint64             owed_us;         /* stub work owed to the next typed command */
  gint64             owed_taken;      /* ... taken by the command being sent */
  ProbeRegister      probe_regs[2];   /* READ_REG-able at any time, for probes */
  guint              n_probe_regs;
  GQueue             held;            /* Pending*: answered, not yet known whose answer */
  guint64            next_seq;

  GByteArray        *out;             /* queued, not yet handed to the stream */
  guint64            out_queued;      /* bytes ever queued */
  guint64            out_written;     /* bytes ever written */
  gboolean           writing;

  GString           *boot_log;
  GError            *link_error;      /* the link is gone */
  guint              round_trips;
  guint              dropped_frames;
  GBytes            *unsupported_echo;   /* the ROM's last "unsupported" answer */
  guint              unsupported_left;   /* ... and how many repeats may follow */
  guint              reset_delay_ms;
  gint64             last_sync_frame_at;
  gsize              unreadable;      /* bytes outside frames since the last answer */
};

G_DEFINE_FINAL_TYPE (GlintLoader, glint_loader, G_TYPE_OBJECT)

enum {
  SIGNAL_WAITING_LATE,
  SIGNAL_TEXT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void read_next         (GlintLoader *self);
static void write_next        (GlintLoader *self);
static void pending_start_timer (GlintLoader *self,
                                 Pending     *pending);
static void collect_boot_log  (GlintLoader *self);

/* Names and meanings ------------------------------------------------------- */

/* The names and meanings live in the protocol's one table (glint-protocol.h). */
const char *
glint_loader_op_name (guint8 op)
{
  return glint_protocol_op_name (op);
}

/**
 * glint_loader_describe_status:
 * @code: the two status bytes as a big-endian number
 *
 * Returns: what the chip meant (protocol.md §1.4), see
 *   glint_protocol_describe_status()
 */
const char *
glint_loader_describe_status (guint16 code)
{
  return glint_protocol_describe_status (code);
}

static GlintError
status_to_error_code (guint16 code)
{
  switch (code)
    {
    case GLINT_ROM_FAILURE (GLINT_ROM_ERR_CHECKSUM):
    case GLINT_STUB_ERR_BAD_CHECKSUM:
      return GLINT_ERROR_CHECKSUM_MISMATCH;
    case GLINT_ROM_FAILURE (GLINT_ROM_ERR_FORMAT):
    case GLINT_STUB_ERR_INVALID_CMD:
    case GLINT_STUB_ERR_NOT_IMPLEMENTED:
      return GLINT_ERROR_NOT_SUPPORTED;
    case GLINT_ROM_FAILURE (GLINT_ROM_ERR_WRITE):
    case GLINT_ROM_FAILURE (GLINT_ROM_ERR_READ):
    case GLINT_ROM_FAILURE (GLINT_ROM_ERR_READ_LEN):
    case GLINT_STUB_ERR_FAILED_SPI:
    case GLINT_STUB_ERR_SPI_UNLOCK:
    case GLINT_STUB_ERR_NAND_PROGRAM:
    case GLINT_STUB_ERR_NAND_ERASE:
      return GLINT_ERROR_FLASH_FAILED;
    case GLINT_ROM_FAILURE (GLINT_ROM_ERR_PARAM):
      return GLINT_ERROR_INVALID_ARGUMENT;
    case GLINT_ROM_FAILURE (GLINT_ROM_ERR_DEFLATE):
    case GLINT_ROM_FAILURE (GLINT_ROM_ERR_DEFLATE_ADLER):
    case GLINT_ROM_FAILURE (GLINT_ROM_ERR_DEFLATE_PARAM):
    case GLINT_STUB_ERR_INFLATE:
    case GLINT_STUB_ERR_BAD_DATA_LEN:
    case GLINT_STUB_ERR_BAD_BLOCKSIZE:
    case GLINT_STUB_ERR_NOT_ENOUGH:
    case GLINT_STUB_ERR_TOO_MUCH:
      return GLINT_ERROR_INVALID_RESPONSE;
    default:
      /* A status no loader sends is a response damaged on the way: the
       * ROM's first status byte is 1 on failure (protocol.md §1.3), the
       * stubs' codes start at 0xC0. */
      if (g_str_has_prefix (glint_loader_describe_status (code), "unknown") ||
          ((code >> 8) != 0x01 && (code >> 8) < 0xC0))
        return GLINT_ERROR_INVALID_RESPONSE;
      return GLINT_ERROR_FAILED;
    }
}

/**
 * glint_loader_checksum:
 *
 * Returns: the checksum of the data part of a *_DATA command (seed 0xEF,
 *   XOR of every byte; protocol.md §1.2)
 */
guint32
glint_loader_checksum (const guint8 *data,
                       gsize         len)
{
  guint8 sum = GLINT_PROTOCOL_CHECKSUM_SEED;

  for (gsize i = 0; i < len; i++)
    sum ^= data[i];

  return sum;
}

/**
 * glint_loader_parse_status:
 * @data: the response payload (after the 8-byte header)
 * @len: its length
 * @resp_len: how many payload bytes the command returns before the status
 * @code: (out): the status as a big-endian number, 0 on success
 *
 * Reads the two status bytes right after the expected payload, as current
 * esptool does; this works for the 4-byte ROM and 2-byte stub formats alike.
 *
 * Returns: %FALSE if the response is too short to hold a status
 */
gboolean
glint_loader_parse_status (const guint8 *data,
                           gsize         len,
                           gsize         resp_len,
                           guint16      *code)
{
  const guint8 *status;

  if (len >= resp_len + 2)
    status = data + resp_len;
  else if (len >= 2)
    status = data;
  else
    return FALSE;

  *code = status[0] == 0 ? 0 : (guint16) ((status[0] << 8) | status[1]);
  return TRUE;
}

/* Pending commands ------------------------------------------------------------ */

static void
pending_free (Pending *pending)
{
  g_clear_handle_id (&pending->timeout_id, g_source_remove);
  g_clear_handle_id (&pending->probe_id, g_source_remove);
  if (pending->cancel_source != NULL)
    {
      g_source_destroy (pending->cancel_source);
      g_clear_pointer (&pending->cancel_source, g_source_unref);
    }
  g_clear_pointer (&pending->expected_frame, g_bytes_unref);
  g_clear_pointer (&pending->answer, g_bytes_unref);
  g_clear_object (&pending->task);
  g_free (pending);
}

static void fail_held (GlintLoader  *self,
                       Pending      *lost,
                       const GError *error);

static void
pending_return_error (Pending *pending,
                      GError  *error)
{
  GTask *task = g_steal_pointer (&pending->task);

  /* A command that ends without an answer: an answer taken for an
   * earlier command's may have been its own (see fail_held ()). */
  if (!pending->answered && pending->seq != 0)
    fail_held (g_task_get_source_object (task), pending, error);
  g_task_return_error (task, error);
  g_object_unref (task);
  pending_free (pending);
}

static gint64
pending_wire_time (GlintLoader *self,
                   Pending     *pending)
{
  /* Request plus a response of the expected size (header, status, SLIP). */
  gsize response = 8 + pending->resp_len + 4 + 2;

  return glint_link_timing_wire_time (pending->request_wire_bytes + response,
                                      glint_stream_get_baud (self->stream));
}

static void
fail_all (GlintLoader  *self,
          const GError *error)
{
  Pending *pending;

  while ((pending = g_queue_pop_head (&self->pending)) != NULL)
    pending_return_error (pending, g_error_copy (error));
  /* (each held answer waits for a command just failed, and failed with
   * it: none should be left) */
  while ((pending = g_queue_pop_head (&self->held)) != NULL)
    pending_return_error (pending, g_error_copy (error));

  if (self->frame_waiter != NULL)
    pending_return_error (g_steal_pointer (&self->frame_waiter), g_error_copy (error));
}

static void
link_failed (GlintLoader *self,
             GError      *error)
{
  /* Failing a command runs its callback, which may drop the last
   * reference to the loader (each command's task holds one until then). */
  g_autoptr(GlintLoader) keep = g_object_ref (self);

  if (self->link_error == NULL)
    self->link_error = error;
  else
    g_error_free (error);

  fail_all (self, self->link_error);
}

static gboolean pending_timeout_cb (gpointer user_data);

/* Below the priority of I/O: after the main loop was held up (a long frame
 * in the window, a busy machine), an answer that arrived meanwhile is read
 * before its timer may call it lost. */
static void
pending_arm_timer (Pending    *pending,
                   gint64      delay_us,
                   const char *name)
{
  pending->timeout_id = g_timeout_add_full (G_PRIORITY_LOW, (guint) MAX (1, delay_us / 1000),
                                            pending_timeout_cb, pending, NULL);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, pending->timeout_id), name);
}

/* Probes (protocol.md §7.3) ------------------------------------------------- */

/* Whether the READ_REG @pending reads a probe register known to hold
 * @value: its answer would look like the probe's. */
static gboolean
reads_value (GlintLoader *self,
             Pending     *pending,
             guint32      value)
{
  for (guint i = 0; pending->has_reg && i < self->n_probe_regs; i++)
    {
      if (self->probe_regs[i].address == pending->reg && self->probe_regs[i].value == value)
        return TRUE;
    }

  return FALSE;
}

/* The register a probe reads now, %NULL if none will do. Where another
 * READ_REG waits, only one whose value is known (read at detection) and
 * that the waiting READ_REGs do not read: answers are matched by opcode,
 * but the probe's is then told by its value (see find_pending ()). */
static const ProbeRegister *
pick_probe_register (GlintLoader *self)
{
  for (guint i = 0; i < self->n_probe_regs; i++)
    {
      const ProbeRegister *probe = &self->probe_regs[i];
      gboolean fits = TRUE;

      for (GList *l = self->pending.head; l != NULL && fits; l = l->next)
        {
          Pending *other = l->data;

          if (other->op == GLINT_OP_READ_REG &&
              (!probe->value_known || reads_value (self, other, probe->value)))
            fits = FALSE;
        }
      if (fits)
        return probe;
    }

  return NULL;
}

/* Whether an overdue answer to @head may be checked with a probe: a READ_REG
 * sent behind it. The chip answers in order, and the link keeps order, so
 * the probe's answer coming first says the one to @head is lost, not late:
 * the chip could only answer the probe once it was done with @head. Not
 * where another READ_REG waits, unless the probe's answer can be told from
 * its by the value (pick_probe_register ()), nor behind a command after
 * which the chip listens at another rate or not at all, nor while raw
 * frames or the stub's greeting are awaited. */
static gboolean
probe_allowed (GlintLoader *self,
               Pending     *head)
{
  if (self->n_probe_regs == 0 || self->link_error != NULL || self->frame_waiter != NULL ||
      self->capture_raw || head->is_probe || head->probed || head->expected_frame != NULL)
    return FALSE;

  switch (head->op)
    {
    case GLINT_OP_SYNC:
    case GLINT_OP_CHANGE_BAUDRATE:
    case GLINT_OP_FLASH_END:
    case GLINT_OP_MEM_END:
    case GLINT_OP_WRITE_REG:
    case GLINT_OP_READ_FLASH:
    case GLINT_OP_RUN_USER_CODE:
      return FALSE;
    default:
      break;
    }

  for (GList *l = self->pending.head; l != NULL; l = l->next)
    {
      Pending *other = l->data;

      if (other->is_probe)
        return FALSE;
    }

  return pick_probe_register (self) != NULL;
}

static void
probe_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GError) error = NULL;

  /* only its arrival counts (see probe_answered ()) */
  data = glint_loader_command_finish (GLINT_LOADER (object), result, NULL, &error);
  if (data == NULL)
    g_debug ("probe: %s", error->message);
}

static void
send_probe (GlintLoader *self,
            Pending     *head)
{
  const ProbeRegister *reg = pick_probe_register (self);
  guint8 addr[4];
  g_autoptr(GBytes) payload = NULL;
  Pending *probe;

  g_assert (reg != NULL);
  head->probed = TRUE;
  glint_put_u32 (addr, reg->address);
  payload = g_bytes_new (addr, sizeof addr);
  glint_loader_command_async (self, GLINT_OP_READ_REG, payload, 0, 0, 0, GLINT_COMMAND_NONE,
                              NULL, probe_done_cb, NULL);
  probe = self->pending.tail->data;
  g_assert (probe->op == GLINT_OP_READ_REG);
  probe->is_probe = TRUE;
  probe->value_known = reg->value_known;
  probe->expected_value = reg->value;
}

static gboolean
probe_timer_cb (gpointer user_data)
{
  Pending *pending = user_data;
  GlintLoader *self = g_task_get_source_object (pending->task);

  pending->probe_id = 0;
  if (self->pending.length == 1 && self->pending.head->data == pending &&
      probe_allowed (self, pending))
    send_probe (self, pending);

  return G_SOURCE_REMOVE;
}

/* The probe's answer came: every command sent before it that still waits
 * lost its answer (or it came damaged and was dropped). Returns them. */
static void
probe_answered (GlintLoader *self,
                Pending     *probe,
                GQueue      *lost)
{
  GList *l = self->pending.head;

  while (l != NULL && l->data != probe)
    {
      GList *next = l->next;
      Pending *pending = l->data;

      g_queue_delete_link (&self->pending, l);
      if (pending->is_probe)
        pending_return_error (pending, g_error_new_literal (GLINT_ERROR, GLINT_ERROR_TIMEOUT,
                                                            "a later probe was answered"));
      else
        g_queue_push_tail (lost, pending);
      l = next;
    }
}

/* Fails the commands whose answers a probe showed lost. */
static void
fail_lost (GlintLoader *self,
           GQueue      *lost)
{
  g_autoptr(GlintLoader) keep = g_object_ref (self);
  Pending *pending;

  while ((pending = g_queue_pop_head (lost)) != NULL)
    {
      g_autofree char *rtt = glint_link_timing_describe (self->timing);
      gint64 waited = g_get_monotonic_time () - MAX (pending->sent_at, pending->timer_started);

      pending_return_error (pending,
                            g_error_new (GLINT_ERROR, GLINT_ERROR_TIMEOUT,
                                         _("the answer to %s was lost on the way (after %.1f s "
                                           "the chip answered a command sent after it); %s"),
                                         glint_loader_op_name (pending->op), waited / 1e6, rtt));
    }
}

/* Drops the probes still waiting: the command they were to check has been
 * given up, and a resync must not wait behind them. */
static void
drop_probes (GlintLoader *self)
{
  GList *l = self->pending.head;

  while (l != NULL)
    {
      GList *next = l->next;
      Pending *pending = l->data;

      if (pending->is_probe)
        {
          g_queue_delete_link (&self->pending, l);
          pending_return_error (pending, g_error_new_literal (GLINT_ERROR, GLINT_ERROR_TIMEOUT,
                                                              "the probed command was given up"));
        }
      l = next;
    }
}

/* Answers held back (protocol.md §7.3, §9) ------------------------------------- */

/* Whether @candidate, waiting for an answer with opcode @op, could have sent
 * an answer with that opcode. (Even a probe whose value is known and
 * differs from the answer's: the value word may have been damaged on the
 * way, which no checksum covers.) */
static gboolean
could_have_sent (Pending *candidate,
                 guint8   op)
{
  return candidate->op == op && candidate->expected_frame == NULL;
}

/* @lost ends without an answer. Answers are matched to the oldest command
 * with their opcode, so one taken for an earlier command with that opcode,
 * while @lost waited behind it, may have been @lost's, the earlier one's
 * being the one lost: which, nothing tells. Those earlier commands fail
 * too (a timeout: the caller asks both again), not one of them with the
 * other's answer. They are held in a chain (see complete_pending ()), the
 * youngest waiting for a command that was sent before @lost or is @lost. */
static void
fail_held (GlintLoader  *self,
           Pending      *lost,
           const GError *error)
{
  g_autoptr(GlintLoader) keep = NULL;
  GQueue failing = G_QUEUE_INIT;
  gboolean implicated = FALSE;
  Pending *held;

  for (GList *l = self->held.head; l != NULL; l = l->next)
    {
      held = l->data;
      implicated |= held->op == lost->op && held->held_until >= lost->seq;
    }
  if (!implicated)
    return;

  for (GList *l = self->held.head; l != NULL;)
    {
      GList *next = l->next;

      held = l->data;
      if (held->op == lost->op)
        {
          g_queue_delete_link (&self->held, l);
          g_queue_push_tail (&failing, held);
        }
      l = next;
    }

  keep = g_object_ref (self);
  while ((held = g_queue_pop_head (&failing)) != NULL)
    {
      if (g_error_matches (error, GLINT_ERROR, GLINT_ERROR_TIMEOUT))
        pending_return_error (held,
                              g_error_new (GLINT_ERROR, GLINT_ERROR_TIMEOUT,
                                           _("an answer to %s came, but the answer to the %s "
                                             "sent after it was lost, and the one that came "
                                             "may have been that one: both must be asked "
                                             "again"),
                                           glint_loader_op_name (held->op),
                                           glint_loader_op_name (lost->op)));
      else
        pending_return_error (held, g_error_copy (error));
    }
}

static void deliver (GlintLoader  *self,
                     Pending      *pending,
                     const guint8 *frame,
                     gsize         len);

/* The commands with opcode @op held until @seq or earlier have their own
 * answers: the command @seq was answered, and had none behind it that
 * could have sent that answer. */
static void
release_held (GlintLoader *self,
              guint8       op,
              guint64      seq)
{
  GQueue released = G_QUEUE_INIT;
  Pending *held;

  for (GList *l = self->held.head; l != NULL;)
    {
      GList *next = l->next;

      held = l->data;
      if (held->op == op && held->held_until <= seq)
        {
          g_queue_delete_link (&self->held, l);
          g_queue_push_tail (&released, held);
        }
      l = next;
    }

  while ((held = g_queue_pop_head (&released)) != NULL)
    {
      g_autoptr(GBytes) answer = g_steal_pointer (&held->answer);
      gsize len;
      const guint8 *frame = g_bytes_get_data (answer, &len);

      deliver (self, held, frame, len);
    }
}

static gboolean
pending_timeout_cb (gpointer user_data)
{
  Pending *pending = user_data;
  GlintLoader *self = g_task_get_source_object (pending->task);
  g_autofree char *rtt = glint_link_timing_describe (self->timing);
  gint64 waited = g_get_monotonic_time () - pending->timer_started;
  GError *error;

  pending->timeout_id = 0;

  if (self->frame_waiter == pending && pending->expected_frame == NULL)
    {
      self->frame_waiter = NULL;
      error = g_error_new (GLINT_ERROR, GLINT_ERROR_TIMEOUT,
                           _("timed out after %.1f s waiting for data from the chip; %s"),
                           waited / 1e6, rtt);
    }
  else if (pending->expected_frame != NULL)
    {
      g_assert (self->frame_waiter == pending);
      self->frame_waiter = NULL;
      error = g_error_new (GLINT_ERROR, GLINT_ERROR_TIMEOUT,
                           _("timed out after %.1f s waiting for the flasher stub to start; %s"),
                           waited / 1e6, rtt);
    }
  else if (!pending->waiting_late && pending->op != GLINT_OP_SYNC)
    {
      /* Late is not lost: over TCP and RFC 2217 an answer that has not
       * come yet is far more often held up (a retransmitted segment, a
       * busy server, a Wi-Fi hop) than gone. Listen as long again, at
       * least two link allowances, as TCP doubles its timer, before calling
       * it lost. SYNC keeps its short wait: connecting tries again anyway. */

      /* (the user's scale counts here too) */
      gint64 grace = MAX ((gint64) (MIN (waited, GLINT_LINK_TIMING_CEILING_US) *
                                    glint_link_timing_get_scale (self->timing)),
                          2 * glint_link_timing_get_allowance (self->timing));

      pending->waiting_late = TRUE;
      pending_arm_timer (pending, grace, "[glint] loader late answer");
      /* ... and where a probe may ask, its answer ends the wait early */
      g_clear_handle_id (&pending->probe_id, g_source_remove);
      if (probe_allowed (self, pending))
        send_probe (self, pending);
      g_signal_emit (self, signals[SIGNAL_WAITING_LATE], 0, (guint) pending->op,
                     waited / 1e6);
      return G_SOURCE_REMOVE;
    }
  else
    {
      g_queue_remove (&self->pending, pending);
      error = g_error_new (GLINT_ERROR, GLINT_ERROR_TIMEOUT,
                           _("timed out after %.1f s waiting for the response to %s; %s"),
                           waited / 1e6, glint_loader_op_name (pending->op), rtt);
      if (!pending->is_probe)
        drop_probes (self);
      /* The next command in line has the chip to itself now. */
      if (self->pending.head != NULL)
        pending_start_timer (self, self->pending.head->data);
    }

  pending_return_error (pending, error);

  return G_SOURCE_REMOVE;
}

/* A cancelled command leaves the queue at once; should its answer still
 * come, it is dropped like any unexpected frame. */
static gboolean
pending_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  Pending *pending = user_data;
  /* the command's callback may drop the last reference (see link_failed) */
  g_autoptr(GlintLoader) self = g_object_ref (g_task_get_source_object (pending->task));
  gboolean was_head = self->pending.head != NULL && self->pending.head->data == pending;

  if (self->frame_waiter == pending)
    self->frame_waiter = NULL;
  else if (!g_queue_remove (&self->pending, pending))
    g_queue_remove (&self->held, pending);

  pending_return_error (pending, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                              "operation was cancelled"));

  if (was_head && self->pending.head != NULL)
    pending_start_timer (self, self->pending.head->data);

  return G_SOURCE_REMOVE;
}

static void
pending_watch_cancellable (Pending *pending)
{
  GCancellable *cancellable = g_task_get_cancellable (pending->task);

  if (cancellable == NULL)
    return;

  pending->cancel_source = g_cancellable_source_new (cancellable);
  g_source_set_callback (pending->cancel_source, G_SOURCE_FUNC (pending_cancelled_cb),
                         pending, NULL);
  g_source_set_static_name (pending->cancel_source, "[glint] loader cancel");
  g_source_attach (pending->cancel_source, g_task_get_context (pending->task));
}

/* Only the oldest command's clock runs: the ones behind it cannot be
 * answered before it is. */
static void
pending_start_timer (GlintLoader *self,
                     Pending     *pending)
{
  gint64 now = g_get_monotonic_time ();
  gint64 budget;

  if (pending->sent_at == 0 || pending->timeout_id != 0)
    return;

  budget = pending->processing_us + pending_wire_time (self, pending) +
           glint_link_timing_get_allowance (self->timing);
  pending->timer_started = MAX (now, pending->sent_at);
  pending_arm_timer (pending, budget, "[glint] loader timeout");

  /* A command the chip works on for long (an erase, a ROM write, an MD5)
   * is probed once the answer of a chip with no work would be overdue:
   * the probe waits in line while the chip works, so a late answer still
   * comes first, but a lost one costs a round trip instead of the whole
   * budget. Not where the stub still writes the last block (a third frame
   * would find both its buffers taken, §9), nor behind a second command. */
  if (pending->processing_us > 0 && pending->owed_us == 0 && self->pending.length == 1 &&
      probe_allowed (self, pending))
    {
      gint64 early = budget - pending->processing_us;

      pending->probe_id = g_timeout_add_full (G_PRIORITY_LOW, (guint) MAX (1, early / 1000),
                                              probe_timer_cb, pending, NULL);
      g_source_set_static_name (g_main_context_find_source_by_id (NULL, pending->probe_id),
                                "[glint] loader probe");
    }
}

/* Reading ------------------------------------------------------------------------ */

/* The answer @frame goes to @pending's caller. */
static void
deliver (GlintLoader  *self,
         Pending      *pending,
         const guint8 *frame,
         gsize         len)
{
  guint16 size = frame[2] | (frame[3] << 8);
  guint32 value = glint_read_u32 (frame + 4);
  const guint8 *data = frame + 8;
  gsize data_len = MIN ((gsize) size, len - 8);
  guint16 code = 0;
  GTask *task;

  pending->answered = TRUE;
  if (!glint_loader_parse_status (data, data_len, pending->resp_len, &code))
    {
      pending_return_error (pending,
                            g_error_new (GLINT_ERROR, GLINT_ERROR_INVALID_RESPONSE,
                                         "the response to %s is too short (%" G_GSIZE_FORMAT
                                         " bytes)", glint_loader_op_name (pending->op),
                                         data_len));
      return;
    }

  if (code != 0)
    {
      pending_return_error (pending,
                            g_error_new (GLINT_ERROR, status_to_error_code (code),
                                         _("the chip refused %s: %s (0x%04x)"),
                                         glint_loader_op_name (pending->op),
                                         glint_loader_describe_status (code), code));
      return;
    }

  if (data_len < pending->resp_len)
    {
      pending_return_error (pending,
                            g_error_new (GLINT_ERROR, GLINT_ERROR_INVALID_RESPONSE,
                                         "the response to %s has %" G_GSIZE_FORMAT
                                         " bytes of data instead of %" G_GSIZE_FORMAT,
                                         glint_loader_op_name (pending->op), data_len,
                                         pending->resp_len));
      return;
    }

  task = g_steal_pointer (&pending->task);
  g_task_set_task_data (task, GUINT_TO_POINTER (value), NULL);
  g_task_return_pointer (task, g_bytes_new (data, pending->resp_len),
                         (GDestroyNotify) g_bytes_unref);
  g_object_unref (task);
  pending_free (pending);
}

static void
complete_pending (GlintLoader  *self,
                  Pending      *pending,
                  const guint8 *frame,
                  gsize         len)
{
  gint64 now = g_get_monotonic_time ();
  GQueue lost = G_QUEUE_INIT;
  Pending *behind = NULL;
  g_autoptr(GlintLoader) keep = g_object_ref (self);

  if (pending->is_probe)
    probe_answered (self, pending, &lost);
  g_queue_remove (&self->pending, pending);
  pending->answered = TRUE;
  self->round_trips++;
  self->unreadable = 0;

  /* The ROM answers each SYNC eight times (protocol.md §3.1); a SYNC sent
   * soon after another may be matched by one of those extra answers, which
   * says nothing about the link. */
  if (pending->op == GLINT_OP_SYNC)
    {
      gboolean recent = self->last_sync_frame_at != 0 &&
                        now - self->last_sync_frame_at <
                        glint_link_timing_get_allowance (self->timing);

      self->last_sync_frame_at = now;
      if (recent)
        pending->flags &= ~GLINT_COMMAND_SAMPLE_RTT;
    }

  /* A late answer says the link is slower than the estimate, whatever the
   * command: what it took beyond the chip's worst-case work is the link. */
  if ((pending->flags & GLINT_COMMAND_SAMPLE_RTT || pending->waiting_late) &&
      pending->first_in_line && pending->sent_at > 0)
    glint_link_timing_sample_from (self->timing, now - pending->sent_at, pending->processing_us,
                                   glint_link_timing_wire_time (pending->request_wire_bytes + len + 2,
                                                                glint_stream_get_baud (self->stream)));

  if (self->pending.head != NULL)
    pending_start_timer (self, self->pending.head->data);
  fail_lost (self, &lost);

  /* Where a command with the same opcode waits behind it, the answer may
   * be that one's (this one's lost): it is held until the youngest such
   * command has its own answer, which says both came (the chip answers in
   * order), or fails with it (fail_held ()). Pipelined commands with one
   * opcode (the change scan's MD5s, batched READ_REGs) come back together
   * anyway. SYNC's repeated answers say nothing either way. */
  if (pending->op != GLINT_OP_SYNC)
    for (GList *l = self->pending.tail; l != NULL && behind == NULL; l = l->prev)
      if (could_have_sent (l->data, pending->op))
        behind = l->data;

  if (behind != NULL)
    {
      g_clear_handle_id (&pending->timeout_id, g_source_remove);
      g_clear_handle_id (&pending->probe_id, g_source_remove);
      pending->answer = g_bytes_new (frame, len);
      pending->held_until = behind->seq;
      g_queue_push_tail (&self->held, pending);
      return;
    }

  release_held (self, pending->op, pending->seq);
  deliver (self, pending, frame, len);
}

/* The command an answer with @op and @value is for: a probe whose value
 * is known, by that value (protocol.md §7.3: an older READ_REG whose
 * register happens to hold it is then taken as lost, never given the
 * probe's value); else the oldest with that opcode, not such a probe. */
static Pending *
find_pending (GlintLoader *self,
              guint8       op,
              guint32      value)
{
  for (GList *l = self->pending.head; op == GLINT_OP_READ_REG && l != NULL; l = l->next)
    {
      Pending *candidate = l->data;

      if (candidate->is_probe && candidate->value_known && candidate->expected_value == value)
        return candidate;
    }

  for (GList *l = self->pending.head; l != NULL; l = l->next)
    {
      Pending *candidate = l->data;

      if (could_have_sent (candidate, op) &&
          !(candidate->is_probe && candidate->value_known && candidate->expected_value != value))
        return candidate;
    }

  return NULL;
}

static gboolean
answers_pending (GlintLoader  *self,
                 const guint8 *frame,
                 gsize         len)
{
  if (len < 8 || frame[0] != 0x01)
    return FALSE;

  for (GList *l = self->pending.head; l != NULL; l = l->next)
    {
      Pending *candidate = l->data;

      if (candidate->op == frame[1])
        return TRUE;
    }

  return FALSE;
}

static void
raw_frame_received (GlintLoader  *self,
                    const guint8 *frame,
                    gsize         len)
{
  GBytes *bytes = g_bytes_new (frame, len);

  if (self->frame_waiter != NULL && self->frame_waiter->expected_frame == NULL)
    {
      Pending *pending = g_steal_pointer (&self->frame_waiter);
      GTask *task = g_steal_pointer (&pending->task);

      g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
      g_object_unref (task);
      pending_free (pending);
      return;
    }

  g_queue_push_tail (&self->raw_frames, bytes);
}

static void
on_frame (const guint8 *frame,
          gsize         len,
          gpointer      user_data)
{
  GlintLoader *self = user_data;
  Pending *pending = NULL;
  guint8 op;

  glint_wire_trace_frame (GLINT_WIRE_IN, frame, len);
  /* the text that came before this frame, in its place: a banner before
   * a SYNC's answer is no news for the command sent after it */
  collect_boot_log (self);
  if (self->frame_waiter != NULL && self->frame_waiter->expected_frame != NULL &&
      len == g_bytes_get_size (self->frame_waiter->expected_frame) &&
      memcmp (frame, g_bytes_get_data (self->frame_waiter->expected_frame, NULL), len) == 0)
    {
      GTask *task;

      pending = g_steal_pointer (&self->frame_waiter);
      task = g_steal_pointer (&pending->task);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      pending_free (pending);
      return;
    }

  /* While raw frames are captured (stub READ_FLASH data, protocol.md
   * §6.4), a frame that answers no outstanding command is data. */
  if (self->capture_raw && !answers_pending (self, frame, len))
    {
      raw_frame_received (self, frame, len);
      return;
    }

  /* Responses only: direction 1 and a full header (protocol.md §1.3). */
  if (len < 8 || frame[0] != 0x01)
    {
      self->dropped_frames++;
      return;
    }

  /* The ROM sends its "unsupported" answer eight times, under the opcode
   * of the command it answered before: the repeats still on their way
   * answer nothing that came after, not even a command with that opcode
   * (a success never looks like the failure). */
  if (self->unsupported_left > 0 && self->unsupported_echo != NULL &&
      g_bytes_get_size (self->unsupported_echo) == len &&
      memcmp (g_bytes_get_data (self->unsupported_echo, NULL), frame, len) == 0)
    {
      self->unsupported_left--;
      self->dropped_frames++;
      return;
    }

  op = frame[1];
  pending = find_pending (self, op, glint_read_u32 (frame + 4));

  if (pending == NULL && self->pending.head != NULL && len >= 10 && frame[8] != 0 &&
      frame[9] == 0x05)
    {
      /* The ROM answers a command it does not know with "invalid message"
       * under another opcode, eight times (protocol.md §1.4). */
      Pending *head = self->pending.head->data;

      g_clear_pointer (&self->unsupported_echo, g_bytes_unref);
      self->unsupported_echo = g_bytes_new (frame, len);
      self->unsupported_left = UNSUPPORTED_REPEATS;
      g_queue_remove (&self->pending, head);
      head->answered = TRUE;
      pending_return_error (head, g_error_new (GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED,
                                               _("the chip does not support %s"),
                                               glint_loader_op_name (head->op)));
      if (self->pending.head != NULL)
        pending_start_timer (self, self->pending.head->data);
      return;
    }

  if (pending == NULL)
    {
      /* e.g. the seven extra SYNC answers, or a late MEM_END reply */
      if (op == GLINT_OP_SYNC)
        self->last_sync_frame_at = g_get_monotonic_time ();
      self->dropped_frames++;
      return;
    }

  complete_pending (self, pending, frame, len);
}

/* Text came while commands wait for their answers. A boot banner says the
 * chip reset: the answers will never come, and waiting out their budgets
 * and the late wait (tens of seconds for a write block) only delays the
 * recovery. Many unreadable bytes say the same where the chip printed its
 * boot log at its boot rate while the link runs at another (protocol.md
 * §7.2). Other text (a panic's tail, stray noise) leaves them waiting:
 * late is not lost. */
static void
check_chip_reset (GlintLoader *self,
                  gsize        size)
{
  g_autoptr(GlintLoader) keep = NULL;
  g_autoptr(GError) error = NULL;
  Pending *head = self->pending.head != NULL ? self->pending.head->data : NULL;
  const char *log = self->boot_log->str;
  gsize end = self->boot_log->len;
  gboolean banner = FALSE;
  GQueue abandoned = G_QUEUE_INIT;
  Pending *pending;

  if (head != NULL && head->op == GLINT_OP_SYNC)
    return;

  /* each line that ends in the new text (a reset line comes whole
   * soon after the banner, at the ROM's 115200 baud) */
  for (gsize at = end - size; at < end && !banner; at++)
    {
      gsize start = at;

      if (log[at] != '\n')
        continue;
      while (start > 0 && log[start - 1] != '\n' && at - start < 256)
        start--;
      banner = glint_protocol_line_shows_reset (log + start, at - start);
    }

  if (head == NULL && (!banner || self->frame_waiter == NULL))
    return;
  if (!banner && self->unreadable < UNREADABLE_RESET)
    return;

  if (banner)
    error = g_error_new (GLINT_ERROR, GLINT_ERROR_CHIP_RESET,
                         _("the chip reset before it answered %s: it printed its boot "
                           "messages (a brown-out or a watchdog)"),
                         head != NULL ? glint_loader_op_name (head->op) :
                         self->frame_waiter->expected_frame != NULL ? "MEM_END" : "READ_FLASH");
  else
    error = g_error_new (GLINT_ERROR, GLINT_ERROR_CHIP_RESET,
                         _("the chip sent %u unreadable bytes instead of the answer to %s: it "
                           "most likely reset (a brown-out or a watchdog) and printed its boot "
                           "messages at another rate"),
                         (guint) MIN (self->unreadable, G_MAXUINT), glint_loader_op_name (head->op));
  g_debug ("abandoning the commands in flight: %s", error->message);
  self->unreadable = 0;

  /* (a failed command's callback may send the next one, or drop the last
   * reference to the loader: see link_failed) */
  keep = g_object_ref (self);
  abandoned = self->pending;
  g_queue_init (&self->pending);
  while ((pending = g_queue_pop_head (&abandoned)) != NULL)
    pending_return_error (pending, g_error_copy (error));
  if (self->frame_waiter != NULL)
    pending_return_error (g_steal_pointer (&self->frame_waiter), g_error_copy (error));
}

static void
collect_boot_log (GlintLoader *self)
{
  g_autoptr(GBytes) text = glint_slip_decoder_take_text (self->decoder);
  gsize size = 0;
  const char *data;

  if (text == NULL)
    return;

  data = g_bytes_get_data (text, &size);
  if (size == 0)
    return;

  g_string_append_len (self->boot_log, data, size);
  self->unreadable += glint_protocol_unreadable_bytes ((const guint8 *) data, size);
  g_signal_emit (self, signals[SIGNAL_TEXT], 0, text);
  check_chip_reset (self, size);
  if (self->boot_log->len > BOOT_LOG_MAX)
    g_string_erase (self->boot_log, 0, self->boot_log->len - BOOT_LOG_MAX);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  ReadOp *op = user_data;
  GlintLoader *self = op->loader;
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);

  /* Cancelled means the loader is being disposed: it may be gone. */
  if (g_cancellable_is_cancelled (op->cancellable))
    {
      g_object_unref (op->cancellable);
      g_free (op);
      return;
    }

  if (n <= 0)
    {
      if (n == 0)
        link_failed (self, g_error_new (GLINT_ERROR, GLINT_ERROR_DISCONNECTED,
                                        _("%s closed the connection"),
                                        glint_stream_get_address (self->stream)));
      else
        link_failed (self, g_error_new (GLINT_ERROR, GLINT_ERROR_DISCONNECTED,
                                        _("reading from %s failed: %s"),
                                        glint_stream_get_address (self->stream),
                                        error->message));
      g_object_unref (op->cancellable);
      g_free (op);
      return;
    }

  g_object_ref (self);
  glint_slip_decoder_feed (self->decoder, op->buf, n, on_frame, self);
  collect_boot_log (self);
  g_object_unref (op->cancellable);
  g_free (op);
  read_next (self);
  g_object_unref (self);
}

static void
read_next (GlintLoader *self)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (self->stream));
  ReadOp *op;

  if (self->link_error != NULL || g_cancellable_is_cancelled (self->cancellable))
    return;

  /* The read holds no reference: the loader must be able to go away while
   * the chip is silent. dispose () cancels it, and read_cb () then leaves
   * the loader alone. */
  op = g_new0 (ReadOp, 1);
  op->loader = self;
  op->cancellable = g_object_ref (self->cancellable);
  g_input_stream_read_async (input, op->buf, sizeof op->buf, G_PRIORITY_DEFAULT,
                             op->cancellable, read_cb, op);
}

/* Writing ------------------------------------------------------------------------- */

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GlintLoader) self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n;
  gint64 now;

  n = g_output_stream_write_finish (G_OUTPUT_STREAM (object), result, &error);
  self->writing = FALSE;

  if (n < 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      link_failed (self, g_error_new (GLINT_ERROR, GLINT_ERROR_DISCONNECTED,
                                      _("writing to %s failed: %s"),
                                      glint_stream_get_address (self->stream), error->message));
      return;
    }

  g_byte_array_remove_range (self->out, 0, n);
  self->out_written += n;
  now = g_get_monotonic_time ();

  for (GList *l = self->pending.head; l != NULL; l = l->next)
    {
      Pending *pending = l->data;

      if (pending->sent_at == 0 && pending->write_end <= self->out_written)
        pending->sent_at = now;
    }

  if (self->pending.head != NULL)
    pending_start_timer (self, self->pending.head->data);
  if (self->frame_waiter != NULL && self->frame_waiter->sent_at == 0 &&
      self->out_written >= self->out_queued)
    {
      self->frame_waiter->sent_at = now;
      pending_start_timer (self, self->frame_waiter);
    }

  write_next (self);
}

static void
write_next (GlintLoader *self)
{
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (self->stream));

  if (self->writing || self->out->len == 0 || self->link_error != NULL)
    return;

  self->writing = TRUE;
  g_output_stream_write_async (output, self->out->data, self->out->len, G_PRIORITY_DEFAULT,
                               self->cancellable, write_cb, g_object_ref (self));
}

/* Object ---------------------------------------------------------------------------- */

static void
glint_loader_dispose (GObject *object)
{
  GlintLoader *self = GLINT_LOADER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->stream);

  G_OBJECT_CLASS (glint_loader_parent_class)->dispose (object);
}

static void
glint_loader_finalize (GObject *object)
{
  GlintLoader *self = GLINT_LOADER (object);

  g_assert (self->pending.length == 0 && self->held.length == 0);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->timing, glint_link_timing_free);
  g_clear_pointer (&self->decoder, glint_slip_decoder_free);
  g_clear_pointer (&self->out, g_byte_array_unref);
  g_string_free (self->boot_log, TRUE);
  g_clear_pointer (&self->unsupported_echo, g_bytes_unref);
  g_clear_error (&self->link_error);
  g_queue_clear_full (&self->raw_frames, (GDestroyNotify) g_bytes_unref);

  G_OBJECT_CLASS (glint_loader_parent_class)->finalize (object);
}

static void
glint_loader_class_init (GlintLoaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = glint_loader_dispose;
  object_class->finalize = glint_loader_finalize;

  /**
   * GlintLoader::waiting-late:
   * @self: the loader
   * @op: the command whose answer is overdue
   * @waited: seconds waited so far
   *
   * A command's answer did not come within its budget; the loader keeps
   * listening for a while longer before it calls the answer lost.
   */
  signals[SIGNAL_WAITING_LATE] =
    g_signal_new ("waiting-late", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_DOUBLE);

  /**
   * GlintLoader::text:
   * @self: the loader
   * @text: (type GBytes): bytes the chip sent outside frames, as they come
   *
   * What glint_loader_take_boot_log() will return, as it arrives: a boot
   * log in the middle of a job says the chip reset.
   */
  signals[SIGNAL_TEXT] =
    g_signal_new ("text", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
}

static void
glint_loader_init (GlintLoader *self)
{
  g_queue_init (&self->pending);
  g_queue_init (&self->held);
  self->cancellable = g_cancellable_new ();
  self->decoder = glint_slip_decoder_new (MAX_FRAME);
  self->out = g_byte_array_new ();
  self->boot_log = g_string_new (NULL);
  self->reset_delay_ms = GLINT_RESET_DEFAULT_DELAY_MS;
}

/**
 * glint_loader_new:
 * @stream: an open stream to the board
 *
 * Starts reading from @stream at once, so that nothing the chip says (a
 * boot log, late answers) is lost.
 */
GlintLoader *
glint_loader_new (GlintStream *stream)
{
  GlintLoader *self;

  g_return_val_if_fail (GLINT_IS_STREAM (stream), NULL);
  g_return_val_if_fail (glint_stream_get_is_open (stream), NULL);

  self = g_object_new (GLINT_TYPE_LOADER, NULL);
  self->stream = g_object_ref (stream);
  self->timing = glint_link_timing_new (glint_stream_get_is_remote (stream));
  read_next (self);

  return self;
}

GlintStream *
glint_loader_get_stream (GlintLoader *self)
{
  g_return_val_if_fail (GLINT_IS_LOADER (self), NULL);

  return self->stream;
}

/**
 * glint_loader_get_timing:
 *
 * Returns: (transfer none): the link estimate, to set a scale or an
 *   override, or to describe the link in messages
 */
GlintLinkTiming *
glint_loader_get_timing (GlintLoader *self)
{
  g_return_val_if_fail (GLINT_IS_LOADER (self), NULL);

  return self->timing;
}

/**
 * glint_loader_get_round_trips:
 *
 * Returns: how many responses have been received so far; the benchmarks
 *   count round trips with it
 */
guint
glint_loader_get_round_trips (GlintLoader *self)
{
  g_return_val_if_fail (GLINT_IS_LOADER (self), 0);

  return self->round_trips;
}

/**
 * glint_loader_take_boot_log:
 *
 * Returns: (transfer full): text the chip printed outside of frames since
 *   the last call (its boot messages), possibly empty
 */
char *
glint_loader_take_boot_log (GlintLoader *self)
{
  char *log;

  g_return_val_if_fail (GLINT_IS_LOADER (self), NULL);

  collect_boot_log (self);
  log = g_strndup (self->boot_log->str, self->boot_log->len);
  g_string_truncate (self->boot_log, 0);

  return log;
}

/**
 * glint_loader_set_probe_register:
 * @address: a register the chip reads at once and without side effects,
 *   in the ROM and the stub alike (a MAC word)
 *
 * From now on an answer that is overdue is checked with a READ_REG of
 * @address sent behind its command (protocol.md §7.3): when that answer
 * comes first, the overdue one was lost, and the command fails at once
 * with %GLINT_ERROR_TIMEOUT instead of after its budget and the late wait.
 */
void
glint_loader_set_probe_register (GlintLoader *self,
                                 guint32      address)
{
  glint_loader_set_probe_registers (self, &address, NULL, 1);
}

/**
 * glint_loader_set_probe_registers:
 * @addresses: (array length=n): registers as for
 *   glint_loader_set_probe_register(), in the order to try them
 * @values: (array length=n) (nullable): what each holds, where known (read
 *   at detection, from this chip)
 * @n: how many (two are kept); 0 stops probing
 *
 * With values, an overdue READ_REG is probed too: the probe's answer is
 * told from the READ_REG's by its value, so a probe reads a register the
 * waiting READ_REGs do not (protocol.md §7.3).
 */
void
glint_loader_set_probe_registers (GlintLoader   *self,
                                  const guint32 *addresses,
                                  const guint32 *values,
                                  guint          n)
{
  g_return_if_fail (GLINT_IS_LOADER (self));
  g_return_if_fail (n == 0 || addresses != NULL);

  self->n_probe_regs = MIN (n, G_N_ELEMENTS (self->probe_regs));
  for (guint i = 0; i < self->n_probe_regs; i++)
    {
      self->probe_regs[i].address = addresses[i];
      self->probe_regs[i].value = values != NULL ? values[i] : 0;
      self->probe_regs[i].value_known = values != NULL;
    }
}

void
glint_loader_set_reset_delay (GlintLoader *self,
                              guint        reset_delay_ms)
{
  g_return_if_fail (GLINT_IS_LOADER (self));

  self->reset_delay_ms = reset_delay_ms;
}

static Pending *
queue_request (GlintLoader       *self,
               GTask             *task,
               guint8             op,
               GBytes            *payload,
               guint32            checksum,
               gsize              resp_len,
               gint64             processing_us,
               GlintCommandFlags  flags)
{
  g_autoptr(GByteArray) request = g_byte_array_sized_new (8 + 64);
  Pending *pending = g_new0 (Pending, 1);
  gsize payload_len = payload != NULL ? g_bytes_get_size (payload) : 0;
  guint8 header[8];
  gsize before = self->out->len;

  header[0] = 0x00;
  header[1] = op;
  header[2] = payload_len & 0xFF;
  header[3] = (payload_len >> 8) & 0xFF;
  glint_put_u32 (header + 4, checksum);
  g_byte_array_append (request, header, sizeof header);
  if (payload_len > 0)
    g_byte_array_append (request, g_bytes_get_data (payload, NULL), payload_len);

  glint_wire_trace_frame (GLINT_WIRE_OUT, request->data, request->len);
  glint_slip_encode (request->data, request->len, self->out);

  pending->task = task;
  pending->op = op;
  pending->resp_len = resp_len;
  pending->processing_us = processing_us;
  pending->flags = flags;
  pending->owed_us = MIN (self->owed_taken, processing_us);
  self->owed_taken = 0;
  pending->request_wire_bytes = self->out->len - before;
  self->out_queued += pending->request_wire_bytes;
  pending->write_end = self->out_queued;
  pending->first_in_line = self->pending.length == 0;
  pending->seq = ++self->next_seq;
  if (op == GLINT_OP_READ_REG && payload_len >= 4)
    {
      pending->has_reg = TRUE;
      pending->reg = glint_read_u32 (g_bytes_get_data (payload, NULL));
    }

  return pending;
}

/**
 * glint_loader_command_async:
 * @op: the opcode
 * @payload: (nullable): the command's data field
 * @checksum: the header's checksum field (see glint_loader_checksum())
 * @resp_len: payload bytes the response carries before its status bytes
 * @processing_us: the longest the chip may reasonably work on it
 * @flags: #GlintCommandFlags
 *
 * Sends one command. The wait for its response is @processing_us plus the
 * wire time of request and response plus the link allowance; a timeout
 * names the command, the time waited and the measured round trip.
 */
void
glint_loader_command_async (GlintLoader         *self,
                            guint8               op,
                            GBytes              *payload,
                            guint32              checksum,
                            gsize                resp_len,
                            gint64               processing_us,
                            GlintCommandFlags    flags,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Pending *pending;

  g_return_if_fail (GLINT_IS_LOADER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, glint_loader_command_async);
  g_task_set_name (task, "glint-loader-command");
  g_task_set_check_cancellable (task, TRUE);

  if (self->link_error != NULL)
    {
      self->owed_taken = 0;
      g_task_return_error (task, g_error_copy (self->link_error));
      return;
    }

  pending = queue_request (self, g_steal_pointer (&task), op, payload, checksum, resp_len,
                           processing_us, flags);

  if (flags & GLINT_COMMAND_NO_RESPONSE)
    {
      GTask *done = g_steal_pointer (&pending->task);

      g_task_set_task_data (done, GUINT_TO_POINTER (0), NULL);
      g_task_return_pointer (done, g_bytes_new (NULL, 0), (GDestroyNotify) g_bytes_unref);
      g_object_unref (done);
      pending_free (pending);
    }
  else
    {
      if (g_queue_is_empty (&self->pending))
        self->unreadable = 0;
      g_queue_push_tail (&self->pending, pending);
      pending_watch_cancellable (pending);
    }

  write_next (self);
}

/**
 * glint_loader_command_finish:
 * @value: (out) (optional): the response's value field (READ_REG result)
 *
 * Returns: (transfer full): the response data before the status bytes
 */
GBytes *
glint_loader_command_finish (GlintLoader   *self,
                             GAsyncResult  *result,
                             guint32       *value,
                             GError       **error)
{
  GBytes *bytes;

  g_return_val_if_fail (GLINT_IS_LOADER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  bytes = g_task_propagate_pointer (G_TASK (result), error);
  if (bytes != NULL && value != NULL)
    *value = GPOINTER_TO_UINT (g_task_get_task_data (G_TASK (result)));

  return bytes;
}

gint64
_glint_loader_take_owed (GlintLoader *self)
{
  gint64 owed = self->owed_us;

  self->owed_us = 0;
  /* (the command sent next carries it: see pending_start_timer ()) */
  self->owed_taken = owed;
  return owed;
}

void
_glint_loader_set_owed (GlintLoader *self,
                        gint64       owed_us)
{
  self->owed_us = owed_us;
}

/* SYNC ------------------------------------------------------------------------------ */

static void
sync_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GError) error = NULL;
  guint32 value = 0;

  data = glint_loader_command_finish (GLINT_LOADER (object), result, &value, &error);
  if (data == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    {
      g_task_set_task_data (task, GUINT_TO_POINTER (value), NULL);
      g_task_return_boolean (task, TRUE);
    }
}

/**
 * glint_loader_sync_async:
 *
 * Sends one SYNC (protocol.md §3.1). The ROM answers it eight times; the
 * extra answers are dropped as they arrive, without waiting for them.
 */
void
glint_loader_sync_async (GlintLoader         *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) payload = NULL;
  guint8 data[36] = { 0x07, 0x07, 0x12, 0x20 };

  g_return_if_fail (GLINT_IS_LOADER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, glint_loader_sync_async);
  g_task_set_name (task, "glint-loader-sync");
  /* a new session: no stub work from an earlier one is owed */
  self->owed_us = 0;

  memset (data + 4, 0x55, 32);
  payload = g_bytes_new (data, sizeof data);
  /* The ROM answers SYNC straight away; allow it a millisecond. */
  glint_loader_command_async (self, GLINT_OP_SYNC, payload, 0, 0, 1000,
                              GLINT_COMMAND_SAMPLE_RTT, cancellable, sync_cb,
                              g_steal_pointer (&task));
}

/**
 * glint_loader_sync_finish:
 * @value: (out) (optional): non-zero from a ROM, zero from a running stub
 */
gboolean
glint_loader_sync_finish (GlintLoader   *self,
                          GAsyncResult  *result,
                          guint32       *value,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  if (value != NULL)
    *value = GPOINTER_TO_UINT (g_task_get_task_data (G_TASK (result)));

  return TRUE;
}

/* Batched register reads ------------------------------------------------------------- */

typedef struct
{
  guint32  *values;
  guint     n;
  guint     outstanding;
  GError   *error;
} ReadRegs;

typedef struct
{
  GTask   *task;
  guint    index;
} ReadRegOne;

static void
read_regs_free (gpointer data)
{
  ReadRegs *rr = data;

  g_free (rr->values);
  g_clear_error (&rr->error);
  g_free (rr);
}

static void
read_reg_one_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ReadRegOne *one = user_data;
  g_autoptr(GTask) task = one->task;
  ReadRegs *rr = g_task_get_task_data (task);
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GError) error = NULL;
  guint32 value = 0;

  data = glint_loader_command_finish (GLINT_LOADER (object), result, &value, &error);
  if (data != NULL)
    rr->values[one->index] = value;
  else if (rr->error == NULL)
    rr->error = g_steal_pointer (&error);

  g_free (one);

  if (--rr->outstanding > 0)
    return;

  if (rr->error != NULL)
    g_task_return_error (task, g_steal_pointer (&rr->error));
  else
    g_task_return_pointer (task, g_steal_pointer (&rr->values), g_free);
}

/**
 * glint_loader_read_regs_async:
 * @addresses: (array length=n_addresses): register addresses
 *
 * Reads independent registers in one round trip: all requests go out back
 * to back and the answers come back in order.
 */
void
glint_loader_read_regs_async (GlintLoader         *self,
                              const guint32       *addresses,
                              guint                n_addresses,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ReadRegs *rr;

  g_return_if_fail (GLINT_IS_LOADER (self));
  g_return_if_fail (n_addresses > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, glint_loader_read_regs_async);
  g_task_set_name (task, "glint-loader-read-regs");

  rr = g_new0 (ReadRegs, 1);
  rr->values = g_new0 (guint32, n_addresses);
  rr->n = n_addresses;
  rr->outstanding = n_addresses;
  g_task_set_task_data (task, rr, read_regs_free);

  for (guint i = 0; i < n_addresses; i++)
    {
      g_autoptr(GBytes) payload = NULL;
      ReadRegOne *one = g_new0 (ReadRegOne, 1);
      guint8 data[4];

      glint_put_u32 (data, addresses[i]);
      payload = g_bytes_new (data, sizeof data);
      one->task = g_object_ref (task);
      one->index = i;
      glint_loader_command_async (self, GLINT_OP_READ_REG, payload, 0, 0, 1000,
                                  GLINT_COMMAND_SAMPLE_RTT, cancellable, read_reg_one_cb, one);
    }
}

/**
 * glint_loader_read_regs_finish:
 *
 * Returns: (transfer full) (array): the values, in the order asked
 */
guint32 *
glint_loader_read_regs_finish (GlintLoader   *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Waiting for an unsolicited frame (the stub's OHAI) --------------------------------- */

/* Makes @task (owned) the frame waiter: for @expected, or for the next raw
 * frame when that is %NULL. */
static void
start_frame_waiter (GlintLoader *self,
                    GTask       *task,
                    GBytes      *expected,
                    gsize        expected_len,
                    gint64       processing_us)
{
  Pending *pending;

  g_task_set_check_cancellable (task, TRUE);

  if (self->link_error != NULL)
    {
      g_task_return_error (task, g_error_copy (self->link_error));
      g_object_unref (task);
      return;
    }
  if (self->frame_waiter != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "already waiting for a frame");
      g_object_unref (task);
      return;
    }

  pending = g_new0 (Pending, 1);
  pending->task = task;
  pending->expected_frame = expected != NULL ? g_bytes_ref (expected) : NULL;
  pending->processing_us = processing_us;
  pending->request_wire_bytes = expected_len + 2;
  self->frame_waiter = pending;
  pending_watch_cancellable (pending);

  /* The clock starts once everything we sent before has left. */
  if (self->out_written >= self->out_queued)
    {
      pending->sent_at = g_get_monotonic_time ();
      pending_start_timer (self, pending);
    }
}

/**
 * glint_loader_wait_frame_async:
 * @expected: the exact frame to wait for, e.g. "OHAI"
 * @processing_us: how long the chip may take before sending it
 *
 * Frames that arrive meanwhile (a late MEM_END answer) are dropped.
 */
void
glint_loader_wait_frame_async (GlintLoader         *self,
                               GBytes              *expected,
                               gint64               processing_us,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (GLINT_IS_LOADER (self));
  g_return_if_fail (expected != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, glint_loader_wait_frame_async);
  g_task_set_name (task, "glint-loader-wait-frame");
  start_frame_waiter (self, task, expected, g_bytes_get_size (expected), processing_us);
}

gboolean
glint_loader_wait_frame_finish (GlintLoader   *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Raw frames (stub READ_FLASH, protocol.md §6.4) ----------------------------------- */

/**
 * glint_loader_set_capture_raw:
 * @capture: whether to keep frames that answer no command
 *
 * While capturing, a frame that answers no outstanding command is kept, in
 * order, for glint_loader_wait_raw_frame_async() instead of being dropped.
 * Turning capture off drops whatever was kept.
 */
void
glint_loader_set_capture_raw (GlintLoader *self,
                              gboolean     capture)
{
  g_return_if_fail (GLINT_IS_LOADER (self));

  self->capture_raw = !!capture;
  if (!capture)
    g_queue_clear_full (&self->raw_frames, (GDestroyNotify) g_bytes_unref);
}

/**
 * glint_loader_wait_raw_frame_async:
 * @expected_len: how long the frame may be, for its wire time
 * @processing_us: how long the chip may take before sending it
 *
 * Waits for the next captured frame (see glint_loader_set_capture_raw()).
 * The clock starts once everything queued before has been written.
 */
void
glint_loader_wait_raw_frame_async (GlintLoader         *self,
                                   gsize                expected_len,
                                   gint64               processing_us,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (GLINT_IS_LOADER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, glint_loader_wait_raw_frame_async);
  g_task_set_name (task, "glint-loader-wait-raw-frame");

  if (!self->capture_raw)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               "raw frames are not being captured");
      g_object_unref (task);
      return;
    }
  if (self->raw_frames.length > 0)
    {
      g_task_return_pointer (task, g_queue_pop_head (&self->raw_frames),
                             (GDestroyNotify) g_bytes_unref);
      g_object_unref (task);
      return;
    }

  start_frame_waiter (self, task, NULL, expected_len, processing_us);
}

/**
 * glint_loader_wait_raw_frame_finish:
 *
 * Returns: (transfer full): the frame's content, without SLIP framing
 */
GBytes *
glint_loader_wait_raw_frame_finish (GlintLoader   *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * glint_loader_send_raw:
 * @data: the frame's content: no command header is added
 *
 * Queues one SLIP frame (a READ_FLASH acknowledgement). A write error
 * fails whatever waits for the chip.
 *
 * Returns: %FALSE if the link is already gone
 */
gboolean
glint_loader_send_raw (GlintLoader  *self,
                       GBytes       *data,
                       GError      **error)
{
  gsize before;

  g_return_val_if_fail (GLINT_IS_LOADER (self), FALSE);
  g_return_val_if_fail (data != NULL, FALSE);

  if (self->link_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->link_error));
      return FALSE;
    }

  before = self->out->len;
  glint_wire_trace_frame (GLINT_WIRE_OUT, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  glint_slip_encode (g_bytes_get_data (data, NULL), g_bytes_get_size (data), self->out);
  self->out_queued += self->out->len - before;
  write_next (self);

  return TRUE;
}

/* Reset sequences (protocol.md §3.3): glint-reset.c ----------------------------------- */

static void
reset_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (glint_reset_finish (GLINT_STREAM (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * glint_loader_reset_async:
 *
 * Runs one of esptool's reset sequences (glint_reset_async()) on the
 * loader's stream with the loader's reset delay. Fails with
 * %GLINT_ERROR_NOT_SUPPORTED where the stream cannot control DTR/RTS (the
 * caller then says the chip was not reset and goes on).
 */
void
glint_loader_reset_async (GlintLoader         *self,
                          GlintResetStrategy   strategy,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GLINT_IS_LOADER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, glint_loader_reset_async);
  g_task_set_name (task, "glint-loader-reset");
  self->owed_us = 0;

  glint_reset_async (self->stream, strategy, self->reset_delay_ms, cancellable, reset_cb,
                     g_steal_pointer (&task));
}

gboolean
glint_loader_reset_finish (GlintLoader   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
