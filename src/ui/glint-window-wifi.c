/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "glint-board-page.h"
#include "glint-error.h"
#include "glint-improv-client.h"
#include "glint-stream-address.h"
#include "glint-window-private.h"

/* GlintWindow's Wi-Fi set-up (Improv Serial, docs/protocol.md §13): after
 * a verified flash the Done page asks the firmware whether it speaks
 * Improv and offers Set Up Wi-Fi only if it does; Set Up Wi-Fi… in the
 * menu asks on demand. The client talks over the flasher's stream (the
 * flasher lets go of it) or, with no flash before, a stream of its own. */

static void
on_wifi_joined_cb (GlintWifiPage *page,
                   const char    *ssid,
                   const char    *url,
                   GlintWindow   *self)
{
  g_autofree char *line = NULL;

  /* TRANSLATORS: the window's log; the network's name, then the board's address */
  line = g_strdup_printf (_("Wi-Fi: the board joined “%s” (%s)"), ssid,
                          *url != '\0' ? url : _("no address given"));
  _glint_window_log (self, GLINT_LOG_INFO, line);
}

/* For tests: firmware without Improv is only known after the wait (a web
 * installer's new_install_improv_wait_time counts over this one). */
void
_glint_window_set_improv_wait (GlintWindow *self,
                               guint        ms)
{
  self->improv_wait_ms = ms;
}

void
_glint_window_wifi_init (GlintWindow *self)
{
  self->improv_wait_ms = GLINT_IMPROV_PROBE_TIMEOUT_MS;
  g_signal_connect_object (self->wifi_page, "joined", G_CALLBACK (on_wifi_joined_cb), self, 0);
}

/**
 * _glint_window_stop_wifi:
 * @self: a #GlintWindow
 *
 * Stops asking and talking to the board and lets go of its stream (a new
 * flash or the serial monitor needs it).
 */
void
_glint_window_stop_wifi (GlintWindow *self)
{
  g_cancellable_cancel (self->improv_cancellable);
  g_clear_object (&self->improv_cancellable);
  if (self->wifi_page != NULL)
    glint_wifi_page_stop (self->wifi_page);
  if (self->improv != NULL)
    glint_improv_client_stop (self->improv);
  g_clear_object (&self->improv);
  self->improv_ready = FALSE;
  if (self->done_page != NULL)
    glint_done_page_set_wifi (self->done_page, FALSE, FALSE);
}

/* The question holds no reference on the window: a window closed while
 * firmware without Improv keeps silent must go at once. Stopping (which
 * dispose does) ends the question as cancelled, and then the window is
 * not touched. */
static void
probe_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GlintWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  const char * const *info;
  g_autofree char *line = NULL;

  if (!glint_improv_client_probe_finish (GLINT_IMPROV_CLIENT (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          GLINT_IMPROV_CLIENT (object) != self->improv)
        return;
      /* firmware without Improv: nothing offered, a note in the log */
      _glint_window_log (self, GLINT_LOG_DEBUG, error->message);
      glint_done_page_set_wifi (self->done_page, FALSE, FALSE);
      return;
    }
  if (GLINT_IMPROV_CLIENT (object) != self->improv)
    return;

  self->improv_ready = TRUE;
  info = glint_improv_client_get_device_info (self->improv);
  /* TRANSLATORS: the window's log; %s is the firmware's name and version */
  line = g_strdup_printf (_("The firmware offers Wi-Fi set-up (Improv Serial): %s"),
                          info != NULL && info[0] != NULL ? info[0] : "");
  _glint_window_log (self, GLINT_LOG_INFO, line);
  glint_done_page_set_wifi (self->done_page, FALSE, TRUE);
}

/* Whether two addresses name the same board, however they were typed. */
static gboolean
same_address (const char *a,
              const char *b)
{
  g_autoptr(GlintStreamAddress) pa = glint_stream_address_parse (a, NULL);
  g_autoptr(GlintStreamAddress) pb = glint_stream_address_parse (b, NULL);
  g_autofree char *ca = pa != NULL ? glint_stream_address_to_string (pa) : g_strdup (a);
  g_autofree char *cb = pb != NULL ? glint_stream_address_to_string (pb) : g_strdup (b);

  return g_strcmp0 (ca, cb) == 0;
}

static gboolean
new_client (GlintWindow  *self,
            GError      **error)
{
  g_autoptr(GlintStream) stream = NULL;
  gboolean demo = g_str_equal (self->address, GLINT_DEMO_ADDRESS);
  const char *address = demo ? _glint_window_demo_address (self) : self->address;

  _glint_window_stop_wifi (self);

  /* the flasher's stream, where a job used it on this board: the board
   * runs the new firmware on it now */
  if (self->flasher != NULL && self->flash_cancellable == NULL &&
      same_address (glint_stream_get_address (glint_flasher_get_stream (self->flasher)), address))
    {
      glint_flasher_release_stream (self->flasher);
      stream = g_object_ref (glint_flasher_get_stream (self->flasher));
    }
  else
    {
      stream = glint_stream_new_for_address (address, error);
      if (stream == NULL)
        return FALSE;
    }

  self->improv = glint_improv_client_new (stream);
  self->improv_cancellable = g_cancellable_new ();
  return TRUE;
}

/**
 * _glint_window_probe_wifi:
 * @self: a #GlintWindow
 *
 * After a verified flash: asks the new firmware whether it speaks Improv
 * Serial, for the Done page.
 */
void
_glint_window_probe_wifi (GlintWindow *self)
{
  /* a web installer may say how long its firmware takes to answer, or
   * that it is not to be asked (ESP Web Tools' new_install_improv_wait_time) */
  int installer_wait = glint_firmware_page_get_improv_wait_time (self->firmware_page);

  if (installer_wait == 0)
    {
      /* TRANSLATORS: the window's log */
      _glint_window_log (self, GLINT_LOG_INFO,
                         _("The installer asks not to wait for Wi-Fi set-up (Improv Serial) "
                           "after flashing: Set Up Wi-Fi… in the menu asks the board"));
      return;
    }
  if (self->flasher == NULL || !new_client (self, NULL))
    return;

  glint_done_page_set_wifi (self->done_page, TRUE, FALSE);
  glint_improv_client_probe_async (self->improv,
                                   installer_wait > 0 ? (guint) installer_wait * 1000
                                                      : self->improv_wait_ms,
                                   self->improv_cancellable, probe_cb, self);
}

/**
 * _glint_window_wifi:
 * @self: a #GlintWindow
 *
 * Set Up Wi-Fi: from the Done page with the board that answered, or on
 * demand (the menu) with the board chosen on the Board page.
 */
void
_glint_window_wifi (GlintWindow *self)
{
  const char *page = _glint_window_get_page (self);
  g_autoptr(GError) error = NULL;
  gboolean probed = self->improv != NULL && self->improv_ready;

  if (self->address == NULL || self->flash_cancellable != NULL || g_strcmp0 (page, "wifi") == 0)
    {
      if (self->address == NULL)
        _glint_window_toast (self, _("Choose a board first"));
      return;
    }

  if (!probed)
    {
      /* the Done page's question may still run: ask again on the Wi-Fi page */
      if (!new_client (self, &error))
        {
          _glint_window_toast (self, error->message);
          return;
        }
    }

  self->wifi_return = g_strcmp0 (page, "done") == 0 ? "done" : "board";
  _glint_window_go_to (self, "wifi");
  glint_wifi_page_start (self->wifi_page, self->improv, probed ? 0 : self->improv_wait_ms);
}
