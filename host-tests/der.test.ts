/**
 * The DER reader on hostile input: every truncation of real certificates, random corruption and
 * random bytes must end in a DerError (never another exception, a read past the end or a hang).
 */
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import {
  DerError, DerReader, oidOf, readDer, readElement, stringOf, timeOf, bitStringOf, smallIntegerOf, booleanOf,
} from "../modules/tls/der";
import { decodePem } from "../modules/tls/pem";
import { parseCertificate } from "../modules/tls/x509";

const fixtureDir = join(__dirname, "fixtures", "certs");
const certs: Uint8Array[] = [
  ...readdirSync(fixtureDir).filter((f) => f.endsWith(".pem") && f !== "bundle.pem").map((f) => decodePem(readFileSync(join(fixtureDir, f), "latin1"))[0].der),
  // A spread of real roots: old and new, RSA and EC.
  ...rootCertificates.filter((_, i) => i % 12 === 0).map((pem) => decodePem(pem)[0].der),
];

const bytes = (...b: number[]) => Uint8Array.from(b);
const el = (...b: number[]) => readDer(bytes(...b));

function derError(fn: () => unknown): { code: string; offset: number } {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof DerError)) throw e;
    return { code: e.code, offset: e.offset };
  }
  throw new Error("no error");
}

/** Parses, and rethrows anything that is not a DerError so the test fails with it. */
function parseOrDerError(der: Uint8Array): "ok" | string {
  try {
    parseCertificate(der);
    return "ok";
  } catch (e) {
    if (e instanceof DerError) return e.code;
    throw e;
  }
}

describe("element reading", () => {
  test("short and long form lengths, bounds", () => {
    expect(readElement(bytes(0x04, 0x02, 1, 2), 0)).toMatchObject({ tag: 4, start: 0, valueStart: 2, end: 4 });
    const long = new Uint8Array(4 + 300);
    long.set([0x04, 0x82, 0x01, 0x2c]);
    expect(readDer(long)).toMatchObject({ valueStart: 4, end: 304 });
    // Non-minimal long form is accepted (seen in deployed certificates).
    expect(readDer(bytes(0x04, 0x81, 0x01, 7))).toMatchObject({ valueStart: 3, end: 4 });
  });

  test.each([
    ["empty input", [], "DER_TRUNCATED", 0],
    ["tag without length", [0x30], "DER_TRUNCATED", 0],
    ["contents cut short", [0x30, 0x05, 0x02, 0x01], "DER_TRUNCATED", 0],
    ["long length cut short", [0x30, 0x82, 0x01], "DER_TRUNCATED", 0],
    ["indefinite length", [0x30, 0x80, 0x00, 0x00], "DER_INDEFINITE_LENGTH", 0],
    ["five-byte length", [0x04, 0x85, 0, 0, 0, 0, 1, 0], "DER_BAD_LENGTH", 0],
    ["reserved 0xff length", [0x04, 0xff], "DER_BAD_LENGTH", 0],
    ["high tag number", [0x1f, 0x81, 0x00, 0x00], "DER_BAD_TAG", 0],
    ["trailing byte", [0x05, 0x00, 0x00], "DER_TRAILING_DATA", 2],
  ])("%s", (_n, input, code, offset) => {
    expect(derError(() => readDer(Uint8Array.from(input)))).toEqual({ code, offset });
  });

  test("a child may not run past its parent even when the buffer goes on", () => {
    // SEQUENCE of 3 bytes whose child claims 4: the following bytes belong to someone else.
    const outer = readElement(bytes(0x30, 0x03, 0x04, 0x04, 1, 2, 3), 0);
    expect(derError(() => new DerReader(outer).next())).toEqual({ code: "DER_TRUNCATED", offset: 2 });
  });

  test("reader: expected tags, optional fields, leftovers", () => {
    const r = new DerReader(el(0x30, 0x06, 0x02, 0x01, 0x05, 0x01, 0x01, 0xff));
    expect(r.optional(0xa0)).toBeNull();
    expect(smallIntegerOf(r.next(0x02))).toBe(5);
    expect(derError(() => r.finish("test"))).toEqual({ code: "DER_TRAILING_DATA", offset: 5 });
    expect(derError(() => r.next(0x02, "version"))).toEqual({ code: "DER_UNEXPECTED", offset: 5 });
    expect(booleanOf(r.next(0x01))).toBe(true);
    expect(r.done).toBe(true);
    expect(r.peekTag()).toBe(-1);
    expect(derError(() => r.next())).toEqual({ code: "DER_UNEXPECTED", offset: 8 });
  });
});

