/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdlib.h>

#include <glib/gi18n.h>

#include "glint-error.h"
#include "glint-improv.h"
#include "glint-improv-client.h"
#include "glint-stream.h"

/* The client side of Improv Serial (docs/protocol.md §13) over a board's
 * stream while its app runs: is Improv spoken, which networks does the
 * board see, join one. One operation at a time; the stream is read only
 * while the client lives and is not stopped, so that a serial monitor can
 * take it afterwards. Passwords go into one packet and nowhere else: not
 * into logs, errors or anything the client keeps. */

#define PROBE_RETRY_MS 500    /* an app that is still booting misses a request */
#define READ_SIZE      256
#define PENDING_RETRY_MS 50   /* another reader or writer still winding down */

typedef enum
{
  OP_NONE,
  OP_PROBE,
  OP_SCAN,
  OP_PROVISION,
} Op;

struct _GlintImprovClient
{
  GObject             parent_instance;

  GlintStream        *stream;
  GCancellable       *read_cancellable;
  GlintImprovDecoder *rx;
  gboolean            reading;

  /* the operation running */
  GTask              *task;
  Op                  op;
  guint               timeout_ms;
  guint               timeout_id;
  guint               retry_id;
  guint               resend_id;
  guint               pending_id;
  GSource            *cancel_source;
  GBytes             *request;
  gboolean            got_state;
  GPtrArray          *networks;
  char               *ssid;

  /* what the board said */
  GStrv               info;
  guint8              state;
  char               *url;
};

G_DEFINE_FINAL_TYPE (GlintImprovClient, glint_improv_client, G_TYPE_OBJECT)

void
glint_improv_network_free (GlintImprovNetwork *network)
{
  if (network == NULL)
    return;
  g_free (network->ssid);
  g_free (network);
}

static void
glint_improv_client_dispose (GObject *object)
{
  GlintImprovClient *self = GLINT_IMPROV_CLIENT (object);

  glint_improv_client_stop (self);
  g_clear_object (&self->stream);

  G_OBJECT_CLASS (glint_improv_client_parent_class)->dispose (object);
}

static void
glint_improv_client_finalize (GObject *object)
{
  GlintImprovClient *self = GLINT_IMPROV_CLIENT (object);

  g_clear_pointer (&self->rx, glint_improv_decoder_free);
  g_clear_pointer (&self->info, g_strfreev);
  g_clear_pointer (&self->url, g_free);

  G_OBJECT_CLASS (glint_improv_client_parent_class)->finalize (object);
}

static void
glint_improv_client_class_init (GlintImprovClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = glint_improv_client_dispose;
  object_class->finalize = glint_improv_client_finalize;
}

static void
glint_improv_client_init (GlintImprovClient *self)
{
  self->rx = glint_improv_decoder_new ();
}

/**
 * glint_improv_client_new:
 * @stream: the board's connection, open or not; the app must run (after
 *   a flash job's hard reset, or a reset into the app). A flasher that
 *   used the stream must be dropped first: its loader reads it until then
 *
 * Returns: (transfer full): a new client; nothing is sent before an
 *   operation starts
 */
GlintImprovClient *
glint_improv_client_new (GlintStream *stream)
{
  GlintImprovClient *self;

  g_return_val_if_fail (GLINT_IS_STREAM (stream), NULL);

  self = g_object_new (GLINT_TYPE_IMPROV_CLIENT, NULL);
  self->stream = g_object_ref (stream);
  return self;
}

/**
 * glint_improv_client_get_stream:
 * @self: a #GlintImprovClient
 *
 * Returns: (transfer none): the stream the client talks over
 */
GlintStream *
glint_improv_client_get_stream (GlintImprovClient *self)
{
  g_return_val_if_fail (GLINT_IS_IMPROV_CLIENT (self), NULL);
  return self->stream;
}

/* Ends the operation running; the caller returns on the task it gets. */
static GTask *
end_op (GlintImprovClient *self)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->resend_id, g_source_remove);
  if (self->cancel_source != NULL)
    {
      g_source_destroy (self->cancel_source);
      g_clear_pointer (&self->cancel_source, g_source_unref);
    }
  g_clear_pointer (&self->request, g_bytes_unref);
  g_clear_pointer (&self->networks, g_ptr_array_unref);
  g_clear_pointer (&self->ssid, g_free);
  self->op = OP_NONE;
  return g_steal_pointer (&self->task);
}

