/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-test-utils.h"

#include "glint-link-timing.h"

#define MS 1000
#define S  G_USEC_PER_SEC

/* opcodes, protocol.md §2 */
#define OP_FLASH_BEGIN      0x02
#define OP_FLASH_DATA       0x03
#define OP_SYNC             0x08
#define OP_READ_REG         0x0A
#define OP_FLASH_DEFL_BEGIN 0x10
#define OP_FLASH_DEFL_DATA  0x11
#define OP_SPI_FLASH_MD5    0x13
#define OP_ERASE_FLASH      0xD0
#define OP_ERASE_REGION     0xD1

static void
test_rfc6298 (void)
{
  g_autoptr(GlintLinkTiming) t = glint_link_timing_new (FALSE);

  g_assert_cmpuint (glint_link_timing_get_n_samples (t), ==, 0);

  /* first sample R: SRTT = R, RTTVAR = R/2 */
  glint_link_timing_add_sample (t, 100 * MS);
  g_assert_cmpint (glint_link_timing_get_srtt (t), ==, 100000);
  g_assert_cmpint (glint_link_timing_get_rttvar (t), ==, 50000);

  /* RTTVAR = 3/4·50000 + 1/4·|100000 − 200000| = 62500
   * SRTT = 7/8·100000 + 1/8·200000 = 112500 */
  glint_link_timing_add_sample (t, 200 * MS);
  g_assert_cmpint (glint_link_timing_get_rttvar (t), ==, 62500);
  g_assert_cmpint (glint_link_timing_get_srtt (t), ==, 112500);

  /* RTTVAR = 3/4·62500 + 1/4·|112500 − 50000| = 62500
   * SRTT = 7/8·112500 + 1/8·50000 = 104687.5 */
  glint_link_timing_add_sample (t, 50 * MS);
  g_assert_cmpint (glint_link_timing_get_rttvar (t), ==, 62500);
  g_assert_cmpint (glint_link_timing_get_srtt (t), ==, 104688);
  g_assert_cmpuint (glint_link_timing_get_n_samples (t), ==, 3);

  /* 104687.5 + max (50 ms, 4 · 62500) */
  g_assert_cmpint (glint_link_timing_get_allowance (t), ==, 354688);
}

static void
test_negative_sample (void)
{
  g_autoptr(GlintLinkTiming) t = glint_link_timing_new (FALSE);

  glint_link_timing_add_sample (t, -5000);
  g_assert_cmpint (glint_link_timing_get_srtt (t), ==, 0);
  g_assert_cmpint (glint_link_timing_get_rttvar (t), ==, 0);
  g_assert_cmpuint (glint_link_timing_get_n_samples (t), ==, 1);
  /* 0 + max (50 ms, 0) is under the 100 ms local floor */
  g_assert_cmpint (glint_link_timing_get_allowance (t), ==, 100 * MS);
}

static void
test_initial_allowance (void)
{
  g_autoptr(GlintLinkTiming) local = glint_link_timing_new (FALSE);
  g_autoptr(GlintLinkTiming) remote = glint_link_timing_new (TRUE);

  g_assert_false (glint_link_timing_is_remote (local));
  g_assert_true (glint_link_timing_is_remote (remote));
  g_assert_cmpint (glint_link_timing_get_allowance (local), ==, 1 * S);
  g_assert_cmpint (glint_link_timing_get_allowance (remote), ==, 3 * S);
  g_assert_cmpint (glint_link_timing_get_floor (local), ==, 100 * MS);
  g_assert_cmpint (glint_link_timing_get_floor (remote), ==, 500 * MS);
  g_assert_cmpint (glint_link_timing_get_ceiling (local), ==, 30 * S);
  g_assert_cmpint (glint_link_timing_get_ceiling (remote), ==, 30 * S);

  /* the scale applies before the first sample too */
  glint_link_timing_set_scale (remote, 2);
  g_assert_cmpint (glint_link_timing_get_allowance (remote), ==, 6 * S);

  /* after one 400 ms sample: 400 + 4 · 200 */
  glint_link_timing_set_scale (remote, 1);
  glint_link_timing_add_sample (remote, 400 * MS);
  g_assert_cmpint (glint_link_timing_get_allowance (remote), ==, 1200 * MS);

  /* a fast local link: 2 ms + max (50 ms, 4 ms), raised to the floor */
  glint_link_timing_add_sample (local, 2 * MS);
  g_assert_cmpint (glint_link_timing_get_allowance (local), ==, 100 * MS);
}

