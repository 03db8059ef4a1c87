/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-types.h"

G_BEGIN_DECLS

/**
 * GlintRfc2217ServerBackend:
 * @write: bytes from the client, for the serial side
 * @set_baud: the client asked for @baud; return the rate applied (0: keep
 *   and report the current rate)
 * @set_lines: set the lines in @mask to @values
 * @purge: discard buffered data; %GLINT_PURGE_INPUT is data the serial side
 *   produced and the client has not received yet (RFC 2217 "receive
 *   buffer"), %GLINT_PURGE_OUTPUT data from the client not yet sent to the
 *   serial side
 *
 * What an RFC 2217 server session drives. Every member may be %NULL.
 */
typedef struct
{
  void  (*write)     (gpointer      backend_data,
                      const guint8 *data,
                      gsize         len);
  guint (*set_baud)  (gpointer      backend_data,
                      guint         baud);
  void  (*set_lines) (gpointer      backend_data,
                      GlintLines    mask,
                      GlintLines    values);
  void  (*purge)     (gpointer      backend_data,
                      GlintPurge    what);
} GlintRfc2217ServerBackend;

#define GLINT_TYPE_RFC2217_SERVER (glint_rfc2217_server_get_type ())

G_DECLARE_FINAL_TYPE (GlintRfc2217Server, glint_rfc2217_server, GLINT, RFC2217_SERVER, GObject)

GlintRfc2217Server *glint_rfc2217_server_new       (GIOStream                       *connection,
                                                    const GlintRfc2217ServerBackend *backend,
                                                    gpointer                         backend_data);
void                glint_rfc2217_server_send      (GlintRfc2217Server              *self,
                                                    const guint8                    *data,
                                                    gsize                            len);
void                glint_rfc2217_server_close     (GlintRfc2217Server              *self);
guint               glint_rfc2217_server_get_baud  (GlintRfc2217Server              *self);
GlintLines          glint_rfc2217_server_get_lines (GlintRfc2217Server              *self);
gboolean            glint_rfc2217_server_get_ack_set_control (GlintRfc2217Server   *self);
void                glint_rfc2217_server_set_ack_set_control (GlintRfc2217Server   *self,
                                                              gboolean              ack);
gboolean            glint_rfc2217_server_get_ack_baud        (GlintRfc2217Server   *self);
void                glint_rfc2217_server_set_ack_baud        (GlintRfc2217Server   *self,
                                                              gboolean              ack);

G_END_DECLS
