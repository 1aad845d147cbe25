/**
 * `npm run certs -- list | check | add NAME | remove NAME`: the CA certificates the firmware
 * embeds (certs/*.pem, listed in manifest.json). See docs/tools.md.
 *
 *   list                 every embedded CA: subject, issuer, fingerprint, key, expiry, size; total flash cost
 *   check                fails (exit 1) on unreadable, non-CA, expired, duplicate or unusable CAs and on a
 *                        manifest that does not list exactly the files of certs/; warns within 180 days
 *   add NAME|SHA256|FILE a root from Node's Mozilla store by CN or fingerprint, or from a PEM/DER file;
 *                        --from FILE picks NAME from that file instead of the store; --file sets the name
 *   add --all            every root of Node's Mozilla store the device can use, one file each; says how
 *                        many were skipped and why (unusable key or signature, expired, already embedded)
 *   remove NAME          by file name or CN
 *
 * Options: --certs DIR (default ./certs), --manifest FILE (default manifest.json beside DIR).
 * Exit codes: 0 done, 1 refused or problems found, 2 usage.
 */
import { existsSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { rootCertificates } from "node:tls";
import { decodePem } from "../../modules/tls/pem";
import {
  CaEntry, CaFile, Candidate, candidatesOf, caFileText, checkEntries, checkManifest, describeCandidates, editCaFiles,
  fileNameFor, filesToRemove, Finding, manifestEmbeds, readEntries, readManifest, refuseToAdd, renderFindings, renderList, selectCertificate,
} from "./store";
import { planAddAll, renderAddAll } from "./add-all";

/** Everything the CLI touches outside the file system, so tests run it in-process. */
export interface CertsIo {
  out(text: string): void;
  err(text: string): void;
  now(): number;
  /** PEM texts of the store `add` searches by name (Node's tls.rootCertificates). */
  store: readonly string[];
  /** Named in the header of files added from the store. */
  storeName: string;
  cwd: string;
}

export const defaultIo = (): CertsIo => ({
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  now: () => Date.now(),
  store: rootCertificates,
  storeName: `Node.js ${process.version} tls.rootCertificates (Mozilla CA store)`,
  cwd: process.cwd(),
});

const USAGE = `usage: npm run certs -- <command> [--certs DIR] [--manifest FILE]
  list                      embedded CAs and their flash cost
  check                     validate certs/ and manifest.json (exit 1 on errors)
  add NAME|SHA256|FILE      add a root by CN or fingerprint from Node's Mozilla store, or from a PEM file
      [--from FILE]         look NAME up in FILE instead of the store
      [--file NAME.pem]     the file name to write (default: from the CN)
  add --all                 every root of Node's Mozilla store the device can use (one file per root)
  remove NAME               remove by file name or CN
  help                      this text (also -h, --help)
`;

interface Args {
  command: string;
  positional: string[];
  certs: string;
  manifest: string;
  from?: string;
  file?: string;
  all: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: string[], cwd: string): Args {
  const positional: string[] = [];
  const opts: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") throw new UsageError("");
    if (a === "--all") {
      opts.all = "yes";
      continue;
    }
    const m = /^--(certs|manifest|from|file)(?:=(.*))?$/.exec(a);
    if (m) {
      const value = m[2] ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${m[1]} needs a value`);
      opts[m[1]] = value;
    } else if (a.startsWith("--")) {
      throw new UsageError(`unknown option ${a}`);
    } else positional.push(a);
  }
  const [command, ...rest] = positional;
  if (!command) throw new UsageError("no command");
  const certs = resolve(cwd, opts.certs ?? "certs");
  return {
    command, positional: rest, certs,
    manifest: resolve(cwd, opts.manifest ?? join(dirname(certs), "manifest.json")),
    from: opts.from === undefined ? undefined : resolve(cwd, opts.from), file: opts.file, all: opts.all === "yes",
  };
}

function dirFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => !f.startsWith(".") && statSync(join(dir, f)).isFile()).sort();
}

function loadCerts(dir: string): { files: string[]; entries: CaEntry[]; findings: Finding[] } {
  if (!existsSync(dir)) return { files: [], entries: [], findings: [{ level: "error", text: `no directory ${dir}` }] };
  const files = dirFiles(dir);
  const texts: CaFile[] = files.filter((f) => f.endsWith(".pem")).map((file) => ({ file, text: readFileSync(join(dir, file), "utf8") }));
  return { files, ...readEntries(texts) };
}

/** Certificates in a file: PEM blocks, or one DER certificate. */
function certificatesInFile(path: string): Uint8Array[] {
  const bytes = readFileSync(path);
  if (bytes[0] === 0x30) return [new Uint8Array(bytes)];
  return decodePem(bytes.toString("utf8")).filter((b) => b.label === "CERTIFICATE").map((b) => b.der);
}

/** One line for a usage mistake (the usage itself is for --help). */
function usageError(io: CertsIo, message: string): number {
  io.err(`error: ${message} (npm run certs -- --help for usage)\n`);
  return 2;
}

/**
 * Runs one command; returns the exit code. Bad input of any kind is one line on `io.err` and a
 * non-zero code (2: usage; 1: refused, problems found, or a file that cannot be read), never a
 * stack trace.
 */
export function certsMain(argv: string[], io: CertsIo = defaultIo()): number {
  if (argv[0] === "help" || argv.some((a) => a === "-h" || a === "--help")) {
    io.out(USAGE);
    return 0;
  }
  let args: Args;
  try {
    args = parseArgs(argv, io.cwd);
  } catch (e) {
    if ((e as Error).message === "") {
      io.out(USAGE);
      return 0;
    }
    if (argv.length === 0) {
      io.err(USAGE);
      return 2;
    }
    return usageError(io, (e as Error).message);
  }
  try {
    switch (args.command) {
      case "list": return list(args, io);
      case "check": return check(args, io);
      case "add": return add(args, io);
      case "remove": return remove(args, io);
      default:
        return usageError(io, `unknown command "${args.command}"`);
    }
  } catch (e) {
    io.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

function list(args: Args, io: CertsIo): number {
  const { entries, findings } = loadCerts(args.certs);
  io.out(renderList(entries, io.now()));
  if (findings.length) io.err(renderFindings(findings));
  return findings.some((f) => f.level === "error") ? 1 : 0;
}

function check(args: Args, io: CertsIo): number {
  const { files, entries, findings } = loadCerts(args.certs);
  const all = [...findings, ...checkEntries(entries, io.now())];
  if (existsSync(args.manifest)) {
    try {
      all.push(...checkManifest(readManifest(readFileSync(args.manifest, "utf8"), basename(args.certs)), files));
    } catch (e) {
      all.push({ level: "error", text: `${args.manifest}: ${(e as Error).message}` });
    }
  } else {
    all.push({ level: "error", text: `no manifest at ${args.manifest} (give --manifest FILE)` });
  }
  const errors = all.filter((f) => f.level === "error").length;
  io.out(renderFindings(all));
  io.out(`${entries.length} CA certificate(s) checked: ${errors} error(s), ${all.length - errors} warning(s)\n`);
  return errors ? 1 : 0;
}

/** Finds what `add` means: a file path, a name in --from FILE, or a name/fingerprint in the store. */
function chooseCandidate(args: Args, io: CertsIo): { candidate?: Candidate; source?: string; code: number } {
  const query = args.positional[0];
  const now = io.now();
  let pool: Candidate[];
  let source: string;
  let where: string;
  const path = resolve(io.cwd, query);
  if (args.from === undefined && existsSync(path) && statSync(path).isFile()) {
    pool = candidatesOf(certificatesInFile(path));
    const cas = pool.filter((c) => c.summary.basicConstraints?.ca);
    if (pool.length === 1 || cas.length === 1) return { candidate: pool.length === 1 ? pool[0] : cas[0], source: `file ${basename(path)}`, code: 0 };
    if (pool.length === 0) {
      io.err(`${query} holds no certificate\n`);
      return { code: 1 };
    }
    io.err(`${query} holds ${pool.length} certificates; pick one: npm run certs -- add "<CN or SHA-256>" --from ${query}\n${describeCandidates(pool, now)}\n`);
    return { code: 1 };
  }
  if (args.from !== undefined) {
    if (!existsSync(args.from)) {
      io.err(`no file ${args.from}\n`);
      return { code: 2 };
    }
    pool = candidatesOf(certificatesInFile(args.from));
    source = `file ${basename(args.from)}`;
    where = args.from;
  } else {
    pool = candidatesOf(io.store.map((pem) => decodePem(pem)[0].der));
    source = io.storeName;
    where = "Node's Mozilla root store";
  }
  const sel = selectCertificate(pool, query);
  if (sel.kind === "one") return { candidate: sel.candidate, source, code: 0 };
  if (sel.kind === "ambiguous") {
    io.err(`"${query}" names ${sel.candidates.length} certificates in ${where}; add one by its SHA-256:\n${describeCandidates(sel.candidates, now)}\n`);
  } else {
    io.err(`no certificate "${query}" in ${where}${sel.suggestions.length ? `; did you mean:\n${describeCandidates(sel.suggestions, now)}` : ""}\n`);
  }
  return { code: 1 };
}

function add(args: Args, io: CertsIo): number {
  if (args.all) {
    if (args.positional.length || args.from !== undefined || args.file !== undefined) return usageError(io, "add --all takes no NAME, --from or --file");
    return addAll(args, io);
  }
  if (args.positional.length !== 1) {
    return usageError(io, "add takes one NAME, fingerprint or file");
  }
  const { candidate, source, code } = chooseCandidate(args, io);
  if (!candidate || !source) return code;
  if (!existsSync(args.certs)) {
    io.err(`no directory ${args.certs}\n`);
    return 1;
  }
  const { entries } = loadCerts(args.certs);
  const verdict = refuseToAdd(candidate, entries, io.now());
  for (const w of verdict.warnings) io.err(`warning: ${w}\n`);
  if (verdict.errors.length) {
    io.err(verdict.errors.map((e) => `refused: ${e}\n`).join(""));
    return 1;
  }
  const file = args.file ?? fileNameFor(candidate.summary);
  if (!/^[A-Za-z0-9._-]+\.pem$/.test(file)) {
    io.err(`--file must be a plain name ending in .pem (letters, digits, . _ -), got "${file}"\n`);
    return 2;
  }
  const path = join(args.certs, file);
  if (existsSync(path)) {
    io.err(`${file} exists already in ${args.certs}: choose another name with --file\n`);
    return 1;
  }
  writeFileSync(path, caFileText(candidate.der, source));
  io.out(`wrote ${file}: ${candidate.summary.subject.text}, SHA-256 ${candidate.fingerprint}\n`);
  io.out(manifestAfter(args, file, "add"));
  return 0;
}

/**
 * `add --all`: one file per usable root of the store (the firmware's CA store decodes only the
 * file a handshake asks for, so small files keep that decode small), then config.caFiles once.
 */
function addAll(args: Args, io: CertsIo): number {
  if (!existsSync(args.certs)) {
    io.err(`no directory ${args.certs}\n`);
    return 1;
  }
  const { files, entries } = loadCerts(args.certs);
  const plan = planAddAll(candidatesOf(io.store.map((pem) => decodePem(pem)[0].der)), entries, files, io.now());
  for (const a of plan.add) writeFileSync(join(args.certs, a.file), caFileText(a.candidate.der, io.storeName));
  io.out(renderAddAll(plan, io.store.length));
  if (plan.add.length) io.out(manifestAfter(args, plan.add.map((a) => a.file), "add"));
  return 0;
}

/** Updates config.caFiles for added or removed files, or says what to change by hand. */
function manifestAfter(args: Args, fileOrFiles: string | string[], action: "add" | "remove"): string {
  const added = typeof fileOrFiles === "string" ? [fileOrFiles] : fileOrFiles;
  // One file by name; many by count, with the names where the user has to write them in.
  const file = added.length === 1 ? `"${added[0]}"` : `${added.length} files`;
  const byHand = added.length === 1 ? file : `${file} (${added.join(",")})`;
  const verb = action === "add" ? "add" : "remove";
  if (!existsSync(args.manifest)) return `no manifest at ${args.manifest}: ${verb} ${byHand} ${action === "add" ? "to" : "from"} config.caFiles yourself\n`;
  const text = readFileSync(args.manifest, "utf8");
  let view;
  try {
    view = readManifest(text, basename(args.certs));
  } catch (e) {
    return `${args.manifest} does not parse (${(e as Error).message}): ${verb} ${byHand} in config.caFiles yourself\n`;
  }
  const lines: string[] = [];
  let edited: string | null = text;
  for (const f of added) edited = edited === null ? null : editCaFiles(edited, f, action);
  if (edited === null) {
    lines.push(`${verb} ${byHand} ${action === "add" ? "to" : "from"} config.caFiles in ${basename(args.manifest)} (it could not be edited safely)`);
  } else if (edited !== text) {
    writeFileSync(args.manifest, edited);
    lines.push(`${basename(args.manifest)}: ${action === "add" ? "added" : "removed"} ${file} ${action === "add" ? "to" : "from"} config.caFiles`);
  }
  const missing = action === "add" ? added.filter((f) => !manifestEmbeds(view, f)) : [];
  if (missing.length === 1) {
    lines.push(`the manifest's data section does not take it: add "./${basename(args.certs)}/${missing[0].replace(/\.pem$/, "")}" to "data" (or use "./${basename(args.certs)}/*")`);
  } else if (missing.length) {
    lines.push(`the manifest's data section does not take ${missing.length} of them: add "./${basename(args.certs)}/*" to "data"`);
  }
  return lines.map((l) => l + "\n").join("");
}

function remove(args: Args, io: CertsIo): number {
  if (args.positional.length !== 1) {
    return usageError(io, "remove takes one file name or CN");
  }
  const { files, entries } = loadCerts(args.certs);
  const { files: targets, ambiguous } = filesToRemove(entries, files, args.positional[0]);
  if (targets.length === 0) {
    io.err(`no file or CN "${args.positional[0]}" in ${args.certs}; there are: ${files.filter((f) => f.endsWith(".pem")).join(", ")}\n`);
    return 1;
  }
  if (ambiguous) {
    io.err(`"${args.positional[0]}" is the CN in ${targets.join(", ")}: remove by file name\n`);
    return 1;
  }
  const file = targets[0];
  unlinkSync(join(args.certs, file));
  io.out(`removed ${file}\n`);
  io.out(manifestAfter(args, file, "remove"));
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = certsMain(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
