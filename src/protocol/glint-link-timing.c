/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>

#include "glint-link-timing.h"
#include "glint-protocol.h"

/* The adaptive timeout policy (design.md "Loader and timeouts"). esptool
 * failed over rfc2217:// because its waits were fixed and sub-second
 * (SYNC 0.1 s, MEM_END 0.05/0.2 s; protocol.md §7, §7.1). Here every wait is
 *
 *   worst-case device work (op, size) + wire time (bytes, baud) + allowance
 *
 * and only the allowance depends on the link: it is TCP's retransmission
 * timeout (RFC 6298) computed from round trips the loader measures.
 *
 * Policy defaults and why:
 * - Before the first sample: 1 s locally, RFC 6298's initial RTO (§2.1);
 *   3 s remotely, pyserial's rfc2217 network timeout and esptool's
 *   DEFAULT_TIMEOUT (protocol.md §7, §10), so the first SYNC over a slow
 *   tunnel is not cut short.
 * - Margin: RFC 6298 uses SRTT + max (G, 4·RTTVAR). A steady link drives
 *   RTTVAR towards 0, which would leave no room for a single hiccup, so G is
 *   50 ms locally (a USB-serial bridge delivers in latency-timer chunks of up
 *   to 16 ms, and a busy desktop can deschedule us for tens of ms) and
 *   200 ms remotely (one lost TCP segment is resent no sooner than Linux's
 *   200 ms minimum RTO).
 * - Floor: 100 ms locally (the same scheduling and USB latency, with room to
 *   spare, still short enough that a dead local port is noticed quickly);
 *   500 ms remotely (internet paths and Wi-Fi hops jitter by hundreds of
 *   ms). The ceiling is 30 s: slower than that the link is unusable and the
 *   user should know, unless they raise it.
 * - The user scale (--timeout-scale) multiplies the clamped value; the
 *   override replaces it. */

#define MARGIN_LOCAL_US   (50 * 1000)
#define MARGIN_REMOTE_US  (200 * 1000)

/* protocol.md §7: esptool's constants, and each command's timing class,
 * are in glint-protocol.h */
#define DEFAULT_TIMEOUT_US  GLINT_PROTOCOL_DEFAULT_TIMEOUT_US
#define MAX_TIMEOUT_US      GLINT_PROTOCOL_MAX_TIMEOUT_US

struct _GlintLinkTiming
{
  gboolean is_remote;
  guint    n_samples;
  gdouble  srtt_us;
  gdouble  rttvar_us;
  gint64   floor_us;
  gint64   ceiling_us;
  gdouble  scale;
  gint64   override_us;     /* 0 = none */
};

G_DEFINE_BOXED_TYPE (GlintLinkTiming, glint_link_timing,
                     glint_link_timing_copy, glint_link_timing_free)

/**
 * glint_link_timing_new:
 * @is_remote: whether the stream crosses a network (socket://, rfc2217://)
 *
 * Returns: (transfer full): a new estimator with the policy defaults
 */
GlintLinkTiming *
glint_link_timing_new (gboolean is_remote)
{
  GlintLinkTiming *self = g_new0 (GlintLinkTiming, 1);

  self->is_remote = !!is_remote;
  self->floor_us = is_remote ? GLINT_LINK_TIMING_FLOOR_REMOTE_US : GLINT_LINK_TIMING_FLOOR_LOCAL_US;
  self->ceiling_us = GLINT_LINK_TIMING_CEILING_US;
  self->scale = 1.0;

  return self;
}

GlintLinkTiming *
glint_link_timing_copy (const GlintLinkTiming *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_memdup2 (self, sizeof *self);
}

void
glint_link_timing_free (GlintLinkTiming *self)
{
  g_free (self);
}

gboolean
glint_link_timing_is_remote (const GlintLinkTiming *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->is_remote;
}

/**
 * glint_link_timing_add_sample:
 * @self: an estimator
 * @rtt_us: one measured round trip of the link alone; negative counts as 0
 *
 * RFC 6298 §2.2/§2.3 with alpha = 1/8 and beta = 1/4. RTTVAR is updated
 * before SRTT, from the old SRTT, as the RFC requires.
 */
void
glint_link_timing_add_sample (GlintLinkTiming *self,
                              gint64           rtt_us)
{
  gdouble r;

  g_return_if_fail (self != NULL);

  r = MAX (rtt_us, 0);

  if (self->n_samples == 0)
    {
      self->srtt_us = r;
      self->rttvar_us = r / 2;
    }
  else
    {
      self->rttvar_us = 0.75 * self->rttvar_us + 0.25 * fabs (self->srtt_us - r);
      self->srtt_us = 0.875 * self->srtt_us + 0.125 * r;
    }

  if (self->n_samples < G_MAXUINT)
    self->n_samples++;
}

