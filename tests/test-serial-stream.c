/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <asm/termbits.h>

#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>

#include "glint-error.h"
#include "glint-port-monitor.h"
#include "glint-serial-stream.h"
#include "glint-test-utils.h"

/* Ptys have no modem lines, so the test binary interposes ioctl(): while
 * fake_modem_fd is set, the modem ioctls on that tty succeed against a
 * fake status word and TIOCMSET calls are counted. Everything else goes
 * to the kernel. */
static int fake_modem_fd = -1;
static int fake_modem_status;
static int fake_modem_sets;

int
ioctl (int           fd,
       unsigned long request,
       ...)
{
  va_list args;
  void *arg;

  va_start (args, request);
  arg = va_arg (args, void *);
  va_end (args);

  if (g_atomic_int_get (&fake_modem_fd) >= 0)
    {
      struct stat a, b;

      if ((request == TIOCMGET || request == TIOCMSET) &&
          fstat (fd, &a) == 0 && fstat (g_atomic_int_get (&fake_modem_fd), &b) == 0 &&
          a.st_rdev == b.st_rdev)
        {
          if (request == TIOCMGET)
            *(int *) arg = g_atomic_int_get (&fake_modem_status);
          else
            {
              g_atomic_int_set (&fake_modem_status, *(int *) arg);
              g_atomic_int_inc (&fake_modem_sets);
            }
          return 0;
        }
    }

  return syscall (SYS_ioctl, fd, request, arg);
}

typedef struct
{
  GSubprocess   *socat;
  char          *path_a;
  char          *path_b;
  GlintStream   *stream;     /* side A, through GlintSerialStream */
  int            fd_b;       /* side B, raw */
  GInputStream  *in_b;
  GOutputStream *out_b;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  user_data)
{
  fixture->fd_b = -1;
  fixture->socat = glint_test_pty_pair (&fixture->path_a, &fixture->path_b);
  if (fixture->socat == NULL)
    return;

  fixture->fd_b = open (fixture->path_b, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  g_assert_cmpint (fixture->fd_b, >=, 0);
  fixture->in_b = g_unix_input_stream_new (fixture->fd_b, FALSE);
  fixture->out_b = g_unix_output_stream_new (fixture->fd_b, FALSE);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autofree char *dir = NULL;

  if (fixture->stream != NULL)
    g_io_stream_close (G_IO_STREAM (fixture->stream), NULL, NULL);
  g_clear_object (&fixture->stream);
  g_clear_object (&fixture->in_b);
  g_clear_object (&fixture->out_b);
  if (fixture->fd_b >= 0)
    close (fixture->fd_b);

  glint_test_stop_subprocess (fixture->socat);
  g_clear_object (&fixture->socat);

  if (fixture->path_a != NULL)
    {
      dir = g_path_get_dirname (fixture->path_a);
      g_unlink (fixture->path_a);
      g_unlink (fixture->path_b);
      g_rmdir (dir);
    }
  g_clear_pointer (&fixture->path_a, g_free);
  g_clear_pointer (&fixture->path_b, g_free);
}

static gboolean
open_stream (Fixture *fixture)
{
  if (fixture->socat == NULL)
    return FALSE;

  fixture->stream = glint_test_open_stream (fixture->path_a);
  g_assert_true (GLINT_IS_SERIAL_STREAM (fixture->stream));
  g_assert_true (glint_stream_get_is_open (fixture->stream));

  return TRUE;
}

static GError *
try_open (const char   *path,
          GCancellable *cancellable,
          GlintStream **out_stream)
{
  g_autoptr(GlintStream) stream = glint_serial_stream_new (path);
  GError *error = NULL;

  glint_test_open (stream, cancellable, &error);
  if (out_stream != NULL && error == NULL)
    *out_stream = g_steal_pointer (&stream);

  return error;
}

static GBytes *
test_pattern (void)
{
  gsize len = 256 + 64 * 1024;
  guint8 *data = g_malloc (len);
  guint32 state = 0x1234567;

  for (guint i = 0; i < 256; i++)
    data[i] = i;
  for (gsize i = 256; i < len; i++)
    {
      state = state * 1103515245 + 12345;
      data[i] = state >> 16;
    }

  return g_bytes_new_take (data, len);
}

/* Writes everything to @output while reading it back from @input, both
 * driven by the main loop (a pty holds only a few KiB). */
static void
assert_transfer (GOutputStream *output,
                 GInputStream  *input)
{
  g_autoptr(GBytes) pattern = test_pattern ();
  gsize len = g_bytes_get_size (pattern);
  g_autofree guint8 *received = g_malloc0 (len);
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  gsize written = 0;

  g_output_stream_write_all_async (output, g_bytes_get_data (pattern, NULL), len,
                                   G_PRIORITY_DEFAULT, NULL, glint_test_store_result_cb,
                                   &result);
  glint_test_read_exact (input, received, len, 20000);
  result = glint_test_wait_for ((gpointer *) &result, 10000);
  g_output_stream_write_all_finish (output, result, &written, &error);
  g_object_unref (result);
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, len);

  g_assert_cmpmem (received, len, g_bytes_get_data (pattern, NULL), len);
}

