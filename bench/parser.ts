/**
 * Parse throughput of the core's ResponseParser against Node's own llhttp-based parser, measured
 * in the same run on the same bytes fed the same way. Prints MB/s, responses/s, the ratio
 * ours/llhttp, and bytes allocated per response (heap growth with scavenges kept out of the way;
 * run through `npm run bench`, which starts Node with the flags this needs).
 */
import { createRequire } from "node:module";
import { concatBytes, latin1Bytes } from "../modules/base/bytes";
import { parsePieces } from "./xs-parser-entry";

const require_ = createRequire(__filename);

export interface Workload {
  name: string;
  /** The byte stream of one connection, and how many responses it holds. */
  stream: Uint8Array;
  responses: number;
  /** Segment size the stream is pushed in (a TCP segment on the device). */
  segment: number;
}

const SEGMENT = 1460;

function smallJsonWorkload(): Workload {
  const body = latin1Bytes(JSON.stringify({ id: 42, name: "sensor-7", temperature: 21.5, humidity: 40.1, ok: true, tags: ["a", "b", "c"] }));
  const head =
    "HTTP/1.1 200 OK\r\n" +
    "Date: Mon, 23 Nov 2026 06:00:00 GMT\r\n" +
    "Server: nginx/1.25.3\r\n" +
    "Content-Type: application/json; charset=utf-8\r\n" +
    `Content-Length: ${body.length}\r\n` +
    "Connection: keep-alive\r\n" +
    "Cache-Control: no-cache, no-store, must-revalidate\r\n" +
    "ETag: \"5f3c-1a2b3c4d\"\r\n" +
    "Vary: Accept-Encoding\r\n" +
    "X-Request-Id: 7d5e1c9a-2f4b-4f7e-9a51-1f1c2b3d4e5f\r\n" +
    "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n" +
    "X-Content-Type-Options: nosniff\r\n" +
    "Access-Control-Allow-Origin: *\r\n\r\n";
  const one = concatBytes([latin1Bytes(head), body]);
  const responses = 200;
  return { name: "small JSON, 12 headers", stream: concatBytes(new Array(responses).fill(one)), responses, segment: SEGMENT };
}

function chunkedWorkload(): Workload {
  const parts: Uint8Array[] = [latin1Bytes("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n")];
  const chunk = new Uint8Array(1024).fill(0x61);
  for (let i = 0; i < 64; i++) parts.push(latin1Bytes("400\r\n"), chunk, latin1Bytes("\r\n"));
  parts.push(latin1Bytes("0\r\n\r\n"));
  return { name: "64 KiB chunked, 1 KiB chunks", stream: concatBytes(parts), responses: 1, segment: SEGMENT };
}

