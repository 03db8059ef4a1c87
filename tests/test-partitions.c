/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-bytes.h"
#include "glint-error.h"
#include "glint-partitions.h"

/* The partition table, app description and otadata parsers against what
 * their builders write, the CRC against zlib's values, and each malformed
 * input with its own message. */

static GArray *
parse_bytes (GBytes  *bytes,
             GError **error)
{
  return glint_partition_table_parse (g_bytes_get_data (bytes, NULL),
                                      g_bytes_get_size (bytes), error);
}

static void
assert_same_table (GArray *a,
                   GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      GlintPartition *x = &g_array_index (a, GlintPartition, i);
      GlintPartition *y = &g_array_index (b, GlintPartition, i);

      g_assert_cmpstr (x->name, ==, y->name);
      g_assert_cmpuint (x->type, ==, y->type);
      g_assert_cmpuint (x->subtype, ==, y->subtype);
      g_assert_cmphex (x->offset, ==, y->offset);
      g_assert_cmphex (x->size, ==, y->size);
      g_assert_cmphex (x->flags, ==, y->flags);
    }
}

static void
test_table_round_trip (void)
{
  for (guint ota = 0; ota < 2; ota++)
    for (guint md5 = 0; md5 < 2; md5++)
      {
        g_autoptr(GArray) table = glint_partition_table_new_default (ota);
        g_autoptr(GBytes) bytes = NULL;
        g_autoptr(GArray) parsed = NULL;
        g_autoptr(GError) error = NULL;
        const guint8 *p;

        g_array_index (table, GlintPartition, 0).flags = GLINT_PARTITION_FLAG_ENCRYPTED;
        bytes = glint_partition_table_build ((GlintPartition *) table->data, table->len, md5);
        g_assert_cmpuint (g_bytes_get_size (bytes), ==, GLINT_PARTITION_TABLE_SIZE);
        p = g_bytes_get_data (bytes, NULL);
        g_assert_cmphex (p[0], ==, 0xAA);
        g_assert_cmphex (p[1], ==, 0x50);
        g_assert_cmphex (p[table->len * 32], ==, md5 ? 0xEB : 0xFF);
        parsed = parse_bytes (bytes, &error);
        g_assert_no_error (error);
        assert_same_table (table, parsed);
      }
}

/* The table gen_esp32part.py writes for partitions_singleapp.csv, as
 * the facts of protocol.md §12.4 give it: checks the byte layout. */
static void
test_table_layout (void)
{
  g_autoptr(GArray) table = glint_partition_table_new_default (FALSE);
  g_autoptr(GBytes) bytes = glint_partition_table_build ((GlintPartition *) table->data,
                                                         table->len, TRUE);
  const guint8 *p = g_bytes_get_data (bytes, NULL);
  static const guint8 factory[32] = {
    0xAA, 0x50, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x10, 0x00,
    'f', 'a', 'c', 't', 'o', 'r', 'y', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  };
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  guint8 digest[16];
  gsize len = sizeof digest;

  g_assert_cmpmem (p + 64, 32, factory, 32);
  g_checksum_update (md5, p, 96);
  g_checksum_get_digest (md5, digest, &len);
  g_assert_cmphex (p[96], ==, 0xEB);
  g_assert_cmphex (p[97], ==, 0xEB);
  for (guint i = 98; i < 112; i++)
    g_assert_cmphex (p[i], ==, 0xFF);
  g_assert_cmpmem (p + 112, 16, digest, 16);
}

