/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-error.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-slip.h"
#include "glint-stream.h"
#include "glint-stream-address.h"
#include "glint-test-utils.h"

/* sim://, the Demo board: a simulated chip behind a real socket pair. */

static const guint8 sync_request[] = {
  0x00, 0x08, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x07, 0x07, 0x12, 0x20,
  0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
  0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
};

typedef struct
{
  guint n_frames;
  guint8 first[64];
  gsize first_len;
} Frames;

static void
on_frame (const guint8 *frame,
          gsize         len,
          gpointer      user_data)
{
  Frames *frames = user_data;

  if (frames->n_frames++ == 0)
    {
      frames->first_len = MIN (len, sizeof frames->first);
      memcpy (frames->first, frame, frames->first_len);
    }
}

/* Sends a SYNC through the stream and reads the first answer back. */
static void
sync_through (GlintStream *stream,
              Frames      *frames)
{
  g_autoptr(GByteArray) request = g_byte_array_new ();
  g_autoptr(GlintSlipDecoder) decoder = glint_slip_decoder_new (1024);
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (stream));
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  glint_slip_encode (sync_request, sizeof sync_request, request);
  glint_test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (stream)),
                        request->data, request->len);

  memset (frames, 0, sizeof *frames);
  while (frames->n_frames == 0)
    {
      guint8 byte;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      glint_test_read_exact (input, &byte, 1, 5000);
      glint_slip_decoder_feed (decoder, &byte, 1, on_frame, frames);
    }
}

static void
test_properties (void)
{
  g_autoptr(GlintStream) stream = glint_test_open_stream ("sim://esp32s3?boot=download");
  GlintSim *sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream));

  g_assert_true (GLINT_IS_SIM_STREAM (stream));
  g_assert_cmpstr (glint_stream_get_address (stream), ==, "sim://esp32s3?boot=download");
  g_assert_cmpstr (glint_sim_get_chip_name (sim), ==, "esp32s3");
  g_assert_true (glint_stream_get_can_control_lines (stream));
  g_assert_false (glint_stream_get_is_remote (stream));
  g_assert_true (glint_stream_get_is_open (stream));
  g_assert_true (G_IS_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (G_IO_STREAM (stream))));
  g_assert_true (G_IS_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (G_IO_STREAM (stream))));
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
}

static void
test_bad_addresses (void)
{
  const char *bad[] = { "sim://esp99", "sim://esp32?latency=fast", "sim://esp32?no-such-knob=1" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GlintStream) stream = glint_stream_new_for_address (bad[i], &error);

      g_assert_null (stream);
      g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS);
    }
}

static void
test_options_applied (void)
{
  g_autoptr(GlintStream) stream = glint_test_open_stream ("sim://esp32?flash-size=8M&latency=5");
  GlintSim *sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream));
  gsize size = 0;

  glint_sim_get_flash (sim, &size);
  g_assert_cmpuint (size, ==, 8 * 1024 * 1024);
  /* Latency makes it behave like a remote link. */
  g_assert_true (glint_stream_get_is_remote (stream));
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
}

static GlintStream *
new_unopened (const char *address)
{
  g_autoptr(GError) error = NULL;
  GlintStream *stream = glint_stream_new_for_address (address, &error);

  g_assert_no_error (error);
  return stream;
}

static const guint8 *
flash_of (GlintStream *stream)
{
  return glint_sim_get_flash (glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream)), NULL);
}

/* ?board=NAME: the flash stays with the board from one stream to the next,
 * as the Demo board's does between jobs; other boards and boards without a
 * name start erased. */
static void
test_board_keeps_flash (void)
{
  static const guint8 written[] = { 0xE9, 0x03, 0x02, 0x20, 0x00, 0x11, 0xFF, 0x42 };
  g_autoptr(GlintStream) next = NULL;
  g_autoptr(GlintStream) other = NULL;
  g_autoptr(GlintStream) nameless = NULL;
  g_autoptr(GlintStream) after_gone = NULL;
  g_autoptr(GError) error = NULL;
  GlintStream *first;

  first = new_unopened ("sim://esp32?board=test-keep");
  glint_sim_load_flash (glint_sim_stream_get_sim (GLINT_SIM_STREAM (first)), 0x1000,
                        written, sizeof written);

  /* while the first is still alive */
  next = new_unopened ("sim://esp32?board=test-keep&boot=normal");
  g_assert_cmpmem (flash_of (next) + 0x1000, sizeof written, written, sizeof written);
  g_assert_cmphex (flash_of (next)[0], ==, 0xFF);
  g_assert_true (flash_of (next) != flash_of (first));

  other = new_unopened ("sim://esp32?board=test-other");
  g_assert_cmphex (flash_of (other)[0x1000], ==, 0xFF);
  nameless = new_unopened ("sim://esp32");
  g_assert_cmphex (flash_of (nameless)[0x1000], ==, 0xFF);

  /* and after every stream of the board is gone */
  g_object_unref (first);
  glint_sim_load_flash (glint_sim_stream_get_sim (GLINT_SIM_STREAM (next)), 0x1007,
                        (const guint8 *) "\x43", 1);
  g_clear_object (&next);
  after_gone = new_unopened ("sim://esp32?board=test-keep");
  g_assert_cmpmem (flash_of (after_gone) + 0x1000, 7, written, 7);
  g_assert_cmphex (flash_of (after_gone)[0x1007], ==, 0x43);

  g_assert_null (glint_stream_new_for_address ("sim://esp32?board=", &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS);
}

static void
test_bytes_reach_chip (void)
{
  g_autoptr(GlintStream) stream = glint_test_open_stream ("sim://esp32?boot=download&time-scale=0");
  GlintSim *sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream));
  Frames frames;

  sync_through (stream, &frames);
  g_assert_cmpuint (frames.first_len, >=, 12);
  g_assert_cmphex (frames.first[0], ==, 0x01);
  g_assert_cmphex (frames.first[1], ==, 0x08);
  g_assert_cmpuint (glint_sim_get_counter (sim, GLINT_SIM_COUNTER_SYNCS), >=, 1);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
}

