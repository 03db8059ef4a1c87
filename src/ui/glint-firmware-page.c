/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "glint-chip.h"
#include "glint-error.h"
#include "glint-image.h"
#include "glint-firmware-page.h"
#include "glint-board-contents.h"
#include "glint-web-fetch.h"
#include "glint-window.h"

/* The Firmware page: a file, a build folder or a manifest (chosen or
 * dropped on the window), or the link of a web installer's manifest
 * (downloaded first, src/web); what goes where, and the warnings, before
 * anything is written; and the Advanced options for the flash. */

struct _GlintFirmwarePage
{
  GlintWizardPage       parent_instance;

  /* template children, alphabetical */
  GtkSwitch            *auto_reset_switch;
  AdwComboRow          *baud_row;
  AdwStatusPage        *firmware_error_page;
  AdwPreferencesGroup  *firmware_group;
  GtkStack             *firmware_stack;
  GtkButton            *choose_button;
  GtkButton            *sample_button;
  AdwComboRow          *flash_freq_row;
  GtkLabel             *loading_label;
  GtkProgressBar       *loading_progress;
  AdwComboRow          *flash_mode_row;
  AdwComboRow          *flash_size_row;
  AdwPreferencesGroup  *offset_group;
  AdwEntryRow          *offset_row;
  GtkSwitch            *reboot_switch;
  GtkListBox           *regions_list;
  GtkSwitch            *stub_switch;
  GtkEntry             *url_entry;
  GtkSwitch            *verify_switch;
  GtkSwitch            *skip_switch;
  GtkSwitch            *backup_switch;
  GtkSwitch            *erase_all_switch;
  AdwPreferencesGroup  *warnings_group;
  GtkListBox           *warnings_list;

  GSettings            *settings;
  GlintFlashPlan       *plan;
  char                 *firmware_path;
  char                 *chip;            /* the board's, when Detect knows it */
  int                   chip_revision;   /* ... and its revision, -1 if not known */
  GlintBoardContents   *board_contents;  /* what Detect found on the board, if read */
  gboolean              has_board;       /* a board to flash to is chosen */
  GCancellable         *load_cancellable;
  char                 *keep_flash[3];   /* mode, freq, size that "Keep" writes */
  char                 *raw_file;        /* confirmed to be written as raw data */
  AdwMessageDialog     *raw_dialog;

  /* a manifest URL */
  GlintWebFetch        *fetch;
  char                 *web_title;       /* "WLED 0.14.0", shown on every page */
  char                 *http_allowed;    /* the http:// URL the user agreed to */
  int                   improv_wait;     /* the installer's, in seconds; -1: not said */
  GTlsDatabase         *tls_database;    /* tests: trusted for downloads */
  char                 *erase_asked;     /* the URL whose erase question was answered */
  gboolean              fetching_manifest; /* the manifest alone, the board's chip unknown */
  gboolean              waiting_for_chip;  /* for glint_firmware_page_continue_download() */
  AdwMessageDialog     *question_dialog; /* plain http, or erase first */
};

G_DEFINE_FINAL_TYPE (GlintFirmwarePage, glint_firmware_page, GLINT_TYPE_WIZARD_PAGE)

