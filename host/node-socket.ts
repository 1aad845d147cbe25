/**
 * The host edge: Moddable's Socket and SecureSocket semantics over `node:net` and `node:tls`, so
 * the connection engine runs on a PC exactly as it drives the device.
 *
 * TCP (`connect`) follows the ESP32 build (modules/network/socket/lwip):
 * - message 1 once connected; no message 3 follows it (lwip reports 3 only after a write).
 * - Received bytes are kept in segments of at most `segmentSize` (one pbuf each). Message 2
 *   reports the bytes left in the current segment; the next one is reported only once it has
 *   been read to the end, which may happen later, outside the callback. `read()` gives that count,
 *   `read(ArrayBuffer[, n])` takes from the current segment, and throws "nothing to read" when it
 *   is empty. Reading is paused while more than `receiveWindow` bytes wait (TCP_WND).
 * - Write space is a send buffer of `sendBuffer` bytes (TCP_SND_BUF): `write(bytes)` beyond it
 *   throws "can't write all data"; message 3 (value: the space) comes once everything written has
 *   left (lwip: once all of it is acknowledged).
 * - -1 when the peer closed, after every byte it sent has been read; -2 on an error (reset,
 *   refused). After either, writes are dropped and `write()` is 0.
 *
 * TLS (`startTls`) follows modules/crypt/securesocket:
 * - message 1 when the handshake is done; plaintext arrives in messages 2 of at most 1024 bytes
 *   which must be read inside the callback: SecureSocket drops whatever is left when the callback
 *   returns (counted in `stats.droppedBytes` and logged) and throws on `read` outside it.
 * - `write()` is always 1024 and `write(bytes)` throws "can't write all data" beyond it; message 3
 *   comes when the TCP send buffer has emptied, with its space minus 128 bytes of TLS overhead.
 *   Writing before message 1 throws here (SecureSocket would encrypt with no keys yet).
 * - A close_notify from the server is noted, not reported: -1 comes when the server closes TCP.
 * - On -1 or -2 the socket closes itself. `lastError` holds the text SecureSocket would have
 *   thrown (device-tls.ts maps Node's errors to it). An exception thrown by the callback itself
 *   is caught, as SecureSocket catches it: -2 follows, with `lastError` = String(exception).
 *
 * Every callback is delivered from its own macrotask (never from inside `read`, `write` or
 * `close`), one at a time; after `close()` nothing is delivered. `close()` may be called any
 * number of times. (SecureSocket itself is less strict: a `close()` made inside message 3, or
 * inside a message 1 that a writable event completed, is followed by one call with message
 * `true`. The engine must ignore callbacks after close; this edge does not reproduce that call.)
 * An exception thrown by a TCP callback is not caught here: it surfaces as an uncaught exception.
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { Duplex } from "node:stream";
import type { LogSink, SecureDictionary, SocketFactory, SocketMessage, StreamSocket, TimerHost } from "../modules/client/io";
import {
  alertText, checkSecureDictionary, deviceChainError, deviceLeafDateError, deviceOutcome, DeviceTlsSwitches, HOST_TLS_LIMITS,
  nodeTlsOptions, SecureKeys, type CertInput,
} from "./device-tls";
import { RecordReader } from "./tls-records";

/** lwIP defaults in ESP-IDF (CONFIG_LWIP_TCP_SND_BUF_DEFAULT, CONFIG_LWIP_TCP_MSS, TCP_WND). */
export const ESP32_TCP = { sendBuffer: 5744, segmentSize: 1436, receiveWindow: 5744 } as const;
/** securesocket.js / modsecuresocket.c: plaintext per message 2, write space, TLS overhead estimate. */
export const SECURE_SOCKET = { chunk: 1024, writeSpace: 1024, overhead: 128 } as const;

export interface NodeSocketOptions {
  /** Configure TLS like SecureSocket (default true); false: Node's TLS defaults. */
  deviceProfile?: boolean;
  /** Manifest `config.tls` switches (both default true). */
  tlsSwitches?: DeviceTlsSwitches;
  /** The firmware's CA resources (the SDK's ca*.der store), DER or PEM. */
  builtinCertificates?: CertInput[];
  /** TCP send buffer (default ESP32_TCP.sendBuffer). */
  sendBuffer?: number;
  /** Largest segment reported by one message 2 on TCP (default ESP32_TCP.segmentSize). */
  segmentSize?: number;
  /** Bytes buffered before reading from the network pauses (default ESP32_TCP.receiveWindow). */
  receiveWindow?: number;
  /** Where warnings and `trace: true` handshake summaries go (default: nowhere). */
  log?: LogSink;
}

