/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "glint-application.h"
#include "glint-sim-stream.h"
#include "glint-test-contents.h"
#include "glint-test-utils.h"
#include "glint-test-window.h"
#include "glint-window-private.h"

/* What is on the board, in the window: Board Details lists the
 * partitions Detect read, erases one after a confirmation that names
 * what is lost; the Firmware page says which app a file replaces; Flash
 * asks first when the board would not start the firmware. Under Xvfb,
 * like test-window. */

typedef struct
{
  GlintWindow *window;
  char        *dir;
  char        *flash_path;   /* a full build, for sim:// flash= */
  char        *app_path;     /* a lone app, wled 0.16.0 */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new (GLINT_SETTINGS_SCHEMA);
  g_autofree guint8 *flash = full_build (0);
  g_autoptr(GBytes) app = app_image ("wled", "0.16.0");

  g_settings_reset (settings, "last-address");
  f->dir = g_dir_make_tmp ("glint-window-contents-XXXXXX", &error);
  g_assert_no_error (error);
  f->flash_path = g_build_filename (f->dir, "flash.bin", NULL);
  g_file_set_contents (f->flash_path, (const char *) flash, FLASH_SIZE, &error);
  g_assert_no_error (error);
  f->app_path = g_build_filename (f->dir, "app.bin", NULL);
  g_file_set_contents (f->app_path, g_bytes_get_data (app, NULL), g_bytes_get_size (app),
                       &error);
  g_assert_no_error (error);

  f->window = g_object_ref_sink (glint_window_new (NULL));
  glint_test_window_show (GTK_WINDOW (f->window));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  glint_test_window_destroy (&f->window);

  g_unlink (f->flash_path);
  g_unlink (f->app_path);
  g_rmdir (f->dir);
  g_free (f->flash_path);
  g_free (f->app_path);
  g_free (f->dir);
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

typedef gboolean (*Condition) (Fixture *f);

static void
wait_until (Fixture    *f,
            Condition   done,
            const char *what)
{
  glint_test_window_wait (f->window, (GlintTestCondition) (void (*) (void)) done, f, 30, what);
}

static gboolean
detected (Fixture *f)
{
  return glint_board_page_get_board_info (f->window->board_page) != NULL &&
         !glint_wizard_page_get_applying (GLINT_WIZARD_PAGE (f->window->board_page));
}

static gboolean
plan_loaded (Fixture *f)
{
  return glint_firmware_page_get_plan (f->window->firmware_page) != NULL &&
         gtk_widget_get_first_child (child (f, "regions_list")) != NULL;
}

static gboolean
erase_asked (Fixture *f)
{
  return _glint_board_page_get_erase_dialog (f->window->board_page) != NULL;
}

static gboolean
boot_asked (Fixture *f)
{
  return f->window->boot_dialog != NULL;
}

static gboolean
done_page (Fixture *f)
{
  return g_strcmp0 (_glint_window_get_page (f->window), "done") == 0;
}

static AdwActionRow *
partition_row (Fixture    *f,
               const char *name)
{
  for (GtkWidget *row = gtk_widget_get_first_child (child (f, "contents_list"));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    if (g_str_equal (gtk_widget_get_name (row), name))
      return ADW_ACTION_ROW (row);
  g_error ("no row for partition %s", name);
}

static void
assert_has (const char *text,
            const char *part)
{
  if (text == NULL || strstr (text, part) == NULL)
    g_error ("“%s” not in “%s”", part, text);
}

static void
detect (Fixture    *f,
        const char *address)
{
  activate (f, "win.select-board", address);
  activate (f, "win.detect", NULL);
  wait_until (f, detected, "Detect");
}

/* Board Details: the partitions, their apps, which one starts; erasing
 * otadata asks first, names what is lost, and the factory app starts. */
static void
test_board_details (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *address = g_strdup_printf ("sim://esp32?time-scale=0&board=details&flash=%s",
                                              f->flash_path);
  AdwMessageDialog *dialog;
  const GlintBoardContents *contents;

  detect (f, address);
  g_assert_true (gtk_widget_get_visible (child (f, "contents_group")));
  assert_has (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (child (f, "contents_group"))),
              "6 partitions at 0x8000; ota_0 starts wled 0.14.0");
  assert_has (adw_action_row_get_subtitle (partition_row (f, "ota_0")),
              "0x110000 · 1.0\u00a0MiB · wled 0.14.0 (ESP-IDF v4.4.7, 2025-01-20) · starts");
  assert_has (adw_action_row_get_subtitle (partition_row (f, "factory")),
              "wled 0.15.0 (ESP-IDF v4.4.7, 2025-01-20)");
  assert_has (adw_action_row_get_subtitle (partition_row (f, "nvs")), "data/nvs");

  /* cancelling erases nothing */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window->board_page),
                                             "board.erase-partition", "s", "otadata"));
  wait_until (f, erase_asked, "the erase confirmation");
  dialog = _glint_board_page_get_erase_dialog (f->window->board_page);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Erase “otadata”?");
  assert_has (adw_message_dialog_get_body (dialog),
              "This erases 8.0\u00a0KiB at 0xd000 and loses which OTA update starts: factory "
              "starts next.");
  adw_message_dialog_response (dialog, "cancel");
  g_assert_false (glint_wizard_page_get_applying (GLINT_WIZARD_PAGE (f->window->board_page)));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window->board_page),
                                             "board.erase-partition", "s", "otadata"));
  wait_until (f, erase_asked, "the erase confirmation");
  adw_message_dialog_response (_glint_board_page_get_erase_dialog (f->window->board_page),
                               "erase");
  g_assert_true (glint_wizard_page_get_applying (GLINT_WIZARD_PAGE (f->window->board_page)));
  /* the erase, then Detect again */
  while (glint_wizard_page_get_applying (GLINT_WIZARD_PAGE (f->window->board_page)) ||
         glint_board_page_get_board_info (f->window->board_page) == NULL)
    g_main_context_iteration (NULL, TRUE);
  contents = glint_board_page_get_board_info (f->window->board_page)->contents;
  g_assert_cmpstr (glint_board_contents_booting (contents)->partition.name, ==, "factory");
  assert_has (adw_action_row_get_subtitle (partition_row (f, "factory")), "· starts");
}

