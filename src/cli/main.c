/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <json-glib/json-glib.h>

#include <unistd.h>

#include "glint-bytes.h"
#include "glint-chip.h"
#include "glint-cli-checks.h"
#include "glint-cli-json.h"
#include "glint-cli-multi.h"
#include "glint-error.h"
#include "glint-flash-plan.h"
#include "glint-flasher.h"
#include "glint-improv-client.h"
#include "glint-network-browser.h"
#include "glint-port-monitor.h"
#include "glint-reset.h"
#include "glint-serial-stream.h"
#include "glint-sim-stream.h"
#include "glint-stream.h"
#include "glint-stream-address.h"
#include "glint-web-fetch.h"

/*
 * glint-cli: the headless face of Glint: lists ports, tells what a board
 * is, flashes, erases and reads flash, and sets up the Wi-Fi of firmware
 * that speaks Improv Serial.
 *
 * Exit codes: 0 success, 1 the board or link failed, 2 bad usage (a value
 * given cannot work: refused before the board is touched wherever the
 * command line alone decides it; a region past the end of the board's
 * flash, say, only the chip refuses), 3 written but not verified, 130
 * stopped with Ctrl+C. A flash to several boards: 1 when any board
 * failed, else 3 when any was not verified, else 0. monitor and list
 * --watch end with Ctrl+C and 0, monitor with 1 when its link ends.
 */

enum {
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
  EXIT_NOT_VERIFIED = 3,
  EXIT_INTERRUPTED = 128 + SIGINT,
};

static char *opt_port;         /* the one board, when one --port was given */
static char **opt_ports;       /* every --port */
static char *opt_results_log;
static double opt_timeout_scale = 1.0;
static gboolean opt_no_reset;
static char *opt_baud_text;
static gint64 opt_baud = -1;   /* -1: the command's own default; see BAUD_AUTO */
#define BAUD_AUTO (-2)
static char *opt_chip;
static gboolean opt_no_stub;
static gboolean opt_no_verify;
static gboolean opt_no_reboot;
static char *opt_before;
static char *opt_after;
static gboolean opt_json;
static gboolean opt_no_skip;
static gboolean opt_erase_all;
static char *opt_backup;
static gboolean opt_raw;
static gboolean opt_allow_http;
static gboolean opt_sample;
static gboolean opt_refuse_unbootable;
static gboolean opt_version;

/* Ctrl+C during a job: the job is cancelled, and says what it left */
static GCancellable *job_cancellable;
static gboolean      interrupted;

static const GOptionEntry common_entries[] = {
  { "port", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &opt_ports,
    N_("Serial port or URL (/dev/ttyUSB0, rfc2217://host:port, socket://host:port, sim://); "
       "flash: more than once, or “all” (every connected port), for several boards at once"),
    N_("PORT") },
  { "timeout-scale", 0, 0, G_OPTION_ARG_DOUBLE, &opt_timeout_scale,
    N_("Multiply every link allowance (slow or jittery links)"), N_("FACTOR") },
  { "no-reset", 0, 0, G_OPTION_ARG_NONE, &opt_no_reset,
    N_("Do not reset the board; it is already in download mode"), NULL },
  { "baud", 'b', 0, G_OPTION_ARG_STRING, &opt_baud_text,
    N_("Speed: for transfers “auto” (the default: the fastest the link carries, remembered "
       "per port), a rate, or 0 to keep 115200; for the monitor a rate (default 115200)"),
    N_("BAUD") },
  { "chip", 'c', 0, G_OPTION_ARG_STRING, &opt_chip,
    N_("Chip the firmware is for, to place single files (default: from the image)"),
    N_("CHIP") },
  { "no-stub", 0, 0, G_OPTION_ARG_NONE, &opt_no_stub,
    N_("Use the ROM loader even if a flasher stub is installed"), NULL },
  { "no-verify", 0, 0, G_OPTION_ARG_NONE, &opt_no_verify,
    N_("Do not check what was written (not recommended)"), NULL },
  { "no-reboot", 0, 0, G_OPTION_ARG_NONE, &opt_no_reboot,
    N_("Leave the board in the loader after flashing"), NULL },
  { "before", 0, 0, G_OPTION_ARG_STRING, &opt_before,
    N_("How to enter download mode: default-reset, usb-reset (the chip's own USB), "
       "no-reset"), N_("HOW") },
  { "after", 0, 0, G_OPTION_ARG_STRING, &opt_after,
    N_("What to do when done: hard-reset (run the firmware), no-reset"), N_("HOW") },
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json,
    N_("Print events as JSON lines on standard output, for programs"), NULL },
  { "no-skip", 0, 0, G_OPTION_ARG_NONE, &opt_no_skip,
    N_("flash: write every byte, even where the flash already holds it"), NULL },
  { "erase-all", 0, 0, G_OPTION_ARG_NONE, &opt_erase_all,
    N_("flash: erase the whole flash first (needs the flasher stub)"), NULL },
  { "backup", 0, 0, G_OPTION_ARG_FILENAME, &opt_backup,
    N_("flash: first save the flash that will be overwritten (from the lowest to the "
       "highest address of the firmware) to FILE, or into a FOLDER, named after the chip, "
       "MAC, offset and date so that “flash BACKUP” puts it back"), N_("FILE") },
  { "results-log", 0, 0, G_OPTION_ARG_FILENAME, &opt_results_log,
    N_("flash, several boards: add a line per board (time, port, chip, MAC, firmware MD5, "
       "result) to the CSV file FILE"), N_("FILE") },
  { "raw", 0, 0, G_OPTION_ARG_NONE, &opt_raw,
    N_("flash: write files given as FILE@OFFSET as they are, even when they are no "
       "firmware format Glint knows"), NULL },
  { "allow-http", 0, 0, G_OPTION_ARG_NONE, &opt_allow_http,
    N_("flash: download a manifest URL over plain http:// (anyone on the way could change "
       "the firmware)"), NULL },
  { "sample", 0, 0, G_OPTION_ARG_NONE, &opt_sample,
    N_("flash: the sample firmware for the Demo board instead of a FILE (a small build for "
       "every chip; the board's chip picks its own)"), NULL },
  { "refuse-unbootable", 0, 0, G_OPTION_ARG_NONE, &opt_refuse_unbootable,
    N_("flash: refuse an app the board would not start (no bootloader, partition table or "
       "app partition for it, on the board or in the firmware) instead of warning"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version,
    N_("Print the version of Glint and exit"), NULL },
  { NULL }
};

/* The CLI waits on one asynchronous result at a time. */
static GAsyncResult *
run_until_done (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return g_steal_pointer (slot);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/* --json: one JSON object a line on standard output, for programs. */
static void
json_emit (JsonBuilder *builder)
{
  glint_cli_json_emit (builder);
}

static JsonBuilder *
json_event (const char *event)
{
  return glint_cli_json_event (event, NULL);
}

static void
json_error (const GError *error)
{
  glint_cli_json_error (error, NULL, NULL);
}

static void
json_done (const char *what)
{
  g_autoptr(JsonBuilder) builder = json_event ("done");

  json_builder_set_member_name (builder, "job");
  json_builder_add_string_value (builder, what);
  json_emit (builder);
}

/* … and how often it lost its link and came back (flash, erase, read);
 * add members, then json_emit() */
static JsonBuilder *
json_done_job (const char   *what,
               GlintFlasher *flasher)
{
  JsonBuilder *builder = json_event ("done");

  json_builder_set_member_name (builder, "job");
  json_builder_add_string_value (builder, what);
  json_builder_set_member_name (builder, "recoveries");
  json_builder_add_int_value (builder, glint_flasher_get_recoveries (flasher));
  return builder;
}

/* --json, erase and read: with the region the job covered (a partition's,
 * named by --partition, is known only now); @length 0: the whole flash */
static void
json_done_region (const char   *what,
                  GlintFlasher *flasher,
                  guint32       offset,
                  guint32       length)
{
  g_autoptr(JsonBuilder) builder = json_done_job (what, flasher);

  if (length != 0)
    {
      json_builder_set_member_name (builder, "offset");
      json_builder_add_int_value (builder, offset);
      json_builder_set_member_name (builder, "length");
      json_builder_add_int_value (builder, length);
    }
  json_emit (builder);
}

/* --json, a flash: with what a program cannot learn otherwise: the backup
 * file (--backup FOLDER names it) and the rate the link settled on */
static void
json_done_flash (GlintFlasher *flasher)
{
  g_autoptr(JsonBuilder) builder = json_done_job ("flash", flasher);

  if (glint_flasher_get_backup_file (flasher) != NULL)
    {
      json_builder_set_member_name (builder, "backup");
      json_builder_add_string_value (builder, glint_flasher_get_backup_file (flasher));
    }
  if (glint_flasher_get_settled_baud (flasher) != 0)
    {
      json_builder_set_member_name (builder, "baud");
      json_builder_add_int_value (builder, glint_flasher_get_settled_baud (flasher));
    }
  json_emit (builder);
}

/* {"event": "waiting", "for": "improv", "seconds": 10}: what glint-cli
 * waits for, and how long at most */
static void
json_waiting (const char *what,
              double      seconds)
{
  g_autoptr(JsonBuilder) builder = json_event ("waiting");

  json_builder_set_member_name (builder, "for");
  json_builder_add_string_value (builder, what);
  json_builder_set_member_name (builder, "seconds");
  json_builder_add_double_value (builder, seconds);
  json_emit (builder);
}

/* The line that says a job came back from lost links, where it did. */
static void
print_recoveries (GlintFlasher *flasher)
{
  if (glint_flasher_get_recoveries (flasher) > 0)
    printf (g_dngettext (GETTEXT_PACKAGE, "Recovered from %u lost connection.\n",
                         "Recovered from %u lost connections.\n",
                         glint_flasher_get_recoveries (flasher)),
            glint_flasher_get_recoveries (flasher));
}

/* {"event": "reconnecting", "attempt": 2, "max": 5, "cause": "…"} */
static void
on_json_reconnecting_cb (GlintFlasher *flasher,
                         guint         attempt,
                         guint         max,
                         const char   *cause,
                         gpointer      user_data)
{
  g_autoptr(JsonBuilder) builder = json_event ("reconnecting");

  json_builder_set_member_name (builder, "attempt");
  json_builder_add_int_value (builder, attempt);
  json_builder_set_member_name (builder, "max");
  json_builder_add_int_value (builder, max);
  json_builder_set_member_name (builder, "cause");
  json_builder_add_string_value (builder, cause);
  json_emit (builder);
}

static void
on_json_state_cb (GlintFlasher *flasher,
                  GParamSpec   *pspec,
                  gpointer      user_data)
{
  g_autoptr(JsonBuilder) builder = json_event ("state");

  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder,
                                 glint_flasher_state_to_string (glint_flasher_get_state (flasher)));
  if (glint_flasher_get_chip (flasher) != NULL)
    {
      json_builder_set_member_name (builder, "chip");
      json_builder_add_string_value (builder, glint_flasher_get_chip (flasher));
    }
  json_emit (builder);
}

static void
on_json_progress_cb (GlintFlasher *flasher,
                     GParamSpec   *pspec,
                     gpointer      user_data)
{
  g_autoptr(JsonBuilder) builder = json_event ("progress");
  guint64 done = 0, total = 0;

  g_object_get (flasher, "bytes-done", &done, "bytes-total", &total, NULL);
  json_builder_set_member_name (builder, "bytes-done");
  json_builder_add_int_value (builder, (gint64) done);
  json_builder_set_member_name (builder, "bytes-total");
  json_builder_add_int_value (builder, (gint64) total);
  json_builder_set_member_name (builder, "rate");
  json_builder_add_double_value (builder, glint_flasher_get_rate (flasher));
  json_emit (builder);
}

