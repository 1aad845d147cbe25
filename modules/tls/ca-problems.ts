/**
 * The verdict on one trusted CA: what keeps it from anchoring a chain on the device (errors), and
 * what a user should act on soon (warnings). The firmware logs these at start-up and again once
 * the clock is set; `npm run certs` refuses or reports by the same verdict, telling errors from
 * warnings by `severity`, never by the text.
 */
import { CertificateSummary, isCaCertificate, secureSocketSupport } from "./x509";

/** An embedded CA expiring within this many days is reported at every start. */
export const CA_EXPIRY_WARNING_DAYS = 180;

export type CaProblemCode = "CA_NOT_A_CA" | "CA_KEY_UNSUPPORTED" | "CA_EXPIRED" | "CA_NOT_YET_VALID" | "CA_EXPIRES_SOON";

export interface CaProblem {
  code: CaProblemCode;
  /** "error": the CA cannot do its job; "warning": it can, for now. */
  severity: "error" | "warning";
  text: string;
}

/** A date as CA lines show it: YYYY-MM-DD, UTC. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Problems of a CA at a given time (empty when none); without a time, only the structural ones. */
export function caProblems(summary: CertificateSummary, nowMs: number | undefined): CaProblem[] {
  const problems: CaProblem[] = [];
  if (!isCaCertificate(summary)) {
    problems.push({ code: "CA_NOT_A_CA", severity: "error", text: "not a CA certificate (basicConstraints CA:false or no keyCertSign): it cannot anchor a chain" });
  }
  const support = secureSocketSupport(summary);
  if (support.key === "unsupported") problems.push({ code: "CA_KEY_UNSUPPORTED", severity: "error", text: support.reason });
  if (nowMs !== undefined) {
    const dated = caDateProblem(summary, nowMs);
    if (dated) problems.push(dated);
  }
  return problems;
}

/** What is wrong with a CA's validity at `nowMs`, or undefined. */
export function caDateProblem(validity: { notBefore: number; notAfter: number }, nowMs: number): CaProblem | undefined {
  if (nowMs > validity.notAfter) {
    return { code: "CA_EXPIRED", severity: "error", text: `EXPIRED on ${isoDate(validity.notAfter)}: chains ending here fail; replace it` };
  }
  if (nowMs < validity.notBefore) {
    return { code: "CA_NOT_YET_VALID", severity: "error", text: `not valid before ${isoDate(validity.notBefore)}: check the clock` };
  }
  if (validity.notAfter - nowMs < CA_EXPIRY_WARNING_DAYS * 86_400_000) {
    return { code: "CA_EXPIRES_SOON", severity: "warning", text: `expires on ${isoDate(validity.notAfter)}, within ${CA_EXPIRY_WARNING_DAYS} days: plan its replacement` };
  }
  return undefined;
}
