/**
 * Requests with bodies through the engine, over the scripted socket: framing on the wire, the
 * write-space rule for bodies, streams read only as the socket takes them, redirect method rules,
 * and exactly when a request with a body is (not) sent again. The rig: support/engine-rig-portable.ts.
 */
import type { FetchResult } from "../../modules/client/fetch-types";
import type { StreamBody } from "../../modules/http/body";
import { dechunk } from "../support/chunked-portable";
import { connect, OK, rig, type Rig } from "../support/engine-rig-portable";
import { Json, PortableSuite } from "./suite";

function summary(res: FetchResult | undefined): Json {
  if (!res) return "no result";
  const out: { [k: string]: Json } = { ok: res.ok, status: res.status, conn: res.conn };
  if (res.redirects) out.redirects = res.redirects;
  if (res.retried) out.retried = true;
  if (res.error) out.code = res.error.code;
  return out;
}

function clean(r: Rig): Json {
  const pending = r.clock.pending;
  r.client.closeIdle();
  return { timers: pending, released: r.net.allReleased };
}

/** A stream of `total` bytes of "x", counting its reads. */
function stream(total: number, declare = false): StreamBody & { reads: number; asked: number[] } {
  let sent = 0;
  const s = {
    reads: 0,
    asked: [] as number[],
    read(max: number): Uint8Array | null {
      s.reads++;
      s.asked.push(max);
      const n = Math.min(max, total - sent);
      if (n <= 0) return null;
      sent += n;
      return new Uint8Array(n).fill(120);
    },
  } as StreamBody & { reads: number; asked: number[] };
  if (declare) s.length = total;
  return s;
}

/** The request line and the body of what was written (one request). */
function split(written: string): { line: string; head: string; body: string } {
  const end = written.indexOf("\r\n\r\n");
  return { line: written.slice(0, written.indexOf("\r\n")), head: written.slice(0, end), body: written.slice(end + 4) };
}


