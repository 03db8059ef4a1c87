/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>
#include <string.h>

#include "glint-sim-private.h"

/* GlintSim's event queue (see glint-sim.c): what the host sends reaching
 * the chip, the chip's answers reaching the host, and the GSource that
 * runs the events when they are due. */

void
_glint_sim_event_free (Event *ev)
{
  g_clear_pointer (&ev->bytes, g_bytes_unref);
  g_free (ev);
}

void
_glint_sim_update_ready_time (GlintSim *self)
{
  Event *head;

  if (self->source == NULL)
    return;

  head = g_queue_peek_head (&self->events);
  g_source_set_ready_time (self->source, head != NULL ? MAX (head->due, 0) : -1);
}

Event *
_glint_sim_push_event (GlintSim  *self,
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

  _glint_sim_update_ready_time (self);

  return ev;
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
  self->tx_busy_until = start + _glint_sim_wire_time (self, len, self->chip_baud);
  self->counters[GLINT_SIM_COUNTER_BYTES_OUT] += len;

  wire = _glint_sim_apply_faults (self, data, len, _glint_sim_link_garbled (self));
  if (wire->len == 0)
    return;

  /* (MAX evaluates its arguments twice: take the random delay once) */
  arrival = self->tx_busy_until + _glint_sim_link_delay (self);
  self->last_out_due = MAX (self->last_out_due, arrival);
  ev = _glint_sim_push_event (self, self->last_out_due, EV_OUTPUT);
  ev->bytes = g_byte_array_free_to_bytes (g_steal_pointer (&wire));
}

void
_glint_sim_send_bytes (GlintSim     *self,
                       gint64        t,
                       const guint8 *data,
                       gsize         len)
{
  send_raw (self, t, data, len);
}

void
_glint_sim_send_text (GlintSim   *self,
                      gint64      t,
                      const char *text)
{
  send_raw (self, t, (const guint8 *) text, strlen (text));
}

void
_glint_sim_send_frame (GlintSim     *self,
                       gint64        t,
                       const guint8 *data,
                       gsize         len)
{
  g_autoptr(GByteArray) wire = g_byte_array_sized_new (len + 16);

  glint_slip_encode (data, len, wire);
  send_raw (self, t, wire->data, wire->len);
}

/* A response: 01 op size value data status. */
void
_glint_sim_send_response (GlintSim     *self,
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
  if (self->garble_op != 0 && op == self->garble_op && self->garble_skip > 0)
    {
      self->garble_skip--;
    }
  else if (self->garble_op != 0 && op == self->garble_op)
    {
      value ^= 0x00400000;
      if (--self->garble_left == 0)
        self->garble_op = 0;
    }

  /* one-shot fault: the work is done, the answer lost on the way (the
   * host cannot tell what of it was done) */
  if (self->lose_op != 0 && op == self->lose_op && self->lose_skip > 0)
    {
      self->lose_skip--;
    }
  else if (self->lose_op != 0 && op == self->lose_op)
    {
      if (--self->lose_left == 0)
        self->lose_op = 0;
      return;
    }

  hdr[0] = 0x01;
  hdr[1] = op;
  hdr[2] = (len + status_len) & 0xFF;
  hdr[3] = ((len + status_len) >> 8) & 0xFF;
  glint_put_u32 (hdr + 4, value);
  g_byte_array_append (pkt, hdr, sizeof hdr);
  if (len > 0)
    g_byte_array_append (pkt, data, len);
  g_byte_array_append (pkt, status, status_len);

  _glint_sim_send_frame (self, t, pkt->data, pkt->len);
}

/* Finishes a command that took dur_us of (unscaled) processing time. */
void
_glint_sim_finish (GlintSim     *self,
                   gint64        t,
                   gdouble       dur_us,
                   guint8        op,
                   guint32       value,
                   const guint8 *data,
                   gsize         len,
                   guint8        rom_error,
                   guint16       stub_error)
{
  self->cpu_busy_until = t + _glint_sim_scaled (self, dur_us);
  _glint_sim_send_response (self, self->cpu_busy_until, op, value, data, len, rom_error,
                            stub_error);
}

void
_glint_sim_fail (GlintSim *self,
                 gint64    t,
                 guint8    op,
                 guint8    rom_error,
                 guint16   stub_error)
{
  _glint_sim_finish (self, t, CMD_US, op, 0, NULL, 0, rom_error, stub_error);
}

static void
schedule_cpu (GlintSim *self,
              gint64    t)
{
  Event *ev;

  if (self->cpu_scheduled || g_queue_is_empty (&self->pending))
    return;

  self->cpu_scheduled = TRUE;
  ev = _glint_sim_push_event (self, MAX (t, self->cpu_busy_until), EV_CPU);
  ev->gen = self->gen;
}

