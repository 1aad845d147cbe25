/**
 * Loopback servers for integration tests and the simulator (their certificates: test-pki.ts).
 *
 * - `startHttpServer` / `startHttpsServer`: an HTTP/1.1 responder written on raw sockets so that
 *   every failure can be staged byte by byte (stalls at each phase, truncated or reset bodies,
 *   oversized headers, chunked bodies, large TLS records, redirects, error statuses, keep-alive
 *   and idle closes). Both listen on 127.0.0.1, port 0.
 * - `startOpensslServer`: `openssl s_server`, a second, independent TLS implementation (its
 *   connections, requests and handshake errors are not tracked).
 * - `startEchoServer`: plain TCP echo; `startCaptureServer`: keeps each connection's first bytes.
 * Every server's `close()` ends its connections and resolves once nothing is left open.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as net from "node:net";
import * as tls from "node:tls";

export const LOOPBACK = "127.0.0.1";

// ---------------------------------------------------------------------------------------------
// HTTP behaviours

/** How one path is answered. */
export interface RouteResponse {
  status?: number;
  /** Reason phrase (default from the status). */
  reason?: string;
  headers?: [string, string][];
  body?: string | Uint8Array;
  /** Send the body chunked, in chunks of this size (true: one chunk). */
  chunked?: boolean | number;
  /** Send the head, then nothing more (the connection stays open). */
  headThenStall?: boolean;
  /** Announce the full body but send only this many bytes, then close cleanly. */
  truncateAfter?: number;
  /** Send this many body bytes, then reset the TCP connection (RST). */
  resetAfter?: number;
  /** Add a header `X-Padding` making the head (with its final blank line) this many bytes. */
  oversizedHeaders?: number;
  /** Answer 302 (or `status`) with this Location. */
  redirect?: string;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Write the body in writes of this size (TLS: one record per write, up to 16384 bytes). */
  writeSize?: number;
}

export interface ServerBehaviour {
  /** Answers by path; a path not listed gets 404. Default: "/" answers 200 "hello". */
  routes?: Record<string, RouteResponse>;
  /** Keep connections open between requests (default true); false adds `Connection: close`. */
  keepAlive?: boolean;
  /** Close a connection idle this long after a response (default: never). */
  idleTimeoutMs?: number;
  /**
   * Stop at a phase: "accept" takes the TCP connection but never reads (for TLS: no handshake);
   * "request" (after the handshake for TLS) reads the request and never answers.
   */
  stall?: "accept" | "request";
}

export interface TestServer {
  host: string;
  port: number;
  /** http:// or https:// URL on 127.0.0.1. */
  url(path?: string): string;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Request heads received, in order. */
  readonly requests: string[];
  /** TLS: errors of failed handshakes (e.g. "no shared cipher"). */
  readonly tlsErrors: string[];
  /** TLS: sessions resumed by clients. */
  readonly resumptions: number;
  close(): Promise<void>;
}

const REASONS: Record<number, string> = {
  200: "OK", 204: "No Content", 301: "Moved Permanently", 302: "Found", 303: "See Other", 307: "Temporary Redirect",
  308: "Permanent Redirect", 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable",
};

const DEFAULT_ROUTES: Record<string, RouteResponse> = { "/": { body: "hello" } };

function bytesOf(body: string | Uint8Array | undefined): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  return typeof body === "string" ? Buffer.from(body, "latin1") : Buffer.from(body);
}

/**
 * Writes `data` in pieces of `size`, each after the previous one has been handed to the socket
 * (Node's TLS joins queued writes into one record; one at a time, each write is its own record).
 */
