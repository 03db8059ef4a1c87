/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "glint-bytes.h"
#include "glint-error.h"
#include "glint-flasher-private.h"
#include "glint-image.h"
#include "glint-link-timing.h"
#include "glint-protocol.h"
#include "glint-stream.h"
#include "glint-stub.h"

/*
 * What is on the board, as a step of the info job: the bootloader's
 * header, the partition table (at 0x8000, else at the start of a sector
 * in the first 64 KiB), the first bytes of each app partition with its
 * app description, and otadata, only where it decides which app boots:
 * when two or more app slots hold images (protocol.md §12.4–§12.6). The
 * ROM reads 64 bytes a command (READ_FLASH_SLOW, §6.4): only the bytes
 * needed are read, one command at a time (§9): the table to its end
 * marker or MD5 entry, an app's first 64 bytes and the rest of its
 * description only behind an image header and description magic. Where
 * loading the flasher stub and its reads cost less than those commands
 * (a slow link), or the ROM cannot read at all (ESP8266), the stub reads
 * instead: a READ_FLASH a round trip, whole descriptions and otadata
 * entries in one each (§6.4, §9). What cannot be read is said, not
 * failed: blank and foreign flash are findings, not errors; encrypted
 * flash is not read.
 */

#define SLOW_SIZE         GLINT_READ_FLASH_SLOW_SIZE
/* An app's header and its description's texts (through the ESP-IDF
 * version, §12.5): three ROM reads instead of five for all of it. */
#define APP_DESC_TEXTS    144
#define APP_HEAD_SIZE     (GLINT_APP_DESC_IMAGE_OFFSET + APP_DESC_TEXTS)
/* With the stub, the whole description (its ELF SHA-256 too) */
#define APP_FULL_SIZE     (GLINT_APP_DESC_IMAGE_OFFSET + GLINT_APP_DESC_SIZE)
/* What the ROM spends on ESP-IDF's two-OTA layout with the factory app
 * and one OTA update, the other slot blank: SPI_ATTACH, the bootloader,
 * the table to its MD5 entry (4), two apps (3 each), the blank slot (1),
 * two otadata entries (two images: otadata decides). */
#define ROM_READS         15
/* ... and the stub: the bootloader, the table, three apps, two otadata
 * entries (one round trip each) */
#define STUB_READS        7
/* One packet a read, as esptool's own reads use; how long the stub may
 * take for a frame of the batch. */
#define STUB_PACKET       0x1000
#define STUB_FRAME_US     (1 * G_USEC_PER_SEC)
/* A READ_FLASH request and its acknowledgement, its answer and digest,
 * framed (§1.1, §6.4) */
#define STUB_READ_FRAMES  (8 + 16 + 4 + 10 + 16 + 4 * 2)

typedef void (*ContentsHandler) (GTask *task, const guint8 *data, gsize len);
/* What a stub batch read: a GBytes per span, in order */
typedef void (*BatchHandler) (GTask *task, GPtrArray *parts);

typedef struct
{
  guint32 offset;
  guint32 length;
} Span;

typedef enum
{
  BATCH_DATA,
  BATCH_DIGEST,
} BatchWait;

typedef struct
{
  GlintBoardContents *contents;
  GArray             *table;        /* GlintPartition */
  guint32             offset;       /* the read that runs */
  guint32             length;
  GByteArray         *data;
  ContentsHandler     handler;
  guint               app_index;    /* the app partition being read */
  GlintOtaEntry       ota[2];
  guint32             probe;        /* the sector probed for a moved table */
  guint               round_trips_before;
  gint64              started;
  GlintFlasherStep    next;
  GArray             *spans;        /* Span: the stub batch that runs */
  GPtrArray          *parts;        /* GBytes: what it read so far */
  BatchWait           wait;
  BatchHandler        batch_handler;
} ContentsJob;

static void
contents_job_free (gpointer data)
{
  ContentsJob *job = data;

  g_clear_pointer (&job->contents, glint_board_contents_free);
  g_clear_pointer (&job->table, g_array_unref);
  g_clear_pointer (&job->data, g_byte_array_unref);
  g_clear_pointer (&job->spans, g_array_unref);
  g_clear_pointer (&job->parts, g_ptr_array_unref);
  g_free (job);
}

static ContentsJob *
contents_job (GTask *task)
{
  return g_object_get_data (G_OBJECT (task), "glint-contents");
}

static void
contents_done (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ContentsJob *job = contents_job (task);

  job->contents->round_trips = glint_loader_get_round_trips (self->loader) -
                               job->round_trips_before;
  job->contents->duration_us = g_get_monotonic_time () - job->started;
  g_clear_pointer (&self->contents, glint_board_contents_free);
  self->contents = g_steal_pointer (&job->contents);
  job->next (task);
}

static void
contents_not_read (GTask      *task,
                   const char *why)
{
  ContentsJob *job = contents_job (task);

  job->contents->state = GLINT_CONTENTS_NOT_READ;
  g_free (job->contents->why);
  job->contents->why = g_strdup (why);
  contents_done (task);
}

/* Reading ------------------------------------------------------------------------- */

static void read_next (GTask *task);

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  ContentsJob *job = contents_job (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  gsize want = MIN ((gsize) SLOW_SIZE, (gsize) (job->length - job->data->len));
  ContentsHandler handler;

  reply = glint_loader_command_finish (GLINT_LOADER (object), result, NULL, &error);
  if (reply == NULL)
    {
      g_autofree char *why = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED) ||
          g_error_matches (error, GLINT_ERROR, GLINT_ERROR_TIMEOUT))
        {
          g_prefix_error (&error, _("reading what is on the board: "));
          _glint_flasher_job_fail (task, g_steal_pointer (&error));
          return;
        }
      why = g_strdup_printf (_("reading 0x%x bytes at 0x%x failed: %s"), job->length,
                             job->offset, error->message);
      contents_not_read (task, why);
      return;
    }
  if (g_bytes_get_size (reply) < want)
    {
      contents_not_read (task, _("the ROM answered a flash read with too few bytes"));
      return;
    }

  g_byte_array_append (job->data, g_bytes_get_data (reply, NULL), want);
  if (job->data->len < job->length)
    {
      read_next (task);
      return;
    }
  handler = job->handler;
  job->handler = NULL;
  handler (task, job->data->data, job->data->len);
}

static void
read_next (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ContentsJob *job = contents_job (task);

  glint_loader_read_flash_slow_async (self->loader, job->offset + job->data->len,
                                      MIN ((guint32) SLOW_SIZE, job->length - job->data->len),
                                      g_task_get_cancellable (task), _glint_flasher_sent_cb,
                                      _glint_flasher_sent (task, read_cb));
}

/* Reads @more bytes after those read last, then hands all to @handler. */
static void
contents_read_more (GTask           *task,
                    guint32          more,
                    ContentsHandler  handler)
{
  ContentsJob *job = contents_job (task);

  job->length += more;
  job->handler = handler;
  read_next (task);
}

