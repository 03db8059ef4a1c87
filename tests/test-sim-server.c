/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "glint-chip.h"
#include "glint-error.h"
#include "glint-link-timing.h"
#include "glint-loader.h"
#include "glint-stream.h"
#include "glint-test-utils.h"

/*
 * glint-sim-server end to end: the real stream code talks the real protocol
 * to the simulator in another process, over a pty, raw TCP, RFC 2217, and
 * ser2net (a real RFC 2217 server) in front of the simulator's pty.
 */

#define ESP32_MAGIC 0x00F01D83

/* SYNC until the chip answers: the first ones may meet a boot log. */
static void
sync_until_answered (GlintLoader *loader)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 5; i++)
    {
      g_clear_error (&error);
      if (glint_test_loader_sync (loader, NULL, &error))
        return;
      g_assert_error (error, GLINT_ERROR, GLINT_ERROR_TIMEOUT);
    }
  g_error ("no SYNC answer in 5 tries: %s", error->message);
}

static guint32
read_reg (GlintLoader *loader,
          guint32      address)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint32 *values = NULL;
  GAsyncResult *result = NULL;
  guint32 value;

  glint_loader_read_regs_async (loader, &address, 1, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 30000);
  values = glint_loader_read_regs_finish (loader, result, &error);
  g_object_unref (result);
  g_assert_no_error (error);
  value = values[0];

  return value;
}

/* CHANGE_BAUDRATE on the ESP32 ROM (old baud 0), corrected for the
 * crystal the ROM believes in as the flasher does, then follow on our
 * side. The simulator garbles everything if the two sides disagree, so a
 * SYNC that works afterwards proves that our speed reached the far end. */
static void
change_baud (GlintLoader *loader,
             guint        baud)
{
  const GlintChip *esp32 = glint_chip_lookup ("esp32");
  GlintStream *stream = glint_loader_get_stream (loader);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GBytes) reply = NULL;
  GAsyncResult *result = NULL;
  const guint32 *regs;
  guint32 values[GLINT_CHIP_MAX_XTAL_REGS];
  guint n = 0;
  guint32 sent;
  guint8 data[8] = { 0 };

  regs = glint_chip_get_rom_xtal_registers (esp32, &n);
  for (guint i = 0; i < n; i++)
    values[i] = read_reg (loader, regs[i]);
  sent = glint_chip_baud_to_send (esp32, baud,
                                  glint_chip_rom_xtal_mhz (esp32, values,
                                                           glint_stream_get_baud (stream)),
                                  FALSE);
  for (guint i = 0; i < 4; i++)
    data[i] = (sent >> (8 * i)) & 0xFF;

  payload = g_bytes_new (data, sizeof data);
  glint_loader_command_async (loader, GLINT_OP_CHANGE_BAUDRATE, payload, 0, 0, 1000,
                              GLINT_COMMAND_NONE, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 30000);
  reply = glint_loader_command_finish (loader, result, NULL, &error);
  g_object_unref (result);
  g_assert_no_error (error);

  glint_test_set_baud (stream, baud, &error);
  g_assert_no_error (error);
}

static char *
announcement_to_address (const char *announcement)
{
  g_auto(GStrv) words = g_strsplit (announcement, " ", -1);

  g_assert_cmpuint (g_strv_length (words), >=, 2);
  if (g_str_equal (words[0], "PTY"))
    return g_strdup (words[1]);
  g_assert_cmpuint (g_strv_length (words), ==, 3);
  if (g_str_equal (words[0], "TCP"))
    return g_strdup_printf ("socket://%s:%s", words[1], words[2]);
  if (g_str_equal (words[0], "RFC2217"))
    return g_strdup_printf ("rfc2217://%s:%s", words[1], words[2]);
  g_error ("unexpected announcement “%s”", announcement);
}

static void
close_stream (GlintStream *stream)
{
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
  g_object_unref (stream);
}

static void
test_pty (void)
{
  const char *args[] = { "--pty", "--option", "time-scale=0", NULL };
  g_autofree char *announcement = NULL;
  g_autofree char *address = NULL;
  g_autoptr(GSubprocess) server = glint_test_spawn_sim_server (args, &announcement);
  g_autoptr(GlintLoader) loader = NULL;
  GlintStream *stream;

  g_assert_true (g_str_has_prefix (announcement, "PTY /dev/"));
  address = announcement_to_address (announcement);
  stream = glint_test_open_stream (address);
  loader = glint_loader_new (stream);

  sync_until_answered (loader);
  g_assert_cmphex (read_reg (loader, 0x40001000), ==, ESP32_MAGIC);

  /* The server reads our speed back from the pty's termios. */
  change_baud (loader, 460800);
  sync_until_answered (loader);
  g_assert_cmphex (read_reg (loader, 0x40001000), ==, ESP32_MAGIC);

  g_clear_object (&loader);
  close_stream (stream);
  glint_test_stop_subprocess (server);
}

