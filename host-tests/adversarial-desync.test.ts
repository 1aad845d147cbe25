/**
 * Adversarial: response desynchronisation on a kept-alive connection. A server (or anything that
 * can put bytes on the connection) queues an extra, unsolicited response: in the same write as a
 * genuine one, right behind it, or while the connection sits idle in the pool. No fetch may ever
 * take a response that answers another request (or none): each body here names the request it
 * answers, and every fetch must get its own or an error.
 */
import { FetchLoop } from "../modules/app/fetch-loop";
import type { HttpClient } from "../modules/client/http-client";
import type { FetchResult } from "../modules/client/fetch-types";
import { nodeTimers } from "../host/node-socket";
import { ESP32_TCP, SECURE_SOCKET } from "../host/socket-events";
import { engineHarnessPerFile, fetchOnce } from "./support/engine-harness";
import { response, startScriptedServer, type ScriptedRequest, type ScriptedServer } from "./support/hostile-server";
import { sleep } from "./support/socket-run";

jest.setTimeout(20_000);

const h = engineHarnessPerFile();

/** The genuine answer to a request: its body names the path it answers. */
const genuine = (r: ScriptedRequest) => response(`answer to ${r.path}`);
const EVIL = response("EVIL unsolicited");

/** Where the host edge ends a message 2: SecureSocket's 1024-byte pieces, or one TCP segment. */
const boundary = (tls: boolean) => (tls ? 2 * SECURE_SOCKET.chunk : ESP32_TCP.segmentSize);

/** The genuine answer padded to exactly `size` bytes on the wire, head included. */
function exactly(r: ScriptedRequest, size: number): string {
  const text = `answer to ${r.path}`;
  const bare = response(text).length;
  let body = text + " ".repeat(size - bare);
  while (response(body).length > size) body = body.slice(0, -1);
  const padded = response(body);
  if (padded.length !== size) throw new Error(`cannot pad to ${size}`);
  return padded;
}

async function server(tls: boolean, onRequest: (r: ScriptedRequest) => void): Promise<ScriptedServer> {
  const s = await startScriptedServer({ tls: tls ? { cert: h.pki.fullChain(h.pki.leaf), key: h.pki.leaf.keyPem } : undefined, onRequest });
  return h.keep(s);
}

function fetchPreview(client: HttpClient, url: string): Promise<FetchResult> {
  return fetchOnce(client, { url, previewBytes: 64 });
}

/** A fetch of `path` got its own answer, or an error: never another request's, never EVIL. */
function expectOwnOrError(result: FetchResult, path: string): void {
  if (result.ok) expect(result.preview?.trim()).toBe(`answer to ${path}`);
  else expect(result.preview ?? "").not.toMatch(/EVIL|answer to/);
}

describe.each([["TLS", true], ["plain TCP", false]])("%s", (_name, tls) => {
  test("an extra response in the same write as the genuine one: the fetch keeps the genuine one and the connection is closed", async () => {
    const s = await server(tls, (r) => r.stream.write(r.connection === 0 && r.index === 0 ? genuine(r) + EVIL : genuine(r)));
    const { client } = h.client();
    const a = await fetchPreview(client, s.url("/a"));
    expect(a.ok).toBe(true);
    expect(a.preview).toBe("answer to /a");
    expect(a.status).toBe(200);
    expect(client.idleConnections).toBe(0);
    const b = await fetchPreview(client, s.url("/b"));
    expect(b.preview).toBe("answer to /b");
    expect(b.conn).toBe("new");
  });

  test("an extra response queued behind the genuine one, still unannounced when the next fetch starts: never handed to it", async () => {
    // The genuine answer ends exactly where a message 2 ends (TLS: 1024-byte pieces; TCP: one
    // segment), so the parser never sees the extra response with it: when the next fetch starts
    // (inside the first one's callback), the extra one waits in the edge, not yet announced.
    const s = await server(tls, (r) => r.stream.write(r.connection === 0 && r.index === 0 ? exactly(r, boundary(tls)) + EVIL : genuine(r)));
    const { client } = h.client();
    const results: FetchResult[] = [];
    await new Promise<void>((resolve) => {
      client.fetch({ url: s.url("/a"), previewBytes: 64 }, (a) => {
        results.push(a);
        client.fetch({ url: s.url("/b"), previewBytes: 64 }, (b) => {
          results.push(b);
          resolve();
        });
      });
    });
    expect(results[0].preview?.trim()).toBe("answer to /a");
    expect(results[0].bytes).toBeGreaterThan(1000);
    expect(results[1].preview).toBe("answer to /b");
    expect(results[1].conn).toBe("new");
  });

  test("an extra response while the connection is idle: it is closed, the next fetch opens a new one", async () => {
    const s = await server(tls, (r) => {
      r.stream.write(genuine(r));
      if (r.index === 0) setTimeout(() => r.stream.write(EVIL), 20);
    });
    const { client } = h.client();
    const a = await fetchPreview(client, s.url("/a"));
    expect(a.preview).toBe("answer to /a");
    await sleep(150);
    expect(client.idleConnections).toBe(0);
    const b = await fetchPreview(client, s.url("/b"));
    expect(b.preview).toBe("answer to /b");
    expect(b.conn).toBe("new");
  });

  test("a single stray byte while idle closes the connection too", async () => {
    const s = await server(tls, (r) => {
      r.stream.write(genuine(r));
      if (r.index === 0) setTimeout(() => r.stream.write("\r\n"), 20);
    });
    const { client } = h.client();
    await fetchPreview(client, s.url("/a"));
    await sleep(150);
    expect(client.idleConnections).toBe(0);
    const b = await fetchPreview(client, s.url("/b"));
    expect(b.preview).toBe("answer to /b");
    expect(b.conn).toBe("new");
  });

  test("the fetch loop with two targets on one origin: target B never logs target A's queued extra body", async () => {
    const s = await server(tls, (r) => r.stream.write(r.path === "/a" ? exactly(r, boundary(tls)) + EVIL : genuine(r)));
    const { client } = h.client();
    const lines: string[] = [];
    const results: { target: number; result: FetchResult }[] = [];
    await new Promise<void>((resolve) => {
      const loop = new FetchLoop({
        client, timers: nodeTimers, log: (line) => lines.push(line), targets: [s.url("/a"), s.url("/b")],
        intervalMs: 1, previewBytes: 64, summaryEvery: 0,
        onResult: (result, target) => {
          results.push({ target, result });
          if (results.length === 6) {
            loop.stop();
            resolve();
          }
        },
      });
      loop.start();
    });
    for (const { target, result } of results) expectOwnOrError(result, target === 0 ? "/a" : "/b");
    expect(lines.join("\n")).not.toMatch(/EVIL/);
  });
});
