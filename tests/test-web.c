/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <utime.h>

#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "glint-error.h"
#include "glint-flash-plan.h"
#include "glint-flasher.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-stream-address.h"
#include "glint-test-image.h"
#include "glint-test-utils.h"
#include "glint-download-cache.h"
#include "glint-web-fetch-private.h"

/*
 * Manifest URLs against a real HTTP server: libsoup's SoupServer on
 * 127.0.0.1 in a child process of this test (serve()), serving an
 * installer made here (a partition table and an app image, a
 * manifest.json that names them relative to itself), with redirects, a 404, an HTML page instead of a part, a body
 * that breaks off, a server that never finishes, over http and over https
 * with a certificate made by openssl at test time and trusted through a
 * test-only GTlsFileDatabase. Every request the server answers goes to its
 * log, which the cache tests read.
 */

typedef struct
{
  SoupServer  *server;
  char        *base;       /* "http://127.0.0.1:PORT" */
  GHashTable  *files;      /* path -> GBytes */
  GPtrArray   *held;       /* connections kept open by /slow/ */
} Site;

static GBytes *app_image;
static GBytes *partition_table;
static char   *cert_dir;   /* the certificate made by openssl, or NULL */

/* A partition table as ESP-IDF writes it: nvs and factory app, then the
 * MD5 entry over the entries before it, then erased bytes. */
static GBytes *
make_partition_table (void)
{
  guint8 *table = g_malloc (0xC00);
  guint8 entries[2][32] = { { 0 } };
  gsize digest_len = 16;
  GChecksum *md5 = g_checksum_new (G_CHECKSUM_MD5);
  guint32 fields[2][2] = { { 0x9000, 0x6000 }, { 0x10000, 0x100000 } };
  const char *labels[2] = { "nvs", "factory" };
  guint8 types[2][2] = { { 1, 2 }, { 0, 0 } };

  memset (table, 0xFF, 0xC00);
  for (guint i = 0; i < 2; i++)
    {
      entries[i][0] = 0xAA;
      entries[i][1] = 0x50;
      entries[i][2] = types[i][0];
      entries[i][3] = types[i][1];
      for (guint b = 0; b < 4; b++)
        {
          entries[i][4 + b] = (fields[i][0] >> (8 * b)) & 0xFF;
          entries[i][8 + b] = (fields[i][1] >> (8 * b)) & 0xFF;
        }
      memcpy (entries[i] + 12, labels[i], strlen (labels[i]));
      memcpy (table + 32 * i, entries[i], 32);
      g_checksum_update (md5, entries[i], 32);
    }
  table[64] = 0xEB;
  table[65] = 0xEB;
  g_checksum_get_digest (md5, table + 64 + 16, &digest_len);
  g_checksum_free (md5);

  return g_bytes_new_take (table, 0xC00);
}

/* server -------------------------------------------------------------------- */

static void
add_file (Site       *s,
          const char *path,
          const char *text)
{
  g_hash_table_insert (s->files, g_strdup (path), g_bytes_new (text, strlen (text)));
}

static void
add_bytes (Site       *s,
           const char *path,
           GBytes     *bytes)
{
  g_hash_table_insert (s->files, g_strdup (path), g_bytes_ref (bytes));
}

/* One line a request on standard output, before the answer goes out:
 * the test reads it once its client has the answer. */
static void
log_request (Site       *s,
             const char *path,
             guint       status,
             gsize       bytes)
{
  printf ("GET %s %u %" G_GSIZE_FORMAT "\n", path, status, bytes);
  fflush (stdout);
}

/* Writes a raw response on the connection taken from libsoup: headers
 * that promise @promised bytes, then @bytes of @body, and, unless @hold,
 * closes it. */
static void
raw_response (Site              *s,
              SoupServerMessage *msg,
              GBytes            *body,
              gsize              promised,
              gsize              sent,
              gboolean           hold)
{
  GIOStream *conn = soup_server_message_steal_connection (msg);
  GOutputStream *out = g_io_stream_get_output_stream (conn);
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Length: %"
                                           G_GSIZE_FORMAT "\r\nConnection: close\r\n\r\n",
                                           promised);

  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
  g_output_stream_write_all (out, g_bytes_get_data (body, NULL), sent, NULL, NULL, NULL);
  g_output_stream_flush (out, NULL, NULL);
  if (hold)
    g_ptr_array_add (s->held, conn);
  else
    {
      g_io_stream_close (conn, NULL, NULL);
      g_object_unref (conn);
    }
}

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Site *s = user_data;
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  const char *if_none_match = soup_message_headers_get_one (request, "If-None-Match");
  g_autofree char *etag = NULL;
  g_autofree char *sum = NULL;
  GBytes *body;

  if (g_str_has_prefix (path, "/moved/"))
    {
      g_autofree char *target = g_strconcat ("/inst/", path + strlen ("/moved/"), NULL);

      log_request (s, path, 302, 0);
      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, target);
      return;
    }
  if (g_str_equal (path, "/loop/manifest.json"))
    {
      log_request (s, path, 302, 0);
      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, "/loop/manifest.json");
      return;
    }

  body = g_hash_table_lookup (s->files, path);
  if (body == NULL)
    {
      log_request (s, path, 404, 0);
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  if (g_str_has_prefix (path, "/trunc/") && g_str_has_suffix (path, ".bin"))
    {
      log_request (s, path, 200, g_bytes_get_size (body) / 2);
      raw_response (s, msg, body, g_bytes_get_size (body), g_bytes_get_size (body) / 2, FALSE);
      return;
    }
  if (g_str_has_prefix (path, "/slow/") && g_str_has_suffix (path, ".bin"))
    {
      log_request (s, path, 200, 100);
      raw_response (s, msg, body, g_bytes_get_size (body), 100, TRUE);
      return;
    }

  /* /lm/: Last-Modified only, no ETag */
  if (g_str_has_prefix (path, "/lm/"))
    {
      const char *stamp = "Sun, 06 Dec 2026 10:00:00 GMT";

      soup_message_headers_replace (response, "Last-Modified", stamp);
      if (g_strcmp0 (soup_message_headers_get_one (request, "If-Modified-Since"), stamp) == 0)
        {
          log_request (s, path, 304, 0);
          soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
          return;
        }
      log_request (s, path, 200, g_bytes_get_size (body));
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY,
                                        g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      return;
    }

  sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, body);
  etag = g_strdup_printf ("\"%s\"", sum);
  soup_message_headers_replace (response, "ETag", etag);
  soup_message_headers_replace (response, "Cache-Control",
                                g_str_has_prefix (path, "/fresh/") ? "max-age=3600" : "no-cache");
  if (g_strcmp0 (if_none_match, etag) == 0)
    {
      log_request (s, path, 304, 0);
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      return;
    }

  log_request (s, path, 200, g_bytes_get_size (body));
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static const char *single_manifest =
  "{ \"name\": \"Glint Test Light\", \"version\": \"1.2.3\",\n"
  "  \"new_install_prompt_erase\": true,\n"
  "  \"builds\": [ { \"chipFamily\": \"ESP32\", \"parts\": [\n"
  "    { \"path\": \"partitions.bin\", \"offset\": 32768 },\n"
  "    { \"path\": \"../bin/app.bin\", \"offset\": 65536 } ] } ] }";