/* Reads @length bytes at @offset, then hands them to @handler. */
static void
contents_read (GTask           *task,
               guint32          offset,
               guint32          length,
               ContentsHandler  handler)
{
  ContentsJob *job = contents_job (task);

  job->offset = offset;
  job->length = length;
  job->handler = handler;
  g_byte_array_set_size (job->data, 0);
  read_next (task);
}


/* otadata, then which app boots ---------------------------------------------------- */

/* Which partitions hold an app image, in table order: what the
 * bootloader may start (§12.6). From the header: an image damaged
 * further on, which the bootloader refuses, looks whole here. */
static gboolean *
images_held (ContentsJob *job)
{
  GArray *parts = job->contents->partitions;
  gboolean *held = g_new0 (gboolean, MAX (parts->len, 1));

  for (guint i = 0; i < parts->len; i++)
    {
      GlintAppState state = g_array_index (parts, GlintPartitionContents, i).app_state;

      held[i] = state == GLINT_APP_FOUND || state == GLINT_APP_NO_DESC;
    }
  return held;
}

static void
mark_booting (GTask *task)
{
  ContentsJob *job = contents_job (task);
  g_autofree gboolean *held = images_held (job);
  const GlintPartition *boots;

  boots = glint_partition_table_boots (job->table,
                                       job->contents->otadata_read ? job->ota : NULL, held);
  for (guint i = 0; boots != NULL && i < job->contents->partitions->len; i++)
    {
      GlintPartitionContents *pc = &g_array_index (job->contents->partitions,
                                                   GlintPartitionContents, i);

      pc->boots = strcmp (pc->partition.name, boots->name) == 0;
    }
  contents_done (task);
}

static void
otadata_second_read (GTask        *task,
                     const guint8 *data,
                     gsize         len)
{
  ContentsJob *job = contents_job (task);

  glint_otadata_parse_entry (data, &job->ota[1]);
  job->contents->otadata_read = TRUE;
  mark_booting (task);
}

static void
otadata_first_read (GTask        *task,
                    const guint8 *data,
                    gsize         len)
{
  ContentsJob *job = contents_job (task);
  const GlintPartition *otadata = glint_partition_table_otadata (job->table);

  glint_otadata_parse_entry (data, &job->ota[0]);
  contents_read (task, otadata->offset + GLINT_SECTOR_SIZE, GLINT_OTADATA_ENTRY_SIZE,
                 otadata_second_read);
}

static void stub_read_otadata (GTask *task);

/* After the apps: otadata only where it changes which app boots. With
 * fewer than two of the factory app and the ota_N slots holding an
 * image, the bootloader falls back to the one that does whatever
 * otadata names (§12.6): two reads saved. */
static void
read_otadata (GTask *task)
{
  ContentsJob *job = contents_job (task);
  const GlintPartition *otadata = glint_partition_table_otadata (job->table);
  g_autofree gboolean *held = images_held (job);

  if (otadata == NULL || otadata->size < GLINT_OTADATA_SIZE ||
      !glint_partition_table_otadata_decides (job->table, held))
    {
      mark_booting (task);
      return;
    }
  if (job->contents->with_stub)
    {
      stub_read_otadata (task);
      return;
    }
  contents_read (task, otadata->offset, GLINT_OTADATA_ENTRY_SIZE, otadata_first_read);
}

/* The apps --------------------------------------------------------------------------- */

static void read_next_app (GTask *task);

static void
app_classify (GlintPartitionContents *pc,
              const guint8           *data,
              gsize                   len)
{
  guint8 head[APP_FULL_SIZE] = { 0 };

  /* what was not read (the ELF's SHA-256, reserved words) stays zero */
  memcpy (head, data, MIN (len, sizeof head));
  if (glint_bytes_all (data, MIN (len, (gsize) GLINT_APP_DESC_IMAGE_OFFSET), 0xFF))
    pc->app_state = GLINT_APP_BLANK;
  else if (data[0] != 0xE9)
    pc->app_state = GLINT_APP_NOT_APP;
  else if (glint_app_desc_parse_image (head, sizeof head, &pc->desc, NULL))
    pc->app_state = GLINT_APP_FOUND;
  else
    pc->app_state = GLINT_APP_NO_DESC;
}

static void
app_read (GTask        *task,
          const guint8 *data,
          gsize         len)
{
  ContentsJob *job = contents_job (task);

  app_classify (&g_array_index (job->contents->partitions, GlintPartitionContents,
                                job->app_index), data, len);
  job->app_index++;
  read_next_app (task);
}

/* The ROM's first 64 bytes of an app: the image header and the
 * description's magic. Blank, foreign or without a description, the
 * rest tells nothing: one command instead of three. */
static void
app_head_read (GTask        *task,
               const guint8 *data,
               gsize         len)
{
  if (data[0] != 0xE9 ||
      glint_read_u32 (data + GLINT_APP_DESC_IMAGE_OFFSET) != GLINT_APP_DESC_MAGIC)
    {
      app_read (task, data, len);
      return;
    }
  contents_read_more (task, APP_HEAD_SIZE - SLOW_SIZE, app_read);
}

static void stub_read_apps (GTask *task);

static void
read_next_app (GTask *task)
{
  ContentsJob *job = contents_job (task);
  GArray *parts = job->contents->partitions;

  if (job->contents->with_stub)
    {
      stub_read_apps (task);
      return;
    }

  for (; job->app_index < parts->len; job->app_index++)
    {
      GlintPartitionContents *pc = &g_array_index (parts, GlintPartitionContents,
                                                   job->app_index);

      if (!glint_partition_is_app (&pc->partition))
        continue;
      if (pc->partition.size < APP_HEAD_SIZE)
        {
          pc->app_state = GLINT_APP_NOT_APP;
          continue;
        }
      contents_read (task, pc->partition.offset, SLOW_SIZE, app_head_read);
      return;
    }
  read_otadata (task);
}

/* The table ------------------------------------------------------------------------ */

static void
table_found (GTask  *task,
             GArray *table)
{
  ContentsJob *job = contents_job (task);

  job->table = table;
  job->contents->state = GLINT_CONTENTS_PARTITIONS;
  for (guint i = 0; i < table->len; i++)
    {
      GlintPartitionContents pc = { 0 };

      pc.partition = g_array_index (table, GlintPartition, i);
      pc.app_state = glint_partition_is_app (&pc.partition) ? GLINT_APP_NOT_READ : GLINT_APP_NONE;
      g_array_append_val (job->contents->partitions, pc);
    }
  job->app_index = 0;
  read_next_app (task);
}

static void probe_next (GTask *task);

static void
table_parse (GTask        *task,
             const guint8 *data,
             gsize         len)
{
  ContentsJob *job = contents_job (task);
  g_autoptr(GError) error = NULL;
  GArray *table = glint_partition_table_parse (data, len, &error);

  if (table == NULL)
    {
      job->contents->state = GLINT_CONTENTS_FOREIGN;
      job->contents->why = g_strdup_printf (_("a damaged partition table at 0x%x: %s"),
                                            job->contents->table_offset, error->message);
      contents_done (task);
      return;
    }
  table_found (task, table);
}

