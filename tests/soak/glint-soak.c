/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "glint-chip.h"
#include "glint-error.h"
#include "glint-flash-plan.h"
#include "glint-flasher.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-stream.h"
#include "glint-stream-address.h"
#include "glint-test-utils.h"

/*
 * Fault-injection soak: random flashes to the simulated board, each with
 * random faults on the link, over every stream kind (in-process sim://,
 * and glint-sim-server behind a pty, raw TCP and RFC 2217). Every run must
 *
 *  - end before its budget (computed from the image size, the baud rate
 *    and the injected latency, with a margin): otherwise it is a hang;
 *  - end in success only if the flash holds the image byte for byte, and
 *    nothing outside the erased sectors changed: otherwise a false success;
 *    the flash itself may fail as real chips do (a stuck bit, a sector
 *    that does not erase, a silently write-protected range, unstable reads,
 *    or a chip smaller than its id says, whose plan then has a second
 *    region the image's writes wrap onto), so that a success the final MD5
 *    did not earn shows up here;
 *  - come back from a lost link (the TCP connection dropped, the chip
 *    browned out) where it can, and fail at once where it cannot (a reset
 *    chip behind raw TCP);
 *  - fail, if it fails, with a specific GLINT_ERROR code (never
 *    GLINT_ERROR_FAILED, never another domain); nothing outside the erased
 *    sectors may change then either.
 *
 * Runs are derived from (seed, run number) alone, so `--seed S --run N`
 * replays one (the simulator's faults too; only thread timing differs).
 */

#define FLASH_SIZE    (4 * 1024 * 1024)
#define SECTOR        0x1000
#define MARGIN_US     (30 * G_USEC_PER_SEC)

typedef enum
{
  TRANSPORT_SIM,
  TRANSPORT_PTY,
  TRANSPORT_TCP,
  TRANSPORT_RFC2217,
  N_TRANSPORTS
} Transport;

static const char *transport_names[] = { "sim", "pty", "tcp", "rfc2217" };

typedef struct
{
  guint      run;
  Transport  transport;
  const char *chip;
  gboolean   use_stub;
  guint      baud;
  gsize      size;
  guint32    offset;
  guint32    sim_seed;
  gdouble    time_scale;
  gdouble    latency_ms;
  gdouble    jitter_ms;
  gdouble    drop;
  gdouble    corrupt;
  gdouble    duplicate;
  guint64    disconnect_after;
  guint64    brown_out_at;
  guint64    link_drop_after; /* tcp, rfc2217: the server drops the connection once */
  gdouble    lose_answers;    /* rfc2217: the server loses answers (--fault only) */
  gdouble    damage_answers;  /* ... or damages them */
  guint64    vanish_after;    /* pty: the port goes away once and comes back */
  gboolean   renumbered;      /* ... under a new name, found by its USB identity */
  gboolean   lose_baud_change;
  /* flash faults: addresses, or -1 for none */
  gint64     stuck_bit;
  guint      stuck_bit_n;
  gint64     no_erase;
  gint64     protect_start;
  gint64     protect_end;
  gdouble    unstable_reads;
  gsize      real_flash;      /* 0, or what the chip really has */
  guint32    alias_offset;    /* with real_flash: a second region, under the image */
  guint      record;          /* RECORD_*: what the flasher is told the board holds */
  gint64     budget_us;
} Run;

/* In-process runs may come with a record of what was written to the board:
 * a true one (the background), or a stale one that claims most of the
 * image is already there (it is not): the final check must catch that. */
enum
{
  RECORD_NONE,
  RECORD_TRUE,
  RECORD_STALE,
  N_RECORD_KINDS
};

static const char *record_names[] = { "none", "true", "stale" };

typedef enum
{
  OUTCOME_SUCCESS,
  OUTCOME_FAILURE,
  OUTCOME_FALSE_SUCCESS,
  OUTCOME_HANG,
  OUTCOME_BAD_ERROR,
  OUTCOME_DAMAGE,          /* bytes outside the plan's sectors changed */
  N_OUTCOMES
} Outcome;

static const char *outcome_names[] = {
  "success", "failure", "FALSE SUCCESS", "HANG", "UNSPECIFIC ERROR", "DAMAGE OUTSIDE PLAN",
};

static guint32 opt_seed;
static int opt_runs = 20;
static int opt_run = -1;
static gboolean opt_tap;
static gboolean opt_verbose;
static char *opt_transports;
static gdouble opt_budget_scale = 1.0;
static gboolean opt_no_faults;
static gboolean opt_flash_faults;
static gboolean opt_no_verify;
static gboolean opt_tamper;
static char *opt_fault;
static guint n_reconnected;      /* runs that lost their link and came back */

/* ------------------------------------------------------------------ */
/* choosing a run */

static gdouble
rand_log (GRand   *rand,
          gdouble  lo,
          gdouble  hi)
{
  return exp (g_rand_double_range (rand, log (lo), log (hi)));
}

