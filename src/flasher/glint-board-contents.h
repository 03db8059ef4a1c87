/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "glint-flash-plan.h"
#include "glint-partitions.h"

G_BEGIN_DECLS

/* What is on a board: its partition table, the app in each app partition
 * and which one boots, as the info job read them. */

typedef enum
{
  GLINT_CONTENTS_NOT_READ,     /* the flash could not be read: see why */
  GLINT_CONTENTS_BLANK,        /* erased where the bootloader and the table go */
  GLINT_CONTENTS_FOREIGN,      /* no ESP-IDF partition table: see why */
  GLINT_CONTENTS_PARTITIONS,   /* a partition table, in partitions */
} GlintContentsState;

typedef enum
{
  GLINT_APP_NONE,              /* a data partition */
  GLINT_APP_BLANK,             /* erased */
  GLINT_APP_FOUND,             /* an app with its description */
  GLINT_APP_NO_DESC,           /* an app image without a description */
  GLINT_APP_NOT_APP,           /* something that is not an app image */
  GLINT_APP_NOT_READ,          /* the read failed */
} GlintAppState;

/**
 * GlintPartitionContents:
 * @partition: the table's entry
 * @app_state: what its first bytes hold (app partitions only)
 * @desc: the app's description, if @app_state is %GLINT_APP_FOUND
 * @boots: the bootloader starts this app
 */
typedef struct
{
  GlintPartition  partition;
  GlintAppState   app_state;
  GlintAppDesc    desc;
  gboolean        boots;
} GlintPartitionContents;

/**
 * GlintBoardContents:
 * @state: what was found
 * @why: (nullable): for %GLINT_CONTENTS_NOT_READ why not, for
 *   %GLINT_CONTENTS_FOREIGN what was there instead
 * @bootloader_offset: where the chip's bootloader goes
 * @bootloader: an image header is there
 * @table_offset: where the table was found
 * @partitions: (element-type GlintPartitionContents): the partitions
 * @otadata_read: the otadata entries were read (else @boots assumes them erased)
 * @round_trips: what reading it all cost (with the stub: once it runs)
 * @with_stub: read with the flasher stub, not the ROM
 * @duration_us: how long the step took, loading the stub included
 */
typedef struct
{
  GlintContentsState  state;
  char               *why;
  guint32             bootloader_offset;
  gboolean            bootloader;
  guint32             table_offset;
  GArray             *partitions;
  gboolean            otadata_read;
  guint               round_trips;
  gboolean            with_stub;
  gint64              duration_us;
} GlintBoardContents;

#define GLINT_TYPE_BOARD_CONTENTS (glint_board_contents_get_type ())

GType               glint_board_contents_get_type  (void) G_GNUC_CONST;
GlintBoardContents *glint_board_contents_new       (void);
GlintBoardContents *glint_board_contents_copy      (const GlintBoardContents *contents);
void                glint_board_contents_free      (GlintBoardContents       *contents);
const GlintPartitionContents *
                    glint_board_contents_lookup    (const GlintBoardContents *contents,
                                                    const char               *name);
const GlintPartitionContents *
                    glint_board_contents_booting   (const GlintBoardContents *contents);
char               *glint_board_contents_summary   (const GlintBoardContents *contents);
char               *glint_partition_contents_describe (const GlintPartitionContents *part);
char               *glint_partition_contents_describe_app (const GlintPartitionContents *part);
char               *glint_board_contents_describe_loss (const GlintBoardContents     *contents,
                                                        const GlintPartitionContents *part);
char               *glint_board_contents_list_names (const GlintBoardContents  *contents);
const GlintPartitionContents *
                    glint_board_contents_find      (const GlintBoardContents *contents,
                                                    const char               *name,
                                                    GError                  **error);

gboolean            glint_boot_check_needs_board   (GlintFlashPlan           *plan,
                                                    const char               *chip);
char               *glint_boot_check               (GlintFlashPlan           *plan,
                                                    const char               *chip,
                                                    const GlintBoardContents *contents);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GlintBoardContents, glint_board_contents_free)

G_END_DECLS
