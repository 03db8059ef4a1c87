#!/bin/sh
# SPDX-FileCopyrightText: 2026 The Glint developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Every language in po/LINGUAS must translate every string of the current
# sources: the template is extracted afresh from POTFILES.in (as
# `meson compile glint-pot` does, with the glib preset), merged into the
# language's .po, and any untranslated or fuzzy message fails the test. It
# also fails on format strings that do not match (msgfmt --check). TAP output.
#
# usage: test-translations.sh SOURCE_ROOT
# Fix a failure with: meson compile -C _build glint-update-po, then translate.

set -u
src=$1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/glint-translations.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

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

# The glib preset of Meson's i18n module.
if xgettext --package-name=glint -f "$src/po/POTFILES.in" -D "$src" -o "$tmp/glint.pot" \
     --from-code=UTF-8 --add-comments \
     -k_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dcgettext:2 \
     --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
     --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
     --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
     --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
     --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
     --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
     --flag=g_print:1:c-format --flag=g_printerr:1:c-format --flag=g_printf:1:c-format \
     --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format \
     2>"$tmp/xgettext.log"; then
  ok "/glint/translations/extract"
else
  not_ok "/glint/translations/extract"
  sed 's/^/# /' "$tmp/xgettext.log"
  echo "1..$n"
  exit 1
fi

for lang in $(grep -v '^#' "$src/po/LINGUAS"); do
  po=$src/po/$lang.po
  if [ ! -f "$po" ]; then
    not_ok "/glint/translations/$lang/exists"
    continue
  fi

  msgmerge --quiet --no-wrap "$po" "$tmp/glint.pot" -o "$tmp/$lang.po" 2>&1 | sed 's/^/# /'

  untranslated=$(msgattrib --untranslated --no-obsolete --no-wrap "$tmp/$lang.po" |
                 grep -c '^msgid ' || true)
  fuzzy=$(msgattrib --only-fuzzy --no-obsolete --no-wrap "$tmp/$lang.po" |
          grep -c '^msgid ' || true)
  # msgattrib prints the header entry with any selection; do not count it.
  [ "$untranslated" -gt 0 ] && untranslated=$((untranslated - 1))
  [ "$fuzzy" -gt 0 ] && fuzzy=$((fuzzy - 1))

  if [ "$untranslated" -eq 0 ]; then
    ok "/glint/translations/$lang/complete"
  else
    not_ok "/glint/translations/$lang/complete"
    echo "# $untranslated untranslated:"
    msgattrib --untranslated --no-obsolete --no-wrap "$tmp/$lang.po" |
      grep '^msgid ' | sed 1d | sed 's/^/#   /'
  fi

  if [ "$fuzzy" -eq 0 ]; then
    ok "/glint/translations/$lang/no-fuzzy"
  else
    not_ok "/glint/translations/$lang/no-fuzzy"
    echo "# $fuzzy fuzzy (the English changed; check the translation, drop the flag):"
    msgattrib --only-fuzzy --no-obsolete --no-wrap "$tmp/$lang.po" |
      grep '^msgid ' | sed 1d | sed 's/^/#   /'
  fi

  if msgfmt --check --statistics -o /dev/null "$tmp/$lang.po" 2>"$tmp/msgfmt.log"; then
    ok "/glint/translations/$lang/check"
  else
    not_ok "/glint/translations/$lang/check"
  fi
  sed 's/^/# /' "$tmp/msgfmt.log"
done

echo "1..$n"
[ "$failed" -eq 0 ]
