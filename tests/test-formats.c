/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gstdio.h>

#include "glint-error.h"
#include "glint-flash-plan.h"
#include "glint-formats.h"
#include "glint-image.h"
#include "glint-test-elf.h"
#include "glint-test-formats.h"
#include "glint-test-image.h"
#include "glint-test-utils.h"

/* Intel HEX, UF2 and unknown content: the parsers on files written here
 * the way esptool's merge-bin writes them, each malformed case with its
 * own message, and how the flash plan places and refuses them. */

static GBytes *
random_bytes (gsize   len,
              guint32 seed)
{
  guint8 *data = g_malloc (len);
  GRand *rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) g_rand_int (rand);
  g_rand_free (rand);
  return g_bytes_new_take (data, len);
}

static void
assert_region (GArray  *regions,
               guint    index,
               guint32  offset,
               GBytes  *expected)
{
  GlintFormatRegion *region;

  g_assert_cmpuint (index, <, regions->len);
  region = &g_array_index (regions, GlintFormatRegion, index);
  g_assert_cmphex (region->offset, ==, offset);
  g_assert_cmpmem (g_bytes_get_data (region->data, NULL), g_bytes_get_size (region->data),
                   g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
}

static GBytes *
string_bytes (GString *s)
{
  return g_bytes_new (s->str, s->len);
}

static void
test_hex_regions (void)
{
  g_autoptr(GBytes) a = random_bytes (5000, 1);
  g_autoptr(GBytes) b = random_bytes (0x20000 + 7, 2);   /* crosses 64 KiB boundaries */
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GBytes) hex = NULL;
  g_autoptr(GArray) regions = NULL;
  g_autoptr(GError) error = NULL;
  guint32 upper = 0;
  guint8 start[4] = { 0x40, 0x08, 0x06, 0x80 };

  hex_record (text, 0x04, 0, (const guint8 *) "\0\0", 2);
  hex_add (text, 0x1000, a, &upper);
  hex_add (text, 0x10000, b, &upper);
  hex_record (text, 0x05, 0, start, 4);
  hex_record (text, 0x01, 0, NULL, 0);
  hex = string_bytes (text);

  g_assert_cmpint (glint_format_detect (hex), ==, GLINT_FORMAT_INTEL_HEX);
  regions = glint_hex_parse (hex, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (regions->len, ==, 2);
  assert_region (regions, 0, 0x1000, a);
  assert_region (regions, 1, 0x10000, b);
}

static void
test_hex_gaps (void)
{
  static const guint8 d[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GBytes) hex = NULL;
  g_autoptr(GArray) regions = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *r0;
  guint8 seg[2] = { 0x01, 0x00 };   /* segment 0x0100: base 0x1000 */

  /* 0x1010 and 0x1030: one sector, so one region from 0x1000, padded */
  hex_record (text, 0x00, 0x1010, d, 16);
  hex_record (text, 0x00, 0x1030, d, 16);
  /* 0x3000 (type 02 base 0x1000 + 0x2000): another sector, another region */
  hex_record (text, 0x02, 0, seg, 2);
  hex_record (text, 0x00, 0x2000, d, 16);
  hex_record (text, 0x01, 0, NULL, 0);
  hex = string_bytes (text);

  regions = glint_hex_parse (hex, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (regions->len, ==, 2);
  g_assert_cmphex (g_array_index (regions, GlintFormatRegion, 0).offset, ==, 0x1000);
  g_assert_cmpuint (g_bytes_get_size (g_array_index (regions, GlintFormatRegion, 0).data),
                    ==, 0x40);
  r0 = g_bytes_get_data (g_array_index (regions, GlintFormatRegion, 0).data, NULL);
  g_assert_cmpuint (r0[0], ==, 0xFF);
  g_assert_cmpuint (r0[0x0F], ==, 0xFF);
  g_assert_cmpmem (r0 + 0x10, 16, d, 16);
  g_assert_cmpuint (r0[0x20], ==, 0xFF);
  g_assert_cmpmem (r0 + 0x30, 16, d, 16);
  g_assert_cmphex (g_array_index (regions, GlintFormatRegion, 1).offset, ==, 0x3000);
  g_assert_cmpuint (g_bytes_get_size (g_array_index (regions, GlintFormatRegion, 1).data),
                    ==, 16);
}

typedef struct
{
  const char *name;
  const char *text;
  int         code;
  const char *message;
} BadCase;

/* Each malformed file and the words its message must hold. */
static const BadCase bad_hex[] = {
  { "checksum", ":020000040000FA\n:0400000001020304F1\n:00000001FF\n",
    GLINT_ERROR_IMAGE_CORRUPT, "line 2: checksum is 0xF1, expected 0xF2" },
  { "no-colon", ":020000040000FA\n0400000001020304F2\n:00000001FF\n",
    GLINT_ERROR_INVALID_IMAGE, "line 2 does not start with “:”" },
  { "odd-digits", ":0400000001020304F\n:00000001FF\n",
    GLINT_ERROR_INVALID_IMAGE, "line 1 has an odd number of hex digits" },
  { "not-hex", ":04000000010203G4F2\n:00000001FF\n",
    GLINT_ERROR_INVALID_IMAGE, "line 1 holds “G”, which is not a hex digit" },
  { "short-count", ":0500000001020304F1\n:00000001FF\n",
    GLINT_ERROR_INVALID_IMAGE, "line 1 announces 5 data bytes but holds 4" },
  { "too-short", ":00000001\n", GLINT_ERROR_INVALID_IMAGE, "line 1 is too short" },
  { "no-eof", ":0400000001020304F2\n", GLINT_ERROR_INVALID_IMAGE,
    "ends after line 1 without an end-of-file record" },
  { "after-eof", ":00000001FF\n:0400000001020304F2\n", GLINT_ERROR_INVALID_IMAGE,
    "line 2: data after the end-of-file record" },
  { "eof-data", ":0100000101FD\n", GLINT_ERROR_INVALID_IMAGE,
    "line 1: the end-of-file record must hold no data" },
  { "type-06", ":00000006FA\n:00000001FF\n", GLINT_ERROR_INVALID_IMAGE,
    "line 1 has record type 06" },
  { "ext-length", ":0300000400000FEA\n:00000001FF\n", GLINT_ERROR_INVALID_IMAGE,
    "line 1: an extended address record holds 2 bytes, not 3" },
  { "start-length", ":020000050000F9\n:00000001FF\n", GLINT_ERROR_INVALID_IMAGE,
    "line 1: a start address record holds 4 bytes, not 2" },
  { "twice", ":0400000001020304F2\n:0400020001020304F0\n:00000001FF\n",
    GLINT_ERROR_INVALID_IMAGE, "line 2 writes to 0x2 again, already written by line 1" },
  { "beyond-4g", ":02000004FFFFFC\n:04FFFE0001020304F5\n:00000001FF\n",
    GLINT_ERROR_INVALID_IMAGE, "line 2 writes beyond the 4 GiB address space" },
  { "empty", ":00000001FF\n", GLINT_ERROR_INVALID_IMAGE, "no data to flash" },
};

static void
test_hex_bad (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bad_hex); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (bad_hex[i].text, strlen (bad_hex[i].text));
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) regions = glint_hex_parse (bytes, &error);

      g_test_message ("%s: %s", bad_hex[i].name, error != NULL ? error->message : "(none)");
      g_assert_null (regions);
      g_assert_error (error, GLINT_ERROR, bad_hex[i].code);
      if (strstr (error->message, bad_hex[i].message) == NULL)
        g_error ("%s: “%s” not in “%s”", bad_hex[i].name, bad_hex[i].message, error->message);
    }
}