static void
run_choose (Run     *r,
            guint32  seed,
            guint    n,
            gboolean allowed[N_TRANSPORTS])
{
  guint32 words[2] = { seed, n };
  g_autoptr(GRand) rand = g_rand_new_with_seed_array (words, 2);
  static const guint bauds[] = { 115200, 230400, 460800, 921600, 1500000 };
  const GlintChip *chips;
  guint n_chips = 0;
  guint n_faults;
  gsize wire_bytes;
  gdouble per_cmd_s;
  gdouble rtt_s;
  guint block;
  guint n_blocks;

  memset (r, 0, sizeof *r);
  r->run = n;
  r->stuck_bit = r->no_erase = r->protect_start = -1;

  /* half in-process (fast), half through the real stream code */
  do
    {
      guint pick = g_rand_int_range (rand, 0, 100);

      r->transport = pick < 50 ? TRANSPORT_SIM :
                     pick < 67 ? TRANSPORT_PTY :
                     pick < 84 ? TRANSPORT_TCP : TRANSPORT_RFC2217;
    }
  while (!allowed[r->transport]);
  /* (a port that vanishes is a local one) */
  if (g_strcmp0 (opt_fault, "pty-vanish") == 0)
    r->transport = TRANSPORT_PTY;

  chips = glint_chip_get_all (&n_chips);
  r->chip = chips[g_rand_int_range (rand, 0, n_chips)].name;
  r->use_stub = g_rand_boolean (rand);
  /* the ESP8266 ROM has no MD5: Glint refuses to flash it unverified */
  if (g_str_equal (r->chip, "esp8266"))
    r->use_stub = TRUE;
  r->baud = bauds[g_rand_int_range (rand, 0, G_N_ELEMENTS (bauds))];
  r->size = g_rand_int_range (rand, 4 * 1024, 128 * 1024 + 1);
  r->offset = g_rand_int_range (rand, 1, (FLASH_SIZE - r->size) / SECTOR) * SECTOR;
  r->sim_seed = g_rand_int (rand);
  /* mostly instant chip; now and then real flash timing at a fraction */
  r->time_scale = g_rand_int_range (rand, 0, 10) == 0 ? 0.02 : 0.0;

  /* Faults: none in one run out of eight, else one to three of them.
   * Byte fault rates aim at a handful of damaged bytes per run. */
  wire_bytes = r->size + 16 * 1024;
  n_faults = g_rand_int_range (rand, 0, 8) == 0 ? 0 : g_rand_int_range (rand, 1, 4);
  if (opt_no_faults)
    n_faults = 0;
  if (opt_flash_faults || opt_fault != NULL)
    n_faults = 1;
  for (guint i = 0; i < n_faults; i++)
    {
      guint kind = opt_flash_faults ? (guint) g_rand_int_range (rand, 8, 13) :
                                      (guint) g_rand_int_range (rand, 0, 14);

      if (g_strcmp0 (opt_fault, "link-drop") == 0)
        kind = 13;
      else if (g_strcmp0 (opt_fault, "brown-out") == 0)
        kind = 6;
      else if (g_strcmp0 (opt_fault, "disconnect") == 0)
        kind = 5;
      else if (g_strcmp0 (opt_fault, "answer-loss") == 0)
        kind = 14;
      else if (g_strcmp0 (opt_fault, "answer-damage") == 0)
        kind = 15;
      else if (g_strcmp0 (opt_fault, "pty-vanish") == 0)
        kind = 16;

      switch (kind)
        {
        case 0:
          r->drop = rand_log (rand, 0.5, 12) / wire_bytes;
          break;
        case 1:
          r->corrupt = rand_log (rand, 0.5, 12) / wire_bytes;
          break;
        case 2:
          r->duplicate = rand_log (rand, 0.5, 12) / wire_bytes;
          break;
        case 3:
          r->latency_ms = g_rand_double_range (rand, 1, 120);
          break;
        case 4:
          r->jitter_ms = g_rand_double_range (rand, 1, 40);
          break;
        case 5:
          r->disconnect_after = g_rand_int_range (rand, 200, (gint32) (r->size + 8192));
          break;
        case 6:
          r->brown_out_at = g_rand_int_range (rand, 1, (gint32) r->size);
          break;
        case 7:
          r->lose_baud_change = TRUE;
          break;
        case 8:
          r->stuck_bit = r->offset + g_rand_int_range (rand, 0, (gint32) r->size);
          r->stuck_bit_n = g_rand_int_range (rand, 0, 8);
          break;
        case 9:
          r->no_erase = (r->offset + g_rand_int_range (rand, 0, (gint32) r->size)) & ~(SECTOR - 1);
          break;
        case 10:
          r->protect_start = r->offset + g_rand_int_range (rand, 0, (gint32) r->size);
          r->protect_end = r->protect_start + g_rand_int_range (rand, 1, (gint32) r->size + 1);
          break;
        case 11:
          r->unstable_reads = g_rand_double_range (rand, 0.02, 0.5);
          break;
        case 12:
          /* the image lands on a second region below it */
          r->real_flash = g_rand_boolean (rand) ? 1024 * 1024 : 2 * 1024 * 1024;
          r->alias_offset = g_rand_int_range (rand, 0x10000 / SECTOR,
                                              (gint32) ((r->real_flash - r->size) / SECTOR)) *
                            SECTOR;
          r->offset = r->alias_offset + r->real_flash *
                      g_rand_int_range (rand, 1, (gint32) (FLASH_SIZE / r->real_flash));
          if (r->offset + r->size > FLASH_SIZE)
            r->offset -= r->real_flash;
          break;
        case 13:
          /* the connection drops, the chip runs on (behind a pty or
           * in-process there is no connection to drop: a brown-out) */
          if (r->transport == TRANSPORT_TCP || r->transport == TRANSPORT_RFC2217)
            r->link_drop_after = g_rand_int_range (rand, 200, (gint32) (r->size + 8192));
          else
            r->brown_out_at = g_rand_int_range (rand, 1, (gint32) r->size);
          break;
        case 14:
          /* 3 % of the answers lost, behind an RFC 2217 server */
          if (r->transport == TRANSPORT_RFC2217)
            r->lose_answers = 0.03;
          break;
        case 15:
          if (r->transport == TRANSPORT_RFC2217)
            r->damage_answers = 0.03;
          break;
        case 16:
          /* the port goes away mid-flash and comes back, half the time
           * under another name (a re-enumeration) */
          if (r->transport == TRANSPORT_PTY)
            {
              r->vanish_after = g_rand_int_range (rand, 200, (gint32) (r->size + 8192));
              r->renumbered = g_rand_boolean (rand);
            }
          break;
        default:
          g_assert_not_reached ();
        }
    }

  if (r->transport == TRANSPORT_SIM)
    r->record = g_rand_int_range (rand, 0, N_RECORD_KINDS);

  /* The budget: what the flasher itself may legitimately wait. Every
   * block can be sent up to four times, each wait being wire time + the
   * device's work (erase and write at 40 s/MiB, MD5 at 8 s/MiB, the
   * loader's own upper bounds) + a link allowance that starts at 1 s
   * (3 s remote) and follows the round trip; connecting (resets, SYNC
   * attempts, stub upload) gets 40 s. */
  block = r->use_stub ? 0x4000 : 0x400;
  n_blocks = (r->size + block - 1) / block;
  rtt_s = 2 * (r->latency_ms + r->jitter_ms) / 1000.0;
  per_cmd_s = MAX (3.0, 4 * rtt_s + 0.5) +
              (gdouble) block * 10 * 2 / 115200 +     /* at worst at the boot rate */
              (gdouble) block * 40 / (1024 * 1024);
  r->budget_us = (gint64) ((40.0 + 4 * n_blocks * per_cmd_s +
                            (gdouble) r->size * (40 + 40 + 8) / (1024 * 1024) +
                            4 * 20 * per_cmd_s) * G_USEC_PER_SEC) + MARGIN_US;
  /* the second region: written and verified too */
  if (r->real_flash > 0)
    r->budget_us *= 2;
}

