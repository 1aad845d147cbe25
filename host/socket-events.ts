/**
 * What the host edge's sockets share: the ESP32 and SecureSocket figures they model, their
 * options and statistics, and the delivery of callbacks.
 *
 * Every callback is delivered from its own macrotask (never from inside `read`, `write` or
 * `close`), one at a time; after `close()` nothing is delivered. `close()` may be called any
 * number of times. (SecureSocket itself is less strict: a `close()` made inside message 3, or
 * inside a message 1 that a writable event completed, is followed by one call with message
 * `true`. The engine must ignore callbacks after close; this edge does not reproduce that call.)
 * An exception thrown by a TCP callback is not caught here: it surfaces as an uncaught exception.
 */
import type { LogSink, SocketMessage, StreamSocket } from "../modules/client/io";
import type { DeviceTlsSwitches, CertInput } from "./device-tls";

/** lwIP defaults in ESP-IDF (CONFIG_LWIP_TCP_SND_BUF_DEFAULT, CONFIG_LWIP_TCP_MSS, TCP_WND). */
export const ESP32_TCP = { sendBuffer: 5744, segmentSize: 1436, receiveWindow: 5744 } as const;
/**
 * securesocket.js / modsecuresocket.c: plaintext per message 2; the overhead estimate taken off
 * the TCP write space in `write()` and message 3.
 */
export const SECURE_SOCKET = { chunk: 1024, overhead: 128 } as const;

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

export type Event = { message: SocketMessage; value?: number };

/** "CODE: message" on one line (OpenSSL's messages end with a newline). */
export function describeError(err: NodeJS.ErrnoException): string {
  return `${err.code ?? err.name}: ${err.message.trim()}`;
}

/** Delivery of callbacks from their own macrotasks, one at a time, never after close. */
export abstract class Deliverer {
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
