/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "glint-monitor-page.h"
#include "glint-reset.h"
#include "glint-stream.h"

/* The serial monitor after flashing: what the new firmware prints, a
 * speed, a reset button, a line to send (with LF, CR, CR LF or nothing
 * after it), pause, follow (auto-scroll, off while the user scrolls up),
 * time stamps, save and clear. The window hands it the flasher's stream,
 * so the Demo board shows the very chip that was just flashed.
 *
 * A board printing at 2 Mbaud must not stall the window: reads only
 * collect text, and a frame-clock tick puts what arrived into the view
 * once per frame; the view keeps the newest MONITOR_MAX_LINES lines. */

#define MONITOR_READ_SIZE    4096
/* The text view keeps the newest lines; a chatty board must neither eat
 * the memory nor make every frame lay out megabytes. */
#define MONITOR_MAX_LINES    3000
#define MONITOR_MAX_CHARS    (256 * 1024)
/* What waits for the next frame, or for the end of a pause. */
#define MONITOR_MAX_PENDING  (1024 * 1024)

static const guint monitor_bauds[] = { 9600, 57600, 74880, 115200, 230400, 460800, 921600 };

/* What goes after a line that is sent, in the order of the drop-down. */
static const char *const monitor_line_ends[] = { "\n", "\r", "\r\n", "" };

struct _GlintMonitorPage
{
  GlintWizardPage     parent_instance;

  /* template children, alphabetical */
  GtkDropDown        *monitor_baud_dropdown;
  GtkToggleButton    *monitor_follow_button;
  GtkDropDown        *monitor_line_end_dropdown;
  GtkToggleButton    *monitor_pause_button;
  GtkScrolledWindow  *monitor_scrolled;
  GtkEntry           *monitor_send_entry;
  GtkToggleButton    *monitor_timestamps_button;
  GtkTextView        *monitor_view;

  GlintStream        *monitor_stream;
  GCancellable       *monitor_cancellable;
  guint               monitor_retry_id;

  /* output: read, stamped, waiting for the next frame */
  GString            *pending;
  gsize               dropped;          /* bytes left out since the last frame */
  guint               tick_id;
  guint               flush_id;
  gboolean            at_line_start;
  gboolean            paused;
  gboolean            timestamps;
  gboolean            follow;
  guint               user_scrolling;   /* inside a wheel turn or a key press */
  guint               scroll_id;        /* again at the next frame */
  GtkTextMark        *end_mark;
  guint               n_flushes;

  /* input: what is being written, and what waits behind it */
  GString            *send_queue;
  gboolean            sending;          /* a write is on its way */
};

G_DEFINE_FINAL_TYPE (GlintMonitorPage, glint_monitor_page, GLINT_TYPE_WIZARD_PAGE)

