/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

/* posix_openpt() and friends */
#define _GNU_SOURCE

#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <adwaita.h>

#include "glint-monitor-page.h"
#include "glint-serial-stream.h"

/*
 * bench/monitor: how the serial monitor copes with a board that prints as
 * fast as its link allows.
 *
 * A board printing ESP-IDF log lines at 2 Mbaud (200 000 bytes/s: 10 bits
 * a byte) is a thread writing into a pty, paced every millisecond to that
 * rate; the monitor page reads the other end in a window of its own. A
 * 1 ms timer in the main loop records the longest gap between its runs:
 * the worst stall a user would feel (typing, scrolling, Cancel). Also
 * printed: the main thread's CPU time (a figure that, unlike the stall,
 * holds up when other processes share the machine), the frames drawn, the text insertions (at most one a frame),
 * the lines the view holds at the end, and the bytes read against the
 * bytes written.
 *
 * Needs a display: under Xvfb,
 *   dbus-run-session -- xvfb-run -a -s "-screen 0 1280x900x24" \
 *     ./_build/bench/glint-bench-monitor [--seconds N] [--baud N]
 */

typedef struct
{
  int      master;
  guint    baud;
  double   seconds;
  gsize    written;
  gboolean stop;
} Board;

static gpointer
board_thread (gpointer user_data)
{
  Board *board = user_data;
  gint64 start = g_get_monotonic_time ();
  g_autoptr(GString) pending = g_string_new (NULL);
  guint line = 0;

  while (!board->stop)
    {
      gint64 now = g_get_monotonic_time ();
      double elapsed = (now - start) / 1e6;
      gsize due = (gsize) (elapsed * board->baud / 10);

      if (elapsed >= board->seconds)
        break;
      while (board->written + pending->len < due)
        g_string_append_printf (pending, "I (%u) wifi: line %08u: sta rssi -%u dBm, "
                                "rx 12345 tx 6789, heap 182340\r\n",
                                (guint) (elapsed * 1000), line, 40 + line % 40), line++;
      if (pending->len > 0)
        {
          gsize want = MIN (pending->len, due - MIN (due, board->written));
          ssize_t n = want > 0 ? write (board->master, pending->str, want) : 0;

          if (n > 0)
            {
              g_string_erase (pending, 0, n);
              board->written += (gsize) n;
            }
        }
      g_usleep (1000);
    }

  return NULL;
}

typedef struct
{
  gint64  last;
  gint64  worst;
  guint   inserts;
  GArray *gaps;     /* of gint64, µs */
} Stall;

static gboolean
stall_cb (gpointer user_data)
{
  Stall *stall = user_data;
  gint64 now = g_get_monotonic_time ();

  if (stall->last != 0)
    {
      gint64 gap = now - stall->last;

      g_array_append_val (stall->gaps, gap);
      if (gap > stall->worst)
        stall->worst = gap;
    }
  stall->last = now;

  return G_SOURCE_CONTINUE;
}

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static int
compare_gaps (gconstpointer a,
              gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
on_insert_cb (GtkTextBuffer *buffer,
              GtkTextIter   *where,
              const char    *text,
              int            len,
              Stall         *stall)
{
  stall->inserts++;
}

static GtkTextView *
find_text_view (GtkWidget *widget)
{
  if (GTK_IS_TEXT_VIEW (widget))
    return GTK_TEXT_VIEW (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkTextView *view = find_text_view (c);

      if (view != NULL)
        return view;
    }

  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  Board board = { .baud = 2000000, .seconds = 10 };
  Stall stall = { 0 };
  gint64 p99 = 0;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStream) stream = NULL;
  GOptionEntry entries[] = {
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &board.seconds, "How long the board prints", "S" },
    { "baud", 0, 0, G_OPTION_ARG_INT, &board.baud, "The rate it prints at", "N" },
    { NULL }
  };
  GlintMonitorPage *page;
  GtkWidget *window;
  GtkTextView *view;
  GThread *thread;
  GdkFrameClock *clock;
  gint64 frames, started, deadline, cpu;
  guint timer;

  context = g_option_context_new ("- the serial monitor against a board printing fast");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  gtk_init ();
  adw_init ();

  board.master = posix_openpt (O_RDWR | O_NOCTTY | O_NONBLOCK);
  if (board.master < 0 || grantpt (board.master) != 0 || unlockpt (board.master) != 0)
    {
      g_printerr ("no pty\n");
      return 1;
    }

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  page = g_object_new (GLINT_TYPE_MONITOR_PAGE, NULL);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);

  stream = glint_serial_stream_new (ptsname (board.master));
  glint_monitor_page_start (page, stream);
  view = find_text_view (GTK_WIDGET (page));
  g_signal_connect (gtk_text_view_get_buffer (view), "insert-text", G_CALLBACK (on_insert_cb),
                    &stall);
  /* listening once the page has set the speed and dropped the old input */
  deadline = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);

  clock = gtk_widget_get_frame_clock (window);
  frames = gdk_frame_clock_get_frame_counter (clock);
  stall.inserts = 0;
  stall.gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  timer = g_timeout_add (1, stall_cb, &stall);
  started = g_get_monotonic_time ();
  cpu = thread_cpu_us ();
  thread = g_thread_new ("board", board_thread, &board);
  deadline = started + (gint64) ((board.seconds + 0.5) * G_USEC_PER_SEC);
  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  cpu = thread_cpu_us () - cpu;
  board.stop = TRUE;
  g_thread_join (thread);
  g_source_remove (timer);
  frames = gdk_frame_clock_get_frame_counter (clock) - frames;

  printf ("board: %u baud, %.1f s, %" G_GSIZE_FORMAT " bytes written\n", board.baud,
          board.seconds, board.written);
  if (stall.gaps->len > 0)
    {
      g_array_sort (stall.gaps, compare_gaps);
      p99 = g_array_index (stall.gaps, gint64, stall.gaps->len * 99 / 100);
    }
  printf ("worst main-loop stall: %.1f ms (99th percentile of the 1 ms timer's gaps: %.1f ms)\n",
          stall.worst / 1000.0, p99 / 1000.0);
  printf ("main thread CPU: %.0f %% of a core\n",
          100.0 * cpu / (g_get_monotonic_time () - started));
  printf ("frames: %" G_GINT64_FORMAT " (%.0f/s), text insertions: %u\n", frames,
          frames / ((g_get_monotonic_time () - started) / 1e6), stall.inserts);
  printf ("lines in the view: %d, characters: %d\n",
          gtk_text_buffer_get_line_count (gtk_text_view_get_buffer (view)),
          gtk_text_buffer_get_char_count (gtk_text_view_get_buffer (view)));

  glint_monitor_page_stop (page);
  gtk_window_destroy (GTK_WINDOW (window));
  close (board.master);
  g_array_unref (stall.gaps);

  return 0;
}