#define FAMILY_ESP32   0x1C5F21B0
#define FAMILY_ESP32S3 0xC47E5767

static void
test_uf2_regions (void)
{
  g_autoptr(GBytes) a = random_bytes (5000, 3);
  g_autoptr(GBytes) b = random_bytes (3000, 4);
  g_autoptr(GByteArray) file = g_byte_array_new ();
  g_autoptr(GBytes) uf2 = NULL;
  g_autoptr(GArray) regions = NULL;
  g_autoptr(GError) error = NULL;
  guint32 family = 0;

  uf2_add (file, FAMILY_ESP32, 0x1000, a);
  uf2_add (file, FAMILY_ESP32, 0x10000, b);
  uf2 = g_bytes_new (file->data, file->len);

  g_assert_cmpint (glint_format_detect (uf2), ==, GLINT_FORMAT_UF2);
  regions = glint_uf2_parse (uf2, &family, &error);
  g_assert_no_error (error);
  g_assert_cmphex (family, ==, FAMILY_ESP32);
  g_assert_cmpuint (regions->len, ==, 2);
  assert_region (regions, 0, 0x1000, a);
  assert_region (regions, 1, 0x10000, b);
}

static GBytes *
damaged_uf2 (guint   which)
{
  g_autoptr(GBytes) a = random_bytes (1000, 5);
  g_autoptr(GByteArray) file = g_byte_array_new ();
  guint8 *second;

  uf2_add (file, FAMILY_ESP32, 0x1000, a);
  second = file->data + 512;
  switch (which)
    {
    case 0: second[0] ^= 1; break;                          /* magic */
    case 1: second[508] ^= 1; break;                        /* end magic */
    case 2: put_u32 (second + 16, 477); break;              /* payload size */
    case 3: put_u32 (second + 20, 3); break;                /* block 3 of 3 */
    case 4: put_u32 (second + 28, FAMILY_ESP32S3); break;   /* mixed families */
    case 5: second[40] ^= 0xFF; break;                      /* payload vs MD5 */
    case 6: put_u32 (second + 8, 0x1000); break;            /* file container */
    case 7: put_u32 (second + 12, 0x1000); put_u32 (second + 484, 0x1000); break;
    case 8: put_u32 (second + 12, 0xFFFFFF00); break;
    case 9: g_byte_array_set_size (file, 1000); break;      /* cut short */
    default: g_assert_not_reached ();
    }
  return g_bytes_new (file->data, file->len);
}

