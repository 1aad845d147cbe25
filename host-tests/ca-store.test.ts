/**
 * The CA store (modules/tls/ca-store.ts): CA files decoded in one place, and roots found by
 * subject key identifier, each decoded from its PEM file only when asked for.
 */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CaStore, readCaFile } from "../modules/tls/ca-store";
import { buildSecureOptions } from "../modules/tls/options";

const fixture = (name: string) => readFileSync(join(__dirname, "fixtures", "certs", name), "utf8");
const FILES: Record<string, string> = {
  "bundle.pem": fixture("bundle.pem"),
  "p256.pem": fixture("ec-p256-ca.pem"),
};
/** The subject key identifier of a PEM certificate, as OpenSSL reads it. */
const ski = (pem: string) => {
  const ext = /X509v3 Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/.exec(execFileSync("openssl", ["x509", "-noout", "-text"], { input: pem }).toString())!;
  return new Uint8Array(Buffer.from(ext[1].replace(/:/g, ""), "hex"));
};

describe("readCaFile", () => {
  test("every certificate of a file, with its block number and line; comment lines around them are fine", () => {
    const { certificates, problems } = readCaFile("bundle.pem", FILES["bundle.pem"]);
    expect(problems).toEqual([]);
    expect(certificates.map((c) => [c.file, c.block])).toEqual([["bundle.pem", 0], ["bundle.pem", 1]]);
    expect(certificates[0].line).toBeGreaterThan(1);
    expect(Buffer.from(certificates[1].der).equals(new X509Certificate(certificates[1].der).raw)).toBe(true);
  });

  test("a key block, a damaged certificate and a file that is not PEM are problems with a code", () => {
    const key = readCaFile("k.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    expect(key.problems).toEqual([{ kind: "not-a-certificate", line: 1, text: 'a "PRIVATE KEY" block, not a CERTIFICATE (never embed keys)' }]);
    const damaged = readCaFile("d.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    expect(damaged.problems[0]).toMatchObject({ kind: "unreadable", line: 1 });
    expect(readCaFile("j.pem", "nothing here").problems[0].kind).toBe("not-pem");
  });
});

describe("CaStore", () => {
  function store(files = FILES) {
    const reads: string[] = [];
    const cas = Object.keys(files).flatMap((f) => readCaFile(f, files[f]).certificates);
    const s = new CaStore(cas, (file) => {
      reads.push(file);
      return files[file];
    });
    return { s, reads, cas };
  }

  test("indexes every root by its key identifier and reads no file until asked", () => {
    const { s, reads } = store();
    expect(s.size).toBe(3);
    expect(reads).toEqual([]);
  });

  test("findRoot decodes the one root whose subject key identifier is asked for, from its file", () => {
    const { s, reads, cas } = store();
    const second = cas.find((c) => c.file === "bundle.pem" && c.block === 1)!;
    const found = s.findRoot(new Uint8Array(Buffer.from(second.summary.subjectKeyId!, "hex")));
    expect(found && Buffer.from(found.der).equals(Buffer.from(second.der))).toBe(true);
    expect(reads).toEqual(["bundle.pem"]);
    const p256 = s.findRoot(ski(FILES["p256.pem"]));
    expect(p256 && Buffer.from(p256.der).equals(new X509Certificate(FILES["p256.pem"]).raw)).toBe(true);
  });

  test("an unknown key identifier, or a file gone, finds nothing", () => {
    const { s } = store();
    expect(s.findRoot(new Uint8Array(20))).toBeUndefined();
    const cas = readCaFile("p256.pem", FILES["p256.pem"]).certificates;
    const gone = new CaStore(cas, () => undefined);
    expect(gone.findRoot(ski(FILES["p256.pem"]))).toBeUndefined();
  });

  test("a file changed under the index gives no root rather than another one", () => {
    const cas = readCaFile("p256.pem", FILES["p256.pem"]).certificates;
    const swapped = new CaStore(cas, () => FILES["bundle.pem"]);
    expect(swapped.findRoot(ski(FILES["p256.pem"]))).toBeUndefined();
  });

  test("a root without a subject key identifier is not indexed (the caller keeps its DER)", () => {
    const [ca] = readCaFile("p256.pem", FILES["p256.pem"]).certificates;
    const bare = { ...ca, summary: { ...ca.summary, subjectKeyId: null } };
    expect(CaStore.indexes(ca)).toBe(true);
    expect(CaStore.indexes(bare)).toBe(false);
    expect(new CaStore([bare], () => FILES["p256.pem"]).size).toBe(0);
  });

  test("all() gives every root's DER (the host edge trusts the whole set)", () => {
    const { s, cas } = store();
    expect(s.all().map((d) => Buffer.from(d).toString("hex"))).toEqual(cas.map((c) => Buffer.from(c.der).toString("hex")));
  });

  test("validity() gives each root's file and dates from the index, to the second, without reading a file", () => {
    const { s, reads, cas } = store();
    expect(s.validity()).toEqual(cas.map((c) => ({ file: c.file, notBefore: Math.floor(c.summary.notBefore / 1000) * 1000, notAfter: Math.floor(c.summary.notAfter / 1000) * 1000 })));
    expect(reads).toEqual([]);
  });

  test("a key identifier is matched whole: a prefix or a longer one finds nothing", () => {
    const { s } = store();
    const key = ski(FILES["p256.pem"]);
    expect(s.findRoot(key.subarray(0, 19))).toBeUndefined();
    const longer = new Uint8Array(21);
    longer.set(key);
    expect(s.findRoot(longer)).toBeUndefined();
  });
});

describe("the TLS options take a store", () => {
  const cas = readCaFile("p256.pem", FILES["p256.pem"]).certificates;
  test("a store with roots goes to secure.caStore, with no TLS_NO_CA warning; an empty one warns", () => {
    const store = new CaStore(cas, (f) => FILES[f]);
    const r = buildSecureOptions({ caStore: store });
    expect(r.secure.caStore).toBe(store);
    expect(r.secure.certificate).toBeUndefined();
    expect(r.warnings.map((w) => w.code)).toEqual([]);
    expect(buildSecureOptions({ caStore: new CaStore([], () => undefined) }).warnings.map((w) => w.code)).toEqual(["TLS_NO_CA"]);
    expect(buildSecureOptions({}).warnings.map((w) => w.code)).toEqual(["TLS_NO_CA"]);
  });

  test("anything else as caStore is refused", () => {
    expect(() => buildSecureOptions({ caStore: { find: () => undefined } as unknown as CaStore })).toThrow(/caStore: must be a CaStore/);
  });
});

