/**
 * A scripted server on 127.0.0.1 for the adversarial tests: plain TCP or TLS, where each request
 * head is handed to a script that writes whatever it likes on the stream (extra responses, floods,
 * resets, forged records). Bounded: every socket it accepted is destroyed by `close()`.
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { LOOPBACK } from "./test-servers";

/** One request as the script sees it. */
export interface ScriptedRequest {
  /** The request head, without the blank line. */
  head: string;
  /** The request target ("/a"). */
  path: string;
  /** Requests on this connection before this one. */
  index: number;
  /** Connections accepted before this one. */
  connection: number;
  /** The stream to answer on (a TLSSocket for TLS). */
  stream: net.Socket;
  /** The TCP socket below it (the same as `stream` for plain TCP): for resets and raw bytes. */
  raw: net.Socket;
}

export interface ScriptedServer {
  port: number;
  url(path?: string): string;
  readonly connections: number;
  readonly requests: ScriptedRequest[];
  close(): Promise<void>;
}

export interface ScriptedServerOptions {
  /** TLS with this certificate chain and key (and cipher list); omitted: plain TCP. */
  tls?: { cert: string; key: string; ciphers?: string };
  /** Called once per request head, in order. */
  onRequest(request: ScriptedRequest): void;
}

/** A response with a Content-Length body. */
export function response(body: string, extra = ""): string {
  return `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body, "latin1")}\r\n${extra}\r\n${body}`;
}

export function startScriptedServer(options: ScriptedServerOptions): Promise<ScriptedServer> {
  const sockets = new Set<net.Socket>();
  const requests: ScriptedRequest[] = [];
  let connections = 0;
  const track = (sock: net.Socket) => {
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    sock.on("error", () => undefined);
  };
  const serve = (stream: net.Socket, raw: net.Socket) => {
    const connection = connections++;
    let pending = "";
    let index = 0;
    stream.on("data", (chunk: Buffer) => {
      pending += chunk.toString("latin1");
      for (let end = pending.indexOf("\r\n\r\n"); end >= 0; end = pending.indexOf("\r\n\r\n")) {
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        const path = head.split("\r\n")[0].split(" ")[1] ?? "/";
        const request: ScriptedRequest = { head, path, index: index++, connection, stream, raw };
        requests.push(request);
        options.onRequest(request);
      }
    });
  };
  let server: net.Server;
  if (options.tls) {
    const secure = tls.createServer({ cert: options.tls.cert, key: options.tls.key, ciphers: options.tls.ciphers });
    secure.on("connection", track);
    secure.on("tlsClientError", () => undefined);
    secure.on("secureConnection", (sock: tls.TLSSocket) => {
      track(sock);
      const raw = ((sock as unknown as { _parent?: net.Socket })._parent) ?? sock;
      serve(sock, raw);
    });
    server = secure;
  } else {
    server = net.createServer((sock) => {
      track(sock);
      sock.setNoDelay(true);
      serve(sock, sock);
    });
  }
  const scheme = options.tls ? "https" : "http";
  return new Promise((resolve) => {
    server.listen(0, LOOPBACK, () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        port,
        url: (path = "/") => `${scheme}://${LOOPBACK}:${port}${path}`,
        get connections() {
          return connections;
        },
        requests,
        close: () => new Promise<void>((done) => {
          for (const s of sockets) s.destroy();
          server.close(() => done());
        }),
      });
    });
  });
}

/**
 * Writes `piece` again and again while the stream drains, until it is destroyed or `limit` bytes
 * went out: a flood that is bounded only by the client's back-pressure (and `limit`).
 */
export function flood(stream: net.Socket, piece: Buffer, limit: number): void {
  let sent = 0;
  const pump = () => {
    while (!stream.destroyed && sent < limit) {
      sent += piece.length;
      if (!stream.write(piece)) return void stream.once("drain", pump);
    }
  };
  pump();
}
