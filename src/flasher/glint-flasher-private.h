/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "glint-bytes.h"
#include "glint-chip.h"
#include "glint-flash-record.h"
#include "glint-flasher.h"
#include "glint-loader.h"

G_BEGIN_DECLS

struct _GlintFlasher
{
  GObject            parent_instance;

  GlintStream       *stream;
  GlintLoader       *loader;
  GlintFlashPlan    *plan;
  GlintFlasherState  state;
  const GlintChip   *chip;
  GlintChipIdent     ident;          /* the chip's eFuse, if ident_known */
  guint32            security;       /* GlintChipSecurity, if security_known */
  guint              flash_crypt_cnt;/* ... likewise */
  guint32            detect_words[GLINT_CHIP_MAX_EFUSE_REGS + GLINT_CHIP_MAX_MAC_REGS + 1];
  gdouble            timeout_scale;
  gint64             carried_rtt_us;  /* the lost link's round trip, for its new loader; -1: none */
  guint              baud;           /* wanted for the transfer, 0 = keep */
  guint              baud_hint;      /* a rate that worked before (auto) */
  guint              settled_baud;   /* what the last job ran at */
  guint              boot_baud;      /* the stream's rate when first connected */
  char              *backup_path;    /* a file, or a folder the job names the file in */
  char              *backup_file;    /* the file the last flash job's backup went to */
  GlintFlashRecord  *record;         /* what was last written to each board */
  GlintFlashRecord  *rates;          /* where the automatic rate is remembered */
  GHashTable        *payload_cache;  /* MD5 of a stretch → its compressed bytes, shared by
                                      * the flashers of one batch, or NULL */
  GArray            *regions;        /* GlintRegionReport, of the last flash job */
  guint64            planned_bytes;  /* what the job will write, if planned_known */
  guint64            bytes_written;
  guint64            bytes_unchanged;
  guint64            bytes_done;
  guint64            bytes_total;
  gint64             transfer_started;
  guint              recoveries;     /* lost links the current job came back from */
  guint              resets_sent;    /* DTR/RTS resets into download mode (connects) */
  GTask             *job;            /* the job that runs, if any (no reference) */
  GString           *chip_text;      /* what the chip printed since the job had it */
  guint              usb_reset : 1;   /* the chip's own USB-Serial/JTAG */
  guint              classic_reset : 1; /* ... not taken by default even there */
  guint              no_reset : 1;
  guint              no_stub : 1;
  guint              no_verify : 1;
  guint              no_reboot : 1;
  guint              stub_running : 1;
  guint              stub_acks_early : 1; /* ... and it is esp-flasher-stub (§9) */
  guint              busy : 1;
  guint              release_stream : 1; /* drop the loader when the job is over */
  guint              no_skip : 1;
  guint              erase_all : 1;
  guint              planned_known : 1;  /* the climb may weigh its steps */
  guint              ident_known : 1;    /* detection read the eFuse words */
  guint              mac_confirmed : 1;  /* ... and the MAC twice alike */
  guint              security_known : 1; /* GET_SECURITY_INFO or the eFuse told */
  guint              link_dead : 1;      /* the loader's link failed: open a new stream */
  guint              chip_reset : 1;     /* the chip printed a boot log mid-job */
  guint              read_contents : 1;  /* the info job reads what is on the board */
  guint              contents_by_stub : 1; /* ... with the stub, whatever it costs (tests) */
  GlintBoardContents *contents;          /* what it found */
  guint32            flash_id;           /* the JEDEC id, if flash_id_known (this job's) */
  guint64            detected_flash_size;/* ... and the size it says, 0 if it says none */
  guint              flash_id_known : 1;
};

void     _glint_flasher_set_payload_cache (GlintFlasher *self,
                                           GHashTable   *cache);

/* One step of a job: the job's GTask (source object: the flasher). */
typedef void (*GlintFlasherStep) (GTask *task);

void     _glint_flasher_set_state    (GlintFlasher      *self,
                                      GlintFlasherState  state);
void     _glint_flasher_log          (GlintFlasher      *self,
                                      GlintLogLevel      level,
                                      const char        *format,
                                      ...) G_GNUC_PRINTF (3, 4);
void     _glint_flasher_job_fail     (GTask             *task,
                                      GError            *error);
void     _glint_flasher_job_done     (GTask             *task);
gboolean _glint_flasher_job_is_over  (GTask             *task);
gpointer _glint_flasher_task_state   (GTask             *task,
                                      const char        *key,
                                      gsize              size,
                                      GDestroyNotify     free_func);
