/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib-unix.h>

#include "glint-chip.h"
#include "glint-rfc2217-server.h"
#include "glint-sim.h"
#include "glint-sim-link.h"
#include "glint-sim-server-tty.h"

/*
 * glint-sim-server: the simulated board as a separate process, so that the
 * real stream code (and external tools such as esptool) can talk to it
 * through a pty, a raw TCP port or an RFC 2217 port.
 *
 * It prints one line saying where it listens, then serves until SIGTERM:
 *   PTY /dev/pts/7
 *   TCP 127.0.0.1 40123
 *   RFC2217 127.0.0.1 40124
 */

typedef struct
{
  GMainLoop          *loop;
  GlintSim           *sim;
  char               *flash_path;
  char               *counters_path;     /* --counters */
  guint               max_server_baud;   /* RFC 2217: a server that caps the rate */
  gboolean            esp_reset;         /* RFC 2217: the server resets the board itself */
  GlintLines          client_lines;      /* ... the lines as the client set them */
  guint               reset_source;      /* ... while its own sequence runs */
  guint               reset_step;

  /* pty */
  int                 pty_slave;
  guint               pty_baud;
  char               *link_path;         /* --link */
  guint64             vanish_after;      /* the pty goes away once after this many bytes */
  char               *ports_dir;         /* GLINT_PORTS_DIR: the port's USB identity */
  char               *usb;               /* ... VID:PID:SERIAL */
  gboolean            announced;

  /* tcp / rfc2217: one client at a time; a new one replaces the old */
  GSocketService     *service;
  GlintSimLink       *link;
  GlintRfc2217Server *rfc2217;
  GSocketConnection  *connection;
  gulong              output_id;
  gulong              disconnected_id;
  guint64             drop_after;        /* drop the client once after this many bytes */
  guint64             bytes_in;          /* ... from the host, all clients */
  guint64             bytes_out;         /* ... and from the chip */
  gdouble             lose_answers;      /* RFC 2217: the chance an answer is lost */
  gdouble             damage_answers;    /* ... or arrives with a byte damaged */
  GRand              *rand;
  int                 exit_status;
} Server;

static Server server;

static void
fatal (const char *format,
       ...) G_GNUC_PRINTF (1, 2);

static void
fatal (const char *format,
       ...)
{
  va_list args;

  va_start (args, format);
  fprintf (stderr, "glint-sim-server: ");
  vfprintf (stderr, format, args);
  fprintf (stderr, "\n");
  va_end (args);
  exit (2);
}

static void
announce (const char *format,
          ...) G_GNUC_PRINTF (1, 2);

static void
announce (const char *format,
          ...)
{
  va_list args;

  va_start (args, format);
  vprintf (format, args);
  va_end (args);
  printf ("\n");
  fflush (stdout);
}

static gboolean
on_signal_cb (gpointer user_data)
{
  g_main_loop_quit (server.loop);
  return G_SOURCE_CONTINUE;
}

/* pty ---------------------------------------------------------------------- */

/* The host sets its speed on the pty's termios, which we can read back: do
 * so before each chunk reaches the chip, so speed and data stay in order. */
static void maybe_vanish (void);

static void
pty_input_hook (GlintSimLink *link,
                gsize         len,
                gpointer      user_data)
{
  guint baud = glint_sim_server_tty_get_baud (server.pty_slave);

  server.bytes_in += len;
  maybe_vanish ();

  if (baud != 0 && baud != server.pty_baud)
    {
      server.pty_baud = baud;
      glint_sim_host_set_baud (server.sim, baud);
    }
}

static void
on_pty_link_closed_cb (GlintSimLink *link,
                       gpointer      user_data)
{
  /* A pty cannot be "unplugged" other than by going away. */
  g_main_loop_quit (server.loop);
}

/* --ports-dir: the key file that GlintPortMonitor and glint_port_list()
 * read under GLINT_PORTS_DIR, with the port's USB identity and the pty to
 * open (glint-port-monitor.c) */
