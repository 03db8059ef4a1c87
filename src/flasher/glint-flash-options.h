/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "glint-flash-record.h"
#include "glint-types.h"

G_BEGIN_DECLS

/**
 * GlintFlashOptions:
 * @baud: the transfer rate: %GLINT_FLASHER_BAUD_AUTO (the default: the
 *   fastest the link carries), a rate, or 0 for the boot rate
 * @use_stub: load a flasher stub where one is found (default %TRUE)
 * @verify: check every region's MD5 at the end (default %TRUE)
 * @reboot: hard reset into the app when done (default %TRUE)
 * @no_reset: do not touch DTR/RTS before: the board is in download mode
 * @usb_reset: the board is on the chip's own USB-Serial/JTAG, which has
 *   its own reset into the bootloader (taken anyway where the port says it
 *   is one, USB id 303a:1001, unless @classic_reset)
 * @classic_reset: the DTR/RTS reset of a USB-serial bridge, even where the
 *   port is the chip's own USB-Serial/JTAG
 * @skip_unchanged: write only what differs from the flash (default %TRUE)
 * @erase_all: erase the whole flash first
 * @timeout_scale: multiplies every link allowance (default 1.0)
 * @backup_path: (nullable): read what the regions held into this file first
 * @record: (nullable): what was last verified on each board, to find
 *   changes without asking the chip (kept by the flash job)
 * @rates: (nullable): where the rate the automatic baud settled on is
 *   remembered per port or URL (glint_flash_record_lookup_baud()); usually
 *   the same object as @record, but a board whose contents must not be
 *   trusted (the Demo board) can still have its link's rate remembered
 *
 * What a job is asked to do, filled by the window and the CLI alike and
 * given to the flasher in one call (glint_flasher_set_options()). The flash
 * mode, frequency and size belong to the #GlintFlashPlan.
 */
struct _GlintFlashOptions
{
  guint             baud;
  gboolean          use_stub;
  gboolean          verify;
  gboolean          reboot;
  gboolean          no_reset;
  gboolean          usb_reset;
  gboolean          classic_reset;
  gboolean          skip_unchanged;
  gboolean          erase_all;
  gdouble           timeout_scale;
  char             *backup_path;
  GlintFlashRecord *record;
  GlintFlashRecord *rates;
};

#define GLINT_TYPE_FLASH_OPTIONS (glint_flash_options_get_type ())

GType              glint_flash_options_get_type (void) G_GNUC_CONST;
GlintFlashOptions *glint_flash_options_new      (void);
GlintFlashOptions *glint_flash_options_copy     (const GlintFlashOptions *self);
void               glint_flash_options_free     (GlintFlashOptions       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GlintFlashOptions, glint_flash_options_free)

G_END_DECLS
