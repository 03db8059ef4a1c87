/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "glint-batch-window.h"
#include "glint-error.h"
#include "glint-flash-options.h"
#include "glint-flash-record.h"
#include "glint-port-monitor.h"
#include "glint-serial-stream.h"

/*
 * "Flash Several Boards": a row per connected board (the port monitor's
 * list) with its state, progress and result; "Flash All" flashes every
 * board there is, and in production mode every board plugged in later is
 * flashed as soon as it appears, with the same firmware. The jobs run side
 * by side in one GlintFlashBatch, which also keeps the results log (CSV,
 * replaced whole after every board). A board that goes stays listed with
 * its result; when a board appears on that port again it is a new board.
 */

typedef struct
{
  GlintBatchWindow *window;     /* no reference: rows die with it */
  char             *path;
  AdwActionRow     *row;
  GtkProgressBar   *progress;
  GtkImage         *icon;
  GlintFlasher     *flasher;    /* of the running job, a reference */
  gboolean          present;
  gboolean          flashed;    /* since it was last plugged in */
} BoardRow;

struct _GlintBatchWindow
{
  AdwWindow         parent_instance;

  /* template children, alphabetical */
  GtkListBox       *board_list;
  AdwActionRow     *firmware_row;
  GtkButton        *flash_button;
  AdwActionRow     *log_row;
  AdwActionRow     *production_row;
  GtkSwitch        *production_switch;
  GtkLabel         *summary_label;
  AdwToastOverlay  *toast_overlay;
  AdwWindowTitle   *window_title;

  GlintPortMonitor *monitor;
  GlintFlashPlan   *plan;
  GlintFlashRecord *record;
  GlintFlashBatch  *batch;
  char             *log_path;
  GHashTable       *rows;       /* port path → BoardRow */
  guint             n_verified;
  guint             n_failed;
};

G_DEFINE_FINAL_TYPE (GlintBatchWindow, glint_batch_window, ADW_TYPE_WINDOW)

static void
board_row_free (gpointer data)
{
  BoardRow *row = data;

  if (row->flasher != NULL)
    g_signal_handlers_disconnect_by_data (row->flasher, row);
  g_clear_object (&row->flasher);
  g_free (row->path);
  g_free (row);
}

