/**
 * The shapes the core drives and the edges supply: a socket that behaves like Moddable's
 * `Socket`/`SecureSocket`, a timer, a log sink. The device edge (modules/device) supplies them from
 * `socket`, `securesocket` and `timer`; the host simulator from `node:net`/`node:tls`; tests from
 * a scripted mock. Nothing here imports either side.
 */
import type { SecureDictionary } from "../tls/options";

export type { SecureDictionary };

/**
 * What both edges say when the TCP connection never came up. The device's socket reports a
 * refused, an unreachable and a reset connect alike (message -2, no value: modSocket.c of lwip),
 * so neither edge claims to know which; the SDK's Linux simulator even reports such a socket as
 * connected and fails the first write (the device edge turns that into this text too).
 */
export const NO_TCP_CONNECTION = "no TCP connection (refused or unreachable: the socket does not say which)";

/** Callback messages of Moddable's Socket and SecureSocket. */
export const SOCKET_ERROR = -2;
export const SOCKET_DISCONNECTED = -1;
export const SOCKET_CONNECTED = 1;
export const SOCKET_READABLE = 2;
export const SOCKET_WRITABLE = 3;
export type SocketMessage = -2 | -1 | 1 | 2 | 3;

/**
 * A connected or connecting stream socket with Moddable's semantics:
 * - `callback(1)` once connected (for TLS: once the handshake is done); `callback(2, n)` when `n`
 *   bytes can be read; `callback(3, n)` when `n` bytes can be written; `-1` when the peer
 *   disconnected; `-2` on an error (SecureSocket gives no text; see `lastError`).
 * - `read(ArrayBuffer)` returns all bytes available, `read(ArrayBuffer, n)` at most `n`;
 *   `read()` returns how many are available.
 * - `write(bytes)` queues bytes (never more than `write()` reported); `write()` returns the space.
 *   SecureSocket's `write()` reports the TCP write space minus 128 and throws "can't write all
 *   data" above it; after the handshake it sends message 3 only when the TCP socket reports more
 *   than 128 bytes of space, with 128 taken off for the record overhead.
 * - SecureSocket hands decrypted bytes out only during its message 2 (at most 1024 per message):
 *   bytes not read in that callback are lost, so read until `read()` returns 0 every time.
 */
export interface StreamSocket {
  callback: ((message: SocketMessage, value?: number) => void) | null;
  read(type: ArrayBufferConstructor, count?: number): ArrayBuffer;
  read(): number;
  write(data: ArrayBuffer | Uint8Array): void;
  write(): number;
  close(): void;
  /**
   * Whether bytes have arrived that the app has not read: announced by a message 2 or not yet, a
   * segment or record still on its way through the edge, part of a TLS record. The engine never
   * hands a connection with any to a new request: on an idle connection they answer no request.
   */
  unread(): boolean;
  /** The text of the last exception inside the TLS layer, when the edge could capture it. */
  readonly lastError?: string;
  /**
   * The server asked for a client certificate during the handshake (a CertificateRequest: mutual
   * TLS), when the edge could see it. Tells a refused certificate from other handshake failures.
   */
  readonly clientCertificateRequested?: boolean;
}

/**
 * The callback a socket keeps once the engine has closed it: it does nothing and holds nothing of
 * the engine. Not `null`, because SecureSocket still calls its callback once after `close()` when
 * the close happened inside its writable or connected notification (`this.callback(this.closing)`),
 * and calling `null` there would throw out of a native socket callback on the device.
 */
export function closedCallback(): void {}

/** How the engine opens connections: the edges construct the real sockets. */
export interface SocketFactory {
  /**
   * Looks a host name up (`Net.resolve`): `callback(address)` once, with a dotted IPv4 address,
   * or undefined when the name does not resolve. The engine calls it only for names, never for
   * an address, and gives the lookup its own phase and deadline. An edge without it lets
   * `connect` resolve the name, and a failed lookup is then a failed connect.
   */
  resolve?(host: string, callback: (address: string | undefined) => void): void;
  /** Starts a TCP connection (`new Socket({host, port})`). */
  connect(host: string, port: number): StreamSocket;
  /**
   * Wraps a connected TCP socket in TLS (`new SecureSocket({sock, host, secure})`); `callback(1)`
   * follows when the handshake is done. It may throw (the SecureSocket constructor throws, for
   * example, `date validation failed` for an expired `secure.certificate`).
   *
   * SecureSocket takes over `tcp.callback` and starts the handshake only when that callback gets
   * message 1. The engine calls this after message 1 has already come, so the device edge must
   * start the handshake itself: call the adopted socket's new callback with message 1 right after
   * construction (`tcp.callback(1)`), or the handshake never begins and the handshake timeout fires.
   */
  startTls(tcp: StreamSocket, host: string, secure: SecureDictionary): StreamSocket;
}

/**
 * Time as the device has it: `Date.now()` and `timer`'s Timer.set/Timer.clear. `set` is a one-shot
 * timer; `clear` may be given an id whose timer has already fired, and must ignore it.
 */
export interface TimerHost {
  now(): number;
  set(callback: () => void, ms: number): unknown;
  clear(id: unknown): void;
}

/** Where log lines go (the serial console on the device, stdout on the host). */
export type LogSink = (line: string) => void;