static void
test_table_lookup (void)
{
  g_autoptr(GArray) table = glint_partition_table_new_default (TRUE);
  g_autofree char *type0 = NULL;
  g_autofree char *type1 = NULL;
  g_autofree char *type4 = NULL;

  g_assert_cmphex (glint_partition_table_lookup (table, "otadata")->offset, ==, 0xD000);
  g_assert_null (glint_partition_table_lookup (table, "spiffs"));
  g_assert_cmpstr (glint_partition_table_at (table, 0x110000)->name, ==, "ota_0");
  g_assert_null (glint_partition_table_at (table, 0x120000));
  g_assert_cmpuint (glint_partition_table_n_ota_slots (table), ==, 2);
  g_assert_cmpstr (glint_partition_table_otadata (table)->name, ==, "otadata");
  type0 = glint_partition_describe_type (&g_array_index (table, GlintPartition, 0));
  type1 = glint_partition_describe_type (&g_array_index (table, GlintPartition, 1));
  type4 = glint_partition_describe_type (&g_array_index (table, GlintPartition, 5));
  g_assert_cmpstr (type0, ==, "data/nvs");
  g_assert_cmpstr (type1, ==, "data/ota");
  g_assert_cmpstr (type4, ==, "app/ota_1");
  g_assert_true (glint_partition_is_app (&g_array_index (table, GlintPartition, 3)));
  g_assert_false (glint_partition_is_app (&g_array_index (table, GlintPartition, 0)));
}

static void
test_table_find (void)
{
  g_autofree guint8 *flash = g_malloc (0x20000);
  g_autoptr(GArray) table = glint_partition_table_new_default (FALSE);
  g_autoptr(GBytes) bytes = glint_partition_table_build ((GlintPartition *) table->data,
                                                         table->len, TRUE);

  memset (flash, 0xFF, 0x20000);
  g_assert_cmpint (glint_partition_table_find (flash, 0x20000), ==, -1);
  /* a moved table; the magic at an unaligned offset and after 64 KiB does not count */
  flash[0x5123] = 0xAA;
  flash[0x5124] = 0x50;
  memcpy (flash + 0x10000, g_bytes_get_data (bytes, NULL), 64);
  g_assert_cmpint (glint_partition_table_find (flash, 0x20000), ==, -1);
  memcpy (flash + 0xC000, g_bytes_get_data (bytes, NULL), GLINT_PARTITION_TABLE_SIZE);
  g_assert_cmpint (glint_partition_table_find (flash, 0x20000), ==, 0xC000);
}

typedef struct
{
  const char *name;
  void      (*mangle) (guint8 *table);
  gint        code;
  const char *message;
  gboolean    keep_md5;   /* the case is about the MD5 entry: do not redo it */
} BadTable;

/* The MD5 entry (after the three partitions) over the mangled entries,
 * so that each case fails for its own reason. */
static void
refresh_md5 (guint8 *t)
{
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  gsize len = 16;

  if (t[96] != 0xEB)
    return;
  g_checksum_update (md5, t, 96);
  g_checksum_get_digest (md5, t + 96 + 16, &len);
}

static void
mangle_magic (guint8 *t)
{
  t[0] = 0x12;
}

static void
mangle_second_magic (guint8 *t)
{
  t[33] = 0x51;
}

static void
mangle_md5 (guint8 *t)
{
  t[3 * 32 + 20] ^= 1;
}

static void
mangle_md5_filler (guint8 *t)
{
  t[3 * 32 + 5] = 0;
}

static void
mangle_after_md5 (guint8 *t)
{
  memcpy (t + 4 * 32, t, 32);
}

static void
mangle_name_text (guint8 *t)
{
  t[12] = 0x01;
}

static void
mangle_no_name (guint8 *t)
{
  memset (t + 12, 0, 16);
}

static void
mangle_size_zero (guint8 *t)
{
  memset (t + 8, 0, 4);
}

static void
mangle_beyond_4g (guint8 *t)
{
  glint_put_u32 (t + 4, 0xFFFF0000);
  glint_put_u32 (t + 8, 0x20000);
}

static void
mangle_app_align (guint8 *t)
{
  glint_put_u32 (t + 64 + 4, 0x18000);
}

static void
mangle_data_align (guint8 *t)
{
  glint_put_u32 (t + 4, 0x9800);
}

