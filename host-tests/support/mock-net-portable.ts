/**
 * A scripted network and a fake clock for driving the connection engine without a network.
 * Portable: plain TypeScript over the core's shapes (no Node API, no jest), so the same scenarios
 * run under jest and inside XS.
 *
 * - `MockSocket` behaves like Moddable's Socket/SecureSocket as io.ts describes: the test makes it
 *   connect, deliver bytes in chosen fragments, report write space, raise -2 (with or without
 *   `lastError`) or -1, or simply stay silent (a stall); it records every write.
 * - `MockNetwork` is the `SocketFactory`: it records each connection and TLS wrap in order.
 * - `FakeClock` is the `TimerHost`: time moves only when the test calls `advance`.
 */
import { latin1, latin1Bytes } from "../../modules/base/bytes";
import { closedCallback, SecureDictionary, SocketFactory, SocketMessage, StreamSocket, TimerHost } from "../../modules/client/io";

export class MockSocket implements StreamSocket {
  callback: ((message: SocketMessage, value?: number) => void) | null = null;
  lastError?: string;
  /** What `write()` reports; each write uses it up until `writable(n)` refills it. */
  space = 65536;
  closed = false;
  /** Every piece written, in order. */
  readonly writes: Uint8Array[] = [];
  /** Bytes delivered but not read yet. */
  private inbox: Uint8Array[] = [];
  /** The TCP socket under a TLS wrap. */
  tcp: MockSocket | null = null;
  /** SecureSocket keeps a decrypted record only during its callback: unread bytes are lost then. */
  private readonly dropUnread: boolean;
  /** Called after each write (an automatic server listens here). */
  onWrite: ((socket: MockSocket) => void) | null = null;
  /** When set, `write(data)` throws this text (a TCP buffer that cannot take the record). */
  writeThrows: string | null = null;

  constructor(
    readonly kind: "tcp" | "tls",
    readonly host: string,
    readonly port: number,
    readonly secure: SecureDictionary | null = null,
  ) {
    this.dropUnread = kind === "tls";
    // SecureSocket reports one record's worth of write space.
    if (kind === "tls") this.space = 1024;
  }

  // --- the StreamSocket side, used by the engine ---