static void
set_lines (GlintStream *stream,
           GlintLines   mask,
           GlintLines   values)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  glint_stream_set_lines_async (stream, mask, values, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 5000);
  glint_stream_set_lines_finish (stream, result, &error);
  g_object_unref (result);
  g_assert_no_error (error);
}

static void
test_lines_reset_chip (void)
{
  g_autoptr(GlintStream) stream = glint_test_open_stream ("sim://esp32?boot=normal&time-scale=0");
  GlintSim *sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream));
  Frames frames;

  /* EN low (RTS), IO0 high; then IO0 low (DTR) as EN rises: download mode */
  set_lines (stream, GLINT_LINE_DTR | GLINT_LINE_RTS, GLINT_LINE_RTS);
  glint_test_spin (20);
  g_assert_cmpint (glint_sim_get_mode (sim), ==, GLINT_SIM_MODE_RESET);
  g_assert_cmpuint (glint_sim_get_lines (sim), ==, GLINT_LINE_RTS);
  set_lines (stream, GLINT_LINE_DTR | GLINT_LINE_RTS, GLINT_LINE_DTR);
  glint_test_spin (50);
  set_lines (stream, GLINT_LINE_DTR, 0);
  glint_test_spin (20);
  g_assert_cmpint (glint_sim_get_mode (sim), ==, GLINT_SIM_MODE_ROM);
  g_assert_cmpuint (glint_sim_get_counter (sim, GLINT_SIM_COUNTER_RESETS), >=, 1);

  sync_through (stream, &frames);
  g_assert_cmphex (frames.first[1], ==, 0x08);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
}

static void
test_baud_reaches_chip (void)
{
  g_autoptr(GlintStream) stream = glint_test_open_stream ("sim://esp32?boot=download&time-scale=0");
  GlintSim *sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream));
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  Frames frames;

  glint_stream_set_baud_async (stream, 460800, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 5000);
  glint_stream_set_baud_finish (stream, result, &error);
  g_object_unref (result);
  g_assert_no_error (error);
  g_assert_cmpuint (glint_stream_get_baud (stream), ==, 460800);

  /* The ROM auto-bauds on SYNC (protocol.md §3.1): it now runs at ours. */
  sync_through (stream, &frames);
  g_assert_cmphex (frames.first[1], ==, 0x08);
  g_assert_cmpuint (glint_sim_get_baud (sim), ==, 460800);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
}

static void
test_purge_input (void)
{
  g_autoptr(GlintStream) stream = glint_test_open_stream ("sim://esp32?boot=download&time-scale=0");
  g_autoptr(GByteArray) request = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  GPollableInputStream *input;
  GAsyncResult *result = NULL;
  guint8 buf[64];
  gssize n;

  glint_slip_encode (sync_request, sizeof sync_request, request);
  glint_test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (stream)),
                        request->data, request->len);
  glint_test_spin (100);   /* eight answers arrive */

  glint_stream_purge_async (stream, GLINT_PURGE_INPUT, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 5000);
  glint_stream_purge_finish (stream, result, &error);
  g_object_unref (result);
  g_assert_no_error (error);

  input = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (G_IO_STREAM (stream)));
  n = g_pollable_input_stream_read_nonblocking (input, buf, sizeof buf, NULL, &error);
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
}

static void
test_disconnect_is_eof (void)
{
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GByteArray) request = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  GInputStream *input;
  GAsyncResult *result = NULL;
  guint8 buf[256];
  gssize n = 1;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  stream = glint_test_open_stream ("sim://esp32?boot=download&time-scale=0&disconnect-after=10");
  glint_slip_encode (sync_request, sizeof sync_request, request);
  glint_test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (stream)),
                        request->data, request->len);

  /* Like an unplugged adapter: the stream ends. */
  input = g_io_stream_get_input_stream (G_IO_STREAM (stream));
  while (n > 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_input_stream_read_async (input, buf, sizeof buf, G_PRIORITY_DEFAULT, NULL,
                                 glint_test_store_result_cb, &result);
      glint_test_wait_for ((gpointer *) &result, 5000);
      n = g_input_stream_read_finish (input, result, &error);
      g_clear_object (&result);
      g_assert_no_error (error);
    }
  g_assert_cmpint (n, ==, 0);
}

