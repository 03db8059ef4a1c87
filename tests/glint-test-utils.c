/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib-unix.h>

#include "glint-loader.h"
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "glint-chip.h"
#include "glint-sim.h"
#include "glint-stream.h"
#include "glint-stream-address.h"
#include "glint-test-utils.h"

void
glint_test_store_result_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

gpointer
glint_test_wait_for (gpointer *slot,
                     guint     timeout_ms)
{
  GMainContext *context = g_main_context_get_thread_default ();
  gboolean expired = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &expired);

  while (*slot == NULL && !expired)
    g_main_context_iteration (context, TRUE);

  if (*slot == NULL)
    g_error ("timed out after %u ms waiting for an asynchronous result", timeout_ms);

  g_source_remove (id);
  return *slot;
}

void
glint_test_wait_flag (gboolean *flag,
                      guint     timeout_ms)
{
  GMainContext *context = g_main_context_get_thread_default ();
  gboolean expired = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &expired);

  while (!*flag && !expired)
    g_main_context_iteration (context, TRUE);

  if (!*flag)
    g_error ("timed out after %u ms waiting for a condition", timeout_ms);

  g_source_remove (id);
}

void
glint_test_spin (guint ms)
{
  GMainContext *context = g_main_context_get_thread_default ();
  gboolean expired = FALSE;

  g_timeout_add (ms, timeout_cb, &expired);
  while (!expired)
    g_main_context_iteration (context, TRUE);
}

void
glint_test_read_exact (GInputStream *input,
                       guint8       *buf,
                       gsize         len,
                       guint         timeout_ms)
{
  gsize done = 0;
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (done < len)
    {
      GAsyncResult *result = NULL;
      g_autoptr(GError) error = NULL;
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
      gssize n;

      if (left_ms <= 0)
        g_error ("timed out after %u ms with %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
                 " bytes read", timeout_ms, done, len);

      g_input_stream_read_async (input, buf + done, len - done, G_PRIORITY_DEFAULT, NULL,
                                 glint_test_store_result_cb, &result);
      result = glint_test_wait_for ((gpointer *) &result, (guint) left_ms + 1000);
      n = g_input_stream_read_finish (input, result, &error);
      g_object_unref (result);
      g_assert_no_error (error);
      if (n == 0)
        g_error ("end of stream after %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes",
                 done, len);
      done += n;
    }
}

void
glint_test_write_all (GOutputStream *output,
                      const void    *data,
                      gsize          len)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  gsize written = 0;

  g_output_stream_write_all_async (output, data, len, G_PRIORITY_DEFAULT, NULL,
                                   glint_test_store_result_cb, &result);
  result = glint_test_wait_for ((gpointer *) &result, 10000);
  g_output_stream_write_all_finish (output, result, &written, &error);
  g_object_unref (result);
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, len);
}

GSubprocess *
glint_test_pty_pair (char **path_a,
                     char **path_b)
{
  const char *socat = g_getenv ("GLINT_SOCAT");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *arg_a = NULL;
  g_autofree char *arg_b = NULL;
  GSubprocess *proc;
  gint64 deadline;

  if (socat == NULL)
    socat = "socat";
  if (!g_path_is_absolute (socat) && g_find_program_in_path (socat) == NULL)
    {
      g_test_skip ("socat is not installed");
      return NULL;
    }

  dir = g_dir_make_tmp ("glint-pty-XXXXXX", &error);
  g_assert_no_error (error);
  *path_a = g_build_filename (dir, "a", NULL);
  *path_b = g_build_filename (dir, "b", NULL);
  arg_a = g_strdup_printf ("pty,raw,echo=0,link=%s", *path_a);
  arg_b = g_strdup_printf ("pty,raw,echo=0,link=%s", *path_b);

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                           socat, arg_a, arg_b, NULL);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!(g_file_test (*path_a, G_FILE_TEST_EXISTS) && g_file_test (*path_b, G_FILE_TEST_EXISTS)))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("socat did not create the pty pair in %s", dir);
      g_usleep (10000);
    }

  return proc;
}

GSubprocess *
glint_test_spawn_sim_server (const char *const *args,
                             char              **announcement)
{
  const char *server = g_getenv ("GLINT_SIM_SERVER");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) data = NULL;
  GSubprocess *proc;
  char *line;

  g_assert_nonnull (server);
  g_ptr_array_add (argv, (gpointer) server);
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char *const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);

  data = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line (data, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL)
    g_error ("glint-sim-server exited without announcing where it listens");

  if (announcement != NULL)
    *announcement = line;
  else
    g_free (line);

  return proc;
}

