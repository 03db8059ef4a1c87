/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "glint-backup.h"
#include "glint-types.h"

G_BEGIN_DECLS

/* Where a lone app image goes (the factory partition of the default
 * ESP-IDF partition tables). */
#define GLINT_FLASH_PLAN_APP_OFFSET 0x10000

#define GLINT_TYPE_FLASH_PLAN (glint_flash_plan_get_type ())

G_DECLARE_FINAL_TYPE (GlintFlashPlan, glint_flash_plan, GLINT, FLASH_PLAN, GObject)

GlintFlashPlan     *glint_flash_plan_new                   (void);
GlintFlashPlan     *glint_flash_plan_copy                  (GlintFlashPlan    *self);
GlintFlashPlan     *glint_flash_plan_new_from_args         (const char *const *args,
                                                            const char        *chip,
                                                            GError           **error);
GlintFlashPlan     *glint_flash_plan_new_from_build_dir    (const char        *dir,
                                                            GError           **error);
GlintFlashPlan     *glint_flash_plan_new_from_manifest     (const char        *file,
                                                            const char        *chip_family,
                                                            GError           **error);
GlintFlashPlan     *glint_flash_plan_new_for_path          (const char        *path,
                                                            const char        *chip,
                                                            GError           **error);

void                glint_flash_plan_add_file              (GlintFlashPlan    *self,
                                                            guint32            offset,
                                                            const char        *path,
                                                            const char        *name);
void                glint_flash_plan_add_bytes             (GlintFlashPlan    *self,
                                                            guint32            offset,
                                                            GBytes            *data,
                                                            const char        *name);

gboolean            glint_flash_plan_validate              (GlintFlashPlan    *self,
                                                            const char        *chip,
                                                            guint64            flash_size_bytes,
                                                            GError           **error);
gboolean            glint_flash_plan_patch_bootloader      (GlintFlashPlan    *self,
                                                            const char        *chip,
                                                            const char        *detected_flash_size,
                                                            GError           **error);
const char * const *glint_flash_plan_get_warnings          (GlintFlashPlan    *self);
const char         *glint_flash_plan_get_build_chips       (GlintFlashPlan    *self);
const GlintBackupName *glint_flash_plan_get_backup         (GlintFlashPlan    *self);

guint               glint_flash_plan_get_n_regions         (GlintFlashPlan    *self);
guint32             glint_flash_plan_get_region_offset     (GlintFlashPlan    *self,
                                                            guint              index);
GBytes             *glint_flash_plan_get_region_data       (GlintFlashPlan    *self,
                                                            guint              index);
const char         *glint_flash_plan_get_region_name       (GlintFlashPlan    *self,
                                                            guint              index);
const char         *glint_flash_plan_get_region_path       (GlintFlashPlan    *self,
                                                            guint              index);
gboolean            glint_flash_plan_get_region_encrypted  (GlintFlashPlan    *self,
                                                            guint              index);
guint64             glint_flash_plan_get_total_bytes       (GlintFlashPlan    *self);

const char         *glint_flash_plan_get_chip              (GlintFlashPlan    *self);
void                glint_flash_plan_set_chip              (GlintFlashPlan    *self,
                                                            const char        *chip);
const char         *glint_flash_plan_get_flash_mode        (GlintFlashPlan    *self);
const char         *glint_flash_plan_get_flash_freq        (GlintFlashPlan    *self);
const char         *glint_flash_plan_get_flash_size        (GlintFlashPlan    *self);
void                glint_flash_plan_set_flash_settings    (GlintFlashPlan    *self,
                                                            const char        *flash_mode,
                                                            const char        *flash_freq,
                                                            const char        *flash_size);
const char         *glint_flash_plan_get_before            (GlintFlashPlan    *self);
const char         *glint_flash_plan_get_after             (GlintFlashPlan    *self);
void                glint_flash_plan_set_chip_revision     (GlintFlashPlan    *self,
                                                            int                revision_full);
void                glint_flash_plan_set_allow_raw         (GlintFlashPlan    *self,
                                                            gboolean           allow_raw);

char               *glint_flash_plan_find_sample           (void);

guint64             glint_flash_plan_parse_size            (const char        *size);
guint64             glint_flash_plan_get_flash_size_bytes  (GlintFlashPlan    *self);

G_END_DECLS
