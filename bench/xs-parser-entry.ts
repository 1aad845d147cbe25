/**
 * Entry bundled into XS for the parser's meter figures: feeds one response in segments of a
 * given size and returns what it saw, so the meter counts parsing only.
 */
import { ResponseParser } from "../modules/core/http-response";

export function parse(bytes: Uint8Array, segment: number): { body: number; complete: number } {
  let body = 0;
  let complete = 0;
  const parser = new ResponseParser({
    onHead: () => {},
    onBody: (d) => {
      body += d.length;
    },
    onComplete: () => {
      complete++;
    },
  }, { maxHeaderBytes: 65536 });
  for (let at = 0; at < bytes.length; at += segment) parser.push(bytes.subarray(at, at + segment));
  return { body, complete };
}