static void
toast (GlintBatchWindow *self,
       const char       *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static void
update_summary (GlintBatchWindow *self)
{
  guint running = self->batch != NULL ? glint_flash_batch_get_n_running (self->batch) : 0;
  gboolean production = gtk_switch_get_active (self->production_switch);
  g_autofree char *text = NULL;
  gboolean any_to_flash = FALSE;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      BoardRow *row = value;

      if (row->present && row->flasher == NULL)
        any_to_flash = TRUE;
    }

  if (running > 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Flashing %u board…",
                                         "Flashing %u boards…", running), running);
  else if (self->n_verified + self->n_failed > 0)
    /* Translators: boards verified, then boards failed, since the window opened */
    text = g_strdup_printf (_("%u verified, %u failed"), self->n_verified, self->n_failed);
  else if (production)
    text = g_strdup (_("Waiting for boards…"));
  else
    text = g_strdup ("");
  if (running > 0 && production)
    {
      g_autofree char *both = g_strdup_printf (_("%s Waiting for more boards."), text);

      g_free (text);
      text = g_steal_pointer (&both);
    }
  gtk_label_set_label (self->summary_label, text);

  /* One round at a time: while boards are flashed, Flash All would only
   * flash again those that just finished. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "batch.flash-all",
                                 self->plan != NULL && any_to_flash && running == 0);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->flash_button),
                               running > 0 ? _("Boards are being flashed: wait until they are "
                                               "done, or press Stop") : NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "batch.stop", running > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "batch.choose-firmware", running == 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "batch.choose-log", running == 0);
}

static const char *
state_text (GlintFlasherState state)
{
  switch (state)
    {
    case GLINT_FLASHER_STATE_CONNECTING:
    case GLINT_FLASHER_STATE_RESETTING:
    case GLINT_FLASHER_STATE_SYNCING:
      return _("Connecting…");
    case GLINT_FLASHER_STATE_DETECTING:
      return _("Detecting the chip…");
    case GLINT_FLASHER_STATE_LOADING_STUB:
      return _("Loading the flasher stub…");
    case GLINT_FLASHER_STATE_CHANGING_BAUD:
      return _("Changing the speed…");
    case GLINT_FLASHER_STATE_ERASING:
      return _("Erasing…");
    case GLINT_FLASHER_STATE_WRITING:
      return _("Writing…");
    case GLINT_FLASHER_STATE_VERIFYING:
      return _("Verifying…");
    case GLINT_FLASHER_STATE_REBOOTING:
      return _("Restarting the board…");
    case GLINT_FLASHER_STATE_READING:
      return _("Reading…");
    case GLINT_FLASHER_STATE_IDLE:
    case GLINT_FLASHER_STATE_DONE:
    case GLINT_FLASHER_STATE_FAILED:
    case GLINT_FLASHER_STATE_CANCELLED:
    default:
      return NULL;
    }
}

static void
on_flasher_state_cb (GlintFlasher *flasher,
                     GParamSpec   *pspec,
                     BoardRow     *row)
{
  const char *text = state_text (glint_flasher_get_state (flasher));
  const char *chip = glint_flasher_get_chip (flasher);

  if (text == NULL)
    return;

  if (chip != NULL)
    {
      g_autofree char *with_chip = g_strdup_printf ("%s · %s", chip, text);

      adw_action_row_set_subtitle (row->row, with_chip);
    }
  else
    {
      adw_action_row_set_subtitle (row->row, text);
    }
}

static void
on_flasher_fraction_cb (GlintFlasher *flasher,
                        GParamSpec   *pspec,
                        BoardRow     *row)
{
  gtk_progress_bar_set_fraction (row->progress, glint_flasher_get_fraction (flasher));
}

static BoardRow *
row_for_index (GlintBatchWindow *self,
               guint             index)
{
  return g_hash_table_lookup (self->rows, glint_flash_batch_get_address (self->batch, index));
}

static void
on_board_finished_cb (GlintFlashBatch  *batch,
                      guint             index,
                      GlintBatchWindow *self)
{
  BoardRow *row = row_for_index (self, index);
  const GError *error = glint_flash_batch_get_error (batch, index);
  const char *chip = glint_flash_batch_get_chip (batch, index);
  const char *mac = glint_flash_batch_get_mac (batch, index);
  g_autofree char *text = NULL;
  const char *icon = NULL;
  const char *result = NULL;

  switch (glint_flash_batch_get_result (batch, index))
    {
    case GLINT_BATCH_RESULT_VERIFIED:
      result = _("Verified");
      icon = "emblem-ok-symbolic";
      self->n_verified++;
      break;
    case GLINT_BATCH_RESULT_NOT_VERIFIED:
      result = _("Written, not verified");
      icon = "dialog-warning-symbolic";
      self->n_verified++;
      break;
    case GLINT_BATCH_RESULT_CANCELLED:
      result = _("Stopped");
      icon = "process-stop-symbolic";
      break;
    case GLINT_BATCH_RESULT_RUNNING:
    case GLINT_BATCH_RESULT_FAILED:
    default:
      result = _("Failed");
      icon = "dialog-error-symbolic";
      self->n_failed++;
      break;
    }

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* Translators: "Failed", then why */
    text = g_strdup_printf (_("%s: %s"), result, error->message);
  else if (chip != NULL && mac != NULL)
    /* Translators: the result, the chip, its MAC, seconds */
    text = g_strdup_printf (_("%s · %s · %s · %.0f s"), result, chip, mac,
                            glint_flash_batch_get_seconds (batch, index));
  else
    text = g_strdup (result);

  if (row != NULL)
    {
      adw_action_row_set_subtitle (row->row, text);
      gtk_image_set_from_icon_name (row->icon, icon);
      gtk_widget_set_visible (GTK_WIDGET (row->icon), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (row->progress),
                              glint_flash_batch_get_result (batch, index) ==
                              GLINT_BATCH_RESULT_RUNNING);
      if (row->flasher != NULL)
        g_signal_handlers_disconnect_by_data (row->flasher, row);
      g_clear_object (&row->flasher);
      gtk_widget_remove_css_class (GTK_WIDGET (row->row), "error");
      if (glint_flash_batch_get_result (batch, index) == GLINT_BATCH_RESULT_FAILED)
        gtk_widget_add_css_class (GTK_WIDGET (row->row), "error");
      /* what to do about it, where the engine knows */
      gtk_widget_set_tooltip_text (GTK_WIDGET (row->row),
                                   error != NULL ? glint_error_get_hint (error) : NULL);
    }

  update_summary (self);
}

