/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

/* posix_openpt() and friends */
#define _GNU_SOURCE

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include <gdk/x11/gdkx.h>
#include <libsoup/soup.h>

#include "glint-application.h"
#include "glint-batch-window.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-formats.h"
#include "glint-image.h"
#include "glint-test-elf.h"
#include "glint-test-formats.h"
#include "glint-test-image.h"
#include "glint-test-utils.h"
#include "glint-test-window.h"
#include "glint-window-private.h"

/* The wizard, driven through the same actions its buttons and rows
 * trigger, against the in-process simulated board. Runs under Xvfb with
 * its own session bus (tests/meson.build). */

#define APP_OFFSET 0x10000
#define APP_SIZE   (64 * 1024)

typedef struct
{
  GlintWindow *window;
  char        *dir;
  char        *manifest;
  GBytes      *app;

  /* the main loop's worst stall, sampled by a 1 ms timer */
  guint        stall_id;
  gint64       last_tick_us;
  gint64       worst_stall_us;
  const char  *worst_stall_stage;
  gint64       layout_started_us;
  gint64       layout_started_cpu_us;
  gint64       worst_frame_us;
  gint64       worst_frame_cpu_us;
  const char  *worst_frame_page;
  gboolean     worst_frame_in_transition;

  char        *ports_dir;   /* GLINT_PORTS_DIR, for the hotplug test */
  GtkApplication *application;   /* with WITH_APP: its accelerators apply */
} Fixture;

/* Test data for a window inside the application (accelerators, the
 * Keyboard Shortcuts window). */
#define WITH_APP GINT_TO_POINTER (1)

/* The reset helper's debug trace (which lines, how long held), caught
 * between reset_trace_start() and reset_trace_stop(). */
static GString   *reset_trace;
static GLogFunc   previous_log_handler;
static gpointer   previous_log_data;

static void
reset_trace_handler (const char     *domain,
                     GLogLevelFlags  level,
                     const char     *message,
                     gpointer        user_data)
{
  if (reset_trace != NULL && g_str_has_prefix (message, "reset "))
    g_string_append_printf (reset_trace, "%s\n", message);
  previous_log_handler (domain, level, message, previous_log_data);
}

static void
reset_trace_start (void)
{
  reset_trace = g_string_new (NULL);
  previous_log_handler = g_log_set_default_handler (reset_trace_handler, NULL);
  previous_log_data = NULL;
}

static char *
reset_trace_stop (void)
{
  g_log_set_default_handler (previous_log_handler, previous_log_data);
  return g_string_free (g_steal_pointer (&reset_trace), FALSE);
}

static void
write_file (const char *path,
            const void *data,
            gsize       len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new (GLINT_SETTINGS_SCHEMA);
  g_autofree char *app_path = NULL;
  g_autoptr(GBytes) image = NULL;
  TestImageSpec spec = { .chip_id = 0, .hash = TRUE, .app_desc = TRUE,
                         .seg_len = 2048, .total_len = APP_SIZE };
  const char *manifest =
    "{\"name\": \"Blink\", \"builds\": [{\"chipFamily\": \"ESP32\", "
    "\"parts\": [{\"path\": \"blink.bin\", \"offset\": 65536}]}]}";

  /* Every case starts like a first run. */
  g_settings_reset (settings, "last-address");
  g_settings_reset (settings, "baud");
  g_settings_reset (settings, "verify");
  g_settings_reset (settings, "reboot");
  g_settings_reset (settings, "auto-reset");
  g_settings_reset (settings, "use-stub");

  f->dir = g_dir_make_tmp ("glint-window-XXXXXX", &error);
  g_assert_no_error (error);
  image = test_image_build (&spec);
  g_assert_cmpuint (g_bytes_get_size (image), ==, APP_SIZE);

  /* Noise after the image, so that compression cannot make the transfer
   * trivial: the demo flash takes its real wire time. */
  {
    gsize len;
    guint8 *bytes = g_bytes_unref_to_data (g_steal_pointer (&image), &len);
    GRand *rand = g_rand_new_with_seed (4);

    for (gsize i = 8 * 1024; i < len; i++)
      bytes[i] = g_rand_int (rand) & 0xFF;
    g_rand_free (rand);
    f->app = g_bytes_new_take (bytes, len);
  }
  app_path = g_build_filename (f->dir, "blink.bin", NULL);
  write_file (app_path, g_bytes_get_data (f->app, NULL), g_bytes_get_size (f->app));
  f->manifest = g_build_filename (f->dir, "manifest.json", NULL);
  write_file (f->manifest, manifest, strlen (manifest));

  if (data == WITH_APP)
    {
      f->application = GTK_APPLICATION (glint_application_new ());
      static guint n_apps = 0;
      g_autofree char *id = g_strdup_printf ("%s.Test%u", APP_ID, ++n_apps);

      /* Not the one instance per session: a test must not meet another,
       * nor the object path of the test before. */
      g_application_set_application_id (G_APPLICATION (f->application), id);
      g_application_set_flags (G_APPLICATION (f->application),
                               G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
      g_application_register (G_APPLICATION (f->application), NULL, &error);
      g_assert_no_error (error);
    }

  f->window = g_object_ref_sink (glint_window_new (f->application));
  /* whether the board will start the firmware: test-window-contents */
  f->window->no_boot_check = TRUE;
  /* The first frames realize the renderer; that is startup, not a stall. */
  glint_test_window_show (GTK_WINDOW (f->window));
  glint_test_spin (300);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *app_path = g_build_filename (f->dir, "blink.bin", NULL);

  g_clear_handle_id (&f->stall_id, g_source_remove);

  /* Pending callbacks (port listing, the flasher) drop their refs. */
  glint_test_window_destroy (&f->window);
  g_clear_object (&f->application);

  g_unlink (app_path);
  {
    g_autofree char *manifest = g_build_filename (f->dir, "manifest.json", NULL);

    g_unlink (manifest);
  }
  g_rmdir (f->dir);
  g_free (f->manifest);
  g_free (f->dir);
  g_bytes_unref (f->app);
}

static const char *
page (Fixture *f)
{
  return _glint_window_get_page (f->window);
}

static GtkWidget *
child (Fixture    *f,
       const char *name)
{
  return glint_test_window_child (f->window, name);
}

static gboolean
next_enabled (Fixture *f)
{
  return gtk_widget_get_sensitive (_glint_window_get_next_button (f->window));
}

static void
activate (Fixture    *f,
          const char *action,
          const char *param)
{
  glint_test_window_activate (GTK_WIDGET (f->window), action, param);
}

/* Iterates until the wizard shows @name, or fails after @timeout_s. */
static void
wait_for_page (Fixture    *f,
               const char *name,
               guint       timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;

  while (g_strcmp0 (page (f), name) != 0)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("waited %u s for the “%s” page; still on “%s” (%s)", timeout_s, name, page (f),
                 f->window->log->len > 0 ? f->window->log->str : "no log");
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
wait_for_next (Fixture *f)
{
  glint_test_window_wait (f->window, (GlintTestCondition) (void (*) (void)) next_enabled, f, 10,
                          "Next to become sensitive");
}

static gboolean
stall_tick_cb (gpointer user_data)
{
  Fixture *f = user_data;
  gint64 now = g_get_monotonic_time ();

  if (f->last_tick_us != 0 && now - f->last_tick_us > f->worst_stall_us)
    {
      GlintFlasher *flasher = _glint_window_get_flasher (f->window);

      f->worst_stall_us = now - f->last_tick_us;
      f->worst_stall_stage = flasher != NULL ?
        glint_flasher_state_to_string (glint_flasher_get_state (flasher)) : "none";
    }
  f->last_tick_us = now;

  return G_SOURCE_CONTINUE;
}

static void
on_before_layout_cb (GdkFrameClock *clock,
                     Fixture       *f)
{
  f->layout_started_us = g_get_monotonic_time ();
  f->layout_started_cpu_us = glint_test_thread_cpu_us ();
}

static void
on_after_paint_cb (GdkFrameClock *clock,
                   Fixture       *f)
{
  if (f->layout_started_us != 0)
    {
      gint64 cpu = glint_test_thread_cpu_us () - f->layout_started_cpu_us;

      f->worst_frame_us = MAX (f->worst_frame_us, g_get_monotonic_time () - f->layout_started_us);
      /* The main thread's own work, without the time other processes had
       * the CPU: what this code can change. */
      if (cpu > f->worst_frame_cpu_us)
        {
          f->worst_frame_cpu_us = cpu;
          f->worst_frame_page = page (f);
          f->worst_frame_in_transition =
            gtk_stack_get_transition_running (GTK_STACK (child (f, "stack")));
        }
    }
  f->layout_started_us = 0;
}

static void
start_stall_meter (Fixture *f)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (f->window));

  g_signal_connect (clock, "layout", G_CALLBACK (on_before_layout_cb), f);
  g_signal_connect_after (clock, "after-paint", G_CALLBACK (on_after_paint_cb), f);
  f->worst_frame_us = 0;
  f->worst_frame_cpu_us = 0;
  f->last_tick_us = 0;
  f->worst_stall_us = 0;
  f->stall_id = g_timeout_add (1, stall_tick_cb, f);
}

/* Board → Firmware → Flash, the way a user clicks through. */
static void
click_through (Fixture    *f,
               const char *board)
{
  g_assert_cmpstr (page (f), ==, "board");
  g_assert_false (next_enabled (f));

  activate (f, "win.select-board", board);
  g_assert_true (next_enabled (f));
  activate (f, "win.next", NULL);
  g_assert_cmpstr (page (f), ==, "firmware");
  g_assert_false (next_enabled (f));

  activate (f, "win.load-firmware", f->manifest);
  wait_for_next (f);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "firmware_stack"))),
                   ==, "plan");
  g_assert_nonnull (gtk_widget_get_first_child (child (f, "regions_list")));
  if (g_str_has_suffix (f->manifest, "manifest.json"))
    g_assert_cmpstr (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (child (f, "firmware_group"))),
                     ==, "Blink");
}

