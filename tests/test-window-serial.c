/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

/* posix_openpt() and friends */
#define _GNU_SOURCE

#include "config.h"

#include <fcntl.h>
#include <grp.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <gdk/x11/gdkx.h>

#include "glint-sim-stream.h"
#include "glint-test-utils.h"
#include "glint-test-window.h"
#include "glint-window-private.h"

/* The serial side of the window, under Xvfb (tests/meson.build): the
 * Board page's rows for local ports (which port is the board, what
 * carries it, what stands in its way), and the serial monitor (send,
 * pause, follow, time stamps, save, and a flood of output). A pty stands
 * in for the board; sysfs, /proc and the port list are stand-ins. */

typedef struct
{
  GlintWindow *window;
  char        *root;     /* the stand-ins */
  char        *ports;    /* GLINT_PORTS_DIR */
  char        *sys;      /* GLINT_SYSFS_ROOT */
  char        *proc;     /* GLINT_PROC_ROOT */
  int          master;   /* the board's end of the pty */
  char        *slave;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new (GLINT_SETTINGS_SCHEMA);

  g_settings_reset (settings, "last-address");

  f->root = g_dir_make_tmp ("glint-window-serial-XXXXXX", &error);
  g_assert_no_error (error);
  f->ports = g_build_filename (f->root, "dev", NULL);
  f->sys = g_build_filename (f->root, "sys", NULL);
  f->proc = g_build_filename (f->root, "proc", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->ports, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (f->sys, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (f->proc, 0755), ==, 0);
  g_setenv ("GLINT_PORTS_DIR", f->ports, TRUE);
  g_setenv ("GLINT_SYSFS_ROOT", f->sys, TRUE);
  g_setenv ("GLINT_PROC_ROOT", f->proc, TRUE);

  f->master = posix_openpt (O_RDWR | O_NOCTTY | O_NONBLOCK);
  g_assert_cmpint (f->master, >=, 0);
  g_assert_cmpint (grantpt (f->master), ==, 0);
  g_assert_cmpint (unlockpt (f->master), ==, 0);
  f->slave = g_strdup (ptsname (f->master));
  {
    /* raw: what is written arrives as it is */
    g_autofree char *board = g_build_filename (f->ports, "ttyUSB1", NULL);

    g_assert_cmpint (symlink (f->slave, board), ==, 0);
  }
}

static void
window_open (Fixture *f)
{
  f->window = g_object_ref_sink (glint_window_new (NULL));
  glint_test_window_show (GTK_WINDOW (f->window));
  glint_test_spin (100);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->window != NULL)
    glint_test_window_destroy (&f->window);

  close (f->master);
  g_unsetenv ("GLINT_PORTS_DIR");
  g_unsetenv ("GLINT_SYSFS_ROOT");
  g_unsetenv ("GLINT_PROC_ROOT");
  glint_test_remove_dir (f->root);
  g_free (f->root);
  g_free (f->ports);
  g_free (f->sys);
  g_free (f->proc);
  g_free (f->slave);
}

static GtkWidget *
child (Fixture    *f,
       const char *name)
{
  return glint_test_window_child (f->window, name);
}

static void
activate (Fixture    *f,
          const char *action,
          const char *param)
{
  glint_test_window_activate (GTK_WIDGET (f->window), action, param);
}

/* An action of the monitor page's own ("monitor.pause"). */
static void
activate_on_page (Fixture    *f,
                  const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window->monitor_page), action, NULL));
}

/* The rows of the Connected Boards list: title, then subtitle (as shown,
 * without its markup), one each. */
static char *
rows_text (Fixture *f)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (child (f, "ports_list"));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row) && (g_object_get_data (G_OBJECT (row), "glint-check") != NULL ||
                                    g_object_get_data (G_OBJECT (row), "glint-missing") != NULL))
      g_string_append_printf (text, "%s\n  %s\n",
                              adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                              adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static GtkWidget *
find_row (Fixture    *f,
          const char *subtitle_start)
{
  for (GtkWidget *row = gtk_widget_get_first_child (child (f, "ports_list"));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row) &&
        g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), subtitle_start))
      return row;

  g_error ("no row whose subtitle starts with %s", subtitle_start);
}

/* Whether a label with @text is somewhere inside @widget. */
static gboolean
has_label (GtkWidget  *widget,
           const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0 &&
      gtk_widget_get_visible (widget))
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    if (has_label (c, text))
      return TRUE;

  return FALSE;
}

