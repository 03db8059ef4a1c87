/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "glint-flash-plan.h"
#include "glint-sim-stream.h"

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
  g_signal_connect (flasher, "notify::state", G_CALLBACK (on_flasher_state_cb), run);
  g_signal_connect (flasher, "log", G_CALLBACK (on_flasher_log_cb), run);

  run->start = g_get_monotonic_time ();
  glint_flasher_flash_async (flasher, NULL, flash_cb, run);
  while (!run->done)
    g_main_context_iteration (NULL, TRUE);

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