static void
assert_rates (GlintStream *stream,
              const guint *expected,
              guint        n_expected)
{
  guint n = 0;
  const guint *rates = glint_stream_get_baud_rates (stream, &n);

  g_assert_cmpuint (n, ==, n_expected);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (rates[i], ==, expected[i]);
}

/* What each transport says it carries, and the USB identity a simulated
 * board can be told it sits behind. */
static void
test_capabilities (void)
{
  static const guint sim_rates[] = { 460800, 921600, 1500000, 2000000 };
  static const guint bridge[] = { 460800, 921600 };
  static const guint remote[] = { 230400, 460800, 921600 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStream) sim = glint_stream_new_for_address ("sim://esp32", &error);
  g_autoptr(GlintStream) native = NULL;
  g_autoptr(GlintStream) cp210x = NULL;
  g_autoptr(GlintStream) socket = NULL;
  g_autoptr(GlintStream) rfc2217 = NULL;
  g_autoptr(GlintUsbIdentity) got = NULL;
  const GlintUsbIdentity *usb;
  gboolean can_set = TRUE;

  g_assert_no_error (error);
  g_assert_true (glint_stream_get_can_set_baud (sim));
  g_assert_null (glint_stream_get_usb_identity (sim));
  assert_rates (sim, sim_rates, G_N_ELEMENTS (sim_rates));

  native = glint_stream_new_for_address ("sim://esp32s3?usb=303a:1001&usb-serial=F4:12"
                                         "&usb-path=pci-0000:00:14.0-usb-0:2:1.0", &error);
  g_assert_no_error (error);
  usb = glint_stream_get_usb_identity (native);
  g_assert_nonnull (usb);
  g_assert_cmphex (usb->vid, ==, 0x303a);
  g_assert_cmphex (usb->pid, ==, 0x1001);
  g_assert_cmpstr (usb->serial, ==, "F4:12");
  g_assert_cmpstr (usb->by_path, ==, "pci-0000:00:14.0-usb-0:2:1.0");
  g_object_get (native, "can-set-baud", &can_set, "usb-identity", &got, NULL);
  g_assert_false (can_set);
  g_assert_true (glint_usb_identity_equal (got, usb));
  assert_rates (native, NULL, 0);

  cp210x = glint_stream_new_for_address ("sim://esp32?usb=10c4:ea60", &error);
  g_assert_no_error (error);
  g_assert_true (glint_stream_get_can_set_baud (cp210x));
  assert_rates (cp210x, bridge, G_N_ELEMENTS (bridge));

  g_assert_null (glint_stream_new_for_address ("sim://esp32?usb=cp2102", &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS);
  g_assert_nonnull (strstr (error->message, "usb=10c4:ea60"));
  g_clear_error (&error);
  g_assert_null (glint_stream_new_for_address ("sim://esp32?usb-serial=1", &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS);
  g_clear_error (&error);

  /* not opened: what they carry is known from the kind of link */
  socket = glint_stream_new_for_address ("socket://127.0.0.1:9", &error);
  g_assert_no_error (error);
  g_assert_false (glint_stream_get_can_set_baud (socket));
  assert_rates (socket, NULL, 0);
  g_assert_null (glint_stream_get_usb_identity (socket));
  rfc2217 = glint_stream_new_for_address ("rfc2217://127.0.0.1:9", &error);
  g_assert_no_error (error);
  g_assert_true (glint_stream_get_can_set_baud (rfc2217));
  assert_rates (rfc2217, remote, G_N_ELEMENTS (remote));
  g_assert_null (glint_stream_get_usb_identity (rfc2217));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  glint_sim_stream_register ();

  g_test_add_func ("/glint/sim-stream/properties", test_properties);
  g_test_add_func ("/glint/sim-stream/bad-addresses", test_bad_addresses);
  g_test_add_func ("/glint/sim-stream/capabilities", test_capabilities);
  g_test_add_func ("/glint/sim-stream/options", test_options_applied);
  g_test_add_func ("/glint/sim-stream/board-keeps-flash", test_board_keeps_flash);
  g_test_add_func ("/glint/sim-stream/bytes", test_bytes_reach_chip);
  g_test_add_func ("/glint/sim-stream/lines-reset", test_lines_reset_chip);
  g_test_add_func ("/glint/sim-stream/baud", test_baud_reaches_chip);
  g_test_add_func ("/glint/sim-stream/purge", test_purge_input);
  g_test_add_func ("/glint/sim-stream/disconnect", test_disconnect_is_eof);

  return g_test_run ();
}
