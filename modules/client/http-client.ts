/**
 * The connection engine: one GET or HEAD, from URL to result, over anything shaped like Moddable's
 * Socket/SecureSocket (io.ts), with time from the injected TimerHost.
 *
 * A fetch walks these states, each one bounded by a deadline:
 *
 *   connecting --1--> handshaking --1--> sending --written--> waiting --byte--> receiving --framing--> done
 *   (plain http skips handshaking; a reused connection starts at sending)
 *
 * - Connect and TLS handshake are separate phases with separate timeouts: the engine opens the TCP
 *   socket itself and wraps it in TLS on message 1 (SNI from the host).
 * - The request is written in pieces that fit the write space (`write()` and message 3).
 * - The end of a response comes from its framing (Content-Length, chunked) through the
 *   ResponseParser; a disconnect ends only a body framed by the close.
 * - Keep-alive: an idle connection per origin is kept (up to `maxIdleConnections`) and reused; when
 *   a reused connection fails before any response byte (the server closed it while idle), the
 *   request is sent once more on a new connection. A request that got response bytes is never
 *   sent again.
 * - Redirects (301, 302, 303, 307, 308) are followed up to a limit, with loop detection; https to
 *   http is refused unless allowed; secret headers are not sent to another origin.
 * - Every fetch ends in exactly one `FetchResult`, never a throw; failures carry the diagnosis.
 *   A finished fetch leaves no timer set and no socket callback of its own behind (a closed
 *   socket keeps `closedCallback`, see io.ts).
 */
import { utf8 } from "../base/bytes";
import { SteadyClock, steadyClock } from "./clock";
import { ConfigError } from "../base/config-error";
import { diagnose, Diagnosis, DiagnosisContext, Failure, Phase } from "./diagnosis";
import { HttpParseError } from "../http/errors";
import type { HeaderList } from "../http/headers";
import { encodeRequest, HeaderInput, isSecretHeader, RequestError, RequestMethod, RequestSpec, RequestWriter } from "../http/request";
import { FramingInfo, ResponseHead, ResponseParser } from "../http/response";
import { formatWarning, withoutUserinfo } from "../app/log-format";
import { closedCallback, LogSink, SocketFactory, SocketMessage, StreamSocket, TimerHost } from "./io";
import { buildSecureOptions, SecureOptions, TlsUserOptions } from "../tls/options";
import { HttpUrl, parseUrl, resolveUrl, UrlError } from "../http/url";

/** Deadlines, in milliseconds. Every one is bounded: there is no "wait forever". */
export interface Timeouts {
  /** From `connect(host, port)` to message 1 (includes the DNS lookup). Default 10 s. */
  connect: number;
  /** From the TLS wrap to its message 1. An ESP32 handshake takes 1 to 3 s. Default 15 s. */
  handshake: number;
  /** From the start of the request write to the first response byte. Default 10 s. */
  firstByte: number;
  /** Longest gap between two response bytes once the response has started. Default 10 s. */
  idle: number;
  /** The whole fetch, redirects and the retry included. Default 30 s. */
  total: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connect: 10000, handshake: 15000, firstByte: 10000, idle: 10000, total: 30000 };

/** Largest body preview, in bytes (it is for a log line). */
export const MAX_PREVIEW_BYTES = 256;
/** Largest body capture, in bytes (the device's heap is small). */
export const MAX_CAPTURE_BYTES = 16384;

export interface HttpClientOptions {
  sockets: SocketFactory;
  timers: TimerHost;
  /** TLS options for https (verification on by default); checked at construction. */
  tls?: TlsUserOptions;
  timeouts?: Partial<Timeouts>;
  /** Redirects followed per fetch; 0 returns the 3xx as the result. Default 5. */
  maxRedirects?: number;
  /** Follow a redirect from https to plain http. Default false: refused, because it is insecure. */
  allowHttpsToHttpRedirect?: boolean;
  /** Keep connections open for reuse. Default true. */
  keepAlive?: boolean;
  /** Idle connections kept (each TLS connection holds several KB of heap). Default 2. */
  maxIdleConnections?: number;
  /**
   * An idle connection older than this is closed instead of reused. Default 90 s: longer than the
   * loop's default 60 s interval and within common server keep-alive limits (nginx 75 s); a server
   * that closes sooner is noticed (-1 while idle), and one that vanished silently costs a
   * first-byte timeout and one retry.
   */
  maxIdleMs?: number;
  /** User-Agent header (default: this project's). */
  userAgent?: string;
  /** Limit for a response head. Default 8 KiB. */
  maxHeaderBytes?: number;
  /** Where TLS warnings (verification off, legacy version: once, or per connection) and callback errors go. */
  log?: LogSink;
  /** Receives each warning instead of `log` (the fetch loop uses it to format its lines). */
  onWarning?: (warning: EngineWarning, host: string) => void;
  /** The year the firmware was built: a clock before it is diagnosed as unset. */
  buildYear?: number;
}

