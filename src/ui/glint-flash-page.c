/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "glint-flash-page.h"

/* The Flashing page: stage, progress, bytes, speed, time left and the
 * log, following a GlintFlasher. The window owns the job and Cancel. */

struct _GlintFlashPage
{
  GlintWizardPage  parent_instance;

  /* template children, alphabetical */
  GtkLabel        *bytes_label;
  GtkButton       *cancel_button;
  GtkLabel        *eta_label;
  GtkLabel        *flash_detail_label;
  GtkExpander     *log_expander;
  GtkTextView     *log_view;
  GtkProgressBar  *progress_bar;
  GtkLabel        *reconnect_label;
  GtkLabel        *speed_label;
  GtkLabel        *stage_label;

  GlintFlasher    *flasher;
  GBinding        *fraction_binding;

  /* While the job waits for the board (connecting, waking the
   * bootloader), the bar pulses and the stage counts the seconds. */
  guint            waiting_id;
  gint64           stage_started_us;
  guint            reconnect_attempt;   /* while reconnecting: this attempt */
  guint            reconnect_max;
};

#define WAITING_PULSE_MS 250

G_DEFINE_FINAL_TYPE (GlintFlashPage, glint_flash_page, GLINT_TYPE_WIZARD_PAGE)

static const char *
stage_name (GlintFlasherState state)
{
  switch (state)
    {
    case GLINT_FLASHER_STATE_IDLE:
    case GLINT_FLASHER_STATE_CONNECTING:
      return _("Connecting…");
    case GLINT_FLASHER_STATE_RESETTING:
      return _("Resetting the board…");
    case GLINT_FLASHER_STATE_SYNCING:
      return _("Waking up the bootloader…");
    case GLINT_FLASHER_STATE_DETECTING:
      return _("Detecting the chip…");
    case GLINT_FLASHER_STATE_LOADING_STUB:
      return _("Loading the flasher stub…");
    case GLINT_FLASHER_STATE_CHANGING_BAUD:
      return _("Speeding up…");
    case GLINT_FLASHER_STATE_ERASING:
      return _("Erasing…");
    case GLINT_FLASHER_STATE_WRITING:
      return _("Writing…");
    case GLINT_FLASHER_STATE_VERIFYING:
      return _("Verifying…");
    case GLINT_FLASHER_STATE_REBOOTING:
      return _("Restarting the board…");
    case GLINT_FLASHER_STATE_DONE:
      return _("Done");
    case GLINT_FLASHER_STATE_FAILED:
      return _("Failed");
    case GLINT_FLASHER_STATE_CANCELLED:
      return _("Cancelled");
    default:
      return "";
    }
}

/**
 * glint_flash_page_format_duration:
 * @seconds: a duration
 *
 * Returns: (transfer full): "12 seconds", or "2:05 min"
 */