function largeBodyWorkload(): Workload {
  const body = new Uint8Array(1 << 20).fill(0x62);
  const head = latin1Bytes(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`);
  return { name: "1 MiB Content-Length body", stream: concatBytes([head, body]), responses: 1, segment: SEGMENT };
}

export function workloads(): Workload[] {
  return [smallJsonWorkload(), chunkedWorkload(), largeBodyWorkload()];
}

/** Splits a stream into the segments it is pushed in, once, outside the timed loop. */
function segments(w: Workload): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < w.stream.length; at += w.segment) out.push(w.stream.subarray(at, at + w.segment));
  return out;
}

function runOurs(pieces: Uint8Array[], responses: number): number {
  const { body, complete } = parsePieces(pieces, responses);
  return body + complete;
}

interface LlhttpParser {
  initialize(type: number, resource: object): void;
  execute(data: Buffer): number | Error;
  finish(): void;
  close(): void;
  [k: number]: unknown;
}
interface LlhttpModule {
  HTTPParser: { new (): LlhttpParser; RESPONSE: number; kOnHeadersComplete: number; kOnBody: number; kOnMessageComplete: number; kOnHeaders: number };
}

function runLlhttp(pieces: Buffer[]): number {
  const { HTTPParser } = require_("_http_common") as LlhttpModule;
  let body = 0;
  let done = 0;
  const parser = new HTTPParser();
  parser.initialize(HTTPParser.RESPONSE, {});
  parser[HTTPParser.kOnHeaders] = () => {};
  parser[HTTPParser.kOnHeadersComplete] = () => 0;
  parser[HTTPParser.kOnBody] = (b: Buffer) => {
    body += b.length;
  };
  parser[HTTPParser.kOnMessageComplete] = () => {
    done++;
  };
  for (const p of pieces) {
    const r = parser.execute(p);
    if (r instanceof Error) throw r;
  }
  parser.close();
  return body + done;
}

/** Runs per second of `fn` over about `ms` milliseconds. */
function rate(fn: () => number, ms: number): number {
  let runs = 0;
  const start = process.hrtime.bigint();
  const stop = Date.now() + ms;
  while (Date.now() < stop) {
    fn();
    runs++;
  }
  return runs / (Number(process.hrtime.bigint() - start) / 1e9);
}

function median(values: number[]): number {
  const sorted = values.slice().sort((x, y) => x - y);
  return sorted[sorted.length >> 1];
}

/**
 * Both parsers in alternating short rounds, so a load that comes and goes on the machine hits
 * both alike; rates and the ratio are medians over the rounds.
 */
function compare(ours: () => number, theirs: () => number, ms: number): { ours: number; theirs: number; ratio: number } {
  const rounds = 11;
  const a: number[] = [];
  const b: number[] = [];
  const r: number[] = [];
  rate(ours, ms / rounds);
  rate(theirs, ms / rounds);
  for (let i = 0; i < rounds; i++) {
    a.push(rate(ours, ms / rounds));
    b.push(rate(theirs, ms / rounds));
    r.push(a[i] / b[i]);
  }
  return { ours: median(a), theirs: median(b), ratio: median(r) };
}

/** Heap growth per response over `runs` runs, with a collection first (needs --expose-gc). */
function allocatedPerResponse(fn: () => number, w: Workload, runs: number): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return null;
  fn();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < runs; i++) fn();
  const after = process.memoryUsage().heapUsed;
  return Math.max(0, (after - before) / (runs * w.responses));
}

export interface ParserBenchRow {
  workload: string;
  oursMBps: number;
  llhttpMBps: number;
  ratio: number;
  oursResponsesPerSec: number;
  oursBytesPerResponse: number | null;
  llhttpBytesPerResponse: number | null;
}

export function benchParser(ms = 3000): ParserBenchRow[] {
  const rows: ParserBenchRow[] = [];
  for (const w of workloads()) {
    const ours = segments(w);
    const theirs = ours.map((p) => Buffer.from(p.buffer, p.byteOffset, p.length));
    const expected = runLlhttp(theirs);
    if (runOurs(ours, w.responses) !== expected) throw new Error(`${w.name}: the parsers disagree on the body`);
    const { ours: oursRate, theirs: llRate, ratio } = compare(() => runOurs(ours, w.responses), () => runLlhttp(theirs), ms);
    const mb = w.stream.length / 1e6;
    rows.push({
      workload: w.name,
      oursMBps: oursRate * mb,
      llhttpMBps: llRate * mb,
      ratio,
      oursResponsesPerSec: oursRate * w.responses,
      oursBytesPerResponse: allocatedPerResponse(() => runOurs(ours, w.responses), w, 20),
      llhttpBytesPerResponse: allocatedPerResponse(() => runLlhttp(theirs), w, 20),
    });
  }
  return rows;
}

export function printParserBench(rows: ParserBenchRow[], log: (line: string) => void = console.log): void {
  log("Response parser vs Node's llhttp (same bytes, 1460-byte segments; ratio = ours/llhttp, higher is better)");
  for (const r of rows) {
    const alloc = (v: number | null) => (v === null ? "n/a" : `${Math.round(v)} B`);
    log(
      `  ${r.workload.padEnd(30)} ours ${r.oursMBps.toFixed(1).padStart(8)} MB/s  llhttp ${r.llhttpMBps.toFixed(1).padStart(8)} MB/s  ratio ${r.ratio.toFixed(2)}  ` +
        `${Math.round(r.oursResponsesPerSec)} responses/s  allocated/response ours ${alloc(r.oursBytesPerResponse)} llhttp ${alloc(r.llhttpBytesPerResponse)}`,
    );
  }
}
