/**
 * The logic of `npm run certs`: the embedded CA files (certs/*.pem) and the manifest that lists
 * them, as pure functions over file names, text and bytes. The CLI (cli.ts) only reads and
 * writes files around them.
 *
 * How the firmware embeds CAs (manifest.json): the `data` section takes every file of certs/
 * ("./certs/*"), and `config.caFiles` names the files whose certificates are trusted (a
 * comma-separated string, or an array). Both must cover exactly the .pem files in certs/.
 */
import { X509Certificate } from "node:crypto";
import { caProblems, isoDate } from "../../modules/tls/ca-problems";
import { readCaFile } from "../../modules/tls/ca-store";
import { encodePem } from "../../modules/tls/pem";
import {
  CertificateSummary, fingerprintSha256, parseCertificate, secureSocketSupport, SecureSocketSupport,
} from "../../modules/tls/x509";
import { commonNameOf, keyDescription } from "../probe/verdict";

const DAY = 86_400_000;

/** The comment header written above each embedded certificate. */
export function certificateHeader(cert: X509Certificate, source: string): string {
  // ASCII only (others as \uXXXX): the header is a comment, and plain ASCII reads the same in
  // every tool and keeps the firmware's text handling of resources on its simplest path.
  const subject = cert.subject.split("\n").reverse().join(", ").replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return [
    `# Subject: ${subject}`,
    `# SHA-256: ${cert.fingerprint256}`,
    `# Not after: ${new Date(cert.validTo).toISOString().replace(".000Z", "Z")}`,
    `# Source: ${source}`,
    "",
  ].join("\n");
}

/** One certificate of an embedded file. */
export interface CaEntry {
  file: string;
  /** 1-based line of its BEGIN in the file. */
  line: number;
  der: Uint8Array;
  summary: CertificateSummary;
  fingerprint: string;
  support: SecureSocketSupport;
  /** The file's size in bytes (what the data section puts in flash), shared by its certificates. */
  fileBytes: number;
}

/** A problem found reading a file. */
export interface Finding {
  level: "error" | "warning";
  file?: string;
  text: string;
}

/** A file as read: its name and text. */
export interface CaFile {
  file: string;
  text: string;
}

function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00) { n += 4; i++; } else n += 3;
  }
  return n;
}

/** Decodes every CERTIFICATE block of the files; files that do not decode become findings. */
export function readEntries(files: CaFile[]): { entries: CaEntry[]; findings: Finding[] } {
  const entries: CaEntry[] = [];
  const findings: Finding[] = [];
  for (const { file, text } of files) {
    // The firmware's own reader (modules/tls/ca-store.ts): what it refuses, this refuses too.
    const { certificates, problems } = readCaFile(file, text);
    for (const p of problems) {
      findings.push({ level: "error", file, text: p.kind === "not-pem" ? `not a PEM file: ${p.text}` : `line ${p.line}: ${p.text}` });
    }
    for (const c of certificates) {
      entries.push({
        file, line: c.line, der: c.der, summary: c.summary, fingerprint: fingerprintSha256(c.der),
        support: secureSocketSupport(c.summary), fileBytes: utf8Length(text),
      });
    }
    const certs = certificates.length;
    if (certs > 1) findings.push({ level: "warning", file, text: `${certs} certificates in one file (the firmware reads them all; one per file keeps add/remove simple)` });
  }
  return { entries, findings };
}

function daysLeft(s: CertificateSummary, nowMs: number): number {
  return Math.floor((s.notAfter - nowMs) / DAY);
}

