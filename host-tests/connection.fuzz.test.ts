/**
 * The engine fuzzed at the connection level: a series of fetches over kept-alive connections,
 * the server doing something random for each request (a genuine answer in random pieces, an
 * extra unsolicited response in the same message, while idle, or queued unannounced, a close, a
 * hang-up, an error, garbage, a 1xx first). Every fetch must get exactly one result, and when it
 * succeeds its body must name the request it answers: never another request's, never an
 * unsolicited one.
 */
import fc from "fast-check";
import type { FetchResult } from "../modules/client/fetch-types";
import { HttpClient } from "../modules/client/http-client";
import { FakeClock, MockNetwork, MockSocket } from "./support/mock-net-portable";

type Behaviour =
  | "answer" | "chunked" | "extra-same-message" | "extra-while-idle" | "extra-queued" | "answer-then-close"
  | "connection-close" | "hang-up" | "error" | "garbage" | "continue-first" | "half-then-hang-up" | "silence";

const BEHAVIOURS: Behaviour[] = [
  "answer", "chunked", "extra-same-message", "extra-while-idle", "extra-queued", "answer-then-close",
  "connection-close", "hang-up", "error", "garbage", "continue-first", "half-then-hang-up", "silence",
];

const answer = (path: string, extra = "") => `HTTP/1.1 200 OK\r\nContent-Length: ${`for ${path}`.length}\r\n${extra}\r\nfor ${path}`;
const EVIL = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nEVIL";

interface Plan {
  behaviours: Behaviour[];
  /** Fragment size for each delivery. */
  split: number;
  /** Start the next fetch inside the previous one's callback (true) or on a later turn. */
  eager: boolean[];
  fetches: number;
}

const plan: fc.Arbitrary<Plan> = fc.record({
  behaviours: fc.array(fc.constantFrom(...BEHAVIOURS), { minLength: 1, maxLength: 30 }),
  split: fc.integer({ min: 1, max: 64 }),
  eager: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
  fetches: fc.integer({ min: 2, max: 12 }),
});

function fragments(total: number, size: number): number[] {
  const out: number[] = [];
  for (let n = 0; n < total; n += size) out.push(size);
  return out;
}

/** Runs a plan; returns each fetch's path and result. */
function run(p: Plan): { path: string; result: FetchResult | undefined; results: number }[] {
  const net = new MockNetwork();
  const clock = new FakeClock();
  const client = new HttpClient({ sockets: net, timers: clock, timeouts: { connect: 1000, handshake: 1000, firstByte: 1000, idle: 1000, total: 5000 } });
  let served = 0;
  /** A socket on which an extra response arrives right after the answer, before its message 2. */
  let queuedOn: MockSocket | null = null;
  /** A socket on which an extra response comes, announced, once the answer is complete. */
  let idleExtraOn: MockSocket | null = null;
  const seen = new Map<MockSocket, number>();
  const respond = (s: MockSocket, path: string) => {
    const b = p.behaviours[served++ % p.behaviours.length];
    const send = (text: string) => s.receive(text, fragments(text.length, p.split));
    clock.set(() => {
      if (s.closed) return;
      switch (b) {
        case "answer": return send(answer(path));
        case "chunked": return send(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${(`for ${path}`).length.toString(16)}\r\nfor ${path}\r\n0\r\n\r\n`);
        case "extra-same-message": return s.receive(answer(path) + EVIL);
        case "extra-while-idle":
          // Announced while the connection is idle, before the next fetch starts (see below).
          idleExtraOn = s;
          return send(answer(path));
        case "extra-queued":
          // Arrives after the answer and before the next fetch starts, unannounced (see below).
          queuedOn = s;
          return send(answer(path));
        case "answer-then-close":
          send(answer(path));
          return s.closed || s.hangUp();
        case "connection-close": return send(answer(path, "Connection: close\r\n"));
        case "hang-up": return s.hangUp();
        case "error": return s.fail();
        case "garbage": return send("HTTX/9 ???\r\n\r\n");
        case "continue-first": return send(`HTTP/1.1 100 Continue\r\n\r\n${answer(path)}`);
        case "half-then-hang-up":
          s.receive(answer(path).slice(0, 20));
          return s.closed || s.hangUp();
        case "silence": return;
      }
    }, 2);
  };
  net.onSocket = (s) => {
    s.onWrite = (w) => {
      const text = w.written;
      const from = seen.get(w) ?? 0;
      const end = text.indexOf("\r\n\r\n", from);
      if (end < 0) return;
      seen.set(w, end + 4);
      respond(w, text.slice(from, end).split(" ")[1]);
    };
    clock.set(() => s.closed || s.open(), 1);
  };
  const log: { path: string; result: FetchResult | undefined; results: number }[] = [];
  const start = (i: number) => {
    if (i >= p.fetches) return;
    const entry = { path: `/r${i}`, result: undefined as FetchResult | undefined, results: 0 };
    log.push(entry);
    client.fetch({ url: `http://example.com${entry.path}`, previewBytes: 32 }, (r) => {
      entry.result = r;
      entry.results++;
      // Bytes that arrive later than the next request is written cannot be told from its answer
      // (HTTP/1.1 has no request ids); the promise is about bytes that arrived before.
      if (queuedOn && !queuedOn.closed) queuedOn.queue(EVIL);
      if (idleExtraOn && !idleExtraOn.closed) idleExtraOn.receive(EVIL);
      queuedOn = null;
      idleExtraOn = null;
      if (p.eager[i % p.eager.length]) start(i + 1);
      else clock.set(() => start(i + 1), 0);
    });
  };
  start(0);
  for (let t = 0; t < 2000 && log.some((e) => e.results === 0); t++) clock.advance(50);
  client.closeIdle();
  return log;
}

test("every fetch over kept-alive connections gets exactly its own response or an error", () => {
  fc.assert(
    fc.property(plan, (p) => {
      const log = run(p);
      expect(log).toHaveLength(p.fetches);
      for (const { path, result, results } of log) {
        expect(results).toBe(1);
        const r = result as FetchResult;
        if (r.ok) expect(r.preview).toBe(`for ${path}`);
        expect(r.preview ?? "").not.toMatch(/EVIL/);
        if (r.preview !== undefined && r.preview !== "") expect(r.preview).toBe(`for ${path}`);
      }
    }),
    { numRuns: 120, seed: 13 },
  );
});
