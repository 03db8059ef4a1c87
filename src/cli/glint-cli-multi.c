/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "glint-cli-json.h"
#include "glint-cli-multi.h"
#include "glint-error.h"
#include "glint-flash-batch.h"
#include "glint-port-monitor.h"
#include "glint-serial-stream.h"

/*
 * glint-cli flash with --port given more than once, or --port all: one
 * job per board, side by side (GlintFlashBatch), a line per board as it
 * goes, each prefixed by its port, and a table at the end. With --json
 * every event carries the board's "port".
 */

typedef struct
{
  GlintFlashBatch *batch;
  gboolean         json;
  GArray          *percent;   /* int per board: the last progress step told (0: none) */
} Multi;

/* --port all: every local port there is now (the port monitor's list) */
char **
glint_cli_expand_ports (const char * const  *ports,
                        GError             **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; ports[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) found = NULL;

      if (!g_str_equal (ports[i], "all"))
        {
          g_strv_builder_add (builder, ports[i]);
          continue;
        }
      found = glint_port_list (error);
      if (found == NULL)
        return NULL;
      for (guint j = 0; j < found->len; j++)
        g_strv_builder_add (builder,
                            ((GlintSerialPortInfo *) g_ptr_array_index (found, j))->path);
    }

  return g_strv_builder_end (builder);
}

static void
on_state_cb (GlintFlasher *flasher,
             GParamSpec   *pspec,
             const char   *port)
{
  GlintFlasherState state = glint_flasher_get_state (flasher);
  Multi *multi = g_object_get_data (G_OBJECT (flasher), "glint-cli-multi");
  const char *text = NULL;

  if (multi->json)
    {
      g_autoptr(JsonBuilder) builder = glint_cli_json_event ("state", port);

      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, glint_flasher_state_to_string (state));
      if (glint_flasher_get_chip (flasher) != NULL)
        {
          json_builder_set_member_name (builder, "chip");
          json_builder_add_string_value (builder, glint_flasher_get_chip (flasher));
        }
      glint_cli_json_emit (builder);
      return;
    }

  switch (state)
    {
    case GLINT_FLASHER_STATE_LOADING_STUB:
      text = _("Loading the flasher stub…");
      break;
    case GLINT_FLASHER_STATE_ERASING:
      text = _("Erasing…");
      break;
    case GLINT_FLASHER_STATE_VERIFYING:
      text = _("Verifying…");
      break;
    default:
      break;
    }
  if (text != NULL)
    printf ("%s: %s\n", port, text);
}

/* A line at every quarter: several boards on one terminal cannot share
 * one line that is redrawn. */
static void
on_progress_cb (GlintFlasher *flasher,
                GParamSpec   *pspec,
                const char   *port)
{
  Multi *multi = g_object_get_data (G_OBJECT (flasher), "glint-cli-multi");
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (flasher), "glint-cli-index"));
  int *last = &g_array_index (multi->percent, int, index);
  guint64 done = 0, total = 0;
  int step;

  g_object_get (flasher, "bytes-done", &done, "bytes-total", &total, NULL);
  if (multi->json)
    {
      g_autoptr(JsonBuilder) builder = glint_cli_json_event ("progress", port);

      json_builder_set_member_name (builder, "bytes-done");
      json_builder_add_int_value (builder, (gint64) done);
      json_builder_set_member_name (builder, "bytes-total");
      json_builder_add_int_value (builder, (gint64) total);
      json_builder_set_member_name (builder, "rate");
      json_builder_add_double_value (builder, glint_flasher_get_rate (flasher));
      glint_cli_json_emit (builder);
      return;
    }

  if (glint_flasher_get_state (flasher) != GLINT_FLASHER_STATE_WRITING || total == 0)
    return;
  step = (int) (done * 4 / total) * 25;
  if (step <= *last)
    return;
  *last = step;
  /* Translators: a board's port, then how much of the firmware is written */
  printf (_("%s: Writing %d%%\n"), port, step);
}