static void
no_table_found (GTask *task)
{
  ContentsJob *job = contents_job (task);

  job->contents->state = GLINT_CONTENTS_FOREIGN;
  job->contents->table_offset = 0;
  job->contents->why = g_strdup (job->contents->bootloader ?
                                 _("a bootloader but no partition table in the first 64 KiB: "
                                   "not an ESP-IDF layout (Arduino or ESP8266 firmware, a "
                                   "merged image of another kind)") :
                                 _("no bootloader and no partition table: not an ESP-IDF "
                                   "layout, or data written without them"));
  contents_done (task);
}

static void
table_chunk_read (GTask        *task,
                  const guint8 *data,
                  gsize         len);

/* The table is read 64 bytes at a time until its end marker: a table of
 * a few partitions costs a few commands, not 48. */
static void
table_chunk_read (GTask        *task,
                  const guint8 *data,
                  gsize         len)
{
  ContentsJob *job = contents_job (task);
  GByteArray *table_bytes = g_object_get_data (G_OBJECT (task), "glint-contents-table");
  gboolean ended = FALSE;

  if (table_bytes == NULL)
    {
      table_bytes = g_byte_array_new ();
      g_object_set_data_full (G_OBJECT (task), "glint-contents-table", table_bytes,
                              (GDestroyNotify) g_byte_array_unref);
    }
  g_byte_array_append (table_bytes, data, len);

  /* the first entry decides whether there is a table here at all */
  if (!glint_partition_table_looks_like (table_bytes->data, table_bytes->len))
    {
      if (job->probe == 0)
        {
          /* 0x8000 holds no table: is the start of flash blank? */
          if (!job->contents->bootloader &&
              glint_bytes_all (table_bytes->data, table_bytes->len, 0xFF))
            {
              job->contents->state = GLINT_CONTENTS_BLANK;
              contents_done (task);
              return;
            }
          job->probe = GLINT_SECTOR_SIZE;
          g_object_set_data (G_OBJECT (task), "glint-contents-table", NULL);
          probe_next (task);
          return;
        }
      g_object_set_data (G_OBJECT (task), "glint-contents-table", NULL);
      job->probe += GLINT_SECTOR_SIZE;
      probe_next (task);
      return;
    }

  /* The table ends at an erased entry, or with its MD5 entry, which
   * gen_esp32part.py writes last (§12.4): what follows is the end
   * marker, not worth a command. */
  for (guint i = 0; !ended && i + GLINT_PARTITION_ENTRY_SIZE <= table_bytes->len;
       i += GLINT_PARTITION_ENTRY_SIZE)
    {
      const guint8 *entry = table_bytes->data + i;

      if (glint_bytes_all (entry, GLINT_PARTITION_ENTRY_SIZE, 0xFF))
        ended = TRUE;
      else if (entry[0] == 0xEB && entry[1] == 0xEB)
        {
          guint8 end[GLINT_PARTITION_ENTRY_SIZE];

          /* the end marker the generator writes after it */
          memset (end, 0xFF, sizeof end);
          g_byte_array_set_size (table_bytes, i + GLINT_PARTITION_ENTRY_SIZE);
          g_byte_array_append (table_bytes, end, sizeof end);
          ended = TRUE;
        }
    }
  if (!ended && table_bytes->len < GLINT_PARTITION_TABLE_SIZE)
    {
      contents_read (task, job->contents->table_offset + table_bytes->len, SLOW_SIZE,
                     table_chunk_read);
      return;
    }

  table_parse (task, table_bytes->data, table_bytes->len);
}

/* 0x8000 holds no table but the flash is not blank: a table moved by
 * CONFIG_PARTITION_TABLE_OFFSET starts a sector in the first 64 KiB. */
static void
probe_next (GTask *task)
{
  ContentsJob *job = contents_job (task);

  if (job->probe == GLINT_PARTITION_TABLE_OFFSET)
    job->probe += GLINT_SECTOR_SIZE;
  if (job->probe > job->contents->bootloader_offset &&
      job->probe < GLINT_PARTITION_SEARCH_SIZE)
    {
      job->contents->table_offset = job->probe;
      contents_read (task, job->probe, SLOW_SIZE, table_chunk_read);
      return;
    }
  if (job->probe < GLINT_PARTITION_SEARCH_SIZE)
    {
      job->probe += GLINT_SECTOR_SIZE;
      probe_next (task);
      return;
    }

  no_table_found (task);
}

static void
bootloader_read (GTask        *task,
                 const guint8 *data,
                 gsize         len)
{
  ContentsJob *job = contents_job (task);

  job->contents->bootloader = data[0] == 0xE9;
  job->contents->table_offset = GLINT_PARTITION_TABLE_OFFSET;
  contents_read (task, GLINT_PARTITION_TABLE_OFFSET, SLOW_SIZE, table_chunk_read);
}

static void
contents_attached (GTask *task)
{
  ContentsJob *job = contents_job (task);

  contents_read (task, job->contents->bootloader_offset, 8, bootloader_read);
}

/* With the flasher stub ------------------------------------------------------------- */

/* The stub's reads, one READ_FLASH of one packet each, its
 * acknowledgement of the whole length sent with it to esp-flasher-stub:
 * the stub never waits for the host, and a read costs one round trip
 * (§6.4). The legacy stub gets it once the answer is in (two round
 * trips). The next read goes out once the digest is in: esp-flasher-stub
 * keeps two receive buffers but re-arms them only between frames it
 * handles, so while it sends, one more frame waits and the rest are lost
 * (§9). */

static void stub_read_span (GTask *task);

static void
batch_end (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);

  if (self->loader != NULL)
    glint_loader_set_capture_raw (self->loader, FALSE);
}

static void
batch_failed (GTask  *task,
              GError *error)
{
  ContentsJob *job = contents_job (task);
  const Span *span = &g_array_index (job->spans, Span, MIN (job->parts->len,
                                                            job->spans->len - 1));
  g_autofree char *why = NULL;

  batch_end (task);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED) ||
      g_error_matches (error, GLINT_ERROR, GLINT_ERROR_TIMEOUT))
    {
      g_prefix_error (&error, _("reading what is on the board: "));
      _glint_flasher_job_fail (task, error);
      return;
    }
  why = g_strdup_printf (_("reading 0x%x bytes at 0x%x failed: %s"), span->length,
                         span->offset, error->message);
  g_error_free (error);
  contents_not_read (task, why);
}

