/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "glint-bytes.h"
#include "glint-error.h"
#include "glint-formats.h"
#include "glint-image.h"

/* ELF → app or bootloader image, laid out as esptool's elf2image does
 * (docs/architecture.md, "Input formats"; the image layout is
 * docs/protocol.md §12). Only the facts are esptool's: which sections
 * count, how adjacent ones merge, where flash-mapped segments must sit
 * in the file (at their address modulo the MMU page), how RAM segments
 * fill the gaps, and the header, checksum and digest. */

#define ELF_HEADER_SIZE       0x34
#define ELF_SECTION_SIZE      0x28
#define ELF_MACHINE_XTENSA    0x5E
#define ELF_MACHINE_RISCV     0xF3
#define SHT_PROGBITS          0x01
#define SHT_STRTAB            0x03
#define SHT_NOBITS            0x08
#define SHT_INIT_ARRAY        0x0E
#define SHT_FINI_ARRAY        0x0F
#define SHT_PREINIT_ARRAY     0x10

#define SEG_HEADER_SIZE       8
#define MAX_SEGMENT_LEN       0x1000000
#define ELF_SHA256_OFFSET     0xB0
#define APP_DESC_SIZE         256
#define APP_DESC_MMU_PAGE     180
#define DEFAULT_MMU_PAGE      0x10000

typedef struct
{
  guint32     start;
  guint32     end;
} Range;

/* Per chip: the flash-mapped address windows and the memory map whose
 * region kinds decide which sections may merge (esptool's targets). */
typedef struct
{
  const char *chip;
  guint16     machine;
  Range       irom;
  Range       drom;
  gboolean    esp32_mmu_workaround;  /* the ESP32's last-page bootloader bug */
  guint32     mmu_pages;             /* configurable MMU page sizes, a bit each; 0: 64 KiB */
  gboolean    esp8266;               /* v1 images: RAM image at 0, IROM data apart */
  Range       map[16];               /* region kinds; end 0 ends the list */
} ElfChip;

#define KB(n) ((n) * 1024u)

