/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "glint-chip.h"
#include "glint-error.h"
#include "glint-window-private.h"

/* The Firmware page: choose or drop a file, a build folder or a manifest;
 * show what goes where, and the warnings, before anything is written. */

static const guint bauds[] = { 0, 115200, 460800, 921600, 2000000 };

guint
_glint_window_get_baud (GlintWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->baud_row);

  return selected < G_N_ELEMENTS (bauds) ? bauds[selected] : 0;
}

/* "blink.bin@0x10000" → "blink.bin"; other paths as they are. */
static char *
strip_offset (const char *path)
{
  const char *at = strrchr (path, '@');

  if (at == NULL || g_file_test (path, G_FILE_TEST_EXISTS))
    return g_strdup (path);

  return g_strndup (path, at - path);
}

/* A lone firmware file, as opposed to a build folder or a manifest. */
static gboolean
is_single_file (const char *path)
{
  g_autofree char *file = strip_offset (path);

  return g_file_test (file, G_FILE_TEST_IS_REGULAR) &&
         !g_str_has_suffix (file, ".json") && !g_str_has_suffix (file, ".JSON");
}

static gboolean
parse_offset (const char *text,
              guint32    *offset)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  guint64 value;
  guint base = 10;
  const char *digits = stripped;

  if (g_str_has_prefix (stripped, "0x") || g_str_has_prefix (stripped, "0X"))
    {
      base = 16;
      digits += 2;
    }
  if (!g_ascii_string_to_unsigned (digits, base, 0, G_MAXUINT32, &value, NULL))
    return FALSE;

  /* Flash is erased in 4 KiB sectors. */
  if (value % 4096 != 0)
    return FALSE;

  *offset = (guint32) value;
  return TRUE;
}

/* A manifest's "name" ("Blink"), or NULL. Read in the loading thread. */
static char *
read_manifest_name (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *object;

  if (!json_parser_load_from_file (parser, path, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  object = json_node_get_object (root);
  if (!json_object_has_member (object, "name") ||
      json_node_get_value_type (json_object_get_member (object, "name")) != G_TYPE_STRING)
    return NULL;

  return g_strdup (json_object_get_string_member (object, "name"));
}

/**
 * _glint_window_get_firmware_name:
 *
 * What to call the firmware: a manifest's name, an ESP-IDF project's
 * folder (not "build"), or the file name.
 *
 * Returns: (transfer full): a name for people
 */
char *
_glint_window_get_firmware_name (GlintWindow *self)
{
  g_autofree char *file = strip_offset (self->firmware_path);
  const char *name = self->plan != NULL ?
    g_object_get_data (G_OBJECT (self->plan), "glint-name") : NULL;
  g_autofree char *basename = g_path_get_basename (file);

  if (name != NULL && name[0] != '\0')
    return g_strdup (name);

  if (g_file_test (file, G_FILE_TEST_IS_DIR) && g_str_equal (basename, "build"))
    {
      g_autofree char *parent = g_path_get_dirname (file);

      return g_path_get_basename (parent);
    }

  return g_steal_pointer (&basename);
}

void
_glint_window_on_offset_changed_cb (GlintWindow *self)
{
  guint32 offset;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->offset_row));

  if (text[0] == '\0' || parse_offset (text, &offset))
    gtk_widget_remove_css_class (GTK_WIDGET (self->offset_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->offset_row), "error");
}

void
_glint_window_on_offset_apply_cb (GlintWindow *self)
{
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  guint32 offset;

  if (self->firmware_path == NULL ||
      !parse_offset (gtk_editable_get_text (GTK_EDITABLE (self->offset_row)), &offset))
    {
      _glint_window_toast (self, _("The offset must be a multiple of 4 KiB, like 0x10000"));
      return;
    }

  file = strip_offset (self->firmware_path);
  path = g_strdup_printf ("%s@0x%x", file, offset);
  _glint_window_load_firmware (self, path);
}

