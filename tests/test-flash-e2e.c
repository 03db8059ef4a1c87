/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "glint-error.h"
#include "glint-flash-plan.h"
#include "glint-flasher.h"
#include "glint-stream.h"
#include "glint-stream-address.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-test-elf.h"
#include "glint-test-formats.h"
#include "glint-test-image.h"
#include "glint-test-utils.h"
#include "glint-formats.h"

/*
 * GlintFlasher against glint-sim-server in another process, over each
 * transport a user has: a pty (as a USB adapter looks), raw TCP, RFC 2217
 * (the simulator's own server, and ser2net in front of a pty), and RFC 2217
 * with a 400 ms round trip. The server saves its flash to a file when it
 * stops; the test compares that file with what it flashed.
 */

typedef struct
{
  char        *dir;
  char        *flash_path;
  GSubprocess *server;
  GSubprocess *relay;
  char        *address;
  char        *counters_path;
} Board;

static char *stub_dir;

static void
board_start_capped (Board       *board,
                    const char  *mode,
                    const char  *options,
                    guint        max_server_baud)
{
  g_autofree char *cap = g_strdup_printf ("%u", max_server_baud);
  g_autoptr(GError) error = NULL;
  g_autofree char *link_path = NULL;
  gboolean ser2net = g_str_has_prefix (mode, "ser2net");

  board->dir = g_dir_make_tmp ("glint-e2e-XXXXXX", &error);
  g_assert_no_error (error);
  board->flash_path = g_build_filename (board->dir, "flash.bin", NULL);
  board->counters_path = g_build_filename (board->dir, "counters", NULL);
  link_path = g_build_filename (board->dir, "board", NULL);

  if (ser2net || g_str_equal (mode, "pty"))
    {
      const char *args[] = { "--link", link_path, "--options", options,
                             "--counters", board->counters_path, NULL };
      GlintTestBoardOptions board_options = { GLINT_TEST_LINK_PTY, board->flash_path, args,
                                              NULL };

      board->server = glint_test_board_start (&board_options, &board->address);
    }
  else
    {
      const char *args[] = { "--options", options, "--max-server-baud", cap,
                             "--counters", board->counters_path, NULL };
      GlintTestBoardOptions board_options = {
        g_str_equal (mode, "tcp") ? GLINT_TEST_LINK_TCP : GLINT_TEST_LINK_RFC2217,
        board->flash_path, args, "ign_set_control"
      };

      board->server = glint_test_board_start (&board_options, &board->address);
    }

  if (ser2net)
    {
      guint16 port;

      board->relay = glint_test_spawn_ser2net (link_path, board->dir, &port);
      /* ser2net never acknowledges SET-CONTROL behind a pty (testing.md):
       * say so, or (ser2net-plain, as a URL found on the network is) let
       * the stream find out after a short acknowledgement timeout */
      g_free (board->address);
      if (g_str_equal (mode, "ser2net-plain"))
        board->address = g_strdup_printf ("rfc2217://127.0.0.1:%u?timeout=0.5", port);
      else
        board->address = g_strdup_printf ("rfc2217://127.0.0.1:%u?ign_set_control", port);
    }
}

static void
board_start (Board       *board,
             const char  *mode,
             const char  *options)
{
  board_start_capped (board, mode, options, 0);
}

/* One counter of glint-sim-server's --counters file ("NAME VALUE" lines). */
static guint64
read_counter (const char *path,
              const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *prefix = g_strconcat (name, " ", NULL);

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_ascii_strtoull (lines[i] + strlen (prefix), NULL, 10);
  g_error ("no counter %s in %s", name, path);
}

/* Stops the board and returns what its flash holds; with @frames_lost,
 * also the frames its stub had no buffer for (protocol.md §9). */
static GBytes *
board_stop_counting (Board   *board,
                     guint64 *frames_lost)
{
  GBytes *flash;

  if (board->relay != NULL)
    glint_test_stop_subprocess (board->relay);
  g_clear_object (&board->relay);
  flash = glint_test_board_stop (board->server, board->flash_path);
  g_clear_object (&board->server);
  if (frames_lost != NULL)
    *frames_lost = read_counter (board->counters_path, "frames-lost");

  glint_test_remove_dir (board->dir);
  g_clear_pointer (&board->dir, g_free);
  g_clear_pointer (&board->flash_path, g_free);
  g_clear_pointer (&board->address, g_free);
  g_clear_pointer (&board->counters_path, g_free);

  return flash;
}

static GBytes *
board_stop (Board *board)
{
  return board_stop_counting (board, NULL);
}

/* The rate the last flash() settled at, and whether its stream still
 * offered DTR/RTS at the end. */
static guint last_settled_baud;
static gboolean last_could_control_lines;

