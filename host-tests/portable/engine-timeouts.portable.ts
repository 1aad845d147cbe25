/**
 * Every deadline of a fetch, driven through the fake clock: connect, handshake, first byte, idle
 * gap, total; and a wall clock that steps back neither stretches a timeout nor makes a timing
 * negative.
 * The rig and its summaries: support/engine-rig-portable.ts.
 */
import { clean, connect, errorCase, rig, summary } from "../support/engine-rig-portable";
import { Json, PortableSuite } from "./suite";

export const suite: PortableSuite = {
  name: "connection engine: every deadline",
  cases: [
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
  ],
};
