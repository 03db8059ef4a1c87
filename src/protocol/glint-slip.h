/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "glint-types.h"

G_BEGIN_DECLS

#define GLINT_SLIP_END     0xC0
#define GLINT_SLIP_ESC     0xDB
#define GLINT_SLIP_ESC_END 0xDC
#define GLINT_SLIP_ESC_ESC 0xDD

/**
 * GlintSlipFrameFunc:
 * @frame: the decoded payload (without delimiters, unescaped)
 * @len: its length, never 0
 * @user_data: data given to glint_slip_decoder_feed()
 *
 * Called for each complete frame.
 */
typedef void (*GlintSlipFrameFunc) (const guint8 *frame,
                                    gsize         len,
                                    gpointer      user_data);

gsize             glint_slip_encode                   (const guint8     *data,
                                                       gsize             len,
                                                       GByteArray       *out);

GlintSlipDecoder *glint_slip_decoder_new              (gsize             max_frame);
void              glint_slip_decoder_free             (GlintSlipDecoder *self);
void              glint_slip_decoder_reset            (GlintSlipDecoder *self);
void              glint_slip_decoder_feed             (GlintSlipDecoder *self,
                                                       const guint8     *data,
                                                       gsize             len,
                                                       GlintSlipFrameFunc func,
                                                       gpointer          user_data);
gboolean          glint_slip_decoder_in_frame         (GlintSlipDecoder *self);
guint64           glint_slip_decoder_get_garbage      (GlintSlipDecoder *self);
guint64           glint_slip_decoder_get_bad_frames   (GlintSlipDecoder *self);
GBytes           *glint_slip_decoder_take_text        (GlintSlipDecoder *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GlintSlipDecoder, glint_slip_decoder_free)

G_END_DECLS
