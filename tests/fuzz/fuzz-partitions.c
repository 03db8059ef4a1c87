/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-error.h"
#include "glint-fuzz.h"
#include "glint-partitions.h"

/* The partition table and otadata parsers on any bytes: an error or a
 * table, never both; a table has named, aligned, disjoint partitions,
 * and what the builder writes from it parses back to the same table. */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) table = glint_partition_table_parse (data, size, &error);
  g_autoptr(GBytes) built = NULL;
  g_autoptr(GArray) again = NULL;
  GlintOtaEntry entries[2];

  glint_partition_table_find (data, size);
  if (size >= 2 * GLINT_OTADATA_ENTRY_SIZE)
    {
      glint_otadata_parse_entry (data, &entries[0]);
      glint_otadata_parse_entry (data + GLINT_OTADATA_ENTRY_SIZE, &entries[1]);
      g_assert_cmpint (glint_otadata_boot_slot (entries, 3), <, 3);
    }

  g_assert_true ((table == NULL) == (error != NULL));
  if (table == NULL)
    {
      g_assert_true (error->domain == GLINT_ERROR);
      return 0;
    }

  g_assert_cmpuint (table->len, >, 0);
  g_assert_cmpuint (table->len, <, GLINT_PARTITION_TABLE_SIZE / GLINT_PARTITION_ENTRY_SIZE);
  for (guint i = 0; i < table->len; i++)
    {
      GlintPartition *p = &g_array_index (table, GlintPartition, i);
      g_autofree char *type = glint_partition_describe_type (p);

      g_assert_cmpuint (strlen (p->name), >, 0);
      g_assert_cmpuint (p->size, >, 0);
      g_assert_cmpuint (p->offset % GLINT_PARTITION_DATA_ALIGN, ==, 0);
      g_assert_true (glint_partition_table_lookup (table, p->name) == p);
      g_assert_nonnull (type);
    }
  if (size >= 2 * GLINT_OTADATA_ENTRY_SIZE)
    glint_partition_table_booting (table, entries);

  built = glint_partition_table_build ((GlintPartition *) table->data, table->len,
                                       table->len + 1 < GLINT_PARTITION_TABLE_SIZE /
                                                        GLINT_PARTITION_ENTRY_SIZE);
  again = glint_partition_table_parse (g_bytes_get_data (built, NULL),
                                       g_bytes_get_size (built), NULL);
  g_assert_nonnull (again);
  g_assert_cmpuint (again->len, ==, table->len);
  g_assert_cmpmem (again->data, again->len * sizeof (GlintPartition),
                   table->data, table->len * sizeof (GlintPartition));
  return 0;
}
