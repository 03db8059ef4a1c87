/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

/* Writes ELF files shaped like ESP-IDF's application and bootloader ELFs
 * for each chip: the sections at the addresses the linker scripts use
 * (flash-mapped text and rodata 0x20 past a page start, IRAM, DRAM, RTC,
 * an app description, init arrays, .bss, debug data), so that the ELF
 * conversion can be held to esptool's elf2image. Header-only, for the
 * tests, the fuzz seeds and the glint-test-elf helper. */

typedef enum
{
  TEST_ELF_APP,            /* an application, app description first in flash */
  TEST_ELF_APP_MMU_CODE,   /* the app description names the MMU page size */
  TEST_ELF_APP_SPLIT,      /* flash text in two pages, RAM data in several parts */
  TEST_ELF_BOOTLOADER,     /* RAM only, with .dram0.bootdesc */
  TEST_ELF_N_KINDS
} TestElfKind;

typedef struct
{
  const char *chip;
  guint16     machine;
  guint32     iram;
  guint32     dram;
  guint32     drom;   /* first flash page for rodata */
  guint32     irom;   /* first flash page for text */
  guint32     rtc;    /* 0: none */
} TestElfChip;

static const TestElfChip test_elf_chips[] = {
  /* drom 0: the ESP8266's layout (IRAM, DRAM, one IROM section) */
  { "esp8266", 0x5E, 0x40100000, 0x3FFE8000, 0, 0x40210000, 0 },
  { "esp32", 0x5E, 0x40080000, 0x3FFB0000, 0x3F400000, 0x400D0000, 0x400C0000 },
  { "esp32s2", 0x5E, 0x40022000, 0x3FFBE000, 0x3F000000, 0x40080000, 0x40070000 },
  { "esp32s3", 0x5E, 0x40374000, 0x3FC90000, 0x3C000000, 0x42000000, 0x600FE000 },
  { "esp32c2", 0xF3, 0x4037C000, 0x3FCA0000, 0x3C000000, 0x42000000, 0 },
  { "esp32c3", 0xF3, 0x4037C000, 0x3FC88000, 0x3C000000, 0x42000000, 0x50000000 },
  { "esp32c5", 0xF3, 0x40800000, 0x40820000, 0x42000000, 0x42080000, 0x50000000 },
  { "esp32c6", 0xF3, 0x40800000, 0x40820000, 0x42800000, 0x42000000, 0x50000000 },
  { "esp32c61", 0xF3, 0x40800000, 0x40820000, 0x42800000, 0x42000000, 0x50000000 },
  { "esp32h2", 0xF3, 0x40800000, 0x40820000, 0x42800000, 0x42000000, 0x50000000 },
  { "esp32p4", 0xF3, 0x4FF00000, 0x4FF40000, 0x40000000, 0x40080000, 0x50108000 },
};

typedef struct
{
  GByteArray *strtab;
  GByteArray *body;      /* section data, after the 52-byte ELF header */
  GByteArray *headers;   /* section headers */
  guint       n;
  GRand      *rand;
} TestElfWriter;

