/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "glint-monitor-page.h"
#include "glint-reset.h"
#include "glint-stream.h"

/* A simple serial monitor after flashing: what the new firmware prints,
 * a speed and a reset button. The window hands it the flasher's stream,
 * so the Demo board shows the very chip that was just flashed. */

#define MONITOR_READ_SIZE  4096
#define MONITOR_MAX_CHARS  (256 * 1024)

static const guint monitor_bauds[] = { 9600, 57600, 74880, 115200, 230400, 460800, 921600 };

struct _GlintMonitorPage
{
  GlintWizardPage  parent_instance;

  /* template children, alphabetical */
  GtkDropDown     *monitor_baud_dropdown;
  GtkTextView     *monitor_view;

  GlintStream     *monitor_stream;
  GCancellable    *monitor_cancellable;
  guint            monitor_retry_id;
};

G_DEFINE_FINAL_TYPE (GlintMonitorPage, glint_monitor_page, GLINT_TYPE_WIZARD_PAGE)

static void
toast (GlintMonitorPage *self,
       const char       *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static void start_read (GlintMonitorPage *self);

static void
append_text (GlintMonitorPage *self,
             const char       *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->monitor_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, text, -1);

  /* Keep the newest output; a chatty board must not eat the memory. */
  if (gtk_text_buffer_get_char_count (buffer) > MONITOR_MAX_CHARS)
    {
      gtk_text_buffer_get_start_iter (buffer, &start);
      gtk_text_buffer_get_iter_at_offset (buffer, &end,
                                          gtk_text_buffer_get_char_count (buffer) -
                                          MONITOR_MAX_CHARS / 2);
      gtk_text_buffer_delete (buffer, &start, &end);
    }

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
  gtk_text_view_scroll_to_mark (self->monitor_view, gtk_text_buffer_get_insert (buffer),
                                0, FALSE, 0, 1);
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
      g_autofree char *text = g_strdup_printf ("\n— %s —\n",
                                               error != NULL ? error->message
                                                             : _("the connection was closed"));

      append_text (self, text);
      return;
    }

  {
    gsize len;
    const char *data = g_bytes_get_data (bytes, &len);
    g_autofree char *valid = g_utf8_make_valid (data, len);
    g_autoptr(GString) text = g_string_new (valid);

    g_string_replace (text, "\r", "", 0);
    append_text (self, text->str);
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
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->monitor_view), "", -1);

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

  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->monitor_view);
    GtkTextIter end;

    /* The marker goes on a line of its own. */
    gtk_text_buffer_get_end_iter (buffer, &end);
    if (gtk_text_iter_get_offset (&end) > 0 && !gtk_text_iter_starts_line (&end))
      append_text (self, "\n");
    append_text (self, _("— reset —\n"));
  }
  glint_reset_async (self->monitor_stream, GLINT_RESET_HARD, GLINT_RESET_DEFAULT_DELAY_MS,
                     self->monitor_cancellable, reset_cb, g_object_ref (self));
}

void
glint_monitor_page_clear (GlintMonitorPage *self)
{
  g_return_if_fail (GLINT_IS_MONITOR_PAGE (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->monitor_view), "", -1);
}

static void
glint_monitor_page_dispose (GObject *object)
{
  glint_monitor_page_stop (GLINT_MONITOR_PAGE (object));
  /* Let AdwBin drop its child first: the template owns it until then. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), GLINT_TYPE_MONITOR_PAGE);

  G_OBJECT_CLASS (glint_monitor_page_parent_class)->dispose (object);
}

static void
glint_monitor_page_class_init (GlintMonitorPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = glint_monitor_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/glintapp/Glint/glint-monitor-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GlintMonitorPage, monitor_baud_dropdown);
  gtk_widget_class_bind_template_child (widget_class, GlintMonitorPage, monitor_view);
}

static void
glint_monitor_page_init (GlintMonitorPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->monitor_baud_dropdown, "notify::selected",
                           G_CALLBACK (on_baud_selected_cb), self, G_CONNECT_SWAPPED);
}
