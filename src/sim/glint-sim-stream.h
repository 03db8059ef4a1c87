/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-stream.h"
#include "glint-stream-address.h"

G_BEGIN_DECLS

#define GLINT_TYPE_SIM_STREAM (glint_sim_stream_get_type ())

G_DECLARE_FINAL_TYPE (GlintSimStream, glint_sim_stream, GLINT, SIM_STREAM, GlintStream)

GlintStream *glint_sim_stream_new              (GlintSim                  *sim);
GlintStream *glint_sim_stream_new_for_address  (const GlintStreamAddress  *address,
                                                GError                   **error);
GlintSim    *glint_sim_stream_get_sim          (GlintSimStream            *self);

void         glint_sim_stream_register         (void);

G_END_DECLS
