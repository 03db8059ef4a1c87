/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-rfc2217-server.h"
#include "glint-stream.h"
#include "glint-telnet.h"

/*
 * The server end of RFC 2217 for one accepted connection, so that external
 * tools (esptool, pyserial, Glint itself) can reach the board simulator
 * like a board behind ser2net or esp_rfc2217_server.  Every COM-PORT-OPTION
 * command is answered with the value applied; ack-set-control and ack-baud
 * switch answers off to emulate servers that never send them.
 */

struct _GlintRfc2217Server
{
  GObject                    parent_instance;

  GIOStream                 *connection;
  GlintRfc2217ServerBackend  backend;
  gpointer                   backend_data;
  GCancellable              *cancellable;

  GlintTelnetDecoder        *decoder;
  GlintTelnetOptions         options;
  GByteArray                *rx;          /* decoded data of one chunk */
  GByteArray                *tx;          /* encoded, waiting for the socket */
  gboolean                   writing;
  gboolean                   closed;

  guint                      baud;
  GlintLines                 lines;
  guint8                     datasize;
  guint8                     parity;
  guint8                     stopsize;
  guint8                     linestate_mask;
  guint8                     modemstate_mask;
  guint8                     modem_state;   /* always 0: the simulator has no CTS/DSR/RI/CD */
  gboolean                   ack_set_control;
  gboolean                   ack_baud;
};