static const ElfChip elf_chips[] = {
  { "esp8266", ELF_MACHINE_XTENSA, { 0x40200000, 0x40300000 }, { 0, 0 }, FALSE, 0, TRUE,
    { { 0x3FF00000, 0x3FF00010 }, { 0x3FFE8000, 0x40000000 }, { 0x40100000, 0x40108000 },
      { 0x40201010, 0x402E1010 } } },
  { "esp32", ELF_MACHINE_XTENSA, { 0x400D0000, 0x40400000 }, { 0x3F400000, 0x3F800000 },
    TRUE, 0, FALSE,
    { { 0x00000000, 0x00010000 }, { 0x3F400000, 0x3F800000 }, { 0x3F800000, 0x3FC00000 },
      { 0x3FF80000, 0x3FF82000 }, { 0x3FF90000, 0x40000000 }, { 0x3FFAE000, 0x40000000 },
      { 0x3FFE0000, 0x3FFFFFFC }, { 0x40000000, 0x40070000 }, { 0x40070000, 0x40078000 },
      { 0x40078000, 0x40080000 }, { 0x40080000, 0x400A0000 }, { 0x400A0000, 0x400BFFFC },
      { 0x400C0000, 0x400C2000 }, { 0x400D0000, 0x40400000 }, { 0x50000000, 0x50002000 } } },
  { "esp32s2", ELF_MACHINE_XTENSA, { 0x40080000, 0x40B80000 }, { 0x3F000000, 0x3F3F0000 },
    FALSE, 0, FALSE,
    { { 0x00000000, 0x00010000 }, { 0x3F000000, 0x3FF80000 }, { 0x3F500000, 0x3FF80000 },
      { 0x3FF9E000, 0x3FFA0000 }, { 0x3FF9E000, 0x40000000 }, { 0x3FF9E000, 0x40072000 },
      { 0x3FFB0000, 0x40000000 }, { 0x40000000, 0x4001A100 }, { 0x40020000, 0x40070000 },
      { 0x40070000, 0x40072000 }, { 0x40080000, 0x40800000 }, { 0x50000000, 0x50002000 } } },
  { "esp32s3", ELF_MACHINE_XTENSA, { 0x42000000, 0x44000000 }, { 0x3C000000, 0x3E000000 },
    FALSE, 0, FALSE,
    { { 0x00000000, 0x00010000 }, { 0x3C000000, 0x3D000000 }, { 0x3D000000, 0x3E000000 },
      { 0x600FE000, 0x60100000 }, { 0x3FC88000, 0x3FD00000 }, { 0x3FC88000, 0x403E2000 },
      { 0x3FC88000, 0x3FD00000 }, { 0x40000000, 0x4001A100 }, { 0x40370000, 0x403E0000 },
      { 0x600FE000, 0x60100000 }, { 0x42000000, 0x42800000 }, { 0x50000000, 0x50002000 } } },
  { "esp32c2", ELF_MACHINE_RISCV, { 0x42000000, 0x42400000 }, { 0x3C000000, 0x3C400000 },
    FALSE, KB (16) | KB (32) | KB (64), FALSE,
    { { 0x00000000, 0x00010000 }, { 0x3C000000, 0x3C400000 }, { 0x3FCA0000, 0x3FCE0000 },
      { 0x3FC88000, 0x3FD00000 }, { 0x3FF00000, 0x3FF50000 }, { 0x40000000, 0x40090000 },
      { 0x42000000, 0x42400000 }, { 0x4037C000, 0x403C0000 } } },
  { "esp32c3", ELF_MACHINE_RISCV, { 0x42000000, 0x42800000 }, { 0x3C000000, 0x3C800000 },
    FALSE, 0, FALSE,
    { { 0x00000000, 0x00010000 }, { 0x3C000000, 0x3C800000 }, { 0x3FC80000, 0x3FCE0000 },
      { 0x3FC88000, 0x3FD00000 }, { 0x3FF00000, 0x3FF20000 }, { 0x40000000, 0x40060000 },
      { 0x42000000, 0x42800000 }, { 0x4037C000, 0x403E0000 }, { 0x50000000, 0x50002000 },
      { 0x50000000, 0x50002000 }, { 0x600FE000, 0x60100000 } } },
  { "esp32c5", ELF_MACHINE_RISCV, { 0x42000000, 0x44000000 }, { 0x42000000, 0x44000000 },
    FALSE, 0, FALSE,
    { { 0x00000000, 0x00010000 }, { 0x42000000, 0x44000000 }, { 0x40800000, 0x40860000 },
      { 0x40800000, 0x40860000 }, { 0x4003A000, 0x40040000 }, { 0x40000000, 0x4003A000 },
      { 0x42000000, 0x44000000 }, { 0x40800000, 0x40860000 }, { 0x50000000, 0x50004000 },
      { 0x50000000, 0x50004000 }, { 0x600FE000, 0x60100000 } } },
  { "esp32c6", ELF_MACHINE_RISCV, { 0x42000000, 0x42800000 }, { 0x42800000, 0x43000000 },
    FALSE, KB (8) | KB (16) | KB (32) | KB (64), FALSE,
    { { 0x00000000, 0x00010000 }, { 0x42000000, 0x43000000 }, { 0x40800000, 0x40880000 },
      { 0x40800000, 0x40880000 }, { 0x4004AC00, 0x40050000 }, { 0x40000000, 0x4004AC00 },
      { 0x42000000, 0x43000000 }, { 0x40800000, 0x40880000 }, { 0x50000000, 0x50004000 },
      { 0x50000000, 0x50004000 }, { 0x600FE000, 0x60100000 } } },
  { "esp32c61", ELF_MACHINE_RISCV, { 0x42000000, 0x42800000 }, { 0x42800000, 0x43000000 },
    FALSE, KB (8) | KB (16) | KB (32) | KB (64), FALSE,
    { { 0x00000000, 0x00010000 }, { 0x42000000, 0x44000000 }, { 0x40800000, 0x40860000 },
      { 0x40800000, 0x40860000 }, { 0x4004AC00, 0x40050000 }, { 0x40000000, 0x4004AC00 },
      { 0x42000000, 0x44000000 }, { 0x40800000, 0x40860000 }, { 0x50000000, 0x50004000 },
      { 0x50000000, 0x50004000 }, { 0x600FE000, 0x60100000 } } },
  { "esp32h2", ELF_MACHINE_RISCV, { 0x42000000, 0x42800000 }, { 0x42800000, 0x43000000 },
    FALSE, KB (8) | KB (16) | KB (32) | KB (64), FALSE,
    { { 0x00000000, 0x00010000 }, { 0x42000000, 0x43000000 }, { 0x40800000, 0x40880000 },
      { 0x40800000, 0x40880000 }, { 0x4004AC00, 0x40050000 }, { 0x40000000, 0x4004AC00 },
      { 0x42000000, 0x43000000 }, { 0x40800000, 0x40880000 }, { 0x50000000, 0x50004000 },
      { 0x50000000, 0x50004000 }, { 0x600FE000, 0x60100000 } } },
  { "esp32p4", ELF_MACHINE_RISCV, { 0x40000000, 0x4C000000 }, { 0x40000000, 0x4C000000 },
    FALSE, 0, FALSE,
    { { 0x00000000, 0x00010000 }, { 0x40000000, 0x4C000000 }, { 0x4FF00000, 0x4FFA0000 },
      { 0x4FF00000, 0x4FFA0000 }, { 0x4FC00000, 0x4FC20000 }, { 0x4FC00000, 0x4FC20000 },
      { 0x40000000, 0x4C000000 }, { 0x4FF00000, 0x4FFA0000 }, { 0x50108000, 0x50110000 },
      { 0x50108000, 0x50110000 }, { 0x600FE000, 0x60100000 } } },
};

