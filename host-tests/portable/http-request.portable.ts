import { latin1 } from "../../modules/base/bytes";
import { RequestWriter } from "../../modules/http/body";
import { encodeRequest, redactHeaders, DEFAULT_USER_AGENT } from "../../modules/http/request";
import { parseUrl } from "../../modules/http/url";
import { PortableSuite, errorCode } from "./suite";

const url = parseUrl("https://example.com:8443/data?x=1");
const text = (spec: Parameters<typeof encodeRequest>[0]) => latin1(encodeRequest(spec)).split("\r\n");
const code = errorCode;

export const suite: PortableSuite = {
  name: "request encoder",
  cases: [
    {
      name: "GET with defaults",
      run: () => text({ url }),
      expected: ["GET /data?x=1 HTTP/1.1", "Host: example.com:8443", `User-Agent: ${DEFAULT_USER_AGENT}`, "Accept: */*", "Connection: keep-alive", "", ""],
    },
    {
      name: "HEAD, close, caller headers replace defaults case-insensitively and keep their order",
      run: () => text({ method: "HEAD", url: parseUrl("http://h.io/"), keepAlive: false, headers: [["accept", "application/json"], ["X-Trace", "1"], ["X-Trace", "2"]] }),
      expected: ["HEAD / HTTP/1.1", "Host: h.io", `User-Agent: ${DEFAULT_USER_AGENT}`, "Connection: close", "accept: application/json", "X-Trace: 1", "X-Trace: 2", "", ""],
    },
    { name: "header object form", run: () => text({ url: parseUrl("http://h.io/"), userAgent: "probe/1", headers: { Authorization: "Bearer t" } })[2], expected: "User-Agent: probe/1" },
    { name: "CR LF in a header value is refused", run: () => code(() => encodeRequest({ url, headers: { "X-A": "ok\r\nX-Evil: 1" } })), expected: "REQUEST_HEADER_INJECTION" },
    { name: "bare LF in a header value is refused", run: () => code(() => encodeRequest({ url, headers: { "X-A": "a\nb" } })), expected: "REQUEST_HEADER_INJECTION" },
    { name: "NUL in a header value is refused", run: () => code(() => encodeRequest({ url, headers: { "X-A": "a\u0000" } })), expected: "REQUEST_HEADER_INJECTION" },
    { name: "CR LF in the user agent is refused", run: () => code(() => encodeRequest({ url, userAgent: "x\r\nHost: evil" })), expected: "REQUEST_HEADER_INJECTION" },
    { name: "header name with a colon or space is refused", run: () => [code(() => encodeRequest({ url, headers: { "X:A": "1" } })), code(() => encodeRequest({ url, headers: { "X A": "1" } })), code(() => encodeRequest({ url, headers: { "X\r\nB": "1" } }))], expected: ["REQUEST_BAD_HEADER_NAME", "REQUEST_BAD_HEADER_NAME", "REQUEST_BAD_HEADER_NAME"] },
    { name: "Host, Content-Length and Transfer-Encoding belong to the client", run: () => [code(() => encodeRequest({ url, headers: { host: "other" } })), code(() => encodeRequest({ url, headers: { "Content-Length": "0" } })), code(() => encodeRequest({ url, headers: { "transfer-encoding": "chunked" } }))], expected: ["REQUEST_FORBIDDEN_HEADER", "REQUEST_FORBIDDEN_HEADER", "REQUEST_FORBIDDEN_HEADER"] },
    { name: "unknown and lower-case methods are refused", run: () => [code(() => encodeRequest({ url, method: "OPTIONS" as "GET" })), code(() => encodeRequest({ url, method: "post" as "GET" })), code(() => encodeRequest({ url, method: 1 as unknown as "GET" }))], expected: ["REQUEST_BAD_METHOD", "REQUEST_BAD_METHOD", "REQUEST_BAD_METHOD"] },
    { name: "a hand-made target with a space or CR is refused", run: () => [code(() => encodeRequest({ url: { ...url, path: "/a b" } })), code(() => encodeRequest({ url: { ...url, path: "/a\r\nX: y" } }))], expected: ["REQUEST_BAD_TARGET", "REQUEST_BAD_TARGET"] },
    {
      name: "writer hands out pieces that fit the write space and reassemble exactly",
      run: () => {
        const bytes = encodeRequest({ url });
        const w = new RequestWriter(bytes);
        let out = "";
        const spaces = [0, 7, 1, 3, 1000];
        const sizes: number[] = [];
        for (const s of spaces) {
          const piece = w.next(s);
          sizes.push(piece.length);
          out += latin1(piece);
        }
        return { same: out === latin1(bytes), sizes: sizes.slice(0, 4), rest: sizes[4] === bytes.length - 11, done: w.done, written: w.written === bytes.length };
      },
      expected: { same: true, sizes: [0, 7, 1, 3], rest: true, done: true, written: true },
    },
    { name: "headers the user marks secret are redacted too, without case", run: () => redactHeaders([["X-Device-Token", "t"], ["x-other", "o"]], ["x-device-token"]), expected: [["X-Device-Token", "<redacted>"], ["x-other", "o"]] },
    { name: "secrets are redacted for logs", run: () => redactHeaders({ Authorization: "Bearer abc", Cookie: "s=1", "X-Api-Key": "k", Accept: "*/*" }), expected: [["Authorization", "<redacted>"], ["Cookie", "<redacted>"], ["X-Api-Key", "<redacted>"], ["Accept", "*/*"]] },
  ],
};
