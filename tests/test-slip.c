/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-slip.h"
#include "glint-test-utils.h"

typedef struct
{
  GPtrArray *frames;   /* GBytes */
} Collector;

static void
collect_cb (const guint8 *frame,
            gsize         len,
            gpointer      user_data)
{
  Collector *c = user_data;

  g_assert_cmpuint (len, >, 0);
  g_ptr_array_add (c->frames, g_bytes_new (frame, len));
}

static void
collector_init (Collector *c)
{
  c->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

static void
collector_clear (Collector *c)
{
  g_clear_pointer (&c->frames, g_ptr_array_unref);
}

static void
assert_frame (Collector    *c,
              guint         index,
              const guint8 *data,
              gsize         len)
{
  gsize got_len;
  const guint8 *got;

  g_assert_cmpuint (index, <, c->frames->len);
  got = g_bytes_get_data (c->frames->pdata[index], &got_len);
  g_assert_cmpmem (got, got_len, data, len);
}

static void
test_encode_escapes (void)
{
  static const guint8 in[] = { 0x01, 0xC0, 0x02, 0xDB, 0x03 };
  static const guint8 expected[] = { 0xC0, 0x01, 0xDB, 0xDC, 0x02, 0xDB, 0xDD, 0x03, 0xC0 };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  gsize n;

  g_byte_array_append (out, (const guint8 *) "x", 1);
  n = glint_slip_encode (in, sizeof in, out);
  g_assert_cmpuint (n, ==, sizeof expected);
  g_assert_cmpmem (out->data + 1, out->len - 1, expected, sizeof expected);
}

static void
round_trip (const guint8 *data,
            gsize         len,
            gsize         chunk)
{
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  g_autoptr(GlintSlipDecoder) dec = glint_slip_decoder_new (0);
  Collector c;

  collector_init (&c);
  glint_slip_encode (data, len, wire);
  for (gsize off = 0; off < wire->len; off += chunk)
    glint_slip_decoder_feed (dec, wire->data + off, MIN (chunk, wire->len - off),
                             collect_cb, &c);

  g_assert_cmpuint (c.frames->len, ==, 1);
  assert_frame (&c, 0, data, len);
  g_assert_false (glint_slip_decoder_in_frame (dec));
  g_assert_cmpuint (glint_slip_decoder_get_garbage (dec), ==, 0);
  g_assert_cmpuint (glint_slip_decoder_get_bad_frames (dec), ==, 0);
  collector_clear (&c);
}

static void
test_round_trip_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (1234);

  for (guint i = 0; i < 200; i++)
    {
      gsize len = g_rand_int_range (rand, 1, 2000);
      g_autofree guint8 *data = g_malloc (len);

      for (gsize j = 0; j < len; j++)
        {
          /* Make the special bytes common. */
          switch (g_rand_int_range (rand, 0, 4))
            {
            case 0:
              data[j] = 0xC0;
              break;
            case 1:
              data[j] = 0xDB;
              break;
            default:
              data[j] = g_rand_int_range (rand, 0, 256);
            }
        }
      round_trip (data, len, len + 2);
      round_trip (data, len, g_rand_int_range (rand, 1, 64));
    }
}

static void
test_round_trip_special (void)
{
  guint8 all[256];
  guint8 c0[300];
  guint8 db[300];

  for (guint i = 0; i < 256; i++)
    all[i] = i;
  memset (c0, 0xC0, sizeof c0);
  memset (db, 0xDB, sizeof db);

  round_trip (all, sizeof all, 1);
  round_trip (all, sizeof all, 1000);
  round_trip (c0, sizeof c0, 1);
  round_trip (c0, sizeof c0, 7);
  round_trip (db, sizeof db, 1);
  round_trip (db, sizeof db, 1000);
  round_trip ((const guint8 *) "\xc0", 1, 1);
  round_trip ((const guint8 *) "\xdb", 1, 1);
}

static void
test_split_everywhere (void)
{
  static const guint8 payload[] = { 0x01, 0xC0, 0xDB, 0x00, 0xDC, 0xDD, 0xC0, 0xFF };
  g_autoptr(GByteArray) wire = g_byte_array_new ();

  glint_slip_encode (payload, sizeof payload, wire);
  glint_slip_encode (payload, 3, wire);

  for (gsize split = 0; split <= wire->len; split++)
    {
      g_autoptr(GlintSlipDecoder) dec = glint_slip_decoder_new (0);
      Collector c;

      collector_init (&c);
      glint_slip_decoder_feed (dec, wire->data, split, collect_cb, &c);
      glint_slip_decoder_feed (dec, wire->data + split, wire->len - split, collect_cb, &c);
      g_assert_cmpuint (c.frames->len, ==, 2);
      assert_frame (&c, 0, payload, sizeof payload);
      assert_frame (&c, 1, payload, 3);
      collector_clear (&c);
    }
}

