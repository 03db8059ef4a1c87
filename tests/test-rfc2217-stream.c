/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>

#include "glint-error.h"
#include "glint-rfc2217-server.h"
#include "glint-rfc2217-stream.h"
#include "glint-stream-address.h"
#include "glint-telnet.h"
#include "glint-test-utils.h"

/* Codec */

typedef struct
{
  GString *log;   /* events as text, for comparisons */
} EventLog;

static void
log_event_cb (const GlintTelnetEvent *event,
              gpointer                user_data)
{
  EventLog *log = user_data;

  if (event->type == GLINT_TELNET_EVENT_NEGOTIATION)
    {
      g_string_append_printf (log->log, "[neg %u %u]", event->verb, event->option);
      return;
    }
  g_string_append_printf (log->log, "[sb %u:", event->option);
  for (gsize i = 0; i < event->payload_len; i++)
    g_string_append_printf (log->log, " %02x", event->payload[i]);
  g_string_append (log->log, "]");
}

static GByteArray *
random_data (GRand *rand,
             gsize  len,
             double ff_share)
{
  GByteArray *data = g_byte_array_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      guint8 byte = g_rand_double (rand) < ff_share ? 0xff : g_rand_int_range (rand, 0, 256);
      g_byte_array_append (data, &byte, 1);
    }
  return data;
}

static void
test_telnet_escape_roundtrip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (2217);

  for (guint round = 0; round < 50; round++)
    {
      g_autoptr(GByteArray) data = random_data (rand, g_rand_int_range (rand, 0, 3000), 0.3);
      g_autoptr(GByteArray) encoded = g_byte_array_new ();
      g_autoptr(GByteArray) decoded = g_byte_array_new ();
      g_autoptr(GlintTelnetDecoder) decoder = glint_telnet_decoder_new (NULL, NULL);
      gsize ff = 0, pos = 0;

      for (guint i = 0; i < data->len; i++)
        ff += data->data[i] == 0xff;
      glint_telnet_escape (encoded, data->data, data->len);
      g_assert_cmpuint (encoded->len, ==, data->len + ff);

      /* random chunking */
      while (pos < encoded->len)
        {
          gsize want = g_rand_int_range (rand, 1, 40);
          gsize n = MIN (want, encoded->len - pos);

          glint_telnet_decoder_feed (decoder, encoded->data + pos, n, decoded);
          pos += n;
        }
      g_assert_cmpmem (decoded->data, decoded->len, data->data, data->len);
      g_assert_cmpuint (glint_telnet_decoder_get_malformed (decoder), ==, 0);
    }
}

static GByteArray *
sample_stream (void)
{
  static const guint8 value[] = { 0xff, 0x00, 0xff, 0x10 };
  GByteArray *stream = g_byte_array_new ();
  static const guint8 data1[] = { 'a', 0xff, 'b' };
  static const guint8 nop[] = { GLINT_TELNET_IAC, GLINT_TELNET_NOP };

  glint_telnet_escape (stream, data1, sizeof data1);
  glint_telnet_append_negotiation (stream, GLINT_TELNET_WILL, GLINT_TELNET_OPT_BINARY);
  g_byte_array_append (stream, nop, sizeof nop);
  glint_telnet_append_com_port (stream, 101, value, sizeof value);
  glint_telnet_escape (stream, (const guint8 *) "\xff\xff", 2);
  glint_telnet_append_negotiation (stream, GLINT_TELNET_DONT, GLINT_TELNET_OPT_COM_PORT);
  glint_telnet_append_com_port_u32 (stream, GLINT_RFC2217_SET_BAUDRATE, 0xff00ffff);
  glint_telnet_escape (stream, (const guint8 *) "z", 1);
  return stream;
}

static void
decode_chunks (const GByteArray *stream,
               const gsize      *cuts,
               guint             n_cuts,
               GByteArray       *out,
               GString          *events)
{
  EventLog log = { events };
  g_autoptr(GlintTelnetDecoder) decoder = glint_telnet_decoder_new (log_event_cb, &log);
  gsize pos = 0;

  for (guint i = 0; i <= n_cuts; i++)
    {
      gsize end = i < n_cuts ? cuts[i] : stream->len;

      glint_telnet_decoder_feed (decoder, stream->data + pos, end - pos, out);
      pos = end;
    }
  g_assert_cmpuint (glint_telnet_decoder_get_malformed (decoder), ==, 0);
}

static void
test_telnet_split (void)
{
  g_autoptr(GByteArray) stream = sample_stream ();
  g_autoptr(GByteArray) want_data = g_byte_array_new ();
  g_autoptr(GString) want_events = g_string_new (NULL);
  static const guint8 expect_data[] = { 'a', 0xff, 'b', 0xff, 0xff, 'z' };

  decode_chunks (stream, NULL, 0, want_data, want_events);
  g_assert_cmpmem (want_data->data, want_data->len, expect_data, sizeof expect_data);
  g_assert_cmpstr (want_events->str, ==,
                   "[neg 251 0][sb 44: 65 ff 00 ff 10][neg 254 44][sb 44: 01 ff 00 ff ff]");

  /* every split into two and three chunks, and byte by byte */
  for (gsize a = 0; a <= stream->len; a++)
    for (gsize b = a; b <= stream->len; b++)
      {
        g_autoptr(GByteArray) data = g_byte_array_new ();
        g_autoptr(GString) events = g_string_new (NULL);
        gsize cuts[2] = { a, b };

        decode_chunks (stream, cuts, 2, data, events);
        g_assert_cmpmem (data->data, data->len, want_data->data, want_data->len);
        g_assert_cmpstr (events->str, ==, want_events->str);
      }

  {
    g_autoptr(GByteArray) data = g_byte_array_new ();
    g_autoptr(GString) events = g_string_new (NULL);
    g_autofree gsize *cuts = g_new (gsize, stream->len);

    for (gsize i = 0; i < stream->len; i++)
      cuts[i] = i;
    decode_chunks (stream, cuts, stream->len, data, events);
    g_assert_cmpmem (data->data, data->len, want_data->data, want_data->len);
    g_assert_cmpstr (events->str, ==, want_events->str);
  }
}

