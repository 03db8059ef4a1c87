/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "glint-error.h"
#include "glint-stub.h"
#include "glint-test-image.h"
#include "glint-test-utils.h"

/*
 * glint-cli as a user runs it: a separate process, exit codes, and a
 * flash that lands in the simulator of another process (glint-sim-server
 * saves its flash to a file when it stops, so the test can compare).
 */

static GPtrArray  *parse_events (const char *out);
static JsonObject *find_event   (GPtrArray  *events,
                                 const char *name);

/* @cache: the CLI's cache folder, instead of the suite's */
static void
run_cli_cached (GlintTestRun      *run,
                const char *const *args,
                const char        *cache)
{
  const char *env[] = { "XDG_CACHE_HOME", cache, NULL };

  glint_test_run_cli (run, args, NULL, env);
}

static void
run_cli (GlintTestRun      *run,
         const char *const *args)
{
  glint_test_run_cli (run, args, NULL, NULL);
}

/* Fills @data with noise and writes it to @path. */
static void
write_random (const char *path,
              guint8     *data,
              gsize       size)
{
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) g_random_int ();
  g_file_set_contents (path, (const char *) data, size, &error);
  g_assert_no_error (error);
}

static void
test_list (void)
{
  const char *args[] = { "list", NULL };
  GlintTestRun run = { 0 };

  run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "sim://"));
  glint_test_run_clear (&run);
}

/* A stand-in port with a USB identity (GLINT_PORTS_DIR); NULL @vid: none. */
static void
write_port (const char *dir,
            const char *name,
            const char *vid,
            const char *pid,
            const char *serial,
            const char *by_path)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  if (vid != NULL)
    contents = g_strdup_printf ("[usb]\nvid=%s\npid=%s\nserial=%s\nby-path=%s\n",
                                vid, pid, serial, by_path);
  g_file_set_contents (path, contents != NULL ? contents : "", -1, &error);
  g_assert_no_error (error);
}

/* The ports listed are the engine's, each with the USB identity behind it. */
static void
test_list_ports (void)
{
  const char *args[] = { "list", NULL };
  const char *watch_extra[] = { "list", "--watch", "now", NULL };
  g_autofree char *dir = g_dir_make_tmp ("glint-ports-XXXXXX", NULL);
  const char *env[] = { "GLINT_PORTS_DIR", dir, NULL };
  g_autofree char *usb = NULL;
  g_autofree char *plain = NULL;
  GlintTestRun run = { 0 };

  g_assert_nonnull (dir);
  write_port (dir, "ttyUSB3", "10c4", "ea60", "0001", "pci-0000:00:14.0-usb-0:2:1.0-port0");
  write_port (dir, "ttyACM1", "303a", "1001", "F4:12:FA:C0:FF:EE", "pci-0000:00:14.0-usb-0:3:1.0");
  write_port (dir, "ttyS4", NULL, NULL, NULL, NULL);

  glint_test_run_cli (&run, args, NULL, env);
  g_assert_cmpint (run.status, ==, 0);
  usb = g_strdup_printf ("%s/ttyUSB3", dir);
  plain = g_strdup_printf ("%s/ttyS4", dir);
  g_assert_nonnull (strstr (run.out, usb));
  g_assert_nonnull (strstr (run.out, "CP210x USB to UART [10c4:ea60 0001 "
                                     "pci-0000:00:14.0-usb-0:2:1.0-port0]"));
  g_assert_nonnull (strstr (run.out, "Espressif USB-JTAG/Serial [303a:1001 F4:12:FA:C0:FF:EE "
                                     "pci-0000:00:14.0-usb-0:3:1.0]"));
  g_assert_nonnull (strstr (run.out, plain));
  g_assert_null (strstr (run.out, "ttyS4 ["));
  g_assert_nonnull (strstr (run.out, "sim://"));
  glint_test_run_clear (&run);

  glint_test_run_cli (&run, watch_extra, NULL, env);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "list [--watch]"));
  glint_test_run_clear (&run);

  /* --json: the same, as events */
  {
    const char *json[] = { "--json", "list", NULL };
    g_autoptr(GPtrArray) events = NULL;
    JsonObject *port = NULL;
    JsonObject *usb_id;

    glint_test_run_cli (&run, json, NULL, env);
    g_assert_cmpint (run.status, ==, 0);
    events = parse_events (run.out);
    for (guint i = 0; i < events->len; i++)
      {
        JsonObject *object = json_node_get_object (g_ptr_array_index (events, i));

        if (g_str_equal (json_object_get_string_member (object, "event"), "port") &&
            g_str_equal (json_object_get_string_member (object, "path"), usb))
          port = object;
      }
    g_assert_nonnull (port);
    usb_id = json_object_get_object_member (port, "usb");
    g_assert_cmpint (json_object_get_int_member (usb_id, "vid"), ==, 0x10c4);
    g_assert_cmpint (json_object_get_int_member (usb_id, "pid"), ==, 0xea60);
    g_assert_cmpstr (json_object_get_string_member (usb_id, "serial"), ==, "0001");
    g_assert_true (json_object_has_member (port, "adapter"));
    g_assert_cmpstr (json_object_get_string_member (find_event (events, "demo-board"), "url"),
                     ==, "sim://");
    g_assert_nonnull (find_event (events, "done"));
    glint_test_run_clear (&run);
  }

  glint_test_remove_dir (dir);
}

/* list tells the ports apart: no ttyS placeholders, the adapter and its
 * serial number, the chip's own USB, and a CH340 that brltty took, with
 * the fix. sysfs and /proc are stand-ins. */
static void
test_list_details (void)
{
  const char *args[] = { "list", NULL };
  g_autofree char *root = g_dir_make_tmp ("glint-list-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (root, "dev", NULL);
  g_autofree char *sys = g_build_filename (root, "sys", NULL);
  g_autofree char *proc = g_build_filename (root, "proc", NULL);
  const char *env[] = { "GLINT_PORTS_DIR", dir, "GLINT_SYSFS_ROOT", sys,
                        "GLINT_PROC_ROOT", proc, NULL };
  const char *files[][2] = {
    { "sys/class/tty/ttyS0/type", "4\n" },
    { "sys/class/tty/ttyS0/device/uevent", "" },
    { "sys/class/tty/ttyS1/type", "0\n" },
    { "sys/class/tty/ttyS1/device/uevent", "" },
    { "sys/bus/usb/devices/1-2/idVendor", "1a86\n" },
    { "sys/bus/usb/devices/1-2/idProduct", "7523\n" },
    { "proc/812/comm", "brltty\n" },
  };
  g_autofree char *s0 = NULL;
  g_autofree char *s1 = NULL;
  GlintTestRun run = { 0 };

  g_assert_nonnull (root);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (root, files[i][0], NULL);
      g_autofree char *parent = g_path_get_dirname (path);

      g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
      g_assert_true (g_file_set_contents (path, files[i][1], -1, NULL));
    }
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  write_port (dir, "ttyS0", NULL, NULL, NULL, NULL);
  write_port (dir, "ttyS1", NULL, NULL, NULL, NULL);
  write_port (dir, "ttyACM1", "303a", "1001", "F4:12:FA:C0:FF:EE", "pci-0000:00:14.0-usb-0:3:1.0");

  glint_test_run_cli (&run, args, NULL, env);
  g_test_message ("%s", run.out);
  g_assert_cmpint (run.status, ==, 0);
  s0 = g_strdup_printf ("%s/ttyS0 ", dir);
  s1 = g_strdup_printf ("%s/ttyS1", dir);
  g_assert_nonnull (strstr (run.out, s0));
  g_assert_null (strstr (run.out, s1));
  g_assert_nonnull (strstr (run.out, "    a serial port of this computer\n"));
  g_assert_nonnull (strstr (run.out, "    the chip’s own USB · serial F4:12:FA:C0:FF:EE · "
                                     "USB 303a:1001\n"));
  g_assert_nonnull (strstr (run.out, "! CH340 (USB 1a86:7523) is plugged in but has no serial "
                                     "port\n    brltty, a braille display driver (process 812)"));
  glint_test_run_clear (&run);

  glint_test_remove_dir (root);
}

typedef struct
{
  GDataInputStream *lines;
  char             *line;
  gboolean          done;
} LineRead;

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                          NULL, NULL);
  read->done = TRUE;
}

/* The next line glint-cli prints, within a few seconds. */
static char *
next_line (GDataInputStream *lines)
{
  LineRead read = { lines, NULL, FALSE };
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, read_line_cb, &read);
  while (!read.done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_nonnull (read.line);

  return read.line;
}

/* list --watch: the ports there are, then one that comes and goes, with
 * its identity, until a signal ends it. */
