/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "glint-error.h"
#include "glint-stream-private.h"

/*
 * GlintStream is the one abstraction every transport hides behind: a
 * GIOStream for the bytes plus asynchronous line control.  The base class
 * keeps the line state and skips requests that would not change anything,
 * because on a remote link every such request costs a network round trip.
 */

typedef struct
{
  char       *address;
  guint       baud;
  GlintLines  lines;
  GlintLines  lines_known;    /* lines whose state we have set ourselves */
  GArray     *baud_rates;     /* of guint: worth trying above the boot rate */
  GlintUsbIdentity *usb_identity;
  guint       can_control_lines : 1;
  guint       is_remote : 1;
  guint       cannot_set_baud : 1;
  guint       is_open : 1;
  guint       opening : 1;
} GlintStreamPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (GlintStream, glint_stream, G_TYPE_IO_STREAM)

enum {
  PROP_0,
  PROP_ADDRESS,
  PROP_BAUD,
  PROP_CAN_CONTROL_LINES,
  PROP_IS_REMOTE,
  PROP_IS_OPEN,
  PROP_CAN_SET_BAUD,
  PROP_BAUD_RATES,
  PROP_USB_IDENTITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum
{
  OP_OPEN,
  OP_BAUD,
  OP_LINES,
  OP_PURGE,
  OP_DRAIN,
} Op;

typedef struct
{
  Op          op;
  guint       baud;
  GlintLines  mask;
  GlintLines  values;
} OpData;

static void
glint_stream_finalize (GObject *object)
{
  GlintStream *self = GLINT_STREAM (object);
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);

  g_clear_pointer (&priv->address, g_free);
  g_clear_pointer (&priv->baud_rates, g_array_unref);
  g_clear_pointer (&priv->usb_identity, glint_usb_identity_free);

  G_OBJECT_CLASS (glint_stream_parent_class)->finalize (object);
}

static void
glint_stream_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  GlintStream *self = GLINT_STREAM (object);
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      g_value_set_string (value, priv->address);
      break;
    case PROP_BAUD:
      g_value_set_uint (value, priv->baud);
      break;
    case PROP_CAN_CONTROL_LINES:
      g_value_set_boolean (value, priv->can_control_lines);
      break;
    case PROP_IS_REMOTE:
      g_value_set_boolean (value, priv->is_remote);
      break;
    case PROP_CAN_SET_BAUD:
      g_value_set_boolean (value, !priv->cannot_set_baud);
      break;
    case PROP_BAUD_RATES:
      g_value_set_boxed (value, priv->baud_rates);
      break;
    case PROP_USB_IDENTITY:
      g_value_set_boxed (value, priv->usb_identity);
      break;
    case PROP_IS_OPEN:
      g_value_set_boolean (value, priv->is_open);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_stream_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  GlintStream *self = GLINT_STREAM (object);
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      g_free (priv->address);
      priv->address = g_value_dup_string (value);
      break;
    case PROP_BAUD:
      priv->baud = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Streams without a notion of a line (sockets) complete at once. */
static void
glint_stream_real_noop_async (GlintStream         *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, glint_stream_real_noop_async);
  g_task_return_boolean (task, TRUE);
}

/* The finish of every operation whose task returns a boolean: the default
 * of all the *_finish slots, which a subclass overrides only where its
 * task carries more. */
static gboolean
glint_stream_real_finish (GlintStream   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
glint_stream_real_set_baud_async (GlintStream         *self,
                                  guint                baud,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  glint_stream_real_noop_async (self, cancellable, callback, user_data);
}

static void
glint_stream_real_set_lines_async (GlintStream         *self,
                                   GlintLines           mask,
                                   GlintLines           values,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, glint_stream_real_set_lines_async);
  g_task_return_new_error (task, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED,
                           _("%s cannot control DTR/RTS"),
                           glint_stream_get_address (self));
}

static void
glint_stream_real_purge_async (GlintStream         *self,
                               GlintPurge           what,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  glint_stream_real_noop_async (self, cancellable, callback, user_data);
}

