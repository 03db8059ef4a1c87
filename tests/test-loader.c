/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-bytes.h"
#include "glint-error.h"
#include "glint-link-timing.h"
#include "glint-loader.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-stream.h"
#include "glint-test-utils.h"

/* The loader against the simulated chip behind a real sim:// stream. */

typedef struct
{
  GlintStream *stream;
  GlintSim    *sim;
  GlintLoader *loader;
} Fixture;

static void
fixture_open (Fixture    *f,
              const char *address)
{
  f->stream = glint_test_open_stream (address);
  f->sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (f->stream));
  f->loader = glint_loader_new (f->stream);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->loader);
  if (f->stream != NULL)
    g_io_stream_close (G_IO_STREAM (f->stream), NULL, NULL);
  g_clear_object (&f->stream);
}

static GBytes *
do_command (GlintLoader  *loader,
            guint8        op,
            const void   *payload,
            gsize         len,
            guint32       checksum,
            gsize         resp_len,
            guint32      *value,
            GError      **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (payload, len);
  GAsyncResult *result = NULL;
  GBytes *data;

  glint_loader_command_async (loader, op, len > 0 ? bytes : NULL, checksum, resp_len, 100000,
                              GLINT_COMMAND_NONE, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 30000);
  data = glint_loader_command_finish (loader, result, value, error);
  g_object_unref (result);

  return data;
}

static void
test_sync_rom (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint32 value = 0;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  g_assert_true (glint_test_loader_sync (f->loader, &value, &error));
  g_assert_no_error (error);
  g_assert_cmphex (value, ==, 0x20120707);
  g_assert_cmpuint (glint_loader_get_round_trips (f->loader), ==, 1);

  /* The seven extra answers are dropped; the next command still matches. */
  {
    g_autoptr(GBytes) reply = NULL;
    guint8 addr[4] = { 0x00, 0x10, 0x00, 0x40 };

    reply = do_command (f->loader, GLINT_OP_READ_REG, addr, 4, 0, 0, &value, &error);
    g_assert_no_error (error);
    g_assert_cmphex (value, ==, 0x00F01D83);
  }
  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_SYNCS), ==, 1);
}

static void
test_reset_into_download (Fixture       *f,
                          gconstpointer  data)
{
  GlintResetStrategy strategy = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  guint32 value = 0;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  glint_test_loader_reset (f->loader, strategy);
  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_ROM);
  g_assert_true (glint_test_loader_sync (f->loader, &value, &error));
  g_assert_no_error (error);

  log = glint_loader_take_boot_log (f->loader);
  g_assert_nonnull (strstr (log, "waiting for download"));
}

static void
test_sync_timeout_names_command (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* An app is running: nobody answers. */
  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  glint_link_timing_set_override (glint_loader_get_timing (f->loader), 200000);
  g_assert_false (glint_test_loader_sync (f->loader, NULL, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "SYNC"));
  g_assert_nonnull (strstr (error->message, "RTT"));
}

static void
test_read_regs_batched (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint32 *values = NULL;
  const guint32 addresses[] = { 0x40001000, 0x3FF5A004, 0x3FF5A008, 0x40001000 };
  const guint8 *mac;
  GAsyncResult *result = NULL;
  guint64 commands_before;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  g_assert_true (glint_test_loader_sync (f->loader, NULL, &error));
  commands_before = glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_COMMANDS);

  glint_loader_read_regs_async (f->loader, addresses, G_N_ELEMENTS (addresses), NULL,
                                glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 10000);
  values = glint_loader_read_regs_finish (f->loader, result, &error);
  g_object_unref (result);
  g_assert_no_error (error);

  g_assert_cmphex (values[0], ==, 0x00F01D83);
  g_assert_cmphex (values[3], ==, 0x00F01D83);
  /* ESP32 MAC: big-endian (word2, word1), first two bytes dropped */
  mac = glint_sim_get_mac (f->sim);
  g_assert_cmphex ((values[2] >> 8) & 0xFF, ==, mac[0]);
  g_assert_cmphex (values[2] & 0xFF, ==, mac[1]);
  g_assert_cmphex (values[1] >> 24, ==, mac[2]);
  g_assert_cmphex (values[1] & 0xFF, ==, mac[5]);
  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_COMMANDS) - commands_before,
                    ==, G_N_ELEMENTS (addresses));
}

