/**
 * The rig of the connection engine's portable suites (host-tests/portable/engine-*.portable.ts):
 * an HttpClient over the scripted socket and the fake clock, and the summaries the cases compare.
 * Runs in Node and, bundled, inside XS: nothing here may use a Node API.
 */
import type { FetchRequest, FetchResult } from "../../modules/client/fetch-types";
import { HttpClient } from "../../modules/client/http-client";
import type { HttpClientOptions } from "../../modules/client/options";
import { FakeClock, MockNetwork, MockNetworkOptions, MockSocket } from "./mock-net-portable";
import type { Json } from "../portable/suite";

export const OK = (body: string, extra = "") => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;

export interface Rig {
  net: MockNetwork;
  clock: FakeClock;
  client: HttpClient;
  results: FetchResult[];
  logs: string[];
  /** Starts a fetch; the result lands in `results`. */
  get(url: string | FetchRequest): { cancel(): void };
  /** The socket to drive: the last one made. */
  readonly sock: MockSocket;
}

export function rig(options: Partial<HttpClientOptions> = {}, netOptions: MockNetworkOptions = {}): Rig {
  const net = new MockNetwork(netOptions);
  const clock = new FakeClock();
  const logs: string[] = [];
  const results: FetchResult[] = [];
  const client = new HttpClient({ sockets: net, timers: clock, log: (l) => logs.push(l), tls: { verify: true }, ...options });
  return {
    net, clock, client, results, logs,
    get: (url) => client.fetch(typeof url === "string" ? { url } : url, (r) => results.push(r)),
    get sock() { return net.last; },
  };
}

/** Connects TCP and finishes the handshake of the last https connection. */
export function connect(r: Rig, tcpMs = 0, tlsMs = 0): MockSocket {
  r.clock.advance(tcpMs);
  r.sock.open();
  r.clock.advance(tlsMs);
  if (r.sock.kind === "tls") r.sock.open();
  return r.sock;
}

export function summary(res: FetchResult | undefined): Json {
  if (!res) return "no result";
  const out: { [k: string]: Json } = { ok: res.ok, status: res.status, bytes: res.bytes, conn: res.conn };
  if (res.redirects) out.redirects = res.redirects;
  if (res.retried) out.retried = true;
  if (res.error) {
    out.code = res.error.code;
    out.phase = res.error.phase;
  }
  return out;
}

/** Nothing left behind: no timer, every socket closed with its callback cleared (idle ones closed first). */
export function clean(r: Rig): Json {
  const pending = r.clock.pending;
  const idle = r.client.idleConnections;
  r.client.closeIdle();
  return { timers: pending, idle, released: r.net.allReleased };
}

export function errorCase(script: (r: Rig) => void, options: Partial<HttpClientOptions> = {}, netOptions: MockNetworkOptions = {}): () => Json {
  return () => {
    const r = rig(options, netOptions);
    script(r);
    return { result: summary(r.results[0]), results: r.results.length, ...(clean(r) as { [k: string]: Json }) };
  };
}

export const REQUEST = "GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: esp32-https-fetch/0.1 (Moddable XS)\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n";