static void
test_list_watch (void)
{
  g_autofree char *dir = g_dir_make_tmp ("glint-ports-XXXXXX", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *came = NULL;
  g_autofree char *went = NULL;
  g_autofree char *gone = NULL;
  g_autofree char *expected = NULL;

  g_assert_nonnull (dir);
  write_port (dir, "ttyS0", NULL, NULL, NULL, NULL);
  launcher = glint_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                      G_SUBPROCESS_FLAGS_STDERR_SILENCE, NULL);
  g_subprocess_launcher_setenv (launcher, "GLINT_PORTS_DIR", dir, TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("GLINT_CLI"), "list",
                                      "--watch", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));

  first = next_line (lines);
  expected = g_strdup_printf ("+ %s/ttyS0", dir);
  g_assert_true (g_str_has_prefix (first, expected));
  g_clear_pointer (&expected, g_free);

  write_port (dir, "ttyUSB0", "0403", "6015", "DK0AB1CD", "pci-0000:00:14.0-usb-0:1:1.0-port0");
  came = next_line (lines);
  expected = g_strdup_printf ("+ %s/ttyUSB0", dir);
  g_assert_true (g_str_has_prefix (came, expected));
  g_assert_true (g_str_has_suffix (came, "FT231X [0403:6015 DK0AB1CD "
                                         "pci-0000:00:14.0-usb-0:1:1.0-port0]"));
  g_clear_pointer (&expected, g_free);

  gone = g_build_filename (dir, "ttyUSB0", NULL);
  g_assert_cmpint (g_unlink (gone), ==, 0);
  went = next_line (lines);
  expected = g_strdup_printf ("- %s/ttyUSB0", dir);
  g_assert_true (g_str_has_prefix (went, expected));
  g_assert_true (g_str_has_suffix (went, "[0403:6015 DK0AB1CD "
                                         "pci-0000:00:14.0-usb-0:1:1.0-port0]"));

  g_subprocess_send_signal (proc, SIGINT);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);

  glint_test_remove_dir (dir);
}

static void
test_usage (void)
{
  const char *no_command[] = { NULL };
  const char *unknown[] = { "frobnicate", NULL };
  const char *no_port[] = { "info", NULL };
  const char *help[] = { "--help", NULL };
  GlintTestRun run = { 0 };

  run_cli (&run, no_command);
  g_assert_cmpint (run.status, ==, 2);
  glint_test_run_clear (&run);

  run_cli (&run, unknown);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "frobnicate"));
  glint_test_run_clear (&run);

  run_cli (&run, no_port);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "--port"));
  glint_test_run_clear (&run);

  run_cli (&run, help);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Exit status"));
  /* the wait for Improv, with its default */
  g_assert_nonnull (strstr (run.out, "--wait SECONDS gives the firmware longer than 10 s"));
  glint_test_run_clear (&run);
}

/* --version: the version on standard output, success */
static void
test_version (void)
{
  const char *args[] = { "--version", NULL };
  const char *json[] = { "--json", "--version", NULL };
  GlintTestRun run = { 0 };

  run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "glint-cli " PACKAGE_VERSION "\n");
  glint_test_run_clear (&run);

  run_cli (&run, json);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==,
                   "{\"event\":\"version\",\"version\":\"" PACKAGE_VERSION "\"}\n");
  glint_test_run_clear (&run);
}

/* An option glint-cli does not know is called one, before or after the
 * command, and names where to look. */
static void
test_unknown_option (void)
{
  const char *before[] = { "--frobnicate", "--port", "sim://esp32?time-scale=0", "info", NULL };
  const char *after[] = { "--port", "sim://esp32?time-scale=0", "info", "--frobnicate", NULL };
  const char *const *cases[] = { before, after };
  GlintTestRun run = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      run_cli (&run, cases[i]);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_nonnull (strstr (run.err, "Unknown option --frobnicate"));
      g_assert_null (strstr (run.err, "command"));
      g_assert_nonnull (strstr (run.err, "--help"));
      g_assert_null (strstr (run.out, "Connecting"));
      glint_test_run_clear (&run);
    }
}

/* A glint-cli whose standard output and error go to one pipe, started
 * with @args, and that pipe as lines. */
static GSubprocess *
spawn_cli_merged (const char *const *args,
                  GDataInputStream  **lines)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;

  g_ptr_array_add (argv, (gpointer) g_getenv ("GLINT_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = glint_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                      G_SUBPROCESS_FLAGS_STDERR_MERGE, NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  *lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));

  return proc;
}

/* Both streams to one pipe (a log file, a CI job): the lines come in the
 * order they happened, "Connecting…" before the error it led to. */
static void
test_output_order (void)
{
  g_autofree char *refused = g_strdup_printf ("socket://127.0.0.1:%u", glint_test_free_port ());
  const char *args[] = { "--port", refused, "info", NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *all = NULL;
  const char *connecting, *failed;

  proc = spawn_cli_merged (args, &lines);
  all = g_data_input_stream_read_upto (lines, "", 1, NULL, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);

  connecting = strstr (all, "Connecting to ");
  failed = strstr (all, "Error: ");
  g_assert_nonnull (connecting);
  g_assert_nonnull (failed);
  g_assert_true (connecting < failed);
}

/* Ctrl+C while writing: the job stops, glint-cli says what the flash holds
 * now and that Ctrl+C stopped it, and exits with 130. */
static void
test_interrupt (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-cli-XXXXXX", &error);
  g_autofree char *app_path = g_build_filename (dir, "app.bin", NULL);
  g_autofree char *app_arg = g_strdup_printf ("%s@0x10000", app_path);
  /* real timing at 115200 baud: about half a minute for the whole file */
  const char *args[] = { "--port", "sim://esp32", "-b", "0", "--raw", "flash", app_arg, NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GString) said = g_string_new (NULL);
  g_autofree char *rest = NULL;
  g_autofree guint8 *app = g_malloc (300000);

  write_random (app_path, app, 300000);

  proc = spawn_cli_merged (args, &lines);
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);   /* ended before it wrote anything */
      g_string_append_printf (said, "%s\n", line);
      if (g_str_has_prefix (line, "Writing: "))
        break;
    }

  g_subprocess_send_signal (proc, SIGINT);
  rest = g_data_input_stream_read_upto (lines, "", 1, NULL, NULL, &error);
  g_assert_no_error (error);
  g_string_append (said, rest != NULL ? rest : "");
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%s", said->str);

  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 130);
  g_assert_nonnull (strstr (said->str, "What the flash holds now:\napp.bin at 0x10000 (293 KiB): "
                                       "partly written"));
  g_assert_nonnull (strstr (said->str, "Stopped by Ctrl+C."));
  g_assert_null (strstr (said->str, "verified"));

  g_unlink (app_path);
  g_rmdir (dir);
}

static void
test_info (void)
{
  const char *args[] = { "--port", "sim://esp32c3?time-scale=0", "info", NULL };
  GlintTestRun run = { 0 };

  run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "ESP32-C3"));
  g_assert_nonnull (strstr (run.out, "MAC:"));
  glint_test_run_clear (&run);
}

/* GLINT_DEBUG=wire: every frame each way on stderr, in order, with its
 * opcode; nothing of it without the variable. */
static void
test_wire_trace (void)
{
  const char *args[] = { "--port", "sim://esp32c3?time-scale=0", "info", NULL };
  const char *wire[] = { "GLINT_DEBUG", "wire", NULL };
  const char *other[] = { "GLINT_DEBUG", "other", NULL };
  const char *sync_out, *sync_in, *security_out;
  GlintTestRun run = { 0 };

  glint_test_run_cli (&run, args, NULL, wire);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "ESP32-C3"));
  /* the first request, whole header and payload start in hex */
  sync_out = strstr (run.err, "] wire > SYNC");
  g_assert_nonnull (sync_out);
  g_assert_nonnull (strstr (sync_out, " 44 bytes: 00 08 24 00 00 00 00 00 07 07 12 20 55 "));
  sync_in = strstr (run.err, "] wire < SYNC");
  g_assert_nonnull (sync_in);
  g_assert_nonnull (strstr (sync_in, " 12 bytes: 01 08 04 00 "));
  g_assert_true (sync_out < sync_in);
  security_out = strstr (run.err, "] wire > GET_SECURITY_INFO");
  g_assert_nonnull (security_out);
  g_assert_nonnull (strstr (security_out, "] wire < GET_SECURITY_INFO"));
  g_assert_true (g_str_has_prefix (run.err, "["));
  glint_test_run_clear (&run);

  glint_test_run_cli (&run, args, NULL, other);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.err, "] wire "));
  glint_test_run_clear (&run);

  run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "ESP32-C3"));
  g_assert_null (strstr (run.err, "] wire "));
  glint_test_run_clear (&run);
}

static void
test_errors_name_the_cause (void)
{
  const char *missing[] = { "--port", "/dev/ttyGLINT99", "info", NULL };
  const char *bad_url[] = { "--port", "lab:4000", "info", NULL };
  const char *refused[] = { "--port", NULL, "info", NULL };
  g_autofree char *refused_url = g_strdup_printf ("socket://127.0.0.1:%u",
                                                  glint_test_free_port ());
  GlintTestRun run = { 0 };

  run_cli (&run, missing);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "/dev/ttyGLINT99"));
  g_assert_nonnull (strstr (run.err, "Plug the board in"));
  glint_test_run_clear (&run);

  run_cli (&run, bad_url);
  g_assert_cmpint (run.status, ==, 2);   /* a URL that cannot be: bad usage */
  g_assert_nonnull (strstr (run.err, "rfc2217://lab:4000"));
  glint_test_run_clear (&run);

  refused[1] = refused_url;
  run_cli (&run, refused);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "refused"));
  glint_test_run_clear (&run);
}