G_DEFINE_FINAL_TYPE (GlintRfc2217Server, glint_rfc2217_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ACK_SET_CONTROL,
  PROP_ACK_BAUD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void flush_tx      (GlintRfc2217Server *self);
static void start_reading (GlintRfc2217Server *self);

static void
close_now (GlintRfc2217Server *self,
           gboolean            emit)
{
  if (self->closed)
    return;
  self->closed = TRUE;

  g_cancellable_cancel (self->cancellable);
  if (self->connection != NULL)
    g_io_stream_close (self->connection, NULL, NULL);

  if (emit)
    g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

/* Writer */

static void
socket_written_cb (GObject *owner,
                   GError  *write_error)
{
  GlintRfc2217Server *self = GLINT_RFC2217_SERVER (owner);
  g_autoptr(GError) error = write_error;

  if (self->closed)
    return;

  self->writing = FALSE;
  if (error != NULL)
    {
      g_debug ("rfc2217 server: writing to the client: %s", error->message);
      close_now (self, TRUE);
      return;
    }
  flush_tx (self);
}

static void
flush_tx (GlintRfc2217Server *self)
{
  if (self->writing || self->closed || self->tx->len == 0)
    return;

  self->writing = TRUE;
  glint_telnet_write_queue_async (G_OBJECT (self), self->connection, &self->tx,
                                  self->cancellable, socket_written_cb);
}

/* COM-PORT-OPTION commands */

static void
reply_u8 (GlintRfc2217Server *self,
          guint8              command,
          guint8              value)
{
  glint_telnet_append_com_port_u8 (self->tx, command + GLINT_RFC2217_SERVER_OFFSET, value);
}

static void
apply_line (GlintRfc2217Server *self,
            GlintLines          line,
            gboolean            on)
{
  if (on)
    self->lines |= line;
  else
    self->lines &= ~line;
  if (self->backend.set_lines != NULL)
    self->backend.set_lines (self->backend_data, line, on ? line : GLINT_LINE_NONE);
}

static void
handle_set_control (GlintRfc2217Server *self,
                    guint8              value)
{
  guint8 reply = value;

  switch (value)
    {
    case GLINT_RFC2217_CONTROL_REQUEST_FLOW:
    case GLINT_RFC2217_CONTROL_XON_XOFF:
    case GLINT_RFC2217_CONTROL_HW_FLOW:
      /* the simulated line has no flow control */
      reply = GLINT_RFC2217_CONTROL_NO_FLOW;
      break;
    case GLINT_RFC2217_CONTROL_REQUEST_BREAK:
      reply = GLINT_RFC2217_CONTROL_BREAK_OFF;
      break;
    case GLINT_RFC2217_CONTROL_BREAK_ON:
      /* BREAK is not simulated */
      reply = GLINT_RFC2217_CONTROL_BREAK_OFF;
      break;
    case GLINT_RFC2217_CONTROL_REQUEST_DTR:
      reply = (self->lines & GLINT_LINE_DTR) ? GLINT_RFC2217_CONTROL_DTR_ON
                                             : GLINT_RFC2217_CONTROL_DTR_OFF;
      break;
    case GLINT_RFC2217_CONTROL_DTR_ON:
    case GLINT_RFC2217_CONTROL_DTR_OFF:
      apply_line (self, GLINT_LINE_DTR, value == GLINT_RFC2217_CONTROL_DTR_ON);
      break;
    case GLINT_RFC2217_CONTROL_REQUEST_RTS:
      reply = (self->lines & GLINT_LINE_RTS) ? GLINT_RFC2217_CONTROL_RTS_ON
                                             : GLINT_RFC2217_CONTROL_RTS_OFF;
      break;
    case GLINT_RFC2217_CONTROL_RTS_ON:
    case GLINT_RFC2217_CONTROL_RTS_OFF:
      apply_line (self, GLINT_LINE_RTS, value == GLINT_RFC2217_CONTROL_RTS_ON);
      break;
    default:
      break;
    }

  if (self->ack_set_control)
    reply_u8 (self, GLINT_RFC2217_SET_CONTROL, reply);
}

static void
handle_com_port (GlintRfc2217Server *self,
                 const guint8       *payload,
                 gsize               len)
{
  guint8 command;
  guint8 value;

  if (len < 1)
    return;
  command = payload[0];
  payload++;
  len--;
  value = len > 0 ? payload[0] : 0;

  switch (command)
    {
    case GLINT_RFC2217_SET_BAUDRATE:
      {
        guint32 baud;

        if (len < 4)
          return;
        baud = glint_telnet_com_port_get_u32 (payload);
        if (baud != 0)
          {
            guint applied = baud;

            if (self->backend.set_baud != NULL)
              applied = self->backend.set_baud (self->backend_data, baud);
            if (applied != 0)
              self->baud = applied;
          }
        if (self->ack_baud)
          glint_telnet_append_com_port_u32 (self->tx,
                                            GLINT_RFC2217_SET_BAUDRATE
                                            + GLINT_RFC2217_SERVER_OFFSET,
                                            self->baud);
      }
      break;
    case GLINT_RFC2217_SET_DATASIZE:
      if (value >= 5 && value <= 8)
        self->datasize = value;
      reply_u8 (self, command, self->datasize);
      break;
    case GLINT_RFC2217_SET_PARITY:
      if (value >= 1 && value <= 5)
        self->parity = value;
      reply_u8 (self, command, self->parity);
      break;
    case GLINT_RFC2217_SET_STOPSIZE:
      if (value >= 1 && value <= 3)
        self->stopsize = value;
      reply_u8 (self, command, self->stopsize);
      break;
    case GLINT_RFC2217_SET_CONTROL:
      if (len >= 1)
        handle_set_control (self, value);
      break;
    case GLINT_RFC2217_NOTIFY_LINESTATE:
      /* a client asking for the current state (pyserial's poll_modem) */
      reply_u8 (self, command, 0);
      break;
    case GLINT_RFC2217_NOTIFY_MODEMSTATE:
      reply_u8 (self, command, self->modem_state);
      break;
    case GLINT_RFC2217_SET_LINESTATE_MASK:
      self->linestate_mask = value;
      reply_u8 (self, command, value);
      break;
    case GLINT_RFC2217_SET_MODEMSTATE_MASK:
      self->modemstate_mask = value;
      reply_u8 (self, command, value);
      break;
    case GLINT_RFC2217_PURGE_DATA:
      if (self->backend.purge != NULL && value >= 1 && value <= 3)
        {
          GlintPurge what = 0;

          if (value & GLINT_RFC2217_PURGE_RX)
            what |= GLINT_PURGE_INPUT;
          if (value & GLINT_RFC2217_PURGE_TX)
            what |= GLINT_PURGE_OUTPUT;
          self->backend.purge (self->backend_data, what);
        }
      reply_u8 (self, command, value);
      break;
    case GLINT_RFC2217_FLOWCONTROL_SUSPEND:
    case GLINT_RFC2217_FLOWCONTROL_RESUME:
      /* the simulator produces little output; nothing to pause */
      break;
    default:
      break;
    }
}

static void
decoder_event_cb (const GlintTelnetEvent *event,
                  gpointer                user_data)
{
  GlintRfc2217Server *self = user_data;

  if (event->type == GLINT_TELNET_EVENT_NEGOTIATION)
    {
      GlintTelnetOptionChange change;

      change = glint_telnet_options_receive (&self->options, event->verb, event->option,
                                             self->tx);
      /* pyserial refuses to report CTS/DSR until it got one modem state */
      if (event->option == GLINT_TELNET_OPT_COM_PORT && change == GLINT_TELNET_OPTION_ENABLED
          && event->verb == GLINT_TELNET_WILL)
        reply_u8 (self, GLINT_RFC2217_NOTIFY_MODEMSTATE, self->modem_state);
      return;
    }

  if (event->option == GLINT_TELNET_OPT_COM_PORT)
    {
      /* data decoded before the command goes to the serial side first */
      if (self->rx->len > 0 && self->backend.write != NULL)
        self->backend.write (self->backend_data, self->rx->data, self->rx->len);
      g_byte_array_set_size (self->rx, 0);
      handle_com_port (self, event->payload, event->payload_len);
    }
}

/* Reader */

static void
socket_read_cb (GObject      *owner,
                const guint8 *data,
                gssize        n,
                GError       *read_error)
{
  GlintRfc2217Server *self = GLINT_RFC2217_SERVER (owner);
  g_autoptr(GError) error = read_error;

  if (self->closed)
    return;

  if (n > 0)
    {
      glint_telnet_decoder_feed (self->decoder, data, n, self->rx);
      if (self->rx->len > 0 && self->backend.write != NULL && !self->closed)
        self->backend.write (self->backend_data, self->rx->data, self->rx->len);
      g_byte_array_set_size (self->rx, 0);
      flush_tx (self);
      start_reading (self);
    }
  else
    {
      if (error != NULL)
        g_debug ("rfc2217 server: reading from the client: %s", error->message);
      close_now (self, TRUE);
    }
}

static void
start_reading (GlintRfc2217Server *self)
{
  if (self->closed)
    return;

  glint_telnet_read_async (G_OBJECT (self), self->connection, self->cancellable,
                           socket_read_cb);
}

/* GObject */

static void
glint_rfc2217_server_dispose (GObject *object)
{
  GlintRfc2217Server *self = GLINT_RFC2217_SERVER (object);

  close_now (self, FALSE);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (glint_rfc2217_server_parent_class)->dispose (object);
}

static void
glint_rfc2217_server_finalize (GObject *object)
{
  GlintRfc2217Server *self = GLINT_RFC2217_SERVER (object);

  g_clear_pointer (&self->decoder, glint_telnet_decoder_free);
  g_clear_pointer (&self->rx, g_byte_array_unref);
  g_clear_pointer (&self->tx, g_byte_array_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (glint_rfc2217_server_parent_class)->finalize (object);
}

static void
glint_rfc2217_server_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  GlintRfc2217Server *self = GLINT_RFC2217_SERVER (object);

  switch (prop_id)
    {
    case PROP_ACK_SET_CONTROL:
      g_value_set_boolean (value, self->ack_set_control);
      break;
    case PROP_ACK_BAUD:
      g_value_set_boolean (value, self->ack_baud);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_rfc2217_server_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  GlintRfc2217Server *self = GLINT_RFC2217_SERVER (object);

  switch (prop_id)
    {
    case PROP_ACK_SET_CONTROL:
      glint_rfc2217_server_set_ack_set_control (self, g_value_get_boolean (value));
      break;
    case PROP_ACK_BAUD:
      glint_rfc2217_server_set_ack_baud (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_rfc2217_server_class_init (GlintRfc2217ServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = glint_rfc2217_server_dispose;
  object_class->finalize = glint_rfc2217_server_finalize;
  object_class->get_property = glint_rfc2217_server_get_property;
  object_class->set_property = glint_rfc2217_server_set_property;

  /**
   * GlintRfc2217Server:ack-set-control:
   *
   * Whether SET-CONTROL commands are answered. Off emulates servers that
   * never acknowledge them, like ser2net in front of a pty.
   */
  properties[PROP_ACK_SET_CONTROL] =
    g_param_spec_boolean ("ack-set-control", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintRfc2217Server:ack-baud:
   *
   * Whether SET-BAUDRATE commands are answered.
   */
  properties[PROP_ACK_BAUD] =
    g_param_spec_boolean ("ack-baud", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * GlintRfc2217Server::closed:
   *
   * Emitted once when the connection ended: the client went away, the
   * connection failed, or glint_rfc2217_server_close() was called.
   */
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
glint_rfc2217_server_init (GlintRfc2217Server *self)
{
  self->cancellable = g_cancellable_new ();
  self->rx = g_byte_array_new ();
  self->tx = g_byte_array_new ();
  self->decoder = glint_telnet_decoder_new (decoder_event_cb, self);
  self->baud = GLINT_STREAM_DEFAULT_BAUD;
  self->datasize = 8;
  self->parity = GLINT_RFC2217_PARITY_NONE;
  self->stopsize = GLINT_RFC2217_STOPSIZE_1;
  self->ack_set_control = TRUE;
  self->ack_baud = TRUE;

  glint_telnet_options_init_com_port (&self->options);
}

/**
 * glint_rfc2217_server_new:
 * @connection: an accepted client connection
 * @backend: (nullable): what to drive; copied
 * @backend_data: passed to the @backend functions
 *
 * Starts an RFC 2217 session: offers BINARY, SGA and COM-PORT-OPTION and
 * starts reading in the thread-default main context.
 */
GlintRfc2217Server *
glint_rfc2217_server_new (GIOStream                       *connection,
                          const GlintRfc2217ServerBackend *backend,
                          gpointer                         backend_data)
{
  GlintRfc2217Server *self;

  g_return_val_if_fail (G_IS_IO_STREAM (connection), NULL);

  self = g_object_new (GLINT_TYPE_RFC2217_SERVER, NULL);
  self->connection = g_object_ref (connection);
  if (backend != NULL)
    self->backend = *backend;
  self->backend_data = backend_data;

  glint_telnet_options_request (&self->options, GLINT_TELNET_WILL, GLINT_TELNET_OPT_BINARY,
                                self->tx);
  glint_telnet_options_request (&self->options, GLINT_TELNET_WILL, GLINT_TELNET_OPT_SGA,
                                self->tx);
  glint_telnet_options_request (&self->options, GLINT_TELNET_WILL, GLINT_TELNET_OPT_COM_PORT,
                                self->tx);
  glint_telnet_options_request (&self->options, GLINT_TELNET_DO, GLINT_TELNET_OPT_BINARY,
                                self->tx);
  glint_telnet_options_request (&self->options, GLINT_TELNET_DO, GLINT_TELNET_OPT_SGA,
                                self->tx);
  flush_tx (self);
  start_reading (self);

  return self;
}

/**
 * glint_rfc2217_server_send:
 *
 * Queues serial-side bytes for the client; they are escaped and written in
 * order, after any reply already queued.
 */
void
glint_rfc2217_server_send (GlintRfc2217Server *self,
                           const guint8       *data,
                           gsize               len)
{
  g_return_if_fail (GLINT_IS_RFC2217_SERVER (self));
  g_return_if_fail (data != NULL || len == 0);

  if (self->closed)
    return;
  glint_telnet_escape (self->tx, data, len);
  flush_tx (self);
}

/**
 * glint_rfc2217_server_close:
 *
 * Ends the session; emits #GlintRfc2217Server::closed if it was open.
 */
void
glint_rfc2217_server_close (GlintRfc2217Server *self)
{
  g_return_if_fail (GLINT_IS_RFC2217_SERVER (self));

  close_now (self, TRUE);
}

guint
glint_rfc2217_server_get_baud (GlintRfc2217Server *self)
{
  g_return_val_if_fail (GLINT_IS_RFC2217_SERVER (self), 0);

  return self->baud;
}

GlintLines
glint_rfc2217_server_get_lines (GlintRfc2217Server *self)
{
  g_return_val_if_fail (GLINT_IS_RFC2217_SERVER (self), GLINT_LINE_NONE);

  return self->lines;
}

gboolean
glint_rfc2217_server_get_ack_set_control (GlintRfc2217Server *self)
{
  g_return_val_if_fail (GLINT_IS_RFC2217_SERVER (self), FALSE);

  return self->ack_set_control;
}

void
glint_rfc2217_server_set_ack_set_control (GlintRfc2217Server *self,
                                          gboolean            ack)
{
  g_return_if_fail (GLINT_IS_RFC2217_SERVER (self));

  ack = !!ack;
  if (self->ack_set_control == ack)
    return;
  self->ack_set_control = ack;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACK_SET_CONTROL]);
}

gboolean
glint_rfc2217_server_get_ack_baud (GlintRfc2217Server *self)
{
  g_return_val_if_fail (GLINT_IS_RFC2217_SERVER (self), FALSE);

  return self->ack_baud;
}

void
glint_rfc2217_server_set_ack_baud (GlintRfc2217Server *self,
                                   gboolean            ack)
{
  g_return_if_fail (GLINT_IS_RFC2217_SERVER (self));

  ack = !!ack;
  if (self->ack_baud == ack)
    return;
  self->ack_baud = ack;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACK_BAUD]);
}