static void
test_demo_flash (Fixture       *f,
                 gconstpointer  data)
{
  GlintFlasher *flasher;
  GlintSim *sim;
  const guint8 *flash;
  gsize flash_size = 0;
  const char *description;

  click_through (f, GLINT_DEMO_ADDRESS);

  start_stall_meter (f);
  activate (f, "win.next", NULL);
  g_assert_cmpstr (page (f), ==, "flash");
  g_assert_false (gtk_widget_get_visible (_glint_window_get_next_button (f->window)));

  flasher = _glint_window_get_flasher (f->window);
  g_assert_nonnull (flasher);
  /* Keep the board's flash for the check below: the window drops the
   * flasher only with the next flash, but be safe. */
  g_object_ref (flasher);

  wait_for_page (f, "done", 90);
  g_clear_handle_id (&f->stall_id, g_source_remove);
  g_test_message ("worst main-loop stall during the Demo board flash: %.1f ms (after %s)",
                  f->worst_stall_us / 1000.0, f->worst_stall_stage);
  g_test_message ("longest frame (layout to paint) meanwhile: %.1f ms",
                  f->worst_frame_us / 1000.0);
  g_test_message ("most CPU time in one frame: %.1f ms (on “%s”%s)",
                  f->worst_frame_cpu_us / 1000.0, f->worst_frame_page,
                  f->worst_frame_in_transition ? ", sliding in" : "");
  g_signal_handlers_disconnect_by_data (gtk_widget_get_frame_clock (GTK_WIDGET (f->window)), f);
  g_assert_cmpint (f->worst_stall_us, <, G_USEC_PER_SEC);
  /* The wall-clock stall also counts the time other processes had the
   * CPU; the main thread's own work per frame must stay well under 50 ms. */
  g_assert_cmpint (f->worst_frame_cpu_us, <, 25 * 1000);

  sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (glint_flasher_get_stream (flasher)));
  flash = glint_sim_get_flash (sim, &flash_size);
  g_assert_cmpuint (flash_size, >=, APP_OFFSET + APP_SIZE);
  g_assert_cmpmem (flash + APP_OFFSET, APP_SIZE,
                   g_bytes_get_data (f->app, NULL), g_bytes_get_size (f->app));
  g_object_unref (flasher);

  description = adw_status_page_get_description (ADW_STATUS_PAGE (child (f, "done_status")));
  g_assert_nonnull (strstr (description, "verified"));
  g_assert_nonnull (strstr (description, "ESP32"));
  /* an app alone on a blank board: it does not start, and the page does
   * not say it did */
  g_assert_null (strstr (description, "has restarted with the new firmware"));
  g_assert_nonnull (strstr (description, "only if its flash already holds a bootloader"));

  /* The log has the whole story, including the ROM path without a stub. */
  g_assert_cmpuint (f->window->log->len, >, 0);

  /* The serial monitor listens to the same chip: Reset Board restarts it
   * and its boot log shows (ending in "invalid header": this firmware has
   * no bootloader). */
  activate (f, "win.monitor", NULL);
  g_assert_cmpstr (page (f), ==, "monitor");
  glint_test_spin (200);
  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (child (f, "monitor_view")));
    gint64 deadline;
    g_autofree char *text = NULL;

    activate (f, "win.monitor-clear", NULL);
    reset_trace_start ();
    activate (f, "win.monitor-reset", NULL);
    deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    for (;;)
      {
        GtkTextIter start, end;

        g_free (text);
        gtk_text_buffer_get_bounds (buffer, &start, &end);
        text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
        if (strstr (text, "boot:0x13") != NULL && strstr (text, "reset") != NULL)
          break;
        if (g_get_monotonic_time () > deadline)
          g_error ("no boot log after a reset: “%s”", text);
        g_main_context_iteration (NULL, TRUE);
      }
    /* through the one reset helper, with the flasher's hold time */
    g_free (text);
    text = reset_trace_stop ();
    g_assert_cmpstr (text, ==, "reset hard: DTR 0 RTS 1, 100 ms\nreset hard: RTS 0, 0 ms\n");
  }
  activate (f, "win.escape", NULL);
  g_assert_cmpstr (page (f), ==, "done");
  g_assert_false (glint_monitor_page_is_running (f->window->monitor_page));

  /* Flash another: back to the board, which stays chosen. */
  activate (f, "win.flash-another", NULL);
  g_assert_cmpstr (page (f), ==, "board");
  g_assert_true (next_enabled (f));

  /* The Demo board keeps what was flashed to it, like a real one: the
   * same firmware again writes nothing. */
  activate (f, "win.next", NULL);
  g_assert_cmpstr (page (f), ==, "firmware");
  wait_for_next (f);
  activate (f, "win.next", NULL);
  wait_for_page (f, "done", 90);
  g_assert_cmpuint (glint_flasher_get_bytes_written (_glint_window_get_flasher (f->window)), ==, 0);
  description = adw_status_page_get_description (ADW_STATUS_PAGE (child (f, "done_status")));
  g_assert_nonnull (strstr (description, "already held this firmware"));
}

/* A web installer on a local HTTP server: the files of the fixture, and a
 * manifest that asks whether to erase first. */
static void
web_handler (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer          user_data)
{
  Fixture *f = user_data;
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *file = g_build_filename (f->dir, base, NULL);
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (g_str_equal (base, "manifest.json"))
    {
      contents = g_strdup ("{\"name\": \"Blink\", \"version\": \"2.0\", "
                           "\"new_install_prompt_erase\": true, \"builds\": "
                           "[{\"chipFamily\": \"ESP32\", \"parts\": "
                           "[{\"path\": \"blink.bin\", \"offset\": 65536}]}]}");
      len = strlen (contents);
    }
  else if (!g_str_has_prefix (path, "/web/") ||
           !g_file_get_contents (file, &contents, &len, NULL))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY,
                                    contents, len);
}

/* From a web installer's link (Open Link…, Ctrl+L) to a flashed Demo
 * board: plain http only after the question, the erase question with
 * erasing as the default, the installer's name and version above every
 * page, and the board holding what the server sent. */
static void
test_web_installer (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *url = NULL;
  AdwMessageDialog *dialog;
  AdwWindowTitle *title;
  GlintFlasher *flasher;
  const guint8 *flash;
  gsize flash_size = 0;

  soup_server_add_handler (server, NULL, web_handler, f, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d/web/manifest.json", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  activate (f, "win.select-board", GLINT_DEMO_ADDRESS);
  activate (f, "win.next", NULL);
  g_assert_cmpstr (page (f), ==, "firmware");

  /* a link dropped on the window (text, as browsers give it): the same
   * question; plain text that is no link is not taken */
  {
    GtkWidget *stack = GTK_WIDGET (glint_wizard_get_stack (f->window->wizard));
    g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (stack);
    GtkDropTarget *target = NULL;
    g_auto(GValue) value = G_VALUE_INIT;
    g_autofree char *dragged = g_strdup_printf ("%s\r\n", url);
    gboolean handled = TRUE;

    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

        if (GTK_IS_DROP_TARGET (controller))
          target = GTK_DROP_TARGET (controller);
      }
    g_assert_nonnull (target);
    g_value_init (&value, G_TYPE_STRING);
    g_value_set_string (&value, "just some words");
    g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &handled);
    g_assert_false (handled);
    g_value_set_string (&value, dragged);
    g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &handled);
    g_assert_true (handled);
    while (glint_firmware_page_get_question_dialog (f->window->firmware_page) == NULL)
      g_main_context_iteration (NULL, TRUE);
    dialog = glint_firmware_page_get_question_dialog (f->window->firmware_page);
    g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Download Over Plain HTTP?");
    adw_message_dialog_response (dialog, "cancel");
    gtk_window_destroy (GTK_WINDOW (dialog));
    g_assert_false (next_enabled (f));
  }

  activate (f, "win.open-link", NULL);
  dialog = _glint_window_get_link_dialog (f->window);
  g_assert_nonnull (dialog);
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), url);
  adw_message_dialog_response (dialog, "open");
  glint_test_spin (50);

  /* plain http: asked, and nothing loaded until agreed */
  while (glint_firmware_page_get_question_dialog (f->window->firmware_page) == NULL)
    g_main_context_iteration (NULL, TRUE);
  dialog = glint_firmware_page_get_question_dialog (f->window->firmware_page);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Download Over Plain HTTP?");
  g_assert_false (next_enabled (f));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "firmware_stack"))),
                   ==, "error");
  adw_message_dialog_response (dialog, "download");
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* the installer asks whether to erase: Erase is the default */
  while (glint_firmware_page_get_question_dialog (f->window->firmware_page) == NULL)
    g_main_context_iteration (NULL, TRUE);
  dialog = glint_firmware_page_get_question_dialog (f->window->firmware_page);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Erase the Whole Flash First?");
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "erase");
  adw_message_dialog_response (dialog, "keep");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_false (glint_firmware_page_get_erase_all (f->window->firmware_page));

  wait_for_next (f);
  g_assert_cmpstr (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (child (f, "firmware_group"))),
                   ==, "Blink 2.0");
  g_assert_true (g_str_has_prefix (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (child (f, "firmware_group"))),
                                   "127.0.0.1 · 1 part"));
  title = ADW_WINDOW_TITLE (gtk_widget_get_template_child (GTK_WIDGET (f->window->wizard),
                                                           GLINT_TYPE_WIZARD, "window_title"));
  g_assert_cmpstr (adw_window_title_get_title (title), ==, "Blink 2.0");

  activate (f, "win.next", NULL);
  g_assert_cmpstr (page (f), ==, "flash");
  g_assert_cmpstr (adw_window_title_get_title (title), ==, "Blink 2.0");
  flasher = g_object_ref (_glint_window_get_flasher (f->window));
  wait_for_page (f, "done", 90);
  g_assert_cmpstr (adw_window_title_get_title (title), ==, "Blink 2.0");

  flash = glint_sim_get_flash (glint_sim_stream_get_sim (GLINT_SIM_STREAM (glint_flasher_get_stream (flasher))),
                               &flash_size);
  g_assert_cmpuint (flash_size, >=, APP_OFFSET + APP_SIZE);
  g_assert_cmpmem (flash + APP_OFFSET, APP_SIZE,
                   g_bytes_get_data (f->app, NULL), g_bytes_get_size (f->app));
  g_object_unref (flasher);
  soup_server_disconnect (server);
}

/* A flash with a backup offers to restore it: Restore loads the backup
 * (its name says chip, MAC and offset) as the firmware, and Flash puts
 * the old content back on the board. */
static void
test_backup_restore (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (GLINT_SETTINGS_SCHEMA);
  g_autofree char *backup = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  /* small: without a stub the ROM reads the backup 64 bytes a round trip */
  TestImageSpec spec = { .chip_id = 0, .seg_len = 0x200, .hash = TRUE };
  g_autoptr(GBytes) small = test_image_build (&spec);
  g_autofree char *small_path = g_build_filename (f->dir, "small.bin", NULL);
  GlintBackupName name;
  const char *description;
  const guint8 *flash;
  gsize flash_size = 0;

  write_file (small_path, g_bytes_get_data (small, NULL), g_bytes_get_size (small));
  g_settings_set_boolean (settings, "backup", TRUE);
  activate (f, "win.select-board", GLINT_DEMO_ADDRESS);
  activate (f, "win.next", NULL);
  activate (f, "win.load-firmware", small_path);
  wait_for_next (f);
  activate (f, "win.next", NULL);
  wait_for_page (f, "done", 90);

  g_assert_nonnull (f->window->backup_path);
  backup = g_strdup (f->window->backup_path);
  g_assert_true (glint_backup_name_parse (backup, &name));
  g_assert_cmpstr (name.chip, ==, "esp32");
  g_assert_true (name.has_mac);
  /* an image without an app description is taken for the bootloader */
  g_assert_cmphex (name.offset, ==, 0x1000);
  g_assert_true (gtk_widget_get_visible (child (f, "restore_button")));

  /* Restore: the backup as the firmware, then Flash */
  g_settings_set_boolean (settings, "backup", FALSE);
  activate (f, "win.restore-backup", NULL);
  g_assert_cmpstr (page (f), ==, "firmware");
  wait_for_next (f);
  description = adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (child (f, "firmware_group")));
  g_assert_nonnull (strstr (description, "Backup of the ESP32 with MAC "));
  g_assert_nonnull (strstr (description, "at 0x1000"));
  g_assert_false (gtk_widget_get_visible (child (f, "offset_group")));
  activate (f, "win.next", NULL);
  wait_for_page (f, "done", 90);

  /* the Demo board was blank there before (no bootloader: no image checks
   * stand in the way of putting that back); it is again */
  flasher = g_object_ref (_glint_window_get_flasher (f->window));
  flash = glint_sim_get_flash (glint_sim_stream_get_sim (GLINT_SIM_STREAM (glint_flasher_get_stream (flasher))),
                               &flash_size);
  g_assert_cmpuint (flash_size, >, 0x1000 + g_bytes_get_size (small));
  for (gsize i = 0x1000; i < 0x1000 + g_bytes_get_size (small); i++)
    if (flash[i] != 0xFF)
      g_error ("0x%zx holds 0x%02x after the restore", i, flash[i]);
  g_unlink (backup);
  g_settings_reset (settings, "backup");
}

/* A flash that made a backup and then failed (the flash ignores writes
 * there, so the check after writing fails): the Failed page offers the
 * backup too, and Restore loads it as the firmware for this board. */
/* With Backup on, a small app onto a board whose flash ignores writes at
 * 0x1000 (so the check after writing fails): ends on the Failed page and
 * returns the backup the attempt made. */