static void
test_clamp_scale_override (void)
{
  g_autoptr(GlintLinkTiming) t = glint_link_timing_new (FALSE);

  /* 20 s + 4 · 10 s is over the 30 s ceiling */
  glint_link_timing_add_sample (t, 20 * S);
  g_assert_cmpint (glint_link_timing_get_allowance (t), ==, 30 * S);
  glint_link_timing_set_ceiling (t, 10 * S);
  g_assert_cmpint (glint_link_timing_get_allowance (t), ==, 10 * S);

  /* the scale multiplies the clamped value */
  glint_link_timing_set_scale (t, 2.5);
  g_assert_cmpfloat (glint_link_timing_get_scale (t), ==, 2.5);
  g_assert_cmpint (glint_link_timing_get_allowance (t), ==, 25 * S);

  /* the override replaces everything */
  glint_link_timing_set_override (t, 5 * S);
  g_assert_cmpint (glint_link_timing_get_override (t), ==, 5 * S);
  g_assert_cmpint (glint_link_timing_get_allowance (t), ==, 5 * S);
  glint_link_timing_set_override (t, 0);
  g_assert_cmpint (glint_link_timing_get_allowance (t), ==, 25 * S);

  /* floor: 1 ms samples on a local link give 1 + 50 ms, under a 2 s floor */
  {
    g_autoptr(GlintLinkTiming) u = glint_link_timing_new (FALSE);

    for (guint i = 0; i < 10; i++)
      glint_link_timing_add_sample (u, 1 * MS);
    g_assert_cmpint (glint_link_timing_get_allowance (u), ==, 100 * MS);
    glint_link_timing_set_floor (u, 2 * S);
    g_assert_cmpint (glint_link_timing_get_allowance (u), ==, 2 * S);

    /* if floor and ceiling cross, the floor wins */
    glint_link_timing_set_ceiling (u, 1 * S);
    g_assert_cmpint (glint_link_timing_get_allowance (u), ==, 2 * S);
  }
}

static void
test_remote_jitter (void)
{
  /* a 400 ms rfc2217 link jittering by ±50 ms */
  const gint64 rtt_ms[] = { 400, 430, 380, 450, 390, 410, 420, 370, 440, 400, 395, 415 };
  g_autoptr(GlintLinkTiming) t = glint_link_timing_new (TRUE);
  g_autofree char *desc = NULL;
  gint64 allowance;

  for (guint i = 0; i < G_N_ELEMENTS (rtt_ms); i++)
    {
      glint_link_timing_add_sample (t, rtt_ms[i] * MS);
      allowance = glint_link_timing_get_allowance (t);
      /* never a sub-RTT wait, never absurd */
      g_assert_cmpint (allowance, >, 500 * MS);
      g_assert_cmpint (allowance, <, 3 * S);
    }

  g_assert_cmpint (glint_link_timing_get_srtt (t), >, 380 * MS);
  g_assert_cmpint (glint_link_timing_get_srtt (t), <, 430 * MS);
  /* at least 150 ms above the RTT: room for one more hiccup */
  g_assert_cmpint (allowance, >=, glint_link_timing_get_srtt (t) + 150 * MS);
  g_assert_cmpint (allowance, <, 1500 * MS);

  desc = glint_link_timing_describe (t);
  g_assert_true (g_regex_match_simple ("^RTT [0-9]+ ms ± [0-9]+ ms \\(12 samples\\)$",
                                       desc, 0, 0));

  /* a steady link keeps the 200 ms margin even with RTTVAR near 0 */
  for (guint i = 0; i < 200; i++)
    glint_link_timing_add_sample (t, 400 * MS);
  g_assert_cmpint (glint_link_timing_get_allowance (t), ==, 600 * MS);
}

