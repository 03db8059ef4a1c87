/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "glint-flash-options.h"
#include "glint-flasher.h"

G_DEFINE_BOXED_TYPE (GlintFlashOptions, glint_flash_options,
                     glint_flash_options_copy, glint_flash_options_free)

/**
 * glint_flash_options_new:
 *
 * Returns: (transfer full): the options a new #GlintFlasher has: the
 *   automatic rate, stub, verify, skip what is unchanged, reboot when done
 */
GlintFlashOptions *
glint_flash_options_new (void)
{
  GlintFlashOptions *self = g_new0 (GlintFlashOptions, 1);

  self->baud = GLINT_FLASHER_BAUD_AUTO;
  self->use_stub = TRUE;
  self->verify = TRUE;
  self->reboot = TRUE;
  self->skip_unchanged = TRUE;
  self->timeout_scale = 1.0;

  return self;
}

GlintFlashOptions *
glint_flash_options_copy (const GlintFlashOptions *self)
{
  GlintFlashOptions *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->backup_path = g_strdup (self->backup_path);
  if (copy->record != NULL)
    g_object_ref (copy->record);
  if (copy->rates != NULL)
    g_object_ref (copy->rates);

  return copy;
}

void
glint_flash_options_free (GlintFlashOptions *self)
{
  if (self == NULL)
    return;

  g_free (self->backup_path);
  g_clear_object (&self->record);
  g_clear_object (&self->rates);
  g_free (self);
}
