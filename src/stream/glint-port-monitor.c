/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "glint-port-details.h"
#include "glint-port-monitor.h"
#include "glint-serial-stream.h"

/* Serial ports as they are plugged in and out, without polling.
 *
 * The kernel creates /dev/ttyUSB0 and friends (devtmpfs) when a port
 * appears, so an inotify watch on /dev (a GFileMonitor) hears about every
 * port, also inside a Flatpak with --device=all, where /dev is the host's
 * and udev's socket is not there. An event starts a short timer, so that
 * the burst of a plug-in (node, then udev's by-id links and permission
 * changes) costs one listing, done in a thread by libserialport.
 *
 * GLINT_PORTS_DIR (for tests) watches another folder instead, and every
 * entry in it is a port (glint_port_list()). Only where no monitor can be
 * had does this fall back to listing every few seconds. */

#define SETTLE_MS      200
#define POLL_FALLBACK_S  2

#define BY_PATH_DIR "/dev/serial/by-path"

struct _GlintPortMonitor
{
  GObject       parent_instance;

  char         *dir;            /* the folder watched */
  gboolean      test_dir;       /* GLINT_PORTS_DIR: entries are ports */
  GFileMonitor *monitor;
  guint         settle_id;
  guint         poll_id;        /* only without a monitor */
  gboolean      enumerating;
  gboolean      again;          /* something changed while listing */
  guint         n_enumerations;
  GPtrArray    *ports;          /* of GlintSerialPortInfo */
  GPtrArray    *missing;        /* of GlintMissingPort */
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (GlintPortMonitor, glint_port_monitor, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PORTS,
  PROP_MISSING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
test_ports_dir (void)
{
  const char *dir = g_getenv ("GLINT_PORTS_DIR");

  return (dir != NULL && dir[0] != '\0') ? dir : NULL;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* A stand-in port that is a regular file may describe the USB device
 * behind it, as a key file:
 *
 *   [usb]
 *   vid=10c4
 *   pid=ea60
 *   serial=0001
 *   by-path=pci-0000:00:14.0-usb-0:2:1.0-port0
 *   product=CP2102N USB to UART Bridge Controller
 *   device=/dev/pts/7
 *
 * (vid and pid in hex; device, if given, is the port to open, a pty that
 * plays the board, and the port's path). Anything else (an empty file, a
 * link to a pty) is a port with no USB identity. */
static void
read_test_identity (GlintSerialPortInfo *info)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *vid = NULL;
  g_autofree char *pid = NULL;
  g_autofree char *device = NULL;
  guint64 v = 0, p = 0;
  GStatBuf st;

  if (g_lstat (info->path, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size == 0 ||
      !g_key_file_load_from_file (file, info->path, G_KEY_FILE_NONE, NULL))
    return;

  vid = g_key_file_get_string (file, "usb", "vid", NULL);
  pid = g_key_file_get_string (file, "usb", "pid", NULL);
  if (vid == NULL || pid == NULL ||
      !g_ascii_string_to_unsigned (vid, 16, 0, G_MAXUINT16, &v, NULL) ||
      !g_ascii_string_to_unsigned (pid, 16, 0, G_MAXUINT16, &p, NULL))
    return;

  info->is_usb = TRUE;
  info->vid = (guint16) v;
  info->pid = (guint16) p;
  info->serial = g_key_file_get_string (file, "usb", "serial", NULL);
  info->by_path = g_key_file_get_string (file, "usb", "by-path", NULL);
  info->product = g_key_file_get_string (file, "usb", "product", NULL);
  device = g_key_file_get_string (file, "usb", "device", NULL);
  if (device != NULL && device[0] != '\0')
    {
      g_free (info->path);
      info->path = g_steal_pointer (&device);
    }
}

/* GLINT_PORTS_DIR: every entry is a port, named after itself unless its
 * USB identity names it. */
static GPtrArray *
list_test_dir (const char  *dir,
               GError     **error)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *ports;
  const char *name;

  if (handle == NULL)
    return NULL;

  while ((name = g_dir_read_name (handle)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  ports = g_ptr_array_new_with_free_func ((GDestroyNotify) glint_serial_port_info_free);
  for (guint i = 0; i < names->len; i++)
    {
      GlintSerialPortInfo *info = g_new0 (GlintSerialPortInfo, 1);
      const char *known;

      info->path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      read_test_identity (info);
      known = info->is_usb ? glint_serial_port_lookup_usb_name (info->vid, info->pid) : NULL;
      if (known != NULL)
        info->friendly_name = g_strdup (known);
      else if (info->product != NULL)
        info->friendly_name = g_strdup (info->product);
      else
        info->friendly_name = g_strdup (g_ptr_array_index (names, i));
      info->description = g_strdup (info->friendly_name);
      g_ptr_array_add (ports, info);
    }

  return ports;
}

/* The /dev/serial/by-path names of local USB ports: udev's links, which
 * stay the same for the same socket of the same hub. */
static void
add_by_path (GPtrArray *ports)
{
  g_autoptr(GDir) handle = g_dir_open (BY_PATH_DIR, 0, NULL);
  const char *name;

  if (handle == NULL)
    return;

  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *link = g_build_filename (BY_PATH_DIR, name, NULL);
      g_autofree char *target = realpath (link, NULL);

      for (guint i = 0; target != NULL && i < ports->len; i++)
        {
          GlintSerialPortInfo *info = g_ptr_array_index (ports, i);

          if (info->is_usb && info->by_path == NULL && g_strcmp0 (info->path, target) == 0)
            info->by_path = g_strdup (name);
        }
    }
}

/**
 * glint_port_list:
 *
 * Lists the local serial ports (USB ports first, then by path) with the
 * USB identity of each, by-path name included, who holds each, its group
 * and whether this user may open it; not the ttyS placeholders with no
 * UART behind them (glint_port_is_placeholder()). Blocks on sysfs: call it
 * from a thread where that matters. With GLINT_PORTS_DIR set (tests),
 * lists that folder's entries instead.
 *
 * Returns: (transfer full) (element-type GlintSerialPortInfo): the ports,
 *   or %NULL with @error set
 */
GPtrArray *
glint_port_list (GError **error)
{
  const char *test_dir = test_ports_dir ();
  GPtrArray *ports;

  if (test_dir != NULL)
    ports = list_test_dir (test_dir, error);
  else
    {
      ports = glint_serial_port_enumerate (error);
      if (ports != NULL)
        add_by_path (ports);
    }

  for (guint i = 0; ports != NULL && i < ports->len; )
    {
      GlintSerialPortInfo *info = g_ptr_array_index (ports, i);

      /* Every PC has ttyS ports whether a UART is there or not. */
      if (!info->is_usb && glint_port_is_placeholder (info->path))
        {
          g_ptr_array_remove_index (ports, i);
          continue;
        }
      glint_port_details_fill (info);
      i++;
    }

  return ports;
}

/**
 * glint_serial_port_info_get_usb_identity:
 *
 * Returns: (transfer full) (nullable): the USB identity of the port, or
 *   %NULL where it is not a USB port
 */
GlintUsbIdentity *
glint_serial_port_info_get_usb_identity (const GlintSerialPortInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  if (!info->is_usb)
    return NULL;

  return glint_usb_identity_new (info->vid, info->pid, info->serial, info->by_path);
}

/**
 * glint_port_lookup_usb_identity:
 * @path: a port, as typed (a link such as `/dev/serial/by-id/...` is
 *   followed)
 *
 * Looks at that one port (with GLINT_PORTS_DIR set, at that folder's
 * entries); blocks on sysfs like glint_port_list().
 *
 * Returns: (transfer full) (nullable): the USB device behind @path, or
 *   %NULL where it is not a USB port or not there
 */
GlintUsbIdentity *
glint_port_lookup_usb_identity (const char *path)
{
  g_autoptr(GPtrArray) ports = NULL;
  g_autoptr(GlintSerialPortInfo) info = NULL;
  g_autofree char *real = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  real = realpath (path, NULL);
  if (test_ports_dir () == NULL)
    {
      /* one port, not the whole list */
      if (real == NULL || (info = glint_serial_port_info_new_for_path (real)) == NULL)
        return NULL;
      ports = g_ptr_array_new ();
      g_ptr_array_add (ports, info);
      add_by_path (ports);
      return glint_serial_port_info_get_usb_identity (info);
    }

  ports = glint_port_list (NULL);
  for (guint i = 0; ports != NULL && i < ports->len; i++)
    {
      GlintSerialPortInfo *port = g_ptr_array_index (ports, i);

      if (g_strcmp0 (port->path, path) == 0 || g_strcmp0 (port->path, real) == 0)
        return glint_serial_port_info_get_usb_identity (port);
    }

  return NULL;
}

/**
 * glint_port_find_usb_identity:
 * @identity: the USB device a port was behind
 *
 * Finds that device's port again, after it went away and came back (a
 * native-USB chip re-enumerates on every reset, often as another ttyACM;
 * a hub glitch does the same): the same vendor and product and the same
 * serial number, or without one the same socket (by-path). Lists the
 * ports like glint_port_list().
 *
 * Returns: (transfer full) (nullable): the port's path now, or %NULL where
 *   it is not there (yet)
 */
char *
glint_port_find_usb_identity (const GlintUsbIdentity *identity)
{
  g_autoptr(GPtrArray) ports = NULL;

  g_return_val_if_fail (identity != NULL, NULL);

  if (identity->serial == NULL && identity->by_path == NULL)
    return NULL;

  ports = glint_port_list (NULL);
  for (guint i = 0; ports != NULL && i < ports->len; i++)
    {
      GlintSerialPortInfo *port = g_ptr_array_index (ports, i);

      if (!port->is_usb || port->vid != identity->vid || port->pid != identity->pid)
        continue;
      if (identity->serial != NULL ? g_strcmp0 (port->serial, identity->serial) == 0
                                   : g_strcmp0 (port->by_path, identity->by_path) == 0)
        return g_strdup (port->path);
    }

  return NULL;
}

typedef struct
{
  GPtrArray *ports;
  GPtrArray *missing;
} Listing;

static void
listing_free (Listing *listing)
{
  g_clear_pointer (&listing->ports, g_ptr_array_unref);
  g_clear_pointer (&listing->missing, g_ptr_array_unref);
  g_free (listing);
}

static gboolean
same_missing (GPtrArray *a,
              GPtrArray *b)
{
  if (a == NULL || b == NULL || a->len != b->len)
    return FALSE;

  for (guint i = 0; i < a->len; i++)
    {
      GlintMissingPort *x = g_ptr_array_index (a, i);
      GlintMissingPort *y = g_ptr_array_index (b, i);

      if (g_strcmp0 (x->usb_path, y->usb_path) != 0 || x->vid != y->vid || x->pid != y->pid ||
          g_strcmp0 (x->claimed_by, y->claimed_by) != 0)
        return FALSE;
    }

  return TRUE;
}

static void
enumerate_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *ports;
  Listing *listing;

  ports = glint_port_list (&error);

  if (ports == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  listing = g_new0 (Listing, 1);
  listing->ports = ports;
  listing->missing = glint_port_list_missing ();
  g_task_return_pointer (task, listing, (GDestroyNotify) listing_free);
}

static gboolean
same_ports (GPtrArray *a,
            GPtrArray *b)
{
  if (a == NULL || b == NULL || a->len != b->len)
    return FALSE;

  for (guint i = 0; i < a->len; i++)
    {
      GlintSerialPortInfo *x = g_ptr_array_index (a, i);
      GlintSerialPortInfo *y = g_ptr_array_index (b, i);

      if (g_strcmp0 (x->path, y->path) != 0 ||
          g_strcmp0 (x->friendly_name, y->friendly_name) != 0 ||
          x->vid != y->vid || x->pid != y->pid || g_strcmp0 (x->serial, y->serial) != 0 ||
          g_strcmp0 (x->by_path, y->by_path) != 0 || g_strcmp0 (x->holder, y->holder) != 0 ||
          x->holder_pid != y->holder_pid || x->denied != y->denied)
        return FALSE;
    }

  return TRUE;
}

static void enumerate (GlintPortMonitor *self);

static void
enumerate_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GlintPortMonitor *self = GLINT_PORT_MONITOR (object);
  g_autoptr(GError) error = NULL;
  Listing *listing = g_task_propagate_pointer (G_TASK (result), &error);

  self->enumerating = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (listing == NULL)
    g_debug ("listing serial ports: %s", error->message);
  else
    {
      /* the ports first: a window reading both sees them agree */
      gboolean ports_changed = !same_ports (listing->ports, self->ports);
      gboolean missing_changed = !same_missing (listing->missing, self->missing);

      if (ports_changed)
        {
          g_clear_pointer (&self->ports, g_ptr_array_unref);
          self->ports = g_steal_pointer (&listing->ports);
        }
      if (missing_changed)
        {
          g_clear_pointer (&self->missing, g_ptr_array_unref);
          self->missing = g_steal_pointer (&listing->missing);
        }
      listing_free (listing);
      if (missing_changed)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MISSING]);
      if (ports_changed)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORTS]);
    }

  if (self->again)
    {
      self->again = FALSE;
      enumerate (self);
    }
}

