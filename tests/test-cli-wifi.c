/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "glint-test-utils.h"

/* glint-cli wifi as a user runs it: Improv Serial on the Demo board, in
 * the CLI's process (sim://) and, for the whole path, after a flash of
 * the Demo firmware through glint-sim-server's RFC 2217 port. Passwords
 * show up nowhere: not on either output, not in --json, not in the debug
 * log. */

#define DEMO_SSID     "Glint Demo (password: demo1234)"
#define DEMO_PASSWORD "demo1234"
#define DEMO_BOARD    "sim://esp32?boot=normal&improv=on&time-scale=0"
/* a network whose name does not give its password away (the Demo one's does) */
#define OTHER_SSID     "Neighbours"
#define OTHER_PASSWORD "correct horse battery"

/* glint-cli with the suite's environment and every debug message on;
 * its download cache in @cache_dir unless that is NULL. */
static void
run_cli_cached (GlintTestRun      *run,
                const char        *cache_dir,
                const char *const *args)
{
  const char *env[] = { "G_MESSAGES_DEBUG", "all", "XDG_CACHE_HOME", cache_dir, NULL };

  if (cache_dir == NULL)
    env[2] = NULL;
  glint_test_run_cli (run, args, NULL, env);
}

static void
run_cli (GlintTestRun      *run,
         const char *const *args)
{
  run_cli_cached (run, NULL, args);
}

static void
assert_no_secret (GlintTestRun *run,
                  const char   *password)
{
  g_assert_null (strstr (run->out, password));
  g_assert_null (strstr (run->err, password));
}

static char *
password_file (const char *dir,
               const char *password)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, "password", NULL);
  g_autofree char *line = g_strdup_printf ("%s\n", password);

  g_file_set_contents (path, line, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
test_set_up (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-wifi-XXXXXX", &error);
  g_autofree char *right = password_file (dir, DEMO_PASSWORD);
  g_autofree char *other = g_build_filename (dir, "other", NULL);
  const char *json[] = { "--json", "-p", DEMO_BOARD, "wifi", "--ssid", OTHER_SSID,
                         "--password-file", other, NULL };
  const char *text[] = { "-p", DEMO_BOARD, "wifi", "--list", "--ssid=" DEMO_SSID,
                         "--password-file", right, NULL };
  GlintTestRun run = { 0 };

  g_file_set_contents (other, OTHER_PASSWORD, -1, &error);
  g_assert_no_error (error);
  run_cli (&run, json);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "{\"event\":\"device\",\"firmware\":\"glint-demo\""));
  g_assert_nonnull (strstr (run.out, "{\"event\":\"wifi\",\"ssid\":\"" OTHER_SSID "\","
                                     "\"url\":\"http://glint-demo-"));
  g_assert_nonnull (strstr (run.out, "{\"event\":\"done\",\"job\":\"wifi\"}"));
  /* the debug log, on standard error only (standard output holds the
   * events), says what was sent, never the password */
  g_assert_nonnull (strstr (run.err, "sending the Wi-Fi settings for “" OTHER_SSID "”"));
  g_assert_null (strstr (run.out, "DEBUG"));
  g_assert_nonnull (strstr (run.out, "{\"event\":\"waiting\",\"for\":\"improv\",\"seconds\":10"));
  assert_no_secret (&run, OTHER_PASSWORD);
  glint_test_run_clear (&run);

  run_cli (&run, text);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Firmware: glint-demo 1.0 on ESP32 (“Glint Demo Board”)"));
  g_assert_nonnull (strstr (run.out, " -42 dBm  secured   " DEMO_SSID "\n"));
  g_assert_nonnull (strstr (run.out, " -67 dBm  open      Cafe Guest\n"));
  g_assert_nonnull (strstr (run.out, "The board joined “" DEMO_SSID "”. Open it at "
                                     "http://glint-demo-"));
  glint_test_run_clear (&run);

  g_unlink (other);
  g_unlink (right);
  g_rmdir (dir);
}

static void
test_wrong_password (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-wifi-XXXXXX", &error);
  g_autofree char *wrong = password_file (dir, "hunter2-wrong");
  const char *text[] = { "-p", DEMO_BOARD, "wifi", "--ssid", DEMO_SSID,
                         "--password-file", wrong, NULL };
  const char *json[] = { "--json", "-p", DEMO_BOARD, "wifi", "--ssid", DEMO_SSID,
                         "--password-file", wrong, NULL };
  GlintTestRun run = { 0 };

  run_cli (&run, text);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "Error: The board could not join “" DEMO_SSID "”: the "
                                     "password may be wrong"));
  assert_no_secret (&run, "hunter2-wrong");
  glint_test_run_clear (&run);

  run_cli (&run, json);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.out, "{\"event\":\"error\""));
  g_assert_null (strstr (run.out, "\"event\":\"wifi\""));
  assert_no_secret (&run, "hunter2-wrong");
  glint_test_run_clear (&run);

  g_unlink (wrong);
  g_rmdir (dir);
}

