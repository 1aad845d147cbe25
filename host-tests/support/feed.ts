/**
 * Feeds a response to the parser every way bytes can arrive (whole, byte by byte, split at seeded
 * random points) and returns one transcript, or a mismatch report if the ways disagree.
 * Portable: imports only the core, so it runs in Node and inside XS.
 */
import { latin1Bytes, latin1 } from "../../modules/base/bytes";
import { HttpParseError } from "../../modules/http/errors";
import { ResponseParser, ResponseParserOptions } from "../../modules/http/response";
import type { Json } from "../portable/suite";

export interface FeedOptions extends ResponseParserOptions {
  /** Methods of the requests sent, in order (default: one GET). A response beyond them is unsolicited. */
  methods?: string[];
  /** Whether the peer closes the stream after the bytes (default true). */
  eof?: boolean;
  /** How many seeded random splittings to try (default 8). */
  seeds?: number;
}

/** `n` GET requests, for cases with several responses on one connection. */
export function gets(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push("GET");
  return out;
}

/** A small seeded PRNG (mulberry32): the same splits on every engine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Split points: whole, every byte, and random cuts for each seed. */
export function splittings(length: number, seeds: number): number[][] {
  const out: number[][] = [[length]];
  const bytewise: number[] = [];
  for (let i = 0; i < length; i++) bytewise.push(1);
  out.push(bytewise);
  for (let s = 1; s <= seeds; s++) {
    const rnd = seededRandom(s * 7919);
    const sizes: number[] = [];
    let left = length;
    while (left > 0) {
      const n = Math.min(left, 1 + Math.floor(rnd() * Math.max(1, length / 3)));
      sizes.push(n);
      left -= n;
    }
    out.push(sizes);
  }
  return out;
}

/** One run over one splitting; body pieces are merged so the transcript does not depend on the split. */
export function transcribe(bytes: Uint8Array, sizes: number[], options: FeedOptions = {}): string[] {
  const events: string[] = [];
  let body = "";
  const flush = () => {
    if (body) events.push(`body ${body}`);
    body = "";
  };
  const parser = new ResponseParser(
    {
      onInformational: (h) => events.push(`info ${h.status} ${h.reason}`),
      onHead: (h, f) => {
        events.push(`head ${h.version} ${h.status} ${h.reason} framing=${f.kind} length=${f.length} keepAlive=${f.keepAlive}${f.codings.length ? ` codings=${f.codings.join(",")}` : ""}`);
        for (const [n, v] of h.headers.entries()) events.push(`  ${n}: ${v}`);
      },
      onBody: (d) => {
        body += latin1(d);
      },
      onTrailers: (t) => {
        flush();
        events.push(`trailers ${t.entries().map(([n, v]) => `${n}: ${v}`).join(" | ")}`);
      },
      onComplete: (k) => {
        flush();
        events.push(`complete keepAlive=${k}`);
      },
    },
    options,
  );
  for (const m of options.methods ?? ["GET"]) parser.expectResponseTo(m);
  try {
    let at = 0;
    for (const n of sizes) {
      parser.push(bytes.subarray(at, at + n));
      at += n;
    }
    if (options.eof !== false) parser.finish();
  } catch (e) {
    flush();
    if (e instanceof HttpParseError) events.push(`error ${e.code} @${e.offset}`);
    else events.push(`thrown ${String(e)}`);
  }
  flush();
  if (parser.ignoredBytes) events.push(`ignored ${parser.ignoredBytes}`);
  return events;
}

/** Feeds `text` (latin1) every way; returns the transcript if all agree, else the first disagreement. */
export function feedAllWays(text: string | Uint8Array, options: FeedOptions = {}): Json {
  const bytes = typeof text === "string" ? latin1Bytes(text) : text;
  const ways = splittings(bytes.length, options.seeds ?? 8);
  const first = transcribe(bytes, ways[0], options);
  for (let i = 1; i < ways.length; i++) {
    const other = transcribe(bytes, ways[i], options);
    if (other.join("\n") !== first.join("\n")) {
      return { mismatch: i === 1 ? "byte by byte" : `random split ${i - 1}`, whole: first, split: other };
    }
  }
  return first;
}