/* libserialport reads sysfs: cheap, but not for the main loop. */
static void
enumerate (GlintPortMonitor *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->enumerating)
    {
      self->again = TRUE;
      return;
    }

  self->enumerating = TRUE;
  self->n_enumerations++;
  /* The task holds a reference until the thread is done. */
  task = g_task_new (self, self->cancellable, enumerate_cb, NULL);
  g_task_set_source_tag (task, enumerate);
  g_task_set_name (task, "glint-enumerate-ports");
  g_task_run_in_thread (task, enumerate_thread);
}

static void
settle_cb (gpointer user_data)
{
  GlintPortMonitor *self = user_data;

  self->settle_id = 0;
  enumerate (self);
}

/* Serial ports, as the kernel names them in /dev on Linux. */
static gboolean
is_port_name (const char *name)
{
  return g_str_has_prefix (name, "tty") || g_str_has_prefix (name, "rfcomm");
}

static void
on_monitor_changed_cb (GlintPortMonitor  *self,
                       GFile             *file,
                       GFile             *other_file,
                       GFileMonitorEvent  event,
                       GFileMonitor      *monitor)
{
  g_autofree char *name = NULL;

  if (event != G_FILE_MONITOR_EVENT_CREATED && event != G_FILE_MONITOR_EVENT_DELETED &&
      event != G_FILE_MONITOR_EVENT_MOVED_IN && event != G_FILE_MONITOR_EVENT_MOVED_OUT &&
      event != G_FILE_MONITOR_EVENT_RENAMED)
    return;

  name = g_file_get_basename (file);
  if (!self->test_dir && !is_port_name (name))
    return;

  /* Wait for the burst to settle; a timer already running covers it. */
  if (self->settle_id == 0)
    self->settle_id = g_timeout_add_once (SETTLE_MS, settle_cb, self);
}