/** Groups thousands: 12345 -> "12,345". */
function bytes(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Flash cost: the files as embedded, and what the same CAs would take as DER. */
export function flashCost(entries: CaEntry[]): { files: number; pemBytes: number; derBytes: number } {
  const seen: string[] = [];
  let pemBytes = 0;
  let derBytes = 0;
  for (const e of entries) {
    derBytes += e.der.length;
    if (seen.indexOf(e.file) < 0) {
      seen.push(e.file);
      pemBytes += e.fileBytes;
    }
  }
  return { files: seen.length, pemBytes, derBytes };
}

/** `list`: one block per certificate, then the total flash cost. */
export function renderList(entries: CaEntry[], nowMs: number): string {
  const lines: string[] = [];
  for (const e of entries) {
    const s = e.summary;
    const self = s.issuer.text === s.subject.text;
    const left = daysLeft(s, nowMs);
    lines.push(
      `${e.file}${entries.filter((x) => x.file === e.file).length > 1 ? ` (line ${e.line})` : ""}`,
      `  subject   ${s.subject.text}`,
      `  issuer    ${self ? "self-signed" : s.issuer.text}`,
      `  sha-256   ${e.fingerprint}`,
      `  key       ${keyDescription(s)}, signed ${s.signatureAlgorithm.name}`,
      `  expires   ${isoDate(s.notAfter)} (${left < 0 ? `EXPIRED ${-left} days ago` : `${left} days left`})`,
      `  size      ${bytes(e.der.length)} B DER, ${bytes(encodePem("CERTIFICATE", e.der).length)} B PEM, file ${bytes(e.fileBytes)} B`,
      `  device    ${e.support.key === "supported" ? "usable" : e.support.key === "unknown" ? "untested" : "NOT usable"}: ${e.support.reason}`,
      "",
    );
  }
  const cost = flashCost(entries);
  lines.push(`${entries.length} CA certificate(s) in ${cost.files} file(s): ${bytes(cost.pemBytes)} B of flash as embedded (PEM files with their comment headers); ${bytes(cost.derBytes)} B if stored as DER`);
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// Manifest

/** What the manifest says about the CA files. */
export interface ManifestView {
  /** config.caFiles as a list, null when absent. */
  caFiles: string[] | null;
  /** How caFiles is written, for edits. */
  caFilesForm: "string" | "array" | "absent";
  /** Data entries that point into the certs directory ("./certs/*", "./certs/x.pem", ...). */
  dataEntries: string[];
}

function dataPaths(data: unknown): string[] {
  if (!data || typeof data !== "object") return [];
  const out: string[] = [];
  for (const value of Object.values(data as Record<string, unknown>)) {
    for (const v of Array.isArray(value) ? value : [value]) if (typeof v === "string") out.push(v);
  }
  return out;
}

/** Reads manifest.json text. `certsDirName` is the certs directory as the manifest names it ("certs"). */
export function readManifest(text: string, certsDirName = "certs"): ManifestView {
  const json = JSON.parse(text) as { config?: Record<string, unknown>; data?: unknown; platforms?: Record<string, { data?: unknown }> };
  const raw = json.config ? json.config.caFiles : undefined;
  let caFiles: string[] | null = null;
  let caFilesForm: ManifestView["caFilesForm"] = "absent";
  if (typeof raw === "string") {
    caFiles = raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
    caFilesForm = "string";
  } else if (Array.isArray(raw)) {
    caFiles = raw.map(String);
    caFilesForm = "array";
  }
  const all = dataPaths(json.data);
  for (const p of Object.values(json.platforms ?? {})) all.push(...dataPaths(p && p.data));
  const prefix = new RegExp(`^(\\./)?${certsDirName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/`);
  return { caFiles, caFilesForm, dataEntries: all.filter((p) => prefix.test(p)) };
}

/** Does the manifest's data section embed `file` of the certs directory? */
export function manifestEmbeds(m: ManifestView, file: string): boolean {
  return m.dataEntries.some((d) => dataTakes(d, file));
}

/** Does a data entry ("./certs/*", "./certs/isrg-root-x1", "./certs/isrg-root-x1.pem") take `file`? */
function dataTakes(entry: string, file: string): boolean {
  const name = entry.slice(entry.lastIndexOf("/") + 1);
  if (name === "*") return true;
  return name === file || name === file.replace(/\.[^.]*$/, "");
}

/** Checks that the manifest embeds and trusts exactly the .pem files of the certs directory. */
export function checkManifest(m: ManifestView, dirFiles: string[]): Finding[] {
  const findings: Finding[] = [];
  const pems = dirFiles.filter((f) => f.endsWith(".pem"));
  if (m.dataEntries.length === 0) {
    findings.push({ level: "error", text: 'manifest.json embeds nothing from certs/: add "data": {"*": "./certs/*"}' });
  }
  for (const f of pems) {
    if (m.dataEntries.length && !manifestEmbeds(m, f)) findings.push({ level: "error", file: f, text: "not embedded: no manifest data entry takes it" });
  }
  for (const f of dirFiles) {
    if (!f.endsWith(".pem") && manifestEmbeds(m, f)) {
      findings.push({ level: "warning", file: f, text: "not a .pem file, but the manifest's data entry embeds it too (flash spent for nothing)" });
    }
  }
  if (m.caFiles === null) {
    findings.push({ level: "error", text: "manifest.json has no config.caFiles: the firmware trusts none of certs/" });
    return findings;
  }
  for (const f of pems) if (m.caFiles.indexOf(f) < 0) findings.push({ level: "error", file: f, text: "in certs/ but not in manifest config.caFiles (embedded, never trusted)" });
  const listed: string[] = [];
  for (const f of m.caFiles) {
    if (listed.indexOf(f) >= 0) findings.push({ level: "warning", file: f, text: "listed twice in config.caFiles" });
    listed.push(f);
    if (pems.indexOf(f) < 0) findings.push({ level: "error", file: f, text: "in manifest config.caFiles but not in certs/ (the firmware fails at start-up)" });
  }
  return findings;
}

/**
 * The manifest text with `file` added to (or removed from) config.caFiles, changing only that
 * value so the rest of the file keeps its layout. Returns null when caFiles is absent or the
 * edit cannot be made safely (then the user is told what to change).
 */
export function editCaFiles(text: string, file: string, action: "add" | "remove"): string | null {
  const view = readManifest(text);
  if (view.caFiles === null) return null;
  const next = action === "add"
    ? (view.caFiles.indexOf(file) >= 0 ? view.caFiles : [...view.caFiles, file])
    : view.caFiles.filter((f) => f !== file);
  const match = /("caFiles"\s*:\s*)("(?:[^"\\]|\\.)*"|\[[^\]]*\])/.exec(text);
  if (!match) return null;
  let value: string;
  if (view.caFilesForm === "string") {
    value = JSON.stringify(next.join(","));
  } else {
    // Keep the array's own layout: one line, or one element per line with its indentation.
    const inner = match[2].slice(1, -1);
    const indent = /\n([ \t]*)"/.exec(inner);
    const close = /\n([ \t]*)$/.exec(inner);
    value = indent
      ? `[\n${next.map((f) => indent[1] + JSON.stringify(f)).join(",\n")}\n${close ? close[1] : ""}]`
      : `[${next.map((f) => JSON.stringify(f)).join(", ")}]`;
  }
  const out = text.slice(0, match.index) + match[1] + value + text.slice(match.index + match[0].length);
  const check = readManifest(out).caFiles;
  return check !== null && check.join("\n") === next.join("\n") ? out : null;
}

// ---------------------------------------------------------------------------------------------
// check

/**
 * The firmware's own start-up verdict on one CA (caProblems: not a CA, unusable key, expired or
 * not yet valid, expiring within 180 days), split by severity into errors and warnings, plus a
 * warning for a key that is in the SDK sources but untested.
 */
function verdictOf(summary: CertificateSummary, nowMs: number): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const p of caProblems(summary, nowMs)) (p.severity === "warning" ? warnings : errors).push(p.text);
  const support = secureSocketSupport(summary);
  if (support.key === "unknown") warnings.push(`may not work on the device: ${support.reason}`);
  return { errors, warnings };
}

