/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "glint-test-image.h"
#include "glint-test-utils.h"

/*
 * Every input a user types or picks, wrong: firmware files, offsets, URLs,
 * baud rates, chip names, flasher_args.json and manifest.json plans. Each
 * goes through glint-cli against glint-sim-server (TCP, download mode) and
 * must end with a failure exit status, a message naming the cause, within
 * a few seconds (a FIFO or /dev/zero must not hang), and without touching
 * the board: the simulated flash holds, byte for byte, what it held before.
 * What the command line alone decides is refused as bad usage (exit status
 * 2) before any connection: those rows get a listener that only counts
 * connections as their port, and it must count none.
 */

#define FLASH_SIZE (4 * 1024 * 1024)

typedef struct
{
  const char *name;
  const char *args[8];     /* @PORT@ and @DIR@ are replaced */
  int         status;      /* expected exit status: 1 failure, 2 usage */
  const char *cause;       /* in what glint-cli prints, case-insensitive */
  gboolean    board;       /* only the board can tell: it may be connected */
} BadInput;

static const BadInput table[] = {
  /* firmware files */
  { "empty-file", { "flash", "@DIR@/empty.bin@0x10000" }, 2, "is empty" },
  { "directory", { "flash", "@DIR@/adir@0x10000" }, 2, "directory" },
  { "directory-no-offset", { "flash", "@DIR@/adir" }, 2, "flasher_args.json" },
  { "fifo", { "flash", "@DIR@/fifo@0x10000" }, 2, "special file" },
  { "fifo-no-offset", { "flash", "@DIR@/fifo" }, 2, "special file" },
  { "dev-zero", { "flash", "/dev/zero@0x10000" }, 2, "special file" },
  { "dev-null", { "flash", "/dev/null@0x10000" }, 2, "special file" },
  { "missing-file", { "flash", "@DIR@/missing.bin@0x10000" }, 2, "missing.bin" },
  { "elf-file", { "flash", "@DIR@/app.elf@0x10000" }, 1, "ELF", TRUE },
  { "elf-no-offset", { "flash", "@DIR@/app.elf" }, 1, "ELF", TRUE },
  { "huge-file", { "flash", "@DIR@/huge.bin@0x0" }, 2, "huge.bin" },
  { "truncated-image", { "flash", "@DIR@/trunc.bin" }, 2, "trunc.bin" },
  { "wrong-chip-image", { "flash", "@DIR@/s3-app.bin@0x10000" }, 1, "esp32s3", TRUE },
  { "no-offset-raw", { "flash", "@DIR@/raw.bin" }, 2, "offset" },
  /* without a flash size of its own, a plan is refused before connecting only beyond the
   * largest flash the chip can have: 16 MB for the ESP8266, 128 MB for any */
  { "huge-file-raw", { "--chip", "esp8266", "--raw", "flash", "@DIR@/huge.bin@0x1000" }, 2,
    "beyond the largest flash ESP8266 can have (16 MB)" },
  { "args-flash-size", { "flash", "@DIR@/b-2mb" }, 2, "beyond the end of the 2 MB" },
  /* content that is not firmware, and damaged HEX and UF2 files */
  { "text-file", { "flash", "@DIR@/notes.txt" }, 2, "looks like text" },
  { "text-file-offset", { "flash", "@DIR@/notes.txt@0x10000" }, 2, "no firmware Glint knows" },
  { "html-file", { "flash", "@DIR@/download.bin" }, 2, "web page" },
  { "hex-checksum", { "flash", "@DIR@/bad.hex" }, 2, "line 2: checksum" },
  { "hex-truncated", { "flash", "@DIR@/cut.hex" }, 2, "without an end-of-file record" },
  { "hex-with-offset", { "flash", "@DIR@/good.hex@0x10000" }, 2, "its own flash offsets" },
  { "uf2-other-chip", { "flash", "@DIR@/s3.uf2" }, 1, "ESP32-S3", TRUE },
  { "uf2-not-espressif", { "flash", "@DIR@/pico.uf2" }, 2, "RP2040" },
  { "uf2-truncated", { "flash", "@DIR@/cut.uf2" }, 2, "512-byte UF2 blocks" },
  /* offsets */
  { "offset-unaligned", { "flash", "@DIR@/raw.bin@0x10001" }, 2, "0x10001" },
  { "offset-beyond-flash", { "--raw", "flash", "@DIR@/raw.bin@0x8000000" }, 2,
    "beyond the largest flash any chip Glint knows can have (128 MB)" },
  { "offset-end-beyond-flash", { "--raw", "flash", "@DIR@/raw.bin@0x7FFF000" }, 2,
    "ends at 0x8001000, beyond the largest flash" },
  { "offset-overflow", { "flash", "@DIR@/raw.bin@0xFFFFF000" }, 2, "4 GiB address space" },
  { "offset-overlap", { "flash", "@DIR@/raw.bin@0x10000", "@DIR@/raw.bin@0x11000" }, 2,
    "overlap" },
  { "offset-garbage", { "flash", "@DIR@/raw.bin@zzz" }, 2, "zzz" },
  { "offset-negative", { "flash", "@DIR@/raw.bin@-4096" }, 2, "-4096" },
  { "offset-too-big", { "flash", "@DIR@/raw.bin@0x100000000" }, 2, "0x100000000" },
  { "offset-empty", { "flash", "@DIR@/raw.bin@" }, 2, "offset" },
  { "erase-unaligned", { "erase", "--region", "0x1001", "0x1000" }, 2, "0x1001" },
  { "erase-length-unaligned", { "erase", "--region", "0x1000", "0xFFFFFFFF" }, 2,
    "multiples" },
  { "read-garbage", { "read", "xyz", "0x100", "@DIR@/out.bin" }, 2, "OFFSET" },
  { "read-beyond-4gib", { "read", "0xFFFFF000", "0x2000", "@DIR@/out.bin" }, 2, "4 GiB" },
  { "read-into-folder", { "read", "0", "0x100", "@DIR@/adir" }, 2, "folder" },
  { "backup-no-folder", { "--backup", "@DIR@/nowhere/old.bin", "--raw", "flash",
                          "@DIR@/raw.bin@0x10000" }, 2, "nowhere" },
  { "read-no-folder", { "read", "0", "0x100", "@DIR@/nowhere/out.bin" }, 2, "nowhere" },
  /* URLs and ports */
  { "url-bad-scheme", { "--port", "ftp://127.0.0.1:21", "info" }, 2, "ftp" },
  { "url-no-port", { "--port", "socket://127.0.0.1", "info" }, 2, "port" },
  { "url-port-0", { "--port", "socket://127.0.0.1:0", "info" }, 2, "port" },
  { "url-port-99999", { "--port", "rfc2217://127.0.0.1:99999", "info" }, 2, "99999" },
  { "url-garbage", { "--port", "socket://:::%%%", "info" }, 2, "brackets" },
  { "url-empty-host", { "--port", "rfc2217://:4000", "info" }, 2, "host" },
  { "url-port-99999-flash", { "--port", "rfc2217://:99999", "flash", "@DIR@/raw.bin@0x10000" }, 2,
    "rfc2217://host:4000" },
  { "url-bad-option", { "--port", "rfc2217://127.0.0.1:1?frobnicate", "info" }, 2,
    "frobnicate" },
  { "port-missing", { "--port", "/dev/ttyGLINTNOPE9", "info" }, 1, "ttyGLINTNOPE9", TRUE },
  { "port-not-a-tty", { "--port", "@DIR@/raw.bin", "info" }, 1, "raw.bin", TRUE },
  { "sim-bad-chip", { "--port", "sim://esp99", "info" }, 2, "esp99" },
  /* baud rates and chips */
  { "baud-text", { "-b", "fast", "flash", "@DIR@/raw.bin@0x10000" }, 2, "--baud takes" },
  { "baud-absurd", { "-b", "4000000000", "flash", "@DIR@/raw.bin@0x10000" }, 2,
    "--baud takes" },
  { "baud-too-low", { "-b", "99", "flash", "@DIR@/raw.bin@0x10000" }, 2, "--baud" },
  { "baud-negative", { "-b", "-115200", "flash", "@DIR@/raw.bin@0x10000" }, 2,
    "--baud takes" },
  { "chip-unknown", { "--chip", "esp99", "flash", "@DIR@/raw.bin@0x10000" }, 2, "esp99" },
  { "chip-mismatch", { "--chip", "esp32s3", "--raw", "flash", "@DIR@/raw.bin@0x10000" }, 1,
    "ESP32-S3", TRUE },
  /* flasher_args.json */
  { "args-malformed", { "flash", "@DIR@/b-malformed" }, 2, "flasher_args.json" },
  { "args-not-object", { "flash", "@DIR@/b-array" }, 2, "flasher_args.json" },
  { "args-missing-file", { "flash", "@DIR@/b-missing" }, 2, "gone.bin" },
  { "args-traversal", { "flash", "@DIR@/b-traversal" }, 2, "“../../../../etc/passwd”, outside" },
  { "args-absolute", { "flash", "@DIR@/b-absolute" }, 2, "“/etc/passwd”, outside" },
  { "args-absurd-offset", { "flash", "@DIR@/b-offset" }, 2, "0x7fffffff0" },
  { "args-no-files", { "flash", "@DIR@/b-empty" }, 2, "flasher_args.json" },
  /* manifest.json */
  { "manifest-malformed", { "flash", "@DIR@/m-malformed/manifest.json" }, 2, "manifest.json" },
  { "manifest-no-builds", { "flash", "@DIR@/m-nobuilds/manifest.json" }, 2, "builds" },
  { "manifest-missing-file", { "flash", "@DIR@/m-missing/manifest.json" }, 2, "gone.bin" },
  { "manifest-traversal", { "flash", "@DIR@/m-traversal/manifest.json" }, 2,
    "“../../../../etc/passwd”, outside" },
  { "manifest-absolute", { "flash", "@DIR@/m-absolute/manifest.json" }, 2,
    "“/etc/passwd”, outside" },
  { "manifest-url", { "flash", "@DIR@/m-url/manifest.json" }, 2, "URL" },
  { "manifest-absurd-offset", { "flash", "@DIR@/m-offset/manifest.json" }, 2, "offset" },
  { "manifest-string-offset", { "flash", "@DIR@/m-badstr/manifest.json" }, 2, "0xZZ" },
  { "manifest-wrong-chip", { "flash", "@DIR@/m-s3/manifest.json" }, 1, "ESP32-S3", TRUE },
};