GTask   *_glint_flasher_job_new      (GlintFlasher      *self,
                                      gpointer           source_tag,
                                      const char        *name,
                                      GCancellable      *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer           user_data);
void     _glint_flasher_connect      (GTask             *task,
                                      GlintFlasherStep   next);
void     _glint_flasher_detect       (GTask             *task,
                                      GlintFlasherStep   next);
void     _glint_flasher_set_progress (GlintFlasher      *self,
                                      guint64            bytes_done,
                                      guint64            bytes_total);

gpointer _glint_flasher_sent         (GTask             *task,
                                      GAsyncReadyCallback callback);
void     _glint_flasher_sent_cb      (GObject           *object,
                                      GAsyncResult      *result,
                                      gpointer           user_data);
gboolean _glint_flasher_finish_command (GTask           *task,
                                        GAsyncResult    *result,
                                        GBytes         **reply,
                                        const char      *context,
                                        ...) G_GNUC_PRINTF (4, 5);
void     _glint_flasher_start_stub   (GTask             *task,
                                      GlintFlasherStep   next);
void     _glint_flasher_change_baud  (GTask             *task,
                                      GlintFlasherStep   next);
void     _glint_flasher_send_attach  (GTask             *task,
                                      GAsyncReadyCallback callback);
void     _glint_flasher_attach_flash (GTask             *task,
                                      GlintFlasherStep   next);
char    *_glint_flasher_describe_no_stub (GlintFlasher  *self);
gboolean _glint_flasher_secure_download (GlintFlasher  *self);
const guint32 *_glint_flasher_detected_mac_words (GlintFlasher *self);
gboolean _glint_flasher_on_usb_otg   (GlintFlasher      *self);
guint    _glint_flasher_major_rev    (GlintFlasher      *self);
void     _glint_flasher_flash_failed (GlintFlasher      *self);
guint32  _glint_flasher_detected_magic (GTask           *task);
void     _glint_flasher_auto_baud    (GTask             *task,
                                      GlintFlasherStep   next);
gboolean _glint_flasher_rom_can_step (GlintFlasher     *self);
void     _glint_flasher_auto_baud_rom (GTask            *task,
                                       gsize             stub_bytes,
                                       GlintFlasherStep  next,
                                       GlintFlasherStep  stub_ready);
void     _glint_flasher_read_rom_xtal (GTask            *task,
                                       GlintFlasherStep  next);
gdouble  _glint_flasher_rom_xtal_mhz (GTask             *task);
void     _glint_flasher_reconnect    (GTask             *task,
                                      gboolean           reset_first,
                                      GlintFlasherStep   next);
void     _glint_flasher_swap_stream  (GlintFlasher      *self,
                                      GlintStream       *stream);
void     _glint_flasher_drop_lost_loader (GlintFlasher *self);
void     _glint_flasher_notify_recoveries (GlintFlasher *self);
void     _glint_flasher_emit_reconnecting (GlintFlasher *self,
                                           guint         attempt,
                                           guint         max,
                                           const char   *cause);

/* glint-flasher-recover.c */
void     _glint_flasher_set_resume   (GTask             *task,
                                      GlintFlasherStep   resume);
guint    _glint_flasher_job_epoch    (GTask             *task);
gboolean _glint_flasher_stub_kept    (GTask             *task);
gboolean _glint_flasher_try_recover  (GTask             *task,
                                      GError            *error);
void     _glint_flasher_chip_text_arrived (GTask        *task);

/* glint-flasher-contents.c: for the tests, which compare the two ways */
void     _glint_flasher_set_contents_by_stub (GlintFlasher *self,
                                              gboolean      by_stub);

/* glint-flasher-flash-cost.c */
gint64   _glint_flasher_stub_load_cost (GlintFlasher  *self);
guint    _glint_flasher_stub_rate    (GlintFlasher      *self);

void     _glint_flasher_read_flash_id (GTask            *task,
                                       GlintFlasherStep  next);
gboolean _glint_flasher_check_flash_end (GlintFlasher  *self,
                                         const char    *what,
                                         guint32        offset,
                                         guint32        length,
                                         GError       **error);
void     _glint_flasher_read_contents (GTask            *task,
                                       GlintFlasherStep  next);
void     _glint_flasher_read_into    (GTask             *task,
                                      guint32            offset,
                                      guint32            length,
                                      const char        *path,
                                      GlintFlasherStep   next);

G_END_DECLS