static void
write_port_entry (const char *device)
{
  g_auto(GStrv) usb = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  if (server.ports_dir == NULL)
    return;

  usb = g_strsplit (server.usb != NULL ? server.usb : "303a:1001:0", ":", 3);
  path = g_build_filename (server.ports_dir, "board", NULL);
  if (device == NULL)
    {
      unlink (path);
      return;
    }
  contents = g_strdup_printf ("[usb]\nvid=%s\npid=%s\nserial=%s\n"
                              "by-path=pci-0000:00:14.0-usb-0:3:1.0\ndevice=%s\n",
                              usb[0], usb[1] != NULL ? usb[1] : "1001",
                              usb[1] != NULL && usb[2] != NULL ? usb[2] : "0", device);
  if (!g_file_set_contents (path, contents, -1, &error))
    fatal ("%s", error->message);
}

/* the next pty, made while the last one is still there, so that it gets
 * another name (Linux hands out the lowest free number) */
static int  next_master = -1;
static int  next_slave = -1;
static char next_name[256];

static void
serve_pty (const char *link_path)
{
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GOutputStream) output = NULL;
  g_autoptr(GIOStream) stream = NULL;
  char name[256];
  int master;

  if (next_master >= 0)
    {
      master = next_master;
      server.pty_slave = next_slave;
      g_strlcpy (name, next_name, sizeof name);
      next_master = next_slave = -1;
    }
  else if (openpty (&master, &server.pty_slave, name, NULL, NULL) != 0)
    {
      fatal ("cannot create a pty: %s", g_strerror (errno));
    }

  /* Raw, like a serial port; and keep our slave fd open so that the master
   * never sees a hang-up when the client closes the port between runs. */
  if (glint_sim_server_tty_make_raw (server.pty_slave) != 0)
    fatal ("cannot configure the pty: %s", g_strerror (errno));
  server.pty_baud = 115200;
  fcntl (master, F_SETFD, FD_CLOEXEC);
  fcntl (server.pty_slave, F_SETFD, FD_CLOEXEC);

  if (link_path != NULL)
    {
      unlink (link_path);
      if (symlink (name, link_path) != 0)
        fatal ("cannot create %s: %s", link_path, g_strerror (errno));
    }

  input = g_unix_input_stream_new (master, TRUE);
  output = g_unix_output_stream_new (dup (master), TRUE);
  stream = g_simple_io_stream_new (input, output);
  server.link = glint_sim_link_new (server.sim, stream);
  glint_sim_link_set_input_hook (server.link, pty_input_hook, NULL);
  g_signal_connect (server.link, "closed", G_CALLBACK (on_pty_link_closed_cb), NULL);

  write_port_entry (link_path != NULL ? link_path : name);
  /* (once: whoever started us may have stopped reading) */
  if (!server.announced)
    announce ("PTY %s", link_path != NULL ? link_path : name);
  server.announced = TRUE;
}

/* --vanish-after: the port goes away, as a USB device does when it is
 * unplugged, when a hub glitches or when a native-USB chip re-enumerates,
 * and comes back 300 ms later: under the same --link, or else as a new
 * pty, a new name (its USB identity in --ports-dir stays). The chip runs
 * on. */
static gboolean
pty_return_cb (gpointer user_data)
{
  serve_pty (server.link_path);
  return G_SOURCE_REMOVE;
}

static gboolean
pty_vanish_cb (gpointer user_data)
{
  if (server.link_path == NULL &&
      openpty (&next_master, &next_slave, next_name, NULL, NULL) != 0)
    fatal ("cannot create a pty: %s", g_strerror (errno));
  g_signal_handlers_disconnect_by_func (server.link, on_pty_link_closed_cb, NULL);
  glint_sim_link_close (server.link);
  g_clear_object (&server.link);
  close (server.pty_slave);
  server.pty_slave = -1;
  if (server.link_path != NULL)
    unlink (server.link_path);
  write_port_entry (NULL);
  g_timeout_add (300, pty_return_cb, NULL);
  return G_SOURCE_REMOVE;
}

static void
maybe_vanish (void)
{
  if (server.vanish_after == 0 || server.bytes_in + server.bytes_out < server.vanish_after)
    return;

  server.vanish_after = 0;
  g_idle_add_full (G_PRIORITY_HIGH, pty_vanish_cb, NULL, NULL);
}

/* tcp and rfc2217 ----------------------------------------------------------- */

static void
drop_client (void)
{
  g_clear_signal_handler (&server.output_id, server.sim);
  g_clear_signal_handler (&server.disconnected_id, server.sim);
  if (server.link != NULL)
    glint_sim_link_close (server.link);
  g_clear_object (&server.link);
  if (server.rfc2217 != NULL)
    glint_rfc2217_server_close (server.rfc2217);
  g_clear_object (&server.rfc2217);
  if (server.connection != NULL)
    g_socket_close (g_socket_connection_get_socket (server.connection), NULL);
  g_clear_object (&server.connection);
}

