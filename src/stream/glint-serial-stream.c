/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
/* termios2 (arbitrary speeds through BOTHER) lives in the kernel headers,
 * which clash with glibc's <termios.h>; everything here goes through ioctl. */
#include <asm/termbits.h>

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <libserialport.h>

#include "glint-error.h"
#include "glint-port-monitor.h"
#include "glint-port-details.h"
#include "glint-serial-stream.h"
#include "glint-stream-private.h"

/*
 * A local serial port. Opening and line control run in GTask worker threads
 * (a USB adapter may take a while to answer a control request); the data path
 * is the port's non-blocking fd wrapped in pollable GUnix streams, so reads
 * and writes are driven by the main loop without threads or polling.
 *
 * The port is opened with open(2) and configured through termios2 rather than
 * sp_open(): libserialport 0.1.1 only accepts ports that have an entry in
 * /sys/class/tty, which rules out ptys and the socat links the tests and
 * simulators use, and it reports a missing device as a generic argument error
 * without errno. libserialport is still used for enumeration.
 */

struct _GlintSerialStream
{
  GlintStream    parent_instance;

  char          *path;
  GMutex         mutex;      /* guards fd against close from another thread */
  int            fd;
  dev_t          device;     /* of fd, while it is open */
  GInputStream  *input;
  GOutputStream *output;
};

/* How long an open waits for another stream of this process to let go of
 * the port (see held_ports) before it calls the port busy. */
#define HELD_WAIT_US (2 * G_USEC_PER_SEC)

/* The ports this process's streams hold open, by device number (the same
 * port under another name, a /dev/serial/by-id link, is the same device):
 * dev_t → how many streams. Another stream's hold on a port is, as a rule,
 * about to end: a job's flasher closes its stream when the last reference
 * goes, after the job's callback, where the next job may already open the
 * port (a flash after a cancelled Detect, the monitor after a flash). An
 * open waits for that, a while, rather than failing on a lock this
 * process itself holds. Guarded by held_lock; held_cond says one went. */
static GMutex held_lock;
static GCond held_cond;
static GHashTable *held_ports;

static gboolean
port_held_here (dev_t device)
{
  return held_ports != NULL && g_hash_table_contains (held_ports, &device);
}

static void
hold_port (dev_t device)
{
  gint64 *key;
  guint n;

  g_mutex_lock (&held_lock);
  if (held_ports == NULL)
    held_ports = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (held_ports, &(gint64) { device }));
  key = g_new (gint64, 1);
  *key = device;
  g_hash_table_replace (held_ports, key, GUINT_TO_POINTER (n + 1));
  g_mutex_unlock (&held_lock);
}

static void
let_go_of_port (dev_t device)
{
  gint64 key = device;
  guint n;

  g_mutex_lock (&held_lock);
  n = held_ports != NULL ? GPOINTER_TO_UINT (g_hash_table_lookup (held_ports, &key)) : 0;
  if (n > 1)
    g_hash_table_replace (held_ports, g_memdup2 (&key, sizeof key), GUINT_TO_POINTER (n - 1));
  else if (n == 1)
    g_hash_table_remove (held_ports, &key);
  g_cond_broadcast (&held_cond);
  g_mutex_unlock (&held_lock);
}

/* flock() on @fd; where another stream of this process holds the port,
 * after waiting for it to let go (HELD_WAIT_US at most). */
static int
lock_port (int fd)
{
  gint64 deadline = g_get_monotonic_time () + HELD_WAIT_US;
  gboolean last_try = FALSE;
  struct stat st;

  for (;;)
    {
      gboolean held;

      if (flock (fd, LOCK_EX | LOCK_NB) == 0)
        return 0;
      if (errno != EWOULDBLOCK)
        return -1;
      if (last_try || fstat (fd, &st) != 0)
        {
          errno = EWOULDBLOCK;
          return -1;
        }

      g_mutex_lock (&held_lock);
      while ((held = port_held_here (st.st_rdev)) && g_get_monotonic_time () < deadline)
        g_cond_wait_until (&held_cond, &held_lock, deadline);
      g_mutex_unlock (&held_lock);
      if (held)
        {
          errno = EWOULDBLOCK;
          return -1;
        }
      /* let go of now, or held by another program (or by a stream of ours
       * that closed meanwhile): one more try decides */
      last_try = TRUE;
    }
}

