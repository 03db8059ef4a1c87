/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "glint-types.h"

G_BEGIN_DECLS

/**
 * GlintSimMode:
 * @GLINT_SIM_MODE_RESET: EN is held low; the chip is silent
 * @GLINT_SIM_MODE_APP: booted from flash: prints a boot log, ignores commands
 * @GLINT_SIM_MODE_ROM: in download mode, the ROM loader answers
 * @GLINT_SIM_MODE_STUB: the (simulated) flasher stub answers
 * @GLINT_SIM_MODE_DEAD: browned out or disconnected; silent until reset
 */
typedef enum
{
  GLINT_SIM_MODE_RESET,
  GLINT_SIM_MODE_APP,
  GLINT_SIM_MODE_ROM,
  GLINT_SIM_MODE_STUB,
  GLINT_SIM_MODE_DEAD,
} GlintSimMode;

typedef enum
{
  GLINT_SIM_COUNTER_BYTES_IN,        /* bytes received from the host */
  GLINT_SIM_COUNTER_BYTES_OUT,       /* bytes sent to the host */
  GLINT_SIM_COUNTER_FRAMES_IN,       /* complete SLIP frames received */
  GLINT_SIM_COUNTER_COMMANDS,        /* commands answered */
  GLINT_SIM_COUNTER_SYNCS,           /* SYNC commands answered */
  GLINT_SIM_COUNTER_RESETS,          /* resets via EN (RTS) or brown-out */
  GLINT_SIM_COUNTER_BAUD_CHANGES,    /* CHANGE_BAUDRATE accepted */
  GLINT_SIM_COUNTER_LINE_CHANGES,    /* DTR/RTS changes seen */
  GLINT_SIM_COUNTER_FLASH_WRITTEN,   /* bytes programmed into flash */
  GLINT_SIM_COUNTER_SECTORS_ERASED,  /* 4 KiB sectors erased */
  GLINT_SIM_COUNTER_FLASH_READ,      /* bytes read by READ_FLASH / READ_FLASH_SLOW */
  GLINT_SIM_COUNTER_DROPPED,         /* bytes dropped by fault injection */
  GLINT_SIM_COUNTER_CORRUPTED,       /* bytes corrupted by fault injection */
  GLINT_SIM_COUNTER_DUPLICATED,      /* bytes duplicated by fault injection */
  GLINT_SIM_COUNTER_GARBLED,         /* bytes garbled by a baud mismatch */
  GLINT_SIM_COUNTER_FRAMES_LOST,     /* frames the stub had no buffer for */
  GLINT_SIM_COUNTER_MD5S,            /* SPI_FLASH_MD5 commands carried out */
  GLINT_SIM_N_COUNTERS
} GlintSimCounter;

#define GLINT_TYPE_SIM_MODE (glint_sim_mode_get_type ())
#define GLINT_TYPE_SIM (glint_sim_get_type ())

GType          glint_sim_mode_get_type      (void) G_GNUC_CONST;

G_DECLARE_FINAL_TYPE (GlintSim, glint_sim, GLINT, SIM, GObject)

GlintSim      *glint_sim_new                (const char     *chip,
                                             GError        **error);
gboolean       glint_sim_set_option         (GlintSim       *self,
                                             const char     *key,
                                             const char     *value,
                                             GError        **error);
gboolean       glint_sim_set_options        (GlintSim       *self,
                                             const char     *query,
                                             GError        **error);
const char    *glint_sim_get_chip_name      (GlintSim       *self);
GlintSimMode   glint_sim_get_mode           (GlintSim       *self);
guint          glint_sim_get_baud           (GlintSim       *self);
GlintLines     glint_sim_get_lines          (GlintSim       *self);
const char    *glint_sim_counter_get_name   (GlintSimCounter counter);
guint64        glint_sim_get_counter        (GlintSim       *self,
                                             GlintSimCounter counter);
const guint8  *glint_sim_get_flash          (GlintSim       *self,
                                             gsize          *size);
void           glint_sim_load_flash         (GlintSim       *self,
                                             gsize           offset,
                                             const guint8   *data,
                                             gsize           len);
const guint8  *glint_sim_get_mac            (GlintSim       *self);
gdouble        glint_sim_get_rom_xtal_mhz   (GlintSim       *self);
gboolean       glint_sim_save_flash         (GlintSim       *self,
                                             GError        **error);

/* The host end of the simulated wire.  Call these from the thread whose
 * thread-default main context was current at glint_sim_new(); the chip
 * answers through the "output" (GBytes) signal, emitted when the bytes
 * arrive at the host, and "disconnected" when the link dies. */
void           glint_sim_host_write         (GlintSim       *self,
                                             const guint8   *data,
                                             gsize           len);
void           glint_sim_host_set_lines     (GlintSim       *self,
                                             GlintLines      mask,
                                             GlintLines      values);
void           glint_sim_host_set_baud      (GlintSim       *self,
                                             guint           baud);
guint          glint_sim_get_host_baud      (GlintSim       *self);

G_END_DECLS
