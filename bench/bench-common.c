/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>
#include <zlib.h>

#include <glib/gstdio.h>

#include "glint-flash-plan.h"
#include "glint-sim-stream.h"
#include "glint-slip.h"

#include "bench-common.h"

/* What the throughput and latency benchmarks share: the data, the
 * stand-in stub, and running one verified flash job. */

static void
on_flasher_state_cb (GObject    *object,
                     GParamSpec *pspec,
                     gpointer    user_data)
{
  BenchRun *run = user_data;
  GlintFlasherState state = glint_flasher_get_state (GLINT_FLASHER (object));

  if (run->state_at[state] == 0)
    run->state_at[state] = g_get_monotonic_time ();
  if (run->verbose)
    g_printerr ("    %8.3f s  %s\n", (g_get_monotonic_time () - run->start) / 1e6,
                glint_flasher_state_to_string (state));
}

static void
on_flasher_log_cb (GlintFlasher  *flasher,
                   GlintLogLevel  level,
                   const char    *message,
                   gpointer       user_data)
{
  BenchRun *run = user_data;

  if (run->verbose || level >= GLINT_LOG_WARNING)
    g_printerr ("    %8.3f s  log: %s\n", (g_get_monotonic_time () - run->start) / 1e6, message);
}

static void
flash_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  BenchRun *run = user_data;

  glint_flasher_flash_finish (GLINT_FLASHER (object), result, &run->error);
  run->done_at = g_get_monotonic_time ();
  run->done = TRUE;
}

/* Firmware-like: alternating 512-byte runs of noise and of a slow ramp. */
GBytes *
bench_make_image (gsize size)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (i / 512) % 2 ? (guint8) g_rand_int (rand) : (guint8) (i / 7);

  return g_bytes_new_take (data, size);
}

/* A stand-in ESP32 stub (12 KiB of "text", 1 KiB of "data"): real ones
 * are third-party and not installed here; the simulator runs nothing. */
char *
bench_write_stub_dir (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  g_autofree char *dir = g_dir_make_tmp ("glint-bench-stubs-XXXXXX", &error);
  g_autofree char *text = NULL;
  g_autofree char *data = NULL;
  g_autofree char *json = NULL;
  g_autofree char *path = NULL;
  guint8 code[12 * 1024];

  if (dir == NULL)
    g_error ("%s", error->message);

  for (gsize i = 0; i < sizeof code; i++)
    code[i] = (guint8) g_rand_int (rand);
  text = g_base64_encode (code, sizeof code);
  data = g_base64_encode (code, 1024);
  json = g_strdup_printf ("{\"text\": \"%s\", \"text_start\": 1074397184, "
                          "\"entry\": 1074397700, \"data\": \"%s\", "
                          "\"data_start\": 1073605996}", text, data);
  path = g_build_filename (dir, "esp32.json", NULL);
  if (!g_file_set_contents (path, json, -1, &error))
    g_error ("%s", error->message);

  return g_steal_pointer (&dir);
}

void
bench_remove_stub_dir (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "esp32.json", NULL);

  g_unlink (path);
  g_rmdir (dir);
}

/* Flashes @image at @offset through an unopened sim:// @stream and checks
 * that the simulated flash holds it: a fast wrong result measures nothing. */
gboolean
bench_flash (BenchRun     *run,
             GlintStream  *stream,
             GBytes       *image,
             guint32       offset,
             guint         baud,
             gboolean      use_stub,
             const char   *flash_size,
             GError      **error)
{
  g_autoptr(GlintFlasher) flasher = glint_flasher_new (stream);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  const guint8 *flash;
  gsize size;

  glint_flash_plan_add_bytes (plan, offset, image, "app");
  if (flash_size != NULL)
    glint_flash_plan_set_flash_settings (plan, "keep", "keep", flash_size);
  glint_flasher_set_plan (flasher, plan);
  glint_flasher_set_baud (flasher, baud);
  glint_flasher_set_use_stub (flasher, use_stub);
  glint_flasher_set_skip_unchanged (flasher, run->skip_unchanged);
  glint_flasher_set_flash_record (flasher, run->record);
  glint_flasher_set_baud_hint (flasher, run->baud_hint);
  g_signal_connect (flasher, "notify::state", G_CALLBACK (on_flasher_state_cb), run);
  g_signal_connect (flasher, "log", G_CALLBACK (on_flasher_log_cb), run);
  if (run->on_flasher != NULL)
    run->on_flasher (flasher, run->on_flasher_data);

  run->start = g_get_monotonic_time ();
  glint_flasher_flash_async (flasher, NULL, flash_cb, run);
  while (!run->done)
    g_main_context_iteration (NULL, TRUE);
  run->bytes_written = glint_flasher_get_bytes_written (flasher);
  run->settled_baud = glint_flasher_get_settled_baud (flasher);
  run->recoveries = glint_flasher_get_recoveries (flasher);

  if (run->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&run->error));
      return FALSE;
    }

  flash = glint_sim_get_flash (run->sim, &size);
  if (size < offset + g_bytes_get_size (image) ||
      memcmp (flash + offset, g_bytes_get_data (image, NULL), g_bytes_get_size (image)) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the simulated flash does not hold the image");
      return FALSE;
    }

  return TRUE;
}

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


/* What the flasher sends: zlib level 9 of the image (glint-flasher-flash.c). */
GBytes *
bench_compress (GBytes *image)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (image, &len);
  uLongf out_len = compressBound (len);
  guint8 *out = g_malloc (out_len);

  if (compress2 (out, &out_len, data, len, 9) != Z_OK)
    g_error ("compress2 failed");

  return g_bytes_new_take (g_realloc (out, out_len), out_len);
}

gdouble
bench_erase_us (guint32 start,
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
gdouble
bench_protocol_floor_us (GBytes   *image,
                         GBytes   *payload,
                         guint32   offset,
                         guint     baud,
                         gboolean  stub)
{
  gsize image_len, payload_len;
  const guint8 *payload_data = g_bytes_get_data (payload, &payload_len);
  gsize block = stub ? STUB_BLOCK : ROM_BLOCK;
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  g_autofree guint8 *out = g_malloc (SIM_INFLATE_CHUNK);
  guint32 pos = offset;
  guint32 erased_to = offset;
  guint32 region_end;
  gdouble answer_us = RESPONSE_WIRE * 10.0 * 1e6 / baud;
  gdouble acked = 0;      /* when the host has the last answer */
  gdouble free_at = 0;    /* when the chip's CPU is free */
  z_stream zs = { 0 };

  image_len = g_bytes_get_size (image);
  region_end = (offset + image_len + SIM_SECTOR_SIZE - 1) & ~(guint32) (SIM_SECTOR_SIZE - 1);
  if (inflateInit (&zs) != Z_OK)
    g_error ("inflateInit failed");

  /* FLASH_DEFL_BEGIN: the ROM erases the whole region before it answers. */
  acked = 24 * 10.0 * 1e6 / baud + SIM_CMD_US + answer_us;
  if (!stub)
    acked += bench_erase_us (offset, offset + (image_len + block - 1) / block * block);
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

                    work += bench_erase_us (erased_to, erased_to + e);
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

