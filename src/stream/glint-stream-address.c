/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <stdlib.h>
#include <string.h>

#include "glint-error.h"
#include "glint-rfc2217-stream.h"
#include "glint-serial-stream.h"
#include "glint-socket-stream.h"
#include "glint-stream-address.h"

/*
 * Parsing of what people type into the port field. The messages matter more
 * than the grammar: each one says what is wrong and shows a form that works,
 * because a wrong address is the first thing a new user runs into.
 */

G_DEFINE_BOXED_TYPE (GlintStreamAddress, glint_stream_address,
                     glint_stream_address_copy, glint_stream_address_free)

/* Characters kept as they are when an option value is written back. */
#define OPTION_VALUE_ALLOWED "!$'()*+,;:@/"

/* Schemes registered from above (glint_stream_address_register_scheme()):
 * the stream layer parses them and calls their factory, and knows nothing
 * else about them. Registration happens at start-up, reads at any time. */
typedef struct
{
  char                      *scheme;
  GlintStreamAddressFactory  factory;
  gpointer                   user_data;
  char                      *name_hint;
} Scheme;

G_LOCK_DEFINE_STATIC (schemes);
static GHashTable *schemes;

static void
scheme_free (gpointer data)
{
  Scheme *scheme = data;

  g_free (scheme->scheme);
  g_free (scheme->name_hint);
  g_free (scheme);
}

/**
 * glint_stream_address_register_scheme:
 * @scheme: the lower-case scheme, without "://": "sim"
 * @factory: creates an unopened stream for a parsed address of @scheme
 * @user_data: passed to @factory
 * @name_hint: an example address, shown when the name after "://" is not
 *   one: "sim://esp32"
 *
 * Makes `scheme://[name][?options]` an address. The name is letters,
 * digits, '-' and '_'; the options are not checked here, @factory checks
 * them. Registering a scheme again replaces it. An address whose scheme
 * nobody registered is refused like any unknown scheme.
 */
void
glint_stream_address_register_scheme (const char                *scheme,
                                      GlintStreamAddressFactory  factory,
                                      gpointer                   user_data,
                                      const char                *name_hint)
{
  Scheme *entry;

  g_return_if_fail (scheme != NULL && *scheme != '\0');
  g_return_if_fail (factory != NULL);
  g_return_if_fail (!g_str_equal (scheme, "socket") && !g_str_equal (scheme, "rfc2217"));

  entry = g_new0 (Scheme, 1);
  entry->scheme = g_ascii_strdown (scheme, -1);
  entry->factory = factory;
  entry->user_data = user_data;
  entry->name_hint = g_strdup (name_hint);

  G_LOCK (schemes);
  if (schemes == NULL)
    schemes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, scheme_free);
  g_hash_table_replace (schemes, entry->scheme, entry);
  G_UNLOCK (schemes);
}

/* Entries are never freed while the process runs (only replaced, which
 * registration at start-up does not do), so the pointer stays valid. */
static const Scheme *
lookup_scheme (const char *scheme)
{
  const Scheme *entry = NULL;

  G_LOCK (schemes);
  if (schemes != NULL && scheme != NULL)
    entry = g_hash_table_lookup (schemes, scheme);
  G_UNLOCK (schemes);

  return entry;
}

static GlintStreamAddress *
glint_stream_address_new (GlintStreamKind kind)
{
  GlintStreamAddress *self = g_new0 (GlintStreamAddress, 1);

  self->kind = kind;
  self->options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  return self;
}

GlintStreamAddress *
glint_stream_address_copy (const GlintStreamAddress *self)
{
  GlintStreamAddress *copy;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (self != NULL, NULL);

  copy = glint_stream_address_new (self->kind);
  copy->scheme = g_strdup (self->scheme);
  copy->path = g_strdup (self->path);
  copy->host = g_strdup (self->host);
  copy->port = self->port;

  g_hash_table_iter_init (&iter, self->options);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->options, g_strdup (key), g_strdup (value));

  return copy;
}

