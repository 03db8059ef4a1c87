/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-types.h"
#include "glint-usb-identity.h"

G_BEGIN_DECLS

/**
 * GlintNetworkBoard:
 * @name: the service name ser2net announces (its `mdns-name`)
 * @host: the host name the service is on, such as `lab.local`
 * @address: the host's address the service resolved to
 * @port: the TCP port
 * @url: the address to open: `rfc2217://` where the announced gensio stack
 *   says RFC 2217, `socket://` otherwise
 * @adapter: (nullable): the USB adapter in front of the board, as the
 *   announcement names it (manufacturer and product)
 * @usb: (nullable): its vendor and product id and serial number
 *
 * A board a serial server announces over mDNS (`_iostream._tcp`).
 */
typedef struct
{
  char             *name;
  char             *host;
  char             *address;
  guint16           port;
  char             *url;
  char             *adapter;
  GlintUsbIdentity *usb;
} GlintNetworkBoard;

#define GLINT_TYPE_NETWORK_BOARD (glint_network_board_get_type ())

GType              glint_network_board_get_type (void) G_GNUC_CONST;
GlintNetworkBoard *glint_network_board_copy     (const GlintNetworkBoard *self);
void               glint_network_board_free     (GlintNetworkBoard       *self);
gboolean           glint_network_board_equal    (const GlintNetworkBoard *a,
                                                 const GlintNetworkBoard *b);
char              *glint_network_board_describe (const GlintNetworkBoard *self);
GlintNetworkBoard *glint_network_board_new_from_txt (const char  *name,
                                                     const char  *host,
                                                     const char  *address,
                                                     guint16      port,
                                                     const char *const *txt);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GlintNetworkBoard, glint_network_board_free)

#define GLINT_TYPE_NETWORK_BROWSER (glint_network_browser_get_type ())

G_DECLARE_FINAL_TYPE (GlintNetworkBrowser, glint_network_browser, GLINT, NETWORK_BROWSER, GObject)

GlintNetworkBrowser *glint_network_browser_new             (void);
GPtrArray           *glint_network_browser_get_boards      (GlintNetworkBrowser *self);
const char          *glint_network_browser_get_unavailable (GlintNetworkBrowser *self);
gboolean             glint_network_browser_get_settled     (GlintNetworkBrowser *self);

G_END_DECLS