static char *
fail_after_backup (Fixture   *f,
                   GSettings *settings)
{
  /* small: without a stub the ROM reads the backup 64 bytes a round trip */
  TestImageSpec spec = { .chip_id = 0, .seg_len = 0x200, .hash = TRUE };
  g_autoptr(GBytes) small = test_image_build (&spec);
  g_autofree char *small_path = g_build_filename (f->dir, "small.bin", NULL);

  write_file (small_path, g_bytes_get_data (small, NULL), g_bytes_get_size (small));
  g_settings_set_boolean (settings, "backup", TRUE);
  activate (f, "win.select-board", "sim://esp32?boot=normal&write-protect=0x1000-0x2000");
  activate (f, "win.next", NULL);
  activate (f, "win.load-firmware", small_path);
  wait_for_next (f);
  activate (f, "win.next", NULL);
  wait_for_page (f, "failed", 90);

  g_assert_nonnull (f->window->backup_path);
  g_assert_true (g_file_test (f->window->backup_path, G_FILE_TEST_IS_REGULAR));
  return g_strdup (f->window->backup_path);
}

static void
test_failed_restore (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (GLINT_SETTINGS_SCHEMA);
  g_autofree char *backup = fail_after_backup (f, settings);
  const char *description;

  g_assert_true (gtk_widget_get_visible (child (f, "failed_restore_button")));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (child (f, "failed_restore_button"))),
                   ==, "win.restore-backup");

  g_settings_set_boolean (settings, "backup", FALSE);
  activate (f, "win.restore-backup", NULL);
  g_assert_cmpstr (page (f), ==, "firmware");
  wait_for_next (f);
  description = adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (child (f, "firmware_group")));
  g_assert_nonnull (strstr (description, "Backup of the ESP32 with MAC "));
  g_assert_nonnull (strstr (description, "at 0x1000"));
  g_unlink (backup);
  g_settings_reset (settings, "backup");
}

/* A retry after a failed flash keeps the first attempt's backup: the flash
 * may be half written by then, and a second backup would copy the damage
 * and take the first one's place on the Failed page. */
static void
test_retry_keeps_backup (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (GLINT_SETTINGS_SCHEMA);
  g_autofree char *first = fail_after_backup (f, settings);

  activate (f, "win.try-again", NULL);
  wait_for_page (f, "failed", 90);
  g_assert_cmpstr (f->window->backup_path, ==, first);
  g_assert_true (gtk_widget_get_visible (child (f, "failed_restore_button")));
  g_assert_nonnull (strstr (f->window->log->str, "keeping the backup of the first attempt"));
  /* and the flasher was not asked to read the flash again */
  g_assert_null (strstr (f->window->log->str, "before writing"));

  g_unlink (first);
  g_settings_reset (settings, "backup");
}

/* Waits for @needle in the serial monitor's text. */
static void
wait_for_monitor_text (Fixture    *f,
                       const char *needle)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (child (f, "monitor_view")));
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  g_autofree char *text = NULL;

  for (;;)
    {
      GtkTextIter start, end;

      g_free (text);
      gtk_text_buffer_get_bounds (buffer, &start, &end);
      text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
      if (strstr (text, needle) != NULL)
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("the monitor never showed “%s”: “%s”", needle, text);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* README's first run: the Demo board, its sample firmware in one click,
 * Flash; the board starts the app (the manifest's build for the Demo
 * board's chip), the Done page says so and the monitor shows the app. */
static void
test_sample_firmware (Fixture       *f,
                      gconstpointer  data)
{
  GtkWidget *sample_button = child (f, "sample_button");
  const char *description;

  /* offered for the Demo board only */
  activate (f, "win.select-board", "rfc2217://127.0.0.1:4000");
  g_assert_false (gtk_widget_get_visible (sample_button));
  activate (f, "win.select-board", GLINT_DEMO_ADDRESS);
  activate (f, "win.next", NULL);
  g_assert_cmpstr (page (f), ==, "firmware");
  g_assert_true (gtk_widget_get_visible (sample_button));
  g_assert_true (gtk_widget_has_css_class (sample_button, "suggested-action"));
  g_assert_false (gtk_widget_has_css_class (child (f, "choose_button"), "suggested-action"));

  activate (f, "win.load-sample", NULL);
  wait_for_next (f);
  g_assert_cmpstr (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (child (f, "firmware_group"))),
                   ==, "Glint demo");
  description = adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (child (f, "firmware_group")));
  g_assert_nonnull (strstr (description, "Builds for 11 chips"));

  activate (f, "win.next", NULL);
  wait_for_page (f, "done", 90);
  description = adw_status_page_get_description (ADW_STATUS_PAGE (child (f, "done_status")));
  g_assert_nonnull (strstr (description, "The board has restarted with the new firmware."));
  g_assert_nonnull (strstr (f->window->log->str, "the manifest's build for ESP32 is flashed"));

  activate (f, "win.monitor", NULL);
  g_assert_cmpstr (page (f), ==, "monitor");
  activate (f, "win.monitor-clear", NULL);
  activate (f, "win.monitor-reset", NULL);
  wait_for_monitor_text (f, "Project name:     glint-demo");
  wait_for_monitor_text (f, "glint-demo: hello from the demo board");
  activate (f, "win.escape", NULL);
}

/* "RFC2217 127.0.0.1 40124" → "rfc2217://127.0.0.1:40124" */
static char *
announcement_to_url (const char *announcement)
{
  g_auto(GStrv) words = g_strsplit (announcement, " ", -1);

  g_assert_cmpuint (g_strv_length (words), ==, 3);
  g_assert_cmpstr (words[0], ==, "RFC2217");
  return g_strdup_printf ("rfc2217://%s:%s", words[1], g_strstrip (words[2]));
}

/* The same flow against the simulator as a separate process, reached by
 * URL over RFC 2217: the path a remote board takes. */
static void
test_rfc2217_flash (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *flash_path = g_build_filename (f->dir, "flash.img", NULL);
  const char *args[] = { "--rfc2217", "0", "--flash", flash_path, NULL };
  g_autofree char *announcement = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) server = glint_test_spawn_sim_server (args, &announcement);
  g_autofree char *flash = NULL;
  gsize flash_len = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new (GLINT_SETTINGS_SCHEMA);
  g_auto(GStrv) recent = NULL;

  url = announcement_to_url (announcement);
  click_through (f, url);
  g_assert_cmpstr (f->window->address, ==, url);
  activate (f, "win.next", NULL);
  wait_for_page (f, "done", 90);

  /* The server writes its flash out when it stops. */
  glint_test_stop_subprocess (server);
  g_file_get_contents (flash_path, &flash, &flash_len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (flash_len, >=, APP_OFFSET + APP_SIZE);
  g_assert_cmpmem (flash + APP_OFFSET, APP_SIZE,
                   g_bytes_get_data (f->app, NULL), g_bytes_get_size (f->app));
  g_unlink (flash_path);

  /* Remembered for next time. */
  recent = g_settings_get_strv (settings, "recent-urls");
  g_assert_cmpstr (recent[0], ==, url);
  g_assert_true (gtk_widget_get_visible (child (f, "recent_button")));
  g_settings_reset (settings, "recent-urls");
}

/* The reflash options through the window: a backup of what the flash held
 * before, the automatic speed remembered per URL, and a second flash of
 * the same firmware that writes nothing. */
static void
test_backup_and_reflash (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *flash_path = g_build_filename (f->dir, "flash.img", NULL);
  /* The ESP32 ROM reads 64 bytes a command: without time-scale=0 the
   * backup alone takes over a minute of simulated serial time. */
  const char *args[] = { "--rfc2217", "0", "--flash", flash_path, "--options", "time-scale=0",
                         NULL };
  g_autofree char *announcement = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GSettings) settings = g_settings_new (GLINT_SETTINGS_SCHEMA);
  g_autoptr(GVariant) bauds = NULL;
  g_autofree guint8 *old = g_malloc (APP_OFFSET + APP_SIZE);
  g_autofree char *backup = NULL;
  g_autoptr(GError) error = NULL;
  const char *description;
  gsize backup_len = 0;
  guint settled = 0;

  /* The board holds something else: a pattern the backup must keep. */
  for (gsize i = 0; i < APP_OFFSET + APP_SIZE; i++)
    old[i] = (i * 7 + (i >> 12)) & 0xFF;
  write_file (flash_path, old, APP_OFFSET + APP_SIZE);
  server = glint_test_spawn_sim_server (args, &announcement);
  url = announcement_to_url (announcement);
  /* What the window kept before the record did: moved there once, by the
   * record's rule (115200 is not kept). */
  g_settings_set_value (settings, "settled-bauds",
                        g_variant_new_parsed ("{%s: uint32 460800, '/dev/ttyS1': 115200}",
                                              url));

  g_settings_set_boolean (settings, "backup", TRUE);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (child (f, "backup_switch"))));
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (child (f, "skip_switch"))));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (child (f, "erase_all_switch"))));

  click_through (f, url);
  activate (f, "win.next", NULL);
  wait_for_page (f, "done", 90);

  g_assert_nonnull (f->window->backup_path);
  g_assert_true (g_str_has_prefix (f->window->backup_path, g_get_user_data_dir ()));
  g_file_get_contents (f->window->backup_path, &backup, &backup_len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (backup, backup_len, old + APP_OFFSET, APP_SIZE);
  description = adw_status_page_get_description (ADW_STATUS_PAGE (child (f, "done_status")));
  g_assert_nonnull (strstr (description, f->window->backup_path));
  /* and a button leads to it (opening a file manager is not tried here:
   * there is none under Xvfb) */
  g_assert_true (gtk_widget_get_visible (child (f, "backup_button")));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (child (f, "backup_button"))),
                   ==, "win.show-backup");
  g_unlink (f->window->backup_path);

  /* "Automatic" tried the rate the window's old setting held for this URL
   * (moved into the flash record, the setting emptied), and keeps it. */
  bauds = g_settings_get_value (settings, "settled-bauds");
  g_assert_cmpuint (g_variant_n_children (bauds), ==, 0);
  g_assert_true ((strstr (f->window->log->str, "trying 460800 baud") != NULL));
  g_assert_false ((strstr (f->window->log->str, "trying 230400 baud") != NULL));
  g_assert_false ((strstr (f->window->log->str, "trying 921600 baud") != NULL));
  settled = glint_flash_record_lookup_baud (f->window->flash_record,
                                            glint_stream_get_address (glint_flasher_get_stream (
                                              _glint_window_get_flasher (f->window))));
  g_assert_cmpuint (settled, ==, 460800);
  g_assert_cmpuint (glint_flash_record_lookup_baud (f->window->flash_record, "/dev/ttyS1"), ==, 0);

  /* The same firmware again, without a backup: nothing to write. */
  g_settings_set_boolean (settings, "backup", FALSE);
  activate (f, "win.flash-another", NULL);
  g_assert_cmpstr (page (f), ==, "board");
  activate (f, "win.next", NULL);
  g_assert_cmpstr (page (f), ==, "firmware");
  wait_for_next (f);
  activate (f, "win.next", NULL);
  wait_for_page (f, "done", 90);
  g_assert_null (f->window->backup_path);
  g_assert_cmpuint (glint_flasher_get_bytes_written (_glint_window_get_flasher (f->window)), ==, 0);
  description = adw_status_page_get_description (ADW_STATUS_PAGE (child (f, "done_status")));
  g_assert_nonnull (strstr (description, "already held this firmware"));
  g_assert_false (gtk_widget_get_visible (child (f, "backup_button")));

  glint_test_stop_subprocess (server);
  g_unlink (flash_path);
  g_settings_reset (settings, "backup");
  g_settings_reset (settings, "settled-bauds");
  g_settings_reset (settings, "recent-urls");
}

