/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <gio/gio.h>

#include "glint-error.h"
#include "glint-flasher.h"
#include "glint-serial-stream.h"
#include "glint-stream.h"
#include "glint-stream-address.h"

/*
 * glint-cli: the headless face of Glint. For now it lists ports and talks
 * to a board far enough to say what it is; flashing arrives with the
 * flasher engine.
 *
 * Exit codes: 0 success, 1 the board or link failed, 2 bad usage.
 */

enum {
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
};

static char *opt_port;
static double opt_timeout_scale = 1.0;
static gboolean opt_no_reset;

static const GOptionEntry common_entries[] = {
  { "port", 'p', 0, G_OPTION_ARG_STRING, &opt_port,
    N_("Serial port or URL (/dev/ttyUSB0, rfc2217://host:port, socket://host:port, sim://)"),
    N_("PORT") },
  { "timeout-scale", 0, 0, G_OPTION_ARG_DOUBLE, &opt_timeout_scale,
    N_("Multiply every link allowance (slow or jittery links)"), N_("FACTOR") },
  { "no-reset", 0, 0, G_OPTION_ARG_NONE, &opt_no_reset,
    N_("Do not reset the board; it is already in download mode"), NULL },
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

static int
report_error (const GError *error)
{
  const char *hint = glint_error_get_hint (error);

  g_printerr (_("Error: %s\n"), error->message);
  if (hint != NULL)
    g_printerr ("%s\n", hint);

  return EXIT_FAILED;
}

/* list ----------------------------------------------------------------------- */

static int
cmd_list (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ports = glint_serial_port_enumerate (&error);

  if (ports == NULL)
    return report_error (error);

  for (guint i = 0; i < ports->len; i++)
    {
      GlintSerialPortInfo *info = g_ptr_array_index (ports, i);

      if (info->is_usb)
        printf ("%-24s %s [%04x:%04x%s%s]\n", info->path, info->friendly_name, info->vid,
                info->pid, info->serial != NULL ? " " : "",
                info->serial != NULL ? info->serial : "");
      else
        printf ("%-24s %s\n", info->path, info->friendly_name);
    }

  printf ("%-24s %s\n", "sim://", _("Demo board (simulated ESP32)"));

  return EXIT_OK;
}

/* info ----------------------------------------------------------------------- */

static void
on_flasher_log_cb (GlintFlasher  *flasher,
                   GlintLogLevel  level,
                   const char    *message,
                   gpointer       user_data)
{
  if (level == GLINT_LOG_WARNING)
    g_printerr (_("Warning: %s\n"), message);
  else if (level == GLINT_LOG_DEBUG && g_getenv ("GLINT_VERBOSE") != NULL)
    g_printerr ("%s\n", message);
}

static int
cmd_info (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GlintFlasher) flasher = NULL;
  g_autoptr(GlintBoardInfo) info = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *mac = NULL;
  GAsyncResult *slot = NULL;
  gint64 start = g_get_monotonic_time ();

  if (opt_port == NULL)
    {
      g_printerr (_("Which board? Give --port, e.g. --port /dev/ttyUSB0 or --port sim://\n"));
      return EXIT_USAGE;
    }

  stream = glint_stream_new_for_address (opt_port, &error);
  if (stream == NULL)
    return report_error (error);

  flasher = glint_flasher_new (stream);
  glint_flasher_set_no_reset (flasher, opt_no_reset);
  glint_flasher_set_timeout_scale (flasher, opt_timeout_scale);
  g_signal_connect (flasher, "log", G_CALLBACK (on_flasher_log_cb), NULL);

  printf (_("Connecting to %s…\n"), glint_stream_get_address (stream));
  glint_flasher_info_async (flasher, NULL, store_result_cb, &slot);
  result = run_until_done (&slot);
  info = glint_flasher_info_finish (flasher, result, &error);
  if (info == NULL)
    return report_error (error);

  mac = glint_board_info_format_mac (info);
  printf (_("Chip:     %s\n"), info->chip_display_name);
  printf (_("MAC:      %s\n"), mac);
  if (info->crystal_mhz != 0)
    printf (_("Crystal:  %u MHz\n"), info->crystal_mhz);
  printf (_("Link:     %s, %u round trips in %.2f s\n"), info->link, info->round_trips,
          (g_get_monotonic_time () - start) / 1e6);

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
  { "list", cmd_list, N_("List serial ports and the Demo board") },
  { "info", cmd_info, N_("Connect to a board and show its chip, MAC and crystal") },
};

static char *
commands_summary (void)
{
  GString *s = g_string_new (_("Commands:\n"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (s, "  %-8s %s\n", commands[i].name, _(commands[i].summary));

  g_string_append (s, _("\nExit status: 0 success, 1 the board or link failed, 2 bad usage.\n"));

  return g_string_free (s, FALSE);
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_("COMMAND — flash Espressif chips"));
  g_option_context_add_main_entries (context, common_entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  summary = commands_summary ();
  g_option_context_set_description (context, summary);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_USAGE;
    }

  if (argc < 2)
    {
      g_printerr ("%s", summary);
      return EXIT_USAGE;
    }

  if (opt_timeout_scale <= 0)
    {
      g_printerr (_("--timeout-scale must be positive\n"));
      return EXIT_USAGE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);

  g_printerr (_("Unknown command “%s”.\n"), argv[1]);
  g_printerr ("%s", summary);

  return EXIT_USAGE;
}
