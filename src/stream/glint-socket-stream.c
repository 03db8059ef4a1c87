/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "glint-error.h"
#include "glint-socket-stream-private.h"

/* How long to wait for a TCP connection. Generous: remote boards sit behind
 * ssh tunnels and lab servers across the internet. */
#define CONNECT_TIMEOUT_S 20

typedef struct
{
  char    *host;
  guint16  port;
} ConnectData;

static void
connect_data_free (gpointer data)
{
  ConnectData *cd = data;

  g_free (cd->host);
  g_free (cd);
}

static void
glint_socket_connect_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConnectData *cd = g_task_get_task_data (task);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GSocket *socket;

  connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (object), result, &error);
  if (connection == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        g_task_return_new_error (task, GLINT_ERROR, GLINT_ERROR_CONNECTION_FAILED,
                                 "no answer from %s port %u within %d s",
                                 cd->host, cd->port, CONNECT_TIMEOUT_S);
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
        g_task_return_new_error (task, GLINT_ERROR, GLINT_ERROR_CONNECTION_FAILED,
                                 "%s refused the connection on port %u: is the serial "
                                 "server running?", cd->host, cd->port);
      else if (error->domain == G_RESOLVER_ERROR)
        g_task_return_new_error (task, GLINT_ERROR, GLINT_ERROR_CONNECTION_FAILED,
                                 "cannot find host %s: %s", cd->host, error->message);
      else
        g_task_return_new_error (task, GLINT_ERROR, GLINT_ERROR_CONNECTION_FAILED,
                                 "cannot connect to %s port %u: %s",
                                 cd->host, cd->port, error->message);
      return;
    }

  /* Every command is a small request answered by a small response: Nagle's
   * algorithm would add up to a round trip to each of them. */
  socket = g_socket_connection_get_socket (connection);
  if (!g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, &error))
    {
      g_debug ("cannot set TCP_NODELAY on %s: %s", cd->host, error->message);
      g_clear_error (&error);
    }
  g_socket_set_keepalive (socket, TRUE);

  g_task_return_pointer (task, g_steal_pointer (&connection), g_object_unref);
}

void
_glint_socket_connect_async (const char          *host,
                             guint16              port,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSocketClient) client = NULL;
  ConnectData *cd;

  g_return_if_fail (host != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, _glint_socket_connect_async);
  g_task_set_name (task, "glint-socket-connect");

  cd = g_new0 (ConnectData, 1);
  cd->host = g_strdup (host);
  cd->port = port;
  g_task_set_task_data (task, cd, connect_data_free);

  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, CONNECT_TIMEOUT_S);
  g_socket_client_set_protocol (client, G_SOCKET_PROTOCOL_TCP);
  g_socket_client_connect_to_host_async (client, host, port, cancellable,
                                         glint_socket_connect_cb, g_steal_pointer (&task));
}

GSocketConnection *
_glint_socket_connect_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == _glint_socket_connect_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* GlintSocketStream: being written */