static void
test_uf2_bad (void)
{
  static const struct {
    int         code;
    const char *message;
  } cases[] = {
    { GLINT_ERROR_INVALID_IMAGE, "UF2 block 1 has wrong magic numbers" },
    { GLINT_ERROR_INVALID_IMAGE, "UF2 block 1 has wrong magic numbers" },
    { GLINT_ERROR_INVALID_IMAGE, "UF2 block 1 claims 477 payload bytes" },
    { GLINT_ERROR_INVALID_IMAGE, "UF2 block 1 is numbered 3 of 3" },
    { GLINT_ERROR_INVALID_IMAGE, "UF2 block 1 is for family 0xc47e5767, the blocks before "
                                 "it for 0x1c5f21b0" },
    { GLINT_ERROR_IMAGE_CORRUPT, "UF2 block 1 (0x11c4) does not match its MD5 sum" },
    { GLINT_ERROR_INVALID_IMAGE, "UF2 block 1 belongs to a file container" },
    { GLINT_ERROR_INVALID_IMAGE, "UF2 block 1 writes to 0x1000 again, already written by "
                                 "block 0" },
    { GLINT_ERROR_INVALID_IMAGE, "UF2 block 1 writes beyond the 4 GiB address space" },
    { GLINT_ERROR_INVALID_IMAGE, "is 1000 bytes, not a whole number of 512-byte UF2 blocks" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) uf2 = damaged_uf2 (i);
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) regions = glint_uf2_parse (uf2, NULL, &error);

      g_test_message ("case %u: %s", i, error != NULL ? error->message : "(none)");
      g_assert_null (regions);
      g_assert_error (error, GLINT_ERROR, cases[i].code);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: “%s” not in “%s”", i, cases[i].message, error->message);
    }
}

/* Files in a temporary folder for the plan tests. */
static char *
write_temp (const char *dir,
            const char *name,
            GBytes     *bytes)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
