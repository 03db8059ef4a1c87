/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "glint-download-cache.h"
#include "glint-error.h"
#include "glint-formats.h"
#include "glint-image.h"
#include "glint-web-fetch-private.h"

/*
 * GlintWebFetch turns the URL of an ESP Web Tools manifest into a local
 * copy of the installer that the firmware layer reads like any manifest
 * on disk: the manifest, its parts downloaded (or taken from the download
 * cache), each part checked to be firmware, and a rewritten manifest.json
 * whose part paths name the local files. Nothing from the manifest is run:
 * only "builds", their "chipFamily" and "parts" ("path", "offset"), "name",
 * "version", "new_install_prompt_erase" and "new_install_improv_wait_time"
 * are read.
 *
 * Part paths are resolved against the manifest URL as it was given, not
 * the one a redirect led to, as ESP Web Tools does (new URL(path,
 * manifestURL)). Redirects are followed by hand so that each hop is held
 * to the same rule on plain http.
 *
 * The work runs in a thread of its own with libsoup's blocking calls and
 * a session made there; progress, status text and the result are handed
 * to the caller's main context.
 */

#define MAX_REDIRECTS 10
#define IO_TIMEOUT_SECONDS 30

struct _GlintWebFetch
{
  GObject       parent_instance;

  char         *url;
  gboolean      allow_http;
  char         *chip_family;
  char         *cache_dir;
  guint64       max_part_size;
  GTlsDatabase *tls_database;
  gboolean      manifest_only;   /* the next run: the manifest alone */
  gboolean      this_run_manifest_only;
  GBytes       *kept_manifest;   /* a manifest-only run's, for the run after it */

  /* what the run found; written by the worker before it returns */
  char         *name;
  char         *version;
  gboolean      prompt_erase;
  GStrv         families;      /* each build's chipFamily */
  int           improv_wait;   /* seconds; -1: not said */
  guint64       bytes_downloaded;
  guint         n_requests;

  char         *stage_dir;     /* the local installer of the last good run */
  int           stage_hold;    /* glint_download_cache_hold() of it, or -1 */
  gint64        cache_max_unused;
  guint64       cache_max_bytes;

  /* the caller's side */
  double        progress;
  char         *status_text;
  GMainContext *context;
};