static void
on_json_log_cb (GlintFlasher  *flasher,
                GlintLogLevel  level,
                const char    *message,
                gpointer       user_data)
{
  g_autoptr(JsonBuilder) builder = json_event ("log");
  static const char *levels[] = { "debug", "info", "notice", "warning", "error" };

  json_builder_set_member_name (builder, "level");
  json_builder_add_string_value (builder, levels[MIN ((guint) level, G_N_ELEMENTS (levels) - 1)]);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_emit (builder);
}

/* @error with @next as its hint (a line, or %NULL for the code's own) */
static int
report_error_hint (const GError *error,
                   const char   *next)
{
  g_autofree char *hint = g_strdup (next != NULL ? next : glint_error_get_hint (error));

  if (hint != NULL)
    g_strchomp (hint);

  if (opt_json)
    glint_cli_json_error (error, NULL, hint);
  else
    {
      g_printerr (_("Error: %s\n"), error->message);
      if (hint != NULL)
        g_printerr ("%s\n", hint);
    }

  return g_error_matches (error, GLINT_ERROR, GLINT_ERROR_NOT_VERIFIED) ?
         EXIT_NOT_VERIFIED : EXIT_FAILED;
}

static int
report_error (const GError *error)
{
  return report_error_hint (error, NULL);
}

/* A warning: on standard error, or under --json a "log" event of level
 * "warning", as the flasher's own warnings are. */
static void
report_warning (const char *message)
{
  g_autoptr(JsonBuilder) builder = NULL;

  if (!opt_json)
    {
      g_printerr (_("Warning: %s\n"), message);
      return;
    }

  builder = json_event ("log");
  json_builder_set_member_name (builder, "level");
  json_builder_add_string_value (builder, "warning");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_emit (builder);
}

/* An error the CLI found itself, with no GError behind it: @text and
 * @next (the next step, may be %NULL; each as translated, ending with a
 * line end) on standard error, or under --json an error event of the
 * same shape as every other, with code @code. Returns @status. */
static int
report_cli_error (int         status,
                  GlintError  code,
                  const char *text,
                  const char *next)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hint = NULL;

  if (!opt_json)
    {
      g_printerr ("%s", text);
      if (next != NULL)
        g_printerr ("%s", next);
      return status;
    }

  error = g_error_new_literal (GLINT_ERROR, code, text);
  g_strchomp (error->message);
  if (next != NULL)
    hint = g_strchomp (g_strdup (next));
  glint_cli_json_error (error, NULL, hint);

  return status;
}

/* Bad usage the command line shows by itself: exit status 2. */
static int
usage_error (const char *format,
             ...) G_GNUC_PRINTF (1, 2);

static int
usage_error (const char *format,
             ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  return report_cli_error (EXIT_USAGE, GLINT_ERROR_INVALID_ARGUMENT, text, NULL);
}

/* Something the command line asked for that cannot be done, found before
 * the board was touched: bad usage. */
static int
report_usage_error (const GError *error)
{
  report_error (error);

  return EXIT_USAGE;
}

/* The next step after @address could not be used, for its kind: the
 * generic one (a port or a URL) does not help with a sim:// board. */
static const char *
address_hint (const char *address)
{
  const char *scheme = address != NULL ? g_uri_peek_scheme (address) : NULL;

  if (g_strcmp0 (scheme, "sim") == 0)
    return _("Give the Demo board as sim:// or sim://CHIP, with options after “?” joined "
             "by “&” (sim://esp32c3?time-scale=0); the message names the valid ones.");
  if (g_strcmp0 (scheme, "rfc2217") == 0 || g_strcmp0 (scheme, "socket") == 0)
    return _("Give the serial server's address as rfc2217://HOST:PORT or "
             "socket://HOST:PORT, e.g. rfc2217://192.168.1.20:4000.");
  return NULL;
}

/* An address that cannot be used: its error with the next step for its
 * kind (bad usage). */
static int
report_address_error (const GError *error,
                      const char   *address)
{
  report_error_hint (error, address_hint (address));

  return EXIT_USAGE;
}

/* A port or URL that cannot be used is bad usage; the rest is the
 * board's or the link's. */
static int
report_stream_error (const GError *error)
{
  if (g_error_matches (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS))
    return report_address_error (error, opt_port);

  return report_error (error);
}

/* --port, as far as it can be checked without opening it: the URL's
 * syntax, port range and options (a sim:// board's chip and options are
 * checked when its stream is made, before it is opened). */
static gboolean
check_port (GError **error)
{
  g_autoptr(GlintStreamAddress) address = glint_stream_address_parse (opt_port, error);

  return address != NULL;
}

/* list ----------------------------------------------------------------------- */

/* --json: starts a "port", "network-board" … event; @prefix is list
 * --watch's "+ " (came) or "- " (went), a member "change" */
static JsonBuilder *
json_list_event (const char *event,
                 const char *prefix)
{
  JsonBuilder *builder = json_event (event);

  if (*prefix != '\0')
    {
      json_builder_set_member_name (builder, "change");
      json_builder_add_string_value (builder, *prefix == '+' ? "added" : "removed");
    }
  return builder;
}

static void
json_usb_identity (JsonBuilder            *builder,
                   const GlintUsbIdentity *usb)
{
  if (usb == NULL)
    return;
  json_builder_set_member_name (builder, "usb");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "vid");
  json_builder_add_int_value (builder, usb->vid);
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, usb->pid);
  if (usb->serial != NULL)
    {
      json_builder_set_member_name (builder, "serial");
      json_builder_add_string_value (builder, usb->serial);
    }
  if (usb->by_path != NULL)
    {
      json_builder_set_member_name (builder, "by-path");
      json_builder_add_string_value (builder, usb->by_path);
    }
  json_builder_end_object (builder);
}

/* --json: a port; @details: what carries it and what stands in its way */
static void
json_port (const char                *prefix,
           const GlintSerialPortInfo *info,
           gboolean                   details)
{
  g_autoptr(JsonBuilder) builder = json_list_event ("port", prefix);
  g_autoptr(GlintUsbIdentity) usb = glint_serial_port_info_get_usb_identity (info);

  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, info->path);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, info->friendly_name);
  json_usb_identity (builder, usb);
  if (details)
    {
      g_autofree char *adapter = glint_port_describe_adapter (info);
      g_autofree char *state = glint_port_describe_state (info);

      json_builder_set_member_name (builder, "adapter");
      json_builder_add_string_value (builder, adapter);
      json_builder_set_member_name (builder, "state");
      if (state != NULL)
        json_builder_add_string_value (builder, state);
      else
        json_builder_add_null_value (builder);
    }
  json_emit (builder);
}

/* One port: its path, its name and, for a USB port, its identity. */
static void
print_port (const char                *prefix,
            const GlintSerialPortInfo *info)
{
  g_autoptr(GlintUsbIdentity) usb = NULL;
  g_autofree char *id = NULL;

  if (opt_json)
    {
      json_port (prefix, info, FALSE);
      return;
    }

  usb = glint_serial_port_info_get_usb_identity (info);
  id = usb != NULL ? glint_usb_identity_to_string (usb) : NULL;
  if (id != NULL)
    printf ("%s%-24s %s [%s]\n", prefix, info->path, info->friendly_name, id);
  else
    printf ("%s%-24s %s\n", prefix, info->path, info->friendly_name);
}

/* Under a port's line: what carries it, and what stands in its way. */
static void
print_port_details (const GlintSerialPortInfo *info)
{
  g_autofree char *adapter = glint_port_describe_adapter (info);
  g_autofree char *state = glint_port_describe_state (info);

  printf ("    %s\n", adapter);
  if (state != NULL)
    printf ("    %s\n", state);
}

/* The USB-serial bridges that are plugged in without a serial port. */
static void
print_missing (GPtrArray *missing)
{
  for (guint i = 0; missing != NULL && i < missing->len; i++)
    {
      GlintMissingPort *port = g_ptr_array_index (missing, i);
      g_autofree char *what = glint_missing_port_describe (port);
      g_autofree char *fix = glint_missing_port_fix (port);

      if (opt_json)
        {
          g_autoptr(JsonBuilder) builder = json_event ("missing-port");

          json_builder_set_member_name (builder, "message");
          json_builder_add_string_value (builder, what);
          json_builder_set_member_name (builder, "hint");
          json_builder_add_string_value (builder, fix);
          json_emit (builder);
          continue;
        }
      printf ("! %s\n    %s\n", what, fix);
    }
}

static gboolean
same_port (const GlintSerialPortInfo *a,
           const GlintSerialPortInfo *b)
{
  g_autoptr(GlintUsbIdentity) ua = glint_serial_port_info_get_usb_identity (a);
  g_autoptr(GlintUsbIdentity) ub = glint_serial_port_info_get_usb_identity (b);

  return g_strcmp0 (a->path, b->path) == 0 && glint_usb_identity_equal (ua, ub);
}

/* Whether @list (may be %NULL) holds an item @equal to @item. */
static gboolean
in_list (GPtrArray     *list,
         gconstpointer  item,
         GEqualFunc     equal)
{
  return list != NULL && g_ptr_array_find_with_equal_func (list, item, equal, NULL);
}

/* One board on the network: the URL to give -p, then what it is. */
static void
print_network_board (const char              *prefix,
                     const GlintNetworkBoard *board)
{
  g_autofree char *what = glint_network_board_describe (board);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_list_event ("network-board", prefix);

      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, board->url);
      if (board->name != NULL)
        {
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, board->name);
        }
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, what);
      json_usb_identity (builder, board->usb);
      json_emit (builder);
      return;
    }
  printf ("%s%-24s %s\n", prefix, board->url, what);
}

/* Said once: where Avahi is missing, network boards cannot be listed. */
static void
say_unavailable (GlintNetworkBrowser *browser,
                 gboolean            *said)
{
  const char *why = glint_network_browser_get_unavailable (browser);

  if (why == NULL || *said)
    return;
  g_printerr ("%s\n", why);
  *said = TRUE;
}

typedef struct
{
  GPtrArray *listing;   /* the ports as last printed */
  GPtrArray *network;   /* the boards on the network as last printed */
  gboolean   said_unavailable;
  gboolean   done;
} Watch;

static void
on_network_changed_cb (GlintNetworkBrowser *browser,
                       GParamSpec          *pspec,
                       Watch               *watch)
{
  GPtrArray *boards = glint_network_browser_get_boards (browser);

  say_unavailable (browser, &watch->said_unavailable);
  for (guint i = 0; watch->network != NULL && i < watch->network->len; i++)
    if (!in_list (boards, g_ptr_array_index (watch->network, i),
                  (GEqualFunc) glint_network_board_equal))
      print_network_board ("- ", g_ptr_array_index (watch->network, i));
  for (guint i = 0; i < boards->len; i++)
    if (!in_list (watch->network, g_ptr_array_index (boards, i),
                  (GEqualFunc) glint_network_board_equal))
      print_network_board ("+ ", g_ptr_array_index (boards, i));
  fflush (stdout);

  g_clear_pointer (&watch->network, g_ptr_array_unref);
  watch->network = g_ptr_array_ref (boards);
}

