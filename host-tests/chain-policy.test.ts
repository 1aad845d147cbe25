/**
 * The certificate policy both edges apply (modules/tls/chain-policy.ts) and the host edge's
 * verdict built on it (host/device-tls.ts deviceChainError), on real chains. The same chains run
 * end to end, on both edges, in the parity table.
 */
import { deviceChainError } from "../host/device-tls";
import { CHAIN_TEXTS, chainPolicyError, endsWithSentRoot, isIpv4, nameError, notTlsText } from "../modules/tls/chain-policy";
import { parseCertificate } from "../modules/tls/x509";
import { makeParityPki, type ParityPki } from "./parity/pki";

let pki: ParityPki;
beforeAll(async () => {
  pki = await makeParityPki();
}, 60_000);
afterAll(() => pki?.cleanup());

test("a good chain passes; each rule names the certificate it refuses", () => {
  expect(chainPolicyError([pki.leaf.der, pki.intermediate.der], "127.0.0.1")).toBeUndefined();
  expect(chainPolicyError([pki.leaf.der, pki.intermediate.der, pki.root.der], "localhost")).toBeUndefined();
  expect(chainPolicyError([pki.underLeaf.der, pki.leafIssuer.der, pki.intermediate.der], "127.0.0.1")).toBe(CHAIN_TEXTS.notCa(1));
  expect(chainPolicyError([pki.sha1Leaf.der, pki.intermediate.der], "127.0.0.1")).toBe(CHAIN_TEXTS.weakSignature(1, "sha1WithRSAEncryption"));
  expect(chainPolicyError([pki.weakKeyLeaf.der, pki.intermediate.der], "127.0.0.1")).toBe(CHAIN_TEXTS.weakKey(1, 1024));
  expect(chainPolicyError([pki.dnsTextLeaf.der, pki.intermediate.der], "127.0.0.1")).toBe(CHAIN_TEXTS.ipNotInSan("127.0.0.1"));
  expect(chainPolicyError([pki.leaf.der, pki.intermediate.der], "example.com")).toBe(CHAIN_TEXTS.nameNotInSan("example.com"));
  expect(chainPolicyError([new Uint8Array([1, 2, 3])], "127.0.0.1")).toBeUndefined(); // left to the stack
});

test("host names: one wildcard label, an address only against an IP entry", () => {
  const leaf = parseCertificate(pki.leaf.der);
  expect(nameError(leaf, "LOCALHOST")).toBeUndefined();
  expect(nameError({ ...leaf, subjectAltName: { dns: ["*.example.com"], ips: [] } }, "a.example.com")).toBeUndefined();
  expect(nameError({ ...leaf, subjectAltName: { dns: ["*.example.com"], ips: [] } }, "a.b.example.com")).toBeDefined();
  expect(nameError({ ...leaf, subjectAltName: { dns: ["*.example.com"], ips: [] } }, "example.com")).toBeDefined();
  expect(nameError({ ...leaf, subjectAltName: null }, "10.0.0.1")).toBe(CHAIN_TEXTS.ipNotInSan("10.0.0.1"));
  expect([isIpv4("127.0.0.1"), isIpv4("256.0.0.1"), isIpv4("01.2.3.4"), isIpv4("a.b.c.d"), isIpv4("1.2.3")]).toEqual([true, false, false, false, false]);
});

test("a root sent along is recognised; a leaf alone is judged against the trusted CAs", () => {
  expect(endsWithSentRoot([pki.directLeaf.der, pki.root.der])).toBe(true);
  expect(endsWithSentRoot([pki.leaf.der, pki.intermediate.der])).toBe(false);
  expect(endsWithSentRoot([pki.root.der])).toBe(false);
  expect(deviceChainError([pki.directLeaf.der], "127.0.0.1", [pki.root.certPem])).toBeUndefined();
  expect(deviceChainError([pki.directLeaf.der, pki.root.der], "127.0.0.1", [pki.root.certPem])).toBeUndefined();
  expect(deviceChainError([pki.directLeaf.der], "127.0.0.1", [pki.otherRoot.certPem])).toBe(CHAIN_TEXTS.leafOnly);
  expect(deviceChainError([pki.directLeaf.der, pki.root.der], "127.0.0.1", [])).toBe(CHAIN_TEXTS.rootNotEmbedded);
  expect(deviceChainError([pki.expiredLeaf.der], "127.0.0.1", [pki.intermediate.certPem])).toBe(CHAIN_TEXTS.leafDates);
  expect(deviceChainError([pki.leaf.der, pki.otherRoot.der], "127.0.0.1", [])).toBe(CHAIN_TEXTS.notSignedByNext(1));
});

test("not TLS: the first five bytes, shown safely", () => {
  expect(notTlsText(new Uint8Array([0x16, 3, 3, 0, 0x40]))).toBeUndefined();
  expect(notTlsText(new Uint8Array([0x48, 0x54]))).toBeUndefined();
  expect(notTlsText(new TextEncoder().encode("HTTP/1.1 400"))).toBe("not TLS: the first bytes from the server (HTTP/) are not a TLS record");
  expect(notTlsText(new Uint8Array([0, 0x22, 0x5c, 0x20, 0x7f]))).toBe("not TLS: the first bytes from the server (\\x00\\x22\\x5c\\x20\\x7f) are not a TLS record");
});