void
glint_stream_address_free (GlintStreamAddress *self)
{
  if (self == NULL)
    return;

  g_free (self->scheme);
  g_free (self->path);
  g_free (self->host);
  g_clear_pointer (&self->options, g_hash_table_unref);
  g_free (self);
}

const char *
glint_stream_address_get_option (const GlintStreamAddress *self,
                                 const char               *key)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return g_hash_table_lookup (self->options, key);
}

static const char *
kind_scheme (GlintStreamKind kind)
{
  switch (kind)
    {
    case GLINT_STREAM_KIND_SOCKET:
      return "socket";
    case GLINT_STREAM_KIND_RFC2217:
      return "rfc2217";
    case GLINT_STREAM_KIND_SERIAL:
    default:
      return NULL;
    }
}

static gboolean
invalid (GError     **error,
         const char  *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError     **error,
         const char  *format,
         ...)
{
  va_list args;

  va_start (args, format);
  if (error != NULL)
    *error = g_error_new_valist (GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS, format, args);
  va_end (args);

  return FALSE;
}

static gboolean
is_windows_port_name (const char *text)
{
  if (g_ascii_strncasecmp (text, "COM", 3) != 0 || text[3] == '\0')
    return FALSE;

  for (const char *p = text + 3; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  return TRUE;
}

/* ttyUSB0, ttyACM0, ttyS1, rfcomm0 and macOS-style cu.usbserial-1410 */
static gboolean
is_bare_device_name (const char *text)
{
  if (!g_str_has_prefix (text, "tty") &&
      !g_str_has_prefix (text, "cu.") &&
      !g_str_has_prefix (text, "rfcomm"))
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("._-", *p) == NULL)
      return FALSE;

  return TRUE;
}

static gboolean
is_host_name (const char *host)
{
  if (*host == '\0' || *host == '-' || *host == '.')
    return FALSE;

  for (const char *p = host; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("._-", *p) == NULL)
      return FALSE;

  return TRUE;
}

/* host:port or [v6]:port */
static gboolean
parse_host_port (GlintStreamAddress  *self,
                 const char          *scheme,
                 const char          *authority,
                 GError             **error)
{
  g_autofree char *host = NULL;
  const char *port_text = NULL;
  guint64 port = 0;

  if (*authority == '\0')
    return invalid (error, _("missing host and port: use %s://host:4000"), scheme);

  if (authority[0] == '[')
    {
      const char *end = strchr (authority, ']');

      if (end == NULL)
        return invalid (error, _("missing ] after the IPv6 address in %s://%s"),
                        scheme, authority);
      host = g_strndup (authority + 1, end - authority - 1);
      if (!g_hostname_is_ip_address (host) || strchr (host, ':') == NULL)
        return invalid (error, _("\"%s\" is not an IPv6 address: use %s://[::1]:4000 or "
                           "%s://host:4000"), host, scheme, scheme);
      if (end[1] == ':')
        port_text = end + 2;
      else if (end[1] != '\0')
        return invalid (error, _("unexpected \"%s\" after the IPv6 address: use %s://[%s]:4000"),
                        end + 1, scheme, host);
    }
  else
    {
      const char *colon = strrchr (authority, ':');

      if (colon != NULL && memchr (authority, ':', colon - authority) != NULL)
        return invalid (error, _("put IPv6 addresses in brackets: %s://[::1]:4000"), scheme);

      host = colon != NULL ? g_strndup (authority, colon - authority) : g_strdup (authority);
      port_text = colon != NULL ? colon + 1 : NULL;

      if (*host == '\0')
        return invalid (error, _("missing host before the port: use %s://host:4000"), scheme);
      if (!is_host_name (host))
        return invalid (error, _("\"%s\" is not a valid host name: use a name like "
                           "lab-pi.local or an address like 192.168.1.20"), host);
    }

  if (port_text == NULL || *port_text == '\0')
    return invalid (error, _("missing port: use %s://%s%s%s:4000 (the TCP port of the "
                       "serial server)"), scheme,
                    strchr (host, ':') != NULL ? "[" : "", host,
                    strchr (host, ':') != NULL ? "]" : "");

  if (!g_ascii_string_to_unsigned (port_text, 10, 1, 65535, &port, NULL))
    {
      const char *digits = port_text[0] == '-' ? port_text + 1 : port_text;

      /* a number, only not a TCP port: 0, 99999, -1 */
      if (*digits != '\0' && strspn (digits, "0123456789") == strlen (digits))
        return invalid (error, _("port %s is out of range: use the serial server's TCP port, "
                                 "from 1 to 65535"), port_text);
      return invalid (error, _("port \"%s\" is not a number: use a number from 1 to 65535, "
                               "e.g. %s://%s%s%s:4000"), port_text, scheme,
                      strchr (host, ':') != NULL ? "[" : "", host,
                      strchr (host, ':') != NULL ? "]" : "");
    }

  self->host = g_steal_pointer (&host);
  self->port = (guint16) port;

  return TRUE;
}

