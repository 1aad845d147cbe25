/**
 * Keep-alive integrity through the scripted socket: a pooled connection is handed to a new request
 * only when nothing unread waits on it, and any byte that comes while it is idle closes it. Each
 * body names the request it answers, so a fetch that took another's response shows it.
 */
import type { FetchResult } from "../../modules/client/fetch-types";
import { HttpClient } from "../../modules/client/http-client";
import { FakeClock, MockNetwork } from "../support/mock-net-portable";
import { Json, PortableSuite } from "./suite";

const answer = (body: string) => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
const EVIL = answer("EVIL");

function rig() {
  const net = new MockNetwork();
  const clock = new FakeClock();
  const results: FetchResult[] = [];
  const client = new HttpClient({ sockets: net, timers: clock });
  const get = (url: string) => client.fetch({ url, previewBytes: 16 }, (r) => results.push(r));
  return { net, clock, client, results, get };
}

/** Fetches /a on a new plain connection and completes it; the connection goes to the pool. */
function firstFetch(r: ReturnType<typeof rig>): void {
  r.get("http://example.com/a");
  r.net.last.open();
  r.net.last.receive(answer("for /a"));
  r.clock.advance(0);
}

function outcome(r: ReturnType<typeof rig>): Json {
  return {
    previews: r.results.map((x) => (x.ok ? String(x.preview) : `error ${x.error ? x.error.code : "?"}`)),
    conns: r.results.map((x) => x.conn),
    sockets: r.net.sockets.length,
    firstClosed: r.net.sockets[0].closed,
  };
}

export const suite: PortableSuite = {
  name: "pool integrity",
  cases: [
    {
      name: "bytes that arrived unannounced on the pooled connection: it is closed and the next request goes on a new one",
      run: () => {
        const r = rig();
        firstFetch(r);
        r.net.sockets[0].queue(EVIL);
        r.get("http://example.com/b");
        r.net.last.open();
        r.net.last.receive(answer("for /b"));
        r.clock.advance(0);
        return outcome(r);
      },
      expected: { previews: ["for /a", "for /b"], conns: ["new", "new"], sockets: 2, firstClosed: true },
    },
    {
      name: "an extra response announced while idle closes the pooled connection",
      run: () => {
        const r = rig();
        firstFetch(r);
        r.net.sockets[0].receive(EVIL);
        const idle = r.client.idleConnections;
        r.get("http://example.com/b");
        r.net.last.open();
        r.net.last.receive(answer("for /b"));
        r.clock.advance(0);
        return { idleAfterExtra: idle, ...(outcome(r) as { [k: string]: Json }) };
      },
      expected: { idleAfterExtra: 0, previews: ["for /a", "for /b"], conns: ["new", "new"], sockets: 2, firstClosed: true },
    },
    {
      name: "an extra response in the same message as the genuine one: the fetch keeps the genuine one, the connection is not pooled",
      run: () => {
        const r = rig();
        r.get("http://example.com/a");
        r.net.last.open();
        r.net.last.receive(answer("for /a") + EVIL);
        r.clock.advance(0);
        return { idle: r.client.idleConnections, ...(outcome(r) as { [k: string]: Json }) };
      },
      expected: { idle: 0, previews: ["for /a"], conns: ["new"], sockets: 1, firstClosed: true },
    },
    {
      name: "a clean pooled connection is still reused",
      run: () => {
        const r = rig();
        firstFetch(r);
        r.get("http://example.com/b");
        r.net.last.receive(answer("for /b"));
        r.clock.advance(0);
        return outcome(r);
      },
      expected: { previews: ["for /a", "for /b"], conns: ["new", "reused"], sockets: 1, firstClosed: false },
    },
  ],
};
