/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <sys/socket.h>

#include "glint-error.h"
#include "glint-sim.h"
#include "glint-sim-link.h"
#include "glint-chip.h"
#include "glint-sim-stream.h"
#include "glint-stream-address.h"
#include "glint-stream-private.h"

/*
 * sim://[chip][?options]: the Demo board. The simulated chip sits at the far
 * end of a socket pair, so the bytes take the same pollable, asynchronous
 * path through the kernel as they do for a real port; baud and DTR/RTS go to
 * the simulator directly, as a USB adapter would apply them.
 */

struct _GlintSimStream
{
  GlintStream        parent_instance;

  GlintSim          *sim;
  GSocketConnection *host;    /* our end */
  GSocketConnection *chip;    /* the simulator's end, until the link owns it */
  GlintSimLink      *link;
};

G_DEFINE_FINAL_TYPE (GlintSimStream, glint_sim_stream, GLINT_TYPE_STREAM)

static const guint sim_rates[] = { 460800, 921600, 1500000, 2000000 };

static GInputStream *
glint_sim_stream_get_input_stream (GIOStream *stream)
{
  GlintSimStream *self = GLINT_SIM_STREAM (stream);

  return g_io_stream_get_input_stream (G_IO_STREAM (self->host));
}

static GOutputStream *
glint_sim_stream_get_output_stream (GIOStream *stream)
{
  GlintSimStream *self = GLINT_SIM_STREAM (stream);

  return g_io_stream_get_output_stream (G_IO_STREAM (self->host));
}

static gboolean
glint_sim_stream_close_fn (GIOStream     *stream,
                           GCancellable  *cancellable,
                           GError       **error)
{
  GlintSimStream *self = GLINT_SIM_STREAM (stream);

  if (self->link != NULL)
    glint_sim_link_close (self->link);

  return g_io_stream_close (G_IO_STREAM (self->host), cancellable, error);
}

static void
glint_sim_stream_open_async (GlintStream         *stream,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GlintSimStream *self = GLINT_SIM_STREAM (stream);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, glint_sim_stream_open_async);
  g_task_set_name (task, "glint-sim-stream-open");

  self->link = glint_sim_link_new (self->sim, G_IO_STREAM (self->chip));
  g_clear_object (&self->chip);

  /* The simulator runs with our current line speed from the start. */
  glint_sim_host_set_baud (self->sim, glint_stream_get_baud (stream));

  g_task_return_boolean (task, TRUE);
}

static void
glint_sim_stream_set_baud_async (GlintStream         *stream,
                                 guint                baud,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GlintSimStream *self = GLINT_SIM_STREAM (stream);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, glint_sim_stream_set_baud_async);
  glint_sim_host_set_baud (self->sim, baud);
  g_task_return_boolean (task, TRUE);
}

static void
glint_sim_stream_set_lines_async (GlintStream         *stream,
                                  GlintLines           mask,
                                  GlintLines           values,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GlintSimStream *self = GLINT_SIM_STREAM (stream);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, glint_sim_stream_set_lines_async);
  glint_sim_host_set_lines (self->sim, mask, values);
  g_task_return_boolean (task, TRUE);
}

static void
glint_sim_stream_purge_async (GlintStream         *stream,
                              GlintPurge           what,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GlintSimStream *self = GLINT_SIM_STREAM (stream);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GSocket *socket = g_socket_connection_get_socket (self->host);

  g_task_set_source_tag (task, glint_sim_stream_purge_async);

  /* Received bytes wait in our socket buffer: drop what is there now. */
  if (what & GLINT_PURGE_INPUT)
    {
      guint8 buf[4096];
      gssize n;

      do
        n = g_socket_receive_with_blocking (socket, (char *) buf, sizeof buf, FALSE, NULL, NULL);
      while (n > 0);
    }

  g_task_return_boolean (task, TRUE);
}

