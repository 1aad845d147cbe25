/**
 * The chunk-size line of a chunked body (RFC 9112 section 7.1): `chunk-size [ chunk-ext ]`.
 */
import { HttpParseError, printable } from "./errors";

const HEX = /^[0-9A-Fa-f]+/;
const TRAILING_WHITESPACE = /[ \t]+$/;
const BLANK = /^[ \t]+$/;
/** After the size, only BWS and ";" may start the rest of the line. */
const LEADS_TO_EXTENSION = /^[ \t]*;/;
/**
 * chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), name a token, value
 * a token or a quoted-string (RFC 9112 section 7.1.1, RFC 9110 section 5.6.4). Linear: no two
 * alternatives can match the same character. Classes are positive (see response-head.ts).
 */
const CHUNK_EXTENSIONS = /^(?:[ \t]*;[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[ \t]*=[ \t]*(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+|"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"))?)*$/;
/** With lenientChunkExtensions: anything without control characters after the ";". */
const LENIENT_CHUNK_EXTENSIONS = /^[ \t]*;[\t\x20-\x7e\x80-\xff]*$/;

export interface ChunkLineLeniency {
  readonly lenientChunkSizeWhitespace: boolean;
  readonly lenientChunkExtensions: boolean;
}

/** The size on a chunk-size line (line end removed) that starts at stream offset `offset`. */
export function chunkSize(line: string, offset: number, leniency: ChunkLineLeniency): number {
  const m = HEX.exec(line);
  if (!m) throw new HttpParseError("BAD_CHUNK_SIZE", offset, `chunk size "${printable(line.slice(0, 32))}" is not hexadecimal`);
  const hex = m[0];
  const digits = hex.replace(/^0+/, "");
  // 13 hex digits hold at most 2^52 - 1; one more digit could exceed exact integers.
  if (digits.length > 13) throw new HttpParseError("CHUNK_SIZE_OVERFLOW", offset, `chunk size ${hex.slice(0, 20)} is too large`);
  if (line.length > hex.length) checkChunkExtensions(line.slice(hex.length), hex, offset, leniency);
  return digits === "" ? 0 : parseInt(digits, 16);
}

/** What follows the chunk size: nothing but extensions, or whitespace with the leniency. */
function checkChunkExtensions(rest: string, hex: string, offset: number, leniency: ChunkLineLeniency): void {
  if (leniency.lenientChunkSizeWhitespace) rest = rest.replace(TRAILING_WHITESPACE, "");
  if (rest === "") return;
  if (!LEADS_TO_EXTENSION.test(rest)) {
    const blank = BLANK.test(rest);
    throw new HttpParseError("BAD_CHUNK_SIZE", offset, blank ? `whitespace after chunk size ${hex} (lenientChunkSizeWhitespace accepts it)` : `chunk size ${hex} is followed by "${printable(rest.slice(0, 32))}"`);
  }
  if (!(leniency.lenientChunkExtensions ? LENIENT_CHUNK_EXTENSIONS : CHUNK_EXTENSIONS).test(rest)) {
    throw new HttpParseError("BAD_CHUNK_EXTENSION", offset, `malformed chunk extension "${printable(rest.slice(0, 32))}" after size ${hex}`);
  }
}
