/**
 * Input limits: a Retry-After of any size is honoured up to the backoff ceiling (never ignored,
 * never beyond it); a URL longer than the device sends and logs is refused with a clear error,
 * from the configuration and from a redirect, and no line repeats it.
 */
import { App } from "../../modules/app/app";
import type { DeviceHooks } from "../../modules/app/device-hooks";
import { FetchLoop } from "../../modules/app/fetch-loop";
import { HttpClient } from "../../modules/client/http-client";
import type { FetchResult } from "../../modules/client/fetch-types";
import { MAX_URL_LENGTH } from "../../modules/http/url";
import { AutoServer, FakeClock, MockNetwork } from "../support/mock-net-portable";
import { Json, PortableSuite } from "./suite";

/** The retry_in of the first fetch line after a 503 with this Retry-After, with a 60 s ceiling. */
function retryIn(retryAfter: string): Json {
  const net = new MockNetwork();
  const clock = new FakeClock();
  const logs: string[] = [];
  new AutoServer(net, clock, { respond: () => `HTTP/1.1 503 Busy\r\nRetry-After: ${retryAfter}\r\nContent-Length: 0\r\n\r\n` });
  const client = new HttpClient({ sockets: net, timers: clock });
  const loop = new FetchLoop({ client, timers: clock, log: (l) => logs.push(l), targets: ["http://example.com/"], intervalMs: 1000, random: () => 0.5, backoff: { baseMs: 1000, maxMs: 60000 } });
  loop.start();
  clock.advance(40);
  loop.stop();
  const line = logs.filter((l) => l.indexOf("fetch #") === 0)[0] || "";
  return Number((/retry_in=(\d+)/.exec(line) || ["", "-1"])[1]);
}

const LONG_URL = `https://example.com/${"a".repeat(300 * 1024)}`;

export const suite: PortableSuite = {
  name: "input limits",
  cases: [
    { name: "Retry-After 7: 7 s", run: () => retryIn("7"), expected: 7000 },
    { name: "Retry-After 10^11 seconds: the ceiling, not ignored", run: () => retryIn("100000000000"), expected: 60000 },
    { name: "Retry-After with 400 digits: the ceiling", run: () => retryIn("9".repeat(400)), expected: 60000 },
    { name: "Retry-After 0: the ordinary backoff", run: () => retryIn("0"), expected: 1000 },
    { name: "Retry-After that is not a number of seconds (a date, garbage): the ordinary backoff", run: () => [retryIn("Wed, 21 Oct 2015 07:28:00 GMT"), retryIn("-5"), retryIn("1e9")], expected: [1000, 1000, 1000] },
    {
      name: "a 300 KB URL in the configuration: one config error naming URL_TOO_LONG, in a short line",
      run: () => {
        const lines: string[] = [];
        const hooks: DeviceHooks = {
          log: (l) => lines.push(l), timers: new FakeClock(), sockets: new MockNetwork(),
          config: { ssid: "Lab", password: "", caFiles: "", targets: LONG_URL },
          readResource: () => undefined, registerCa: () => undefined, joinWifi: () => undefined, rejoinWifi: () => undefined,
          requestTime: () => undefined, setTime: () => undefined,
        };
        const app = App.start(hooks);
        return { started: app !== null, longest: Math.max(...lines.map((l) => l.length)) < 1000, says: /config error key=targets.*characters; at most 2048/.test(lines[0] || "") };
      },
      expected: { started: false, longest: true, says: true },
    },
    {
      name: "a URL of exactly the limit is accepted; one more character is URL_TOO_LONG",
      run: () => {
        const base = "https://example.com/";
        const at = base + "a".repeat(MAX_URL_LENGTH - base.length);
        const clock = new FakeClock();
        const results: FetchResult[] = [];
        const net = new MockNetwork();
        const client = new HttpClient({ sockets: net, timers: clock });
        client.fetch({ url: `${at}a` }, (r) => results.push(r));
        client.fetch({ url: at }, (r) => results.push(r));
        clock.advance(0);
        return { refused: results.map((r) => (r.error ? r.error.code : "ok")), connected: net.connects.length };
      },
      expected: { refused: ["URL_TOO_LONG"], connected: 1 },
    },
    {
      name: "a redirect to a 3 KB URL: REDIRECT_BAD_LOCATION, the detail bounded",
      run: () => {
        const net = new MockNetwork();
        const clock = new FakeClock();
        const results: FetchResult[] = [];
        new HttpClient({ sockets: net, timers: clock }).fetch({ url: "http://example.com/" }, (r) => results.push(r));
        net.last.open();
        net.last.receive(`HTTP/1.1 302 Found\r\nLocation: /${"b".repeat(3000)}\r\nContent-Length: 0\r\n\r\n`);
        clock.advance(0);
        const e = results[0] && results[0].error;
        return { code: e ? e.code : null, tooLong: e ? e.detail.indexOf("at most 2048") >= 0 : false, short: e ? e.detail.length < 300 : false };
      },
      expected: { code: "REDIRECT_BAD_LOCATION", tooLong: true, short: true },
    },
  ],
};
