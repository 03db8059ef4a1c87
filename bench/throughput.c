/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include <glib/gstdio.h>

#include "glint-flash-plan.h"
#include "glint-flasher.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-slip.h"
#include "glint-stream.h"
#include "glint-stream-address.h"

#include "bench-common.h"

/*
 * bench/throughput: how close a flash job comes to the wire limit.
 *
 * Flashes 1 MiB and 4 MiB of firmware-like data (half random, half
 * compressible) to the simulated ESP32 at several baud rates, with the stub
 * and with the ROM loader, and compares the write phase with the limit
 * (the throughput target):
 *
 *   limit = compressed bytes × 10 / baud + modelled flash time
 *
 * where the flash time is what the simulator charges for erasing and
 * programming the region (its constants are copied below). The write phase
 * runs from the flasher entering "writing" (compression, FLASH_DEFL_BEGIN,
 * the blocks, FLASH_DEFL_END) to it entering "verifying". The whole job
 * (connect, stub, speed change, write, MD5, reboot) is printed as well.
 *
 * That limit adds wire and flash time: it is the floor for the ROM (which
 * writes a block before it acks it) but not for the stub, which acks a
 * block first and then inflates, erases and writes it while the next block
 * is on the wire (protocol.md §9). So the bench also replays the transfer
 * through the simulator's cost model, block by block, as the protocol allows
 * it at best with no latency: the SLIP frame of each block on the wire, the
 * chip's work on it (ROM: before the ack; stub: after the ack, overlapping
 * the next block, one block at most), the answers, FLASH_DEFL_END. That
 * "floor" is what a perfect engine would take; "vs floor" is floor / write.
 *
 * With --time-scale X the simulator scales its wire and flash times by X
 * (not the host's own work), and the limit is scaled by the same X.
 *
 * Not a test: it prints. Progress goes to stderr, the table to stdout.
 *
 *   ./_build/bench/glint-bench-throughput [--quick] [--time-scale X] [--verbose]
 */

#define IMAGE_OFFSET         0x10000
#define SIM_PAGE_PROGRAM_US  400.0

typedef BenchRun Run;

/* The "modelled flash time": erasing the region (64 KiB blocks
 * where aligned, else 4 KiB sectors) and programming it, in µs. */
static gdouble
flash_time_us (guint32 offset,
               gsize   size)
{
  return bench_erase_us (offset, offset + size) + SIM_PAGE_PROGRAM_US * ((size + 255) / 256);
}

/* A stand-in for esptool's ESP32 stub, about its size (12 KiB of text,
 * 1 KiB of data): the simulator runs any code and greets with OHAI. */
static gboolean
run_flash (const char  *address,
           GBytes      *image,
           guint        baud,
           gboolean     use_stub,
           gboolean     verbose,
           Run         *run,
           GError     **error)
{
  g_autoptr(GlintStream) stream = glint_stream_new_for_address (address, error);
  gboolean ok;

  if (stream == NULL)
    return FALSE;

  memset (run, 0, sizeof *run);
  run->verbose = verbose;
  run->sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream));

  /* The flasher assumes 4 MB unless told; 4 MiB at 0x10000 needs more. */
  ok = bench_flash (run, stream, image, IMAGE_OFFSET, baud, use_stub, "8MB", error);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
  run->sim = NULL;

  return ok;
}

