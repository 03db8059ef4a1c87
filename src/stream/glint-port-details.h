/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "glint-types.h"

G_BEGIN_DECLS

/**
 * GlintMissingPort:
 * @vid: USB vendor id
 * @pid: USB product id
 * @name: the bridge's name ("CH340")
 * @product: (nullable): the USB product string
 * @serial: (nullable): the USB serial number string
 * @usb_path: the device's name under `/sys/bus/usb/devices` ("1-2")
 * @driver: the kernel driver that would make its tty ("ch341")
 * @claimed_by: (nullable): the program holding the device instead
 *   ("brltty"), or %NULL where none was found
 * @claimed_pid: that program's process id
 *
 * A USB-serial bridge that is plugged in but has no serial port: what
 * happens to CH340 and CP210x adapters when brltty (a braille display
 * driver) claims them, or when their driver is missing.
 */
typedef struct
{
  guint16  vid;
  guint16  pid;
  char    *name;
  char    *product;
  char    *serial;
  char    *usb_path;
  char    *driver;
  char    *claimed_by;
  guint    claimed_pid;
} GlintMissingPort;

void        glint_missing_port_free        (GlintMissingPort          *port);
char       *glint_missing_port_describe    (const GlintMissingPort    *port);
char       *glint_missing_port_fix         (const GlintMissingPort    *port);

GPtrArray  *glint_port_list_missing        (void);
gboolean    glint_port_is_placeholder      (const char                *path);
char       *glint_port_holder              (const char                *path,
                                            guint                     *pid);
char       *glint_port_group               (const char                *path);
char       *glint_port_permission_command  (const char                *path);
void        glint_port_details_fill        (GlintSerialPortInfo       *info);
char       *glint_port_describe_adapter    (const GlintSerialPortInfo *info);
char       *glint_port_describe_state      (const GlintSerialPortInfo *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GlintMissingPort, glint_missing_port_free)

G_END_DECLS
