/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include <signal.h>
#include <string.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <libsoup/soup.h>

/*
 * A web installer's site for the tests of the whole path (manifest URL →
 * flash → Wi-Fi): libsoup's SoupServer on 127.0.0.1 serving the files
 * under DIR, with an ETag per file and "Cache-Control: no-cache", so that
 * a second download is a conditional request answered 304. With a
 * certificate (PEM files CERT and KEY) it serves https, else http.
 *
 * usage: glint-test-web-server DIR [CERT KEY]
 *
 * It writes "URL http(s)://127.0.0.1:PORT", then "READY", then one line
 * a request answered, "GET /path STATUS BYTES", on standard output, and
 * runs until killed (or until the test that started it ends). A process
 * of its own because libsoup 3.2's SoupServer leaks what it accepts,
 * which would hide the leaks of Glint's own client from LeakSanitizer.
 */

static char *root;

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  g_autofree char *file = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *sum = NULL;
  g_autofree char *etag = NULL;
  gsize len = 0;

  file = g_build_filename (root, path, NULL);
  if (strstr (path, "..") != NULL || !g_file_get_contents (file, &contents, &len, NULL))
    {
      printf ("GET %s 404 0\n", path);
      fflush (stdout);
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  sum = g_compute_checksum_for_data (G_CHECKSUM_SHA1, (const guchar *) contents, len);
  etag = g_strdup_printf ("\"%s\"", sum);
  soup_message_headers_replace (response, "ETag", etag);
  soup_message_headers_replace (response, "Cache-Control", "no-cache");
  if (g_strcmp0 (soup_message_headers_get_one (request, "If-None-Match"), etag) == 0)
    {
      printf ("GET %s 304 0\n", path);
      fflush (stdout);
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      return;
    }

  printf ("GET %s 200 %" G_GSIZE_FORMAT "\n", path, len);
  fflush (stdout);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, g_str_has_suffix (path, ".json") ?
                                    "application/json" : "application/octet-stream",
                                    SOUP_MEMORY_TAKE, g_steal_pointer (&contents), len);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) cert = NULL;
  g_autoptr(SoupServer) server = NULL;
  GSList *uris;

  if (argc != 2 && argc != 4)
    {
      fprintf (stderr, "usage: glint-test-web-server DIR [CERT KEY]\n");
      return 2;
    }

  /* gone with the test, also when an assertion ends it */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () == 1)
    return 1;

  root = argv[1];
  if (argc == 4)
    {
      cert = g_tls_certificate_new_from_files (argv[2], argv[3], &error);
      if (cert == NULL)
        {
          fprintf (stderr, "glint-test-web-server: %s\n", error->message);
          return 1;
        }
    }
  server = soup_server_new ("tls-certificate", cert, NULL);
  soup_server_add_handler (server, NULL, handler, NULL, NULL);
  if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY |
                                 (cert != NULL ? SOUP_SERVER_LISTEN_HTTPS : 0), &error))
    {
      fprintf (stderr, "glint-test-web-server: %s\n", error->message);
      return 1;
    }
  uris = soup_server_get_uris (server);
  printf ("URL %s://127.0.0.1:%d\nREADY\n", cert != NULL ? "https" : "http",
          g_uri_get_port (uris->data));
  fflush (stdout);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  for (;;)
    g_main_context_iteration (NULL, TRUE);
  return 0;
}
