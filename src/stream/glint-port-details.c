/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "glint-port-details.h"
#include "glint-serial-stream.h"
#include "glint-usb-identity.h"

/* What a person needs to know to pick the right port, read from sysfs and
 * /proc (Linux):
 *
 * - A ttyS with no UART behind it is a placeholder: the 8250 driver makes
 *   a few whether the hardware is there or not, and the kernel reports
 *   their `type` as 0 (PORT_UNKNOWN) in /sys/class/tty/ttySN/type.
 * - Which program holds a busy port: a process with the device open in
 *   /proc/PID/fd.
 * - A USB-serial bridge plugged in whose tty never came or vanished
 *   (brltty claims CH340 and CP210x adapters through its udev rules).
 * - The device node's group, which a user joins to be allowed in
 *   (dialout on Debian, uucp on Arch).
 *
 * GLINT_SYSFS_ROOT and GLINT_PROC_ROOT (for tests) read another folder
 * instead of /sys and /proc. */

static const char *
sysfs_root (void)
{
  const char *root = g_getenv ("GLINT_SYSFS_ROOT");

  return (root != NULL && root[0] != '\0') ? root : "/sys";
}

static const char *
proc_root (void)
{
  const char *root = g_getenv ("GLINT_PROC_ROOT");

  return (root != NULL && root[0] != '\0') ? root : "/proc";
}

static char *
read_attribute (const char *dir,
                const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  return g_strstrip (contents);
}

void
glint_missing_port_free (GlintMissingPort *port)
{
  if (port == NULL)
    return;

  g_free (port->name);
  g_free (port->product);
  g_free (port->serial);
  g_free (port->usb_path);
  g_free (port->driver);
  g_free (port->claimed_by);
  g_free (port);
}

/**
 * glint_port_is_placeholder:
 * @path: a local port ("/dev/ttyS0")
 *
 * Returns: whether sysfs says no hardware is behind the port: a serial
 *   core port whose type is 0 (PORT_UNKNOWN), or a tty with no device.
 *   A port sysfs does not know is not a placeholder.
 */
gboolean
glint_port_is_placeholder (const char *path)
{
  g_autofree char *name = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *device = NULL;
  g_autofree char *type = NULL;
  guint64 value;

  g_return_val_if_fail (path != NULL, FALSE);

  name = g_path_get_basename (path);
  dir = g_build_filename (sysfs_root (), "class", "tty", name, NULL);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return FALSE;

  device = g_build_filename (dir, "device", NULL);
  if (!g_file_test (device, G_FILE_TEST_EXISTS))
    return TRUE;

  type = read_attribute (dir, "type");
  return type != NULL && g_ascii_string_to_unsigned (type, 10, 0, G_MAXUINT, &value, NULL) &&
         value == 0;
}

/* The process that has a file with the device number @rdev open. */
static char *
find_holder (dev_t  rdev,
             guint *pid)
{
  g_autoptr(GDir) proc = g_dir_open (proc_root (), 0, NULL);
  const char *entry;

  while (proc != NULL && (entry = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *fd_dir = NULL;
      g_autoptr(GDir) fds = NULL;
      const char *fd;
      guint64 n;

      if (!g_ascii_string_to_unsigned (entry, 10, 1, G_MAXINT, &n, NULL))
        continue;
      fd_dir = g_build_filename (proc_root (), entry, "fd", NULL);
      fds = g_dir_open (fd_dir, 0, NULL);
      while (fds != NULL && (fd = g_dir_read_name (fds)) != NULL)
        {
          g_autofree char *fd_path = g_build_filename (fd_dir, fd, NULL);
          GStatBuf st;

          if (g_stat (fd_path, &st) == 0 && S_ISCHR (st.st_mode) && st.st_rdev == rdev)
            {
              g_autofree char *comm_dir = g_build_filename (proc_root (), entry, NULL);
              char *comm = read_attribute (comm_dir, "comm");

              *pid = (guint) n;
              return comm != NULL ? comm : g_strdup ("?");
            }
        }
    }

  return NULL;
}

/**
 * glint_port_holder:
 * @path: a serial port's device node (a link to one is followed)
 * @pid: (out): the process holding it
 *
 * Which process has the device open, found in /proc; the first one
 * found.
 *
 * Returns: (transfer full) (nullable): its name ("minicom"), or %NULL
 */
char *
glint_port_holder (const char *path,
                   guint      *pid)
{
  GStatBuf port;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (pid != NULL, NULL);

  if (g_stat (path, &port) != 0 || !S_ISCHR (port.st_mode))
    return NULL;

  return find_holder (port.st_rdev, pid);
}

/**
 * glint_port_group:
 * @path: a serial port's device node
 *
 * Returns: (transfer full) (nullable): the name of the node's group, the
 *   one to join for access ("dialout", "uucp"); %NULL where that is root
 *   or unknown
 */
char *
glint_port_group (const char *path)
{
  GStatBuf st;
  struct group *group;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_stat (path, &st) != 0 || st.st_gid == 0)
    return NULL;
  group = getgrgid (st.st_gid);

  return group != NULL ? g_strdup (group->gr_name) : NULL;
}

