/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-error.h"
#include "glint-fuzz.h"
#include "glint-sim-stream.h"
#include "glint-stream-address.h"

/* The port name / URL parser: any text either parses, and then formats to
 * a string that parses to the same thing, or fails with a GLINT_ERROR. */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GlintStreamAddress) address = NULL;
  g_autoptr(GlintStreamAddress) copy = NULL;
  g_autoptr(GlintStreamAddress) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *formatted = NULL;
  g_autofree char *formatted_again = NULL;

  /* sim:// as the app has it: registered by whoever links the simulator */
  static gboolean registered = FALSE;

  if (!registered)
    {
      glint_sim_stream_register ();
      registered = TRUE;
    }

  address = glint_stream_address_parse (text, &error);
  if (address == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == GLINT_ERROR);
      return 0;
    }
  g_assert_no_error (error);

  copy = glint_stream_address_copy (address);
  glint_stream_address_get_option (copy, "timeout");
  formatted = glint_stream_address_to_string (address);
  again = glint_stream_address_parse (formatted, &error);
  if (again == NULL)
    g_error ("“%s” parsed, but its formatted form “%s” does not: %s", text, formatted,
             error->message);
  formatted_again = glint_stream_address_to_string (again);
  g_assert_cmpstr (formatted, ==, formatted_again);

  return 0;
}
