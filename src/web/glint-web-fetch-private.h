/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-web-fetch.h"

G_BEGIN_DECLS

void _glint_web_fetch_set_cache_limits (GlintWebFetch *self,
                                        gint64         max_unused,
                                        guint64        max_bytes);

G_END_DECLS
