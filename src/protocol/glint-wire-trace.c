/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>

#include "glint-loader.h"
#include "glint-wire-trace.h"

/*
 * GLINT_DEBUG=wire: every SLIP frame the loader sends or decodes, one line
 * on stderr each, with a monotonic timestamp, so a session against a
 * board can be read next to esptool's --trace:
 *
 *   [    0.004211] wire > SYNC           44 bytes: 00 08 24 00 00 00 00 00 07 07 12 20 …
 *   [    0.019874] wire < SYNC           12 bytes: 01 08 04 00 07 07 12 20 00 00 00 00
 *
 * The opcode is that of a request (first byte 0x00) or a response (0x01,
 * protocol.md §1.2, §1.3); anything else (the stub's READ_FLASH data) is
 * "data".
 */

/* Bytes shown in hex: a header and the first words of the payload. */
#define WIRE_HEX_BYTES 24

static const GDebugKey debug_keys[] = {
  { "wire", 1 },
};

static gint64 trace_start;

/**
 * glint_wire_trace_enabled:
 *
 * Returns: whether $GLINT_DEBUG names "wire" (read once)
 */
gboolean
glint_wire_trace_enabled (void)
{
  static gsize flags = 0;

  if (g_once_init_enter (&flags))
    {
      guint parsed = g_parse_debug_string (g_getenv ("GLINT_DEBUG"), debug_keys,
                                           G_N_ELEMENTS (debug_keys));

      trace_start = g_get_monotonic_time ();
      g_once_init_leave (&flags, parsed | 0x100);
    }

  return (flags & 1) != 0;
}

/**
 * glint_wire_trace_frame:
 * @direction: which way @frame went
 * @frame: a decoded (unescaped) SLIP frame
 * @len: its length
 *
 * Prints @frame when the wire trace is on; does nothing otherwise.
 */
void
glint_wire_trace_frame (GlintWireDirection  direction,
                        const guint8       *frame,
                        gsize               len)
{
  g_autoptr(GString) line = NULL;
  gint64 now;
  const char *what = "data";

  if (!glint_wire_trace_enabled ())
    return;

  now = g_get_monotonic_time () - trace_start;
  if (len >= 2 && frame[0] == (direction == GLINT_WIRE_OUT ? 0x00 : 0x01))
    what = glint_loader_op_name (frame[1]);

  line = g_string_new (NULL);
  g_string_append_printf (line, "[%5" G_GINT64_FORMAT ".%06" G_GINT64_FORMAT "] wire %c %-17s"
                          " %4" G_GSIZE_FORMAT " bytes:",
                          now / G_USEC_PER_SEC, now % G_USEC_PER_SEC,
                          direction == GLINT_WIRE_OUT ? '>' : '<', what, len);
  for (gsize i = 0; i < MIN (len, WIRE_HEX_BYTES); i++)
    g_string_append_printf (line, " %02x", frame[i]);
  if (len > WIRE_HEX_BYTES)
    g_string_append (line, " …");
  g_string_append_c (line, '\n');

  /* one write per line, so that traces of two loaders do not interleave */
  fputs (line->str, stderr);
  fflush (stderr);
}
