/**
 * No secret from a URL reaches a log line, whatever path it took: a configured target with
 * userinfo (as a URL or a target object, in text and JSON logs), a bad value in another key, a
 * redirect to a URL with userinfo (every spelling of it), a fetch asked for such a URL, the fetch
 * loop's lines. Each case collects every line and result text and reports whether the secret
 * appears.
 */
import { App } from "../../modules/app/app";
import type { DeviceHooks } from "../../modules/app/device-hooks";
import { FetchLoop } from "../../modules/app/fetch-loop";
import { HttpClient } from "../../modules/client/http-client";
import type { FetchResult } from "../../modules/client/fetch-types";
import { FakeClock, MockNetwork } from "../support/mock-net-portable";
import { Json, PortableSuite } from "./suite";

const SECRET = "hunter2SECRET";

/** Every spelling of userinfo a server or a configuration may use. */
const USERINFO_URLS = [
  `https://user:${SECRET}@example.com/`,
  `https://user:${SECRET}@example.com/path?q=1`,
  `HTTPS://USER:${SECRET}@EXAMPLE.COM/`,
  `https:user:${SECRET}@example.com/`,
  `//user:${SECRET}@example.com/`,
  `https://user:${SECRET}@example.com/\r\nX: y`,
  `https://us"er:${SECRET}"@example.com/`,
  `https://a@b:${SECRET}@example.com/`,
  `ftp://user:${SECRET}@example.com/`,
  `https://user:${SECRET}@[::1]/`,
  `https://user:${SECRET}@example.com/${"x".repeat(3000)}`,
];

/** The lines App.start logs for a configuration (it stops at the first bad key). */
function startLines(config: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const clock = new FakeClock();
  const hooks: DeviceHooks = {
    log: (line) => lines.push(line), timers: clock, sockets: new MockNetwork(), config,
    readResource: () => undefined, registerCa: () => undefined, joinWifi: () => undefined, rejoinWifi: () => undefined,
    requestTime: () => undefined, setTime: () => undefined,
  };
  App.start(hooks);
  return lines;
}

function leaks(texts: string[]): Json {
  const all = texts.join("\n");
  return { lines: texts.length > 0, leaked: all.indexOf(SECRET) >= 0 };
}

/** A fetch through a redirect to `location`, logged by the fetch loop in `format`. */
function redirected(location: string, format: "text" | "json"): string[] {
  const net = new MockNetwork();
  const clock = new FakeClock();
  const texts: string[] = [];
  const client = new HttpClient({ sockets: net, timers: clock, log: (l) => texts.push(l) });
  const loop = new FetchLoop({
    client, timers: clock, log: (l) => texts.push(l), targets: ["http://example.com/start"], format, previewBytes: 64, summaryEvery: 1,
    // The result as the caller gets it, minus the response's own header fields (data, never logged).
    onResult: (r: FetchResult) => texts.push(JSON.stringify({ ...r, headers: undefined })),
  });
  loop.start();
  clock.advance(0);
  net.last.open();
  net.last.receive(`HTTP/1.1 302 Found\r\nLocation: ${location.replace(/[\r\n]/g, " ")}\r\nContent-Length: 0\r\n\r\n`);
  clock.advance(0);
  loop.stop();
  return texts;
}

const BASE = { ssid: "Lab", password: "wifi-password", caFiles: "" };

export const suite: PortableSuite = {
  name: "log secrets",
  cases: [
    ...USERINFO_URLS.map((url, i) => ({
      name: `configured target with userinfo #${i} (text and JSON log): refused, secret not logged`,
      run: () => leaks([...startLines({ ...BASE, targets: url }), ...startLines({ ...BASE, targets: url, logFormat: "json" })]),
      expected: { lines: true, leaked: false },
    })),
    {
      name: "a target object whose url has userinfo",
      run: () => leaks(startLines({ ...BASE, targets: JSON.stringify([{ url: USERINFO_URLS[0] }]) })),
      expected: { lines: true, leaked: false },
    },
    {
      name: "targets as JSON that does not parse, holding a secret header",
      run: () => leaks(startLines({ ...BASE, targets: `[{"url":"https://example.com/","headers":{"Authorization":"Bearer ${SECRET}"}` })),
      expected: { lines: true, leaked: false },
    },
    {
      name: "a URL with userinfo given to another key",
      run: () => leaks([...startLines({ ...BASE, targets: "https://example.com/", interval: USERINFO_URLS[0] }), ...startLines({ ...BASE, targets: "https://example.com/", sntp: USERINFO_URLS[0] })]),
      expected: { lines: true, leaked: false },
    },
    ...USERINFO_URLS.map((url, i) => ({
      name: `redirect to a location with userinfo #${i}: refused or stripped, secret in no line and no result (text and JSON)`,
      run: () => leaks([...redirected(url, "text"), ...redirected(url, "json")]),
      expected: { lines: true, leaked: false },
    })),
    ...USERINFO_URLS.map((url, i) => ({
      name: `fetch() of a URL with userinfo #${i}: the result holds no secret`,
      run: () => {
        const clock = new FakeClock();
        const results: FetchResult[] = [];
        new HttpClient({ sockets: new MockNetwork(), timers: clock }).fetch({ url }, (r) => results.push(r));
        clock.advance(0);
        return leaks(results.map((r) => JSON.stringify(r)));
      },
      expected: { lines: true, leaked: false },
    })),
    {
      name: "a fetch loop target with userinfo is refused at construction without the secret",
      run: () => {
        const clock = new FakeClock();
        try {
          new FetchLoop({ client: new HttpClient({ sockets: new MockNetwork(), timers: clock }), timers: clock, log: () => undefined, targets: [USERINFO_URLS[3]] });
          return "accepted";
        } catch (e) {
          return leaks([String(e instanceof Error ? e.message : e)]);
        }
      },
      expected: { lines: true, leaked: false },
    },
  ],
};
