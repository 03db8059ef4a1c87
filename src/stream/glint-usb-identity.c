/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-usb-identity.h"

G_DEFINE_BOXED_TYPE (GlintUsbIdentity, glint_usb_identity,
                     glint_usb_identity_copy, glint_usb_identity_free)

/**
 * glint_usb_identity_new:
 * @serial: (nullable): the serial number string (an empty one is none)
 * @by_path: (nullable): the `/dev/serial/by-path` name
 *
 * Returns: (transfer full): a new identity
 */
GlintUsbIdentity *
glint_usb_identity_new (guint16     vid,
                        guint16     pid,
                        const char *serial,
                        const char *by_path)
{
  GlintUsbIdentity *self = g_new0 (GlintUsbIdentity, 1);

  self->vid = vid;
  self->pid = pid;
  self->serial = (serial != NULL && *serial != '\0') ? g_strdup (serial) : NULL;
  self->by_path = (by_path != NULL && *by_path != '\0') ? g_strdup (by_path) : NULL;

  return self;
}

GlintUsbIdentity *
glint_usb_identity_copy (const GlintUsbIdentity *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return glint_usb_identity_new (self->vid, self->pid, self->serial, self->by_path);
}

void
glint_usb_identity_free (GlintUsbIdentity *self)
{
  if (self == NULL)
    return;

  g_free (self->serial);
  g_free (self->by_path);
  g_free (self);
}

/**
 * glint_usb_identity_equal:
 *
 * Returns: whether @a and @b name the same device the same way (both
 *   %NULL counts as equal)
 */
gboolean
glint_usb_identity_equal (const GlintUsbIdentity *a,
                          const GlintUsbIdentity *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return a->vid == b->vid && a->pid == b->pid && g_strcmp0 (a->serial, b->serial) == 0 &&
         g_strcmp0 (a->by_path, b->by_path) == 0;
}

/**
 * glint_usb_identity_to_string:
 *
 * Returns: (transfer full): `vid:pid`, then the serial number and the
 *   by-path name where known, e.g. `10c4:ea60 0001 pci-0000:00:14.0-usb-0:2:1.0-port0`
 */
char *
glint_usb_identity_to_string (const GlintUsbIdentity *self)
{
  GString *s;

  g_return_val_if_fail (self != NULL, NULL);

  s = g_string_new (NULL);
  g_string_printf (s, "%04x:%04x", self->vid, self->pid);
  if (self->serial != NULL)
    g_string_append_printf (s, " %s", self->serial);
  if (self->by_path != NULL)
    g_string_append_printf (s, " %s", self->by_path);

  return g_string_free (s, FALSE);
}

/**
 * glint_usb_identity_is_native:
 *
 * Returns: whether the port is the chip's own USB (USB-Serial/JTAG or the
 *   ROM's USB-OTG CDC), where the baud rate means nothing
 */
gboolean
glint_usb_identity_is_native (const GlintUsbIdentity *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  /* Espressif's vendor id: USB-Serial/JTAG, the ROM's USB-OTG CDC */
  return self->vid == GLINT_USB_VID_ESPRESSIF;
}

/**
 * glint_usb_identity_baud_rates:
 * @n_rates: (out): how many rates
 *
 * The rates above the boot rate worth trying on the USB-serial bridge, by
 * vendor, ascending: FTDI's bridges carry 2 Mbaud, the others found on ESP
 * boards (Silicon Labs CP210x, WCH CH34x, ...) 921600. None for the
 * chip's own USB.
 *
 * Returns: (array length=n_rates): the rates
 */
const guint *
glint_usb_identity_baud_rates (const GlintUsbIdentity *self,
                               guint                  *n_rates)
{
  static const guint bridge[] = { 460800, 921600 };
  static const guint ftdi[] = { 460800, 921600, 1500000, 2000000 };

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_rates != NULL, NULL);

  if (glint_usb_identity_is_native (self))
    {
      *n_rates = 0;
      return NULL;
    }
  if (self->vid == 0x0403)
    {
      *n_rates = G_N_ELEMENTS (ftdi);
      return ftdi;
    }

  *n_rates = G_N_ELEMENTS (bridge);
  return bridge;
}
