/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-bytes.h"
#include "glint-sim-private.h"

/*
 * What a board prints when it boots from its flash, as far as the flash
 * decides it: the ROM looks for an image header at the chip's bootloader
 * offset, the second-stage bootloader reads the partition table at 0x8000,
 * picks the factory app (or the first OTA app: the simulator keeps no OTA
 * data) and checks its header, and the app prints its description
 * (esp_app_desc_t) as ESP-IDF's start-up code does. The messages are
 * ESP-IDF's (bootloader_support, app_init); the checks are a small model of
 * its own, so that the simulator needs nothing from the firmware layer.
 */

#define PARTITION_TABLE_OFFSET 0x8000
#define PARTITION_ENTRY_SIZE   32
#define PARTITION_MAX_ENTRIES  95        /* 0xC00 bytes, less the MD5 entry */
#define PARTITION_MAGIC        0x50AA
#define PARTITION_MD5_MAGIC    0xEBEB
#define IMAGE_MAGIC            0xE9
#define APP_DESC_MAGIC         0xABCD5432

static gboolean
in_flash (GlintSim *self,
          guint32   offset,
          gsize     len)
{
  return (guint64) offset + len <= self->flash_size;
}

static const char *
partition_usage (guint8 type,
                 guint8 subtype)
{
  if (type == 0x00)
    return subtype == 0x00 ? "factory app" : subtype == 0x20 ? "test app" : "OTA app";
  if (type == 0x01)
    {
      switch (subtype)
        {
        case 0x00:
          return "OTA data";
        case 0x01:
          return "RF data";
        case 0x02:
          return "WiFi data";
        default:
          return "Unknown data";
        }
    }
  return "Unknown";
}

/* A NUL-padded string field of @len bytes, as text. */
static char *
field (const guint8 *data,
       gsize         len)
{
  gsize n = strnlen ((const char *) data, len);
  char *text = g_strndup ((const char *) data, n);

  g_strcanon (text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                    " .,:;_-+/()#@~", '?');
  return text;
}

/* The app's description, right after the image header and the first
 * segment's header (§12), printed as app_init does. */
static void
describe_app (GlintSim *self,
              guint32   offset,
              GString  *log,
              char    **project)
{
  guint32 desc = offset + (self->chip->rom_is_esp8266 ? 8 : 24) + 8;
  const guint8 *d;
  g_autofree char *version = NULL;
  g_autofree char *time = NULL;
  g_autofree char *date = NULL;
  g_autofree char *idf = NULL;

  if (!in_flash (self, desc, 256) || glint_read_u32 (self->flash + desc) != APP_DESC_MAGIC)
    return;

  d = self->flash + desc;
  version = field (d + 16, 32);
  *project = field (d + 48, 32);
  time = field (d + 80, 16);
  date = field (d + 96, 16);
  idf = field (d + 112, 32);
  g_string_append_printf (log,
                          "I (241) app_init: Application information:\r\n"
                          "I (244) app_init: Project name:     %s\r\n"
                          "I (249) app_init: App version:      %s\r\n"
                          "I (254) app_init: Compile time:     %s %s\r\n"
                          "I (259) app_init: ESP-IDF:          %s\r\n",
                          *project, version, date, time, idf);
}

/**
 * _glint_sim_boot_from_flash:
 * @self: the simulator
 * @log: the boot log is appended here
 * @project: (out): the app's project name, when it has a description
 *
 * Returns: (transfer full): %NULL when an app runs, or the line the board
 *   repeats because it cannot start one
 */
char *
_glint_sim_boot_from_flash (GlintSim  *self,
                            GString   *log,
                            char     **project)
{
  guint32 bootloader = self->chip->bootloader_offset;
  guint32 app = 0;
  gboolean have_app = FALSE;
  gboolean factory = FALSE;
  guint n = 0;
  char *failure;

  *project = NULL;

  /* the ROM: an image header at the bootloader offset, or nothing */
  if (!in_flash (self, bootloader, 4) || self->flash[bootloader] != IMAGE_MAGIC)
    {
      guint32 word = in_flash (self, bootloader, 4) ? glint_read_u32 (self->flash + bootloader)
                                                    : 0xFFFFFFFF;

      failure = g_strdup_printf ("invalid header: 0x%08x\r\n", word);
      g_string_append (log, failure);
      return failure;
    }

  g_string_append_printf (log,
                          "I (31) boot: ESP-IDF v5.1.2 2nd stage bootloader\r\n"
                          "I (31) boot: compile time Jan  1 2026 12:00:00\r\n"
                          "I (33) boot: chip: %s\r\n",
                          self->chip->name);

  /* the partition table */
  if (!in_flash (self, PARTITION_TABLE_OFFSET, PARTITION_ENTRY_SIZE) ||
      glint_read_u16 (self->flash + PARTITION_TABLE_OFFSET) != PARTITION_MAGIC)
    {
      guint16 magic = in_flash (self, PARTITION_TABLE_OFFSET, 2)
                      ? glint_read_u16 (self->flash + PARTITION_TABLE_OFFSET) : 0xFFFF;

      g_string_append_printf (log, "E (42) flash_parts: partition 0 invalid magic number 0x%x\r\n"
                                   "E (42) boot: Failed to verify partition table\r\n",
                              magic);
      failure = g_strdup ("E (42) boot: load partition table error!\r\n");
      g_string_append (log, failure);
      return failure;
    }

  g_string_append (log, "I (45) boot: Partition Table:\r\n"
                        "I (48) boot: ## Label            Usage          Type ST Offset   Length\r\n");
  for (n = 0; n < PARTITION_MAX_ENTRIES; n++)
    {
      const guint8 *e = self->flash + PARTITION_TABLE_OFFSET + n * PARTITION_ENTRY_SIZE;
      g_autofree char *label = NULL;

      if (!in_flash (self, PARTITION_TABLE_OFFSET + (n + 1) * PARTITION_ENTRY_SIZE, 0) ||
          glint_read_u16 (e) != PARTITION_MAGIC)
        break;
      label = field (e + 12, 16);
      g_string_append_printf (log, "I (%u) boot: %2u %-16s %-14s %02x %02x %08x %08x\r\n",
                              50 + n * 7, n, label, partition_usage (e[2], e[3]), e[2], e[3],
                              glint_read_u32 (e + 4), glint_read_u32 (e + 8));
      /* the factory app, else the first OTA or test app */
      if (e[2] == 0x00 && !factory && (e[3] == 0x00 || !have_app))
        {
          app = glint_read_u32 (e + 4);
          factory = e[3] == 0x00;
          have_app = TRUE;
        }
    }
  g_string_append_printf (log, "I (%u) boot: End of partition table\r\n", 50 + n * 7);

  if (!have_app)
    {
      failure = g_strdup ("E (95) boot: No bootable app partitions in the partition table\r\n");
      g_string_append (log, failure);
      return failure;
    }

  if (!in_flash (self, app, 1) || self->flash[app] != IMAGE_MAGIC)
    {
      g_string_append_printf (log, "E (98) esp_image: image at 0x%x has invalid magic byte "
                                   "(nothing flashed here?)\r\n"
                                   "E (105) boot: %s app partition is not bootable\r\n",
                              app, factory ? "Factory" : "OTA");
      failure = g_strdup ("E (110) boot: No bootable app partitions in the partition table\r\n");
      g_string_append (log, failure);
      return failure;
    }

  g_string_append_printf (log, "I (180) boot: Loaded app from partition at offset 0x%x\r\n", app);
  describe_app (self, app, log, project);
  g_string_append (log, "I (270) cpu_start: Starting scheduler.\r\n");
  return NULL;
}
