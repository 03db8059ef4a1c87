/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "glint-error.h"
#include "glint-rfc2217-stream.h"
#include "glint-socket-stream-private.h"
#include "glint-stream-address.h"
#include "glint-stream-private.h"
#include "glint-telnet.h"

/*
 * rfc2217://host:port — a serial port behind a telnet COM-PORT-OPTION
 * (RFC 2217) server such as ser2net or esp_rfc2217_server.
 *
 * Round trips are what makes remote flashing slow (400 ms links), so:
 *  - open completes as soon as the TCP connection is up and the whole
 *    negotiation is queued in one write; replies are handled in the
 *    background;
 *  - everything goes over one ordered TCP stream, so data written after a
 *    SET-BAUDRATE or SET-CONTROL reaches the server after it; a baud
 *    change waits for the acknowledgement once, line changes only when the
 *    server is known to acknowledge them (without ?ign_set_control);
 *  - a background reader always reads the socket, so acknowledgements are
 *    seen even when nobody reads data.
 *
 * The input and output streams are small pollable classes over our own
 * buffers; they keep a plain pointer to the GIOStream which clears it in
 * dispose, so an input stream that outlives its GIOStream reports
 * G_IO_ERROR_CLOSED.  They keep GIO's defaults for close (nothing to do:
 * the GIOStream closes the socket) and can_poll (TRUE).
 */

#define RX_CAP (1024 * 1024)   /* stop reading the socket above this */
#define TX_CAP (64 * 1024)     /* encoded bytes queued before writers wait */

typedef enum
{
  PENDING_BAUD,
  PENDING_LINES,
} PendingKind;

typedef struct
{
  GlintRfc2217Stream *self;
  PendingKind         kind;
  GTask              *task;          /* NULL: the request of open, nobody waits */
  guint32             baud;
  GlintLines          expect_mask;   /* lines whose acknowledgement is missing */
  GlintLines          expect_values;
  GlintLines          sent_mask;
  GSource            *timeout;
  GSource            *cancel;
} Pending;

struct _GlintRfc2217Stream
{
  GlintStream         parent_instance;

  char               *host;
  guint16             port;
  char               *host_port;      /* for messages */
  guint               timeout_ms;
  guint               ign_set_control : 1;
  guint               poll_modem : 1;
  guint               lines_unanswered : 1;   /* SET-CONTROL never acknowledged */

  guint               connected : 1;
  guint               closed : 1;
  guint               peer_closed : 1;
  guint               com_port_refused : 1;
  guint               reading : 1;
  guint               writing : 1;
  guint               suspended : 1;  /* FLOWCONTROL-SUSPEND from the server */

  GMainContext       *context;
  GSocketConnection  *connection;
  GCancellable       *cancellable;    /* background I/O */

  GlintTelnetDecoder *decoder;
  GlintTelnetOptions  options;

  GInputStream       *input;
  GOutputStream      *output;

  /* received data: rx->data[rx_start..rx->len) */
  GByteArray         *rx;
  gsize               rx_start;
  GError             *rx_error;
  GCancellable       *rx_wake;

  /* encoded bytes waiting for the socket, and bytes in flight */
  GByteArray         *tx;
  gsize               tx_in_flight;
  GError             *tx_error;
  GCancellable       *tx_wake;

  /* purge of our input: drop received data until the server's 112 */
  guint               purge_acks_pending;
  GSource            *purge_timeout;
  gsize               rx_mark;        /* rx->len before the chunk being decoded */

  GQueue              pending;        /* of Pending, in request order */
  GPtrArray          *drains;         /* GTasks waiting for the queue to empty */
  guint               modem_state;
  guint               line_state;
};

G_DEFINE_FINAL_TYPE (GlintRfc2217Stream, glint_rfc2217_stream, GLINT_TYPE_STREAM)

static const guint remote_rates[] = { 230400, 460800, 921600 };

enum {
  PROP_0,
  PROP_MODEM_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void flush_tx        (GlintRfc2217Stream *self);
static void start_reading   (GlintRfc2217Stream *self);

/* Wake-ups for pollable sources: a source created while the stream is not
 * ready waits on a cancellable that is cancelled (and replaced) when the
 * state changes. */
static void
wake (GCancellable **wake_cancellable)
{
  GCancellable *old = g_steal_pointer (wake_cancellable);

  *wake_cancellable = g_cancellable_new ();
  g_cancellable_cancel (old);
  g_object_unref (old);
}

/* Destroys and drops a source we attached, if there is one. */
static void
clear_source (GSource **source)
{
  if (*source != NULL)
    g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static gsize
rx_available (GlintRfc2217Stream *self)
{
  return self->rx->len - self->rx_start;
}

static void
rx_clear (GlintRfc2217Stream *self)
{
  g_byte_array_set_size (self->rx, 0);
  self->rx_start = 0;
}

static void
add_child_source (GSource *source,
                  GSource *child)
{
  g_source_set_dummy_callback (child);
  g_source_add_child_source (source, child);
  g_source_unref (child);
}

/* The source of both pollable streams: dispatches at once when @ready,
 * else when @wake_cancellable (the stream's rx_wake or tx_wake) is
 * cancelled on a state change; and when @cancellable is cancelled. */
static GSource *
pollable_source_new (GObject      *pollable,
                     gboolean      ready,
                     GCancellable *wake_cancellable,
                     GCancellable *cancellable)
{
  GSource *source = g_pollable_source_new (pollable);

  if (ready)
    add_child_source (source, g_timeout_source_new (0));
  else
    add_child_source (source, g_cancellable_source_new (wake_cancellable));
  if (cancellable != NULL)
    add_child_source (source, g_cancellable_source_new (cancellable));

  return source;
}

/* Input stream */

#define GLINT_TYPE_RFC2217_INPUT (glint_rfc2217_input_get_type ())
G_DECLARE_FINAL_TYPE (GlintRfc2217Input, glint_rfc2217_input, GLINT, RFC2217_INPUT, GInputStream)

struct _GlintRfc2217Input
{
  GInputStream        parent_instance;
  GlintRfc2217Stream *stream;
};

static void glint_rfc2217_input_pollable_iface_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GlintRfc2217Input, glint_rfc2217_input, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      glint_rfc2217_input_pollable_iface_init))

