/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "glint-error.h"
#include "glint-socket-stream.h"
#include "glint-socket-stream-private.h"
#include "glint-stream-private.h"

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
                                 _("no answer from %s port %u within %d s"),
                                 cd->host, cd->port, CONNECT_TIMEOUT_S);
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
        g_task_return_new_error (task, GLINT_ERROR, GLINT_ERROR_CONNECTION_FAILED,
                                 _("%s refused the connection on port %u: is the serial "
                                    "server running?"), cd->host, cd->port);
      else if (error->domain == G_RESOLVER_ERROR)
        g_task_return_new_error (task, GLINT_ERROR, GLINT_ERROR_CONNECTION_FAILED,
                                 _("cannot find host %s: %s"), cd->host, error->message);
      else
        g_task_return_new_error (task, GLINT_ERROR, GLINT_ERROR_CONNECTION_FAILED,
                                 _("cannot connect to %s port %u: %s"),
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

/*
 * GlintSocketStream: socket://host:port, a raw TCP serial server (ser2net
 * "raw", esp-link, socat). The bytes go through the connection's own pollable
 * streams; there is no line control, and the speed is set on the server.
 */

struct _GlintSocketStream
{
  GlintStream        parent_instance;

  char              *host;
  guint16            port;
  GSocketConnection *connection;
};

G_DEFINE_FINAL_TYPE (GlintSocketStream, glint_socket_stream, GLINT_TYPE_STREAM)

enum {
  PROP_0,
  PROP_HOST,
  PROP_PORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
glint_socket_stream_connect_cb (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GlintSocketStream *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  connection = _glint_socket_connect_finish (result, &error);
  if (connection == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_clear_object (&self->connection);
  self->connection = connection;
  g_task_return_boolean (task, TRUE);
}

static void
glint_socket_stream_open_async (GlintStream         *stream,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GlintSocketStream *self = GLINT_SOCKET_STREAM (stream);
  g_autoptr(GTask) task = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, glint_socket_stream_open_async);
  g_task_set_name (task, "glint-socket-stream-open");

  _glint_socket_connect_async (self->host, self->port, cancellable,
                               glint_socket_stream_connect_cb, g_steal_pointer (&task));
}

/* Bytes that arrived before a purge are stale answers (a boot log, a reply to
 * a command that timed out): read and drop what the kernel holds right now. */
static gboolean
discard_pending_input (GlintSocketStream  *self,
                       GCancellable       *cancellable,
                       GError            **error)
{
  GPollableInputStream *input;
  guint8 buf[4096];

  input = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (G_IO_STREAM (self->connection)));

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      gssize n;

      n = g_pollable_input_stream_read_nonblocking (input, buf, sizeof buf, cancellable,
                                                    &local_error);
      if (n > 0)
        continue;
      if (n == 0)
        return TRUE;   /* end of stream: nothing left to drop, reads will report it */
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return TRUE;

      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
}

static void
glint_socket_stream_purge_async (GlintStream         *stream,
                                 GlintPurge           what,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GlintSocketStream *self = GLINT_SOCKET_STREAM (stream);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, glint_socket_stream_purge_async);
  g_task_set_name (task, "glint-socket-stream-purge");

  /* Written bytes are in the kernel's socket buffer or on the wire: there is
   * no taking them back, so OUTPUT has nothing to do. */
  if ((what & GLINT_PURGE_INPUT) != 0 &&
      !discard_pending_input (self, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static GInputStream *
glint_socket_stream_get_input_stream (GIOStream *stream)
{
  GlintSocketStream *self = GLINT_SOCKET_STREAM (stream);

  if (self->connection == NULL)
    return NULL;

  return g_io_stream_get_input_stream (G_IO_STREAM (self->connection));
}

static GOutputStream *
glint_socket_stream_get_output_stream (GIOStream *stream)
{
  GlintSocketStream *self = GLINT_SOCKET_STREAM (stream);

  if (self->connection == NULL)
    return NULL;

  return g_io_stream_get_output_stream (G_IO_STREAM (self->connection));
}

/* Also called for a stream that never connected. */
static gboolean
glint_socket_stream_close_fn (GIOStream     *stream,
                              GCancellable  *cancellable,
                              GError       **error)
{
  GlintSocketStream *self = GLINT_SOCKET_STREAM (stream);

  if (self->connection == NULL)
    return TRUE;

  return g_io_stream_close (G_IO_STREAM (self->connection), cancellable, error);
}

static void
glint_socket_stream_dispose (GObject *object)
{
  GlintSocketStream *self = GLINT_SOCKET_STREAM (object);

  /* GIOStream's dispose closes us first, which closes the connection. */
  G_OBJECT_CLASS (glint_socket_stream_parent_class)->dispose (object);

  g_clear_object (&self->connection);
}

static void
glint_socket_stream_finalize (GObject *object)
{
  GlintSocketStream *self = GLINT_SOCKET_STREAM (object);

  g_clear_pointer (&self->host, g_free);

  G_OBJECT_CLASS (glint_socket_stream_parent_class)->finalize (object);
}

static void
glint_socket_stream_constructed (GObject *object)
{
  GlintSocketStream *self = GLINT_SOCKET_STREAM (object);

  G_OBJECT_CLASS (glint_socket_stream_parent_class)->constructed (object);

  _glint_stream_set_is_remote (GLINT_STREAM (self), TRUE);
  /* A raw pipe to a serial bridge whose UART rate is fixed on the far
   * side: a new rate for the chip would only break the link. */
  _glint_stream_set_can_set_baud (GLINT_STREAM (self), FALSE);
}

static void
glint_socket_stream_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  GlintSocketStream *self = GLINT_SOCKET_STREAM (object);

  switch (prop_id)
    {
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_socket_stream_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  GlintSocketStream *self = GLINT_SOCKET_STREAM (object);

  switch (prop_id)
    {
    case PROP_HOST:
      g_free (self->host);
      self->host = g_value_dup_string (value);
      break;
    case PROP_PORT:
      self->port = (guint16) g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_socket_stream_class_init (GlintSocketStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *io_class = G_IO_STREAM_CLASS (klass);
  GlintStreamClass *stream_class = GLINT_STREAM_CLASS (klass);

  object_class->constructed = glint_socket_stream_constructed;
  object_class->dispose = glint_socket_stream_dispose;
  object_class->finalize = glint_socket_stream_finalize;
  object_class->get_property = glint_socket_stream_get_property;
  object_class->set_property = glint_socket_stream_set_property;

  io_class->get_input_stream = glint_socket_stream_get_input_stream;
  io_class->get_output_stream = glint_socket_stream_get_output_stream;
  io_class->close_fn = glint_socket_stream_close_fn;

  /* set_baud and set_lines keep the base class behaviour: the speed is only
   * recorded, and lines are not supported; the base class's finish fits. */
  stream_class->open_async = glint_socket_stream_open_async;
  stream_class->purge_async = glint_socket_stream_purge_async;

  /**
   * GlintSocketStream:host:
   *
   * The host name or literal address to connect to (IPv6 without brackets).
   */
  properties[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintSocketStream:port:
   *
   * The TCP port to connect to.
   */
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
glint_socket_stream_init (GlintSocketStream *self)
{
}

/**
 * glint_socket_stream_new:
 * @host: a host name or literal address (IPv6 without brackets)
 * @port: the TCP port
 *
 * Returns: (transfer full): a stream for `socket://host:port`, not yet open
 */
GlintStream *
glint_socket_stream_new (const char *host,
                         guint16     port)
{
  g_autofree char *address = NULL;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (port > 0, NULL);

  if (strchr (host, ':') != NULL)
    address = g_strdup_printf ("socket://[%s]:%u", host, port);
  else
    address = g_strdup_printf ("socket://%s:%u", host, port);

  return g_object_new (GLINT_TYPE_SOCKET_STREAM,
                       "address", address,
                       "host", host,
                       "port", (guint) port,
                       NULL);
}

/**
 * glint_socket_stream_get_connection:
 *
 * Returns: (transfer none) (nullable): the TCP connection once open
 */
GSocketConnection *
glint_socket_stream_get_connection (GlintSocketStream *self)
{
  g_return_val_if_fail (GLINT_IS_SOCKET_STREAM (self), NULL);

  return self->connection;
}
