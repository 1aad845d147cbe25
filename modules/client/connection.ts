/**
 * One socket to one origin, with its response parser (the stream position lives there). The
 * exchange that owns it gets its socket messages and parser events; an idle one closes itself on
 * any message but "writable" (the server closed it, failed, or sent stray bytes).
 */
import type { FramingInfo, ResponseHead } from "../http/response";
import { ResponseParser } from "../http/response";
import type { ResponseParserOptions } from "../http/response";
import { closedCallback, SocketMessage, StreamSocket } from "./io";

/** What a connection hands its socket messages and parser events to (an Exchange). */
export interface ConnectionOwner {
  onMessage(message: SocketMessage, value: number): void;
  onHead(head: ResponseHead, framing: FramingInfo): void;
  onBody(data: Uint8Array): void;
  onComplete(keepAlive: boolean): void;
}

export class Connection {
  sock: StreamSocket;
  readonly parser: ResponseParser;
  owner: ConnectionOwner | null = null;
  tlsEstablished = false;
  idleSince = 0;
  closed = false;

  /** `idleList` is the pool's list this connection leaves when it closes. */
  constructor(readonly origin: string, sock: StreamSocket, private readonly idleList: Connection[], parserOptions: ResponseParserOptions) {
    this.sock = sock;
    this.parser = new ResponseParser({
      onHead: (head, framing) => this.owner?.onHead(head, framing),
      onBody: (data) => this.owner?.onBody(data),
      onComplete: (keepAlive) => this.owner?.onComplete(keepAlive),
    }, parserOptions);
    this.listen(sock);
  }

  listen(sock: StreamSocket): void {
    this.sock = sock;
    sock.callback = (message, value) => {
      if (this.closed) return;
      if (this.owner) this.owner.onMessage(message, value ?? 0);
      else if (message !== 3) this.close(); // idle: the server closed it, failed, or sent stray bytes
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.owner = null;
    const i = this.idleList.indexOf(this);
    if (i >= 0) this.idleList.splice(i, 1);
    this.sock.callback = closedCallback;
    try {
      this.sock.close();
    } catch {
      // Already closed by the stack (SecureSocket closes itself after -1/-2).
    }
  }
}