static gboolean
input_ready (GlintRfc2217Stream *self)
{
  return self == NULL || self->closed || rx_available (self) > 0 || self->peer_closed
         || self->rx_error != NULL;
}

static gssize
glint_rfc2217_input_read_nonblocking (GPollableInputStream  *pollable,
                                      void                  *buffer,
                                      gsize                  count,
                                      GError               **error)
{
  GlintRfc2217Stream *self = GLINT_RFC2217_INPUT (pollable)->stream;
  gsize n;

  if (self == NULL || self->closed)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "stream is closed");
      return -1;
    }

  n = MIN (count, rx_available (self));
  if (n > 0)
    {
      gboolean was_full = rx_available (self) >= RX_CAP;

      memcpy (buffer, self->rx->data + self->rx_start, n);
      self->rx_start += n;
      if (self->rx_start == self->rx->len)
        rx_clear (self);
      else if (self->rx_start > self->rx->len / 2)
        {
          g_byte_array_remove_range (self->rx, 0, self->rx_start);
          self->rx_start = 0;
        }
      /* backpressure released */
      if (was_full && rx_available (self) < RX_CAP)
        start_reading (self);
      return n;
    }

  if (self->rx_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->rx_error));
      return -1;
    }

  if (self->peer_closed)
    return 0;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "no data from %s yet",
               self->host_port);
  return -1;
}

static gssize
glint_rfc2217_input_read (GInputStream  *stream,
                          void          *buffer,
                          gsize          count,
                          GCancellable  *cancellable,
                          GError       **error)
{
  /* Data arrives through the main context of the GIOStream, so a blocking
   * read cannot wait for it; Glint only reads asynchronously. */
  return glint_rfc2217_input_read_nonblocking (G_POLLABLE_INPUT_STREAM (stream), buffer,
                                               count, error);
}

static gboolean
glint_rfc2217_input_is_readable (GPollableInputStream *pollable)
{
  return input_ready (GLINT_RFC2217_INPUT (pollable)->stream);
}

static GSource *
glint_rfc2217_input_create_source (GPollableInputStream *pollable,
                                   GCancellable         *cancellable)
{
  GlintRfc2217Stream *self = GLINT_RFC2217_INPUT (pollable)->stream;

  return pollable_source_new (G_OBJECT (pollable), input_ready (self),
                              self != NULL ? self->rx_wake : NULL, cancellable);
}

static void
glint_rfc2217_input_pollable_iface_init (GPollableInputStreamInterface *iface)
{
  iface->is_readable = glint_rfc2217_input_is_readable;
  iface->create_source = glint_rfc2217_input_create_source;
  iface->read_nonblocking = glint_rfc2217_input_read_nonblocking;
}

static void
glint_rfc2217_input_class_init (GlintRfc2217InputClass *klass)
{
  GInputStreamClass *input_class = G_INPUT_STREAM_CLASS (klass);

  input_class->read_fn = glint_rfc2217_input_read;
}

static void
glint_rfc2217_input_init (GlintRfc2217Input *self)
{
}

/* Output stream */

#define GLINT_TYPE_RFC2217_OUTPUT (glint_rfc2217_output_get_type ())
G_DECLARE_FINAL_TYPE (GlintRfc2217Output, glint_rfc2217_output, GLINT, RFC2217_OUTPUT,
                      GOutputStream)

struct _GlintRfc2217Output
{
  GOutputStream       parent_instance;
  GlintRfc2217Stream *stream;
};

static void glint_rfc2217_output_pollable_iface_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GlintRfc2217Output, glint_rfc2217_output, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      glint_rfc2217_output_pollable_iface_init))

static gsize
tx_queued (GlintRfc2217Stream *self)
{
  return self->tx->len + self->tx_in_flight;
}

static gboolean
output_ready (GlintRfc2217Stream *self)
{
  return self == NULL || self->closed || self->tx_error != NULL
         || (!self->suspended && tx_queued (self) < TX_CAP);
}

/* Escapes as much of the caller's data as fits below @cap and returns how
 * many caller bytes that was; an IAC always goes in whole (FF FF). */
static gssize
output_write (GlintRfc2217Stream  *self,
              const guint8        *data,
              gsize                count,
              gsize                cap,
              GError             **error)
{
  gsize room, n = 0, encoded = 0;

  if (self == NULL || self->closed)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "stream is closed");
      return -1;
    }
  if (self->tx_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->tx_error));
      return -1;
    }
  if (count == 0)
    return 0;
  /* a blocking write (cap G_MAXSIZE) queues even while suspended */
  if ((self->suspended && cap != G_MAXSIZE) || tx_queued (self) >= cap)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "%s is busy", self->host_port);
      return -1;
    }

  room = cap - tx_queued (self);
  while (n < count)
    {
      gsize size = data[n] == GLINT_TELNET_IAC ? 2 : 1;

      if (encoded + size > room && n > 0)
        break;
      encoded += size;
      n++;
    }

  glint_telnet_escape (self->tx, data, n);
  flush_tx (self);
  return n;
}

static gssize
glint_rfc2217_output_write_nonblocking (GPollableOutputStream  *pollable,
                                        const void             *buffer,
                                        gsize                   count,
                                        GError                **error)
{
  return output_write (GLINT_RFC2217_OUTPUT (pollable)->stream, buffer, count, TX_CAP, error);
}