static void
glint_stream_class_init (GlintStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = glint_stream_finalize;
  object_class->get_property = glint_stream_get_property;
  object_class->set_property = glint_stream_set_property;

  klass->open_finish = glint_stream_real_finish;
  klass->set_baud_async = glint_stream_real_set_baud_async;
  klass->set_baud_finish = glint_stream_real_finish;
  klass->set_lines_async = glint_stream_real_set_lines_async;
  klass->set_lines_finish = glint_stream_real_finish;
  klass->purge_async = glint_stream_real_purge_async;
  klass->purge_finish = glint_stream_real_finish;
  klass->drain_async = glint_stream_real_noop_async;
  klass->drain_finish = glint_stream_real_finish;

  /**
   * GlintStream:address:
   *
   * The canonical address of the stream, as shown to the user
   * (`/dev/ttyUSB0`, `rfc2217://host:4000`, `sim://esp32`).
   */
  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintStream:baud:
   *
   * The line speed in bits per second. For sockets it is only recorded: the
   * other end decides the real speed.
   */
  properties[PROP_BAUD] =
    g_param_spec_uint ("baud", NULL, NULL, 1, G_MAXUINT, GLINT_STREAM_DEFAULT_BAUD,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_CAN_CONTROL_LINES] =
    g_param_spec_boolean ("can-control-lines", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_IS_REMOTE] =
    g_param_spec_boolean ("is-remote", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintStream:can-set-baud:
   *
   * Whether a new rate changes the speed of the link: not over a raw
   * socket (the far side's serial rate is fixed there), nor on the chip's
   * own USB (which ignores it).
   */
  properties[PROP_CAN_SET_BAUD] =
    g_param_spec_boolean ("can-set-baud", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintStream:baud-rates: (type GArray(guint))
   *
   * The rates above the boot rate worth trying on this link, ascending, as
   * far as it is known to carry them: a local port up to 921600 (more
   * where its USB bridge is known to take it), a remote one from 230400.
   * Empty where #GlintStream:can-set-baud is %FALSE.
   */
  properties[PROP_BAUD_RATES] =
    g_param_spec_boxed ("baud-rates", NULL, NULL, G_TYPE_ARRAY,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintStream:usb-identity:
   *
   * The USB device behind the port (vendor, product, serial number,
   * by-path name), or %NULL where there is none or it is not known:
   * sockets, RFC 2217, a simulator not told one. A local port knows it
   * once open.
   */
  properties[PROP_USB_IDENTITY] =
    g_param_spec_boxed ("usb-identity", NULL, NULL, GLINT_TYPE_USB_IDENTITY,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_IS_OPEN] =
    g_param_spec_boolean ("is-open", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
glint_stream_init (GlintStream *self)
{
  static const guint local_rates[] = { 460800, 921600 };
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);

  priv->baud_rates = g_array_sized_new (FALSE, FALSE, sizeof (guint), 4);
  g_array_append_vals (priv->baud_rates, local_rates, G_N_ELEMENTS (local_rates));

  priv->baud = GLINT_STREAM_DEFAULT_BAUD;
}

const char *
glint_stream_get_address (GlintStream *self)
{
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);

  g_return_val_if_fail (GLINT_IS_STREAM (self), NULL);

  return priv->address;
}

guint
glint_stream_get_baud (GlintStream *self)
{
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);

  g_return_val_if_fail (GLINT_IS_STREAM (self), 0);

  return priv->baud;
}

/**
 * glint_stream_get_lines:
 *
 * Returns: the lines last set to asserted through this stream
 */
GlintLines
glint_stream_get_lines (GlintStream *self)
{
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);

  g_return_val_if_fail (GLINT_IS_STREAM (self), GLINT_LINE_NONE);

  return priv->lines;
}

gboolean
glint_stream_get_can_control_lines (GlintStream *self)
{
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);

  g_return_val_if_fail (GLINT_IS_STREAM (self), FALSE);

  return priv->can_control_lines;
}

gboolean
glint_stream_get_is_remote (GlintStream *self)
{
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);

  g_return_val_if_fail (GLINT_IS_STREAM (self), FALSE);

  return priv->is_remote;
}

/**
 * glint_stream_get_can_set_baud:
 *
 * Returns: whether a new rate changes the speed of the link
 */
gboolean
glint_stream_get_can_set_baud (GlintStream *self)
{
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);

  g_return_val_if_fail (GLINT_IS_STREAM (self), FALSE);

  return !priv->cannot_set_baud;
}

/**
 * glint_stream_get_baud_rates:
 * @n_rates: (out): how many rates
 *
 * Returns: (array length=n_rates) (nullable): the rates above the boot
 *   rate worth trying, ascending; none where the rate cannot be set
 */
const guint *
glint_stream_get_baud_rates (GlintStream *self,
                             guint       *n_rates)
{
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);

  g_return_val_if_fail (GLINT_IS_STREAM (self), NULL);
  g_return_val_if_fail (n_rates != NULL, NULL);

  if (priv->cannot_set_baud || priv->baud_rates->len == 0)
    {
      *n_rates = 0;
      return NULL;
    }

  *n_rates = priv->baud_rates->len;
  return (const guint *) (gpointer) priv->baud_rates->data;
}

/**
 * glint_stream_get_usb_identity:
 *
 * Returns: (transfer none) (nullable): the USB device behind the port
 */
const GlintUsbIdentity *
glint_stream_get_usb_identity (GlintStream *self)
{
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);

  g_return_val_if_fail (GLINT_IS_STREAM (self), NULL);

  return priv->usb_identity;
}

