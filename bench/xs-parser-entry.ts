/**
 * The response parser as both benchmarks run it: bytes in, body bytes and completed responses
 * counted, nothing else done, so what is measured is parsing. Bundled into XS for the meter
 * figures (`parse`) and called directly on Node for the llhttp comparison (`parsePieces`).
 */
import { ResponseParser } from "../modules/http/response";

interface Counts {
  body: number;
  complete: number;
}

function countingParser(counts: Counts, responses: number): ResponseParser {
  const parser = new ResponseParser({
    onHead: () => {},
    onBody: (d) => {
      counts.body += d.length;
    },
    onComplete: () => {
      counts.complete++;
    },
  });
  for (let i = 0; i < responses; i++) parser.expectResponseTo("GET");
  return parser;
}

/** Pieces split beforehand (the timed Node comparison keeps splitting out of the loop), answering `responses` GETs. */
export function parsePieces(pieces: readonly Uint8Array[], responses: number): Counts {
  const counts = { body: 0, complete: 0 };
  const parser = countingParser(counts, responses);
  for (const p of pieces) parser.push(p);
  return counts;
}

/** One response, `bytes` fed in segments of `segment` bytes, split as they are pushed (no array of pieces to meter). */
export function parse(bytes: Uint8Array, segment: number): Counts {
  const counts = { body: 0, complete: 0 };
  const parser = countingParser(counts, 1);
  for (let at = 0; at < bytes.length; at += segment) parser.push(bytes.subarray(at, at + segment));
  return counts;
}
