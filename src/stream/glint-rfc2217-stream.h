/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-stream.h"

G_BEGIN_DECLS

#define GLINT_TYPE_RFC2217_STREAM (glint_rfc2217_stream_get_type ())

G_DECLARE_FINAL_TYPE (GlintRfc2217Stream, glint_rfc2217_stream, GLINT, RFC2217_STREAM, GlintStream)

GlintStream *glint_rfc2217_stream_new_for_address (const GlintStreamAddress  *address,
                                                   GError                   **error);

guint        glint_rfc2217_stream_get_modem_state (GlintRfc2217Stream        *self);

G_END_DECLS
