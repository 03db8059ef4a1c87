/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>

#include "glint-cli-json.h"
#include "glint-error.h"

/*
 * --json: one JSON object a line on standard output, for programs. Every
 * object has "event"; with several boards also "port".
 */

/**
 * glint_cli_json_event:
 * @event: the event's name, e.g. "progress"
 * @port: (nullable): the board's port, when several are flashed at once
 *
 * Starts an event object; add members, then glint_cli_json_emit().
 *
 * Returns: (transfer full): the builder, inside the open object
 */
JsonBuilder *
glint_cli_json_event (const char *event,
                      const char *port)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event);
  if (port != NULL)
    {
      json_builder_set_member_name (builder, "port");
      json_builder_add_string_value (builder, port);
    }

  return builder;
}

/**
 * glint_cli_json_emit:
 * @builder: a builder from glint_cli_json_event()
 *
 * Closes the object and prints it as one line, flushed at once so a
 * program reading the pipe sees each event as it happens.
 */
void
glint_cli_json_emit (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
  fflush (stdout);
}

/**
 * glint_cli_json_error:
 * @error: what went wrong
 * @port: (nullable): the board's port, when several are flashed at once
 * @hint: (nullable): the next step, or %NULL for the error code's own
 *
 * Prints an "error" event: the error's domain, code, message and hint,
 * the one shape of every error under --json, from the command line's
 * own checks to a board that failed.
 */
void
glint_cli_json_error (const GError *error,
                      const char   *port,
                      const char   *hint)
{
  g_autoptr(JsonBuilder) builder = glint_cli_json_event ("error", port);

  json_builder_set_member_name (builder, "domain");
  json_builder_add_string_value (builder, g_quark_to_string (error->domain));
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, error->code);
  glint_cli_json_add_message (builder, error, hint);
  glint_cli_json_emit (builder);
}

/**
 * glint_cli_json_add_message:
 * @builder: an event being built
 * @error: what went wrong
 * @hint: (nullable): the next step, or %NULL for the error code's own
 *
 * Adds the error's "message" and, where there is one, its "hint".
 */
void
glint_cli_json_add_message (JsonBuilder  *builder,
                            const GError *error,
                            const char   *hint)
{
  if (hint == NULL)
    hint = glint_error_get_hint (error);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, error->message);
  if (hint != NULL)
    {
      json_builder_set_member_name (builder, "hint");
      json_builder_add_string_value (builder, hint);
    }
}
