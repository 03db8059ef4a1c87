/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-telnet.h"

/*
 * A telnet codec, shared by the RFC 2217 client stream and the simulator's
 * RFC 2217 server.  Both sides run in BINARY mode, so data is never CR/NUL
 * translated: the only transformation is IAC doubling.  The codec does no
 * I/O; the socket reader and writer both sides run it over are at the end.
 */

#define READ_CHUNK 16384

void
glint_telnet_escape (GByteArray   *out,
                     const guint8 *data,
                     gsize         len)
{
  static const guint8 iac_iac[2] = { GLINT_TELNET_IAC, GLINT_TELNET_IAC };
  gsize start = 0;

  for (gsize i = 0; i < len; i++)
    {
      if (data[i] != GLINT_TELNET_IAC)
        continue;
      if (i > start)
        g_byte_array_append (out, data + start, i - start);
      g_byte_array_append (out, iac_iac, 2);
      start = i + 1;
    }
  if (len > start)
    g_byte_array_append (out, data + start, len - start);
}

void
glint_telnet_append_negotiation (GByteArray *out,
                                 guint8      verb,
                                 guint8      option)
{
  guint8 seq[3] = { GLINT_TELNET_IAC, verb, option };

  g_return_if_fail (verb >= GLINT_TELNET_WILL && verb <= GLINT_TELNET_DONT);

  g_byte_array_append (out, seq, sizeof seq);
}

void
glint_telnet_append_subneg (GByteArray   *out,
                            guint8        option,
                            const guint8 *payload,
                            gsize         len)
{
  guint8 start[3] = { GLINT_TELNET_IAC, GLINT_TELNET_SB, option };
  guint8 end[2] = { GLINT_TELNET_IAC, GLINT_TELNET_SE };

  g_byte_array_append (out, start, sizeof start);
  glint_telnet_escape (out, payload, len);
  g_byte_array_append (out, end, sizeof end);
}

void
glint_telnet_append_com_port (GByteArray   *out,
                              guint8        command,
                              const guint8 *value,
                              gsize         len)
{
  guint8 payload[GLINT_TELNET_SB_MAX];

  g_return_if_fail (len < sizeof payload);

  payload[0] = command;
  if (len > 0)
    memcpy (payload + 1, value, len);
  glint_telnet_append_subneg (out, GLINT_TELNET_OPT_COM_PORT, payload, len + 1);
}

void
glint_telnet_append_com_port_u8 (GByteArray *out,
                                 guint8      command,
                                 guint8      value)
{
  glint_telnet_append_com_port (out, command, &value, 1);
}

void
glint_telnet_append_com_port_u32 (GByteArray *out,
                                  guint8      command,
                                  guint32     value)
{
  guint8 be[4] = { value >> 24, value >> 16, value >> 8, value };

  glint_telnet_append_com_port (out, command, be, sizeof be);
}

guint32
glint_telnet_com_port_get_u32 (const guint8 *value)
{
  return ((guint32) value[0] << 24) | ((guint32) value[1] << 16)
         | ((guint32) value[2] << 8) | value[3];
}

/* Decoder */

typedef enum
{
  STATE_DATA,
  STATE_IAC,        /* after IAC */
  STATE_VERB,       /* after IAC WILL/WONT/DO/DONT, waiting for the option */
  STATE_SB_OPTION,  /* after IAC SB */
  STATE_SB_DATA,
  STATE_SB_IAC,     /* IAC inside a subnegotiation */
} DecoderState;

struct _GlintTelnetDecoder
{
  GlintTelnetEventFunc func;
  gpointer             user_data;
  DecoderState         state;
  guint8               verb;
  guint8               sb_option;
  gboolean             sb_overflow;
  gsize                sb_len;
  guint8               sb[GLINT_TELNET_SB_MAX];
  guint                malformed;
};

GlintTelnetDecoder *
glint_telnet_decoder_new (GlintTelnetEventFunc func,
                          gpointer             user_data)
{
  GlintTelnetDecoder *self = g_new0 (GlintTelnetDecoder, 1);

  self->func = func;
  self->user_data = user_data;
  self->state = STATE_DATA;

  return self;
}