static void
on_baud_selected_cb (GlintWindow *self)
{
  g_settings_set_uint (self->settings, "baud", _glint_window_get_baud (self));
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static GtkWidget *
region_row_new (GlintFlashPlan *plan,
                guint           index)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *offset_label;
  const char *name = glint_flash_plan_get_region_name (plan, index);
  const char *path = glint_flash_plan_get_region_path (plan, index);
  GBytes *data = glint_flash_plan_get_region_data (plan, index);
  g_autofree char *basename = path != NULL ? g_path_get_basename (path) : NULL;
  g_autofree char *size = g_format_size (data != NULL ? g_bytes_get_size (data) : 0);
  g_autofree char *offset = g_strdup_printf ("0x%05x",
                                             glint_flash_plan_get_region_offset (plan, index));
  g_autofree char *subtitle = NULL;

  /* The file name only where the name does not say it already. */
  if (name != NULL && basename != NULL && !g_str_equal (name, basename))
    subtitle = g_strdup_printf ("%s · %s", basename, size);
  else
    subtitle = g_strdup (size);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 name != NULL ? name : basename != NULL ? basename : _("Data"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  offset_label = gtk_label_new (offset);
  gtk_widget_set_tooltip_text (offset_label, _("Flash offset"));
  gtk_widget_add_css_class (offset_label, "monospace");
  gtk_widget_add_css_class (offset_label, "dim-label");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), offset_label);

  return row;
}

static GtkWidget *
warning_row_new (const char *text)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

  gtk_widget_add_css_class (icon, "warning");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);

  return row;
}

static void
show_plan (GlintWindow *self)
{
  const char * const *warnings = glint_flash_plan_get_warnings (self->plan);
  guint n_regions = glint_flash_plan_get_n_regions (self->plan);
  g_autofree char *file = strip_offset (self->firmware_path);
  g_autofree char *basename = _glint_window_get_firmware_name (self);
  gboolean guessed = g_object_get_data (G_OBJECT (self->plan), "glint-guessed-offset") != NULL;
  gboolean single = is_single_file (self->firmware_path) && n_regions == 1;
  g_autofree char *total = g_format_size (glint_flash_plan_get_total_bytes (self->plan));
  const char *chip_name = glint_flash_plan_get_chip (self->plan);
  const GlintChip *known = chip_name != NULL ? glint_chip_lookup (chip_name) : NULL;
  const char *chip = known != NULL ? known->display_name : chip_name;
  g_autofree char *description = NULL;
  guint n_warnings = 0;

  clear_list (self->regions_list);
  for (guint i = 0; i < n_regions; i++)
    gtk_list_box_append (self->regions_list, region_row_new (self->plan, i));

  clear_list (self->warnings_list);
  if (guessed)
    {
      gtk_list_box_append (self->warnings_list,
                           warning_row_new (_("Glint cannot tell what this file is, so it goes "
                                              "to 0x10000, where apps usually live. Change the "
                                              "offset if it belongs elsewhere.")));
      n_warnings++;
    }
  for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++, n_warnings++)
    gtk_list_box_append (self->warnings_list, warning_row_new (warnings[i]));

  /* A lone file can be moved; a build or manifest knows its offsets. */
  gtk_widget_set_visible (GTK_WIDGET (self->offset_group), single);
  if (single)
    {
      g_autofree char *offset = g_strdup_printf ("0x%x",
                                                 glint_flash_plan_get_region_offset (self->plan,
                                                                                     0));

      gtk_editable_set_text (GTK_EDITABLE (self->offset_row), offset);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->warnings_group), n_warnings > 0);

  if (chip != NULL)
    /* Translators: "4 files, 1.2 MB in all, built for esp32s3" */
    description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "%u part, %s in all, built for %s",
                                                "%u parts, %s in all, built for %s",
                                                n_regions),
                                   n_regions, total, chip);
  else
    description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "%u part, %s in all",
                                                "%u parts, %s in all",
                                                n_regions),
                                   n_regions, total);

  adw_preferences_group_set_title (self->firmware_group, basename);
  /* "Blink" from a manifest: say which file it came from too. */
  {
    g_autofree char *file_name = g_path_get_basename (file);

    if (!g_str_equal (file_name, basename))
      {
        g_autofree char *with_file = g_strdup_printf ("%s · %s", file_name, description);

        g_free (description);
        description = g_steal_pointer (&with_file);
      }
  }
  adw_preferences_group_set_description (self->firmware_group, description);
  gtk_stack_set_visible_child_name (self->firmware_stack, "plan");
}

