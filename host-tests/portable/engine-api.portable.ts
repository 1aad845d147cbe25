/**
 * The client's promises to its caller: body preview, capture and limits; bad input as an error
 * result delivered later; cancel; warnings about weakened settings; throwing callbacks; bad options.
 * The rig and its summaries: support/engine-rig-portable.ts.
 */
import type { HttpClientOptions } from "../../modules/client/options";
import { clean, connect, OK, rig, summary } from "../support/engine-rig-portable";
import { Json, PortableSuite } from "./suite";

export const suite: PortableSuite = {
  name: "connection engine: the promises to the caller",
  cases: [
    {
      name: "body: preview and capture are capped; onBody streams every byte",
      run: () => {
        const r = rig();
        let streamed = 0;
        r.get({ url: "https://example.com/", previewBytes: 4, captureBytes: 6, onBody: (d) => { streamed += d.length; } });
        connect(r).receive(OK("h\u00c3\u00a9llo world"), [30, 3, 3]);
        const res = r.results[0];
        return { preview: res.preview ?? null, body: Array.from(res.body ?? []), streamed, bytes: res.bytes };
      },
      expected: { preview: "h\u00e9l", body: [104, 195, 169, 108, 108, 111], streamed: 12, bytes: 12 },
    },
    {
      name: "body: maxBodyBytes refuses a large Content-Length at once, and a long chunked body as it grows",
      run: () => {
        const a = rig();
        a.get({ url: "https://example.com/", maxBodyBytes: 10 });
        connect(a).receive("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n");
        const b = rig();
        b.get({ url: "https://example.com/", maxBodyBytes: 10 });
        const s = connect(b);
        s.receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n");
        const early = b.results.length;
        s.receive("6\r\nghijkl\r\n");
        return [summary(a.results[0]), early, summary(b.results[0]), clean(a), clean(b)];
      },
      expected: [
        { ok: false, status: 200, bytes: 0, conn: "new", code: "BODY_TOO_LARGE", phase: "response" },
        0,
        { ok: false, status: 200, bytes: 12, conn: "new", code: "BODY_TOO_LARGE", phase: "response" },
        { timers: 0, idle: 0, released: true },
        { timers: 0, idle: 0, released: true },
      ],
    },
    {
      name: "bad input is an error result, delivered later (never inside fetch), with no socket opened",
      run: () => {
        const r = rig();
        r.get("https://user:pw@example.com/");
        r.get({ url: "https://example.com/", headers: { "X-A": "1\r\nInjected: yes" } });
        r.get({ url: "https://example.com/", method: "OPTIONS" as "GET" });
        r.get("ftp://example.com/");
        r.get({ url: "https://example.com/", maxBodyBytes: -1 });
        const during = r.results.length;
        r.clock.advance(0);
        const leak = r.results.some((x) => /pw@/.test(JSON.stringify([x.url, x.finalUrl, x.error])));
        return { during, leak, codes: r.results.map((x) => (x.error ? x.error.code : "")), conns: r.results.map((x) => x.conn), sockets: r.net.sockets.length, clean: clean(r) };
      },
      expected: {
        during: 0,
        leak: false,
        codes: ["URL_USERINFO", "REQUEST_HEADER_INJECTION", "REQUEST_BAD_METHOD", "URL_UNSUPPORTED_SCHEME", "REQUEST_INVALID"],
        conns: ["none", "none", "none", "none", "none"],
        sockets: 0,
        clean: { timers: 0, idle: 0, released: true },
      },
    },
    {
      name: "cancel: no result, socket closed, no timer left (also for a result waiting to be delivered)",
      run: () => {
        const r = rig();
        const h = r.get("https://example.com/");
        r.sock.open();
        h.cancel();
        r.clock.advance(60000);
        const bad = r.get("https://user:pw@example.com/");
        bad.cancel();
        r.clock.advance(0);
        return { results: r.results.length, clean: clean(r) };
      },
      expected: { results: 0, clean: { timers: 0, idle: 0, released: true } },
    },
    {
      name: "session cache off reaches the TLS wrap (trust tests need it: a resumed session skips verification)",
      run: () => {
        const r = rig({ tls: { cache: false, tls: "1.2", serverName: "api.example.com" } });
        r.get("https://10.0.0.2/");
        r.sock.open();
        const w = r.net.wraps[0];
        return { host: w.host, cache: w.secure.cache, serverName: w.secure.serverName ?? null };
      },
      expected: { host: "10.0.0.2", cache: false, serverName: "api.example.com" },
    },
    {
      name: "TLS warnings: verification off is logged on every new connection; a legacy version once",
      run: () => {
        const r = rig({ tls: { verify: false, tls: "1.1" } });
        r.get("https://a.example/");
        r.sock.open();
        r.get("https://b.example/");
        r.sock.open();
        return r.logs.map((l) => l.split(" ").slice(0, 3).join(" "));
      },
      expected: ["warning TLS_LEGACY_VERSION host=a.example", "warning TLS_VERIFY_OFF host=a.example", "warning TLS_VERIFY_OFF host=b.example"],
    },
    {
      name: "allowing https to http redirects is logged once; TLS warnings wait for a TLS connection",
      run: () => {
        const r = rig({ allowHttpsToHttpRedirect: true, tls: { tls: "1.1", caCertificates: [Uint8Array.of(0x30, 0x00)] } });
        r.get("http://a.example/");
        r.sock.open();
        r.get("https://b.example/");
        r.sock.open();
        r.get("https://c.example/");
        r.sock.open();
        return r.logs.map((l) => l.split(" ").slice(0, 3).join(" "));
      },
      expected: ["warning REDIRECT_DOWNGRADE_ALLOWED host=a.example", "warning TLS_LEGACY_VERSION host=b.example"],
    },
    {
      name: "a callback that throws does not break the engine",
      run: () => {
        const r = rig();
        r.client.fetch({ url: "https://example.com/" }, () => { throw new Error("boom"); });
        connect(r).receive(OK("1"));
        return { logs: r.logs.filter((l) => l.indexOf("error") === 0), idle: r.client.idleConnections, timers: r.clock.pending };
      },
      expected: { logs: ["error fetch callback threw: boom"], idle: 1, timers: 0 },
    },
    {
      name: "bad client options are refused at construction with a specific code",
      run: () => {
        const codes: Json[] = [];
        for (const bad of [{ timeouts: { connect: 0 } }, { timeouts: { idle: -5 } }, { maxRedirects: -1 }, { tls: { tls: "1.3" } }] as Partial<HttpClientOptions>[]) {
          try {
            rig(bad);
            codes.push("accepted");
          } catch (e) {
            codes.push(String((e as { code?: string }).code));
          }
        }
        return codes;
      },
      expected: ["CONFIG_BAD_VALUE", "CONFIG_BAD_VALUE", "CONFIG_BAD_VALUE", "CONFIG_TLS_VERSION_UNSUPPORTED"],
    },
  ],
};