char *
glint_flash_page_format_duration (gdouble seconds)
{
  guint s = (guint) (seconds + 0.5);

  if (s < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second", "%u seconds", s), s);

  /* Translators: minutes and seconds, like "2:05 min" */
  return g_strdup_printf (_("%u:%02u min"), s / 60, s % 60);
}

/* The stages that wait on the board with nothing to count in bytes. */
static gboolean
is_waiting_state (GlintFlasherState state)
{
  return state == GLINT_FLASHER_STATE_CONNECTING || state == GLINT_FLASHER_STATE_RESETTING ||
         state == GLINT_FLASHER_STATE_SYNCING || state == GLINT_FLASHER_STATE_DETECTING;
}

static gboolean
waiting_tick_cb (gpointer user_data)
{
  GlintFlashPage *self = user_data;
  guint seconds = (g_get_monotonic_time () - self->stage_started_us) / G_USEC_PER_SEC;

  if (self->flasher == NULL)
    {
      self->waiting_id = 0;
      return G_SOURCE_REMOVE;
    }

  gtk_progress_bar_pulse (self->progress_bar);
  /* reconnecting: the label says which attempt, not how long */
  if (seconds > 0 && self->reconnect_attempt == 0)
    {
      /* Translators: a stage and how long it has taken so far, like
       * "Waking up the bootloader… (4 s)" */
      g_autofree char *text = g_strdup_printf (_("%s (%u s)"),
                                               stage_name (glint_flasher_get_state (self->flasher)),
                                               seconds);

      gtk_label_set_text (self->stage_label, text);
    }

  return G_SOURCE_CONTINUE;
}

static void
show_reconnecting (GlintFlashPage *self)
{
  /* Translators: the stage while a lost link is reconnected: "Reconnecting (2 of 5)…" */
  g_autofree char *text = g_strdup_printf (_("Reconnecting (%u of %u)…"),
                                           self->reconnect_attempt, self->reconnect_max);

  gtk_label_set_text (self->stage_label, text);
}

static void
stop_reconnecting (GlintFlashPage *self)
{
  self->reconnect_attempt = 0;
  gtk_widget_set_visible (GTK_WIDGET (self->reconnect_label), FALSE);
}

static void
on_flasher_state_cb (GlintFlasher *flasher,
                     GParamSpec   *pspec,
                     GlintFlashPage *self)
{
  GlintFlasherState state = glint_flasher_get_state (flasher);
  /* connecting again is part of reconnecting, until the job resumes */
  gboolean reconnecting = self->reconnect_attempt > 0 && is_waiting_state (state);

  if (state == GLINT_FLASHER_STATE_DONE || state == GLINT_FLASHER_STATE_FAILED ||
      state == GLINT_FLASHER_STATE_CANCELLED)
    stop_reconnecting (self);

  self->stage_started_us = g_get_monotonic_time ();
  if (is_waiting_state (state) && self->waiting_id == 0)
    self->waiting_id = g_timeout_add (WAITING_PULSE_MS, waiting_tick_cb, self);
  else if (!is_waiting_state (state))
    {
      g_clear_handle_id (&self->waiting_id, g_source_remove);
      /* Out of pulsing: the bar shows the job's fraction again. */
      gtk_progress_bar_set_fraction (self->progress_bar, glint_flasher_get_fraction (flasher));
    }

  if (reconnecting)
    show_reconnecting (self);
  else
    gtk_label_set_text (self->stage_label, stage_name (state));
}

static void
on_flasher_reconnecting_cb (GlintFlasher   *flasher,
                            guint           attempt,
                            guint           max,
                            const char     *cause,
                            GlintFlashPage *self)
{
  /* Translators: why the flasher reconnects, under "Reconnecting (2 of 5)…" */
  g_autofree char *text = g_strdup_printf (_("The link to the board was lost: %s"), cause);

  self->reconnect_attempt = attempt;
  self->reconnect_max = max;
  show_reconnecting (self);
  gtk_label_set_text (self->reconnect_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->reconnect_label), TRUE);
}

/* Back: the job goes on where it stopped. */
static void
on_flasher_recoveries_cb (GlintFlasher   *flasher,
                          GParamSpec     *pspec,
                          GlintFlashPage *self)
{
  stop_reconnecting (self);
  gtk_label_set_text (self->stage_label, stage_name (glint_flasher_get_state (flasher)));
}

