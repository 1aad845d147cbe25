import { latin1, latin1Bytes, utf8, utf8Bytes, toHex, concatBytes } from "../../modules/base/bytes";
import { PortableSuite } from "./suite";

export const suite: PortableSuite = {
  name: "byte helpers",
  cases: [
    { name: "latin1 of every byte value round-trips", run: () => toHex(latin1Bytes(latin1(Uint8Array.from({ length: 256 }, (_, i) => i)))) === toHex(Uint8Array.from({ length: 256 }, (_, i) => i)), expected: true },
    { name: "utf8 encodes BMP and astral characters", run: () => toHex(utf8Bytes("a\u00e9\u20ac\ud83d\ude00")), expected: "61c3a9e282acf09f9880" },
    { name: "utf8 decodes and replaces malformed bytes", run: () => utf8(Uint8Array.of(0x61, 0xe2, 0x82, 0x41, 0xff, 0xf0, 0x9f, 0x98, 0x80)), expected: "a\ufffdA\ufffd\ud83d\ude00" },
    { name: "latin1 refuses characters above U+00FF", run: () => toHex(latin1Bytes("\u20ac")), expected: { thrown: "RangeError", code: null, message: "character U+20ac at 0 is not latin1" } },
    { name: "concat", run: () => toHex(concatBytes([Uint8Array.of(1, 2), new Uint8Array(0), Uint8Array.of(255)])), expected: "0102ff" },
  ],
};
