/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-backup.h"
#include "glint-image.h"

/*
 * Backups are named after what they are:
 *
 *   glint-backup-CHIP-MAC-0xOFFSET-YYYYMMDD-HHMMSS.bin
 *
 * e.g. glint-backup-esp32-24a160f3c2b8-0x1000-20261206-150501.bin, with
 * "nomac" for a board whose MAC could not be read. The name alone is
 * enough to restore one (glint_flash_plan_new_for_path()): the bytes go
 * back to OFFSET, on a board of that chip with that MAC.
 */

#define PREFIX "glint-backup-"
#define NO_MAC "nomac"

/**
 * glint_backup_format_mac:
 * @mac: six bytes
 *
 * Returns: (transfer full): "24:a1:60:f3:c2:b8"
 */
char *
glint_backup_format_mac (const guint8 *mac)
{
  return g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x",
                          mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/**
 * glint_backup_name_format:
 * @chip: the chip's name ("esp32")
 * @mac: (nullable) (array fixed-size=6): the board's MAC, %NULL if unknown
 * @offset: where the backup starts in the flash
 * @when: when it is made
 *
 * Returns: (transfer full): the file name of the backup (no folder)
 */
char *
glint_backup_name_format (const char   *chip,
                          const guint8 *mac,
                          guint32       offset,
                          GDateTime    *when)
{
  g_autofree char *stamp = g_date_time_format (when, "%Y%m%d-%H%M%S");
  g_autofree char *mac_text = NULL;

  g_return_val_if_fail (chip != NULL && strchr (chip, '-') == NULL, NULL);

  if (mac != NULL)
    mac_text = g_strdup_printf ("%02x%02x%02x%02x%02x%02x",
                                mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
  return g_strdup_printf (PREFIX "%s-%s-0x%x-%s.bin", chip, mac != NULL ? mac_text : NO_MAC,
                          offset, stamp);
}

static gboolean
all_digits (const char *text,
            gsize       len)
{
  if (strlen (text) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return TRUE;
}

/**
 * glint_backup_name_parse:
 * @path: a file name or path
 * @name: (out caller-allocates): what its name says
 *
 * Returns: whether @path is named as Glint names backups, for a chip
 *   Glint knows
 */
gboolean
glint_backup_name_parse (const char      *path,
                         GlintBackupName *name)
{
  g_autofree char *base = g_path_get_basename (path);
  g_auto(GStrv) parts = NULL;
  guint64 offset = 0;
  gsize len = strlen (base);

  memset (name, 0, sizeof *name);
  if (!g_str_has_prefix (base, PREFIX) || !g_str_has_suffix (base, ".bin"))
    return FALSE;
  base[len - strlen (".bin")] = '\0';
  parts = g_strsplit (base + strlen (PREFIX), "-", -1);
  if (g_strv_length (parts) != 5)
    return FALSE;

  /* chip */
  if (!glint_image_chip_is_known (parts[0]) || strlen (parts[0]) >= sizeof name->chip)
    return FALSE;
  g_strlcpy (name->chip, glint_image_chip_from_family (parts[0]), sizeof name->chip);

  /* MAC */
  if (strlen (parts[1]) == 12)
    {
      for (guint i = 0; i < 6; i++)
        {
          int hi = g_ascii_xdigit_value (parts[1][2 * i]);
          int lo = g_ascii_xdigit_value (parts[1][2 * i + 1]);

          if (hi < 0 || lo < 0)
            return FALSE;
          name->mac[i] = (guint8) (hi << 4 | lo);
        }
      name->has_mac = TRUE;
    }
  else if (!g_str_equal (parts[1], NO_MAC))
    {
      return FALSE;
    }

  /* offset */
  if (!g_str_has_prefix (parts[2], "0x") || parts[2][2] == '\0' ||
      !g_ascii_string_to_unsigned (parts[2] + 2, 16, 0, G_MAXUINT32, &offset, NULL))
    return FALSE;
  name->offset = (guint32) offset;

  /* date and time */
  if (!all_digits (parts[3], 8) || !all_digits (parts[4], 6))
    return FALSE;
  g_snprintf (name->date, sizeof name->date, "%.4s-%.2s-%.2s %.2s:%.2s:%.2s",
              parts[3], parts[3] + 4, parts[3] + 6, parts[4], parts[4] + 2, parts[4] + 4);
  return TRUE;
}
