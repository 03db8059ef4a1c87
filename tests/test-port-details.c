/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

/* posix_openpt() and friends */
#define _GNU_SOURCE

#include "config.h"

#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "glint-port-details.h"
#include "glint-port-monitor.h"
#include "glint-serial-stream.h"
#include "glint-test-utils.h"

/* Which port is the board: placeholders left out, the adapter named, who
 * holds a busy port, bridges taken by brltty, the group to join. sysfs,
 * /proc and the ports are stand-ins (GLINT_SYSFS_ROOT, GLINT_PROC_ROOT,
 * GLINT_PORTS_DIR) built in a temporary folder. */

typedef struct
{
  char *root;
  char *sys;
  char *proc;
  char *ports;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->root = g_dir_make_tmp ("glint-port-details-XXXXXX", &error);
  g_assert_no_error (error);
  f->sys = g_build_filename (f->root, "sys", NULL);
  f->proc = g_build_filename (f->root, "proc", NULL);
  f->ports = g_build_filename (f->root, "dev", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->sys, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (f->proc, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (f->ports, 0755), ==, 0);
  g_setenv ("GLINT_SYSFS_ROOT", f->sys, TRUE);
  g_setenv ("GLINT_PROC_ROOT", f->proc, TRUE);
  g_setenv ("GLINT_PORTS_DIR", f->ports, TRUE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_unsetenv ("GLINT_SYSFS_ROOT");
  g_unsetenv ("GLINT_PROC_ROOT");
  g_unsetenv ("GLINT_PORTS_DIR");
  glint_test_remove_dir (f->root);
  g_free (f->root);
  g_free (f->sys);
  g_free (f->proc);
  g_free (f->ports);
}

static char *
port_paths (GPtrArray *ports)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < ports->len; i++)
    {
      GlintSerialPortInfo *info = g_ptr_array_index (ports, i);
      g_autofree char *name = g_path_get_basename (info->path);

      g_string_append_printf (names, "%s%s", names->len > 0 ? " " : "", name);
    }

  return g_string_free (g_steal_pointer (&names), FALSE);
}

/* The 8250 driver makes ttyS0…ttyS3 whether a UART is there or not; sysfs
 * says which are real (type 4 is a 16550A, 0 is PORT_UNKNOWN). */
static void
test_placeholders (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) ports = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;

  glint_test_put_file (f->ports, "ttyS0", "");
  glint_test_put_file (f->ports, "ttyS1", "");
  glint_test_put_file (f->ports, "ttyS2", "");
  glint_test_put_file (f->ports, "ttyUSB0", "[usb]\nvid=10c4\npid=ea60\n");
  glint_test_put_file (f->ports, "ttyAMA0", "");    /* unknown to sysfs: kept */
  glint_test_put_file (f->sys, "devices/pnp0/00:01/uevent", "");
  glint_test_put_file (f->sys, "devices/platform/serial8250/uevent", "");
  glint_test_put_file (f->sys, "class/tty/ttyS0/type", "4\n");
  glint_test_put_link (f->sys, "class/tty/ttyS0/device", "../../../devices/pnp0/00:01");
  glint_test_put_file (f->sys, "class/tty/ttyS1/type", "0\n");
  glint_test_put_link (f->sys, "class/tty/ttyS1/device", "../../../devices/platform/serial8250");
  glint_test_put_file (f->sys, "class/tty/ttyS2/type", "4\n");   /* no device: not a port */

  ports = glint_port_list (&error);
  g_assert_no_error (error);
  names = port_paths (ports);
  g_assert_cmpstr (names, ==, "ttyAMA0 ttyS0 ttyUSB0");

  {
    g_autofree char *s1 = g_build_filename (f->ports, "ttyS1", NULL);
    g_autofree char *s0 = g_build_filename (f->ports, "ttyS0", NULL);

    g_assert_true (glint_port_is_placeholder (s1));
    g_assert_false (glint_port_is_placeholder (s0));
    g_assert_false (glint_port_is_placeholder ("/dev/ttyUSB0"));
  }
}

static GlintSerialPortInfo *
find_port (GPtrArray  *ports,
           const char *name)
{
  for (guint i = 0; i < ports->len; i++)
    {
      GlintSerialPortInfo *info = g_ptr_array_index (ports, i);

      if (g_str_has_suffix (info->path, name))
        return info;
    }
  g_error ("no port %s", name);
}

/* The second line of a port's row names the adapter, its serial number,
 * and the chip's own USB. */
