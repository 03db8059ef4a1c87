/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <gio/gio.h>

#include "glint-chip.h"
#include "glint-error.h"
#include "glint-link-timing.h"
#include "glint-loader.h"
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

#define SYNC_TRIES        5
#define CONNECT_ATTEMPTS  4

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

static GlintStream *
open_stream (const char  *address,
             GError     **error)
{
  g_autoptr(GlintStream) stream = glint_stream_new_for_address (address, error);
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  if (stream == NULL)
    return NULL;

  glint_stream_open_async (stream, NULL, store_result_cb, &slot);
  result = run_until_done (&slot);
  if (!glint_stream_open_finish (stream, result, error))
    return NULL;

  return g_steal_pointer (&stream);
}

static gboolean
try_sync (GlintLoader  *loader,
          GError      **error)
{
  for (guint i = 0; i < SYNC_TRIES; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) local_error = NULL;
      GAsyncResult *slot = NULL;

      glint_loader_sync_async (loader, NULL, store_result_cb, &slot);
      result = run_until_done (&slot);
      if (glint_loader_sync_finish (loader, result, NULL, &local_error))
        return TRUE;

      if (!g_error_matches (local_error, GLINT_ERROR, GLINT_ERROR_TIMEOUT) &&
          !g_error_matches (local_error, GLINT_ERROR, GLINT_ERROR_INVALID_RESPONSE))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (i == SYNC_TRIES - 1)
        g_propagate_error (error, g_steal_pointer (&local_error));
    }

  return FALSE;
}

static GlintResetStrategy
pick_reset (GlintStream *stream,
            guint        attempt)
{
  if (opt_no_reset || !glint_stream_get_can_control_lines (stream))
    return GLINT_RESET_NONE;

  /* Local POSIX ports alternate the tight and the classic sequence, remote
   * ones can only do the classic one (protocol.md §3.2). */
  if (!glint_stream_get_is_remote (stream) && attempt % 2 == 0)
    return GLINT_RESET_UNIX_TIGHT;

  return GLINT_RESET_CLASSIC;
}

static gboolean
connect_board (GlintLoader  *loader,
               GError      **error)
{
  GlintStream *stream = glint_loader_get_stream (loader);
  g_autoptr(GError) last_error = NULL;
  g_autofree char *log = NULL;
  gboolean warned = FALSE;

  for (guint attempt = 0; attempt < CONNECT_ATTEMPTS; attempt++)
    {
      GlintResetStrategy strategy = pick_reset (stream, attempt);

      if (strategy != GLINT_RESET_NONE)
        {
          g_autoptr(GAsyncResult) result = NULL;
          g_autoptr(GError) reset_error = NULL;
          GAsyncResult *slot = NULL;

          glint_loader_reset_async (loader, strategy, NULL, store_result_cb, &slot);
          result = run_until_done (&slot);
          if (!glint_loader_reset_finish (loader, result, &reset_error) && !warned)
            {
              g_printerr (_("Warning: the board was not reset: %s\n"), reset_error->message);
              warned = TRUE;
            }
        }

      g_clear_error (&last_error);
      if (try_sync (loader, &last_error))
        return TRUE;

      /* Without reset lines there is nothing else to try. */
      if (strategy == GLINT_RESET_NONE && attempt > 0)
        break;
    }

  log = glint_loader_take_boot_log (loader);
  if (strstr (log, "boot:") != NULL && strstr (log, "waiting for download") == NULL)
    g_set_error (error, GLINT_ERROR, GLINT_ERROR_NO_SYNC,
                 "wrong boot mode: the chip started its application instead of waiting "
                 "for download (%s)", last_error->message);
  else if (strstr (log, "waiting for download") != NULL)
    g_set_error (error, GLINT_ERROR, GLINT_ERROR_NO_SYNC,
                 "the chip is in download mode but does not answer: the serial TX path "
                 "seems to be down (%s)", last_error->message);
  else
    g_set_error (error, GLINT_ERROR, GLINT_ERROR_NO_SYNC,
                 "no answer from the chip (%s)", last_error->message);

  return FALSE;
}

static guint32 *
read_regs (GlintLoader   *loader,
           const guint32 *addresses,
           guint          n,
           GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  glint_loader_read_regs_async (loader, addresses, n, NULL, store_result_cb, &slot);
  result = run_until_done (&slot);

  return glint_loader_read_regs_finish (loader, result, error);
}