static void
on_log_failed_cb (GlintFlashBatch  *batch,
                  const GError     *error,
                  GlintBatchWindow *self)
{
  g_autofree char *text = g_strdup_printf (_("The results log was not saved: %s. Choose "
                                             "another file with “Change…”."), error->message);

  toast (self, text);
}

static gboolean
ensure_batch (GlintBatchWindow *self)
{
  g_autoptr(GlintFlashOptions) options = NULL;
  g_autoptr(GError) error = NULL;

  if (self->batch != NULL)
    return TRUE;
  if (self->plan == NULL)
    {
      toast (self, _("Choose the firmware first."));
      return FALSE;
    }

  options = glint_flash_options_new ();
  options->record = g_object_ref (self->record);
  options->rates = g_object_ref (self->record);
  self->batch = glint_flash_batch_new (self->plan, options);
  g_signal_connect (self->batch, "board-finished", G_CALLBACK (on_board_finished_cb), self);
  g_signal_connect (self->batch, "log-failed", G_CALLBACK (on_log_failed_cb), self);

  if (self->log_path != NULL &&
      !glint_flash_batch_set_results_log (self->batch, self->log_path, &error))
    {
      g_autofree char *text = g_strdup_printf (_("The results log cannot be kept: %s. Choose "
                                                 "another file with “Change…”."),
                                               error->message);

      toast (self, text);
    }

  return TRUE;
}

static void
flash_row (GlintBatchWindow *self,
           BoardRow         *row)
{
  g_autoptr(GError) error = NULL;
  guint index;

  if (row->flasher != NULL || !ensure_batch (self))
    return;

  index = glint_flash_batch_add (self->batch, row->path, &error);
  row->flashed = TRUE;
  if (index == G_MAXUINT)
    {
      g_autofree char *text = g_strdup_printf (_("Failed: %s"), error->message);

      adw_action_row_set_subtitle (row->row, text);
      gtk_image_set_from_icon_name (row->icon, "dialog-error-symbolic");
      gtk_widget_set_visible (GTK_WIDGET (row->icon), TRUE);
      self->n_failed++;
      update_summary (self);
      return;
    }

  row->flasher = g_object_ref (glint_flash_batch_get_flasher (self->batch, index));
  g_signal_connect (row->flasher, "notify::state", G_CALLBACK (on_flasher_state_cb), row);
  g_signal_connect (row->flasher, "notify::fraction", G_CALLBACK (on_flasher_fraction_cb), row);
  gtk_progress_bar_set_fraction (row->progress, 0);
  gtk_widget_set_visible (GTK_WIDGET (row->progress), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (row->icon), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (row->row), "error");
  adw_action_row_set_subtitle (row->row, _("Connecting…"));
  update_summary (self);
}

