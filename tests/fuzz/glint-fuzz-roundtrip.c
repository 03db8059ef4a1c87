/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-fuzz-roundtrip.h"
#include "glint-slip.h"
#include "glint-telnet.h"

/* A serial port or a socket hands over what arrived so far: anything from
 * one byte to all of it, cut anywhere, also inside an escape sequence. */
static void
feed_in_pieces (const GByteArray *encoded,
                GRand            *rand,
                void            (*feed) (const guint8 *piece,
                                         gsize         len,
                                         gpointer      user_data),
                gpointer          user_data)
{
  gsize pos = 0;

  while (pos < encoded->len)
    {
      gsize left = encoded->len - pos;
      gsize piece;

      /* mostly short pieces, now and then a long one */
      if (g_rand_int_range (rand, 0, 4) == 0)
        piece = g_rand_int_range (rand, 1, (gint32) MIN (left, (gsize) G_MAXINT32 - 1) + 1);
      else
        piece = g_rand_int_range (rand, 1, 4);
      piece = MIN (piece, left);
      feed (encoded->data + pos, piece, user_data);
      pos += piece;
    }
}

guint32
glint_round_trip_seed (const guint8 *data,
                       gsize         len)
{
  guint32 h = 2166136261u;

  for (gsize i = 0; i < len; i++)
    h = (h ^ data[i]) * 16777619u;

  return h;
}

/* SLIP ------------------------------------------------------------------------ */

typedef struct
{
  GlintSlipDecoder *decoder;
  GPtrArray        *frames;   /* GBytes, as decoded */
} SlipRun;

static void
slip_frame_cb (const guint8 *frame,
               gsize         len,
               gpointer      user_data)
{
  SlipRun *run = user_data;

  g_ptr_array_add (run->frames, g_bytes_new (frame, len));
}

static void
slip_feed (const guint8 *piece,
           gsize         len,
           gpointer      user_data)
{
  SlipRun *run = user_data;

  glint_slip_decoder_feed (run->decoder, piece, len, slip_frame_cb, run);
}

void
glint_round_trip_slip (const guint8 *data,
                       gsize         len,
                       guint32       seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GByteArray) encoded = g_byte_array_new ();
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GlintSlipDecoder) decoder = glint_slip_decoder_new (MAX (len, (gsize) 1));
  SlipRun run = { decoder, frames };
  gsize pos = 0;

  /* @data as one to four frames (an empty frame is no frame in SLIP) */
  while (pos < len)
    {
      gsize n = g_rand_int_range (rand, 0, 4) == 0 ? len - pos :
                (gsize) g_rand_int_range (rand, 1, (gint32) MIN (len - pos, (gsize) 1 << 20) + 1);

      glint_slip_encode (data + pos, n, encoded);
      g_ptr_array_add (expected, g_bytes_new (data + pos, n));
      pos += n;
    }

  feed_in_pieces (encoded, rand, slip_feed, &run);

  g_assert_cmpuint (frames->len, ==, expected->len);
  for (guint i = 0; i < frames->len; i++)
    g_assert_true (g_bytes_equal (g_ptr_array_index (frames, i),
                                  g_ptr_array_index (expected, i)));
  g_assert_cmpuint (glint_slip_decoder_get_garbage (decoder), ==, 0);
  g_assert_cmpuint (glint_slip_decoder_get_bad_frames (decoder), ==, 0);
  g_assert_false (glint_slip_decoder_in_frame (decoder));
}

/* Telnet ---------------------------------------------------------------------- */

typedef struct
{
  GlintTelnetDecoder *decoder;
  GByteArray         *data;
  GString            *events;   /* one line per event, in order */
} TelnetRun;

static void
describe_event (GString      *events,
                guint8        type,
                guint8        verb,
                guint8        option,
                const guint8 *payload,
                gsize         len)
{
  g_string_append_printf (events, "%u %u %u:", type, verb, option);
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (events, " %02x", payload[i]);
  g_string_append_c (events, '\n');
}

static void
telnet_event_cb (const GlintTelnetEvent *event,
                 gpointer                user_data)
{
  TelnetRun *run = user_data;

  /* where in the data it came matters too */
  g_string_append_printf (run->events, "@%u ", run->data->len);
  describe_event (run->events, event->type, event->verb, event->option, event->payload,
                  event->payload_len);
}

static void
telnet_feed (const guint8 *piece,
             gsize         len,
             gpointer      user_data)
{
  TelnetRun *run = user_data;

  glint_telnet_decoder_feed (run->decoder, piece, len, run->data);
}

void
glint_round_trip_telnet (const guint8 *data,
                         gsize         len,
                         guint32       seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GByteArray) encoded = g_byte_array_new ();
  g_autoptr(GString) expected_events = g_string_new (NULL);
  g_autoptr(GlintTelnetDecoder) decoder = NULL;
  TelnetRun run = { NULL, g_byte_array_new (), g_string_new (NULL) };
  gsize pos = 0;

  run.decoder = decoder = glint_telnet_decoder_new (telnet_event_cb, &run);

  /* the data in pieces, and between them what an RFC 2217 peer sends:
   * negotiations, and COM-PORT subnegotiations whose payload (taken from
   * the data, so IAC turns up there too) is escaped */
  while (pos < len)
    {
      gsize n = (gsize) g_rand_int_range (rand, 1, (gint32) MIN (len - pos, (gsize) 64) + 1);

      glint_telnet_escape (encoded, data + pos, n);
      pos += n;
      if (pos == len)
        break;

      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0:
          {
            guint8 verb = (guint8) g_rand_int_range (rand, GLINT_TELNET_WILL,
                                                     GLINT_TELNET_DONT + 1);
            guint8 option = data[pos];

            glint_telnet_append_negotiation (encoded, verb, option);
            g_string_append_printf (expected_events, "@%u ", (guint) pos);
            describe_event (expected_events, GLINT_TELNET_EVENT_NEGOTIATION, verb, option,
                            NULL, 0);
          }
          break;
        case 1:
          {
            gsize sb = g_rand_int_range (rand, 0, GLINT_TELNET_SB_MAX);

            sb = MIN (sb, len - pos);

            glint_telnet_append_subneg (encoded, GLINT_TELNET_OPT_COM_PORT, data + pos, sb);
            g_string_append_printf (expected_events, "@%u ", (guint) pos);
            describe_event (expected_events, GLINT_TELNET_EVENT_SUBNEGOTIATION, 0,
                            GLINT_TELNET_OPT_COM_PORT, data + pos, sb);
          }
          break;
        default:
          break;
        }
    }

  feed_in_pieces (encoded, rand, telnet_feed, &run);

  g_assert_cmpmem (run.data->data, run.data->len, data, len);
  g_assert_cmpstr (run.events->str, ==, expected_events->str);
  g_assert_cmpuint (glint_telnet_decoder_get_malformed (decoder), ==, 0);

  g_byte_array_unref (run.data);
  g_string_free (run.events, TRUE);
}