enum {
  PROP_0,
  PROP_PROGRESS,
  PROP_STATUS_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (GlintWebFetch, glint_web_fetch, G_TYPE_OBJECT)

static void
glint_web_fetch_finalize (GObject *object)
{
  GlintWebFetch *self = GLINT_WEB_FETCH (object);

  g_free (self->url);
  g_free (self->chip_family);
  g_free (self->cache_dir);
  g_clear_object (&self->tls_database);
  g_free (self->name);
  g_free (self->version);
  g_free (self->status_text);
  g_free (self->stage_dir);
  if (self->stage_hold >= 0)
    close (self->stage_hold);
  g_strfreev (self->families);
  g_clear_pointer (&self->kept_manifest, g_bytes_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (glint_web_fetch_parent_class)->finalize (object);
}

static void
glint_web_fetch_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  GlintWebFetch *self = GLINT_WEB_FETCH (object);

  switch (prop_id)
    {
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case PROP_STATUS_TEXT:
      g_value_set_string (value, self->status_text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_web_fetch_class_init (GlintWebFetchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = glint_web_fetch_finalize;
  object_class->get_property = glint_web_fetch_get_property;

  /**
   * GlintWebFetch:progress:
   *
   * How far the download is, 0 to 1.
   */
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintWebFetch:status-text:
   *
   * What is being downloaded, for people.
   */
  properties[PROP_STATUS_TEXT] =
    g_param_spec_string ("status-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
glint_web_fetch_init (GlintWebFetch *self)
{
  self->max_part_size = GLINT_WEB_MAX_PART_SIZE;
  self->improv_wait = -1;
  self->cache_dir = glint_download_cache_default_dir ();
  self->stage_hold = -1;
  self->cache_max_unused = GLINT_DOWNLOAD_CACHE_MAX_UNUSED;
  self->cache_max_bytes = GLINT_DOWNLOAD_CACHE_MAX_BYTES;
}

/**
 * glint_web_is_url:
 * @text: what the user typed or dropped
 *
 * Returns: whether @text is an http:// or https:// URL, which
 *   glint_web_fetch_new() takes (and a file path is not)
 */
gboolean
glint_web_is_url (const char *text)
{
  g_autofree char *scheme = NULL;

  if (text == NULL)
    return FALSE;
  scheme = g_uri_parse_scheme (text);
  return scheme != NULL && (g_ascii_strcasecmp (scheme, "https") == 0 ||
                            g_ascii_strcasecmp (scheme, "http") == 0);
}

/**
 * glint_web_fetch_new:
 * @url: the https:// (or http://) URL of an ESP Web Tools manifest
 *
 * Returns: (transfer full): a fetch that does nothing until
 *   glint_web_fetch_run_async()
 */
GlintWebFetch *
glint_web_fetch_new (const char *url)
{
  GlintWebFetch *self;

  g_return_val_if_fail (url != NULL, NULL);

  self = g_object_new (GLINT_TYPE_WEB_FETCH, NULL);
  self->url = g_strstrip (g_strdup (url));
  return self;
}

const char *
glint_web_fetch_get_url (GlintWebFetch *self)
{
  g_return_val_if_fail (GLINT_IS_WEB_FETCH (self), NULL);

  return self->url;
}

/**
 * glint_web_fetch_set_allow_http:
 * @self: a #GlintWebFetch
 * @allow_http: whether the user agreed to plain http://
 *
 * Without it, any http:// URL (the manifest, a part, a redirect) ends the
 * run with %GLINT_ERROR_INSECURE_DOWNLOAD: anyone on the way could change
 * the firmware.
 */
void
glint_web_fetch_set_allow_http (GlintWebFetch *self,
                                gboolean       allow_http)
{
  g_return_if_fail (GLINT_IS_WEB_FETCH (self));

  self->allow_http = allow_http;
}

/**
 * glint_web_fetch_set_chip_family:
 * @self: a #GlintWebFetch
 * @chip_family: (nullable): the chip ("ESP32-S3" or "esp32s3"), or %NULL
 *
 * With a chip, only the builds for it are downloaded; without, all are,
 * and the firmware layer picks one later.
 */
void
glint_web_fetch_set_chip_family (GlintWebFetch *self,
                                 const char    *chip_family)
{
  g_return_if_fail (GLINT_IS_WEB_FETCH (self));

  g_free (self->chip_family);
  self->chip_family = g_strdup (chip_family);
}

/**
 * glint_web_fetch_set_manifest_only:
 * @self: a #GlintWebFetch
 * @manifest_only: whether the next run fetches the manifest alone
 *
 * For the next run only: fetch and read the manifest, none of its parts,
 * and return the manifest's URL. Name, version and the builds' chip
 * families (glint_web_fetch_get_chip_families()) are known then. The run
 * after it uses that manifest rather than asking for it again, so that a
 * caller can learn the board's chip in between and download that chip's
 * build alone (glint_web_fetch_set_chip_family()).
 */
void
glint_web_fetch_set_manifest_only (GlintWebFetch *self,
                                   gboolean       manifest_only)
{
  g_return_if_fail (GLINT_IS_WEB_FETCH (self));

  self->manifest_only = manifest_only;
}

/**
 * glint_web_fetch_get_chip_families:
 * @self: a #GlintWebFetch
 *
 * Returns: (transfer none) (nullable): after a run, the "chipFamily" of
 *   each of the manifest's builds, as written there
 */
const char * const *
glint_web_fetch_get_chip_families (GlintWebFetch *self)
{
  g_return_val_if_fail (GLINT_IS_WEB_FETCH (self), NULL);

  return (const char * const *) self->families;
}

/**
 * glint_web_fetch_set_cache_dir:
 * @self: a #GlintWebFetch
 * @dir: where downloads and local installers are kept (default:
 *   glint_download_cache_default_dir())
 */
void
glint_web_fetch_set_cache_dir (GlintWebFetch *self,
                               const char    *dir)
{
  g_return_if_fail (GLINT_IS_WEB_FETCH (self));
  g_return_if_fail (dir != NULL);

  g_free (self->cache_dir);
  self->cache_dir = g_strdup (dir);
}

/**
 * _glint_web_fetch_set_cache_limits:
 * @self: a #GlintWebFetch
 * @max_unused: seconds a download or installer may go unused
 * @max_bytes: how much the cache folder may hold
 *
 * What the trim after each run keeps (tests; default a month and
 * 256 MiB). See glint_download_cache_trim().
 */
void
_glint_web_fetch_set_cache_limits (GlintWebFetch *self,
                                   gint64         max_unused,
                                   guint64        max_bytes)
{
  g_return_if_fail (GLINT_IS_WEB_FETCH (self));

  self->cache_max_unused = max_unused;
  self->cache_max_bytes = max_bytes;
}

void
glint_web_fetch_set_max_part_size (GlintWebFetch *self,
                                   guint64        max_size)
{
  g_return_if_fail (GLINT_IS_WEB_FETCH (self));

  self->max_part_size = max_size;
}

/**
 * glint_web_fetch_set_tls_database:
 * @self: a #GlintWebFetch
 * @database: (nullable): the certificates to trust instead of the system's
 *
 * For tests with a certificate of their own; Glint itself trusts the
 * system's certificates only.
 */
void
glint_web_fetch_set_tls_database (GlintWebFetch *self,
                                  GTlsDatabase  *database)
{
  g_return_if_fail (GLINT_IS_WEB_FETCH (self));

  g_set_object (&self->tls_database, database);
}

/* progress, from the worker to the caller's context ---------------------- */

typedef struct
{
  GlintWebFetch *self;
  double         progress;
  char          *text;
} ProgressUpdate;

static gboolean
apply_progress_cb (gpointer user_data)
{
  ProgressUpdate *update = user_data;
  GlintWebFetch *self = update->self;

  if (self->progress != update->progress)
    {
      self->progress = update->progress;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
    }
  if (update->text != NULL && g_strcmp0 (self->status_text, update->text) != 0)
    {
      g_free (self->status_text);
      self->status_text = g_steal_pointer (&update->text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_TEXT]);
    }
  return G_SOURCE_REMOVE;
}

static void
progress_update_free (gpointer data)
{
  ProgressUpdate *update = data;

  g_object_unref (update->self);
  g_free (update->text);
  g_free (update);
}

/* Runs @func in @context's own thread, always: g_main_context_invoke()
 * would run it right here when this thread can take the context. */
static void
post (GMainContext   *context,
      GSourceFunc     func,
      gpointer        data,
      GDestroyNotify  destroy)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, destroy);
  g_source_set_static_name (source, "[glint-web-fetch]");
  g_source_attach (source, context);
  g_source_unref (source);
}

static void
report (GlintWebFetch *self,
        double         progress,
        char          *text)   /* (transfer full) (nullable) */
{
  ProgressUpdate *update = g_new0 (ProgressUpdate, 1);

  update->self = g_object_ref (self);
  update->progress = CLAMP (progress, 0.0, 1.0);
  update->text = text;
  post (self->context, apply_progress_cb, update, progress_update_free);
}

/* one URL ------------------------------------------------------------------ */

typedef struct
{
  GlintWebFetch *self;
  SoupSession   *session;
  GCancellable  *cancellable;
  guint          n_steps;      /* the manifest and each part */
  guint          step;
} Run;

/* The last segment of a URL's path, for messages and local file names. */
static char *
url_file_name (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *unescaped = NULL;
  g_autofree char *base = NULL;
  const char *path;

  if (uri == NULL)
    return g_strdup (url);
  path = g_uri_get_path (uri);
  unescaped = g_uri_unescape_string (path, NULL);
  base = g_path_get_basename (unescaped != NULL ? unescaped : path);
  if (base[0] == '\0' || g_str_equal (base, "/") || g_str_equal (base, ".") ||
      g_str_equal (base, "..") || strchr (base, '/') != NULL)
    return g_strdup (g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : url);
  return g_steal_pointer (&base);
}

static gboolean
check_scheme (Run         *run,
              const char  *url,
              GError     **error)
{
  g_autofree char *scheme = g_uri_parse_scheme (url);

  if (scheme != NULL && g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;
  if (scheme != NULL && g_ascii_strcasecmp (scheme, "http") == 0)
    {
      if (run->self->allow_http)
        return TRUE;
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INSECURE_DOWNLOAD,
                   _("“%s” is plain http: anyone on the way could change the firmware"), url);
      return FALSE;
    }
  g_set_error (error, GLINT_ERROR, GLINT_ERROR_DOWNLOAD_FAILED,
               _("“%s” is no web address Glint downloads from: only https:// (and http:// "
                 "when allowed) are used"), url);
  return FALSE;
}

/* Errors of the connection, named for people. */
static void
set_transfer_error (GError     **error,
                    GError      *cause,   /* (transfer full) */
                    const char  *url,
                    const char  *file)
{
  g_autoptr(GError) owned = cause;
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *host = uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : url;

  if (g_error_matches (owned, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_steal_pointer (&owned));
  else if (owned->domain == G_TLS_ERROR)
    g_set_error (error, GLINT_ERROR, GLINT_ERROR_DOWNLOAD_FAILED,
                 _("the certificate of %s is not trusted (%s); Glint does not download "
                   "firmware over a connection it cannot check"), host, owned->message);
  else if (g_error_matches (owned, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_set_error (error, GLINT_ERROR, GLINT_ERROR_DOWNLOAD_FAILED,
                 _("%s did not answer for %d seconds while sending %s"),
                 host, IO_TIMEOUT_SECONDS, file);
  else
    g_set_error (error, GLINT_ERROR, GLINT_ERROR_DOWNLOAD_FAILED,
                 _("could not download %s from %s: %s"), file, host, owned->message);
}

static void
set_status_error (GError     **error,
                  guint        status,
                  const char  *reason,
                  const char  *file)
{
  if (status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_GONE)
    g_set_error (error, GLINT_ERROR, GLINT_ERROR_DOWNLOAD_FAILED,
                 _("%u for %s — the installer may have moved"), status, file);
  else if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    g_set_error (error, GLINT_ERROR, GLINT_ERROR_DOWNLOAD_FAILED,
                 _("%u for %s — the server does not let Glint download it (%s)"),
                 status, file, reason != NULL ? reason : "");
  else
    g_set_error (error, GLINT_ERROR, GLINT_ERROR_DOWNLOAD_FAILED,
                 _("the server answered %u (%s) for %s"),
                 status, reason != NULL ? reason : "", file);
}

static GBytes *
read_body (Run           *run,
           SoupMessage   *msg,
           GInputStream  *stream,
           const char    *url,
           const char    *file,
           guint64        max_size,
           GError       **error)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  goffset length = -1;
  g_autoptr(GByteArray) body = g_byte_array_new ();
  guint8 buffer[64 * 1024];
  gint64 last_report = 0;

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    length = soup_message_headers_get_content_length (headers);
  if (length > 0 && (guint64) length > max_size)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_DOWNLOAD_FAILED,
                   _("%s is %u KiB, more than the %u KiB Glint downloads for one file"),
                   file, (guint) MIN ((guint64) length / 1024, G_MAXUINT),
                   (guint) MIN (max_size / 1024, G_MAXUINT));
      return NULL;
    }

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      gssize n = g_input_stream_read (stream, buffer, sizeof buffer, run->cancellable,
                                      &local_error);
      gint64 now;

      if (n < 0)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_DOWNLOAD_FAILED,
                       _("the download of %s broke off after %u bytes (%s)"),
                       file, body->len, local_error->message);
          return NULL;
        }
      if (n == 0)
        break;
      g_byte_array_append (body, buffer, n);
      run->self->bytes_downloaded += n;
      if (body->len > max_size)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_DOWNLOAD_FAILED,
                       _("%s is more than the %u KiB Glint downloads for one file"),
                       file, (guint) MIN (max_size / 1024, G_MAXUINT));
          return NULL;
        }
      now = g_get_monotonic_time ();
      if (length > 0 && now - last_report > G_USEC_PER_SEC / 20)
        {
          last_report = now;
          report (run->self, (run->step + (double) body->len / length) / run->n_steps, NULL);
        }
    }

  if (length >= 0 && body->len < (guint64) length)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_DOWNLOAD_FAILED,
                   _("the download of %s broke off after %u of %u bytes"),
                   file, body->len, (guint) MIN (length, G_MAXUINT));
      return NULL;
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&body));
}

