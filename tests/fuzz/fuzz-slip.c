/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-fuzz.h"
#include "glint-fuzz-roundtrip.h"
#include "glint-slip.h"

/* The SLIP decoder, fed in pieces as a serial port delivers them; every
 * frame it returns must encode and decode back to itself.  And the other
 * way round, which catches decoder bugs: the input encoded as frames, cut
 * anywhere, must decode to exactly the input. */

typedef struct
{
  const guint8 *frame;
  gsize         len;
  gsize         n;
} Expect;

static void
again_cb (const guint8 *frame,
          gsize         len,
          gpointer      user_data)
{
  Expect *expect = user_data;

  g_assert_cmpmem (frame, len, expect->frame, expect->len);
  expect->n++;
}

static void
frame_cb (const guint8 *frame,
          gsize         len,
          gpointer      user_data)
{
  g_autoptr(GByteArray) encoded = g_byte_array_new ();
  g_autoptr(GlintSlipDecoder) again = glint_slip_decoder_new (len);
  Expect expect = { frame, len, 0 };
  gsize *n_frames = user_data;

  g_assert_cmpuint (len, >, 0);
  glint_slip_encode (frame, len, encoded);
  glint_slip_decoder_feed (again, encoded->data, encoded->len, again_cb, &expect);
  g_assert_cmpuint (expect.n, ==, 1);
  (*n_frames)++;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GlintSlipDecoder) decoder = NULL;
  gsize max_frame;
  gsize n_frames = 0;
  gsize pos = 0;

  glint_round_trip_slip (data, size, glint_round_trip_seed (data, size));

  if (size < 2)
    return 0;

  /* first byte: the decoder's frame limit; the rest: the wire, in chunks
   * whose sizes come from the data itself */
  max_frame = 1 + data[0] * 64;
  decoder = glint_slip_decoder_new (max_frame);
  data++;
  size--;

  while (pos < size)
    {
      gsize chunk = MIN (size - pos, (gsize) (1 + data[pos] % 97));

      glint_slip_decoder_feed (decoder, data + pos, chunk, frame_cb, &n_frames);
      pos += chunk;
    }

  glint_slip_decoder_in_frame (decoder);
  glint_slip_decoder_get_garbage (decoder);
  glint_slip_decoder_get_bad_frames (decoder);
  g_bytes_unref (glint_slip_decoder_take_text (decoder));
  glint_slip_decoder_reset (decoder);

  return 0;
}
