/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

JsonBuilder *glint_cli_json_event       (const char   *event,
                                         const char   *port);
void         glint_cli_json_emit        (JsonBuilder  *builder);
void         glint_cli_json_error       (const GError *error,
                                         const char   *port,
                                         const char   *hint);
void         glint_cli_json_add_message (JsonBuilder  *builder,
                                         const GError *error,
                                         const char   *hint);

G_END_DECLS