static gssize
glint_rfc2217_output_write (GOutputStream  *stream,
                            const void     *buffer,
                            gsize           count,
                            GCancellable   *cancellable,
                            GError        **error)
{
  /* A blocking write cannot wait for the main context to drain the queue,
   * so it queues everything (the queue grows beyond TX_CAP). */
  return output_write (GLINT_RFC2217_OUTPUT (stream)->stream, buffer, count, G_MAXSIZE,
                       error);
}

static gboolean
glint_rfc2217_output_is_writable (GPollableOutputStream *pollable)
{
  return output_ready (GLINT_RFC2217_OUTPUT (pollable)->stream);
}

static GSource *
glint_rfc2217_output_create_source (GPollableOutputStream *pollable,
                                    GCancellable          *cancellable)
{
  GlintRfc2217Stream *self = GLINT_RFC2217_OUTPUT (pollable)->stream;

  return pollable_source_new (G_OBJECT (pollable), output_ready (self),
                              self != NULL ? self->tx_wake : NULL, cancellable);
}

static void
glint_rfc2217_output_pollable_iface_init (GPollableOutputStreamInterface *iface)
{
  iface->is_writable = glint_rfc2217_output_is_writable;
  iface->create_source = glint_rfc2217_output_create_source;
  iface->write_nonblocking = glint_rfc2217_output_write_nonblocking;
}

static void
glint_rfc2217_output_class_init (GlintRfc2217OutputClass *klass)
{
  GOutputStreamClass *output_class = G_OUTPUT_STREAM_CLASS (klass);

  output_class->write_fn = glint_rfc2217_output_write;
}

static void
glint_rfc2217_output_init (GlintRfc2217Output *self)
{
}

/* Pending line-control operations */

static void
pending_free (Pending *pending)
{
  clear_source (&pending->timeout);
  clear_source (&pending->cancel);
  g_clear_object (&pending->task);
  g_free (pending);
}

/* Removes @pending from the queue and completes its task. */
static void
pending_complete (GlintRfc2217Stream *self,
                  Pending            *pending,
                  GError             *error)
{
  g_queue_remove (&self->pending, pending);
  if (pending->task != NULL)
    {
      if (error != NULL)
        g_task_return_error (pending->task, error);
      else
        g_task_return_boolean (pending->task, TRUE);
    }
  else if (error != NULL)
    {
      g_debug ("%s: %s", self->host_port, error->message);
      g_error_free (error);
    }
  pending_free (pending);
}

static void
complete_drains (GlintRfc2217Stream *self,
                 const GError       *error)
{
  g_autoptr(GPtrArray) drains = NULL;

  if (self->drains->len == 0)
    return;
  drains = g_steal_pointer (&self->drains);
  self->drains = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < drains->len; i++)
    {
      if (error != NULL)
        g_task_return_error (drains->pdata[i], g_error_copy (error));
      else
        g_task_return_boolean (drains->pdata[i], TRUE);
    }
}

static void
fail_all_pending (GlintRfc2217Stream *self,
                  const GError       *error)
{
  Pending *pending;

  while ((pending = g_queue_peek_head (&self->pending)) != NULL)
    pending_complete (self, pending, g_error_copy (error));
  complete_drains (self, error);
}

static GError *
lines_unanswered_error (GlintRfc2217Stream *self)
{
  return g_error_new (GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED,
                      _("%s does not acknowledge DTR/RTS changes (ser2net in front of a pty "
                         "or an adapter without modem lines): going on without them; "
                         "put the board into download mode by hand if it does not answer"),
                      self->host_port);
}

static gboolean
pending_timeout_cb (gpointer user_data)
{
  Pending *pending = user_data;
  GlintRfc2217Stream *self = pending->self;
  g_autoptr(GlintRfc2217Stream) hold = g_object_ref (self);
  double seconds = self->timeout_ms / 1000.0;
  GError *error;

  if (pending->kind == PENDING_BAUD)
    error = g_error_new (GLINT_ERROR, GLINT_ERROR_PROTOCOL,
                         _("no acknowledgement of SET-BAUDRATE from %s within %g s"),
                         self->host_port, seconds);
  else if (pending->expect_mask == pending->sent_mask)
    {
      /* Not one of the changes was answered: a server in front of a port
       * without modem lines (ser2net on a pty) drops them silently. Treat
       * the link as one without DTR/RTS from now on, as pyserial's
       * ign_set_control would, instead of failing the job (§10). */
      self->lines_unanswered = TRUE;
      _glint_stream_set_can_control_lines (GLINT_STREAM (self), FALSE);
      error = lines_unanswered_error (self);
    }
  else
    error = g_error_new (GLINT_ERROR, GLINT_ERROR_PROTOCOL,
                         _("no acknowledgement of SET-CONTROL (DTR/RTS) from %s within %g s; "
                            "if the server never acknowledges line changes (ser2net on a pty "
                            "does not), add ?ign_set_control to the address"),
                         self->host_port, seconds);

  g_clear_pointer (&pending->timeout, g_source_unref);
  pending_complete (self, pending, error);

  return G_SOURCE_REMOVE;
}

/* A cancelled operation completes at once; its entry stays queued without
 * a task so that the late acknowledgement is still matched to it. */
static gboolean
pending_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  Pending *pending = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&pending->task);

  /* @pending may be freed by whatever the task's callback does */
  g_clear_pointer (&pending->cancel, g_source_unref);
  if (task != NULL)
    g_task_return_error_if_cancelled (task);

  return G_SOURCE_REMOVE;
}