/* The body of @url: from the cache while fresh or confirmed with 304,
 * else downloaded and kept. */
static GBytes *
fetch_url (Run         *run,
           const char  *url,
           guint64      max_size,
           GError     **error)
{
  GlintWebFetch *self = run->self;
  g_autoptr(GlintDownloadEntry) cached = glint_download_cache_lookup (self->cache_dir, url);
  g_autofree char *file = url_file_name (url);
  g_autofree char *current = g_strdup (url);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  report (self, (double) run->step / run->n_steps, g_strdup_printf (_("Downloading %s…"), file));

  if (cached != NULL && glint_download_entry_is_fresh (cached, now))
    {
      g_debug ("%s: fresh in the cache, not asked", url);
      return g_bytes_ref (cached->data);
    }

  for (guint hop = 0; hop <= MAX_REDIRECTS; hop++)
    {
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(GInputStream) stream = NULL;
      g_autoptr(GError) local_error = NULL;
      SoupMessageHeaders *request_headers;
      SoupMessageHeaders *headers;
      g_autoptr(GlintDownloadEntry) entry = NULL;
      g_autoptr(GBytes) body = NULL;
      guint status;

      if (!check_scheme (run, current, error))
        return NULL;
      msg = soup_message_new ("GET", current);
      if (msg == NULL)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_DOWNLOAD_FAILED,
                       _("“%s” is not a web address Glint can use"), current);
          return NULL;
        }
      soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
      request_headers = soup_message_get_request_headers (msg);
      if (cached != NULL && cached->etag != NULL)
        soup_message_headers_replace (request_headers, "If-None-Match", cached->etag);
      if (cached != NULL && cached->last_modified != NULL)
        soup_message_headers_replace (request_headers, "If-Modified-Since",
                                      cached->last_modified);

      self->n_requests++;
      stream = soup_session_send (run->session, msg, run->cancellable, &local_error);
      if (stream == NULL)
        {
          set_transfer_error (error, g_steal_pointer (&local_error), current, file);
          return NULL;
        }

      status = soup_message_get_status (msg);
      headers = soup_message_get_response_headers (msg);

      if (SOUP_STATUS_IS_REDIRECTION (status) && status != SOUP_STATUS_NOT_MODIFIED)
        {
          const char *location = soup_message_headers_get_one (headers, "Location");
          char *next;

          if (location == NULL)
            {
              set_status_error (error, status, soup_message_get_reason_phrase (msg), file);
              return NULL;
            }
          next = g_uri_resolve_relative (current, location, G_URI_FLAGS_NONE, NULL);
          if (next == NULL)
            {
              g_set_error (error, GLINT_ERROR, GLINT_ERROR_DOWNLOAD_FAILED,
                           _("the server sent %s on to “%s”, which is no web address"),
                           file, location);
              return NULL;
            }
          g_debug ("%s: %u to %s", current, status, next);
          g_free (current);
          current = next;
          continue;
        }

      if (status == SOUP_STATUS_NOT_MODIFIED && cached != NULL)
        {
          g_autoptr(GError) store_error = NULL;

          g_debug ("%s: not modified, taken from the cache", url);
          cached->stored = now;
          cached->max_age = glint_download_parse_max_age (
            soup_message_headers_get_list (headers, "Cache-Control"));
          if (!glint_download_cache_store (self->cache_dir, cached, &store_error))
            g_debug ("the cache was not updated: %s", store_error->message);
          return g_bytes_ref (cached->data);
        }

      if (status != SOUP_STATUS_OK)
        {
          set_status_error (error, status, soup_message_get_reason_phrase (msg), file);
          return NULL;
        }

      body = read_body (run, msg, stream, current, file, max_size, error);
      if (body == NULL)
        return NULL;

      entry = g_new0 (GlintDownloadEntry, 1);
      entry->url = g_strdup (url);
      entry->etag = g_strdup (soup_message_headers_get_one (headers, "ETag"));
      entry->last_modified = g_strdup (soup_message_headers_get_one (headers, "Last-Modified"));
      entry->stored = now;
      entry->max_age = glint_download_parse_max_age (
        soup_message_headers_get_list (headers, "Cache-Control"));
      entry->data = g_bytes_ref (body);
      if (entry->etag != NULL || entry->last_modified != NULL || entry->max_age > 0)
        {
          g_autoptr(GError) store_error = NULL;

          if (!glint_download_cache_store (self->cache_dir, entry, &store_error))
            g_debug ("%s was not kept: %s", url, store_error->message);
        }
      return g_steal_pointer (&body);
    }

  g_set_error (error, GLINT_ERROR, GLINT_ERROR_DOWNLOAD_FAILED,
               _("the server sent %s on more than %d times; the link goes round in circles"),
               file, MAX_REDIRECTS);
  return NULL;
}