static void
site_start (Site     *s,
            gboolean  https)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autoptr(GTlsCertificate) cert = NULL;

  memset (s, 0, sizeof *s);
  if (https)
    {
      g_autofree char *cert_path = g_build_filename (cert_dir, "cert.pem", NULL);
      g_autofree char *key_path = g_build_filename (cert_dir, "key.pem", NULL);

      cert = g_tls_certificate_new_from_files (cert_path, key_path, &error);
      g_assert_no_error (error);
    }
  s->server = soup_server_new ("tls-certificate", cert, NULL);
  s->files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify) g_bytes_unref);
  s->held = g_ptr_array_new_with_free_func (g_object_unref);
  soup_server_add_handler (s->server, NULL, handler, s, NULL);
  soup_server_listen_local (s->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY |
                            (https ? SOUP_SERVER_LISTEN_HTTPS : 0), &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (s->server);
  g_assert_nonnull (uris);
  s->base = g_strdup_printf ("%s://127.0.0.1:%d", https ? "https" : "http",
                             g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  /* the installer, and its broken copies */
  add_file (s, "/inst/manifest.json", single_manifest);
  add_bytes (s, "/inst/partitions.bin", partition_table);
  add_bytes (s, "/bin/app.bin", app_image);
  add_file (s, "/fresh/manifest.json", single_manifest);
  add_file (s, "/lm/manifest.json", single_manifest);
  add_bytes (s, "/lm/partitions.bin", partition_table);
  add_bytes (s, "/fresh/partitions.bin", partition_table);
  add_file (s, "/broken/manifest.json",
            "{ \"builds\": [ { \"chipFamily\": \"ESP32\", \"parts\": [\n"
            "  { \"path\": \"firmware.bin\", \"offset\": 65536 } ] } ] }");
  add_file (s, "/html/manifest.json",
            "{ \"builds\": [ { \"chipFamily\": \"ESP32\", \"parts\": [\n"
            "  { \"path\": \"app.bin\", \"offset\": 65536 } ] } ] }");
  add_file (s, "/html/app.bin", "<!DOCTYPE html>\n<html><body>Moved</body></html>\n");
  add_file (s, "/trunc/manifest.json",
            "{ \"builds\": [ { \"chipFamily\": \"ESP32\", \"parts\": [\n"
            "  { \"path\": \"app.bin\", \"offset\": 65536 } ] } ] }");
  add_bytes (s, "/trunc/app.bin", app_image);
  add_file (s, "/slow/manifest.json",
            "{ \"builds\": [ { \"chipFamily\": \"ESP32\", \"parts\": [\n"
            "  { \"path\": \"app.bin\", \"offset\": 65536 } ] } ] }");
  add_bytes (s, "/slow/app.bin", app_image);
  add_file (s, "/multi/manifest.json",
            "{ \"name\": \"Two Chips\", \"new_install_improv_wait_time\": 500,\n"
            "  \"builds\": [\n"
            "  { \"chipFamily\": \"ESP32-C3\", \"parts\": [\n"
            "    { \"path\": \"c3-app.bin\", \"offset\": 0 } ] },\n"
            "  { \"chipFamily\": \"ESP32\", \"parts\": [\n"
            "    { \"path\": \"../bin/my app.bin\", \"offset\": 65536 } ] } ] }");
  add_bytes (s, "/bin/my app.bin", app_image);   /* libsoup hands paths decoded */
  add_file (s, "/notjson/manifest.json", "<html><body>Install</body></html>");
  add_file (s, "/odd/manifest.json",
            "{ \"new_install_prompt_erase\": {}, \"name\": 7,\n"
            "  \"new_install_improv_wait_time\": \"10\", \"builds\": [ 1,\n"
            "  { \"chipFamily\": \"ESP32\", \"parts\": [ \"x\",\n"
            "    { \"path\": \"/bin/app.bin\", \"offset\": 65536 } ] } ] }");
  /* an http part (port 9: nothing listens) in an https manifest */
  add_file (s, "/mixed/manifest.json",
            "{ \"builds\": [ { \"chipFamily\": \"ESP32\", \"parts\": [\n"
            "  { \"path\": \"http://127.0.0.1:9/bin/app.bin\", \"offset\": 65536 } ] } ] }");
}

/* The server process: the installer over http and, with a certificate,
 * over https, until it is killed. The servers live in a process of their
 * own because libsoup 3.2's SoupServer leaks what it accepts, which would
 * hide the leaks of Glint's own client from LeakSanitizer. */
static int
serve (const char *certificate_dir)
{
  Site http, https;

  /* gone with the test, also when an assertion ends it */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () == 1)
    return 1;

  site_start (&http, FALSE);
  printf ("HTTP %s\n", http.base);
  if (certificate_dir != NULL)
    {
      site_start (&https, TRUE);
      printf ("HTTPS %s\n", https.base);
    }
  printf ("READY\n");
  fflush (stdout);
  for (;;)
    g_main_context_iteration (NULL, TRUE);
  return 0;
}

/* the test's side of the server ------------------------------------------- */

typedef struct
{
  char        *base;       /* "http://127.0.0.1:PORT" */
  GPtrArray   *log;        /* "GET /path STATUS BYTES", this test's */
} Server;