static void
batch_frame_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  ContentsJob *job = contents_job (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) frame = NULL;
  const Span *span;
  const guint8 *p;
  gsize len = 0;

  frame = glint_loader_wait_raw_frame_finish (GLINT_LOADER (object), result, &error);
  if (_glint_flasher_job_is_over (task))
    {
      batch_end (task);
      return;
    }
  if (frame == NULL)
    {
      batch_failed (task, g_steal_pointer (&error));
      return;
    }
  p = g_bytes_get_data (frame, &len);
  span = &g_array_index (job->spans, Span, job->parts->len);

  if (job->wait == BATCH_DATA)
    {
      if (len != span->length)
        {
          batch_failed (task, g_error_new (GLINT_ERROR, GLINT_ERROR_INVALID_RESPONSE,
                                           _("the flasher stub sent %u bytes instead of "
                                             "%u; try again"), (guint) len, span->length));
          return;
        }
      job->wait = BATCH_DIGEST;
      g_ptr_array_add (job->parts, g_steal_pointer (&frame));
      glint_loader_wait_raw_frame_async (self->loader, 16, STUB_FRAME_US,
                                         g_task_get_cancellable (task), batch_frame_cb,
                                         g_object_ref (task));
      return;
    }

  {
    GBytes *data = g_ptr_array_index (job->parts, job->parts->len - 1);
    g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
    guint8 digest[16];
    gsize digest_len = sizeof digest;

    g_checksum_update (md5, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
    g_checksum_get_digest (md5, digest, &digest_len);
    if (len != sizeof digest || memcmp (p, digest, sizeof digest) != 0)
      {
        batch_failed (task, g_error_new (GLINT_ERROR, GLINT_ERROR_CHECKSUM_MISMATCH,
                                         _("the bytes read do not match the flasher "
                                           "stub’s digest: the link damaged them; try "
                                           "again")));
        return;
      }
  }
  if (job->parts->len < job->spans->len)
    {
      stub_read_span (task);
      return;
    }

  batch_end (task);
  {
    g_autoptr(GPtrArray) parts = g_steal_pointer (&job->parts);

    job->batch_handler (task, parts);
  }
}

/* The acknowledgement of a read's one packet: its whole length (§6.4) */
static void
send_ack (GTask        *task,
          const Span   *span)
{
  GlintFlasher *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) ack = NULL;
  guint8 total[4];

  glint_put_u32 (total, span->length);
  ack = g_bytes_new (total, sizeof total);
  /* a link already failed: the command fails too and ends the job */
  if (!glint_loader_send_raw (self->loader, ack, &error))
    g_debug ("contents: %s", error->message);
}

static void
batch_answer_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  GlintFlasher *self = g_task_get_source_object (task);
  ContentsJob *job = contents_job (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  const Span *span = &g_array_index (job->spans, Span, job->parts->len);

  reply = glint_loader_command_finish (GLINT_LOADER (object), result, NULL, &error);
  if (reply == NULL)
    {
      batch_failed (task, g_steal_pointer (&error));
      return;
    }
  /* The legacy stub sends its answer, then masks its receive interrupt
   * and polls for acknowledgements: one sent now arrives behind the
   * mask. The packet is on its way meanwhile; the digest follows the
   * acknowledgement, a round trip later. */
  if (!self->stub_acks_early)
    send_ack (task, span);
  job->wait = BATCH_DATA;
  glint_loader_wait_raw_frame_async (GLINT_LOADER (object), span->length, STUB_FRAME_US,
                                     g_task_get_cancellable (task), batch_frame_cb,
                                     g_object_ref (task));
}

static void
stub_read_span (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ContentsJob *job = contents_job (task);
  const Span *span = &g_array_index (job->spans, Span, job->parts->len);

  g_assert (span->length > 0 && span->length <= STUB_PACKET);

  /* Packets may follow the answer at once: keep them from now on. */
  glint_loader_set_capture_raw (self->loader, TRUE);
  glint_loader_read_flash_async (self->loader, span->offset, span->length, span->length, 1,
                                 g_task_get_cancellable (task), _glint_flasher_sent_cb,
                                 _glint_flasher_sent (task, batch_answer_cb));
  /* esp-flasher-stub: the acknowledgement right behind the request, so
   * that the stub never waits for the host (§9) */
  if (self->stub_acks_early)
    send_ack (task, span);
}

/* Reads each of @n @spans (of at most STUB_PACKET bytes), then hands what
 * was read to @handler. */
static void
stub_batch (GTask        *task,
            const Span   *spans,
            guint         n,
            BatchHandler  handler)
{
  ContentsJob *job = contents_job (task);

  g_assert (n > 0);
  g_clear_pointer (&job->spans, g_array_unref);
  job->spans = g_array_new (FALSE, FALSE, sizeof (Span));
  g_array_append_vals (job->spans, spans, n);
  g_clear_pointer (&job->parts, g_ptr_array_unref);
  job->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  job->batch_handler = handler;
  stub_read_span (task);
}

static void
stub_apps_read (GTask     *task,
                GPtrArray *parts)
{
  ContentsJob *job = contents_job (task);
  GArray *all = job->contents->partitions;
  guint k = 0;

  for (guint i = 0; i < all->len; i++)
    {
      GlintPartitionContents *pc = &g_array_index (all, GlintPartitionContents, i);

      if (glint_partition_is_app (&pc->partition) && pc->partition.size >= APP_FULL_SIZE)
        {
          GBytes *data = g_ptr_array_index (parts, k++);

          app_classify (pc, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
        }
    }
  read_otadata (task);
}

static void
stub_otadata_read (GTask     *task,
                   GPtrArray *parts)
{
  ContentsJob *job = contents_job (task);

  glint_otadata_parse_entry (g_bytes_get_data (g_ptr_array_index (parts, 0), NULL),
                             &job->ota[0]);
  glint_otadata_parse_entry (g_bytes_get_data (g_ptr_array_index (parts, 1), NULL),
                             &job->ota[1]);
  job->contents->otadata_read = TRUE;
  mark_booting (task);
}

/* otadata's two entries, a sector apart: two reads (one packet holds at
 * most 4 KiB, §6.4) */
static void
stub_read_otadata (GTask *task)
{
  ContentsJob *job = contents_job (task);
  const GlintPartition *otadata = glint_partition_table_otadata (job->table);
  Span entries[2] = {
    { otadata->offset, GLINT_OTADATA_ENTRY_SIZE },
    { otadata->offset + GLINT_SECTOR_SIZE, GLINT_OTADATA_ENTRY_SIZE },
  };

  stub_batch (task, entries, G_N_ELEMENTS (entries), stub_otadata_read);
}

/* Each app's header and description, a read each; then otadata, if it
 * decides which app boots. */
static void
stub_read_apps (GTask *task)
{
  ContentsJob *job = contents_job (task);
  GArray *all = job->contents->partitions;
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (Span));

  for (guint i = 0; i < all->len; i++)
    {
      GlintPartitionContents *pc = &g_array_index (all, GlintPartitionContents, i);
      Span span = { pc->partition.offset, APP_FULL_SIZE };

      if (!glint_partition_is_app (&pc->partition))
        continue;
      if (pc->partition.size < APP_FULL_SIZE)
        {
          pc->app_state = GLINT_APP_NOT_APP;
          continue;
        }
      g_array_append_val (spans, span);
    }
  if (spans->len == 0)
    {
      mark_booting (task);
      return;
    }
  stub_batch (task, (const Span *) (gpointer) spans->data, spans->len, stub_apps_read);
}

static void
stub_moved_table_read (GTask     *task,
                       GPtrArray *parts)
{
  GBytes *table = g_ptr_array_index (parts, 0);

  table_parse (task, g_bytes_get_data (table, NULL), g_bytes_get_size (table));
}

static void stub_probe_next (GTask *task);