/* the manifest --------------------------------------------------------------- */

static gboolean
family_wanted (const char *family,
               const char *wanted)
{
  const char *a, *b;

  if (wanted == NULL)
    return TRUE;
  if (family == NULL)
    return FALSE;
  a = glint_image_chip_from_family (family);
  b = glint_image_chip_from_family (wanted);
  if (a != NULL && b != NULL)
    return g_str_equal (a, b);
  return g_ascii_strcasecmp (family, wanted) == 0;
}

/* Only what is flashed knowingly at an offset: images, merged images,
 * partition tables and erased data (otadata). An HTML page a server sends
 * instead of a file is refused here, before anything is written. */
static gboolean
check_part (const char  *file,
            GBytes      *data,
            GError     **error)
{
  g_autofree char *what = NULL;

  switch (glint_format_detect (data))
    {
    case GLINT_FORMAT_IMAGE:
    case GLINT_FORMAT_PARTITION_TABLE:
    case GLINT_FORMAT_ERASED:
      return TRUE;
    default:
      break;
    }

  what = glint_format_describe_unknown (data);
  g_set_error (error, GLINT_ERROR, GLINT_ERROR_UNKNOWN_CONTENT,
               _("the installer's %s is no firmware: it looks like %s"), file, what);
  return FALSE;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* The object at @index of @array, or NULL when it holds something else. */
static JsonObject *
object_element (JsonArray *array,
                guint      index)
{
  JsonNode *node = json_array_get_element (array, index);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonObject *
parse_manifest (GlintWebFetch  *self,
                GBytes         *data,
                JsonParser     *parser,
                GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;
  const char *text = g_bytes_get_data (data, &len);
  JsonNode *root;
  JsonNode *builds;
  JsonObject *object;

  if (!json_parser_load_from_data (parser, text != NULL ? text : "", len, &local_error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_autofree char *what = glint_format_describe_unknown (data);

      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                   _("“%s” is no ESP Web Tools manifest: it looks like %s"), self->url, what);
      return NULL;
    }

  object = json_node_get_object (root);
  builds = json_object_get_member (object, "builds");
  if (builds == NULL || !JSON_NODE_HOLDS_ARRAY (builds) ||
      json_array_get_length (json_node_get_array (builds)) == 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                   _("“%s” lists no builds: it is no ESP Web Tools manifest"), self->url);
      return NULL;
    }

  {
    JsonArray *list = json_node_get_array (builds);
    GStrvBuilder *families = g_strv_builder_new ();

    for (guint b = 0; b < json_array_get_length (list); b++)
      {
        JsonObject *build = object_element (list, b);
        const char *family = build != NULL ? member_string (build, "chipFamily") : NULL;

        if (family != NULL)
          g_strv_builder_add (families, family);
      }
    g_strfreev (self->families);
    self->families = g_strv_builder_end (families);
    g_strv_builder_unref (families);
  }

  g_free (self->name);
  self->name = g_strdup (member_string (object, "name"));
  g_free (self->version);
  self->version = g_strdup (member_string (object, "version"));
  {
    JsonNode *erase = json_object_get_member (object, "new_install_prompt_erase");

    self->prompt_erase = erase != NULL && json_node_get_value_type (erase) == G_TYPE_BOOLEAN &&
                         json_node_get_boolean (erase);
  }
  {
    JsonNode *wait = json_object_get_member (object, "new_install_improv_wait_time");
    GType type = wait != NULL && JSON_NODE_HOLDS_VALUE (wait) ? json_node_get_value_type (wait)
                                                             : G_TYPE_INVALID;
    double seconds = type == G_TYPE_INT64 ? (double) json_node_get_int (wait) :
                     type == G_TYPE_DOUBLE ? json_node_get_double (wait) : -1.0;

    /* a number of seconds, at most GLINT_WEB_MAX_IMPROV_WAIT; anything
     * else is as if not there */
    self->improv_wait = seconds >= 0.0 ? (int) MIN (seconds + 0.5, GLINT_WEB_MAX_IMPROV_WAIT)
                                       : -1;
  }

  return object;
}

static gboolean
write_file (const char  *path,
            GBytes      *data,
            GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  gsize len = 0;
  gconstpointer bytes = g_bytes_get_data (data, &len);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_DOWNLOAD_FAILED,
                   _("cannot make the folder “%s” for the downloaded installer"), dir);
      return FALSE;
    }
  return g_file_set_contents (path, bytes != NULL ? bytes : "", len, error);
}