/* --drop-after: the connection goes, as when a Wi-Fi link or a tunnel
 * drops or the server restarts; the board behind it does not notice (no
 * line changes), so a stub that runs keeps running. The next client finds
 * the same chip and flash. */
static gboolean
drop_once_idle_cb (gpointer user_data)
{
  drop_client ();
  return G_SOURCE_REMOVE;
}

/* (bytes either way: a read is mostly the chip's, a write the host's) */
static void
maybe_drop (void)
{
  if (server.drop_after == 0 || server.bytes_in + server.bytes_out < server.drop_after)
    return;

  server.drop_after = 0;
  /* (soon: the simulated chip keeps the default-priority sources busy) */
  g_idle_add_full (G_PRIORITY_HIGH, drop_once_idle_cb, NULL, NULL);
}

static void
tcp_input_hook (GlintSimLink *link,
                gsize         len,
                gpointer      user_data)
{
  server.bytes_in += len;
  maybe_drop ();
}

static void
backend_write (gpointer      user_data,
               const guint8 *data,
               gsize         len)
{
  glint_sim_host_write (server.sim, data, len);
  server.bytes_in += len;
  maybe_drop ();
}

/* What a server with a slower UART does: it sets what it can and says so
 * in its answer (RFC 2217 SET-BAUDRATE reply). */
static guint
backend_set_baud (gpointer user_data,
                  guint    baud)
{
  guint applied = server.max_server_baud > 0 ? MIN (baud, server.max_server_baud) : baud;

  glint_sim_host_set_baud (server.sim, applied);
  return applied;
}

/* The server's own reset into download mode, with the timing of a local
 * port (protocol.md §3.3): EN held low 100 ms, then IO0 low as EN rises,
 * IO0 released 50 ms later. */
static gboolean
esp_reset_step_cb (gpointer user_data)
{
  const GlintLines both = GLINT_LINE_DTR | GLINT_LINE_RTS;

  switch (server.reset_step++)
    {
    case 0:
      glint_sim_host_set_lines (server.sim, both, GLINT_LINE_DTR);
      server.reset_source = g_timeout_add (50, esp_reset_step_cb, NULL);
      return G_SOURCE_REMOVE;

    default:
      glint_sim_host_set_lines (server.sim, both, 0);
      server.reset_source = 0;
      return G_SOURCE_REMOVE;
    }
}

static void
backend_set_lines (gpointer   user_data,
                   GlintLines mask,
                   GlintLines values)
{
  GlintLines old = server.client_lines;

  server.client_lines = (old & ~mask) | (values & mask);
  if (!server.esp_reset)
    {
      glint_sim_host_set_lines (server.sim, mask, values);
      return;
    }

  /* Over a network each line change of the client's reset arrives a round
   * trip (pyserial: at least 50 ms) after the one before, and a real board
   * does not wait in between: with DTR and RTS both on, EN rises with IO0
   * high and the chip boots its app. A server for remote flashing
   * (esptool's esp_rfc2217_server) therefore runs the reset itself when a
   * client starts one: DTR raised while EN is held low (RTS on) asks for
   * download mode. The client's line changes while it runs are ignored. */
  if (server.reset_source != 0)
    return;

  if ((mask & GLINT_LINE_DTR) != 0 && (values & GLINT_LINE_DTR) != 0 &&
      (old & GLINT_LINE_DTR) == 0 && (old & GLINT_LINE_RTS) != 0)
    {
      glint_sim_host_set_lines (server.sim, GLINT_LINE_DTR | GLINT_LINE_RTS, GLINT_LINE_RTS);
      server.reset_step = 0;
      server.reset_source = g_timeout_add (100, esp_reset_step_cb, NULL);
      return;
    }

  glint_sim_host_set_lines (server.sim, mask, values);
}

static void
backend_purge (gpointer   user_data,
               GlintPurge what)
{
  /* The simulated chip has no buffers worth purging. */
}

static const GlintRfc2217ServerBackend rfc2217_backend = {
  .write = backend_write,
  .set_baud = backend_set_baud,
  .set_lines = backend_set_lines,
  .purge = backend_purge,
};