export interface FetchRequest {
  url: string;
  method?: RequestMethod;
  /** Extra request headers; secret ones (Authorization...) never reach a log. */
  headers?: HeaderInput;
  /** Keep the first N body bytes as text in `result.preview` (capped at MAX_PREVIEW_BYTES). */
  previewBytes?: number;
  /** Keep the first N body bytes in `result.body` (capped at MAX_CAPTURE_BYTES). */
  captureBytes?: number;
  /** Fail with BODY_TOO_LARGE (and close) when the body grows beyond this. Default: no limit. */
  maxBodyBytes?: number;
  /** Each body piece as it arrives (a view valid only during the call). */
  onBody?: (data: Uint8Array) => void;
}

/** A warning about a weakened setting (TLS options, insecure opt-ins), for the log. */
export interface EngineWarning {
  code: string;
  message: string;
  /** Logged on every new connection rather than once. */
  everyConnection: boolean;
}

export interface FetchTimings {
  /** TCP connect, ms (new connections only). */
  connect?: number;
  /** TLS handshake, ms (new https connections only). */
  tls?: number;
  /** Request start to first response byte, ms. */
  ttfb?: number;
  /** The whole fetch, ms. */
  total: number;
}

export interface FetchResult {
  /** A complete response with status below 400. */
  ok: boolean;
  /** The URL asked for (normalized when it parsed). */
  url: string;
  /** The URL of the last request (differs after redirects). */
  finalUrl: string;
  /** Status of the final response; 0 when there was none. */
  status: number;
  reason: string;
  /** Body bytes of the final response (redirect bodies are not counted). */
  bytes: number;
  /** Connect/TLS/TTFB of the final request's connection; total of the whole fetch. */
  timings: FetchTimings;
  /** Whether the final request went on a new or a reused connection; "none" if none was made. */
  conn: "new" | "reused" | "none";
  redirects: number;
  /** The request was sent again on a new connection after a reused one had gone stale. */
  retried: boolean;
  /** Headers of the final response. */
  headers?: HeaderList;
  /** The first `previewBytes` of the body as text (UTF-8, cut anywhere). */
  preview?: string;
  /** The first `captureBytes` of the body. */
  body?: Uint8Array;
  /** Why it failed (also set for status >= 400). */
  error?: Diagnosis;
}

/** Cancels a fetch: the socket is closed, timers cleared, and `done` is not called. */
export interface FetchHandle {
  cancel(): void;
}

const REDIRECTS = [301, 302, 303, 307, 308];

type State = "connecting" | "handshaking" | "sending" | "waiting" | "receiving" | "done";

/** One socket to one origin, with its response parser (the stream position lives there). */
class Connection {
  sock: StreamSocket;
  readonly parser: ResponseParser;
  owner: Exchange | null = null;
  tlsEstablished = false;
  idleSince = 0;
  closed = false;
  private readonly pool: Connection[];

  constructor(readonly origin: string, sock: StreamSocket, pool: Connection[], maxHeaderBytes: number | undefined) {
    this.sock = sock;
    this.pool = pool;
    this.parser = new ResponseParser({
      onHead: (head, framing) => this.owner?.onHead(head, framing),
      onBody: (data) => this.owner?.onBody(data),
      onComplete: (keepAlive) => this.owner?.onComplete(keepAlive),
    }, maxHeaderBytes === undefined ? {} : { maxHeaderBytes });
    this.listen(sock);
  }

  listen(sock: StreamSocket): void {
    this.sock = sock;
    sock.callback = (message, value) => {
      if (this.closed) return;
      if (this.owner) this.owner.onMessage(message, value ?? 0);
      else if (message !== 3) this.close(); // idle: the server closed it, failed, or sent stray bytes
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.owner = null;
    const i = this.pool.indexOf(this);
    if (i >= 0) this.pool.splice(i, 1);
    this.sock.callback = closedCallback;
    try {
      this.sock.close();
    } catch {
      // Already closed by the stack (SecureSocket closes itself after -1/-2).
    }
  }
}

function positiveNumber(option: string, value: unknown, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new ConfigError("CONFIG_BAD_VALUE", option, `must be a ${allowZero ? "non-negative" : "positive"} number, got ${String(value)}`);
  }
  return value;
}