static void
test_telnet_malformed (void)
{
  g_autoptr(GString) events = g_string_new (NULL);
  EventLog log = { events };
  g_autoptr(GlintTelnetDecoder) decoder = glint_telnet_decoder_new (log_event_cb, &log);
  g_autoptr(GByteArray) in = g_byte_array_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 big[100];
  static const guint8 se_alone[] = { 'x', GLINT_TELNET_IAC, GLINT_TELNET_SE, 'y' };
  static const guint8 unterminated[] = { GLINT_TELNET_IAC, GLINT_TELNET_SB, 44, 1, 2,
                                         GLINT_TELNET_IAC, GLINT_TELNET_WILL, 3, 'w' };
  static const guint8 ayt[] = { GLINT_TELNET_IAC, 246, 'v' };

  /* a subnegotiation longer than the limit is dropped and counted */
  memset (big, 7, sizeof big);
  glint_telnet_append_subneg (in, 44, big, sizeof big);
  g_byte_array_append (in, (const guint8 *) "ok", 2);
  glint_telnet_decoder_feed (decoder, in->data, in->len, out);
  g_assert_cmpuint (glint_telnet_decoder_get_malformed (decoder), ==, 1);
  g_assert_cmpstr (events->str, ==, "");
  g_assert_cmpmem (out->data, out->len, "ok", 2);

  /* SE without SB */
  g_byte_array_set_size (out, 0);
  glint_telnet_decoder_feed (decoder, se_alone, sizeof se_alone, out);
  g_assert_cmpuint (glint_telnet_decoder_get_malformed (decoder), ==, 2);
  g_assert_cmpmem (out->data, out->len, "xy", 2);

  /* IAC WILL inside SB: the SB is dropped, the command still counts */
  g_byte_array_set_size (out, 0);
  glint_telnet_decoder_feed (decoder, unterminated, sizeof unterminated, out);
  g_assert_cmpuint (glint_telnet_decoder_get_malformed (decoder), ==, 3);
  g_assert_cmpstr (events->str, ==, "[neg 251 3]");
  g_assert_cmpmem (out->data, out->len, "w", 1);

  /* other commands (AYT) are ignored without counting */
  g_byte_array_set_size (out, 0);
  glint_telnet_decoder_feed (decoder, ayt, sizeof ayt, out);
  g_assert_cmpuint (glint_telnet_decoder_get_malformed (decoder), ==, 3);
  g_assert_cmpmem (out->data, out->len, "v", 1);
}

typedef struct
{
  GlintTelnetOptions *options;
  GByteArray         *reply;
} OptionPeer;

static void
option_peer_cb (const GlintTelnetEvent *event,
                gpointer                user_data)
{
  OptionPeer *peer = user_data;

  if (event->type == GLINT_TELNET_EVENT_NEGOTIATION)
    glint_telnet_options_receive (peer->options, event->verb, event->option, peer->reply);
}

/* Two peers that both ask for everything settle without looping. */
static void
test_telnet_options (void)
{
  GlintTelnetOptions a, b;
  g_autoptr(GByteArray) to_b = g_byte_array_new ();
  g_autoptr(GByteArray) to_a = g_byte_array_new ();
  g_autoptr(GByteArray) data = g_byte_array_new ();
  OptionPeer peer_a = { &a, NULL }, peer_b = { &b, NULL };
  g_autoptr(GlintTelnetDecoder) dec_a = glint_telnet_decoder_new (option_peer_cb, &peer_a);
  g_autoptr(GlintTelnetDecoder) dec_b = glint_telnet_decoder_new (option_peer_cb, &peer_b);
  guint rounds = 0;

  glint_telnet_options_init (&a);
  glint_telnet_options_init (&b);
  for (guint opt = 0; opt < 4; opt++)
    {
      glint_telnet_options_accept (&a, opt, TRUE, TRUE);
      glint_telnet_options_accept (&b, opt, opt != 1, opt != 1);   /* b refuses ECHO */
    }
  glint_telnet_options_accept (&a, GLINT_TELNET_OPT_COM_PORT, TRUE, FALSE);

  for (guint opt = 0; opt < 4; opt++)
    {
      glint_telnet_options_request (&a, GLINT_TELNET_WILL, opt, to_b);
      glint_telnet_options_request (&a, GLINT_TELNET_DO, opt, to_b);
      if (opt == 1)
        continue;
      glint_telnet_options_request (&b, GLINT_TELNET_WILL, opt, to_a);
      glint_telnet_options_request (&b, GLINT_TELNET_DO, opt, to_a);
    }
  glint_telnet_options_request (&a, GLINT_TELNET_WILL, GLINT_TELNET_OPT_COM_PORT, to_b);

  while (to_a->len > 0 || to_b->len > 0)
    {
      g_autoptr(GByteArray) in_a = g_steal_pointer (&to_a);
      g_autoptr(GByteArray) in_b = g_steal_pointer (&to_b);

      to_a = g_byte_array_new ();
      to_b = g_byte_array_new ();
      peer_a.reply = to_b;
      peer_b.reply = to_a;
      glint_telnet_decoder_feed (dec_a, in_a->data, in_a->len, data);
      glint_telnet_decoder_feed (dec_b, in_b->data, in_b->len, data);
      g_assert_cmpuint (++rounds, <, 5);
    }

  g_assert_cmpuint (data->len, ==, 0);
  g_assert_cmpint (a.us[0], ==, GLINT_TELNET_Q_YES);
  g_assert_cmpint (a.him[3], ==, GLINT_TELNET_Q_YES);
  g_assert_cmpint (b.us[3], ==, GLINT_TELNET_Q_YES);
  g_assert_cmpint (a.us[1], ==, GLINT_TELNET_Q_NO);
  g_assert_cmpint (a.him[1], ==, GLINT_TELNET_Q_NO);
  g_assert_cmpint (b.us[1], ==, GLINT_TELNET_Q_NO);
  g_assert_cmpint (a.us[GLINT_TELNET_OPT_COM_PORT], ==, GLINT_TELNET_Q_NO);   /* b refused */
}