enum {
  PROP_0,
  PROP_PAUSED,
  PROP_TIMESTAMPS,
  PROP_FOLLOW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
toast (GlintMonitorPage *self,
       const char       *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static void start_read (GlintMonitorPage *self);

/* To the end: the (hidden) cursor goes there unless the user is
 * selecting text, and the view scrolls there once it has laid the text
 * out (GtkTextView keeps the request; a value set on the adjustment
 * would be undone by its own layout). */
static void
scroll_to_end (GlintMonitorPage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->monitor_view);
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  if (!gtk_text_buffer_get_has_selection (buffer))
    gtk_text_buffer_place_cursor (buffer, &end);
  gtk_text_buffer_move_mark (buffer, self->end_mark, &end);
  gtk_text_view_scroll_to_mark (self->monitor_view, self->end_mark, 0, TRUE, 0, 1);
}

/* Whether the user is moving the view: turning the wheel, pressing a
 * key, or holding a mouse button (on the scroll bar, or selecting). */
static gboolean
user_moves_view (GlintMonitorPage *self)
{
  GdkSeat *seat;
  GdkDevice *pointer;

  if (self->user_scrolling > 0)
    return TRUE;
  seat = gdk_display_get_default_seat (gtk_widget_get_display (GTK_WIDGET (self)));
  pointer = seat != NULL ? gdk_seat_get_pointer (seat) : NULL;

  return pointer != NULL && (gdk_device_get_modifier_state (pointer) & GDK_BUTTON1_MASK) != 0;
}

static gboolean
scroll_to_end_cb (GtkWidget     *widget,
                  GdkFrameClock *clock,
                  gpointer       user_data)
{
  GlintMonitorPage *self = user_data;

  self->scroll_id = 0;
  if (self->follow && !user_moves_view (self))
    scroll_to_end (self);

  return G_SOURCE_REMOVE;
}

/* Drops the oldest lines past the limits (which the view then holds at
 * most a tenth over). */
static void
trim_buffer (GtkTextBuffer *buffer)
{
  GtkTextIter start, cut;
  int lines = gtk_text_buffer_get_line_count (buffer);
  int chars = gtk_text_buffer_get_char_count (buffer);

  /* past the limits by a tenth: dropping a batch of lines now and then
   * costs the view less than a few lines every frame */
  if (lines <= MONITOR_MAX_LINES + MONITOR_MAX_LINES / 10 &&
      chars <= MONITOR_MAX_CHARS + MONITOR_MAX_CHARS / 10)
    return;

  gtk_text_buffer_get_start_iter (buffer, &start);
  if (lines > MONITOR_MAX_LINES)
    gtk_text_buffer_get_iter_at_line (buffer, &cut, lines - MONITOR_MAX_LINES);
  else
    cut = start;
  if (chars - gtk_text_iter_get_offset (&cut) > MONITOR_MAX_CHARS)
    {
      /* one long line, or many long ones: cut at the next line after the
       * limit, or at the limit itself */
      gtk_text_buffer_get_iter_at_offset (buffer, &cut, chars - MONITOR_MAX_CHARS);
      if (!gtk_text_iter_starts_line (&cut))
        {
          GtkTextIter line_end = cut;

          if (gtk_text_iter_forward_line (&line_end))
            cut = line_end;
        }
    }
  gtk_text_buffer_delete (buffer, &start, &cut);
}

/* Once per frame at most: what arrived since the last one goes into the
 * view in one insertion. */
static gboolean
flush_cb (gpointer user_data)
{
  GlintMonitorPage *self = user_data;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->monitor_view);
  GtkTextIter end;

  self->flush_id = 0;
  if (self->paused || (self->pending->len == 0 && self->dropped == 0))
    return G_SOURCE_REMOVE;

  if (self->dropped > 0)
    {
      g_autofree char *size = g_format_size_full (self->dropped, G_FORMAT_SIZE_IEC_UNITS);
      /* Translators: "— 1.2 MB of output left out —"; the monitor keeps the newest output */
      g_autofree char *marker = g_strdup_printf (_("— %s of output left out —"), size);

      g_string_prepend (self->pending, "\n");
      g_string_prepend (self->pending, marker);
      g_string_prepend (self->pending, "\n");
      self->dropped = 0;
    }

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, self->pending->str, (int) self->pending->len);
  g_string_truncate (self->pending, 0);
  trim_buffer (buffer);
  self->n_flushes++;

  if (self->follow)
    scroll_to_end (self);

  return G_SOURCE_REMOVE;
}

/* A new frame: what arrived goes in right after it, outside GTK's
 * layout and drawing (changed during a frame, the view's scrolling
 * leaves GTK 4.8 drawing a scroll bar part it has not sized). */
static gboolean
flush_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  GlintMonitorPage *self = user_data;

  self->tick_id = 0;
  if (self->flush_id == 0)
    self->flush_id = g_idle_add_full (G_PRIORITY_DEFAULT, flush_cb, self, NULL);

  return G_SOURCE_REMOVE;
}

static void
schedule_flush (GlintMonitorPage *self)
{
  if (self->tick_id == 0 && !self->paused)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->monitor_view), flush_tick_cb,
                                                  self, NULL);
}

/* Keeps the newest MONITOR_MAX_PENDING bytes, cut at a line if it can. */
static void
bound_pending (GlintMonitorPage *self)
{
  gsize cut;
  const char *newline;

  if (self->pending->len <= MONITOR_MAX_PENDING)
    return;

  cut = self->pending->len - MONITOR_MAX_PENDING;
  newline = memchr (self->pending->str + cut, '\n', self->pending->len - cut);
  if (newline != NULL)
    cut = (gsize) (newline - self->pending->str) + 1;
  else
    while (cut < self->pending->len && (self->pending->str[cut] & 0xC0) == 0x80)
      cut++;
  g_string_erase (self->pending, 0, (gssize) cut);
  self->dropped += cut;
}

static void
append_stamp (GlintMonitorPage *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "[%H:%M:%S");

  g_string_append_printf (self->pending, "%s.%03d] ", stamp,
                          g_date_time_get_microsecond (now) / 1000);
}