enum
{
  SIGNAL_CHIP_NEEDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
toast (GlintFirmwarePage *self,
       const char        *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

/* Complete with a plan and a board; applying while a plan loads. */
static void
update_state (GlintFirmwarePage *self)
{
  glint_wizard_page_set_complete (GLINT_WIZARD_PAGE (self),
                                  self->plan != NULL && self->load_cancellable == NULL &&
                                  self->has_board);
  glint_wizard_page_set_applying (GLINT_WIZARD_PAGE (self), self->load_cancellable != NULL);
}

static const guint bauds[] = { 0, 115200, 460800, 921600, 2000000 };

guint
glint_firmware_page_get_baud (GlintFirmwarePage *self)
{
  g_return_val_if_fail (GLINT_IS_FIRMWARE_PAGE (self), 0);

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
 * glint_firmware_page_get_name:
 *
 * What to call the firmware: a manifest's name, an ESP-IDF project's
 * folder (not "build"), or the file name.
 *
 * Returns: (transfer full): a name for people
 */
char *
glint_firmware_page_get_name (GlintFirmwarePage *self)
{
  g_autofree char *file = strip_offset (self->firmware_path);
  const char *name = self->plan != NULL ?
    g_object_get_data (G_OBJECT (self->plan), "glint-name") : NULL;
  g_autofree char *basename = g_path_get_basename (file);

  if (self->web_title != NULL && glint_web_is_url (self->firmware_path))
    return g_strdup (self->web_title);
  if (name != NULL && name[0] != '\0')
    return g_strdup (name);

  if (g_file_test (file, G_FILE_TEST_IS_DIR) && g_str_equal (basename, "build"))
    {
      g_autofree char *parent = g_path_get_dirname (file);

      return g_path_get_basename (parent);
    }

  return g_steal_pointer (&basename);
}

/**
 * glint_firmware_page_get_web_title:
 *
 * Returns: (nullable): the name and version of the web installer the
 *   plan came from ("WLED 0.14.0"), or %NULL for local firmware
 */
const char *
glint_firmware_page_get_web_title (GlintFirmwarePage *self)
{
  g_return_val_if_fail (GLINT_IS_FIRMWARE_PAGE (self), NULL);

  if (self->plan == NULL || !glint_web_is_url (self->firmware_path))
    return NULL;
  return self->web_title;
}

static void
on_offset_changed_cb (GlintFirmwarePage *self)
{
  guint32 offset;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->offset_row));

  if (text[0] == '\0' || parse_offset (text, &offset))
    gtk_widget_remove_css_class (GTK_WIDGET (self->offset_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->offset_row), "error");
}

static void
on_offset_apply_cb (GlintFirmwarePage *self)
{
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  guint32 offset;

  if (self->firmware_path == NULL ||
      !parse_offset (gtk_editable_get_text (GTK_EDITABLE (self->offset_row)), &offset))
    {
      toast (self, _("The offset must be a multiple of 4 KiB, like 0x10000"));
      return;
    }

  file = strip_offset (self->firmware_path);
  path = g_strdup_printf ("%s@0x%x", file, offset);
  glint_firmware_page_load (self, path, self->chip);
}

static void
on_baud_selected_cb (GlintFirmwarePage *self)
{
  g_settings_set_uint (self->settings, "baud", glint_firmware_page_get_baud (self));
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

/* "wled 0.15.0 (ESP-IDF v4.4.7, 2025-01-20) · replaces wled 0.14.0": the
 * app a region holds, and the one at its offset on the board. */
static char *
describe_region_app (GBytes                   *data,
                     guint32                   offset,
                     const GlintBoardContents *contents)
{
  GlintAppDesc desc;
  const GlintPartitionContents *old = NULL;
  g_autofree char *app = NULL;

  if (data == NULL || !glint_app_desc_parse_image (g_bytes_get_data (data, NULL),
                                                   g_bytes_get_size (data), &desc, NULL))
    return NULL;
  app = glint_app_desc_describe (&desc);
  if (contents != NULL && contents->state == GLINT_CONTENTS_PARTITIONS)
    for (guint i = 0; i < contents->partitions->len; i++)
      {
        const GlintPartitionContents *pc = &g_array_index (contents->partitions,
                                                           GlintPartitionContents, i);

        if (pc->partition.offset == offset && pc->app_state == GLINT_APP_FOUND)
          old = pc;
      }
  if (old != NULL)
    {
      g_autofree char *old_name = glint_app_desc_name (&old->desc);

      /* Translators: the app in a file, then the app it overwrites on the board */
      return g_strdup_printf (_("%s · replaces %s"), app, old_name);
    }
  return g_steal_pointer (&app);
}

static GtkWidget *
region_row_new (GlintFlashPlan           *plan,
                guint                     index,
                const GlintBoardContents *contents)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *offset_label;
  const char *name = glint_flash_plan_get_region_name (plan, index);
  const char *path = glint_flash_plan_get_region_path (plan, index);
  GBytes *data = glint_flash_plan_get_region_data (plan, index);
  g_autofree char *basename = path != NULL ? g_path_get_basename (path) : NULL;
  g_autofree char *size = g_format_size_full (data != NULL ? g_bytes_get_size (data) : 0,
                                              G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *offset = g_strdup_printf ("0x%05x",
                                             glint_flash_plan_get_region_offset (plan, index));
  g_autofree char *subtitle = NULL;

  g_autofree char *app = describe_region_app (data, glint_flash_plan_get_region_offset (plan,
                                                                                    index),
                                              contents);

  /* The file name only where the name does not say it already. */
  if (name != NULL && basename != NULL && !g_str_equal (name, basename))
    subtitle = g_strdup_printf ("%s · %s", basename, size);
  else
    subtitle = g_strdup (size);
  if (app != NULL)
    {
      /* the subtitle is markup */
      g_autofree char *escaped = g_markup_escape_text (app, -1);
      g_autofree char *with_app = g_strdup_printf ("%s\n%s", subtitle, escaped);

      g_free (subtitle);
      subtitle = g_steal_pointer (&with_app);
    }

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

/* Flash settings: what esptool's --flash_mode/--flash_freq/--flash_size
 * write into the bootloader's header. They only mean something when the
 * firmware has a bootloader image where the ROM looks for it, and each
 * value is offered only when the image code accepts it for that chip. */

enum { FLASH_MODE, FLASH_FREQ, FLASH_SIZE, N_FLASH_SETTINGS };

static const char * const flash_candidates[N_FLASH_SETTINGS][12] = {
  { "qio", "qout", "dio", "dout", NULL },
  { "80m", "60m", "48m", "40m", "30m", "26m", "24m", "20m", "16m", "15m", "12m", NULL },
  { "256KB", "512KB", "1MB", "2MB", "4MB", "8MB", "16MB", "32MB", "64MB", "128MB", NULL },
};

static AdwComboRow *
flash_setting_row (GlintFirmwarePage *self,
                   guint        which)
{
  AdwComboRow *rows[N_FLASH_SETTINGS] = { self->flash_mode_row, self->flash_freq_row,
                                          self->flash_size_row };

  return rows[which];
}

/* "dio" → "DIO", "80m" → "80 MHz", "4MB" → "4 MB" */
static char *
flash_value_label (guint       which,
                   const char *value)
{
  g_autofree char *number = NULL;

  if (which == FLASH_MODE)
    return g_ascii_strup (value, -1);

  number = g_strndup (value, strspn (value, "0123456789"));
  if (which == FLASH_FREQ)
    /* Translators: a flash clock frequency, like "80 MHz" */
    return g_strdup_printf (_("%s MHz"), number);
  if (g_str_has_suffix (value, "KB"))
    /* Translators: a flash chip size, like "512 KB" */
    return g_strdup_printf (_("%s KB"), number);
  /* Translators: a flash chip size, like "4 MB" */
  return g_strdup_printf (_("%s MB"), number);
}

/* The part of the image header that @which is stored in. */
static guint8
flash_setting_bits (GBytes *image,
                    guint   which)
{
  const guint8 *data = g_bytes_get_data (image, NULL);

  switch (which)
    {
    case FLASH_MODE:
      return data[2];
    case FLASH_FREQ:
      return data[3] & 0x0F;
    default:
      return data[3] >> 4;
    }
}

/* The bootloader image in @plan and its chip, or -1. */
static int
find_bootloader (GlintFlashPlan  *plan,
                 const char     **chip)
{
  for (guint i = 0; i < glint_flash_plan_get_n_regions (plan); i++)
    {
      GBytes *data = glint_flash_plan_get_region_data (plan, i);
      g_autoptr(GlintImage) image = NULL;
      const char *name;

      if (data == NULL || g_bytes_get_size (data) < 8 || !glint_image_looks_like_image (data))
        continue;
      image = glint_image_parse (data, NULL, NULL);
      if (image == NULL)
        continue;
      name = glint_image_get_chip_name (image);
      if (name != NULL && glint_image_chip_is_known (name) &&
          glint_image_chip_bootloader_offset (name) == glint_flash_plan_get_region_offset (plan, i))
        {
          *chip = name;
          return (int) i;
        }
    }

  return -1;
}

static void
fill_flash_setting_row (GlintFirmwarePage *self,
                        guint        which,
                        GBytes      *bootloader,
                        const char  *chip,
                        const char  *from_plan)
{
  AdwComboRow *row = flash_setting_row (self, which);
  const char * const *old_values = g_object_get_data (G_OBJECT (row), "glint-values");
  guint old_selected = adw_combo_row_get_selected (row);
  g_autofree char *previous = NULL;
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) values = NULL;
  g_autofree char *keep_label = NULL;
  guint8 current = flash_setting_bits (bootloader, which);
  const char *keep = NULL;
  guint selected = 0;

  if (old_values != NULL && old_selected > 0 && old_selected < g_strv_length ((GStrv) old_values))
    previous = g_strdup (old_values[old_selected]);

  /* Index 0 is "Keep"; its value is filled in below. */
  g_strv_builder_add (builder, "keep");
  for (guint i = 0; flash_candidates[which][i] != NULL; i++)
    {
      const char *candidate = flash_candidates[which][i];
      const char *args[N_FLASH_SETTINGS] = { "keep", "keep", "keep" };
      g_autoptr(GBytes) patched = NULL;
      g_autofree char *label = NULL;

      args[which] = candidate;
      patched = glint_image_patch_header (bootloader, chip, args[FLASH_MODE], args[FLASH_FREQ],
                                          args[FLASH_SIZE], NULL);
      if (patched == NULL)
        continue;

      /* What the build asked for, or else what the header says now. */
      if (g_strcmp0 (from_plan, candidate) == 0 ||
          (keep == NULL && flash_setting_bits (patched, which) == current))
        keep = candidate;

      label = flash_value_label (which, candidate);
      gtk_string_list_append (labels, label);
      g_strv_builder_add (builder, candidate);
    }
  values = g_strv_builder_end (builder);

  g_free (self->keep_flash[which]);
  self->keep_flash[which] = g_strdup (keep);

  if (keep != NULL)
    {
      g_autofree char *value_label = flash_value_label (which, keep);

      /* Translators: leave the setting as the firmware has it, like "Keep (DIO)" */
      keep_label = g_strdup_printf (_("Keep (%s)"), value_label);
    }
  else
    keep_label = g_strdup (_("Keep"));
  gtk_string_list_splice (labels, 0, 0, (const char * const[]) { keep_label, NULL });

  for (guint i = 1; values[i] != NULL; i++)
    if (g_strcmp0 (values[i], previous) == 0)
      selected = i;

  adw_combo_row_set_model (row, G_LIST_MODEL (labels));
  g_object_set_data_full (G_OBJECT (row), "glint-values", g_steal_pointer (&values),
                          (GDestroyNotify) g_strfreev);
  adw_combo_row_set_selected (row, selected);
}

static void
show_flash_settings (GlintFirmwarePage *self)
{
  const char *chip = NULL;
  int index = find_bootloader (self->plan, &chip);
  const char *from_plan[N_FLASH_SETTINGS] = {
    glint_flash_plan_get_flash_mode (self->plan),
    glint_flash_plan_get_flash_freq (self->plan),
    glint_flash_plan_get_flash_size (self->plan),
  };

  for (guint which = 0; which < N_FLASH_SETTINGS; which++)
    {
      g_clear_pointer (&self->keep_flash[which], g_free);
      gtk_widget_set_visible (GTK_WIDGET (flash_setting_row (self, which)), index >= 0);
      if (index >= 0)
        fill_flash_setting_row (self, which,
                                glint_flash_plan_get_region_data (self->plan, index),
                                chip, from_plan[which]);
    }
}

/**
 * glint_firmware_page_apply_flash_settings:
 *
 * Puts the chosen flash mode, frequency and size into the plan, for the
 * flasher to write into the bootloader's header. "Keep" stands for the
 * values the firmware came with, so that a second flash after a change
 * restores them (the flasher patches the plan's bootloader in place).
 *
 * Returns: %TRUE if the firmware has a bootloader to apply them to
 */
gboolean
glint_firmware_page_apply_flash_settings (GlintFirmwarePage *self)
{
  const char *chosen[N_FLASH_SETTINGS];

  g_return_val_if_fail (GLINT_IS_FIRMWARE_PAGE (self), FALSE);

  if (self->plan == NULL || !gtk_widget_get_visible (GTK_WIDGET (self->flash_mode_row)))
    return FALSE;

  for (guint which = 0; which < N_FLASH_SETTINGS; which++)
    {
      AdwComboRow *row = flash_setting_row (self, which);
      const char * const *values = g_object_get_data (G_OBJECT (row), "glint-values");
      guint selected = adw_combo_row_get_selected (row);

      if (values != NULL && selected > 0 && selected < g_strv_length ((GStrv) values))
        chosen[which] = values[selected];
      else
        chosen[which] = self->keep_flash[which] != NULL ? self->keep_flash[which] : "keep";
    }

  glint_flash_plan_set_flash_settings (self->plan, chosen[FLASH_MODE], chosen[FLASH_FREQ],
                                       chosen[FLASH_SIZE]);
  return TRUE;
}

static void
show_plan (GlintFirmwarePage *self)
{
  const char * const *warnings = glint_flash_plan_get_warnings (self->plan);
  guint n_regions = glint_flash_plan_get_n_regions (self->plan);
  g_autofree char *file = strip_offset (self->firmware_path);
  g_autofree char *basename = glint_firmware_page_get_name (self);
  gboolean guessed = g_object_get_data (G_OBJECT (self->plan), "glint-guessed-offset") != NULL;
  /* (a backup goes back where it came from) */
  gboolean single = is_single_file (self->firmware_path) && n_regions == 1 &&
                    glint_flash_plan_get_backup (self->plan) == NULL;
  g_autofree char *total = g_format_size_full (glint_flash_plan_get_total_bytes (self->plan),
                                               G_FORMAT_SIZE_IEC_UNITS);
  const char *chip_name = glint_flash_plan_get_chip (self->plan);
  const GlintChip *known = chip_name != NULL ? glint_chip_lookup (chip_name) : NULL;
  const char *chip = known != NULL ? known->display_name : chip_name;
  g_autofree char *description = NULL;
  guint n_warnings = 0;

  clear_list (self->regions_list);
  for (guint i = 0; i < n_regions; i++)
    gtk_list_box_append (self->regions_list, region_row_new (self->plan, i, self->board_contents));
  /* (none yet: a manifest's build waits for the board's chip) */
  gtk_widget_set_visible (GTK_WIDGET (self->regions_list), n_regions > 0);

  clear_list (self->warnings_list);
  if (guessed)
    {
      gtk_list_box_append (self->warnings_list,
                           warning_row_new (_("This file is no firmware Glint knows; as you "
                                              "confirmed, it is written as raw data at 0x10000, "
                                              "where apps usually live. Change the offset if it "
                                              "belongs elsewhere.")));
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
  show_flash_settings (self);

  if (glint_flash_plan_get_backup (self->plan) != NULL)
    {
      const GlintBackupName *backup = glint_flash_plan_get_backup (self->plan);
      g_autofree char *mac = backup->has_mac ? glint_backup_format_mac (backup->mac)
                                             : g_strdup (_("unknown"));

      /* Translators: "Backup of the ESP32 with MAC 24:a1:…, saved 2026-12-06 15:05:01: 64 KiB at 0x10000" */
      description = g_strdup_printf (_("Backup of the %s with MAC %s, saved %s: %s at 0x%x"),
                                     chip != NULL ? chip : backup->chip, mac, backup->date,
                                     total, backup->offset);
    }
  else if (glint_flash_plan_get_build_chips (self->plan) != NULL)
    {
      g_auto(GStrv) builds = g_strsplit (glint_flash_plan_get_build_chips (self->plan), ", ", -1);
      guint n_builds = g_strv_length (builds);

      if (n_builds <= 3)
        /* Translators: "builds for ESP32, ESP32-S3: …" (a manifest) */
        description = g_strdup_printf (_("Builds for %s: the board's chip chooses one"),
                                       glint_flash_plan_get_build_chips (self->plan));
      else
        description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                    "A build for %u chip: the board's chip "
                                                    "chooses one",
                                                    "Builds for %u chips: the board's chip "
                                                    "chooses one", n_builds),
                                       n_builds);
    }
  else if (chip != NULL)
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
  /* "Blink" from a manifest: say which file it came from too; for a web
   * installer, which server. */
  {
    g_autoptr(GUri) uri = glint_web_is_url (file) ? g_uri_parse (file, G_URI_FLAGS_NONE, NULL)
                                                  : NULL;
    g_autofree char *file_name = uri != NULL && g_uri_get_host (uri) != NULL ?
                                 g_strdup (g_uri_get_host (uri)) : g_path_get_basename (file);

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
show_error (GlintFirmwarePage *self,
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
  char **args = task_data;   /* { path, chip or "", chip revision, raw allowed } */
  GError *error = NULL;
  const char *chip = *args[1] != '\0' ? args[1] : NULL;
  gboolean allow_raw = g_str_equal (args[3], "1");
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new_for_path (args[0], chip, &error);

  /* Raw data without an offset, confirmed: it starts at the app offset,
   * and people can move it. */
  if (plan == NULL && g_error_matches (error, GLINT_ERROR, GLINT_ERROR_UNKNOWN_CONTENT) &&
      allow_raw && is_single_file (args[0]) && strrchr (args[0], '@') == NULL)
    {
      g_autofree char *guess = g_strdup_printf ("%s@0x%x", args[0], GLINT_FLASH_PLAN_APP_OFFSET);

      g_clear_error (&error);
      plan = glint_flash_plan_new_for_path (guess, chip, &error);
      if (plan != NULL)
        g_object_set_data (G_OBJECT (plan), "glint-guessed-offset", GINT_TO_POINTER (TRUE));
    }

  if (plan != NULL && (g_str_has_suffix (args[0], ".json") || g_str_has_suffix (args[0], ".JSON")))
    g_object_set_data_full (G_OBJECT (plan), "glint-name", read_manifest_name (args[0]), g_free);

  /* Validation reads the files and finds what to warn about; with the
   * board's revision known, an image for another one is refused here
   * already (the flash job checks again). */
  if (plan != NULL)
    {
      glint_flash_plan_set_chip_revision (plan, (int) g_ascii_strtoll (args[2], NULL, 10));
      glint_flash_plan_set_allow_raw (plan, allow_raw);
    }
  if (plan == NULL || !glint_flash_plan_validate (plan, chip, 0, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&plan), g_object_unref);
}

static void
on_raw_response_cb (AdwMessageDialog  *dialog,
                    const char        *response,
                    GlintFirmwarePage *self)
{
  if (g_str_equal (response, "raw") && self->firmware_path != NULL)
    {
      g_autofree char *path = g_strdup (self->firmware_path);
      g_autofree char *chip = g_strdup (self->chip);

      g_free (self->raw_file);
      self->raw_file = strip_offset (path);
      glint_firmware_page_load (self, path, chip);
    }
}

static void
on_raw_dialog_destroy_cb (GlintFirmwarePage *self)
{
  self->raw_dialog = NULL;
}

/* Data Glint does not know is written only when people say so. */
static void
ask_raw (GlintFirmwarePage *self,
         const GError      *error)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *at = strrchr (self->firmware_path, '@');
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (self->raw_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->raw_dialog));

  if (at != NULL && !g_file_test (self->firmware_path, G_FILE_TEST_EXISTS))
    body = g_strdup_printf (_("%s\n\nWrite it to the flash at %s exactly as it is? "
                              "A board does not start from data that is not firmware."),
                            error->message, at + 1);
  else
    body = g_strdup_printf (_("%s\n\nWrite it to the flash as it is, at 0x10000 (you can "
                              "change the offset)? A board does not start from data that is "
                              "not firmware."), error->message);

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Write Unknown Data?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "raw", _("_Write as Raw Data"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "raw",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_raw_response_cb), self, 0);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (on_raw_dialog_destroy_cb), self,
                           G_CONNECT_SWAPPED);
  self->raw_dialog = ADW_MESSAGE_DIALOG (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

/**
 * glint_firmware_page_get_raw_dialog:
 * @self: a #GlintFirmwarePage
 *
 * Returns: (transfer none) (nullable): the open question whether to write
 *   a file Glint does not know as raw data
 */
AdwMessageDialog *
glint_firmware_page_get_raw_dialog (GlintFirmwarePage *self)
{
  g_return_val_if_fail (GLINT_IS_FIRMWARE_PAGE (self), NULL);

  return self->raw_dialog;
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GlintFirmwarePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlashPlan) plan = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->load_cancellable);

  if (plan == NULL)
    {
      if (self->fetch != NULL && glint_web_is_url (self->firmware_path))
        glint_web_fetch_rewrite_error (self->fetch, error);
      show_error (self, error);
      if (g_error_matches (error, GLINT_ERROR, GLINT_ERROR_UNKNOWN_CONTENT) &&
          is_single_file (self->firmware_path))
        ask_raw (self, error);
    }
  else
    {
      g_set_object (&self->plan, plan);
      show_plan (self);
    }

  update_state (self);
}

