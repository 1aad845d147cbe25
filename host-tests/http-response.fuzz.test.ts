/**
 * Mutation fuzz of the response parser: pipelined well-formed responses with a few bytes changed
 * to the characters framing hinges on (CR, LF, SP, HTAB, ':', ';', '"', NUL, obs-text), fed whole
 * and at random splits, strict and with every leniency on. Whatever the bytes: only
 * HttpParseError is thrown, every way of splitting gives the same events, and nothing is reported
 * after an error.
 */
import fc from "fast-check";
import { latin1Bytes } from "../modules/base/bytes";
import { FeedOptions, gets, transcribe } from "./support/feed";

const RESPONSES = [
  "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"b c\"\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
  "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nETag: \"x\"\r\n\r\n",
  "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok",
  "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
];
const SPECIAL = [13, 10, 32, 9, 58, 59, 34, 0, 0xe9, 48];
const LENIENT: FeedOptions = { lenientLineEndings: true, lenientChunkSizeWhitespace: true, lenientChunkExtensions: true, lenientTransferEncodingWithContentLength: true, lenientDataAfterClose: true };

test("mutated pipelines: only typed errors, the same events for every split, nothing after an error", () => {
  const stream = fc.array(fc.integer({ min: 0, max: RESPONSES.length - 1 }), { minLength: 1, maxLength: 4 });
  const mutation = fc.tuple(fc.nat(), fc.constantFrom(...SPECIAL), fc.constantFrom("replace", "insert", "delete"));
  fc.assert(
    fc.property(stream, fc.array(mutation, { maxLength: 3 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), fc.boolean(), fc.boolean(), (picks, mutations, cuts, lenient, eof) => {
      const bytes = Array.from(latin1Bytes(picks.map((i) => RESPONSES[i]).join("")));
      for (const [at, b, kind] of mutations) {
        const i = at % (bytes.length + 1);
        if (kind === "insert") bytes.splice(i, 0, b);
        else if (i < bytes.length && kind === "replace") bytes[i] = b;
        else if (i < bytes.length) bytes.splice(i, 1);
      }
      const input = Uint8Array.from(bytes);
      const sizes: number[] = [];
      let left = input.length;
      for (let k = 0; left > 0; k++) {
        const n = Math.min(left, cuts[k % cuts.length]);
        sizes.push(n);
        left -= n;
      }
      const options: FeedOptions = { ...(lenient ? LENIENT : {}), methods: gets(picks.length), eof };
      const whole = transcribe(input, [input.length], options);
      const split = transcribe(input, sizes, options);
      expect(split).toEqual(whole);
      expect(whole.filter((e) => e.startsWith("thrown"))).toEqual([]);
      const error = whole.findIndex((e) => e.startsWith("error"));
      if (error >= 0) expect(error).toBe(whole.length - 1);
    }),
    { numRuns: 3000 },
  );
});