/* Output from the board: carriage returns dropped, a time stamp at the
 * start of each line when asked; shown at the next frame. */
static void
receive_text (GlintMonitorPage *self,
              const char       *text,
              gsize             len)
{
  g_autofree char *valid = g_utf8_make_valid (text, (gssize) len);

  for (const char *p = valid; *p != '\0'; p++)
    {
      if (*p == '\r')
        continue;
      if (self->at_line_start && self->timestamps)
        append_stamp (self);
      g_string_append_c (self->pending, *p);
      self->at_line_start = *p == '\n';
    }

  bound_pending (self);
  schedule_flush (self);
}

/* Glint's own notes ("— reset —") go on a line of their own. */
static void
append_text (GlintMonitorPage *self,
             const char       *text)
{
  if (!self->at_line_start)
    receive_text (self, "\n", 1);
  receive_text (self, text, strlen (text));
}

static gboolean
retry_read_cb (gpointer user_data)
{
  GlintMonitorPage *self = user_data;

  self->monitor_retry_id = 0;
  start_read (self);
  return G_SOURCE_REMOVE;
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GlintMonitorPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object),
                                                              result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      self->monitor_stream == NULL)
    return;

  /* The flasher's last read is still winding down: try again shortly. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
      self->monitor_retry_id = g_timeout_add (50, retry_read_cb, self);
      return;
    }

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      g_autofree char *text = g_strdup_printf ("— %s —\n",
                                               error != NULL ? error->message
                                                             : _("the connection was closed"));

      append_text (self, text);
      return;
    }

  {
    gsize len;
    const char *data = g_bytes_get_data (bytes, &len);

    receive_text (self, data, len);
  }

  start_read (self);
}

static void
start_read (GlintMonitorPage *self)
{
  GInputStream *input;

  if (self->monitor_stream == NULL)
    return;

  input = g_io_stream_get_input_stream (G_IO_STREAM (self->monitor_stream));
  g_input_stream_read_bytes_async (input, MONITOR_READ_SIZE, G_PRIORITY_DEFAULT,
                                   self->monitor_cancellable, read_cb, g_object_ref (self));
}

static void
set_baud_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GlintMonitorPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!glint_stream_set_baud_finish (GLINT_STREAM (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    toast (self, _("The speed could not be changed"));
}

static guint
selected_baud (GlintMonitorPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->monitor_baud_dropdown);

  return selected < G_N_ELEMENTS (monitor_bauds) ? monitor_bauds[selected] : 115200;
}

static void
on_baud_selected_cb (GlintMonitorPage *self)
{
  if (self->monitor_stream == NULL)
    return;

  glint_stream_set_baud_async (self->monitor_stream, selected_baud (self),
                               self->monitor_cancellable, set_baud_cb, g_object_ref (self));
}

static void
purge_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GlintMonitorPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!glint_stream_purge_finish (GLINT_STREAM (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  start_read (self);
}

static void
listen_baud_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GlintMonitorPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!glint_stream_set_baud_finish (GLINT_STREAM (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      toast (self, _("The speed could not be changed"));
    }

  glint_stream_purge_async (self->monitor_stream, GLINT_PURGE_INPUT, self->monitor_cancellable,
                            purge_cb, g_object_ref (self));
}

/* What arrived at the flashing speed (the boot log and output sent at the
 * chip's own 115200) is garbage: switch speed, drop it, then listen. */
static void
start_listening (GlintMonitorPage *self)
{
  glint_stream_set_baud_async (self->monitor_stream, selected_baud (self),
                               self->monitor_cancellable, listen_baud_cb, g_object_ref (self));
}

static void
open_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GlintMonitorPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!glint_stream_open_finish (GLINT_STREAM (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup_printf ("— %s —\n", error->message);

          append_text (self, text);
        }
      return;
    }

  start_listening (self);
}

/* Everything from the last session goes: text, what waited, the line. */
static void
forget_output (GlintMonitorPage *self)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->monitor_view), "", -1);
  g_string_truncate (self->pending, 0);
  self->dropped = 0;
  self->at_line_start = TRUE;
}

/**
 * glint_monitor_page_start:
 * @self: a #GlintMonitorPage
 * @stream: the board's connection, open or not (the flasher's, after a
 *   flash: the board keeps running)
 *
 * Shows what the board prints, from now on.
 */
