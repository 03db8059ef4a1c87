/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "glint-bytes.h"
#include "glint-chip-image.h"
#include "glint-image.h"
#include "glint-partitions.h"

/*
 * The sample firmware for the Demo board, made at build time: for every
 * chip a small full build as ESP-IDF lays it out (the second-stage
 * bootloader at the chip's bootloader offset, the partition table at
 * 0x8000, the app at 0x10000 with its esp_app_desc_t) and one ESP Web
 * Tools manifest.json with a build per chip, so that the board's chip
 * picks its own. The images have valid headers, checksums and SHA-256
 * digests (docs/protocol.md §12); their code is filler that only the
 * simulated board "runs": they are not meant for real boards.
 *
 * usage: glint-sample-firmware OUTDIR
 */

#define PROJECT        "glint-demo"
#define VERSION        "1.0.0"
#define IDF_VERSION    "v5.1.2"
#define BUILD_DATE     "Jan  1 2026"
#define BUILD_TIME     "12:00:00"
#define APP_OFFSET     0x10000
#define FLASH_SIZE     "2MB"
#define FLASH_MODE_DIO 2

/* Load addresses: an IRAM, a DRAM and the flash-mapped data and text
 * windows of each chip (esptool's targets). */
typedef struct
{
  const char *chip;
  guint32     iram;
  guint32     dram;
  guint32     drom;
  guint32     irom;
} Memory;

static const Memory memories[] = {
  { "esp8266", 0x40100000, 0x3FFE8000, 0x40210000, 0x40210000 },
  { "esp32", 0x40080000, 0x3FFB0000, 0x3F400000, 0x400D0000 },
  { "esp32s2", 0x40022000, 0x3FFBE000, 0x3F000000, 0x40080000 },
  { "esp32s3", 0x40374000, 0x3FC90000, 0x3C000000, 0x42000000 },
  { "esp32c2", 0x4037C000, 0x3FCA0000, 0x3C000000, 0x42000000 },
  { "esp32c3", 0x4037C000, 0x3FC88000, 0x3C000000, 0x42000000 },
  { "esp32c5", 0x40800000, 0x40820000, 0x42000000, 0x42080000 },
  { "esp32c6", 0x40800000, 0x40820000, 0x42800000, 0x42000000 },
  { "esp32c61", 0x40800000, 0x40820000, 0x42800000, 0x42000000 },
  { "esp32h2", 0x40800000, 0x40820000, 0x42800000, 0x42000000 },
  { "esp32p4", 0x4FF00000, 0x4FF40000, 0x40000000, 0x40080000 },
};

static void
put_u32 (GByteArray *a,
         guint32     v)
{
  guint8 b[4];

  glint_put_u32 (b, v);
  g_byte_array_append (a, b, 4);
}

/* Filler the size of a segment: text that compresses as code would. */
static GByteArray *
filler (const char *what,
        gsize       len)
{
  GByteArray *a = g_byte_array_sized_new (len);
  g_autofree char *line = g_strdup_printf ("%s of the Glint Demo board sample. ", what);

  while (a->len < len)
    g_byte_array_append (a, (const guint8 *) line, MIN (strlen (line), len - a->len));
  return a;
}

/* ESP-IDF's esp_app_desc_t, 256 bytes. */
static GByteArray *
app_desc (void)
{
  GByteArray *a = g_byte_array_new ();
  GlintAppDesc desc = { 0 };
  guint8 out[GLINT_APP_DESC_SIZE];

  g_strlcpy (desc.version, VERSION, sizeof desc.version);
  g_strlcpy (desc.project_name, PROJECT, sizeof desc.project_name);
  g_strlcpy (desc.time, BUILD_TIME, sizeof desc.time);
  g_strlcpy (desc.date, BUILD_DATE, sizeof desc.date);
  g_strlcpy (desc.idf_ver, IDF_VERSION, sizeof desc.idf_ver);
  glint_app_desc_build (&desc, out);
  g_byte_array_append (a, out, sizeof out);
  return a;
}

