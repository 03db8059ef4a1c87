#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The Glint developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks every #include "..." in src/ against the layer table of
docs/architecture.md ("Layers"): a layer uses only the layers below it.

The build already compiles each layer with only the include folders it may
use (src/meson.build); this test also holds the finer rules the include
path cannot express (which protocol headers the simulator may use, who
may register sim://), and names the file, line and rule of each breach.

Usage: test-layers.py SOURCE_ROOT   (prints TAP)
"""

import os
import re
import sys

# Folder -> folders whose headers it may include (its own is implied).
ALLOWED = {
    "base": set(),
    "stream": {"base"},
    "protocol": {"base", "stream"},
    "firmware": {"base"},
    "flasher": {"base", "stream", "protocol", "firmware"},
    "web": {"base", "firmware"},
    "sim": {"base", "stream"},
    "cli": {"base", "stream", "protocol", "firmware", "flasher", "web"},
    "ui": {"base", "stream", "protocol", "firmware", "flasher", "web"},
}

# Edges allowed for some headers only: (from, to) -> (headers, files or
# None for any file of the layer, the reason).
NARROW = {
    ("sim", "protocol"): ({"glint-slip.h", "glint-protocol.h", "glint-chip.h",
                           "glint-improv.h"}, None,
                          "sim uses only the pure parts of protocol (SLIP, the protocol's "
                          "facts, the chip table, the Improv Serial codec)"),
    ("cli", "sim"): ({"glint-sim-stream.h"}, None,
                     "cli only registers sim:// (glint_sim_stream_register)"),
    ("ui", "sim"): ({"glint-sim-stream.h"}, {"src/ui/main.c"},
                    "only the app's main() registers sim://; the window opens addresses"),
}

# Made by the build, not in src/.
GENERATED = {"config.h", "glint-resources.h"}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def rule_text(layer):
    allowed = sorted(ALLOWED[layer])
    return "%s may include %s" % (layer, ", ".join(allowed) if allowed else "only itself")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    src = os.path.join(root, "src")
    owner = {}
    sources = []
    for layer in sorted(os.listdir(src)):
        folder = os.path.join(src, layer)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith((".c", ".h")):
                owner.setdefault(name, layer)
                sources.append((layer, os.path.join(folder, name)))

    problems = []
    for layer, path in sources:
        rel = os.path.relpath(path, root)
        if layer not in ALLOWED:
            problems.append("%s: folder src/%s is not in the layer table" % (rel, layer))
            continue
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                header = m.group(1)
                where = "%s:%d: #include \"%s\"" % (rel, number, header)
                if "/" in header:
                    problems.append("%s: include headers by name, without their folder" % where)
                    continue
                target = owner.get(header)
                if target is None:
                    if header not in GENERATED:
                        problems.append("%s: no such header in src/" % where)
                    continue
                if target == layer or target in ALLOWED[layer]:
                    continue
                narrow = NARROW.get((layer, target))
                if narrow is not None:
                    headers, files, reason = narrow
                    if header in headers and (files is None or rel in files):
                        continue
                    problems.append("%s: %s -> %s breaks the rule: %s" % (where, layer, target, reason))
                    continue
                problems.append("%s: %s -> %s breaks the rule: %s" % (where, layer, target,
                                                                     rule_text(layer)))

    print("1..2")
    print("ok 1 - %d source files in %d layers read" % (len(sources), len({l for l, _ in sources})))
    if problems:
        print("not ok 2 - includes follow the layer table (docs/architecture.md)")
        for p in problems:
            print("# " + p)
        return 1
    print("ok 2 - includes follow the layer table (docs/architecture.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