/**
 * glint_link_timing_sample_from:
 * @self: an estimator
 * @elapsed_us: time from the request's first byte written to the response's
 *   last byte read
 * @expected_processing_us: device work for the command
 *   (glint_link_timing_processing_time())
 * @wire_us: serial wire time of request and response
 *
 * Feeds what is left of @elapsed_us once the device's work and the UART's
 * bit time are taken out, so that the estimate tracks the link only: a slow
 * erase must not teach us that the network got slower. Only sample cheap
 * commands whose device work is negligible and predictable (SYNC, READ_REG,
 * WRITE_REG, SPI_ATTACH, GET_SECURITY_INFO): for flash work the processing
 * estimate is an upper bound, and subtracting it would hide the link.
 */
void
glint_link_timing_sample_from (GlintLinkTiming *self,
                               gint64           elapsed_us,
                               gint64           expected_processing_us,
                               gint64           wire_us)
{
  g_return_if_fail (self != NULL);

  glint_link_timing_add_sample (self, elapsed_us - expected_processing_us - wire_us);
}

gint64
glint_link_timing_get_srtt (const GlintLinkTiming *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return (gint64) llround (self->srtt_us);
}

gint64
glint_link_timing_get_rttvar (const GlintLinkTiming *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return (gint64) llround (self->rttvar_us);
}

guint
glint_link_timing_get_n_samples (const GlintLinkTiming *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_samples;
}

void
glint_link_timing_set_floor (GlintLinkTiming *self,
                             gint64           floor_us)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (floor_us >= 0);

  self->floor_us = floor_us;
}

gint64
glint_link_timing_get_floor (const GlintLinkTiming *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->floor_us;
}

void
glint_link_timing_set_ceiling (GlintLinkTiming *self,
                               gint64           ceiling_us)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (ceiling_us > 0);

  self->ceiling_us = ceiling_us;
}

gint64
glint_link_timing_get_ceiling (const GlintLinkTiming *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->ceiling_us;
}

/**
 * glint_link_timing_set_scale:
 * @self: an estimator
 * @scale: factor applied to the allowance (--timeout-scale), > 0
 */
void
glint_link_timing_set_scale (GlintLinkTiming *self,
                             gdouble          scale)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (scale > 0);

  self->scale = scale;
}

gdouble
glint_link_timing_get_scale (const GlintLinkTiming *self)
{
  g_return_val_if_fail (self != NULL, 1.0);

  return self->scale;
}

/**
 * glint_link_timing_set_override:
 * @self: an estimator
 * @allowance_us: fixed allowance chosen by the user; 0 or less clears it
 *
 * The override replaces the estimate, floor, ceiling and scale.
 */
void
glint_link_timing_set_override (GlintLinkTiming *self,
                                gint64           allowance_us)
{
  g_return_if_fail (self != NULL);

  self->override_us = MAX (allowance_us, 0);
}

gint64
glint_link_timing_get_override (const GlintLinkTiming *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->override_us;
}

/**
 * glint_link_timing_get_allowance:
 * @self: an estimator
 *
 * The link's share of any wait: the override if set; else, before the first
 * sample, the initial value, after it SRTT + max (G, 4·RTTVAR); clamped to
 * [floor, ceiling] (the floor wins if they cross) and multiplied by the
 * scale.
 *
 * Returns: microseconds
 */
gint64
glint_link_timing_get_allowance (const GlintLinkTiming *self)
{
  gdouble base;
  gdouble margin;

  g_return_val_if_fail (self != NULL, GLINT_LINK_TIMING_INITIAL_REMOTE_US);

  if (self->override_us > 0)
    return self->override_us;

  if (self->n_samples == 0)
    {
      base = self->is_remote ? GLINT_LINK_TIMING_INITIAL_REMOTE_US
                             : GLINT_LINK_TIMING_INITIAL_LOCAL_US;
    }
  else
    {
      margin = self->is_remote ? MARGIN_REMOTE_US : MARGIN_LOCAL_US;
      base = self->srtt_us + MAX (margin, 4 * self->rttvar_us);
    }

  base = MIN (base, (gdouble) self->ceiling_us);
  base = MAX (base, (gdouble) self->floor_us);

  return (gint64) llround (base * self->scale);
}