static void
test_tcp (void)
{
  const char *args[] = { "--tcp", "0", "--chip", "esp32s2", "--option", "time-scale=0", NULL };
  g_autofree char *announcement = NULL;
  g_autofree char *address = NULL;
  g_autoptr(GSubprocess) server = glint_test_spawn_sim_server (args, &announcement);
  g_autoptr(GlintLoader) loader = NULL;
  GlintStream *stream;

  address = announcement_to_address (announcement);
  g_assert_true (g_str_has_prefix (address, "socket://127.0.0.1:"));
  stream = glint_test_open_stream (address);
  g_assert_true (glint_stream_get_is_remote (stream));
  loader = glint_loader_new (stream);

  sync_until_answered (loader);
  g_assert_cmphex (read_reg (loader, 0x40001000), ==, 0x000007C6);   /* ESP32-S2 */

  g_clear_object (&loader);
  close_stream (stream);

  /* A second client gets the same board. */
  stream = glint_test_open_stream (address);
  loader = glint_loader_new (stream);
  sync_until_answered (loader);
  g_clear_object (&loader);
  close_stream (stream);

  glint_test_stop_subprocess (server);
}

static void
test_rfc2217 (gconstpointer data)
{
  const char *query = data;
  const char *args[] = { "--rfc2217", "0", "--option", "time-scale=0", NULL };
  g_autofree char *announcement = NULL;
  g_autofree char *base = NULL;
  g_autofree char *address = NULL;
  g_autofree char *log = NULL;
  g_autoptr(GSubprocess) server = glint_test_spawn_sim_server (args, &announcement);
  g_autoptr(GlintLoader) loader = NULL;
  g_autoptr(GError) error = NULL;
  GlintStream *stream;

  base = announcement_to_address (announcement);
  address = g_strconcat (base, query, NULL);
  stream = glint_test_open_stream (address);
  g_assert_true (glint_stream_get_can_control_lines (stream));
  loader = glint_loader_new (stream);

  /* Over RFC 2217 the board is really reset into download mode. */
  glint_link_timing_set_override (glint_loader_get_timing (loader), 300000);
  g_assert_false (glint_test_loader_sync (loader, NULL, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_TIMEOUT);
  glint_link_timing_set_override (glint_loader_get_timing (loader), 0);

  glint_test_loader_reset (loader, GLINT_RESET_CLASSIC);
  sync_until_answered (loader);
  log = glint_loader_take_boot_log (loader);
  g_assert_nonnull (strstr (log, "waiting for download"));

  change_baud (loader, 921600);
  sync_until_answered (loader);
  g_assert_cmphex (read_reg (loader, 0x40001000), ==, ESP32_MAGIC);

  g_clear_object (&loader);
  close_stream (stream);
  glint_test_stop_subprocess (server);
}

/* esptool's ClassicReset as it reaches an RFC 2217 server through pyserial:
 * each line change a round trip (at least 50 ms) after the one before. */
static void
slow_classic_reset (GlintStream *stream)
{
  const GlintLines both = GLINT_LINE_DTR | GLINT_LINE_RTS;
  g_autoptr(GError) error = NULL;

  g_assert_true (glint_test_set_lines (stream, GLINT_LINE_DTR, 0, &error));
  g_assert_true (glint_test_set_lines (stream, GLINT_LINE_RTS, GLINT_LINE_RTS, &error));
  glint_test_spin (100);
  g_assert_true (glint_test_set_lines (stream, GLINT_LINE_DTR, GLINT_LINE_DTR, &error));
  glint_test_spin (60);
  g_assert_true (glint_test_set_lines (stream, GLINT_LINE_RTS, 0, &error));
  glint_test_spin (50);
  g_assert_true (glint_test_set_lines (stream, both, 0, &error));
  g_assert_no_error (error);
}

/* With DTR and RTS both on for a round trip, EN rises with IO0 high and the
 * chip boots its app, as a real board would; a server that runs the reset
 * itself (--esp-reset, as esptool's esp_rfc2217_server) gets it into
 * download mode all the same. */
static void
test_rfc2217_esp_reset (gconstpointer data)
{
  gboolean esp_reset = GPOINTER_TO_INT (data);
  const char *args[] = { "--rfc2217", "0", "--option", "time-scale=0",
                         esp_reset ? "--esp-reset" : NULL, NULL };
  g_autofree char *announcement = NULL;
  g_autofree char *address = NULL;
  g_autofree char *log = NULL;
  g_autoptr(GSubprocess) server = glint_test_spawn_sim_server (args, &announcement);
  g_autoptr(GlintLoader) loader = NULL;
  GlintStream *stream;

  address = announcement_to_address (announcement);
  stream = glint_test_open_stream (address);
  loader = glint_loader_new (stream);

  slow_classic_reset (stream);
  glint_test_spin (300);
  log = glint_loader_take_boot_log (loader);
  if (esp_reset)
    {
      g_assert_nonnull (strstr (log, "waiting for download"));
      sync_until_answered (loader);
      g_assert_cmphex (read_reg (loader, 0x40001000), ==, ESP32_MAGIC);
    }
  else
    {
      g_assert_null (strstr (log, "waiting for download"));
      g_assert_nonnull (strstr (log, "SPI_FAST_FLASH_BOOT"));
    }

  g_clear_object (&loader);
  close_stream (stream);
  glint_test_stop_subprocess (server);
}

static void
test_rfc2217_latency (void)
{
  const char *args[] = { "--rfc2217", "0", "--options", "time-scale=0&latency=200&jitter=30",
                         NULL };
  g_autofree char *announcement = NULL;
  g_autofree char *base = NULL;
  g_autofree char *address = NULL;
  g_autoptr(GSubprocess) server = glint_test_spawn_sim_server (args, &announcement);
  g_autoptr(GlintLoader) loader = NULL;
  GlintStream *stream;

  /* 400 ms round trip: the ssh tunnel / lab server case */
  base = announcement_to_address (announcement);
  address = g_strconcat (base, "?ign_set_control", NULL);
  stream = glint_test_open_stream (address);
  loader = glint_loader_new (stream);

  glint_test_loader_reset (loader, GLINT_RESET_CLASSIC);
  sync_until_answered (loader);
  for (guint i = 0; i < 3; i++)
    g_assert_cmphex (read_reg (loader, 0x40001000), ==, ESP32_MAGIC);

  g_assert_cmpint (glint_link_timing_get_srtt (glint_loader_get_timing (loader)), >=, 350000);

  g_clear_object (&loader);
  close_stream (stream);
  glint_test_stop_subprocess (server);
}

static void
test_ser2net (void)
{
  const char *ser2net = g_getenv ("GLINT_SER2NET");
  g_autofree char *link_dir = NULL;
  g_autofree char *link_path = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *address = NULL;
  g_autofree char *announcement = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GSubprocess) relay = NULL;
  g_autoptr(GlintLoader) loader = NULL;
  g_autoptr(GError) error = NULL;
  GlintStream *stream;
  guint16 port;

  if (ser2net == NULL)
    {
      g_test_skip ("ser2net is not installed");
      return;
    }

  link_dir = g_dir_make_tmp ("glint-ser2net-XXXXXX", &error);
  g_assert_no_error (error);
  link_path = g_build_filename (link_dir, "board", NULL);
  {
    const char *args[] = { "--pty", "--link", link_path, "--option", "time-scale=0", NULL };

    server = glint_test_spawn_sim_server (args, &announcement);
  }

  relay = glint_test_spawn_ser2net (link_path, link_dir, &port);
  config_path = g_build_filename (link_dir, "ser2net.yaml", NULL);

  /* ser2net never acknowledges SET-CONTROL behind a pty (testing.md). */
  address = g_strdup_printf ("rfc2217://127.0.0.1:%u?ign_set_control", port);
  stream = glint_test_open_stream (address);
  loader = glint_loader_new (stream);

  sync_until_answered (loader);
  g_assert_cmphex (read_reg (loader, 0x40001000), ==, ESP32_MAGIC);

  /* ser2net applies our speed to the pty; the simulator reads it back. */
  change_baud (loader, 460800);
  sync_until_answered (loader);
  g_assert_cmphex (read_reg (loader, 0x40001000), ==, ESP32_MAGIC);

  g_clear_object (&loader);
  close_stream (stream);
  glint_test_stop_subprocess (relay);
  glint_test_stop_subprocess (server);
  g_unlink (config_path);
  g_rmdir (link_dir);
}

