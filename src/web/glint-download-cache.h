/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "glint-types.h"

G_BEGIN_DECLS

/*
 * What one URL answered last time: its body and the validators to ask
 * whether it changed (ETag, Last-Modified), and how long the server said
 * it stays fresh (Cache-Control: max-age).
 */
typedef struct
{
  char    *url;
  char    *etag;           /* nullable */
  char    *last_modified;  /* nullable */
  gint64   stored;         /* wall-clock seconds when it was fetched or revalidated */
  gint64   max_age;        /* seconds it stays fresh without asking; 0: always ask */
  GBytes  *data;
} GlintDownloadEntry;

void                glint_download_entry_free     (GlintDownloadEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GlintDownloadEntry, glint_download_entry_free)

char               *glint_download_cache_default_dir (void);
GlintDownloadEntry *glint_download_cache_lookup   (const char         *dir,
                                                   const char         *url);
gboolean            glint_download_cache_store    (const char         *dir,
                                                   const GlintDownloadEntry *entry,
                                                   GError            **error);
gboolean            glint_download_entry_is_fresh (const GlintDownloadEntry *entry,
                                                   gint64              now);
gint64              glint_download_parse_max_age  (const char         *cache_control);
guint               glint_download_cache_trim     (const char         *dir,
                                                   gint64              now,
                                                   gint64              keep_since,
                                                   gint64              max_unused,
                                                   guint64             max_bytes);
int                 glint_download_cache_hold     (const char         *installer);

/* The trim's defaults: a month unused, 256 MiB in all; what was used in
 * the last hour stays (another Glint may be flashing from it). */
#define GLINT_DOWNLOAD_CACHE_MAX_UNUSED (30 * 24 * 3600)
#define GLINT_DOWNLOAD_CACHE_MAX_BYTES  (256 * 1024 * 1024)
#define GLINT_DOWNLOAD_CACHE_GRACE      3600

G_END_DECLS