static BoardRow *
add_row (GlintBatchWindow          *self,
         const GlintSerialPortInfo *info)
{
  BoardRow *row = g_new0 (BoardRow, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  row->window = self;
  row->path = g_strdup (info->path);
  row->row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row), info->path);
  if (info->friendly_name != NULL && !g_str_equal (info->friendly_name, info->path))
    {
      g_autofree char *title = g_strdup_printf ("%s — %s", info->friendly_name, info->path);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row), title);
    }
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row->row), FALSE);
  adw_action_row_set_subtitle (row->row, _("Ready"));
  row->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_widget_set_valign (GTK_WIDGET (row->progress), GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (GTK_WIDGET (row->progress), 120, -1);
  gtk_widget_set_visible (GTK_WIDGET (row->progress), FALSE);
  row->icon = GTK_IMAGE (gtk_image_new ());
  gtk_widget_set_visible (GTK_WIDGET (row->icon), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->progress));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->icon));
  adw_action_row_add_suffix (row->row, box);
  gtk_list_box_append (self->board_list, GTK_WIDGET (row->row));
  g_hash_table_insert (self->rows, row->path, row);

  return row;
}

static void
on_ports_changed_cb (GlintPortMonitor *monitor,
                     GParamSpec       *pspec,
                     GlintBatchWindow *self)
{
  GPtrArray *ports = glint_port_monitor_get_ports (monitor);
  gboolean production = gtk_switch_get_active (self->production_switch);
  g_autoptr(GHashTable) now = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer value;

  if (ports == NULL)
    return;

  for (guint i = 0; i < ports->len; i++)
    {
      const GlintSerialPortInfo *info = g_ptr_array_index (ports, i);
      BoardRow *row = g_hash_table_lookup (self->rows, info->path);

      g_hash_table_add (now, info->path);
      if (row == NULL)
        row = add_row (self, info);
      if (!row->present)
        {
          /* (again): a new board on that port */
          row->present = TRUE;
          row->flashed = FALSE;
          if (row->flasher == NULL && production && self->plan != NULL)
            flash_row (self, row);
        }
    }

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      BoardRow *row = value;

      if (row->present && !g_hash_table_contains (now, row->path))
        {
          row->present = FALSE;
          gtk_widget_add_css_class (GTK_WIDGET (row->row), "dim-label");
        }
      else if (row->present)
        {
          gtk_widget_remove_css_class (GTK_WIDGET (row->row), "dim-label");
        }
    }

  update_summary (self);
}

/* Every board that is there and was not flashed since it was plugged in;
 * with @all, also those that were. */
static void
flash_present (GlintBatchWindow *self,
               gboolean          all)
{
  g_autoptr(GList) rows = g_hash_table_get_values (self->rows);

  for (GList *l = rows; l != NULL; l = l->next)
    {
      BoardRow *row = l->data;

      if (row->present && (all || !row->flashed))
        flash_row (self, row);
    }
}

static void
on_production_cb (GtkSwitch        *sw,
                  GParamSpec       *pspec,
                  GlintBatchWindow *self)
{
  if (gtk_switch_get_active (sw))
    {
      if (self->plan == NULL)
        {
          toast (self, _("Choose the firmware first."));
          gtk_switch_set_active (sw, FALSE);
          return;
        }
      flash_present (self, FALSE);
    }
  update_summary (self);
}

static void
flash_all_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  flash_present (GLINT_BATCH_WINDOW (widget), TRUE);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GlintBatchWindow *self = GLINT_BATCH_WINDOW (widget);

  /* production mode would flash the next board at once */
  gtk_switch_set_active (self->production_switch, FALSE);
  if (self->batch != NULL)
    glint_flash_batch_cancel (self->batch);
}

static void
set_plan (GlintBatchWindow *self,
          GlintFlashPlan   *plan,
          const char       *name)
{
  g_set_object (&self->plan, plan);
  /* a new firmware: a new batch, whose log rows name its MD5 */
  if (self->batch != NULL)
    g_signal_handlers_disconnect_by_data (self->batch, self);
  g_clear_object (&self->batch);
  adw_action_row_set_subtitle (self->firmware_row, name != NULL ? name : _("None chosen"));
  adw_window_title_set_subtitle (self->window_title, name != NULL ? name : "");
  update_summary (self);
}

/**
 * glint_batch_window_load_firmware:
 * @path: a firmware file, build folder or manifest, as the CLI takes it
 *
 * Returns: %FALSE if it cannot be flashed (@error says why)
 */