static void
test_wire_time (void)
{
  /* 10 bit times per byte */
  g_assert_cmpint (glint_link_timing_wire_time (0, 115200), ==, 0);
  g_assert_cmpint (glint_link_timing_wire_time (1152, 115200), ==, 100000);
  g_assert_cmpint (glint_link_timing_wire_time (1, 115200), ==, 87);   /* 86.8, up */
  g_assert_cmpint (glint_link_timing_wire_time (16384, 921600), ==, 177778);
  g_assert_cmpint (glint_link_timing_wire_time (100, 1000), ==, 1 * S);

  /* SLIP worst case: every byte escaped, plus two END bytes */
  g_assert_cmpuint (glint_link_timing_frame_wire_bytes (0), ==, 18);
  g_assert_cmpuint (glint_link_timing_frame_wire_bytes (36), ==, 90);
}

static void
test_processing_time (void)
{
  /* cheap commands: the allowance covers them */
  g_assert_cmpint (glint_link_timing_processing_time (OP_SYNC, 0, FALSE), ==, 0);
  g_assert_cmpint (glint_link_timing_processing_time (OP_READ_REG, 0, TRUE), ==, 0);

  g_assert_cmpint (glint_link_timing_processing_time (OP_ERASE_FLASH, 0, TRUE), ==, 120 * S);
  /* 40 s/MB: 4 MiB = 167.77 s; 16 MiB capped at MAX_TIMEOUT 240 s;
   * one sector at the 3 s per-MB floor */
  g_assert_cmpint (glint_link_timing_processing_time (OP_ERASE_REGION, 4 << 20, TRUE), ==,
                   167772160);
  g_assert_cmpint (glint_link_timing_processing_time (OP_ERASE_REGION, 16 << 20, TRUE), ==,
                   240 * S);
  g_assert_cmpint (glint_link_timing_processing_time (OP_ERASE_REGION, 4096, TRUE), ==, 3 * S);

  /* MD5 8 s/MB */
  g_assert_cmpint (glint_link_timing_processing_time (OP_SPI_FLASH_MD5, 1 << 20, FALSE), ==,
                   8388608);
  g_assert_cmpint (glint_link_timing_processing_time (OP_SPI_FLASH_MD5, 4096, TRUE), ==, 3 * S);

  /* the ROM erases in FLASH_BEGIN, the stub lazily */
  g_assert_cmpint (glint_link_timing_processing_time (OP_FLASH_BEGIN, 1 << 20, FALSE), ==,
                   41943040);
  g_assert_cmpint (glint_link_timing_processing_time (OP_FLASH_DEFL_BEGIN, 1 << 20, FALSE), ==,
                   41943040);
  g_assert_cmpint (glint_link_timing_processing_time (OP_FLASH_BEGIN, 1 << 20, TRUE), ==, 0);
  g_assert_cmpint (glint_link_timing_processing_time (OP_FLASH_BEGIN, 0, FALSE), ==, 0);

  /* the ROM writes before it answers; the stub after */
  g_assert_cmpint (glint_link_timing_processing_time (OP_FLASH_DATA, 1024, FALSE), ==, 3 * S);
  g_assert_cmpint (glint_link_timing_processing_time (OP_FLASH_DEFL_DATA, 1 << 20, FALSE), ==,
                   41943040);
  g_assert_cmpint (glint_link_timing_processing_time (OP_FLASH_DEFL_DATA, 65536, TRUE), ==, 0);
}

