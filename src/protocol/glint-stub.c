/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include <json-glib/json-glib.h>

#include "glint-bytes.h"
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
                   _("“%s” is not a base64 string"), name);
      return NULL;
    }

  text = json_node_get_string (node);
  if (!is_valid_base64 (text))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB,
                   _("“%s” is not valid base64"), name);
      return NULL;
    }

  decoded = g_base64_decode (text, &len);
  if (len >= GLINT_STUB_MAX_SEGMENT)
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
                   _("“%s” is not an integer"), name);
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
    g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB, _("“%s” is missing"), name);

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

/* Strictly inside: an empty BSS may sit right at a segment's start. */
static gboolean
segment_contains (guint32 start,
                  gsize   len,
                  guint32 address)
{
  return address > start && (guint64) address < (guint64) start + len;
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
                   _("bss_start 0x%08x lies inside the %s segment"), self->bss_start,
                   segment_contains (self->text_start, text_len, self->bss_start) ?
                   "text" : "data");
      return FALSE;
    }

  /* MEM_END with entry 0 means "do not jump": no stub would ever start. */
  if (self->entry == 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB, _("the entry point is 0"));
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
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB, _("the stub file is empty"));
      return NULL;
    }

  if (!json_parser_load_from_data (parser, contents, size, &local_error))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB, _("not a JSON stub file: %s"),
                   local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB,
                   _("not a stub file: the JSON is not an object"));
      return NULL;
    }
  object = json_node_get_object (root);

  self = g_new0 (GlintStub, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->layout = GLINT_STUB_LAYOUT_FLAT;

  self->text = get_segment (object, "text", &local_error);
  if (self->text == NULL && local_error == NULL)
    g_set_error (&local_error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB, _("“text” is missing"));
  else if (self->text != NULL && g_bytes_get_size (self->text) == 0)
    g_set_error (&local_error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB, _("“text” is empty"));
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

/* Search --------------------------------------------------------------------------- */

/* Larger files are not stubs; do not read them into memory. */
#define MAX_STUB_FILE_SIZE (4 * 1024 * 1024)

/* Versioned directories (python3.11, Arduino's 4.5.1) matched by a glob are
 * tried newest first, and a glob never yields more than this many. */
#define MAX_GLOB_MATCHES 16

GlintStubRoot *
glint_stub_root_new (const char *label,
                     const char *path)
{
  GlintStubRoot *root;

  g_return_val_if_fail (label != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  root = g_new0 (GlintStubRoot, 1);
  root->label = g_strdup (label);
  root->path = g_strdup (path);

  return root;
}

void
glint_stub_root_free (GlintStubRoot *root)
{
  if (root == NULL)
    return;

  g_free (root->label);
  g_free (root->path);
  g_free (root);
}

/* Natural order, so that python3.10 sorts after python3.9. */
static gint
compare_versions (const char *a,
                  const char *b)
{
  while (*a != '\0' && *b != '\0')
    {
      if (g_ascii_isdigit (*a) && g_ascii_isdigit (*b))
        {
          guint64 x = g_ascii_strtoull (a, (char **) &a, 10);
          guint64 y = g_ascii_strtoull (b, (char **) &b, 10);

          if (x != y)
            return x < y ? -1 : 1;
          continue;
        }
      if (*a != *b)
        return (guchar) *a - (guchar) *b;
      a++;
      b++;
    }

  return (guchar) *a - (guchar) *b;
}

static gint
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  return compare_versions (*(const char *const *) b, *(const char *const *) a);
}

/* Expands '*' and '?' in the components of an absolute @pattern, one
 * directory listing per wildcard component: no recursive scans. Adds the
 * existing directories to @out. */
static void
expand_pattern (const char *pattern,
                GPtrArray  *out)
{
  g_auto(GStrv) parts = g_strsplit (pattern, "/", -1);
  g_autoptr(GPtrArray) current = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (current, g_strdup ("/"));

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) next = g_ptr_array_new_with_free_func (g_free);
      gboolean wild = strchr (parts[i], '*') != NULL || strchr (parts[i], '?') != NULL;

      if (parts[i][0] == '\0')
        continue;

      for (guint j = 0; j < current->len; j++)
        {
          const char *dir = g_ptr_array_index (current, j);
          g_autoptr(GPtrArray) matches = NULL;
          g_autoptr(GDir) listing = NULL;
          const char *name;

          if (!wild)
            {
              g_ptr_array_add (next, g_build_filename (dir, parts[i], NULL));
              continue;
            }

          listing = g_dir_open (dir, 0, NULL);
          if (listing == NULL)
            continue;

          matches = g_ptr_array_new_with_free_func (g_free);
          while ((name = g_dir_read_name (listing)) != NULL)
            if (g_pattern_match_simple (parts[i], name))
              g_ptr_array_add (matches, g_strdup (name));
          g_ptr_array_sort (matches, compare_newest_first);

          for (guint k = 0; k < matches->len && k < MAX_GLOB_MATCHES; k++)
            g_ptr_array_add (next, g_build_filename (dir, g_ptr_array_index (matches, k),
                                                     NULL));
        }

      g_clear_pointer (&current, g_ptr_array_unref);
      current = g_steal_pointer (&next);
    }

  for (guint j = 0; j < current->len; j++)
    if (g_file_test (g_ptr_array_index (current, j), G_FILE_TEST_IS_DIR))
      g_ptr_array_add (out, g_strdup (g_ptr_array_index (current, j)));
}