/* An image (§12): header, extended header (not on the ESP8266),
 * segments, checksum and, on ESP32-family chips, the SHA-256 digest. */
static GBytes *
image (const GlintChipImage *chip,
       guint32               entry,
       const guint32        *addresses,
       GByteArray          **segments,
       guint                 n_segments)
{
  GByteArray *a = g_byte_array_new ();
  gboolean esp8266 = chip->image_chip_id == GLINT_CHIP_NO_IMAGE_ID;
  gint size_code = glint_chip_image_flash_size_code (chip, FLASH_SIZE);
  gint freq_code = glint_chip_image_flash_freq_code (chip, "40m");
  guint8 header[8] = { GLINT_IMAGE_MAGIC, n_segments, FLASH_MODE_DIO, 0 };
  guint8 checksum = 0xEF;

  header[3] = (guint8) ((MAX (size_code, 0) << 4) | MAX (freq_code, 0));
  glint_put_u32 (header + 4, entry);
  g_byte_array_append (a, header, sizeof header);
  if (!esp8266)
    {
      guint8 ext[16] = { 0xEE };

      ext[4] = chip->image_chip_id & 0xFF;
      ext[5] = chip->image_chip_id >> 8;
      ext[9] = 0xFF;           /* max revision 0xFFFF: any */
      ext[10] = 0xFF;
      ext[15] = 1;             /* a digest follows */
      g_byte_array_append (a, ext, sizeof ext);
    }

  for (guint i = 0; i < n_segments; i++)
    {
      GByteArray *seg = segments[i];

      while (seg->len % 4 != 0)
        g_byte_array_append (seg, (const guint8 *) "", 1);
      put_u32 (a, addresses[i]);
      put_u32 (a, seg->len);
      g_byte_array_append (a, seg->data, seg->len);
      for (guint j = 0; j < seg->len; j++)
        checksum ^= seg->data[j];
    }

  while (a->len % 16 != 15)
    g_byte_array_append (a, (const guint8 *) "", 1);
  g_byte_array_append (a, &checksum, 1);

  if (!esp8266)
    {
      guint8 digest[32];
      gsize digest_len = sizeof digest;
      g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);

      g_checksum_update (sha, a->data, a->len);
      g_checksum_get_digest (sha, digest, &digest_len);
      g_byte_array_append (a, digest, sizeof digest);
    }

  return g_byte_array_free_to_bytes (a);
}

static GBytes *
bootloader (const GlintChipImage *chip,
            const Memory         *mem)
{
  GByteArray *segments[] = { filler ("Bootloader data", 0x200), filler ("Bootloader code", 0x1400) };
  guint32 addresses[] = { mem->dram, mem->iram };
  GBytes *bytes = image (chip, mem->iram, addresses, segments, G_N_ELEMENTS (segments));

  for (guint i = 0; i < G_N_ELEMENTS (segments); i++)
    g_byte_array_unref (segments[i]);
  return bytes;
}

/* The app description leads the first segment, where the bootloader and
 * the tools look for it. */
static GBytes *
app (const GlintChipImage *chip,
     const Memory         *mem)
{
  GByteArray *rodata = app_desc ();
  g_autoptr(GByteArray) text = filler ("Read-only data", 0x600);
  GByteArray *segments[] = { rodata, filler ("Code in RAM", 0x800), filler ("App code", 0x1800) };
  guint32 addresses[] = { mem->drom + 0x20, mem->iram, mem->irom + 0x20 };
  GBytes *bytes;

  g_byte_array_append (rodata, text->data, text->len);
  bytes = image (chip, mem->irom + 0x20, addresses, segments, G_N_ELEMENTS (segments));
  for (guint i = 0; i < G_N_ELEMENTS (segments); i++)
    g_byte_array_unref (segments[i]);
  return bytes;
}

/* ESP-IDF's "single factory app" table, with its MD5 entry. */
static GBytes *
partition_table (void)
{
  g_autoptr(GArray) table = glint_partition_table_new_default (FALSE);

  return glint_partition_table_build ((const GlintPartition *) table->data, table->len, TRUE);
}