export class HttpClient {
  /** The validated TLS options: `tls.registerCertificates` are for the device edge to register. */
  readonly tls: SecureOptions;
  readonly timeouts: Timeouts;
  /** @internal */ readonly pool: Connection[] = [];
  /** @internal */ readonly options: HttpClientOptions;
  /** @internal */ readonly maxRedirects: number;
  /** @internal */ readonly maxIdle: number;
  /** @internal */ readonly maxIdleMs: number;
  /** Codes of once-only warnings already given. */
  private readonly warned: string[] = [];
  /** @internal Time for deadlines and durations: never runs backwards (see clock.ts). */
  readonly clock: SteadyClock;
  /** Receives warnings; defaults to a text line on `log`. */
  onWarning: ((warning: EngineWarning, host: string) => void) | undefined;
  /** TLS option warnings, and the insecure opt-ins of the client itself. */
  private readonly warnings: EngineWarning[];

  /** Throws ConfigError for bad options: a wrong setting is refused before any socket opens. */
  constructor(options: HttpClientOptions) {
    if (!options || typeof options !== "object") throw new ConfigError("CONFIG_BAD_OPTIONS", "client options", "must be an object");
    if (!options.sockets || !options.timers) throw new ConfigError("CONFIG_BAD_OPTIONS", "client options", "need sockets (a SocketFactory) and timers (a TimerHost)");
    this.options = options;
    this.tls = buildSecureOptions(options.tls);
    const t = options.timeouts ?? {};
    this.timeouts = {
      connect: positiveNumber("timeouts.connect", t.connect, DEFAULT_TIMEOUTS.connect),
      handshake: positiveNumber("timeouts.handshake", t.handshake, DEFAULT_TIMEOUTS.handshake),
      firstByte: positiveNumber("timeouts.firstByte", t.firstByte, DEFAULT_TIMEOUTS.firstByte),
      idle: positiveNumber("timeouts.idle", t.idle, DEFAULT_TIMEOUTS.idle),
      total: positiveNumber("timeouts.total", t.total, DEFAULT_TIMEOUTS.total),
    };
    this.maxRedirects = Math.floor(positiveNumber("maxRedirects", options.maxRedirects, 5, true));
    this.maxIdle = options.keepAlive === false ? 0 : Math.floor(positiveNumber("maxIdleConnections", options.maxIdleConnections, 2, true));
    this.maxIdleMs = positiveNumber("maxIdleMs", options.maxIdleMs, 90000);
    this.onWarning = options.onWarning;
    this.warnings = this.tls.warnings.slice();
    if (options.allowHttpsToHttpRedirect === true) {
      this.warnings.push({
        code: "REDIRECT_DOWNGRADE_ALLOWED",
        message: "allowHttpsToHttpRedirect is on: a server (or anyone able to alter its redirect) can move a request, headers included, to unencrypted http",
        everyConnection: false,
      });
    }
    this.clock = steadyClock(options.timers);
  }

  /**
   * Starts a fetch. `done` gets exactly one result, never from within this call, and never after
   * `cancel()`. Bad input (URL, headers) becomes an error result too.
   */
  fetch(request: FetchRequest, done: (result: FetchResult) => void): FetchHandle {
    const exchange = new Exchange(this, request, done);
    exchange.start();
    return { cancel: () => exchange.cancel() };
  }

  /** Idle connections held for reuse. */
  get idleConnections(): number {
    return this.pool.length;
  }

  /** Closes every idle connection (for example before Wi-Fi goes down or the loop stops). */
  closeIdle(): void {
    while (this.pool.length) this.pool[0].close();
  }

  /** @internal An idle connection to `origin`, or null; stale ones are closed on the way. */
  take(origin: string): Connection | null {
    const now = this.clock.now();
    for (let i = 0; i < this.pool.length; i++) {
      const c = this.pool[i];
      if (c.origin !== origin) continue;
      if (now - c.idleSince > this.maxIdleMs) {
        c.close();
        i--;
        continue;
      }
      this.pool.splice(i, 1);
      return c;
    }
    return null;
  }

  /** @internal Keeps a connection for reuse, or closes it when the pool is full. */
  release(conn: Connection): void {
    if (this.maxIdle === 0) return conn.close();
    conn.owner = null;
    conn.idleSince = this.clock.now();
    for (let i = 0; i < this.pool.length; i++) {
      if (this.pool[i].origin === conn.origin) {
        this.pool[i].close();
        break;
      }
    }
    while (this.pool.length >= this.maxIdle) this.pool[0].close();
    this.pool.push(conn);
  }

