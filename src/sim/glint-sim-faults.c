/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>
#include <string.h>

#include "glint-sim-private.h"

/* GlintSim's faults: a link that delays, drops, corrupts, duplicates or
 * garbles bytes, and flash that fails, sticks or is protected. */

gint64
_glint_sim_link_delay (GlintSim *self)
{
  gdouble ms = self->latency_ms;

  if (self->jitter_ms > 0)
    ms += g_rand_double (self->rand) * self->jitter_ms;

  return (gint64) (ms * 1000.0);
}

gboolean
_glint_sim_link_garbled (GlintSim *self)
{
  if (self->max_baud > 0 && (self->chip_baud > self->max_baud || self->host_baud > self->max_baud))
    return TRUE;

  if (self->baud_check)
    {
      gdouble diff = fabs ((gdouble) self->host_baud - (gdouble) self->chip_baud);

      if (diff > 0.03 * self->chip_baud)
        return TRUE;
    }

  return FALSE;
}

GByteArray *
_glint_sim_apply_faults (GlintSim     *self,
                         const guint8 *data,
                         gsize         len,
                         gboolean      garble)
{
  GByteArray *out = g_byte_array_sized_new (len);

  /* the common case: a clean link */
  if (!garble && self->drop_p <= 0 && self->corrupt_p <= 0 && self->duplicate_p <= 0)
    return g_byte_array_append (out, data, len);

  for (gsize i = 0; i < len; i++)
    {
      guint8 b = data[i];

      if (garble)
        {
          b = g_rand_int_range (self->rand, 0, 256);
          self->counters[GLINT_SIM_COUNTER_GARBLED]++;
        }

      if (self->drop_p > 0 && g_rand_double (self->rand) < self->drop_p)
        {
          self->counters[GLINT_SIM_COUNTER_DROPPED]++;
          continue;
        }

      if (self->corrupt_p > 0 && g_rand_double (self->rand) < self->corrupt_p)
        {
          b ^= g_rand_int_range (self->rand, 1, 256);
          self->counters[GLINT_SIM_COUNTER_CORRUPTED]++;
        }

      g_byte_array_append (out, &b, 1);

      if (self->duplicate_p > 0 && g_rand_double (self->rand) < self->duplicate_p)
        {
          g_byte_array_append (out, &b, 1);
          self->counters[GLINT_SIM_COUNTER_DUPLICATED]++;
        }
    }

  return out;
}

gboolean
_glint_sim_flash_faulty (GlintSim *self)
{
  return _glint_sim_real_size (self) != self->flash_size || self->stuck_bits->len > 0 ||
         self->no_erase->len > 0 || self->write_protect->len > 0;
}

gboolean
_glint_sim_cell_protected (GlintSim *self,
                           guint32   addr)
{
  gsize real = _glint_sim_real_size (self);

  for (guint i = 0; i < self->write_protect->len; i++)
    {
      const FlashRange *r = &g_array_index (self->write_protect, FlashRange, i);

      for (guint64 a = addr % real; a < self->flash_size; a += real)
        if (a >= r->start && a < r->end)
          return TRUE;
    }

  return FALSE;
}

guint8
_glint_sim_cell_stuck (GlintSim *self,
                       guint32   addr)
{
  gsize real = _glint_sim_real_size (self);
  guint8 mask = 0;

  for (guint i = 0; i < self->stuck_bits->len; i++)
    {
      const FlashCell *c = &g_array_index (self->stuck_bits, FlashCell, i);

      if (c->offset % real == addr % real)
        mask |= c->mask;
    }

  return mask;
}