/* Firmware that does not speak Improv: the wait, said while it lasts (the
 * default 10 s × --timeout-scale, or --wait), then a message that names
 * both causes and the way on. */
static void
test_no_improv (void)
{
  const char *scaled[] = { "--timeout-scale", "0.05", "-p",
                           "sim://esp32?boot=normal&improv=off&time-scale=0", "wifi", "--list",
                           NULL };
  const char *wait[] = { "--json", "-p", "sim://esp32?boot=normal&improv=off&time-scale=0",
                         "wifi", "--wait", "0.25", "--list", NULL };
  GlintTestRun run = { 0 };

  run_cli (&run, scaled);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "Waiting up to 0.5 s for the firmware on sim://esp32"));
  g_assert_nonnull (strstr (run.err, "to start and answer Improv Serial…\n"));
  g_assert_nonnull (strstr (run.err, "Error: The board on sim://esp32"));
  g_assert_nonnull (strstr (run.err, "did not answer Improv Serial within 0.5 s: the firmware "
                                     "does not speak Improv Serial, or it needs longer to "
                                     "start\nTry --wait 30;"));
  g_assert_nonnull (strstr (run.err, "documentation"));
  g_assert_cmpstr (run.out, ==, "");
  glint_test_run_clear (&run);

  run_cli (&run, wait);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.out, "{\"event\":\"waiting\",\"for\":\"improv\","
                                     "\"seconds\":0.25"));
  g_assert_nonnull (strstr (run.out, "within 0.25 s"));
  g_assert_nonnull (strstr (run.out, "\"hint\":\"Try --wait 30;"));
  g_assert_null (strstr (run.out, "\"event\":\"network\""));
  glint_test_run_clear (&run);
}

static void
test_usage (void)
{
  const char *no_ssid[] = { "-p", DEMO_BOARD, "wifi", NULL };
  const char *no_port[] = { "wifi", "--ssid", "x", NULL };
  const char *missing[] = { "-p", DEMO_BOARD, "wifi", "--ssid", "x", "--password-file",
                            "/nonexistent/password", NULL };
  const char *long_ssid[] = { "-p", DEMO_BOARD, "wifi", "--ssid",
                              "a-network-name-longer-than-32-bytes", NULL };
  const char *no_wait[] = { "-p", DEMO_BOARD, "wifi", "--list", "--wait", "0", NULL };
  const char *bad_wait[] = { "-p", DEMO_BOARD, "wifi", "--list", "--wait=soon", NULL };
  const char *long_wait[] = { "-p", DEMO_BOARD, "wifi", "--list", "--wait", "3601", NULL };
  const char *const *cases[] = { no_ssid, no_port, missing, long_ssid, no_wait, bad_wait,
                                 long_wait };
  GlintTestRun run = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      run_cli (&run, cases[i]);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_null (strstr (run.err, "Improv Serial…"));   /* the board was not asked */
      glint_test_run_clear (&run);
    }
}

/* wifi --help shows wifi's own options, wherever --help and the port
 * stand; the main help stays the main help. */
static void
test_help (void)
{
  const char *after[] = { "-p", DEMO_BOARD, "wifi", "--help", NULL };
  const char *before[] = { "--help", "--port", "wifi", "wifi", NULL };   /* a port named wifi */
  const char *main_help[] = { "--help", NULL };
  const char *const *cases[] = { after, before };
  GlintTestRun run = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      run_cli (&run, cases[i]);
      g_assert_cmpint (run.status, ==, 0);
      g_assert_nonnull (strstr (run.out, "wifi — set up the Wi-Fi"));
      g_assert_nonnull (strstr (run.out, "--ssid=NAME"));
      g_assert_nonnull (strstr (run.out, "--password-file=FILE"));
      g_assert_nonnull (strstr (run.out, "--list"));
      g_assert_nonnull (strstr (run.out, "--wait=SECONDS"));
      g_assert_null (strstr (run.out, "--no-stub"));
      g_assert_null (strstr (run.err, "Improv Serial…"));   /* the board was not asked */
      glint_test_run_clear (&run);
    }

  run_cli (&run, main_help);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "COMMAND — flash Espressif chips"));
  g_assert_null (strstr (run.out, "--ssid=NAME"));
  glint_test_run_clear (&run);
}

static GSubprocess *
spawn_board (const char  *flash_path,
             char       **address)
{
  const char *const args[] = { "--option", "time-scale=0", NULL };
  GlintTestBoardOptions options = { GLINT_TEST_LINK_RFC2217, flash_path, args, NULL };

  return glint_test_board_start (&options, address);
}

