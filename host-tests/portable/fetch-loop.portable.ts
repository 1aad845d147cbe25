/**
 * The fetch loop over the scripted network and fake clock: the exact log lines, backoff timing,
 * statistics, pause/resume/stop, and that no secret reaches a log.
 */
import { FetchLoop, FetchLoopOptions } from "../../modules/app/fetch-loop";
import { HttpClient } from "../../modules/client/http-client";
import type { HttpClientOptions } from "../../modules/client/options";
import { AutoServer, AutoServerOptions, FakeClock, MockNetwork, Reply } from "../support/mock-net-portable";
import { Json, PortableSuite } from "./suite";

const OK = (body: string, extra = "") => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;

interface LoopRig {
  net: MockNetwork;
  clock: FakeClock;
  server: AutoServer;
  client: HttpClient;
  loop: FetchLoop;
  logs: string[];
}

function loopRig(
  respond: AutoServerOptions["respond"],
  loopOptions: Partial<FetchLoopOptions> = {},
  clientOptions: Partial<HttpClientOptions> = {},
  serverOptions: Partial<AutoServerOptions> = {},
): LoopRig {
  const net = new MockNetwork();
  const clock = new FakeClock();
  const logs: string[] = [];
  const server = new AutoServer(net, clock, { respond, ...serverOptions });
  const client = new HttpClient({ sockets: net, timers: clock, tls: { caCertificates: [Uint8Array.of(0x30, 0x00)] }, ...clientOptions });
  const loop = new FetchLoop({ client, timers: clock, log: (l) => logs.push(l), targets: ["https://example.com/"], intervalMs: 1000, random: () => 0.5, ...loopOptions });
  return { net, clock, server, client, loop, logs };
}

function left(r: LoopRig): Json {
  return { timers: r.clock.pending, released: r.net.allReleased };
}

