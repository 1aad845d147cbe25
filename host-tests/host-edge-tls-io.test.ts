/**
 * The host edge's TLS under the device profile against loopback servers: sessions, records, reads
 * and writes as SecureSocket does them, client certificates, cipher order, timers, alerts and
 * exceptions in the callback.
 */
import * as net from "node:net";
import { nodeTimers } from "../host/node-socket";
import { SECURE_SOCKET, ESP32_TCP } from "../host/socket-events";
import { startOpensslServer } from "./support/test-servers";
import type { TestPki } from "./support/test-pki";
import { getRequest, httpBody, runSocket, sleep } from "./support/socket-run";
import { hostEdgeRigPerFile } from "./support/host-edge-rig";

jest.setTimeout(15_000);

const rig = hostEdgeRigPerFile();
const { factory, https, secure } = rig;
const servers = rig.servers;
let pki: TestPki;
beforeAll(() => {
  pki = rig.pki;
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