typedef struct
{
  char       *name;
  guint32     addr;
  GByteArray *data;
} Segment;

static void
segment_clear (gpointer p)
{
  Segment *seg = p;

  g_free (seg->name);
  if (seg->data != NULL)
    g_byte_array_unref (seg->data);
}

/**
 * glint_elf_looks_like:
 * @data: file contents
 *
 * Returns: whether @data starts with the ELF magic
 */
gboolean
glint_elf_looks_like (GBytes *data)
{
  gsize len;
  const guint8 *p;

  g_return_val_if_fail (data != NULL, FALSE);

  p = g_bytes_get_data (data, &len);
  return len >= 4 && memcmp (p, "\x7F" "ELF", 4) == 0;
}

static const ElfChip *
find_chip (const char *chip)
{
  for (guint i = 0; i < G_N_ELEMENTS (elf_chips); i++)
    {
      if (g_str_equal (elf_chips[i].chip, chip))
        return &elf_chips[i];
    }
  return NULL;
}

/* Which region kinds of the memory map hold @addr: sections merge only
 * within the same kinds. */
static guint32
memory_kinds (const ElfChip *chip,
              guint32        addr)
{
  guint32 kinds = 0;

  for (guint i = 0; i < G_N_ELEMENTS (chip->map) && chip->map[i].end != 0; i++)
    {
      if (chip->map[i].start <= addr && addr < chip->map[i].end)
        kinds |= 1u << i;
    }
  return kinds;
}

static gboolean
is_flash_addr (const ElfChip *chip,
               guint32        addr)
{
  return (chip->irom.start <= addr && addr < chip->irom.end) ||
         (chip->drom.start <= addr && addr < chip->drom.end);
}

/* The sections elf2image takes: program data with an address and a size,
 * padded with zeros to a multiple of 4 bytes, in the file's order. */
static GArray *
read_sections (const guint8  *p,
               gsize          len,
               GError       **error)
{
  g_autoptr(GArray) sections = g_array_new (FALSE, TRUE, sizeof (Segment));
  guint32 shoff = glint_read_u32 (p + 0x20);
  guint16 shentsize = glint_read_u16 (p + 0x2E);
  guint16 shnum = glint_read_u16 (p + 0x30);
  guint16 shstrndx = glint_read_u16 (p + 0x32);
  const guint8 *strtab_hdr;
  guint32 str_off, str_size;

  g_array_set_clear_func (sections, segment_clear);

  if (shentsize != ELF_SECTION_SIZE)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("the ELF file has section headers of %u bytes, not 40"), shentsize);
      return NULL;
    }
  if (shnum == 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("the ELF file has no section headers (was it stripped?)"));
      return NULL;
    }
  if ((guint64) shoff + (guint64) shnum * ELF_SECTION_SIZE > len)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("the ELF file is cut short: its section headers end beyond the file"));
      return NULL;
    }
  if (shstrndx >= shnum)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("the ELF file names no section name table"));
      return NULL;
    }

  strtab_hdr = p + shoff + (gsize) shstrndx * ELF_SECTION_SIZE;
  str_off = glint_read_u32 (strtab_hdr + 0x10);
  str_size = glint_read_u32 (strtab_hdr + 0x14);
  if ((guint64) str_off + str_size > len)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("the ELF file is cut short: its section name table ends beyond the "
                     "file"));
      return NULL;
    }

  for (guint i = 0; i < shnum; i++)
    {
      const guint8 *hdr = p + shoff + (gsize) i * ELF_SECTION_SIZE;
      guint32 name_off = glint_read_u32 (hdr);
      guint32 type = glint_read_u32 (hdr + 0x04);
      guint32 addr = glint_read_u32 (hdr + 0x0C);
      guint32 offset = glint_read_u32 (hdr + 0x10);
      guint32 size = glint_read_u32 (hdr + 0x14);
      const char *name_start;
      const char *name_end;
      Segment seg = { 0 };
      static const guint8 zeros[4] = { 0 };

      if (addr == 0 || size == 0)
        continue;
      if (type != SHT_PROGBITS && type != SHT_INIT_ARRAY && type != SHT_FINI_ARRAY &&
          type != SHT_PREINIT_ARRAY)
        continue;

      if ((guint64) offset + size > len)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("the ELF file is cut short: section %u (at 0x%08x) ends beyond "
                         "the file"), i, addr);
          return NULL;
        }
      if (size >= MAX_SEGMENT_LEN)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("ELF section %u (at 0x%08x) is larger than the 16 MB an image "
                         "segment can hold"), i, addr);
          return NULL;
        }

      name_start = (const char *) p + str_off + MIN (name_off, str_size);
      name_end = memchr (name_start, 0, str_off + str_size - (name_start - (const char *) p));
      if (name_off >= str_size || name_end == NULL)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("ELF section %u has a name outside the section name table"), i);
          return NULL;
        }

      seg.name = g_strndup (name_start, name_end - name_start);
      seg.addr = addr;
      seg.data = g_byte_array_sized_new (size + 3);
      g_byte_array_append (seg.data, p + offset, size);
      if (size % 4 != 0)
        g_byte_array_append (seg.data, zeros, 4 - size % 4);
      g_array_append_val (sections, seg);
    }

  return g_steal_pointer (&sections);
}

