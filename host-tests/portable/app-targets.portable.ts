import { describeAppConfig, parseAppConfig } from "../../modules/app/config";
import { Json, PortableSuite } from "./suite";

const BASE = { ssid: "Lab Net", password: "s3cret-Pa55word" };
const TOKEN = "Bearer tok-9f8e7d6c5b4a";

/** "code:key" of the error a parse throws, or "ok". */
function code(raw: Record<string, unknown>): Json {
  try {
    parseAppConfig({ ...BASE, ...raw });
    return "ok";
  } catch (e) {
    const err = e as { code: string; option: string };
    return `${err.code}:${err.option}`;
  }
}

function messageOf(raw: Record<string, unknown>): string {
  try {
    return describeAppConfig(parseAppConfig({ ...BASE, ...raw })).join("\n");
  } catch (e) {
    return String((e as Error).message);
  }
}

/** Targets as plain data. */
function targets(raw: Record<string, unknown>): Json {
  return parseAppConfig({ ...BASE, ...raw }).targets.map((t) => {
    const o: { [k: string]: Json } = { url: t.url.href, method: t.method, headers: t.headers };
    if (t.body !== undefined) o.body = t.body;
    return o;
  });
}

const POST = { url: "https://api.example.com/telemetry", method: "POST", headers: { "Content-Type": "application/json", Authorization: TOKEN }, body: '{"t":21.5}' };