/* The first entry of a sector where a moved table may start */
static void
stub_probe_read (GTask     *task,
                 GPtrArray *parts)
{
  ContentsJob *job = contents_job (task);
  GBytes *head = g_ptr_array_index (parts, 0);

  if (glint_partition_table_looks_like (g_bytes_get_data (head, NULL),
                                        g_bytes_get_size (head)))
    {
      Span table = { job->probe, GLINT_PARTITION_TABLE_SIZE };

      job->contents->table_offset = job->probe;
      stub_batch (task, &table, 1, stub_moved_table_read);
      return;
    }
  job->probe += GLINT_SECTOR_SIZE;
  stub_probe_next (task);
}

/* As probe_next (), a sector at a time, up to the first table */
static void
stub_probe_next (GTask *task)
{
  ContentsJob *job = contents_job (task);

  while (job->probe == GLINT_PARTITION_TABLE_OFFSET ||
         job->probe <= job->contents->bootloader_offset)
    job->probe += GLINT_SECTOR_SIZE;
  if (job->probe >= GLINT_PARTITION_SEARCH_SIZE)
    {
      no_table_found (task);
      return;
    }
  {
    Span probe = { job->probe, GLINT_PARTITION_ENTRY_SIZE };

    stub_batch (task, &probe, 1, stub_probe_read);
  }
}

static void
stub_first_read (GTask     *task,
                 GPtrArray *parts)
{
  ContentsJob *job = contents_job (task);
  gsize len = 0;
  const guint8 *boot = g_bytes_get_data (g_ptr_array_index (parts, 0), NULL);
  const guint8 *table = g_bytes_get_data (g_ptr_array_index (parts, 1), &len);

  job->contents->bootloader = boot[0] == 0xE9;
  job->contents->table_offset = GLINT_PARTITION_TABLE_OFFSET;
  if (glint_partition_table_looks_like (table, len))
    {
      table_parse (task, table, len);
      return;
    }
  if (!job->contents->bootloader && glint_bytes_all (table, len, 0xFF))
    {
      job->contents->state = GLINT_CONTENTS_BLANK;
      contents_done (task);
      return;
    }

  /* 0x8000 holds no table but the flash is not blank: a table moved by
   * CONFIG_PARTITION_TABLE_OFFSET starts a sector in the first 64 KiB */
  job->probe = GLINT_SECTOR_SIZE;
  stub_probe_next (task);
}

static void
stub_attached (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ContentsJob *job = contents_job (task);
  Span first[2] = {
    { job->contents->bootloader_offset, 8 },
    { GLINT_PARTITION_TABLE_OFFSET, GLINT_PARTITION_TABLE_SIZE },
  };

  /* counted from here: what the stub's reads cost */
  job->round_trips_before = glint_loader_get_round_trips (self->loader);
  stub_batch (task, first, G_N_ELEMENTS (first), stub_first_read);
}

static void
stub_started (GTask *task)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ContentsJob *job = contents_job (task);

  if (self->stub_running)
    {
      _glint_flasher_attach_flash (task, stub_attached);
      return;
    }
  /* the stub did not start (a chip it does not run on): the ROM, if it can */
  job->contents->with_stub = FALSE;
  if (!glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_READ_FLASH_SLOW))
    {
      g_autofree char *why = g_strdup_printf (_("the %s ROM cannot read flash and the flasher "
                                                "stub does not run on this chip"),
                                              self->chip->display_name);

      contents_not_read (task, why);
      return;
    }
  _glint_flasher_attach_flash (task, contents_attached);
}

/* Whether the stub that runs, or would be loaded, takes a READ_FLASH's
 * acknowledgement with the request: esp-flasher-stub does, the legacy
 * stub gets it a round trip later (§9). */
static gboolean
stub_acks_early (GlintFlasher *self)
{
  g_autoptr(GlintStub) stub = NULL;
  GlintStubLayout layout;

  if (self->stub_running)
    return self->stub_acks_early;
  stub = glint_stub_find (self->chip, _glint_flasher_major_rev (self), NULL, NULL);
  if (stub == NULL)
    return FALSE;
  layout = glint_stub_get_layout (stub);
  return layout == GLINT_STUB_LAYOUT_V2 || layout == GLINT_STUB_LAYOUT_FLAT;
}

/* Whether the stub reads sooner than the ROM: loading it and its reads
 * against the ROM's commands for a two-OTA layout, each a round trip
 * (two a read for the legacy stub) and its frames on the wire. The stub
 * stays loaded for the jobs after. */
static gboolean
stub_reads_sooner (GlintFlasher *self,
                   gint64        stub_load)
{
  gint64 rtt = glint_link_timing_get_srtt (glint_loader_get_timing (self->loader));
  guint rate = glint_stream_get_baud (self->stream);
  guint stub_rate = _glint_flasher_stub_rate (self);
  gint64 rom, stub;

  rom = ROM_READS * (rtt + glint_link_timing_wire_time (8 + 8 + 8 + 64 + 4, rate));
  /* the ROM's baud step: CHANGE_BAUDRATE, the verifying read, the crystal */
  stub = stub_load + (stub_rate != rate ? 3 * rtt : 0) +
         STUB_READS * (stub_acks_early (self) ? 1 : 2) * rtt +
         glint_link_timing_wire_time (8 + GLINT_PARTITION_TABLE_SIZE + 3 * APP_FULL_SIZE +
                                      2 * GLINT_OTADATA_ENTRY_SIZE +
                                      STUB_READS * STUB_READ_FRAMES, stub_rate);
  g_debug ("contents: the ROM would take %.2f s, the stub %.2f s (round trip %.0f ms)",
           rom / 1e6, stub / 1e6, rtt / 1e3);
  return stub < rom;
}

/**
 * _glint_flasher_read_contents:
 * @next: called once #GlintFlasher:contents holds what was found
 *
 * Reads what is on the board (a step of the info job): on the ROM
 * loader, or with the flasher stub where that is sooner or the ROM
 * cannot read; the stub then stays loaded.
 * Fails the job only when the link does; flash that cannot be read,
 * blank or foreign flash is told in the contents.
 */
void
_glint_flasher_read_contents (GTask            *task,
                              GlintFlasherStep  next)
{
  GlintFlasher *self = g_task_get_source_object (task);
  ContentsJob *job = g_new0 (ContentsJob, 1);
  gint64 stub_load;

  job->contents = glint_board_contents_new ();
  job->started = g_get_monotonic_time ();
  job->contents->bootloader_offset = self->chip->bootloader_offset;
  job->data = g_byte_array_new ();
  job->next = next;
  job->round_trips_before = glint_loader_get_round_trips (self->loader);
  g_object_set_data_full (G_OBJECT (task), "glint-contents", job, contents_job_free);

  if (_glint_flasher_secure_download (self))
    {
      contents_not_read (task, _("secure download mode refuses flash reads"));
      return;
    }
  /* READ_FLASH(_SLOW) reads the flash as it is, past the decryption
   * that only the cache applies: ciphertext, which would look foreign */
  if (self->security_known && glint_chip_flash_encrypted (self->flash_crypt_cnt))
    {
      contents_not_read (task, _("flash encryption is on: the board’s flash holds encrypted "
                                 "data that cannot be read as plain text here"));
      return;
    }
  stub_load = _glint_flasher_stub_load_cost (self);
  if (!glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_READ_FLASH_SLOW) && stub_load < 0)
    {
      g_autofree char *no_stub = _glint_flasher_describe_no_stub (self);
      g_autofree char *why = g_strdup_printf (_("the %s ROM cannot read flash, and the flasher "
                                                "stub that can is not there: %s"),
                                              self->chip->display_name, no_stub);

      contents_not_read (task, why);
      return;
    }

  if (self->stub_running ||
      (stub_load >= 0 && (self->contents_by_stub ||
                          !glint_chip_rom_has (self->chip, GLINT_CHIP_ROM_READ_FLASH_SLOW) ||
                          stub_reads_sooner (self, stub_load))))
    {
      job->contents->with_stub = TRUE;
      _glint_flasher_log (self, GLINT_LOG_INFO, _("reading the partition table with the "
                                                  "flasher stub"));
      _glint_flasher_start_stub (task, stub_started);
      return;
    }

  _glint_flasher_log (self, GLINT_LOG_INFO, _("reading the partition table"));
  _glint_flasher_attach_flash (task, contents_attached);
}