int
main (int argc, char **argv)
{
  static const guint all_bauds[] = { 115200, 460800, 921600, 2000000 };
  static const guint quick_bauds[] = { 921600, 2000000 };
  static const gsize all_sizes[] = { 1024 * 1024, 4 * 1024 * 1024 };
  gboolean quick = FALSE;
  gboolean verbose = FALSE;
  gdouble time_scale = -1;
  GOptionEntry entries[] = {
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "1 MiB only, 921600 and 2000000 baud", NULL },
    { "time-scale", 's', 0, G_OPTION_ARG_DOUBLE, &time_scale,
      "scale the simulated wire and flash times (default: 1 with --quick, 0.5 otherwise)", "X" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "print the flasher's states and log", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— flash throughput against the wire limit");
  g_autoptr(GError) error = NULL;
  g_autofree char *stub_dir = NULL;
  const guint *bauds = quick ? quick_bauds : all_bauds;
  guint n_bauds;
  guint n_sizes;
  guint misses = 0;
  gdouble worst_stub = G_MAXDOUBLE;

  glint_sim_stream_register ();

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("glint-bench-throughput: %s\n", error->message);
      return 2;
    }

  bauds = quick ? quick_bauds : all_bauds;
  n_bauds = quick ? G_N_ELEMENTS (quick_bauds) : G_N_ELEMENTS (all_bauds);
  n_sizes = quick ? 1 : G_N_ELEMENTS (all_sizes);
  if (time_scale < 0)
    time_scale = quick ? 1.0 : 0.5;

  stub_dir = bench_write_stub_dir ();
  g_setenv ("GLINT_STUB_DIR", stub_dir, TRUE);

  printf ("# glint-bench-throughput: sim://esp32, image at 0x%x, time-scale %g%s\n",
          IMAGE_OFFSET, time_scale, quick ? " (quick)" : "");
  printf ("%-5s %8s %-4s %10s %8s %8s %8s %8s %8s %6s %8s %8s\n",
          "size", "baud", "ldr", "compressed", "wire s", "flash s", "limit s", "floor s",
          "write s", "ratio", "vs floor", "job s");

  for (guint s = 0; s < n_sizes; s++)
    {
      g_autoptr(GBytes) image = bench_make_image (all_sizes[s]);
      g_autoptr(GBytes) payload = bench_compress (image);
      gsize compressed = g_bytes_get_size (payload);
      gdouble flash_s = time_scale * flash_time_us (IMAGE_OFFSET, all_sizes[s]) / 1e6;

      for (guint b = 0; b < n_bauds; b++)
        for (guint stub = 0; stub < 2; stub++)
          {
            gboolean use_stub = stub == 0;
            g_autofree char *address = g_strdup_printf ("sim://esp32?boot=normal&flash-size=8M&"
                                                        "time-scale=%g", time_scale);
            g_autoptr(GError) run_error = NULL;
            gdouble wire_s = time_scale * compressed * 10.0 / bauds[b];
            gdouble limit_s = wire_s + flash_s;
            gdouble floor_s = time_scale * bench_protocol_floor_us (image, payload, IMAGE_OFFSET, bauds[b], use_stub) / 1e6;
            gdouble write_s, job_s, ratio;
            Run run;

            g_printerr ("[%u MiB, %u baud, %s] flashing...\n", (guint) (all_sizes[s] >> 20), bauds[b],
                        use_stub ? "stub" : "ROM");
            if (!run_flash (address, image, bauds[b], use_stub, verbose, &run, &run_error))
              {
                g_printerr ("glint-bench-throughput: %s\n", run_error->message);
                printf ("%3u M %8u %-4s %10" G_GSIZE_FORMAT "  failed: %s\n",
                        (guint) (all_sizes[s] >> 20), bauds[b], use_stub ? "stub" : "ROM",
                        compressed, run_error->message);
                misses++;
                continue;
              }

            write_s = (run.state_at[GLINT_FLASHER_STATE_VERIFYING] -
                       run.state_at[GLINT_FLASHER_STATE_WRITING]) / 1e6;
            job_s = (run.done_at - run.start) / 1e6;
            ratio = limit_s / write_s;
            if (use_stub && time_scale > 0)
              {
                worst_stub = MIN (worst_stub, ratio);
                if (ratio < 0.95)
                  misses++;
              }

            printf ("%3u M %8u %-4s %10" G_GSIZE_FORMAT " %8.2f %8.2f %8.2f %8.2f %8.2f %6.3f %8.3f"
                    " %8.2f\n",
                    (guint) (all_sizes[s] >> 20), bauds[b], use_stub ? "stub" : "ROM", compressed,
                    wire_s, flash_s, limit_s, floor_s, write_s, ratio, floor_s / write_s, job_s);
            fflush (stdout);
            g_printerr ("[%u MiB, %u baud, %s] write %.2f s, limit %.2f s, ratio %.3f; job %.2f s\n",
                        (guint) (all_sizes[s] >> 20), bauds[b], use_stub ? "stub" : "ROM",
                        write_s, limit_s, ratio, job_s);
          }
    }

  printf ("# stub target ratio >= 0.95: %s (worst %.3f)\n", misses == 0 ? "met" : "MISSED",
          worst_stub);

  bench_remove_stub_dir (stub_dir);

  return misses == 0 ? 0 : 1;
}
