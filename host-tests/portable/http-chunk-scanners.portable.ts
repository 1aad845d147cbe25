/**
 * The chunk-size line (modules/http/chunked.ts) against the regexes it was read with before (see
 * regex-oracle.ts): size, errors and their messages, under each of the two leniencies.
 */
import { chunkSize, ChunkLineLeniency } from "../../modules/http/chunked";
import { HttpParseError } from "../../modules/http/errors";
import { outcome, sameResultCase, withEdgeCodes } from "./regex-oracle";
import { PortableSuite } from "./suite";

const HEX = /^[0-9A-Fa-f]+/;
const TRAILING_WHITESPACE = /[ \t]+$/;
const BLANK = /^[ \t]+$/;
const LEADS_TO_EXTENSION = /^[ \t]*;/;
const CHUNK_EXTENSIONS = /^(?:[ \t]*;[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[ \t]*=[ \t]*(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+|"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"))?)*$/;
const LENIENT_CHUNK_EXTENSIONS = /^[ \t]*;[\t\x20-\x7e\x80-\xff]*$/;

/** The regex escaping of error text it replaced (errors.ts has its own test). */
const printable = (text: string): string => text.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);

/** chunkSize as it was, with its regexes. */
function oldChunkSize(line: string, offset: number, leniency: ChunkLineLeniency): number {
  const m = HEX.exec(line);
  if (!m) throw new HttpParseError("BAD_CHUNK_SIZE", offset, `chunk size "${printable(line.slice(0, 32))}" is not hexadecimal`);
  const hex = m[0];
  const digits = hex.replace(/^0+/, "");
  if (digits.length > 13) throw new HttpParseError("CHUNK_SIZE_OVERFLOW", offset, `chunk size ${hex.slice(0, 20)} is too large`);
  if (line.length > hex.length) {
    let rest = line.slice(hex.length);
    if (leniency.lenientChunkSizeWhitespace) rest = rest.replace(TRAILING_WHITESPACE, "");
    if (rest !== "") {
      if (!LEADS_TO_EXTENSION.test(rest)) {
        const blank = BLANK.test(rest);
        throw new HttpParseError("BAD_CHUNK_SIZE", offset, blank ? `whitespace after chunk size ${hex} (lenientChunkSizeWhitespace accepts it)` : `chunk size ${hex} is followed by "${printable(rest.slice(0, 32))}"`);
      }
      if (!(leniency.lenientChunkExtensions ? LENIENT_CHUNK_EXTENSIONS : CHUNK_EXTENSIONS).test(rest)) {
        throw new HttpParseError("BAD_CHUNK_EXTENSION", offset, `malformed chunk extension "${printable(rest.slice(0, 32))}" after size ${hex}`);
      }
    }
  }
  return digits === "" ? 0 : parseInt(digits, 16);
}

const LINES = [
  "",
  "0",
  "000",
  "1",
  "a",
  "F",
  "fffffffffffff",
  "ffffffffffffff",
  "0000000000000000000001",
  "00000000000000000000000000000000000000000000000000001",
  "1fffffffffffff",
  "1 ",
  "1\t",
  " 1",
  "x",
  "1x",
  "1 x",
  "1;",
  "1 ;",
  "1;a",
  "1 ; a",
  "1;a;b",
  "1;a=b",
  "1 ; a = b ",
  "1;a = b;c",
  "1;a=",
  "1;=b",
  "1;a=b c",
  "1;a b",
  '1;a=""',
  '1;a="x',
  '1;a="x"y',
  '1;a="x" ; b',
  '1;a="\\"";b="\\\\"',
  '1;a="\\',
  "1;" + "a".repeat(40),
  "1 x" + "y".repeat(40),
  ...withEdgeCodes(["%", "1%", "a%", "0%", "1 %", "1%;a", "1;%", "1;a%", "1;a%b", "1;a %", "1;a=%", "1;a=b%", "1;a= %b", '1;a="%"', '1;a="\\%"', '1;a="x"%', "1;a=b;%", "1 ;%"]),
];

const LENIENCIES: readonly [string, ChunkLineLeniency][] = [
  ["strict", { lenientChunkSizeWhitespace: false, lenientChunkExtensions: false }],
  ["lenientChunkSizeWhitespace", { lenientChunkSizeWhitespace: true, lenientChunkExtensions: false }],
  ["lenientChunkExtensions", { lenientChunkSizeWhitespace: false, lenientChunkExtensions: true }],
  ["both leniencies", { lenientChunkSizeWhitespace: true, lenientChunkExtensions: true }],
];

export const suite: PortableSuite = {
  name: "Chunk-size line scanner against the regexes it replaced",
  cases: LENIENCIES.map(([name, leniency]) =>
    sameResultCase(
      `${name}: size or error and message, each edge code in each position`,
      LINES,
      (line) => outcome(() => chunkSize(line, 7, leniency)),
      (line) => outcome(() => oldChunkSize(line, 7, leniency)),
    ),
  ),
};