/* A board in another process whose flash starts as @flash_path holds. */
static GSubprocess *
spawn_board (const char  *flash_path,
             char       **address)
{
  const char *const args[] = { "--option", "time-scale=0", NULL };
  GlintTestBoardOptions options = { GLINT_TEST_LINK_TCP, flash_path, args, NULL };

  return glint_test_board_start (&options, address);
}

static char *
stop_board (GSubprocess *server,
            const char  *flash_path,
            gsize       *len)
{
  return g_bytes_unref_to_data (glint_test_board_stop (server, flash_path), len);
}

/* spawn_board() whose link drops once after @drop_after bytes
 * (glint-sim-server --drop-after). */
static GSubprocess *
spawn_dropping_board (const char  *flash_path,
                      const char  *drop_after,
                      char       **address)
{
  const char *const args[] = { "--option", "time-scale=0", "--drop-after", drop_after, NULL };
  GlintTestBoardOptions options = { GLINT_TEST_LINK_TCP, flash_path, args, NULL };

  return glint_test_board_start (&options, address);
}

static void
test_flash_to_server (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-cli-XXXXXX", &error);
  g_autofree char *flash_path = g_build_filename (dir, "flash.bin", NULL);
  g_autofree char *app_path = g_build_filename (dir, "app.bin", NULL);
  g_autofree char *app_arg = g_strdup_printf ("%s@0x10000", app_path);
  g_autofree char *address = NULL;
  g_autofree char *flash = NULL;
  g_autoptr(GSubprocess) server = NULL;
  const char *args[] = { "--raw", "--port", NULL, "flash", app_arg, NULL };
  guint8 app[40000];
  gsize flash_len = 0;
  GlintTestRun run = { 0 };

  write_random (app_path, app, sizeof app);

  server = spawn_board (flash_path, &address);
  args[2] = address;

  run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "written and verified"));
  glint_test_run_clear (&run);

  flash = stop_board (server, flash_path, &flash_len);
  g_assert_cmpuint (flash_len, >=, 0x10000 + sizeof app);
  g_assert_cmpmem (flash + 0x10000, sizeof app, app, sizeof app);

  g_unlink (flash_path);
  g_unlink (app_path);
  g_rmdir (dir);
}

/* A manifest with builds for several chips and no --chip: the CLI
 * detects the board and flashes the build for its chip (the server is an
 * ESP32). */
static void
test_flash_multi_chip_manifest (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-cli-XXXXXX", &error);
  g_autofree char *flash_path = g_build_filename (dir, "flash.bin", NULL);
  g_autofree char *manifest = g_build_filename (dir, "manifest.json", NULL);
  g_autofree char *address = NULL;
  g_autofree char *flash = NULL;
  g_autoptr(GSubprocess) server = NULL;
  const char *args[] = { "--port", NULL, "flash", manifest, NULL };
  /* chip ids: ESP32 0, ESP32-C3 5 */
  TestImageSpec esp32_spec = { .chip_id = 0, .seg_len = 0x800, .hash = TRUE };
  TestImageSpec c3_spec = { .chip_id = 5, .seg_len = 0x900, .hash = TRUE };
  g_autoptr(GBytes) esp32_app = test_image_build (&esp32_spec);
  g_autoptr(GBytes) c3_app = test_image_build (&c3_spec);
  const char *json = "{\"name\": \"Two\", \"builds\": [\n"
                     "  {\"chipFamily\": \"ESP32-C3\", \"parts\": [{\"path\": \"c3.bin\", "
                     "\"offset\": 65536}]},\n"
                     "  {\"chipFamily\": \"ESP32\", \"parts\": [{\"path\": \"esp32.bin\", "
                     "\"offset\": 65536}]}]}\n";
  g_autofree char *esp32_path = g_build_filename (dir, "esp32.bin", NULL);
  g_autofree char *c3_path = g_build_filename (dir, "c3.bin", NULL);
  gsize flash_len = 0;
  GlintTestRun run = { 0 };

  g_file_set_contents (esp32_path, g_bytes_get_data (esp32_app, NULL),
                       g_bytes_get_size (esp32_app), &error);
  g_assert_no_error (error);
  g_file_set_contents (c3_path, g_bytes_get_data (c3_app, NULL),
                       g_bytes_get_size (c3_app), &error);
  g_assert_no_error (error);
  g_file_set_contents (manifest, json, -1, &error);
  g_assert_no_error (error);

  server = spawn_board (flash_path, &address);
  args[1] = address;
  run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.err, "choose one"));
  g_assert_nonnull (strstr (run.out, "written and verified"));
  glint_test_run_clear (&run);

  flash = stop_board (server, flash_path, &flash_len);
  g_assert_cmpuint (flash_len, >=, 0x10000 + g_bytes_get_size (esp32_app));
  g_assert_cmpmem (flash + 0x10000, g_bytes_get_size (esp32_app),
                   g_bytes_get_data (esp32_app, NULL), g_bytes_get_size (esp32_app));

  glint_test_remove_dir (dir);
}

/* --sample: the Demo board's sample firmware, the build for the board's
 * chip (an ESP32 here): bootloader, partition table and app where they
 * belong. */
static void
test_flash_sample (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-cli-XXXXXX", &error);
  g_autofree char *flash_path = g_build_filename (dir, "flash.bin", NULL);
  g_autofree char *address = NULL;
  g_autofree char *flash = NULL;
  g_autoptr(GSubprocess) server = NULL;
  const char *args[] = { "--port", NULL, "flash", "--sample", NULL };
  const char *both[] = { "--port", "sim://", "flash", "--sample", "app.bin", NULL };
  const char *parts[][2] = { { "esp32-bootloader.bin", "0x1000" },
                             { "esp32-partition-table.bin", "0x8000" },
                             { "esp32-glint-demo.bin", "0x10000" } };
  gsize flash_len = 0;
  GlintTestRun run = { 0 };

  run_cli (&run, both);
  g_assert_cmpint (run.status, ==, 2);
  glint_test_run_clear (&run);

  server = spawn_board (flash_path, &address);
  args[1] = address;
  run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "written and verified"));
  glint_test_run_clear (&run);

  flash = stop_board (server, flash_path, &flash_len);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_autofree char *path = g_build_filename (g_getenv ("GLINT_SAMPLE_DIR"), parts[i][0], NULL);
      g_autofree char *part = NULL;
      gsize len = 0;
      guint32 offset = (guint32) g_ascii_strtoull (parts[i][1], NULL, 16);

      g_file_get_contents (path, &part, &len, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (flash_len, >=, offset + len);
      /* the bootloader's header gets the plan's flash settings: from byte 4 on */
      g_assert_cmpmem (flash + offset + 4, len - 36, part + 4, len - 36);
    }

  glint_test_remove_dir (dir);
}

/* --backup FOLDER names the backup after the chip, MAC, offset and date;
 * `flash BACKUP` puts it back where it came from, and refuses another
 * chip before writing. */
static void
test_backup_restore (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-cli-XXXXXX", &error);
  g_autofree char *backups = g_build_filename (dir, "backups", NULL);
  g_autofree char *flash_path = g_build_filename (dir, "flash.bin", NULL);
  g_autofree char *app_path = g_build_filename (dir, "app.bin", NULL);
  g_autofree char *app_arg = g_strdup_printf ("%s@0x10000", app_path);
  g_autofree char *address = NULL;
  g_autofree char *flash = NULL;
  g_autofree char *backup = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDir) folder = NULL;
  const char *with_backup[] = { "--raw", "--backup", backups, "--port", NULL, "flash", app_arg,
                                NULL };
  const char *restore[] = { "--port", NULL, "flash", NULL, NULL };
  const char *other_chip[] = { "--port", "sim://esp32c3?time-scale=0", "flash", NULL, NULL };
  g_autofree guint8 *initial = g_malloc (0x20000);
  guint8 app[0x3000];
  gsize flash_len = 0;
  GlintTestRun run = { 0 };

  for (guint i = 0; i < 0x20000; i++)
    initial[i] = (guint8) g_random_int ();
  for (guint i = 0; i < sizeof app; i++)
    app[i] = (guint8) (i * 3);
  g_assert_cmpint (g_mkdir (backups, 0700), ==, 0);
  g_file_set_contents (flash_path, (const char *) initial, 0x20000, &error);
  g_assert_no_error (error);
  g_file_set_contents (app_path, (const char *) app, sizeof app, &error);
  g_assert_no_error (error);
  server = spawn_board (flash_path, &address);

  with_backup[4] = address;
  run_cli (&run, with_backup);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Backup of the old flash contents: "));
  g_assert_nonnull (strstr (run.out, "/glint-backup-esp32-"));
  glint_test_run_clear (&run);
  folder = g_dir_open (backups, 0, &error);
  g_assert_no_error (error);
  backup = g_build_filename (backups, g_dir_read_name (folder), NULL);
  g_assert_null (g_dir_read_name (folder));
  g_assert_true (g_str_has_suffix (backup, ".bin"));
  g_assert_nonnull (strstr (backup, "-0x10000-"));

  other_chip[3] = backup;
  run_cli (&run, other_chip);
  g_assert_cmpint (run.status, !=, 0);
  g_assert_nonnull (strstr (run.err, "backup"));
  g_assert_nonnull (strstr (run.err, "ESP32-C3"));
  glint_test_run_clear (&run);

  restore[1] = address;
  restore[3] = backup;
  run_cli (&run, restore);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "verified"));
  glint_test_run_clear (&run);

  /* --json: the done event names the file --backup FOLDER chose */
  {
    g_autofree char *more = g_build_filename (dir, "more", NULL);
    g_autofree char *named = NULL;
    g_autoptr(GDir) more_folder = NULL;
    g_autoptr(GPtrArray) events = NULL;
    const char *json[] = { "--json", "--raw", "--backup", more, "--port", address, "flash",
                           app_arg, NULL };

    g_assert_cmpint (g_mkdir (more, 0700), ==, 0);
    run_cli (&run, json);
    g_assert_cmpint (run.status, ==, 0);
    events = parse_events (run.out);
    more_folder = g_dir_open (more, 0, &error);
    g_assert_no_error (error);
    named = g_build_filename (more, g_dir_read_name (more_folder), NULL);
    g_assert_cmpstr (json_object_get_string_member (find_event (events, "done"), "backup"), ==,
                     named);
    glint_test_run_clear (&run);
    /* put back what the restore left, for the check below */
    run_cli (&run, restore);
    g_assert_cmpint (run.status, ==, 0);
    glint_test_run_clear (&run);
  }

  flash = stop_board (server, flash_path, &flash_len);
  g_assert_cmpuint (flash_len, >=, 0x10000 + sizeof app);
  g_assert_cmpmem (flash + 0x10000, sizeof app, initial + 0x10000, sizeof app);

  glint_test_remove_dir (dir);
}

