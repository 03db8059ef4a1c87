/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "glint-test-utils.h"

/*
 * Glint and esptool, the reference host tool, asked about the same
 * simulated chips: both must print the same chip description and
 * revision, and read the same security state. esptool lives beside the
 * repository (../shared/esptool); without it these tests are skipped.
 */

static char *esptool;

typedef struct
{
  int   status;
  char *out;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
}

static void
run (Run               *run,
     const char *const *argv)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                  G_SUBPROCESS_FLAGS_STDERR_MERGE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &run->out, NULL, &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_exit_status (proc);
}

/* A simulated board of its own for each tool: "socket://127.0.0.1:PORT" */
static GSubprocess *
spawn_board (const char  *chip,
             const char  *options,
             char       **address)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) opts = g_strsplit (options, "&", -1);
  g_autofree char *announcement = NULL;
  g_auto(GStrv) words = NULL;
  GSubprocess *server;

  g_ptr_array_add (args, g_strdup ("--chip"));
  g_ptr_array_add (args, g_strdup (chip));
  g_ptr_array_add (args, g_strdup ("--tcp"));
  g_ptr_array_add (args, g_strdup ("0"));
  g_ptr_array_add (args, g_strdup ("--option"));
  g_ptr_array_add (args, g_strdup ("boot=download"));
  for (guint i = 0; opts[i] != NULL; i++)
    {
      if (*opts[i] == '\0')
        continue;
      g_ptr_array_add (args, g_strdup ("--option"));
      g_ptr_array_add (args, g_strdup (opts[i]));
    }
  g_ptr_array_add (args, NULL);

  server = glint_test_spawn_sim_server ((const char *const *) args->pdata, &announcement);
  words = g_strsplit (announcement, " ", -1);
  *address = g_strdup_printf ("socket://%s:%s", words[1], words[2]);

  return server;
}

/* esptool's "Chip type:" line, and its get-security-info lines */
static void
ask_esptool (const char  *chip,
             const char  *options,
             const char  *command,
             Run         *r)
{
  g_autofree char *address = NULL;
  g_autoptr(GSubprocess) board = spawn_board (chip, options, &address);
  const char *argv[] = { esptool, "-p", address, "--before", "no-reset", "--after",
                         "no-reset", "--no-stub", command, NULL };

  run (r, argv);
  glint_test_stop_subprocess (board);
  if (r->status != 0)
    g_error ("esptool %s on %s?%s failed:\n%s", command, chip, options, r->out);
}

static char *
esptool_line (const char *out,
              const char *label)
{
  g_autoptr(GRegex) re = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *pattern = g_strdup_printf ("^%s:\\s+(.*?)\\s*$", label);

  re = g_regex_new (pattern, G_REGEX_MULTILINE, 0, NULL);
  if (!g_regex_match (re, out, 0, &match))
    g_error ("no “%s:” in esptool's output:\n%s", label, out);

  return g_match_info_fetch (match, 1);
}

/* glint-cli --json info: the "info" event */
static JsonObject *
ask_glint (const char *chip,
           const char *options,
           JsonParser *parser)
{
  g_autofree char *address = NULL;
  g_autoptr(GSubprocess) board = spawn_board (chip, options, &address);
  const char *argv[] = { g_getenv ("GLINT_CLI"), "--json", "--port", address, "info", NULL };
  g_auto(GStrv) lines = NULL;
  Run r = { 0 };

  run (&r, argv);
  glint_test_stop_subprocess (board);
  g_assert_cmpint (r.status, ==, 0);

  lines = g_strsplit (r.out, "\n", -1);
  run_clear (&r);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      JsonObject *object;

      if (lines[i][0] != '{' || !json_parser_load_from_data (parser, lines[i], -1, NULL))
        continue;
      object = json_node_get_object (json_parser_get_root (parser));
      if (g_strcmp0 (json_object_get_string_member_with_default (object, "event", ""),
                     "info") == 0)
        return object;
    }

  g_error ("no info event from glint-cli on %s?%s", chip, options);
  return NULL;
}

static gboolean
have_esptool (void)
{
  if (esptool != NULL)
    return TRUE;

  g_test_skip ("esptool is not at ../shared/esptool beside the repository");
  return FALSE;
}

