/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "glint-flash-plan.h"
#include "glint-flasher.h"
#include "glint-stream.h"
#include "glint-stream-address.h"

#include "bench-common.h"
#include "glint-test-utils.h"

/*
 * bench/resume: resume vs restart after a lost link.
 *
 * glint-sim-server serves the simulated ESP32 over raw TCP (as ser2net
 * would; or over RFC 2217, or behind a pty that vanishes and comes back:
 * --link); the image (firmware-like, 1 MiB by default) is flashed with the
 * stand-in stub three ways, each on a blank board:
 *
 *  - uninterrupted: the whole job, T0;
 *  - dropped: the server drops the TCP connection once when half of the
 *    compressed image has gone by (--drop-after); the job reconnects and
 *    resumes. T1 is the whole job; Tr the reconnect (the reconnecting
 *    signal until the job resumed: back-off, new connection, SYNC,
 *    detection).
 *  - restart, as esptool does it (it reopens the port, reconnects, loads
 *    its stub and writes the whole file again): T_drop + Tr + T0 - the
 *    connect of T0, computed from the two measured runs (Glint does not
 *    start over, so this is not run).
 *
 * Figures: T1 / (T0 + Tr), target ≤ 1.1 ("none starts over"); and what
 * resuming saves over restarting. Every run checks the board's flash byte
 * for byte.
 *
 *   GLINT_SIM_SERVER=_build/tests/glint-sim-server \
 *     ./_build/bench/glint-bench-resume [--size KIB] [--time-scale X] \
 *       [--link tcp|rfc2217|pty] [--verbose]
 */

#define IMAGE_OFFSET 0x10000

typedef struct
{
  gdouble  job_s;
  gdouble  reconnect_s;    /* 0 without a lost link */
  gdouble  drop_s;         /* when the link was lost, since the start */
  gdouble  writing_s;      /* when the job first entered writing */
  guint    recoveries;
  guint64  written;        /* bytes the flasher wrote (image bytes) */
  gboolean ok;
} Result;

static gboolean verbose;
static const char *link_kind = "tcp";

typedef struct
{
  gint64   start;
  gint64   lost_at;
  gint64   resumed_at;
  gint64   writing_at;
} Times;

static void
on_reconnecting_cb (GlintFlasher *flasher,
                    guint         attempt,
                    guint         max,
                    const char   *cause,
                    Times        *t)
{
  if (t->lost_at == 0)
    t->lost_at = g_get_monotonic_time ();
  if (verbose)
    g_printerr ("  reconnecting (%u of %u): %s\n", attempt, max, cause);
}

static void
on_recoveries_cb (GlintFlasher *flasher,
                  GParamSpec   *pspec,
                  Times        *t)
{
  if (glint_flasher_get_recoveries (flasher) > 0 && t->resumed_at == 0)
    t->resumed_at = g_get_monotonic_time ();
}

static void
on_state_cb (GlintFlasher *flasher,
             GParamSpec   *pspec,
             Times        *t)
{
  if (glint_flasher_get_state (flasher) == GLINT_FLASHER_STATE_WRITING && t->writing_at == 0)
    t->writing_at = g_get_monotonic_time ();
}

static void
on_log_cb (GlintFlasher  *flasher,
           GlintLogLevel  level,
           const char    *message,
           gpointer       user_data)
{
  if (verbose)
    g_printerr ("  %s\n", message);
}

