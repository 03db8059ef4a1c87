/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-types.h"

G_BEGIN_DECLS

/* The largest manifest and the largest part Glint downloads: the biggest
 * flash of any supported chip is 32 MiB. */
#define GLINT_WEB_MAX_MANIFEST_SIZE (1024 * 1024)
#define GLINT_WEB_MAX_PART_SIZE     (32 * 1024 * 1024)
/* The longest wait for Improv Serial after a flash that a manifest's
 * new_install_improv_wait_time can ask for, in seconds. */
#define GLINT_WEB_MAX_IMPROV_WAIT   120

#define GLINT_TYPE_WEB_FETCH (glint_web_fetch_get_type ())

G_DECLARE_FINAL_TYPE (GlintWebFetch, glint_web_fetch, GLINT, WEB_FETCH, GObject)

gboolean       glint_web_is_url                    (const char          *text);

GlintWebFetch *glint_web_fetch_new                 (const char          *url);
const char    *glint_web_fetch_get_url             (GlintWebFetch       *self);
void           glint_web_fetch_set_allow_http      (GlintWebFetch       *self,
                                                    gboolean             allow_http);
void           glint_web_fetch_set_chip_family     (GlintWebFetch       *self,
                                                    const char          *chip_family);
void           glint_web_fetch_set_manifest_only   (GlintWebFetch       *self,
                                                    gboolean             manifest_only);
const char * const *glint_web_fetch_get_chip_families (GlintWebFetch    *self);
void           glint_web_fetch_set_cache_dir       (GlintWebFetch       *self,
                                                    const char          *dir);
void           glint_web_fetch_set_max_part_size   (GlintWebFetch       *self,
                                                    guint64              max_size);
void           glint_web_fetch_set_tls_database    (GlintWebFetch       *self,
                                                    GTlsDatabase        *database);

void           glint_web_fetch_run_async           (GlintWebFetch       *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
char          *glint_web_fetch_run_finish          (GlintWebFetch       *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

double         glint_web_fetch_get_progress        (GlintWebFetch       *self);
const char    *glint_web_fetch_get_status_text     (GlintWebFetch       *self);
const char    *glint_web_fetch_get_name            (GlintWebFetch       *self);
const char    *glint_web_fetch_get_version         (GlintWebFetch       *self);
gboolean       glint_web_fetch_get_prompt_erase    (GlintWebFetch       *self);
int            glint_web_fetch_get_improv_wait_time (GlintWebFetch      *self);
guint64        glint_web_fetch_get_bytes_downloaded (GlintWebFetch      *self);
guint          glint_web_fetch_get_n_requests      (GlintWebFetch       *self);
void           glint_web_fetch_rewrite_error       (GlintWebFetch       *self,
                                                    GError              *error);

G_END_DECLS