G_DEFINE_FINAL_TYPE (GlintSerialStream, glint_serial_stream, GLINT_TYPE_STREAM)

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  int               fd;
  dev_t             device;
  guint             baud;
  gboolean          can_control_lines;
  GlintUsbIdentity *usb_identity;
} OpenResult;

static void
open_result_free (gpointer data)
{
  OpenResult *res = data;

  if (res->fd >= 0)
    close (res->fd);
  glint_usb_identity_free (res->usb_identity);
  g_free (res);
}

static void
set_errno_error (GError     **error,
                 int          errsv,
                 const char  *path,
                 const char  *what)
{
  switch (errsv)
    {
    case ENOENT:
    case ENODEV:
    case ENXIO:
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_PORT_NOT_FOUND,
                   _("%s: no such serial port (unplugged?)"), path);
      break;
    case EACCES:
    case EPERM:
      {
        g_autofree char *group = glint_port_group (path);

        /* Translators: "… add yourself to the “uucp” group that owns it …" */
        g_set_error (error, GLINT_ERROR, GLINT_ERROR_PERMISSION_DENIED,
                     _("permission denied opening %s: add yourself to the “%s” group that "
                       "owns it (“sudo usermod -aG %s $USER”) and log in again"),
                     path, group != NULL ? group : "dialout", group != NULL ? group : "dialout");
      }
      break;
    case EBUSY:
    case EWOULDBLOCK:
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_PORT_BUSY,
                   _("%s is in use by another program (a serial monitor?)"), path);
      break;
    default:
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_FAILED,
                   "%s %s: %s", what, path, g_strerror (errsv));
      break;
    }
}

static gboolean
get_termios (int              fd,
             struct termios2 *tio,
             GError         **error)
{
  if (ioctl (fd, TCGETS2, tio) < 0)
    {
      int errsv = errno;

      g_set_error (error, GLINT_ERROR, GLINT_ERROR_FAILED,
                   _("cannot read the port settings: %s"), g_strerror (errsv));
      return FALSE;
    }

  return TRUE;
}

static guint
termios_speed (const struct termios2 *tio)
{
  static const struct { tcflag_t code; guint baud; } codes[] = {
    { B9600, 9600 }, { B19200, 19200 }, { B38400, 38400 }, { B57600, 57600 },
    { B115200, 115200 }, { B230400, 230400 }, { B460800, 460800 }, { B921600, 921600 },
    { B1500000, 1500000 }, { B2000000, 2000000 }, { B3000000, 3000000 },
  };

  /* The kernel fills c_ospeed for every driver that encodes its rate; old
   * drivers leave it 0 and only set a Bnnn code. */
  if (tio->c_ospeed != 0)
    return tio->c_ospeed;

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    if ((tio->c_cflag & CBAUD) == codes[i].code)
      return codes[i].baud;

  return 0;
}