static void
test_unsupported_command (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;

  const guint32 magic_reg = 0x40001000;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  g_assert_true (glint_test_loader_sync (f->loader, NULL, &error));
  /* a READ_REG first: the ROM's unsupported answers then come under its
   * opcode, and must not answer the READ_REGs below either */
  reply = do_command (f->loader, GLINT_OP_READ_REG, &magic_reg, 4, 0, 0, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_bytes_unref);
  /* The ESP32 ROM has no GET_SECURITY_INFO (protocol.md §4). */
  reply = do_command (f->loader, GLINT_OP_GET_SECURITY_INFO, NULL, 0, 0, 20, NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  /* The ROM says so eight times, under the opcode of the command it
   * answered before: the repeats still on their way must not be taken for
   * the answers of the commands that follow (a READ_REG right after). */
  for (guint i = 0; i < 3; i++)
    {
      guint32 value = 0;

      reply = do_command (f->loader, GLINT_OP_READ_REG, &magic_reg, 4, 0, 0, &value, &error);
      g_assert_no_error (error);
      g_assert_cmphex (value, ==, 0x00F01D83);
      g_clear_pointer (&reply, g_bytes_unref);
    }
}

static void
test_bad_checksum (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  guint8 begin[16] = { 0 };
  guint8 block[16 + 64];
  guint32 sum;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  g_assert_true (glint_test_loader_sync (f->loader, NULL, &error));

  /* MEM_BEGIN 64 bytes, one block, at 0x3FFE0000 */
  begin[0] = 64;
  begin[4] = 1;
  begin[8] = 64;
  begin[12] = 0x00; begin[13] = 0x00; begin[14] = 0xFE; begin[15] = 0x3F;
  reply = do_command (f->loader, GLINT_OP_MEM_BEGIN, begin, sizeof begin, 0, 0, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_bytes_unref);

  memset (block, 0, sizeof block);
  block[0] = 64;
  memset (block + 16, 0xA5, 64);
  sum = glint_loader_checksum (block + 16, 64);
  reply = do_command (f->loader, GLINT_OP_MEM_DATA, block, sizeof block, sum ^ 0x01, 0, NULL,
                      &error);
  g_assert_null (reply);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_CHECKSUM_MISMATCH);
  g_assert_nonnull (strstr (error->message, "checksum"));
}

/* Uploads 64 bytes of "stub" and waits for the greeting. */
static void
start_sim_stub (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GBytes) ohai = g_bytes_new_static ("OHAI", 4);
  g_autoptr(GBytes) end_bytes = NULL;
  guint8 begin[16] = { 64, 0, 0, 0, 1, 0, 0, 0, 64, 0, 0, 0, 0x00, 0x00, 0xFE, 0x3F };
  guint8 block[16 + 64] = { 64 };
  guint8 end[8] = { 0, 0, 0, 0, 0x00, 0x00, 0xFE, 0x3F };
  GAsyncResult *result = NULL;

  g_assert_true (glint_test_loader_sync (f->loader, NULL, &error));

  reply = do_command (f->loader, GLINT_OP_MEM_BEGIN, begin, sizeof begin, 0, 0, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_bytes_unref);
  memset (block + 16, 0x11, 64);
  reply = do_command (f->loader, GLINT_OP_MEM_DATA, block, sizeof block,
                      glint_loader_checksum (block + 16, 64), 0, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_bytes_unref);

  /* MEM_END's own answer may come or not; wait for the greeting only. */
  end_bytes = g_bytes_new (end, sizeof end);
  glint_loader_command_async (f->loader, GLINT_OP_MEM_END, end_bytes,
                              0, 0, 1000, GLINT_COMMAND_NO_RESPONSE, NULL, NULL, NULL);
  glint_loader_wait_frame_async (f->loader, ohai, 100000, NULL, glint_test_store_result_cb,
                                 &result);
  glint_test_wait_for ((gpointer *) &result, 10000);
  glint_loader_wait_frame_finish (f->loader, result, &error);
  g_object_unref (result);
  g_assert_no_error (error);
  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_STUB);
}

static void
test_stub_greeting (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint32 value = 1;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  start_sim_stub (f);

  /* The stub answers SYNC with value 0 (protocol.md §3.1). */
  g_assert_true (glint_test_loader_sync (f->loader, &value, &error));
  g_assert_cmphex (value, ==, 0);
}

static void
test_latency_adapts (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GlintLinkTiming *timing;
  gint64 start = g_get_monotonic_time ();

  /* 200 ms each way: esptool's 100 ms SYNC timeout can never see an answer. */
  fixture_open (f, "sim://esp32?boot=download&time-scale=0&latency=200&jitter=20");
  g_assert_true (glint_stream_get_is_remote (f->stream));
  g_assert_true (glint_test_loader_sync (f->loader, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 400000);

  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GBytes) reply = NULL;
      guint8 addr[4] = { 0x00, 0x10, 0x00, 0x40 };
      guint32 value = 0;

      reply = do_command (f->loader, GLINT_OP_READ_REG, addr, 4, 0, 0, &value, &error);
      g_assert_no_error (error);
      g_assert_cmphex (value, ==, 0x00F01D83);
    }

  timing = glint_loader_get_timing (f->loader);
  g_assert_cmpint (glint_link_timing_get_srtt (timing), >=, 350000);
  g_assert_cmpint (glint_link_timing_get_allowance (timing), >, 400000);
}

static void
count_waiting_late_cb (GlintLoader *loader,
                       guint        op,
                       gdouble      waited,
                       gpointer     user_data)
{
  guint *count = user_data;

  g_assert_cmpuint (op, ==, GLINT_OP_READ_REG);
  g_assert_cmpfloat (waited, >, 0.0);
  (*count)++;
}