typedef struct
{
  char        *dir;
  char        *flash_path;
  GSubprocess *server;
  char        *port;
  GBytes      *background;
  GSocket     *counter;        /* listens; never answers */
  char        *counter_port;
} Board;

static Board board;

static void
put (const char *rel,
     const void *data,
     gssize      len)
{
  g_autofree char *path = g_build_filename (board.dir, rel, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (parent, 0700);
  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
}

/* One UF2 block with 16 bytes for 0x10000, cut to len bytes */
static void
put_uf2 (const char *rel,
         guint32     family,
         gsize       len)
{
  guint8 block[1024] = { 0 };
  const guint32 words[] = { 0x0A324655, 0x9E5D5157, 0x2000, 0x10000, 16, 0, 1, family };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    for (guint b = 0; b < 4; b++)
      block[i * 4 + b] = (guint8) (words[i] >> (8 * b));
  for (guint b = 0; b < 4; b++)
    block[508 + b] = (guint8) (0x0AB16F30u >> (8 * b));
  put (rel, block, len);
}

static void
make_inputs (void)
{
  g_autofree char *fifo = g_build_filename (board.dir, "fifo", NULL);
  g_autofree char *adir = g_build_filename (board.dir, "adir", NULL);
  g_autofree char *huge = g_build_filename (board.dir, "huge.bin", NULL);
  TestImageSpec s3_spec = { .chip_id = 9, .hash = TRUE, .app_desc = TRUE };
  g_autoptr(GBytes) s3 = test_image_build (&s3_spec);
  guint8 raw[8192];
  guint8 elf[4096] = { 0x7F, 'E', 'L', 'F', 1, 1, 1, 0 };
  FILE *f;

  for (guint i = 0; i < sizeof raw; i++)
    raw[i] = (guint8) (i * 13 + 1);
  for (guint i = 16; i < sizeof elf; i++)
    elf[i] = (guint8) (i * 7);

  put ("notes.txt", "Remember to flash the bootloader first.\n", -1);
  put ("download.bin", "<!DOCTYPE html>\n<html><head><title>404</title></head></html>\n", -1);
  put ("bad.hex", ":020000040000FA\n:0400000001020304F1\n:00000001FF\n", -1);
  put ("cut.hex", ":020000040000FA\n:0400000001020304F2\n", -1);
  put ("good.hex", ":020000040001F9\n:0400000001020304F2\n:00000001FF\n", -1);
  put_uf2 ("s3.uf2", 0xC47E5767, 512);
  put_uf2 ("pico.uf2", 0xE48BFF56, 512);
  put_uf2 ("cut.uf2", 0x1C5F21B0, 700);
  put ("empty.bin", "", 0);
  put ("raw.bin", raw, sizeof raw);
  put ("app.elf", elf, sizeof elf);
  put ("trunc.bin", "\xE9\x03\x02\x20\x00\x00", 6);
  put ("s3-app.bin", g_bytes_get_data (s3, NULL), g_bytes_get_size (s3));
  g_assert_cmpint (g_mkdir (adir, 0700), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  /* larger than any flash, sparse */
  f = fopen (huge, "w");
  g_assert_nonnull (f);
  g_assert_cmpint (fseek (f, 64 * 1024 * 1024, SEEK_SET), ==, 0);
  fputc (1, f);
  fclose (f);

  put ("b-malformed/flasher_args.json", "{\"flash_files\": {\"0x10000\": ", -1);
  put ("b-array/flasher_args.json", "[1, 2, 3]", -1);
  put ("b-missing/flasher_args.json", "{\"flash_files\": {\"0x10000\": \"gone.bin\"}}", -1);
  put ("b-traversal/flasher_args.json",
       "{\"flash_files\": {\"0x10000\": \"../../../../etc/passwd\"}}", -1);
  put ("b-absolute/flasher_args.json", "{\"flash_files\": {\"0x10000\": \"/etc/passwd\"}}",
       -1);
  put ("b-offset/raw.bin", raw, sizeof raw);
  put ("b-offset/flasher_args.json", "{\"flash_files\": {\"0x7fffffff0\": \"raw.bin\"}}", -1);
  put ("b-empty/flasher_args.json", "{\"flash_files\": {}}", -1);
  put ("b-2mb/raw.bin", raw, sizeof raw);
  put ("b-2mb/flasher_args.json", "{\"flash_settings\": {\"flash_size\": \"2MB\"}, "
       "\"flash_files\": {\"0x1ff000\": \"raw.bin\"}}", -1);

  put ("m-malformed/manifest.json", "{\"builds\": [", -1);
  put ("m-nobuilds/manifest.json", "{\"name\": \"x\", \"builds\": []}", -1);
  put ("m-missing/manifest.json",
       "{\"builds\": [{\"chipFamily\": \"ESP32\", \"parts\": "
       "[{\"path\": \"gone.bin\", \"offset\": 65536}]}]}", -1);
  put ("m-traversal/manifest.json",
       "{\"builds\": [{\"chipFamily\": \"ESP32\", \"parts\": "
       "[{\"path\": \"../../../../etc/passwd\", \"offset\": 65536}]}]}", -1);
  put ("m-absolute/manifest.json",
       "{\"builds\": [{\"chipFamily\": \"ESP32\", \"parts\": "
       "[{\"path\": \"/etc/passwd\", \"offset\": 65536}]}]}", -1);
  put ("m-url/manifest.json",
       "{\"builds\": [{\"chipFamily\": \"ESP32\", \"parts\": "
       "[{\"path\": \"https://example.com/a.bin\", \"offset\": 65536}]}]}", -1);
  put ("m-offset/raw.bin", raw, sizeof raw);
  put ("m-offset/manifest.json",
       "{\"builds\": [{\"chipFamily\": \"ESP32\", \"parts\": "
       "[{\"path\": \"raw.bin\", \"offset\": 99999999999}]}]}", -1);
  put ("m-badstr/raw.bin", raw, sizeof raw);
  put ("m-badstr/manifest.json",
       "{\"builds\": [{\"chipFamily\": \"ESP32\", \"parts\": "
       "[{\"path\": \"raw.bin\", \"offset\": \"0xZZ\"}]}]}", -1);
  put ("m-s3/raw.bin", raw, sizeof raw);
  put ("m-s3/manifest.json",
       "{\"builds\": [{\"chipFamily\": \"ESP32-S3\", \"parts\": "
       "[{\"path\": \"raw.bin\", \"offset\": 65536}]}]}", -1);
}

static char *
substitute (const char *arg)
{
  GString *s = g_string_new (arg);

  g_string_replace (s, "@DIR@", board.dir, 0);
  g_string_replace (s, "@PORT@", board.port, 0);
  return g_string_free (s, FALSE);
}

/* Connections made to the counting listener since the last call. */
static guint
count_connections (void)
{
  guint n = 0;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) peer = g_socket_accept (board.counter, NULL, &error);

      if (peer == NULL)
        break;
      n++;
    }

  return n;
}