test_plan_hex_uf2 (void)
{
  g_autofree char *dir = g_dir_make_tmp ("glint-formats-XXXXXX", NULL);
  g_autoptr(GBytes) a = random_bytes (5000, 6);
  g_autoptr(GBytes) b = random_bytes (3000, 7);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GByteArray) file = g_byte_array_new ();
  g_autoptr(GBytes) hex = NULL;
  g_autoptr(GBytes) uf2 = NULL;
  g_autofree char *hex_path = NULL;
  g_autofree char *uf2_path = NULL;
  g_autofree char *hex_at = NULL;
  guint32 upper = 0;

  hex_add (text, 0x1000, a, &upper);
  hex_add (text, 0x10000, b, &upper);
  hex_record (text, 0x01, 0, NULL, 0);
  hex = string_bytes (text);
  /* the name says .bin and "merged": content decides */
  hex_path = write_temp (dir, "firmware-merged.bin", hex);

  uf2_add (file, FAMILY_ESP32S3, 0x0, a);
  uf2_add (file, FAMILY_ESP32S3, 0x10000, b);
  uf2 = g_bytes_new (file->data, file->len);
  uf2_path = write_temp (dir, "firmware.uf2", uf2);

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new_for_path (hex_path, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (glint_flash_plan_get_n_regions (plan), ==, 2);
    g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 0), ==, 0x1000);
    g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 1), ==, 0x10000);
    g_assert_cmpstr (glint_flash_plan_get_region_name (plan, 1), ==,
                     "firmware-merged.bin (0x10000)");
    g_assert_true (glint_flash_plan_validate (plan, "esp32s3", 0, &error));
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (glint_flash_plan_get_region_data (plan, 1), b));
  }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new_for_path (uf2_path, NULL, &error);

    g_assert_no_error (error);
    /* the family names the chip: the flash job refuses another board */
    g_assert_cmpstr (glint_flash_plan_get_chip (plan), ==, "esp32s3");
    g_assert_cmpuint (glint_flash_plan_get_n_regions (plan), ==, 2);
    g_assert_true (g_bytes_equal (glint_flash_plan_get_region_data (plan, 0), a));
    g_assert_false (glint_flash_plan_validate (plan, "esp32", 0, &error));
    g_assert_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP);
    g_assert_nonnull (strstr (error->message, "for ESP32-S3 (family 0xc47e5767), but the "
                                              "chip is ESP32"));
  }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new_for_path (uf2_path, "esp32c3",
                                                                     &error);

    g_assert_null (plan);
    g_assert_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP);
    g_assert_nonnull (strstr (error->message, "but the chip is ESP32-C3"));
  }

  {
    /* a Raspberry Pi Pico's firmware */
    g_autoptr(GByteArray) pico = g_byte_array_new ();
    g_autoptr(GBytes) pico_bytes = NULL;
    g_autofree char *pico_path = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GlintFlashPlan) plan = NULL;

    uf2_add (pico, 0xE48BFF56, 0x10000000, a);
    pico_bytes = g_bytes_new (pico->data, pico->len);
    pico_path = write_temp (dir, "pico.uf2", pico_bytes);
    plan = glint_flash_plan_new_for_path (pico_path, NULL, &error);
    g_assert_null (plan);
    g_assert_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP);
    g_assert_nonnull (strstr (error->message, "Raspberry Pi RP2040"));
  }

  {
    /* they carry their offsets: one given by hand is refused */
    const char *args[2] = { NULL, NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(GlintFlashPlan) plan = NULL;

    hex_at = g_strconcat (hex_path, "@0x10000", NULL);
    args[0] = hex_at;
    plan = glint_flash_plan_new_from_args (args, "esp32", &error);
    g_assert_no_error (error);
    g_assert_false (glint_flash_plan_validate (plan, "esp32", 0, &error));
    g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN);
    g_assert_nonnull (strstr (error->message, "carries its own flash offsets"));
  }

  {
    /* damaged: the file and the line are named */
    g_autoptr(GBytes) bad = g_bytes_new_static (":0400000001020304F1\n:00000001FF\n", 32);
    g_autofree char *bad_path = write_temp (dir, "bad.hex", bad);
    g_autoptr(GError) error = NULL;
    g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new_for_path (bad_path, NULL, &error);

    g_assert_null (plan);
    g_assert_error (error, GLINT_ERROR, GLINT_ERROR_IMAGE_CORRUPT);
    g_assert_nonnull (strstr (error->message, "bad.hex"));
    g_assert_nonnull (strstr (error->message, "line 1: checksum"));
  }

  glint_test_remove_dir (dir);
}