/* Prints what went (-) and what came (+) since the last listing. */
static void
on_ports_changed_cb (GlintPortMonitor *monitor,
                     GParamSpec       *pspec,
                     Watch            *watch)
{
  GPtrArray *ports = glint_port_monitor_get_ports (monitor);

  if (ports == NULL)
    return;

  for (guint i = 0; watch->listing != NULL && i < watch->listing->len; i++)
    if (!in_list (ports, g_ptr_array_index (watch->listing, i), (GEqualFunc) same_port))
      print_port ("- ", g_ptr_array_index (watch->listing, i));
  for (guint i = 0; i < ports->len; i++)
    if (!in_list (watch->listing, g_ptr_array_index (ports, i), (GEqualFunc) same_port))
      print_port ("+ ", g_ptr_array_index (ports, i));
  fflush (stdout);

  g_clear_pointer (&watch->listing, g_ptr_array_unref);
  watch->listing = g_ptr_array_ref (ports);
}

static void
on_network_unavailable_cb (GlintNetworkBrowser *browser,
                           GParamSpec          *pspec,
                           Watch               *watch)
{
  say_unavailable (browser, &watch->said_unavailable);
}

static gboolean
watch_quit_cb (gpointer user_data)
{
  Watch *watch = user_data;

  /* kept: watch_ports() removes both sources */
  watch->done = TRUE;
  return G_SOURCE_CONTINUE;
}

/* list --watch: the ports there are (+), then each one that comes (+) or
 * goes (-), until Ctrl+C. */
static int
watch_ports (void)
{
  g_autoptr(GlintPortMonitor) monitor = glint_port_monitor_new ();
  g_autoptr(GlintNetworkBrowser) browser = glint_network_browser_new ();
  Watch watch = { 0 };
  guint sigint, sigterm;

  g_signal_connect (monitor, "notify::ports", G_CALLBACK (on_ports_changed_cb), &watch);
  g_signal_connect (browser, "notify::boards", G_CALLBACK (on_network_changed_cb), &watch);
  g_signal_connect (browser, "notify::unavailable", G_CALLBACK (on_network_unavailable_cb),
                    &watch);
  sigint = g_unix_signal_add (SIGINT, watch_quit_cb, &watch);
  sigterm = g_unix_signal_add (SIGTERM, watch_quit_cb, &watch);
  g_printerr (_("Watching serial ports and boards on the network: + came, - went; "
                "Ctrl+C ends.\n"));
  say_unavailable (browser, &watch.said_unavailable);

  while (!watch.done)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_signal_handlers_disconnect_by_data (monitor, &watch);
  g_signal_handlers_disconnect_by_data (browser, &watch);
  g_clear_pointer (&watch.listing, g_ptr_array_unref);
  g_clear_pointer (&watch.network, g_ptr_array_unref);

  return EXIT_OK;
}

static gboolean
network_wait_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* The boards on the network, once Avahi has said what it knows (a second
 * or so), or what it found within NETWORK_WAIT_MS. */
#define NETWORK_WAIT_MS 4000

static void
list_network_boards (void)
{
  g_autoptr(GlintNetworkBrowser) browser = glint_network_browser_new ();
  gboolean timed_out = FALSE;
  gboolean said = FALSE;
  guint timeout = g_timeout_add (NETWORK_WAIT_MS, network_wait_cb, &timed_out);
  GPtrArray *boards;

  while (!glint_network_browser_get_settled (browser) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout);

  say_unavailable (browser, &said);
  boards = glint_network_browser_get_boards (browser);
  for (guint i = 0; i < boards->len; i++)
    print_network_board ("", g_ptr_array_index (boards, i));
}

static int
cmd_list (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ports = NULL;
  g_autoptr(GPtrArray) missing = NULL;

  if (argc == 2 && g_str_equal (argv[1], "--watch"))
    return watch_ports ();
  if (argc != 1)
    return usage_error (_("Usage: glint-cli list [--watch]\n"));

  ports = glint_port_list (&error);
  if (ports == NULL)
    return report_error (error);

  for (guint i = 0; i < ports->len; i++)
    {
      if (opt_json)
        {
          json_port ("", g_ptr_array_index (ports, i), TRUE);
          continue;
        }
      print_port ("", g_ptr_array_index (ports, i));
      print_port_details (g_ptr_array_index (ports, i));
    }

  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_event ("demo-board");

      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, "sim://");
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, _("Demo board (simulated ESP32)"));
      json_emit (builder);
    }
  else
    printf ("%-24s %s\n", "sim://", _("Demo board (simulated ESP32)"));
  fflush (stdout);

  list_network_boards ();

  missing = glint_port_list_missing ();
  print_missing (missing);
  if (opt_json)
    json_done ("list");

  return EXIT_OK;
}

/* info ----------------------------------------------------------------------- */

/* flash ---------------------------------------------------------------------- */

typedef struct
{
  gboolean tty;
  gint64   last_print;
  int      last_percent;
} Progress;

static void
on_progress_cb (GlintFlasher *flasher,
                GParamSpec   *pspec,
                Progress     *progress)
{
  gdouble fraction = glint_flasher_get_fraction (flasher);
  int percent = (int) (fraction * 100);
  gint64 now = g_get_monotonic_time ();
  gdouble rate = glint_flasher_get_rate (flasher);
  gdouble eta = glint_flasher_get_eta (flasher);
  const char *label;

  switch (glint_flasher_get_state (flasher))
    {
    case GLINT_FLASHER_STATE_WRITING:
      label = _("Writing");
      break;
    case GLINT_FLASHER_STATE_READING:
      label = _("Reading");
      break;
    default:
      return;
    }

  if (progress->tty)
    {
      if (now - progress->last_print < 100000 && percent != 100)
        return;
      printf ("\r%s", label);
      /* Translators: progress after "Writing": percent done, speed */
      printf (_(" %3d%%  %6.1f KiB/s  "), percent, rate / 1024);
      if (eta >= 0)
        printf (_("%3.0f s left"), eta);
      fflush (stdout);
    }
  else if (percent / 10 != progress->last_percent / 10)
    {
      printf (_("%s: %d%%\n"), label, percent);
    }

  progress->last_print = now;
  progress->last_percent = percent;
}

static void
on_state_cb (GlintFlasher *flasher,
             GParamSpec   *pspec,
             Progress     *progress)
{
  GlintFlasherState state = glint_flasher_get_state (flasher);

  if (progress->tty && progress->last_percent >= 0 && state != GLINT_FLASHER_STATE_WRITING &&
      state != GLINT_FLASHER_STATE_READING)
    {
      printf ("\n");
      progress->last_percent = -1;
    }

  switch (state)
    {
    case GLINT_FLASHER_STATE_LOADING_STUB:
      printf (_("Loading the flasher stub…\n"));
      break;
    case GLINT_FLASHER_STATE_VERIFYING:
      printf (_("Verifying…\n"));
      break;
    case GLINT_FLASHER_STATE_ERASING:
      printf (_("Erasing…\n"));
      break;
    default:
      break;
    }
}

static void
on_flash_log_cb (GlintFlasher  *flasher,
                 GlintLogLevel  level,
                 const char    *message,
                 Progress      *progress)
{
  /* a progress line left open on a terminal ends first */
  if (progress->tty && progress->last_percent >= 0 &&
      (level == GLINT_LOG_WARNING || level == GLINT_LOG_NOTICE))
    {
      printf ("\n");
      progress->last_percent = -1;
    }

  if (level == GLINT_LOG_WARNING)
    g_printerr (_("Warning: %s\n"), message);
  else if (level == GLINT_LOG_NOTICE)
    printf ("%s\n", message);
  else if (g_getenv ("GLINT_VERBOSE") != NULL)
    g_printerr ("%s\n", message);
}

/* Ctrl+C: the first stops the job, which then says what the flash holds
 * now; a second one ends glint-cli at once. */
static gboolean
interrupt_cb (gpointer user_data)
{
  if (interrupted)
    {
      g_printerr (_("Stopped at once: the flash may hold a part of what was being "
                    "written; run the same command again.\n"));
      exit (EXIT_INTERRUPTED);
    }

  interrupted = TRUE;
  g_cancellable_cancel (job_cancellable);

  return G_SOURCE_CONTINUE;
}

/* A flasher for --port with the options of the command line, progress
 * and log. The record in the user's cache keeps the rate the automatic
 * baud settled on per port or URL (shared with the window) and, for
 * flash jobs (@flash_job), what was last written to each board, so that
 * a reflash needs no search for what changed (a hint only: the final
 * check decides). */
static GlintFlashOptions *
cli_options (gboolean flash_job)
{
  GlintFlashOptions *options = glint_flash_options_new ();
  g_autofree char *record_dir = NULL;

  record_dir = g_build_filename (g_get_user_cache_dir (), "glint", "boards", NULL);
  options->rates = glint_flash_record_new (record_dir);
  options->baud = opt_baud >= 0 ? (guint) opt_baud : GLINT_FLASHER_BAUD_AUTO;
  options->use_stub = !opt_no_stub;
  options->no_reset = opt_no_reset || g_strcmp0 (opt_before, "no-reset") == 0;
  options->usb_reset = g_strcmp0 (opt_before, "usb-reset") == 0;
  options->classic_reset = g_strcmp0 (opt_before, "default-reset") == 0;
  options->reboot = !opt_no_reboot && g_strcmp0 (opt_after, "no-reset") != 0;
  options->timeout_scale = opt_timeout_scale;
  if (flash_job)
    {
      options->verify = !opt_no_verify;
      options->skip_unchanged = !opt_no_skip;
      options->erase_all = opt_erase_all;
      options->backup_path = g_strdup (opt_backup);
      options->record = g_object_ref (options->rates);
    }

  return options;
}

static void
watch_interrupt (void)
{
  job_cancellable = g_cancellable_new ();
  g_unix_signal_add (SIGINT, interrupt_cb, NULL);
}

static GlintFlasher *
new_flasher (Progress  *progress,
             gboolean   flash_job,
             GError   **error)
{
  g_autoptr(GlintStream) stream = glint_stream_new_for_address (opt_port, error);
  g_autoptr(GlintFlashOptions) options = NULL;
  GlintFlasher *flasher;

  if (stream == NULL)
    return NULL;

  options = cli_options (flash_job);
  flasher = glint_flasher_new (stream);
  glint_flasher_set_options (flasher, options);
  watch_interrupt ();

  if (opt_json)
    {
      g_signal_connect (flasher, "log", G_CALLBACK (on_json_log_cb), NULL);
      g_signal_connect (flasher, "notify::bytes-done", G_CALLBACK (on_json_progress_cb), NULL);
      g_signal_connect (flasher, "notify::state", G_CALLBACK (on_json_state_cb), NULL);
      g_signal_connect (flasher, "reconnecting", G_CALLBACK (on_json_reconnecting_cb), NULL);
      return flasher;
    }

  g_signal_connect (flasher, "log", G_CALLBACK (on_flash_log_cb), progress);
  g_signal_connect (flasher, "notify::bytes-done", G_CALLBACK (on_progress_cb), progress);
  g_signal_connect (flasher, "notify::state", G_CALLBACK (on_state_cb), progress);

  printf (_("Connecting to %s…\n"), glint_stream_get_address (stream));

  return flasher;
}

/* After Ctrl+C the job's own note (a warning) told what the flash holds
 * now; what is left to say is that it was stopped on purpose. */
static int
report_interrupted (const GError *error)
{
  if (opt_json)
    json_error (error);
  else
    g_printerr (_("Stopped by Ctrl+C.\n"));

  return EXIT_INTERRUPTED;
}

/* A value refused before anything was sent (a region off the sector grid,
 * a file that cannot be written) is bad usage. */
