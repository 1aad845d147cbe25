/**
 * Small byte helpers shared by the core. The core runs on XS as well as Node, so it uses neither
 * Buffer nor TextEncoder/TextDecoder: HTTP heads are latin1 (one byte, one char code), and the few
 * places that need UTF-8 (log previews) use the helpers here.
 */

/** Latin1 decode of `bytes[start, end)`: every byte becomes the char code of the same value. */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = "";
  // fromCharCode.apply on pieces of LATIN1_PIECE bytes: each piece is pushed on the XS stack as
  // call arguments, and a device's stack is a few hundred slots (4096 overflowed even the host
  // lane's). Measured in XS on 4 KiB: 64-byte pieces cost 16% more meter units than 256-byte ones
  // and a third less than one call per 8 bytes.
  for (let i = start; i < end; i += LATIN1_PIECE) {
    const stop = i + LATIN1_PIECE < end ? i + LATIN1_PIECE : end;
    out += String.fromCharCode.apply(null, bytes.subarray(i, stop) as unknown as number[]);
  }
  return out;
}

const LATIN1_PIECE = 64;

interface NativeDecoder {
  decode(bytes: Uint8Array): string;
}
/**
 * The engine's own UTF-8 decoder where there is one (Node has it; XS on a device does not). For
 * ASCII input it gives exactly what `latin1` gives, many times faster on V8.
 */
const nativeUtf8: NativeDecoder | null = (() => {
  const ctor = (globalThis as { TextDecoder?: new (label: string) => NativeDecoder }).TextDecoder;
  return typeof ctor === "function" ? new ctor("utf-8") : null;
})();

/** Decode of `bytes[start, end)` that the caller knows to be ASCII (every byte below 0x80). */
export function ascii(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return nativeUtf8 ? nativeUtf8.decode(bytes.subarray(start, end)) : latin1(bytes, start, end);
}

interface XsArrayBufferStatics {
  fromString?(text: string): ArrayBuffer;
}

/**
 * The string's UTF-8 bytes made by the engine in one pass where it can (XS's
 * `ArrayBuffer.fromString`), else null (Node: its loops below are linear).
 *
 * Why: XS keeps strings as UTF-8 and, in device and simulator builds (no string-offset cache,
 * `mxStringInfoCacheLength` 0), reaches char i by walking from the start, so a `charCodeAt` loop
 * costs n^2/2 steps. Measured on the SDK's simulator: 2.2 ms for 1 KB, 79 ms for 8 KB and 279 ms for
 * 16 KB, against under 0.1 ms natively; an ESP32 is many times slower still. XS strings hold a
 * lone surrogate as its own 3-byte sequence (ED A0..BF xx), which the callers handle.
 */
function engineUtf8(text: string): Uint8Array | null {
  const statics = ArrayBuffer as unknown as XsArrayBufferStatics;
  return typeof statics.fromString === "function" ? new Uint8Array(statics.fromString(text)) : null;
}

/**
 * The char codes of `text` as bytes when every one is below 0x80 (ASCII), else null. Linear on
 * both engines: scan the result rather than the string where a string may be long.
 */
export function asciiCodes(text: string): Uint8Array | null {
  const bytes = engineUtf8(text);
  if (bytes !== null) return bytes.length === text.length ? bytes : null;
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return null;
    out[i] = c;
  }
  return out;
}

/** Latin1 encode: each char code below 256 becomes one byte; anything above is refused. */
export function latin1Bytes(text: string): Uint8Array {
  const utf8 = engineUtf8(text);
  if (utf8 !== null) return utf8.length === text.length ? utf8 : latin1FromUtf8(utf8);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw notLatin1(c, i);
    out[i] = c;
  }
  return out;
}

function notLatin1(c: number, i: number): RangeError {
  return new RangeError(`character U+${c.toString(16).padStart(4, "0")} at ${i} is not latin1`);
}