GlintTestWebServer *
glint_test_web_server_start (const char *dir,
                             const char *cert_dir)
{
  const char *program = g_getenv ("GLINT_TEST_WEB_SERVER");
  g_autoptr(GError) error = NULL;
  g_autofree char *cert = cert_dir != NULL ? g_build_filename (cert_dir, "cert.pem", NULL) : NULL;
  g_autofree char *key = cert_dir != NULL ? g_build_filename (cert_dir, "key.pem", NULL) : NULL;
  GlintTestWebServer *server = g_new0 (GlintTestWebServer, 1);
  char c;

  g_assert_nonnull (program);
  server->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, program, dir,
                                      cert, key, NULL);
  g_assert_no_error (error);
  server->fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (
    g_subprocess_get_stdout_pipe (server->process)));
  server->pending = g_string_new (NULL);
  server->log = g_ptr_array_new_with_free_func (g_free);
  /* byte by byte, so that nothing stays in a buffer */
  while (!g_str_has_suffix (server->pending->str, "READY\n"))
    {
      if (read (server->fd, &c, 1) != 1)
        g_error ("glint-test-web-server exited before it was ready");
      g_string_append_c (server->pending, c);
    }
  g_assert_true (g_str_has_prefix (server->pending->str, "URL "));
  server->base = g_strndup (server->pending->str + 4,
                            strchr (server->pending->str, '\n') - server->pending->str - 4);
  g_string_truncate (server->pending, 0);
  g_assert_true (g_unix_set_fd_nonblocking (server->fd, TRUE, NULL));
  return server;
}

static void
web_server_sync (GlintTestWebServer *server)
{
  char buffer[4096];
  ssize_t n;
  char *newline;

  while ((n = read (server->fd, buffer, sizeof buffer)) > 0)
    g_string_append_len (server->pending, buffer, n);
  while ((newline = strchr (server->pending->str, '\n')) != NULL)
    {
      g_ptr_array_add (server->log, g_strndup (server->pending->str,
                                               newline - server->pending->str));
      g_string_erase (server->pending, 0, newline - server->pending->str + 1);
    }
}

guint
glint_test_web_server_n_log (GlintTestWebServer *server)
{
  web_server_sync (server);
  return server->log->len;
}

char *
glint_test_web_server_log (GlintTestWebServer *server,
                           guint               from)
{
  GString *text = g_string_new (NULL);

  web_server_sync (server);
  for (guint i = from; i < server->log->len; i++)
    g_string_append_printf (text, "%s\n", (char *) server->log->pdata[i]);
  return g_string_free (text, FALSE);
}

void
glint_test_web_server_stop (GlintTestWebServer *server)
{
  g_subprocess_force_exit (server->process);
  g_subprocess_wait (server->process, NULL, NULL);
  g_object_unref (server->process);
  g_string_free (server->pending, TRUE);
  g_ptr_array_unref (server->log);
  g_free (server->base);
  g_free (server);
}

char *
glint_test_make_certificate (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *dir = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GSubprocess) proc = NULL;

  if (openssl == NULL || !g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    return NULL;

  dir = g_dir_make_tmp ("glint-test-cert-XXXXXX", &error);
  g_assert_no_error (error);
  cert = g_build_filename (dir, "cert.pem", NULL);
  key = g_build_filename (dir, "key.pem", NULL);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                           &error, openssl, "req", "-x509", "-newkey", "ec",
                           "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                           "-days", "2", "-subj", "/CN=127.0.0.1",
                           "-addext", "subjectAltName=IP:127.0.0.1",
                           "-keyout", key, "-out", cert, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (proc, NULL, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&dir);
}