/* Runs in a worker thread. */
static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GlintSerialStream *self = source_object;
  g_autoptr(GError) error = NULL;
  OpenResult *res;
  struct termios2 tio;
  int status;

  res = g_new0 (OpenResult, 1);
  res->fd = open (self->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (res->fd < 0)
    {
      int errsv = errno;

      set_errno_error (&error, errsv, self->path, "cannot open");
      g_task_return_error (task, g_steal_pointer (&error));
      open_result_free (res);
      return;
    }

  /* Two programs talking to one chip interleave their bytes and both fail in
   * confusing ways. flock() also stops root and other Glint instances;
   * TIOCEXCL stops everybody else who opens the tty afterwards. */
  if (lock_port (res->fd) < 0)
    {
      int errsv = errno;

      set_errno_error (&error, errsv == EWOULDBLOCK ? EBUSY : errsv, self->path, "cannot lock");
      g_task_return_error (task, g_steal_pointer (&error));
      open_result_free (res);
      return;
    }
  {
    struct stat st;

    if (fstat (res->fd, &st) == 0)
      res->device = st.st_rdev;
  }

  if (ioctl (res->fd, TCGETS2, &tio) < 0)
    {
      int errsv = errno;

      if (errsv == ENOTTY || errsv == EINVAL)
        g_task_return_new_error (task, GLINT_ERROR, GLINT_ERROR_FAILED,
                                 _("%s is not a serial port"), self->path);
      else
        {
          set_errno_error (&error, errsv, self->path, "cannot configure");
          g_task_return_error (task, g_steal_pointer (&error));
        }
      open_result_free (res);
      return;
    }

  if (ioctl (res->fd, TIOCEXCL) < 0)
    g_debug ("cannot get exclusive access to %s: %s", self->path, g_strerror (errno));

  /* Raw 8N1 without flow control; the speed stays what it was. */
  tio.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL |
                   IXON | IXOFF | IXANY | INPCK);
  tio.c_oflag &= ~OPOST;
  tio.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  tio.c_cflag &= ~(CSIZE | PARENB | CSTOPB | CRTSCTS);
  tio.c_cflag |= CS8 | CREAD | CLOCAL;
  tio.c_cc[VMIN] = 1;
  tio.c_cc[VTIME] = 0;

  if (ioctl (res->fd, TCSETS2, &tio) < 0)
    {
      int errsv = errno;

      set_errno_error (&error, errsv, self->path, "cannot configure");
      g_task_return_error (task, g_steal_pointer (&error));
      open_result_free (res);
      return;
    }
  if (get_termios (res->fd, &tio, NULL))
    res->baud = termios_speed (&tio);

  /* Ptys and some drivers have no modem lines at all. */
  res->can_control_lines = ioctl (res->fd, TIOCMGET, &status) == 0;
  /* Which adapter: what rates it carries, and which board this is. */
  res->usb_identity = glint_port_lookup_usb_identity (self->path);

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      open_result_free (res);
      return;
    }

  g_task_return_pointer (task, res, open_result_free);
}

static void
glint_serial_stream_open_async (GlintStream         *stream,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GlintSerialStream *self = GLINT_SERIAL_STREAM (stream);
  g_autoptr(GTask) task = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, glint_serial_stream_open_async);
  g_task_set_name (task, "glint-serial-stream-open");
  g_task_run_in_thread (task, open_thread);
}

static gboolean
glint_serial_stream_open_finish (GlintStream   *stream,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  GlintSerialStream *self = GLINT_SERIAL_STREAM (stream);
  OpenResult *res;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  res = g_task_propagate_pointer (G_TASK (result), error);
  if (res == NULL)
    return FALSE;

  g_mutex_lock (&self->mutex);
  self->fd = res->fd;
  res->fd = -1;
  self->device = res->device;
  g_mutex_unlock (&self->mutex);
  hold_port (self->device);

  self->input = g_unix_input_stream_new (self->fd, FALSE);
  self->output = g_unix_output_stream_new (self->fd, FALSE);

  if (res->baud > 0)
    _glint_stream_set_baud (stream, res->baud);
  _glint_stream_set_can_control_lines (stream, res->can_control_lines);
  _glint_stream_set_usb_identity (stream, res->usb_identity);

  open_result_free (res);

  return TRUE;
}

/* A private duplicate of the fd for a worker thread, so a close() from the
 * main thread cannot pull the descriptor away (or hand its number to another
 * file) while an ioctl is running. flock locks are per open file, so closing
 * the duplicate keeps the lock. */
static int
dup_fd (GlintSerialStream  *self,
        GError            **error)
{
  int fd = -1;

  g_mutex_lock (&self->mutex);
  if (self->fd >= 0)
    fd = fcntl (self->fd, F_DUPFD_CLOEXEC, 0);
  g_mutex_unlock (&self->mutex);

  if (fd < 0)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "%s is closed", self->path);

  return fd;
}

typedef enum
{
  LINE_OP_BAUD,
  LINE_OP_LINES,
  LINE_OP_PURGE,
  LINE_OP_DRAIN,
} LineOpKind;

typedef struct
{
  LineOpKind  kind;
  guint       baud;
  GlintLines  mask;
  GlintLines  values;
  GlintPurge  purge;
  gboolean    no_modem_lines;   /* set by the thread: TIOCMGET/TIOCMSET unsupported */
} LineOp;