static void
test_serial_transfer_out (Fixture       *fixture,
                          gconstpointer  user_data)
{
  GOutputStream *output;

  if (!open_stream (fixture))
    return;

  output = g_io_stream_get_output_stream (G_IO_STREAM (fixture->stream));
  g_assert_true (G_IS_POLLABLE_OUTPUT_STREAM (output));
  g_assert_true (g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (output)));
  assert_transfer (output, fixture->in_b);
}

static void
test_serial_transfer_in (Fixture       *fixture,
                         gconstpointer  user_data)
{
  GInputStream *input;

  if (!open_stream (fixture))
    return;

  input = g_io_stream_get_input_stream (G_IO_STREAM (fixture->stream));
  g_assert_true (G_IS_POLLABLE_INPUT_STREAM (input));
  g_assert_true (g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (input)));
  assert_transfer (fixture->out_b, input);
}

static guint
pty_speed (const char *path)
{
  struct termios2 tio;
  int fd = open (path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ioctl (fd, TCGETS2, &tio), ==, 0);
  close (fd);

  return tio.c_ospeed;
}

static void
test_serial_baud (Fixture       *fixture,
                  gconstpointer  user_data)
{
  const guint rates[] = { 921600, 2000000, 74880, 1500000, 115200 };
  g_autoptr(GError) error = NULL;

  if (!open_stream (fixture))
    return;

  /* open records the speed the port really runs at */
  g_assert_cmpuint (glint_stream_get_baud (fixture->stream), ==, pty_speed (fixture->path_a));

  for (guint i = 0; i < G_N_ELEMENTS (rates); i++)
    {
      g_assert_true (glint_test_set_baud (fixture->stream, rates[i], &error));
      g_assert_no_error (error);
      g_assert_cmpuint (glint_stream_get_baud (fixture->stream), ==, rates[i]);
      g_assert_cmpuint (pty_speed (fixture->path_a), ==, rates[i]);
    }
}

static void
test_serial_lines_pty (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  if (!open_stream (fixture))
    return;

  /* Linux ptys have no modem lines: TIOCMGET/TIOCMSET give ENOTTY */
  g_assert_false (glint_test_set_lines (fixture->stream, GLINT_LINE_DTR | GLINT_LINE_RTS,
                                        GLINT_LINE_DTR, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "DTR/RTS"));
  g_assert_false (glint_stream_get_can_control_lines (fixture->stream));
}

