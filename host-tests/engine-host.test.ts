/**
 * The connection engine and the fetch loop over the host edge (real loopback sockets with the
 * device's Socket/SecureSocket semantics) against real HTTP and HTTPS servers: what the scripted
 * socket proves in isolation, checked end to end.
 */
import { FetchLoop } from "../modules/app/fetch-loop";
import { nodeTimers } from "../host/node-socket";
import { engineHarnessPerFile, fetchOnce as get } from "./support/engine-harness";
import { sleep } from "./support/socket-run";

jest.setTimeout(20_000);

const h = engineHarnessPerFile();

const https = h.https.bind(h);
const client = h.client.bind(h);

test("https: a verified fetch, then the same connection reused", async () => {
  const server = await https({}, { routes: { "/": { body: "hello" }, "/big": { body: "y".repeat(40000), chunked: 3000, writeSize: 16384 } } });
  const { client: c } = client();
  const first = await get(c, { url: server.url("/"), previewBytes: 10 });
  expect(first).toMatchObject({ ok: true, status: 200, bytes: 5, conn: "new", preview: "hello" });
  expect(first.timings.tls).toBeGreaterThanOrEqual(0);
  const second = await get(c, server.url("/big"));
  expect(second).toMatchObject({ ok: true, status: 200, bytes: 40000, conn: "reused" });
  expect(server.connections).toBe(1);
});

test("a connection the server closed while idle: the next fetch still succeeds, on a new connection", async () => {
  const server = await https({}, { idleTimeoutMs: 50 });
  const { client: c } = client();
  expect((await get(c, server.url("/"))).ok).toBe(true);
  await sleep(200);
  const again = await get(c, server.url("/"));
  expect(again).toMatchObject({ ok: true, status: 200, conn: "new" });
  expect(server.connections).toBe(2);
});

test("trust: a server whose chain does not lead to the configured CA fails verification", async () => {
  const server = await https();
  const { client: c } = client({ tls: { caCertificates: [h.pki.otherRoot.der], cache: false } });
  const r = await get(c, server.url("/"));
  expect(r.ok).toBe(false);
  expect(r.error).toMatchObject({ code: "TLS_CERT_UNTRUSTED", phase: "tls-handshake" });
});

test("a TLS 1.3-only server: protocol_version, explained as the device's limit", async () => {
  const server = await https({ minVersion: "TLSv1.3" });
  const { client: c } = client();
  const r = await get(c, server.url("/"));
  expect(r.error).toMatchObject({ code: "TLS_ALERT_PROTOCOL_VERSION", phase: "tls-handshake" });
});

test("timeouts by phase: handshake, first byte, idle", async () => {
  const timeouts = { connect: 2000, handshake: 300, firstByte: 300, idle: 300, total: 5000 };
  const silent = await https({}, { stall: "accept" });
  const mute = await https({}, { stall: "request" });
  const stalling = await https({}, { routes: { "/": { body: "abc", headThenStall: true } } });
  const { client: c } = client({ timeouts });
  expect((await get(c, silent.url("/"))).error?.code).toBe("TIMEOUT_HANDSHAKE");
  expect((await get(c, mute.url("/"))).error?.code).toBe("TIMEOUT_FIRST_BYTE");
  const idle = await get(c, stalling.url("/"));
  expect(idle).toMatchObject({ status: 200, error: { code: "TIMEOUT_IDLE" } });
});

test("a body cut short is BODY_TRUNCATED; a redirect is followed; a 404 is a result", async () => {
  const server = await h.http({ routes: { "/cut": { body: "0123456789", truncateAfter: 4 }, "/old": { redirect: "/new" }, "/new": { body: "moved here" } } });
  const { client: c } = client();
  expect((await get(c, server.url("/cut"))).error?.code).toBe("BODY_TRUNCATED");
  expect(await get(c, server.url("/old"))).toMatchObject({ ok: true, status: 200, redirects: 1, bytes: 10, finalUrl: server.url("/new") });
  expect(await get(c, server.url("/nothing"))).toMatchObject({ ok: false, status: 404, error: { code: "HTTP_STATUS_404" } });
});

test("the fetch loop over real sockets: one line per fetch, stop leaves nothing open", async () => {
  const server = await https();
  const { client: c, net } = client();
  const logs: string[] = [];
  const loop = new FetchLoop({ client: c, timers: nodeTimers, log: (l) => logs.push(l), targets: [server.url("/")], intervalMs: 20 });
  loop.start();
  while (loop.fetches < 3) await sleep(10);
  loop.stop();
  const lines = logs.filter((l) => l.startsWith("fetch #"));
  expect(lines[0]).toMatch(/^fetch #1 https:\/\/127\.0\.0\.1:\d+\/ status=200 bytes=5 ms=\d+ connect=\d+ tls=\d+ ttfb=\d+ conn=new$/);
  expect(lines[1]).toMatch(/^fetch #2 https:\/\/127\.0\.0\.1:\d+\/ status=200 bytes=5 ms=\d+ ttfb=\d+ conn=reused$/);
  expect(c.idleConnections).toBe(0);
  // Every socket closed (a TCP socket carrying TLS is closed with its TLS socket).
  for (const s of net.sockets) {
    const state = s as unknown as { closed: boolean; adopted?: boolean };
    expect(state.closed || state.adopted === true).toBe(true);
  }
});