static GSubprocess *server_process;
static int          server_fd = -1;
static GString     *server_pending;
static char        *http_base;
static char        *https_base;
static Server      *current;

/* Takes the lines the server wrote so far into the current test's log. */
static void
log_sync (void)
{
  char buffer[4096];
  ssize_t n;
  char *newline;

  while ((n = read (server_fd, buffer, sizeof buffer)) > 0)
    g_string_append_len (server_pending, buffer, n);
  while ((newline = strchr (server_pending->str, '\n')) != NULL)
    {
      g_autofree char *line = g_strndup (server_pending->str, newline - server_pending->str);

      g_string_erase (server_pending, 0, newline - server_pending->str + 1);
      if (current != NULL)
        g_ptr_array_add (current->log, g_steal_pointer (&line));
    }
}

static void
server_process_start (const char *argv0)
{
  g_autoptr(GError) error = NULL;
  GInputStream *out;
  char c;

  server_process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, argv0, "--serve",
                                     cert_dir != NULL ? cert_dir : "-", NULL);
  g_assert_no_error (error);
  out = g_subprocess_get_stdout_pipe (server_process);
  server_fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (out));
  server_pending = g_string_new (NULL);
  /* the addresses, byte by byte so that nothing stays in a buffer */
  while (!g_str_has_suffix (server_pending->str, "READY\n"))
    {
      g_assert_cmpint (read (server_fd, &c, 1), ==, 1);
      g_string_append_c (server_pending, c);
    }
  {
    g_auto(GStrv) lines = g_strsplit (server_pending->str, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++)
      if (g_str_has_prefix (lines[i], "HTTP "))
        http_base = g_strdup (lines[i] + 5);
      else if (g_str_has_prefix (lines[i], "HTTPS "))
        https_base = g_strdup (lines[i] + 6);
  }
  g_string_truncate (server_pending, 0);
  g_assert_nonnull (http_base);
  g_assert_true (g_unix_set_fd_nonblocking (server_fd, TRUE, NULL));
}

static void
server_start (Server   *s,
              gboolean  https)
{
  log_sync ();
  s->base = g_strdup (https ? https_base : http_base);
  g_assert_nonnull (s->base);
  s->log = g_ptr_array_new_with_free_func (g_free);
  current = s;
}

static void
server_stop (Server *s)
{
  log_sync ();
  current = NULL;
  g_clear_pointer (&s->log, g_ptr_array_unref);
  g_clear_pointer (&s->base, g_free);
}

/* Whether the server has answered (or started to answer) @path. */
static gboolean
log_has (Server     *s,
         const char *path)
{
  log_sync ();
  for (guint i = 0; i < s->log->len; i++)
    if (strstr (s->log->pdata[i], path) != NULL)
      return TRUE;
  return FALSE;
}



static char *
url (Server     *s,
     const char *path)
{
  return g_strconcat (s->base, path, NULL);
}

static char *
log_text (Server *s)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < s->log->len; i++)
    g_string_append_printf (text, "%s\n", (char *) s->log->pdata[i]);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* fetching ------------------------------------------------------------------ */

typedef struct
{
  char          *cache;
  GTlsDatabase  *database;   /* trusted by the fetches that ask for it */
} Env;

static void
env_init (Env *env)
{
  g_autoptr(GError) error = NULL;

  env->cache = g_dir_make_tmp ("glint-web-XXXXXX", &error);
  g_assert_no_error (error);
  env->database = NULL;
  if (cert_dir != NULL)
    {
      g_autofree char *cert_path = g_build_filename (cert_dir, "cert.pem", NULL);

      env->database = g_tls_file_database_new (cert_path, &error);
      g_assert_no_error (error);
    }
}

static void
env_clear (Env *env)
{
  glint_test_remove_dir (env->cache);
  g_clear_pointer (&env->cache, g_free);
  g_clear_object (&env->database);
}

static GlintWebFetch *
new_fetch (Env        *env,
           const char *address,
           gboolean    allow_http)
{
  GlintWebFetch *fetch = glint_web_fetch_new (address);

  glint_web_fetch_set_cache_dir (fetch, env->cache);
  glint_web_fetch_set_allow_http (fetch, allow_http);
  if (env->database != NULL)
    glint_web_fetch_set_tls_database (fetch, env->database);
  return fetch;
}

static char *
run_fetch (GlintWebFetch  *fetch,
           GCancellable   *cancellable,
           GError        **error)
{
  GAsyncResult *result = NULL;
  char *manifest;

  glint_web_fetch_run_async (fetch, cancellable, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 20000);
  manifest = glint_web_fetch_run_finish (fetch, result, error);
  g_object_unref (result);
  log_sync ();
  return manifest;
}

/* Each test's server log and cache folder, set up and taken down around
 * it (an https test finds no server where openssl or a TLS backend is
 * missing, and skips). */
typedef struct
{
  Server s;
  Env    env;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  server_start (&f->s, FALSE);
  env_init (&f->env);
}

static void
fixture_setup_https (Fixture       *f,
                     gconstpointer  data)
{
  memset (f, 0, sizeof *f);
  if (cert_dir == NULL)
    return;
  server_start (&f->s, TRUE);
  env_init (&f->env);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->env.cache != NULL)
    env_clear (&f->env);
  if (f->s.base != NULL)
    server_stop (&f->s);
}

static gboolean
have_https (Fixture *f)
{
  if (f->s.base != NULL)
    return TRUE;
  g_test_skip ("openssl or a TLS backend (glib-networking) is missing");
  return FALSE;
}

/* A fetch of @path on the test's server, run to its end. */
static char *
fetch_path (Fixture        *f,
            const char     *path,
            gboolean        allow_http,
            GlintWebFetch **fetch,
            GError        **error)
{
  g_autofree char *address = url (&f->s, path);

  *fetch = new_fetch (&f->env, address, allow_http);
  return run_fetch (*fetch, NULL, error);
}