/** What a socket observed, for tests and diagnostics. */
export interface SocketStats {
  bytesRead: number;
  bytesWritten: number;
  /** TLS: plaintext dropped because it was not read inside its message 2. */
  droppedBytes: number;
  /** TLS: largest record the server sent (payload bytes, header excluded). */
  maxRecordLength: number;
  /** TLS: records the server sent. */
  records: number;
  /** TLS: certificates in the server's Certificate message, as sent (undefined: none seen). */
  serverChainLength?: number;
  /** TLS: negotiated version and suite (OpenSSL names), session resumed. */
  protocol?: string;
  cipher?: string;
  resumed?: boolean;
  /** The Node error behind the last -2 (or behind a device-style disconnect), for logs. */
  hostError?: string;
}

type Event = { message: SocketMessage; value?: number };

/** "CODE: message" on one line (OpenSSL's messages end with a newline). */
function describeError(err: NodeJS.ErrnoException): string {
  return `${err.code ?? err.name}: ${err.message.trim()}`;
}

/** Delivery of callbacks from their own macrotasks, one at a time, never after close. */
abstract class Deliverer {
  callback: StreamSocket["callback"] = null;
  readonly stats: SocketStats = { bytesRead: 0, bytesWritten: 0, droppedBytes: 0, maxRecordLength: 0, records: 0 };
  protected closed = false;
  protected readonly events: Event[] = [];
  private scheduled = false;

  /** Closed by the app, or its connection is gone (adopted TCP sockets count as finished). */
  abstract get finished(): boolean;

  protected post(message: SocketMessage, value?: number): void {
    if (this.closed) return;
    this.events.push(value === undefined ? { message } : { message, value });
    this.schedule();
  }

  protected schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.closed) return;
      const event = this.events.shift() ?? this.nextEvent();
      if (!event) return;
      this.deliver(event);
      if (this.events.length || this.hasMore()) this.schedule();
    });
  }

  /** Called by the subclass to hand one event to the callback. */
  protected deliver(event: Event): void {
    const cb = this.callback;
    if (cb) cb(event.message, event.value);
  }

  /** The next event derived from the socket's state (data, end), if any. */
  protected abstract nextEvent(): Event | undefined;
  protected abstract hasMore(): boolean;
}

/** A TCP StreamSocket with lwIP's behaviour (see the module comment). */
export class NodeTcpSocket extends Deliverer implements StreamSocket {
  readonly lastError: string | undefined = undefined;
  /** Set when `startTls` took the connection over. */
  adopted = false;
  private readonly segments: Uint8Array[] = [];
  private buffered = 0;
  private current: Uint8Array | null = null;
  private position = 0;
  private peerEnded = false;
  private failed = false;
  private endReported = false;
  private space: number;
  private outstanding = 0;

  constructor(readonly raw: net.Socket, private readonly options: Required<Pick<NodeSocketOptions, "sendBuffer" | "segmentSize" | "receiveWindow">>) {
    super();
    this.space = options.sendBuffer;
    raw.on("connect", () => this.post(1));
    raw.on("data", (chunk: Buffer) => this.received(chunk));
    raw.on("end", () => {
      this.peerEnded = true;
      this.schedule();
    });
    raw.on("error", (err) => this.fail(err));
    raw.on("close", () => {
      this.peerEnded = true;
      this.schedule();
    });
  }

  private received(chunk: Buffer): void {
    if (this.adopted) return;
    const size = this.options.segmentSize;
    for (let at = 0; at < chunk.length; at += size) {
      this.segments.push(new Uint8Array(chunk.subarray(at, Math.min(at + size, chunk.length))));
    }
    this.buffered += chunk.length;
    if (this.buffered > this.options.receiveWindow) this.raw.pause();
    this.schedule();
  }