static void
mangle_overlap (guint8 *t)
{
  glint_put_u32 (t + 8, 0x7000);   /* nvs runs into phy_init */
}

static void
mangle_duplicate (guint8 *t)
{
  memcpy (t + 32 + 12, "nvs\0\0\0\0\0", 8);
}

static void
mangle_no_end (guint8 *t)
{
  /* entries up to the end of the table: no erased entry, no MD5 */
  for (guint i = 3; i < GLINT_PARTITION_TABLE_SIZE / 32; i++)
    {
      memcpy (t + i * 32, t, 32);
      glint_put_u32 (t + i * 32 + 4, 0x200000 + i * 0x1000);
      glint_put_u32 (t + i * 32 + 8, 0x1000);
      g_snprintf ((char *) t + i * 32 + 12, 16, "p%u", i);
    }
}

static const BadTable bad_tables[] = {
  { "magic", mangle_magic, GLINT_ERROR_INVALID_IMAGE, "no partition table" },
  { "entry magic", mangle_second_magic, GLINT_ERROR_INVALID_IMAGE,
    "entry 1 starts with 0xAA 0x51" },
  { "md5", mangle_md5, GLINT_ERROR_IMAGE_CORRUPT, "MD5 digest does not match", TRUE },
  { "md5 filler", mangle_md5_filler, GLINT_ERROR_INVALID_IMAGE, "damaged MD5 entry", TRUE },
  { "after md5", mangle_after_md5, GLINT_ERROR_INVALID_IMAGE, "follows the MD5 entry", TRUE },
  { "name text", mangle_name_text, GLINT_ERROR_INVALID_IMAGE, "name that is not text" },
  { "no name", mangle_no_name, GLINT_ERROR_INVALID_IMAGE, "entry 0 has no name" },
  { "size zero", mangle_size_zero, GLINT_ERROR_INVALID_IMAGE, "“nvs” is empty" },
  { "beyond 4 GiB", mangle_beyond_4g, GLINT_ERROR_INVALID_IMAGE, "ends beyond 4 GiB" },
  { "app align", mangle_app_align, GLINT_ERROR_INVALID_IMAGE,
    "“factory” at 0x18000 is not aligned to 0x10000" },
  { "data align", mangle_data_align, GLINT_ERROR_INVALID_IMAGE,
    "“nvs” at 0x9800 is not aligned to 0x1000" },
  { "overlap", mangle_overlap, GLINT_ERROR_INVALID_IMAGE, "“nvs” and “phy_init” overlap" },
  { "duplicate", mangle_duplicate, GLINT_ERROR_INVALID_IMAGE, "two partitions “nvs”" },
  { "no end", mangle_no_end, GLINT_ERROR_INVALID_IMAGE, "no end within 3072 bytes" },
};

static void
assert_message (const GError *error,
                const char   *name,
                gint          code,
                const char   *message)
{
  g_test_message ("%s: %s", name, error != NULL ? error->message : "(none)");
  g_assert_error (error, GLINT_ERROR, code);
  if (strstr (error->message, message) == NULL)
    g_error ("%s: “%s” not in “%s”", name, message, error->message);
}

static void
test_table_bad (void)
{
  g_autoptr(GArray) table = glint_partition_table_new_default (FALSE);
  g_autoptr(GBytes) good = glint_partition_table_build ((GlintPartition *) table->data,
                                                        table->len, TRUE);

  for (gsize i = 0; i < G_N_ELEMENTS (bad_tables); i++)
    {
      guint8 t[GLINT_PARTITION_TABLE_SIZE];
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) parsed = NULL;

      memcpy (t, g_bytes_get_data (good, NULL), sizeof t);
      bad_tables[i].mangle (t);
      if (!bad_tables[i].keep_md5)
        refresh_md5 (t);
      parsed = glint_partition_table_parse (t, sizeof t, &error);
      g_assert_null (parsed);
      assert_message (error, bad_tables[i].name, bad_tables[i].code, bad_tables[i].message);
    }

  /* cut short: the end marker is missing because the bytes are */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) parsed = glint_partition_table_parse (g_bytes_get_data (good, NULL),
                                                            64, &error);

    g_assert_null (parsed);
    assert_message (error, "short", GLINT_ERROR_INVALID_IMAGE, "cut short after 2 entries");
  }
}