/* Client against our server, in process */

typedef struct
{
  guint      baud;
  guint      baud_calls;
  guint      baud_override;       /* answer with this rate instead */
  GString   *lines_log;           /* "D1 R0 ..." in the order received */
  GlintPurge purged;
  guint      purge_calls;
  GByteArray *received;
  GlintRfc2217Server *server;
} Backend;

typedef struct
{
  GSocketService *service;
  guint16         port;
  Backend         backend;
  gboolean        ack_set_control;
  gboolean        ack_baud;
  GPtrArray      *servers;
  /* raw mode: no RFC 2217 server, the test talks itself */
  gboolean        raw;
  GSocketConnection *raw_connection;
  GByteArray     *raw_rx;
  gboolean        raw_closed;
  GBytes         *raw_greeting;      /* written right after accepting */
} Fixture;

static void
backend_write (gpointer      data,
               const guint8 *bytes,
               gsize         len)
{
  Backend *backend = data;

  g_byte_array_append (backend->received, bytes, len);
  glint_rfc2217_server_send (backend->server, bytes, len);   /* echo */
}

static guint
backend_set_baud (gpointer data,
                  guint    baud)
{
  Backend *backend = data;

  backend->baud_calls++;
  backend->baud = backend->baud_override != 0 ? backend->baud_override : baud;
  return backend->baud;
}

static void
backend_set_lines (gpointer   data,
                   GlintLines mask,
                   GlintLines values)
{
  Backend *backend = data;

  if (mask & GLINT_LINE_DTR)
    g_string_append_printf (backend->lines_log, "D%d ", (values & GLINT_LINE_DTR) != 0);
  if (mask & GLINT_LINE_RTS)
    g_string_append_printf (backend->lines_log, "R%d ", (values & GLINT_LINE_RTS) != 0);
}

static void
backend_purge (gpointer   data,
               GlintPurge what)
{
  Backend *backend = data;

  backend->purged = what;
  backend->purge_calls++;
}

static const GlintRfc2217ServerBackend test_backend = {
  backend_write, backend_set_baud, backend_set_lines, backend_purge,
};

static guint8 raw_buffer[4096];

static void
raw_read_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n <= 0)
    {
      fixture->raw_closed = TRUE;
      return;
    }
  g_byte_array_append (fixture->raw_rx, raw_buffer, n);
  g_input_stream_read_async (G_INPUT_STREAM (source), raw_buffer, sizeof raw_buffer,
                             G_PRIORITY_DEFAULT, NULL, raw_read_cb, fixture);
}

static gboolean
on_incoming_cb (GSocketService    *service,
                GSocketConnection *connection,
                GObject           *source_object,
                gpointer           user_data)
{
  Fixture *fixture = user_data;

  if (fixture->raw)
    {
      g_clear_object (&fixture->raw_connection);
      fixture->raw_connection = g_object_ref (connection);
      if (fixture->raw_greeting != NULL)
        g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                   g_bytes_get_data (fixture->raw_greeting, NULL),
                                   g_bytes_get_size (fixture->raw_greeting), NULL, NULL, NULL);
      g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                 raw_buffer, sizeof raw_buffer, G_PRIORITY_DEFAULT, NULL,
                                 raw_read_cb, fixture);
      return TRUE;
    }

  fixture->backend.server = glint_rfc2217_server_new (G_IO_STREAM (connection), &test_backend,
                                                      &fixture->backend);
  g_object_set (fixture->backend.server,
                "ack-set-control", fixture->ack_set_control,
                "ack-baud", fixture->ack_baud,
                NULL);
  g_ptr_array_add (fixture->servers, fixture->backend.server);
  return TRUE;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  fixture->ack_set_control = TRUE;
  fixture->ack_baud = TRUE;
  fixture->servers = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->backend.lines_log = g_string_new (NULL);
  fixture->backend.received = g_byte_array_new ();
  fixture->raw_rx = g_byte_array_new ();

  fixture->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (fixture->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                 &effective, &error);
  g_assert_no_error (error);
  fixture->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (fixture->service, "incoming", G_CALLBACK (on_incoming_cb), fixture);
  g_socket_service_start (fixture->service);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_socket_service_stop (fixture->service);
  g_socket_listener_close (G_SOCKET_LISTENER (fixture->service));
  g_clear_object (&fixture->service);
  g_clear_pointer (&fixture->servers, g_ptr_array_unref);
  if (fixture->raw_connection != NULL)
    g_io_stream_close (G_IO_STREAM (fixture->raw_connection), NULL, NULL);
  g_clear_object (&fixture->raw_connection);
  g_clear_pointer (&fixture->raw_greeting, g_bytes_unref);
  g_string_free (fixture->backend.lines_log, TRUE);
  g_byte_array_unref (fixture->backend.received);
  g_byte_array_unref (fixture->raw_rx);
  /* let cancelled operations finish */
  glint_test_spin (20);
}