static gboolean
contains_nocase (const char *haystack,
                 const char *needle)
{
  g_autofree char *h = g_utf8_casefold (haystack, -1);
  g_autofree char *n = g_utf8_casefold (needle, -1);

  return strstr (h, n) != NULL;
}

static void
test_bad_input (gconstpointer data)
{
  const BadInput *row = data;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gboolean has_port = FALSE;
  gint64 start = g_get_monotonic_time ();
  guint connections;
  int status;

  g_ptr_array_add (argv, g_strdup (g_getenv ("GLINT_CLI")));
  for (guint i = 0; row->args[i] != NULL; i++)
    has_port |= g_str_equal (row->args[i], "--port");
  if (!has_port)
    {
      g_ptr_array_add (argv, g_strdup ("--port"));
      g_ptr_array_add (argv, g_strdup (row->board ? board.port : board.counter_port));
    }
  g_ptr_array_add (argv, g_strdup ("--timeout-scale"));
  g_ptr_array_add (argv, g_strdup ("0.5"));
  for (guint i = 0; row->args[i] != NULL; i++)
    g_ptr_array_add (argv, substitute (row->args[i]));
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char *const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
  /* the kernel completes a connection to a listening socket by itself */
  connections = count_connections ();

  g_test_message ("%s: exit %d after %.1f s: %s", row->name, status,
                  (g_get_monotonic_time () - start) / 1e6, err);
  if (status != row->status)
    {
      g_test_message ("%s: exit status %d, expected %d", row->name, status, row->status);
      g_test_fail ();
    }
  if (!contains_nocase (err, row->cause))
    {
      g_test_message ("%s: “%s” is not in what glint-cli said", row->name, row->cause);
      g_test_fail ();
    }
  if (!row->board && connections > 0)
    {
      g_test_message ("%s: connected to the board before refusing", row->name);
      g_test_fail ();
    }
  if (!row->board && strstr (out, "Connecting") != NULL)
    {
      g_test_message ("%s: said “Connecting” before refusing", row->name);
      g_test_fail ();
    }
  /* A file the user picked is never blamed on the cable. */
  for (guint i = 0; i < G_N_ELEMENTS (row->args) && row->args[i] != NULL; i++)
    {
      if (g_str_has_prefix (row->args[i], "@DIR@") &&
          contains_nocase (err, "check the connection"))
        {
          g_test_message ("%s: a file problem got the connection hint", row->name);
          g_test_fail ();
        }
    }
  /* a bad input is refused at once, not after a wait */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);
}

