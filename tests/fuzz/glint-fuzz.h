/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

/* Every fuzz target defines this (libFuzzer's entry point). In a normal
 * build, glint-fuzz-replay.c calls it for each file of a corpus, so crash
 * inputs kept under corpus/ stay regression tests of the ordinary suite. */
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

G_END_DECLS