/* Reads the plan off the main loop: a build folder can mean megabytes.
 * @args: { path, chip or "", chip revision, raw allowed } */
static void
start_load (GlintFirmwarePage  *self,
            char              **args)
{
  g_autoptr(GTask) task = NULL;

  task = g_task_new (NULL, self->load_cancellable, load_cb, g_object_ref (self));
  g_task_set_source_tag (task, start_load);
  g_task_set_name (task, "glint-load-firmware");
  g_task_set_task_data (task, args, (GDestroyNotify) g_strfreev);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, load_thread);
}

static void
on_question_dialog_destroy_cb (GlintFirmwarePage *self)
{
  self->question_dialog = NULL;
}

static AdwMessageDialog *
question_new (GlintFirmwarePage *self,
              const char        *heading,
              const char        *body)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  if (self->question_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->question_dialog));
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   heading, body);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (on_question_dialog_destroy_cb), self,
                           G_CONNECT_SWAPPED);
  self->question_dialog = ADW_MESSAGE_DIALOG (dialog);
  return self->question_dialog;
}

static void
on_http_response_cb (AdwMessageDialog  *dialog,
                     const char        *response,
                     GlintFirmwarePage *self)
{
  g_autofree char *url = g_strdup (self->firmware_path);

  if (!g_str_equal (response, "download") || url == NULL)
    return;
  g_free (self->http_allowed);
  self->http_allowed = g_strdup (url);
  /* through the window, which knows the board's chip */
  gtk_widget_activate_action (GTK_WIDGET (self), "win.load-firmware", "s", url);
}

