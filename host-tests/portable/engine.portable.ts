/**
 * The connection engine driven through the scripted socket and the fake clock: every state
 * transition, timeout phase, error path, keep-alive reuse and stale retry, redirect rule, and the
 * promise that a finished fetch leaves no timer or socket callback behind.
 */
import type { FetchRequest, FetchResult } from "../../modules/client/fetch-types";
import { HttpClient } from "../../modules/client/http-client";
import type { HttpClientOptions } from "../../modules/client/options";
import { FakeClock, MockNetwork, MockNetworkOptions, MockSocket } from "../support/mock-net-portable";
import { Json, PortableSuite } from "./suite";

const OK = (body: string, extra = "") => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;

interface Rig {
  net: MockNetwork;
  clock: FakeClock;
  client: HttpClient;
  results: FetchResult[];
  logs: string[];
  /** Starts a fetch; the result lands in `results`. */
  get(url: string | FetchRequest): { cancel(): void };
  /** The socket to drive: the last one made. */
  readonly sock: MockSocket;
}

function rig(options: Partial<HttpClientOptions> = {}, netOptions: MockNetworkOptions = {}): Rig {
  const net = new MockNetwork(netOptions);
  const clock = new FakeClock();
  const logs: string[] = [];
  const results: FetchResult[] = [];
  const client = new HttpClient({ sockets: net, timers: clock, log: (l) => logs.push(l), tls: { verify: true }, ...options });
  return {
    net, clock, client, results, logs,
    get: (url) => client.fetch(typeof url === "string" ? { url } : url, (r) => results.push(r)),
    get sock() { return net.last; },
  };
}

/** Connects TCP and finishes the handshake of the last https connection. */
function connect(r: Rig, tcpMs = 0, tlsMs = 0): MockSocket {
  r.clock.advance(tcpMs);
  r.sock.open();
  r.clock.advance(tlsMs);
  if (r.sock.kind === "tls") r.sock.open();
  return r.sock;
}

function summary(res: FetchResult | undefined): Json {
  if (!res) return "no result";
  const out: { [k: string]: Json } = { ok: res.ok, status: res.status, bytes: res.bytes, conn: res.conn };
  if (res.redirects) out.redirects = res.redirects;
  if (res.retried) out.retried = true;
  if (res.error) {
    out.code = res.error.code;
    out.phase = res.error.phase;
  }
  return out;
}

/** Nothing left behind: no timer, every socket closed with its callback cleared (idle ones closed first). */
function clean(r: Rig): Json {
  const pending = r.clock.pending;
  const idle = r.client.idleConnections;
  r.client.closeIdle();
  return { timers: pending, idle, released: r.net.allReleased };
}

function errorCase(script: (r: Rig) => void, options: Partial<HttpClientOptions> = {}, netOptions: MockNetworkOptions = {}): () => Json {
  return () => {
    const r = rig(options, netOptions);
    script(r);
    return { result: summary(r.results[0]), results: r.results.length, ...(clean(r) as { [k: string]: Json }) };
  };
}

const REQUEST = "GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: esp32-https-fetch/0.1 (Moddable XS)\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n";

