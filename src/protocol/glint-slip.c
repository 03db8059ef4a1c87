/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-slip.h"

/*
 * SLIP as Espressif uses it (protocol.md §1.1): every frame is wrapped in
 * 0xC0 on both sides and 0xC0/0xDB inside are escaped.  The decoder is
 * incremental so it can be fed whatever a read returned.  Bytes outside a
 * frame are kept as "text": that is where a chip's boot log shows up, and the
 * loader uses it to tell the user the board is in the wrong boot mode.
 */

#define TEXT_MAX 4096

typedef enum
{
  STATE_IDLE,       /* between frames, nothing unusual seen */
  STATE_GARBAGE,    /* between frames, non-delimiter bytes seen */
  STATE_IN_FRAME,   /* after an opening 0xC0 */
  STATE_DISCARD,    /* inside a bad frame, waiting for the next 0xC0 */
} State;

struct _GlintSlipDecoder
{
  State       state;
  gboolean    escape;
  gsize       max_frame;
  GByteArray *frame;
  guint64     garbage;
  guint64     bad_frames;
  guint8      text[TEXT_MAX];
  gsize       text_start;     /* ring buffer of the last TEXT_MAX garbage bytes */
  gsize       text_len;
};

/**
 * glint_slip_encode:
 * @data: the raw packet
 * @len: its length
 * @out: where the encoded frame is appended
 *
 * Appends `C0`, the escaped packet and `C0` to @out.
 *
 * Returns: the number of bytes appended
 */
gsize
glint_slip_encode (const guint8 *data,
                   gsize         len,
                   GByteArray   *out)
{
  static const guint8 end = GLINT_SLIP_END;
  static const guint8 esc_end[2] = { GLINT_SLIP_ESC, GLINT_SLIP_ESC_END };
  static const guint8 esc_esc[2] = { GLINT_SLIP_ESC, GLINT_SLIP_ESC_ESC };
  gsize before;
  gsize run = 0;

  g_return_val_if_fail (out != NULL, 0);
  g_return_val_if_fail (data != NULL || len == 0, 0);

  before = out->len;
  g_byte_array_append (out, &end, 1);

  /* Copy runs of plain bytes in one go; payloads are mostly plain. */
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] != GLINT_SLIP_END && data[i] != GLINT_SLIP_ESC)
        continue;

      if (i > run)
        g_byte_array_append (out, data + run, i - run);
      g_byte_array_append (out, data[i] == GLINT_SLIP_END ? esc_end : esc_esc, 2);
      run = i + 1;
    }
  if (len > run)
    g_byte_array_append (out, data + run, len - run);

  g_byte_array_append (out, &end, 1);

  return out->len - before;
}

/**
 * glint_slip_decoder_new:
 * @max_frame: the longest payload accepted, 0 for no limit
 *
 * Returns: (transfer full): a new decoder
 */
GlintSlipDecoder *
glint_slip_decoder_new (gsize max_frame)
{
  GlintSlipDecoder *self = g_new0 (GlintSlipDecoder, 1);

  self->max_frame = max_frame > 0 ? max_frame : G_MAXSIZE;
  self->frame = g_byte_array_new ();
  self->state = STATE_IDLE;

  return self;
}

void
glint_slip_decoder_free (GlintSlipDecoder *self)
{
  if (self == NULL)
    return;

  g_byte_array_unref (self->frame);
  g_free (self);
}

/**
 * glint_slip_decoder_reset:
 * @self: a #GlintSlipDecoder
 *
 * Drops a partial frame and the collected text and clears the counters.
 */
void
glint_slip_decoder_reset (GlintSlipDecoder *self)
{
  g_return_if_fail (self != NULL);

  self->state = STATE_IDLE;
  self->escape = FALSE;
  g_byte_array_set_size (self->frame, 0);
  self->garbage = 0;
  self->bad_frames = 0;
  self->text_start = 0;
  self->text_len = 0;
}

static void
add_text (GlintSlipDecoder *self,
          guint8            byte)
{
  if (self->text_len < TEXT_MAX)
    {
      self->text[(self->text_start + self->text_len) % TEXT_MAX] = byte;
      self->text_len++;
    }
  else
    {
      /* Full: overwrite the oldest byte, keeping the last 4 KiB. */
      self->text[self->text_start] = byte;
      self->text_start = (self->text_start + 1) % TEXT_MAX;
    }
}

static void
start_frame (GlintSlipDecoder *self)
{
  self->state = STATE_IN_FRAME;
  self->escape = FALSE;
  g_byte_array_set_size (self->frame, 0);
}