static void
assert_file_holds (const char *path,
                   GBytes     *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (contents, len, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
}

/* The installer downloaded, its parts resolved against the manifest URL
 * (one beside it, one in ../bin), checked and put in a local installer
 * that the firmware layer reads; name, version and the erase question
 * come with it. The second run asks with the ETags and is answered 304
 * for everything: nothing is downloaded again. */
static void
test_download_and_cache (Fixture       *f,
                         gconstpointer  data)
{
  gboolean https = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintWebFetch) fetch = NULL;
  g_autoptr(GlintWebFetch) again = NULL;
  g_autoptr(GlintFlashPlan) plan = NULL;
  g_autofree char *manifest = NULL;
  g_autofree char *manifest2 = NULL;
  g_autofree char *address = NULL;
  g_autofree char *log = NULL;

  if (https && !have_https (f))
    return;

  address = url (&f->s, "/inst/manifest.json");

  fetch = new_fetch (&f->env, address, !https);
  manifest = run_fetch (fetch, NULL, &error);
  g_assert_no_error (error);
  log = log_text (&f->s);
  g_test_message ("first run:\n%s", log);
  g_assert_cmpuint (f->s.log->len, ==, 3);
  g_assert_true (g_str_has_prefix (f->s.log->pdata[0], "GET /inst/manifest.json 200 "));
  g_assert_cmpstr (f->s.log->pdata[1], ==, "GET /inst/partitions.bin 200 3072");
  g_assert_true (g_str_has_prefix (f->s.log->pdata[2], "GET /bin/app.bin 200 "));
  g_assert_cmpstr (glint_web_fetch_get_name (fetch), ==, "Glint Test Light");
  g_assert_cmpstr (glint_web_fetch_get_version (fetch), ==, "1.2.3");
  g_assert_true (glint_web_fetch_get_prompt_erase (fetch));
  g_assert_cmpint (glint_web_fetch_get_improv_wait_time (fetch), ==, -1);
  g_assert_cmpfloat (glint_web_fetch_get_progress (fetch), ==, 1.0);
  g_assert_cmpuint (glint_web_fetch_get_bytes_downloaded (fetch), >,
                    g_bytes_get_size (app_image));

  plan = glint_flash_plan_new_from_manifest (manifest, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (glint_flash_plan_get_n_regions (plan), ==, 2);
  g_assert_cmpuint (glint_flash_plan_get_region_offset (plan, 0), ==, 0x8000);
  g_assert_cmpuint (glint_flash_plan_get_region_offset (plan, 1), ==, 0x10000);
  g_assert_true (g_str_has_suffix (glint_flash_plan_get_region_path (plan, 1), "/app.bin"));
  assert_file_holds (glint_flash_plan_get_region_path (plan, 0), partition_table);
  assert_file_holds (glint_flash_plan_get_region_path (plan, 1), app_image);

  /* a second flash from the same URL */
  g_ptr_array_set_size (f->s.log, 0);
  again = new_fetch (&f->env, address, !https);
  manifest2 = run_fetch (again, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&log, g_free);
  log = log_text (&f->s);
  g_test_message ("second run:\n%s", log);
  g_assert_cmpstr (log, ==,
                   "GET /inst/manifest.json 304 0\n"
                   "GET /inst/partitions.bin 304 0\n"
                   "GET /bin/app.bin 304 0\n");
  g_assert_cmpuint (glint_web_fetch_get_bytes_downloaded (again), ==, 0);
  g_assert_cmpstr (manifest2, ==, manifest);
}

/* Fetches @path twice and returns the second fetch, the server's log
 * holding what that one asked: a second flash from the same URL. */
static GlintWebFetch *
fetch_again (Fixture    *f,
             const char *path,
             guint       first_requests)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintWebFetch) fetch = NULL;
  GlintWebFetch *again = NULL;
  g_autofree char *manifest = NULL;

  manifest = fetch_path (f, path, TRUE, &fetch, &error);
  g_assert_no_error (error);
  g_clear_pointer (&manifest, g_free);
  if (first_requests > 0)
    g_assert_cmpuint (f->s.log->len, ==, first_requests);

  g_ptr_array_set_size (f->s.log, 0);
  manifest = fetch_path (f, path, TRUE, &again, &error);
  g_assert_no_error (error);
  return again;
}

/* max-age: while fresh, the second run asks nothing at all. */
static void
test_fresh_cache (Fixture       *f,
                  gconstpointer  data)
{
  /* /bin/app.bin says no-cache */
  g_autoptr(GlintWebFetch) again = fetch_again (f, "/fresh/manifest.json", 3);

  g_assert_cmpuint (f->s.log->len, ==, 1);
  g_assert_cmpstr (f->s.log->pdata[0], ==, "GET /bin/app.bin 304 0");
  g_assert_cmpuint (glint_web_fetch_get_n_requests (again), ==, 1);
}

/* Last-Modified alone: the second run asks with If-Modified-Since. */
static void
test_last_modified (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GlintWebFetch) again = fetch_again (f, "/lm/manifest.json", 0);
  g_autofree char *log = log_text (&f->s);

  g_assert_cmpstr (log, ==,
                   "GET /lm/manifest.json 304 0\n"
                   "GET /lm/partitions.bin 304 0\n"
                   "GET /bin/app.bin 304 0\n");
  g_assert_cmpuint (glint_web_fetch_get_bytes_downloaded (again), ==, 0);
}

/* A redirect (manifest and part), followed; the parts still resolve
 * against the URL that was given, as ESP Web Tools does. */
static void
test_redirect (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintWebFetch) fetch = NULL;
  g_autofree char *manifest = NULL;
  g_autofree char *log = NULL;

  manifest = fetch_path (f, "/moved/manifest.json", TRUE, &fetch, &error);
  g_assert_no_error (error);
  log = log_text (&f->s);
  g_test_message ("%s", log);
  g_assert_nonnull (strstr (log, "GET /moved/manifest.json 302 0\nGET /inst/manifest.json 200"));
  g_assert_nonnull (strstr (log, "GET /moved/partitions.bin 302 0\nGET /inst/partitions.bin 200"));
  g_assert_nonnull (strstr (log, "GET /bin/app.bin 200"));
}

/* Only the build for the chip asked for is downloaded; the other's part
 * (which the server does not have) is never asked for. A manifest-only
 * run first names the builds' chips, and the run after it does not ask
 * for the manifest again. */