/* The connection drops once mid-write: the CLI says it reconnects (a
 * warning, and a `reconnecting` event with --json), the job resumes, and
 * the end says how often it recovered. */
static void
test_flash_reconnect (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-cli-XXXXXX", &error);
  g_autofree char *flash_path = g_build_filename (dir, "flash.bin", NULL);
  g_autofree char *app_path = g_build_filename (dir, "app.bin", NULL);
  g_autofree char *app_arg = g_strdup_printf ("%s@0x10000", app_path);
  g_autofree char *address = NULL;
  g_autofree char *flash = NULL;
  g_autoptr(GSubprocess) server = NULL;
  const char *args[] = { "--port", NULL, "--raw", "flash", app_arg, NULL };
  const char *json[] = { "--json", "--port", NULL, "--raw", "flash", app_arg, NULL };
  g_autofree guint8 *app = g_malloc (96 * 1024);
  gsize flash_len = 0;
  GlintTestRun run = { 0 };

  write_random (app_path, app, 96 * 1024);

  for (guint i = 0; i < 2; i++)
    {
      server = spawn_dropping_board (flash_path, "40000", &address);
      args[1] = address;
      json[2] = address;

      run_cli (&run, i == 0 ? args : json);
      g_test_message ("%s\n%s", run.out, run.err);
      g_assert_cmpint (run.status, ==, 0);
      if (i == 0)
        {
          g_assert_nonnull (strstr (run.err, "Warning: Link lost — reconnecting (1 of 5): "));
          g_assert_nonnull (strstr (run.out, "Recovered from 1 lost connection."));
        }
      else
        {
          g_autoptr(GPtrArray) events = parse_events (run.out);
          JsonObject *done = find_event (events, "done");

          g_assert_nonnull (strstr (run.out, "{\"event\":\"reconnecting\",\"attempt\":1,"
                                             "\"max\":5,\"cause\":\"writing app.bin"));
          g_assert_cmpstr (json_object_get_string_member (done, "job"), ==, "flash");
          g_assert_cmpint (json_object_get_int_member (done, "recoveries"), ==, 1);
        }
      glint_test_run_clear (&run);

      flash = stop_board (server, flash_path, &flash_len);
      g_assert_cmpmem (flash + 0x10000, 96 * 1024, app, 96 * 1024);
      g_clear_pointer (&flash, g_free);
      g_clear_object (&server);
      g_clear_pointer (&address, g_free);
      g_unlink (flash_path);
    }

  g_unlink (app_path);
  g_rmdir (dir);
}

/* The connection drops once while reading: the read goes on after the
 * reconnect, and the end says so; the file is whole. */
static void
test_read_reconnect (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-cli-XXXXXX", &error);
  g_autofree char *flash_path = g_build_filename (dir, "flash.bin", NULL);
  g_autofree char *out_path = g_build_filename (dir, "out.bin", NULL);
  g_autofree char *address = NULL;
  g_autofree char *flash = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GSubprocess) server = NULL;
  const char *args[] = { "--port", NULL, "read", "0", "0x20000", out_path, NULL };
  g_autofree guint8 *data = g_malloc (128 * 1024);
  gsize flash_len = 0, out_len = 0;
  GlintTestRun run = { 0 };

  write_random (flash_path, data, 128 * 1024);

  server = spawn_dropping_board (flash_path, "90000", &address);
  args[1] = address;

  run_cli (&run, args);
  g_test_message ("%s\n%s", run.out, run.err);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "Warning: Link lost — reconnecting (1 of 5): reading "));
  g_assert_nonnull (strstr (run.out, "Done: read 0x20000 bytes at 0x0"));
  g_assert_nonnull (strstr (run.out, "Recovered from 1 lost connection."));
  glint_test_run_clear (&run);

  g_file_get_contents (out_path, &out, &out_len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (out, out_len, data, 128 * 1024);

  flash = stop_board (server, flash_path, &flash_len);
  g_unlink (flash_path);
  g_unlink (out_path);
  g_rmdir (dir);
}

/* A reflash writes only what changed and says so; --no-skip writes all;
 * --json tells each region's fate. */
static void
test_flash_skip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-cli-XXXXXX", &error);
  g_autofree char *flash_path = g_build_filename (dir, "flash.bin", NULL);
  g_autofree char *app_path = g_build_filename (dir, "app.bin", NULL);
  g_autofree char *app_arg = g_strdup_printf ("%s@0x10000", app_path);
  g_autofree char *backup_path = g_build_filename (dir, "backup.bin", NULL);
  g_autofree char *address = NULL;
  g_autofree char *flash = NULL;
  g_autofree char *backup = NULL;
  g_autofree guint8 *old = NULL;
  g_autoptr(GSubprocess) server = NULL;
  const char *args[] = { "--raw", "--port", NULL, "flash", app_arg, NULL };
  const char *with_backup[] = { "--raw", "--backup", backup_path, "--port", NULL, "flash",
                                app_arg, NULL };
  const char *no_skip[] = { "--raw", "--no-skip", "--port", NULL, "flash", app_arg, NULL };
  const char *json[] = { "--raw", "--json", "--port", NULL, "flash", app_arg, NULL };
  g_autofree guint8 *app = g_malloc (64 * 1024);
  gsize flash_len = 0;
  GlintTestRun run = { 0 };

  write_random (app_path, app, 64 * 1024);
  server = spawn_board (flash_path, &address);
  args[2] = address;
  no_skip[3] = address;
  json[3] = address;

  run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.out, "rest unchanged"));
  glint_test_run_clear (&run);

  /* 4 KiB changed, and a backup of what was there */
  old = g_memdup2 (app, 64 * 1024);
  for (guint i = 0x3000; i < 0x4000; i++)
    app[i] ^= 0xA5;
  g_file_set_contents (app_path, (const char *) app, 64 * 1024, &error);
  g_assert_no_error (error);
  with_backup[4] = address;
  run_cli (&run, with_backup);
  g_assert_cmpint (run.status, ==, 0);
  /* what was written and what was verified, apart */
  g_assert_nonnull (strstr (run.out, "Done: wrote the 4 KiB that differed, of 64 KiB; all 64 "
                                     "KiB verified."));
  g_assert_null (strstr (run.out, "holds all"));
  g_assert_nonnull (strstr (run.out, backup_path));
  glint_test_run_clear (&run);
  g_file_get_contents (backup_path, &backup, &flash_len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (backup, flash_len, old, 64 * 1024);

  run_cli (&run, no_skip);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.out, "rest unchanged"));
  g_assert_nonnull (strstr (run.out, "written and verified"));
  glint_test_run_clear (&run);

  run_cli (&run, json);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "\"event\":\"regions\""));
  g_assert_nonnull (strstr (run.out, "\"bytes-written\":0"));
  g_assert_nonnull (strstr (run.out, "\"status\":\"unchanged\""));
  glint_test_run_clear (&run);

  flash = stop_board (server, flash_path, &flash_len);
  g_assert_cmpmem (flash + 0x10000, 64 * 1024, app, 64 * 1024);

  g_unlink (flash_path);
  g_unlink (app_path);
  g_unlink (backup_path);
  g_rmdir (dir);
}

/* The record of what was written: the reflash writes the changed sector
 * without asking the board first; after another tool changed the board
 * behind Glint's back, the final check catches it and the job still ends
 * with the right flash. */
