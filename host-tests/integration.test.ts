/**
 * Integration: the real engine (HttpClient, FetchLoop) through the host edge with the device
 * profile (TLS 1.2 only, SecureSocket's suites, P-256 only, leaf-only chains refused) against
 * loopback servers: Node's TLS and `openssl s_server`. Each case asserts the exact diagnosis code
 * and phase the engine reports, and where the log line matters, the line as the loop prints it.
 *
 * What the host edge cannot show is asserted as documented (HOST_TLS_LIMITS): Node sends no
 * max_fragment_length, so servers keep sending 16 KB records.
 */
import type { FetchResult } from "../modules/client/fetch-types";
import { formatFetch } from "../modules/app/log-format";
import { HOST_TLS_LIMITS } from "../host/device-tls";
import { engineHarnessPerFile, fetchOnce, tlsStats } from "./support/engine-harness";
import { runLoop, shape } from "./support/loop-run";

jest.setTimeout(20_000);

const h = engineHarnessPerFile();

/** Short deadlines for the stall cases (each stall costs one of them). */
const SHORT = { connect: 300, handshake: 300, firstByte: 300, idle: 300, total: 5000 };

/** The line the loop prints for this result as its first fetch. */
function line(result: FetchResult): string {
  return shape(formatFetch("text", 1, result.url, result));
}

/** The diagnosis, as asserted in every failure case. */
function failure(r: FetchResult): { code?: string; phase?: string } {
  return { code: r.error?.code, phase: r.error?.phase };
}