/* @keys: gets the options' names in the order typed (the table's own) */
static gboolean
parse_query (GlintStreamAddress  *self,
             const char          *query,
             GPtrArray           *keys,
             GError             **error)
{
  g_auto(GStrv) parts = g_strsplit (query, "&", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *eq;
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (parts[i][0] == '\0')
        continue;

      eq = strchr (parts[i], '=');
      /* spaces around a name or value are never part of it (and a name
       * ending the URL would lose them when formatted and parsed again) */
      key = g_strstrip (eq != NULL ? g_strndup (parts[i], eq - parts[i]) : g_strdup (parts[i]));
      value = g_uri_unescape_string (eq != NULL ? eq + 1 : "", NULL);
      if (value != NULL)
        g_strstrip (value);

      if (*key == '\0')
        return invalid (error, _("option without a name in \"?%s\""), query);
      if (value == NULL)
        return invalid (error, _("badly escaped value in option \"%s\""), parts[i]);
      if (g_hash_table_contains (self->options, key))
        return invalid (error, _("option \"%s\" is given twice"), key);

      g_ptr_array_add (keys, key);
      g_hash_table_insert (self->options, g_steal_pointer (&key), g_steal_pointer (&value));
    }

  return TRUE;
}

static gboolean
check_logging (const char  *value,
               GError     **error)
{
  const char *levels[] = { "debug", "info", "warning", "error", NULL };

  if (!g_strv_contains (levels, value))
    return invalid (error, _("invalid option logging=%s: use logging=debug, info, warning "
                       "or error"), value);

  return TRUE;
}

/* The options pyserial's rfc2217:// and socket:// handlers accept. Unknown
 * ones are an error there too, so a URL that works with esptool works here.
 * @keys: the options' names in the order typed, so that of several wrong
 * ones the first is named, every time. */
static gboolean
check_options (GlintStreamAddress  *self,
               GPtrArray           *keys,
               GError             **error)
{
  if (self->kind == GLINT_STREAM_KIND_REGISTERED)
    return TRUE;   /* the scheme's factory validates its own options */

  for (guint i = 0; i < keys->len; i++)
    {
      const char *k = g_ptr_array_index (keys, i);
      const char *v = g_hash_table_lookup (self->options, k);

      if (g_str_equal (k, "logging"))
        {
          if (!check_logging (v, error))
            return FALSE;
        }
      else if (self->kind == GLINT_STREAM_KIND_RFC2217 &&
               (g_str_equal (k, "ign_set_control") || g_str_equal (k, "poll_modem")))
        {
          if (*v != '\0')
            return invalid (error, _("option %s is a flag and takes no value: write "
                               "?%s alone"), k, k);
        }
      else if (self->kind == GLINT_STREAM_KIND_RFC2217 && g_str_equal (k, "timeout"))
        {
          char *end = NULL;
          double seconds = g_ascii_strtod (v, &end);

          if (*v == '\0' || end == NULL || *end != '\0' || !(seconds > 0) ||
              seconds > 1e6)
            return invalid (error, _("invalid option timeout=%s: use a number of seconds "
                               "greater than 0, e.g. timeout=3"), v);
        }
      else if (self->kind == GLINT_STREAM_KIND_RFC2217)
        {
          return invalid (error, _("unknown option \"%s\" for rfc2217://: use ign_set_control, "
                             "poll_modem, timeout=SECONDS or logging=LEVEL"), k);
        }
      else
        {
          return invalid (error, _("unknown option \"%s\" for socket://: only logging=LEVEL "
                             "is supported"), k);
        }
    }

  return TRUE;
}