static Pending *
pending_add (GlintRfc2217Stream *self,
             PendingKind         kind,
             GTask              *task)
{
  Pending *pending = g_new0 (Pending, 1);
  GCancellable *cancellable = task != NULL ? g_task_get_cancellable (task) : NULL;

  pending->self = self;
  pending->kind = kind;
  pending->task = task;
  pending->timeout = g_timeout_source_new (self->timeout_ms);
  g_source_set_callback (pending->timeout, pending_timeout_cb, pending, NULL);
  g_source_set_static_name (pending->timeout, "glint-rfc2217-ack-timeout");
  g_source_attach (pending->timeout, self->context);
  if (cancellable != NULL)
    {
      pending->cancel = g_cancellable_source_new (cancellable);
      g_source_set_callback (pending->cancel, G_SOURCE_FUNC (pending_cancelled_cb), pending,
                             NULL);
      g_source_attach (pending->cancel, self->context);
    }
  g_queue_push_tail (&self->pending, pending);

  return pending;
}

static Pending *
pending_find (GlintRfc2217Stream *self,
              PendingKind         kind,
              GlintLines          line)
{
  for (GList *l = self->pending.head; l != NULL; l = l->next)
    {
      Pending *pending = l->data;

      if (pending->kind != kind)
        continue;
      if (kind == PENDING_LINES && (pending->expect_mask & line) == 0)
        continue;
      return pending;
    }

  return NULL;
}

static GError *
com_port_refused_error (GlintRfc2217Stream *self)
{
  return g_error_new (GLINT_ERROR, GLINT_ERROR_PROTOCOL,
                      _("%s refused the COM-PORT-OPTION: it is a telnet server without "
                         "RFC 2217 serial port control (try socket://%s)"),
                      self->host_port, self->host_port);
}

static GError *
disconnected_error (GlintRfc2217Stream *self)
{
  return g_error_new (GLINT_ERROR, GLINT_ERROR_DISCONNECTED,
                      _("%s closed the connection"), self->host_port);
}

/* Socket writer */

static void
socket_written_cb (GObject *owner,
                   GError  *write_error)
{
  GlintRfc2217Stream *self = GLINT_RFC2217_STREAM (owner);
  g_autoptr(GError) error = write_error;

  if (self->closed)
    return;

  self->writing = FALSE;
  self->tx_in_flight = 0;
  if (error != NULL)
    {
      g_autoptr(GError) failure = disconnected_error (self);

      g_debug ("writing to %s: %s", self->host_port, error->message);
      if (self->tx_error == NULL)
        self->tx_error = g_steal_pointer (&error);
      fail_all_pending (self, failure);
      wake (&self->tx_wake);
      return;
    }

  flush_tx (self);
  if (!self->writing)
    complete_drains (self, NULL);
  if (output_ready (self))
    wake (&self->tx_wake);
}

static void
flush_tx (GlintRfc2217Stream *self)
{
  if (self->writing || self->closed || !self->connected || self->tx_error != NULL
      || self->tx->len == 0)
    return;

  self->tx_in_flight = self->tx->len;
  self->writing = TRUE;
  glint_telnet_write_queue_async (G_OBJECT (self), G_IO_STREAM (self->connection), &self->tx,
                                  self->cancellable, socket_written_cb);
}

/* Received commands */

static void
set_modem_state (GlintRfc2217Stream *self,
                 guint               state)
{
  if (self->modem_state == state)
    return;
  self->modem_state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEM_STATE]);
}

static void
handle_baud_reply (GlintRfc2217Stream *self,
                   guint32             baud)
{
  Pending *pending = pending_find (self, PENDING_BAUD, 0);
  GError *error = NULL;

  if (pending == NULL)
    return;

  if (baud != pending->baud && baud != 0)
    {
      error = g_error_new (GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED,
                           _("server set %u baud instead of %u"), baud, pending->baud);
      /* the line runs at what the server set: record that, so the next
       * request for the wanted rate is not skipped as "unchanged" */
      _glint_stream_set_baud (GLINT_STREAM (self), baud);
    }
  pending_complete (self, pending, error);
}

static void
handle_control_reply (GlintRfc2217Stream *self,
                      guint8              value)
{
  GlintLines line;
  gboolean on;
  Pending *pending;

  switch (value)
    {
    case GLINT_RFC2217_CONTROL_DTR_ON:  line = GLINT_LINE_DTR; on = TRUE; break;
    case GLINT_RFC2217_CONTROL_DTR_OFF: line = GLINT_LINE_DTR; on = FALSE; break;
    case GLINT_RFC2217_CONTROL_RTS_ON:  line = GLINT_LINE_RTS; on = TRUE; break;
    case GLINT_RFC2217_CONTROL_RTS_OFF: line = GLINT_LINE_RTS; on = FALSE; break;
    default:
      return;   /* flow control, BREAK: nothing waits for these */
    }

  pending = pending_find (self, PENDING_LINES, line);
  if (pending == NULL)
    return;

  if (((pending->expect_values & line) != 0) != on)
    {
      pending_complete (self, pending,
                        g_error_new (GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED,
                                     _("server left %s %s"),
                                     line == GLINT_LINE_DTR ? "DTR" : "RTS",
                                     on ? "on" : "off"));
      return;
    }

  pending->expect_mask &= ~line;
  if (pending->expect_mask == 0)
    pending_complete (self, pending, NULL);
}

static gboolean
purge_timeout_cb (gpointer user_data)
{
  GlintRfc2217Stream *self = user_data;

  g_debug ("%s did not acknowledge PURGE-DATA; keeping received data again",
           self->host_port);
  self->purge_acks_pending = 0;
  g_clear_pointer (&self->purge_timeout, g_source_unref);

  return G_SOURCE_REMOVE;
}