static void
handle_cpu (GlintSim *self,
            gint64    t)
{
  g_autoptr(GBytes) item = NULL;
  const guint8 *data;
  gsize len;
  gint64 arrived;

  self->cpu_scheduled = FALSE;
  if (!_glint_sim_in_loader (self))
    return;

  item = g_queue_pop_head (&self->pending);
  if (item == NULL)
    return;

  data = g_bytes_get_data (item, &len);
  memcpy (&arrived, data, sizeof arrived);
  t = MAX (MAX (t, arrived), self->cpu_busy_until);
  self->cpu_holds_frame = TRUE;
  self->frame_arrived = arrived;
  self->work_from = self->work_to = 0;
  _glint_sim_handle_frame (self, t, data + sizeof arrived, len - sizeof arrived);
  self->cpu_busy_until = MAX (self->cpu_busy_until, t);

  if (self->mode == GLINT_SIM_MODE_STUB && self->reading && self->stub_rx_frames > 0)
    {
      /* esp-flasher-stub releases READ_FLASH's frame and each
       * acknowledgement as it takes them, but its main loop sends a packet
       * before it looks at the next frame (protocol.md §9). */
      self->cpu_holds_frame = FALSE;
      self->cpu_busy_until = MAX (self->cpu_busy_until, self->tx_busy_until);
    }

  if (_glint_sim_in_loader (self))
    schedule_cpu (self, self->cpu_busy_until);
}

#define USB_OTG_BLOCK 0x800

/* Frames the stub holds at time t, once its main loop took what it could
 * by then: the one it works on and those waiting in its buffers. */
static guint
stub_frames_held (GlintSim *self,
                  gint64    t)
{
  while (!g_queue_is_empty (&self->pending) && self->cpu_busy_until <= t &&
         _glint_sim_in_loader (self))
    handle_cpu (self, self->cpu_busy_until);

  return g_queue_get_length (&self->pending) +
         (self->cpu_holds_frame && self->cpu_busy_until > t ? 1 : 0);
}

/* The legacy stub's interrupt finished @frame while one waited and the
 * main loop still worked on the one before: the waiting frame is never
 * answered, and @frame was decoded into the buffer in work. A data block
 * being written then writes @frame's bytes instead of its own (compressed,
 * they do not inflate). */
static void
legacy_replace_waiting (GlintSim     *self,
                        const guint8 *frame,
                        gsize         len)
{
  g_autoptr(GBytes) lost = g_queue_pop_tail (&self->pending);
  gsize lost_len = 0;
  const guint8 *lost_data = g_bytes_get_data (lost, &lost_len);

  self->counters[GLINT_SIM_COUNTER_FRAMES_LOST]++;
  g_debug ("sim: legacy stub: opcode 0x%02x replaced the waiting opcode 0x%02x, which is "
           "never answered", len > 1 ? frame[1] : 0,
           lost_len > sizeof (gint64) + 1 ? lost_data[sizeof (gint64) + 1] : 0);

  if (!self->cpu_holds_frame || self->cpu_busy_until <= self->rx_time ||
      self->work_to <= self->work_from || len == 0)
    return;

  for (guint32 a = self->work_from; a < self->work_to && a < self->flash_size; a++)
    self->flash[a] = frame[(a - self->work_from) % len];
  if (self->deflating && self->carried_error == 0)
    self->carried_error = GLINT_STUB_ERR_INFLATE;
  g_debug ("sim: legacy stub: the data block in work (0x%x..0x%x) was overwritten",
           self->work_from, self->work_to);
}

