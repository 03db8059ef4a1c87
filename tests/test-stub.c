/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "glint-chip.h"
#include "glint-error.h"
#include "glint-loader.h"
#include "glint-sim.h"
#include "glint-sim-stream.h"
#include "glint-stream.h"
#include "glint-stub.h"
#include "glint-test-utils.h"

/* Stubs are third-party binaries: every test makes its own from random
 * bytes, with plausible ESP32 addresses. */

#define TEXT_START 0x40080000u
#define DATA_START 0x3FFE0000u

static char *fake_home;
static char *fake_sysroot;
static char *own_stub_dir;   /* Glint's data directory, below fake_sysroot */

static char *
base64_random (gsize len)
{
  g_autofree guint8 *bytes = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    bytes[i] = g_test_rand_int_range (0, 256);

  return g_base64_encode (bytes, len);
}

/* A stub file; data_len 0 leaves data out. */
static char *
make_json (gsize        text_len,
           guint32      text_start,
           gsize        data_len,
           const char  *extra)
{
  g_autofree char *text = base64_random (text_len);
  g_autofree char *data = data_len > 0 ? base64_random (data_len) : NULL;
  g_autofree char *data_part = NULL;

  if (data != NULL)
    data_part = g_strdup_printf (", \"data\": \"%s\", \"data_start\": %u, \"bss_start\": %u",
                                 data, DATA_START, DATA_START + (guint) data_len + 16);

  return g_strdup_printf ("{\"entry\": %u, \"text\": \"%s\", \"text_start\": %u%s%s}",
                          text_start + 4, text, text_start, data_part ? data_part : "",
                          extra ? extra : "");
}

static GlintStub *
parse (const char  *json,
       const char  *path,
       GError     **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));

  return glint_stub_new_from_json (bytes, path, error);
}

static void
write_file (const char *dir,
            const char *relpath,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, relpath, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
write_stub (const char *dir,
            const char *relpath,
            guint32     text_start)
{
  g_autofree char *json = make_json (64, text_start, 32, NULL);

  write_file (dir, relpath, json);
}

static char *
make_tmp (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("glint-stub-XXXXXX", &error);

  g_assert_no_error (error);

  return dir;
}

/* Parsing ------------------------------------------------------------------------- */

static void
test_parse_v2 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStub) stub = NULL;
  g_autofree char *json = NULL;
  guint32 bss = 0;

  /* esp-flasher-stub's NAND plugin fields are ignored */
  json = make_json (1000, TEXT_START, 200,
                    ", \"plugin_table_offset\": 1234, \"plugin_first_opcode\": 213, "
                    "\"plugin_table_entries\": 10, \"plugins\": {\"nand\": {\"text\": 5}}");
  stub = parse (json, "/opt/esptool/targets/stub_flasher/2/esp32.json", &error);
  g_assert_no_error (error);
  g_assert_nonnull (stub);

  g_assert_cmpstr (glint_stub_get_chip_name (stub), ==, "esp32");
  g_assert_cmpuint (g_bytes_get_size (glint_stub_get_text (stub)), ==, 1000);
  g_assert_cmphex (glint_stub_get_text_start (stub), ==, TEXT_START);
  g_assert_cmpuint (g_bytes_get_size (glint_stub_get_data (stub)), ==, 200);
  g_assert_cmphex (glint_stub_get_data_start (stub), ==, DATA_START);
  g_assert_true (glint_stub_get_bss_start (stub, &bss));
  g_assert_cmphex (bss, ==, DATA_START + 216);
  g_assert_cmphex (glint_stub_get_entry (stub), ==, TEXT_START + 4);
  g_assert_cmpstr (glint_stub_get_source_path (stub), ==,
                   "/opt/esptool/targets/stub_flasher/2/esp32.json");
  g_assert_nonnull (glint_stub_get_description (stub));

  /* the boxed type copies by reference */
  {
    GlintStub *copy = g_boxed_copy (GLINT_TYPE_STUB, stub);

    g_assert_true (copy == stub);
    g_boxed_free (GLINT_TYPE_STUB, copy);
  }
}

static void
test_parse_legacy (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStub) stub = NULL;
  g_autofree char *text = base64_random (300);
  g_autofree char *json = NULL;

  /* esptool 4.x / esptool-js: no data, no bss_start, chip from the name */
  json = g_strdup_printf ("{\n  \"text\": \"%s\",\n  \"text_start\": %u,\n  \"entry\": %u\n}\n",
                          text, TEXT_START, TEXT_START + 0x100);
  stub = parse (json, "lib/targets/stub_flasher/stub_flasher_32s3.json", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (glint_stub_get_chip_name (stub), ==, "esp32s3");
  g_assert_null (glint_stub_get_data (stub));
  g_assert_false (glint_stub_get_bss_start (stub, NULL));
  g_clear_pointer (&stub, glint_stub_unref);

  stub = parse (json, "stub_flasher_8266.json", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (glint_stub_get_chip_name (stub), ==, "esp8266");
  g_clear_pointer (&stub, glint_stub_unref);

  stub = parse (json, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (glint_stub_get_chip_name (stub));
}

static void
expect_invalid (const char *json,
                const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStub) stub = parse (json, "esp32.json", &error);

  g_assert_null (stub);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_STUB);
  if (strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, fragment);
  g_assert_nonnull (glint_error_get_hint (error));
}

