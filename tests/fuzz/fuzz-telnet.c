/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-fuzz.h"
#include "glint-fuzz-roundtrip.h"
#include "glint-telnet.h"

/* The telnet / RFC 2217 decoder as the RFC 2217 stream uses it: data
 * bytes out, negotiations answered through the option table, COM-PORT
 * subnegotiations read. Escaping the data again and decoding it must give
 * the same data.  And the input itself, escaped with negotiations between
 * its pieces and cut anywhere, must decode to exactly the input. */

typedef struct
{
  GlintTelnetOptions options;
  GByteArray        *replies;
} State;

static void
event_cb (const GlintTelnetEvent *event,
          gpointer                user_data)
{
  State *state = user_data;

  if (event->type == GLINT_TELNET_EVENT_NEGOTIATION)
    glint_telnet_options_receive (&state->options, event->verb, event->option, state->replies);
  else if (event->option == 44 && event->payload_len >= 5)
    glint_telnet_com_port_get_u32 (event->payload + 1);
  else
    g_assert_true (event->payload != NULL || event->payload_len == 0);
}

static void
no_event_cb (const GlintTelnetEvent *event,
             gpointer                user_data)
{
  g_assert_not_reached ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  State state = { 0 };
  g_autoptr(GlintTelnetDecoder) decoder = NULL;
  g_autoptr(GlintTelnetDecoder) again = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) escaped = g_byte_array_new ();
  g_autoptr(GByteArray) back = g_byte_array_new ();
  gsize pos = 0;

  glint_round_trip_telnet (data, size, glint_round_trip_seed (data, size));

  state.replies = g_byte_array_new ();
  glint_telnet_options_init_com_port (&state.options);
  decoder = glint_telnet_decoder_new (event_cb, &state);

  while (pos < size)
    {
      gsize chunk = MIN (size - pos, (gsize) (1 + data[pos] % 61));

      glint_telnet_decoder_feed (decoder, data + pos, chunk, out);
      pos += chunk;
    }
  glint_telnet_decoder_get_malformed (decoder);

  /* round trip of the data bytes */
  glint_telnet_escape (escaped, out->data, out->len);
  again = glint_telnet_decoder_new (no_event_cb, NULL);
  glint_telnet_decoder_feed (again, escaped->data, escaped->len, back);
  g_assert_cmpmem (back->data, back->len, out->data, out->len);

  g_byte_array_unref (state.replies);

  return 0;
}
