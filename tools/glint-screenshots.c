/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <libsoup/soup.h>

#include "glint-batch-window.h"
#include "glint-partitions.h"
#include "glint-sim-stream.h"
#include "glint-test-contents.h"
#include "glint-test-image.h"
#include "glint-test-utils.h"
#include "glint-window-private.h"

/* Walks the window through every page and has ImageMagick's `import`
 * grab the window each time. Run by tools/screenshots.sh inside Xvfb. */

static const char *out_dir;
static GlintWindow *window;

static void
spin (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
}

static void
wait_until (gboolean (*done) (void),
            guint      timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;

  while (!done ())
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out on page %s", _glint_window_get_page (window));
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
shoot_window (const char *name,
              const char *x_window)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.png", out_dir, name);
  g_autofree char *command = NULL;

  /* Let the slide transition finish and the frame reach the X server. */
  spin (900);
  command = g_strdup_printf ("import -window %s '%s'", x_window, path);
  if (system (command) != 0)
    g_error ("“%s” failed", command);
  g_print ("%s\n", path);
}

static void
shoot (const char *name)
{
  shoot_window (name, "Glint");
}

static gboolean
boot_asked (void)
{
  return window->boot_dialog != NULL;
}

static void
write_file (const char *dir,
            const char *name,
            GBytes     *bytes)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                            &error))
    g_error ("%s", error->message);
}

static GBytes *
noisy (GBytes *image,
       gsize   from)
{
  gsize len;
  guint8 *data = g_bytes_unref_to_data (image, &len);
  GRand *rand = g_rand_new_with_seed (7);

  for (gsize i = from; i < len; i++)
    data[i] = g_rand_int (rand) & 0xFF;
  g_rand_free (rand);
  return g_bytes_new_take (data, len);
}

/* An ESP-IDF-like project: bootloader, partition table, app. */
/* A board that holds a whole ESP-IDF build, for Board Details. */
static char *
make_full_board (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *flash = full_build (0);
  char *path = g_build_filename (g_get_tmp_dir (), "glint-shots-board.bin", NULL);

  g_file_set_contents (path, (const char *) flash, FLASH_SIZE, &error);
  if (error != NULL)
    g_error ("%s", error->message);
  return path;
}

static char *
make_firmware (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-shots-XXXXXX", &error);
  TestImageSpec boot = { .chip_id = 0, .seg_len = 1024, .total_len = 24 * 1024 };
  GlintAppDesc desc = { .version = "1.0", .project_name = "blink", .time = "12:00:00",
                        .date = "Jan  1 2026", .idf_ver = "v5.1.2" };
  guint8 desc_bytes[GLINT_APP_DESC_SIZE];
  TestImageSpec app = { .chip_id = 0, .hash = TRUE, .desc = desc_bytes, .seg_len = 2048,
                        .total_len = 192 * 1024 };
  g_autoptr(GArray) partitions = glint_partition_table_new_default (FALSE);
  g_autoptr(GBytes) table_bytes = NULL;
  const char *manifest =
    "{\"name\": \"Blink\", \"version\": \"1.0\", \"builds\": [{\"chipFamily\": \"ESP32\", "
    "\"parts\": [{\"path\": \"bootloader.bin\", \"offset\": 4096},"
    "{\"path\": \"partition-table.bin\", \"offset\": 32768},"
    "{\"path\": \"blink.bin\", \"offset\": 65536}]}]}";
  g_autoptr(GBytes) manifest_bytes = g_bytes_new_static (manifest, strlen (manifest));
  g_autoptr(GBytes) boot_bytes = test_image_build (&boot);
  g_autoptr(GBytes) app_bytes = NULL;

  glint_app_desc_build (&desc, desc_bytes);
  app_bytes = noisy (test_image_build (&app), 8 * 1024);

  if (dir == NULL)
    g_error ("%s", error->message);

  /* a real table: the Demo board boots what it is given */
  table_bytes = glint_partition_table_build ((const GlintPartition *) partitions->data,
                                             partitions->len, TRUE);

  write_file (dir, "bootloader.bin", boot_bytes);
  write_file (dir, "partition-table.bin", table_bytes);
  write_file (dir, "blink.bin", app_bytes);
  write_file (dir, "manifest.json", manifest_bytes);

  return g_build_filename (dir, "manifest.json", NULL);
}