/* Which port is the board: no ttyS placeholder, the adapter's product
 * and serial number, the chip's own USB marked, a busy port's holder, and
 * a CH340 that brltty took, with the fix. */
static void
test_board_rows (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *busy = g_build_filename (f->ports, "ttyUSB5", NULL);
  g_autofree char *rows = NULL;
  g_autofree char *expected = NULL;
  gint64 deadline;

  glint_test_put_file (f->ports, "ttyUSB0", "[usb]\nvid=10c4\npid=ea60\nserial=0001\n"
                                            "product=CP2102N USB to UART Bridge Controller\n");
  glint_test_put_file (f->ports, "ttyACM0", "[usb]\nvid=303a\npid=1001\nserial=F4:12:FA:C0:FF:EE\n"
                                            "product=USB JTAG/serial debug unit\n");
  glint_test_put_file (f->ports, "ttyS0", "");
  glint_test_put_file (f->ports, "ttyS1", "");
  glint_test_put_file (f->sys, "class/tty/ttyS0/type", "4\n");
  glint_test_put_file (f->sys, "class/tty/ttyS0/device/uevent", "");
  glint_test_put_file (f->sys, "class/tty/ttyS1/type", "0\n");
  glint_test_put_file (f->sys, "class/tty/ttyS1/device/uevent", "");
  /* a CH340 on USB without its tty, and brltty running */
  glint_test_put_file (f->sys, "bus/usb/devices/1-4/idVendor", "1a86\n");
  glint_test_put_file (f->sys, "bus/usb/devices/1-4/idProduct", "7523\n");
  glint_test_put_file (f->proc, "812/comm", "brltty\n");
  /* the pty behind ttyUSB1 doubles as a busy adapter: minicom has it */
  g_assert_cmpint (symlink (f->slave, busy), ==, 0);
  glint_test_put_file (f->proc, "4242/comm", "minicom\n");
  glint_test_put_link (f->proc, "4242/fd/3", f->slave);

  window_open (f);
  expected = g_strdup_printf (
    "Espressif USB-JTAG/Serial\n"
    "  %s/ttyACM0 · the chip’s own USB · USB JTAG/serial debug unit · "
    "serial F4:12:FA:C0:FF:EE · USB 303a:1001\n"
    "ttyS0\n"
    "  %s/ttyS0 · a serial port of this computer\n"
    "CP210x USB to UART\n"
    "  %s/ttyUSB0 · CP2102N USB to UART Bridge Controller · serial 0001 · USB 10c4:ea60\n"
    "ttyUSB1\n"
    "  %s/ttyUSB1 · a serial port of this computer\n"
    "in use by minicom (process 4242): close it first\n"
    "ttyUSB5\n"
    "  %s/ttyUSB5 · a serial port of this computer\n"
    "in use by minicom (process 4242): close it first\n"
    "CH340 (USB 1a86:7523) is plugged in but has no serial port\n"
    "  brltty, a braille display driver (process 812), took it. If you use no braille "
    "display, remove it (“sudo apt remove brltty”, or “sudo systemctl mask "
    "brltty-udev.service”), then plug the board in again.\n",
    f->ports, f->ports, f->ports, f->ports, f->ports);

  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  for (;;)
    {
      g_free (rows);
      rows = rows_text (f);
      if (g_str_equal (rows, expected) || g_get_monotonic_time () > deadline)
        break;
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_cmpstr (rows, ==, expected);

  /* the chip's own USB wears a badge; an adapter does not */
  {
    g_autofree char *native = g_build_filename (f->ports, "ttyACM0", NULL);
    g_autofree char *adapter = g_build_filename (f->ports, "ttyUSB0", NULL);

    g_assert_true (has_label (find_row (f, native), "Built-in USB"));
    g_assert_false (has_label (find_row (f, adapter), "Built-in USB"));
  }

  /* brltty goes: the row goes when the list is read again */
  {
    g_autofree char *comm = g_build_filename (f->proc, "812", "comm", NULL);

    g_assert_cmpint (g_unlink (comm), ==, 0);
    glint_test_put_file (f->proc, "812/comm", "bash\n");
  }
  glint_port_monitor_refresh (_glint_window_get_port_monitor (f->window));
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  for (;;)
    {
      g_free (rows);
      rows = rows_text (f);
      if (strstr (rows, "sudo modprobe ch341") != NULL || g_get_monotonic_time () > deadline)
        break;
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_nonnull (strstr (rows, "Its driver (ch341) did not take it"));
}

/* The permission hint names the group that owns the port (uucp on Arch),
 * not always Debian's dialout. */
static void
test_permission_group (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *port = g_build_filename (f->ports, "ttyUSB2", NULL);
  struct group *uucp = getgrnam ("uucp");
  GtkWidget *status;

  if (getuid () != 0 || uucp == NULL)
    {
      g_test_skip ("needs root and a uucp group to give a port that group");
      return;
    }
  glint_test_put_file (f->ports, "ttyUSB2", "");
  g_assert_cmpint (chown (port, 0, uucp->gr_gid), ==, 0);

  window_open (f);
  activate (f, "win.select-board", port);
  while (g_strcmp0 (f->window->address, port) != 0)
    g_main_context_iteration (NULL, TRUE);
  _glint_window_show_permission_page (f->window);
  g_assert_cmpstr (_glint_window_get_page (f->window), ==, "permission");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (f, "permission_command_label"))), ==,
                   "sudo usermod -aG uucp $USER");
  status = child (f, "permission_status");
  g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (status)),
                            "“uucp” group"));
}

