import { asciiCodes, latin1, latin1Bytes, utf8, utf8Bytes, toHex, concatBytes } from "../../modules/base/bytes";
import { Base64Error, decodeBase64 } from "../../modules/base/base64";
import { PortableSuite } from "./suite";

export const suite: PortableSuite = {
  name: "byte helpers",
  cases: [
    { name: "latin1 of every byte value round-trips", run: () => toHex(latin1Bytes(latin1(Uint8Array.from({ length: 256 }, (_, i) => i)))) === toHex(Uint8Array.from({ length: 256 }, (_, i) => i)), expected: true },
    { name: "utf8 encodes BMP and astral characters", run: () => toHex(utf8Bytes("a\u00e9\u20ac\ud83d\ude00")), expected: "61c3a9e282acf09f9880" },
    { name: "utf8 decodes and replaces malformed bytes", run: () => utf8(Uint8Array.of(0x61, 0xe2, 0x82, 0x41, 0xff, 0xf0, 0x9f, 0x98, 0x80)), expected: "a\ufffdA\ufffd\ud83d\ude00" },
    { name: "latin1 refuses characters above U+00FF", run: () => toHex(latin1Bytes("\u20ac")), expected: { thrown: "RangeError", code: null, message: "character U+20ac at 0 is not latin1" } },
    // On XS these go through the engine's one-pass UTF-8 (ArrayBuffer.fromString), on Node through loops.
    { name: "latin1 of text with NUL, latin1 and ASCII chars", run: () => toHex(latin1Bytes("a\u00e9\u00ff\u0000z\u0080")), expected: "61e9ff007a80" },
    { name: "latin1 refuses a char above U+00FF after latin1 ones, at its index", run: () => toHex(latin1Bytes("ab\u00e9\u00e9\u20ac")), expected: { thrown: "RangeError", code: null, message: "character U+20ac at 4 is not latin1" } },
    { name: "latin1 refuses an astral char at its first UTF-16 unit", run: () => toHex(latin1Bytes("a\u00e9\ud83d\ude00")), expected: { thrown: "RangeError", code: null, message: "character U+d83d at 2 is not latin1" } },
    { name: "latin1 refuses a lone surrogate", run: () => toHex(latin1Bytes("a\udc00")), expected: { thrown: "RangeError", code: null, message: "character U+dc00 at 1 is not latin1" } },
    { name: "utf8 turns lone surrogates into U+FFFD", run: () => toHex(utf8Bytes("a\ud800b\udc00\u00e9\ud800")), expected: "61efbfbd62efbfbdc3a9efbfbd" },
    { name: "utf8 of NUL and of nothing", run: () => `${toHex(utf8Bytes("\u0000a"))}|${toHex(utf8Bytes(""))}`, expected: "0061|" },
    { name: "asciiCodes of ASCII (NUL included), of non-ASCII, of nothing", run: () => [asciiCodes("ab\u0000\u007f"), asciiCodes("ab\u0080"), asciiCodes("")].map((b) => (b === null ? "null" : toHex(b))).join("|"), expected: "6162007f|null|" },
    { name: "a long ASCII string converts whole", run: () => { const b = latin1Bytes(`${"A".repeat(20000)}z`); return `${b.length} ${b[19999]} ${b[20000]}`; }, expected: "20001 65 122" },
    {
      name: "base64 refuses a non-ASCII char at its index, after valid text",
      run: () => { try { decodeBase64("QUJD\u00e9QUJD"); return "decoded"; } catch (e) { return e instanceof Base64Error ? `${e.code} ${e.position} ${e.detail}` : String(e); } },
      expected: "BASE64_BAD_CHAR 4 invalid base64 character U+00E9",
    },
    { name: "concat", run: () => toHex(concatBytes([Uint8Array.of(1, 2), new Uint8Array(0), Uint8Array.of(255)])), expected: "0102ff" },
  ],
};