static void
test_multi_chip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintWebFetch) fetch = NULL;
  g_autoptr(GlintFlashPlan) plan = NULL;
  g_autofree char *manifest = NULL;
  g_autofree char *address = NULL;
  g_autofree char *log = NULL;

  address = url (&f->s, "/multi/manifest.json");
  fetch = new_fetch (&f->env, address, TRUE);

  /* the manifest alone first: its builds' chips, no part */
  glint_web_fetch_set_manifest_only (fetch, TRUE);
  manifest = run_fetch (fetch, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (manifest, ==, address);
  g_clear_pointer (&manifest, g_free);
  g_assert_cmpuint (g_strv_length ((char **) glint_web_fetch_get_chip_families (fetch)), ==, 2);
  g_assert_cmpstr (glint_web_fetch_get_chip_families (fetch)[0], ==, "ESP32-C3");
  g_assert_cmpstr (glint_web_fetch_get_chip_families (fetch)[1], ==, "ESP32");
  g_assert_cmpuint (f->s.log->len, ==, 1);

  /* then the chip's build, without asking for the manifest again */
  glint_web_fetch_set_chip_family (fetch, "esp32");
  manifest = run_fetch (fetch, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->s.log->len, ==, 2);
  g_assert_cmpuint (glint_web_fetch_get_n_requests (fetch), ==, 2);
  /* the installer's wait for Improv, held to at most 120 s */
  g_assert_cmpint (glint_web_fetch_get_improv_wait_time (fetch), ==, GLINT_WEB_MAX_IMPROV_WAIT);
  log = log_text (&f->s);
  g_assert_null (strstr (log, "c3-app.bin"));
  g_assert_nonnull (strstr (log, "GET /bin/my app.bin 200"));

  plan = glint_flash_plan_new_from_manifest (manifest, "ESP32", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (glint_flash_plan_get_n_regions (plan), ==, 1);
  assert_file_holds (glint_flash_plan_get_region_path (plan, 0), app_image);
  g_assert_true (g_str_has_suffix (glint_flash_plan_get_region_path (plan, 0), "/my app.bin"));
}

typedef struct
{
  const char *path;
  gboolean    allow_http;
  guint64     max_part_size;
  GQuark      domain;
  int         code;
  const char *message;   /* a part of the error message */
} BadCase;

/* A manifest with things in odd places (a build that is a number, a part
 * that is a string, a question that is an object) downloads what it can
 * without a complaint of its own, and the firmware layer names the part
 * it cannot use. */
static void
test_odd_manifest (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintWebFetch) fetch = NULL;
  g_autoptr(GlintFlashPlan) plan = NULL;
  g_autofree char *manifest = NULL;
  g_autofree char *address = NULL;

  address = url (&f->s, "/odd/manifest.json");
  fetch = new_fetch (&f->env, address, TRUE);
  manifest = run_fetch (fetch, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (glint_web_fetch_get_prompt_erase (fetch));
  g_assert_null (glint_web_fetch_get_name (fetch));
  /* a wait that is no number is as if not there */
  g_assert_cmpint (glint_web_fetch_get_improv_wait_time (fetch), ==, -1);

  plan = glint_flash_plan_new_from_manifest (manifest, "ESP32", &error);
  g_assert_null (plan);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN);
  glint_web_fetch_rewrite_error (fetch, error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, address));
  g_assert_null (strstr (error->message, "installers"));
  g_assert_nonnull (strstr (error->message, "part 0 needs a “path” and an “offset”"));
}

/* Each bad case ends with its own message, and without a local
 * installer: nothing can be flashed from it. */
static void
test_bad_case (Fixture       *f,
               gconstpointer  data)
{
  const BadCase *bad = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintWebFetch) fetch = NULL;
  g_autofree char *manifest = NULL;
  g_autofree char *address = NULL;
  g_autofree char *installers = NULL;

  address = url (&f->s, bad->path);
  fetch = new_fetch (&f->env, address, bad->allow_http);
  if (bad->max_part_size != 0)
    glint_web_fetch_set_max_part_size (fetch, bad->max_part_size);
  manifest = run_fetch (fetch, NULL, &error);
  g_assert_null (manifest);
  g_assert_nonnull (error);
  g_test_message ("%s: %s", bad->path, error->message);
  g_assert_error (error, bad->domain ? bad->domain : GLINT_ERROR, bad->code);
  g_assert_nonnull (strstr (error->message, bad->message));

  /* no local manifest.json was written */
  installers = g_build_filename (f->env.cache, "installers", NULL);
  {
    g_autoptr(GDir) dir = g_dir_open (installers, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *m = g_build_filename (installers, name, "manifest.json", NULL);

        g_assert_false (g_file_test (m, G_FILE_TEST_EXISTS));
      }
  }
  if (!bad->allow_http)
    g_assert_cmpuint (f->s.log->len, ==, 0);   /* refused before asking */
}

static const BadCase bad_cases[] = {
  { "/inst/manifest.json", FALSE, 0, 0, GLINT_ERROR_INSECURE_DOWNLOAD, "is plain http" },
  { "/gone/manifest.json", TRUE, 0, 0, GLINT_ERROR_DOWNLOAD_FAILED,
    "404 for manifest.json — the installer may have moved" },
  { "/broken/manifest.json", TRUE, 0, 0, GLINT_ERROR_DOWNLOAD_FAILED,
    "404 for firmware.bin — the installer may have moved" },
  { "/html/manifest.json", TRUE, 0, 0, GLINT_ERROR_UNKNOWN_CONTENT,
    "app.bin is no firmware: it looks like an HTML" },
  { "/trunc/manifest.json", TRUE, 0, 0, GLINT_ERROR_DOWNLOAD_FAILED,
    "the download of app.bin broke off" },
  { "/inst/manifest.json", TRUE, 1024, 0, GLINT_ERROR_DOWNLOAD_FAILED,
    "more than the 1 KiB Glint downloads for one file" },
  { "/loop/manifest.json", TRUE, 0, 0, GLINT_ERROR_DOWNLOAD_FAILED,
    "goes round in circles" },
  { "/notjson/manifest.json", TRUE, 0, 0, GLINT_ERROR_INVALID_PLAN,
    "is no ESP Web Tools manifest: it looks like an HTML" },
};

/* The server sends a part slowly and never finishes: cancelling ends the
 * run at once with G_IO_ERROR_CANCELLED. */
