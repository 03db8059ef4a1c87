#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The Glint developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Glint's ELF conversion held to esptool's elf2image, byte for byte: every
# chip of glint-test-elf (the ESP32 family), every kind of test ELF (an
# application, one whose app description names the MMU page size, one with
# split flash text and RAM, a RAM-only bootloader), with esptool's default
# header settings and with --flash-mode dio --flash-size 4MB. esptool runs
# in this process (its Python API, the code ../shared/esptool/run starts);
# where it is missing, or lacks Debian packages it needs, every case is
# reported as skipped, never as passed. TAP output.
#
# usage: test-elf2image.py GLINT_TEST_ELF ESPTOOL_DIR

import os
import subprocess
import sys
import tempfile

tool, esptool_dir = sys.argv[1], sys.argv[2]

out = subprocess.run([tool, 'chips'], check=True, capture_output=True, text=True).stdout.split()
kinds = int(out[-1])
chips = out[:-2]
settings = [None, ('dio', '4MB')]
cases = [(c, k, s) for c in chips for k in range(kinds) for s in settings]

print(f'1..{len(cases)}')

skip_reason = None
try:
    sys.path[:0] = [os.path.join(esptool_dir, 'shim'), esptool_dir]
    if not os.path.isdir(os.path.join(esptool_dir, 'esptool')):
        raise ImportError(f'no esptool in {esptool_dir}')
    import io
    import contextlib
    with contextlib.redirect_stdout(io.StringIO()):
        from esptool.cmds import elf2image
except Exception as e:  # missing esptool or one of its Debian packages
    skip_reason = f'esptool not usable: {e}'

failed = 0
with tempfile.TemporaryDirectory() as tmp:
    for n, (chip, kind, setting) in enumerate(cases, 1):
        name = f'{chip} kind {kind}' + (f' {setting[0]} {setting[1]}' if setting else ' defaults')
        if skip_reason:
            print(f'ok {n} {name} # SKIP {skip_reason}')
            continue
        elf = os.path.join(tmp, f'{chip}-{kind}.elf')
        ours = os.path.join(tmp, f'{chip}-{kind}.bin')
        subprocess.run([tool, 'make', chip, str(kind), elf], check=True)
        subprocess.run([tool, 'convert', chip, elf, ours] + (list(setting) if setting else []),
                       check=True)
        args = {'flash_mode': setting[0], 'flash_size': setting[1]} if setting else {}
        with contextlib.redirect_stdout(io.StringIO()):
            theirs = elf2image(elf, chip, output=None, **args)
        with open(ours, 'rb') as f:
            mine = f.read()
        if mine == theirs:
            print(f'ok {n} {name} ({len(mine)} bytes)')
        else:
            failed += 1
            first = next((i for i in range(min(len(mine), len(theirs)))
                          if mine[i] != theirs[i]), min(len(mine), len(theirs)))
            print(f'not ok {n} {name}')
            print(f'# Glint {len(mine)} bytes, esptool {len(theirs)} bytes, first difference at '
                  f'0x{first:x}')

sys.exit(1 if failed else 0)