describe("values", () => {
  test("object identifiers, including arcs beyond 2^53", () => {
    expect(oidOf(el(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b))).toBe("1.2.840.113549.1.1.11");
    expect(oidOf(el(0x06, 0x03, 0x55, 0x1d, 0x13))).toBe("2.5.29.19");
    expect(oidOf(el(0x06, 0x01, 0x00))).toBe("0.0");
    expect(oidOf(el(0x06, 0x02, 0x88, 0x37))).toBe("2.999");
    // 2.25.<128-bit UUID>
    const uuid = 0x1234567890abcdef1234567890abcdefn;
    const arcs: number[] = [];
    for (let v = uuid; v > 0n; v >>= 7n) arcs.unshift(Number(v & 0x7fn) | (arcs.length ? 0x80 : 0));
    expect(oidOf(readDer(Uint8Array.from([0x06, arcs.length + 1, 0x69, ...arcs])))).toBe(`2.25.${uuid}`);
    expect(derError(() => oidOf(el(0x06, 0x02, 0x2a, 0x86)))).toEqual({ code: "DER_BAD_VALUE", offset: 0 });
    expect(derError(() => oidOf(el(0x06, 0x00)))).toEqual({ code: "DER_BAD_VALUE", offset: 0 });
  });

  const time = (tag: number, text: string) => timeOf(readDer(Uint8Array.from([tag, text.length, ...Buffer.from(text, "latin1")])));
  test("UTCTime and GeneralizedTime to milliseconds", () => {
    expect(time(0x17, "491231235959Z")).toBe(Date.UTC(2049, 11, 31, 23, 59, 59));
    expect(time(0x17, "500101000000Z")).toBe(Date.UTC(1950, 0, 1));
    expect(time(0x17, "000229120000Z")).toBe(Date.UTC(2000, 1, 29, 12));
    expect(time(0x18, "20550101000000Z")).toBe(Date.UTC(2055, 0, 1));
    expect(time(0x18, "99991231235959Z")).toBe(Date.UTC(9999, 11, 31, 23, 59, 59));
    expect(time(0x18, "00010101000000Z")).toBe(new Date("0001-01-01T00:00:00Z").getTime());
  });

  test.each([
    ["no seconds", 0x17, "4912312359Z"],
    ["offset instead of Z", 0x17, "491231235959+0100"],
    ["fractional seconds", 0x18, "20550101000000.5Z"],
    ["month 13", 0x17, "491331235959Z"],
    ["February 29 in 2100", 0x18, "21000229000000Z"],
    ["hour 24", 0x17, "491231240000Z"],
    ["letters", 0x17, "49123123595aZ"],
  ])("time refused: %s", (_n, tag, text) => {
    expect(derError(() => time(tag, text)).code).toBe("DER_BAD_VALUE");
  });

  test("string types", () => {
    const str = (tag: number, ...b: number[]) => stringOf(readDer(Uint8Array.from([tag, b.length, ...b])));
    expect(str(0x0c, 0x53, 0x6f, 0x63, 0x69, 0xc3, 0xa9, 0x74, 0xc3, 0xa9)).toBe("Soci\u00e9t\u00e9");
    expect(str(0x13, 0x55, 0x53)).toBe("US");
    expect(str(0x14, 0xe9)).toBe("\u00e9"); // TeletexString read as latin1
    expect(str(0x1e, 0x00, 0x41, 0x20, 0xac)).toBe("A\u20ac");
    expect(str(0x1c, 0x00, 0x01, 0xf6, 0x00)).toBe("\u{1f600}");
    expect(str(0x02, 0x01)).toBeNull();
    expect(derError(() => str(0x1e, 0x00)).code).toBe("DER_BAD_VALUE");
  });

  test("bit strings", () => {
    expect(bitStringOf(el(0x03, 0x02, 0x01, 0x06))).toEqual({ unusedBits: 1, bytes: bytes(0x06) });
    expect(derError(() => bitStringOf(el(0x03, 0x00))).code).toBe("DER_BAD_VALUE");
    expect(derError(() => bitStringOf(el(0x03, 0x01, 0x03))).code).toBe("DER_BAD_VALUE");
    expect(derError(() => bitStringOf(el(0x03, 0x02, 0x08, 0x00))).code).toBe("DER_BAD_VALUE");
  });
});