  read(type: ArrayBufferConstructor, count?: number): ArrayBuffer;
  read(): number;
  read(type?: ArrayBufferConstructor, count?: number): ArrayBuffer | number {
    let available = 0;
    for (const p of this.inbox) available += p.length;
    if (type === undefined) return available;
    const n = count === undefined ? available : Math.min(count, available);
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const head = this.inbox[0];
      const take = Math.min(head.length, n - at);
      out.set(head.subarray(0, take), at);
      at += take;
      if (take === head.length) this.inbox.shift();
      else this.inbox[0] = head.subarray(take);
    }
    return out.buffer;
  }

  unread(): boolean {
    return this.inbox.length > 0;
  }

  write(data: ArrayBuffer | Uint8Array): void;
  write(): number;
  write(data?: ArrayBuffer | Uint8Array): number | void {
    if (data === undefined) return this.closed ? 0 : this.space;
    if (this.closed) throw new Error("write on a closed socket");
    if (this.writeThrows !== null) throw new Error(this.writeThrows);
    const bytes = data instanceof Uint8Array ? data.slice() : new Uint8Array(data.slice(0));
    if (bytes.length > this.space) throw new Error("can't write all data");
    this.space -= bytes.length;
    this.writes.push(bytes);
    if (this.onWrite) this.onWrite(this);
  }

  close(): void {
    this.closed = true;
    this.inbox = [];
    if (this.tcp) {
      // SecureSocket drops the TCP socket; the callback it had put there holds nothing of the app.
      this.tcp.callback = null;
      this.tcp.close();
    }
  }

  // --- the script side, used by tests ---

  /** Message 1: TCP connected, or for a TLS socket the handshake done. */
  open(): this {
    this.emit(1);
    return this;
  }

  /** Delivers bytes (a string is latin1) as message 2, one message per fragment size given. */
  receive(data: string | Uint8Array, fragments: number[] = []): this {
    const bytes = typeof data === "string" ? latin1Bytes(data) : data;
    let at = 0;
    const sizes = fragments.slice();
    while (at < bytes.length && !this.closed) {
      const size = sizes.length ? (sizes.shift() as number) : bytes.length - at;
      const piece = bytes.subarray(at, Math.min(bytes.length, at + Math.max(1, size)));
      at += piece.length;
      this.inbox.push(piece);
      this.emit(2, piece.length);
      if (this.dropUnread) this.inbox = [];
    }
    return this;
  }

  /** Message 3 announcing `n` bytes while `write()` keeps reporting `space` (an edge whose two disagree). */
  announce(n: number): this {
    this.emit(3, n);
    return this;
  }

  /**
   * Bytes that have arrived but whose message 2 has not come yet (lwip queues a pbuf until the
   * app's task gets to its message; SecureSocket holds part of a record): `unread()` sees them.
   */
  queue(data: string): this {
    this.inbox.push(latin1Bytes(data));
    return this;
  }

  /**
   * Message 3 with `n` bytes of write space. Like SecureSocket, a TLS socket closed during this
   * notification calls its callback once more afterwards (`this.callback(this.closing)`).
   */
  writable(n: number): this {
    this.space = n;
    this.emit(3, n);
    if (this.kind === "tls" && this.closed && this.callback) this.callback(-1);
    return this;
  }

  /** Message -2; `text` becomes `lastError`, as the device edge captures it. */
  fail(text?: string): this {
    if (text !== undefined) this.lastError = text;
    this.emit(-2);
    return this;
  }

  /** Message -1: the peer closed. */
  hangUp(): this {
    this.emit(-1);
    return this;
  }

  /** Everything written, as latin1 text. */
  get written(): string {
    let out = "";
    for (const w of this.writes) out += latin1(w);
    return out;
  }

  /** True when the engine left nothing behind: closed, its callback cleared (null or `closedCallback`). */
  get released(): boolean {
    return this.closed && (this.callback === null || this.callback === closedCallback);
  }

  private emit(message: SocketMessage, value?: number): void {
    if (this.closed) return;
    const cb = this.callback;
    if (cb) cb(message, value);
  }
}

export interface MockNetworkOptions {
  /** Text thrown by `connect` (as `new Socket` may throw), for every call. */
  connectThrows?: string;
  /** Text thrown by `startTls` (as the SecureSocket constructor may throw). */
  tlsThrows?: string;
}

export class MockNetwork implements SocketFactory {
  /** Every socket made, TCP and TLS, in order. */
  readonly sockets: MockSocket[] = [];
  /** Each `connect(host, port)` as "host:port". */
  readonly connects: string[] = [];
  /** Each `startTls` as "host" with the dictionary given. */
  readonly wraps: { host: string; secure: SecureDictionary }[] = [];

  /** Called for each socket made (an automatic server listens here). */
  onSocket: ((socket: MockSocket) => void) | null = null;

  constructor(public options: MockNetworkOptions = {}) {}

  connect(host: string, port: number): StreamSocket {
    this.connects.push(`${host}:${port}`);
    if (this.options.connectThrows !== undefined) throw new Error(this.options.connectThrows);
    const s = new MockSocket("tcp", host, port);
    this.sockets.push(s);
    if (this.onSocket) this.onSocket(s);
    return s;
  }

  startTls(tcp: StreamSocket, host: string, secure: SecureDictionary): StreamSocket {
    this.wraps.push({ host, secure });
    if (this.options.tlsThrows !== undefined) throw new Error(this.options.tlsThrows);
    const under = tcp as MockSocket;
    const s = new MockSocket("tls", host, under.port, secure);
    s.tcp = under;
    // SecureSocket takes the TCP socket's callback over.
    under.callback = () => {};
    this.sockets.push(s);
    if (this.onSocket) this.onSocket(s);
    return s;
  }

