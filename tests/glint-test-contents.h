/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <string.h>

#include "glint-bytes.h"
#include "glint-partitions.h"

G_BEGIN_DECLS

/* What the contents tests put on simulated boards: app images with an
 * app description, and a whole ESP-IDF build in 4 MB of flash. */

#define FLASH_SIZE 0x400000

/* An app image whose one segment starts with the description. */
static inline GBytes *
app_image (const char *project,
           const char *version)
{
  GlintAppDesc desc = { 0 };
  GByteArray *a = g_byte_array_new ();
  guint8 header[24] = { 0xE9, 1, 2, 0x20, 0x00, 0x00, 0x0D, 0x40, 0xEE };
  guint8 seg[8];
  guint8 body[GLINT_APP_DESC_SIZE + 64];
  guint8 checksum = 0xEF;
  guint8 zero = 0;

  g_strlcpy (desc.project_name, project, sizeof desc.project_name);
  g_strlcpy (desc.version, version, sizeof desc.version);
  g_strlcpy (desc.idf_ver, "v4.4.7", sizeof desc.idf_ver);
  g_strlcpy (desc.date, "Jan 20 2025", sizeof desc.date);
  g_strlcpy (desc.time, "10:00:00", sizeof desc.time);
  glint_app_desc_build (&desc, body);
  for (guint i = GLINT_APP_DESC_SIZE; i < sizeof body; i++)
    body[i] = (guint8) (i * 13);

  header[13] = 0;                        /* chip id: ESP32 */
  header[17] = 0xFF;                     /* max revision: any */
  header[18] = 0xFF;
  g_byte_array_append (a, header, sizeof header);
  glint_put_u32 (seg, 0x3F400020);
  glint_put_u32 (seg + 4, sizeof body);
  g_byte_array_append (a, seg, sizeof seg);
  g_byte_array_append (a, body, sizeof body);
  for (guint i = 0; i < sizeof body; i++)
    checksum ^= body[i];
  while (a->len % 16 != 15)
    g_byte_array_append (a, &zero, 1);
  g_byte_array_append (a, &checksum, 1);
  return g_byte_array_free_to_bytes (a);
}

static inline void
put (guint8  *flash,
     guint32  offset,
     GBytes  *bytes)
{
  memcpy (flash + offset, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* ESP-IDF's two-OTA layout: bootloader, table, factory wled 0.15.0,
 * ota_0 wled 0.14.0, otadata naming ota_0 (or nothing: @ota_slot -1). */
static inline guint8 *
full_build (gint ota_slot)
{
  guint8 *flash = g_malloc (FLASH_SIZE);
  g_autoptr(GArray) table = glint_partition_table_new_default (TRUE);
  g_autoptr(GBytes) table_bytes = glint_partition_table_build ((GlintPartition *) table->data,
                                                               table->len, TRUE);
  g_autoptr(GBytes) factory = app_image ("wled", "0.15.0");
  g_autoptr(GBytes) ota0 = app_image ("wled", "0.14.0");
  g_autoptr(GBytes) bootloader = app_image ("bootloader", "");
  g_autoptr(GBytes) otadata = glint_otadata_build (ota_slot, 2);

  memset (flash, 0xFF, FLASH_SIZE);
  put (flash, 0x1000, bootloader);
  put (flash, GLINT_PARTITION_TABLE_OFFSET, table_bytes);
  put (flash, 0x10000, factory);
  put (flash, 0x110000, ota0);
  put (flash, 0xD000, otadata);
  for (guint i = 0x9000; i < 0xD000; i++)   /* nvs: settings */
    flash[i] = (guint8) (i * 7);
  return flash;
}

G_END_DECLS
