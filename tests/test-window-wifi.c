/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-test-utils.h"
#include "glint-test-window.h"
#include "glint-window-private.h"

/* Wi-Fi set-up in the window (Improv Serial on the Demo board): after a
 * verified flash of the Demo firmware the Done page offers Set Up Wi-Fi;
 * the page lists the board's networks, shows the board's answer to a
 * wrong password and, at the end, the device's address as a button.
 * Other firmware is offered nothing; the menu asks on demand. The whole
 * path starts at a web installer's link on a local server (over https
 * with a certificate made here, where openssl is there). Runs under Xvfb
 * with its own session bus (tests/meson.build). */

#define OTHER_SSID     "Neighbours"
#define OTHER_PASSWORD "correct horse battery"

typedef struct
{
  GlintWindow *window;
  char        *dir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new (GLINT_SETTINGS_SCHEMA);

  g_settings_reset (settings, "last-address");
  f->dir = g_dir_make_tmp ("glint-window-wifi-XXXXXX", &error);
  g_assert_no_error (error);

  f->window = g_object_ref_sink (glint_window_new (NULL));
  /* whether the board will start the firmware: test-window-contents */
  f->window->no_boot_check = TRUE;
  /* firmware without Improv is known only after the wait: keep it short */
  _glint_window_set_improv_wait (f->window, 1000);
  glint_test_window_show (GTK_WINDOW (f->window));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  glint_test_window_destroy (&f->window);
  glint_test_remove_dir (f->dir);
  g_free (f->dir);
}

static const char *
page (Fixture *f)
{
  return _glint_window_get_page (f->window);
}

static GtkWidget *
wifi_child (Fixture    *f,
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
            Condition   condition,
            const char *what)
{
  glint_test_window_wait (f->window, (GlintTestCondition) (void (*) (void)) condition, f, 20,
                          what);
}

static gboolean
on_done (Fixture *f)
{
  return g_strcmp0 (page (f), "done") == 0;
}

static gboolean
wifi_offered (Fixture *f)
{
  return glint_done_page_get_wifi_offered (f->window->done_page);
}

static gboolean
probe_over (Fixture *f)
{
  return !gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (
    GTK_WIDGET (f->window->done_page), GLINT_TYPE_DONE_PAGE, "wifi_checking")));
}

static gboolean
wifi_not_busy (Fixture *f)
{
  return g_strcmp0 (glint_wifi_page_get_state (_glint_window_get_wifi_page (f->window)),
                    "busy") != 0;
}

static const char *
wifi_state (Fixture *f)
{
  return glint_wifi_page_get_state (_glint_window_get_wifi_page (f->window));
}

/* Board, firmware (an app naming @project), flash, Done. */
static void
flash_demo (Fixture    *f,
            const char *project)
{
  g_autoptr(GBytes) app = glint_test_app_image (project);
  g_autofree char *path = g_build_filename (f->dir, "app.bin", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (app, NULL), g_bytes_get_size (app), &error);
  g_assert_no_error (error);

  if (g_strcmp0 (page (f), "board") != 0)
    activate (f, "win.flash-another", NULL);
  activate (f, "win.select-board", GLINT_DEMO_ADDRESS);
  activate (f, "win.next", NULL);
  g_assert_cmpstr (page (f), ==, "firmware");
  activate (f, "win.load-firmware", path);
  while (!gtk_widget_get_sensitive (_glint_window_get_next_button (f->window)))
    g_main_context_iteration (NULL, TRUE);
  activate (f, "win.next", NULL);
  wait_until (f, on_done, "the Done page");
}

static void
connect (Fixture    *f,
         const char *ssid,
         const char *password)
{
  gtk_editable_set_text (GTK_EDITABLE (wifi_child (f, "ssid_row")), ssid);
  gtk_editable_set_text (GTK_EDITABLE (wifi_child (f, "password_row")), password);
  g_assert_true (gtk_widget_get_sensitive (wifi_child (f, "connect_button")));
  g_signal_emit_by_name (wifi_child (f, "connect_button"), "clicked");
  g_assert_cmpstr (wifi_state (f), ==, "busy");
  wait_until (f, wifi_not_busy, "the board's answer");
}