  /** The last socket made (the one a test drives next). */
  get last(): MockSocket {
    const s = this.sockets[this.sockets.length - 1];
    if (!s) throw new Error("no socket was opened");
    return s;
  }

  /** True when every socket was closed with its callback cleared. */
  get allReleased(): boolean {
    for (const s of this.sockets) if (!s.released) return false;
    return true;
  }

}

interface FakeTimer {
  id: number;
  at: number;
  callback: () => void;
}

/** A TimerHost whose time moves only on `advance`; timers fire in time order, ties in set order. */
export class FakeClock implements TimerHost {
  private time: number;
  private nextId = 1;
  private timers: FakeTimer[] = [];
  /** Every delay passed to `set`, in order (for backoff assertions). */
  readonly delays: number[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  set(callback: () => void, ms: number): unknown {
    if (!(ms >= 0)) throw new RangeError(`timer delay ${ms} is not a non-negative number`);
    const t = { id: this.nextId++, at: this.time + ms, callback };
    this.timers.push(t);
    this.delays.push(ms);
    return t.id;
  }

  clear(id: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: FakeTimer | null = null;
      for (const t of this.timers) if (t.at <= end && (!next || t.at < next.at || (t.at === next.at && t.id < next.id))) next = t;
      if (!next) break;
      const due = next;
      this.timers = this.timers.filter((t) => t !== due);
      if (due.at > this.time) this.time = due.at;
      due.callback();
    }
    this.time = end;
  }

  /** The wall clock steps by `ms` (SNTP setting it), without any real time passing for timers. */
  jump(ms: number): void {
    this.time += ms;
    for (const t of this.timers) t.at += ms;
  }

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.timers.length;
  }
}

/** What an automatic server does with one request. */
export type Reply = string | { hangUp: true } | { fail: string } | { stall: true };

export interface AutoServerOptions {
  /** TCP connect time, ms. Default 10. */
  connectMs?: number;
  /** TLS handshake time, ms. Default 20. */
  tlsMs?: number;
  /** Time to the response, ms. Default 5. */
  responseMs?: number;
  /** The reply to the n-th request (0-based) of the whole run. */
  respond: (request: string, n: number, socket: MockSocket) => Reply;
  /** When true, a new TCP connection fails with -2 (a network that is down). */
  offline?: () => boolean;
}

/**
 * A server that plays along on its own, timed by the fake clock: it connects sockets, finishes
 * handshakes, and answers each complete request with the scripted reply.
 */
export class AutoServer {
  requests = 0;
  /** Clock time of each new TCP connection. */
  readonly connectTimes: number[] = [];
  private readonly seen = new Map<MockSocket, number>();

  constructor(net: MockNetwork, private readonly clock: FakeClock, private readonly options: AutoServerOptions) {
    net.onSocket = (s) => this.adopt(s);
  }

  private adopt(s: MockSocket): void {
    const o = this.options;
    s.onWrite = (w) => this.onWrite(w);
    if (s.kind === "tcp") {
      this.connectTimes.push(this.clock.now());
      const offline = o.offline ? o.offline() : false;
      this.clock.set(() => (offline ? s.fail() : s.open()), o.connectMs ?? 10);
      return;
    }
    this.clock.set(() => s.open(), o.tlsMs ?? 20);
  }

  private onWrite(s: MockSocket): void {
    const text = s.written;
    const done = this.seen.get(s) ?? 0;
    const end = text.indexOf("\r\n\r\n", done);
    if (end < 0) return;
    this.seen.set(s, end + 4);
    const n = this.requests++;
    const reply = this.options.respond(text.slice(done, end + 4), n, s);
    if (typeof reply === "object" && "stall" in reply) return;
    this.clock.set(() => {
      if (typeof reply === "string") s.receive(reply);
      else if ("hangUp" in reply) s.hangUp();
      else s.fail(reply.fail);
    }, this.options.responseMs ?? 5);
  }
}
