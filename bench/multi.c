/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "bench-common.h"
#include "glint-flash-batch.h"
#include "glint-flash-plan.h"
#include "glint-test-utils.h"

/*
 * Several boards in one job: 1, 4 and 8 simulated ESP32s, each a
 * glint-sim-server behind its own pty, get 1 MiB each from one
 * GlintFlashBatch, as `glint-cli flash --port A --port B …` does. The
 * boards' own time (wire and flash, scaled by --time-scale) is the same
 * for each; what more boards add is the host's work on the one main
 * context. Target: 8 boards in at most 1.15 × the time of one.
 *
 *   GLINT_SIM_SERVER=_build/src/glint-sim-server \
 *     nice -n 10 ./_build/bench/glint-bench-multi [--time-scale X] [--faulty]
 *
 * --faulty (the soak mix): every fourth board's flash is broken (writes
 * to a sector of the app ignored, or a bit stuck at 1 where the image has
 * a 0); those must fail, every other board must be verified and hold the
 * image, and the healthy boards must not be slower than without the
 * faulty ones. --repeat N runs the three rounds N times, the faults moving
 * about (the soak). A false success is a board reported verified whose
 * flash does not hold the image, or a broken board reported verified.
 * Exit status 0 when the targets are met.
 */

#define IMAGE_SIZE (1024 * 1024)
#define OFFSET     0x10000

static double   time_scale = 1.0;
static gboolean faulty_mix;
static gboolean verbose;
static int      repeat = 1;
static GRand   *fault_rand;

typedef struct
{
  guint   n;
  gdouble wall_s;
  gdouble slowest_healthy_s;
  guint   verified;
  guint   failed;
  guint   false_successes;
} Round;

static gboolean
is_faulty (guint i)
{
  return faulty_mix && i % 4 == 3;
}