static void
test_set_up (Fixture       *f,
             gconstpointer  data)
{
  GtkListBox *list;
  GtkListBoxRow *row;
  const char *label;
  guint n_rows = 0;

  flash_demo (f, "glint-demo");
  wait_until (f, wifi_offered, "Set Up Wi-Fi on the Done page");

  activate (f, "win.wifi", NULL);
  g_assert_cmpstr (page (f), ==, "wifi");
  wait_until (f, wifi_not_busy, "the network list");
  g_assert_cmpstr (wifi_state (f), ==, "form");

  /* the board's own scan; a row fills in the name */
  list = GTK_LIST_BOX (wifi_child (f, "networks_list"));
  for (GtkWidget *w = gtk_widget_get_first_child (GTK_WIDGET (list)); w != NULL;
       w = gtk_widget_get_next_sibling (w))
    n_rows++;
  g_assert_cmpuint (n_rows, ==, 3);
  row = gtk_list_box_get_row_at_index (list, 1);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Cafe Guest");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "Open, -67 dBm");
  g_signal_emit_by_name (list, "row-activated", row);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (wifi_child (f, "ssid_row"))), ==,
                   "Cafe Guest");

  /* a wrong password: the board's answer, and the form again */
  connect (f, OTHER_SSID, "wrong horse");
  g_assert_cmpstr (wifi_state (f), ==, "form");
  g_assert_true (gtk_widget_get_visible (wifi_child (f, "error_label")));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (wifi_child (f, "error_label"))),
                            "could not join “" OTHER_SSID "”"));

  connect (f, OTHER_SSID, OTHER_PASSWORD);
  g_assert_cmpstr (wifi_state (f), ==, "joined");
  label = gtk_button_get_label (GTK_BUTTON (wifi_child (f, "url_button")));
  g_assert_true (g_str_has_prefix (label, "Open http://glint-demo-"));
  g_assert_true (g_str_has_suffix (glint_wifi_page_get_url (_glint_window_get_wifi_page (f->window)),
                                   ".local"));
  /* the password is gone from the page, and never was in the log */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (wifi_child (f, "password_row"))), ==, "");
  g_assert_nonnull (strstr (f->window->log->str, "the board joined “" OTHER_SSID "”"));
  g_assert_null (strstr (f->window->log->str, OTHER_PASSWORD));
  g_assert_null (strstr (f->window->log->str, "wrong horse"));

  /* Back to Done; Set Up Wi-Fi on demand from the menu on the Board page */
  activate (f, "win.back", NULL);
  g_assert_cmpstr (page (f), ==, "done");
  activate (f, "win.flash-another", NULL);
  g_assert_cmpstr (page (f), ==, "board");
  activate (f, "win.wifi", NULL);
  g_assert_cmpstr (page (f), ==, "wifi");
  wait_until (f, wifi_not_busy, "the network list");
  g_assert_cmpstr (wifi_state (f), ==, "form");
  activate (f, "win.back", NULL);
  g_assert_cmpstr (page (f), ==, "board");
}

/* A web installer's site in a folder of the fixture: the built sample
 * firmware (a build per chip) under sample/, and under quiet/ and
 * silent/ an app that does not speak Improv, whose manifests ask to wait
 * 1 s for Improv after the flash, or not at all. Over https with a
 * certificate made now where openssl is there, else http. */
typedef struct
{
  GlintTestWebServer *server;
  char               *cert_dir;
  char               *site;
} Site;

static void
write_text (const char *dir,
            const char *name,
            const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0700);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static void