/* Flash, reset into the app, Wi-Fi: a board of another process behind
 * RFC 2217, with the Demo firmware; then the same with other firmware,
 * which is offered nothing. */
static void
test_after_flash (void)
{
  const char *projects[] = { "glint-demo", "blink" };

  for (guint i = 0; i < G_N_ELEMENTS (projects); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = g_dir_make_tmp ("glint-wifi-XXXXXX", &error);
      g_autofree char *flash_path = g_build_filename (dir, "flash.bin", NULL);
      g_autofree char *app_path = g_build_filename (dir, "app.bin", NULL);
      g_autofree char *app_arg = g_strdup_printf ("%s@0x10000", app_path);
      g_autofree char *address = NULL;
      g_autoptr(GBytes) app = glint_test_app_image (projects[i]);
      g_autoptr(GSubprocess) server = NULL;
      const char *flash[] = { "-p", NULL, "flash", app_arg, NULL };
      const char *wifi[] = { "--timeout-scale", "0.1", "-p", NULL, "wifi", "--ssid",
                             "Cafe Guest", NULL };
      GlintTestRun run = { 0 };

      g_file_set_contents (app_path, g_bytes_get_data (app, NULL), g_bytes_get_size (app),
                           &error);
      g_assert_no_error (error);
      server = spawn_board (flash_path, &address);
      flash[1] = wifi[3] = address;

      run_cli (&run, flash);
      g_assert_cmpint (run.status, ==, 0);
      g_assert_nonnull (strstr (run.out, "written and verified"));
      glint_test_run_clear (&run);

      run_cli (&run, wifi);
      if (i == 0)
        {
          g_assert_cmpint (run.status, ==, 0);
          g_assert_nonnull (strstr (run.out, "The board joined “Cafe Guest”. Open it at "
                                             "http://glint-demo-"));
        }
      else
        {
          g_assert_cmpint (run.status, ==, 1);
          g_assert_nonnull (strstr (run.err, "did not answer Improv Serial"));
        }
      glint_test_run_clear (&run);

      g_subprocess_send_signal (server, SIGTERM);
      g_subprocess_wait (server, NULL, NULL);
      g_unlink (flash_path);
      g_unlink (app_path);
      g_rmdir (dir);
    }
}

