// RFC 2217 (telnet COM-PORT-OPTION) flavour of TcpSerialPort: DTR/RTS and
// the baud rate travel as telnet subnegotiations, data bytes 0xFF are doubled.

import { TcpSerialPort } from "./tcp-serial-port.mjs";

const IAC = 0xff, SB = 0xfa, SE = 0xf0, WILL = 0xfb, WONT = 0xfc, DO = 0xfd, DONT = 0xfe;
const BINARY = 0x00, SGA = 0x03, COM_PORT = 0x2c;
const SET_BAUDRATE = 1, SET_CONTROL = 5;
const DTR_ON = 8, DTR_OFF = 9, RTS_ON = 11, RTS_OFF = 12;
const WANTED = new Set([BINARY, SGA, COM_PORT]);

export class Rfc2217SerialPort extends TcpSerialPort {
  constructor(host, port, wireLog = null) {
    super(host, port, wireLog);
    this.state = "data"; // data | iac | opt | sb | sb_iac
    this.sb = [];
    this.acks = [];
  }

  sendRaw(bytes) {
    if (this.socket) this.socket.write(Uint8Array.from(bytes));
  }

  sendComPort(cmd, value) {
    const esc = [];
    for (const b of value) {
      esc.push(b);
      if (b === IAC) esc.push(IAC);
    }
    this.sendRaw([IAC, SB, COM_PORT, cmd, ...esc, IAC, SE]);
  }

  onOpen(_socket) {
    this.state = "data";
    this.sendRaw([IAC, WILL, BINARY, IAC, DO, BINARY, IAC, WILL, COM_PORT, IAC, DO, SGA]);
    const b = this.baudRate || 115200;
    this.sendComPort(SET_BAUDRATE, [(b >>> 24) & 0xff, (b >>> 16) & 0xff, (b >>> 8) & 0xff, b & 0xff]);
  }

  // Strip telnet commands; answer option negotiation.
  decode(bytes) {
    const out = [];
    for (const c of bytes) {
      switch (this.state) {
        case "data":
          if (c === IAC) this.state = "iac";
          else out.push(c);
          break;
        case "iac":
          if (c === IAC) {
            out.push(IAC);
            this.state = "data";
          } else if (c === SB) {
            this.sb = [];
            this.state = "sb";
          } else if (c === WILL || c === WONT || c === DO || c === DONT) {
            this.verb = c;
            this.state = "opt";
          } else {
            this.state = "data";
          }
          break;
        case "opt":
          // Accept what we asked for, refuse the rest (answer only requests).
          if (this.verb === DO) this.sendRaw([IAC, WANTED.has(c) ? WILL : WONT, c]);
          else if (this.verb === WILL && !WANTED.has(c)) this.sendRaw([IAC, DONT, c]);
          this.log(`-- telnet ${{ [WILL]: "WILL", [WONT]: "WONT", [DO]: "DO", [DONT]: "DONT" }[this.verb]} ${c}`, new Uint8Array(0));
          this.state = "data";
          break;
        case "sb":
          if (c === IAC) this.state = "sb_iac";
          else this.sb.push(c);
          break;
        case "sb_iac":
          if (c === SE) {
            this.acks.push(this.sb);
            this.log(`-- telnet SB ${this.sb.join(" ")}`, new Uint8Array(0));
            this.state = "data";
          } else {
            this.sb.push(c); // IAC IAC inside SB
            this.state = "sb";
          }
          break;
      }
    }
    return Uint8Array.from(out);
  }

  encode(bytes) {
    const out = [];
    for (const b of bytes) {
      out.push(b);
      if (b === IAC) out.push(IAC);
    }
    return Uint8Array.from(out);
  }

  async setBaudRate(baud) {
    await super.setBaudRate(baud);
    this.sendComPort(SET_BAUDRATE, [(baud >>> 24) & 0xff, (baud >>> 16) & 0xff, (baud >>> 8) & 0xff, baud & 0xff]);
  }

  async setSignals(signals) {
    await super.setSignals(signals);
    // Web Serial sets both lines at once; RFC 2217 needs one message each.
    // DTR first, like two consecutive pyserial calls.
    if (signals.dataTerminalReady !== undefined) {
      this.sendComPort(SET_CONTROL, [signals.dataTerminalReady ? DTR_ON : DTR_OFF]);
    }
    if (signals.requestToSend !== undefined) {
      this.sendComPort(SET_CONTROL, [signals.requestToSend ? RTS_ON : RTS_OFF]);
    }
  }
}
