/**
 * The trusted CAs: the one home for decoding the embedded CA files (the firmware at start, and
 * `npm run certs`), and the store the device's TLS stack asks for a root during a handshake.
 *
 * Why a store and not a list of DER: each decoded root kept in the heap costs about 1 KB (RSA-2048)
 * for the whole run, and an ESP32's XS heap is small. The PEM files stay in flash (resources are
 * memory-mapped); the store keeps only an index (file, block, subject key identifier) and decodes
 * the one root a handshake asks for, by the key identifier the chain's last certificate names as
 * its issuer's (authorityKeyIdentifier) -- the same key SecureSocket's own `ca.ski` store uses.
 */
import { toHex } from "../base/bytes";
import { ConfigError } from "../base/config-error";
import { caProblems } from "./ca-problems";
import { decodePem } from "./pem";
import { CertificateSummary, parseCertificate } from "./x509";

/** One certificate of an embedded CA file. */
export interface CaCertificate {
  file: string;
  /** Its position among the file's CERTIFICATE blocks (0 for the first). */
  block: number;
  /** 1-based line of its BEGIN in the file. */
  line: number;
  der: Uint8Array;
  summary: CertificateSummary;
}

/** What keeps a CA file from being read, with the line where there is one. */
export interface CaFileProblem {
  /** NOT_PEM: the file does not decode; NOT_A_CERTIFICATE: another block (a key); UNREADABLE: a damaged certificate. */
  code: "NOT_PEM" | "NOT_A_CERTIFICATE" | "UNREADABLE";
  line?: number;
  text: string;
}

/**
 * Decodes every block of a PEM CA file: its certificates, and the problems of what is not a
 * readable certificate (a key block, a damaged certificate, a file that is not PEM at all).
 */
export function readCaFile(file: string, text: string): { certificates: CaCertificate[]; problems: CaFileProblem[] } {
  const certificates: CaCertificate[] = [];
  const problems: CaFileProblem[] = [];
  let blocks;
  try {
    blocks = decodePem(text);
  } catch (e) {
    return { certificates, problems: [{ code: "NOT_PEM", text: e instanceof Error ? e.message : String(e) }] };
  }
  for (const block of blocks) {
    if (block.label !== "CERTIFICATE") {
      problems.push({ code: "NOT_A_CERTIFICATE", line: block.line, text: `a "${block.label}" block, not a CERTIFICATE (never embed keys)` });
      continue;
    }
    try {
      certificates.push({ file, block: certificates.length, line: block.line, der: block.der, summary: parseCertificate(block.der) });
    } catch (e) {
      problems.push({ code: "UNREADABLE", line: block.line, text: `not a readable certificate: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  return { certificates, problems };
}

/**
 * Decodes and checks the embedded CA files. Throws ConfigError (key `caFiles`) for a missing or
 * damaged file or one holding no certificate: a silently dropped CA would surface much later as an
 * untrusted-chain failure.
 */
export function loadCaFiles(files: string[], read: (name: string) => string | undefined): CaCertificate[] {
  const loaded: CaCertificate[] = [];
  for (const file of files) {
    const text = read(file);
    if (text === undefined) throw new ConfigError("CONFIG_BAD_VALUE", "caFiles", `"${file}" is not embedded in the firmware: add it to the manifest's data section`);
    const { certificates, problems } = readCaFile(file, text);
    // Key blocks are skipped here (the certs tool refuses them); anything else stops start-up.
    const damage = problems.filter((p) => p.code !== "NOT_A_CERTIFICATE");
    if (damage.length) {
      const p = damage[0];
      throw new ConfigError("CONFIG_BAD_VALUE", "caFiles", `"${file}" ${p.line !== undefined ? `line ${p.line}: ` : ""}${p.text}`);
    }
    if (certificates.length === 0) throw new ConfigError("CONFIG_BAD_VALUE", "caFiles", `"${file}" holds no CERTIFICATE block`);
    loaded.push(...certificates);
  }
  return loaded;
}

/**
 * Why a CA cannot anchor any chain on the device (not a CA, a key or signature the stack cannot
 * use), or undefined when it can. Dates are not a reason here: they are checked once the clock is set.
 */
export function caRefusal(ca: CaCertificate): string | undefined {
  const errors = caProblems(ca.summary, undefined).filter((p) => p.severity === "error");
  return errors.length ? errors.map((p) => p.text).join("; ") : undefined;
}

/** Where a CA is, and the key identifier a chain names it by. */
interface CaLocation {
  file: string;
  block: number;
  /** Subject key identifier, upper-case hex. */
  keyId: string;
}

/**
 * Trusted roots indexed by subject key identifier; each one's DER is decoded from its file when
 * asked for. `read` returns a file's text (an embedded resource on the device).
 */
export class CaStore {
  private readonly locations: readonly CaLocation[];
  private readonly read: (file: string) => string | undefined;

  /** Indexes the CAs that have a subject key identifier (see `indexes`); the others are left out. */
  constructor(cas: readonly CaCertificate[], read: (file: string) => string | undefined) {
    const locations: CaLocation[] = [];
    for (const ca of cas) {
      if (ca.summary.subjectKeyId !== null) locations.push({ file: ca.file, block: ca.block, keyId: ca.summary.subjectKeyId });
    }
    this.locations = locations;
    this.read = read;
  }

  /** True when the store can find this CA (it has a subject key identifier to be found by). */
  static indexes(ca: CaCertificate): boolean {
    return ca.summary.subjectKeyId !== null;
  }

  get size(): number {
    return this.locations.length;
  }

  /** The root whose subject key identifier is `keyId`, decoded now; undefined when none. */
  find(keyId: Uint8Array): CaCertificate | undefined {
    const wanted = toHex(keyId).toUpperCase();
    for (const at of this.locations) if (at.keyId === wanted) return this.load(at);
    return undefined;
  }

  /** Every root's DER (for an edge that needs the whole set at once, such as Node's `ca` option). */
  all(): Uint8Array[] {
    const ders: Uint8Array[] = [];
    for (const at of this.locations) {
      const ca = this.load(at);
      if (ca) ders.push(ca.der);
    }
    return ders;
  }

  private load(at: CaLocation): CaCertificate | undefined {
    const text = this.read(at.file);
    if (text === undefined) return undefined;
    const cert = readCaFile(at.file, text).certificates[at.block];
    // The file changed under the index (it cannot in flash): no root rather than another one.
    return cert && cert.summary.subjectKeyId === at.keyId ? cert : undefined;
  }
}