static void
test_flash_record (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-cli-XXXXXX", &error);
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  g_autofree char *glint_cache = g_build_filename (cache, "glint", NULL);
  g_autofree char *boards = g_build_filename (glint_cache, "boards", NULL);
  g_autofree char *flash_path = g_build_filename (dir, "flash.bin", NULL);
  g_autofree char *app_path = g_build_filename (dir, "app.bin", NULL);
  g_autofree char *app_arg = g_strdup_printf ("%s@0x10000", app_path);
  g_autofree char *address = NULL;
  g_autofree char *flash = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDir) listing = NULL;
  const char *args[] = { "--raw", "--json", "--port", NULL, "flash", app_arg, NULL };
  g_autofree guint8 *app = g_malloc (64 * 1024);
  gsize flash_len = 0;
  const char *name;
  guint n_files = 0;
  GlintTestRun run = { 0 };

  write_random (app_path, app, 64 * 1024);
  server = spawn_board (flash_path, &address);
  args[3] = address;

  /* a board never seen: asked, and then on record */
  run_cli_cached (&run, args, cache);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.out, "Glint last wrote"));
  glint_test_run_clear (&run);
  listing = g_dir_open (boards, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_assert_true (g_str_has_prefix (name, "esp32"));
      g_assert_true (g_str_has_suffix (name, ".ini"));
      n_files++;
    }
  g_assert_cmpuint (n_files, ==, 1);

  /* 4 KiB changed: written from the record, checked by the final MD5 */
  for (guint i = 0x5000; i < 0x6000; i++)
    app[i] ^= 0x3C;
  g_file_set_contents (app_path, (const char *) app, 64 * 1024, &error);
  g_assert_no_error (error);
  run_cli_cached (&run, args, cache);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "1 of 16 sector(s) differ from what Glint last wrote"));
  g_assert_nonnull (strstr (run.out, "looked for changes with 0 MD5(s)"));
  g_assert_nonnull (strstr (run.out, "\"bytes-written\":4096"));
  glint_test_run_clear (&run);

  /* another tool changes a different sector while Glint is not looking */
  g_clear_pointer (&flash, g_free);
  flash = stop_board (server, flash_path, &flash_len);
  g_clear_object (&server);
  flash[0x10000 + 0x9000] ^= 0xFF;
  g_file_set_contents (flash_path, flash, flash_len, &error);
  g_assert_no_error (error);
  g_clear_pointer (&address, g_free);
  server = spawn_board (flash_path, &address);
  args[3] = address;

  for (guint i = 0x1000; i < 0x1010; i++)
    app[i] ^= 0x77;
  g_file_set_contents (app_path, (const char *) app, 64 * 1024, &error);
  g_assert_no_error (error);
  run_cli_cached (&run, args, cache);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "did not hold what Glint last wrote there"));
  g_assert_nonnull (strstr (run.out, "\"status\":\"verified\""));
  glint_test_run_clear (&run);

  g_clear_pointer (&flash, g_free);
  flash = stop_board (server, flash_path, &flash_len);
  g_assert_cmpmem (flash + 0x10000, 64 * 1024, app, 64 * 1024);

  glint_test_remove_dir (boards);
  glint_test_remove_dir (glint_cache);
  glint_test_remove_dir (cache);
  glint_test_remove_dir (dir);
}

/* -b auto (the default) climbs, and the rate that worked is kept per port
 * in the cache folder: the next run tries that rate only. */
static void
test_baud_remembered (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-cli-XXXXXX", &error);
  g_autofree char *dump = g_build_filename (dir, "dump.bin", NULL);
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "glint", "boards",
                                             "links.ini", NULL);
  g_autofree char *kept = NULL;
  const char *args[] = { "--json", "--port", "sim://esp32?time-scale=0&seed=77", "read", "0",
                         "4096", dump, NULL };
  GlintTestRun run = { 0 };

  g_unlink (cache);

  run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "trying 460800 baud"));
  g_assert_nonnull (strstr (run.out, "running at 2000000 baud"));
  glint_test_run_clear (&run);
  g_file_get_contents (cache, &kept, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (kept, "=2000000"));

  run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.out, "trying 460800 baud"));
  g_assert_nonnull (strstr (run.out, "trying 2000000 baud"));
  g_assert_nonnull (strstr (run.out, "running at 2000000 baud"));
  glint_test_run_clear (&run);

  g_unlink (cache);
  g_unlink (dump);
  g_rmdir (dir);
}

/* Stubs installed where users have them (Debian's esptool 4.x, PlatformIO's
 * esptool) are used, in the documented order, unless $GLINT_STUB_DIR is
 * pinned: then they make no difference. This is why the suite gives every
 * program a home and system root of its own (tests/meson.build). */
static void
test_stub_installed_elsewhere (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-cli-XXXXXX", &error);
  g_autofree char *home = g_build_filename (dir, "home", NULL);
  g_autofree char *sysroot = g_build_filename (dir, "sysroot", NULL);
  g_autofree char *pinned = g_build_filename (dir, "pinned", NULL);
  g_autofree char *dump = g_build_filename (dir, "dump.bin", NULL);
  g_autofree char *debian = g_build_filename (sysroot, "usr/lib/python3/dist-packages/esptool",
                                              NULL);
  g_autofree char *pio = g_build_filename (home, ".platformio/packages/tool-esptoolpy/esptool",
                                           NULL);
  g_autofree char *debian_stub = g_build_filename (debian, "targets/stub_flasher",
                                                   "stub_flasher_32.json", NULL);
  g_autofree char *pio_stub = g_build_filename (pio, "targets/stub_flasher/2/esp32.json", NULL);
  g_autofree char *pinned_stub = g_build_filename (pinned, "esp32.json", NULL);
  g_autofree char *expect_debian = g_strconcat ("loading the flasher stub: esptool 4.x stubs, "
                                                "from ", debian, NULL);
  g_autofree char *expect_pio = g_strconcat ("loading the flasher stub: esptool 5.x stubs "
                                             "(esp-flasher-stub), from ",
                                             pio, NULL);
  g_autofree char *expect_pinned = g_strconcat ("loading the flasher stub: flasher stubs, from ",
                                                pinned, NULL);
  const char *args[] = { "--json", "--port", "sim://esp32?time-scale=0", "read", "0", "4096",
                         dump, NULL };
  const char *env[] = { "HOME", home, "GLINT_STUB_SYSROOT", sysroot, NULL };
  GlintTestRun run = { 0 };

  g_assert_no_error (error);
  glint_test_write_fake_stub (debian_stub);
  glint_test_write_fake_stub (pio_stub);
  glint_test_write_fake_stub (pinned_stub);

  glint_test_run_cli (&run, args, pinned, env);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, expect_pinned));
  glint_test_run_clear (&run);

  /* esptool for Python before PlatformIO */
  glint_test_run_cli (&run, args, NULL, env);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, expect_debian));
  glint_test_run_clear (&run);

  g_assert_cmpint (g_unlink (debian_stub), ==, 0);
  glint_test_run_cli (&run, args, NULL, env);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, expect_pio));
  glint_test_run_clear (&run);

  glint_test_remove_dir (dir);
}

/* tests/meson.build gives the suite a world of its own: the stub search
 * (the CLI's included) looks nowhere else than there, in the current
 * directory and in $GLINT_STUB_DIR. */
static void
test_hermetic_env (void)
{
  const char *ours[] = { "HOME", "XDG_DATA_HOME", "GLINT_STUB_SYSROOT", NULL };
  g_autoptr(GPtrArray) path = glint_stub_search_path_new ();
  g_autofree char *cwd = g_get_current_dir ();
  const char *pinned = g_getenv ("GLINT_STUB_DIR");
  const char *tests = g_getenv ("G_TEST_BUILDDIR");

  g_assert_nonnull (tests);
  for (guint i = 0; ours[i] != NULL; i++)
    {
      const char *value = g_getenv (ours[i]);

      g_assert_nonnull (value);
      if (!g_str_has_prefix (value, tests))
        g_error ("%s=%s is not in the build tree (%s)", ours[i], value, tests);
    }
  g_assert_cmpstr (g_getenv ("IDF_PATH"), ==, "");

  for (guint i = 0; i < path->len; i++)
    {
      GlintStubRoot *root = g_ptr_array_index (path, i);
      gboolean inside = g_str_has_prefix (root->path, cwd) ||
                        (pinned != NULL && g_str_equal (root->label, "GLINT_STUB_DIR"));

      for (guint j = 0; ours[j] != NULL && !inside; j++)
        inside = g_str_has_prefix (root->path, g_getenv (ours[j]));
      if (!inside)
        g_error ("the stub search looks in %s (%s)", root->path, root->label);
    }
}

static void
test_flash_missing_file (void)
{
  const char *args[] = { "--port", "sim://esp32?time-scale=0", "flash",
                         "/nonexistent/app.bin@0x10000", NULL };
  GlintTestRun run = { 0 };

  /* refused before the board: bad usage */
  run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "/nonexistent/app.bin"));
  g_assert_null (strstr (run.out, "verified"));
  glint_test_run_clear (&run);
}

