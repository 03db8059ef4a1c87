/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-error.h"
#include "glint-rfc2217-stream.h"

/* placeholder: being written */
GlintStream *
glint_rfc2217_stream_new_for_address (const GlintStreamAddress  *address,
                                      GError                   **error)
{
  g_set_error (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED, "rfc2217 is not implemented yet");
  return NULL;
}