gboolean
glint_batch_window_load_firmware (GlintBatchWindow  *self,
                                  const char        *path,
                                  GError           **error)
{
  g_autoptr(GlintFlashPlan) plan = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (GLINT_IS_BATCH_WINDOW (self), FALSE);

  plan = glint_flash_plan_new_for_path (path, NULL, error);
  if (plan == NULL)
    return FALSE;

  name = g_path_get_basename (path);
  set_plan (self, plan, name);
  return TRUE;
}

static void
firmware_chooser_cb (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  g_autoptr(GlintBatchWindow) self = user_data;
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_object_unref (chooser);
  if (file == NULL || (path = g_file_get_path (file)) == NULL)
    return;

  if (!glint_batch_window_load_firmware (self, path, &error))
    {
      g_autofree char *text = g_strdup_printf (_("This firmware cannot be flashed: %s"),
                                               error->message);

      toast (self, text);
    }
}

static void
choose_firmware_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  GlintBatchWindow *self = GLINT_BATCH_WINDOW (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Choose Firmware"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"),
                                         _("_Cancel"));
  g_signal_connect (chooser, "response", G_CALLBACK (firmware_chooser_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/**
 * glint_batch_window_set_log_path:
 * @path: the CSV results log; rows are added to what it holds
 */
void
glint_batch_window_set_log_path (GlintBatchWindow *self,
                                 const char       *path)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (GLINT_IS_BATCH_WINDOW (self));
  g_return_if_fail (path != NULL);

  g_free (self->log_path);
  self->log_path = g_strdup (path);
  adw_action_row_set_subtitle (self->log_row, path);
  if (self->batch != NULL && !glint_flash_batch_set_results_log (self->batch, path, &error))
    {
      g_autofree char *text = g_strdup_printf (_("The results log cannot be kept: %s. Choose "
                                                 "another file with “Change…”."),
                                               error->message);

      toast (self, text);
    }
}

const char *
glint_batch_window_get_log_path (GlintBatchWindow *self)
{
  g_return_val_if_fail (GLINT_IS_BATCH_WINDOW (self), NULL);

  return self->log_path;
}

static void
log_chooser_cb (GtkNativeDialog *chooser,
                int              response,
                gpointer         user_data)
{
  g_autoptr(GlintBatchWindow) self = user_data;
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_object_unref (chooser);
  if (file != NULL && (path = g_file_get_path (file)) != NULL)
    glint_batch_window_set_log_path (self, path);
}

static void
choose_log_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  GlintBatchWindow *self = GLINT_BATCH_WINDOW (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Results Log"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                         _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "glint-results.csv");
  g_signal_connect (chooser, "response", G_CALLBACK (log_chooser_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Closing the window while boards are flashed stops them: nothing would
 * show what became of them. */
static gboolean
glint_batch_window_close_request (GtkWindow *window)
{
  GlintBatchWindow *self = GLINT_BATCH_WINDOW (window);

  if (self->batch != NULL)
    glint_flash_batch_cancel (self->batch);

  return GTK_WINDOW_CLASS (glint_batch_window_parent_class)->close_request (window);
}

static void
glint_batch_window_dispose (GObject *object)
{
  GlintBatchWindow *self = GLINT_BATCH_WINDOW (object);

  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  if (self->batch != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->batch, self);
      glint_flash_batch_cancel (self->batch);
    }
  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_clear_object (&self->batch);
  g_clear_object (&self->plan);
  g_clear_object (&self->record);
  gtk_widget_dispose_template (GTK_WIDGET (self), GLINT_TYPE_BATCH_WINDOW);

  G_OBJECT_CLASS (glint_batch_window_parent_class)->dispose (object);
}

static void
glint_batch_window_finalize (GObject *object)
{
  GlintBatchWindow *self = GLINT_BATCH_WINDOW (object);

  g_free (self->log_path);

  G_OBJECT_CLASS (glint_batch_window_parent_class)->finalize (object);
}

static void
glint_batch_window_class_init (GlintBatchWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = glint_batch_window_dispose;
  object_class->finalize = glint_batch_window_finalize;
  window_class->close_request = glint_batch_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/glintapp/Glint/glint-batch-window.ui");
  gtk_widget_class_bind_template_child (widget_class, GlintBatchWindow, board_list);
  gtk_widget_class_bind_template_child (widget_class, GlintBatchWindow, firmware_row);
  gtk_widget_class_bind_template_child (widget_class, GlintBatchWindow, flash_button);
  gtk_widget_class_bind_template_child (widget_class, GlintBatchWindow, log_row);
  gtk_widget_class_bind_template_child (widget_class, GlintBatchWindow, production_row);
  gtk_widget_class_bind_template_child (widget_class, GlintBatchWindow, production_switch);
  gtk_widget_class_bind_template_child (widget_class, GlintBatchWindow, summary_label);
  gtk_widget_class_bind_template_child (widget_class, GlintBatchWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, GlintBatchWindow, window_title);

  gtk_widget_class_install_action (widget_class, "batch.flash-all", NULL, flash_all_action);
  gtk_widget_class_install_action (widget_class, "batch.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "batch.choose-firmware", NULL,
                                   choose_firmware_action);
  gtk_widget_class_install_action (widget_class, "batch.choose-log", NULL, choose_log_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "batch.flash-all", NULL);
}

static void
glint_batch_window_init (GlintBatchWindow *self)
{
  g_autofree char *record_dir = NULL;
  g_autofree char *log_dir = NULL;
  g_autofree char *log_path = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, board_row_free);
  /* the same record and rates as the window and the CLI */
  record_dir = g_build_filename (g_get_user_cache_dir (), "glint", "boards", NULL);
  self->record = glint_flash_record_new (record_dir);

  /* a log is always kept: production runs need it most when nobody
   * thought of it */
  log_dir = g_build_filename (g_get_user_data_dir (), "glint", NULL);
  g_mkdir_with_parents (log_dir, 0700);
  log_path = g_build_filename (log_dir, "results.csv", NULL);
  glint_batch_window_set_log_path (self, log_path);

  g_signal_connect (self->production_switch, "notify::active", G_CALLBACK (on_production_cb),
                    self);
  /* for the tests */
  g_object_set_data (G_OBJECT (self), "glint-production-switch", self->production_switch);
  g_object_set_data (G_OBJECT (self), "glint-flash-button", self->flash_button);
  self->monitor = glint_port_monitor_new ();
  g_signal_connect (self->monitor, "notify::ports", G_CALLBACK (on_ports_changed_cb), self);
  on_ports_changed_cb (self->monitor, NULL, self);
}

/**
 * glint_batch_window_new:
 * @parent: (nullable): the window it belongs to
 * @plan: (nullable): the firmware, if one is chosen already
 * @firmware_name: (nullable): what to call it
 *
 * Returns: (transfer full): the "Flash Several Boards" window
 */
GlintBatchWindow *
glint_batch_window_new (GtkWindow      *parent,
                        GlintFlashPlan *plan,
                        const char     *firmware_name)
{
  GlintBatchWindow *self = g_object_new (GLINT_TYPE_BATCH_WINDOW, NULL);

  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (self), parent);
      gtk_window_set_application (GTK_WINDOW (self), gtk_window_get_application (parent));
    }
  if (plan != NULL)
    set_plan (self, plan, firmware_name);

  return self;
}

/**
 * glint_batch_window_get_batch:
 *
 * Returns: (transfer none) (nullable): the jobs of the current firmware
 */
GlintFlashBatch *
glint_batch_window_get_batch (GlintBatchWindow *self)
{
  g_return_val_if_fail (GLINT_IS_BATCH_WINDOW (self), NULL);

  return self->batch;
}

guint
glint_batch_window_get_n_rows (GlintBatchWindow *self)
{
  g_return_val_if_fail (GLINT_IS_BATCH_WINDOW (self), 0);

  return g_hash_table_size (self->rows);
}