static void
test_flash_file_saved (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-flash-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "flash.bin", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *announcement = NULL;
  g_autoptr(GSubprocess) server = NULL;
  const char *args[] = { "--tcp", "0", "--flash", path, "--option", "flash-size=2M", NULL };
  gsize len = 0;

  server = glint_test_spawn_sim_server (args, &announcement);
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait_check (server, NULL, &error);
  g_assert_no_error (error);

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, 2 * 1024 * 1024);
  for (gsize i = 0; i < len; i += 4099)
    g_assert_cmphex ((guint8) contents[i], ==, 0xFF);

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_bad_option (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autofree char *err = NULL;

  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             &error, g_getenv ("GLINT_SIM_SERVER"), "--tcp", "0",
                             "--option", "latency=soon", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (server, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (server), ==, 2);
  g_assert_nonnull (strstr (err, "latency"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/glint/sim-server/pty", test_pty);
  g_test_add_func ("/glint/sim-server/tcp", test_tcp);
  g_test_add_data_func ("/glint/sim-server/rfc2217", "", test_rfc2217);
  g_test_add_data_func ("/glint/sim-server/rfc2217-ign-set-control", "?ign_set_control",
                        test_rfc2217);
  g_test_add_func ("/glint/sim-server/rfc2217-latency", test_rfc2217_latency);
  g_test_add_data_func ("/glint/sim-server/rfc2217-slow-reset", GINT_TO_POINTER (FALSE),
                        test_rfc2217_esp_reset);
  g_test_add_data_func ("/glint/sim-server/rfc2217-esp-reset", GINT_TO_POINTER (TRUE),
                        test_rfc2217_esp_reset);
  g_test_add_func ("/glint/sim-server/ser2net", test_ser2net);
  g_test_add_func ("/glint/sim-server/flash-file", test_flash_file_saved);
  g_test_add_func ("/glint/sim-server/bad-option", test_bad_option);

  return g_test_run ();
}
