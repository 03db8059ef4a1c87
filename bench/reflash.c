/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "glint-flasher.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-stream.h"
#include "glint-stream-address.h"

#include "bench-common.h"
#include "glint-test-utils.h"

/*
 * bench/reflash: the two reflash figures.
 *
 * 1. Reflash. A 1 MiB app is flashed to a blank simulated board, then a
 *    copy with 4 KiB changed is flashed again, each time as glint-cli does
 *    it by default (a fresh connection, -b auto with the rate the first
 *    job settled on as the hint, skipping unchanged data, the record of
 *    what was written to the board, in a temporary folder);
 *    the second board starts with the flash the first one ended with.
 *    Figure: second job time / first job time (target ≤ 0.15). For
 *    comparison the same reflash without the record (the chip is asked
 *    what changed: a board Glint has not flashed before) and with
 *    --no-skip.
 *
 * 2. Full writes against the wire floor, start-up included. The 1 MiB app
 *    at each fixed baud (and auto), every byte written (--no-skip), whole
 *    job timed from glint_flasher_flash_async() to its end, against the
 *    floor of that job as the protocol and the simulated board allow it
 *    with no latency and no host time:
 *
 *      floor = reset hold times (100 + 50 ms, protocol.md §3.3)
 *            + the stub's MEM_DATA frames on the wire at the upload rate
 *            + the write (bench_protocol_floor_us(): each block's frame on
 *              the wire, the chip's inflate/erase/program overlapped as the
 *              stub's early ack allows)
 *            + the chip hashing the region for the MD5 check (0.3 s/MiB)
 *            + the hard reset's 100 ms hold
 *
 *    Figure: floor / job (target ≥ 0.97). The job with skipping on (the
 *    default; on a blank board) is shown too.
 *
 * Time scale 1 unless --time-scale; the simulator's wire, flash and MD5
 * times scale, and so does the floor (the reset holds do not: they are
 * the host's). Every run checks the simulated flash byte for byte.
 *
 *   ./_build/bench/glint-bench-reflash [--quick] [--chip esp32s3] [--time-scale X]
 *                                      [--rtt MS] [--reflash-only] [--verbose]
 */

#define IMAGE_OFFSET   0x10000
#define IMAGE_SIZE     (1024 * 1024)
#define CHANGE_AT      (512 * 1024)
#define CHANGE_LEN     4096
#define STUB_BYTES     (12 * 1024 + 1024)
#define MD5_US_PER_MIB 300000.0
#define RESET_HOLD_US  150000.0
#define REBOOT_HOLD_US 100000.0

typedef struct
{
  gdouble  job_s;
  guint64  written;      /* simulator: bytes programmed */
  guint64  erased;       /* simulator: sectors erased */
  guint    settled;
  guint64  commands;     /* simulator: commands answered */
  GBytes  *flash;        /* what the board held afterwards */
} Result;

static guint rtt_ms;
static gboolean reflash_only;
static guint baud_hint;   /* what the first reflash job settled on */

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->flash, g_bytes_unref);
}

/* One job, on a fresh connection to a board holding @before (NULL: blank). */
static gboolean
run_job (const char        *chip,
         gdouble            time_scale,
         GBytes            *before,
         GBytes            *image,
         guint              baud,
         gboolean           skip,
         GlintFlashRecord  *record,
         gboolean           verbose,
         Result            *result,
         GError           **error)
{
  g_autofree char *address = g_strdup_printf ("sim://%s?boot=normal&flash-size=4M&"
                                              "time-scale=%g&latency=%g", chip, time_scale,
                                              rtt_ms / 2.0);
  g_autoptr(GlintStream) stream = glint_stream_new_for_address (address, error);
  BenchRun run = { 0 };
  const guint8 *flash;
  gsize size;
  gboolean ok;

  if (stream == NULL)
    return FALSE;

  run.verbose = verbose;
  run.skip_unchanged = skip;
  run.record = record;
  run.baud_hint = baud == GLINT_FLASHER_BAUD_AUTO ? baud_hint : 0;
  run.sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream));
  if (before != NULL)
    glint_sim_load_flash (run.sim, 0, g_bytes_get_data (before, NULL), g_bytes_get_size (before));

  ok = bench_flash (&run, stream, image, IMAGE_OFFSET, baud, TRUE, NULL, error);
  if (ok)
    {
      result->job_s = (run.done_at - run.start) / 1e6;
      result->written = glint_sim_get_counter (run.sim, GLINT_SIM_COUNTER_FLASH_WRITTEN);
      result->erased = glint_sim_get_counter (run.sim, GLINT_SIM_COUNTER_SECTORS_ERASED);
      result->settled = run.settled_baud;
      result->commands = glint_sim_get_counter (run.sim, GLINT_SIM_COUNTER_COMMANDS);
      flash = glint_sim_get_flash (run.sim, &size);
      result->flash = g_bytes_new (flash, size);
    }
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);

  return ok;
}