static void
add_root (GPtrArray  *roots,
          const char *label,
          const char *path)
{
  for (guint i = 0; i < roots->len; i++)
    {
      GlintStubRoot *root = g_ptr_array_index (roots, i);

      if (g_str_equal (root->path, path))
        return;
    }

  g_ptr_array_add (roots, glint_stub_root_new (label, path));
}

/* A system-wide path (/usr/lib/…, Glint's data directory) below
 * $GLINT_STUB_SYSROOT when that is set: the tests point it at a folder of
 * their own, so that what the machine has installed cannot change their
 * outcome, and they can lay out an installed esptool for real. */
static char *
system_path (const char *path)
{
  const char *sysroot = g_getenv ("GLINT_STUB_SYSROOT");

  if (sysroot == NULL || sysroot[0] == '\0')
    return g_strdup (path);

  return g_build_filename (sysroot, path, NULL);
}

/* Adds the directories matching the absolute @pattern as it is: for paths
 * the user gave ($IDF_PATH, the current directory). */
static void
add_roots_at (GPtrArray  *roots,
              const char *label,
              const char *pattern)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  expand_pattern (pattern, paths);
  for (guint i = 0; i < paths->len; i++)
    add_root (roots, label, g_ptr_array_index (paths, i));
}

/* Adds the directories matching @pattern; ~/ stands for the home directory,
 * and other patterns are system paths (system_path ()). */
static void
add_roots (GPtrArray  *roots,
           const char *label,
           const char *pattern)
{
  g_autofree char *expanded = NULL;

  if (g_str_has_prefix (pattern, "~/"))
    expanded = g_build_filename (g_get_home_dir (), pattern + 2, NULL);
  else
    expanded = system_path (pattern);

  add_roots_at (roots, label, expanded);
}

#define ESPTOOL_STUBS "esptool/targets/stub_flasher"

/**
 * glint_stub_search_path_new:
 *
 * The places stubs are looked for, in order (design.md "Stubs"):
 *
 * 1. `$GLINT_STUB_DIR` (a list separated by `:`), then
 *    `~/.local/share/glint/stubs` and Glint's own data directory: these
 *    three are always listed, so that "not found" tells where to put stubs;
 * 2. esptool for Python, in Python's own import order — the user's
 *    site-packages and pipx before /usr/local before the distribution's —
 *    so that Glint uses the stubs the user's `esptool` would;
 * 3. ESP-IDF (`$IDF_PATH`, `~/esp/esp-idf`, `~/.espressif/python_env`),
 *    PlatformIO, the Arduino cores' esptool_py, and an npm esptool-js.
 *
 * Only the first three entries are listed whether they exist or not.
 * Versioned directories are tried newest first. With `$GLINT_STUB_SYSROOT`
 * set, the system-wide places (Glint's data directory, /usr/…) are looked
 * for below it instead of below /, as the tests do.
 *
 * Returns: (transfer full) (element-type GlintStubRoot): the roots
 */
