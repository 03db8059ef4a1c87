/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-error.h"
#include "glint-serial-stream.h"
#include "glint-socket-stream.h"
#include "glint-stream-address.h"
#include "glint-test-utils.h"

typedef struct
{
  const char      *text;
  GlintStreamKind  kind;
  const char      *path;
  const char      *host;
  guint16          port;
  const char      *options;     /* "k=v,k2=" in sorted order, or NULL for none */
  const char      *canonical;
} ValidCase;

static const ValidCase valid_cases[] = {
  { "/dev/ttyUSB0", GLINT_STREAM_KIND_SERIAL, "/dev/ttyUSB0", NULL, 0, NULL, "/dev/ttyUSB0" },
  { "  /dev/ttyACM1\n", GLINT_STREAM_KIND_SERIAL, "/dev/ttyACM1", NULL, 0, NULL, "/dev/ttyACM1" },
  { "/tmp/does/not/exist", GLINT_STREAM_KIND_SERIAL, "/tmp/does/not/exist", NULL, 0, NULL,
    "/tmp/does/not/exist" },
  { "ttyUSB0", GLINT_STREAM_KIND_SERIAL, "/dev/ttyUSB0", NULL, 0, NULL, "/dev/ttyUSB0" },
  { "ttyACM0", GLINT_STREAM_KIND_SERIAL, "/dev/ttyACM0", NULL, 0, NULL, "/dev/ttyACM0" },
  { "ttyS1", GLINT_STREAM_KIND_SERIAL, "/dev/ttyS1", NULL, 0, NULL, "/dev/ttyS1" },
  { "cu.usbserial-1410", GLINT_STREAM_KIND_SERIAL, "/dev/cu.usbserial-1410", NULL, 0, NULL,
    "/dev/cu.usbserial-1410" },
  { "socket://192.168.1.20:3333", GLINT_STREAM_KIND_SOCKET, NULL, "192.168.1.20", 3333, NULL,
    "socket://192.168.1.20:3333" },
  { "SOCKET://lab-pi.local:23?logging=debug", GLINT_STREAM_KIND_SOCKET, NULL, "lab-pi.local", 23,
    "logging=debug", "socket://lab-pi.local:23?logging=debug" },
  { "rfc2217://localhost:4000", GLINT_STREAM_KIND_RFC2217, NULL, "localhost", 4000, NULL,
    "rfc2217://localhost:4000" },
  { "rfc2217://[::1]:4000", GLINT_STREAM_KIND_RFC2217, NULL, "::1", 4000, NULL,
    "rfc2217://[::1]:4000" },
  { "rfc2217://[fe80::1:2]:65535/", GLINT_STREAM_KIND_RFC2217, NULL, "fe80::1:2", 65535, NULL,
    "rfc2217://[fe80::1:2]:65535" },
  { "rfc2217://host:1?timeout=2.5&ign_set_control", GLINT_STREAM_KIND_RFC2217, NULL, "host", 1,
    "ign_set_control=,timeout=2.5", "rfc2217://host:1?ign_set_control&timeout=2.5" },
  { "RfC2217://10.0.0.1:4000?poll_modem&logging=warning&ign_set_control",
    GLINT_STREAM_KIND_RFC2217, NULL, "10.0.0.1", 4000,
    "ign_set_control=,logging=warning,poll_modem=",
    "rfc2217://10.0.0.1:4000?ign_set_control&logging=warning&poll_modem" },
  { "sim://", GLINT_STREAM_KIND_REGISTERED, NULL, NULL, 0, NULL, "sim://" },
  { "sim://esp32s3", GLINT_STREAM_KIND_REGISTERED, "esp32s3", NULL, 0, NULL, "sim://esp32s3" },
  { "sim://esp32?flash=4MB&fail", GLINT_STREAM_KIND_REGISTERED, "esp32", NULL, 0,
    "fail=,flash=4MB", "sim://esp32?fail&flash=4MB" },
  { "sim://?unknown_to_us=1", GLINT_STREAM_KIND_REGISTERED, NULL, NULL, 0, "unknown_to_us=1",
    "sim://?unknown_to_us=1" },
};