static GlintStream *
new_client (guint16      port,
            const char  *options,
            GError     **error)
{
  GlintStreamAddress address = { 0, };
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) parts = g_strsplit (options != NULL ? options : "", "&", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *eq = strchr (parts[i], '=');

      if (*parts[i] == '\0')
        continue;
      if (eq != NULL)
        g_hash_table_insert (table, g_strndup (parts[i], eq - parts[i]), g_strdup (eq + 1));
      else
        g_hash_table_insert (table, g_strdup (parts[i]), g_strdup (""));
    }

  address.kind = GLINT_STREAM_KIND_RFC2217;
  address.host = (char *) "127.0.0.1";
  address.port = port;
  address.options = table;

  return glint_rfc2217_stream_new_for_address (&address, error);
}

static GlintStream *
open_client (guint16     port,
             const char *options)
{
  g_autofree char *address = g_strdup_printf ("rfc2217://127.0.0.1:%u%s%s", port,
                                              options != NULL ? "?" : "",
                                              options != NULL ? options : "");
  GlintStream *stream = glint_test_open_stream (address);

  g_assert_true (glint_stream_get_is_remote (stream));
  g_assert_true (glint_stream_get_can_control_lines (stream));

  return stream;
}

static void
close_client (GlintStream *stream)
{
  g_autoptr(GError) error = NULL;

  g_io_stream_close (G_IO_STREAM (stream), NULL, &error);
  g_assert_no_error (error);
}

/* Writes @len bytes through @stream and waits until the server has them. */
static void
send_to_server (Fixture     *fixture,
                GlintStream *stream,
                const char  *data,
                gsize        len)
{
  guint before = fixture->backend.received->len;

  glint_test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (stream)), data, len);
  while (fixture->backend.received->len < before + len)
    g_main_context_iteration (NULL, TRUE);
}

/* A client whose change to 230400 baud the server never acknowledges:
 * the change stays pending, its result to come in *@result. */
static GlintStream *
open_client_baud_pending (Fixture       *fixture,
                          GAsyncResult **result)
{
  GlintStream *stream;

  fixture->ack_baud = FALSE;
  stream = open_client (fixture->port, NULL);
  while (fixture->backend.server == NULL)
    g_main_context_iteration (NULL, TRUE);
  glint_stream_set_baud_async (stream, 230400, NULL, glint_test_store_result_cb, result);

  return stream;
}

/* Waits for that change and checks how it failed. */
static void
assert_baud_failed (GlintStream   *stream,
                    GAsyncResult **result,
                    GQuark         domain,
                    gint           code)
{
  g_autoptr(GError) error = NULL;

  glint_test_wait_for ((gpointer *) result, 2000);
  g_assert_false (glint_stream_set_baud_finish (stream, *result, &error));
  g_assert_error (error, domain, code);
  g_clear_object (result);
}

static void
test_options (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStream) stream = NULL;

  stream = new_client (1, "ign_set_control&poll_modem&logging=debug&timeout=0.25", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (glint_stream_get_address (stream), ==, "rfc2217://127.0.0.1:1");
  g_clear_object (&stream);

  stream = new_client (1, "bogus", &error);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS);
  g_assert_nonnull (strstr (error->message, "bogus"));
  g_assert_null (stream);
  g_clear_error (&error);

  stream = new_client (1, "timeout=soon", &error);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS);
  g_assert_null (stream);
}

static void
test_roundtrip (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GlintStream) stream = open_client (fixture->port, NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (44);
  g_autoptr(GByteArray) payload = g_byte_array_new ();
  g_autoptr(GByteArray) random = random_data (rand, 64 * 1024, 0.25);
  g_autofree guint8 *back = NULL;

  for (guint i = 0; i < 256; i++)
    {
      guint8 byte = i;
      g_byte_array_append (payload, &byte, 1);
    }
  g_byte_array_append (payload, random->data, random->len);

  glint_test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (stream)),
                        payload->data, payload->len);
  back = g_malloc (payload->len);
  glint_test_read_exact (g_io_stream_get_input_stream (G_IO_STREAM (stream)), back,
                         payload->len, 10000);

  /* client -> server intact, and server -> client intact */
  g_assert_cmpmem (fixture->backend.received->data, fixture->backend.received->len,
                   payload->data, payload->len);
  g_assert_cmpmem (back, payload->len, payload->data, payload->len);

  close_client (stream);
}

