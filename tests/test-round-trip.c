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

typedef void (*RoundTrip) (const guint8 *data,
                           gsize         len,
                           guint32       seed);

typedef struct
{
  RoundTrip    round_trip;
  guint32      seed;
  guint8       escapes[3][4];   /* must come out as one byte each, however cut */
} Case;

static const Case slip = {
  glint_round_trip_slip, 20261206,
  {
    { GLINT_SLIP_ESC, 0x01, 0x02, 0x03 },
    { GLINT_SLIP_END, GLINT_SLIP_ESC, GLINT_SLIP_ESC_END, GLINT_SLIP_ESC_ESC },
    { 0x01, GLINT_SLIP_ESC_ESC, GLINT_SLIP_ESC, GLINT_SLIP_END },
  },
};

static const Case telnet = {
  glint_round_trip_telnet, 20261207,
  {
    { GLINT_TELNET_IAC, 0x41, 0x42, 0x43 },
    { GLINT_TELNET_IAC, GLINT_TELNET_IAC, GLINT_TELNET_SE, 0x00 },
    { 0x41, GLINT_TELNET_IAC, GLINT_TELNET_SB, GLINT_TELNET_IAC },
  },
};

/* Every seed cuts the escape sequences differently, also in the middle. */
static void
test_escapes (gconstpointer data)
{
  const Case *c = data;

  for (guint i = 0; i < G_N_ELEMENTS (c->escapes); i++)
    for (guint32 seed = 0; seed < 32; seed++)
      c->round_trip (c->escapes[i], sizeof c->escapes[i], seed);
}

static void
test_random (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GRand) rand = g_rand_new_with_seed (c->seed);

  for (guint i = 0; i < N_INPUTS; i++)
    {
      g_autoptr(GBytes) bytes = tricky_bytes (rand);
      gsize len;
      const guint8 *p = g_bytes_get_data (bytes, &len);

      c->round_trip (p, len, g_rand_int (rand));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/glint/round-trip/slip/escapes", &slip, test_escapes);
  g_test_add_data_func ("/glint/round-trip/slip/random", &slip, test_random);
  g_test_add_data_func ("/glint/round-trip/telnet/escapes", &telnet, test_escapes);
  g_test_add_data_func ("/glint/round-trip/telnet/random", &telnet, test_random);

  return g_test_run ();
}
