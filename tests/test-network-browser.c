/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-network-browser.h"

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
  /* said before the handler was connected, and not again */
  g_assert_cmpuint (unavailable_notes, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/glint/network-browser/from-txt", test_from_txt);
  g_test_add_func ("/glint/network-browser/no-avahi", test_no_avahi);

  return g_test_run ();
}