/* Monitor */

static GtkTextBuffer *
monitor_buffer (Fixture *f)
{
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (child (f, "monitor_view")));
}

static char *
monitor_text (Fixture *f)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (monitor_buffer (f), &start, &end);
  return gtk_text_buffer_get_text (monitor_buffer (f), &start, &end, FALSE);
}

/* Whether the view shows the line at @offset characters into the text. */
static gboolean
shows_offset (Fixture *f,
              int      offset)
{
  GtkTextView *view = GTK_TEXT_VIEW (child (f, "monitor_view"));
  GdkRectangle visible, where;
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_offset (monitor_buffer (f), &iter, offset);
  gtk_text_view_get_visible_rect (view, &visible);
  gtk_text_view_get_iter_location (view, &iter, &where);

  return where.y >= visible.y && where.y + where.height <= visible.y + visible.height;
}

static gboolean
shows_end (Fixture *f)
{
  return shows_offset (f, gtk_text_buffer_get_char_count (monitor_buffer (f)));
}

static void wait_frames (Fixture *f,
                         guint    n);

/* Lets the view lay out what came, then iterates until it shows the end,
 * for at most 5 s. */
static void
wait_for_end_shown (Fixture *f)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  wait_frames (f, 3);
  while (!shows_end (f))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the monitor does not show the newest output");
      g_main_context_iteration (NULL, FALSE);
    }
}

/* Lets @n frames pass: what was due in them has happened. */
static void
wait_frames (Fixture *f,
             guint    n)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (f->window));
  gint64 until = gdk_frame_clock_get_frame_counter (clock) + n;

  gtk_widget_queue_draw (GTK_WIDGET (f->window));
  while (gdk_frame_clock_get_frame_counter (clock) < until)
    {
      gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_PAINT);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* What the board prints. */
static void
board_prints (Fixture    *f,
              const char *text)
{
  gsize len = strlen (text);
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = write (f->master, text + done, len - done);

      if (n > 0)
        done += (gsize) n;
      g_main_context_iteration (NULL, FALSE);
    }
}

/* Iterates until the monitor shows text ending with @tail. */
static void
wait_for_tail (Fixture    *f,
               const char *tail)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autofree char *text = monitor_text (f);

      if (g_str_has_suffix (text, tail))
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("the monitor shows “%s”, not ending in “%s”", text, tail);
      g_main_context_iteration (NULL, FALSE);
    }
}

/* What the board received, until @len bytes came or 5 s passed. */
static char *
board_reads (Fixture *f,
             gsize    len)
{
  g_autoptr(GString) got = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (got->len < len && g_get_monotonic_time () < deadline)
    {
      char buf[256];
      ssize_t n = read (f->master, buf, sizeof buf);

      if (n > 0)
        g_string_append_len (got, buf, n);
      g_main_context_iteration (NULL, FALSE);
    }

  return g_string_free (g_steal_pointer (&got), FALSE);
}

/* Throws away what the board received so far (the pty echoed what it
 * was sent before the monitor made it raw). */
static void
board_drain (Fixture *f)
{
  char buf[256];

  glint_test_spin (50);
  while (read (f->master, buf, sizeof buf) > 0)
    ;
}

