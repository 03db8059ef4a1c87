/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdlib.h>

#include "glint-formats.h"
#include "glint-test-elf.h"

/* Glint's side of the comparisons with esptool (test-esptool-formats.py):
 *   glint-test-elf make CHIP KIND OUT.elf   writes a test ELF (KIND 0..3)
 *   glint-test-elf convert CHIP IN.elf OUT.bin [MODE SIZE]
 *                                           converts it as Glint does
 *   glint-test-elf split FILE OUTDIR        writes the regions of a HEX or
 *                                           UF2 file as OUTDIR/0xOFFSET.bin
 *   glint-test-elf chips                    lists the chips and kinds */

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  if (argc == 2 && g_str_equal (argv[1], "chips"))
    {
      for (guint i = 0; i < G_N_ELEMENTS (test_elf_chips); i++)
        g_print ("%s\n", test_elf_chips[i].chip);
      g_print ("kinds %d\n", TEST_ELF_N_KINDS);
      return EXIT_SUCCESS;
    }

  if (argc == 5 && g_str_equal (argv[1], "make"))
    {
      const TestElfChip *chip = test_elf_chip (argv[2]);
      guint kind = (guint) g_ascii_strtoull (argv[3], NULL, 10);
      g_autoptr(GBytes) elf = NULL;

      if (chip == NULL || kind >= TEST_ELF_N_KINDS)
        {
          g_printerr ("unknown chip or kind\n");
          return 2;
        }
      elf = test_elf_build (chip, kind, 0x5EED + kind);
      if (!g_file_set_contents (argv[4], g_bytes_get_data (elf, NULL), g_bytes_get_size (elf),
                                &error))
        {
          g_printerr ("%s\n", error->message);
          return EXIT_FAILURE;
        }
      return EXIT_SUCCESS;
    }

  if ((argc == 5 || argc == 7) && g_str_equal (argv[1], "convert"))
    {
      g_autofree char *contents = NULL;
      gsize len = 0;
      g_autoptr(GBytes) elf = NULL;
      g_autoptr(GBytes) image = NULL;
      GlintElfSettings settings = { 0 };

      if (!g_file_get_contents (argv[3], &contents, &len, &error))
        {
          g_printerr ("%s\n", error->message);
          return EXIT_FAILURE;
        }
      if (argc == 7)
        {
          settings.flash_mode = argv[5];
          settings.flash_size = argv[6];
        }
      elf = g_bytes_new_take (g_steal_pointer (&contents), len);
      if (g_str_equal (argv[2], "esp8266"))
        {
          /* and the IROM data to OUT.irom, its offset on stdout */
          g_autoptr(GBytes) irom = NULL;
          g_autofree char *irom_path = g_strconcat (argv[4], ".irom", NULL);
          guint32 irom_offset = 0;

          image = glint_elf_to_esp8266 (elf, &settings, &irom_offset, &irom, &error);
          if (image != NULL && irom != NULL)
            {
              g_print ("irom 0x%x\n", irom_offset);
              if (!g_file_set_contents (irom_path, g_bytes_get_data (irom, NULL),
                                        g_bytes_get_size (irom), &error))
                g_clear_pointer (&image, g_bytes_unref);
            }
        }
      else
        image = glint_elf_to_image (elf, argv[2], &settings, &error);
      if (image == NULL ||
          !g_file_set_contents (argv[4], g_bytes_get_data (image, NULL),
                                g_bytes_get_size (image), &error))
        {
          g_printerr ("%s\n", error->message);
          return EXIT_FAILURE;
        }
      return EXIT_SUCCESS;
    }

  if (argc == 4 && g_str_equal (argv[1], "split"))
    {
      g_autofree char *contents = NULL;
      gsize len = 0;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GArray) regions = NULL;
      guint32 family = 0;

      if (!g_file_get_contents (argv[2], &contents, &len, &error))
        {
          g_printerr ("%s\n", error->message);
          return EXIT_FAILURE;
        }
      bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
      if (glint_format_detect (bytes) == GLINT_FORMAT_UF2)
        regions = glint_uf2_parse (bytes, &family, &error);
      else
        regions = glint_hex_parse (bytes, &error);
      if (regions == NULL)
        {
          g_printerr ("%s\n", error->message);
          return EXIT_FAILURE;
        }
      g_print ("family 0x%08x\n", family);
      for (guint i = 0; i < regions->len; i++)
        {
          GlintFormatRegion *r = &g_array_index (regions, GlintFormatRegion, i);
          g_autofree char *name = g_strdup_printf ("0x%x.bin", r->offset);
          g_autofree char *out = g_build_filename (argv[3], name, NULL);

          if (!g_file_set_contents (out, g_bytes_get_data (r->data, NULL),
                                    g_bytes_get_size (r->data), &error))
            {
              g_printerr ("%s\n", error->message);
              return EXIT_FAILURE;
            }
        }
      return EXIT_SUCCESS;
    }

  g_printerr ("usage: glint-test-elf make CHIP KIND OUT | convert CHIP IN OUT [MODE SIZE] "
              "| split FILE OUTDIR | chips\n");
  return 2;
}
