/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>

#include "glint-cli-json.h"

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