GSubprocess *
glint_test_spawn_ser2net (const char *device_path,
                          const char *dir,
                          guint16    *port)
{
  const char *ser2net = g_getenv ("GLINT_SER2NET");
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;
  GSubprocess *proc;

  g_assert_nonnull (ser2net);

  *port = glint_test_free_port ();
  config = g_strdup_printf ("connection: &board\n"
                            "  accepter: telnet(rfc2217),tcp,127.0.0.1,%u\n"
                            "  enable: on\n"
                            "  options:\n"
                            "    kickolduser: true\n"
                            "  connector: serialdev,%s,115200n81,local\n",
                            *port, device_path);
  config_path = g_build_filename (dir, "ser2net.yaml", NULL);
  g_file_set_contents (config_path, config, -1, &error);
  g_assert_no_error (error);

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                           &error, ser2net, "-n", "-d", "-c", config_path, NULL);
  g_assert_no_error (error);
  glint_test_wait_for_port (*port, 10000);

  return proc;
}

GSubprocess *
glint_test_board_start (const GlintTestBoardOptions *options,
                        char                       **address)
{
  static const char *const link_args[][2] = {
    [GLINT_TEST_LINK_PTY] = { "--pty", NULL },
    [GLINT_TEST_LINK_TCP] = { "--tcp", "0" },
    [GLINT_TEST_LINK_RFC2217] = { "--rfc2217", "0" },
  };
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *announcement = NULL;
  g_auto(GStrv) words = NULL;
  GSubprocess *board;

  for (guint i = 0; i < 2 && link_args[options->link][i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) link_args[options->link][i]);
  if (options->flash_path != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--flash");
      g_ptr_array_add (argv, (gpointer) options->flash_path);
    }
  for (guint i = 0; options->args != NULL && options->args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) options->args[i]);
  g_ptr_array_add (argv, NULL);

  board = glint_test_spawn_sim_server ((const char *const *) argv->pdata, &announcement);

  /* "PTY /dev/pts/3", "TCP 127.0.0.1 40123", "RFC2217 127.0.0.1 40124" */
  words = g_strsplit (g_strstrip (announcement), " ", -1);
  switch (options->link)
    {
    case GLINT_TEST_LINK_PTY:
      g_assert_cmpuint (g_strv_length (words), >=, 2);
      *address = g_strdup (words[1]);
      break;
    case GLINT_TEST_LINK_TCP:
      g_assert_cmpuint (g_strv_length (words), >=, 3);
      *address = g_strdup_printf ("socket://%s:%s", words[1], words[2]);
      break;
    case GLINT_TEST_LINK_RFC2217:
    default:
      g_assert_cmpuint (g_strv_length (words), >=, 3);
      *address = g_strdup_printf ("rfc2217://%s:%s%s%s", words[1], words[2],
                                  options->query != NULL ? "?" : "",
                                  options->query != NULL ? options->query : "");
      break;
    }

  return board;
}

GBytes *
glint_test_board_stop (GSubprocess *board,
                       const char  *flash_path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_subprocess_send_signal (board, SIGTERM);
  g_subprocess_wait_check (board, NULL, &error);
  g_assert_no_error (error);
  g_file_get_contents (flash_path, &contents, &len, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (contents, len);
}

void
glint_test_stop_subprocess (GSubprocess *subprocess)
{
  if (subprocess == NULL)
    return;

  g_subprocess_send_signal (subprocess, SIGTERM);
  g_subprocess_wait (subprocess, NULL, NULL);
}

guint16
glint_test_free_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

void
glint_test_wait_for_port (guint16 port,
                          guint   timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketConnection) connection = NULL;
      g_autoptr(GError) error = NULL;

      connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
      if (connection != NULL)
        {
          g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
          return;
        }
      if (g_get_monotonic_time () > deadline)
        g_error ("nothing listened on port %u within %u ms: %s", port, timeout_ms,
                 error->message);
      g_usleep (20000);
    }
}

GlintStream *
glint_test_open_stream (const char *address)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GlintStream) stream = glint_stream_new_for_address (address, &error);

  g_assert_no_error (error);
  g_assert_nonnull (stream);

  glint_test_open (stream, NULL, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&stream);
}

gboolean
glint_test_open (GlintStream   *stream,
                 GCancellable  *cancellable,
                 GError       **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  glint_stream_open_async (stream, cancellable, glint_test_store_result_cb, &result);
  result = glint_test_wait_for ((gpointer *) &result, 10000);
  ok = glint_stream_open_finish (stream, result, error);
  g_object_unref (result);

  return ok;
}

gboolean
glint_test_set_baud (GlintStream  *stream,
                     guint         baud,
                     GError      **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  glint_stream_set_baud_async (stream, baud, NULL, glint_test_store_result_cb, &result);
  result = glint_test_wait_for ((gpointer *) &result, 10000);
  ok = glint_stream_set_baud_finish (stream, result, error);
  g_object_unref (result);

  return ok;
}

