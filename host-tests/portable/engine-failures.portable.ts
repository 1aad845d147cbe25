/**
 * TLS and TCP failures as the socket reports them (message -2 with or without the stack's text, a
 * throwing constructor, a close during the handshake, DNS), decoded into diagnoses.
 * The rig and its summaries: support/engine-rig-portable.ts.
 */
import { clean, errorCase, rig, summary } from "../support/engine-rig-portable";
import { PortableSuite } from "./suite";

export const suite: PortableSuite = {
  name: "connection engine: TLS and TCP failures",
  cases: [
    {
      name: "TLS -2 with the captured text is decoded (alert 70, TLS 1.2 offered)",
      run: () => {
        const r = rig();
        r.get("https://example.com/");
        r.sock.open();
        r.sock.fail("TLS: alert: 2, 70");
        const e = r.results[0].error;
        return { code: e?.code ?? "", phase: e?.phase ?? "", detail: e?.detail ?? "", tlsOnly: /TLS 1\.3/.test(e?.hint ?? ""), clean: clean(r) };
      },
      expected: { code: "TLS_ALERT_PROTOCOL_VERSION", phase: "tls-handshake", detail: "TLS: alert: 2, 70", tlsOnly: true, clean: { timers: 0, idle: 0, released: true } },
    },
    {
      name: "TLS -2 without text, and with a clock before the build year",
      run: () => {
        const a = rig();
        a.get("https://example.com/");
        a.sock.open();
        a.sock.fail();
        const b = rig({ buildYear: 2030 });
        b.get("https://example.com/");
        b.sock.open();
        b.sock.fail();
        return [summary(a.results[0]), summary(b.results[0])];
      },
      expected: [
        { ok: false, status: 0, bytes: 0, conn: "new", code: "TLS_ERROR_UNKNOWN", phase: "tls-handshake" },
        { ok: false, status: 0, bytes: 0, conn: "new", code: "TLS_CLOCK_NOT_SET", phase: "tls-handshake" },
      ],
    },
    {
      name: "certificate rejected during the handshake",
      run: errorCase((r) => {
        r.get("https://example.com/");
        r.sock.open();
        r.sock.fail("TLS: certificate: auth err");
      }, { tls: { verify: true, caCertificates: [Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01)] } }),
      expected: { result: { ok: false, status: 0, bytes: 0, conn: "new", code: "TLS_CERT_UNTRUSTED", phase: "tls-handshake" }, results: 1, timers: 0, idle: 0, released: true },
    },
    {
      name: "the SecureSocket constructor throwing (expired CA) is a connect-phase TLS error",
      run: errorCase((r) => {
        r.get("https://example.com/");
        r.sock.open();
      }, {}, { tlsThrows: "date validation failed" }),
      expected: { result: { ok: false, status: 0, bytes: 0, conn: "new", code: "TLS_CA_EXPIRED", phase: "connect" }, results: 1, timers: 0, idle: 0, released: true },
    },
    {
      name: "the server closing during the handshake",
      run: errorCase((r) => {
        r.get("https://example.com/");
        r.sock.open();
        r.sock.hangUp();
      }),
      expected: { result: { ok: false, status: 0, bytes: 0, conn: "new", code: "TLS_HANDSHAKE_CLOSED", phase: "tls-handshake" }, results: 1, timers: 0, idle: 0, released: true },
    },
    {
      name: "TCP errors: -2 while connecting, and a DNS failure thrown by connect",
      run: () => {
        const a = rig();
        a.get("https://example.com/");
        a.sock.fail();
        const b = rig({}, { connectThrows: "dns lookup failed" });
        b.get("https://nowhere.example/");
        const during = b.results.length;
        b.clock.advance(0);
        return [summary(a.results[0]), summary(b.results[0]), b.results[0].error?.detail ?? "", clean(a), clean(b), during];
      },
      expected: [
        { ok: false, status: 0, bytes: 0, conn: "new", code: "CONNECT_FAILED", phase: "connect" },
        { ok: false, status: 0, bytes: 0, conn: "none", code: "DNS_FAILED", phase: "dns" },
        "could not resolve nowhere.example",
        { timers: 0, idle: 0, released: true },
        { timers: 0, idle: 0, released: true },
        0,
      ],
    },
    {
      name: "a write that throws fails the fetch; SecureSocket calling back after the close is harmless",
      run: errorCase((r) => {
        r.get({ url: "https://example.com/", headers: { "X-Pad": "p".repeat(200) } });
        r.sock.open();
        const tls = r.sock;
        tls.space = 100;
        tls.open();
        tls.writeThrows = "can't write all data";
        tls.writable(100);
      }),
      expected: { result: { ok: false, status: 0, bytes: 0, conn: "new", code: "REQUEST_WRITE_OVERFLOW", phase: "request" }, results: 1, timers: 0, idle: 0, released: true },
    },
  ],
};
