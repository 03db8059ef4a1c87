/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "glint-error.h"
#include "glint-flasher-flash-private.h"

/* The flash job's search for what changed: the MD5s of regions, 64 KiB
 * chunks and 4 KiB sectors, the record of what Glint last wrote to the
 * board, and from both the plan of what to write. */

/* MD5s --------------------------------------------------------------------------- */

char *
_glint_flash_md5_hex (const guint8 *data,
                      gsize         len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_MD5, data, len);
}

char *
_glint_flash_md5_of_erased (gsize len)
{
  g_autofree guint8 *ff = g_malloc (len);

  memset (ff, 0xFF, len);
  return g_compute_checksum_for_data (G_CHECKSUM_MD5, ff, len);
}

/* The chip's answer to SPI_FLASH_MD5 as lower-case hex: the stub sends the
 * 16 raw bytes, the ROM 32 hex characters (protocol.md §2). */
static char *
hex_of (const guint8 *data,
        gsize         len)
{
  GString *hex = g_string_sized_new (2 * len);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", data[i]);

  return g_string_free (hex, FALSE);
}

char *
_glint_flash_reply_md5 (GlintFlasher *self,
                        GBytes       *reply)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (reply, &len);

  if (!self->stub_running)
    return g_ascii_strdown ((const char *) data, len);

  return hex_of (data, len);
}

void
_glint_flash_send_md5 (GTask               *task,
                       guint32              address,
                       gsize                size,
                       GAsyncReadyCallback  callback)
{
  GlintFlasher *self = g_task_get_source_object (task);

  glint_loader_flash_md5_async (self->loader, address, size, self->stub_running,
                                g_task_get_cancellable (task), _glint_flasher_sent_cb,
                                _glint_flasher_sent (task, callback));
}

/* Looking for what changed ------------------------------------------------------ */

static void
add_segment (FlashJob   *job,
             const Span *span)
{
  g_array_append_val (job->segments, *span);
}

static int
span_compare (gconstpointer a,
              gconstpointer b)
{
  const Span *x = a;
  const Span *y = b;

  if (x->region != y->region)
    return x->region < y->region ? -1 : 1;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;

  return 0;
}

/* In region and address order, neighbours joined: one BEGIN per stretch. */
static void
segments_tidy (FlashJob *job)
{
  GArray *joined = g_array_new (FALSE, FALSE, sizeof (Span));

  g_array_sort (job->segments, span_compare);
  for (guint i = 0; i < job->segments->len; i++)
    {
      const Span *span = &g_array_index (job->segments, Span, i);
      Span *last = joined->len > 0 ? &g_array_index (joined, Span, joined->len - 1) : NULL;

      if (last != NULL && last->region == span->region &&
          last->start + last->length == span->start)
        last->length += span->length;
      else
        g_array_append_val (joined, *span);
    }

  g_array_unref (job->segments);
  job->segments = joined;
}

static void
push_parts (FlashJob   *job,
            const Span *span,
            gsize       part)
{
  for (gsize at = 0; at < span->length; at += part)
    {
      Span *child = g_new (Span, 1);

      child->region = span->region;
      child->start = span->start + at;
      child->length = MIN (part, span->length - at);
      child->probe = FALSE;
      g_queue_push_tail (&job->scan, child);
    }
}

static void scan_pump (GTask *task);

