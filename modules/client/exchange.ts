/**
 * One request and its response on one connection: the state machine of a hop.
 *
 *   resolving --address--> connecting --1--> handshaking --1--> sending --written--> waiting --byte--> receiving --framing--> done
 *   (an IP address skips resolving; plain http skips handshaking; a reused connection starts at sending)
 *
 * - A host name is resolved first (the edges' `resolve`, Net.resolve on the device), with its own
 *   phase and deadline: on the device a name that does not resolve and a refused connect are
 *   otherwise the same bare -2.
 * - Connect and TLS handshake are separate states with separate timeouts (deadlines.ts): the
 *   exchange opens the TCP socket itself and wraps it in TLS on message 1 (SNI from the host).
 * - The request is written in pieces that fit the write space (`write()` and message 3).
 * - The end of a response comes from its framing (Content-Length, chunked) through the
 *   ResponseParser; a disconnect ends only a body framed by the close.
 * - What the response means (a redirect to follow, an error status, a result) and whether a
 *   failure is retried is the fetch's (fetch.ts); the body is body.ts's.
 */
import { BodyReceiver } from "./body";
import type { SteadyClock } from "./clock";
import { Connection, ConnectionOwner } from "./connection";
import { Deadlines, ExchangeState, phaseOf } from "./deadlines";
import type { Diagnosis, DiagnosisContext, Failure, Phase } from "./diagnosis";
import type { FetchRequest } from "./fetch-types";
import { HttpParseError } from "../http/errors";
import type { RequestWriter } from "../http/body";
import { RequestError, RequestMethod } from "../http/request";
import type { FramingInfo, ResponseHead } from "../http/response";
import type { SocketMessage, StreamSocket } from "./io";
import type { ClientLimits, HttpClientOptions } from "./options";
import type { IdlePool } from "./pool";
import { followsRedirect } from "./redirects";
import { isIpv4 } from "../tls/chain-policy";
import type { SecureOptions } from "../tls/options";
import type { HttpUrl } from "../http/url";

/** What a fetch and its exchanges use of their client (HttpClient). */
export interface ClientContext {
  readonly options: HttpClientOptions;
  readonly tls: SecureOptions;
  readonly limits: ClientLimits;
  readonly clock: SteadyClock;
  readonly pool: IdlePool;
  /** Gives the warnings due for a new connection. */
  warn(host: string, tls: boolean): void;
  context(host: string, port?: number): DiagnosisContext;
}

/** The fetch an exchange belongs to: it owns the deadlines and decides what an outcome means. */
export interface ExchangeOwner {
  readonly client: ClientContext;
  readonly request: FetchRequest;
  readonly time: Deadlines;
  /** The writer of the request (head and body) for this URL. */
  writer(url: HttpUrl): RequestWriter;
  /** The state changed: set the timer for its deadline. */
  rearm(): void;
  /** Ends (or retries) the fetch with the diagnosis of `failure`. */
  fail(failure: Failure, detail?: string, phase?: Phase): void;
  failWith(d: Diagnosis): void;
  /** The response is complete (the connection is already released or closed). */
  responseComplete(): void;
}

export class Exchange implements ConnectionOwner {
  state: ExchangeState = "connecting";
  conn: Connection | null = null;
  /** The request went on an idle connection from the pool. */
  reused = false;
  /** A socket was opened or reused. */
  opened = false;
  /** Response bytes read. */
  bytesRead = 0;
  firstByteAt = -1;
  connectMs: number | undefined;
  tlsMs: number | undefined;
  head: ResponseHead | null = null;
  /** The response is a redirect the fetch follows. */
  redirectHop = false;
  /** The final response's body (null on a redirect and before the head). */
  body: BodyReceiver | null = null;
  private writer: RequestWriter | null = null;
  private completed = false;
  private keepAlive = false;
  /** The fetch let go of this exchange: a late answer of the resolver is ignored. */
  private dropped = false;

  constructor(private readonly owner: ExchangeOwner, private readonly url: HttpUrl, private readonly method: RequestMethod) {}

  /** Starts on an idle connection, or opens a new one. */
  begin(idle: Connection | null): void {
    const url = this.url;
    const client = this.owner.client;
    if (idle) {
      this.conn = idle;
      idle.owner = this;
      this.reused = true;
      this.opened = true;
      this.ready();
      return;
    }
    const sockets = client.options.sockets;
    if (!sockets.resolve || isIpv4(url.host)) return this.open(url.host);
    this.state = "resolving";
    this.owner.time.phaseStart = this.owner.time.now();
    this.owner.rearm();
    try {
      sockets.resolve(url.host, (address) => {
        if (this.dropped || this.state !== "resolving") return;
        if (address === undefined || address === "") return this.owner.fail({ kind: "dns", host: url.host });
        this.open(address);
      });
    } catch (e) {
      // lwIP's resolver queue is full: the lookup never started.
      this.owner.fail({ kind: "socket-error", phase: "dns" }, e instanceof Error ? e.message : String(e));
    }
  }

