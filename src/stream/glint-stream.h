/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-types.h"
#include "glint-usb-identity.h"

G_BEGIN_DECLS

#define GLINT_STREAM_DEFAULT_BAUD 115200

#define GLINT_TYPE_STREAM (glint_stream_get_type ())

G_DECLARE_DERIVABLE_TYPE (GlintStream, glint_stream, GLINT, STREAM, GIOStream)

/**
 * GlintStreamClass:
 * @open_async: open the device or connect; the input and output streams are
 *   only usable after it completed
 * @set_baud_async: change the line speed (only called when it changes)
 * @set_lines_async: set the lines in @mask to the values in @values (only
 *   called for lines that change)
 * @purge_async: discard buffered data
 * @drain_async: wait until written data left the host
 *
 * Subclasses provide #GIOStream's get_input_stream/get_output_stream, both
 * pollable (#GPollableInputStream, #GPollableOutputStream).
 */
struct _GlintStreamClass
{
  GIOStreamClass parent_class;

  void     (*open_async)       (GlintStream          *self,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data);
  gboolean (*open_finish)      (GlintStream          *self,
                                GAsyncResult         *result,
                                GError              **error);
  void     (*set_baud_async)   (GlintStream          *self,
                                guint                 baud,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data);
  gboolean (*set_baud_finish)  (GlintStream          *self,
                                GAsyncResult         *result,
                                GError              **error);
  void     (*set_lines_async)  (GlintStream          *self,
                                GlintLines            mask,
                                GlintLines            values,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data);
  gboolean (*set_lines_finish) (GlintStream          *self,
                                GAsyncResult         *result,
                                GError              **error);
  void     (*purge_async)      (GlintStream          *self,
                                GlintPurge            what,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data);
  gboolean (*purge_finish)     (GlintStream          *self,
                                GAsyncResult         *result,
                                GError              **error);
  void     (*drain_async)      (GlintStream          *self,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data);
  gboolean (*drain_finish)     (GlintStream          *self,
                                GAsyncResult         *result,
                                GError              **error);

  gpointer padding[4];
};

const char *glint_stream_get_address           (GlintStream          *self);
guint       glint_stream_get_baud              (GlintStream          *self);
GlintLines  glint_stream_get_lines             (GlintStream          *self);
gboolean    glint_stream_get_can_control_lines (GlintStream          *self);
gboolean    glint_stream_get_is_remote         (GlintStream          *self);
gboolean    glint_stream_get_is_open           (GlintStream          *self);
gboolean    glint_stream_get_can_set_baud      (GlintStream          *self);
const guint *glint_stream_get_baud_rates       (GlintStream          *self,
                                                guint                *n_rates);
const GlintUsbIdentity *
            glint_stream_get_usb_identity      (GlintStream          *self);

void        glint_stream_open_async            (GlintStream          *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean    glint_stream_open_finish           (GlintStream          *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void        glint_stream_set_baud_async        (GlintStream          *self,
                                                guint                 baud,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean    glint_stream_set_baud_finish       (GlintStream          *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void        glint_stream_set_lines_async       (GlintStream          *self,
                                                GlintLines            mask,
                                                GlintLines            values,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean    glint_stream_set_lines_finish      (GlintStream          *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void        glint_stream_purge_async           (GlintStream          *self,
                                                GlintPurge            what,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean    glint_stream_purge_finish          (GlintStream          *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void        glint_stream_drain_async           (GlintStream          *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean    glint_stream_drain_finish          (GlintStream          *self,
                                                GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS
