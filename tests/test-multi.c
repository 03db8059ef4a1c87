/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "glint-error.h"
#include "glint-flash-batch.h"
#include "glint-flash-plan.h"
#include "glint-test-utils.h"

/*
 * Several boards in one job: glint-cli with --port all over four
 * simulated boards behind ptys (one of them faulty: its flash ignores
 * writes to the app), and the engine's GlintFlashBatch with sim:// boards
 * and its results log.
 */

#define N_BOARDS 4
#define FAULTY   2      /* board3 */
#define APP_SIZE (32 * 1024)

typedef struct
{
  char        *dir;
  char        *ports;      /* GLINT_PORTS_DIR */
  char        *app_path;
  GBytes      *app;
  GSubprocess *servers[N_BOARDS];
  char        *flash_paths[N_BOARDS];
  char        *port_paths[N_BOARDS];
} Rack;

static void
rack_start (Rack *rack)
{
  g_autoptr(GError) error = NULL;

  rack->dir = g_dir_make_tmp ("glint-multi-XXXXXX", &error);
  g_assert_no_error (error);
  rack->ports = g_build_filename (rack->dir, "ports", NULL);
  g_assert_cmpint (g_mkdir (rack->ports, 0700), ==, 0);
  rack->app = glint_test_app_like (APP_SIZE);
  rack->app_path = g_build_filename (rack->dir, "app.bin", NULL);
  g_file_set_contents (rack->app_path, g_bytes_get_data (rack->app, NULL), APP_SIZE, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < N_BOARDS; i++)
    {
      g_autofree char *name = g_strdup_printf ("board%u", i + 1);
      g_autofree char *seed = g_strdup_printf ("seed=%u", i + 1);
      const char *args[] = { "-c", "esp32c3", "--pty", "--link", NULL, "--flash", NULL,
                             "-o", "boot=download", "-o", "time-scale=0", "-o", seed,
                             "-o", i == FAULTY ? "write-protect=0x10000-0x11000" : "seed=0",
                             NULL };

      /* the healthy boards' last option only repeats the seed: same args */
      if (i != FAULTY)
        args[14] = seed;
      rack->port_paths[i] = g_build_filename (rack->ports, name, NULL);
      rack->flash_paths[i] = g_strdup_printf ("%s/flash%u.bin", rack->dir, i + 1);
      args[4] = rack->port_paths[i];
      args[6] = rack->flash_paths[i];
      rack->servers[i] = glint_test_spawn_sim_server (args, NULL);
    }
}

/* Stops the boards; returns what board @i's flash held */
static void
rack_stop (Rack *rack)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < N_BOARDS; i++)
    {
      if (rack->servers[i] == NULL)
        continue;
      g_subprocess_send_signal (rack->servers[i], SIGTERM);
      g_subprocess_wait_check (rack->servers[i], NULL, &error);
      g_assert_no_error (error);
      g_clear_object (&rack->servers[i]);
    }
}

static void
rack_free (Rack *rack)
{
  rack_stop (rack);
  glint_test_remove_dir (rack->dir);
  g_free (rack->dir);
  g_free (rack->ports);
  g_free (rack->app_path);
  g_bytes_unref (rack->app);
  for (guint i = 0; i < N_BOARDS; i++)
    {
      g_free (rack->flash_paths[i]);
      g_free (rack->port_paths[i]);
    }
}

/* Runs glint-cli with GLINT_PORTS_DIR=@ports_dir and, where @cache is not
 * NULL, its own cache folder (the record of each board, the rates) */
static int
run_cli_cached (const char *const  *args,
                const char         *ports_dir,
                const char         *cache,
                char              **out,
                char              **err)
{
  const char *env[] = { "GLINT_PORTS_DIR", ports_dir, "XDG_CACHE_HOME", cache, NULL };
  GlintTestRun run = { 0 };

  if (cache == NULL)
    env[2] = NULL;
  glint_test_run_cli (&run, args, NULL, env);
  *out = g_steal_pointer (&run.out);
  *err = g_steal_pointer (&run.err);

  return run.status;
}

static int
run_cli (const char *const  *args,
         const char         *ports_dir,
         char              **out,
         char              **err)
{
  return run_cli_cached (args, ports_dir, NULL, out, err);
}

