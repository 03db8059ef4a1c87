/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "glint-network-browser-private.h"

/* What ser2net announces becomes a board with a URL that opens it, and
 * its adapter. (The real announcement through avahi-daemon is
 * test-mdns.py's.) */
static void
test_from_txt (void)
{
  const char *ser2net[] = { "gensiostack=telnet(rfc2217),tcp", "provider=ser2net",
                            "devicetype=serialusb", "idVendor=10c4", "idProduct=ea60",
                            "serial=0001", "manufacturer=Silicon Labs",
                            "product=CP2102 USB to UART Bridge Controller", NULL };
  const char *raw[] = { "gensiostack=tcp", "provider=ser2net", "devicetype=serial", NULL };
  const char *odd[] = { "idVendor=10c4", "idProduct=zz", "product=", NULL };
  g_autoptr(GlintNetworkBoard) board = NULL;
  g_autoptr(GlintNetworkBoard) copy = NULL;
  g_autofree char *line = NULL;

  board = glint_network_board_new_from_txt ("lab-esp32-1", "lab.local", "192.0.2.1", 4001,
                                            ser2net);
  g_assert_cmpstr (board->url, ==, "rfc2217://192.0.2.1:4001");
  g_assert_cmpstr (board->adapter, ==, "Silicon Labs CP2102 USB to UART Bridge Controller");
  g_assert_nonnull (board->usb);
  g_assert_cmpuint (board->usb->vid, ==, 0x10c4);
  g_assert_cmpuint (board->usb->pid, ==, 0xea60);
  g_assert_cmpstr (board->usb->serial, ==, "0001");
  line = glint_network_board_describe (board);
  g_assert_cmpstr (line, ==, "lab-esp32-1 on lab.local:4001, Silicon Labs CP2102 USB to UART "
                             "Bridge Controller [10c4:ea60 0001]");
  copy = glint_network_board_copy (board);
  g_assert_true (glint_network_board_equal (board, copy));
  g_clear_pointer (&copy, glint_network_board_free);
  g_clear_pointer (&board, glint_network_board_free);
  g_clear_pointer (&line, g_free);

  /* a raw TCP stack is a socket; IPv6 in brackets; no adapter */
  board = glint_network_board_new_from_txt ("bench", "bench.local", "2001:db8::7", 3333, raw);
  g_assert_cmpstr (board->url, ==, "socket://[2001:db8::7]:3333");
  g_assert_null (board->adapter);
  g_assert_null (board->usb);
  line = glint_network_board_describe (board);
  g_assert_cmpstr (line, ==, "bench on bench.local:3333");
  copy = glint_network_board_new_from_txt ("bench", "bench.local", "2001:db8::7", 3333, NULL);
  g_assert_true (glint_network_board_equal (board, copy));
  g_clear_pointer (&board, glint_network_board_free);

  /* ids that are not sysfs' four hex digits name no adapter */
  board = glint_network_board_new_from_txt ("x", "x.local", "192.0.2.9", 1, odd);
  g_assert_cmpstr (board->url, ==, "socket://192.0.2.9:1");
  g_assert_null (board->usb);
  g_assert_null (board->adapter);
  g_assert_false (glint_network_board_equal (board, copy));
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

/* Without Avahi (here: no system bus at all) the browser says why once,
 * settles at once and lists nothing. */
static void
test_no_avahi (void)
{
  g_autoptr(GlintNetworkBrowser) browser = NULL;
  guint unavailable_notes = 0;
  gint64 start = g_get_monotonic_time ();

  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/glint-test-bus", TRUE);
  browser = glint_network_browser_new ();
  g_signal_connect (browser, "notify::unavailable", G_CALLBACK (count_notify_cb),
                    &unavailable_notes);
  while (!glint_network_browser_get_settled (browser))
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);

  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_nonnull (glint_network_browser_get_unavailable (browser));
  g_assert_nonnull (strstr (glint_network_browser_get_unavailable (browser),
                            "Network boards cannot be found"));
  g_assert_nonnull (strstr (glint_network_browser_get_unavailable (browser), "rfc2217://"));
  g_assert_cmpuint (glint_network_browser_get_boards (browser)->len, ==, 0);
  /* said once, from the browser's thread to this context */
  g_assert_cmpuint (unavailable_notes, ==, 1);
}

static gboolean
tick_cb (gpointer user_data)
{
  gint64 *last_tick = user_data;

  *last_tick = g_get_monotonic_time ();
  return G_SOURCE_CONTINUE;
}

/* Where Avahi does not answer, glint_network_browser_new() returns at
 * once, the main context runs on (a tick every 10 ms, none missed by more
 * than a fraction of a second), and after the bound the browser says why
 * and settles. Disposing of it does not wait for the call that hangs. */
