/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "glint-bytes.h"
#include "glint-error.h"

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
 * the board, against the flash size the flash job will assume (the plan's
 * own, or the default). The flash job checks again with the board's chip.
 */
gboolean
glint_cli_check_plan (GlintFlashPlan  *plan,
                      const char      *chip,
                      GError         **error)
{
  return glint_flash_plan_validate (plan, chip, glint_flash_plan_get_flash_size_bytes (plan),
                                    error);
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