static void
test_deferred_time (void)
{
  /* 64 KiB uncompressed: 65536 + (2 + 1) · 64 KiB = 262144 bytes at 40 s/MB */
  g_assert_cmpint (glint_link_timing_deferred_time (OP_FLASH_DEFL_DATA, 65536, TRUE), ==,
                   10485760);
  /* 16 KiB: 16384 + (1 + 1) · 64 KiB = 147456 bytes */
  g_assert_cmpint (glint_link_timing_deferred_time (OP_FLASH_DEFL_DATA, 16384, TRUE), ==,
                   5898240);
  /* 1 byte may still cost two block erases: 1 + 2 · 64 KiB = 131073 bytes */
  g_assert_cmpint (glint_link_timing_deferred_time (OP_FLASH_DEFL_DATA, 1, TRUE), ==, 5242920);
  g_assert_cmpint (glint_link_timing_deferred_time (OP_FLASH_DATA, 16384, TRUE), ==, 5898240);

  /* the ROM answers after the work; other commands have none */
  g_assert_cmpint (glint_link_timing_deferred_time (OP_FLASH_DEFL_DATA, 65536, FALSE), ==, 0);
  g_assert_cmpint (glint_link_timing_deferred_time (OP_READ_REG, 4, TRUE), ==, 0);
  g_assert_cmpint (glint_link_timing_deferred_time (OP_FLASH_DEFL_DATA, 0, TRUE), ==, 0);
}

static void
test_timeout (void)
{
  g_autoptr(GlintLinkTiming) t = glint_link_timing_new (FALSE);
  gint64 slow, fast, big, small;

  /* READ_REG: 4-byte request (26 wire bytes worst case) and a reply with 4
   * status bytes (26) = 52 bytes = 4513.9 µs at 115200, plus the initial 1 s */
  g_assert_cmpint (glint_link_timing_timeout (t, OP_READ_REG, 4, 0, 115200, FALSE), ==,
                   1 * S + 4514);

  /* timeouts grow as baud falls and as size grows */
  slow = glint_link_timing_timeout (t, OP_FLASH_DATA, 16 + 1024, 1024, 9600, FALSE);
  fast = glint_link_timing_timeout (t, OP_FLASH_DATA, 16 + 1024, 1024, 921600, FALSE);
  g_assert_cmpint (slow, >, fast);
  small = glint_link_timing_timeout (t, OP_SPI_FLASH_MD5, 16, 1 << 20, 115200, TRUE);
  big = glint_link_timing_timeout (t, OP_SPI_FLASH_MD5, 16, 4 << 20, 115200, TRUE);
  g_assert_cmpint (big, >, small);
  small = glint_link_timing_timeout (t, OP_FLASH_DEFL_DATA, 16 + 1024, 0, 115200, TRUE);
  big = glint_link_timing_timeout (t, OP_FLASH_DEFL_DATA, 16 + 16384, 0, 115200, TRUE);
  g_assert_cmpint (big, >, small);

  /* ERASE_FLASH: 120 s worst case + wire + allowance */
  g_assert_cmpint (glint_link_timing_timeout (t, OP_ERASE_FLASH, 0, 0, 115200, TRUE), >,
                   120 * S);
  g_assert_cmpint (glint_link_timing_timeout (t, OP_ERASE_FLASH, 0, 0, 115200, TRUE), <,
                   122 * S);

  /* the allowance follows the link */
  {
    g_autoptr(GlintLinkTiming) remote = glint_link_timing_new (TRUE);
    gint64 before = glint_link_timing_timeout (remote, OP_SYNC, 36, 0, 115200, FALSE);

    glint_link_timing_add_sample (remote, 400 * MS);
    for (guint i = 0; i < 20; i++)
      glint_link_timing_add_sample (remote, 400 * MS);
    g_assert_cmpint (glint_link_timing_timeout (remote, OP_SYNC, 36, 0, 115200, FALSE), <,
                     before);
    g_assert_cmpint (glint_link_timing_timeout (remote, OP_SYNC, 36, 0, 115200, FALSE), >,
                     400 * MS);
  }
}