static gboolean
parse_url (GlintStreamAddress  *self,
           const char          *scheme,
           const char          *rest,
           GError             **error)
{
  const char *question = strchr (rest, '?');
  g_autofree char *authority = NULL;
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();

  authority = question != NULL ? g_strndup (rest, question - rest) : g_strdup (rest);

  /* in the order typed: the host and port, then the options */
  if (self->kind == GLINT_STREAM_KIND_REGISTERED)
    {
      const Scheme *entry = lookup_scheme (scheme);

      /* sim://esp32s3 names the chip; sim:// is the default chip */
      if (g_str_has_suffix (authority, "/"))
        authority[strlen (authority) - 1] = '\0';
      for (const char *p = authority; *p != '\0'; p++)
        if (!g_ascii_isalnum (*p) && strchr ("_-", *p) == NULL)
          return invalid (error, _("invalid name \"%s\": use %s:// or %s"),
                          authority, scheme,
                          entry->name_hint != NULL ? entry->name_hint : "");
      if (*authority != '\0')
        self->path = g_steal_pointer (&authority);
    }
  else
    {
      char *slash = strchr (authority, '/');

      /* pyserial tolerates a trailing slash; nothing may follow it */
      if (slash != NULL && slash[1] == '\0')
        *slash = '\0';
      else if (slash != NULL)
        return invalid (error, _("unexpected path \"%s\": use %s://host:4000"), slash, scheme);

      if (!parse_host_port (self, scheme, authority, error))
        return FALSE;
    }

  if (question != NULL && !parse_query (self, question + 1, keys, error))
    return FALSE;

  return check_options (self, keys, error);
}

/**
 * glint_stream_address_parse:
 * @text: what the user typed
 *
 * Parses a port name or URL. Leading and trailing whitespace is ignored.
 *
 * Returns: (transfer full): the address, or %NULL with
 *   %GLINT_ERROR_INVALID_ADDRESS set, the message saying what would work
 */
GlintStreamAddress *
glint_stream_address_parse (const char  *text,
                            GError     **error)
{
  g_autoptr(GlintStreamAddress) self = NULL;
  g_autofree char *trimmed = NULL;
  const char *sep;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));

  if (*trimmed == '\0')
    {
      invalid (error, _("empty address: type a serial port such as /dev/ttyUSB0 or a URL "
                  "such as rfc2217://host:4000"));
      return NULL;
    }

  sep = strstr (trimmed, "://");
  if (sep != NULL)
    {
      g_autofree char *scheme = g_ascii_strdown (trimmed, sep - trimmed);

      if (g_str_equal (scheme, "socket"))
        self = glint_stream_address_new (GLINT_STREAM_KIND_SOCKET);
      else if (g_str_equal (scheme, "rfc2217"))
        self = glint_stream_address_new (GLINT_STREAM_KIND_RFC2217);
      else if (lookup_scheme (scheme) != NULL)
        {
          self = glint_stream_address_new (GLINT_STREAM_KIND_REGISTERED);
          self->scheme = g_strdup (scheme);
        }
      else
        {
          invalid (error, _("unsupported scheme \"%s://\": use rfc2217:// or socket:// for a "
                      "remote board, or a device path such as /dev/ttyUSB0"), scheme);
          return NULL;
        }

      if (!parse_url (self, scheme, sep + 3, error))
        return NULL;

      return g_steal_pointer (&self);
    }

  if (g_path_is_absolute (trimmed))
    {
      self = glint_stream_address_new (GLINT_STREAM_KIND_SERIAL);
      self->path = g_steal_pointer (&trimmed);
      return g_steal_pointer (&self);
    }

  if (is_windows_port_name (trimmed))
    {
      invalid (error, _("%s is a Windows port name, which does not exist here: serial ports "
                  "are called /dev/ttyUSB0 or /dev/ttyACM0 on this system"), trimmed);
      return NULL;
    }

  if (strchr (trimmed, ':') != NULL && strchr (trimmed, '/') == NULL)
    {
      invalid (error, _("missing scheme in \"%s\": for a remote board use rfc2217://%s "
                  "(or socket://%s for a raw TCP serial server)"), trimmed, trimmed, trimmed);
      return NULL;
    }

  if (is_bare_device_name (trimmed))
    {
      self = glint_stream_address_new (GLINT_STREAM_KIND_SERIAL);
      self->path = g_strconcat ("/dev/", trimmed, NULL);
      return g_steal_pointer (&self);
    }

  invalid (error, _("unknown port \"%s\": use a device path such as /dev/ttyUSB0 or a URL "
              "such as rfc2217://host:4000"), trimmed);
  return NULL;
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * glint_stream_address_to_string:
 *
 * Returns: (transfer full): the canonical form: lower-case scheme, IPv6 hosts
 *   in brackets, options sorted by name and flags without `=`. Parsing it
 *   gives an equal address.
 */
