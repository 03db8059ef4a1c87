/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-flasher.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-stream.h"

G_BEGIN_DECLS

/* One flash job of a benchmark: when each state began, when it ended. */
typedef struct
{
  GlintSim  *sim;
  gint64     start;
  gint64     state_at[GLINT_FLASHER_STATE_READING + 1];
  gint64     done_at;
  gboolean   done;
  gboolean   verbose;
  gboolean   skip_unchanged;   /* FALSE (as zeroed): write every byte */
  GlintFlashRecord *record;    /* NULL: none, the chip is asked what it holds */
  guint      baud_hint;        /* the rate that worked before (auto), 0: none */
  guint64    bytes_written;    /* what the flasher wrote */
  guint      settled_baud;
  guint      recoveries;       /* the job's, at its end */
  void     (*on_flasher) (GlintFlasher *flasher,
                          gpointer      data);   /* NULL, or called before the job starts */
  gpointer   on_flasher_data;
  GError    *error;
} BenchRun;

GBytes   *bench_make_image      (gsize          size);
char     *bench_write_stub_dir  (void);
void      bench_remove_stub_dir (const char    *dir);
gboolean  bench_flash           (BenchRun      *run,
                                 GlintStream   *stream,
                                 GBytes        *image,
                                 guint32        offset,
                                 guint          baud,
                                 gboolean       use_stub,
                                 const char    *flash_size,
                                 GError       **error);

/* The simulator's cost model, for floors (src/sim/glint-sim.c). */
GBytes   *bench_compress          (GBytes        *image);
gdouble   bench_erase_us          (guint32        start,
                                   guint32        end);
gdouble   bench_protocol_floor_us (GBytes        *image,
                                   GBytes        *payload,
                                   guint32        offset,
                                   guint          baud,
                                   gboolean       stub);

G_END_DECLS