site_start (Fixture *f,
            Site    *site)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sample_link = g_build_filename (f->dir, "site", "sample", NULL);
  g_autoptr(GBytes) blink = glint_test_app_image ("blink");
  const char *names[] = { "quiet", "silent" };
  const char *waits[] = { "1", "0" };

  site->site = g_build_filename (f->dir, "site", NULL);
  g_mkdir_with_parents (site->site, 0700);
  g_assert_nonnull (g_getenv ("GLINT_SAMPLE_DIR"));
  g_assert_cmpint (symlink (g_getenv ("GLINT_SAMPLE_DIR"), sample_link), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *dir = g_build_filename (site->site, names[i], NULL);
      g_autofree char *app = g_build_filename (dir, "blink.bin", NULL);
      g_autofree char *manifest = g_strdup_printf (
        "{ \"name\": \"Blink\", \"version\": \"2.0\",\n"
        "  \"new_install_improv_wait_time\": %s,\n"
        "  \"builds\": [ { \"chipFamily\": \"ESP32\", \"parts\": [\n"
        "    { \"path\": \"blink.bin\", \"offset\": 65536 } ] } ] }", waits[i]);

      write_text (dir, "manifest.json", manifest);
      g_file_set_contents (app, g_bytes_get_data (blink, NULL), g_bytes_get_size (blink), &error);
      g_assert_no_error (error);
    }

  site->cert_dir = glint_test_make_certificate ();
  site->server = glint_test_web_server_start (site->site, site->cert_dir);
  g_test_message ("the installer's site: %s", site->server->base);
  if (site->cert_dir != NULL)
    {
      g_autofree char *cert = g_build_filename (site->cert_dir, "cert.pem", NULL);
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (cert, &error);

      g_assert_no_error (error);
      glint_firmware_page_set_tls_database (f->window->firmware_page, database);
    }
  else
    g_test_message ("no openssl or TLS backend: the installer comes over plain http");
}

static void
site_stop (Site *site)
{
  glint_test_web_server_stop (site->server);
  if (site->cert_dir != NULL)
    glint_test_remove_dir (site->cert_dir);
  g_free (site->cert_dir);
  g_free (site->site);
}

static gboolean
next_enabled (Fixture *f)
{
  return gtk_widget_get_sensitive (_glint_window_get_next_button (f->window));
}

/* Board, Open Link… with @path on the site, the questions, Flash, Done. */
static void
open_link (Fixture    *f,
           Site       *site,
           const char *path,
           const char *board)
{
  g_autofree char *url = g_strconcat (site->server->base, path, NULL);
  AdwMessageDialog *dialog;

  if (g_strcmp0 (page (f), "board") != 0)
    activate (f, "win.flash-another", NULL);
  activate (f, "win.select-board", board);
  activate (f, "win.next", NULL);
  g_assert_cmpstr (page (f), ==, "firmware");

  activate (f, "win.open-link", NULL);
  dialog = _glint_window_get_link_dialog (f->window);
  g_assert_nonnull (dialog);
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), url);
  adw_message_dialog_response (dialog, "open");

  /* plain http only after the question */
  while (!next_enabled (f))
    {
      dialog = glint_firmware_page_get_question_dialog (f->window->firmware_page);
      if (dialog != NULL)
        {
          g_assert_null (site->cert_dir);
          g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==,
                           "Download Over Plain HTTP?");
          adw_message_dialog_response (dialog, "download");
          gtk_window_destroy (GTK_WINDOW (dialog));
        }
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
flash_link (Fixture    *f,
            Site       *site,
            const char *path)
{
  open_link (f, site, path, GLINT_DEMO_ADDRESS);
  activate (f, "win.next", NULL);
  g_assert_cmpstr (page (f), ==, "flash");
  wait_until (f, on_done, "the Done page");
}

/* The whole path: the link of the sample firmware's installer on the
 * local server, flashed to the Demo board (the build for its chip, out
 * of one per chip); Set Up Wi-Fi on the Done page; a network from the
 * board's scan, its password; the device's address as a button. */
