/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "glint-error.h"
#include "glint-flash-plan.h"
#include "glint-flasher-private.h"
#include "glint-link-timing.h"
#include "glint-port-monitor.h"
#include "glint-stream.h"
#include "glint-stream-address.h"
#include "glint-stub.h"

/*
 * GlintFlasher is the only API the window and the CLI use: one stream, one
 * job at a time, a state property that says where the job stands and a log
 * signal that says what happened. Jobs are chains of asynchronous steps;
 * nothing blocks the main loop.
 *
 * Connecting follows esptool's loop (protocol.md §3.2): a few attempts,
 * each a reset (alternating the tight and the classic sequence on local
 * ports, classic only on remote ones, none where lines cannot be set)
 * followed by a few SYNCs. The waits come from the loader's link estimate.
 */

#define SYNC_TRIES        5
#define CONNECT_ATTEMPTS  4
#define DETECT_TRIES      3   /* answers that name no known chip, before believing them */


G_DEFINE_FINAL_TYPE (GlintFlasher, glint_flasher, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (GlintFlasherState, glint_flasher_state,
  G_DEFINE_ENUM_VALUE (GLINT_FLASHER_STATE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (GLINT_FLASHER_STATE_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (GLINT_FLASHER_STATE_RESETTING, "resetting"),
  G_DEFINE_ENUM_VALUE (GLINT_FLASHER_STATE_SYNCING, "syncing"),
  G_DEFINE_ENUM_VALUE (GLINT_FLASHER_STATE_DETECTING, "detecting"),
  G_DEFINE_ENUM_VALUE (GLINT_FLASHER_STATE_LOADING_STUB, "loading-stub"),
  G_DEFINE_ENUM_VALUE (GLINT_FLASHER_STATE_CHANGING_BAUD, "changing-baud"),
  G_DEFINE_ENUM_VALUE (GLINT_FLASHER_STATE_ERASING, "erasing"),
  G_DEFINE_ENUM_VALUE (GLINT_FLASHER_STATE_WRITING, "writing"),
  G_DEFINE_ENUM_VALUE (GLINT_FLASHER_STATE_VERIFYING, "verifying"),
  G_DEFINE_ENUM_VALUE (GLINT_FLASHER_STATE_REBOOTING, "rebooting"),
  G_DEFINE_ENUM_VALUE (GLINT_FLASHER_STATE_DONE, "done"),
  G_DEFINE_ENUM_VALUE (GLINT_FLASHER_STATE_FAILED, "failed"),
  G_DEFINE_ENUM_VALUE (GLINT_FLASHER_STATE_CANCELLED, "cancelled"),
  G_DEFINE_ENUM_VALUE (GLINT_FLASHER_STATE_READING, "reading"))

G_DEFINE_ENUM_TYPE (GlintLogLevel, glint_log_level,
  G_DEFINE_ENUM_VALUE (GLINT_LOG_DEBUG, "debug"),
  G_DEFINE_ENUM_VALUE (GLINT_LOG_INFO, "info"),
  G_DEFINE_ENUM_VALUE (GLINT_LOG_NOTICE, "notice"),
  G_DEFINE_ENUM_VALUE (GLINT_LOG_WARNING, "warning"),
  G_DEFINE_ENUM_VALUE (GLINT_LOG_ERROR, "error"))

G_DEFINE_ENUM_TYPE (GlintRegionStatus, glint_region_status,
  G_DEFINE_ENUM_VALUE (GLINT_REGION_UNTOUCHED, "untouched"),
  G_DEFINE_ENUM_VALUE (GLINT_REGION_UNCHANGED, "unchanged"),
  G_DEFINE_ENUM_VALUE (GLINT_REGION_PARTLY_WRITTEN, "partly-written"),
  G_DEFINE_ENUM_VALUE (GLINT_REGION_WRITTEN, "written"),
  G_DEFINE_ENUM_VALUE (GLINT_REGION_VERIFIED, "verified"),
  G_DEFINE_ENUM_VALUE (GLINT_REGION_MISMATCH, "mismatch"))

G_DEFINE_BOXED_TYPE (GlintBoardInfo, glint_board_info, glint_board_info_copy,
                     glint_board_info_free)

enum {
  PROP_0,
  PROP_STREAM,
  PROP_STATE,
  PROP_CHIP,
  PROP_FRACTION,
  PROP_BYTES_DONE,
  PROP_BYTES_TOTAL,
  PROP_RATE,
  PROP_ETA,
  PROP_RECOVERIES,
  N_PROPS
};

enum {
  SIGNAL_LOG,
  SIGNAL_RECONNECTING,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* What connecting and detecting need to remember, kept on the job's task. */
typedef struct
{
  guint              attempt;
  guint              sync_try;
  GlintResetStrategy strategy;
  gboolean           warned_reset;
  GError            *last_error;
  guint32            magic;
  const GlintChip   *magic_chip;     /* the S2, known by its magic, asked for security */
  gboolean           magic_refused;  /* READ_REG refused: secure download mode */
  gsize              security_len;   /* GET_SECURITY_INFO reply asked for: 20 or 12 */
  guint              detect_tries;   /* detections that could not make the chip out */
  gboolean           resync;         /* reconnecting: a SYNC alone first */
  gboolean           sync_alone;     /* the next attempt without a reset */
  guint              refind_polls;   /* looking for a port that went away */
  gboolean           refound;        /* ... found once already */
  GlintFlasherStep   connected;
  GlintFlasherStep   detected;
  GlintFlasherStep   stub_ready;
  GlintFlasherStep   baud_changed;
  GlintFlasherStep   attached;
  GlintStub         *stub;
} ConnectState;

static void
connect_state_free (gpointer data)
{
  ConnectState *cs = data;

  g_clear_error (&cs->last_error);
  g_clear_pointer (&cs->stub, glint_stub_unref);
  g_free (cs);
}

static ConnectState *
connect_state (GTask *task)
{
  return _glint_flasher_task_state (task, "glint-connect", sizeof (ConnectState),
                                    connect_state_free);
}

typedef struct
{
  GlintBoardInfo *info;
} InfoJob;

/* Reading the flash id (_glint_flasher_read_flash_id ()) */
typedef struct
{
  guint32          saved_usr;
  guint32          saved_usr2;
  guint            polls;
  GlintFlasherStep next;
} FlashIdRead;

static FlashIdRead *
flash_id_read (GTask *task)
{
  return _glint_flasher_task_state (task, "glint-flash-id", sizeof (FlashIdRead), g_free);
}

static void
info_job_free (gpointer data)
{
  InfoJob *job = data;

  g_clear_pointer (&job->info, glint_board_info_free);
  g_free (job);
}

/* Board info ------------------------------------------------------------------ */

GlintBoardInfo *
glint_board_info_copy (const GlintBoardInfo *info)
{
  GlintBoardInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_memdup2 (info, sizeof *info);
  copy->chip = g_strdup (info->chip);
  copy->chip_display_name = g_strdup (info->chip_display_name);
  copy->link = g_strdup (info->link);
  copy->package = g_strdup (info->package);
  copy->features = g_strdupv (info->features);
  if (info->contents != NULL)
    copy->contents = glint_board_contents_copy (info->contents);

  return copy;
}

void
glint_board_info_free (GlintBoardInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->chip);
  g_free (info->chip_display_name);
  g_free (info->link);
  g_free (info->package);
  g_strfreev (info->features);
  glint_board_contents_free (info->contents);
  g_free (info);
}

char *
glint_board_info_format_mac (const GlintBoardInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  return g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x", info->mac[0], info->mac[1],
                          info->mac[2], info->mac[3], info->mac[4], info->mac[5]);
}

/**
 * glint_board_info_describe_chip:
 * @info: a board's info
 *
 * Returns: (transfer full): "ESP32-D0WD-V3 (revision v3.1), Wi-Fi, BT,
 *   dual core, 40 MHz crystal, 4 MB flash", translated, with the crystal
 *   and flash where known; the chip's family alone where the eFuse could
 *   not be read
 */
char *
glint_board_info_describe_chip (const GlintBoardInfo *info)
{
  g_autoptr(GString) s = NULL;
  g_autofree char *revision = NULL;

  g_return_val_if_fail (info != NULL, NULL);

  if (info->package == NULL)
    return g_strdup (info->chip_display_name);

  s = g_string_new (info->package);
  revision = glint_chip_format_revision (info->revision);
  if (revision != NULL)
    /* Translators: after a chip's name: its silicon revision, "v3.1" */
    g_string_append_printf (s, _(" (revision %s)"), revision);
  else
    g_string_append (s, _(" (no revision)"));

  for (guint i = 0; info->features != NULL && info->features[i] != NULL; i++)
    g_string_append_printf (s, ", %s", _(info->features[i]));
  if (info->crystal_mhz != 0)
    g_string_append_printf (s, _(", %u MHz crystal"), info->crystal_mhz);
  if (info->flash_size >= 1024 * 1024)
    g_string_append_printf (s, _(", %u MB flash"), (guint) (info->flash_size / (1024 * 1024)));

  return g_string_free (g_steal_pointer (&s), FALSE);
}

/**
 * glint_board_info_get_secure_download:
 *
 * Returns: whether the chip is in secure download mode
 */
gboolean
glint_board_info_get_secure_download (const GlintBoardInfo *info)
{
  g_return_val_if_fail (info != NULL, FALSE);

  return info->security_known && (info->security & GLINT_CHIP_SECURE_DOWNLOAD) != 0;
}

/**
 * glint_board_info_get_flash_encrypted:
 *
 * Returns: whether flash encryption is on
 */
gboolean
glint_board_info_get_flash_encrypted (const GlintBoardInfo *info)
{
  g_return_val_if_fail (info != NULL, FALSE);

  return info->security_known && glint_chip_flash_encrypted (info->flash_crypt_cnt);
}

/**
 * glint_board_info_describe_security:
 * @info: a board's info
 *
 * Returns: (transfer full): "secure boot off, flash encryption off, …",
 *   translated; "not reported by this chip" where nothing is known
 */
char *
glint_board_info_describe_security (const GlintBoardInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  if (!info->security_known)
    return g_strdup (_("not reported by this chip"));

  return g_strjoin (", ",
                    (info->security & GLINT_CHIP_SECURE_BOOT) != 0 ?
                      _("secure boot on") : _("secure boot off"),
                    glint_board_info_get_flash_encrypted (info) ?
                      _("flash encryption on") : _("flash encryption off"),
                    glint_board_info_get_secure_download (info) ?
                      _("secure download mode on") : _("secure download mode off"),
                    (info->security & (GLINT_CHIP_SOFT_DIS_JTAG | GLINT_CHIP_HARD_DIS_JTAG)) != 0 ?
                      _("JTAG disabled") : _("JTAG enabled"),
                    (info->security & GLINT_CHIP_DIS_USB) != 0 ? _("USB disabled") : NULL,
                    NULL);
}

/* Object ---------------------------------------------------------------------- */

static void
glint_flasher_dispose (GObject *object)
{
  GlintFlasher *self = GLINT_FLASHER (object);

  g_clear_object (&self->plan);
  g_clear_object (&self->record);
  g_clear_object (&self->rates);
  g_clear_pointer (&self->payload_cache, g_hash_table_unref);
  g_clear_object (&self->loader);
  g_clear_pointer (&self->regions, g_array_unref);
  g_clear_object (&self->stream);

  G_OBJECT_CLASS (glint_flasher_parent_class)->dispose (object);
}

static void
glint_flasher_finalize (GObject *object)
{
  GlintFlasher *self = GLINT_FLASHER (object);

  g_free (self->backup_path);
  g_free (self->backup_file);
  g_string_free (self->chip_text, TRUE);
  glint_board_contents_free (self->contents);

  G_OBJECT_CLASS (glint_flasher_parent_class)->finalize (object);
}

static void
glint_flasher_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  GlintFlasher *self = GLINT_FLASHER (object);

  switch (prop_id)
    {
    case PROP_STREAM:
      g_value_set_object (value, self->stream);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_CHIP:
      g_value_set_string (value, glint_flasher_get_chip (self));
      break;
    case PROP_FRACTION:
      g_value_set_double (value, glint_flasher_get_fraction (self));
      break;
    case PROP_BYTES_DONE:
      g_value_set_uint64 (value, self->bytes_done);
      break;
    case PROP_BYTES_TOTAL:
      g_value_set_uint64 (value, self->bytes_total);
      break;
    case PROP_RATE:
      g_value_set_double (value, glint_flasher_get_rate (self));
      break;
    case PROP_ETA:
      g_value_set_double (value, glint_flasher_get_eta (self));
      break;
    case PROP_RECOVERIES:
      g_value_set_uint (value, self->recoveries);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_flasher_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  GlintFlasher *self = GLINT_FLASHER (object);

  switch (prop_id)
    {
    case PROP_STREAM:
      self->stream = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_flasher_class_init (GlintFlasherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = glint_flasher_dispose;
  object_class->finalize = glint_flasher_finalize;
  object_class->get_property = glint_flasher_get_property;
  object_class->set_property = glint_flasher_set_property;

  properties[PROP_STREAM] =
    g_param_spec_object ("stream", NULL, NULL, GLINT_TYPE_STREAM,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintFlasher:state:
   *
   * Where the current (or last) job stands.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, GLINT_TYPE_FLASHER_STATE,
                       GLINT_FLASHER_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintFlasher:chip:
   *
   * The detected chip's display name ("ESP32-S3"), or %NULL before.
   */
  properties[PROP_CHIP] =
    g_param_spec_string ("chip", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintFlasher:fraction:
   *
   * How much of the transfer is done, 0 to 1.
   */
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_BYTES_DONE] =
    g_param_spec_uint64 ("bytes-done", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_BYTES_TOTAL] =
    g_param_spec_uint64 ("bytes-total", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintFlasher:rate:
   *
   * Image bytes per second since the transfer started.
   */
  properties[PROP_RATE] =
    g_param_spec_double ("rate", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintFlasher:eta:
   *
   * Seconds left at the current rate, -1 while unknown.
   */
  properties[PROP_ETA] =
    g_param_spec_double ("eta", NULL, NULL, -1, G_MAXDOUBLE, -1,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintFlasher:recoveries:
   *
   * Lost links (or lost answers, or a chip that reset) the current or
   * last job reconnected after and resumed from.
   */
  properties[PROP_RECOVERIES] =
    g_param_spec_uint ("recoveries", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * GlintFlasher::reconnecting:
   * @attempt: this attempt, from 1
   * @max: attempts there will be at most
   * @cause: why, translated: the error that lost the link
   *
   * The job lost its link and tries to reconnect (after a short wait);
   * it resumes, or fails, later.
   */
  signals[SIGNAL_RECONNECTING] =
    g_signal_new ("reconnecting",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_STRING);

  /**
   * GlintFlasher::log:
   * @level: a #GlintLogLevel
   * @message: one line for the log view, translated where it is for people
   */
  signals[SIGNAL_LOG] =
    g_signal_new ("log",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, GLINT_TYPE_LOG_LEVEL, G_TYPE_STRING);
}

static void
glint_flasher_init (GlintFlasher *self)
{
  self->timeout_scale = 1.0;
  self->carried_rtt_us = -1;
  self->baud = GLINT_FLASHER_BAUD_AUTO;
  self->chip_text = g_string_new (NULL);
}

/**
 * glint_flasher_new:
 * @stream: a stream to the board, open or not
 */
GlintFlasher *
glint_flasher_new (GlintStream *stream)
{
  g_return_val_if_fail (GLINT_IS_STREAM (stream), NULL);

  return g_object_new (GLINT_TYPE_FLASHER, "stream", stream, NULL);
}

/**
 * glint_flasher_get_recoveries:
 *
 * Returns: how often the current or last job lost its link and resumed
 */
guint
glint_flasher_get_recoveries (GlintFlasher *self)
{
  g_return_val_if_fail (GLINT_IS_FLASHER (self), 0);

  return self->recoveries;
}

void
_glint_flasher_notify_recoveries (GlintFlasher *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECOVERIES]);
}

void
_glint_flasher_emit_reconnecting (GlintFlasher *self,
                                  guint         attempt,
                                  guint         max,
                                  const char   *cause)
{
  g_signal_emit (self, signals[SIGNAL_RECONNECTING], 0, attempt, max, cause);
}

static void on_loader_waiting_late_cb (GlintLoader *loader,
                                       guint        op,
                                       gdouble      waited,
                                       gpointer     user_data);

/* What the chip prints outside frames, kept from when a job has it (a
 * boot log then says the chip reset: glint-flasher-recover.c). */
static void
on_loader_text_cb (GlintLoader *loader,
                   GBytes      *text,
                   gpointer     user_data)
{
  GlintFlasher *self = user_data;
  gsize len;
  const char *data = g_bytes_get_data (text, &len);

  if (self->chip_text->len >= 4096)
    return;

  g_string_append_len (self->chip_text, data, MIN (len, 4096 - self->chip_text->len));
  if (self->job != NULL)
    _glint_flasher_chip_text_arrived (self->job);
}

/**
 * _glint_flasher_swap_stream:
 * @stream: an open stream to the same address
 *
 * After the link was lost: the flasher talks through @stream from now on
 * (the old one is closed), with a loader of its own.
 */
void
_glint_flasher_swap_stream (GlintFlasher *self,
                            GlintStream  *stream)
{
  if (self->stream != NULL)
    g_io_stream_close_async (G_IO_STREAM (self->stream), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_set_object (&self->stream, stream);
  _glint_flasher_drop_lost_loader (self);
  self->link_dead = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STREAM]);
}

/**
 * _glint_flasher_drop_lost_loader:
 *
 * After the link was lost: the loader of the old stream goes (its reads
 * cancelled), before the old stream closes or as a new one takes over.
 */
void
_glint_flasher_drop_lost_loader (GlintFlasher *self)
{
  /* The new link goes the same way: its loader starts from what the old
   * one learnt, not from the defaults for a link never heard (a reconnect
   * would wait seconds for each SYNC over a remote link). */
  if (self->loader != NULL &&
      glint_link_timing_get_n_samples (glint_loader_get_timing (self->loader)) > 0)
    self->carried_rtt_us = glint_link_timing_get_srtt (glint_loader_get_timing (self->loader));
  if (self->loader != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->loader, on_loader_waiting_late_cb, self);
      g_signal_handlers_disconnect_by_func (self->loader, on_loader_text_cb, self);
    }
  g_clear_object (&self->loader);
}

GlintStream *
glint_flasher_get_stream (GlintFlasher *self)
{
  g_return_val_if_fail (GLINT_IS_FLASHER (self), NULL);

  return self->stream;
}

static void
drop_loader (GlintFlasher *self)
{
  if (self->loader != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->loader, on_loader_waiting_late_cb, self);
      g_signal_handlers_disconnect_by_func (self->loader, on_loader_text_cb, self);
    }
  g_clear_object (&self->loader);
  self->release_stream = FALSE;
}

/**
 * glint_flasher_release_stream:
 * @self: a #GlintFlasher
 *
 * Stops reading the stream (drops the loader) once no job runs, so that
 * something else may read it while the board runs its firmware: the
 * Improv Serial client, a serial monitor. Called from a job's callback,
 * it takes effect as the job winds up. The next job starts a new loader.
 */
void
glint_flasher_release_stream (GlintFlasher *self)
{
  g_return_if_fail (GLINT_IS_FLASHER (self));

  if (self->busy)
    self->release_stream = TRUE;
  else
    drop_loader (self);
}

/**
 * glint_flasher_close_stream:
 * @self: a #GlintFlasher
 *
 * Lets go of the port now: releases the stream as
 * glint_flasher_release_stream() does and closes it, so that another
 * stream opens the same port at once (a serial port is locked while it is
 * open, and dropping the flasher closes it only when the last reference
 * goes, after the job's callback). Call it once no job runs, or from the
 * callback of the job that just ended. The flasher keeps its results; it
 * runs no job again.
 */
void
glint_flasher_close_stream (GlintFlasher *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (GLINT_IS_FLASHER (self));

  glint_flasher_release_stream (self);
  if (self->stream == NULL || g_io_stream_is_closed (G_IO_STREAM (self->stream)))
    return;
  /* The loader's read, cancelled as it goes, may still be pending: the
   * input stream then refuses to close, which leaves the port released all
   * the same (the streams close their descriptor or socket regardless). */
  if (!g_io_stream_close (G_IO_STREAM (self->stream), NULL, &error))
    g_debug ("closing %s: %s", glint_stream_get_address (self->stream), error->message);
}

GlintFlasherState
glint_flasher_get_state (GlintFlasher *self)
{
  g_return_val_if_fail (GLINT_IS_FLASHER (self), GLINT_FLASHER_STATE_IDLE);

  return self->state;
}

gdouble
glint_flasher_get_fraction (GlintFlasher *self)
{
  g_return_val_if_fail (GLINT_IS_FLASHER (self), 0);

  if (self->bytes_total == 0)
    return 0;

  return MIN (1.0, (gdouble) self->bytes_done / self->bytes_total);
}

gdouble
glint_flasher_get_rate (GlintFlasher *self)
{
  gint64 elapsed;

  g_return_val_if_fail (GLINT_IS_FLASHER (self), 0);

  elapsed = g_get_monotonic_time () - self->transfer_started;
  if (self->transfer_started == 0 || elapsed <= 0)
    return 0;

  return self->bytes_done * 1e6 / elapsed;
}

gdouble
glint_flasher_get_eta (GlintFlasher *self)
{
  gdouble rate;

  g_return_val_if_fail (GLINT_IS_FLASHER (self), -1);

  rate = glint_flasher_get_rate (self);
  if (rate <= 0 || self->bytes_total < self->bytes_done)
    return -1;

  return (self->bytes_total - self->bytes_done) / rate;
}

const char *
glint_flasher_get_chip (GlintFlasher *self)
{
  g_return_val_if_fail (GLINT_IS_FLASHER (self), NULL);

  return self->chip != NULL ? self->chip->display_name : NULL;
}

/*
 * _glint_flasher_set_payload_cache:
 * @cache: (nullable): MD5 (hex) of a stretch of firmware → its compressed
 *   bytes, shared by flashers that write the same firmware
 *
 * Several boards flashed with one firmware compress the same bytes once
 * (zlib level 9: tens of milliseconds a MiB on the main context, for every
 * board). Keyed by content, so that a stretch patched for one chip never
 * meets another's compressed bytes.
 */
void
_glint_flasher_set_payload_cache (GlintFlasher *self,
                                  GHashTable   *cache)
{
  g_return_if_fail (GLINT_IS_FLASHER (self));

  if (cache != NULL)
    g_hash_table_ref (cache);
  g_clear_pointer (&self->payload_cache, g_hash_table_unref);
  self->payload_cache = cache;
}

/**
 * glint_flasher_dup_mac:
 *
 * The factory MAC address of the chip the last job detected, as
 * "24:0a:c4:…", for a board's line in a list of many.
 *
 * Returns: (transfer full) (nullable): the MAC, or %NULL where detection
 *   did not read it (no job yet, secure download mode)
 */
char *
glint_flasher_dup_mac (GlintFlasher *self)
{
  guint8 mac[6];

  g_return_val_if_fail (GLINT_IS_FLASHER (self), NULL);

  if (self->chip == NULL || !self->ident_known ||
      !glint_chip_decode_mac (self->chip, _glint_flasher_detected_mac_words (self), mac, NULL))
    return NULL;

  return g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
                          mac[5]);
}

/**
 * glint_flasher_set_options:
 * @options: what the jobs are to do
 *
 * Sets every job option at once, as the window and the CLI do. With the
 * automatic rate and @options->rates, the rate remembered for this
 * stream's address is tried first (glint_flasher_set_baud_hint()), and
 * the rate each job settles on is remembered there, by the one rule of
 * glint_flash_record_remember_baud().
 */
void
glint_flasher_set_options (GlintFlasher            *self,
                           const GlintFlashOptions *options)
{
  g_return_if_fail (GLINT_IS_FLASHER (self));
  g_return_if_fail (options != NULL);
  g_return_if_fail (options->timeout_scale > 0);

  glint_flasher_set_baud (self, options->baud);
  glint_flasher_set_use_stub (self, options->use_stub);
  glint_flasher_set_verify (self, options->verify);
  self->no_reboot = !options->reboot;
  glint_flasher_set_no_reset (self, options->no_reset);
  /* the chip's own USB-Serial/JTAG has its own reset (protocol.md §3.3) */
  self->usb_reset = !!options->usb_reset;
  self->classic_reset = !!options->classic_reset;
  glint_flasher_set_skip_unchanged (self, options->skip_unchanged);
  glint_flasher_set_erase_all (self, options->erase_all);
  glint_flasher_set_timeout_scale (self, options->timeout_scale);
  glint_flasher_set_backup_path (self, options->backup_path);
  glint_flasher_set_flash_record (self, options->record);
  g_set_object (&self->rates, options->rates);
  self->baud_hint = 0;
  if (options->rates != NULL && options->baud == GLINT_FLASHER_BAUD_AUTO)
    self->baud_hint = glint_flash_record_lookup_baud (options->rates,
                                                      glint_stream_get_address (self->stream));
}

/**
 * glint_flasher_set_baud_hint:
 * @baud: a rate that worked on this link before, 0 for none
 *
 * With %GLINT_FLASHER_BAUD_AUTO, only this rate is tried (verified, with
 * the same fall back), instead of climbing the list for the link. Keep
 * glint_flasher_get_settled_baud() per adapter or URL and give it back
 * here next time.
 */
void
glint_flasher_set_baud_hint (GlintFlasher *self,
                             guint         baud)
{
  g_return_if_fail (GLINT_IS_FLASHER (self));

  self->baud_hint = baud;
}

/**
 * glint_flasher_get_settled_baud:
 *
 * Returns: the rate the last job transferred at (with
 *   %GLINT_FLASHER_BAUD_AUTO, the fastest that worked; where the climb
 *   stopped early because a reflash had too little to send for a step to
 *   pay, the hint, as nothing new was learnt), 0 before any or if nothing
 *   is known
 */
guint
glint_flasher_get_settled_baud (GlintFlasher *self)
{
  g_return_val_if_fail (GLINT_IS_FLASHER (self), 0);

  return self->settled_baud;
}

/**
 * glint_flasher_set_no_reset:
 *
 * Don't touch DTR/RTS: the board is already in download mode.
 */
void
glint_flasher_set_no_reset (GlintFlasher *self,
                            gboolean      no_reset)
{
  g_return_if_fail (GLINT_IS_FLASHER (self));

  self->no_reset = !!no_reset;
}

/**
 * glint_flasher_set_timeout_scale:
 *
 * Multiplies every link allowance, for links worse than they measure.
 */
void
glint_flasher_set_timeout_scale (GlintFlasher *self,
                                 gdouble       scale)
{
  g_return_if_fail (GLINT_IS_FLASHER (self));
  g_return_if_fail (scale > 0);

  self->timeout_scale = scale;
  if (self->loader != NULL)
    glint_link_timing_set_scale (glint_loader_get_timing (self->loader), scale);
}

const char *
glint_flasher_state_to_string (GlintFlasherState state)
{
  GEnumClass *klass = g_type_class_ref (GLINT_TYPE_FLASHER_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);

  g_type_class_unref (klass);

  return value != NULL ? value->value_nick : "unknown";
}

void
_glint_flasher_set_state (GlintFlasher      *self,
                          GlintFlasherState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_chip (GlintFlasher    *self,
          const GlintChip *chip)
{
  if (self->chip == chip)
    return;

  self->chip = chip;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHIP]);
}

void
_glint_flasher_log (GlintFlasher  *self,
                    GlintLogLevel  level,
                    const char    *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_debug ("%s", message);
  g_signal_emit (self, signals[SIGNAL_LOG], 0, level, message);
}

/**
 * _glint_flasher_set_progress:
 *
 * Updates bytes-done/-total, fraction, rate and eta, notifying what changed.
 */
void
_glint_flasher_set_progress (GlintFlasher *self,
                             guint64       bytes_done,
                             guint64       bytes_total)
{
  gint64 now = g_get_monotonic_time ();

  if (bytes_done == 0)
    self->transfer_started = now;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->bytes_total != bytes_total)
    {
      self->bytes_total = bytes_total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_TOTAL]);
    }
  if (self->bytes_done != bytes_done)
    {
      self->bytes_done = bytes_done;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_DONE]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ETA]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * _glint_flasher_task_state:
 * @task: a job's task
 * @key: names the state
 * @size: its size; it starts zeroed
 * @free_func: frees it with the task
 *
 * State of one stage of a job (connecting, the automatic baud climb) that
 * lives as long as the task, created on first use.
 *
 * Returns: (transfer none): the state
 */
