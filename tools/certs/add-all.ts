/**
 * `npm run certs -- add --all`: which roots of a store (Node's Mozilla store) the firmware can
 * embed, and why the others are skipped. Pure over certificates; the CLI writes the files.
 *
 * One file per root, not one bundle file: the firmware's CA store keeps a 32-byte record per root
 * and, during a handshake, decodes the whole file that holds the root it needs. A file per root
 * keeps that decode to one certificate (about 1.5 KB) where a bundle would decode every root.
 */
import { commonNameOf, keyDescription } from "../probe/verdict";
import { CaEntry, Candidate, fileNameFor, refuseToAdd } from "./store";

/** Why a root of the store is not added: the first that applies; unusable keys named by kind ("EC secp384r1"). */
export type SkipReason = string;

export interface AddAllPlan {
  add: { file: string; candidate: Candidate; warnings: string[] }[];
  skipped: { candidate: Candidate; reason: SkipReason; text: string }[];
}

function reasonOf(c: Candidate, errors: string[]): SkipReason {
  const text = errors.join("; ");
  if (/already embedded/.test(text)) return "already embedded";
  if (/cannot be used by the stack/.test(text)) return `${keyDescription(c.summary)} key: the device verifies RSA and ECDSA P-256 only`;
  if (/is not handled/.test(text)) return `signature ${c.summary.signatureAlgorithm.name}: not handled by the device`;
  if (/EXPIRED|not valid before/i.test(text)) return "expired or not yet valid";
  return "not a usable CA";
}

/**
 * Every candidate the device can use, with a file name free in `dirFiles` (the CN's name, or the
 * name and the start of the fingerprint when two roots share a CN), and the skipped ones.
 */
export function planAddAll(candidates: Candidate[], existing: CaEntry[], dirFiles: string[], nowMs: number): AddAllPlan {
  const plan: AddAllPlan = { add: [], skipped: [] };
  const taken = dirFiles.map((f) => f.toLowerCase());
  const seen: string[] = [];
  for (const c of candidates) {
    if (seen.indexOf(c.fingerprint) >= 0) continue;
    seen.push(c.fingerprint);
    const { errors, warnings } = refuseToAdd(c, existing, nowMs);
    if (errors.length) {
      plan.skipped.push({ candidate: c, reason: reasonOf(c, errors), text: errors.join("; ") });
      continue;
    }
    let file = fileNameFor(c.summary);
    if (taken.indexOf(file) >= 0) file = file.replace(/\.pem$/, `-${c.fingerprint.replace(/:/g, "").slice(0, 8).toLowerCase()}.pem`);
    taken.push(file);
    plan.add.push({ file, candidate: c, warnings });
  }
  return plan;
}

/** The summary: how many were added, and the skipped ones counted by reason, each named. */
export function renderAddAll(plan: AddAllPlan, storeSize: number): string {
  const lines = [`${storeSize} roots in the store: ${plan.add.length} added, ${plan.skipped.length} skipped`];
  const reasons: SkipReason[] = [];
  for (const s of plan.skipped) if (reasons.indexOf(s.reason) < 0) reasons.push(s.reason);
  for (const r of reasons) {
    const of = plan.skipped.filter((s) => s.reason === r);
    lines.push(`  skipped ${of.length}: ${r}`);
    lines.push(`    ${of.map((s) => commonNameOf(s.candidate.summary) ?? s.candidate.summary.subject.text).join(", ")}`);
  }
  const warned = plan.add.filter((a) => a.warnings.length);
  if (warned.length) {
    lines.push(`  ${warned.length} added with a warning (run: npm run certs -- check):`);
    for (const a of warned) lines.push(`    ${a.file}: ${a.warnings.join("; ")}`);
  }
  return lines.join("\n") + "\n";
}