static int
report_job_error (const GError *error)
{
  int status;

  if (interrupted && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return report_interrupted (error);

  status = report_error (error);

  return g_error_matches (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT) ?
         EXIT_USAGE : status;
}

typedef gboolean (*JobFinish) (GlintFlasher  *flasher,
                               GAsyncResult  *result,
                               GError       **error);

/* Waits for the job started with @slot as its result; a progress line
 * left open on a terminal is ended before an error is told. */
static gboolean
wait_job (GlintFlasher  *flasher,
          GAsyncResult **slot,
          JobFinish      finish,
          Progress      *progress,
          GError       **error)
{
  g_autoptr(GAsyncResult) result = run_until_done (slot);

  if (finish (flasher, result, error))
    return TRUE;

  if (progress->tty && progress->last_percent >= 0)
    printf ("\n");

  return FALSE;
}

/* --json: package, revision, features and security state, with stable
 * (untranslated) names */
static void
info_json_ident (JsonBuilder          *builder,
                 const GlintBoardInfo *info)
{
  g_autofree char *revision = glint_chip_format_revision (info->revision);

  if (info->package != NULL)
    {
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, info->package);
      json_builder_set_member_name (builder, "revision");
      if (revision != NULL)
        json_builder_add_string_value (builder, revision);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "features");
      json_builder_begin_array (builder);
      for (guint i = 0; info->features != NULL && info->features[i] != NULL; i++)
        json_builder_add_string_value (builder, info->features[i]);
      json_builder_end_array (builder);
    }

  if (!info->security_known)
    return;

  json_builder_set_member_name (builder, "security");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "secure-boot");
  json_builder_add_boolean_value (builder, (info->security & GLINT_CHIP_SECURE_BOOT) != 0);
  json_builder_set_member_name (builder, "flash-encryption");
  json_builder_add_boolean_value (builder, glint_board_info_get_flash_encrypted (info));
  json_builder_set_member_name (builder, "flash-crypt-cnt");
  json_builder_add_int_value (builder, info->flash_crypt_cnt);
  json_builder_set_member_name (builder, "secure-download");
  json_builder_add_boolean_value (builder, glint_board_info_get_secure_download (info));
  json_builder_set_member_name (builder, "jtag-disabled");
  json_builder_add_boolean_value (builder, (info->security & (GLINT_CHIP_SOFT_DIS_JTAG |
                                                              GLINT_CHIP_HARD_DIS_JTAG)) != 0);
  json_builder_set_member_name (builder, "usb-disabled");
  json_builder_add_boolean_value (builder, (info->security & GLINT_CHIP_DIS_USB) != 0);
  json_builder_set_member_name (builder, "flags");
  json_builder_add_int_value (builder, info->security);
  json_builder_end_object (builder);
}

static const char *
contents_state_name (GlintContentsState state)
{
  switch (state)
    {
    case GLINT_CONTENTS_NOT_READ: return "not-read";
    case GLINT_CONTENTS_BLANK: return "blank";
    case GLINT_CONTENTS_FOREIGN: return "foreign";
    case GLINT_CONTENTS_PARTITIONS: return "partitions";
    default: return "unknown";
    }
}

static const char *
app_state_name (GlintAppState state)
{
  switch (state)
    {
    case GLINT_APP_NONE: return "data";
    case GLINT_APP_BLANK: return "blank";
    case GLINT_APP_FOUND: return "app";
    case GLINT_APP_NO_DESC: return "app-without-description";
    case GLINT_APP_NOT_APP: return "not-an-app";
    case GLINT_APP_NOT_READ: return "not-read";
    default: return "unknown";
    }
}

/* --json: what is on the board, with stable names */
static void
info_json_contents (JsonBuilder              *builder,
                    const GlintBoardContents *contents)
{
  json_builder_set_member_name (builder, "contents");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, contents_state_name (contents->state));
  if (contents->why != NULL)
    {
      json_builder_set_member_name (builder, "why");
      json_builder_add_string_value (builder, contents->why);
    }
  json_builder_set_member_name (builder, "bootloader");
  json_builder_add_boolean_value (builder, contents->bootloader);
  json_builder_set_member_name (builder, "round-trips");
  json_builder_add_int_value (builder, contents->round_trips);
  if (contents->state == GLINT_CONTENTS_PARTITIONS)
    {
      json_builder_set_member_name (builder, "table-offset");
      json_builder_add_int_value (builder, contents->table_offset);
      json_builder_set_member_name (builder, "partitions");
      json_builder_begin_array (builder);
      for (guint i = 0; i < contents->partitions->len; i++)
        {
          const GlintPartitionContents *pc = &g_array_index (contents->partitions,
                                                             GlintPartitionContents, i);
          g_autofree char *type = glint_partition_describe_type (&pc->partition);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, pc->partition.name);
          json_builder_set_member_name (builder, "type");
          json_builder_add_string_value (builder, type);
          json_builder_set_member_name (builder, "offset");
          json_builder_add_int_value (builder, pc->partition.offset);
          json_builder_set_member_name (builder, "size");
          json_builder_add_int_value (builder, pc->partition.size);
          json_builder_set_member_name (builder, "holds");
          json_builder_add_string_value (builder, app_state_name (pc->app_state));
          if (pc->app_state == GLINT_APP_FOUND)
            {
              g_autofree char *date = glint_app_desc_iso_date (&pc->desc);

              json_builder_set_member_name (builder, "project");
              json_builder_add_string_value (builder, pc->desc.project_name);
              json_builder_set_member_name (builder, "version");
              json_builder_add_string_value (builder, pc->desc.version);
              json_builder_set_member_name (builder, "idf-version");
              json_builder_add_string_value (builder, pc->desc.idf_ver);
              json_builder_set_member_name (builder, "date");
              json_builder_add_string_value (builder, date);
            }
          json_builder_set_member_name (builder, "boots");
          json_builder_add_boolean_value (builder, pc->boots);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
}

/* After the chip lines: the partitions and their apps, or why not. */
static void
print_contents (const GlintBoardContents *contents)
{
  g_autofree char *summary = glint_board_contents_summary (contents);

  printf (_("Contents: %s\n"), summary);
  if (contents->state != GLINT_CONTENTS_PARTITIONS)
    return;
  if (!contents->bootloader)
    printf (_("          No bootloader at 0x%x: the board will not start.\n"),
            contents->bootloader_offset);
  for (guint i = 0; i < contents->partitions->len; i++)
    {
      g_autofree char *line = glint_partition_contents_describe (
        &g_array_index (contents->partitions, GlintPartitionContents, i));

      printf ("          %s\n", line);
    }
}

static int
cmd_info (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  g_autoptr(GlintBoardInfo) info = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *mac = NULL;
  g_autofree char *chip = NULL;
  g_autofree char *security = NULL;
  GAsyncResult *slot = NULL;
  Progress progress = { FALSE, 0, -1 };
  gint64 start = g_get_monotonic_time ();

  if (opt_port == NULL)
    return usage_error (_("Which board? Give --port, e.g. --port /dev/ttyUSB0 or --port sim://\n"));

  flasher = new_flasher (&progress, FALSE, &error);
  if (flasher == NULL)
    return report_stream_error (error);

  glint_flasher_set_read_contents (flasher, TRUE);
  glint_flasher_info_async (flasher, job_cancellable, store_result_cb, &slot);
  result = run_until_done (&slot);
  info = glint_flasher_info_finish (flasher, result, &error);
  if (info == NULL)
    return interrupted && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ?
           report_interrupted (error) : report_error (error);

  mac = glint_board_info_format_mac (info);
  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_event ("info");

      json_builder_set_member_name (builder, "chip");
      json_builder_add_string_value (builder, info->chip);
      info_json_ident (builder, info);
      if (!glint_board_info_get_secure_download (info))
        {
          json_builder_set_member_name (builder, "mac");
          json_builder_add_string_value (builder, mac);
        }
      json_builder_set_member_name (builder, "crystal-mhz");
      json_builder_add_int_value (builder, info->crystal_mhz);
      json_builder_set_member_name (builder, "flash-id");
      json_builder_add_int_value (builder, info->flash_id);
      json_builder_set_member_name (builder, "flash-size");
      json_builder_add_int_value (builder, (gint64) info->flash_size);
      json_builder_set_member_name (builder, "round-trips");
      json_builder_add_int_value (builder, info->round_trips);
      if (info->contents != NULL)
        info_json_contents (builder, info->contents);
      json_emit (builder);
      json_done ("info");
      return EXIT_OK;
    }

  printf (_("Chip:     %s\n"), chip = glint_board_info_describe_chip (info));
  if (glint_board_info_get_secure_download (info))
    printf (_("MAC:      unknown (secure download mode refuses register reads)\n"));
  else
    printf (_("MAC:      %s\n"), mac);
  if (info->crystal_mhz != 0)
    printf (_("Crystal:  %u MHz\n"), info->crystal_mhz);
  if (info->flash_size != 0)
    printf (_("Flash:    %u MiB (JEDEC id 0x%06x)\n"),
            (guint) (info->flash_size / (1024 * 1024)), info->flash_id);
  printf (_("Security: %s\n"), security = glint_board_info_describe_security (info));
  if (glint_board_info_get_secure_download (info))
    printf (_("          In secure download mode the ROM refuses the flasher stub, register "
              "and flash reads and MD5 checks: a flash job writes, but cannot verify.\n"));
  if (glint_board_info_get_flash_encrypted (info))
    printf (_("          Flash encryption is on: plaintext images will not run.\n"));
  if (info->contents != NULL)
    print_contents (info->contents);
  printf (_("Link:     %s, %u round trips in %.2f s\n"), info->link, info->round_trips,
          (g_get_monotonic_time () - start) / 1e6);

  return EXIT_OK;
}

/* --json: what the flash job did to each region, after success or failure,
 * so that a program knows what the board holds now. */
static void
report_regions (GlintFlasher *flasher)
{
  guint n = glint_flasher_get_n_regions (flasher);

  if (n == 0)
    return;

  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_event ("regions");
      GEnumClass *klass = g_type_class_ref (GLINT_TYPE_REGION_STATUS);

      json_builder_set_member_name (builder, "bytes-written");
      json_builder_add_int_value (builder, (gint64) glint_flasher_get_bytes_written (flasher));
      json_builder_set_member_name (builder, "bytes-unchanged");
      json_builder_add_int_value (builder,
                                  (gint64) glint_flasher_get_bytes_unchanged (flasher));
      json_builder_set_member_name (builder, "regions");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          const GlintRegionReport *rep = glint_flasher_get_region_report (flasher, i);
          GEnumValue *value = g_enum_get_value (klass, rep->status);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, rep->name);
          json_builder_set_member_name (builder, "offset");
          json_builder_add_int_value (builder, rep->offset);
          json_builder_set_member_name (builder, "size");
          json_builder_add_int_value (builder, rep->size);
          json_builder_set_member_name (builder, "written");
          json_builder_add_int_value (builder, rep->written);
          json_builder_set_member_name (builder, "status");
          json_builder_add_string_value (builder, value != NULL ? value->value_nick : "");
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_emit (builder);
      g_type_class_unref (klass);
    }

  /* On a terminal the flasher's own note (a warning) said it already. */
}

/* Several --port, or --port all: the ports are checked (syntax, each
 * once) like the plan, before any board is touched, then flashed at once.
 * Every error before the boards start is one error event under --json. */