/* Plain http: only when people say so. */
static void
ask_http (GlintFirmwarePage *self,
          const GError      *error)
{
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  body = g_strdup_printf (_("%s.\n\nThe link is not encrypted, so the firmware cannot be "
                            "checked on its way. Download it only from a network and a "
                            "place you trust."), error->message);
  dialog = question_new (self, _("Download Over Plain HTTP?"), body);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "download", _("_Download Anyway"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "download", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_http_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_erase_response_cb (AdwMessageDialog  *dialog,
                      const char        *response,
                      GlintFirmwarePage *self)
{
  gtk_switch_set_active (self->erase_all_switch, g_str_equal (response, "erase"));
}

/* new_install_prompt_erase: ask, with erasing as the default, as the
 * installer wants; once per URL. */
static void
ask_erase (GlintFirmwarePage *self)
{
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  g_free (self->erase_asked);
  self->erase_asked = g_strdup (self->firmware_path);
  body = g_strdup_printf (_("The installer of %s suggests erasing the whole flash before a new "
                            "install. That also clears saved settings and Wi-Fi credentials; "
                            "keep them when you are updating the same firmware."),
                          self->web_title);
  dialog = question_new (self, _("Erase the Whole Flash First?"), body);
  adw_message_dialog_add_responses (dialog,
                                    "keep", _("_Keep Data"),
                                    "erase", _("_Erase First"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "erase", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "erase");
  adw_message_dialog_set_close_response (dialog, "keep");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_erase_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/**
 * glint_firmware_page_get_question_dialog:
 * @self: a #GlintFirmwarePage
 *
 * Returns: (transfer none) (nullable): the open question about a manifest
 *   URL: whether to download over plain http, or to erase first
 */
AdwMessageDialog *
glint_firmware_page_get_question_dialog (GlintFirmwarePage *self)
{
  g_return_val_if_fail (GLINT_IS_FIRMWARE_PAGE (self), NULL);

  return self->question_dialog;
}

static void
on_fetch_progress_cb (GlintFirmwarePage *self)
{
  const char *text;

  if (self->fetch == NULL)
    return;
  text = glint_web_fetch_get_status_text (self->fetch);
  gtk_progress_bar_set_fraction (self->loading_progress,
                                 glint_web_fetch_get_progress (self->fetch));
  if (text != NULL)
    gtk_label_set_text (self->loading_label, text);
}

static void
download_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GlintFirmwarePage) self = user_data;
  GlintWebFetch *fetch = GLINT_WEB_FETCH (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *manifest = glint_web_fetch_run_finish (fetch, result, &error);
  char **args;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || fetch != self->fetch)
    return;

  if (manifest == NULL)
    {
      g_clear_object (&self->load_cancellable);
      show_error (self, error);
      if (g_error_matches (error, GLINT_ERROR, GLINT_ERROR_INSECURE_DOWNLOAD))
        ask_http (self, error);
      update_state (self);
      return;
    }

  /* The manifest alone, for a board whose chip is not known yet: with
   * builds for several chips, the window finds out which (it detects the
   * board) and only that build is downloaded, as ESP Web Tools does. */
  if (self->fetching_manifest)
    {
      const char * const *families = glint_web_fetch_get_chip_families (fetch);

      self->fetching_manifest = FALSE;
      if (families != NULL && g_strv_length ((char **) families) > 1)
        {
          self->waiting_for_chip = TRUE;
          gtk_label_set_text (self->loading_label,
                              _("Detecting the board, to download the build for its chip…"));
          g_signal_emit (self, signals[SIGNAL_CHIP_NEEDED], 0);
          return;
        }
      glint_web_fetch_run_async (fetch, self->load_cancellable, download_cb,
                                 g_object_ref (self));
      return;
    }

  g_free (self->web_title);
  if (glint_web_fetch_get_name (fetch) != NULL && glint_web_fetch_get_version (fetch) != NULL)
    /* Translators: a web installer's name and version, "WLED 0.14.0" */
    self->web_title = g_strdup_printf (_("%s %s"), glint_web_fetch_get_name (fetch),
                                       glint_web_fetch_get_version (fetch));
  else if (glint_web_fetch_get_name (fetch) != NULL)
    self->web_title = g_strdup (glint_web_fetch_get_name (fetch));
  else
    self->web_title = NULL;

  self->improv_wait = glint_web_fetch_get_improv_wait_time (fetch);

  if (glint_web_fetch_get_prompt_erase (fetch) &&
      g_strcmp0 (self->erase_asked, self->firmware_path) != 0)
    ask_erase (self);

  args = g_new0 (char *, 5);
  args[0] = g_steal_pointer (&manifest);
  args[1] = g_strdup (self->chip != NULL ? self->chip : "");
  args[2] = g_strdup_printf ("%d", self->chip != NULL ? self->chip_revision : -1);
  args[3] = g_strdup ("0");
  start_load (self, args);
}

static void
start_download (GlintFirmwarePage *self,
                const char        *url,
                const char        *chip)
{
  if (self->fetch != NULL)
    g_signal_handlers_disconnect_by_data (self->fetch, self);
  g_clear_object (&self->fetch);
  g_clear_pointer (&self->web_title, g_free);

  self->fetch = glint_web_fetch_new (url);
  glint_web_fetch_set_allow_http (self->fetch, g_strcmp0 (self->http_allowed, url) == 0);
  if (chip != NULL)
    glint_web_fetch_set_chip_family (self->fetch, chip);
  self->fetching_manifest = chip == NULL;
  self->waiting_for_chip = FALSE;
  glint_web_fetch_set_manifest_only (self->fetch, self->fetching_manifest);
  if (self->tls_database != NULL)
    glint_web_fetch_set_tls_database (self->fetch, self->tls_database);
  g_signal_connect_object (self->fetch, "notify::progress",
                           G_CALLBACK (on_fetch_progress_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->fetch, "notify::status-text",
                           G_CALLBACK (on_fetch_progress_cb), self, G_CONNECT_SWAPPED);
  gtk_label_set_text (self->loading_label, _("Downloading the installer…"));
  gtk_progress_bar_set_fraction (self->loading_progress, 0.0);
  gtk_widget_set_visible (GTK_WIDGET (self->loading_label), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->loading_progress), TRUE);
  glint_web_fetch_run_async (self->fetch, self->load_cancellable, download_cb,
                             g_object_ref (self));
}

static void
on_url_activate_cb (GlintFirmwarePage *self)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->url_entry))));

  if (url[0] == '\0')
    return;
  if (!glint_web_is_url (url))
    {
      toast (self, _("Paste a link that starts with https://"));
      return;
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "win.load-firmware", "s", url);
}

