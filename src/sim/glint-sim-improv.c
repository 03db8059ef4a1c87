/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-improv.h"
#include "glint-sim-private.h"

/* The app side of Improv Serial (docs/protocol.md §13): what the Demo
 * board's firmware answers on its console once it runs. A few fake
 * networks; a secured one takes only its password, any other answer is
 * "unable to connect"; a provisioned board names its URL. */

#define IMPROV_CMD_US     2000.0       /* the app's time to answer a command */
#define IMPROV_SCAN_US    300000.0     /* a Wi-Fi scan */
#define IMPROV_JOIN_US    1000000.0    /* association and DHCP */
#define APP_OFFSET        0x10000      /* the app the simulated boot log loads */
#define APP_DESC_MAGIC    0xABCD5432

typedef struct
{
  const char *ssid;
  const char *rssi;
  const char *password;   /* NULL: open */
} Network;

/* The Demo board's neighbourhood. The first network says its own password
 * so that a new user can try the whole path in the window. */
static const Network networks[] = {
  { "Glint Demo (password: demo1234)", "-42", "demo1234" },
  { "Cafe Guest", "-67", NULL },
  { "Neighbours", "-81", "correct horse battery" },
};

/* esp_app_desc_t's project name of the app the boot log loads: the first
 * segment of the image at APP_OFFSET starts with the descriptor, whose
 * project_name is 48 bytes in (32 bytes, NUL-padded). */
static gboolean
app_project_is (GlintSim   *self,
                const char *name)
{
  const gsize desc = APP_OFFSET + 24 + 8;
  char project[33] = { 0 };

  if (desc + 80 > self->flash_size || self->flash[APP_OFFSET] != 0xE9 ||
      glint_read_u32 (self->flash + desc) != APP_DESC_MAGIC)
    return FALSE;
  memcpy (project, self->flash + desc + 48, 32);
  return g_str_equal (project, name);
}

/* Whether the running app speaks Improv: the `improv` option, or by
 * default the firmware the project makes for the Demo board
 * ("glint-demo"), as ESPHome or WLED firmware would. The one switch. */
gboolean
_glint_sim_app_speaks_improv (GlintSim *self)
{
  if (self->improv_mode >= 0)
    return self->improv_mode > 0;
  return app_project_is (self, "glint-demo");
}

static void
send_packet (GlintSim     *self,
             gint64        t,
             guint8        type,
             const guint8 *data,
             gsize         len)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  glint_improv_encode_packet (type, data, len, out);
  _glint_sim_send_bytes (self, t, out->data, out->len);
}

static void
send_state (GlintSim *self,
            gint64    t,
            guint8    state)
{
  self->improv_state = state;
  send_packet (self, t, GLINT_IMPROV_TYPE_CURRENT_STATE, &state, 1);
}

static void
send_error (GlintSim *self,
            gint64    t,
            guint8    code)
{
  send_packet (self, t, GLINT_IMPROV_TYPE_ERROR_STATE, &code, 1);
}

static void
send_result (GlintSim           *self,
             gint64              t,
             guint8              command,
             const char * const *strings)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  if (glint_improv_encode_rpc (GLINT_IMPROV_TYPE_RPC_RESULT, command, strings, out, NULL))
    _glint_sim_send_bytes (self, t, out->data, out->len);
}

static void
send_url (GlintSim *self,
          gint64    t)
{
  const char *url[] = { self->improv_url, NULL };

  send_result (self, t, GLINT_IMPROV_COMMAND_WIFI_SETTINGS, url);
}

