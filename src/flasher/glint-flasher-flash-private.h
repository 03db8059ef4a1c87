/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-flash-plan.h"
#include "glint-flash-record.h"
#include "glint-flasher-private.h"

G_BEGIN_DECLS

/* What the parts of the flash job share (glint-flasher-flash.c and its
 * glint-flasher-flash-*.c): the job's state, and the functions one part
 * calls in another. */

/* Skipping what the chip already holds: a region whose MD5 matches is left
 * alone; one that differs is looked at in 64 KiB chunks, and a chunk that
 * differs in 4 KiB blocks (the erase sector), as long as one more round of
 * questions is cheaper than writing the lot (see _glint_flash_worth_splitting ()). */
#define SKIP_BLOCK      0x1000
#define SKIP_CHUNK      0x10000

typedef struct
{
  guint      region;
  gsize      start;           /* in the region's padded image */
  gsize      length;
  gboolean   probe;           /* the region's first sector, asked first */
} Span;

typedef struct
{
  GPtrArray *images;          /* per region, padded to 4 bytes */
  GArray    *segments;        /* Span: what gets written, in order */
  guint      segment;         /* the one being written */
  GQueue     scan;            /* Span*: waiting for the chip's MD5 */
  GQueue     scan_sent;       /* Span*: asked, oldest first */
  GArray    *differing;       /* Span: 64 KiB chunks that differ, to split or not */
  gboolean  *whole;           /* per region: found erased, written whole */
  gboolean  *searching;       /* per region: in the current round of questions */
  gboolean  *hinted;          /* per region: what to write came from the record */
  guint64   *hint_unchanged;  /* per region: bytes the record called unchanged */
  char      *board;           /* the board's key in the record, once known */
  gboolean   board_asked;     /* its MAC was asked for */
  gboolean   rom_by_record;   /* the ROM alone, chosen for what the record says */
  gboolean   flash_id_asked;  /* the flash's size was asked for, to fit the plan */
  guint      check_region;    /* ... the region whose first sector checks it */
  GlintFlasherStep after_board; /* _glint_flash_read_board ()'s next step */
  GBytes    *image;           /* the current segment's data */
  GBytes    *payload;         /* what is sent: compressed or the image */
  gboolean   compressed;
  gboolean   began;           /* a FLASH(_DEFL)_BEGIN was sent */
  gboolean   block0_ahead;    /* ... with block 0 right behind it */
  guint32    offset;
  gsize      block_size;
  guint      n_blocks;
  guint      block;
  guint      block_attempts;  /* sends of the current block that came back damaged */
  guint64    done_before;     /* image bytes of earlier segments */
  guint64    segment_done;    /* image bytes of this segment acknowledged */
  guint64    to_write;
  guint      verify_region;
  guint      verified;        /* regions verified so far */
  guint      md5_questions;   /* MD5s asked while looking for changes */
  gint64     started;
  gboolean   resuming;        /* after a lost link: ask the chip what it holds */
  gboolean   scanning;        /* the change scan runs: nothing written yet */
  gboolean   scan_kept;       /* ... and lost its link: it goes on from where it was */
  gboolean   writing;         /* segments are being written (or verified) */
  gboolean   write_kept;      /* ... and lost its link: segments[0] is checked, the rest written */
  gboolean   check;           /* segments[0] may be written in part: asked about first */
  gboolean   check_whole;     /* ... was written whole: one MD5 of all of it first */
  gsize      check_at;        /* segments[0] is known written up to here */
  gsize      check_end;       /* ... the stretch being asked about ends here */
  gsize      check_limit;     /* ... within the stretch found to differ, ending here */
  gboolean   backup_done;
  gboolean   backup_started;  /* self->backup_file is named: a resumed backup reads on */
  gboolean   erased_all;
  gboolean   stub_prepared;   /* the running stub got SPI_ATTACH and SPI_SET_PARAMS */
  gboolean   verify_asked_again; /* the region's MD5 differed once */
} FlashJob;


/* glint-flasher-flash.c */
const char        *_glint_flash_region_name      (GlintFlasher        *self,
                                                  guint                region);
GlintRegionReport *_glint_flash_report           (GlintFlasher        *self,
                                                  guint                region);
void               _glint_flash_reboot           (GTask               *task);
void               _glint_flash_change_baud      (GTask               *task);

/* glint-flasher-flash-write.c */
void               _glint_flash_write_segments   (GTask               *task);

/* glint-flasher-flash-scan.c */
char              *_glint_flash_md5_hex          (const guint8        *data,
                                                  gsize                len);
char              *_glint_flash_md5_of_erased    (gsize                len);
char              *_glint_flash_reply_md5        (GlintFlasher        *self,
                                                  GBytes              *reply);
void               _glint_flash_send_md5         (GTask               *task,
                                                  guint32              address,
                                                  gsize                size,
                                                  GAsyncReadyCallback  callback);
gboolean          *_glint_flash_record_differs   (GlintFlasher        *self,
                                                  const char          *board,
                                                  GBytes              *data,
                                                  guint32              offset,
                                                  guint               *n_sectors);
void               _glint_flash_read_board       (GTask               *task,
                                                  GlintFlasherStep     next);
void               _glint_flash_plan_writes      (GTask               *task);
void               _glint_flash_record_was_wrong (GTask               *task,
                                                  guint                region);
void               _glint_flash_resume_writes    (GTask               *task);

/* glint-flasher-flash-cost.c */
gint64             _glint_flash_md5_cost         (gsize                length);
gint64             _glint_flash_rtt_us           (GlintFlasher        *self);
gboolean           _glint_flash_worth_splitting  (GlintFlasher        *self,
                                                  gsize                length,
                                                  gsize                part);
void               _glint_flash_choose_loader    (GTask               *task);

G_END_DECLS
