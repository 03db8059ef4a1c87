/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "glint-error.h"
#include "glint-flash-options.h"
#include "glint-flash-plan.h"
#include "glint-flasher.h"
#include "glint-protocol.h"
#include "glint-stream.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-slip.h"
#include "glint-stream-address.h"
#include "glint-test-utils.h"

/*
 * A flash job that loses its link mid-write comes back: it reconnects,
 * finds the same chip, and writes only what had not arrived; the final MD5
 * decides. Against glint-sim-server in another process (raw TCP, RFC 2217:
 * the connection dropped once with the chip running on) and sim:// (a
 * brown-out: the chip resets and prints its boot log). Where recovery
 * cannot work (a reset chip behind a link without DTR/RTS) the job fails
 * at once and says why.
 */

#define IMAGE_SIZE (256 * 1024)
#define OFFSET     0x10000

typedef struct
{
  char        *dir;
  char        *flash_path;
  GSubprocess *server;
  char        *address;
} Board;

typedef struct
{
  guint    reconnecting;     /* signals */
  guint    last_attempt;
  guint    last_max;
  char    *first_cause;
  GString *log;
} Watch;

static void
board_start_with_flash (Board      *board,
                        const char *mode,
                        const char *options,
                        const char *drop_after,
                        const char *flash_file);

static void
board_start (Board      *board,
             const char *mode,
             const char *options,
             const char *drop_after)
{
  board_start_with_flash (board, mode, options, drop_after, NULL);
}

/* @flash_file: (nullable): what the board's flash holds at the start */
static void
board_start_with_flash (Board      *board,
                        const char *mode,
                        const char *options,
                        const char *drop_after,
                        const char *flash_file)
{
  g_autoptr(GError) error = NULL;
  const char *args[] = { "--options", options,
                         drop_after != NULL ? "--drop-after" : NULL, drop_after, NULL };
  GlintTestBoardOptions board_options = {
    g_str_equal (mode, "pty") ? GLINT_TEST_LINK_PTY :
    g_str_equal (mode, "tcp") ? GLINT_TEST_LINK_TCP : GLINT_TEST_LINK_RFC2217,
    NULL, args, "ign_set_control"
  };

  board->dir = g_dir_make_tmp ("glint-reconnect-XXXXXX", &error);
  g_assert_no_error (error);
  board->flash_path = g_build_filename (board->dir, "flash.bin", NULL);
  if (flash_file != NULL)
    {
      g_autofree char *data = NULL;
      gsize len = 0;

      g_assert_true (g_file_get_contents (flash_file, &data, &len, NULL));
      g_assert_true (g_file_set_contents (board->flash_path, data, len, NULL));
    }

  board_options.flash_path = board->flash_path;
  board->server = glint_test_board_start (&board_options, &board->address);
}

/* Stops the board and returns what its flash holds. */
static GBytes *
board_stop (Board *board)
{
  GBytes *flash = glint_test_board_stop (board->server, board->flash_path);

  g_clear_object (&board->server);
  glint_test_remove_dir (board->dir);
  g_clear_pointer (&board->dir, g_free);
  g_clear_pointer (&board->flash_path, g_free);
  g_clear_pointer (&board->address, g_free);

  return flash;
}

static void
assert_holds (GBytes  *flash_contents,
              guint32  offset,
              GBytes  *image)
{
  gsize flash_len;
  const guint8 *data = g_bytes_get_data (flash_contents, &flash_len);
  gsize len = g_bytes_get_size (image);

  g_assert_cmpuint (flash_len, >=, offset + len);
  g_assert_cmpmem (data + offset, len, g_bytes_get_data (image, NULL), len);
}

static void
on_reconnecting_cb (GlintFlasher *flasher,
                    guint         attempt,
                    guint         max,
                    const char   *cause,
                    Watch        *watch)
{
  watch->reconnecting++;
  watch->last_attempt = attempt;
  watch->last_max = max;
  if (watch->first_cause == NULL)
    watch->first_cause = g_strdup (cause);
}

static void
on_log_cb (GlintFlasher  *flasher,
           GlintLogLevel  level,
           const char    *message,
           Watch         *watch)
{
  g_string_append_printf (watch->log, "%s\n", message);
}

static void
watch_clear (Watch *watch)
{
  g_free (watch->first_cause);
  g_string_free (watch->log, TRUE);
}

/* Scales the flasher's waits (and so the back-off) for the tests that
 * wait out every attempt: the simulator answers at once or never. */
static gdouble timeout_scale = 1.0;

/* The simulated chip's answers by command, from the first reconnect on:
 * what a recovery asked (each a round trip where it waits for it). */
typedef struct
{
  GlintSlipDecoder *decoder;
  gboolean          counting;
  guint             answers[256];
} Answers;

static Answers *answers;   /* set by a test for flash () over sim:// */

static void
answer_frame_cb (const guint8 *frame,
                 gsize         len,
                 gpointer      user_data)
{
  Answers *a = user_data;

  if (a->counting && len >= 8 && frame[0] == 0x01)
    a->answers[frame[1]]++;
}

static void
on_sim_output_cb (GlintSim *sim,
                  GBytes   *bytes,
                  Answers  *a)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  glint_slip_decoder_feed (a->decoder, data, len, answer_frame_cb, a);
}

