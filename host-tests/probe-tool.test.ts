/**
 * `npm run probe` against loopback servers, one per verdict: a good TLS 1.2 server, TLS 1.3 only,
 * no shared cipher suite (P-384 key, CHACHA20 only), a leaf-only chain, a root that is not
 * embedded (closing the loop with the printed `certs add` command), and chains signed with
 * RSA-PSS or Ed25519. The PKI is made with the openssl command; without it these tests skip.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { startHttpServer, startHttpsServer, startOpensslServer, TlsServerConfig } from "./support/test-servers";
import { makeTestPki, TestPki } from "./support/test-pki";
import { certsMain } from "../tools/certs/cli";
import { caFileText } from "../tools/certs/store";
import { buildClientHello, readServerAnswer } from "../tools/probe/client-hello";
import { probeMain } from "../tools/probe/cli";

const HAVE_OPENSSL = spawnSync("openssl", ["version"]).status === 0;

test("--help and -h print the usage to stdout and exit 0, with or without a URL", async () => {
  for (const argv of [["--help"], ["-h"], ["https://example.com/", "--help"]]) {
    let out = "";
    let err = "";
    const code = await probeMain(argv, { out: (t) => { out += t; }, err: (t) => { err += t; }, cwd: __dirname, store: [], now: () => Date.now() });
    expect({ code, usage: out.startsWith("usage: npm run probe"), err }).toEqual({ code: 0, usage: true, err: "" });
  }
});
if (!HAVE_OPENSSL) console.warn("probe-tool tests skipped: the openssl command is needed to make the test PKI");
const suite = HAVE_OPENSSL ? describe : describe.skip;

jest.setTimeout(30_000);

interface Run {
  code: number;
  out: string;
  err: string;
}

let pki: TestPki;
let work: string;
let certsDir: string;
let rootsFile: string;
/** Leaf and intermediate signed with algorithms the device cannot verify. */
let pssChain: { cert: string; key: string };
let ed25519Chain: { cert: string; key: string };

async function probe(url: string, extra: string[] = []): Promise<Run> {
  let out = "";
  let err = "";
  const code = await probeMain([url, "--certs", certsDir, "--timeout", "4000", ...extra], {
    out: (t) => { out += t; }, err: (t) => { err += t; }, cwd: work, store: rootCertificates, now: () => Date.now(),
  });
  return { code, out, err };
}

async function probeServer(config: TlsServerConfig, extra: string[] = []): Promise<Run> {
  const server = await startHttpsServer(config, { routes: { "/": { body: "x".repeat(40_000) } } });
  try {
    return await probe(server.url("/"), extra);
  } finally {
    await server.close();
  }
}

const verdict = (r: Run) => r.out.trim().split("\n").pop() ?? "";