static void
test_serial_lines_together (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  int fd;

  if (fixture->socat == NULL)
    return;

  fd = open (fixture->path_a, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_atomic_int_set (&fake_modem_status, TIOCM_DTR | TIOCM_RTS | TIOCM_CTS);
  g_atomic_int_set (&fake_modem_sets, 0);
  g_atomic_int_set (&fake_modem_fd, fd);

  open_stream (fixture);
  g_assert_true (glint_stream_get_can_control_lines (fixture->stream));

  /* esptool's UnixTightReset: both lines in one TIOCMSET each step */
  g_assert_true (glint_test_set_lines (fixture->stream, GLINT_LINE_DTR | GLINT_LINE_RTS,
                                       GLINT_LINE_RTS, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_atomic_int_get (&fake_modem_sets), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&fake_modem_status), ==, TIOCM_RTS | TIOCM_CTS);

  g_assert_true (glint_test_set_lines (fixture->stream, GLINT_LINE_DTR | GLINT_LINE_RTS,
                                       GLINT_LINE_DTR, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_atomic_int_get (&fake_modem_sets), ==, 2);
  g_assert_cmpint (g_atomic_int_get (&fake_modem_status), ==, TIOCM_DTR | TIOCM_CTS);

  /* one line alone leaves the other as it is */
  g_assert_true (glint_test_set_lines (fixture->stream, GLINT_LINE_RTS, GLINT_LINE_RTS, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_atomic_int_get (&fake_modem_sets), ==, 3);
  g_assert_cmpint (g_atomic_int_get (&fake_modem_status), ==,
                   TIOCM_DTR | TIOCM_RTS | TIOCM_CTS);
  g_assert_cmpint (glint_stream_get_lines (fixture->stream), ==, GLINT_LINE_DTR | GLINT_LINE_RTS);

  g_atomic_int_set (&fake_modem_fd, -1);
  close (fd);
}

static void
test_serial_not_found (void)
{
  g_autoptr(GError) error = try_open ("/dev/glint-no-such-port", NULL, NULL);

  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_PORT_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/dev/glint-no-such-port"));
}

static void
test_serial_not_a_tty (void)
{
  g_autoptr(GError) error = try_open ("/dev/null", NULL, NULL);

  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "not a serial port"));
}

static void
test_serial_busy (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStream) again = NULL;
  int other;

  if (fixture->socat == NULL)
    return;

  /* another program holds it (as Glint locks ports) */
  other = open (fixture->path_a, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  g_assert_cmpint (other, >=, 0);
  g_assert_cmpint (flock (other, LOCK_EX | LOCK_NB), ==, 0);
  error = try_open (fixture->path_a, NULL, NULL);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_PORT_BUSY);
  g_clear_error (&error);

  /* closing releases the port for the next program */
  close (other);
  error = try_open (fixture->path_a, NULL, &again);
  g_assert_no_error (error);
  g_assert_nonnull (again);
}

static gboolean
close_stream_cb (gpointer data)
{
  Fixture *fixture = data;

  g_io_stream_close (G_IO_STREAM (fixture->stream), NULL, NULL);
  return G_SOURCE_REMOVE;
}

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GError **error = user_data;

  if (!glint_stream_open_finish (GLINT_STREAM (object), result, error) && *error == NULL)
    g_assert_not_reached ();
  if (*error == NULL)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "opened");
}

/* Another stream of this process holds the port and lets go of it a moment
 * later (a job's flasher going away after its callback, while the next job
 * opens): the open waits for that instead of calling the port busy. */
static void
test_serial_held_here (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(GlintStream) next = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  if (!open_stream (fixture))
    return;

  next = glint_serial_stream_new (fixture->path_a);
  start = g_get_monotonic_time ();
  g_timeout_add (100, close_stream_cb, fixture);
  glint_stream_open_async (next, NULL, opened_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);   /* "opened" */
  g_assert_true (glint_stream_get_is_open (next));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
}

/* Whether setuid works here (not in every container): try it in a child. */
static gboolean
can_drop_privileges (void)
{
  int status = 0;
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (setuid (65534) == 0 ? 0 : 1);

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);

  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

