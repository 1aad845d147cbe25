/**
 * Strict base64 (RFC 4648 section 4, the standard alphabet with "=" padding). XS has no atob/btoa,
 * and a lenient decoder would turn a damaged certificate into different bytes instead of an error,
 * so this one refuses anything that is not canonical base64 and says where.
 */
import { asciiCodes } from "./bytes";

export type Base64ErrorCode = "BASE64_BAD_CHAR" | "BASE64_BAD_PADDING" | "BASE64_BAD_LENGTH";

/**
 * A decoding failure; `position` is the index in the input text of the offending character and
 * `detail` the message without it (PEM reports a line and column instead).
 */
export class Base64Error extends Error {
  readonly code: Base64ErrorCode;
  readonly position: number;
  readonly detail: string;
  constructor(code: Base64ErrorCode, position: number, detail: string) {
    super(`${detail} at position ${position}`);
    this.name = "Base64Error";
    this.code = code;
    this.position = position;
    this.detail = detail;
  }
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const PAD = 61; // "="
const NOT_BASE64 = 255;
const SPACE = 254;

// Byte to 6-bit value; SPACE marks the whitespace PEM bodies may contain. 256 entries, so that a
// byte needs no range check (a char above 0x7f arrives as 0xff: see clampedCodes).
const VALUES = new Uint8Array(256).fill(NOT_BASE64);
for (let i = 0; i < 64; i++) VALUES[ALPHABET.charCodeAt(i)] = i;
for (const c of [9, 10, 13, 32]) VALUES[c] = SPACE;

function describe(text: string, i: number): string {
  const c = text.charCodeAt(i);
  return c > 32 && c < 127 ? `"${text[i]}"` : `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
}

function clampedCodes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c > 0x7f ? 0xff : c;
  }
  return out;
}

/**
 * Decodes base64 text. Padding is required (length a multiple of 4) and the unused bits of the
 * last character must be zero. With `allowWhitespace` tab, CR, LF and space are skipped anywhere,
 * as in PEM bodies; otherwise they are invalid characters.
 */
export function decodeBase64(text: string, allowWhitespace = false): Uint8Array {
  // One pass (XS meters every operation, and PEM bodies are kilobytes): validate and decode into
  // an upper-bound buffer, then trim it.
  // The char codes as bytes (one native pass on XS, where charCodeAt(i) walks the string from its
  // start: n^2/2 steps for a 2 KB PEM body, see asciiCodes). A char above 0x7f, never base64,
  // becomes 0xff (the slow way, but such text is refused anyway).
  const codes = asciiCodes(text) ?? clampedCodes(text);
  const out = new Uint8Array(Math.floor(text.length / 4) * 3 + 3);
  let at = 0;
  let acc = 0;
  let bits = 0;
  let count = 0; // significant characters, padding included
  let pads = 0;
  let firstPad = -1;
  let last = -1; // position of the last data character
  let lastValue = 0;
  const n = codes.length;
  for (let i = 0; i < n; i++) {
    if (bits === 0 && pads === 0) {
      // Whole groups of four data characters at once (XS runs each operation of a per-character
      // loop at a cost: this path is several times cheaper); anything else is left to the
      // per-character steps below, which keep every error and its position.
      let j = i;
      while (j + 4 <= n) {
        const v0 = VALUES[codes[j]];
        const v1 = VALUES[codes[j + 1]];
        const v2 = VALUES[codes[j + 2]];
        const v3 = VALUES[codes[j + 3]];
        if ((v0 | v1 | v2 | v3) > 63) break;
        out[at] = (v0 << 2) | (v1 >> 4);
        out[at + 1] = (v1 << 4) | (v2 >> 2);
        out[at + 2] = (v2 << 6) | v3;
        at += 3;
        j += 4;
      }
      if (j > i) {
        // `last` and `lastValue` matter only for padding, which always follows characters the
        // per-character steps read: a group holding "=" never takes this path.
        count += j - i;
        i = j;
        if (i >= n) break;
      }
    }
    const c = codes[i];
    const v = VALUES[c];
    if (v < 64) {
      if (pads > 0) throw new Base64Error("BASE64_BAD_PADDING", firstPad, "base64 padding \"=\" is followed by data");
      acc = ((acc << 6) | v) & 0xffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[at++] = acc >> bits;
      }
      lastValue = v;
      last = i;
      count++;
    } else if (c === PAD) {
      if (firstPad < 0) firstPad = i;
      pads++;
      count++;
    } else if (v !== SPACE || !allowWhitespace) {
      throw new Base64Error("BASE64_BAD_CHAR", i, `invalid base64 character ${describe(text, i)}`);
    }
  }
  if (count % 4 !== 0) {
    const end = firstPad >= 0 ? firstPad + pads : last + 1;
    throw new Base64Error("BASE64_BAD_LENGTH", end, `base64 length ${count} is not a multiple of 4 (${4 - (count % 4)} character(s) or padding missing)`);
  }
  if (pads > 2) throw new Base64Error("BASE64_BAD_PADDING", firstPad, `too much base64 padding (${pads} "=")`);
  // Canonical form: the bits below the last whole byte must be zero ("QQ==" not "QR==").
  if (pads && (lastValue & ((1 << (pads * 2)) - 1)) !== 0) {
    throw new Base64Error("BASE64_BAD_PADDING", last, `non-zero unused bits in base64 character ${describe(text, last)} before the padding`);
  }
  return at === out.length ? out : out.slice(0, at);
}

/** Encodes bytes as base64 with "=" padding and no line breaks. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + "==";
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + "=";
  }
  return out;
}