static void
handle_com_port (GlintRfc2217Stream *self,
                 const guint8       *payload,
                 gsize               len)
{
  guint8 command;

  if (len < 1)
    return;
  command = payload[0];
  payload++;
  len--;

  switch (command)
    {
    case GLINT_RFC2217_SERVER_OFFSET + GLINT_RFC2217_SET_BAUDRATE:
      if (len >= 4)
        handle_baud_reply (self, glint_telnet_com_port_get_u32 (payload));
      break;
    case GLINT_RFC2217_SERVER_OFFSET + GLINT_RFC2217_SET_CONTROL:
      if (len >= 1)
        handle_control_reply (self, payload[0]);
      break;
    case GLINT_RFC2217_SERVER_OFFSET + GLINT_RFC2217_NOTIFY_LINESTATE:
      if (len >= 1)
        self->line_state = payload[0];
      break;
    case GLINT_RFC2217_SERVER_OFFSET + GLINT_RFC2217_NOTIFY_MODEMSTATE:
      if (len >= 1)
        set_modem_state (self, payload[0]);
      break;
    case GLINT_RFC2217_SERVER_OFFSET + GLINT_RFC2217_FLOWCONTROL_SUSPEND:
      self->suspended = TRUE;
      break;
    case GLINT_RFC2217_SERVER_OFFSET + GLINT_RFC2217_FLOWCONTROL_RESUME:
      self->suspended = FALSE;
      wake (&self->tx_wake);
      break;
    case GLINT_RFC2217_SERVER_OFFSET + GLINT_RFC2217_PURGE_DATA:
      if (self->purge_acks_pending > 0 && --self->purge_acks_pending == 0)
        {
          /* what this chunk carried before the acknowledgement is stale */
          g_byte_array_set_size (self->rx, MAX (self->rx_mark, self->rx_start));
          clear_source (&self->purge_timeout);
        }
      break;
    default:
      /* other acknowledgements (data size, parity, ...) change nothing */
      break;
    }
}

static void
decoder_event_cb (const GlintTelnetEvent *event,
                  gpointer                user_data)
{
  GlintRfc2217Stream *self = user_data;

  if (event->type == GLINT_TELNET_EVENT_NEGOTIATION)
    {
      GlintTelnetOptionChange change;

      change = glint_telnet_options_receive (&self->options, event->verb, event->option,
                                             self->tx);
      if (event->option == GLINT_TELNET_OPT_COM_PORT
          && (event->verb == GLINT_TELNET_DO || event->verb == GLINT_TELNET_DONT)
          && (change == GLINT_TELNET_OPTION_REFUSED || change == GLINT_TELNET_OPTION_DISABLED))
        {
          g_autoptr(GError) error = com_port_refused_error (self);

          self->com_port_refused = TRUE;
          fail_all_pending (self, error);
        }
      flush_tx (self);
      return;
    }

  if (event->option == GLINT_TELNET_OPT_COM_PORT)
    handle_com_port (self, event->payload, event->payload_len);
}

/* Background reader */

static void
socket_read_cb (GObject      *owner,
                const guint8 *data,
                gssize        n,
                GError       *read_error)
{
  GlintRfc2217Stream *self = GLINT_RFC2217_STREAM (owner);
  g_autoptr(GError) error = read_error;

  if (self->closed)
    return;

  self->reading = FALSE;

  if (n > 0)
    {
      gsize before = self->rx->len;

      self->rx_mark = before;
      glint_telnet_decoder_feed (self->decoder, data, n, self->rx);

      if (self->closed)
        return;

      /* after our PURGE-DATA(rx), anything the server sent before it
       * processed the purge is stale: drop it until the acknowledgement */
      if (self->purge_acks_pending > 0)
        g_byte_array_set_size (self->rx, before);

      if (rx_available (self) > 0)
        wake (&self->rx_wake);
      if (rx_available (self) >= RX_CAP)
        g_debug ("%s: receive buffer full, reading paused", self->host_port);
      start_reading (self);
      return;
    }

  if (n == 0)
    {
      g_autoptr(GError) failure = disconnected_error (self);

      self->peer_closed = TRUE;
      fail_all_pending (self, failure);
    }
  else
    {
      g_autoptr(GError) failure = NULL;

      failure = g_error_new (GLINT_ERROR, GLINT_ERROR_DISCONNECTED,
                             _("lost the connection to %s: %s"), self->host_port, error->message);
      g_debug ("reading from %s: %s", self->host_port, error->message);
      self->rx_error = g_steal_pointer (&error);
      fail_all_pending (self, failure);
    }
  wake (&self->rx_wake);
}

static void
start_reading (GlintRfc2217Stream *self)
{
  if (self->reading || self->closed || !self->connected || self->peer_closed
      || self->rx_error != NULL || rx_available (self) >= RX_CAP)
    return;

  self->reading = TRUE;
  glint_telnet_read_async (G_OBJECT (self), G_IO_STREAM (self->connection), self->cancellable,
                           socket_read_cb);
}

/* GlintStream */

/* Fails @task and returns FALSE when line control cannot work any more. */
static gboolean
check_line_control (GlintRfc2217Stream *self,
                    GTask              *task)
{
  if (self->com_port_refused)
    {
      g_task_return_error (task, com_port_refused_error (self));
      return FALSE;
    }
  if (self->peer_closed || self->rx_error != NULL || self->tx_error != NULL)
    {
      g_task_return_error (task, disconnected_error (self));
      return FALSE;
    }
  return TRUE;
}

