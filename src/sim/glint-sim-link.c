/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-sim.h"
#include "glint-sim-link.h"

/*
 * GlintSimLink carries bytes between a simulated chip and a byte pipe: the
 * far end of an in-process socket pair (sim://), a pty master or an accepted
 * TCP connection (glint-sim-server). It has no line control of its own; the
 * owner forwards baud and DTR/RTS where the transport can see them.
 */

#define READ_CHUNK 4096

struct _GlintSimLink
{
  GObject       parent_instance;

  GlintSim     *sim;
  GIOStream    *stream;
  GCancellable *cancellable;
  GByteArray   *pending;        /* chip output not yet handed to the stream */
  GBytes       *in_flight;      /* being written */
  gulong        output_id;
  gulong        disconnected_id;
  GlintSimLinkInputHook input_hook;
  gpointer      input_hook_data;
  guint         closed : 1;
};

G_DEFINE_FINAL_TYPE (GlintSimLink, glint_sim_link, G_TYPE_OBJECT)

enum {
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void glint_sim_link_read_next  (GlintSimLink *self);
static void glint_sim_link_write_next (GlintSimLink *self);

static void
glint_sim_link_dispose (GObject *object)
{
  GlintSimLink *self = GLINT_SIM_LINK (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_signal_handler (&self->output_id, self->sim);
  g_clear_signal_handler (&self->disconnected_id, self->sim);
  g_clear_object (&self->sim);
  g_clear_object (&self->stream);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->in_flight, g_bytes_unref);

  G_OBJECT_CLASS (glint_sim_link_parent_class)->dispose (object);
}

static void
glint_sim_link_finalize (GObject *object)
{
  GlintSimLink *self = GLINT_SIM_LINK (object);

  g_clear_pointer (&self->pending, g_byte_array_unref);

  G_OBJECT_CLASS (glint_sim_link_parent_class)->finalize (object);
}

static void
glint_sim_link_class_init (GlintSimLinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = glint_sim_link_dispose;
  object_class->finalize = glint_sim_link_finalize;

  /**
   * GlintSimLink::closed:
   *
   * The peer went away, the stream failed, or the simulated link was cut
   * (the simulator's disconnect fault). Emitted once.
   */
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
glint_sim_link_init (GlintSimLink *self)
{
  self->cancellable = g_cancellable_new ();
  self->pending = g_byte_array_new ();
}

/**
 * glint_sim_link_close:
 *
 * Stops carrying bytes and closes the stream. Emits #GlintSimLink::closed
 * the first time.
 */
void
glint_sim_link_close (GlintSimLink *self)
{
  g_return_if_fail (GLINT_IS_SIM_LINK (self));

  if (self->closed)
    return;

  self->closed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_signal_handler (&self->output_id, self->sim);
  g_clear_signal_handler (&self->disconnected_id, self->sim);
  /* A read is usually outstanding, and GIO refuses to close a stream with a
   * pending operation: close the socket underneath instead, which also ends
   * that read. */
  if (G_IS_SOCKET_CONNECTION (self->stream))
    g_socket_close (g_socket_connection_get_socket (G_SOCKET_CONNECTION (self->stream)), NULL);
  else
    g_io_stream_close (self->stream, NULL, NULL);

  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
  g_object_unref (self);
}

static void
glint_sim_link_read_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GlintSimLink) self = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (self->closed)
    return;

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("simulator link read failed: %s", error->message);
      glint_sim_link_close (self);
      return;
    }

  if (self->input_hook != NULL)
    self->input_hook (self, g_bytes_get_size (bytes), self->input_hook_data);
  glint_sim_host_write (self->sim, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  glint_sim_link_read_next (self);
}

static void
glint_sim_link_read_next (GlintSimLink *self)
{
  GInputStream *input = g_io_stream_get_input_stream (self->stream);

  if (self->closed)
    return;

  g_input_stream_read_bytes_async (input, READ_CHUNK, G_PRIORITY_DEFAULT, self->cancellable,
                                   glint_sim_link_read_cb, g_object_ref (self));
}

static void
glint_sim_link_write_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GlintSimLink) self = user_data;
  g_autoptr(GError) error = NULL;
  gsize written = 0;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, &written, &error);
  g_clear_pointer (&self->in_flight, g_bytes_unref);
  if (self->closed)
    return;

  if (error != NULL)
    {
      g_debug ("simulator link write failed: %s", error->message);
      glint_sim_link_close (self);
      return;
    }

  glint_sim_link_write_next (self);
}

static void
glint_sim_link_write_next (GlintSimLink *self)
{
  GOutputStream *output = g_io_stream_get_output_stream (self->stream);
  gsize size;
  gconstpointer data;

  if (self->closed || self->in_flight != NULL || self->pending->len == 0)
    return;

  self->in_flight = g_byte_array_free_to_bytes (g_steal_pointer (&self->pending));
  self->pending = g_byte_array_new ();
  data = g_bytes_get_data (self->in_flight, &size);
  g_output_stream_write_all_async (output, data, size, G_PRIORITY_DEFAULT, self->cancellable,
                                   glint_sim_link_write_cb, g_object_ref (self));
}

static void
on_sim_output_cb (GlintSim     *sim,
                  GBytes       *bytes,
                  GlintSimLink *self)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  g_byte_array_append (self->pending, data, size);
  glint_sim_link_write_next (self);
}

static void
on_sim_disconnected_cb (GlintSim     *sim,
                        GlintSimLink *self)
{
  glint_sim_link_close (self);
}

/**
 * glint_sim_link_new:
 * @sim: the simulated chip
 * @stream: a byte pipe to the host side (takes a reference)
 *
 * Starts carrying bytes at once, on the thread-default main context.
 */
GlintSimLink *
glint_sim_link_new (GlintSim  *sim,
                    GIOStream *stream)
{
  GlintSimLink *self;

  g_return_val_if_fail (GLINT_IS_SIM (sim), NULL);
  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);

  self = g_object_new (GLINT_TYPE_SIM_LINK, NULL);
  self->sim = g_object_ref (sim);
  self->stream = g_object_ref (stream);
  self->output_id = g_signal_connect (sim, "output", G_CALLBACK (on_sim_output_cb), self);
  self->disconnected_id = g_signal_connect (sim, "disconnected",
                                            G_CALLBACK (on_sim_disconnected_cb), self);
  glint_sim_link_read_next (self);

  return self;
}

/**
 * glint_sim_link_set_input_hook:
 * @hook: (nullable): called before each chunk of host bytes reaches the
 *   chip, with its length
 *
 * Lets a transport that learns line settings only by looking (a pty's
 * termios) pass them on in order with the data.
 */
void
glint_sim_link_set_input_hook (GlintSimLink          *self,
                               GlintSimLinkInputHook  hook,
                               gpointer               user_data)
{
  g_return_if_fail (GLINT_IS_SIM_LINK (self));

  self->input_hook = hook;
  self->input_hook_data = user_data;
}

GIOStream *
glint_sim_link_get_stream (GlintSimLink *self)
{
  g_return_val_if_fail (GLINT_IS_SIM_LINK (self), NULL);

  return self->stream;
}