export const suite: PortableSuite = {
  name: "connection engine over a scripted socket",
  cases: [
    {
      name: "https GET: connect, TLS wrap with SNI host and secure options, request, framed response, timings",
      run: () => {
        const r = rig();
        r.get("https://Example.com/");
        const tcp = r.sock;
        const state1 = { connects: r.net.connects.slice(), wraps: r.net.wraps.length };
        r.clock.advance(310);
        tcp.open();
        const tls = r.sock;
        r.clock.advance(1420);
        tls.open();
        r.clock.advance(95);
        tls.receive(OK("hello"), [7, 20, 3]);
        const res = r.results[0];
        return {
          state1,
          wrap: { host: r.net.wraps[0].host, protocolVersion: r.net.wraps[0].secure.protocolVersion, verify: r.net.wraps[0].secure.verify, cache: r.net.wraps[0].secure.cache },
          request: tls.written === REQUEST,
          tcpWrites: tcp.writes.length,
          result: summary(res),
          timings: res.timings as unknown as Json,
          finalUrl: res.finalUrl,
          clean: clean(r),
        };
      },
      expected: {
        state1: { connects: ["example.com:443"], wraps: 0 },
        wrap: { host: "example.com", protocolVersion: 0x303, verify: true, cache: true },
        request: true,
        tcpWrites: 0,
        result: { ok: true, status: 200, bytes: 5, conn: "new" },
        timings: { total: 1825, connect: 310, tls: 1420, ttfb: 95 },
        finalUrl: "https://example.com/",
        clean: { timers: 0, idle: 1, released: true },
      },
    },
    {
      name: "plain http skips TLS; a port in the URL reaches connect",
      run: () => {
        const r = rig();
        r.get("http://example.com:8080/x?y=1");
        connect(r, 5);
        r.sock.receive(OK("ab"));
        return { connects: r.net.connects, wraps: r.net.wraps.length, line: r.sock.written.split("\r\n").slice(0, 2), result: summary(r.results[0]), tls: r.results[0].timings.tls === undefined };
      },
      expected: { connects: ["example.com:8080"], wraps: 0, line: ["GET /x?y=1 HTTP/1.1", "Host: example.com:8080"], result: { ok: true, status: 200, bytes: 2, conn: "new" }, tls: true },
    },
    {
      name: "the request is written in pieces no larger than the reported write space",
      run: () => {
        const r = rig();
        r.get("https://example.com/");
        r.sock.open();
        const tls = r.sock;
        tls.space = 40;
        tls.open();
        tls.writable(0);
        tls.writable(30);
        tls.writable(100);
        tls.writable(100);
        return { sizes: tls.writes.map((w) => w.length), same: tls.written === REQUEST };
      },
      expected: { sizes: [40, 30, REQUEST.length - 70], same: true },
    },
    {
      name: "a response that comes before the request is fully written ends the fetch; the connection is not kept",
      run: () => {
        const r = rig();
        r.get("https://example.com/");
        r.sock.open();
        const s = r.sock;
        s.space = 10;
        s.open();
        s.receive("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        s.writable(1000);
        return { result: summary(r.results[0]), writes: s.writes.length, clean: clean(r) };
      },
      expected: { result: { ok: false, status: 400, bytes: 0, conn: "new", code: "HTTP_STATUS_400", phase: "response" }, writes: 1, clean: { timers: 0, idle: 0, released: true } },
    },
    {
      name: "the server closing while the request is being written",
      run: errorCase((r) => {
        r.get("https://example.com/");
        r.sock.open();
        r.sock.space = 10;
        r.sock.open();
        r.sock.hangUp();
      }),
      expected: { result: { ok: false, status: 0, bytes: 0, conn: "new", code: "CONNECTION_CLOSED_EARLY", phase: "request" }, results: 1, timers: 0, idle: 0, released: true },
    },
    {
      name: "a chunked body ends at its last chunk, with no disconnect",
      run: () => {
        const r = rig();
        r.get({ url: "https://example.com/", previewBytes: 20 });
        connect(r).receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", [1, 1, 30, 2, 9]);
        return { result: summary(r.results[0]), preview: r.results[0].preview as string, clean: clean(r) };
      },
      expected: { result: { ok: true, status: 200, bytes: 11, conn: "new" }, preview: "hello world", clean: { timers: 0, idle: 1, released: true } },
    },
    {
      name: "the same responses split anywhere (whole, byte by byte, 3-byte pieces) give the same results",
      run: () => {
        const wire = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\nX-T: 1\r\n\r\n${OK("second")}`;
        const out: Json[] = [];
        for (const size of [wire.length, 1, 3]) {
          const r = rig();
          r.get({ url: "https://example.com/", previewBytes: 10 });
          const s = connect(r);
          const sizes: number[] = [];
          for (let i = 0; i < wire.length; i += size) sizes.push(size);
          // The second request goes out once the first response is complete: deliver in two parts.
          const cut = wire.indexOf("HTTP/1.1 200 OK", 10);
          s.receive(wire.slice(0, cut), sizes);
          r.get({ url: "https://example.com/", previewBytes: 10 });
          s.receive(wire.slice(cut), sizes);
          out.push(r.results.map((x) => [summary(x), x.preview ?? ""]) as Json);
        }
        const same = JSON.stringify(out[0]) === JSON.stringify(out[1]) && JSON.stringify(out[1]) === JSON.stringify(out[2]);
        return same ? out[0] : out;
      },
      expected: [
        [{ ok: true, status: 200, bytes: 4, conn: "new" }, "abcd"],
        [{ ok: true, status: 200, bytes: 6, conn: "reused" }, "second"],
      ],
    },
    {
      name: "a close-delimited body ends at the disconnect and the connection is not kept",
      run: () => {
        const r = rig();
        r.get("https://example.com/");
        const s = connect(r);
        s.receive("HTTP/1.1 200 OK\r\n\r\nabc");
        const before = r.results.length;
        s.receive("def");
        s.hangUp();
        return { before, result: summary(r.results[0]), clean: clean(r) };
      },
      expected: { before: 0, result: { ok: true, status: 200, bytes: 6, conn: "new" }, clean: { timers: 0, idle: 0, released: true } },
    },
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
    {
      name: "timeout: connect",
      run: errorCase((r) => {
        r.get("https://example.com/");
        r.clock.advance(999);
        r.clock.advance(1);
      }, { timeouts: { connect: 1000 } }),
      expected: { result: { ok: false, status: 0, bytes: 0, conn: "new", code: "TIMEOUT_CONNECT", phase: "timeout" }, results: 1, timers: 0, idle: 0, released: true },
    },
    {
      name: "timeout: TLS handshake, timed from the wrap, not from the connect",
      run: () => {
        const r = rig({ timeouts: { connect: 1000, handshake: 3000 } });
        r.get("https://example.com/");
        r.clock.advance(900);
        r.sock.open();
        r.clock.advance(2999);
        const early = r.results.length;
        r.clock.advance(1);
        return { early, result: summary(r.results[0]), detail: r.results[0].error?.detail ?? "", clean: clean(r) };
      },
      expected: { early: 0, result: { ok: false, status: 0, bytes: 0, conn: "new", code: "TIMEOUT_HANDSHAKE", phase: "timeout" }, detail: "handshake timeout after 3000 ms (handshaking)", clean: { timers: 0, idle: 0, released: true } },
    },
    {
      name: "timeout: first byte, also when the write space never comes",
      run: () => {
        const out: Json[] = [];
        for (const space of [65536, 0]) {
          const r = rig({ timeouts: { firstByte: 2000 } });
          r.get("https://example.com/");
          r.sock.open();
          r.sock.space = space;
          r.sock.open();
          r.clock.advance(2000);
          out.push([summary(r.results[0]), clean(r)]);
        }
        return out;
      },
      expected: [
        [{ ok: false, status: 0, bytes: 0, conn: "new", code: "TIMEOUT_FIRST_BYTE", phase: "timeout" }, { timers: 0, idle: 0, released: true }],
        [{ ok: false, status: 0, bytes: 0, conn: "new", code: "TIMEOUT_FIRST_BYTE", phase: "timeout" }, { timers: 0, idle: 0, released: true }],
      ],
    },
    {
      name: "timeout: idle gap between bytes; bytes that keep coming hold it off",
      run: () => {
        const r = rig({ timeouts: { idle: 1000, total: 60000 } });
        r.get("https://example.com/");
        const s = connect(r);
        s.receive("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
        for (let i = 0; i < 5; i++) {
          r.clock.advance(900);
          s.receive("x");
        }
        const early = r.results.length;
        r.clock.advance(1000);
        return { early, result: summary(r.results[0]), clean: clean(r) };
      },
      expected: { early: 0, result: { ok: false, status: 200, bytes: 5, conn: "new", code: "TIMEOUT_IDLE", phase: "timeout" }, clean: { timers: 0, idle: 0, released: true } },
    },
    {
      name: "timeout: total, for a body that trickles under the idle limit",
      run: errorCase((r) => {
        r.get("https://example.com/");
        const s = connect(r);
        s.receive("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
        for (let i = 0; i < 20; i++) {
          r.clock.advance(400);
          s.receive("x");
        }
      }, { timeouts: { idle: 1000, total: 5000 } }),
      expected: { result: { ok: false, status: 200, bytes: 12, conn: "new", code: "TIMEOUT_TOTAL", phase: "timeout" }, results: 1, timers: 0, idle: 0, released: true },
    },
    {
      name: "the wall clock stepping back an hour (SNTP) neither stretches a timeout nor makes a timing negative",
      run: () => {
        const r = rig({ timeouts: { firstByte: 2000 } });
        r.get("https://example.com/");
        connect(r, 10, 20);
        r.clock.advance(500);
        r.clock.jump(-3600000);
        r.clock.advance(1499);
        const early = r.results.length;
        r.clock.advance(1);
        return { early, result: summary(r.results[0]), total: r.results[0].timings.total, clean: clean(r) };
      },
      expected: { early: 0, result: { ok: false, status: 0, bytes: 0, conn: "new", code: "TIMEOUT_FIRST_BYTE", phase: "timeout" }, total: 2030, clean: { timers: 0, idle: 0, released: true } },
    },
    {
      name: "TLS -2 with the captured text is decoded (alert 70, TLS 1.2 offered)",
      run: () => {
        const r = rig();
        r.get("https://example.com/");
        r.sock.open();
        r.sock.fail("TLS: alert: 2, 70");
        const e = r.results[0].error;
        return { code: e?.code ?? "", phase: e?.phase ?? "", detail: e?.detail ?? "", tlsOnly: /TLS 1\.3/.test(e?.hint ?? ""), clean: clean(r) };
      },
      expected: { code: "TLS_ALERT_PROTOCOL_VERSION", phase: "tls-handshake", detail: "TLS: alert: 2, 70", tlsOnly: true, clean: { timers: 0, idle: 0, released: true } },
    },
    {
      name: "TLS -2 without text, and with a clock before the build year",
      run: () => {
        const a = rig();
        a.get("https://example.com/");
        a.sock.open();
        a.sock.fail();
        const b = rig({ buildYear: 2030 });
        b.get("https://example.com/");
        b.sock.open();
        b.sock.fail();
        return [summary(a.results[0]), summary(b.results[0])];
      },
      expected: [
        { ok: false, status: 0, bytes: 0, conn: "new", code: "TLS_ERROR_UNKNOWN", phase: "tls-handshake" },
        { ok: false, status: 0, bytes: 0, conn: "new", code: "TLS_CLOCK_NOT_SET", phase: "tls-handshake" },
      ],
    },
    {
      name: "certificate rejected during the handshake",
      run: errorCase((r) => {
        r.get("https://example.com/");
        r.sock.open();
        r.sock.fail("TLS: certificate: auth err");
      }, { tls: { verify: true, caCertificates: [Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01)] } }),
      expected: { result: { ok: false, status: 0, bytes: 0, conn: "new", code: "TLS_CERT_UNTRUSTED", phase: "tls-handshake" }, results: 1, timers: 0, idle: 0, released: true },
    },
    {
      name: "the SecureSocket constructor throwing (expired CA) is a connect-phase TLS error",
      run: errorCase((r) => {
        r.get("https://example.com/");
        r.sock.open();
      }, {}, { tlsThrows: "date validation failed" }),
      expected: { result: { ok: false, status: 0, bytes: 0, conn: "new", code: "TLS_CA_EXPIRED", phase: "connect" }, results: 1, timers: 0, idle: 0, released: true },
    },
    {
      name: "the server closing during the handshake",
      run: errorCase((r) => {
        r.get("https://example.com/");
        r.sock.open();
        r.sock.hangUp();
      }),
      expected: { result: { ok: false, status: 0, bytes: 0, conn: "new", code: "TLS_HANDSHAKE_CLOSED", phase: "tls-handshake" }, results: 1, timers: 0, idle: 0, released: true },
    },
    {
      name: "TCP errors: -2 while connecting, and a DNS failure thrown by connect",
      run: () => {
        const a = rig();
        a.get("https://example.com/");
        a.sock.fail();
        const b = rig({}, { connectThrows: "dns lookup failed" });
        b.get("https://nowhere.example/");
        const during = b.results.length;
        b.clock.advance(0);
        return [summary(a.results[0]), summary(b.results[0]), b.results[0].error?.detail ?? "", clean(a), clean(b), during];
      },
      expected: [
        { ok: false, status: 0, bytes: 0, conn: "new", code: "CONNECT_FAILED", phase: "connect" },
        { ok: false, status: 0, bytes: 0, conn: "none", code: "DNS_FAILED", phase: "dns" },
        "could not resolve nowhere.example: dns lookup failed",
        { timers: 0, idle: 0, released: true },
        { timers: 0, idle: 0, released: true },
        0,
      ],
    },
    {
      name: "the server closing after the request, before answering (new connection: not retried)",
      run: errorCase((r) => {
        r.get("https://example.com/");
        connect(r).hangUp();
      }),
      expected: { result: { ok: false, status: 0, bytes: 0, conn: "new", code: "CONNECTION_CLOSED_EARLY", phase: "response" }, results: 1, timers: 0, idle: 0, released: true },
    },
    {
      name: "a body cut short by a disconnect is BODY_TRUNCATED, never a success",
      run: errorCase((r) => {
        r.get("https://example.com/");
        const s = connect(r);
        s.receive("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        s.hangUp();
      }),
      expected: { result: { ok: false, status: 200, bytes: 3, conn: "new", code: "BODY_TRUNCATED", phase: "response" }, results: 1, timers: 0, idle: 0, released: true },
    },
    {
      name: "a malformed response is a parse error with its code",
      run: errorCase((r) => {
        r.get("https://example.com/");
        connect(r).receive("SSH-2.0-OpenSSH\r\n");
      }),
      expected: { result: { ok: false, status: 0, bytes: 0, conn: "new", code: "HTTP_BAD_STATUS_LINE", phase: "response" }, results: 1, timers: 0, idle: 0, released: true },
    },
    {
      name: "status >= 400 is a result with a diagnosis; its connection stays reusable",
      run: () => {
        const r = rig();
        r.get("https://example.com/missing");
        connect(r).receive("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found");
        return { result: summary(r.results[0]), detail: r.results[0].error?.detail ?? "", idle: r.client.idleConnections };
      },
      expected: { result: { ok: false, status: 404, bytes: 9, conn: "new", code: "HTTP_STATUS_404", phase: "response" }, detail: "HTTP 404 Not Found", idle: 1 },
    },
    {
      name: "an interim 100 Continue is skipped; HEAD has no body despite Content-Length",
      run: () => {
        const r = rig();
        r.get({ url: "https://example.com/", method: "HEAD" });
        const s = connect(r);
        s.receive("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n");
        return { result: summary(r.results[0]), line: s.written.split("\r\n")[0], idle: r.client.idleConnections };
      },
      expected: { result: { ok: true, status: 200, bytes: 0, conn: "new" }, line: "HEAD / HTTP/1.1", idle: 1 },
    },
    {
      name: "bytes after a complete response: the result stands, the connection is not reused",
      run: () => {
        const r = rig();
        r.get("https://example.com/");
        const s = connect(r);
        s.receive(`${OK("ab")}HTTP/1.1 200 OK\r\n`);
        return { result: summary(r.results[0]), idle: r.client.idleConnections, released: s.released };
      },
      expected: { result: { ok: true, status: 200, bytes: 2, conn: "new" }, idle: 0, released: true },
    },
    {
      name: "redirect: a relative Location is resolved and followed on the same kept connection",
      run: () => {
        const r = rig();
        r.get("https://example.com/a/b");
        const s = connect(r);
        s.receive("HTTP/1.1 302 Found\r\nLocation: ../c?d=1\r\nContent-Length: 5\r\n\r\nmoved");
        s.receive(OK("final"));
        const res = r.results[0];
        return { result: summary(res), finalUrl: res.finalUrl, url: res.url, connects: r.net.connects.length, second: s.written.split("\r\n\r\n")[1].split("\r\n")[0] };
      },
      expected: { result: { ok: true, status: 200, bytes: 5, conn: "reused", redirects: 1 }, finalUrl: "https://example.com/c?d=1", url: "https://example.com/a/b", connects: 1, second: "GET /c?d=1 HTTP/1.1" },
    },
    {
      name: "redirect to another origin: new connection, and secret headers are not sent there",
      run: () => {
        const r = rig();
        r.get({ url: "https://example.com/", headers: { Authorization: "Bearer s3cret", "X-Trace": "1" } });
        const first = connect(r);
        first.receive("HTTP/1.1 301 Moved\r\nLocation: https://other.example/x\r\nContent-Length: 0\r\n\r\n");
        const second = connect(r);
        second.receive(OK("ok"));
        return {
          result: summary(r.results[0]),
          firstHasAuth: first.written.indexOf("Authorization: Bearer s3cret") > 0,
          secondHasAuth: second.written.indexOf("Authorization") > 0,
          secondHasTrace: second.written.indexOf("X-Trace: 1") > 0,
          connects: r.net.connects,
          clean: clean(r),
        };
      },
      expected: {
        result: { ok: true, status: 200, bytes: 2, conn: "new", redirects: 1 },
        firstHasAuth: true,
        secondHasAuth: false,
        secondHasTrace: true,
        connects: ["example.com:443", "other.example:443"],
        clean: { timers: 0, idle: 2, released: true },
      },
    },
    {
      name: "redirect loop is detected",
      run: errorCase((r) => {
        r.get("https://example.com/a");
        const s = connect(r);
        s.receive("HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n");
        s.receive("HTTP/1.1 302 Found\r\nLocation: /a\r\nContent-Length: 0\r\n\r\n");
      }),
      expected: { result: { ok: false, status: 302, bytes: 0, conn: "reused", redirects: 1, code: "REDIRECT_LOOP", phase: "response" }, results: 1, timers: 0, idle: 1, released: true },
    },
    {
      name: "redirect limit: the default of 5 is followed, the 6th is refused",
      run: () => {
        const r = rig();
        r.get("https://example.com/0");
        const s = connect(r);
        for (let i = 1; i <= 6; i++) s.receive(`HTTP/1.1 307 Temporary\r\nLocation: /${i}\r\nContent-Length: 0\r\n\r\n`);
        return { result: summary(r.results[0]), detail: r.results[0].error?.detail ?? "", requests: s.written.split("GET ").length - 1 };
      },
      expected: { result: { ok: false, status: 307, bytes: 0, conn: "reused", redirects: 5, code: "REDIRECT_TOO_MANY", phase: "response" }, detail: "6 redirects (limit 5) to https://example.com/6", requests: 6 },
    },
    {
      name: "https to http redirect is refused unless explicitly allowed",
      run: () => {
        const loc = "HTTP/1.1 301 Moved\r\nLocation: http://example.com/\r\nContent-Length: 0\r\n\r\n";
        const a = rig();
        a.get("https://example.com/");
        connect(a).receive(loc);
        const b = rig({ allowHttpsToHttpRedirect: true });
        b.get("https://example.com/");
        connect(b).receive(loc);
        connect(b).receive(OK("plain"));
        return [summary(a.results[0]), summary(b.results[0]), b.net.connects];
      },
      expected: [
        { ok: false, status: 301, bytes: 0, conn: "new", code: "REDIRECT_DOWNGRADE_REFUSED", phase: "response" },
        { ok: true, status: 200, bytes: 5, conn: "new", redirects: 1 },
        ["example.com:443", "example.com:80"],
      ],
    },
    {
      name: "redirect without Location, with a bad Location, and with redirects off",
      run: () => {
        const a = rig();
        a.get("https://example.com/");
        connect(a).receive("HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n");
        const b = rig();
        b.get("https://example.com/");
        connect(b).receive("HTTP/1.1 302 Found\r\nLocation: ftp://example.com/\r\nContent-Length: 0\r\n\r\n");
        const c = rig({ maxRedirects: 0 });
        c.get("https://example.com/");
        connect(c).receive("HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n");
        return [summary(a.results[0]), summary(b.results[0]), summary(c.results[0])];
      },
      expected: [
        { ok: false, status: 302, bytes: 0, conn: "new", code: "REDIRECT_MISSING_LOCATION", phase: "response" },
        { ok: false, status: 302, bytes: 0, conn: "new", code: "REDIRECT_BAD_LOCATION", phase: "response" },
        { ok: true, status: 302, bytes: 0, conn: "new" },
      ],
    },
    {
      name: "body: preview and capture are capped; onBody streams every byte",
      run: () => {
        const r = rig();
        let streamed = 0;
        r.get({ url: "https://example.com/", previewBytes: 4, captureBytes: 6, onBody: (d) => { streamed += d.length; } });
        connect(r).receive(OK("h\u00c3\u00a9llo world"), [30, 3, 3]);
        const res = r.results[0];
        return { preview: res.preview ?? null, body: Array.from(res.body ?? []), streamed, bytes: res.bytes };
      },
      expected: { preview: "h\u00e9l", body: [104, 195, 169, 108, 108, 111], streamed: 12, bytes: 12 },
    },
    {
      name: "body: maxBodyBytes refuses a large Content-Length at once, and a long chunked body as it grows",
      run: () => {
        const a = rig();
        a.get({ url: "https://example.com/", maxBodyBytes: 10 });
        connect(a).receive("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n");
        const b = rig();
        b.get({ url: "https://example.com/", maxBodyBytes: 10 });
        const s = connect(b);
        s.receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n");
        const early = b.results.length;
        s.receive("6\r\nghijkl\r\n");
        return [summary(a.results[0]), early, summary(b.results[0]), clean(a), clean(b)];
      },
      expected: [
        { ok: false, status: 200, bytes: 0, conn: "new", code: "BODY_TOO_LARGE", phase: "response" },
        0,
        { ok: false, status: 200, bytes: 12, conn: "new", code: "BODY_TOO_LARGE", phase: "response" },
        { timers: 0, idle: 0, released: true },
        { timers: 0, idle: 0, released: true },
      ],
    },
    {
      name: "bad input is an error result, delivered later (never inside fetch), with no socket opened",
      run: () => {
        const r = rig();
        r.get("https://user:pw@example.com/");
        r.get({ url: "https://example.com/", headers: { "X-A": "1\r\nInjected: yes" } });
        r.get({ url: "https://example.com/", method: "OPTIONS" as "GET" });
        r.get("ftp://example.com/");
        r.get({ url: "https://example.com/", maxBodyBytes: -1 });
        const during = r.results.length;
        r.clock.advance(0);
        const leak = r.results.some((x) => /pw@/.test(JSON.stringify([x.url, x.finalUrl, x.error])));
        return { during, leak, codes: r.results.map((x) => (x.error ? x.error.code : "")), conns: r.results.map((x) => x.conn), sockets: r.net.sockets.length, clean: clean(r) };
      },
      expected: {
        during: 0,
        leak: false,
        codes: ["URL_USERINFO", "REQUEST_HEADER_INJECTION", "REQUEST_BAD_METHOD", "URL_UNSUPPORTED_SCHEME", "REQUEST_INVALID"],
        conns: ["none", "none", "none", "none", "none"],
        sockets: 0,
        clean: { timers: 0, idle: 0, released: true },
      },
    },
    {
      name: "a write that throws fails the fetch; SecureSocket calling back after the close is harmless",
      run: errorCase((r) => {
        r.get({ url: "https://example.com/", headers: { "X-Pad": "p".repeat(200) } });
        r.sock.open();
        const tls = r.sock;
        tls.space = 100;
        tls.open();
        tls.writeThrows = "can't write all data";
        tls.writable(100);
      }),
      expected: { result: { ok: false, status: 0, bytes: 0, conn: "new", code: "REQUEST_WRITE_OVERFLOW", phase: "request" }, results: 1, timers: 0, idle: 0, released: true },
    },
    {
      name: "cancel: no result, socket closed, no timer left (also for a result waiting to be delivered)",
      run: () => {
        const r = rig();
        const h = r.get("https://example.com/");
        r.sock.open();
        h.cancel();
        r.clock.advance(60000);
        const bad = r.get("https://user:pw@example.com/");
        bad.cancel();
        r.clock.advance(0);
        return { results: r.results.length, clean: clean(r) };
      },
      expected: { results: 0, clean: { timers: 0, idle: 0, released: true } },
    },
    {
      name: "session cache off reaches the TLS wrap (trust tests need it: a resumed session skips verification)",
      run: () => {
        const r = rig({ tls: { cache: false, tls: "1.2", serverName: "api.example.com" } });
        r.get("https://10.0.0.2/");
        r.sock.open();
        const w = r.net.wraps[0];
        return { host: w.host, cache: w.secure.cache, serverName: w.secure.serverName ?? null };
      },
      expected: { host: "10.0.0.2", cache: false, serverName: "api.example.com" },
    },
    {
      name: "TLS warnings: verification off is logged on every new connection; a legacy version once",
      run: () => {
        const r = rig({ tls: { verify: false, tls: "1.1" } });
        r.get("https://a.example/");
        r.sock.open();
        r.get("https://b.example/");
        r.sock.open();
        return r.logs.map((l) => l.split(" ").slice(0, 3).join(" "));
      },
      expected: ["warning TLS_LEGACY_VERSION host=a.example", "warning TLS_VERIFY_OFF host=a.example", "warning TLS_VERIFY_OFF host=b.example"],
    },
    {
      name: "allowing https to http redirects is logged once; TLS warnings wait for a TLS connection",
      run: () => {
        const r = rig({ allowHttpsToHttpRedirect: true, tls: { tls: "1.1", caCertificates: [Uint8Array.of(0x30, 0x00)] } });
        r.get("http://a.example/");
        r.sock.open();
        r.get("https://b.example/");
        r.sock.open();
        r.get("https://c.example/");
        r.sock.open();
        return r.logs.map((l) => l.split(" ").slice(0, 3).join(" "));
      },
      expected: ["warning REDIRECT_DOWNGRADE_ALLOWED host=a.example", "warning TLS_LEGACY_VERSION host=b.example"],
    },
    {
      name: "a callback that throws does not break the engine",
      run: () => {
        const r = rig();
        r.client.fetch({ url: "https://example.com/" }, () => { throw new Error("boom"); });
        connect(r).receive(OK("1"));
        return { logs: r.logs.filter((l) => l.indexOf("error") === 0), idle: r.client.idleConnections, timers: r.clock.pending };
      },
      expected: { logs: ["error fetch callback threw: boom"], idle: 1, timers: 0 },
    },
    {
      name: "bad client options are refused at construction with a specific code",
      run: () => {
        const codes: Json[] = [];
        for (const bad of [{ timeouts: { connect: 0 } }, { timeouts: { idle: -5 } }, { maxRedirects: -1 }, { tls: { tls: "1.3" } }] as Partial<HttpClientOptions>[]) {
          try {
            rig(bad);
            codes.push("accepted");
          } catch (e) {
            codes.push(String((e as { code?: string }).code));
          }
        }
        return codes;
      },
      expected: ["CONFIG_BAD_VALUE", "CONFIG_BAD_VALUE", "CONFIG_BAD_VALUE", "CONFIG_TLS_VERSION_UNSUPPORTED"],
    },
  ],
};