/* Sections that follow each other in the file and in memory, within the
 * same kinds of memory, become one segment. Whether two merge depends on
 * the first one's own length, as in esptool's walk from the back. */
static void
merge_like_esptool (GArray        *segs,
                    const ElfChip *chip)
{
  g_autoptr(GArray) lengths = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) merge_next = g_array_new (FALSE, TRUE, sizeof (gboolean));

  for (guint i = 0; i < segs->len; i++)
    {
      Segment *a = &g_array_index (segs, Segment, i);
      gboolean merge = FALSE;

      if (i + 1 < segs->len)
        {
          Segment *b = &g_array_index (segs, Segment, i + 1);

          merge = (guint64) a->addr + a->data->len == b->addr &&
                  memory_kinds (chip, a->addr) == memory_kinds (chip, b->addr);
        }
      g_array_append_val (merge_next, merge);
    }

  /* from the back: a section takes its successor (with what that took) */
  for (guint i = segs->len; i-- > 1;)
    {
      if (g_array_index (merge_next, gboolean, i - 1))
        {
          Segment *a = &g_array_index (segs, Segment, i - 1);
          Segment *b = &g_array_index (segs, Segment, i);

          g_byte_array_append (a->data, b->data->data, b->data->len);
          g_array_remove_index (segs, i);
        }
    }
}

typedef struct
{
  GByteArray    *out;
  guint8         checksum;
  guint          n_segments;
  const guint8  *elf_sha256;   /* NULL: no digest to place */
} Writer;

/* Writes a segment: header, data (with the ELF's SHA-256 at file offset
 * 0xB0 when it falls into this segment, where esptool puts it). */
static gboolean
write_segment (Writer       *w,
               guint32       addr,
               const guint8 *data,
               gsize         len,
               GError      **error)
{
  g_autofree guint8 *copy = g_memdup2 (data, len);
  guint8 header[SEG_HEADER_SIZE];
  gsize pos = w->out->len;

  if (len % 4 != 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("an image segment at 0x%08x would be %lu bytes long, not a multiple "
                     "of 4: the ELF file's sections are not aligned as an image needs"),
                   addr, (unsigned long) len);
      return FALSE;
    }
  if (len >= MAX_SEGMENT_LEN)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("an image segment at 0x%08x would exceed 16 MB"), addr);
      return FALSE;
    }

  if (w->elf_sha256 != NULL && ELF_SHA256_OFFSET >= pos && ELF_SHA256_OFFSET < pos + len)
    {
      gsize at = ELF_SHA256_OFFSET - pos;

      if (at < SEG_HEADER_SIZE || at + GLINT_IMAGE_DIGEST_SIZE > len)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("the ELF file's SHA-256 cannot be placed at 0x%x: it would span "
                         "two segments"), ELF_SHA256_OFFSET);
          return FALSE;
        }
      at -= SEG_HEADER_SIZE;
      for (guint i = 0; i < GLINT_IMAGE_DIGEST_SIZE; i++)
        {
          if (copy[at + i] != 0)
            {
              g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                           _("the application description holds data where the ELF "
                             "file's SHA-256 goes (image offset 0x%x)"), ELF_SHA256_OFFSET);
              return FALSE;
            }
        }
      memcpy (copy + at, w->elf_sha256, GLINT_IMAGE_DIGEST_SIZE);
    }

  glint_put_u32 (header, addr);
  glint_put_u32 (header + 4, (guint32) len);
  g_byte_array_append (w->out, header, sizeof header);
  g_byte_array_append (w->out, copy, len);
  for (gsize i = 0; i < len; i++)
    w->checksum ^= copy[i];
  w->n_segments++;
  return TRUE;
}

/* Padding before a flash segment so that its data lands at a file offset
 * equal to its address modulo the MMU page (esptool's rule). */
static gint64
alignment_needed (gsize    pos,
                  guint32  addr,
                  guint32  page)
{
  gint64 align_past = (gint64) (addr % page) - SEG_HEADER_SIZE;
  gint64 pad = (gint64) (page - pos % page) + align_past;

  if (pad == 0 || pad == page)
    return 0;
  pad -= SEG_HEADER_SIZE;
  if (pad < 0)
    pad += page;
  return pad;
}