/**
 * glint_firmware_page_load:
 * @self: a #GlintFirmwarePage
 * @path: a firmware file (optionally FILE@OFFSET), a build folder or a
 *   manifest.json
 * @chip: (nullable): the board's chip, when known, to check the firmware
 *   against
 *
 * Reads the plan off the main loop: a build folder can mean megabytes.
 * The page is applying meanwhile, and complete once there is a plan.
 */
void
glint_firmware_page_load (GlintFirmwarePage *self,
                          const char        *path,
                          const char        *chip)
{
  char **args;

  g_return_if_fail (GLINT_IS_FIRMWARE_PAGE (self));
  g_return_if_fail (path != NULL);

  /* raw data only for the file people confirmed it for */
  {
    g_autofree char *file = strip_offset (path);

    if (g_strcmp0 (file, self->raw_file) != 0)
      g_clear_pointer (&self->raw_file, g_free);
  }

  args = g_new0 (char *, 5);
  args[0] = g_strdup (path);
  args[1] = g_strdup (chip != NULL ? chip : "");
  args[2] = g_strdup_printf ("%d", chip != NULL ? self->chip_revision : -1);
  args[3] = g_strdup (self->raw_file != NULL ? "1" : "0");
  g_free (self->chip);
  self->chip = g_strdup (chip);
  self->improv_wait = -1;

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->plan);

  g_free (self->firmware_path);
  self->firmware_path = g_strdup (path);
  self->load_cancellable = g_cancellable_new ();
  gtk_stack_set_visible_child_name (self->firmware_stack, "loading");
  gtk_widget_set_visible (GTK_WIDGET (self->loading_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->loading_progress), FALSE);
  update_state (self);

  if (glint_web_is_url (path))
    {
      g_strfreev (args);
      start_download (self, path, chip);
      return;
    }
  start_load (self, args);
}

