/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-board-contents.h"
#include "glint-flash-options.h"
#include "glint-flash-record.h"
#include "glint-types.h"

G_BEGIN_DECLS

/**
 * GlintFlasherState:
 *
 * Where a #GlintFlasher job stands. %GLINT_FLASHER_STATE_FAILED and
 * %GLINT_FLASHER_STATE_CANCELLED can follow any active state.
 */
typedef enum
{
  GLINT_FLASHER_STATE_IDLE,
  GLINT_FLASHER_STATE_CONNECTING,
  GLINT_FLASHER_STATE_RESETTING,
  GLINT_FLASHER_STATE_SYNCING,
  GLINT_FLASHER_STATE_DETECTING,
  GLINT_FLASHER_STATE_LOADING_STUB,
  GLINT_FLASHER_STATE_CHANGING_BAUD,
  GLINT_FLASHER_STATE_ERASING,
  GLINT_FLASHER_STATE_WRITING,
  GLINT_FLASHER_STATE_VERIFYING,
  GLINT_FLASHER_STATE_REBOOTING,
  GLINT_FLASHER_STATE_DONE,
  GLINT_FLASHER_STATE_FAILED,
  GLINT_FLASHER_STATE_CANCELLED,
  GLINT_FLASHER_STATE_READING,
} GlintFlasherState;

typedef struct _GlintFlashPlan GlintFlashPlan;

/**
 * GlintLogLevel:
 * @GLINT_LOG_DEBUG: protocol detail, for bug reports
 * @GLINT_LOG_INFO: what the job is doing
 * @GLINT_LOG_NOTICE: a result a terse log shows (the chip found, a region
 *   verified); glint-cli prints these, whatever the language
 * @GLINT_LOG_WARNING: something the user should know
 * @GLINT_LOG_ERROR: why the job failed
 */
typedef enum
{
  GLINT_LOG_DEBUG,
  GLINT_LOG_INFO,
  GLINT_LOG_NOTICE,
  GLINT_LOG_WARNING,
  GLINT_LOG_ERROR,
} GlintLogLevel;

/**
 * GlintBoardInfo:
 * @chip: the chip's canonical name ("esp32s3")
 * @chip_display_name: for people ("ESP32-S3")
 * @mac: the factory MAC address
 * @crystal_mhz: the crystal frequency, 0 if it cannot be told
 * @flash_id: the flash chip's JEDEC id (manufacturer in the low byte), 0 if
 *   it could not be read
 * @flash_size: the flash size in bytes from that id, 0 if unknown
 * @round_trips: answers it took to learn all this (batched ones counted
 *   one by one)
 * @link: the measured round trip, described for people
 * @package: the chip's description from eFuse, as esptool gives it
 *   ("ESP32-D0WD-V3"), %NULL if it could not be read (secure download mode)
 * @revision: major * 100 + minor; -1 when the chip has none (ESP8266) or it
 *   could not be read (then @package is %NULL)
 * @features: (array zero-terminated=1) (nullable): untranslated feature
 *   names ("Wi-Fi", "dual core"; marked for gettext, translate them to show them)
 * @security_known: @security and @flash_crypt_cnt were told by the chip
 *   (GET_SECURITY_INFO, or the ESP32's eFuse); not on the ESP8266
 * @security: #GlintChipSecurity flags
 * @flash_crypt_cnt: the flash encryption counter: encryption is on when
 *   an odd number of its bits are set
 *
 * In secure download mode (@security has %GLINT_CHIP_SECURE_DOWNLOAD) the
 * ROM refuses register reads: @mac, @crystal_mhz and @flash_id are 0.
 */
typedef struct
{
  char    *chip;
  char    *chip_display_name;
  guint8   mac[6];
  guint    crystal_mhz;
  guint32  flash_id;
  guint64  flash_size;
  guint    round_trips;
  char    *link;
  char    *package;
  gint     revision;
  char   **features;
  gboolean security_known;
  guint32  security;
  guint    flash_crypt_cnt;
  GlintBoardContents *contents;
} GlintBoardInfo;