static gboolean
page_idle (Fixture *f)
{
  return !glint_wizard_page_get_applying (GLINT_WIZARD_PAGE (f->window->board_page));
}

/* Save a partition to a file: the bytes the board holds there. */
static void
test_save_partition (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *address = g_strdup_printf ("sim://esp32?time-scale=0&flash=%s",
                                              f->flash_path);
  g_autofree char *path = g_build_filename (f->dir, "nvs.bin", NULL);
  g_autofree guint8 *flash = full_build (0);
  g_autofree char *saved = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  detect (f, address);
  glint_board_page_save_partition (f->window->board_page, "nvs", path);
  g_assert_true (glint_wizard_page_get_applying (GLINT_WIZARD_PAGE (f->window->board_page)));
  wait_until (f, page_idle, "the read");
  g_file_get_contents (path, &saved, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (saved, len, flash + 0x9000, 0x4000);
  g_unlink (path);
}

/* The Firmware page names the file's app, and the one it replaces. */
static void
test_firmware_replaces (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *address = g_strdup_printf ("sim://esp32?time-scale=0&flash=%s",
                                              f->flash_path);
  GtkWidget *row;

  detect (f, address);
  activate (f, "win.next", NULL);
  activate (f, "win.load-firmware", f->app_path);
  wait_until (f, plan_loaded, "the firmware");
  row = gtk_widget_get_first_child (child (f, "regions_list"));
  assert_has (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
              "wled 0.16.0 (ESP-IDF v4.4.7, 2025-01-20) · replaces wled 0.15.0");
}

/* README's first run: a lone app onto the blank Demo board. Flash asks
 * first; Cancel stays, Flash Anyway flashes. */
static void
test_boot_check (Fixture       *f,
                 gconstpointer  data)
{
  AdwMessageDialog *dialog;
  const char *summary;

  activate (f, "win.select-board", GLINT_DEMO_ADDRESS);
  activate (f, "win.next", NULL);
  activate (f, "win.load-firmware", f->app_path);
  wait_until (f, plan_loaded, "the firmware");

  activate (f, "win.next", NULL);
  wait_until (f, boot_asked, "the boot check");
  dialog = f->window->boot_dialog;
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==,
                   "The Board Will Not Start This Firmware");
  assert_has (adw_message_dialog_get_body (dialog),
              "There is no bootloader at 0x1000 and no partition table at 0x8000, neither on "
              "the board nor in what is written; flash the whole build folder or a merged "
              "image.");
  adw_message_dialog_response (dialog, "cancel");
  g_assert_cmpstr (_glint_window_get_page (f->window), ==, "firmware");
  g_assert_null (f->window->flasher);

  activate (f, "win.next", NULL);
  wait_until (f, boot_asked, "the boot check, again");
  adw_message_dialog_response (f->window->boot_dialog, "flash");
  wait_until (f, done_page, "the Done page");

  /* Done says what the check found, not that the board restarted with
   * it, and offers the next step first */
  summary = adw_status_page_get_description (ADW_STATUS_PAGE (child (f, "done_status")));
  assert_has (summary, "The board will not start this firmware: there is no bootloader at "
                       "0x1000 and no partition table at 0x8000");
  g_assert_null (strstr (summary, "restarted"));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (child (f, "done_status"))), ==,
                   "Written, but It Will Not Start");
  g_assert_true (gtk_widget_get_visible (child (f, "firmware_button")));
  g_assert_true (glint_wizard_page_get_default_widget (GLINT_WIZARD_PAGE (f->window->done_page))
                 == child (f, "firmware_button"));
  g_signal_emit_by_name (child (f, "firmware_button"), "clicked");
  g_assert_cmpstr (_glint_window_get_page (f->window), ==, "firmware");
}