static void
test_cancel_slow (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintWebFetch) fetch = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *address = NULL;
  GAsyncResult *result = NULL;
  char *manifest;
  gint64 start;

  address = url (&f->s, "/slow/manifest.json");
  fetch = new_fetch (&f->env, address, TRUE);
  glint_web_fetch_run_async (fetch, cancellable, glint_test_store_result_cb, &result);
  while (!log_has (&f->s, "GET /slow/app.bin"))
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  glint_test_spin (50);
  g_assert_null (result);   /* still waiting for the rest */

  start = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  glint_test_wait_for ((gpointer *) &result, 5000);
  manifest = glint_web_fetch_run_finish (fetch, result, &error);
  g_object_unref (result);
  g_assert_null (manifest);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
}

/* https: a certificate nobody trusts is refused with the reason; an
 * http:// part in an https manifest needs the user's consent too. */
static void
test_https_untrusted (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintWebFetch) fetch = NULL;
  g_autofree char *manifest = NULL;
  g_autofree char *address = NULL;

  if (!have_https (f))
    return;

  address = url (&f->s, "/inst/manifest.json");
  fetch = glint_web_fetch_new (address);   /* the system's certificates only */
  glint_web_fetch_set_cache_dir (fetch, f->env.cache);
  manifest = run_fetch (fetch, NULL, &error);
  g_assert_null (manifest);
  g_test_message ("%s", error->message);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_DOWNLOAD_FAILED);
  g_assert_nonnull (strstr (error->message, "the certificate of 127.0.0.1 is not trusted"));
  g_assert_cmpuint (f->s.log->len, ==, 0);
}

static void
test_https_mixed (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintWebFetch) fetch = NULL;
  g_autofree char *manifest = NULL;

  if (!have_https (f))
    return;

  manifest = fetch_path (f, "/mixed/manifest.json", FALSE, &fetch, &error);
  g_assert_null (manifest);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INSECURE_DOWNLOAD);
  g_assert_nonnull (strstr (error->message, "“http://127.0.0.1:9/bin/app.bin” is plain http"));
  g_assert_cmpuint (f->s.log->len, ==, 1);   /* the manifest, and no more */
}

/* From the URL to a verified flash on a simulated ESP32: the board holds
 * the partition table and the app the server sent. */
static void
test_flash_from_url (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintWebFetch) fetch = NULL;
  g_autoptr(GlintFlashPlan) plan = NULL;
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  g_autofree char *manifest = NULL;
  const guint8 *flash;
  gsize size = 0;

  manifest = fetch_path (f, "/inst/manifest.json", TRUE, &fetch, &error);
  g_assert_no_error (error);
  plan = glint_flash_plan_new_from_manifest (manifest, NULL, &error);
  g_assert_no_error (error);

  stream = glint_stream_new_for_address ("sim://esp32?time-scale=0", &error);
  g_assert_no_error (error);
  flasher = glint_flasher_new (stream);
  glint_flasher_set_plan (flasher, plan);
  g_assert_true (glint_test_flash (flasher, &error));
  g_assert_no_error (error);

  flash = glint_sim_get_flash (glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream)), &size);
  g_assert_cmpuint (size, >=, 0x10000 + g_bytes_get_size (app_image));
  g_assert_cmpmem (flash + 0x8000, g_bytes_get_size (partition_table),
                   g_bytes_get_data (partition_table, NULL), g_bytes_get_size (partition_table));
  g_assert_cmpmem (flash + 0x10000, g_bytes_get_size (app_image),
                   g_bytes_get_data (app_image, NULL), g_bytes_get_size (app_image));
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
}

/* the CLI ------------------------------------------------------------------- */

/* glint-cli with its download cache in @cache; the server lives in this
 * main context, and answers meanwhile */
static void
run_cli (GlintTestRun      *run,
         const char        *cache,
         const char *const *args)
{
  const char *env[] = { "XDG_CACHE_HOME", cache, NULL };

  glint_test_run_cli (run, args, NULL, env);
  log_sync ();
}

/* glint-cli flash URL: plain http only with --allow-http (refused as bad
 * usage before the board is touched), the flash verified, and a second
 * flash that downloads nothing (304 for everything in the server's log). */
static void
test_cli (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *address = NULL;
  GlintTestRun run = { 0 };

  address = url (&f->s, "/inst/manifest.json");

  {
    const char *args[] = { "--port", "sim://esp32?time-scale=0", "flash", address, NULL };

    run_cli (&run, f->env.cache, args);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "is plain http: anyone on the way could change the "
                                       "firmware"));
    g_assert_nonnull (strstr (run.err, "--allow-http"));
    g_assert_null (strstr (run.out, "Connecting"));
    g_assert_cmpuint (f->s.log->len, ==, 0);
    glint_test_run_clear (&run);
  }

  {
    const char *args[] = { "--allow-http", "--port", "sim://esp32?time-scale=0", "flash",
                           address, NULL };

    run_cli (&run, f->env.cache, args);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "Installer: Glint Test Light 1.2.3"));
    g_assert_nonnull (strstr (run.out, "Downloading app.bin…"));
    g_assert_nonnull (strstr (run.out, "add --erase-all"));
    g_assert_nonnull (strstr (run.out, "written and verified"));
    g_assert_cmpuint (f->s.log->len, ==, 3);
    glint_test_run_clear (&run);

    g_ptr_array_set_size (f->s.log, 0);
    run_cli (&run, f->env.cache, args);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "Nothing downloaded"));
    g_assert_cmpuint (f->s.log->len, ==, 3);
    for (guint i = 0; i < f->s.log->len; i++)
      g_assert_true (g_str_has_suffix (f->s.log->pdata[i], " 304 0"));
    glint_test_run_clear (&run);
  }

  {
    const char *args[] = { "--json", "--allow-http", "--port", "sim://esp32?time-scale=0",
                           "flash", address, NULL };

    run_cli (&run, f->env.cache, args);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "{\"event\":\"downloaded\",\"url\":\""));
    g_assert_nonnull (strstr (run.out, "\"name\":\"Glint Test Light\",\"version\":\"1.2.3\","
                                       "\"bytes\":0,\"requests\":3,\"prompt_erase\":true}"));
    g_assert_null (strstr (run.out, "Downloading"));
    glint_test_run_clear (&run);
  }

  {
    g_autofree char *gone = url (&f->s, "/broken/manifest.json");
    const char *args[] = { "--allow-http", "--port", "sim://esp32?time-scale=0", "flash",
                           gone, NULL };

    run_cli (&run, f->env.cache, args);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "404 for firmware.bin — the installer may have moved"));
    g_assert_null (strstr (run.out, "Connecting"));
    glint_test_run_clear (&run);
  }
}


