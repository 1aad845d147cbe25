/**
 * Request heads larger than one write go out in pieces that never exceed what the socket's
 * `write()` reports at that moment, whatever message 3 announced (an edge whose two disagree
 * once made a 3 KB Authorization header fail with REQUEST_WRITE_OVERFLOW).
 */
import type { FetchResult } from "../../modules/client/fetch-types";
import { HttpClient } from "../../modules/client/http-client";
import { FakeClock, MockNetwork } from "../support/mock-net-portable";
import { Json, PortableSuite } from "./suite";

function bearer(n: number): string {
  let s = "Bearer ";
  while (s.length < n) s += "eyJhbGciOiJSUzI1NiJ9.";
  return s.slice(0, n);
}

/** A fetch whose head carries `headerBytes` of Authorization, over TLS with `space` per write, woken by message 3s announcing `announced`. */
function send(headerBytes: number, space: number, announced: number): Json {
  const net = new MockNetwork();
  const clock = new FakeClock();
  const results: FetchResult[] = [];
  const client = new HttpClient({ sockets: net, timers: clock });
  client.fetch({ url: "https://example.com/", headers: { Authorization: bearer(headerBytes) } }, (r) => results.push(r));
  net.last.open();
  const tls = net.last;
  tls.space = space;
  tls.open();
  let wakeUps = 0;
  while (tls.written.indexOf("\r\n\r\n") < 0 && !tls.closed && wakeUps < 100) {
    tls.space = space;
    tls.announce(announced);
    wakeUps++;
  }
  const largest = Math.max(...tls.writes.map((w) => w.length));
  const complete = tls.written.indexOf(`Authorization: ${bearer(headerBytes)}\r\n`) > 0 && tls.written.endsWith("\r\n\r\n");
  if (!tls.closed) tls.receive("HTTP/1.1 204 No Content\r\n\r\n");
  clock.advance(0);
  const r = results[0];
  return { complete, largestWriteWithinSpace: largest <= space, status: r ? r.status : -1, error: r && r.error ? r.error.code : null };
}

export const suite: PortableSuite = {
  name: "request pieces",
  cases: [
    {
      name: "a 3 KB Authorization header over 1024-byte writes while message 3 announces 5616: every piece fits write()",
      run: () => send(3 * 1024, 1024, 5616),
      expected: { complete: true, largestWriteWithinSpace: true, status: 204, error: null },
    },
    {
      name: "an 8 KB head over SecureSocket's real space (TCP space minus 128), message 3 agreeing",
      run: () => send(8000, 5744 - 128, 5744 - 128),
      expected: { complete: true, largestWriteWithinSpace: true, status: 204, error: null },
    },
    {
      name: "a message 3 announcing less than write() allows still makes progress",
      run: () => send(3 * 1024, 700, 10),
      expected: { complete: true, largestWriteWithinSpace: true, status: 204, error: null },
    },
  ],
};