static void
test_parse_invalid (void)
{
  g_autofree char *text = base64_random (100);
  g_autofree char *data = base64_random (100);
  g_autofree char *json = NULL;

  expect_invalid ("", "empty");
  expect_invalid ("{\"text\": ", "JSON");
  expect_invalid ("[1, 2]", "object");
  expect_invalid ("{\"text_start\": 1074266112, \"entry\": 1074266116}", "“text” is missing");
  expect_invalid ("{\"text\": \"\", \"text_start\": 1074266112, \"entry\": 1074266116}",
                  "“text” is empty");
  expect_invalid ("{\"text\": \"QUJD*EVG\", \"text_start\": 1074266112, \"entry\": 1}",
                  "not valid base64");
  expect_invalid ("{\"text\": \"QUJDREVGR\", \"text_start\": 1074266112, \"entry\": 1}",
                  "not valid base64");
  expect_invalid ("{\"text\": 12, \"text_start\": 1074266112, \"entry\": 1}", "base64");

  json = g_strdup_printf ("{\"text\": \"%s\", \"entry\": 1}", text);
  expect_invalid (json, "“text_start” is missing");
  g_clear_pointer (&json, g_free);

  json = g_strdup_printf ("{\"text\": \"%s\", \"text_start\": 4294967296, \"entry\": 1}", text);
  expect_invalid (json, "32-bit");
  g_clear_pointer (&json, g_free);

  json = g_strdup_printf ("{\"text\": \"%s\", \"text_start\": -4, \"entry\": 1}", text);
  expect_invalid (json, "32-bit");
  g_clear_pointer (&json, g_free);

  json = g_strdup_printf ("{\"text\": \"%s\", \"text_start\": \"0x40080000\", \"entry\": 1}",
                          text);
  expect_invalid (json, "not an integer");
  g_clear_pointer (&json, g_free);

  json = g_strdup_printf ("{\"text\": \"%s\", \"text_start\": 4294967280, \"entry\": 1}", text);
  expect_invalid (json, "past the 32-bit");
  g_clear_pointer (&json, g_free);

  json = g_strdup_printf ("{\"text\": \"%s\", \"text_start\": %u, \"entry\": 0}",
                          text, TEXT_START);
  expect_invalid (json, "entry");
  g_clear_pointer (&json, g_free);

  /* data without its address */
  json = g_strdup_printf ("{\"text\": \"%s\", \"text_start\": %u, \"entry\": %u, "
                          "\"data\": \"%s\"}", text, TEXT_START, TEXT_START, data);
  expect_invalid (json, "“data_start” is missing");
  g_clear_pointer (&json, g_free);

  /* text and data overlap by one byte */
  json = g_strdup_printf ("{\"text\": \"%s\", \"text_start\": %u, \"entry\": %u, "
                          "\"data\": \"%s\", \"data_start\": %u}",
                          text, TEXT_START, TEXT_START, data, TEXT_START + 99);
  expect_invalid (json, "overlap");
  g_clear_pointer (&json, g_free);

  /* adjacent is fine */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GlintStub) stub = NULL;

    json = g_strdup_printf ("{\"text\": \"%s\", \"text_start\": %u, \"entry\": %u, "
                            "\"data\": \"%s\", \"data_start\": %u}",
                            text, TEXT_START, TEXT_START, data, TEXT_START + 100);
    stub = parse (json, NULL, &error);
    g_assert_no_error (error);
    g_clear_pointer (&json, g_free);
  }

  /* BSS starting inside data would wipe it */
  json = g_strdup_printf ("{\"text\": \"%s\", \"text_start\": %u, \"entry\": %u, "
                          "\"data\": \"%s\", \"data_start\": %u, \"bss_start\": %u}",
                          text, TEXT_START, TEXT_START, data, DATA_START, DATA_START + 50);
  expect_invalid (json, "bss_start");
  g_clear_pointer (&json, g_free);

  json = g_strdup_printf ("{\"text\": \"%s\", \"text_start\": %u, \"entry\": %u, "
                          "\"bss_start\": %u}", text, TEXT_START, TEXT_START, TEXT_START + 8);
  expect_invalid (json, "text segment");
  g_clear_pointer (&json, g_free);

  /* an empty BSS may start where a segment starts */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GlintStub) stub = NULL;

    json = g_strdup_printf ("{\"text\": \"%s\", \"text_start\": %u, \"entry\": %u, "
                            "\"data\": \"%s\", \"data_start\": %u, \"bss_start\": %u}",
                            text, TEXT_START, TEXT_START, data, DATA_START, DATA_START);
    stub = parse (json, NULL, &error);
    g_assert_no_error (error);
    g_clear_pointer (&json, g_free);
  }

  /* larger than any stub */
  {
    g_autofree char *huge = base64_random (GLINT_STUB_MAX_SEGMENT);

    json = g_strdup_printf ("{\"text\": \"%s\", \"text_start\": %u, \"entry\": %u}",
                            huge, TEXT_START, TEXT_START);
    expect_invalid (json, "too large");
  }
}

/* Search ---------------------------------------------------------------------------- */

static void
test_search_order (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *a = g_build_filename (tmp, "a", NULL);
  g_autofree char *b = g_build_filename (tmp, "b", NULL);
  g_autofree char *c = g_build_filename (tmp, "c", NULL);
  const char *roots[] = { a, b, c, NULL };
  const GlintChip *esp32 = glint_chip_lookup ("esp32");
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStub) stub = NULL;

  /* a has a stub for another chip only; b and c have one each */
  write_stub (a, "2/esp32s3.json", 0x40370000);
  write_stub (b, "1/esp32.json", 0x40081000);
  write_stub (c, "2/esp32.json", 0x40082000);

  stub = glint_stub_find (esp32, 0, roots, &error);
  g_assert_no_error (error);
  g_assert_cmphex (glint_stub_get_text_start (stub), ==, 0x40081000);
  g_assert_cmpint (glint_stub_get_layout (stub), ==, GLINT_STUB_LAYOUT_V1);
  g_assert_cmpstr (glint_stub_get_chip_name (stub), ==, "esp32");
  g_assert_true (g_str_has_prefix (glint_stub_get_description (stub), "esptool legacy stubs"));
  g_clear_pointer (&stub, glint_stub_unref);

  /* within a root, v2 comes first */
  write_stub (b, "2/esp32.json", 0x40083000);
  write_stub (b, "stub_flasher_32.json", 0x40084000);
  stub = glint_stub_find (esp32, 0, roots, &error);
  g_assert_no_error (error);
  g_assert_cmphex (glint_stub_get_text_start (stub), ==, 0x40083000);
  g_assert_cmpint (glint_stub_get_layout (stub), ==, GLINT_STUB_LAYOUT_V2);
  g_assert_true (g_str_has_prefix (glint_stub_get_description (stub),
                                   "esptool 5.x stubs (esp-flasher-stub), from "));
  g_assert_nonnull (strstr (glint_stub_get_description (stub), b));
  g_clear_pointer (&stub, glint_stub_unref);

  /* the chip's own file name: the P4 before rev. 3 */
  write_stub (c, "2/esp32p4-rev1.json", 0x4FF00000);
  write_stub (c, "2/esp32p4.json", 0x4FF10000);
  stub = glint_stub_find (glint_chip_lookup ("esp32p4"), 1, roots, &error);
  g_assert_no_error (error);
  g_assert_cmphex (glint_stub_get_text_start (stub), ==, 0x4FF00000);
  g_clear_pointer (&stub, glint_stub_unref);
  stub = glint_stub_find (glint_chip_lookup ("esp32p4"), 3, roots, &error);
  g_assert_no_error (error);
  g_assert_cmphex (glint_stub_get_text_start (stub), ==, 0x4FF10000);

  glint_test_remove_dir (tmp);
}