static void
glint_sim_stream_dispose (GObject *object)
{
  GlintSimStream *self = GLINT_SIM_STREAM (object);

  if (self->link != NULL)
    glint_sim_link_close (self->link);
  g_clear_object (&self->link);
  g_clear_object (&self->chip);

  G_OBJECT_CLASS (glint_sim_stream_parent_class)->dispose (object);
}

static void
glint_sim_stream_finalize (GObject *object)
{
  GlintSimStream *self = GLINT_SIM_STREAM (object);

  g_clear_object (&self->host);
  g_clear_object (&self->sim);

  G_OBJECT_CLASS (glint_sim_stream_parent_class)->finalize (object);
}

static void
glint_sim_stream_class_init (GlintSimStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *io_stream_class = G_IO_STREAM_CLASS (klass);
  GlintStreamClass *stream_class = GLINT_STREAM_CLASS (klass);

  object_class->dispose = glint_sim_stream_dispose;
  object_class->finalize = glint_sim_stream_finalize;

  io_stream_class->get_input_stream = glint_sim_stream_get_input_stream;
  io_stream_class->get_output_stream = glint_sim_stream_get_output_stream;
  io_stream_class->close_fn = glint_sim_stream_close_fn;

  /* each task returns a boolean: the base class's finish */
  stream_class->open_async = glint_sim_stream_open_async;
  stream_class->set_baud_async = glint_sim_stream_set_baud_async;
  stream_class->set_lines_async = glint_sim_stream_set_lines_async;
  stream_class->purge_async = glint_sim_stream_purge_async;
}

static void
glint_sim_stream_init (GlintSimStream *self)
{
}

static GSocketConnection *
connection_for_fd (int      fd,
                   GError **error)
{
  g_autoptr(GSocket) socket = g_socket_new_from_fd (fd, error);

  if (socket == NULL)
    return NULL;

  return g_socket_connection_factory_create_connection (socket);
}

static GlintStream *
glint_sim_stream_new_with_address (GlintSim    *sim,
                                   const char  *address,
                                   GError     **error)
{
  g_autoptr(GlintSimStream) self = NULL;
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, GLINT_ERROR, GLINT_ERROR_FAILED,
                   _("cannot create the simulated board's socket pair: %s"),
                   g_strerror (saved_errno));
      return NULL;
    }

  self = g_object_new (GLINT_TYPE_SIM_STREAM, "address", address, NULL);
  self->sim = g_object_ref (sim);
  self->host = connection_for_fd (fds[0], error);
  if (self->host == NULL)
    {
      close (fds[0]);
      close (fds[1]);
      return NULL;
    }
  self->chip = connection_for_fd (fds[1], error);
  if (self->chip == NULL)
    {
      close (fds[1]);
      return NULL;
    }

  _glint_stream_set_can_control_lines (GLINT_STREAM (self), TRUE);
  /* The simulated adapter takes up to 2 Mbaud (its max-baud option makes
   * it fail above a rate). */
  _glint_stream_set_baud_rates (GLINT_STREAM (self), sim_rates, G_N_ELEMENTS (sim_rates));

  return GLINT_STREAM (g_steal_pointer (&self));
}

/**
 * glint_sim_stream_new:
 * @sim: a simulated chip
 *
 * Returns: (transfer full): an unopened stream to @sim
 */