/**
 * glint_link_timing_wire_time:
 * @bytes: bytes on the wire
 * @baud: the UART's rate
 *
 * 8N1 framing: 10 bit times per byte. Rounded up.
 *
 * Returns: microseconds
 */
gint64
glint_link_timing_wire_time (gsize bytes,
                             guint baud)
{
  g_return_val_if_fail (baud > 0, 0);

  return (gint64) (((guint64) bytes * 10 * G_USEC_PER_SEC + baud - 1) / baud);
}

/**
 * glint_link_timing_frame_wire_bytes:
 * @data_len: length of the data field of a request or response
 *
 * Worst case: SLIP may escape every byte of the 8-byte header and the data
 * into two, plus the two END delimiters (protocol.md §1.1). Timeouts are upper
 * bounds, so they assume it.
 *
 * Returns: bytes on the wire at most
 */
gsize
glint_link_timing_frame_wire_bytes (gsize data_len)
{
  return 2 * (GLINT_PROTOCOL_HEADER_LEN + data_len) + 2;
}

/* esptool's timeout_per_mb(): scales with size, but never below
 * DEFAULT_TIMEOUT, because one sector or block erase takes a fixed time that
 * per-MB scaling of a small region underestimates. */
static gint64
per_mb (guint   s_per_mb,
        guint64 size)
{
  gint64 us = (gint64) (s_per_mb * size);   /* s/MB × bytes / 1e6 × 1e6 µs */

  return MAX (us, DEFAULT_TIMEOUT_US);
}

/**
 * glint_link_timing_processing_time:
 * @opcode: the command (protocol.md §2)
 * @work_size: bytes the device works on: erase size for FLASH_BEGIN and
 *   FLASH_DEFL_BEGIN (ROM: rounded up to the block size), uncompressed bytes
 *   of the block for the data commands, region size for ERASE_REGION and
 *   SPI_FLASH_MD5; 0 when there is no work
 * @is_stub: whether the stub is running
 *
 * Worst-case device work done *before* the reply, from esptool's per-MB
 * rules (protocol.md §7). These are upper bounds, not expectations: a timeout
 * only costs time when something is already wrong, and a 4 MiB ROM erase
 * really can take minutes. Results are capped at esptool's MAX_TIMEOUT
 * (240 s). Register access, SYNC and the like count as 0: the allowance
 * covers them. Each opcode's timing class is in glint-protocol.h.
 *
 * Returns: microseconds
 */
gint64
glint_link_timing_processing_time (guint8   opcode,
                                   gsize    work_size,
                                   gboolean is_stub)
{
  gint64 us = 0;

  switch (glint_protocol_timing_class (opcode))
    {
    case GLINT_TIMING_CHIP_ERASE:
      us = GLINT_PROTOCOL_CHIP_ERASE_US;
      break;

    case GLINT_TIMING_ERASE_PER_MB:
      us = per_mb (GLINT_PROTOCOL_ERASE_REGION_S_PER_MB, work_size);
      break;

    case GLINT_TIMING_ROM_ERASE_PER_MB:
      /* the ROM erases the whole region up front; the stub erases lazily
       * while writing, so its FLASH_BEGIN is quick (§6.3, §8.1). An
       * ESP8266 FLASH_BEGIN(0, 0) standing in for SPI_ATTACH erases
       * nothing. */
      if (!is_stub && work_size > 0)
        us = per_mb (GLINT_PROTOCOL_ERASE_REGION_S_PER_MB, work_size);
      break;

    case GLINT_TIMING_WRITE_PER_MB:
      /* the ROM writes (and reads back) the block before it answers; the
       * stub answers first, see glint_link_timing_deferred_time() */
      if (!is_stub && work_size > 0)
        us = per_mb (GLINT_PROTOCOL_ERASE_WRITE_S_PER_MB, work_size);
      break;

    case GLINT_TIMING_MD5_PER_MB:
      us = per_mb (GLINT_PROTOCOL_MD5_S_PER_MB, work_size);
      break;

    case GLINT_TIMING_MEM:
      us = GLINT_PROTOCOL_MEM_WORK_US;
      break;

    case GLINT_TIMING_NONE:
    default:
      break;
    }

  return MIN (us, MAX_TIMEOUT_US);
}