void
_glint_flasher_set_contents_by_stub (GlintFlasher *self,
                                     gboolean      by_stub)
{
  self->contents_by_stub = by_stub;
}

/**
 * glint_flasher_set_read_contents:
 * @read_contents: the info job also reads what is on the board
 *
 * The info job then reads the partition table, each app's description
 * and otadata into #GlintBoardInfo:contents.
 */
void
glint_flasher_set_read_contents (GlintFlasher *self,
                                 gboolean      read_contents)
{
  g_return_if_fail (GLINT_IS_FLASHER (self));

  self->read_contents = read_contents;
}

/* The contents ----------------------------------------------------------------------- */

G_DEFINE_BOXED_TYPE (GlintBoardContents, glint_board_contents, glint_board_contents_copy,
                     glint_board_contents_free)

/**
 * glint_board_contents_new:
 *
 * Returns: (transfer full): contents not read yet
 */
GlintBoardContents *
glint_board_contents_new (void)
{
  GlintBoardContents *contents = g_new0 (GlintBoardContents, 1);

  contents->partitions = g_array_new (FALSE, TRUE, sizeof (GlintPartitionContents));
  return contents;
}

GlintBoardContents *
glint_board_contents_copy (const GlintBoardContents *contents)
{
  GlintBoardContents *copy;

  g_return_val_if_fail (contents != NULL, NULL);

  copy = g_memdup2 (contents, sizeof *contents);
  copy->why = g_strdup (contents->why);
  copy->partitions = g_array_copy (contents->partitions);
  return copy;
}

void
glint_board_contents_free (GlintBoardContents *contents)
{
  if (contents == NULL)
    return;
  g_free (contents->why);
  g_array_unref (contents->partitions);
  g_free (contents);
}

/**
 * glint_board_contents_lookup:
 * @contents: what is on a board
 * @name: a partition's name
 *
 * Returns: (nullable): the partition named @name
 */
const GlintPartitionContents *
glint_board_contents_lookup (const GlintBoardContents *contents,
                             const char               *name)
{
  for (guint i = 0; i < contents->partitions->len; i++)
    {
      GlintPartitionContents *pc = &g_array_index (contents->partitions,
                                                   GlintPartitionContents, i);

      if (strcmp (pc->partition.name, name) == 0)
        return pc;
    }
  return NULL;
}

/**
 * glint_board_contents_booting:
 * @contents: what is on a board
 *
 * Returns: (nullable): the app partition the bootloader starts
 */
const GlintPartitionContents *
glint_board_contents_booting (const GlintBoardContents *contents)
{
  for (guint i = 0; i < contents->partitions->len; i++)
    {
      GlintPartitionContents *pc = &g_array_index (contents->partitions,
                                                   GlintPartitionContents, i);

      if (pc->boots)
        return pc;
    }
  return NULL;
}

/**
 * glint_board_contents_summary:
 * @contents: what is on a board
 *
 * Returns: (transfer full): one line: "3 partitions; boots factory: wled
 *   0.15.0", "blank", "not read: …"
 */
char *
glint_board_contents_summary (const GlintBoardContents *contents)
{
  const GlintPartitionContents *boots;

  switch (contents->state)
    {
    case GLINT_CONTENTS_NOT_READ:
      return g_strdup_printf (_("not read: %s"), contents->why);
    case GLINT_CONTENTS_BLANK:
      return g_strdup (_("blank (erased): no bootloader, no partition table"));
    case GLINT_CONTENTS_FOREIGN:
      return g_strdup (contents->why);
    case GLINT_CONTENTS_PARTITIONS:
    default:
      break;
    }

  boots = glint_board_contents_booting (contents);
  if (boots != NULL && boots->app_state == GLINT_APP_FOUND)
    {
      g_autofree char *app = glint_app_desc_describe (&boots->desc);

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u partition at 0x%x; %s starts %s",
                                           "%u partitions at 0x%x; %s starts %s",
                                           contents->partitions->len),
                              contents->partitions->len, contents->table_offset,
                              boots->partition.name, app);
    }
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u partition at 0x%x; no app starts",
                                       "%u partitions at 0x%x; no app starts",
                                       contents->partitions->len),
                          contents->partitions->len, contents->table_offset);
}

/**
 * glint_partition_contents_describe_app:
 * @part: a partition of a board
 *
 * Returns: (transfer full): what its first bytes hold: "wled 0.15.0
 *   (ESP-IDF v4.4.7, 2025-01-20)", "blank"…; the type for data partitions
 */
char *
glint_partition_contents_describe_app (const GlintPartitionContents *part)
{
  switch (part->app_state)
    {
    case GLINT_APP_FOUND:
      return glint_app_desc_describe (&part->desc);
    case GLINT_APP_BLANK:
      return g_strdup (_("blank"));
    case GLINT_APP_NO_DESC:
      return g_strdup (_("an app without a description (not ESP-IDF)"));
    case GLINT_APP_NOT_APP:
      return g_strdup (_("not an app image"));
    case GLINT_APP_NOT_READ:
      return g_strdup (_("not read"));
    case GLINT_APP_NONE:
    default:
      return glint_partition_describe_type (&part->partition);
    }
}

/**
 * glint_partition_contents_describe:
 * @part: a partition of a board
 *
 * Returns: (transfer full): one line, as `glint-cli info` prints it:
 *   "factory  0x10000  1.0 MiB  wled 0.15.0 (ESP-IDF v4.4.7, 2025-01-20) — boots"
 */