/* A lone app onto a board whose bootloader and table start it: no
 * question, and Done says the board restarted with it, as the check
 * found (the plan alone brought no bootloader). */
static void
test_done_restarted (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *address = g_strdup_printf ("sim://esp32?time-scale=0&flash=%s",
                                              f->flash_path);
  const char *summary;

  detect (f, address);
  activate (f, "win.next", NULL);
  activate (f, "win.load-firmware", f->app_path);
  wait_until (f, plan_loaded, "the firmware");
  activate (f, "win.next", NULL);
  wait_until (f, done_page, "the Done page");
  g_assert_null (f->window->boot_dialog);

  summary = adw_status_page_get_description (ADW_STATUS_PAGE (child (f, "done_status")));
  assert_has (summary, "The board has restarted with the new firmware.");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (child (f, "done_status"))), ==,
                   "Flashing Complete");
  g_assert_false (gtk_widget_get_visible (child (f, "firmware_button")));
}

static gboolean
port_chosen (Fixture *f)
{
  return f->window->address != NULL && g_str_has_suffix (f->window->address, "ttyUSB0");
}

/* Whether this process still holds the port: Glint locks what it opens */
static gboolean
port_held (const char *path)
{
  int fd = open (path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  gboolean held;

  g_assert_cmpint (fd, >=, 0);
  held = flock (fd, LOCK_EX | LOCK_NB) < 0;
  close (fd);
  return held;
}

/* When Detect starts after the erase: 1 if the port is free for it, 2 if
 * the erase's job still holds it */
static void
on_applying_cb (GlintWizardPage *page,
                GParamSpec      *pspec,
                guint           *seen)
{
  if (glint_wizard_page_get_applying (page))
    *seen = port_held (g_object_get_data (G_OBJECT (page), "test-link")) ? 2 : 1;
}

/* Detect's row says what it found, or why it found nothing */
static void
assert_no_busy (Fixture *f)
{
  const char *text = adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "detect_row")));

  if (strstr (text, "in use") != NULL)
    g_error ("Detect found the port busy: %s", text);
}