static void
run_round (GBytes *image,
           Round  *round)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-bench-multi-XXXXXX", &error);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GlintFlashOptions) options = glint_flash_options_new ();
  g_autoptr(GlintFlashBatch) batch = NULL;
  g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) links = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *scale = g_strdup_printf ("time-scale=%g", time_scale);
  const guint8 *bytes = g_bytes_get_data (image, NULL);
  gint64 start;

  g_assert_no_error (error);
  for (guint i = 0; i < round->n; i++)
    {
      g_autofree char *seed = g_strdup_printf ("seed=%u", i + 1);
      g_autofree char *flash = g_strdup_printf ("%s/flash%u.bin", dir, i);
      g_autofree char *fault = NULL;
      char *link = g_strdup_printf ("%s/board%u", dir, i);
      const char *args[] = { "--pty", "--link", link, "--flash", flash, "-o", "boot=download",
                             "-o", scale, "-o", seed, "-o", seed, NULL };

      if (is_faulty (i) && g_rand_boolean (fault_rand))
        {
          guint32 sector = g_rand_int_range (fault_rand, 0, IMAGE_SIZE / 4096) * 4096;

          fault = g_strdup_printf ("write-protect=0x%x-0x%x", OFFSET + sector,
                                   OFFSET + sector + 4096);
        }
      else if (is_faulty (i))
        {
          guint32 at;

          /* a byte whose bit 0 the image clears: stuck at 1, it cannot hold it */
          do
            at = g_rand_int_range (fault_rand, 0, IMAGE_SIZE);
          while ((bytes[at] & 1) != 0);
          fault = g_strdup_printf ("stuck-bit=0x%x:0", OFFSET + at);
        }
      if (fault != NULL)
        args[12] = fault;

      g_ptr_array_add (links, link);
      g_ptr_array_add (servers, glint_test_spawn_sim_server (args, NULL));
    }

  glint_flash_plan_add_bytes (plan, OFFSET, image, "app");
  options->no_reset = TRUE;
  options->reboot = FALSE;
  options->skip_unchanged = FALSE;
  batch = glint_flash_batch_new (plan, options);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < round->n; i++)
    if (glint_flash_batch_add (batch, g_ptr_array_index (links, i), &error) == G_MAXUINT)
      g_error ("%s", error->message);
  while (glint_flash_batch_get_n_running (batch) > 0)
    g_main_context_iteration (NULL, TRUE);
  round->wall_s = (g_get_monotonic_time () - start) / 1e6;

  for (guint i = 0; i < round->n; i++)
    {
      GlintBatchResult result = glint_flash_batch_get_result (batch, i);
      g_autofree char *flash = g_strdup_printf ("%s/flash%u.bin", dir, i);
      g_autofree char *data = NULL;
      gsize len = 0;
      gboolean holds;

      g_subprocess_send_signal (g_ptr_array_index (servers, i), SIGTERM);
      g_subprocess_wait (g_ptr_array_index (servers, i), NULL, NULL);
      holds = g_file_get_contents (flash, &data, &len, NULL) && len >= OFFSET + IMAGE_SIZE &&
              memcmp (data + OFFSET, g_bytes_get_data (image, NULL), IMAGE_SIZE) == 0;
      g_unlink (flash);

      if (verbose && glint_flash_batch_get_error (batch, i) != NULL)
        g_printerr ("board %u: %s\n", i, glint_flash_batch_get_error (batch, i)->message);
      if (result == GLINT_BATCH_RESULT_VERIFIED)
        {
          round->verified++;
          if (is_faulty (i) || !holds)
            round->false_successes++;
          round->slowest_healthy_s = MAX (round->slowest_healthy_s,
                                          glint_flash_batch_get_seconds (batch, i));
        }
      else
        {
          round->failed++;
        }
    }

  glint_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- flash several boards at once");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) image = NULL;
  g_autofree char *stubs = NULL;
  const GOptionEntry entries[] = {
    { "time-scale", 's', 0, G_OPTION_ARG_DOUBLE, &time_scale,
      "The simulator's time scale (default 1)", "X" },
    { "faulty", 0, 0, G_OPTION_ARG_NONE, &faulty_mix,
      "Every fourth board is faulty (the soak mix)", NULL },
    { "repeat", 'r', 0, G_OPTION_ARG_INT, &repeat,
      "Run the rounds N times (with --faulty: the soak)", "N" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Say why boards failed", NULL },
    { NULL }
  };
  guint sizes[] = { 1, 4, 8 };
  Round rounds[G_N_ELEMENTS (sizes)] = { 0 };
  gboolean ok = TRUE;
  guint false_total = 0, failed_total = 0, boards_total = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (g_getenv ("GLINT_SIM_SERVER") == NULL)
    {
      g_printerr ("glint-bench-multi: set GLINT_SIM_SERVER to _build/src/glint-sim-server\n");
      return 2;
    }

  fault_rand = g_rand_new_with_seed (20261206);
  stubs = bench_write_stub_dir ();
  g_setenv ("GLINT_STUB_DIR", stubs, TRUE);
  image = bench_make_image (IMAGE_SIZE);

  printf ("%-6s %8s %9s %10s %8s %6s %6s\n", "boards", "wall s", "vs one", "slowest s",
          "verified", "failed", "false");
  for (guint k = 0; k < G_N_ELEMENTS (sizes) * (guint) MAX (repeat, 1); k++)
    {
      Round *round = &rounds[k % G_N_ELEMENTS (sizes)];
      guint expect_failed = 0;

      memset (round, 0, sizeof *round);
      round->n = sizes[k % G_N_ELEMENTS (sizes)];
      run_round (image, round);
      false_total += round->false_successes;
      failed_total += round->failed;
      boards_total += round->n;
      for (guint i = 0; i < round->n; i++)
        expect_failed += is_faulty (i);
      printf ("%-6u %8.2f %9.3f %10.2f %8u %6u %6u\n", round->n, round->wall_s,
              round->wall_s / rounds[0].wall_s, round->slowest_healthy_s, round->verified,
              round->failed, round->false_successes);
      fflush (stdout);
      ok &= round->false_successes == 0 && round->failed == expect_failed;
    }
  if (repeat > 1)
    printf ("%u boards in %d rounds: %u failed as they should, %u false successes\n",
            boards_total, repeat, failed_total, false_total);

  bench_remove_stub_dir (stubs);

  /* the target: 8 boards in at most 1.15 × one, and with faulty boards
   * among them, the healthy ones no slower than that */
  ok &= rounds[2].wall_s <= 1.15 * rounds[0].wall_s;
  printf ("8 boards / 1 board: %.3f (target <= 1.15): %s\n", rounds[2].wall_s / rounds[0].wall_s,
          ok ? "met" : "NOT met");

  return ok ? 0 : 1;
}
