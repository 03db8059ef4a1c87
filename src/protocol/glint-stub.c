/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "glint-error.h"
#include "glint-stub.h"

/*
 * Flasher stubs are esptool's JSON files (protocol.md §6.2): base64 text and
 * data segments, their load addresses and an entry point. They are third-party
 * binaries, so Glint never ships its own: it finds the ones already installed
 * (design.md "Stubs") and uploads them to RAM through the ROM loader (§6.3).
 */

struct _GlintStub
{
  gatomicrefcount  ref_count;

  char            *chip_name;
  GBytes          *text;
  guint32          text_start;
  GBytes          *data;          /* NULL when the stub has no data segment */
  guint32          data_start;
  gboolean         has_bss;
  guint32          bss_start;
  guint32          entry;

  char            *source_path;
  char            *root_label;
  char            *description;
  GlintStubLayout  layout;
};

G_DEFINE_BOXED_TYPE (GlintStub, glint_stub, glint_stub_ref, glint_stub_unref)

/* Parsing ----------------------------------------------------------------------- */

/* g_base64_decode () skips anything it does not know, so a damaged file would
 * decode into a shorter, wrong stub: check the alphabet and padding first. */
static gboolean
is_valid_base64 (const char *text)
{
  gsize n = 0;
  gsize padding = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        continue;
      if (*p == '=')
        padding++;
      else if (padding > 0)
        return FALSE;
      else if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/')
        return FALSE;
      n++;
    }

  return n % 4 == 0 && padding <= 2;
}

static GBytes *
get_segment (JsonObject  *object,
             const char  *name,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *text;
  guchar *decoded;
  gsize len = 0;

  if (node == NULL || json_node_is_null (node))
    return NULL;

  if (json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB,
                   "“%s” is not a base64 string", name);
      return NULL;
    }

  text = json_node_get_string (node);
  if (!is_valid_base64 (text))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB,
                   "“%s” is not valid base64", name);
      return NULL;
    }

  decoded = g_base64_decode (text, &len);
  if (len > GLINT_STUB_MAX_SEGMENT)
    {
      g_free (decoded);
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB,
                   "“%s” is too large for a flasher stub (%" G_GSIZE_FORMAT " bytes)",
                   name, len);
      return NULL;
    }

  return g_bytes_new_take (decoded, len);
}

/* Returns FALSE with @error set when the member is there but unusable, and
 * FALSE without an error when it is missing. */
static gboolean
get_address (JsonObject  *object,
             const char  *name,
             guint32     *address,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  gint64 value;

  if (node == NULL || json_node_is_null (node))
    return FALSE;

  if (json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB,
                   "“%s” is not an integer", name);
      return FALSE;
    }

  value = json_node_get_int (node);
  if (value < 0 || value > G_MAXUINT32)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB,
                   "“%s” (%" G_GINT64_FORMAT ") is not a 32-bit address", name, value);
      return FALSE;
    }

  *address = (guint32) value;
  return TRUE;
}

static gboolean
require_address (JsonObject  *object,
                 const char  *name,
                 guint32     *address,
                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (get_address (object, name, address, &local_error))
    return TRUE;

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB, "“%s” is missing", name);

  return FALSE;
}

/* "esp32s3.json", "esp32p4-rev1.json", "stub_flasher_32s3.json",
 * "stub_flasher_esp32s3.json" -> the chip table's name, or NULL. */
static char *
chip_name_from_path (const char *path)
{
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;
  const char *p;

  if (path == NULL)
    return NULL;

  base = g_path_get_basename (path);
  if (!g_str_has_suffix (base, ".json"))
    return NULL;
  base[strlen (base) - strlen (".json")] = '\0';

  p = base;
  if (g_str_has_prefix (p, "stub_flasher_"))
    p += strlen ("stub_flasher_");
  name = g_str_has_prefix (p, "esp") ? g_strdup (p) : g_strconcat ("esp", p, NULL);

  if (g_str_has_suffix (name, "-rev1"))
    name[strlen (name) - strlen ("-rev1")] = '\0';
  else if (g_str_has_suffix (name, "rc1"))
    name[strlen (name) - strlen ("rc1")] = '\0';

  if (glint_chip_lookup (name) == NULL)
    return NULL;

  return g_steal_pointer (&name);
}

