/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-error.h"
#include "glint-fuzz.h"
#include "glint-loader.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-stream.h"
#include "glint-stream-address.h"

/*
 * The loader's response parser, through its real input path: a GlintLoader
 * on a sim:// stream whose chip hears nothing (drop=1 loses every host
 * byte), with the fuzz input arriving as what the chip says. Two commands
 * wait for answers (one with 16 bytes of data, as SPI_FLASH_MD5 from the
 * stub, and a READ_REG); the first input byte picks raw-frame capture and
 * how the rest is split. Whatever the bytes, each command ends with its
 * value, a GLINT_ERROR, or cancellation.
 */

static GlintStream *stream;
static GlintLoader *loader;
static GlintSim *sim;

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint32 value = 0;
  int *done = user_data;

  bytes = glint_loader_command_finish (GLINT_LOADER (source), result, &value, &error);
  if (bytes == NULL)
    g_assert_true (error->domain == GLINT_ERROR ||
                   g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  if (g_getenv ("GLINT_FUZZ_VERBOSE") != NULL)
    g_printerr ("%s\n", bytes != NULL ? "answered" : error->message);
  (*done)++;
}

static void
open_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (glint_stream_open_finish (GLINT_STREAM (source), result, &error));
  *(gboolean *) user_data = TRUE;
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  gboolean opened = FALSE;

  glint_sim_stream_register ();
  stream = glint_stream_new_for_address ("sim://esp32?boot=download&time-scale=0&drop=1",
                                         &error);
  g_assert_no_error (error);
  sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream));
  glint_stream_open_async (stream, NULL, open_cb, &opened);
  while (!opened)
    g_main_context_iteration (NULL, TRUE);
  loader = glint_loader_new (stream);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) payload = NULL;
  guint8 md5_request[16] = { 0 };
  int done = 0;
  gsize pos = 1;

  if (size < 1)
    return 0;
  if (loader == NULL)
    setup ();

  glint_loader_set_capture_raw (loader, data[0] & 1);
  payload = g_bytes_new (md5_request, sizeof md5_request);
  glint_loader_command_async (loader, GLINT_OP_SPI_FLASH_MD5, payload, 0, 16, 0,
                              GLINT_COMMAND_NONE, cancellable, result_cb, &done);
  glint_loader_command_async (loader, GLINT_OP_READ_REG, payload, 0, 0, 0,
                              GLINT_COMMAND_SAMPLE_RTT, cancellable, result_cb, &done);

  while (pos < size)
    {
      gsize chunk = MIN (size - pos, 1 + (gsize) data[0] * 3);
      g_autoptr(GBytes) bytes = g_bytes_new (data + pos, chunk);

      g_signal_emit_by_name (sim, "output", bytes);
      pos += chunk;
    }

  /* let the bytes through the socket pair and the loader */
  for (guint i = 0; i < 50 && done < 2; i++)
    g_main_context_iteration (NULL, FALSE);

  g_cancellable_cancel (cancellable);
  while (done < 2)
    g_main_context_iteration (NULL, TRUE);

  /* drop what is left for the next input */
  glint_loader_set_capture_raw (loader, FALSE);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  return 0;
}