static void
test_baud (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GlintStream) stream = open_client (fixture->port, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (glint_test_set_baud (stream, 921600, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->backend.baud, ==, 921600);
  g_assert_cmpuint (glint_stream_get_baud (stream), ==, 921600);
  g_assert_cmpuint (glint_rfc2217_server_get_baud (fixture->backend.server), ==, 921600);

  /* a server that cannot do the rate says what it set */
  fixture->backend.baud_override = 460800;
  g_assert_false (glint_test_set_baud (stream, 2000000, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED);
  g_assert_cmpstr (error->message, ==, "server set 460800 baud instead of 2000000");
  g_assert_cmpuint (glint_stream_get_baud (stream), ==, 460800);

  close_client (stream);
}

static void
test_lines (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GlintStream) stream = open_client (fixture->port, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (glint_test_set_lines (stream, GLINT_LINE_DTR, GLINT_LINE_DTR, &error));
  g_assert_true (glint_test_set_lines (stream, GLINT_LINE_RTS, GLINT_LINE_RTS, &error));
  g_assert_cmpstr (fixture->backend.lines_log->str, ==, "D1 R1 ");
  g_assert_cmpuint (glint_stream_get_lines (stream), ==, GLINT_LINE_DTR | GLINT_LINE_RTS);

  /* RTS first, then DTR */
  g_string_truncate (fixture->backend.lines_log, 0);
  g_assert_true (glint_test_set_lines (stream, GLINT_LINE_RTS, 0, &error));
  g_assert_true (glint_test_set_lines (stream, GLINT_LINE_DTR, 0, &error));
  g_assert_cmpstr (fixture->backend.lines_log->str, ==, "R0 D0 ");

  /* both in one request: asserting RTS goes first (reset held before IO0
   * moves); releasing it goes last */
  g_string_truncate (fixture->backend.lines_log, 0);
  g_assert_true (glint_test_set_lines (stream, GLINT_LINE_DTR | GLINT_LINE_RTS,
                                       GLINT_LINE_DTR | GLINT_LINE_RTS, &error));
  g_assert_true (glint_test_set_lines (stream, GLINT_LINE_DTR | GLINT_LINE_RTS,
                                       GLINT_LINE_DTR, &error));
  g_assert_true (glint_test_set_lines (stream, GLINT_LINE_DTR | GLINT_LINE_RTS,
                                       GLINT_LINE_RTS, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (fixture->backend.lines_log->str, ==, "R1 D1 R0 R1 D0 ");
  g_assert_cmpuint (glint_rfc2217_server_get_lines (fixture->backend.server), ==,
                    GLINT_LINE_RTS);

  close_client (stream);
}

static void
test_no_ack_set_control (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GlintStream) strict = NULL;
  g_autoptr(GlintStream) lenient = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  fixture->ack_set_control = FALSE;

  /* a server that never answers SET-CONTROL is taken as one without
   * modem lines: the stream says so once and stops offering line control */
  strict = open_client (fixture->port, "timeout=0.3");
  g_assert_true (glint_stream_get_can_control_lines (strict));
  start = g_get_monotonic_time ();
  g_assert_false (glint_test_set_lines (strict, GLINT_LINE_DTR, GLINT_LINE_DTR, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "does not acknowledge DTR/RTS"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 250000);
  g_assert_false (glint_stream_get_can_control_lines (strict));
  g_clear_error (&error);
  /* later changes fail at once, without another wait */
  start = g_get_monotonic_time ();
  g_assert_false (glint_test_set_lines (strict, GLINT_LINE_RTS, GLINT_LINE_RTS, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 250000);
  g_clear_error (&error);
  /* data still flows */
  send_to_server (fixture, strict, "y", 1);
  g_byte_array_set_size (fixture->backend.received, 0);
  close_client (strict);

  lenient = open_client (fixture->port, "ign_set_control&timeout=0.3");
  g_string_truncate (fixture->backend.lines_log, 0);
  g_assert_true (glint_test_set_lines (lenient, GLINT_LINE_DTR | GLINT_LINE_RTS,
                                       GLINT_LINE_RTS, &error));
  g_assert_true (glint_test_set_lines (lenient, GLINT_LINE_DTR | GLINT_LINE_RTS,
                                       GLINT_LINE_DTR, &error));
  g_assert_no_error (error);
  /* the requests still reach the server, in order, before later data */
  send_to_server (fixture, lenient, "x", 1);
  g_assert_cmpstr (fixture->backend.lines_log->str, ==, "R1 D0 D1 R0 ");

  close_client (lenient);
}

static void
test_no_ack_baud (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GError) error = NULL;

  fixture->ack_baud = FALSE;
  stream = open_client (fixture->port, "timeout=0.3");
  g_assert_false (glint_test_set_baud (stream, 460800, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "SET-BAUDRATE"));
  g_assert_nonnull (strstr (error->message, "127.0.0.1:"));
  g_assert_cmpuint (glint_stream_get_baud (stream), ==, 115200);
  /* the server did apply it */
  g_assert_cmpuint (fixture->backend.baud, ==, 460800);

  close_client (stream);
}

static void
test_purge (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GlintStream) stream = open_client (fixture->port, NULL);
  g_autoptr(GError) error = NULL;
  guint8 buf[3];

  /* stale input, then purge: none of it is read afterwards */
  send_to_server (fixture, stream, "old", 3);
  g_assert_true (glint_test_purge (stream, GLINT_PURGE_INPUT, &error));
  glint_test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (stream)), "new", 3);
  glint_test_read_exact (g_io_stream_get_input_stream (G_IO_STREAM (stream)), buf, 3, 5000);
  g_assert_cmpmem (buf, 3, "new", 3);
  g_assert_cmpuint (fixture->backend.purged, ==, GLINT_PURGE_INPUT);

  g_assert_true (glint_test_purge (stream, GLINT_PURGE_OUTPUT, &error));
  g_assert_true (glint_test_purge (stream, GLINT_PURGE_BOTH, &error));
  g_assert_no_error (error);
  while (fixture->backend.purge_calls < 3)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (fixture->backend.purged, ==, GLINT_PURGE_BOTH);

  close_client (stream);
}

static void
test_server_closes (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *baud_result = NULL;
  GAsyncResult *read_result = NULL;
  guint8 buf[16];
  gssize n;

  stream = open_client_baud_pending (fixture, &baud_result);
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (stream)), buf,
                             sizeof buf, G_PRIORITY_DEFAULT, NULL, glint_test_store_result_cb,
                             &read_result);
  glint_test_spin (50);
  glint_rfc2217_server_close (fixture->backend.server);

  assert_baud_failed (stream, &baud_result, GLINT_ERROR, GLINT_ERROR_DISCONNECTED);

  read_result = glint_test_wait_for ((gpointer *) &read_result, 2000);
  n = g_input_stream_read_finish (g_io_stream_get_input_stream (G_IO_STREAM (stream)),
                                  read_result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 0);
  g_object_unref (read_result);

  /* later line control fails at once */
  g_assert_false (glint_test_set_lines (stream, GLINT_LINE_DTR, GLINT_LINE_DTR, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED);

  close_client (stream);
}

