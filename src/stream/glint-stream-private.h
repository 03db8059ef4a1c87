/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-stream.h"

G_BEGIN_DECLS

/* For subclasses only. */
void _glint_stream_set_can_control_lines (GlintStream *self,
                                          gboolean     can_control_lines);
void _glint_stream_set_is_remote         (GlintStream *self,
                                          gboolean     is_remote);
void _glint_stream_set_can_set_baud     (GlintStream            *self,
                                         gboolean                can_set_baud);
void _glint_stream_set_baud_rates       (GlintStream            *self,
                                         const guint            *rates,
                                         guint                   n_rates);
void _glint_stream_set_usb_identity     (GlintStream            *self,
                                         const GlintUsbIdentity *identity);
/* Record the speed the device actually runs at (e.g. after open). */
void _glint_stream_set_baud              (GlintStream *self,
                                          guint        baud);

G_END_DECLS
