/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdlib.h>

#include <glib/gstdio.h>

#include "glint-error.h"
#include "glint-flash-plan.h"
#include "glint-fuzz-plan.h"

static char *dir;

static void
remove_dir (void)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
ensure_dir (void)
{
  guint8 blob[4096];

  if (dir != NULL)
    return;

  dir = g_dir_make_tmp ("glint-fuzz-plan-XXXXXX", NULL);
  g_assert_nonnull (dir);
  atexit (remove_dir);

  /* files a plan may name: app.bin, bootloader.bin, a.bin */
  for (guint i = 0; i < sizeof blob; i++)
    blob[i] = (guint8) (i * 5);
  blob[0] = 0xE9;
  for (guint i = 0; i < 3; i++)
    {
      static const char *names[] = { "app.bin", "bootloader.bin", "a.bin" };
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_assert_true (g_file_set_contents (path, (const char *) blob, sizeof blob, NULL));
    }
}

void
glint_fuzz_plan (const char    *file_name,
                 const uint8_t *data,
                 size_t         size)
{
  static const char *chips[] = { NULL, "esp32", "esp32s3", "esp8266", "esp32c6" };
  g_autofree char *path = NULL;

  ensure_dir ();
  path = g_build_filename (dir, file_name, NULL);
  g_assert_true (g_file_set_contents (path, (const char *) data, size, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (chips); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GlintFlashPlan) plan = NULL;
      const char *target = g_str_equal (file_name, "flasher_args.json") ? dir : path;

      plan = glint_flash_plan_new_for_path (target, chips[i], &error);
      if (plan == NULL)
        {
          g_assert_nonnull (error);
          continue;
        }
      g_assert_no_error (error);

      if (glint_flash_plan_validate (plan, chips[i] != NULL ? chips[i] : "esp32",
                                     4 * 1024 * 1024, &error))
        {
          for (guint r = 0; r < glint_flash_plan_get_n_regions (plan); r++)
            {
              glint_flash_plan_get_region_offset (plan, r);
              glint_flash_plan_get_region_data (plan, r);
              glint_flash_plan_get_region_name (plan, r);
            }
          glint_flash_plan_get_warnings (plan);
        }
      else
        g_assert_nonnull (error);
    }
}
