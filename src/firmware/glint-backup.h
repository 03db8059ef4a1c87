/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * GlintBackupName:
 * @chip: the chip the flash was read from ("esp32s3")
 * @mac: its MAC address, when @has_mac
 * @has_mac: whether the board's MAC was known when the backup was made
 * @offset: where in the flash the backup starts
 * @date: when it was made, "2026-12-06 15:05:01" (local time)
 *
 * What the name of a backup Glint made says: a backup is the flash's bytes
 * as they were, and its name is what puts them back where they came from.
 */
typedef struct
{
  char      chip[16];
  guint8    mac[6];
  gboolean  has_mac;
  guint32   offset;
  char      date[20];
} GlintBackupName;

char      *glint_backup_name_format  (const char      *chip,
                                      const guint8    *mac,
                                      guint32          offset,
                                      GDateTime       *when);
gboolean   glint_backup_name_parse   (const char      *path,
                                      GlintBackupName *name);
char      *glint_backup_format_mac   (const guint8    *mac);

G_END_DECLS
