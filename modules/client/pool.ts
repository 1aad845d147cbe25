/**
 * Keep-alive: idle connections held for reuse, at most one per origin and `maxIdle` in all, each
 * for at most `maxIdleMs` (each TLS connection holds several KB of heap).
 *
 * A connection is pooled, and handed to a new request, only when nothing unread waits on it
 * (`unread()`, see io.ts): bytes that arrived after a complete response answer no request, and a
 * request that took them would report another response (a queued or injected one) as its own.
 * An idle connection that gets any message but "writable" closes itself (connection.ts).
 */
import type { SteadyClock } from "./clock";
import { Connection } from "./connection";

export class IdlePool {
  /** The idle connections, oldest first; a connection removes itself when it closes. */
  readonly connections: Connection[] = [];

  constructor(private readonly clock: SteadyClock, private readonly maxIdle: number, private readonly maxIdleMs: number) {}

  get size(): number {
    return this.connections.length;
  }

  /** An idle connection to `origin`, or null; stale ones and ones with unread bytes are closed on the way. */
  take(origin: string): Connection | null {
    const now = this.clock.now();
    const pool = this.connections;
    for (let i = 0; i < pool.length; i++) {
      const c = pool[i];
      if (c.origin !== origin) continue;
      if (now - c.idleSince > this.maxIdleMs || c.sock.unread()) {
        c.close();
        i--;
        continue;
      }
      pool.splice(i, 1);
      return c;
    }
    return null;
  }

  /** Keeps a connection for reuse, or closes it when the pool is full or keep-alive is off. */
  release(conn: Connection): void {
    if (this.maxIdle === 0 || conn.sock.unread()) return conn.close();
    const pool = this.connections;
    conn.owner = null;
    conn.idleSince = this.clock.now();
    for (let i = 0; i < pool.length; i++) {
      if (pool[i].origin === conn.origin) {
        pool[i].close();
        break;
      }
    }
    while (pool.length >= this.maxIdle) pool[0].close();
    pool.push(conn);
  }

  /** Closes every idle connection. */
  closeAll(): void {
    while (this.connections.length) this.connections[0].close();
  }
}