static Result
run (GBytes     *image,
     gdouble     time_scale,
     guint64     drop_after)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-bench-resume-XXXXXX", &error);
  g_autofree char *flash_path = g_build_filename (dir, "flash.bin", NULL);
  g_autofree char *options = g_strdup_printf ("time-scale=%g", time_scale);
  g_autofree char *drop = g_strdup_printf ("%" G_GUINT64_FORMAT, drop_after);
  g_autofree char *link_path = g_build_filename (dir, "board", NULL);
  gboolean pty = g_str_equal (link_kind, "pty");
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *announcement = NULL;
  g_auto(GStrv) words = NULL;
  g_autofree char *address = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  Times t = { 0 };
  Result r = { 0 };

  /* over a pty the port vanishes and comes back under the same name */
  if (pty)
    {
      g_ptr_array_add (args, "--pty");
      g_ptr_array_add (args, "--link");
      g_ptr_array_add (args, link_path);
    }
  else
    {
      g_ptr_array_add (args, g_str_equal (link_kind, "rfc2217") ? "--rfc2217" : "--tcp");
      g_ptr_array_add (args, "0");
    }
  g_ptr_array_add (args, "--flash");
  g_ptr_array_add (args, flash_path);
  g_ptr_array_add (args, "--options");
  g_ptr_array_add (args, options);
  if (drop_after > 0)
    {
      g_ptr_array_add (args, pty ? "--vanish-after" : "--drop-after");
      g_ptr_array_add (args, drop);
    }
  g_ptr_array_add (args, NULL);
  server = glint_test_spawn_sim_server ((const char *const *) args->pdata, &announcement);
  words = g_strsplit (announcement, " ", -1);
  if (pty)
    address = g_strdup (g_strstrip (words[1]));
  else if (g_str_equal (link_kind, "rfc2217"))
    address = g_strdup_printf ("rfc2217://%s:%s?ign_set_control", words[1],
                               g_strstrip (words[2]));
  else
    address = g_strdup_printf ("socket://%s:%s", words[1], g_strstrip (words[2]));
  stream = glint_stream_new_for_address (address, &error);
  g_assert_no_error (error);
  flasher = glint_flasher_new (stream);
  glint_flash_plan_add_bytes (plan, IMAGE_OFFSET, image, "app");
  glint_flasher_set_plan (flasher, plan);
  glint_flasher_set_baud (flasher, 0);
  g_signal_connect (flasher, "reconnecting", G_CALLBACK (on_reconnecting_cb), &t);
  g_signal_connect (flasher, "notify::recoveries", G_CALLBACK (on_recoveries_cb), &t);
  g_signal_connect (flasher, "notify::state", G_CALLBACK (on_state_cb), &t);
  g_signal_connect (flasher, "log", G_CALLBACK (on_log_cb), NULL);

  t.start = g_get_monotonic_time ();
  glint_flasher_flash_async (flasher, NULL, glint_test_store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  r.job_s = (g_get_monotonic_time () - t.start) / 1e6;
  r.ok = glint_flasher_flash_finish (flasher, result, &error);
  if (!r.ok)
    g_printerr ("glint-bench-resume: the flash failed: %s\n", error->message);
  r.recoveries = glint_flasher_get_recoveries (flasher);
  r.written = glint_flasher_get_bytes_written (flasher);
  r.writing_s = t.writing_at != 0 ? (t.writing_at - t.start) / 1e6 : 0;
  if (t.lost_at != 0)
    r.drop_s = (t.lost_at - t.start) / 1e6;
  if (t.lost_at != 0 && t.resumed_at != 0)
    r.reconnect_s = (t.resumed_at - t.lost_at) / 1e6;
  g_io_stream_close (G_IO_STREAM (glint_flasher_get_stream (flasher)), NULL, NULL);

  glint_test_stop_subprocess (server);
  g_file_get_contents (flash_path, &contents, &len, &error);
  g_assert_no_error (error);
  if (len < IMAGE_OFFSET + g_bytes_get_size (image) ||
      memcmp (contents + IMAGE_OFFSET, g_bytes_get_data (image, NULL),
              g_bytes_get_size (image)) != 0)
    {
      g_printerr ("glint-bench-resume: the board does not hold the image\n");
      r.ok = FALSE;
    }
  glint_test_remove_dir (dir);

  return r;
}