void
glint_monitor_page_start (GlintMonitorPage *self,
                          GlintStream      *stream)
{
  g_return_if_fail (GLINT_IS_MONITOR_PAGE (self));
  g_return_if_fail (GLINT_IS_STREAM (stream));

  glint_monitor_page_stop (self);
  self->monitor_stream = g_object_ref (stream);
  self->monitor_cancellable = g_cancellable_new ();
  forget_output (self);
  glint_monitor_page_set_follow (self, TRUE);

  if (glint_stream_get_is_open (self->monitor_stream))
    start_listening (self);
  else
    glint_stream_open_async (self->monitor_stream, self->monitor_cancellable, open_cb,
                             g_object_ref (self));
}

/**
 * glint_monitor_page_is_running:
 * @self: a #GlintMonitorPage
 *
 * Returns: whether the page holds a connection
 */
gboolean
glint_monitor_page_is_running (GlintMonitorPage *self)
{
  g_return_val_if_fail (GLINT_IS_MONITOR_PAGE (self), FALSE);

  return self->monitor_stream != NULL;
}

/**
 * glint_monitor_page_stop:
 * @self: a #GlintMonitorPage
 *
 * Lets go of the connection (and the port).
 */
void
glint_monitor_page_stop (GlintMonitorPage *self)
{
  g_return_if_fail (GLINT_IS_MONITOR_PAGE (self));

  g_clear_handle_id (&self->monitor_retry_id, g_source_remove);
  g_cancellable_cancel (self->monitor_cancellable);
  g_clear_object (&self->monitor_cancellable);
  g_clear_object (&self->monitor_stream);
  g_string_truncate (self->send_queue, 0);
  self->sending = FALSE;
}

static void
reset_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GlintMonitorPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!glint_reset_finish (GLINT_STREAM (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    toast (self, _("This connection cannot reset the board"));
}

/* The hard reset (EN low through RTS, IO0 left high): the board restarts
 * into its app. */
void
glint_monitor_page_reset (GlintMonitorPage *self)
{
  g_return_if_fail (GLINT_IS_MONITOR_PAGE (self));

  if (self->monitor_stream == NULL)
    return;

  append_text (self, _("— reset —\n"));
  glint_reset_async (self->monitor_stream, GLINT_RESET_HARD, GLINT_RESET_DEFAULT_DELAY_MS,
                     self->monitor_cancellable, reset_cb, g_object_ref (self));
}

void
glint_monitor_page_clear (GlintMonitorPage *self)
{
  g_return_if_fail (GLINT_IS_MONITOR_PAGE (self));

  forget_output (self);
  glint_monitor_page_set_follow (self, TRUE);
}

/* Sending */

typedef struct
{
  GlintMonitorPage *self;
  GBytes           *bytes;   /* the write reads them until it is done */
} Sending;

static void send_next (GlintMonitorPage *self);

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Sending *sending = user_data;
  g_autoptr(GlintMonitorPage) self = sending->self;
  g_autoptr(GError) error = NULL;
  gboolean ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL,
                                                  &error);

  g_bytes_unref (sending->bytes);
  g_free (sending);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->sending = FALSE;
  if (!ok)
    {
      /* Translators: "Not sent: Connection closed. Reset the board or …" */
      g_autofree char *text = g_strdup_printf (_("Not sent: %s. Reset the board or go back "
                                                 "and connect again."), error->message);

      g_string_truncate (self->send_queue, 0);
      toast (self, text);
      return;
    }

  send_next (self);
}

static void
send_next (GlintMonitorPage *self)
{
  GOutputStream *output;
  Sending *sending;

  if (self->sending || self->send_queue->len == 0 || self->monitor_stream == NULL)
    return;

  sending = g_new0 (Sending, 1);
  sending->self = g_object_ref (self);
  sending->bytes = g_bytes_new (self->send_queue->str, self->send_queue->len);
  g_string_truncate (self->send_queue, 0);
  self->sending = TRUE;
  output = g_io_stream_get_output_stream (G_IO_STREAM (self->monitor_stream));
  g_output_stream_write_all_async (output, g_bytes_get_data (sending->bytes, NULL),
                                   g_bytes_get_size (sending->bytes), G_PRIORITY_DEFAULT,
                                   self->monitor_cancellable, send_cb, sending);
}

