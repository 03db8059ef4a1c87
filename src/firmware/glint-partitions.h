/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "glint-types.h"

G_BEGIN_DECLS

/* What an ESP-IDF build puts in flash besides its images: the partition
 * table, the app description inside each app and the OTA data that says
 * which app boots (protocol.md §12.4–§12.6). Parsers and builders, pure: no I/O. */

#define GLINT_PARTITION_TABLE_OFFSET    0x8000
#define GLINT_PARTITION_TABLE_SIZE      0xC00    /* the table's sector is 4 KiB; IDF reads 3 KiB */
#define GLINT_PARTITION_ENTRY_SIZE      32
#define GLINT_PARTITION_NAME_SIZE       16
#define GLINT_PARTITION_SEARCH_SIZE     0x10000  /* where a moved table is looked for */
#define GLINT_PARTITION_APP_ALIGN       0x10000
#define GLINT_PARTITION_DATA_ALIGN      0x1000

/* Types and the subtypes Glint names (gen_esp32part.py's). */
#define GLINT_PARTITION_TYPE_APP        0x00
#define GLINT_PARTITION_TYPE_DATA       0x01
#define GLINT_PARTITION_TYPE_BOOTLOADER 0x02
#define GLINT_PARTITION_TYPE_TABLE      0x03

#define GLINT_PARTITION_APP_FACTORY     0x00
#define GLINT_PARTITION_APP_OTA_MIN     0x10
#define GLINT_PARTITION_APP_OTA_MAX     0x1F
#define GLINT_PARTITION_APP_TEST        0x20

#define GLINT_PARTITION_DATA_OTA        0x00
#define GLINT_PARTITION_DATA_PHY        0x01
#define GLINT_PARTITION_DATA_NVS        0x02
#define GLINT_PARTITION_DATA_COREDUMP   0x03
#define GLINT_PARTITION_DATA_NVS_KEYS   0x04
#define GLINT_PARTITION_DATA_EFUSE      0x05
#define GLINT_PARTITION_DATA_UNDEFINED  0x06
#define GLINT_PARTITION_DATA_ESPHTTPD   0x80
#define GLINT_PARTITION_DATA_FAT        0x81
#define GLINT_PARTITION_DATA_SPIFFS     0x82
#define GLINT_PARTITION_DATA_LITTLEFS   0x83

#define GLINT_PARTITION_FLAG_ENCRYPTED  (1u << 0)
#define GLINT_PARTITION_FLAG_READONLY   (1u << 1)

/**
 * GlintPartition:
 * @name: the label, NUL-terminated (at most 16 characters)
 * @type: %GLINT_PARTITION_TYPE_APP, %GLINT_PARTITION_TYPE_DATA…
 * @subtype: the subtype within @type
 * @offset: flash offset
 * @size: length in bytes
 * @flags: %GLINT_PARTITION_FLAG_ENCRYPTED, %GLINT_PARTITION_FLAG_READONLY
 *
 * One entry of a partition table.
 */
typedef struct
{
  char     name[GLINT_PARTITION_NAME_SIZE + 1];
  guint8   type;
  guint8   subtype;
  guint32  offset;
  guint32  size;
  guint32  flags;
} GlintPartition;

gboolean     glint_partition_table_looks_like  (const guint8 *data,
                                                gsize         len);
gssize       glint_partition_table_find        (const guint8 *data,
                                                gsize         len);
GArray      *glint_partition_table_parse       (const guint8 *data,
                                                gsize         len,
                                                GError      **error);
GBytes      *glint_partition_table_build       (const GlintPartition *partitions,
                                                guint         n_partitions,
                                                gboolean      with_md5);
GArray      *glint_partition_table_new_default (gboolean      with_ota);
const GlintPartition *
             glint_partition_table_lookup      (GArray       *table,
                                                const char   *name);
const GlintPartition *
             glint_partition_table_at          (GArray       *table,
                                                guint32       offset);
