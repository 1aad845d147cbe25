/**
 * A response head: the status line, and the field lines of a head or trailer section, read from
 * text that is already split into lines. Any malformed line throws HttpParseError with the
 * stream offset of the line, which the caller passes in.
 */
import { ascii, latin1 } from "../base/bytes";
import { hasFieldControl, isDigit, isFieldText, isSpTab, isTchar as importedIsTchar, isToken, skipSpTab, trimSpTabEnd } from "./chars";
import { HttpParseError, printable } from "./errors";
import { HeaderList } from "./headers";

export interface ResponseHead {
  /**
   * The version as received: "1.0", "1.1", or a later "1.x", which has the semantics of 1.1
   * (RFC 9110 section 2.5: a recipient treats a higher minor version as the highest it knows).
   */
  version: string;
  status: number;
  reason: string;
  headers: HeaderList;
}

/** The start of every status line. */
const HTTP_SLASH = "HTTP/";
/*
 * What the byte loops use is bound in this module: transpiled for Node as CommonJS (tsx), each
 * use of an imported binding calls a getter, which made those loops 15 times slower there.
 */
const isTchar = importedIsTchar;
const HTAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const COLON = 0x3a;

/** Indices in a head's HeaderList of the fields that decide framing (RFC 9112 section 6.3). */
export interface FramingFields {
  connection: number[];
  contentLength: number[];
  transferEncoding: number[];
}

export function noFramingFields(): FramingFields {
  return { connection: [], contentLength: [], transferEncoding: [] };
}

/** Notes the field just added at `index` if it frames the message, so framing needs no lookups. */
function noteFramingField(fields: FramingFields, name: string, index: number): void {
  const n = name.length;
  if (n !== 10 && n !== 14 && n !== 17) return;
  const lower = name.toLowerCase();
  if (lower === "connection") fields.connection.push(index);
  else if (lower === "content-length") fields.contentLength.push(index);
  else if (lower === "transfer-encoding") fields.transferEncoding.push(index);
}

/**
 * Whether `bytes[from, to)` is a plain section: every line a token, a colon and printable ASCII
 * or HTAB, ended by CRLF, then the empty line, and nothing after it. Such a section needs no
 * per-line checks. Scanned as bytes, in one pass and no string.
 */
export function isPlainSection(bytes: Uint8Array, from: number, to: number): boolean {
  // A section that ends in CRLF lets the loops below run without bound checks: each stops at a
  // CR, by `to - 2` at the latest. On XS every instruction of a per-byte loop counts.
  if (to - from < 2 || bytes[to - 2] !== CR || bytes[to - 1] !== LF) return false;
  let i = from;
  for (;;) {
    if (i === to) return false;
    let c = bytes[i];
    if (c === CR) return i + 2 === to;
    const name = i;
    while (isTchar(c)) c = bytes[++i];
    if (i === name || c !== COLON) return false;
    c = bytes[++i];
    while (c < SP ? c === HTAB : c <= 0x7e) c = bytes[++i];
    if (c !== CR || bytes[i + 1] !== LF) return false;
    i += 2;
  }
}

/**
 * Whether `bytes[from, to)` holds anything but printable ASCII, HTAB, LF, and CR before LF. A
 * section without it needs no control-character check per field.
 */
export function hasNonPlainByte(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = bytes[i];
    if (c >= SP && c <= 0x7e) continue;
    if (c === HTAB || c === LF) continue;
    if (c === CR && i + 1 < to && bytes[i + 1] === LF) continue;
    return true;
  }
  return false;
}

/**
 * Reads the complete field section `bytes[from, to)` (it ends with its empty line and starts at
 * stream offset `origin`) into `fields`, noting the framing fields in `framing` when given (a
 * head, not trailers). Returns the index in the section of its empty line.
 */
export function readFieldSection(bytes: Uint8Array, from: number, to: number, origin: number, fields: HeaderList, framing: FramingFields | null, lenientLineEndings: boolean): number {
  // One scan of the bytes tells whether the per-line checks can be skipped; a plain section is
  // ASCII, so it may be decoded natively where the engine can.
  if (isPlainSection(bytes, from, to)) return readPlainSection(ascii(bytes, from, to), fields, framing);
  const text = latin1(bytes, from, to);
  const plain = !hasNonPlainByte(bytes, from, to);
  let i = 0;
  for (;;) {
    const lf = text.indexOf("\n", i);
    const end = lf > i && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
    if (end === lf && !lenientLineEndings) {
      throw new HttpParseError("BARE_LF", origin + lf, "a line ends in LF without CR (RFC 9112 section 2.2; lenientLineEndings accepts it)");
    }
    if (end === i) return i;
    const name = addFieldLine(fields, text, i, end, plain, origin + i);
    if (name !== null && framing !== null) noteFramingField(framing, name, fields.size - 1);
    i = lf + 1;
  }
}