/* The line of the final table that starts with @port */
static const char *
table_line (const char *out,
            const char *port)
{
  const char *table = strstr (out, "\nPort ");
  const char *line;

  g_assert_nonnull (table);
  line = strstr (table, port);
  g_assert_nonnull (line);
  return line;
}

/* Four boards, one faulty: the three healthy ones are flashed and
 * verified, the faulty one is reported failed (never as a success), the
 * exit status is 1, the results log has a row per board, and every --json
 * event of a board names its port. */
static void
test_cli_four_boards (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *app_arg = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *log = NULL;
  g_autofree char *md5 = NULL;
  g_auto(GStrv) rows = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *boards = NULL;
  Rack rack = { 0 };
  guint n_results = 0;

  rack_start (&rack);
  cache = g_build_filename (rack.dir, "cache", NULL);
  boards = g_build_filename (cache, "glint", "boards", NULL);
  app_arg = g_strdup_printf ("%s@0x10000", rack.app_path);
  log_path = g_build_filename (rack.dir, "results.csv", NULL);
  md5 = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, rack.app);

  {
    const char *args[] = { "--port", "all", "--no-reset", "--raw", "--results-log", log_path,
                           "flash", app_arg, NULL };

    g_assert_cmpint (run_cli_cached (args, rack.ports, cache, &out, &err), ==, 1);
  }

  /* the record keeps each verified board apart, by its chip and MAC (what
   * it keeps of the faulty one is a hint, which the final check decides) */
  for (guint i = 0; i < N_BOARDS; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *path = NULL;
      const char *line = table_line (out, rack.port_paths[i]);
      g_auto(GStrv) words = g_strsplit_set (line, " ", -1);
      const char *mac = NULL;

      for (guint w = 0; words[w] != NULL && mac == NULL; w++)
        if (g_str_has_prefix (words[w], "24:0a:c4:"))
          mac = words[w];
      g_assert_nonnull (mac);
      name = g_strdup_printf ("esp32c3-%c%c%c%c%c%c%c%c%c%c%c%c.ini", mac[0], mac[1], mac[3],
                              mac[4], mac[6], mac[7], mac[9], mac[10], mac[12], mac[13], mac[15],
                              mac[16]);
      path = g_build_filename (boards, name, NULL);
      g_test_message ("%s", path);
      if (i != FAULTY)
        g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
    }

  for (guint i = 0; i < N_BOARDS; i++)
    {
      const char *line = table_line (out, rack.port_paths[i]);
      g_autofree char *connecting = g_strdup_printf ("%s: Connecting…", rack.port_paths[i]);

      g_assert_nonnull (strstr (out, connecting));
      if (i == FAULTY)
        g_assert_true (g_str_has_prefix (strstr (line, "  ") + 2, "ESP32-C3") &&
                       strstr (line, "FAILED") < strchr (line, '\n') &&
                       strstr (line, "FAILED") != NULL);
      else
        g_assert_true (strstr (line, "verified") != NULL &&
                       strstr (line, "verified") < strchr (line, '\n') &&
                       strstr (line, "24:0a:c4:") < strchr (line, '\n'));
    }
  g_assert_nonnull (strstr (out, "3 of 4 boards verified."));
  {
    g_autofree char *failed = g_strdup_printf ("%s: Error: ", rack.port_paths[FAULTY]);

    g_assert_nonnull (strstr (err, failed));
  }

  /* the results log: a header and a row per board, with the file's MD5 */
  g_file_get_contents (log_path, &log, NULL, &error);
  g_assert_no_error (error);
  rows = g_strsplit (log, "\n", -1);
  g_assert_cmpstr (rows[0], ==, "time,port,chip,mac,firmware_md5,result,detail");
  g_assert_cmpuint (g_strv_length (rows), ==, N_BOARDS + 2);
  g_assert_cmpstr (rows[N_BOARDS + 1], ==, "");
  for (guint i = 1; i <= N_BOARDS; i++)
    {
      g_auto(GStrv) fields = g_strsplit (rows[i], ",", 7);
      gboolean faulty = g_str_equal (fields[1], rack.port_paths[FAULTY]);

      g_assert_cmpuint (g_strv_length (fields), ==, 7);
      g_assert_cmpstr (fields[2], ==, "ESP32-C3");
      g_assert_true (g_str_has_prefix (fields[3], "24:0a:c4:"));
      g_assert_cmpstr (fields[4], ==, md5);
      g_assert_cmpstr (fields[5], ==, faulty ? "failed" : "verified");
      g_assert_cmpint (fields[6][0] != '\0', ==, faulty);
    }

  /* again with --json, to two of the boards named by hand */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    const char *args[] = { "--json", "--port", rack.port_paths[0], "--port",
                           rack.port_paths[FAULTY], "--no-reset", "--raw", "flash", app_arg,
                           NULL };
    g_auto(GStrv) lines = NULL;

    g_assert_cmpint (run_cli_cached (args, rack.ports, cache, &out, &err), ==, 1);
    lines = g_strsplit (out, "\n", -1);
    for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
      {
        g_autoptr(JsonParser) parser = json_parser_new ();
        JsonObject *object;
        const char *event;

        json_parser_load_from_data (parser, lines[i], -1, &error);
        g_assert_no_error (error);
        object = json_node_get_object (json_parser_get_root (parser));
        event = json_object_get_string_member (object, "event");
        if (g_str_equal (event, "done"))
          {
            g_assert_cmpint (json_object_get_int_member (object, "boards"), ==, 2);
            g_assert_cmpint (json_object_get_int_member (object, "failed"), ==, 1);
            continue;
          }
        g_assert_true (json_object_has_member (object, "port"));
        if (g_str_equal (event, "result"))
          {
            gboolean faulty = g_str_equal (json_object_get_string_member (object, "port"),
                                           rack.port_paths[FAULTY]);

            g_assert_cmpstr (json_object_get_string_member (object, "result"), ==,
                             faulty ? "failed" : "verified");
            g_assert_cmpint (json_object_has_member (object, "message"), ==, faulty);
            /* board1 holds the firmware already: nothing to write */
            if (!faulty)
              g_assert_cmpint (json_object_get_int_member (object, "bytes-written"), ==, 0);
            n_results++;
          }
      }
    g_assert_cmpuint (n_results, ==, 2);
  }

  /* what the healthy boards hold */
  rack_stop (&rack);
  for (guint i = 0; i < N_BOARDS; i++)
    {
      g_autofree char *flash = NULL;
      gsize len = 0;

      g_file_get_contents (rack.flash_paths[i], &flash, &len, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (len, >=, 0x10000 + APP_SIZE);
      g_assert_cmpint (memcmp (flash + 0x10000, g_bytes_get_data (rack.app, NULL), APP_SIZE) == 0,
                       ==, i != FAULTY);
    }

  rack_free (&rack);
}