static AdwComboRow *
baud_row (void)
{
  return ADW_COMBO_ROW (gtk_widget_get_template_child (GTK_WIDGET (window->firmware_page),
                                                       GLINT_TYPE_FIRMWARE_PAGE, "baud_row"));
}

static GtkWidget *
wifi_child (const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window->wifi_page),
                                                    GLINT_TYPE_WIFI_PAGE, name));
}

static gboolean
wifi_offered (void)
{
  return glint_done_page_get_wifi_offered (window->done_page);
}

static gboolean
wifi_settled (void)
{
  return g_strcmp0 (glint_wifi_page_get_state (window->wifi_page), "busy") != 0;
}

static gboolean
on_board (void)
{
  return g_strcmp0 (_glint_window_get_page (window), "board") == 0 &&
         !glint_wizard_page_get_applying (GLINT_WIZARD_PAGE (window->board_page));
}

static gboolean
plan_loaded (void)
{
  return !glint_wizard_page_get_applying (GLINT_WIZARD_PAGE (window->firmware_page));
}

static gboolean
half_written (void)
{
  GlintFlasher *flasher = _glint_window_get_flasher (window);

  return flasher != NULL && glint_flasher_get_fraction (flasher) > 0.45;
}

static gboolean
on_done (void)
{
  return g_strcmp0 (_glint_window_get_page (window), "done") == 0;
}

static gboolean
on_failed (void)
{
  return g_strcmp0 (_glint_window_get_page (window), "failed") == 0;
}

/* The whole screen: the window with a dialog over it. */
static void
shoot_screen (const char *name)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.png", out_dir, name);
  g_autofree char *command = NULL;

  spin (900);
  command = g_strdup_printf ("import -window root '%s'", path);
  if (system (command) != 0)
    g_error ("“%s” failed", command);
  g_print ("%s\n", path);
}

/* A web installer for the shots: the files next to @manifest, its
 * manifest with a version and the erase question. */
static void
web_handler (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  const char *dir = user_data;
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *file = g_build_filename (dir, base, NULL);
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (file, &contents, &len, NULL))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  if (g_str_equal (base, "manifest.json"))
    {
      g_autofree char *old = g_steal_pointer (&contents);

      contents = g_strdup_printf ("{\"new_install_prompt_erase\": true, %s", strchr (old, '{') + 1);
      len = strlen (contents);
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, contents, len);
}

static AdwMessageDialog *question;

static gboolean
asks_question (void)
{
  question = glint_firmware_page_get_question_dialog (window->firmware_page);
  return question != NULL;
}

/* Local ports worth showing on the Board page, whatever this machine has
 * (GLINT_PORTS_DIR, GLINT_SYSFS_ROOT, GLINT_PROC_ROOT): an adapter, the
 * chip's own USB, a port minicom holds, and a CH340 that brltty took. */
static char *
make_ports (void)
{
  g_autofree char *root = g_dir_make_tmp ("glint-XXXXXX", NULL);
  g_autofree char *dev = g_build_filename (root, "dev", NULL);
  g_autofree char *sys = g_build_filename (root, "sys", NULL);
  g_autofree char *proc = g_build_filename (root, "proc", NULL);
  g_autofree char *busy = g_build_filename (dev, "ttyS0", NULL);
  g_autofree char *busy_fd = g_build_filename (proc, "2317", "fd", "3", NULL);

  glint_test_put_file (dev, "ttyUSB0", "[usb]\nvid=10c4\npid=ea60\nserial=0001\n"
                                       "product=CP2102N USB to UART Bridge Controller\n");
  glint_test_put_file (dev, "ttyACM0", "[usb]\nvid=303a\npid=1001\nserial=F4:12:FA:C0:FF:EE\n"
                                       "product=USB JTAG/serial debug unit\n");
  glint_test_put_file (proc, "2317/comm", "minicom\n");
  {
    g_autofree char *fd_dir = g_path_get_dirname (busy_fd);

    g_mkdir_with_parents (fd_dir, 0755);
  }
  /* the computer's own UART, which minicom has open (a character device
   * stands in for it) */
  if (symlink ("/dev/null", busy) != 0 || symlink ("/dev/null", busy_fd) != 0)
    g_error ("cannot link %s", busy_fd);
  glint_test_put_file (sys, "bus/usb/devices/1-4/idVendor", "1a86\n");
  glint_test_put_file (sys, "bus/usb/devices/1-4/idProduct", "7523\n");
  glint_test_put_file (proc, "812/comm", "brltty\n");

  g_setenv ("GLINT_PORTS_DIR", dev, TRUE);
  g_setenv ("GLINT_SYSFS_ROOT", sys, TRUE);
  g_setenv ("GLINT_PROC_ROOT", proc, TRUE);

  return g_steal_pointer (&root);
}