static void
test_rfc2217_server_killed (Fixture       *f,
                            gconstpointer  data)
{
  const char *args[] = { "--rfc2217", "0", NULL };
  g_autofree char *announcement = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) server = glint_test_spawn_sim_server (args, &announcement);
  GlintFlasher *flasher;

  url = announcement_to_url (announcement);
  click_through (f, url);
  /* 115200 baud, so the write is still going when the server dies. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (f, "baud_row")), 1);
  activate (f, "win.next", NULL);

  flasher = _glint_window_get_flasher (f->window);
  while (glint_flasher_get_state (flasher) != GLINT_FLASHER_STATE_WRITING)
    {
      g_assert_cmpstr (page (f), ==, "flash");
      g_main_context_iteration (NULL, TRUE);
    }
  glint_test_spin (300);
  glint_test_stop_subprocess (server);

  wait_for_page (f, "failed", 60);
  g_test_message ("server gone: %s (%s)",
                  adw_status_page_get_description (ADW_STATUS_PAGE (child (f, "failed_status"))),
                  gtk_label_get_text (GTK_LABEL (child (f, "failed_details_label"))));
  g_assert_cmpuint (strlen (gtk_label_get_text (GTK_LABEL (child (f, "failed_details_label")))),
                    >, 0);
}

typedef struct
{
  Fixture  *f;
  guint     seen;
  char     *stage;      /* the Flashing page, as the signal left it */
  char     *detail;
  gboolean  detail_visible;
} ReconnectSeen;

static void
on_reconnecting_seen_cb (GlintFlasher  *flasher,
                         guint          attempt,
                         guint          max,
                         const char    *cause,
                         ReconnectSeen *seen)
{
  seen->seen++;
  g_free (seen->stage);
  g_free (seen->detail);
  seen->stage = g_strdup (gtk_label_get_text (GTK_LABEL (child (seen->f, "stage_label"))));
  seen->detail = g_strdup (gtk_label_get_text (GTK_LABEL (child (seen->f, "reconnect_label"))));
  seen->detail_visible = gtk_widget_get_visible (child (seen->f, "reconnect_label"));
}

/* A TCP connection that drops once mid-write: the Flashing page says it
 * reconnects, with the attempt and the cause; the job resumes, and the
 * Done page says it recovered. */
static void
test_reconnect (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *flash_path = g_build_filename (f->dir, "flash.img", NULL);
  const char *args[] = { "--tcp", "0", "--flash", flash_path, "--options", "time-scale=0",
                         "--drop-after", "40000", NULL };
  g_autofree char *announcement = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) server = glint_test_spawn_sim_server (args, &announcement);
  g_auto(GStrv) words = g_strsplit (announcement, " ", -1);
  g_autofree char *flash = NULL;
  gsize flash_len = 0;
  g_autoptr(GError) error = NULL;
  ReconnectSeen seen = { f };
  const char *description;
  GlintFlasher *flasher;

  url = g_strdup_printf ("socket://%s:%s", words[1], g_strstrip (words[2]));
  click_through (f, url);
  activate (f, "win.next", NULL);
  flasher = _glint_window_get_flasher (f->window);
  g_signal_connect_after (flasher, "reconnecting", G_CALLBACK (on_reconnecting_seen_cb), &seen);
  g_assert_false (gtk_widget_get_visible (child (f, "reconnect_label")));
  wait_for_page (f, "done", 90);

  g_assert_cmpuint (seen.seen, ==, 1);
  g_assert_cmpstr (seen.stage, ==, "Reconnecting (1 of 5)…");
  g_assert_true (seen.detail_visible);
  g_assert_true (g_str_has_prefix (seen.detail, "The link to the board was lost: "));
  g_assert_nonnull (strstr (seen.detail, "closed the connection"));
  g_assert_false (gtk_widget_get_visible (child (f, "reconnect_label")));
  description = adw_status_page_get_description (ADW_STATUS_PAGE (child (f, "done_status")));
  g_test_message ("done page: %s", description);
  g_assert_nonnull (strstr (description, "It recovered from 1 lost connection."));

  glint_test_stop_subprocess (server);
  g_file_get_contents (flash_path, &flash, &flash_len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (flash_len, >=, APP_OFFSET + APP_SIZE);
  g_assert_cmpmem (flash + APP_OFFSET, APP_SIZE,
                   g_bytes_get_data (f->app, NULL), g_bytes_get_size (f->app));
  g_unlink (flash_path);
  g_free (seen.stage);
  g_free (seen.detail);
}

static void
test_disconnect_fails (Fixture       *f,
                       gconstpointer  data)
{
  const char *description;
  const char *details;

  click_through (f, "sim://esp32?boot=normal&disconnect-after=20000");
  /* A raw file with an explicit offset this time. */
  g_free (f->manifest);
  f->manifest = g_build_filename (f->dir, "blink.bin@0x10000", NULL);
  activate (f, "win.load-firmware", f->manifest);
  wait_for_next (f);
  activate (f, "win.next", NULL);
  wait_for_page (f, "failed", 60);

  description = adw_status_page_get_description (ADW_STATUS_PAGE (child (f, "failed_status")));
  details = gtk_label_get_text (GTK_LABEL (child (f, "failed_details_label")));
  g_test_message ("failed page: %s (%s)", description, details);
  g_assert_nonnull (description);
  g_assert_cmpuint (strlen (description), >, 10);
  g_assert_cmpuint (strlen (details), >, 0);
  g_assert_true (gtk_widget_is_sensitive (child (f, "try_again_button")));
  /* A lost link: trying again can help, so that is the main button. */
  g_assert_true (gtk_widget_has_css_class (child (f, "try_again_button"), "suggested-action"));
  g_assert_false (gtk_widget_has_css_class (child (f, "choose_firmware_button"),
                                            "suggested-action"));
  /* no backup was asked for: nothing to restore */
  g_assert_false (gtk_widget_get_visible (child (f, "failed_restore_button")));

  /* Try again goes straight back to flashing (and fails again). */
  activate (f, "win.try-again", NULL);
  g_assert_cmpstr (page (f), ==, "flash");
  wait_for_page (f, "failed", 60);
}

/* Secure download mode: the board is written but nothing could check
 * it, and the window says so instead of Done. */
static void
test_secure_download_not_done (Fixture       *f,
                               gconstpointer  data)
{
  const char *details;

  g_autofree char *data_path = g_build_filename (f->dir, "data.bin", NULL);
  g_autofree char *data_arg = g_strconcat (data_path, "@0x10000", NULL);
  g_autoptr(GError) error = NULL;
  char bytes[4096];

  /* data, not an image: any chip takes it */
  memset (bytes, 0x5A, sizeof bytes);
  g_file_set_contents (data_path, bytes, sizeof bytes, &error);
  g_assert_no_error (error);

  click_through (f, "sim://esp32s3?boot=normal&secure-download=on");
  activate (f, "win.load-firmware", data_arg);
  /* raw data: written only once confirmed */
  while (glint_firmware_page_get_raw_dialog (f->window->firmware_page) == NULL)
    g_main_context_iteration (NULL, TRUE);
  adw_message_dialog_response (glint_firmware_page_get_raw_dialog (f->window->firmware_page),
                               "raw");
  wait_for_next (f);
  activate (f, "win.next", NULL);
  wait_for_page (f, "failed", 60);

  details = gtk_label_get_text (GTK_LABEL (child (f, "failed_details_label")));
  g_test_message ("not verified: %s", details);
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (child (f, "failed_status"))), ==,
                   "Written, Not Verified");
  g_assert_nonnull (strstr (details, "written, not verified"));
  g_assert_nonnull (strstr (details, "secure download mode"));
}

static void
test_invalid_url (Fixture       *f,
                  gconstpointer  data)
{
  AdwEntryRow *row = _glint_window_get_remote_row (f->window);
  GtkWidget *error_label = child (f, "remote_error_label");

  /* A Demo board chosen earlier must not let an unusable URL through. */
  activate (f, "win.select-board", GLINT_DEMO_ADDRESS);
  g_assert_true (next_enabled (f));

  gtk_editable_set_text (GTK_EDITABLE (row), "rfc2217://");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpuint (strlen (gtk_label_get_text (GTK_LABEL (error_label))), >, 0);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  g_assert_false (next_enabled (f));
  activate (f, "win.next", NULL);
  g_assert_cmpstr (page (f), ==, "board");

  gtk_editable_set_text (GTK_EDITABLE (row), "rfc2217://127.0.0.1:4000?ign_set_control");
  g_assert_false (gtk_widget_get_visible (error_label));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  g_assert_true (next_enabled (f));
  g_assert_cmpstr (f->window->address, ==, "rfc2217://127.0.0.1:4000?ign_set_control");

  /* Back to the Demo board and the error is moot: it goes. */
  gtk_editable_set_text (GTK_EDITABLE (row), "socket://nohost");
  g_assert_false (next_enabled (f));
  g_assert_true (gtk_widget_get_visible (error_label));
  activate (f, "win.select-board", GLINT_DEMO_ADDRESS);
  g_assert_true (next_enabled (f));
  g_assert_false (gtk_widget_get_visible (error_label));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));

  /* Choosing the URL again brings it back, with the reason. */
  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (f, "remote_check")), TRUE);
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  g_assert_false (next_enabled (f));
}

/* Loads @path on the Firmware page, which must refuse it: its reason */
static const char *
load_failing_firmware (Fixture    *f,
                       const char *path)
{
  const char *description;

  activate (f, "win.load-firmware", path);
  while (g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "firmware_stack"))),
                    "loading") == 0)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "firmware_stack"))),
                   ==, "error");
  description = adw_status_page_get_description (ADW_STATUS_PAGE (child (f,
                                                                   "firmware_error_page")));
  g_test_message ("firmware error: %s", description);

  return description;
}

static void
test_bad_firmware (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *empty = g_build_filename (f->dir, "manifest.json", NULL);
  const char *description;

  /* A manifest without builds: the plan refuses it with a reason. */
  write_file (empty, "{\"builds\": []}", 14);

  activate (f, "win.select-board", GLINT_DEMO_ADDRESS);
  activate (f, "win.next", NULL);
  description = load_failing_firmware (f, empty);
  g_assert_cmpuint (strlen (description), >, 0);
  g_assert_false (next_enabled (f));

  /* Escape goes back a step. */
  activate (f, "win.escape", NULL);
  g_assert_cmpstr (page (f), ==, "board");
}

/* After Detect, an image for another chip revision is refused on the
 * Firmware page already, naming both revisions. */
static void
test_wrong_revision (Fixture       *f,
                     gconstpointer  data)
{
  TestImageSpec spec = { .chip_id = 0, .seg_len = 0x800, .min_rev_full = 300,
                         .max_rev_full = 0xFFFF };
  g_autoptr(GBytes) image = test_image_build (&spec);
  g_autofree char *path = g_build_filename (f->dir, "v3-only.bin", NULL);
  g_autofree char *arg = g_strconcat (path, "@0x10000", NULL);
  const char *description;

  write_file (path, g_bytes_get_data (image, NULL), g_bytes_get_size (image));
  activate (f, "win.select-board", "sim://esp32?boot=normal&revision=1.0");
  activate (f, "win.detect", NULL);
  while (glint_board_page_get_board_info (f->window->board_page) == NULL)
    g_main_context_iteration (NULL, TRUE);

  activate (f, "win.next", NULL);
  description = load_failing_firmware (f, arg);
  g_assert_nonnull (strstr (description, "v3.0 or later; this ESP32 is v1.0"));
  g_assert_false (next_enabled (f));
}

static void
wait_for_plan (Fixture *f)
{
  while (glint_wizard_page_get_applying (GLINT_WIZARD_PAGE (f->window->firmware_page)))
    g_main_context_iteration (NULL, TRUE);
}

/* Intel HEX, UF2 and ELF files are taken as a .bin is: no question, their
 * regions listed, Next enabled. */
