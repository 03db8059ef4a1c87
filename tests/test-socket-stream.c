/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "glint-error.h"
#include "glint-socket-stream.h"
#include "glint-stream-address.h"
#include "glint-test-utils.h"

/* A TCP server on loopback that echoes, or holds on to its connections so
 * the test can write to them and close them. */
typedef struct
{
  GSocketService    *service;
  guint16            port;
  gboolean           echo;
  GSocketConnection *peer;     /* the last accepted connection */
} Server;

typedef struct
{
  GSocketConnection *connection;
  guint8             buf[4096];
} EchoData;

static void echo_read_cb (GObject *object, GAsyncResult *result, gpointer user_data);

static void
echo_data_free (EchoData *data)
{
  g_clear_object (&data->connection);
  g_free (data);
}

static void
echo_write_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  EchoData *data = user_data;
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (data->connection));

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, NULL))
    {
      echo_data_free (data);
      return;
    }

  g_input_stream_read_async (input, data->buf, sizeof data->buf, G_PRIORITY_DEFAULT, NULL,
                             echo_read_cb, data);
}

static void
echo_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  EchoData *data = user_data;
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (data->connection));
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);

  if (n <= 0)
    {
      echo_data_free (data);
      return;
    }

  g_output_stream_write_all_async (output, data->buf, n, G_PRIORITY_DEFAULT, NULL,
                                   echo_write_cb, data);
}

static gboolean
on_service_incoming_cb (GSocketService    *service,
                        GSocketConnection *connection,
                        GObject           *source,
                        gpointer           user_data)
{
  Server *server = user_data;

  g_set_object (&server->peer, connection);

  if (server->echo)
    {
      EchoData *data = g_new0 (EchoData, 1);

      data->connection = g_object_ref (connection);
      g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                 data->buf, sizeof data->buf, G_PRIORITY_DEFAULT, NULL,
                                 echo_read_cb, data);
    }

  return TRUE;
}

/* Returns FALSE when the address family is not available here. */
static gboolean
server_start (Server         *server,
              GSocketFamily   family,
              gboolean        echo)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (family);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  memset (server, 0, sizeof *server);
  server->echo = echo;
  server->service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                      &effective, &error))
    {
      g_test_message ("cannot listen on %s loopback: %s",
                      family == G_SOCKET_FAMILY_IPV6 ? "IPv6" : "IPv4", error->message);
      g_clear_object (&server->service);
      return FALSE;
    }

  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (server->service, "incoming", G_CALLBACK (on_service_incoming_cb), server);
  g_socket_service_start (server->service);

  return TRUE;
}

static void
server_stop (Server *server)
{
  if (server->service != NULL)
    {
      g_socket_service_stop (server->service);
      g_socket_listener_close (G_SOCKET_LISTENER (server->service));
      g_signal_handlers_disconnect_by_data (server->service, server);
    }
  g_clear_object (&server->service);
  if (server->peer != NULL)
    g_io_stream_close (G_IO_STREAM (server->peer), NULL, NULL);
  g_clear_object (&server->peer);
}

static void
assert_echo (GlintStream *stream)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (stream));
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (stream));
  guint8 data[256 + 16 * 1024];
  guint8 received[sizeof data];

  g_assert_true (G_IS_POLLABLE_INPUT_STREAM (input));
  g_assert_true (G_IS_POLLABLE_OUTPUT_STREAM (output));

  for (gsize i = 0; i < sizeof data; i++)
    data[i] = (guint8) (i < 256 ? i : i * 7 + 3);

  glint_test_write_all (output, data, sizeof data);
  glint_test_read_exact (input, received, sizeof received, 10000);
  g_assert_cmpmem (received, sizeof received, data, sizeof data);
}

static void
assert_connects (const char *host,
                 Server     *server)
{
  g_autofree char *address = g_strdup_printf ("socket://%s:%u", host, server->port);
  g_autoptr(GlintStream) stream = glint_test_open_stream (address);
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;
  gint nodelay = 0;

  g_assert_true (GLINT_IS_SOCKET_STREAM (stream));
  g_assert_cmpstr (glint_stream_get_address (stream), ==, address);
  g_assert_true (glint_stream_get_is_remote (stream));
  g_assert_false (glint_stream_get_can_control_lines (stream));

  connection = glint_socket_stream_get_connection (GLINT_SOCKET_STREAM (stream));
  g_assert_nonnull (connection);
  g_assert_true (g_socket_get_option (g_socket_connection_get_socket (connection),
                                      IPPROTO_TCP, TCP_NODELAY, &nodelay, &error));
  g_assert_no_error (error);
  g_assert_cmpint (nodelay, !=, 0);

  assert_echo (stream);

  g_assert_true (g_io_stream_close (G_IO_STREAM (stream), NULL, &error));
  g_assert_no_error (error);
}

static void
test_socket_ipv4 (void)
{
  Server server;

  g_assert_true (server_start (&server, G_SOCKET_FAMILY_IPV4, TRUE));
  assert_connects ("127.0.0.1", &server);
  server_stop (&server);
}

static void
test_socket_ipv6 (void)
{
  Server server;

  if (!server_start (&server, G_SOCKET_FAMILY_IPV6, TRUE))
    {
      g_test_skip ("no IPv6 loopback here");
      return;
    }
  assert_connects ("[::1]", &server);
  server_stop (&server);
}

