/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-loader.h"
#include "glint-slip.h"
#include "glint-stream.h"
#include "glint-test-utils.h"

/* The typed loader calls put on the wire exactly the frames the flasher
 * packed by hand before them: header, words and checksum, written out here
 * byte by byte from protocol.md §1.2 and §2. The chip is a plain TCP
 * socket that only listens. */

typedef struct
{
  GSocketListener   *listener;
  GSocketConnection *server;
  GlintStream       *stream;
  GlintLoader       *loader;
  GlintSlipDecoder  *decoder;
  GByteArray        *frame;     /* the last decoded frame */
  guint8             buf[4096];
} Fixture;

static void
frame_cb (const guint8 *data,
          gsize         len,
          gpointer      user_data)
{
  Fixture *f = user_data;

  g_assert_null (f->frame);
  f->frame = g_byte_array_new ();
  g_byte_array_append (f->frame, data, len);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  GAsyncResult *result = NULL;
  guint16 port;

  f->listener = g_socket_listener_new ();
  port = g_socket_listener_add_any_inet_port (f->listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_accept_async (f->listener, NULL, glint_test_store_result_cb, &result);

  address = g_strdup_printf ("socket://127.0.0.1:%u", port);
  f->stream = glint_test_open_stream (address);
  glint_test_wait_for ((gpointer *) &result, 10000);
  f->server = g_socket_listener_accept_finish (f->listener, result, NULL, &error);
  g_object_unref (result);
  g_assert_no_error (error);

  f->loader = glint_loader_new (f->stream);
  f->decoder = glint_slip_decoder_new (0x8000);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->loader);
  if (f->stream != NULL)
    g_io_stream_close (G_IO_STREAM (f->stream), NULL, NULL);
  g_clear_object (&f->stream);
  g_clear_object (&f->server);
  g_clear_object (&f->listener);
  g_clear_pointer (&f->decoder, glint_slip_decoder_free);
  g_clear_pointer (&f->frame, g_byte_array_unref);
}

/* Reads what the chip received until one whole frame is in. */
static GByteArray *
next_frame (Fixture *f)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (f->server));

  g_clear_pointer (&f->frame, g_byte_array_unref);
  while (f->frame == NULL)
    {
      GAsyncResult *result = NULL;
      g_autoptr(GError) error = NULL;
      gssize n;

      g_input_stream_read_async (input, f->buf, sizeof f->buf, G_PRIORITY_DEFAULT, NULL,
                                 glint_test_store_result_cb, &result);
      glint_test_wait_for ((gpointer *) &result, 10000);
      n = g_input_stream_read_finish (input, result, &error);
      g_object_unref (result);
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      glint_slip_decoder_feed (f->decoder, f->buf, n, frame_cb, f);
    }

  return f->frame;
}

static void
put_u32 (GByteArray *out,
         guint32     v)
{
  guint8 b[4] = { v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, (v >> 24) & 0xFF };

  g_byte_array_append (out, b, 4);
}

/* The request the chip should see: 0x00, op, length, checksum, data. */
static GByteArray *
request (guint8         op,
         guint32        checksum,
         const guint8  *data,
         gsize          len)
{
  GByteArray *out = g_byte_array_new ();
  guint8 head[4] = { 0x00, op, len & 0xFF, (len >> 8) & 0xFF };

  g_byte_array_append (out, head, 4);
  put_u32 (out, checksum);
  g_byte_array_append (out, data, len);
  return out;
}

static GByteArray *
words_request (guint8         op,
               const guint32 *words,
               guint          n)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();

  for (guint i = 0; i < n; i++)
    put_u32 (data, words[i]);
  return request (op, 0, data->data, data->len);
}

static void
assert_frame (Fixture    *f,
              GByteArray *expected)
{
  GByteArray *got = next_frame (f);

  g_assert_cmpmem (got->data, got->len, expected->data, expected->len);
  g_byte_array_unref (expected);
}

static guint32
xor_sum (const guint8 *data,
         gsize         len)
{
  guint8 sum = 0xEF;

  for (gsize i = 0; i < len; i++)
    sum ^= data[i];
  return sum;
}

#define NO_ANSWER NULL, glint_test_store_result_cb, &results[n_results++]