static int
flash_boards (GlintFlashPlan *plan)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlashOptions) options = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) ports = glint_cli_expand_ports ((const char * const *) opt_ports, &error);

  if (ports == NULL)
    return report_error (error);
  if (opt_backup != NULL)
    return usage_error (_("--backup saves one board's flash: give one --port with it, or flash "
                          "several boards without it\n"));
  if (ports[0] == NULL)
    {
      g_autoptr(GError) none = g_error_new_literal (GLINT_ERROR, GLINT_ERROR_PORT_NOT_FOUND,
                                                    _("no board is connected (--port all "
                                                      "found no serial port)"));

      return report_error_hint (none, _("Plug the boards in, check that “glint-cli list” "
                                        "shows them, and try again.\n"));
    }
  for (guint i = 0; ports[i] != NULL; i++)
    {
      /* made, not opened: a sim:// board's chip and options are checked too */
      g_autoptr(GlintStream) stream = glint_stream_new_for_address (ports[i], &error);

      if (stream == NULL && g_error_matches (error, GLINT_ERROR, GLINT_ERROR_INVALID_ADDRESS))
        return report_address_error (error, ports[i]);
      if (stream == NULL)
        return report_usage_error (error);
      if (!g_hash_table_add (seen, ports[i]))
        return usage_error (_("--port %s is given twice: give each board once\n"), ports[i]);
    }

  options = cli_options (TRUE);
  watch_interrupt ();
  switch (glint_cli_flash_boards (plan, options, (const char * const *) ports, opt_json,
                                  opt_results_log, job_cancellable, &error))
    {
    case GLINT_CLI_BOARDS_REFUSED:
      return report_usage_error (error);
    case GLINT_CLI_BOARDS_VERIFIED:
      return EXIT_OK;
    case GLINT_CLI_BOARDS_NOT_VERIFIED:
      return EXIT_NOT_VERIFIED;
    case GLINT_CLI_BOARDS_CANCELLED:
      return EXIT_INTERRUPTED;
    case GLINT_CLI_BOARDS_FAILED:
    default:
      return EXIT_FAILED;
    }
}

/* one line a file, on a terminal or in a log alike */
static void
on_download_status_cb (GlintWebFetch *fetch)
{
  const char *text = glint_web_fetch_get_status_text (fetch);

  if (text != NULL)
    printf ("%s\n", text);
}

static GlintWebFetch *
new_fetch (const char *url)
{
  GlintWebFetch *fetch = glint_web_fetch_new (url);

  glint_web_fetch_set_allow_http (fetch, opt_allow_http);
  if (opt_chip != NULL)
    glint_web_fetch_set_chip_family (fetch, opt_chip);
  if (!opt_json)
    g_signal_connect (fetch, "notify::status-text", G_CALLBACK (on_download_status_cb), NULL);
  return fetch;
}

static char *
run_fetch (GlintWebFetch  *fetch,
           GError        **error)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  glint_web_fetch_run_async (fetch, NULL, store_result_cb, &slot);
  result = run_until_done (&slot);
  return glint_web_fetch_run_finish (fetch, result, error);
}

/* The chip of the board on --port (an info job), or NULL with @error set. */
static char *
detect_chip (GlintFlasher  *flasher,
             GError       **error)
{
  g_autoptr(GlintBoardInfo) info = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  glint_flasher_info_async (flasher, job_cancellable, store_result_cb, &slot);
  result = run_until_done (&slot);
  info = glint_flasher_info_finish (flasher, result, error);
  return info != NULL ? g_strdup (info->chip) : NULL;
}

/* A manifest URL: the installer is downloaded (or taken from the cache),
 * its parts checked, before anything is written; the board is touched
 * before only to learn its chip, when the manifest has several builds
 * (glint_web_fetch_set_manifest_only()). Returns the local manifest.json,
 * or NULL with @error set. */
static char *
download_installer (GlintWebFetch  *fetch,
                    GError        **error)
{
  const char *url = glint_web_fetch_get_url (fetch);
  g_autofree char *manifest = run_fetch (fetch, error);

  if (manifest == NULL)
    return NULL;

  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_event ("downloaded");

      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, url);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, glint_web_fetch_get_name (fetch));
      json_builder_set_member_name (builder, "version");
      json_builder_add_string_value (builder, glint_web_fetch_get_version (fetch));
      json_builder_set_member_name (builder, "bytes");
      json_builder_add_int_value (builder, glint_web_fetch_get_bytes_downloaded (fetch));
      json_builder_set_member_name (builder, "requests");
      json_builder_add_int_value (builder, glint_web_fetch_get_n_requests (fetch));
      json_builder_set_member_name (builder, "prompt_erase");
      json_builder_add_boolean_value (builder, glint_web_fetch_get_prompt_erase (fetch));
      json_emit (builder);
      return g_steal_pointer (&manifest);
    }

  if (glint_web_fetch_get_name (fetch) != NULL)
    printf (_("Installer: %s %s\n"), glint_web_fetch_get_name (fetch),
            glint_web_fetch_get_version (fetch) != NULL ?
            glint_web_fetch_get_version (fetch) : "");
  if (glint_web_fetch_get_bytes_downloaded (fetch) == 0)
    printf (_("Nothing downloaded: the copy from the last download is still current.\n"));
  else
    printf (_("Downloaded %u KiB.\n"),
            (guint) ((glint_web_fetch_get_bytes_downloaded (fetch) + 1023) / 1024));
  /* ESP Web Tools asks; a command line says how, and does not erase
   * unasked */
  if (glint_web_fetch_get_prompt_erase (fetch) && !opt_erase_all)
    printf (_("This installer suggests erasing the whole flash first for a new install: "
              "add --erase-all to do so.\n"));

  return g_steal_pointer (&manifest);
}

/* After a flash from a web installer that says how long its firmware
 * takes to answer Improv Serial (new_install_improv_wait_time), as ESP Web
 * Tools does: ask the firmware, that long, whether it offers Wi-Fi set-up,
 * and say how to do it. Installers that say nothing are not waited for:
 * `glint-cli wifi` asks on demand. */
static void
offer_wifi (GlintFlasher  *flasher,
            GlintWebFetch *fetch)
{
  int wait = fetch != NULL ? glint_web_fetch_get_improv_wait_time (fetch) : -1;
  g_autoptr(GlintImprovClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  const char * const *info;

  if (wait <= 0 || opt_no_reboot || g_strcmp0 (opt_after, "no-reset") == 0)
    return;

  glint_flasher_release_stream (flasher);
  client = glint_improv_client_new (glint_flasher_get_stream (flasher));
  if (opt_json)
    json_waiting ("improv", wait);
  else
    /* TRANSLATORS: %d is a number of seconds, as the installer gives it */
    g_printerr (_("Asking the new firmware whether it offers Wi-Fi set-up (Improv Serial; "
                  "the installer says to wait up to %d s)…\n"), wait);
  glint_improv_client_probe_async (client, (guint) wait * 1000, job_cancellable,
                                   store_result_cb, &slot);
  result = run_until_done (&slot);
  if (!glint_improv_client_probe_finish (client, result, &error))
    {
      g_debug ("%s", error->message);
      if (opt_json)
        {
          g_autoptr(JsonBuilder) builder = json_event ("improv");

          /* no firmware answered */
          json_builder_set_member_name (builder, "firmware");
          json_builder_add_null_value (builder);
          json_emit (builder);
        }
      else
        /* TRANSLATORS: %d is a number of seconds, %s the board's port */
        printf (_("The firmware did not answer Improv Serial within %d s: it does not offer "
                  "Wi-Fi set-up over the serial port, or it needs longer to start (try "
                  "glint-cli --port %s wifi --wait 30 --list).\n"), wait, opt_port);
      glint_improv_client_stop (client);
      return;
    }

  info = glint_improv_client_get_device_info (client);
  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_event ("improv");

      json_builder_set_member_name (builder, "firmware");
      json_builder_add_string_value (builder, info != NULL && info[0] != NULL ? info[0] : "");
      json_emit (builder);
    }
  else
    printf (_("The firmware offers Wi-Fi set-up: glint-cli --port %s wifi --ssid NAME "
              "[--password-file FILE]\n"), opt_port);
  glint_improv_client_stop (client);
}

/* An app without a bootloader or partition table of its own: will the
 * board start it? Read what the board holds first (an info job) and warn
 * with the fix, or refuse with --refuse-unbootable. Full builds and
 * merged images need no read. */
static gboolean
check_boot (GlintFlasher    *flasher,
            GlintFlashPlan  *plan,
            GError         **error)
{
  g_autoptr(GlintBoardInfo) info = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *problem = NULL;
  GAsyncResult *slot = NULL;
  const char *chip = glint_flash_plan_get_chip (plan) != NULL ? glint_flash_plan_get_chip (plan)
                                                              : opt_chip;

  /* the chip comes from the board when neither the firmware nor --chip names it */
  if (!glint_boot_check_needs_board (plan, chip))
    {
      problem = glint_boot_check (plan, chip, NULL);
    }
  else
    {
      glint_flasher_set_read_contents (flasher, TRUE);
      glint_flasher_info_async (flasher, job_cancellable, store_result_cb, &slot);
      result = run_until_done (&slot);
      info = glint_flasher_info_finish (flasher, result, error);
      glint_flasher_set_read_contents (flasher, FALSE);
      if (info == NULL)
        return FALSE;
      problem = glint_boot_check (plan, chip != NULL ? chip : info->chip, info->contents);
    }
  if (problem == NULL)
    return TRUE;
  if (opt_refuse_unbootable)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                   _("%s (refused by --refuse-unbootable; nothing was written)"), problem);
      return FALSE;
    }
  report_warning (problem);
  return TRUE;
}