static void
fail_op (GlintImprovClient *self,
         GError            *error)
{
  g_autoptr(GTask) task = end_op (self);

  if (task != NULL)
    g_task_return_error (task, error);
  else
    g_error_free (error);
}

/**
 * glint_improv_client_stop:
 * @self: a #GlintImprovClient
 *
 * Stops reading the stream and cancels the operation running, so that
 * something else may read the stream. The stream stays open.
 */
void
glint_improv_client_stop (GlintImprovClient *self)
{
  g_return_if_fail (GLINT_IS_IMPROV_CLIENT (self));

  if (self->task != NULL)
    fail_op (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                _("The Wi-Fi set-up was stopped")));
  g_cancellable_cancel (self->read_cancellable);
  g_clear_object (&self->read_cancellable);
  g_clear_handle_id (&self->pending_id, g_source_remove);
  self->reading = FALSE;
}

/* Reading ---------------------------------------------------------------- */

static void
got_rpc_result (GlintImprovClient *self,
                const guint8      *data,
                gsize              len)
{
  g_auto(GStrv) strings = NULL;
  g_autoptr(GTask) task = NULL;
  guint8 command = 0;

  strings = glint_improv_parse_rpc (data, len, &command, NULL);
  if (strings == NULL)
    return;

  switch (command)
    {
    case GLINT_IMPROV_COMMAND_DEVICE_INFO:
      g_clear_pointer (&self->info, g_strfreev);
      self->info = g_steal_pointer (&strings);
      g_debug ("Improv: device info: %s", self->info[0] != NULL ? self->info[0] : "(none)");
      if (self->op == OP_PROBE)
        {
          task = end_op (self);
          g_task_return_boolean (task, TRUE);
        }
      break;

    case GLINT_IMPROV_COMMAND_WIFI_SETTINGS:
      g_free (self->url);
      self->url = g_strdup (strings[0] != NULL ? strings[0] : "");
      if (self->op == OP_PROVISION)
        {
          task = end_op (self);
          g_task_return_pointer (task, g_strdup (self->url), g_free);
        }
      break;

    case GLINT_IMPROV_COMMAND_WIFI_NETWORKS:
      if (self->op != OP_SCAN)
        break;
      if (strings[0] == NULL)
        {
          GPtrArray *networks = g_steal_pointer (&self->networks);

          task = end_op (self);
          g_task_return_pointer (task, networks, (GDestroyNotify) g_ptr_array_unref);
        }
      else
        {
          GlintImprovNetwork *network = g_new0 (GlintImprovNetwork, 1);

          network->ssid = g_strdup (strings[0]);
          network->rssi = strings[1] != NULL ? (gint) strtol (strings[1], NULL, 10) : 0;
          network->secured = strings[1] == NULL || strings[2] == NULL ||
                             g_ascii_strcasecmp (strings[2], "NO") != 0;
          g_ptr_array_add (self->networks, network);
        }
      break;

    default:
      break;
    }
}

static void
got_error_state (GlintImprovClient *self,
                 guint8             code)
{
  g_autoptr(GTask) task = NULL;

  if (code == GLINT_IMPROV_ERROR_NONE || self->op == OP_NONE)
    return;

  g_debug ("Improv: the board reports %s", glint_improv_error_name (code));
  switch (self->op)
    {
    case OP_PROBE:
      /* it speaks Improv, only not this command */
      if (self->got_state)
        {
          task = end_op (self);
          g_task_return_boolean (task, TRUE);
        }
      break;

    case OP_SCAN:
      fail_op (self, g_error_new (GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED,
                                  _("The board's firmware cannot list Wi-Fi networks "
                                  "(it answered “%s”): type the network's name instead"),
                                  glint_improv_error_name (code)));
      break;

    case OP_PROVISION:
      if (code == GLINT_IMPROV_ERROR_UNABLE_TO_CONNECT)
        fail_op (self, g_error_new (GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                                    _("The board could not join “%s”: the password may be "
                                    "wrong, or the network out of its reach. Check the "
                                    "password and try again"), self->ssid));
      else
        fail_op (self, g_error_new (GLINT_ERROR, GLINT_ERROR_FAILED,
                                    _("The board refused the Wi-Fi settings (it answered "
                                    "“%s”). Try again; if it keeps refusing, set up Wi-Fi "
                                    "as the firmware's documentation says"),
                                    glint_improv_error_name (code)));
      break;

    case OP_NONE:
    default:
      break;
    }
}