/* Board Details on a board behind a real port (a pty, locked while it is
 * open): Save… and Erase… let go of it as they end, so that the Detect an
 * erase starts and the next one find it free, not "in use". */
static void
test_port_released (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *ports = g_build_filename (f->dir, "ports", NULL);
  g_autofree char *link = g_build_filename (ports, "ttyUSB0", NULL);
  const char *args[] = { "--pty", "--link", link, "--flash", f->flash_path,
                         "-o", "boot=download", "-o", "time-scale=0", NULL };
  g_autoptr(GSubprocess) board = NULL;
  g_autofree char *path = g_build_filename (f->dir, "phy_init.bin", NULL);
  g_autoptr(GError) error = NULL;
  const GlintBoardContents *contents;
  guint held_at_detect = 0;

  g_assert_cmpint (g_mkdir (ports, 0700), ==, 0);
  g_setenv ("GLINT_PORTS_DIR", ports, TRUE);
  board = glint_test_spawn_sim_server (args, NULL);
  glint_board_page_refresh_ports (f->window->board_page);
  activate (f, "win.select-board", link);
  wait_until (f, port_chosen, "the port");
  detect (f, link);

  glint_board_page_save_partition (f->window->board_page, "phy_init", path);
  wait_until (f, page_idle, "the read");
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_false (port_held (link));
  /* Detect at once, as a person might press it */
  glint_board_page_detect (f->window->board_page);
  wait_until (f, page_idle, "Detect after the read");
  assert_no_busy (f);

  glint_board_page_erase_partition (f->window->board_page, "otadata");
  g_assert_true (glint_wizard_page_get_applying (GLINT_WIZARD_PAGE (f->window->board_page)));
  /* the erase, then Detect again, at once: on the port the erase just had */
  g_object_set_data_full (G_OBJECT (f->window->board_page), "test-link", g_strdup (link), g_free);
  g_signal_connect (f->window->board_page, "notify::applying",
                    G_CALLBACK (on_applying_cb), &held_at_detect);
  wait_until (f, page_idle, "the erase and Detect");
  g_signal_handlers_disconnect_by_data (f->window->board_page, &held_at_detect);
  g_assert_cmpuint (held_at_detect, ==, 1);   /* seen once, and the port was free */
  assert_no_busy (f);
  g_assert_false (port_held (link));
  contents = glint_board_page_get_board_info (f->window->board_page)->contents;
  g_assert_cmpstr (glint_board_contents_booting (contents)->partition.name, ==, "factory");

  g_subprocess_send_signal (board, SIGTERM);
  g_subprocess_wait_check (board, NULL, &error);
  g_assert_no_error (error);
  g_unsetenv ("GLINT_PORTS_DIR");
  g_unlink (path);
  g_unlink (link);
  g_rmdir (ports);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  glint_sim_stream_register ();

  g_test_add ("/glint/window-contents/board-details", Fixture, NULL, fixture_setup,
              test_board_details, fixture_teardown);
  g_test_add ("/glint/window-contents/save-partition", Fixture, NULL, fixture_setup,
              test_save_partition, fixture_teardown);
  g_test_add ("/glint/window-contents/port-released", Fixture, NULL, fixture_setup,
              test_port_released, fixture_teardown);
  g_test_add ("/glint/window-contents/firmware-replaces", Fixture, NULL, fixture_setup,
              test_firmware_replaces, fixture_teardown);
  g_test_add ("/glint/window-contents/boot-check", Fixture, NULL, fixture_setup,
              test_boot_check, fixture_teardown);
  g_test_add ("/glint/window-contents/done-restarted", Fixture, NULL, fixture_setup,
              test_done_restarted, fixture_teardown);

  return g_test_run ();
}