static void
on_log_cb (GlintFlasher  *flasher,
           GlintLogLevel  level,
           const char    *message,
           const char    *port)
{
  Multi *multi = g_object_get_data (G_OBJECT (flasher), "glint-cli-multi");
  static const char *levels[] = { "debug", "info", "notice", "warning", "error" };

  if (multi->json)
    {
      g_autoptr(JsonBuilder) builder = glint_cli_json_event ("log", port);

      json_builder_set_member_name (builder, "level");
      json_builder_add_string_value (builder,
                                     levels[MIN ((guint) level, G_N_ELEMENTS (levels) - 1)]);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, message);
      glint_cli_json_emit (builder);
      return;
    }

  if (level == GLINT_LOG_WARNING)
    g_printerr (_("%s: Warning: %s\n"), port, message);
  else if (level == GLINT_LOG_NOTICE)
    printf ("%s: %s\n", port, message);
  else if (g_getenv ("GLINT_VERBOSE") != NULL)
    g_printerr ("%s: %s\n", port, message);
}

static void
on_reconnecting_cb (GlintFlasher *flasher,
                    guint         attempt,
                    guint         max,
                    const char   *cause,
                    const char   *port)
{
  Multi *multi = g_object_get_data (G_OBJECT (flasher), "glint-cli-multi");
  g_autoptr(JsonBuilder) builder = NULL;

  /* on a terminal the flasher's own warning says it */
  if (!multi->json)
    return;

  builder = glint_cli_json_event ("reconnecting", port);
  json_builder_set_member_name (builder, "attempt");
  json_builder_add_int_value (builder, attempt);
  json_builder_set_member_name (builder, "max");
  json_builder_add_int_value (builder, max);
  json_builder_set_member_name (builder, "cause");
  json_builder_add_string_value (builder, cause);
  glint_cli_json_emit (builder);
}

static void
on_board_added_cb (GlintFlashBatch *batch,
                   guint            index,
                   Multi           *multi)
{
  GlintFlasher *flasher = glint_flash_batch_get_flasher (batch, index);
  const char *port = glint_flash_batch_get_address (batch, index);
  int none = 0;

  g_array_append_val (multi->percent, none);
  g_object_set_data (G_OBJECT (flasher), "glint-cli-multi", multi);
  g_object_set_data (G_OBJECT (flasher), "glint-cli-index", GUINT_TO_POINTER (index));
  g_signal_connect (flasher, "notify::state", G_CALLBACK (on_state_cb), (gpointer) port);
  g_signal_connect (flasher, "notify::bytes-done", G_CALLBACK (on_progress_cb),
                    (gpointer) port);
  g_signal_connect (flasher, "log", G_CALLBACK (on_log_cb), (gpointer) port);
  g_signal_connect (flasher, "reconnecting", G_CALLBACK (on_reconnecting_cb), (gpointer) port);
  if (!multi->json)
    printf (_("%s: Connecting…\n"), port);
}

/* The result as the table and the board's last line show it */
static const char *
describe_result (GlintBatchResult result)
{
  switch (result)
    {
    case GLINT_BATCH_RESULT_VERIFIED:
      return _("verified");
    case GLINT_BATCH_RESULT_NOT_VERIFIED:
      return _("not verified");
    case GLINT_BATCH_RESULT_CANCELLED:
      return _("stopped");
    case GLINT_BATCH_RESULT_RUNNING:
    case GLINT_BATCH_RESULT_FAILED:
    default:
      return _("FAILED");
    }
}

