/** Strict base64 and PEM armour: Node's Buffer as the reference, typed errors, fast-check fuzz. */
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Base64Error, decodeBase64, encodeBase64 } from "../modules/base/base64";
import { decodePem, encodePem, PemError } from "../modules/tls/pem";

const fixtures = join(__dirname, "fixtures", "certs");

function base64Error(text: string, allowWhitespace = false): { code: string; position: number } {
  try {
    decodeBase64(text, allowWhitespace);
  } catch (e) {
    expect(e).toBeInstanceOf(Base64Error);
    const err = e as Base64Error;
    return { code: err.code, position: err.position };
  }
  throw new Error(`no error for ${JSON.stringify(text)}`);
}

function pemError(text: string): { code: string; line: number } {
  try {
    decodePem(text);
  } catch (e) {
    expect(e).toBeInstanceOf(PemError);
    const err = e as PemError;
    return { code: err.code, line: err.line };
  }
  throw new Error("no error");
}

describe("base64", () => {
  test("encode and decode agree with Buffer for every length up to 300", () => {
    for (let n = 0; n <= 300; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n * 7) & 0xff);
      const text = Buffer.from(bytes).toString("base64");
      expect(encodeBase64(bytes)).toBe(text);
      expect(Buffer.from(decodeBase64(text)).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  test("fast-check: round trip, and whitespace anywhere is skipped when allowed", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => {
        const text = encodeBase64(bytes);
        expect(Buffer.from(decodeBase64(text)).equals(Buffer.from(bytes))).toBe(true);
        let spaced = text;
        for (const c of cuts) {
          const at = c % (spaced.length + 1);
          spaced = spaced.slice(0, at) + [" ", "\n", "\r\n", "\t"][c % 4] + spaced.slice(at);
        }
        expect(Buffer.from(decodeBase64(spaced, true)).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  test("errors say what and where", () => {
    expect(base64Error("QUJD!EVG")).toEqual({ code: "BASE64_BAD_CHAR", position: 4 });
    expect(base64Error("QUJD\u00e9")).toEqual({ code: "BASE64_BAD_CHAR", position: 4 });
    expect(base64Error("QUJ D")).toEqual({ code: "BASE64_BAD_CHAR", position: 3 }); // whitespace not allowed by default
    expect(base64Error("QUJDR")).toEqual({ code: "BASE64_BAD_LENGTH", position: 5 });
    expect(base64Error("QQ")).toEqual({ code: "BASE64_BAD_LENGTH", position: 2 }); // padding is required
    expect(base64Error("QQ=A")).toEqual({ code: "BASE64_BAD_PADDING", position: 2 });
    expect(base64Error("Q===")).toEqual({ code: "BASE64_BAD_PADDING", position: 1 });
    expect(base64Error("QR==")).toEqual({ code: "BASE64_BAD_PADDING", position: 1 }); // non-zero spare bits
    expect(base64Error("QUI=\nQUI=", true)).toEqual({ code: "BASE64_BAD_PADDING", position: 3 });
    expect(() => decodeBase64("QUJD!")).toThrow('invalid base64 character "!" at position 4');
  });

  test("fast-check: any text either decodes to what Buffer decodes, or throws Base64Error", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."AQgw+/=\n x!".split("")), maxLength: 40 }), (text) => {
        let out: Uint8Array;
        try {
          out = decodeBase64(text, true);
        } catch (e) {
          expect(e).toBeInstanceOf(Base64Error);
          return;
        }
        // Accepted text is canonical: re-encoding gives it back (whitespace aside).
        expect(encodeBase64(out)).toBe(text.replace(/[\s]/g, ""));
        expect(Buffer.from(out).equals(Buffer.from(text, "base64"))).toBe(true);
      }),
    );
  });
});

