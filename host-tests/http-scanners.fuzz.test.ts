/**
 * Random text against the regexes the HTTP core's scanners replaced (host-tests/portable/
 * replaced-regexes.ts): strings built from the characters each grammar hinges on, plus edge
 * codes, so that long and odd combinations are tried, not only the tables of the scanner suites.
 */
import fc from "fast-check";
import { chunkSize, ChunkLineLeniency } from "../modules/http/chunked";
import { hasFieldControl, isToken } from "../modules/http/chars";
import { checkHeaders, isRequestTarget } from "../modules/http/request";
import { hasNonPlainByte, isPlainSection } from "../modules/http/response-head";
import { statusLine } from "./portable/http-head-scanners.portable";
import { ipv4Parts, isHostLabel, schemeEnd, splitUrl } from "../modules/http/url";
import { bytesOf, outcome } from "./portable/regex-oracle";
import { BAD_FIELD_CHAR, IPV4, LABEL, NOT_PLAIN, oldCheckValue, oldChunkSize, oldStatusLine, PLAIN_SECTION, SCHEME, TARGET, TOKEN, URL_PARTS } from "./portable/replaced-regexes";
import { Json } from "./portable/suite";

const RUNS = { numRuns: 3000 };

/** Strings of pieces drawn from `pieces` (single characters or short runs). */
function textOf(pieces: readonly string[], maxLength = 24): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...pieces), { maxLength }).map((p) => p.join(""));
}

const EDGES = ["\x00", "\x08", "\x7f", "\x80", "\xff", "\u0100", "\ud800"];
const SECTION_PIECES = ["A", "b", "-", ":", " ", "\t", "\r", "\n", "\r\n", "\r\n", "X-Y: z\r\n", "\"", "(", ...EDGES];
const CHUNK_PIECES = ["0", "1", "a", "F", "g", ";", "=", " ", "\t", "\"", "\\", "x", "!", ",", "\r", ...EDGES];
const STATUS_PIECES = ["HTTP/", "1", "0", "2", ".", " ", "\t", "OK", "200", ...EDGES];
const URL_PIECES = ["h", "T", "1", "+", ".", "-", ":", "/", "//", "?", "#", "@", "[", "%", " ", "http://", ...EDGES];
const LENIENCIES: ChunkLineLeniency[] = [
  { lenientChunkSizeWhitespace: false, lenientChunkExtensions: false },
  { lenientChunkSizeWhitespace: true, lenientChunkExtensions: false },
  { lenientChunkSizeWhitespace: false, lenientChunkExtensions: true },
  { lenientChunkSizeWhitespace: true, lenientChunkExtensions: true },
];

test("field sections: the plain and non-plain scans over bytes agree with their regexes", () => {
  const latin1Only = textOf(SECTION_PIECES.filter((p) => p.charCodeAt(0) <= 0xff), 30);
  fc.assert(
    fc.property(latin1Only, latin1Only, latin1Only, (before, section, after) => {
      const bytes = bytesOf(before + section + after);
      const from = before.length;
      const to = from + section.length;
      expect(isPlainSection(bytes, from, to)).toBe(PLAIN_SECTION.test(section));
      expect(hasNonPlainByte(bytes, from, to)).toBe(NOT_PLAIN.test(section));
    }),
    RUNS,
  );
});

test("tokens and field values agree with their regexes", () => {
  fc.assert(
    fc.property(textOf(SECTION_PIECES), (text) => {
      expect(isToken(text)).toBe(TOKEN.test(text));
      expect(hasFieldControl(text)).toBe(BAD_FIELD_CHAR.test(text));
      const r = outcome(() => (checkHeaders([["X", text]]), "ok"));
      expect(typeof r === "string" ? r : (r as { message: Json }).message).toEqual(oldCheckValue(text));
      expect(isRequestTarget(`/${text}`)).toBe(TARGET.test(`/${text}`));
    }),
    RUNS,
  );
});

test("status lines: the same version, status and reason, or the same error", () => {
  fc.assert(
    fc.property(textOf(STATUS_PIECES, 10), (line) => {
      expect(statusLine(line)).toEqual(oldStatusLine(line));
    }),
    RUNS,
  );
});

test("chunk-size lines: the same size, or the same error and message, under every leniency", () => {
  fc.assert(
    fc.property(textOf(CHUNK_PIECES, 20), fc.constantFrom(...LENIENCIES), (line, leniency) => {
      expect(outcome(() => chunkSize(line, 3, leniency))).toEqual(outcome(() => oldChunkSize(line, 3, leniency)));
    }),
    RUNS,
  );
});

test("URLs: scheme, parts, IPv4 form and host labels agree with their regexes", () => {
  fc.assert(
    fc.property(textOf(URL_PIECES, 16), (text) => {
      const scheme = SCHEME.exec(text);
      expect(schemeEnd(text)).toBe(scheme ? scheme[0].length - 1 : -1);
      const m = URL_PARTS.exec(text);
      const parts = splitUrl(text);
      expect(parts && [parts.scheme, parts.authority, parts.rest]).toEqual(m && [m[1], m[2], m[3]]);
      const ip = IPV4.exec(text);
      expect(ipv4Parts(text)).toEqual(ip && ip.slice(1, 5));
      expect(isHostLabel(text)).toBe(LABEL.test(text));
    }),
    RUNS,
  );
});
