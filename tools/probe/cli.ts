/**
 * `npm run probe -- https://host[:port][/path]`: will an ESP32 on Moddable SecureSocket be able
 * to talk to this server? Measures it from this machine (probe.ts), judges with the device's rules
 * (tools/probe/verdict.ts) and prints the facts and a verdict. See docs/tools.md.
 *
 * Options: --certs DIR (embedded CAs, default ./certs), --roots FILE (more trusted roots, PEM,
 * repeatable; e.g. a private CA), --timeout MS (per connection, default 8000), --mfl BYTES
 * (max_fragment_length to ask for: 512, 1024, 2048 or 4096; default 4096).
 * Exit codes: 0 the device can connect, 1 it cannot, 2 usage or network error.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { join, resolve } from "node:path";
import { rootCertificates } from "node:tls";
import { assessCompat, verdictLine } from "./verdict";
import type { CompatFacts, CompatReport, KnownRoot } from "./compat-facts";
import { decodePem } from "../../modules/tls/pem";
import { HOST_TLS_LIMITS } from "../../host/device-tls";
import { parseUrl, UrlError } from "../../modules/http/url";
import { readEntries } from "../certs/store";
import { MFL_CODES } from "./client-hello";
import { NetworkError, probeServer } from "./probe";

export interface ProbeIo {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
  /** Node's Mozilla store (PEM texts). */
  store: readonly string[];
  now(): number;
}

export const defaultProbeIo = (): ProbeIo => ({
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  cwd: process.cwd(),
  store: rootCertificates,
  now: () => Date.now(),
});

const USAGE = `usage: npm run probe -- https://host[:port][/path] [--certs DIR] [--roots FILE]... [--timeout MS] [--mfl 512|1024|2048|4096] [-h|--help]
`;

/** The roots the verdict may anchor to: embedded ones, Node's store, files given. */
function loadRoots(certsDir: string, rootFiles: string[], io: ProbeIo): KnownRoot[] {
  const roots: KnownRoot[] = [];
  if (existsSync(certsDir)) {
    const files = readdirSync(certsDir).filter((f) => f.endsWith(".pem")).sort()
      .map((file) => ({ file, text: readFileSync(join(certsDir, file), "utf8") }));
    const { entries, findings } = readEntries(files);
    for (const f of findings) if (f.level === "error") io.err(`warning: certs/${f.file}: ${f.text}\n`);
    for (const e of entries) roots.push({ der: e.der, source: "certs", file: e.file });
  } else {
    io.err(`warning: no directory ${certsDir}: no embedded CA is known\n`);
  }
  for (const pem of io.store) roots.push({ der: decodePem(pem)[0].der, source: "mozilla" });
  for (const [path, given] of rootFiles.map((f) => [resolve(io.cwd, f), f])) {
    for (const block of decodePem(readFileSync(path, "utf8"))) {
      if (block.label === "CERTIFICATE") roots.push({ der: block.der, source: "roots", file: given });
    }
  }
  return roots;
}

