/**
 * Adversarial: floods. A server that never stops sending (an endless body, endless 100 Continue
 * heads) must not make the host edge queue without limit: a device has a TCP window of a few KB,
 * and the host edge applies the same back-pressure to TLS as to plain TCP. The bound is measured
 * in the host edge (its queued bytes at every message), not in time.
 */
import type { NodeTcpSocket } from "../host/node-tcp-socket";
import type { NodeTlsSocket } from "../host/node-tls-socket";
import { ESP32_TCP } from "../host/socket-events";
import type { SecureDictionary } from "../modules/client/io";
import { engineHarnessPerFile } from "./support/engine-harness";
import { flood, startScriptedServer, type ScriptedServer } from "./support/hostile-server";
import { runSocket } from "./support/socket-run";

jest.setTimeout(30_000);

const h = engineHarnessPerFile();

/**
 * Host-edge memory allowed under any server: a TCP window, one TLS record (16 KB) being decrypted
 * and a segment or two in flight. Measured: about 20 KB over TLS, 7 KB over TCP.
 */
const QUEUE_BOUND = ESP32_TCP.receiveWindow + 16 * 1024 + 2 * ESP32_TCP.segmentSize;
/** What each flood sends at most (the test ends long before on a bounded client). */
const FLOOD_BYTES = 8 * 1024 * 1024;
/** Bytes the client reads before it stops and looks at the largest queue it saw. */
const READ_BYTES = 2 * 1024 * 1024;

const ENDLESS_BODY = { head: `HTTP/1.1 200 OK\r\nContent-Length: ${FLOOD_BYTES * 2}\r\n\r\n`, piece: Buffer.alloc(16 * 1024, 0x61) };
const ENDLESS_CONTINUE = { head: "", piece: Buffer.from("HTTP/1.1 100 Continue\r\n\r\n".repeat(512), "latin1") };

async function floodServer(tls: boolean, kind: { head: string; piece: Buffer }): Promise<ScriptedServer> {
  const server = await startScriptedServer({
    tls: tls ? { cert: h.pki.fullChain(h.pki.leaf), key: h.pki.leaf.keyPem } : undefined,
    onRequest: ({ stream }) => {
      if (kind.head) stream.write(kind.head);
      flood(stream, kind.piece, FLOOD_BYTES);
    },
  });
  return h.keep(server);
}

/** Reads READ_BYTES of the flood and returns the largest number of bytes the host edge held. */
async function largestQueue(tls: boolean, kind: { head: string; piece: Buffer }): Promise<{ largest: number; read: number }> {
  const server = await floodServer(tls, kind);
  const net = h.factory();
  let largest = 0;
  let read = 0;
  const secure = tls ? ({ protocolVersion: 0x303, verify: true, cache: false, certificate: h.pki.root.der } as SecureDictionary) : undefined;
  await runSocket(net, server.port, {
    secure,
    request: "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    timeoutMs: 20_000,
    onMessage: (socket, message) => {
      const queued = (socket as NodeTcpSocket | NodeTlsSocket).queuedBytes;
      if (queued > largest) largest = queued;
      if (message !== 2) return;
      while (socket.read() > 0) read += socket.read(ArrayBuffer).byteLength;
      return read >= READ_BYTES ? "done" : true;
    },
  });
  return { largest, read };
}

describe("the host edge's queue stays bounded under a flood", () => {
  test.each([
    ["TLS, endless body", true, ENDLESS_BODY],
    ["TLS, endless 100 Continue", true, ENDLESS_CONTINUE],
    ["TCP, endless body", false, ENDLESS_BODY],
    ["TCP, endless 100 Continue", false, ENDLESS_CONTINUE],
  ])("%s", async (_name, tls, kind) => {
    const { largest, read } = await largestQueue(tls, kind);
    expect(read).toBeGreaterThanOrEqual(READ_BYTES);
    expect(largest).toBeLessThanOrEqual(QUEUE_BOUND);
  });
});