static void
act (const char *action,
     const char *param)
{
  if (param != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), action, "s", param);
  else
    gtk_widget_activate_action (GTK_WIDGET (window), action, NULL);
}

static GlintBatchWindow *batch_window;

/* three of the four boards done, the slow one writing */
static gboolean
batch_mostly_done (void)
{
  GlintFlashBatch *batch = glint_batch_window_get_batch (batch_window);
  guint ended = 0;

  for (guint i = 0; batch != NULL && i < glint_flash_batch_get_n_boards (batch); i++)
    {
      GlintFlasher *flasher = glint_flash_batch_get_flasher (batch, i);

      if (glint_flash_batch_get_result (batch, i) != GLINT_BATCH_RESULT_RUNNING)
        ended++;
      else if (glint_flasher_get_fraction (flasher) < 0.4)
        return FALSE;
    }
  return ended == 3;
}

/* 7. Flash Several Boards: four simulated boards behind ptys, listed as
 * the connected ports; the third one's flash ignores writes to the app,
 * the fourth is slow. */
static void
shoot_several_boards (const char *firmware_dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-shots-ports-XXXXXX", &error);
  g_autofree char *app = g_build_filename (firmware_dir, "blink.bin", NULL);
  g_autofree char *log = g_build_filename (firmware_dir, "results.csv", NULL);
  GSubprocess *servers[4];

  if (dir == NULL)
    g_error ("%s", error->message);
  g_setenv ("GLINT_PORTS_DIR", dir, TRUE);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *link = g_strdup_printf ("%s/ttyUSB%u", dir, i);
      g_autofree char *seed = g_strdup_printf ("seed=%u", i + 11);
      const char *args[] = { "--pty", "--link", link, "-o", "boot=download", "-o", seed,
                             "-o", i == 3 ? "time-scale=1" : "time-scale=0", "-o",
                             i == 2 ? "write-protect=0x10000-0x11000" : seed, NULL };

      servers[i] = glint_test_spawn_sim_server (args, NULL);
    }

  batch_window = glint_batch_window_new (GTK_WINDOW (window), NULL, NULL);
  glint_batch_window_set_log_path (batch_window, log);
  if (!glint_batch_window_load_firmware (batch_window, app, &error))
    g_error ("%s", error->message);
  gtk_window_set_default_size (GTK_WINDOW (batch_window), 720, 640);
  gtk_window_present (GTK_WINDOW (batch_window));
  spin (800);
  gtk_widget_activate_action (GTK_WIDGET (batch_window), "batch.flash-all", NULL);
  wait_until (batch_mostly_done, 60);
  /* by its title, in the language it is shown in */
  {
    g_autofree char *title = g_shell_quote (gtk_window_get_title (GTK_WINDOW (batch_window)));

    shoot_window ("7-several-boards", title);
  }

  gtk_window_destroy (GTK_WINDOW (batch_window));
  for (guint i = 0; i < 4; i++)
    {
      g_subprocess_send_signal (servers[i], SIGTERM);
      g_subprocess_wait (servers[i], NULL, NULL);
      g_object_unref (servers[i]);
    }
  g_unsetenv ("GLINT_PORTS_DIR");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *manifest = NULL;
  g_autofree char *ports = NULL;

  if (argc != 2)
    {
      g_printerr ("usage: %s OUTPUT-DIR\n", argv[0]);
      return 2;
    }
  out_dir = argv[1];

  /* the window in the language LANGUAGE names, from the build's catalogues
   * (tools/screenshots.sh sets GLINT_LOCALEDIR), as src/ui/main.c does */
  setlocale (LC_ALL, "");
  if (g_getenv ("GLINT_LOCALEDIR") != NULL)
    bindtextdomain (GETTEXT_PACKAGE, g_getenv ("GLINT_LOCALEDIR"));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gtk_init ();
  adw_init ();
  glint_sim_stream_register ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", TRUE, NULL);

  /* AdwApplication loads this in the app. */
  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, "/io/github/glintapp/Glint/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

  manifest = make_firmware ();
  ports = make_ports ();
  window = glint_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 640);
  gtk_window_present (GTK_WINDOW (window));
  spin (500);

  /* 1. Board, with the Demo board detected */
  act ("win.select-board", GLINT_DEMO_ADDRESS);
  act ("win.detect", NULL);
  spin (100);
  wait_until (on_board, 30);
  shoot ("1-board");

  /* 1c. A board that holds a build: its partitions and apps */
  {
    g_autofree char *board = make_full_board ();
    g_autofree char *address = g_strdup_printf ("sim://esp32?boot=normal&flash=%s", board);

    act ("win.select-board", address);
    act ("win.detect", NULL);
    spin (100);
    wait_until (on_board, 30);
    {
      /* down to the partitions */
      GtkWidget *group = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window->board_page),
                                                                    GLINT_TYPE_BOARD_PAGE,
                                                                    "contents_group"));
      GtkWidget *scrolled = gtk_widget_get_ancestor (group, GTK_TYPE_SCROLLED_WINDOW);
      GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

      spin (300);
      gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) -
                                     gtk_adjustment_get_page_size (adj));
    }
    shoot ("1c-board-contents");
    g_unlink (board);
    act ("win.select-board", GLINT_DEMO_ADDRESS);
  }

  /* 1a. A board in secure download mode with flash encryption on */
  act ("win.select-board", "sim://esp32s3?boot=normal&secure-download=on&secure-boot=on&"
                           "flash-crypt-cnt=1");
  act ("win.detect", NULL);
  spin (100);
  wait_until (on_board, 30);
  shoot ("1a-board-secure");
  act ("win.select-board", GLINT_DEMO_ADDRESS);

  /* 1b. A URL that cannot be used */
  gtk_editable_set_text (GTK_EDITABLE (_glint_window_get_remote_row (window)), "rfc2217://raspberrypi.local");
  shoot ("1b-board-invalid-url");
  act ("win.select-board", GLINT_DEMO_ADDRESS);
  gtk_editable_set_text (GTK_EDITABLE (_glint_window_get_remote_row (window)), "");

  /* 2. Firmware: empty, then the plan */
  act ("win.next", NULL);
  shoot ("2-firmware-empty");
  /* the Demo board's sample firmware: a build for every chip */
  act ("win.load-sample", NULL);
  spin (100);
  wait_until (plan_loaded, 30);
  shoot ("2a-firmware-sample");
  act ("win.load-firmware", manifest);
  wait_until (plan_loaded, 30);
  shoot ("2b-firmware");
  {
    GtkWidget *advanced = gtk_widget_get_ancestor (GTK_WIDGET (baud_row ()),
                                                   ADW_TYPE_EXPANDER_ROW);

    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (advanced), TRUE);
    shoot ("2c-firmware-advanced");
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (advanced), FALSE);
  }

  /* 2d. An app alone onto the blank Demo board: it would not start
   * (the dialog is a window of its own: the whole screen) */
  {
    g_autofree char *dir = g_path_get_dirname (manifest);
    g_autofree char *lone = g_build_filename (dir, "lone-app.bin", NULL);
    g_autoptr(GBytes) app = glint_test_app_image ("blink");

    write_file (dir, "lone-app.bin", app);
    act ("win.load-firmware", lone);
    spin (100);
    wait_until (plan_loaded, 30);
    act ("win.next", NULL);
    wait_until (boot_asked, 30);
    shoot_window ("2d-boot-check", "root -crop 720x640+0+0");
    /* 2e. Flashed anyway: Done says it will not start, and what next */
    adw_message_dialog_response (window->boot_dialog, "flash");
    wait_until (on_done, 60);
    spin (300);
    shoot ("2e-done-will-not-start");
    act ("win.choose-another-firmware", NULL);
    spin (300);
  }
  /* the flashes below are about other things: the manifest's full build */
  window->no_boot_check = TRUE;
  act ("win.load-firmware", manifest);
  wait_until (plan_loaded, 30);
  adw_combo_row_set_selected (baud_row (), 2);
  act ("win.next", NULL);

  /* 3. Flashing, slowly enough to catch it halfway, log open */
  gtk_expander_set_expanded (GTK_EXPANDER (gtk_widget_get_template_child (GTK_WIDGET (window->flash_page),
                                                                          GLINT_TYPE_FLASH_PAGE,
                                                                          "log_expander")),
                             TRUE);
  wait_until (half_written, 60);
  shoot ("3-flashing");

  /* 4. Done */
  wait_until (on_done, 120);
  shoot ("4-done");

  /* 4b. The serial monitor: the flashed Demo board saying hello */
  act ("win.monitor", NULL);
  spin (300);
  glint_monitor_page_set_timestamps (window->monitor_page, TRUE);
  act ("win.monitor-reset", NULL);
  spin (2600);
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (window->monitor_page),
                                                                      GLINT_TYPE_MONITOR_PAGE,
                                                                      "monitor_send_entry")),
                         "help");
  shoot ("4b-monitor");
  act ("win.back", NULL);

  /* 5. Failed: the link drops halfway */
  act ("win.flash-another", NULL);
  act ("win.select-board", "sim://esp32?boot=normal&disconnect-after=60000");
  act ("win.next", NULL);
  adw_combo_row_set_selected (baud_row (), 3);
  act ("win.next", NULL);
  wait_until (on_failed, 120);
  shoot ("5-failed");

  /* 5b. Written, not verified: a board in secure download mode */
  {
    g_autofree char *dir = g_path_get_dirname (manifest);
    g_autofree char *data = g_strdup_printf ("%s/partition-table.bin@0x8000", dir);

    act ("win.flash-another", NULL);
    act ("win.select-board", "sim://esp32s3?boot=normal&secure-download=on");
    act ("win.next", NULL);
    act ("win.load-firmware", data);
    spin (100);
    wait_until (plan_loaded, 30);
    act ("win.next", NULL);
    wait_until (on_failed, 120);
    shoot ("5b-not-verified");
  }

  /* 5c. Failed: firmware for another chip, where choosing other firmware
   * is the way on */
  act ("win.flash-another", NULL);
  act ("win.select-board", "sim://esp32c3?boot=normal");
  act ("win.next", NULL);
  act ("win.load-firmware", manifest);
  spin (100);
  wait_until (plan_loaded, 30);
  act ("win.next", NULL);
  wait_until (on_failed, 120);
  shoot ("5c-wrong-chip");

  /* 7. Wi-Fi set-up: the Demo board's own firmware speaks Improv Serial */
  {
    g_autofree char *dir = g_path_get_dirname (manifest);
    g_autofree char *path = g_build_filename (dir, "glint-demo.bin", NULL);
    g_autoptr(GBytes) app = glint_test_app_image ("glint-demo");

    write_file (dir, "glint-demo.bin", app);
    act ("win.flash-another", NULL);
    act ("win.select-board", GLINT_DEMO_ADDRESS);
    act ("win.next", NULL);
    act ("win.load-firmware", path);
    spin (100);
    wait_until (plan_loaded, 30);
    act ("win.next", NULL);
    wait_until (on_done, 120);
    wait_until (wifi_offered, 30);
    shoot ("7-done-wifi");

    act ("win.wifi", NULL);
    wait_until (wifi_settled, 30);
    gtk_editable_set_text (GTK_EDITABLE (wifi_child ("ssid_row")), "Neighbours");
    gtk_editable_set_text (GTK_EDITABLE (wifi_child ("password_row")), "guessed");
    g_signal_emit_by_name (wifi_child ("connect_button"), "clicked");
    spin (100);
    shoot ("7b-wifi-joining");
    wait_until (wifi_settled, 30);
    shoot ("7c-wifi-wrong-password");
    gtk_editable_set_text (GTK_EDITABLE (wifi_child ("ssid_row")), "Cafe Guest");
    gtk_editable_set_text (GTK_EDITABLE (wifi_child ("password_row")), "");
    g_signal_emit_by_name (wifi_child ("connect_button"), "clicked");
    spin (100);
    wait_until (wifi_settled, 30);
    shoot ("7d-wifi-joined");
    act ("win.back", NULL);
  }

  /* 6. Permission denied */
  _glint_window_show_permission_page (window);
  shoot ("6-permission");

  /* 7. Several boards */
  {
    g_autofree char *dir = g_path_get_dirname (manifest);

    shoot_several_boards (dir);
  }

  /* 8. A web installer's link: Open Link…, the plain-http question (the
   * local server has no certificate), the erase question, the plan */
  {
    g_autofree char *dir = g_path_get_dirname (manifest);
    g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
    g_autoptr(GSList) uris = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *url = NULL;
    AdwMessageDialog *link;

    soup_server_add_handler (server, NULL, web_handler, dir, NULL);
    if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
      g_error ("%s", error->message);
    uris = soup_server_get_uris (server);
    url = g_strdup_printf ("http://127.0.0.1:%d/blink/manifest.json",
                           g_uri_get_port (uris->data));

    act ("win.flash-another", NULL);
    act ("win.select-board", GLINT_DEMO_ADDRESS);
    act ("win.next", NULL);
    act ("win.open-link", NULL);
    link = _glint_window_get_link_dialog (window);
    gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (link)), url);
    shoot_screen ("8-open-link");
    adw_message_dialog_response (link, "open");
    gtk_window_destroy (GTK_WINDOW (link));
    wait_until (asks_question, 30);
    shoot_screen ("8b-plain-http");
    adw_message_dialog_response (question, "download");
    gtk_window_destroy (GTK_WINDOW (question));
    spin (200);
    wait_until (asks_question, 30);
    shoot_screen ("8c-erase-question");
    adw_message_dialog_response (question, "keep");
    gtk_window_destroy (GTK_WINDOW (question));
    wait_until (plan_loaded, 30);
    shoot ("8d-firmware-web");
    soup_server_disconnect (server);
  }

  /* 9. The whole path: the sample firmware's installer (a build per
   * chip) from a link, flashed to the Demo board, Wi-Fi, the device */
  {
    g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
    g_autoptr(GSList) uris = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *url = NULL;
    AdwMessageDialog *link;

    soup_server_add_handler (server, NULL, web_handler, (gpointer) g_getenv ("GLINT_SAMPLE_DIR"),
                             NULL);
    if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
      g_error ("%s", error->message);
    uris = soup_server_get_uris (server);
    url = g_strdup_printf ("http://127.0.0.1:%d/sample/manifest.json",
                           g_uri_get_port (uris->data));

    act ("win.flash-another", NULL);
    act ("win.select-board", GLINT_DEMO_ADDRESS);
    act ("win.next", NULL);
    act ("win.open-link", NULL);
    link = _glint_window_get_link_dialog (window);
    gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (link)), url);
    adw_message_dialog_response (link, "open");
    gtk_window_destroy (GTK_WINDOW (link));
    wait_until (asks_question, 30);
    adw_message_dialog_response (question, "download");
    gtk_window_destroy (GTK_WINDOW (question));
    spin (200);
    wait_until (asks_question, 30);
    adw_message_dialog_response (question, "keep");
    gtk_window_destroy (GTK_WINDOW (question));
    wait_until (plan_loaded, 30);
    shoot ("9-firmware-demo-web");
    act ("win.next", NULL);
    wait_until (on_done, 120);
    wait_until (wifi_offered, 30);
    shoot ("9b-done-demo-web");
    act ("win.wifi", NULL);
    wait_until (wifi_settled, 30);
    gtk_editable_set_text (GTK_EDITABLE (wifi_child ("ssid_row")), "Cafe Guest");
    g_signal_emit_by_name (wifi_child ("connect_button"), "clicked");
    spin (100);
    wait_until (wifi_settled, 30);
    shoot ("9c-wifi-joined-demo-web");
    act ("win.back", NULL);
    soup_server_disconnect (server);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  glint_test_remove_dir (ports);
  return 0;
}
