// A tiny Web Serial "SerialPort"-like object over a raw TCP socket, enough
// for esptool-js's Transport class (open/close, readable/writable WHATWG
// streams, setSignals, getInfo).  Optionally logs every byte on the wire.

import net from "node:net";

function hex(buf) {
  return Array.from(buf, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

export class TcpSerialPort {
  /**
   * @param {string} host
   * @param {number} port
   * @param {(line: string) => void} [wireLog] called with one line per chunk
   */
  constructor(host, port, wireLog = null) {
    this.host = host;
    this.port = port;
    this.wireLog = wireLog;
    this.readable = null;
    this.writable = null;
    this.socket = null;
    this.signals = [];
    this.t0 = Date.now();
  }

  log(dir, bytes) {
    if (this.wireLog) {
      const t = ((Date.now() - this.t0) / 1000).toFixed(3);
      this.wireLog(`${t} ${dir} ${bytes.length}: ${hex(bytes)}`);
    }
  }

  getInfo() {
    // No USB ids: esptool-js then uses the classic (non USB-JTAG) paths.
    return {};
  }

  async open(options = {}) {
    if (this.socket) throw new Error("port already open");
    this.baudRate = options.baudRate;
    const socket = await new Promise((resolve, reject) => {
      const s = net.connect({ host: this.host, port: this.port }, () => resolve(s));
      s.once("error", reject);
    });
    socket.setNoDelay(true);
    this.socket = socket;
    this.onOpen(socket);

    let closed = false;
    this.readable = new ReadableStream({
      start: (controller) => {
        socket.on("data", (chunk) => {
          if (closed) return;
          const bytes = this.decode(new Uint8Array(chunk));
          if (bytes.length === 0) return;
          this.log("<<", bytes);
          controller.enqueue(bytes);
        });
        socket.on("end", () => {
          if (!closed) {
            closed = true;
            this.log("<< EOF", new Uint8Array(0));
            controller.close();
          }
        });
        socket.on("error", (err) => {
          if (!closed) {
            closed = true;
            controller.error(err);
          }
        });
      },
      cancel: () => {
        closed = true;
      },
    });
    this.writable = new WritableStream({
      write: (chunk) =>
        new Promise((resolve, reject) => {
          const bytes = new Uint8Array(chunk);
          this.log(">>", bytes);
          socket.write(this.encode(bytes), (err) => (err ? reject(err) : resolve()));
        }),
    });
  }

  // Hooks for protocols layered on the socket (RFC 2217): the raw byte
  // stream is serial data as is.
  onOpen(_socket) {}
  decode(bytes) {
    return bytes;
  }
  encode(bytes) {
    return bytes;
  }

  // In-place baud change (esptool-js Transport.changeBaudrate prefers this to
  // a close/reopen).  Raw TCP has no baud rate; just remember it.
  async setBaudRate(baud) {
    this.log(`-- setBaudRate ${baud}`, new Uint8Array(0));
    this.baudRate = baud;
  }

  async setSignals(signals) {
    // Raw TCP cannot carry DTR/RTS; record them so the caller can report.
    this.signals.push(signals);
    this.log(`-- setSignals ${JSON.stringify(signals)}`, new Uint8Array(0));
  }

  async close() {
    const s = this.socket;
    this.socket = null;
    this.readable = null;
    this.writable = null;
    if (s) {
      await new Promise((resolve) => {
        s.once("close", resolve);
        s.end();
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 200);
      });
    }
  }
}