/**
 * glint_monitor_page_send:
 * @self: a #GlintMonitorPage
 * @line: what to send, without its line ending
 *
 * Sends @line to the board with the line ending chosen on the page (LF,
 * CR, CR LF or none), after what is still being sent.
 *
 * Returns: %FALSE where there is no connection to send on
 */
gboolean
glint_monitor_page_send (GlintMonitorPage *self,
                         const char       *line)
{
  guint ending;

  g_return_val_if_fail (GLINT_IS_MONITOR_PAGE (self), FALSE);
  g_return_val_if_fail (line != NULL, FALSE);

  if (self->monitor_stream == NULL || !glint_stream_get_is_open (self->monitor_stream))
    return FALSE;

  ending = gtk_drop_down_get_selected (self->monitor_line_end_dropdown);
  g_string_append (self->send_queue, line);
  g_string_append (self->send_queue,
                   monitor_line_ends[MIN (ending, G_N_ELEMENTS (monitor_line_ends) - 1)]);
  send_next (self);

  return TRUE;
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GlintMonitorPage *self = GLINT_MONITOR_PAGE (widget);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->monitor_send_entry));

  if (!glint_monitor_page_send (self, text))
    {
      toast (self, _("Not connected to the board: go back and open the monitor again"));
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->monitor_send_entry), "");
}

static void
on_send_activate_cb (GlintMonitorPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "monitor.send", NULL);
}

/* Saving */

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * glint_monitor_page_save_async:
 * @self: a #GlintMonitorPage
 * @file: where to
 *
 * Writes the output shown (time stamps included) to @file, atomically:
 * to a temporary file beside it that then replaces it, so that a full
 * disk leaves the old file as it was.
 */
void
glint_monitor_page_save_async (GlintMonitorPage    *self,
                               GFile               *file,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autoptr(GBytes) contents = NULL;
  char *text;

  g_return_if_fail (GLINT_IS_MONITOR_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, glint_monitor_page_save_async);
  g_task_set_name (task, "glint-monitor-save");

  buffer = gtk_text_view_get_buffer (self->monitor_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  contents = g_bytes_new_take (text, strlen (text));
  g_file_replace_contents_bytes_async (file, contents, NULL, FALSE,
                                       G_FILE_CREATE_REPLACE_DESTINATION, cancellable, save_cb,
                                       g_steal_pointer (&task));
}

gboolean
glint_monitor_page_save_finish (GlintMonitorPage  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GlintMonitorPage *self = GLINT_MONITOR_PAGE (object);
  g_autoptr(GFile) file = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_parse_name (file);
  g_autofree char *text = NULL;

  if (glint_monitor_page_save_finish (self, result, &error))
    /* Translators: "Saved to /home/me/monitor.log" */
    text = g_strdup_printf (_("Saved to %s"), name);
  else
    /* Translators: "Could not save /media/stick/monitor.log: No space left on device.
     * Choose another place." */
    text = g_strdup_printf (_("Could not save %s: %s. Choose another place."), name,
                            error->message);
  toast (self, text);
}

static void
on_save_response_cb (GtkNativeDialog  *dialog,
                     int               response,
                     GlintMonitorPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        glint_monitor_page_save_async (self, file, NULL, save_done_cb,
                                       g_steal_pointer (&file));
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GlintMonitorPage *self = GLINT_MONITOR_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = g_date_time_format (now, "monitor-%Y%m%d-%H%M%S.log");
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Save Monitor Output"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_save_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* Pause, time stamps, follow */

/**
 * glint_monitor_page_set_paused:
 * @self: a #GlintMonitorPage
 * @paused: whether the view stands still
 *
 * While paused the view shows what it showed; what the board prints
 * meanwhile is kept (the newest MiB) and shown on resuming.
 */
void
glint_monitor_page_set_paused (GlintMonitorPage *self,
                               gboolean          paused)
{
  g_return_if_fail (GLINT_IS_MONITOR_PAGE (self));

  paused = !!paused;
  if (self->paused == paused)
    return;
  self->paused = paused;
  if (!paused)
    schedule_flush (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

/**
 * glint_monitor_page_set_timestamps:
 * @self: a #GlintMonitorPage
 * @timestamps: whether each line from now on starts with the time it
 *   began to arrive
 */
void
glint_monitor_page_set_timestamps (GlintMonitorPage *self,
                                   gboolean          timestamps)
{
  g_return_if_fail (GLINT_IS_MONITOR_PAGE (self));

  timestamps = !!timestamps;
  if (self->timestamps == timestamps)
    return;
  self->timestamps = timestamps;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMESTAMPS]);
}

/**
 * glint_monitor_page_set_follow:
 * @self: a #GlintMonitorPage
 * @follow: whether the view keeps to the newest output; scrolling up
 *   turns it off, scrolling to the end on again
 */
void
glint_monitor_page_set_follow (GlintMonitorPage *self,
                               gboolean          follow)
{
  g_return_if_fail (GLINT_IS_MONITOR_PAGE (self));

  follow = !!follow;
  if (follow)
    scroll_to_end (self);
  if (self->follow == follow)
    return;
  self->follow = follow;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOW]);
}