static gint
compare_addr (gconstpointer a,
              gconstpointer b)
{
  const Segment *sa = *(const Segment * const *) a;
  const Segment *sb = *(const Segment * const *) b;

  return sa->addr < sb->addr ? -1 : sa->addr > sb->addr;
}

/* The MMU page size of chips where it is configurable: the app
 * description says it (ESP-IDF 5.4 and later), or its address does. */
static gboolean
mmu_page_size (const ElfChip  *chip,
               GArray         *sections,
               guint32        *page,
               GError        **error)
{
  *page = DEFAULT_MMU_PAGE;
  if (chip->mmu_pages == 0)
    return TRUE;

  for (guint i = 0; i < sections->len; i++)
    {
      Segment *seg = &g_array_index (sections, Segment, i);
      guint8 code;

      if (strstr (seg->name, ".flash.appdesc") == NULL)
        continue;
      if (!is_flash_addr (chip, seg->addr) || seg->data->len < APP_DESC_SIZE ||
          glint_read_u32 (seg->data->data) != 0xABCD5432)
        return TRUE;

      code = seg->data->data[APP_DESC_MMU_PAGE];
      if (code != 0)
        {
          guint32 size = code < 32 ? 1u << code : 0;

          if (size == 0 || !(chip->mmu_pages & size))
            {
              g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                           _("the application description asks for an MMU page size "
                             "(code %u) that %s does not have"), code, chip->chip);
              return FALSE;
            }
          *page = size;
          return TRUE;
        }

      for (guint32 size = KB (64); size >= KB (8); size /= 2)
        {
          if ((chip->mmu_pages & size) && (seg->addr - 24 - 8) % size == 0)
            {
              *page = size;
              break;
            }
        }
      return TRUE;
    }

  return TRUE;
}

/* Checks the ELF header against @chip and reads its sections. */
static GArray *
read_elf (GBytes         *data,
          const char     *chip,
          const ElfChip **facts,
          guint32        *entry,
          GError        **error)
{
  g_autoptr(GArray) sections = NULL;
  const guint8 *p;
  gsize len;
  guint16 machine;

  p = g_bytes_get_data (data, &len);

  if (len < 4 || memcmp (p, "\x7F" "ELF", 4) != 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("this is not an ELF file (no ELF magic)"));
      return NULL;
    }
  if (len < ELF_HEADER_SIZE)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("the ELF file is cut short: it ends inside its header"));
      return NULL;
    }
  if (p[4] != 1 || p[5] != 1)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("the ELF file is not 32-bit little-endian, as every Espressif "
                     "firmware is"));
      return NULL;
    }

  machine = glint_read_u16 (p + 0x12);
  if (machine != ELF_MACHINE_XTENSA && machine != ELF_MACHINE_RISCV)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP,
                   _("the ELF file is built for machine type 0x%04x, neither Xtensa nor "
                     "RISC-V: it is not firmware for an Espressif chip"), machine);
      return NULL;
    }

  *facts = find_chip (chip);
  if (*facts == NULL)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_UNSUPPORTED_CHIP,
                   _("Glint cannot convert ELF files for %s yet: convert it with "
                     "“esptool elf2image” and flash the .bin files"), chip);
      return NULL;
    }
  if (machine != (*facts)->machine)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP,
                   _("the ELF file is for the %s architecture, but the %s is %s"),
                   machine == ELF_MACHINE_XTENSA ? "Xtensa" : "RISC-V",
                   glint_image_chip_to_family (chip),
                   (*facts)->machine == ELF_MACHINE_XTENSA ? "Xtensa" : "RISC-V");
      return NULL;
    }
  *entry = glint_read_u32 (p + 0x18);
  sections = read_sections (p, len, error);
  if (sections == NULL)
    return NULL;
  if (sections->len == 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("the ELF file has no sections to load"));
      return NULL;
    }

  /* Code linked for flash sits in the chip's flash windows; elsewhere it
   * was linked for another chip of the same architecture, and an image
   * made of it would not run (esptool makes one all the same). */
  for (guint i = 0; i < sections->len; i++)
    {
      Segment *seg = &g_array_index (sections, Segment, i);

      if ((g_str_has_prefix (seg->name, ".flash.") || g_str_has_prefix (seg->name, ".irom")) &&
          !is_flash_addr (*facts, seg->addr))
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP,
                       _("the ELF file is built for another chip: its section %s at 0x%08x "
                         "is outside the flash the %s maps"),
                       seg->name, seg->addr, glint_image_chip_to_family (chip));
          return NULL;
        }
    }

  return g_steal_pointer (&sections);
}

/* The ELF file's SHA-256 goes into the application description when that
 * is in flash: returns whether @sha256 was filled. */
