/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-flasher.h"
#include "glint-loader.h"
#include "glint-sim-stream.h"
#include "glint-types.h"

G_BEGIN_DECLS

/* A GAsyncReadyCallback that stores a reference to the result in
 * *(GAsyncResult **) user_data. */
void          glint_test_store_result_cb   (GObject       *source,
                                            GAsyncResult  *result,
                                            gpointer       user_data);

/* Iterates the thread-default main context until *slot is non-NULL, or fails
 * the test after timeout_ms. Returns *slot (the caller still owns it). */
gpointer      glint_test_wait_for          (gpointer      *slot,
                                            guint          timeout_ms);

/* Iterates the main context until *flag is TRUE or fails after timeout_ms. */
void          glint_test_wait_flag         (gboolean      *flag,
                                            guint          timeout_ms);

/* Runs the main context for ms milliseconds. */
void          glint_test_spin              (guint          ms);

/* Reads exactly len bytes (async under the hood, main loop iterated). */
void          glint_test_read_exact        (GInputStream  *input,
                                            guint8        *buf,
                                            gsize          len,
                                            guint          timeout_ms);
/* Writes all of data. */
void          glint_test_write_all         (GOutputStream *output,
                                            const void    *data,
                                            gsize          len);

/* Starts socat with two linked ptys; returns their paths. Skips the test
 * (g_test_skip) and returns NULL when socat is not installed. */
GSubprocess  *glint_test_pty_pair          (char         **path_a,
                                            char         **path_b);

/* Starts  with args (NULL-terminated) and returns it; the
 * first line it prints (e.g. "PTY /dev/pts/3", "TCP 127.0.0.1 40123",
 * "RFC2217 127.0.0.1 40124") is returned in *announcement. */
GSubprocess  *glint_test_spawn_sim_server  (const char *const *args,
                                            char         **announcement);

/* A simulated board in another process: glint-sim-server on a link of
 * its own, as glint_test_board_start() starts it. */
typedef enum
{
  GLINT_TEST_LINK_PTY,       /* a pty, as a USB adapter looks */
  GLINT_TEST_LINK_TCP,       /* raw TCP on a free port: socket:// */
  GLINT_TEST_LINK_RFC2217,   /* its own RFC 2217 server: rfc2217:// */
} GlintTestLink;

typedef struct
{
  GlintTestLink      link;
  const char        *flash_path;  /* --flash: it is saved there at exit */
  const char *const *args;        /* more arguments (NULL-terminated), or NULL */
  const char        *query;       /* for rfc2217://: "?QUERY" after the port */
} GlintTestBoardOptions;

/* Starts the board and returns it; *@address is what a client opens (the
 * pty's path, "socket://HOST:PORT", "rfc2217://HOST:PORT[?QUERY]"). */
GSubprocess  *glint_test_board_start       (const GlintTestBoardOptions *options,
                                            char                       **address);
/* Stops the board (SIGTERM), fails the test unless it exits cleanly and
 * returns what it saved to @flash_path. */
GBytes       *glint_test_board_stop        (GSubprocess   *board,
                                            const char    *flash_path);

/* A web installer's site: $GLINT_TEST_WEB_SERVER (tests/glint-test-web-
 * server.c) serving the files under @dir on 127.0.0.1, over https with
 * the certificate in @cert_dir (glint_test_make_certificate()) or, when
 * that is NULL, over http. Every request it answers goes to its log. */
typedef struct
{
  GSubprocess *process;
  char        *base;     /* "https://127.0.0.1:PORT" */
  int          fd;       /* its standard output */
  GString     *pending;
  GPtrArray   *log;      /* "GET /path STATUS BYTES" */
} GlintTestWebServer;

GlintTestWebServer *glint_test_web_server_start (const char         *dir,
                                                 const char         *cert_dir);
/* The lines of the log so far, from @from on, as one text. */
char               *glint_test_web_server_log   (GlintTestWebServer *server,
                                                 guint               from);
guint               glint_test_web_server_n_log (GlintTestWebServer *server);
void                glint_test_web_server_stop  (GlintTestWebServer *server);

/* A self-signed certificate for 127.0.0.1 in a new folder (cert.pem,
 * key.pem), made now by openssl; NULL without openssl or a TLS backend. */
char         *glint_test_make_certificate  (void);

/* Starts $GLINT_SER2NET (which must be set) as an RFC 2217 server for the
 * serial device at device_path, listening on a free port of 127.0.0.1 that
 * is returned in *port; its config goes to dir/ser2net.yaml. Returns once
 * the port accepts connections. */
GSubprocess  *glint_test_spawn_ser2net     (const char    *device_path,
                                            const char    *dir,
                                            guint16       *port);

/* Terminates a subprocess and waits for it. */
void          glint_test_stop_subprocess   (GSubprocess   *subprocess);

/* Returns a TCP port on 127.0.0.1 that was free a moment ago. */
guint16       glint_test_free_port         (void);

/* Waits until something accepts TCP connections on 127.0.0.1:port (a
 * server just started), or fails the test after timeout_ms. */
void          glint_test_wait_for_port     (guint16        port,
                                            guint          timeout_ms);

/* Opens a GlintStream for an address and waits for it to be open. */
GlintStream  *glint_test_open_stream       (const char    *address);

/* Opens @stream and waits; returns what glint_stream_open_finish() did. */
gboolean      glint_test_open              (GlintStream   *stream,
                                            GCancellable  *cancellable,
                                            GError       **error);

/* Run one line-control operation of a GlintStream and wait for it; return
 * what the _finish function returned. */
gboolean      glint_test_set_baud          (GlintStream   *stream,
                                            guint          baud,
                                            GError       **error);
