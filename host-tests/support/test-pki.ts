/**
 * A throw-away PKI for integration tests and the simulator: `makeTestPki()` makes root CA ->
 * intermediate CA -> leaf for 127.0.0.1 and localhost, plus an expired leaf, a wrong-host leaf,
 * ECDSA P-256 and P-384 leaves and an unrelated root, with the `openssl` command in a temporary
 * directory (Node cannot sign certificates). About a second, mostly RSA key generation; make one
 * per test file.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPrivateKey, X509Certificate } from "node:crypto";

/** A certificate with its key, as PEM text and paths in the PKI directory. */
export interface TestCert {
  name: string;
  certPem: string;
  keyPem: string;
  certPath: string;
  keyPath: string;
  /** The certificate in DER, as the device takes it. */
  der: Uint8Array;
}

export interface TestPki {
  dir: string;
  /** Self-signed RSA root CA: what the device trusts. */
  root: TestCert;
  /** RSA intermediate CA signed by the root. */
  intermediate: TestCert;
  /** RSA leaf signed by the intermediate: SAN IP:127.0.0.1, DNS:localhost. */
  leaf: TestCert;
  /** Same names, validity ended yesterday. */
  expiredLeaf: TestCert;
  /** SAN DNS:wrong.example only. */
  wrongHostLeaf: TestCert;
  /** ECDSA leaves (keys on P-256 and P-384), same names as `leaf`. */
  ecP256Leaf: TestCert;
  ecP384Leaf: TestCert;
  /** A root CA that signed none of the above (an untrusted CA for the client). */
  otherRoot: TestCert;
  /** A client certificate (extendedKeyUsage clientAuth) signed by the intermediate, RSA key. */
  clientLeaf: TestCert;
  /** `clientLeaf`'s private key in PKCS#8 DER, as SecureSocket's `clientKey` takes it. */
  clientKeyDer: Uint8Array;
  /** Like `leaf`, but the intermediate signed it with RSA-PSS (which SecureSocket cannot verify). */
  pssLeaf: TestCert;
  /** Leaf then intermediate, PEM: what a correctly configured server sends. */
  fullChain(leaf: TestCert): string;
  /** Removes the directory. */
  cleanup(): void;
}

