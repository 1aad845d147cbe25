/**
 * What the engine makes of the parser's guards and status-line decisions: a response nobody asked
 * for never reaches a fetch, a status outside 100-599 is a failure, a 101 says what it switched to.
 */
import { latin1 } from "../../modules/base/bytes";
import type { FetchResult } from "../../modules/client/fetch-types";
import { HttpClient } from "../../modules/client/http-client";
import type { HttpClientOptions } from "../../modules/client/options";
import { FakeClock, MockNetwork, MockSocket } from "../support/mock-net-portable";
import { Json, PortableSuite } from "./suite";

const response = (status: string, body: string, extra = "") => `HTTP/1.1 ${status}\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;

/** A client on a scripted network; `fetch` starts a GET that captures the body, `answer` connects the last socket and feeds it. */
function rig(options: Partial<HttpClientOptions> = {}) {
  const net = new MockNetwork();
  const clock = new FakeClock();
  const logs: string[] = [];
  const client = new HttpClient({ sockets: net, timers: clock, log: (l) => logs.push(l), tls: { verify: true }, ...options });
  const results: FetchResult[] = [];
  return {
    client,
    results,
    logs,
    fetch: (url: string) => client.fetch({ url, captureBytes: 64 }, (r) => results.push(r)),
    connect(): MockSocket {
      net.last.open();
      if (net.last.kind === "tls") net.last.open();
      return net.last;
    },
    get last(): MockSocket {
      return net.last;
    },
  };
}

function outcome(r: FetchResult | undefined): Json {
  if (!r) return "no result";
  const out: { [k: string]: Json } = { ok: r.ok, status: r.status, conn: r.conn, body: r.body ? latin1(r.body) : "" };
  if (r.error) {
    out.code = r.error.code;
    out.detail = r.error.detail;
  }
  return out;
}

export const suite: PortableSuite = {
  name: "engine outcomes of the response parser's guards",
  cases: [
    {
      name: "a forged response queued in the same write as the real one is refused; the next fetch gets its own answer on a new connection",
      run: () => {
        const r = rig();
        r.fetch("https://example.com/a");
        const first = r.connect();
        first.receive(response("200 OK", "mine") + response("302 Found", "forged", "Location: https://evil.example/\r\n"));
        const afterFirst = { result: outcome(r.results[0]), idle: r.client.idleConnections, released: first.released };
        r.fetch("https://example.com/b");
        const second = r.connect();
        second.receive(response("200 OK", "yours"));
        return { ...afterFirst, second: outcome(r.results[1]), newSocket: second !== first };
      },
      expected: {
        result: { ok: true, status: 200, conn: "new", body: "mine" },
        idle: 0,
        released: true,
        second: { ok: true, status: 200, conn: "new", body: "yours" },
        newSocket: true,
      },
    },
    {
      name: "status codes outside 100-599 are failures, handled as server errors",
      run: () => {
        const out: Json[] = [];
        for (const status of ["099 Low", "600 High", "000 Zero"]) {
          const r = rig();
          r.fetch("https://example.com/");
          r.connect().receive(response(status, "x"));
          out.push(outcome(r.results[0]));
        }
        return out;
      },
      expected: [
        { ok: false, status: 99, conn: "new", body: "x", code: "HTTP_STATUS_99", detail: "HTTP 99 Low" },
        { ok: false, status: 600, conn: "new", body: "x", code: "HTTP_STATUS_600", detail: "HTTP 600 High" },
        { ok: false, status: 0, conn: "new", body: "x", code: "HTTP_STATUS_0", detail: "HTTP 0 Zero" },
      ],
    },
    {
      name: "a bare-LF response is HTTP_BARE_LF; with responseLeniency.lenientLineEndings it is read, with one warning",
      run: () => {
        const bareLf = "HTTP/1.1 200 OK\nContent-Length: 2\n\nok";
        const strict = rig();
        strict.fetch("https://example.com/");
        strict.connect().receive(bareLf);
        const lenient = rig({ responseLeniency: { lenientLineEndings: true } });
        lenient.fetch("https://example.com/");
        lenient.connect().receive(bareLf);
        return { strict: outcome(strict.results[0]), lenient: outcome(lenient.results[0]), warnings: lenient.logs.filter((l) => l.indexOf("RESPONSE_LENIENCY_ON") >= 0).length };
      },
      expected: {
        strict: { ok: false, status: 0, conn: "new", body: "", code: "HTTP_BARE_LF", detail: "BARE_LF at byte 15: a line ends in LF without CR (RFC 9112 section 2.2; lenientLineEndings accepts it)" },
        lenient: { ok: true, status: 200, conn: "new", body: "ok" },
        warnings: 1,
      },
    },
    {
      name: "101 with no upgrade requested: HTTP_UPGRADE_NOT_REQUESTED, naming the protocol",
      run: () => {
        const r = rig();
        r.fetch("https://example.com/");
        const s = r.connect();
        s.receive("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n\x81\x05hello");
        return { result: outcome(r.results[0]), idle: r.client.idleConnections, released: s.released };
      },
      expected: {
        result: { ok: false, status: 0, conn: "new", body: "", code: "HTTP_UPGRADE_NOT_REQUESTED", detail: "UPGRADE_NOT_REQUESTED at byte 75: 101 Switching Protocols to \"websocket\", but no upgrade was requested" },
        idle: 0,
        released: true,
      },
    },
  ],
};