static void
test_other_formats (Fixture       *f,
                    gconstpointer  data)
{
  TestImageSpec spec = { .chip_id = 0, .seg_len = 0x800, .hash = TRUE, .app_desc = TRUE };
  g_autoptr(GBytes) app = test_image_build (&spec);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GByteArray) blocks = g_byte_array_new ();
  g_autoptr(GBytes) elf = test_elf_build (test_elf_chip ("esp32"), TEST_ELF_APP, 1);
  g_autofree char *hex_path = g_build_filename (f->dir, "blink.ino.hex", NULL);
  g_autofree char *uf2_path = g_build_filename (f->dir, "blink.uf2", NULL);
  g_autofree char *elf_path = g_build_filename (f->dir, "blink.ino.elf", NULL);
  const char *paths[] = { hex_path, uf2_path, elf_path };
  guint32 upper = 0;

  hex_add (text, 0x10000, app, &upper);
  hex_record (text, 0x01, 0, NULL, 0);
  write_file (hex_path, text->str, text->len);
  uf2_add (blocks, 0x1C5F21B0, 0x10000, app);
  write_file (uf2_path, blocks->data, blocks->len);
  write_file (elf_path, g_bytes_get_data (elf, NULL), g_bytes_get_size (elf));

  activate (f, "win.select-board", GLINT_DEMO_ADDRESS);
  activate (f, "win.next", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      GlintFlashPlan *plan;

      activate (f, "win.load-firmware", paths[i]);
      wait_for_plan (f);
      g_assert_null (glint_firmware_page_get_raw_dialog (f->window->firmware_page));
      plan = glint_firmware_page_get_plan (f->window->firmware_page);
      g_assert_nonnull (plan);
      g_assert_cmpuint (glint_flash_plan_get_n_regions (plan), ==, 1);
      g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 0), ==, APP_OFFSET);
      if (i < 2)
        g_assert_true (g_bytes_equal (glint_flash_plan_get_region_data (plan, 0), app));
      else
        g_assert_true (glint_image_looks_like_image (glint_flash_plan_get_region_data (plan,
                                                                                      0)) ||
                       glint_elf_looks_like (glint_flash_plan_get_region_data (plan, 0)));
      g_assert_true (next_enabled (f));
    }
}

/* A file that is no firmware is refused with a question; confirmed, it
 * gets the app offset, a warning and an offset row to move it. */
static void
test_raw_file_offset (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *raw = g_build_filename (f->dir, "blob.bin", NULL);
  guint8 blob[8192];
  AdwEntryRow *offset_row = ADW_ENTRY_ROW (child (f, "offset_row"));

  memset (blob, 0x5A, sizeof blob);
  write_file (raw, blob, sizeof blob);

  activate (f, "win.select-board", GLINT_DEMO_ADDRESS);
  activate (f, "win.next", NULL);
  activate (f, "win.load-firmware", raw);
  wait_for_plan (f);
  /* not placed anywhere before people say so */
  g_assert_null (glint_firmware_page_get_plan (f->window->firmware_page));
  g_assert_false (next_enabled (f));
  g_assert_nonnull (glint_firmware_page_get_raw_dialog (f->window->firmware_page));
  adw_message_dialog_response (glint_firmware_page_get_raw_dialog (f->window->firmware_page),
                               "cancel");
  g_assert_null (glint_firmware_page_get_plan (f->window->firmware_page));

  activate (f, "win.load-firmware", raw);
  wait_for_plan (f);
  g_assert_nonnull (glint_firmware_page_get_raw_dialog (f->window->firmware_page));
  adw_message_dialog_response (glint_firmware_page_get_raw_dialog (f->window->firmware_page),
                               "raw");
  wait_for_plan (f);
  g_assert_nonnull (glint_firmware_page_get_plan (f->window->firmware_page));
  g_assert_cmphex (glint_flash_plan_get_region_offset (glint_firmware_page_get_plan (f->window->firmware_page), 0), ==, APP_OFFSET);
  g_assert_true (gtk_widget_get_visible (child (f, "warnings_group")));
  g_assert_true (gtk_widget_get_visible (child (f, "offset_group")));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (offset_row)), ==, "0x10000");

  /* Not sector-aligned: marked, and nothing reloads. */
  gtk_editable_set_text (GTK_EDITABLE (offset_row), "0x20001");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (offset_row), "error"));

  gtk_editable_set_text (GTK_EDITABLE (offset_row), "0x20000");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (offset_row), "error"));
  g_signal_emit_by_name (offset_row, "apply");
  wait_for_plan (f);
  g_assert_cmphex (glint_flash_plan_get_region_offset (glint_firmware_page_get_plan (f->window->firmware_page), 0), ==, 0x20000);
  g_assert_true (next_enabled (f));
  g_unlink (raw);

  /* A manifest knows its offsets: no row. */
  activate (f, "win.load-firmware", f->manifest);
  wait_for_plan (f);
  g_assert_false (gtk_widget_get_visible (child (f, "offset_group")));
}

static guint
combo_index_of (AdwComboRow *row,
                const char  *value)
{
  const char * const *values = g_object_get_data (G_OBJECT (row), "glint-values");

  g_assert_nonnull (values);
  for (guint i = 0; values[i] != NULL; i++)
    if (g_str_equal (values[i], value))
      return i;

  return G_MAXUINT;
}

static const char *
combo_label (AdwComboRow *row,
             guint        index)
{
  return gtk_string_list_get_string (GTK_STRING_LIST (adw_combo_row_get_model (row)), index);
}

/* Flash mode, frequency and size: offered only for firmware with a
 * bootloader, with the chip's own values, and written into the header. */
static void
test_flash_settings (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *bl_path = g_build_filename (f->dir, "bootloader.bin", NULL);
  g_autofree char *manifest = g_build_filename (f->dir, "full.json", NULL);
  /* DIO, 4 MB (0x2 in the high nibble), 80 MHz (0xF) */
  TestImageSpec spec = { .chip_id = 0, .hash = TRUE, .flash_mode = 2, .size_freq = 0x2F,
                         .seg_len = 1024 };
  g_autoptr(GBytes) bootloader = test_image_build (&spec);
  const char *json =
    "{\"name\": \"Blink\", \"builds\": [{\"chipFamily\": \"ESP32\", \"parts\": ["
    "{\"path\": \"bootloader.bin\", \"offset\": 4096}, "
    "{\"path\": \"blink.bin\", \"offset\": 65536}]}]}";
  AdwComboRow *mode = ADW_COMBO_ROW (child (f, "flash_mode_row"));
  AdwComboRow *freq = ADW_COMBO_ROW (child (f, "flash_freq_row"));
  AdwComboRow *size = ADW_COMBO_ROW (child (f, "flash_size_row"));
  GlintFlasher *flasher;
  GlintSim *sim;
  const guint8 *flash;
  gsize flash_size = 0;

  write_file (bl_path, g_bytes_get_data (bootloader, NULL), g_bytes_get_size (bootloader));
  write_file (manifest, json, strlen (json));

  /* An app alone has no header to change: no rows. */
  click_through (f, GLINT_DEMO_ADDRESS);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (mode)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (freq)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (size)));

  activate (f, "win.load-firmware", manifest);
  wait_for_plan (f);
  g_assert_nonnull (glint_firmware_page_get_plan (f->window->firmware_page));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (mode)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (freq)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (size)));

  /* "Keep" by default, naming what the firmware has. */
  g_assert_cmpuint (adw_combo_row_get_selected (mode), ==, 0);
  g_assert_cmpstr (combo_label (mode, 0), ==, "Keep (DIO)");
  g_assert_cmpstr (combo_label (freq, 0), ==, "Keep (80 MHz)");
  g_assert_cmpstr (combo_label (size, 0), ==, "Keep (4 MB)");

  /* Only what an ESP32 can do: no 60 MHz (ESP32-C2), no 256 KB (ESP8266). */
  g_assert_cmpuint (combo_index_of (freq, "40m"), !=, G_MAXUINT);
  g_assert_cmpuint (combo_index_of (freq, "60m"), ==, G_MAXUINT);
  g_assert_cmpuint (combo_index_of (size, "256KB"), ==, G_MAXUINT);
  g_assert_cmpstr (combo_label (size, combo_index_of (size, "2MB")), ==, "2 MB");

  adw_combo_row_set_selected (mode, combo_index_of (mode, "qio"));
  adw_combo_row_set_selected (freq, combo_index_of (freq, "40m"));
  adw_combo_row_set_selected (size, combo_index_of (size, "2MB"));

  activate (f, "win.next", NULL);
  g_assert_cmpstr (page (f), ==, "flash");
  flasher = g_object_ref (_glint_window_get_flasher (f->window));
  wait_for_page (f, "done", 90);

  sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (glint_flasher_get_stream (flasher)));
  flash = glint_sim_get_flash (sim, &flash_size);
  g_assert_cmphex (flash[0x1000], ==, 0xE9);
  g_assert_cmphex (flash[0x1000 + 2], ==, 0x0);    /* QIO */
  g_assert_cmphex (flash[0x1000 + 3], ==, 0x10);   /* 2 MB, 40 MHz */
  g_assert_cmpmem (flash + APP_OFFSET, APP_SIZE,
                   g_bytes_get_data (f->app, NULL), g_bytes_get_size (f->app));
  g_object_unref (flasher);

  /* Back to "Keep": the next flash writes the header as it came. */
  activate (f, "win.flash-another", NULL);
  activate (f, "win.next", NULL);
  g_assert_cmpstr (page (f), ==, "firmware");
  g_assert_cmpuint (adw_combo_row_get_selected (mode), ==, combo_index_of (mode, "qio"));
  adw_combo_row_set_selected (mode, 0);
  adw_combo_row_set_selected (freq, 0);
  adw_combo_row_set_selected (size, 0);
  activate (f, "win.next", NULL);
  flasher = g_object_ref (_glint_window_get_flasher (f->window));
  wait_for_page (f, "done", 90);
  sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (glint_flasher_get_stream (flasher)));
  flash = glint_sim_get_flash (sim, &flash_size);
  g_assert_cmpmem (flash + 0x1000, g_bytes_get_size (bootloader),
                   g_bytes_get_data (bootloader, NULL), g_bytes_get_size (bootloader));
  g_object_unref (flasher);

  g_unlink (bl_path);
  g_unlink (manifest);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  click_through (f, GLINT_DEMO_ADDRESS);
  /* 115200 baud: slow enough to be caught in the act. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (f, "baud_row")), 1);
  activate (f, "win.next", NULL);
  g_assert_cmpstr (page (f), ==, "flash");

  /* Cancel while it writes: the step where stopping matters most. */
  while (glint_flasher_get_state (_glint_window_get_flasher (f->window)) !=
         GLINT_FLASHER_STATE_WRITING)
    {
      g_assert_cmpstr (page (f), ==, "flash");
      g_main_context_iteration (NULL, TRUE);
    }

  /* Escape asks first; "Keep Flashing" keeps going. Writing has started:
   * stopping leaves a board that does not start, and it says so. */
  activate (f, "win.escape", NULL);
  g_assert_nonnull (f->window->cancel_dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (f->window->cancel_dialog),
                            "will not start"));
  adw_message_dialog_response (f->window->cancel_dialog, "continue");
  while (f->window->cancel_dialog != NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (page (f), ==, "flash");

  /* Closing the window asks the same question and keeps the window. */
  gtk_window_close (GTK_WINDOW (f->window));
  g_assert_nonnull (f->window->cancel_dialog);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window)));
  adw_message_dialog_response (f->window->cancel_dialog, "continue");
  while (f->window->cancel_dialog != NULL)
    g_main_context_iteration (NULL, TRUE);

  activate (f, "win.cancel", NULL);
  g_assert_nonnull (f->window->cancel_dialog);
  adw_message_dialog_response (f->window->cancel_dialog, "stop");
  wait_for_page (f, "firmware", 30);
  g_assert_null (f->window->flash_cancellable);
}

/* Detect reads chip and MAC before anything is flashed. */
static void
test_detect (Fixture       *f,
             gconstpointer  data)
{
  AdwActionRow *row = ADW_ACTION_ROW (child (f, "detect_row"));
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  /* Nothing to detect without a board. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.detect", NULL);
  g_assert_false (glint_wizard_page_get_applying (GLINT_WIZARD_PAGE (f->window->board_page)));

  activate (f, "win.select-board", GLINT_DEMO_ADDRESS);
  activate (f, "win.detect", NULL);
  g_assert_true (glint_wizard_page_get_applying (GLINT_WIZARD_PAGE (f->window->board_page)));
  while (glint_board_page_get_board_info (f->window->board_page) == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Detect never finished: %s", adw_action_row_get_subtitle (row));
      g_main_context_iteration (NULL, TRUE);
    }

  g_test_message ("detected: %s", adw_action_row_get_subtitle (row));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), "ESP32"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), "MAC"));
  /* the chip as esptool describes it, and its security state */
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), "(revision v"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), "Security: secure boot off"));
  g_assert_false (glint_wizard_page_get_applying (GLINT_WIZARD_PAGE (f->window->board_page)));
}

