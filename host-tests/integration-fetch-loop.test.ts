/**
 * Integration: the fetch loop end to end, through the real engine and the host edge against
 * loopback servers: exact line shapes, summaries, JSON lines, and no secret in any line.
 */
import { engineHarnessPerFile } from "./support/engine-harness";
import { runLoop, shape } from "./support/loop-run";

jest.setTimeout(20_000);

const h = engineHarnessPerFile();

describe("the fetch loop end to end", () => {
  test("404 and 500 are results: one line each, exact shape, backoff shown", async () => {
    const server = await h.https({}, { routes: { "/fail": { status: 500, body: "" } } });
    const { client } = h.client();
    const logs = await runLoop({
      client, intervalMs: 1000, random: () => 0.5, backoff: { baseMs: 5000 }, targets: [server.url("/missing"), server.url("/fail")],
    }, 2);
    expect(logs.map(shape)).toEqual([
      "target #1 GET https://127.0.0.1:PORT/missing every=1000ms",
      "target #2 GET https://127.0.0.1:PORT/fail every=1000ms",
      "loop started targets=2",
      "fetch #1 https://127.0.0.1:PORT/missing status=404 bytes=9 ms=N error=HTTP_STATUS_404 phase=response connect=N tls=N ttfb=N conn=new " +
        'hint="the path does not exist on this host: check the URL path, its case and the API version" retry_in=5000',
      "fetch #2 https://127.0.0.1:PORT/fail status=500 bytes=0 ms=N error=HTTP_STATUS_500 phase=response ttfb=N conn=reused " +
        'hint="the server failed internally: retry later with backoff; report it if it persists" retry_in=5000',
      "loop stopped fetches=2",
    ]);
  });

  test("N fetches in the documented format, the Authorization header sent but in no line", async () => {
    const secret = "Bearer s3cr3t-t0ken-value";
    const server = await h.https({}, { routes: { "/?key=abc": { body: "hello" } } });
    const { client, logs: clientLogs } = h.client();
    const logs = await runLoop({
      client, intervalMs: 5, summaryEvery: 10,
      targets: [{ url: server.url("/?key=abc"), headers: { Authorization: secret, "X-Trace": "visible" } }],
    }, 20);
    const fetchLines = logs.filter((l) => l.startsWith("fetch #")).slice(0, 20).map(shape);
    expect(fetchLines[0]).toBe("fetch #1 https://127.0.0.1:PORT/?… status=200 bytes=5 ms=N connect=N tls=N ttfb=N conn=new");
    for (let n = 2; n <= 20; n++) expect(fetchLines[n - 1]).toBe(`fetch #${n} https://127.0.0.1:PORT/?… status=200 bytes=5 ms=N ttfb=N conn=reused`);
    expect(shape(logs[0])).toBe('target #1 GET https://127.0.0.1:PORT/?… every=5ms headers="Authorization: <redacted>, X-Trace: visible"');
    expect(logs.filter((l) => l.startsWith("summary")).map(shape)).toEqual([10, 20].map((n) =>
      `summary https://127.0.0.1:PORT/?… fetches=${n} ok=${n} failed=0 last_status=200 bytes=${5 * n} ms_min=N ms_median=N ms_max=N conn_new=1 conn_reused=${n - 1}`));
    expect(server.connections).toBe(1);

    // The secret went to the server on every request, and into no line of either log.
    expect(server.requests.length).toBeGreaterThanOrEqual(20);
    expect(server.requests.every((r) => r.includes(`\r\nAuthorization: ${secret}`))).toBe(true);
    for (const l of [...logs, ...clientLogs]) {
      expect(l).not.toContain("s3cr3t");
      expect(l).not.toContain("key=abc");
    }
  });

  test("JSON lines: one object per line, no secret", async () => {
    const server = await h.https();
    const { client } = h.client();
    const logs = await runLoop({
      client, intervalMs: 5, format: "json", summaryEvery: 3,
      targets: [{ url: server.url("/"), headers: { Authorization: "Basic c2VjcmV0OnNlY3JldA==" } }],
    }, 3);
    const objects = logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.every((o) => typeof o.event === "string")).toBe(true);
    expect(objects[0]).toEqual({ event: "target", target: 1, url: server.url("/"), method: "GET", every_ms: 5, headers: ["Authorization: <redacted>"] });
    expect(objects.filter((o) => "fetch" in o).slice(0, 3).map((o) => [o.fetch, o.ok, o.status, o.conn])).toEqual([[1, true, 200, "new"], [2, true, 200, "reused"], [3, true, 200, "reused"]]);
    expect(logs.join("\n")).not.toContain("c2VjcmV0");
  });
});