  /**
   * @internal Warnings for a new connection: the once-only ones the first time, the
   * every-connection ones (TLS ones) on each new TLS connection.
   */
  warn(host: string, tls: boolean): void {
    const log = this.options.log;
    const sink = this.onWarning ?? (log ? (w: EngineWarning, h: string) => log(formatWarning("text", w, h)) : undefined);
    if (!sink) return;
    for (const w of this.warnings) {
      if (w.code.indexOf("TLS_") === 0 && !tls) continue;
      if (!w.everyConnection) {
        if (this.warned.indexOf(w.code) >= 0) continue;
        this.warned.push(w.code);
      }
      try {
        sink(w, host);
      } catch {
        // A failing log sink must not break a connection.
      }
    }
  }

  /** @internal */
  context(host: string): DiagnosisContext {
    const ctx: DiagnosisContext = {
      offeredTls: this.tls.tls,
      verify: this.tls.secure.verify,
      nowMs: this.options.timers.now(),
      host,
      caSetEmpty: this.tls.secure.certificate === undefined,
    };
    if (this.options.buildYear !== undefined) ctx.buildYear = this.options.buildYear;
    return ctx;
  }
}

/** A diagnosis for input the engine refused before sending anything. */
function inputDiagnosis(e: unknown): Diagnosis {
  if (e instanceof UrlError || e instanceof RequestError) {
    return { code: e.code, phase: "request", detail: withoutUserinfo(e.message), hint: e instanceof UrlError ? "fix the URL" : "fix the request headers" };
  }
  return { code: "REQUEST_INVALID", phase: "request", detail: withoutUserinfo(String(e instanceof Error ? e.message : e)), hint: "fix the request" };
}

/** One fetch: its hops through redirects, its retry, its deadlines. */
class Exchange {
  private state: State = "connecting";
  private url: HttpUrl | null = null;
  private readonly visited: string[] = [];
  private redirects = 0;
  private retried = false;
  private conn: Connection | null = null;
  private reused = false;
  /** A socket was opened or reused for the current hop. */
  private opened = false;
  /** Response bytes read on the current hop. */
  private hopBytes = 0;
  private writer: RequestWriter | null = null;
  private timer: unknown = null;
  private timerAt = 0;
  /** True while `fetch()` is still on the stack: a result then waits for a timer. */
  private starting = true;
  private cancelled = false;

  private readonly startedAt: number;
  private phaseStart = 0;
  private requestStart = 0;
  private lastByteAt = 0;
  private firstByteAt = -1;
  private connectMs: number | undefined;
  private tlsMs: number | undefined;

  private head: ResponseHead | null = null;
  private redirectHop = false;
  private completed = false;
  private keepAlive = false;
  private bodyBytes = 0;
  private bodyFailure: Diagnosis | null = null;
  private previewParts: Uint8Array | null = null;
  private previewLength = 0;
  private capture: Uint8Array | null = null;
  private captureLength = 0;
  private readonly method: RequestMethod;
  private headers: HeaderInput | undefined;

  constructor(private readonly client: HttpClient, private readonly request: FetchRequest, private readonly done: (r: FetchResult) => void) {
    this.startedAt = client.clock.now();
    this.method = request && request.method === "HEAD" ? "HEAD" : "GET";
    this.headers = request ? request.headers : undefined;
  }

  start(): void {
    try {
      if (!this.request || typeof this.request !== "object") throw new RequestError("REQUEST_BAD_TARGET", "the request must be an object with a url");
      if (this.request.method !== undefined && this.request.method !== "GET" && this.request.method !== "HEAD") {
        throw new RequestError("REQUEST_BAD_METHOD", `method ${JSON.stringify(String(this.request.method))} is not supported: only GET and HEAD`);
      }
      for (const key of ["previewBytes", "captureBytes", "maxBodyBytes"] as const) {
        const v = this.request[key];
        if (v !== undefined && !(typeof v === "number" && v >= 0 && isFinite(v))) throw new RangeError(`${key} must be a number of bytes (0 or more), got ${String(v)}`);
      }
      if (this.request.onBody !== undefined && typeof this.request.onBody !== "function") throw new TypeError("onBody must be a function");
      const url = parseUrl(this.request.url);
      this.url = url;
      this.encode(url); // check the headers now: bad input fails before any socket opens
      this.visited.push(url.href);
    } catch (e) {
      this.starting = false;
      this.finishLater(this.result(inputDiagnosis(e)));
      return;
    }
    this.arm(this.client.timeouts.total, () => this.onTimer());
    this.hop(false);
    this.starting = false;
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.state = "done";
    this.clearTimer();
    this.dropConnection();
  }

  private encode(url: HttpUrl): Uint8Array {
    const spec: RequestSpec = { method: this.method, url, headers: this.headers, keepAlive: this.client.maxIdle > 0 };
    if (this.client.options.userAgent !== undefined) spec.userAgent = this.client.options.userAgent;
    return encodeRequest(spec);
  }