static void
test_socket_localhost (void)
{
  Server server;

  /* localhost may resolve to ::1 first; the client must move on to
   * 127.0.0.1 when nothing listens there */
  g_assert_true (server_start (&server, G_SOCKET_FAMILY_IPV4, TRUE));
  assert_connects ("localhost", &server);
  server_stop (&server);
}

static void
test_socket_line_control (void)
{
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  Server server;

  g_assert_true (server_start (&server, G_SOCKET_FAMILY_IPV4, TRUE));
  address = g_strdup_printf ("socket://127.0.0.1:%u", server.port);
  stream = glint_test_open_stream (address);

  /* the speed is only recorded: the server's side decides it */
  g_assert_true (glint_test_set_baud (stream, 921600, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (glint_stream_get_baud (stream), ==, 921600);

  g_assert_false (glint_test_set_lines (stream, GLINT_LINE_DTR | GLINT_LINE_RTS, GLINT_LINE_RTS,
                                        &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  g_assert_true (glint_test_purge (stream, GLINT_PURGE_OUTPUT, &error));
  g_assert_no_error (error);

  /* the connection still works after all that */
  assert_echo (stream);

  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
  server_stop (&server);
}

static void
test_socket_refused (void)
{
  g_autofree char *address = g_strdup_printf ("socket://127.0.0.1:%u", glint_test_free_port ());
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GError) error = NULL;

  stream = glint_stream_new_for_address (address, &error);
  g_assert_no_error (error);
  g_assert_false (glint_test_open (stream, NULL, &error));

  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_CONNECTION_FAILED);
  g_assert_nonnull (strstr (error->message, "refused"));
  g_assert_false (glint_stream_get_is_open (stream));
}

static void
test_socket_cancel_open (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GlintStream) stream = glint_socket_stream_new ("127.0.0.1", 9);
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (glint_test_open (stream, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static GSocketConnection *
wait_for_peer (Server *server)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (server->peer == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }

  return server->peer;
}

static void
test_socket_server_closes (void)
{
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  GAsyncResult *result = NULL;
  GInputStream *input;
  Server server;
  guint8 buf[16];

  g_assert_true (server_start (&server, G_SOCKET_FAMILY_IPV4, FALSE));
  address = g_strdup_printf ("socket://127.0.0.1:%u", server.port);
  stream = glint_test_open_stream (address);
  input = g_io_stream_get_input_stream (G_IO_STREAM (stream));

  g_input_stream_read_async (input, buf, sizeof buf, G_PRIORITY_DEFAULT, NULL,
                             glint_test_store_result_cb, &result);
  g_io_stream_close (G_IO_STREAM (wait_for_peer (&server)), NULL, NULL);
  result = glint_test_wait_for ((gpointer *) &result, 5000);
  g_assert_cmpint (g_input_stream_read_finish (input, result, &error), ==, 0);
  g_assert_no_error (error);
  g_object_unref (result);

  server_stop (&server);
}

static void
test_socket_purge_input (void)
{
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  GOutputStream *peer_out;
  GInputStream *input;
  gint64 deadline;
  Server server;
  guint8 byte = 0;

  g_assert_true (server_start (&server, G_SOCKET_FAMILY_IPV4, FALSE));
  address = g_strdup_printf ("socket://127.0.0.1:%u", server.port);
  stream = glint_test_open_stream (address);
  input = g_io_stream_get_input_stream (G_IO_STREAM (stream));
  peer_out = g_io_stream_get_output_stream (G_IO_STREAM (wait_for_peer (&server)));

  /* more than one read's worth of stale bytes */
  for (guint i = 0; i < 3; i++)
    {
      guint8 stale[5000];

      memset (stale, 'x', sizeof stale);
      glint_test_write_all (peer_out, stale, sizeof stale);
    }

  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (input)))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      glint_test_spin (10);
    }
  glint_test_spin (50);

  g_assert_true (glint_test_purge (stream, GLINT_PURGE_INPUT, &error));
  g_assert_no_error (error);
  g_assert_false (g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (input)));

  glint_test_write_all (peer_out, "Z", 1);
  glint_test_read_exact (input, &byte, 1, 5000);
  g_assert_cmpint (byte, ==, 'Z');

  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
  server_stop (&server);
}

static void
test_socket_unopened (void)
{
  g_autoptr(GlintStream) stream = glint_socket_stream_new ("::1", 4000);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (glint_stream_get_address (stream), ==, "socket://[::1]:4000");
  g_assert_null (glint_socket_stream_get_connection (GLINT_SOCKET_STREAM (stream)));
  g_assert_true (g_io_stream_close (G_IO_STREAM (stream), NULL, &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/glint/socket-stream/ipv4", test_socket_ipv4);
  g_test_add_func ("/glint/socket-stream/ipv6", test_socket_ipv6);
  g_test_add_func ("/glint/socket-stream/localhost", test_socket_localhost);
  g_test_add_func ("/glint/socket-stream/line-control", test_socket_line_control);
  g_test_add_func ("/glint/socket-stream/refused", test_socket_refused);
  g_test_add_func ("/glint/socket-stream/cancel-open", test_socket_cancel_open);
  g_test_add_func ("/glint/socket-stream/server-closes", test_socket_server_closes);
  g_test_add_func ("/glint/socket-stream/purge-input", test_socket_purge_input);
  g_test_add_func ("/glint/socket-stream/unopened", test_socket_unopened);

  return g_test_run ();
}