static const struct
{
  const char *chip;
  const char *options;
} boards[] = {
  { "esp8266", "" }, { "esp32", "" }, { "esp32", "revision=1.0" },
  { "esp32", "revision=3.0&package=5" }, { "esp32", "revision=1.1&package=2" },
  { "esp32s2", "" }, { "esp32s2", "package=1" }, { "esp32s3", "" },
  { "esp32s3", "revision=0.1&package=1" }, { "esp32c2", "" }, { "esp32c2", "package=1" },
  { "esp32c3", "" }, { "esp32c3", "revision=1.1" }, { "esp32c3", "revision=0.9&package=1" },
  { "esp32c5", "" }, { "esp32c6", "" }, { "esp32c61", "" }, { "esp32h2", "" },
  { "esp32h2", "revision=1.2" }, { "esp32p4", "" }, { "esp32p4", "revision=1.3" },
  { "esp32p4", "revision=5.0" },
};

/* "ESP32-D0WD-V3 (revision v3.1)" from both (the ESP8266: no revision) */
static void
test_description (void)
{
  if (!have_esptool ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (boards); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *theirs = NULL;
      g_autofree char *ours = NULL;
      JsonObject *info;
      Run r = { 0 };

      ask_esptool (boards[i].chip, boards[i].options, "chip-id", &r);
      theirs = esptool_line (r.out, "Chip type");
      run_clear (&r);

      info = ask_glint (boards[i].chip, boards[i].options, parser);
      if (json_object_get_null_member (info, "revision"))
        ours = g_strdup (json_object_get_string_member (info, "description"));
      else
        ours = g_strdup_printf ("%s (revision %s)",
                                json_object_get_string_member (info, "description"),
                                json_object_get_string_member (info, "revision"));

      g_test_message ("%s?%s: %s", boards[i].chip, boards[i].options, ours);
      g_assert_cmpstr (ours, ==, theirs);
    }
}

/* The security state GET_SECURITY_INFO (or the eFuse) reports */
static void
test_security (void)
{
  static const struct
  {
    const char *chip;
    const char *options;
  } cases[] = {
    { "esp32s3", "" }, { "esp32s3", "secure-boot=on&flash-crypt-cnt=1" },
    { "esp32c6", "flash-crypt-cnt=3" }, { "esp32c3", "secure-boot=on&flash-crypt-cnt=7" },
    { "esp32p4", "secure-boot=on" },
  };

  if (!have_esptool ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *secure_boot = NULL;
      g_autofree char *encryption = NULL;
      JsonObject *security;
      Run r = { 0 };

      ask_esptool (cases[i].chip, cases[i].options, "get-security-info", &r);
      secure_boot = esptool_line (r.out, "Secure Boot");
      encryption = esptool_line (r.out, "Flash Encryption");
      run_clear (&r);

      security = json_object_get_object_member (ask_glint (cases[i].chip, cases[i].options,
                                                           parser), "security");
      g_assert_nonnull (security);
      g_assert_cmpstr (json_object_get_boolean_member (security, "secure-boot") ?
                       "Enabled" : "Disabled", ==, secure_boot);
      g_assert_cmpstr (json_object_get_boolean_member (security, "flash-encryption") ?
                       "Enabled" : "Disabled", ==, encryption);
    }
}

/* Secure download mode: both name the chip from GET_SECURITY_INFO alone */
static void
test_secure_download (void)
{
  static const struct { const char *chip, *expected; } cases[] = {
    { "esp32s2", "ESP32-S2 in Secure Download Mode" },
    { "esp32s3", "ESP32-S3 in Secure Download Mode" },
    { "esp32c6", "ESP32-C6 in Secure Download Mode" },
  };

  if (!have_esptool ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *chip = cases[i].chip;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *theirs = NULL;
      JsonObject *info;
      Run r = { 0 };

      ask_esptool (chip, "secure-download=on", "get-security-info", &r);
      theirs = esptool_line (r.out, "Chip type");
      run_clear (&r);

      info = ask_glint (chip, "secure-download=on", parser);
      g_assert_cmpstr (json_object_get_string_member (info, "chip"), ==, chip);
      g_assert_true (json_object_get_boolean_member (json_object_get_object_member (info,
                                                                                  "security"),
                                                     "secure-download"));
      g_assert_cmpstr (theirs, ==, cases[i].expected);
    }
}

int
main (int argc, char **argv)
{
  g_autofree char *root = NULL;
  g_autofree char *path = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  /* ../shared/esptool relative to the repository's root */
  root = g_path_get_dirname (g_test_get_dir (G_TEST_DIST));
  path = g_build_filename (root, "..", "shared", "esptool", "run", NULL);
  if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    esptool = g_steal_pointer (&path);

  g_test_add_func ("/glint/chip-esptool/description", test_description);
  g_test_add_func ("/glint/chip-esptool/security", test_security);
  g_test_add_func ("/glint/chip-esptool/secure-download", test_secure_download);

  status = g_test_run ();
  g_free (esptool);

  return status;
}