  // --- connection set-up ---

  private hop(fresh: boolean): void {
    const url = this.url as HttpUrl;
    this.resetHop();
    const idle = fresh ? null : this.client.take(url.origin);
    if (idle) {
      this.conn = idle;
      idle.owner = this;
      this.reused = true;
      this.opened = true;
      this.ready();
      return;
    }
    this.reused = false;
    this.state = "connecting";
    this.phaseStart = this.now();
    this.rearm();
    let tcp: StreamSocket;
    try {
      tcp = this.client.options.sockets.connect(url.host, url.port);
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      if (/dns|resolve|lookup|host not found/i.test(text)) return this.fail({ kind: "dns", host: url.host, detail: text });
      return this.fail({ kind: "socket-error", phase: "connect" }, text);
    }
    this.opened = true;
    const conn = new Connection(url.origin, tcp, this.client.pool, this.client.options.maxHeaderBytes);
    conn.owner = this;
    this.conn = conn;
  }

  private resetHop(): void {
    this.head = null;
    this.redirectHop = false;
    this.completed = false;
    this.keepAlive = false;
    this.bodyBytes = 0;
    this.bodyFailure = null;
    this.previewParts = null;
    this.capture = null;
    this.firstByteAt = -1;
    this.writer = null;
    this.opened = false;
    this.hopBytes = 0;
    this.connectMs = undefined;
    this.tlsMs = undefined;
  }

  /** Socket messages while this exchange owns the connection. */
  onMessage(message: SocketMessage, value: number): void {
    if (this.state === "done") return;
    switch (message) {
      case 1:
        return this.onConnected();
      case 2:
        return this.onReadable();
      case 3:
        if (this.state === "sending") this.pump(value);
        return;
      case -1:
        return this.onDisconnect();
      case -2:
        return this.onError();
    }
  }

  private onConnected(): void {
    const url = this.url as HttpUrl;
    const conn = this.conn as Connection;
    if (this.state === "connecting") {
      this.connectMs = this.now() - this.phaseStart;
      this.client.warn(url.host, url.scheme === "https");
      if (url.scheme === "http") return this.ready();
      this.state = "handshaking";
      this.phaseStart = this.now();
      this.rearm();
      let tls: StreamSocket;
      try {
        tls = this.client.options.sockets.startTls(conn.sock, url.host, this.client.tls.secure);
      } catch (e) {
        return this.fail({ kind: "tls-error", text: e instanceof Error ? e.message : String(e), phase: "connect" });
      }
      conn.listen(tls);
      return;
    }
    if (this.state === "handshaking") {
      this.tlsMs = this.now() - this.phaseStart;
      conn.tlsEstablished = true;
      this.ready();
    }
  }

  /** The connection is usable: write the request. */
  private ready(): void {
    const url = this.url as HttpUrl;
    const conn = this.conn as Connection;
    this.state = "sending";
    this.requestStart = this.now();
    this.rearm();
    this.writer = new RequestWriter(this.encode(url));
    conn.parser.expectResponseTo(this.method);
    let space = 0;
    try {
      space = conn.sock.write();
    } catch (e) {
      return this.fail({ kind: "socket-error", phase: "request" }, e instanceof Error ? e.message : String(e));
    }
    this.pump(space);
  }

  private pump(space: number): void {
    const writer = this.writer as RequestWriter;
    const conn = this.conn as Connection;
    if (!writer.done) {
      const piece = writer.next(space);
      if (piece.length) {
        try {
          conn.sock.write(piece);
        } catch (e) {
          const text = e instanceof Error ? e.message : String(e);
          // The diagnosis knows the stack's write texts (phase "request"); an unknown one is still a request failure.
          if ((this.url as HttpUrl).scheme === "https") return this.fail({ kind: "tls-error", text }, undefined, "request");
          return this.fail({ kind: "socket-error", phase: "request" }, text);
        }
      }
    }
    if (writer.done && this.state === "sending") this.state = "waiting";
  }

  // --- response ---

  private onReadable(): void {
    const conn = this.conn as Connection;
    if (this.state === "connecting" || this.state === "handshaking") return;
    for (;;) {
      if (this.state === "done" || conn.closed) return;
      let available = 0;
      let chunk: Uint8Array;
      try {
        available = conn.sock.read();
        if (available <= 0) break;
        chunk = new Uint8Array(conn.sock.read(ArrayBuffer, available > 2048 ? 2048 : available));
      } catch (e) {
        return this.fail({ kind: "socket-error", phase: "response" }, e instanceof Error ? e.message : String(e));
      }
      if (chunk.length === 0) break;
      this.hopBytes += chunk.length;
      if (this.completed) {
        // Bytes after a complete response that asked for nothing: the connection is not reusable.
        this.keepAlive = false;
        continue;
      }
      if (this.firstByteAt < 0) this.firstByteAt = this.now();
      this.lastByteAt = this.now();
      if (this.state === "sending" || this.state === "waiting") {
        this.state = "receiving";
        this.rearm();
      }
      try {
        conn.parser.push(chunk);
      } catch (e) {
        if (this.completed) {
          this.keepAlive = false;
          continue;
        }
        return this.fail(parseFailure(e, conn.parser.offset));
      }
      if (this.bodyFailure) return this.failWith(this.bodyFailure);
    }
    if (this.completed) this.endHop();
  }

