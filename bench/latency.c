/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include <glib/gstdio.h>

#include "glint-flash-plan.h"
#include "glint-flasher.h"
#include "glint-loader.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-slip.h"
#include "glint-stream.h"
#include "glint-stream-address.h"

#include "bench-common.h"

/*
 * bench/latency: what a slow link costs a flash job.
 *
 * Flashes 1 MiB of firmware-like data with the stub through the simulated
 * ESP32 at 0, 50, 200 and 400 ms round trip (the simulator's latency option
 * is one way: half of it) and prints, for each (the latency targets):
 *
 * - the write phase against the lock-step floor. The write phase runs from
 *   the answer to FLASH_DEFL_BEGIN reaching us (the flasher sends block 0
 *   then) to the answer to the last FLASH_DEFL_DATA reaching us. The floor
 *   is, per block, the wire time of its SLIP frame at the transfer speed plus
 *   one round trip (the stub's write protocol is lock-step, protocol.md §9).
 *
 * - the round trips from connect to the first block. Two honest counts:
 *   "rt" is latency-equivalent: (time to block 0's answer at this round
 *   trip − the same at 0 ms) / round trip − 1 (block 0's own round trip),
 *   i.e. how many round trips the setup really waited for before block 0
 *   left, whatever the engine batched (the flasher sends block 0 together
 *   with FLASH_DEFL_BEGIN to a stub); "cmds" is the number of
 *   commands the chip had answered by then, FLASH_DEFL_BEGIN included
 *   (GLINT_SIM_COUNTER_COMMANDS, read when that answer reaches us), an
 *   upper bound that only equals the round trips if nothing is batched.
 *   A per-phase breakdown (state changes of the flasher) and, for the
 *   slowest link, the answers in arrival order, grouped when they arrive
 *   together, show where the round trips go.
 *
 * Not a test: it prints. Progress goes to stderr, the tables to stdout.
 *
 *   ./_build/bench/glint-bench-latency [--quick] [--baud N] [--verbose]
 */

#define IMAGE_OFFSET  0x10000
#define IMAGE_SIZE    (1024 * 1024)
#define STUB_BLOCK    0x4000
#define MAX_RESPONSES 4096

/* The flasher's states, in the order a stub flash job passes them. */
static const GlintFlasherState phase_states[] = {
  GLINT_FLASHER_STATE_CONNECTING,
  GLINT_FLASHER_STATE_SYNCING,
  GLINT_FLASHER_STATE_DETECTING,
  GLINT_FLASHER_STATE_LOADING_STUB,
  GLINT_FLASHER_STATE_CHANGING_BAUD,
  GLINT_FLASHER_STATE_WRITING,
};
static const char * const phase_names[] = {
  "reset", "sync", "detect", "stub", "baud+spi", "begin",
};

typedef struct
{
  gint64  at;
  guint8  op;
} Response;

typedef struct
{
  BenchRun          base;              /* first: the shared callbacks see it */
  GlintSlipDecoder *decoder;
  gint64            begin_ack;         /* answer to FLASH_DEFL_BEGIN reached us */
  gint64            first_data_ack;    /* answer to block 0 reached us */
  guint64           commands_at_begin;
  gint64            last_data_ack;
  guint             data_acks;
  Response          responses[MAX_RESPONSES];
  guint             n_responses;       /* before block 0 */
} Run;

static const char *
op_name (guint8 op)
{
  switch (op)
    {
    case GLINT_OP_MEM_BEGIN:         return "MEM_BEGIN";
    case GLINT_OP_MEM_END:           return "MEM_END";
    case GLINT_OP_MEM_DATA:          return "MEM_DATA";
    case GLINT_OP_SYNC:              return "SYNC";
    case GLINT_OP_READ_REG:          return "READ_REG";
    case GLINT_OP_SPI_SET_PARAMS:    return "SPI_SET_PARAMS";
    case GLINT_OP_SPI_ATTACH:        return "SPI_ATTACH";
    case GLINT_OP_CHANGE_BAUDRATE:   return "CHANGE_BAUDRATE";
    case GLINT_OP_FLASH_DEFL_BEGIN:  return "FLASH_DEFL_BEGIN";
    case GLINT_OP_FLASH_DEFL_DATA:   return "FLASH_DEFL_DATA";
    case GLINT_OP_FLASH_DEFL_END:    return "FLASH_DEFL_END";
    case GLINT_OP_SPI_FLASH_MD5:     return "SPI_FLASH_MD5";
    case GLINT_OP_GET_SECURITY_INFO: return "GET_SECURITY_INFO";
    default:                         return NULL;
    }
}

