/**
 * The host edge's TLS socket: Moddable's SecureSocket over `node:tls`, on a TCP connection taken
 * over from NodeTcpSocket.
 *
 * TLS (`startTls`) follows modules/crypt/securesocket:
 * - message 1 when the handshake is done; plaintext arrives in messages 2 of at most 1024 bytes
 *   which must be read inside the callback: SecureSocket drops whatever is left when the callback
 *   returns (counted in `stats.droppedBytes` and logged) and throws on `read` outside it.
 * - `write()` is the TCP socket's write space minus 128 bytes (SecureSocket's estimate of a
 *   record's overhead), as modsecuresocket.c computes it; `write(bytes)` throws "can't write all
 *   data" beyond it. Each write is one record, which takes its size on the wire (header, IV, MAC,
 *   padding of the negotiated suite) from the TCP send buffer until it has left. Message 3 comes
 *   when the send buffer has emptied, with the same figure `write()` then gives.
 *   Writing before message 1 throws here (SecureSocket would encrypt with no keys yet).
 * - Received bytes are held as the device holds them: SecureSocket decrypts inside the TCP
 *   socket's message 2, so at most a TCP window of the server's bytes waits. Reading from the
 *   network stops while `receiveWindow` bytes (records on their way, plaintext not yet delivered)
 *   wait, as for plain TCP; a flood costs a window and one record, never more (`queuedBytes`).
 * - A close_notify from the server is reported as -1 once its plaintext has been read, whether or
 *   not the server closes TCP (the device edge reports it too: modules/device/tls-socket.ts).
 * - A first record header that is not TLS (a plain-HTTP port) ends the handshake at once, with the
 *   device edge's text.
 * - On -1 or -2 the socket closes itself. `lastError` holds the text SecureSocket would have
 *   thrown (device-tls-errors.ts maps Node's errors to it). An exception thrown by the callback itself
 *   is caught, as SecureSocket catches it: -2 follows, with `lastError` = String(exception).
 */
import type * as net from "node:net";
import * as tls from "node:tls";
import { Duplex } from "node:stream";
import type { StreamSocket } from "../modules/client/io";
import { deviceChainError, deviceLeafDateError, HOST_TLS_LIMITS, nodeTlsOptions, SecureKeys, type CertInput } from "./device-tls";
import { alertText, deviceOutcome } from "./device-tls-errors";
import { RecordReader, recordBytes } from "./tls-records";
import { notTlsText } from "../modules/tls/chain-policy";
import { Deliverer, describeError, type Event, type NodeSocketOptions, SECURE_SOCKET } from "./socket-events";
import type { NodeTcpSocket } from "./node-tcp-socket";

/** The single-entry session cache of ssl/cache: one host name, one session. */
export interface SessionCache {
  host?: string;
  session?: Buffer;
}

/** A SecureSocket StreamSocket over Node's TLS (see the module comment). */
export class NodeTlsSocket extends Deliverer implements StreamSocket {
  lastError: string | undefined = undefined;
  /** The server sent a CertificateRequest (SecureSocket notes it as the session's clientCerts). */
  clientCertificateRequested = false;
  readonly tls: tls.TLSSocket;
  /** Carries the TCP socket's bytes to Node's TLS and its records back (see the constructor). */
  private readonly bridge: Duplex;
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
  /** The server's first bytes, until there are 5 (a record header). */
  private head = new Uint8Array(0);
  private rawFailed = false;
  private outstanding = 0;
  private warnedDrop = false;
  private readonly deviceProfile: boolean;