/* Downloads the parts of the builds wanted, checks them, puts them in
 * @stage_dir and points the manifest's paths at them. */
static gboolean
stage_parts (Run         *run,
             JsonObject  *manifest,
             const char  *stage_dir,
             GError     **error)
{
  GlintWebFetch *self = run->self;
  JsonArray *builds = json_object_get_array_member (manifest, "builds");
  g_autoptr(GHashTable) staged = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint n_builds = json_array_get_length (builds);
  guint n_parts = 0;

  /* count first, for the progress */
  for (guint b = 0; b < n_builds; b++)
    {
      JsonObject *build = object_element (builds, b);
      JsonNode *parts;

      if (build == NULL || !family_wanted (member_string (build, "chipFamily"),
                                           self->chip_family))
        continue;
      parts = json_object_get_member (build, "parts");
      if (parts != NULL && JSON_NODE_HOLDS_ARRAY (parts))
        n_parts += json_array_get_length (json_node_get_array (parts));
    }
  run->n_steps = n_parts + 1;

  for (guint b = 0; b < n_builds; b++)
    {
      JsonObject *build = object_element (builds, b);
      JsonNode *parts_node;
      JsonArray *parts;

      if (build == NULL)
        continue;
      parts_node = json_object_get_member (build, "parts");
      if (parts_node == NULL || !JSON_NODE_HOLDS_ARRAY (parts_node))
        continue;   /* the firmware layer names it if this build is chosen */
      parts = json_node_get_array (parts_node);
      if (!family_wanted (member_string (build, "chipFamily"), self->chip_family))
        {
          /* never chosen for this chip: nothing of it is downloaded */
          json_object_set_array_member (build, "parts", json_array_new ());
          continue;
        }

      for (guint p = 0; p < json_array_get_length (parts); p++)
        {
          JsonObject *part = object_element (parts, p);
          const char *path = member_string (part, "path");
          g_autofree char *url = NULL;
          g_autofree char *file = NULL;
          g_autofree char *local = NULL;
          g_autofree char *local_path = NULL;
          g_autoptr(GBytes) data = NULL;
          const char *done;

          if (path == NULL)
            continue;   /* the firmware layer names it */
          url = g_uri_resolve_relative (self->url, path, G_URI_FLAGS_NONE, NULL);
          if (url == NULL)
            {
              g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                           _("“%s”: part “%s” is no path or web address"), self->url, path);
              return FALSE;
            }

          done = g_hash_table_lookup (staged, url);
          if (done != NULL)
            {
              json_object_set_string_member (part, "path", done);
              continue;
            }

          run->step++;
          data = fetch_url (run, url, self->max_part_size, error);
          if (data == NULL)
            return FALSE;
          file = url_file_name (url);
          if (!check_part (file, data, error))
            return FALSE;

          /* in a folder of its own so that its name stays what the
           * installer calls it (the region names in the log) */
          local = g_strdup_printf ("%u/%s", g_hash_table_size (staged), file);
          local_path = g_build_filename (stage_dir, local, NULL);
          if (!write_file (local_path, data, error))
            return FALSE;
          json_object_set_string_member (part, "path", local);
          g_hash_table_insert (staged, g_steal_pointer (&url), g_steal_pointer (&local));
        }
    }

  return TRUE;
}

