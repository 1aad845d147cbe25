/**
 * Redirects: a Location resolved and followed, secret headers kept from other origins, loops, the
 * limit, https to http refused unless allowed.
 * The rig and its summaries: support/engine-rig-portable.ts.
 */
import { clean, connect, errorCase, OK, rig, summary } from "../support/engine-rig-portable";
import { PortableSuite } from "./suite";

export const suite: PortableSuite = {
  name: "connection engine: redirects",
  cases: [
    {
      name: "redirect: a relative Location is resolved and followed on the same kept connection",
      run: () => {
        const r = rig();
        r.get("https://example.com/a/b");
        const s = connect(r);
        s.receive("HTTP/1.1 302 Found\r\nLocation: ../c?d=1\r\nContent-Length: 5\r\n\r\nmoved");
        s.receive(OK("final"));
        const res = r.results[0];
        return { result: summary(res), finalUrl: res.finalUrl, url: res.url, connects: r.net.connects.length, second: s.written.split("\r\n\r\n")[1].split("\r\n")[0] };
      },
      expected: { result: { ok: true, status: 200, bytes: 5, conn: "reused", redirects: 1 }, finalUrl: "https://example.com/c?d=1", url: "https://example.com/a/b", connects: 1, second: "GET /c?d=1 HTTP/1.1" },
    },
    {
      name: "redirect to another origin: new connection, and secret headers are not sent there",
      run: () => {
        const r = rig();
        r.get({ url: "https://example.com/", headers: { Authorization: "Bearer s3cret", "X-Trace": "1" } });
        const first = connect(r);
        first.receive("HTTP/1.1 301 Moved\r\nLocation: https://other.example/x\r\nContent-Length: 0\r\n\r\n");
        const second = connect(r);
        second.receive(OK("ok"));
        return {
          result: summary(r.results[0]),
          firstHasAuth: first.written.indexOf("Authorization: Bearer s3cret") > 0,
          secondHasAuth: second.written.indexOf("Authorization") > 0,
          secondHasTrace: second.written.indexOf("X-Trace: 1") > 0,
          connects: r.net.connects,
          clean: clean(r),
        };
      },
      expected: {
        result: { ok: true, status: 200, bytes: 2, conn: "new", redirects: 1 },
        firstHasAuth: true,
        secondHasAuth: false,
        secondHasTrace: true,
        connects: ["example.com:443", "other.example:443"],
        clean: { timers: 0, idle: 2, released: true },
      },
    },
    {
      name: "redirect loop is detected",
      run: errorCase((r) => {
        r.get("https://example.com/a");
        const s = connect(r);
        s.receive("HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n");
        s.receive("HTTP/1.1 302 Found\r\nLocation: /a\r\nContent-Length: 0\r\n\r\n");
      }),
      expected: { result: { ok: false, status: 302, bytes: 0, conn: "reused", redirects: 1, code: "REDIRECT_LOOP", phase: "response" }, results: 1, timers: 0, idle: 1, released: true },
    },
    {
      name: "redirect limit: the default of 5 is followed, the 6th is refused",
      run: () => {
        const r = rig();
        r.get("https://example.com/0");
        const s = connect(r);
        for (let i = 1; i <= 6; i++) s.receive(`HTTP/1.1 307 Temporary\r\nLocation: /${i}\r\nContent-Length: 0\r\n\r\n`);
        return { result: summary(r.results[0]), detail: r.results[0].error?.detail ?? "", requests: s.written.split("GET ").length - 1 };
      },
      expected: { result: { ok: false, status: 307, bytes: 0, conn: "reused", redirects: 5, code: "REDIRECT_TOO_MANY", phase: "response" }, detail: "6 redirects (limit 5) to https://example.com/6", requests: 6 },
    },
    {
      name: "https to http redirect is refused unless explicitly allowed",
      run: () => {
        const loc = "HTTP/1.1 301 Moved\r\nLocation: http://example.com/\r\nContent-Length: 0\r\n\r\n";
        const a = rig();
        a.get("https://example.com/");
        connect(a).receive(loc);
        const b = rig({ allowHttpsToHttpRedirect: true });
        b.get("https://example.com/");
        connect(b).receive(loc);
        connect(b).receive(OK("plain"));
        return [summary(a.results[0]), summary(b.results[0]), b.net.connects];
      },
      expected: [
        { ok: false, status: 301, bytes: 0, conn: "new", code: "REDIRECT_DOWNGRADE_REFUSED", phase: "response" },
        { ok: true, status: 200, bytes: 5, conn: "new", redirects: 1 },
        ["example.com:443", "example.com:80"],
      ],
    },
    {
      name: "redirect without Location, with a bad Location, and with redirects off",
      run: () => {
        const a = rig();
        a.get("https://example.com/");
        connect(a).receive("HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n");
        const b = rig();
        b.get("https://example.com/");
        connect(b).receive("HTTP/1.1 302 Found\r\nLocation: ftp://example.com/\r\nContent-Length: 0\r\n\r\n");
        const c = rig({ maxRedirects: 0 });
        c.get("https://example.com/");
        connect(c).receive("HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n");
        return [summary(a.results[0]), summary(b.results[0]), summary(c.results[0])];
      },
      expected: [
        { ok: false, status: 302, bytes: 0, conn: "new", code: "REDIRECT_MISSING_LOCATION", phase: "response" },
        { ok: false, status: 302, bytes: 0, conn: "new", code: "REDIRECT_BAD_LOCATION", phase: "response" },
        { ok: true, status: 302, bytes: 0, conn: "new" },
      ],
    },
  ],
};