static void
on_reconnecting_count_cb (GlintFlasher *flasher,
                          guint         attempt,
                          guint         max,
                          const char   *cause,
                          Answers      *a)
{
  a->counting = TRUE;
}

static guint
answers_besides (const Answers *a,
                 guint8         op)
{
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (a->answers); i++)
    n += i == op || i == GLINT_OP_SYNC ? 0 : a->answers[i];
  return n;
}

/* Flashes @image at OFFSET through @address; the flasher is returned in
 * @out_flasher for the caller to look at. */
static gboolean
flash (const char    *address,
       GBytes        *image,
       guint          baud,
       Watch         *watch,
       GlintFlasher **out_flasher,
       GError       **error)
{
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  GAsyncResult *result = NULL;
  gboolean ok;

  stream = glint_stream_new_for_address (address, error);
  g_assert_nonnull (stream);
  flasher = glint_flasher_new (stream);
  glint_flash_plan_add_bytes (plan, OFFSET, image, "app");
  glint_flasher_set_plan (flasher, plan);
  glint_flasher_set_baud (flasher, baud);
  glint_flasher_set_timeout_scale (flasher, timeout_scale);
  watch->log = g_string_new (NULL);
  g_signal_connect (flasher, "reconnecting", G_CALLBACK (on_reconnecting_cb), watch);
  g_signal_connect (flasher, "log", G_CALLBACK (on_log_cb), watch);
  if (answers != NULL)
    {
      answers->decoder = glint_slip_decoder_new (1024);
      g_signal_connect (glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream)), "output",
                        G_CALLBACK (on_sim_output_cb), answers);
      g_signal_connect (flasher, "reconnecting", G_CALLBACK (on_reconnecting_count_cb), answers);
    }

  glint_flasher_flash_async (flasher, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 120000);
  ok = glint_flasher_flash_finish (flasher, result, error);
  g_object_unref (result);
  if (answers != NULL)
    {
      g_signal_handlers_disconnect_by_data (glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream)),
                                            answers);
      g_signal_handlers_disconnect_by_data (flasher, answers);
      g_clear_pointer (&answers->decoder, glint_slip_decoder_free);
    }
  g_io_stream_close (G_IO_STREAM (glint_flasher_get_stream (flasher)), NULL, NULL);
  *out_flasher = g_steal_pointer (&flasher);

  return ok;
}

/* The connection drops once mid-write, the chip runs on (the stub too):
 * the job reconnects, finds what arrived by MD5 and writes the rest only. */
static void
test_drop (gconstpointer data)
{
  const char *mode = data;
  g_autoptr(GBytes) image = glint_test_app_like (IMAGE_SIZE);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  Watch watch = { 0 };
  Board board = { 0 };

  /* (some 30 KiB of stub and set-up come first) */
  board_start (&board, mode, "time-scale=0", "90000");
  g_assert_true (flash (board.address, image, 460800, &watch, &flasher, &error));
  g_assert_no_error (error);
  g_test_message ("%s", watch.log->str);

  g_assert_cmpuint (watch.reconnecting, ==, 1);
  g_assert_cmpuint (watch.last_attempt, ==, 1);
  g_assert_cmpuint (watch.last_max, ==, 5);
  g_assert_nonnull (strstr (watch.first_cause, "writing app at 0x10000"));
  g_assert_nonnull (strstr (watch.log->str, "Link lost — reconnecting (1 of 5)"));
  /* nothing reset the chip: the stub ran on, and is used again (over
   * RFC 2217 at the rate the job had switched to) */
  g_assert_nonnull (strstr (watch.log->str,
                            "reconnected: resuming (the flasher stub was still running)"));
  g_assert_cmpuint (glint_flasher_get_recoveries (flasher), ==, 1);
  /* resumed, not started over: what had arrived was not sent again (a
   * sector or so on either side of the drop may be) */
  g_assert_cmpuint (glint_flasher_get_bytes_written (flasher), <, IMAGE_SIZE + 64 * 1024);
  g_assert_cmpuint (glint_flasher_get_region_report (flasher, 0)->status, ==,
                    GLINT_REGION_VERIFIED);

  contents = board_stop (&board);
  assert_holds (contents, OFFSET, image);
  watch_clear (&watch);
}

/* A brown-out mid-write on a link with DTR/RTS (sim://): the chip resets
 * and prints its boot log; the job resets it into download mode, loads the
 * stub again and writes what is missing. */
static void
test_brown_out_with_lines (void)
{
  g_autoptr(GBytes) image = glint_test_app_like (IMAGE_SIZE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  GlintStream *stream;
  Watch watch = { 0 };
  Answers counted = { 0 };

  timeout_scale = 0.3;
  answers = &counted;
  g_assert_true (flash ("sim://esp32?time-scale=0&brown-out-at=100000", image, 460800, &watch,
                        &flasher, &error));
  answers = NULL;
  timeout_scale = 1.0;
  g_assert_no_error (error);
  g_test_message ("%s", watch.log->str);
  /* (its boot log comes at the boot rate, garbled at the job's: the lost
   * answer says it) */
  g_assert_cmpuint (watch.reconnecting, ==, 1);
  g_assert_nonnull (strstr (watch.log->str, "reconnected: resuming (the chip was reset)"));
  g_assert_cmpuint (glint_flasher_get_recoveries (flasher), ==, 1);
  g_assert_cmpuint (glint_flasher_get_bytes_written (flasher), <, IMAGE_SIZE + 64 * 1024);
  /* a reset chip is made out again, its MAC read, its flash attached */
  g_assert_cmpuint (counted.answers[GLINT_OP_READ_REG], >=, 2);
  g_assert_cmpuint (counted.answers[GLINT_OP_SPI_ATTACH], >=, 1);
  g_assert_cmpuint (counted.answers[GLINT_OP_SPI_SET_PARAMS], >=, 1);

  stream = glint_flasher_get_stream (flasher);
  glint_test_assert_flash_holds (glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream)), OFFSET,
                                 image);
  watch_clear (&watch);
}

