/**
 * X.509 summaries checked field by field against Node's X509Certificate (OpenSSL underneath), on
 * the committed fixtures and on Node's copy of the Mozilla root store; where Node has no accessor
 * (key usage, path length, key identifiers, signature algorithm) against `openssl x509 -text`
 * when openssl is installed, and against the values make.sh asked for.
 */
import { execFileSync } from "node:child_process";
import { createHash, verify, X509Certificate, constants } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { decodePem } from "../modules/tls/pem";
import { readElement } from "../modules/tls/der";
import { sha256 } from "../modules/base/sha256";
import { toHex } from "../modules/base/bytes";
import * as embedded from "./portable/cert-fixtures";
import {
  CertificateSummary, fingerprintSha256, isCaCertificate, parseCertificate, secureSocketSupport,
} from "../modules/tls/x509";

const fixtureDir = join(__dirname, "fixtures", "certs");
const fixtureFiles = readdirSync(fixtureDir).filter((f) => f.endsWith(".pem") && f !== "bundle.pem").sort();

interface Corpus {
  name: string;
  pem: string;
  der: Uint8Array;
}
const fixtures: Corpus[] = fixtureFiles.map((f) => {
  const pem = readFileSync(join(fixtureDir, f), "latin1");
  return { name: f, pem, der: decodePem(pem)[0].der };
});
const roots: Corpus[] = rootCertificates.map((pem, i) => ({ name: `root ${i}`, pem, der: decodePem(pem)[0].der }));

/** Node's IPv6 text ("2001:DB8:0:0:0:0:0:1") and ours ("2001:db8::1") to one form. */
function ipKey(ip: string): string {
  if (!ip.includes(":")) return ip;
  const [head, tail] = ip.toLowerCase().split("::");
  const h = head ? head.split(":") : [];
  const t = tail !== undefined && tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return groups.map((g) => parseInt(g, 16).toString(16)).join(":");
}

const NODE_CURVES: Record<string, string> = { prime256v1: "secp256r1", secp384r1: "secp384r1", secp521r1: "secp521r1" };

/** Every field Node exposes, compared. */
function compareWithNode(c: Corpus, s: CertificateSummary): void {
  const x = new X509Certificate(c.pem);
  expect(s.subject.text).toBe(x.subject.split("\n").reverse().join(", "));
  expect(s.issuer.text).toBe(x.issuer.split("\n").reverse().join(", "));
  expect(s.notBefore).toBe(Date.parse(x.validFrom));
  expect(s.notAfter).toBe(Date.parse(x.validTo));
  expect(fingerprintSha256(c.der)).toBe(x.fingerprint256);
  expect(s.serialHex).toBe(x.serialNumber);
  expect(isCaCertificate(s)).toBe(x.ca);
  expect(s.extendedKeyUsage ?? undefined).toEqual(x.keyUsage);
  const nodeSan = (x.subjectAltName ?? "").split(", ").filter(Boolean);
  const dns = nodeSan.filter((n) => n.startsWith("DNS:")).map((n) => n.slice(4));
  const ips = nodeSan.filter((n) => n.startsWith("IP Address:")).map((n) => ipKey(n.slice(11)));
  expect(s.subjectAltName?.dns ?? []).toEqual(dns);
  expect((s.subjectAltName?.ips ?? []).map(ipKey)).toEqual(ips);
  if (x.subjectAltName === undefined) expect(s.subjectAltName).toBeNull();
  const key = x.publicKey;
  expect(s.publicKey.type).toBe(key.asymmetricKeyType);
  const details = key.asymmetricKeyDetails ?? {};
  if (details.modulusLength !== undefined) expect(s.publicKey.bits).toBe(details.modulusLength);
  if (details.namedCurve !== undefined) expect(s.publicKey.curve).toBe(NODE_CURVES[details.namedCurve] ?? details.namedCurve);
  // The SPKI range is exactly the key Node exports.
  expect(Buffer.from(c.der.subarray(s.spki.start, s.spki.end)).equals(key.export({ type: "spki", format: "der" }))).toBe(true);
}