static void
test_adapter (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) ports = NULL;
  g_autofree char *cp2102 = NULL;
  g_autofree char *native = NULL;
  g_autofree char *uart = NULL;
  GlintSerialPortInfo *info;

  glint_test_put_file (f->ports, "ttyUSB0", "[usb]\nvid=10c4\npid=ea60\nserial=0001\n"
                                            "product=CP2102N USB to UART Bridge Controller\n");
  glint_test_put_file (f->ports, "ttyACM0", "[usb]\nvid=303a\npid=1001\nserial=F4:12:FA:C0:FF:EE\n"
                                            "product=USB JTAG/serial debug unit\n");
  glint_test_put_file (f->ports, "ttyS0", "");
  ports = glint_port_list (NULL);

  info = find_port (ports, "ttyUSB0");
  g_assert_cmpstr (info->friendly_name, ==, "CP210x USB to UART");
  cp2102 = glint_port_describe_adapter (info);
  g_assert_cmpstr (cp2102, ==, "CP2102N USB to UART Bridge Controller · serial 0001 · "
                   "USB 10c4:ea60");

  info = find_port (ports, "ttyACM0");
  g_assert_cmpstr (info->friendly_name, ==, "Espressif USB-JTAG/Serial");
  native = glint_port_describe_adapter (info);
  g_assert_cmpstr (native, ==, "the chip’s own USB · USB JTAG/serial debug unit · "
                   "serial F4:12:FA:C0:FF:EE · USB 303a:1001");

  uart = glint_port_describe_adapter (find_port (ports, "ttyS0"));
  g_assert_cmpstr (uart, ==, "a serial port of this computer");
}

/* A busy port names the process that holds it, found through /proc. */
static void
test_holder (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *port = g_build_filename (f->ports, "ttyUSB5", NULL);
  g_autoptr(GPtrArray) ports = NULL;
  g_autofree char *state = NULL;
  g_autofree char *name = NULL;
  GlintSerialPortInfo *info;
  guint pid = 0;
  int master;

  master = posix_openpt (O_RDWR | O_NOCTTY);
  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  g_assert_cmpint (symlink (ptsname (master), port), ==, 0);

  /* free: nobody has it open */
  ports = glint_port_list (NULL);
  info = find_port (ports, "ttyUSB5");
  g_assert_null (info->holder);
  g_assert_null (glint_port_describe_state (info));
  g_clear_pointer (&ports, g_ptr_array_unref);

  /* minicom, process 4242, has it open as its fd 3 */
  glint_test_put_file (f->proc, "4242/comm", "minicom\n");
  glint_test_put_link (f->proc, "4242/fd/3", ptsname (master));
  glint_test_put_file (f->proc, "4243/comm", "bash\n");
  glint_test_put_link (f->proc, "4243/fd/0", "/dev/null");

  name = glint_port_holder (port, &pid);
  g_assert_cmpstr (name, ==, "minicom");
  g_assert_cmpuint (pid, ==, 4242);

  ports = glint_port_list (NULL);
  info = find_port (ports, "ttyUSB5");
  g_assert_cmpstr (info->holder, ==, "minicom");
  g_assert_cmpuint (info->holder_pid, ==, 4242);
  state = glint_port_describe_state (info);
  g_assert_cmpstr (state, ==, "in use by minicom (process 4242): close it first");

  close (master);
}

/* A CH340 on USB whose tty never came: brltty took it, or its driver is
 * missing; a CP2102 with its tty is fine. */