guint        glint_partition_table_n_ota_slots (GArray       *table);
const GlintPartition *
             glint_partition_table_otadata     (GArray       *table);

gboolean     glint_partition_is_app            (const GlintPartition *partition);
char        *glint_partition_describe_type     (const GlintPartition *partition);

/* esp_app_desc_t: 256 bytes at the start of an app's first segment. */
#define GLINT_APP_DESC_MAGIC         0xABCD5432
#define GLINT_APP_DESC_SIZE          256
#define GLINT_APP_DESC_IMAGE_OFFSET  0x20   /* image header 24 + segment header 8 */

/**
 * GlintAppDesc:
 * @secure_version: the anti-rollback version
 * @version: the app's version (`PROJECT_VER`)
 * @project_name: the project's name
 * @time: build time, as `__TIME__` writes it
 * @date: build date, as `__DATE__` writes it ("Jan 20 2025")
 * @idf_ver: the ESP-IDF version ("v4.4.7")
 * @elf_sha256: the SHA-256 of the app's ELF file
 *
 * The description ESP-IDF puts into every app (esp_app_desc_t).
 */
typedef struct
{
  guint32  secure_version;
  char     version[33];
  char     project_name[33];
  char     time[17];
  char     date[17];
  char     idf_ver[33];
  guint8   elf_sha256[32];
} GlintAppDesc;

gboolean     glint_app_desc_parse              (const guint8 *data,
                                                gsize         len,
                                                GlintAppDesc *desc,
                                                GError      **error);
gboolean     glint_app_desc_parse_image        (const guint8 *image,
                                                gsize         len,
                                                GlintAppDesc *desc,
                                                GError      **error);
void         glint_app_desc_build              (const GlintAppDesc *desc,
                                                guint8        out[GLINT_APP_DESC_SIZE]);
char        *glint_app_desc_iso_date           (const GlintAppDesc *desc);
char        *glint_app_desc_describe           (const GlintAppDesc *desc);
char        *glint_app_desc_name               (const GlintAppDesc *desc);

/* OTA data: two 32-byte entries, one at the start of each of the two
 * sectors of the otadata partition. */
#define GLINT_OTADATA_ENTRY_SIZE  32
#define GLINT_OTADATA_SIZE        0x2000   /* two flash sectors */

/* The states of esp_ota_img_states_t. */
#define GLINT_OTA_STATE_NEW             0
#define GLINT_OTA_STATE_PENDING_VERIFY  1
#define GLINT_OTA_STATE_VALID           2
#define GLINT_OTA_STATE_INVALID         3
#define GLINT_OTA_STATE_ABORTED         4
#define GLINT_OTA_STATE_UNDEFINED       0xFFFFFFFF

/**
 * GlintOtaEntry:
 * @seq: the sequence number; 0xFFFFFFFF when erased
 * @state: a GLINT_OTA_STATE_ value
 * @crc: the stored CRC-32 of @seq
 * @valid: the entry counts for the bootloader: written, CRC right, not
 *   marked invalid or aborted
 */
typedef struct
{
  guint32   seq;
  guint32   state;
  guint32   crc;
  gboolean  valid;
} GlintOtaEntry;

guint32      glint_otadata_crc                 (guint32       seq);
void         glint_otadata_parse_entry         (const guint8 *data,
                                                GlintOtaEntry *entry);
gint         glint_otadata_boot_slot           (const GlintOtaEntry entries[2],
                                                guint         n_ota_slots);
GBytes      *glint_otadata_build               (gint          slot,
                                                guint         n_ota_slots);
const GlintPartition *
             glint_partition_table_booting     (GArray       *table,
                                                const GlintOtaEntry *entries);
const GlintPartition *
             glint_partition_table_boots       (GArray       *table,
                                                const GlintOtaEntry *entries,
                                                const gboolean *holds_image);
gboolean     glint_partition_table_otadata_decides (GArray         *table,
                                                    const gboolean *holds_image);

G_END_DECLS