static void
join (GlintSim           *self,
      gint64              t,
      const char * const *strings)
{
  const Network *network = NULL;
  gint64 done = t + _glint_sim_scaled (self, IMPROV_JOIN_US);

  for (gsize i = 0; i < G_N_ELEMENTS (networks) && network == NULL; i++)
    if (g_str_equal (strings[0], networks[i].ssid))
      network = &networks[i];

  send_state (self, t, GLINT_IMPROV_STATE_PROVISIONING);

  if (network == NULL ||
      (network->password != NULL && !g_str_equal (strings[1], network->password)))
    {
      send_error (self, done, GLINT_IMPROV_ERROR_UNABLE_TO_CONNECT);
      send_state (self, done, GLINT_IMPROV_STATE_AUTHORIZED);
      return;
    }

  g_free (self->improv_url);
  self->improv_url = g_strdup_printf ("http://glint-demo-%02x%02x%02x.local",
                                      self->mac[3], self->mac[4], self->mac[5]);
  send_state (self, done, GLINT_IMPROV_STATE_PROVISIONED);
  send_url (self, done);
}

static void
packet_cb (guint8        type,
           const guint8 *data,
           gsize         len,
           gpointer      user_data)
{
  GlintSim *self = user_data;
  gint64 t = self->improv_time + _glint_sim_scaled (self, IMPROV_CMD_US);
  g_auto(GStrv) strings = NULL;
  guint8 command = 0;

  if (type != GLINT_IMPROV_TYPE_RPC_COMMAND)
    return;

  strings = glint_improv_parse_rpc (data, len, &command, NULL);
  if (strings == NULL)
    {
      send_error (self, t, GLINT_IMPROV_ERROR_INVALID_RPC);
      return;
    }
  send_error (self, t, GLINT_IMPROV_ERROR_NONE);

  switch (command)
    {
    case GLINT_IMPROV_COMMAND_CURRENT_STATE:
      send_state (self, t, self->improv_state);
      if (self->improv_state == GLINT_IMPROV_STATE_PROVISIONED)
        send_url (self, t);
      break;

    case GLINT_IMPROV_COMMAND_DEVICE_INFO:
      {
        /* the chip family as ESP Web Tools names it, "ESP32-C3" */
        const GlintChip *chip = glint_chip_lookup (self->chip->name);
        const char *info[] = { "glint-demo", "1.0",
                               chip != NULL ? chip->display_name : self->chip->name,
                               "Glint Demo Board", NULL };

        send_result (self, t, command, info);
      }
      break;

    case GLINT_IMPROV_COMMAND_WIFI_NETWORKS:
      t += _glint_sim_scaled (self, IMPROV_SCAN_US);
      for (gsize i = 0; i < G_N_ELEMENTS (networks); i++)
        {
          const char *row[] = { networks[i].ssid, networks[i].rssi,
                                networks[i].password != NULL ? "YES" : "NO", NULL };

          send_result (self, t, command, row);
        }
      send_result (self, t, command, NULL);
      break;

    case GLINT_IMPROV_COMMAND_WIFI_SETTINGS:
      if (g_strv_length (strings) < 2)
        send_error (self, t, GLINT_IMPROV_ERROR_INVALID_RPC);
      else
        join (self, t, (const char * const *) strings);
      break;

    default:
      send_error (self, t, GLINT_IMPROV_ERROR_UNKNOWN_RPC);
      break;
    }
}

/* Host bytes while the app runs: its console at 115200. */
void
_glint_sim_improv_feed (GlintSim     *self,
                        gint64        t,
                        const guint8 *data,
                        gsize         len)
{
  if (!_glint_sim_app_speaks_improv (self))
    return;

  /* at another rate the app's UART reads noise */
  if (_glint_sim_link_garbled (self))
    {
      glint_improv_decoder_reset (self->improv_rx);
      return;
    }

  self->improv_time = t;
  glint_improv_decoder_feed (self->improv_rx, data, len, packet_cb, self);
}

/* A reset: the app starts again, not yet provisioned. */
void
_glint_sim_improv_reset (GlintSim *self)
{
  if (self->improv_rx == NULL)
    self->improv_rx = glint_improv_decoder_new ();
  glint_improv_decoder_reset (self->improv_rx);
  self->improv_state = GLINT_IMPROV_STATE_AUTHORIZED;
  g_clear_pointer (&self->improv_url, g_free);
}

void
_glint_sim_improv_free (GlintSim *self)
{
  g_clear_pointer (&self->improv_rx, glint_improv_decoder_free);
  g_clear_pointer (&self->improv_url, g_free);
}