gboolean
glint_stream_get_is_open (GlintStream *self)
{
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);

  g_return_val_if_fail (GLINT_IS_STREAM (self), FALSE);

  return priv->is_open;
}

void
_glint_stream_set_can_control_lines (GlintStream *self,
                                     gboolean     can_control_lines)
{
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);

  g_return_if_fail (GLINT_IS_STREAM (self));

  can_control_lines = !!can_control_lines;
  if (priv->can_control_lines == (guint) can_control_lines)
    return;

  priv->can_control_lines = can_control_lines;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_CONTROL_LINES]);
}

void
_glint_stream_set_is_remote (GlintStream *self,
                             gboolean     is_remote)
{
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);

  g_return_if_fail (GLINT_IS_STREAM (self));

  is_remote = !!is_remote;
  if (priv->is_remote == (guint) is_remote)
    return;

  priv->is_remote = is_remote;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IS_REMOTE]);
}

void
_glint_stream_set_can_set_baud (GlintStream *self,
                                gboolean     can_set_baud)
{
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);

  g_return_if_fail (GLINT_IS_STREAM (self));

  if (priv->cannot_set_baud == (guint) !can_set_baud)
    return;

  priv->cannot_set_baud = !can_set_baud;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_SET_BAUD]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BAUD_RATES]);
}

void
_glint_stream_set_baud_rates (GlintStream *self,
                              const guint *rates,
                              guint        n_rates)
{
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);

  g_return_if_fail (GLINT_IS_STREAM (self));
  g_return_if_fail (rates != NULL || n_rates == 0);

  if (priv->baud_rates->len == n_rates &&
      (n_rates == 0 || memcmp (priv->baud_rates->data, rates, n_rates * sizeof (guint)) == 0))
    return;

  g_array_set_size (priv->baud_rates, 0);
  if (n_rates > 0)
    g_array_append_vals (priv->baud_rates, rates, n_rates);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BAUD_RATES]);
}

/* The identity also says what the link carries: nothing to change on the
 * chip's own USB, the bridge's rates on a USB-serial adapter. */
void
_glint_stream_set_usb_identity (GlintStream            *self,
                                const GlintUsbIdentity *identity)
{
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);
  const guint *rates;
  guint n = 0;

  g_return_if_fail (GLINT_IS_STREAM (self));

  if (glint_usb_identity_equal (priv->usb_identity, identity))
    return;

  g_clear_pointer (&priv->usb_identity, glint_usb_identity_free);
  if (identity != NULL)
    {
      priv->usb_identity = glint_usb_identity_copy (identity);
      rates = glint_usb_identity_baud_rates (identity, &n);
      _glint_stream_set_baud_rates (self, rates, n);
      _glint_stream_set_can_set_baud (self, !glint_usb_identity_is_native (identity));
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USB_IDENTITY]);
}

void
_glint_stream_set_baud (GlintStream *self,
                        guint        baud)
{
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);

  g_return_if_fail (GLINT_IS_STREAM (self));
  g_return_if_fail (baud > 0);

  if (priv->baud == baud)
    return;

  priv->baud = baud;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BAUD]);
}

static gboolean
check_open (GlintStream  *self,
            GError      **error)
{
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);

  if (!priv->is_open)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                   "%s is not open", priv->address);
      return FALSE;
    }

  if (g_io_stream_is_closed (G_IO_STREAM (self)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                   "%s is closed", priv->address);
      return FALSE;
    }

  return TRUE;
}

/* One completion callback for every wrapped virtual method: it asks the
 * subclass for the result, then records the new state on success. */
static void
glint_stream_op_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GlintStream *self = GLINT_STREAM (object);
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);
  GlintStreamClass *klass = GLINT_STREAM_GET_CLASS (self);
  g_autoptr(GTask) task = user_data;
  OpData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  switch (data->op)
    {
    case OP_OPEN:
      ok = klass->open_finish (self, result, &error);
      priv->opening = FALSE;
      if (ok)
        {
          priv->is_open = TRUE;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IS_OPEN]);
        }
      break;
    case OP_BAUD:
      ok = klass->set_baud_finish (self, result, &error);
      if (ok)
        _glint_stream_set_baud (self, data->baud);
      break;
    case OP_LINES:
      ok = klass->set_lines_finish (self, result, &error);
      if (ok)
        {
          priv->lines = (priv->lines & ~data->mask) | (data->values & data->mask);
          priv->lines_known |= data->mask;
        }
      else
        {
          /* A failed request may have reached the device in part. */
          priv->lines_known &= ~data->mask;
        }
      break;
    case OP_PURGE:
      ok = klass->purge_finish (self, result, &error);
      break;
    case OP_DRAIN:
      ok = klass->drain_finish (self, result, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static GTask *
op_task_new (GlintStream         *self,
             Op                   op,
             gpointer             source_tag,
             const char          *name,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  OpData *data = g_new0 (OpData, 1);

  data->op = op;
  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);
  g_task_set_task_data (task, data, g_free);

  return task;
}

