/**
 * Fetches per second on loopback (HTTPS, small JSON body, one fetch at a time) through our engine
 * and the host edge (device profile: TLS 1.2, SecureSocket's suites and read/write sizes), with
 * and without keep-alive, against Node's `https.get` (keep-alive agent, and a new connection
 * each) and the global `fetch` (undici), all in the same run against the same Node HTTPS server,
 * every client verifying the server against the test root CA (no verification switched off).
 *
 * `fetch` has no CA option: it is given a dispatcher made from the Agent class of the undici Node
 * bundles (the class of its global dispatcher), with `connect: { ca }`.
 *
 * Prints fetches/s per client, the ratios ours/theirs, and the TLS handshakes each client made as
 * the server counted them: what keep-alive avoids.
 */
import { Agent as HttpsAgent, get as httpsGet } from "node:https";
import type { TLSSocket } from "node:tls";
import { EngineHarness, fetchOnce, tlsStats, type NodeHttpsServer } from "../host-tests/support/engine-harness";

export interface FetchBenchRow {
  client: string;
  keepAlive: boolean;
  /** Fetches measured (after the warm-up). */
  fetches: number;
  seconds: number;
  perSecond: number;
  /** Every fetch this client made, warm-up included, and the TLS handshakes the server counted for them. */
  allFetches: number;
  handshakes: number;
  /** TLS version and suite negotiated, where the client tells. */
  tls?: string;
}

/** A body like a small sensor API answer. */
const BODY = JSON.stringify({ id: 42, name: "sensor-7", temperature: 21.5, humidity: 40.1, ok: true, tags: ["a", "b", "c"] });

interface Contender {
  client: string;
  keepAlive: boolean;
  /** One fetch; rejects on anything but a 200 with the whole body. */
  once(): Promise<void>;
  /** TLS version and suite of the last connection, where the client tells. */
  tls?: string;
  close(): Promise<void> | void;
}

/** Runs `once` for `ms` after a warm-up, one fetch at a time. */
async function measure(server: NodeHttpsServer, c: Contender, ms: number): Promise<FetchBenchRow> {
  // Warm-up: 20 fetches and at least 300 ms, so the JIT has compiled the hot paths.
  const handshakesBefore = server.handshakes;
  const warmStart = performance.now();
  let warmUp = 0;
  for (; warmUp < 20 || performance.now() - warmStart < 300; warmUp++) await c.once();
  const started = performance.now();
  let fetches = 0;
  while (performance.now() - started < ms) {
    await c.once();
    fetches++;
  }
  const seconds = (performance.now() - started) / 1000;
  const row = { client: c.client, keepAlive: c.keepAlive, fetches, seconds, perSecond: fetches / seconds,
    allFetches: fetches + warmUp, handshakes: server.handshakes - handshakesBefore, tls: c.tls };
  await c.close();
  return row;
}

function ours(h: EngineHarness, url: string, keepAlive: boolean): Contender {
  // The session cache is the device default; the server keeps no session IDs, so every new
  // connection is a full handshake, as against most servers the device meets.
  const { client, net } = h.client({ keepAlive, tls: { caCertificates: [h.pki.root.der] } });
  const c: Contender = {
    client: "engine + host edge",
    keepAlive,
    once: async () => {
      const r = await fetchOnce(client, url);
      if (!r.ok || r.bytes !== BODY.length) throw new Error(`engine fetch failed: ${r.error?.code ?? r.status} ${r.error?.detail ?? ""}`);
      if (!c.tls) {
        const stats = tlsStats(net).pop();
        c.tls = stats && `${stats.protocol} ${stats.cipher}`;
      }
    },
    close: () => client.closeIdle(),
  };
  return c;
}

function nodeHttps(url: string, ca: string, keepAlive: boolean): Contender {
  const agent = new HttpsAgent({ keepAlive, maxSockets: 1, ca });
  const c: Contender = {
    client: "https.get",
    keepAlive,
    once: () => new Promise<void>((resolve, reject) => {
      httpsGet(url, { agent }, (res) => {
        const socket = res.socket as TLSSocket;
        c.tls ??= `${socket.getProtocol()} ${socket.getCipher().name}`;
        let bytes = 0;
        res.on("data", (chunk: Buffer) => (bytes += chunk.length));
        res.on("end", () => (res.statusCode === 200 && bytes === BODY.length ? resolve() : reject(new Error(`https.get: ${res.statusCode}, ${bytes} bytes`))));
        res.on("error", reject);
      }).on("error", reject);
    }),
    close: () => agent.destroy(),
  };
  return c;
}

