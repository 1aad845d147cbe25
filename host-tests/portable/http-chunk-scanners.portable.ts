/**
 * The chunk-size line (modules/http/chunked.ts) against the regexes it was read with before (see
 * replaced-regexes.ts): size, errors and their messages, under each of the two leniencies.
 */
import { chunkSize, ChunkLineLeniency } from "../../modules/http/chunked";
import { outcome, sameResultCase, withEdgeCodes } from "./regex-oracle";
import { oldChunkSize } from "./replaced-regexes";
import { PortableSuite } from "./suite";

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
