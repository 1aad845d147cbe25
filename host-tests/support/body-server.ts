/**
 * A server for requests with bodies, on Node's own HTTP parser (an implementation independent of
 * the client's): it records each request (method, path, headers, body length and SHA-256) and
 * answers with a JSON summary of it, or with a large body for streaming tests.
 *
 * - `requireAuthorization`: a request without exactly this Authorization value gets 401.
 * - `requireJson`: a POST/PUT/PATCH whose body is not JSON with Content-Type application/json gets 400.
 * - `tls.clientCa`: the server requires a client certificate issued under this CA (mutual TLS).
 * - Path `/large/<n>`: answers `n` bytes (chunked, in 16 KB writes) whatever the method.
 * - Path `/redirect/<status>?to=<path>`: answers that status with Location `to`.
 * Listens on 127.0.0.1; `port` chooses the port (default: any free one).
 */
import { createHash } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  bytes: number;
  sha256: string;
  /** The body as text, up to 4 KB. */
  text: string;
  /** The client certificate's subject CN (mutual TLS), if one was presented. */
  clientCn?: string;
}

export interface BodyServerOptions {
  tls?: { cert: string; key: string; clientCa?: string };
  requireAuthorization?: string;
  requireJson?: boolean;
  port?: number;
}

export interface BodyServer {
  url(path?: string): string;
  readonly requests: RecordedRequest[];
  /** TLS handshakes that failed (e.g. "peer did not return a certificate"). */
  readonly tlsErrors: string[];
  readonly connections: number;
  close(): Promise<void>;
}

function answer(res: http.ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function serveLarge(res: http.ServerResponse, total: number): void {
  res.writeHead(200, { "Content-Type": "application/octet-stream" });
  const piece = Buffer.alloc(16384, 0x61);
  let sent = 0;
  const pump = (): void => {
    while (sent < total) {
      const n = Math.min(piece.length, total - sent);
      sent += n;
      if (!res.write(piece.subarray(0, n))) return void res.once("drain", pump);
    }
    res.end();
  };
  pump();
}

export function startBodyServer(options: BodyServerOptions = {}): Promise<BodyServer> {
  const requests: RecordedRequest[] = [];
  const tlsErrors: string[] = [];
  let connections = 0;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const hash = createHash("sha256");
    let bytes = 0;
    let text = "";
    req.on("data", (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
      if (text.length < 4096) text += chunk.toString("utf8").slice(0, 4096 - text.length);
    });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const peer = (req.socket as { getPeerCertificate?: () => { subject?: { CN?: string } } }).getPeerCertificate?.();
      const r: RecordedRequest = { method: req.method ?? "", path: url.pathname, headers: req.headers, bytes, sha256: hash.digest("hex"), text };
      if (peer && peer.subject && peer.subject.CN) r.clientCn = peer.subject.CN;
      requests.push(r);
      const large = /^\/large\/(\d+)$/.exec(url.pathname);
      if (large) return serveLarge(res, Number(large[1]));
      const redirect = /^\/redirect\/(\d{3})$/.exec(url.pathname);
      if (redirect) {
        res.writeHead(Number(redirect[1]), { Location: url.searchParams.get("to") ?? "/", "Content-Length": 0 });
        return void res.end();
      }
      if (options.requireAuthorization !== undefined && req.headers.authorization !== options.requireAuthorization) {
        return answer(res, 401, { error: "missing or wrong Authorization" });
      }
      if (options.requireJson && /^(POST|PUT|PATCH)$/.test(r.method)) {
        if (!/^application\/json\b/.test(req.headers["content-type"] ?? "")) return answer(res, 400, { error: "Content-Type is not application/json" });
        try {
          JSON.parse(text);
        } catch {
          return answer(res, 400, { error: "body is not JSON" });
        }
      }
      answer(res, 200, { method: r.method, path: r.path, bytes, sha256: r.sha256, chunked: req.headers["transfer-encoding"] === "chunked", clientCn: r.clientCn ?? null });
    });
  };
  const server = options.tls
    ? https.createServer({
      cert: options.tls.cert,
      key: options.tls.key,
      ...(options.tls.clientCa ? { requestCert: true, rejectUnauthorized: true, ca: options.tls.clientCa } : {}),
    }, handler)
    : http.createServer(handler);
  server.keepAliveTimeout = 30_000;
  server.on("connection", () => connections++);
  server.on("tlsClientError", (err: Error) => tlsErrors.push(err.message));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      const scheme = options.tls ? "https" : "http";
      resolve({
        url: (path = "/") => `${scheme}://127.0.0.1:${port}${path}`,
        requests,
        tlsErrors,
        get connections() {
          return connections;
        },
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}
