/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "glint-flasher.h"
#include "glint-protocol.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-slip.h"
#include "glint-stream.h"
#include "glint-stream-address.h"

#include "bench-common.h"

/*
 * bench/loss: what a lost answer costs a flash job, deterministically.
 *
 * The soak loses answers at random, so its times cannot compare two
 * builds. Here the simulated ESP32 (sim://, a fixed round trip, no jitter)
 * loses answers at fixed places (the sim options lose-reply / lose-skip:
 * the work is done, the answer never reaches the host) and the job
 * recovers as over any remote link (protocol.md §7.3). Each configuration,
 * a loader (stub or ROM) at a round trip, runs these cases on a blank
 * board, each checked byte for byte afterwards:
 *
 *   none      no loss: the baseline
 *   block     the answer to the 11th FLASH_DEFL_DATA
 *   blocks    the same, and again on the 11th block after each recovery
 *             (3 losses: the bench re-arms the option when the job recovers)
 *   begin     the answer to FLASH_DEFL_BEGIN (the ROM erases before it)
 *   md5       the answer to the first SPI_FLASH_MD5 (the check after the write)
 *
 * Figures: the whole job, the commands the chip answered, the waits (groups
 * of answers that reach the host within a tenth of a round trip of each
 * other: how often the host waited for the link), the recoveries (one per
 * loss, or the case failed), the time from the last answer before the
 * lost one (the one before the probe's, which shows the loss) to the
 * recovery, summed (how long the losses went unnoticed), and the
 * job's time over the baseline per loss.
 *
 *   nice -n 10 ./_build/bench/glint-bench-loss [--quick] [--case NAME] [--loader stub|rom]
 *     [--rtt 50|400] [--time-scale X] [--verbose]
 */

#define IMAGE_OFFSET 0x10000
#define BAUD         460800
#define LOSE_SKIP    10        /* the 11th answer */

typedef struct
{
  const char *name;
  guint8      op;
  guint       losses;
} LossCase;

static const LossCase cases[] = {
  { "none", 0, 0 },
  { "block", GLINT_OP_FLASH_DEFL_DATA, 1 },
  { "blocks", GLINT_OP_FLASH_DEFL_DATA, 3 },
  { "begin", GLINT_OP_FLASH_DEFL_BEGIN, 1 },
  { "md5", GLINT_OP_SPI_FLASH_MD5, 1 },
};

typedef struct
{
  gboolean    stub;
  guint       rtt_ms;
  gsize       size;      /* the image; the ROM's 1 KiB blocks at 400 ms take a smaller one */
} Config;

static const Config configs[] = {
  { TRUE, 50, 1024 * 1024 },
  { TRUE, 400, 1024 * 1024 },
  { FALSE, 50, 1024 * 1024 },
  { FALSE, 400, 256 * 1024 },
};

typedef struct
{
  BenchRun          base;            /* first: the shared callbacks see it */
  GlintSlipDecoder *decoder;
  const LossCase   *loss;
  gint64            gap_us;          /* answers closer than this are one wait */
  gint64            last_answer;
  gint64            prev_answer;     /* the one before it */
  guint             waits;
  guint             armed;           /* losses armed so far */
  gdouble           unnoticed_s;     /* last answer to recovery, summed */
} Run;

static void
response_frame_cb (const guint8 *frame,
                   gsize         len,
                   gpointer      user_data)
{
  Run *run = user_data;
  gint64 now = g_get_monotonic_time ();

  if (len < 8 || frame[0] != 0x01)
    return;
  if (run->last_answer == 0 || now - run->last_answer >= run->gap_us)
    run->waits++;
  run->prev_answer = run->last_answer;
  run->last_answer = now;
}

static void
on_sim_output_cb (GlintSim *sim,
                  GBytes   *bytes,
                  gpointer  user_data)
{
  Run *run = user_data;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  glint_slip_decoder_feed (run->decoder, data, len, response_frame_cb, run);
}

static void
arm (Run *run)
{
  g_autofree char *op = g_strdup_printf ("%u", run->loss->op);
  g_autofree char *skip = g_strdup_printf ("%u", LOSE_SKIP);
  g_autoptr(GError) error = NULL;

  if (!glint_sim_set_option (run->base.sim, "lose-reply", op, &error) ||
      !glint_sim_set_option (run->base.sim, "lose-skip",
                             run->loss->op == GLINT_OP_FLASH_DEFL_DATA ? skip : "0", &error))
    g_error ("%s", error->message);
  run->armed++;
}