/* A lost answer (the check's MD5, after the 2 of the change scan) on a link
 * that carries on, with the stub running: the recovery resyncs and asks
 * how far the job came, and nothing else. Nothing reset the chip and the stub still answers SYNC as
 * the stub: the chip is not detected again (two READ_REG round trips) nor
 * its flash attached again (one), protocol.md §7.3. (A reset chip is:
 * test_brown_out_with_lines.) */
static void
test_lost_answer_same_link (void)
{
  g_autoptr(GBytes) image = glint_test_app_like (IMAGE_SIZE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  Watch watch = { 0 };
  Answers counted = { 0 };

  answers = &counted;
  g_assert_true (flash ("sim://esp32?time-scale=0&lose-reply=19&lose-skip=2", image, 460800, &watch,
                        &flasher, &error));
  answers = NULL;
  g_assert_no_error (error);
  g_test_message ("%s", watch.log->str);
  g_assert_cmpuint (watch.reconnecting, ==, 1);
  g_assert_nonnull (strstr (watch.log->str,
                            "verifying app at 0x10000: the answer to SPI_FLASH_MD5 was lost"));
  g_assert_nonnull (strstr (watch.log->str,
                            "reconnected: resuming (the flasher stub was still running)"));
  g_assert_cmpuint (glint_flasher_get_recoveries (flasher), ==, 1);

  /* the SYNC, then MD5s only: how far it came, the check */
  g_test_message ("after the loss: %u SYNC, %u MD5, %u READ_REG, %u SPI_ATTACH, "
                  "%u SPI_SET_PARAMS, %u others",
                  counted.answers[GLINT_OP_SYNC], counted.answers[GLINT_OP_SPI_FLASH_MD5],
                  counted.answers[GLINT_OP_READ_REG], counted.answers[GLINT_OP_SPI_ATTACH],
                  counted.answers[GLINT_OP_SPI_SET_PARAMS],
                  answers_besides (&counted, GLINT_OP_SPI_FLASH_MD5));
  g_assert_cmpuint (counted.answers[GLINT_OP_SYNC], >=, 1);
  g_assert_cmpuint (counted.answers[GLINT_OP_READ_REG], ==, 0);
  g_assert_cmpuint (counted.answers[GLINT_OP_SPI_ATTACH], ==, 0);
  g_assert_cmpuint (counted.answers[GLINT_OP_SPI_SET_PARAMS], ==, 0);
  g_assert_cmpuint (answers_besides (&counted, GLINT_OP_SPI_FLASH_MD5), ==, 0);
  g_assert_cmpuint (counted.answers[GLINT_OP_SPI_FLASH_MD5], >=, 1);
  g_assert_cmpuint (counted.answers[GLINT_OP_SPI_FLASH_MD5], <=, 2);

  glint_test_assert_flash_holds (
    glint_sim_stream_get_sim (GLINT_SIM_STREAM (glint_flasher_get_stream (flasher))), OFFSET, image);
  watch_clear (&watch);
}

/* A MAC word damaged on its way at the start (nothing checks a READ_REG's
 * value) must not become what a reconnect has to find again: the same chip
 * would read as another after the brown-out. Detection reads the MAC twice
 * and asks again where the two differ. */
static void
test_damaged_mac (void)
{
  g_autoptr(GBytes) image = glint_test_app_like (IMAGE_SIZE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  Watch watch = { 0 };

  /* (READ_REG answers: the magic value, five eFuse words, then the MAC) */
  timeout_scale = 0.3;
  g_assert_true (flash ("sim://esp32?time-scale=0&brown-out-at=100000&garble-reply=10:1"
                        "&garble-skip=6", image, 460800, &watch, &flasher, &error));
  timeout_scale = 1.0;
  g_test_message ("%s", watch.log->str);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (watch.log->str, "could not make out the chip (its MAC read "
                                            "differently twice): asking again"));
  g_assert_cmpuint (watch.reconnecting, ==, 1);
  g_assert_cmpuint (glint_flasher_get_recoveries (flasher), ==, 1);
  g_assert_cmpuint (glint_flasher_get_region_report (flasher, 0)->status, ==,
                    GLINT_REGION_VERIFIED);
  watch_clear (&watch);
}

/* The same behind an RFC 2217 server (glint-sim-server): DTR/RTS reach
 * the board through the server. */
static void
test_brown_out_rfc2217 (void)
{
  g_autoptr(GBytes) image = glint_test_app_like (IMAGE_SIZE);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  Watch watch = { 0 };
  Board board = { 0 };

  board_start (&board, "rfc2217", "time-scale=0&brown-out-at=100000", NULL);
  timeout_scale = 0.3;
  g_assert_true (flash (board.address, image, 460800, &watch, &flasher, &error));
  timeout_scale = 1.0;
  g_assert_no_error (error);
  g_assert_cmpuint (watch.reconnecting, ==, 1);
  g_assert_nonnull (strstr (watch.log->str, "reconnected: resuming (the chip was reset)"));
  g_assert_cmpuint (glint_flasher_get_recoveries (flasher), ==, 1);
  g_assert_cmpuint (glint_flasher_get_bytes_written (flasher), <, IMAGE_SIZE + 64 * 1024);
  contents = board_stop (&board);
  assert_holds (contents, OFFSET, image);
  watch_clear (&watch);
}

/* A brown-out behind raw TCP: no DTR/RTS, so nothing can put the chip back
 * into download mode; the job fails at once (no attempts) and says so. */
static void
test_brown_out_without_lines (void)
{
  g_autoptr(GBytes) image = glint_test_app_like (IMAGE_SIZE);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  Watch watch = { 0 };
  Board board = { 0 };

  board_start (&board, "tcp", "time-scale=0&brown-out-at=100000", NULL);
  g_assert_false (flash (board.address, image, 0, &watch, &flasher, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_CHIP_RESET);
  g_assert_nonnull (strstr (error->message, "no DTR/RTS"));
  g_assert_cmpuint (watch.reconnecting, ==, 0);
  g_assert_cmpuint (glint_flasher_get_recoveries (flasher), ==, 0);
  contents = board_stop (&board);
  watch_clear (&watch);
}

/* A brown-out behind a pty (a local port: Linux ptys take no modem-line
 * ioctls) after the job switched speed: the boot log comes at the boot
 * rate, unreadable at the job's; the chip is silent, the link carries. The
 * bounded attempts, then a failure that says what most likely happened. */
static void
test_brown_out_unreadable (void)
{
  g_autoptr(GBytes) image = glint_test_app_like (IMAGE_SIZE);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  Watch watch = { 0 };
  Board board = { 0 };

  board_start (&board, "pty", "time-scale=0&brown-out-at=100000", NULL);
  timeout_scale = 0.2;
  g_assert_false (flash (board.address, image, 921600, &watch, &flasher, &error));
  timeout_scale = 1.0;
  g_test_message ("%s", watch.log->str);
  /* (where the boot log came before the switch took hold, it is read,
   * and the job ends at once, as behind raw TCP) */
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_CHIP_RESET);
  g_assert_nonnull (strstr (error->message, "no DTR/RTS"));
  if (watch.reconnecting > 0)
    {
      g_assert_cmpuint (watch.reconnecting, ==, 5);
      g_assert_nonnull (strstr (error->message, "the chip stopped answering (writing app"));
    }
  contents = board_stop (&board);
  watch_clear (&watch);
}

/* The chip behind the link dies for good (it goes silent; nothing can
 * revive it over raw TCP): the bounded attempts, each announced, then a
 * failure that names the first cause and the last. */
static void
test_gone (void)
{
  g_autoptr(GBytes) image = glint_test_app_like (IMAGE_SIZE);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  Watch watch = { 0 };
  Board board = { 0 };

  board_start (&board, "tcp", "time-scale=0&disconnect-after=120000", NULL);
  timeout_scale = 0.1;
  g_assert_false (flash (board.address, image, 0, &watch, &flasher, &error));
  timeout_scale = 1.0;
  g_test_message ("%s", watch.log->str);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED);
  g_assert_nonnull (strstr (error->message, "5 attempts to reconnect failed"));
  g_assert_nonnull (strstr (error->message, "writing app at 0x10000"));
  g_assert_cmpuint (watch.reconnecting, ==, 5);
  g_assert_cmpuint (watch.last_attempt, ==, 5);
  g_assert_cmpuint (glint_flasher_get_recoveries (flasher), ==, 0);
  g_assert_cmpuint (glint_flasher_get_region_report (flasher, 0)->status, ==,
                    GLINT_REGION_PARTLY_WRITTEN);
  contents = board_stop (&board);
  watch_clear (&watch);
}

