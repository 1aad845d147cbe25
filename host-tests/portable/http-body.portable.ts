import { latin1, utf8Bytes } from "../../modules/base/bytes";
import { encodeRequestWithBody, prepareBody, RequestBody, RequestWriter, StreamBody } from "../../modules/http/body";
import { checkMethod, encodeRequest, RequestMethod } from "../../modules/http/request";
import { parseUrl } from "../../modules/http/url";
import { dechunk } from "../support/chunked-portable";
import { errorCode, Json, PortableSuite } from "./suite";

const url = parseUrl("http://h.io/in");
const head = (method: RequestMethod, body?: RequestBody) => latin1(encodeRequestWithBody({ method, url }, prepareBody(body))).split("\r\n");

/** A stream of `total` bytes ('a'..'z' repeating), with the sizes it was asked for. */
function stream(total: number, declare: boolean, piece = Infinity): StreamBody & { asked: number[] } {
  let sent = 0;
  const asked: number[] = [];
  const s: StreamBody & { asked: number[] } = {
    asked,
    read(max) {
      asked.push(max);
      const n = Math.min(max, piece, total - sent);
      if (n <= 0) return null;
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = 97 + ((sent + i) % 26);
      sent += n;
      return out;
    },
  };
  if (declare) s.length = total;
  return s;
}

/** Drains a writer with the given write spaces (cycled), returning all bytes and the largest piece over its space. */
function drain(w: RequestWriter, spaces: number[]): { text: string; over: number; pieces: number } {
  let text = "";
  let over = 0;
  let pieces = 0;
  for (let i = 0; !w.done && i < 100000; i++) {
    const space = spaces[i % spaces.length];
    const p = w.next(space);
    if (p.length > space) over++;
    if (p.length) pieces++;
    text += latin1(p);
  }
  return { text, over, pieces };
}

function expectedBody(total: number): string {
  let s = "";
  for (let i = 0; i < total; i++) s += String.fromCharCode(97 + (i % 26));
  return s;
}


