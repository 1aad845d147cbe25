/**
 * The host edge (host/node-socket.ts) against real loopback servers: Moddable's callback and
 * read/write semantics over node:net and node:tls, and the device profile's TLS behaviour
 * (versions, suites, curves, trust, the leaf-only failure, error texts).
 */
import * as net from "node:net";
import type { SecureDictionary } from "../modules/client/io";
import { NodeSocketFactory, nodeTimers } from "../host/node-socket";
import { SECURE_SOCKET, ESP32_TCP } from "../host/socket-events";
import { deviceCipherSuites, deviceNameMatches, DEVICE_CIPHER_SUITES } from "../host/device-tls";
import { deviceErrorText } from "../host/device-tls-errors";
import {
  makeTestPki, startCaptureServer, startEchoServer, startHttpServer, startHttpsServer, startOpensslServer,
  type TestPki, type TestServer, type TlsServerConfig, type ServerBehaviour,
} from "./support/test-servers";
import { parseClientHello, TLS_EXTENSION } from "../host/tls-records";
import { getRequest, httpBody, runSocket, sleep } from "./support/socket-run";

jest.setTimeout(15_000);

let pki: TestPki;
const servers: { close(): Promise<void> }[] = [];
const factories: NodeSocketFactory[] = [];

beforeAll(async () => {
  pki = await makeTestPki();
}, 60_000);

