#!/usr/bin/env node
// Check that esptool-js (Espressif's JavaScript flasher) can talk to
// glint-sim-server over raw TCP.
//
//   node tools/esptool-js-check/check.mjs --server _build/src/glint-sim-server \
//        [--chip esp32] [--option KEY=VALUE]... [--wire-log FILE] [--trace] [--debug]
//
// Levels (stop at the first failure):
//   1 connect  - SYNC (no DTR/RTS reset; with --rfc2217 esptool-js's
//                ClassicReset) and chip detection
//   2 mac      - read the MAC from eFuse registers
//   3 stub     - upload esptool-js's bundled stub, expect "OHAI"
//   4 flash    - flash id, write 4 KiB (compressed), MD5 verify
//   5 baud     - CHANGE_BAUDRATE to 460800 via the stub, then a register read
//
// With --no-stub level 3 is skipped and levels 4-5 talk to the (simulated) ROM
// loader directly (no read_flash, which only the stub has).

import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { createRequire } from "node:module";
import { ESPLoader, Transport } from "esptool-js";
import { TcpSerialPort } from "./tcp-serial-port.mjs";
import { Rfc2217SerialPort } from "./rfc2217-serial-port.mjs";

const require = createRequire(import.meta.url);
const ESPTOOL_JS_VERSION = require("esptool-js/package.json").version;

function usage(msg) {
  if (msg) console.error(`check.mjs: ${msg}`);
  console.error(
    "usage: node check.mjs --server PATH [--chip NAME] [--option K=V]... " +
      "[--wire-log FILE] [--trace] [--debug] [--no-stub] [--no-compress] [--rfc2217] [--timeout-s N]",
  );
  process.exit(2);
}

function parseArgs(argv) {
  const a = { chip: "esp32", options: [], trace: false, debug: false, noStub: false, compress: true, rfc2217: false, timeoutS: 60 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === "--server") a.server = next();
    else if (arg === "--chip") a.chip = next();
    else if (arg === "--option") a.options.push(next());
    else if (arg === "--wire-log") a.wireLog = next();
    else if (arg === "--trace") a.trace = true;
    else if (arg === "--debug") a.debug = true;
    else if (arg === "--no-stub") a.noStub = true;
    else if (arg === "--no-compress") a.compress = false;
    else if (arg === "--rfc2217") a.rfc2217 = true;
    else if (arg === "--timeout-s") a.timeoutS = Number(next());
    else if (arg === "-h" || arg === "--help") usage();
    else usage(`unknown argument ${arg}`);
  }
  if (!a.server) usage("--server is required");
  // The ESP8266 ROM has no FLASH_DEFL_* commands (protocol.md 5.4).
  if (a.noStub && a.chip === "esp8266") a.compress = false;
  return a;
}

// Start glint-sim-server on an ephemeral TCP port; resolve with {child, host, port}.
function startServer(args) {
  const argv = [args.rfc2217 ? "--rfc2217" : "--tcp", "0", "--chip", args.chip];
  for (const o of args.options) argv.push("--option", o);
  return new Promise((resolve, reject) => {
    const child = spawn(args.server, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let announced = false;
    const timer = setTimeout(() => {
      if (!announced) {
        child.kill("SIGTERM");
        reject(new Error(`server did not announce a port; output: ${out}`));
      }
    }, 10000);
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/^(?:TCP|RFC2217) (\S+) (\d+)$/m);
      if (m && !announced) {
        announced = true;
        clearTimeout(timer);
        resolve({ child, host: m[1], port: Number(m[2]) });
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d) => process.stderr.write(`[server] ${d}`));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("exit", (code, sig) => {
      if (!announced) {
        clearTimeout(timer);
        reject(new Error(`server exited (${code ?? sig}) before announcing; output: ${out}`));
      }
    });
  });
}

function stopServer(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => {
      child.kill("SIGKILL");
    }, 3000);
    child.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