/* A recovery starts: the flasher connects again, once the last answer (the
 * probe's, or one to a command sent after the lost one) showed the loss.
 * (Its recoveries count goes up only once it has reconnected.) */
static void
on_state_cb (GObject    *object,
             GParamSpec *pspec,
             gpointer    user_data)
{
  Run *run = user_data;

  if (glint_flasher_get_state (GLINT_FLASHER (object)) != GLINT_FLASHER_STATE_CONNECTING ||
      run->last_answer == 0)
    return;
  /* from the answer before that one: the last before the lost one */
  run->unnoticed_s += (g_get_monotonic_time () - run->prev_answer) / 1e6;
  if (run->armed < run->loss->losses)
    arm (run);
}

static void
on_flasher_cb (GlintFlasher *flasher,
               gpointer      user_data)
{
  g_signal_connect (flasher, "notify::state", G_CALLBACK (on_state_cb), user_data);
}

typedef struct
{
  gdouble job_s;
  guint64 commands;
  guint   waits;
  guint   recoveries;
  gdouble unnoticed_s;
  guint64 rewritten;     /* bytes programmed beyond the image */
} Result;

static gboolean
run_case (const Config   *config,
          const LossCase *loss,
          GBytes         *image,
          gdouble         time_scale,
          gboolean        verbose,
          Result         *result,
          GError        **error)
{
  g_autofree char *address =
    g_strdup_printf ("sim://esp32?boot=normal&latency=%g&time-scale=%g",
                     config->rtt_ms / 2.0, time_scale);
  g_autoptr(GlintStream) stream = glint_stream_new_for_address (address, error);
  g_autoptr(GlintSlipDecoder) decoder = glint_slip_decoder_new (1024);
  Run run = { 0 };
  gulong output_id;
  gboolean ok;

  if (stream == NULL)
    return FALSE;

  run.base.verbose = verbose;
  run.base.sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream));
  run.decoder = decoder;
  run.loss = loss;
  run.gap_us = config->rtt_ms * 100;
  run.base.on_flasher = on_flasher_cb;
  run.base.on_flasher_data = &run;
  if (loss->losses > 0)
    arm (&run);
  output_id = g_signal_connect (run.base.sim, "output", G_CALLBACK (on_sim_output_cb), &run);

  ok = bench_flash (&run.base, stream, image, IMAGE_OFFSET, BAUD, config->stub, NULL, error);

  result->job_s = (run.base.done_at - run.base.start) / 1e6;
  result->commands = glint_sim_get_counter (run.base.sim, GLINT_SIM_COUNTER_COMMANDS);
  result->waits = run.waits;
  result->recoveries = run.base.recoveries;
  result->unnoticed_s = run.unnoticed_s;
  result->rewritten = glint_sim_get_counter (run.base.sim, GLINT_SIM_COUNTER_FLASH_WRITTEN) -
                      g_bytes_get_size (image);

  g_signal_handler_disconnect (run.base.sim, output_id);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);

  if (ok && result->recoveries != loss->losses)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "%u recoveries, %u answers lost", result->recoveries, loss->losses);
      return FALSE;
    }

  return ok;
}