GlintStream *
glint_sim_stream_new (GlintSim *sim)
{
  g_autofree char *address = NULL;
  g_autoptr(GError) error = NULL;
  GlintStream *stream;

  g_return_val_if_fail (GLINT_IS_SIM (sim), NULL);

  address = g_strdup_printf ("sim://%s", glint_sim_get_chip_name (sim));
  stream = glint_sim_stream_new_with_address (sim, address, &error);
  if (stream == NULL)
    g_critical ("%s", error->message);

  return stream;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* Boards named with ?board=NAME keep their flash between streams, as a real
 * board keeps it between jobs: the window's Demo board. Each name remembers
 * its last simulator (weakly) and, once that one is gone, a copy of its
 * flash. Kept for the life of the process. */
typedef struct
{
  GlintSim *live;
  GBytes   *flash;
} Board;

G_LOCK_DEFINE_STATIC (boards);
static GHashTable *boards;

static void
board_sim_gone (gpointer  data,
                GObject  *where_the_object_was)
{
  Board *board = data;
  const guint8 *flash;
  gsize size = 0;

  G_LOCK (boards);
  if (board->live == (GlintSim *) where_the_object_was)
    {
      /* called from the simulator's dispose: its flash is still there.
       * Erased bytes at the end are not kept (a new chip starts erased),
       * so a board that is never opened again costs what was written. */
      flash = glint_sim_get_flash (board->live, &size);
      while (size > 0 && flash[size - 1] == 0xFF)
        size--;
      g_clear_pointer (&board->flash, g_bytes_unref);
      board->flash = g_bytes_new (flash, size);
      board->live = NULL;
    }
  G_UNLOCK (boards);
}

static void
board_attach (const char *name,
              GlintSim   *sim)
{
  g_autoptr(GBytes) flash = NULL;
  Board *board;

  G_LOCK (boards);
  if (boards == NULL)
    boards = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  board = g_hash_table_lookup (boards, name);
  if (board == NULL)
    {
      board = g_new0 (Board, 1);
      g_hash_table_insert (boards, g_strdup (name), board);
    }

  if (board->live != NULL)
    {
      const guint8 *data;
      gsize size = 0;

      data = glint_sim_get_flash (board->live, &size);
      flash = g_bytes_new (data, size);
      g_object_weak_unref (G_OBJECT (board->live), board_sim_gone, board);
    }
  else if (board->flash != NULL)
    flash = g_bytes_ref (board->flash);

  board->live = sim;
  g_object_weak_ref (G_OBJECT (sim), board_sim_gone, board);
  G_UNLOCK (boards);

  if (flash != NULL)
    {
      gsize size = 0;

      /* a board asked for with another flash size keeps what fits */
      glint_sim_get_flash (sim, &size);
      glint_sim_load_flash (sim, 0, g_bytes_get_data (flash, NULL),
                            MIN (g_bytes_get_size (flash), size));
    }
}

/* usb=VID:PID (hex), usb-serial=S, usb-path=BY-PATH: the simulated board
 * sits behind that USB device, so the stream says what such a port
 * carries (none of them: no identity). */
static gboolean
apply_usb_identity (GlintStream  *stream,
                    GHashTable   *options,
                    GError      **error)
{
  const char *usb = g_hash_table_lookup (options, "usb");
  const char *serial = g_hash_table_lookup (options, "usb-serial");
  const char *by_path = g_hash_table_lookup (options, "usb-path");
  g_autoptr(GlintUsbIdentity) identity = NULL;
  g_auto(GStrv) parts = NULL;
  guint64 vid = 0, pid = 0;
  GHashTableIter iter;
  const char *key;

  g_hash_table_iter_init (&iter, options);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    if (g_str_has_prefix (key, "usb") && !g_str_equal (key, "usb") &&
        !g_str_equal (key, "usb-serial") && !g_str_equal (key, "usb-path"))
      {
        g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS,
                     _("unknown sim option “%s”; the USB options are usb=VID:PID, "
                       "usb-serial and usb-path"), key);
        return FALSE;
      }

  if (usb == NULL)
    {
      if (serial == NULL && by_path == NULL)
        return TRUE;
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS,
                   _("usb-serial and usb-path need usb=VID:PID too, e.g. usb=10c4:ea60"));
      return FALSE;
    }

  parts = g_strsplit (usb, ":", -1);
  if (g_strv_length (parts) != 2 ||
      !g_ascii_string_to_unsigned (parts[0], 16, 0, G_MAXUINT16, &vid, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 16, 0, G_MAXUINT16, &pid, NULL))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS,
                   _("usb=%s is not a USB id; give the vendor and product in hex, "
                     "e.g. usb=10c4:ea60"), usb);
      return FALSE;
    }

  identity = glint_usb_identity_new (vid, pid, serial, by_path);
  _glint_stream_set_usb_identity (stream, identity);

  return TRUE;
}

