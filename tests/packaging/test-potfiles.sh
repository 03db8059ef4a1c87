#!/bin/sh
# SPDX-FileCopyrightText: 2026 The Glint developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# po/POTFILES.in must list every file with translatable strings (or they are
# never translated) and nothing that does not exist (or xgettext fails), in
# sorted order. TAP output.
#
# usage: test-potfiles.sh SOURCE_ROOT

set -u
cd "$1" || exit 1

potfiles=po/POTFILES.in
tmp=$(mktemp -d "${TMPDIR:-/tmp}/glint-potfiles.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

grep -v -e '^#' -e '^[[:space:]]*$' "$potfiles" >"$tmp/listed"

# Sources that call a gettext macro or function, templates with translatable
# properties, and the data files that i18n.merge_file translates.
{
  grep -rlE --include='*.c' --include='*.h' \
    '(^|[^A-Za-z0-9_])(_|N_|C_|NC_|Q_) ?\(|g_dngettext|g_dpgettext|ngettext ?\(' src
  grep -rl --include='*.ui' 'translatable="yes"' src
  find data -name '*.desktop.in.in' -o -name '*.desktop.in' \
    -o -name '*.metainfo.xml.in.in' -o -name '*.metainfo.xml.in' -o -name '*.gschema.xml'
} | sed 's|^\./||' | sort -u >"$tmp/needed"

n=0
failed=0

n=$((n + 1))
missing=$(comm -23 "$tmp/needed" "$tmp/listed")
if [ -z "$missing" ]; then
  echo "ok $n - /glint/potfiles/complete"
else
  failed=$((failed + 1))
  echo "not ok $n - /glint/potfiles/complete"
  echo "$missing" | sed 's/^/# translatable, but missing from POTFILES.in: /'
fi

n=$((n + 1))
gone=$(while read -r f; do [ -f "$f" ] || echo "$f"; done <"$tmp/listed")
if [ -z "$gone" ]; then
  echo "ok $n - /glint/potfiles/exist"
else
  failed=$((failed + 1))
  echo "not ok $n - /glint/potfiles/exist"
  echo "$gone" | sed 's/^/# listed in POTFILES.in, but there is no such file: /'
fi

n=$((n + 1))
if LC_ALL=C sort -c "$tmp/listed" 2>/dev/null && [ -z "$(uniq -d "$tmp/listed")" ]; then
  echo "ok $n - /glint/potfiles/sorted"
else
  failed=$((failed + 1))
  echo "not ok $n - /glint/potfiles/sorted"
  LC_ALL=C sort -c "$tmp/listed" 2>&1 | sed 's/^/# /'
fi

echo "1..$n"
[ "$failed" -eq 0 ]
