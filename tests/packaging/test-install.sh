#!/bin/sh
# SPDX-FileCopyrightText: 2026 The Glint developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs the build into a temporary DESTDIR and checks that every file a
# distribution package needs lands where desktops look for it. TAP output.
#
# usage: test-install.sh MESON BUILD_ROOT PREFIX BINDIR DATADIR LOCALEDIR APP_ID LINGUAS GUI
#   (BINDIR, DATADIR and LOCALEDIR as Meson options: relative to PREFIX or absolute;
#    GUI is "true" when the window was built)

set -u

meson=$1 build_root=$2 prefix=$3 bindir=$4 datadir=$5 localedir=$6 app_id=$7 linguas=$8 gui=$9

under_prefix() {
  case $1 in
    /*) printf '%s' "$1" ;;
    *) printf '%s/%s' "$prefix" "$1" ;;
  esac
}

destdir=$(mktemp -d "${TMPDIR:-/tmp}/glint-install.XXXXXX") || exit 1
trap 'rm -rf "$destdir"' EXIT INT TERM

n=0
failed=0
ok() {
  n=$((n + 1))
  echo "ok $n - $1"
}
not_ok() {
  n=$((n + 1))
  failed=$((failed + 1))
  echo "not ok $n - $1"
}

# The test harness has built everything already: --no-rebuild, so that this
# test never runs ninja alongside the tests that are running at the same time.
if "$meson" install -C "$build_root" --no-rebuild --quiet --destdir "$destdir" \
     >"$destdir.log" 2>&1; then
  ok "/glint/install/meson-install"
else
  not_ok "/glint/install/meson-install"
  sed 's/^/# /' "$destdir.log"
fi
rm -f "$destdir.log"

root=$destdir
bin=$root$(under_prefix "$bindir")
data=$root$(under_prefix "$datadir")
locale=$root$(under_prefix "$localedir")

check_file() {
  # $1 test name, $2 path, $3 test flag (-f, -x)
  if [ "$3" "$2" ] && [ -s "$2" ]; then
    ok "$1"
  else
    not_ok "$1"
    echo "# missing: ${2#"$root"}"
  fi
}

check_file "/glint/install/glint-cli" "$bin/glint-cli" -x
# the Demo board's sample firmware (data/sample), made at build time
check_file "/glint/install/sample-manifest" "$data/glint/sample/manifest.json" -f
check_file "/glint/install/sample-app" "$data/glint/sample/esp32-glint-demo.bin" -f

if [ "$gui" = "true" ]; then
  check_file "/glint/install/glint" "$bin/glint" -x
  check_file "/glint/install/desktop-file" "$data/applications/$app_id.desktop" -f
  check_file "/glint/install/metainfo" "$data/metainfo/$app_id.metainfo.xml" -f
  check_file "/glint/install/icon" "$data/icons/hicolor/scalable/apps/$app_id.svg" -f
  check_file "/glint/install/symbolic-icon" \
    "$data/icons/hicolor/symbolic/apps/$app_id-symbolic.svg" -f
  check_file "/glint/install/schema" "$data/glib-2.0/schemas/io.github.glintapp.Glint.gschema.xml" -f

  # What desktop-file-validate cannot know: how Glint is found and started.
  desktop=$data/applications/$app_id.desktop
  for want in "Exec=glint %F" "Icon=$app_id" "Categories=Development;Electronics;GTK;"; do
    if grep -qxF "$want" "$desktop" 2>/dev/null; then
      ok "/glint/install/desktop-file-${want%%=*}"
    else
      not_ok "/glint/install/desktop-file-${want%%=*}"
      echo "# expected the line: $want"
    fi
  done
  keywords=$(sed -n 's/^Keywords=//p' "$desktop" 2>/dev/null)
  missing=
  for word in ESP32 esptool firmware flash; do
    case ";$keywords" in
      *";$word;"*) ;;
      *) missing="$missing $word" ;;
    esac
  done
  if [ -n "$keywords" ] && [ -z "$missing" ]; then
    ok "/glint/install/desktop-file-keywords"
  else
    not_ok "/glint/install/desktop-file-keywords"
    echo "# Keywords=$keywords lacks:$missing"
  fi

  # The installed desktop file and metainfo carry the merged translations.
  for lang in $(grep -v '^#' "$linguas"); do
    if grep -q "^Comment\[$lang\]=" "$data/applications/$app_id.desktop" 2>/dev/null; then
      ok "/glint/install/desktop-file-$lang"
    else
      not_ok "/glint/install/desktop-file-$lang"
    fi
    if grep -q "xml:lang=\"$lang\"" "$data/metainfo/$app_id.metainfo.xml" 2>/dev/null; then
      ok "/glint/install/metainfo-$lang"
    else
      not_ok "/glint/install/metainfo-$lang"
    fi
  done
fi

for lang in $(grep -v '^#' "$linguas"); do
  check_file "/glint/install/translation-$lang" "$locale/$lang/LC_MESSAGES/glint.mo" -f
done

# Nothing may leak outside the prefix (a hard-coded /usr or /etc path).
outside=$(cd "$root" && find . -type f | sed 's|^\.||' | grep -v "^$prefix/" || true)
if [ -z "$outside" ]; then
  ok "/glint/install/inside-prefix"
else
  not_ok "/glint/install/inside-prefix"
  echo "$outside" | sed 's/^/# outside the prefix: /'
fi

echo "1..$n"
[ "$failed" -eq 0 ]