GPtrArray *
glint_stub_search_path_new (void)
{
  GPtrArray *roots = g_ptr_array_new_with_free_func ((GDestroyNotify) glint_stub_root_free);
  const char *env = g_getenv ("GLINT_STUB_DIR");
  const char *idf_path = g_getenv ("IDF_PATH");
  g_autofree char *user = g_build_filename (g_get_user_data_dir (), "glint", "stubs", NULL);
  g_autofree char *own = system_path (PACKAGE_DATADIR "/stubs");
  g_autofree char *cwd_modules = NULL;
  g_autofree char *cwd = g_get_current_dir ();

  if (env != NULL && env[0] != '\0')
    {
      g_auto(GStrv) dirs = g_strsplit (env, G_SEARCHPATH_SEPARATOR_S, -1);

      for (guint i = 0; dirs[i] != NULL; i++)
        if (dirs[i][0] != '\0')
          add_root (roots, "GLINT_STUB_DIR", dirs[i]);
    }
  add_root (roots, _("user data"), user);
  add_root (roots, "Glint", own);

  add_roots (roots, "esptool (Python)", "~/.local/lib/python3*/site-packages/" ESPTOOL_STUBS);
  add_roots (roots, "esptool (Python)",
             "~/.local/share/pipx/venvs/esptool/lib/python3*/site-packages/" ESPTOOL_STUBS);
  add_roots (roots, "esptool (Python)",
             "~/.local/pipx/venvs/esptool/lib/python3*/site-packages/" ESPTOOL_STUBS);
  add_roots (roots, "esptool (Python)", "/usr/local/lib/python3*/dist-packages/" ESPTOOL_STUBS);
  add_roots (roots, "esptool (Python)", "/usr/local/lib/python3*/site-packages/" ESPTOOL_STUBS);
  add_roots (roots, "esptool (Python)", "/usr/lib/python3/dist-packages/" ESPTOOL_STUBS);
  add_roots (roots, "esptool (Python)", "/usr/lib/python3*/site-packages/" ESPTOOL_STUBS);

  if (idf_path != NULL && g_path_is_absolute (idf_path))
    {
      g_autofree char *idf = g_build_filename (idf_path, "components", "esptool_py",
                                               "esptool", ESPTOOL_STUBS, NULL);
      add_roots_at (roots, "ESP-IDF", idf);
    }
  add_roots (roots, "ESP-IDF", "~/esp/esp-idf/components/esptool_py/esptool/" ESPTOOL_STUBS);
  add_roots (roots, "ESP-IDF",
             "~/.espressif/python_env/*/lib/python3*/site-packages/" ESPTOOL_STUBS);

  add_roots (roots, "PlatformIO", "~/.platformio/packages/tool-esptoolpy/" ESPTOOL_STUBS);
  add_roots (roots, "PlatformIO", "~/.platformio/packages/tool-esptoolpy@*/" ESPTOOL_STUBS);

  add_roots (roots, "Arduino", "~/.arduino15/packages/*/tools/esptool_py/*/" ESPTOOL_STUBS);

  cwd_modules = g_build_filename (cwd, "node_modules/esptool-js/lib/targets/stub_flasher", NULL);
  add_roots_at (roots, "esptool-js", cwd_modules);
  add_roots (roots, "esptool-js", "~/node_modules/esptool-js/lib/targets/stub_flasher");
  add_roots (roots, "esptool-js",
             "~/.npm-global/lib/node_modules/esptool-js/lib/targets/stub_flasher");
  add_roots (roots, "esptool-js", "~/.local/lib/node_modules/esptool-js/lib/targets/stub_flasher");
  add_roots (roots, "esptool-js", "/usr/local/lib/node_modules/esptool-js/lib/targets/stub_flasher");
  add_roots (roots, "esptool-js", "/usr/lib/node_modules/esptool-js/lib/targets/stub_flasher");

  return roots;
}

typedef struct
{
  GlintStubLayout  layout;
  char            *path;
} Candidate;

static const char *
layout_set_name (GlintStubLayout  layout,
                 const char      *path,
                 const char      *label)
{
  switch (layout)
    {
    case GLINT_STUB_LAYOUT_V2:
      return "esptool 5.x stubs (esp-flasher-stub)";
    case GLINT_STUB_LAYOUT_V1:
      return "esptool legacy stubs (esptool-legacy-flasher-stub)";
    case GLINT_STUB_LAYOUT_LEGACY:
      if (g_strcmp0 (label, "esptool-js") == 0 || strstr (path, "esptool-js") != NULL)
        return "esptool-js stubs";
      return "esptool 4.x stubs";
    case GLINT_STUB_LAYOUT_FLAT:
    default:
      return "flasher stubs";
    }
}

