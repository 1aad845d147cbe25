/**
 * Response parser cases: framing and fields as RFC 9112 defines them, with the parser's default
 * (strict) options. Each is fed whole, byte by byte and split at seeded random points (see
 * support/feed.ts); all must give `expected`. Leniencies and protocol errors are in
 * response-strictness-cases.ts, cases taken from other parsers' suites in response-source-cases.ts.
 */
import { gets } from "../support/feed";
import { lines, ResponseCase } from "./response-case";

export const responseCases: ResponseCase[] = [
  {
    name: "Content-Length body",
    input: lines("HTTP/1.1 200 OK", "Content-Type: text/plain", "Content-Length: 5", "", "hello"),
    expected: [
      "head 1.1 200 OK framing=length length=5 keepAlive=true",
      "  Content-Type: text/plain",
      "  Content-Length: 5",
      "body hello",
      "complete keepAlive=true",
    ],
  },
  {
    name: "chunked body with extensions (with spaces) and trailers",
    input: lines("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "", "5 ; ext=1 ;x=\"q s\"", "hello", "6;a", " world", "0 ; end", "Checksum: abc", "X-Trailer: 2", "", ""),
    expected: [
      "head 1.1 200 OK framing=chunked length=-1 keepAlive=true",
      "  Transfer-Encoding: chunked",
      "body hello world",
      "trailers Checksum: abc | X-Trailer: 2",
      "complete keepAlive=true",
    ],
  },
  {
    name: "chunk size with leading zeros and upper-case hex",
    input: lines("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "", "000A", "0123456789", "0000", "", ""),
    expected: [
      "head 1.1 200 OK framing=chunked length=-1 keepAlive=true",
      "  Transfer-Encoding: chunked",
      "body 0123456789",
      "complete keepAlive=true",
    ],
  },
  {
    name: "HEAD response has no body whatever Content-Length says",
    input: lines("HTTP/1.1 200 OK", "Content-Length: 1234", "", ""),
    options: { methods: ["HEAD"] },
    expected: [
      "head 1.1 200 OK framing=none length=-1 keepAlive=true",
      "  Content-Length: 1234",
      "complete keepAlive=true",
    ],
  },
  {
    name: "204 and 304 (with Content-Length) have no body; back to back on one connection",
    options: { methods: gets(3) },
    input: lines("HTTP/1.1 204 No Content", "Content-Length: 10", "", "HTTP/1.1 304 Not Modified", "Content-Length: 42", "ETag: \"x\"", "", "HTTP/1.1 200 OK", "Content-Length: 2", "", "ok"),
    expected: [
      "head 1.1 204 No Content framing=none length=-1 keepAlive=true",
      "  Content-Length: 10",
      "complete keepAlive=true",
      "head 1.1 304 Not Modified framing=none length=-1 keepAlive=true",
      "  Content-Length: 42",
      "  ETag: \"x\"",
      "complete keepAlive=true",
      "head 1.1 200 OK framing=length length=2 keepAlive=true",
      "  Content-Length: 2",
      "body ok",
      "complete keepAlive=true",
    ],
  },
  {
    name: "interim 100 and 103 responses are skipped",
    input: lines("HTTP/1.1 100 Continue", "", "HTTP/1.1 103 Early Hints", "Link: </s.css>; rel=preload", "", "HTTP/1.1 200 OK", "Content-Length: 1", "", "x"),
    expected: [
      "info 100 Continue",
      "info 103 Early Hints",
      "head 1.1 200 OK framing=length length=1 keepAlive=true",
      "  Content-Length: 1",
      "body x",
      "complete keepAlive=true",
    ],
  },
  {
    name: "close-delimited body ends at the end of the stream",
    input: lines("HTTP/1.1 200 OK", "Content-Type: text/plain", "", "all of this until close"),
    expected: [
      "head 1.1 200 OK framing=close length=-1 keepAlive=false",
      "  Content-Type: text/plain",
      "body all of this until close",
      "complete keepAlive=false",
    ],
  },
  {
    name: "HTTP/1.0 without keep-alive closes; with keep-alive persists",
    options: { methods: gets(2) },
    input: lines("HTTP/1.0 200 OK", "Connection: Keep-Alive", "Content-Length: 3", "", "abcHTTP/1.0 200 OK", "Content-Length: 3", "", "def"),
    expected: [
      "head 1.0 200 OK framing=length length=3 keepAlive=true",
      "  Connection: Keep-Alive",
      "  Content-Length: 3",
      "body abc",
      "complete keepAlive=true",
      "head 1.0 200 OK framing=length length=3 keepAlive=false",
      "  Content-Length: 3",
      "body def",
      "complete keepAlive=false",
    ],
  },
  {
    name: "HTTP/1.1 Connection: close ends the connection (close wins over keep-alive)",
    input: lines("HTTP/1.1 200 OK", "Connection: keep-alive, Close", "Content-Length: 2", "", "ok"),
    expected: [
      "head 1.1 200 OK framing=length length=2 keepAlive=false",
      "  Connection: keep-alive, Close",
      "  Content-Length: 2",
      "body ok",
      "complete keepAlive=false",
    ],
  },
  {
    name: "Content-Length with leading zeros",
    input: lines("HTTP/1.1 200 OK", "Content-Length: 0005", "", "12345"),
    expected: [
      "head 1.1 200 OK framing=length length=5 keepAlive=true",
      "  Content-Length: 0005",
      "body 12345",
      "complete keepAlive=true",
    ],
  },
  {
    name: "duplicate identical Content-Length (field repeated and as a list) is one value",
    input: lines("HTTP/1.1 200 OK", "Content-Length: 3", "content-length: 3, 3", "", "abc"),
    expected: [
      "head 1.1 200 OK framing=length length=3 keepAlive=true",
      "  Content-Length: 3",
      "  content-length: 3, 3",
      "body abc",
      "complete keepAlive=true",
    ],
  },
  {
    name: "conflicting Content-Length is an error",
    input: lines("HTTP/1.1 200 OK", "Content-Length: 3", "Content-Length: 4", "", "abcd"),
    expected: [
      "error CONFLICTING_CONTENT_LENGTH @55",
    ],
  },
  {
    name: "non-numeric Content-Length is an error",
    input: lines("HTTP/1.1 200 OK", "Content-Length: -1", "", ""),
    expected: [
      "error BAD_CONTENT_LENGTH @37",
    ],
  },
  {
    name: "obsolete line folding is replaced by a space",
    input: lines("HTTP/1.1 200 OK", "X-Folded: first", "  second", "\tthird", "Content-Length: 0", "", ""),
    expected: [
      "head 1.1 200 OK framing=length length=0 keepAlive=true",
      "  X-Folded: first second third",
      "  Content-Length: 0",
      "complete keepAlive=true",
    ],
  },
  {
    name: "header order and case kept; empty value and trimmed whitespace",
    input: lines("HTTP/1.1 200 OK", "X-B:  two  ", "x-a:1", "X-Empty:", "Set-Cookie: a=1", "Set-Cookie: b=2", "Content-Length: 0", "", ""),
    expected: [
      "head 1.1 200 OK framing=length length=0 keepAlive=true",
      "  X-B: two",
      "  x-a: 1",
      "  X-Empty: ",
      "  Set-Cookie: a=1",
      "  Set-Cookie: b=2",
      "  Content-Length: 0",
      "complete keepAlive=true",
    ],
  },
  {
    name: "obs-text (bytes 0x80-0xFF) in a value is kept as latin1",
    input: lines("HTTP/1.1 200 OK", "X-Name: caf\u00e9 \u00ff", "Content-Length: 0", "", ""),
    expected: [
      "head 1.1 200 OK framing=length length=0 keepAlive=true",
      "  X-Name: caf\u00e9 \u00ff",
      "  Content-Length: 0",
      "complete keepAlive=true",
    ],
  },
  {
    name: "a bare CR before CR LF in a second response's head is refused",
    options: { methods: gets(2) },
    input: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nB: 2\r\r\n\r\n",
    expected: [
      "head 1.1 200 OK framing=length length=0 keepAlive=true",
      "  Content-Length: 0",
      "complete keepAlive=true",
      "error BAD_HEADER_LINE @55",
    ],
  },
  {
    name: "missing reason phrase and empty reason are accepted",
    options: { methods: gets(2) },
    input: lines("HTTP/1.1 200", "Content-Length: 0", "", "HTTP/1.1 404 ", "Content-Length: 0", "", ""),
    expected: [
      "head 1.1 200  framing=length length=0 keepAlive=true",
      "  Content-Length: 0",
      "complete keepAlive=true",
      "head 1.1 404  framing=length length=0 keepAlive=true",
      "  Content-Length: 0",
      "complete keepAlive=true",
    ],
  },
  {
    name: "HTTP/1.2 is reported as received and handled as 1.1 (persistent by default)",
    input: lines("HTTP/1.2 200 OK", "Content-Length: 0", "", ""),
    expected: [
      "head 1.2 200 OK framing=length length=0 keepAlive=true",
      "  Content-Length: 0",
      "complete keepAlive=true",
    ],
  },
  {
    name: "chunked not final: the body runs to close",
    input: lines("HTTP/1.1 200 OK", "Transfer-Encoding: chunked, gzip", "", "raw bytes"),
    expected: [
      "head 1.1 200 OK framing=close length=-1 keepAlive=false codings=gzip",
      "  Transfer-Encoding: chunked, gzip",
      "body raw bytes",
      "complete keepAlive=false",
    ],
  },
  {
    name: "gzip then chunked: chunked framing, gzip reported",
    input: lines("HTTP/1.1 200 OK", "Transfer-Encoding: gzip", "Transfer-Encoding: chunked", "", "3", "xyz", "0", "", ""),
    expected: [
      "head 1.1 200 OK framing=chunked length=-1 keepAlive=true codings=gzip",
      "  Transfer-Encoding: gzip",
      "  Transfer-Encoding: chunked",
      "body xyz",
      "complete keepAlive=true",
    ],
  },
  {
    name: "chunked twice is an error",
    input: lines("HTTP/1.1 200 OK", "Transfer-Encoding: chunked, chunked", "", ""),
    expected: [
      "error BAD_TRANSFER_ENCODING @54",
    ],
  },
  {
    name: "stray empty lines before a status line are skipped",
    options: { methods: gets(2) },
    input: lines("HTTP/1.1 200 OK", "Content-Length: 1", "", "a", "", "HTTP/1.1 200 OK", "Content-Length: 1", "", "b"),
    expected: [
      "head 1.1 200 OK framing=length length=1 keepAlive=true",
      "  Content-Length: 1",
      "body a",
      "complete keepAlive=true",
      "head 1.1 200 OK framing=length length=1 keepAlive=true",
      "  Content-Length: 1",
      "body b",
      "complete keepAlive=true",
    ],
  },
  {
    name: "keep-alive connection ending between responses is clean",
    input: lines("HTTP/1.1 200 OK", "Content-Length: 1", "", "a"),
    expected: [
      "head 1.1 200 OK framing=length length=1 keepAlive=true",
      "  Content-Length: 1",
      "body a",
      "complete keepAlive=true",
    ],
  },
  // Errors
  { name: "bad status line: not HTTP", input: lines("ICY 200 OK", "", ""), expected: [
      "error BAD_STATUS_LINE @0",
    ] },
  { name: "bad status line: two-digit status", input: lines("HTTP/1.1 20 OK", "", ""), expected: [
      "error BAD_STATUS_LINE @0",
    ] },
  { name: "bad status line: lower-case http", input: lines("http/1.1 200 OK", "", ""), expected: [
      "error BAD_STATUS_LINE @0",
    ] },
  { name: "bad header line: no colon", input: lines("HTTP/1.1 200 OK", "NoColonHere", "", ""), expected: [
      "error BAD_HEADER_LINE @17",
    ] },
  { name: "bad header line: space before colon", input: lines("HTTP/1.1 200 OK", "Content-Length : 1", "", "a"), expected: [
      "error BAD_HEADER_LINE @17",
    ] },
  { name: "bad header line: NUL in value", input: lines("HTTP/1.1 200 OK", "X-A: a\u0000b", "", ""), expected: [
      "error BAD_HEADER_LINE @17",
    ] },
  { name: "bad header line: bare CR in value", input: lines("HTTP/1.1 200 OK", "X-A: a\rb", "", ""), expected: [
      "error BAD_HEADER_LINE @17",
    ] },
  { name: "bad header line: whitespace before the first field", input: lines("HTTP/1.1 200 OK", " X-A: b", "", ""), expected: [
      "error BAD_HEADER_LINE @17",
    ] },
  {
    name: "header section over the limit",
    input: lines("HTTP/1.1 200 OK", "X-Big: " + "a".repeat(200), "", ""),
    options: { maxHeaderBytes: 128 },
    expected: [
      "error HEADERS_TOO_LARGE @17",
    ],
  },
  {
    name: "header section exactly at the limit is accepted",
    input: lines("HTTP/1.1 200 OK", "X-A: " + "b".repeat(33), "Content-Length: 0", "", ""),
    options: { maxHeaderBytes: 78 },
    expected: [
      "head 1.1 200 OK framing=length length=0 keepAlive=true",
      "  X-A: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
      "  Content-Length: 0",
      "complete keepAlive=true",
    ],
  },
  {
    name: "header section one byte over the limit",
    input: lines("HTTP/1.1 200 OK", "X-A: " + "b".repeat(33), "Content-Length: 0", "", ""),
    options: { maxHeaderBytes: 77 },
    expected: [
      "error HEADERS_TOO_LARGE @17",
    ],
  },
  {
    name: "trailer section over the limit",
    input: lines("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "", "0", "X-T: " + "t".repeat(100), "", ""),
    options: { maxHeaderBytes: 64 },
    expected: [
      "head 1.1 200 OK framing=chunked length=-1 keepAlive=true",
      "  Transfer-Encoding: chunked",
      "error HEADERS_TOO_LARGE @50",
    ],
  },
  { name: "bad chunk size: not hex", input: lines("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "", "zz", "", ""), expected: [
      "head 1.1 200 OK framing=chunked length=-1 keepAlive=true",
      "  Transfer-Encoding: chunked",
      "error BAD_CHUNK_SIZE @47",
    ] },
  { name: "bad chunk size: 0x prefix", input: lines("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "", "0x5", "hello", "0", "", ""), expected: [
      "head 1.1 200 OK framing=chunked length=-1 keepAlive=true",
      "  Transfer-Encoding: chunked",
      "error BAD_CHUNK_SIZE @47",
    ] },
  { name: "bad chunk size: empty line", input: lines("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "", "", "", ""), expected: [
      "head 1.1 200 OK framing=chunked length=-1 keepAlive=true",
      "  Transfer-Encoding: chunked",
      "error BAD_CHUNK_SIZE @47",
    ] },
  { name: "chunk size overflow", input: lines("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "", "FFFFFFFFFFFFFFFFFF", "", ""), expected: [
      "head 1.1 200 OK framing=chunked length=-1 keepAlive=true",
      "  Transfer-Encoding: chunked",
      "error CHUNK_SIZE_OVERFLOW @47",
    ] },
  { name: "chunk data longer than its size", input: lines("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "", "2", "abc", "0", "", ""), expected: [
      "head 1.1 200 OK framing=chunked length=-1 keepAlive=true",
      "  Transfer-Encoding: chunked",
      "body ab",
      "error BAD_CHUNK_DATA @52",
    ] },
  { name: "truncated Content-Length body", input: lines("HTTP/1.1 200 OK", "Content-Length: 10", "", "abc"), expected: [
      "head 1.1 200 OK framing=length length=10 keepAlive=true",
      "  Content-Length: 10",
      "body abc",
      "error TRUNCATED_BODY @42",
    ] },
  { name: "truncated chunked body", input: lines("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "", "a", "abc"), expected: [
      "head 1.1 200 OK framing=chunked length=-1 keepAlive=true",
      "  Transfer-Encoding: chunked",
      "body abc",
      "error TRUNCATED_BODY @53",
    ] },
  { name: "end of stream inside the head", input: "HTTP/1.1 200 OK\r\nContent-Le", expected: [
      "error UNEXPECTED_EOF @27",
    ] },
  { name: "end of stream inside the status line", input: "HTTP/1.", expected: [
      "error UNEXPECTED_EOF @7",
    ] },
];
