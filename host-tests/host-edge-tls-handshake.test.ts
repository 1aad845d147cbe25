/**
 * The host edge's TLS under the device profile (host/node-tls-socket.ts, host/device-tls.ts) against
 * loopback servers: the versions, cipher suites and curves SecureSocket offers, and its trust rules
 * (chains, names, dates, the error texts).
 */
import { deviceCipherSuites, deviceNameMatches, DEVICE_CIPHER_SUITES } from "../host/device-tls";
import { deviceErrorText } from "../host/device-tls-errors";
import { startCaptureServer, startOpensslServer } from "./support/test-servers";
import type { TestPki } from "./support/test-pki";
import { parseClientHello, TLS_EXTENSION } from "../host/tls-records";
import { httpBody, runSocket } from "./support/socket-run";
import type { SecureDictionary } from "../modules/client/io";
import { hostEdgeRigPerFile } from "./support/host-edge-rig";

jest.setTimeout(15_000);

const rig = hostEdgeRigPerFile();
const { factory, https, secure } = rig;
const servers = rig.servers;
let pki: TestPki;
beforeAll(() => {
  pki = rig.pki;
});

describe("TLS device profile: versions and cipher suites", () => {
  test("TLS 1.2 with the full chain: AES128-SHA first, as the device lists it", async () => {
    const server = await https();
    const t = await runSocket(factory(), server.port, { secure: secure() });
    expect(t.lastError).toBeUndefined();
    expect(httpBody(t.data)).toBe("hello");
    expect(t.stats).toMatchObject({ protocol: "TLSv1.2", cipher: "AES128-SHA", serverChainLength: 2, resumed: false });
  });

  test("the ClientHello carries the device's suites, groups, signature algorithms and extensions only", async () => {
    const capture = await startCaptureServer();
    servers.push(capture);
    const hello = capture.next();
    void runSocket(factory(), capture.port, { host: "localhost", secure: secure({ applicationLayerProtocolNegotiation: ["http/1.1"] }), timeoutMs: 500 });
    const ch = parseClientHello(new Uint8Array(await hello))!;
    expect(ch.version).toBe(0x0303);
    // OpenSSL adds the renegotiation SCSV (0x00ff); the device sends no renegotiation signal.
    expect(ch.cipherSuites).toEqual([...DEVICE_CIPHER_SUITES.map((s) => s.code), 0x00ff]);
    expect(ch.groups).toEqual([23]);
    expect(ch.signatureAlgorithms).toEqual([0x0403, 0x0401]);
    expect(ch.serverName).toBe("localhost");
    expect(ch.alpn).toEqual(["http/1.1"]);
    const E = TLS_EXTENSION;
    expect(ch.extensions.sort((a, b) => a - b)).toEqual([E.serverName, E.supportedGroups, E.ecPointFormats, E.signatureAlgorithms, E.alpn]);
  });

  test("the device's suites and switches", () => {
    expect(deviceCipherSuites()).toEqual(DEVICE_CIPHER_SUITES.map((s) => s.openssl));
    expect(deviceCipherSuites({ DHE_RSA: false, ECDHE_RSA: false })).toEqual(["AES128-SHA", "AES256-SHA", "AES128-SHA256", "AES256-SHA256"]);
    expect(deviceCipherSuites({ DHE_RSA: false })).not.toContain("DHE-RSA-AES128-GCM-SHA256");
  });

  test("a TLS 1.3-only server answers alert 70: alert: 2, 70", async () => {
    const server = await https({ minVersion: "TLSv1.3" });
    const t = await runSocket(factory(), server.port, { secure: secure() });
    expect(t.messages).toEqual(["-2"]);
    expect(t.lastError).toBe("alert: 2, 70");
  });

  test("device profile off: Node's defaults reach TLS 1.3", async () => {
    const server = await https({ minVersion: "TLSv1.3" });
    const t = await runSocket(factory({ deviceProfile: false }), server.port, { secure: secure() });
    expect(t.stats.protocol).toBe("TLSv1.3");
    expect(httpBody(t.data)).toBe("hello");
  });

  test("a TLS 1.0-only server (openssl s_server) with protocolVersion 0x303: -2, never a cipherless 1", async () => {
    const server = await startOpensslServer(pki.leaf.certPath, pki.leaf.keyPath, ["-tls1", "-cipher", "DEFAULT@SECLEVEL=0"], pki.intermediate.certPath);
    servers.push(server);
    const t = await runSocket(factory(), server.port, { secure: secure() });
    // The stack sends alert 70 itself; the device edge refuses the cipherless "connected".
    expect(t.messages.filter((m) => !m.startsWith("3:"))).toEqual(["-2"]);
    expect(t.lastError).toBe("alert sent: 2, 70");
    expect(t.stats.hostError).toMatch(/unsupported protocol/);
  });

  test("the same server with protocolVersion 0x301 succeeds", async () => {
    const server = await startOpensslServer(pki.leaf.certPath, pki.leaf.keyPath, ["-tls1", "-cipher", "DEFAULT@SECLEVEL=0"], pki.intermediate.certPath);
    servers.push(server);
    const t = await runSocket(factory(), server.port, {
      secure: secure({ protocolVersion: 0x301 }),
      request: "GET / HTTP/1.0\r\n\r\n",
      timeoutMs: 1000,
    });
    expect(t.stats.protocol).toBe("TLSv1");
    expect(t.data.toString("latin1")).toMatch(/^HTTP\/1\.0 200 ok/);
    // s_server -www sends close_notify and keeps TCP open: the edges report the close_notify as -1.
    expect(t.messages[t.messages.length - 1]).toBe("-1");
  });

  test("without protocolVersion the device offers TLS 1.2 but accepts a TLS 1.0 answer", async () => {
    const server = await https({ minVersion: "TLSv1", maxVersion: "TLSv1", ciphers: "DEFAULT@SECLEVEL=0" });
    const t = await runSocket(factory(), server.port, { secure: secure({ protocolVersion: undefined }) });
    expect(t.stats.protocol).toBe("TLSv1");
    expect(httpBody(t.data)).toBe("hello");
  });

  test("ECDHE on P-384 only: the device offers secp256r1 alone, so the server finds nothing", async () => {
    const server = await https({ maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-AES128-GCM-SHA256", ecdhCurve: "secp384r1" });
    const t = await runSocket(factory(), server.port, { secure: secure() });
    expect(t.lastError).toBe("alert: 2, 40");
  });

  test("no shared cipher (server offers only CHACHA20): alert: 2, 40", async () => {
    const server = await https({ maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-CHACHA20-POLY1305" });
    const t = await runSocket(factory(), server.port, { secure: secure() });
    expect(t.lastError).toBe("alert: 2, 40");
    expect(server.tlsErrors.join()).toMatch(/no shared cipher/);
  });

  test("ECDSA with a P-384 key: no usable suite (only secp256r1 offered)", async () => {
    const server = await https({ cert: pki.fullChain(pki.ecP384Leaf), key: pki.ecP384Leaf.keyPem, maxVersion: "TLSv1.2" });
    const t = await runSocket(factory(), server.port, { secure: secure() });
    expect(t.lastError).toBe("alert: 2, 40");
  });

  test("ECDSA with a P-256 key needs the ECDHE_RSA switch", async () => {
    const config = { cert: pki.fullChain(pki.ecP256Leaf), key: pki.ecP256Leaf.keyPem, maxVersion: "TLSv1.2" as const };
    const ok = await runSocket(factory(), (await https(config)).port, { secure: secure() });
    expect(ok.stats.cipher).toBe("ECDHE-ECDSA-AES128-GCM-SHA256");
    const off = await runSocket(factory({ tlsSwitches: { ECDHE_RSA: false } }), (await https(config)).port, { secure: secure() });
    expect(off.lastError).toBe("alert: 2, 40");
  });

  test("a DHE-only server needs the DHE_RSA switch", async () => {
    const config = { maxVersion: "TLSv1.2" as const, ciphers: "DHE-RSA-AES128-GCM-SHA256" };
    const ok = await runSocket(factory(), (await https(config)).port, { secure: secure() });
    expect(ok.stats.cipher).toBe("DHE-RSA-AES128-GCM-SHA256");
    const off = await runSocket(factory({ tlsSwitches: { DHE_RSA: false } }), (await https(config)).port, { secure: secure() });
    expect(off.lastError).toBe("alert: 2, 40");
  });
});

describe("TLS device profile: trust", () => {
  test("untrusted CA: certificate: auth err", async () => {
    const server = await https();
    const t = await runSocket(factory(), server.port, { secure: secure({ certificate: pki.otherRoot.der }) });
    expect(t.messages).toEqual(["-2"]);
    expect(t.lastError).toBe("certificate: auth err");
  });

  test("no CA at all trusts nothing (never the host's root store)", async () => {
    const server = await https();
    const t = await runSocket(factory(), server.port, { secure: secure({ certificate: undefined }) });
    expect(t.lastError).toBe("certificate: auth err");
  });

  test("a CA registered on the factory (CertificateManager.register) is trusted", async () => {
    const server = await https();
    const f = factory();
    f.register(pki.root.der);
    const t = await runSocket(f, server.port, { secure: secure({ certificate: undefined }) });
    expect(httpBody(t.data)).toBe("hello");
  });

  test("host mismatch: the chain policy's text, before OpenSSL's verdict", async () => {
    const server = await https({ cert: pki.fullChain(pki.wrongHostLeaf), key: pki.wrongHostLeaf.keyPem });
    const t = await runSocket(factory(), server.port, { secure: secure() });
    expect(t.lastError).toBe("certificate: auth err: no IP address entry 127.0.0.1 in the certificate's subjectAltName");
    expect(t.stats.hostError).toMatch(/device rule/);
  });

  test("serverName replaces the host for the name check", async () => {
    const server = await https({ cert: pki.fullChain(pki.wrongHostLeaf), key: pki.wrongHostLeaf.keyPem });
    const t = await runSocket(factory(), server.port, { secure: secure({ serverName: "wrong.example" }) });
    expect(httpBody(t.data)).toBe("hello");
  });

  test("expired leaf in a full chain: date validation failed, as the device throws registering the peer certificate", async () => {
    const server = await https({ cert: pki.fullChain(pki.expiredLeaf), key: pki.expiredLeaf.keyPem });
    const t = await runSocket(factory(), server.port, { secure: secure() });
    expect(t.lastError).toBe("date validation failed");
  });

  test("expired leaf sent alone: date validation failed, as for a full chain", async () => {
    const server = await https({ cert: pki.expiredLeaf.certPem, key: pki.expiredLeaf.keyPem });
    const t = await runSocket(factory(), server.port, { secure: secure() });
    expect(t.lastError).toBe("date validation failed");
  });

  test("verify: false accepts anything", async () => {
    const server = await https({ cert: pki.fullChain(pki.expiredLeaf), key: pki.expiredLeaf.keyPem });
    const t = await runSocket(factory(), server.port, { secure: secure({ verify: false, certificate: pki.otherRoot.der }) });
    expect(httpBody(t.data)).toBe("hello");
  });

  test("a leaf sent alone: refused when no trusted CA signed it, verified when one did (its issuer embedded)", async () => {
    const server = await https({ cert: pki.leaf.certPem });
    const device = await runSocket(factory(), server.port, { secure: secure() });
    expect(device.messages).toEqual(["-2"]);
    expect(device.lastError).toBe("certificate: auth err: the server sent only its leaf certificate, and no embedded CA signed it");
    expect(device.stats.serverChainLength).toBe(1);
    const f = factory();
    f.register(pki.intermediate.der);
    const trusted = await runSocket(f, server.port, { secure: secure() });
    expect(trusted.lastError).toBeUndefined();
    expect(httpBody(trusted.data)).toBe("hello");
  });

  test("a certificate signed with RSA-PSS: Cert: unsupported algorithm on the device, fine for OpenSSL", async () => {
    const server = await https({ cert: pki.fullChain(pki.pssLeaf) });
    const device = await runSocket(factory(), server.port, { secure: secure() });
    expect(device.lastError).toBe("Cert: unsupported algorithm: 1,2,840,113549,1,1,10");
    const plain = await runSocket(factory({ deviceProfile: false }), server.port, { secure: secure() });
    expect(httpBody(plain.data)).toBe("hello");
  });

  test("an expired secure.certificate throws from startTls, as SecureSocket's constructor does", async () => {
    const server = await https();
    const f = factory();
    const tcp = f.connect("127.0.0.1", server.port);
    expect(() => f.startTls(tcp, "127.0.0.1", secure({ certificate: pki.expiredLeaf.der }))).toThrow("date validation failed");
    expect(() => f.startTls(f.connect("127.0.0.1", server.port), "127.0.0.1", secure({ protocolVersion: 0x304 } as unknown as Partial<SecureDictionary>)))
      .toThrow("protocolVersion: not supported");
  });

  test("error texts for Node's codes", () => {
    expect(deviceErrorText({ code: "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION" })).toBe("alert: 2, 70");
    expect(deviceErrorText({ code: "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE" })).toBe("alert: 2, 40");
    expect(deviceErrorText({ code: "ERR_SSL_TLSV1_UNRECOGNIZED_NAME" })).toBe("alert: 2, 112");
    expect(deviceErrorText({ code: "CERT_HAS_EXPIRED" })).toBe("certificate: auth err");
    expect(deviceErrorText({ code: "ECONNRESET" })).toBeUndefined();
  });

  test("the device's name match: SAN only, one-label wildcard, IPv4", () => {
    expect(deviceNameMatches("DNS:*.example.com", "a.example.com")).toBe(true);
    expect(deviceNameMatches("DNS:*.example.com", "a.b.example.com")).toBe(false);
    expect(deviceNameMatches("DNS:Example.COM", "example.com")).toBe(true);
    expect(deviceNameMatches("IP Address:127.0.0.1", "127.0.0.1")).toBe(true);
    expect(deviceNameMatches(undefined, "example.com")).toBe(false);
  });
});