static void
on_board_finished_cb (GlintFlashBatch *batch,
                      guint            index,
                      Multi           *multi)
{
  const char *port = glint_flash_batch_get_address (batch, index);
  const GError *error = glint_flash_batch_get_error (batch, index);
  GlintBatchResult result = glint_flash_batch_get_result (batch, index);

  if (multi->json)
    {
      g_autoptr(JsonBuilder) builder = glint_cli_json_event ("result", port);
      const char *chip = glint_flash_batch_get_chip (batch, index);
      const char *mac = glint_flash_batch_get_mac (batch, index);

      json_builder_set_member_name (builder, "result");
      json_builder_add_string_value (builder, glint_batch_result_to_string (result));
      json_builder_set_member_name (builder, "chip");
      if (chip != NULL)
        json_builder_add_string_value (builder, chip);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "mac");
      if (mac != NULL)
        json_builder_add_string_value (builder, mac);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "seconds");
      json_builder_add_double_value (builder, glint_flash_batch_get_seconds (batch, index));
      json_builder_set_member_name (builder, "bytes-written");
      json_builder_add_int_value (builder,
                                  (gint64) glint_flasher_get_bytes_written (
                                    glint_flash_batch_get_flasher (batch, index)));
      json_builder_set_member_name (builder, "recoveries");
      json_builder_add_int_value (builder,
                                  glint_flasher_get_recoveries (
                                    glint_flash_batch_get_flasher (batch, index)));
      if (error != NULL)
        glint_cli_json_add_message (builder, error, NULL);
      glint_cli_json_emit (builder);
      return;
    }

  if (result == GLINT_BATCH_RESULT_FAILED && error != NULL)
    {
      g_printerr (_("%s: Error: %s\n"), port, error->message);
      if (glint_error_get_hint (error) != NULL)
        g_printerr ("%s: %s\n", port, glint_error_get_hint (error));
    }
  else
    {
      /* Translators: a board's port, its result ("verified"), seconds */
      printf (_("%s: Done: %s in %.1f s\n"), port, describe_result (result),
              glint_flash_batch_get_seconds (batch, index));
    }
}

/* The results log could not be saved: a warning, under --json a "log"
 * event without a port (it is no board's) */
static void
warn_log_failed (const GError *error,
                 gboolean      json)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *message = NULL;

  if (!json)
    {
      g_printerr (_("Warning: the results log was not saved: %s\n"), error->message);
      return;
    }

  message = g_strdup_printf (_("the results log was not saved: %s"), error->message);
  builder = glint_cli_json_event ("log", NULL);
  json_builder_set_member_name (builder, "level");
  json_builder_add_string_value (builder, "warning");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  glint_cli_json_emit (builder);
}

static void
on_log_failed_cb (GlintFlashBatch *batch,
                  const GError    *error,
                  Multi           *multi)
{
  warn_log_failed (error, multi->json);
}

/* A board that could not be started (its port cannot be opened as a
 * stream): under --json the "result" event every board ends with,
 * "failed" with the message and hint, as a board that failed later. */
static void
report_unopened (const char   *port,
                 const GError *error,
                 gboolean      json)
{
  g_autoptr(JsonBuilder) builder = NULL;

  if (!json)
    {
      g_printerr (_("%s: Error: %s\n"), port, error->message);
      if (glint_error_get_hint (error) != NULL)
        g_printerr ("%s: %s\n", port, glint_error_get_hint (error));
      return;
    }

  builder = glint_cli_json_event ("result", port);
  json_builder_set_member_name (builder, "result");
  json_builder_add_string_value (builder, glint_batch_result_to_string (GLINT_BATCH_RESULT_FAILED));
  json_builder_set_member_name (builder, "chip");
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "mac");
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "seconds");
  json_builder_add_double_value (builder, 0);
  json_builder_set_member_name (builder, "bytes-written");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "recoveries");
  json_builder_add_int_value (builder, 0);
  glint_cli_json_add_message (builder, error, NULL);
  glint_cli_json_emit (builder);
}

static void
on_cancelled_cb (GCancellable    *cancellable,
                 GlintFlashBatch *batch)
{
  glint_flash_batch_cancel (batch);
}

static void
print_table (GlintFlashBatch *batch)
{
  guint n = glint_flash_batch_get_n_boards (batch);
  int width = 4;

  for (guint i = 0; i < n; i++)
    width = MAX (width, (int) g_utf8_strlen (glint_flash_batch_get_address (batch, i), -1));

  printf ("\n%-*s  %-10s  %-17s  %-12s  %s\n", width, _("Port"), _("Chip"), _("MAC"),
          _("Result"), _("Time"));
  for (guint i = 0; i < n; i++)
    {
      const char *chip = glint_flash_batch_get_chip (batch, i);
      const char *mac = glint_flash_batch_get_mac (batch, i);

      printf ("%-*s  %-10s  %-17s  %-12s  %.1f s\n", width,
              glint_flash_batch_get_address (batch, i), chip != NULL ? chip : "-",
              mac != NULL ? mac : "-", describe_result (glint_flash_batch_get_result (batch, i)),
              glint_flash_batch_get_seconds (batch, i));
    }
}