/* Last: after every bad input, the board's flash is as it was. */
static void
test_board_untouched (void)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  glint_test_stop_subprocess (board.server);
  g_clear_object (&board.server);
  g_file_get_contents (board.flash_path, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (contents, len, g_bytes_get_data (board.background, NULL), FLASH_SIZE);
  g_free (contents);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *announcement = NULL;
  g_autofree char *stub_dir = NULL;
  g_auto(GStrv) words = NULL;
  guint8 *bg = g_malloc (FLASH_SIZE);
  int status;

  g_test_init (&argc, &argv, NULL);

  glint_sim_stream_register ();

  stub_dir = glint_test_fake_stub_dir ();
  board.dir = g_dir_make_tmp ("glint-bad-input-XXXXXX", &error);
  g_assert_no_error (error);
  make_inputs ();

  /* the board's flash starts with a pattern that no erase makes */
  for (gsize i = 0; i < FLASH_SIZE; i++)
    bg[i] = (guint8) (i ^ (i >> 9) ^ 0x5A);
  board.background = g_bytes_new_take (bg, FLASH_SIZE);
  board.flash_path = g_build_filename (board.dir, "flash.bin", NULL);
  g_file_set_contents (board.flash_path, g_bytes_get_data (board.background, NULL),
                       FLASH_SIZE, &error);
  g_assert_no_error (error);
  {
    const char *args[] = { "--tcp", "0", "--chip", "esp32", "--flash", board.flash_path,
                           "--option", "time-scale=0", NULL };

    board.server = glint_test_spawn_sim_server (args, &announcement);
  }
  words = g_strsplit (announcement, " ", -1);
  board.port = g_strdup_printf ("socket://%s:%s", words[1], words[2]);
  {
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
    g_autoptr(GSocketAddress) bound = NULL;

    board.counter = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, &error);
    g_assert_no_error (error);
    g_socket_bind (board.counter, any, TRUE, &error);
    g_assert_no_error (error);
    g_socket_set_listen_backlog (board.counter, 16);
    g_socket_listen (board.counter, &error);
    g_assert_no_error (error);
    g_socket_set_blocking (board.counter, FALSE);
    bound = g_socket_get_local_address (board.counter, &error);
    g_assert_no_error (error);
    board.counter_port = g_strdup_printf ("socket://127.0.0.1:%u",
                                          g_inet_socket_address_get_port (
                                            G_INET_SOCKET_ADDRESS (bound)));
  }

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree char *path = g_strdup_printf ("/glint/bad-input/%s", table[i].name);

      g_test_add_data_func (path, &table[i], test_bad_input);
    }
  g_test_add_func ("/glint/bad-input/zz-board-untouched", test_board_untouched);

  status = g_test_run ();

  glint_test_stop_subprocess (board.server);
  g_clear_object (&board.server);
  glint_test_remove_dir (board.dir);
  glint_test_remove_dir (stub_dir);
  g_free (board.dir);
  g_free (board.flash_path);
  g_free (board.port);
  g_free (board.counter_port);
  g_clear_object (&board.counter);
  g_bytes_unref (board.background);

  return status;
}