/* An answer that misses its budget is listened for as long again before it
 * is called lost: a late answer completes the command (late is not lost),
 * a lost one still ends in a timeout. The allowance is pinned at 50 ms, so
 * a READ_REG's budget is about 50 ms and the late wait ends near 150 ms. */
static void
test_late_answer (Fixture       *f,
                  gconstpointer  data)
{
  const guint latency_ms = GPOINTER_TO_UINT (data);
  g_autofree char *address = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GBytes) payload = NULL;
  guint8 addr[4] = { 0x00, 0x10, 0x00, 0x40 };
  GAsyncResult *result = NULL;
  guint waiting_late = 0;
  guint32 value = 0;

  address = g_strdup_printf ("sim://esp32?boot=download&time-scale=0&latency=%u", latency_ms);
  fixture_open (f, address);
  g_assert_true (glint_test_loader_sync (f->loader, NULL, &error));
  g_signal_connect (f->loader, "waiting-late", G_CALLBACK (count_waiting_late_cb),
                    &waiting_late);
  glint_link_timing_set_override (glint_loader_get_timing (f->loader), 50000);

  payload = g_bytes_new (addr, sizeof addr);
  glint_loader_command_async (f->loader, GLINT_OP_READ_REG, payload, 0, 0, 0,
                              GLINT_COMMAND_NONE, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 30000);
  reply = glint_loader_command_finish (f->loader, result, &value, &error);
  g_object_unref (result);
  g_assert_cmpuint (waiting_late, ==, 1);

  if (latency_ms * 2 < 130)
    {
      g_assert_no_error (error);
      g_assert_cmphex (value, ==, 0x00F01D83);
    }
  else
    {
      g_assert_error (error, GLINT_ERROR, GLINT_ERROR_TIMEOUT);
      g_assert_null (reply);
    }
}

/* The window's main loop can be held up (a long frame, a busy machine)
 * while an answer is already on its way. When the loop runs again, the
 * answer that arrived meanwhile must win over the timer that expired, also
 * for a pipelined command whose timer started after the read was queued. */
static void
test_main_loop_stall (Fixture       *f,
                      gconstpointer  data)
{
  guint8 addr[4] = { 0x00, 0x10, 0x00, 0x40 };
  g_autoptr(GBytes) bytes = g_bytes_new (addr, sizeof addr);
  g_autoptr(GBytes) attach = g_bytes_new_take (g_malloc0 (8), 8);
  g_autoptr(GError) error = NULL;
  GAsyncResult *results[2] = { NULL, NULL };

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  g_assert_true (glint_test_loader_sync (f->loader, NULL, &error));
  g_assert_no_error (error);
  glint_link_timing_set_override (glint_loader_get_timing (f->loader), 20000);

  /* (two opcodes: a READ_REG behind the first would hold its answer back
   * until both came, protocol.md §9) */
  glint_loader_command_async (f->loader, GLINT_OP_READ_REG, bytes, 0, 0, 100000,
                              GLINT_COMMAND_NONE, NULL, glint_test_store_result_cb,
                              &results[0]);
  glint_loader_command_async (f->loader, GLINT_OP_SPI_ATTACH, attach, 0, 0, 100000,
                              GLINT_COMMAND_NONE, NULL, glint_test_store_result_cb,
                              &results[1]);

  /* The first answer starts the second command's clock; stall right then. */
  glint_test_wait_for ((gpointer *) &results[0], 30000);
  g_assert_null (results[1]);
  g_usleep (300 * 1000);

  glint_test_wait_for ((gpointer *) &results[1], 30000);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GBytes) reply = NULL;
      guint32 value = 0;

      reply = glint_loader_command_finish (f->loader, results[i], &value, &error);
      g_object_unref (results[i]);
      g_assert_no_error (error);
      if (i == 0)
        g_assert_cmphex (value, ==, 0x00F01D83);
    }
}

/* Waits for the answer to a command sent with glint_test_store_result_cb. */
static GBytes *
finish_command (GlintLoader   *loader,
                GAsyncResult **slot,
                GError       **error)
{
  GBytes *reply;

  glint_test_wait_for ((gpointer *) slot, 30000);
  reply = glint_loader_command_finish (loader, *slot, NULL, error);
  g_clear_object (slot);
  return reply;
}

/* The chip resets (a brown-out) while it writes a block through the ROM:
 * its answer will never come. The loader gives up on it as soon as the
 * boot messages show the reset, instead of waiting out the block's budget
 * and the late wait (some 6 s here); at the boot rate they are readable,
 * after a speed change they come garbled, and still say it. */