static const GlintChip *
detect_chip (GlintLoader  *loader,
             GError      **error)
{
  const guint32 magic_reg = GLINT_CHIP_DETECT_MAGIC_REG;
  g_autofree guint32 *magic = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) info = NULL;
  g_autoptr(GError) local_error = NULL;
  GAsyncResult *slot = NULL;
  const GlintChip *chip;
  const guint8 *data;
  guint32 chip_id;

  /* ESP8266, ESP32 and ESP32-S2 are known by their magic register; the
   * later chips by the chip id of GET_SECURITY_INFO (protocol.md §4). */
  magic = read_regs (loader, &magic_reg, 1, error);
  if (magic == NULL)
    return NULL;

  chip = glint_chip_from_magic (magic[0]);
  if (chip != NULL && chip->uses_magic)
    return chip;

  glint_loader_command_async (loader, GLINT_OP_GET_SECURITY_INFO, NULL, 0, 20, 10000,
                              GLINT_COMMAND_NONE, NULL, store_result_cb, &slot);
  result = run_until_done (&slot);
  info = glint_loader_command_finish (loader, result, NULL, &local_error);
  if (info == NULL)
    {
      if (chip != NULL)
        return chip;
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_UNSUPPORTED_CHIP,
                   "unknown chip (magic 0x%08x): %s", magic[0], local_error->message);
      return NULL;
    }

  data = g_bytes_get_data (info, NULL);
  chip_id = data[12] | (data[13] << 8) | (data[14] << 16) | ((guint32) data[15] << 24);
  chip = glint_chip_from_security_info_id (chip_id);
  if (chip == NULL)
    {
      const char *what = glint_chip_describe_unsupported_id (chip_id);

      g_set_error (error, GLINT_ERROR, GLINT_ERROR_UNSUPPORTED_CHIP,
                   "unsupported chip id %u%s%s", chip_id, what != NULL ? ": " : "",
                   what != NULL ? what : "");
    }

  return chip;
}

static int
cmd_info (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GlintLoader) loader = NULL;
  g_autofree guint32 *words = NULL;
  g_autofree char *rtt = NULL;
  const GlintChip *chip;
  const guint32 *mac_regs;
  guint32 addresses[GLINT_CHIP_MAX_MAC_REGS + 1];
  guint n_mac = 0;
  guint8 mac[6];
  gint64 start = g_get_monotonic_time ();

  if (opt_port == NULL)
    {
      g_printerr (_("Which board? Give --port, e.g. --port /dev/ttyUSB0 or --port sim://\n"));
      return EXIT_USAGE;
    }

  stream = open_stream (opt_port, &error);
  if (stream == NULL)
    return report_error (error);

  loader = glint_loader_new (stream);
  glint_link_timing_set_scale (glint_loader_get_timing (loader), opt_timeout_scale);

  printf (_("Connecting to %s…\n"), glint_stream_get_address (stream));
  if (!connect_board (loader, &error))
    return report_error (error);

  chip = detect_chip (loader, &error);
  if (chip == NULL)
    return report_error (error);

  /* MAC words and the UART divider in one round trip. */
  mac_regs = glint_chip_get_mac_registers (chip, &n_mac);
  memcpy (addresses, mac_regs, n_mac * sizeof (guint32));
  addresses[n_mac] = chip->uart_clkdiv_reg;
  words = read_regs (loader, addresses, n_mac + (chip->uart_clkdiv_reg != 0 ? 1 : 0), &error);
  if (words == NULL)
    return report_error (error);
  if (!glint_chip_decode_mac (chip, words, mac, &error))
    return report_error (error);

  rtt = glint_link_timing_describe (glint_loader_get_timing (loader));
  printf (_("Chip:     %s\n"), chip->display_name);
  printf (_("MAC:      %02x:%02x:%02x:%02x:%02x:%02x\n"),
          mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
  if (chip->uart_clkdiv_reg != 0)
    {
      guint xtal = glint_chip_estimate_xtal_mhz (chip, words[n_mac],
                                                 glint_stream_get_baud (stream));

      if (xtal != 0)
        printf (_("Crystal:  %u MHz\n"), xtal);
    }
  printf (_("Link:     %s, %u round trips in %.2f s\n"), rtt,
          glint_loader_get_round_trips (loader), (g_get_monotonic_time () - start) / 1e6);

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