static void
test_closed_fails_pending (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GlintStream) stream = NULL;
  GAsyncResult *result = NULL;

  stream = open_client_baud_pending (fixture, &result);
  glint_test_spin (20);
  close_client (stream);
  assert_baud_failed (stream, &result, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

static void
test_cancel_and_drain (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  g_autofree guint8 *big = g_malloc0 (200000);
  gint64 start;

  fixture->ack_set_control = FALSE;
  stream = open_client (fixture->port, "timeout=30");

  /* a cancelled wait for an acknowledgement ends at once */
  glint_stream_set_lines_async (stream, GLINT_LINE_RTS, GLINT_LINE_RTS, cancellable,
                                glint_test_store_result_cb, &result);
  glint_test_spin (20);
  start = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  result = glint_test_wait_for ((gpointer *) &result, 2000);
  g_assert_false (glint_stream_set_lines_finish (stream, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_clear_error (&error);
  g_clear_object (&result);

  /* drain completes once the written data left for the socket */
  glint_test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (stream)), big, 200000);
  glint_stream_drain_async (stream, NULL, glint_test_store_result_cb, &result);
  result = glint_test_wait_for ((gpointer *) &result, 5000);
  g_assert_true (glint_stream_drain_finish (stream, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  while (fixture->backend.received->len < 200000)
    g_main_context_iteration (NULL, TRUE);

  close_client (stream);
}

/* A non-blocking write takes what fits into the queue, counted in caller
 * bytes, and never half an escaped 0xFF. */
static void
test_partial_write (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GlintStream) stream = open_client (fixture->port, NULL);
  GPollableOutputStream *output =
    G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (G_IO_STREAM (stream)));
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *ones = g_malloc (200000);
  gssize n;

  memset (ones, 0xff, 200000);
  n = g_pollable_output_stream_write_nonblocking (output, ones, 200000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >, 30000);
  g_assert_cmpint (n, <=, 32768);

  /* at most one more byte fits (the queue may overshoot by one byte so
   * that a writer always makes progress), then it is full */
  for (guint i = 0; i < 2; i++)
    {
      gssize m = g_pollable_output_stream_write_nonblocking (output, ones, 200000, NULL,
                                                             &error);
      if (m < 0)
        break;
      g_assert_cmpint (m, ==, 1);
      n += m;
    }
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_clear_error (&error);
  g_assert_false (g_pollable_output_stream_is_writable (output));

  while (fixture->backend.received->len < (gsize) n)
    g_main_context_iteration (NULL, TRUE);
  glint_test_spin (50);
  g_assert_cmpuint (fixture->backend.received->len, ==, n);
  for (gssize i = 0; i < n; i++)
    g_assert_cmpuint (fixture->backend.received->data[i], ==, 0xff);
  g_assert_true (g_pollable_output_stream_is_writable (output));

  close_client (stream);
}

/* More than the receive buffer holds, sent while nobody reads: the client
 * stops reading the socket instead of growing without bound, and nothing
 * is lost. */
static void
test_backpressure (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GlintStream) stream = open_client (fixture->port, NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GByteArray) payload = random_data (rand, 3 * 1024 * 1024, 0.1);
  g_autofree guint8 *back = g_malloc (payload->len);

  while (fixture->backend.server == NULL)
    g_main_context_iteration (NULL, TRUE);
  glint_rfc2217_server_send (fixture->backend.server, payload->data, payload->len);
  glint_test_spin (300);
  glint_test_read_exact (g_io_stream_get_input_stream (G_IO_STREAM (stream)), back,
                         payload->len, 10000);
  g_assert_cmpmem (back, payload->len, payload->data, payload->len);

  close_client (stream);
}

static void
on_server_closed_cb (GlintRfc2217Server *server,
                     gpointer            user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* Dropping the last reference without closing closes the connection and
 * frees the stream: the background reader holds no reference. */
static void
test_unref_closes (Fixture       *fixture,
                   gconstpointer  data)
{
  GlintStream *stream = open_client (fixture->port, NULL);
  gpointer weak = stream;
  gboolean server_closed = FALSE;

  send_to_server (fixture, stream, "x", 1);
  g_signal_connect (fixture->backend.server, "closed", G_CALLBACK (on_server_closed_cb),
                    &server_closed);

  g_object_add_weak_pointer (G_OBJECT (stream), &weak);
  g_object_unref (stream);
  g_assert_null (weak);

  glint_test_wait_flag (&server_closed, 2000);
}

/* Raw fake servers */

static gboolean
contains (GByteArray   *haystack,
          const guint8 *needle,
          gsize         len)
{
  for (gsize i = 0; i + len <= haystack->len; i++)
    if (memcmp (haystack->data + i, needle, len) == 0)
      return TRUE;
  return FALSE;
}

static void
test_refused_com_port (Fixture       *fixture,
                       gconstpointer  data)
{
  static const guint8 dont[] = { GLINT_TELNET_IAC, GLINT_TELNET_DONT, 44 };
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GError) error = NULL;

  fixture->raw = TRUE;
  fixture->raw_greeting = g_bytes_new_static (dont, sizeof dont);
  stream = open_client (fixture->port, "timeout=5");

  g_assert_false (glint_test_set_lines (stream, GLINT_LINE_DTR, GLINT_LINE_DTR, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "COM-PORT-OPTION"));
  g_clear_error (&error);

  g_assert_false (glint_test_set_baud (stream, 9600, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_PROTOCOL);

  close_client (stream);
}

/* Open and the first data must not wait for any server reply: the fake
 * server stays silent until the client's data arrived. */
static void
test_no_round_trip (Fixture       *fixture,
                    gconstpointer  data)
{
  static const guint8 negotiation[] = {
    0xff, 0xfb, 0x00, 0xff, 0xfd, 0x00, 0xff, 0xfb, 0x03, 0xff, 0xfd, 0x03, 0xff, 0xfb, 0x2c,
    0xff, 0xfa, 0x2c, 0x01, 0x00, 0x01, 0xc2, 0x00, 0xff, 0xf0,
    0xff, 0xfa, 0x2c, 0x02, 0x08, 0xff, 0xf0,
    0xff, 0xfa, 0x2c, 0x03, 0x01, 0xff, 0xf0,
    0xff, 0xfa, 0x2c, 0x04, 0x01, 0xff, 0xf0,
    0xff, 0xfa, 0x2c, 0x05, 0x01, 0xff, 0xf0,
  };
  static const guint8 data_escaped[] = { 'h', 'i', 0xff, 0xff, '!' };
  static const guint8 server_hello[] = {
    0xff, 0xfd, 0x00, 0xff, 0xfb, 0x00, 0xff, 0xfd, 0x03, 0xff, 0xfb, 0x03, 0xff, 0xfd, 0x2c,
    0xff, 0xfb, 0x01,     /* WILL ECHO: refused */
  };
  static const guint8 dont_echo[] = { 0xff, 0xfe, 0x01 };
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  guint len;

  fixture->raw = TRUE;
  stream = open_client (fixture->port, "ign_set_control");
  /* open completed, the server has not said a word */
  g_assert_null (fixture->raw_greeting);

  glint_test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (stream)), "hi\xff!", 4);
  g_assert_true (glint_test_set_lines (stream, GLINT_LINE_DTR, GLINT_LINE_DTR, &error));
  g_assert_no_error (error);
  while (fixture->raw_rx->len < sizeof negotiation + sizeof data_escaped + 7)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpmem (fixture->raw_rx->data, sizeof negotiation, negotiation, sizeof negotiation);
  g_assert_cmpmem (fixture->raw_rx->data + sizeof negotiation, sizeof data_escaped,
                   data_escaped, sizeof data_escaped);

  /* now the server answers; agreement produces no further negotiation,
   * the unwanted ECHO is refused once */
  len = fixture->raw_rx->len;
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (fixture->raw_connection)),
                             server_hello, sizeof server_hello, NULL, NULL, &error);
  g_assert_no_error (error);
  glint_test_spin (100);
  g_assert_cmpuint (fixture->raw_rx->len, ==, len + sizeof dont_echo);
  g_assert_true (contains (fixture->raw_rx, dont_echo, sizeof dont_echo));

  close_client (stream);
  while (!fixture->raw_closed)
    g_main_context_iteration (NULL, TRUE);
}