gpointer
_glint_flasher_task_state (GTask          *task,
                           const char     *key,
                           gsize           size,
                           GDestroyNotify  free_func)
{
  gpointer state = g_object_get_data (G_OBJECT (task), key);

  if (state == NULL)
    {
      state = g_malloc0 (size);
      g_object_set_data_full (G_OBJECT (task), key, state, free_func);
    }

  return state;
}

/**
 * _glint_flasher_job_is_over:
 *
 * Whether the job already failed or finished: answers and file writes
 * still in flight must then leave it alone. (g_task_had_error() is no use
 * here: it is TRUE as soon as the cancellable is, before the job noticed.)
 */
gboolean
_glint_flasher_job_is_over (GTask *task)
{
  return g_object_get_data (G_OBJECT (task), "glint-job-over") != NULL;
}

/* Ends the current job with an error; cancellation is not a failure. */
void
_glint_flasher_job_fail (GTask  *task,
                         GError *error)
{
  GlintFlasher *self = g_task_get_source_object (task);

  g_assert (!_glint_flasher_job_is_over (task));

  /* A lost link is something to come back from, once the job knows its
   * chip (glint-flasher-recover.c). */
  if (_glint_flasher_try_recover (task, error))
    return;

  /* what the job leaves behind goes first (a read's temporary file) */
  {
    GlintFlasherStep on_fail = (GlintFlasherStep) g_object_get_data (G_OBJECT (task),
                                                                     "glint-on-fail");

    if (on_fail != NULL)
      on_fail (task);
  }

  g_object_set_data (G_OBJECT (task), "glint-job-over", GINT_TO_POINTER (TRUE));
  self->busy = FALSE;
  self->job = NULL;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _glint_flasher_log (self, GLINT_LOG_INFO, _("cancelled"));
  else
    _glint_flasher_log (self, GLINT_LOG_ERROR, "%s", error->message);

  /* Which regions were written, verified, partly written or untouched. */
  if (g_task_get_source_tag (task) == glint_flasher_flash_async)
    _glint_flasher_flash_failed (self);

  _glint_flasher_set_state (self, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ?
                                  GLINT_FLASHER_STATE_CANCELLED : GLINT_FLASHER_STATE_FAILED);

  g_task_return_error (task, error);
  g_object_unref (task);
}

