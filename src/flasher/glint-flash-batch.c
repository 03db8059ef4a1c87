/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "glint-error.h"
#include "glint-flash-batch.h"
#include "glint-flash-plan.h"
#include "glint-flasher-private.h"
#include "glint-stream.h"
#include "glint-stream-address.h"

/*
 * GlintFlashBatch: one firmware to several boards at once, for the CLI's
 * repeated --port and the window's "Flash Several Boards".
 *
 * Each board gets a flasher, a stream and a copy of the plan of its own
 * (validation converts ELF files and patches the bootloader header for the
 * chip it finds), and all of them run side by side on the one main
 * context: the work is waiting on links, not computing. What is computed,
 * the compressed firmware, is computed once for all boards. What a flasher
 * keeps across jobs is its own (state, journal, reconnection by the same
 * USB device); the record of what was written and the remembered rates are
 * one shared object, keyed by board and by address, written synchronously
 * from the one thread. A board that fails ends its own job and no other.
 *
 * The results log (CSV: time, port, chip, MAC, firmware MD5, result,
 * detail) is written whole, to a new file renamed over the old one, after
 * every board: a crash leaves the last complete log, never half a line.
 */

#define CSV_HEADER "time,port,chip,mac,firmware_md5,result,detail\n"

typedef struct
{
  char             *address;
  GlintFlasher     *flasher;
  GlintBatchResult  result;
  GError           *error;
  char             *chip;
  char             *mac;
  gint64            started;
  gint64            ended;
} Board;

struct _GlintFlashBatch
{
  GObject            parent_instance;

  GlintFlashPlan    *plan;
  GlintFlashOptions *options;
  char              *firmware_md5;
  GPtrArray         *boards;       /* Board */
  GHashTable        *payloads;     /* compressed stretches, shared by the boards */
  GCancellable      *cancellable;
  guint              n_running;
  char              *log_path;
  GString           *log;          /* what the log holds */
};

