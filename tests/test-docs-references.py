#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 The Glint developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Keeps the references in the tree true:
#  - every section reference ("§N" or "§N.M") in src/, tests/, bench/ and
#    tools/ names a heading of docs/protocol.md, so a reader of a comment
#    finds the fact it leans on in the repository;
#  - no file in src/, tests/, bench/, tools/, docs/, README.md or
#    CONTRIBUTING.md points at a tracker issue by number: the tracker is not
#    in the repository, so such a reference says nothing to a reader.
#
# A reference that follows an RFC number on the same line ("RFC 6298 §2.2")
# is a section of that RFC and is not looked up. Standard library only.
# TAP output.
#
# usage: test-docs-references.py SOURCE_ROOT

import os
import re
import sys

SECTION = "\u00a7"
SECTION_DIRS = ("src", "tests", "bench", "tools")
ISSUE_DIRS = ("src", "tests", "bench", "tools", "docs")
ISSUE_FILES = ("README.md", "CONTRIBUTING.md")
# Not text written by us: fuzz inputs, installed npm packages, caches.
SKIP_DIRS = {".git", "corpus", "node_modules", "__pycache__"}

# "## 7. Timeouts", "### 7.1 MEM_END over a slow link"
HEADING_RE = re.compile(r"^#{1,6}\s+(\d+(?:\.\d+)?)\.?\s")
# A section reference, or a document name that says whose section follows.
REF_RE = re.compile(SECTION + r"(\d+(?:\.\d+)?)|(RFC\s*\d+)|(protocol\.md)")
ISSUE_RE = re.compile(r"\bissues?\s*#?\s*\d+", re.IGNORECASE)


def text_files(root, top):
    """Yields (relative path, lines) of the text files under root/top."""
    path = os.path.join(root, top)
    if os.path.isfile(path):
        paths = [path]
    else:
        paths = []
        for d, dirs, files in os.walk(path):
            dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS)
            paths.extend(os.path.join(d, f) for f in sorted(files))
    for p in paths:
        try:
            with open(p, "rb") as f:
                data = f.read()
        except OSError:
            continue
        if b"\0" in data:
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        yield os.path.relpath(p, root), text.splitlines()


def headings(protocol_md):
    found = set()
    with open(protocol_md, encoding="utf-8") as f:
        in_code = False
        for line in f:
            if line.startswith("```"):
                in_code = not in_code
                continue
            m = None if in_code else HEADING_RE.match(line)
            if m is not None:
                found.add(m.group(1))
    return found


def section_refs(line):
    """The protocol.md sections a line cites (those after "RFC n" excluded)."""
    refs = []
    rfc = False
    for m in REF_RE.finditer(line):
        if m.group(2) is not None:
            rfc = True
        elif m.group(3) is not None:
            rfc = False
        elif not rfc:
            refs.append(m.group(1))
    return refs


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    protocol_md = os.path.join(root, "docs", "protocol.md")
    results = []

    sections = set()
    if os.path.isfile(protocol_md):
        sections = headings(protocol_md)
    results.append((len(sections) > 0, "docs/protocol.md has numbered section headings",
                    [] if sections else ["# no numbered headings in " + protocol_md]))

    bad = []
    n_refs = 0
    for top in SECTION_DIRS:
        for rel, lines in text_files(root, top):
            for no, line in enumerate(lines, 1):
                for ref in section_refs(line):
                    n_refs += 1
                    if ref not in sections:
                        bad.append("# %s:%d: %s%s has no heading in docs/protocol.md"
                                   % (rel, no, SECTION, ref))
    results.append((not bad, "all %d section references in %s resolve in docs/protocol.md"
                    % (n_refs, ", ".join(d + "/" for d in SECTION_DIRS)), bad))

    bad = []
    for top in ISSUE_DIRS + ISSUE_FILES:
        for rel, lines in text_files(root, top):
            for no, line in enumerate(lines, 1):
                for m in ISSUE_RE.finditer(line):
                    bad.append("# %s:%d: refers to an issue number (\"%s\"): say what is meant"
                               % (rel, no, m.group(0)))
    results.append((not bad, "no file refers to an issue number", bad))

    print("1..%d" % len(results))
    for i, (ok, name, diagnostics) in enumerate(results, 1):
        for d in diagnostics:
            print(d)
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