static void
on_rfc2217_sim_output_cb (GlintSim *sim,
                          GBytes   *bytes,
                          gpointer  user_data)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  g_autofree guint8 *damaged = NULL;

  /* --lose-answers, --damage-answers: what the chip sends comes out one
   * answer at a time; one of them goes missing, or arrives with a byte
   * changed, on a link that is worse than the simulator's own faults
   * (which damage bytes in both directions) */
  if (server.lose_answers > 0 && g_rand_double (server.rand) < server.lose_answers)
    return;
  if (server.damage_answers > 0 && size > 2 &&
      g_rand_double (server.rand) < server.damage_answers)
    {
      damaged = g_memdup2 (data, size);
      damaged[g_rand_int_range (server.rand, 1, (gint32) size - 1)] ^= 0x5A;
      data = damaged;
    }

  if (server.rfc2217 != NULL)
    glint_rfc2217_server_send (server.rfc2217, data, size);
}

static void
on_sim_output_count_cb (GlintSim *sim,
                        GBytes   *bytes,
                        gpointer  user_data)
{
  server.bytes_out += g_bytes_get_size (bytes);
  maybe_drop ();
  maybe_vanish ();
}

static void
on_sim_disconnected_cb (GlintSim *sim,
                        gpointer  user_data)
{
  drop_client ();
}

static gboolean
drop_client_idle_cb (gpointer user_data)
{
  GObject *object = user_data;

  /* Only the current client's end matters; an old one was already dropped. */
  if (object == (GObject *) server.link || object == (GObject *) server.rfc2217)
    drop_client ();

  g_object_unref (object);
  return G_SOURCE_REMOVE;
}

static void
on_client_closed_cb (GObject  *object,
                     gpointer  user_data)
{
  /* Not from inside the object's own signal emission. */
  g_idle_add (drop_client_idle_cb, g_object_ref (object));
}

static gboolean
on_incoming_cb (GSocketService    *service,
                GSocketConnection *connection,
                GObject           *source_object,
                gpointer           user_data)
{
  gboolean rfc2217 = GPOINTER_TO_INT (user_data);
  GSocket *socket = g_socket_connection_get_socket (connection);

  drop_client ();
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  server.connection = g_object_ref (connection);

  if (rfc2217)
    {
      server.rfc2217 = glint_rfc2217_server_new (G_IO_STREAM (connection), &rfc2217_backend, NULL);
      g_signal_connect (server.rfc2217, "closed", G_CALLBACK (on_client_closed_cb), NULL);
      server.output_id = g_signal_connect (server.sim, "output",
                                           G_CALLBACK (on_rfc2217_sim_output_cb), NULL);
      server.disconnected_id = g_signal_connect (server.sim, "disconnected",
                                                 G_CALLBACK (on_sim_disconnected_cb), NULL);
    }
  else
    {
      server.link = glint_sim_link_new (server.sim, G_IO_STREAM (connection));
      glint_sim_link_set_input_hook (server.link, tcp_input_hook, NULL);
      g_signal_connect (server.link, "closed", G_CALLBACK (on_client_closed_cb), NULL);
    }

  return TRUE;
}

static void
serve_tcp (const char *host,
           guint       port,
           gboolean    rfc2217)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;

  if (address == NULL)
    fatal ("--host wants a literal address, not “%s”", host);

  socket_address = g_inet_socket_address_new (address, port);
  server.service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (server.service), socket_address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                      &effective, &error))
    fatal ("cannot listen on %s port %u: %s", host, port, error->message);

  g_signal_connect (server.service, "incoming", G_CALLBACK (on_incoming_cb),
                    GINT_TO_POINTER (rfc2217));
  g_socket_service_start (server.service);

  announce ("%s %s %u", rfc2217 ? "RFC2217" : "TCP", host,
            g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
}

/* What the board counted (frames lost, commands, ...), for a test in
 * another process: one "NAME VALUE" line a counter. */