  onHead(head: ResponseHead, framing: FramingInfo): void {
    this.head = head;
    this.keepAlive = framing.keepAlive;
    this.redirectHop = this.client.maxRedirects > 0 && REDIRECTS.indexOf(head.status) >= 0 && head.headers.has("location");
    if (!this.redirectHop) {
      const preview = Math.min(MAX_PREVIEW_BYTES, Math.max(0, Math.floor(this.request.previewBytes ?? 0)));
      const capture = Math.min(MAX_CAPTURE_BYTES, Math.max(0, Math.floor(this.request.captureBytes ?? 0)));
      this.previewParts = preview > 0 ? new Uint8Array(preview) : null;
      this.previewLength = 0;
      this.capture = capture > 0 ? new Uint8Array(capture) : null;
      this.captureLength = 0;
      const max = this.request.maxBodyBytes;
      if (max !== undefined && framing.kind === "length" && framing.length > max) {
        this.bodyFailure = { code: "BODY_TOO_LARGE", phase: "response", detail: `Content-Length ${framing.length} is over maxBodyBytes ${max}`, hint: "raise maxBodyBytes or fetch a smaller resource (Range)" };
      }
    }
  }

  onBody(data: Uint8Array): void {
    if (this.redirectHop || this.bodyFailure) return;
    this.bodyBytes += data.length;
    const max = this.request.maxBodyBytes;
    if (max !== undefined && this.bodyBytes > max) {
      this.bodyFailure = { code: "BODY_TOO_LARGE", phase: "response", detail: `body over maxBodyBytes ${max}`, hint: "raise maxBodyBytes or fetch a smaller resource (Range)" };
      return;
    }
    if (this.previewParts && this.previewLength < this.previewParts.length) {
      const n = Math.min(data.length, this.previewParts.length - this.previewLength);
      this.previewParts.set(data.subarray(0, n), this.previewLength);
      this.previewLength += n;
    }
    if (this.capture && this.captureLength < this.capture.length) {
      const n = Math.min(data.length, this.capture.length - this.captureLength);
      this.capture.set(data.subarray(0, n), this.captureLength);
      this.captureLength += n;
    }
    if (this.request.onBody) {
      try {
        this.request.onBody(data);
      } catch (e) {
        this.bodyFailure = { code: "BODY_CONSUMER_FAILED", phase: "response", detail: e instanceof Error ? e.message : String(e), hint: "the onBody callback threw: fix the body consumer" };
      }
    }
  }

  onComplete(keepAlive: boolean): void {
    this.completed = true;
    this.keepAlive = keepAlive;
  }

  /** A complete response: follow its redirect, or finish. */
  private endHop(): void {
    const conn = this.conn as Connection;
    const head = this.head as ResponseHead;
    const writer = this.writer as RequestWriter;
    this.conn = null;
    if (this.keepAlive && writer.done && conn.parser.idle && !conn.parser.closed) this.client.release(conn);
    else conn.close();

    if (this.redirectHop) return this.redirect(head);
    if (REDIRECTS.indexOf(head.status) >= 0 && this.client.maxRedirects > 0) {
      return this.failWith(diagnose({ kind: "redirect", problem: "missing-location" }), head);
    }
    if (head.status >= 400) {
      const f: Failure = { kind: "http-status", status: head.status, reason: head.reason };
      const retryAfter = head.headers.get("retry-after");
      if (retryAfter !== undefined) f.retryAfter = retryAfter;
      return this.failWith(diagnose(f), head);
    }
    this.finish(this.result(undefined, head));
  }