/**
 * glint_firmware_page_continue_download:
 * @self: a #GlintFirmwarePage
 * @chip: (nullable): the board's chip, or %NULL to download every build
 *
 * After #GlintFirmwarePage::chip-needed: downloads the build for @chip
 * and checks the firmware against it. Nothing when the page no longer
 * waits (another firmware was chosen meanwhile).
 */
void
glint_firmware_page_continue_download (GlintFirmwarePage *self,
                                       const char        *chip)
{
  g_return_if_fail (GLINT_IS_FIRMWARE_PAGE (self));

  if (!self->waiting_for_chip || self->fetch == NULL || self->load_cancellable == NULL)
    return;

  self->waiting_for_chip = FALSE;
  g_free (self->chip);
  self->chip = g_strdup (chip);
  glint_web_fetch_set_chip_family (self->fetch, chip);
  gtk_label_set_text (self->loading_label, _("Downloading the installer…"));
  glint_web_fetch_run_async (self->fetch, self->load_cancellable, download_cb,
                             g_object_ref (self));
}

/**
 * glint_firmware_page_get_waiting_for_chip:
 *
 * Returns: whether a download waits for glint_firmware_page_continue_download()
 */
gboolean
glint_firmware_page_get_waiting_for_chip (GlintFirmwarePage *self)
{
  g_return_val_if_fail (GLINT_IS_FIRMWARE_PAGE (self), FALSE);

  return self->waiting_for_chip;
}

