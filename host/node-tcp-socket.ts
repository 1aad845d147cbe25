/**
 * The host edge's TCP socket: Moddable's Socket over `node:net`.
 *
 * TCP (`connect`) follows the ESP32 build (modules/network/socket/lwip):
 * - message 1 once connected; no message 3 follows it (lwip reports 3 only after a write).
 * - Received bytes are kept in segments of at most `segmentSize` (one pbuf each). Message 2
 *   reports the bytes left in the current segment; the next one is reported only once it has
 *   been read to the end, which may happen later, outside the callback. `read()` gives that count,
 *   `read(ArrayBuffer[, n])` takes from the current segment, and throws "nothing to read" when it
 *   is empty. Reading from the network stops while `receiveWindow` bytes wait (TCP_WND): the
 *   host holds at most a window and one segment, whatever the server sends.
 * - Write space is a send buffer of `sendBuffer` bytes (TCP_SND_BUF): `write(bytes)` beyond it
 *   throws "can't write all data"; message 3 (value: the space) comes once everything written has
 *   left (lwip: once all of it is acknowledged).
 * - -1 when the peer closed, after every byte it sent has been read; -2 on an error (reset,
 *   refused). After either, writes are dropped and `write()` is 0.
 */
import * as net from "node:net";
import type { StreamSocket } from "../modules/client/io";
import { Deliverer, describeError, type Event, type NodeSocketOptions } from "./socket-events";

type TcpOptions = Required<Pick<NodeSocketOptions, "sendBuffer" | "segmentSize" | "receiveWindow">>;

/** Takes the bytes read from the network; false stops reading until `resumeReading()`. */
export type NetworkSink = (bytes: Uint8Array) => boolean;

/** A TCP StreamSocket with lwIP's behaviour (see the module comment). */
export class NodeTcpSocket extends Deliverer implements StreamSocket {
  readonly lastError: string | undefined = undefined;
  /** Set when `startTls` took the connection over. */
  adopted = false;
  private readonly segments: Uint8Array[] = [];
  private buffered = 0;
  private current: Uint8Array | null = null;
  private position = 0;
  private peerEnded = false;
  private failed = false;
  private endReported = false;
  private space: number;
  private outstanding = 0;
  /** Where bytes read from the network go: this socket's segments, or TLS once adopted. */
  private sink: NetworkSink = (bytes) => this.received(bytes);
  private reading = true;

  /**
   * Opens a connection that reads at most one segment at a time (one pbuf) and stops reading when
   * its taker says so: the receive window is enforced on the network, not after Node's buffers.
   */
  static open(host: string, port: number, options: TcpOptions): NodeTcpSocket {
    let socket: NodeTcpSocket | undefined;
    const raw = net.connect({
      host, port,
      family: 4, // the device's socket is IPv4 only
      noDelay: true, // as the device edge asks
      onread: {
        buffer: Buffer.alloc(options.segmentSize),
        callback: (n: number, buffer: Uint8Array) => (socket as NodeTcpSocket).fromNetwork(new Uint8Array(buffer.subarray(0, n))),
      },
    });
    socket = new NodeTcpSocket(raw, options);
    return socket;
  }

  private constructor(readonly raw: net.Socket, private readonly options: TcpOptions) {
    super();
    this.space = options.sendBuffer;
    raw.on("connect", () => this.post(1));
    raw.on("end", () => {
      this.peerEnded = true;
      this.schedule();
    });
    raw.on("error", (err) => this.fail(err));
    raw.on("close", () => {
      this.peerEnded = true;
      this.schedule();
    });
  }

  private fromNetwork(bytes: Uint8Array): boolean {
    const more = this.sink(bytes);
    if (!more) this.reading = false;
    return more;
  }

  /** Reads from the network again after a sink said stop (or `pauseReading`). */
  resumeReading(): void {
    if (this.reading || this.raw.destroyed) return;
    this.reading = true;
    this.raw.resume();
  }

