/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-types.h"

G_BEGIN_DECLS

/**
 * GlintResetStrategy:
 * @GLINT_RESET_NONE: the chip is already waiting (or cannot be reset)
 * @GLINT_RESET_CLASSIC: into the bootloader, DTR/RTS one line at a time
 *   (portable, RFC 2217)
 * @GLINT_RESET_UNIX_TIGHT: into the bootloader, both lines in one ioctl
 *   (local POSIX ports)
 * @GLINT_RESET_USB_JTAG: into the bootloader through the on-chip
 *   USB-Serial/JTAG of C3/S3/C6/H2/...
 * @GLINT_RESET_HARD: pulse EN with IO0 released: the chip runs its app
 *
 * The sequences of protocol.md §3.3.
 */
typedef enum
{
  GLINT_RESET_NONE,
  GLINT_RESET_CLASSIC,
  GLINT_RESET_UNIX_TIGHT,
  GLINT_RESET_USB_JTAG,
  GLINT_RESET_HARD,
} GlintResetStrategy;

/* The wait after IO0 is let go in the sequences into the bootloader. */
#define GLINT_RESET_DEFAULT_DELAY_MS 50

const char *glint_reset_strategy_name (GlintResetStrategy    strategy);
void        glint_reset_async         (GlintStream          *stream,
                                       GlintResetStrategy    strategy,
                                       guint                 delay_ms,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
gboolean    glint_reset_finish        (GlintStream          *stream,
                                       GAsyncResult         *result,
                                       GError              **error);

G_END_DECLS
