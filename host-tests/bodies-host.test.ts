/**
 * Requests with bodies through the host edge (the device profile of SecureSocket) to servers on
 * Node's own HTTP parser: JSON with Authorization, a 100 KB body produced piece by piece (chunked
 * and with a length), a 1 MB response consumed piece by piece, redirect method rules end to end.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FetchRequest, FetchResult } from "../modules/client/fetch-types";
import { HttpClient } from "../modules/client/http-client";
import type { StreamBody } from "../modules/http/body";
import { decodePem } from "../modules/tls/pem";
import { NodeSocketFactory, nodeTimers } from "../host/node-socket";
import { BodyServer, startBodyServer } from "./support/body-server";

const PKI = join(__dirname, "..", "host", "fixtures", "sim-pki");
const pem = (name: string) => readFileSync(join(PKI, name), "utf8");
const ROOT = decodePem(pem("root.pem"))[0].der;
const TOKEN = "Bearer demo-7c1e";

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

function client(): HttpClient {
  const net = new NodeSocketFactory({ deviceProfile: true });
  const c = new HttpClient({ sockets: net, timers: nodeTimers, tls: { caCertificates: [ROOT], cache: false } });
  open.push({ close: () => { c.closeIdle(); net.closeAll(); } });
  return c;
}

async function server(options: Parameters<typeof startBodyServer>[0] = {}): Promise<BodyServer> {
  const s = await startBodyServer({ tls: { cert: pem("leaf.pem") + pem("intermediate.pem"), key: pem("leaf.key") }, ...options });
  open.push(s);
  return s;
}

const fetchOnce = (c: HttpClient, r: FetchRequest) => new Promise<FetchResult>((resolve) => c.fetch(r, resolve));

/** `total` bytes of a repeating pattern, produced `piece` bytes at most per read. */
function pattern(total: number, declare: boolean): StreamBody & { maxAsked: number } {
  let sent = 0;
  const s = {
    maxAsked: 0,
    read(max: number) {
      s.maxAsked = Math.max(s.maxAsked, max);
      const n = Math.min(max, total - sent);
      if (n <= 0) return null;
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = (sent + i) % 251;
      sent += n;
      return out;
    },
  } as StreamBody & { maxAsked: number };
  if (declare) s.length = total;
  return s;
}

function patternSha(total: number): string {
  const b = Buffer.alloc(total);
  for (let i = 0; i < total; i++) b[i] = i % 251;
  return require("node:crypto").createHash("sha256").update(b).digest("hex") as string;
}

describe("requests with bodies over the host edge", () => {
  test("POST JSON with Authorization: the server sees both; without the header it answers 401", async () => {
    const s = await server({ requireAuthorization: TOKEN, requireJson: true });
    const c = client();
    const ok = await fetchOnce(c, { url: s.url("/telemetry"), method: "POST", headers: { "Content-Type": "application/json", Authorization: TOKEN }, body: '{"temp":21.5}', captureBytes: 512 });
    expect(ok.status).toBe(200);
    expect(JSON.parse(Buffer.from(ok.body as Uint8Array).toString())).toMatchObject({ method: "POST", bytes: 13, chunked: false });
    expect(s.requests[0].text).toBe('{"temp":21.5}');
    const denied = await fetchOnce(c, { url: s.url("/telemetry"), method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    expect(denied.status).toBe(401);
    expect(denied.conn).toBe("reused");
  });

  test.each([[true, "with a length"], [false, "chunked"]])("a 100 KB body produced piece by piece (%s: %s) arrives whole; pieces never exceed the write space", async (declare) => {
    const s = await server();
    const body = pattern(100 * 1024, declare as boolean);
    const r = await fetchOnce(client(), { url: s.url("/upload"), method: "PUT", body, captureBytes: 1024 });
    expect(r.status).toBe(200);
    const echo = JSON.parse(Buffer.from(r.body as Uint8Array).toString());
    expect(echo).toMatchObject({ method: "PUT", bytes: 102400, sha256: patternSha(102400), chunked: !declare });
    // The device profile reports SecureSocket's space: never more than one record's worth per read.
    expect(body.maxAsked).toBeLessThanOrEqual(16384);
  }, 30_000);

  test("a 1 MB response consumed piece by piece with onBody, nothing kept", async () => {
    const s = await server();
    let total = 0;
    let largest = 0;
    const r = await fetchOnce(client(), { url: s.url("/large/1048576"), onBody: (p) => { total += p.length; largest = Math.max(largest, p.length); } });
    expect(r.status).toBe(200);
    expect(r.bytes).toBe(1048576);
    expect(total).toBe(1048576);
    expect(largest).toBeLessThanOrEqual(2048);
    expect(r.body).toBeUndefined();
  }, 30_000);

  test("redirects end to end: 303 after POST is a GET without body; 307 resends POST and body", async () => {
    const s = await server();
    const c = client();
    const see = await fetchOnce(c, { url: s.url("/redirect/303?to=/result"), method: "POST", headers: { "Content-Type": "text/plain" }, body: "data" });
    expect(see.status).toBe(200);
    expect(s.requests.map((q) => [q.method, q.path, q.bytes, q.headers["content-type"] ?? null])).toEqual([["POST", "/redirect/303", 4, "text/plain"], ["GET", "/result", 0, null]]);
    const temp = await fetchOnce(c, { url: s.url("/redirect/307?to=/again"), method: "POST", body: "data" });
    expect(temp.status).toBe(200);
    expect(s.requests.slice(2).map((q) => [q.method, q.path, q.text])).toEqual([["POST", "/redirect/307", "data"], ["POST", "/again", "data"]]);
  });
});