/* One board's link drops mid-write: that board reconnects and finishes
 * on its own, the others never notice. */
static void
test_cli_reconnect_one (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-multi-XXXXXX", &error);
  g_autofree char *app_path = g_build_filename (dir, "app.bin", NULL);
  g_autofree char *app_arg = g_strdup_printf ("%s@0x10000", app_path);
  g_autofree guint8 *app = g_malloc (APP_SIZE);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  GSubprocess *servers[3];
  char *addresses[3];
  char *flash_paths[3];
  guint n_results = 0, n_reconnecting = 0;

  for (guint i = 0; i < APP_SIZE; i++)
    app[i] = (guint8) g_random_int ();
  g_file_set_contents (app_path, (const char *) app, APP_SIZE, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *announcement = NULL;
      g_auto(GStrv) words = NULL;
      g_autofree char *seed = g_strdup_printf ("seed=%u", i + 1);
      const char *args[] = { "--tcp", "0", "--flash", NULL, "-o", "time-scale=0", "-o", seed,
                             i == 2 ? "--drop-after" : NULL, "12000", NULL };

      flash_paths[i] = g_strdup_printf ("%s/flash%u.bin", dir, i);
      args[3] = flash_paths[i];
      servers[i] = glint_test_spawn_sim_server (args, &announcement);
      words = g_strsplit (announcement, " ", -1);
      addresses[i] = g_strdup_printf ("socket://%s:%s", words[1], words[2]);
    }

  {
    const char *args[] = { "--json", "--raw", "--port", addresses[0], "--port", addresses[1],
                           "--port", addresses[2], "flash", app_arg, NULL };

    g_assert_cmpint (run_cli (args, dir, &out, &err), ==, 0);
  }

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;
      const char *event;
      gboolean dropped;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      event = json_object_get_string_member (object, "event");
      if (!json_object_has_member (object, "port"))
        continue;
      dropped = g_str_equal (json_object_get_string_member (object, "port"), addresses[2]);
      if (g_str_equal (event, "reconnecting"))
        {
          g_assert_true (dropped);
          n_reconnecting++;
        }
      if (g_str_equal (event, "result"))
        {
          g_assert_cmpstr (json_object_get_string_member (object, "result"), ==, "verified");
          g_assert_cmpint (json_object_get_int_member (object, "recoveries"), ==, dropped);
          n_results++;
        }
    }
  g_assert_cmpuint (n_reconnecting, ==, 1);
  g_assert_cmpuint (n_results, ==, 3);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *flash = NULL;
      gsize len = 0;

      g_subprocess_send_signal (servers[i], SIGTERM);
      g_subprocess_wait_check (servers[i], NULL, &error);
      g_assert_no_error (error);
      g_object_unref (servers[i]);
      g_file_get_contents (flash_paths[i], &flash, &len, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (flash + 0x10000, APP_SIZE, app, APP_SIZE);
      g_free (flash_paths[i]);
      g_free (addresses[i]);
    }

  glint_test_remove_dir (dir);
}