static void
test_read_and_erase (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-cli-XXXXXX", &error);
  g_autofree char *flash_path = g_build_filename (dir, "flash.bin", NULL);
  g_autofree char *dump_path = g_build_filename (dir, "dump.bin", NULL);
  g_autofree char *address = NULL;
  g_autofree char *dump = NULL;
  g_autofree char *flash = NULL;
  g_autoptr(GSubprocess) server = NULL;
  const char *read_args[] = { "--port", NULL, "read", "0x1040", "1000", NULL, NULL };
  const char *erase_args[] = { "--port", NULL, "erase", "--region", "0x2000", "4096", NULL };
  const char *misaligned[] = { "--port", NULL, "erase", "--region", "0x2100", "4096", NULL };
  g_autofree guint8 *initial = g_malloc (0x4000);
  gsize len = 0;
  GlintTestRun run = { 0 };

  write_random (flash_path, initial, 0x4000);
  server = spawn_board (flash_path, &address);

  read_args[1] = address;
  read_args[5] = dump_path;
  run_cli (&run, read_args);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Done: read"));
  glint_test_run_clear (&run);
  g_file_get_contents (dump_path, &dump, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (dump, len, initial + 0x1040, 1000);

  misaligned[1] = address;
  run_cli (&run, misaligned);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "0x2100"));
  glint_test_run_clear (&run);

  erase_args[1] = address;
  run_cli (&run, erase_args);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "erased 0x1000 bytes at 0x2000"));
  glint_test_run_clear (&run);

  flash = stop_board (server, flash_path, &len);
  g_assert_cmpuint (len, >=, 0x4000);
  g_assert_cmpmem (flash, 0x2000, initial, 0x2000);
  for (guint i = 0x2000; i < 0x3000; i++)
    g_assert_cmphex ((guint8) flash[i], ==, 0xFF);
  g_assert_cmpmem (flash + 0x3000, 0x1000, initial + 0x3000, 0x1000);

  g_unlink (flash_path);
  g_unlink (dump_path);
  g_rmdir (dir);
}

static void
test_read_erase_usage (void)
{
  const char *no_file[] = { "--port", "sim://esp32?time-scale=0", "read", "0x1000", "16",
                            NULL };
  const char *bad_number[] = { "--port", "sim://esp32?time-scale=0", "read", "0x1000", "lots",
                               "/nonexistent/x.bin", NULL };
  const char *bad_erase[] = { "--port", "sim://esp32?time-scale=0", "erase", "--region",
                              "0x1000", NULL };
  const char *unknown[] = { "--port", "sim://esp32?time-scale=0", "erase", "--everything",
                            NULL };
  const char *no_dir[] = { "--port", "sim://esp32?time-scale=0", "read", "0", "16",
                           "/nonexistent/x.bin", NULL };
  /* the board's flash id tells its size (4 MiB; 2 MiB): past its end is
   * refused before the command goes, in words, not by the chip's code */
  const char *past_end[] = { "--port", "sim://esp32?time-scale=0", "erase", "--region",
                             "0x3ff000", "0x2000", NULL };
  g_autofree char *dir = g_dir_make_tmp ("glint-cli-XXXXXX", NULL);
  g_autofree char *read_path = g_build_filename (dir, "x.bin", NULL);
  const char *read_past_end[] = { "--port", "sim://esp32c3?time-scale=0&flash-size=2M", "read",
                                  "0x1ff000", "0x1001", read_path, NULL };
  const char *const *cases[] = { no_file, bad_number, bad_erase, unknown, no_dir, past_end };
  const struct
  {
    const char *const *args;
    const char        *text;
  } past[] = {
    { past_end, "erasing 0x2000 bytes at 0x3ff000: 0x3ff000 + 0x2000 is past the end of the "
                "4 MiB flash (0x400000): give a region that ends by 0x400000" },
    { read_past_end, "reading 0x1001 bytes at 0x1ff000: 0x1ff000 + 0x1001 is past the end of "
                     "the 2 MiB flash (0x200000)" },
  };
  GlintTestRun run = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      run_cli (&run, cases[i]);
      g_assert_cmpint (run.status, ==, 2);
      glint_test_run_clear (&run);
    }

  for (guint i = 0; i < G_N_ELEMENTS (past); i++)
    {
      run_cli (&run, past[i].args);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_nonnull (strstr (run.err, past[i].text));
      g_assert_null (strstr (run.err, "input parameter invalid"));
      g_assert_null (strstr (run.out, "Erasing…"));
      glint_test_run_clear (&run);
    }
  g_assert_false (g_file_test (read_path, G_FILE_TEST_EXISTS));
  glint_test_remove_dir (dir);
}

/* Every line of --json output is one JSON object with an "event". */
static GPtrArray *
parse_events (const char *out)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonNode *root;

      if (lines[i][0] == '\0')
        continue;
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      root = json_parser_get_root (parser);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
      g_assert_true (json_object_has_member (json_node_get_object (root), "event"));
      g_ptr_array_add (events, json_node_copy (root));
    }

  return events;
}

static JsonObject *
find_event (GPtrArray  *events,
            const char *name)
{
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *object = json_node_get_object (g_ptr_array_index (events, i));

      if (g_str_equal (json_object_get_string_member (object, "event"), name))
        return object;
    }

  return NULL;
}

static void
test_json (void)
{
  const char *info_args[] = { "--json", "--port", "sim://esp32s3?time-scale=0", "info", NULL };
  const char *fail_args[] = { "--json", "--port", "/dev/ttyGLINT99", "info", NULL };
  const char *bad_before[] = { "--before", "sometimes", "--port", "sim://", "info", NULL };
  g_autoptr(GPtrArray) events = NULL;
  JsonObject *object;
  GlintTestRun run = { 0 };

  run_cli (&run, info_args);
  g_assert_cmpint (run.status, ==, 0);
  events = parse_events (run.out);
  object = find_event (events, "info");
  g_assert_nonnull (object);
  g_assert_cmpstr (json_object_get_string_member (object, "chip"), ==, "esp32s3");
  g_assert_nonnull (find_event (events, "state"));
  g_assert_nonnull (find_event (events, "done"));
  g_assert_null (find_event (events, "error"));
  glint_test_run_clear (&run);
  g_clear_pointer (&events, g_ptr_array_unref);

  run_cli (&run, fail_args);
  g_assert_cmpint (run.status, ==, 1);
  events = parse_events (run.out);
  object = find_event (events, "error");
  g_assert_nonnull (object);
  g_assert_nonnull (strstr (json_object_get_string_member (object, "message"), "ttyGLINT99"));
  g_assert_true (json_object_has_member (object, "hint"));
  g_assert_null (find_event (events, "done"));
  glint_test_run_clear (&run);

  run_cli (&run, bad_before);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "--before"));
  glint_test_run_clear (&run);

  /* erase and read: the done event names the region they covered */
  {
    const char *erase[] = { "--json", "--port", "sim://esp32?time-scale=0", "erase",
                            "--region", "0x3000", "0x1000", NULL };

    g_clear_pointer (&events, g_ptr_array_unref);
    run_cli (&run, erase);
    g_assert_cmpint (run.status, ==, 0);
    events = parse_events (run.out);
    object = find_event (events, "done");
    g_assert_cmpstr (json_object_get_string_member (object, "job"), ==, "erase");
    g_assert_cmpint (json_object_get_int_member (object, "offset"), ==, 0x3000);
    g_assert_cmpint (json_object_get_int_member (object, "length"), ==, 0x1000);
    glint_test_run_clear (&run);
  }
}

/* The one error event of a run that failed, with the fields every error
 * event has; every line of @out is an event. */
static JsonObject *
assert_one_error (GPtrArray  *events,
                  const char *text)
{
  JsonObject *error = NULL;

  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *object = json_node_get_object (g_ptr_array_index (events, i));

      if (!g_str_equal (json_object_get_string_member (object, "event"), "error"))
        continue;
      g_assert_null (error);
      error = object;
    }
  g_assert_nonnull (error);
  g_assert_true (json_object_has_member (error, "domain"));
  g_assert_true (json_object_has_member (error, "code"));
  g_assert_true (json_object_has_member (error, "hint"));
  g_test_message ("  -> %s", json_object_get_string_member (error, "message"));
  g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), text));

  return error;
}

/* monitor whose link ends (the board's server stops) is no success: exit
 * status 1 and an error that names the cause, an event under --json. */
static void
test_monitor_link_ends (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-cli-XXXXXX", &error);
  g_autofree char *flash_path = g_build_filename (dir, "flash.bin", NULL);
  g_autofree char *address = NULL;
  g_autofree char *said = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GSubprocess) server = spawn_board (flash_path, &address);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GPtrArray) events = NULL;
  JsonObject *object;

  launcher = glint_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                      G_SUBPROCESS_FLAGS_STDERR_PIPE, NULL);
  proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("GLINT_CLI"), "--json",
                                      "--port", address, "monitor", NULL);
  g_assert_no_error (error);
  /* "Monitoring …": the link is up */
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (proc));
  said = g_data_input_stream_read_line (err, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (said, "Monitoring"));

  glint_test_stop_subprocess (server);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  events = parse_events (out);
  object = assert_one_error (events, "closed the connection");
  g_assert_cmpint (json_object_get_int_member (object, "code"), ==, GLINT_ERROR_DISCONNECTED);
  g_assert_null (find_event (events, "done"));

  glint_test_remove_dir (dir);
}