char *
glint_stream_address_to_string (const GlintStreamAddress *self)
{
  g_autoptr(GString) str = NULL;
  g_autofree gpointer *keys = NULL;
  guint n_keys = 0;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->kind == GLINT_STREAM_KIND_SERIAL)
    return g_strdup (self->path);

  str = g_string_new (self->kind == GLINT_STREAM_KIND_REGISTERED ?
                      self->scheme : kind_scheme (self->kind));
  g_string_append (str, "://");

  if (self->kind == GLINT_STREAM_KIND_REGISTERED)
    {
      if (self->path != NULL)
        g_string_append (str, self->path);
    }
  else if (strchr (self->host, ':') != NULL)
    g_string_append_printf (str, "[%s]:%u", self->host, self->port);
  else
    g_string_append_printf (str, "%s:%u", self->host, self->port);

  keys = g_hash_table_get_keys_as_array (self->options, &n_keys);
  qsort (keys, n_keys, sizeof (gpointer), compare_strings);
  for (guint i = 0; i < n_keys; i++)
    {
      const char *key = keys[i];
      const char *value = g_hash_table_lookup (self->options, key);

      g_string_append_c (str, i == 0 ? '?' : '&');
      g_string_append (str, key);
      if (value != NULL && *value != '\0')
        {
          g_autofree char *escaped = g_uri_escape_string (value, OPTION_VALUE_ALLOWED, FALSE);

          g_string_append_printf (str, "=%s", escaped);
        }
    }

  return g_string_free (g_steal_pointer (&str), FALSE);
}

/**
 * glint_stream_new_for_address:
 * @text: a port name or URL as the user typed it
 *
 * Parses @text and creates the matching stream, not yet open, with its
 * `address` property set to the canonical form.
 *
 * Returns: (transfer full): a new stream, or %NULL with @error set
 */
GlintStream *
glint_stream_new_for_address (const char  *text,
                              GError     **error)
{
  g_autoptr(GlintStreamAddress) address = NULL;
  g_autofree char *canonical = NULL;

  address = glint_stream_address_parse (text, error);
  if (address == NULL)
    return NULL;

  canonical = glint_stream_address_to_string (address);

  switch (address->kind)
    {
    case GLINT_STREAM_KIND_SERIAL:
      return glint_serial_stream_new (address->path);
    case GLINT_STREAM_KIND_SOCKET:
      return g_object_new (GLINT_TYPE_SOCKET_STREAM,
                           "address", canonical,
                           "host", address->host,
                           "port", (guint) address->port,
                           NULL);
    case GLINT_STREAM_KIND_RFC2217:
      return glint_rfc2217_stream_new_for_address (address, error);
    case GLINT_STREAM_KIND_REGISTERED:
      {
        const Scheme *entry = lookup_scheme (address->scheme);

        return entry->factory (address, entry->user_data, error);
      }
    default:
      g_assert_not_reached ();
    }

  return NULL;
}
