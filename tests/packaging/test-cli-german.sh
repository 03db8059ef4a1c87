#!/bin/sh
# SPDX-FileCopyrightText: 2026 The Glint developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# glint-cli follows the locale: with LANGUAGE=de its help is German. Runs the
# uninstalled binary, which finds the build's catalogues through
# GLINT_LOCALEDIR. No German locale has to be generated: under C.UTF-8
# (built into glibc) gettext honours LANGUAGE; under plain "C" it would not.
# TAP output.
#
# usage: test-cli-german.sh GLINT_CLI LOCALEDIR

set -u
cli=$1
localedir=$2

n=0
failed=0
check() {
  # $1 name, $2 output, $3 text that must appear, $4 text that must not
  n=$((n + 1))
  if printf '%s' "$2" | grep -qF -- "$3" && ! printf '%s' "$2" | grep -qF -- "$4"; then
    echo "ok $n - $1"
  else
    failed=$((failed + 1))
    echo "not ok $n - $1"
    printf '%s\n' "$2" | sed 's/^/# /'
  fi
}

english=$(env -u LANGUAGE LC_ALL=C.UTF-8 GLINT_LOCALEDIR="$localedir" "$cli" --help 2>&1)
check "/glint/cli-german/english-by-default" "$english" "Commands:" "Befehle:"

german=$(LANGUAGE=de LANG=de_DE.UTF-8 LC_ALL=C.UTF-8 GLINT_LOCALEDIR="$localedir" \
         "$cli" --help 2>&1)
check "/glint/cli-german/help-commands" "$german" "Befehle:" "Commands:"
check "/glint/cli-german/help-option" "$german" "Serielle Schnittstelle oder Adresse" \
  "Serial port or URL"
check "/glint/cli-german/help-command-summary" "$german" \
  "Serielle Schnittstellen, die Demo-Platine und Platinen im Netzwerk" "List serial ports"

# An error from the engine (the address parser), not from the CLI itself.
error=$(LANGUAGE=de LC_ALL=C.UTF-8 GLINT_LOCALEDIR="$localedir" \
        "$cli" --port COM3 info 2>&1)
check "/glint/cli-german/engine-error" "$error" "Windows-Portname" "Windows port name"

# A port out of range names the range, in German too.
error=$(LANGUAGE=de LC_ALL=C.UTF-8 GLINT_LOCALEDIR="$localedir" \
        "$cli" --port rfc2217://lab:99999 info 2>&1)
check "/glint/cli-german/port-range" "$error" "außerhalb des gültigen Bereichs" "out of range"

# A flash of the simulator: its results (the chip, the verified region) are
# printed in German too, not only the English lines the CLI once picked out.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/glint-cli-german.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
head -c 8192 /dev/urandom > "$tmp/app.bin"
flash=$(LANGUAGE=de LC_ALL=C.UTF-8 GLINT_LOCALEDIR="$localedir" XDG_CACHE_HOME="$tmp" \
        "$cli" --port 'sim://esp32c3?time-scale=0' flash --raw "$tmp/app.bin@0x10000" 2>&1)
check "/glint/cli-german/flash-chip" "$flash" "Der Chip ist ein ESP32-C3" "chip is"
check "/glint/cli-german/flash-verified" "$flash" "app.bin bei 0x10000 überprüft (MD5" \
  "verified (MD5"

# The engine's refusal of a file that is no results log (glint-flash-batch.c),
# before any board is touched; the file stays as it was.
printf 'name,age\nx,1\n' > "$tmp/other.csv"
log=$(LANGUAGE=de LC_ALL=C.UTF-8 GLINT_LOCALEDIR="$localedir" XDG_CACHE_HOME="$tmp" \
      "$cli" --port 'sim://esp32c3?time-scale=0&seed=1' --port 'sim://esp32c3?time-scale=0&seed=2' \
      --raw --results-log "$tmp/other.csv" flash "$tmp/app.bin@0x10000" 2>&1)
check "/glint/cli-german/results-log" "$log" "ist kein Ergebnisprotokoll von Glint" \
  "is not a results log"
check "/glint/cli-german/results-log-kept" "$(cat "$tmp/other.csv")" "name,age" "time,port"

echo "1..$n"
[ "$failed" -eq 0 ]
