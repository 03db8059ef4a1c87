#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The Glint developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Glint's readers held to esptool's writers (the ESP8266's version 1 pair
# of files: the image for 0 and the IROM data). merge-bin --format hex and
# --format uf2 (for a few chips, three files with gaps, one crossing a
# 64 KiB boundary): Glint must find exactly the files at their offsets,
# and the chip's UF2 family. And the ELF conversion held to esptool's
# elf2image, byte for byte: every
# chip of glint-test-elf (the ESP32 family), every kind of test ELF (an
# application, one whose app description names the MMU page size, one with
# split flash text and RAM, a RAM-only bootloader), with esptool's default
# header settings and with --flash-mode dio --flash-size 4MB. esptool runs
# in this process (its Python API, the code ../shared/esptool/run starts);
# where it is missing, or lacks Debian packages it needs, every case is
# reported as skipped, never as passed. TAP output.
#
# usage: test-esptool-formats.py GLINT_TEST_ELF ESPTOOL_DIR

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
merge_cases = [(fmt, chip) for fmt in ('hex', 'uf2') for chip in ('esp32', 'esp32s3', 'esp32c6')]
families = {'esp32': 0x1C5F21B0, 'esp32s3': 0xC47E5767, 'esp32c6': 0x540DDF62}

print(f'1..{len(merge_cases) + len(cases)}')

skip_reason = None
try:
    sys.path[:0] = [os.path.join(esptool_dir, 'shim'), esptool_dir]
    if not os.path.isdir(os.path.join(esptool_dir, 'esptool')):
        raise ImportError(f'no esptool in {esptool_dir}')
    import io
    import contextlib
    with contextlib.redirect_stdout(io.StringIO()):
        from esptool.cmds import elf2image, merge_bin
except Exception as e:  # missing esptool or one of its Debian packages
    skip_reason = f'esptool not usable: {e}'

failed = 0
with tempfile.TemporaryDirectory() as tmp:
    n = 0
    rand = __import__('random').Random(7)
    for fmt, chip in merge_cases:
        n += 1
        name = f'merge-bin --format {fmt} --chip {chip}'
        if skip_reason:
            print(f'ok {n} {name} # SKIP {skip_reason}')
            continue
        files = {0x1000: rand.randbytes(5000), 0xFFF0 & ~0xFFF: rand.randbytes(0x10005),
                 0x300000: rand.randbytes(777)}
        merged = os.path.join(tmp, f'merged.{fmt}')
        with contextlib.redirect_stdout(io.StringIO()):
            merge_bin(sorted(files.items()), chip, output=merged, format=fmt)
        outdir = os.path.join(tmp, f'split-{fmt}-{chip}')
        os.mkdir(outdir)
        got = subprocess.run([tool, 'split', merged, outdir], check=True, capture_output=True,
                             text=True).stdout.split()
        found = {}
        for entry in os.listdir(outdir):
            with open(os.path.join(outdir, entry), 'rb') as f:
                found[int(entry[:-4], 16)] = f.read()
        family = int(got[1], 16)
        want_family = families[chip] if fmt == 'uf2' else 0
        if found == files and family == want_family:
            print(f'ok {n} {name} ({len(files)} regions)')
        else:
            failed += 1
            print(f'not ok {n} {name}')
            print(f'# Glint found {sorted(hex(k) for k in found)} (family 0x{family:08x}), '
                  f'esptool wrote {sorted(hex(k) for k in files)}')

    for chip, kind, setting in cases:
        n += 1
        name = f'{chip} kind {kind}' + (f' {setting[0]} {setting[1]}' if setting else ' defaults')
        if skip_reason:
            print(f'ok {n} {name} # SKIP {skip_reason}')
            continue
        elf = os.path.join(tmp, f'{chip}-{kind}.elf')
        ours = os.path.join(tmp, f'{chip}-{kind}.bin')
        subprocess.run([tool, 'make', chip, str(kind), elf], check=True)
        conv = subprocess.run([tool, 'convert', chip, elf, ours] +
                              (list(setting) if setting else []),
                              check=True, capture_output=True, text=True).stdout.split()
        args = {'flash_mode': setting[0], 'flash_size': setting[1]} if setting else {}
        if chip == 'esp8266':
            args['version'] = '1'   # the CLI's default: the image at 0 and the IROM data
        with contextlib.redirect_stdout(io.StringIO()):
            theirs = elf2image(elf, chip, output=None, **args)
        with open(ours, 'rb') as f:
            mine = f.read()
        if chip == 'esp8266':
            irom, theirs = theirs
            mine_irom = None
            if conv:
                with open(ours + '.irom', 'rb') as f:
                    mine_irom = f.read()
            if mine_irom != irom:
                failed += 1
                print(f'not ok {n} {name}')
                print(f'# the IROM data differs (Glint {conv}, esptool '
                      f'{len(irom) if irom else 0} bytes)')
                continue
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