static gboolean
write_counters (const char  *path,
                GError     **error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < GLINT_SIM_N_COUNTERS; i++)
    g_string_append_printf (text, "%s %" G_GUINT64_FORMAT "\n", glint_sim_counter_get_name (i),
                            glint_sim_get_counter (server.sim, i));

  return g_file_set_contents (path, text->str, text->len, error);
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *chip = NULL;
  g_autofree char *options = NULL;
  g_autofree char *host = NULL;
  g_autofree char *link_path = NULL;
  g_auto(GStrv) option_list = NULL;
  gboolean pty = FALSE;
  int tcp_port = -1;
  int rfc2217_port = -1;
  int max_server_baud = 0;
  gboolean esp_reset = FALSE;
  gint64 drop_after = 0;
  gint64 vanish_after = 0;
  gdouble lose_answers = 0;
  gdouble damage_answers = 0;
  int modes;
  GOptionEntry entries[] = {
    { "chip", 'c', 0, G_OPTION_ARG_STRING, &chip, "Chip to simulate (default esp32)", "NAME" },
    { "option", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &option_list,
      "Simulator option, e.g. latency=100 (repeatable)", "KEY=VALUE" },
    { "options", 0, 0, G_OPTION_ARG_STRING, &options,
      "Simulator options as a URL query, e.g. latency=100&jitter=10", "QUERY" },
    { "flash", 'f', 0, G_OPTION_ARG_FILENAME, &server.flash_path,
      "File backing the simulated flash (saved on exit)", "FILE" },
    { "counters", 0, 0, G_OPTION_ARG_FILENAME, &server.counters_path,
      "Write the simulator's counters to FILE on exit (NAME VALUE lines)", "FILE" },
    { "pty", 0, 0, G_OPTION_ARG_NONE, &pty, "Serve on a new pty", NULL },
    { "link", 0, 0, G_OPTION_ARG_FILENAME, &link_path,
      "With --pty: also create this symlink to it", "PATH" },
    { "tcp", 0, 0, G_OPTION_ARG_INT, &tcp_port, "Serve raw TCP on PORT (0: any)", "PORT" },
    { "rfc2217", 0, 0, G_OPTION_ARG_INT, &rfc2217_port,
      "Serve RFC 2217 on PORT (0: any)", "PORT" },
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, "Address to listen on (default 127.0.0.1)",
      "ADDRESS" },
    { "max-server-baud", 0, 0, G_OPTION_ARG_INT, &max_server_baud,
      "With --rfc2217: set at most this rate, and answer with it", "BAUD" },
    { "esp-reset", 0, 0, G_OPTION_ARG_NONE, &esp_reset,
      "With --rfc2217: run a client's reset into download mode on the server, "
      "with local timing (as esptool's esp_rfc2217_server does)", NULL },
    { "drop-after", 0, 0, G_OPTION_ARG_INT64, &drop_after,
      "With --tcp or --rfc2217: drop the client's connection once, after BYTES "
      "either way (the chip keeps running)", "BYTES" },
    { "vanish-after", 0, 0, G_OPTION_ARG_INT64, &vanish_after,
      "With --pty: the port goes away once after BYTES either way and comes back "
      "(under --link, or as a new pty), the chip running on", "BYTES" },
    { "ports-dir", 0, 0, G_OPTION_ARG_FILENAME, &server.ports_dir,
      "With --pty: describe the port in DIR/board for GLINT_PORTS_DIR", "DIR" },
    { "usb", 0, 0, G_OPTION_ARG_STRING, &server.usb,
      "With --ports-dir: the USB identity (hex, default 303a:1001:0); the chip's own "
      "USB-OTG (303a:image chip id) takes its smaller blocks", "VID:PID:SERIAL" },
    { "lose-answers", 0, 0, G_OPTION_ARG_DOUBLE, &lose_answers,
      "With --rfc2217: lose each answer of the chip with this chance (0 to 1)", "P" },
    { "damage-answers", 0, 0, G_OPTION_ARG_DOUBLE, &damage_answers,
      "With --rfc2217: damage a byte of each answer with this chance (0 to 1)", "P" },
    { NULL }
  };

  /* A test that dies must not leave its board running. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);

  context = g_option_context_new ("- serve a simulated Espressif chip");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    fatal ("%s", error->message);

  modes = (pty ? 1 : 0) + (tcp_port >= 0 ? 1 : 0) + (rfc2217_port >= 0 ? 1 : 0);
  if (modes != 1)
    fatal ("give exactly one of --pty, --tcp PORT, --rfc2217 PORT");
  if (tcp_port > 65535 || rfc2217_port > 65535)
    fatal ("port out of range");
  if (max_server_baud < 0)
    fatal ("--max-server-baud must not be negative");
  server.max_server_baud = (guint) max_server_baud;
  if (esp_reset && rfc2217_port < 0)
    fatal ("--esp-reset needs --rfc2217");
  server.esp_reset = esp_reset;
  if (drop_after < 0 || (drop_after > 0 && pty))
    fatal ("--drop-after wants a byte count, and --tcp or --rfc2217");
  server.drop_after = (guint64) drop_after;
  if (vanish_after < 0 || (vanish_after > 0 && !pty))
    fatal ("--vanish-after wants a byte count, and --pty");
  if (server.ports_dir != NULL && !pty)
    fatal ("--ports-dir needs --pty");
  server.vanish_after = (guint64) vanish_after;
  server.link_path = g_strdup (link_path);
  if (lose_answers < 0 || lose_answers > 1 || damage_answers < 0 || damage_answers > 1 ||
      ((lose_answers > 0 || damage_answers > 0) && rfc2217_port < 0))
    fatal ("--lose-answers and --damage-answers want a chance from 0 to 1, and --rfc2217");
  server.lose_answers = lose_answers;
  server.damage_answers = damage_answers;
  server.rand = g_rand_new ();

  server.sim = glint_sim_new (chip, &error);
  if (server.sim == NULL)
    fatal ("%s", error->message);
  if (server.drop_after > 0 || server.vanish_after > 0)
    g_signal_connect (server.sim, "output", G_CALLBACK (on_sim_output_count_cb), NULL);

  /* Without modem lines (pty, raw TCP) a board cannot be reset into
   * download mode, so it starts there; over raw TCP the host's speed is
   * invisible, so only the chip's own speed counts. Explicit options win. */
  if (pty || tcp_port >= 0)
    glint_sim_set_option (server.sim, "boot", "download", NULL);
  if (tcp_port >= 0)
    glint_sim_set_option (server.sim, "baud-check", "off", NULL);

  /* A port that is the chip's own USB-OTG CDC (by its USB identity) takes
   * smaller blocks */
  if (server.ports_dir != NULL && server.usb != NULL)
    {
      g_auto(GStrv) usb = g_strsplit (server.usb, ":", 3);
      const GlintChip *facts = glint_chip_lookup (glint_sim_get_chip_name (server.sim));

      if (usb[1] != NULL && facts != NULL &&
          glint_chip_is_usb_otg (facts, (guint16) g_ascii_strtoull (usb[0], NULL, 16),
                                 (guint16) g_ascii_strtoull (usb[1], NULL, 16)))
        glint_sim_set_option (server.sim, "usb-otg", "on", NULL);
    }

  if (server.flash_path != NULL &&
      !glint_sim_set_option (server.sim, "flash", server.flash_path, &error))
    fatal ("%s", error->message);
  if (options != NULL && !glint_sim_set_options (server.sim, options, &error))
    fatal ("%s", error->message);
  for (guint i = 0; option_list != NULL && option_list[i] != NULL; i++)
    if (!glint_sim_set_options (server.sim, option_list[i], &error))
      fatal ("%s", error->message);

  server.loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_signal_cb, NULL);
  g_unix_signal_add (SIGINT, on_signal_cb, NULL);

  if (pty)
    serve_pty (link_path);
  else if (tcp_port >= 0)
    serve_tcp (host != NULL ? host : "127.0.0.1", tcp_port, FALSE);
  else
    serve_tcp (host != NULL ? host : "127.0.0.1", rfc2217_port, TRUE);

  g_main_loop_run (server.loop);

  drop_client ();
  g_clear_handle_id (&server.reset_source, g_source_remove);
  if (server.flash_path != NULL && !glint_sim_save_flash (server.sim, &error))
    {
      g_printerr ("glint-sim-server: %s\n", error->message);
      server.exit_status = 1;
    }

  if (server.counters_path != NULL && !write_counters (server.counters_path, &error))
    {
      g_printerr ("glint-sim-server: %s\n", error->message);
      server.exit_status = 1;
    }

  if (link_path != NULL)
    unlink (link_path);
  write_port_entry (NULL);
  g_free (server.link_path);
  g_clear_object (&server.service);
  g_clear_object (&server.sim);
  g_clear_pointer (&server.rand, g_rand_free);
  g_main_loop_unref (server.loop);

  return server.exit_status;
}
