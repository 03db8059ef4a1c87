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
#include "glint-test-utils.h"

/*
 * The flash size a flash job writes against: the plan's own, else what
 * the board's flash id says, asked for only when the plan reaches past
 * the default 4 MB; a plan within it costs no extra round trip.
 */

#define DATA_SIZE 0x2000

typedef struct
{
  GlintStream  *stream;
  GlintFlasher *flasher;
  GPtrArray    *log;
} Board;

static void
on_log_cb (GlintFlasher  *flasher,
           GlintLogLevel  level,
           const char    *message,
           Board         *board)
{
  g_ptr_array_add (board->log, g_strdup (message));
}

static gboolean
log_has (Board      *board,
         const char *part)
{
  for (guint i = 0; i < board->log->len; i++)
    if (strstr (g_ptr_array_index (board->log, i), part) != NULL)
      return TRUE;
  return FALSE;
}

static GBytes *
pattern (void)
{
  guint8 *data = g_malloc (DATA_SIZE);

  for (guint i = 0; i < DATA_SIZE; i++)
    data[i] = (guint8) (i * 31 + 7);
  return g_bytes_new_take (data, DATA_SIZE);
}

/* Flashes the pattern at @offset to a board whose flash id says
 * @flash_size, with the plan's own @plan_size (or none). */
static gboolean
flash_at (const char  *flash_size,
          const char  *plan_size,
          guint32      offset,
          Board       *board,
          GError     **error)
{
  g_autofree char *address = g_strdup_printf ("sim://esp32?time-scale=0&flash-size=%s",
                                              flash_size);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GBytes) data = pattern ();
  g_autoptr(GError) open_error = NULL;

  board->stream = glint_stream_new_for_address (address, &open_error);
  g_assert_no_error (open_error);
  board->flasher = glint_flasher_new (board->stream);
  board->log = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (board->flasher, "log", G_CALLBACK (on_log_cb), board);

  glint_flash_plan_add_bytes (plan, offset, data, "data");
  if (plan_size != NULL)
    glint_flash_plan_set_flash_settings (plan, NULL, NULL, plan_size);
  glint_flasher_set_plan (board->flasher, plan);
  return glint_test_flash (board->flasher, error);
}

static void
board_clear (Board *board)
{
  g_clear_object (&board->flasher);
  if (board->stream != NULL)
    g_io_stream_close (G_IO_STREAM (board->stream), NULL, NULL);
  g_clear_object (&board->stream);
  g_clear_pointer (&board->log, g_ptr_array_unref);
}

static void
assert_holds (Board   *board,
              guint32  offset)
{
  GlintSim *sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (board->stream));
  g_autoptr(GBytes) data = pattern ();
  gsize size = 0;
  const guint8 *flash = glint_sim_get_flash (sim, &size);

  g_assert_cmpuint (size, >=, offset + DATA_SIZE);
  g_assert_cmpmem (flash + offset, DATA_SIZE, g_bytes_get_data (data, NULL), DATA_SIZE);
}

/* Past 4 MB on a 16 MB board: written, once the flash id was read. */
static void
test_detected (void)
{
  Board board = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (flash_at ("16MB", NULL, 0x500000, &board, &error));
  g_assert_no_error (error);
  g_assert_true (log_has (&board, "reading the flash's size"));
  g_assert_true (log_has (&board, "16384 KiB"));
  assert_holds (&board, 0x500000);
  board_clear (&board);
}

/* ... on a 4 MB board: refused, naming the board's size, nothing written. */
static void
test_too_small (void)
{
  Board board = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_false (flash_at ("4MB", NULL, 0x500000, &board, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_IMAGE_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "ends at 0x502000, beyond the end of the 4"));
  g_assert_true (log_has (&board, "reading the flash's size"));
  board_clear (&board);
}

/* Within 4 MB: no flash id asked for; the plan's own size is the limit
 * even on a bigger board, as esptool's --flash-size is. */
static void
test_not_asked (void)
{
  Board board = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (flash_at ("16MB", NULL, 0x300000, &board, &error));
  g_assert_no_error (error);
  g_assert_false (log_has (&board, "reading the flash's size"));
  assert_holds (&board, 0x300000);
  board_clear (&board);

  g_assert_false (flash_at ("16MB", "4MB", 0x500000, &board, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_IMAGE_TOO_LARGE);
  g_assert_false (log_has (&board, "reading the flash's size"));
  board_clear (&board);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  glint_sim_stream_register ();
  /* the ROM writes: no stub needed for 8 KiB */
  g_setenv ("GLINT_STUB_DIR", "", TRUE);

  g_test_add_func ("/glint/flash-size/detected", test_detected);
  g_test_add_func ("/glint/flash-size/too-small", test_too_small);
  g_test_add_func ("/glint/flash-size/not-asked", test_not_asked);
  return g_test_run ();
}