/**
 * GlintRegionStatus:
 * @GLINT_REGION_UNTOUCHED: nothing of the region was written
 * @GLINT_REGION_UNCHANGED: the flash already held the region (its MD5 said
 *   so): nothing was written, and that check is its verification
 * @GLINT_REGION_PARTLY_WRITTEN: some of the region's blocks were written,
 *   not all: the flash holds neither the old nor the new data there
 * @GLINT_REGION_WRITTEN: all of it was written, but not (yet) verified
 * @GLINT_REGION_VERIFIED: written, and the flash's MD5 matches the file
 * @GLINT_REGION_MISMATCH: written, but the flash's MD5 differs from the file
 *
 * What a flash job did to one region of the plan (see
 * glint_flasher_get_region_report()).
 */
typedef enum
{
  GLINT_REGION_UNTOUCHED,
  GLINT_REGION_UNCHANGED,
  GLINT_REGION_PARTLY_WRITTEN,
  GLINT_REGION_WRITTEN,
  GLINT_REGION_VERIFIED,
  GLINT_REGION_MISMATCH,
} GlintRegionStatus;

/**
 * GlintRegionReport:
 * @name: the region's name in the plan ("app", "bootloader", …)
 * @offset: where it goes in flash
 * @size: its size in bytes (padded to 4 bytes, as written)
 * @written: bytes of it actually written in this job (blocks found
 *   unchanged are not written)
 * @status: what state the flash is in there
 */
typedef struct
{
  char              *name;
  guint32            offset;
  guint32            size;
  guint32            written;
  GlintRegionStatus  status;
} GlintRegionReport;

/**
 * GLINT_FLASHER_BAUD_AUTO:
 *
 * For glint_flasher_set_baud(): find the fastest rate the link sustains.
 */
#define GLINT_FLASHER_BAUD_AUTO G_MAXUINT

#define GLINT_TYPE_REGION_STATUS (glint_region_status_get_type ())
#define GLINT_TYPE_FLASHER_STATE (glint_flasher_state_get_type ())
#define GLINT_TYPE_LOG_LEVEL     (glint_log_level_get_type ())
#define GLINT_TYPE_BOARD_INFO    (glint_board_info_get_type ())
#define GLINT_TYPE_FLASHER       (glint_flasher_get_type ())

GType glint_flasher_state_get_type (void) G_GNUC_CONST;
GType glint_log_level_get_type     (void) G_GNUC_CONST;
GType glint_board_info_get_type    (void) G_GNUC_CONST;
GType glint_region_status_get_type (void) G_GNUC_CONST;

G_DECLARE_FINAL_TYPE (GlintFlasher, glint_flasher, GLINT, FLASHER, GObject)

GlintBoardInfo    *glint_board_info_copy           (const GlintBoardInfo  *info);
void               glint_board_info_free           (GlintBoardInfo        *info);
char              *glint_board_info_format_mac     (const GlintBoardInfo  *info);
char              *glint_board_info_describe_chip  (const GlintBoardInfo  *info);
char              *glint_board_info_describe_security (const GlintBoardInfo *info);
gboolean           glint_board_info_get_secure_download (const GlintBoardInfo *info);
gboolean           glint_board_info_get_flash_encrypted (const GlintBoardInfo *info);

GlintFlasher      *glint_flasher_new               (GlintStream           *stream);
GlintStream       *glint_flasher_get_stream        (GlintFlasher          *self);
void               glint_flasher_release_stream    (GlintFlasher          *self);
void               glint_flasher_close_stream      (GlintFlasher          *self);
GlintFlasherState  glint_flasher_get_state         (GlintFlasher          *self);
const char        *glint_flasher_get_chip          (GlintFlasher          *self);
char              *glint_flasher_dup_mac           (GlintFlasher          *self);
gdouble            glint_flasher_get_fraction      (GlintFlasher          *self);
gdouble            glint_flasher_get_rate          (GlintFlasher          *self);
gdouble            glint_flasher_get_eta           (GlintFlasher          *self);
void               glint_flasher_set_no_reset      (GlintFlasher          *self,
                                                    gboolean               no_reset);