static void
test_search_legacy_names (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *js = g_build_filename (tmp, "node_modules/esptool-js/lib/targets/stub_flasher",
                                          NULL);
  g_autofree char *py = g_build_filename (tmp, "esptool/targets/stub_flasher", NULL);
  const char *roots[] = { py, js, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStub) stub = NULL;

  write_stub (js, "stub_flasher_32s3.json", 0x40378000);
  write_stub (js, "stub_flasher_8266.json", 0x4010E000);
  write_stub (py, "stub_flasher_esp32c3.json", 0x40380000);
  write_stub (py, "stub_flasher_32c6.json", 0x40800000);

  stub = glint_stub_find (glint_chip_lookup ("esp32s3"), 0, roots, &error);
  g_assert_no_error (error);
  g_assert_cmphex (glint_stub_get_text_start (stub), ==, 0x40378000);
  g_assert_cmpint (glint_stub_get_layout (stub), ==, GLINT_STUB_LAYOUT_LEGACY);
  g_assert_true (g_str_has_prefix (glint_stub_get_description (stub), "esptool-js stubs, from "));
  g_clear_pointer (&stub, glint_stub_unref);

  stub = glint_stub_find (glint_chip_lookup ("esp8266"), 0, roots, &error);
  g_assert_no_error (error);
  g_assert_cmphex (glint_stub_get_text_start (stub), ==, 0x4010E000);
  g_assert_cmpstr (glint_stub_get_chip_name (stub), ==, "esp8266");
  g_clear_pointer (&stub, glint_stub_unref);

  stub = glint_stub_find (glint_chip_lookup ("esp32c3"), 0, roots, &error);
  g_assert_no_error (error);
  g_assert_cmphex (glint_stub_get_text_start (stub), ==, 0x40380000);
  g_clear_pointer (&stub, glint_stub_unref);

  stub = glint_stub_find (glint_chip_lookup ("esp32c6"), 0, roots, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (glint_stub_get_description (stub), "esptool 4.x stubs, from "));
  /* ".../esptool/targets/stub_flasher" is shown as ".../esptool" */
  g_assert_true (g_str_has_suffix (glint_stub_get_description (stub), "/esptool"));

  glint_test_remove_dir (tmp);
}

static void
test_search_skips_unparsable (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *a = g_build_filename (tmp, "a", NULL);
  g_autofree char *b = g_build_filename (tmp, "b", NULL);
  const char *roots[] = { a, b, NULL };
  const GlintChip *esp32 = glint_chip_lookup ("esp32");
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStub) stub = NULL;

  write_file (a, "2/esp32.json", "{\"text\": \"bm90IGEgc3R1Yg==\"}");
  write_stub (b, "2/esp32.json", 0x40085000);

  stub = glint_stub_find (esp32, 0, roots, &error);
  g_assert_no_error (error);
  g_assert_cmphex (glint_stub_get_text_start (stub), ==, 0x40085000);
  g_clear_pointer (&stub, glint_stub_unref);

  /* ... and within a root, the next layout */
  write_stub (a, "1/esp32.json", 0x40086000);
  stub = glint_stub_find (esp32, 0, roots, &error);
  g_assert_no_error (error);
  g_assert_cmphex (glint_stub_get_text_start (stub), ==, 0x40086000);

  glint_test_remove_dir (tmp);
}

static void
test_search_not_found (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *a = g_build_filename (tmp, "a", NULL);
  g_autofree char *b = g_build_filename (tmp, "b", NULL);
  g_autofree char *broken = g_build_filename (b, "2", "esp32s3.json", NULL);
  const char *roots[] = { a, b, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStub) stub = NULL;

  write_stub (a, "2/esp32.json", 0x40085000);
  write_file (b, "2/esp32s3.json", "not json");

  stub = glint_stub_find (glint_chip_lookup ("esp32s3"), 0, roots, &error);
  g_assert_null (stub);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_STUB_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message, "no flasher stub for ESP32-S3 found in: "));
  g_assert_nonnull (strstr (error->message, a));
  g_assert_nonnull (strstr (error->message, b));
  g_assert_nonnull (strstr (error->message, broken));
  g_assert_true (g_str_has_suffix (error->message, "Glint will use the ROM loader"));
  g_assert_nonnull (glint_error_get_hint (error));

  glint_test_remove_dir (tmp);
}

static void
test_search_env (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autoptr(GPtrArray) path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStub) stub = NULL;
  GlintStubRoot *root;

  write_stub (tmp, "esp32c3.json", 0x40390000);
  g_setenv ("GLINT_STUB_DIR", tmp, TRUE);

  path = glint_stub_search_path_new ();
  g_assert_cmpuint (path->len, >=, 3);
  root = g_ptr_array_index (path, 0);
  g_assert_cmpstr (root->label, ==, "GLINT_STUB_DIR");
  g_assert_cmpstr (root->path, ==, tmp);
  root = g_ptr_array_index (path, 1);
  g_assert_cmpstr (root->label, ==, "user data");
  root = g_ptr_array_index (path, 2);
  g_assert_cmpstr (root->label, ==, "Glint");
  g_assert_cmpstr (root->path, ==, own_stub_dir);

  stub = glint_stub_find (glint_chip_lookup ("esp32c3"), 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmphex (glint_stub_get_text_start (stub), ==, 0x40390000);
  g_assert_cmpstr (glint_stub_get_root_label (stub), ==, "GLINT_STUB_DIR");
  g_assert_cmpint (glint_stub_get_layout (stub), ==, GLINT_STUB_LAYOUT_FLAT);

  g_unsetenv ("GLINT_STUB_DIR");
  glint_test_remove_dir (tmp);
}

/* The home directory is a temp dir (see main ()), so the hobbyist places
 * can be laid out for real. */