/* Opens the monitor on the pty through the window, as a user does. */
static void
open_monitor (Fixture *f)
{
  g_autofree char *board = g_build_filename (f->ports, "ttyUSB1", NULL);
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  window_open (f);
  activate (f, "win.select-board", board);
  while (g_strcmp0 (f->window->address, board) != 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
    }
  activate (f, "win.monitor", NULL);
  g_assert_cmpstr (_glint_window_get_page (f->window), ==, "monitor");
  /* listening once it has changed the speed and dropped what was there:
   * say "ready" until it shows */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autofree char *text = monitor_text (f);

      if (g_str_has_suffix (text, "ready\n"))
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      board_prints (f, "ready\n");
      glint_test_spin (50);
    }
}

/* A line goes to the board with the line ending chosen. */
static void
test_monitor_send (Fixture       *f,
                   gconstpointer  data)
{
  GtkDropDown *ending;
  GtkEditable *entry;
  const char *expected[] = { "AT+GMR\n", "AT+GMR\r", "AT+GMR\r\n", "AT+GMR" };

  open_monitor (f);
  ending = GTK_DROP_DOWN (child (f, "monitor_line_end_dropdown"));
  entry = GTK_EDITABLE (child (f, "monitor_send_entry"));
  board_drain (f);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *got = NULL;

      gtk_drop_down_set_selected (ending, i);
      gtk_editable_set_text (entry, "AT+GMR");
      /* Enter in the entry */
      g_signal_emit_by_name (entry, "activate");
      got = board_reads (f, strlen (expected[i]));
      g_assert_cmpstr (got, ==, expected[i]);
      g_assert_cmpstr (gtk_editable_get_text (entry), ==, "");
    }

  /* The board's answer, CR LF and all, shows as lines. */
  board_prints (f, "ESP-AT v3.2\r\nOK\r\n");
  wait_for_tail (f, "ready\nESP-AT v3.2\nOK\n");
}

/* Pause holds the view; output is kept and shown after. Time stamps
 * start each new line. Scrolling up stops following; Follow brings the
 * end back. Save writes what is shown, atomically. */