/** The engine's UTF-8 of a string that is not all ASCII, as latin1 (linear; see engineUtf8). */
function latin1FromUtf8(utf8: Uint8Array): Uint8Array {
  const out = new Uint8Array(utf8.length);
  let n = 0;
  for (let i = 0; i < utf8.length; ) {
    const b = utf8[i];
    if (b < 0x80) {
      out[n++] = b;
      i++;
    } else if ((b === 0xc2 || b === 0xc3) && i + 1 < utf8.length) {
      out[n++] = ((b & 0x1f) << 6) | (utf8[i + 1] & 0x3f);
      i += 2;
    } else {
      // The first char above U+00FF; its position counts UTF-16 units, as charCodeAt's would.
      let c = 0xfffd;
      if (b >= 0xc4 && b < 0xe0 && i + 1 < utf8.length) c = ((b & 0x1f) << 6) | (utf8[i + 1] & 0x3f);
      else if (b >= 0xe0 && b < 0xf0 && i + 2 < utf8.length) c = ((b & 0x0f) << 12) | ((utf8[i + 1] & 0x3f) << 6) | (utf8[i + 2] & 0x3f);
      else if (b >= 0xf0 && i + 3 < utf8.length) c = 0xd800 + ((((b & 0x07) << 18) | ((utf8[i + 1] & 0x3f) << 12) | ((utf8[i + 2] & 0x3f) << 6) | (utf8[i + 3] & 0x3f)) - 0x10000 >> 10);
      throw notLatin1(c, n);
    }
  }
  return out.slice(0, n);
}

/** ASCII text to bytes, for protocol text known to be ASCII (request lines, header names). */
export const asciiBytes = latin1Bytes;

/** UTF-8 encode (lone surrogates become U+FFFD, as TextEncoder does). */
export function utf8Bytes(text: string): Uint8Array {
  const utf8 = engineUtf8(text);
  if (utf8 !== null) {
    // A lone surrogate is ED A0..BF xx in an XS string: U+FFFD is EF BF BD, the same length.
    for (let i = 0; i + 2 < utf8.length; i++) {
      if (utf8[i] === 0xed && utf8[i + 1] >= 0xa0) {
        utf8[i] = 0xef;
        utf8[i + 1] = 0xbf;
        utf8[i + 2] = 0xbd;
        i += 2;
      }
    }
    return utf8;
  }
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else c = 0xfffd;
    } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/**
 * UTF-8 decode that never throws: malformed sequences become U+FFFD, as TextDecoder does by
 * default. Used for body previews in logs, where the bytes may be cut mid-character.
 */
export function utf8(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = "";
  let i = start;
  while (i < end) {
    const b = bytes[i++];
    if (b < 0x80) {
      out += String.fromCharCode(b);
      continue;
    }
    // WHATWG decoder: the lead byte fixes the count and the bounds of the first continuation
    // byte; a bad byte ends the sequence with one U+FFFD and is read again as a new lead.
    let need: number;
    let cp: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) { need = 1; cp = b & 0x1f; }
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2; cp = b & 0x0f;
      if (b === 0xe0) lower = 0xa0;
      if (b === 0xed) upper = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3; cp = b & 0x07;
      if (b === 0xf0) lower = 0x90;
      if (b === 0xf4) upper = 0x8f;
    } else { out += "\ufffd"; continue; }
    let ok = true;
    while (need > 0) {
      const n = i < end ? bytes[i] : -1;
      if (n < lower || n > upper) { ok = false; break; }
      lower = 0x80; upper = 0xbf;
      cp = (cp << 6) | (n & 0x3f);
      i++;
      need--;
    }
    if (!ok) { out += "\ufffd"; continue; }
    out += cp >= 0x10000
      ? String.fromCharCode(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff))
      : String.fromCharCode(cp);
  }
  return out;
}

/** Concatenate byte arrays into one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Lower-case hex of bytes, optionally with a separator ("ab:cd"). */
export function toHex(bytes: Uint8Array, separator = ""): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    if (i && separator) out += separator;
    const b = bytes[i];
    out += (b < 16 ? "0" : "") + b.toString(16);
  }
  return out;
}

/** View any of the buffer shapes the device and the host hand out as a Uint8Array, without copying. */
export function asBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}