static void
scan_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  g_autofree Span *span = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *ours = NULL;
  g_autofree char *erased = NULL;
  const Span *asked = g_queue_peek_head (&job->scan_sent);
  GBytes *image;
  gsize image_size;
  const guint8 *data;

  /* (unanswered, it stays asked: a recovery asks it again) */
  if (!_glint_flasher_finish_command (task, result, &reply, _("reading the MD5 of %s at 0x%x"),
                                      _glint_flash_region_name (self, asked->region),
                                      _glint_flash_report (self, asked->region)->offset +
                                      (guint32) asked->start))
    return;

  span = g_queue_pop_head (&job->scan_sent);
  image = g_ptr_array_index (job->images, span->region);
  image_size = g_bytes_get_size (image);
  data = g_bytes_get_data (image, NULL);

  /* The region is being written whole already: nothing to learn. */
  if (job->whole[span->region])
    {
      scan_pump (task);
      return;
    }

  theirs = _glint_flash_reply_md5 (self, reply);
  ours = _glint_flash_md5_hex (data + span->start, span->length);

  /* A region whose first sector is erased is taken to be erased all over
   * (a new board, or one erased): written whole, without hashing the rest.
   * At worst that writes more than needed, never less. */
  if (span->probe)
    {
      erased = _glint_flash_md5_of_erased (span->length);
      if (g_str_equal (theirs, erased) && !g_str_equal (ours, erased))
        {
          Span all = { span->region, 0, image_size, FALSE };
          GList *l = job->scan.head;

          job->whole[span->region] = TRUE;
          add_segment (job, &all);
          while (l != NULL)
            {
              GList *next = l->next;

              if (((Span *) l->data)->region == span->region)
                {
                  g_free (l->data);
                  g_queue_delete_link (&job->scan, l);
                }
              l = next;
            }
        }
      scan_pump (task);
      return;
    }

  if (g_str_equal (theirs, ours))
    {
      /* (after a lost link, what matches now was mostly written before) */
      if (!job->resuming)
        self->bytes_unchanged += span->length;
    }
  else if (span->length <= SKIP_BLOCK)
    {
      add_segment (job, span);
    }
  else
    {
      /* Erased flash differs everywhere the image is not blank itself:
       * no point in looking closer. */
      erased = _glint_flash_md5_of_erased (span->length);
      if (g_str_equal (theirs, erased))
        add_segment (job, span);
      else if (span->length == image_size && image_size > SKIP_CHUNK)
        {
          if (_glint_flash_worth_splitting (self, span->length, SKIP_CHUNK))
            push_parts (job, span, SKIP_CHUNK);
          else
            add_segment (job, span);
        }
      else
        {
          /* a chunk: split or not once all of its region's chunks are known */
          g_array_append_val (job->differing, *span);
        }
    }

  scan_pump (task);
}

/* Once every chunk has answered: where most of a region's chunks differ
 * the image is a different one, and looking at 4 KiB blocks would cost
 * more questions than it saves; elsewhere, the blocks of the chunks that
 * differ are asked about. */
static void
scan_split_chunks (FlashJob     *job,
                   GlintFlasher *self)
{
  guint n_regions = job->images->len;
  g_autofree guint *n_differing = g_new0 (guint, n_regions);

  for (guint i = 0; i < job->differing->len; i++)
    n_differing[g_array_index (job->differing, Span, i).region]++;

  for (guint i = 0; i < job->differing->len; i++)
    {
      const Span *span = &g_array_index (job->differing, Span, i);
      gsize size = g_bytes_get_size (g_ptr_array_index (job->images, span->region));
      guint n_chunks = (size + SKIP_CHUNK - 1) / SKIP_CHUNK;

      gboolean mostly_new = n_chunks >= 4 && n_differing[span->region] * 2 > n_chunks;

      if (!mostly_new && _glint_flash_worth_splitting (self, span->length, SKIP_BLOCK))
        push_parts (job, span, SKIP_BLOCK);
      else
        add_segment (job, span);
    }

  g_array_set_size (job->differing, 0);
}

static gboolean
is_root (FlashJob   *job,
         const Span *span)
{
  return !span->probe &&
         span->length == g_bytes_get_size (g_ptr_array_index (job->images, span->region));
}

static gboolean
probe_pending (FlashJob *job,
               guint     region)
{
  for (GList *l = job->scan_sent.head; l != NULL; l = l->next)
    {
      const Span *sent = l->data;

      if (sent->probe && sent->region == region)
        return TRUE;
    }

  return FALSE;
}

/* Keeps up to two questions at the stub (one at the ROM, whose receive
 * side is not documented); when all are answered, writes what differs. */
