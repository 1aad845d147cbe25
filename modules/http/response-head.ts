/**
 * A response head: the status line, and the field lines of a head or trailer section, read from
 * text that is already split into lines. Any malformed line throws HttpParseError with the
 * stream offset of the line, which the caller passes in.
 */
import { ascii, hasNativeAsciiDecoder, latin1 } from "../base/bytes";
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

/** token (RFC 9110 section 5.6.2): field names and transfer codings. */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Controls other than HTAB are not field content (RFC 9110 section 5.5); bare CR and NUL included. */
const BAD_FIELD_CHAR = /[\x00-\x08\x0a-\x1f\x7f]/;
/**
 * A plain section holds only printable ASCII, HTAB, LF, and CR before LF: it needs no per-field
 * control-character check. The regex engine scans natively on V8 and XS alike.
 */
const NOT_PLAIN = /[^\t\n\r\x20-\x7e]|\r(?!\n)/;
/*
 * Character classes here are positive ("HTAB, printable, obs-text"; text here is latin1, so
 * nothing is above 0xFF): the XS build in the test lane mis-negates a class that starts at \x00,
 * so `[^\x00-\x08...]` would match control characters there.
 */
/**
 * status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 section 4). The SP
 * before an empty reason may be missing, as llhttp, h11 and Go accept: it cannot change framing.
 */
const STATUS_LINE = /^HTTP\/(\d)\.(\d) (\d{3})(?: ([\t\x20-\x7e\x80-\xff]*))?$/;

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

const CR = 13;

/**
 * The common section, checked in one scan: every line a token, a colon and printable ASCII or
 * HTAB, ended by CRLF, then the empty line. Its lines need no per-line checks. Linear: the name
 * cannot contain ':' and a value cannot contain CR.
 */
const PLAIN_SECTION = /^(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e]*\r\n)*\r\n$/;

/**
 * Reads the complete field section `bytes[from, to)` (it ends with its empty line and starts at
 * stream offset `origin`) into `fields`, noting the framing fields in `framing` when given (a
 * head, not trailers). Returns the index in the section of its empty line.
 */
export function readFieldSection(bytes: Uint8Array, from: number, to: number, origin: number, fields: HeaderList, framing: FramingFields | null, lenientLineEndings: boolean): number {
  // Decoded as ASCII first (natively where the engine can), then one regex scan tells whether the
  // per-line checks can be skipped: far cheaper on XS than a JS loop over every byte.
  let text = ascii(bytes, from, to);
  if (PLAIN_SECTION.test(text)) return readPlainSection(text, fields, framing);
  // Where `ascii` is the native UTF-8 decoder, bytes above 0x7F came out as other characters.
  if (hasNativeAsciiDecoder) text = latin1(bytes, from, to);
  const plain = !NOT_PLAIN.test(text);
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

/** A section that matched PLAIN_SECTION: name, colon, value, CRLF on every line. */
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

/** Reads a status line (line end removed) that starts at stream offset `offset`. */
export function parseStatusLine(line: string, offset: number): ResponseHead {
  const m = STATUS_LINE.exec(line);
  if (!m) throw new HttpParseError("BAD_STATUS_LINE", offset, `not an HTTP/1.x status line: "${printable(line.slice(0, 64))}"`);
  // HTTP/0.9 has no status line and HTTP/2 and 3 are not text on a TCP stream: a status line
  // that claims them is not HTTP/1.x, whatever follows (RFC 9112 section 2.3).
  if (m[1] !== "1") throw new HttpParseError("UNSUPPORTED_HTTP_VERSION", offset, `HTTP/${m[1]}.${m[2]} is not HTTP/1.x`);
  // Any three digits (RFC 9110 section 15): reported as received; what a code outside 100-599
  // means is the caller's to decide (RFC 9110 says to treat it as 5xx).
  const minor = m[2];
  return { version: minor === "1" ? "1.1" : minor === "0" ? "1.0" : `1.${minor}`, status: Number(m[3]), reason: m[4] ?? "", headers: new HeaderList() };
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
    const extra = text.slice(start, end).replace(/^[ \t]+|[ \t]+$/g, "");
    if (!plain && BAD_FIELD_CHAR.test(extra)) throw new HttpParseError("BAD_HEADER_LINE", offset, "control character in a folded field value");
    if (!fields.appendToLast(extra)) throw new HttpParseError("BAD_HEADER_LINE", offset, "whitespace before the first header field");
    return null;
  }
  let colon = text.indexOf(":", start);
  if (colon >= end) colon = -1;
  if (colon <= start) throw new HttpParseError("BAD_HEADER_LINE", offset, colon === start ? "empty header name" : "header line without a colon");
  const name = text.slice(start, colon);
  if (!TOKEN.test(name)) {
    throw new HttpParseError("BAD_HEADER_LINE", offset, /[ \t]$/.test(name) ? `whitespace between header name and colon in "${printable(name)}"` : `invalid header name "${printable(name)}"`);
  }
  let a = colon + 1;
  let b = end;
  while (a < b && (text.charCodeAt(a) === 32 || text.charCodeAt(a) === 9)) a++;
  while (b > a && (text.charCodeAt(b - 1) === 32 || text.charCodeAt(b - 1) === 9)) b--;
  const value = text.slice(a, b);
  if (!plain && BAD_FIELD_CHAR.test(value)) throw new HttpParseError("BAD_HEADER_LINE", offset, `control character in the value of ${name}`);
  fields.add(name, value);
  return name;
}
