/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-types.h"

G_BEGIN_DECLS

/**
 * GlintStreamAddress:
 * @kind: what the address points at
 * @path: serial: the device path (`/dev/ttyUSB0`); sim: the chip name, or %NULL
 *   for the default chip
 * @host: socket and rfc2217: the host name or literal address, without brackets
 * @port: socket and rfc2217: the TCP port
 * @options: URL query options, key to value; a bare flag (`?ign_set_control`)
 *   maps to the empty string. Never %NULL.
 *
 * A parsed, validated port name or URL as a user types it:
 * `/dev/ttyUSB0`, `ttyACM0`, `socket://host:port`,
 * `rfc2217://host:port[?ign_set_control][&timeout=S]`, `sim://[chip][?options]`.
 */
struct _GlintStreamAddress
{
  GlintStreamKind  kind;
  char            *path;
  char            *host;
  guint16          port;
  GHashTable      *options;
};

#define GLINT_TYPE_STREAM_ADDRESS (glint_stream_address_get_type ())

GType               glint_stream_address_get_type   (void) G_GNUC_CONST;
GlintStreamAddress *glint_stream_address_parse      (const char                *text,
                                                     GError                   **error);
GlintStreamAddress *glint_stream_address_copy       (const GlintStreamAddress  *self);
void                glint_stream_address_free       (GlintStreamAddress        *self);
char               *glint_stream_address_to_string  (const GlintStreamAddress  *self);
const char         *glint_stream_address_get_option (const GlintStreamAddress  *self,
                                                     const char                *key);
GlintStream        *glint_stream_new_for_address    (const char                *text,
                                                     GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GlintStreamAddress, glint_stream_address_free)

G_END_DECLS
