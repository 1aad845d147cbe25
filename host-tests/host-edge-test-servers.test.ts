/**
 * The loopback test servers the host-edge and engine tests use: statuses, redirects, chunked and
 * truncated bodies, stalls, keep-alive.
 */
import { startHttpServer, type TestServer, type ServerBehaviour } from "./support/test-servers";
import { getRequest, httpBody, runSocket } from "./support/socket-run";
import { hostEdgeRigPerFile } from "./support/host-edge-rig";

jest.setTimeout(15_000);

const rig = hostEdgeRigPerFile();
const { factory } = rig;
const servers = rig.servers;

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
