#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The Glint developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Holds Glint's board simulator to the reference host tool.

esptool (../shared/esptool/run) is the client, glint-sim-server the board:
for every chip, with and without the flasher stub, over raw TCP (no reset:
the board waits in download mode) and over RFC 2217 (esptool resets the
board into download mode itself with DTR/RTS), each operation a user runs
must end as it ends on silicon: success, or the refusal esptool itself gives
there (e.g. the ESP8266 ROM cannot erase a region without the stub).

Each esptool run gets a freshly started server whose flash lives in a file,
so every run begins at a chip in its boot state (as after a power cycle)
and the flash persists from one run to the next.

Prints TAP (one line per cell); exits 0 when every cell is as expected.
Only the standard library: the esptool wrapper needs Debian's python3-*
packages, this script none.
"""

import argparse
import concurrent.futures
import hashlib
import os
import random
import re
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

CHIPS = {
    # name: (esptool's chip name, image chip id or None, bootloader offset,
    #        ROM has GET_SECURITY_INFO)
    "esp8266": ("ESP8266", None, 0x0, False),
    "esp32": ("ESP32", 0, 0x1000, False),
    "esp32s2": ("ESP32-S2", 2, 0x1000, True),
    "esp32s3": ("ESP32-S3", 9, 0x0, True),
    "esp32c2": ("ESP32-C2", 12, 0x0, True),
    "esp32c3": ("ESP32-C3", 5, 0x0, True),
    "esp32c5": ("ESP32-C5", 23, 0x2000, True),
    "esp32c6": ("ESP32-C6", 13, 0x0, True),
    "esp32c61": ("ESP32-C61", 20, 0x0, True),
    "esp32h2": ("ESP32-H2", 16, 0x0, True),
    "esp32p4": ("ESP32-P4", 18, 0x2000, True),
}

# The crystal esptool reports at connect: measured from the UART divider on
# the ESP8266, ESP32, C2 and C5 (the simulator's boards: 26, 40, 40 and
# 48 MHz), named by esptool for the others.
CRYSTAL_MHZ = {"esp8266": 26, "esp32c5": 48, "esp32h2": 32}

# One chip per family: Xtensa LX106, LX6, LX7 and RISC-V.
QUICK_CHIPS = ["esp8266", "esp32", "esp32s3", "esp32c3"]

FLASH_SIZE = 4 * 1024 * 1024
DATA_OFFSET = 0x100000
DATA_SIZE = 64 * 1024
ERASE_OFFSET = DATA_OFFSET + 0x4000
ERASE_SIZE = 0x2000


class Cell:
    """One chip × loader × transport: a flash file and a run counter."""

    def __init__(self, args, chip, stub, transport, workdir):
        self.args = args
        self.chip = chip
        self.stub = stub
        self.transport = transport
        self.dir = os.path.join(workdir, f"{chip}-{'stub' if stub else 'rom'}-{transport}")
        os.makedirs(self.dir, exist_ok=True)
        self.flash = os.path.join(self.dir, "flash.bin")
        with open(self.flash, "wb") as f:
            f.write(b"\xff" * FLASH_SIZE)
        self.runs = 0

    @property
    def name(self):
        return f"{self.chip} {'stub' if self.stub else 'rom'} {self.transport}"

    def start_server(self, options=()):
        """A board with the cell's flash file, or with sim options (another
        flash size, ...) a board of its own whose flash is not kept."""
        cmd = [self.args.server, "--chip", self.chip,
               "--option", f"time-scale={self.args.time_scale}",
               "--option", f"seed={self.runs + 1}"]
        if not options:
            cmd += ["--flash", self.flash]
        for option in options:
            cmd += ["--option", option]
        if self.transport == "tcp":
            # Nothing can reset the board over raw TCP: it waits in
            # download mode, as after a button press.
            cmd += ["--option", "boot=download", "--tcp", "0"]
        else:
            # A lab server resets the board itself, with local timing, when
            # a client starts a reset (esptool's esp_rfc2217_server does;
            # through a plain pass-through server pyserial's round trip per
            # line change lets the chip boot its app first).
            cmd += ["--rfc2217", "0", "--esp-reset"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        line = proc.stdout.readline()
        m = re.match(r"(TCP|RFC2217) (\S+) (\d+)", line)
        if m is None:
            proc.kill()
            raise RuntimeError(f"glint-sim-server said {line!r} {proc.stderr.read()!r}")
        scheme = "socket" if self.transport == "tcp" else "rfc2217"
        return proc, f"{scheme}://{m.group(2)}:{m.group(3)}"

    def esptool(self, *command, baud=None, extra=(), board=()):
        """Runs one esptool command against a fresh server (with the sim
        options in board); returns (exit status, output)."""
        self.runs += 1
        proc, url = self.start_server(board)
        argv = [self.args.esptool, "--chip", self.chip, "-p", url]
        if baud is not None:
            argv += ["-b", str(baud)]
        if self.transport == "tcp":
            argv += ["--before", "no-reset"]
        else:
            argv += ["--before", "default-reset"]
        argv += ["--after", "no-reset"]
        if not self.stub:
            argv += ["--no-stub"]
        argv += list(extra) + list(command)
        # esptool reads settings from ESPTOOL_* variables and config files
        # in the working folder and in HOME: none of the user's count here
        env = {k: v for k, v in os.environ.items() if not k.startswith("ESPTOOL")}
        env["HOME"] = self.dir  # no user esptool.cfg
        env["NO_COLOR"] = "1"
        try:
            out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True, timeout=self.args.timeout, env=env,
                                 cwd=self.dir)
            status, text = out.returncode, out.stdout
        except subprocess.TimeoutExpired as e:
            status = "timeout"
            text = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) \
                else (e.stdout or "")
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return status, text

    def path(self, name):
        return os.path.join(self.dir, name)


# Images ---------------------------------------------------------------------

def image(chip, load_addr, payload, entry):
    """A minimal application/bootloader image as ESP-IDF lays it out:
    common header, extended header (not on the ESP8266), one segment, the
    checksum at the end of a 16-byte-aligned tail, and the SHA-256 digest
    (protocol.md §12)."""
    _, chip_id, _, _ = CHIPS[chip]
    esp8266 = chip_id is None
    # magic, segments, flash mode DIO, size 4MB | freq, entry
    hdr = struct.pack("<BBBBI", 0xE9, 1, 2, 0x20 if not esp8266 else 0x40, entry)
    if not esp8266:
        # wp pin, drive settings, chip id, min rev, min/max rev full,
        # reserved, hash appended
        hdr += struct.pack("<B3sHBHH4sB", 0xEE, b"\0\0\0", chip_id, 0, 0, 0xFFFF,
                           b"\0" * 4, 1)
    seg = struct.pack("<II", load_addr, len(payload)) + payload
    body = hdr + seg
    checksum = 0xEF
    for b in payload:
        checksum ^= b
    pad = 15 - (len(body) % 16)
    body += b"\0" * pad + bytes([checksum])
    if not esp8266:
        body += hashlib.sha256(body).digest()
    return body


def partition_table():
    """nvs, phy_init and a factory app at 0x10000, then the MD5 entry."""
    entries = [
        (0x01, 0x02, 0x9000, 0x6000, b"nvs"),
        (0x01, 0x01, 0xF000, 0x1000, b"phy_init"),
        (0x00, 0x00, 0x10000, 0x100000, b"factory"),
    ]
    table = b""
    for ptype, subtype, offset, size, label in entries:
        table += struct.pack("<HBBII16sI", 0x50AA, ptype, subtype, offset, size,
                             label.ljust(16, b"\0"), 0)
    table += b"\xeb\xeb" + b"\xff" * 14 + hashlib.md5(table).digest()
    return table + b"\xff" * (0xC00 - len(table))


# The matrix -----------------------------------------------------------------

class Matrix:
    def __init__(self, args):
        self.args = args
        self.n = 0
        self.failed = 0
        self.table = {}
        self.lock = threading.Lock()   # cells may run side by side (--jobs)

    def result(self, cell, op, ok, expected, detail=""):
        with self.lock:
            self.n += 1
            status = "ok" if ok else "not ok"
            print(f"{status} {self.n} - {cell.name}: {op} ({expected})", flush=True)
            if not ok:
                self.failed += 1
                for line in detail.strip().splitlines()[-15:]:
                    print(f"#   {line}")
            self.table.setdefault((cell.chip, cell.stub, cell.transport), []).append(
                (op, "pass" if ok else "FAIL", expected))

    def expect_success(self, cell, op, status, out, must=None):
        ok = status == 0 and (must is None or re.search(must, out) is not None)
        self.result(cell, op, ok, "success", out)
        return ok

    def expect_refusal(self, cell, op, status, out, message):
        ok = status not in (0, "timeout") and message in out
        self.result(cell, op, ok, f"refused: {message}", out)
        return ok

    def run_cell(self, cell):
        esp8266_rom = cell.chip == "esp8266" and not cell.stub
        name, chip_id, bootloader, has_security_info = CHIPS[cell.chip]
        rng = random.Random(f"{cell.chip}{cell.stub}{cell.transport}")
        data = bytes(rng.getrandbits(8) for _ in range(DATA_SIZE))
        with open(cell.path("data.bin"), "wb") as f:
            f.write(data)

        # detection and identity
        status, out = cell.esptool("chip-id" if cell.chip == "esp8266" else "read-mac",
                                   extra=())
        crystal = CRYSTAL_MHZ.get(cell.chip, 40)
        self.expect_success(cell, "detect + read-mac", status, out,
                            must=rf"(?ms)^Crystal frequency:\s+{crystal}MHz$.*"
                            rf"^MAC:\s+([0-9a-f]{{2}}:){{5}}[0-9a-f]{{2}}")
        status, out = cell.esptool("flash-id")
        self.expect_success(cell, "flash-id", status, out,
                            must=r"Detected flash size: 4MB")
        if self.args.chips != "quick":
            # a flash larger than 16 MB: Winbond's id from 512 Mbit on
            # (EF 40 20), the largest the image header names (128 MB)
            status, out = cell.esptool("flash-id", board=["flash-size=128M"])
            self.expect_success(cell, "flash-id 128MB", status, out,
                                must=r"Device: 4021\s.*Detected flash size: 128MB")
        if has_security_info:
            status, out = cell.esptool("get-security-info")
            must = r"Flags: 0x" if chip_id is None or cell.chip == "esp32s2" \
                else rf"Chip ID: {chip_id}\b"
            self.expect_success(cell, "get-security-info", status, out, must=must)

        # a verified write, compressed and not; esptool writes uncompressed
        # to the ESP8266 ROM and cannot ask it for an MD5: it does not verify
        for flags in ([], ["--no-compress"]):
            status, out = cell.esptool("write-flash", *flags, hex(DATA_OFFSET), "data.bin")
            self.expect_success(cell, " ".join(["write-flash"] + flags), status, out,
                                must=r"Wrote 65536 bytes" if esp8266_rom
                                else r"Hash of data verified")

        status, out = cell.esptool("verify-flash", hex(DATA_OFFSET), "data.bin")
        if esp8266_rom:
            self.expect_refusal(cell, "verify-flash", status, out,
                                "ESP8266 ROM does not support function")
        else:
            self.expect_success(cell, "verify-flash", status, out,
                                must=r"Verification successful")

        status, out = cell.esptool("read-flash", hex(DATA_OFFSET), hex(DATA_SIZE), "back.bin")
        if esp8266_rom:
            self.expect_refusal(cell, "read-flash", status, out,
                                "ESP8266 ROM does not support function")
        else:
            same = status == 0 and os.path.exists(cell.path("back.bin")) and \
                open(cell.path("back.bin"), "rb").read() == data
            self.result(cell, "read-flash", same, "success, byte for byte", out)

        # erase a region; the flash file shows what happened
        status, out = cell.esptool("erase-region", hex(ERASE_OFFSET), hex(ERASE_SIZE))
        if esp8266_rom:
            self.expect_refusal(cell, "erase-region", status, out,
                                "ESP8266 ROM does not support function")
        else:
            with open(cell.flash, "rb") as f:
                flash = f.read()
            rel = ERASE_OFFSET - DATA_OFFSET
            expect = data[:rel] + b"\xff" * ERASE_SIZE + data[rel + ERASE_SIZE:]
            ok = status == 0 and flash[DATA_OFFSET:DATA_OFFSET + DATA_SIZE] == expect
            self.result(cell, "erase-region", ok, "success, flash file checked", out)

        # a baud change
        if esp8266_rom:
            # esptool cannot change the ESP8266 ROM's rate: it stays at 115200
            status, out = cell.esptool("flash-id", baud=921600)
            self.expect_success(cell, "-b 921600", status, out,
                                must=r"Detected flash size: 4MB")
        else:
            status, out = cell.esptool("write-flash", hex(DATA_OFFSET), "data.bin",
                                       baud=921600)
            self.expect_success(cell, "-b 921600", status, out,
                                must=r"Changed\.|Changing baud rate to 921600")

        # an ESP32-C5 ROM that expects 40 MHz on its 48 MHz board: esptool
        # sends the ROM rate × 40 / 48 (the stub takes it exact); over raw
        # TCP the far side's rate never changes, so only RFC 2217 tells
        if cell.chip == "esp32c5" and cell.transport == "rfc2217":
            status, out = cell.esptool("flash-id", baud=460800, board=["rom-xtal-expect=40"])
            must = r"Changing baud rate to 460800" if cell.stub else \
                r"ROM expects crystal freq: 40 MHz, detected 48 MHz\.\s+" \
                r"Changing baud rate to 384000"
            self.expect_success(cell, "-b 460800, ROM expects 40 MHz", status, out,
                                must=must + r"[\s\S]*Detected flash size: 4MB")

        # an ESP-IDF-style build: bootloader, partition table, app
        load = 0x40080000 if cell.chip == "esp32" else 0x40100000
        boot = image(cell.chip, load, bytes(rng.getrandbits(8) for _ in range(3000)), load)
        app = image(cell.chip, load, bytes(rng.getrandbits(8) for _ in range(40000)), load)
        for fname, blob in (("bootloader.bin", boot), ("partitions.bin", partition_table()),
                            ("app.bin", app)):
            with open(cell.path(fname), "wb") as f:
                f.write(blob)
        status, out = cell.esptool("write-flash", hex(bootloader), "bootloader.bin",
                                   "0x8000", "partitions.bin", "0x10000", "app.bin")
        with open(cell.flash, "rb") as f:
            flash = f.read()
        ok = status == 0 and \
            flash[bootloader:bootloader + len(boot)] == boot and \
            flash[0x8000:0x8000 + 0xC00] == partition_table() and \
            flash[0x10000:0x10000 + len(app)] == app
        self.result(cell, "bootloader + partitions + app", ok, "success, flash file checked", out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=os.path.join(repo, "_build/src/glint-sim-server"))
    parser.add_argument("--esptool", default=os.path.join(repo, "../shared/esptool/run"))
    parser.add_argument("--chips", default="all",
                        help="comma-separated chips, 'all' or 'quick' (one per family)")
    parser.add_argument("--loaders", default="stub,rom")
    parser.add_argument("--transports", default="tcp,rfc2217")
    parser.add_argument("--time-scale", default="0.05",
                        help="simulator time scale (0: instant, 1: real)")
    parser.add_argument("--timeout", type=float, default=180, help="seconds per esptool run")
    parser.add_argument("--table", help="write a Markdown table of the results here")
    parser.add_argument("--jobs", type=int, default=1,
                        help="cells run side by side (mostly waiting on the wire: the whole "
                        "matrix takes about 25 min with 1, 10 min with 3)")
    args = parser.parse_args()

    if not os.access(args.esptool, os.X_OK):
        # one skipped case, so that a summary counts it as skipped
        print("1..1")
        print(f"ok 1 # SKIP esptool not found at {args.esptool}")
        return 0
    if args.chips == "all":
        chips = list(CHIPS)
    elif args.chips == "quick":
        chips = QUICK_CHIPS
    else:
        chips = args.chips.split(",")
    loaders = [l == "stub" for l in args.loaders.split(",")]
    transports = args.transports.split(",")

    matrix = Matrix(args)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="glint-conformance-") as workdir:
        cells = [Cell(args, chip, stub, transport, workdir)
                 for chip in chips for stub in loaders for transport in transports]
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            for done in pool.map(matrix.run_cell, cells):
                pass
    print(f"1..{matrix.n}")
    print(f"# {matrix.n - matrix.failed} of {matrix.n} cells as expected "
          f"in {time.monotonic() - started:.0f} s")
    if args.table:
        write_table(matrix, args.table)
    return 1 if matrix.failed else 0


def write_table(matrix, path):
    ops = []
    for rows in matrix.table.values():
        for op, _, _ in rows:
            if op not in ops:
                ops.append(op)
    with open(path, "w") as f:
        f.write("| chip | loader | transport | " + " | ".join(ops) + " |\n")
        f.write("|---|---|---|" + "---|" * len(ops) + "\n")
        for (chip, stub, transport), rows in matrix.table.items():
            cells = {op: (res, exp) for op, res, exp in rows}
            line = [chip, "stub" if stub else "ROM", transport]
            for op in ops:
                if op not in cells:
                    line.append("–")
                else:
                    res, exp = cells[op]
                    line.append(res if exp.startswith("success") else f"{res} (refused)")
            f.write("| " + " | ".join(line) + " |\n")


if __name__ == "__main__":
    sys.exit(main())