/**
 * glint_link_timing_deferred_time:
 * @opcode: the command just acknowledged
 * @work_size: uncompressed bytes of its block
 * @is_stub: whether the stub is running
 *
 * The stub acknowledges a data block as soon as its checksum is good and
 * only then inflates, erases and writes it, so that work delays the reply to
 * the *next* command (the next block, or FLASH(_DEFL)_END), and a write error
 * is reported there too (protocol.md §7, §9). Add the result to the next
 * command's glint_link_timing_timeout():
 *
 * |[<!-- language="C" -->
 * timeout = glint_link_timing_timeout (timing, op, len, work, baud, TRUE) + pending;
 * pending = glint_link_timing_deferred_time (op, work, TRUE);
 * ]|
 *
 * As esptool's _get_flash_defl_block_timeout(), the size is grown by one
 * 64 KiB block erase per 32 KiB inflate buffer, plus one. esptool applies
 * this to compressed blocks only; plain and encrypted stub writes get the
 * same bound here, as the stub also acks those early.
 *
 * Returns: microseconds; 0 for the ROM and for other commands
 */
gint64
glint_link_timing_deferred_time (guint8   opcode,
                                 gsize    work_size,
                                 gboolean is_stub)
{
  guint64 size;

  if (!is_stub || work_size == 0)
    return 0;

  if (glint_protocol_timing_class (opcode) != GLINT_TIMING_WRITE_PER_MB)
    return 0;

  size = work_size + ((work_size + 32 * 1024 - 1) / (32 * 1024) + 1) * 64 * 1024;

  return MIN (per_mb (GLINT_PROTOCOL_ERASE_WRITE_S_PER_MB, size), MAX_TIMEOUT_US);
}

/**
 * glint_link_timing_timeout:
 * @self: an estimator
 * @opcode: the command
 * @payload_size: length of the request's data field
 * @work_size: see glint_link_timing_processing_time()
 * @baud: the UART's rate
 * @is_stub: whether the stub is running
 *
 * How long to wait for the reply: worst-case device work, plus the wire
 * time of the request and of the reply (both escaped worst case), plus the
 * link allowance. For stub data blocks add the previous block's
 * glint_link_timing_deferred_time().
 *
 * Returns: microseconds
 */
gint64
glint_link_timing_timeout (const GlintLinkTiming *self,
                           guint8                 opcode,
                           gsize                  payload_size,
                           gsize                  work_size,
                           guint                  baud,
                           gboolean               is_stub)
{
  gsize wire_bytes;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (baud > 0, 0);

  wire_bytes = glint_link_timing_frame_wire_bytes (payload_size) +
               glint_link_timing_frame_wire_bytes (glint_protocol_response_len (opcode, is_stub) +
                                                   GLINT_PROTOCOL_STATUS_MAX_LEN);

  return glint_link_timing_processing_time (opcode, work_size, is_stub) +
         glint_link_timing_wire_time (wire_bytes, baud) +
         glint_link_timing_get_allowance (self);
}

/**
 * glint_link_timing_format_duration:
 * @us: microseconds
 *
 * Returns: (transfer full): "412 ms", "2.1 s" or "120 s"
 */
char *
glint_link_timing_format_duration (gint64 us)
{
  if (us < 0)
    us = 0;

  if (us < G_USEC_PER_SEC)
    return g_strdup_printf ("%" G_GINT64_FORMAT " ms", (us + 500) / 1000);
  if (us < 100 * G_USEC_PER_SEC)
    return g_strdup_printf ("%.1f s", us / 1e6);

  return g_strdup_printf ("%.0f s", us / 1e6);
}

/**
 * glint_link_timing_describe:
 * @self: an estimator
 *
 * For error messages: "timed out after 2.1 s waiting for READ_REG; link RTT
 * 412 ms ± 35 ms (12 samples)".
 *
 * Returns: (transfer full): "RTT 412 ms ± 35 ms (12 samples)", or "RTT not
 *   measured yet" before the first sample
 */
char *
glint_link_timing_describe (const GlintLinkTiming *self)
{
  g_autofree char *srtt = NULL;
  g_autofree char *rttvar = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->n_samples == 0)
    return g_strdup (_("RTT not measured yet"));

  srtt = glint_link_timing_format_duration (glint_link_timing_get_srtt (self));
  rttvar = glint_link_timing_format_duration (glint_link_timing_get_rttvar (self));

  /* Translators: the link's round trip time, "RTT 412 ms ± 35 ms (12 samples)" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "RTT %s ± %s (%u sample)",
                                       "RTT %s ± %s (%u samples)", self->n_samples),
                          srtt, rttvar, self->n_samples);
}
