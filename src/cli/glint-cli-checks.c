/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "glint-bytes.h"
#include "glint-chip-image.h"
#include "glint-error.h"
#include "glint-image.h"

#include "glint-cli-checks.h"

/*
 * What glint-cli checks before it touches the board: everything the
 * command line alone decides (files, offsets, overlaps, the flash size
 * where it is known, regions, the output file). A value refused here is
 * bad usage (exit status 2): nothing was sent, the board was not reset.
 */

/**
 * glint_cli_check_plan:
 * @plan: the plan of the command line
 * @chip: (nullable): the chip given with --chip
 * @error: return location for a #GError
 *
 * Reads the files and checks the plan as far as it can be checked without
 * the board: against the plan's own flash size where it has one, else
 * against the largest flash the chip (given, or the plan's) can have; the
 * board's flash decides the rest, in the flash job, which checks again
 * with the board's chip and flash size.
 */
gboolean
glint_cli_check_plan (GlintFlashPlan  *plan,
                      const char      *chip,
                      GError         **error)
{
  guint64 own = glint_flash_plan_parse_size (glint_flash_plan_get_flash_size (plan));
  const GlintChipImage *image;
  guint64 max;

  if (!glint_flash_plan_validate (plan, chip, own, error))
    return FALSE;
  if (own != 0)
    return TRUE;

  if (chip == NULL)
    chip = glint_flash_plan_get_chip (plan);
  image = chip != NULL ? glint_chip_image_lookup (glint_image_chip_from_family (chip)) : NULL;
  max = glint_chip_image_max_flash_size (image);
  for (guint i = 0; i < glint_flash_plan_get_n_regions (plan); i++)
    {
      GBytes *data = glint_flash_plan_get_region_data (plan, i);
      guint64 end = (guint64) glint_flash_plan_get_region_offset (plan, i) +
                    (data != NULL ? g_bytes_get_size (data) : 0);

      if (end > max)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_IMAGE_TOO_LARGE,
                       _("“%s” ends at 0x%llx, beyond the largest flash %s can have "
                         "(%u MB)"),
                       glint_flash_plan_get_region_name (plan, i), (unsigned long long) end,
                       image != NULL ? image->display_name : _("any chip Glint knows"),
                       (guint) (max / (1024 * 1024)));
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * glint_cli_check_erase_region:
 *
 * An erase of whole 4 KiB sectors, within the 4 GiB address space.
 */
gboolean
glint_cli_check_erase_region (guint32   offset,
                              guint32   length,
                              GError  **error)
{
  if (offset % GLINT_SECTOR_SIZE == 0 && length % GLINT_SECTOR_SIZE == 0 &&
      (guint64) offset + length <= G_MAXUINT32)
    return TRUE;

  g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
               _("erasing 0x%x bytes at 0x%x: offset and length must be multiples of the "
                 "4 KiB sector (0x%x)"), length, offset, GLINT_SECTOR_SIZE);
  return FALSE;
}

/**
 * glint_cli_check_output_file:
 *
 * A file the flash is read into (read, --backup) that can be created: its
 * folder exists and it is no folder itself.
 */
gboolean
glint_cli_check_output_file (const char  *path,
                             GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (path);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   _("“%s” is a folder: give the name of the file to read the flash into"),
                   path);
      return FALSE;
    }

  if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   _("cannot save to “%s”: there is no folder “%s”; create it or give "
                     "another file"), path, folder);
      return FALSE;
    }

  return TRUE;
}

/**
 * glint_cli_check_read:
 *
 * A read within the 4 GiB address space into @path, a file that can be
 * created.
 */
gboolean
glint_cli_check_read (guint32      offset,
                      guint32      length,
                      const char  *path,
                      GError     **error)
{
  if ((guint64) offset + length > (guint64) G_MAXUINT32 + 1)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   _("reading 0x%x bytes at 0x%x goes beyond the 4 GiB address space: "
                     "give a smaller offset or length"), length, offset);
      return FALSE;
    }

  return glint_cli_check_output_file (path, error);
}