/* Prepares a flash job's flasher for @address with the watch connected. */
static GlintFlasher *
job_flasher (const char *address,
             guint       baud,
             Watch      *watch)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStream) stream = glint_stream_new_for_address (address, &error);
  GlintFlasher *flasher;

  g_assert_no_error (error);
  flasher = glint_flasher_new (stream);
  glint_flasher_set_baud (flasher, baud);
  glint_flasher_set_timeout_scale (flasher, timeout_scale);
  watch->log = g_string_new (NULL);
  g_signal_connect (flasher, "reconnecting", G_CALLBACK (on_reconnecting_cb), watch);
  g_signal_connect (flasher, "log", G_CALLBACK (on_log_cb), watch);
  return flasher;
}

/* A read loses its connection mid-way (the chip runs on): it reconnects
 * and reads on from the last packet that arrived, into the same temporary
 * file; the file appears whole, checked by the region's MD5. */
static void
test_read_drop (void)
{
  g_autoptr(GBytes) image = glint_test_app_like (IMAGE_SIZE);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  g_autofree char *out_dir = g_dir_make_tmp ("glint-reconnect-read-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (out_dir, "read.bin", NULL);
  g_autofree char *prefill = NULL;
  g_autofree char *read_back = NULL;
  g_autoptr(GDir) dir = NULL;
  GAsyncResult *result = NULL;
  const char *resumed;
  guint at = 0, had = 0, total = 0;
  gsize len = 0;
  Watch watch = { 0 };
  Board board = { 0 };
  GByteArray *flash = g_byte_array_new ();

  /* the board holds the image; some 30 KiB of set-up, then 256 KiB come
   * back: the connection drops half-way */
  prefill = g_build_filename (out_dir, "flash.bin", NULL);
  g_byte_array_set_size (flash, OFFSET);
  memset (flash->data, 0xff, OFFSET);
  g_byte_array_append (flash, g_bytes_get_data (image, NULL), IMAGE_SIZE);
  g_assert_true (g_file_set_contents (prefill, (const char *) flash->data, flash->len, NULL));
  g_byte_array_unref (flash);
  board_start_with_flash (&board, "tcp", "time-scale=0", "160000", prefill);
  g_assert_cmpint (g_unlink (prefill), ==, 0);

  flasher = job_flasher (board.address, 460800, &watch);
  glint_flasher_read_flash_async (flasher, OFFSET, IMAGE_SIZE, out, NULL,
                                  glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 60000);
  g_assert_true (glint_flasher_read_flash_finish (flasher, result, &error));
  g_object_unref (result);
  g_test_message ("%s", watch.log->str);
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (glint_flasher_get_stream (flasher)), NULL, NULL);

  g_assert_cmpuint (watch.reconnecting, ==, 1);
  g_assert_nonnull (strstr (watch.first_cause, "reading 0x40000 bytes at 0x10000"));
  g_assert_nonnull (strstr (watch.log->str, "Link lost — reconnecting (1 of 5)"));
  g_assert_cmpuint (glint_flasher_get_recoveries (flasher), ==, 1);
  /* read on, not again: from where the data stopped */
  resumed = strstr (watch.log->str, "reading on at ");
  g_assert_nonnull (resumed);
  g_assert_cmpint (sscanf (resumed, "reading on at 0x%x: 0x%x of 0x%x", &at, &had, &total), ==, 3);
  g_assert_cmpuint (had, >, 0);
  g_assert_cmpuint (had, <, IMAGE_SIZE);
  g_assert_cmpuint (at, ==, OFFSET + had);
  g_assert_cmpuint (total, ==, IMAGE_SIZE);

  g_assert_true (g_file_get_contents (out, &read_back, &len, NULL));
  g_assert_cmpmem (read_back, len, g_bytes_get_data (image, NULL), IMAGE_SIZE);
  /* and nothing else was left there */
  dir = g_dir_open (out_dir, 0, NULL);
  g_assert_cmpstr (g_dir_read_name (dir), ==, "read.bin");
  g_assert_null (g_dir_read_name (dir));

  contents = board_stop (&board);
  glint_test_remove_dir (out_dir);
  watch_clear (&watch);
}

