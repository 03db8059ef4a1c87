/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-network-browser.h"

G_BEGIN_DECLS

GlintNetworkBrowser *_glint_network_browser_new_with_bound (guint bound_ms);

G_END_DECLS
