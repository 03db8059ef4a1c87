/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "glint-error.h"
#include "glint-improv.h"

/* Improv Serial packets (docs/protocol.md §13): "IMPROV", version, type,
 * length, data, and a checksum that is the low byte of the sum of every
 * byte before it. RPC commands and results carry the same body: command,
 * body length, then length-prefixed strings. */

static guint8
checksum (const guint8 *data,
          gsize         len)
{
  guint sum = 0;

  for (gsize i = 0; i < len; i++)
    sum += data[i];
  return sum & 0xFF;
}

/**
 * glint_improv_encode_packet:
 * @type: the packet type
 * @data: its data
 * @len: their length, at most %GLINT_IMPROV_MAX_DATA
 * @out: where the packet is appended
 *
 * Appends one Improv Serial packet to @out.
 */
void
glint_improv_encode_packet (guint8        type,
                            const guint8 *data,
                            gsize         len,
                            GByteArray   *out)
{
  guint start;
  guint8 head[GLINT_IMPROV_HEADER_LEN + 3];
  guint8 sum;

  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (len <= GLINT_IMPROV_MAX_DATA);
  g_return_if_fail (out != NULL);

  memcpy (head, GLINT_IMPROV_HEADER, GLINT_IMPROV_HEADER_LEN);
  head[GLINT_IMPROV_HEADER_LEN] = GLINT_IMPROV_VERSION;
  head[GLINT_IMPROV_HEADER_LEN + 1] = type;
  head[GLINT_IMPROV_HEADER_LEN + 2] = len;

  start = out->len;
  g_byte_array_append (out, head, sizeof head);
  if (len > 0)
    g_byte_array_append (out, data, len);
  sum = checksum (out->data + start, out->len - start);
  g_byte_array_append (out, &sum, 1);
}

/**
 * glint_improv_encode_rpc:
 * @type: %GLINT_IMPROV_TYPE_RPC_COMMAND (a client) or
 *   %GLINT_IMPROV_TYPE_RPC_RESULT (a device)
 * @command: the command
 * @strings: (nullable): its strings, %NULL-terminated
 * @out: where the packet is appended
 * @error: return location for a #GError
 *
 * Appends an RPC command or result packet. Fails, appending nothing, when
 * a string or all of them together do not fit into a packet.
 *
 * Returns: %TRUE on success
 */
gboolean
glint_improv_encode_rpc (guint8              type,
                         guint8              command,
                         const char * const *strings,
                         GByteArray         *out,
                         GError            **error)
{
  g_autoptr(GByteArray) body = g_byte_array_sized_new (GLINT_IMPROV_MAX_DATA);
  guint8 head[2] = { command, 0 };

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_byte_array_append (body, head, sizeof head);
  for (guint i = 0; strings != NULL && strings[i] != NULL; i++)
    {
      gsize len = strlen (strings[i]);
      guint8 len8 = len;

      /* two bytes of command and body length, then each string with its
       * length byte, all in one packet of at most 255 bytes of data */
      if (len > GLINT_IMPROV_MAX_DATA || body->len + 1 + len > GLINT_IMPROV_MAX_DATA)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                       _("Improv Serial carries at most %u bytes of text per command; "
                         "text %u (%u bytes) does not fit: shorten it"),
                       GLINT_IMPROV_MAX_DATA - 2, i + 1, (guint) MIN (len, G_MAXUINT));
          return FALSE;
        }
      g_byte_array_append (body, &len8, 1);
      g_byte_array_append (body, (const guint8 *) strings[i], len);
    }
  body->data[1] = body->len - 2;

  glint_improv_encode_packet (type, body->data, body->len, out);
  return TRUE;
}

/**
 * glint_improv_parse_rpc:
 * @data: the data of an RPC command or result packet
 * @len: their length
 * @command: (out) (optional): the command
 * @error: return location for a #GError
 *
 * Splits the body of an RPC packet into its strings. A string with a NUL
 * byte, or lengths that run past the body, are refused.
 *
 * Returns: (transfer full): the strings (possibly none), or %NULL
 */
GStrv
glint_improv_parse_rpc (const guint8  *data,
                        gsize          len,
                        guint8        *command,
                        GError       **error)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  gsize body_len;
  gsize pos;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len < 2 || (gsize) data[1] + 2 > len)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_RESPONSE,
                   "an Improv RPC packet of %" G_GSIZE_FORMAT " bytes is too short "
                   "for its body", len);
      return NULL;
    }
  body_len = data[1];

  builder = g_strv_builder_new ();
  for (pos = 2; pos < 2 + body_len;)
    {
      gsize slen = data[pos];
      g_autofree char *s = NULL;

      if (pos + 1 + slen > 2 + body_len)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_RESPONSE,
                       "an Improv RPC string of %" G_GSIZE_FORMAT " bytes runs past "
                       "its packet", slen);
          return NULL;
        }
      if (memchr (data + pos + 1, 0, slen) != NULL)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_RESPONSE,
                       "an Improv RPC string holds a NUL byte");
          return NULL;
        }
      s = g_strndup ((const char *) data + pos + 1, slen);
      g_strv_builder_add (builder, s);
      pos += 1 + slen;
    }

  if (command != NULL)
    *command = data[0];
  return g_strv_builder_end (builder);
}