async function writeInPieces(sock: net.Socket, data: Buffer, size: number): Promise<void> {
  for (let at = 0; at < data.length && !sock.destroyed; at += size) {
    const piece = data.subarray(at, Math.min(at + size, data.length));
    await new Promise<void>((resolve) => sock.write(piece, () => resolve()));
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Serves HTTP/1.1 on an established (plain or TLS) stream. `raw` is the TCP socket below it,
 * for resets.
 */
function serveHttp(stream: net.Socket, raw: net.Socket, b: ServerBehaviour, requests: string[]): void {
  const routes = b.routes ?? DEFAULT_ROUTES;
  let pending = Buffer.alloc(0);
  let busy = false;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const armIdle = () => {
    if (b.idleTimeoutMs !== undefined) idle = setTimeout(() => stream.end(), b.idleTimeoutMs);
  };
  const next = async (): Promise<void> => {
    const end = pending.indexOf("\r\n\r\n");
    if (busy || end < 0) return;
    busy = true;
    if (idle) clearTimeout(idle);
    const head = pending.subarray(0, end).toString("latin1");
    pending = pending.subarray(end + 4);
    requests.push(head);
    if (b.stall === "request") return; // read, never answered
    const [method = "GET", path = "/"] = head.split("\r\n")[0].split(" ");
    const closeAfter = b.keepAlive === false || /\r\nconnection:\s*close/i.test(head);
    await respond(stream, raw, method, routes[path], closeAfter);
    busy = false;
    if (stream.destroyed || stream.writableEnded) return;
    armIdle();
    return next();
  };
  stream.on("data", (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    void next();
  });
  stream.on("error", () => undefined);
  stream.on("close", () => {
    if (idle) clearTimeout(idle);
  });
  armIdle();
}

async function respond(stream: net.Socket, raw: net.Socket, method: string, route: RouteResponse | undefined, closeAfter: boolean): Promise<void> {
  const r: RouteResponse = route ?? { status: 404, body: "not found" };
  if (r.delayMs) await delay(r.delayMs);
  if (stream.destroyed) return;
  const status = r.status ?? (r.redirect ? 302 : 200);
  const body = bytesOf(r.body);
  const headers: [string, string][] = [...(r.headers ?? [])];
  if (r.redirect) headers.push(["Location", r.redirect]);
  const chunkSize = r.chunked === true ? Math.max(1, body.length) : typeof r.chunked === "number" ? r.chunked : 0;
  headers.push(chunkSize ? ["Transfer-Encoding", "chunked"] : ["Content-Length", String(body.length)]);
  if (closeAfter) headers.push(["Connection", "close"]);
  let head = `HTTP/1.1 ${status} ${r.reason ?? REASONS[status] ?? "Status"}\r\n` + headers.map(([k, v]) => `${k}: ${v}\r\n`).join("");
  if (r.oversizedHeaders && head.length + 2 < r.oversizedHeaders) {
    head += `X-Padding: ${"a".repeat(r.oversizedHeaders - head.length - 15)}\r\n`;
  }
  stream.write(Buffer.from(head + "\r\n", "latin1"));
  if (r.headThenStall) return new Promise<void>(() => undefined); // never answers further
  if (method === "HEAD") return closeAfter ? void stream.end() : undefined;

  let payload = body;
  if (chunkSize) {
    const parts: Buffer[] = [];
    for (let at = 0; at < body.length; at += chunkSize) {
      const piece = body.subarray(at, at + chunkSize);
      parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`, "latin1"), piece, Buffer.from("\r\n", "latin1"));
    }
    parts.push(Buffer.from("0\r\n\r\n", "latin1"));
    payload = Buffer.concat(parts);
  }
  const writeSize = r.writeSize ?? 16384;
  if (r.resetAfter !== undefined) {
    await writeInPieces(stream, payload.subarray(0, r.resetAfter), writeSize);
    await delay(20); // let the bytes leave before the RST
    raw.resetAndDestroy();
    return;
  }
  if (r.truncateAfter !== undefined) {
    await writeInPieces(stream, payload.subarray(0, r.truncateAfter), writeSize);
    stream.end();
    return;
  }
  await writeInPieces(stream, payload, writeSize);
  if (closeAfter) stream.end();
}

interface Tracker {
  sockets: Set<net.Socket>;
  connections: number;
  requests: string[];
  tlsErrors: string[];
  resumptions: number;
}

function tracker(): Tracker {
  return { sockets: new Set(), connections: 0, requests: [], tlsErrors: [], resumptions: 0 };
}

function track(t: Tracker, sock: net.Socket): void {
  // Heads and bodies are written apart: with Nagle on, each body waits for the client's ACK.
  sock.setNoDelay(true);
  t.connections++;
  t.sockets.add(sock);
  sock.on("close", () => t.sockets.delete(sock));
  sock.on("error", () => undefined);
}

function listen(server: net.Server, t: Tracker, scheme: string): Promise<TestServer> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        host: LOOPBACK,
        port,
        url: (path = "/") => `${scheme}://${LOOPBACK}:${port}${path}`,
        get connections() { return t.connections; },
        requests: t.requests,
        tlsErrors: t.tlsErrors,
        get resumptions() { return t.resumptions; },
        close: () => new Promise<void>((done) => {
          for (const s of t.sockets) s.destroy();
          server.close(() => done());
        }),
      });
    });
  });
}

/** Plain HTTP/1.1 on 127.0.0.1. */
export function startHttpServer(behaviour: ServerBehaviour = {}): Promise<TestServer> {
  const t = tracker();
  const server = net.createServer((sock) => {
    track(t, sock);
    if (behaviour.stall === "accept") return sock.pause();
    serveHttp(sock, sock, behaviour, t.requests);
  });
  return listen(server, t, "http");
}

/** TLS settings of a test server. */
export interface TlsServerConfig {
  /** PEM: the leaf first, then what else the server sends (leaf only = a misconfigured server). */
  cert: string;
  key: string;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  /** OpenSSL cipher list (TLS 1.2 and older). */
  ciphers?: string;
  ecdhCurve?: string;
  /** Prefer the server's cipher order (default: the client's, as many servers do). */
  honorCipherOrder?: boolean;
  /** Require a client certificate issued under this CA (PEM). */
  clientCa?: string;
  /** ALPN protocols the server accepts (none match: fatal alert 120). */
  ALPNProtocols?: string[];
  /** DHE parameters (default "auto": OpenSSL's built-in groups, so DHE suites work). */
  dhparam?: "auto" | string;
  /** Resume sessions by ID (default true). */
  sessionCache?: boolean;
}