void
glint_telnet_decoder_free (GlintTelnetDecoder *self)
{
  g_free (self);
}

guint
glint_telnet_decoder_get_malformed (GlintTelnetDecoder *self)
{
  return self->malformed;
}

static void
emit_subnegotiation (GlintTelnetDecoder *self)
{
  GlintTelnetEvent event = { 0, };

  if (self->sb_overflow)
    {
      self->malformed++;
      return;
    }

  event.type = GLINT_TELNET_EVENT_SUBNEGOTIATION;
  event.option = self->sb_option;
  event.payload = self->sb;
  event.payload_len = self->sb_len;
  if (self->func != NULL)
    self->func (&event, self->user_data);
}

/* The byte after IAC, outside a subnegotiation. */
static void
handle_command (GlintTelnetDecoder *self,
                guint8              byte,
                GByteArray         *out)
{
  switch (byte)
    {
    case GLINT_TELNET_IAC:
      g_byte_array_append (out, &byte, 1);
      self->state = STATE_DATA;
      break;
    case GLINT_TELNET_WILL:
    case GLINT_TELNET_WONT:
    case GLINT_TELNET_DO:
    case GLINT_TELNET_DONT:
      self->verb = byte;
      self->state = STATE_VERB;
      break;
    case GLINT_TELNET_SB:
      self->state = STATE_SB_OPTION;
      break;
    case GLINT_TELNET_SE:
      /* SE without SB */
      self->malformed++;
      self->state = STATE_DATA;
      break;
    default:
      /* NOP, DM, BRK, IP, AO, AYT, EC, EL, GA: nothing to do in binary mode */
      self->state = STATE_DATA;
      break;
    }
}

/**
 * glint_telnet_decoder_feed:
 * @out: receives the data bytes, unescaped
 *
 * Decodes one chunk of a telnet byte stream. Chunks may split any sequence;
 * the decoder keeps its state between calls. Events are reported through
 * the callback in stream order, interleaved with appending the data before
 * them to @out.
 */
void
glint_telnet_decoder_feed (GlintTelnetDecoder *self,
                           const guint8       *data,
                           gsize               len,
                           GByteArray         *out)
{
  gsize i = 0;

  while (i < len)
    {
      guint8 byte = data[i];

      switch (self->state)
        {
        case STATE_DATA:
          {
            /* copy runs of plain data in one go */
            const guint8 *iac = memchr (data + i, GLINT_TELNET_IAC, len - i);
            gsize run = iac != NULL ? (gsize) (iac - (data + i)) : len - i;

            if (run > 0)
              g_byte_array_append (out, data + i, run);
            i += run;
            if (iac != NULL)
              {
                self->state = STATE_IAC;
                i++;
              }
            continue;
          }
        case STATE_IAC:
          handle_command (self, byte, out);
          break;
        case STATE_VERB:
          {
            GlintTelnetEvent event = { 0, };

            event.type = GLINT_TELNET_EVENT_NEGOTIATION;
            event.verb = self->verb;
            event.option = byte;
            self->state = STATE_DATA;
            if (self->func != NULL)
              self->func (&event, self->user_data);
          }
          break;
        case STATE_SB_OPTION:
          self->sb_option = byte;
          self->sb_len = 0;
          self->sb_overflow = FALSE;
          self->state = STATE_SB_DATA;
          break;
        case STATE_SB_DATA:
          if (byte == GLINT_TELNET_IAC)
            {
              self->state = STATE_SB_IAC;
            }
          else if (self->sb_len < sizeof self->sb)
            {
              self->sb[self->sb_len++] = byte;
            }
          else
            {
              self->sb_overflow = TRUE;
            }
          break;
        case STATE_SB_IAC:
          if (byte == GLINT_TELNET_IAC)
            {
              if (self->sb_len < sizeof self->sb)
                self->sb[self->sb_len++] = byte;
              else
                self->sb_overflow = TRUE;
              self->state = STATE_SB_DATA;
            }
          else if (byte == GLINT_TELNET_SE)
            {
              self->state = STATE_DATA;
              emit_subnegotiation (self);
            }
          else
            {
              /* IAC <cmd> inside SB: the peer forgot IAC SE. Drop the
               * subnegotiation and treat the byte as a command. */
              self->malformed++;
              handle_command (self, byte, out);
            }
          break;
        default:
          g_assert_not_reached ();
        }
      i++;
    }
}

