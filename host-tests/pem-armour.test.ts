/**
 * The hand-written armour-line parser against the RFC 7468 regular expression it replaced (the
 * oracle lives here: tests are not preloaded, so a module-level RegExp is harmless in them).
 */
import fc from "fast-check";
import { parseArmour } from "../modules/tls/pem";

const ORACLE = /^-----(BEGIN|END) ((?:[\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*)?)-----$/;

function oracle(line: string): { kind: string; label: string } | null {
  const m = ORACLE.exec(line);
  return m ? { kind: m[1], label: m[2] } : null;
}

describe("parseArmour", () => {
  it.each([
    ["-----BEGIN CERTIFICATE-----", { kind: "BEGIN", label: "CERTIFICATE" }],
    ["-----END CERTIFICATE-----", { kind: "END", label: "CERTIFICATE" }],
    ["-----BEGIN RSA PRIVATE KEY-----", { kind: "BEGIN", label: "RSA PRIVATE KEY" }],
    ["-----BEGIN X509-CRL-----", { kind: "BEGIN", label: "X509-CRL" }],
    ["-----BEGIN -----", { kind: "BEGIN", label: "" }],
    ["-----END -----", { kind: "END", label: "" }],
    ["-----BEGIN A------", null], // a label ending in "-"
    ["-----BEGIN  A-----", null], // a label starting with a separator
    ["-----BEGIN A  B-----", null], // two separators
    ["-----BEGIN A- B-----", null],
    ["-----BEGIN A\tB-----", null],
    ["-----BEGIN CERTIFICATE----", null],
    ["----BEGIN CERTIFICATE-----", null],
    ["-----BEGINCERTIFICATE-----", null],
    ["-----begin CERTIFICATE-----", null],
    ["-----END ----", null],
    ["-----BEGIN \u00e9-----", null],
    ["", null],
  ])("%j", (line, expected) => {
    expect(parseArmour(line)).toEqual(expected);
    expect(oracle(line)).toEqual(expected);
  });

  it("agrees with the RFC 7468 expression on generated lines", () => {
    const char = fc.constantFrom("-", " ", "A", "z", "!", ",", ".", "~", "\t", "\x7f", "\x20", "\x21", "\x2c", "\x2e", "\x7e", "\u00a0", "\u00e9");
    const label = fc.array(char, { maxLength: 12 }).map((a) => a.join(""));
    const line = fc.tuple(fc.constantFrom("-----BEGIN ", "-----END ", "-----BEGIN", "----END ", "------BEGIN ", ""), label, fc.constantFrom("-----", "----", "------", "", "- ---")).map(([a, b, c]) => a + b + c);
    fc.assert(
      fc.property(line, (text) => {
        expect(parseArmour(text)).toEqual(oracle(text));
      }),
      { numRuns: 5000 },
    );
  });
});