static inline void
test_elf_put32 (guint8 *p, guint32 v)
{
  p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

static inline void
test_elf_header (TestElfWriter *w,
                 const char    *name,
                 guint32        type,
                 guint32        flags,
                 guint32        addr,
                 guint32        offset,
                 guint32        size)
{
  guint8 h[40] = { 0 };

  test_elf_put32 (h, w->strtab->len);
  g_byte_array_append (w->strtab, (const guint8 *) name, strlen (name) + 1);
  test_elf_put32 (h + 4, type);
  test_elf_put32 (h + 8, flags);
  test_elf_put32 (h + 12, addr);
  test_elf_put32 (h + 16, offset);
  test_elf_put32 (h + 20, size);
  test_elf_put32 (h + 32, 4);
  g_byte_array_append (w->headers, h, sizeof h);
  w->n++;
}

/* A section with @size bytes of data (random, or @data) at @addr. */
static inline void
test_elf_section (TestElfWriter *w,
                  const char    *name,
                  guint32        type,
                  guint32        addr,
                  const guint8  *data,
                  guint32        size)
{
  guint32 offset = 52 + w->body->len;

  for (guint32 i = 0; i < size; i++)
    {
      guint8 b = data != NULL ? data[i] : (guint8) g_rand_int (w->rand);

      g_byte_array_append (w->body, &b, 1);
    }
  /* keep the next section's data 4-byte aligned in the file */
  while (w->body->len % 4 != 0)
    g_byte_array_append (w->body, (const guint8 *) "", 1);
  test_elf_header (w, name, type, 0x6, addr, offset, size);
}

/* An esp_app_desc_t: magic, version, project, time, date, IDF version,
 * the ELF SHA-256 left zero for the converter, and the MMU page code. */
static inline void
test_elf_app_desc (guint8 desc[256],
                   guint8 mmu_code)
{
  memset (desc, 0, 256);
  test_elf_put32 (desc, 0xABCD5432);
  memcpy (desc + 16, "1.2.3", 5);
  memcpy (desc + 48, "blink", 5);
  memcpy (desc + 80, "12:00:00", 8);
  memcpy (desc + 96, "Dec  6 2026", 11);
  memcpy (desc + 112, "v5.4", 4);
  desc[180] = mmu_code;
}

/**
 * test_elf_build:
 * @chip: a chip of test_elf_chips
 * @kind: what to build
 * @seed: for the section contents
 *
 * Returns: (transfer full): the ELF file
 */
static inline GBytes *
test_elf_build (const TestElfChip *chip,
                TestElfKind        kind,
                guint32            seed)
{
  TestElfWriter w = { 0 };
  GByteArray *file = g_byte_array_new ();
  guint8 header[52] = { 0x7F, 'E', 'L', 'F', 1, 1, 1, 0 };
  guint8 desc[256];
  guint32 shoff;
  guint32 entry = chip->iram + 0x400;

  w.strtab = g_byte_array_new ();
  w.body = g_byte_array_new ();
  w.headers = g_byte_array_new ();
  w.rand = g_rand_new_with_seed (seed);

  g_byte_array_append (w.strtab, (const guint8 *) "", 1);
  test_elf_header (&w, "", 0, 0, 0, 0, 0);   /* the null section */

  if (chip->drom == 0 && kind != TEST_ELF_BOOTLOADER)
    {
      test_elf_section (&w, ".text", 1, chip->iram, NULL, 0x1233);
      test_elf_section (&w, ".data", 1, chip->dram, NULL, 0x321);
      test_elf_section (&w, ".rodata", 1, chip->dram + 0x324, NULL, 0x800 + kind * 4);
      test_elf_section (&w, ".bss", 8, chip->dram + 0x1000, NULL, 0);
      test_elf_section (&w, ".irom0.text", 1, chip->irom, NULL, 0x5555 + kind);
      entry = chip->iram + 0x4;
      kind = TEST_ELF_N_KINDS;   /* nothing more */
    }

  switch (kind)
    {
    case TEST_ELF_N_KINDS:
      break;

    case TEST_ELF_APP:
    case TEST_ELF_APP_MMU_CODE:
    case TEST_ELF_APP_SPLIT:
      test_elf_app_desc (desc, kind == TEST_ELF_APP_MMU_CODE ? 15 : 0);   /* 32 KB */
      test_elf_section (&w, ".flash.appdesc", 1, chip->drom + 0x20, desc, sizeof desc);
      /* adjacent: merged with the app description */
      test_elf_section (&w, ".flash.rodata", 1, chip->drom + 0x20 + 256, NULL, 0x2345);
      test_elf_section (&w, ".eh_frame", 1, chip->drom + 0x20 + 256 + 0x2348, NULL, 0x100);
      test_elf_section (&w, ".init_array", 0x0E, chip->drom + 0x20 + 256 + 0x2448, NULL, 8);
      test_elf_section (&w, ".iram0.vectors", 1, chip->iram, NULL, 0x403);
      test_elf_section (&w, ".iram0.text", 1, chip->iram + 0x404, NULL, 0x3000);
      test_elf_section (&w, ".dram0.data", 1, chip->dram, NULL, 0x1801);
      test_elf_section (&w, ".dram0.bss", 8, chip->dram + 0x1804, NULL, 0);
      /* .bss takes no file space but has a size */
      {
        guint8 *last = w.headers->data + w.headers->len - 40;

        test_elf_put32 (last + 20, 0x4000);
      }
      test_elf_section (&w, ".flash.text", 1, chip->irom + 0x20, NULL, 0x7777);
      if (kind == TEST_ELF_APP_SPLIT)
        {
          /* another page of flash text, and RAM in more pieces */
          test_elf_section (&w, ".flash.text2", 1, chip->irom + 0x30020, NULL, 0x1000);
          test_elf_section (&w, ".dram0.data2", 1, chip->dram + 0x8000, NULL, 0x9000);
          if (chip->rtc != 0)
            test_elf_section (&w, ".rtc.text", 1, chip->rtc, NULL, 0x64);
        }
      entry = chip->irom + 0x120;
      break;

    case TEST_ELF_BOOTLOADER:
    default:
      test_elf_section (&w, ".dram0.bootdesc", 1, chip->dram + 0x100, NULL, 0x50);
      test_elf_section (&w, ".dram0.rodata", 1, chip->dram + 0x200, NULL, 0x1234);
      test_elf_section (&w, ".iram_loader.text", 1, chip->iram + 0x8000, NULL, 0x2000);
      test_elf_section (&w, ".iram.text", 1, chip->iram, NULL, 0x3456);
      break;
    }

  /* what the converter must skip: debug data at address 0, symbols */
  test_elf_section (&w, ".debug_info", 1, 0, NULL, 0x200);
  test_elf_section (&w, ".comment", 1, 0, (const guint8 *) "GCC: (crosstool-NG)", 20);

  /* the section name table, last, naming itself */
  {
    guint32 offset = 52 + w.body->len;
    guint32 name = w.strtab->len;
    guint8 h[40] = { 0 };

    g_byte_array_append (w.strtab, (const guint8 *) ".shstrtab", 10);
    g_byte_array_append (w.body, w.strtab->data, w.strtab->len);
    while (w.body->len % 4 != 0)
      g_byte_array_append (w.body, (const guint8 *) "", 1);
    test_elf_put32 (h, name);
    test_elf_put32 (h + 4, 3);
    test_elf_put32 (h + 16, offset);
    test_elf_put32 (h + 20, w.strtab->len);
    test_elf_put32 (h + 32, 1);
    g_byte_array_append (w.headers, h, sizeof h);
    w.n++;
  }

  shoff = 52 + w.body->len;
  header[16] = 2;                         /* ET_EXEC */
  header[18] = chip->machine;
  header[20] = 1;                         /* version */
  test_elf_put32 (header + 24, entry);
  test_elf_put32 (header + 32, shoff);
  header[40] = 52;                        /* ehsize */
  header[46] = 40;                        /* shentsize */
  header[48] = w.n & 0xFF;                /* shnum */
  header[50] = (w.n - 1) & 0xFF;          /* shstrndx */

  g_byte_array_append (file, header, sizeof header);
  g_byte_array_append (file, w.body->data, w.body->len);
  g_byte_array_append (file, w.headers->data, w.headers->len);

  g_byte_array_unref (w.strtab);
  g_byte_array_unref (w.body);
  g_byte_array_unref (w.headers);
  g_rand_free (w.rand);
  return g_byte_array_free_to_bytes (file);
}

static inline const TestElfChip *
test_elf_chip (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (test_elf_chips); i++)
    {
      if (g_str_equal (test_elf_chips[i].chip, name))
        return &test_elf_chips[i];
    }
  return NULL;
}

G_END_DECLS