static void
test_search_globs (void)
{
  g_autoptr(GPtrArray) path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStub) stub = NULL;
  g_autofree char *old = NULL;
  g_autofree char *new = NULL;
  g_autofree char *user = NULL;
  g_autofree char *pio = NULL;
  gint i_old = -1, i_new = -1, i_user = -1, i_pio = -1;

  old = g_build_filename (fake_home, ".arduino15/packages/esp32/tools/esptool_py/4.5.1",
                          "esptool/targets/stub_flasher", NULL);
  new = g_build_filename (fake_home, ".arduino15/packages/esp32/tools/esptool_py/4.10.0",
                          "esptool/targets/stub_flasher", NULL);
  user = g_build_filename (fake_home, ".local/lib/python3.11/site-packages",
                           "esptool/targets/stub_flasher", NULL);
  pio = g_build_filename (fake_home, ".platformio/packages/tool-esptoolpy",
                          "esptool/targets/stub_flasher", NULL);
  write_stub (old, "2/esp32h2.json", 0x40800000);
  write_stub (new, "2/esp32h2.json", 0x40810000);
  write_stub (user, "1/esp32c2.json", 0x40380000);
  write_stub (pio, "2/esp32c2.json", 0x40390000);

  path = glint_stub_search_path_new ();
  for (guint i = 0; i < path->len; i++)
    {
      GlintStubRoot *root = g_ptr_array_index (path, i);

      if (g_str_equal (root->path, old))
        i_old = i;
      else if (g_str_equal (root->path, new))
        i_new = i;
      else if (g_str_equal (root->path, user))
        i_user = i;
      else if (g_str_equal (root->path, pio))
        i_pio = i;
    }
  g_assert_cmpint (i_new, >=, 0);
  g_assert_cmpint (i_old, >, i_new);   /* newest tool version first */
  g_assert_cmpint (i_user, >=, 0);
  g_assert_cmpint (i_pio, >, i_user);  /* esptool for Python before PlatformIO */
  g_assert_cmpstr (((GlintStubRoot *) g_ptr_array_index (path, i_new))->label, ==, "Arduino");
  g_assert_cmpstr (((GlintStubRoot *) g_ptr_array_index (path, i_pio))->label, ==, "PlatformIO");

  stub = glint_stub_find (glint_chip_lookup ("esp32h2"), 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmphex (glint_stub_get_text_start (stub), ==, 0x40810000);
  g_assert_cmpstr (glint_stub_get_root_label (stub), ==, "Arduino");
  g_clear_pointer (&stub, glint_stub_unref);

  /* a legacy stub in an earlier root beats a v2 stub in a later one */
  stub = glint_stub_find (glint_chip_lookup ("esp32c2"), 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmphex (glint_stub_get_text_start (stub), ==, 0x40380000);
  g_assert_cmpstr (glint_stub_get_root_label (stub), ==, "esptool (Python)");
}

/* Every place design.md ("Stubs") names, in its order, laid out for real in
 * the temp home and system root with a stub for the same chip, each with
 * its own text address. Taking them away one by one must hand over to the
 * next place each time; a pinned $GLINT_STUB_DIR comes before them all. */
static void
test_search_documented_order (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *pinned = g_build_filename (tmp, "pinned", NULL);
  g_autofree char *idf = g_build_filename (tmp, "esp-idf", NULL);
  const char *esptool = "esptool/targets/stub_flasher/2/esp32c3.json";
  const struct
  {
    const char *label;
    const char *base;     /* "~" the home, "/" the system root */
    const char *path;
  } places[] = {
    { "GLINT_STUB_DIR", "pinned", "esp32c3.json" },
    { "user data", "~", "glint/stubs/esp32c3.json" },   /* XDG_DATA_HOME is the home */
    { "Glint", "/", PACKAGE_DATADIR "/stubs/esp32c3.json" },
    { "esptool (Python)", "~", ".local/lib/python3.11/site-packages" },
    { "esptool (Python)", "~", ".local/share/pipx/venvs/esptool/lib/python3.11/site-packages" },
    { "esptool (Python)", "/", "usr/local/lib/python3.11/dist-packages" },
    { "esptool (Python)", "/", "usr/lib/python3/dist-packages" },
    { "ESP-IDF", "idf", "components/esptool_py/esptool" },
    { "ESP-IDF", "~", "esp/esp-idf/components/esptool_py/esptool" },
    { "ESP-IDF", "~", ".espressif/python_env/idf5.3_py3.11_env/lib/python3.11/site-packages" },
    { "PlatformIO", "~", ".platformio/packages/tool-esptoolpy" },
    { "Arduino", "~", ".arduino15/packages/esp32/tools/esptool_py/4.9.0" },
    { "esptool-js", "~", "node_modules/esptool-js/lib/targets/stub_flasher/"
                         "stub_flasher_32c3.json" },
    { "esptool-js", "/", "usr/lib/node_modules/esptool-js/lib/targets/stub_flasher/"
                         "stub_flasher_32c3.json" },
  };
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < G_N_ELEMENTS (places); i++)
    {
      const char *base = g_str_equal (places[i].base, "~") ? fake_home :
                         g_str_equal (places[i].base, "/") ? fake_sysroot :
                         g_str_equal (places[i].base, "idf") ? idf : pinned;
      gboolean whole = g_str_has_suffix (places[i].path, ".json");

      g_ptr_array_add (files, g_build_filename (base, places[i].path, whole ? NULL : esptool,
                                                NULL));
      write_stub ("/", g_ptr_array_index (files, i), 0x40380000 + 0x1000 * i);
    }
  g_setenv ("GLINT_STUB_DIR", pinned, TRUE);
  g_setenv ("IDF_PATH", idf, TRUE);

  for (guint i = 0; i <= G_N_ELEMENTS (places); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GlintStub) stub = NULL;

      stub = glint_stub_find (glint_chip_lookup ("esp32c3"), 0, NULL, &error);
      if (i == G_N_ELEMENTS (places))
        {
          g_assert_error (error, GLINT_ERROR, GLINT_ERROR_STUB_NOT_FOUND);
          break;
        }
      g_assert_no_error (error);
      g_test_message ("%s: %s", places[i].label, glint_stub_get_source_path (stub));
      g_assert_cmpstr (glint_stub_get_source_path (stub), ==, g_ptr_array_index (files, i));
      g_assert_cmphex (glint_stub_get_text_start (stub), ==, 0x40380000 + 0x1000 * i);
      g_assert_cmpstr (glint_stub_get_root_label (stub), ==, places[i].label);
      g_assert_cmpint (g_unlink (g_ptr_array_index (files, i)), ==, 0);
    }

  /* Nothing outside the test's own folders was even looked at. */
  {
    g_autoptr(GPtrArray) path = glint_stub_search_path_new ();
    g_autofree char *cwd = g_get_current_dir ();

    for (guint i = 0; i < path->len; i++)
      {
        GlintStubRoot *root = g_ptr_array_index (path, i);

        if (!g_str_has_prefix (root->path, fake_home) &&
            !g_str_has_prefix (root->path, fake_sysroot) &&
            !g_str_has_prefix (root->path, tmp) &&
            !g_str_has_prefix (root->path, cwd))
          g_error ("%s (%s) lies outside the test's folders", root->path, root->label);
      }
  }

  g_unsetenv ("GLINT_STUB_DIR");
  g_unsetenv ("IDF_PATH");
  glint_test_remove_dir (tmp);
}

