/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Espressif's USB vendor id: its chips' own USB (USB-JTAG/Serial, USB-OTG). */
#define GLINT_USB_VID_ESPRESSIF 0x303A

typedef struct _GlintStream        GlintStream;
typedef struct _GlintSerialStream  GlintSerialStream;
typedef struct _GlintSocketStream  GlintSocketStream;
typedef struct _GlintRfc2217Stream GlintRfc2217Stream;
typedef struct _GlintStreamAddress GlintStreamAddress;
typedef struct _GlintSerialPortInfo GlintSerialPortInfo;
typedef struct _GlintUsbIdentity   GlintUsbIdentity;
typedef struct _GlintFlashOptions  GlintFlashOptions;
typedef struct _GlintSlipDecoder   GlintSlipDecoder;
typedef struct _GlintImprovDecoder GlintImprovDecoder;
typedef struct _GlintSim           GlintSim;
typedef struct _GlintLinkTiming    GlintLinkTiming;

/**
 * GlintLines:
 * @GLINT_LINE_DTR: Data Terminal Ready (drives IO0/BOOT on the usual auto-reset circuit)
 * @GLINT_LINE_RTS: Request To Send (drives EN/reset on the usual auto-reset circuit)
 *
 * Modem control lines a #GlintStream can set. "Set" means asserted (logic true),
 * as pyserial and esptool use the words.
 */
typedef enum
{
  GLINT_LINE_NONE = 0,
  GLINT_LINE_DTR  = 1 << 0,
  GLINT_LINE_RTS  = 1 << 1,
} GlintLines;

/**
 * GlintPurge:
 * @GLINT_PURGE_INPUT: discard bytes received but not yet read
 * @GLINT_PURGE_OUTPUT: discard bytes written but not yet sent
 */
typedef enum
{
  GLINT_PURGE_INPUT  = 1 << 0,
  GLINT_PURGE_OUTPUT = 1 << 1,
  GLINT_PURGE_BOTH   = GLINT_PURGE_INPUT | GLINT_PURGE_OUTPUT,
} GlintPurge;

/**
 * GlintStreamKind:
 *
 * @GLINT_STREAM_KIND_REGISTERED: a scheme registered from above with
 *   glint_stream_address_register_scheme() (the simulator's sim://)
 *
 * What a #GlintStreamAddress points at.
 */
typedef enum
{
  GLINT_STREAM_KIND_SERIAL,
  GLINT_STREAM_KIND_SOCKET,
  GLINT_STREAM_KIND_RFC2217,
  GLINT_STREAM_KIND_REGISTERED,
} GlintStreamKind;

G_END_DECLS
