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
 * (issue 7):
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

/* The simulator's cost model (src/sim/glint-sim.c). */
#define SIM_SECTOR_SIZE      0x1000
#define SIM_BLOCK_SIZE       0x10000
#define SIM_SECTOR_ERASE_US  25000.0
#define SIM_BLOCK_ERASE_US   150000.0
#define SIM_PAGE_PROGRAM_US  400.0
#define SIM_CMD_US           50.0
#define SIM_INFLATE_CHUNK    0x8000

#define STUB_BLOCK           0x4000   /* FLASH_DEFL_DATA block, stub */
#define ROM_BLOCK            0x400    /* ... ROM */
#define RESPONSE_WIRE        14       /* an answer, SLIP-encoded */

#define IMAGE_OFFSET         0x10000

typedef BenchRun Run;

/* What the flasher sends: zlib level 9 of the image (glint-flasher-flash.c). */
static GBytes *
compress_image (GBytes *image)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (image, &len);
  uLongf out_len = compressBound (len);
  guint8 *out = g_malloc (out_len);

  if (compress2 (out, &out_len, data, len, 9) != Z_OK)
    g_error ("compress2 failed");

  return g_bytes_new_take (g_realloc (out, out_len), out_len);
}

static gdouble
erase_us (guint32 start,
          guint32 end)
{
  gdouble us = 0;

  start &= ~(guint32) (SIM_SECTOR_SIZE - 1);
  end = (end + SIM_SECTOR_SIZE - 1) & ~(guint32) (SIM_SECTOR_SIZE - 1);
  while (start < end)
    {
      if ((start & (SIM_BLOCK_SIZE - 1)) == 0 && end - start >= SIM_BLOCK_SIZE)
        {
          us += SIM_BLOCK_ERASE_US;
          start += SIM_BLOCK_SIZE;
        }
      else
        {
          us += SIM_SECTOR_ERASE_US;
          start += SIM_SECTOR_SIZE;
        }
    }

  return us;
}

/* The best a lock-step engine can do with no latency, in µs, replayed
 * through the simulator's cost model (see the top of this file). */
static gdouble
protocol_floor_us (GBytes   *image,
                   GBytes   *payload,
                   guint     baud,
                   gboolean  stub)
{
  gsize image_len, payload_len;
  const guint8 *payload_data = g_bytes_get_data (payload, &payload_len);
  gsize block = stub ? STUB_BLOCK : ROM_BLOCK;
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  g_autofree guint8 *out = g_malloc (SIM_INFLATE_CHUNK);
  guint32 pos = IMAGE_OFFSET;
  guint32 erased_to = IMAGE_OFFSET;
  guint32 region_end;
  gdouble answer_us = RESPONSE_WIRE * 10.0 * 1e6 / baud;
  gdouble acked = 0;      /* when the host has the last answer */
  gdouble free_at = 0;    /* when the chip's CPU is free */
  z_stream zs = { 0 };

  image_len = g_bytes_get_size (image);
  region_end = (IMAGE_OFFSET + image_len + SIM_SECTOR_SIZE - 1) & ~(guint32) (SIM_SECTOR_SIZE - 1);
  if (inflateInit (&zs) != Z_OK)
    g_error ("inflateInit failed");

  /* FLASH_DEFL_BEGIN: the ROM erases the whole region before it answers. */
  acked = 24 * 10.0 * 1e6 / baud + SIM_CMD_US + answer_us;
  if (!stub)
    acked += erase_us (IMAGE_OFFSET, IMAGE_OFFSET + (image_len + block - 1) / block * block);
  free_at = acked;

  for (gsize start = 0; start < payload_len; start += block)
    {
      gsize n = MIN (block, payload_len - start);
      g_autofree guint8 *frame = g_malloc0 (24 + n);
      gdouble work = 0;
      gdouble arrived, begun;

      memcpy (frame + 24, payload_data + start, n);
      g_byte_array_set_size (wire, 0);
      glint_slip_encode (frame, 24 + n, wire);

      /* The chip inflates in 32 KiB chunks; each is erased (stub: lazily,
       * 64 KiB blocks where they fit) and programmed page by page. */
      zs.next_in = (Bytef *) payload_data + start;
      zs.avail_in = n;
      do
        {
          gsize produced;
          int r;

          zs.next_out = out;
          zs.avail_out = SIM_INFLATE_CHUNK;
          r = inflate (&zs, Z_NO_FLUSH);
          produced = SIM_INFLATE_CHUNK - zs.avail_out;
          if (produced > 0)
            {
              if (stub)
                while (erased_to < pos + produced)
                  {
                    guint32 e = ((erased_to & (SIM_BLOCK_SIZE - 1)) == 0 &&
                                 erased_to + SIM_BLOCK_SIZE <= region_end) ? SIM_BLOCK_SIZE
                                                                           : SIM_SECTOR_SIZE;

                    work += erase_us (erased_to, erased_to + e);
                    erased_to += e;
                  }
              work += SIM_PAGE_PROGRAM_US * ((produced + 255) / 256);
              pos += produced;
            }
          if (r == Z_STREAM_END || r == Z_BUF_ERROR)
            break;
          if (r != Z_OK)
            g_error ("inflate failed (%d)", r);
        }
      while (zs.avail_out == 0 || zs.avail_in > 0);

      /* Sent when the previous answer is in; received in full one wire
       * time later; taken when the CPU is free. */
      arrived = acked + wire->len * 10.0 * 1e6 / baud;
      begun = MAX (arrived, free_at);
      if (stub)
        {
          acked = begun + SIM_CMD_US + answer_us;
          free_at = begun + SIM_CMD_US + work;
        }
      else
        {
          acked = begun + SIM_CMD_US + work + answer_us;
          free_at = acked - answer_us;
        }
    }
  inflateEnd (&zs);

  /* The stub answers FLASH_DEFL_END once the last block is written; the
   * ROM gets none (the flasher verifies next). */
  if (stub)
    acked = MAX (acked + 16 * 10.0 * 1e6 / baud, free_at) + SIM_CMD_US + answer_us;

  return acked;
}

/* The "modelled flash time": erasing the region (64 KiB blocks
 * where aligned, else 4 KiB sectors) and programming it, in µs. */
static gdouble
flash_time_us (guint32 offset,
               gsize   size)
{
  return erase_us (offset, offset + size) + SIM_PAGE_PROGRAM_US * ((size + 255) / 256);
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
      g_autoptr(GBytes) payload = compress_image (image);
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
            gdouble floor_s = time_scale * protocol_floor_us (image, payload, bauds[b], use_stub) / 1e6;
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
