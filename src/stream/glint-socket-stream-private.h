/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-types.h"

G_BEGIN_DECLS

/* Connects to host:port the way every network stream of Glint does
 * (IPv4/IPv6/names, TCP_NODELAY, keep-alive) and maps failures to
 * GLINT_ERROR codes with the cause named. Shared by the socket:// and
 * rfc2217:// streams. */
void               _glint_socket_connect_async  (const char           *host,
                                                 guint16               port,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
GSocketConnection *_glint_socket_connect_finish (GAsyncResult         *result,
                                                 GError              **error);

G_END_DECLS
