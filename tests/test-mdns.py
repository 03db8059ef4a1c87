#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The Glint developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Boards on the network, with the real pieces: in a private network and
mount namespace (unshare -n -m, as root) a private system bus
(dbus-daemon on /run/dbus/system_bus_socket, over a tmpfs /run), Avahi
(avahi-daemon --no-drop-root --no-chroot), glint-sim-server on a pty and
ser2net 4.3 in front of it announcing the connection over mDNS
(`mdns: true`, `mdns-sysattrs: true`). glint-cli list must find the board
and glint-cli flash must write it through the URL it found; list --watch
sees it go when ser2net ends; with Avahi stopped, glint-cli list says once
that network boards cannot be found.
All traffic stays inside the namespace (loopback and a veth pair).

Reported as skipped (TAP # SKIP) where the test is not root, a program is
missing or namespaces are not allowed.

The window case runs test-window's /glint/window/network-boards under
Xvfb inside the namespace: the board shows up under "On the Network" and
choosing it fills in its URL (skipped without the window build).

Usage: test-mdns.py [--window TEST_WINDOW]
       (env: GLINT_CLI, GLINT_SIM_SERVER, GLINT_SER2NET; prints TAP)
"""

import ctypes
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

CASES = ['/glint/mdns/list', '/glint/mdns/window', '/glint/mdns/flash-found-url',
         '/glint/mdns/watch', '/glint/mdns/without-avahi']
NAME = 'lab-esp32-1'
HOST = 'glint-lab'

DBUS_CONF = '''<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
'''

AVAHI_CONF = f'''[server]
host-name={HOST}
use-ipv4=yes
use-ipv6=no
allow-interfaces=lo,v0,v1
enable-dbus=yes
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=no
publish-workstation=no
'''

# The pty is no USB device, so mdns-sysattrs adds only devicetype=serial;
# the mdns-txt lines stand in for what it reads from sysfs for a CP2102.
SER2NET_CONF = '''connection: &board
  accepter: telnet(rfc2217),tcp,{port}
  enable: on
  options:
    kickolduser: true
    mdns: true
    mdns-name: {name}
    mdns-sysattrs: true
    mdns-txt: idVendor=10c4
    mdns-txt: idProduct=ea60
    mdns-txt: serial=0001
    mdns-txt: manufacturer=Silicon Labs
    mdns-txt: product=CP2102 USB to UART Bridge Controller
  connector: serialdev,{device},115200n81,local
'''


def skip_all(reason):
    print(f'1..{len(CASES)}')
    for i, case in enumerate(CASES, 1):
        print(f'ok {i} {case} # SKIP {reason}')
    sys.exit(0)


def find(name):
    return shutil.which(name) or shutil.which(name, path='/usr/sbin:/usr/bin:/sbin:/bin')


def outside():
    """Checks what the test needs, then runs itself in the namespaces."""
    if os.geteuid() != 0:
        skip_all('needs root for a private network namespace')
    for var in ('GLINT_CLI', 'GLINT_SIM_SERVER', 'GLINT_SER2NET'):
        if not os.environ.get(var):
            skip_all(f'{var} is not set (ser2net not installed?)')
    for program in ('unshare', 'ip', 'dbus-daemon', 'avahi-daemon'):
        if find(program) is None:
            skip_all(f'{program} is not installed (build-aux/dev installs it)')
    probe = subprocess.run([find('unshare'), '-n', '-m', 'true'], capture_output=True, text=True)
    if probe.returncode != 0:
        skip_all(f'namespaces are not allowed here: {probe.stderr.strip()}')
    os.execv(find('unshare'), ['unshare', '-n', '-m', sys.executable, __file__, '--inside',
                               *sys.argv[1:]])


def die_with_parent():
    """A daemon ends with the test, even one killed by meson's timeout."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG


class Namespace:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='glint-mdns-')
        self.procs = {}

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text):
        with open(self.path(name), 'w', encoding='utf-8') as f:
            f.write(text)
        return self.path(name)

    def start(self, key, argv, **kwargs):
        self.procs[key] = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                           preexec_fn=die_with_parent, **kwargs)
        return self.procs[key]

    def stop(self, key):
        proc = self.procs.pop(key, None)
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def close(self):
        for key in list(self.procs)[::-1]:
            self.stop(key)
        if not os.environ.get("GLINT_MDNS_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)


def wait_for(what, predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise RuntimeError(f'gave up waiting for {what} after {seconds} s')


def run(cmd):
    # the exceptions would be the test's own errors: let them show
    subprocess.run(cmd, check=True)


def set_up(ns):
    """The private network, bus, Avahi, the simulated board and ser2net."""
    # /run of our own: the bus socket and Avahi's runtime folder, unseen outside
    run(['mount', '-t', 'tmpfs', 'tmpfs', '/run'])
    for folder in ('dbus', 'avahi-daemon', 'lock'):
        os.makedirs(os.path.join('/run', folder), exist_ok=True)
    run(['ip', 'link', 'set', 'lo', 'multicast', 'on', 'up'])
    run(['ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'])
    run(['ip', 'link', 'set', 'v0', 'multicast', 'on', 'up'])
    run(['ip', 'link', 'set', 'v1', 'multicast', 'on', 'up'])
    run(['ip', 'addr', 'add', '192.0.2.1/24', 'dev', 'v0'])

    log = open(ns.path('daemons.log'), 'w', encoding='utf-8')
    ns.start('dbus', [find('dbus-daemon'), '--config-file', ns.write('bus.conf', DBUS_CONF),
                      '--nofork', '--nopidfile'], stdout=log, stderr=log)
    wait_for('the private system bus', lambda: os.path.exists('/run/dbus/system_bus_socket'), 5)
    ns.start('avahi', [find('avahi-daemon'), '-f', ns.write('avahi.conf', AVAHI_CONF),
                       '--no-drop-root', '--no-chroot', '--no-rlimits', '--no-proc-title'],
             stdout=log, stderr=log)

    flash = ns.path('flash.bin')
    board = ns.path('board')
    sim = ns.start('sim', [os.environ['GLINT_SIM_SERVER'], '--pty', '--link', board,
                           '--flash', flash, '--options', 'time-scale=0'],
                   stdout=subprocess.PIPE, text=True)
    announcement = sim.stdout.readline()
    if not announcement:
        raise RuntimeError('glint-sim-server exited without announcing its pty')

    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    config = ns.write('ser2net.yaml', SER2NET_CONF.format(port=port, name=NAME, device=board))
    ns.start('ser2net', [os.environ['GLINT_SER2NET'], '-n', '-d', '-c', config],
             stdout=log, stderr=log)
    return port, flash


def cli(*args):
    return subprocess.run([os.environ['GLINT_CLI'], *args], capture_output=True, text=True,
                          timeout=60)


class Failed(Exception):
    pass


def check(ok, *notes):
    if not ok:
        raise Failed('\n'.join(str(n) for n in notes))


def case_list(ns, port):
    """glint-cli list finds the board: URL, name, host, port, adapter."""
    deadline = time.monotonic() + 10
    while True:
        start = time.monotonic()
        result = cli('list')
        took = time.monotonic() - start
        line = next((l for l in result.stdout.splitlines() if NAME in l), None)
        if line is not None or time.monotonic() > deadline:
            break
        time.sleep(0.1)   # Avahi may not be up yet: then list returns at once
    check(result.returncode == 0, f'exit status {result.returncode}', result.stderr)
    check(line is not None, 'the board was not listed within 10 s:', result.stdout,
          result.stderr)
    match = re.fullmatch(r'(rfc2217://(?:192\.0\.2\.1|127\.0\.0\.1):(\d+)) +(.*)', line)
    check(match is not None, f'unexpected line: {line!r}')
    check(int(match.group(2)) == port, f'port {match.group(2)}, ser2net listens on {port}')
    check(match.group(3) == f'{NAME} on {HOST}.local:{port}, Silicon Labs CP2102 USB to UART '
          'Bridge Controller [10c4:ea60 0001]', f'description {match.group(3)!r}')
    check('sim://' in result.stdout, 'the Demo board is missing', result.stdout)
    check('cannot be found' not in result.stderr, 'said Avahi is missing', result.stderr)
    print(f'# listed in {took:.2f} s: {line}')
    return match.group(1)


def case_window(ns, test_window):
    """The window lists the board under On the Network; choosing it fills the URL."""
    if test_window is None:
        return 'the window is not built (-Dgui) or xvfb-run/dbus-run-session are missing'
    env = dict(os.environ, GLINT_TEST_NETWORK_BOARD=NAME,
               DBUS_SYSTEM_BUS_ADDRESS='unix:path=/run/dbus/system_bus_socket')
    shot = os.environ.get('GLINT_MDNS_SCREENSHOT')
    if shot:
        env['GLINT_TEST_NETWORK_SCREENSHOT'] = f'import -window root {shot}'
    start = time.monotonic()
    result = subprocess.run([find('dbus-run-session'), '--', find('xvfb-run'), '-a', '-s',
                             '-screen 0 1280x900x24', test_window, '--tap', '-k', '-p',
                             '/glint/window/network-boards'],
                            capture_output=True, text=True, env=env, timeout=60)
    took = time.monotonic() - start
    check(result.returncode == 0 and re.search(r'^ok \d+ /glint/window/network-boards$',
                                               result.stdout, re.M) is not None,
          f'exit status {result.returncode}', result.stdout, result.stderr[-2000:])
    shown = re.search(r'^# (.* showed up after .*)$', result.stdout, re.M)
    print(f'# window case in {took:.2f} s; {shown.group(1) if shown else ""}')
    return None


def case_flash(ns, url, flash):
    """The found URL (no ?ign_set_control) flashes the board behind ser2net."""
    payload = os.urandom(64 * 1024)
    image = ns.write('payload.bin', '')
    with open(image, 'wb') as f:
        f.write(payload)
    start = time.monotonic()
    result = cli('--port', url, '--raw', 'flash', f'{image}@0x10000')
    took = time.monotonic() - start
    output = result.stdout + result.stderr
    check(result.returncode == 0, f'exit status {result.returncode}', output)
    check(output.count('does not acknowledge DTR/RTS') == 1,
          'the missing SET-CONTROL answers were not told once:', output)
    # the simulator writes its flash file when it ends (ser2net stays for
    # the watch case)
    ns.stop('sim')
    with open(flash, 'rb') as f:
        f.seek(0x10000)
        check(f.read(len(payload)) == payload, 'the flash does not hold what was written')
    print(f'# flashed 64 KiB through {url} in {took:.2f} s')


def case_watch(ns, url):
    """list --watch: the board is there (+), and goes (-) when ser2net ends."""
    watch = subprocess.Popen([os.environ['GLINT_CLI'], 'list', '--watch'], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, preexec_fn=die_with_parent)
    lines = queue.Queue()
    seen = []
    threading.Thread(target=lambda: [lines.put(l) for l in watch.stdout], daemon=True).start()

    def wait_line(prefix, seconds):
        deadline = time.monotonic() + seconds
        while True:
            try:
                line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise Failed(f'no line starting with {prefix!r} within {seconds} s; '
                             f'got: {seen}') from None
            seen.append(line.rstrip('\n'))
            if line.startswith(prefix):
                return line

    try:
        start = time.monotonic()
        wait_line(f'+ {url} ', 10)
        came = time.monotonic() - start
        # listed once resolved everywhere: no other address first
        check(sum(NAME in line for line in seen) == 1, 'the board changed its URL:', seen)
        ns.stop('ser2net')
        line = wait_line(f'- {url} ', 10)
        went = time.monotonic() - start - came
        check(NAME in line, line)
    finally:
        watch.send_signal(signal.SIGINT)
        status = watch.wait(10)
    check(status == 0, f'exit status {status}')
    print(f'# list --watch: came after {came:.2f} s, went {went:.2f} s after ser2net ended')
    for line in seen:
        print(f'#   {line}')


def case_without_avahi(ns):
    """With the daemon gone, one sentence on stderr, the rest as before."""
    ns.stop('avahi')
    start = time.monotonic()
    result = cli('list')
    took = time.monotonic() - start
    check(result.returncode == 0, f'exit status {result.returncode}', result.stderr)
    check(result.stderr.count('Network boards cannot be found') == 1
          and 'avahi-daemon' in result.stderr and len(result.stderr.splitlines()) == 1,
          'not said once:', result.stderr)
    check('sim://' in result.stdout and NAME not in result.stdout, result.stdout)
    check(took < 3, f'took {took:.1f} s')
    print(f'# without Avahi: listed in {took:.2f} s')


def inside(test_window):
    print(f'1..{len(CASES)}')
    ns = Namespace()
    n = 0
    try:
        port, flash = set_up(ns)
        url = None
        for n, case in enumerate(CASES, 1):
            try:
                skipped = None
                if case.endswith('/list'):
                    url = case_list(ns, port)
                elif case.endswith('/watch'):
                    check(url is not None, 'no URL: the board was not found')
                    case_watch(ns, url)
                elif case.endswith('/window'):
                    skipped = case_window(ns, test_window)
                elif case.endswith('/flash-found-url'):
                    check(url is not None, 'no URL: the board was not found')
                    case_flash(ns, url, flash)
                else:
                    case_without_avahi(ns)
                print(f'ok {n} {case}' + (f' # SKIP {skipped}' if skipped else ''))
            except Exception as e:   # every failure is this case's
                print(f'not ok {n} {case}')
                for line in str(e).splitlines():
                    print(f'# {line}')
            sys.stdout.flush()
    except Exception as e:
        for m in range(n + 1, len(CASES) + 1):
            print(f'not ok {m} {CASES[m - 1]} # set-up failed: {e}')
        log = ns.path('daemons.log')
        if os.path.exists(log):
            with open(log, encoding='utf-8', errors='replace') as f:
                for line in f.read().splitlines()[-30:]:
                    print(f'# {line}')
    finally:
        ns.close()


if __name__ == '__main__':
    if sys.argv[1:2] == ['--inside']:
        window = sys.argv[3] if sys.argv[2:3] == ['--window'] else None
        inside(window if window and find('xvfb-run') and find('dbus-run-session') else None)
    else:
        outside()