/* ".../esptool/targets/stub_flasher" is shown as ".../esptool". */
static char *
display_dir (const char *root)
{
  if (g_str_has_suffix (root, "/targets/stub_flasher"))
    return g_strndup (root, strlen (root) - strlen ("/targets/stub_flasher"));

  return g_strdup (root);
}

/* File names for one chip in one root, in the order they are tried: the
 * licence-friendly v2 stubs first (protocol.md §6.1). */
static GArray *
candidates_for (const char *root,
                const char *stub_file)
{
  GArray *candidates = g_array_new (FALSE, TRUE, sizeof (Candidate));
  g_autofree char *base = g_strndup (stub_file, strlen (stub_file) - strlen (".json"));
  g_autofree char *short_name = NULL;
  g_autofree char *legacy_short = NULL;
  g_autofree char *legacy_long = NULL;
  Candidate c;

  /* esptool 4.x and esptool-js: "stub_flasher_32s3.json", and for the
   * P4 before rev. 3 "stub_flasher_32p4rc1.json" */
  short_name = g_strdup (g_str_has_prefix (base, "esp") ? base + 3 : base);
  if (g_str_has_suffix (short_name, "-rev1"))
    {
      short_name[strlen (short_name) - strlen ("-rev1")] = '\0';
      legacy_short = g_strconcat ("stub_flasher_", short_name, "rc1.json", NULL);
    }
  else
    legacy_short = g_strconcat ("stub_flasher_", short_name, ".json", NULL);
  legacy_long = g_strconcat ("stub_flasher_", base, ".json", NULL);

  c = (Candidate) { GLINT_STUB_LAYOUT_V2, g_build_filename (root, "2", stub_file, NULL) };
  g_array_append_val (candidates, c);
  c = (Candidate) { GLINT_STUB_LAYOUT_FLAT, g_build_filename (root, stub_file, NULL) };
  g_array_append_val (candidates, c);
  c = (Candidate) { GLINT_STUB_LAYOUT_V1, g_build_filename (root, "1", stub_file, NULL) };
  g_array_append_val (candidates, c);
  c = (Candidate) { GLINT_STUB_LAYOUT_LEGACY, g_build_filename (root, legacy_short, NULL) };
  g_array_append_val (candidates, c);
  c = (Candidate) { GLINT_STUB_LAYOUT_LEGACY, g_build_filename (root, legacy_long, NULL) };
  g_array_append_val (candidates, c);

  return candidates;
}

static void
candidates_free (GArray *candidates)
{
  for (guint i = 0; i < candidates->len; i++)
    g_free (g_array_index (candidates, Candidate, i).path);
  g_array_unref (candidates);
}

static GlintStub *
load_candidate (const char  *path,
                GError     **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) bytes = NULL;

  mapped = g_mapped_file_new (path, FALSE, error);
  if (mapped == NULL)
    return NULL;

  if (g_mapped_file_get_length (mapped) > MAX_STUB_FILE_SIZE)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB,
                   "too large for a stub file (%" G_GSIZE_FORMAT " bytes)",
                   g_mapped_file_get_length (mapped));
      return NULL;
    }

  bytes = g_mapped_file_get_bytes (mapped);

  return glint_stub_new_from_json (bytes, path, error);
}

/**
 * glint_stub_find_in_path:
 * @chip: the chip to find a stub for
 * @major_rev: its major revision, or %GLINT_CHIP_REV_UNKNOWN
 *   (glint_chip_get_stub_file())
 * @search_path: (element-type GlintStubRoot): from glint_stub_search_path_new()
 * @error: return location for a %GLINT_ERROR_STUB_NOT_FOUND error
 *
 * Tries each root in order and, within a root, the v2 layout before the
 * legacy ones. Files that do not parse are skipped (and named in the error
 * should nothing be found).
 *
 * Returns: (transfer full) (nullable): the first usable stub
 */