static void
test_wire (Fixture       *f,
           gconstpointer  data)
{
  GAsyncResult *results[32] = { NULL };
  guint n_results = 0;
  guint8 block[100];
  const guint32 regs[4] = { 0x60002000, 0x11, 0x60002004, 0x22 };

  for (guint i = 0; i < sizeof block; i++)
    block[i] = (guint8) (i * 7 + 3);

  glint_loader_flash_begin_async (f->loader, FALSE, 0x3000, 3, 0x400, 0x10000, FALSE, FALSE,
                                  NO_ANSWER);
  assert_frame (f, words_request (0x02, (guint32[]) { 0x3000, 3, 0x400, 0x10000 }, 4));

  glint_loader_flash_begin_async (f->loader, FALSE, 0x3000, 3, 0x400, 0x10000, TRUE, FALSE,
                                  NO_ANSWER);
  assert_frame (f, words_request (0x02, (guint32[]) { 0x3000, 3, 0x400, 0x10000, 0 }, 5));

  glint_loader_flash_begin_async (f->loader, TRUE, 0x20000, 2, 0x4000, 0x1000, TRUE, TRUE,
                                  NO_ANSWER);
  assert_frame (f, words_request (0x10, (guint32[]) { 0x20000, 2, 0x4000, 0x1000, 0 }, 5));

  /* FLASH_DATA pads a short block with 0xFF to the block size */
  {
    g_autoptr(GByteArray) d = g_byte_array_new ();
    guint8 pad[28];

    memset (pad, 0xFF, sizeof pad);
    put_u32 (d, 128);
    put_u32 (d, 5);
    put_u32 (d, 0);
    put_u32 (d, 0);
    g_byte_array_append (d, block, sizeof block);
    g_byte_array_append (d, pad, sizeof pad);
    glint_loader_flash_data_async (f->loader, block, sizeof block, 128, 5, FALSE, NO_ANSWER);
    assert_frame (f, request (0x03, xor_sum (d->data + 16, 128), d->data, d->len));
  }

  /* FLASH_DEFL_DATA and MEM_DATA do not pad */
  {
    g_autoptr(GByteArray) d = g_byte_array_new ();

    put_u32 (d, sizeof block);
    put_u32 (d, 7);
    put_u32 (d, 0);
    put_u32 (d, 0);
    g_byte_array_append (d, block, sizeof block);
    glint_loader_flash_defl_data_async (f->loader, block, sizeof block, 7, 4096, TRUE,
                                        NO_ANSWER);
    assert_frame (f, request (0x11, xor_sum (block, sizeof block), d->data, d->len));
    glint_loader_mem_data_async (f->loader, block, sizeof block, 7, NO_ANSWER);
    assert_frame (f, request (0x07, xor_sum (block, sizeof block), d->data, d->len));
  }

  glint_loader_flash_end_async (f->loader, TRUE, NO_ANSWER);
  assert_frame (f, words_request (0x04, (guint32[]) { 1 }, 1));
  glint_loader_flash_defl_end_async (f->loader, TRUE, NO_ANSWER);
  assert_frame (f, words_request (0x12, (guint32[]) { 1 }, 1));

  glint_loader_mem_begin_async (f->loader, 0x2A00, 2, 0x1800, 0x40080000, NO_ANSWER);
  assert_frame (f, words_request (0x05, (guint32[]) { 0x2A00, 2, 0x1800, 0x40080000 }, 4));
  glint_loader_mem_end_async (f->loader, 0x40080404, GLINT_COMMAND_NO_RESPONSE, NO_ANSWER);
  assert_frame (f, words_request (0x06, (guint32[]) { 0, 0x40080404 }, 2));

  glint_loader_write_regs_async (f->loader, regs, 2, FALSE, NO_ANSWER);
  assert_frame (f, words_request (0x09, (guint32[]) { 0x60002000, 0x11, 0xFFFFFFFF, 0,
                                                      0x60002004, 0x22, 0xFFFFFFFF, 0 }, 8));

  glint_loader_spi_attach_async (f->loader, FALSE, NO_ANSWER);
  assert_frame (f, words_request (0x0D, (guint32[]) { 0, 0 }, 2));
  glint_loader_spi_attach_async (f->loader, TRUE, NO_ANSWER);
  assert_frame (f, words_request (0x0D, (guint32[]) { 0 }, 1));

  glint_loader_spi_set_params_async (f->loader, 4 << 20, TRUE, NO_ANSWER);
  assert_frame (f, words_request (0x0B, (guint32[]) { 0, 4 << 20, 0x10000, 0x1000, 256, 0xFFFF },
                                  6));

  glint_loader_change_baudrate_async (f->loader, 921600, 115200, TRUE, NO_ANSWER);
  assert_frame (f, words_request (0x0F, (guint32[]) { 921600, 115200 }, 2));

  glint_loader_flash_md5_async (f->loader, 0x10000, 0x100000, TRUE, NO_ANSWER);
  assert_frame (f, words_request (0x13, (guint32[]) { 0x10000, 0x100000, 0, 0 }, 4));

  glint_loader_erase_region_async (f->loader, 0x9000, 0x6000, NO_ANSWER);
  assert_frame (f, words_request (0xD1, (guint32[]) { 0x9000, 0x6000 }, 2));

  glint_loader_erase_flash_async (f->loader, NO_ANSWER);
  assert_frame (f, request (0xD0, 0, NULL, 0));

  glint_loader_read_flash_async (f->loader, 0x1000, 0x8000, 0x1000, 64, NO_ANSWER);
  assert_frame (f, words_request (0xD2, (guint32[]) { 0x1000, 0x8000, 0x1000, 64 }, 4));

  glint_loader_read_flash_slow_async (f->loader, 0x2000, 64, NO_ANSWER);
  assert_frame (f, words_request (0x0E, (guint32[]) { 0x2000, 64 }, 2));

  glint_loader_get_security_info_async (f->loader, 20, FALSE, NO_ANSWER);
  assert_frame (f, request (0x14, 0, NULL, 0));

  /* Nothing answers: closing the link ends every command. */
  g_io_stream_close (G_IO_STREAM (f->server), NULL, NULL);
  for (guint i = 0; i < n_results; i++)
    {
      glint_test_wait_for ((gpointer *) &results[i], 30000);
      g_clear_pointer (&results[i], g_object_unref);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/glint/loader-commands/wire", Fixture, NULL, fixture_setup, test_wire,
              fixture_teardown);

  return g_test_run ();
}