static void
show_error (GlintWindow  *self,
            const GError *error)
{
  const char *hint = glint_error_get_hint (error);
  g_autofree char *markup = NULL;

  if (hint != NULL)
    markup = g_markup_printf_escaped ("%s\n\n<small>%s</small>", hint, error->message);
  else
    markup = g_markup_escape_text (error->message, -1);

  adw_status_page_set_description (self->firmware_error_page, markup);
  gtk_stack_set_visible_child_name (self->firmware_stack, "error");
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  char **args = task_data;   /* { path, chip or NULL } */
  GError *error = NULL;
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new_for_path (args[0], args[1], &error);

  /* A raw binary without an offset: most often an app (Arduino's export
   * and PlatformIO's firmware.bin), so start there and let people edit. */
  if (plan == NULL && g_error_matches (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN) &&
      is_single_file (args[0]) && strrchr (args[0], '@') == NULL)
    {
      g_autofree char *guess = g_strdup_printf ("%s@0x%x", args[0], GLINT_FLASH_PLAN_APP_OFFSET);

      g_clear_error (&error);
      plan = glint_flash_plan_new_for_path (guess, args[1], &error);
      if (plan != NULL)
        g_object_set_data (G_OBJECT (plan), "glint-guessed-offset", GINT_TO_POINTER (TRUE));
    }

  if (plan != NULL && (g_str_has_suffix (args[0], ".json") || g_str_has_suffix (args[0], ".JSON")))
    g_object_set_data_full (G_OBJECT (plan), "glint-name", read_manifest_name (args[0]), g_free);

  /* Validation reads the files and finds what to warn about. */
  if (plan == NULL || !glint_flash_plan_validate (plan, args[1], 0, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&plan), g_object_unref);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GlintWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlashPlan) plan = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->load_cancellable);

  if (plan == NULL)
    show_error (self, error);
  else
    {
      g_set_object (&self->plan, plan);
      show_plan (self);
    }

  _glint_window_update_buttons (self);
}

/**
 * _glint_window_load_firmware:
 * @path: a firmware file (optionally FILE@OFFSET), a build folder or a
 *   manifest.json
 *
 * Reads the plan off the main loop: a build folder can mean megabytes.
 */
void
_glint_window_load_firmware (GlintWindow *self,
                             const char  *path)
{
  g_autoptr(GTask) task = NULL;
  char **args = g_new0 (char *, 3);

  args[0] = g_strdup (path);
  args[1] = g_strdup (self->board_info != NULL ? self->board_info->chip : NULL);

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->plan);

  g_free (self->firmware_path);
  self->firmware_path = g_strdup (path);
  self->load_cancellable = g_cancellable_new ();
  gtk_stack_set_visible_child_name (self->firmware_stack, "loading");
  _glint_window_update_buttons (self);

  task = g_task_new (NULL, self->load_cancellable, load_cb, g_object_ref (self));
  g_task_set_source_tag (task, _glint_window_load_firmware);
  g_task_set_name (task, "glint-load-firmware");
  g_task_set_task_data (task, args, (GDestroyNotify) g_strfreev);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, load_thread);
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  g_autoptr(GlintWindow) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        glint_window_open_firmware (self, file);
    }

  g_object_unref (dialog);
}

void
_glint_window_choose_firmware (GlintWindow *self)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) firmware = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  if (self->flash_cancellable != NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Choose Firmware"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (firmware, _("Firmware"));
  gtk_file_filter_add_suffix (firmware, "bin");
  gtk_file_filter_add_pattern (firmware, "manifest.json");
  gtk_file_filter_add_pattern (firmware, "flasher_args.json");
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), firmware);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);

  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Drag and drop: a file, a build folder or a manifest, anywhere in the window. */
static gboolean
on_drop_cb (GtkDropTarget *target,
            const GValue  *value,
            double         x,
            double         y,
            GlintWindow   *self)
{
  GFile *file = NULL;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);

      if (files != NULL)
        file = files->data;
      if (files != NULL && files->next != NULL)
        _glint_window_toast (self, _("Drop one file or folder; using the first"));
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    file = g_value_get_object (value);

  if (file == NULL)
    return FALSE;

  glint_window_open_firmware (self, file);
  return TRUE;
}

void
_glint_window_firmware_init (GlintWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };
  guint baud = g_settings_get_uint (self->settings, "baud");

  gtk_drop_target_set_gtypes (target, types, G_N_ELEMENTS (types));
  g_signal_connect (target, "drop", G_CALLBACK (on_drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->stack), GTK_EVENT_CONTROLLER (target));

  for (guint i = 0; i < G_N_ELEMENTS (bauds); i++)
    if (bauds[i] == baud)
      adw_combo_row_set_selected (self->baud_row, i);
  g_signal_connect_object (self->baud_row, "notify::selected",
                           G_CALLBACK (on_baud_selected_cb), self, G_CONNECT_SWAPPED);
  g_settings_bind (self->settings, "verify", self->verify_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "auto-reset", self->auto_reset_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "reboot", self->reboot_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "use-stub", self->stub_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
}

void
_glint_window_firmware_dispose (GlintWindow *self)
{
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->plan);
  g_clear_pointer (&self->firmware_path, g_free);
}
