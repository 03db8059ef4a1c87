/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-window.h"
#include "glint-flash-plan.h"
#include "glint-flasher.h"
#include "glint-board-page.h"
#include "glint-done-page.h"
#include "glint-failed-page.h"
#include "glint-firmware-page.h"
#include "glint-flash-page.h"
#include "glint-monitor-page.h"
#include "glint-permission-page.h"
#include "glint-wifi-page.h"
#include "glint-wizard.h"

G_BEGIN_DECLS


struct _GlintWindow
{
  AdwApplicationWindow  parent_instance;

  /* template children, alphabetical */
  GlintBoardPage       *board_page;
  GlintDonePage        *done_page;
  GlintFailedPage      *failed_page;
  GlintFirmwarePage    *firmware_page;
  GlintFlashPage       *flash_page;
  GtkMenuButton        *menu_button;
  GlintMonitorPage     *monitor_page;
  GlintPermissionPage  *permission_page;
  AdwToastOverlay      *toast_overlay;
  GlintWifiPage        *wifi_page;
  GlintWizard          *wizard;

  GSettings            *settings;
  char                 *backup_path;      /* of the current/last flash, or NULL */
  AdwMessageDialog     *link_dialog;      /* "Open Link…", while open */
  gboolean              detect_for_download; /* a web installer waits for the chip */

  /* Board */
  char                 *address;         /* the board page's, kept in step */

  /* Flashing */
  GlintFlasher         *flasher;
  GCancellable         *flash_cancellable;
  gint64                flash_started_us;
  GString              *log;
  AdwMessageDialog     *cancel_dialog;
  guint                 cancel_watchdog_id;
  GlintFlashRecord     *flash_record;    /* what was written to each board */
  gboolean              flashing_demo;
  char                 *demo_address;    /* GLINT_DEMO_ADDRESS with this window's board= */
  GArray               *regions_seen;    /* of GlintRegionReport: what every attempt on
                                          * this board did, merged; NULL before one */

  /* Wi-Fi set-up (glint-window-wifi.c) */
  GlintImprovClient    *improv;          /* the board's, while Done or Wi-Fi shows */
  GCancellable         *improv_cancellable;
  gboolean              improv_ready;    /* the board answered: it speaks Improv */
  const char           *wifi_return;     /* the page Back leaves Wi-Fi for */
  guint                 improv_wait_ms;  /* how long firmware has to answer */
  /* Will the board start it? (glint-window-flash.c) */
  GlintFlasher         *boot_check_flasher;
  GCancellable         *boot_check_cancellable;
  AdwMessageDialog     *boot_dialog;
  gboolean              boot_check_accepted;   /* "Flash Anyway" */
  gboolean              no_boot_check;         /* tests of other things */
  /* its verdict on the flash under way, for the Done page: known when the
   * board's contents were read; then why it will not start, or NULL */
  gboolean              boot_verdict_known;
  char                 *boot_problem;

};

/* glint-window.c */
void            _glint_window_go_to          (GlintWindow  *self,
                                              const char   *page);
void            _glint_window_update_buttons (GlintWindow  *self);
void            _glint_window_toast          (GlintWindow  *self,
                                              const char   *text);

/* glint-window-firmware.c */
void            _glint_window_firmware_init     (GlintWindow  *self);
void            _glint_window_load_firmware     (GlintWindow  *self,
                                                 const char   *path);
void            _glint_window_choose_firmware   (GlintWindow  *self);
void            _glint_window_ask_link          (GlintWindow  *self);
AdwMessageDialog *_glint_window_get_link_dialog (GlintWindow  *self);

/* glint-window-flash.c */
void            _glint_window_flash_dispose     (GlintWindow  *self);
void            _glint_window_start_flash       (GlintWindow  *self);
void            _glint_window_cancel_flash      (GlintWindow  *self,
                                                 gboolean      confirm);
void            _glint_window_copy_log          (GlintWindow  *self);
const char     *_glint_window_demo_address      (GlintWindow  *self);
void            _glint_window_forget_regions    (GlintWindow  *self);


/* glint-window-flash.c, for the other parts */
void            _glint_window_log               (GlintWindow  *self,
                                                 GlintLogLevel level,
                                                 const char   *message);

/* glint-window-wifi.c */
void            _glint_window_wifi_init         (GlintWindow  *self);
void            _glint_window_probe_wifi        (GlintWindow  *self);
void            _glint_window_stop_wifi         (GlintWindow  *self);
void            _glint_window_wifi              (GlintWindow  *self);

void            _glint_window_select_board   (GlintWindow  *self,
                                              const char   *address);
void            _glint_window_show_permission_page (GlintWindow *self);

/* For tests */
GlintFlasher   *_glint_window_get_flasher       (GlintWindow  *self);
const char     *_glint_window_get_page          (GlintWindow  *self);
AdwEntryRow    *_glint_window_get_remote_row    (GlintWindow  *self);
GlintPortMonitor *_glint_window_get_port_monitor (GlintWindow *self);
GtkWidget      *_glint_window_get_next_button   (GlintWindow  *self);
GlintWifiPage  *_glint_window_get_wifi_page     (GlintWindow  *self);
void            _glint_window_set_improv_wait   (GlintWindow  *self,
                                                 guint         ms);

G_END_DECLS