static gboolean
appdesc_elf_sha256 (GBytes        *data,
                    GArray        *sections,
                    const ElfChip *facts,
                    guint8         sha256[GLINT_IMAGE_DIGEST_SIZE])
{
  for (guint i = 0; i < sections->len; i++)
    {
      Segment *seg = &g_array_index (sections, Segment, i);
      g_autoptr(GChecksum) sum = NULL;
      gsize digest_len = GLINT_IMAGE_DIGEST_SIZE;

      if (strstr (seg->name, ".flash.appdesc") == NULL)
        continue;
      if (!is_flash_addr (facts, seg->addr))
        return FALSE;
      sum = g_checksum_new (G_CHECKSUM_SHA256);
      g_checksum_update (sum, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
      g_checksum_get_digest (sum, sha256, &digest_len);
      return TRUE;
    }
  return FALSE;
}

/* Moves the segment named @name, if any, to the front of @segs. */
static void
move_to_front (GPtrArray  *segs,
               const char *name)
{
  for (guint i = 0; i < segs->len; i++)
    {
      Segment *seg = segs->pdata[i];

      if (g_str_equal (seg->name, name))
        {
          g_ptr_array_steal_index (segs, i);
          g_ptr_array_insert (segs, 0, seg);
          return;
        }
    }
}

/* Splits the merged sections into flash and RAM segments in the order an
 * image holds them: by address (stable: equal addresses keep the file's
 * order), the app description and the boot description first. Two flash
 * segments in one MMU page cannot be mapped. */
static gboolean
order_segments (GArray         *sections,
                const ElfChip  *facts,
                guint32         page,
                GPtrArray      *flash,
                GPtrArray      *ram,
                GError        **error)
{
  for (guint i = 0; i < sections->len; i++)
    {
      Segment *seg = &g_array_index (sections, Segment, i);

      g_ptr_array_add (is_flash_addr (facts, seg->addr) ? flash : ram, seg);
    }
  g_ptr_array_sort (flash, compare_addr);
  g_ptr_array_sort (ram, compare_addr);
  move_to_front (flash, ".flash.appdesc");
  move_to_front (ram, ".dram0.bootdesc");

  for (guint i = 1; i < flash->len; i++)
    {
      Segment *prev = flash->pdata[i - 1];
      Segment *seg = flash->pdata[i];

      if (seg->addr / page == prev->addr / page)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                       _("ELF sections at 0x%08x and 0x%08x share one %u KB flash page, "
                         "which an image cannot map (a linker script problem)"),
                       prev->addr, seg->addr, page / 1024);
          return FALSE;
        }
    }
  return TRUE;
}

/* The image header and extended header; the flash settings are patched in
 * at the end (glint_image_patch_header()). */
static void
append_header (GByteArray *out,
               guint32     entry,
               guint16     chip_id)
{
  guint8 header[GLINT_IMAGE_HEADER_SIZE + GLINT_IMAGE_EXT_HEADER_SIZE] = { 0 };

  header[0] = GLINT_IMAGE_MAGIC;
  glint_put_u32 (header + 4, entry);
  header[8] = 0xEE;                /* WP pin disabled */
  header[12] = chip_id & 0xFF;
  header[13] = chip_id >> 8;
  header[14] = 0;                  /* min_rev */
  header[15] = 0;                  /* min_rev_full */
  header[16] = 0;
  header[17] = 0xFF;               /* max_rev_full: 0xFFFF, no maximum */
  header[18] = 0xFF;
  header[23] = 1;                  /* a digest is appended */
  g_byte_array_append (out, header, sizeof header);
}

/* Flash segments at their page offsets, the gaps before them filled with
 * the start of the RAM data (or zeros where a segment header would not
 * fit); then the rest of the RAM segments. */