/* Every answer from the chip, as it reaches the host. "OHAI" is the stub's
 * greeting, not an answer. */
static void
response_frame_cb (const guint8 *frame,
                   gsize         len,
                   gpointer      user_data)
{
  Run *run = user_data;
  gint64 now = g_get_monotonic_time ();
  guint8 op;

  if (len < 8 || frame[0] != 0x01)
    return;
  op = frame[1];

  if (run->begin_ack == 0 && run->n_responses < MAX_RESPONSES)
    {
      run->responses[run->n_responses].at = now;
      run->responses[run->n_responses].op = op;
      run->n_responses++;
    }

  if (op == GLINT_OP_FLASH_DEFL_BEGIN && run->begin_ack == 0)
    {
      run->begin_ack = now;
      run->commands_at_begin = glint_sim_get_counter (run->base.sim, GLINT_SIM_COUNTER_COMMANDS);
    }
  else if (op == GLINT_OP_FLASH_DEFL_DATA)
    {
      if (run->first_data_ack == 0)
        run->first_data_ack = now;
      run->last_data_ack = now;
      run->data_acks++;
    }
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
put_u32 (guint8  *p,
         guint32  v)
{
  p[0] = v & 0xFF;
  p[1] = (v >> 8) & 0xFF;
  p[2] = (v >> 16) & 0xFF;
  p[3] = (v >> 24) & 0xFF;
}

/* The lock-step floor of the write phase in µs: for every FLASH_DEFL_DATA
 * frame the flasher sends (zlib level 9 of the image in 16 KiB blocks, as
 * glint-flasher-flash.c does), its SLIP-encoded wire time plus one round
 * trip. */
static gdouble
lockstep_floor_us (GBytes  *image,
                   guint    baud,
                   gdouble  rtt_ms,
                   gsize   *compressed,
                   guint   *n_blocks)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (image, &len);
  uLongf out_len = compressBound (len);
  g_autofree guint8 *out = g_malloc (out_len);
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  gdouble us = 0;
  guint seq = 0;

  if (compress2 (out, &out_len, data, len, 9) != Z_OK)
    g_error ("compress2 failed");

  for (gsize start = 0; start < out_len; start += STUB_BLOCK, seq++)
    {
      gsize n = MIN ((gsize) STUB_BLOCK, out_len - start);
      g_autofree guint8 *frame = g_malloc0 (8 + 16 + n);
      guint32 checksum = 0xEF;

      for (gsize i = 0; i < n; i++)
        checksum ^= out[start + i];
      frame[0] = 0x00;
      frame[1] = GLINT_OP_FLASH_DEFL_DATA;
      frame[2] = (16 + n) & 0xFF;
      frame[3] = ((16 + n) >> 8) & 0xFF;
      put_u32 (frame + 4, checksum);
      put_u32 (frame + 8, n);
      put_u32 (frame + 12, seq);
      memcpy (frame + 24, out + start, n);

      g_byte_array_set_size (wire, 0);
      glint_slip_encode (frame, 8 + 16 + n, wire);
      us += wire->len * 10.0 * 1e6 / baud + rtt_ms * 1000.0;
    }

  *compressed = out_len;
  *n_blocks = seq;

  return us;
}

/* A stand-in for esptool's ESP32 stub, about its size (12 KiB of text,
 * 1 KiB of data): the simulator runs any code and greets with OHAI. */
static gboolean skip_unchanged;