  private redirect(head: ResponseHead): void {
    const from = this.url as HttpUrl;
    const location = head.headers.get("location") as string;
    let next: HttpUrl;
    try {
      next = resolveUrl(from, location);
    } catch (e) {
      return this.failWith({ code: "REDIRECT_BAD_LOCATION", phase: "response", detail: e instanceof Error ? e.message : String(e), hint: "the server's Location header is not a usable http(s) URL: request the final URL directly" }, head);
    }
    if (this.redirects >= this.client.maxRedirects) {
      return this.failWith(diagnose({ kind: "redirect", problem: "too-many", location: next.href, count: this.redirects + 1, limit: this.client.maxRedirects }), head);
    }
    if (this.visited.indexOf(next.href) >= 0) {
      return this.failWith(diagnose({ kind: "redirect", problem: "loop", location: next.href }), head);
    }
    if (from.scheme === "https" && next.scheme === "http" && !this.client.options.allowHttpsToHttpRedirect) {
      return this.failWith(diagnose({ kind: "redirect", problem: "downgrade", location: next.href }), head);
    }
    // Credentials are for the origin they were given for (as curl and browsers do).
    if (next.origin !== from.origin && this.headers) this.headers = withoutSecrets(this.headers);
    this.redirects++;
    this.visited.push(next.href);
    this.url = next;
    this.hop(false);
  }

  // --- failures ---

  private onDisconnect(): void {
    const conn = this.conn as Connection;
    if (this.state === "receiving" || (this.firstByteAt >= 0 && this.state !== "done")) {
      // The peer closed mid-response: the framing says whether that is the end (close-delimited).
      try {
        conn.parser.finish();
      } catch (e) {
        return this.fail(parseFailure(e, conn.parser.offset));
      }
      if (this.bodyFailure) return this.failWith(this.bodyFailure);
      if (this.completed) {
        this.keepAlive = false;
        return this.endHop();
      }
    }
    this.fail({ kind: "disconnect", phase: this.phase(), tlsEstablished: conn.tlsEstablished, bytesReceived: this.hopBytes });
  }

  /**
   * Message -2. SecureSocket gives no text; the device edge exposes the TLS stack's exception as
   * `lastError`. Without text, an error on an established connection may as well be TCP.
   */
  private onError(): void {
    const conn = this.conn as Connection;
    const text = conn.sock.lastError;
    if (this.state !== "connecting" && (this.url as HttpUrl).scheme === "https") {
      const phase = conn.tlsEstablished ? "tls-record" : "tls-handshake";
      if (text !== undefined && text !== "") return this.fail({ kind: "tls-error", text, phase });
      if (!conn.tlsEstablished) return this.fail({ kind: "socket-error", phase });
    }
    this.fail({ kind: "socket-error", phase: this.phase() }, text);
  }

  private phase(): Phase {
    switch (this.state) {
      case "connecting":
        return "connect";
      case "handshaking":
        return "tls-handshake";
      case "sending":
        return "request";
      default:
        return "response";
    }
  }

  /**
   * Ends the fetch with the diagnosis of `failure` (or retries it, see below). `detail` is appended
   * to the diagnosis's detail; `phase` replaces a phase the diagnosis could only guess.
   */
  private fail(failure: Failure, detail?: string, phase?: Phase): void {
    if (this.state === "done" || this.retryStale(failure)) return;
    const d = diagnose(failure, this.client.context((this.url as HttpUrl).host));
    if (detail !== undefined && detail !== "") d.detail = `${d.detail}: ${detail}`;
    if (phase !== undefined && d.phase === "tls-handshake") d.phase = phase;
    this.failWith(d);
  }

  private failWith(d: Diagnosis, head: ResponseHead | null = this.head): void {
    if (this.state === "done") return;
    this.dropConnection();
    this.finish(this.result(d, head));
  }

  private dropConnection(): void {
    if (this.conn) {
      this.conn.close();
      this.conn = null;
    }
  }

  // --- time ---

  private now(): number {
    return this.client.clock.now();
  }

  /** The deadline of the current phase. */
  private phaseDeadline(): number {
    const t = this.client.timeouts;
    switch (this.state) {
      case "connecting":
        return this.phaseStart + t.connect;
      case "handshaking":
        return this.phaseStart + t.handshake;
      case "sending":
      case "waiting":
        return this.requestStart + t.firstByte;
      case "receiving":
        return this.lastByteAt + t.idle;
      default:
        return Infinity;
    }
  }

  /** One timer per fetch, set for the nearest deadline; bytes only move `lastByteAt`. */
  private rearm(): void {
    const deadline = Math.min(this.startedAt + this.client.timeouts.total, this.phaseDeadline());
    if (this.timer !== null && this.timerAt === deadline) return;
    this.arm(Math.max(0, deadline - this.now()), () => this.onTimer());
    this.timerAt = deadline;
  }

