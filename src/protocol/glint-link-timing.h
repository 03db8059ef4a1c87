/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "glint-types.h"

G_BEGIN_DECLS

#define GLINT_TYPE_LINK_TIMING (glint_link_timing_get_type ())


/* Policy defaults, all in microseconds (see glint-link-timing.c for why). */
#define GLINT_LINK_TIMING_INITIAL_LOCAL_US   (1 * G_USEC_PER_SEC)
#define GLINT_LINK_TIMING_INITIAL_REMOTE_US  (3 * G_USEC_PER_SEC)
#define GLINT_LINK_TIMING_FLOOR_LOCAL_US     (100 * 1000)
#define GLINT_LINK_TIMING_FLOOR_REMOTE_US    (500 * 1000)
#define GLINT_LINK_TIMING_CEILING_US         (30 * G_USEC_PER_SEC)

GType             glint_link_timing_get_type           (void) G_GNUC_CONST;

GlintLinkTiming  *glint_link_timing_new                (gboolean         is_remote);
GlintLinkTiming  *glint_link_timing_copy               (const GlintLinkTiming *self);
void              glint_link_timing_free               (GlintLinkTiming *self);

gboolean          glint_link_timing_is_remote          (const GlintLinkTiming *self);

void              glint_link_timing_add_sample         (GlintLinkTiming *self,
                                                        gint64           rtt_us);
void              glint_link_timing_sample_from        (GlintLinkTiming *self,
                                                        gint64           elapsed_us,
                                                        gint64           expected_processing_us,
                                                        gint64           wire_us);
gint64            glint_link_timing_get_srtt           (const GlintLinkTiming *self);
gint64            glint_link_timing_get_rttvar         (const GlintLinkTiming *self);
guint             glint_link_timing_get_n_samples      (const GlintLinkTiming *self);

void              glint_link_timing_set_floor          (GlintLinkTiming *self,
                                                        gint64           floor_us);
gint64            glint_link_timing_get_floor          (const GlintLinkTiming *self);
void              glint_link_timing_set_ceiling        (GlintLinkTiming *self,
                                                        gint64           ceiling_us);
gint64            glint_link_timing_get_ceiling        (const GlintLinkTiming *self);
void              glint_link_timing_set_scale          (GlintLinkTiming *self,
                                                        gdouble          scale);
gdouble           glint_link_timing_get_scale          (const GlintLinkTiming *self);
void              glint_link_timing_set_override       (GlintLinkTiming *self,
                                                        gint64           allowance_us);
gint64            glint_link_timing_get_override       (const GlintLinkTiming *self);

gint64            glint_link_timing_get_allowance      (const GlintLinkTiming *self);

gint64            glint_link_timing_wire_time          (gsize            bytes,
                                                        guint            baud);
gsize             glint_link_timing_frame_wire_bytes   (gsize            data_len);
gint64            glint_link_timing_processing_time    (guint8           opcode,
                                                        gsize            work_size,
                                                        gboolean         is_stub);
gint64            glint_link_timing_deferred_time      (guint8           opcode,
                                                        gsize            work_size,
                                                        gboolean         is_stub);
gint64            glint_link_timing_timeout            (const GlintLinkTiming *self,
                                                        guint8           opcode,
                                                        gsize            payload_size,
                                                        gsize            work_size,
                                                        guint            baud,
                                                        gboolean         is_stub);

char             *glint_link_timing_describe           (const GlintLinkTiming *self);
char             *glint_link_timing_format_duration    (gint64           us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GlintLinkTiming, glint_link_timing_free)

G_END_DECLS
