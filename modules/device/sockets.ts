/**
 * The SocketFactory of the device: names from `net` (Net.resolve), TCP from `socket`, TLS from
 * CapturingSecureSocket, with the shapes of client/io.ts. The engine opens TCP, waits for message
 * 1, then asks for TLS on that
 * connected socket; SecureSocket starts its handshake only when its socket callback sees
 * message 1, so `startTls` delivers that message to it itself, on the next turn.
 */
import Net from "net";
import { Socket } from "socket";
import Timer from "timer";
import type { SocketFactory, SocketMessage, StreamSocket } from "../client/io";
import type { SecureDictionary } from "../tls/options";
import { supplyRoots } from "./ca-supply";
import { CapturingSecureSocket } from "./tls-socket";

/** Moddable's Socket and SecureSocket as this file calls them (their typings differ between SDK releases). */
interface NativeStream {
  callback: ((message: SocketMessage, value?: number) => void) | null;
  read(type?: ArrayBufferConstructor, count?: number): ArrayBuffer | number;
  write(...data: (ArrayBuffer | Uint8Array)[]): number | void;
  close(): void;
}

/**
 * A StreamSocket over a native socket: forwards the callback and the calls.
 *
 * A close asked for from inside the socket's own callback is carried out on the next turn. The
 * SDK's socket code still uses the socket after the callback returns; closing it there lets a
 * garbage collection during the rest of the callback (the engine logs and allocates) free it
 * first, which crashed the simulator (use after free in its readable handler). Events stop at
 * once either way.
 */
class DeviceStream implements StreamSocket {
  callback: ((message: SocketMessage, value?: number) => void) | null = null;
  closed = false;
  private depth = 0;

  constructor(protected readonly native: NativeStream) {
    native.callback = (message, value) => {
      if (this.closed || !this.callback) return;
      this.depth++;
      try {
        this.callback(message, value);
      } finally {
        this.depth--;
      }
    };
  }

  read(type: ArrayBufferConstructor, count?: number): ArrayBuffer;
  read(): number;
  read(type?: ArrayBufferConstructor, count?: number): ArrayBuffer | number {
    if (type === undefined) return this.native.read() as number;
    return (count === undefined ? this.native.read(type) : this.native.read(type, count)) as ArrayBuffer;
  }

  write(data: ArrayBuffer | Uint8Array): void;
  write(): number;
  write(data?: ArrayBuffer | Uint8Array): number | void {
    if (data === undefined) return this.native.write() as number;
    this.native.write(data);
  }

  /** Lwip's read() counts the current pbuf only; later ones wait for their message 2 unseen. */
  unread(): boolean {
    if (this.closed) return true;
    try {
      return (this.native.read() as number) > 0;
    } catch {
      return true; // "read on closed socket": not reusable either way
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.callback = null;
    if (this.depth > 0) {
      const native = this.native;
      Timer.set(() => closeQuietly(native), 0);
    } else closeQuietly(this.native);
  }
}

/** Closes a native socket that the stack may have closed already (SecureSocket does after -1/-2). */
function closeQuietly(native: NativeStream): void {
  try {
    native.close();
  } catch {
    // "close on closed socket"
  }
}

class TcpStream extends DeviceStream {
  /** The socket itself, handed over to SecureSocket by startTls. */
  get socket(): NativeStream {
    return this.native;
  }
}

class TlsStream extends DeviceStream {
  private kick: Timer | undefined;

  constructor(private readonly tls: CapturingSecureSocket, tcp: NativeStream) {
    super(tls as unknown as NativeStream);
    // SecureSocket replaced tcp.callback with its own handler; give it the "connected" it missed.
    const handler = tcp.callback;
    this.kick = Timer.set(() => {
      this.kick = undefined;
      if (!this.closed && handler) handler(1);
    }, 0);
  }

  get lastError(): string | undefined {
    return this.tls.lastError;
  }

  /**
   * SecureSocket decrypts inside the TCP socket's message 2 and hands the plaintext out at once,
   * so what it holds unread is: bytes still in the TCP socket, part of a record in the session's
   * packet buffer (no message 2 comes for it), or a decrypted record not handed out.
   */
  override unread(): boolean {
    if (this.closed) return true;
    const inner = this.tls as unknown as { sock?: NativeStream; ssl?: { packetBuffer?: Uint8Array; bytesAvailable?: number } };
    if (!inner.sock || !inner.ssl) return true; // SecureSocket closed itself
    // The session (ssl/session_original.js) always holds a packetBuffer, empty between records,
    // and may keep an applicationData it has handed out in full: count bytes, not objects.
    const partial = inner.ssl.packetBuffer;
    if ((partial !== undefined && partial.length > 0) || (inner.ssl.bytesAvailable ?? 0) > 0) return true;
    try {
      return (inner.sock.read() as number) > 0;
    } catch {
      return true;
    }
  }

  get clientCertificateRequested(): boolean {
    return this.tls.clientCertificateRequested;
  }

  override close(): void {
    if (this.kick !== undefined) {
      Timer.clear(this.kick);
      this.kick = undefined;
    }
    super.close();
  }
}

export class DeviceSocketFactory implements SocketFactory {
  resolve(host: string, callback: (address: string | undefined) => void): void {
    // The socket would resolve the name itself, but then a name that does not resolve and a
    // refused connect are the same bare -2 (modSocket.c of lwip); on the SDK's Linux simulator
    // the socket never reports at all. Resolving first tells them apart.
    Net.resolve(host, (_name, address) => callback(address));
  }

  connect(host: string, port: number): StreamSocket {
    // Nagle off: a request written right after the TLS Finished (a resumed session) would
    // otherwise wait for the server's ACK, about 40 ms of every first byte.
    return new TcpStream(new Socket({ host, port, noDelay: true }) as unknown as NativeStream);
  }

  startTls(tcp: StreamSocket, host: string, secure: SecureDictionary): StreamSocket {
    if (!(tcp instanceof TcpStream)) throw new Error("startTls needs a socket from this factory's connect()");
    const sock = tcp.socket;
    // From here SecureSocket owns the TCP socket: it closes it with itself.
    tcp.closed = true;
    tcp.callback = null;
    const tls = new CapturingSecureSocket({ sock, host, secure });
    if (secure.caStore && secure.verify !== false) supplyRoots(tls, secure.caStore);
    return new TlsStream(tls, sock);
  }
}