static char *
run_describe (const Run *r)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "run %u: %s %s %s baud=%u size=%" G_GSIZE_FORMAT
                          " offset=0x%x",
                          r->run, transport_names[r->transport], r->chip,
                          r->use_stub ? "stub" : "rom", r->baud, r->size, r->offset);
  if (r->time_scale > 0)
    g_string_append_printf (s, " time-scale=%g", r->time_scale);
  if (r->latency_ms > 0)
    g_string_append_printf (s, " latency=%.0f", r->latency_ms);
  if (r->jitter_ms > 0)
    g_string_append_printf (s, " jitter=%.0f", r->jitter_ms);
  if (r->drop > 0)
    g_string_append_printf (s, " drop=%.2e", r->drop);
  if (r->corrupt > 0)
    g_string_append_printf (s, " corrupt=%.2e", r->corrupt);
  if (r->duplicate > 0)
    g_string_append_printf (s, " duplicate=%.2e", r->duplicate);
  if (r->disconnect_after > 0)
    g_string_append_printf (s, " disconnect-after=%" G_GUINT64_FORMAT, r->disconnect_after);
  if (r->brown_out_at > 0)
    g_string_append_printf (s, " brown-out-at=%" G_GUINT64_FORMAT, r->brown_out_at);
  if (r->link_drop_after > 0)
    g_string_append_printf (s, " link-drop-after=%" G_GUINT64_FORMAT, r->link_drop_after);
  if (r->lose_answers > 0)
    g_string_append_printf (s, " lose-answers=%g", r->lose_answers);
  if (r->damage_answers > 0)
    g_string_append_printf (s, " damage-answers=%g", r->damage_answers);
  if (r->vanish_after > 0)
    g_string_append_printf (s, " pty-vanish-after=%" G_GUINT64_FORMAT "%s", r->vanish_after,
                            r->renumbered ? " renumbered" : "");
  if (r->lose_baud_change)
    g_string_append (s, " lose-baud-change");
  if (r->stuck_bit >= 0)
    g_string_append_printf (s, " stuck-bit=0x%" G_GINT64_MODIFIER "x:%u", r->stuck_bit,
                            r->stuck_bit_n);
  if (r->no_erase >= 0)
    g_string_append_printf (s, " no-erase=0x%" G_GINT64_MODIFIER "x", r->no_erase);
  if (r->protect_start >= 0)
    g_string_append_printf (s, " write-protect=0x%" G_GINT64_MODIFIER "x-0x%" G_GINT64_MODIFIER
                            "x", r->protect_start, r->protect_end);
  if (r->unstable_reads > 0)
    g_string_append_printf (s, " unstable-reads=%.3f", r->unstable_reads);
  if (r->real_flash > 0)
    g_string_append_printf (s, " real-flash-size=%uM alias=0x%x",
                            (guint) (r->real_flash >> 20), r->alias_offset);
  if (r->record != RECORD_NONE)
    g_string_append_printf (s, " record=%s", record_names[r->record]);

  return g_string_free (s, FALSE);
}