/* Flow control and modem state notifications from the server */
static void
test_notifications (Fixture       *fixture,
                    gconstpointer  data)
{
  static const guint8 notify[] = {
    0xff, 0xfa, 0x2c, 107, 0xb0, 0xff, 0xf0,     /* CD, DSR, CTS */
    0xff, 0xfa, 0x2c, 108, 0xff, 0xf0,           /* suspend */
  };
  static const guint8 resume[] = { 0xff, 0xfa, 0x2c, 109, 0xff, 0xf0 };
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  GOutputStream *output;
  GOutputStream *raw_output;
  gsize before;

  fixture->raw = TRUE;
  stream = open_client (fixture->port, NULL);
  output = g_io_stream_get_output_stream (G_IO_STREAM (stream));
  while (fixture->raw_connection == NULL)
    g_main_context_iteration (NULL, TRUE);
  raw_output = g_io_stream_get_output_stream (G_IO_STREAM (fixture->raw_connection));

  g_output_stream_write_all (raw_output, notify, sizeof notify, NULL, NULL, &error);
  g_assert_no_error (error);
  while (glint_rfc2217_stream_get_modem_state (GLINT_RFC2217_STREAM (stream)) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (glint_rfc2217_stream_get_modem_state (GLINT_RFC2217_STREAM (stream)), ==,
                    0xb0);

  /* suspended: the output is not writable */
  g_assert_false (g_pollable_output_stream_is_writable (G_POLLABLE_OUTPUT_STREAM (output)));
  before = fixture->raw_rx->len;
  g_output_stream_write_all (raw_output, resume, sizeof resume, NULL, NULL, &error);
  glint_test_write_all (output, "go", 2);
  while (fixture->raw_rx->len < before + 2)
    g_main_context_iteration (NULL, TRUE);

  close_client (stream);
}

/* ser2net 4.3 as a real RFC 2217 server */

typedef struct
{
  GSubprocess   *socat;
  GSubprocess   *ser2net;
  char          *pty_a;
  char          *pty_b;
  char          *dir;
  guint16        port;
  int            fd_a;
  GInputStream  *in_a;
  GOutputStream *out_a;
} Ser2net;

static gboolean
ser2net_start (Ser2net *s)
{
  const char *binary = g_getenv ("GLINT_SER2NET");
  g_autoptr(GError) error = NULL;

  memset (s, 0, sizeof *s);
  s->fd_a = -1;
  if (binary == NULL)
    {
      g_test_skip ("GLINT_SER2NET is not set");
      return FALSE;
    }

  s->socat = glint_test_pty_pair (&s->pty_a, &s->pty_b);
  if (s->socat == NULL)
    return FALSE;

  s->dir = g_dir_make_tmp ("glint-ser2net-XXXXXX", &error);
  g_assert_no_error (error);
  s->ser2net = glint_test_spawn_ser2net (s->pty_b, s->dir, &s->port);

  /* let ser2net notice the probe went away */
  glint_test_spin (100);

  s->fd_a = open (s->pty_a, O_RDWR | O_NOCTTY | O_NONBLOCK);
  g_assert_cmpint (s->fd_a, >=, 0);
  s->in_a = g_unix_input_stream_new (s->fd_a, FALSE);
  s->out_a = g_unix_output_stream_new (s->fd_a, FALSE);

  return TRUE;
}

static void
ser2net_stop (Ser2net *s)
{
  g_clear_object (&s->in_a);
  g_clear_object (&s->out_a);
  if (s->fd_a >= 0)
    close (s->fd_a);
  s->fd_a = -1;
  glint_test_stop_subprocess (s->ser2net);
  glint_test_stop_subprocess (s->socat);
  g_clear_object (&s->ser2net);
  g_clear_object (&s->socat);
  if (s->dir != NULL)
    {
      g_autofree char *config = g_build_filename (s->dir, "ser2net.yaml", NULL);

      g_unlink (config);
      g_rmdir (s->dir);
    }
  g_clear_pointer (&s->dir, g_free);
  g_clear_pointer (&s->pty_a, g_free);
  g_clear_pointer (&s->pty_b, g_free);
}

static void
test_ser2net (void)
{
  Ser2net s;
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (4711);
  g_autoptr(GByteArray) payload = random_data (rand, 4096, 0.2);
  g_autofree guint8 *back = g_malloc (payload->len);
  guint8 all[256];

  if (!ser2net_start (&s))
    return;

  for (guint i = 0; i < 256; i++)
    all[i] = i;

  stream = open_client (s.port, "ign_set_control");

  /* client -> pty A */
  glint_test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (stream)), all, 256);
  glint_test_read_exact (s.in_a, back, 256, 5000);
  g_assert_cmpmem (back, 256, all, 256);
  glint_test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (stream)),
                        payload->data, payload->len);
  glint_test_read_exact (s.in_a, back, payload->len, 5000);
  g_assert_cmpmem (back, payload->len, payload->data, payload->len);

  /* pty A -> client */
  glint_test_write_all (s.out_a, all, 256);
  glint_test_read_exact (g_io_stream_get_input_stream (G_IO_STREAM (stream)), back, 256, 5000);
  g_assert_cmpmem (back, 256, all, 256);
  glint_test_write_all (s.out_a, payload->data, payload->len);
  glint_test_read_exact (g_io_stream_get_input_stream (G_IO_STREAM (stream)), back,
                         payload->len, 5000);
  g_assert_cmpmem (back, payload->len, payload->data, payload->len);

  /* baud is acknowledged, and the pty runs at it */
  g_assert_true (glint_test_set_baud (stream, 921600, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (glint_stream_get_baud (stream), ==, 921600);
  {
    int fd_b = open (s.pty_b, O_RDWR | O_NOCTTY | O_NONBLOCK);
    struct termios tio;

    g_assert_cmpint (fd_b, >=, 0);
    g_assert_cmpint (tcgetattr (fd_b, &tio), ==, 0);
    g_test_message ("pty B output speed after SET-BAUDRATE 921600: %s",
                    cfgetospeed (&tio) == B921600 ? "921600" : "other");
    g_assert_cmpuint (cfgetospeed (&tio), ==, B921600);
    close (fd_b);
  }

  /* lines complete without an acknowledgement */
  g_assert_true (glint_test_set_lines (stream, GLINT_LINE_DTR | GLINT_LINE_RTS,
                                       GLINT_LINE_RTS, &error));
  g_assert_true (glint_test_set_lines (stream, GLINT_LINE_DTR | GLINT_LINE_RTS,
                                       GLINT_LINE_DTR, &error));
  g_assert_no_error (error);

  /* purge, then data still flows */
  g_assert_true (glint_test_purge (stream, GLINT_PURGE_BOTH, &error));
  g_assert_no_error (error);
  glint_test_spin (100);
  glint_test_write_all (s.out_a, "after", 5);
  glint_test_read_exact (g_io_stream_get_input_stream (G_IO_STREAM (stream)), back, 5, 5000);
  g_assert_cmpmem (back, 5, "after", 5);

  close_client (stream);
  g_clear_object (&stream);

  /* without ign_set_control the missing acknowledgement means "no modem
   * lines": line control is off, data still flows */
  stream = open_client (s.port, "timeout=0.5");
  g_assert_false (glint_test_set_lines (stream, GLINT_LINE_DTR, GLINT_LINE_DTR, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED);
  g_assert_false (glint_stream_get_can_control_lines (stream));
  g_clear_error (&error);
  glint_test_write_all (s.out_a, "still", 5);
  glint_test_read_exact (g_io_stream_get_input_stream (G_IO_STREAM (stream)), back, 5, 5000);
  g_assert_cmpmem (back, 5, "still", 5);
  close_client (stream);

  ser2net_stop (&s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/glint/telnet/escape-roundtrip", test_telnet_escape_roundtrip);
  g_test_add_func ("/glint/telnet/split", test_telnet_split);
  g_test_add_func ("/glint/telnet/malformed", test_telnet_malformed);
  g_test_add_func ("/glint/telnet/options", test_telnet_options);
  g_test_add_func ("/glint/rfc2217/options", test_options);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/glint/rfc2217/roundtrip", test_roundtrip);
  ADD ("/glint/rfc2217/baud", test_baud);
  ADD ("/glint/rfc2217/lines", test_lines);
  ADD ("/glint/rfc2217/no-ack-set-control", test_no_ack_set_control);
  ADD ("/glint/rfc2217/no-ack-baud", test_no_ack_baud);
  ADD ("/glint/rfc2217/purge", test_purge);
  ADD ("/glint/rfc2217/server-closes", test_server_closes);
  ADD ("/glint/rfc2217/close-fails-pending", test_closed_fails_pending);
  ADD ("/glint/rfc2217/cancel-and-drain", test_cancel_and_drain);
  ADD ("/glint/rfc2217/unref-closes", test_unref_closes);
  ADD ("/glint/rfc2217/partial-write", test_partial_write);
  ADD ("/glint/rfc2217/backpressure", test_backpressure);
  ADD ("/glint/rfc2217/refused-com-port", test_refused_com_port);
  ADD ("/glint/rfc2217/no-round-trip", test_no_round_trip);
  ADD ("/glint/rfc2217/notifications", test_notifications);
#undef ADD
  g_test_add_func ("/glint/rfc2217/ser2net", test_ser2net);

  return g_test_run ();
}