static void
test_garbage_text (void)
{
  static const char log1[] = "rst:0x1 (POWERON_RESET),boot:0x3\r\nwaiting for download\r\n";
  static const char log2[] = "tail";
  g_autoptr(GlintSlipDecoder) dec = glint_slip_decoder_new (0);
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  g_autoptr(GBytes) text = NULL;
  g_autoptr(GBytes) empty = NULL;
  Collector c;

  collector_init (&c);
  g_byte_array_append (wire, (const guint8 *) log1, strlen (log1));
  glint_slip_encode ((const guint8 *) "AB", 2, wire);
  g_byte_array_append (wire, (const guint8 *) log2, strlen (log2));
  glint_slip_encode ((const guint8 *) "CD", 2, wire);

  glint_slip_decoder_feed (dec, wire->data, wire->len, collect_cb, &c);
  g_assert_cmpuint (c.frames->len, ==, 2);
  assert_frame (&c, 0, (const guint8 *) "AB", 2);
  assert_frame (&c, 1, (const guint8 *) "CD", 2);
  g_assert_cmpuint (glint_slip_decoder_get_garbage (dec), ==, strlen (log1) + strlen (log2));

  text = glint_slip_decoder_take_text (dec);
  g_assert_cmpmem (g_bytes_get_data (text, NULL), g_bytes_get_size (text),
                   "rst:0x1 (POWERON_RESET),boot:0x3\r\nwaiting for download\r\ntail",
                   strlen (log1) + strlen (log2));
  empty = glint_slip_decoder_take_text (dec);
  g_assert_cmpuint (g_bytes_get_size (empty), ==, 0);
  /* The counter survives taking the text. */
  g_assert_cmpuint (glint_slip_decoder_get_garbage (dec), ==, strlen (log1) + strlen (log2));
  collector_clear (&c);
}

static void
test_text_bounded (void)
{
  g_autoptr(GlintSlipDecoder) dec = glint_slip_decoder_new (0);
  g_autoptr(GBytes) text = NULL;
  const guint8 *data;
  gsize len;

  for (guint i = 0; i < 10000; i++)
    {
      guint8 b = 'a' + i % 26;
      glint_slip_decoder_feed (dec, &b, 1, NULL, NULL);
    }

  g_assert_cmpuint (glint_slip_decoder_get_garbage (dec), ==, 10000);
  text = glint_slip_decoder_take_text (dec);
  data = g_bytes_get_data (text, &len);
  g_assert_cmpuint (len, ==, 4096);
  /* The last byte fed was index 9999. */
  g_assert_cmpint (data[len - 1], ==, 'a' + 9999 % 26);
  g_assert_cmpint (data[0], ==, 'a' + (10000 - 4096) % 26);
}

static void
test_bad_escape (void)
{
  /* frame 1 has DB 41: bad; frame 2 is fine */
  static const guint8 wire[] = { 0xC0, 0x01, 0xDB, 0x41, 0x02, 0xC0,
                                 0xC0, 0x03, 0x04, 0xC0 };
  static const guint8 wire2[] = { 0xC0, 0x01, 0xDB, 0xC0, 0x05, 0xC0 };
  g_autoptr(GlintSlipDecoder) dec = glint_slip_decoder_new (0);
  Collector c;

  collector_init (&c);
  glint_slip_decoder_feed (dec, wire, sizeof wire, collect_cb, &c);
  g_assert_cmpuint (c.frames->len, ==, 1);
  assert_frame (&c, 0, (const guint8 *) "\x03\x04", 2);
  g_assert_cmpuint (glint_slip_decoder_get_bad_frames (dec), ==, 1);

  /* DB directly followed by C0: the frame is bad, the C0 opens the next. */
  glint_slip_decoder_feed (dec, wire2, sizeof wire2, collect_cb, &c);
  g_assert_cmpuint (c.frames->len, ==, 2);
  assert_frame (&c, 1, (const guint8 *) "\x05", 1);
  g_assert_cmpuint (glint_slip_decoder_get_bad_frames (dec), ==, 2);
  g_assert_cmpuint (glint_slip_decoder_get_garbage (dec), ==, 0);
  collector_clear (&c);
}

