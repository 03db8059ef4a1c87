/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-flash-plan.h"

G_BEGIN_DECLS

gboolean glint_cli_check_plan         (GlintFlashPlan  *plan,
                                       const char      *chip,
                                       GError         **error);
gboolean glint_cli_check_erase_region (guint32          offset,
                                       guint32          length,
                                       GError         **error);
gboolean glint_cli_check_output_file  (const char      *path,
                                       GError         **error);
gboolean glint_cli_check_read         (guint32          offset,
                                       guint32          length,
                                       const char      *path,
                                       GError         **error);

G_END_DECLS