GlintStub *
glint_stub_find_in_path (const GlintChip  *chip,
                         guint             major_rev,
                         GPtrArray        *search_path,
                         GError          **error)
{
  g_autoptr(GString) tried = g_string_new (NULL);
  g_autoptr(GString) skipped = g_string_new (NULL);
  const char *stub_file;

  g_return_val_if_fail (chip != NULL, NULL);
  g_return_val_if_fail (search_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stub_file = glint_chip_get_stub_file (chip, major_rev);

  for (guint i = 0; i < search_path->len; i++)
    {
      GlintStubRoot *root = g_ptr_array_index (search_path, i);
      GArray *candidates = candidates_for (root->path, stub_file);

      if (tried->len > 0)
        g_string_append (tried, ", ");
      g_string_append_printf (tried, "%s (%s)", root->path, root->label);

      for (guint j = 0; j < candidates->len; j++)
        {
          Candidate *c = &g_array_index (candidates, Candidate, j);
          g_autoptr(GError) local_error = NULL;
          g_autofree char *dir = NULL;
          GlintStub *stub;

          if (!g_file_test (c->path, G_FILE_TEST_EXISTS))
            continue;

          stub = load_candidate (c->path, &local_error);
          if (stub == NULL)
            {
              g_debug ("skipping flasher stub %s: %s", c->path, local_error->message);
              g_string_append_printf (skipped, "%s%s (%s)", skipped->len > 0 ? ", " : "",
                                      c->path, local_error->message);
              continue;
            }

          dir = display_dir (root->path);
          g_free (stub->chip_name);
          stub->chip_name = g_strdup (chip->name);
          stub->root_label = g_strdup (root->label);
          stub->layout = c->layout;
          g_free (stub->description);
          stub->description = g_strdup_printf ("%s, from %s",
                                               layout_set_name (c->layout, c->path,
                                                                root->label),
                                               dir);
          candidates_free (candidates);
          return stub;
        }

      candidates_free (candidates);
    }

  g_set_error (error, GLINT_ERROR, GLINT_ERROR_STUB_NOT_FOUND,
               _("no flasher stub for %s found in: %s%s%s; Glint will use the ROM loader"),
               chip->display_name, tried->len > 0 ? tried->str : _("(no search roots)"),
               skipped->len > 0 ? _("; unusable: ") : "", skipped->str);

  return NULL;
}

/**
 * glint_stub_find:
 * @chip: the chip to find a stub for
 * @major_rev: its major revision, or %GLINT_CHIP_REV_UNKNOWN
 * @roots: (nullable) (array zero-terminated=1): directories to search
 *   instead of glint_stub_search_path_new()
 * @error: return location for a %GLINT_ERROR_STUB_NOT_FOUND error
 *
 * See glint_stub_find_in_path().
 *
 * Returns: (transfer full) (nullable): the first usable stub
 */
GlintStub *
glint_stub_find (const GlintChip    *chip,
                 guint               major_rev,
                 const char *const  *roots,
                 GError            **error)
{
  g_autoptr(GPtrArray) search_path = NULL;

  g_return_val_if_fail (chip != NULL, NULL);

  if (roots == NULL)
    search_path = glint_stub_search_path_new ();
  else
    {
      search_path = g_ptr_array_new_with_free_func ((GDestroyNotify) glint_stub_root_free);
      for (guint i = 0; roots[i] != NULL; i++)
        g_ptr_array_add (search_path, glint_stub_root_new ("search root", roots[i]));
    }

  return glint_stub_find_in_path (chip, major_rev, search_path, error);
}

/* Upload ----------------------------------------------------------------------------- */

/* After MEM_END the ROM may still answer, then jumps; the stub sets up its
 * UART and greets. esptool's MEM_END_ROM_TIMEOUT is 0.2 s (it was 0.05 s
 * until v4.5 and broke RFC 2217 links, protocol.md §7.1); the loader adds
 * the wire time and the learnt link allowance on top, so remote links wait
 * longer still. */
#define OHAI_WAIT_US (200 * 1000)

typedef struct
{
  const char *name;
  GBytes     *bytes;
  guint32     address;
} Segment;

typedef struct
{
  GlintStub           *stub;
  guint                block_size;
  Segment              segments[2];
  guint                n_segments;
  guint                segment;
  guint                seq;
  guint                n_blocks;
  guint                round_trips_before;
  guint                block_attempts;  /* sends of the current block refused as damaged */
  gint64               started;
  GlintStubUploadInfo  info;
} Upload;

/* As for flash blocks (esptool's WRITE_BLOCK_ATTEMPTS, protocol.md §7). */
#define MEM_BLOCK_ATTEMPTS 3

static void
upload_free (gpointer data)
{
  Upload *upload = data;

  g_clear_pointer (&upload->stub, glint_stub_unref);
  g_free (upload);
}

static void upload_next_segment (GTask *task);
static void upload_next_block   (GTask *task);

static void
ohai_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GlintLoader *loader = GLINT_LOADER (object);
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!glint_loader_wait_frame_finish (loader, result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, "starting the stub at 0x%08x (MEM_END, then waiting for "
                        "OHAI): ", upload->stub->entry);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  upload->info.round_trips = glint_loader_get_round_trips (loader) -
                             upload->round_trips_before + 1;
  upload->info.elapsed_us = g_get_monotonic_time () - upload->started;
  g_debug ("flasher stub running: %" G_GSIZE_FORMAT " bytes in %u blocks, %u round trips, "
           "%.2f s", upload->info.bytes, upload->info.blocks, upload->info.round_trips,
           upload->info.elapsed_us / 1e6);
  g_task_return_boolean (task, TRUE);
}