/* The stub's MEM_DATA frames on the wire: 24 bytes of header per 0x1800
 * block plus SLIP escapes (random code: 2 in 256 bytes need one). */
static gdouble
stub_wire_us (guint baud)
{
  gdouble bytes = STUB_BYTES * (1 + 2.0 / 256) + ((STUB_BYTES + 0x17FF) / 0x1800 + 2) * 26;

  return bytes * 10.0 * 1e6 / baud;
}

int
main (int argc, char **argv)
{
  static const guint all_bauds[] = { 115200, 460800, 921600, 2000000, GLINT_FLASHER_BAUD_AUTO };
  static const guint quick_bauds[] = { 921600, GLINT_FLASHER_BAUD_AUTO };
  gboolean quick = FALSE;
  gboolean verbose = FALSE;
  gdouble time_scale = 1.0;
  char *chip = NULL;
  GOptionEntry entries[] = {
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "full writes at 921600 and auto only", NULL },
    { "chip", 'c', 0, G_OPTION_ARG_STRING, &chip, "the simulated chip (default esp32)", "CHIP" },
    { "time-scale", 's', 0, G_OPTION_ARG_DOUBLE, &time_scale,
      "scale the simulated wire, flash and MD5 times (default 1)", "X" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "print the flasher's states and log", NULL },
    { "rtt", 0, 0, G_OPTION_ARG_INT, &rtt_ms, "a round trip of MS on the link (default 0)", "MS" },
    { "reflash-only", 0, 0, G_OPTION_ARG_NONE, &reflash_only, "skip the full writes", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— reflash and full-write figures");
  g_autoptr(GError) error = NULL;
  g_autofree char *stub_dir = NULL;
  g_autoptr(GBytes) image = bench_make_image (IMAGE_SIZE);
  g_autoptr(GBytes) payload = bench_compress (image);
  g_autoptr(GBytes) changed = NULL;
  const guint *bauds;
  guint n_bauds;
  gboolean met = TRUE;
  Result first = { 0 }, second = { 0 }, searched = { 0 }, no_skip = { 0 };
  g_autoptr(GlintFlashRecord) record = NULL;
  g_autofree char *record_dir = NULL;
  gdouble ratio;

  glint_sim_stream_register ();

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("glint-bench-reflash: %s\n", error->message);
      return 2;
    }
  if (chip == NULL)
    chip = g_strdup ("esp32");
  bauds = quick ? quick_bauds : all_bauds;
  n_bauds = quick ? G_N_ELEMENTS (quick_bauds) : G_N_ELEMENTS (all_bauds);

  stub_dir = bench_write_stub_dir ();
  g_setenv ("GLINT_STUB_DIR", stub_dir, TRUE);
  /* the stand-in stub is written for every chip name the bench uses */
  if (!g_str_equal (chip, "esp32"))
    {
      g_autofree char *from = g_build_filename (stub_dir, "esp32.json", NULL);
      g_autofree char *to = g_strdup_printf ("%s/%s.json", stub_dir, chip);
      g_autofree char *json = NULL;

      if (!g_file_get_contents (from, &json, NULL, &error) ||
          !g_file_set_contents (to, json, -1, &error))
        g_error ("%s", error->message);
    }

  {
    guint8 *data = g_memdup2 (g_bytes_get_data (image, NULL), IMAGE_SIZE);

    for (gsize i = CHANGE_AT; i < CHANGE_AT + CHANGE_LEN; i++)
      data[i] ^= 0x3C;
    changed = g_bytes_new_take (data, IMAGE_SIZE);
  }

  printf ("# glint-bench-reflash: sim://%s, 1 MiB at 0x%x (%" G_GSIZE_FORMAT
          " bytes compressed), time-scale %g, round trip %u ms\n", chip, IMAGE_OFFSET,
          g_bytes_get_size (payload), time_scale, rtt_ms);

  /* 1. Reflash ------------------------------------------------------------------ */

  record_dir = g_dir_make_tmp ("glint-bench-record-XXXXXX", &error);
  if (record_dir == NULL)
    g_error ("%s", error->message);
  record = glint_flash_record_new (record_dir);

  g_printerr ("[reflash] first flash, blank board...\n");
  if (!run_job (chip, time_scale, NULL, image, GLINT_FLASHER_BAUD_AUTO, TRUE, record, verbose,
                &first, &error))
    g_error ("first flash: %s", error->message);
  baud_hint = first.settled;
  g_printerr ("[reflash] second flash, 4 KiB changed...\n");
  if (!run_job (chip, time_scale, first.flash, changed, GLINT_FLASHER_BAUD_AUTO, TRUE, record,
                verbose, &second, &error))
    g_error ("second flash: %s", error->message);
  g_printerr ("[reflash] the same without the record...\n");
  if (!run_job (chip, time_scale, first.flash, changed, GLINT_FLASHER_BAUD_AUTO, TRUE, NULL,
                verbose, &searched, &error))
    g_error ("second flash, no record: %s", error->message);
  g_printerr ("[reflash] the same with --no-skip...\n");
  if (!run_job (chip, time_scale, first.flash, changed, GLINT_FLASHER_BAUD_AUTO, FALSE, NULL,
                verbose, &no_skip, &error))
    g_error ("second flash, no skip: %s", error->message);
  g_clear_object (&record);
  glint_test_remove_dir (record_dir);
  baud_hint = 0;

  ratio = second.job_s / first.job_s;
  met &= ratio <= 0.15;
  printf ("\n%-28s %8s %9s %8s %9s %6s\n", "reflash (auto baud)", "job s", "written", "erased",
          "baud", "cmds");
  printf ("%-28s %8.2f %9" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT " %9u %6" G_GUINT64_FORMAT
          "\n", "first, blank board", first.job_s, first.written, first.erased, first.settled,
          first.commands);
  printf ("%-28s %8.2f %9" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT " %9u %6" G_GUINT64_FORMAT
          "\n", "second, 4 KiB changed", second.job_s, second.written, second.erased,
          second.settled, second.commands);
  printf ("%-28s %8.2f %9" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT " %9u %6" G_GUINT64_FORMAT
          "\n", "second, no record", searched.job_s, searched.written, searched.erased,
          searched.settled, searched.commands);
  printf ("%-28s %8.2f %9" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT " %9u %6" G_GUINT64_FORMAT
          "\n", "second, --no-skip", no_skip.job_s, no_skip.written, no_skip.erased,
          no_skip.settled, no_skip.commands);
  printf ("# second / first: %.3f (target <= 0.15: %s); no record: %.3f; --no-skip: %.3f\n",
          ratio, ratio <= 0.15 ? "met" : "MISSED", searched.job_s / first.job_s,
          no_skip.job_s / first.job_s);
  fflush (stdout);

  /* 2. Full writes against the floor ---------------------------------------------- */

  if (reflash_only)
    n_bauds = 0;

  printf ("\n%9s %9s %8s %8s %8s %8s %8s %8s %8s %7s\n", "baud", "settled", "stub s",
          "write s", "md5 s", "floor s", "job s", "ratio", "skip s", "ratio");
  for (guint b = 0; b < n_bauds; b++)
    {
      Result full = { 0 }, skip = { 0 };
      guint baud = bauds[b];
      gdouble stub_s, write_s, md5_s, floor_s, r_full, r_skip;
      guint upload_baud;

      g_printerr ("[full] %s baud...\n", baud == GLINT_FLASHER_BAUD_AUTO ? "auto" : "fixed");
      if (!run_job (chip, time_scale, NULL, image, baud, FALSE, NULL, verbose, &full, &error) ||
          !run_job (chip, time_scale, NULL, image, baud, TRUE, NULL, verbose, &skip, &error))
        g_error ("full write at %u: %s", baud, error->message);

      /* The stub goes up at the boot rate, or (auto, where the ROM can
       * change its rate: all but the ESP8266, the ESP32's and C2's with
       * the crystal correction) at the ROM's step: 921600 on the
       * simulator. */
      upload_baud = 115200;
      if (baud == GLINT_FLASHER_BAUD_AUTO && !g_str_equal (chip, "esp8266"))
        upload_baud = 921600;
      stub_s = time_scale * stub_wire_us (upload_baud) / 1e6;
      write_s = time_scale * bench_protocol_floor_us (image, payload, IMAGE_OFFSET,
                                                      full.settled, TRUE) / 1e6;
      md5_s = time_scale * MD5_US_PER_MIB * IMAGE_SIZE / (1024.0 * 1024.0) / 1e6;
      floor_s = (RESET_HOLD_US + REBOOT_HOLD_US) / 1e6 + stub_s + write_s + md5_s;
      r_full = floor_s / full.job_s;
      r_skip = floor_s / skip.job_s;
      met &= r_full >= 0.97;

      if (baud == GLINT_FLASHER_BAUD_AUTO)
        printf ("%9s", "auto");
      else
        printf ("%9u", baud);
      printf (" %9u %8.2f %8.2f %8.2f %8.2f %8.2f %8.3f %8.2f %7.3f\n", full.settled, stub_s,
              write_s, md5_s, floor_s, full.job_s, r_full, skip.job_s, r_skip);
      fflush (stdout);
      result_clear (&full);
      result_clear (&skip);
    }
  printf ("# targets (reflash <= 0.15 x first, full writes >= 0.97 x floor): %s\n",
          met ? "met" : "MISSED");

  result_clear (&first);
  result_clear (&second);
  result_clear (&searched);
  result_clear (&no_skip);
  {
    g_autofree char *extra = g_strdup_printf ("%s/%s.json", stub_dir, chip);

    if (!g_str_equal (chip, "esp32"))
      g_unlink (extra);
  }
  bench_remove_stub_dir (stub_dir);
  g_free (chip);

  return met ? 0 : 1;
}
