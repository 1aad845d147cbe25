/**
 * What the response parser costs inside XS, from the engine's meter (deterministic units, not
 * time): per KiB of header bytes, and per KiB of body bytes for a 1 KiB and a 1 MiB body, fed
 * whole and in 1460-byte segments. Body bytes should cost close to nothing per byte in JS: the
 * parser hands out views, so their cost is per segment, not per byte.
 */
import { join } from "node:path";
import { concatBytes, latin1Bytes } from "../modules/base/bytes";
import { openXsMeter } from "./xs-meter";

function response(headerLines: number, bodyBytes: number): { bytes: Uint8Array; headBytes: number } {
  let head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n";
  for (let i = 0; i < headerLines; i++) head += `X-Header-${i}: value-${i}-abcdefghijklmnopqrstuvwxyz\r\n`;
  head += `Content-Length: ${bodyBytes}\r\n\r\n`;
  const headBytes = latin1Bytes(head);
  return { bytes: concatBytes([headBytes, new Uint8Array(bodyBytes).fill(0x61)]), headBytes: headBytes.length };
}

export interface XsParserFigures {
  unitsPerHeaderKiB: number;
  body: { size: string; segment: string; unitsPerKiB: number; units: number }[];
}

export async function benchXsParser(): Promise<XsParserFigures> {
  const meter = await openXsMeter(join(__dirname, "xs-parser-entry.ts"));
  try {
    const measure = async (bytes: Uint8Array, segment: number) => (await meter.measure("parse", [bytes, segment])).units;
    // Header cost: the slope between a small and a large header section, bodies empty.
    const small = response(2, 0);
    const large = response(120, 0);
    const headerSlope = ((await measure(large.bytes, large.bytes.length)) - (await measure(small.bytes, small.bytes.length))) / ((large.headBytes - small.headBytes) / 1024);
    // Body cost: the same head with a 1 KiB and a 1 MiB body, minus the cost of the head alone.
    const base = response(2, 0);
    const headOnly = await measure(base.bytes, base.bytes.length);
    const body: XsParserFigures["body"] = [];
    for (const size of [1024, 1 << 20]) {
      const r = response(2, size);
      for (const segment of [r.bytes.length, 1460]) {
        const units = (await measure(r.bytes, segment)) - headOnly;
        body.push({ size: size === 1024 ? "1 KiB" : "1 MiB", segment: segment === 1460 ? "1460-byte segments" : "whole", units, unitsPerKiB: units / (size / 1024) });
      }
    }
    return { unitsPerHeaderKiB: headerSlope, body };
  } finally {
    await meter.close();
  }
}

export function printXsParser(f: XsParserFigures, log: (line: string) => void = console.log): void {
  log("Response parser inside XS (meter units, deterministic; lower is better)");
  log(`  header bytes: ${Math.round(f.unitsPerHeaderKiB)} units per KiB`);
  for (const b of f.body) log(`  body ${b.size.padEnd(6)} ${b.segment.padEnd(19)} ${Math.round(b.units).toString().padStart(8)} units  ${b.unitsPerKiB.toFixed(1).padStart(8)} units per KiB`);
}