/* Option negotiation, RFC 1143 */

void
glint_telnet_options_init (GlintTelnetOptions *self)
{
  memset (self, 0, sizeof *self);
}

/**
 * glint_telnet_options_init_com_port:
 *
 * Initialises @self to accept BINARY, SGA and COM-PORT-OPTION on both
 * sides: what both ends of an RFC 2217 session agree to.
 */
void
glint_telnet_options_init_com_port (GlintTelnetOptions *self)
{
  glint_telnet_options_init (self);
  glint_telnet_options_accept (self, GLINT_TELNET_OPT_BINARY, TRUE, TRUE);
  glint_telnet_options_accept (self, GLINT_TELNET_OPT_SGA, TRUE, TRUE);
  glint_telnet_options_accept (self, GLINT_TELNET_OPT_COM_PORT, TRUE, TRUE);
}

void
glint_telnet_options_accept (GlintTelnetOptions *self,
                             guint8              option,
                             gboolean            local,
                             gboolean            remote)
{
  self->accept_us[option] = local;
  self->accept_him[option] = remote;
}

/**
 * glint_telnet_options_request:
 * @verb: %GLINT_TELNET_WILL (enable on our side) or %GLINT_TELNET_DO (ask the
 *   peer to enable)
 *
 * Asks for an option, unless it is already enabled or asked for.
 */
void
glint_telnet_options_request (GlintTelnetOptions *self,
                              guint8              verb,
                              guint8              option,
                              GByteArray         *out)
{
  guint8 *state;

  g_return_if_fail (verb == GLINT_TELNET_WILL || verb == GLINT_TELNET_DO);

  state = verb == GLINT_TELNET_WILL ? &self->us[option] : &self->him[option];
  if (*state != GLINT_TELNET_Q_NO)
    return;

  *state = GLINT_TELNET_Q_WANTYES;
  glint_telnet_append_negotiation (out, verb, option);
}

/**
 * glint_telnet_options_receive:
 * @out: receives the answer, if one is due
 *
 * Handles a received WILL/WONT/DO/DONT. Answers only when the state of the
 * option changes, so negotiation cannot loop.
 *
 * Returns: what happened to the option (on the peer's side for WILL/WONT,
 *   on ours for DO/DONT)
 */
GlintTelnetOptionChange
glint_telnet_options_receive (GlintTelnetOptions *self,
                              guint8              verb,
                              guint8              option,
                              GByteArray         *out)
{
  gboolean remote = verb == GLINT_TELNET_WILL || verb == GLINT_TELNET_WONT;
  gboolean enable = verb == GLINT_TELNET_WILL || verb == GLINT_TELNET_DO;
  guint8 *state = remote ? &self->him[option] : &self->us[option];
  gboolean accept = remote ? self->accept_him[option] : self->accept_us[option];
  guint8 yes_verb = remote ? GLINT_TELNET_DO : GLINT_TELNET_WILL;
  guint8 no_verb = remote ? GLINT_TELNET_DONT : GLINT_TELNET_WONT;

  if (enable)
    {
      switch (*state)
        {
        case GLINT_TELNET_Q_NO:
          if (accept)
            {
              *state = GLINT_TELNET_Q_YES;
              glint_telnet_append_negotiation (out, yes_verb, option);
              return GLINT_TELNET_OPTION_ENABLED;
            }
          glint_telnet_append_negotiation (out, no_verb, option);
          return GLINT_TELNET_OPTION_UNCHANGED;
        case GLINT_TELNET_Q_YES:
          return GLINT_TELNET_OPTION_UNCHANGED;
        case GLINT_TELNET_Q_WANTNO:
          /* the peer answered our disable request with enable: protocol
           * error per RFC 1143; settle on NO */
          *state = GLINT_TELNET_Q_NO;
          return GLINT_TELNET_OPTION_UNCHANGED;
        case GLINT_TELNET_Q_WANTYES:
          *state = GLINT_TELNET_Q_YES;
          return GLINT_TELNET_OPTION_ENABLED;
        default:
          g_assert_not_reached ();
        }
    }

  switch (*state)
    {
    case GLINT_TELNET_Q_NO:
      return GLINT_TELNET_OPTION_UNCHANGED;
    case GLINT_TELNET_Q_YES:
      *state = GLINT_TELNET_Q_NO;
      glint_telnet_append_negotiation (out, no_verb, option);
      return GLINT_TELNET_OPTION_DISABLED;
    case GLINT_TELNET_Q_WANTNO:
      *state = GLINT_TELNET_Q_NO;
      return GLINT_TELNET_OPTION_DISABLED;
    case GLINT_TELNET_Q_WANTYES:
      *state = GLINT_TELNET_Q_NO;
      return GLINT_TELNET_OPTION_REFUSED;
    default:
      g_assert_not_reached ();
    }

  return GLINT_TELNET_OPTION_UNCHANGED;
}