static void
test_unknown_content (void)
{
  g_autofree char *dir = g_dir_make_tmp ("glint-formats-XXXXXX", NULL);
  static const struct {
    const char *name;
    const char *content;
    gsize       len;
    const char *looks;
  } cases[] = {
    { "notes.txt", "Hello, this is a text file.\n", 28, "text, not firmware" },
    { "page.bin", "<!DOCTYPE html><html><body>Not found</body></html>", 50, "HTML" },
    { "app.zip", "PK\x03\x04\x14\0\0\0", 8, "ZIP archive" },
    { "zeros.bin", "\0\0\0\0\0\0\0\0", 8, "nothing but zero bytes" },
    { "blob.bin", "\x12\x34\x00\x56\x78\x9a\xbc\xde", 8, "starts with 12 34 00 56" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (cases[i].content, cases[i].len);
      g_autofree char *path = write_temp (dir, cases[i].name, bytes);
      g_autofree char *at = g_strconcat (path, "@0x10000", NULL);
      const char *args[] = { at, NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(GlintFlashPlan) single = glint_flash_plan_new_for_path (path, NULL, &error);
      g_autoptr(GlintFlashPlan) placed = NULL;

      /* alone: refused, saying what it looks like */
      g_assert_null (single);
      g_assert_error (error, GLINT_ERROR, GLINT_ERROR_UNKNOWN_CONTENT);
      if (strstr (error->message, cases[i].looks) == NULL)
        g_error ("%s: “%s” not in “%s”", cases[i].name, cases[i].looks, error->message);
      g_clear_error (&error);

      /* with an offset: refused too, until raw data is asked for */
      placed = glint_flash_plan_new_from_args (args, "esp32", &error);
      g_assert_no_error (error);
      g_assert_false (glint_flash_plan_validate (placed, "esp32", 0, &error));
      g_assert_error (error, GLINT_ERROR, GLINT_ERROR_UNKNOWN_CONTENT);
      g_clear_error (&error);
      glint_flash_plan_set_allow_raw (placed, TRUE);
      g_assert_true (glint_flash_plan_validate (placed, "esp32", 0, &error));
      g_assert_no_error (error);
    }

  {
    /* what people flash knowingly at an offset passes: a partition
     * table, erased otadata, an app image */
    guint8 table[64];
    guint8 erased[0x2000];
    TestImageSpec spec = { .chip_id = 0, .hash = TRUE };
    g_autoptr(GBytes) app = test_image_build (&spec);
    g_autoptr(GBytes) table_bytes = NULL;
    g_autoptr(GBytes) erased_bytes = NULL;
    g_autofree char *p1 = NULL;
    g_autofree char *p2 = NULL;
    g_autofree char *p3 = NULL;
    g_autofree char *a1 = NULL;
    g_autofree char *a2 = NULL;
    g_autofree char *a3 = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GlintFlashPlan) plan = NULL;

    memset (table, 0xFF, sizeof table);
    table[0] = 0xAA;
    table[1] = 0x50;
    memset (erased, 0xFF, sizeof erased);
    table_bytes = g_bytes_new (table, sizeof table);
    erased_bytes = g_bytes_new (erased, sizeof erased);
    p1 = write_temp (dir, "partition-table.bin", table_bytes);
    p2 = write_temp (dir, "ota_data_initial.bin", erased_bytes);
    p3 = write_temp (dir, "app.bin", app);
    a1 = g_strconcat (p1, "@0x8000", NULL);
    a2 = g_strconcat (p2, "@0xd000", NULL);
    a3 = g_strconcat (p3, "@0x10000", NULL);
    {
      const char *args[] = { a1, a2, a3, NULL };

      plan = glint_flash_plan_new_from_args (args, "esp32", &error);
    }
    g_assert_no_error (error);
    g_assert_true (glint_flash_plan_validate (plan, "esp32", 0, &error));
    g_assert_no_error (error);
  }

  glint_test_remove_dir (dir);
}

static guint32
elf_u32 (const guint8 *p)
{
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32) p[3] << 24);
}

/* a byte copy of an ELF with one change; section headers are 40 bytes */
typedef enum
{
  POKE_CUT_HEADER, POKE_CLASS64, POKE_MACHINE_ARM, POKE_SHENTSIZE, POKE_SHNUM_0,
  POKE_CUT_SECTIONS, POKE_SHSTRNDX, POKE_DATA_BEYOND, POKE_SAME_PAGE, POKE_NOTHING,
  POKE_SHA_SPOT, POKE_MMU_CODE, POKE_NONE,
} Poke;