char *
glint_partition_contents_describe (const GlintPartitionContents *part)
{
  g_autofree char *size = g_format_size_full (part->partition.size, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *what = glint_partition_contents_describe_app (part);
  g_autofree char *offset = g_strdup_printf ("0x%x", part->partition.offset);
  /* the size has a no-break space: pad by characters, not bytes */
  glong pad = MAX (0, 9 - g_utf8_strlen (size, -1));

  if (part->boots)
    /* Translators: a partition: name, offset, size, what it holds; it is the one that starts */
    return g_strdup_printf (_("%-16s %-9s %s%*s %s — boots"), part->partition.name, offset,
                            size, (int) pad, "", what);
  return g_strdup_printf ("%-16s %-9s %s%*s %s", part->partition.name, offset, size, (int) pad,
                          "", what);
}

/* The app the bootloader falls back to once otadata is erased: the
 * factory app, else the first OTA slot, each only if it holds an image
 * (§12.6). */
static const GlintPartitionContents *
fallback_app (const GlintBoardContents *contents)
{
  GArray *parts = contents->partitions;
  g_autoptr(GArray) table = g_array_sized_new (FALSE, TRUE, sizeof (GlintPartition),
                                               parts->len);
  g_autofree gboolean *held = g_new0 (gboolean, MAX (parts->len, 1));
  const GlintPartition *boots;

  for (guint i = 0; i < parts->len; i++)
    {
      const GlintPartitionContents *pc = &g_array_index (parts, GlintPartitionContents, i);

      g_array_append_val (table, pc->partition);
      /* not read: as if it held one */
      held[i] = pc->app_state == GLINT_APP_FOUND || pc->app_state == GLINT_APP_NO_DESC ||
                pc->app_state == GLINT_APP_NOT_READ;
    }
  boots = glint_partition_table_boots (table, NULL, held);
  return boots != NULL ? &g_array_index (parts, GlintPartitionContents,
                                         boots - (const GlintPartition *) (gpointer) table->data)
                       : NULL;
}

/**
 * glint_board_contents_describe_loss:
 * @contents: what is on a board
 * @part: one of its partitions
 *
 * What erasing @part loses, for a confirmation: "the settings the
 * firmware keeps (Wi-Fi credentials…)", "which OTA app starts: …".
 *
 * Returns: (transfer full): a sentence without its full stop
 */
char *
glint_board_contents_describe_loss (const GlintBoardContents     *contents,
                                    const GlintPartitionContents *part)
{
  const GlintPartition *p = &part->partition;

  if (glint_partition_is_app (p))
    {
      g_autofree char *name = part->app_state == GLINT_APP_FOUND ?
                              glint_app_desc_name (&part->desc) : NULL;

      if (part->app_state == GLINT_APP_BLANK)
        return g_strdup (_("nothing: it is blank already"));
      if (name != NULL && part->boots)
        return g_strdup_printf (_("the app %s, which the board starts now: it will not start "
                                  "until an app is written again"), name);
      if (name != NULL)
        return g_strdup_printf (_("the app %s"), name);
      return g_strdup (_("the app in it"));
    }
  if (p->type != GLINT_PARTITION_TYPE_DATA)
    return g_strdup (_("the data in it"));

  switch (p->subtype)
    {
    case GLINT_PARTITION_DATA_OTA:
      {
        const GlintPartitionContents *next = fallback_app (contents);

        if (next != NULL)
          return g_strdup_printf (_("which OTA update starts: %s starts next"),
                                  next->partition.name);
        return g_strdup (_("which OTA update starts"));
      }
    case GLINT_PARTITION_DATA_NVS:
      return g_strdup (_("the settings the firmware keeps there (Wi-Fi networks and "
                         "passwords, pairings, counters)"));
    case GLINT_PARTITION_DATA_NVS_KEYS:
      return g_strdup (_("the keys of the encrypted settings: those settings cannot be "
                         "read any more"));
    case GLINT_PARTITION_DATA_PHY:
      return g_strdup (_("the radio calibration (the firmware measures it again)"));
    case GLINT_PARTITION_DATA_COREDUMP:
      return g_strdup (_("the saved crash dump"));
    case GLINT_PARTITION_DATA_FAT:
    case GLINT_PARTITION_DATA_SPIFFS:
    case GLINT_PARTITION_DATA_LITTLEFS:
    case GLINT_PARTITION_DATA_ESPHTTPD:
      return g_strdup (_("the files stored in it"));
    default:
      return g_strdup (_("the data in it"));
    }
}

/**
 * glint_board_contents_list_names:
 * @contents: what is on a board
 *
 * Returns: (transfer full): "nvs, otadata, app0"
 */
char *
glint_board_contents_list_names (const GlintBoardContents *contents)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < contents->partitions->len; i++)
    g_string_append_printf (s, "%s%s", i > 0 ? ", " : "",
                            g_array_index (contents->partitions, GlintPartitionContents,
                                           i).partition.name);
  return g_string_free (s, FALSE);
}

/**
 * glint_board_contents_find:
 * @contents: what is on a board
 * @name: a partition's name
 * @error: why there is none
 *
 * Returns: (nullable): the partition, or %NULL with an error that says
 *   which partitions there are, or why none could be read
 */
const GlintPartitionContents *
glint_board_contents_find (const GlintBoardContents *contents,
                           const char               *name,
                           GError                  **error)
{
  const GlintPartitionContents *pc;
  g_autofree char *names = NULL;

  if (contents->state != GLINT_CONTENTS_PARTITIONS)
    {
      g_autofree char *summary = glint_board_contents_summary (contents);

      g_set_error (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED,
                   _("cannot find partition “%s”: the board has no partition table (%s); "
                     "give the offset and length instead"), name, summary);
      return NULL;
    }
  pc = glint_board_contents_lookup (contents, name);
  if (pc != NULL)
    return pc;

  names = glint_board_contents_list_names (contents);
  g_set_error (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED,
               _("the board has no partition “%s”; its partitions are %s"), name, names);
  return NULL;
}

/* Will it boot? ------------------------------------------------------------------- */

/* The plan's bytes at [offset, offset + len), if one region holds them all;
 * *touched tells whether any region overlaps them. */
static const guint8 *
plan_bytes (GlintFlashPlan *plan,
            guint32         offset,
            gsize           len,
            gboolean       *touched)
{
  *touched = FALSE;
  for (guint i = 0; i < glint_flash_plan_get_n_regions (plan); i++)
    {
      guint32 start = glint_flash_plan_get_region_offset (plan, i);
      GBytes *data = glint_flash_plan_get_region_data (plan, i);
      gsize size = g_bytes_get_size (data);

      if ((guint64) start + size <= offset || start >= (guint64) offset + len)
        continue;
      *touched = TRUE;
      if (start <= offset && (guint64) start + size >= (guint64) offset + len)
        return (const guint8 *) g_bytes_get_data (data, NULL) + (offset - start);
    }
  return NULL;
}

/* The offsets of the app images the plan writes on their own (not the
 * bootloader, not inside a merged image). */
static GArray *
plan_apps (GlintFlashPlan *plan,
           guint32         bootloader_offset)
{
  GArray *apps = g_array_new (FALSE, FALSE, sizeof (guint32));

  for (guint i = 0; i < glint_flash_plan_get_n_regions (plan); i++)
    {
      guint32 offset = glint_flash_plan_get_region_offset (plan, i);
      GBytes *data = glint_flash_plan_get_region_data (plan, i);
      gsize size = 0;
      const guint8 *p = g_bytes_get_data (data, &size);

      if (offset > GLINT_PARTITION_TABLE_OFFSET && offset != bootloader_offset && size > 0 &&
          p[0] == 0xE9)
        g_array_append_val (apps, offset);
    }
  return apps;
}