  private arm(ms: number, callback: () => void): void {
    this.clearTimer();
    const timers = this.client.options.timers;
    const due = this.now() + ms;
    this.timerAt = NaN;
    this.timer = timers.set(() => {
      this.timer = null;
      this.client.clock.reach(due);
      callback();
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer !== null) {
      this.client.options.timers.clear(this.timer);
      this.timer = null;
    }
  }

  /**
   * A reused connection that fails before any response byte had gone stale while it sat idle:
   * the server closed it (-1, -2, a failed write), or the network dropped it silently (no first
   * byte in time). The request (GET or HEAD) is sent once more on a new connection. Never after a
   * response byte, never twice.
   */
  private retryStale(failure: Failure): boolean {
    if (!this.reused || this.retried || this.firstByteAt >= 0) return false;
    const stale = failure.kind === "disconnect" || failure.kind === "socket-error" || failure.kind === "tls-error" ||
      (failure.kind === "timeout" && failure.which === "first-byte");
    if (!stale) return false;
    this.retried = true;
    this.dropConnection();
    this.hop(true);
    return true;
  }

  private onTimer(): void {
    if (this.state === "done") return;
    const now = this.now();
    const total = this.startedAt + this.client.timeouts.total;
    const phase = this.phaseDeadline();
    if (now < total && now < phase) return this.rearm(); // bytes came since: wait on
    const t = this.client.timeouts;
    let failure: Failure;
    if (phase <= total && now >= phase) {
      switch (this.state) {
        case "connecting":
          failure = { kind: "timeout", which: "connect", ms: t.connect };
          break;
        case "handshaking":
          failure = { kind: "timeout", which: "handshake", ms: t.handshake };
          break;
        case "receiving":
          failure = { kind: "timeout", which: "idle", ms: t.idle };
          break;
        default:
          failure = { kind: "timeout", which: "first-byte", ms: t.firstByte };
      }
    } else failure = { kind: "timeout", which: "total", ms: t.total };
    if (this.retryStale(failure)) return;
    const d = diagnose(failure, this.client.context((this.url as HttpUrl).host));
    d.detail = `${d.detail} (${this.state})`;
    this.failWith(d);
  }

  // --- the result ---

  private result(error: Diagnosis | undefined, head?: ResponseHead | null): FetchResult {
    const url = this.url;
    const timings: FetchTimings = { total: this.now() - this.startedAt };
    if (this.connectMs !== undefined && !this.reused) timings.connect = this.connectMs;
    if (this.tlsMs !== undefined && !this.reused) timings.tls = this.tlsMs;
    if (this.firstByteAt >= 0) timings.ttfb = this.firstByteAt - this.requestStart;
    const r: FetchResult = {
      ok: error === undefined,
      url: this.visited.length ? this.visited[0] : withoutUserinfo(String(this.request && this.request.url)),
      finalUrl: url ? url.href : withoutUserinfo(String(this.request && this.request.url)),
      status: head ? head.status : 0,
      reason: head ? head.reason : "",
      bytes: this.bodyBytes,
      timings,
      conn: !this.opened ? "none" : this.reused ? "reused" : "new",
      redirects: this.redirects,
      retried: this.retried,
    };
    if (head) r.headers = head.headers;
    if (this.previewParts && head) r.preview = utf8(this.previewParts, 0, this.previewLength);
    if (this.capture && head) r.body = this.capture.slice(0, this.captureLength);
    if (error) r.error = error;
    return r;
  }

  private finish(result: FetchResult): void {
    if (this.starting) return this.finishLater(result);
    this.state = "done";
    this.clearTimer();
    this.deliver(result);
  }

  /** Delivers from a timer, so that `done` never runs inside fetch(). */
  private finishLater(result: FetchResult): void {
    this.state = "done";
    this.arm(0, () => this.deliver(result));
  }

  private deliver(result: FetchResult): void {
    if (this.cancelled) return;
    try {
      this.done(result);
    } catch (e) {
      const log = this.client.options.log;
      if (log) log(`error fetch callback threw: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/** A parser exception as the diagnosis reads it (the message without its code/offset prefix). */
function parseFailure(e: unknown, offset: number): Failure {
  if (e instanceof HttpParseError) {
    const prefix = `${e.code} at byte ${e.offset}: `;
    return { kind: "http-parse", error: { code: e.code, offset: e.offset, message: e.message.indexOf(prefix) === 0 ? e.message.slice(prefix.length) : e.message } };
  }
  return { kind: "http-parse", error: { code: "PARSER_ERROR", offset, message: e instanceof Error ? e.message : String(e) } };
}

function withoutSecrets(headers: HeaderInput): [string, string][] {
  const pairs: [string, string][] = Array.isArray(headers)
    ? (headers as [string, string][]).slice()
    : Object.keys(headers).map((k) => [k, (headers as Record<string, string>)[k]] as [string, string]);
  return pairs.filter(([name]) => !isSecretHeader(name));
}