/** `check`: every finding about the embedded CAs and the manifest. Exit 1 when any is an error. */
export function checkEntries(entries: CaEntry[], nowMs: number): Finding[] {
  const findings: Finding[] = [];
  for (const e of entries) {
    const v = verdictOf(e.summary, nowMs);
    for (const text of v.errors) findings.push({ level: "error", file: e.file, text: `${e.summary.subject.text}: ${text}` });
    for (const text of v.warnings) findings.push({ level: "warning", file: e.file, text: `${e.summary.subject.text}: ${text}` });
  }
  for (let i = 0; i < entries.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = entries[j];
      const b = entries[i];
      if (a.fingerprint === b.fingerprint) {
        findings.push({ level: "error", file: b.file, text: `duplicate of ${a.file}: same certificate (SHA-256 ${b.fingerprint.slice(0, 11)}...)` });
      } else if (a.summary.subject.text === b.summary.subject.text && sameKey(a, b)) {
        findings.push({ level: "warning", file: b.file, text: `same subject and key as ${a.file} (a re-issued copy of one root): keep the one expiring later` });
      }
    }
  }
  return findings;
}

function sameKey(a: CaEntry, b: CaEntry): boolean {
  const x = a.der.subarray(a.summary.spki.start, a.summary.spki.end);
  const y = b.der.subarray(b.summary.spki.start, b.summary.spki.end);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

export function renderFindings(findings: Finding[]): string {
  return findings.map((f) => `${f.level === "error" ? "ERROR" : "warning"}: ${f.file ? `${f.file}: ` : ""}${f.text}`).join("\n") + (findings.length ? "\n" : "");
}

// ---------------------------------------------------------------------------------------------
// add / remove

/** A certificate offered for adding, with where it came from. */
export interface Candidate {
  der: Uint8Array;
  summary: CertificateSummary;
  fingerprint: string;
}

export function candidatesOf(ders: Uint8Array[]): Candidate[] {
  const out: Candidate[] = [];
  for (const der of ders) {
    try {
      out.push({ der, summary: parseCertificate(der), fingerprint: fingerprintSha256(der) });
    } catch {
      // Unreadable store entries cannot be chosen.
    }
  }
  return out;
}

/** A SHA-256 fingerprint with or without colons, normalised to "AB:CD:..."; null when `text` is not one. */
export function normaliseFingerprint(text: string): string | null {
  const hex = text.replace(/[:\s]/g, "").toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return null;
  return hex.replace(/(..)(?!$)/g, "$1:");
}

export type Selection =
  | { kind: "one"; candidate: Candidate }
  | { kind: "none"; suggestions: Candidate[] }
  | { kind: "ambiguous"; candidates: Candidate[] };

/** Picks a certificate by fingerprint, or by CN (case-insensitive, exact; near names suggested). */
export function selectCertificate(candidates: Candidate[], query: string): Selection {
  const fp = normaliseFingerprint(query);
  if (fp !== null) {
    const hit = candidates.filter((c) => c.fingerprint === fp);
    return hit.length ? { kind: "one", candidate: hit[0] } : { kind: "none", suggestions: [] };
  }
  const q = query.trim().toLowerCase();
  const exact = candidates.filter((c) => (commonNameOf(c.summary) ?? "").toLowerCase() === q);
  if (exact.length === 1) return { kind: "one", candidate: exact[0] };
  if (exact.length > 1) return { kind: "ambiguous", candidates: exact };
  const near = candidates.filter((c) => {
    const cn = (commonNameOf(c.summary) ?? c.summary.subject.text).toLowerCase();
    return q.length >= 3 && cn.indexOf(q) >= 0;
  });
  return { kind: "none", suggestions: near };
}

/** One line per candidate, for "ambiguous" and "did you mean" lists. */
export function describeCandidates(list: Candidate[], nowMs: number): string {
  return list.map((c) => `  ${commonNameOf(c.summary) ?? c.summary.subject.text}  [${c.summary.subject.text}]  ${keyDescription(c.summary)}, expires ${isoDate(c.summary.notAfter)}${nowMs > c.summary.notAfter ? " (EXPIRED)" : ""}\n    ${c.fingerprint.split(":").join("")}`).join("\n");
}

/** A file name for a certificate: its CN in lower case with dashes, ".pem". */
export function fileNameFor(s: CertificateSummary): string {
  const base = (commonNameOf(s) ?? s.subject.text).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return `${base || "ca"}.pem`;
}

/** The file text for an embedded CA: the standard comment header, then the PEM block. */
export function caFileText(der: Uint8Array, source: string): string {
  return certificateHeader(new X509Certificate(der), source) + encodePem("CERTIFICATE", der);
}

/** Why a certificate may not be added (errors), and what to know about it (warnings). */
export function refuseToAdd(c: Candidate, existing: CaEntry[], nowMs: number): { errors: string[]; warnings: string[] } {
  const { errors, warnings } = verdictOf(c.summary, nowMs);
  const same = existing.find((e) => e.fingerprint === c.fingerprint);
  if (same) errors.push(`already embedded as ${same.file}`);
  else {
    const twin = existing.find((e) => e.summary.subject.text === c.summary.subject.text);
    if (twin) warnings.push(`${twin.file} has the same subject (another version of this root?)`);
  }
  return { errors: errors.map((e) => `${c.summary.subject.text}: ${e}`), warnings };
}

/** Which embedded file(s) `remove NAME` means: a file name (with or without .pem) or a CN. */
export function filesToRemove(entries: CaEntry[], dirFiles: string[], name: string): { files: string[]; ambiguous: boolean } {
  const byFile = dirFiles.filter((f) => f === name || f === `${name}.pem`);
  if (byFile.length) return { files: byFile.slice(0, 1), ambiguous: false };
  const q = name.trim().toLowerCase();
  const files: string[] = [];
  for (const e of entries) {
    if ((commonNameOf(e.summary) ?? "").toLowerCase() === q && files.indexOf(e.file) < 0) files.push(e.file);
  }
  return { files, ambiguous: files.length > 1 };
}