static void
packet_cb (guint8        type,
           const guint8 *data,
           gsize         len,
           gpointer      user_data)
{
  GlintImprovClient *self = user_data;

  switch (type)
    {
    case GLINT_IMPROV_TYPE_CURRENT_STATE:
      if (len < 1)
        break;
      self->state = data[0];
      self->got_state = TRUE;
      g_debug ("Improv: state %s", glint_improv_state_name (data[0]));
      break;

    case GLINT_IMPROV_TYPE_ERROR_STATE:
      if (len >= 1)
        got_error_state (self, data[0]);
      break;

    case GLINT_IMPROV_TYPE_RPC_RESULT:
      got_rpc_result (self, data, len);
      break;

    default:
      break;
    }
}

static void start_read (GlintImprovClient *self);

static void
start_read_cb (gpointer user_data)
{
  GlintImprovClient *self = user_data;

  self->pending_id = 0;
  start_read (self);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GlintImprovClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !self->reading)
    return;

  /* the flasher's last read is still winding down after its job */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
      self->pending_id = g_timeout_add_once (PENDING_RETRY_MS, start_read_cb, self);
      return;
    }

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      self->reading = FALSE;
      if (error == NULL)
        error = g_error_new (GLINT_ERROR, GLINT_ERROR_DISCONNECTED,
                             _("The connection to the board closed during the Wi-Fi set-up. "
                             "Reconnect the board and try again"));
      if (self->task != NULL)
        fail_op (self, g_steal_pointer (&error));
      return;
    }

  glint_improv_decoder_feed (self->rx, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                             packet_cb, self);
  start_read (self);
}

static void
start_read (GlintImprovClient *self)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (self->stream));

  self->reading = TRUE;
  if (self->read_cancellable == NULL)
    self->read_cancellable = g_cancellable_new ();
  g_input_stream_read_bytes_async (input, READ_SIZE, G_PRIORITY_DEFAULT, self->read_cancellable,
                                   read_cb, g_object_ref (self));
}

/* Writing ---------------------------------------------------------------- */

static void send_request (GlintImprovClient *self);

static void
send_request_cb (gpointer user_data)
{
  GlintImprovClient *self = user_data;

  self->resend_id = 0;
  if (self->request != NULL)
    send_request (self);
}

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GlintImprovClient) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING) && self->task != NULL)
    {
      if (self->resend_id == 0)
        self->resend_id = g_timeout_add_once (PENDING_RETRY_MS, send_request_cb, self);
      return;
    }

  if (error != NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->task != NULL)
    {
      g_prefix_error (&error, _("Sending to the board: "));
      fail_op (self, g_steal_pointer (&error));
    }
}

static void
send_request (GlintImprovClient *self)
{
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (self->stream));
  gsize len;
  const guint8 *data = g_bytes_get_data (self->request, &len);

  /* the request stays alive in the closure's reference to self; a retry
   * sends the same bytes again */
  g_output_stream_write_all_async (output, data, len, G_PRIORITY_DEFAULT, self->read_cancellable,
                                   write_cb, g_object_ref (self));
}

static gboolean
retry_cb (gpointer user_data)
{
  GlintImprovClient *self = user_data;

  if (self->request != NULL && !g_output_stream_has_pending (
        g_io_stream_get_output_stream (G_IO_STREAM (self->stream))))
    send_request (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  GlintImprovClient *self = user_data;
  g_autoptr(GError) error = NULL;
  guint s = (self->timeout_ms + 999) / 1000;

  self->timeout_id = 0;
  switch (self->op)
    {
    case OP_PROBE:
      error = g_error_new (GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED,
                           _("The board did not answer Improv Serial within %u s: its firmware "
                           "may not offer Wi-Fi set-up over the serial port. Reset the board "
                           "and try again, or set up Wi-Fi as the firmware's documentation "
                           "says"), s);
      break;
    case OP_SCAN:
      error = g_error_new (GLINT_ERROR, GLINT_ERROR_TIMEOUT,
                           _("The board did not finish its Wi-Fi scan within %u s. Try again, "
                           "or type the network's name"), s);
      break;
    case OP_PROVISION:
      error = g_error_new (GLINT_ERROR, GLINT_ERROR_TIMEOUT,
                           _("The board did not say within %u s whether it joined “%s”. Check "
                           "the network and try again"), s, self->ssid);
      break;
    case OP_NONE:
    default:
      return G_SOURCE_REMOVE;
    }
  fail_op (self, g_steal_pointer (&error));
  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  GlintImprovClient *self = user_data;

  fail_op (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                              _("The Wi-Fi set-up was cancelled")));
  return G_SOURCE_REMOVE;
}

