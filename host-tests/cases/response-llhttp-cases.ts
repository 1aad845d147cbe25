/**
 * Cases taken from llhttp's own test suite (nodejs/llhttp test/response/*.md, and
 * test/request/transfer-encoding.md for chunked framing), each named by its file. The inputs are
 * llhttp's (long bodies shortened); the expected transcripts are this parser's, under its default
 * (strict) options unless a case names a leniency. Where this parser decides differently from
 * llhttp, the case says so and why. h11's and Go's cases are in response-h11-go-cases.ts.
 */
import { gets } from "../support/feed";
import { lines, ResponseCase } from "./response-case";

const LL = "llhttp test/response/";
const LLREQ = "llhttp test/request/transfer-encoding.md";

const chunkedHead = (extra: string[] = []) => ["head 1.1 200 OK framing=chunked length=-1 keepAlive=true", ...extra, "  Transfer-Encoding: chunked"];
const TE = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
const fail = (name: string, input: string, error: string, options?: ResponseCase["options"]): ResponseCase => ({ name, input, options, expected: [`error ${error}`] });

export const llhttpCases: ResponseCase[] = [
  {
    name: `${LL}sample.md: simple response, HTAB and SP before a value`,
    input: lines("HTTP/1.1 200 OK", "Header1: Value1", "Header2:\t Value2", "Content-Length: 0", "", ""),
    expected: ["head 1.1 200 OK framing=length length=0 keepAlive=true", "  Header1: Value1", "  Header2: Value2", "  Content-Length: 0", "complete keepAlive=true"],
  },
  fail(`${LL}sample.md: RTSP/1.1 (llhttp accepts RTSP and ICE; this is an HTTP client)`, lines("RTSP/1.1 200 OK", "", ""), "BAD_STATUS_LINE @0"),
  fail(`${LL}sample.md: HTTPER/1.1`, lines("HTTPER/1.1 200 OK", "", ""), "BAD_STATUS_LINE @0"),
  {
    name: `${LL}sample.md: Google 301, '$' in a field name, spaces around a Content-Length`,
    input: lines("HTTP/1.1 301 Moved Permanently", "Location: http://www.google.com/", "X-$PrototypeBI-Version: 1.6.0.3", "Content-Length:  7  ", "", "<HTML/>"),
    expected: [
      "head 1.1 301 Moved Permanently framing=length length=7 keepAlive=true",
      "  Location: http://www.google.com/",
      "  X-$PrototypeBI-Version: 1.6.0.3",
      "  Content-Length: 7",
      "body <HTML/>",
      "complete keepAlive=true",
    ],
  },
  {
    name: `${LL}sample.md: amazon.com, a chunk whose data is a LF`,
    input: lines("HTTP/1.1 301 MovedPermanently", "Content-Type: text/html; charset=ISO-8859-1", "Transfer-Encoding: chunked", "", "1", "\n", "0", "", ""),
    expected: ["head 1.1 301 MovedPermanently framing=chunked length=-1 keepAlive=true", "  Content-Type: text/html; charset=ISO-8859-1", "  Transfer-Encoding: chunked", "body \n", "complete keepAlive=true"],
  },
  {
    name: `${LL}sample.md: no headers and no body: the body runs to the close`,
    input: lines("HTTP/1.1 404 Not Found", "", ""),
    expected: ["head 1.1 404 Not Found framing=close length=-1 keepAlive=false", "complete keepAlive=false"],
  },
  {
    name: `${LL}sample.md: no reason phrase, and an empty one after SP`,
    input: lines("HTTP/1.1 301", "Content-Length: 0", "", "HTTP/1.1 200 ", "Content-Length: 0", "", ""),
    options: { methods: gets(2) },
    expected: ["head 1.1 301  framing=length length=0 keepAlive=true", "  Content-Length: 0", "complete keepAlive=true", "head 1.1 200  framing=length length=0 keepAlive=true", "  Content-Length: 0", "complete keepAlive=true"],
  },
  fail(`${LL}sample.md: no carriage return`, "HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\nConnection: close\n\nthese headers are from http://news.ycombinator.com/", "BARE_LF @15"),
  {
    name: `${LL}sample.md: no carriage return, with lenientLineEndings`,
    input: "HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\nConnection: close\n\nthese headers",
    options: { lenientLineEndings: true },
    expected: ["head 1.1 200 OK framing=close length=-1 keepAlive=false", "  Content-Type: text/html; charset=utf-8", "  Connection: close", "body these headers", "complete keepAlive=false"],
  },
  {
    name: `${LL}sample.md: underscore in a field name`,
    input: lines("HTTP/1.1 200 OK", "Content-Length: 0", "DCLK_imp: v7;x;114750856;0-0;0;17820020;0/0;21603567/21621457/1;;~okv=;dcmt=text/xml;;~cs=o", "", ""),
    expected: ["head 1.1 200 OK framing=length length=0 keepAlive=true", "  Content-Length: 0", "  DCLK_imp: v7;x;114750856;0-0;0;17820020;0/0;21603567/21621457/1;;~okv=;dcmt=text/xml;;~cs=o", "complete keepAlive=true"],
  },
  {
    name: `${LL}sample.md: bonjourmadame.fr, an empty value is not merged with the next field`,
    input: lines("HTTP/1.0 301 Moved Permanently", "Pragma: ", "Location: http://www.bonjourmadame.fr/", "Content-Length: 0", "Connection: keep-alive", "", ""),
    expected: ["head 1.0 301 Moved Permanently framing=length length=0 keepAlive=true", "  Pragma: ", "  Location: http://www.bonjourmadame.fr/", "  Content-Length: 0", "  Connection: keep-alive", "complete keepAlive=true"],
  },
  {
    name: `${LL}sample.md: odd field names ('.', '_') and Connection: close with chunked`,
    input: lines("HTTP/1.1 200 OK", ".et-Cookie: PlaxoCS=1274804622353690521; path=/", "_eep-Alive: timeout=45", "_onnection: Keep-Alive", "Transfer-Encoding: chunked", "Connection: close", "", "0", "", ""),
    expected: ["head 1.1 200 OK framing=chunked length=-1 keepAlive=false", "  .et-Cookie: PlaxoCS=1274804622353690521; path=/", "  _eep-Alive: timeout=45", "  _onnection: Keep-Alive", "  Transfer-Encoding: chunked", "  Connection: close", "complete keepAlive=false"],
  },
  fail(`${LL}sample.md: a space in a field name`, lines("HTTP/1.1 200 OK", "Server: Microsoft-IIS/6.0", "en-US Content-Type: text/xml", "Content-Length: 0", "", ""), "BAD_HEADER_LINE @44"),
  {
    name: `${LL}sample.md: non-ASCII (UTF-8 bytes) in the reason phrase`,
    input: lines("HTTP/1.1 500 Ori\u00c3\u00abntatieprobleem", "Content-Length: 0", "Connection: close", "", ""),
    expected: ["head 1.1 500 Ori\u00c3\u00abntatieprobleem framing=length length=0 keepAlive=false", "  Content-Length: 0", "  Connection: close", "complete keepAlive=false"],
  },
  fail(`${LL}sample.md: HTTP/0.9 (llhttp accepts it; 0.9 has no status line)`, lines("HTTP/0.9 200 OK", "", ""), "UNSUPPORTED_HTTP_VERSION @0"),
  {
    name: `${LL}sample.md: a response starting with CRLF`,
    input: lines("", "HTTP/1.1 200 OK", "Content-Length: 0", "", ""),
    expected: ["head 1.1 200 OK framing=length length=0 keepAlive=true", "  Content-Length: 0", "complete keepAlive=true"],
  },
  fail(`${LL}invalid.md: HTP/1.1`, lines("HTP/1.1 200 OK", "", ""), "BAD_STATUS_LINE @0"),
  fail(`${LL}invalid.md: extra digit in the major version`, lines("HTTP/01.1 200 OK", "", ""), "BAD_STATUS_LINE @0"),
  fail(`${LL}invalid.md: two-digit major version`, lines("HTTP/11.1 200 OK", "", ""), "BAD_STATUS_LINE @0"),
  fail(`${LL}invalid.md: extra digit in the minor version`, lines("HTTP/1.01 200 OK", "", ""), "BAD_STATUS_LINE @0"),
  fail(`${LL}invalid.md: tab after the version`, lines("HTTP/1.1\t200 OK", "", ""), "BAD_STATUS_LINE @0"),
  fail(`${LL}invalid.md: CR before the response and tab after the version`, lines("\rHTTP/1.1\t200 OK", "", ""), "BAD_STATUS_LINE @0"),
  fail(`${LL}invalid.md: fields separated by a bare CR`, lines("HTTP/1.1 200 OK", "Foo: 1\rBar: 2", "", ""), "BAD_HEADER_LINE @17"),
  fail(`${LL}invalid.md: bare CR after the status line`, lines("HTTP/1.1 200 OK\rContent-Length: 0", "", ""), "BAD_STATUS_LINE @0"),
  fail(`${LL}invalid.md: bare CR CR after the status line`, lines("HTTP/1.1 200 OK\r\rContent-Length: 4", "", "Evil"), "BAD_STATUS_LINE @0"),
  fail(`${LL}invalid.md: HTTP/5.6`, lines("HTTP/5.6 200 OK", "", ""), "UNSUPPORTED_HTTP_VERSION @0"),
  fail(`${LL}invalid.md: space at the start of the first field line`, lines("HTTP/1.1 200 OK", " Host: foo", "", ""), "BAD_HEADER_LINE @17"),
  fail(`${LL}invalid.md: extra space between version and status`, lines("HTTP/1.1  200 OK", "", ""), "BAD_STATUS_LINE @0"),
  {
    name: `${LL}invalid.md: extra space between status and reason is part of the reason`,
    input: lines("HTTP/1.1 200  OK", "Content-Length: 0", "", ""),
    expected: ["head 1.1 200  OK framing=length length=0 keepAlive=true", "  Content-Length: 0", "complete keepAlive=true"],
  },
  fail(`${LL}invalid.md: one-digit status`, lines("HTTP/1.1 2 OK", "", ""), "BAD_STATUS_LINE @0"),
  {
    name: `${LL}connection.md: Proxy-Connection is not Connection (llhttp treats it as one; RFC 9112 does not define it)`,
    input: lines("HTTP/1.1 200 OK", "Content-Length: 11", "Proxy-Connection: close", "", "hello world"),
    expected: ["head 1.1 200 OK framing=length length=11 keepAlive=true", "  Content-Length: 11", "  Proxy-Connection: close", "body hello world", "complete keepAlive=true"],
  },
  {
    name: `${LL}connection.md: HTTP/1.0 keep-alive without a length reads to the close`,
    input: lines("HTTP/1.0 200 OK", "Connection: keep-alive", "", "HTTP/1.0 200 OK"),
    expected: ["head 1.0 200 OK framing=close length=-1 keepAlive=false", "  Connection: keep-alive", "body HTTP/1.0 200 OK", "complete keepAlive=false"],
  },
  {
    name: `${LL}connection.md: HTTP/1.0 keep-alive 204, then a second response cut short`,
    input: lines("HTTP/1.0 204 No content", "Connection: keep-alive", "", "HTTP/1.0 200 OK"),
    options: { methods: gets(2) },
    expected: ["head 1.0 204 No content framing=none length=-1 keepAlive=true", "  Connection: keep-alive", "complete keepAlive=true", "error UNEXPECTED_EOF @66"],
  },
  {
    name: `${LL}connection.md: 204 with Connection: close, then a response`,
    input: lines("HTTP/1.1 204 No content", "Connection: close", "", "HTTP/1.1 200 OK"),
    options: { methods: gets(2) },
    expected: ["head 1.1 204 No content framing=none length=-1 keepAlive=false", "  Connection: close", "complete keepAlive=false", "error DATA_AFTER_CLOSE @46"],
  },
  {
    name: `${LL}connection.md: Connection: close, Content-Length, then more bytes`,
    input: lines("HTTP/1.1 200 No content", "Content-Length: 5", "Connection: close", "", "2ad731e3-4dcd"),
    expected: ["head 1.1 200 No content framing=length length=5 keepAlive=false", "  Content-Length: 5", "  Connection: close", "body 2ad73", "complete keepAlive=false", "error DATA_AFTER_CLOSE @70"],
  },
  {
    name: `${LL}connection.md: the same with lenientDataAfterClose`,
    input: lines("HTTP/1.1 200 No content", "Content-Length: 5", "Connection: close", "", "2ad731e3-4dcd"),
    options: { lenientDataAfterClose: true },
    expected: ["head 1.1 200 No content framing=length length=5 keepAlive=false", "  Content-Length: 5", "  Connection: close", "body 2ad73", "complete keepAlive=false", "ignored 8"],
  },
  {
    name: `${LL}connection.md: 101 with Upgrade and Content-Length (no upgrade was requested)`,
    input: lines("HTTP/1.1 101 Switching Protocols", "Connection: upgrade", "Upgrade: h2c", "Content-Length: 4", "", "bodyproto"),
    expected: ["info 101 Switching Protocols", "error UPGRADE_NOT_REQUESTED @88"],
  },
  {
    name: `${LL}connection.md: 200 with an Upgrade header is an ordinary response`,
    input: lines("HTTP/1.1 200 OK", "Connection: upgrade", "Upgrade: h2c", "", "body"),
    expected: ["head 1.1 200 OK framing=close length=-1 keepAlive=false", "  Connection: upgrade", "  Upgrade: h2c", "body body", "complete keepAlive=false"],
  },
  {
    name: `${LL}connection.md: 304 with Content-Length, a CRLF, then a 200`,
    input: lines("HTTP/1.1 304 Not Modified", "Content-Length: 10", "", "", "HTTP/1.1 200 OK", "Content-Length: 5", "", "hello"),
    options: { methods: gets(2) },
    expected: ["head 1.1 304 Not Modified framing=none length=-1 keepAlive=true", "  Content-Length: 10", "complete keepAlive=true", "head 1.1 200 OK framing=length length=5 keepAlive=true", "  Content-Length: 5", "body hello", "complete keepAlive=true"],
  },
  {
    name: `${LL}connection.md: 304 with Transfer-Encoding, then a chunked 200`,
    input: lines("HTTP/1.1 304 Not Modified", "Transfer-Encoding: chunked", "", "HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "", "5", "hello", "0", "", ""),
    options: { methods: gets(2) },
    expected: ["head 1.1 304 Not Modified framing=none length=-1 keepAlive=true", "  Transfer-Encoding: chunked", "complete keepAlive=true", ...chunkedHead(), "body hello", "complete keepAlive=true"],
  },
  {
    name: `${LL}connection.md: 100, an extra CRLF, then 404`,
    input: lines("HTTP/1.1 100 Continue", "", "", "HTTP/1.1 404 Not Found", "Content-Type: text/plain; charset=utf-8", "Content-Length: 14", "", "404: Not Found"),
    expected: ["info 100 Continue", "head 1.1 404 Not Found framing=length length=14 keepAlive=true", "  Content-Type: text/plain; charset=utf-8", "  Content-Length: 14", "body 404: Not Found", "complete keepAlive=true"],
  },
  {
    name: `${LL}content-length.md: Content-Length-X is not Content-Length`,
    input: lines("HTTP/1.1 200 OK", "Content-Length-X: 0", "Transfer-Encoding: chunked", "", "2", "OK", "0", "", ""),
    expected: [...chunkedHead(["  Content-Length-X: 0"]), "body OK", "complete keepAlive=true"],
  },
  {
    name: `${LL}content-length.md: tabs around a Content-Length`,
    input: lines("HTTP/1.1 200 OK", "Content-Length:\t2\t", "", "ok"),
    expected: ["head 1.1 200 OK framing=length length=2 keepAlive=true", "  Content-Length: 2", "body ok", "complete keepAlive=true"],
  },
  {
    name: `${LL}content-length.md: two responses to HEAD, each with a Content-Length`,
    input: lines("HTTP/1.1 200 OK", "Content-Length: 123", "", "HTTP/1.1 200 OK", "Content-Length: 456", "", ""),
    options: { methods: ["HEAD", "HEAD"] },
    expected: ["head 1.1 200 OK framing=none length=-1 keepAlive=true", "  Content-Length: 123", "complete keepAlive=true", "head 1.1 200 OK framing=none length=-1 keepAlive=true", "  Content-Length: 456", "complete keepAlive=true"],
  },
  {
    name: `${LL}transfer-encoding.md: spaces after the chunk size`,
    input: TE + lines("25  ", "This is the data in the first chunk", "", "0", "", ""),
    expected: [...chunkedHead(), "error BAD_CHUNK_SIZE @47"],
  },
  {
    name: `${LL}transfer-encoding.md: chunked before another coding: read to the close`,
    input: lines("HTTP/1.1 200 OK", "Accept: */*", "Transfer-Encoding: chunked, deflate", "", "World"),
    expected: ["head 1.1 200 OK framing=close length=-1 keepAlive=false codings=deflate", "  Accept: */*", "  Transfer-Encoding: chunked, deflate", "body World", "complete keepAlive=false"],
  },
  {
    name: `${LL}transfer-encoding.md: chunked then identity in two fields: read to the close`,
    input: lines("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "Transfer-Encoding: identity", "", "World"),
    expected: ["head 1.1 200 OK framing=close length=-1 keepAlive=false codings=identity", "  Transfer-Encoding: chunked", "  Transfer-Encoding: identity", "body World", "complete keepAlive=false"],
  },
  {
    name: `${LL}transfer-encoding.md: chunkedchunked is not chunked`,
    input: lines("HTTP/1.1 200 OK", "Transfer-Encoding: chunkedchunked", "", "2", "OK"),
    expected: ["head 1.1 200 OK framing=close length=-1 keepAlive=false codings=chunkedchunked", "  Transfer-Encoding: chunkedchunked", "body 2\r\nOK", "complete keepAlive=false"],
  },
  {
    name: `${LL}transfer-encoding.md: chunk extensions with and without values, quoted ones with ';' inside`,
    input: TE + lines("5;ilovew3=\"I love; extensions\";somuchlove=\"aretheseparametersfor\";blah;foo=bar", "hello", "6;blahblah;blah", " world", "0", "", ""),
    expected: [...chunkedHead(), "body hello world", "complete keepAlive=true"],
  },
  { name: `${LL}transfer-encoding.md: no ';' before an extension`, input: TE + lines("2 erfrferferf", "aa", "0 rrrr", "", ""), expected: [...chunkedHead(), "error BAD_CHUNK_SIZE @47"] },
  { name: `${LL}transfer-encoding.md: no extension after ';'`, input: TE + lines("2;", "aa", "0", "", ""), expected: [...chunkedHead(), "error BAD_CHUNK_EXTENSION @47"] },
  {
    name: `${LL}transfer-encoding.md: unbalanced quotes in extensions`,
    input: TE + lines("5;ilovew3=\"abc\";somuchlove=\"def; ghi", "hello", "0", "", ""),
    expected: [...chunkedHead(), "error BAD_CHUNK_EXTENSION @47"],
  },
  {
    name: `${LL}pipelining.md: three responses, a CRLF after each body`,
    input: lines("HTTP/1.1 200 OK", "Content-Length: 3", "", "AAA", "HTTP/1.1 201 Created", "Content-Length: 4", "", "BBBB", "HTTP/1.1 202 Accepted", "Content-Length: 5", "", "CCCCC"),
    options: { methods: gets(3) },
    expected: [
      "head 1.1 200 OK framing=length length=3 keepAlive=true", "  Content-Length: 3", "body AAA", "complete keepAlive=true",
      "head 1.1 201 Created framing=length length=4 keepAlive=true", "  Content-Length: 4", "body BBBB", "complete keepAlive=true",
      "head 1.1 202 Accepted framing=length length=5 keepAlive=true", "  Content-Length: 5", "body CCCCC", "complete keepAlive=true",
    ],
  },
  { name: `${LLREQ}: a chunk-size line ended by CR CR`, input: TE + "5\r\r;ABCD\r\n34\r\nE\r\n0\r\n\r\n", expected: [...chunkedHead(), "error BAD_CHUNK_SIZE @47"] },
  { name: `${LLREQ}: chunk data not followed by CRLF`, input: TE + "5\r\nABCDE0\r\n\r\n", expected: [...chunkedHead(), "body ABCDE", "error BAD_CHUNK_DATA @55"] },
  { name: `${LLREQ}: a chunk-size line ended by SP LF`, input: TE + "3 \n  \r\nfoo\r\n\r\n", expected: [...chunkedHead(), "error BARE_LF @49"] },
  { name: `${LLREQ}: missing last chunk`, input: TE + "3\r\nfoo\r\n\r\n", expected: [...chunkedHead(), "body foo", "error BAD_CHUNK_SIZE @55"] },
  {
    name: `${LLREQ}: lower- and upper-case sizes, and a last chunk of 000`,
    input: TE + lines("a", "0123456789", "A", "0123456789", "000", "Vary: *", "Content-Type: text/plain", "", ""),
    expected: [...chunkedHead(), "body 01234567890123456789", "trailers Vary: * | Content-Type: text/plain", "complete keepAlive=true"],
  },
];
