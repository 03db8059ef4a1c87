/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-error.h"
#include "glint-loader.h"
#include "glint-stream.h"
#include "glint-test-utils.h"

/*
 * A GlintLoader may lose its last reference inside a command's callback:
 * a flasher that gives up on a dead link drops its loader there. The
 * loader must not touch itself afterwards while it fails the other
 * commands (found by the fault-injection soak: a use-after-free when the
 * link died with several commands in flight). The sanitizer build turns
 * any such access into a failure; the normal build catches most through
 * MALLOC_PERTURB_.
 */

typedef struct
{
  GlintLoader *loader;    /* the only reference, dropped by the first callback */
  guint        n_done;
  guint        n_disconnected;
} State;

static void
command_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  State *state = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;

  reply = glint_loader_command_finish (GLINT_LOADER (source), result, NULL, &error);
  g_assert_null (reply);
  if (g_error_matches (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED))
    state->n_disconnected++;
  state->n_done++;
  g_clear_object (&state->loader);
}

static void
test_last_unref_in_callback (gconstpointer data)
{
  /* the board dies at the first byte it hears: the read ends, the link
   * fails, and every command in flight fails with it */
  g_autoptr(GlintStream) stream =
    glint_test_open_stream ("sim://esp32?boot=download&time-scale=0&disconnect-after=1");
  State state = { glint_loader_new (stream), 0, 0 };
  guint n = GPOINTER_TO_UINT (data);
  guint8 address[4] = { 0x00, 0x10, 0x00, 0x40 };
  g_autoptr(GBytes) payload = g_bytes_new (address, sizeof address);

  for (guint i = 0; i < n; i++)
    glint_loader_command_async (state.loader, GLINT_OP_READ_REG, payload, 0, 0, 0,
                                GLINT_COMMAND_NONE, NULL, command_cb, &state);

  while (state.n_done < n)
    g_main_context_iteration (NULL, TRUE);

  g_assert_null (state.loader);
  g_assert_cmpuint (state.n_disconnected, ==, n);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
}

static void
cancelled_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  State *state = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;

  reply = glint_loader_command_finish (GLINT_LOADER (source), result, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  state->n_done++;
  g_clear_object (&state->loader);
}

/* The same when a cancelled command's callback drops the loader. */
static void
test_last_unref_when_cancelled (void)
{
  /* a chip that never answers: the command waits until cancelled */
  g_autoptr(GlintStream) stream =
    glint_test_open_stream ("sim://esp32?boot=download&time-scale=0&drop=1");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  State state = { glint_loader_new (stream), 0, 0 };
  guint8 address[4] = { 0x00, 0x10, 0x00, 0x40 };
  g_autoptr(GBytes) payload = g_bytes_new (address, sizeof address);

  glint_loader_command_async (state.loader, GLINT_OP_READ_REG, payload, 0, 0, 0,
                              GLINT_COMMAND_NONE, cancellable, cancelled_cb, &state);
  glint_test_spin (20);
  g_cancellable_cancel (cancellable);
  while (state.n_done < 1)
    g_main_context_iteration (NULL, TRUE);

  g_assert_null (state.loader);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  glint_sim_stream_register ();

  g_test_add_data_func ("/glint/loader-lifetime/one-command", GUINT_TO_POINTER (1),
                        test_last_unref_in_callback);
  g_test_add_data_func ("/glint/loader-lifetime/three-commands", GUINT_TO_POINTER (3),
                        test_last_unref_in_callback);
  g_test_add_func ("/glint/loader-lifetime/cancelled", test_last_unref_when_cancelled);

  return g_test_run ();
}
