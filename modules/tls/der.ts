/**
 * Minimal DER reader for certificates. Certificates come from files and from the network, so
 * every length is checked against its enclosing element before use: a malformed or truncated
 * input ends in a DerError with the offset to look at, never a read past the end or a loop.
 */
import { latin1, utf8 } from "../base/bytes";

export type DerErrorCode =
  | "DER_TRUNCATED" // an element runs past the end of its container
  | "DER_INDEFINITE_LENGTH" // BER's 0x80 length, not allowed in DER
  | "DER_BAD_LENGTH" // a length longer than 4 bytes, or the reserved 0xff
  | "DER_BAD_TAG" // high tag number form (never used in X.509)
  | "DER_UNEXPECTED" // the structure is not the one expected
  | "DER_TRAILING_DATA" // bytes left after the last expected element
  | "DER_BAD_VALUE"; // contents invalid for the type (time, OID, boolean ...)

/** A DER failure; `offset` is the byte offset in the input of the element or byte at fault. */
export class DerError extends Error {
  readonly code: DerErrorCode;
  readonly offset: number;
  constructor(code: DerErrorCode, offset: number, message: string) {
    super(`${message} (offset ${offset})`);
    this.name = "DerError";
    this.code = code;
    this.offset = offset;
  }
}

/** Identifier octets of the universal types used here; context tags are 0x80 | n, 0xa0 | n. */
export const Tag = Object.freeze({
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  TELETEX_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const);

/** One element: offsets into `bytes` of its identifier octet, its contents, and its end. */
export interface DerElement {
  bytes: Uint8Array;
  tag: number;
  start: number;
  valueStart: number;
  end: number;
}

function tagName(tag: number): string {
  return `0x${(tag < 16 ? "0" : "") + tag.toString(16)}`;
}

/** Reads the element at `offset`, which must end at or before `limit`. */
export function readElement(bytes: Uint8Array, offset: number, limit = bytes.length): DerElement {
  if (offset >= limit) throw new DerError("DER_TRUNCATED", offset, "element expected, data ends");
  const tag = bytes[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError("DER_BAD_TAG", offset, `high tag number form (${tagName(tag)}) is not supported`);
  if (offset + 1 >= limit) throw new DerError("DER_TRUNCATED", offset, `element ${tagName(tag)} has no length`);
  let length = bytes[offset + 1];
  let at = offset + 2;
  if (length === 0x80) throw new DerError("DER_INDEFINITE_LENGTH", offset, `element ${tagName(tag)} has an indefinite length`);
  if (length > 0x80) {
    const n = length & 0x7f;
    // Four length bytes cover any certificate; more (or the reserved 0xff) means garbage.
    if (n > 4) throw new DerError("DER_BAD_LENGTH", offset, `element ${tagName(tag)} has a ${n}-byte length`);
    if (at + n > limit) throw new DerError("DER_TRUNCATED", offset, `element ${tagName(tag)} length runs past the end`);
    length = 0;
    // Non-minimal lengths are accepted: they do occur in deployed certificates and the byte
    // ranges stay exact either way.
    for (let i = 0; i < n; i++) length = length * 256 + bytes[at++];
  }
  if (length > limit - at) {
    throw new DerError("DER_TRUNCATED", offset, `element ${tagName(tag)} claims ${length} bytes, ${limit - at} remain`);
  }
  return { bytes, tag, start: offset, valueStart: at, end: at + length };
}

/**
 * Reads the one element that fills `bytes[start, end)` exactly: a whole certificate, or the DER
 * nested inside an OCTET STRING or BIT STRING. Offsets stay relative to `bytes`.
 */
export function readDer(bytes: Uint8Array, start = 0, end = bytes.length): DerElement {
  const el = readElement(bytes, start, end);
  if (el.end !== end) throw new DerError("DER_TRAILING_DATA", el.end, `${end - el.end} byte(s) after the element`);
  return el;
}

/** The contents of an element, without copying. */
export function valueOf(el: DerElement): Uint8Array {
  return el.bytes.subarray(el.valueStart, el.end);
}

/** Walks the children of a constructed element (or of a whole buffer) in order. */
export class DerReader {
  private at: number;
  private readonly limit: number;
  private readonly bytes: Uint8Array;

  /** A reader over the contents of `el`. */
  constructor(el: DerElement) {
    this.bytes = el.bytes;
    this.at = el.valueStart;
    this.limit = el.end;
  }

  /** True when every child has been read. */
  get done(): boolean {
    return this.at >= this.limit;
  }

  /** The tag of the next child, or -1 at the end. */
  peekTag(): number {
    return this.at < this.limit ? this.bytes[this.at] : -1;
  }

  /** Reads the next child; with `tag`, it must have that tag (`what` names it in the error). */
  next(tag?: number, what = "element"): DerElement {
    if (this.done) throw new DerError("DER_UNEXPECTED", this.at, `${what} expected, the enclosing element ends`);
    const el = readElement(this.bytes, this.at, this.limit);
    if (tag !== undefined) expectTag(el, tag, what);
    this.at = el.end;
    return el;
  }

  /** Reads the next child only if it has `tag` (for OPTIONAL and DEFAULT fields). */
  optional(tag: number): DerElement | null {
    return this.peekTag() === tag ? this.next() : null;
  }

  /** Checks that nothing is left (`what` names the container in the error). */
  finish(what: string): void {
    if (!this.done) throw new DerError("DER_TRAILING_DATA", this.at, `unexpected data at the end of ${what}`);
  }
}

/** Returns `el` if it has `tag`, else throws DER_UNEXPECTED naming it as `what`. */
export function expectTag(el: DerElement, tag: number, what: string): DerElement {
  if (el.tag !== tag) throw new DerError("DER_UNEXPECTED", el.start, `${what}: expected tag ${tagName(tag)}, found ${tagName(el.tag)}`);
  return el;
}

/** A reader over the children of `el`, which must have `tag` if given. */
export function childrenOf(el: DerElement, tag?: number, what = "element"): DerReader {
  return new DerReader(tag === undefined ? el : expectTag(el, tag, what));
}

function bad(el: DerElement, message: string): DerError {
  return new DerError("DER_BAD_VALUE", el.start, message);
}

/** OBJECT IDENTIFIER as dotted text ("1.2.840.113549.1.1.11"). */
export function oidOf(el: DerElement): string {
  const v = valueOf(el);
  if (v.length === 0 || v[v.length - 1] & 0x80) throw bad(el, "malformed object identifier");
  const arcs: string[] = [];
  let n = 0;
  let big: bigint | null = null; // arcs beyond 2^53 (2.25.<uuid>) switch to BigInt
  for (let i = 0; i < v.length; i++) {
    const b = v[i];
    if (big !== null) big = (big << 7n) | BigInt(b & 0x7f);
    else if (n >= 2 ** 45) big = (BigInt(n) << 7n) | BigInt(b & 0x7f);
    else n = n * 128 + (b & 0x7f);
    if (b & 0x80) continue;
    if (arcs.length === 0) {
      // The first subidentifier packs two arcs: 40 * first + second, first at most 2.
      if (big !== null) arcs.push("2", String(big - 80n));
      else if (n < 80) arcs.push(String(Math.floor(n / 40)), String(n % 40));
      else arcs.push("2", String(n - 80));
    } else arcs.push(big !== null ? String(big) : String(n));
    n = 0;
    big = null;
  }
  return arcs.join(".");
}

/** INTEGER contents as bytes (two's complement, big-endian), checked non-empty. */
export function integerBytesOf(el: DerElement): Uint8Array {
  if (el.end === el.valueStart) throw bad(el, "empty integer");
  return valueOf(el);
}

/** INTEGER that must fit a safe JavaScript number (versions, path lengths). */
export function smallIntegerOf(el: DerElement): number {
  const v = integerBytesOf(el);
  if (v.length > 6) throw bad(el, "integer too large");
  let n = v[0] & 0x80 ? -1 : 0;
  for (let i = 0; i < v.length; i++) n = n * 256 + v[i];
  return n;
}

/** BOOLEAN (any non-zero byte is true, as BER readers accept). */
export function booleanOf(el: DerElement): boolean {
  if (el.end - el.valueStart !== 1) throw bad(el, "boolean must be one byte");
  return el.bytes[el.valueStart] !== 0;
}

/** BIT STRING: the bytes after the unused-bits count, and that count. */
export function bitStringOf(el: DerElement): { unusedBits: number; bytes: Uint8Array } {
  const v = valueOf(el);
  if (v.length === 0 || v[0] > 7 || (v.length === 1 && v[0] !== 0)) throw bad(el, "malformed bit string");
  return { unusedBits: v[0], bytes: v.subarray(1) };
}

/** Days from 1970-01-01 to a proleptic Gregorian date (avoids Date.UTC's two-digit-year rule). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * UTCTime or GeneralizedTime as milliseconds since the epoch. Only the RFC 5280 forms
 * (YYMMDDHHMMSSZ, YYYYMMDDHHMMSSZ) are accepted: they are also the only forms Moddable's
 * certificate code parses, so anything else would fail on the device anyway.
 */
export function timeOf(el: DerElement): number {
  const text = latin1(el.bytes, el.valueStart, el.end);
  const utc = el.tag === Tag.UTC_TIME;
  if (!utc && el.tag !== Tag.GENERALIZED_TIME) throw new DerError("DER_UNEXPECTED", el.start, `time expected, found tag ${tagName(el.tag)}`);
  if (!(utc ? /^\d{12}Z$/ : /^\d{14}Z$/).test(text)) throw bad(el, `time "${text.slice(0, 20)}" is not in the RFC 5280 form`);
  let year: number;
  let i: number;
  if (utc) {
    year = Number(text.slice(0, 2));
    year += year < 50 ? 2000 : 1900; // RFC 5280 4.1.2.5.1
    i = 2;
  } else {
    year = Number(text.slice(0, 4));
    i = 4;
  }
  const f = (k: number) => Number(text.slice(i + 2 * k, i + 2 * k + 2));
  const month = f(0), day = f(1), hour = f(2), minute = f(3), second = f(4);
  const monthDays = [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (month < 1 || month > 12 || day < 1 || day > monthDays[month - 1] || hour > 23 || minute > 59 || second > 59) {
    throw bad(el, `time "${text}" is out of range`);
  }
  return ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60000 + second * 1000;
}

/**
 * The text of a string type: UTF8String, PrintableString, IA5String, NumericString,
 * VisibleString, TeletexString (read as latin1, as OpenSSL does), BMPString (UTF-16BE) and
 * UniversalString (UTF-32BE). Returns null for other tags.
 */
export function stringOf(el: DerElement): string | null {
  const { bytes, valueStart: s, end: e } = el;
  switch (el.tag) {
    case Tag.UTF8_STRING:
      return utf8(bytes, s, e);
    case Tag.PRINTABLE_STRING:
    case Tag.IA5_STRING:
    case Tag.TELETEX_STRING:
    case 0x12: // NumericString
    case 0x1a: // VisibleString
      return latin1(bytes, s, e);
    case Tag.BMP_STRING: {
      if ((e - s) % 2) throw bad(el, "BMPString of odd length");
      let out = "";
      for (let i = s; i < e; i += 2) out += String.fromCharCode((bytes[i] << 8) | bytes[i + 1]);
      return out;
    }
    case Tag.UNIVERSAL_STRING: {
      if ((e - s) % 4) throw bad(el, "UniversalString length not a multiple of 4");
      let out = "";
      for (let i = s; i < e; i += 4) {
        const cp = ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0;
        out += cp > 0x10ffff ? "\ufffd" : String.fromCodePoint(cp);
      }
      return out;
    }
    default:
      return null;
  }
}
