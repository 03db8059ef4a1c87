#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 The Glint developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The Flatpak manifest cannot be built here (no Flathub), so check what can
# be checked without a network: its structure, module order, checksums,
# sandbox permissions and that its command is a program the build installs.
# TAP output.
#
# usage: test-flatpak-manifest.py MANIFEST MESON BUILD_ROOT APP_ID GUI
#   (GUI is "true" when this build has the window, so installs `glint`)

import json
import re
import subprocess
import sys

manifest_path, meson, build_root, app_id, gui = sys.argv[1:6]

FINISH_ARGS = {
    '--device=all',        # serial ports
    '--share=network',     # remote boards (rfc2217://, socket://)
    '--socket=wayland',
    '--socket=fallback-x11',
    '--share=ipc',
    '--system-talk-name=org.freedesktop.Avahi',   # boards on the network (mDNS)
}
# GTK 4.8 and libadwaita 1.2 came with GNOME 43.
MIN_GNOME = 43

results = []


def check(name, ok, *notes):
    results.append((name, ok, notes))


with open(manifest_path, encoding='utf-8') as f:
    manifest = json.load(f)

modules = manifest.get('modules', [])
names = [m.get('name') if isinstance(m, dict) else None for m in modules]

check('id', manifest.get('id') == app_id.removesuffix('.Devel'),
      f"id is {manifest.get('id')!r}")

runtime_version = str(manifest.get('runtime-version', ''))
check('runtime',
      manifest.get('runtime') == 'org.gnome.Platform'
      and manifest.get('sdk') == 'org.gnome.Sdk'
      and runtime_version.isdigit() and int(runtime_version) >= MIN_GNOME,
      f"runtime {manifest.get('runtime')!r} {runtime_version!r}, sdk {manifest.get('sdk')!r}")

finish_args = manifest.get('finish-args', [])
check('finish-args', set(finish_args) == FINISH_ARGS and len(finish_args) == len(FINISH_ARGS),
      f'extra: {sorted(set(finish_args) - FINISH_ARGS)}',
      f'missing: {sorted(FINISH_ARGS - set(finish_args))}')

check('module-order',
      'libserialport' in names and 'esptool-stubs' in names and 'glint' in names
      and names[-1] == 'glint'
      and names.index('libserialport') < names.index('glint')
      and names.index('esptool-stubs') < names.index('glint')
      and 'avahi' in names and names.index('avahi') < names.index('glint'),
      f'modules: {names}')

bad_sources = []
n_archives = 0
for module in modules:
    for source in module.get('sources', []):
        if source.get('type') in ('archive', 'file'):
            n_archives += 1
            if not re.fullmatch(r'[0-9a-f]{64}', source.get('sha256', '')):
                bad_sources.append(f"{module['name']}: sha256 {source.get('sha256')!r}")
            if not source.get('url', '').startswith('https://'):
                bad_sources.append(f"{module['name']}: url {source.get('url')!r}")
        elif source.get('type') == 'dir':
            if module.get('name') != 'glint':
                bad_sources.append(f"{module['name']}: a local dir source")
        else:
            bad_sources.append(f"{module['name']}: unchecked source type {source.get('type')!r}")
check('sources-pinned', n_archives >= 2 and not bad_sources, *bad_sources)

# The stubs go where glint-stub.c looks: PACKAGE_DATADIR "/stubs", that is
# /app/share/glint/stubs inside the sandbox.
stubs = modules[names.index('esptool-stubs')] if 'esptool-stubs' in names else {}
commands = ' '.join(stubs.get('build-commands', []))
check('stubs-install-dir',
      re.search(r'\$\{FLATPAK_DEST\}/share/glint/stubs\b', commands) is not None
      and 'stub_flasher' in commands,
      f'build-commands: {commands!r}')

glint = modules[names.index('glint')] if 'glint' in names else {}
check('glint-module',
      glint.get('buildsystem') == 'meson' and '-Dgui=enabled' in glint.get('config-opts', [])
      and '-Davahi=enabled' in glint.get('config-opts', []),
      f"glint module: {glint!r}")

check('command', manifest.get('command') == 'glint', f"command {manifest.get('command')!r}")

# The command must be a program the build installs; only a build with the
# window installs `glint` (the manifest builds with -Dgui=enabled).
skipped = []
if gui == 'true':
    installed = json.loads(subprocess.run([meson, 'introspect', '--installed', build_root],
                                          check=True, capture_output=True,
                                          text=True).stdout)
    programs = sorted({p.rsplit('/', 1)[-1] for p in installed.values() if '/bin/' in p})
    check('command-installed', manifest.get('command') in programs,
          f"installed programs: {programs}")
else:
    skipped.append('command-installed')

for i, (name, ok, notes) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - /glint/flatpak/{name}")
    if not ok:
        for note in notes:
            print(f'# {note}')
for j, name in enumerate(skipped, len(results) + 1):
    print(f'ok {j} - /glint/flatpak/{name} # SKIP the window is not built (-Dgui)')
print(f'1..{len(results) + len(skipped)}')
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
