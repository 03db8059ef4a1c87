/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-fuzz-roundtrip.h"
#include "glint-slip.h"
#include "glint-telnet.h"

/* The fuzzers' decoder round trips (tests/fuzz/glint-fuzz-roundtrip.c), run
 * deterministically: inputs rich in the bytes the encodings escape, cut
 * at seeded points, must decode back to themselves. */

#define N_INPUTS 400

/* Bytes mostly from the escape alphabet of both encodings. */
static GBytes *
tricky_bytes (GRand *rand)
{
  static const guint8 special[] = {
    GLINT_SLIP_END, GLINT_SLIP_ESC, GLINT_SLIP_ESC_END, GLINT_SLIP_ESC_ESC,
    GLINT_TELNET_IAC, GLINT_TELNET_SE, GLINT_TELNET_SB, GLINT_TELNET_WILL, GLINT_TELNET_DO,
    0x00, 0x41,
  };
  gsize len = g_rand_int_range (rand, 1, 300);
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = g_rand_boolean (rand) ?
              special[g_rand_int_range (rand, 0, G_N_ELEMENTS (special))] :
              (guint8) g_rand_int (rand);

  return g_bytes_new_take (data, len);
}

/* Escape sequences that must come out as one byte each, also when cut in
 * the middle (every seed cuts differently). */
static void
test_slip_escapes (void)
{
  static const guint8 inputs[][4] = {
    { GLINT_SLIP_ESC, 0x01, 0x02, 0x03 },
    { GLINT_SLIP_END, GLINT_SLIP_ESC, GLINT_SLIP_ESC_END, GLINT_SLIP_ESC_ESC },
    { 0x01, GLINT_SLIP_ESC_ESC, GLINT_SLIP_ESC, GLINT_SLIP_END },
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    for (guint32 seed = 0; seed < 32; seed++)
      glint_round_trip_slip (inputs[i], sizeof inputs[i], seed);
}

static void
test_slip_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261206);

  for (guint i = 0; i < N_INPUTS; i++)
    {
      g_autoptr(GBytes) data = tricky_bytes (rand);
      gsize len;
      const guint8 *bytes = g_bytes_get_data (data, &len);

      glint_round_trip_slip (bytes, len, g_rand_int (rand));
    }
}

static void
test_telnet_escapes (void)
{
  static const guint8 inputs[][4] = {
    { GLINT_TELNET_IAC, 0x41, 0x42, 0x43 },
    { GLINT_TELNET_IAC, GLINT_TELNET_IAC, GLINT_TELNET_SE, 0x00 },
    { 0x41, GLINT_TELNET_IAC, GLINT_TELNET_SB, GLINT_TELNET_IAC },
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    for (guint32 seed = 0; seed < 32; seed++)
      glint_round_trip_telnet (inputs[i], sizeof inputs[i], seed);
}

static void
test_telnet_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261207);

  for (guint i = 0; i < N_INPUTS; i++)
    {
      g_autoptr(GBytes) data = tricky_bytes (rand);
      gsize len;
      const guint8 *bytes = g_bytes_get_data (data, &len);

      glint_round_trip_telnet (bytes, len, g_rand_int (rand));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/glint/round-trip/slip/escapes", test_slip_escapes);
  g_test_add_func ("/glint/round-trip/slip/random", test_slip_random);
  g_test_add_func ("/glint/round-trip/telnet/escapes", test_telnet_escapes);
  g_test_add_func ("/glint/round-trip/telnet/random", test_telnet_random);

  return g_test_run ();
}