static void
test_serial_permission_denied (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = NULL;
      int unlock = 0;
      int number = -1;
      int master;

      struct group *uucp = getgrnam ("uucp");

      /* a root-owned pty that only root may open, in the group Arch gives
       * serial ports: the hint names that group, not Debian's dialout */
      g_assert_nonnull (uucp);
      master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
      g_assert_cmpint (master, >=, 0);
      g_assert_cmpint (ioctl (master, TIOCSPTLCK, &unlock), ==, 0);
      g_assert_cmpint (ioctl (master, TIOCGPTN, &number), ==, 0);
      name = g_strdup_printf ("/dev/pts/%d", number);
      g_assert_cmpint (chown (name, 0, uucp->gr_gid), ==, 0);
      g_assert_cmpint (chmod (name, 0600), ==, 0);

      g_assert_cmpint (setuid (65534), ==, 0);

      error = try_open (name, NULL, NULL);
      g_assert_error (error, GLINT_ERROR, GLINT_ERROR_PERMISSION_DENIED);
      g_assert_nonnull (strstr (error->message, "sudo usermod -aG uucp $USER"));
      g_assert_null (strstr (error->message, "dialout"));
      g_assert_nonnull (strstr (error->message, name));
      g_print ("PASS\n");
      return;
    }

  if (getuid () != 0)
    {
      g_test_skip ("needs root to create a port the test user cannot open");
      return;
    }

  if (!can_drop_privileges ())
    {
      g_test_skip ("cannot setuid to 65534 (nobody) here");
      return;
    }

  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*PASS*");
}

static void
test_serial_purge (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  GInputStream *input;
  gint64 deadline;
  guint8 byte = 0;

  if (!open_stream (fixture))
    return;

  input = g_io_stream_get_input_stream (G_IO_STREAM (fixture->stream));
  glint_test_write_all (fixture->out_b, "stale boot log", 14);

  /* wait until socat carried the bytes over, then a little longer */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (input)))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      glint_test_spin (10);
    }
  glint_test_spin (100);

  g_assert_true (glint_test_purge (fixture->stream, GLINT_PURGE_INPUT, &error));
  g_assert_no_error (error);
  g_assert_false (g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (input)));

  glint_test_write_all (fixture->out_b, "Z", 1);
  glint_test_read_exact (input, &byte, 1, 5000);
  g_assert_cmpint (byte, ==, 'Z');

  g_assert_true (glint_test_purge (fixture->stream, GLINT_PURGE_BOTH, &error));
  g_assert_no_error (error);
}

static void
test_serial_drain (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  if (!open_stream (fixture))
    return;

  glint_test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (fixture->stream)), "x", 1);
  glint_stream_drain_async (fixture->stream, NULL, glint_test_store_result_cb, &result);
  result = glint_test_wait_for ((gpointer *) &result, 5000);
  g_assert_true (glint_stream_drain_finish (fixture->stream, result, &error));
  g_assert_no_error (error);
  g_object_unref (result);
}

