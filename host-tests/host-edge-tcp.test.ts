/**
 * The host edge's plain TCP (host/node-tcp-socket.ts) against loopback servers, and the callback
 * discipline both sockets keep: Moddable's callback and read/write semantics over node:net.
 */
import { ESP32_TCP } from "../host/socket-events";
import { startEchoServer, startHttpServer } from "./support/test-servers";
import { getRequest, httpBody, runSocket, sleep } from "./support/socket-run";
import { hostEdgeRigPerFile } from "./support/host-edge-rig";

jest.setTimeout(15_000);

const rig = hostEdgeRigPerFile();
const { factory, https, secure } = rig;
const servers = rig.servers;

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