static void
test_from_link (Fixture       *f,
                gconstpointer  data)
{
  Site site = { 0 };
  g_autoptr(GlintFlasher) flasher = NULL;
  g_autoptr(GBytes) expected_app = NULL;
  g_autoptr(GRegex) device = g_regex_new ("^http://glint-demo-[0-9a-f]{6}\\.local$", 0, 0, NULL);
  g_autofree char *app_path = g_build_filename (g_getenv ("GLINT_SAMPLE_DIR"),
                                                "esp32-glint-demo.bin", NULL);
  g_autofree char *log = NULL;
  g_autofree char *label = NULL;
  g_autoptr(GError) error = NULL;
  GtkListBox *list;
  GtkListBoxRow *row = NULL;
  const guint8 *flash;
  gsize flash_size = 0;
  const char *url;

  site_start (f, &site);
  /* a long default wait: the installer does not say, and the Demo
   * firmware answers at once */
  _glint_window_set_improv_wait (f->window, 20000);
  flash_link (f, &site, "/sample/manifest.json");
  flasher = g_object_ref (_glint_window_get_flasher (f->window));
  g_assert_cmpstr (glint_firmware_page_get_web_title (f->window->firmware_page), ==,
                   "Glint demo 1.0.0");

  /* the Demo board (an ESP32) holds the ESP32 build's app */
  {
    g_autofree char *contents = NULL;
    gsize len = 0;

    g_file_get_contents (app_path, &contents, &len, &error);
    g_assert_no_error (error);
    flash = glint_sim_get_flash (glint_sim_stream_get_sim (GLINT_SIM_STREAM (glint_flasher_get_stream (flasher))),
                                 &flash_size);
    g_assert_cmpuint (flash_size, >=, 0x10000 + len);
    g_assert_cmpmem (flash + 0x10000, len, contents, len);
  }
  log = glint_test_web_server_log (site.server, 0);
  g_test_message ("the server's log:\n%s", log);
  g_assert_nonnull (strstr (log, "GET /sample/manifest.json 200 "));
  g_assert_nonnull (strstr (log, "GET /sample/esp32-glint-demo.bin 200 "));
  /* the Demo board's chip is known: no other chip's build, no Detect */
  g_assert_null (strstr (log, "esp32s3-glint-demo.bin"));
  g_assert_null (strstr (log, "esp8266-"));
  g_assert_null (glint_board_page_get_board_info (f->window->board_page));

  wait_until (f, wifi_offered, "Set Up Wi-Fi on the Done page");
  activate (f, "win.wifi", NULL);
  g_assert_cmpstr (page (f), ==, "wifi");
  wait_until (f, wifi_not_busy, "the network list");
  g_assert_cmpstr (wifi_state (f), ==, "form");

  /* a network from the board's own scan */
  list = GTK_LIST_BOX (wifi_child (f, "networks_list"));
  for (int i = 0; (row = gtk_list_box_get_row_at_index (list, i)) != NULL; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), OTHER_SSID) == 0)
      break;
  g_assert_nonnull (row);
  g_signal_emit_by_name (list, "row-activated", row);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (wifi_child (f, "ssid_row"))), ==,
                   OTHER_SSID);
  gtk_editable_set_text (GTK_EDITABLE (wifi_child (f, "password_row")), OTHER_PASSWORD);
  g_signal_emit_by_name (wifi_child (f, "connect_button"), "clicked");
  wait_until (f, wifi_not_busy, "the board's answer");

  /* the device's address, as a button that opens it */
  g_assert_cmpstr (wifi_state (f), ==, "joined");
  url = glint_wifi_page_get_url (_glint_window_get_wifi_page (f->window));
  g_assert_true (g_regex_match (device, url, 0, NULL));
  g_assert_true (gtk_widget_get_visible (wifi_child (f, "url_button")));
  label = g_strdup_printf ("Open %s", url);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (wifi_child (f, "url_button"))), ==, label);
  g_assert_null (strstr (f->window->log->str, OTHER_PASSWORD));

  site_stop (&site);
}

/* The installer's new_install_improv_wait_time counts: 1 s for firmware
 * that never answers, however long the window would wait otherwise; 0:
 * the board is not asked at all. */
static void
test_installer_wait (Fixture       *f,
                     gconstpointer  data)
{
  Site site = { 0 };
  gint64 start;
  gint64 took;

  site_start (f, &site);
  _glint_window_set_improv_wait (f->window, 60000);

  flash_link (f, &site, "/quiet/manifest.json");
  start = g_get_monotonic_time ();
  wait_until (f, probe_over, "the end of the question");
  took = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("Improv question over after %" G_GINT64_FORMAT " ms", took);
  g_assert_cmpint (took, <, 5000);
  g_assert_false (wifi_offered (f));

  flash_link (f, &site, "/silent/manifest.json");
  g_assert_true (probe_over (f));
  g_assert_false (wifi_offered (f));
  g_assert_nonnull (strstr (f->window->log->str, "The installer asks not to wait for Wi-Fi"));

  site_stop (&site);
}