/* Socket I/O */

typedef struct
{
  GWeakRef                owner;
  GBytes                 *bytes;
  GlintTelnetWrittenFunc  done;
} WriteOp;

static void
write_queue_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  WriteOp *op = user_data;
  g_autoptr(GObject) owner = g_weak_ref_get (&op->owner);
  GError *error = NULL;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error);
  if (owner != NULL)
    op->done (owner, error);
  else
    g_clear_error (&error);

  g_weak_ref_clear (&op->owner);
  g_bytes_unref (op->bytes);
  g_free (op);
}

/**
 * glint_telnet_write_queue_async:
 * @queue: (inout): encoded bytes; replaced by an empty array
 *
 * Writes all of *@queue to @connection and calls @done when that is done
 * or failed. Only one write may be in flight: the caller queues what comes
 * meanwhile and writes it from @done.
 */
void
glint_telnet_write_queue_async (GObject                 *owner,
                                GIOStream               *connection,
                                GByteArray             **queue,
                                GCancellable            *cancellable,
                                GlintTelnetWrittenFunc   done)
{
  WriteOp *op = g_new0 (WriteOp, 1);

  g_weak_ref_init (&op->owner, owner);
  op->bytes = g_byte_array_free_to_bytes (g_steal_pointer (queue));
  op->done = done;
  *queue = g_byte_array_new ();

  g_output_stream_write_all_async (g_io_stream_get_output_stream (connection),
                                   g_bytes_get_data (op->bytes, NULL),
                                   g_bytes_get_size (op->bytes),
                                   G_PRIORITY_DEFAULT, cancellable,
                                   write_queue_cb, op);
}

typedef struct
{
  GWeakRef             owner;
  GlintTelnetReadFunc  done;
  guint8               buffer[READ_CHUNK];
} ReadOp;

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ReadOp *op = user_data;
  g_autoptr(GObject) owner = g_weak_ref_get (&op->owner);
  GError *error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (owner != NULL)
    op->done (owner, op->buffer, n, error);
  else
    g_clear_error (&error);

  g_weak_ref_clear (&op->owner);
  g_free (op);
}

/**
 * glint_telnet_read_async:
 *
 * Reads one chunk of up to 16 KiB from @connection and hands it to @done:
 * @len bytes of undecoded data, 0 at the end of the stream, or -1 with
 * @error.
 */
void
glint_telnet_read_async (GObject              *owner,
                         GIOStream            *connection,
                         GCancellable         *cancellable,
                         GlintTelnetReadFunc   done)
{
  ReadOp *op = g_new (ReadOp, 1);

  g_weak_ref_init (&op->owner, owner);
  op->done = done;
  g_input_stream_read_async (g_io_stream_get_input_stream (connection),
                             op->buffer, sizeof op->buffer, G_PRIORITY_DEFAULT,
                             cancellable, read_cb, op);
}