static gboolean
do_set_baud (GlintSerialStream  *self,
             int                 fd,
             guint               baud,
             GError            **error)
{
  struct termios2 tio;
  guint actual;

  if (!get_termios (fd, &tio, error))
    return FALSE;

  /* BOTHER takes any rate the driver can produce: 74880 for the ROM boot
   * messages, 1500000 and 2000000 for fast flashing. */
  tio.c_cflag &= ~CBAUD;
  tio.c_cflag |= BOTHER;
  tio.c_ospeed = baud;
  tio.c_cflag &= ~(CBAUD << IBSHIFT);
  tio.c_cflag |= BOTHER << IBSHIFT;
  tio.c_ispeed = baud;

  if (ioctl (fd, TCSETS2, &tio) < 0 || !get_termios (fd, &tio, NULL))
    {
      int errsv = errno;

      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   _("%s refuses %u baud: %s"), self->path, baud, g_strerror (errsv));
      return FALSE;
    }

  /* Drivers round to what their clock can do; a large miss means refusal
   * (3 % is about what a UART still tolerates). */
  actual = termios_speed (&tio);
  if (actual == 0 || (guint64) ABS ((gint64) actual - (gint64) baud) * 100 > (guint64) baud * 3)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   _("%s cannot run at %u baud (the driver chose %u)"),
                   self->path, baud, actual);
      return FALSE;
    }

  return TRUE;
}

static gboolean
do_set_lines (GlintSerialStream  *self,
              int                 fd,
              LineOp             *op,
              GError            **error)
{
  int status;

  /* One TIOCMGET/TIOCMSET pair: esptool's UnixTightReset relies on DTR
   * and RTS changing together, or the chip sees a spurious reset pulse. */
  if (ioctl (fd, TIOCMGET, &status) == 0)
    {
      if (op->mask & GLINT_LINE_DTR)
        status = (op->values & GLINT_LINE_DTR) ? (status | TIOCM_DTR) : (status & ~TIOCM_DTR);
      if (op->mask & GLINT_LINE_RTS)
        status = (op->values & GLINT_LINE_RTS) ? (status | TIOCM_RTS) : (status & ~TIOCM_RTS);
      if (ioctl (fd, TIOCMSET, &status) == 0)
        return TRUE;
    }

  if (errno == ENOTTY || errno == EINVAL)
    {
      op->no_modem_lines = TRUE;
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED,
                   _("%s cannot control DTR/RTS (a pty or a driver without modem lines)"),
                   self->path);
    }
  else
    {
      int errsv = errno;

      g_set_error (error, GLINT_ERROR, GLINT_ERROR_FAILED,
                   _("cannot set DTR/RTS on %s: %s"), self->path, g_strerror (errsv));
    }

  return FALSE;
}

/* Runs in a worker thread. */
static void
line_op_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GlintSerialStream *self = source_object;
  LineOp *op = task_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;
  int fd;

  fd = dup_fd (self, &error);
  if (fd < 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  switch (op->kind)
    {
    case LINE_OP_BAUD:
      ok = do_set_baud (self, fd, op->baud, &error);
      break;
    case LINE_OP_LINES:
      ok = do_set_lines (self, fd, op, &error);
      break;
    case LINE_OP_PURGE:
      {
        int queue = TCIOFLUSH;

        if (op->purge == GLINT_PURGE_INPUT)
          queue = TCIFLUSH;
        else if (op->purge == GLINT_PURGE_OUTPUT)
          queue = TCOFLUSH;

        ok = op->purge == 0 || ioctl (fd, TCFLSH, queue) == 0;
        if (!ok)
          {
            int errsv = errno;

            g_set_error (&error, GLINT_ERROR, GLINT_ERROR_FAILED,
                         _("cannot purge %s: %s"), self->path, g_strerror (errsv));
          }
      }
      break;
    case LINE_OP_DRAIN:
      /* TCSBRK with a non-zero argument is tcdrain() */
      ok = ioctl (fd, TCSBRK, 1) == 0;
      if (!ok)
        {
          int errsv = errno;

          g_set_error (&error, GLINT_ERROR, GLINT_ERROR_FAILED,
                       _("cannot drain %s: %s"), self->path, g_strerror (errsv));
        }
      break;
    default:
      g_assert_not_reached ();
    }

  close (fd);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
line_op_run (GlintSerialStream   *self,
             LineOp              *op,
             gpointer             source_tag,
             const char          *name,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);
  g_task_set_task_data (task, op, g_free);
  g_task_run_in_thread (task, line_op_thread);
}