/** The TBS range is exactly what the issuer signed: check the signature with Node's crypto. */
function verifySignature(der: Uint8Array, s: CertificateSummary, issuerPem: string): boolean {
  const algEl = readElement(der, s.tbs.end);
  const sigEl = readElement(der, algEl.end);
  const signature = der.subarray(sigEl.valueStart + 1, sigEl.end);
  const tbs = der.subarray(s.tbs.start, s.tbs.end);
  const issuerKey = new X509Certificate(issuerPem).publicKey;
  const a = s.signatureAlgorithm;
  if (a.name === "rsassaPss") {
    return verify(a.hash, tbs, { key: issuerKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature);
  }
  return verify(a.hash, tbs, issuerKey, signature);
}

describe("fixtures against Node", () => {
  const byName = Object.fromEntries(fixtures.map((c) => [c.name, c]));
  test.each(fixtures.map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const s = parseCertificate(c.der);
    compareWithNode(c, s);
    const issuer = s.issuer.text === s.subject.text ? c : fixtures.find((f) => parseCertificate(f.der).subject.text === s.issuer.text)!;
    expect(verifySignature(c.der, s, issuer.pem)).toBe(true);
  });

  test("the values make.sh asked for", () => {
    const get = (n: string) => parseCertificate(byName[n].der);
    const rsa = get("rsa2048-ca.pem");
    expect(rsa).toMatchObject({
      version: 3,
      signatureAlgorithm: { name: "sha256WithRSAEncryption", hash: "sha256" },
      publicKey: { type: "rsa", bits: 2048, curve: null },
      basicConstraints: { ca: true, pathLen: 1 },
      keyUsage: ["keyCertSign", "cRLSign"],
      subject: { attributes: [{ type: "C", value: "US" }, { type: "O", value: "Example Test" }, { type: "OU", value: "Firmware" }, { type: "CN", value: "Test RSA Root CA" }] },
      notBefore: Date.UTC(2024, 0, 1),
      notAfter: Date.UTC(2049, 11, 31, 23, 59, 59),
    });
    expect(rsa.extensions).toEqual([{ oid: "2.5.29.19", critical: true }, { oid: "2.5.29.15", critical: true }, { oid: "2.5.29.14", critical: false }]);
    expect(get("ec-p256-ca.pem")).toMatchObject({ publicKey: { type: "ec", curve: "secp256r1", bits: 256 }, basicConstraints: { ca: true, pathLen: null }, notAfter: Date.UTC(2055, 0, 1) });
    expect(get("ec-p384-ca.pem")).toMatchObject({ publicKey: { curve: "secp384r1", bits: 384 }, signatureAlgorithm: { name: "ecdsa-with-SHA384", hash: "sha384" } });
    expect(get("rsa-pss-ca.pem")).toMatchObject({ publicKey: { type: "rsa-pss", bits: 2048 }, signatureAlgorithm: { oid: "1.2.840.113549.1.1.10", name: "rsassaPss", hash: "sha256" } });
    expect(get("ed25519-ca.pem")).toMatchObject({ publicKey: { type: "ed25519", bits: null }, signatureAlgorithm: { name: "Ed25519", hash: null } });
    const leaf = get("leaf-san.pem");
    expect(leaf).toMatchObject({
      basicConstraints: { ca: false, pathLen: null },
      keyUsage: ["digitalSignature", "keyEncipherment"],
      extendedKeyUsage: ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"],
      subjectAltName: { dns: ["device.example.test", "*.example.test"], ips: ["192.0.2.1", "2001:db8::1"] },
      authorityKeyId: rsa.subjectKeyId,
    });
    expect(get("expired.pem").notAfter).toBe(Date.UTC(2021, 0, 1));
    const plain = get("leaf-plain.pem");
    expect(plain).toMatchObject({ basicConstraints: null, keyUsage: ["digitalSignature"], subjectAltName: null, serialHex: "FF01", signatureAlgorithm: { name: "sha1WithRSAEncryption" } });
    expect(plain.subject.text).toBe("OU=Lab + CN=plain.example.test, O=Soci\u00e9t\u00e9 d'Essai\\, S.A., C=FR");
    expect(plain.subject.attributes[1]).toEqual({ oid: "2.5.4.10", type: "O", value: "Soci\u00e9t\u00e9 d'Essai, S.A." });
    expect(isCaCertificate(plain)).toBe(false);
  });

  test("SecureSocket support verdicts", () => {
    const verdict = (n: string) => {
      const { signature, key } = secureSocketSupport(parseCertificate(byName[n].der));
      return [signature, key];
    };
    expect(verdict("rsa2048-ca.pem")).toEqual(["supported", "supported"]);
    expect(verdict("ec-p256-ca.pem")).toEqual(["supported", "supported"]);
    expect(verdict("leaf-plain.pem")).toEqual(["supported", "supported"]);
    expect(verdict("ec-p384-ca.pem")).toEqual(["supported", "unsupported"]);
    expect(verdict("rsa-pss-ca.pem")).toEqual(["unsupported", "unsupported"]);
    expect(verdict("ed25519-ca.pem")).toEqual(["unsupported", "unsupported"]);
    expect(secureSocketSupport(parseCertificate(byName["rsa-pss-ca.pem"].der)).reason).toMatch(/rsassaPss .*Cert: unsupported algorithm/);
  });
});