/* Once the stream is open at the app's rate: read, send, wait. */
static void
run_op (GlintImprovClient *self)
{
  if (!self->reading)
    start_read (self);

  self->timeout_id = g_timeout_add (self->timeout_ms, timeout_cb, self);
  if (self->op == OP_PROBE)
    self->retry_id = g_timeout_add (PROBE_RETRY_MS, retry_cb, self);
  send_request (self);
}

static void
set_baud_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GlintImprovClient) self = user_data;
  g_autoptr(GError) error = NULL;

  if (self->task == NULL)
    return;
  if (!glint_stream_set_baud_finish (GLINT_STREAM (object), result, &error))
    {
      g_prefix_error (&error, _("Setting the port to %u baud for Improv Serial: "),
                      GLINT_IMPROV_BAUD);
      fail_op (self, g_steal_pointer (&error));
      return;
    }
  run_op (self);
}

static void
prepare (GlintImprovClient *self)
{
  /* the app's console runs at 115200; a link without baud control (raw
   * TCP) carries whatever the far end's port is set to */
  if (glint_stream_get_can_set_baud (self->stream) &&
      glint_stream_get_baud (self->stream) != GLINT_IMPROV_BAUD)
    glint_stream_set_baud_async (self->stream, GLINT_IMPROV_BAUD, self->read_cancellable,
                                 set_baud_cb, g_object_ref (self));
  else
    run_op (self);
}

static void
open_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GlintImprovClient) self = user_data;
  g_autoptr(GError) error = NULL;

  if (self->task == NULL)
    return;
  if (!glint_stream_open_finish (GLINT_STREAM (object), result, &error))
    {
      fail_op (self, g_steal_pointer (&error));
      return;
    }
  prepare (self);
}

static gboolean
start_op (GlintImprovClient *self,
          GTask             *task,
          Op                 op,
          guint              timeout_ms,
          GByteArray        *request)
{
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (self->task != NULL)
    {
      g_byte_array_unref (request);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("The board is busy with another Wi-Fi set-up step"));
      return FALSE;
    }

  self->task = g_object_ref (task);
  self->op = op;
  self->timeout_ms = MAX (timeout_ms, 1);
  self->got_state = FALSE;
  self->request = g_byte_array_free_to_bytes (request);
  if (self->read_cancellable == NULL)
    self->read_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      self->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->cancel_source, G_SOURCE_FUNC (cancelled_cb), self, NULL);
      g_source_attach (self->cancel_source, g_main_context_get_thread_default ());
    }

  if (!glint_stream_get_is_open (self->stream))
    glint_stream_open_async (self->stream, self->read_cancellable, open_cb, g_object_ref (self));
  else
    prepare (self);
  return TRUE;
}

static GByteArray *
rpc (guint8              command,
     const char * const *strings,
     GError            **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  if (!glint_improv_encode_rpc (GLINT_IMPROV_TYPE_RPC_COMMAND, command, strings, out, error))
    return NULL;
  return g_steal_pointer (&out);
}

/* Operations ------------------------------------------------------------- */

/**
 * glint_improv_client_probe_async:
 * @self: a #GlintImprovClient
 * @timeout_ms: how long the board has to answer (it may still be booting);
 *   %GLINT_IMPROV_PROBE_TIMEOUT_MS as ESP Web Tools waits
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the board answered or the time is up
 * @user_data: for @callback
 *
 * Asks the board for its Improv state and device info, again every
 * second until it answers. A board that stays silent fails with
 * %GLINT_ERROR_NOT_SUPPORTED: its firmware does not speak Improv (or does
 * not run), which a window shows as nothing at all.
 */
void
glint_improv_client_probe_async (GlintImprovClient  *self,
                                 guint               timeout_ms,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GByteArray) request = g_byte_array_new ();

  g_return_if_fail (GLINT_IS_IMPROV_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, glint_improv_client_probe_async);
  g_task_set_name (task, "glint-improv-client-probe");

  glint_improv_encode_rpc (GLINT_IMPROV_TYPE_RPC_COMMAND, GLINT_IMPROV_COMMAND_CURRENT_STATE,
                           NULL, request, NULL);
  glint_improv_encode_rpc (GLINT_IMPROV_TYPE_RPC_COMMAND, GLINT_IMPROV_COMMAND_DEVICE_INFO,
                           NULL, request, NULL);
  start_op (self, task, OP_PROBE, timeout_ms, g_steal_pointer (&request));
}