static GBytes *
poke_elf (const char *chip,
          Poke        poke)
{
  g_autoptr(GBytes) elf = test_elf_build (test_elf_chip (chip), TEST_ELF_APP, 1);
  gsize len;
  guint8 *p = g_bytes_unref_to_data (g_bytes_ref (elf), &len);
  guint32 shoff = elf_u32 (p + 32);
  guint8 *sec1 = p + shoff + 40;       /* .flash.appdesc */
  guint8 *sec9 = p + shoff + 9 * 40;   /* .flash.text */

  switch (poke)
    {
    case POKE_CUT_HEADER: len = 20; break;
    case POKE_CLASS64: p[4] = 2; break;
    case POKE_MACHINE_ARM: p[18] = 0x28; break;
    case POKE_SHENTSIZE: p[46] = 48; break;
    case POKE_SHNUM_0: p[48] = 0; break;
    case POKE_CUT_SECTIONS: len = shoff + 100; break;
    case POKE_SHSTRNDX: p[50] = 60; break;
    case POKE_DATA_BEYOND: test_elf_put32 (sec9 + 16, 0xFFFFFF00); break;
    case POKE_SAME_PAGE: test_elf_put32 (sec9 + 12, elf_u32 (sec1 + 12) + 0x8000); break;
    case POKE_NOTHING: p[48] = 1; p[50] = 0; break;
    case POKE_SHA_SPOT: p[elf_u32 (sec1 + 16) + 144] = 1; break;
    case POKE_MMU_CODE: p[elf_u32 (sec1 + 16) + 180] = 5; break;
    case POKE_NONE: default: break;
    }
  return g_bytes_new_take (p, len);
}

static void
test_elf_bad (void)
{
  static const struct {
    const char *chip;
    Poke        poke;
    int         code;
    const char *message;
  } cases[] = {
    { "esp32", POKE_CUT_HEADER, GLINT_ERROR_INVALID_IMAGE, "it ends inside its header" },
    { "esp32", POKE_CLASS64, GLINT_ERROR_INVALID_IMAGE, "not 32-bit little-endian" },
    { "esp32", POKE_MACHINE_ARM, GLINT_ERROR_WRONG_CHIP, "machine type 0x0028" },
    { "esp32", POKE_SHENTSIZE, GLINT_ERROR_INVALID_IMAGE, "section headers of 48 bytes" },
    { "esp32", POKE_SHNUM_0, GLINT_ERROR_INVALID_IMAGE, "no section headers" },
    { "esp32", POKE_CUT_SECTIONS, GLINT_ERROR_INVALID_IMAGE,
      "its section headers end beyond the file" },
    { "esp32", POKE_SHSTRNDX, GLINT_ERROR_INVALID_IMAGE, "names no section name table" },
    { "esp32", POKE_DATA_BEYOND, GLINT_ERROR_INVALID_IMAGE,
      "section 9 (at 0x400d0020) ends beyond the file" },
    { "esp32", POKE_SAME_PAGE, GLINT_ERROR_INVALID_IMAGE,
      "at 0x3f400020 and 0x3f408020 share one 64 KB flash page" },
    { "esp32", POKE_NOTHING, GLINT_ERROR_INVALID_IMAGE, "no sections to load" },
    { "esp32", POKE_SHA_SPOT, GLINT_ERROR_INVALID_IMAGE,
      "holds data where the ELF file's SHA-256 goes (image offset 0xb0)" },
    { "esp32c6", POKE_MMU_CODE, GLINT_ERROR_INVALID_IMAGE,
      "asks for an MMU page size (code 5) that esp32c6 does not have" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) elf = poke_elf (cases[i].chip, cases[i].poke);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) image = glint_elf_to_image (elf, cases[i].chip, NULL, &error);

      g_test_message ("case %u: %s", i, error != NULL ? error->message : "(none)");
      g_assert_null (image);
      g_assert_error (error, GLINT_ERROR, cases[i].code);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: “%s” not in “%s”", i, cases[i].message, error->message);
    }

  /* built for another chip of the same architecture */
  {
    g_autoptr(GBytes) s3 = test_elf_build (test_elf_chip ("esp32s3"), TEST_ELF_APP, 1);
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) image = glint_elf_to_image (s3, "esp32", NULL, &error);

    g_assert_null (image);
    g_assert_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP);
    g_assert_nonnull (strstr (error->message, "built for another chip: its section "
                                              ".flash.appdesc at 0x3c000020 is outside the "
                                              "flash the ESP32 maps"));
  }

  /* built for the other architecture, or for a chip without a converter */
  {
    g_autoptr(GBytes) riscv = test_elf_build (test_elf_chip ("esp32c3"), TEST_ELF_APP, 1);
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) image = glint_elf_to_image (riscv, "esp32", NULL, &error);

    g_assert_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP);
    g_assert_nonnull (strstr (error->message, "is for the RISC-V architecture, but the ESP32 is Xtensa"));
    g_clear_error (&error);
    g_assert_null (glint_elf_to_image (riscv, "esp32c99", NULL, &error));
    g_assert_error (error, GLINT_ERROR, GLINT_ERROR_UNSUPPORTED_CHIP);
    g_assert_nonnull (strstr (error->message, "esptool elf2image"));
  }
}