static gboolean
poll_cb (gpointer user_data)
{
  enumerate (GLINT_PORT_MONITOR (user_data));

  return G_SOURCE_CONTINUE;
}

static void
glint_port_monitor_dispose (GObject *object)
{
  GlintPortMonitor *self = GLINT_PORT_MONITOR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->settle_id, g_source_remove);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }

  G_OBJECT_CLASS (glint_port_monitor_parent_class)->dispose (object);
}

static void
glint_port_monitor_finalize (GObject *object)
{
  GlintPortMonitor *self = GLINT_PORT_MONITOR (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->ports, g_ptr_array_unref);
  g_clear_pointer (&self->missing, g_ptr_array_unref);
  g_free (self->dir);

  G_OBJECT_CLASS (glint_port_monitor_parent_class)->finalize (object);
}

static void
glint_port_monitor_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  GlintPortMonitor *self = GLINT_PORT_MONITOR (object);

  switch (prop_id)
    {
    case PROP_PORTS:
      g_value_set_boxed (value, self->ports);
      break;

    case PROP_MISSING:
      g_value_set_boxed (value, self->missing);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_port_monitor_class_init (GlintPortMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = glint_port_monitor_dispose;
  object_class->finalize = glint_port_monitor_finalize;
  object_class->get_property = glint_port_monitor_get_property;

  /**
   * GlintPortMonitor:ports: (type GPtrArray(GlintSerialPortInfo))
   *
   * The serial ports there are now, sorted as libserialport lists them;
   * %NULL until the first listing is done.
   */
  properties[PROP_PORTS] =
    g_param_spec_boxed ("ports", NULL, NULL, G_TYPE_PTR_ARRAY,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintPortMonitor:missing: (type GPtrArray(GlintMissingPort))
   *
   * The USB-serial bridges plugged in without a serial port (taken by
   * brltty, or without their driver); %NULL until the first listing.
   */
  properties[PROP_MISSING] =
    g_param_spec_boxed ("missing", NULL, NULL, G_TYPE_PTR_ARRAY,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
glint_port_monitor_init (GlintPortMonitor *self)
{
  const char *test_dir = test_ports_dir ();
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GError) error = NULL;

  self->cancellable = g_cancellable_new ();
  self->test_dir = test_dir != NULL;
  self->dir = g_strdup (self->test_dir ? test_dir : "/dev");

  dir = g_file_new_for_path (self->dir);
  self->monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->monitor != NULL)
    g_signal_connect_object (self->monitor, "changed", G_CALLBACK (on_monitor_changed_cb),
                             self, G_CONNECT_SWAPPED);
  else
    {
      g_debug ("cannot watch %s (%s); listing ports every %u s", self->dir, error->message,
               POLL_FALLBACK_S);
      self->poll_id = g_timeout_add_seconds (POLL_FALLBACK_S, poll_cb, self);
    }

  enumerate (self);
}

/**
 * glint_port_monitor_new:
 *
 * Returns: (transfer full): a monitor that lists the serial ports now and
 *   whenever one comes or goes
 */
GlintPortMonitor *
glint_port_monitor_new (void)
{
  return g_object_new (GLINT_TYPE_PORT_MONITOR, NULL);
}

/**
 * glint_port_monitor_get_ports:
 * @self: a #GlintPortMonitor
 *
 * Returns: (transfer none) (nullable) (element-type GlintSerialPortInfo):
 *   the ports, or %NULL before the first listing
 */
GPtrArray *
glint_port_monitor_get_ports (GlintPortMonitor *self)
{
  g_return_val_if_fail (GLINT_IS_PORT_MONITOR (self), NULL);

  return self->ports;
}

/**
 * glint_port_monitor_get_missing:
 * @self: a #GlintPortMonitor
 *
 * Returns: (transfer none) (nullable) (element-type GlintMissingPort):
 *   the bridges plugged in without a serial port, or %NULL before the
 *   first listing
 */
GPtrArray *
glint_port_monitor_get_missing (GlintPortMonitor *self)
{
  g_return_val_if_fail (GLINT_IS_PORT_MONITOR (self), NULL);

  return self->missing;
}

/**
 * glint_port_monitor_refresh:
 * @self: a #GlintPortMonitor
 *
 * Lists the ports again now (when the window gets the focus: a port that
 * changed while nobody looked).
 */
void
glint_port_monitor_refresh (GlintPortMonitor *self)
{
  g_return_if_fail (GLINT_IS_PORT_MONITOR (self));

  enumerate (self);
}

guint
_glint_port_monitor_get_n_enumerations (GlintPortMonitor *self)
{
  g_return_val_if_fail (GLINT_IS_PORT_MONITOR (self), 0);

  return self->n_enumerations;
}

gboolean
_glint_port_monitor_is_polling (GlintPortMonitor *self)
{
  g_return_val_if_fail (GLINT_IS_PORT_MONITOR (self), FALSE);

  return self->poll_id != 0;
}