static char *
run_sim_options (const Run *r)
{
  GString *s = g_string_new (NULL);

  /* no reset lines through a pty or raw TCP: the board waits in download
   * mode there; elsewhere the flasher resets it with DTR/RTS */
  g_string_append_printf (s, "boot=%s&time-scale=%g&seed=%u&flash-size=4M",
                          r->transport == TRANSPORT_PTY || r->transport == TRANSPORT_TCP ?
                          "download" : "normal", r->time_scale, r->sim_seed);
  if (r->latency_ms > 0)
    g_string_append_printf (s, "&latency=%.3f", r->latency_ms);
  if (r->jitter_ms > 0)
    g_string_append_printf (s, "&jitter=%.3f", r->jitter_ms);
  if (r->drop > 0)
    g_string_append_printf (s, "&drop=%.9f", r->drop);
  if (r->corrupt > 0)
    g_string_append_printf (s, "&corrupt=%.9f", r->corrupt);
  if (r->duplicate > 0)
    g_string_append_printf (s, "&duplicate=%.9f", r->duplicate);
  if (r->disconnect_after > 0)
    g_string_append_printf (s, "&disconnect-after=%" G_GUINT64_FORMAT, r->disconnect_after);
  if (r->brown_out_at > 0)
    g_string_append_printf (s, "&brown-out-at=%" G_GUINT64_FORMAT, r->brown_out_at);
  if (r->lose_baud_change)
    g_string_append (s, "&lose-baud-change=on");
  if (r->stuck_bit >= 0)
    g_string_append_printf (s, "&stuck-bit=%" G_GINT64_FORMAT ":%u", r->stuck_bit, r->stuck_bit_n);
  if (r->no_erase >= 0)
    g_string_append_printf (s, "&no-erase=%" G_GINT64_FORMAT, r->no_erase);
  if (r->protect_start >= 0)
    g_string_append_printf (s, "&write-protect=%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT,
                            r->protect_start, r->protect_end);
  if (r->unstable_reads > 0)
    g_string_append_printf (s, "&unstable-reads=%.6f", r->unstable_reads);
  if (r->real_flash > 0)
    g_string_append_printf (s, "&real-flash-size=%uM", (guint) (r->real_flash >> 20));

  return g_string_free (s, FALSE);
}

/* ------------------------------------------------------------------ */
/* one run */