static int
cmd_flash (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  g_autoptr(GlintFlashPlan) plan = NULL;
  g_autoptr(GlintWebFetch) fetch = NULL;   /* a manifest URL's */
  GAsyncResult *slot = NULL;
  Progress progress = { isatty (STDOUT_FILENO), 0, -1 };
  const char * const *warnings;
  guint64 total, written;

  if (opt_ports == NULL || (argc < 2) != opt_sample)
    return usage_error (_("Usage: glint-cli --port PORT [--port PORT…] flash FILE | [--raw] "
                          "FILE@OFFSET… | BUILD_DIR | manifest.json | "
                          "https://…/manifest.json | --sample\n"));
  if (opt_port != NULL && !check_port (&error))
    return report_usage_error (error);
  if (opt_sample)
    {
      g_autofree char *sample = glint_flash_plan_find_sample ();

      if (sample == NULL)
        return usage_error (_("The sample firmware is not installed: reinstall Glint, or give a "
                              "firmware file\n"));
      plan = glint_flash_plan_new_for_path (sample, opt_chip, &error);
    }
  else if (argc == 2 && glint_web_is_url (argv[1]))
    {
      g_autofree char *manifest = NULL;

      fetch = new_fetch (argv[1]);
      /* one board whose chip nobody named: first the manifest alone and,
       * when it has several builds, the board's chip, so that only that
       * build is downloaded (as ESP Web Tools does) */
      if (opt_port != NULL && opt_chip == NULL)
        {
          const char * const *families;

          glint_web_fetch_set_manifest_only (fetch, TRUE);
          manifest = run_fetch (fetch, &error);
          if (manifest == NULL)
            return g_error_matches (error, GLINT_ERROR, GLINT_ERROR_INSECURE_DOWNLOAD) ?
                   report_usage_error (error) : report_error (error);
          g_clear_pointer (&manifest, g_free);
          families = glint_web_fetch_get_chip_families (fetch);
          if (families != NULL && g_strv_length ((char **) families) > 1)
            {
              g_autofree char *chip = NULL;

              flasher = new_flasher (&progress, TRUE, &error);
              if (flasher == NULL)
                return report_stream_error (error);
              chip = detect_chip (flasher, &error);
              if (chip == NULL)
                return report_job_error (error);
              glint_web_fetch_set_chip_family (fetch, chip);
            }
        }
      manifest = download_installer (fetch, &error);
      if (manifest == NULL)
        return g_error_matches (error, GLINT_ERROR, GLINT_ERROR_INSECURE_DOWNLOAD) ?
               report_usage_error (error) : report_error (error);
      plan = glint_flash_plan_new_for_path (manifest, opt_chip, &error);
    }
  else if (argc == 2 && strchr (argv[1], '@') == NULL)
    plan = glint_flash_plan_new_for_path (argv[1], opt_chip, &error);
  else
    plan = glint_flash_plan_new_from_args ((const char * const *) argv + 1, opt_chip, &error);
  if (plan != NULL)
    glint_flash_plan_set_allow_raw (plan, opt_raw);
  /* the files, offsets and sizes, before the board is reset */
  if (plan == NULL || !glint_cli_check_plan (plan, opt_chip, &error) ||
      (opt_backup != NULL && !g_file_test (opt_backup, G_FILE_TEST_IS_DIR) &&
       !glint_cli_check_output_file (opt_backup, &error)))
    {
      if (fetch != NULL)
        glint_web_fetch_rewrite_error (fetch, error);
      return report_usage_error (error);
    }

  if (opt_port == NULL)
    return flash_boards (plan);

  if (flasher == NULL)
    flasher = new_flasher (&progress, TRUE, &error);
  if (flasher == NULL)
    return report_stream_error (error);

  if (!check_boot (flasher, plan, &error))
    return report_job_error (error);

  glint_flasher_set_plan (flasher, plan);
  glint_flasher_flash_async (flasher, job_cancellable, store_result_cb, &slot);
  if (!wait_job (flasher, &slot, glint_flasher_flash_finish, &progress, &error))
    {
      int status = report_job_error (error);

      report_regions (flasher);
      return status;
    }

  warnings = glint_flash_plan_get_warnings (plan);
  for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
    report_warning (warnings[i]);

  if (opt_json)
    {
      report_regions (flasher);
      offer_wifi (flasher, fetch);
      json_done_flash (flasher);
      return EXIT_OK;
    }

  total = glint_flash_plan_get_total_bytes (plan);
  written = glint_flasher_get_bytes_written (flasher);
  if (glint_flasher_get_backup_file (flasher) != NULL)
    printf (_("Backup of the old flash contents: %s\n"), glint_flasher_get_backup_file (flasher));
  if (glint_flasher_get_settled_baud (flasher) != 0)
    printf (_("Speed: %u baud.\n"), glint_flasher_get_settled_baud (flasher));
  /* what was written, and (a part only where the flash held the rest
   * already) what was checked */
  if (written < total && opt_no_verify)
    printf (_("Written %u of %u KiB, rest unchanged.\n"),
            (guint) ((written + 1023) / 1024), (guint) ((total + 1023) / 1024));
  if (opt_no_verify)
    printf (_("Written %u bytes (not verified, as asked).\n"), (guint) written);
  else if (written < total)
    printf (_("Done: wrote the %u KiB that differed, of %u KiB; all %u KiB verified.\n"),
            (guint) ((written + 1023) / 1024), (guint) ((total + 1023) / 1024),
            (guint) ((total + 1023) / 1024));
  else
    printf (_("Done: %u bytes written and verified.\n"), (guint) total);
  print_recoveries (flasher);
  offer_wifi (flasher, fetch);

  return EXIT_OK;
}

/* erase, read ---------------------------------------------------------------- */

/* An offset or a length: decimal, or hexadecimal with 0x. */
static gboolean
parse_number (const char *text,
              guint32    *value)
{
  guint64 v = 0;
  g_autoptr(GError) error = NULL;

  if (g_ascii_strncasecmp (text, "0x", 2) == 0)
    {
      if (!g_ascii_string_to_unsigned (text + 2, 16, 0, G_MAXUINT32, &v, &error))
        return FALSE;
    }
  else if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &v, &error))
    {
      return FALSE;
    }

  *value = (guint32) v;
  return TRUE;
}

/* read/erase --partition NAME: what is on the board first (an info job
 * that reads the partition table), then the partition by its name. */
static GlintBoardInfo *
find_partition (GlintFlasher                  *flasher,
                const char                    *name,
                const GlintPartitionContents **part,
                GError                       **error)
{
  g_autoptr(GlintBoardInfo) info = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  glint_flasher_set_read_contents (flasher, TRUE);
  glint_flasher_info_async (flasher, job_cancellable, store_result_cb, &slot);
  result = run_until_done (&slot);
  info = glint_flasher_info_finish (flasher, result, error);
  if (info == NULL)
    return NULL;
  *part = glint_board_contents_find (info->contents, name, error);
  if (*part == NULL)
    return NULL;
  return g_steal_pointer (&info);
}

static int
cmd_erase (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  GAsyncResult *slot = NULL;
  Progress progress = { isatty (STDOUT_FILENO), 0, -1 };
  guint32 offset = 0, length = 0;
  gboolean region = argc == 4 && g_str_equal (argv[1], "--region");
  const char *partition = argc == 3 && g_str_equal (argv[1], "--partition") ? argv[2] : NULL;
  g_autoptr(GlintBoardInfo) info = NULL;
  g_autofree char *loss = NULL;

  if (opt_port == NULL || (argc != 1 && !region && partition == NULL) ||
      (region && (!parse_number (argv[2], &offset) || !parse_number (argv[3], &length) ||
                  length == 0)))
    return usage_error (_("Usage: glint-cli --port PORT erase [--region OFFSET LENGTH | "
                          "--partition NAME]\n"
                          "OFFSET and LENGTH are multiples of 4096 (0x1000), decimal or 0x…; "
                          "NAME is a partition of the board’s table (glint-cli info lists "
                          "them)\n"));
  if (region && !glint_cli_check_erase_region (offset, length, &error))
    return report_usage_error (error);

  flasher = new_flasher (&progress, FALSE, &error);
  if (flasher == NULL)
    return report_stream_error (error);

  if (partition != NULL)
    {
      const GlintPartitionContents *part = NULL;

      info = find_partition (flasher, partition, &part, &error);
      if (info == NULL)
        return report_job_error (error);
      offset = part->partition.offset;
      /* the last sector of a partition whose size is not a whole number of them */
      length = (part->partition.size + GLINT_SECTOR_SIZE - 1) & ~(guint32) (GLINT_SECTOR_SIZE - 1);
      loss = glint_board_contents_describe_loss (info->contents, part);
      if (!opt_json)
        printf (_("Erasing partition %s (0x%x bytes at 0x%x) loses %s.\n"), partition, length,
                offset, loss);
    }

  glint_flasher_erase_async (flasher, offset, length, job_cancellable, store_result_cb, &slot);
  if (!wait_job (flasher, &slot, glint_flasher_erase_finish, &progress, &error))
    return report_job_error (error);

  if (opt_json)
    json_done_region ("erase", flasher, offset, length);
  else if (partition != NULL)
    printf (_("Done: erased partition %s (0x%x bytes at 0x%x).\n"), partition, length, offset);
  else if (region)
    printf (_("Done: erased 0x%x bytes at 0x%x.\n"), length, offset);
  else
    printf (_("Done: erased the whole flash.\n"));
  if (!opt_json)
    print_recoveries (flasher);

  return EXIT_OK;
}

static int
cmd_read (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  GAsyncResult *slot = NULL;
  Progress progress = { isatty (STDOUT_FILENO), 0, -1 };
  guint32 offset = 0, length = 0;
  const char *partition = argc == 4 && g_str_equal (argv[1], "--partition") ? argv[2] : NULL;
  const char *path = argv[argc - 1];
  g_autoptr(GlintBoardInfo) info = NULL;

  if (opt_port == NULL || argc != 4 ||
      (partition == NULL && (!parse_number (argv[1], &offset) ||
                             !parse_number (argv[2], &length) || length == 0)))
    return usage_error (_("Usage: glint-cli --port PORT read OFFSET LENGTH FILE\n"
                          "       glint-cli --port PORT read --partition NAME FILE\n"
                          "OFFSET and LENGTH are decimal or 0x…; NAME is a partition of the "
                          "board’s table (glint-cli info lists them)\n"));
  if (partition != NULL ? !glint_cli_check_output_file (path, &error)
                        : !glint_cli_check_read (offset, length, path, &error))
    return report_usage_error (error);

  flasher = new_flasher (&progress, FALSE, &error);
  if (flasher == NULL)
    return report_stream_error (error);

  if (partition != NULL)
    {
      const GlintPartitionContents *part = NULL;

      info = find_partition (flasher, partition, &part, &error);
      if (info == NULL)
        return report_job_error (error);
      offset = part->partition.offset;
      length = part->partition.size;
    }

  glint_flasher_read_flash_async (flasher, offset, length, path, job_cancellable, store_result_cb,
                                  &slot);
  if (!wait_job (flasher, &slot, glint_flasher_read_flash_finish, &progress, &error))
    return report_job_error (error);

  if (opt_json)
    {
      json_done_region ("read", flasher, offset, length);
    }
  else
    {
      if (partition != NULL)
        printf (_("Done: read partition %s (0x%x bytes at 0x%x) into %s (MD5 checked).\n"),
                partition, length, offset, path);
      else
        printf (_("Done: read 0x%x bytes at 0x%x into %s (MD5 checked).\n"), length, offset,
                path);
      print_recoveries (flasher);
    }

  return EXIT_OK;
}

/* monitor -------------------------------------------------------------------- */

typedef struct
{
  GInputStream *input;
  guint8        buf[4096];
  gboolean      done;
  GError       *error;
  GString      *line;    /* --json: the line so far */
  const char   *address;
} Monitor;

/* --json: a line the board printed, as an "output" event (the board's
 * bytes as UTF-8, anything else replaced) */
static void
json_output_line (const char *text,
                  gsize       len)
{
  g_autoptr(JsonBuilder) builder = json_event ("output");
  g_autofree char *valid = NULL;

  if (len > 0 && text[len - 1] == '\r')
    len--;
  valid = g_utf8_make_valid (text, len);
  json_builder_set_member_name (builder, "line");
  json_builder_add_string_value (builder, valid);
  json_emit (builder);
}

static void
json_output (Monitor      *monitor,
             const guint8 *data,
             gsize         len)
{
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] != '\n')
        {
          g_string_append_c (monitor->line, (char) data[i]);
          continue;
        }
      json_output_line (monitor->line->str, monitor->line->len);
      g_string_truncate (monitor->line, 0);
    }
}

static void
monitor_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Monitor *monitor = user_data;
  gssize n = g_input_stream_read_finish (monitor->input, result, &monitor->error);

  /* the end of the stream is no success: the board or its server went */
  if (n == 0 && !monitor->done)
    monitor->error = g_error_new (GLINT_ERROR, GLINT_ERROR_DISCONNECTED,
                                  _("%s closed the connection: the board was unplugged, or its "
                                    "server stopped"), monitor->address);
  if (n <= 0)
    {
      monitor->done = TRUE;
      return;
    }

  if (monitor->line != NULL)
    json_output (monitor, monitor->buf, n);
  else
    {
      fwrite (monitor->buf, 1, n, stdout);
      fflush (stdout);
    }
  g_input_stream_read_async (monitor->input, monitor->buf, sizeof monitor->buf,
                             G_PRIORITY_DEFAULT, NULL, monitor_read_cb, monitor);
}

static gboolean
monitor_quit_cb (gpointer user_data)
{
  Monitor *monitor = user_data;

  monitor->done = TRUE;
  return G_SOURCE_REMOVE;
}

/* Shows what the board prints, after a reset into its firmware, until
 * Ctrl+C (exit status 0) or the end of the stream (1: the link went). */