G_DEFINE_FINAL_TYPE (GlintFlashBatch, glint_flash_batch, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_N_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_BOARD_ADDED,
  SIGNAL_BOARD_FINISHED,
  SIGNAL_LOG_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
board_free (gpointer data)
{
  Board *board = data;

  g_free (board->address);
  g_clear_object (&board->flasher);
  g_clear_error (&board->error);
  g_free (board->chip);
  g_free (board->mac);
  g_free (board);
}

static void
glint_flash_batch_dispose (GObject *object)
{
  GlintFlashBatch *self = GLINT_FLASH_BATCH (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->plan);
  g_clear_pointer (&self->payloads, g_hash_table_unref);

  G_OBJECT_CLASS (glint_flash_batch_parent_class)->dispose (object);
}

static void
glint_flash_batch_finalize (GObject *object)
{
  GlintFlashBatch *self = GLINT_FLASH_BATCH (object);

  g_ptr_array_unref (self->boards);
  g_clear_pointer (&self->options, glint_flash_options_free);
  g_free (self->firmware_md5);
  g_free (self->log_path);
  if (self->log != NULL)
    g_string_free (self->log, TRUE);

  G_OBJECT_CLASS (glint_flash_batch_parent_class)->finalize (object);
}

static void
glint_flash_batch_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  GlintFlashBatch *self = GLINT_FLASH_BATCH (object);

  switch (prop_id)
    {
    case PROP_N_RUNNING:
      g_value_set_uint (value, self->n_running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_flash_batch_class_init (GlintFlashBatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = glint_flash_batch_dispose;
  object_class->finalize = glint_flash_batch_finalize;
  object_class->get_property = glint_flash_batch_get_property;

  /**
   * GlintFlashBatch:n-running:
   *
   * How many boards' jobs have not ended yet.
   */
  properties[PROP_N_RUNNING] =
    g_param_spec_uint ("n-running", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * GlintFlashBatch::board-added:
   * @index: the new board's index
   *
   * A board was added and its job started.
   */
  signals[SIGNAL_BOARD_ADDED] =
    g_signal_new ("board-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  /**
   * GlintFlashBatch::board-finished:
   * @index: the board's index
   *
   * A board's job ended; its result, error, chip and MAC are known.
   */
  signals[SIGNAL_BOARD_FINISHED] =
    g_signal_new ("board-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  /**
   * GlintFlashBatch::log-failed:
   * @error: why the results log could not be written
   *
   * The results log could not be replaced; the previous one stays.
   */
  signals[SIGNAL_LOG_FAILED] =
    g_signal_new ("log-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
glint_flash_batch_init (GlintFlashBatch *self)
{
  self->boards = g_ptr_array_new_with_free_func (board_free);
  self->cancellable = g_cancellable_new ();
  self->payloads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_bytes_unref);
}

/* The MD5 of the firmware's bytes in flash order: for a lone file, the
 * file's own MD5, which `md5sum` prints. */
static char *
plan_md5 (GlintFlashPlan *plan)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_MD5);

  for (guint i = 0; i < glint_flash_plan_get_n_regions (plan); i++)
    {
      GBytes *data = glint_flash_plan_get_region_data (plan, i);
      gsize len = 0;
      const guint8 *bytes = data != NULL ? g_bytes_get_data (data, &len) : NULL;

      if (bytes != NULL)
        g_checksum_update (checksum, bytes, len);
    }

  return g_strdup (g_checksum_get_string (checksum));
}

/**
 * glint_flash_batch_new:
 * @plan: the firmware every board gets (each board's job works on a copy)
 * @options: the job's options, the same for every board
 *
 * Returns: (transfer full): an empty batch; glint_flash_batch_add() adds
 *   a board and starts its job
 */
GlintFlashBatch *
glint_flash_batch_new (GlintFlashPlan          *plan,
                       const GlintFlashOptions *options)
{
  GlintFlashBatch *self;

  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (plan), NULL);
  g_return_val_if_fail (options != NULL, NULL);

  self = g_object_new (GLINT_TYPE_FLASH_BATCH, NULL);
  self->plan = g_object_ref (plan);
  self->options = glint_flash_options_copy (options);
  self->firmware_md5 = plan_md5 (plan);

  return self;
}

static Board *
board_at (GlintFlashBatch *self,
          guint            index)
{
  g_return_val_if_fail (index < self->boards->len, NULL);

  return g_ptr_array_index (self->boards, index);
}

/* A CSV field, quoted where it must be (RFC 4180). */
static void
append_field (GString    *line,
              const char *value,
              gboolean    last)
{
  if (value == NULL)
    value = "";
  if (strpbrk (value, ",\"\r\n") != NULL)
    {
      g_string_append_c (line, '"');
      for (const char *p = value; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (line, '"');
          g_string_append_c (line, *p);
        }
      g_string_append_c (line, '"');
    }
  else
    {
      g_string_append (line, value);
    }
  g_string_append_c (line, last ? '\n' : ',');
}

static void
log_write (GlintFlashBatch *self)
{
  g_autoptr(GError) error = NULL;

  if (self->log_path == NULL)
    return;

  /* g_file_set_contents: a new file, synced, renamed over the old one */
  if (!g_file_set_contents_full (self->log_path, self->log->str, self->log->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
    g_signal_emit (self, signals[SIGNAL_LOG_FAILED], 0, error);
}

static void
log_board (GlintFlashBatch *self,
           Board           *board)
{
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *time = NULL;

  if (self->log == NULL)
    return;

  now = g_date_time_new_now_utc ();
  time = g_date_time_format_iso8601 (now);
  append_field (self->log, time, FALSE);
  append_field (self->log, board->address, FALSE);
  append_field (self->log, board->chip, FALSE);
  append_field (self->log, board->mac, FALSE);
  append_field (self->log, self->firmware_md5, FALSE);
  append_field (self->log, glint_batch_result_to_string (board->result), FALSE);
  append_field (self->log, board->error != NULL ? board->error->message : NULL, TRUE);
  log_write (self);
}

/**
 * glint_flash_batch_set_results_log:
 * @path: (nullable): a CSV file; its rows are kept and new ones added
 *   after them, %NULL for none
 *
 * Keeps a row for every board that ends from now on in @path.
 *
 * Returns: %FALSE if @path holds something that is not such a log, or
 *   cannot be written (@error says why); nothing changed then
 */
gboolean
glint_flash_batch_set_results_log (GlintFlashBatch  *self,
                                   const char       *path,
                                   GError          **error)
{
  g_autofree char *old = NULL;
  g_autoptr(GError) local = NULL;
  GString *log;

  g_return_val_if_fail (GLINT_IS_FLASH_BATCH (self), FALSE);

  if (path == NULL)
    {
      g_clear_pointer (&self->log_path, g_free);
      if (self->log != NULL)
        g_string_free (self->log, TRUE);
      self->log = NULL;
      return TRUE;
    }

  if (!g_file_get_contents (path, &old, NULL, &local) &&
      !g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (old != NULL && old[0] != '\0' && !g_str_has_prefix (old, CSV_HEADER))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   _("%s is not a results log of Glint: choose a new file or an old log"), path);
      return FALSE;
    }

  log = g_string_new (old != NULL && old[0] != '\0' ? old : CSV_HEADER);
  if (log->str[log->len - 1] != '\n')
    g_string_append_c (log, '\n');
  if (!g_file_set_contents_full (path, log->str, log->len, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                 error))
    {
      g_string_free (log, TRUE);
      return FALSE;
    }

  g_free (self->log_path);
  self->log_path = g_strdup (path);
  if (self->log != NULL)
    g_string_free (self->log, TRUE);
  self->log = log;

  return TRUE;
}

typedef struct
{
  GlintFlashBatch *batch;   /* a reference */
  guint            index;
} BoardJob;

static void
board_flash_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autofree BoardJob *job = user_data;
  g_autoptr(GlintFlashBatch) self = job->batch;
  GlintFlasher *flasher = GLINT_FLASHER (object);
  Board *board = g_ptr_array_index (self->boards, job->index);
  g_autoptr(GError) error = NULL;

  board->ended = g_get_monotonic_time ();
  if (glint_flasher_flash_finish (flasher, result, &error))
    board->result = self->options->verify ? GLINT_BATCH_RESULT_VERIFIED :
                    GLINT_BATCH_RESULT_NOT_VERIFIED;
  else if (g_error_matches (error, GLINT_ERROR, GLINT_ERROR_NOT_VERIFIED))
    board->result = GLINT_BATCH_RESULT_NOT_VERIFIED;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    board->result = GLINT_BATCH_RESULT_CANCELLED;
  else
    board->result = GLINT_BATCH_RESULT_FAILED;
  board->error = g_steal_pointer (&error);
  g_free (board->chip);
  board->chip = g_strdup (glint_flasher_get_chip (flasher));
  g_free (board->mac);
  board->mac = glint_flasher_dup_mac (flasher);
  /* Its port is let go of before anyone hears of the end, so that the
   * next board there (Flash All again, a board plugged in again) opens it
   * rather than finding it held by this process, busy. The flasher stays,
   * for its figures. */
  glint_flasher_close_stream (flasher);

  log_board (self, board);
  self->n_running--;
  g_signal_emit (self, signals[SIGNAL_BOARD_FINISHED], 0, job->index);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_RUNNING]);
}

/**
 * glint_flash_batch_add:
 * @address: a port or URL, as glint_stream_new_for_address() takes it
 *
 * Adds a board and starts flashing it at once. The same address may come
 * again once its job ended (a new board on the same port).
 *
 * Returns: the board's index, or %G_MAXUINT with @error set where the
 *   address cannot be used or a job runs there already
 */
guint
glint_flash_batch_add (GlintFlashBatch  *self,
                       const char       *address,
                       GError          **error)
{
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GlintFlashPlan) plan = NULL;
  BoardJob *job;
  Board *board;

  g_return_val_if_fail (GLINT_IS_FLASH_BATCH (self), G_MAXUINT);
  g_return_val_if_fail (address != NULL, G_MAXUINT);

  if (glint_flash_batch_is_running (self, address))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   "%s is being flashed already: give each port once", address);
      return G_MAXUINT;
    }

  stream = glint_stream_new_for_address (address, error);
  if (stream == NULL)
    return G_MAXUINT;

  board = g_new0 (Board, 1);
  board->address = g_strdup (address);
  board->flasher = glint_flasher_new (stream);
  board->result = GLINT_BATCH_RESULT_RUNNING;
  board->started = g_get_monotonic_time ();
  glint_flasher_set_options (board->flasher, self->options);
  _glint_flasher_set_payload_cache (board->flasher, self->payloads);
  plan = glint_flash_plan_copy (self->plan);
  glint_flasher_set_plan (board->flasher, plan);
  g_ptr_array_add (self->boards, board);
  self->n_running++;

  job = g_new0 (BoardJob, 1);
  job->batch = g_object_ref (self);
  job->index = self->boards->len - 1;

  g_signal_emit (self, signals[SIGNAL_BOARD_ADDED], 0, job->index);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_RUNNING]);
  glint_flasher_flash_async (board->flasher, self->cancellable, board_flash_cb, job);

  return self->boards->len - 1;
}