/* With every GLib debug message on, standard output still holds only
 * what it promises: under --json one event a line (a flash, the
 * busiest job), in text mode no debug line. The messages go to standard
 * error. */
static void
test_json_debug (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-cli-XXXXXX", &error);
  g_autofree char *app_path = g_build_filename (dir, "app.bin", NULL);
  g_autofree char *app_arg = g_strdup_printf ("%s@0x10000", app_path);
  g_autofree guint8 *app = g_malloc (8192);
  const char *env[] = { "G_MESSAGES_DEBUG", "all", "XDG_CACHE_HOME", dir, NULL };
  const char *json[] = { "--json", "--raw", "--port", "sim://esp32c3?time-scale=0", "flash",
                         app_arg, NULL };
  const char *text[] = { "--port", "sim://esp32c3?time-scale=0", "info", NULL };
  g_autoptr(GPtrArray) events = NULL;
  GlintTestRun run = { 0 };

  for (guint i = 0; i < 8192; i++)
    app[i] = (guint8) g_random_int ();
  g_file_set_contents (app_path, (const char *) app, 8192, &error);
  g_assert_no_error (error);

  glint_test_run_cli (&run, json, NULL, env);
  g_assert_cmpint (run.status, ==, 0);
  events = parse_events (run.out);
  g_assert_nonnull (strstr (run.err, "-DEBUG"));   /* they were on */
  g_assert_nonnull (find_event (events, "progress"));
  g_assert_nonnull (find_event (events, "done"));
  glint_test_run_clear (&run);

  glint_test_run_cli (&run, text, NULL, env);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "-DEBUG"));
  g_assert_null (strstr (run.out, "DEBUG"));
  g_assert_nonnull (strstr (run.out, "Chip:"));
  glint_test_run_clear (&run);

  glint_test_remove_dir (dir);
}

/* Under --json every error is an error event on standard output, with
 * the exit status the help gives: what the command line alone decides
 * (bad usage, 2), several boards refused before any starts, and --port
 * all with nothing connected (1). "APP" stands for a firmware file. */
typedef struct
{
  const char *args[12];
  int         status;
  const char *text;    /* in the error's message */
} JsonErrorCase;

static const JsonErrorCase json_error_cases[] = {
  { { "--json", "--port", "all", "--raw", "flash", "APP" }, 1, "no board is connected" },
  { { "--json", "--port", "sim://", "--port", "sim://", "--raw", "flash", "APP" }, 2,
    "given twice" },
  { { "--json", "--port", "sim://", "--port", "sim://esp32c3", "--raw", "--backup", "b.bin",
      "flash", "APP" }, 2, "--backup" },
  { { "--json", "--port", "sim://", "--port", "sim://esp32c3", "flash",
      "/nonexistent/app.bin" }, 2, "/nonexistent/app.bin" },
  { { "--json", "--port", "sim://", "--port", "rfc2217://lab:99999", "--raw", "flash", "APP" },
    2, "out of range" },
  { { "--json", "--port", "sim://", "--port", "sim://esp99", "--raw", "flash", "APP" }, 2,
    "esp99" },
  { { "--json", "--port", "sim://", "--port", "sim://esp32c3", "--results-log",
      "/nonexistent/r.csv", "--raw", "flash", "APP" }, 2, "--results-log: cannot write" },
  { { "--json", "--port", "all", "info" }, 2, "can only be flashed" },
  { { "--json", "--port", "sim://", "--results-log", "r.csv", "--raw", "flash", "APP" }, 2,
    "--results-log" },
  { { "--json", "--timeout-scale", "0", "--port", "sim://", "info" }, 2, "--timeout-scale" },
  { { "--json", "--timeout-scale", "abc", "--port", "sim://", "info" }, 2, "abc" },
  { { "--timeout-scale", "abc", "--json", "--port", "sim://", "info" }, 2, "abc" },
  { { "--json", "--baud", "fast", "--port", "sim://", "info" }, 2, "--baud" },
  { { "--json", "--chip", "esp99", "--port", "sim://", "info" }, 2, "esp99" },
  { { "--json", "--port", "sim://", "info", "--frobnicate" }, 2, "--frobnicate" },
  { { "--json", "frobnicate" }, 2, "frobnicate" },
  { { "--json" }, 2, "command" },
  { { "--json", "info" }, 2, "--port" },
  { { "--json", "--port", "sim://", "erase", "--region", "0x1000" }, 2, "Usage" },
  { { "--json", "--port", "sim://", "monitor", "now" }, 2, "Usage" },
  { { "--json", "-p", "sim://", "wifi" }, 2, "Usage" },
  { { "--json", "-p", "sim://", "wifi", "--list", "--wait", "0" }, 2, "--wait" },
};

static void
test_json_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-cli-XXXXXX", &error);
  g_autofree char *ports = g_build_filename (dir, "ports", NULL);
  g_autofree char *app_path = g_build_filename (dir, "app.bin", NULL);
  g_autofree char *app_arg = g_strdup_printf ("%s@0x10000", app_path);
  const char *env[] = { "GLINT_PORTS_DIR", ports, "XDG_CACHE_HOME", dir, NULL };

  g_assert_cmpint (g_mkdir (ports, 0700), ==, 0);
  g_file_set_contents (app_path, "\xe9\x01\x02\x20", 4, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (json_error_cases); i++)
    {
      const JsonErrorCase *c = &json_error_cases[i];
      const char *args[G_N_ELEMENTS (c->args) + 1] = { NULL };
      g_autoptr(GPtrArray) events = NULL;
      g_autofree char *joined = NULL;
      GlintTestRun run = { 0 };

      for (guint j = 0; j < G_N_ELEMENTS (c->args) && c->args[j] != NULL; j++)
        args[j] = g_strcmp0 (c->args[j], "APP") == 0 ? app_arg : c->args[j];
      joined = g_strjoinv (" ", (char **) args);
      g_test_message ("glint-cli %s", joined);
      glint_test_run_cli (&run, args, NULL, env);
      g_assert_cmpint (run.status, ==, c->status);
      events = parse_events (run.out);
      assert_one_error (events, c->text);
      glint_test_run_clear (&run);
    }

  glint_test_remove_dir (dir);
}

/* A port or URL that cannot be used: what is wrong first, in the order
 * typed (the host and port before the options, the first option typed),
 * with the valid range for a port out of it; bad usage (2) in text and
 * --json alike. */
#define SERVER_HINT "Give the serial server's address as rfc2217://HOST:PORT"
#define SIM_HINT "Give the Demo board as sim:// or sim://CHIP"
#define PORT_HINT "Type a port such as /dev/ttyUSB0"

static const struct
{
  const char *port;
  const char *text;
  const char *hint;    /* the next step, for the address's kind */
} bad_ports[] = {
  { "rfc2217://lab:99999", "port 99999 is out of range: use the serial server's TCP port, "
                           "from 1 to 65535", SERVER_HINT },
  { "socket://lab:0", "port 0 is out of range", SERVER_HINT },
  { "socket://lab:-1", "port -1 is out of range", SERVER_HINT },
  { "rfc2217://[::1]:65536", "port 65536 is out of range", SERVER_HINT },
  { "socket://lab:4k", "port \"4k\" is not a number: use a number from 1 to 65535, "
                       "e.g. socket://lab:4000", SERVER_HINT },
  { "rfc2217://lab:99999?bogus", "port 99999 is out of range", SERVER_HINT },
  { "socket://lab?logging=loud", "missing port", SERVER_HINT },
  { "rfc2217://lab:4000?zzz&aaa", "unknown option \"zzz\"", SERVER_HINT },
  { "rfc2217://lab:4000?aaa&zzz", "unknown option \"aaa\"", SERVER_HINT },
  { "rfc2217://lab:4000?logging=loud&bogus", "logging=loud", SERVER_HINT },
  { "rfc2217://", "missing host and port", SERVER_HINT },
  { "sim://esp99", "unknown simulated chip “esp99”", SIM_HINT },
  { "sim://esp32?bogus=1", "unknown sim option “bogus”", SIM_HINT },
  { "sim://esp32?revision=x", "sim option revision: “x” is not", SIM_HINT },
  { "sim://esp/32", "sim://esp32", SIM_HINT },
  { "COM3", "Windows port name", PORT_HINT },
};

static void
test_bad_ports (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_ports); i++)
    {
      const char *text[] = { "--port", bad_ports[i].port, "info", NULL };
      const char *json[] = { "--json", "--port", bad_ports[i].port, "info", NULL };
      g_autoptr(GPtrArray) events = NULL;
      GlintTestRun run = { 0 };
      JsonObject *error;

      g_test_message ("--port %s", bad_ports[i].port);
      run_cli (&run, text);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_true (g_str_has_prefix (run.err, "Error: "));
      g_assert_nonnull (strstr (run.err, bad_ports[i].text));
      /* the next step for this kind of address, and only that one */
      g_assert_nonnull (strstr (run.err, bad_ports[i].hint));
      g_assert_true (g_str_equal (bad_ports[i].hint, PORT_HINT) ||
                     strstr (run.err, PORT_HINT) == NULL);
      g_assert_cmpstr (run.out, ==, "");
      glint_test_run_clear (&run);

      run_cli (&run, json);
      g_assert_cmpint (run.status, ==, 2);
      events = parse_events (run.out);
      error = assert_one_error (events, bad_ports[i].text);
      g_assert_cmpint (json_object_get_int_member (error, "code"), ==,
                       GLINT_ERROR_INVALID_ADDRESS);
      g_assert_true (g_str_has_prefix (json_object_get_string_member (error, "hint"),
                                       bad_ports[i].hint));
      glint_test_run_clear (&run);
    }
}