static void
discard_frame (GlintSlipDecoder *self)
{
  self->bad_frames++;
  self->state = STATE_DISCARD;
  self->escape = FALSE;
  g_byte_array_set_size (self->frame, 0);
}

static void
add_frame_byte (GlintSlipDecoder *self,
                guint8            byte)
{
  if (self->frame->len >= self->max_frame)
    discard_frame (self);
  else
    g_byte_array_append (self->frame, &byte, 1);
}

/**
 * glint_slip_decoder_feed:
 * @self: a #GlintSlipDecoder
 * @data: received bytes
 * @len: their number
 * @func: called for every complete, non-empty frame
 * @user_data: passed to @func
 *
 * Feeds bytes in any chunking.  Empty frames (`C0 C0`) are not reported: the
 * second delimiter just opens the frame again, so a frame whose tail was lost
 * costs only that frame.  A bad escape or an oversize frame discards the
 * frame; decoding resumes at the next `C0`.
 */
void
glint_slip_decoder_feed (GlintSlipDecoder  *self,
                         const guint8      *data,
                         gsize              len,
                         GlintSlipFrameFunc func,
                         gpointer           user_data)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || len == 0);

  for (gsize i = 0; i < len; i++)
    {
      guint8 byte = data[i];

      switch (self->state)
        {
        case STATE_IDLE:
        case STATE_GARBAGE:
          if (byte == GLINT_SLIP_END)
            {
              start_frame (self);
            }
          else
            {
              self->state = STATE_GARBAGE;
              self->garbage++;
              add_text (self, byte);
            }
          break;

        case STATE_DISCARD:
          if (byte == GLINT_SLIP_END)
            start_frame (self);
          break;

        case STATE_IN_FRAME:
          if (self->escape)
            {
              self->escape = FALSE;
              if (byte == GLINT_SLIP_ESC_END)
                add_frame_byte (self, GLINT_SLIP_END);
              else if (byte == GLINT_SLIP_ESC_ESC)
                add_frame_byte (self, GLINT_SLIP_ESC);
              else if (byte == GLINT_SLIP_END)
                {
                  /* The delimiter itself: this frame is bad, but the C0
                   * may well open the next one. */
                  discard_frame (self);
                  start_frame (self);
                }
              else
                discard_frame (self);
            }
          else if (byte == GLINT_SLIP_ESC)
            {
              self->escape = TRUE;
            }
          else if (byte == GLINT_SLIP_END)
            {
              if (self->frame->len > 0)
                {
                  g_autoptr(GByteArray) frame = g_steal_pointer (&self->frame);

                  /* Reset before calling out so that func may feed or reset
                   * the decoder again. */
                  self->frame = g_byte_array_new ();
                  self->state = STATE_IDLE;
                  if (func != NULL)
                    func (frame->data, frame->len, user_data);
                }
              /* else: C0 C0 — stay in the frame that just opened */
            }
          else
            {
              add_frame_byte (self, byte);
            }
          break;

        default:
          g_assert_not_reached ();
        }
    }
}

/**
 * glint_slip_decoder_in_frame:
 * @self: a #GlintSlipDecoder
 *
 * Returns: %TRUE while a frame has been opened but not yet closed (also
 *   while a bad frame is being skipped)
 */
gboolean
glint_slip_decoder_in_frame (GlintSlipDecoder *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->state == STATE_IN_FRAME || self->state == STATE_DISCARD;
}

guint64
glint_slip_decoder_get_garbage (GlintSlipDecoder *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->garbage;
}

guint64
glint_slip_decoder_get_bad_frames (GlintSlipDecoder *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->bad_frames;
}

/**
 * glint_slip_decoder_take_text:
 * @self: a #GlintSlipDecoder
 *
 * Returns the last 4 KiB of bytes seen outside frames (a boot log, a panic
 * message) and forgets them.  The garbage counter is not reset.
 *
 * Returns: (transfer full): the text, possibly empty but never %NULL
 */
GBytes *
glint_slip_decoder_take_text (GlintSlipDecoder *self)
{
  guint8 *buf;
  gsize len;

  g_return_val_if_fail (self != NULL, NULL);

  len = self->text_len;
  buf = g_malloc (len + 1);
  for (gsize i = 0; i < len; i++)
    buf[i] = self->text[(self->text_start + i) % TEXT_MAX];
  buf[len] = '\0';

  self->text_start = 0;
  self->text_len = 0;

  return g_bytes_new_take (buf, len);
}