static gboolean
line_op_finish (GlintStream   *stream,
                GAsyncResult  *result,
                GError       **error)
{
  GlintSerialStream *self = GLINT_SERIAL_STREAM (stream);
  LineOp *op;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  op = g_task_get_task_data (G_TASK (result));
  if (op->no_modem_lines)
    _glint_stream_set_can_control_lines (stream, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
glint_serial_stream_set_baud_async (GlintStream         *stream,
                                    guint                baud,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  LineOp *op = g_new0 (LineOp, 1);

  op->kind = LINE_OP_BAUD;
  op->baud = baud;
  line_op_run (GLINT_SERIAL_STREAM (stream), op, glint_serial_stream_set_baud_async,
               "glint-serial-stream-set-baud", cancellable, callback, user_data);
}

static void
glint_serial_stream_set_lines_async (GlintStream         *stream,
                                     GlintLines           mask,
                                     GlintLines           values,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  LineOp *op = g_new0 (LineOp, 1);

  op->kind = LINE_OP_LINES;
  op->mask = mask;
  op->values = values;
  line_op_run (GLINT_SERIAL_STREAM (stream), op, glint_serial_stream_set_lines_async,
               "glint-serial-stream-set-lines", cancellable, callback, user_data);
}

static void
glint_serial_stream_purge_async (GlintStream         *stream,
                                 GlintPurge           what,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  LineOp *op = g_new0 (LineOp, 1);

  op->kind = LINE_OP_PURGE;
  op->purge = what & GLINT_PURGE_BOTH;
  line_op_run (GLINT_SERIAL_STREAM (stream), op, glint_serial_stream_purge_async,
               "glint-serial-stream-purge", cancellable, callback, user_data);
}

static void
glint_serial_stream_drain_async (GlintStream         *stream,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  LineOp *op = g_new0 (LineOp, 1);

  op->kind = LINE_OP_DRAIN;
  line_op_run (GLINT_SERIAL_STREAM (stream), op, glint_serial_stream_drain_async,
               "glint-serial-stream-drain", cancellable, callback, user_data);
}

static GInputStream *
glint_serial_stream_get_input_stream (GIOStream *stream)
{
  return GLINT_SERIAL_STREAM (stream)->input;
}

static GOutputStream *
glint_serial_stream_get_output_stream (GIOStream *stream)
{
  return GLINT_SERIAL_STREAM (stream)->output;
}

static void
release_port (GlintSerialStream *self)
{
  g_mutex_lock (&self->mutex);
  if (self->fd >= 0)
    {
      /* Exclusive mode is a property of the tty, not of our descriptor. */
      ioctl (self->fd, TIOCNXCL);
      close (self->fd);
      self->fd = -1;
      let_go_of_port (self->device);
    }
  g_mutex_unlock (&self->mutex);
}

/* May run in a worker thread (g_io_stream_close_async). Also called for a
 * stream that was never opened, where there are no child streams. */
static gboolean
glint_serial_stream_close_fn (GIOStream     *stream,
                              GCancellable  *cancellable,
                              GError       **error)
{
  GlintSerialStream *self = GLINT_SERIAL_STREAM (stream);
  g_autoptr(GError) local_error = NULL;

  if (self->output != NULL)
    g_output_stream_close (self->output, cancellable, &local_error);
  if (self->input != NULL)
    g_input_stream_close (self->input, cancellable, local_error == NULL ? &local_error : NULL);

  release_port (self);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

static void
glint_serial_stream_finalize (GObject *object)
{
  GlintSerialStream *self = GLINT_SERIAL_STREAM (object);

  g_clear_object (&self->input);
  g_clear_object (&self->output);
  release_port (self);
  g_mutex_clear (&self->mutex);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (glint_serial_stream_parent_class)->finalize (object);
}

static void
glint_serial_stream_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  GlintSerialStream *self = GLINT_SERIAL_STREAM (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_serial_stream_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  GlintSerialStream *self = GLINT_SERIAL_STREAM (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_free (self->path);
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_serial_stream_class_init (GlintSerialStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *io_class = G_IO_STREAM_CLASS (klass);
  GlintStreamClass *stream_class = GLINT_STREAM_CLASS (klass);

  object_class->finalize = glint_serial_stream_finalize;
  object_class->get_property = glint_serial_stream_get_property;
  object_class->set_property = glint_serial_stream_set_property;

  io_class->get_input_stream = glint_serial_stream_get_input_stream;
  io_class->get_output_stream = glint_serial_stream_get_output_stream;
  io_class->close_fn = glint_serial_stream_close_fn;

  stream_class->open_async = glint_serial_stream_open_async;
  stream_class->open_finish = glint_serial_stream_open_finish;
  stream_class->set_baud_async = glint_serial_stream_set_baud_async;
  stream_class->set_baud_finish = line_op_finish;
  stream_class->set_lines_async = glint_serial_stream_set_lines_async;
  stream_class->set_lines_finish = line_op_finish;
  stream_class->purge_async = glint_serial_stream_purge_async;
  stream_class->purge_finish = line_op_finish;
  stream_class->drain_async = glint_serial_stream_drain_async;
  stream_class->drain_finish = line_op_finish;

  /**
   * GlintSerialStream:path:
   *
   * The device path, e.g. `/dev/ttyUSB0`.
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
glint_serial_stream_init (GlintSerialStream *self)
{
  g_mutex_init (&self->mutex);
  self->fd = -1;
}

/**
 * glint_serial_stream_new:
 * @path: the device path
 *
 * Returns: (transfer full): a serial stream for @path, not yet open
 */
GlintStream *
glint_serial_stream_new (const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  return g_object_new (GLINT_TYPE_SERIAL_STREAM,
                       "address", path,
                       "path", path,
                       NULL);
}

const char *
glint_serial_stream_get_path (GlintSerialStream *self)
{
  g_return_val_if_fail (GLINT_IS_SERIAL_STREAM (self), NULL);

  return self->path;
}

/* Enumeration */

typedef struct
{
  guint16     vid;
  guint16     pid;   /* 0: any product of the vendor */
  const char *name;
} UsbName;

/* USB-serial bridges found on ESP boards, ids as published by the vendors
 * (and listed in the Linux cp210x, ch341, ftdi_sio and pl2303 drivers). */
static const UsbName usb_names[] = {
  { 0x10c4, 0xea60, "CP210x USB to UART" },
  { 0x1a86, 0x7523, "CH340" },
  { 0x1a86, 0x5523, "CH341" },
  { 0x1a86, 0x55d3, "CH343" },
  { 0x1a86, 0x55d4, "CH9102" },
  { 0x0403, 0x6001, "FT232R" },
  { 0x0403, 0x6010, "FT2232" },
  { 0x0403, 0x6011, "FT4232" },
  { 0x0403, 0x6014, "FT232H" },
  { 0x0403, 0x6015, "FT231X" },
  { 0x067b, 0x2303, "PL2303" },
  { GLINT_USB_VID_ESPRESSIF, 0x1001, "Espressif USB-JTAG/Serial" },
  { GLINT_USB_VID_ESPRESSIF, 0x0002, "ESP32-S2 USB CDC" },
  { GLINT_USB_VID_ESPRESSIF, 0x0009, "ESP32-S3 USB CDC" },
  { 0x239a, 0,      "Adafruit board" },
};

/**
 * glint_serial_port_lookup_usb_name:
 *
 * Returns: (nullable): the name of a known USB serial bridge, or %NULL
 */
const char *
glint_serial_port_lookup_usb_name (guint16 vid,
                                   guint16 pid)
{
  for (guint i = 0; i < G_N_ELEMENTS (usb_names); i++)
    if (usb_names[i].vid == vid && (usb_names[i].pid == pid || usb_names[i].pid == 0))
      return usb_names[i].name;

  return NULL;
}

void
glint_serial_port_info_free (GlintSerialPortInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->path);
  g_free (info->description);
  g_free (info->friendly_name);
  g_free (info->manufacturer);
  g_free (info->product);
  g_free (info->serial);
  g_free (info->by_path);
  g_free (info->holder);
  g_free (info->group);
  g_free (info);
}

static gint
compare_port_info (gconstpointer a,
                   gconstpointer b)
{
  const GlintSerialPortInfo *pa = *(GlintSerialPortInfo * const *) a;
  const GlintSerialPortInfo *pb = *(GlintSerialPortInfo * const *) b;

  if (pa->is_usb != pb->is_usb)
    return pa->is_usb ? -1 : 1;

  return g_strcmp0 (pa->path, pb->path);
}

static char *
nonempty_dup (const char *s)
{
  return (s != NULL && *s != '\0') ? g_strdup (s) : NULL;
}

static GlintSerialPortInfo *
port_info_new (struct sp_port *port)
{
  GlintSerialPortInfo *info = g_new0 (GlintSerialPortInfo, 1);
  const char *known = NULL;

  info->path = g_strdup (sp_get_port_name (port));
  info->description = nonempty_dup (sp_get_port_description (port));

  if (sp_get_port_transport (port) == SP_TRANSPORT_USB)
    {
      int vid = 0, pid = 0;

      info->is_usb = TRUE;
      if (sp_get_port_usb_vid_pid (port, &vid, &pid) == SP_OK)
        {
          info->vid = (guint16) vid;
          info->pid = (guint16) pid;
        }
      info->manufacturer = nonempty_dup (sp_get_port_usb_manufacturer (port));
      info->product = nonempty_dup (sp_get_port_usb_product (port));
      info->serial = nonempty_dup (sp_get_port_usb_serial (port));
      known = glint_serial_port_lookup_usb_name (info->vid, info->pid);
    }

  if (known != NULL)
    info->friendly_name = g_strdup (known);
  else if (info->product != NULL)
    info->friendly_name = g_strdup (info->product);
  else if (info->description != NULL)
    info->friendly_name = g_strdup (info->description);
  else
    info->friendly_name = g_path_get_basename (info->path);

  return info;
}

/**
 * glint_serial_port_info_new_for_path:
 * @path: a device path (not a link: resolve it first)
 *
 * What libserialport knows about one port, without listing the others.
 *
 * Returns: (transfer full) (nullable): the port, or %NULL if libserialport
 *   does not know it
 */
GlintSerialPortInfo *
glint_serial_port_info_new_for_path (const char *path)
{
  struct sp_port *port = NULL;
  GlintSerialPortInfo *info;

  g_return_val_if_fail (path != NULL, NULL);

  if (sp_get_port_by_name (path, &port) != SP_OK)
    return NULL;
  info = port_info_new (port);
  sp_free_port (port);

  return info;
}

/**
 * glint_serial_port_enumerate:
 *
 * Lists the local serial ports, USB ports first, then by path.
 *
 * Returns: (transfer full) (element-type GlintSerialPortInfo): the ports
 */
GPtrArray *
glint_serial_port_enumerate (GError **error)
{
  g_autoptr(GPtrArray) ports = NULL;
  struct sp_port **list = NULL;
  enum sp_return ret;

  ret = sp_list_ports (&list);
  if (ret != SP_OK)
    {
      char *message = sp_last_error_message ();

      g_set_error (error, GLINT_ERROR, GLINT_ERROR_FAILED,
                   _("cannot list serial ports: %s"), message != NULL ? message : "unknown error");
      sp_free_error_message (message);
      return NULL;
    }

  ports = g_ptr_array_new_with_free_func ((GDestroyNotify) glint_serial_port_info_free);

  for (guint i = 0; list[i] != NULL; i++)
    g_ptr_array_add (ports, port_info_new (list[i]));

  sp_free_port_list (list);
  g_ptr_array_sort (ports, compare_port_info);

  return g_steal_pointer (&ports);
}