static void
on_flasher_progress_cb (GlintFlasher *flasher,
                        GParamSpec   *pspec,
                        GlintFlashPage *self)
{
  guint64 done = 0, total = 0;
  gdouble rate = glint_flasher_get_rate (flasher);
  gdouble eta = glint_flasher_get_eta (flasher);

  g_object_get (flasher, "bytes-done", &done, "bytes-total", &total, NULL);

  if (total > 0)
    {
      g_autofree char *done_s = g_format_size_full (done, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *total_s = g_format_size_full (total, G_FORMAT_SIZE_IEC_UNITS);
      /* Translators: "12.3 KiB of 64.0 KiB" */
      g_autofree char *text = g_strdup_printf (_("%s of %s"), done_s, total_s);

      gtk_label_set_text (self->bytes_label, text);
    }
  else
    gtk_label_set_text (self->bytes_label, "");

  if (rate > 0)
    {
      g_autofree char *rate_s = g_format_size_full ((guint64) rate, G_FORMAT_SIZE_IEC_UNITS);
      /* Translators: a transfer speed, like "85.2 KiB/s" */
      g_autofree char *text = g_strdup_printf (_("%s/s"), rate_s);

      gtk_label_set_text (self->speed_label, text);
    }
  else
    gtk_label_set_text (self->speed_label, "");

  if (eta >= 0 && done < total)
    {
      g_autofree char *duration = glint_flash_page_format_duration (eta);
      /* Translators: time left, like "12 seconds left" */
      g_autofree char *text = g_strdup_printf (_("%s left"), duration);

      gtk_label_set_text (self->eta_label, text);
    }
  else
    gtk_label_set_text (self->eta_label, "");
}


static void
disconnect_flasher (GlintFlashPage *self)
{
  g_clear_handle_id (&self->waiting_id, g_source_remove);
  if (self->flasher == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->flasher, self);
  /* Unbinding drops the binding's own reference; ours goes after. */
  g_binding_unbind (self->fraction_binding);
  g_clear_object (&self->fraction_binding);
  g_clear_object (&self->flasher);
}

/**
 * glint_flash_page_set_flasher:
 * @self: a #GlintFlashPage
 * @flasher: (nullable): the job to follow, or %NULL when it is over
 *
 * The page is applying while it follows a job.
 */
void
glint_flash_page_set_flasher (GlintFlashPage *self,
                              GlintFlasher   *flasher)
{
  g_return_if_fail (GLINT_IS_FLASH_PAGE (self));
  g_return_if_fail (flasher == NULL || GLINT_IS_FLASHER (flasher));

  if (self->flasher == flasher)
    return;

  disconnect_flasher (self);
  glint_wizard_page_set_applying (GLINT_WIZARD_PAGE (self), flasher != NULL);
  if (flasher == NULL)
    return;

  self->flasher = g_object_ref (flasher);
  g_signal_connect (flasher, "notify::state", G_CALLBACK (on_flasher_state_cb), self);
  g_signal_connect (flasher, "notify::bytes-done", G_CALLBACK (on_flasher_progress_cb), self);
  g_signal_connect (flasher, "notify::rate", G_CALLBACK (on_flasher_progress_cb), self);
  g_signal_connect (flasher, "reconnecting", G_CALLBACK (on_flasher_reconnecting_cb), self);
  g_signal_connect (flasher, "notify::recoveries", G_CALLBACK (on_flasher_recoveries_cb), self);
  /* A reference of our own, to unbind it safely later. */
  self->fraction_binding = g_object_ref (g_object_bind_property (flasher, "fraction",
                                                                 self->progress_bar, "fraction",
                                                                 G_BINDING_SYNC_CREATE));
  on_flasher_state_cb (flasher, NULL, self);
}

/**
 * glint_flash_page_reset:
 * @self: a #GlintFlashPage
 * @detail: what goes where, like "Blink to the Demo board"
 *
 * Empties the page for a new flash.
 */
void
glint_flash_page_reset (GlintFlashPage *self,
                        const char     *detail)
{
  g_return_if_fail (GLINT_IS_FLASH_PAGE (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->log_view), "", -1);
  gtk_label_set_text (self->stage_label, stage_name (GLINT_FLASHER_STATE_CONNECTING));
  gtk_label_set_text (self->flash_detail_label, detail);
  gtk_label_set_text (self->bytes_label, "");
  gtk_label_set_text (self->speed_label, "");
  gtk_label_set_text (self->eta_label, "");
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  stop_reconnecting (self);
}

/**
 * glint_flash_page_add_log_line:
 * @self: a #GlintFlashPage
 * @line: a line of the log, with its newline
 */
void
glint_flash_page_add_log_line (GlintFlashPage *self,
                               const char     *line)
{
  GtkTextBuffer *buffer;
  GtkTextIter end;

  g_return_if_fail (GLINT_IS_FLASH_PAGE (self));

  buffer = gtk_text_view_get_buffer (self->log_view);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, line, -1);
  gtk_text_view_scroll_to_mark (self->log_view, gtk_text_buffer_get_insert (buffer),
                                0, FALSE, 0, 1);
}

static void
glint_flash_page_dispose (GObject *object)
{
  GlintFlashPage *self = GLINT_FLASH_PAGE (object);

  disconnect_flasher (self);
  /* Let AdwBin drop its child first: the template owns it until then. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), GLINT_TYPE_FLASH_PAGE);

  G_OBJECT_CLASS (glint_flash_page_parent_class)->dispose (object);
}

static void
glint_flash_page_class_init (GlintFlashPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = glint_flash_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/glintapp/Glint/glint-flash-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GlintFlashPage, bytes_label);
  gtk_widget_class_bind_template_child (widget_class, GlintFlashPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, GlintFlashPage, eta_label);
  gtk_widget_class_bind_template_child (widget_class, GlintFlashPage, flash_detail_label);
  gtk_widget_class_bind_template_child (widget_class, GlintFlashPage, log_expander);
  gtk_widget_class_bind_template_child (widget_class, GlintFlashPage, log_view);
  gtk_widget_class_bind_template_child (widget_class, GlintFlashPage, reconnect_label);
  gtk_widget_class_bind_template_child (widget_class, GlintFlashPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, GlintFlashPage, speed_label);
  gtk_widget_class_bind_template_child (widget_class, GlintFlashPage, stage_label);
}

static void
glint_flash_page_init (GlintFlashPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
