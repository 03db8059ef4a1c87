/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-error.h"
#include "glint-improv.h"

/* The Improv Serial codec (docs/protocol.md §13), with byte arrays. */

typedef struct
{
  guint8  type[8];
  GBytes *data[8];
  guint   n;
} Seen;

static void
seen_cb (guint8        type,
         const guint8 *data,
         gsize         len,
         gpointer      user_data)
{
  Seen *seen = user_data;

  g_assert_cmpuint (seen->n, <, G_N_ELEMENTS (seen->type));
  seen->type[seen->n] = type;
  seen->data[seen->n] = g_bytes_new (data, len);
  seen->n++;
}

static void
seen_clear (Seen *seen)
{
  for (guint i = 0; i < seen->n; i++)
    g_bytes_unref (seen->data[i]);
  seen->n = 0;
}

/* The specification's example: SSID MyWirelessAP, password
 * mysecurepassword is the RPC body 01 1E 0C … 10 …; the packet around it
 * starts IMPROV 01 03 20 and ends with the low byte of the sum. */
static void
test_encode_wifi_settings (void)
{
  const char *strings[] = { "MyWirelessAP", "mysecurepassword", NULL };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint sum = 0;

  g_assert_true (glint_improv_encode_rpc (GLINT_IMPROV_TYPE_RPC_COMMAND,
                                          GLINT_IMPROV_COMMAND_WIFI_SETTINGS,
                                          strings, out, NULL));
  g_assert_cmpuint (out->len, ==, 6 + 3 + 32 + 1);
  g_assert_cmpmem (out->data, 9, "IMPROV\x01\x03\x20", 9);
  g_assert_cmpmem (out->data + 9, 3, "\x01\x1e\x0c", 3);
  g_assert_cmpmem (out->data + 12, 12, "MyWirelessAP", 12);
  g_assert_cmpuint (out->data[24], ==, 0x10);
  g_assert_cmpmem (out->data + 25, 16, "mysecurepassword", 16);
  for (guint i = 0; i < out->len - 1; i++)
    sum += out->data[i];
  g_assert_cmpuint (out->data[out->len - 1], ==, sum & 0xFF);
}

