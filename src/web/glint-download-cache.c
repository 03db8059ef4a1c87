/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "glint-download-cache.h"

/*
 * The download cache: one pair of files per URL in
 * $XDG_CACHE_HOME/glint/downloads, named by the SHA-256 of the URL:
 * HASH.data (the body as it came) and HASH.meta (a key file with the URL
 * and the validators). A second flash from the same installer asks the
 * server with If-None-Match / If-Modified-Since and takes the body from
 * here when it answers 304, or does not ask at all while max-age lasts.
 * Beside them, installers/HASH/ holds the local installers GlintWebFetch
 * writes.
 *
 * Trimming (glint_download_cache_trim()): an entry's last use is the
 * modification time of its .meta (touched by each lookup that finds it)
 * or of an installer's manifest.json (written by each run). What was not
 * used for the longest goes first: everything unused for longer than the
 * age limit, then the oldest until the whole fits the size limit. Never
 * removed: what was used since @keep_since (the running fetch's own
 * entries, and another process's) and an installer someone holds
 * (glint_download_cache_hold(): a shared flock on its folder, which the
 * trim's exclusive non-blocking one cannot get). A .meta goes before its
 * .data, so a lookup finds the whole entry or none (a body mapped by a
 * reader stays readable after the unlink), and an installer is renamed
 * out of the way before its files are removed.
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

  /* used now: the trim goes by this time */
  if (g_utime (meta_path, NULL) != 0)
    g_debug ("cannot mark %s used: %s", meta_path, g_strerror (errno));

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

/* trimming ------------------------------------------------------------------ */

typedef struct
{
  char    *path;        /* the .meta, or the installer's folder */
  char    *data_path;   /* the .data, for a download */
  gboolean installer;
  gint64   used;        /* seconds */
  guint64  size;
} Kept;

static void
kept_clear (Kept *kept)
{
  g_free (kept->path);
  g_free (kept->data_path);
}

static gint
compare_used (gconstpointer a,
              gconstpointer b)
{
  const Kept *x = a, *y = b;

  return x->used < y->used ? -1 : x->used > y->used ? 1 : g_strcmp0 (x->path, y->path);
}

static guint64
file_size (const char *path,
           gint64     *mtime)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return 0;
  if (mtime != NULL)
    *mtime = st.st_mtime;

  return S_ISREG (st.st_mode) ? (guint64) st.st_size : 0;
}