/* Ends the current job well; the result was set by the caller. The rate
 * the automatic baud settled on is remembered for the next job. */
void
_glint_flasher_job_done (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (self->rates != NULL && self->baud == GLINT_FLASHER_BAUD_AUTO &&
      !glint_flash_record_remember_baud (self->rates, glint_stream_get_address (self->stream),
                                         self->settled_baud, &error))
    /* Only a cache: failing to keep it costs a climb next time, no more. */
    _glint_flasher_log (self, GLINT_LOG_DEBUG, "not keeping the rate for %s: %s",
                        glint_stream_get_address (self->stream), error->message);

  g_object_set_data (G_OBJECT (task), "glint-job-over", GINT_TO_POINTER (TRUE));
  self->busy = FALSE;
  self->job = NULL;
  if (self->release_stream)
    drop_loader (self);
  _glint_flasher_set_state (self, GLINT_FLASHER_STATE_DONE);
  g_object_unref (task);
}

/* A job, or an error if one is already running (the result is then set). */
GTask *
_glint_flasher_job_new (GlintFlasher        *self,
                        gpointer             source_tag,
                        const char          *name,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);

  if (self->busy)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("the flasher is already busy with another job"));
      g_object_unref (task);
      return NULL;
    }

  self->busy = TRUE;
  self->job = task;
  g_string_truncate (self->chip_text, 0);
  self->link_dead = FALSE;
  self->chip_reset = FALSE;
  if (self->recoveries != 0)
    {
      self->recoveries = 0;
      _glint_flasher_notify_recoveries (self);
    }
  self->planned_known = FALSE;
  self->planned_bytes = 0;
  return task;
}