/* The converted image of every chip parses, names its chip and carries
 * the ELF's SHA-256 in its app description; flash settings land in the
 * header. (Byte-for-byte equality with esptool: test esptool-formats.) */
static void
test_elf_images (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (test_elf_chips); i++)
    {
      const TestElfChip *chip = &test_elf_chips[i];
      g_autoptr(GBytes) elf = test_elf_build (chip, TEST_ELF_APP, 2);
      GlintElfSettings settings = { "dio", NULL, "4MB" };
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GlintImage) image = NULL;
      g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
      guint8 digest[32];
      gsize digest_len = 32;
      const guint8 *p;

      /* the ESP8266's pair: test_elf_esp8266() */
      if (chip->drom == 0)
        continue;

      bytes = glint_elf_to_image (elf, chip->chip, &settings, &error);
      g_assert_no_error (error);
      image = glint_image_parse (bytes, chip->chip, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (glint_image_get_chip_name (image), ==, chip->chip);
      g_assert_cmpstr (glint_image_get_flash_mode_name (image), ==, "dio");
      g_assert_true (image->hash_appended);
      g_assert_cmphex (image->entry, ==, chip->irom + 0x120);
      g_assert_cmphex (glint_image_get_segment (image, 0)->load_addr, ==, chip->drom + 0x20);
      p = g_bytes_get_data (bytes, NULL);
      g_checksum_update (sum, g_bytes_get_data (elf, NULL), g_bytes_get_size (elf));
      g_checksum_get_digest (sum, digest, &digest_len);
      g_assert_cmpmem (p + 0xB0, 32, digest, 32);
    }
}

/* The ESP8266's version 1 pair: an image without extended header or
 * digest for offset 0, and the IROM section as it is at its offset. */
static void
test_elf_esp8266 (void)
{
  g_autoptr(GBytes) elf = test_elf_build (test_elf_chip ("esp8266"), TEST_ELF_APP, 2);
  GlintElfSettings settings = { "dout", "80m", "4MB" };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) irom = NULL;
  guint32 irom_offset = 0;
  g_autoptr(GBytes) bytes = glint_elf_to_esp8266 (elf, &settings, &irom_offset, &irom,
                                                  &error);
  g_autoptr(GlintImage) image = NULL;

  g_assert_no_error (error);
  image = glint_image_parse (bytes, "esp8266", &error);
  g_assert_no_error (error);
  g_assert_false (image->has_extended_header);
  g_assert_cmpstr (glint_image_get_flash_mode_name (image), ==, "dout");
  g_assert_cmpuint (glint_image_get_n_segments (image), ==, 2);  /* .data+.rodata merged */
  g_assert_cmphex (irom_offset, ==, 0x10000);
  g_assert_cmpuint (g_bytes_get_size (irom), ==, 0x5558);
  /* one image for the ESP32 family only */
  g_assert_null (glint_elf_to_image (elf, "esp8266", NULL, &error));
}

