/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-reset.h"
#include "glint-stream.h"

/*
 * The one place that drives DTR and RTS to reset a chip (protocol.md
 * §3.3): into the bootloader for the flasher's connect, and into the app
 * after a job, from the monitor page's Reset button and from
 * `glint-cli monitor`. Each step is logged at debug level
 * ("reset hard: DTR 0 RTS 1, 100 ms"), which is how the tests see which
 * lines changed and how long they were held.
 */

/* esptool's hold time for EN and IO0 during a reset (protocol.md §3.3) */
#define RESET_HOLD_MS 100

typedef struct
{
  GlintLines mask;
  GlintLines values;
  guint      delay_ms;     /* wait after setting */
} ResetStep;

typedef struct
{
  GlintResetStrategy  strategy;
  GArray             *steps;
  guint               next;
  guint               timeout_id;
} ResetData;

static void
reset_data_free (gpointer data)
{
  ResetData *rd = data;

  g_clear_handle_id (&rd->timeout_id, g_source_remove);
  g_array_unref (rd->steps);
  g_free (rd);
}

/**
 * glint_reset_strategy_name:
 *
 * Returns: a short name for logs: "none", "classic", "tight", "usb-jtag",
 *   "hard"
 */
const char *
glint_reset_strategy_name (GlintResetStrategy strategy)
{
  switch (strategy)
    {
    case GLINT_RESET_NONE:
      return "none";
    case GLINT_RESET_CLASSIC:
      return "classic";
    case GLINT_RESET_UNIX_TIGHT:
      return "tight";
    case GLINT_RESET_USB_JTAG:
      return "usb-jtag";
    case GLINT_RESET_HARD:
      return "hard";
    default:
      return "unknown";
    }
}

static void reset_step (GTask *task);

static gboolean
reset_delay_cb (gpointer user_data)
{
  GTask *task = user_data;
  ResetData *rd = g_task_get_task_data (task);

  rd->timeout_id = 0;
  reset_step (task);

  return G_SOURCE_REMOVE;
}

static void
reset_lines_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  ResetData *rd = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  ResetStep *step;

  if (!glint_stream_set_lines_finish (GLINT_STREAM (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  step = &g_array_index (rd->steps, ResetStep, rd->next - 1);
  if (step->delay_ms > 0)
    rd->timeout_id = g_timeout_add (step->delay_ms, reset_delay_cb, task);
  else
    reset_step (task);
}

static void
reset_step (GTask *task)
{
  GlintStream *stream = g_task_get_source_object (task);
  ResetData *rd = g_task_get_task_data (task);
  g_autoptr(GString) lines = g_string_new (NULL);
  ResetStep *step;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  if (rd->next >= rd->steps->len)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  step = &g_array_index (rd->steps, ResetStep, rd->next++);
  if ((step->mask & GLINT_LINE_DTR) != 0)
    g_string_append_printf (lines, " DTR %d", (step->values & GLINT_LINE_DTR) != 0);
  if ((step->mask & GLINT_LINE_RTS) != 0)
    g_string_append_printf (lines, " RTS %d", (step->values & GLINT_LINE_RTS) != 0);
  g_debug ("reset %s:%s, %u ms", glint_reset_strategy_name (rd->strategy), lines->str,
           step->delay_ms);
  glint_stream_set_lines_async (stream, step->mask, step->values,
                                g_task_get_cancellable (task), reset_lines_cb, task);
}

static void
add_step (GArray     *steps,
          GlintLines  mask,
          GlintLines  values,
          guint       delay_ms)
{
  ResetStep step = { mask, values, delay_ms };

  g_array_append_val (steps, step);
}

/**
 * glint_reset_async:
 * @stream: an open stream
 * @strategy: which sequence
 * @delay_ms: the wait after IO0 is let go in the sequences into the
 *   bootloader (%GLINT_RESET_DEFAULT_DELAY_MS; longer for boards with a
 *   slow capacitor on EN)
 *
 * Runs one of esptool's reset sequences with its hold times (protocol.md
 * §3.3). Fails with the stream's error (%GLINT_ERROR_NOT_SUPPORTED) where
 * it cannot control DTR/RTS; the caller then says the chip was not reset
 * and goes on.
 */
void
glint_reset_async (GlintStream         *stream,
                   GlintResetStrategy   strategy,
                   guint                delay_ms,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const GlintLines dtr = GLINT_LINE_DTR;
  const GlintLines rts = GLINT_LINE_RTS;
  const GlintLines both = GLINT_LINE_DTR | GLINT_LINE_RTS;
  guint d = delay_ms;
  ResetData *rd;

  g_return_if_fail (GLINT_IS_STREAM (stream));

  task = g_task_new (stream, cancellable, callback, user_data);
  g_task_set_source_tag (task, glint_reset_async);
  g_task_set_name (task, "glint-reset");

  rd = g_new0 (ResetData, 1);
  rd->strategy = strategy;
  rd->steps = g_array_new (FALSE, FALSE, sizeof (ResetStep));
  g_task_set_task_data (task, rd, reset_data_free);

  switch (strategy)
    {
    case GLINT_RESET_NONE:
      break;
    case GLINT_RESET_CLASSIC:
      /* IO0 high, EN low; then IO0 low, EN high; then release IO0 */
      add_step (rd->steps, dtr, 0, 0);
      add_step (rd->steps, rts, rts, RESET_HOLD_MS);
      if (glint_stream_get_is_remote (stream))
        {
          /* Over the network two requests may arrive a round trip apart,
           * and the chip samples IO0 a few milliseconds after EN rises:
           * send both changes together, in one message. */
          add_step (rd->steps, both, dtr, d);
        }
      else
        {
          add_step (rd->steps, dtr, dtr, 0);
          add_step (rd->steps, rts, 0, d);
        }
      add_step (rd->steps, dtr, 0, 0);
      break;
    case GLINT_RESET_UNIX_TIGHT:
      add_step (rd->steps, both, 0, 0);
      add_step (rd->steps, both, both, 0);
      add_step (rd->steps, both, rts, RESET_HOLD_MS);
      add_step (rd->steps, both, dtr, d);
      add_step (rd->steps, both, 0, 0);
      break;
    case GLINT_RESET_USB_JTAG:
      add_step (rd->steps, both, 0, RESET_HOLD_MS);
      add_step (rd->steps, both, dtr, RESET_HOLD_MS);
      /* through (1,1), RTS last, as the USB-Serial/JTAG needs */
      add_step (rd->steps, rts, rts, 0);
      add_step (rd->steps, dtr, 0, 0);
      add_step (rd->steps, rts, rts, RESET_HOLD_MS);
      add_step (rd->steps, both, 0, 0);
      break;
    case GLINT_RESET_HARD:
      /* EN low for the hold time, then up: the chip boots its app. IO0 is
       * let go with it, since a port just opened may hold DTR asserted
       * (after a reset into the bootloader it is let go already, and the
       * stream sends no change for it). */
      add_step (rd->steps, both, rts, RESET_HOLD_MS);
      add_step (rd->steps, rts, 0, 0);
      break;
    default:
      g_return_if_reached ();
    }

  reset_step (g_steal_pointer (&task));
}

gboolean
glint_reset_finish (GlintStream   *stream,
                    GAsyncResult  *result,
                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
