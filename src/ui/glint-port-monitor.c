/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

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
 * entry in it is a port. Only where no monitor can be had does this fall
 * back to listing every few seconds. */

#define SETTLE_MS      200
#define POLL_FALLBACK_S  2

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
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (GlintPortMonitor, glint_port_monitor, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PORTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* GLINT_PORTS_DIR: every entry is a port, named after itself. */
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

      info->path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      info->friendly_name = g_strdup (g_ptr_array_index (names, i));
      info->description = g_strdup (info->friendly_name);
      g_ptr_array_add (ports, info);
    }

  return ports;
}

static void
enumerate_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  const char *test_dir = task_data;
  GError *error = NULL;
  GPtrArray *ports;

  if (test_dir != NULL)
    ports = list_test_dir (test_dir, &error);
  else
    ports = glint_serial_port_enumerate (&error);

  if (ports == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, ports, (GDestroyNotify) g_ptr_array_unref);
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
          x->vid != y->vid || x->pid != y->pid)
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
  g_autoptr(GPtrArray) ports = g_task_propagate_pointer (G_TASK (result), &error);

  self->enumerating = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (ports == NULL)
    g_debug ("listing serial ports: %s", error->message);
  else if (!same_ports (ports, self->ports))
    {
      g_clear_pointer (&self->ports, g_ptr_array_unref);
      self->ports = g_steal_pointer (&ports);
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
  g_task_set_task_data (task, self->test_dir ? g_strdup (self->dir) : NULL, g_free);
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

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
glint_port_monitor_init (GlintPortMonitor *self)
{
  const char *test_dir = g_getenv ("GLINT_PORTS_DIR");
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GError) error = NULL;

  self->cancellable = g_cancellable_new ();
  self->test_dir = test_dir != NULL && test_dir[0] != '\0';
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