static void
test_chip_reset_abandons (Fixture       *f,
                          gconstpointer  data)
{
  gboolean garbled = GPOINTER_TO_INT (data);
  g_autofree guint8 *block = g_malloc (4096);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  GAsyncResult *result = NULL;
  gint64 sent;

  memset (block, 0x5a, 4096);
  /* (an ESP32-S3: the ESP32 ROM sets its speed from a crystal it guesses) */
  fixture_open (f, "sim://esp32s3?boot=download&time-scale=0&brown-out-at=1000");
  g_assert_true (glint_test_loader_sync (f->loader, NULL, &error));
  g_assert_no_error (error);
  glint_test_spin (50);   /* the ROM's extra SYNC answers */

  if (garbled)
    {
      glint_loader_change_baudrate_async (f->loader, 460800, 0, FALSE, NULL,
                                          glint_test_store_result_cb, &result);
      reply = finish_command (f->loader, &result, &error);
      g_assert_no_error (error);
      g_clear_pointer (&reply, g_bytes_unref);
      g_assert_true (glint_test_set_baud (f->stream, 460800, &error));
      g_assert_no_error (error);
    }

  glint_loader_flash_begin_async (f->loader, FALSE, 4096, 1, 4096, 0x10000, FALSE, FALSE, NULL,
                                  glint_test_store_result_cb, &result);
  reply = finish_command (f->loader, &result, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_bytes_unref);

  sent = g_get_monotonic_time ();
  glint_loader_flash_data_async (f->loader, block, 4096, 4096, 0, FALSE, NULL,
                                 glint_test_store_result_cb, &result);
  reply = finish_command (f->loader, &result, &error);
  g_assert_null (reply);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_CHIP_RESET);
  g_assert_nonnull (strstr (error->message, "FLASH_DATA"));
  g_assert_nonnull (strstr (error->message, garbled ? "unreadable bytes" : "boot messages"));
  g_assert_cmpint (g_get_monotonic_time () - sent, <, 2 * G_USEC_PER_SEC);
}

/* A boot log that shows a reset into download mode (the power-on banner of
 * a board opened in download mode) comes while a command is on its way:
 * that chip listens, the command is answered. */