function date(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The human report: facts first, then problems with fixes, warnings and the verdict line. */
export function renderReport(href: string, f: CompatFacts, r: CompatReport): string {
  const lines: string[] = [`probe ${href} (${f.host}:${f.port})`, ""];
  lines.push("TLS versions (SecureSocket speaks 1.0 to 1.2):");
  for (const v of f.versions) lines.push(`  ${v.version}  ${v.accepted ? "yes" : `no   ${v.detail ?? ""}`}`);
  lines.push("");
  if (f.suiteVersion) {
    lines.push(`SecureSocket cipher suites at TLS ${f.suiteVersion}, curve secp256r1, device order:`);
    for (const s of f.suites) {
      const sw = s.switch === "always" ? "always offered" : `config.tls.${s.switch}`;
      lines.push(`  ${s.accepted ? "yes" : "no "}  ${s.suite.padEnd(30)} ${sw.padEnd(20)}${s.accepted ? "" : ` ${s.detail ?? ""}`}`);
    }
  } else {
    lines.push("SecureSocket cipher suites: not tried (no TLS version the device speaks was accepted)");
  }
  lines.push("");
  if (r.chain.length) {
    lines.push(`chain ${f.chainSource === "wire" ? "as sent" : "as Node saw it (TLS 1.3; may include a root from Node's store)"}, ${r.chain.length} certificate(s):`);
    r.chain.forEach((c, i) => {
      lines.push(`  ${i}  ${c.subject}`);
      lines.push(`     issuer ${c.issuer}`);
      lines.push(`     key ${c.key}, signed ${c.signature} (device: ${c.signatureSupport}), expires ${date(c.notAfter)}${c.isCa ? ", CA" : ""}`);
    });
    if (f.hostNameMatches !== null) lines.push(`  subjectAltName ${f.hostNameMatches ? "names" : "does NOT name"} ${f.host}`);
    if (isIP(f.host)) lines.push(`  note: ${HOST_TLS_LIMITS.sniForIp}; a server that picks its certificate by SNI may answer the device differently`);
  } else {
    lines.push("chain: not seen");
  }
  lines.push("");
  if (r.anchor) {
    const a = r.anchor;
    lines.push(`root: ${a.subject} (${a.key}, expires ${date(a.notAfter)}, SHA-256 ${a.fingerprint})`);
    lines.push(`  known from: ${a.sources.map((s) => (s === "certs" ? "certs/ (embedded)" : s === "mozilla" ? "Node's Mozilla store" : "--roots")).join(", ")}`);
    lines.push(a.embedded ? `  embedded: yes, certs/${a.file}` : `  embedded: NO; add it with: ${a.addCommand}`);
  } else if (r.chain.length) {
    lines.push("root: none known (not in certs/, Node's Mozilla store or --roots)");
  }
  lines.push("");
  lines.push(`largest TLS record payload received: ${f.maxRecordLength === null ? "not measured" : `${f.maxRecordLength} bytes`}${f.httpStatus !== undefined ? ` (GET answered ${f.httpStatus})` : ""}`);
  lines.push(`max_fragment_length ${f.maxFragment.requested}: ${f.maxFragment.outcome} (${f.maxFragment.detail})`);
  lines.push("  (Node's TLS client cannot send this extension: the probe sends its own ClientHello and reads only the ServerHello)");
  lines.push("");
  if (r.problems.length) {
    lines.push("problems:");
    r.problems.forEach((p, i) => lines.push(`  - ${p}`, `    fix: ${r.fixes[i]}`));
    lines.push("");
  }
  if (r.warnings.length) {
    lines.push("warnings:");
    for (const w of r.warnings) lines.push(`  - ${w}`);
    lines.push("");
  }
  lines.push(verdictLine(r));
  return lines.join("\n") + "\n";
}

/** Runs the probe; resolves to the exit code. */
export async function probeMain(argv: string[], io: ProbeIo = defaultProbeIo()): Promise<number> {
  const positional: string[] = [];
  const rootFiles: string[] = [];
  let certs: string | undefined;
  let timeoutMs = 8000;
  let mfl = 4096;
  if (argv.some((a) => a === "-h" || a === "--help")) {
    io.out(USAGE);
    return 0;
  }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "-h" || argv[i] === "--help") {
      io.out(USAGE);
      return 0;
    }
    const m = /^--(certs|roots|timeout|mfl)(?:=(.*))?$/.exec(argv[i]);
    if (!m) {
      if (argv[i].startsWith("--")) {
        return usageError(io, `unknown option ${argv[i]}`);
      }
      positional.push(argv[i]);
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined) {
      return usageError(io, `--${m[1]} needs a value`);
    }
    if (m[1] === "certs") certs = value;
    else if (m[1] === "roots") rootFiles.push(value);
    else if (m[1] === "timeout") timeoutMs = Number(value);
    else mfl = Number(value);
  }
  if (positional.length === 0 && argv.length === 0) {
    io.err(USAGE);
    return 2;
  }
  if (positional.length !== 1) return usageError(io, positional.length === 0 ? "no URL given" : `one URL at a time, got ${positional.length}`);
  if (!(timeoutMs > 0) || !isFinite(timeoutMs)) return usageError(io, `--timeout must be a number of milliseconds above 0`);
  if (MFL_CODES[mfl] === undefined) return usageError(io, `--mfl must be 512, 1024, 2048 or 4096`);
  let url;
  try {
    url = parseUrl(positional[0]);
  } catch (e) {
    return usageError(io, e instanceof UrlError ? e.message : String(e));
  }
  if (url.scheme !== "https") {
    io.err(`${url.href} is not https: nothing to probe\n`);
    return 2;
  }
  for (const f of rootFiles) {
    if (!existsSync(resolve(io.cwd, f))) {
      io.err(`no file ${f}\n`);
      return 2;
    }
  }
  let roots: KnownRoot[];
  try {
    roots = loadRoots(resolve(io.cwd, certs ?? "certs"), rootFiles, io);
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return 2;
  }
  try {
    const facts = await probeServer(url, {
      timeoutMs, roots, maxFragmentLength: mfl, now: io.now, certsDir: certs,
    });
    const report = assessCompat(facts);
    io.out(renderReport(url.href, facts, report));
    return report.canConnect ? 0 : 1;
  } catch (e) {
    if (e instanceof NetworkError) {
      io.err(`${e.message}\n`);
      return 2;
    }
    io.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}

/** One line for a usage mistake (the usage itself comes with no arguments or --help). */
function usageError(io: ProbeIo, message: string): number {
  io.err(`error: ${message} (npm run probe -- --help for usage)\n`);
  return 2;
}

if (require.main === module) {
  probeMain(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  });
}