static gboolean
op_finish (GlintStream   *self,
           GAsyncResult  *result,
           gpointer       source_tag,
           GError       **error)
{
  g_return_val_if_fail (GLINT_IS_STREAM (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * glint_stream_open_async:
 *
 * Opens the port or connects to the server. Errors are %GLINT_ERROR codes
 * with the cause named (permission, busy, not found, refused).
 */
void
glint_stream_open_async (GlintStream         *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GLINT_IS_STREAM (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = op_task_new (self, OP_OPEN, glint_stream_open_async, "glint-stream-open",
                      cancellable, callback, user_data);

  if (priv->is_open || priv->opening)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "%s is already open", priv->address);
      return;
    }

  priv->opening = TRUE;
  GLINT_STREAM_GET_CLASS (self)->open_async (self, cancellable, glint_stream_op_cb,
                                             g_steal_pointer (&task));
}

gboolean
glint_stream_open_finish (GlintStream   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return op_finish (self, result, glint_stream_open_async, error);
}

/**
 * glint_stream_set_baud_async:
 * @baud: bits per second
 *
 * Changes the line speed. Completes at once when @baud is the current speed,
 * so callers never pay a round trip for a setting that did not change.
 */
void
glint_stream_set_baud_async (GlintStream         *self,
                             guint                baud,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  OpData *data;

  g_return_if_fail (GLINT_IS_STREAM (self));

  task = op_task_new (self, OP_BAUD, glint_stream_set_baud_async, "glint-stream-set-baud",
                      cancellable, callback, user_data);
  data = g_task_get_task_data (task);
  data->baud = baud;

  if (baud == 0)
    {
      g_task_return_new_error (task, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                               _("baud rate must be positive"));
      return;
    }

  if (!check_open (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (baud == priv->baud)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  GLINT_STREAM_GET_CLASS (self)->set_baud_async (self, baud, cancellable, glint_stream_op_cb,
                                                 g_steal_pointer (&task));
}

gboolean
glint_stream_set_baud_finish (GlintStream   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return op_finish (self, result, glint_stream_set_baud_async, error);
}

/**
 * glint_stream_set_lines_async:
 * @mask: the lines to change
 * @values: for each line in @mask, asserted if set here
 *
 * Sets DTR and/or RTS. Lines that already have the requested state are not
 * sent again. Fails with %GLINT_ERROR_NOT_SUPPORTED where the stream cannot
 * control lines (sockets, ptys).
 */
void
glint_stream_set_lines_async (GlintStream         *self,
                              GlintLines           mask,
                              GlintLines           values,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GlintStreamPrivate *priv = glint_stream_get_instance_private (self);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  GlintLines changed;
  OpData *data;

  g_return_if_fail (GLINT_IS_STREAM (self));

  task = op_task_new (self, OP_LINES, glint_stream_set_lines_async, "glint-stream-set-lines",
                      cancellable, callback, user_data);

  if (!check_open (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  mask &= GLINT_LINE_DTR | GLINT_LINE_RTS;
  changed = mask & ((priv->lines ^ values) | ~priv->lines_known);
  if (changed == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  data = g_task_get_task_data (task);
  data->mask = changed;
  data->values = values & changed;

  GLINT_STREAM_GET_CLASS (self)->set_lines_async (self, changed, values & changed, cancellable,
                                                  glint_stream_op_cb, g_steal_pointer (&task));
}

gboolean
glint_stream_set_lines_finish (GlintStream   *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return op_finish (self, result, glint_stream_set_lines_async, error);
}

void
glint_stream_purge_async (GlintStream         *self,
                          GlintPurge           what,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (GLINT_IS_STREAM (self));

  task = op_task_new (self, OP_PURGE, glint_stream_purge_async, "glint-stream-purge",
                      cancellable, callback, user_data);

  if (!check_open (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  GLINT_STREAM_GET_CLASS (self)->purge_async (self, what, cancellable, glint_stream_op_cb,
                                              g_steal_pointer (&task));
}

gboolean
glint_stream_purge_finish (GlintStream   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return op_finish (self, result, glint_stream_purge_async, error);
}

void
glint_stream_drain_async (GlintStream         *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (GLINT_IS_STREAM (self));

  task = op_task_new (self, OP_DRAIN, glint_stream_drain_async, "glint-stream-drain",
                      cancellable, callback, user_data);

  if (!check_open (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  GLINT_STREAM_GET_CLASS (self)->drain_async (self, cancellable, glint_stream_op_cb,
                                              g_steal_pointer (&task));
}

gboolean
glint_stream_drain_finish (GlintStream   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return op_finish (self, result, glint_stream_drain_async, error);
}