/* Connecting ------------------------------------------------------------------- */

static void connect_attempt (GTask *task);
static void connect_sync    (GTask *task);

static GlintResetStrategy
pick_reset (GlintFlasher *self,
            guint         attempt)
{
  if (self->no_reset || !glint_stream_get_can_control_lines (self->stream))
    return GLINT_RESET_NONE;

  if (self->usb_reset)
    return GLINT_RESET_USB_JTAG;

  /* The chip's own USB-Serial/JTAG has its own reset, as esptool takes by
   * default for it (protocol.md §3.3), in the window and the CLI alike. */
  {
    const GlintUsbIdentity *usb = glint_stream_get_usb_identity (self->stream);

    if (!self->classic_reset && usb != NULL && usb->vid == GLINT_USB_VID_ESPRESSIF &&
        usb->pid == GLINT_USB_PID_USB_SERIAL_JTAG)
      return GLINT_RESET_USB_JTAG;
  }

  /* Local POSIX ports alternate the tight and the classic sequence; remote
   * ones can only do the classic one (protocol.md §3.2). */
  if (!glint_stream_get_is_remote (self->stream) && attempt % 2 == 0)
    return GLINT_RESET_UNIX_TIGHT;

  return GLINT_RESET_CLASSIC;
}

/* Why nobody answered, from what the chip printed (protocol.md §3.2). */
static GError *
no_sync_error (GlintFlasher *self,
               const GError *last_error)
{
  g_autofree char *log = glint_loader_take_boot_log (self->loader);
  const char *why = last_error != NULL ? last_error->message : "no answer";

  if (strstr (log, "boot:") != NULL && strstr (log, "waiting for download") == NULL)
    return g_error_new (GLINT_ERROR, GLINT_ERROR_NO_SYNC,
                        _("wrong boot mode: the chip started its application instead of "
                        "waiting for download (%s)"), why);

  if (strstr (log, "waiting for download") != NULL)
    return g_error_new (GLINT_ERROR, GLINT_ERROR_NO_SYNC,
                        _("the chip is in download mode but does not answer: the serial TX "
                        "path seems to be down (%s)"), why);

  return g_error_new (GLINT_ERROR, GLINT_ERROR_NO_SYNC, _("no answer from the chip (%s)"), why);
}

/* Whether @error says the port itself went away. */
static gboolean
is_port_gone (const GError *error)
{
  return g_error_matches (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

/* A native-USB chip drops off the bus when reset into download mode and
 * comes back, often under another name, before it answered a SYNC: the
 * first connect looks for it by its USB identity, for some seconds, and
 * goes on there with a SYNC alone (it waits for download already). */
#define REFIND_POLL_MS 100
#define REFIND_POLLS   50

static void connect_start (GTask *task);
static gboolean connect_refind_cb (gpointer user_data);

static void
connect_refind_open_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  ConnectState *cs = connect_state (task);
  g_autoptr(GError) error = NULL;

  if (_glint_flasher_job_is_over (task))
    return;

  if (!glint_stream_open_finish (GLINT_STREAM (object), result, &error))
    {
      /* (just back, it may not open yet) */
      g_debug ("opening the port again: %s", error->message);
      if (++cs->refind_polls < REFIND_POLLS)
        {
          g_timeout_add (REFIND_POLL_MS, connect_refind_cb, g_object_ref (task));
          return;
        }
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }

  _glint_flasher_swap_stream (self, GLINT_STREAM (object));
  cs->refound = TRUE;
  cs->sync_alone = TRUE;
  connect_start (task);
}

static gboolean
connect_refind_cb (gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  ConnectState *cs = connect_state (task);
  const GlintUsbIdentity *identity = glint_stream_get_usb_identity (self->stream);
  g_autofree char *found = NULL;
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;

  if (_glint_flasher_job_is_over (task))
    return G_SOURCE_REMOVE;
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      _glint_flasher_job_fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                          _("cancelled")));
      return G_SOURCE_REMOVE;
    }

  found = glint_port_find_usb_identity (identity);
  if (found == NULL)
    {
      if (++cs->refind_polls < REFIND_POLLS)
        {
          g_timeout_add (REFIND_POLL_MS, connect_refind_cb, g_steal_pointer (&task));
          return G_SOURCE_REMOVE;
        }
      _glint_flasher_job_fail (task,
                               g_error_new (GLINT_ERROR, GLINT_ERROR_DISCONNECTED,
                                            _("the board went away while it was reset into "
                                              "download mode and did not come back within "
                                              "%u s (%s): plug it in again, or hold BOOT "
                                              "while it starts, and retry"),
                                            REFIND_POLLS * REFIND_POLL_MS / 1000,
                                            cs->last_error != NULL ? cs->last_error->message
                                                                   : "no port"));
      return G_SOURCE_REMOVE;
    }

  if (g_strcmp0 (found, glint_stream_get_address (self->stream)) != 0)
    _glint_flasher_log (self, GLINT_LOG_NOTICE, _("the board is back as %s"), found);
  stream = glint_stream_new_for_address (found, &error);
  if (stream == NULL)
    {
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return G_SOURCE_REMOVE;
    }
  cancellable = g_task_get_cancellable (task);
  glint_stream_open_async (stream, cancellable, connect_refind_open_cb, g_steal_pointer (&task));
  return G_SOURCE_REMOVE;
}

static void
connect_sync_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  ConnectState *cs = connect_state (task);
  g_autoptr(GError) error = NULL;
  guint32 value = 0;

  if (glint_loader_sync_finish (GLINT_LOADER (object), result, &value, &error))
    {
      g_autofree char *rtt = glint_link_timing_describe (glint_loader_get_timing (self->loader));

      /* A stub answers SYNC with 0 (protocol.md §3.1): one of ours that is
       * still running from an earlier job on this connection. */
      self->stub_running = value == 0;
      _glint_flasher_log (self, GLINT_LOG_INFO, _("connected (%s)"), rtt);
      cs->connected (task);
      return;
    }

  /* (when reconnecting, the recovery looks for it) */
  if (is_port_gone (error) && !cs->resync && !cs->refound &&
      glint_stream_get_usb_identity (self->stream) != NULL)
    {
      _glint_flasher_log (self, GLINT_LOG_INFO, _("the port went away while connecting (%s): "
                                                  "looking for the board again"),
                          error->message);
      g_clear_error (&cs->last_error);
      cs->last_error = g_steal_pointer (&error);
      cs->refind_polls = 0;
      g_timeout_add (REFIND_POLL_MS, connect_refind_cb, g_object_ref (task));
      return;
    }

  if (!g_error_matches (error, GLINT_ERROR, GLINT_ERROR_TIMEOUT) &&
      !g_error_matches (error, GLINT_ERROR, GLINT_ERROR_INVALID_RESPONSE))
    {
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }

  g_clear_error (&cs->last_error);
  cs->last_error = g_steal_pointer (&error);

  if (++cs->sync_try < SYNC_TRIES)
    {
      connect_sync (task);
      return;
    }

  /* Without reset lines, more attempts cannot change anything (but after
   * a SYNC alone when reconnecting, a reset may). */
  if (++cs->attempt < CONNECT_ATTEMPTS &&
      (cs->strategy != GLINT_RESET_NONE || pick_reset (self, cs->attempt) != GLINT_RESET_NONE))
    {
      connect_attempt (task);
      return;
    }

  _glint_flasher_job_fail (task, no_sync_error (self, cs->last_error));
}