test("the fixture text embedded for portable suites is the committed fixtures", () => {
  for (const [name, file] of Object.entries(embedded.SOURCES)) {
    expect((embedded as unknown as Record<string, string>)[name]).toBe(readFileSync(join(fixtureDir, file), "latin1"));
  }
});

describe(`Node's root store (${roots.length} certificates)`, () => {
  test("has a real corpus", () => {
    expect(roots.length).toBeGreaterThan(100);
  });

  test("every root decodes and matches Node's view", () => {
    for (const c of roots) {
      const s = parseCertificate(c.der);
      try {
        compareWithNode(c, s);
        // Roots are self-signed: checking the signature over the TBS range proves the range.
        if (s.subject.text === s.issuer.text) expect(verifySignature(c.der, s, c.pem)).toBe(true);
      } catch (e) {
        throw new Error(`${s.subject.text}: ${(e as Error).message}`);
      }
    }
  });

  test("SHA-256 matches node:crypto on every root, every length up to 300 and unaligned views", () => {
    const data = createHash("sha512").update("seed").digest();
    const long = new Uint8Array(301);
    for (let i = 0; i < long.length; i++) long[i] = data[i % data.length] ^ i;
    for (let n = 0; n <= 300; n++) {
      const view = long.subarray(1, 1 + n);
      expect(toHex(sha256(view))).toBe(createHash("sha256").update(view).digest("hex"));
    }
    for (const c of roots) expect(toHex(sha256(c.der))).toBe(createHash("sha256").update(c.der).digest("hex"));
  });
});

/** Key usage, basic constraints, key ids and algorithm names from `openssl x509 -text`. */
function opensslView(pem: string) {
  const text = execFileSync("openssl", ["x509", "-noout", "-text"], { input: pem }).toString();
  const after = (title: string) => {
    const m = new RegExp(`${title}:(?: critical)? *\\n\\s+(.*)`).exec(text);
    return m ? m[1].trim() : null;
  };
  const KU: Record<string, string> = {
    "Digital Signature": "digitalSignature", "Non Repudiation": "nonRepudiation", "Key Encipherment": "keyEncipherment",
    "Data Encipherment": "dataEncipherment", "Key Agreement": "keyAgreement", "Certificate Sign": "keyCertSign",
    "CRL Sign": "cRLSign", "Encipher Only": "encipherOnly", "Decipher Only": "decipherOnly",
  };
  const ku = after("X509v3 Key Usage");
  const bc = after("X509v3 Basic Constraints");
  const ski = after("X509v3 Subject Key Identifier");
  const aki = after("X509v3 Authority Key Identifier");
  return {
    signature: /Signature Algorithm: (\S+)/.exec(text)![1],
    keyUsage: ku === null ? null : ku.split(", ").map((k) => KU[k]),
    basicConstraints: bc === null ? null : { ca: bc.startsWith("CA:TRUE"), pathLen: /pathlen:(\d+)/.test(bc) ? Number(/pathlen:(\d+)/.exec(bc)![1]) : null },
    subjectKeyId: ski === null ? null : ski.replace(/:/g, ""),
    authorityKeyId: aki === null ? null : aki.replace(/^keyid:/, "").replace(/:/g, ""),
  };
}

