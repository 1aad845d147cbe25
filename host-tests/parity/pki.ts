/**
 * The certificates of the parity table beyond the shared test PKI (support/test-servers.ts): the
 * chains a server can get wrong in ways the TLS stack alone would not name, or would accept.
 */
import { join } from "node:path";
import { CA_EXT, DAY, LOOPBACK_SAN, leafExt, makeTestPki, run, sign, TestCert, TestPki } from "../support/test-pki";

export interface ParityPki extends TestPki {
  /** A leaf signed directly by the root (a two-tier private PKI). */
  directLeaf: TestCert;
  /** A leaf certificate (CA:false) under the intermediate that signs `underLeaf`. */
  leafIssuer: TestCert;
  underLeaf: TestCert;
  /** Signed by the intermediate with SHA-1. */
  sha1Leaf: TestCert;
  /** A 1024-bit RSA key, signed by the intermediate. */
  weakKeyLeaf: TestCert;
  /** subjectAltName DNS:127.0.0.1 only: the address's text as a DNS name. */
  dnsTextLeaf: TestCert;
  /** A root that is not embedded, an intermediate under it, and a leaf under that. */
  foreignRoot: TestCert;
  foreignIntermediate: TestCert;
  foreignLeaf: TestCert;
}

/** Makes the test PKI plus the parity certificates, in one temporary directory. */
export async function makeParityPki(): Promise<ParityPki> {
  const pki = await makeTestPki();
  const dir = pki.dir;
  try {
    const rsa = (file: string, bits = 2048) => run("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", `rsa_keygen_bits:${bits}`, "-out", join(dir, file)], dir);
    await Promise.all([rsa("issuer.key"), rsa("weak.key", 1024), rsa("foreign.key")]);
    const now = Date.now();
    const valid = { from: now - DAY, to: now + 30 * DAY };
    const leafOf = (name: string, issuer: TestCert, key = "leaf.key", san = LOOPBACK_SAN, md?: string) =>
      sign(dir, { name, key, subject: `/O=Test/CN=${name}`, issuer, ...valid, ext: leafExt(san), md });
    const [directLeaf, leafIssuer, sha1Leaf, weakKeyLeaf, dnsTextLeaf, foreignRoot] = await Promise.all([
      leafOf("direct-leaf", pki.root),
      leafOf("leaf-issuer", pki.intermediate, "issuer.key"),
      leafOf("sha1-leaf", pki.intermediate, "leaf.key", LOOPBACK_SAN, "sha1"),
      leafOf("weak-key-leaf", pki.intermediate, "weak.key"),
      leafOf("dns-text-leaf", pki.intermediate, "leaf.key", "DNS:127.0.0.1"),
      sign(dir, { name: "foreign-root", key: "foreign.key", subject: "/O=Elsewhere/CN=Foreign Root CA", ...valid, ext: CA_EXT }),
    ]);
    const [underLeaf, foreignIntermediate] = await Promise.all([
      leafOf("under-leaf", leafIssuer),
      sign(dir, { name: "foreign-intermediate", key: "issuer.key", subject: "/O=Elsewhere/CN=Foreign Intermediate CA", issuer: foreignRoot, ...valid, ext: CA_EXT }),
    ]);
    const foreignLeaf = await leafOf("foreign-leaf", foreignIntermediate);
    return { ...pki, directLeaf, leafIssuer, underLeaf, sha1Leaf, weakKeyLeaf, dnsTextLeaf, foreignRoot, foreignIntermediate, foreignLeaf };
  } catch (e) {
    pki.cleanup();
    throw e;
  }
}