static gboolean
run_flash (const char  *address,
           GBytes      *image,
           guint        baud,
           gboolean     verbose,
           Run         *run,
           GError     **error)
{
  g_autoptr(GlintStream) stream = glint_stream_new_for_address (address, error);
  g_autoptr(GlintSlipDecoder) decoder = glint_slip_decoder_new (1024);
  gulong output_id;
  gboolean ok;

  if (stream == NULL)
    return FALSE;

  memset (run, 0, sizeof *run);
  run->base.verbose = verbose;
  run->base.skip_unchanged = skip_unchanged;
  run->base.sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream));
  run->decoder = decoder;
  output_id = g_signal_connect (run->base.sim, "output", G_CALLBACK (on_sim_output_cb), run);

  ok = bench_flash (&run->base, stream, image, IMAGE_OFFSET, baud, TRUE, NULL, error);

  g_signal_handler_disconnect (run->base.sim, output_id);
  run->decoder = NULL;
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
  run->base.sim = NULL;

  if (ok && (run->begin_ack == 0 || run->data_acks == 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no FLASH_DEFL_BEGIN/DATA answers seen");
      return FALSE;
    }

  return ok;
}

/* Start of phase i, or the answer to FLASH_DEFL_BEGIN for the end of the
 * last one. 0 when the job skipped the phase's state. */
static gint64
phase_start (const Run *run,
             guint      i)
{
  if (i == G_N_ELEMENTS (phase_states))
    return run->begin_ack;

  return run->base.state_at[phase_states[i]];
}

static gdouble
phase_ms (const Run *run,
          guint      i)
{
  gint64 from = phase_start (run, i);
  gint64 to = 0;

  if (from == 0)
    return 0;
  /* up to the next phase that happened */
  for (guint j = i + 1; j <= G_N_ELEMENTS (phase_states) && to == 0; j++)
    to = phase_start (run, j);

  return (to - from) / 1000.0;
}

/* The answers before block 0, in arrival order; answers that arrive within
 * a tenth of a round trip of each other form one group, one wait. */
static void
print_trace (const Run *run,
             gdouble    rtt_ms)
{
  gint64 gap = (gint64) (rtt_ms * 100.0);
  guint groups = 0;

  printf ("# answers before block 0 at %g ms, [grouped when they arrive within %g ms]:\n#  ",
          rtt_ms, rtt_ms / 10);
  for (guint i = 0; i < run->n_responses; )
    {
      guint j = i;

      printf (" [");
      while (j < run->n_responses && (j == i || run->responses[j].at - run->responses[j - 1].at < gap))
        {
          const char *name = op_name (run->responses[j].op);
          guint k = j;

          while (k < run->n_responses && run->responses[k].op == run->responses[j].op &&
                 (k == j || run->responses[k].at - run->responses[k - 1].at < gap))
            k++;
          if (name != NULL)
            printf ("%s%s", j == i ? "" : " ", name);
          else
            printf ("%s0x%02x", j == i ? "" : " ", run->responses[j].op);
          if (k - j > 1)
            printf ("×%u", k - j);
          j = k;
        }
      printf ("]");
      groups++;
      i = j;
    }
  printf ("\n#   %u groups\n", groups);
}