describe("PEM", () => {
  const bundle = readFileSync(join(fixtures, "bundle.pem"), "latin1");

  test("a bundle with comment lines gives every block, its label and line", () => {
    const blocks = decodePem(bundle);
    expect(blocks.map((b) => [b.label, b.line])).toEqual([["CERTIFICATE", 3], ["CERTIFICATE", 26]]);
    expect(blocks[0].der).toEqual(new Uint8Array(Buffer.from(bundle.split("-----")[2].replace(/\s/g, ""), "base64")));
  });

  test("CRLF line ends, indentation and blank body lines are accepted", () => {
    const crlf = bundle.replace(/\n/g, "\r\n").replace(/^([A-Za-z0-9+/=]{64})$/m, "  $1\r\n");
    expect(decodePem(crlf).map((b) => b.der)).toEqual(decodePem(bundle).map((b) => b.der));
  });

  test("encodePem writes 64-column lines that decodePem and Node read back", () => {
    const der = decodePem(bundle)[1].der;
    const pem = encodePem("CERTIFICATE", der);
    expect(pem.split("\n").every((l) => l.length <= 64 || l.startsWith("-----"))).toBe(true);
    expect(pem).toBe(readFileSync(join(fixtures, "ec-p256-ca.pem"), "latin1"));
    expect(decodePem(pem)[0].der).toEqual(der);
  });

  const body = "MIIB\nAAAA\n";
  test.each([
    ["no block at all", "# just a comment\nnothing here\n", "PEM_NO_BLOCK", 2],
    ["empty text", "", "PEM_NO_BLOCK", 1],
    ["BEGIN without END", `x\n-----BEGIN CERTIFICATE-----\n${body}`, "PEM_NO_END", 2],
    ["BEGIN before the previous END", `-----BEGIN CERTIFICATE-----\n${body}-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`, "PEM_NO_END", 1],
    ["END without BEGIN", `# c\n-----END CERTIFICATE-----\n`, "PEM_END_WITHOUT_BEGIN", 2],
    ["mismatched labels", `-----BEGIN CERTIFICATE-----\n${body}-----END PRIVATE KEY-----\n`, "PEM_LABEL_MISMATCH", 4],
    ["empty body", `-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n`, "PEM_EMPTY", 1],
    ["bad base64 on the third body line", `# c\n-----BEGIN CERTIFICATE-----\nMIIB\nAAAA\nAA*A\n-----END CERTIFICATE-----\n`, "PEM_BAD_BASE64", 5],
    ["truncated body", `-----BEGIN CERTIFICATE-----\nMIIBAA\n-----END CERTIFICATE-----\n`, "PEM_BAD_BASE64", 2],
    ["four-dash armour", `-----BEGIN CERTIFICATE----\n${body}-----END CERTIFICATE-----\n`, "PEM_BAD_ARMOUR", 1],
    ["encapsulated header", `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n${body}-----END RSA PRIVATE KEY-----\n`, "PEM_BAD_BASE64", 2],
  ])("%s", (_name, text, code, line) => {
    expect(pemError(text)).toEqual({ code, line });
  });

  test("messages carry line and column", () => {
    expect(() => decodePem(`# c\n-----BEGIN CERTIFICATE-----\nMIIB\nAA*A\n-----END CERTIFICATE-----\n`)).toThrow(
      'line 4: in "CERTIFICATE" block of line 2, column 3: invalid base64 character "*"',
    );
    expect(() => decodePem(`-----BEGIN CERTIFICATE-----\n${body}-----END X509 CRL-----\n`)).toThrow(
      'line 4: "END X509 CRL" closes "BEGIN CERTIFICATE" of line 1',
    );
  });

  test("fast-check: blocks survive any surrounding text without armour lines", () => {
    const noise = fc.string({ maxLength: 30 }).map((s) => s.replace(/-/g, "_"));
    fc.assert(
      fc.property(fc.array(fc.tuple(noise, fc.uint8Array({ minLength: 1, maxLength: 100 })), { minLength: 1, maxLength: 4 }), noise, (parts, tail) => {
        const text = parts.map(([n, der]) => `${n}\n${encodePem("TEST", der)}`).join("") + tail;
        expect(decodePem(text).map((b) => Buffer.from(b.der).toString("hex"))).toEqual(parts.map(([, d]) => Buffer.from(d).toString("hex")));
      }),
    );
  });

  test("fast-check: arbitrary text and damaged PEM only ever throw PemError", () => {
    const pem = encodePem("CERTIFICATE", decodePem(bundle)[0].der);
    fc.assert(
      fc.property(fc.nat(pem.length), fc.nat(pem.length), fc.string({ maxLength: 8 }), (a, b, insert) => {
        const text = pem.slice(0, Math.min(a, b)) + insert + pem.slice(Math.max(a, b));
        try {
          decodePem(text);
        } catch (e) {
          expect(e).toBeInstanceOf(PemError);
        }
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("-", "-----BEGIN A-----", "-----END A-----", "\n", "QUJD", "=", " ", "x"), maxLength: 30 }), (text) => {
        try {
          const blocks = decodePem(text);
          expect(blocks.length).toBeGreaterThan(0);
        } catch (e) {
          expect(e).toBeInstanceOf(PemError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