static void
test_download_banner_keeps_command (Fixture       *f,
                                    gconstpointer  data)
{
  guint8 addr[4] = { 0x00, 0x10, 0x00, 0x40 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autofree char *log = NULL;
  guint32 value = 0;

  /* (no SYNC first: the banner is still on its way) */
  fixture_open (f, "sim://esp32?boot=download&time-scale=0&latency=20");
  reply = do_command (f->loader, GLINT_OP_READ_REG, addr, 4, 0, 0, &value, &error);
  g_assert_no_error (error);
  g_assert_cmphex (value, ==, 0x00F01D83);
  log = glint_loader_take_boot_log (f->loader);
  g_assert_nonnull (strstr (log, "waiting for download"));
}

static void
test_disconnect_fails_pending (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  guint8 addr[4] = { 0x00, 0x10, 0x00, 0x40 };

  /* The link dies after the SYNC (46 bytes on the wire) and a few more. */
  fixture_open (f, "sim://esp32?boot=download&time-scale=0&disconnect-after=60");
  g_assert_true (glint_test_loader_sync (f->loader, NULL, &error));
  g_assert_no_error (error);

  reply = do_command (f->loader, GLINT_OP_READ_REG, addr, 4, 0, 0, NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED);

  /* Everything after fails the same way, at once. */
  g_clear_error (&error);
  g_assert_false (glint_test_loader_sync (f->loader, NULL, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED);
}

static void
test_cancel_pending (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GAsyncResult *result = NULL;
  gint64 start;

  fixture_open (f, "sim://esp32?boot=normal&time-scale=0");
  glint_loader_sync_async (f->loader, cancellable, glint_test_store_result_cb, &result);
  glint_test_spin (50);
  start = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  glint_test_wait_for ((gpointer *) &result, 5000);
  g_assert_false (glint_loader_sync_finish (f->loader, result, NULL, &error));
  g_object_unref (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Well before the 1 s initial allowance would have run out. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 900000);
}

static GBytes *
wait_raw (Fixture  *f,
          GError  **error)
{
  GAsyncResult *result = NULL;
  GBytes *frame;

  glint_loader_wait_raw_frame_async (f->loader, 0x1000, 100000, NULL,
                                     glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 10000);
  frame = glint_loader_wait_raw_frame_finish (f->loader, result, error);
  g_object_unref (result);

  return frame;
}

/* Stub READ_FLASH: a response, then raw data frames each acknowledged by a
 * raw frame, then the MD5 (protocol.md §6.4). */
static void
test_raw_frames (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  g_autoptr(GByteArray) got = g_byte_array_new ();
  guint8 image[5000];
  guint8 request[16] = { 0x00, 0x10, 0, 0, 0x88, 0x13, 0, 0, 0x00, 0x10, 0, 0, 1, 0, 0, 0 };
  guint8 digest[16];
  gsize digest_len = sizeof digest;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  for (guint i = 0; i < sizeof image; i++)
    image[i] = (guint8) g_random_int ();
  glint_sim_load_flash (f->sim, 0x1000, image, sizeof image);
  start_sim_stub (f);

  /* Not capturing: nothing to wait for. */
  frame = wait_raw (f, &error);
  g_assert_null (frame);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED);
  g_clear_error (&error);

  glint_loader_set_capture_raw (f->loader, TRUE);
  reply = do_command (f->loader, GLINT_OP_READ_FLASH, request, sizeof request, 0, 0, NULL,
                      &error);
  g_assert_no_error (error);

  while (got->len < sizeof image)
    {
      guint8 ack[4];
      g_autoptr(GBytes) ack_bytes = NULL;
      gsize len;
      const guint8 *p;

      g_clear_pointer (&frame, g_bytes_unref);
      frame = wait_raw (f, &error);
      g_assert_no_error (error);
      p = g_bytes_get_data (frame, &len);
      g_assert_cmpuint (len, ==, MIN (0x1000, sizeof image - got->len));
      g_byte_array_append (got, p, len);
      ack[0] = got->len & 0xFF;
      ack[1] = (got->len >> 8) & 0xFF;
      ack[2] = (got->len >> 16) & 0xFF;
      ack[3] = (got->len >> 24) & 0xFF;
      ack_bytes = g_bytes_new (ack, sizeof ack);
      g_assert_true (glint_loader_send_raw (f->loader, ack_bytes, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpmem (got->data, got->len, image, sizeof image);

  g_clear_pointer (&frame, g_bytes_unref);
  frame = wait_raw (f, &error);
  g_assert_no_error (error);
  g_checksum_update (md5, image, sizeof image);
  g_checksum_get_digest (md5, digest, &digest_len);
  g_assert_cmpmem (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), digest, 16);

  /* Nothing more comes: the wait times out, naming what it waited for. */
  g_clear_pointer (&frame, g_bytes_unref);
  frame = wait_raw (f, &error);
  g_assert_null (frame);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "data from the chip"));
  g_clear_error (&error);

  /* Commands still work afterwards. */
  glint_loader_set_capture_raw (f->loader, FALSE);
  g_assert_true (glint_test_loader_sync (f->loader, NULL, &error));
  g_assert_no_error (error);
}

static void
test_status_parsing (void)
{
  const guint8 rom_ok[] = { 0, 0, 0, 0 };
  const guint8 rom_fail[] = { 1, 7, 0, 0 };
  const guint8 stub_fail[] = { 0xC1, 0x00 };
  const guint8 md5_ok[34] = { [32] = 0, [33] = 0 };
  guint16 code = 0xFFFF;

  g_assert_true (glint_loader_parse_status (rom_ok, 4, 0, &code));
  g_assert_cmphex (code, ==, 0);
  g_assert_true (glint_loader_parse_status (rom_fail, 4, 0, &code));
  g_assert_cmphex (code, ==, 0x0107);
  g_assert_cmpstr (glint_loader_describe_status (code), ==, "checksum error");
  g_assert_true (glint_loader_parse_status (stub_fail, 2, 0, &code));
  g_assert_cmphex (code, ==, 0xC100);
  g_assert_cmpstr (glint_loader_describe_status (code), ==, "bad data checksum");
  /* status after a 32-byte payload */
  g_assert_true (glint_loader_parse_status (md5_ok, 34, 32, &code));
  g_assert_cmphex (code, ==, 0);
  /* too short for a payload: the status is at the start */
  g_assert_true (glint_loader_parse_status (rom_fail, 2, 32, &code));
  g_assert_cmphex (code, ==, 0x0107);
  g_assert_false (glint_loader_parse_status (rom_fail, 1, 0, &code));

  g_assert_cmphex (glint_loader_checksum ((const guint8 *) "", 0), ==, 0xEF);
  g_assert_cmphex (glint_loader_checksum ((const guint8 *) "\xEF", 1), ==, 0x00);
}

/* Probes (protocol.md §7.3) ---------------------------------------------------- */

typedef struct
{
  guint8   lose_op;     /* the answer to lose, once */
  gulong   link_handler; /* the sim's link, taking the chip's output */
  gboolean blocked;
  guint    lost;
} LoseAnswer;

/* Runs before the sim's link takes the bytes: blocks it for the one
 * output that holds the answer to lose. */
static gboolean
lose_answer_hook (GSignalInvocationHint *hint,
                  guint                  n_values,
                  const GValue          *values,
                  gpointer               user_data)
{
  LoseAnswer *la = user_data;
  gpointer sim = g_value_get_object (&values[0]);
  GBytes *bytes = g_value_get_boxed (&values[1]);
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  gboolean lose = FALSE;

  for (gsize i = 0; la->lost == 0 && i + 2 < size && !lose; i++)
    lose = data[i] == 0xC0 && data[i + 1] == 0x01 && data[i + 2] == la->lose_op;

  if (lose != la->blocked)
    {
      if (lose)
        g_signal_handler_block (sim, la->link_handler);
      else
        g_signal_handler_unblock (sim, la->link_handler);
      la->blocked = lose;
    }
  if (lose)
    la->lost++;

  return TRUE;
}

static GBytes *
flash_begin (Fixture  *f,
             gint64    processing_us,
             gint64   *took_us,
             GError  **error)
{
  const guint32 words[4] = { 0x1000, 1, 0x400, 0x10000 };
  guint8 payload[16];
  g_autoptr(GBytes) bytes = NULL;
  GAsyncResult *result = NULL;
  gint64 start = g_get_monotonic_time ();
  GBytes *data;

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    glint_put_u32 (payload + 4 * i, words[i]);
  bytes = g_bytes_new (payload, sizeof payload);
  glint_loader_command_async (f->loader, GLINT_OP_FLASH_BEGIN, bytes, 0, 0, processing_us,
                              GLINT_COMMAND_NONE, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 60000);
  data = glint_loader_command_finish (f->loader, result, NULL, error);
  g_object_unref (result);
  *took_us = g_get_monotonic_time () - start;

  return data;
}

/* A lost answer to a long command (a ROM erase, 4 s of budget here) is
 * found by the probe sent behind it once a chip with no work would have
 * answered: a round trip, not the budget and the late wait (some 8 s).
 * The loader then goes on as before. */
static void
test_probe_finds_lost_answer (Fixture       *f,
                              gconstpointer  data)
{
  LoseAnswer la = { GLINT_OP_FLASH_BEGIN, 0, FALSE, 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  guint8 addr[4] = { 0x00, 0x10, 0x00, 0x40 };
  guint signal_id;
  gulong hook;
  guint32 value = 0;
  gint64 took = 0;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  g_assert_true (glint_test_loader_sync (f->loader, NULL, &error));
  glint_link_timing_set_override (glint_loader_get_timing (f->loader), 50000);
  glint_loader_set_probe_register (f->loader, 0x40001000);
  signal_id = g_signal_lookup ("output", GLINT_TYPE_SIM);
  la.link_handler = g_signal_handler_find (f->sim, G_SIGNAL_MATCH_ID, signal_id, 0, NULL, NULL,
                                           NULL);
  g_assert_cmpuint (la.link_handler, !=, 0);
  hook = g_signal_add_emission_hook (signal_id, 0, lose_answer_hook, &la, NULL);

  reply = flash_begin (f, 4 * G_USEC_PER_SEC, &took, &error);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "FLASH_BEGIN was lost"));
  g_assert_null (reply);
  g_assert_cmpuint (la.lost, ==, 1);
  g_assert_cmpint (took, <, G_USEC_PER_SEC);
  g_clear_error (&error);

  /* the next command gets its own answer */
  g_clear_pointer (&reply, g_bytes_unref);
  reply = do_command (f->loader, GLINT_OP_READ_REG, addr, sizeof addr, 0, 0, &value, &error);
  g_assert_no_error (error);
  g_assert_cmphex (value, ==, 0x00F01D83);

  g_signal_remove_emission_hook (signal_id, hook);
}