static void
scan_pump (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  guint width = self->stub_running ? 2 : 1;

  if (job->scan.length == 0 && job->scan_sent.length == 0 && job->differing->len > 0)
    scan_split_chunks (job, self);

  while (job->scan_sent.length < width && job->scan.length > 0)
    {
      Span *span = g_queue_peek_head (&job->scan);

      /* A region asked about as a whole (slow links) waits for its first
       * sector: on a blank board that answer makes hashing the rest, and
       * waiting for it, needless. */
      if (is_root (job, span) && probe_pending (job, span->region))
        break;
      g_queue_pop_head (&job->scan);

      g_queue_push_tail (&job->scan_sent, span);
      job->md5_questions++;
      _glint_flash_send_md5 (task, _glint_flash_report (self, span->region)->offset + span->start,
                             span->length, scan_cb);
    }

  if (job->scan_sent.length > 0)
    return;

  job->scanning = FALSE;
  segments_tidy (job);

  /* A region asked about with nothing to write matched its MD5(s) all
   * over: that is its verification. */
  for (guint i = 0; i < job->images->len; i++)
    {
      gboolean written = FALSE;

      if (!job->searching[i])
        continue;
      job->searching[i] = FALSE;
      for (guint j = 0; j < job->segments->len; j++)
        written |= g_array_index (job->segments, Span, j).region == i;
      /* (written before a lost link: all of it arrived) */
      if (!written && _glint_flash_report (self, i)->written > 0)
        {
          _glint_flash_report (self, i)->status = GLINT_REGION_WRITTEN;
        }
      else if (!written)
        {
          _glint_flash_report (self, i)->status = GLINT_REGION_UNCHANGED;
          _glint_flasher_log (self, GLINT_LOG_INFO, _("%s at 0x%x is unchanged"),
                              _glint_flash_region_name (self, i),
                              _glint_flash_report (self, i)->offset);
        }
    }

  _glint_flasher_log (self, GLINT_LOG_DEBUG, "looked for changes with %u MD5(s): %"
                      G_GUINT64_FORMAT " bytes unchanged", job->md5_questions,
                      self->bytes_unchanged);
  _glint_flash_write_segments (task);
}

/* A region asked about as a whole where a round trip costs more than
 * hashing it (slow links: one question answers "unchanged"), else straight
 * away in 64 KiB chunks (local links: the chip hashes the region once, not
 * twice). */
static void
scan_region (GlintFlasher *self,
             FlashJob     *job,
             guint         region)
{
  Span span = { region, 0, g_bytes_get_size (g_ptr_array_index (job->images, region)), FALSE };
  guint n_chunks = (span.length + SKIP_CHUNK - 1) / SKIP_CHUNK;
  guint width = self->stub_running ? 2 : 1;

  job->searching[region] = TRUE;
  if (n_chunks > 1 &&
      _glint_flash_rtt_us (self) * (gint64) ((n_chunks + width - 1) / width - 1) <=
      _glint_flash_md5_cost (span.length))
    push_parts (job, &span, SKIP_CHUNK);
  else
    g_queue_push_tail (&job->scan, g_memdup2 (&span, sizeof span));
}

/* Which 4 KiB sectors of @data, to be written at @offset, differ from
 * what the record says @board holds; %NULL unless it knows all of them. */
gboolean *
_glint_flash_record_differs (GlintFlasher *self,
                             const char   *board,
                             GBytes       *data,
                             guint32       offset,
                             guint        *n_sectors)
{
  g_autofree guint8 *ours = NULL;
  g_autofree guint8 *theirs = NULL;
  gboolean *differs;

  ours = glint_flash_record_sector_digests (data, n_sectors);
  theirs = glint_flash_record_lookup (self->record, board, offset, *n_sectors);
  if (theirs == NULL)
    return NULL;

  differs = g_new (gboolean, MAX (*n_sectors, 1u));
  for (guint i = 0; i < *n_sectors; i++)
    differs[i] = memcmp (ours + 16 * i, theirs + 16 * i, 16) != 0;

  return differs;
}