/**
 * glint_improv_state_name:
 * @state: a #GlintImprovState
 *
 * Returns: a short English name of @state, for logs
 */
const char *
glint_improv_state_name (guint8 state)
{
  switch (state)
    {
    case GLINT_IMPROV_STATE_AUTHORIZATION_REQUIRED: return "authorization required";
    case GLINT_IMPROV_STATE_AUTHORIZED:             return "ready";
    case GLINT_IMPROV_STATE_PROVISIONING:           return "provisioning";
    case GLINT_IMPROV_STATE_PROVISIONED:            return "provisioned";
    default:                                        return "unknown state";
    }
}

/**
 * glint_improv_error_name:
 * @code: a #GlintImprovError
 *
 * Returns: a short English name of @code, for logs
 */
const char *
glint_improv_error_name (guint8 code)
{
  switch (code)
    {
    case GLINT_IMPROV_ERROR_NONE:              return "no error";
    case GLINT_IMPROV_ERROR_INVALID_RPC:       return "invalid RPC packet";
    case GLINT_IMPROV_ERROR_UNKNOWN_RPC:       return "unknown RPC command";
    case GLINT_IMPROV_ERROR_UNABLE_TO_CONNECT: return "unable to connect";
    case GLINT_IMPROV_ERROR_BAD_HOSTNAME:      return "bad hostname";
    default:                                   return "unknown error";
    }
}

/* The decoder ---------------------------------------------------------- */

struct _GlintImprovDecoder
{
  guint8  buf[GLINT_IMPROV_MAX_PACKET];
  gsize   pos;
  guint64 bad_packets;
};

/**
 * glint_improv_decoder_new:
 *
 * An incremental decoder: it finds packets among whatever else the app
 * prints (its log), in pieces of any size.
 *
 * Returns: (transfer full): a new decoder
 */
GlintImprovDecoder *
glint_improv_decoder_new (void)
{
  return g_new0 (GlintImprovDecoder, 1);
}

void
glint_improv_decoder_free (GlintImprovDecoder *self)
{
  g_free (self);
}

void
glint_improv_decoder_reset (GlintImprovDecoder *self)
{
  g_return_if_fail (self != NULL);
  self->pos = 0;
}

/**
 * glint_improv_decoder_get_bad_packets:
 * @self: a decoder
 *
 * Returns: how many packets were dropped for a wrong checksum
 */
guint64
glint_improv_decoder_get_bad_packets (GlintImprovDecoder *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->bad_packets;
}

static void
feed_byte (GlintImprovDecoder    *self,
           guint8                 b,
           GlintImprovPacketFunc  func,
           gpointer               user_data)
{
  const gsize len_at = GLINT_IMPROV_HEADER_LEN + 2;
  gsize data_len;

  if (self->pos < GLINT_IMPROV_HEADER_LEN)
    {
      /* "IMPROV" repeats no prefix of itself but its first letter */
      if (b == (guint8) GLINT_IMPROV_HEADER[self->pos])
        self->buf[self->pos++] = b;
      else if (b == (guint8) GLINT_IMPROV_HEADER[0])
        {
          self->buf[0] = b;
          self->pos = 1;
        }
      else
        self->pos = 0;
      return;
    }

  /* another version is text that happens to contain the word ("IMPROVE"),
   * or a protocol this decoder does not know: skipped, not counted */
  if (self->pos == GLINT_IMPROV_HEADER_LEN && b != GLINT_IMPROV_VERSION)
    {
      self->pos = 0;
      feed_byte (self, b, func, user_data);
      return;
    }

  self->buf[self->pos++] = b;
  if (self->pos <= len_at)
    return;

  data_len = self->buf[len_at];
  if (self->pos < len_at + 1 + data_len + 1)
    return;

  self->pos = 0;
  if (checksum (self->buf, len_at + 1 + data_len) != b)
    {
      self->bad_packets++;
      return;
    }
  func (self->buf[GLINT_IMPROV_HEADER_LEN + 1], self->buf + len_at + 1, data_len, user_data);
}

/**
 * glint_improv_decoder_feed:
 * @self: a decoder
 * @data: bytes from the device
 * @len: their number
 * @func: called for each complete packet
 * @user_data: for @func
 *
 * Feeds bytes; @func may be called several times, or not at all.
 */
void
glint_improv_decoder_feed (GlintImprovDecoder    *self,
                           const guint8          *data,
                           gsize                  len,
                           GlintImprovPacketFunc  func,
                           gpointer               user_data)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (func != NULL);

  for (gsize i = 0; i < len; i++)
    feed_byte (self, data[i], func, user_data);
}
