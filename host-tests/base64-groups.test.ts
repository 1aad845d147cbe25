/**
 * decodeBase64's four-character fast path against the per-character decoder it sped up (kept
 * here as the oracle): same bytes, same error code, position and message, for generated text
 * with whitespace, padding, invalid and non-ASCII characters anywhere.
 */
import fc from "fast-check";
import { Base64Error, decodeBase64 } from "../modules/base/base64";

class OracleError extends Error {
  constructor(readonly code: string, readonly position: number, readonly detail: string) {
    super(detail);
  }
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const PAD = 61; // "="
const NOT_BASE64 = 255;
const SPACE = 254;

// Char code to 6-bit value; SPACE marks the whitespace PEM bodies may contain.
const VALUES = new Uint8Array(128).fill(NOT_BASE64);
for (let i = 0; i < 64; i++) VALUES[ALPHABET.charCodeAt(i)] = i;
for (const c of [9, 10, 13, 32]) VALUES[c] = SPACE;

function describe(text: string, i: number): string {
  const c = text.charCodeAt(i);
  return c > 32 && c < 127 ? `"${text[i]}"` : `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Decodes base64 text. Padding is required (length a multiple of 4) and the unused bits of the
 * last character must be zero. With `allowWhitespace` tab, CR, LF and space are skipped anywhere,
 * as in PEM bodies; otherwise they are invalid characters.
 */
function oracleDecode(text: string, allowWhitespace = false): Uint8Array {
  // One pass (XS meters every operation, and PEM bodies are kilobytes): validate and decode into
  // an upper-bound buffer, then trim it.
  const out = new Uint8Array(Math.floor(text.length / 4) * 3 + 3);
  let at = 0;
  let acc = 0;
  let bits = 0;
  let count = 0; // significant characters, padding included
  let pads = 0;
  let firstPad = -1;
  let last = -1; // position of the last data character
  let lastValue = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? VALUES[c] : NOT_BASE64;
    if (v < 64) {
      if (pads > 0) throw new OracleError("BASE64_BAD_PADDING", firstPad, "base64 padding \"=\" is followed by data");
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
      throw new OracleError("BASE64_BAD_CHAR", i, `invalid base64 character ${describe(text, i)}`);
    }
  }
  if (count % 4 !== 0) {
    const end = firstPad >= 0 ? firstPad + pads : last + 1;
    throw new OracleError("BASE64_BAD_LENGTH", end, `base64 length ${count} is not a multiple of 4 (${4 - (count % 4)} character(s) or padding missing)`);
  }
  if (pads > 2) throw new OracleError("BASE64_BAD_PADDING", firstPad, `too much base64 padding (${pads} "=")`);
  // Canonical form: the bits below the last whole byte must be zero ("QQ==" not "QR==").
  if (pads && (lastValue & ((1 << (pads * 2)) - 1)) !== 0) {
    throw new OracleError("BASE64_BAD_PADDING", last, `non-zero unused bits in base64 character ${describe(text, last)} before the padding`);
  }
  return at === out.length ? out : out.slice(0, at);
}


function run(f: () => Uint8Array): string {
  try {
    return Buffer.from(f()).toString("hex");
  } catch (e) {
    if (e instanceof Base64Error || e instanceof OracleError) return `${e.code} ${e.position} ${e.detail}`;
    throw e;
  }
}

test("the same outcome as the per-character decoder", () => {
  const unit = fc.constantFrom("A", "Q", "z", "+", "/", "0", "=", "\n", " ", "\r\n", "\t", "-", "\u00e9", "QUJD", "QUJDRA==", "QQ==", "QR==");
  fc.assert(
    fc.property(fc.array(unit, { maxLength: 30 }).map((a) => a.join("")), fc.boolean(), (text, whitespace) => {
      expect(run(() => decodeBase64(text, whitespace))).toBe(run(() => oracleDecode(text, whitespace)));
    }),
    { numRuns: 5000 },
  );
});

test("the same on a PEM-like body of 64-column lines", () => {
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 255);
  const b64 = Buffer.from(bytes).toString("base64").replace(/(.{64})/g, "$1\n");
  expect(run(() => decodeBase64(b64, true))).toBe(Buffer.from(bytes).toString("hex"));
  expect(run(() => decodeBase64(b64, true))).toBe(run(() => oracleDecode(b64, true)));
});