gboolean      glint_test_set_lines         (GlintStream   *stream,
                                            GlintLines     mask,
                                            GlintLines     values,
                                            GError       **error);
gboolean      glint_test_purge             (GlintStream   *stream,
                                            GlintPurge     what,
                                            GError       **error);

/* SYNC once and wait (30 s at most); @value as glint_loader_sync_finish(). */
gboolean      glint_test_loader_sync       (GlintLoader   *loader,
                                            guint32       *value,
                                            GError       **error);

/* Resets with @strategy and waits; fails the test if the reset fails. */
void          glint_test_loader_reset      (GlintLoader        *loader,
                                            GlintResetStrategy  strategy);

/* Run a flash job (glint_flasher_flash_async()) or a read
 * (glint_flasher_read_flash_async()) and wait, two minutes at most; return
 * what the _finish function returned. */
gboolean      glint_test_flash             (GlintFlasher  *flasher,
                                            GError       **error);
gboolean      glint_test_read_flash        (GlintFlasher  *flasher,
                                            guint32        offset,
                                            guint32        length,
                                            const char    *path,
                                            GError       **error);

/* Reproducible firmware-like data: noise from a GRand seeded with @seed,
 * half of it in compressible stretches (512 bytes each) if asked. */
GBytes       *glint_test_seeded_bytes      (guint          seed,
                                            gsize          size,
                                            gboolean       compressible);
/* Fails the test unless the simulated flash holds @image at @offset. */
void          glint_test_assert_flash_holds (GlintSim     *sim,
                                             guint32       offset,
                                             GBytes       *image);

/* How many entries a folder has. */
guint         glint_test_count_files       (const char    *dir);

/* Where a stub for @chip loads its text and data: the addresses of the
 * chip's real stub, so that the simulator's RAM checks pass. */
void          glint_test_stub_area         (const char    *chip,
                                            guint32       *text_start,
                                            guint32       *data_start);
/* Writes a stand-in flasher stub (random code: the simulator runs nothing)
 * to path, making its folders; it loads where the real stub of the chip
 * named in the file's name does (ESP32 where none is). */
void          glint_test_write_fake_stub   (const char    *path);
/* ... with @text_len bytes of text and @data_len of data: as long as a
 * real stub, where its wire time matters */
void          glint_test_write_fake_stub_sized (const char *path,
                                                gsize       text_len,
                                                gsize       data_len);
/* Makes a temporary folder of stand-in stubs for every chip, points
 * $GLINT_STUB_DIR at it and returns its path. Real stubs are third-party:
 * they are never part of the repository (test-stub-real.c uses them where
 * they are installed). */
char         *glint_test_fake_stub_dir     (void);

/* The real flasher stubs: $GLINT_STUB_DIR as the program found it, if it
 * is esptool's targets/stub_flasher (with 2/ and 1/), else NULL. Read
 * before glint_test_fake_stub_dir() changes the variable (it calls this
 * first). */
const char   *glint_test_real_stub_dir     (void);
/* FALSE, and the test skipped with the reason, without real stubs. */
gboolean      glint_test_need_real_stubs   (void);

/* A stub file as the test reads it, with json-glib and base64, apart from
 * glint-stub. Absent numbers are -1, absent data NULL. */
typedef struct
{
  GBytes *text;
  GBytes *data;
  gint64  text_start;
  gint64  data_start;
  gint64  bss_start;
  gint64  entry;
} GlintTestStubFile;

GlintTestStubFile *glint_test_stub_file_read (const char        *path);
void               glint_test_stub_file_free (GlintTestStubFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GlintTestStubFile, glint_test_stub_file_free)

/* A launcher for glint-cli or glint-sim-server: the suite's environment
 * (tests/meson.build) with $GLINT_STUB_DIR set to stub_dir, or unset when
 * that is NULL (no stub anywhere: the ROM path), whatever the suite got. */
GSubprocessLauncher *glint_test_launcher_new (GSubprocessFlags  flags,
                                              const char       *stub_dir);
/* glint-cli run as a user runs it: a separate process, and what it left. */
typedef struct
{
  int   status;
  char *out;
  char *err;
} GlintTestRun;

/* Runs $GLINT_CLI with @args (NULL-terminated) and the environment of
 * glint_test_launcher_new (@stub_dir) plus @env (NULL-terminated NAME,
 * VALUE pairs; may be NULL) and waits for it to exit, iterating the
 * thread-default main context meanwhile (servers of the test keep
 * answering). Its exit status and output land in @run, which must be
 * clear; the test log gets both. */
void          glint_test_run_cli           (GlintTestRun      *run,
                                            const char *const *args,
                                            const char        *stub_dir,
                                            const char *const *env);
/* Frees the output of a run; it can be used again. */
void          glint_test_run_clear         (GlintTestRun      *run);

/* Writes @contents to @relative below @root, making the folders on the
 * way (fake sysfs, /proc and port trees). */
void          glint_test_put_file          (const char    *root,
                                            const char    *relative,
                                            const char    *contents);
/* Makes @relative below @root a symbolic link to @target, folders too. */
void          glint_test_put_link          (const char    *root,
                                            const char    *relative,
                                            const char    *target);

/* Removes a folder and everything in it (symbolic links, not their
 * targets). */
void          glint_test_remove_dir        (const char    *dir);

/* @size bytes that compress like an app: code-like noise and tables. */
GBytes       *glint_test_app_like          (gsize          size);

/* A small ESP32 app image whose app description names @project (the
 * Demo board's app speaks Improv Serial as "glint-demo"). */
GBytes       *glint_test_app_image         (const char    *project);

G_END_DECLS
