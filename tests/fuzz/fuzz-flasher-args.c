/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-fuzz.h"
#include "glint-fuzz-plan.h"

/* flasher_args.json as a flash plan: parse, then validate with several chips. */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  glint_fuzz_plan ("flasher_args.json", data, size);
  return 0;
}
