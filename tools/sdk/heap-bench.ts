/**
 * `npm run bench:heap [-- --fetches N] [--all-roots] [--log FILE]`: the firmware's XS heap against the Moddable SDK's own
 * HTTPS example (`examples/network/http/httpsget`), both built with the user's SDK for its Linux
 * simulator and run in mcsim against the same loopback HTTPS server (the simulator PKI: leaf and
 * intermediate sent; the firmware has its shipped roots and that root, the example that root only).
 *
 * Printed for both, and as ratios ours / SDK example:
 * - heap at start and after the first fetch: `mem heap` lines, chunk + slot used after Debug.gc();
 * - peak while fetching: both builds sample chunk + slot used (garbage included) every SAMPLE_MS
 *   with a timer (the firmware's `heapSample` key, the same sampler added to the example) and put
 *   the largest sample since the previous line into each `mem heap` line; the largest after-fetch
 *   one is the peak, handshakes included. A handshake runs between timer turns, so it is a dense
 *   sample, the same for both, not an exact high-water mark. mcsim's own one-second samples are
 *   printed too (they often miss a 100 ms handshake);
 * - time for N fetches of the same URL: the sum of each fetch's own duration (the firmware keeps
 *   its connection alive; the example opens a new one each time);
 * - the firmware's heap after its last fetch against its first (flat over N fetches).
 * `--all-roots` embeds, besides, every root `npm run certs -- add --all` would add (Node's Mozilla
 * store), written to a temporary folder: the heap cost of a large CA store. `--log FILE` writes
 * both runs' own lines there (the firmware's `mem heap` and fetch lines, the example's).
 * Without an SDK it says why it skipped and exits 0. Figures are a 64-bit simulator's: slots are
 * 32 bytes there, 16 on an ESP32, so read the ratios rather than the absolute sizes.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { certsMain, defaultIo } from "../certs/cli";
import { startHttpsServer } from "../../host-tests/support/test-servers";
import { appLines, buildFirmware, findSdk, instrumentHeap, isSdk, outputRoot, preloadWarnings, REPO_ROOT, runFirmware } from "./firmware";
import { writeHttpsget } from "./sdk-httpsget";

/** Fetches timed for the comparison. */
const TIMED_FETCHES = 20;
/** Heap sampling period for the peak, ms: the firmware's heapSample key, and the same sampler in the example. */
const SAMPLE_MS = 2;
const PKI = join(REPO_ROOT, "host", "fixtures", "sim-pki");

/** Goals of the firmware's heap (64-bit simulator, chunk + slot after Debug.gc()). */
export const HEAP_GOALS = Object.freeze({ startBytes: 16 * 1024, afterFirstFetchBytes: 48 * 1024, peakRatio: 1.1 });

export interface HeapFigures {
  start?: number;
  afterFirst?: number;
  afterLast?: number;
  /** The largest `peak_used` of the after-fetch lines (heap sampled every SAMPLE_MS while fetching). */
  peak?: number;
  /** The largest of mcsim's one-second instrumentation samples from the start line on. */
  secondPeak?: number;
  fetches: number;
  ok: number;
  reused: number;
  totalMs: number;
}

/** Reads `mem heap`, fetch lines and instrumentation samples of one run. */
export function heapFigures(lines: string[], count: number): HeapFigures {
  const heaps: { at: string; bytes: number; peak?: number }[] = [];
  const f: HeapFigures = { fetches: 0, ok: 0, reused: 0, totalMs: 0 };
  let startIndex = -1;
  lines.forEach((line, i) => {
    const mem = /mem heap at=(\S+) chunk_used=(\d+) slot_used=(\d+)(?: peak_used=(\d+))?/.exec(line);
    if (mem) {
      heaps.push({ at: mem[1], bytes: Number(mem[2]) + Number(mem[3]), peak: mem[4] === undefined ? undefined : Number(mem[4]) });
      if (mem[1] === "start" && startIndex < 0) startIndex = i;
      return;
    }
    const ms = /^fetch #\d+ .* ms=(\d+)/.exec(line);
    if (ms && f.fetches < count) {
      f.fetches++;
      if (/ status=200\b/.test(line)) f.ok++;
      if (/ conn=reused\b/.test(line)) f.reused++;
      f.totalMs += Number(ms[1]);
    }
  });
  f.start = heaps.find((h) => h.at === "start")?.bytes;
  const after = heaps.filter((h) => h.at === "after-fetch").slice(0, count);
  f.afterFirst = after[0]?.bytes;
  f.afterLast = after.length > 1 ? after[after.length - 1].bytes : undefined;
  const samples = instrumentHeap(startIndex < 0 ? [] : [lines.find((l) => l.startsWith("instruments key:")) ?? "", ...lines.slice(startIndex)]);
  f.secondPeak = samples.length ? Math.max(...samples) : undefined;
  const peaks = after.filter((h) => h.peak !== undefined).map((h) => h.peak as number);
  f.peak = peaks.length ? Math.max(...peaks) : undefined;
  return f;
}

