/**
 * Whatever a socket does, in whatever order, the engine must not throw out of a socket callback,
 * must deliver exactly one result per fetch by the total deadline, and must leave no timer or
 * socket callback behind.
 */
import fc from "fast-check";
import { latin1Bytes } from "../modules/base/bytes";
import type { FetchResult } from "../modules/client/fetch-types";
import { HttpClient } from "../modules/client/http-client";
import { FakeClock, MockNetwork, MockSocket } from "./support/mock-net-portable";

type Step =
  | { op: "open" }
  | { op: "receive"; data: Uint8Array; split: number }
  | { op: "writable"; n: number }
  | { op: "fail"; text: string | undefined }
  | { op: "hangUp" }
  | { op: "advance"; ms: number }
  | { op: "fetch"; url: string };

const RESPONSES = [
  "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
  "HTTP/1.1 301 Moved\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n",
  "HTTP/1.1 302 Found\r\nLocation: https://other.example/\r\nContent-Length: 0\r\n\r\n",
  "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
  "HTTP/1.0 200 OK\r\n\r\nuntil close",
  "HTTP/1.1 100 Continue\r\n\r\n",
];

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ op: "open" }),
  fc.record({
    op: fc.constant("receive" as const),
    data: fc.oneof(fc.constantFrom(...RESPONSES).map((t) => latin1Bytes(t)), fc.uint8Array({ maxLength: 64 })),
    split: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({ op: fc.constant("writable" as const), n: fc.integer({ min: 0, max: 2000 }) }),
  fc.record({ op: fc.constant("fail" as const), text: fc.option(fc.constantFrom("TLS: alert: 2, 40", "TLS: certificate: auth err", "x", ""), { nil: undefined }) }),
  fc.constant<Step>({ op: "hangUp" }),
  fc.record({ op: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 12000 }) }),
  fc.record({ op: fc.constant("fetch" as const), url: fc.constantFrom("https://example.com/", "http://example.com/", "https://other.example/x", "https://user@bad/") }),
);

function openSocket(net: MockNetwork): MockSocket | null {
  for (let i = net.sockets.length - 1; i >= 0; i--) if (!net.sockets[i].closed && net.sockets[i].callback) return net.sockets[i];
  return null;
}

test("any socket behaviour ends every fetch in one result and leaves nothing behind", () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
      const net = new MockNetwork();
      const clock = new FakeClock();
      const client = new HttpClient({ sockets: net, timers: clock, timeouts: { total: 30000 } });
      const results: FetchResult[] = [];
      let started = 0;
      const fetch = (url: string) => {
        started++;
        client.fetch({ url, previewBytes: 8 }, (r) => results.push(r));
      };
      fetch("https://example.com/");
      for (const s of steps) {
        const sock = openSocket(net);
        switch (s.op) {
          case "fetch":
            fetch(s.url);
            break;
          case "advance":
            clock.advance(s.ms);
            break;
          default:
            if (!sock) break;
            if (s.op === "open") sock.open();
            else if (s.op === "receive") sock.receive(s.data, [s.split]);
            else if (s.op === "writable") sock.writable(s.n);
            else if (s.op === "fail") sock.fail(s.text);
            else sock.hangUp();
        }
      }
      clock.advance(30001);
      expect(results.length).toBe(started);
      for (const r of results) {
        if (r.ok) expect(r.error).toBeUndefined();
        else expect(r.error && r.error.code && r.error.phase && r.error.hint).toBeTruthy();
      }
      expect(clock.pending).toBe(0);
      client.closeIdle();
      expect(net.allReleased).toBe(true);
    }),
    { numRuns: 400 },
  );
});
