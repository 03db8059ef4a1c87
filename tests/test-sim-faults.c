/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-error.h"
#include "glint-flash-plan.h"
#include "glint-flasher.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-stream.h"
#include "glint-stream-address.h"
#include "glint-test-utils.h"

/* The simulator's lose-baud-change fault, which the soak (tests/soak)
 * relies on. */

static GlintStream *
open_sim (const char *address)
{
  g_autoptr(GError) error = NULL;
  GlintStream *stream = glint_stream_new_for_address (address, &error);

  g_assert_no_error (error);
  return stream;
}

static gboolean
flash (GlintStream  *stream,
       guint         baud,
       GError      **error)
{
  g_autoptr(GlintFlasher) flasher = glint_flasher_new (stream);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GBytes) image = NULL;
  GAsyncResult *result = NULL;
  guint8 data[8192];
  gboolean ok;

  for (guint i = 0; i < sizeof data; i++)
    data[i] = (guint8) (i * 31 + (i >> 8));
  image = g_bytes_new (data, sizeof data);
  glint_flash_plan_add_bytes (plan, 0x10000, image, "app");
  glint_flasher_set_plan (flasher, plan);
  glint_flasher_set_baud (flasher, baud);
  glint_flasher_set_use_stub (flasher, FALSE);

  glint_flasher_flash_async (flasher, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 60000);
  ok = glint_flasher_flash_finish (flasher, result, error);
  g_object_unref (result);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);

  return ok;
}

static void
test_lose_baud_change (void)
{
  g_autoptr(GlintStream) good = open_sim ("sim://esp32c3?boot=normal&time-scale=0");
  g_autoptr(GlintStream) lost = open_sim ("sim://esp32c3?boot=normal&time-scale=0&"
                                          "lose-baud-change=on");
  g_autoptr(GError) error = NULL;
  GlintSim *sim;

  g_assert_true (flash (good, 921600, &error));
  g_assert_no_error (error);
  sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (good));
  g_assert_cmpuint (glint_sim_get_counter (sim, GLINT_SIM_COUNTER_BAUD_CHANGES), ==, 1);

  /* acknowledged, but the chip stays at 115200: the host's next words
   * are garbled and go unanswered; the job recovers (a reset brings the
   * chip back to the boot rate, the stub and the speed change again) and
   * the flash verifies */
  g_assert_true (flash (lost, 921600, &error));
  g_assert_no_error (error);
  sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (lost));
  g_assert_cmpuint (glint_sim_get_counter (sim, GLINT_SIM_COUNTER_BAUD_CHANGES), ==, 2);
  g_assert_cmpuint (glint_sim_get_counter (sim, GLINT_SIM_COUNTER_RESETS), >=, 2);
  g_assert_cmpuint (glint_sim_get_counter (sim, GLINT_SIM_COUNTER_GARBLED), >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  glint_sim_stream_register ();

  g_test_add_func ("/glint/sim-faults/lose-baud-change", test_lose_baud_change);

  return g_test_run ();
}
