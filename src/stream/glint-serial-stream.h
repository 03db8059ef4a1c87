/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-stream.h"

G_BEGIN_DECLS

/**
 * GlintSerialPortInfo:
 * @path: device path, e.g. `/dev/ttyUSB0`
 * @description: libserialport's description of the port
 * @friendly_name: a name for people, e.g. "CP2102 USB to UART" or
 *   "ESP32-S3 USB-JTAG/Serial"; never %NULL
 * @is_usb: whether @vid, @pid and the USB strings are meaningful
 * @vid: USB vendor id
 * @pid: USB product id
 * @manufacturer: (nullable): USB manufacturer string
 * @product: (nullable): USB product string
 * @serial: (nullable): USB serial number string
 * @by_path: (nullable): the port's name in `/dev/serial/by-path` (filled
 *   by glint_port_list(), not by glint_serial_port_enumerate())
 * @holder: (nullable): the program that has the port open ("minicom"),
 *   filled by glint_port_list()
 * @holder_pid: its process id
 * @group: (nullable): the group of the device node ("dialout", "uucp")
 * @denied: whether this user may not open the port
 */
struct _GlintSerialPortInfo
{
  char     *path;
  char     *description;
  char     *friendly_name;
  gboolean  is_usb;
  guint16   vid;
  guint16   pid;
  char     *manufacturer;
  char     *product;
  char     *serial;
  char     *by_path;
  char     *holder;
  guint     holder_pid;
  char     *group;
  gboolean  denied;
};

#define GLINT_TYPE_SERIAL_STREAM (glint_serial_stream_get_type ())

G_DECLARE_FINAL_TYPE (GlintSerialStream, glint_serial_stream, GLINT, SERIAL_STREAM, GlintStream)

GlintStream *glint_serial_stream_new             (const char                *path);
const char  *glint_serial_stream_get_path        (GlintSerialStream         *self);

GPtrArray   *glint_serial_port_enumerate         (GError                   **error);
GlintSerialPortInfo *
            glint_serial_port_info_new_for_path (const char                *path);
const char  *glint_serial_port_lookup_usb_name   (guint16                    vid,
                                                  guint16                    pid);
void         glint_serial_port_info_free         (GlintSerialPortInfo       *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GlintSerialPortInfo, glint_serial_port_info_free)

G_END_DECLS
