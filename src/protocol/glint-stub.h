/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-types.h"
#include "glint-chip.h"
#include "glint-loader.h"

G_BEGIN_DECLS

/* Segments must be smaller than this: real stubs are 5–40 KiB. */
#define GLINT_STUB_MAX_SEGMENT (512 * 1024)

#define GLINT_TYPE_STUB (glint_stub_get_type ())

typedef struct _GlintStub GlintStub;

/**
 * GlintStubLayout:
 * @GLINT_STUB_LAYOUT_V2: `2/<chip>.json`, esptool ≥ 5.3 (esp-flasher-stub,
 *   Apache-2.0 OR MIT)
 * @GLINT_STUB_LAYOUT_FLAT: `<chip>.json` directly in the root (Glint's own
 *   stub directories, an unpacked esp-flasher-stub release)
 * @GLINT_STUB_LAYOUT_V1: `1/<chip>.json`, esptool 5.x legacy stubs
 * @GLINT_STUB_LAYOUT_LEGACY: `stub_flasher_<chip>.json` or
 *   `stub_flasher_32s3.json`, esptool ≤ 4.x and esptool-js
 *
 * Where in a search root a stub was found, in search order (protocol.md §6.1).
 */
typedef enum
{
  GLINT_STUB_LAYOUT_V2,
  GLINT_STUB_LAYOUT_FLAT,
  GLINT_STUB_LAYOUT_V1,
  GLINT_STUB_LAYOUT_LEGACY,
} GlintStubLayout;

/**
 * GlintStubRoot:
 * @label: what the user knows it as: "esptool (Python)", "ESP-IDF", …
 * @path: the directory holding `2/`, `1/` or `stub_flasher_*.json`
 */
typedef struct
{
  char *label;
  char *path;
} GlintStubRoot;

/**
 * GlintStubUploadInfo:
 * @bytes: text and data bytes sent
 * @blocks: MEM_DATA blocks sent
 * @round_trips: answers waited for, the OHAI greeting included
 * @elapsed_us: from the first MEM_BEGIN to OHAI
 */
typedef struct
{
  gsize  bytes;
  guint  blocks;
  guint  round_trips;
  gint64 elapsed_us;
} GlintStubUploadInfo;

GType            glint_stub_get_type            (void) G_GNUC_CONST;

GlintStub       *glint_stub_new_from_json       (GBytes               *json,
                                                 const char           *source_path,
                                                 GError              **error);
GlintStub       *glint_stub_ref                 (GlintStub            *self);
void             glint_stub_unref               (GlintStub            *self);

const char      *glint_stub_get_chip_name       (const GlintStub      *self);
GBytes          *glint_stub_get_text            (const GlintStub      *self);
guint32          glint_stub_get_text_start      (const GlintStub      *self);
GBytes          *glint_stub_get_data            (const GlintStub      *self);
guint32          glint_stub_get_data_start      (const GlintStub      *self);
gboolean         glint_stub_get_bss_start       (const GlintStub      *self,
                                                 guint32              *bss_start);
guint32          glint_stub_get_entry           (const GlintStub      *self);
const char      *glint_stub_get_source_path     (const GlintStub      *self);
const char      *glint_stub_get_root_label      (const GlintStub      *self);
GlintStubLayout  glint_stub_get_layout          (const GlintStub      *self);
const char      *glint_stub_get_description     (const GlintStub      *self);

GlintStubRoot   *glint_stub_root_new            (const char           *label,
                                                 const char           *path);
void             glint_stub_root_free           (GlintStubRoot        *root);

GPtrArray       *glint_stub_search_path_new     (void);
GlintStub       *glint_stub_find                (const GlintChip      *chip,
                                                 guint                 major_rev,
                                                 const char *const    *roots,
                                                 GError              **error);
GlintStub       *glint_stub_find_in_path        (const GlintChip      *chip,
                                                 guint                 major_rev,
                                                 GPtrArray            *search_path,
                                                 GError              **error);

void             glint_stub_upload_async        (GlintStub            *stub,
                                                 GlintLoader          *loader,
                                                 gboolean              usb_otg,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean         glint_stub_upload_finish       (GlintLoader          *loader,
                                                 GAsyncResult         *result,
                                                 GlintStubUploadInfo  *info,
                                                 GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GlintStub, glint_stub_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GlintStubRoot, glint_stub_root_free)

G_END_DECLS
