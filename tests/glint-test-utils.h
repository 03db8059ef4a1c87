/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-flasher.h"
#include "glint-loader.h"
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

/* How many entries a folder has. */
guint         glint_test_count_files       (const char    *dir);

/* Makes a temporary folder of stand-in flasher stubs (random code: the
 * simulator runs nothing) for every chip, points $GLINT_STUB_DIR at it and
 * returns its path. Real stubs are third-party and never part of a test. */
char         *glint_test_fake_stub_dir     (void);
/* Removes such a folder. */
void          glint_test_remove_dir        (const char    *dir);

G_END_DECLS
