/**
 * One request and its response, driven through the scripted socket and the fake clock: the TLS
 * wrap with SNI, the request written in pieces, the response's framing (length, chunked, close)
 * however its bytes are split, and what a response may hold (errors, interim responses, extra bytes).
 * The rig and its summaries: support/engine-rig-portable.ts.
 */
import { clean, connect, errorCase, OK, REQUEST, rig, summary } from "../support/engine-rig-portable";
import { Json, PortableSuite } from "./suite";

export const suite: PortableSuite = {
  name: "connection engine: one request and its response",
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
  ],
};