gboolean
glint_test_set_lines (GlintStream  *stream,
                      GlintLines    mask,
                      GlintLines    values,
                      GError      **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  glint_stream_set_lines_async (stream, mask, values, NULL, glint_test_store_result_cb,
                                &result);
  result = glint_test_wait_for ((gpointer *) &result, 10000);
  ok = glint_stream_set_lines_finish (stream, result, error);
  g_object_unref (result);

  return ok;
}

gboolean
glint_test_purge (GlintStream  *stream,
                  GlintPurge    what,
                  GError      **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  glint_stream_purge_async (stream, what, NULL, glint_test_store_result_cb, &result);
  result = glint_test_wait_for ((gpointer *) &result, 10000);
  ok = glint_stream_purge_finish (stream, result, error);
  g_object_unref (result);

  return ok;
}

gboolean
glint_test_loader_sync (GlintLoader  *loader,
                        guint32      *value,
                        GError      **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  glint_loader_sync_async (loader, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 30000);
  ok = glint_loader_sync_finish (loader, result, value, error);
  g_object_unref (result);

  return ok;
}

void
glint_test_loader_reset (GlintLoader        *loader,
                         GlintResetStrategy  strategy)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  glint_loader_reset_async (loader, strategy, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 10000);
  glint_loader_reset_finish (loader, result, &error);
  g_object_unref (result);
  g_assert_no_error (error);
}

/* text_start and data_start of esptool 5.3.1's stub_flasher/2/ files */
static const struct
{
  const char *chip;
  guint32     text_start;
  guint32     data_start;
} stub_areas[] = {
  { "esp8266", 0x4010C500, 0x3FFFAE68 },
  { "esp32", 0x400A8000, 0x3FFDED68 },
  { "esp32s2", 0x40028000, 0x3FFE2DBC },
  { "esp32s3", 0x40378000, 0x3FCB2DBC },
  { "esp32c2", 0x40380000, 0x3FCB6D6C },
  { "esp32c3", 0x40380000, 0x3FC96D68 },
  { "esp32c5", 0x40800000, 0x40852F0C },
  { "esp32c6", 0x40800000, 0x40852F0C },
  { "esp32c61", 0x40800000, 0x40816D68 },
  { "esp32h2", 0x40800000, 0x40842D68 },
  { "esp32p4", 0x4FF10000, 0x4FF62DB8 },
};

void
glint_test_stub_area (const char *chip,
                      guint32    *text_start,
                      guint32    *data_start)
{
  for (guint i = 0; i < G_N_ELEMENTS (stub_areas); i++)
    if (g_str_equal (stub_areas[i].chip, chip))
      {
        *text_start = stub_areas[i].text_start;
        *data_start = stub_areas[i].data_start;
        return;
      }

  g_error ("no stub area for chip “%s”", chip);
}

void
glint_test_write_fake_stub (const char *path)
{
  glint_test_write_fake_stub_sized (path, 2048, 300);
}

void
glint_test_write_fake_stub_sized (const char *path,
                                  gsize       text_len,
                                  gsize       data_len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  const char *chip = "esp32";
  g_autofree guint8 *code = g_malloc (MAX (text_len, data_len));
  g_autofree char *text = NULL;
  g_autofree char *data = NULL;
  g_autofree char *json = NULL;
  guint32 text_start, data_start;

  /* the longest chip name in the file's name: esp32c61 before esp32c6 */
  for (guint i = 0; i < G_N_ELEMENTS (stub_areas); i++)
    if (strstr (base, stub_areas[i].chip) != NULL && strlen (stub_areas[i].chip) > strlen (chip))
      chip = stub_areas[i].chip;
  glint_test_stub_area (chip, &text_start, &data_start);

  for (gsize i = 0; i < MAX (text_len, data_len); i++)
    code[i] = (guint8) g_random_int ();
  text = g_base64_encode (code, text_len);
  data = g_base64_encode (code, data_len);
  json = g_strdup_printf ("{\"text\": \"%s\", \"text_start\": %u, "
                          "\"entry\": %u, \"data\": \"%s\", "
                          "\"data_start\": %u}", text, text_start, text_start + 0x204, data,
                          data_start);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_file_set_contents (path, json, -1, &error);
  g_assert_no_error (error);
}