const md5hex = (data) => createHash("md5").update(data).digest("hex");

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const results = [];
  const record = (level, name, ok, detail) => {
    results.push({ level, name, ok, detail });
    console.log(`== level ${level} ${name}: ${ok === null ? "SKIP" : ok ? "PASS" : "FAIL"} ${detail}`);
  };

  console.log(`esptool-js ${ESPTOOL_JS_VERSION}, node ${process.version}, chip ${args.chip}`);
  const wireStream = args.wireLog ? createWriteStream(args.wireLog) : null;
  const server = await startServer(args);
  console.log(`server pid ${server.child.pid} on ${server.host}:${server.port}`);

  const PortClass = args.rfc2217 ? Rfc2217SerialPort : TcpSerialPort;
  const port = new PortClass(server.host, server.port, wireStream ? (l) => wireStream.write(l + "\n") : null);
  const transport = new Transport(port, args.trace);
  const terminal = {
    clean() {},
    writeLine: (s) => console.log(`  | ${s}`),
    write: (s) => process.stdout.write(s.replace(/\r?\n\r?/g, "") ? `  | ${s}\n` : ""),
  };
  const loader = new ESPLoader({
    transport,
    baudrate: 115200,
    romBaudrate: 115200,
    terminal,
    debugLogging: args.debug,
  });

  const watchdog = setTimeout(() => {
    console.log(`== watchdog: no completion after ${args.timeoutS} s`);
    finish(3);
  }, args.timeoutS * 1000);

  let finished = false;
  async function finish(code) {
    if (finished) return;
    finished = true;
    clearTimeout(watchdog);
    try {
      await Promise.race([transport.disconnect(), new Promise((r) => setTimeout(r, 2000))]);
    } catch (e) {
      console.log(`(disconnect: ${e})`);
    }
    await stopServer(server.child);
    if (wireStream) await new Promise((r) => wireStream.end(r));
    console.log(`\nSummary (esptool-js ${ESPTOOL_JS_VERSION}, chip ${args.chip}):`);
    for (const r of results) {
      console.log(`  level ${r.level} ${r.name.padEnd(8)} ${r.ok === null ? "SKIP" : r.ok ? "PASS" : "FAIL"}  ${r.detail}`);
    }
    const failed = code !== 0 || results.some((r) => r.ok === false);
    console.log(failed ? "RESULT: FAIL" : "RESULT: PASS");
    process.exit(failed ? 1 : 0);
  }

  const levels = [
    [
      "connect",
      async () => {
        // Raw TCP carries no DTR/RTS and the simulator starts in download
        // mode there ("no_reset"); over RFC 2217 esptool-js's own
        // ClassicReset must put the chip into download mode.
        await loader.detectChip(args.rfc2217 ? "default_reset" : "no_reset");
        const desc = await loader.chip.getChipDescription(loader);
        return `chip ${loader.chip.CHIP_NAME} (${desc}), syncStubDetected=${loader.syncStubDetected}, ` +
          `signals sent: ${port.signals.length}`;
      },
    ],
    [
      "mac",
      async () => {
        const mac = await loader.chip.readMac(loader);
        if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac)) throw new Error(`malformed MAC ${mac}`);
        return `MAC ${mac}`;
      },
    ],
    [
      "stub",
      async () => {
        if (args.noStub) return null;
        await loader.runStub();
        if (!loader.IS_STUB) throw new Error("runStub returned without a stub (IS_STUB false)");
        return "stub running (OHAI received)";
      },
    ],
    [
      "flash",
      async () => {
        const id = await loader.readFlashId();
        const size = loader.DETECTED_FLASH_SIZES[(id >> 16) & 0xff];
        const data = new Uint8Array(randomBytes(4096));
        const address = 0x10000;
        await loader.writeFlash({
          fileArray: [{ data, address }],
          flashMode: "keep",
          flashFreq: "keep",
          flashSize: "keep",
          eraseAll: false,
          compress: args.compress,
          // esptool-js compares this with flashMd5sum(), which is only right
          // for the stub's 16 raw bytes; see the ROM handling below.
          calculateMD5Hash: loader.IS_STUB ? (img) => md5hex(img) : undefined,
        });
        let md5 = await loader.flashMd5sum(address, data.length);
        let md5note = "";
        if (!loader.IS_STUB && /^([0-9a-f]{2}){32}$/.test(md5)) {
          // ROM SPI_FLASH_MD5 answers 32 ASCII hex digits; esptool-js 0.7.0
          // hex-encodes them again (64 chars).  Decode to compare.
          md5 = Buffer.from(md5, "hex").toString("latin1");
          md5note = " (ROM answer is ASCII hex; esptool-js returned it hex-encoded twice)";
        }
        if (md5 !== md5hex(data)) throw new Error(`MD5 mismatch: flash ${md5} vs file ${md5hex(data)}${md5note}`);
        let readBack = "read_flash skipped (ROM)";
        if (loader.IS_STUB) {
          const back = await loader.readFlash(address, data.length);
          if (Buffer.compare(Buffer.from(back), Buffer.from(data)) !== 0) throw new Error("read back differs");
          readBack = "read_flash matches";
        }
        return `flash id 0x${id.toString(16)} (${size}), wrote 4096 B at 0x${address.toString(16)} ` +
          `via ${loader.IS_STUB ? "stub" : "ROM"} (${args.compress ? "compressed" : "uncompressed"}), ` +
          `md5 ${md5} verified${md5note}, ${readBack}`;
      },
    ],
    [
      "baud",
      async () => {
        loader.baudrate = 460800;
        await loader.changeBaud();
        if (loader.baudrate !== 460800 || loader.IS_STUB === args.noStub) throw new Error("fell back to ROM baud / reconnected");
        const magic = (await loader.readReg(loader.CHIP_DETECT_MAGIC_REG_ADDR)) >>> 0;
        return `CHANGE_BAUDRATE 460800 accepted, READ_REG 0x40001000 = 0x${magic.toString(16)}`;
      },
    ],
  ];

  for (let i = 0; i < levels.length; i++) {
    const [name, fn] = levels[i];
    const t = Date.now();
    try {
      const detail = await fn();
      if (detail === null) record(i + 1, name, null, "skipped (--no-stub)");
      else record(i + 1, name, true, `${detail} [${Date.now() - t} ms]`);
    } catch (e) {
      record(i + 1, name, false, `${e && e.constructor ? e.constructor.name : "Error"}: ${e && e.message ? e.message : e} [${Date.now() - t} ms]`);
      for (let j = i + 1; j < levels.length; j++) record(j + 1, levels[j][0], null, "not run");
      break;
    }
  }
  await finish(0);
}

main().catch((e) => {
  console.error(`check.mjs: ${e && e.stack ? e.stack : e}`);
  process.exit(2);
});