export const suite: PortableSuite = {
  name: "requests with bodies through the engine",
  cases: [
    {
      name: "POST with a JSON text body: framing, default headers kept, head and small body in one write",
      run: () => {
        const r = rig();
        r.get({ url: "https://example.com/in", method: "POST", headers: { "Content-Type": "application/json", Authorization: "Bearer t" }, body: '{"t":1}' });
        const s = connect(r);
        const w = split(s.written);
        s.receive(OK("ok"));
        return { line: w.line, length: /\r\nContent-Length: 7(\r\n|$)/.test(w.head), type: w.head.indexOf("Content-Type: application/json") > 0, body: w.body, writes: s.writes.length, result: summary(r.results[0]), clean: clean(r) };
      },
      expected: { line: "POST /in HTTP/1.1", length: true, type: true, body: '{"t":1}', writes: 1, result: { ok: true, status: 200, conn: "new" }, clean: { timers: 0, released: true } },
    },
    {
      name: "a 100 KB stream over TLS: every write within the reported space, read only when there is space, chunks decode to the bytes",
      run: () => {
        const r = rig();
        const body = stream(100 * 1024);
        r.get({ url: "https://example.com/up", method: "POST", body });
        const s = connect(r);
        let over = 0;
        let guard = 0;
        const readsBefore: number[] = [];
        while (r.results.length === 0 && guard++ < 1000) {
          const before = s.writes.length;
          readsBefore.push(body.reads);
          s.writable(1024);
          for (let i = before; i < s.writes.length; i++) if (s.writes[i].length > 1024) over++;
          if (split(s.written).body.endsWith("0\r\n\r\n")) break;
        }
        const w = split(s.written);
        s.receive(OK("done"));
        return { over, chunked: w.head.indexOf("Transfer-Encoding: chunked") > 0, length: dechunk(w.body).length, allX: /^x*$/.test(dechunk(w.body)), readOnlyOnSpace: body.asked.every((n) => n <= 1024), result: summary(r.results[0]), clean: clean(r) };
      },
      expected: { over: 0, chunked: true, length: 102400, allX: true, readOnlyOnSpace: true, result: { ok: true, status: 200, conn: "new" }, clean: { timers: 0, released: true } },
    },
    {
      name: "a stream with a length goes out with Content-Length and exactly its bytes",
      run: () => {
        const r = rig();
        r.get({ url: "http://example.com/up", method: "PUT", body: stream(5000, true) });
        const s = connect(r);
        for (let i = 0; i < 20 && split(s.written).body.length < 5000; i++) s.writable(700);
        const w = split(s.written);
        s.receive(OK(""));
        return { length: /Content-Length: 5000/.test(w.head), bytes: w.body.length, result: summary(r.results[0]) };
      },
      expected: { length: true, bytes: 5000, result: { ok: true, status: 200, conn: "new" } },
    },
    {
      name: "a body with GET, a bad body type and a wrong method are error results before any socket",
      run: () => {
        const r = rig();
        r.get({ url: "https://example.com/", body: "x" });
        r.get({ url: "https://example.com/", method: "POST", body: 42 as unknown as string });
        r.get({ url: "https://example.com/", method: "post" as "POST" });
        r.clock.advance(0);
        return { codes: r.results.map((x) => (x.error ? x.error.code : "ok")), hints: r.results.map((x) => (x.error ? x.error.hint : "")), connects: r.net.connects.length };
      },
      expected: { codes: ["REQUEST_BODY_NOT_ALLOWED", "REQUEST_BAD_BODY", "REQUEST_BAD_METHOD"], hints: ["fix the request body", "fix the request body", "fix the request method"], connects: 0 },
    },
    {
      name: "a stream that throws fails the fetch with REQUEST_BODY_FAILED; nothing is left behind",
      run: () => {
        const r = rig();
        r.get({ url: "https://example.com/", method: "POST", body: { read: () => { throw new Error("sensor gone"); } } });
        connect(r);
        return { result: summary(r.results[0]), detail: r.results[0] ? (r.results[0].error as { detail: string }).detail : "", clean: clean(r) };
      },
      expected: { result: { ok: false, status: 0, conn: "new", code: "REQUEST_BODY_FAILED" }, detail: "the body stream's read() threw: sensor gone", clean: { timers: 0, released: true } },
    },
    {
      name: "a server answering before the body is sent (401): the stream is read no further, the connection is not kept",
      run: () => {
        const r = rig();
        const body = stream(50000);
        r.get({ url: "https://example.com/", method: "POST", body });
        const s = connect(r);
        const reads = body.reads;
        s.receive("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
        s.writable(1024);
        return { result: summary(r.results[0]), moreReads: body.reads - reads, clean: clean(r) };
      },
      expected: { result: { ok: false, status: 401, conn: "new", code: "HTTP_STATUS_401" }, moreReads: 0, clean: { timers: 0, released: true } },
    },
    {
      name: "redirect method rules: 303 and 301/302 after POST become GET without body or Content-Type; 307/308 resend method and body; 301 keeps PUT",
      run: () => {
        const out: Json[] = [];
        for (const [status, method] of [[303, "POST"], [302, "POST"], [301, "POST"], [307, "POST"], [308, "PATCH"], [301, "PUT"], [303, "HEAD"]] as [number, "POST"][]) {
          const r = rig();
          const hasBody = method !== ("HEAD" as string);
          r.get({ url: "https://example.com/a", method, headers: { "Content-Type": "application/json", "X-Keep": "1" }, ...(hasBody ? { body: "{}" } : {}) });
          const s = connect(r);
          const first = s.written.length;
          s.receive(`HTTP/1.1 ${status} Moved\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n`);
          const second = split(s.written.slice(first));
          s.receive(OK(""));
          out.push([status, method, second.line, second.body, second.head.indexOf("Content-Type") > 0, second.head.indexOf("X-Keep: 1") > 0, r.results[0] ? r.results[0].redirects : -1]);
        }
        return out;
      },
      expected: [
        [303, "POST", "GET /b HTTP/1.1", "", false, true, 1],
        [302, "POST", "GET /b HTTP/1.1", "", false, true, 1],
        [301, "POST", "GET /b HTTP/1.1", "", false, true, 1],
        [307, "POST", "POST /b HTTP/1.1", "{}", true, true, 1],
        [308, "PATCH", "PATCH /b HTTP/1.1", "{}", true, true, 1],
        [301, "PUT", "PUT /b HTTP/1.1", "{}", true, true, 1],
        [303, "HEAD", "HEAD /b HTTP/1.1", "", true, true, 1],
      ],
    },
    {
      name: "307 after a streamed body fails with REDIRECT_BODY_NOT_REPLAYABLE (303 is fine: it becomes a GET)",
      run: () => {
        const codes: Json[] = [];
        for (const status of [307, 303]) {
          const r = rig();
          r.get({ url: "https://example.com/a", method: "POST", body: stream(10) });
          const s = connect(r);
          s.receive(`HTTP/1.1 ${status} Moved\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n`);
          if (status === 303) s.receive(OK(""));
          codes.push(summary(r.results[0]));
        }
        return codes;
      },
      expected: [{ ok: false, status: 307, conn: "new", code: "REDIRECT_BODY_NOT_REPLAYABLE" }, { ok: true, status: 200, conn: "reused", redirects: 1 }],
    },
    {
      name: "stale keep-alive: a POST written on a reused connection that then closes is NOT sent again (the error says why)",
      run: () => {
        const r = rig();
        r.get({ url: "https://example.com/" });
        connect(r).receive(OK("1"));
        r.get({ url: "https://example.com/in", method: "POST", body: "{}" });
        const reused = r.sock;
        const wrote = reused.writes.length;
        reused.hangUp();
        const res = r.results[1];
        return { wrote: wrote > 1, result: summary(res), connects: r.net.connects.length, note: res && res.error ? res.error.detail.indexOf("not sent again: a POST was written") >= 0 : false, clean: clean(r) };
      },
      expected: { wrote: true, result: { ok: false, status: 0, conn: "reused", code: "CONNECTION_CLOSED_EARLY" }, connects: 1, note: true, clean: { timers: 0, released: true } },
    },
    {
      name: "stale keep-alive: a POST not yet written (no write space) when the reused connection closes is sent once on a new one",
      run: () => {
        const r = rig();
        r.get({ url: "https://example.com/" });
        const first = connect(r);
        first.receive(OK("1"));
        first.space = 0;
        const body = stream(10, true);
        r.get({ url: "https://example.com/in", method: "POST", body });
        const readsOnStale = body.reads;
        first.hangUp();
        const fresh = connect(r);
        const w = split(fresh.written);
        fresh.receive(OK("ok"));
        return { readsOnStale, result: summary(r.results[1]), body: w.body, connects: r.net.connects.length };
      },
      expected: { readsOnStale: 0, result: { ok: true, status: 200, conn: "new", retried: true }, body: "xxxxxxxxxx", connects: 2 },
    },
    {
      name: "stale keep-alive: a DELETE without a body, written, then no first byte: not sent again either",
      run: () => {
        const r = rig({ timeouts: { firstByte: 1000, total: 30000 } });
        r.get({ url: "https://example.com/" });
        connect(r).receive(OK("1"));
        r.get({ url: "https://example.com/item/1", method: "DELETE" });
        r.clock.advance(1000);
        return { result: summary(r.results[1]), connects: r.net.connects.length, clean: clean(r) };
      },
      expected: { result: { ok: false, status: 0, conn: "reused", code: "TIMEOUT_FIRST_BYTE" }, connects: 1, clean: { timers: 0, released: true } },
    },
    {
      name: "an upload slower than firstByte lives while its pieces keep moving; the first-byte wait starts when it is all sent",
      run: () => {
        const r = rig({ timeouts: { firstByte: 3000, idle: 3000, total: 60000 } });
        r.get({ url: "https://example.com/up", method: "POST", body: stream(20 * 1000, true) });
        const s = connect(r);
        s.space = 0;
        for (let i = 0; i < 20 && r.results.length === 0; i++) {
          r.clock.advance(2000);
          s.writable(1000);
        }
        const sentAt = r.results.length;
        r.clock.advance(2900);
        const beforeDeadline = r.results.length;
        s.receive(OK("ok"));
        return { failedWhileSending: sentAt, beforeDeadline, result: summary(r.results[0]), bytes: split(s.written).body.length };
      },
      expected: { failedWhileSending: 0, beforeDeadline: 0, result: { ok: true, status: 200, conn: "new" }, bytes: 20000 },
    },
    {
      name: "an upload that stalls (no write space) fails after firstByte or idle, whichever is later",
      run: () => {
        const r = rig({ timeouts: { firstByte: 3000, idle: 5000, total: 60000 } });
        r.get({ url: "https://example.com/up", method: "POST", body: stream(20000, true) });
        const s = connect(r);
        s.space = 0;
        s.writable(1000);
        r.clock.advance(4999);
        const early = r.results.length;
        r.clock.advance(1);
        return { early, result: summary(r.results[0]), phase: r.results[0] ? (r.results[0].error as { phase: string }).phase : "", clean: clean(r) };
      },
      expected: { early: 0, result: { ok: false, status: 0, conn: "new", code: "TIMEOUT_FIRST_BYTE" }, phase: "timeout", clean: { timers: 0, released: true } },
    },
  ],
};