/* the cache's trim ----------------------------------------------------------- */

#define DAY (24 * 3600)

/* Sets the last-use time the trim reads: the file's modification time. */
static void
set_used (const char *path,
          gint64      when)
{
  struct utimbuf times = { when, when };

  g_assert_cmpint (g_utime (path, &times), ==, 0);
}

/* A download entry as glint_download_cache_store() writes it, @size
 * bytes of body, last used at @used. */
static void
make_download (const char *dir,
               const char *url,
               gsize       size,
               gint64      used)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintDownloadEntry) entry = g_new0 (GlintDownloadEntry, 1);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, url, -1);
  g_autofree char *meta = g_strconcat (dir, "/", hash, ".meta", NULL);

  entry->url = g_strdup (url);
  entry->etag = g_strdup ("\"1\"");
  entry->stored = used;
  entry->data = g_bytes_new_take (g_malloc0 (size), size);
  g_assert_true (glint_download_cache_store (dir, entry, &error));
  g_assert_no_error (error);
  set_used (meta, used);
}

/* A local installer: a part of @size bytes and its manifest.json. */
static char *
make_installer (const char *dir,
                const char *name,
                gsize       size,
                gint64      used)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, "installers", name, NULL);
  g_autofree char *part = g_build_filename (path, "0", "app.bin", NULL);
  g_autofree char *manifest = g_build_filename (path, "manifest.json", NULL);
  g_autofree char *zeros = g_malloc0 (size);

  g_assert_cmpint (g_mkdir_with_parents (part, 0700), ==, 0);
  g_assert_cmpint (g_rmdir (part), ==, 0);
  g_assert_true (g_file_set_contents (part, zeros, size, &error));
  g_assert_true (g_file_set_contents (manifest, "{}", -1, &error));
  g_assert_no_error (error);
  set_used (manifest, used);
  return path;
}

static gboolean
download_kept (const char *dir,
               const char *url)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, url, -1);
  g_autofree char *meta = g_strconcat (dir, "/", hash, ".meta", NULL);
  g_autofree char *data = g_strconcat (dir, "/", hash, ".data", NULL);

  /* both or neither */
  g_assert_cmpint (g_file_test (meta, G_FILE_TEST_EXISTS), ==,
                   g_file_test (data, G_FILE_TEST_EXISTS));
  return g_file_test (meta, G_FILE_TEST_EXISTS);
}

/* What goes, by last use: whatever was unused for longer than the age
 * limit, then the oldest until the rest fits the size limit. What stays
 * even so: what was used since keep_since (here: looked up a moment ago)
 * and an installer someone holds; a .data left without its .meta goes. */
static void
test_cache_trim (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-trim-XXXXXX", &error);
  g_autofree char *held = NULL;
  g_autofree char *loose = NULL;
  g_autofree char *orphan = NULL;
  g_autoptr(GlintDownloadEntry) looked_up = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  int hold;

  g_assert_no_error (error);
  make_download (dir, "http://x/aged.bin", 3000, now - 40 * DAY);
  make_download (dir, "http://x/ten-days.bin", 3000, now - 10 * DAY);
  make_download (dir, "http://x/five-days.bin", 3000, now - 5 * DAY);
  make_download (dir, "http://x/one-day.bin", 3000, now - 1 * DAY);
  make_download (dir, "http://x/looked-up.bin", 3000, now - 12 * DAY);
  make_download (dir, "http://x/running.bin", 3000, now - 10);
  orphan = g_build_filename (dir, "0123.data", NULL);
  g_assert_true (g_file_set_contents (orphan, "x", 1, &error));
  set_used (orphan, now - 8 * DAY);
  loose = make_installer (dir, "loose", 3000, now - 3 * DAY);
  held = make_installer (dir, "held", 3000, now - 2 * DAY);
  hold = glint_download_cache_hold (held);
  g_assert_cmpint (hold, >=, 0);

  /* a lookup is a use */
  looked_up = glint_download_cache_lookup (dir, "http://x/looked-up.bin");
  g_assert_nonnull (looked_up);

  /* 8 entries of about 3 KiB: what is left must fit in 10000 bytes */
  g_assert_cmpuint (glint_download_cache_trim (dir, now, now - 60, 30 * DAY, 10000), ==, 6);
  g_assert_false (download_kept (dir, "http://x/aged.bin"));        /* too old */
  g_assert_false (download_kept (dir, "http://x/ten-days.bin"));    /* the oldest */
  g_assert_false (g_file_test (orphan, G_FILE_TEST_EXISTS));
  g_assert_false (download_kept (dir, "http://x/five-days.bin"));
  g_assert_false (g_file_test (loose, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (held, G_FILE_TEST_IS_DIR));           /* held, older */
  g_assert_false (download_kept (dir, "http://x/one-day.bin"));     /* in its stead */
  g_assert_true (download_kept (dir, "http://x/looked-up.bin"));
  g_assert_true (download_kept (dir, "http://x/running.bin"));

  /* let go, the installer goes; what is in use stays even over the limit */
  close (hold);
  g_assert_cmpuint (glint_download_cache_trim (dir, now, now - 60, 30 * DAY, 1), ==, 1);
  g_assert_false (g_file_test (held, G_FILE_TEST_EXISTS));
  g_assert_true (download_kept (dir, "http://x/looked-up.bin"));
  g_assert_true (download_kept (dir, "http://x/running.bin"));

  /* with room, nothing used within the age limit goes */
  make_download (dir, "http://x/one-day.bin", 3000, now - 1 * DAY);
  g_assert_cmpuint (glint_download_cache_trim (dir, now, now - 60, 30 * DAY, 1 << 20), ==, 0);
  g_assert_true (download_kept (dir, "http://x/one-day.bin"));

  glint_test_remove_dir (dir);
}

/* Sets every file and folder below @path to last used at @when. */
static void
age_tree (const char *path,
          gint64      when)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      age_tree (child, when);
    }
  set_used (path, when);
}

