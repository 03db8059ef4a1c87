/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-error.h"
#include "glint-sim-stream.h"

/* placeholder: being written */
GlintStream *
glint_sim_stream_new_for_address (const GlintStreamAddress  *address,
                                      GError                   **error)
{
  g_set_error (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED, "sim is not implemented yet");
  return NULL;
}