static void
test_plan_elf (void)
{
  g_autofree char *dir = g_dir_make_tmp ("glint-formats-XXXXXX", NULL);
  g_autoptr(GBytes) elf = test_elf_build (test_elf_chip ("esp32s3"), TEST_ELF_APP, 3);
  g_autoptr(GBytes) boot = test_elf_build (test_elf_chip ("esp32s3"), TEST_ELF_BOOTLOADER, 4);
  g_autofree char *path = write_temp (dir, "blink.ino.elf", elf);
  g_autofree char *boot_path = write_temp (dir, "bootloader.elf", boot);
  g_autoptr(GBytes) expected = glint_elf_to_image (elf, "esp32s3", NULL, NULL);
  g_autoptr(GBytes) expected_boot = glint_elf_to_image (boot, "esp32s3", NULL, NULL);

  {
    /* alone: the app offset, converted for the chip once it is known */
    g_autoptr(GError) error = NULL;
    g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new_for_path (path, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (glint_flash_plan_get_n_regions (plan), ==, 1);
    g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 0), ==, 0x10000);
    /* no chip yet: left as it is, with a word why */
    g_assert_true (glint_flash_plan_validate (plan, NULL, 0, &error));
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (glint_flash_plan_get_region_data (plan, 0), elf));
    g_assert_nonnull (glint_flash_plan_get_warnings (plan)[0]);
    g_assert_nonnull (strstr (glint_flash_plan_get_warnings (plan)[0], "when the board is known"));
    g_assert_false (glint_flash_plan_validate (plan, "esp32c3", 0, &error));
    g_assert_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP);
    g_assert_nonnull (strstr (error->message, "blink.ino.elf"));
    g_clear_error (&error);
    g_assert_true (glint_flash_plan_validate (plan, "esp32s3", 0, &error));
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (glint_flash_plan_get_region_data (plan, 0), expected));
  }

  {
    /* with offsets, next to other files; the plan's flash settings go
     * into the header */
    g_autofree char *a1 = g_strconcat (boot_path, "@0x0", NULL);
    g_autofree char *a2 = g_strconcat (path, "@0x10000", NULL);
    const char *args[] = { a1, a2, NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new_from_args (args, "esp32s3", &error);
    g_autoptr(GlintImage) image = NULL;

    g_assert_no_error (error);
    glint_flash_plan_set_flash_settings (plan, "dout", NULL, "8MB");
    g_assert_true (glint_flash_plan_validate (plan, NULL, 0, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (glint_flash_plan_get_region_data (plan, 0)), ==,
                      g_bytes_get_size (expected_boot));
    image = glint_image_parse (glint_flash_plan_get_region_data (plan, 1), "esp32s3", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (glint_image_get_flash_mode_name (image), ==, "dout");
    g_assert_cmpuint (image->flash_size_code, ==, 3);
  }

  {
    /* the ESP8266's ELF: its image at 0 and the IROM data at 0x10000 */
    g_autoptr(GBytes) e8266 = test_elf_build (test_elf_chip ("esp8266"), TEST_ELF_APP, 5);
    g_autofree char *e8266_path = write_temp (dir, "sketch.ino.elf", e8266);
    g_autofree char *e8266_at = g_strconcat (e8266_path, "@0x1000", NULL);
    const char *args[] = { e8266_at, NULL };
    g_autoptr(GBytes) irom = NULL;
    guint32 irom_offset = 0;
    g_autoptr(GBytes) image = glint_elf_to_esp8266 (e8266, NULL, &irom_offset, &irom, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new_for_path (e8266_path, NULL, &error);
    g_autoptr(GlintFlashPlan) placed = NULL;

    g_assert_no_error (error);
    g_assert_true (glint_flash_plan_validate (plan, "esp8266", 0, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (glint_flash_plan_get_n_regions (plan), ==, 2);
    g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 0), ==, 0x0);
    g_assert_true (g_bytes_equal (glint_flash_plan_get_region_data (plan, 0), image));
    g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 1), ==, irom_offset);
    g_assert_true (g_bytes_equal (glint_flash_plan_get_region_data (plan, 1), irom));

    /* its offsets are its own */
    placed = glint_flash_plan_new_from_args (args, "esp8266", &error);
    g_assert_no_error (error);
    g_assert_false (glint_flash_plan_validate (placed, NULL, 0, &error));
    g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN);
    g_assert_nonnull (strstr (error->message, "without @OFFSET"));
  }

  glint_test_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/formats/hex/regions", test_hex_regions);
  g_test_add_func ("/formats/hex/gaps", test_hex_gaps);
  g_test_add_func ("/formats/hex/bad", test_hex_bad);
  g_test_add_func ("/formats/uf2/regions", test_uf2_regions);
  g_test_add_func ("/formats/uf2/bad", test_uf2_bad);
  g_test_add_func ("/formats/plan/hex-uf2", test_plan_hex_uf2);
  g_test_add_func ("/formats/plan/unknown-content", test_unknown_content);
  g_test_add_func ("/formats/elf/bad", test_elf_bad);
  g_test_add_func ("/formats/elf/images", test_elf_images);
  g_test_add_func ("/formats/elf/esp8266", test_elf_esp8266);
  g_test_add_func ("/formats/plan/elf", test_plan_elf);

  return g_test_run ();
}
