/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-flash-options.h"
#include "glint-flash-plan.h"

G_BEGIN_DECLS

/* How a job on several boards ended, worst first wins: any board failed
 * (or could not be opened), else any written but not verified, else all
 * verified; cancelled when Ctrl+C stopped it; refused (no board started)
 * when the results log cannot be kept. */
typedef enum
{
  GLINT_CLI_BOARDS_VERIFIED,
  GLINT_CLI_BOARDS_NOT_VERIFIED,
  GLINT_CLI_BOARDS_FAILED,
  GLINT_CLI_BOARDS_CANCELLED,
  GLINT_CLI_BOARDS_REFUSED,
} GlintCliBoards;

char          **glint_cli_expand_ports  (const char * const      *ports,
                                         GError                 **error);
GlintCliBoards  glint_cli_flash_boards  (GlintFlashPlan          *plan,
                                         const GlintFlashOptions *options,
                                         const char * const      *ports,
                                         gboolean                 json,
                                         const char              *results_log,
                                         GCancellable            *cancellable,
                                         GError                 **error);

G_END_DECLS
