/**
 * The host edge: Moddable's Socket and SecureSocket semantics over `node:net` and `node:tls`, so
 * the connection engine runs on a PC exactly as it drives the device.
 *
 * TCP (node-tcp-socket.ts) follows the ESP32 build's lwip socket; TLS (node-tls-socket.ts) follows
 * modules/crypt/securesocket; both deliver their callbacks as socket-events.ts describes. This
 * file is the factory that makes them, and the host's timers and console.
 */
import { lookup } from "node:dns";
import type { LogSink, SecureDictionary, SocketFactory, StreamSocket, TimerHost } from "../modules/client/io";
import { checkSecureDictionary, SecureKeys, type CertInput } from "./device-tls";
import { ESP32_TCP, type NodeSocketOptions } from "./socket-events";
import { NodeTcpSocket } from "./node-tcp-socket";
import { NodeTlsSocket, type SessionCache } from "./node-tls-socket";

/** The SocketFactory of the host edge. */
export class NodeSocketFactory implements SocketFactory {
  private readonly options: NodeSocketOptions & Required<Pick<NodeSocketOptions, "sendBuffer" | "segmentSize" | "receiveWindow">>;
  private readonly registered: CertInput[] = [];
  private readonly cache: SessionCache = {};
  private readonly warned = new Set<string>();
  /** The sockets made that may still hold a connection (finished ones are dropped as new ones come). */
  readonly sockets: (NodeTcpSocket | NodeTlsSocket)[] = [];

  constructor(options: NodeSocketOptions = {}) {
    this.options = {
      ...options,
      sendBuffer: options.sendBuffer ?? ESP32_TCP.sendBuffer,
      segmentSize: options.segmentSize ?? ESP32_TCP.segmentSize,
      receiveWindow: options.receiveWindow ?? ESP32_TCP.receiveWindow,
    };
  }

  private remember(socket: NodeTcpSocket | NodeTlsSocket): void {
    for (let i = this.sockets.length - 1; i >= 0; i--) if (this.sockets[i].finished) this.sockets.splice(i, 1);
    this.sockets.push(socket);
  }

  /** Net.resolve: the first IPv4 address of the name, or undefined when it does not resolve. */
  resolve(host: string, callback: (address: string | undefined) => void): void {
    lookup(host, { family: 4 }, (err, address) => callback(err ? undefined : address));
  }

  connect(host: string, port: number): NodeTcpSocket {
    const socket = NodeTcpSocket.open(host, port, this.options);
    this.remember(socket);
    return socket;
  }

  startTls(tcp: StreamSocket, host: string, secure: SecureDictionary): NodeTlsSocket {
    if (!(tcp instanceof NodeTcpSocket)) throw new TypeError("startTls needs a socket from this factory's connect()");
    if (tcp.adopted) throw new Error("startTls: this TCP socket already carries TLS");
    const keys = secure as SecureKeys;
    try {
      checkSecureDictionary(keys);
    } catch (e) {
      tcp.close(); // as SecureSocket's constructor does before rethrowing
      throw e;
    }
    const trusted = [...this.registered, ...(this.options.builtinCertificates ?? [])];
    const socket = new NodeTlsSocket(tcp, host, keys, { options: this.options, cache: this.cache, trusted, warned: this.warned });
    this.remember(socket);
    return socket;
  }

  /** `CertificateManager.register(der)` of module ssl/cert: trusted by every later connection. */
  register(certificate: CertInput): void {
    this.registered.push(certificate);
  }

  /** Forgets the cached TLS session (a device reboot). */
  clearSessionCache(): void {
    this.cache.host = undefined;
    this.cache.session = undefined;
  }

  /** The host name whose session would be resumed, if any. */
  get cachedSessionHost(): string | undefined {
    return this.cache.host;
  }

  /** Closes every socket this factory made (each close is idempotent). */
  closeAll(): void {
    for (const s of this.sockets) s.close();
  }
}

/** Time on the host. */
export const nodeTimers: TimerHost = {
  now: () => Date.now(),
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

/** Log lines to stdout. */
export const stdoutLog: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};