static void
connect_sync (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);

  _glint_flasher_set_state (self, GLINT_FLASHER_STATE_SYNCING);
  glint_loader_sync_async (self->loader, g_task_get_cancellable (task), connect_sync_cb, task);
}

static void
connect_reset_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  ConnectState *cs = connect_state (task);
  g_autoptr(GError) error = NULL;

  if (!glint_loader_reset_finish (GLINT_LOADER (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          _glint_flasher_job_fail (task, g_steal_pointer (&error));
          return;
        }
      /* A pty or a server that ignores DTR/RTS: go on, the board may be
       * waiting already (as esptool does: "chip was NOT reset"). */
      if (!cs->warned_reset)
        _glint_flasher_log (self, GLINT_LOG_WARNING, _("the board was not reset: %s"),
                            error->message);
      cs->warned_reset = TRUE;
      cs->strategy = GLINT_RESET_NONE;
    }

  self->stub_running = FALSE;
  cs->sync_try = 0;
  connect_sync (task);
}

static void connect_attempt (GTask *task);

static void
connect_boot_baud_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!glint_stream_set_baud_finish (GLINT_STREAM (object), result, &error))
    {
      g_prefix_error (&error, _("going back to the boot rate: "));
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }

  connect_attempt (task);
}

static void
connect_attempt (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ConnectState *cs = connect_state (task);

  cs->strategy = (cs->resync && cs->attempt == 0) || cs->sync_alone
                   ? GLINT_RESET_NONE : pick_reset (self, cs->attempt);
  cs->sync_alone = FALSE;
  cs->sync_try = 0;

  if (cs->strategy == GLINT_RESET_NONE)
    {
      connect_sync (task);
      return;
    }

  /* A reset takes the chip back to its boot rate: so must we. */
  if (glint_stream_get_baud (self->stream) != self->boot_baud && self->boot_baud != 0)
    {
      glint_stream_set_baud_async (self->stream, self->boot_baud, g_task_get_cancellable (task),
                                   connect_boot_baud_cb, task);
      return;
    }

  _glint_flasher_set_state (self, GLINT_FLASHER_STATE_RESETTING);
  self->resets_sent++;
  _glint_flasher_log (self, GLINT_LOG_DEBUG, "reset into download mode (%s)",
                      cs->strategy == GLINT_RESET_UNIX_TIGHT ? "tight" :
                      cs->strategy == GLINT_RESET_USB_JTAG ? "USB-Serial/JTAG" : "classic");
  glint_loader_reset_async (self->loader, cs->strategy, g_task_get_cancellable (task),
                            connect_reset_cb, task);
}

static void
on_loader_waiting_late_cb (GlintLoader *loader,
                           guint        op,
                           gdouble      waited,
                           gpointer     user_data)
{
  GlintFlasher *self = user_data;
  g_autofree char *rtt = glint_link_timing_describe (glint_loader_get_timing (loader));

  _glint_flasher_log (self, GLINT_LOG_INFO,
                      _("no answer to %s after %.1f s; listening for a late one (%s)"),
                      glint_loader_op_name ((guint8) op), waited, rtt);
}

static void
connect_start (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);

  if (self->loader == NULL)
    {
      if (self->boot_baud == 0)
        self->boot_baud = glint_stream_get_baud (self->stream);
      self->loader = glint_loader_new (self->stream);
      glint_link_timing_set_scale (glint_loader_get_timing (self->loader), self->timeout_scale);
      if (self->carried_rtt_us >= 0)
        glint_link_timing_add_sample (glint_loader_get_timing (self->loader),
                                      self->carried_rtt_us);
      g_signal_connect_object (self->loader, "waiting-late",
                               G_CALLBACK (on_loader_waiting_late_cb), self, 0);
      g_signal_connect_object (self->loader, "text", G_CALLBACK (on_loader_text_cb), self, 0);
    }

  connect_attempt (task);
}

static void
connect_open_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!glint_stream_open_finish (GLINT_STREAM (object), result, &error))
    {
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }

  connect_start (task);
}

/**
 * _glint_flasher_connect:
 * @next: called once the chip answers
 *
 * Opens the stream if needed, resets the board into download mode and
 * syncs. Fails the job with the reason when nothing answers.
 */
void
_glint_flasher_connect (GTask            *task,
                        GlintFlasherStep  next)
{
  GlintFlasher *self = g_task_get_source_object (task);

  connect_state (task)->connected = next;
  self->flash_id_known = FALSE;   /* the board may have changed */
  _glint_flasher_set_state (self, GLINT_FLASHER_STATE_CONNECTING);
  _glint_flasher_log (self, GLINT_LOG_INFO, _("connecting to %s"),
                      glint_stream_get_address (self->stream));

  if (!glint_stream_get_is_open (self->stream))
    glint_stream_open_async (self->stream, g_task_get_cancellable (task), connect_open_cb, task);
  else
    connect_start (task);
}

/**
 * _glint_flasher_reconnect:
 * @reset_first: the chip is known to have reset: no SYNC alone first
 * @next: called once the chip answers again
 *
 * Connecting again within a job, after the link was lost: on the stream
 * the flasher has now (a new one, see _glint_flasher_swap_stream ()), a
 * SYNC alone first where the stub may still be running, then the resets
 * of a connect.
 */
void
_glint_flasher_reconnect (GTask            *task,
                          gboolean          reset_first,
                          GlintFlasherStep  next)
{
  ConnectState *cs = connect_state (task);

  cs->attempt = 0;
  cs->sync_try = 0;
  cs->warned_reset = FALSE;
  g_clear_error (&cs->last_error);
  cs->resync = !reset_first;
  _glint_flasher_connect (task, next);
}

/* Detecting --------------------------------------------------------------------- */

/* The chip is known: read what its eFuse says (package, revision, and on
 * the ESP32 its security state), its MAC words and UART divider, in one
 * batch, for every job (the flash job checks the revision, the info job
 * shows it all). Secure download mode refuses READ_REG: nothing to read. */
static gboolean detect_again (GTask        *task,
                              const GError *why);

static void
detect_ident_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree guint32 *values = NULL;
  g_autofree char *revision = NULL;
  guint n_efuse, n_mac;

  values = glint_loader_read_regs_finish (GLINT_LOADER (object), result, &error);
  if (values == NULL)
    {
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }

  glint_chip_get_efuse_registers (self->chip, &n_efuse);
  glint_chip_get_mac_registers (self->chip, &n_mac);
  /* The MAC words come twice (nothing checks a READ_REG's value word):
   * a MAC damaged on its way would be the one a reconnect must find
   * again, and another chip for it. */
  self->mac_confirmed = memcmp (values + n_efuse,
                                values + n_efuse + n_mac + (self->chip->uart_clkdiv_reg != 0),
                                n_mac * sizeof (guint32)) == 0;
  if (!self->mac_confirmed)
    {
      g_autoptr(GError) why = g_error_new_literal (GLINT_ERROR, GLINT_ERROR_INVALID_RESPONSE,
                                                   _("its MAC read differently twice"));

      if (detect_again (task, why))
        return;
      _glint_flasher_log (self, GLINT_LOG_WARNING,
                          _("the MAC read differently each time: after a lost link, the job "
                            "cannot tell whether the same chip answers"));
    }
  memcpy (self->detect_words, values,
          (n_efuse + n_mac + (self->chip->uart_clkdiv_reg != 0)) * sizeof (guint32));
  glint_chip_decode_ident (self->chip, values, &self->ident);
  self->ident_known = TRUE;
  if (self->ident.has_efuse_security)
    {
      self->security = self->ident.security;
      self->flash_crypt_cnt = self->ident.flash_crypt_cnt;
      self->security_known = TRUE;
    }

  revision = glint_chip_format_revision (self->ident.revision);
  if (revision != NULL)
    _glint_flasher_log (self, GLINT_LOG_NOTICE, _("chip is %s (revision %s)"),
                        self->ident.package, revision);
  else
    _glint_flasher_log (self, GLINT_LOG_NOTICE, _("chip is %s"), self->ident.package);

  connect_state (task)->detected (task);
}

static void detect_security_cb (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data);

static void
detect_chip_found (GTask           *task,
                   const GlintChip *chip)
{
  GlintFlasher *self = g_task_get_source_object (task);
  guint32 addresses[G_N_ELEMENTS (self->detect_words) + GLINT_CHIP_MAX_MAC_REGS];
  const guint32 *regs;
  guint n, n_mac;

  set_chip (self, chip);

  if (_glint_flasher_secure_download (self))
    {
      _glint_flasher_log (self, GLINT_LOG_NOTICE, _("chip is %s"), chip->display_name);
      _glint_flasher_log (self, GLINT_LOG_WARNING,
                          _("the chip is in secure download mode: its ROM refuses the flasher "
                            "stub, register reads, flash reads and MD5 checks, so Glint can "
                            "write but not verify, and cannot read the revision, MAC or "
                            "flash size"));
      connect_state (task)->detected (task);
      return;
    }

  regs = glint_chip_get_efuse_registers (chip, &n);
  memcpy (addresses, regs, n * sizeof (guint32));
  regs = glint_chip_get_mac_registers (chip, &n_mac);
  memcpy (addresses + n, regs, n_mac * sizeof (guint32));
  n += n_mac;
  if (chip->uart_clkdiv_reg != 0)
    addresses[n++] = chip->uart_clkdiv_reg;
  memcpy (addresses + n, regs, n_mac * sizeof (guint32));
  n += n_mac;

  glint_loader_read_regs_async (self->loader, addresses, n, g_task_get_cancellable (task),
                                detect_ident_cb, task);
}