static void
test_oversize (void)
{
  g_autoptr(GlintSlipDecoder) dec = glint_slip_decoder_new (16);
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  guint8 big[17];
  guint8 ok[16];
  Collector c;

  memset (big, 0x11, sizeof big);
  memset (ok, 0x22, sizeof ok);
  collector_init (&c);
  glint_slip_encode (big, sizeof big, wire);
  glint_slip_encode (ok, sizeof ok, wire);
  glint_slip_decoder_feed (dec, wire->data, wire->len, collect_cb, &c);

  g_assert_cmpuint (c.frames->len, ==, 1);
  assert_frame (&c, 0, ok, sizeof ok);
  g_assert_cmpuint (glint_slip_decoder_get_bad_frames (dec), ==, 1);
  g_assert_false (glint_slip_decoder_in_frame (dec));
  collector_clear (&c);
}

static void
test_back_to_back_and_empty (void)
{
  static const guint8 wire[] = { 0xC0, 0xC0, 0xC0, 0x01, 0xC0, 0xC0, 0x02, 0x03, 0xC0,
                                 0xC0, 0xC0 };
  g_autoptr(GlintSlipDecoder) dec = glint_slip_decoder_new (0);
  Collector c;

  collector_init (&c);
  g_assert_false (glint_slip_decoder_in_frame (dec));
  glint_slip_decoder_feed (dec, wire, sizeof wire, collect_cb, &c);
  g_assert_cmpuint (c.frames->len, ==, 2);
  assert_frame (&c, 0, (const guint8 *) "\x01", 1);
  assert_frame (&c, 1, (const guint8 *) "\x02\x03", 2);
  g_assert_cmpuint (glint_slip_decoder_get_garbage (dec), ==, 0);
  g_assert_cmpuint (glint_slip_decoder_get_bad_frames (dec), ==, 0);
  /* the trailing C0 C0 left a frame open */
  g_assert_true (glint_slip_decoder_in_frame (dec));
  collector_clear (&c);
}

static void
test_lost_tail_resync (void)
{
  /* The first frame lost its closing C0 and the next opening one: the two
   * run together; then a normal frame follows. */
  static const guint8 wire[] = { 0xC0, 0x01, 0x02, 0xC0, 0xC0, 0x05, 0xC0 };
  g_autoptr(GlintSlipDecoder) dec = glint_slip_decoder_new (0);
  Collector c;

  collector_init (&c);
  glint_slip_decoder_feed (dec, wire, 2, collect_cb, &c);
  g_assert_true (glint_slip_decoder_in_frame (dec));
  glint_slip_decoder_feed (dec, wire + 2, sizeof wire - 2, collect_cb, &c);
  g_assert_cmpuint (c.frames->len, ==, 2);
  assert_frame (&c, 1, (const guint8 *) "\x05", 1);
  collector_clear (&c);
}

static void
test_reset (void)
{
  static const guint8 wire[] = { 'x', 0xC0, 0x01, 0xDB, 0x00 };
  g_autoptr(GlintSlipDecoder) dec = glint_slip_decoder_new (0);
  g_autoptr(GBytes) text = NULL;

  glint_slip_decoder_feed (dec, wire, sizeof wire, NULL, NULL);
  g_assert_true (glint_slip_decoder_in_frame (dec));
  glint_slip_decoder_reset (dec);
  g_assert_false (glint_slip_decoder_in_frame (dec));
  g_assert_cmpuint (glint_slip_decoder_get_garbage (dec), ==, 0);
  g_assert_cmpuint (glint_slip_decoder_get_bad_frames (dec), ==, 0);
  text = glint_slip_decoder_take_text (dec);
  g_assert_cmpuint (g_bytes_get_size (text), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/glint/slip/encode-escapes", test_encode_escapes);
  g_test_add_func ("/glint/slip/round-trip-random", test_round_trip_random);
  g_test_add_func ("/glint/slip/round-trip-special", test_round_trip_special);
  g_test_add_func ("/glint/slip/split-everywhere", test_split_everywhere);
  g_test_add_func ("/glint/slip/garbage-text", test_garbage_text);
  g_test_add_func ("/glint/slip/text-bounded", test_text_bounded);
  g_test_add_func ("/glint/slip/bad-escape", test_bad_escape);
  g_test_add_func ("/glint/slip/oversize", test_oversize);
  g_test_add_func ("/glint/slip/back-to-back-and-empty", test_back_to_back_and_empty);
  g_test_add_func ("/glint/slip/lost-tail-resync", test_lost_tail_resync);
  g_test_add_func ("/glint/slip/reset", test_reset);

  return g_test_run ();
}