static void
queue_baud (GlintRfc2217Stream *self,
            guint               baud,
            GTask              *task)
{
  Pending *pending = pending_add (self, PENDING_BAUD, task);

  pending->baud = baud;
  glint_telnet_append_com_port_u32 (self->tx, GLINT_RFC2217_SET_BAUDRATE, baud);
}

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GlintRfc2217Stream *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  connection = _glint_socket_connect_finish (result, &error);
  if (connection == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (self->closed)
    {
      g_object_unref (connection);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED,
                               "%s was closed while connecting", self->host_port);
      return;
    }

  self->connection = connection;
  self->connected = TRUE;

  /* The whole negotiation in one write, without waiting for answers:
   * a compliant server handles the COM-PORT-OPTION commands in order, and
   * data written after them reaches the port after them. */
  glint_telnet_options_request (&self->options, GLINT_TELNET_WILL, GLINT_TELNET_OPT_BINARY,
                                self->tx);
  glint_telnet_options_request (&self->options, GLINT_TELNET_DO, GLINT_TELNET_OPT_BINARY,
                                self->tx);
  glint_telnet_options_request (&self->options, GLINT_TELNET_WILL, GLINT_TELNET_OPT_SGA,
                                self->tx);
  glint_telnet_options_request (&self->options, GLINT_TELNET_DO, GLINT_TELNET_OPT_SGA,
                                self->tx);
  glint_telnet_options_request (&self->options, GLINT_TELNET_WILL, GLINT_TELNET_OPT_COM_PORT,
                                self->tx);
  queue_baud (self, glint_stream_get_baud (GLINT_STREAM (self)), NULL);
  glint_telnet_append_com_port_u8 (self->tx, GLINT_RFC2217_SET_DATASIZE, 8);
  glint_telnet_append_com_port_u8 (self->tx, GLINT_RFC2217_SET_PARITY,
                                   GLINT_RFC2217_PARITY_NONE);
  glint_telnet_append_com_port_u8 (self->tx, GLINT_RFC2217_SET_STOPSIZE,
                                   GLINT_RFC2217_STOPSIZE_1);
  glint_telnet_append_com_port_u8 (self->tx, GLINT_RFC2217_SET_CONTROL,
                                   GLINT_RFC2217_CONTROL_NO_FLOW);
  flush_tx (self);
  start_reading (self);

  g_task_return_boolean (task, TRUE);
}

static void
glint_rfc2217_stream_open_async (GlintStream         *stream,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GlintRfc2217Stream *self = GLINT_RFC2217_STREAM (stream);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, glint_rfc2217_stream_open_async);
  g_task_set_name (task, "glint-rfc2217-stream-open");

  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();

  _glint_socket_connect_async (self->host, self->port, cancellable, connect_cb,
                               g_steal_pointer (&task));
}

static void
glint_rfc2217_stream_set_baud_async (GlintStream         *stream,
                                     guint                baud,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GlintRfc2217Stream *self = GLINT_RFC2217_STREAM (stream);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, glint_rfc2217_stream_set_baud_async);
  g_task_set_name (task, "glint-rfc2217-stream-set-baud");

  if (!check_line_control (self, task))
    return;

  /* Always wait for the acknowledgement: it is one round trip per change,
   * and a server that cannot do the rate must not be left unnoticed. */
  queue_baud (self, baud, g_steal_pointer (&task));
  flush_tx (self);
}

static void
append_line (GlintRfc2217Stream *self,
             GlintLines          line,
             GlintLines          values)
{
  guint8 value;

  if (line == GLINT_LINE_DTR)
    value = (values & line) ? GLINT_RFC2217_CONTROL_DTR_ON : GLINT_RFC2217_CONTROL_DTR_OFF;
  else
    value = (values & line) ? GLINT_RFC2217_CONTROL_RTS_ON : GLINT_RFC2217_CONTROL_RTS_OFF;
  glint_telnet_append_com_port_u8 (self->tx, GLINT_RFC2217_SET_CONTROL, value);
}

static void
glint_rfc2217_stream_set_lines_async (GlintStream         *stream,
                                      GlintLines           mask,
                                      GlintLines           values,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GlintRfc2217Stream *self = GLINT_RFC2217_STREAM (stream);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, glint_rfc2217_stream_set_lines_async);
  g_task_set_name (task, "glint-rfc2217-stream-set-lines");

  if (!check_line_control (self, task))
    return;
  if (self->lines_unanswered)
    {
      /* said once already (the caller was told when it happened) */
      g_task_return_error (task, lines_unanswered_error (self));
      return;
    }

  /* Both changes in one write. When RTS (EN on the usual auto-reset
   * circuit) is asserted it goes first, so the chip is held in reset
   * before IO0 moves; otherwise DTR goes first, so IO0 is settled before
   * the chip leaves reset. */
  if ((mask & GLINT_LINE_RTS) && (values & GLINT_LINE_RTS))
    {
      append_line (self, GLINT_LINE_RTS, values);
      if (mask & GLINT_LINE_DTR)
        append_line (self, GLINT_LINE_DTR, values);
    }
  else
    {
      if (mask & GLINT_LINE_DTR)
        append_line (self, GLINT_LINE_DTR, values);
      if (mask & GLINT_LINE_RTS)
        append_line (self, GLINT_LINE_RTS, values);
    }
  flush_tx (self);

  if (self->ign_set_control)
    {
      /* no round trip: the request is ordered before any later data */
      g_task_return_boolean (task, TRUE);
      return;
    }

  {
    Pending *pending = pending_add (self, PENDING_LINES, g_steal_pointer (&task));

    pending->expect_mask = mask;
    pending->sent_mask = mask;
    pending->expect_values = values & mask;
  }
}