static void
detect_send_security_info (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);

  glint_loader_get_security_info_async (self->loader, connect_state (task)->security_len,
                                        self->stub_running, g_task_get_cancellable (task),
                                        _glint_flasher_sent_cb,
                                        _glint_flasher_sent (task, detect_security_cb));
}

static void detect_start (GTask *task);

/* An answer that names no chip Glint knows may be line noise (nothing
 * checks a reply's value word): ask again before concluding. */
static gboolean
detect_again (GTask        *task,
              const GError *why)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ConnectState *cs = connect_state (task);

  if (++cs->detect_tries >= DETECT_TRIES)
    return FALSE;

  _glint_flasher_log (self, GLINT_LOG_INFO, _("could not make out the chip (%s): asking again"),
                      why->message);
  detect_start (task);
  return TRUE;
}

static void
detect_security_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  ConnectState *cs = connect_state (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  const GlintChip *chip;
  const guint8 *data;
  guint32 chip_id;

  reply = glint_loader_command_finish (GLINT_LOADER (object), result, NULL, &error);
  if (reply == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED))
        {
          _glint_flasher_job_fail (task, g_steal_pointer (&error));
          return;
        }
      /* The ESP32-S2's reply is 12 bytes: with the magic register refused
       * (secure download mode) the 20-byte question is asked first, as
       * esptool does. */
      if (cs->magic_refused && cs->security_len == 20)
        {
          cs->security_len = 12;
          detect_send_security_info (task);
          return;
        }
      if (cs->magic_chip != NULL)
        {
          detect_chip_found (task, cs->magic_chip);
          return;
        }
      /* An old ROM without the command: the magic value has the last word. */
      chip = cs->magic_refused ? NULL : glint_chip_from_magic (cs->magic);
      if (chip == NULL)
        {
          g_autoptr(GError) unknown = g_error_new (GLINT_ERROR, GLINT_ERROR_UNSUPPORTED_CHIP,
                                                   _("unknown chip (magic value 0x%08x; %s)"),
                                                   cs->magic, error->message);

          if (!detect_again (task, unknown))
            _glint_flasher_job_fail (task, g_steal_pointer (&unknown));
          return;
        }
      detect_chip_found (task, chip);
      return;
    }

  /* flags, then flash_crypt_cnt (protocol.md §4) */
  data = g_bytes_get_data (reply, NULL);
  self->security = glint_read_u32 (data);
  self->flash_crypt_cnt = data[4];
  self->security_known = TRUE;

  if (cs->magic_chip != NULL)
    {
      detect_chip_found (task, cs->magic_chip);
      return;
    }

  /* Only the ESP32-S2 answers without a chip id, and in secure download
   * mode it refuses the magic register too (esptool's detection). */
  if (cs->security_len == 12)
    {
      detect_chip_found (task, glint_chip_lookup ("esp32s2"));
      return;
    }

  chip_id = glint_read_u32 (data + 12);
  chip = glint_chip_from_security_info_id (chip_id);
  if (chip == NULL)
    {
      const char *what = glint_chip_describe_unsupported_id (chip_id);
      g_autoptr(GError) unknown = g_error_new (GLINT_ERROR, GLINT_ERROR_UNSUPPORTED_CHIP,
                                               _("unsupported chip id %u%s%s"), chip_id,
                                               what != NULL ? ": " : "",
                                               what != NULL ? what : "");

      if (!detect_again (task, unknown))
        _glint_flasher_job_fail (task, g_steal_pointer (&unknown));
      return;
    }

  detect_chip_found (task, chip);
}

static void
detect_magic_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  ConnectState *cs = connect_state (task);
  g_autoptr(GError) error = NULL;
  g_autofree guint32 *values = NULL;
  const GlintChip *chip;

  values = glint_loader_read_regs_finish (GLINT_LOADER (object), result, &error);
  if (values == NULL && g_error_matches (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED))
    {
      /* Secure download mode refuses READ_REG; GET_SECURITY_INFO is
       * allowed and names the chip (§4). */
      cs->magic_refused = TRUE;
      detect_send_security_info (task);
      return;
    }
  if (values == NULL)
    {
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }

  /* ESP8266, ESP32 and ESP32-S2 are known by their magic register, later
   * chips by GET_SECURITY_INFO's chip id (protocol.md §4); the S2 is
   * asked for its security state all the same. */
  cs->magic = values[0];
  chip = glint_chip_from_magic (cs->magic);
  if (chip != NULL && chip->uses_magic &&
      !glint_chip_rom_has (chip, GLINT_CHIP_ROM_GET_SECURITY_INFO))
    {
      detect_chip_found (task, chip);
      return;
    }
  if (chip != NULL && chip->uses_magic)
    {
      cs->magic_chip = chip;
      cs->security_len = 12;
    }

  detect_send_security_info (task);
}

/**
 * _glint_flasher_detect:
 * @next: called once #GlintFlasher:chip is known, and with it what the
 *   chip's eFuse and GET_SECURITY_INFO tell (the ident and security
 *   fields of #GlintFlasher)
 */
void
_glint_flasher_detect (GTask            *task,
                       GlintFlasherStep  next)
{
  ConnectState *cs = connect_state (task);

  cs->detected = next;
  cs->detect_tries = 0;
  detect_start (task);
}

static void
detect_start (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ConnectState *cs = connect_state (task);
  const guint32 magic_reg = GLINT_CHIP_DETECT_MAGIC_REG;

  cs->magic_chip = NULL;
  cs->magic_refused = FALSE;
  cs->security_len = 20;
  self->ident_known = FALSE;
  self->security_known = FALSE;
  self->security = 0;
  self->flash_crypt_cnt = 0;
  _glint_flasher_set_state (self, GLINT_FLASHER_STATE_DETECTING);
  glint_loader_read_regs_async (self->loader, &magic_reg, 1, g_task_get_cancellable (task),
                                detect_magic_cb, task);
}

/**
 * _glint_flasher_detected_mac_words:
 *
 * Returns: (transfer none): the MAC words detection read with the eFuse,
 *   in the order glint_chip_decode_mac() expects (only when #GlintFlasher
 *   ident_known)
 */
const guint32 *
_glint_flasher_detected_mac_words (GlintFlasher *self)
{
  guint n_efuse;

  g_assert (self->ident_known);
  glint_chip_get_efuse_registers (self->chip, &n_efuse);
  return self->detect_words + n_efuse;
}

/* Whether the port is the chip's own USB-OTG CDC (its ROM's, on the S2, S3
 * and P4: §5 notes), whose buffer takes smaller blocks (§5.3), as the USB
 * identity of the port says. */
gboolean
_glint_flasher_on_usb_otg (GlintFlasher *self)
{
  const GlintUsbIdentity *usb = glint_stream_get_usb_identity (self->stream);

  return self->chip != NULL && usb != NULL && glint_chip_is_usb_otg (self->chip, usb->vid, usb->pid);
}

/* The chip's major revision for glint_stub_find() */
guint
_glint_flasher_major_rev (GlintFlasher *self)
{
  if (!self->ident_known || self->ident.revision < 0)
    return GLINT_CHIP_REV_UNKNOWN;

  return (guint) self->ident.revision / 100;
}

/**
 * _glint_flasher_secure_download:
 *
 * Returns: whether the chip said it is in secure download mode
 */
gboolean
_glint_flasher_secure_download (GlintFlasher *self)
{
  return self->security_known && (self->security & GLINT_CHIP_SECURE_DOWNLOAD) != 0;
}

/* Commands, stub and speed, shared by the jobs ---------------------------------- */

typedef struct
{
  GTask               *task;       /* a reference: the answer may outlive the job */
  GAsyncReadyCallback  callback;
  guint                epoch;      /* sent before a reconnect: only collected */
} Sent;

/* Up to two commands of a job can be in flight (the stub's two receive
 * buffers, protocol.md §9). Once one of them failed the job is over, and
 * the other's answer must not touch it. */
void
_glint_flasher_sent_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  Sent *sent = user_data;
  g_autoptr(GTask) task = sent->task;

  if (!_glint_flasher_job_is_over (task) && sent->epoch == _glint_flasher_job_epoch (task))
    {
      sent->callback (object, result, task);
    }
  else
    {
      /* the job is over: only collect the answer */
      g_autoptr(GBytes) ignored = glint_loader_command_finish (GLINT_LOADER (object), result,
                                                               NULL, NULL);
    }
  g_free (sent);
}

/* The user data for a command of the job (a typed glint_loader_*_async()
 * call, with _glint_flasher_sent_cb() as its callback): @callback gets the
 * job's task, and is not called once the job is over. */
gpointer
_glint_flasher_sent (GTask               *task,
                     GAsyncReadyCallback  callback)
{
  Sent *sent = g_new0 (Sent, 1);

  sent->task = g_object_ref (task);
  sent->callback = callback;
  sent->epoch = _glint_flasher_job_epoch (task);
  return sent;
}

gboolean
_glint_flasher_finish_command (GTask         *task,
                               GAsyncResult  *result,
                               GBytes       **reply,
                               const char    *context,
                               ...)
{
  GlintFlasher *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = NULL;

  data = glint_loader_command_finish (self->loader, result, NULL, &error);
  if (data == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *prefix = NULL;
          va_list args;

          va_start (args, context);
          prefix = g_strdup_vprintf (context, args);
          va_end (args);
          g_prefix_error (&error, "%s: ", prefix);
        }
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return FALSE;
    }

  if (reply != NULL)
    *reply = g_steal_pointer (&data);

  return TRUE;
}

static void
baud_set_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!glint_stream_set_baud_finish (GLINT_STREAM (object), result, &error))
    {
      g_prefix_error (&error, _("switching our side to the new speed: "));
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }

  connect_state (task)->baud_changed (task);
}

static void
change_baud_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);

  /* The chip answered at the old speed and has switched (§5 notes). */
  if (!_glint_flasher_finish_command (task, result, NULL, _("changing the speed to %u baud"),
                                      self->baud))
    return;

  _glint_flasher_log (self, GLINT_LOG_INFO, _("running at %u baud"), self->baud);
  glint_stream_set_baud_async (self->stream, self->baud, g_task_get_cancellable (task),
                               baud_set_cb, task);
}