static void
assert_flash_holds (const char *flash_path,
                    gsize       offset,
                    const char *sample_file)
{
  g_autofree char *expected_path = g_build_filename (g_getenv ("GLINT_SAMPLE_DIR"), sample_file,
                                                     NULL);
  g_autofree char *expected = NULL;
  g_autofree char *flash = NULL;
  g_autoptr(GError) error = NULL;
  gsize expected_len = 0;
  gsize flash_len = 0;

  g_file_get_contents (expected_path, &expected, &expected_len, &error);
  g_assert_no_error (error);
  g_file_get_contents (flash_path, &flash, &flash_len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (flash_len, >=, offset + expected_len);
  g_assert_cmpmem (flash + offset, expected_len, expected, expected_len);
}

/* The whole path from the command line: the sample firmware's installer
 * (a build per chip) from a local web server, flashed to an ESP32-C3
 * Demo board behind RFC 2217 (its chip learnt first, then only its build
 * downloaded), which then joins a network; a second flash
 * from the same link downloads nothing (the server answers 304 for every
 * file, as its log shows); the password shows up nowhere. */
static void
test_from_link (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-wifi-XXXXXX", &error);
  g_autofree char *site = g_build_filename (dir, "site", NULL);
  g_autofree char *sample = g_build_filename (site, "sample", NULL);
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  g_autofree char *flash_path = g_build_filename (dir, "flash.bin", NULL);
  g_autofree char *secret = password_file (dir, OTHER_PASSWORD);
  g_autofree char *url = NULL;
  g_autofree char *address = NULL;
  g_autofree char *announcement = NULL;
  g_autofree char *log = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GSubprocess) board = NULL;
  const char *board_args[] = { "--chip", "esp32c3", "--rfc2217", "0", "--flash", flash_path,
                               "--option", "time-scale=0", NULL };
  GlintTestWebServer *server;
  GlintTestRun run = { 0 };
  guint first;

  g_mkdir_with_parents (site, 0700);
  g_assert_nonnull (g_getenv ("GLINT_SAMPLE_DIR"));
  g_assert_cmpint (symlink (g_getenv ("GLINT_SAMPLE_DIR"), sample), ==, 0);
  server = glint_test_web_server_start (site, NULL);
  url = g_strconcat (server->base, "/sample/manifest.json", NULL);
  board = glint_test_spawn_sim_server (board_args, &announcement);
  words = g_strsplit (announcement, " ", -1);
  address = g_strdup_printf ("rfc2217://%s:%s", words[1], words[2]);

  {
    const char *flash[] = { "--allow-http", "-p", address, "flash", url, NULL };
    const char *wifi[] = { "-p", address, "wifi", "--ssid", OTHER_SSID, "--password-file",
                           secret, NULL };

    run_cli_cached (&run, cache, flash);
    g_test_message ("%s", run.out);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "Installer: Glint demo 1.0.0"));
    g_assert_nonnull (strstr (run.out, "written and verified"));
    log = glint_test_web_server_log (server, 0);
    g_assert_nonnull (strstr (log, "GET /sample/manifest.json 200 "));
    g_assert_nonnull (strstr (log, "GET /sample/esp32c3-glint-demo.bin 200 "));
    /* the board's chip first: only its build is downloaded, the manifest once */
    g_test_message ("the first flash's requests:\n%s", log);
    g_assert_cmpuint (glint_test_web_server_n_log (server), ==, 4);
    g_assert_null (strstr (log, "GET /sample/esp32-glint-demo.bin"));
    g_clear_pointer (&log, g_free);
    glint_test_run_clear (&run);

    run_cli_cached (&run, cache, wifi);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "Firmware: glint-demo 1.0 on ESP32-C3"));
    g_assert_nonnull (strstr (run.out, "The board joined “" OTHER_SSID "”. Open it at "
                                       "http://glint-demo-"));
    assert_no_secret (&run, OTHER_PASSWORD);
    glint_test_run_clear (&run);

    /* again: every file asked with its ETag, none sent */
    first = glint_test_web_server_n_log (server);
    run_cli_cached (&run, cache, flash);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "Nothing downloaded"));
    log = glint_test_web_server_log (server, first);
    g_test_message ("the second flash's requests:\n%s", log);
    g_assert_nonnull (strstr (log, "GET /sample/manifest.json 304 0"));
    g_assert_nonnull (strstr (log, "GET /sample/esp32c3-glint-demo.bin 304 0"));
    g_assert_null (strstr (log, " 200 "));
    /* an installer that does not say how long to wait for Improv: the
     * flash does not ask */
    g_assert_null (strstr (run.out, "Wi-Fi set-up"));
    glint_test_run_clear (&run);
  }

  /* one that does: the new firmware is asked, and the way on named */
  {
    g_autofree char *waiting = g_build_filename (site, "waiting", NULL);
    g_autofree char *manifest = g_build_filename (waiting, "manifest.json", NULL);
    g_autofree char *waiting_url = g_strconcat (server->base, "/waiting/manifest.json", NULL);
    g_autofree char *offer = g_strdup_printf ("The firmware offers Wi-Fi set-up: glint-cli "
                                              "--port %s wifi --ssid NAME", address);
    const char *flash[] = { "--allow-http", "-p", address, "flash", waiting_url, NULL };
    const char *json[] = { "--json", "--allow-http", "-p", address, "flash", waiting_url, NULL };

    g_mkdir_with_parents (waiting, 0700);
    g_file_set_contents (manifest,
                         "{ \"name\": \"Glint demo\", \"new_install_improv_wait_time\": 5,\n"
                         "  \"builds\": [ { \"chipFamily\": \"ESP32-C3\", \"parts\": [\n"
                         "    { \"path\": \"../sample/esp32c3-glint-demo.bin\", "
                         "\"offset\": 65536 } ] } ] }", -1, &error);
    g_assert_no_error (error);
    run_cli_cached (&run, cache, flash);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.err, "the installer says to wait up to 5 s"));
    g_assert_nonnull (strstr (run.out, offer));
    glint_test_run_clear (&run);

    run_cli_cached (&run, cache, json);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "{\"event\":\"waiting\",\"for\":\"improv\","
                                       "\"seconds\":5"));
    g_assert_nonnull (strstr (run.out, "{\"event\":\"improv\",\"firmware\":\"glint-demo\"}"));
    glint_test_run_clear (&run);
  }

  /* the ESP32-C3 build, out of one per chip */
  glint_test_stop_subprocess (board);
  assert_flash_holds (flash_path, 0x0, "esp32c3-bootloader.bin");
  assert_flash_holds (flash_path, 0x10000, "esp32c3-glint-demo.bin");

  glint_test_web_server_stop (server);
  glint_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/glint/cli-wifi/set-up", test_set_up);
  g_test_add_func ("/glint/cli-wifi/wrong-password", test_wrong_password);
  g_test_add_func ("/glint/cli-wifi/no-improv", test_no_improv);
  g_test_add_func ("/glint/cli-wifi/usage", test_usage);
  g_test_add_func ("/glint/cli-wifi/after-flash", test_after_flash);
  g_test_add_func ("/glint/cli-wifi/from-link", test_from_link);
  g_test_add_func ("/glint/cli-wifi/help", test_help);

  return g_test_run ();
}
