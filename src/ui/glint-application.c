/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "glint-application.h"
#include "glint-window.h"

struct _GlintApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (GlintApplication, glint_application, ADW_TYPE_APPLICATION)

static GlintWindow *
get_window (GlintApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (glint_window_new (GTK_APPLICATION (self)));

  return GLINT_WINDOW (window);
}

static void
glint_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (get_window (GLINT_APPLICATION (app))));
}

/* "Open With Glint" and `glint FILE`: straight to the Firmware page. */
static void
glint_application_open (GApplication  *app,
                        GFile        **files,
                        int            n_files,
                        const char    *hint)
{
  GlintWindow *window = get_window (GLINT_APPLICATION (app));

  if (n_files > 0)
    glint_window_open_firmware (window, files[0]);
  gtk_window_present (GTK_WINDOW (window));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkApplication *app = user_data;
  GList *windows = gtk_application_get_windows (app);

  /* Closing asks first while a board is being flashed. */
  if (windows != NULL)
    gtk_window_close (windows->data);
  else
    g_application_quit (G_APPLICATION (app));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkApplication *app = user_data;
  const char *developers[] = { "The Glint developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", _("Glint"),
                         /* in the gresource, so also for .Devel and uninstalled */
                         "application-icon", "io.github.glintapp.Glint",
                         "version", PACKAGE_VERSION,
                         "developer-name", _("The Glint developers"),
                         "developers", developers,
                         "website", PACKAGE_WEBSITE,
                         "issue-url", PACKAGE_WEBSITE "/issues",
                         "comments", _("Flash firmware to ESP32 and ESP8266 boards"),
                         "copyright", "© 2026 The Glint developers",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action, NULL, NULL, NULL },
  { "about", about_action, NULL, NULL, NULL },
};

/* Shortcuts, as the Keyboard Shortcuts window (gtk/help-overlay.ui)
 * lists them. Enter and Escape are the window's own. */
static const struct {
  const char *action;
  const char *accels[3];
} accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "window.close", { "<Control>w", NULL } },
  { "win.show-help-overlay", { "F1", "<Control>question", NULL } },
  { "win.next", { "<Alt>Right", NULL } },
  { "win.back", { "<Alt>Left", NULL } },
  { "win.open", { "<Control>o", NULL } },
  { "win.open-link", { "<Control>l", NULL } },
  { "win.detect", { "<Control>d", NULL } },
  { "win.copy-log", { "<Control><Shift>c", NULL } },
  { "win.flash-several", { "<Control>m", NULL } },
};

static void
glint_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (glint_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action,
                                           accels[i].accels);
}

static void
glint_application_class_init (GlintApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = glint_application_activate;
  app_class->open = glint_application_open;
  app_class->startup = glint_application_startup;
}

static void
glint_application_init (GlintApplication *self)
{
  g_application_set_option_context_parameter_string (G_APPLICATION (self),
                                                     _("[FIRMWARE]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Flash firmware to ESP32 and ESP8266 boards. "
                                              "FIRMWARE is a .bin file, an ESP-IDF build "
                                              "folder or a manifest.json."));
}

/**
 * glint_application_new:
 *
 * Returns: (transfer full): the application, single instance per session
 */
GlintApplication *
glint_application_new (void)
{
  return g_object_new (GLINT_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       /* the same resources for the .Devel flavour */
                       "resource-base-path", "/io/github/glintapp/Glint",
                       NULL);
}
