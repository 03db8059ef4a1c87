/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-stream.h"

G_BEGIN_DECLS

#define GLINT_TYPE_SOCKET_STREAM (glint_socket_stream_get_type ())

G_DECLARE_FINAL_TYPE (GlintSocketStream, glint_socket_stream, GLINT, SOCKET_STREAM, GlintStream)

GlintStream        *glint_socket_stream_new            (const char        *host,
                                                        guint16            port);
GSocketConnection  *glint_socket_stream_get_connection (GlintSocketStream *self);

G_END_DECLS