  constructor(private readonly tcp: NodeTcpSocket, private readonly host: string, secure: SecureKeys,
    private readonly ctx: {
      options: Required<Pick<NodeSocketOptions, "sendBuffer" | "receiveWindow">> & NodeSocketOptions;
      cache: SessionCache;
      trusted: CertInput[];
      /** Warnings already logged by this factory. */
      warned: Set<string>;
    }) {
    super();
    const { raw, unread } = tcp.adopt((bytes) => this.fromNetwork(bytes));
    this.raw = raw;
    const deviceProfile = this.deviceProfile = ctx.options.deviceProfile ?? true;
    const verify = secure.verify ?? true;
    const name = secure.serverName ?? host;
    const useCache = secure.cache ?? true;
    this.reader = new RecordReader({
      alert: (level, description) => {
        // SecureSocket aborts on any received alert but close_notify, warnings included.
        if (deviceProfile && description !== 0 && !this.handshaken) this.failWith(alertText(level, description), `alert ${level}, ${description} received`);
      },
      certificateRequest: () => {
        this.clientCertificateRequested = true;
      },
      certificates: (chain) => {
        this.stats.serverChainLength = chain.length;
        this.serverChain = chain;
        if (!deviceProfile || !verify) return;
        const text = deviceChainError(chain, name, [...(secure.certificate ? [secure.certificate] : []), ...ctx.trusted, ...(secure.caStore ? secure.caStore.all() : [])]);
        if (text) this.failWith(text, `device rule: server sent ${chain.length} certificate(s)`);
      },
    });
    if (secure.tls_max_fragment_length !== undefined && !ctx.warned.has("maxFragmentLength")) {
      ctx.warned.add("maxFragmentLength");
      this.warn(`tls_max_fragment_length ${secure.tls_max_fragment_length} is not sent: ${HOST_TLS_LIMITS.maxFragmentLength}`);
    }

    const bridge = this.bridge = new Duplex({
      read: () => this.resumeIfRoom(),
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
    // close_notify (or the server's FIN) ends Node's readable side: -1 once the plaintext is read.
    this.tls.on("end", () => {
      this.tlsEnded = true;
      this.peerGone();
    });
    this.tls.on("close", () => this.peerGone());
    this.tls.on("error", (err: NodeJS.ErrnoException) => this.tlsError(err, deviceProfile));
    // Bytes the TCP socket had read before TLS took it (none, when the engine starts TLS on
    // message 1 as it does); reading stops if they fill the window.
    let more = true;
    for (const bytes of unread) more = this.fromNetwork(bytes);
    if (!more) tcp.pauseReading();
  }

  get finished(): boolean {
    return this.closed || this.raw.destroyed;
  }

  /**
   * Bytes read from the TCP socket. SecureSocket decrypts inside the TCP socket's message 2, so a
   * device holds at most a TCP window of the server's bytes: reading stops while a window's worth
   * (records not yet decrypted, plaintext not yet delivered) waits here, and resumes as the app
   * reads. Returns false to stop reading.
   */
  private fromNetwork(data: Uint8Array): boolean {
    if (this.stopped) return false;
    if (this.deviceProfile && this.head.length < 5) {
      // The device edge checks the first record header the same way (modules/device/tls-socket.ts).
      this.head = Uint8Array.from([...this.head, ...data.subarray(0, 5 - this.head.length)]);
      const notTls = notTlsText(this.head);
      if (notTls) {
        this.failWith(notTls, "the server does not speak TLS (its first bytes are not a TLS record)");
        return false;
      }
    }
    this.reader.push(data);
    this.stats.maxRecordLength = this.reader.maxRecordLength;
    this.stats.records = this.reader.records;
    if (this.stopped) return false; // a device rule failed on these bytes: TLS never sees them
    if (this.deviceProfile && this.reader.malformed && !this.handshaken) {
      // Not TLS (e.g. a plain HTTP server): the device takes the first bytes for a record header
      // announcing some 20 KB and waits for them; only the server's close (-1) ends the wait.
      if (!this.stats.hostError) this.stats.hostError = "the server does not speak TLS (its first bytes are not a TLS record)";
      return true;
    }
    this.bridge.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    return this.backlog() < this.ctx.options.receiveWindow;
  }

  /** Received bytes not yet handed to the app: records on their way through TLS, and plaintext. */
  private backlog(): number {
    let plaintext = 0;
    for (const piece of this.incoming) plaintext += piece.length;
    return plaintext + this.bridge.readableLength + this.tls.readableLength;
  }

  private resumeIfRoom(): void {
    if (!this.stopped && this.backlog() < this.ctx.options.receiveWindow) this.tcp.resumeReading();
  }

  /**
   * Received bytes held on the host for this socket: plaintext not yet delivered, and records in
   * the streams between the TCP socket and the app (Node's socket buffer, the bridge, TLS).
   */
  get queuedBytes(): number {
    return this.backlog() + this.raw.readableLength;
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
      this.resumeIfRoom();
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
      // The device edge records the exception's message (the class name when it has none).
      this.failWith(e instanceof Error ? e.message || e.name : String(e), `exception in the callback of message ${event.message}: ${String(e)}`);
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

  /** Plaintext or records not yet delivered, or part of a record (SecureSocket's packet buffer). */
  unread(): boolean {
    return !this.closed && (this.backlog() > 0 || this.reader.partial);
  }

  write(data: ArrayBuffer | Uint8Array): void;
  write(): number;
  write(data?: ArrayBuffer | Uint8Array): number | void {
    const space = this.closed || this.stopped ? 0 : Math.max(0, this.ctx.options.sendBuffer - this.outstanding - SECURE_SOCKET.overhead);
    if (data === undefined) return space;
    if (this.closed || this.stopped) throw new Error("write on closed socket");
    if (!this.handshaken) throw new Error("write before the TLS handshake is done");
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    if (bytes.length > space) throw new Error("can't write all data");
    const onWire = recordBytes(bytes.length, this.stats.cipher, this.stats.protocol);
    this.outstanding += onWire;
    this.stats.bytesWritten += bytes.length;
    this.tls.write(Buffer.from(bytes), (err) => {
      this.outstanding -= onWire;
      if (err || this.outstanding > 0) return;
      const free = this.ctx.options.sendBuffer - SECURE_SOCKET.overhead;
      if (free > 0) this.post(3, free);
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