  /** Stops reading from the network: the peer's sends wait in its own buffers, as with a full window. */
  pauseReading(): void {
    if (!this.reading) return;
    this.reading = false;
    this.raw.pause();
  }

  /** One segment (at most `segmentSize`, see `open`); reading stops while a window's worth waits. */
  private received(segment: Uint8Array): boolean {
    this.segments.push(segment);
    this.buffered += segment.length;
    this.schedule();
    return this.buffered < this.options.receiveWindow;
  }

  private fail(err: Error): void {
    if (this.failed || this.adopted) return;
    this.failed = true;
    this.stats.hostError = describeError(err);
    this.segments.length = 0;
    this.post(-2);
  }

  protected nextEvent(): Event | undefined {
    if (this.adopted || this.failed) return undefined;
    if (this.current === null && this.segments.length) {
      this.current = this.segments.shift()!;
      this.position = 0;
      return { message: 2, value: this.current.length };
    }
    if (this.current === null && this.peerEnded && !this.endReported) {
      this.endReported = true;
      return { message: -1 };
    }
    return undefined;
  }

  protected hasMore(): boolean {
    return !this.adopted && !this.failed && this.current === null && (this.segments.length > 0 || (this.peerEnded && !this.endReported));
  }

  get finished(): boolean {
    return this.closed || this.adopted || this.raw.destroyed;
  }

  /** Received bytes held on the host for this socket: its segments and Node's socket buffer. */
  get queuedBytes(): number {
    return this.adopted ? 0 : this.buffered;
  }

  read(type: ArrayBufferConstructor, count?: number): ArrayBuffer;
  read(): number;
  read(type?: ArrayBufferConstructor, count?: number): ArrayBuffer | number {
    if (this.closed) throw new Error("read on closed socket");
    const left = this.current ? this.current.length - this.position : 0;
    if (type === undefined) return left;
    if (!this.current || left === 0) throw new Error("nothing to read");
    const n = count === undefined ? left : Math.max(0, Math.min(count, left));
    const out = this.current.slice(this.position, this.position + n);
    this.position += n;
    this.stats.bytesRead += n;
    if (this.position >= this.current.length) {
      this.buffered -= this.current.length;
      this.current = null;
      if (this.buffered < this.options.receiveWindow) this.resumeReading();
      this.schedule();
    }
    return out.buffer;
  }

  unread(): boolean {
    return this.buffered > 0;
  }

  write(data: ArrayBuffer | Uint8Array): void;
  write(): number;
  write(data?: ArrayBuffer | Uint8Array): number | void {
    if (this.closed) throw new Error("write on closed socket");
    const gone = this.failed || this.peerEnded || this.raw.destroyed;
    if (data === undefined) return gone ? 0 : this.space;
    if (gone) return; // lwip traces "write on closed socket" and drops the bytes
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    if (bytes.length > this.space) throw new Error("can't write all data");
    this.space -= bytes.length;
    this.outstanding += bytes.length;
    this.stats.bytesWritten += bytes.length;
    this.raw.write(Buffer.from(bytes), (err) => {
      this.outstanding -= bytes.length;
      if (!err && this.outstanding === 0) {
        this.space = this.options.sendBuffer;
        this.post(3, this.space);
      }
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.events.length = 0;
    this.raw.destroy();
  }

  /**
   * `startTls` takes the connection: this object stops reporting; bytes read from now on go to
   * `sink`, and those already buffered are handed back.
   */
  adopt(sink: NetworkSink): { raw: net.Socket; unread: Uint8Array[] } {
    this.adopted = true;
    this.events.length = 0;
    const unread = this.current ? [this.current.subarray(this.position), ...this.segments] : [...this.segments];
    this.segments.length = 0;
    this.current = null;
    this.buffered = 0;
    this.sink = sink;
    this.raw.removeAllListeners("end");
    this.raw.removeAllListeners("close");
    this.raw.removeAllListeners("error");
    this.raw.removeAllListeners("connect");
    return { raw: this.raw, unread };
  }
}
