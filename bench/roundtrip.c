/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>

#include "glint-link-timing.h"
#include "glint-loader.h"
#include "glint-sim-stream.h"
#include "glint-stream.h"
#include "glint-stream-address.h"

/*
 * bench/roundtrip: what a round trip costs through the stream layer and the
 * loader, against the simulated board at several one-way latencies, and
 * what batching independent register reads saves. Not a test: it prints.
 *
 *   ./_build/bench/glint-bench-roundtrip [READS]
 */

static GAsyncResult *result;

static void
store_cb (GObject      *source,
          GAsyncResult *res,
          gpointer      user_data)
{
  result = g_object_ref (res);
}

static GAsyncResult *
wait_result (void)
{
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return g_steal_pointer (&result);
}

static void
die_on (GError *error)
{
  if (error != NULL)
    {
      g_printerr ("glint-bench-roundtrip: %s\n", error->message);
      exit (1);
    }
}

int
main (int argc, char **argv)
{
  const guint latencies_ms[] = { 0, 50, 200 };
  guint reads = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 16;

  if (reads == 0)
    reads = 16;
  glint_sim_stream_register ();

  printf ("%-10s %8s %14s %14s %14s\n", "latency", "reads", "one-by-one", "batched",
          "floor (2×lat)");

  for (guint i = 0; i < G_N_ELEMENTS (latencies_ms); i++)
    {
      g_autofree char *address = g_strdup_printf ("sim://esp32?boot=download&latency=%u",
                                                  latencies_ms[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(GlintStream) stream = glint_stream_new_for_address (address, &error);
      g_autoptr(GlintLoader) loader = NULL;
      g_autofree guint32 *addresses = g_new (guint32, reads);
      gint64 start, one_by_one, batched;
      GAsyncResult *res;

      die_on (error);
      glint_stream_open_async (stream, NULL, store_cb, NULL);
      res = wait_result ();
      glint_stream_open_finish (stream, res, &error);
      g_object_unref (res);
      die_on (error);

      loader = glint_loader_new (stream);
      glint_loader_sync_async (loader, NULL, store_cb, NULL);
      res = wait_result ();
      glint_loader_sync_finish (loader, res, NULL, &error);
      g_object_unref (res);
      die_on (error);

      for (guint r = 0; r < reads; r++)
        addresses[r] = 0x40001000;

      start = g_get_monotonic_time ();
      for (guint r = 0; r < reads; r++)
        {
          g_autofree guint32 *values = NULL;

          glint_loader_read_regs_async (loader, &addresses[r], 1, NULL, store_cb, NULL);
          res = wait_result ();
          values = glint_loader_read_regs_finish (loader, res, &error);
          g_object_unref (res);
          die_on (error);
        }
      one_by_one = g_get_monotonic_time () - start;

      start = g_get_monotonic_time ();
      {
        g_autofree guint32 *values = NULL;

        glint_loader_read_regs_async (loader, addresses, reads, NULL, store_cb, NULL);
        res = wait_result ();
        values = glint_loader_read_regs_finish (loader, res, &error);
        g_object_unref (res);
        die_on (error);
      }
      batched = g_get_monotonic_time () - start;

      printf ("%7u ms %8u %11.1f ms %11.1f ms %11.1f ms\n", latencies_ms[i], reads,
              one_by_one / 1000.0, batched / 1000.0, 2.0 * latencies_ms[i]);
      g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
    }

  return 0;
}