/* The connection drops while the flash job saves the old contents
 * (--backup): the backup reads on from the last packet that arrived,
 * into the same file, as a read job does, before anything is written. */
static void
test_backup_drop (void)
{
  g_autoptr(GBytes) old = glint_test_app_like (IMAGE_SIZE);
  g_autoptr(GBytes) image = NULL;
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autofree char *out_dir = g_dir_make_tmp ("glint-reconnect-backup-XXXXXX", NULL);
  g_autofree char *backup = g_build_filename (out_dir, "backup.bin", NULL);
  g_autofree char *prefill = g_build_filename (out_dir, "flash.bin", NULL);
  g_autofree char *saved = NULL;
  GByteArray *flash = g_byte_array_new ();
  GAsyncResult *result = NULL;
  const char *resumed;
  guint at = 0, had = 0, total = 0;
  gsize len = 0;
  Watch watch = { 0 };
  Board board = { 0 };

  /* the new image: the old one with every byte changed */
  {
    guint8 *data = g_memdup2 (g_bytes_get_data (old, NULL), IMAGE_SIZE);

    for (gsize i = 0; i < IMAGE_SIZE; i++)
      data[i] ^= 0x5A;
    image = g_bytes_new_take (data, IMAGE_SIZE);
  }
  g_byte_array_set_size (flash, OFFSET);
  memset (flash->data, 0xff, OFFSET);
  g_byte_array_append (flash, g_bytes_get_data (old, NULL), IMAGE_SIZE);
  g_assert_true (g_file_set_contents (prefill, (const char *) flash->data, flash->len, NULL));
  g_byte_array_unref (flash);
  board_start_with_flash (&board, "tcp", "time-scale=0", "160000", prefill);
  g_assert_cmpint (g_unlink (prefill), ==, 0);

  flasher = job_flasher (board.address, 460800, &watch);
  glint_flash_plan_add_bytes (plan, OFFSET, image, "app");
  glint_flasher_set_plan (flasher, plan);
  glint_flasher_set_backup_path (flasher, backup);
  glint_flasher_flash_async (flasher, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 60000);
  g_assert_true (glint_flasher_flash_finish (flasher, result, &error));
  g_object_unref (result);
  g_test_message ("%s", watch.log->str);
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (glint_flasher_get_stream (flasher)), NULL, NULL);

  g_assert_cmpuint (watch.reconnecting, ==, 1);
  g_assert_nonnull (strstr (watch.first_cause, "reading 0x40000 bytes at 0x10000"));
  resumed = strstr (watch.log->str, "reading on at ");
  g_assert_nonnull (resumed);
  g_assert_cmpint (sscanf (resumed, "reading on at 0x%x: 0x%x of 0x%x", &at, &had, &total), ==, 3);
  g_assert_cmpuint (had, >, 0);
  g_assert_cmpuint (at, ==, OFFSET + had);
  g_assert_cmpuint (total, ==, IMAGE_SIZE);
  g_assert_cmpuint (glint_flasher_get_region_report (flasher, 0)->status, ==,
                    GLINT_REGION_VERIFIED);

  g_assert_true (g_file_get_contents (backup, &saved, &len, NULL));
  g_assert_cmpmem (saved, len, g_bytes_get_data (old, NULL), IMAGE_SIZE);
  contents = board_stop (&board);
  assert_holds (contents, OFFSET, image);
  glint_test_remove_dir (out_dir);
  watch_clear (&watch);
}