/* Upload ------------------------------------------------------------------------------ */

typedef struct
{
  GlintStream *stream;
  GlintSim    *sim;
  GlintLoader *loader;
} Fixture;

static void
fixture_open (Fixture    *f,
              const char *address)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  f->stream = glint_test_open_stream (address);
  f->sim = glint_sim_stream_get_sim (GLINT_SIM_STREAM (f->stream));
  f->loader = glint_loader_new (f->stream);

  glint_loader_sync_async (f->loader, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 30000);
  g_assert_true (glint_loader_sync_finish (f->loader, result, NULL, &error));
  g_assert_no_error (error);
  g_object_unref (result);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->loader);
  if (f->stream != NULL)
    g_io_stream_close (G_IO_STREAM (f->stream), NULL, NULL);
  g_clear_object (&f->stream);
}

/* text: 3 blocks of 0x1800 (the last short), data: 1 block */
static GlintStub *
make_upload_stub (const char *chip)
{
  g_autofree char *text = base64_random (0x3064);
  g_autofree char *data = base64_random (0x500);
  g_autofree char *json = NULL;
  g_autofree char *path = g_strdup_printf ("/tmp/%s.json", chip);
  guint32 text_start, data_start;

  /* where the chip's real stub loads: the simulator checks it is RAM */
  glint_test_stub_area (chip, &text_start, &data_start);
  json = g_strdup_printf ("{\"entry\": %u, \"text\": \"%s\", \"text_start\": %u, "
                          "\"data\": \"%s\", \"data_start\": %u}",
                          text_start + 4, text, text_start, data, data_start);
  g_autoptr(GError) error = NULL;
  GlintStub *stub = parse (json, path, &error);

  g_assert_no_error (error);

  return stub;
}

static gboolean
do_upload (Fixture              *f,
           GlintStub            *stub,
           gboolean              usb_otg,
           GCancellable         *cancellable,
           guint                 cancel_after_ms,
           GlintStubUploadInfo  *info,
           GError              **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  glint_stub_upload_async (stub, f->loader, usb_otg, cancellable, glint_test_store_result_cb,
                           &result);
  if (cancel_after_ms > 0)
    {
      glint_test_spin (cancel_after_ms);
      g_assert_null (result);
      g_cancellable_cancel (cancellable);
    }
  glint_test_wait_for ((gpointer *) &result, 30000);
  ok = glint_stub_upload_finish (f->loader, result, info, error);
  g_object_unref (result);

  return ok;
}

static void
assert_stub_answers (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  guint32 value = 0xFFFFFFFF;

  /* the stub answers SYNC with value 0, the ROM with non-zero (§1.3) */
  glint_loader_sync_async (f->loader, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 30000);
  g_assert_true (glint_loader_sync_finish (f->loader, result, &value, &error));
  g_assert_no_error (error);
  g_object_unref (result);
  g_assert_cmphex (value, ==, 0);
}

static void
test_upload (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GlintStub) stub = make_upload_stub ("esp32");
  g_autoptr(GError) error = NULL;
  GlintStubUploadInfo info = { 0 };

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  g_assert_true (do_upload (f, stub, FALSE, NULL, 0, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_STUB);

  g_assert_cmpuint (info.bytes, ==, 0x3064 + 0x500);
  g_assert_cmpuint (info.blocks, ==, 3 + 1);
  /* 2 MEM_BEGIN + 4 MEM_DATA + OHAI; MEM_END's own answer is not waited for */
  g_assert_cmpuint (info.round_trips, ==, 7);
  g_assert_cmpint (info.elapsed_us, >, 0);

  assert_stub_answers (f);
}

static void
test_upload_usb_otg (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GlintStub) stub = make_upload_stub ("esp32s3");
  g_autoptr(GError) error = NULL;
  GlintStubUploadInfo info = { 0 };

  fixture_open (f, "sim://esp32s3?boot=download&time-scale=0");
  g_assert_true (do_upload (f, stub, TRUE, NULL, 0, &info, &error));
  g_assert_no_error (error);
  /* 0x800 blocks: 7 for text, 1 for data */
  g_assert_cmpuint (info.blocks, ==, 7 + 1);
  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_STUB);
}

/* A MEM_DATA block damaged on the way is refused by the ROM (bad
 * checksum) and sent again; the stub starts, and the counts are those of
 * an undamaged upload plus the one resend. Three damaged sends in a row
 * end the upload with the ROM's error. */
static void
test_upload_damaged_block (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GlintStub) stub = make_upload_stub ("esp32");
  g_autoptr(GError) error = NULL;
  GlintStubUploadInfo info = { 0 };
  guint64 commands;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  commands = glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_COMMANDS);
  g_assert_true (glint_sim_set_option (f->sim, "damage-next", "7", &error));   /* MEM_DATA */
  g_assert_true (do_upload (f, stub, FALSE, NULL, 0, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_STUB);
  g_assert_cmpuint (info.bytes, ==, 0x3064 + 0x500);
  g_assert_cmpuint (info.blocks, ==, 3 + 1);
  /* 2 MEM_BEGIN, 4 MEM_DATA and the one sent again, MEM_END */
  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_COMMANDS) - commands, ==,
                    2 + 4 + 1 + 1);
  assert_stub_answers (f);
}

static void
test_upload_damaged_thrice (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GlintStub) stub = make_upload_stub ("esp32");
  g_autoptr(GError) error = NULL;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  g_assert_true (glint_sim_set_option (f->sim, "damage-next", "7:3", &error));
  g_assert_false (do_upload (f, stub, FALSE, NULL, 0, NULL, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_CHECKSUM_MISMATCH);
  g_assert_nonnull (strstr (error->message, "MEM_DATA block 1 of 3"));
  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_ROM);
}