static GBytes *
make_bytes (guint32 seed,
            guint   tag,
            gsize   size,
            gboolean image)
{
  guint32 words[2] = { seed, tag };
  g_autoptr(GRand) rand = g_rand_new_with_seed_array (words, 2);
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    {
      /* stretches of noise and of tables, so that compression has work */
      if (!image || (i / 2048) % 3 != 0)
        data[i] = (guint8) g_rand_int (rand);
      else
        data[i] = (guint8) (i * 7 / 13);
    }

  /* never an image header: the flasher may legitimately patch those */
  if (image && data[0] == 0xE9)
    data[0] = 0x00;

  return g_bytes_new_take (data, size);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
spawn_server (const Run   *r,
              const char  *dir,
              const char  *flash_path,
              GSubprocess **server,
              char        **address,
              GError      **error)
{
  const char *path = g_getenv ("GLINT_SIM_SERVER");
  g_autofree char *options = run_sim_options (r);
  g_autofree char *link_path = g_build_filename (dir, "board", NULL);
  g_autoptr(GDataInputStream) data = NULL;
  g_autofree char *line = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *drop_after = g_strdup_printf ("%" G_GUINT64_FORMAT, r->link_drop_after);
  g_autofree char *lose = g_strdup_printf ("%g", r->lose_answers);
  g_autofree char *damage = g_strdup_printf ("%g", r->damage_answers);
  g_autofree char *vanish = g_strdup_printf ("%" G_GUINT64_FORMAT, r->vanish_after);

  if (path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "GLINT_SIM_SERVER is not set");
      return FALSE;
    }

  g_ptr_array_add (argv, (gpointer) path);
  switch (r->transport)
    {
    case TRANSPORT_PTY:
      g_ptr_array_add (argv, "--pty");
      if (r->renumbered)
        {
          /* a new pty when it comes back; its USB identity (a CP2102) in
           * the run's folder, which is GLINT_PORTS_DIR for the run */
          g_ptr_array_add (argv, "--ports-dir");
          g_ptr_array_add (argv, (gpointer) dir);
          g_ptr_array_add (argv, "--usb");
          g_ptr_array_add (argv, "10c4:ea60:SOAK");
        }
      else
        {
          g_ptr_array_add (argv, "--link");
          g_ptr_array_add (argv, link_path);
        }
      if (r->vanish_after > 0)
        {
          g_ptr_array_add (argv, "--vanish-after");
          g_ptr_array_add (argv, vanish);
        }
      break;
    case TRANSPORT_TCP:
      g_ptr_array_add (argv, "--tcp");
      g_ptr_array_add (argv, "0");
      break;
    case TRANSPORT_RFC2217:
      g_ptr_array_add (argv, "--rfc2217");
      g_ptr_array_add (argv, "0");
      break;
    default:
      g_assert_not_reached ();
    }
  if (r->link_drop_after > 0)
    {
      g_ptr_array_add (argv, "--drop-after");
      g_ptr_array_add (argv, drop_after);
    }
  if (r->lose_answers > 0)
    {
      g_ptr_array_add (argv, "--lose-answers");
      g_ptr_array_add (argv, lose);
    }
  if (r->damage_answers > 0)
    {
      g_ptr_array_add (argv, "--damage-answers");
      g_ptr_array_add (argv, damage);
    }
  g_ptr_array_add (argv, "--chip");
  g_ptr_array_add (argv, (gpointer) r->chip);
  g_ptr_array_add (argv, "--flash");
  g_ptr_array_add (argv, (gpointer) flash_path);
  g_ptr_array_add (argv, "--options");
  g_ptr_array_add (argv, options);
  g_ptr_array_add (argv, NULL);

  *server = g_subprocess_newv ((const char *const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE, error);
  if (*server == NULL)
    return FALSE;

  data = g_data_input_stream_new (g_subprocess_get_stdout_pipe (*server));
  line = g_data_input_stream_read_line (data, NULL, NULL, error);
  if (line == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     "glint-sim-server exited without announcing where it listens");
      return FALSE;
    }

  words = g_strsplit (line, " ", -1);
  if (r->transport == TRANSPORT_PTY)
    *address = g_strdup (words[1]);
  else if (r->transport == TRANSPORT_TCP)
    *address = g_strdup_printf ("socket://%s:%s", words[1], words[2]);
  else
    *address = g_strdup_printf ("rfc2217://%s:%s?ign_set_control", words[1], words[2]);

  return TRUE;
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the flash; returns FALSE on a hang. */
static gboolean
run_flash (const Run         *r,
           GlintStream       *stream,
           GBytes            *image,
           GBytes            *alias,
           GlintFlashRecord  *record,
           GError           **error)
{
  g_autoptr(GlintFlasher) flasher = glint_flasher_new (stream);
  g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  gint64 deadline = g_get_monotonic_time () + (gint64) (r->budget_us * opt_budget_scale);
  gboolean hang = FALSE;
  guint tick;

  if (alias != NULL)
    glint_flash_plan_add_bytes (plan, r->alias_offset, alias, "storage");
  glint_flash_plan_add_bytes (plan, r->offset, image, "app");
  glint_flasher_set_plan (flasher, plan);
  glint_flasher_set_verify (flasher, !opt_no_verify);
  glint_flasher_set_baud (flasher, r->baud);
  glint_flasher_set_use_stub (flasher, r->use_stub);
  glint_flasher_set_flash_record (flasher, record);

  glint_flasher_flash_async (flasher, cancellable, store_result_cb, &result);
  /* wakes the loop now and then, so that the deadline is seen */
  tick = g_timeout_add (100, tick_cb, NULL);
  while (result == NULL)
    {
      if (!hang && g_get_monotonic_time () > deadline)
        {
          /* a hang; cancel so that the soak can go on */
          hang = TRUE;
          g_cancellable_cancel (cancellable);
          deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
        }
      else if (hang && g_get_monotonic_time () > deadline)
        g_error ("%s", "run ignores cancellation after a hang; giving up");

      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);

  if (glint_flasher_get_recoveries (flasher) > 0)
    n_reconnected++;
  if (glint_flasher_flash_finish (flasher, result, error) && hang)
    g_clear_error (error);

  return !hang;
}

static Outcome
run_one (const Run  *r,
         char      **detail)
{
  g_autoptr(GBytes) image = make_bytes (r->sim_seed, 1, r->size, TRUE);
  g_autoptr(GBytes) background = make_bytes (r->sim_seed, 2, FLASH_SIZE, FALSE);
  g_autoptr(GBytes) alias = NULL;
  g_autoptr(GlintStream) stream = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) flash_error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *record_dir = NULL;
  g_autoptr(GlintFlashRecord) record = NULL;
  g_autofree char *flash_path = NULL;
  g_autofree char *address = NULL;
  g_autofree guint8 *after = NULL;
  const guint8 *bg = g_bytes_get_data (background, NULL);
  const guint8 *img = g_bytes_get_data (image, NULL);
  gsize after_len = 0;
  gboolean ended;
  gboolean ok;
  gsize window = r->real_flash > 0 ? r->real_flash : FLASH_SIZE;
  guint32 erase_start;
  guint32 erase_end;

  /* A chip smaller than its id says shows the same cells at every
   * multiple of its size: so does its background.  The plan's second
   * region is what those cells hold under the image. */
  if (r->real_flash > 0)
    {
      guint8 *periodic = g_malloc (FLASH_SIZE);

      for (gsize at = 0; at < FLASH_SIZE; at += window)
        memcpy (periodic + at, bg, window);
      g_bytes_unref (background);
      background = g_bytes_new_take (periodic, FLASH_SIZE);
      bg = g_bytes_get_data (background, NULL);
      alias = g_bytes_new (bg + r->alias_offset, r->size);
    }

  if (r->transport == TRANSPORT_SIM)
    {
      g_autofree char *options = run_sim_options (r);
      GlintSim *sim;

      address = g_strdup_printf ("sim://%s?%s", r->chip, options);
      stream = glint_stream_new_for_address (address, &error);
      g_assert_no_error (error);
      sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream));
      glint_sim_load_flash (sim, 0, bg, FLASH_SIZE);

      if (r->record != RECORD_NONE)
        {
          g_autofree char *board = glint_flash_record_board_id (r->chip, glint_sim_get_mac (sim));
          g_autoptr(GBytes) claim = NULL;

          if (r->record == RECORD_TRUE)
            {
              claim = g_bytes_new (bg + r->offset, r->size);
            }
          else
            {
              guint8 *stale = g_memdup2 (img, r->size);

              /* every third sector differs from the image; the rest is
               * claimed to be there already */
              for (gsize at = 0; at < r->size; at += 3 * SECTOR)
                stale[at] ^= 0xFF;
              claim = g_bytes_new_take (stale, r->size);
            }
          record_dir = g_dir_make_tmp ("glint-soak-record-XXXXXX", &error);
          g_assert_no_error (error);
          record = glint_flash_record_new (record_dir);
          glint_flash_record_remember (record, board, r->offset, claim);
        }
    }
  else
    {
      dir = g_dir_make_tmp ("glint-soak-XXXXXX", &error);
      g_assert_no_error (error);
      flash_path = g_build_filename (dir, "flash.bin", NULL);
      g_file_set_contents (flash_path, (const char *) bg, FLASH_SIZE, &error);
      g_assert_no_error (error);
      if (r->renumbered)
        g_setenv ("GLINT_PORTS_DIR", dir, TRUE);
      if (!spawn_server (r, dir, flash_path, &server, &address, &error))
        g_error ("starting glint-sim-server: %s", error->message);
      stream = glint_stream_new_for_address (address, &error);
      g_assert_no_error (error);
    }

  ended = run_flash (r, stream, image, alias, record, &flash_error);
  if (record_dir != NULL)
    glint_test_remove_dir (record_dir);
  ok = ended && flash_error == NULL;
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
  g_unsetenv ("GLINT_PORTS_DIR");

  /* what the chip holds now */
  if (r->transport == TRANSPORT_SIM)
    {
      GlintSim *sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (stream));
      const guint8 *flash = glint_sim_get_flash (sim, &after_len);

      after = g_memdup2 (flash, after_len);
    }
  else
    {
      char *contents = NULL;

      glint_test_stop_subprocess (server);
      g_file_get_contents (flash_path, &contents, &after_len, &error);
      g_assert_no_error (error);
      after = (guint8 *) contents;
      glint_test_remove_dir (dir);
    }
  g_assert_cmpuint (after_len, ==, FLASH_SIZE);
  if (opt_tamper && ok)
    after[r->offset + r->size / 2] ^= 0x01;

  if (!ended)
    {
      *detail = g_strdup_printf ("no end after %.1f s", r->budget_us * opt_budget_scale / 1e6);
      return OUTCOME_HANG;
    }

  /* Nothing outside the sectors the plan covers may change, whatever
   * the outcome (on a chip that wraps: outside the cells behind them). */
  erase_start = r->offset % window;
  erase_end = (erase_start + r->size + SECTOR - 1) / SECTOR * SECTOR;
  if (memcmp (after, bg, erase_start) != 0 ||
      memcmp (after + erase_end, bg + erase_end, window - erase_end) != 0)
    {
      *detail = g_strdup ("flash changed outside the plan's sectors");
      return OUTCOME_DAMAGE;
    }

  if (ok)
    {
      if (alias != NULL && memcmp (after + r->alias_offset, bg + r->alias_offset, r->size) != 0)
        {
          *detail = g_strdup_printf ("reported success, but the region at 0x%x holds what was "
                                     "written at 0x%x", r->alias_offset, r->offset);
          return OUTCOME_FALSE_SUCCESS;
        }
      if (memcmp (after + r->offset, img, r->size) != 0)
        {
          gsize i = 0;

          while (after[r->offset + i] == img[i])
            i++;
          *detail = g_strdup_printf ("reported success, but flash differs at 0x%" G_GSIZE_MODIFIER
                                     "x", r->offset + i);
          return OUTCOME_FALSE_SUCCESS;
        }
      *detail = g_strdup ("verified");
      return OUTCOME_SUCCESS;
    }

  *detail = g_strdup_printf ("%s %d: %s", g_quark_to_string (flash_error->domain),
                             flash_error->code, flash_error->message);
  if (flash_error->domain != GLINT_ERROR || flash_error->code == GLINT_ERROR_FAILED)
    return OUTCOME_BAD_ERROR;

  g_free (*detail);
  *detail = g_strdup_printf ("%d: %s", flash_error->code, flash_error->message);
  return OUTCOME_FAILURE;
}