/* CHANGE_BAUDRATE to self->baud, the ROM's crystal known where it matters. */
static void
send_change_baud (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  guint current = glint_stream_get_baud (self->stream);
  gdouble xtal_mhz = self->stub_running ? 0 : _glint_flasher_rom_xtal_mhz (task);

  if (!self->stub_running && self->chip->xtal_fudge != GLINT_CHIP_XTAL_FUDGE_NONE &&
      xtal_mhz == 0)
    _glint_flasher_log (self, GLINT_LOG_WARNING, _("the %s ROM may not reach %u baud exactly: "
                        "its crystal correction cannot be read"), self->chip->display_name,
                        self->baud);

  _glint_flasher_set_state (self, GLINT_FLASHER_STATE_CHANGING_BAUD);
  glint_loader_change_baudrate_async (self->loader,
                                      glint_chip_baud_to_send (self->chip, self->baud, xtal_mhz,
                                                               self->stub_running),
                                      self->stub_running ? current : 0, self->stub_running,
                                      g_task_get_cancellable (task), _glint_flasher_sent_cb,
                                      _glint_flasher_sent (task, change_baud_cb));
}

/**
 * _glint_flasher_change_baud:
 * @next: called at the new speed, or at the old one where it cannot change
 */
void
_glint_flasher_change_baud (GTask            *task,
                            GlintFlasherStep  next)
{
  GlintFlasher *self = g_task_get_source_object (task);
  guint current = glint_stream_get_baud (self->stream);

  connect_state (task)->baud_changed = next;

  /* The automatic speed checks every step with a register read, which
   * secure download mode refuses. */
  if (self->baud == GLINT_FLASHER_BAUD_AUTO && _glint_flasher_secure_download (self))
    {
      _glint_flasher_log (self, GLINT_LOG_INFO, _("staying at %u baud: secure download mode "
                                                  "refuses the reads that check a faster speed"),
                          current);
      self->settled_baud = current;
      next (task);
      return;
    }

  if (self->baud == GLINT_FLASHER_BAUD_AUTO)
    {
      _glint_flasher_auto_baud (task, next);
      return;
    }

  self->settled_baud = self->baud != 0 ? self->baud : current;
  if (self->baud == 0 || self->baud == current)
    {
      connect_state (task)->baud_changed (task);
      return;
    }

  if (!self->stub_running && !glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_CHANGE_BAUDRATE))
    {
      _glint_flasher_log (self, GLINT_LOG_WARNING, _("the %s ROM cannot change speed: staying at "
                          "%u baud"), self->chip->display_name, current);
      self->settled_baud = current;
      connect_state (task)->baud_changed (task);
      return;
    }

  /* The ESP32, ESP32-C2 and ESP32-C5 ROMs: their crystal first (nothing
   * read for other chips, or with the stub). */
  _glint_flasher_read_rom_xtal (task, send_change_baud);
}

static void
stub_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  GlintStubUploadInfo info = { 0 };

  if (!glint_stub_upload_finish (self->loader, result, &info, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, _("starting the flasher stub: "));
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }

  self->stub_running = TRUE;
  /* esp-flasher-stub takes a READ_FLASH's acknowledgement sent with the
   * request; the legacy stub may not (protocol.md §9) */
  switch (glint_stub_get_layout (connect_state (task)->stub))
    {
    case GLINT_STUB_LAYOUT_V2:
    case GLINT_STUB_LAYOUT_FLAT:
      self->stub_acks_early = TRUE;
      break;
    case GLINT_STUB_LAYOUT_V1:
    case GLINT_STUB_LAYOUT_LEGACY:
    default:
      self->stub_acks_early = FALSE;
      break;
    }
  _glint_flasher_log (self, GLINT_LOG_INFO,
                      _("flasher stub running (%u bytes in %.1f s)"),
                      (guint) info.bytes, info.elapsed_us / 1e6);
  connect_state (task)->stub_ready (task);
}

static void
stub_upload (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  GlintStub *stub = connect_state (task)->stub;

  _glint_flasher_set_state (self, GLINT_FLASHER_STATE_LOADING_STUB);
  _glint_flasher_log (self, GLINT_LOG_INFO, _("loading the flasher stub: %s"),
                      glint_stub_get_description (stub));
  _glint_flasher_log (self, GLINT_LOG_DEBUG, "flasher stub file %s",
                      glint_stub_get_source_path (stub));
  glint_stub_upload_async (stub, self->loader, _glint_flasher_on_usb_otg (self),
                           g_task_get_cancellable (task), stub_cb, task);
}

/* The value of the magic register read at detection: the automatic
 * baud's check that a new rate carries data both ways. */
guint32
_glint_flasher_detected_magic (GTask *task)
{
  return connect_state (task)->magic;
}

/* With the chip's revision known where its stub depends on it. */
static void
find_stub (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStub) stub = NULL;
  gsize stub_bytes;

  stub = glint_stub_find (self->chip, _glint_flasher_major_rev (self), NULL, &error);
  if (stub == NULL)
    {
      _glint_flasher_log (self, GLINT_LOG_WARNING, _("%s (more slowly)"), error->message);
      connect_state (task)->stub_ready (task);
      return;
    }

  /* With the automatic baud, the upload itself may run faster. */
  stub_bytes = g_bytes_get_size (glint_stub_get_text (stub));
  if (glint_stub_get_data (stub) != NULL)
    stub_bytes += g_bytes_get_size (glint_stub_get_data (stub));
  g_clear_pointer (&connect_state (task)->stub, glint_stub_unref);
  connect_state (task)->stub = g_steal_pointer (&stub);
  _glint_flasher_auto_baud_rom (task, stub_bytes, stub_upload, connect_state (task)->stub_ready);
}

/**
 * _glint_flasher_start_stub:
 * @next: called with the stub running, or without it where there is none
 *   or none is wanted (#GlintFlasher:stub_running tells)
 */
void
_glint_flasher_start_stub (GTask            *task,
                           GlintFlasherStep  next)
{
  GlintFlasher *self = g_task_get_source_object (task);

  connect_state (task)->stub_ready = next;

  if (self->stub_running || self->no_stub)
    {
      if (self->no_stub && !self->stub_running)
        _glint_flasher_log (self, GLINT_LOG_INFO, _("using the ROM loader, as asked"));
      next (task);
      return;
    }

  /* secure download mode: the ROM refuses MEM_BEGIN (protocol.md §2) */
  if (_glint_flasher_secure_download (self))
    {
      _glint_flasher_log (self, GLINT_LOG_INFO, _("using the ROM loader: secure download mode "
                                                  "refuses the flasher stub"));
      next (task);
      return;
    }

  /* esptool's stub does not run on the first ESP32-C2 silicon (v0.0) */
  if (g_str_equal (self->chip->name, "esp32c2") && self->ident_known &&
      self->ident.revision == 0)
    {
      _glint_flasher_log (self, GLINT_LOG_INFO, _("using the ROM loader: the flasher stub does "
                                                  "not support the ESP32-C2 v0.0"));
      next (task);
      return;
    }

  /* the P4's stub depends on its revision, known since detection */
  find_stub (task);
}

/* SPI_ATTACH with the default pins (§2). */
void
_glint_flasher_send_attach (GTask               *task,
                            GAsyncReadyCallback  callback)
{
  GlintFlasher *self = g_task_get_source_object (task);

  glint_loader_spi_attach_async (self->loader, self->stub_running,
                                 g_task_get_cancellable (task), _glint_flasher_sent_cb,
                                 _glint_flasher_sent (task, callback));
}

static void
attach_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;

  if (!_glint_flasher_finish_command (task, result, NULL, _("attaching the SPI flash")))
    return;

  connect_state (task)->attached (task);
}

/**
 * _glint_flasher_attach_flash:
 * @next: called once the SPI flash is attached (at once on the ESP8266
 *   ROM, which has no such command and needs none, §2 notes)
 */
void
_glint_flasher_attach_flash (GTask            *task,
                             GlintFlasherStep  next)
{
  GlintFlasher *self = g_task_get_source_object (task);

  if (!self->stub_running && !glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_SPI_ATTACH))
    {
      next (task);
      return;
    }

  connect_state (task)->attached = next;
  _glint_flasher_send_attach (task, attach_cb);
}

/* Why a job that needs the stub runs without one, for its error. */
char *
_glint_flasher_describe_no_stub (GlintFlasher *self)
{
  if (self->no_stub)
    return g_strdup ("the flasher stub was turned off");

  return g_strdup_printf ("no flasher stub is installed: install esptool (or put its stubs "
                          "in %s/glint/stubs)", g_get_user_data_dir ());
}

/* Info ------------------------------------------------------------------------------ */

#define SPI_CMD_USR          (1u << 18)
#define SPI_USR_COMMAND      (1u << 31)
#define SPI_USR_MISO         (1u << 28)
#define SPI_FLASH_RDID       0x9F
#define FLASH_ID_POLLS       10

static void info_flash_id_poll (GTask *task);

static void
info_return (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  InfoJob *job = g_task_get_task_data (task);

  if (self->contents != NULL)
    job->info->contents = glint_board_contents_copy (self->contents);
  job->info->round_trips = glint_loader_get_round_trips (self->loader);
  job->info->link = glint_link_timing_describe (glint_loader_get_timing (self->loader));

  g_task_return_pointer (task, g_steal_pointer (&job->info),
                         (GDestroyNotify) glint_board_info_free);
  _glint_flasher_job_done (task);
}

/* What is on the board, when asked for (glint-flasher-contents.c). */
static void
info_finish (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);

  g_clear_pointer (&self->contents, glint_board_contents_free);
  if (!self->read_contents)
    {
      info_return (task);
      return;
    }
  _glint_flasher_read_contents (task, info_return);
}