/* The main button of the Failed page, by its style class. */
static const char *
failed_main_button (Fixture *f)
{
  static const char * const buttons[] = {
    "try_again_button", "choose_firmware_button", "choose_board_button"
  };
  const char *found = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    if (gtk_widget_has_css_class (child (f, buttons[i]), "suggested-action"))
      {
        g_assert_null (found);
        found = buttons[i];
      }

  return found;
}

/* Firmware for another chip: trying again cannot help, choosing other
 * firmware can. Every way on is there, and reachable by keyboard. */
static void
test_failed_wrong_chip (Fixture       *f,
                        gconstpointer  data)
{
  const char *details;

  /* an ESP32 build, an ESP32-C3 board, not detected first */
  click_through (f, "sim://esp32c3?boot=normal");
  activate (f, "win.next", NULL);
  wait_for_page (f, "failed", 60);

  details = gtk_label_get_text (GTK_LABEL (child (f, "failed_details_label")));
  g_test_message ("wrong chip: %s", details);
  g_assert_cmpstr (failed_main_button (f), ==, "choose_firmware_button");
  /* first in the column and the focused one: Enter takes it */
  g_assert_null (gtk_widget_get_prev_sibling (child (f, "choose_firmware_button")));
  g_assert_true (gtk_widget_has_focus (child (f, "choose_firmware_button")));
  g_assert_true (gtk_widget_get_focusable (child (f, "choose_board_button")));
  g_assert_true (gtk_widget_is_visible (child (f, "try_again_button")));

  /* Back, and Escape: the Firmware page, with the board kept. */
  g_assert_true (gtk_widget_get_visible (child (f, "back_button")));
  activate (f, "win.escape", NULL);
  g_assert_cmpstr (page (f), ==, "firmware");
  g_assert_true (next_enabled (f));

  activate (f, "win.next", NULL);
  wait_for_page (f, "failed", 60);
  activate (f, "win.choose-another-firmware", NULL);
  g_assert_cmpstr (page (f), ==, "firmware");

  activate (f, "win.next", NULL);
  wait_for_page (f, "failed", 60);
  activate (f, "win.flash-another", NULL);
  g_assert_cmpstr (page (f), ==, "board");
}

/* A retry that fails before writing anything must not call a region the
 * first attempt left half written "untouched": the window adds up what
 * every attempt on the board did. */
static void
test_failed_regions_accumulate (Fixture       *f,
                                gconstpointer  data)
{
  GlintFlasher *first;
  GlintSim *sim;
  const guint8 *flash;
  gsize flash_size;
  const char *details;

  /* The board keeps its flash by its name; its link dies mid-write. */
  click_through (f, "sim://esp32?boot=normal&board=half&disconnect-after=20000");
  activate (f, "win.next", NULL);
  first = g_object_ref (_glint_window_get_flasher (f->window));
  wait_for_page (f, "failed", 60);
  details = gtk_label_get_text (GTK_LABEL (child (f, "failed_details_label")));
  g_test_message ("first attempt: %s", details);
  g_assert_nonnull (strstr (details, "blink.bin at 0x10000 (64 KiB): partly written"));

  /* Really half written: neither blank nor the new app. */
  sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (glint_flasher_get_stream (first)));
  flash = glint_sim_get_flash (sim, &flash_size);
  g_assert_cmpmem (flash + APP_OFFSET, 4096, g_bytes_get_data (f->app, NULL), 4096);
  g_assert_true (memcmp (flash + APP_OFFSET, g_bytes_get_data (f->app, NULL), APP_SIZE) != 0);

  /* The same board, its link now dying before a block is written (the
   * cable is worse): Try Again fails in the connection. The window's
   * address is set as the same board plugged into a flakier link. */
  g_free (f->window->address);
  f->window->address = g_strdup ("sim://esp32?boot=normal&board=half&disconnect-after=40");
  activate (f, "win.try-again", NULL);
  wait_for_page (f, "failed", 60);
  details = gtk_label_get_text (GTK_LABEL (child (f, "failed_details_label")));
  g_test_message ("second attempt: %s", details);
  g_assert_nonnull (strstr (details, "blink.bin at 0x10000 (64 KiB): partly written"));
  g_assert_null (strstr (details, "untouched"));
  g_assert_cmpmem (flash + APP_OFFSET, 4096, g_bytes_get_data (f->app, NULL), 4096);

  /* Another board: what this one holds is no longer the story. */
  activate (f, "win.flash-another", NULL);
  activate (f, "win.select-board", "sim://esp32?boot=normal&disconnect-after=40");
  activate (f, "win.next", NULL);
  wait_for_next (f);
  activate (f, "win.next", NULL);
  wait_for_page (f, "failed", 60);
  details = gtk_label_get_text (GTK_LABEL (child (f, "failed_details_label")));
  g_test_message ("other board: %s", details);
  g_assert_null (strstr (details, "partly written"));

  g_object_unref (first);
}

/* A port another program holds: the Failed page names it. */
static void
test_failed_port_busy (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *port = g_build_filename (f->ports_dir, "ttyUSB9", NULL);
  g_autofree char *comm = NULL;
  g_autofree char *expected = NULL;
  const char *description;
  int master, holder;

  /* A pty stands in for the adapter; this process holds it locked, as a
   * serial monitor would. */
  master = posix_openpt (O_RDWR | O_NOCTTY);
  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  holder = open (ptsname (master), O_RDWR | O_NOCTTY);
  g_assert_cmpint (holder, >=, 0);
  g_assert_cmpint (flock (holder, LOCK_EX | LOCK_NB), ==, 0);
  g_assert_cmpint (symlink (ptsname (master), port), ==, 0);

  g_assert_true (g_file_get_contents ("/proc/self/comm", &comm, NULL, NULL));
  g_strstrip (comm);
  expected = g_strdup_printf ("%s is in use by %s (process %d)", port, comm, (int) getpid ());

  activate (f, "win.select-board", port);
  wait_for_next (f);
  activate (f, "win.next", NULL);
  activate (f, "win.load-firmware", f->manifest);
  wait_for_next (f);
  activate (f, "win.next", NULL);
  wait_for_page (f, "failed", 60);

  description = adw_status_page_get_description (ADW_STATUS_PAGE (child (f, "failed_status")));
  g_test_message ("busy: %s", description);
  g_assert_nonnull (strstr (description, expected));
  g_assert_cmpstr (failed_main_button (f), ==, "try_again_button");

  g_unlink (port);
  close (holder);
  close (master);
}

/* Detect that fails says why, not just that it failed. */
static void
test_detect_fails (Fixture       *f,
                   gconstpointer  data)
{
  AdwActionRow *row = ADW_ACTION_ROW (child (f, "detect_row"));
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  /* The link goes before the chip could be read. */
  activate (f, "win.select-board", "sim://esp32?boot=normal&disconnect-after=40");
  activate (f, "win.detect", NULL);
  while (glint_wizard_page_get_applying (GLINT_WIZARD_PAGE (f->window->board_page)))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Detect never finished: %s", adw_action_row_get_subtitle (row));
      g_main_context_iteration (NULL, TRUE);
    }

  g_test_message ("detect failed: %s", adw_action_row_get_subtitle (row));
  g_assert_null (glint_board_page_get_board_info (f->window->board_page));
  /* the cause (the lost link), then what to do */
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (row),
                                   "sim://esp32?boot=normal&disconnect-after=40 closed the "
                                   "connection\n"));
  g_assert_cmpuint (strlen (strchr (adw_action_row_get_subtitle (row), '\n')), >, 10);
}

/* A board that never answers: the page shows it is still trying (the
 * bar moves, the seconds count), and stopping then is harmless and said
 * to be. */
static void
test_waiting_for_bootloader (Fixture       *f,
                             gconstpointer  data)
{
  GtkLabel *stage = GTK_LABEL (child (f, "stage_label"));
  GtkProgressBar *bar = GTK_PROGRESS_BAR (child (f, "progress_bar"));
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  g_autofree char *first = NULL;
  const char *body;

  /* Running its app, and not reset into the bootloader: it never syncs. */
  click_through (f, "sim://esp32?boot=normal");
  gtk_switch_set_active (GTK_SWITCH (child (f, "auto_reset_switch")), FALSE);
  activate (f, "win.next", NULL);
  while (glint_flasher_get_state (_glint_window_get_flasher (f->window)) !=
         GLINT_FLASHER_STATE_SYNCING)
    {
      g_assert_cmpstr (page (f), ==, "flash");
      g_main_context_iteration (NULL, TRUE);
    }

  /* The stage counts the seconds it has waited. */
  while (strstr (gtk_label_get_text (stage), "(2 s)") == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("no sign of life while waking the bootloader: “%s”",
                 gtk_label_get_text (stage));
      if (first == NULL && strstr (gtk_label_get_text (stage), "(1 s)") != NULL)
        first = g_strdup (gtk_label_get_text (stage));
      g_main_context_iteration (NULL, TRUE);
    }
  g_test_message ("waiting: %s, then %s", first, gtk_label_get_text (stage));
  g_assert_cmpstr (first, ==, "Waking up the bootloader… (1 s)");
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (bar), ==, 0);
  g_assert_cmpfloat (gtk_progress_bar_get_pulse_step (bar), >, 0);

  /* Nothing written yet: the dialog does not threaten a dead board. */
  activate (f, "win.cancel", NULL);
  g_assert_nonnull (f->window->cancel_dialog);
  body = adw_message_dialog_get_body (f->window->cancel_dialog);
  g_test_message ("cancel dialog: %s", body);
  g_assert_null (strstr (body, "will not start"));
  g_assert_nonnull (strstr (body, "Nothing has been written"));
  adw_message_dialog_response (f->window->cancel_dialog, "stop");
  wait_for_page (f, "firmware", 30);
}

/* One kind of size unit (KiB, as the regions use) everywhere; GLib puts
 * a no-break space before the unit. */
static void
test_size_units (Fixture       *f,
                 gconstpointer  data)
{
  const char *description;

  click_through (f, GLINT_DEMO_ADDRESS);
  description = adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (child (f, "firmware_group")));
  g_test_message ("firmware: %s", description);
  g_assert_nonnull (strstr (description, "64.0\u00a0KiB"));
  g_assert_null (strstr (description, "kB"));

  activate (f, "win.next", NULL);
  while (strstr (gtk_label_get_text (GTK_LABEL (child (f, "bytes_label"))), " of ") == NULL)
    {
      g_assert_cmpstr (page (f), ==, "flash");
      g_main_context_iteration (NULL, TRUE);
    }
  g_test_message ("progress: %s", gtk_label_get_text (GTK_LABEL (child (f, "bytes_label"))));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (child (f, "bytes_label"))),
                            "of 64.0\u00a0KiB"));

  wait_for_page (f, "done", 90);
  description = adw_status_page_get_description (ADW_STATUS_PAGE (child (f, "done_status")));
  g_test_message ("done: %s", description);
  g_assert_nonnull (strstr (description, "Wrote 64.0\u00a0KiB to"));
  g_assert_null (strstr (description, "kB"));
}

/* "Open With Glint" before a board is chosen: the Firmware page with
 * the plan, and Flash waits for a board. */
static void
test_open_file (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GFile) file = g_file_new_for_path (f->manifest);

  g_assert_null (f->window->address);
  glint_window_open_firmware (f->window, file);
  g_assert_cmpstr (page (f), ==, "firmware");
  wait_for_plan (f);
  g_assert_nonnull (glint_firmware_page_get_plan (f->window->firmware_page));
  g_assert_false (next_enabled (f));
  activate (f, "win.next", NULL);
  g_assert_cmpstr (page (f), ==, "firmware");

  activate (f, "win.back", NULL);
  activate (f, "win.select-board", GLINT_DEMO_ADDRESS);
  activate (f, "win.next", NULL);
  g_assert_cmpstr (page (f), ==, "firmware");
  g_assert_true (next_enabled (f));
}