/**
 * glint_flash_batch_cancel:
 *
 * Stops every job that runs; each ends as %GLINT_BATCH_RESULT_CANCELLED
 * (or as it was about to end). Boards added later start again.
 */
void
glint_flash_batch_cancel (GlintFlashBatch *self)
{
  g_return_if_fail (GLINT_IS_FLASH_BATCH (self));

  g_cancellable_cancel (self->cancellable);
  g_object_unref (self->cancellable);
  self->cancellable = g_cancellable_new ();
}

guint
glint_flash_batch_get_n_boards (GlintFlashBatch *self)
{
  g_return_val_if_fail (GLINT_IS_FLASH_BATCH (self), 0);

  return self->boards->len;
}

guint
glint_flash_batch_get_n_running (GlintFlashBatch *self)
{
  g_return_val_if_fail (GLINT_IS_FLASH_BATCH (self), 0);

  return self->n_running;
}

/**
 * glint_flash_batch_is_running:
 *
 * Returns: whether a job runs on @address
 */
gboolean
glint_flash_batch_is_running (GlintFlashBatch *self,
                              const char      *address)
{
  g_return_val_if_fail (GLINT_IS_FLASH_BATCH (self), FALSE);

  for (guint i = 0; i < self->boards->len; i++)
    {
      Board *board = g_ptr_array_index (self->boards, i);

      if (board->result == GLINT_BATCH_RESULT_RUNNING && g_str_equal (board->address, address))
        return TRUE;
    }

  return FALSE;
}