  /** Opens the TCP connection to `address` (the URL's host when the edge resolves names itself). */
  private open(address: string): void {
    const url = this.url;
    const client = this.owner.client;
    this.state = "connecting";
    this.owner.time.phaseStart = this.owner.time.now();
    this.owner.rearm();
    let tcp: StreamSocket;
    try {
      tcp = client.options.sockets.connect(address, url.port);
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      if (/dns|resolve|lookup|host not found/i.test(text)) return this.owner.fail({ kind: "dns", host: url.host });
      return this.owner.fail({ kind: "socket-error", phase: "connect" }, text);
    }
    this.opened = true;
    const conn = new Connection(url.origin, tcp, client.pool.connections, client.limits.parser);
    conn.owner = this;
    this.conn = conn;
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
        // Only a wake-up: the space is asked of write() itself (see pump).
        if (this.state === "sending") this.pump();
        return;
      case -1:
        return this.onDisconnect();
      case -2:
        return this.onError();
    }
  }

  private onConnected(): void {
    const url = this.url;
    const conn = this.conn as Connection;
    const time = this.owner.time;
    if (this.state === "connecting") {
      this.connectMs = time.now() - time.phaseStart;
      this.owner.client.warn(url.host, url.scheme === "https");
      if (url.scheme === "http") return this.ready();
      this.state = "handshaking";
      time.phaseStart = time.now();
      this.owner.rearm();
      let tls: StreamSocket;
      try {
        tls = this.owner.client.options.sockets.startTls(conn.sock, url.host, this.owner.client.tls.secure);
      } catch (e) {
        return this.owner.fail({ kind: "tls-error", text: e instanceof Error ? e.message : String(e), phase: "connect" });
      }
      conn.listen(tls);
      return;
    }
    if (this.state === "handshaking") {
      this.tlsMs = time.now() - time.phaseStart;
      conn.tlsEstablished = true;
      this.ready();
    }
  }

  /** The connection is usable: write the request. */
  private ready(): void {
    const conn = this.conn as Connection;
    this.state = "sending";
    this.owner.time.requestStart = this.owner.time.now();
    this.owner.rearm();
    this.writer = this.owner.writer(this.url);
    conn.parser.expectResponseTo(this.method);
    this.pump();
  }

  /**
   * Writes what fits: pieces no larger than the space `write()` reports now, asked again before
   * every piece (SecureSocket's space is the TCP window less one record's overhead, so every
   * piece is a record of its own and the next one must be measured again). Message 3's value is
   * not used: an edge whose message 3 promised more than its `write()` allows (the host edge
   * once did) would make the write throw "can't write all data".
   */
  private pump(): void {
    const writer = this.writer as RequestWriter;
    const conn = this.conn as Connection;
    const time = this.owner.time;
    let space = 0;
    try {
      space = conn.sock.write();
    } catch (e) {
      return this.owner.fail({ kind: "socket-error", phase: "request" }, e instanceof Error ? e.message : String(e));
    }
    while (!writer.done && space > 0 && this.state === "sending") {
      let piece: Uint8Array;
      try {
        piece = writer.next(space);
      } catch (e) {
        // The body stream failed (threw, wrong type, wrong length): nothing more can be sent.
        const code = e instanceof RequestError ? e.code : "REQUEST_BODY_FAILED";
        return this.owner.failWith({ code, phase: "request", detail: e instanceof Error ? e.message : String(e), hint: "fix the request body's stream: read(max) returns bytes, a string or null at the end, and exactly `length` bytes in all when length is given" });
      }
      if (piece.length === 0) break;
      try {
        conn.sock.write(piece);
        time.lastWriteAt = time.now();
        space = writer.done ? 0 : conn.sock.write();
      } catch (e) {
        const text = e instanceof Error ? e.message : String(e);
        // The diagnosis knows the stack's write texts (phase "request"); an unknown one is still a request failure.
        if (this.url.scheme === "https") return this.owner.fail({ kind: "tls-error", text }, undefined, "request");
        return this.owner.fail({ kind: "socket-error", phase: "request" }, text);
      }
    }
    if (writer.done && this.state === "sending") {
      this.state = "waiting";
      time.sentAt = time.now();
      // Waiting has its own deadline (sending's moves with each piece: the timer, firing early, is set again).
      this.owner.rearm();
    }
  }

  /** Bytes of the request handed to the socket so far (0: none, so the server cannot have seen any). */
  get requestBytesWritten(): number {
    return this.writer ? this.writer.written : 0;
  }

  /** The server asked for a client certificate on this connection's handshake (as the edge saw it). */
  get clientCertificateRequested(): boolean {
    return this.conn !== null && this.conn.sock.clientCertificateRequested === true;
  }

  /** The body stream was read: the request cannot be sent again. */
  get bodyStreamRead(): boolean {
    return this.writer ? this.writer.streamRead : false;
  }

  // --- response ---

  private onReadable(): void {
    const conn = this.conn as Connection;
    const time = this.owner.time;
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
        return this.owner.fail({ kind: "socket-error", phase: "response" }, e instanceof Error ? e.message : String(e));
      }
      if (chunk.length === 0) break;
      this.bytesRead += chunk.length;
      if (this.completed) {
        // Bytes after a complete response that asked for nothing: the connection is not reusable.
        this.keepAlive = false;
        continue;
      }
      if (this.firstByteAt < 0) this.firstByteAt = time.now();
      time.lastByteAt = time.now();
      if (this.state === "sending" || this.state === "waiting") {
        this.state = "receiving";
        this.owner.rearm();
      }
      try {
        conn.parser.push(chunk);
      } catch (e) {
        if (this.completed) {
          this.keepAlive = false;
          continue;
        }
        return this.owner.fail(parseFailure(e, conn.parser.offset));
      }
      if (this.body && this.body.failure) return this.owner.failWith(this.body.failure);
    }
    if (this.completed) this.end();
  }

  onHead(head: ResponseHead, framing: FramingInfo): void {
    this.head = head;
    this.keepAlive = framing.keepAlive;
    this.redirectHop = followsRedirect(head, this.owner.client.limits.maxRedirects);
    if (!this.redirectHop) this.body = new BodyReceiver(this.owner.request, framing);
  }

  onBody(data: Uint8Array): void {
    if (this.body) this.body.push(data);
  }

  onComplete(keepAlive: boolean): void {
    this.completed = true;
    this.keepAlive = keepAlive;
  }

  /** A complete response: the connection goes back to the pool when it can be reused. */
  private end(): void {
    const conn = this.conn as Connection;
    const writer = this.writer as RequestWriter;
    this.conn = null;
    if (this.keepAlive && writer.done && conn.parser.idle && !conn.parser.closed) this.owner.client.pool.release(conn);
    else conn.close();
    this.owner.responseComplete();
  }

  // --- failures ---

  private onDisconnect(): void {
    const conn = this.conn as Connection;
    if (this.state === "receiving" || (this.firstByteAt >= 0 && this.state !== "done")) {
      // The peer closed mid-response: the framing says whether that is the end (close-delimited).
      try {
        conn.parser.finish();
      } catch (e) {
        return this.owner.fail(parseFailure(e, conn.parser.offset));
      }
      if (this.body && this.body.failure) return this.owner.failWith(this.body.failure);
      if (this.completed) {
        this.keepAlive = false;
        return this.end();
      }
    }
    this.owner.fail({ kind: "disconnect", phase: phaseOf(this.state), tlsEstablished: conn.tlsEstablished, bytesReceived: this.bytesRead });
  }

  /**
   * Message -2. SecureSocket gives no text; the device edge exposes the TLS stack's exception as
   * `lastError`. An error with no text on an established connection therefore comes from TCP:
   * lwip reports -2 when the connection is reset or aborted (the peer's RST, or a middlebox's),
   * never for a quiet network, which ends in a timeout instead.
   */
  private onError(): void {
    const conn = this.conn as Connection;
    const text = conn.sock.lastError;
    if (this.state !== "connecting" && this.url.scheme === "https") {
      const phase = conn.tlsEstablished ? "tls-record" : "tls-handshake";
      if (text !== undefined && text !== "") return this.owner.fail({ kind: "tls-error", text, phase });
      if (!conn.tlsEstablished) return this.owner.fail({ kind: "socket-error", phase });
    }
    if (this.state !== "connecting" && (text === undefined || text === "")) return this.owner.fail({ kind: "reset", phase: phaseOf(this.state) });
    this.owner.fail({ kind: "socket-error", phase: phaseOf(this.state) }, text);
  }

  /** Closes the connection (a failure or a cancel). */
  drop(): void {
    this.dropped = true;
    if (this.conn) {
      this.conn.close();
      this.conn = null;
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
