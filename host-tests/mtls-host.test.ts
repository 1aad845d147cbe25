/**
 * Mutual TLS over the host edge (the device profile of SecureSocket): the client certificate and
 * key from PEM (as the firmware loads them) against a Node server with requestCert and against
 * `openssl s_server -Verify`: accepted; none sent; one the server does not trust.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FetchResult } from "../modules/client/fetch-types";
import { HttpClient } from "../modules/client/http-client";
import { loadClientIdentity } from "../modules/tls/client-identity";
import { decodePem } from "../modules/tls/pem";
import { NodeSocketFactory, nodeTimers } from "../host/node-socket";
import { startBodyServer } from "./support/body-server";
import { startOpensslServer } from "./support/test-servers";

const PKI = join(__dirname, "..", "host", "fixtures", "sim-pki");
const CLIENT = join(__dirname, "..", "host", "fixtures", "sim-client");
const pem = (dir: string, name: string) => readFileSync(join(dir, name), "utf8");
const ROOT = decodePem(pem(PKI, "root.pem"))[0].der;
const identity = loadClientIdentity("client.pem", pem(CLIENT, "client.pem"), "client.key", pem(CLIENT, "client.key"));

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

function client(withIdentity: boolean, idle = 10_000): HttpClient {
  const net = new NodeSocketFactory({ deviceProfile: true });
  const tls = withIdentity
    ? { caCertificates: [ROOT], cache: false, clientCertificates: identity.certificates, clientKey: identity.key }
    : { caCertificates: [ROOT], cache: false };
  const c = new HttpClient({ sockets: net, timers: nodeTimers, tls, timeouts: { idle } });
  open.push({ close: () => { c.closeIdle(); net.closeAll(); } });
  return c;
}

const fetchOnce = (c: HttpClient, url: string) => new Promise<FetchResult>((resolve) => c.fetch({ url, captureBytes: 512 }, resolve));

describe("mutual TLS, Node server with requestCert", () => {
  async function server(clientCa: string) {
    const s = await startBodyServer({ tls: { cert: pem(PKI, "leaf.pem") + pem(PKI, "intermediate.pem"), key: pem(PKI, "leaf.key"), clientCa } });
    open.push(s);
    return s;
  }

  test("the device's certificate is accepted: the server sees its subject", async () => {
    const s = await server(pem(CLIENT, "client-ca.pem"));
    const r = await fetchOnce(client(true), s.url("/"));
    expect(r.status).toBe(200);
    expect(s.requests[0].clientCn).toBe("device-1");
  });

  test("no certificate sent: TLS_CLIENT_CERT_REQUIRED", async () => {
    const s = await server(pem(CLIENT, "client-ca.pem"));
    const r = await fetchOnce(client(false), s.url("/"));
    expect(r.error?.code).toBe("TLS_CLIENT_CERT_REQUIRED");
    expect(r.error?.hint).toMatch(/clientCertificate/);
  });

  test("a certificate the server does not trust: TLS_CLIENT_CERT_REJECTED", async () => {
    const s = await server(pem(PKI, "root.pem"));
    const r = await fetchOnce(client(true), s.url("/"));
    expect(r.error?.code).toBe("TLS_CLIENT_CERT_REJECTED");
  });
});

describe("mutual TLS, openssl s_server -Verify", () => {
  async function server(clientCaFile: string) {
    const s = await startOpensslServer(join(PKI, "leaf.pem"), join(PKI, "leaf.key"), ["-Verify", "1", "-verify_return_error", "-CAfile", clientCaFile, "-tls1_2"], join(PKI, "intermediate.pem"));
    open.push(s);
    return s;
  }

  test("accepted: the page arrives (s_server -www ends it with close_notify, which ends the close-delimited page)", async () => {
    const s = await server(join(CLIENT, "client-ca.pem"));
    const r = await fetchOnce(client(true, 500), s.url("/"));
    expect(r.status).toBe(200);
    expect(r.bytes).toBeGreaterThan(100);
    expect(r.ok).toBe(true);
  });

  test("none sent: TLS_CLIENT_CERT_REQUIRED", async () => {
    const s = await server(join(CLIENT, "client-ca.pem"));
    const r = await fetchOnce(client(false), s.url("/"));
    expect(r.error?.code).toBe("TLS_CLIENT_CERT_REQUIRED");
  });

  test("not trusted: TLS_CLIENT_CERT_REJECTED, with the alert's reason (unknown_ca)", async () => {
    const s = await server(join(PKI, "root.pem"));
    const r = await fetchOnce(client(true), s.url("/"));
    expect(r.error?.code).toBe("TLS_CLIENT_CERT_REJECTED");
    expect(r.error?.hint).toMatch(/unknown_ca \(48\)/);
  });
});