static int
cmd_monitor (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;
  Monitor monitor = { 0 };
  guint baud = opt_baud > 0 ? (guint) opt_baud : 115200;

  if (opt_port == NULL || argc != 1)
    return usage_error (_("Usage: glint-cli --port PORT [-b BAUD] [--no-reset] monitor\n"));

  stream = glint_stream_new_for_address (opt_port, &error);
  if (stream == NULL)
    return report_stream_error (error);

  glint_stream_open_async (stream, NULL, store_result_cb, &slot);
  result = run_until_done (&slot);
  if (!glint_stream_open_finish (stream, result, &error))
    return report_error (error);
  g_clear_object (&result);

  glint_stream_set_baud_async (stream, baud, NULL, store_result_cb, &slot);
  result = run_until_done (&slot);
  if (!glint_stream_set_baud_finish (stream, result, &error))
    return report_error (error);

  g_printerr (_("Monitoring %s at %u baud; Ctrl+C ends.\n"), glint_stream_get_address (stream),
              baud);

  /* The hard reset (EN low through RTS, IO0 high, then released): the
   * firmware starts. */
  if (!opt_no_reset && glint_stream_get_can_control_lines (stream))
    {
      glint_reset_async (stream, GLINT_RESET_HARD, GLINT_RESET_DEFAULT_DELAY_MS, NULL,
                         store_result_cb, &slot);
      g_clear_object (&result);
      result = run_until_done (&slot);
      if (!glint_reset_finish (stream, result, &error))
        {
          g_autofree char *text = g_strdup_printf (_("the board was not reset: %s"),
                                                   error->message);

          report_warning (text);
          g_clear_error (&error);
        }
    }

  monitor.input = g_io_stream_get_input_stream (G_IO_STREAM (stream));
  monitor.address = glint_stream_get_address (stream);
  if (opt_json)
    monitor.line = g_string_new (NULL);
  g_unix_signal_add (SIGINT, monitor_quit_cb, &monitor);
  g_unix_signal_add (SIGTERM, monitor_quit_cb, &monitor);
  g_input_stream_read_async (monitor.input, monitor.buf, sizeof monitor.buf, G_PRIORITY_DEFAULT,
                             NULL, monitor_read_cb, &monitor);

  while (!monitor.done)
    g_main_context_iteration (NULL, TRUE);

  /* a last line without its line end */
  if (monitor.line != NULL && monitor.line->len > 0)
    json_output_line (monitor.line->str, monitor.line->len);
  if (monitor.line != NULL)
    g_string_free (monitor.line, TRUE);

  if (monitor.error != NULL)
    {
      int status = report_error (monitor.error);

      g_clear_error (&monitor.error);
      return status;
    }

  if (opt_json)
    json_done ("monitor");
  return EXIT_OK;
}

/* wifi ----------------------------------------------------------------------- */

static char *opt_ssid;
static char *opt_password_file;
static gboolean opt_list_networks;
static char *opt_wait;   /* NULL: GLINT_IMPROV_PROBE_TIMEOUT_MS × --timeout-scale */

static const GOptionEntry wifi_entries[] = {
  { "ssid", 0, 0, G_OPTION_ARG_STRING, &opt_ssid,
    N_("The Wi-Fi network the board is to join"), N_("NAME") },
  { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_password_file,
    N_("Read the network's password from the first line of FILE (“-”: standard input); "
       "without it the network must be open"), N_("FILE") },
  { "list", 0, 0, G_OPTION_ARG_NONE, &opt_list_networks,
    N_("List the networks the board sees"), NULL },
  { "wait", 0, 0, G_OPTION_ARG_STRING, &opt_wait,
    N_("How long the firmware has to answer after the reset, in seconds (default 10, "
       "times --timeout-scale)"), N_("SECONDS") },
  { NULL }
};

/* The options only wifi takes, which main() leaves in place for it;
 * returns how many arguments @arg and its value take, 0 if not one. */
static int
wifi_option_width (const char *arg)
{
  if (g_str_equal (arg, "--ssid") || g_str_equal (arg, "--password-file") ||
      g_str_equal (arg, "--wait"))
    return 2;
  if (g_str_has_prefix (arg, "--ssid=") || g_str_has_prefix (arg, "--password-file=") ||
      g_str_has_prefix (arg, "--wait=") || g_str_equal (arg, "--list"))
    return 1;
  return 0;
}

/* The first line of the file, without its line end. Never printed. */
static char *
read_password (const char  *path,
               GError     **error)
{
  g_autofree char *contents = NULL;
  char *end;

  if (g_str_equal (path, "-"))
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
      g_autoptr(GDataInputStream) data = g_data_input_stream_new (in);

      contents = g_data_input_stream_read_line (data, NULL, NULL, error);
      if (contents == NULL && (error == NULL || *error == NULL))
        contents = g_strdup ("");
      if (contents == NULL)
        return NULL;
    }
  else if (!g_file_get_contents (path, &contents, NULL, error))
    {
      g_prefix_error (error, _("--password-file: "));
      return NULL;
    }

  end = strpbrk (contents, "\r\n");
  if (end != NULL)
    *end = '\0';
  return g_steal_pointer (&contents);
}

static int
report_wifi_error (const GError *error)
{
  if (interrupted && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return report_interrupted (error);
  return report_error (error);
}

/* --wait: seconds above 0, at most an hour */
static gboolean
parse_seconds (const char *text,
               double     *seconds)
{
  char *end = NULL;
  double value = g_ascii_strtod (text, &end);

  if (end == text || *end != '\0' || !(value > 0 && value <= 3600))
    return FALSE;
  *seconds = value;
  return TRUE;
}

/* Says, on one line, what the board is given @seconds to do; under
 * --json a "waiting" event. */
static void
say_waiting_for_improv (const char *address,
                        double      seconds)
{
  if (opt_json)
    json_waiting ("improv", seconds);
  else
    /* TRANSLATORS: %g is a number of seconds, %s the board's port */
    g_printerr (_("Waiting up to %g s for the firmware on %s to start and answer Improv "
                  "Serial…\n"), seconds, address);
}

/* The board said nothing within @seconds: its firmware does not speak
 * Improv, or it was still starting. The next step is a longer wait. */
static int
report_no_improv (const char *address,
                  double      seconds)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hint = NULL;
  int longer = seconds < 15 ? 30 : (int) MIN (seconds * 2 + 0.5, 3600);

  /* TRANSLATORS: %s is the board's port, %g a number of seconds */
  error = g_error_new (GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED,
                       _("The board on %s did not answer Improv Serial within %g s: the "
                         "firmware does not speak Improv Serial, or it needs longer to start"),
                       address, seconds);
  /* TRANSLATORS: %d is a number of seconds */
  hint = g_strdup_printf (_("Try --wait %d; if it still does not answer, set up Wi-Fi as the "
                            "firmware's documentation says.\n"), longer);

  return report_error_hint (error, hint);
}

static void
print_networks (GPtrArray *networks)
{
  if (!opt_json)
    /* TRANSLATORS: the header of the network list; keep the columns */
    printf (_("Signal    Security  Network\n"));

  for (guint i = 0; i < networks->len; i++)
    {
      GlintImprovNetwork *network = g_ptr_array_index (networks, i);

      if (opt_json)
        {
          g_autoptr(JsonBuilder) builder = json_event ("network");

          json_builder_set_member_name (builder, "ssid");
          json_builder_add_string_value (builder, network->ssid);
          json_builder_set_member_name (builder, "rssi");
          json_builder_add_int_value (builder, network->rssi);
          json_builder_set_member_name (builder, "secured");
          json_builder_add_boolean_value (builder, network->secured);
          json_emit (builder);
          continue;
        }
      /* TRANSLATORS: %d is the signal in dBm, then "secured" or "open", then the name */
      printf (_("%4d dBm  %-8s  %s\n"), network->rssi,
              network->secured ? _("secured") : _("open"), network->ssid);
    }
}

/* glint-cli wifi --help: wifi's own options, which the main help does not
 * list (cmd_wifi () parses them) */
static int
wifi_help (void)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *help = NULL;

  context = g_option_context_new (_("wifi — set up the Wi-Fi of firmware that speaks "
                                    "Improv Serial"));
  g_option_context_add_main_entries (context, wifi_entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("glint-cli --port PORT wifi --ssid NAME "
                                           "[--password-file FILE] [--wait SECONDS]\n"
                                           "glint-cli --port PORT wifi --list "
                                           "[--wait SECONDS]"));
  g_option_context_set_description (context, _("The options for every command (--port, "
                                               "--json, --timeout-scale…): glint-cli --help"));
  help = g_option_context_get_help (context, FALSE, NULL);
  printf ("%s", help);

  return EXIT_OK;
}

static int
cmd_wifi (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GlintImprovClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *password = NULL;
  g_autofree char *url = NULL;
  const char * const *info;
  GAsyncResult *slot = NULL;
  guint scale_ms;
  double wait = 0;

  g_option_context_add_main_entries (context, wifi_entries, GETTEXT_PACKAGE);
  g_option_context_set_help_enabled (context, FALSE);
  if (!g_option_context_parse (context, &argc, &argv, &error) || opt_port == NULL ||
      argc != 1 || (opt_ssid == NULL && !opt_list_networks))
    {
      g_autofree char *text = g_strdup_printf ("%s%s%s", error != NULL ? error->message : "",
                                               error != NULL ? "\n" : "",
                                               _("Usage: glint-cli --port PORT wifi --ssid NAME "
                                                 "[--password-file FILE] [--wait SECONDS]\n"
                                                 "       glint-cli --port PORT wifi --list "
                                                 "[--wait SECONDS]\n"));

      return report_cli_error (EXIT_USAGE, GLINT_ERROR_INVALID_ARGUMENT, text, NULL);
    }
  if (opt_ssid != NULL && (*opt_ssid == '\0' || strlen (opt_ssid) > 32))
    return usage_error (_("--ssid: a Wi-Fi network name has 1 to 32 bytes\n"));
  if (opt_password_file != NULL && opt_ssid == NULL)
    return usage_error (_("--password-file needs --ssid\n"));
  if (opt_wait != NULL && !parse_seconds (opt_wait, &wait))
    return usage_error (_("--wait takes a number of seconds above 0 and up to 3600, e.g. "
                          "--wait 30\n"));
  if (opt_password_file != NULL && (password = read_password (opt_password_file, &error)) == NULL)
    return report_usage_error (error);
  if (!check_port (&error))
    return report_stream_error (error);

  stream = glint_stream_new_for_address (opt_port, &error);
  if (stream == NULL)
    return report_stream_error (error);

  job_cancellable = g_cancellable_new ();
  g_unix_signal_add (SIGINT, interrupt_cb, NULL);

  glint_stream_open_async (stream, job_cancellable, store_result_cb, &slot);
  result = run_until_done (&slot);
  if (!glint_stream_open_finish (stream, result, &error))
    return report_wifi_error (error);
  g_clear_object (&result);

  /* as the monitor does: the hard reset starts the firmware, which then
   * listens for Improv */
  if (!opt_no_reset && glint_stream_get_can_control_lines (stream))
    {
      glint_reset_async (stream, GLINT_RESET_HARD, GLINT_RESET_DEFAULT_DELAY_MS, job_cancellable,
                         store_result_cb, &slot);
      result = run_until_done (&slot);
      if (!glint_reset_finish (stream, result, &error))
        {
          g_autofree char *text = g_strdup_printf (_("the board was not reset: %s"),
                                                   error->message);

          report_warning (text);
          g_clear_error (&error);
        }
      g_clear_object (&result);
    }

  if (opt_wait == NULL)
    wait = GLINT_IMPROV_PROBE_TIMEOUT_MS / 1000.0 * opt_timeout_scale;
  say_waiting_for_improv (glint_stream_get_address (stream), wait);
  client = glint_improv_client_new (stream);
  glint_improv_client_probe_async (client, (guint) (wait * 1000), job_cancellable,
                                   store_result_cb, &slot);
  result = run_until_done (&slot);
  if (!glint_improv_client_probe_finish (client, result, &error))
    return g_error_matches (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED) ?
           report_no_improv (glint_stream_get_address (stream), wait) :
           report_wifi_error (error);
  g_clear_object (&result);

  info = glint_improv_client_get_device_info (client);
  if (info != NULL && g_strv_length ((char **) info) >= 4)
    {
      if (opt_json)
        {
          g_autoptr(JsonBuilder) builder = json_event ("device");
          static const char *keys[] = { "firmware", "version", "chip", "name" };

          for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
            {
              json_builder_set_member_name (builder, keys[i]);
              json_builder_add_string_value (builder, info[i]);
            }
          json_emit (builder);
        }
      else
        /* TRANSLATORS: firmware name, its version, chip, the device's own name */
        printf (_("Firmware: %s %s on %s (“%s”)\n"), info[0], info[1], info[2], info[3]);
    }

  if (opt_list_networks)
    {
      g_autoptr(GPtrArray) networks = NULL;

      scale_ms = (guint) (GLINT_IMPROV_SCAN_TIMEOUT_MS * opt_timeout_scale);
      glint_improv_client_scan_async (client, scale_ms, job_cancellable, store_result_cb, &slot);
      result = run_until_done (&slot);
      networks = glint_improv_client_scan_finish (client, result, &error);
      if (networks == NULL)
        return report_wifi_error (error);
      g_clear_object (&result);
      print_networks (networks);
    }

  if (opt_ssid != NULL)
    {
      if (!opt_json)
        g_printerr (_("Sending the Wi-Fi settings for “%s”…\n"), opt_ssid);
      scale_ms = (guint) (GLINT_IMPROV_PROVISION_TIMEOUT_MS * opt_timeout_scale);
      glint_improv_client_provision_async (client, opt_ssid, password, scale_ms, job_cancellable,
                                           store_result_cb, &slot);
      if (password != NULL)
        memset (password, 0, strlen (password));
      result = run_until_done (&slot);
      url = glint_improv_client_provision_finish (client, result, &error);
      if (url == NULL)
        return report_wifi_error (error);

      if (opt_json)
        {
          g_autoptr(JsonBuilder) builder = json_event ("wifi");

          json_builder_set_member_name (builder, "ssid");
          json_builder_add_string_value (builder, opt_ssid);
          json_builder_set_member_name (builder, "url");
          json_builder_add_string_value (builder, url);
          json_emit (builder);
        }
      else if (*url != '\0')
        printf (_("The board joined “%s”. Open it at %s\n"), opt_ssid, url);
      else
        printf (_("The board joined “%s”.\n"), opt_ssid);
    }

  if (opt_json)
    json_done ("wifi");
  glint_improv_client_stop (client);
  return EXIT_OK;
}