static void
glint_rfc2217_stream_purge_async (GlintStream         *stream,
                                  GlintPurge           what,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GlintRfc2217Stream *self = GLINT_RFC2217_STREAM (stream);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  guint8 value = 0;

  g_task_set_source_tag (task, glint_rfc2217_stream_purge_async);
  g_task_set_name (task, "glint-rfc2217-stream-purge");

  if (!check_line_control (self, task))
    return;

  if (what & GLINT_PURGE_INPUT)
    value |= GLINT_RFC2217_PURGE_RX;
  if (what & GLINT_PURGE_OUTPUT)
    value |= GLINT_RFC2217_PURGE_TX;

  if (value != 0)
    {
      glint_telnet_append_com_port_u8 (self->tx, GLINT_RFC2217_PURGE_DATA, value);
      flush_tx (self);
    }

  if (what & GLINT_PURGE_INPUT)
    {
      /* Do not wait for the acknowledgement, but drop what arrives before
       * it: those bytes left the server before it purged. Bounded by the
       * timeout in case a server never acknowledges. */
      rx_clear (self);
      self->purge_acks_pending++;
      clear_source (&self->purge_timeout);
      self->purge_timeout = g_timeout_source_new (self->timeout_ms);
      g_source_set_callback (self->purge_timeout, purge_timeout_cb, self, NULL);
      g_source_attach (self->purge_timeout, self->context);
      start_reading (self);
    }

  g_task_return_boolean (task, TRUE);
}

/* Completes when everything written so far was handed to the socket. */
static void
glint_rfc2217_stream_drain_async (GlintStream         *stream,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GlintRfc2217Stream *self = GLINT_RFC2217_STREAM (stream);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, glint_rfc2217_stream_drain_async);
  g_task_set_name (task, "glint-rfc2217-stream-drain");

  if (self->tx_error != NULL)
    {
      g_task_return_error (task, disconnected_error (self));
      return;
    }
  if (!self->writing && self->tx->len == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_ptr_array_add (self->drains, g_steal_pointer (&task));
}

/* GIOStream */

static GInputStream *
glint_rfc2217_stream_get_input_stream (GIOStream *stream)
{
  return GLINT_RFC2217_STREAM (stream)->input;
}

static GOutputStream *
glint_rfc2217_stream_get_output_stream (GIOStream *stream)
{
  return GLINT_RFC2217_STREAM (stream)->output;
}

static void
close_now (GlintRfc2217Stream *self)
{
  g_autoptr(GError) error = NULL;

  if (self->closed)
    return;
  self->closed = TRUE;

  g_cancellable_cancel (self->cancellable);
  clear_source (&self->purge_timeout);

  error = g_error_new (G_IO_ERROR, G_IO_ERROR_CLOSED, "%s was closed", self->host_port);
  fail_all_pending (self, error);

  if (self->connection != NULL)
    g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);

  wake (&self->rx_wake);
  wake (&self->tx_wake);
}

static gboolean
glint_rfc2217_stream_close_fn (GIOStream     *stream,
                               GCancellable  *cancellable,
                               GError       **error)
{
  close_now (GLINT_RFC2217_STREAM (stream));
  return TRUE;
}

/* The default close_async runs close_fn in a thread; all our state lives
 * in the main context, so close there. */
static void
glint_rfc2217_stream_close_async (GIOStream           *stream,
                                  int                  io_priority,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, glint_rfc2217_stream_close_async);
  g_task_set_name (task, "glint-rfc2217-stream-close");
  close_now (GLINT_RFC2217_STREAM (stream));
  g_task_return_boolean (task, TRUE);
}

static gboolean
glint_rfc2217_stream_close_finish (GIOStream     *stream,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* GObject */

static void
glint_rfc2217_stream_dispose (GObject *object)
{
  GlintRfc2217Stream *self = GLINT_RFC2217_STREAM (object);

  close_now (self);

  if (self->input != NULL)
    GLINT_RFC2217_INPUT (self->input)->stream = NULL;
  if (self->output != NULL)
    GLINT_RFC2217_OUTPUT (self->output)->stream = NULL;
  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (glint_rfc2217_stream_parent_class)->dispose (object);
}

static void
glint_rfc2217_stream_finalize (GObject *object)
{
  GlintRfc2217Stream *self = GLINT_RFC2217_STREAM (object);

  g_clear_pointer (&self->decoder, glint_telnet_decoder_free);
  g_clear_pointer (&self->drains, g_ptr_array_unref);
  g_clear_pointer (&self->rx, g_byte_array_unref);
  g_clear_pointer (&self->tx, g_byte_array_unref);
  g_clear_error (&self->rx_error);
  g_clear_error (&self->tx_error);
  g_clear_object (&self->rx_wake);
  g_clear_object (&self->tx_wake);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->host);
  g_free (self->host_port);

  G_OBJECT_CLASS (glint_rfc2217_stream_parent_class)->finalize (object);
}