static gboolean
write_segments (Writer         *w,
                const ElfChip  *facts,
                guint32         page,
                GPtrArray      *flash,
                GPtrArray      *ram,
                GError        **error)
{
  gsize ram_skip = 0;   /* bytes of ram->pdata[0] already used as padding */
  guint32 ram_addr = 0;

  for (guint i = 0; i < flash->len;)
    {
      Segment *seg = flash->pdata[i];
      gint64 pad = alignment_needed (w->out->len, seg->addr, page);

      if (pad > 0 && ram->len > 0 && pad > SEG_HEADER_SIZE)
        {
          Segment *first = ram->pdata[0];
          gsize take = MIN ((gsize) pad, first->data->len - ram_skip);

          if (ram_skip == 0)
            ram_addr = first->addr;
          if (!write_segment (w, ram_addr, first->data->data + ram_skip, take, error))
            return FALSE;
          ram_skip += take;
          ram_addr += take;
          if (ram_skip == first->data->len)
            {
              g_ptr_array_remove_index (ram, 0);
              ram_skip = 0;
            }
        }
      else if (pad > 0)
        {
          g_autofree guint8 *zeros = g_malloc0 (pad);

          if (!write_segment (w, 0, zeros, pad, error))
            return FALSE;
        }
      else
        {
          g_autoptr(GByteArray) seg_data = g_byte_array_new ();

          g_byte_array_append (seg_data, seg->data->data, seg->data->len);
          if (facts->esp32_mmu_workaround)
            {
              gsize rem = (w->out->len + seg_data->len + SEG_HEADER_SIZE) % page;
              static const guint8 zeros[0x24] = { 0 };

              if (rem < 0x24)
                g_byte_array_append (seg_data, zeros, 0x24 - rem);
            }
          if (!write_segment (w, seg->addr, seg_data->data, seg_data->len, error))
            return FALSE;
          i++;
        }
    }

  for (guint i = 0; i < ram->len; i++)
    {
      Segment *seg = ram->pdata[i];
      gsize skip = i == 0 ? ram_skip : 0;

      if (!write_segment (w, i == 0 && skip > 0 ? ram_addr : seg->addr,
                          seg->data->data + skip, seg->data->len - skip, error))
        return FALSE;
    }
  return TRUE;
}

/* The checksum in the last byte of a 16-byte block, the segment count in
 * the header, then the SHA-256 digest of it all. */
static gboolean
finish_image (Writer  *w,
              GError **error)
{
  static const guint8 zeros[16] = { 0 };
  guint8 digest[GLINT_IMAGE_DIGEST_SIZE];
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize digest_len = sizeof digest;
  GByteArray *out = w->out;

  if (w->n_segments > 255)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("the image would need %u segments"), w->n_segments);
      return FALSE;
    }
  g_byte_array_append (out, zeros, 15 - out->len % 16);
  g_byte_array_append (out, &w->checksum, 1);
  out->data[1] = (guint8) w->n_segments;
  g_checksum_update (sum, out->data, out->len);
  g_checksum_get_digest (sum, digest, &digest_len);
  g_byte_array_append (out, digest, sizeof digest);
  return TRUE;
}

/* "keep" (and "detect" for the size) leave esptool's defaults. */
static const char *
setting_or (const char *value,
            const char *fallback,
            gboolean    detect_keeps)
{
  if (value == NULL || g_str_equal (value, "keep") ||
      (detect_keeps && g_str_equal (value, "detect")))
    return fallback;
  return value;
}

/**
 * glint_elf_to_image:
 * @data: an ESP-IDF or Arduino application (or bootloader) ELF file
 * @chip: the chip it is built for, e.g. "esp32s3"
 * @settings: (nullable): the flash settings for the header
 * @error: return location for a #GError
 *
 * Converts the ELF file as `esptool elf2image --chip CHIP` does with its
 * defaults (chip revisions 0 to 655.35, a SHA-256 digest appended, the
 * ELF file's SHA-256 in the application description), for the ESP32
 * family; the ESP8266's pair of images is glint_elf_to_esp8266()'s.
 *
 * Returns: (transfer full): the image, or %NULL with
 *   %GLINT_ERROR_INVALID_IMAGE, %GLINT_ERROR_WRONG_CHIP,
 *   %GLINT_ERROR_UNSUPPORTED_CHIP or %GLINT_ERROR_INVALID_ARGUMENT
 */
GBytes *
glint_elf_to_image (GBytes                 *data,
                    const char             *chip,
                    const GlintElfSettings *settings,
                    GError                **error)
{
  const ElfChip *facts = NULL;
  guint32 entry = 0;
  guint32 page;
  guint16 chip_id = 0;
  g_autoptr(GArray) sections = NULL;
  g_autoptr(GPtrArray) flash = g_ptr_array_new ();
  g_autoptr(GPtrArray) ram = g_ptr_array_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GBytes) image = NULL;
  guint8 elf_sha256[GLINT_IMAGE_DIGEST_SIZE];
  Writer w = { 0 };

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (chip != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  chip = glint_image_chip_from_family (chip) != NULL ? glint_image_chip_from_family (chip) : chip;
  sections = read_elf (data, chip, &facts, &entry, error);
  if (sections == NULL)
    return NULL;
  if (facts->esp8266)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_UNSUPPORTED_CHIP,
                   _("an ESP8266 ELF file becomes two images, not one"));
      return NULL;
    }
  if (!glint_image_chip_get_id (chip, &chip_id))
    g_assert_not_reached ();
  if (!mmu_page_size (facts, sections, &page, error))
    return NULL;

  w.elf_sha256 = appdesc_elf_sha256 (data, sections, facts, elf_sha256) ? elf_sha256 : NULL;
  merge_like_esptool (sections, facts);
  if (sections->len > GLINT_IMAGE_MAX_SEGMENTS)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("the ELF file has %u segments after merging, more than the 16 an "
                     "image can hold (a linker script problem)"), sections->len);
      return NULL;
    }
  if (!order_segments (sections, facts, page, flash, ram, error))
    return NULL;

  append_header (out, entry, chip_id);
  w.out = out;
  w.checksum = 0xEF;
  if (!write_segments (&w, facts, page, flash, ram, error) || !finish_image (&w, error))
    return NULL;

  image = g_byte_array_free_to_bytes (g_steal_pointer (&out));
  return glint_image_patch_header (image, chip,
                                   setting_or (settings ? settings->flash_mode : NULL, "qio", FALSE),
                                   setting_or (settings ? settings->flash_freq : NULL, NULL, FALSE),
                                   setting_or (settings ? settings->flash_size : NULL, "1MB", TRUE),
                                   error);
}