  private fail(err: Error): void {
    if (this.failed || this.adopted) return;
    this.failed = true;
    this.stats.hostError = describeError(err);
    this.segments.length = 0;
    this.post(-2);
  }

  protected nextEvent(): Event | undefined {
    if (this.adopted || this.failed) return undefined;
    if (this.current === null && this.segments.length) {
      this.current = this.segments.shift()!;
      this.position = 0;
      return { message: 2, value: this.current.length };
    }
    if (this.current === null && this.peerEnded && !this.endReported) {
      this.endReported = true;
      return { message: -1 };
    }
    return undefined;
  }

  protected hasMore(): boolean {
    return !this.adopted && !this.failed && this.current === null && (this.segments.length > 0 || (this.peerEnded && !this.endReported));
  }

  get finished(): boolean {
    return this.closed || this.adopted || this.raw.destroyed;
  }

  read(type: ArrayBufferConstructor, count?: number): ArrayBuffer;
  read(): number;
  read(type?: ArrayBufferConstructor, count?: number): ArrayBuffer | number {
    if (this.closed) throw new Error("read on closed socket");
    const left = this.current ? this.current.length - this.position : 0;
    if (type === undefined) return left;
    if (!this.current || left === 0) throw new Error("nothing to read");
    const n = count === undefined ? left : Math.max(0, Math.min(count, left));
    const out = this.current.slice(this.position, this.position + n);
    this.position += n;
    this.stats.bytesRead += n;
    if (this.position >= this.current.length) {
      this.buffered -= this.current.length;
      this.current = null;
      if (this.buffered <= this.options.receiveWindow && this.raw.isPaused()) this.raw.resume();
      this.schedule();
    }
    return out.buffer;
  }