static char *
run (GlintWebFetch  *self,
     GCancellable   *cancellable,
     GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) manifest_data = NULL;
  g_autofree char *key = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *stage_dir = NULL;
  g_autofree char *manifest_path = NULL;
  g_autofree char *text = NULL;
  GTlsDatabase *database = self->tls_database;
  JsonObject *manifest;
  Run run = { self, NULL, cancellable, 1, 0 };
  gint64 started = g_get_real_time () / G_USEC_PER_SEC;

  session = soup_session_new_with_options ("timeout", IO_TIMEOUT_SECONDS,
                                           "user-agent", "Glint/" PACKAGE_VERSION " ",
                                           NULL);
  if (database != NULL)
    soup_session_set_tls_database (session, database);
  run.session = session;

  /* the manifest a manifest-only run fetched is not asked for again */
  if (self->kept_manifest != NULL)
    manifest_data = g_steal_pointer (&self->kept_manifest);
  else
    manifest_data = fetch_url (&run, self->url, GLINT_WEB_MAX_MANIFEST_SIZE, error);
  if (manifest_data == NULL)
    return NULL;
  manifest = parse_manifest (self, manifest_data, parser, error);
  if (manifest == NULL)
    return NULL;
  if (self->this_run_manifest_only)
    {
      self->kept_manifest = g_steal_pointer (&manifest_data);
      report (self, 1.0, NULL);
      return g_strdup (self->url);
    }

  /* one local installer per URL and chip */
  key = g_strconcat (self->url, "\n", self->chip_family != NULL ? self->chip_family : "", NULL);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  stage_dir = g_build_filename (self->cache_dir, "installers", hash, NULL);
  if (!stage_parts (&run, manifest, stage_dir, error))
    return NULL;

  root = json_node_ref (json_parser_get_root (parser));
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  manifest_path = g_build_filename (stage_dir, "manifest.json", NULL);
  if (g_mkdir_with_parents (stage_dir, 0700) != 0 ||
      !g_file_set_contents (manifest_path, text, -1, &local_error))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_DOWNLOAD_FAILED,
                   _("cannot keep the downloaded installer in “%s”: %s"),
                   stage_dir, local_error != NULL ? local_error->message : g_strerror (errno));
      return NULL;
    }

  report (self, 1.0, NULL);
  g_free (self->stage_dir);
  self->stage_dir = g_steal_pointer (&stage_dir);
  /* held while this object lives (the flasher reads it), then trimmed:
   * what this run used (and any run of the last hour) stays */
  if (self->stage_hold >= 0)
    close (self->stage_hold);
  self->stage_hold = glint_download_cache_hold (self->stage_dir);
  glint_download_cache_trim (self->cache_dir, g_get_real_time () / G_USEC_PER_SEC,
                             MIN (started, g_get_real_time () / G_USEC_PER_SEC -
                                           GLINT_DOWNLOAD_CACHE_GRACE),
                             self->cache_max_unused, self->cache_max_bytes);
  return g_steal_pointer (&manifest_path);
}