export const suite: PortableSuite = {
  name: "request bodies",
  cases: [
    { name: "every method name is checked", run: () => ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"].map((m) => checkMethod(m)), expected: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] },
    { name: "a lower-case method is refused with the upper-case hint", run: () => { try { checkMethod("post"); return "no error"; } catch (e) { return (e as Error).message; } }, expected: 'method "post" is not supported: methods are case-sensitive, write POST' },
    {
      name: "a text body: Content-Length in UTF-8 bytes and a default Content-Type",
      run: () => head("POST", "h\u00e9llo"),
      expected: ["POST /in HTTP/1.1", "Host: h.io", "User-Agent: esp32-https-fetch/0.1 (Moddable XS)", "Accept: */*", "Connection: keep-alive", "Content-Type: text/plain; charset=utf-8", "Content-Length: 6", "", ""],
    },
    {
      name: "the caller's Content-Type replaces the default",
      run: () => latin1(encodeRequestWithBody({ method: "PUT", url, headers: { "Content-Type": "application/json" } }, prepareBody("{}"))).split("\r\n").filter((l) => /^content-(type|length)/i.test(l)),
      expected: ["Content-Type: application/json", "Content-Length: 2"],
    },
    { name: "bytes: Content-Length and no Content-Type", run: () => head("PATCH", new Uint8Array([1, 2, 3])).filter((l) => /^content-/i.test(l)), expected: ["Content-Length: 3"] },
    { name: "a stream of unknown length is chunked", run: () => head("POST", stream(5, false)).filter((l) => /^(content-|transfer-)/i.test(l)), expected: ["Transfer-Encoding: chunked"] },
    { name: "a stream of known length is sent with Content-Length", run: () => head("POST", stream(5, true)).filter((l) => /^(content-|transfer-)/i.test(l)), expected: ["Content-Length: 5"] },
    { name: "POST, PUT and PATCH without a body send Content-Length: 0; DELETE and GET none", run: () => (["POST", "PUT", "PATCH", "DELETE", "GET"] as RequestMethod[]).map((m) => head(m).filter((l) => /^content-length/i.test(l)).join()), expected: ["Content-Length: 0", "Content-Length: 0", "Content-Length: 0", "", ""] },
    { name: "DELETE may carry a body", run: () => head("DELETE", "x").filter((l) => /^content-length/i.test(l)), expected: ["Content-Length: 1"] },
    { name: "a body with GET or HEAD is refused, even an empty one", run: () => [errorCode(() => head("GET", "x")), errorCode(() => head("HEAD", new Uint8Array(0))), errorCode(() => head("GET", stream(1, false)))], expected: ["REQUEST_BODY_NOT_ALLOWED", "REQUEST_BODY_NOT_ALLOWED", "REQUEST_BODY_NOT_ALLOWED"] },
    {
      name: "bad bodies are refused: numbers, plain objects, negative or fractional stream lengths",
      run: () => [errorCode(() => prepareBody(5 as unknown as string)), errorCode(() => prepareBody({ a: 1 } as unknown as string)), errorCode(() => prepareBody({ length: -1, read: () => null })), errorCode(() => prepareBody({ length: 1.5, read: () => null }))],
      expected: ["REQUEST_BAD_BODY", "REQUEST_BAD_BODY", "REQUEST_BAD_BODY", "REQUEST_BAD_BODY"],
    },
    { name: "a hand-made bad length is refused by the encoder", run: () => errorCode(() => encodeRequest({ method: "POST", url, bodyLength: NaN })), expected: "REQUEST_BAD_BODY" },
    {
      name: "a small fixed body goes out with the head in one piece",
      run: () => { const w = new RequestWriter(encodeRequestWithBody({ method: "POST", url }, prepareBody("hi")), prepareBody("hi")); const p = w.next(4096); return { endsWithBody: latin1(p).endsWith("\r\n\r\nhi"), done: w.done }; },
      expected: { endsWithBody: true, done: true },
    },
    {
      name: "a large fixed body: every piece fits its space and the bytes reassemble (spaces 1, 7, 100, 1500)",
      run: () => {
        const body = prepareBody(expectedBody(5000));
        const h = encodeRequestWithBody({ method: "PUT", url }, body);
        const r = drain(new RequestWriter(h, body), [1, 7, 100, 1500]);
        return { over: r.over, same: r.text === latin1(h) + expectedBody(5000) };
      },
      expected: { over: 0, same: true },
    },
    {
      name: "a chunked stream: pieces fit their spaces and the chunks decode to the stream's bytes",
      run: () => {
        const results: Json[] = [];
        for (const spaces of [[1], [3, 1, 9], [64], [1024], [100000]]) {
          const body = prepareBody(stream(3000, false, 700));
          const h = encodeRequestWithBody({ method: "POST", url }, body);
          const r = drain(new RequestWriter(h, body), spaces);
          results.push([r.over, r.text.slice(0, h.length) === latin1(h), dechunk(r.text.slice(h.length)) === expectedBody(3000)]);
        }
        return results;
      },
      expected: [[0, true, true], [0, true, true], [0, true, true], [0, true, true], [0, true, true]],
    },
    {
      name: "a chunk fills the write space: a 1024-byte space gives chunks of 1024 bytes framing included",
      run: () => {
        const s = stream(4000, false);
        const body = prepareBody(s);
        const w = new RequestWriter(new Uint8Array(0), body);
        return [w.next(1024).length, w.next(1024).length, s.asked.slice(0, 2)];
      },
      expected: [1024, 1024, [1017, 1017]],
    },
    {
      name: "a stream of known length is asked for no more than it has left, and not asked again at its end",
      run: () => { const s = stream(1000, true); const w = new RequestWriter(new Uint8Array(0), prepareBody(s)); const r = drain(w, [600]); return [r.text === expectedBody(1000), s.asked]; },
      expected: [true, [600, 400]],
    },
    {
      name: "a stream that gives more than asked is sent in parts, never over the space",
      run: () => { let done = false; const w = new RequestWriter(new Uint8Array(0), prepareBody({ read: () => { if (done) return null; done = true; return utf8Bytes(expectedBody(300)); } })); const r = drain(w, [100]); return [r.over, dechunk(r.text) === expectedBody(300)]; },
      expected: [0, true],
    },
    {
      name: "a stream shorter or longer than its length fails with REQUEST_BODY_LENGTH_MISMATCH",
      run: () => [
        errorCode(() => drain(new RequestWriter(new Uint8Array(0), prepareBody({ length: 10, read: stream(5, false).read })), [100])),
        errorCode(() => drain(new RequestWriter(new Uint8Array(0), prepareBody({ length: 3, read: () => new Uint8Array(5) })), [100])),
      ],
      expected: ["REQUEST_BODY_LENGTH_MISMATCH", "REQUEST_BODY_LENGTH_MISMATCH"],
    },
    {
      name: "a stream that throws or returns a number fails with REQUEST_BODY_FAILED",
      run: () => [
        errorCode(() => drain(new RequestWriter(new Uint8Array(0), prepareBody({ read: () => { throw new Error("sensor gone"); } })), [100])),
        errorCode(() => drain(new RequestWriter(new Uint8Array(0), prepareBody({ read: () => 5 as unknown as null })), [100])),
      ],
      expected: ["REQUEST_BODY_FAILED", "REQUEST_BODY_FAILED"],
    },
    {
      name: "the stream is not read before the head is out, nor when there is no space",
      run: () => { const s = stream(10, false); const w = new RequestWriter(utf8Bytes("HEAD"), prepareBody(s)); w.next(0); w.next(4); const before = [s.asked.length, w.streamRead, w.written]; w.next(100); return [before, s.asked.length, w.streamRead]; },
      expected: [[0, false, 4], 1, true],
    },
    { name: "a text stream piece is sent as UTF-8", run: () => { let n = 0; const w = new RequestWriter(new Uint8Array(0), prepareBody({ length: 2, read: () => (n++ ? null : "é") })); return drain(w, [100]).text; }, expected: "\u00c3\u00a9" },
  ],
};
