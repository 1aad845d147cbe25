/**
 * `npm run soak`: many fetches on loopback through the fetch loop, the engine and the host edge
 * (device profile), with keep-alive, against a Node HTTPS server that trusts nothing but the test
 * PKI. Checks that every fetch succeeds, counts the TLS handshakes the server saw (expected: 1,
 * or a few when the server closes idle connections), and follows the heap (after a full GC) at
 * the start, at 10 % of the run and at the end: the goal is flat.
 *
 *   npm run soak -- [--count 10000] [--seconds 600] [--body 64] [--max-growth-kb 1024]
 *
 * Stops after `count` fetches or `seconds`, whichever comes first. Exit code 1 on any failed
 * fetch, on more handshakes than fetches could explain, or on heap growth (10 % to end) above the
 * limit. Needs `--expose-gc` (the npm script passes it). Not part of `npm test`.
 */
import { getHeapSpaceStatistics } from "node:v8";
import { FetchLoop } from "../modules/app/fetch-loop";
import type { FetchResult } from "../modules/client/fetch-types";
import { nodeTimers } from "../host/node-socket";
import { EngineHarness } from "../host-tests/support/engine-harness";

interface SoakOptions {
  count: number;
  seconds: number;
  body: number;
  maxGrowthKb: number;
}

/** A bad command line: printed as its message alone, without a stack. */
class UsageError extends Error {}

function parseArgs(argv: string[]): SoakOptions {
  const options: SoakOptions = { count: 10000, seconds: 600, body: 64, maxGrowthKb: 1024 };
  const names: Record<string, keyof SoakOptions> = { "--count": "count", "--seconds": "seconds", "--body": "body", "--max-growth-kb": "maxGrowthKb" };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const key = names[flag];
    const value = Number(inline ?? argv[++i]);
    if (!key || !(value > 0)) throw new UsageError(`usage: soak [--count N] [--seconds S] [--body BYTES] [--max-growth-kb KB] (bad: ${argv.slice(i - (inline ? 0 : 1), i + 1).join(" ")})`);
    options[key] = value;
  }
  return options;
}

/** Heap in use after a full collection, in bytes, and the part of it that is compiled code. */
function heapAfterGc(): { used: number; code: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with node --expose-gc (npm run soak does)");
  gc();
  gc();
  const code = getHeapSpaceStatistics().filter((s) => s.space_name.startsWith("code")).reduce((n, s) => n + s.space_used_size, 0);
  return { used: process.memoryUsage().heapUsed, code };
}

