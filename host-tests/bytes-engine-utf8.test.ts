/**
 * The byte helpers' XS path: on XS, latin1Bytes, utf8Bytes, asciiCodes and decodeBase64 take the
 * string's UTF-8 from the engine in one pass (`ArrayBuffer.fromString`), because a charCodeAt loop
 * is quadratic there. Neither Node nor the XS lane's engine has that function, so this suite
 * installs one that encodes as XS does (pairs as 4 bytes, a lone surrogate as its own 3-byte
 * sequence, NUL as 0x00) and checks that every helper gives what its loop gives.
 */
import fc from "fast-check";
import { asciiCodes, latin1Bytes, toHex, utf8Bytes } from "../modules/base/bytes";
import { Base64Error, decodeBase64 } from "../modules/base/base64";

/** The bytes XS's ArrayBuffer.fromString gives for a string. */
function xsFromString(text: string): ArrayBuffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out).buffer;
}

type Outcome = string;
function outcome(f: () => Uint8Array | null): Outcome {
  try {
    const r = f();
    return r === null ? "null" : toHex(r);
  } catch (e) {
    return e instanceof Base64Error ? `${e.code} ${e.position} ${e.detail}` : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}

const helpers: [string, (text: string) => Uint8Array | null][] = [
  ["latin1Bytes", latin1Bytes],
  ["utf8Bytes", utf8Bytes],
  ["asciiCodes", asciiCodes],
  ["decodeBase64", (t) => decodeBase64(t, true)],
];

/** Each helper's outcome without the engine function (the loops), then with it. */
function bothWays(text: string): [Outcome[], Outcome[]] {
  const loops = helpers.map(([, f]) => outcome(() => f(text)));
  const statics = ArrayBuffer as unknown as { fromString?: (t: string) => ArrayBuffer };
  statics.fromString = xsFromString;
  try {
    return [loops, helpers.map(([, f]) => outcome(() => f(text)))];
  } finally {
    delete statics.fromString;
  }
}

test.each([
  "", "abc", "a\u0000b", "a\u00e9\u00ff", "ab\u00e9\u20ac", "a\u00e9\ud83d\ude00", "a\udc00", "\ud800", "x\ud800y\udfff",
  "QUJD", "QUJD\u00e9QUJD", "QU\nJD\r\n", "QQ==", "QR==", `${"A".repeat(3000)}\u00e9`,
])("the engine's UTF-8 path gives what the loops give: %j", (text) => {
  const [loops, engine] = bothWays(text);
  expect(engine).toEqual(loops);
});

test("the engine path is taken (a string from it shows)", () => {
  const statics = ArrayBuffer as unknown as { fromString?: (t: string) => ArrayBuffer };
  statics.fromString = () => Uint8Array.of(0x7a).buffer;
  try {
    expect(toHex(latin1Bytes("a"))).toBe("7a");
  } finally {
    delete statics.fromString;
  }
});

test("the same for generated text of ASCII, latin1, BMP, astral chars and lone surrogates", () => {
  const unit = fc.constantFrom("a", "Q", "=", "\n", " ", "\u0000", "\u007f", "\u0080", "\u00e9", "\u00ff", "\u0100", "\u20ac", "\ud83d\ude00", "\ud800", "\udc00");
  fc.assert(
    fc.property(fc.array(unit, { maxLength: 40 }).map((a) => a.join("")), (text) => {
      const [loops, engine] = bothWays(text);
      expect(engine).toEqual(loops);
    }),
    { numRuns: 2000 },
  );
});