/**
 * glint_port_permission_command:
 * @path: (nullable): the port that could not be opened
 *
 * Returns: (transfer full): the command that lets this user open it: join
 *   the device node's group (dialout where it cannot be read)
 */
char *
glint_port_permission_command (const char *path)
{
  g_autofree char *group = path != NULL ? glint_port_group (path) : NULL;

  return g_strdup_printf ("sudo usermod -aG %s $USER", group != NULL ? group : "dialout");
}

/**
 * glint_port_details_fill:
 * @info: a port of glint_port_list()
 *
 * Adds who holds the port, its group and whether this user may open it.
 */
void
glint_port_details_fill (GlintSerialPortInfo *info)
{
  g_return_if_fail (info != NULL);

  g_clear_pointer (&info->holder, g_free);
  g_clear_pointer (&info->group, g_free);
  info->holder_pid = 0;
  info->holder = glint_port_holder (info->path, &info->holder_pid);
  info->group = glint_port_group (info->path);
  info->denied = g_access (info->path, R_OK | W_OK) != 0 && (errno == EACCES || errno == EPERM);
}

/**
 * glint_port_describe_adapter:
 * @info: a port
 *
 * Returns: (transfer full): what carries the port, for a second line
 *   under its name: the USB product string, the serial number, and
 *   whether it is the chip's own USB; or that it is a port of the computer
 */
char *
glint_port_describe_adapter (const GlintSerialPortInfo *info)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (info != NULL, NULL);

  if (!info->is_usb)
    return g_strdup (_("a serial port of this computer"));

  if (info->vid == GLINT_USB_VID_ESPRESSIF)
    g_ptr_array_add (parts, g_strdup (_("the chip’s own USB")));
  if (info->product != NULL && g_strcmp0 (info->product, info->friendly_name) != 0)
    g_ptr_array_add (parts, g_strdup (info->product));
  /* Translators: a USB serial number, like "serial 0001" */
  if (info->serial != NULL)
    g_ptr_array_add (parts, g_strdup_printf (_("serial %s"), info->serial));
  g_ptr_array_add (parts, g_strdup_printf ("USB %04x:%04x", info->vid, info->pid));
  g_ptr_array_add (parts, NULL);

  return g_strjoinv (" · ", (char **) parts->pdata);
}

/**
 * glint_port_describe_state:
 * @info: a port of glint_port_list()
 *
 * Returns: (transfer full) (nullable): why the port cannot be used now,
 *   with the way out, or %NULL where nothing stands in the way
 */
char *
glint_port_describe_state (const GlintSerialPortInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  if (info->holder != NULL)
    /* Translators: "in use by minicom (process 1234): close it first" */
    return g_strdup_printf (_("in use by %s (process %u): close it first"),
                            info->holder, info->holder_pid);
  if (info->denied)
    /* Translators: "you may not open it: join the “dialout” group" */
    return g_strdup_printf (_("you may not open it: join the “%s” group"),
                            info->group != NULL ? info->group : "dialout");

  return NULL;
}

/* The kernel driver that makes the tty of a known bridge. */
static const char *
bridge_driver (guint16 vid,
               guint16 pid)
{
  switch (vid)
    {
    case 0x1a86:
      return (pid == 0x7523 || pid == 0x5523) ? "ch341" : "cdc_acm";
    case 0x10c4:
      return "cp210x";
    case 0x0403:
      return "ftdi_sio";
    case 0x067b:
      return "pl2303";
    case GLINT_USB_VID_ESPRESSIF:
      return "cdc_acm";
    default:
      return NULL;
    }
}

/* Whether an interface of USB device @device (sysfs name) has a tty. */
static gboolean
has_tty (const char *devices,
         const char *device)
{
  g_autoptr(GDir) handle = g_dir_open (devices, 0, NULL);
  g_autofree char *prefix = g_strconcat (device, ":", NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *dir = NULL;
      g_autoptr(GDir) interface = NULL;
      const char *child;

      if (!g_str_has_prefix (name, prefix))
        continue;
      dir = g_build_filename (devices, name, NULL);
      interface = g_dir_open (dir, 0, NULL);
      while (interface != NULL && (child = g_dir_read_name (interface)) != NULL)
        if (g_str_has_prefix (child, "tty"))
          return TRUE;
    }

  return FALSE;
}

