/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-loader.h"

G_BEGIN_DECLS

/* Stub work a data block left for the next command's wait (protocol.md §9),
 * kept by the loader between glint-loader-commands.c's calls. */
gint64   _glint_loader_take_owed   (GlintLoader *self);
void     _glint_loader_set_owed    (GlintLoader *self,
                                    gint64       owed_us);

G_END_DECLS