/* A 400 ms round trip: esptool's 50 ms MEM_END wait failed here (§7.1). */
static void
test_upload_slow_link (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GlintStub) stub = make_upload_stub ("esp32");
  g_autoptr(GError) error = NULL;
  GlintStubUploadInfo info = { 0 };

  fixture_open (f, "sim://esp32?boot=download&time-scale=0&latency=200&jitter=20");
  g_assert_true (do_upload (f, stub, FALSE, NULL, 0, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_STUB);
  g_assert_cmpint (info.elapsed_us, >=, 7 * 400000);

  assert_stub_answers (f);
}

static void
test_upload_disconnect (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GlintStub) stub = make_upload_stub ("esp32");
  g_autoptr(GError) error = NULL;

  /* dies in the middle of the second text block */
  fixture_open (f, "sim://esp32?boot=download&time-scale=0&disconnect-after=9000");
  g_assert_false (do_upload (f, stub, FALSE, NULL, 0, NULL, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_DISCONNECTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "MEM_DATA block 2 of 3 at 0x400a9800 (text)"));
  g_assert_cmpint (glint_sim_get_mode (f->sim), !=, GLINT_SIM_MODE_STUB);
}

/* A running stub answers MEM_END but never greets again: the wait for OHAI
 * times out and says what it waited for. */
static void
test_upload_no_greeting (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GlintStub) stub = make_upload_stub ("esp32");
  g_autoptr(GError) error = NULL;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0");
  g_assert_true (do_upload (f, stub, FALSE, NULL, 0, NULL, &error));
  g_assert_no_error (error);

  g_assert_false (do_upload (f, stub, FALSE, NULL, 0, NULL, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_TIMEOUT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "starting the stub at 0x400a8004"));
  g_assert_nonnull (strstr (error->message, "OHAI"));
}

