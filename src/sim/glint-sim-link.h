/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-types.h"

G_BEGIN_DECLS

#define GLINT_TYPE_SIM_LINK (glint_sim_link_get_type ())

G_DECLARE_FINAL_TYPE (GlintSimLink, glint_sim_link, GLINT, SIM_LINK, GObject)

typedef void (*GlintSimLinkInputHook) (GlintSimLink *link,
                                       gsize         len,
                                       gpointer      user_data);

GlintSimLink *glint_sim_link_new            (GlintSim              *sim,
                                             GIOStream             *stream);
void          glint_sim_link_set_input_hook (GlintSimLink          *self,
                                             GlintSimLinkInputHook  hook,
                                             gpointer               user_data);
GIOStream    *glint_sim_link_get_stream (GlintSimLink *self);
void          glint_sim_link_close      (GlintSimLink *self);

G_END_DECLS