/* monitor resets the (simulated) board into its firmware and shows the
 * boot log until interrupted. */
/* The chip line as esptool describes the chip, and the security state */
static void
test_info_ident (void)
{
  const char *text[] = { "--port", "sim://esp32?time-scale=0", "info", NULL };
  const char *json[] = { "--json", "--port",
                         "sim://esp32c3?time-scale=0&revision=1.1&secure-boot=on&"
                         "flash-crypt-cnt=1", "info", NULL };
  const char *sdm[] = { "--port", "sim://esp32s3?time-scale=0&secure-download=on", "info",
                        NULL };
  g_autoptr(GPtrArray) events = NULL;
  JsonObject *object, *security;
  JsonArray *features;
  GlintTestRun run = { 0 };

  run_cli (&run, text);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Chip:     ESP32-D0WD-V3 (revision v3.1), Wi-Fi, BT, "
                                     "dual core, 40 MHz crystal, 4 MB flash\n"));
  g_assert_nonnull (strstr (run.out, "Security: secure boot off, flash encryption off, "
                                     "secure download mode off, JTAG enabled\n"));
  glint_test_run_clear (&run);

  run_cli (&run, json);
  g_assert_cmpint (run.status, ==, 0);
  events = parse_events (run.out);
  object = find_event (events, "info");
  g_assert_nonnull (object);
  g_assert_cmpstr (json_object_get_string_member (object, "description"), ==,
                   "ESP32-C3 (QFN32)");
  g_assert_cmpstr (json_object_get_string_member (object, "revision"), ==, "v1.1");
  features = json_object_get_array_member (object, "features");
  g_assert_cmpstr (json_array_get_string_element (features, 0), ==, "Wi-Fi");
  security = json_object_get_object_member (object, "security");
  g_assert_true (json_object_get_boolean_member (security, "secure-boot"));
  g_assert_true (json_object_get_boolean_member (security, "flash-encryption"));
  g_assert_false (json_object_get_boolean_member (security, "secure-download"));
  glint_test_run_clear (&run);

  /* secure download mode is said up front, with what it refuses */
  run_cli (&run, sdm);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "secure download mode on"));
  g_assert_nonnull (strstr (run.out, "cannot verify"));
  g_assert_nonnull (strstr (run.out, "MAC:      unknown"));
  glint_test_run_clear (&run);
}

/* An unverified write never exits 0, unless --no-verify asked for it */
static void
test_flash_secure_download (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-cli-XXXXXX", &error);
  g_autofree char *app_path = g_build_filename (dir, "app.bin", NULL);
  g_autofree char *app_arg = g_strdup_printf ("%s@0x10000", app_path);
  const char *port = "sim://esp32s3?time-scale=0&secure-download=on";
  const char *args[] = { "--raw", "--port", port, "flash", app_arg, NULL };
  const char *no_verify[] = { "--raw", "--no-verify", "--port", port, "flash", app_arg, NULL };
  guint8 app[5000];
  GlintTestRun run = { 0 };

  write_random (app_path, app, sizeof app);

  run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 3);
  g_assert_nonnull (strstr (run.err, "written, not verified"));
  g_assert_null (strstr (run.out, "Done"));
  glint_test_run_clear (&run);

  run_cli (&run, no_verify);
  g_assert_cmpint (run.status, ==, 0);
  glint_test_run_clear (&run);

  g_unlink (app_path);
  g_rmdir (dir);
}

static void
test_monitor (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) before_boot = g_string_new (NULL);
  gboolean seen = FALSE;

  /* the reset helper's trace, to see which lines it changed and how long
   * it held them */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("GLINT_CLI"), "--port",
                                      "sim://esp32", "monitor", NULL);
  g_assert_no_error (error);
  data = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));

  for (guint i = 0; i < 200 && !seen; i++)
    {
      g_autofree char *line = g_data_input_stream_read_line (data, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      seen = strstr (line, "boot:0x13") != NULL;
      if (!seen && strstr (line, "reset ") != NULL)
        g_string_append_printf (before_boot, "%s\n", strstr (line, "reset "));
    }
  g_assert_true (seen);
  /* the hard reset, with the flasher's hold time: EN low 100 ms, IO0 high */
  g_assert_cmpstr (before_boot->str, ==, "reset hard: DTR 0 RTS 1, 100 ms\n"
                                         "reset hard: RTS 0, 0 ms\n");

  g_subprocess_send_signal (proc, SIGINT);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}

/* monitor --json: each line the board prints is an "output" event, and
 * Ctrl+C ends it with "done" (exit status 0, as the help says). */
static void
test_monitor_json (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) data = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rest = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gboolean seen = FALSE;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("GLINT_CLI"), "--json",
                                      "--port", "sim://esp32", "monitor", NULL);
  g_assert_no_error (error);
  data = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));

  for (guint i = 0; i < 200 && !seen; i++)
    {
      g_autofree char *line = g_data_input_stream_read_line (data, NULL, NULL, &error);
      g_autoptr(GPtrArray) one = NULL;
      JsonObject *output;

      g_assert_no_error (error);
      g_assert_nonnull (line);
      one = parse_events (line);
      output = find_event (one, "output");
      g_assert_nonnull (output);
      g_assert_null (strchr (json_object_get_string_member (output, "line"), '\n'));
      seen = strstr (json_object_get_string_member (output, "line"), "boot:0x13") != NULL;
    }
  g_assert_true (seen);

  g_subprocess_send_signal (proc, SIGINT);
  rest = g_data_input_stream_read_upto (data, "", 0, NULL, NULL, &error);
  g_assert_no_error (error);
  events = parse_events (rest != NULL ? rest : "");
  g_assert_nonnull (find_event (events, "done"));
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  glint_sim_stream_register ();

  g_test_add_func ("/glint/cli/list", test_list);
  g_test_add_func ("/glint/cli/usage", test_usage);
  g_test_add_func ("/glint/cli/version", test_version);
  g_test_add_func ("/glint/cli/unknown-option", test_unknown_option);
  g_test_add_func ("/glint/cli/output-order", test_output_order);
  g_test_add_func ("/glint/cli/interrupt", test_interrupt);
  g_test_add_func ("/glint/cli/info", test_info);
  g_test_add_func ("/glint/cli/wire-trace", test_wire_trace);
  g_test_add_func ("/glint/cli/info-ident", test_info_ident);
  g_test_add_func ("/glint/cli/flash-secure-download", test_flash_secure_download);
  g_test_add_func ("/glint/cli/errors", test_errors_name_the_cause);
  g_test_add_func ("/glint/cli/flash-to-server", test_flash_to_server);
  g_test_add_func ("/glint/cli/flash-missing-file", test_flash_missing_file);
  g_test_add_func ("/glint/cli/flash-multi-chip-manifest", test_flash_multi_chip_manifest);
  g_test_add_func ("/glint/cli/flash-sample", test_flash_sample);
  g_test_add_func ("/glint/cli/backup-restore", test_backup_restore);
  g_test_add_func ("/glint/cli/flash-skip", test_flash_skip);
  g_test_add_func ("/glint/cli/flash-record", test_flash_record);
  g_test_add_func ("/glint/cli/baud-remembered", test_baud_remembered);
  g_test_add_func ("/glint/cli/list-ports", test_list_ports);
  g_test_add_func ("/glint/cli/list-details", test_list_details);
  g_test_add_func ("/glint/cli/list-watch", test_list_watch);
  g_test_add_func ("/glint/cli/stub-installed-elsewhere", test_stub_installed_elsewhere);
  g_test_add_func ("/glint/cli/hermetic-env", test_hermetic_env);
  g_test_add_func ("/glint/cli/read-and-erase", test_read_and_erase);
  g_test_add_func ("/glint/cli/read-erase-usage", test_read_erase_usage);
  g_test_add_func ("/glint/cli/json", test_json);
  g_test_add_func ("/glint/cli/flash-reconnect", test_flash_reconnect);
  g_test_add_func ("/glint/cli/read-reconnect", test_read_reconnect);
  g_test_add_func ("/glint/cli/monitor", test_monitor);
  g_test_add_func ("/glint/cli/monitor-json", test_monitor_json);
  g_test_add_func ("/glint/cli/monitor-link-ends", test_monitor_link_ends);
  g_test_add_func ("/glint/cli/json-debug", test_json_debug);
  g_test_add_func ("/glint/cli/json-errors", test_json_errors);
  g_test_add_func ("/glint/cli/bad-ports", test_bad_ports);

  return g_test_run ();
}