/* A brown-out while a region is erased (sim://, with DTR/RTS): the job
 * resets the chip, loads the stub again and erases only the pieces whose
 * answer had not come. 1 MiB in pieces of 256 KiB, the chip resets 128 KiB
 * into the third: 512 + 128 KiB erased before, 512 after. */
static void
test_erase_brown_out (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  GAsyncResult *result = NULL;
  GlintSim *sim;
  Watch watch = { 0 };

  timeout_scale = 0.3;
  flasher = job_flasher ("sim://esp32?time-scale=0&brown-out-erasing=655360", 460800, &watch);
  timeout_scale = 1.0;
  glint_flasher_erase_async (flasher, 0x100000, 0x100000, NULL, glint_test_store_result_cb,
                             &result);
  glint_test_wait_for ((gpointer *) &result, 60000);
  g_assert_true (glint_flasher_erase_finish (flasher, result, &error));
  g_object_unref (result);
  g_test_message ("%s", watch.log->str);
  g_assert_no_error (error);

  g_assert_cmpuint (watch.reconnecting, ==, 1);
  g_assert_nonnull (strstr (watch.first_cause, "erasing 0x100000 bytes at 0x100000"));
  g_assert_nonnull (strstr (watch.log->str, "reconnected: resuming (the chip was reset)"));
  g_assert_nonnull (strstr (watch.log->str, "erasing on at 0x180000: 0x80000 of 0x100000"));
  g_assert_cmpuint (glint_flasher_get_recoveries (flasher), ==, 1);
  sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (glint_flasher_get_stream (flasher)));
  g_assert_cmpuint (glint_sim_get_counter (sim, GLINT_SIM_COUNTER_SECTORS_ERASED), ==,
                    (0x80000 + 0x20000 + 0x80000) / 0x1000);
  g_io_stream_close (G_IO_STREAM (glint_flasher_get_stream (flasher)), NULL, NULL);
  watch_clear (&watch);
}

/* The port vanishes mid-write and comes back under another name, as a
 * native-USB chip's does when it re-enumerates (another ttyACM) or a USB
 * adapter's after a hub glitch; its USB identity (GLINT_PORTS_DIR, as the
 * port monitor sees it) stays. The job finds it by its serial number,
 * reconnects and writes the rest. */
static void
test_pty_renumbered (void)
{
  g_autoptr(GBytes) image = glint_test_app_like (IMAGE_SIZE);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  g_autofree char *ports = g_dir_make_tmp ("glint-reconnect-ports-XXXXXX", NULL);
  g_autofree char *announcement = NULL;
  g_autofree char *back_as = NULL;
  g_auto(GStrv) words = NULL;
  const char *back;
  Watch watch = { 0 };
  Board board = { 0 };
  const char *args[] = { "--pty", "--chip", "esp32c3", "--options", "time-scale=0",
                         "--flash", NULL, "--ports-dir", ports, "--usb", "303a:1001:F412FA",
                         "--vanish-after", "90000", NULL };

  board.dir = g_dir_make_tmp ("glint-reconnect-XXXXXX", &error);
  g_assert_no_error (error);
  board.flash_path = g_build_filename (board.dir, "flash.bin", NULL);
  args[6] = board.flash_path;
  g_setenv ("GLINT_PORTS_DIR", ports, TRUE);
  board.server = glint_test_spawn_sim_server (args, &announcement);
  words = g_strsplit (announcement, " ", -1);
  board.address = g_strdup (g_strstrip (words[1]));

  timeout_scale = 0.5;
  g_assert_true (flash (board.address, image, 0, &watch, &flasher, &error));
  timeout_scale = 1.0;
  g_test_message ("%s", watch.log->str);
  g_assert_no_error (error);
  g_assert_cmpuint (watch.reconnecting, >=, 1);
  g_assert_cmpuint (glint_flasher_get_recoveries (flasher), ==, 1);
  back = strstr (watch.log->str, "the board is back as ");
  g_assert_nonnull (back);
  back_as = g_strndup (back + strlen ("the board is back as "),
                       strcspn (back + strlen ("the board is back as "), "\n"));
  g_assert_cmpstr (back_as, !=, board.address);
  g_assert_cmpstr (glint_stream_get_address (glint_flasher_get_stream (flasher)), ==, back_as);
  g_assert_cmpuint (glint_flasher_get_bytes_written (flasher), <, IMAGE_SIZE + 64 * 1024);
  g_assert_cmpuint (glint_flasher_get_region_report (flasher, 0)->status, ==,
                    GLINT_REGION_VERIFIED);

  contents = board_stop (&board);
  assert_holds (contents, OFFSET, image);
  g_unsetenv ("GLINT_PORTS_DIR");
  glint_test_remove_dir (ports);
  watch_clear (&watch);
}

