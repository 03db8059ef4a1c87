/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "glint-types.h"

G_BEGIN_DECLS

/**
 * GlintUsbIdentity:
 * @vid: USB vendor id
 * @pid: USB product id
 * @serial: (nullable): the USB serial number string
 * @by_path: (nullable): the port's name under `/dev/serial/by-path`, which
 *   stays the same for the same socket on the same hub
 *
 * The USB device behind a port: what finds the same board again after it
 * was unplugged, and what says which adapter carries the link.
 */
struct _GlintUsbIdentity
{
  guint16  vid;
  guint16  pid;
  char    *serial;
  char    *by_path;
};

#define GLINT_TYPE_USB_IDENTITY (glint_usb_identity_get_type ())

GType             glint_usb_identity_get_type   (void) G_GNUC_CONST;
GlintUsbIdentity *glint_usb_identity_new        (guint16                 vid,
                                                 guint16                 pid,
                                                 const char             *serial,
                                                 const char             *by_path);
GlintUsbIdentity *glint_usb_identity_copy       (const GlintUsbIdentity *self);
void              glint_usb_identity_free       (GlintUsbIdentity       *self);
gboolean          glint_usb_identity_equal      (const GlintUsbIdentity *a,
                                                 const GlintUsbIdentity *b);
char             *glint_usb_identity_to_string  (const GlintUsbIdentity *self);
gboolean          glint_usb_identity_is_native  (const GlintUsbIdentity *self);
const guint      *glint_usb_identity_baud_rates (const GlintUsbIdentity *self,
                                                 guint                  *n_rates);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GlintUsbIdentity, glint_usb_identity_free)

G_END_DECLS