static gboolean
segments_overlap (guint32 a_start,
                  gsize   a_len,
                  guint32 b_start,
                  gsize   b_len)
{
  return (guint64) a_start < (guint64) b_start + b_len &&
         (guint64) b_start < (guint64) a_start + a_len;
}

static gboolean
segment_contains (guint32 start,
                  gsize   len,
                  guint32 address)
{
  return address >= start && (guint64) address < (guint64) start + len;
}

static gboolean
validate (GlintStub  *self,
          GError    **error)
{
  gsize text_len = g_bytes_get_size (self->text);
  gsize data_len = self->data != NULL ? g_bytes_get_size (self->data) : 0;

  if ((guint64) self->text_start + text_len > (guint64) G_MAXUINT32 + 1)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB,
                   "text (%" G_GSIZE_FORMAT " bytes at 0x%08x) runs past the 32-bit "
                   "address space", text_len, self->text_start);
      return FALSE;
    }

  if (self->data != NULL &&
      (guint64) self->data_start + data_len > (guint64) G_MAXUINT32 + 1)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB,
                   "data (%" G_GSIZE_FORMAT " bytes at 0x%08x) runs past the 32-bit "
                   "address space", data_len, self->data_start);
      return FALSE;
    }

  if (self->data != NULL &&
      segments_overlap (self->text_start, text_len, self->data_start, data_len))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB,
                   "text (0x%08x–0x%08" G_GINT64_MODIFIER "x) and data "
                   "(0x%08x–0x%08" G_GINT64_MODIFIER "x) overlap",
                   self->text_start, (guint64) self->text_start + text_len,
                   self->data_start, (guint64) self->data_start + data_len);
      return FALSE;
    }

  /* The stub zeroes its BSS on start: if that began inside a segment it
   * would wipe code or data we just uploaded. */
  if (self->has_bss &&
      (segment_contains (self->text_start, text_len, self->bss_start) ||
       (self->data != NULL && segment_contains (self->data_start, data_len, self->bss_start))))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB,
                   "bss_start 0x%08x lies inside the %s segment", self->bss_start,
                   segment_contains (self->text_start, text_len, self->bss_start) ?
                   "text" : "data");
      return FALSE;
    }

  /* MEM_END with entry 0 means "do not jump": no stub would ever start. */
  if (self->entry == 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB, "the entry point is 0");
      return FALSE;
    }

  return TRUE;
}

/**
 * glint_stub_new_from_json:
 * @json: the contents of an esptool stub file (protocol.md §6.2)
 * @source_path: (nullable): where it came from, for messages and the chip name
 * @error: return location for a %GLINT_ERROR_INVALID_STUB error
 *
 * Parses and checks a stub. Fields other than the segments, their addresses
 * and the entry point (e.g. the NAND plugin table of esp-flasher-stub) are
 * ignored.
 *
 * Returns: (transfer full) (nullable): the stub
 */