/* The worker is a thread of its own that ends with its run, not one of
 * GIO's pool: a pool thread that did TLS stays alive with the TLS
 * module's thread-local data until the process ends, where
 * LeakSanitizer cannot read it. The caller's context joins it. */
typedef struct
{
  GTask   *task;
  GThread *thread;
  char    *manifest;
  GError  *error;
} Job;

static gboolean
job_done_cb (gpointer data)
{
  Job *job = data;

  g_thread_join (job->thread);
  if (job->manifest != NULL)
    g_task_return_pointer (job->task, job->manifest, g_free);
  else
    g_task_return_error (job->task, job->error);
  g_object_unref (job->task);
  g_free (job);
  return G_SOURCE_REMOVE;
}

static gpointer
job_thread (gpointer data)
{
  Job *job = data;
  GlintWebFetch *self = g_task_get_source_object (job->task);
  g_autoptr(GMainContext) context = g_main_context_ref (self->context);

  job->manifest = run (self, g_task_get_cancellable (job->task), &job->error);
  /* nothing of @self is touched after this: it may be gone */
  post (context, job_done_cb, job, NULL);
  return NULL;
}


/**
 * glint_web_fetch_run_async:
 * @self: a #GlintWebFetch
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Downloads the manifest and the parts of the builds wanted (from the
 * cache when the server says they did not change), checks each part is
 * firmware and writes a local copy of the installer. Nothing is written
 * to a board.
 */