static void
mem_end_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  /* Only a dead link fails here, and the OHAI wait reports that. */
  reply = glint_loader_command_finish (GLINT_LOADER (object), result, NULL, &error);
  if (reply == NULL)
    g_debug ("MEM_END not sent: %s", error->message);
}

static void
upload_start_stub (GTask *task)
{
  GlintLoader *loader = g_task_get_source_object (task);
  Upload *upload = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GBytes) ohai = g_bytes_new_static ("OHAI", 4);

  /* The ROM's answer to MEM_END may come late, early or not at all: send it
   * without waiting, and let the loader drop a reply that comes. The OHAI
   * wait is set up in the same main loop iteration, before any byte can
   * arrive, and its clock starts once MEM_END has left. */
  glint_loader_mem_end_async (loader, upload->stub->entry, GLINT_COMMAND_NO_RESPONSE, cancellable,
                              mem_end_cb, NULL);
  glint_loader_wait_frame_async (loader, ohai, OHAI_WAIT_US, cancellable, ohai_cb,
                                 g_object_ref (task));
}

static void
mem_data_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *upload = g_task_get_task_data (task);
  Segment *segment = &upload->segments[upload->segment];
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = glint_loader_command_finish (GLINT_LOADER (object), result, NULL, &error);
  if (reply == NULL)
    {
      /* The ROM checks the block before it takes it: one damaged on the
       * way (a bad checksum, or a damaged length field, which it calls
       * malformed) was refused and can be sent again. */
      if ((g_error_matches (error, GLINT_ERROR, GLINT_ERROR_CHECKSUM_MISMATCH) ||
           g_error_matches (error, GLINT_ERROR, GLINT_ERROR_NOT_SUPPORTED)) &&
          ++upload->block_attempts < MEM_BLOCK_ATTEMPTS)
        {
          g_debug ("MEM_DATA block %u of %u (%s) refused (%s): sending it again",
                   upload->seq + 1, upload->n_blocks, segment->name, error->message);
          upload_next_block (task);
          return;
        }
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, "MEM_DATA block %u of %u at 0x%08x (%s): ",
                        upload->seq + 1, upload->n_blocks,
                        segment->address + upload->seq * upload->block_size, segment->name);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  upload->block_attempts = 0;
  upload->info.bytes += MIN ((gsize) upload->block_size,
                             g_bytes_get_size (segment->bytes) -
                             (gsize) upload->seq * upload->block_size);
  upload->info.blocks++;
  upload->seq++;
  if (upload->seq < upload->n_blocks)
    upload_next_block (task);
  else
    {
      upload->segment++;
      upload_next_segment (task);
    }
}

static void
upload_next_block (GTask *task)
{
  GlintLoader *loader = g_task_get_source_object (task);
  Upload *upload = g_task_get_task_data (task);
  Segment *segment = &upload->segments[upload->segment];
  gsize total = g_bytes_get_size (segment->bytes);
  gsize offset = (gsize) upload->seq * upload->block_size;
  gsize len = MIN (upload->block_size, total - offset);
  const guint8 *bytes = g_bytes_get_data (segment->bytes, NULL);

  /* the last block is not padded (protocol.md §1.2, §6.3) */
  glint_loader_mem_data_async (loader, bytes + offset, len, upload->seq,
                               g_task_get_cancellable (task), mem_data_cb, g_object_ref (task));
}