static char *
options_to_string (const GlintStreamAddress *address)
{
  g_autoptr(GList) keys = g_hash_table_get_keys (address->options);
  g_autoptr(GString) str = g_string_new (NULL);

  keys = g_list_sort (keys, (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l != NULL; l = l->next)
    g_string_append_printf (str, "%s%s=%s", str->len > 0 ? "," : "", (char *) l->data,
                            glint_stream_address_get_option (address, l->data));

  return g_string_free (g_steal_pointer (&str), FALSE);
}

static void
assert_addresses_equal (const GlintStreamAddress *a,
                        const GlintStreamAddress *b)
{
  g_autofree char *oa = options_to_string (a);
  g_autofree char *ob = options_to_string (b);

  g_assert_cmpint (a->kind, ==, b->kind);
  g_assert_cmpstr (a->path, ==, b->path);
  g_assert_cmpstr (a->host, ==, b->host);
  g_assert_cmpuint (a->port, ==, b->port);
  g_assert_cmpstr (oa, ==, ob);
}

static void
test_address_valid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (valid_cases); i++)
    {
      const ValidCase *c = &valid_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(GlintStreamAddress) address = NULL;
      g_autoptr(GlintStreamAddress) again = NULL;
      g_autoptr(GlintStreamAddress) copy = NULL;
      g_autofree char *options = NULL;
      g_autofree char *canonical = NULL;
      g_autofree char *canonical2 = NULL;

      g_test_message ("valid: %s", c->text);
      address = glint_stream_address_parse (c->text, &error);
      g_assert_no_error (error);
      g_assert_nonnull (address);

      g_assert_cmpint (address->kind, ==, c->kind);
      g_assert_cmpstr (address->path, ==, c->path);
      g_assert_cmpstr (address->host, ==, c->host);
      g_assert_cmpuint (address->port, ==, c->port);
      options = options_to_string (address);
      g_assert_cmpstr (options, ==, c->options != NULL ? c->options : "");

      canonical = glint_stream_address_to_string (address);
      g_assert_cmpstr (canonical, ==, c->canonical);

      /* round trip: parsing the canonical form gives the same address */
      again = glint_stream_address_parse (canonical, &error);
      g_assert_no_error (error);
      assert_addresses_equal (address, again);
      canonical2 = glint_stream_address_to_string (again);
      g_assert_cmpstr (canonical2, ==, canonical);

      copy = glint_stream_address_copy (address);
      assert_addresses_equal (address, copy);
    }
}

typedef struct
{
  const char *text;
  const char *hint;   /* a word the message must contain */
} InvalidCase;

static const InvalidCase invalid_cases[] = {
  { "", "empty" },
  { "   ", "/dev/ttyUSB0" },
  { "http://example.com:80", "rfc2217://" },
  { "ftp://host:21", "socket://" },
  { "esp32-board:4000", "rfc2217://esp32-board:4000" },
  { "192.168.1.20:4000", "rfc2217://192.168.1.20:4000" },
  { "COM3", "Windows" },
  { "com12", "/dev/ttyUSB0" },
  { "rfc2217://host", "missing port" },
  { "rfc2217://host:", "missing port" },
  { "rfc2217://:4000", "missing host" },
  { "rfc2217://", "missing host" },
  { "rfc2217://host:0", "port 0 is out of range" },
  { "rfc2217://host:65536", "1 to 65535" },
  { "rfc2217://host:40x0", "is not a number" },
  { "rfc2217://host:65536?bogus", "out of range" },
  { "rfc2217://::1:4000", "brackets" },
  { "rfc2217://[::1:4000", "]" },
  { "rfc2217://[nothost]:4000", "IPv6" },
  { "rfc2217://[::1]", "missing port" },
  { "rfc2217://ho st:4000", "host name" },
  { "rfc2217://host:4000/path", "path" },
  { "rfc2217://host:4000?bogus", "unknown option" },
  { "rfc2217://host:4000?timeout=0", "timeout" },
  { "rfc2217://host:4000?timeout=-1", "timeout" },
  { "rfc2217://host:4000?timeout=abc", "timeout" },
  { "rfc2217://host:4000?timeout=", "timeout" },
  { "rfc2217://host:4000?logging=verbose", "logging=debug" },
  { "rfc2217://host:4000?ign_set_control=1", "flag" },
  { "rfc2217://host:4000?poll_modem&poll_modem", "twice" },
  { "socket://host:4000?ign_set_control", "only logging" },
  { "socket://host:4000?timeout=3", "unknown option" },
  { "sim://esp/32", "use sim:// or sim://esp32" },
  { "esp32", "/dev/ttyUSB0" },
  { "dev/ttyUSB0", "device path" },
};

static void
test_address_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      const InvalidCase *c = &invalid_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(GlintStreamAddress) address = NULL;
      g_autoptr(GlintStream) stream = NULL;

      g_test_message ("invalid: \"%s\"", c->text);
      address = glint_stream_address_parse (c->text, &error);
      g_assert_null (address);
      g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS);
      g_test_message ("  -> %s", error->message);
      g_assert_nonnull (strstr (error->message, c->hint));
      g_clear_error (&error);

      stream = glint_stream_new_for_address (c->text, &error);
      g_assert_null (stream);
      g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS);
    }
}

static void
test_address_null_is_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStreamAddress) address = glint_stream_address_parse (NULL, &error);

  g_assert_null (address);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS);
}

static void
test_address_boxed (void)
{
  g_autoptr(GlintStreamAddress) address = glint_stream_address_parse ("rfc2217://h:1?poll_modem",
                                                                      NULL);
  GlintStreamAddress *copy;

  g_assert_true (G_TYPE_IS_BOXED (GLINT_TYPE_STREAM_ADDRESS));
  copy = g_boxed_copy (GLINT_TYPE_STREAM_ADDRESS, address);
  g_assert_true (copy != address);
  g_assert_true (copy->options != address->options);
  assert_addresses_equal (address, copy);
  g_boxed_free (GLINT_TYPE_STREAM_ADDRESS, copy);
}