int
main (int argc, char **argv)
{
  gboolean quick = FALSE;
  gboolean verbose = FALSE;
  gdouble time_scale = 0.25;
  char *only = NULL;
  char *loader = NULL;
  gint rtt = 0;
  GOptionEntry entries[] = {
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "the none and block cases only", NULL },
    { "case", 'c', 0, G_OPTION_ARG_STRING, &only,
      "one loss case (none, block, blocks, begin, md5) besides none", "NAME" },
    { "loader", 'l', 0, G_OPTION_ARG_STRING, &loader,
      "one loader's configurations only (stub, rom)", "LDR" },
    { "rtt", 'r', 0, G_OPTION_ARG_INT, &rtt,
      "the configurations at this round trip only (50, 400)", "MS" },
    { "time-scale", 't', 0, G_OPTION_ARG_DOUBLE, &time_scale,
      "the simulator's wire and flash times (default 0.25; not the round trip)", "X" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "print the flasher's states and log", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— what lost answers cost a flash job");
  g_autoptr(GError) error = NULL;
  g_autofree char *stub_dir = NULL;
  gboolean all_ok = TRUE;

  glint_sim_stream_register ();

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("glint-bench-loss: %s\n", error->message);
      return 2;
    }
  if (only != NULL)
    {
      gboolean known = FALSE;

      for (gsize l = 0; l < G_N_ELEMENTS (cases); l++)
        known |= g_str_equal (cases[l].name, only);
      if (!known)
        {
          g_printerr ("glint-bench-loss: unknown case '%s' (known: none, block, blocks, begin, "
                      "md5)\n", only);
          return 2;
        }
    }
  if (loader != NULL && !g_str_equal (loader, "stub") && !g_str_equal (loader, "rom"))
    {
      g_printerr ("glint-bench-loss: unknown loader '%s' (known: stub, rom)\n", loader);
      return 2;
    }
  if (rtt != 0 && rtt != 50 && rtt != 400)
    {
      g_printerr ("glint-bench-loss: no configuration at %d ms (known: 50, 400)\n", rtt);
      return 2;
    }
  if (time_scale <= 0)
    {
      g_printerr ("glint-bench-loss: --time-scale must be positive\n");
      return 2;
    }

  stub_dir = bench_write_stub_dir ();
  g_setenv ("GLINT_STUB_DIR", stub_dir, TRUE);

  printf ("# glint-bench-loss: sim://esp32, %d baud, time-scale %g, image at 0x%x, "
          "the %uth answer lost\n", BAUD, time_scale, IMAGE_OFFSET, LOSE_SKIP + 1);
  printf ("%-4s %6s %6s %-7s %8s %6s %6s %5s %11s %10s %10s\n",
          "ldr", "rtt ms", "KiB", "case", "job s", "cmds", "waits", "recov",
          "unnoticed s", "s per loss", "rewritten");

  for (gsize c = 0; c < G_N_ELEMENTS (configs); c++)
    {
      const Config *config = &configs[c];
      g_autoptr(GBytes) image = bench_make_image (config->size);
      gdouble baseline = -1;

      if ((loader != NULL && config->stub != g_str_equal (loader, "stub")) ||
          (rtt != 0 && config->rtt_ms != (guint) rtt))
        continue;

      for (gsize l = 0; l < G_N_ELEMENTS (cases); l++)
        {
          const LossCase *loss = &cases[l];
          g_autoptr(GError) run_error = NULL;
          Result result = { 0 };
          g_autofree char *per_loss = NULL;

          if (l > 0 && quick && !g_str_equal (loss->name, "block"))
            continue;
          if (l > 0 && only != NULL && !g_str_equal (loss->name, only))
            continue;

          g_printerr ("[%s, %u ms, %s] flashing...\n", config->stub ? "stub" : "ROM",
                      config->rtt_ms, loss->name);
          if (!run_case (config, loss, image, time_scale, verbose, &result, &run_error))
            {
              g_printerr ("glint-bench-loss: %s\n", run_error->message);
              printf ("%-4s %6u %6" G_GSIZE_FORMAT " %-7s failed: %s\n",
                      config->stub ? "stub" : "ROM", config->rtt_ms, config->size / 1024,
                      loss->name, run_error->message);
              all_ok = FALSE;
              continue;
            }

          if (loss->losses == 0)
            baseline = result.job_s;
          if (loss->losses > 0 && baseline >= 0)
            per_loss = g_strdup_printf ("%.2f", (result.job_s - baseline) / loss->losses);
          else
            per_loss = g_strdup ("-");

          printf ("%-4s %6u %6" G_GSIZE_FORMAT " %-7s %8.2f %6" G_GUINT64_FORMAT " %6u %5u "
                  "%11.2f %10s %10" G_GUINT64_FORMAT "\n",
                  config->stub ? "stub" : "ROM", config->rtt_ms, config->size / 1024,
                  loss->name, result.job_s, result.commands, result.waits, result.recoveries,
                  result.unnoticed_s, per_loss, result.rewritten);
          fflush (stdout);
        }
    }

  bench_remove_stub_dir (stub_dir);
  g_free (only);
  g_free (loader);

  return all_ok ? 0 : 1;
}
