/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-fuzz.h"
#include "glint-improv.h"

/* The Improv Serial decoder, fed an app's console output in pieces as a
 * port delivers them: it must find the same packets whatever the pieces,
 * every packet must encode back to bytes that decode to itself, and every
 * RPC body it accepts must split into strings that encode back to the
 * same body. */

typedef struct
{
  GPtrArray *packets;   /* GBytes: type, then data */
} Collect;

static void
collect_cb (guint8        type,
            const guint8 *data,
            gsize         len,
            gpointer      user_data)
{
  Collect *collect = user_data;
  g_autoptr(GByteArray) item = g_byte_array_new ();

  g_assert_cmpuint (len, <=, GLINT_IMPROV_MAX_DATA);
  g_byte_array_append (item, &type, 1);
  g_byte_array_append (item, data, len);
  g_ptr_array_add (collect->packets, g_byte_array_free_to_bytes (g_steal_pointer (&item)));
}

static void
check_packet (GBytes *packet)
{
  gsize len;
  const guint8 *item = g_bytes_get_data (packet, &len);
  g_autoptr(GByteArray) encoded = g_byte_array_new ();
  g_autoptr(GlintImprovDecoder) again = glint_improv_decoder_new ();
  Collect collect = { g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref) };
  g_auto(GStrv) strings = NULL;
  guint8 command = 0;

  glint_improv_encode_packet (item[0], item + 1, len - 1, encoded);
  glint_improv_decoder_feed (again, encoded->data, encoded->len, collect_cb, &collect);
  g_assert_cmpuint (collect.packets->len, ==, 1);
  g_assert_true (g_bytes_equal (collect.packets->pdata[0], packet));
  g_ptr_array_unref (collect.packets);

  strings = glint_improv_parse_rpc (item + 1, len - 1, &command, NULL);
  if (strings != NULL && (gsize) item[2] + 2 == len - 1)
    {
      g_autoptr(GByteArray) rpc = g_byte_array_new ();

      g_assert_true (glint_improv_encode_rpc (item[0], command,
                                              (const char * const *) strings, rpc, NULL));
      g_assert_cmpmem (rpc->data, rpc->len, encoded->data, encoded->len);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GlintImprovDecoder) whole = glint_improv_decoder_new ();
  g_autoptr(GlintImprovDecoder) pieces = glint_improv_decoder_new ();
  g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) b = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  Collect ca = { a };
  Collect cb = { b };
  gsize pos = 0;

  glint_improv_decoder_feed (whole, data, size, collect_cb, &ca);

  /* the same bytes in chunks whose sizes come from the data itself */
  while (pos < size)
    {
      gsize chunk = MIN (size - pos, (gsize) (1 + data[pos] % 23));

      glint_improv_decoder_feed (pieces, data + pos, chunk, collect_cb, &cb);
      pos += chunk;
    }

  g_assert_cmpuint (a->len, ==, b->len);
  g_assert_cmpuint (glint_improv_decoder_get_bad_packets (whole), ==,
                    glint_improv_decoder_get_bad_packets (pieces));
  for (guint i = 0; i < a->len; i++)
    {
      g_assert_true (g_bytes_equal (a->pdata[i], b->pdata[i]));
      check_packet (a->pdata[i]);
    }

  /* the body alone, as an RPC packet's data */
  g_strfreev (glint_improv_parse_rpc (data, size, NULL, NULL));
  glint_improv_decoder_reset (whole);

  return 0;
}
