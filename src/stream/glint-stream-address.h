/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-types.h"

G_BEGIN_DECLS

/**
 * GlintStreamAddress:
 * @kind: what the address points at
 * @scheme: a registered scheme ("sim"), %NULL for the built-in kinds
 * @path: serial: the device path (`/dev/ttyUSB0`); a registered scheme: the
 *   name after "://" (sim: the chip name), or %NULL for none
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
  char            *scheme;
  char            *path;
  char            *host;
  guint16          port;
  GHashTable      *options;
};

/**
 * GlintStreamAddressFactory:
 * @address: a parsed address of the registered scheme
 * @user_data: what was registered with the factory
 * @error: where to say what is wrong with @address
 *
 * Returns: (transfer full): an unopened stream, or %NULL with
 *   %GLINT_ERROR_INVALID_ADDRESS set
 */
typedef GlintStream *(*GlintStreamAddressFactory) (const GlintStreamAddress  *address,
                                                   gpointer                   user_data,
                                                   GError                   **error);

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

void                glint_stream_address_register_scheme (const char                *scheme,
                                                          GlintStreamAddressFactory  factory,
                                                          gpointer                   user_data,
                                                          const char                *name_hint);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GlintStreamAddress, glint_stream_address_free)

G_END_DECLS