static void
test_permission_page (Fixture       *f,
                      gconstpointer  data)
{
  _glint_window_show_permission_page (f->window);
  g_assert_cmpstr (page (f), ==, "permission");
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (child (f, "permission_command_label"))),
                            "dialout"));
  activate (f, "win.back", NULL);
  g_assert_cmpstr (page (f), ==, "board");
}

/* The network rows (not the placeholder), by title. */
static GtkWidget *
network_row (Fixture    *f,
             const char *name)
{
  for (GtkWidget *row = gtk_widget_get_first_child (child (f, "network_list"));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (g_object_get_data (G_OBJECT (row), "glint-url") != NULL &&
        g_str_equal (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), name))
      return row;

  return NULL;
}

/* "On the Network". With GLINT_TEST_NETWORK_BOARD (test-mdns.py runs this
 * case inside its namespace, with avahi-daemon and ser2net announcing a
 * board) the board shows up and choosing it fills in its URL; otherwise
 * (no system bus: meson's env) the list says once that network boards
 * cannot be found. */
static void
test_network_boards (Fixture       *f,
                     gconstpointer  data)
{
  const char *name = g_getenv ("GLINT_TEST_NETWORK_BOARD");
  const char *shot = g_getenv ("GLINT_TEST_NETWORK_SCREENSHOT");
  GtkWidget *list = child (f, "network_list");
  GtkWidget *row = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_cmpstr (page (f), ==, "board");
  if (name == NULL)
    {
      GtkWidget *placeholder = gtk_widget_get_first_child (list);
      const char *title;

      /* the browser's thread says so a moment later */
      while (placeholder != NULL && g_object_get_data (G_OBJECT (placeholder), "glint-url") == NULL &&
             strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (placeholder)),
                     "Network boards cannot be found") == NULL)
        {
          g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
          g_main_context_iteration (NULL, FALSE);
          placeholder = gtk_widget_get_first_child (list);
        }
      g_assert_nonnull (placeholder);
      g_assert_null (g_object_get_data (G_OBJECT (placeholder), "glint-url"));
      g_assert_null (gtk_widget_get_next_sibling (placeholder));
      title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (placeholder));
      g_assert_nonnull (strstr (title, "Network boards cannot be found"));
      g_assert_true (gtk_widget_get_visible (placeholder));
      return;
    }

  while ((row = network_row (f, name)) == NULL)
    {
      if (g_get_monotonic_time () - start > 10 * G_USEC_PER_SEC)
        g_error ("“%s” did not show up under On the Network within 10 s", name);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_test_message ("%s showed up after %.2f s: %s", name,
                  (g_get_monotonic_time () - start) / 1e6,
                  adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                            "Silicon Labs CP2102"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                            "USB 10c4:ea60"));
  if (shot != NULL)
    {
      /* for the screenshot: the page scrolled to the group */
      glint_test_spin (500);
      g_assert_true (g_spawn_command_line_sync (shot, NULL, NULL, NULL, NULL));
    }

  g_assert_false (next_enabled (f));
  g_signal_emit_by_name (row, "activated");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (_glint_window_get_remote_row (f->window))),
                   ==, g_object_get_data (G_OBJECT (row), "glint-url"));
  g_assert_true (g_str_has_prefix (f->window->address, "rfc2217://"));
  g_assert_cmpstr (f->window->address, ==, g_object_get_data (G_OBJECT (row), "glint-url"));
  g_assert_true (next_enabled (f));
}

/* A folder of stand-in ports for the port monitor (GLINT_PORTS_DIR). */
static void
fixture_setup_ports (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->ports_dir = g_dir_make_tmp ("glint-ports-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("GLINT_PORTS_DIR", f->ports_dir, TRUE);
  fixture_setup (f, data);
}

static void
fixture_teardown_ports (Fixture       *f,
                        gconstpointer  data)
{
  fixture_teardown (f, data);
  g_unsetenv ("GLINT_PORTS_DIR");
  g_rmdir (f->ports_dir);
  g_free (f->ports_dir);
}

/* The port rows (not the placeholder), by title. */
static char *
port_titles (Fixture *f)
{
  g_autoptr(GString) titles = g_string_new (NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (child (f, "ports_list"));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (g_object_get_data (G_OBJECT (row), "glint-check") != NULL)
      g_string_append_printf (titles, "%s%s", titles->len > 0 ? " " : "",
                              adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));

  return g_string_free (g_steal_pointer (&titles), FALSE);
}

/* Iterates until the port rows read @expected; returns how long it took. */
static gint64
wait_for_ports (Fixture    *f,
                const char *expected,
                guint       timeout_ms)
{
  gint64 start = g_get_monotonic_time ();

  for (;;)
    {
      g_autofree char *titles = port_titles (f);

      if (g_str_equal (titles, expected))
        return g_get_monotonic_time () - start;
      if (g_get_monotonic_time () - start > timeout_ms * 1000)
        g_error ("ports “%s” after %u ms, expected “%s”", titles, timeout_ms, expected);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* Ports come and go as they are plugged, heard through a file monitor
 * rather than by listing them over and over. */
static void
test_hotplug (Fixture       *f,
              gconstpointer  data)
{
  GlintPortMonitor *monitor = _glint_window_get_port_monitor (f->window);
  g_autofree char *usb = g_build_filename (f->ports_dir, "ttyUSB7", NULL);
  g_autofree char *acm = g_build_filename (f->ports_dir, "ttyACM0", NULL);
  g_autofree char *cp210x = g_build_filename (f->ports_dir, "ttyUSB8", NULL);
  const char *identity = "[usb]\nvid=10c4\npid=ea60\nserial=0001\n";
  const char *subtitle = NULL;
  guint before;
  gint64 took;

  g_assert_false (_glint_port_monitor_is_polling (monitor));
  while (glint_port_monitor_get_ports (monitor) == NULL)
    g_main_context_iteration (NULL, TRUE);
  wait_for_ports (f, "", 1000);

  /* Nothing happens, nothing is listed: no polling. */
  before = _glint_port_monitor_get_n_enumerations (monitor);
  glint_test_spin (2500);
  g_assert_cmpuint (_glint_port_monitor_get_n_enumerations (monitor), ==, before);

  /* Plug in two: one burst, one listing (two if the burst was split). */
  g_assert_cmpint (symlink ("/dev/null", usb), ==, 0);
  write_file (acm, "", 0);
  took = wait_for_ports (f, "ttyACM0 ttyUSB7", 1500);
  g_test_message ("two ports showed after %.0f ms", took / 1000.0);
  g_assert_cmpuint (_glint_port_monitor_get_n_enumerations (monitor), >, before);
  g_assert_cmpuint (_glint_port_monitor_get_n_enumerations (monitor), <=, before + 2);

  /* Choose one, then unplug it: it goes, and so does the choice. */
  activate (f, "win.select-board", usb);
  g_assert_cmpstr (f->window->address, ==, usb);
  g_assert_true (next_enabled (f));
  g_assert_cmpint (g_unlink (usb), ==, 0);
  took = wait_for_ports (f, "ttyACM0", 1500);
  g_test_message ("an unplugged port went after %.0f ms", took / 1000.0);
  g_assert_null (f->window->address);
  g_assert_false (next_enabled (f));

  /* A port chosen last time is chosen when it shows up. */
  _glint_window_select_board (f->window, usb);
  g_assert_null (f->window->address);
  g_assert_cmpint (symlink ("/dev/null", usb), ==, 0);
  wait_for_ports (f, "ttyACM0 ttyUSB7", 1500);
  g_assert_cmpstr (f->window->address, ==, usb);

  /* A USB port is named after its bridge and shows its serial number and
   * USB id. */
  write_file (cp210x, identity, strlen (identity));
  wait_for_ports (f, "ttyACM0 ttyUSB7 CP210x USB to UART", 1500);
  for (GtkWidget *row = gtk_widget_get_first_child (child (f, "ports_list"));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                   "CP210x USB to UART") == 0)
      subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
  g_assert_nonnull (subtitle);
  g_assert_true (g_str_has_suffix (subtitle, "ttyUSB8 · serial 0001 · USB 10c4:ea60"));

  g_unlink (usb);
  g_unlink (acm);
  g_unlink (cp210x);
}

/* Keyboard access */

static GtkWidget *
focus_widget (Fixture *f)
{
  return gtk_root_get_focus (GTK_ROOT (f->window));
}

/* The focus is @widget or inside it. */
static gboolean
focus_in (Fixture   *f,
          GtkWidget *widget)
{
  GtkWidget *focus = focus_widget (f);

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static void
assert_accel (GtkApplication *app,
              const char     *action,
              const char     *accel)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (app, action);
  guint key, want_key;
  GdkModifierType mods, want_mods;

  g_assert_true (gtk_accelerator_parse (accel, &want_key, &want_mods));
  for (guint i = 0; accels[i] != NULL; i++)
    if (gtk_accelerator_parse (accels[i], &key, &mods) && key == want_key && mods == want_mods)
      return;

  g_error ("%s has no accelerator %s", action, accel);
}

/* Every labelled button has a mnemonic; every icon button says what it
 * does (its tooltip is also its accessible name). */
static void
check_buttons (GtkWidget *widget,
               guint     *n_labelled,
               guint     *n_icons)
{
  if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL)
    {
      const char *label = gtk_button_get_label (GTK_BUTTON (widget));

      if (!gtk_button_get_use_underline (GTK_BUTTON (widget)) || strchr (label, '_') == NULL)
        g_error ("button “%s” has no mnemonic", label);
      (*n_labelled)++;
    }
  else if (GTK_IS_BUTTON (widget) && gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)) != NULL &&
           g_str_has_prefix (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), "win."))
    {
      if (gtk_widget_get_tooltip_text (widget) == NULL)
        g_error ("icon button for %s has no tooltip",
                 gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)));
      (*n_icons)++;
    }

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    check_buttons (c, n_labelled, n_icons);
}

static void
test_accels (Fixture       *f,
             gconstpointer  data)
{
  GtkWidget *overlay;
  guint n_labelled = 0, n_icons = 0;

  assert_accel (f->application, "win.next", "<Alt>Right");
  assert_accel (f->application, "win.back", "<Alt>Left");
  assert_accel (f->application, "win.open", "<Control>o");
  assert_accel (f->application, "win.open-link", "<Control>l");
  assert_accel (f->application, "win.detect", "<Control>d");
  assert_accel (f->application, "win.copy-log", "<Control><Shift>c");
  assert_accel (f->application, "win.flash-several", "<Control>m");
  assert_accel (f->application, "win.show-help-overlay", "F1");
  assert_accel (f->application, "win.show-help-overlay", "<Control>question");
  assert_accel (f->application, "window.close", "<Control>w");
  assert_accel (f->application, "app.quit", "<Control>q");

  /* Every page's buttons, shown or not. */
  check_buttons (GTK_WIDGET (f->window), &n_labelled, &n_icons);
  g_test_message ("%u labelled buttons, %u icon buttons", n_labelled, n_icons);
  g_assert_cmpuint (n_labelled, >=, 13);
  g_assert_cmpuint (n_icons, >=, 2);

  /* F1 opens the Keyboard Shortcuts window. */
  overlay = GTK_WIDGET (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (f->window)));
  g_assert_nonnull (overlay);
  g_assert_false (gtk_widget_get_visible (overlay));
  activate (f, "win.show-help-overlay", NULL);
  g_assert_true (gtk_widget_get_visible (overlay));
  gtk_window_close (GTK_WINDOW (overlay));

  /* The main menu's "Flash Several Boards…" opens its own window. */
  activate (f, "win.flash-several", NULL);
  {
    GListModel *toplevels = gtk_window_get_toplevels ();
    GtkWindow *several = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

        if (GLINT_IS_BATCH_WINDOW (w))
          several = w;
      }
    g_assert_nonnull (several);
    g_assert_true (gtk_window_get_transient_for (several) == GTK_WINDOW (f->window));
    gtk_window_destroy (several);
  }
}