static void
test_monitor_controls (Fixture       *f,
                       gconstpointer  data)
{
  GlintMonitorPage *page;
  GtkAdjustment *vadj;
  g_autofree char *before = NULL;
  g_autofree char *text = NULL;
  g_autofree char *saved = NULL;
  g_autoptr(GRegex) stamp = NULL;
  g_autofree char *path = NULL;
  g_autofree char *bad = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) bad_file = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  open_monitor (f);
  page = f->window->monitor_page;

  /* Pause */
  activate_on_page (f, "monitor.pause");
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (child (f, "monitor_pause_button"))));
  before = monitor_text (f);
  board_prints (f, "while paused\n");
  glint_test_spin (200);
  text = monitor_text (f);
  g_assert_cmpstr (text, ==, before);
  activate_on_page (f, "monitor.pause");
  wait_for_tail (f, "ready\nwhile paused\n");

  /* Time stamps */
  activate_on_page (f, "monitor.timestamps");
  board_prints (f, "stamped\r\nand again\n");
  wait_for_tail (f, "and again\n");
  g_clear_pointer (&text, g_free);
  text = monitor_text (f);
  stamp = g_regex_new ("while paused\n\\[\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d\\] stamped\n"
                       "\\[\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d\\] and again\n$", 0, 0, NULL);
  g_assert_true (g_regex_match (stamp, text, 0, NULL));
  activate_on_page (f, "monitor.timestamps");

  /* Scroll lock: enough lines to scroll, then the user goes up. */
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *line = g_strdup_printf ("line %u\n", i);

      board_prints (f, line);
    }
  wait_for_tail (f, "line 199\n");
  wait_for_end_shown (f);
  vadj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (child (f, "monitor_scrolled")));
  g_assert_cmpfloat (gtk_adjustment_get_upper (vadj), >, gtk_adjustment_get_page_size (vadj));
  g_assert_false (shows_offset (f, 0));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (child (f, "monitor_follow_button"))));
  /* not following (the user scrolls up: test-window-serial's keyboard
   * case turns the wheel), the view stays where the user put it */
  activate_on_page (f, "monitor.follow");
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (child (f, "monitor_follow_button"))));
  wait_frames (f, 3);
  gtk_adjustment_set_value (vadj, 0);
  board_prints (f, "more\n");
  wait_for_tail (f, "line 199\nmore\n");
  wait_frames (f, 3);
  g_assert_true (shows_offset (f, 0));
  g_assert_false (shows_end (f));
  activate_on_page (f, "monitor.follow");
  wait_for_end_shown (f);
  g_assert_false (shows_offset (f, 0));
  g_assert_true (glint_monitor_page_is_running (page));

  /* Save: over an old file, which is replaced whole */
  path = g_build_filename (f->root, "monitor.log", NULL);
  glint_test_put_file (f->root, "monitor.log", "an old log, longer than nothing at all\n");
  file = g_file_new_for_path (path);
  glint_monitor_page_save_async (page, file, NULL, glint_test_store_result_cb, &result);
  result = glint_test_wait_for ((gpointer *) &result, 5000);
  g_assert_true (glint_monitor_page_save_finish (page, result, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
  g_clear_pointer (&text, g_free);
  text = monitor_text (f);
  g_assert_cmpstr (saved, ==, text);

  /* a folder that is not there: an error, nothing left behind */
  g_clear_object (&result);
  bad = g_build_filename (f->root, "gone", "monitor.log", NULL);
  bad_file = g_file_new_for_path (bad);
  glint_monitor_page_save_async (page, bad_file, NULL, glint_test_store_result_cb, &result);
  result = glint_test_wait_for ((gpointer *) &result, 5000);
  g_assert_false (glint_monitor_page_save_finish (page, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  /* Clear */
  activate (f, "win.monitor-clear", NULL);
  g_clear_pointer (&text, g_free);
  text = monitor_text (f);
  g_assert_cmpstr (text, ==, "");
}

typedef struct
{
  guint inserts;
} Count;

static void
on_insert_cb (GtkTextBuffer *buffer,
              GtkTextIter   *where,
              const char    *text,
              int            len,
              Count         *count)
{
  count->inserts++;
}

/* A flood: the view gets at most one insertion per frame however many
 * reads there are, and keeps the newest lines only. */
static void
test_monitor_flood (Fixture       *f,
                    gconstpointer  data)
{
  GdkFrameClock *clock;
  gint64 frames_before, frames;
  Count count = { 0 };
  g_autoptr(GString) chunk = g_string_new (NULL);
  g_autofree char *text = NULL;
  gulong handler;
  guint lines = 0;
  gsize total = 0;
  const gsize flood = 3 * 1024 * 1024;

  open_monitor (f);
  clock = gtk_widget_get_frame_clock (child (f, "monitor_view"));
  g_assert_nonnull (clock);
  handler = g_signal_connect (monitor_buffer (f), "insert-text", G_CALLBACK (on_insert_cb),
                              &count);
  frames_before = gdk_frame_clock_get_frame_counter (clock);

  while (total < flood)
    {
      g_string_truncate (chunk, 0);
      for (guint i = 0; i < 64; i++)
        g_string_append_printf (chunk, "I (%08u) flood: line %08u of the board's output, "
                                "long as log lines are\n", lines, lines), lines++;
      board_prints (f, chunk->str);
      total += chunk->len;
    }
  {
    g_autofree char *last = g_strdup_printf ("line %08u of the board's output, long as log "
                                             "lines are\n", lines - 1);

    wait_for_tail (f, last);
  }
  frames = gdk_frame_clock_get_frame_counter (clock) - frames_before;
  g_signal_handler_disconnect (monitor_buffer (f), handler);

  g_test_message ("%" G_GSIZE_FORMAT " bytes, %u lines: %u insertions in %" G_GINT64_FORMAT
                  " frames, %u flushes", total, lines, count.inserts, frames,
                  _glint_monitor_page_get_n_flushes (f->window->monitor_page));
  /* the reads were many more than that (4 KiB each) */
  g_assert_cmpuint (count.inserts, >, 0);
  g_assert_cmpint (count.inserts, <=, frames + 1);

  /* bounded: the newest 3000 lines, 256 K characters, a tenth over at most */
  g_assert_cmpint (gtk_text_buffer_get_line_count (monitor_buffer (f)), <=, 3300 + 1);
  g_assert_cmpint (gtk_text_buffer_get_char_count (monitor_buffer (f)), <=,
                   256 * 1024 + 256 * 1024 / 10);
  text = monitor_text (f);
  g_assert_false (g_str_has_prefix (text, "ready"));
}

/* Everything on the page by keyboard alone. */
static void
xdotool_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  int *status = user_data;

  *status = g_subprocess_wait_check_finish (G_SUBPROCESS (object), result, NULL) ? 1 : 0;
}

static gboolean
try_xdotool (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_ptr_array_add (argv, (gpointer) "xdotool");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_NONE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (process, NULL, xdotool_done_cb, &status);
  while (status < 0)
    g_main_context_iteration (NULL, TRUE);

  return status == 1;
}

static void
press (Fixture    *f,
       const char *keys)
{
  g_assert_true (try_xdotool ((const char *[]) { "key", "--delay", "10", keys, NULL }));
  wait_frames (f, 2);
}

static void
test_monitor_keyboard (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *xdotool_path = g_find_program_in_path ("xdotool");
  g_autofree char *xid = NULL;
  g_autofree char *got = NULL;
  gint64 deadline;

  if (xdotool_path == NULL)
    {
      g_test_skip ("xdotool is not installed (build-aux/dev installs it)");
      return;
    }

  open_monitor (f);
  xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (
                           gtk_native_get_surface (GTK_NATIVE (f->window))));
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!try_xdotool ((const char *[]) { "windowfocus", "--sync", xid, NULL }))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      glint_test_spin (100);
    }
  while (!gtk_window_is_active (GTK_WINDOW (f->window)))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
    }

  /* Alt+L: the line to send; type, Enter */
  board_drain (f);
  press (f, "alt+l");
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f->window)),
                                         child (f, "monitor_send_entry")));
  g_assert_true (try_xdotool ((const char *[]) { "type", "--delay", "10", "help", NULL }));
  wait_frames (f, 2);
  press (f, "Return");
  got = board_reads (f, 5);
  g_assert_cmpstr (got, ==, "help\n");

  /* Ctrl+P pauses and goes on, Ctrl+T stamps, Ctrl+End follows */
  press (f, "ctrl+p");
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (child (f, "monitor_pause_button"))));
  press (f, "ctrl+p");
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (child (f, "monitor_pause_button"))));
  press (f, "ctrl+t");
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (child (f, "monitor_timestamps_button"))));
  press (f, "ctrl+t");

  /* enough to scroll; the wheel up over the text stops following */
  {
    g_autoptr(GString) lines = g_string_new (NULL);

    for (guint i = 0; i < 100; i++)
      g_string_append (lines, "a line to scroll past\n");
    g_string_append (lines, "last\n");
    board_prints (f, lines->str);
  }
  wait_for_tail (f, "last\n");
  wait_for_end_shown (f);
  {
    GtkWidget *view = child (f, "monitor_view");
    graphene_point_t point;
    double sx, sy;
    g_autofree char *x = NULL;
    g_autofree char *y = NULL;

    /* the surface has the shadow around the window */
    g_assert_true (gtk_widget_compute_point (view, GTK_WIDGET (f->window),
                                             &GRAPHENE_POINT_INIT (50, 50), &point));
    gtk_native_get_surface_transform (GTK_NATIVE (f->window), &sx, &sy);
    x = g_strdup_printf ("%d", (int) (point.x + sx));
    y = g_strdup_printf ("%d", (int) (point.y + sy));
    g_assert_true (try_xdotool ((const char *[]) { "mousemove", "--window", xid, x, y, NULL }));
    g_assert_true (try_xdotool ((const char *[]) { "click", "--repeat", "3", "4", NULL }));
    wait_frames (f, 2);
    g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (child (f, "monitor_follow_button"))));
  }
  g_assert_false (shows_end (f));
  press (f, "ctrl+End");
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (child (f, "monitor_follow_button"))));
  wait_for_end_shown (f);

  /* Ctrl+L clears */
  board_prints (f, "noise\n");
  wait_for_tail (f, "noise\n");
  press (f, "ctrl+l");
  {
    g_autofree char *text = monitor_text (f);

    g_assert_cmpstr (text, ==, "");
  }
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  glint_sim_stream_register ();
  adw_init ();
  /* where the view ends up, not how it glides there */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

#define ADD(path, func) \
  g_test_add ("/glint/window-serial/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("board-rows", test_board_rows);
  ADD ("permission-group", test_permission_group);
  ADD ("monitor-send", test_monitor_send);
  ADD ("monitor-controls", test_monitor_controls);
  ADD ("monitor-flood", test_monitor_flood);
  ADD ("monitor-keyboard", test_monitor_keyboard);

#undef ADD

  return g_test_run ();
}