/* ------------------------------------------------------------------ */

static const char *
error_code_name (int code)
{
  /* by name, so that a code added anywhere in the enum cannot shift them */
  static const char *names[] = {
    [GLINT_ERROR_FAILED] = "FAILED",
    [GLINT_ERROR_TIMEOUT] = "TIMEOUT",
    [GLINT_ERROR_NO_SYNC] = "NO_SYNC",
    [GLINT_ERROR_INVALID_RESPONSE] = "INVALID_RESPONSE",
    [GLINT_ERROR_UNSUPPORTED_CHIP] = "UNSUPPORTED_CHIP",
    [GLINT_ERROR_IMAGE_TOO_LARGE] = "IMAGE_TOO_LARGE",
    [GLINT_ERROR_CHECKSUM_MISMATCH] = "CHECKSUM_MISMATCH",
    [GLINT_ERROR_PORT_BUSY] = "PORT_BUSY",
    [GLINT_ERROR_PERMISSION_DENIED] = "PERMISSION_DENIED",
    [GLINT_ERROR_INVALID_ADDRESS] = "INVALID_ADDRESS",
    [GLINT_ERROR_PORT_NOT_FOUND] = "PORT_NOT_FOUND",
    [GLINT_ERROR_CONNECTION_FAILED] = "CONNECTION_FAILED",
    [GLINT_ERROR_DISCONNECTED] = "DISCONNECTED",
    [GLINT_ERROR_NOT_SUPPORTED] = "NOT_SUPPORTED",
    [GLINT_ERROR_PROTOCOL] = "PROTOCOL",
    [GLINT_ERROR_INVALID_ARGUMENT] = "INVALID_ARGUMENT",
    [GLINT_ERROR_INVALID_IMAGE] = "INVALID_IMAGE",
    [GLINT_ERROR_IMAGE_CORRUPT] = "IMAGE_CORRUPT",
    [GLINT_ERROR_INVALID_FILE] = "INVALID_FILE",
    [GLINT_ERROR_INVALID_PLAN] = "INVALID_PLAN",
    [GLINT_ERROR_WRONG_CHIP] = "WRONG_CHIP",
    [GLINT_ERROR_INVALID_STUB] = "INVALID_STUB",
    [GLINT_ERROR_STUB_NOT_FOUND] = "STUB_NOT_FOUND",
    [GLINT_ERROR_FLASH_FAILED] = "FLASH_FAILED",
    [GLINT_ERROR_WRONG_REVISION] = "WRONG_REVISION",
    [GLINT_ERROR_NOT_VERIFIED] = "NOT_VERIFIED",
    [GLINT_ERROR_UNKNOWN_CONTENT] = "UNKNOWN_CONTENT",
    [GLINT_ERROR_CHIP_RESET] = "CHIP_RESET",
  };

  if (code >= 0 && code < (int) G_N_ELEMENTS (names) && names[code] != NULL)
    return names[code];
  return "UNKNOWN";
}