static void
glint_rfc2217_stream_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  GlintRfc2217Stream *self = GLINT_RFC2217_STREAM (object);

  switch (prop_id)
    {
    case PROP_MODEM_STATE:
      g_value_set_uint (value, self->modem_state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_rfc2217_stream_class_init (GlintRfc2217StreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *io_class = G_IO_STREAM_CLASS (klass);
  GlintStreamClass *stream_class = GLINT_STREAM_CLASS (klass);

  object_class->dispose = glint_rfc2217_stream_dispose;
  object_class->finalize = glint_rfc2217_stream_finalize;
  object_class->get_property = glint_rfc2217_stream_get_property;

  io_class->get_input_stream = glint_rfc2217_stream_get_input_stream;
  io_class->get_output_stream = glint_rfc2217_stream_get_output_stream;
  io_class->close_fn = glint_rfc2217_stream_close_fn;
  io_class->close_async = glint_rfc2217_stream_close_async;
  io_class->close_finish = glint_rfc2217_stream_close_finish;

  /* each task returns a boolean: the base class's finish */
  stream_class->open_async = glint_rfc2217_stream_open_async;
  stream_class->set_baud_async = glint_rfc2217_stream_set_baud_async;
  stream_class->set_lines_async = glint_rfc2217_stream_set_lines_async;
  stream_class->purge_async = glint_rfc2217_stream_purge_async;
  stream_class->drain_async = glint_rfc2217_stream_drain_async;

  /**
   * GlintRfc2217Stream:modem-state:
   *
   * The last NOTIFY-MODEMSTATE value from the server (RFC 2217 bit mask:
   * 0x80 CD, 0x40 RI, 0x20 DSR, 0x10 CTS, low nibble the deltas).
   */
  properties[PROP_MODEM_STATE] =
    g_param_spec_uint ("modem-state", NULL, NULL, 0, 255, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
glint_rfc2217_stream_init (GlintRfc2217Stream *self)
{
  GlintRfc2217Input *input;
  GlintRfc2217Output *output;

  self->timeout_ms = 3000;
  self->cancellable = g_cancellable_new ();
  self->rx = g_byte_array_new ();
  self->tx = g_byte_array_new ();
  self->rx_wake = g_cancellable_new ();
  self->tx_wake = g_cancellable_new ();
  self->decoder = glint_telnet_decoder_new (decoder_event_cb, self);
  g_queue_init (&self->pending);
  self->drains = g_ptr_array_new_with_free_func (g_object_unref);

  glint_telnet_options_init_com_port (&self->options);

  input = g_object_new (GLINT_TYPE_RFC2217_INPUT, NULL);
  input->stream = self;
  self->input = G_INPUT_STREAM (input);
  output = g_object_new (GLINT_TYPE_RFC2217_OUTPUT, NULL);
  output->stream = self;
  self->output = G_OUTPUT_STREAM (output);

  _glint_stream_set_can_control_lines (GLINT_STREAM (self), TRUE);
  _glint_stream_set_is_remote (GLINT_STREAM (self), TRUE);
  /* The server sets its UART to what it can; starting lower than on a
   * local port leaves a step that works where 460800 does not. */
  _glint_stream_set_baud_rates (GLINT_STREAM (self), remote_rates, G_N_ELEMENTS (remote_rates));
}

static gboolean
parse_options (GlintRfc2217Stream        *self,
               const GlintStreamAddress  *address,
               GError                   **error)
{
  GHashTableIter iter;
  gpointer key, value;

  if (address->options == NULL)
    return TRUE;

  g_hash_table_iter_init (&iter, address->options);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *name = key;
      const char *text = value != NULL ? value : "";

      if (g_str_equal (name, "ign_set_control"))
        {
          self->ign_set_control = TRUE;
        }
      else if (g_str_equal (name, "poll_modem"))
        {
          /* accepted for pyserial compatibility; Glint never reads modem
           * lines, and NOTIFY-MODEMSTATE updates modem-state anyway */
          self->poll_modem = TRUE;
        }
      else if (g_str_equal (name, "logging"))
        {
          /* accepted for pyserial compatibility; G_MESSAGES_DEBUG shows ours */
        }
      else if (g_str_equal (name, "timeout"))
        {
          char *end = NULL;
          double seconds = g_ascii_strtod (text, &end);

          if (*text == '\0' || end == NULL || *end != '\0' || !(seconds > 0)
              || seconds > 3600)
            {
              g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS,
                           _("timeout must be a number of seconds between 0 and 3600, "
                              "not '%s'"), text);
              return FALSE;
            }
          self->timeout_ms = MAX (1, (guint) (seconds * 1000 + 0.5));
        }
      else
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS,
                       _("unknown rfc2217 option '%s' (known: ign_set_control, poll_modem, "
                          "timeout, logging)"), name);
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * glint_rfc2217_stream_new_for_address:
 * @address: an %GLINT_STREAM_KIND_RFC2217 address
 *
 * Creates an unopened stream. Options: `ign_set_control` (complete DTR/RTS
 * changes without waiting for the server's acknowledgement), `poll_modem`
 * (accepted, no effect), `timeout=<seconds>` (acknowledgement timeout,
 * default 3) and `logging=<level>` (accepted, no effect).
 *
 * Returns: (transfer full): the stream, or %NULL with
 *   %GLINT_ERROR_INVALID_ADDRESS
 */
GlintStream *
glint_rfc2217_stream_new_for_address (const GlintStreamAddress  *address,
                                      GError                   **error)
{
  g_autoptr(GlintRfc2217Stream) self = NULL;
  g_autofree char *url = NULL;
  gboolean ipv6;

  g_return_val_if_fail (address != NULL, NULL);

  if (address->kind != GLINT_STREAM_KIND_RFC2217 || address->host == NULL
      || *address->host == '\0' || address->port == 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS,
                   _("an rfc2217 stream needs an rfc2217://host:port address"));
      return NULL;
    }

  ipv6 = strchr (address->host, ':') != NULL;
  url = g_strdup_printf ("rfc2217://%s%s%s:%u", ipv6 ? "[" : "", address->host,
                         ipv6 ? "]" : "", address->port);
  self = g_object_new (GLINT_TYPE_RFC2217_STREAM, "address", url, NULL);
  self->host = g_strdup (address->host);
  self->port = address->port;
  self->host_port = g_strdup (url + strlen ("rfc2217://"));

  if (!parse_options (self, address, error))
    return NULL;

  return GLINT_STREAM (g_steal_pointer (&self));
}

/**
 * glint_rfc2217_stream_get_modem_state:
 *
 * Returns: the last modem state the server notified
 */
guint
glint_rfc2217_stream_get_modem_state (GlintRfc2217Stream *self)
{
  g_return_val_if_fail (GLINT_IS_RFC2217_STREAM (self), 0);

  return self->modem_state;
}
