/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Decoders checked against their encoders: @data is encoded (as SLIP
 * frames, or as telnet data with negotiations and subnegotiations between
 * its pieces), the encoding is cut at points drawn from @seed, and the
 * pieces fed to a decoder one by one must give back exactly @data and
 * nothing else.  Both fail the test (g_assert) on any difference. */
void    glint_round_trip_slip    (const guint8 *data,
                                  gsize         len,
                                  guint32       seed);
void    glint_round_trip_telnet  (const guint8 *data,
                                  gsize         len,
                                  guint32       seed);

/* A seed from the bytes themselves (FNV-1a), for fuzz inputs. */
guint32 glint_round_trip_seed    (const guint8 *data,
                                  gsize         len);

G_END_DECLS
