/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-error.h"
#include "glint-loader.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-slip.h"
#include "glint-stream.h"
#include "glint-test-utils.h"

/*
 * Which error a refused command gives, for status bytes as they arrive:
 * the loader on sim:// whose chip hears nothing (drop=1), and a response
 * frame put on the wire as if the chip sent it. A first status byte that no
 * loader sends (the ROM sends 1, the stubs 0xC0 and up) is a response
 * damaged on the way, not a refusal (found by the fault-injection soak: a
 * corrupted byte gave "undefined error" as GLINT_ERROR_FAILED).
 */

typedef struct
{
  guint8 status[2];
  int    code;
} Case;

static const Case cases[] = {
  { { 0x01, 0x07 }, GLINT_ERROR_CHECKSUM_MISMATCH },   /* ROM checksum error */
  { { 0xC1, 0x00 }, GLINT_ERROR_CHECKSUM_MISMATCH },   /* stub bad checksum */
  { { 0x01, 0x05 }, GLINT_ERROR_NOT_SUPPORTED },
  { { 0x01, 0x00 }, GLINT_ERROR_FAILED },              /* the ROM's own "undefined error" */
  { { 0x01, 0x09 }, GLINT_ERROR_FLASH_FAILED },        /* ROM flash read error */
  { { 0x01, 0x08 }, GLINT_ERROR_FLASH_FAILED },        /* ROM flash write error */
  { { 0xC4, 0x00 }, GLINT_ERROR_FLASH_FAILED },        /* stub failed SPI operation */
  { { 0x01, 0x01 }, GLINT_ERROR_INVALID_ARGUMENT },    /* ROM input parameter invalid */
  { { 0xBD, 0x00 }, GLINT_ERROR_INVALID_RESPONSE },    /* damaged: no loader sends 0xBD */
  { { 0x02, 0x07 }, GLINT_ERROR_INVALID_RESPONSE },
  { { 0x7F, 0x01 }, GLINT_ERROR_INVALID_RESPONSE },
  { { 0xEE, 0x00 }, GLINT_ERROR_INVALID_RESPONSE },
};

static void
store_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_status (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GlintStream) stream =
    glint_test_open_stream ("sim://esp32?boot=download&time-scale=0&drop=1");
  g_autoptr(GlintLoader) loader = glint_loader_new (stream);
  GlintSim *sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream));
  guint8 address[4] = { 0x00, 0x10, 0x00, 0x40 };
  g_autoptr(GBytes) payload = g_bytes_new (address, sizeof address);
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  /* READ_REG response: direction, op, size 4, value, status + 2 reserved */
  guint8 frame[12] = { 0x01, GLINT_OP_READ_REG, 0x04, 0x00, 0, 0, 0, 0,
                       c->status[0], c->status[1], 0, 0 };

  glint_loader_command_async (loader, GLINT_OP_READ_REG, payload, 0, 0, 0,
                              GLINT_COMMAND_NONE, NULL, store_cb, &result);
  glint_test_spin (10);
  glint_slip_encode (frame, sizeof frame, wire);
  bytes = g_bytes_new (wire->data, wire->len);
  g_signal_emit_by_name (sim, "output", bytes);

  glint_test_wait_for ((gpointer *) &result, 10000);
  reply = glint_loader_command_finish (loader, result, NULL, &error);
  g_object_unref (result);
  g_assert_null (reply);
  g_assert_error (error, GLINT_ERROR, c->code);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  glint_sim_stream_register ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/glint/loader-status/%02x%02x",
                                               cases[i].status[0], cases[i].status[1]);

      g_test_add_data_func (path, &cases[i], test_status);
    }

  return g_test_run ();
}