/**
 * glint_firmware_page_get_improv_wait_time:
 * @self: a #GlintFirmwarePage
 *
 * Returns: for firmware from a web installer, its manifest's
 *   "new_install_improv_wait_time" (seconds to wait for Improv Serial
 *   after the flash; 0: do not ask), else -1
 */
int
glint_firmware_page_get_improv_wait_time (GlintFirmwarePage *self)
{
  g_return_val_if_fail (GLINT_IS_FIRMWARE_PAGE (self), -1);

  return self->improv_wait;
}

/**
 * glint_firmware_page_set_tls_database:
 * @self: a #GlintFirmwarePage
 * @database: (nullable): the certificates to trust, or %NULL for the system's
 *
 * For tests: the next downloads trust @database (a server with a
 * certificate made by the test).
 */
void
glint_firmware_page_set_tls_database (GlintFirmwarePage *self,
                                      GTlsDatabase      *database)
{
  g_return_if_fail (GLINT_IS_FIRMWARE_PAGE (self));

  g_set_object (&self->tls_database, database);
}

/**
 * glint_firmware_page_set_chip_revision:
 * @self: a #GlintFirmwarePage
 * @revision: the board's chip revision (major * 100 + minor), -1 if not
 *   known
 *
 * For the next glint_firmware_page_load() with a chip: images whose header
 * asks for another revision are refused.
 */
void
glint_firmware_page_set_chip_revision (GlintFirmwarePage *self,
                                       int                revision)
{
  g_return_if_fail (GLINT_IS_FIRMWARE_PAGE (self));

  self->chip_revision = revision;
}

/**
 * glint_firmware_page_set_board_contents:
 * @self: a #GlintFirmwarePage
 * @contents: (nullable): what Detect found on the board
 *
 * For the next glint_firmware_page_load(): app regions say which app they
 * replace.
 */
void
glint_firmware_page_set_board_contents (GlintFirmwarePage        *self,
                                        const GlintBoardContents *contents)
{
  g_return_if_fail (GLINT_IS_FIRMWARE_PAGE (self));

  g_clear_pointer (&self->board_contents, glint_board_contents_free);
  if (contents != NULL)
    self->board_contents = glint_board_contents_copy (contents);
}

GlintFlashPlan *
glint_firmware_page_get_plan (GlintFirmwarePage *self)
{
  g_return_val_if_fail (GLINT_IS_FIRMWARE_PAGE (self), NULL);

  return self->plan;
}

gboolean
glint_firmware_page_get_verify (GlintFirmwarePage *self)
{
  g_return_val_if_fail (GLINT_IS_FIRMWARE_PAGE (self), TRUE);

  return gtk_switch_get_active (self->verify_switch);
}