static void
test_address_new_stream (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStream) serial = NULL;
  g_autoptr(GlintStream) socket_stream = NULL;
  g_autoptr(GlintStream) v6 = NULL;

  serial = glint_stream_new_for_address (" ttyUSB3 ", &error);
  g_assert_no_error (error);
  g_assert_true (GLINT_IS_SERIAL_STREAM (serial));
  g_assert_cmpstr (glint_stream_get_address (serial), ==, "/dev/ttyUSB3");
  g_assert_cmpstr (glint_serial_stream_get_path (GLINT_SERIAL_STREAM (serial)), ==,
                   "/dev/ttyUSB3");
  g_assert_false (glint_stream_get_is_remote (serial));
  g_assert_false (glint_stream_get_is_open (serial));

  socket_stream = glint_stream_new_for_address ("Socket://example.org:3333?logging=info",
                                                &error);
  g_assert_no_error (error);
  g_assert_true (GLINT_IS_SOCKET_STREAM (socket_stream));
  g_assert_cmpstr (glint_stream_get_address (socket_stream), ==,
                   "socket://example.org:3333?logging=info");
  g_assert_true (glint_stream_get_is_remote (socket_stream));

  v6 = glint_stream_new_for_address ("socket://[::1]:7", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (glint_stream_get_address (v6), ==, "socket://[::1]:7");
}

typedef struct
{
  guint  calls;
  char  *path;
  char  *option;
} FakeCalls;

static GlintStream *
fake_factory (const GlintStreamAddress  *address,
              gpointer                   user_data,
              GError                   **error)
{
  FakeCalls *calls = user_data;

  calls->calls++;
  g_free (calls->path);
  calls->path = g_strdup (address->path);
  g_free (calls->option);
  calls->option = g_strdup (glint_stream_address_get_option (address, "speed"));
  if (g_strcmp0 (address->path, "broken") == 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS, "no broken boards here");
      return NULL;
    }

  return glint_stream_new_for_address ("socket://127.0.0.1:9", error);
}

/* The stream layer knows no simulator: sim:// is one scheme registered from
 * above, and an unregistered one fails like any unknown scheme. */
static void
test_address_registered_scheme (void)
{
  FakeCalls calls = { 0 };
  g_autoptr(GError) unknown_error = NULL;
  g_autoptr(GError) before_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStreamAddress) address = NULL;
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GlintStream) broken = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *expected = NULL;
  g_auto(GStrv) parts = NULL;

  g_assert_null (glint_stream_address_parse ("nosuch://x", &unknown_error));
  g_assert_null (glint_stream_address_parse ("fake://x", &before_error));
  g_assert_error (before_error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS);
  g_assert_nonnull (strstr (unknown_error->message, "\"nosuch://\""));
  /* the same message, naming the scheme that was typed */
  parts = g_strsplit (unknown_error->message, "nosuch", -1);
  expected = g_strjoinv ("fake", parts);
  g_assert_cmpstr (before_error->message, ==, expected);

  glint_stream_address_register_scheme ("fake", fake_factory, &calls, "fake://one");

  address = glint_stream_address_parse ("FAKE://board1/?speed=3", &error);
  g_assert_no_error (error);
  g_assert_cmpint (address->kind, ==, GLINT_STREAM_KIND_REGISTERED);
  g_assert_cmpstr (address->scheme, ==, "fake");
  g_assert_cmpstr (address->path, ==, "board1");
  canonical = glint_stream_address_to_string (address);
  g_assert_cmpstr (canonical, ==, "fake://board1?speed=3");
  g_assert_cmpuint (calls.calls, ==, 0);

  stream = glint_stream_new_for_address ("fake://board2?speed=9", &error);
  g_assert_no_error (error);
  g_assert_true (GLINT_IS_SOCKET_STREAM (stream));
  g_assert_cmpuint (calls.calls, ==, 1);
  g_assert_cmpstr (calls.path, ==, "board2");
  g_assert_cmpstr (calls.option, ==, "9");

  broken = glint_stream_new_for_address ("fake://broken", &error);
  g_assert_null (broken);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS);
  g_assert_cmpstr (error->message, ==, "no broken boards here");
  g_clear_error (&error);

  /* the name hint a scheme registers shows in its name errors */
  g_assert_null (glint_stream_address_parse ("fake://a.b", &error));
  g_assert_nonnull (strstr (error->message, "use fake:// or fake://one"));

  g_free (calls.path);
  g_free (calls.option);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  glint_sim_stream_register ();

  g_test_add_func ("/glint/stream-address/valid", test_address_valid);
  g_test_add_func ("/glint/stream-address/invalid", test_address_invalid);
  g_test_add_func ("/glint/stream-address/null", test_address_null_is_empty);
  g_test_add_func ("/glint/stream-address/boxed", test_address_boxed);
  g_test_add_func ("/glint/stream-address/new-stream", test_address_new_stream);
  g_test_add_func ("/glint/stream-address/registered-scheme", test_address_registered_scheme);

  return g_test_run ();
}