static void
test_encode_too_long (void)
{
  g_autofree char *ssid = g_strnfill (200, 'a');
  g_autofree char *password = g_strnfill (60, 'b');
  const char *strings[] = { ssid, password, NULL };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  /* 2 + 201 + 61 bytes: more than one packet holds */
  g_assert_false (glint_improv_encode_rpc (GLINT_IMPROV_TYPE_RPC_COMMAND,
                                           GLINT_IMPROV_COMMAND_WIFI_SETTINGS,
                                           strings, out, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (out->len, ==, 0);
}

/* Packets among log lines, cut at every place. */
static void
test_decode_in_log (void)
{
  const char *info[] = { "glint-demo", "1.0", "ESP32", "Demo", NULL };
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  g_auto(GStrv) strings = NULL;
  guint8 state = GLINT_IMPROV_STATE_AUTHORIZED;
  guint8 command = 0;

  g_byte_array_append (wire, (const guint8 *) "I (12) boot: IMPR\r\n", 19);
  glint_improv_encode_packet (GLINT_IMPROV_TYPE_CURRENT_STATE, &state, 1, wire);
  g_byte_array_append (wire, (const guint8 *) "IIMPROVE tick\r\n", 15);
  g_assert_true (glint_improv_encode_rpc (GLINT_IMPROV_TYPE_RPC_RESULT,
                                          GLINT_IMPROV_COMMAND_DEVICE_INFO, info, wire, NULL));

  for (gsize cut = 0; cut <= wire->len; cut++)
    {
      g_autoptr(GlintImprovDecoder) decoder = glint_improv_decoder_new ();
      Seen seen = { 0 };

      glint_improv_decoder_feed (decoder, wire->data, cut, seen_cb, &seen);
      glint_improv_decoder_feed (decoder, wire->data + cut, wire->len - cut, seen_cb, &seen);
      g_assert_cmpuint (seen.n, ==, 2);
      g_assert_cmpuint (seen.type[0], ==, GLINT_IMPROV_TYPE_CURRENT_STATE);
      g_assert_cmpmem (g_bytes_get_data (seen.data[0], NULL), 1, &state, 1);
      g_assert_cmpuint (seen.type[1], ==, GLINT_IMPROV_TYPE_RPC_RESULT);
      if (cut == 0)
        strings = glint_improv_parse_rpc (g_bytes_get_data (seen.data[1], NULL),
                                          g_bytes_get_size (seen.data[1]), &command, NULL);
      g_assert_cmpuint (glint_improv_decoder_get_bad_packets (decoder), ==, 0);
      seen_clear (&seen);
    }

  g_assert_cmpuint (command, ==, GLINT_IMPROV_COMMAND_DEVICE_INFO);
  g_assert_cmpstrv (strings, info);
}

static void
test_decode_bad (void)
{
  g_autoptr(GlintImprovDecoder) decoder = glint_improv_decoder_new ();
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  guint8 state = GLINT_IMPROV_STATE_PROVISIONED;
  Seen seen = { 0 };

  /* a damaged checksum, then another version, then a good packet */
  glint_improv_encode_packet (GLINT_IMPROV_TYPE_CURRENT_STATE, &state, 1, wire);
  wire->data[wire->len - 1] ^= 0x01;
  glint_improv_encode_packet (GLINT_IMPROV_TYPE_CURRENT_STATE, &state, 1, wire);
  wire->data[wire->len - 5] = 2;
  glint_improv_encode_packet (GLINT_IMPROV_TYPE_ERROR_STATE, &state, 1, wire);

  glint_improv_decoder_feed (decoder, wire->data, wire->len, seen_cb, &seen);
  g_assert_cmpuint (seen.n, ==, 1);
  g_assert_cmpuint (seen.type[0], ==, GLINT_IMPROV_TYPE_ERROR_STATE);
  g_assert_cmpuint (glint_improv_decoder_get_bad_packets (decoder), ==, 1);
  seen_clear (&seen);
}

static void
test_parse_rpc_bad (void)
{
  static const guint8 overrun[] = { 0x04, 0x03, 0x05, 'a', 'b' };
  static const guint8 short_body[] = { 0x04, 0x09, 0x01, 'a' };
  static const guint8 nul[] = { 0x04, 0x03, 0x02, 'a', 0 };
  static const guint8 empty[] = { 0x04, 0x00 };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) none = NULL;
  guint8 command = 0;

  g_assert_null (glint_improv_parse_rpc (overrun, sizeof overrun, NULL, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_RESPONSE);
  g_clear_error (&error);
  g_assert_null (glint_improv_parse_rpc (short_body, sizeof short_body, NULL, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_RESPONSE);
  g_clear_error (&error);
  g_assert_null (glint_improv_parse_rpc (nul, sizeof nul, NULL, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_RESPONSE);
  g_clear_error (&error);

  /* the end of a scan: a result without strings */
  none = glint_improv_parse_rpc (empty, sizeof empty, &command, &error);
  g_assert_no_error (error);
  g_assert_nonnull (none);
  g_assert_cmpuint (g_strv_length (none), ==, 0);
  g_assert_cmpuint (command, ==, GLINT_IMPROV_COMMAND_WIFI_NETWORKS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/glint/improv/encode-wifi-settings", test_encode_wifi_settings);
  g_test_add_func ("/glint/improv/encode-too-long", test_encode_too_long);
  g_test_add_func ("/glint/improv/decode-in-log", test_decode_in_log);
  g_test_add_func ("/glint/improv/decode-bad", test_decode_bad);
  g_test_add_func ("/glint/improv/parse-rpc-bad", test_parse_rpc_bad);

  return g_test_run ();
}
