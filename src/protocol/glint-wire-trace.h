/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * GlintWireDirection:
 * @GLINT_WIRE_OUT: a frame the host sends
 * @GLINT_WIRE_IN: a frame the host received
 */
typedef enum
{
  GLINT_WIRE_OUT,
  GLINT_WIRE_IN,
} GlintWireDirection;

gboolean glint_wire_trace_enabled (void);
void     glint_wire_trace_frame   (GlintWireDirection  direction,
                                   const guint8       *frame,
                                   gsize               len);

G_END_DECLS