/* The user scrolled (wheel, keys, the scroll bar held): up is scroll
 * lock, back to the end follows again. Only the user's moves count: the view moves
 * itself too as it lays out text. */
static void
on_scrolled_cb (GtkAdjustment    *adjustment,
                GlintMonitorPage *self)
{
  double bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);
  gboolean at_end = gtk_adjustment_get_value (adjustment) >= bottom - 2.0;

  if (at_end == self->follow || !user_moves_view (self))
    return;

  self->follow = at_end;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOW]);
}

static void
user_scroll_done_cb (gpointer user_data)
{
  g_autoptr(GlintMonitorPage) self = user_data;

  self->user_scrolling--;
}

/* A wheel turn or a key: the moves it makes happen now or in the
 * scrolled window's handlers right after this one. */
static void
user_scrolls (GlintMonitorPage *self)
{
  self->user_scrolling++;
  g_idle_add_once (user_scroll_done_cb, g_object_ref (self));
}

static gboolean
on_wheel_cb (GtkEventControllerScroll *controller,
             double                    dx,
             double                    dy,
             GlintMonitorPage         *self)
{
  user_scrolls (self);
  /* up: stop following at once, whether the view can move or not */
  if (dy < 0 && self->follow)
    glint_monitor_page_set_follow (self, FALSE);

  return FALSE;
}

static gboolean
on_view_key_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GlintMonitorPage      *self)
{
  switch (keyval)
    {
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
    case GDK_KEY_Page_Up:
    case GDK_KEY_KP_Page_Up:
    case GDK_KEY_Page_Down:
    case GDK_KEY_KP_Page_Down:
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      user_scrolls (self);
      break;

    default:
      break;
    }

  return FALSE;
}

static gboolean
follow_shortcut_cb (GtkWidget *widget,
                    GVariant  *args,
                    gpointer   user_data)
{
  glint_monitor_page_set_follow (GLINT_MONITOR_PAGE (widget), TRUE);

  return TRUE;
}

/* The text grew (or was laid out further): keep to the end when
 * following. */
static void
on_vadjustment_changed_cb (GtkAdjustment    *adjustment,
                           GlintMonitorPage *self)
{
  /* (at the next frame: the view is laying itself out now, and drops
   * requests made meanwhile) */
  if (self->follow && self->scroll_id == 0 && !user_moves_view (self))
    self->scroll_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->monitor_view),
                                                    scroll_to_end_cb, self, NULL);
}

guint
_glint_monitor_page_get_n_flushes (GlintMonitorPage *self)
{
  g_return_val_if_fail (GLINT_IS_MONITOR_PAGE (self), 0);

  return self->n_flushes;
}