/* The board's key in the record from its MAC words (%NULL where they
 * could not be read, @error says why), then the step after it. Without
 * the MAC the record is no use: the chip is asked, as always. */
static void
flash_board_known (GTask         *task,
                   const guint32 *words,
                   GError        *error)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  g_autoptr(GError) local = NULL;
  guint8 mac[6];

  if (words != NULL && glint_chip_decode_mac (self->chip, words, mac, &local))
    job->board = glint_flash_record_board_id (self->chip->name, mac);
  else
    _glint_flasher_log (self, GLINT_LOG_DEBUG, "no MAC for the flash record: %s",
                        local != NULL ? local->message : error->message);

  job->after_board (task);
}

/* The MAC words asked for (one round trip). */
static void
flash_board_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree guint32 *words = NULL;

  if (_glint_flasher_job_is_over (task))
    return;

  words = glint_loader_read_regs_finish (GLINT_LOADER (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED))
    {
      _glint_flasher_job_fail (task, g_steal_pointer (&error));
      return;
    }

  flash_board_known (task, words, error);
}

void
_glint_flash_read_board (GTask            *task,
                         GlintFlasherStep  next)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  const guint32 *regs;
  guint n_regs;

  job->board_asked = TRUE;
  job->after_board = next;

  /* Detection read the MAC words with the eFuse: no round trip. */
  if (self->ident_known)
    {
      flash_board_known (task, _glint_flasher_detected_mac_words (self), NULL);
      return;
    }

  regs = glint_chip_get_mac_registers (self->chip, &n_regs);
  glint_loader_read_regs_async (self->loader, regs, n_regs, g_task_get_cancellable (task),
                                flash_board_cb, task);
}

/* Whether the record of what Glint last wrote to this board knows every
 * sector of @region; if so, the sectors that differ from the image are
 * written without asking the chip first (the final MD5 check decides, see
 * _glint_flash_record_was_wrong ()). Where it says nothing changed, the region is
 * asked about as a whole: that one MD5 is its check. */
static gboolean
plan_from_record (GlintFlasher *self,
                  FlashJob     *job,
                  guint         region)
{
  GBytes *image = g_ptr_array_index (job->images, region);
  gsize size = g_bytes_get_size (image);
  guint32 offset = _glint_flash_report (self, region)->offset;
  g_autofree gboolean *differs = NULL;
  guint n = 0;
  guint n_differing = 0;

  if (job->board == NULL)
    return FALSE;

  differs = _glint_flash_record_differs (self, job->board, image, offset, &n);
  if (differs == NULL)
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      Span sector = { region, (gsize) i * SKIP_BLOCK, 0, FALSE };

      sector.length = MIN ((gsize) SKIP_BLOCK, size - sector.start);
      if (differs[i])
        {
          add_segment (job, &sector);
          n_differing++;
        }
      else
        {
          job->hint_unchanged[region] += sector.length;
        }
    }

  if (n_differing == 0)
    {
      job->hint_unchanged[region] = 0;
      job->searching[region] = TRUE;
      g_queue_push_tail (&job->scan, g_memdup2 (&(Span) { region, 0, size, FALSE }, sizeof (Span)));
      return TRUE;
    }

  job->hinted[region] = TRUE;
  self->bytes_unchanged += job->hint_unchanged[region];
  _glint_flasher_log (self, GLINT_LOG_INFO, _("%s at 0x%x: %u of %u sector(s) differ from what "
                                              "Glint last wrote to this board"),
                      _glint_flash_region_name (self, region), offset, n_differing, n);
  return TRUE;
}

/* The MD5 the record has for the sector at @offset, as hex; %NULL where
 * it knows none. */
static char *
record_sector_md5 (GlintFlasher *self,
                   const char   *board,
                   guint32       offset)
{
  g_autofree guint8 *digest = glint_flash_record_lookup (self->record, board, offset, 1);

  return digest != NULL ? hex_of (digest, 16) : NULL;
}