/** undici's Agent class as Node bundles it (undici itself is not a dependency of this project). */
async function undiciAgentClass(): Promise<new (options: { connect: { ca: string } }) => { close(): Promise<void> }> {
  await (await fetch("data:,x")).text(); // loads the bundled undici, which sets the global dispatcher
  const dispatcher = (globalThis as Record<symbol, unknown>)[Symbol.for("undici.globalDispatcher.1")] as { constructor: unknown } | undefined;
  if (!dispatcher) throw new Error("global fetch: no undici global dispatcher found");
  return dispatcher.constructor as new (options: { connect: { ca: string } }) => { close(): Promise<void> };
}

async function globalFetch(url: string, ca: string): Promise<Contender> {
  const Agent = await undiciAgentClass();
  const dispatcher = new Agent({ connect: { ca } });
  return {
    client: "fetch (undici)",
    keepAlive: true,
    once: async () => {
      const res = await fetch(url, { dispatcher } as RequestInit);
      const text = await res.text();
      if (res.status !== 200 || text.length !== BODY.length) throw new Error(`fetch: ${res.status}, ${text.length} bytes`);
    },
    close: () => dispatcher.close(),
  };
}

/** Each client measured for `ms` after its warm-up (the whole run: 5 clients, about 5 * (ms + 0.3 s) plus a second for the PKI). */
export async function benchFetch(ms = 3000): Promise<FetchBenchRow[]> {
  const h = await new EngineHarness().start();
  try {
    const server = await h.nodeHttps(BODY);
    const url = server.url("/");
    const rows: FetchBenchRow[] = [];
    for (const make of [
      () => ours(h, url, true),
      () => ours(h, url, false),
      () => nodeHttps(url, server.caPem, true),
      () => nodeHttps(url, server.caPem, false),
      () => globalFetch(url, server.caPem),
    ]) {
      rows.push(await measure(server, await make(), ms));
    }
    return rows;
  } finally {
    await h.stop();
  }
}

export function printFetchBench(rows: FetchBenchRow[], log: (line: string) => void = console.log): void {
  log(`HTTPS fetches on loopback, one at a time, ${BODY.length}-byte body, every client verifying the test CA (higher is better)`);
  for (const r of rows) {
    log(`  ${r.client.padEnd(20)} ${(r.keepAlive ? "keep-alive" : "new connection").padEnd(15)} ${r.perSecond.toFixed(0).padStart(6)} fetches/s  ` +
      `(${r.fetches} in ${r.seconds.toFixed(1)} s; ${r.handshakes} TLS handshake${r.handshakes === 1 ? "" : "s"} for ${r.allFetches} fetches with the warm-up)` +
      `${r.tls ? `  ${r.tls}` : ""}`);
  }
  const find = (client: string, keepAlive: boolean) => rows.find((r) => r.client === client && r.keepAlive === keepAlive);
  const ourKa = find("engine + host edge", true);
  const ourNew = find("engine + host edge", false);
  const ratio = (a?: FetchBenchRow, b?: FetchBenchRow) => (a && b ? (a.perSecond / b.perSecond).toFixed(2) : "n/a");
  log(`  ratios: engine/https.get keep-alive ${ratio(ourKa, find("https.get", true))}, engine/https.get new connection ${ratio(ourNew, find("https.get", false))}, ` +
    `engine/fetch ${ratio(ourKa, find("fetch (undici)", true))}; engine keep-alive/new connection ${ratio(ourKa, ourNew)}`);
  if (ourKa) {
    log(`  keep-alive: ${ourKa.allFetches} engine fetches over ${ourKa.handshakes} TLS handshake(s): ${ourKa.allFetches - ourKa.handshakes} handshakes avoided ` +
      `(without keep-alive: ${ourNew ? `${ourNew.handshakes} for ${ourNew.allFetches} fetches` : "one per fetch"}; on an ESP32 each costs 1 to 3 s)`);
  }
}