/**
 * glint_flash_batch_get_firmware_md5:
 *
 * Returns: the MD5 of the firmware's bytes in flash order (for a lone
 *   file, the file's MD5), in hex
 */
const char *
glint_flash_batch_get_firmware_md5 (GlintFlashBatch *self)
{
  g_return_val_if_fail (GLINT_IS_FLASH_BATCH (self), NULL);

  return self->firmware_md5;
}

const char *
glint_flash_batch_get_address (GlintFlashBatch *self,
                               guint            index)
{
  g_return_val_if_fail (GLINT_IS_FLASH_BATCH (self), NULL);

  return board_at (self, index)->address;
}

/**
 * glint_flash_batch_get_flasher:
 *
 * Returns: (transfer none): the board's flasher, for its state and progress
 */
GlintFlasher *
glint_flash_batch_get_flasher (GlintFlashBatch *self,
                               guint            index)
{
  g_return_val_if_fail (GLINT_IS_FLASH_BATCH (self), NULL);

  return board_at (self, index)->flasher;
}

GlintBatchResult
glint_flash_batch_get_result (GlintFlashBatch *self,
                              guint            index)
{
  g_return_val_if_fail (GLINT_IS_FLASH_BATCH (self), GLINT_BATCH_RESULT_FAILED);

  return board_at (self, index)->result;
}

/**
 * glint_flash_batch_get_error:
 *
 * Returns: (transfer none) (nullable): why the board's job failed
 */
const GError *
glint_flash_batch_get_error (GlintFlashBatch *self,
                             guint            index)
{
  g_return_val_if_fail (GLINT_IS_FLASH_BATCH (self), NULL);

  return board_at (self, index)->error;
}

/**
 * glint_flash_batch_get_chip:
 *
 * Returns: (nullable): the chip found ("ESP32-C3"), once the job ended
 */
const char *
glint_flash_batch_get_chip (GlintFlashBatch *self,
                            guint            index)
{
  g_return_val_if_fail (GLINT_IS_FLASH_BATCH (self), NULL);

  return board_at (self, index)->chip;
}

/**
 * glint_flash_batch_get_mac:
 *
 * Returns: (nullable): the board's factory MAC, once the job ended
 */
const char *
glint_flash_batch_get_mac (GlintFlashBatch *self,
                           guint            index)
{
  g_return_val_if_fail (GLINT_IS_FLASH_BATCH (self), NULL);

  return board_at (self, index)->mac;
}

/**
 * glint_flash_batch_get_seconds:
 *
 * Returns: how long the board's job ran (so far)
 */
gdouble
glint_flash_batch_get_seconds (GlintFlashBatch *self,
                               guint            index)
{
  Board *board;

  g_return_val_if_fail (GLINT_IS_FLASH_BATCH (self), 0);

  board = board_at (self, index);
  return ((board->ended != 0 ? board->ended : g_get_monotonic_time ()) - board->started) / 1e6;
}

/**
 * glint_batch_result_to_string:
 *
 * Returns: a stable, untranslated name for the results log and --json
 */
const char *
glint_batch_result_to_string (GlintBatchResult result)
{
  switch (result)
    {
    case GLINT_BATCH_RESULT_RUNNING:
      return "running";
    case GLINT_BATCH_RESULT_VERIFIED:
      return "verified";
    case GLINT_BATCH_RESULT_NOT_VERIFIED:
      return "not-verified";
    case GLINT_BATCH_RESULT_FAILED:
      return "failed";
    case GLINT_BATCH_RESULT_CANCELLED:
      return "cancelled";
    default:
      return "unknown";
    }
}