int
main (int argc, char **argv)
{
  static const guint all_rtts[] = { 0, 50, 200, 400 };
  static const guint quick_rtts[] = { 0, 400 };
  gboolean quick = FALSE;
  gboolean verbose = FALSE;
  gint baud = 460800;
  GOptionEntry entries[] = {
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "0 and 400 ms round trip only", NULL },
    { "baud", 'b', 0, G_OPTION_ARG_INT, &baud, "the transfer speed (default 460800)", "N" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "print the flasher's states and log", NULL },
    { "skip", 0, 0, G_OPTION_ARG_NONE, &skip_unchanged,
      "skip unchanged data, as the flasher does by default (blank board: the first sector's "
      "MD5 settles it)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— flash time and round trips over slow links");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) image = bench_make_image (IMAGE_SIZE);
  g_autofree char *stub_dir = NULL;
  const guint *rtts;
  guint n_rtts;
  Run *runs;
  gboolean met = TRUE;
  gsize compressed = 0;
  guint n_blocks = 0;

  glint_sim_stream_register ();

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("glint-bench-latency: %s\n", error->message);
      return 2;
    }
  if (baud <= 0)
    {
      g_printerr ("glint-bench-latency: --baud must be positive\n");
      return 2;
    }

  rtts = quick ? quick_rtts : all_rtts;
  n_rtts = quick ? G_N_ELEMENTS (quick_rtts) : G_N_ELEMENTS (all_rtts);
  runs = g_new0 (Run, n_rtts);

  stub_dir = bench_write_stub_dir ();
  g_setenv ("GLINT_STUB_DIR", stub_dir, TRUE);

  lockstep_floor_us (image, baud, 0, &compressed, &n_blocks);
  printf ("# glint-bench-latency: sim://esp32, stub, 1 MiB at 0x%x, %" G_GSIZE_FORMAT
          " bytes compressed in %u blocks, %d baud%s\n",
          IMAGE_OFFSET, compressed, n_blocks, baud, quick ? " (quick)" : "");
  printf ("%6s %9s %9s %7s %9s %4s %6s %9s\n",
          "rtt ms", "write s", "floor s", "ratio", "to blk0 s", "rt", "cmds", "job s");

  for (guint r = 0; r < n_rtts; r++)
    {
      g_autofree char *address = g_strdup_printf ("sim://esp32?boot=normal&latency=%g",
                                                  rtts[r] / 2.0);
      g_autoptr(GError) run_error = NULL;
      Run *run = &runs[r];
      gdouble floor_s = lockstep_floor_us (image, baud, rtts[r], &compressed, &n_blocks) / 1e6;
      gdouble write_s, first_s, ratio;
      g_autofree char *rt = NULL;

      g_printerr ("[%u ms round trip] flashing...\n", rtts[r]);
      if (!run_flash (address, image, baud, verbose, run, &run_error))
        {
          g_printerr ("glint-bench-latency: %s\n", run_error->message);
          printf ("%6u  failed: %s\n", rtts[r], run_error->message);
          met = FALSE;
          continue;
        }

      write_s = (run->last_data_ack - run->begin_ack) / 1e6;
      first_s = (run->begin_ack - run->base.start) / 1e6;
      ratio = write_s / floor_s;
      if (ratio > 1.05)
        met = FALSE;

      if (rtts[r] > 0 && runs[0].first_data_ack != 0)
        {
          gdouble n = ((run->first_data_ack - run->base.start) -
                       (runs[0].first_data_ack - runs[0].base.start)) / 1e3 / rtts[r] - 1;

          rt = g_strdup_printf ("%.1f", n);
          if (n > 10.5)
            met = FALSE;
        }
      else
        {
          rt = g_strdup ("-");
        }

      printf ("%6u %9.2f %9.2f %7.3f %9.2f %4s %6" G_GUINT64_FORMAT " %9.2f\n",
              rtts[r], write_s, floor_s, ratio, first_s, rt, run->commands_at_begin,
              (run->base.done_at - run->base.start) / 1e6);
      fflush (stdout);
      g_printerr ("[%u ms round trip] write %.2f s (floor %.2f s, ratio %.3f), block 0 after %.2f s\n",
                  rtts[r], write_s, floor_s, ratio, first_s);
    }

  /* Where the setup's round trips go: each phase's extra time over the
   * 0 ms run, in round trips. */
  printf ("\n# setup phases: ms (round trips over the 0 ms run)\n%6s", "rtt ms");
  for (guint i = 0; i < G_N_ELEMENTS (phase_names); i++)
    printf (" %16s", phase_names[i]);
  printf ("\n");
  for (guint r = 0; r < n_rtts; r++)
    {
      if (runs[r].begin_ack == 0)
        continue;
      printf ("%6u", rtts[r]);
      for (guint i = 0; i < G_N_ELEMENTS (phase_names); i++)
        {
          g_autofree char *cell = NULL;

          if (rtts[r] > 0 && runs[0].begin_ack != 0)
            cell = g_strdup_printf ("%.0f (%.1f)", phase_ms (&runs[r], i),
                                    (phase_ms (&runs[r], i) - phase_ms (&runs[0], i)) / rtts[r]);
          else
            cell = g_strdup_printf ("%.0f", phase_ms (&runs[r], i));
          printf (" %16s", cell);
        }
      printf ("\n");
    }

  if (runs[n_rtts - 1].begin_ack != 0 && rtts[n_rtts - 1] > 0)
    print_trace (&runs[n_rtts - 1], rtts[n_rtts - 1]);

  printf ("# targets (write <= 1.05 x floor, <= 10 round trips to block 0): %s\n",
          met ? "met" : "MISSED");

  bench_remove_stub_dir (stub_dir);
  g_free (runs);

  return met ? 0 : 1;
}
