/**
 * Keep-alive, driven through the scripted socket and the fake clock: a connection reused, the
 * request sent once more when a reused connection had gone stale (and only then), and the idle
 * pool's limits.
 * The rig and its summaries: support/engine-rig-portable.ts.
 */
import { clean, connect, OK, rig, summary } from "../support/engine-rig-portable";
import { Json, PortableSuite } from "./suite";

export const suite: PortableSuite = {
  name: "connection engine: keep-alive, the stale retry, the idle pool",
  cases: [
    {
      name: "keep-alive: a second fetch to the same origin reuses the connection (no connect, no TLS timings)",
      run: () => {
        const r = rig();
        r.get("https://example.com/a");
        connect(r, 10, 20).receive(OK("1"));
        r.clock.advance(1000);
        r.get("https://example.com/b");
        const s = r.sock;
        r.clock.advance(30);
        s.receive(OK("22"));
        const second = r.results[1];
        return {
          connects: r.net.connects.length,
          result: summary(second),
          timings: second.timings as unknown as Json,
          requests: s.written.split("\r\n\r\n").filter((x) => x).map((x) => x.split("\r\n")[0]),
          clean: clean(r),
        };
      },
      expected: {
        connects: 1,
        result: { ok: true, status: 200, bytes: 2, conn: "reused" },
        timings: { total: 30, ttfb: 30 },
        requests: ["GET /a HTTP/1.1", "GET /b HTTP/1.1"],
        clean: { timers: 0, idle: 1, released: true },
      },
    },
    {
      name: "a response with Connection: close is not kept; the next fetch opens a new connection",
      run: () => {
        const r = rig();
        r.get("https://example.com/");
        connect(r).receive(OK("x", "Connection: close\r\n"));
        const idle = r.client.idleConnections;
        const closed = r.sock.closed;
        r.get("https://example.com/");
        return { idle, closed, connects: r.net.connects.length };
      },
      expected: { idle: 0, closed: true, connects: 2 },
    },
    {
      name: "keepAlive false sends Connection: close and keeps nothing",
      run: () => {
        const r = rig({ keepAlive: false });
        r.get("https://example.com/");
        const s = connect(r);
        s.receive(OK("x"));
        return { header: s.written.indexOf("Connection: close\r\n") > 0, idle: r.client.idleConnections, closed: s.closed };
      },
      expected: { header: true, idle: 0, closed: true },
    },
    {
      name: "stale connection: the server closed the reused socket before any byte, so the GET is sent once more on a new one",
      run: () => {
        const r = rig();
        r.get("https://example.com/");
        connect(r).receive(OK("1"));
        r.get("https://example.com/");
        const stale = r.sock;
        stale.hangUp();
        const fresh = connect(r, 7, 8);
        fresh.receive(OK("22"));
        return { result: summary(r.results[1]), connects: r.net.connects.length, staleReleased: stale.released, timings: r.results[1].timings as unknown as Json, clean: clean(r) };
      },
      expected: {
        result: { ok: true, status: 200, bytes: 2, conn: "new", retried: true },
        connects: 2,
        staleReleased: true,
        timings: { total: 15, connect: 7, tls: 8, ttfb: 0 },
        clean: { timers: 0, idle: 1, released: true },
      },
    },
    {
      name: "stale connection: an error (-2) on the reused socket before any byte is retried too",
      run: () => {
        const r = rig();
        r.get("https://example.com/");
        connect(r).receive(OK("1"));
        r.get("https://example.com/");
        r.sock.fail();
        connect(r).receive(OK("1"));
        return summary(r.results[1]);
      },
      expected: { ok: true, status: 200, bytes: 1, conn: "new", retried: true },
    },
    {
      name: "stale connection dropped silently (no first byte on the reused socket): retried once, within the total budget",
      run: () => {
        const r = rig({ timeouts: { firstByte: 2000, total: 10000 } });
        r.get("https://example.com/");
        connect(r).receive(OK("1"));
        r.get("https://example.com/");
        const stale = r.sock;
        r.clock.advance(2000);
        const fresh = connect(r, 10, 20);
        r.clock.advance(5);
        fresh.receive(OK("22"));
        return { result: summary(r.results[1]), total: r.results[1].timings.total, staleReleased: stale.released, connects: r.net.connects.length };
      },
      expected: { result: { ok: true, status: 200, bytes: 2, conn: "new", retried: true }, total: 2035, staleReleased: true, connects: 2 },
    },
    {
      name: "a request that got response bytes is NOT retried",
      run: () => {
        const r = rig();
        r.get("https://example.com/");
        connect(r).receive(OK("1"));
        r.get("https://example.com/");
        r.sock.receive("HTTP/1.1 200 OK\r\nContent-Le");
        r.sock.hangUp();
        return { result: summary(r.results[1]), connects: r.net.connects.length, clean: clean(r) };
      },
      expected: { result: { ok: false, status: 0, bytes: 0, conn: "reused", code: "HTTP_UNEXPECTED_EOF", phase: "response" }, connects: 1, clean: { timers: 0, idle: 0, released: true } },
    },
    {
      name: "the retry happens once: a fresh connection failing too is the result",
      run: () => {
        const r = rig();
        r.get("https://example.com/");
        connect(r).receive(OK("1"));
        r.get("https://example.com/");
        r.sock.hangUp();
        connect(r).hangUp();
        return { result: summary(r.results[1]), connects: r.net.connects.length, clean: clean(r) };
      },
      expected: { result: { ok: false, status: 0, bytes: 0, conn: "new", retried: true, code: "CONNECTION_CLOSED_EARLY", phase: "response" }, connects: 2, clean: { timers: 0, idle: 0, released: true } },
    },
    {
      name: "an idle connection the server closes leaves the pool at once",
      run: () => {
        const r = rig();
        r.get("https://example.com/");
        const s = connect(r);
        s.receive(OK("1"));
        s.hangUp();
        const idle = r.client.idleConnections;
        r.get("https://example.com/");
        return { idle, released: s.released, connects: r.net.connects.length };
      },
      expected: { idle: 0, released: true, connects: 2 },
    },
    {
      name: "an idle connection older than maxIdleMs is closed instead of reused",
      run: () => {
        const r = rig({ maxIdleMs: 5000 });
        r.get("https://example.com/");
        const s = connect(r);
        s.receive(OK("1"));
        r.clock.advance(5001);
        r.get("https://example.com/");
        return { connects: r.net.connects.length, oldReleased: s.released };
      },
      expected: { connects: 2, oldReleased: true },
    },
    {
      name: "the pool holds at most maxIdleConnections, one per origin",
      run: () => {
        const r = rig({ maxIdleConnections: 1 });
        r.get("https://a.example/");
        const a = connect(r);
        a.receive(OK("1"));
        r.get("https://b.example/");
        connect(r).receive(OK("1"));
        return { idle: r.client.idleConnections, aReleased: a.released };
      },
      expected: { idle: 1, aReleased: true },
    },
  ],
};
