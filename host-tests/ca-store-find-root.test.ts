/**
 * CaStore.findRoot, the handshake's lookup: the root's DER and the index's dates, the key
 * identifier confirmed from the DER without parsing the certificate.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CaStore, readCaFile } from "../modules/tls/ca-store";

const fixture = (name: string) => readFileSync(join(__dirname, "fixtures", "certs", name), "utf8");
const FILES: Record<string, string> = { "bundle.pem": fixture("bundle.pem"), "p256.pem": fixture("ec-p256-ca.pem") };
const hex = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
// bundle.pem holds the P-256 CA too: one record per key identifier, the first file's.
const cas = Object.keys(FILES)
  .flatMap((f) => readCaFile(f, FILES[f]).certificates)
  .filter((ca, i, all) => all.findIndex((o) => o.summary.subjectKeyId === ca.summary.subjectKeyId) === i);

test("every root is found by its key identifier, with its DER, file and dates", () => {
  const store = new CaStore(cas, (f) => FILES[f]);
  for (const ca of cas) {
    const root = store.findRoot(hex(ca.summary.subjectKeyId as string))!;
    expect(root.file).toBe(ca.file);
    expect(Buffer.from(root.der).equals(Buffer.from(ca.der))).toBe(true);
    expect(root.notBefore).toBe(Math.floor(ca.summary.notBefore / 1000) * 1000);
    expect(root.notAfter).toBe(Math.floor(ca.summary.notAfter / 1000) * 1000);
  }
});

test("an unknown key, a prefix, a longer key, a missing file or a changed file find nothing", () => {
  const store = new CaStore(cas, (f) => FILES[f]);
  const [p256] = readCaFile("p256.pem", FILES["p256.pem"]).certificates;
  const key = hex(p256.summary.subjectKeyId as string);
  expect(store.findRoot(new Uint8Array(20))).toBeUndefined();
  expect(store.findRoot(key.subarray(0, key.length - 1))).toBeUndefined();
  const longer = new Uint8Array(key.length + 1);
  longer.set(key);
  expect(store.findRoot(longer)).toBeUndefined();
  expect(new CaStore([p256], () => undefined).findRoot(key)).toBeUndefined();
  expect(new CaStore([p256], (f) => FILES[f]).findRoot(key)).toBeDefined();
  // p256.pem's record now reads bundle.pem's first certificate: another key, so no root.
  expect(new CaStore([p256], () => FILES["bundle.pem"]).findRoot(key)).toBeUndefined();
});

test("a certificate whose key identifier the byte walk cannot find gives no unconfirmed root", () => {
  // The extension's OID bytes altered in the file: the walk finds no key, the parse (the fallback)
  // finds none either, so the index's match is not taken on trust.
  const [p256] = readCaFile("p256.pem", FILES["p256.pem"]).certificates;
  const der = Buffer.from(p256.der);
  const at = der.indexOf(Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x0e]));
  expect(at).toBeGreaterThan(0);
  der[at + 4] = 0x0d;
  const text = `-----BEGIN CERTIFICATE-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n")}\n-----END CERTIFICATE-----\n`;
  expect(new CaStore([p256], () => text).findRoot(hex(p256.summary.subjectKeyId as string))).toBeUndefined();
});