/* Whether the cache still holds the download of @path on the test's
 * server, or the local installer made from the manifest at @path. */
static gboolean
path_kept (Fixture    *f,
           const char *path)
{
  g_autofree char *address = url (&f->s, path);

  return download_kept (f->env.cache, address);
}

static gboolean
installer_kept (Fixture    *f,
                const char *path)
{
  g_autofree char *address = url (&f->s, path);
  g_autofree char *key = g_strconcat (address, "\n", NULL);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree char *dir = g_build_filename (f->env.cache, "installers", hash, NULL);

  return g_file_test (dir, G_FILE_TEST_IS_DIR);
}

/* Each run trims the cache: with room for nothing, what earlier runs
 * left goes, but not what this run used (its manifest, its parts, one of
 * them shared with an earlier installer) nor an installer a live fetch
 * still holds for its flash. */
static void
test_cache_trim_after_fetch (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintWebFetch) inst = NULL;
  g_autoptr(GlintWebFetch) lm = NULL;
  g_autoptr(GlintWebFetch) fresh = NULL;
  g_autofree char *fresh_url = url (&f->s, "/fresh/manifest.json");
  g_autofree char *manifest = NULL;

  manifest = fetch_path (f, "/inst/manifest.json", TRUE, &inst, &error);
  g_assert_no_error (error);
  g_clear_pointer (&manifest, g_free);
  manifest = fetch_path (f, "/lm/manifest.json", TRUE, &lm, &error);
  g_assert_no_error (error);
  g_clear_pointer (&manifest, g_free);
  g_clear_object (&lm);   /* its installer is no longer held */

  /* all of it last used two hours ago: outside the hour that stays */
  age_tree (f->env.cache, g_get_real_time () / G_USEC_PER_SEC - 2 * 3600);
  g_assert_true (installer_kept (f, "/lm/manifest.json"));
  g_assert_true (path_kept (f, "/lm/partitions.bin"));

  fresh = new_fetch (&f->env, fresh_url, TRUE);
  _glint_web_fetch_set_cache_limits (fresh, 30 * DAY, 1);
  manifest = run_fetch (fresh, NULL, &error);
  g_assert_no_error (error);

  g_assert_false (path_kept (f, "/inst/manifest.json"));
  g_assert_false (path_kept (f, "/lm/manifest.json"));
  g_assert_false (path_kept (f, "/lm/partitions.bin"));
  g_assert_false (installer_kept (f, "/lm/manifest.json"));
  g_assert_true (installer_kept (f, "/inst/manifest.json"));   /* held by inst */
  g_assert_true (installer_kept (f, "/fresh/manifest.json"));
  g_assert_true (path_kept (f, "/fresh/manifest.json"));
  g_assert_true (path_kept (f, "/fresh/partitions.bin"));
  g_assert_true (path_kept (f, "/bin/app.bin"));              /* shared, used now */
}

int
main (int    argc,
      char **argv)
{
  TestImageSpec spec = { .chip_id = 0, .n_segments = 3, .seg_len = 0x2000, .hash = TRUE,
                         .app_desc = TRUE };
  int status;

  app_image = test_image_build (&spec);
  partition_table = make_partition_table ();
  if (argc == 3 && g_str_equal (argv[1], "--serve"))
    {
      cert_dir = g_str_equal (argv[2], "-") ? NULL : g_strdup (argv[2]);
      return serve (cert_dir);
    }

  g_test_init (&argc, &argv, NULL);
  glint_sim_stream_register ();

  cert_dir = glint_test_make_certificate ();
  server_process_start (argv[0]);

  g_test_add ("/glint/web/http/download-and-cache", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_download_and_cache, fixture_teardown);
  g_test_add ("/glint/web/https/download-and-cache", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup_https, test_download_and_cache, fixture_teardown);
  g_test_add ("/glint/web/fresh-cache", Fixture, NULL,
              fixture_setup, test_fresh_cache, fixture_teardown);
  g_test_add ("/glint/web/last-modified", Fixture, NULL,
              fixture_setup, test_last_modified, fixture_teardown);
  g_test_add ("/glint/web/redirect", Fixture, NULL,
              fixture_setup, test_redirect, fixture_teardown);
  g_test_add ("/glint/web/multi-chip", Fixture, NULL,
              fixture_setup, test_multi_chip, fixture_teardown);
  g_test_add ("/glint/web/odd-manifest", Fixture, NULL,
              fixture_setup, test_odd_manifest, fixture_teardown);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/glint/web/bad/%u", i);

      g_test_add (name, Fixture, &bad_cases[i], fixture_setup, test_bad_case, fixture_teardown);
    }
  g_test_add ("/glint/web/cancel-slow", Fixture, NULL,
              fixture_setup, test_cancel_slow, fixture_teardown);
  g_test_add ("/glint/web/https/untrusted", Fixture, NULL,
              fixture_setup_https, test_https_untrusted, fixture_teardown);
  g_test_add ("/glint/web/https/mixed-content", Fixture, NULL,
              fixture_setup_https, test_https_mixed, fixture_teardown);
  g_test_add ("/glint/web/flash-from-url", Fixture, NULL,
              fixture_setup, test_flash_from_url, fixture_teardown);
  g_test_add ("/glint/web/cli", Fixture, NULL, fixture_setup, test_cli, fixture_teardown);
  g_test_add_func ("/glint/web/cache/trim", test_cache_trim);
  g_test_add ("/glint/web/cache/trim-after-fetch", Fixture, NULL,
              fixture_setup, test_cache_trim_after_fetch, fixture_teardown);

  status = g_test_run ();

  g_subprocess_force_exit (server_process);
  g_subprocess_wait (server_process, NULL, NULL);
  g_clear_object (&server_process);
  g_string_free (server_pending, TRUE);
  g_free (http_base);
  g_free (https_base);

  if (cert_dir != NULL)
    glint_test_remove_dir (cert_dir);
  g_free (cert_dir);
  g_bytes_unref (app_image);
  g_bytes_unref (partition_table);
  return status;
}
