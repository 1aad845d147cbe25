/**
 * Adversarial: errors must blame the right thing. A TCP reset from the server mid-body and a
 * forged or tampered TLS record mid-body end with codes that say what happened (the peer reset
 * the connection; a record failed authentication) and what to check, not a generic socket error
 * with Wi-Fi advice.
 */
import { engineHarnessPerFile, fetchOnce } from "./support/engine-harness";
import { startScriptedServer, type ScriptedRequest, type ScriptedServer } from "./support/hostile-server";

jest.setTimeout(20_000);

const h = engineHarnessPerFile();
const HEAD = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n";

async function server(tls: boolean, onRequest: (r: ScriptedRequest) => void): Promise<ScriptedServer> {
  return h.keep(await startScriptedServer({ tls: tls ? { cert: h.pki.fullChain(h.pki.leaf), key: h.pki.leaf.keyPem } : undefined, onRequest }));
}

/** Head and part of the body, then `then` once they have left. */
function partThen(r: ScriptedRequest, then: () => void): void {
  r.stream.write(HEAD + "x".repeat(3000), () => setTimeout(then, 30));
}

describe.each([["TLS", true], ["plain TCP", false]])("%s", (_name, tls) => {
  test("the server resets the connection mid-body: CONNECTION_RESET, with advice about the server, not Wi-Fi", async () => {
    const s = await server(tls, (r) => partThen(r, () => r.raw.resetAndDestroy()));
    const { client } = h.client();
    const result = await fetchOnce(client, s.url("/"));
    expect(result.error?.code).toBe("CONNECTION_RESET");
    expect(result.error?.phase).toBe("response");
    expect(result.error?.detail).toMatch(/reset/);
    expect(result.error?.hint).not.toMatch(/Wi-Fi/i);
    expect(result.bytes).toBeGreaterThan(0);
  });

  test("the server resets the connection before answering: CONNECTION_RESET", async () => {
    const s = await server(tls, (r) => setTimeout(() => r.raw.resetAndDestroy(), 30));
    const { client } = h.client();
    const result = await fetchOnce(client, s.url("/"));
    expect(result.error?.code).toBe("CONNECTION_RESET");
    expect(result.error?.hint).not.toMatch(/Wi-Fi/i);
  });
});

test.each([
  ["AES-GCM", "ECDHE-RSA-AES128-GCM-SHA256"],
  ["AES-CBC with HMAC", "AES128-SHA256"],
])("a forged TLS record mid-body (%s): TLS_RECORD_AUTH_FAILED, saying a record failed authentication", async (_name, ciphers) => {
  const s = h.keep(await startScriptedServer({
    tls: { cert: h.pki.fullChain(h.pki.leaf), key: h.pki.leaf.keyPem, ciphers },
    onRequest: (r) => partThen(r, () => {
      // An application-data record of the right shape whose contents nobody with the keys wrote.
      const forged = Buffer.alloc(5 + 64, 0x5a);
      forged.set([23, 3, 3, 0, 64]);
      r.raw.write(forged);
    }),
  }));
  const { client } = h.client();
  const result = await fetchOnce(client, s.url("/"));
  expect(result.error?.code).toBe("TLS_RECORD_AUTH_FAILED");
  expect(result.error?.phase).toBe("tls-record");
  expect(result.error?.hint).toMatch(/failed authentication/);
  expect(result.error?.hint).not.toMatch(/Wi-Fi/i);
});