GlintStub *
glint_stub_new_from_json (GBytes      *json,
                          const char  *source_path,
                          GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GlintStub) self = NULL;
  JsonNode *root;
  JsonObject *object;
  gsize size = 0;
  const char *contents;

  g_return_val_if_fail (json != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  contents = g_bytes_get_data (json, &size);
  if (size == 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB, "the stub file is empty");
      return NULL;
    }

  if (!json_parser_load_from_data (parser, contents, size, &local_error))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB, "not a JSON stub file: %s",
                   local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB,
                   "not a stub file: the JSON is not an object");
      return NULL;
    }
  object = json_node_get_object (root);

  self = g_new0 (GlintStub, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->layout = GLINT_STUB_LAYOUT_FLAT;

  self->text = get_segment (object, "text", &local_error);
  if (self->text == NULL && local_error == NULL)
    g_set_error (&local_error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB, "“text” is missing");
  else if (self->text != NULL && g_bytes_get_size (self->text) == 0)
    g_set_error (&local_error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB, "“text” is empty");
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (!require_address (object, "text_start", &self->text_start, error) ||
      !require_address (object, "entry", &self->entry, error))
    return NULL;

  self->data = get_segment (object, "data", &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (self->data != NULL && g_bytes_get_size (self->data) == 0)
    g_clear_pointer (&self->data, g_bytes_unref);
  if (self->data != NULL && !require_address (object, "data_start", &self->data_start, error))
    return NULL;

  self->has_bss = get_address (object, "bss_start", &self->bss_start, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (!validate (self, error))
    return NULL;

  self->source_path = g_strdup (source_path);
  self->chip_name = chip_name_from_path (source_path);
  if (source_path != NULL)
    self->description = g_strdup_printf ("flasher stub from %s", source_path);
  else
    self->description = g_strdup ("flasher stub");

  return g_steal_pointer (&self);
}

GlintStub *
glint_stub_ref (GlintStub *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
glint_stub_unref (GlintStub *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->chip_name);
  g_clear_pointer (&self->text, g_bytes_unref);
  g_clear_pointer (&self->data, g_bytes_unref);
  g_free (self->source_path);
  g_free (self->root_label);
  g_free (self->description);
  g_free (self);
}

/**
 * glint_stub_get_chip_name:
 *
 * Returns: (nullable): the chip table name ("esp32s3"), from the search or
 *   the file name; %NULL when neither tells
 */
const char *
glint_stub_get_chip_name (const GlintStub *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->chip_name;
}

/**
 * glint_stub_get_text:
 *
 * Returns: (transfer none): the IRAM code segment, never empty
 */
GBytes *
glint_stub_get_text (const GlintStub *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->text;
}

guint32
glint_stub_get_text_start (const GlintStub *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->text_start;
}

/**
 * glint_stub_get_data:
 *
 * Returns: (transfer none) (nullable): the DRAM data segment, %NULL if the
 *   stub has none
 */
GBytes *
glint_stub_get_data (const GlintStub *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->data;
}

guint32
glint_stub_get_data_start (const GlintStub *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->data_start;
}

/**
 * glint_stub_get_bss_start:
 * @bss_start: (out) (optional): the start of BSS
 *
 * Returns: whether the file gave a BSS start
 */
gboolean
glint_stub_get_bss_start (const GlintStub *self,
                          guint32         *bss_start)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (bss_start != NULL)
    *bss_start = self->bss_start;

  return self->has_bss;
}

guint32
glint_stub_get_entry (const GlintStub *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->entry;
}

/**
 * glint_stub_get_source_path:
 *
 * Returns: (nullable): the file the stub was read from
 */
const char *
glint_stub_get_source_path (const GlintStub *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->source_path;
}

/**
 * glint_stub_get_root_label:
 *
 * Returns: (nullable): the search root's label ("ESP-IDF"), %NULL unless the
 *   stub came from glint_stub_find()
 */
const char *
glint_stub_get_root_label (const GlintStub *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->root_label;
}

GlintStubLayout
glint_stub_get_layout (const GlintStub *self)
{
  g_return_val_if_fail (self != NULL, GLINT_STUB_LAYOUT_FLAT);

  return self->layout;
}

/**
 * glint_stub_get_description:
 *
 * Returns: which stub set this is and where it came from, for the UI and the
 *   log: "esptool 5.x stubs (esp-flasher-stub), from /usr/lib/python3/…"
 */
const char *
glint_stub_get_description (const GlintStub *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->description;
}