/* Late is not lost: over a 400 ms round trip the probe goes out long
 * before the answer comes, and its answer comes after it. */
static void
test_probe_keeps_late_answer (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  guint before;
  gint64 took = 0;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0&latency=200");
  g_assert_true (glint_test_loader_sync (f->loader, NULL, &error));
  glint_link_timing_set_override (glint_loader_get_timing (f->loader), 50000);
  glint_loader_set_probe_register (f->loader, 0x40001000);
  before = glint_loader_get_round_trips (f->loader);

  reply = flash_begin (f, 4 * G_USEC_PER_SEC, &took, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
  g_assert_cmpint (took, >=, 400000);
  /* the probe went out, and its answer arrives after the command's */
  glint_test_spin (600);
  g_assert_cmpuint (glint_loader_get_round_trips (f->loader), ==, before + 2);
}

/* The MD5 of @size bytes at 0 (the ROM's 32 hex digits), or %NULL with
 * @error set; with @slot, only sent (the caller waits). */
static void
send_md5 (Fixture       *f,
          guint32        size,
          GAsyncResult **slot)
{
  glint_loader_flash_md5_async (f->loader, 0, size, FALSE, NULL, glint_test_store_result_cb,
                                slot);
}

static char *
md5_of (Fixture       *f,
        GAsyncResult **slot,
        GError       **error)
{
  g_autoptr(GBytes) reply = finish_command (f->loader, slot, error);

  return reply != NULL ? g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply))
                       : NULL;
}

/* Two pipelined SPI_FLASH_MD5s (the change scan's, protocol.md §8.1) whose
 * first answer is lost: the second one's answer comes alone and cannot be
 * told from the first's. Neither digest may be taken (a wrong digest for
 * the first region would make the scan skip a region that differs): both
 * fail, the first saying that its answer may have been the other's, and
 * the loader goes on as before. */