void
glint_web_fetch_run_async (GlintWebFetch       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Run run = { self, NULL, NULL, 1, 0 };
  Job *job;

  g_return_if_fail (GLINT_IS_WEB_FETCH (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, glint_web_fetch_run_async);
  g_task_set_name (task, "glint-web-fetch-run");

  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  /* after a manifest-only run the two count as one */
  if (self->kept_manifest == NULL)
    {
      self->bytes_downloaded = 0;
      self->n_requests = 0;
    }
  self->this_run_manifest_only = self->manifest_only;
  self->manifest_only = FALSE;

  if (!check_scheme (&run, self->url, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  job = g_new0 (Job, 1);
  job->task = g_steal_pointer (&task);
  job->thread = g_thread_new ("glint-web-fetch", job_thread, job);
}

/**
 * glint_web_fetch_run_finish:
 * @self: a #GlintWebFetch
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the path of the local manifest.json, for
 *   glint_flash_plan_new_from_manifest(), or %NULL
 */
char *
glint_web_fetch_run_finish (GlintWebFetch  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (GLINT_IS_WEB_FETCH (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

double
glint_web_fetch_get_progress (GlintWebFetch *self)
{
  g_return_val_if_fail (GLINT_IS_WEB_FETCH (self), 0.0);

  return self->progress;
}

const char *
glint_web_fetch_get_status_text (GlintWebFetch *self)
{
  g_return_val_if_fail (GLINT_IS_WEB_FETCH (self), NULL);

  return self->status_text;
}

/**
 * glint_web_fetch_get_name:
 * @self: a #GlintWebFetch
 *
 * Returns: (nullable): the manifest's "name", once downloaded
 */
const char *
glint_web_fetch_get_name (GlintWebFetch *self)
{
  g_return_val_if_fail (GLINT_IS_WEB_FETCH (self), NULL);

  return self->name;
}

/**
 * glint_web_fetch_get_version:
 * @self: a #GlintWebFetch
 *
 * Returns: (nullable): the manifest's "version", once downloaded
 */
const char *
glint_web_fetch_get_version (GlintWebFetch *self)
{
  g_return_val_if_fail (GLINT_IS_WEB_FETCH (self), NULL);

  return self->version;
}

/**
 * glint_web_fetch_get_prompt_erase:
 * @self: a #GlintWebFetch
 *
 * Returns: the manifest's "new_install_prompt_erase": whether the user is
 *   to be asked whether to erase the whole flash first (ESP Web Tools asks
 *   with erasing as the default then)
 */
gboolean
glint_web_fetch_get_prompt_erase (GlintWebFetch *self)
{
  g_return_val_if_fail (GLINT_IS_WEB_FETCH (self), FALSE);

  return self->prompt_erase;
}

/**
 * glint_web_fetch_get_improv_wait_time:
 * @self: a #GlintWebFetch
 *
 * Returns: the manifest's "new_install_improv_wait_time": how many seconds
 *   to wait after a flash for the firmware to answer Improv Serial (0: do
 *   not ask it), or -1 when the manifest does not say
 */
int
glint_web_fetch_get_improv_wait_time (GlintWebFetch *self)
{
  g_return_val_if_fail (GLINT_IS_WEB_FETCH (self), -1);

  return self->improv_wait;
}

/**
 * glint_web_fetch_get_bytes_downloaded:
 * @self: a #GlintWebFetch
 *
 * Returns: the body bytes received in the last run (0 when everything
 *   came from the cache)
 */
guint64
glint_web_fetch_get_bytes_downloaded (GlintWebFetch *self)
{
  g_return_val_if_fail (GLINT_IS_WEB_FETCH (self), 0);

  return self->bytes_downloaded;
}

/**
 * glint_web_fetch_get_n_requests:
 * @self: a #GlintWebFetch
 *
 * Returns: the HTTP requests of the last run, redirects included
 */
guint
glint_web_fetch_get_n_requests (GlintWebFetch *self)
{
  g_return_val_if_fail (GLINT_IS_WEB_FETCH (self), 0);

  return self->n_requests;
}

/**
 * glint_web_fetch_rewrite_error:
 * @self: a #GlintWebFetch whose run succeeded
 * @error: an error about the local installer (from the firmware layer)
 *
 * Names the installer by its URL instead of the local copy, and its parts
 * by their names, so that the message speaks of what people opened.
 */
void
glint_web_fetch_rewrite_error (GlintWebFetch *self,
                               GError        *error)
{
  g_autofree char *manifest = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr(GString) message = NULL;

  g_return_if_fail (GLINT_IS_WEB_FETCH (self));

  if (error == NULL || self->stage_dir == NULL)
    return;

  manifest = g_build_filename (self->stage_dir, "manifest.json", NULL);
  prefix = g_strconcat (self->stage_dir, G_DIR_SEPARATOR_S, NULL);
  message = g_string_new (error->message);
  g_string_replace (message, manifest, self->url, 0);
  /* "…/installers/HASH/1/app.bin" → "app.bin" */
  while (strstr (message->str, prefix) != NULL)
    {
      char *at = strstr (message->str, prefix);
      char *name = at + strlen (prefix);
      char *slash = strchr (name, G_DIR_SEPARATOR);
      gsize cut = strlen (prefix) + (slash != NULL ? (gsize) (slash + 1 - name) : 0);

      g_string_erase (message, at - message->str, cut);
    }
  g_free (error->message);
  error->message = g_string_free (g_steal_pointer (&message), FALSE);
}