static void
test_sample_from (void)
{
  g_autoptr(GlintLinkTiming) t = glint_link_timing_new (TRUE);

  /* 500 ms elapsed, 100 ms of which the chip worked and 50 ms on the wire */
  glint_link_timing_sample_from (t, 500 * MS, 100 * MS, 50 * MS);
  g_assert_cmpint (glint_link_timing_get_srtt (t), ==, 350 * MS);
  g_assert_cmpint (glint_link_timing_get_rttvar (t), ==, 175 * MS);

  /* an over-estimate leaves a negative remainder, counted as 0:
   * RTTVAR = 3/4·175 + 1/4·350 = 218.75 ms, SRTT = 7/8·350 = 306.25 ms */
  glint_link_timing_sample_from (t, 10 * MS, 20 * MS, 0);
  g_assert_cmpint (glint_link_timing_get_rttvar (t), ==, 218750);
  g_assert_cmpint (glint_link_timing_get_srtt (t), ==, 306250);
}

static void
test_describe (void)
{
  g_autoptr(GlintLinkTiming) t = glint_link_timing_new (TRUE);
  g_autofree char *none = glint_link_timing_describe (t);
  g_autofree char *one = NULL;
  g_autofree char *d1 = glint_link_timing_format_duration (2100 * MS);
  g_autofree char *d2 = glint_link_timing_format_duration (412 * MS);
  g_autofree char *d3 = glint_link_timing_format_duration (120 * S);
  g_autofree char *d4 = glint_link_timing_format_duration (-1);

  g_assert_cmpstr (none, ==, "RTT not measured yet");

  glint_link_timing_add_sample (t, 412 * MS);
  one = glint_link_timing_describe (t);
  g_assert_cmpstr (one, ==, "RTT 412 ms ± 206 ms (1 sample)");

  g_assert_cmpstr (d1, ==, "2.1 s");
  g_assert_cmpstr (d2, ==, "412 ms");
  g_assert_cmpstr (d3, ==, "120 s");
  g_assert_cmpstr (d4, ==, "0 ms");
}

static void
test_copy (void)
{
  g_autoptr(GlintLinkTiming) t = glint_link_timing_new (TRUE);
  g_autoptr(GlintLinkTiming) c = NULL;
  GlintLinkTiming *boxed;

  glint_link_timing_add_sample (t, 400 * MS);
  glint_link_timing_set_scale (t, 2);
  c = glint_link_timing_copy (t);
  glint_link_timing_add_sample (t, 100 * MS);

  g_assert_cmpuint (glint_link_timing_get_n_samples (c), ==, 1);
  g_assert_cmpint (glint_link_timing_get_srtt (c), ==, 400 * MS);
  g_assert_cmpfloat (glint_link_timing_get_scale (c), ==, 2);
  g_assert_true (glint_link_timing_is_remote (c));

  g_assert_true (G_TYPE_IS_BOXED (GLINT_TYPE_LINK_TIMING));
  boxed = g_boxed_copy (GLINT_TYPE_LINK_TIMING, c);
  g_assert_cmpint (glint_link_timing_get_allowance (boxed), ==,
                   glint_link_timing_get_allowance (c));
  g_boxed_free (GLINT_TYPE_LINK_TIMING, boxed);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/glint/link-timing/rfc6298", test_rfc6298);
  g_test_add_func ("/glint/link-timing/negative-sample", test_negative_sample);
  g_test_add_func ("/glint/link-timing/initial-allowance", test_initial_allowance);
  g_test_add_func ("/glint/link-timing/clamp-scale-override", test_clamp_scale_override);
  g_test_add_func ("/glint/link-timing/remote-jitter", test_remote_jitter);
  g_test_add_func ("/glint/link-timing/wire-time", test_wire_time);
  g_test_add_func ("/glint/link-timing/processing-time", test_processing_time);
  g_test_add_func ("/glint/link-timing/deferred-time", test_deferred_time);
  g_test_add_func ("/glint/link-timing/timeout", test_timeout);
  g_test_add_func ("/glint/link-timing/sample-from", test_sample_from);
  g_test_add_func ("/glint/link-timing/describe", test_describe);
  g_test_add_func ("/glint/link-timing/copy", test_copy);

  return g_test_run ();
}