/* Once the write is under way, the flasher's serial stream stops carrying
 * (its output closed, as a port whose driver fails its writes): the link
 * is dead, and the stream still holds the port. */
static void
on_progress_kill_output_cb (GlintFlasher *flasher,
                            GParamSpec   *pspec,
                            gboolean     *killed)
{
  GOutputStream *output;
  guint64 done = 0;

  g_object_get (flasher, "bytes-done", &done, NULL);
  if (*killed || done < 64 * 1024)
    return;
  output = g_io_stream_get_output_stream (G_IO_STREAM (glint_flasher_get_stream (flasher)));
  /* (not while a write is pending: the next progress tries again) */
  *killed = g_output_stream_close (output, NULL, NULL);
}

/* A local serial port whose link died while the port stays (same device,
 * same path): the reconnect opens it again, which the dead stream's lock
 * on it must not stop (it waited, then failed as busy). */
static void
test_pty_dead_link_same_port (void)
{
  g_autoptr(GBytes) image = glint_test_app_like (IMAGE_SIZE);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  GAsyncResult *result = NULL;
  gboolean killed = FALSE;
  gint64 started;
  Watch watch = { 0 };
  Board board = { 0 };

  board_start (&board, "pty", "time-scale=0", NULL);
  flasher = job_flasher (board.address, 0, &watch);
  glint_flash_plan_add_bytes (plan, OFFSET, image, "app");
  glint_flasher_set_plan (flasher, plan);
  g_signal_connect (flasher, "notify::bytes-done", G_CALLBACK (on_progress_kill_output_cb),
                    &killed);

  started = g_get_monotonic_time ();
  glint_flasher_flash_async (flasher, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 60000);
  glint_flasher_flash_finish (flasher, result, &error);
  g_object_unref (result);
  g_test_message ("%s", watch.log->str);
  g_assert_no_error (error);
  g_assert_true (killed);
  g_assert_cmpuint (watch.reconnecting, ==, 1);
  g_assert_cmpuint (glint_flasher_get_recoveries (flasher), ==, 1);
  g_assert_null (strstr (watch.log->str, "busy"));
  g_assert_cmpstr (glint_stream_get_address (glint_flasher_get_stream (flasher)), ==,
                   board.address);
  /* at once, not after the wait for the lock */
  g_assert_cmpint (g_get_monotonic_time () - started, <, 2 * G_USEC_PER_SEC);
  g_assert_cmpuint (glint_flasher_get_region_report (flasher, 0)->status, ==,
                    GLINT_REGION_VERIFIED);
  g_io_stream_close (G_IO_STREAM (glint_flasher_get_stream (flasher)), NULL, NULL);

  contents = board_stop (&board);
  assert_holds (contents, OFFSET, image);
  watch_clear (&watch);
}

/* A native-USB chip drops off the bus when the first connect resets it,
 * before it answered, and comes back under another name: the connect
 * finds it by its USB identity and goes on there (no recovery: nothing
 * had been detected yet). */
static void
test_gone_while_connecting (void)
{
  g_autoptr(GBytes) image = glint_test_app_like (16 * 1024);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  g_autofree char *ports = g_dir_make_tmp ("glint-reconnect-ports-XXXXXX", NULL);
  g_autofree char *announcement = NULL;
  g_auto(GStrv) words = NULL;
  Watch watch = { 0 };
  Board board = { 0 };
  const char *args[] = { "--pty", "--chip", "esp32c3", "--options", "time-scale=0",
                         "--flash", NULL, "--ports-dir", ports, "--usb", "303a:1001:F412FB",
                         "--vanish-after", "150", NULL };

  board.dir = g_dir_make_tmp ("glint-reconnect-XXXXXX", &error);
  g_assert_no_error (error);
  board.flash_path = g_build_filename (board.dir, "flash.bin", NULL);
  args[6] = board.flash_path;
  g_setenv ("GLINT_PORTS_DIR", ports, TRUE);
  board.server = glint_test_spawn_sim_server (args, &announcement);
  words = g_strsplit (announcement, " ", -1);
  board.address = g_strdup (g_strstrip (words[1]));

  g_assert_true (flash (board.address, image, 0, &watch, &flasher, &error));
  g_test_message ("%s", watch.log->str);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (watch.log->str, "the port went away while connecting"));
  g_assert_nonnull (strstr (watch.log->str, "the board is back as "));
  g_assert_cmpstr (glint_stream_get_address (glint_flasher_get_stream (flasher)), !=,
                   board.address);
  g_assert_cmpuint (glint_flasher_get_recoveries (flasher), ==, 0);
  g_assert_cmpuint (glint_flasher_get_region_report (flasher, 0)->status, ==,
                    GLINT_REGION_VERIFIED);

  contents = board_stop (&board);
  assert_holds (contents, OFFSET, image);
  g_unsetenv ("GLINT_PORTS_DIR");
  glint_test_remove_dir (ports);
  watch_clear (&watch);
}