export const suite: PortableSuite = {
  name: "configured targets: methods, headers, bodies",
  cases: [
    { name: "a comma-separated list: GETs, as before", run: () => targets({ targets: "https://a.example/, http://b.example/x" }), expected: [{ url: "https://a.example/", method: "GET", headers: [] }, { url: "http://b.example/x", method: "GET", headers: [] }] },
    {
      name: "an array of objects and URLs (a typed manifest)",
      run: () => targets({ targets: [POST, "https://c.example/"] }),
      expected: [{ url: "https://api.example.com/telemetry", method: "POST", headers: [["Content-Type", "application/json"], ["Authorization", TOKEN]], body: '{"t":21.5}' }, { url: "https://c.example/", method: "GET", headers: [] }],
    },
    { name: "the same array as a JSON string (mcconfig passes only strings)", run: () => targets({ targets: JSON.stringify([POST]) }), expected: targets({ targets: [POST] }) },
    { name: "one object as a JSON string", run: () => (targets({ targets: JSON.stringify(POST) }) as Json[]).length, expected: 1 },
    {
      name: "a JSON body (object) is sent as JSON with Content-Type application/json",
      run: () => targets({ targets: [{ url: "https://a.example/", method: "PUT", body: { on: true, level: 3 } }] }),
      expected: [{ url: "https://a.example/", method: "PUT", headers: [["Content-Type", "application/json"]], body: '{"on":true,"level":3}' }],
    },
    { name: "DELETE and PATCH are accepted", run: () => (targets({ targets: [{ url: "https://a.example/1", method: "DELETE" }, { url: "https://a.example/1", method: "PATCH", body: "x" }] }) as { method: string }[]).map((t) => t.method), expected: ["DELETE", "PATCH"] },
    { name: "a wrong method name names the key", run: () => [code({ targets: [{ url: "https://a.example/", method: "FETCH" }] }), code({ targets: [{ url: "https://a.example/", method: "post" }] }), code({ targets: [{ url: "https://a.example/", method: 1 }] })], expected: ["CONFIG_BAD_VALUE:targets[0].method", "CONFIG_BAD_VALUE:targets[0].method", "CONFIG_BAD_VALUE:targets[0].method"] },
    { name: "a body with GET or HEAD is refused at the body key", run: () => [code({ targets: [{ url: "https://a.example/", body: "x" }] }), code({ targets: [{ url: "https://a.example/", method: "HEAD", body: {} }] })], expected: ["CONFIG_BAD_VALUE:targets[0].body", "CONFIG_BAD_VALUE:targets[0].body"] },
    {
      name: "header injection in the configuration is refused, the value not echoed",
      run: () => {
        const evil = "ok\r\nX-Evil: 1";
        const m = messageOf({ targets: [{ url: "https://a.example/", headers: { "X-A": evil } }] });
        return [code({ targets: [{ url: "https://a.example/", headers: { "X-A": evil } }] }), m.indexOf("X-Evil") < 0, code({ targets: [{ url: "https://a.example/", headers: { "Bad Name": "1" } }] }), code({ targets: [{ url: "https://a.example/", headers: { Host: "other" } }] }), code({ targets: [{ url: "https://a.example/", headers: { "Content-Length": "5" } }] })];
      },
      expected: ["CONFIG_BAD_VALUE:targets[0].headers", true, "CONFIG_BAD_VALUE:targets[0].headers", "CONFIG_BAD_VALUE:targets[0].headers", "CONFIG_BAD_VALUE:targets[0].headers"],
    },
    { name: "header values must be strings; headers must be an object", run: () => [code({ targets: [{ url: "https://a.example/", headers: { "X-N": 5 } }] }), code({ targets: [{ url: "https://a.example/", headers: ["X-A: 1"] }] })], expected: ["CONFIG_BAD_TYPE:targets[0].headers.X-N", "CONFIG_BAD_TYPE:targets[0].headers"] },
    { name: "unknown target keys, a missing url, a bad url, a number target", run: () => [code({ targets: [{ url: "https://a.example/", methd: "POST" }] }), code({ targets: [{ method: "POST" }] }), code({ targets: [{ url: "ftp://a/" }] }), code({ targets: [5] })], expected: ["CONFIG_UNKNOWN_OPTION:targets[0].methd", "CONFIG_BAD_VALUE:targets[0].url", "CONFIG_BAD_VALUE:targets[0].url", "CONFIG_BAD_TYPE:targets[0]"] },
    { name: "JSON that does not parse says so, with the quoting hint", run: () => [code({ targets: '[{"url": "https://a/"' }), messageOf({ targets: "[{url: 1}]" }).indexOf("shell quoting") > 0], expected: ["CONFIG_BAD_VALUE:targets", true] },
    { name: "a configured body over 4096 bytes is refused", run: () => code({ targets: [{ url: "https://a.example/", method: "POST", body: "x".repeat(4097) }] }), expected: "CONFIG_BAD_VALUE:targets[0].body" },
    { name: "an empty array and too many targets", run: () => [code({ targets: "[]" }), code({ targets: Array(9).fill("https://a.example/") })], expected: ["CONFIG_BAD_VALUE:targets", "CONFIG_BAD_VALUE:targets"] },
    {
      name: "the summary redacts Authorization and the headers marked secret, and shows the body's size only",
      run: () => {
        const m = messageOf({ targets: [{ ...POST, headers: { ...POST.headers, "X-Device-Key": "dk-123456", "X-Trace": "t1" } }], secretHeaders: "x-device-key" });
        return [m.indexOf(TOKEN) < 0, m.indexOf("dk-123456") < 0, m.indexOf("X-Trace: t1") > 0, m.indexOf("Authorization: <redacted>") > 0, m.indexOf("body: 10 bytes") > 0, m.indexOf("21.5") < 0];
      },
      expected: [true, true, true, true, true, true],
    },
    { name: "secretHeaders: a list or an array of header names", run: () => [parseAppConfig({ ...BASE, secretHeaders: "X-A, X-B" }).secretHeaders, parseAppConfig({ ...BASE, secretHeaders: ["X-C"] }).secretHeaders, parseAppConfig({ ...BASE, secretHeaders: '["X-D"]' }).secretHeaders, code({ secretHeaders: ["bad name"] }), code({ secretHeaders: 5 })], expected: [["X-A", "X-B"], ["X-C"], ["X-D"], "CONFIG_BAD_VALUE:secretHeaders[0]", "CONFIG_BAD_TYPE:secretHeaders"] },
    {
      name: "client certificate and key: both or neither, names of embedded files",
      run: () => [
        code({ clientCertificate: "client.pem", clientKey: "client.key" }),
        code({ clientCertificate: "client.pem" }),
        code({ clientKey: "client.key" }),
        code({ clientCertificate: "../client.pem", clientKey: "client.key" }),
        code({ clientCertificate: "client.pem", clientKey: 5 }),
      ],
      expected: ["ok", "CONFIG_CLIENT_AUTH_INCOMPLETE:clientKey", "CONFIG_CLIENT_AUTH_INCOMPLETE:clientCertificate", "CONFIG_BAD_VALUE:clientCertificate", "CONFIG_BAD_TYPE:clientKey"],
    },
    { name: "a mistyped clientCertificate key is caught as a typo", run: () => code({ clientCertificat: "client.pem" }), expected: "CONFIG_UNKNOWN_OPTION:clientCertificat" },
  ],
};
