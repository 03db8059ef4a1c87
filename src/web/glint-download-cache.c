/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <string.h>

#include <gio/gio.h>

#include "glint-download-cache.h"

/*
 * The download cache: one pair of files per URL in
 * $XDG_CACHE_HOME/glint/downloads, named by the SHA-256 of the URL:
 * HASH.data (the body as it came) and HASH.meta (a key file with the URL
 * and the validators). A second flash from the same installer asks the
 * server with If-None-Match / If-Modified-Since and takes the body from
 * here when it answers 304, or does not ask at all while max-age lasts.
 */

void
glint_download_entry_free (GlintDownloadEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->url);
  g_free (entry->etag);
  g_free (entry->last_modified);
  g_clear_pointer (&entry->data, g_bytes_unref);
  g_free (entry);
}

/**
 * glint_download_cache_default_dir:
 *
 * Returns: (transfer full): $XDG_CACHE_HOME/glint/downloads
 */
char *
glint_download_cache_default_dir (void)
{
  return g_build_filename (g_get_user_cache_dir (), "glint", "downloads", NULL);
}

static char *
entry_path (const char *dir,
            const char *url,
            const char *suffix)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, url, -1);
  g_autofree char *name = g_strconcat (hash, suffix, NULL);

  return g_build_filename (dir, name, NULL);
}

/**
 * glint_download_cache_lookup:
 * @dir: the cache folder
 * @url: the URL as it was asked for
 *
 * Returns: (transfer full) (nullable): what @url answered last time, or
 *   %NULL when nothing usable is kept
 */
GlintDownloadEntry *
glint_download_cache_lookup (const char *dir,
                             const char *url)
{
  g_autofree char *meta_path = entry_path (dir, url, ".meta");
  g_autofree char *data_path = entry_path (dir, url, ".data");
  g_autoptr(GKeyFile) meta = g_key_file_new ();
  g_autoptr(GlintDownloadEntry) entry = g_new0 (GlintDownloadEntry, 1);
  g_autofree char *stored_url = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  const char *group = "download";

  if (!g_key_file_load_from_file (meta, meta_path, G_KEY_FILE_NONE, NULL))
    return NULL;
  stored_url = g_key_file_get_string (meta, group, "url", NULL);
  /* a hash collision, or a file that is not ours */
  if (g_strcmp0 (stored_url, url) != 0)
    return NULL;

  mapped = g_mapped_file_new (data_path, FALSE, NULL);
  if (mapped == NULL)
    return NULL;

  entry->url = g_steal_pointer (&stored_url);
  entry->etag = g_key_file_get_string (meta, group, "etag", NULL);
  entry->last_modified = g_key_file_get_string (meta, group, "last-modified", NULL);
  entry->stored = g_key_file_get_int64 (meta, group, "stored", NULL);
  entry->max_age = g_key_file_get_int64 (meta, group, "max-age", NULL);
  entry->data = g_mapped_file_get_bytes (mapped);

  /* without a validator a kept body could never be confirmed */
  if (entry->etag == NULL && entry->last_modified == NULL && entry->max_age <= 0)
    return NULL;

  return g_steal_pointer (&entry);
}

/**
 * glint_download_cache_store:
 * @dir: the cache folder (made when missing)
 * @entry: the answer to keep
 * @error: return location for a #GError
 *
 * Keeps @entry for the next lookup of its URL. The body is written
 * before the key file that points to it, each atomically, so a broken-off
 * store leaves the old entry or none.
 */
gboolean
glint_download_cache_store (const char                *dir,
                            const GlintDownloadEntry  *entry,
                            GError                   **error)
{
  g_autofree char *meta_path = entry_path (dir, entry->url, ".meta");
  g_autofree char *data_path = entry_path (dir, entry->url, ".data");
  g_autoptr(GKeyFile) meta = g_key_file_new ();
  g_autofree char *text = NULL;
  const char *group = "download";
  gsize len = 0;
  gconstpointer data;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot make the download cache “%s”: %s", dir, g_strerror (saved));
      return FALSE;
    }

  data = g_bytes_get_data (entry->data, &len);
  if (!g_file_set_contents (data_path, data != NULL ? data : "", len, error))
    return FALSE;

  g_key_file_set_string (meta, group, "url", entry->url);
  if (entry->etag != NULL)
    g_key_file_set_string (meta, group, "etag", entry->etag);
  if (entry->last_modified != NULL)
    g_key_file_set_string (meta, group, "last-modified", entry->last_modified);
  g_key_file_set_int64 (meta, group, "stored", entry->stored);
  g_key_file_set_int64 (meta, group, "max-age", entry->max_age);
  text = g_key_file_to_data (meta, NULL, NULL);

  return g_file_set_contents (meta_path, text, -1, error);
}

/**
 * glint_download_entry_is_fresh:
 * @entry: a kept answer
 * @now: wall-clock seconds
 *
 * Returns: whether @entry may be used without asking the server
 */
gboolean
glint_download_entry_is_fresh (const GlintDownloadEntry *entry,
                               gint64                    now)
{
  return entry->max_age > 0 && now >= entry->stored && now < entry->stored + entry->max_age;
}

/**
 * glint_download_parse_max_age:
 * @cache_control: (nullable): a Cache-Control header
 *
 * Returns: the seconds the answer stays fresh: max-age, or 0 when the
 *   header is missing or says no-cache, no-store or must-revalidate
 *   without a max-age
 */
gint64
glint_download_parse_max_age (const char *cache_control)
{
  g_auto(GStrv) items = NULL;
  gint64 max_age = 0;

  if (cache_control == NULL)
    return 0;

  items = g_strsplit (cache_control, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      const char *item = g_strstrip (items[i]);

      if (g_ascii_strcasecmp (item, "no-cache") == 0 ||
          g_ascii_strcasecmp (item, "no-store") == 0)
        return 0;
      if (g_ascii_strncasecmp (item, "max-age=", 8) == 0)
        {
          guint64 v = 0;

          if (g_ascii_string_to_unsigned (item + 8, 10, 0, G_MAXINT32, &v, NULL))
            max_age = (gint64) v;
        }
    }

  return max_age;
}