static void
write_file (const char *dir,
            const char *name,
            GBytes     *data)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                            &error))
    g_error ("%s", error->message);
}

/* What is written must parse as what it is for: a wrong image here
 * would only show as a Demo board that does not boot. */
static void
check_image (GBytes     *data,
             const char *chip,
             const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintImage) parsed = glint_image_parse (data, chip, &error);

  if (parsed == NULL)
    g_error ("%s for %s: %s", name, chip, error->message);
}

/* The app's description and the table read back as what they were built as. */
static void
check_contents (GBytes *app_image,
                GBytes *table)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) partitions = NULL;
  GlintAppDesc desc;
  gsize len;
  const guint8 *data = g_bytes_get_data (app_image, &len);

  if (!glint_app_desc_parse_image (data, len, &desc, &error) ||
      !g_str_equal (desc.project_name, PROJECT) || !g_str_equal (desc.version, VERSION))
    g_error ("the app description does not read back: %s",
             error != NULL ? error->message : desc.project_name);
  data = g_bytes_get_data (table, &len);
  partitions = glint_partition_table_parse (data, len, &error);
  if (partitions == NULL || glint_partition_table_at (partitions, APP_OFFSET) == NULL)
    g_error ("the partition table does not read back: %s",
             error != NULL ? error->message : "no app at 0x10000");
}

int
main (int argc, char **argv)
{
  g_autoptr(GString) manifest = g_string_new (NULL);
  g_autoptr(GBytes) table = partition_table ();
  g_autoptr(GBytes) manifest_bytes = NULL;
  const char *outdir;

  if (argc != 2)
    {
      g_printerr ("usage: %s OUTDIR\n", argv[0]);
      return 2;
    }
  outdir = argv[1];
  g_mkdir_with_parents (outdir, 0755);

  g_string_append (manifest, "{\n  \"name\": \"Glint demo\",\n  \"version\": \"" VERSION "\",\n"
                             "  \"builds\": [\n");
  for (guint i = 0; i < G_N_ELEMENTS (memories); i++)
    {
      const Memory *mem = &memories[i];
      const GlintChipImage *chip = glint_chip_image_lookup (mem->chip);
      g_autoptr(GBytes) boot = NULL;
      g_autoptr(GBytes) application = NULL;
      g_autofree char *boot_name = g_strdup_printf ("%s-bootloader.bin", mem->chip);
      g_autofree char *table_name = g_strdup_printf ("%s-partition-table.bin", mem->chip);
      g_autofree char *app_name = g_strdup_printf ("%s-" PROJECT ".bin", mem->chip);

      g_assert (chip != NULL);
      boot = bootloader (chip, mem);
      application = app (chip, mem);
      check_image (boot, mem->chip, boot_name);
      check_image (application, mem->chip, app_name);
      if (chip->image_chip_id != GLINT_CHIP_NO_IMAGE_ID)
        check_contents (application, table);
      write_file (outdir, boot_name, boot);
      write_file (outdir, table_name, table);
      write_file (outdir, app_name, application);

      g_string_append_printf (manifest,
                              "    {\"chipFamily\": \"%s\", \"parts\": [\n"
                              "      {\"path\": \"%s\", \"offset\": %u},\n"
                              "      {\"path\": \"%s\", \"offset\": %u},\n"
                              "      {\"path\": \"%s\", \"offset\": %u}]}%s\n",
                              chip->display_name, boot_name, chip->bootloader_offset,
                              table_name, GLINT_PARTITION_TABLE_OFFSET, app_name, APP_OFFSET,
                              i + 1 < G_N_ELEMENTS (memories) ? "," : "");
    }
  g_string_append (manifest, "  ]\n}\n");

  manifest_bytes = g_bytes_new (manifest->str, manifest->len);
  write_file (outdir, "manifest.json", manifest_bytes);
  return 0;
}
