/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-types.h"
#include "glint-port-details.h"
#include "glint-usb-identity.h"

G_BEGIN_DECLS

#define GLINT_TYPE_PORT_MONITOR (glint_port_monitor_get_type ())

G_DECLARE_FINAL_TYPE (GlintPortMonitor, glint_port_monitor, GLINT, PORT_MONITOR, GObject)

GlintPortMonitor *glint_port_monitor_new                (void);
GPtrArray        *glint_port_monitor_get_ports          (GlintPortMonitor *self);
GPtrArray        *glint_port_monitor_get_missing        (GlintPortMonitor *self);
void              glint_port_monitor_refresh            (GlintPortMonitor *self);

GPtrArray        *glint_port_list                       (GError          **error);
GlintUsbIdentity *glint_port_lookup_usb_identity        (const char       *path);
char             *glint_port_find_usb_identity          (const GlintUsbIdentity *identity);
GlintUsbIdentity *glint_serial_port_info_get_usb_identity (const GlintSerialPortInfo *info);

/* For tests */
guint             _glint_port_monitor_get_n_enumerations (GlintPortMonitor *self);
gboolean          _glint_port_monitor_is_polling         (GlintPortMonitor *self);

G_END_DECLS