static void
test_serial_closed (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  GInputStream *input;
  GOutputStream *output;
  guint8 buf[4];

  if (!open_stream (fixture))
    return;

  input = g_io_stream_get_input_stream (G_IO_STREAM (fixture->stream));
  output = g_io_stream_get_output_stream (G_IO_STREAM (fixture->stream));

  g_assert_true (g_io_stream_close (G_IO_STREAM (fixture->stream), NULL, &error));
  g_assert_no_error (error);
  /* closing twice is harmless */
  g_assert_true (g_io_stream_close (G_IO_STREAM (fixture->stream), NULL, &error));
  g_assert_no_error (error);

  g_assert_false (glint_test_set_baud (fixture->stream, 460800, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (glint_test_purge (fixture->stream, GLINT_PURGE_INPUT, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);

  g_assert_cmpint (g_input_stream_read (input, buf, sizeof buf, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_cmpint (g_output_stream_write (output, "x", 1, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

static void
test_serial_unopened (void)
{
  g_autoptr(GlintStream) stream = glint_serial_stream_new ("/dev/ttyUSB99");
  g_autoptr(GError) error = NULL;

  g_assert_null (g_io_stream_get_input_stream (G_IO_STREAM (stream)));
  g_assert_false (glint_test_set_baud (stream, 460800, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_clear_error (&error);

  /* closing or dropping a stream that never opened must not warn */
  g_assert_true (g_io_stream_close (G_IO_STREAM (stream), NULL, &error));
  g_assert_no_error (error);
}

static void
test_serial_cancel_open (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStream) stream = NULL;

  if (fixture->socat == NULL)
    return;

  g_cancellable_cancel (cancellable);
  error = try_open (fixture->path_a, cancellable, NULL);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* the cancelled open did not keep the port locked */
  error = try_open (fixture->path_a, NULL, &stream);
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
}

static void
test_serial_cancel_read (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  GInputStream *input;
  guint8 buf[16];

  if (!open_stream (fixture))
    return;

  input = g_io_stream_get_input_stream (G_IO_STREAM (fixture->stream));
  g_input_stream_read_async (input, buf, sizeof buf, G_PRIORITY_DEFAULT, cancellable,
                             glint_test_store_result_cb, &result);
  glint_test_spin (50);
  g_assert_null (result);
  g_cancellable_cancel (cancellable);
  result = glint_test_wait_for ((gpointer *) &result, 5000);
  g_assert_cmpint (g_input_stream_read_finish (input, result, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_object_unref (result);
}

/* The USB identity of one port, from the stand-in ports of
 * GLINT_PORTS_DIR: by its path or through a link to it (as
 * /dev/serial/by-id names are). */
static void
test_serial_lookup_usb_identity (void)
{
  g_autofree char *dir = g_dir_make_tmp ("glint-ports-XXXXXX", NULL);
  g_autofree char *links = g_dir_make_tmp ("glint-links-XXXXXX", NULL);
  g_autofree char *usb = g_build_filename (dir, "ttyUSB3", NULL);
  g_autofree char *plain = g_build_filename (dir, "ttyS4", NULL);
  g_autofree char *bad = g_build_filename (dir, "ttyUSB9", NULL);
  g_autofree char *link = g_build_filename (links, "usb-Silicon_Labs_CP2102N-if00", NULL);
  g_autoptr(GlintUsbIdentity) identity = NULL;
  g_autoptr(GlintUsbIdentity) via_link = NULL;
  g_autoptr(GlintUsbIdentity) none = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (usb, "[usb]\nvid=10c4\npid=ea60\nserial=0001\n"
                                      "by-path=pci-0000:00:14.0-usb-0:2:1.0-port0\n", -1,
                                      &error));
  g_assert_true (g_file_set_contents (plain, "", -1, &error));
  g_assert_true (g_file_set_contents (bad, "[usb]\nvid=cp2102\npid=ea60\n", -1, &error));
  g_assert_cmpint (symlink (usb, link), ==, 0);
  g_setenv ("GLINT_PORTS_DIR", dir, TRUE);

  identity = glint_port_lookup_usb_identity (usb);
  g_assert_nonnull (identity);
  g_assert_cmphex (identity->vid, ==, 0x10c4);
  g_assert_cmphex (identity->pid, ==, 0xea60);
  g_assert_cmpstr (identity->serial, ==, "0001");
  g_assert_cmpstr (identity->by_path, ==, "pci-0000:00:14.0-usb-0:2:1.0-port0");
  via_link = glint_port_lookup_usb_identity (link);
  g_assert_true (glint_usb_identity_equal (identity, via_link));

  g_assert_null (glint_port_lookup_usb_identity (plain));
  g_assert_null (glint_port_lookup_usb_identity (bad));
  none = glint_port_lookup_usb_identity ("/nonexistent/ttyUSB0");
  g_assert_null (none);

  g_unsetenv ("GLINT_PORTS_DIR");
  glint_test_remove_dir (dir);
  glint_test_remove_dir (links);
}

static void
test_serial_enumerate (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ports = glint_serial_port_enumerate (&error);
  gboolean seen_native = FALSE;

  g_assert_no_error (error);
  g_assert_nonnull (ports);

  for (guint i = 0; i < ports->len; i++)
    {
      GlintSerialPortInfo *info = g_ptr_array_index (ports, i);

      g_test_message ("%s: %s", info->path, info->friendly_name);
      g_assert_nonnull (info->path);
      g_assert_nonnull (info->friendly_name);
      g_assert_cmpstr (info->friendly_name, !=, "");
      /* USB ports come first */
      if (!info->is_usb)
        seen_native = TRUE;
      else
        g_assert_false (seen_native);
    }
}

static void
test_serial_usb_names (void)
{
  g_assert_cmpstr (glint_serial_port_lookup_usb_name (0x10c4, 0xea60), ==, "CP210x USB to UART");
  g_assert_cmpstr (glint_serial_port_lookup_usb_name (0x1a86, 0x7523), ==, "CH340");
  g_assert_cmpstr (glint_serial_port_lookup_usb_name (0x1a86, 0x55d4), ==, "CH9102");
  g_assert_cmpstr (glint_serial_port_lookup_usb_name (0x1a86, 0x55d3), ==, "CH343");
  g_assert_cmpstr (glint_serial_port_lookup_usb_name (0x0403, 0x6001), ==, "FT232R");
  g_assert_cmpstr (glint_serial_port_lookup_usb_name (0x0403, 0x6015), ==, "FT231X");
  g_assert_cmpstr (glint_serial_port_lookup_usb_name (0x067b, 0x2303), ==, "PL2303");
  g_assert_cmpstr (glint_serial_port_lookup_usb_name (0x303a, 0x1001), ==,
                   "Espressif USB-JTAG/Serial");
  g_assert_cmpstr (glint_serial_port_lookup_usb_name (0x303a, 0x0009), ==, "ESP32-S3 USB CDC");
  g_assert_nonnull (glint_serial_port_lookup_usb_name (0x239a, 0x8029));
  g_assert_null (glint_serial_port_lookup_usb_name (0x303a, 0x7777));
  g_assert_null (glint_serial_port_lookup_usb_name (0x1234, 0x5678));
  g_assert_null (glint_serial_port_lookup_usb_name (0, 0));
}

#define ADD_PTY_TEST(path, func) \
  g_test_add ("/glint/serial-stream/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD_PTY_TEST ("transfer-out", test_serial_transfer_out);
  ADD_PTY_TEST ("transfer-in", test_serial_transfer_in);
  ADD_PTY_TEST ("baud", test_serial_baud);
  ADD_PTY_TEST ("lines-pty", test_serial_lines_pty);
  ADD_PTY_TEST ("lines-together", test_serial_lines_together);
  ADD_PTY_TEST ("busy", test_serial_busy);
  ADD_PTY_TEST ("held-here", test_serial_held_here);
  ADD_PTY_TEST ("purge", test_serial_purge);
  ADD_PTY_TEST ("drain", test_serial_drain);
  ADD_PTY_TEST ("closed", test_serial_closed);
  ADD_PTY_TEST ("cancel-open", test_serial_cancel_open);
  ADD_PTY_TEST ("cancel-read", test_serial_cancel_read);
  g_test_add_func ("/glint/serial-stream/not-found", test_serial_not_found);
  g_test_add_func ("/glint/serial-stream/not-a-tty", test_serial_not_a_tty);
  g_test_add_func ("/glint/serial-stream/permission-denied", test_serial_permission_denied);
  g_test_add_func ("/glint/serial-stream/unopened", test_serial_unopened);
  g_test_add_func ("/glint/serial-stream/enumerate", test_serial_enumerate);
  g_test_add_func ("/glint/serial-stream/lookup-usb-identity", test_serial_lookup_usb_identity);
  g_test_add_func ("/glint/serial-stream/usb-names", test_serial_usb_names);

  return g_test_run ();
}