int
main (int argc, char **argv)
{
  gint size_kib = 1024;
  gdouble time_scale = 0.25;
  GOptionEntry entries[] = {
    { "size", 0, 0, G_OPTION_ARG_INT, &size_kib, "image size in KiB (default 1024)", "KIB" },
    { "time-scale", 's', 0, G_OPTION_ARG_DOUBLE, &time_scale,
      "scale the simulated wire and flash times (default 0.25)", "X" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "print the flasher's log", NULL },
    { "link", 0, 0, G_OPTION_ARG_STRING, &link_kind,
      "tcp (socket://, the connection drops), rfc2217 (the connection drops) or pty (the "
      "port vanishes and comes back)", "KIND" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— resume vs restart after a "
                                                            "lost link");
  g_autoptr(GError) error = NULL;
  g_autofree char *stub_dir = NULL;
  g_autoptr(GBytes) image = NULL;
  g_autoptr(GBytes) payload = NULL;
  Result whole, dropped;
  gdouble restart_s, ratio;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || size_kib <= 0)
    {
      g_printerr ("glint-bench-resume: %s\n", error != NULL ? error->message : "bad --size");
      return 2;
    }
  if (!g_str_equal (link_kind, "tcp") && !g_str_equal (link_kind, "rfc2217") &&
      !g_str_equal (link_kind, "pty"))
    {
      g_printerr ("glint-bench-resume: --link wants tcp, rfc2217 or pty\n");
      return 2;
    }
  if (g_getenv ("GLINT_SIM_SERVER") == NULL)
    {
      g_printerr ("glint-bench-resume: set GLINT_SIM_SERVER to _build/tests/glint-sim-server\n");
      return 2;
    }

  stub_dir = bench_write_stub_dir ();
  image = bench_make_image ((gsize) size_kib * 1024);
  payload = bench_compress (image);

  g_printerr ("uninterrupted…\n");
  whole = run (image, time_scale, 0);
  g_printerr ("dropped once, half way…\n");
  /* the stub (13 KiB) and set-up first, then half of the compressed image */
  dropped = run (image, time_scale, 16 * 1024 + g_bytes_get_size (payload) / 2);
  bench_remove_stub_dir (stub_dir);

  if (!whole.ok || !dropped.ok || dropped.recoveries != 1)
    {
      g_printerr ("glint-bench-resume: a run failed (recoveries %u)\n", dropped.recoveries);
      return 1;
    }

  /* esptool's way: lose the link, reconnect, then the whole job again
   * (without its connect, counted in the reconnect already) */
  restart_s = dropped.drop_s + dropped.reconnect_s + (whole.job_s - whole.writing_s);
  ratio = dropped.job_s / (whole.job_s + dropped.reconnect_s);

  printf ("| %u KiB over %s, time scale %g | job s | written KiB |\n", (guint) size_kib,
          g_str_equal (link_kind, "tcp") ? "socket://" :
          g_str_equal (link_kind, "rfc2217") ? "rfc2217://" : "a pty", time_scale);
  printf ("|---|---|---|\n");
  printf ("| uninterrupted (T0) | %.2f | %u |\n", whole.job_s,
          (guint) ((whole.written + 1023) / 1024));
  printf ("| dropped at %.2f s, resumed (T1) | %.2f | %u |\n", dropped.drop_s, dropped.job_s,
          (guint) ((dropped.written + 1023) / 1024));
  printf ("| reconnect (Tr: back-off, connect, SYNC, detect) | %.2f | |\n", dropped.reconnect_s);
  printf ("| restart, computed (drop + Tr + T0 − connect) | %.2f | %u |\n", restart_s,
          (guint) ((whole.written + 1023) / 1024 + size_kib / 2));
  printf ("\nT1 / (T0 + Tr) = %.3f (target ≤ 1.1); resuming saved %.2f s over restarting\n",
          ratio, restart_s - dropped.job_s);

  return ratio <= 1.1 ? 0 : 1;
}