let haveOpenssl = true;
try {
  execFileSync("openssl", ["version"], { stdio: "ignore" });
} catch {
  haveOpenssl = false;
}

(haveOpenssl ? describe : describe.skip)("fixtures and roots against openssl x509 -text", () => {
  test("key usage, basic constraints, key identifiers and signature algorithm agree", () => {
    const names: Record<string, string> = { ED25519: "Ed25519" };
    for (const c of [...fixtures, ...roots]) {
      const s = parseCertificate(c.der);
      const o = opensslView(c.pem);
      try {
        expect(s.signatureAlgorithm.name).toBe(names[o.signature] ?? o.signature);
        expect(s.keyUsage).toEqual(o.keyUsage);
        expect(s.basicConstraints).toEqual(o.basicConstraints);
        expect(s.subjectKeyId).toBe(o.subjectKeyId);
        expect(s.authorityKeyId).toBe(o.authorityKeyId);
      } catch (e) {
        throw new Error(`${c.name} ${s.subject.text}: ${(e as Error).message}`);
      }
    }
  });
});

describe("distinguished names with awkward values, against Node", () => {
  const tlv = (tag: number, content: number[]): number[] => {
    const n = content.length;
    const len = n < 128 ? [n] : n < 256 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
    return [tag, ...len, ...content];
  };
  const oid = (dotted: string): number[] => {
    const [a, b, ...rest] = dotted.split(".").map(Number);
    const out = [a * 40 + b];
    for (const arc of rest) {
      const groups = [arc & 0x7f];
      for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v & 0x7f) | 0x80);
      out.push(...groups);
    }
    return tlv(0x06, out);
  };
  const atv = (type: string, tag: number, value: number[]) => tlv(0x30, [...oid(type), ...tlv(tag, value)]);
  const ascii = (s: string) => Array.from(Buffer.from(s, "utf8"));

  /** A fixture certificate with its subject replaced (signature no longer valid; Node does not check it). */
  function withSubject(rdns: number[][][]): Uint8Array {
    const der = fixtures.find((f) => f.name === "ec-p256-ca.pem")!.der;
    const s = parseCertificate(der);
    const children: number[][] = [];
    for (let at = readElement(der, s.tbs.start).valueStart; at < s.tbs.end;) {
      const e = readElement(der, at, s.tbs.end);
      children.push(Array.from(der.subarray(e.start, e.end)));
      at = e.end;
    }
    // version, serial, signature, issuer, validity, subject, ...
    children[5] = tlv(0x30, rdns.flatMap((rdn) => tlv(0x31, rdn.flat())));
    const tbs = tlv(0x30, children.flat());
    return Uint8Array.from(tlv(0x30, [...tbs, ...der.subarray(s.tbs.end)]));
  }

  test.each([
    ["leading #, leading and trailing spaces, specials", [[atv("2.5.4.3", 0x0c, ascii("#tag, a+b <c>; \"q\" \\ "))], [atv("2.5.4.10", 0x13, ascii(" lead"))]]],
    ["single space value", [[atv("2.5.4.3", 0x0c, ascii(" "))]]],
    ["BMPString and TeletexString", [[atv("2.5.4.3", 0x1e, [0x00, 0x41, 0x00, 0xe9, 0x20, 0xac])], [atv("2.5.4.11", 0x14, [0x61, 0xe9])]]],
    ["unknown attribute type and multi-valued RDN", [[atv("1.2.3.4.5", 0x0c, ascii("x")), atv("2.5.4.3", 0x0c, ascii("y"))]]],
    ["empty name", []],
  ])("%s", (_n, rdns) => {
    const der = withSubject(rdns as number[][][]);
    const s = parseCertificate(der);
    const x = new X509Certificate(Buffer.from(der));
    expect(s.subject.text).toBe((x.subject ?? "").split("\n").reverse().join(", "));
  });
});