gboolean
glint_firmware_page_get_skip_unchanged (GlintFirmwarePage *self)
{
  g_return_val_if_fail (GLINT_IS_FIRMWARE_PAGE (self), TRUE);

  return gtk_switch_get_active (self->skip_switch);
}

gboolean
glint_firmware_page_get_backup (GlintFirmwarePage *self)
{
  g_return_val_if_fail (GLINT_IS_FIRMWARE_PAGE (self), FALSE);

  return gtk_switch_get_active (self->backup_switch);
}

gboolean
glint_firmware_page_get_erase_all (GlintFirmwarePage *self)
{
  g_return_val_if_fail (GLINT_IS_FIRMWARE_PAGE (self), FALSE);

  return gtk_switch_get_active (self->erase_all_switch);
}

gboolean
glint_firmware_page_get_reboot (GlintFirmwarePage *self)
{
  g_return_val_if_fail (GLINT_IS_FIRMWARE_PAGE (self), TRUE);

  return gtk_switch_get_active (self->reboot_switch);
}

gboolean
glint_firmware_page_get_auto_reset (GlintFirmwarePage *self)
{
  g_return_val_if_fail (GLINT_IS_FIRMWARE_PAGE (self), TRUE);

  return gtk_switch_get_active (self->auto_reset_switch);
}

gboolean
glint_firmware_page_get_use_stub (GlintFirmwarePage *self)
{
  g_return_val_if_fail (GLINT_IS_FIRMWARE_PAGE (self), TRUE);

  return gtk_switch_get_active (self->stub_switch);
}

static void
glint_firmware_page_dispose (GObject *object)
{
  GlintFirmwarePage *self = GLINT_FIRMWARE_PAGE (object);

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->plan);
  g_clear_object (&self->settings);
  if (self->raw_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->raw_dialog));
  if (self->question_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->question_dialog));
  g_clear_object (&self->fetch);
  /* Let AdwBin drop its child first: the template owns it until then. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), GLINT_TYPE_FIRMWARE_PAGE);

  G_OBJECT_CLASS (glint_firmware_page_parent_class)->dispose (object);
}

static void
glint_firmware_page_finalize (GObject *object)
{
  GlintFirmwarePage *self = GLINT_FIRMWARE_PAGE (object);

  g_free (self->firmware_path);
  g_free (self->raw_file);
  g_free (self->chip);
  g_free (self->web_title);
  g_free (self->http_allowed);
  g_clear_object (&self->tls_database);
  g_free (self->erase_asked);
  glint_board_contents_free (self->board_contents);
  for (guint i = 0; i < G_N_ELEMENTS (self->keep_flash); i++)
    g_free (self->keep_flash[i]);

  G_OBJECT_CLASS (glint_firmware_page_parent_class)->finalize (object);
}

static void
glint_firmware_page_class_init (GlintFirmwarePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = glint_firmware_page_dispose;
  object_class->finalize = glint_firmware_page_finalize;

  /**
   * GlintFirmwarePage::chip-needed:
   *
   * A web installer has builds for several chips and the board's is not
   * known: the window learns it and calls
   * glint_firmware_page_continue_download().
   */
  signals[SIGNAL_CHIP_NEEDED] =
    g_signal_new ("chip-needed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/glintapp/Glint/glint-firmware-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, auto_reset_switch);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, backup_switch);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, baud_row);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, erase_all_switch);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, firmware_error_page);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, firmware_group);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, firmware_stack);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, choose_button);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, sample_button);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, flash_freq_row);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, flash_mode_row);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, flash_size_row);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, loading_label);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, loading_progress);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, offset_group);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, offset_row);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, reboot_switch);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, regions_list);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, skip_switch);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, stub_switch);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, url_entry);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, verify_switch);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, warnings_group);
  gtk_widget_class_bind_template_child (widget_class, GlintFirmwarePage, warnings_list);
  gtk_widget_class_bind_template_callback (widget_class, on_offset_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_offset_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_url_activate_cb);
}

static void
glint_firmware_page_init (GlintFirmwarePage *self)
{
  guint baud;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->chip_revision = -1;
  self->improv_wait = -1;
  self->settings = g_settings_new (GLINT_SETTINGS_SCHEMA);
  baud = g_settings_get_uint (self->settings, "baud");

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
  g_settings_bind (self->settings, "skip-unchanged", self->skip_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "backup", self->backup_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  /* Erasing everything is a one-off: never remembered. */
}

/**
 * glint_firmware_page_set_has_board:
 * @self: a #GlintFirmwarePage
 * @has_board: whether a board to flash to is chosen
 *
 * Firmware opened from the file manager comes before the board: the page
 * is complete only with both.
 */
void
glint_firmware_page_set_has_board (GlintFirmwarePage *self,
                                   gboolean           has_board)
{
  g_return_if_fail (GLINT_IS_FIRMWARE_PAGE (self));

  self->has_board = !!has_board;
  update_state (self);
}

/**
 * glint_firmware_page_set_offer_sample:
 * @self: a #GlintFirmwarePage
 * @offer: whether the board is the Demo board and the sample firmware is
 *   installed
 *
 * With the Demo board chosen, the page offers its sample firmware first
 * (the action `win.load-sample`): a first run then ends on a board that
 * starts an app.
 */
void
glint_firmware_page_set_offer_sample (GlintFirmwarePage *self,
                                      gboolean           offer)
{
  g_return_if_fail (GLINT_IS_FIRMWARE_PAGE (self));

  gtk_widget_set_visible (GTK_WIDGET (self->sample_button), offer);
  /* one suggested action at a time */
  if (offer)
    gtk_widget_remove_css_class (GTK_WIDGET (self->choose_button), "suggested-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->choose_button), "suggested-action");
}