/**
 * glint_improv_client_probe_finish:
 * @self: a #GlintImprovClient
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the board speaks Improv Serial
 */
gboolean
glint_improv_client_probe_finish (GlintImprovClient  *self,
                                  GAsyncResult       *result,
                                  GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * glint_improv_client_get_device_info:
 * @self: a #GlintImprovClient
 *
 * Returns: (transfer none) (nullable): firmware name, firmware version,
 *   chip, device name (and maybe more) as the board said, or %NULL
 */
const char * const *
glint_improv_client_get_device_info (GlintImprovClient *self)
{
  g_return_val_if_fail (GLINT_IS_IMPROV_CLIENT (self), NULL);
  return (const char * const *) self->info;
}

/**
 * glint_improv_client_get_state:
 * @self: a #GlintImprovClient
 *
 * Returns: the last #GlintImprovState the board reported, 0 before any
 */
guint8
glint_improv_client_get_state (GlintImprovClient *self)
{
  g_return_val_if_fail (GLINT_IS_IMPROV_CLIENT (self), 0);
  return self->state;
}

/**
 * glint_improv_client_get_url:
 * @self: a #GlintImprovClient
 *
 * Returns: (nullable): the device's URL once provisioned ("" when it
 *   named none), or %NULL
 */
const char *
glint_improv_client_get_url (GlintImprovClient *self)
{
  g_return_val_if_fail (GLINT_IS_IMPROV_CLIENT (self), NULL);
  return self->url;
}

/**
 * glint_improv_client_scan_async:
 * @self: a #GlintImprovClient
 * @timeout_ms: how long the scan may take
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the networks
 * @user_data: for @callback
 *
 * Asks the board for the Wi-Fi networks it sees.
 */
void
glint_improv_client_scan_async (GlintImprovClient  *self,
                                guint               timeout_ms,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GLINT_IS_IMPROV_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, glint_improv_client_scan_async);
  g_task_set_name (task, "glint-improv-client-scan");

  if (start_op (self, task, OP_SCAN, timeout_ms,
                rpc (GLINT_IMPROV_COMMAND_WIFI_NETWORKS, NULL, NULL)))
    self->networks = g_ptr_array_new_with_free_func ((GDestroyNotify) glint_improv_network_free);
}

/**
 * glint_improv_client_scan_finish:
 * @self: a #GlintImprovClient
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type GlintImprovNetwork): the
 *   networks in the order the board gave them, or %NULL
 */
GPtrArray *
glint_improv_client_scan_finish (GlintImprovClient  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * glint_improv_client_provision_async:
 * @self: a #GlintImprovClient
 * @ssid: the network's name
 * @password: (nullable): its password; %NULL or "" for an open network
 * @timeout_ms: how long joining may take
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the board joined or gave up
 * @user_data: for @callback
 *
 * Sends the Wi-Fi settings and waits for the board's answer: its URL, or
 * "unable to connect" (a wrong password, a network out of reach).
 */
void
glint_improv_client_provision_async (GlintImprovClient  *self,
                                     const char         *ssid,
                                     const char         *password,
                                     guint               timeout_ms,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  const char *strings[] = { ssid, password != NULL ? password : "", NULL };
  GByteArray *request;

  g_return_if_fail (GLINT_IS_IMPROV_CLIENT (self));
  g_return_if_fail (ssid != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, glint_improv_client_provision_async);
  g_task_set_name (task, "glint-improv-client-provision");

  if (*ssid == '\0')
    {
      g_task_return_new_error (task, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                               _("No network name was given: pick a network or type its name"));
      return;
    }
  request = rpc (GLINT_IMPROV_COMMAND_WIFI_SETTINGS, strings, &error);
  if (request == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_debug ("Improv: sending the Wi-Fi settings for “%s”", ssid);
  if (start_op (self, task, OP_PROVISION, timeout_ms, request))
    self->ssid = g_strdup (ssid);
}

/**
 * glint_improv_client_provision_finish:
 * @self: a #GlintImprovClient
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the device's URL ("" when it named none), or
 *   %NULL
 */
char *
glint_improv_client_provision_finish (GlintImprovClient  *self,
                                      GAsyncResult       *result,
                                      GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