describe("certificates under damage", () => {
  test(`every truncation of ${certs.length} certificates gives a DerError`, () => {
    let checked = 0;
    for (const der of certs) {
      expect(parseOrDerError(der)).toBe("ok");
      for (let n = 0; n < der.length; n++) {
        const code = parseOrDerError(der.subarray(0, n));
        expect(code).not.toBe("ok");
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10000);
  });

  /**
   * Cuts `der` at `n` and re-encodes the lengths of every constructed element around the cut, so
   * the parser gets past the outer headers and meets the damage at the depth where it is.
   */
  function cutInside(der: Uint8Array, n: number): Uint8Array {
    const header = (tag: number, len: number) =>
      len < 128 ? [tag, len] : len < 256 ? [tag, 0x81, len] : [tag, 0x82, len >> 8, len & 0xff];
    const rebuild = (start: number, limit: number): number[] => {
      const e = readElement(der, start, limit);
      if (n >= e.end) return Array.from(der.subarray(e.start, e.end));
      if (!(e.tag & 0x20) || n <= e.valueStart) return Array.from(der.subarray(e.start, n));
      let at = e.valueStart;
      let child = readElement(der, at, e.end);
      while (child.end <= n) { at = child.end; child = readElement(der, at, e.end); }
      const inner = [...der.subarray(e.valueStart, at), ...rebuild(at, e.end)];
      return [...header(e.tag, inner.length), ...inner];
    };
    return Uint8Array.from(rebuild(0, der.length));
  }

  test("every cut with re-encoded outer lengths gives a DerError (or a valid shorter certificate)", () => {
    const codes = new Map<string, number>();
    for (const der of certs.slice(0, 12)) {
      for (let n = 1; n < der.length; n++) {
        const code = parseOrDerError(cutInside(der, n));
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    }
    // The damage is now met at every depth, not only at the outer SEQUENCE.
    expect(codes.get("DER_TRUNCATED")).toBeGreaterThan(1000);
    expect(codes.get("DER_UNEXPECTED")).toBeGreaterThan(100);
  });

  test("the truncation error points at the cut", () => {
    const der = certs[0];
    const cut = der.subarray(0, 100);
    const e = derError(() => parseCertificate(cut));
    expect(e).toEqual({ code: "DER_TRUNCATED", offset: 0 });
    // A buffer that is complete but one byte longer has trailing data exactly at the end.
    const longer = new Uint8Array(der.length + 1);
    longer.set(der);
    expect(derError(() => parseCertificate(longer))).toEqual({ code: "DER_TRAILING_DATA", offset: der.length });
  });

  test("fast-check: corrupted certificates parse or throw DerError", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...certs),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (der, edits) => {
          const copy = Uint8Array.from(der);
          for (const [at, value] of edits) copy[at % copy.length] = value;
          parseOrDerError(copy);
        },
      ),
      { numRuns: 5000 },
    );
  });

  test("fast-check: random bytes and random DER-ish shapes only throw DerError", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => void parseOrDerError(b)), { numRuns: 5000 });
    // Bytes drawn mostly from tags and lengths reach deeper into the parser than uniform noise.
    const shaped = fc.array(fc.constantFrom(0x30, 0xa0, 0xa3, 0x02, 0x06, 0x03, 0x04, 0x01, 0x17, 0x31, 0x00, 0x01, 0x02, 0x03, 0x05, 0x81, 0x82, 0xff), { maxLength: 80 });
    fc.assert(fc.property(shaped, (b) => void parseOrDerError(Uint8Array.from(b))), { numRuns: 5000 });
  });
});