  write(data: ArrayBuffer | Uint8Array): void;
  write(): number;
  write(data?: ArrayBuffer | Uint8Array): number | void {
    if (this.closed) throw new Error("write on closed socket");
    const gone = this.failed || this.peerEnded || this.raw.destroyed;
    if (data === undefined) return gone ? 0 : this.space;
    if (gone) return; // lwip traces "write on closed socket" and drops the bytes
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    if (bytes.length > this.space) throw new Error("can't write all data");
    this.space -= bytes.length;
    this.outstanding += bytes.length;
    this.stats.bytesWritten += bytes.length;
    this.raw.write(Buffer.from(bytes), (err) => {
      this.outstanding -= bytes.length;
      if (!err && this.outstanding === 0) {
        this.space = this.options.sendBuffer;
        this.post(3, this.space);
      }
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.events.length = 0;
    this.raw.destroy();
  }

  /** `startTls` takes the connection: this object stops reporting; buffered bytes go to TLS. */
  adopt(): { raw: net.Socket; unread: Uint8Array[] } {
    this.adopted = true;
    this.events.length = 0;
    const unread = this.current ? [this.current.subarray(this.position), ...this.segments] : [...this.segments];
    this.segments.length = 0;
    this.current = null;
    this.raw.removeAllListeners("data");
    this.raw.removeAllListeners("end");
    this.raw.removeAllListeners("close");
    this.raw.removeAllListeners("error");
    this.raw.removeAllListeners("connect");
    if (this.raw.isPaused()) this.raw.resume();
    return { raw: this.raw, unread };
  }
}

/** The single-entry session cache of ssl/cache: one host name, one session. */
interface SessionCache {
  host?: string;
  session?: Buffer;
}

/** A SecureSocket StreamSocket over Node's TLS (see the module comment). */
export class NodeTlsSocket extends Deliverer implements StreamSocket {
  lastError: string | undefined = undefined;
  readonly tls: tls.TLSSocket;
  private readonly raw: net.Socket;
  private readonly reader: RecordReader;
  /** The certificates the server sent, as read off the wire. */
  private serverChain: Uint8Array[] | undefined;
  private readonly incoming: Uint8Array[] = [];
  private chunk: Uint8Array | null = null;
  private position = 0;
  private inReadable = false;
  private handshaken = false;
  private ended = false;
  private stopped = false;
  private rawEnded = false;
  private tlsEnded = false;
  private rawFailed = false;
  private outstanding = 0;
  private warnedDrop = false;

  constructor(tcp: NodeTcpSocket, private readonly host: string, secure: SecureKeys,
    private readonly ctx: {
      options: Required<Pick<NodeSocketOptions, "sendBuffer">> & NodeSocketOptions;
      cache: SessionCache;
      trusted: CertInput[];
      /** Warnings already logged by this factory. */
      warned: Set<string>;
    }) {
    super();
    const { raw, unread } = tcp.adopt();
    this.raw = raw;
    const deviceProfile = ctx.options.deviceProfile ?? true;
    const verify = secure.verify ?? true;
    const name = secure.serverName ?? host;
    const useCache = secure.cache ?? true;
    this.reader = new RecordReader({
      alert: (level, description) => {
        // SecureSocket aborts on any received alert but close_notify, warnings included.
        if (deviceProfile && description !== 0 && !this.handshaken) this.failWith(alertText(level, description), `alert ${level}, ${description} received`);
      },
      certificates: (chain) => {
        this.stats.serverChainLength = chain.length;
        this.serverChain = chain;
        if (!deviceProfile || !verify) return;
        const text = deviceChainError(chain);
        if (text) this.failWith(text, `device rule: server sent ${chain.length} certificate(s)`);
      },
    });
    if (secure.tls_max_fragment_length !== undefined && !ctx.warned.has("maxFragmentLength")) {
      ctx.warned.add("maxFragmentLength");
      this.warn(`tls_max_fragment_length ${secure.tls_max_fragment_length} is not sent: ${HOST_TLS_LIMITS.maxFragmentLength}`);
    }

    const bridge = new Duplex({
      read: () => {
        if (raw.isPaused()) raw.resume();
      },
      write: (chunk: Buffer, _encoding, done) => {
        if (raw.destroyed) return done();
        raw.write(chunk, () => done());
      },
      final: (done) => {
        raw.end();
        done();
      },
      destroy: (err, done) => {
        raw.destroy();
        done(err);
      },
    });
    const fromNetwork = (data: Buffer) => {
      if (this.stopped) return;
      this.reader.push(data);
      this.stats.maxRecordLength = this.reader.maxRecordLength;
      this.stats.records = this.reader.records;
      if (this.stopped) return; // a device rule failed on these bytes: TLS never sees them
      if (deviceProfile && this.reader.malformed && !this.handshaken) {
        // Not TLS (e.g. a plain HTTP server): the device takes the first bytes for a record header
        // announcing some 20 KB and waits for them; only the server's close (-1) ends the wait.
        if (!this.stats.hostError) this.stats.hostError = "the server does not speak TLS (its first bytes are not a TLS record)";
        return;
      }
      if (!bridge.push(data)) raw.pause();
    };
    for (const bytes of unread) fromNetwork(Buffer.from(bytes));
    raw.on("data", fromNetwork);
    raw.on("end", () => {
      this.rawEnded = true;
      if (deviceProfile && this.reader.malformed && !this.handshaken) return this.peerGone();
      bridge.push(null);
      if (this.tlsEnded) this.peerGone(); // after close_notify every byte has been decrypted
    });
    raw.on("error", (err) => {
      this.rawFailed = true;
      bridge.destroy(err);
    });
    raw.on("close", () => bridge.destroy());

    const session = useCache && ctx.cache.host === name ? ctx.cache.session : undefined;
    this.tls = tls.connect({
      ...nodeTlsOptions({ host, secure, deviceProfile, switches: ctx.options.tlsSwitches ?? {}, trusted: ctx.trusted, session }),
      socket: bridge,
    });
    this.tls.on("session", (s: Buffer) => {
      if (useCache) {
        ctx.cache.host = name;
        ctx.cache.session = s;
      }
    });
    this.tls.on("secureConnect", () => {
      if (this.stopped) return;
      this.handshaken = true;
      const cipher = this.tls.getCipher();
      this.stats.protocol = this.tls.getProtocol() ?? undefined;
      this.stats.cipher = cipher?.name;
      this.stats.resumed = this.tls.isSessionReused();
      if (secure.trace) this.trace();
      this.post(1);
    });
    this.tls.on("data", (data: Buffer) => {
      if (this.stopped) return;
      this.incoming.push(new Uint8Array(data));
      this.schedule();
    });
    // close_notify ends Node's readable side, but SecureSocket only notes the alert: -1 waits for
    // the server to close TCP (a server that keeps it open gets no -1 at all).
    this.tls.on("end", () => {
      this.tlsEnded = true;
      if (this.rawEnded) this.peerGone();
    });
    this.tls.on("close", () => this.peerGone());
    this.tls.on("error", (err: NodeJS.ErrnoException) => this.tlsError(err, deviceProfile));
  }

  get finished(): boolean {
    return this.closed || this.raw.destroyed;
  }

  private peerGone(): void {
    if (this.ended || this.stopped) return;
    this.ended = true;
    this.schedule();
  }

  private tlsError(err: NodeJS.ErrnoException, deviceProfile: boolean): void {
    if (this.stopped) return;
    const hostError = describeError(err);
    const outcome = deviceOutcome(err);
    const leafDate = deviceProfile ? deviceLeafDateError(err.code, this.serverChain) : undefined;
    const text = leafDate ?? outcome?.text;
    if (text === undefined && this.rawEnded && !this.rawFailed) {
      // The server hung up (FIN) mid-handshake or without close_notify: SecureSocket passes -1 on.
      this.stats.hostError = hostError;
      this.peerGone();
      return;
    }
    this.failWith(text, hostError);
  }

  /** Ends the connection with -2 and `lastError` (undefined when the device text is unknown). */
  private failWith(text: string | undefined, hostError: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.lastError = text;
    this.stats.hostError = hostError;
    this.incoming.length = 0;
    this.chunk = null;
    this.tls.destroy();
    this.raw.destroy();
    this.post(-2);
  }

  protected nextEvent(): Event | undefined {
    if (this.stopped || this.inReadable) return undefined;
    const next = this.incoming[0];
    if (next) {
      const n = Math.min(next.length, SECURE_SOCKET.chunk);
      this.chunk = next.subarray(0, n);
      if (n === next.length) this.incoming.shift();
      else this.incoming[0] = next.subarray(n);
      this.position = 0;
      return { message: 2, value: n };
    }
    if (this.ended) {
      this.stopped = true;
      return { message: -1 };
    }
    return undefined;
  }

  protected hasMore(): boolean {
    return !this.stopped && (this.incoming.length > 0 || this.ended);
  }

  protected override deliver(event: Event): void {
    if (event.message < 0) {
      super.deliver(event);
      this.close();
      return;
    }
    this.inReadable = event.message === 2;
    try {
      super.deliver(event);
    } catch (e) {
      // SecureSocket calls the app inside its try/catch: an exception thrown by the callback
      // ends the connection with -2, and the device edge records its text.
      this.failWith(String(e), `exception in the callback of message ${event.message}: ${String(e)}`);
    } finally {
      this.inReadable = false;
      const left = this.chunk ? this.chunk.length - this.position : 0;
      this.chunk = null;
      if (left > 0 && event.message === 2 && !this.stopped) {
        this.stats.droppedBytes += left;
        if (!this.warnedDrop) {
          this.warnedDrop = true;
          this.warn(`${left} byte(s) not read inside message 2 were dropped, as SecureSocket drops them`);
        }
      }
    }
  }

  read(type: ArrayBufferConstructor, count?: number): ArrayBuffer;
  read(): number;
  read(type?: ArrayBufferConstructor, count?: number): ArrayBuffer | number {
    if (!this.inReadable || !this.chunk) {
      // SecureSocket keeps the plaintext in `this.data` only while message 2 is delivered.
      throw new TypeError("SecureSocket read outside message 2: no data to read");
    }
    const left = this.chunk.length - this.position;
    if (type === undefined) return left;
    if (left === 0) return undefined as unknown as ArrayBuffer; // modsecuresocket.c leaves the result undefined
    const n = count === undefined ? left : Math.max(0, Math.min(count, left));
    const out = this.chunk.slice(this.position, this.position + n);
    this.position += n;
    this.stats.bytesRead += n;
    return out.buffer;
  }

  write(data: ArrayBuffer | Uint8Array): void;
  write(): number;
  write(data?: ArrayBuffer | Uint8Array): number | void {
    if (data === undefined) return SECURE_SOCKET.writeSpace;
    if (this.closed || this.stopped) throw new Error("write on closed socket");
    if (!this.handshaken) throw new Error("write before the TLS handshake is done");
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    if (bytes.length > SECURE_SOCKET.writeSpace) throw new Error("can't write all data");
    this.outstanding += bytes.length;
    this.stats.bytesWritten += bytes.length;
    this.tls.write(Buffer.from(bytes), (err) => {
      this.outstanding -= bytes.length;
      if (err) return;
      const space = this.ctx.options.sendBuffer - SECURE_SOCKET.overhead;
      if (this.outstanding === 0 && space > 0) this.post(3, space);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopped = true;
    this.events.length = 0;
    this.incoming.length = 0;
    // SecureSocket.close() closes the TCP socket without sending close_notify.
    this.tls.destroy();
    this.raw.destroy();
  }

  private trace(): void {
    const s = this.stats;
    this.ctx.options.log?.(`TLS ${this.host}: ${s.protocol} ${s.cipher}${s.resumed ? " (resumed)" : ""}, chain ${s.serverChainLength ?? "-"}, largest record ${s.maxRecordLength}`);
  }

  private warn(line: string): void {
    this.ctx.options.log?.(`warning: ${line}`);
  }
}

/** The SocketFactory of the host edge. */
export class NodeSocketFactory implements SocketFactory {
  private readonly options: NodeSocketOptions & Required<Pick<NodeSocketOptions, "sendBuffer" | "segmentSize" | "receiveWindow">>;
  private readonly registered: CertInput[] = [];
  private readonly cache: SessionCache = {};
  private readonly warned = new Set<string>();
  /** The sockets made that may still hold a connection (finished ones are dropped as new ones come). */
  readonly sockets: (NodeTcpSocket | NodeTlsSocket)[] = [];

  constructor(options: NodeSocketOptions = {}) {
    this.options = {
      ...options,
      sendBuffer: options.sendBuffer ?? ESP32_TCP.sendBuffer,
      segmentSize: options.segmentSize ?? ESP32_TCP.segmentSize,
      receiveWindow: options.receiveWindow ?? ESP32_TCP.receiveWindow,
    };
  }

  private remember(socket: NodeTcpSocket | NodeTlsSocket): void {
    for (let i = this.sockets.length - 1; i >= 0; i--) if (this.sockets[i].finished) this.sockets.splice(i, 1);
    this.sockets.push(socket);
  }

  connect(host: string, port: number): NodeTcpSocket {
    // The device's socket is IPv4 only.
    const socket = new NodeTcpSocket(net.connect({ host, port, family: 4, noDelay: true /* as the device edge asks */ }), this.options);
    this.remember(socket);
    return socket;
  }

  startTls(tcp: StreamSocket, host: string, secure: SecureDictionary): NodeTlsSocket {
    if (!(tcp instanceof NodeTcpSocket)) throw new TypeError("startTls needs a socket from this factory's connect()");
    if (tcp.adopted) throw new Error("startTls: this TCP socket already carries TLS");
    const keys = secure as SecureKeys;
    try {
      checkSecureDictionary(keys);
    } catch (e) {
      tcp.close(); // as SecureSocket's constructor does before rethrowing
      throw e;
    }
    const trusted = [...this.registered, ...(this.options.builtinCertificates ?? [])];
    const socket = new NodeTlsSocket(tcp, host, keys, { options: this.options, cache: this.cache, trusted, warned: this.warned });
    this.remember(socket);
    return socket;
  }

  /** `CertificateManager.register(der)` of module ssl/cert: trusted by every later connection. */
  register(certificate: CertInput): void {
    this.registered.push(certificate);
  }

  /** Forgets the cached TLS session (a device reboot). */
  clearSessionCache(): void {
    this.cache.host = undefined;
    this.cache.session = undefined;
  }

  /** The host name whose session would be resumed, if any. */
  get cachedSessionHost(): string | undefined {
    return this.cache.host;
  }

  /** Closes every socket this factory made (each close is idempotent). */
  closeAll(): void {
    for (const s of this.sockets) s.close();
  }
}

/** Time on the host. */
export const nodeTimers: TimerHost = {
  now: () => Date.now(),
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

/** Log lines to stdout. */
export const stdoutLog: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};