/**
 * glint_elf_to_esp8266:
 * @data: an ESP8266 application ELF file (Arduino, NONOS or RTOS SDK)
 * @settings: (nullable): the flash settings for the header
 * @irom_offset: (out): where the IROM data goes in flash
 * @irom: (out) (transfer full) (nullable): the IROM data, %NULL when the
 *   ELF file has none
 * @error: return location for a #GError
 *
 * Converts the ELF file as `esptool --chip esp8266 elf2image` does with
 * its default version 1 image: the RAM segments form an image without
 * extended header or digest, written at 0; the one section in the IROM
 * window (0x40200000…) is written as it is, at its address less
 * 0x40200000.
 *
 * Returns: (transfer full): the image for offset 0, or %NULL
 */
GBytes *
glint_elf_to_esp8266 (GBytes                 *data,
                      const GlintElfSettings *settings,
                      guint32                *irom_offset,
                      GBytes                **irom,
                      GError                **error)
{
  const ElfChip *facts = NULL;
  g_autoptr(GArray) sections = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GBytes) image = NULL;
  g_autoptr(GBytes) unpatched = NULL;
  Segment *irom_seg = NULL;
  guint n_irom = 0;
  guint32 entry = 0;
  Writer w = { 0 };
  const char *flash_mode = "qio";
  const char *flash_freq = NULL;
  const char *flash_size = "1MB";
  guint8 header[GLINT_IMAGE_HEADER_SIZE] = { GLINT_IMAGE_MAGIC };
  static const guint8 zeros[16] = { 0 };

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (irom_offset != NULL && irom != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  *irom = NULL;
  *irom_offset = 0;
  sections = read_elf (data, "esp8266", &facts, &entry, error);
  if (sections == NULL)
    return NULL;

  merge_like_esptool (sections, facts);
  if (sections->len > GLINT_IMAGE_MAX_SEGMENTS)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("the ELF file has %u segments after merging, more than the 16 an "
                     "image can hold (a linker script problem)"), sections->len);
      return NULL;
    }

  for (guint i = 0; i < sections->len; i++)
    {
      Segment *seg = &g_array_index (sections, Segment, i);

      if (is_flash_addr (facts, seg->addr))
        {
          irom_seg = seg;
          n_irom++;
        }
    }
  if (n_irom > 1)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("the ELF file has %u separate sections in the ESP8266's IROM window; "
                     "an image takes one (a linker script problem)"), n_irom);
      return NULL;
    }

  header[1] = (guint8) (sections->len - n_irom);
  glint_put_u32 (header + 4, entry);
  g_byte_array_append (out, header, sizeof header);
  w.out = out;
  w.checksum = 0xEF;

  for (guint i = 0; i < sections->len; i++)
    {
      Segment *seg = &g_array_index (sections, Segment, i);

      if (seg != irom_seg &&
          !write_segment (&w, seg->addr, seg->data->data, seg->data->len, error))
        return NULL;
    }
  g_byte_array_append (out, zeros, 15 - out->len % 16);
  g_byte_array_append (out, &w.checksum, 1);

  if (settings != NULL)
    {
      if (settings->flash_mode != NULL && !g_str_equal (settings->flash_mode, "keep"))
        flash_mode = settings->flash_mode;
      if (settings->flash_freq != NULL && !g_str_equal (settings->flash_freq, "keep"))
        flash_freq = settings->flash_freq;
      if (settings->flash_size != NULL && !g_str_equal (settings->flash_size, "keep") &&
          !g_str_equal (settings->flash_size, "detect"))
        flash_size = settings->flash_size;
    }

  unpatched = g_byte_array_free_to_bytes (g_steal_pointer (&out));
  image = glint_image_patch_header (unpatched, "esp8266", flash_mode, flash_freq, flash_size,
                                    error);
  if (image == NULL)
    return NULL;

  if (irom_seg != NULL)
    {
      *irom_offset = irom_seg->addr - facts->irom.start;
      *irom = g_bytes_new (irom_seg->data->data, irom_seg->data->len);
    }
  return g_steal_pointer (&image);
}