void               glint_flasher_set_timeout_scale (GlintFlasher          *self,
                                                    gdouble                scale);
const char        *glint_flasher_state_to_string   (GlintFlasherState      state);

void               glint_flasher_set_options       (GlintFlasher          *self,
                                                    const GlintFlashOptions *options);
void               glint_flasher_set_plan          (GlintFlasher          *self,
                                                    GlintFlashPlan        *plan);
void               glint_flasher_set_baud          (GlintFlasher          *self,
                                                    guint                  baud);
void               glint_flasher_set_use_stub      (GlintFlasher          *self,
                                                    gboolean               use_stub);
void               glint_flasher_set_verify        (GlintFlasher          *self,
                                                    gboolean               verify);
void               glint_flasher_set_read_contents (GlintFlasher         *self,
                                                    gboolean               read_contents);
void               glint_flasher_set_skip_unchanged (GlintFlasher         *self,
                                                    gboolean               skip);
void               glint_flasher_set_erase_all     (GlintFlasher          *self,
                                                    gboolean               erase_all);
void               glint_flasher_set_flash_record  (GlintFlasher          *self,
                                                    GlintFlashRecord      *record);
void               glint_flasher_set_backup_path   (GlintFlasher          *self,
                                                    const char            *path);
const char        *glint_flasher_get_backup_file   (GlintFlasher          *self);
void               glint_flasher_set_baud_hint     (GlintFlasher          *self,
                                                    guint                  baud);
guint              glint_flasher_get_settled_baud  (GlintFlasher          *self);
guint              glint_flasher_get_recoveries    (GlintFlasher          *self);

guint64            glint_flasher_get_bytes_written   (GlintFlasher        *self);
guint64            glint_flasher_get_bytes_unchanged (GlintFlasher        *self);
guint              glint_flasher_get_n_regions     (GlintFlasher          *self);
const GlintRegionReport *
                   glint_flasher_get_region_report (GlintFlasher          *self,
                                                    guint                  index);
char              *glint_flasher_describe_regions  (GlintFlasher          *self);
const char        *glint_region_status_to_string   (GlintRegionStatus      status);
char              *glint_region_report_describe    (const GlintRegionReport *report);

void               glint_flasher_flash_async       (GlintFlasher          *self,
                                                    GCancellable          *cancellable,
                                                    GAsyncReadyCallback    callback,
                                                    gpointer               user_data);
gboolean           glint_flasher_flash_finish      (GlintFlasher          *self,
                                                    GAsyncResult          *result,
                                                    GError               **error);

void               glint_flasher_erase_async       (GlintFlasher          *self,
                                                    guint32                offset,
                                                    guint32                length,
                                                    GCancellable          *cancellable,
                                                    GAsyncReadyCallback    callback,
                                                    gpointer               user_data);
gboolean           glint_flasher_erase_finish      (GlintFlasher          *self,
                                                    GAsyncResult          *result,
                                                    GError               **error);

void               glint_flasher_read_flash_async  (GlintFlasher          *self,
                                                    guint32                offset,
                                                    guint32                length,
                                                    const char            *path,
                                                    GCancellable          *cancellable,
                                                    GAsyncReadyCallback    callback,
                                                    gpointer               user_data);
gboolean           glint_flasher_read_flash_finish (GlintFlasher          *self,
                                                    GAsyncResult          *result,
                                                    GError               **error);

void               glint_flasher_info_async        (GlintFlasher          *self,
                                                    GCancellable          *cancellable,
                                                    GAsyncReadyCallback    callback,
                                                    gpointer               user_data);
GlintBoardInfo    *glint_flasher_info_finish       (GlintFlasher          *self,
                                                    GAsyncResult          *result,
                                                    GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GlintBoardInfo, glint_board_info_free)

G_END_DECLS