static void
test_upload_cancel (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GlintStub) stub = make_upload_stub ("esp32");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  fixture_open (f, "sim://esp32?boot=download&time-scale=0&latency=50");
  g_assert_false (do_upload (f, stub, FALSE, cancellable, 250, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (glint_sim_get_mode (f->sim), !=, GLINT_SIM_MODE_STUB);
}

/* Real stubs ------------------------------------------------------------------------ */

/* esptool's own stubs ($GLINT_STUB_DIR, glint_test_real_stub_dir ()); every
 * expected value is read from the files here (glint_test_stub_file_read ())
 * or was checked by hand against esptool 5.3.1's. */

static const char *const glint_chips[] = {
  "esp8266", "esp32", "esp32s2", "esp32s3", "esp32c2", "esp32c3", "esp32c5", "esp32c6",
  "esp32c61", "esp32h2", "esp32p4", NULL
};

/* the chips with a legacy stub in 1/ (and the P4 before rev. 3) */
static const char *const v1_chips[] = {
  "esp8266", "esp32", "esp32s2", "esp32s3", "esp32c2", "esp32c3", "esp32c5", "esp32c6",
  "esp32h2", NULL
};

static char *
real_path (const char *subdir,
           const char *file)
{
  return g_build_filename (glint_test_real_stub_dir (), subdir, file, NULL);
}

static gboolean
real_exists (const char *subdir,
             const char *file)
{
  g_autofree char *path = real_path (subdir, file);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static void
assert_stub_is_file (const GlintStub *stub,
                     const char      *path)
{
  g_autoptr(GlintTestStubFile) file = glint_test_stub_file_read (path);
  guint32 bss = 0;

  g_test_message ("%s: text %" G_GSIZE_FORMAT " bytes at 0x%08" G_GINT64_MODIFIER "x, "
                  "data %" G_GSIZE_FORMAT " bytes at 0x%08" G_GINT64_MODIFIER "x, "
                  "entry 0x%08" G_GINT64_MODIFIER "x", path, g_bytes_get_size (file->text),
                  file->text_start, file->data ? g_bytes_get_size (file->data) : 0,
                  file->data_start, file->entry);
  g_assert_nonnull (file->text);
  g_assert_true (g_bytes_equal (glint_stub_get_text (stub), file->text));
  g_assert_cmphex (glint_stub_get_text_start (stub), ==, file->text_start);
  g_assert_cmphex (glint_stub_get_entry (stub), ==, file->entry);
  if (file->data == NULL)
    g_assert_null (glint_stub_get_data (stub));
  else
    {
      g_assert_true (g_bytes_equal (glint_stub_get_data (stub), file->data));
      g_assert_cmphex (glint_stub_get_data_start (stub), ==, file->data_start);
    }
  g_assert_cmpint (glint_stub_get_bss_start (stub, &bss), ==, file->bss_start >= 0);
  if (file->bss_start >= 0)
    g_assert_cmphex (bss, ==, file->bss_start);
}

/* What is in which folder, and a few values read off the files by hand. */
static void
test_real_folders (void)
{
  g_autofree char *v2_esp32 = NULL;
  g_autofree char *v2_p4 = NULL;
  g_autofree char *v2_p4_rev1 = NULL;
  g_autofree char *v1_esp8266 = NULL;
  g_autoptr(GlintTestStubFile) file = NULL;

  if (!glint_test_need_real_stubs ())
    return;

  for (guint i = 0; glint_chips[i] != NULL; i++)
    {
      g_autofree char *name = g_strconcat (glint_chips[i], ".json", NULL);

      g_assert_true (real_exists ("2", name));
      g_assert_true (real_exists ("1", name) == g_strv_contains (v1_chips, glint_chips[i]));
    }
  /* the C61 and the P4 from rev. 3 have no legacy stub; the P4 before
   * rev. 3 has its own file in both */
  g_assert_false (real_exists ("1", "esp32c61.json"));
  g_assert_false (real_exists ("1", "esp32p4.json"));
  g_assert_true (real_exists ("1", "esp32p4-rev1.json"));
  g_assert_true (real_exists ("2", "esp32p4-rev1.json"));
  /* 2/ has chips Glint does not know yet */
  g_assert_true (real_exists ("2", "esp32h4.json"));
  g_assert_true (real_exists ("2", "esp32s31.json"));
  g_assert_null (glint_chip_lookup ("esp32h4"));
  g_assert_null (glint_chip_lookup ("esp32s31"));

  v2_esp32 = real_path ("2", "esp32.json");
  file = glint_test_stub_file_read (v2_esp32);
  g_assert_cmphex (file->text_start, ==, 0x400A8000);
  g_assert_cmphex (file->entry, ==, 0x400A9074);
  g_assert_cmphex (file->data_start, ==, 0x3FFDED68);
  g_clear_pointer (&file, glint_test_stub_file_free);

  /* the two P4 stubs load at different addresses: the wrong one for the
   * chip's revision would not run */
  v2_p4 = real_path ("2", "esp32p4.json");
  file = glint_test_stub_file_read (v2_p4);
  g_assert_cmphex (file->text_start, ==, 0x4FF50000);
  g_clear_pointer (&file, glint_test_stub_file_free);
  v2_p4_rev1 = real_path ("2", "esp32p4-rev1.json");
  file = glint_test_stub_file_read (v2_p4_rev1);
  g_assert_cmphex (file->text_start, ==, 0x4FF10000);
  g_clear_pointer (&file, glint_test_stub_file_free);

  v1_esp8266 = real_path ("1", "esp8266.json");
  file = glint_test_stub_file_read (v1_esp8266);
  g_assert_cmphex (file->text_start, ==, 0x4010D000);
  g_assert_cmpuint (g_bytes_get_size (file->text), ==, 8276);
}

/* glint-stub reads every file as the test does; the chip comes from the
 * file name, and is unknown for chips Glint does not support. */
static void
test_real_parse (void)
{
  const char *const subdirs[] = { "2", "1" };
  const guint expected_files[] = { 14, 10 };

  if (!glint_test_need_real_stubs ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *dir_path = real_path (subdirs[i], NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, &error);
      const char *name;
      guint n_files = 0;

      g_assert_no_error (error);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = NULL;
          g_autofree char *contents = NULL;
          g_autofree char *chip = NULL;
          g_autoptr(GBytes) bytes = NULL;
          g_autoptr(GlintStub) stub = NULL;
          gsize len = 0;

          if (!g_str_has_suffix (name, ".json"))
            continue;
          n_files++;
          path = g_build_filename (dir_path, name, NULL);
          g_file_get_contents (path, &contents, &len, &error);
          g_assert_no_error (error);
          bytes = g_bytes_new (contents, len);
          stub = glint_stub_new_from_json (bytes, path, &error);
          g_assert_no_error (error);
          assert_stub_is_file (stub, path);

          chip = g_strndup (name, strlen (name) - strlen (".json"));
          if (g_str_has_suffix (chip, "-rev1"))
            chip[strlen (chip) - strlen ("-rev1")] = '\0';
          if (g_strv_contains (glint_chips, chip))
            g_assert_cmpstr (glint_stub_get_chip_name (stub), ==, chip);
          else
            g_assert_null (glint_stub_get_chip_name (stub));
        }
      g_assert_cmpuint (n_files, ==, expected_files[i]);
    }
}

static void
assert_found (const char  *root,
              const char  *chip,
              guint        major_rev,
              const char  *subdir,
              const char  *file)
{
  const char *roots[] = { root, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStub) stub = NULL;
  g_autofree char *expected = g_build_filename (root, subdir, file, NULL);

  stub = glint_stub_find (glint_chip_lookup (chip), major_rev, roots, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (glint_stub_get_source_path (stub), ==, expected);
  g_assert_cmpstr (glint_stub_get_chip_name (stub), ==, chip);
  if (g_str_equal (subdir, "2"))
    {
      g_assert_cmpint (glint_stub_get_layout (stub), ==, GLINT_STUB_LAYOUT_V2);
      g_assert_true (g_str_has_prefix (glint_stub_get_description (stub),
                                       "esptool 5.x stubs (esp-flasher-stub), from "));
    }
  else
    {
      g_assert_cmpint (glint_stub_get_layout (stub), ==, GLINT_STUB_LAYOUT_V1);
      g_assert_true (g_str_has_prefix (glint_stub_get_description (stub),
                                       "esptool legacy stubs"));
    }
  assert_stub_is_file (stub, expected);
}

static void
assert_not_found (const char *root,
                  const char *chip,
                  guint       major_rev)
{
  const char *roots[] = { root, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStub) stub = NULL;

  stub = glint_stub_find (glint_chip_lookup (chip), major_rev, roots, &error);
  g_assert_null (stub);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_STUB_NOT_FOUND);
}

/* As esptool 5 does, 2/ before 1/; the P4 by its revision. */
static void
test_real_find (void)
{
  const char *root = glint_test_real_stub_dir ();

  if (!glint_test_need_real_stubs ())
    return;

  for (guint i = 0; glint_chips[i] != NULL; i++)
    {
      g_autofree char *file = g_strconcat (glint_chips[i], ".json", NULL);

      assert_found (root, glint_chips[i], GLINT_CHIP_REV_UNKNOWN, "2", file);
    }
  assert_found (root, "esp32p4", 0, "2", "esp32p4-rev1.json");
  assert_found (root, "esp32p4", 1, "2", "esp32p4-rev1.json");
  assert_found (root, "esp32p4", 2, "2", "esp32p4-rev1.json");
  assert_found (root, "esp32p4", 3, "2", "esp32p4.json");
}

static void
link_to (const char *link,
         const char *target)
{
  g_autoptr(GFile) file = g_file_new_for_path (link);
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autoptr(GError) error = NULL;

  g_file_make_directory_with_parents (parent, NULL, NULL);
  g_file_make_symbolic_link (file, target, NULL, &error);
  g_assert_no_error (error);
}

/* Where 2/ lacks a chip, its stub in 1/ is used, as esptool does; where 1/
 * lacks it too (the C61, the P4 from rev. 3), there is none: never the
 * P4's other file. */
static void
test_real_fallback (void)
{
  g_autofree char *tmp = NULL;
  g_autofree char *only_v1 = NULL;
  g_autofree char *mixed = NULL;
  g_autofree char *link = NULL;
  g_autofree char *target = NULL;

  if (!glint_test_need_real_stubs ())
    return;

  tmp = make_tmp ();
  only_v1 = g_build_filename (tmp, "only-v1", NULL);
  mixed = g_build_filename (tmp, "mixed", NULL);

  link = g_build_filename (only_v1, "1", NULL);
  target = real_path ("1", NULL);
  link_to (link, target);
  g_clear_pointer (&link, g_free);
  link = g_build_filename (mixed, "1", NULL);
  link_to (link, target);
  g_clear_pointer (&link, g_free);
  g_clear_pointer (&target, g_free);
  link = g_build_filename (mixed, "2", "esp32.json", NULL);
  target = real_path ("2", "esp32.json");
  link_to (link, target);

  for (guint i = 0; glint_chips[i] != NULL; i++)
    {
      g_autofree char *file = g_strconcat (glint_chips[i], ".json", NULL);

      if (g_strv_contains (v1_chips, glint_chips[i]))
        assert_found (only_v1, glint_chips[i], GLINT_CHIP_REV_UNKNOWN, "1", file);
      else
        assert_not_found (only_v1, glint_chips[i], GLINT_CHIP_REV_UNKNOWN);
    }
  assert_found (only_v1, "esp32p4", 1, "1", "esp32p4-rev1.json");
  assert_not_found (only_v1, "esp32p4", 3);

  /* per chip within one root */
  assert_found (mixed, "esp32", 0, "2", "esp32.json");
  assert_found (mixed, "esp32c3", 0, "1", "esp32c3.json");
  assert_not_found (mixed, "esp32c61", 0);

  glint_test_remove_dir (tmp);
}

/* The real stub of each chip goes into the simulator's RAM in whole 0x1800
 * byte blocks (0x800 on USB-OTG, protocol.md §6.3) and starts. */
static void
test_real_upload (Fixture       *f,
                  gconstpointer  data)
{
  const char *name = data;    /* "esp32p4-rev1", "esp32s3-otg" */
  const char *root = glint_test_real_stub_dir ();
  const char *roots[] = { root, NULL };
  gboolean otg = g_str_has_suffix (name, "-otg");
  guint rev = g_str_has_suffix (name, "-rev1") ? 1 : GLINT_CHIP_REV_UNKNOWN;
  g_autofree char *chip = g_strndup (name, strcspn (name, "-"));
  g_autofree char *address = NULL;
  g_autoptr(GlintStub) stub = NULL;
  g_autoptr(GlintTestStubFile) file = NULL;
  g_autoptr(GError) error = NULL;
  GlintStubUploadInfo info = { 0 };
  gsize block = otg ? 0x800 : 0x1800;
  gsize text_len, data_len;

  if (!glint_test_need_real_stubs ())
    return;

  stub = glint_stub_find (glint_chip_lookup (chip), rev, roots, &error);
  g_assert_no_error (error);
  file = glint_test_stub_file_read (glint_stub_get_source_path (stub));
  text_len = g_bytes_get_size (file->text);
  data_len = file->data != NULL ? g_bytes_get_size (file->data) : 0;

  address = g_strdup_printf ("sim://%s?boot=download&time-scale=0", chip);
  fixture_open (f, address);
  g_assert_true (do_upload (f, stub, otg, NULL, 0, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_STUB);
  g_assert_cmpuint (info.bytes, ==, text_len + data_len);
  g_assert_cmpuint (info.blocks, ==, (text_len + block - 1) / block + (data_len + block - 1) / block);
  assert_stub_answers (f);
}

/* @name: a static string */
static void
add_real_upload (const char *name)
{
  g_autofree char *path = g_strconcat ("/glint/stub/real/upload/", name, NULL);

  g_test_add (path, Fixture, name, NULL, test_real_upload, fixture_teardown);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  /* The real stubs, if any, before $GLINT_STUB_DIR is unset */
  glint_test_real_stub_dir ();

  /* Before anything asks GLib for the home directory. */
  fake_home = g_dir_make_tmp ("glint-stub-home-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("HOME", fake_home, TRUE);
  g_setenv ("XDG_DATA_HOME", fake_home, TRUE);
  g_unsetenv ("GLINT_STUB_DIR");
  g_unsetenv ("IDF_PATH");
  /* and the system-wide places below a system root of our own */
  fake_sysroot = g_build_filename (fake_home, "sysroot", NULL);
  g_setenv ("GLINT_STUB_SYSROOT", fake_sysroot, TRUE);
  own_stub_dir = g_build_filename (fake_sysroot, PACKAGE_DATADIR, "stubs", NULL);

  g_test_init (&argc, &argv, NULL);

  glint_sim_stream_register ();

  g_test_add_func ("/glint/stub/parse/v2", test_parse_v2);
  g_test_add_func ("/glint/stub/parse/legacy", test_parse_legacy);
  g_test_add_func ("/glint/stub/parse/invalid", test_parse_invalid);
  g_test_add_func ("/glint/stub/search/order", test_search_order);
  g_test_add_func ("/glint/stub/search/legacy-names", test_search_legacy_names);
  g_test_add_func ("/glint/stub/search/skip-unparsable", test_search_skips_unparsable);
  g_test_add_func ("/glint/stub/search/not-found", test_search_not_found);
  g_test_add_func ("/glint/stub/search/env", test_search_env);
  g_test_add_func ("/glint/stub/search/globs", test_search_globs);
  g_test_add_func ("/glint/stub/search/documented-order", test_search_documented_order);
  g_test_add ("/glint/stub/upload/sim", Fixture, NULL, NULL, test_upload, fixture_teardown);
  g_test_add ("/glint/stub/upload/usb-otg", Fixture, NULL, NULL, test_upload_usb_otg,
              fixture_teardown);
  g_test_add ("/glint/stub/upload/damaged-block", Fixture, NULL, NULL, test_upload_damaged_block,
              fixture_teardown);
  g_test_add ("/glint/stub/upload/damaged-thrice", Fixture, NULL, NULL,
              test_upload_damaged_thrice, fixture_teardown);
  g_test_add ("/glint/stub/upload/slow-link", Fixture, NULL, NULL, test_upload_slow_link,
              fixture_teardown);
  g_test_add ("/glint/stub/upload/disconnect", Fixture, NULL, NULL, test_upload_disconnect,
              fixture_teardown);
  g_test_add ("/glint/stub/upload/no-greeting", Fixture, NULL, NULL, test_upload_no_greeting,
              fixture_teardown);
  g_test_add ("/glint/stub/upload/cancel", Fixture, NULL, NULL, test_upload_cancel,
              fixture_teardown);

  g_test_add_func ("/glint/stub/real/folders", test_real_folders);
  g_test_add_func ("/glint/stub/real/parse", test_real_parse);
  g_test_add_func ("/glint/stub/real/find", test_real_find);
  g_test_add_func ("/glint/stub/real/fallback", test_real_fallback);
  for (guint i = 0; glint_chips[i] != NULL; i++)
    add_real_upload (glint_chips[i]);
  add_real_upload ("esp32p4-rev1");
  add_real_upload ("esp32s3-otg");
  add_real_upload ("esp32p4-otg");

  ret = g_test_run ();

  glint_test_remove_dir (fake_home);
  g_free (fake_home);
  g_free (fake_sysroot);
  g_free (own_stub_dir);

  return ret;
}