static gboolean
boot_check_applies (GlintFlashPlan *plan,
                    const char     *chip)
{
  g_autoptr(GArray) apps = NULL;

  /* ESP8266 builds (Arduino, NONOS, RTOS SDK) keep no ESP-IDF table */
  if (chip == NULL || g_str_equal (chip, "esp8266") || !glint_image_chip_is_known (chip))
    return FALSE;
  apps = plan_apps (plan, glint_image_chip_bootloader_offset (chip));
  return apps->len > 0;
}

/**
 * glint_boot_check_needs_board:
 * @plan: what will be written
 * @chip: (nullable): the chip it is for
 *
 * Returns: %TRUE if the plan writes an app but brings no bootloader or
 *   no partition table of its own, so that whether the board starts it
 *   depends on what the board holds (glint_boot_check ()); %FALSE when
 *   the plan alone decides (glint_boot_check () with no contents)
 */
gboolean
glint_boot_check_needs_board (GlintFlashPlan *plan,
                              const char     *chip)
{
  gboolean touched;
  const guint8 *bootloader, *table;

  if (chip == NULL)
    {
      /* the board will tell the chip, if the plan writes an app at all;
       * bootloaders go to 0 or 0x1000 */
      g_autoptr(GArray) apps = plan_apps (plan, 0);

      if (apps->len == 0)
        return FALSE;
      bootloader = plan_bytes (plan, 0, 1, &touched);
      if (bootloader == NULL)
        bootloader = plan_bytes (plan, 0x1000, 1, &touched);
    }
  else if (!boot_check_applies (plan, chip))
    return FALSE;
  else
    bootloader = plan_bytes (plan, glint_image_chip_bootloader_offset (chip), 1, &touched);
  table = plan_bytes (plan, GLINT_PARTITION_TABLE_OFFSET, GLINT_PARTITION_ENTRY_SIZE, &touched);
  /* the plan's own bootloader and table decide, if they are sound */
  return bootloader == NULL || bootloader[0] != 0xE9 || table == NULL ||
         !glint_partition_table_looks_like (table, GLINT_PARTITION_ENTRY_SIZE);
}

static char *
describe_apps (GArray *table)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < table->len; i++)
    {
      GlintPartition *p = &g_array_index (table, GlintPartition, i);

      if (glint_partition_is_app (p))
        g_string_append_printf (s, "%s%s 0x%x", s->len > 0 ? ", " : "", p->name, p->offset);
    }
  return g_string_free (s, FALSE);
}

/**
 * glint_boot_check:
 * @plan: what will be written
 * @chip: (nullable): the chip it is for
 * @contents: (nullable): what the board holds, if it was read
 *
 * Before writing an app: will the board start it? It needs a bootloader
 * at the chip's bootloader offset, a partition table and an app
 * partition at the app's offset, each either in @plan or already on the
 * board (where @plan does not overwrite it).
 *
 * Returns: (transfer full) (nullable): why the board will not start the
 *   firmware, with the fix; %NULL if it will, or if that cannot be told
 *   (the board could not be read)
 */
char *
glint_boot_check (GlintFlashPlan           *plan,
                  const char               *chip,
                  const GlintBoardContents *contents)
{
  guint32 bl_offset;
  gboolean touched;
  gboolean has_bootloader;
  g_autoptr(GArray) table = NULL;
  g_autoptr(GArray) apps = NULL;
  const guint8 *p;
  gboolean board_known = contents != NULL && contents->state != GLINT_CONTENTS_NOT_READ;

  if (!boot_check_applies (plan, chip))
    return NULL;
  bl_offset = glint_image_chip_bootloader_offset (chip);

  p = plan_bytes (plan, bl_offset, 1, &touched);
  if (p != NULL)
    has_bootloader = p[0] == 0xE9;
  else if (touched || !board_known)
    has_bootloader = !touched;   /* unknown: not ours to warn about */
  else
    has_bootloader = contents->bootloader;

  p = plan_bytes (plan, GLINT_PARTITION_TABLE_OFFSET, GLINT_PARTITION_TABLE_SIZE, &touched);
  if (p == NULL)
    {
      gboolean t2;

      /* a table file: shorter than the 3 KiB the table may take */
      p = plan_bytes (plan, GLINT_PARTITION_TABLE_OFFSET, GLINT_PARTITION_ENTRY_SIZE, &t2);
      if (p != NULL)
        {
          gsize avail = 0;

          for (guint i = 0; i < glint_flash_plan_get_n_regions (plan); i++)
            if (glint_flash_plan_get_region_offset (plan, i) <= GLINT_PARTITION_TABLE_OFFSET)
              {
                gsize size = g_bytes_get_size (glint_flash_plan_get_region_data (plan, i));
                guint32 start = glint_flash_plan_get_region_offset (plan, i);

                if (start + size > GLINT_PARTITION_TABLE_OFFSET)
                  avail = start + size - GLINT_PARTITION_TABLE_OFFSET;
              }
          table = glint_partition_table_parse (p, avail, NULL);
        }
    }
  else
    table = glint_partition_table_parse (p, GLINT_PARTITION_TABLE_SIZE, NULL);
  if (table == NULL && !touched && board_known && contents->state == GLINT_CONTENTS_PARTITIONS)
    {
      table = g_array_new (FALSE, TRUE, sizeof (GlintPartition));
      for (guint i = 0; i < contents->partitions->len; i++)
        g_array_append_val (table, g_array_index (contents->partitions,
                                                  GlintPartitionContents, i).partition);
    }

  if (!has_bootloader && table == NULL && (touched || board_known))
    return g_strdup_printf (_("the board will not start this firmware: there is no bootloader "
                              "at 0x%x and no partition table at 0x%x, neither on the board "
                              "nor in what is written; flash the whole build folder or a "
                              "merged image"), bl_offset, GLINT_PARTITION_TABLE_OFFSET);
  if (!has_bootloader)
    return g_strdup_printf (_("the board will not start this firmware: there is no bootloader "
                              "at 0x%x, neither on the board nor in what is written; flash "
                              "the whole build folder or a merged image"), bl_offset);
  if (table == NULL && (touched || board_known))
    return g_strdup_printf (_("the board will not start this firmware: there is no partition "
                              "table at 0x%x, neither on the board nor in what is written; "
                              "flash the whole build folder or a merged image"),
                            GLINT_PARTITION_TABLE_OFFSET);
  if (table == NULL)
    return NULL;

  apps = plan_apps (plan, bl_offset);
  for (guint i = 0; i < apps->len; i++)
    {
      guint32 offset = g_array_index (apps, guint32, i);
      const GlintPartition *part = glint_partition_table_at (table, offset);

      if (part == NULL || !glint_partition_is_app (part))
        {
          g_autofree char *list = describe_apps (table);

          return g_strdup_printf (_("the board will not start this firmware: the partition "
                                    "table has no app partition at 0x%x (its apps: %s); "
                                    "flash the whole build folder or a merged image, or write "
                                    "the app at one of those offsets"), offset,
                                  list[0] != '\0' ? list : _("none"));
        }
    }
  return NULL;
}
