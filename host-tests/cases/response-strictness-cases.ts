/**
 * The parser's strict defaults and each named leniency (RFC 9112 decides every default; see the
 * option docs in modules/http/response.ts), the status-line decisions, and the protocol errors
 * that guard a connection: a response nobody asked for, bytes after a close, and that every
 * complete response before an error is delivered and none after it.
 */
import { gets } from "../support/feed";
import { lines, ResponseCase } from "./response-case";

const CHUNKED = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
const CHUNKED_HEAD = ["head 1.1 200 OK framing=chunked length=-1 keepAlive=true", "  Transfer-Encoding: chunked"];
const chunked = (...body: string[]) => CHUNKED + lines(...body);

export const lineEndingCases: ResponseCase[] = [
  { name: "bare LF ending the status line: BARE_LF at the LF", input: "HTTP/1.1 200 OK\nContent-Length: 2\n\nhi", expected: ["error BARE_LF @15"] },
  {
    name: "bare LF line endings with lenientLineEndings",
    input: "HTTP/1.1 200 OK\nContent-Length: 2\nX-A: b\n\nhi",
    options: { lenientLineEndings: true },
    expected: ["head 1.1 200 OK framing=length length=2 keepAlive=true", "  Content-Length: 2", "  X-A: b", "body hi", "complete keepAlive=true"],
  },
  { name: "bare LF ending one field line", input: "HTTP/1.1 200 OK\r\nX-A: b\nContent-Length: 0\r\n\r\n", expected: ["error BARE_LF @23"] },
  { name: "bare LF as the empty line that ends the head", input: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\n", expected: ["error BARE_LF @36"] },
  { name: "bare LF after chunk data", input: chunked("2", "hi\n0", "", ""), expected: [...CHUNKED_HEAD, "body hi", "error BARE_LF @52"] },
  { name: "bare LF ending a chunk-size line", input: CHUNKED + "2\nhi\r\n0\r\n\r\n", expected: [...CHUNKED_HEAD, "error BARE_LF @48"] },
  { name: "bare LF ending the trailer section", input: chunked("0", "X-T: 1", "\n"), expected: [...CHUNKED_HEAD, "error BARE_LF @58"] },
  {
    name: "bare LF as an empty line between two responses",
    input: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    options: { methods: gets(2) },
    expected: ["head 1.1 200 OK framing=length length=0 keepAlive=true", "  Content-Length: 0", "complete keepAlive=true", "error BARE_LF @38"],
  },
  {
    name: "bare LF in chunked framing with lenientLineEndings",
    input: "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nhi\n0\nX-T: 1\n\n",
    options: { lenientLineEndings: true },
    expected: [...CHUNKED_HEAD, "body hi", "trailers X-T: 1", "complete keepAlive=true"],
  },
  {
    name: "a bare CR is refused even with lenientLineEndings",
    input: "HTTP/1.1 200 OK\r\nX-A: 1\rX-B: 2\r\n\r\n",
    options: { lenientLineEndings: true },
    expected: ["error BAD_HEADER_LINE @17"],
  },
];

export const chunkLineCases: ResponseCase[] = [
  { name: "whitespace after the chunk size", input: chunked("5 ", "hello", "0", "", ""), expected: [...CHUNKED_HEAD, "error BAD_CHUNK_SIZE @47"] },
  {
    name: "whitespace after the chunk size with lenientChunkSizeWhitespace",
    input: chunked("5 \t", "hello", "0  ", "", ""),
    options: { lenientChunkSizeWhitespace: true },
    expected: [...CHUNKED_HEAD, "body hello", "complete keepAlive=true"],
  },
  { name: "whitespace after a chunk extension", input: chunked("5;a=b ", "hello", "0", "", ""), expected: [...CHUNKED_HEAD, "error BAD_CHUNK_EXTENSION @47"] },
  {
    name: "whitespace after a chunk extension with lenientChunkSizeWhitespace",
    input: chunked("5;a=b ", "hello", "0", "", ""),
    options: { lenientChunkSizeWhitespace: true },
    expected: [...CHUNKED_HEAD, "body hello", "complete keepAlive=true"],
  },
  {
    name: "BWS around ';' and '=' and quoted values with escapes are valid extensions",
    input: chunked("5 ; a = b ;c=\"x\\\"y; z\"", "hello", "0;last", "", ""),
    expected: [...CHUNKED_HEAD, "body hello", "complete keepAlive=true"],
  },
  { name: "';' with no extension name", input: chunked("2;", "aa", "0", "", ""), expected: [...CHUNKED_HEAD, "error BAD_CHUNK_EXTENSION @47"] },
  {
    name: "';' with no extension name with lenientChunkExtensions",
    input: chunked("2;", "aa", "0", "", ""),
    options: { lenientChunkExtensions: true },
    expected: [...CHUNKED_HEAD, "body aa", "complete keepAlive=true"],
  },
  { name: "extension with an empty name", input: chunked("2;=x", "aa", "0", "", ""), expected: [...CHUNKED_HEAD, "error BAD_CHUNK_EXTENSION @47"] },
  { name: "extension with an unbalanced quote", input: chunked("5;a=\"abc", "hello", "0", "", ""), expected: [...CHUNKED_HEAD, "error BAD_CHUNK_EXTENSION @47"] },
  { name: "extension value with a space outside quotes", input: chunked("5;a=b c", "hello", "0", "", ""), expected: [...CHUNKED_HEAD, "error BAD_CHUNK_EXTENSION @47"] },
  {
    name: "an unbalanced quote with lenientChunkExtensions",
    input: chunked("5;a=\"abc", "hello", "0", "", ""),
    options: { lenientChunkExtensions: true },
    expected: [...CHUNKED_HEAD, "body hello", "complete keepAlive=true"],
  },
  {
    name: "a control character in an extension is refused even with lenientChunkExtensions",
    input: chunked("5;a=\u0001", "hello", "0", "", ""),
    options: { lenientChunkExtensions: true },
    expected: [...CHUNKED_HEAD, "error BAD_CHUNK_EXTENSION @47"],
  },
  {
    name: "text after the size without ';' is refused whatever the leniencies",
    input: chunked("2 erfrferferf", "aa", "0", "", ""),
    options: { lenientChunkExtensions: true, lenientChunkSizeWhitespace: true },
    expected: [...CHUNKED_HEAD, "error BAD_CHUNK_SIZE @47"],
  },
];

export const framingFieldCases: ResponseCase[] = [
  {
    name: "Transfer-Encoding with Content-Length is an error",
    input: lines("HTTP/1.1 200 OK", "Content-Length: 100", "Transfer-Encoding: chunked", "", "1", "a", "0", "", ""),
    expected: ["error TRANSFER_ENCODING_WITH_CONTENT_LENGTH @66"],
  },
  {
    name: "Transfer-Encoding with Content-Length with the leniency: chunked wins, never reused",
    input: lines("HTTP/1.1 200 OK", "Content-Length: 100", "Transfer-Encoding: chunked", "", "1", "a", "0", "", ""),
    options: { lenientTransferEncodingWithContentLength: true },
    expected: ["head 1.1 200 OK framing=chunked length=-1 keepAlive=false", "  Content-Length: 100", "  Transfer-Encoding: chunked", "body a", "complete keepAlive=false"],
  },
  {
    name: "Transfer-Encoding with Content-Length on a 304 is an error too",
    input: lines("HTTP/1.1 304 Not Modified", "Transfer-Encoding: chunked", "Content-Length: 5", "", ""),
    expected: ["error TRANSFER_ENCODING_WITH_CONTENT_LENGTH @74"],
  },
  { name: "differing Content-Length values on a 204", input: lines("HTTP/1.1 204 No Content", "Content-Length: 3", "Content-Length: 4", "", ""), expected: ["error CONFLICTING_CONTENT_LENGTH @63"] },
  { name: "differing Content-Length values in one field on a 304", input: lines("HTTP/1.1 304 Not Modified", "Content-Length: 3, 4", "", ""), expected: ["error CONFLICTING_CONTENT_LENGTH @49"] },
  { name: "an invalid Content-Length on a response to HEAD", input: lines("HTTP/1.1 200 OK", "Content-Length: 1e3", "", ""), options: { methods: ["HEAD"] }, expected: ["error BAD_CONTENT_LENGTH @38"] },
  {
    name: "obs-fold into Transfer-Encoding makes it an invalid coding",
    input: lines("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "  abc", "", "5", "World", "0", "", ""),
    expected: ["error BAD_TRANSFER_ENCODING @52"],
  },
  { name: "a transfer coding that is not a token", input: lines("HTTP/1.1 200 OK", "Transfer-Encoding: \"chunked\"", "", ""), expected: ["error BAD_TRANSFER_ENCODING @47"] },
];

const CLOSE_HEAD = ["head 1.1 200 OK framing=length length=2 keepAlive=false", "  Connection: close", "  Content-Length: 2", "body ok", "complete keepAlive=false"];

export const connectionCases: ResponseCase[] = [
  {
    name: "bytes after a response with Connection: close: the response, then DATA_AFTER_CLOSE",
    input: lines("HTTP/1.1 200 OK", "Connection: close", "Content-Length: 2", "", "okHTTP/1.1 200 OK", "", ""),
    options: { methods: gets(2) },
    expected: [...CLOSE_HEAD, "error DATA_AFTER_CLOSE @59"],
  },
  {
    name: "bytes after a response with Connection: close with lenientDataAfterClose: counted and dropped",
    input: lines("HTTP/1.1 200 OK", "Connection: close", "Content-Length: 2", "", "okjunk after close"),
    options: { lenientDataAfterClose: true },
    expected: [...CLOSE_HEAD, "ignored 16"],
  },
  {
    name: "a CRLF after a response with Connection: close is data after close too",
    input: lines("HTTP/1.1 200 OK", "Connection: close", "Content-Length: 2", "", "ok", ""),
    expected: [...CLOSE_HEAD, "error DATA_AFTER_CLOSE @59"],
  },
  {
    name: "bytes after an HTTP/1.0 response without keep-alive",
    input: lines("HTTP/1.0 204 No Content", "", "HTTP/1.0 200 OK", "", ""),
    options: { methods: gets(2) },
    expected: ["head 1.0 204 No Content framing=none length=-1 keepAlive=false", "complete keepAlive=false", "error DATA_AFTER_CLOSE @27"],
  },
  {
    name: "a second response when one request is pending is UNSOLICITED_RESPONSE, after the first is delivered",
    input: lines("HTTP/1.1 200 OK", "Content-Length: 2", "", "okHTTP/1.1 302 Found", "Location: http://evil.example/", "Content-Length: 0", "", ""),
    expected: ["head 1.1 200 OK framing=length length=2 keepAlive=true", "  Content-Length: 2", "body ok", "complete keepAlive=true", "error UNSOLICITED_RESPONSE @40"],
  },
  { name: "a response with no request recorded", input: lines("HTTP/1.1 200 OK", "Content-Length: 0", "", ""), options: { methods: [] }, expected: ["error UNSOLICITED_RESPONSE @0"] },
  {
    name: "a stray CRLF with no request pending is not skipped",
    input: lines("HTTP/1.1 200 OK", "Content-Length: 2", "", "ok", ""),
    expected: ["head 1.1 200 OK framing=length length=2 keepAlive=true", "  Content-Length: 2", "body ok", "complete keepAlive=true", "error UNSOLICITED_RESPONSE @40"],
  },
  {
    name: "interim responses answer no request of their own: 100 and 103 then the final response",
    input: lines("HTTP/1.1 100 Continue", "", "HTTP/1.1 103 Early Hints", "", "HTTP/1.1 200 OK", "Content-Length: 0", "", "HTTP/1.1 100 Continue", "", ""),
    expected: ["info 100 Continue", "info 103 Early Hints", "head 1.1 200 OK framing=length length=0 keepAlive=true", "  Content-Length: 0", "complete keepAlive=true", "error UNSOLICITED_RESPONSE @91"],
  },
  {
    name: "two requests, three responses: two delivered, then UNSOLICITED_RESPONSE",
    input: lines("HTTP/1.1 200 OK", "Content-Length: 1", "", "aHTTP/1.1 200 OK", "Content-Length: 1", "", "bHTTP/1.1 200 OK", "Content-Length: 1", "", "c"),
    options: { methods: gets(2) },
    expected: [
      "head 1.1 200 OK framing=length length=1 keepAlive=true", "  Content-Length: 1", "body a", "complete keepAlive=true",
      "head 1.1 200 OK framing=length length=1 keepAlive=true", "  Content-Length: 1", "body b", "complete keepAlive=true",
      "error UNSOLICITED_RESPONSE @78",
    ],
  },
];

export const statusLineCases: ResponseCase[] = [
  { name: "HTTP/2.0 status line", input: lines("HTTP/2.0 200 OK", "", ""), expected: ["error UNSUPPORTED_HTTP_VERSION @0"] },
  { name: "HTTP/3.0 status line", input: lines("HTTP/3.0 200 OK", "Content-Length: 0", "", ""), expected: ["error UNSUPPORTED_HTTP_VERSION @0"] },
  { name: "HTTP/0.9 status line (0.9 has none)", input: lines("HTTP/0.9 200 OK", "", "body"), expected: ["error UNSUPPORTED_HTTP_VERSION @0"] },
  { name: "a control character in the reason phrase", input: lines("HTTP/1.1 200 O\u0001K", "Content-Length: 0", "", ""), expected: ["error BAD_STATUS_LINE @0"] },
  {
    name: "obs-text and HTAB in the reason phrase are kept",
    input: lines("HTTP/1.1 500 Ori\u00ebntatie\tprobleem", "Content-Length: 0", "", ""),
    expected: ["head 1.1 500 Ori\u00ebntatie\tprobleem framing=length length=0 keepAlive=true", "  Content-Length: 0", "complete keepAlive=true"],
  },
  { name: "HTTP/1.10: the minor version is one digit", input: lines("HTTP/1.10 200 OK", "", ""), expected: ["error BAD_STATUS_LINE @0"] },
  {
    name: "HTTP/1.9 is kept as received, with 1.1 semantics",
    input: lines("HTTP/1.9 200 OK", "Content-Length: 1", "", "x"),
    expected: ["head 1.9 200 OK framing=length length=1 keepAlive=true", "  Content-Length: 1", "body x", "complete keepAlive=true"],
  },
  {
    name: "status codes 000, 001, 099, 600 and 999 are reported as received, as final responses",
    input: ["000 Zero", "001 One", "099 Below", "600 Above", "999 Top"].map((s) => lines(`HTTP/1.1 ${s}`, "Content-Length: 1", "", "x")).join(""),
    options: { methods: gets(5) },
    expected: [
      ...["0 Zero", "1 One", "99 Below", "600 Above", "999 Top"].flatMap((s) => [`head 1.1 ${s} framing=length length=1 keepAlive=true`, "  Content-Length: 1", "body x", "complete keepAlive=true"]),
    ],
  },
  {
    name: "101 without an upgrade request: its head is reported, then UPGRADE_NOT_REQUESTED",
    input: lines("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "", ""),
    expected: ["info 101 Switching Protocols", "error UPGRADE_NOT_REQUESTED @54"],
  },
];

const OK1 = (c: string) => ["head 1.1 200 OK framing=length length=1 keepAlive=true", "  Content-Length: 1", `body ${c}`, "complete keepAlive=true"];
const three = lines("HTTP/1.1 200 OK", "Content-Length: 1", "", "a") + lines("HTTP/1.1 200 OK", "Content-Length: 1", "", "b") + lines("HTTP/1.1 200 OK", "Content-Length: 1", "", "c");

/** Every complete response before an error is delivered, and nothing after it, however the bytes are split. */
export const partialResultCases: ResponseCase[] = [
  {
    name: "three responses, then a malformed status line",
    input: three + lines("HTTP/1.1 2OO OK", "", ""),
    options: { methods: gets(4) },
    expected: [...OK1("a"), ...OK1("b"), ...OK1("c"), "error BAD_STATUS_LINE @117"],
  },
  {
    name: "three responses, then conflicting Content-Length",
    input: three + lines("HTTP/1.1 200 OK", "Content-Length: 1", "Content-Length: 2", "", "dd"),
    options: { methods: gets(4) },
    expected: [...OK1("a"), ...OK1("b"), ...OK1("c"), "error CONFLICTING_CONTENT_LENGTH @172"],
  },
  {
    name: "three responses, then a chunked body that breaks: the fourth head and its good chunk, then the error",
    input: three + chunked("2", "dd", "3", "eeee", "0", "", ""),
    options: { methods: gets(4) },
    expected: [...OK1("a"), ...OK1("b"), ...OK1("c"), ...CHUNKED_HEAD, "body ddeee", "error BAD_CHUNK_DATA @177"],
  },
  {
    name: "three responses, then the stream ends inside the fourth head",
    input: three + "HTTP/1.1 200 OK\r\nContent-Len",
    options: { methods: gets(4) },
    expected: [...OK1("a"), ...OK1("b"), ...OK1("c"), "error UNEXPECTED_EOF @145"],
  },
  {
    name: "three responses, a fourth that closes, then bytes",
    input: three + lines("HTTP/1.1 200 OK", "Connection: close", "Content-Length: 1", "", "dX"),
    options: { methods: gets(5) },
    expected: [...OK1("a"), ...OK1("b"), ...OK1("c"), "head 1.1 200 OK framing=length length=1 keepAlive=false", "  Connection: close", "  Content-Length: 1", "body d", "complete keepAlive=false", "error DATA_AFTER_CLOSE @175"],
  },
];

export const strictnessCases: ResponseCase[] = [
  ...lineEndingCases,
  ...chunkLineCases,
  ...framingFieldCases,
  ...connectionCases,
  ...statusLineCases,
  ...partialResultCases,
];