/* main ----------------------------------------------------------------------- */

typedef struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "list", cmd_list, N_("List serial ports, the Demo board and boards on the network; "
                          "--watch shows them as they come and go") },
  { "info", cmd_info, N_("Connect to a board and show its chip, revision, MAC, crystal and "
                          "security") },
  { "flash", cmd_flash, N_("Write firmware (an image, Intel HEX, UF2 or ELF file, "
                           "FILE@OFFSET…, a build folder or manifest.json) and verify it") },
  { "erase", cmd_erase, N_("Erase the whole flash, --region OFFSET LENGTH or --partition "
                           "NAME") },
  { "read", cmd_read, N_("Read OFFSET LENGTH (or --partition NAME) of flash into FILE") },
  { "monitor", cmd_monitor, N_("Reset the board into its firmware and show what it prints") },
  { "wifi", cmd_wifi, N_("Set up the Wi-Fi of firmware that speaks Improv Serial (--ssid NAME "
                         "[--password-file FILE]; --list shows the networks the board sees; "
                         "--wait SECONDS gives the firmware longer than 10 s to answer after "
                         "the reset)") },
};

static char *
commands_summary (void)
{
  GString *s = g_string_new (_("Commands:\n"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (s, "  %-8s %s\n", commands[i].name, _(commands[i].summary));

  g_string_append (s, _("\nExit status: 0 success, 1 the board or link failed, 2 bad usage "
                        "(a value given cannot work; what the command line alone decides is "
                        "refused before the board is touched), 3 written but not verified "
                        "(secure download mode), 130 stopped with Ctrl+C.\n"));
  g_string_append (s, _("Flashing several boards: 1 when any board failed, else 3 when any was "
                        "not verified, else 0.\n"));
  g_string_append (s, _("monitor and list --watch run until Ctrl+C and then exit with 0 (monitor "
                        "with 1 when the board's link ends first). With --json, standard output "
                        "holds only JSON events, one a line, errors included; messages for "
                        "people go to standard error.\n"));

  return g_string_free (s, FALSE);
}

/* Whether @arg, an option of common_entries, takes the next argument as
 * its value ("--port X", "-p X"; not "--port=X", "-pX") */
static gboolean
takes_value (const char *arg)
{
  for (guint i = 0; common_entries[i].long_name != NULL; i++)
    {
      const GOptionEntry *entry = &common_entries[i];

      if (entry->arg == G_OPTION_ARG_NONE)
        continue;
      if ((g_str_has_prefix (arg, "--") && g_str_equal (arg + 2, entry->long_name)) ||
          (entry->short_name != 0 && arg[0] == '-' && arg[1] == entry->short_name &&
           arg[2] == '\0'))
        return TRUE;
    }
  return FALSE;
}

/* The command @argv names, before the options are parsed (NULL: none),
 * and whether it asks for help */
static const char *
find_command (int        argc,
              char     **argv,
              gboolean  *help)
{
  const char *command = NULL;

  *help = FALSE;
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;
      if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h") ||
          g_str_equal (argv[i], "-?"))
        *help = TRUE;
      else if (argv[i][0] != '-' || argv[i][1] == '\0')
        command = command != NULL ? command : argv[i];
      else if (takes_value (argv[i]))
        i++;
    }
  return command;
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;

  setlocale (LC_ALL, "");
  /* Whole lines, as they happen: on a pipe, standard output would
   * otherwise hold "Connecting…" back until after an error went out on
   * standard error. */
  setvbuf (stdout, NULL, _IOLBF, 0);
  /* GLib's debug and info messages (G_MESSAGES_DEBUG) would go to
   * standard output, among --json events and the lines scripts read */
  g_log_writer_default_set_use_stderr (TRUE);
  /* GLINT_LOCALEDIR: the uninstalled build's catalogues (meson devenv, tests). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("GLINT_LOCALEDIR") != NULL ?
                                   g_getenv ("GLINT_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* sim:// boards, for trying the CLI without hardware and for the tests */
  glint_sim_stream_register ();

  {
    gboolean help;

    /* wifi's options are its own (cmd_wifi () parses them): so is its help */
    if (g_strcmp0 (find_command (argc, argv, &help), "wifi") == 0 && help)
      {
        g_set_prgname ("glint-cli");
        return wifi_help ();
      }
  }

  context = g_option_context_new (_("COMMAND — flash Espressif chips"));
  g_option_context_add_main_entries (context, common_entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_ignore_unknown_options (context, TRUE);
  summary = commands_summary ();
  g_option_context_set_description (context, summary);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      /* --json may come after the option that failed */
      for (int i = 1; i < argc && !opt_json; i++)
        opt_json = g_str_equal (argv[i], "--json");
      return usage_error ("%s\n", error->message);
    }

  /* one --port is the one board; several (or “all”) are for flash only */
  if (opt_ports != NULL && opt_ports[0] != NULL && opt_ports[1] == NULL &&
      !g_str_equal (opt_ports[0], "all"))
    opt_port = opt_ports[0];
  if (opt_ports != NULL && opt_port == NULL && argc >= 2 && !g_str_equal (argv[1], "flash"))
    return usage_error (_("Several boards (--port more than once, or --port all) can only be "
                          "flashed: give one --port for %s\n"), argv[1]);
  if (opt_results_log != NULL && opt_port != NULL)
    return usage_error (_("--results-log is for flashing several boards: give --port more than "
                          "once, or --port all\n"));

  if (opt_version && opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_event ("version");

      json_builder_set_member_name (builder, "version");
      json_builder_add_string_value (builder, PACKAGE_VERSION);
      json_emit (builder);
      return EXIT_OK;
    }
  if (opt_version)
    {
      printf ("glint-cli %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }

  if (argc < 2)
    return report_cli_error (EXIT_USAGE, GLINT_ERROR_INVALID_ARGUMENT,
                             _("Which command? glint-cli COMMAND, e.g. glint-cli list\n"),
                             summary);

  if (opt_timeout_scale <= 0)
    return usage_error (_("--timeout-scale must be positive\n"));
  if (opt_baud_text != NULL && g_ascii_strcasecmp (opt_baud_text, "auto") == 0)
    opt_baud = BAUD_AUTO;
  else if (opt_baud_text != NULL &&
           !g_ascii_string_to_signed (opt_baud_text, 10, 0, G_MAXINT, &opt_baud, NULL))
    return usage_error (_("--baud takes “auto” or a rate such as 921600\n"));
  /* 0 keeps the boot rate; below 300 no UART runs, and the chip would
   * refuse the change with a code that reads like a damaged link */
  if (opt_baud_text != NULL && opt_baud > 0 && opt_baud < 300)
    return usage_error (_("--baud %s is too slow: give “auto” or a rate from 300 up, "
                          "such as 921600\n"), opt_baud_text);
  if (opt_chip != NULL && glint_chip_lookup (opt_chip) == NULL)
    {
      g_autofree char *valid = glint_chip_valid_names ();

      /* TRANSLATORS: %s are a chip name the user typed, then the list of valid ones */
      return usage_error (_("--chip: unknown chip “%s” (valid: %s)\n"), opt_chip, valid);
    }
  if (opt_before != NULL && !g_str_equal (opt_before, "default-reset") &&
      !g_str_equal (opt_before, "usb-reset") && !g_str_equal (opt_before, "no-reset"))
    return usage_error (_("--before takes default-reset, usb-reset or no-reset\n"));
  if (opt_after != NULL && !g_str_equal (opt_after, "hard-reset") &&
      !g_str_equal (opt_after, "no-reset"))
    return usage_error (_("--after takes hard-reset or no-reset\n"));

  /* Options the command line did not know are left in place for the
   * commands: erase has one (--region), list another (--watch). */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--region") && g_str_equal (argv[1], "erase"))
        continue;
      if (g_str_equal (argv[i], "--partition") &&
          (g_str_equal (argv[1], "erase") || g_str_equal (argv[1], "read")))
        continue;
      if (g_str_equal (argv[i], "--watch") && g_str_equal (argv[1], "list"))
        continue;
      if (g_str_equal (argv[1], "wifi") && wifi_option_width (argv[i]) > 0)
        {
          i += wifi_option_width (argv[i]) - 1;
          continue;
        }
      if (argv[i][0] == '-' && argv[i][1] != '\0')
        {
          g_autofree char *text = g_strdup_printf (_("Unknown option %s\n"), argv[i]);

          return report_cli_error (EXIT_USAGE, GLINT_ERROR_INVALID_ARGUMENT, text,
                                   _("“glint-cli --help” lists the options.\n"));
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);

  {
    g_autofree char *text = g_strdup_printf (_("Unknown command “%s”.\n"), argv[1]);

    return report_cli_error (EXIT_USAGE, GLINT_ERROR_INVALID_ARGUMENT, text, summary);
  }
}