/* A running brltty, by its process name. */
static char *
find_brltty (guint *pid)
{
  g_autoptr(GDir) proc = g_dir_open (proc_root (), 0, NULL);
  const char *entry;

  while (proc != NULL && (entry = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *dir = NULL;
      g_autofree char *comm = NULL;
      guint64 n;

      if (!g_ascii_string_to_unsigned (entry, 10, 1, G_MAXINT, &n, NULL))
        continue;
      dir = g_build_filename (proc_root (), entry, NULL);
      comm = read_attribute (dir, "comm");
      if (g_strcmp0 (comm, "brltty") == 0)
        {
          *pid = (guint) n;
          return g_steal_pointer (&comm);
        }
    }

  return NULL;
}

/**
 * glint_port_list_missing:
 *
 * Finds the USB-serial bridges that are plugged in but have no serial
 * port, and the program that took them where it is brltty. Blocks on
 * sysfs and /proc, like glint_port_list().
 *
 * Returns: (transfer full) (element-type GlintMissingPort): the bridges
 */
GPtrArray *
glint_port_list_missing (void)
{
  g_autofree char *devices = g_build_filename (sysfs_root (), "bus", "usb", "devices", NULL);
  g_autoptr(GDir) handle = g_dir_open (devices, 0, NULL);
  GPtrArray *missing = g_ptr_array_new_with_free_func ((GDestroyNotify) glint_missing_port_free);
  g_autofree char *brltty = NULL;
  guint brltty_pid = 0;
  gboolean looked = FALSE;
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *dir = NULL;
      g_autofree char *vid_text = NULL;
      g_autofree char *pid_text = NULL;
      guint64 vid, pid;
      const char *known;
      const char *driver;
      GlintMissingPort *port;

      if (strchr (name, ':') != NULL)
        continue;
      dir = g_build_filename (devices, name, NULL);
      vid_text = read_attribute (dir, "idVendor");
      pid_text = read_attribute (dir, "idProduct");
      if (vid_text == NULL || pid_text == NULL ||
          !g_ascii_string_to_unsigned (vid_text, 16, 0, G_MAXUINT16, &vid, NULL) ||
          !g_ascii_string_to_unsigned (pid_text, 16, 0, G_MAXUINT16, &pid, NULL))
        continue;
      known = glint_serial_port_lookup_usb_name ((guint16) vid, (guint16) pid);
      driver = bridge_driver ((guint16) vid, (guint16) pid);
      if (known == NULL || driver == NULL || has_tty (devices, name))
        continue;

      if (!looked)
        {
          brltty = find_brltty (&brltty_pid);
          looked = TRUE;
        }
      port = g_new0 (GlintMissingPort, 1);
      port->vid = (guint16) vid;
      port->pid = (guint16) pid;
      port->name = g_strdup (known);
      port->product = read_attribute (dir, "product");
      port->serial = read_attribute (dir, "serial");
      port->usb_path = g_strdup (name);
      port->driver = g_strdup (driver);
      port->claimed_by = g_strdup (brltty);
      port->claimed_pid = brltty_pid;
      g_ptr_array_add (missing, port);
    }

  return missing;
}

/**
 * glint_missing_port_describe:
 *
 * Returns: (transfer full): what is wrong, in a sentence
 */
char *
glint_missing_port_describe (const GlintMissingPort *port)
{
  g_return_val_if_fail (port != NULL, NULL);

  /* Translators: "CH340 (USB 1a86:7523) is plugged in but has no serial port" */
  return g_strdup_printf (_("%s (USB %04x:%04x) is plugged in but has no serial port"),
                          port->name, port->vid, port->pid);
}

/**
 * glint_missing_port_fix:
 *
 * Returns: (transfer full): why, and what to do about it
 */
char *
glint_missing_port_fix (const GlintMissingPort *port)
{
  g_return_val_if_fail (port != NULL, NULL);

  if (g_strcmp0 (port->claimed_by, "brltty") == 0)
    return g_strdup_printf (_("brltty, a braille display driver (process %u), took it. If you "
                              "use no braille display, remove it (“sudo apt remove brltty”, "
                              "or “sudo systemctl mask brltty-udev.service”), then plug the "
                              "board in again."),
                            port->claimed_pid);

  return g_strdup_printf (_("Its driver (%s) did not take it. Plug the board in again; if "
                            "that does not help, load the driver with “sudo modprobe %s”."),
                          port->driver, port->driver);
}
