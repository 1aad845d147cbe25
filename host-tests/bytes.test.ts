import fc from "fast-check";
import { latin1, latin1Bytes, utf8, utf8Bytes, concatBytes, toHex, asBytes } from "../modules/base/bytes";

describe("bytes helpers", () => {
  test("latin1 round-trips every byte value", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(latin1Bytes(latin1(all))).toEqual(all);
    expect(latin1(all, 65, 68)).toBe("ABC");
  });
  test("latin1 handles long input in pieces", () => {
    const big = new Uint8Array(10_000).fill(0x61);
    expect(latin1(big)).toBe("a".repeat(10_000));
  });
  test("latin1Bytes refuses characters above U+00FF", () => {
    expect(() => latin1Bytes("caf\u00e9\u20ac")).toThrow(/U\+20ac at 4/);
  });
  test("utf8 encode and decode agree with Node's TextEncoder/TextDecoder", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => {
      expect(utf8Bytes(s)).toEqual(new TextEncoder().encode(s));
    }));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      expect(utf8(b)).toBe(new TextDecoder().decode(b));
    }), { numRuns: 3000 });
  });
  test("utf8 decodes a preview cut mid-character with a replacement character", () => {
    const euro = utf8Bytes("a\u20ac");
    expect(utf8(euro, 0, 3)).toBe("a\ufffd");
  });
  test("concat, hex and views", () => {
    expect(concatBytes([Uint8Array.of(1), Uint8Array.of(2, 3)])).toEqual(Uint8Array.of(1, 2, 3));
    expect(toHex(Uint8Array.of(0, 15, 255), ":")).toBe("00:0f:ff");
    const buf = new ArrayBuffer(4);
    new Uint8Array(buf)[2] = 9;
    expect(asBytes(new DataView(buf, 2, 2))[0]).toBe(9);
    expect(asBytes(buf).length).toBe(4);
  });
});