describe("TLS: versions, suites, trust", () => {
  test("TLS 1.2 with the full chain: 200 over SecureSocket's first suite, timings for each phase", async () => {
    const server = await h.https();
    const { client, net } = h.client();
    const r = await fetchOnce(client, { url: server.url("/"), previewBytes: 16 });
    expect(r).toMatchObject({ ok: true, status: 200, reason: "OK", bytes: 5, conn: "new", redirects: 0, retried: false, preview: "hello" });
    expect(r.error).toBeUndefined();
    expect(r.timings).toEqual({ connect: expect.any(Number), tls: expect.any(Number), ttfb: expect.any(Number), total: expect.any(Number) });
    expect(tlsStats(net).pop()).toMatchObject({ protocol: "TLSv1.2", cipher: "AES128-SHA", serverChainLength: 2, droppedBytes: 0 });
    expect(line(r)).toBe('fetch #1 https://127.0.0.1:PORT/ status=200 bytes=5 ms=N connect=N tls=N ttfb=N conn=new body="hello"');
  });

  test("openssl s_server -www, TLS 1.2: its close_notify ends the close-delimited page, though TCP stays open", async () => {
    // -www answers HTTP/1.0 without Content-Length (the body ends at the close); s_server sends
    // close_notify and keeps TCP open. The edges report the close_notify as the end (-1).
    const server = await h.openssl(["-tls1_2"]);
    const r = await fetchOnce(h.client({ timeouts: { ...SHORT, idle: 5000 } }).client, server.url("/"));
    expect(r).toMatchObject({ ok: true, status: 200, conn: "new" });
    expect(r.bytes).toBeGreaterThan(100);
    expect(r.timings.total).toBeLessThan(5000);
  });

  test("session cache (device default): without keep-alive, the 2nd and 3rd connections resume the session", async () => {
    const server = await h.https();
    const { client } = h.client({ keepAlive: false, tls: { caCertificates: [h.pki.root.der], cache: true } });
    for (let i = 0; i < 3; i++) expect(await fetchOnce(client, server.url("/"))).toMatchObject({ ok: true, conn: "new" });
    expect(server.connections).toBe(3);
    expect(server.resumptions).toBe(2);
  });

  test("TLS 1.3-only server: TLS_ALERT_PROTOCOL_VERSION in the handshake, the device named as the limited side", async () => {
    const server = await h.https({ minVersion: "TLSv1.3" });
    const r = await fetchOnce(h.client().client, server.url("/"));
    expect(failure(r)).toEqual({ code: "TLS_ALERT_PROTOCOL_VERSION", phase: "tls-handshake" });
    expect(r.error?.detail).toBe("alert: 2, 70");
    expect(r.error?.hint).toMatch(/TLS 1\.3-only and the device is the limited side/);
    expect(line(r)).toMatch(/^fetch #1 https:\/\/127\.0\.0\.1:PORT\/ error=TLS_ALERT_PROTOCOL_VERSION phase=tls-handshake ms=N connect=N conn=new detail="alert: 2, 70" hint="/);
  });

  test("TLS 1.0-only server (openssl s_server), 1.2 required: TLS_SERVER_VERSION_TOO_LOW, no request written", async () => {
    // The stack sends alert 70 itself and would report message 1 without a cipher; the device
    // edge turns that into -2, so the request never leaves (in clear text, as it would).
    const server = await h.openssl(["-tls1", "-cipher", "DEFAULT@SECLEVEL=0"]);
    const { client, net } = h.client();
    const r = await fetchOnce(client, server.url("/"));
    expect(failure(r)).toEqual({ code: "TLS_SERVER_VERSION_TOO_LOW", phase: "tls-handshake" });
    expect(r.error?.detail).toBe("alert sent: 2, 70");
    expect(r.error?.hint).toMatch(/below the required 1\.2; the device refused it and sent nothing/);
    expect(r).toMatchObject({ status: 0, conn: "new", retried: false });
    const stats = tlsStats(net).pop();
    expect(stats?.cipher).toBeUndefined();
    expect(stats?.bytesWritten).toBe(0);
    expect(stats?.hostError).toMatch(/unsupported protocol/);
  });

  test("no shared cipher suite: TLS_ALERT_HANDSHAKE_FAILURE", async () => {
    const server = await h.https({ maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-CHACHA20-POLY1305" });
    const r = await fetchOnce(h.client().client, server.url("/"));
    expect(failure(r)).toEqual({ code: "TLS_ALERT_HANDSHAKE_FAILURE", phase: "tls-handshake" });
    expect(r.error?.detail).toBe("alert: 2, 40");
    expect(server.tlsErrors.join()).toMatch(/no shared cipher/);
  });

  test("untrusted CA: TLS_CERT_UNTRUSTED", async () => {
    const server = await h.https();
    const r = await fetchOnce(h.client({ tls: { caCertificates: [h.pki.otherRoot.der], cache: false } }).client, server.url("/"));
    expect(failure(r)).toEqual({ code: "TLS_CERT_UNTRUSTED", phase: "tls-handshake" });
    expect(r.error?.detail).toBe("certificate: auth err");
    expect(line(r)).toMatch(/^fetch #1 https:\/\/127\.0\.0\.1:PORT\/ error=TLS_CERT_UNTRUSTED phase=tls-handshake ms=N connect=N conn=new detail="certificate: auth err" hint="the server's chain does not end at an embedded CA .*npm run probe -- https:\/\/127\.0\.0\.1:PORT /);
  });

  test("host-name mismatch: TLS_CERT_NAME_MISMATCH, with the chain policy's text on both edges", async () => {
    const server = await h.https({ cert: h.pki.fullChain(h.pki.wrongHostLeaf) });
    const { client } = h.client();
    const r = await fetchOnce(client, server.url("/"));
    expect(failure(r)).toEqual({ code: "TLS_CERT_NAME_MISMATCH", phase: "tls-handshake" });
    expect(r.error?.hint).toMatch(/add IP:127\.0\.0\.1 to its subjectAltName/);
  });

  test("expired server certificate: TLS_CERT_EXPIRED, from the device's text for it", async () => {
    // SecureSocket's chain walk skips the expired leaf, then registering it as the peer
    // certificate throws "date validation failed"; the host edge gives the same text.
    const server = await h.https({ cert: h.pki.fullChain(h.pki.expiredLeaf) });
    const { client, net } = h.client();
    const r = await fetchOnce(client, server.url("/"));
    expect(failure(r)).toEqual({ code: "TLS_CERT_EXPIRED", phase: "tls-handshake" });
    expect(r.error?.detail).toBe("date validation failed");
    expect(r.error?.hint).toMatch(/expired or not yet valid/);
    expect(tlsStats(net).pop()?.hostError).toMatch(/^CERT_HAS_EXPIRED/);
  });

  test("leaf-only chain: TLS_CERT_LEAF_ONLY when only the root is embedded; verified when its issuer is", async () => {
    const server = await h.https({ cert: h.pki.leaf.certPem });
    const device = h.client({ tls: { caCertificates: [h.pki.root.der], cache: false } });
    const r = await fetchOnce(device.client, server.url("/"));
    expect(failure(r)).toEqual({ code: "TLS_CERT_LEAF_ONLY", phase: "tls-handshake" });
    expect(r.error?.hint).toMatch(/fullchain\.pem/);
    expect(tlsStats(device.net).pop()?.serverChainLength).toBe(1);
    const both = { tls: { caCertificates: [h.pki.root.der, h.pki.intermediate.der], cache: false } };
    expect(await fetchOnce(h.client(both).client, server.url("/"))).toMatchObject({ ok: true, status: 200, bytes: 5 });
  });
});

describe("HTTP over TLS: bodies, keep-alive, records", () => {
  test("chunked body: decoded and counted, the connection kept", async () => {
    const body = "0123456789".repeat(500);
    const server = await h.https({}, { routes: { "/": { body, chunked: 700 } } });
    const { client } = h.client();
    const r = await fetchOnce(client, { url: server.url("/"), captureBytes: 16384 });
    expect(r).toMatchObject({ ok: true, status: 200, bytes: 5000 });
    expect(r.headers?.get("transfer-encoding")).toBe("chunked");
    expect(Buffer.from(r.body!).toString("latin1")).toBe(body);
    expect(client.idleConnections).toBe(1);
  });

  test("keep-alive: 50 fetches, one TCP connection, one handshake", async () => {
    const server = await h.https();
    const { client } = h.client();
    const conns: string[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await fetchOnce(client, server.url("/"));
      expect(r.ok).toBe(true);
      conns.push(r.conn);
    }
    expect(conns[0]).toBe("new");
    expect(conns.slice(1).every((c) => c === "reused")).toBe(true);
    expect(server.connections).toBe(1);
    expect(server.requests).toHaveLength(50);
  });

  test("the server closes idle kept-alive connections: every next fetch succeeds on a new one, none retried", async () => {
    const server = await h.https({}, { idleTimeoutMs: 40 });
    const { client } = h.client();
    // The close must reach the client before the next fetch: a second between fetches leaves a
    // loaded machine ample time, and the loop may run 30 s for its three handshakes.
    const logs = await runLoop({ client, targets: [server.url("/")], intervalMs: 1000, summaryEvery: 3 }, 3, 30_000);
    const fetches = logs.filter((l) => l.startsWith("fetch #")).map(shape);
    expect(fetches).toEqual([1, 2, 3].map((n) => `fetch #${n} https://127.0.0.1:PORT/ status=200 bytes=5 ms=N connect=N tls=N ttfb=N conn=new`));
    expect(server.connections).toBe(3);
    expect(shape(logs.find((l) => l.startsWith("summary"))!)).toBe(
      "summary https://127.0.0.1:PORT/ fetches=3 ok=3 failed=0 last_status=200 bytes=15 ms_min=N ms_median=N ms_max=N conn_new=3 conn_reused=0");
  }, 60_000);

  test("a kept-alive connection dropped as the next request arrives: that request is sent again on a new connection, once", async () => {
    const server = await h.nodeHttps("fresh", { dropAfter: 1 });
    const { client } = h.client();
    const first = await fetchOnce(client, server.url("/"));
    expect(first).toMatchObject({ ok: true, conn: "new", retried: false });
    const second = await fetchOnce(client, server.url("/"));
    expect(second).toMatchObject({ ok: true, status: 200, bytes: 5, conn: "new", retried: true });
    expect(line(second)).toBe("fetch #1 https://127.0.0.1:PORT/ status=200 bytes=5 ms=N connect=N tls=N ttfb=N conn=new retried=1");
    expect(server.handshakes).toBe(2);
    expect(server.requests).toBe(3);
  });

  test("a new connection closed before any answer is not retried: CONNECTION_CLOSED_EARLY", async () => {
    const server = await h.nodeHttps("never", { dropAfter: 0 });
    const r = await fetchOnce(h.client().client, server.url("/"));
    expect(failure(r)).toEqual({ code: "CONNECTION_CLOSED_EARLY", phase: "response" });
    expect(r).toMatchObject({ conn: "new", retried: false, status: 0 });
    expect(server.requests).toBe(1);
  });

  test("16 KB TLS records: measured by the socket; tls_max_fragment_length cannot be sent from the host", async () => {
    const body = "r".repeat(40000);
    const server = await h.https({}, { routes: { "/": { body, writeSize: 16384 } } });
    const plain = h.client();
    const r = await fetchOnce(plain.client, server.url("/"));
    expect(r).toMatchObject({ ok: true, bytes: 40000 });
    const big = tlsStats(plain.net).pop()!;
    expect(big.maxRecordLength).toBeGreaterThanOrEqual(16384);
    expect(big.droppedBytes).toBe(0);
    expect(plain.logs).toEqual([]);

    // Asked for 1024-byte fragments: the edge warns once per factory that the extension is not
    // sent, and the server's records stay at 16 KB (on the device only a server that honours
    // max_fragment_length would shrink them).
    const mfl = h.client({ tls: { caCertificates: [h.pki.root.der], cache: false, maxFragmentLength: 1024 } });
    for (let i = 0; i < 2; i++) expect(await fetchOnce(mfl.client, server.url("/"))).toMatchObject({ ok: true, bytes: 40000 });
    expect(tlsStats(mfl.net).pop()!.maxRecordLength).toBeGreaterThanOrEqual(16384);
    expect(mfl.logs).toEqual([`warning: tls_max_fragment_length 1024 is not sent: ${HOST_TLS_LIMITS.maxFragmentLength}`]);
  });
});

describe("stalls at each phase (short deadlines)", () => {
  test("never completes the TCP handshake (SYNs dropped): TIMEOUT_CONNECT", async () => {
    const silent = await h.unaccepting();
    const r = await fetchOnce(h.client({ timeouts: SHORT }).client, `https://127.0.0.1:${silent.port}/`);
    expect(failure(r)).toEqual({ code: "TIMEOUT_CONNECT", phase: "timeout" });
    expect(r.error?.detail).toBe("connect timeout after 300 ms (connecting)");
    expect(r.timings.connect).toBeUndefined();
  });

  test("accepts TCP, never handshakes: TIMEOUT_HANDSHAKE", async () => {
    const server = await h.https({}, { stall: "accept" });
    const r = await fetchOnce(h.client({ timeouts: SHORT }).client, server.url("/"));
    expect(failure(r)).toEqual({ code: "TIMEOUT_HANDSHAKE", phase: "timeout" });
    expect(r.error?.detail).toBe("handshake timeout after 300 ms (handshaking)");
    expect(r.timings.total).toBeGreaterThanOrEqual(300);
    expect(r.timings.connect).toBeDefined();
    expect(r.timings.tls).toBeUndefined();
  });

  test("handshakes, never answers: TIMEOUT_FIRST_BYTE", async () => {
    const server = await h.https({}, { stall: "request" });
    const r = await fetchOnce(h.client({ timeouts: SHORT }).client, server.url("/"));
    expect(failure(r)).toEqual({ code: "TIMEOUT_FIRST_BYTE", phase: "timeout" });
    expect(r.error?.detail).toBe("first-byte timeout after 300 ms (waiting)");
    expect(server.requests).toHaveLength(1);
  });

  test("sends the head, then stalls: TIMEOUT_IDLE with the status kept", async () => {
    const server = await h.https({}, { routes: { "/": { body: "abc", headThenStall: true } } });
    const r = await fetchOnce(h.client({ timeouts: SHORT }).client, server.url("/"));
    expect(failure(r)).toEqual({ code: "TIMEOUT_IDLE", phase: "timeout" });
    expect(r).toMatchObject({ status: 200, bytes: 0, ok: false });
    expect(line(r)).toBe(
      "fetch #1 https://127.0.0.1:PORT/ status=200 bytes=0 ms=N error=TIMEOUT_IDLE phase=timeout connect=N tls=N ttfb=N conn=new " +
      `detail="idle timeout after 300 ms (receiving)" hint=${JSON.stringify(r.error!.hint)}`);
  });

  test("answers too slowly for the total budget: TIMEOUT_TOTAL", async () => {
    const server = await h.https({}, { routes: { "/": { body: "late", delayMs: 1000 } } });
    const r = await fetchOnce(h.client({ timeouts: { ...SHORT, firstByte: 3000, total: 400 } }).client, server.url("/"));
    expect(failure(r)).toEqual({ code: "TIMEOUT_TOTAL", phase: "timeout" });
    expect(r.error?.detail).toBe("total timeout after 400 ms (waiting)");
    expect(r.timings.total).toBeLessThan(1000);
  });
});

describe("broken responses", () => {
  test("truncated body (clean close before Content-Length): BODY_TRUNCATED", async () => {
    const server = await h.https({}, { routes: { "/": { body: "0123456789".repeat(100), truncateAfter: 400 } } });
    const { client } = h.client();
    const r = await fetchOnce(client, server.url("/"));
    expect(failure(r)).toEqual({ code: "BODY_TRUNCATED", phase: "response" });
    expect(r).toMatchObject({ status: 200, bytes: 400 });
    expect(r.error?.detail).toMatch(/the stream ended 600 bytes before the end of the Content-Length body$/);
    expect(client.idleConnections).toBe(0);
  });

  test("connection reset mid-body: -2 without text on an established TLS connection is CONNECTION_RESET", async () => {
    const server = await h.https({}, { routes: { "/": { body: "q".repeat(10000), resetAfter: 3000 } } });
    const { client, net } = h.client();
    const r = await fetchOnce(client, server.url("/"));
    expect(failure(r)).toEqual({ code: "CONNECTION_RESET", phase: "response" });
    expect(r).toMatchObject({ status: 200, ok: false, retried: false });
    expect(r.error?.detail).toBe("the peer reset the connection (TCP RST or abort) in response");
    expect(tlsStats(net).pop()?.hostError).toMatch(/ECONNRESET/);
  });

  test("oversized header section: HTTP_HEADERS_TOO_LARGE, the connection dropped", async () => {
    const server = await h.https({}, { routes: { "/": { oversizedHeaders: 20000 } } });
    const { client } = h.client();
    const r = await fetchOnce(client, server.url("/"));
    expect(failure(r)).toEqual({ code: "HTTP_HEADERS_TOO_LARGE", phase: "response" });
    expect(r.error?.detail).toMatch(/the response head is over 8192 bytes$/);
    expect(r.status).toBe(0);
    expect(client.idleConnections).toBe(0);
  });
});

describe("redirects", () => {
  test("a chain is followed to its end on the kept connection", async () => {
    const server = await h.https({}, { routes: { "/a": { redirect: "/b" }, "/b": { redirect: "/c", status: 301 }, "/c": { body: "end" } } });
    const r = await fetchOnce(h.client().client, server.url("/a"));
    expect(r).toMatchObject({ ok: true, status: 200, bytes: 3, redirects: 2, url: server.url("/a"), finalUrl: server.url("/c") });
    expect(server.connections).toBe(1);
    expect(line(r)).toBe("fetch #1 https://127.0.0.1:PORT/a status=200 bytes=3 ms=N ttfb=N conn=reused redirects=2 final=https://127.0.0.1:PORT/c");
  });

  test("a loop: REDIRECT_LOOP; too long a chain: REDIRECT_TOO_MANY", async () => {
    const server = await h.https({}, { routes: { "/x": { redirect: "/y" }, "/y": { redirect: "/x" }, "/1": { redirect: "/2" }, "/2": { redirect: "/3" }, "/3": { body: "3" } } });
    const r = await fetchOnce(h.client().client, server.url("/x"));
    expect(failure(r)).toEqual({ code: "REDIRECT_LOOP", phase: "response" });
    expect(r).toMatchObject({ status: 302, redirects: 1 });
    expect(r.error?.detail).toBe(`redirect loop to ${server.url("/x")}`);
    const long = await fetchOnce(h.client({ maxRedirects: 1 }).client, server.url("/1"));
    expect(failure(long)).toEqual({ code: "REDIRECT_TOO_MANY", phase: "response" });
    expect(long.error?.detail).toBe(`2 redirects (limit 1) to ${server.url("/3")}`);
  });

  test("https to http: REDIRECT_DOWNGRADE_REFUSED, nothing sent in the clear", async () => {
    const plain = await h.http();
    const server = await h.https({}, { routes: { "/down": { redirect: plain.url("/") } } });
    const r = await fetchOnce(h.client().client, { url: server.url("/down"), headers: { Authorization: "Bearer not-for-http" } });
    expect(failure(r)).toEqual({ code: "REDIRECT_DOWNGRADE_REFUSED", phase: "response" });
    expect(r.error?.detail).toBe(`refused https to http redirect to ${plain.url("/")}`);
    expect(plain.connections).toBe(0);
  });
  test("https to http allowed by opt-in: followed with a warning, and the Authorization header not carried to the other origin", async () => {
    const plain = await h.http({ routes: { "/": { body: "plain" } } });
    const server = await h.https({}, { routes: { "/down": { redirect: plain.url("/") } } });
    const { client, logs } = h.client({ allowHttpsToHttpRedirect: true });
    const r = await fetchOnce(client, { url: server.url("/down"), headers: { Authorization: "Bearer not-for-http" } });
    expect(r).toMatchObject({ ok: true, status: 200, bytes: 5, redirects: 1, finalUrl: plain.url("/") });
    expect(server.requests[0]).toContain("\r\nAuthorization: Bearer not-for-http");
    expect(plain.requests).toHaveLength(1);
    expect(plain.requests[0]).not.toMatch(/authorization/i);
    expect(logs.filter((l) => l.startsWith("warning REDIRECT_DOWNGRADE_ALLOWED"))).toHaveLength(1);
  });
});