static void
silence_log_cb (const char     *log_domain,
                GLogLevelFlags  log_level,
                const char     *message,
                gpointer        user_data)
{
  if (opt_verbose)
    g_log_default_handler (log_domain, log_level, message, user_data);
}

int
main (int argc, char **argv)
{
  /* one per layer (src/meson.build) */
  static const char *const log_domains[] = {
    "Glint-Base", "Glint-Stream", "Glint-Protocol", "Glint-Firmware", "Glint-Flasher",
    "Glint-Sim",
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stub_dir = NULL;
  guint counts[N_OUTCOMES] = { 0 };
  guint by_code[64] = { 0 };
  guint runs_by_transport[N_TRANSPORTS] = { 0 };
  guint successes_by_transport[N_TRANSPORTS] = { 0 };
  gboolean allowed[N_TRANSPORTS] = { TRUE, TRUE, TRUE, TRUE };
  gint64 start = g_get_monotonic_time ();
  gint64 seed = -1;
  guint first, last, total;
  GOptionEntry entries[] = {
    { "runs", 'n', 0, G_OPTION_ARG_INT, &opt_runs, "Number of runs (default 20)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Seed (default: random)", "S" },
    { "run", 'r', 0, G_OPTION_ARG_INT, &opt_run, "Replay only run N of the seed", "N" },
    { "transports", 't', 0, G_OPTION_ARG_STRING, &opt_transports,
      "Only these, e.g. sim,tcp (default: sim,pty,tcp,rfc2217)", "LIST" },
    { "tap", 0, 0, G_OPTION_ARG_NONE, &opt_tap, "Print TAP, one test per run", NULL },
    { "budget-scale", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_DOUBLE, &opt_budget_scale,
      "Scale every run's time budget (a self-test: 0 turns every run into a hang)", "X" },
    { "no-faults", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &opt_no_faults,
      "Inject no faults", NULL },
    { "flash-faults", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &opt_flash_faults,
      "Inject one flash fault a run, nothing else", NULL },
    { "no-verify", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &opt_no_verify,
      "Switch the final MD5 check off (a self-test: false successes appear)", NULL },
    { "tamper", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &opt_tamper,
      "Flip a bit of the flash after each success (a self-test: all become false)", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, "Show every run and engine debug", NULL },
    { "fault", 0, 0, G_OPTION_ARG_STRING, &opt_fault,
      "Give every run this one fault: link-drop, brown-out, disconnect, pty-vanish (the "
      "port goes and comes back, half the time renamed), and over RFC 2217 answer-loss or "
      "answer-damage (3 %)", "KIND" },
    { NULL }
  };

  glint_sim_stream_register ();

  context = g_option_context_new ("- fault-injection soak of the flasher against the simulator");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "glint-soak: %s\n", error->message);
      return 2;
    }

  if (opt_fault != NULL && !g_str_equal (opt_fault, "link-drop") &&
      !g_str_equal (opt_fault, "brown-out") && !g_str_equal (opt_fault, "disconnect") &&
      !g_str_equal (opt_fault, "answer-loss") && !g_str_equal (opt_fault, "answer-damage") &&
      !g_str_equal (opt_fault, "pty-vanish"))
    {
      fprintf (stderr, "glint-soak: --fault wants link-drop, brown-out, disconnect, "
               "answer-loss, answer-damage or pty-vanish\n");
      return 2;
    }

  if (opt_transports != NULL)
    {
      g_auto(GStrv) names = g_strsplit (opt_transports, ",", -1);

      for (guint t = 0; t < N_TRANSPORTS; t++)
        allowed[t] = g_strv_contains ((const char *const *) names, transport_names[t]);
    }

  opt_seed = seed >= 0 ? (guint32) seed : g_random_int ();
  first = opt_run >= 0 ? (guint) opt_run : 0;
  last = opt_run >= 0 ? (guint) opt_run : (guint) MAX (opt_runs, 0) - 1;
  total = last + 1 - first;

  /* the engine logs a lot under faults: only fatal messages stay loud */
  for (guint i = 0; i < G_N_ELEMENTS (log_domains); i++)
    g_log_set_handler (log_domains[i], G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO | G_LOG_LEVEL_MESSAGE,
                       silence_log_cb, NULL);

  stub_dir = glint_test_fake_stub_dir ();

  printf ("%s# soak: seed %u, %u run%s (replay one with --seed %u --run N)\n",
          opt_tap ? "" : "", opt_seed, total, total == 1 ? "" : "s", opt_seed);
  if (opt_tap)
    printf ("1..%u\n", total);
  fflush (stdout);

  for (guint n = first; n <= last; n++)
    {
      Run r;
      g_autofree char *desc = NULL;
      g_autofree char *detail = NULL;
      Outcome outcome;
      gint64 t0 = g_get_monotonic_time ();
      gboolean bad;

      run_choose (&r, opt_seed, n, allowed);
      desc = run_describe (&r);
      outcome = run_one (&r, &detail);
      counts[outcome]++;
      runs_by_transport[r.transport]++;
      if (outcome == OUTCOME_SUCCESS)
        successes_by_transport[r.transport]++;
      if (outcome == OUTCOME_FAILURE)
        {
          int code = atoi (detail);

          by_code[CLAMP (code, 0, (int) G_N_ELEMENTS (by_code) - 1)]++;
        }

      bad = outcome != OUTCOME_SUCCESS && outcome != OUTCOME_FAILURE;
      if (opt_tap)
        printf ("%s %u - %s: %s (%.1f s)\n", bad ? "not ok" : "ok", n - first + 1, desc,
                detail, (g_get_monotonic_time () - t0) / 1e6);
      else if (bad || opt_verbose)
        printf ("%s%s — %s: %s (%.1f s)\n", bad ? "BAD " : "", desc,
                outcome_names[outcome], detail, (g_get_monotonic_time () - t0) / 1e6);
      if (bad)
        printf ("# replay: %s --seed %u --run %u\n", g_get_prgname (), opt_seed, n);
      if (!opt_tap && !opt_verbose && (n - first + 1) % 50 == 0)
        printf ("# %u of %u runs: %u successes, %u failures, %u bad\n", n - first + 1, total,
                counts[OUTCOME_SUCCESS], counts[OUTCOME_FAILURE],
                n - first + 1 - counts[OUTCOME_SUCCESS] - counts[OUTCOME_FAILURE]);
      fflush (stdout);
    }

  printf ("# soak: seed %u, %u runs in %.0f s: %u successes, %u failures",
          opt_seed, total, (g_get_monotonic_time () - start) / 1e6,
          counts[OUTCOME_SUCCESS], counts[OUTCOME_FAILURE]);
  if (counts[OUTCOME_FAILURE] > 0)
    {
      const char *sep = " (";

      for (guint c = 0; c < G_N_ELEMENTS (by_code); c++)
        if (by_code[c] > 0)
          {
            printf ("%s%s %u", sep, error_code_name (c), by_code[c]);
            sep = ", ";
          }
      printf (")");
    }
  printf ("; reconnected and resumed in %u; false successes %u, hangs %u, unspecific errors %u, "
          "damage outside plan %u\n", n_reconnected,
          counts[OUTCOME_FALSE_SUCCESS], counts[OUTCOME_HANG], counts[OUTCOME_BAD_ERROR],
          counts[OUTCOME_DAMAGE]);

  /* Per transport: a brown-out is only recoverable where DTR/RTS reach
   * the chip (sim://, RFC 2217 to glint-sim-server), not behind a pty or
   * raw TCP, where such runs fail by design. */
  printf ("# verified by transport:");
  for (guint t = 0; t < N_TRANSPORTS; t++)
    if (runs_by_transport[t] > 0)
      printf (" %s %u/%u%s", transport_names[t], successes_by_transport[t], runs_by_transport[t],
              t == TRANSPORT_SIM || t == TRANSPORT_RFC2217 ? " (DTR/RTS)" : " (no DTR/RTS)");
  printf ("\n");

  glint_test_remove_dir (stub_dir);

  return counts[OUTCOME_FALSE_SUCCESS] + counts[OUTCOME_HANG] + counts[OUTCOME_BAD_ERROR] +
         counts[OUTCOME_DAMAGE] > 0 ? 1 : 0;
}