static void
flash_record_checked_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  guint region = job->check_region;
  guint32 offset = _glint_flash_report (self, region)->offset;
  g_autoptr(GBytes) reply = NULL;
  g_autofree char *actual = NULL;
  g_autofree char *expected = NULL;
  guint n_regions;

  if (!_glint_flasher_finish_command (task, result, &reply, _("checking the record of the board")))
    return;

  job->rom_by_record = FALSE;
  actual = _glint_flash_reply_md5 (self, reply);
  expected = record_sector_md5 (self, job->board, offset);
  if (expected != NULL && g_str_equal (actual, expected))
    {
      _glint_flash_plan_writes (task);
      return;
    }

  /* The board does not hold what Glint last wrote to it (flashed by
   * another tool, or another board): what differs is unknown and may be
   * everything, which the ROM's 1 KiB lock-step blocks would make slow on
   * a slow link. Forget the record and decide as without one. */
  _glint_flasher_log (self, GLINT_LOG_INFO, _("%s at 0x%x does not hold what Glint last wrote "
                                              "there: looking for what differs with the flasher "
                                              "stub"),
                      _glint_flash_region_name (self, region), offset);
  n_regions = glint_flash_plan_get_n_regions (self->plan);
  for (guint i = 0; i < n_regions; i++)
    glint_flash_record_forget (self->record, job->board, _glint_flash_report (self, i)->offset,
                               g_bytes_get_size (g_ptr_array_index (job->images, i)));
  self->planned_known = FALSE;
  self->planned_bytes = 0;
  _glint_flasher_start_stub (task, _glint_flash_change_baud);
}

/* Before the ROM alone writes what the record says differs, one MD5 (one
 * round trip) checks that the board holds what the record says: the first
 * sector of the largest region whose record is not an erased sector (on a
 * blank board, or one with other firmware, that sector differs). */
static gboolean
flash_check_record (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  guint n_regions = glint_flash_plan_get_n_regions (self->plan);
  g_autofree char *erased = NULL;
  gsize best_size = 0;

  if (!job->rom_by_record || self->stub_running || job->board == NULL)
    return FALSE;

  erased = _glint_flash_md5_of_erased (GLINT_SECTOR_SIZE);
  job->check_region = G_MAXUINT;
  for (guint i = 0; i < n_regions; i++)
    {
      gsize size = g_bytes_get_size (g_ptr_array_index (job->images, i));
      g_autofree char *theirs = record_sector_md5 (self, job->board,
                                                   _glint_flash_report (self, i)->offset);

      if (theirs != NULL && !g_str_equal (theirs, erased) && size > best_size)
        {
          job->check_region = i;
          best_size = size;
        }
    }

  if (job->check_region == G_MAXUINT)
    return FALSE;

  _glint_flash_send_md5 (task, _glint_flash_report (self, job->check_region)->offset,
                         GLINT_SECTOR_SIZE, flash_record_checked_cb);
  return TRUE;
}

/* What to write: everything, or (the default, where the chip can tell an
 * MD5) only what differs from what the flash holds, from the record where
 * it knows the board, else by asking the chip. */