const PROGRESS_EVERY_S = 10;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const h = await new EngineHarness().start();
  try {
    const server = await h.nodeHttps(JSON.stringify({ pad: "x".repeat(Math.max(0, options.body - 10)) }).slice(0, options.body));
    const { client, net } = h.client({ tls: { caCertificates: [h.pki.root.der] } });
    let finish = () => {};
    const failures = new Map<string, number>();
    let lastFailure = "";
    let fetchLines = 0;
    let badLines = 0;
    let summary = "";
    const lineShape = /^fetch #\d+ https:\/\/127\.0\.0\.1:\d+\/ status=200 bytes=\d+ ms=\d+( connect=\d+ tls=\d+)? ttfb=\d+ conn=(new|reused)( retried=1)?$/;
    const loop = new FetchLoop({
      client, timers: nodeTimers, targets: [server.url("/")], intervalMs: 1, summaryEvery: 1000,
      log: (line) => {
        if (line.startsWith("fetch #")) {
          fetchLines++;
          if (!lineShape.test(line)) badLines++;
        } else if (line.startsWith("summary")) summary = line;
      },
      onResult: (r: FetchResult) => {
        if (loop.fetches >= options.count) finish();
        if (r.ok) return;
        const code = r.error?.code ?? `status ${r.status}`;
        failures.set(code, (failures.get(code) ?? 0) + 1);
        lastFailure = `${code}: ${r.error?.detail ?? ""}`;
      },
    });

    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const started = Date.now();
    const heapStart = heapAfterGc();
    let heapAt10: { used: number; code: number } | undefined;
    let fetchesAt10 = 0;
    const deadline = setTimeout(finish, options.seconds * 1000);
    const tenth = setInterval(() => {
      // 10 % of the run: of the count, or of the time when that comes first.
      if (loop.fetches < options.count / 10 && Date.now() - started < options.seconds * 100) return;
      clearInterval(tenth);
      fetchesAt10 = loop.fetches;
      heapAt10 = heapAfterGc();
    }, 10);
    // A long run shows it is alive: one line every 10 s (the counts so far, nothing measured from them).
    console.log(`soak: up to ${options.count} fetches or ${options.seconds} s, progress every ${PROGRESS_EVERY_S} s`);
    const progress = setInterval(() => {
      const failedSoFar = [...failures.values()].reduce((a, b) => a + b, 0);
      console.log(`soak: ${((Date.now() - started) / 1000).toFixed(0)} s, ${loop.fetches} fetches, ${failedSoFar} failed`);
    }, PROGRESS_EVERY_S * 1000);
    loop.start();
    await done;
    clearTimeout(deadline);
    clearInterval(tenth);
    clearInterval(progress);
    loop.stop();
    const elapsed = (Date.now() - started) / 1000;
    const fetches = loop.fetches;
    const heapEnd = heapAfterGc();
    const failed = [...failures.values()].reduce((a, b) => a + b, 0);
    const stats = loop.stats()[0];

    console.log(`soak: ${fetches} fetches in ${elapsed.toFixed(1)} s (${(fetches / elapsed).toFixed(0)}/s), limits ${options.count} fetches / ${options.seconds} s, body ${options.body} B`);
    console.log(`  failed: ${failed}${failed ? ` (${[...failures].map(([c, n]) => `${c}:${n}`).join(", ")}; last ${lastFailure})` : ""}`);
    console.log(`  log lines: ${fetchLines} fetch lines, ${badLines} not in the documented shape; last summary: ${summary}`);
    console.log(`  server: ${server.handshakes} TLS handshake(s), ${server.connections} TCP connection(s), ${server.requests} requests; engine: conn_new=${stats.connectionsOpened} conn_reused=${stats.connectionsReused} retries=${stats.retries}`);
    console.log(`  host edge sockets still listed: ${net.sockets.length}`);
    const growth = heapAt10 === undefined ? NaN : heapEnd.used - heapAt10.used;
    const codeGrowth = heapAt10 === undefined ? NaN : heapEnd.code - heapAt10.code;
    const perFetch = Number.isNaN(growth) ? "-" : `${(growth / Math.max(1, fetches - fetchesAt10)).toFixed(2)} B per fetch`;
    console.log(`  heap after GC: start ${kb(heapStart.used)}, ${heapAt10 === undefined ? "at 10 %: not reached" : `after ${fetchesAt10} fetches ${kb(heapAt10.used)}`}, end ${kb(heapEnd.used)}`);
    console.log(`  heap growth: 10% -> end ${Number.isNaN(growth) ? "-" : `${kb(growth)} (${perFetch}; compiled code ${kb(codeGrowth)} of it)`}, ` +
      `start -> end ${kb(heapEnd.used - heapStart.used)}; rss ${kb(process.memoryUsage().rss)}`);

    const problems: string[] = [];
    if (failed) problems.push(`${failed} failed fetch(es)`);
    if (badLines) problems.push(`${badLines} log line(s) not in the documented shape`);
    // One connection is expected; a further one only after a reused connection went stale (a retry).
    if (server.handshakes > 1 + stats.retries) problems.push(`${server.handshakes} handshakes for ${stats.retries} retries`);
    if (growth > options.maxGrowthKb * 1024) problems.push(`heap grew ${kb(growth)} (limit ${options.maxGrowthKb} KB)`);
    console.log(problems.length ? `soak: FAIL: ${problems.join("; ")}` : "soak: ok");
    return problems.length ? 1 : 0;
  } finally {
    await h.stop();
  }
}

main().then((code) => {
  process.exitCode = code;
}, (e) => {
  console.error(e instanceof UsageError ? e.message : e);
  process.exitCode = 1;
});