char *
glint_test_fake_stub_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("glint-stubs-XXXXXX", &error);
  const GlintChip *chips;
  guint n_chips = 0;

  g_assert_no_error (error);
  glint_test_real_stub_dir ();   /* before the variable changes */

  /* a file for every revision: the P4 before rev. 3 has its own */
  chips = glint_chip_get_all (&n_chips);
  for (guint i = 0; i < n_chips; i++)
    for (guint rev = 0; rev <= 3; rev++)
      {
        const char *file = glint_chip_get_stub_file (&chips[i], rev);
        g_autofree char *path = g_build_filename (dir, file, NULL);

        if (!g_file_test (path, G_FILE_TEST_EXISTS))
          glint_test_write_fake_stub (path);
      }

  g_setenv ("GLINT_STUB_DIR", dir, TRUE);
  return dir;
}

static const char *real_stub_dir;
static const char *real_stub_reason;

const char *
glint_test_real_stub_dir (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      const char *env = g_getenv ("GLINT_STUB_DIR");
      g_autofree char *v2 = env != NULL ? g_build_filename (env, "2", "esp32.json", NULL) : NULL;
      g_autofree char *v1 = env != NULL ? g_build_filename (env, "1", "esp32.json", NULL) : NULL;

      if (env == NULL || env[0] == '\0')
        real_stub_reason = "no real flasher stubs: GLINT_STUB_DIR is not set (point it at "
                           "esptool's esptool/targets/stub_flasher)";
      else if (!g_file_test (v2, G_FILE_TEST_IS_REGULAR) ||
               !g_file_test (v1, G_FILE_TEST_IS_REGULAR))
        {
          g_autofree char *reason = NULL;

          reason = g_strdup_printf ("no real flasher stubs: GLINT_STUB_DIR=%s has no "
                                    "2/esp32.json and 1/esp32.json (esptool's "
                                    "esptool/targets/stub_flasher has)", env);
          real_stub_reason = g_intern_string (reason);
        }
      else
        real_stub_dir = g_intern_string (env);
      g_once_init_leave (&once, 1);
    }

  return real_stub_dir;
}

gboolean
glint_test_need_real_stubs (void)
{
  if (glint_test_real_stub_dir () != NULL)
    return TRUE;

  g_test_skip (real_stub_reason);
  return FALSE;
}

static gint64
stub_file_number (JsonObject *object,
                  const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return -1;
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);

  return json_node_get_int (node);
}

static GBytes *
stub_file_segment (JsonObject *object,
                   const char *name)
{
  const char *text;
  guchar *bytes;
  gsize len = 0;

  if (!json_object_has_member (object, name))
    return NULL;
  text = json_object_get_string_member (object, name);
  g_assert_nonnull (text);
  bytes = g_base64_decode (text, &len);

  return g_bytes_new_take (bytes, len);
}

GlintTestStubFile *
glint_test_stub_file_read (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  GlintTestStubFile *file = g_new0 (GlintTestStubFile, 1);
  JsonObject *object;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  object = json_node_get_object (json_parser_get_root (parser));

  file->text = stub_file_segment (object, "text");
  file->data = stub_file_segment (object, "data");
  file->text_start = stub_file_number (object, "text_start");
  file->data_start = stub_file_number (object, "data_start");
  file->bss_start = stub_file_number (object, "bss_start");
  file->entry = stub_file_number (object, "entry");

  return file;
}

void
glint_test_stub_file_free (GlintTestStubFile *file)
{
  g_clear_pointer (&file->text, g_bytes_unref);
  g_clear_pointer (&file->data, g_bytes_unref);
  g_free (file);
}

GSubprocessLauncher *
glint_test_launcher_new (GSubprocessFlags  flags,
                         const char       *stub_dir)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  if (stub_dir != NULL)
    g_subprocess_launcher_setenv (launcher, "GLINT_STUB_DIR", stub_dir, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "GLINT_STUB_DIR");

  return launcher;
}