static void
glint_monitor_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  GlintMonitorPage *self = GLINT_MONITOR_PAGE (object);

  switch (prop_id)
    {
    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
      break;

    case PROP_TIMESTAMPS:
      g_value_set_boolean (value, self->timestamps);
      break;

    case PROP_FOLLOW:
      g_value_set_boolean (value, self->follow);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_monitor_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  GlintMonitorPage *self = GLINT_MONITOR_PAGE (object);

  switch (prop_id)
    {
    case PROP_PAUSED:
      glint_monitor_page_set_paused (self, g_value_get_boolean (value));
      break;

    case PROP_TIMESTAMPS:
      glint_monitor_page_set_timestamps (self, g_value_get_boolean (value));
      break;

    case PROP_FOLLOW:
      glint_monitor_page_set_follow (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_monitor_page_dispose (GObject *object)
{
  GlintMonitorPage *self = GLINT_MONITOR_PAGE (object);

  glint_monitor_page_stop (self);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  if (self->scroll_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self->monitor_view), self->scroll_id);
      self->scroll_id = 0;
    }
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self->monitor_view), self->tick_id);
      self->tick_id = 0;
    }
  /* Let AdwBin drop its child first: the template owns it until then. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), GLINT_TYPE_MONITOR_PAGE);

  G_OBJECT_CLASS (glint_monitor_page_parent_class)->dispose (object);
}

static void
glint_monitor_page_finalize (GObject *object)
{
  GlintMonitorPage *self = GLINT_MONITOR_PAGE (object);

  g_string_free (self->pending, TRUE);
  g_string_free (self->send_queue, TRUE);
  g_clear_object (&self->end_mark);

  G_OBJECT_CLASS (glint_monitor_page_parent_class)->finalize (object);
}

static void
glint_monitor_page_class_init (GlintMonitorPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = glint_monitor_page_dispose;
  object_class->finalize = glint_monitor_page_finalize;
  object_class->get_property = glint_monitor_page_get_property;
  object_class->set_property = glint_monitor_page_set_property;

  /**
   * GlintMonitorPage:paused:
   *
   * Whether the view stands still (output is kept for later).
   */
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * GlintMonitorPage:timestamps:
   *
   * Whether lines start with the time they arrived.
   */
  properties[PROP_TIMESTAMPS] =
    g_param_spec_boolean ("timestamps", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * GlintMonitorPage:follow:
   *
   * Whether the view keeps to the newest output (auto-scroll).
   */
  properties[PROP_FOLLOW] =
    g_param_spec_boolean ("follow", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/glintapp/Glint/glint-monitor-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GlintMonitorPage, monitor_baud_dropdown);
  gtk_widget_class_bind_template_child (widget_class, GlintMonitorPage, monitor_follow_button);
  gtk_widget_class_bind_template_child (widget_class, GlintMonitorPage,
                                        monitor_line_end_dropdown);
  gtk_widget_class_bind_template_child (widget_class, GlintMonitorPage, monitor_pause_button);
  gtk_widget_class_bind_template_child (widget_class, GlintMonitorPage, monitor_scrolled);
  gtk_widget_class_bind_template_child (widget_class, GlintMonitorPage, monitor_send_entry);
  gtk_widget_class_bind_template_child (widget_class, GlintMonitorPage,
                                        monitor_timestamps_button);
  gtk_widget_class_bind_template_child (widget_class, GlintMonitorPage, monitor_view);

  gtk_widget_class_bind_template_callback (widget_class, on_send_activate_cb);

  gtk_widget_class_install_action (widget_class, "monitor.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "monitor.save", NULL, save_action);
  gtk_widget_class_install_property_action (widget_class, "monitor.pause", "paused");
  gtk_widget_class_install_property_action (widget_class, "monitor.timestamps", "timestamps");
  gtk_widget_class_install_property_action (widget_class, "monitor.follow", "follow");

  /* Keys for what has no mnemonic, wherever the focus is on the page. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "monitor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK,
                                       "monitor.pause", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK,
                                       "monitor.timestamps", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK,
                                       "win.monitor-clear", NULL);
}

static void
glint_monitor_page_init (GlintMonitorPage *self)
{
  GtkEventController *controller;

  self->pending = g_string_new (NULL);
  self->send_queue = g_string_new (NULL);
  self->at_line_start = TRUE;
  self->follow = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->monitor_baud_dropdown, "notify::selected",
                           G_CALLBACK (on_baud_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->monitor_scrolled),
                           "value-changed", G_CALLBACK (on_scrolled_cb), self, 0);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->monitor_scrolled),
                           "changed", G_CALLBACK (on_vadjustment_changed_cb), self, 0);

  /* What the user does to scroll, seen before the scrolled window acts */
  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "scroll", G_CALLBACK (on_wheel_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self->monitor_scrolled), controller);

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "key-pressed", G_CALLBACK (on_view_key_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self->monitor_view), controller);

  /* Ctrl+End: to the end, and follow; before the entry or the text view
   * take it as "to the end of the text" */
  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_End,
                                                                                  GDK_CONTROL_MASK),
                                                          gtk_callback_action_new (follow_shortcut_cb,
                                                                                   NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  self->end_mark = gtk_text_mark_new ("glint-end", FALSE);
  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->monitor_view);
    GtkTextIter end;

    gtk_text_buffer_get_end_iter (buffer, &end);
    gtk_text_buffer_add_mark (buffer, self->end_mark, &end);
  }


}
