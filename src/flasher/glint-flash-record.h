/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A rate at or below the boot rate is not remembered: the next job climbs
 * again (glint_flash_record_remember_baud()). */
#define GLINT_FLASH_RECORD_BOOT_BAUD 115200

#define GLINT_TYPE_FLASH_RECORD (glint_flash_record_get_type ())
G_DECLARE_FINAL_TYPE (GlintFlashRecord, glint_flash_record, GLINT, FLASH_RECORD, GObject)

GlintFlashRecord *glint_flash_record_new          (const char        *directory);
const char       *glint_flash_record_get_directory (GlintFlashRecord *self);

char             *glint_flash_record_board_id     (const char        *chip,
                                                   const guint8       mac[6]);

guint8           *glint_flash_record_lookup       (GlintFlashRecord  *self,
                                                   const char        *board,
                                                   guint32            address,
                                                   guint              n_sectors);
void              glint_flash_record_remember     (GlintFlashRecord  *self,
                                                   const char        *board,
                                                   guint32            address,
                                                   GBytes            *data);
void              glint_flash_record_forget       (GlintFlashRecord  *self,
                                                   const char        *board,
                                                   guint32            address,
                                                   gsize              length);
gboolean          glint_flash_record_save         (GlintFlashRecord  *self,
                                                   GError           **error);

guint             glint_flash_record_lookup_baud  (GlintFlashRecord  *self,
                                                   const char        *address);
gboolean          glint_flash_record_remember_baud (GlintFlashRecord *self,
                                                   const char        *address,
                                                   guint              baud,
                                                   GError           **error);

guint8           *glint_flash_record_sector_digests (GBytes          *data,
                                                     guint           *n_sectors);

G_END_DECLS