export const suite: PortableSuite = {
  name: "fetch loop: log lines, backoff, statistics, pause/resume/stop",
  cases: [
    {
      name: "log lines: target, start, a new then a reused connection, exactly",
      run: () => {
        const r = loopRig(() => OK("hello"));
        r.loop.start();
        r.clock.advance(1035);
        r.clock.advance(1000);
        r.loop.stop();
        return { logs: r.logs, left: left(r) };
      },
      expected: {
        logs: [
          "target #1 GET https://example.com/ every=1000ms",
          "loop started targets=1",
          "fetch #1 https://example.com/ status=200 bytes=5 ms=35 connect=10 tls=20 ttfb=5 conn=new",
          "fetch #2 https://example.com/ status=200 bytes=5 ms=5 ttfb=5 conn=reused",
          "loop stopped fetches=2",
        ],
        left: { timers: 0, released: true },
      },
    },
    {
      name: "a failure line carries the code, phase, detail, hint and the backoff delay",
      run: () => {
        const r = loopRig(() => ({ fail: "TLS: alert: 2, 70" }), {}, {}, {});
        // The alert comes during the handshake: make the TLS socket fail instead of opening.
        r.net.onSocket = (s) => {
          r.server.connectTimes.push(r.clock.now());
          r.clock.set(() => (s.kind === "tcp" ? s.open() : s.fail("TLS: alert: 2, 70")), 10);
        };
        r.loop.start();
        r.clock.advance(20);
        r.loop.stop();
        return r.logs[2];
      },
      expected:
        'fetch #1 https://example.com/ error=TLS_ALERT_PROTOCOL_VERSION phase=tls-handshake ms=20 connect=10 conn=new detail="TLS: alert: 2, 70" hint="server sent protocol_version (70): the server refuses TLS 1.2, the highest version SecureSocket has: the server is TLS 1.3-only and the device is the limited side; fix: the device cannot speak TLS 1.3: enable TLS 1.2 on the server, or use an endpoint or proxy that accepts it" retry_in=1000',
    },
    {
      name: "backoff: 1, 2, 4 s... capped at 5 s, then the interval again after a success",
      run: () => {
        const t0 = new FakeClock().now();
        const requestsAt: number[] = [];
        let clock: FakeClock | null = null;
        const r = loopRig((_req, n) => {
          requestsAt.push((clock as FakeClock).now() - t0);
          return n < 5 ? "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n" : OK("ok");
        }, { backoff: { baseMs: 1000, maxMs: 5000 }, intervalMs: 60000 });
        clock = r.clock;
        r.loop.start();
        r.clock.advance(80000);
        r.loop.stop();
        const retryIns = r.logs.filter((l) => l.indexOf("fetch #") === 0).map((l) => (/retry_in=(\d+)/.exec(l) || ["", "-"])[1]);
        return { requestsAt, retryIns, fetches: r.loop.fetches, streak: r.loop.stats()[0].failureStreak };
      },
      // Each request goes out when the previous one's response (5 ms) plus its delay has passed;
      // the first one also waits for connect (10 ms) and handshake (20 ms); after the success the
      // next is due an interval later, on the same kept connection.
      expected: { requestsAt: [30, 1035, 3040, 7045, 12050, 17055, 77060], retryIns: ["1000", "2000", "4000", "5000", "5000", "-", "-"], fetches: 7, streak: 0 },
    },
    {
      name: "the wall clock stepping back (SNTP) does not delay the next fetch",
      run: () => {
        const r = loopRig(() => OK("1"), { intervalMs: 1000 });
        r.loop.start();
        r.clock.advance(35);
        r.clock.jump(-3600000);
        r.clock.advance(1005); // the interval, then the reused connection's 5 ms answer
        r.loop.stop();
        return r.loop.fetches;
      },
      expected: 2,
    },
    {
      name: "backoff jitter comes from the injected random source and stays under the cap",
      run: () => {
        const mk = (x: number) => loopRig(() => OK(""), { random: () => x, backoff: { baseMs: 1000, maxMs: 3000, jitter: 0.5 } }).loop;
        const low = mk(0);
        const high = mk(0.999);
        return [[1, 2, 3, 4].map((n) => low.backoffDelay(n)), [1, 2, 3, 4].map((n) => high.backoffDelay(n))];
      },
      expected: [[500, 1000, 1500, 1500], [1499, 2998, 3000, 3000]],
    },
    {
      name: "a 429 Retry-After in seconds is honoured (up to the cap)",
      run: () => {
        const r = loopRig(() => "HTTP/1.1 429 Too Many\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n", { backoff: { baseMs: 1000, maxMs: 60000 } });
        r.loop.start();
        r.clock.advance(40);
        r.loop.stop();
        return (/retry_in=(\d+)/.exec(r.logs[2]) || ["", ""])[1];
      },
      expected: "7000",
    },
    {
      name: "secrets: header values are redacted in the target line, the query is hidden, a 401 line holds no secret",
      run: () => {
        const r = loopRig(() => "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", {
          targets: [{ url: "https://api.example.com/v1?api_key=k3y", headers: { Authorization: "Bearer s3cret", Accept: "application/json" } }],
        });
        r.loop.start();
        r.clock.advance(40);
        r.loop.stop();
        const all = r.logs.join("\n");
        const sent = r.net.sockets.filter((s) => s.kind === "tls").map((s) => s.written).join("");
        return { leaks: /s3cret|k3y/.test(all), sentAuth: sent.indexOf("Authorization: Bearer s3cret") > 0, target: r.logs[0], fetch: r.logs[2].split(" hint=")[0] };
      },
      expected: {
        leaks: false,
        sentAuth: true,
        target: 'target #1 GET https://api.example.com/v1?… every=1000ms headers="Authorization: <redacted>, Accept: application/json"',
        fetch: "fetch #1 https://api.example.com/v1?… status=401 bytes=0 ms=35 error=HTTP_STATUS_401 phase=response connect=10 tls=20 ttfb=5 conn=new",
      },
    },
    {
      name: "several targets take turns; statistics per target (codes, connections, latency)",
      run: () => {
        const r = loopRig(
          (req) => (req.indexOf("Host: b.example") > 0 ? "HTTP/1.1 500 Oops\r\nContent-Length: 2\r\n\r\nno" : OK("a-body")),
          { targets: ["https://a.example/", "https://b.example/"], intervalMs: 1000, backoff: { baseMs: 1000 } },
        );
        r.loop.start();
        r.clock.advance(3500);
        r.loop.stop();
        const order = r.logs.filter((l) => l.indexOf("fetch #") === 0).map((l) => l.split(" ")[2]);
        return { order, stats: r.loop.stats() as unknown as Json };
      },
      expected: {
        order: ["https://a.example/", "https://b.example/", "https://a.example/", "https://b.example/", "https://a.example/", "https://a.example/", "https://b.example/"],
        stats: [
          { label: "https://a.example/", fetches: 4, successes: 4, failures: 0, failuresByCode: {}, lastStatus: 200, lastError: "", failureStreak: 0, bytes: 24, latency: { samples: 4, min: 5, median: 5, max: 35 }, connectionsOpened: 1, connectionsReused: 3, redirects: 0, retries: 0 },
          { label: "https://b.example/", fetches: 3, successes: 0, failures: 3, failuresByCode: { HTTP_STATUS_500: 3 }, lastStatus: 500, lastError: "HTTP_STATUS_500", failureStreak: 3, bytes: 6, latency: null, connectionsOpened: 1, connectionsReused: 2, redirects: 0, retries: 0 },
        ],
      },
    },
    {
      name: "a summary line per target every N fetches (a stale keep-alive retry counted as such)",
      run: () => {
        const r = loopRig((_q, n) => (n === 1 ? { hangUp: true } : OK("xy")), { summaryEvery: 3, intervalMs: 100 });
        r.loop.start();
        r.clock.advance(400);
        r.loop.stop();
        return r.logs.filter((l) => l.indexOf("summary") === 0);
      },
      // The second request meets a stale connection and succeeds on a new one: a retry, not a failure.
      expected: ["summary https://example.com/ fetches=3 ok=3 failed=0 last_status=200 bytes=6 ms_min=5 ms_median=35 ms_max=40 conn_new=2 conn_reused=2 retries=1"],
    },
    {
      name: "a summary line lists failures by code",
      run: () => {
        const r = loopRig((_q, n) => (n % 2 ? "HTTP/1.1 404 Nope\r\nContent-Length: 0\r\n\r\n" : OK("abc")), { summaryEvery: 4, intervalMs: 100, backoff: { baseMs: 100 } });
        r.loop.start();
        r.clock.advance(350);
        r.loop.stop();
        return r.logs.filter((l) => l.indexOf("summary") === 0);
      },
      expected: ["summary https://example.com/ fetches=4 ok=2 failed=2 last_status=404 bytes=6 ms_min=5 ms_median=20 ms_max=35 conn_new=1 conn_reused=3 errors=HTTP_STATUS_404:2"],
    },
    {
      name: "JSON lines format",
      run: () => {
        const r = loopRig(() => OK("hello"), { format: "json", previewBytes: 3 });
        r.loop.start();
        r.clock.advance(35);
        r.loop.stop();
        return r.logs.map((l) => JSON.parse(l) as Json);
      },
      expected: [
        { event: "target", target: 1, url: "https://example.com/", method: "GET", every_ms: 1000, headers: [] },
        { event: "started", targets: 1 },
        { event: "fetch", fetch: 1, url: "https://example.com/", ok: true, status: 200, bytes: 5, ms: 35, connect: 10, tls: 20, ttfb: 5, conn: "new", body: "hel" },
        { event: "stopped", fetches: 1 },
      ],
    },
    {
      name: "pause: no fetch while offline, the fetch under way is counted; resume fetches at once",
      run: () => {
        let offline = false;
        const r = loopRig(() => OK("1"), { intervalMs: 1000 }, {}, { offline: () => offline });
        r.loop.start();
        r.clock.advance(30); // connected and handshaking: a fetch is under way
        offline = true;
        r.loop.pause();
        r.clock.advance(100000);
        const whilePaused = { fetches: r.loop.fetches, connects: r.server.connectTimes.length, timers: r.clock.pending, idle: r.client.idleConnections };
        offline = false;
        r.loop.resume();
        r.clock.advance(35);
        const after = { fetches: r.loop.fetches, connects: r.server.connectTimes.length };
        r.loop.stop();
        return { whilePaused, after, events: r.logs.filter((l) => l.indexOf("loop ") === 0), left: left(r) };
      },
      expected: {
        whilePaused: { fetches: 1, connects: 1, timers: 0, idle: 0 },
        after: { fetches: 2, connects: 2 },
        events: ["loop started targets=1", "loop paused fetches=0", "loop resumed", "loop stopped fetches=2"],
        left: { timers: 0, released: true },
      },
    },
    {
      name: "stop during a fetch cancels it: no line, no timer, no socket left",
      run: () => {
        const r = loopRig((): Reply => ({ stall: true }));
        r.loop.start();
        r.clock.advance(50);
        r.loop.stop();
        r.clock.advance(100000);
        return { fetchLines: r.logs.filter((l) => l.indexOf("fetch") === 0).length, left: left(r), active: r.loop.active };
      },
      expected: { fetchLines: 0, left: { timers: 0, released: true }, active: false },
    },
    {
      name: "TLS warnings reach the loop's log in its format, on every new connection",
      run: () => {
        const r = loopRig((): Reply => ({ hangUp: true }), { format: "json", backoff: { baseMs: 1000 } }, { tls: { verify: false } });
        r.loop.start();
        r.clock.advance(1100);
        r.loop.stop();
        return r.logs.map((l) => JSON.parse(l) as { warning?: string }).filter((o) => o.warning).map((o) => o.warning as string);
      },
      expected: ["TLS_VERIFY_OFF", "TLS_VERIFY_OFF"],
    },
    {
      name: "neither a throwing log sink, a throwing onResult nor an engine that throws stops the loop",
      run: () => {
        let throwLog = true;
        const r = loopRig(() => OK("1"), {
          onResult: () => {
            throw new Error("display broke");
          },
        });
        const real = r.client.fetch.bind(r.client);
        let calls = 0;
        r.client.fetch = (req, done) => {
          if (calls++ === 0) throw new Error("engine bug");
          return real(req, done);
        };
        const lines: string[] = [];
        (r.loop as unknown as { log: (l: string) => void }).log = (l) => {
          if (throwLog) {
            throwLog = false;
            throw new Error("serial full");
          }
          lines.push(l);
        };
        r.loop.start();
        r.clock.advance(1035);
        r.loop.stop();
        return { fetches: r.loop.fetches, lines: lines.filter((l) => l.indexOf("target") !== 0) };
      },
      expected: {
        fetches: 1,
        lines: [
          "loop started targets=1",
          "loop error in=fetch message=engine bug",
          "fetch #1 https://example.com/ status=200 bytes=1 ms=35 connect=10 tls=20 ttfb=5 conn=new",
          "loop error in=onResult message=display broke",
          "loop stopped fetches=1",
        ],
      },
    },
    {
      name: "bad loop options are refused at construction with the option named",
      run: () => {
        const out: Json[] = [];
        const bad: Partial<FetchLoopOptions>[] = [
          { targets: [] },
          { targets: ["https://user:pw@example.com/"] },
          { intervalMs: 0 },
          { backoff: { jitter: 2 } },
          { format: "xml" as "text" },
          { targets: [{ url: "https://example.com/", headers: { "X-A": "1\r\nX-B: 2" } }] },
          { targets: [{ url: "https://example.com/", method: "OPTIONS" as "GET" }] },
        ];
        for (const b of bad) {
          try {
            loopRig(() => OK(""), b);
            out.push("accepted");
          } catch (e) {
            const err = e as { code?: string; option?: string; message?: string };
            out.push(`${err.code} ${err.option}${/pw/.test(String(err.message)) ? " LEAK" : ""}`);
          }
        }
        return out;
      },
      expected: [
        "CONFIG_BAD_VALUE targets",
        "CONFIG_BAD_VALUE targets[0].url",
        "CONFIG_BAD_VALUE intervalMs",
        "CONFIG_BAD_VALUE backoff.jitter",
        "CONFIG_BAD_VALUE format",
        "CONFIG_BAD_VALUE targets[0].headers",
        "CONFIG_BAD_VALUE targets[0].method",
      ],
    },
  ],
};
