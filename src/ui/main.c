/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "glint-application.h"
#include "glint-sim-stream.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GlintApplication) app = NULL;

  setlocale (LC_ALL, "");
  /* GLINT_LOCALEDIR: the uninstalled build's catalogues (meson devenv, tests). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("GLINT_LOCALEDIR") != NULL ?
                                   g_getenv ("GLINT_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* the Demo board is a sim:// address */
  glint_sim_stream_register ();
  g_set_application_name (_("Glint"));
  app = glint_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