static GlintAppDesc
sample_desc (void)
{
  GlintAppDesc desc = { .secure_version = 3 };

  g_strlcpy (desc.project_name, "wled", sizeof desc.project_name);
  g_strlcpy (desc.version, "0.15.0", sizeof desc.version);
  g_strlcpy (desc.idf_ver, "v4.4.7", sizeof desc.idf_ver);
  g_strlcpy (desc.date, "Jan 20 2025", sizeof desc.date);
  g_strlcpy (desc.time, "12:34:56", sizeof desc.time);
  for (guint i = 0; i < 32; i++)
    desc.elf_sha256[i] = i * 7;
  return desc;
}

static void
test_app_desc_round_trip (void)
{
  GlintAppDesc desc = sample_desc ();
  GlintAppDesc parsed;
  guint8 image[0x200];
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *name = NULL;

  memset (image, 0, sizeof image);
  image[0] = 0xE9;
  glint_app_desc_build (&desc, image + GLINT_APP_DESC_IMAGE_OFFSET);
  g_assert_cmphex (glint_read_u32 (image + 0x20), ==, 0xABCD5432);
  g_assert_cmpstr ((char *) image + 0x20 + 48, ==, "wled");
  g_assert_true (glint_app_desc_parse_image (image, sizeof image, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (parsed.project_name, ==, "wled");
  g_assert_cmpstr (parsed.version, ==, "0.15.0");
  g_assert_cmpstr (parsed.idf_ver, ==, "v4.4.7");
  g_assert_cmpstr (parsed.time, ==, "12:34:56");
  g_assert_cmpuint (parsed.secure_version, ==, 3);
  g_assert_cmpmem (parsed.elf_sha256, 32, desc.elf_sha256, 32);
  text = glint_app_desc_describe (&parsed);
  g_assert_cmpstr (text, ==, "wled 0.15.0 (ESP-IDF v4.4.7, 2025-01-20)");
  name = glint_app_desc_name (&parsed);
  g_assert_cmpstr (name, ==, "wled 0.15.0");

  /* a 32-character version is cut to 31 and a NUL, as ESP-IDF does */
  memset (desc.version, 'x', 32);
  desc.version[32] = '\0';
  glint_app_desc_build (&desc, image + GLINT_APP_DESC_IMAGE_OFFSET);
  g_assert_true (glint_app_desc_parse_image (image, sizeof image, &parsed, NULL));
  g_assert_cmpuint (strlen (parsed.version), ==, 31);
}

static void
test_app_desc_date (void)
{
  GlintAppDesc desc = sample_desc ();
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  g_strlcpy (desc.date, "Dec  6 2026", sizeof desc.date);
  a = glint_app_desc_iso_date (&desc);
  g_assert_cmpstr (a, ==, "2026-12-06");
  g_strlcpy (desc.date, "Foo 12 2026", sizeof desc.date);
  b = glint_app_desc_iso_date (&desc);
  g_assert_cmpstr (b, ==, "Foo 12 2026");
  desc.date[0] = '\0';
  desc.idf_ver[0] = '\0';
  c = glint_app_desc_describe (&desc);
  g_assert_cmpstr (c, ==, "wled 0.15.0");
}

static void
test_app_desc_bad (void)
{
  GlintAppDesc desc = sample_desc ();
  GlintAppDesc parsed;
  guint8 raw[GLINT_APP_DESC_SIZE];
  guint8 image[0x200];
  struct {
    const char *name;
    guint       offset;
    guint8      value;
    const char *message;
  } cases[] = {
    { "magic", 0, 0x33, "magic is 0xABCD5433" },
    { "version", 16, 0x07, "field version is not text" },
    { "project", 48, 0xFF, "field project_name is not text" },
    { "time", 80, 0x0A, "field time is not text" },
    { "date", 96, 0x7F, "field date is not text" },
    { "idf", 112, 0xC3, "field idf_ver is not text" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      glint_app_desc_build (&desc, raw);
      raw[cases[i].offset] = cases[i].value;
      g_assert_false (glint_app_desc_parse (raw, sizeof raw, &parsed, &error));
      assert_message (error, cases[i].name, GLINT_ERROR_INVALID_IMAGE, cases[i].message);
    }

  {
    g_autoptr(GError) error = NULL;

    glint_app_desc_build (&desc, raw);
    g_assert_false (glint_app_desc_parse (raw, 100, &parsed, &error));
    assert_message (error, "short", GLINT_ERROR_INVALID_IMAGE, "cut short (100 of 256");
  }
  {
    g_autoptr(GError) error = NULL;

    memset (image, 0xFF, sizeof image);
    g_assert_false (glint_app_desc_parse_image (image, sizeof image, &parsed, &error));
    assert_message (error, "no image", GLINT_ERROR_INVALID_IMAGE, "starts with 0xE9");
  }
  {
    g_autoptr(GError) error = NULL;

    image[0] = 0xE9;
    g_assert_false (glint_app_desc_parse_image (image, 16, &parsed, &error));
    assert_message (error, "short image", GLINT_ERROR_INVALID_IMAGE, "cut short (16 bytes)");
  }
}

static void
test_otadata_crc (void)
{
  /* python3: binascii.crc32(struct.pack("<I", seq), 0xFFFFFFFF) */
  g_assert_cmphex (glint_otadata_crc (1), ==, 0x4743989a);
  g_assert_cmphex (glint_otadata_crc (2), ==, 0x55f63774);
  g_assert_cmphex (glint_otadata_crc (3), ==, 0xed4a5011);
}

static void
entry_bytes (guint8  *p,
             guint32  seq,
             guint32  state,
             gboolean good_crc)
{
  memset (p, 0, 32);
  glint_put_u32 (p, seq);
  glint_put_u32 (p + 24, state);
  glint_put_u32 (p + 28, glint_otadata_crc (seq) ^ (good_crc ? 0 : 1));
}

static void
test_otadata_boot (void)
{
  g_autoptr(GArray) table = glint_partition_table_new_default (TRUE);
  GlintOtaEntry e[2];
  guint8 a[32], b[32];

  memset (a, 0xFF, 32);
  memset (b, 0xFF, 32);
  glint_otadata_parse_entry (a, &e[0]);
  glint_otadata_parse_entry (b, &e[1]);
  g_assert_false (e[0].valid);
  g_assert_cmpint (glint_otadata_boot_slot (e, 2), ==, -1);
  g_assert_cmpstr (glint_partition_table_booting (table, e)->name, ==, "factory");
  g_assert_cmpstr (glint_partition_table_booting (table, NULL)->name, ==, "factory");

  entry_bytes (a, 1, GLINT_OTA_STATE_VALID, TRUE);
  glint_otadata_parse_entry (a, &e[0]);
  g_assert_true (e[0].valid);
  g_assert_cmpint (glint_otadata_boot_slot (e, 2), ==, 0);
  g_assert_cmpstr (glint_partition_table_booting (table, e)->name, ==, "ota_0");

  entry_bytes (b, 2, GLINT_OTA_STATE_UNDEFINED, TRUE);
  glint_otadata_parse_entry (b, &e[1]);
  g_assert_cmpint (glint_otadata_boot_slot (e, 2), ==, 1);
  g_assert_cmpstr (glint_partition_table_booting (table, e)->name, ==, "ota_1");

  /* seq 3 wraps to slot 0; a bad CRC, an invalid or aborted state do not count */
  entry_bytes (b, 3, GLINT_OTA_STATE_NEW, TRUE);
  glint_otadata_parse_entry (b, &e[1]);
  g_assert_cmpint (glint_otadata_boot_slot (e, 2), ==, 0);
  entry_bytes (b, 4, GLINT_OTA_STATE_VALID, FALSE);
  glint_otadata_parse_entry (b, &e[1]);
  g_assert_false (e[1].valid);
  g_assert_cmpint (glint_otadata_boot_slot (e, 2), ==, 0);
  entry_bytes (b, 4, GLINT_OTA_STATE_INVALID, TRUE);
  glint_otadata_parse_entry (b, &e[1]);
  g_assert_cmpint (glint_otadata_boot_slot (e, 2), ==, 0);
  entry_bytes (b, 4, GLINT_OTA_STATE_ABORTED, TRUE);
  glint_otadata_parse_entry (b, &e[1]);
  g_assert_cmpint (glint_otadata_boot_slot (e, 2), ==, 0);
  entry_bytes (b, 4, GLINT_OTA_STATE_PENDING_VERIFY, TRUE);
  glint_otadata_parse_entry (b, &e[1]);
  g_assert_cmpint (glint_otadata_boot_slot (e, 2), ==, 1);
  g_assert_cmpint (glint_otadata_boot_slot (e, 3), ==, 0);   /* (4 − 1) mod 3 */
}

static void
test_otadata_build (void)
{
  for (gint slot = -1; slot < 2; slot++)
    {
      g_autoptr(GBytes) bytes = glint_otadata_build (slot, 2);
      const guint8 *p = g_bytes_get_data (bytes, NULL);
      GlintOtaEntry e[2];

      g_assert_cmpuint (g_bytes_get_size (bytes), ==, GLINT_OTADATA_SIZE);
      glint_otadata_parse_entry (p, &e[0]);
      glint_otadata_parse_entry (p + 0x1000, &e[1]);
      g_assert_false (e[1].valid);
      g_assert_cmpint (glint_otadata_boot_slot (e, 2), ==, slot);
    }
}

/* Which app boots given what each partition holds, as ESP-IDF's
 * bootloader_utility_load_boot_image () walks: otadata's slot, down to
 * the factory app, up through the slots, then the test app. */
static const char *
boots_name (GArray              *table,
            const GlintOtaEntry *entries,
            const gboolean      *held)
{
  const GlintPartition *p = glint_partition_table_boots (table, entries, held);

  return p != NULL ? p->name : "(none)";
}

static void
test_boots_only_image (void)
{
  /* nvs, otadata, phy_init, factory (3), ota_0 (4), ota_1 (5) */
  g_autoptr(GArray) table = glint_partition_table_new_default (TRUE);
  g_autoptr(GArray) no_factory = glint_partition_table_new_default (TRUE);
  g_autoptr(GArray) with_test = glint_partition_table_new_default (FALSE);
  g_autoptr(GBytes) names_ota0 = glint_otadata_build (0, 2);
  g_autoptr(GBytes) names_ota1 = glint_otadata_build (1, 2);
  GlintOtaEntry ota0[2], ota1[2];
  gboolean held[6] = { FALSE };
  GlintPartition test = { 0 };

  glint_otadata_parse_entry (g_bytes_get_data (names_ota0, NULL), &ota0[0]);
  glint_otadata_parse_entry ((const guint8 *) g_bytes_get_data (names_ota0, NULL) + 0x1000,
                             &ota0[1]);
  glint_otadata_parse_entry (g_bytes_get_data (names_ota1, NULL), &ota1[0]);
  glint_otadata_parse_entry ((const guint8 *) g_bytes_get_data (names_ota1, NULL) + 0x1000,
                             &ota1[1]);

  /* nothing anywhere: nothing boots, and otadata cannot change that */
  g_assert_cmpstr (boots_name (table, ota1, held), ==, "(none)");
  g_assert_false (glint_partition_table_otadata_decides (table, held));

  /* one image: it boots, whatever otadata names or whether it was read */
  held[5] = TRUE;
  g_assert_cmpstr (boots_name (table, NULL, held), ==, "ota_1");
  g_assert_cmpstr (boots_name (table, ota0, held), ==, "ota_1");
  g_assert_false (glint_partition_table_otadata_decides (table, held));
  held[5] = FALSE;
  held[3] = TRUE;
  g_assert_cmpstr (boots_name (table, ota1, held), ==, "factory");
  g_assert_false (glint_partition_table_otadata_decides (table, held));

  /* two: otadata decides; an empty slot it names falls back downwards */
  held[5] = TRUE;
  g_assert_true (glint_partition_table_otadata_decides (table, held));
  g_assert_cmpstr (boots_name (table, ota1, held), ==, "ota_1");
  g_assert_cmpstr (boots_name (table, ota0, held), ==, "factory");
  g_assert_cmpstr (boots_name (table, NULL, held), ==, "factory");

  /* no factory app: from the slot otadata names, or upwards from ota_0 */
  g_array_remove_index (no_factory, 3);             /* ota_0 (3), ota_1 (4) */
  memset (held, 0, sizeof held);
  held[3] = held[4] = TRUE;
  g_assert_true (glint_partition_table_otadata_decides (no_factory, held));
  g_assert_cmpstr (boots_name (no_factory, ota1, held), ==, "ota_1");
  g_assert_cmpstr (boots_name (no_factory, NULL, held), ==, "ota_0");
  held[3] = FALSE;
  g_assert_false (glint_partition_table_otadata_decides (no_factory, held));
  g_assert_cmpstr (boots_name (no_factory, ota0, held), ==, "ota_1");

  /* the test app comes last, and never makes otadata count */
  g_strlcpy (test.name, "test", sizeof test.name);
  test.type = GLINT_PARTITION_TYPE_APP;
  test.subtype = GLINT_PARTITION_APP_TEST;
  test.offset = 0x110000;
  test.size = 0x100000;
  g_array_append_val (with_test, test);              /* nvs, phy_init, factory, test */
  memset (held, 0, sizeof held);
  held[3] = TRUE;
  g_assert_cmpstr (boots_name (with_test, NULL, held), ==, "test");
  held[2] = TRUE;
  g_assert_cmpstr (boots_name (with_test, NULL, held), ==, "factory");
  g_assert_false (glint_partition_table_otadata_decides (with_test, held));

  /* without what they hold: every app partition counts, as before */
  g_assert_cmpstr (boots_name (table, ota0, NULL), ==, "ota_0");
  g_assert_cmpstr (boots_name (table, NULL, NULL), ==, "factory");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/glint/partitions/table-round-trip", test_table_round_trip);
  g_test_add_func ("/glint/partitions/table-layout", test_table_layout);
  g_test_add_func ("/glint/partitions/table-lookup", test_table_lookup);
  g_test_add_func ("/glint/partitions/table-find", test_table_find);
  g_test_add_func ("/glint/partitions/table-bad", test_table_bad);
  g_test_add_func ("/glint/partitions/app-desc-round-trip", test_app_desc_round_trip);
  g_test_add_func ("/glint/partitions/app-desc-date", test_app_desc_date);
  g_test_add_func ("/glint/partitions/app-desc-bad", test_app_desc_bad);
  g_test_add_func ("/glint/partitions/otadata-crc", test_otadata_crc);
  g_test_add_func ("/glint/partitions/otadata-boot", test_otadata_boot);
  g_test_add_func ("/glint/partitions/otadata-build", test_otadata_build);
  g_test_add_func ("/glint/partitions/boots-only-image", test_boots_only_image);

  return g_test_run ();
}
