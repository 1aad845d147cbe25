/**
 * Drives one StreamSocket the way a simple client would and records what it saw: every callback
 * message in order, the bytes read, `lastError`. Bounded in time: on timeout the socket is closed
 * and "timeout" is recorded.
 */
import type { SecureDictionary, StreamSocket } from "../../modules/client/io";
import type { NodeSocketFactory } from "../../host/node-socket";
import type { SocketStats } from "../../host/socket-events";

export interface RunOptions {
  /** TLS settings; omitted: plain TCP. */
  secure?: SecureDictionary;
  /** Host name to connect to and to name in TLS (default 127.0.0.1). */
  host?: string;
  /** Bytes written once connected (default: a GET / with Connection: close). */
  request?: string | null;
  /** Give up after this long (default 3000 ms). */
  timeoutMs?: number;
  /**
   * Called on each message before the default handling; return true to skip it, "done" to end
   * the run (the socket is closed).
   */
  onMessage?(socket: StreamSocket, message: number, value: number | undefined): boolean | "done" | void;
}

export interface Transcript {
  /** "1", "2:57", "3:5616", "-1", "-2", "timeout". */
  messages: string[];
  data: Buffer;
  lastError?: string;
  stats: SocketStats;
  socket: StreamSocket;
}

export function getRequest(path = "/", extra = "Connection: close\r\n"): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}\r\n`;
}

export function runSocket(factory: NodeSocketFactory, port: number, options: RunOptions = {}): Promise<Transcript> {
  const host = options.host ?? "127.0.0.1";
  const request = options.request === undefined ? getRequest() : options.request;
  return new Promise((resolve) => {
    const tcp = factory.connect(host, port);
    const socket: StreamSocket = options.secure ? factory.startTls(tcp, host, options.secure) : tcp;
    const messages: string[] = [];
    const chunks: Buffer[] = [];
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.close();
      resolve({
        messages, data: Buffer.concat(chunks), lastError: socket.lastError,
        stats: (socket as unknown as { stats: SocketStats }).stats, socket,
      });
    };
    const timer = setTimeout(() => {
      messages.push("timeout");
      finish();
    }, options.timeoutMs ?? 3000);
    socket.callback = (message, value) => {
      messages.push(value === undefined ? String(message) : `${message}:${value}`);
      const handled = options.onMessage?.(socket, message, value);
      if (handled === "done") return finish();
      if (handled) return;
      if (message === 1 && request) socket.write(Buffer.from(request, "latin1"));
      if (message === 2) chunks.push(Buffer.from(socket.read(ArrayBuffer)));
      if (message < 0) finish();
    };
  });
}

/** The HTTP body of a Content-Length or chunked response (enough for the test servers). */
export function httpBody(data: Buffer): string {
  const text = data.toString("latin1");
  const split = text.indexOf("\r\n\r\n");
  return split < 0 ? "" : text.slice(split + 4);
}

/** Waits `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