/** An intermediate signed by the test root with `sigopts`, and a leaf for 127.0.0.1 signed by it. */
function oddChain(name: string, intermediateKeyAlg: string[], intermediateSigopts: string[], leafDigest: string[]): { cert: string; key: string } {
  const d = pki.dir;
  const run = (args: string[]) => execFileSync("openssl", args, { cwd: d, stdio: "pipe", timeout: 20_000 });
  writeFileSync(join(d, `${name}-ca.ext`), "basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
  writeFileSync(join(d, `${name}-leaf.ext`), "basicConstraints=CA:false\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nauthorityKeyIdentifier=keyid\n");
  run(["genpkey", ...intermediateKeyAlg, "-out", `${name}-ca.key`]);
  run(["req", "-new", "-key", `${name}-ca.key`, "-subj", `/O=Test/CN=${name} Intermediate CA`, "-out", `${name}-ca.csr`]);
  run(["x509", "-req", "-in", `${name}-ca.csr`, "-CA", pki.root.certPath, "-CAkey", pki.root.keyPath, "-set_serial", "0x51",
    "-days", "30", "-extfile", `${name}-ca.ext`, ...intermediateSigopts, "-out", `${name}-ca.pem`]);
  run(["req", "-new", "-key", pki.leaf.keyPath, "-subj", `/O=Test/CN=${name} leaf`, "-out", `${name}-leaf.csr`]);
  run(["x509", "-req", "-in", `${name}-leaf.csr`, "-CA", `${name}-ca.pem`, "-CAkey", `${name}-ca.key`, "-set_serial", "0x52",
    "-days", "30", "-extfile", `${name}-leaf.ext`, ...leafDigest, "-out", `${name}-leaf.pem`]);
  const read = (f: string) => require("node:fs").readFileSync(join(d, f), "utf8") as string;
  return { cert: read(`${name}-leaf.pem`) + read(`${name}-ca.pem`), key: pki.leaf.keyPem };
}

/** A leaf for 127.0.0.1 signed directly by the test root (no intermediate). */
function directLeafPem(): string {
  const d = pki.dir;
  const run = (args: string[]) => execFileSync("openssl", args, { cwd: d, stdio: "pipe", timeout: 20_000 });
  writeFileSync(join(d, "direct-leaf.ext"), "basicConstraints=CA:false\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nauthorityKeyIdentifier=keyid\n");
  run(["req", "-new", "-key", pki.leaf.keyPath, "-subj", "/O=Test/CN=direct leaf", "-out", "direct-leaf.csr"]);
  run(["x509", "-req", "-in", "direct-leaf.csr", "-CA", pki.root.certPath, "-CAkey", pki.root.keyPath, "-set_serial", "0x53",
    "-days", "30", "-extfile", "direct-leaf.ext", "-out", "direct-leaf.pem"]);
  return require("node:fs").readFileSync(join(d, "direct-leaf.pem"), "utf8") as string;
}

describe("hand-made ClientHello with max_fragment_length", () => {
  const random = new Uint8Array(32).fill(7);
  /** A ServerHello record: version, random, empty session id, suite, null compression, extensions. */
  const serverHello = (exts: number[]) => {
    const body = [3, 3, ...new Array(32).fill(1), 0, 0xc0, 0x2f, 0, (exts.length >> 8) & 0xff, exts.length & 0xff, ...exts];
    const hs = [2, 0, (body.length >> 8) & 0xff, body.length & 0xff, ...body];
    return Uint8Array.from([22, 3, 3, (hs.length >> 8) & 0xff, hs.length & 0xff, ...hs]);
  };

  test("the ClientHello: one record, the device's suites, SNI, max_fragment_length code, P-256 only", () => {
    const hello = buildClientHello({ version: 0x303, suites: [0x002f, 0xc02f], serverName: "a.example", maxFragmentLength: 2048, random });
    expect([...hello.subarray(0, 3)]).toEqual([22, 3, 1]);
    expect((hello[3] << 8) | hello[4]).toBe(hello.length - 5);
    expect(hello[5]).toBe(1); // ClientHello
    expect([...hello.subarray(9, 11)]).toEqual([3, 3]);
    const hex = Buffer.from(hello).toString("hex");
    expect(hex).toContain("0004002fc02f"); // two suites
    expect(hex).toContain("0000000e000c000009612e6578616d706c65"); // SNI "a.example"
    expect(hex).toContain("0001000103"); // max_fragment_length = 3 (2048)
    expect(hex).toContain("000a000400020017"); // supported_groups: secp256r1
    expect(() => buildClientHello({ version: 0x303, suites: [0x2f], maxFragmentLength: 3000, random })).toThrow(RangeError);
    expect(Buffer.from(buildClientHello({ version: 0x303, suites: [0x2f], random })).toString("hex")).not.toContain("00010001");
  });

  test("reading the answer: echoed, ignored, alert, partial, not TLS", () => {
    const echoed = serverHello([0, 1, 0, 1, 4]);
    expect(readServerAnswer(echoed)).toEqual({ kind: "server-hello", version: 0x303, suite: 0xc02f, extensions: [1], maxFragmentLength: 4096 });
    expect(readServerAnswer(serverHello([0xff, 1, 0, 1, 0]))).toEqual({ kind: "server-hello", version: 0x303, suite: 0xc02f, extensions: [0xff01], maxFragmentLength: null });
    expect(readServerAnswer(echoed.subarray(0, 20))).toBeUndefined();
    expect(readServerAnswer(Uint8Array.of(21, 3, 3, 0, 2, 2, 47))).toEqual({ kind: "alert", level: 2, description: 47 });
    expect(readServerAnswer(Buffer.from("HTTP/1.1 400 Bad Request\r\n"))).toEqual({ kind: "malformed", detail: "not a TLS record" });
  });
});

suite("npm run probe", () => {
  beforeAll(async () => {
    pki = await makeTestPki();
    work = mkdtempSync(join(tmpdir(), "probe-tool-"));
    certsDir = join(work, "certs");
    mkdirSync(certsDir);
    writeFileSync(join(certsDir, "test-root-ca.pem"), caFileText(pki.root.der, "test PKI"));
    rootsFile = join(work, "roots.pem");
    writeFileSync(rootsFile, pki.root.certPem + pki.otherRoot.certPem);
    pssChain = oddChain("pss", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], ["-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"], ["-sha256"]);
    ed25519Chain = oddChain("ed25519", ["-algorithm", "ED25519"], ["-sha256"], []);
  }, 60_000);

  afterAll(() => {
    pki?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test("TLS 1.2, shared suites, full chain, embedded root: yes (exit 0)", async () => {
    const r = await probeServer({ cert: pki.fullChain(pki.leaf), key: pki.leaf.keyPem, maxVersion: "TLSv1.2" });
    expect(r.code).toBe(0);
    expect(verdict(r)).toMatch(/^the device can connect: yes, because the server accepts TLS 1\.2, it sends 2 certificates/);
    expect(verdict(r)).toContain("certs/test-root-ca.pem");
    expect(r.out).toMatch(/1\.3 {2}no/);
    expect(r.out).toMatch(/yes {2}ECDHE-RSA-AES128-GCM-SHA256/);
    expect(r.out).toMatch(/no {3}ECDHE-ECDSA-AES128-GCM-SHA256/); // an RSA certificate
    expect(r.out).toContain("chain as sent, 2 certificate(s)");
    // A 40 KB body in writes of 16 KB: full-size records, and Node's server echoes the extension.
    expect(r.out).toMatch(/largest TLS record payload received: 16\d\d\d bytes \(GET answered 200\)/);
    expect(r.out).toContain("max_fragment_length 4096: honoured");
  });

  test("TLS 1.3 only: no, alert 70 (exit 1)", async () => {
    const r = await probeServer({ cert: pki.fullChain(pki.leaf), key: pki.leaf.keyPem, minVersion: "TLSv1.3" });
    expect(r.code).toBe(1);
    expect(verdict(r)).toContain("the device can connect: no, because 127.0.0.1:");
    expect(verdict(r)).toContain('speaks only TLS 1.3 and SecureSocket stops at TLS 1.2 (the device gets "alert: 2, 70", TLS_ALERT_PROTOCOL_VERSION)');
    expect(verdict(r)).toContain("fix: enable TLS 1.2 on the server");
  });

  test("an ECDSA P-384 certificate: no shared cipher suite (exit 1)", async () => {
    const r = await probeServer({ cert: pki.fullChain(pki.ecP384Leaf), key: pki.ecP384Leaf.keyPem });
    expect(r.code).toBe(1);
    expect(verdict(r)).toContain("no cipher suite in common at TLS 1.2");
    expect(verdict(r)).toContain("the server's key is EC secp384r1 and the device offers only secp256r1");
    expect(r.out).toContain("chain as sent, 2 certificate(s)"); // read off the wire with a non-device suite
  });

  test("CHACHA20 only at TLS 1.2: no shared cipher suite (exit 1)", async () => {
    const r = await probeServer({ cert: pki.fullChain(pki.leaf), key: pki.leaf.keyPem, maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-CHACHA20-POLY1305" });
    expect(r.code).toBe(1);
    expect(verdict(r)).toContain("no cipher suite in common");
    expect(verdict(r)).toContain("fix: enable ECDHE-RSA-AES128-GCM-SHA256 (or AES128-SHA256) with curve P-256 on the server");
  });

  test("an ECDSA P-256 certificate shares exactly the ECDHE-ECDSA suite (yes, needs config.tls.ECDHE_RSA)", async () => {
    const r = await probeServer({ cert: pki.fullChain(pki.ecP256Leaf), key: pki.ecP256Leaf.keyPem, maxVersion: "TLSv1.2" });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/yes {2}ECDHE-ECDSA-AES128-GCM-SHA256/);
    expect(r.out).toContain("every shared suite needs manifest config.tls.ECDHE_RSA true");
  });

  test("TLS 1.0 only: yes, with tlsVersion=1.0 and only the SHA-1 suites", async () => {
    const r = await probeServer({ cert: pki.fullChain(pki.leaf), key: pki.leaf.keyPem, minVersion: "TLSv1", maxVersion: "TLSv1", ciphers: "DEFAULT@SECLEVEL=0" });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/1\.0 {2}yes/);
    expect(r.out).toMatch(/no {3}AES128-SHA256 +always offered +a TLS 1\.2 suite, not usable at TLS 1\.0/);
    expect(verdict(r)).toMatch(/^the device can connect: yes, because the server accepts TLS 1\.0 \(not 1\.2\).*they share 2 cipher suites, e\.g\. AES128-SHA; needs tlsVersion=1\.0$/);
  });

  test("leaf-only chain: no, its issuer (the intermediate) is not embedded (exit 1)", async () => {
    const r = await probeServer({ cert: pki.leaf.certPem, key: pki.leaf.keyPem });
    expect(r.code).toBe(1);
    expect(r.out).toContain("chain as sent, 1 certificate(s)");
    expect(verdict(r)).toContain('sends only its leaf certificate, and no embedded CA signed it ("TLS_CERT_LEAF_ONLY")');
    expect(verdict(r)).toContain("fix: configure the server to send its intermediate certificate(s)");
  });

  test("a leaf signed directly by the embedded root, sent alone: yes (two-tier PKI)", async () => {
    const r = await probeServer({ cert: directLeafPem(), key: pki.leaf.keyPem, maxVersion: "TLSv1.2" });
    expect(r.code).toBe(0);
    expect(verdict(r)).toContain("it sends only its leaf, signed directly by a root CA");
  });

  test("root not embedded: no, with the certs add command; running it makes the verdict yes", async () => {
    const empty = join(work, "empty-certs");
    mkdirSync(empty, { recursive: true });
    const server = await startHttpsServer({ cert: pki.fullChain(pki.leaf), key: pki.leaf.keyPem, maxVersion: "TLSv1.2" });
    try {
      let out = "";
      const io = { out: (t: string) => { out += t; }, err: () => undefined, cwd: work, store: rootCertificates, now: () => Date.now() };
      const code = await probeMain([server.url("/"), "--certs", empty, "--roots", rootsFile, "--timeout", "4000"], io);
      expect(code).toBe(1);
      const command = `npm run certs -- add "Test Root CA" --from ${rootsFile} --certs ${empty}`;
      expect(out).toContain(`embedded: NO; add it with: ${command}`);
      expect(out.trim().split("\n").pop()).toContain(`is not embedded in the firmware; fix: ${command}`);

      // The printed command, run as the certs CLI (argv as the shell would split it).
      const argv = ["add", "Test Root CA", "--from", rootsFile, "--certs", empty];
      let certsOut = "";
      expect(certsMain(argv, { out: (t) => { certsOut += t; }, err: () => undefined, now: () => Date.now(), store: rootCertificates, storeName: "test", cwd: work })).toBe(0);
      expect(certsOut).toContain("wrote test-root-ca.pem");

      out = "";
      expect(await probeMain([server.url("/"), "--certs", empty, "--timeout", "4000"], io)).toBe(0);
      expect(out).toContain("embedded: yes, certs/test-root-ca.pem");
    } finally {
      await server.close();
    }
  });

  test("no known root at all: no, with how to add one from a file", async () => {
    const r = await probeServer({ cert: pki.fullChain(pki.leaf), key: pki.leaf.keyPem, maxVersion: "TLSv1.2" }, ["--certs", join(work, "nothing-here")]);
    expect(r.code).toBe(1);
    expect(verdict(r)).toContain('no known root CA issued "O=Test, CN=Test Root CA"');
    expect(r.err).toContain("no directory");
  });

  test.each([
    ["RSA-PSS", () => pssChain, /chain certificate 1 \(CN=pss Intermediate CA, O=Test\) is signed with rsassaPss, which SecureSocket cannot verify/],
    ["Ed25519", () => ed25519Chain, /the leaf is signed with Ed25519, which SecureSocket cannot verify/],
  ])("a chain signed with %s: no (exit 1)", async (_name, chain, message) => {
    const { cert, key } = chain();
    const r = await probeServer({ cert, key, maxVersion: "TLSv1.2" });
    expect(r.code).toBe(1);
    expect(verdict(r)).toMatch(message);
    expect(verdict(r)).toContain("have the certificate issued with RSA PKCS#1 v1.5");
  });

  test("openssl s_server, TLS 1.2 with its chain: yes (a second TLS implementation)", async () => {
    const chainPath = join(work, "intermediate.pem");
    writeFileSync(chainPath, pki.intermediate.certPem);
    const server = await startOpensslServer(pki.leaf.certPath, pki.leaf.keyPath, ["-tls1_2"], chainPath);
    try {
      const r = await probe(server.url("/"));
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/1\.2 {2}yes/);
      expect(r.out).toMatch(/1\.3 {2}no/);
      expect(r.out).toContain("chain as sent, 2 certificate(s)");
    } finally {
      await server.close();
    }
  });

  test("a plain HTTP port: no TLS handshake at all (exit 1)", async () => {
    const server = await startHttpServer();
    try {
      const r = await probe(`https://127.0.0.1:${server.port}/`, ["--timeout", "1000"]);
      expect(r.code).toBe(1);
      expect(verdict(r)).toContain("completed no TLS handshake with any version from 1.0 to 1.3; fix: check that the port serves HTTPS (not plain HTTP)");
    } finally {
      await server.close();
    }
  });

  test("usage and network errors exit 2", async () => {
    expect((await probe("http://127.0.0.1/")).code).toBe(2);
    expect((await probe("not a url")).code).toBe(2);
    expect((await probe("https://127.0.0.1/", ["--mfl", "3000"])).code).toBe(2);
    // A port nothing listens on: connect refused.
    const server = await startHttpsServer({ cert: pki.fullChain(pki.leaf), key: pki.leaf.keyPem });
    const url = server.url("/");
    await server.close();
    const r = await probe(url);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot reach 127\.0\.0\.1:\d+: ECONNREFUSED/);
  });
});