/* The chip's own USB-Serial/JTAG (303a:1001) gets its own reset by default,
 * as with esptool; the classic one where asked for. */
static void
test_native_usb_reset (gconstpointer data)
{
  gboolean classic = GPOINTER_TO_INT (data);
  g_autoptr(GBytes) image = glint_test_app_like (16 * 1024);
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GlintFlashOptions) options = glint_flash_options_new ();
  GAsyncResult *result = NULL;
  Watch watch = { 0 };

  stream = glint_stream_new_for_address ("sim://esp32c3?time-scale=0&usb=303a:1001"
                                         "&usb-serial=F412FA", &error);
  g_assert_no_error (error);
  flasher = glint_flasher_new (stream);
  options->baud = 0;
  options->classic_reset = classic;
  glint_flasher_set_options (flasher, options);
  glint_flash_plan_add_bytes (plan, OFFSET, image, "app");
  glint_flasher_set_plan (flasher, plan);
  watch.log = g_string_new (NULL);
  g_signal_connect (flasher, "log", G_CALLBACK (on_log_cb), &watch);
  glint_flasher_flash_async (flasher, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 60000);
  g_assert_true (glint_flasher_flash_finish (flasher, result, &error));
  g_object_unref (result);
  g_assert_no_error (error);
  g_test_message ("%s", watch.log->str);
  if (classic)
    {
      g_assert_null (strstr (watch.log->str, "(USB-Serial/JTAG)"));
    }
  else
    {
      g_assert_nonnull (strstr (watch.log->str, "reset into download mode (USB-Serial/JTAG)"));
      g_assert_null (strstr (watch.log->str, "reset into download mode (classic)"));
      g_assert_null (strstr (watch.log->str, "reset into download mode (tight)"));
    }
  g_io_stream_close (G_IO_STREAM (glint_flasher_get_stream (flasher)), NULL, NULL);
  watch_clear (&watch);
}

/* Cancelling while it waits to reconnect ends the job at once, cancelled. */
static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_reconnecting_cancel_cb (GlintFlasher *flasher,
                           guint         attempt,
                           guint         max,
                           const char   *cause,
                           GCancellable *cancellable)
{
  g_timeout_add (50, cancel_cb, cancellable);
}

static void
test_cancel_while_reconnecting (void)
{
  g_autoptr(GBytes) image = glint_test_app_like (IMAGE_SIZE);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GAsyncResult *result = NULL;
  Board board = { 0 };

  board_start (&board, "tcp", "time-scale=0", "120000");
  stream = glint_stream_new_for_address (board.address, &error);
  g_assert_no_error (error);
  flasher = glint_flasher_new (stream);
  glint_flash_plan_add_bytes (plan, OFFSET, image, "app");
  glint_flasher_set_plan (flasher, plan);
  glint_flasher_set_baud (flasher, 0);
  g_signal_connect (flasher, "reconnecting", G_CALLBACK (on_reconnecting_cancel_cb), cancellable);

  glint_flasher_flash_async (flasher, cancellable, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 60000);
  g_assert_false (glint_flasher_flash_finish (flasher, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (glint_flasher_get_state (flasher), ==, GLINT_FLASHER_STATE_CANCELLED);
  g_object_unref (result);
  contents = board_stop (&board);
}

int
main (int argc, char **argv)
{
  g_autofree char *stub_dir = NULL;

  g_test_init (&argc, &argv, NULL);
  glint_sim_stream_register ();

  stub_dir = glint_test_fake_stub_dir ();

  g_test_add_data_func ("/glint/reconnect/drop/tcp", "tcp", test_drop);
  g_test_add_data_func ("/glint/reconnect/drop/rfc2217", "rfc2217", test_drop);
  g_test_add_func ("/glint/reconnect/brown-out/with-lines", test_brown_out_with_lines);
  g_test_add_func ("/glint/reconnect/brown-out/without-lines", test_brown_out_without_lines);
  g_test_add_func ("/glint/reconnect/brown-out/rfc2217", test_brown_out_rfc2217);
  g_test_add_func ("/glint/reconnect/gone", test_gone);
  g_test_add_func ("/glint/reconnect/lost-answer/same-link", test_lost_answer_same_link);
  g_test_add_func ("/glint/reconnect/brown-out/unreadable", test_brown_out_unreadable);
  g_test_add_func ("/glint/reconnect/cancel", test_cancel_while_reconnecting);
  g_test_add_func ("/glint/reconnect/read/tcp", test_read_drop);
  g_test_add_func ("/glint/reconnect/erase/brown-out", test_erase_brown_out);
  g_test_add_func ("/glint/reconnect/damaged-mac", test_damaged_mac);
  g_test_add_func ("/glint/reconnect/backup-drop", test_backup_drop);
  g_test_add_func ("/glint/reconnect/pty-renumbered", test_pty_renumbered);
  g_test_add_func ("/glint/reconnect/gone-while-connecting", test_gone_while_connecting);
  g_test_add_func ("/glint/reconnect/pty-dead-link-same-port", test_pty_dead_link_same_port);
  g_test_add_data_func ("/glint/reconnect/native-usb/own-reset", GINT_TO_POINTER (FALSE),
                        test_native_usb_reset);
  g_test_add_data_func ("/glint/reconnect/native-usb/classic-reset", GINT_TO_POINTER (TRUE),
                        test_native_usb_reset);

  return g_test_run ();
}