static void
test_same_op_pair_lost (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *small = NULL;
  g_autofree char *large = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *again = NULL;
  GAsyncResult *results[2] = { NULL, NULL };
  GAsyncResult *result = NULL;
  gint64 start;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  g_assert_true (glint_test_loader_sync (f->loader, NULL, &error));
  glint_link_timing_set_override (glint_loader_get_timing (f->loader), 50000);
  glint_loader_set_probe_register (f->loader, 0x40001000);

  /* the right digests, asked one at a time */
  send_md5 (f, 0x1000, &result);
  small = md5_of (f, &result, &error);
  g_assert_no_error (error);
  send_md5 (f, 0x2000, &result);
  large = md5_of (f, &result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (small, !=, large);

  g_assert_true (glint_sim_set_option (f->sim, "lose-reply", "19", &error));
  start = g_get_monotonic_time ();
  send_md5 (f, 0x1000, &results[0]);
  send_md5 (f, 0x2000, &results[1]);
  first = md5_of (f, &results[0], &error);
  /* (the bug: the second's digest, taken for the first's) */
  g_assert_cmpstr (first, !=, large);
  g_assert_null (first);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "SPI_FLASH_MD5"));
  g_assert_nonnull (strstr (error->message, "ask"));
  g_clear_error (&error);
  second = md5_of (f, &results[1], &error);
  g_assert_null (second);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_TIMEOUT);
  g_clear_error (&error);
  /* found by the probe: no budget waited out */
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);

  /* asked again, both are right */
  send_md5 (f, 0x1000, &results[0]);
  send_md5 (f, 0x2000, &results[1]);
  g_clear_pointer (&first, g_free);
  first = md5_of (f, &results[0], &error);
  g_assert_no_error (error);
  again = md5_of (f, &results[1], &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, small);
  g_assert_cmpstr (again, ==, large);
}

/* Opens @url and syncs, with a round trip of @rtt_us assumed if not 0;
 * then a probe reads the first MAC word, whose value the loader is told
 * (as detection read it); the READ_REG probed reads the chip's magic word. */
static guint32
open_probing_by_value (Fixture    *f,
                       const char *url,
                       gint64      rtt_us)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  const guint32 mac_reg = 0x3FF5A004;
  guint32 value = 0;

  fixture_open (f, url);
  g_assert_true (glint_test_loader_sync (f->loader, NULL, &error));
  g_assert_no_error (error);
  if (rtt_us != 0)
    glint_link_timing_set_override (glint_loader_get_timing (f->loader), rtt_us);
  reply = do_command (f->loader, GLINT_OP_READ_REG, &mac_reg, 4, 0, 0, &value, &error);
  g_assert_no_error (error);
  g_assert_cmphex (value, !=, 0x00F01D83);
  glint_loader_set_probe_registers (f->loader, &mac_reg, &value, 1);

  return value;
}

static GBytes *
read_magic (Fixture  *f,
            guint32  *value,
            gint64   *took_us,
            GError  **error)
{
  const guint32 magic_reg = 0x40001000;
  gint64 start = g_get_monotonic_time ();
  GBytes *reply;

  reply = do_command (f->loader, GLINT_OP_READ_REG, &magic_reg, 4, 0, 0, value, error);
  *took_us = g_get_monotonic_time () - start;
  return reply;
}

/* A lost READ_REG answer is found by a probe too, a READ_REG of another
 * register told from it by its known value: about the budget (0.5 s
 * here), not the budget and the late wait (1.5 s). */
static void
test_probe_read_reg_lost (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  guint32 value = 0;
  gint64 took = 0;

  open_probing_by_value (f, "sim://esp32?boot=download&time-scale=0", 500000);

  g_assert_true (glint_sim_set_option (f->sim, "lose-reply", "10", &error));
  reply = read_magic (f, &value, &took, &error);
  g_assert_null (reply);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "READ_REG was lost"));
  g_assert_cmpint (took, <, 900000);
  g_clear_error (&error);

  /* the probe's answer was taken as the probe's: the next READ_REG gets
   * its own */
  reply = read_magic (f, &value, &took, &error);
  g_assert_no_error (error);
  g_assert_cmphex (value, ==, 0x00F01D83);
}

/* The READ_REG's answer is lost and the probe's value word damaged on the
 * way (no checksum covers it): the probe's answer, no longer telling by
 * its value, is taken for the READ_REG's, but held until the probe has
 * its own, which never comes. Both fail; no damaged value is returned. */
static void
test_probe_read_reg_damaged (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  guint32 value = 0;
  gint64 took = 0;

  open_probing_by_value (f, "sim://esp32?boot=download&time-scale=0", 100000);

  /* the first READ_REG answer lost, the second's value garbled */
  g_assert_true (glint_sim_set_option (f->sim, "garble-reply", "10", &error));
  g_assert_true (glint_sim_set_option (f->sim, "garble-skip", "1", &error));
  g_assert_true (glint_sim_set_option (f->sim, "lose-reply", "10", &error));
  reply = read_magic (f, &value, &took, &error);
  g_assert_null (reply);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "asked again"));
  g_clear_error (&error);

  reply = read_magic (f, &value, &took, &error);
  g_assert_no_error (error);
  g_assert_cmphex (value, ==, 0x00F01D83);
}

