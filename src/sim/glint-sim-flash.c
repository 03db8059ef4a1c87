/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-sim-private.h"

/* GlintSim's flash model: cells that only program 1 -> 0, sector and block
 * erases and their timing. */

/* Flash cells, as real chips _glint_sim_fail (options stuck-bit, no-erase,
 * write-protect, real-flash-size, unstable-reads).  self->flash is the
 * flash as the host sees it through its addresses; a chip smaller than its
 * JEDEC id says ignores the high address bits, so every address that maps
 * to the same cell holds the same byte: a write at 1 MiB on a 1 MiB chip
 * lands on 0.  Without faults all of this is a plain memset/AND. */

gsize
_glint_sim_real_size (GlintSim *self)
{
  if (self->real_flash_size > 0 && self->real_flash_size < self->flash_size)
    return self->real_flash_size;

  return self->flash_size;
}

static gboolean
sector_erases (GlintSim *self,
               guint32   sector)
{
  gsize real = _glint_sim_real_size (self);

  for (guint i = 0; i < self->no_erase->len; i++)
    if ((g_array_index (self->no_erase, guint32, i) & ~(guint32) (GLINT_SECTOR_SIZE - 1)) % real ==
        sector % real)
      return FALSE;

  return TRUE;
}

/* Puts @value in the cell behind @addr: every address that maps to it. */
static void
cell_store (GlintSim *self,
            guint32   addr,
            guint8    value)
{
  gsize real = _glint_sim_real_size (self);

  for (gsize a = addr % real; a < self->flash_size; a += real)
    self->flash[a] = value;
}

/* Makes the flash periodic after a load or a resize: a cell holds what
 * was last put at any of its addresses. */
void
_glint_sim_cells_fold (GlintSim *self,
                       gsize     offset,
                       gsize     len)
{
  if (_glint_sim_real_size (self) == self->flash_size)
    return;

  for (gsize i = 0; i < len; i++)
    cell_store (self, (guint32) (offset + i), self->flash[offset + i]);
}

static void
cells_erase (GlintSim *self,
             guint32   start,
             guint32   n)
{
  if (!_glint_sim_flash_faulty (self))
    {
      memset (self->flash + start, 0xFF, n);
      return;
    }

  for (guint32 sector = start; sector < start + n; sector += GLINT_SECTOR_SIZE)
    {
      if (!sector_erases (self, sector))
        continue;
      for (guint32 a = sector; a < sector + GLINT_SECTOR_SIZE; a++)
        if (!_glint_sim_cell_protected (self, a))
          cell_store (self, a, 0xFF);
    }
}

/* NOR flash: programming only clears bits; a stuck bit stays 1. */
static void
cells_program (GlintSim     *self,
               guint32       offset,
               const guint8 *data,
               gsize         len)
{
  if (!_glint_sim_flash_faulty (self))
    {
      for (gsize i = 0; i < len; i++)
        self->flash[offset + i] &= data[i];
      return;
    }

  for (gsize i = 0; i < len; i++)
    {
      guint32 a = offset + (guint32) i;

      if (!_glint_sim_cell_protected (self, a))
        cell_store (self, a, (self->flash[a] & data[i]) | _glint_sim_cell_stuck (self, a));
    }
}

/* What one read of @len bytes at @addr returns: with unstable-reads, now
 * and then with one bit wrong (valid until the next read). */
const guint8 *
_glint_sim_cells_read (GlintSim *self,
                       guint32   addr,
                       gsize     len)
{
  if (len == 0 || self->unstable_reads <= 0 ||
      g_rand_double (self->rand) >= self->unstable_reads)
    return self->flash + addr;

  g_free (self->read_copy);
  self->read_copy = g_memdup2 (self->flash + addr, len);
  self->read_copy[g_rand_int_range (self->rand, 0, (gint32) len)] ^=
    (guint8) (1 << g_rand_int_range (self->rand, 0, 8));

  return self->read_copy;
}

gdouble
_glint_sim_erase_range (GlintSim *self,
                        guint32   start,
                        guint32   end)
{
  gdouble us = 0;

  start &= ~(GLINT_SECTOR_SIZE - 1);
  end = MIN ((end + GLINT_SECTOR_SIZE - 1) & ~(guint32) (GLINT_SECTOR_SIZE - 1), self->flash_size);

  while (start < end)
    {
      guint32 n;

      if ((start & (BLOCK_SIZE - 1)) == 0 && end - start >= BLOCK_SIZE)
        {
          n = BLOCK_SIZE;
          us += BLOCK_ERASE_US;
        }
      else
        {
          n = GLINT_SECTOR_SIZE;
          us += SECTOR_ERASE_US;
        }
      cells_erase (self, start, n);
      self->counters[GLINT_SIM_COUNTER_SECTORS_ERASED] += n / GLINT_SECTOR_SIZE;
      start += n;
    }

  return us;
}

/* The stub erases lazily, just ahead of the data it writes. */
gdouble
_glint_sim_ensure_erased (GlintSim *self,
                          guint32   end)
{
  guint32 region_end = (self->fl_offset + self->fl_erase_size + GLINT_SECTOR_SIZE - 1) &
                       ~(guint32) (GLINT_SECTOR_SIZE - 1);
  gdouble us = 0;

  end = MIN (end, region_end);
  while (self->fl_erased_to < end && self->fl_erased_to < self->flash_size)
    {
      guint32 start = self->fl_erased_to;
      guint32 n = GLINT_SECTOR_SIZE;

      if ((start & (BLOCK_SIZE - 1)) == 0 && start + BLOCK_SIZE <= region_end)
        n = BLOCK_SIZE;
      us += _glint_sim_erase_range (self, start, start + n);
      self->fl_erased_to = start + n;
    }

  return us;
}

/* Programs @len bytes; returns FALSE when the chip browned out in the
 * middle. */
gboolean
_glint_sim_program (GlintSim     *self,
                    gint64        t,
                    guint32       offset,
                    const guint8 *data,
                    gsize         len,
                    gdouble      *us)
{
  gsize n = len;
  gboolean brown_out = FALSE;

  if (self->brown_out_at > 0 &&
      self->counters[GLINT_SIM_COUNTER_FLASH_WRITTEN] + len >= self->brown_out_at)
    {
      n = self->brown_out_at - self->counters[GLINT_SIM_COUNTER_FLASH_WRITTEN];
      brown_out = TRUE;
    }

  cells_program (self, offset, data, n);
  self->counters[GLINT_SIM_COUNTER_FLASH_WRITTEN] += n;
  *us += PAGE_PROGRAM_US * ((n + 255) / 256);

  if (brown_out)
    {
      g_debug ("sim: brown-out after %" G_GUINT64_FORMAT " bytes programmed",
               self->counters[GLINT_SIM_COUNTER_FLASH_WRITTEN]);
      self->brown_out_at = 0;
      _glint_sim_reset_into_app (self, t + _glint_sim_scaled (self, *us), BOOT_BROWN_OUT);
      return FALSE;
    }

  return TRUE;
}

void
_glint_sim_resize_flash (GlintSim *self,
                         gsize     size)
{
  if (size == self->flash_size)
    return;

  self->flash = g_realloc (self->flash, size);
  if (size > self->flash_size)
    memset (self->flash + self->flash_size, 0xFF, size - self->flash_size);
  self->flash_size = size;
  _glint_sim_cells_fold (self, 0, _glint_sim_real_size (self));
}