void
glint_test_run_cli (GlintTestRun      *run,
                    const char *const *args,
                    const char        *stub_dir,
                    const char *const *env)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  GMainContext *context = g_main_context_get_thread_default ();
  GAsyncResult *result = NULL;

  g_assert_null (run->out);
  g_assert_null (run->err);

  g_ptr_array_add (argv, (gpointer) g_getenv ("GLINT_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = glint_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                      G_SUBPROCESS_FLAGS_STDERR_PIPE, stub_dir);
  for (guint i = 0; env != NULL && env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);

  /* no time limit of its own, as a blocking wait would have: the suite's
   * timeout ends a CLI that hangs */
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, glint_test_store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_subprocess_communicate_utf8_finish (proc, result, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_object_unref (result);
  run->status = g_subprocess_get_exit_status (proc);
  g_test_message ("glint-cli exit %d\n%s%s", run->status, run->out, run->err);
}

void
glint_test_run_clear (GlintTestRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

void
glint_test_remove_dir (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  /* a symbolic link is removed, not followed */
  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      glint_test_remove_dir (child);
    }
  g_rmdir (path);
}

GBytes *
glint_test_seeded_bytes (guint    seed,
                         gsize    size,
                         gboolean compressible)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = !compressible || (i / 512) % 2 ? (guint8) g_rand_int (rand) : (guint8) (i / 7);

  return g_bytes_new_take (data, size);
}

void
glint_test_assert_flash_holds (GlintSim *sim,
                               guint32   offset,
                               GBytes   *image)
{
  gsize flash_size = 0;
  const guint8 *flash = glint_sim_get_flash (sim, &flash_size);
  gsize size = g_bytes_get_size (image);

  g_assert_cmpuint (offset + size, <=, flash_size);
  g_assert_cmpmem (flash + offset, size, g_bytes_get_data (image, NULL), size);
}

gboolean
glint_test_flash (GlintFlasher  *flasher,
                  GError       **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  glint_flasher_flash_async (flasher, NULL, glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 120000);
  ok = glint_flasher_flash_finish (flasher, result, error);
  g_object_unref (result);

  return ok;
}

gboolean
glint_test_read_flash (GlintFlasher  *flasher,
                       guint32        offset,
                       guint32        length,
                       const char    *path,
                       GError       **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  glint_flasher_read_flash_async (flasher, offset, length, path, NULL,
                                  glint_test_store_result_cb, &result);
  glint_test_wait_for ((gpointer *) &result, 120000);
  ok = glint_flasher_read_flash_finish (flasher, result, error);
  g_object_unref (result);

  return ok;
}

guint
glint_test_count_files (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (handle != NULL && g_dir_read_name (handle) != NULL)
    n++;

  return n;
}

/**
 * glint_test_app_like:
 * @size: bytes
 *
 * Returns: (transfer full): @size bytes like an app's: stretches of
 *   code-like noise and of tables, so that they compress as firmware does
 */
GBytes *
glint_test_app_like (gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (i / 1024) % 3 ? (guint8) g_random_int () : (guint8) (i * 7 / 13);

  return g_bytes_new_take (data, size);
}

/* An ESP32 app image whose first segment starts with an esp_app_desc_t
 * naming @project (docs/protocol.md §12). */
GBytes *
glint_test_app_image (const char *project)
{
  g_autoptr(GByteArray) a = g_byte_array_new ();
  guint8 header[24] = { 0xE9, 1, 2, 0x20, 0x00, 0x00, 0x40, 0x40, 0xEE };
  guint8 seg[8] = { 0x20, 0x00, 0x40, 0x3F, 0x00, 0x01, 0, 0 };   /* 0x3F400020, 256 */
  guint8 desc[256] = { 0x32, 0x54, 0xCD, 0xAB };
  guint8 checksum = 0xEF;

  memcpy (desc + 16, "1.0", 3);
  memcpy (desc + 48, project, strlen (project));
  g_byte_array_append (a, header, sizeof header);
  g_byte_array_append (a, seg, sizeof seg);
  g_byte_array_append (a, desc, sizeof desc);
  for (guint i = 0; i < sizeof desc; i++)
    checksum ^= desc[i];
  while (a->len % 16 != 15)
    g_byte_array_append (a, (const guint8 *) "", 1);
  g_byte_array_append (a, &checksum, 1);

  return g_byte_array_free_to_bytes (g_steal_pointer (&a));
}

void
glint_test_put_file (const char *root,
                     const char *relative,
                     const char *contents)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

void
glint_test_put_link (const char *root,
                     const char *relative,
                     const char *target)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_cmpint (symlink (target, path), ==, 0);
}