static void
mem_begin_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *upload = g_task_get_task_data (task);
  Segment *segment = &upload->segments[upload->segment];
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = glint_loader_command_finish (GLINT_LOADER (object), result, NULL, &error);
  if (reply == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, "MEM_BEGIN for %s (%" G_GSIZE_FORMAT " bytes at 0x%08x): ",
                        segment->name, g_bytes_get_size (segment->bytes), segment->address);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  upload_next_block (task);
}

static void
upload_next_segment (GTask *task)
{
  GlintLoader *loader = g_task_get_source_object (task);
  Upload *upload = g_task_get_task_data (task);
  Segment *segment;
  gsize size;

  if (upload->segment >= upload->n_segments)
    {
      upload_start_stub (task);
      return;
    }

  segment = &upload->segments[upload->segment];
  size = g_bytes_get_size (segment->bytes);
  upload->seq = 0;
  upload->n_blocks = (size + upload->block_size - 1) / upload->block_size;

  glint_loader_mem_begin_async (loader, size, upload->n_blocks, upload->block_size,
                                segment->address, g_task_get_cancellable (task), mem_begin_cb,
                                g_object_ref (task));
}

/**
 * glint_stub_upload_async:
 * @stub: the stub
 * @loader: a loader talking to the chip's ROM (after SYNC)
 * @usb_otg: the chip is on its ROM's USB-OTG CDC, which takes smaller blocks
 *
 * Loads text and then data into RAM with MEM_BEGIN and MEM_DATA, starts the
 * stub with MEM_END and waits for its "OHAI" (protocol.md §6.3). Each
 * command waits for its answer before the next is sent, as esptool does:
 * the ROM has no documented receive buffering beyond the frame it is
 * working on (its UART FIFO is 128 bytes, the USB-OTG CDC buffer is why
 * blocks shrink to 0x800 there), so a block sent ahead could be lost, and a
 * refused block would leave later ones in flight with nothing to say which
 * failed. The cost is a few round trips once per session.
 *
 * Errors name the step: "MEM_DATA block 3 of 5 at 0x40083000 (text): …".
 */
void
glint_stub_upload_async (GlintStub           *stub,
                         GlintLoader         *loader,
                         gboolean             usb_otg,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const GlintChip *chip;
  Upload *upload;

  g_return_if_fail (stub != NULL);
  g_return_if_fail (GLINT_IS_LOADER (loader));

  task = g_task_new (loader, cancellable, callback, user_data);
  g_task_set_source_tag (task, glint_stub_upload_async);
  g_task_set_name (task, "glint-stub-upload");

  chip = stub->chip_name != NULL ? glint_chip_lookup (stub->chip_name) : NULL;

  upload = g_new0 (Upload, 1);
  upload->stub = glint_stub_ref (stub);
  if (chip != NULL)
    upload->block_size = glint_chip_get_ram_block_size (chip, usb_otg);
  else
    upload->block_size = usb_otg ? 0x800 : 0x1800;
  upload->segments[upload->n_segments++] = (Segment) { "text", stub->text, stub->text_start };
  if (stub->data != NULL)
    upload->segments[upload->n_segments++] = (Segment) { "data", stub->data, stub->data_start };
  upload->round_trips_before = glint_loader_get_round_trips (loader);
  upload->started = g_get_monotonic_time ();
  g_task_set_task_data (task, upload, upload_free);

  if (g_task_return_error_if_cancelled (task))
    return;

  upload_next_segment (task);
}

/**
 * glint_stub_upload_finish:
 * @info: (out) (optional): what was sent, how many round trips, how long
 *
 * Returns: %TRUE once the stub said OHAI; the loader then talks to the stub
 */
gboolean
glint_stub_upload_finish (GlintLoader          *loader,
                          GAsyncResult         *result,
                          GlintStubUploadInfo  *info,
                          GError              **error)
{
  Upload *upload;

  g_return_val_if_fail (GLINT_IS_LOADER (loader), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, loader), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, glint_stub_upload_async), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  upload = g_task_get_task_data (G_TASK (result));
  if (info != NULL)
    *info = upload->info;

  return TRUE;
}