/** A section that passed isPlainSection: name, colon, value, CRLF on every line. */
function readPlainSection(text: string, fields: HeaderList, framing: FramingFields | null): number {
  let i = 0;
  for (;;) {
    const cr = text.indexOf("\r", i);
    if (cr === i) return i;
    const colon = text.indexOf(":", i);
    let a = colon + 1;
    let b = cr;
    let c = text.charCodeAt(a);
    while (a < b && (c === 32 || c === 9)) c = text.charCodeAt(++a);
    c = text.charCodeAt(b - 1);
    while (b > a && (c === 32 || c === 9)) c = text.charCodeAt(--b - 1);
    const name = text.slice(i, colon);
    fields.add(name, text.slice(a, b));
    if (framing !== null) noteFramingField(framing, name, fields.size - 1);
    i = cr + 2;
  }
}

/**
 * status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 section 4), with one
 * digit each side of the dot and a reason of HTAB, SP, VCHAR and obs-text. The SP before an
 * empty reason may be missing, as llhttp, h11 and Go accept: it cannot change framing.
 */
export function isStatusLine(line: string): boolean {
  const n = line.length;
  if (n < 12 || !line.startsWith(HTTP_SLASH)) return false;
  if (!isDigit(line.charCodeAt(5)) || line.charCodeAt(6) !== 0x2e || !isDigit(line.charCodeAt(7)) || line.charCodeAt(8) !== SP) return false;
  if (!isDigit(line.charCodeAt(9)) || !isDigit(line.charCodeAt(10)) || !isDigit(line.charCodeAt(11))) return false;
  if (n === 12) return true;
  if (line.charCodeAt(12) !== SP) return false;
  for (let i = 13; i < n; i++) if (!isFieldText(line.charCodeAt(i))) return false;
  return true;
}

/** Reads a status line (line end removed) that starts at stream offset `offset`. */
export function parseStatusLine(line: string, offset: number): ResponseHead {
  if (!isStatusLine(line)) throw new HttpParseError("BAD_STATUS_LINE", offset, `not an HTTP/1.x status line: "${printable(line.slice(0, 64))}"`);
  const major = line[5];
  const minor = line[7];
  // HTTP/0.9 has no status line and HTTP/2 and 3 are not text on a TCP stream: a status line
  // that claims them is not HTTP/1.x, whatever follows (RFC 9112 section 2.3).
  if (major !== "1") throw new HttpParseError("UNSUPPORTED_HTTP_VERSION", offset, `HTTP/${major}.${minor} is not HTTP/1.x`);
  // Any three digits (RFC 9110 section 15): reported as received; what a code outside 100-599
  // means is the caller's to decide (RFC 9110 says to treat it as 5xx).
  const reason = line.length > 12 ? line.slice(13) : "";
  return { version: minor === "1" ? "1.1" : minor === "0" ? "1.0" : `1.${minor}`, status: Number(line.slice(9, 12)), reason, headers: new HeaderList() };
}

/**
 * Adds the field line `text[start, end)` (not empty, line end removed) to `fields`, or continues
 * the last field for an obs-fold line. `plain` says the text is known to hold no control
 * character. Returns the name of the field added, or null for a continuation.
 */
function addFieldLine(fields: HeaderList, text: string, start: number, end: number, plain: boolean, offset: number): string | null {
  const first = text.charCodeAt(start);
  if (first === 32 || first === 9) {
    // Obsolete line folding: a client replaces each obs-fold with SP (RFC 9112 section 5.2).
    // Whitespace before the first field is refused (RFC 9112 section 2.2).
    const from = skipSpTab(text, start, end);
    const extra = text.slice(from, trimSpTabEnd(text, from, end));
    if (!plain && hasFieldControl(extra)) throw new HttpParseError("BAD_HEADER_LINE", offset, "control character in a folded field value");
    if (!fields.appendToLast(extra)) throw new HttpParseError("BAD_HEADER_LINE", offset, "whitespace before the first header field");
    return null;
  }
  let colon = text.indexOf(":", start);
  if (colon >= end) colon = -1;
  if (colon <= start) throw new HttpParseError("BAD_HEADER_LINE", offset, colon === start ? "empty header name" : "header line without a colon");
  const name = text.slice(start, colon);
  if (!isToken(name)) {
    throw new HttpParseError("BAD_HEADER_LINE", offset, isSpTab(name.charCodeAt(name.length - 1)) ? `whitespace between header name and colon in "${printable(name)}"` : `invalid header name "${printable(name)}"`);
  }
  const a = skipSpTab(text, colon + 1, end);
  const value = text.slice(a, trimSpTabEnd(text, a, end));
  if (!plain && hasFieldControl(value)) throw new HttpParseError("BAD_HEADER_LINE", offset, `control character in the value of ${name}`);
  fields.add(name, value);
  return name;
}
