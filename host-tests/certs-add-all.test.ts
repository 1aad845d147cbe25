/**
 * `npm run certs -- add --all`: every usable root of a store, one file each, the skipped ones
 * counted by reason, config.caFiles updated once; and the firmware's CA store indexing the result
 * (a record per root, the root decoded only when asked for). Run on temporary folders.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { CaStore, loadCaFiles } from "../modules/tls/ca-store";
import { decodePem, encodePem } from "../modules/tls/pem";
import { CertsIo, certsMain } from "../tools/certs/cli";

const FIXTURES = join(__dirname, "fixtures", "certs");
const fixture = (name: string) => readFileSync(join(FIXTURES, name), "utf8");
const NOW = Date.UTC(2026, 0, 1);

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

describe("certs add --all", () => {
  let dir: string;
  let certs: string;
  let out: string;
  let err: string;
  const run = (store: readonly string[], ...argv: string[]) => {
    out = "";
    err = "";
    const io: CertsIo = { out: (t) => { out += t; }, err: (t) => { err += t; }, now: () => NOW, store, storeName: "test store", cwd: dir };
    return certsMain([...argv, "--certs", certs], io);
  };
  const caFiles = (): string[] => String(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")).config.caFiles).split(",").filter((f) => f);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "certs-all-"));
    certs = join(dir, "certs");
    mkdirSync(certs);
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ config: { caFiles: "" }, data: { "*": "./certs/*" } }, null, "\t") + "\n");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("adds the usable roots, skips P-384, Ed25519, expired and embedded ones with counts and reasons", () => {
    writeFileSync(join(certs, "mine.pem"), fixture("ec-p256-ca.pem"));
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ config: { caFiles: "mine.pem" }, data: { "*": "./certs/*" } }, null, "\t") + "\n");
    const store = ["rsa2048-ca.pem", "ec-p384-ca.pem", "ed25519-ca.pem", "expired.pem", "ec-p256-ca.pem", "rsa2048-ca.pem"].map(fixture);
    expect(run(store, "add", "--all")).toBe(0);
    expect(err).toBe("");
    expect(out).toContain("6 roots in the store: 1 added, 4 skipped\n");
    expect(out).toMatch(/skipped 1: EC secp384r1 key: the device verifies RSA and ECDSA P-256 only\n    Test EC P-384 Root CA\n/);
    expect(out).toMatch(/skipped 1: Ed25519 key: the device verifies RSA and ECDSA P-256 only\n/i);
    expect(out).toMatch(/skipped 1: expired or not yet valid\n/);
    expect(out).toMatch(/skipped 1: already embedded\n/);
    expect(readdirSync(certs).sort()).toEqual(["mine.pem", "test-rsa-root-ca.pem"]);
    expect(caFiles()).toEqual(["mine.pem", "test-rsa-root-ca.pem"]);
    expect(run([], "check")).toBe(0);
    // Run again: nothing new, and the manifest is left alone.
    expect(run(store, "add", "--all")).toBe(0);
    expect(out).toContain("0 added, 5 skipped");
    expect(caFiles()).toEqual(["mine.pem", "test-rsa-root-ca.pem"]);
  });

  test("two roots with one CN get two files (the second named with its fingerprint)", () => {
    const der = decodePem(fixture("rsa2048-ca.pem"))[0].der.slice();
    der[der.length - 1] ^= 1; // another certificate (fingerprint), same subject
    expect(run([fixture("rsa2048-ca.pem"), encodePem("CERTIFICATE", der)], "add", "--all")).toBe(0);
    const files = readdirSync(certs).sort();
    expect(files).toHaveLength(2);
    expect(files).toContain("test-rsa-root-ca.pem");
    expect(files.find((f) => f !== "test-rsa-root-ca.pem")).toMatch(/^test-rsa-root-ca-[0-9a-f]{8}\.pem$/);
    expect(caFiles().sort()).toEqual(files);
  });

  test("many files: the manifest line counts them; without a manifest it names them for caFiles", () => {
    const store = ["rsa2048-ca.pem", "ec-p256-ca.pem"].map(fixture);
    expect(run(store, "add", "--all")).toBe(0);
    expect(out).toContain("manifest.json: added 2 files to config.caFiles\n");
    rmSync(join(certs, "test-rsa-root-ca.pem"));
    rmSync(join(dir, "manifest.json"));
    expect(run(store, "add", "--all")).toBe(0);
    expect(out).toContain(": add \"test-rsa-root-ca.pem\" to config.caFiles yourself");
    rmSync(join(certs, "test-rsa-root-ca.pem"));
    rmSync(join(certs, "test-ec-p-256-root-ca.pem"));
    expect(run(store, "add", "--all")).toBe(0);
    expect(out).toContain(": add 2 files (test-rsa-root-ca.pem,test-ec-p-256-root-ca.pem) to config.caFiles yourself");
  });

  test("usage: --all takes no name", () => {
    expect(run([], "add", "--all", "ISRG Root X1")).toBe(2);
    expect(err).toMatch(/add --all takes no NAME/);
  });

  test("Node's Mozilla store: every added root is indexed by the firmware's CA store, one 32-byte record each", () => {
    expect(run(rootCertificates, "add", "--all")).toBe(0);
    const files = caFiles();
    expect(files.length).toBeGreaterThan(50);
    expect(files.sort()).toEqual(readdirSync(certs).sort());
    expect(out).toMatch(/skipped \d+: EC secp384r1 key/);
    const read = (f: string) => readFileSync(join(certs, f), "utf8");
    const cas = loadCaFiles(files, read);
    expect(cas).toHaveLength(files.length);
    let decoded = 0;
    const store = new CaStore(cas, (f) => { decoded++; return read(f); });
    expect(store.size).toBe(cas.filter((ca) => CaStore.indexes(ca)).length);
    expect(store.size).toBeGreaterThan(files.length - 3);
    expect(decoded).toBe(0);
    const someRoot = cas.find((ca) => ca.summary.subjectKeyId !== null && /ISRG Root X1/.test(ca.summary.subject.text))!;
    expect(Buffer.from(store.findRoot(hexBytes(someRoot.summary.subjectKeyId as string))!.der).equals(Buffer.from(someRoot.der))).toBe(true);
    expect(decoded).toBe(1); // only the root asked for was read and decoded
    // The handshake's lookup (findRoot) reads each root's key identifier from its DER without a
    // parse: it finds every one of these real-world roots, with the same DER and the index's dates.
    for (const ca of cas.filter((c) => CaStore.indexes(c))) {
      const root = store.findRoot(hexBytes(ca.summary.subjectKeyId as string));
      expect(root && Buffer.from(root.der).equals(Buffer.from(ca.der))).toBe(true);
      expect(root!.notAfter).toBe(Math.min(0xffffffff * 1000, Math.floor(ca.summary.notAfter / 1000) * 1000));
    }
    expect(run([], "check")).toBe(0);
    // Headers in ASCII (NetLock's root has a Hungarian name).
    for (const f of files) expect(read(f)).toMatch(/^[\x09\x0a\x0d\x20-\x7e]*$/);
  });
});
