#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 The Glint developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Refreshes the "#:" source references of a translation, and nothing else.

usage: tools/po-refresh-references.py po/de.po [...]

The references say where each string stands in the sources, and go stale
as the code moves. `meson compile glint-update-po` refreshes them too, but
it also rewraps every message and reorders the file, which buries a
translation's real changes in noise. This extracts a template afresh
(xgettext over po/POTFILES.in, the keywords of meson's glib preset) and
rewrites, entry by entry, only the lines that start with "#:": messages,
translations, comments, flags and order stay as they are. A message the
sources no longer have keeps no reference (msgmerge would make it
obsolete); a message the translation lacks is left to the translator.
"""

import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEYWORDS = ['-k_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
            '--keyword=g_dcgettext:2', '--keyword=g_dngettext:2,3',
            '--keyword=g_dpgettext2:2c,3']


def entries(lines):
    """Splits a .po file's lines into entries (lists of lines) at blank lines."""
    entry = []
    for line in lines:
        if line.strip() == '':
            if entry:
                yield entry
            entry = []
            yield [line]
        else:
            entry.append(line)
    if entry:
        yield entry


def key(entry):
    """(msgctxt, msgid) as written, the quoted pieces joined: wrapping does not count."""
    parts = {'msgctxt': None, 'msgid': None}
    current = None
    for line in entry:
        if line.startswith('#'):
            continue
        word = line.split(' ', 1)[0]
        if word in parts:
            current = word
            parts[word] = line[len(word):].strip()[1:-1]
        elif line.startswith('"') and current is not None:
            parts[current] += line.strip()[1:-1]
        else:
            current = None
    if parts['msgid'] is None:
        return None
    return (parts['msgctxt'], parts['msgid'])


def template():
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'glint.pot')
        subprocess.run(['xgettext', '--package-name=glint', '-f', 'po/POTFILES.in', '-D', ROOT,
                        '-o', pot, '--from-code=UTF-8'] + KEYWORDS, cwd=ROOT, check=True)
        with open(pot, encoding='utf-8') as f:
            lines = f.read().splitlines(keepends=True)
    refs = {}
    for entry in entries(lines):
        k = key(entry)
        if k is not None:
            refs[k] = [line for line in entry if line.startswith('#:')]
    return refs


def refresh(path, refs):
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines(keepends=True)
    out = []
    changed = 0
    for entry in entries(lines):
        k = key(entry)
        if k is None or k == (None, ''):
            out.extend(entry)
            continue
        old = [line for line in entry if line.startswith('#:')]
        new = refs.get(k, [])
        if old != new:
            changed += 1
        # the references go where the first one stood, else before the flags
        # and the message, after the comments
        rest = [line for line in entry if not line.startswith('#:')]
        at = next((i for i, line in enumerate(entry) if line.startswith('#:')), None)
        if at is None:
            at = next(i for i, line in enumerate(rest)
                      if not line.startswith('# ') and not line.startswith('#.') and
                      line.rstrip('\n') != '#')
        else:
            at = sum(1 for line in entry[:at] if not line.startswith('#:'))
        out.extend(rest[:at] + new + rest[at:])
    with open(path, 'w', encoding='utf-8') as f:
        f.writelines(out)
    return changed


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__.split('\n\n')[1])
    refs = template()
    for path in sys.argv[1:]:
        print('%s: %d entries with new references' % (path, refresh(path, refs)))


if __name__ == '__main__':
    main()