/* Flashes @plan to every board of @ports at once, and waits for all. A
 * results log that cannot be kept (@error) refuses the job before any
 * board starts: a script that asked for it would otherwise miss it. */
GlintCliBoards
glint_cli_flash_boards (GlintFlashPlan           *plan,
                        const GlintFlashOptions  *options,
                        const char * const       *ports,
                        gboolean                  json,
                        const char               *results_log,
                        GCancellable             *cancellable,
                        GError                  **error)
{
  g_autoptr(GlintFlashBatch) batch = glint_flash_batch_new (plan, options);
  g_autoptr(GArray) percent = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GError) local = NULL;
  Multi multi = { batch, json, percent };
  guint n_failed = 0, n_unverified = 0, n_cancelled = 0, n_boards, n_unopened = 0;
  gulong cancelled_id;

  if (results_log != NULL && !glint_flash_batch_set_results_log (batch, results_log, &local))
    {
      /* a file that cannot be written, rather than one that is no log */
      if (local->domain != GLINT_ERROR)
        g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                     _("--results-log: cannot write “%s” (%s): give a file in a folder you "
                       "may write to"), results_log, local->message);
      else
        g_propagate_prefixed_error (error, g_steal_pointer (&local), _("--results-log: "));
      return GLINT_CLI_BOARDS_REFUSED;
    }

  g_signal_connect (batch, "board-added", G_CALLBACK (on_board_added_cb), &multi);
  g_signal_connect (batch, "board-finished", G_CALLBACK (on_board_finished_cb), &multi);
  g_signal_connect (batch, "log-failed", G_CALLBACK (on_log_failed_cb), &multi);
  cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled_cb), batch, NULL);

  /* all are started before any is waited for: the jobs run side by side */
  for (guint i = 0; ports[i] != NULL; i++)
    {
      if (glint_flash_batch_add (batch, ports[i], &local) != G_MAXUINT)
        continue;
      report_unopened (ports[i], local, json);
      g_clear_error (&local);
      n_unopened++;
    }

  while (glint_flash_batch_get_n_running (batch) > 0)
    g_main_context_iteration (NULL, TRUE);

  g_cancellable_disconnect (cancellable, cancelled_id);
  n_boards = glint_flash_batch_get_n_boards (batch);
  for (guint i = 0; i < n_boards; i++)
    switch (glint_flash_batch_get_result (batch, i))
      {
      case GLINT_BATCH_RESULT_FAILED:
        n_failed++;
        break;
      case GLINT_BATCH_RESULT_NOT_VERIFIED:
        n_unverified++;
        break;
      case GLINT_BATCH_RESULT_CANCELLED:
        n_cancelled++;
        break;
      default:
        break;
      }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = glint_cli_json_event ("done", NULL);

      json_builder_set_member_name (builder, "job");
      json_builder_add_string_value (builder, "flash");
      json_builder_set_member_name (builder, "boards");
      json_builder_add_int_value (builder, n_boards + n_unopened);
      json_builder_set_member_name (builder, "failed");
      json_builder_add_int_value (builder, n_failed + n_unopened);
      glint_cli_json_emit (builder);
    }
  else
    {
      print_table (batch);
      printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u board verified.\n",
                           "%u of %u boards verified.\n", n_boards + n_unopened),
              n_boards - n_failed - n_unverified - n_cancelled, n_boards + n_unopened);
    }

  g_signal_handlers_disconnect_by_data (batch, &multi);
  for (guint i = 0; i < n_boards; i++)
    g_signal_handlers_disconnect_by_data (glint_flash_batch_get_flasher (batch, i),
                                          (gpointer) glint_flash_batch_get_address (batch, i));

  if (n_cancelled > 0)
    return GLINT_CLI_BOARDS_CANCELLED;
  if (n_failed + n_unopened > 0)
    return GLINT_CLI_BOARDS_FAILED;
  if (n_unverified > 0)
    return GLINT_CLI_BOARDS_NOT_VERIFIED;
  return GLINT_CLI_BOARDS_VERIFIED;
}