/* What several boards cannot do, refused before any is touched */
static void
test_cli_usage (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-multi-XXXXXX", &error);
  const char *twice[] = { "--port", "sim://", "--port", "sim://", "--raw", "flash",
                          "x.bin@0x10000", NULL };
  const char *info[] = { "--port", "all", "info", NULL };
  const char *backup[] = { "--port", "sim://", "--port", "sim://esp32c3", "--raw", "--backup", "b.bin",
                           "flash", "x.bin", NULL };
  const char *none[] = { "--port", "all", "--raw", "flash", NULL, NULL };
  g_autofree char *app_path = g_build_filename (dir, "app.bin", NULL);
  g_autofree char *app_arg = g_strdup_printf ("%s@0x10000", app_path);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_file_set_contents (app_path, "\xe9\x01\x02\x20", 4, &error);
  g_assert_no_error (error);
  twice[6] = app_arg;
  backup[8] = app_arg;
  none[4] = app_arg;

  g_assert_cmpint (run_cli (twice, dir, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "given twice"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_cli (info, dir, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "can only be flashed"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_cli (backup, dir, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--backup"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* an empty folder of ports: nothing connected */
  g_unlink (app_path);
  {
    g_autofree char *ports = g_build_filename (dir, "ports", NULL);

    g_mkdir (ports, 0700);
    g_file_set_contents (app_path, "\xe9\x01\x02\x20", 4, &error);
    g_assert_cmpint (run_cli (none, ports, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "no board is connected"));
    g_assert_nonnull (strstr (err, "glint-cli list"));
  }

  glint_test_remove_dir (dir);
}

static void
on_finished_cb (GlintFlashBatch *batch,
                guint            index,
                GPtrArray       *order)
{
  g_ptr_array_add (order, g_strdup (glint_flash_batch_get_address (batch, index)));
}

/* The engine alone: a results log that already has rows keeps them, a
 * file that is not such a log is refused untouched, and the same address
 * may come again once its board is done (a new board on the port). */
static void
test_batch_log (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-multi-XXXXXX", &error);
  g_autofree char *log_path = g_build_filename (dir, "log.csv", NULL);
  g_autofree char *other = g_build_filename (dir, "other.csv", NULL);
  g_autofree char *log = NULL;
  g_autofree char *kept = NULL;
  g_auto(GStrv) rows = NULL;
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GlintFlashOptions) options = glint_flash_options_new ();
  g_autoptr(GlintFlashBatch) batch = NULL;
  g_autoptr(GBytes) app = glint_test_app_like (8192);
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_free);
  const char *old = "time,port,chip,mac,firmware_md5,result,detail\n"
                    "2026-01-01T00:00:00Z,/dev/ttyUSB0,ESP32,24:0a:c4:00:00:01,x,verified,\n";
  const char *good = "sim://esp32c3?time-scale=0&seed=7";
  const char *bad = "sim://esp32c3?time-scale=0&seed=8&write-protect=0x10000-0x12000";

  glint_flash_plan_add_bytes (plan, 0x10000, app, "app");
  options->reboot = FALSE;
  batch = glint_flash_batch_new (plan, options);
  g_signal_connect (batch, "board-finished", G_CALLBACK (on_finished_cb), order);

  g_file_set_contents (other, "name,age\nx,1\n", -1, &error);
  g_assert_no_error (error);
  g_assert_false (glint_flash_batch_set_results_log (batch, other, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_file_get_contents (other, &kept, NULL, &error);
  g_assert_cmpstr (kept, ==, "name,age\nx,1\n");

  g_file_set_contents (log_path, old, -1, &error);
  g_assert_true (glint_flash_batch_set_results_log (batch, log_path, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (glint_flash_batch_add (batch, good, &error), ==, 0);
  g_assert_cmpuint (glint_flash_batch_add (batch, bad, &error), ==, 1);
  /* a job runs there: refused */
  g_assert_cmpuint (glint_flash_batch_add (batch, good, &error), ==, G_MAXUINT);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  while (glint_flash_batch_get_n_running (batch) > 0)
    g_main_context_iteration (NULL, TRUE);

  if (glint_flash_batch_get_error (batch, 0) != NULL)
    g_test_message ("%s", glint_flash_batch_get_error (batch, 0)->message);
  g_assert_cmpint (glint_flash_batch_get_result (batch, 0), ==, GLINT_BATCH_RESULT_VERIFIED);
  g_assert_cmpint (glint_flash_batch_get_result (batch, 1), ==, GLINT_BATCH_RESULT_FAILED);
  g_assert_nonnull (glint_flash_batch_get_error (batch, 1));
  g_assert_nonnull (glint_flash_batch_get_mac (batch, 0));
  g_assert_cmpstr (glint_flash_batch_get_mac (batch, 0), !=, glint_flash_batch_get_mac (batch, 1));

  /* done there: the port may take the next board */
  g_assert_cmpuint (glint_flash_batch_add (batch, good, &error), ==, 2);
  while (glint_flash_batch_get_n_running (batch) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (glint_flash_batch_get_result (batch, 2), ==, GLINT_BATCH_RESULT_VERIFIED);
  g_assert_cmpuint (order->len, ==, 3);

  g_file_get_contents (log_path, &log, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (log, old));
  rows = g_strsplit (log, "\n", -1);
  g_assert_cmpuint (g_strv_length (rows), ==, 2 + 3 + 1);
  /* the detail of a failure is quoted where it has a comma */
  g_assert_nonnull (strstr (log, ",failed,"));

  glint_test_remove_dir (dir);
}

/* Two boards, one in secure download mode (its ROM refuses the MD5
 * check): nothing failed, but one board is written and not verified, so
 * the exit status is 3 and its result says so; the other is verified. */
static void
test_cli_not_verified (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-multi-XXXXXX", &error);
  g_autofree char *app_path = g_build_filename (dir, "app.bin", NULL);
  g_autofree char *app_arg = g_strdup_printf ("%s@0x10000", app_path);
  g_autoptr(GBytes) app = glint_test_app_like (8 * 1024);
  const char *args[] = { "--json", "--port", "sim://esp32s3?time-scale=0",
                         "--port", "sim://esp32s3?time-scale=0&secure-download=on",
                         "--raw", "flash", app_arg, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_file_set_contents (app_path, g_bytes_get_data (app, NULL), g_bytes_get_size (app), &error);
  g_assert_no_error (error);

  g_assert_cmpint (run_cli (args, dir, &out, &err), ==, 3);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "\"result\":\"verified\""));
  g_assert_nonnull (strstr (out, "\"result\":\"not-verified\""));
  g_assert_null (strstr (out, "\"result\":\"failed\""));
  g_assert_nonnull (strstr (out, "\"failed\":0"));

  glint_test_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  glint_sim_stream_register ();

  g_test_add_func ("/glint/multi/cli-four-boards", test_cli_four_boards);
  g_test_add_func ("/glint/multi/cli-reconnect-one", test_cli_reconnect_one);
  g_test_add_func ("/glint/multi/cli-usage", test_cli_usage);
  g_test_add_func ("/glint/multi/batch-log", test_batch_log);
  g_test_add_func ("/glint/multi/cli-not-verified", test_cli_not_verified);

  return g_test_run ();
}
