#!/bin/bash
# SPDX-FileCopyrightText: 2026 The Glint developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Screenshots of every page of the window, under Xvfb:
#
#   tools/screenshots.sh [OUTPUT-DIR]     (default: _build/screenshots)
#
# Needs a build (_build, or GLINT_BUILD_DIR), xvfb, xauth, dbus and
# imagemagick. Pick the good ones for data/screenshots/ by hand.

set -euo pipefail

cd "$(dirname "$0")/.."
BUILD_DIR=${GLINT_BUILD_DIR:-_build}
OUT=${1:-$BUILD_DIR/screenshots}

mkdir -p "$OUT"
export GSETTINGS_BACKEND=memory
export GSETTINGS_SCHEMA_DIR="$PWD/$BUILD_DIR/data"
export GDK_BACKEND=x11 NO_AT_BRIDGE=1 GTK_A11Y=none
export LC_ALL=C.UTF-8
export GLINT_SIM_SERVER="$PWD/$BUILD_DIR/src/glint-sim-server"
# the build's catalogues: LANGUAGE=de tools/screenshots.sh takes the German pages
export GLINT_LOCALEDIR="$PWD/$BUILD_DIR/po"
# the Demo board's sample firmware, as the build made it
export GLINT_SAMPLE_DIR="$PWD/$BUILD_DIR/data/sample"

exec dbus-run-session -- xvfb-run -a -s "-screen 0 1280x900x24" \
  "$BUILD_DIR/tools/glint-screenshots" "$OUT"
