/** Properties of the diagnosis that a case table cannot cover: any input gives a loggable line. */
import fc from "fast-check";
import { diagnose, Failure } from "../modules/client/diagnosis";
import { explainAlert } from "../modules/tls/alerts";

const STABLE_CODE = /^[A-Z][A-Z0-9_]*$/;
const PHASES = ["dns", "connect", "tls-handshake", "tls-record", "request", "response", "timeout"];

function checkLine(failure: Failure, ctx = {}): void {
  const d = diagnose(failure, ctx);
  expect(d.code).toMatch(STABLE_CODE);
  expect(PHASES).toContain(d.phase);
  expect(d.hint).not.toMatch(/[\r\n]/);
  expect(d.hint.length).toBeGreaterThan(10);
}

test("any captured TLS text gives a stable code and a one-line hint", () => {
  fc.assert(fc.property(fc.string(), fc.constantFrom(undefined, "connect", "tls-handshake", "tls-record"), (text, phase) => {
    checkLine(phase ? { kind: "tls-error", text, phase: phase as "connect" } : { kind: "tls-error", text });
  }));
});

test("any alert level and number is explained on one line", () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (level, description) => {
    const e = explainAlert({ level, description }, "1.2");
    expect(e.code).toMatch(STABLE_CODE);
    expect(e.hint).not.toMatch(/[\r\n]/);
    checkLine({ kind: "tls-error", text: `TLS: alert: ${level}, ${description}` });
  }));
});

test("any HTTP status >= 400 and any parse code are diagnosed", () => {
  fc.assert(fc.property(fc.integer({ min: 400, max: 599 }), fc.string(), fc.nat(), (status, code, offset) => {
    checkLine({ kind: "http-status", status });
    checkLine({ kind: "http-parse", error: { code, offset } });
  }));
});

test("clock context: any time before the build year is 'clock not set', any time after is not", () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: Date.UTC(2026, 0, 1) - 1 }), fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2100, 0, 1) }), (before, after) => {
    const failure: Failure = { kind: "tls-error", text: "date validation failed" };
    expect(diagnose(failure, { nowMs: before, buildYear: 2026 }).code).toBe("TLS_CLOCK_NOT_SET");
    expect(diagnose(failure, { nowMs: after, buildYear: 2026 }).code).toBe("TLS_CERT_EXPIRED");
  }));
});

test("an untyped caller's unknown kind still gives a line", () => {
  checkLine({ kind: "nonsense" } as unknown as Failure);
});