void
_glint_flash_plan_writes (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  guint n_regions = glint_flash_plan_get_n_regions (self->plan);
  gboolean can_md5 = self->stub_running ||
                     (glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_MD5) &&
                      !_glint_flasher_secure_download (self));
  /* After a lost link, what arrived is found by MD5 and not sent again. */
  gboolean skip = (job->resuming || (!self->no_skip && !self->erase_all)) && can_md5;
  g_autofree gboolean *planned = NULL;

  if (flash_check_record (task))
    return;

  /* back after a lost link in the middle of the change scan */
  if (job->scan_kept)
    {
      job->scan_kept = FALSE;
      job->scanning = TRUE;
      _glint_flasher_set_state (self, GLINT_FLASHER_STATE_WRITING);
      scan_pump (task);
      return;
    }

  /* ... or while writing: on from the first sector not written */
  if (job->write_kept)
    {
      job->write_kept = FALSE;
      if (can_md5 || !job->check)
        {
          _glint_flasher_set_state (self, GLINT_FLASHER_STATE_WRITING);
          _glint_flash_resume_writes (task);
          return;
        }
      /* (where the chip cannot tell, everything is written again) */
      g_array_set_size (job->segments, 0);
      g_clear_pointer (&job->differing, g_array_unref);
      g_clear_pointer (&job->whole, g_free);
      g_clear_pointer (&job->searching, g_free);
      g_clear_pointer (&job->hinted, g_free);
      g_clear_pointer (&job->hint_unchanged, g_free);
    }

  planned = g_new0 (gboolean, n_regions);

  /* The record needs the board's MAC (one round trip), and the final MD5
   * check to catch it when it is wrong. */
  if (skip && self->record != NULL && !self->no_verify && !job->board_asked)
    {
      _glint_flash_read_board (task, _glint_flash_plan_writes);
      return;
    }

  if (!self->no_skip && !self->erase_all && !can_md5)
    _glint_flasher_log (self, GLINT_LOG_INFO, _("the %s ROM cannot tell what the flash holds: "
                                                "writing everything"),
                        self->chip->display_name);

  if (!job->resuming)
    job->started = g_get_monotonic_time ();
  job->differing = g_array_new (FALSE, FALSE, sizeof (Span));
  job->whole = g_new0 (gboolean, n_regions);
  job->searching = g_new0 (gboolean, n_regions);
  job->hinted = g_new0 (gboolean, n_regions);
  job->hint_unchanged = g_new0 (guint64, n_regions);

  /* (after a lost link the chip is asked, whatever the record says) */
  for (guint i = 0; skip && !job->resuming && i < n_regions; i++)
    planned[i] = plan_from_record (self, job, i);

  /* every other region's first sector first: on a blank board that
   * settles it */
  for (guint i = 0; skip && i < n_regions; i++)
    {
      Span probe = { i, 0, SKIP_BLOCK, TRUE };

      if (!planned[i] && g_bytes_get_size (g_ptr_array_index (job->images, i)) > SKIP_BLOCK)
        g_queue_push_tail (&job->scan, g_memdup2 (&probe, sizeof probe));
    }

  for (guint i = 0; i < n_regions; i++)
    {
      Span span = { i, 0, g_bytes_get_size (g_ptr_array_index (job->images, i)), FALSE };

      if (!skip)
        add_segment (job, &span);
      else if (!planned[i])
        scan_region (self, job, i);
    }

  if (skip)
    {
      job->scanning = TRUE;
      _glint_flasher_set_state (self, GLINT_FLASHER_STATE_WRITING);
      scan_pump (task);
    }
  else
    {
      _glint_flash_write_segments (task);
    }
}

/* The final check of a region written from the record failed: the board
 * did not hold what Glint last wrote to it (another tool flashed it, or
 * it is another board). Forget the record and do what is done without one:
 * ask the chip what differs, write that, check again. */
void
_glint_flash_record_was_wrong (GTask *task,
                               guint  region)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);

  _glint_flasher_log (self, GLINT_LOG_INFO, _("%s at 0x%x did not hold what Glint last wrote "
                                              "there: looking for what differs"),
                      _glint_flash_region_name (self, region),
                      _glint_flash_report (self, region)->offset);
  job->hinted[region] = FALSE;
  self->bytes_unchanged -= job->hint_unchanged[region];
  job->hint_unchanged[region] = 0;
  _glint_flash_report (self, region)->status = GLINT_REGION_PARTLY_WRITTEN;
  glint_flash_record_forget (self->record, job->board, _glint_flash_report (self, region)->offset,
                             g_bytes_get_size (g_ptr_array_index (job->images, region)));

  g_array_set_size (job->segments, 0);
  job->segment = 0;
  job->done_before = 0;
  job->writing = FALSE;
  scan_region (self, job, region);
  _glint_flasher_set_state (self, GLINT_FLASHER_STATE_WRITING);
  scan_pump (task);
}

