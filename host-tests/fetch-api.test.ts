/** The fetch()-like API over the engine, driven through the scripted socket. */
import { createFetch, FetchError, FetchResponse } from "../modules/client/fetch-api";
import { HttpClient } from "../modules/client/http-client";
import { FakeClock, MockNetwork } from "./support/mock-net-portable";

function rig() {
  const net = new MockNetwork();
  const clock = new FakeClock();
  const client = new HttpClient({ sockets: net, timers: clock, tls: { verify: true } });
  return { net, clock, client, fetch: createFetch(client) };
}

const flush = () => new Promise((r) => setImmediate(r));

/** Connects TCP, then finishes the TLS handshake: the TLS socket. */
function connect(net: MockNetwork) {
  net.last.open();
  return net.last.open();
}

async function settle<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return p.then((value) => ({ value }), (error: unknown) => ({ error }));
}

describe("fetch()", () => {
  test("a JSON response: status, ok, headers, json(); the body can be read once", async () => {
    const r = rig();
    const p = r.fetch("https://api.example/v1", { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"a":1}' });
    const s = connect(r.net);
    expect(s.written).toContain("POST /v1 HTTP/1.1");
    expect(s.written.endsWith('\r\n\r\n{"a":1}')).toBe(true);
    s.receive('HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"id":"x1"}');
    const res = (await p) as FetchResponse;
    expect([res.ok, res.status, res.statusText, res.url, res.redirected]).toEqual([true, 201, "Created", "https://api.example/v1", false]);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ id: "x1" });
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow("already been read");
    expect(res.result.conn).toBe("new");
  });

  test("an HTTP error status resolves with ok false (as the web's fetch); text() and arrayBuffer() work", async () => {
    const r = rig();
    const p = r.fetch("https://api.example/missing");
    const s = connect(r.net);
    s.receive("HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope");
    const res = await p;
    expect([res.ok, res.status]).toEqual([false, 404]);
    expect(res.result.error?.code).toBe("HTTP_STATUS_404");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array([110, 111, 112, 101]));
  });

  test("a failure without a response rejects with a FetchError carrying the diagnosis", async () => {
    const r = rig();
    const p = settle(r.fetch("https://api.example/"));
    r.net.last.open();
    r.net.last.fail("TLS: alert: 2, 70");
    const { error } = await p;
    expect(error).toBeInstanceOf(FetchError);
    const e = error as FetchError;
    expect(e.code).toBe("TLS_ALERT_PROTOCOL_VERSION");
    expect(e.phase).toBe("tls-handshake");
    expect(e.hint).not.toBe("");
  });

  test("bad input rejects too (a body with GET), before any socket", async () => {
    const r = rig();
    const p = settle(r.fetch("https://api.example/", { body: "x" }));
    r.clock.advance(0);
    const { error } = await p;
    expect((error as FetchError).code).toBe("REQUEST_BODY_NOT_ALLOWED");
    expect(r.net.connects).toHaveLength(0);
  });

  test("a streamed response: onBody gets every piece, nothing is kept (text() rejects)", async () => {
    const r = rig();
    const pieces: number[] = [];
    const p = r.fetch("https://api.example/big", { onBody: (b) => pieces.push(b.length) });
    const s = connect(r.net);
    const body = "y".repeat(5000);
    s.receive(`HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n${body}`, [100, 2000, 2000, 2000]);
    const res = await p;
    expect(pieces.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(res.result.bytes).toBe(5000);
    await expect(res.text()).rejects.toThrow("onBody");
  });

  test("a body over maxBodyBytes rejects with BODY_TOO_LARGE; the limit is at most 16 KB", async () => {
    const r = rig();
    const p = settle(r.fetch("https://api.example/", { maxBodyBytes: 10 }));
    const s = connect(r.net);
    s.receive("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world");
    expect(((await p).error as FetchError).code).toBe("BODY_TOO_LARGE");
    await expect(r.fetch("https://api.example/", { maxBodyBytes: 20000 })).rejects.toThrow(RangeError);
  });

  test("onCancel hands out a cancel: the promise rejects with CANCELLED and the socket is closed", async () => {
    const r = rig();
    let cancel = () => {};
    const p = settle(r.fetch("https://api.example/", { onCancel: (c) => (cancel = c) }));
    r.net.last.open();
    cancel();
    await flush();
    expect(((await p).error as FetchError).code).toBe("CANCELLED");
    expect(r.net.allReleased).toBe(true);
    expect(r.clock.pending).toBe(0);
  });
});