/* The bytes below @path (no links followed). */
static guint64
tree_size (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint64 size = 0;
  const char *name;

  if (dir == NULL)
    return file_size (path, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        continue;
      size += g_file_test (child, G_FILE_TEST_IS_DIR) ? tree_size (child)
                                                       : file_size (child, NULL);
    }

  return size;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (!g_file_test (child, G_FILE_TEST_IS_SYMLINK) &&
          g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
list_downloads (const char *dir,
                GArray     *all)
{
  g_autoptr(GDir) folder = g_dir_open (dir, 0, NULL);
  const char *name;

  while (folder != NULL && (name = g_dir_read_name (folder)) != NULL)
    {
      Kept kept = { 0 };
      g_autofree char *stem = NULL;

      /* a .data without its .meta is a store broken off: it goes too */
      if (g_str_has_suffix (name, ".data"))
        {
          g_autofree char *meta = NULL;

          stem = g_strndup (name, strlen (name) - 5);
          meta = g_strconcat (dir, G_DIR_SEPARATOR_S, stem, ".meta", NULL);
          if (g_file_test (meta, G_FILE_TEST_EXISTS))
            continue;
        }
      else if (g_str_has_suffix (name, ".meta"))
        stem = g_strndup (name, strlen (name) - 5);
      else
        continue;

      kept.path = g_build_filename (dir, name, NULL);
      kept.data_path = g_strconcat (dir, G_DIR_SEPARATOR_S, stem, ".data", NULL);
      kept.size = file_size (kept.path, &kept.used);
      if (!g_str_equal (kept.path, kept.data_path))
        kept.size += file_size (kept.data_path, NULL);
      else
        g_clear_pointer (&kept.data_path, g_free);
      g_array_append_val (all, kept);
    }
}

static void
list_installers (const char *dir,
                 GArray     *all)
{
  g_autofree char *installers = g_build_filename (dir, "installers", NULL);
  g_autoptr(GDir) folder = g_dir_open (installers, 0, NULL);
  const char *name;

  while (folder != NULL && (name = g_dir_read_name (folder)) != NULL)
    {
      g_autofree char *path = g_build_filename (installers, name, NULL);
      g_autofree char *manifest = g_build_filename (path, "manifest.json", NULL);
      Kept kept = { .installer = TRUE };

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK) ||
          !g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;
      kept.path = g_steal_pointer (&path);
      kept.size = tree_size (kept.path);
      /* one being written has no manifest yet: its folder's time */
      file_size (g_file_test (manifest, G_FILE_TEST_EXISTS) ? manifest : kept.path, &kept.used);
      g_array_append_val (all, kept);
    }
}

/* Removes @kept unless someone holds it. */
static gboolean
remove_kept (const Kept *kept)
{
  if (kept->installer)
    {
      g_autofree char *trash = NULL;
      int fd = open (kept->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      gboolean removed = FALSE;

      if (fd < 0)
        return FALSE;
      if (flock (fd, LOCK_EX | LOCK_NB) == 0)
        {
          trash = g_strdup_printf ("%s.trash-%d", kept->path, (int) getpid ());
          if (g_rename (kept->path, trash) == 0)
            {
              remove_tree (trash);
              removed = TRUE;
            }
        }
      close (fd);
      return removed;
    }

  /* the .meta first: without it a lookup finds nothing */
  if (g_unlink (kept->path) != 0 && errno != ENOENT)
    return FALSE;
  if (kept->data_path != NULL)
    g_unlink (kept->data_path);

  return TRUE;
}

/**
 * glint_download_cache_trim:
 * @dir: the cache folder
 * @now: wall-clock seconds
 * @keep_since: what was used at or after this (seconds) stays
 * @max_unused: seconds an entry may go unused
 * @max_bytes: how much the folder may hold
 *
 * Removes the downloads and local installers used least recently: all
 * unused for longer than @max_unused, then the oldest until what is left
 * fits @max_bytes. What was used since @keep_since and an installer held
 * with glint_download_cache_hold() stay, even over the limit.
 *
 * Returns: how many entries were removed
 */
guint
glint_download_cache_trim (const char *dir,
                           gint64      now,
                           gint64      keep_since,
                           gint64      max_unused,
                           guint64     max_bytes)
{
  g_autoptr(GArray) all = g_array_new (FALSE, TRUE, sizeof (Kept));
  guint64 total = 0;
  guint removed = 0;

  g_array_set_clear_func (all, (GDestroyNotify) kept_clear);
  list_downloads (dir, all);
  list_installers (dir, all);
  g_array_sort (all, compare_used);
  for (guint i = 0; i < all->len; i++)
    total += g_array_index (all, Kept, i).size;

  for (guint i = 0; i < all->len; i++)
    {
      Kept *kept = &g_array_index (all, Kept, i);

      if (kept->used >= keep_since)
        continue;
      if (now - kept->used <= max_unused && total <= max_bytes)
        break;   /* the rest are newer */
      if (remove_kept (kept))
        {
          g_debug ("download cache: removed %s (%" G_GUINT64_FORMAT " bytes, unused %"
                   G_GINT64_FORMAT " s)", kept->path, kept->size, now - kept->used);
          total -= kept->size;
          removed++;
        }
    }

  return removed;
}

/**
 * glint_download_cache_hold:
 * @installer: a local installer's folder
 *
 * Keeps glint_download_cache_trim() (of any process) from removing
 * @installer until the descriptor returned is closed.
 *
 * Returns: a descriptor to close(), or -1 where the folder cannot be held
 */
int
glint_download_cache_hold (const char *installer)
{
  int fd = open (installer, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd >= 0 && flock (fd, LOCK_SH | LOCK_NB) != 0)
    {
      close (fd);
      return -1;
    }

  return fd;
}