static gboolean
flash_stream (GlintStream  *stream,
              GBytes       *image,
              guint32       offset,
              guint         baud,
              GError      **error)
{
  g_autoptr(GlintFlasher) flasher = NULL;
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  GAsyncResult *result = NULL;
  gboolean ok;

  flasher = glint_flasher_new (stream);
  glint_flash_plan_add_bytes (plan, offset, image, "app");
  glint_flasher_set_plan (flasher, plan);
  glint_flasher_set_baud (flasher, baud);

  glint_flasher_flash_async (flasher, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 240000);
  ok = glint_flasher_flash_finish (flasher, result, error);
  last_settled_baud = glint_flasher_get_settled_baud (flasher);
  last_could_control_lines = glint_stream_get_can_control_lines (stream);
  g_object_unref (result);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);

  return ok;
}

static gboolean
flash (const char  *address,
       GBytes      *image,
       guint32      offset,
       guint        baud,
       GError     **error)
{
  g_autoptr(GlintStream) stream = glint_stream_new_for_address (address, error);

  g_assert_nonnull (stream);
  return flash_stream (stream, image, offset, baud, error);
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
test_transport (gconstpointer data)
{
  const char *mode = data;
  g_autoptr(GBytes) image = glint_test_app_like (160 * 1024 + 4);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;
  Board board = { 0 };

  if (g_str_has_prefix (mode, "ser2net") && g_getenv ("GLINT_SER2NET") == NULL)
    {
      g_test_skip ("ser2net is not installed");
      return;
    }

  board_start (&board, mode, "time-scale=0");
  g_assert_true (flash (board.address, image, 0x10000, 460800, &error));
  g_assert_no_error (error);
  /* the unanswered SET-CONTROL turned line control off for the job: no
   * further resets waited for an answer that never comes */
  if (g_str_equal (mode, "ser2net-plain"))
    g_assert_false (last_could_control_lines);
  contents = board_stop (&board);
  assert_holds (contents, 0x10000, image);
}

/* In real time, with esp-flasher-stub's two receive buffers modelled
 * (protocol.md §9): the stub answers a data block before it writes it, so
 * frames pile up in the board while it works. Over every transport (the
 * in-process sim://, a pty, raw TCP, RFC 2217 with its reset) Glint never
 * sends a third frame to a stub holding two: none is lost, and the flash
 * verifies without a retry. */
static void
test_real_time (gconstpointer data)
{
  const char *mode = data;
  const char *options = "time-scale=1&stub-rx-frames=2";
  g_autoptr(GBytes) image = glint_test_app_like (64 * 1024);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;
  guint64 frames_lost = G_MAXUINT64;
  gint64 start = g_get_monotonic_time ();
  Board board = { 0 };

  if (g_str_equal (mode, "sim"))
    {
      g_autofree char *address = g_strconcat ("sim://esp32?boot=normal&", options, NULL);
      g_autoptr(GlintStream) stream = glint_stream_new_for_address (address, &error);
      g_autoptr(GlintSim) sim = NULL;
      const guint8 *flash_data;
      gsize size = 0;

      g_assert_no_error (error);
      sim = g_object_ref (glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream)));
      g_assert_true (flash_stream (stream, image, 0x10000, 921600, &error));
      g_assert_no_error (error);
      frames_lost = glint_sim_get_counter (sim, GLINT_SIM_COUNTER_FRAMES_LOST);
      flash_data = glint_sim_get_flash (sim, &size);
      contents = g_bytes_new (flash_data, size);
    }
  else
    {
      board_start (&board, mode, options);
      g_assert_true (flash (board.address, image, 0x10000, 921600, &error));
      g_assert_no_error (error);
      contents = board_stop_counting (&board, &frames_lost);
    }

  g_test_message ("64 KiB over %s in real time: %.1f s", mode,
                  (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpuint (frames_lost, ==, 0);
  assert_holds (contents, 0x10000, image);
}

/* An ESP32-S3 on its own USB-OTG CDC (the port's USB identity: Espressif,
 * PID = image chip id), whose buffer takes blocks of 0x800 bytes at most
 * (protocol.md §5.3; the board loses a larger one): the stub upload and the
 * writes use the small blocks, nothing is lost and the flash verifies. */
static void
test_usb_otg (void)
{
  g_autoptr(GBytes) image = glint_test_app_like (64 * 1024);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ports = g_dir_make_tmp ("glint-e2e-ports-XXXXXX", NULL);
  g_autofree char *announcement = NULL;
  g_auto(GStrv) words = NULL;
  guint64 frames_lost = G_MAXUINT64;
  Board board = { 0 };
  const char *args[] = { "--pty", "--chip", "esp32s3", "--options", "time-scale=0",
                         "--flash", NULL, "--counters", NULL, "--ports-dir", ports,
                         "--usb", "303a:0009:F412FA", NULL };

  board.dir = g_dir_make_tmp ("glint-e2e-XXXXXX", &error);
  g_assert_no_error (error);
  board.flash_path = g_build_filename (board.dir, "flash.bin", NULL);
  board.counters_path = g_build_filename (board.dir, "counters", NULL);
  args[6] = board.flash_path;
  args[8] = board.counters_path;
  g_setenv ("GLINT_PORTS_DIR", ports, TRUE);
  board.server = glint_test_spawn_sim_server (args, &announcement);
  words = g_strsplit (g_strstrip (announcement), " ", -1);
  board.address = g_strdup (words[1]);

  g_assert_true (flash (board.address, image, 0x10000, 0, &error));
  g_assert_no_error (error);
  contents = board_stop_counting (&board, &frames_lost);
  g_unsetenv ("GLINT_PORTS_DIR");
  glint_test_remove_dir (ports);

  g_assert_cmpuint (frames_lost, ==, 0);
  assert_holds (contents, 0x10000, image);
}

static void
test_rfc2217_slow_link (void)
{
  g_autoptr(GBytes) image = glint_test_app_like (1024 * 1024);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;
  Board board = { 0 };
  gint64 start = g_get_monotonic_time ();

  /* 1 MiB through RFC 2217 with 200 ms each way and jitter. */
  board_start (&board, "rfc2217", "time-scale=0&latency=200&jitter=40");
  g_assert_true (flash (board.address, image, 0x100000, 921600, &error));
  g_assert_no_error (error);
  g_test_message ("1 MiB over a 400 ms round trip in %.1f s",
                  (g_get_monotonic_time () - start) / 1e6);
  contents = board_stop (&board);
  assert_holds (contents, 0x100000, image);
}

/* The automatic rate over each transport: a pty (a local port: 921600 at
 * most), raw TCP (no change: the bridge's rate is fixed), RFC 2217 (up to
 * 921600). The flash always verifies, at the rate the stream allows. */
static void
test_auto_baud (gconstpointer data)
{
  const char *mode = data;
  g_autoptr(GBytes) image = glint_test_app_like (96 * 1024);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;
  Board board = { 0 };

  board_start (&board, mode, "time-scale=0");
  g_assert_true (flash (board.address, image, 0x10000, GLINT_FLASHER_BAUD_AUTO, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (last_settled_baud, ==, g_str_equal (mode, "tcp") ? 115200 : 921600);
  contents = board_stop (&board);
  assert_holds (contents, 0x10000, image);
}

/* An RFC 2217 server that sets at most 460800 and says so: the climb ends
 * there (after a reset, the chip having switched to 921600 already) and
 * the flash verifies. */
static void
test_auto_baud_server_caps (void)
{
  g_autoptr(GBytes) image = glint_test_app_like (96 * 1024);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  GAsyncResult *result = NULL;
  Board board = { 0 };

  board_start_capped (&board, "rfc2217", "time-scale=0", 460800);
  stream = glint_stream_new_for_address (board.address, &error);
  g_assert_no_error (error);
  flasher = glint_flasher_new (stream);
  glint_flash_plan_add_bytes (plan, 0x10000, image, "app");
  glint_flasher_set_plan (flasher, plan);
  glint_flasher_flash_async (flasher, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 120000);
  g_assert_true (glint_flasher_flash_finish (flasher, result, &error));
  g_assert_no_error (error);
  g_object_unref (result);
  g_assert_cmpuint (glint_flasher_get_settled_baud (flasher), ==, 460800);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);

  contents = board_stop (&board);
  assert_holds (contents, 0x10000, image);
}

static void
test_link_dies (void)
{
  g_autoptr(GBytes) image = glint_test_app_like (512 * 1024);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;
  Board board = { 0 };

  /* The server's link dies mid-write (the chip goes silent until EN is
   * pulsed): the job reconnects, resets the chip through the server,
   * writes what is missing and verifies. (Where it cannot: test-reconnect.) */
  board_start (&board, "rfc2217", "time-scale=0&disconnect-after=100000");
  g_assert_true (flash (board.address, image, 0x10000, 0, &error));
  g_assert_no_error (error);
  contents = board_stop (&board);
  assert_holds (contents, 0x10000, image);
}

/* A firmware file in each format Glint converts, flashed to a simulated
 * ESP32 as the CLI and the window do (a plan from the file alone, chip
 * found by detection): the flash must hold, byte for byte, the .bin files
 * the format stands for. */
static void
test_format (gconstpointer data)
{
  const char *format = data;
  TestImageSpec spec = { .chip_id = 0, .n_segments = 3, .seg_len = 0x4000, .hash = TRUE,
                         .app_desc = TRUE };
  g_autoptr(GBytes) app = test_image_build (&spec);
  g_autoptr(GBytes) extra = glint_test_app_like (70 * 1024 + 12);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GBytes) elf_image = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlashPlan) plan = NULL;
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  g_autofree char *path = NULL;
  GAsyncResult *result = NULL;
  Board board = { 0 };

  if (g_str_equal (format, "hex"))
    {
      g_autoptr(GString) text = g_string_new (NULL);
      guint32 upper = 0;

      hex_add (text, 0x10000, app, &upper);
      hex_add (text, 0x200000, extra, &upper);
      hex_record (text, 0x01, 0, NULL, 0);
      file = g_bytes_new (text->str, text->len);
    }
  else if (g_str_equal (format, "uf2"))
    {
      g_autoptr(GByteArray) blocks = g_byte_array_new ();

      uf2_add (blocks, 0x1C5F21B0, 0x10000, app);
      uf2_add (blocks, 0x1C5F21B0, 0x200000, extra);
      file = g_bytes_new (blocks->data, blocks->len);
    }
  else
    {
      file = test_elf_build (test_elf_chip ("esp32"), TEST_ELF_APP, 9);
      /* the .bin it stands for: esptool's elf2image output, which test
       * elf2image shows the converter makes */
      elf_image = glint_elf_to_image (file, "esp32", NULL, &error);
      g_assert_no_error (error);
    }

  board_start (&board, "tcp", "time-scale=0");
  path = g_build_filename (board.dir, "firmware", NULL);
  g_file_set_contents (path, g_bytes_get_data (file, NULL), g_bytes_get_size (file), &error);
  g_assert_no_error (error);

  plan = glint_flash_plan_new_for_path (path, NULL, &error);
  g_assert_no_error (error);
  stream = glint_stream_new_for_address (board.address, &error);
  g_assert_no_error (error);
  flasher = glint_flasher_new (stream);
  glint_flasher_set_plan (flasher, plan);
  glint_flasher_set_baud (flasher, 460800);
  glint_flasher_flash_async (flasher, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 240000);
  g_assert_true (glint_flasher_flash_finish (flasher, result, &error));
  g_assert_no_error (error);
  g_object_unref (result);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);

  contents = board_stop (&board);
  if (elf_image != NULL)
    {
      assert_holds (contents, 0x10000, elf_image);
    }
  else
    {
      assert_holds (contents, 0x10000, app);
      assert_holds (contents, 0x200000, extra);
    }
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  stub_dir = glint_test_fake_stub_dir ();
  glint_sim_stream_register ();

  g_test_add_data_func ("/glint/flash-e2e/pty", "pty", test_transport);
  g_test_add_data_func ("/glint/flash-e2e/tcp", "tcp", test_transport);
  g_test_add_data_func ("/glint/flash-e2e/rfc2217", "rfc2217", test_transport);
  g_test_add_data_func ("/glint/flash-e2e/ser2net", "ser2net", test_transport);
  g_test_add_data_func ("/glint/flash-e2e/ser2net-plain", "ser2net-plain", test_transport);
  g_test_add_func ("/glint/flash-e2e/rfc2217-slow-link", test_rfc2217_slow_link);
  g_test_add_data_func ("/glint/flash-e2e/real-time/sim", "sim", test_real_time);
  g_test_add_data_func ("/glint/flash-e2e/real-time/pty", "pty", test_real_time);
  g_test_add_data_func ("/glint/flash-e2e/real-time/tcp", "tcp", test_real_time);
  g_test_add_data_func ("/glint/flash-e2e/real-time/rfc2217", "rfc2217", test_real_time);
  g_test_add_func ("/glint/flash-e2e/usb-otg", test_usb_otg);
  g_test_add_func ("/glint/flash-e2e/link-dies", test_link_dies);
  g_test_add_data_func ("/glint/flash-e2e/auto-baud/pty", "pty", test_auto_baud);
  g_test_add_data_func ("/glint/flash-e2e/auto-baud/tcp", "tcp", test_auto_baud);
  g_test_add_data_func ("/glint/flash-e2e/auto-baud/rfc2217", "rfc2217", test_auto_baud);
  g_test_add_func ("/glint/flash-e2e/auto-baud/server-caps", test_auto_baud_server_caps);
  g_test_add_data_func ("/glint/flash-e2e/format/hex", "hex", test_format);
  g_test_add_data_func ("/glint/flash-e2e/format/uf2", "uf2", test_format);
  g_test_add_data_func ("/glint/flash-e2e/format/elf", "elf", test_format);

  status = g_test_run ();

  glint_test_remove_dir (stub_dir);
  g_free (stub_dir);

  return status;
}