/* Back after a link lost while writing --------------------------------------------- */

static void resume_check_next (GTask *task);

static void
resume_check_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  Span *segment = &g_array_index (job->segments, Span, 0);
  GBytes *image = g_ptr_array_index (job->images, segment->region);
  const guint8 *data = g_bytes_get_data (image, NULL);
  gsize len = job->check_end - job->check_at;
  g_autoptr(GBytes) reply = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *ours = NULL;

  if (!_glint_flasher_finish_command (task, result, &reply, _("reading the MD5 of %s at 0x%x"),
                                      _glint_flash_region_name (self, segment->region),
                                      _glint_flash_report (self, segment->region)->offset +
                                      (guint32) job->check_at))
    return;

  theirs = _glint_flash_reply_md5 (self, reply);
  ours = _glint_flash_md5_hex (data + job->check_at, len);
  job->check_whole = FALSE;
  if (g_str_equal (theirs, ours))
    {
      job->check_at = job->check_end;
      resume_check_next (task);
      return;
    }

  /* A stretch that differs: its first half next. */
  if (len > SKIP_BLOCK)
    {
      job->check_limit = job->check_end;
      resume_check_next (task);
      return;
    }

  /* The first sector not written: the chip writes in order, so nothing
   * after it is either (the ROM erased all of the segment first). */
  segment->length -= job->check_at - segment->start;
  segment->start = job->check_at;
  _glint_flasher_log (self, GLINT_LOG_DEBUG, "writing on from %s at 0x%x",
                      _glint_flash_region_name (self, segment->region),
                      _glint_flash_report (self, segment->region)->offset +
                      (guint32) segment->start);
  _glint_flash_write_segments (task);
}

static void
resume_check_next (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  FlashJob *job = g_task_get_task_data (task);
  const Span *segment = &g_array_index (job->segments, Span, 0);
  gsize end = segment->start + segment->length;
  gsize half;

  /* all of it was written */
  if (job->check_at >= end)
    {
      g_array_remove_index (job->segments, 0);
      _glint_flash_write_segments (task);
      return;
    }

  /* (the stretch that differed matched in all its parts: an answer
   * damaged on the way; on through the rest of the segment) */
  if (job->check_at >= job->check_limit)
    job->check_limit = end;

  /* The chip writes in order: what is written is a prefix. Halving the
   * stretch not known written finds its end in some log2 (sectors) round
   * trips, wherever it is, where a chunk at a time from the start took
   * one per 64 KiB written. */
  half = (job->check_limit - job->check_at) / 2 / SKIP_BLOCK * SKIP_BLOCK;
  job->check_end = job->check_whole ? end : MIN (job->check_at + MAX (half, SKIP_BLOCK),
                                                 job->check_limit);
  job->md5_questions++;
  _glint_flash_send_md5 (task, _glint_flash_report (self, segment->region)->offset +
                         (guint32) job->check_at, job->check_end - job->check_at,
                         resume_check_cb);
}

/**
 * _glint_flash_resume_writes:
 *
 * Back after a link lost while writing (see flash_resume ()): the
 * segments before segments[0] are written; segments[0] may be in part,
 * and is asked about from its start, by halving the stretch not known
 * written down to a sector (one MD5 of all of it first where it was
 * written whole); from the first sector that differs on, it is written
 * again, and the segments after it. Not from each region's start
 * again, as a change scan would; the final MD5 of every region decides as
 * always.
 */
void
_glint_flash_resume_writes (GTask *task)
{
  FlashJob *job = g_task_get_task_data (task);
  const Span *segment = &g_array_index (job->segments, Span, 0);

  if (!job->check)
    {
      _glint_flash_write_segments (task);
      return;
    }

  job->check_limit = segment->start + segment->length;
  resume_check_next (task);
}