/**
 * glint_sim_stream_new_for_address:
 * @address: a `sim://` address; its options configure the simulator, and
 *   `board=NAME` gives the flash of the last stream of board NAME to this one
 *
 * Returns: (transfer full): an unopened stream, or %NULL with
 *   %GLINT_ERROR_INVALID_ADDRESS naming the bad chip or option
 */
GlintStream *
glint_sim_stream_new_for_address (const GlintStreamAddress  *address,
                                  GError                   **error)
{
  g_autoptr(GlintSim) sim = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *canonical = NULL;
  g_autofree GStrv keys = NULL;
  const char *board;
  GlintStream *stream;

  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (g_strcmp0 (address->scheme, "sim") == 0, NULL);

  sim = glint_sim_new (address->path, &local_error);
  if (sim == NULL)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS, "%s", local_error->message);
      return NULL;
    }

  /* Apply options in a fixed order so that runs are reproducible. */
  keys = (GStrv) g_hash_table_get_keys_as_array (address->options, NULL);
  g_qsort_with_data (keys, g_strv_length (keys), sizeof (char *), compare_strings, NULL);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      const char *value = g_hash_table_lookup (address->options, keys[i]);

      /* the board keeps the flash; the USB identity is the adapter's */
      if (g_str_equal (keys[i], "board") || g_str_has_prefix (keys[i], "usb"))
        continue;
      if (!glint_sim_set_option (sim, keys[i], value, &local_error))
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS, "%s",
                       local_error->message);
          return NULL;
        }
    }

  board = g_hash_table_lookup (address->options, "board");
  if (board != NULL && *board == '\0')
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS,
                   _("empty board name: use sim://esp32?board=demo"));
      return NULL;
    }
  if (board != NULL)
    board_attach (board, sim);

  canonical = glint_stream_address_to_string (address);
  stream = glint_sim_stream_new_with_address (sim, canonical, error);
  if (stream != NULL && g_hash_table_contains (address->options, "latency"))
    _glint_stream_set_is_remote (stream, TRUE);
  if (stream != NULL && !apply_usb_identity (stream, address->options, error))
    g_clear_object (&stream);
  /* behind the chip's own USB-Serial/JTAG, DTR/RTS mean what its
   * controller makes of them */
  if (stream != NULL && glint_stream_get_usb_identity (stream) != NULL &&
      glint_stream_get_usb_identity (stream)->vid == GLINT_USB_VID_ESPRESSIF &&
      glint_stream_get_usb_identity (stream)->pid == GLINT_USB_PID_USB_SERIAL_JTAG)
    glint_sim_set_option (sim, "usb-jtag", "on", NULL);

  return stream;
}

/**
 * glint_sim_stream_get_sim:
 *
 * Returns: (transfer none): the simulated chip, for tests and the demo
 */
GlintSim *
glint_sim_stream_get_sim (GlintSimStream *self)
{
  g_return_val_if_fail (GLINT_IS_SIM_STREAM (self), NULL);

  return self->sim;
}

static GlintStream *
sim_factory (const GlintStreamAddress  *address,
             gpointer                   user_data,
             GError                   **error)
{
  return glint_sim_stream_new_for_address (address, error);
}

/**
 * glint_sim_stream_register:
 *
 * Makes `sim://[chip][?options]` an address glint_stream_new_for_address()
 * opens. The stream layer knows no simulator: whoever links this one (the
 * app, glint-cli, glint-sim-server, the tests) calls this at start-up.
 * Calling it again does no harm.
 */
void
glint_sim_stream_register (void)
{
  glint_stream_address_register_scheme ("sim", sim_factory, NULL, "sim://esp32");
}