export function run(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: 30_000 }, (err, stdout, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === "ENOENT") {
        reject(new Error(`the ${cmd} command is needed to make the test PKI: install it (Debian: apt-get install openssl)`));
      } else if (err) reject(new Error(`${cmd} ${args.join(" ")}: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** openssl's date form for `openssl ca -startdate/-enddate`. */
function asn1Time(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
}

export const DAY = 86_400_000;
export const CA_EXT = [
  "basicConstraints = critical, CA:true",
  "keyUsage = critical, keyCertSign, cRLSign",
  "subjectKeyIdentifier = hash",
  "authorityKeyIdentifier = keyid",
];
export const leafExt = (san: string, usage = "serverAuth") => [
  "basicConstraints = CA:false",
  "keyUsage = critical, digitalSignature, keyEncipherment",
  `extendedKeyUsage = ${usage}`,
  `subjectAltName = ${san}`,
  "subjectKeyIdentifier = hash",
  "authorityKeyIdentifier = keyid",
];
export const LOOPBACK_SAN = "IP:127.0.0.1, DNS:localhost";

export interface SignRequest {
  name: string;
  key: string;
  subject: string;
  /** Undefined: self-signed. */
  issuer?: TestCert;
  from: number;
  to: number;
  ext: string[];
  /** `openssl ca -sigopt` values (e.g. RSA-PSS padding). */
  sigopt?: string[];
  /** The signature's digest (default sha256). */
  md?: string;
}

/** `openssl ca`, because only it takes explicit start and end dates (expired certificates). */
export async function sign(dir: string, r: SignRequest): Promise<TestCert> {
  const db = join(dir, `db-${r.name}`);
  await run("mkdir", ["-p", db], dir);
  writeFileSync(join(db, "index"), "");
  writeFileSync(join(db, "serial"), `${(Date.now() % 1e12).toString(16).padStart(12, "0")}${Math.floor(Math.random() * 0xffff).toString(16).padStart(4, "0")}\n`);
  const cnf = join(db, "ca.cnf");
  writeFileSync(cnf, [
    "[ca]", "default_ca = c", "[c]", `database = ${join(db, "index")}`, `new_certs_dir = ${db}`,
    `serial = ${join(db, "serial")}`, "policy = p", "unique_subject = no", "[p]", "commonName = supplied",
    "organizationName = optional", "[ext]", ...r.ext, "",
  ].join("\n"));
  const keyPath = join(dir, r.key);
  const csr = join(db, "req.csr");
  const certPath = join(dir, `${r.name}.pem`);
  await run("openssl", ["req", "-new", "-key", keyPath, "-subj", r.subject, "-out", csr], dir);
  const signer = r.issuer ? ["-cert", r.issuer.certPath, "-keyfile", r.issuer.keyPath] : ["-selfsign", "-keyfile", keyPath];
  const sigopt = (r.sigopt ?? []).flatMap((o) => ["-sigopt", o]);
  await run("openssl", ["ca", "-batch", "-notext", "-config", cnf, "-extensions", "ext", "-md", r.md ?? "sha256", ...signer, ...sigopt,
    "-startdate", asn1Time(r.from), "-enddate", asn1Time(r.to), "-in", csr, "-out", certPath], dir);
  const certPem = readFileSync(certPath, "utf8");
  return {
    name: r.name, certPem, keyPem: readFileSync(keyPath, "utf8"), certPath, keyPath,
    der: new Uint8Array(new X509Certificate(certPem).raw),
  };
}

/** Generates the test PKI (see TestPki) in a new temporary directory. */
export async function makeTestPki(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), "test-pki-"));
  try {
    const rsa = (file: string) => run("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", file], dir);
    const ec = (file: string, curve: string) => run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", `ec_paramgen_curve:${curve}`, "-out", file], dir);
    await Promise.all([
      rsa("root.key"), rsa("intermediate.key"), rsa("leaf.key"),
      ec("ec256.key", "P-256"), ec("ec384.key", "P-384"), ec("other.key", "P-256"),
    ]);
    const now = Date.now();
    const valid = { from: now - DAY, to: now + 30 * DAY };
    const root = await sign(dir, { name: "root", key: "root.key", subject: "/O=Test/CN=Test Root CA", ...valid, to: now + 365 * DAY, ext: CA_EXT });
    const [intermediate, otherRoot] = await Promise.all([
      sign(dir, { name: "intermediate", key: "intermediate.key", subject: "/O=Test/CN=Test Intermediate CA", issuer: root, ...valid, to: now + 180 * DAY, ext: CA_EXT }),
      sign(dir, { name: "other-root", key: "other.key", subject: "/O=Other/CN=Other Root CA", ...valid, ext: CA_EXT }),
    ]);
    const leafOf = (name: string, key: string, san: string, from: number, to: number, usage?: string, sigopt?: string[]) =>
      sign(dir, { name, key, subject: `/O=Test/CN=${name}`, issuer: intermediate, from, to, ext: leafExt(san, usage), sigopt });
    const [leaf, expiredLeaf, wrongHostLeaf, ecP256Leaf, ecP384Leaf, clientLeaf, pssLeaf] = await Promise.all([
      leafOf("leaf", "leaf.key", LOOPBACK_SAN, valid.from, valid.to),
      leafOf("expired-leaf", "leaf.key", LOOPBACK_SAN, now - 30 * DAY, now - DAY),
      leafOf("wrong-host-leaf", "leaf.key", "DNS:wrong.example", valid.from, valid.to),
      leafOf("ec256-leaf", "ec256.key", LOOPBACK_SAN, valid.from, valid.to),
      leafOf("ec384-leaf", "ec384.key", LOOPBACK_SAN, valid.from, valid.to),
      leafOf("client-leaf", "leaf.key", "DNS:device.example", valid.from, valid.to, "clientAuth"),
      leafOf("pss-leaf", "leaf.key", LOOPBACK_SAN, valid.from, valid.to, undefined, ["rsa_padding_mode:pss", "rsa_pss_saltlen:32"]),
    ]);
    const clientKeyDer = new Uint8Array(createPrivateKey(clientLeaf.keyPem).export({ format: "der", type: "pkcs8" }));
    return {
      dir, root, intermediate, leaf, expiredLeaf, wrongHostLeaf, ecP256Leaf, ecP384Leaf, otherRoot, clientLeaf, clientKeyDer, pssLeaf,
      fullChain: (l) => l.certPem + intermediate.certPem,
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
