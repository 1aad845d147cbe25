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
  /** not-pem: the file does not decode; not-a-certificate: another block (a key); unreadable: a damaged certificate. */
  kind: "not-pem" | "not-a-certificate" | "unreadable";
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
    return { certificates, problems: [{ kind: "not-pem", text: e instanceof Error ? e.message : String(e) }] };
  }
  for (const block of blocks) {
    if (block.label !== "CERTIFICATE") {
      problems.push({ kind: "not-a-certificate", line: block.line, text: `a "${block.label}" block, not a CERTIFICATE (never embed keys)` });
      continue;
    }
    try {
      certificates.push({ file, block: certificates.length, line: block.line, der: block.der, summary: parseCertificate(block.der) });
    } catch (e) {
      problems.push({ kind: "unreadable", line: block.line, text: `not a readable certificate: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  return { certificates, problems };
}

/**
 * Decodes and checks the embedded CA files one at a time, handing each certificate to `each` and
 * keeping none: start-up's heap then grows with the largest file, not with the number of roots.
 * Throws ConfigError (key `caFiles`) for a missing or damaged file or one holding no certificate:
 * a silently dropped CA would surface much later as an untrusted-chain failure.
 */
export function forEachCaCertificate(files: readonly string[], read: (name: string) => string | undefined, each: (ca: CaCertificate) => void): void {
  for (const file of files) {
    const text = read(file);
    if (text === undefined) throw new ConfigError("CONFIG_BAD_VALUE", "caFiles", `"${file}" is not embedded in the firmware: add it to the manifest's data section`);
    const { certificates, problems } = readCaFile(file, text);
    // Key blocks are skipped here (the certs tool refuses them); anything else stops start-up.
    const damage = problems.filter((p) => p.kind !== "not-a-certificate");
    if (damage.length) {
      const p = damage[0];
      throw new ConfigError("CONFIG_BAD_VALUE", "caFiles", `"${file}" ${p.line !== undefined ? `line ${p.line}: ` : ""}${p.text}`);
    }
    if (certificates.length === 0) throw new ConfigError("CONFIG_BAD_VALUE", "caFiles", `"${file}" holds no CERTIFICATE block`);
    for (const ca of certificates) each(ca);
  }
}

/** Every certificate of the embedded CA files, decoded and checked (see forEachCaCertificate). */
export function loadCaFiles(files: readonly string[], read: (name: string) => string | undefined): CaCertificate[] {
  const loaded: CaCertificate[] = [];
  forEachCaCertificate(files, read, (ca) => loaded.push(ca));
  return loaded;
}

/** The trusted roots as the device keeps them: see trustCaFiles. */
export interface TrustedCas {
  /** The roots found by key identifier, kept in flash. */
  store: CaStore;
  /** Usable roots without a subject key identifier: only these are kept in the heap, as DER. */
  unindexed: CaCertificate[];
  /** Certificates read, refused ones included. */
  read: number;
  /** Certificates trusted (in the store or unindexed). */
  trusted: number;
}

/**
 * Reads the CA files into a store, one certificate at a time, leaving out the roots the stack
 * cannot use (caRefusal). `seen` is told of each certificate and its refusal, if any, as it is
 * read (the firmware logs it). The one home of this policy for the firmware and device clients.
 */
export function trustCaFiles(
  files: readonly string[],
  read: (name: string) => string | undefined,
  seen?: (ca: CaCertificate, refusal: string | undefined) => void,
): TrustedCas {
  const store = new CaStore([], read);
  const unindexed: CaCertificate[] = [];
  let count = 0;
  let trusted = 0;
  forEachCaCertificate(files, read, (ca) => {
    count++;
    const refusal = caRefusal(ca);
    if (seen) seen(ca, refusal);
    if (refusal !== undefined) return;
    trusted++;
    if (!store.add(ca)) unindexed.push(ca);
  });
  store.compact();
  return { store, unindexed, read: count, trusted };
}

/**
 * Why a CA cannot anchor any chain on the device (not a CA, a key or signature the stack cannot
 * use), or undefined when it can. Dates are not a reason here: they are checked once the clock is set.
 */
export function caRefusal(ca: CaCertificate): string | undefined {
  const errors = caProblems(ca.summary, undefined).filter((p) => p.severity === "error");
  return errors.length ? errors.map((p) => p.text).join("; ") : undefined;
}

/** One index record: key identifier length and first KEY_BYTES bytes, file, block, dates. */
const RECORD = 32;
const KEY_BYTES = 20;
const FILE = 21;
const BLOCK = 22;
const NOT_BEFORE = 24;
const NOT_AFTER = 28;

/** Seconds since 1970 in 32 bits: dates before or after that range are clamped (a root of year 9999). */
function seconds(ms: number): number {
  return Math.min(0xffffffff, Math.max(0, Math.floor(ms / 1000)));
}

/**
 * Trusted roots indexed by subject key identifier; each one's DER is decoded from its file when
 * asked for. `read` returns a file's text (an embedded resource on the device).
 *
 * The index is one byte array, RECORD bytes per root (on an ESP32 an object per root would cost
 * several times that in slots): the key identifier (its first KEY_BYTES bytes and its length; a
 * longer one is confirmed on the decoded root), the file and block, and the validity dates that
 * the firmware checks again once its clock is set.
 */
export class CaStore {
  /**
   * The files' names: a list while roots are added, then one string of names each ended by "\n"
   * (compact()). On the device every string and array slot is heap: one string costs about a
   * quarter of a name per string per root.
   */
  private files: string[] | null = [];
  private names = "";
  private index = new Uint8Array(0);
  private count = 0;
  private readonly read: (file: string) => string | undefined;

  /** Indexes the CAs that have a subject key identifier (see `indexes`); the others are left out. */
  constructor(cas: readonly CaCertificate[], read: (file: string) => string | undefined) {
    this.read = read;
    for (const ca of cas) this.add(ca);
    this.compact();
  }

  /** Indexes one more CA; false (and nothing kept) when it has no key identifier to be found by. */
  add(ca: CaCertificate): boolean {
    if (!CaStore.indexes(ca)) return false;
    if (ca.file.indexOf("\n") >= 0) throw new Error("CaStore: a file name with a line break");
    if (this.files === null) this.files = this.fileList();
    const files = this.files;
    let file = files.indexOf(ca.file);
    if (file < 0) file = files.push(ca.file) - 1;
    if (file > 255 || ca.block > 255) throw new Error("CaStore: at most 256 files of 256 certificates each");
    if ((this.count + 1) * RECORD > this.index.length) {
      // Doubling while roots are added one by one at start; compact() drops the slack.
      const grown = new Uint8Array(Math.max(8, this.count * 2) * RECORD);
      grown.set(this.index);
      this.index = grown;
    }
    const index = this.index;
    const at = this.count * RECORD;
    const key = hexBytes(ca.summary.subjectKeyId as string);
    index[at] = Math.min(255, key.length);
    index.set(key.subarray(0, KEY_BYTES), at + 1);
    index[at + FILE] = file;
    index[at + BLOCK] = ca.block;
    const view = new DataView(index.buffer);
    view.setUint32(at + NOT_BEFORE, seconds(ca.summary.notBefore));
    view.setUint32(at + NOT_AFTER, seconds(ca.summary.notAfter));
    this.count++;
    return true;
  }

  /** Drops the room kept for more roots (once they are all added). */
  compact(): void {
    if (this.index.length > this.count * RECORD) this.index = this.index.slice(0, this.count * RECORD);
    if (this.files !== null) {
      this.names = this.files.length ? `${this.files.join("\n")}\n` : "";
      this.files = null;
    }
  }

  /** The name of file number `n`. */
  private fileName(n: number): string {
    if (this.files !== null) return this.files[n];
    let start = 0;
    for (let i = 0; i < n; i++) start = this.names.indexOf("\n", start) + 1;
    return this.names.slice(start, this.names.indexOf("\n", start));
  }

  private fileList(): string[] {
    return this.names === "" ? [] : this.names.slice(0, -1).split("\n");
  }

  /** True when the store can find this CA (it has a subject key identifier to be found by). */
  static indexes(ca: CaCertificate): boolean {
    return ca.summary.subjectKeyId !== null;
  }

  get size(): number {
    return this.count;
  }

  /**
   * The root whose subject key identifier is `keyId`, for a handshake: its DER and its dates from
   * the index. The certificate is not parsed (during a handshake every object made
   * is heap at the handshake's peak): the key identifier is read straight from the DER to confirm
   * the match (a changed file gives no root rather than another one).
   */
  findRoot(keyId: Uint8Array): { file: string; der: Uint8Array; notBefore: number; notAfter: number } | undefined {
    const index = this.index;
    for (const at of this.candidates(keyId)) {
      const file = this.fileName(index[at + FILE]);
      const der = this.loadDer(file, index[at + BLOCK]);
      if (der === undefined) continue;
      const key = subjectKeyIdOf(der);
      if (key === null) {
        // An encoding the byte walk does not follow: confirm on the parsed certificate.
        const ca = this.load(at);
        if (!ca || ca.summary.subjectKeyId !== toHex(keyId).toUpperCase()) continue;
      } else if (!sameBytes(key, keyId)) continue;
      const view = new DataView(index.buffer, index.byteOffset, index.byteLength);
      return { file, der, notBefore: view.getUint32(at + NOT_BEFORE) * 1000, notAfter: view.getUint32(at + NOT_AFTER) * 1000 };
    }
    return undefined;
  }

  /** The records whose key identifier length and first KEY_BYTES bytes are keyId's (to confirm on the root). */
  private candidates(keyId: Uint8Array): number[] {
    const index = this.index;
    const n = Math.min(keyId.length, KEY_BYTES);
    const found: number[] = [];
    for (let at = 0; at < this.count * RECORD; at += RECORD) {
      if (index[at] !== Math.min(255, keyId.length)) continue;
      let same = true;
      for (let i = 0; i < n && same; i++) same = index[at + 1 + i] === keyId[i];
      if (same) found.push(at);
    }
    return found;
  }

  /** The DER of CERTIFICATE block `block` of `file`, without parsing it. */
  private loadDer(file: string, block: number): Uint8Array | undefined {
    const text = this.read(file);
    if (text === undefined) return undefined;
    let blocks;
    try {
      blocks = decodePem(text);
    } catch {
      return undefined;
    }
    let n = 0;
    for (const b of blocks) {
      if (b.label !== "CERTIFICATE") continue;
      if (n++ === block) return b.der;
    }
    return undefined;
  }

  /** Every root's DER (for an edge that needs the whole set at once, such as Node's `ca` option). */
  all(): Uint8Array[] {
    const ders: Uint8Array[] = [];
    for (let at = 0; at < this.count * RECORD; at += RECORD) {
      const ca = this.load(at);
      if (ca) ders.push(ca.der);
    }
    return ders;
  }

  /** Each root's file and validity (seconds precision), from the index: nothing is decoded. */
  validity(): { file: string; notBefore: number; notAfter: number }[] {
    const view = new DataView(this.index.buffer, this.index.byteOffset, this.index.byteLength);
    const out: { file: string; notBefore: number; notAfter: number }[] = [];
    for (let at = 0; at < this.count * RECORD; at += RECORD) {
      out.push({ file: this.fileName(this.index[at + FILE]), notBefore: view.getUint32(at + NOT_BEFORE) * 1000, notAfter: view.getUint32(at + NOT_AFTER) * 1000 });
    }
    return out;
  }

  private load(at: number): CaCertificate | undefined {
    const file = this.fileName(this.index[at + FILE]);
    const text = this.read(file);
    if (text === undefined) return undefined;
    return readCaFile(file, text).certificates[this.index[at + BLOCK]];
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The key of a certificate's subjectKeyIdentifier extension (OID 2.5.29.14, an OCTET STRING
 * holding an OCTET STRING), read from the DER without parsing the certificate; null when the
 * extension is absent or not in the short DER form this walk reads (the caller then parses).
 */
function subjectKeyIdOf(der: Uint8Array): Uint8Array | null {
  for (let i = 0; i + 9 < der.length; i++) {
    if (der[i] !== 0x06 || der[i + 1] !== 0x03 || der[i + 2] !== 0x55 || der[i + 3] !== 0x1d || der[i + 4] !== 0x0e) continue;
    let j = i + 5;
    if (der[j] === 0x01 && der[j + 1] === 0x01) j += 3; // critical: BOOLEAN
    if (der[j] !== 0x04 || der[j + 1] > 0x7f || der[j + 2] !== 0x04 || der[j + 3] > 0x7f) return null;
    if (der[j + 1] !== der[j + 3] + 2 || j + 4 + der[j + 3] > der.length) return null;
    return der.subarray(j + 4, j + 4 + der[j + 3]);
  }
  return null;
}

/** Upper- or lower-case hex (as CertificateSummary gives key identifiers) to bytes. */
function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