/* Tabs through the window, wrapping as GtkWindow does at the end, and
 * tells whether the focus came into each of @targets. */
static void
assert_tab_reaches (Fixture    *f,
                    GtkWidget **targets)
{
  guint n = 0;
  g_autofree gboolean *reached = NULL;

  while (targets[n] != NULL)
    n++;
  reached = g_new0 (gboolean, n);

  gtk_window_set_focus (GTK_WINDOW (f->window), NULL);
  for (guint step = 0; step < 80; step++)
    {
      if (!gtk_widget_child_focus (GTK_WIDGET (f->window), GTK_DIR_TAB_FORWARD))
        {
          gtk_window_set_focus (GTK_WINDOW (f->window), NULL);
          continue;
        }
      for (guint i = 0; i < n; i++)
        reached[i] |= focus_in (f, targets[i]);
    }

  for (guint i = 0; i < n; i++)
    if (!reached[i])
      g_error ("Tab never reaches %s “%s” on the “%s” page", G_OBJECT_TYPE_NAME (targets[i]),
               gtk_widget_get_name (targets[i]), page (f));
}

static void
go_to (Fixture    *f,
       const char *name)
{
  _glint_window_go_to (f->window, name);
  glint_test_spin (400);   /* the transition */
  g_assert_cmpstr (page (f), ==, name);
}

/* Tab (as GtkWindow moves the focus) reaches what each page is for. */
static void
test_focus_chain (Fixture       *f,
                  gconstpointer  data)
{
  GtkWidget *demo_row = gtk_widget_get_ancestor (child (f, "demo_check"), ADW_TYPE_ACTION_ROW);

  activate (f, "win.select-board", GLINT_DEMO_ADDRESS);
  assert_tab_reaches (f, (GtkWidget *[]) { demo_row, child (f, "remote_row"),
                                           child (f, "detect_button"), child (f, "next_button"),
                                           NULL });

  activate (f, "win.next", NULL);
  activate (f, "win.load-firmware", f->manifest);
  wait_for_plan (f);
  glint_test_spin (400);
  /* Advanced is collapsed: its row, not the options inside. */
  assert_tab_reaches (f, (GtkWidget *[]) { child (f, "next_button"), child (f, "back_button"),
                                           gtk_widget_get_ancestor (child (f, "baud_row"),
                                                                    ADW_TYPE_EXPANDER_ROW),
                                           NULL });

  go_to (f, "done");
  assert_tab_reaches (f, (GtkWidget *[]) { child (f, "flash_another_button"), NULL });
  /* Failed and Permission start on their main button, with nothing
   * selected in their selectable text. */
  gtk_label_set_text (GTK_LABEL (child (f, "failed_details_label")), "some details");
  go_to (f, "failed");
  g_assert_true (focus_in (f, child (f, "try_again_button")));
  g_assert_false (gtk_label_get_selection_bounds (GTK_LABEL (child (f, "failed_details_label")),
                                                  NULL, NULL));
  assert_tab_reaches (f, (GtkWidget *[]) { child (f, "try_again_button"), NULL });
  go_to (f, "permission");
  g_assert_true (focus_in (f, child (f, "permission_button")));
  g_assert_false (gtk_label_get_selection_bounds (GTK_LABEL (child (f, "permission_command_label")),
                                                  NULL, NULL));
}

/* Real key presses through the X server (XTEST), by xdotool. The main
 * loop keeps running meanwhile: the Demo board lives on it, and a loader
 * that waits 0.2 s for an answer must not see the test block it. */
typedef struct
{
  gboolean  done;
  GError   *error;
} Wait;

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  g_subprocess_wait_check_finish (G_SUBPROCESS (object), result, &wait->error);
  wait->done = TRUE;
}

static gboolean
try_xdotool (const char * const *args,
             GError            **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  Wait wait = { FALSE, NULL };

  g_ptr_array_add (argv, (gpointer) "xdotool");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_NONE,
                               error);
  if (process == NULL)
    return FALSE;
  g_subprocess_wait_check_async (process, NULL, wait_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  if (wait.error != NULL)
    {
      g_propagate_error (error, wait.error);
      return FALSE;
    }
  return TRUE;
}

static void
xdotool (const char * const *args)
{
  g_autoptr(GError) error = NULL;

  if (!try_xdotool (args, &error))
    g_error ("xdotool %s: %s", args[0], error->message);
}

/* Gives @xid the keyboard focus. Without a window manager that is the
 * test's job, and X refuses it (BadMatch) until the window is viewable,
 * a little after GTK maps it: try again for a while. */
static void
focus_window (const char *xid)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 20; i++)
    {
      g_clear_error (&error);
      if (try_xdotool ((const char *[]) { "windowfocus", "--sync", xid, NULL }, &error))
        return;
      glint_test_spin (100);
    }
  g_error ("xdotool could not focus window %s: %s", xid, error->message);
}

static void
press (const char *keys)
{
  xdotool ((const char *[]) { "key", "--delay", "20", keys, NULL });
  glint_test_spin (80);
}

/* Presses Tab until the focus is in @target. */
static void
tab_to (Fixture   *f,
        GtkWidget *target)
{
  for (guint i = 0; i < 40 && !focus_in (f, target); i++)
    press ("Tab");

  if (!focus_in (f, target))
    g_error ("Tab did not reach %s on the “%s” page", G_OBJECT_TYPE_NAME (target), page (f));
}

static void
wait_until (Fixture    *f,
            gboolean  (*done) (Fixture *f),
            const char *what)
{
  glint_test_window_wait (f->window, (GlintTestCondition) (void (*) (void)) done, f, 5, what);
}

static gboolean
url_typed (Fixture *f)
{
  return g_str_equal (gtk_editable_get_text (GTK_EDITABLE (child (f, "remote_row"))),
                      "rfc2217://127.0.0.1:4000");
}

static gboolean
window_is_active (Fixture *f)
{
  return gtk_window_is_active (GTK_WINDOW (f->window));
}

static gboolean
cancel_dialog_shown (Fixture *f)
{
  return f->window->cancel_dialog != NULL;
}

/* The Demo board flashed with the keyboard alone: Tab, space, Enter,
 * Escape and the shortcuts. Only the firmware comes in by "Open With". */
static void
test_keyboard_flash (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GFile) file = g_file_new_for_path (f->manifest);
  GtkWidget *demo_row = gtk_widget_get_ancestor (child (f, "demo_check"), ADW_TYPE_ACTION_ROW);
  GtkWidget *next = child (f, "next_button");
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (f->window));
  g_autofree char *xid = NULL;
  g_autofree char *xdotool_path = g_find_program_in_path ("xdotool");

  if (xdotool_path == NULL)
    {
      g_test_skip ("xdotool is not installed (build-aux/dev installs it)");
      return;
    }

  xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (surface));
  focus_window (xid);
  wait_until (f, window_is_active, "the window to get the keyboard focus");

  glint_window_open_firmware (f->window, file);
  wait_for_plan (f);
  g_assert_cmpstr (page (f), ==, "firmware");

  /* Alt+Left: back to the board. */
  press ("alt+Left");
  g_assert_cmpstr (page (f), ==, "board");

  /* A URL, and Enter goes on with it. */
  tab_to (f, GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (child (f, "remote_row")))));
  xdotool ((const char *[]) { "type", "--delay", "10", "rfc2217://127.0.0.1:4000", NULL });
  wait_until (f, url_typed, "the URL to be typed");
  g_assert_cmpstr (f->window->address, ==, "rfc2217://127.0.0.1:4000");
  press ("Return");
  g_assert_cmpstr (page (f), ==, "firmware");

  /* Escape: back again, and choose the Demo board with space. */
  press ("Escape");
  g_assert_cmpstr (page (f), ==, "board");
  tab_to (f, demo_row);
  press ("space");
  g_assert_cmpstr (f->window->address, ==, GLINT_DEMO_ADDRESS);

  tab_to (f, next);
  press ("Return");
  g_assert_cmpstr (page (f), ==, "firmware");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (next)), ==, "_Flash");

  /* 115200 baud: time to ask the question below while it flashes. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (f, "baud_row")), 1);
  tab_to (f, next);
  press ("space");
  if (g_strcmp0 (page (f), "failed") == 0)
    g_error ("flashing failed: %s",
             gtk_label_get_text (GTK_LABEL (child (f, "failed_details_label"))));
  g_assert_cmpstr (page (f), ==, "flash");

  /* Ctrl+W mid-flash asks first, and keeps the window. (The answer is
   * not typed: without a window manager the question's window gets the
   * keyboard only by the test's hand, which makes for a flaky test.) */
  press ("ctrl+w");
  wait_until (f, cancel_dialog_shown, "Ctrl+W to ask before stopping");
  {
    GtkWindow *dialog = GTK_WINDOW (f->window->cancel_dialog);

    adw_message_dialog_response (f->window->cancel_dialog, "continue");
    gtk_window_close (dialog);
  }
  g_assert_null (f->window->cancel_dialog);
  if (g_strcmp0 (page (f), "failed") == 0)
    g_error ("flashing failed while asked to stop: %s",
             gtk_label_get_text (GTK_LABEL (child (f, "failed_details_label"))));
  g_assert_cmpstr (page (f), ==, "flash");
  g_assert_nonnull (f->window->flash_cancellable);
  focus_window (xid);
  wait_until (f, window_is_active, "the window to get the keyboard focus back");

  wait_for_page (f, "done", 90);
  glint_test_spin (400);

  /* The keyboard starts on Flash Another Board; Enter presses it. */
  g_assert_true (focus_in (f, child (f, "flash_another_button")));
  press ("Return");
  g_assert_cmpstr (page (f), ==, "board");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  glint_sim_stream_register ();
  adw_init ();

#define ADD(path, func) \
  g_test_add ("/glint/window/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("demo-flash", test_demo_flash);
  ADD ("web-installer", test_web_installer);
  ADD ("sample-firmware", test_sample_firmware);
  ADD ("backup-restore", test_backup_restore);
  ADD ("failed-restore", test_failed_restore);
  ADD ("retry-keeps-backup", test_retry_keeps_backup);
  ADD ("disconnect-fails", test_disconnect_fails);
  ADD ("secure-download-not-done", test_secure_download_not_done);
  ADD ("wrong-revision", test_wrong_revision);
  ADD ("rfc2217-flash", test_rfc2217_flash);
  ADD ("backup-and-reflash", test_backup_and_reflash);
  ADD ("rfc2217-server-killed", test_rfc2217_server_killed);
  ADD ("reconnect", test_reconnect);
  ADD ("invalid-url", test_invalid_url);
  ADD ("bad-firmware", test_bad_firmware);
  ADD ("raw-file-offset", test_raw_file_offset);
  ADD ("other-formats", test_other_formats);
  ADD ("flash-settings", test_flash_settings);
  ADD ("cancel", test_cancel);
  ADD ("detect", test_detect);
  ADD ("open-file", test_open_file);
  ADD ("permission-page", test_permission_page);
  ADD ("failed-wrong-chip", test_failed_wrong_chip);
  ADD ("failed-regions-accumulate", test_failed_regions_accumulate);
  ADD ("detect-fails", test_detect_fails);
  ADD ("waiting-for-bootloader", test_waiting_for_bootloader);
  ADD ("size-units", test_size_units);
  ADD ("network-boards", test_network_boards);
  g_test_add ("/glint/window/failed-port-busy", Fixture, NULL, fixture_setup_ports,
              test_failed_port_busy, fixture_teardown_ports);

  g_test_add ("/glint/window/hotplug", Fixture, NULL, fixture_setup_ports, test_hotplug,
              fixture_teardown_ports);

  g_test_add ("/glint/window/accels", Fixture, WITH_APP, fixture_setup, test_accels,
              fixture_teardown);
  ADD ("focus-chain", test_focus_chain);
  g_test_add ("/glint/window/keyboard-flash", Fixture, WITH_APP, fixture_setup,
              test_keyboard_flash, fixture_teardown);

#undef ADD

  return g_test_run ();
}
