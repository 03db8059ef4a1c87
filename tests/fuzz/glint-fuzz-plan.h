/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

/* Writes data as @file_name into a private folder (with a few small .bin
 * files next to it that plans may name) and parses it as a flash plan
 * with every chip, validating what parses. */
void glint_fuzz_plan (const char    *file_name,
                      const uint8_t *data,
                      size_t         size);

G_END_DECLS