static void
test_missing (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) missing = NULL;
  g_autofree char *what = NULL;
  g_autofree char *fix = NULL;
  GlintMissingPort *port;

  glint_test_put_file (f->sys, "bus/usb/devices/1-2/idVendor", "1a86\n");
  glint_test_put_file (f->sys, "bus/usb/devices/1-2/idProduct", "7523\n");
  glint_test_put_file (f->sys, "bus/usb/devices/1-2/product", "USB Serial\n");
  glint_test_put_file (f->sys, "bus/usb/devices/1-2:1.0/bInterfaceNumber", "00\n");
  glint_test_put_file (f->sys, "bus/usb/devices/1-3/idVendor", "10c4\n");
  glint_test_put_file (f->sys, "bus/usb/devices/1-3/idProduct", "ea60\n");
  glint_test_put_file (f->sys, "bus/usb/devices/1-3:1.0/ttyUSB0/dev", "188:0\n");
  glint_test_put_file (f->sys, "bus/usb/devices/1-4/idVendor", "046d\n");    /* a mouse */
  glint_test_put_file (f->sys, "bus/usb/devices/1-4/idProduct", "c077\n");
  glint_test_put_file (f->sys, "bus/usb/devices/usb1/idVendor", "1d6b\n");   /* the root hub */
  glint_test_put_file (f->sys, "bus/usb/devices/usb1/idProduct", "0002\n");

  /* no brltty: the driver */
  missing = glint_port_list_missing ();
  g_assert_cmpuint (missing->len, ==, 1);
  port = g_ptr_array_index (missing, 0);
  g_assert_cmpstr (port->usb_path, ==, "1-2");
  g_assert_cmpstr (port->name, ==, "CH340");
  g_assert_cmpstr (port->product, ==, "USB Serial");
  g_assert_null (port->claimed_by);
  what = glint_missing_port_describe (port);
  g_assert_cmpstr (what, ==, "CH340 (USB 1a86:7523) is plugged in but has no serial port");
  fix = glint_missing_port_fix (port);
  g_assert_nonnull (strstr (fix, "sudo modprobe ch341"));
  g_clear_pointer (&fix, g_free);
  g_clear_pointer (&missing, g_ptr_array_unref);

  /* brltty runs: it took the adapter */
  glint_test_put_file (f->proc, "812/comm", "brltty\n");
  glint_test_put_file (f->proc, "1/comm", "systemd\n");
  missing = glint_port_list_missing ();
  g_assert_cmpuint (missing->len, ==, 1);
  port = g_ptr_array_index (missing, 0);
  g_assert_cmpstr (port->claimed_by, ==, "brltty");
  g_assert_cmpuint (port->claimed_pid, ==, 812);
  fix = glint_missing_port_fix (port);
  g_assert_nonnull (strstr (fix, "brltty"));
  g_assert_nonnull (strstr (fix, "process 812"));
  g_assert_nonnull (strstr (fix, "sudo apt remove brltty"));
}

/* The port monitor carries the missing bridges beside the ports. */
static void
test_monitor_missing (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GlintPortMonitor) monitor = NULL;
  GPtrArray *missing;

  glint_test_put_file (f->sys, "bus/usb/devices/3-1/idVendor", "1a86\n");
  glint_test_put_file (f->sys, "bus/usb/devices/3-1/idProduct", "7523\n");
  glint_test_put_file (f->proc, "99/comm", "brltty\n");

  monitor = glint_port_monitor_new ();
  while (glint_port_monitor_get_ports (monitor) == NULL)
    g_main_context_iteration (NULL, TRUE);
  missing = glint_port_monitor_get_missing (monitor);
  g_assert_nonnull (missing);
  g_assert_cmpuint (missing->len, ==, 1);
  g_assert_cmpstr (((GlintMissingPort *) g_ptr_array_index (missing, 0))->claimed_by, ==,
                   "brltty");
}

/* The group to join is the device node's, not a fixed name. */
static void
test_group (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *node = g_build_filename (f->ports, "ttyUSB0", NULL);
  g_autofree char *group = NULL;
  g_autofree char *command = NULL;
  struct group *uucp = getgrnam ("uucp");
  GStatBuf st;

  glint_test_put_file (f->ports, "ttyUSB0", "");
  g_assert_cmpint (g_stat (node, &st), ==, 0);
  if (getuid () == 0 && uucp != NULL)
    {
      g_assert_cmpint (chown (node, 0, uucp->gr_gid), ==, 0);
      group = glint_port_group (node);
      g_assert_cmpstr (group, ==, "uucp");
      command = glint_port_permission_command (node);
      g_assert_cmpstr (command, ==, "sudo usermod -aG uucp $USER");
    }
  else if (st.st_gid != 0)
    {
      group = glint_port_group (node);
      g_assert_cmpstr (group, ==, getgrgid (st.st_gid)->gr_name);
    }
  else
    g_test_incomplete ("the test file's group is root and cannot be changed");

  /* a node that cannot be read: Debian's group */
  g_clear_pointer (&command, g_free);
  command = glint_port_permission_command ("/nonexistent/ttyUSB0");
  g_assert_cmpstr (command, ==, "sudo usermod -aG dialout $USER");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/glint/port-details/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("placeholders", test_placeholders);
  ADD ("adapter", test_adapter);
  ADD ("holder", test_holder);
  ADD ("missing", test_missing);
  ADD ("monitor-missing", test_monitor_missing);
  ADD ("group", test_group);

#undef ADD

  return g_test_run ();
}