/** The manifest's `caFiles`: the roots the firmware ships with. */
function shippedCaFiles(): string {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "manifest.json"), "utf8")) as { config: { caFiles: string } };
  return manifest.config.caFiles;
}

/** `certs add --all` into a temporary folder holding the shipped roots (no manifest there): the files it added. */
function allStoreRoots(): string[] {
  const dir = join(mkdtempSync(join(tmpdir(), "bench-roots-")), "certs");
  mkdirSync(dir);
  // The shipped roots first, so that `add --all` skips them as embedded already.
  const shipped = shippedCaFiles().split(",");
  for (const f of shipped) copyFileSync(join(REPO_ROOT, "certs", f), join(dir, f));
  let out = "";
  const code = certsMain(["add", "--all", "--certs", dir, "--manifest", join(dir, "none.json")], { ...defaultIo(), out: (t) => { out += t; } });
  if (code !== 0) throw new Error(`certs add --all failed:\n${out}`);
  console.log(out.split("\n")[0]);
  return readdirSync(dir).filter((f) => f.endsWith(".pem") && shipped.indexOf(f) < 0).map((f) => join(dir, f));
}

const kb = (n: number | undefined) => (n === undefined ? "-" : `${(n / 1024).toFixed(1)} KB`);
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? "-" : (a / b).toFixed(2));

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf("--fetches");
  const count = at >= 0 ? Number(args[at + 1]) : 20;
  if (!Number.isInteger(count) || count < 2) throw new Error("--fetches needs a whole number of at least 2");
  const allRoots = args.indexOf("--all-roots") >= 0;
  const logAt = args.indexOf("--log");
  const logFile = logAt >= 0 ? args[logAt + 1] : undefined;
  if (logAt >= 0 && !logFile) throw new Error("--log needs a file name");
  const sdk = findSdk();
  if (!isSdk(sdk)) {
    console.log(`bench:heap skipped: ${sdk.skip}`);
    return;
  }
  const rootPem = readFileSync(join(PKI, "root.pem"), "utf8");
  const server = await startHttpsServer({
    cert: readFileSync(join(PKI, "leaf.pem"), "utf8") + readFileSync(join(PKI, "intermediate.pem"), "utf8"),
    key: readFileSync(join(PKI, "leaf.key"), "utf8"),
  });
  try {
    console.log(`bench:heap: building the firmware and the SDK's httpsget for mcsim (output in ${outputRoot()}); first builds take minutes`);
    const extra = allRoots ? allStoreRoots() : [];
    const caFiles = [shippedCaFiles(), ...extra.map((f) => f.slice(f.lastIndexOf("/") + 1)), "root.pem"].join(",");
    const ours = buildFirmware(sdk, {
      name: allRoots ? "bench-firmware-all-roots" : "bench-firmware",
      extraData: [...extra, join(PKI, "root.pem")],
      // The shipped roots as a user has them (and the store's, with --all-roots), plus the test root the server's chain ends at.
      config: { ssid: "bench", password: "bench-password", targets: server.url("/"), caFiles, interval: "1s", preview: "0", heapSample: String(SAMPLE_MS) },
    });
    if (allRoots) console.log(`firmware: ${caFiles.split(",").length} roots in caFiles`);
    const ourWarnings = preloadWarnings(ours.log).filter((w) => /warning: (main|modules\/)/.test(w));
    const exampleManifest = writeHttpsget(sdk, join(outputRoot(), "bench-httpsget", "httpsget"), { host: server.host, port: server.port, rootPem, count, sampleMs: SAMPLE_MS });
    const example = buildFirmware(sdk, { name: "bench-httpsget", manifest: exampleManifest });

    const afterFetches = (n: number) => (lines: string[]) => lines.filter((l) => /mem heap at=after-fetch/.test(l)).length >= n;
    // The firmware waits `interval` (1 s, its least) between fetches; a loaded machine slows both.
    const ourRun = await runFirmware(sdk, ours, { seconds: count * 4 + 120, until: afterFetches(count) });
    const exampleRun = await runFirmware(sdk, example, { seconds: count * 4 + 120, until: (l) => l.some((x) => x === "bench done") });
    if (logFile) writeFileSync(logFile, [...appLines(ourRun.lines).map((l) => `firmware: ${l}`), ...appLines(exampleRun.lines).map((l) => `httpsget: ${l}`)].join("\n") + "\n");
    const ourFigures = heapFigures(ourRun.lines, count);
    const b = heapFigures(exampleRun.lines, count);
    // The time is compared over the first 20 fetches (or all, when fewer): one kept-alive
    // connection against one new connection per fetch.
    const timed = Math.min(count, TIMED_FETCHES);
    const ourTime = heapFigures(ourRun.lines, timed);
    const exampleTime = heapFigures(exampleRun.lines, timed);

    const rows: [string, number | undefined, number | undefined][] = [
      ["heap at start", ourFigures.start, b.start],
      ["heap after the first fetch", ourFigures.afterFirst, b.afterFirst],
      [`peak while fetching (${SAMPLE_MS} ms samples)`, ourFigures.peak, b.peak],
      ["largest 1 s mcsim sample", ourFigures.secondPeak, b.secondPeak],
    ];
    console.log(`\n${"".padEnd(30)}${"firmware".padStart(12)}${"SDK httpsget".padStart(14)}${"ratio".padStart(8)}`);
    for (const [name, x, y] of rows) console.log(`${name.padEnd(30)}${kb(x).padStart(12)}${kb(y).padStart(14)}${ratio(x, y).padStart(8)}`);
    // Per fetch, so that a run cut short still compares like with like.
    const mean = (f: HeapFigures) => (f.fetches ? f.totalMs / f.fetches : undefined);
    console.log(`${`time for ${timed} fetches`.padEnd(30)}${`${ourTime.totalMs} ms`.padStart(12)}${`${exampleTime.totalMs} ms`.padStart(14)}${ratio(mean(ourTime), mean(exampleTime)).padStart(8)}`);
    console.log(`${"fetches status=200".padEnd(30)}${`${ourFigures.ok}/${ourFigures.fetches}`.padStart(12)}${`${b.ok}/${b.fetches}`.padStart(14)}`);
    console.log(`firmware: ${ourFigures.reused} of ${ourFigures.fetches} fetches on a kept-alive connection; heap after fetch ${ourFigures.fetches}: ${kb(ourFigures.afterLast)} (after the first: ${kb(ourFigures.afterFirst)})`);
    console.log(`firmware: xsl preload warnings for this repository's modules: ${ourWarnings.length}${ourWarnings.length ? `\n  ${ourWarnings.join("\n  ")}` : ""}`);
    // The goals are set for the shipped roots; with --all-roots the figures are for reading, not judging.
    const goal = (ok: boolean) => (allRoots ? `${ok ? "within" : "above"} (the goals are for the shipped roots; this build has ${caFiles.split(",").length})` : ok ? "met" : "NOT met");
    if (ourFigures.start !== undefined) console.log(`goal start <= ${kb(HEAP_GOALS.startBytes)}: ${goal(ourFigures.start <= HEAP_GOALS.startBytes)}`);
    if (ourFigures.afterFirst !== undefined) console.log(`goal after first fetch <= ${kb(HEAP_GOALS.afterFirstFetchBytes)}: ${goal(ourFigures.afterFirst <= HEAP_GOALS.afterFirstFetchBytes)}`);
    if (ourFigures.peak !== undefined && b.peak !== undefined) console.log(`goal peak <= ${HEAP_GOALS.peakRatio} x SDK example: ${goal(ourFigures.peak <= HEAP_GOALS.peakRatio * b.peak)}`);
    if (ourFigures.fetches < count || b.fetches < count) {
      console.log(`\nincomplete run: firmware ${ourFigures.fetches}/${count}, example ${b.fetches}/${count} fetches; last lines:`);
      console.log(appLines(ourRun.lines).slice(-10).join("\n"));
      console.log(appLines(exampleRun.lines).slice(-10).join("\n"));
      process.exitCode = 1;
    }
  } finally {
    await server.close();
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(`bench:heap failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