/* Firmware that does not speak Improv: after the wait, nothing offered;
 * asked on demand, the page says why. */
static void
test_no_improv (Fixture       *f,
                gconstpointer  data)
{
  const char *text;

  flash_demo (f, "blink");
  wait_until (f, probe_over, "the end of the question");
  g_assert_false (wifi_offered (f));
  g_assert_cmpstr (page (f), ==, "done");

  activate (f, "win.wifi", NULL);
  wait_until (f, wifi_not_busy, "the answer");
  g_assert_cmpstr (wifi_state (f), ==, "unavailable");
  text = adw_status_page_get_description (ADW_STATUS_PAGE (wifi_child (f, "unavailable_status")));
  g_assert_nonnull (strstr (text, "did not answer Improv Serial"));
}

/* The sample firmware's installer (a build per chip) for a board that was
 * not detected: the window detects it first, as Detect does, and
 * downloads the build for its chip alone. */
static void
test_link_detects (Fixture       *f,
                   gconstpointer  data)
{
  Site site = { 0 };
  g_autofree char *log = NULL;
  GlintBoardInfo *info;

  site_start (f, &site);
  open_link (f, &site, "/sample/manifest.json", "sim://esp32s3?boot=normal");
  info = glint_board_page_get_board_info (f->window->board_page);
  g_assert_nonnull (info);
  g_assert_cmpstr (info->chip, ==, "esp32s3");
  g_assert_cmpstr (page (f), ==, "firmware");

  log = glint_test_web_server_log (site.server, 0);
  g_test_message ("the server's log:\n%s", log);
  g_assert_nonnull (strstr (log, "GET /sample/manifest.json 200 "));
  g_assert_nonnull (strstr (log, "GET /sample/esp32s3-glint-demo.bin 200 "));
  g_assert_nonnull (strstr (log, "GET /sample/esp32s3-bootloader.bin 200 "));
  /* once: the manifest read first is the one used */
  g_assert_null (strstr (strstr (log, "GET /sample/manifest.json") + 1, "GET /sample/manifest.json"));
  g_assert_null (strstr (log, "esp32-glint-demo.bin"));
  g_assert_null (strstr (log, "esp32c3-"));
  g_assert_null (strstr (log, "esp8266-"));
  site_stop (&site);
}

/* The same for a board that cannot be detected (its link goes at once):
 * every build is downloaded, as before there was Detect, and the firmware
 * can still be looked at. */
static void
test_link_detect_fails (Fixture       *f,
                        gconstpointer  data)
{
  Site site = { 0 };
  g_autofree char *log = NULL;

  site_start (f, &site);
  open_link (f, &site, "/sample/manifest.json", "sim://esp32?boot=normal&disconnect-after=40");
  g_assert_null (glint_board_page_get_board_info (f->window->board_page));
  g_assert_false (glint_firmware_page_get_waiting_for_chip (f->window->firmware_page));

  log = glint_test_web_server_log (site.server, 0);
  g_assert_nonnull (strstr (log, "GET /sample/esp32-glint-demo.bin 200 "));
  g_assert_nonnull (strstr (log, "GET /sample/esp32s3-glint-demo.bin 200 "));
  g_assert_nonnull (strstr (log, "GET /sample/esp8266-glint-demo.bin 200 "));
  site_stop (&site);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  glint_sim_stream_register ();

  g_test_add ("/glint/window-wifi/set-up", Fixture, NULL, fixture_setup, test_set_up,
              fixture_teardown);
  g_test_add ("/glint/window-wifi/no-improv", Fixture, NULL, fixture_setup, test_no_improv,
              fixture_teardown);
  g_test_add ("/glint/window-wifi/from-link", Fixture, NULL, fixture_setup, test_from_link,
              fixture_teardown);
  g_test_add ("/glint/window-wifi/link-detects", Fixture, NULL, fixture_setup,
              test_link_detects, fixture_teardown);
  g_test_add ("/glint/window-wifi/link-detect-fails", Fixture, NULL, fixture_setup,
              test_link_detect_fails, fixture_teardown);
  g_test_add ("/glint/window-wifi/installer-wait", Fixture, NULL, fixture_setup,
              test_installer_wait, fixture_teardown);

  return g_test_run ();
}