/** HTTPS (HTTP/1.1 over TLS) on 127.0.0.1. */
export function startHttpsServer(config: TlsServerConfig, behaviour: ServerBehaviour = {}): Promise<TestServer> {
  const t = tracker();
  if (behaviour.stall === "accept") {
    const holder = net.createServer((sock) => {
      track(t, sock);
      sock.pause();
    });
    return listen(holder, t, "https");
  }
  const server = tls.createServer({
    cert: config.cert,
    key: config.key,
    minVersion: config.minVersion,
    maxVersion: config.maxVersion,
    ciphers: config.ciphers,
    ecdhCurve: config.ecdhCurve,
    honorCipherOrder: config.honorCipherOrder ?? false,
    dhparam: config.dhparam ?? "auto",
    ALPNProtocols: config.ALPNProtocols,
    ...(config.clientCa ? { requestCert: true, rejectUnauthorized: true, ca: config.clientCa } : {}),
  });
  server.on("connection", (raw: net.Socket) => track(t, raw));
  server.on("tlsClientError", (err) => t.tlsErrors.push(err.message));
  if (config.sessionCache ?? true) {
    const sessions = new Map<string, Buffer>();
    server.on("newSession", (id: Buffer, data: Buffer, done: () => void) => {
      sessions.set(id.toString("hex"), data);
      done();
    });
    server.on("resumeSession", (id: Buffer, done: (err: Error | null, data?: Buffer | null) => void) => {
      const data = sessions.get(id.toString("hex")) ?? null;
      if (data) t.resumptions++;
      done(null, data);
    });
  }
  server.on("secureConnection", (sock: tls.TLSSocket) => {
    t.sockets.add(sock);
    sock.on("close", () => t.sockets.delete(sock));
    // The TLS socket's parent is the TCP socket the 'connection' event saw.
    const raw = ((sock as unknown as { _parent?: net.Socket })._parent) ?? sock;
    serveHttp(sock, raw, behaviour, t.requests);
  });
  return listen(server, t, "https");
}

/** Plain TCP echo on 127.0.0.1. */
export function startEchoServer(): Promise<TestServer> {
  const t = tracker();
  const server = net.createServer((sock) => {
    track(t, sock);
    sock.pipe(sock);
  });
  return listen(server, t, "tcp");
}

export interface CaptureServer extends TestServer {
  /** The first bytes each connection sent (a TLS client's ClientHello), in order. */
  readonly firstBytes: Buffer[];
  /** Resolves with the first bytes of the next connection. */
  next(): Promise<Buffer>;
}

/** Takes each connection's first bytes, then closes it (for looking at ClientHellos). */
export function startCaptureServer(): Promise<CaptureServer> {
  const t = tracker();
  const firstBytes: Buffer[] = [];
  const waiting: ((b: Buffer) => void)[] = [];
  const server = net.createServer((sock) => {
    track(t, sock);
    sock.once("data", (data: Buffer) => {
      firstBytes.push(data);
      waiting.shift()?.(data);
      sock.destroy();
    });
  });
  return listen(server, t, "tcp").then((base) => Object.assign(base, {
    firstBytes,
    next: () => new Promise<Buffer>((resolve) => waiting.push(resolve)),
  }));
}

export interface OpensslServer extends TestServer {
  /** What s_server printed so far. */
  output(): string;
}

/**
 * `openssl s_server -www` on 127.0.0.1 (it answers any GET with a status page). `args` are added
 * as given, e.g. ["-tls1", "-cipher", "DEFAULT@SECLEVEL=0"].
 */
export function startOpensslServer(certPath: string, keyPath: string, args: string[] = [], chainPath?: string): Promise<OpensslServer> {
  const argv = ["s_server", "-accept", `${LOOPBACK}:0`, "-cert", certPath, "-key", keyPath, "-www", "-naccept", "1000", ...args];
  if (chainPath) argv.push("-cert_chain", chainPath);
  const child: ChildProcess = spawn("openssl", argv, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`openssl s_server did not start: ${out}`));
    }, 10_000);
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    const onOutput = (data: Buffer) => {
      out += data.toString("latin1");
      const m = /ACCEPT\s+\S*:(\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const port = Number(m[1]);
      resolve({
        host: LOOPBACK,
        port,
        url: (path = "/") => `https://${LOOPBACK}:${port}${path}`,
        connections: 0,
        requests: [],
        tlsErrors: [],
        resumptions: 0,
        output: () => out,
        close: async () => {
          if (child.exitCode === null) child.kill("SIGTERM");
          await exited;
        },
      });
    };
    child.stdout!.on("data", onOutput);
    child.stderr!.on("data", onOutput);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