static void
rx_frame_cb (const guint8 *frame,
             gsize         len,
             gpointer      user_data)
{
  GlintSim *self = user_data;
  GByteArray *item;

  self->counters[GLINT_SIM_COUNTER_FRAMES_IN]++;

  /* The chip's own USB-OTG CDC takes data blocks of 0x800 bytes at most
   * (esptool's USB_RAM_BLOCK, protocol.md §5.3); a larger one does not
   * arrive whole (what silicon does with it is not documented: lost). */
  if (self->usb_otg && len > 8 + 16 + USB_OTG_BLOCK)
    {
      self->counters[GLINT_SIM_COUNTER_FRAMES_LOST]++;
      g_debug ("sim: a frame of %" G_GSIZE_FORMAT " bytes (opcode 0x%02x) is too large for "
               "the USB-OTG CDC buffer", len, len > 1 ? frame[1] : 0);
      return;
    }

  /* esptool's legacy stub takes every frame: a second one waiting replaces
   * the first as "the command", in the buffer the main loop works on
   * (protocol.md §9). */
  if (self->mode == GLINT_SIM_MODE_STUB && self->legacy_stub)
    {
      stub_frames_held (self, self->rx_time);
      if (!g_queue_is_empty (&self->pending))
        legacy_replace_waiting (self, frame, len);
    }
  /* esp-flasher-stub has two receive buffers: the frame its main loop works
   * on keeps one, one more frame may wait, and the interrupt discards a
   * frame that finds no buffer (protocol.md §9). */
  else if (self->mode == GLINT_SIM_MODE_STUB && self->stub_rx_frames > 0 &&
      stub_frames_held (self, self->rx_time) >= self->stub_rx_frames)
    {
      self->counters[GLINT_SIM_COUNTER_FRAMES_LOST]++;
      g_debug ("sim: stub lost a frame (opcode 0x%02x, %" G_GSIZE_FORMAT " bytes): "
               "its receive buffers are full", len > 1 ? frame[1] : 0, len);
      return;
    }

  item = g_byte_array_sized_new (sizeof self->rx_time + len);
  g_byte_array_append (item, (const guint8 *) &self->rx_time, sizeof self->rx_time);
  g_byte_array_append (item, frame, len);
  g_queue_push_tail (&self->pending, g_byte_array_free_to_bytes (item));
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
      _glint_sim_go_dead (self);
      return;
    }
  self->counters[GLINT_SIM_COUNTER_BYTES_IN] += len;

  if (self->mode == GLINT_SIM_MODE_APP)
    {
      _glint_sim_improv_feed (self, t, data, len);
      return;
    }

  if (!_glint_sim_in_loader (self))
    return;

  /* The ROM's auto-baud detector copes with any rate until a
   * CHANGE_BAUDRATE fixed it; a wrong rate garbles otherwise. */
  if (_glint_sim_link_garbled (self) &&
      !(self->mode == GLINT_SIM_MODE_ROM && self->autobaud &&
        (self->max_baud == 0 || self->host_baud <= self->max_baud)))
    {
      garbled = g_malloc (len);
      for (gsize i = 0; i < len; i++)
        garbled[i] = g_rand_int_range (self->rand, 0, 256);
      self->counters[GLINT_SIM_COUNTER_GARBLED] += len;
      data = garbled;
    }

  if (self->mode != GLINT_SIM_MODE_STUB || (self->stub_rx_frames == 0 && !self->legacy_stub))
    {
      self->rx_time = t;
      glint_slip_decoder_feed (self->rx, data, len, rx_frame_cb, self);
      return;
    }

  /* Frame by frame: each one's end reached the chip when the bytes behind
   * it were still on the wire, which decides whether a buffer was free. */
  for (gsize i = 0; i < len;)
    {
      const guint8 *end = memchr (data + i, 0xC0, len - i);
      gsize n = end != NULL ? (gsize) (end - data) + 1 - i : len - i;

      self->rx_time = t - _glint_sim_wire_time (self, len - i - n, self->chip_baud);
      glint_slip_decoder_feed (self->rx, data + i, n, rx_frame_cb, self);
      i += n;
    }
  self->rx_time = t;
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
      _glint_sim_handle_lines (self, ev->due, ev->mask, ev->values);
      break;

    case EV_HOST_BAUD:
      self->host_baud = ev->baud;
      break;

    case EV_OUTPUT:
      if (self->mode != GLINT_SIM_MODE_DEAD)
        g_signal_emit (self, _glint_sim_signals[SIGNAL_OUTPUT], 0, ev->bytes);
      break;

    case EV_BOOT:
      if (ev->gen == self->gen)
        _glint_sim_handle_boot (self, ev->due, ev->boot);
      break;

    case EV_APP_TICK:
      if (ev->gen == self->gen && self->mode == GLINT_SIM_MODE_APP)
        _glint_sim_app_tick (self, ev->due);
      break;

    case EV_CPU:
      if (ev->gen == self->gen)
        handle_cpu (self, ev->due);
      break;

    default:
      g_assert_not_reached ();
    }
}

gboolean
_glint_sim_run_events_cb (gpointer user_data)
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
      _glint_sim_event_free (ev);
    }

  _glint_sim_update_ready_time (self);
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

GSourceFuncs _glint_sim_source_funcs = {
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
    self->last_in_delay = _glint_sim_link_delay (self);
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
  self->host_tx_busy_until = start + _glint_sim_wire_time (self, len, self->chip_baud);

  wire = _glint_sim_apply_faults (self, data, len, FALSE);
  if (wire->len == 0)
    return;

  ev = _glint_sim_push_event (self, host_item_due (self, self->host_tx_busy_until), EV_HOST_BYTES);
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

  ev = _glint_sim_push_event (self, host_item_due (self, g_get_monotonic_time ()), EV_HOST_LINES);
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

  ev = _glint_sim_push_event (self, host_item_due (self, g_get_monotonic_time ()), EV_HOST_BAUD);
  ev->baud = baud;
}