static void
info_flash_restored_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  /* The id is known already; a failed restore only matters to later jobs,
   * which set the registers up again anyway. */
  reply = glint_loader_command_finish (GLINT_LOADER (object), result, NULL, &error);
  if (reply == NULL)
    _glint_flasher_log (self, GLINT_LOG_DEBUG, "restoring the SPI registers: %s", error->message);

  flash_id_read (task)->next (task);
}

static void
info_flash_poll_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  FlashIdRead *job = flash_id_read (task);
  const GlintChipSpiRegs *spi = &self->chip->spi;
  g_autoptr(GError) error = NULL;
  g_autofree guint32 *values = NULL;
  guint32 pairs[4];

  values = glint_loader_read_regs_finish (GLINT_LOADER (object), result, &error);
  if (values == NULL)
    {
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }

  /* Still busy: look again (esptool polls ten times). */
  if ((values[0] & SPI_CMD_USR) != 0 && ++job->polls < FLASH_ID_POLLS)
    {
      info_flash_id_poll (task);
      return;
    }

  self->flash_id = values[1] & 0xFFFFFF;
  self->flash_id_known = TRUE;
  self->detected_flash_size = glint_chip_flash_size_from_jedec (self->flash_id);
  if (glint_chip_jedec_is_no_flash (self->flash_id))
    _glint_flasher_log (self, GLINT_LOG_WARNING, _("the flash does not answer (id 0x%06x): check "
                        "the board's flash wiring or strapping"), self->flash_id);
  else
    _glint_flasher_log (self, GLINT_LOG_INFO, _("flash id 0x%06x, %u KiB"),
                        self->flash_id, (guint) (self->detected_flash_size / 1024));

  pairs[0] = spi->base + spi->usr;
  pairs[1] = job->saved_usr;
  pairs[2] = spi->base + spi->usr2;
  pairs[3] = job->saved_usr2;
  glint_loader_write_regs_async (self->loader, pairs, 2, self->stub_running,
                                 g_task_get_cancellable (task), _glint_flasher_sent_cb,
                                 _glint_flasher_sent (task, info_flash_restored_cb));
}

static void
info_flash_id_poll (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  const GlintChipSpiRegs *spi = &self->chip->spi;
  guint32 addresses[2] = { spi->base, spi->base + spi->w0 };

  glint_loader_read_regs_async (self->loader, addresses, 2, g_task_get_cancellable (task),
                                info_flash_poll_cb, task);
}

static void
info_flash_command_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GTask *task = user_data;

  if (!_glint_flasher_finish_command (task, result, NULL, _("reading the flash id")))
    return;

  info_flash_id_poll (task);
}

static void
info_flash_saved_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  FlashIdRead *job = flash_id_read (task);
  const GlintChipSpiRegs *spi = &self->chip->spi;
  g_autoptr(GError) error = NULL;
  g_autofree guint32 *values = NULL;
  guint32 pairs[10];

  values = glint_loader_read_regs_finish (GLINT_LOADER (object), result, &error);
  if (values == NULL)
    {
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }
  job->saved_usr = values[0];
  job->saved_usr2 = values[1];

  /* RDID with 24 bits to read, through the SPI peripheral's user command
   * registers, all in one WRITE_REG (protocol.md §5.2). */
  pairs[0] = spi->base + spi->miso_dlen;
  pairs[1] = 24 - 1;
  pairs[2] = spi->base + spi->usr;
  pairs[3] = SPI_USR_COMMAND | SPI_USR_MISO;
  pairs[4] = spi->base + spi->usr2;
  pairs[5] = (7u << 28) | SPI_FLASH_RDID;
  pairs[6] = spi->base + spi->w0;
  pairs[7] = 0;
  pairs[8] = spi->base;
  pairs[9] = SPI_CMD_USR;
  glint_loader_write_regs_async (self->loader, pairs, 5, self->stub_running,
                                 g_task_get_cancellable (task), _glint_flasher_sent_cb,
                                 _glint_flasher_sent (task, info_flash_command_cb));
}

/**
 * _glint_flasher_read_flash_id:
 * @next: called once #GlintFlasher:flash_id and detected_flash_size hold
 *   the flash chip's JEDEC id and size, or at once where the chip table
 *   knows no way to ask (flash_id_known stays %FALSE)
 *
 * Sends RDID through the SPI peripheral's user command registers and
 * puts them back as they were: three round trips and a poll.
 */
void
_glint_flasher_read_flash_id (GTask            *task,
                              GlintFlasherStep  next)
{
  GlintFlasher *self = g_task_get_source_object (task);
  const GlintChipSpiRegs *spi = &self->chip->spi;
  guint32 addresses[2] = { spi->base + spi->usr, spi->base + spi->usr2 };
  FlashIdRead *job = flash_id_read (task);

  job->next = next;
  job->polls = 0;
  if (spi->miso_dlen == 0 || !self->ident_known)
    {
      next (task);
      return;
    }

  glint_loader_read_regs_async (self->loader, addresses, 2, g_task_get_cancellable (task),
                                info_flash_saved_cb, task);
}

/**
 * _glint_flasher_check_flash_end:
 * @what: the job, as its errors begin ("erasing 0x2000 bytes at 0x3ff000")
 *
 * Where the board's flash id gave its size: whether @offset + @length
 * stays within it. Otherwise the chip would refuse the command with a
 * bare "input parameter invalid"; this says why before anything is sent.
 *
 * Returns: %FALSE with %GLINT_ERROR_INVALID_ARGUMENT where the region ends
 *   past the flash; %TRUE where it does not, or the size is unknown
 */
gboolean
_glint_flasher_check_flash_end (GlintFlasher  *self,
                                const char    *what,
                                guint32        offset,
                                guint32        length,
                                GError       **error)
{
  guint64 size = self->flash_id_known ? self->detected_flash_size : 0;
  g_autofree char *size_text = NULL;

  if (size == 0 || (guint64) offset + length <= size)
    return TRUE;

  size_text = size % (1024 * 1024) == 0 ?
              g_strdup_printf (_("%u MiB"), (guint) (size / (1024 * 1024))) :
              g_strdup_printf (_("%u KiB"), (guint) (size / 1024));
  g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
               /* TRANSLATORS: the job, its offset and length, the flash size
                * ("4 MiB"), that size in hex, and again */
               _("%s: 0x%x + 0x%x is past the end of the %s flash (0x%llx): give a region "
                 "that ends by 0x%llx"), what, offset, length, size_text,
               (unsigned long long) size, (unsigned long long) size);
  return FALSE;
}

static void
info_flash_read (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  InfoJob *job = g_task_get_task_data (task);

  if (self->flash_id_known)
    {
      job->info->flash_id = self->flash_id;
      job->info->flash_size = self->detected_flash_size;
    }
  info_finish (task);
}

/* Reads the flash chip's JEDEC id, where the chip table knows how. */
static void
info_flash_id (GTask *task)
{
  _glint_flasher_read_flash_id (task, info_flash_read);
}

/* What detection read: the eFuse ident, the MAC words and the UART
 * divider, all in one batch (detect_chip_found). */
static void
info_detected (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  InfoJob *job = g_task_get_task_data (task);
  GlintBoardInfo *info;
  g_autoptr(GError) error = NULL;
  g_autofree char *mac = NULL;
  guint n_efuse, n_mac;

  job->info = info = g_new0 (GlintBoardInfo, 1);
  info->chip = g_strdup (self->chip->name);
  info->chip_display_name = g_strdup (self->chip->display_name);
  info->revision = -1;
  info->security_known = self->security_known;
  info->security = self->security;
  info->flash_crypt_cnt = self->flash_crypt_cnt;

  /* secure download mode: no register reads, so no MAC, crystal or flash id */
  if (!self->ident_known)
    {
      info_finish (task);
      return;
    }

  info->package = g_strdup (self->ident.package);
  info->revision = self->ident.revision;
  info->features = g_strdupv ((char **) self->ident.features);

  glint_chip_get_efuse_registers (self->chip, &n_efuse);
  glint_chip_get_mac_registers (self->chip, &n_mac);
  if (!glint_chip_decode_mac (self->chip, _glint_flasher_detected_mac_words (self), info->mac,
                              &error))
    {
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }

  /* The divider tells the crystal where the ROM runs the UART from it and
   * esptool measures it (26 or 40 MHz on the ESP32 and C2, 48 on the C5);
   * the other chips have one fixed crystal that esptool only names. */
  if (self->chip->uart_clkdiv_reg != 0 &&
      (g_str_equal (self->chip->name, "esp32") || g_str_equal (self->chip->name, "esp32c2") ||
       g_str_equal (self->chip->name, "esp32c5")))
    info->crystal_mhz = glint_chip_estimate_xtal_mhz (self->chip,
                                                      self->detect_words[n_efuse + n_mac],
                                                      glint_stream_get_baud (self->stream));

  mac = glint_board_info_format_mac (info);
  _glint_flasher_log (self, GLINT_LOG_INFO, _("MAC %s"), mac);

  info_flash_id (task);
}

static void
info_connected (GTask *task)
{
  _glint_flasher_detect (task, info_detected);
}

/**
 * glint_flasher_info_async:
 *
 * Connects to the board and tells what it is: chip, package and revision,
 * features, MAC, crystal, flash and security state. Writes nothing; with
 * glint_flasher_set_read_contents () it reads what the flash holds, and
 * loads the flasher stub for that where it is sooner than the ROM.
 */
void
glint_flasher_info_async (GlintFlasher        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (GLINT_IS_FLASHER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = _glint_flasher_job_new (self, glint_flasher_info_async, "glint-flasher-info",
                                 cancellable, callback, user_data);
  if (task == NULL)
    return;

  g_task_set_task_data (task, g_new0 (InfoJob, 1), info_job_free);
  _glint_flasher_connect (task, info_connected);
}

/**
 * glint_flasher_info_finish:
 *
 * Returns: (transfer full): what the board is
 */
GlintBoardInfo *
glint_flasher_info_finish (GlintFlasher  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (GLINT_IS_FLASHER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
