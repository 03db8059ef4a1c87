/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-types.h"

G_BEGIN_DECLS

/* How long a board has to answer Improv Serial after it started its app:
 * as ESP Web Tools' default new_install_improv_wait_time (§13). */
#define GLINT_IMPROV_PROBE_TIMEOUT_MS      10000
#define GLINT_IMPROV_SCAN_TIMEOUT_MS       15000
#define GLINT_IMPROV_PROVISION_TIMEOUT_MS  30000

/**
 * GlintImprovNetwork:
 * @ssid: the network's name
 * @rssi: its signal as the board sees it, in dBm (0 when not given)
 * @secured: whether it needs a password
 *
 * One network of the board's own scan.
 */
typedef struct
{
  char     *ssid;
  gint      rssi;
  gboolean  secured;
} GlintImprovNetwork;

void glint_improv_network_free (GlintImprovNetwork *network);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GlintImprovNetwork, glint_improv_network_free)

#define GLINT_TYPE_IMPROV_CLIENT (glint_improv_client_get_type ())
G_DECLARE_FINAL_TYPE (GlintImprovClient, glint_improv_client, GLINT, IMPROV_CLIENT, GObject)

GlintImprovClient *glint_improv_client_new              (GlintStream        *stream);
GlintStream       *glint_improv_client_get_stream       (GlintImprovClient  *self);
void               glint_improv_client_stop             (GlintImprovClient  *self);

void               glint_improv_client_probe_async      (GlintImprovClient  *self,
                                                         guint               timeout_ms,
                                                         GCancellable       *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer            user_data);
gboolean           glint_improv_client_probe_finish     (GlintImprovClient  *self,
                                                         GAsyncResult       *result,
                                                         GError            **error);

const char * const *glint_improv_client_get_device_info (GlintImprovClient  *self);
guint8             glint_improv_client_get_state        (GlintImprovClient  *self);
const char        *glint_improv_client_get_url          (GlintImprovClient  *self);

void               glint_improv_client_scan_async       (GlintImprovClient  *self,
                                                         guint               timeout_ms,
                                                         GCancellable       *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer            user_data);
GPtrArray         *glint_improv_client_scan_finish      (GlintImprovClient  *self,
                                                         GAsyncResult       *result,
                                                         GError            **error);

void               glint_improv_client_provision_async  (GlintImprovClient  *self,
                                                         const char         *ssid,
                                                         const char         *password,
                                                         guint               timeout_ms,
                                                         GCancellable       *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer            user_data);
char              *glint_improv_client_provision_finish (GlintImprovClient  *self,
                                                         GAsyncResult       *result,
                                                         GError            **error);

G_END_DECLS