afterEach(async () => {
  for (const f of factories.splice(0)) f.closeAll();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

afterAll(() => pki?.cleanup());

function factory(options: ConstructorParameters<typeof NodeSocketFactory>[0] = {}): NodeSocketFactory {
  const f = new NodeSocketFactory(options);
  factories.push(f);
  return f;
}

async function https(config: Partial<TlsServerConfig> = {}, behaviour: ServerBehaviour = {}): Promise<TestServer> {
  const s = await startHttpsServer({ cert: pki.fullChain(pki.leaf), key: pki.leaf.keyPem, ...config }, behaviour);
  servers.push(s);
  return s;
}

/** The device's usual settings: TLS 1.2, the root CA, no session cache (trust tests). */
function secure(extra: Partial<SecureDictionary> = {}): SecureDictionary {
  return { protocolVersion: 0x303, verify: true, cache: false, certificate: pki.root.der, ...extra } as SecureDictionary;
}

describe("plain TCP", () => {
  test("echo: 1, 3 with the full send buffer after the write drains, 2 with the count", async () => {
    const echo = await startEchoServer();
    servers.push(echo);
    const t = await runSocket(factory(), echo.port, {
      request: "ping",
      onMessage: (s, m) => {
        if (m === 2) {
          expect(s.read()).toBe(4);
          const bytes = Buffer.from(s.read(ArrayBuffer));
          expect(bytes.toString()).toBe("ping");
          expect(s.read()).toBe(0);
          return "done";
        }
      },
      timeoutMs: 1000,
    });
    expect(t.messages.slice(0, 3)).toEqual(["1", `3:${ESP32_TCP.sendBuffer}`, "2:4"]);
  });

  test("HTTP GET reads the response, then -1 once every byte is read", async () => {
    const server = await startHttpServer({ routes: { "/": { body: "hello" } } });
    servers.push(server);
    const t = await runSocket(factory(), server.port);
    expect(t.messages[0]).toBe("1");
    expect(t.messages[t.messages.length - 1]).toBe("-1");
    expect(httpBody(t.data)).toBe("hello");
    expect(t.lastError).toBeUndefined();
  });

  test("segments of at most segmentSize; the next 2 only after the current one is read", async () => {
    const body = "x".repeat(5000);
    const server = await startHttpServer({ routes: { "/": { body } } });
    servers.push(server);
    const f = factory({ segmentSize: 1000 });
    let deferred = false;
    const t = await runSocket(f, server.port, {
      onMessage: (s, m, v) => {
        if (m !== 2) return;
        expect(v).toBeLessThanOrEqual(1000);
        if (!deferred) {
          // Read the first segment later, outside the callback: lwIP keeps it.
          deferred = true;
          setTimeout(() => {
            expect(s.read()).toBe(v);
            s.read(ArrayBuffer, 10);
            expect(s.read()).toBe(v! - 10);
            s.read(ArrayBuffer);
            expect(() => s.read(ArrayBuffer)).toThrow("nothing to read");
          }, 50);
          return true;
        }
      },
    });
    const twos = t.messages.filter((m) => m.startsWith("2:"));
    expect(twos.length).toBeGreaterThan(5);
    expect(t.messages[t.messages.length - 1]).toBe("-1");
    expect(httpBody(t.data)).toBe(body.slice(0, httpBody(t.data).length));
  });

  test("write space: send buffer, 'can't write all data' beyond it, 3 when drained", async () => {
    const echo = await startEchoServer();
    servers.push(echo);
    const f = factory({ sendBuffer: 4000 });
    const t = await runSocket(f, echo.port, {
      request: null,
      timeoutMs: 1000,
      onMessage: (s, m, v) => {
        if (m === 1) {
          expect(s.write()).toBe(4000);
          s.write(new Uint8Array(3000));
          expect(s.write()).toBe(1000);
          expect(() => s.write(new Uint8Array(1001))).toThrow("can't write all data");
          s.write(new Uint8Array(1000));
          expect(s.write()).toBe(0);
        }
        if (m === 3) {
          expect(v).toBe(4000);
          expect(s.write()).toBe(4000);
          return "done";
        }
        return true;
      },
    });
    expect(t.messages).toEqual(["1", "3:4000"]);
  });

  test("the factory forgets finished sockets (a long simulator run does not grow its list)", async () => {
    const server = await startHttpServer();
    servers.push(server);
    const f = factory();
    for (let i = 0; i < 5; i++) await runSocket(f, server.port);
    expect(f.sockets.length).toBeLessThanOrEqual(1);
  });

  test("connection refused is -2", async () => {
    const server = await startHttpServer();
    const port = server.port;
    await server.close();
    const t = await runSocket(factory(), port);
    expect(t.messages).toEqual(["-2"]);
    expect(t.stats.hostError).toMatch(/ECONNREFUSED/);
  });

  test("a reset mid-body is -2", async () => {
    const server = await startHttpServer({ routes: { "/": { body: "y".repeat(3000), resetAfter: 100 } } });
    servers.push(server);
    const t = await runSocket(factory(), server.port);
    expect(t.messages[t.messages.length - 1]).toBe("-2");
    expect(t.stats.hostError).toMatch(/ECONNRESET/);
  });
});

describe("callback discipline", () => {
  test("callbacks come from their own turn, never from inside read/write/close", async () => {
    const server = await https({}, { routes: { "/": { body: "z".repeat(3000) } } });
    let depth = 0;
    let reentered = false;
    await runSocket(factory(), server.port, {
      secure: secure(),
      onMessage: (s, m) => {
        if (depth) reentered = true;
        depth++;
        if (m === 1) s.write(Buffer.from(getRequest(), "latin1"));
        if (m === 2) s.read(ArrayBuffer);
        depth--;
        return m >= 0;
      },
    });
    expect(reentered).toBe(false);
  });

  test("nothing after close(), close() is idempotent, read after close throws", async () => {
    const server = await startHttpServer({ routes: { "/": { body: "late" } } });
    servers.push(server);
    const f = factory();
    const s = f.connect("127.0.0.1", server.port);
    const seen: number[] = [];
    s.callback = (m) => {
      seen.push(m);
      if (m === 1) {
        s.write(Buffer.from(getRequest(), "latin1"));
        s.close();
        s.close();
      }
    };
    await sleep(300);
    expect(seen).toEqual([1]);
    expect(() => s.read()).toThrow("read on closed socket");
  });

  test("TLS: 1 first, -1 last, nothing after -1; the socket closes itself", async () => {
    const server = await https();
    const t = await runSocket(factory(), server.port, { secure: secure() });
    expect(t.messages[0]).toBe("1");
    expect(t.messages[t.messages.length - 1]).toBe("-1");
    expect(t.messages.filter((m) => m === "-1" || m === "-2")).toHaveLength(1);
    expect(httpBody(t.data)).toBe("hello");
    expect(() => t.socket.write(Buffer.from("x"))).toThrow("write on closed socket");
  });

  test("TLS: close() inside message 1 stops every callback", async () => {
    const server = await https();
    const seen: number[] = [];
    const f = factory();
    const s = f.startTls(f.connect("127.0.0.1", server.port), "127.0.0.1", secure());
    s.callback = (m) => {
      seen.push(m);
      if (m === 1) {
        s.write(Buffer.from(getRequest(), "latin1"));
        s.close();
      }
    };
    await sleep(300);
    expect(seen).toEqual([1]);
  });
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

describe("TLS device profile: sessions, records, reads, writes", () => {
  test("the single-entry session cache resumes by host name; cache: false does not", async () => {
    const server = await https();
    const f = factory();
    const first = await runSocket(f, server.port, { secure: secure({ cache: true }) });
    expect(first.stats.resumed).toBe(false);
    expect(f.cachedSessionHost).toBe("127.0.0.1");
    const second = await runSocket(f, server.port, { secure: secure({ cache: true }) });
    expect(second.stats.resumed).toBe(true);
    expect(second.stats.serverChainLength).toBeUndefined(); // no Certificate message when resumed
    const third = await runSocket(f, server.port, { secure: secure({ cache: false }) });
    expect(third.stats.resumed).toBe(false);
    // Another host name replaces the one entry.
    await runSocket(f, server.port, { host: "localhost", secure: secure({ cache: true }) });
    expect(f.cachedSessionHost).toBe("localhost");
    const fourth = await runSocket(f, server.port, { secure: secure({ cache: true }) });
    expect(fourth.stats.resumed).toBe(false);
  });

  test("16 KB records are measured; plaintext arrives in messages of at most 1024 bytes", async () => {
    const body = Buffer.alloc(20000, "r").toString("latin1");
    const server = await https({}, { routes: { "/": { body, writeSize: 16384 } } });
    const t = await runSocket(factory(), server.port, { secure: secure() });
    expect(t.stats.maxRecordLength).toBeGreaterThanOrEqual(16384);
    const sizes = t.messages.filter((m) => m.startsWith("2:")).map((m) => Number(m.slice(2)));
    expect(Math.max(...sizes)).toBe(SECURE_SOCKET.chunk);
    expect(httpBody(t.data)).toBe(body);
  });

  test("tls_max_fragment_length cannot be sent from Node: accepted, logged once, full records arrive", async () => {
    const lines: string[] = [];
    const f = factory({ log: (line) => lines.push(line) });
    const server = await https({}, { routes: { "/": { body: "m".repeat(8000) } } });
    const t = await runSocket(f, server.port, { secure: secure({ tls_max_fragment_length: 1024 }) });
    await runSocket(f, server.port, { secure: secure({ tls_max_fragment_length: 1024 }) });
    expect(httpBody(t.data)).toBe("m".repeat(8000));
    expect(t.stats.maxRecordLength).toBeGreaterThan(8000);
    expect(lines.filter((l) => /tls_max_fragment_length/.test(l))).toHaveLength(1);
  });

  test("small writes give small records (the largest is then the handshake's Certificate record)", async () => {
    const big = await runSocket(factory(), (await https({}, { routes: { "/": { body: "s".repeat(4000) } } })).port, { secure: secure() });
    expect(big.stats.maxRecordLength).toBeGreaterThan(4000);
    const server = await https({}, { routes: { "/": { body: "s".repeat(4000), writeSize: 500 } } });
    const t = await runSocket(factory(), server.port, { secure: secure() });
    expect(t.stats.maxRecordLength).toBeLessThan(2000);
    expect(t.stats.records).toBeGreaterThan(8);
    expect(httpBody(t.data)).toBe("s".repeat(4000));
  });

  test("bytes not read inside message 2 are dropped; read outside it throws", async () => {
    const server = await https({}, { routes: { "/": { body: "0123456789".repeat(50) } } });
    let outside: (() => number) | undefined;
    const t = await runSocket(factory(), server.port, {
      secure: secure(),
      onMessage: (s, m) => {
        if (m === 2) {
          s.read(ArrayBuffer, 10);
          outside = () => s.read();
          return true;
        }
      },
    });
    expect(t.stats.droppedBytes).toBeGreaterThan(0);
    expect(outside).toBeDefined();
    expect(() => outside!()).toThrow(TypeError);
  });

  test("write space is the TCP space minus 128, as message 3 says; more throws; a record takes its size on the wire", async () => {
    const server = await https();
    const full = ESP32_TCP.sendBuffer - SECURE_SOCKET.overhead;
    const request = Buffer.from(getRequest(), "latin1");
    let after = -1;
    const t = await runSocket(factory(), server.port, {
      secure: secure(),
      request: null,
      onMessage: (s, m) => {
        if (m === 1) {
          expect(s.write()).toBe(full);
          expect(() => s.write(new Uint8Array(full + 1))).toThrow("can't write all data");
          s.write(request);
          after = s.write();
        }
      },
    });
    // AES128-SHA: 5-byte header, 16-byte IV, the request, a 20-byte MAC, padded to 16 bytes.
    expect(after).toBe(full - (5 + 16 + Math.ceil((request.length + 20 + 1) / 16) * 16));
    expect(t.messages).toContain(`3:${full}`);
    expect(httpBody(t.data)).toBe("hello");
  });

  test("a reset mid-body is -2 without an error text", async () => {
    const server = await https({}, { routes: { "/": { body: "q".repeat(5000), resetAfter: 200 } } });
    const t = await runSocket(factory(), server.port, { secure: secure() });
    expect(t.messages[t.messages.length - 1]).toBe("-2");
    expect(t.lastError).toBeUndefined();
  });

  test("a server that is not TLS (answers plain HTTP): -2 at its first bytes, with the device edge's text", async () => {
    const plain = net.createServer((sock) => sock.once("data", () => sock.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")));
    await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", () => resolve()));
    servers.push({ close: () => new Promise<void>((resolve) => plain.close(() => resolve())) });
    const port = (plain.address() as net.AddressInfo).port;
    const t = await runSocket(factory(), port, { secure: secure() });
    expect(t.messages).toEqual(["-2"]);
    expect(t.lastError).toBe('not TLS: the first bytes from the server (HTTP/) are not a TLS record');
    expect(t.stats.hostError).toMatch(/does not speak TLS/);
  });

  test("a server that accepts but never handshakes: no message at all", async () => {
    const server = await https({}, { stall: "accept" });
    const t = await runSocket(factory(), server.port, { secure: secure(), timeoutMs: 300 });
    expect(t.messages).toEqual(["timeout"]);
  });

  test("a server that handshakes but never answers: 1 and 3, then silence", async () => {
    const server = await https({}, { stall: "request" });
    const t = await runSocket(factory(), server.port, { secure: secure(), timeoutMs: 300 });
    expect(t.messages.filter((m) => !m.startsWith("3:"))).toEqual(["1", "timeout"]);
    expect(server.requests).toHaveLength(1);
  });
});

describe("TLS device profile: client certificates, cipher order, timers", () => {
  test("mutual TLS: without a client certificate the server refuses; with clientCertificates + clientKey it works", async () => {
    const server = await https({ clientCa: pki.root.certPem });
    const without = await runSocket(factory(), server.port, { secure: secure() });
    // TLS 1.2: OpenSSL answers a missing client certificate with handshake_failure, in the clear.
    expect(without.lastError).toBe("alert: 2, 40");
    const withCert = await runSocket(factory(), server.port, {
      secure: secure({ clientCertificates: [pki.clientLeaf.der, pki.intermediate.der], clientKey: pki.clientKeyDer }),
    });
    expect(httpBody(withCert.data)).toBe("hello");
  });

  test("a server that prefers its own order picks its suite from the device's list", async () => {
    const server = await https({ honorCipherOrder: true, ciphers: "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA" });
    const t = await runSocket(factory(), server.port, { secure: secure() });
    expect(t.stats.cipher).toBe("ECDHE-RSA-AES128-GCM-SHA256");
  });

  test("nodeTimers: one-shot timers, clear of a fired id is harmless", async () => {
    let fired = 0;
    const id = nodeTimers.set(() => fired++, 5);
    const cancelled = nodeTimers.set(() => fired += 100, 5);
    nodeTimers.clear(cancelled);
    await sleep(30);
    nodeTimers.clear(id);
    expect(fired).toBe(1);
    expect(Math.abs(nodeTimers.now() - Date.now())).toBeLessThan(5);
  });
});

describe("TLS device profile: alerts and exceptions", () => {
  test("a warning alert aborts like a fatal one (s_server: unrecognized_name 112 at warning level)", async () => {
    const server = await startOpensslServer(pki.leaf.certPath, pki.leaf.keyPath,
      ["-servername", "other.example", "-cert2", pki.leaf.certPath, "-key2", pki.leaf.keyPath], pki.intermediate.certPath);
    servers.push(server);
    const device = await runSocket(factory(), server.port, { host: "localhost", secure: secure() });
    expect(device.messages).toEqual(["-2"]);
    expect(device.lastError).toBe("alert: 1, 112");
    // OpenSSL ignores the warning.
    const plain = await runSocket(factory({ deviceProfile: false }), server.port, { host: "localhost", secure: secure() });
    expect(plain.messages[0]).toBe("1");
  });

  test("ALPN: a server without http/1.1 answers alert 120", async () => {
    const server = await https({ ALPNProtocols: ["h2"] });
    const t = await runSocket(factory(), server.port, { secure: secure({ applicationLayerProtocolNegotiation: ["http/1.1"] }) });
    expect(t.lastError).toBe("alert: 2, 120");
  });

  test("an exception thrown by the callback becomes -2 with its text, as SecureSocket catches it", async () => {
    const server = await https();
    const t = await runSocket(factory(), server.port, {
      secure: secure(),
      onMessage: (s, m) => {
        if (m === 1) s.write(new Uint8Array(ESP32_TCP.sendBuffer)); // beyond SecureSocket's write space
      },
    });
    expect(t.messages).toEqual(["1", "-2"]);
    expect(t.lastError).toBe("can't write all data");
  });
});

describe("test servers", () => {
  async function http(behaviour: ServerBehaviour): Promise<TestServer> {
    const s = await startHttpServer(behaviour);
    servers.push(s);
    return s;
  }
  const text = (data: Buffer) => data.toString("latin1");

  test("status codes, redirects, chunked bodies, oversized headers", async () => {
    const server = await http({
      routes: {
        "/missing": { status: 404, body: "nope" },
        "/fail": { status: 500, body: "" },
        "/moved": { redirect: "/new" },
        "/chunked": { body: "abcdefghij", chunked: 4 },
        "/big-head": { oversizedHeaders: 20000 },
      },
    });
    const get = (path: string) => runSocket(factory(), server.port, { request: getRequest(path) });
    expect(text((await get("/missing")).data)).toMatch(/^HTTP\/1\.1 404 Not Found\r\n[^]*\r\n\r\nnope$/);
    expect(text((await get("/fail")).data)).toMatch(/^HTTP\/1\.1 500 /);
    expect(text((await get("/moved")).data)).toMatch(/^HTTP\/1\.1 302 Found\r\nLocation: \/new\r\n/);
    expect(text((await get("/chunked")).data)).toMatch(/Transfer-Encoding: chunked\r\n[^]*\r\n\r\n4\r\nabcd\r\n4\r\nefgh\r\n2\r\nij\r\n0\r\n\r\n$/);
    expect(text((await get("/big-head")).data).indexOf("\r\n\r\n") + 4).toBe(20000);
    expect(text((await get("/other")).data)).toMatch(/^HTTP\/1\.1 404 /);
  });

  test("truncated body: the connection ends before Content-Length bytes", async () => {
    const server = await http({ routes: { "/": { body: "0123456789", truncateAfter: 4 } } });
    const t = await runSocket(factory(), server.port);
    expect(text(t.data)).toMatch(/Content-Length: 10\r\n[^]*\r\n\r\n0123$/);
    expect(t.messages[t.messages.length - 1]).toBe("-1");
  });

  test("head then stall, and a delayed answer", async () => {
    const stall = await http({ routes: { "/": { body: "never", headThenStall: true } } });
    const t = await runSocket(factory(), stall.port, { timeoutMs: 300 });
    expect(text(t.data)).toMatch(/\r\n\r\n$/);
    expect(t.messages[t.messages.length - 1]).toBe("timeout");
    const slow = await http({ routes: { "/": { body: "late", delayMs: 150 } } });
    const started = Date.now();
    const s = await runSocket(factory(), slow.port);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(httpBody(s.data)).toBe("late");
  });

  test("keep-alive serves requests in turn; an idle connection is closed after idleTimeoutMs", async () => {
    const server = await http({ idleTimeoutMs: 150, routes: { "/": { body: "one" } } });
    let responses = 0;
    const started = Date.now();
    const t = await runSocket(factory(), server.port, {
      request: getRequest("/", ""),
      onMessage: (s, m) => {
        if (m !== 2) return;
        const chunk = Buffer.from(s.read(ArrayBuffer)).toString("latin1");
        responses += chunk.split("HTTP/1.1 200").length - 1;
        if (responses === 1) s.write(Buffer.from(getRequest("/", ""), "latin1"));
        return true;
      },
    });
    expect(responses).toBe(2);
    expect(server.connections).toBe(1);
    expect(server.requests).toHaveLength(2);
    expect(t.messages[t.messages.length - 1]).toBe("-1");
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  test("keepAlive: false answers with Connection: close and closes", async () => {
    const server = await http({ keepAlive: false });
    const t = await runSocket(factory(), server.port, { request: getRequest("/", "") });
    expect(text(t.data)).toMatch(/Connection: close\r\n/);
    expect(t.messages[t.messages.length - 1]).toBe("-1");
  });
});