/* Late is not lost for a READ_REG either: over a 400 ms round trip its
 * probe goes out at 200 ms (the budget; the late wait would end at 600),
 * and the answer that comes first, with another value than the probe's,
 * is the READ_REG's. */
static void
test_probe_read_reg_late (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  guint32 value = 0;
  gint64 took = 0;
  guint before;

  open_probing_by_value (f, "sim://esp32?boot=download&time-scale=0&latency=200", 0);
  glint_link_timing_set_override (glint_loader_get_timing (f->loader), 200000);
  before = glint_loader_get_round_trips (f->loader);

  reply = read_magic (f, &value, &took, &error);
  g_assert_no_error (error);
  g_assert_cmphex (value, ==, 0x00F01D83);
  g_assert_cmpint (took, >=, 400000);
  /* the probe went out; the READ_REG's answer, which came first, was held
   * until the probe's had come too (protocol.md §7.3) */
  g_assert_cmpuint (glint_loader_get_round_trips (f->loader), ==, before + 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  glint_sim_stream_register ();

  g_test_add_func ("/glint/loader/status", test_status_parsing);
  g_test_add ("/glint/loader/sync-rom", Fixture, NULL, NULL, test_sync_rom, fixture_teardown);
  g_test_add ("/glint/loader/reset/classic", Fixture, GINT_TO_POINTER (GLINT_RESET_CLASSIC),
              NULL, test_reset_into_download, fixture_teardown);
  g_test_add ("/glint/loader/reset/unix-tight", Fixture,
              GINT_TO_POINTER (GLINT_RESET_UNIX_TIGHT), NULL, test_reset_into_download,
              fixture_teardown);
  g_test_add ("/glint/loader/sync-timeout", Fixture, NULL, NULL,
              test_sync_timeout_names_command, fixture_teardown);
  g_test_add ("/glint/loader/read-regs-batched", Fixture, NULL, NULL, test_read_regs_batched,
              fixture_teardown);
  g_test_add ("/glint/loader/unsupported", Fixture, NULL, NULL, test_unsupported_command,
              fixture_teardown);
  g_test_add ("/glint/loader/bad-checksum", Fixture, NULL, NULL, test_bad_checksum,
              fixture_teardown);
  g_test_add ("/glint/loader/stub-greeting", Fixture, NULL, NULL, test_stub_greeting,
              fixture_teardown);
  g_test_add ("/glint/loader/raw-frames", Fixture, NULL, NULL, test_raw_frames,
              fixture_teardown);
  g_test_add ("/glint/loader/latency", Fixture, NULL, NULL, test_latency_adapts,
              fixture_teardown);
  g_test_add ("/glint/loader/late-answer", Fixture, GUINT_TO_POINTER (45), NULL,
              test_late_answer, fixture_teardown);
  g_test_add ("/glint/loader/lost-answer", Fixture, GUINT_TO_POINTER (400), NULL,
              test_late_answer, fixture_teardown);
  g_test_add ("/glint/loader/probe/lost", Fixture, NULL, NULL, test_probe_finds_lost_answer,
              fixture_teardown);
  g_test_add ("/glint/loader/probe/late", Fixture, NULL, NULL, test_probe_keeps_late_answer,
              fixture_teardown);
  g_test_add ("/glint/loader/probe/same-op-pair", Fixture, NULL, NULL, test_same_op_pair_lost,
              fixture_teardown);
  g_test_add ("/glint/loader/probe/read-reg-lost", Fixture, NULL, NULL,
              test_probe_read_reg_lost, fixture_teardown);
  g_test_add ("/glint/loader/probe/read-reg-late", Fixture, NULL, NULL,
              test_probe_read_reg_late, fixture_teardown);
  g_test_add ("/glint/loader/probe/read-reg-damaged", Fixture, NULL, NULL,
              test_probe_read_reg_damaged, fixture_teardown);
  g_test_add ("/glint/loader/main-loop-stall", Fixture, NULL, NULL, test_main_loop_stall,
              fixture_teardown);
  g_test_add ("/glint/loader/disconnect", Fixture, NULL, NULL, test_disconnect_fails_pending,
              fixture_teardown);
  g_test_add ("/glint/loader/chip-reset/readable", Fixture, GINT_TO_POINTER (FALSE), NULL,
              test_chip_reset_abandons, fixture_teardown);
  g_test_add ("/glint/loader/chip-reset/garbled", Fixture, GINT_TO_POINTER (TRUE), NULL,
              test_chip_reset_abandons, fixture_teardown);
  g_test_add ("/glint/loader/chip-reset/download-banner", Fixture, NULL, NULL,
              test_download_banner_keeps_command, fixture_teardown);
  g_test_add ("/glint/loader/cancel", Fixture, NULL, NULL, test_cancel_pending,
              fixture_teardown);

  return g_test_run ();
}