static void
expect_bounded (void)
{
  g_autoptr(GlintNetworkBrowser) browser = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 last_tick = start;
  gint64 longest_gap = 0;
  guint unavailable_notes = 0;
  guint tick;

  browser = _glint_network_browser_new_with_bound (300);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 4);
  g_signal_connect (browser, "notify::unavailable", G_CALLBACK (count_notify_cb),
                    &unavailable_notes);
  tick = g_timeout_add (10, tick_cb, &last_tick);
  while (!glint_network_browser_get_settled (browser))
    {
      g_main_context_iteration (NULL, TRUE);
      longest_gap = MAX (longest_gap, g_get_monotonic_time () - last_tick);
    }
  g_source_remove (tick);

  g_assert_cmpint (g_get_monotonic_time () - start, >=, 300 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (longest_gap, <, G_USEC_PER_SEC / 4);
  g_assert_cmpuint (unavailable_notes, ==, 1);
  g_assert_nonnull (strstr (glint_network_browser_get_unavailable (browser),
                            "Network boards unavailable: Avahi did not answer within 0.3 s."));
  g_assert_nonnull (strstr (glint_network_browser_get_unavailable (browser), "rfc2217://"));
  g_assert_cmpuint (glint_network_browser_get_boards (browser)->len, ==, 0);

  start = g_get_monotonic_time ();
  g_clear_object (&browser);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 4);
}

/* libdbus reads DBUS_SYSTEM_BUS_ADDRESS once a process: each bus of its
 * own in a subprocess. */
static void
in_subprocess (void)
{
  g_test_trap_subprocess (NULL, 10 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* A Unix socket at @path that listens and never accepts: the kernel
 * takes a connection, nobody speaks on it. */
static GSocket *
listen_silently (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) where = g_unix_socket_address_new (path);
  GSocket *listener = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                                    G_SOCKET_PROTOCOL_DEFAULT, &error);

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (listener, where, FALSE, &error));
  g_assert_true (g_socket_listen (listener, &error));
  g_assert_no_error (error);
  return listener;
}

/* A system bus that takes the connection but never says a word: libdbus
 * would wait 25 s for its greeting. */
static void
test_bus_hangs (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *address = NULL;
  g_autoptr(GSocket) listener = NULL;

  if (!g_test_subprocess ())
    {
      in_subprocess ();
      return;
    }
  dir = g_dir_make_tmp ("glint-bus-XXXXXX", NULL);
  g_assert_nonnull (dir);
  path = g_build_filename (dir, "bus", NULL);
  listener = listen_silently (path);
  address = g_strdup_printf ("unix:path=%s", path);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", address, TRUE);

  expect_bounded ();

  /* (the browser's thread may still wait on the socket: it stays) */
  g_unlink (path);
  g_rmdir (dir);
}

static GDBusMessage *
drop_calls_cb (GDBusConnection *connection,
               GDBusMessage    *message,
               gboolean         incoming,
               gpointer         user_data)
{
  gint *calls = user_data;

  if (!incoming || g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    return message;
  g_atomic_int_inc (calls);
  g_object_unref (message);

  return NULL;
}

/* A connection to @bus that owns org.freedesktop.Avahi and drops every
 * call to it unanswered, counting them in *@calls. */
static GDBusConnection *
own_avahi_silently (GTestDBus *bus,
                    gint      *calls)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GDBusConnection *avahi;

  avahi = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                                  G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                  G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                  NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (avahi, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.Avahi", 0),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_add_filter (avahi, drop_calls_cb, calls, NULL);
  return avahi;
}

/* A bus that answers, and an org.freedesktop.Avahi on it that never does
 * (a daemon that hangs). */
static void
test_daemon_hangs (void)
{
  g_autoptr(GTestDBus) bus = NULL;
  g_autoptr(GDBusConnection) avahi = NULL;
  gint calls = 0;

  if (!g_test_subprocess ())
    {
      in_subprocess ();
      return;
    }
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", g_test_dbus_get_bus_address (bus), TRUE);
  avahi = own_avahi_silently (bus, &calls);

  expect_bounded ();
  /* the browser did reach the stand-in daemon */
  g_assert_cmpint (g_atomic_int_get (&calls), >, 0);

  g_dbus_connection_close_sync (avahi, NULL, NULL);
  g_test_dbus_down (bus);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/glint/network-browser/from-txt", test_from_txt);
  g_test_add_func ("/glint/network-browser/no-avahi", test_no_avahi);
  g_test_add_func ("/glint/network-browser/bus-hangs", test_bus_hangs);
  g_test_add_func ("/glint/network-browser/daemon-hangs", test_daemon_hangs);

  return g_test_run ();
}
