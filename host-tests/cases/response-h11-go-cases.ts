/**
 * Cases taken from h11's (python-hyper/h11 h11/tests/test_io.py) and Go's (golang/go
 * src/net/http/response_test.go, TestReadResponse and TestReadResponseErrors) own suites, each
 * named by its source. The inputs are theirs; the expected transcripts are this parser's, under
 * its default (strict) options unless a case names a leniency. Where this parser decides
 * differently, the case says so and why.
 */
import { gets } from "../support/feed";
import { lines, ResponseCase } from "./response-case";

const H11 = "h11 test_io.py:";
const GO = "Go response_test.go:";
const TE = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
const CHUNKED_HEAD = ["head 1.1 200 OK framing=chunked length=-1 keepAlive=true", "  Transfer-Encoding: chunked"];
const fail = (name: string, input: string, error: string, options?: ResponseCase["options"]): ResponseCase => ({ name, input, options, expected: [`error ${error}`] });
/** The one-line head of Go's status and version cases, then a field and the end of the head. */
const goStatus = (status: string) => `HTTP/1.1 ${status}\r\nFoo: bar\r\n\r\n`;
const goVersion = (version: string) => `${version} 200 OK\r\n\r\n`;

export const h11Cases: ResponseCase[] = [
  {
    name: `${H11} inner spaces of a value are kept, outer ones trimmed`,
    input: lines("HTTP/1.0 200 OK", "Foo: a a a a a ", "Content-Length: 0", "", ""),
    expected: ["head 1.0 200 OK framing=length length=0 keepAlive=false", "  Foo: a a a a a", "  Content-Length: 0", "complete keepAlive=false"],
  },
  {
    name: `${H11} a value of only whitespace is empty`,
    input: lines("HTTP/1.0 200 OK", "Foo: \t \t ", "Content-Length: 0", "", ""),
    expected: ["head 1.0 200 OK framing=length length=0 keepAlive=false", "  Foo: ", "  Content-Length: 0", "complete keepAlive=false"],
  },
  {
    name: `${H11} a status line without a reason`,
    input: lines("HTTP/1.0 200", "Foo: bar", "Content-Length: 0", "", ""),
    expected: ["head 1.0 200  framing=length length=0 keepAlive=false", "  Foo: bar", "  Content-Length: 0", "complete keepAlive=false"],
  },
  fail(`${H11} LF then CRLF ending the head (h11 tolerates it)`, "HTTP/1.1 200 OK\r\nSomeHeader: val\n\r\n", "BARE_LF @32"),
  {
    name: `${H11} mixed CRLF and LF with lenientLineEndings`,
    input: "HTTP/1.1 200 OK\r\nSomeHeader1: val1\nSomeHeader2: val2\n\r\n",
    options: { lenientLineEndings: true, eof: false },
    expected: ["head 1.1 200 OK framing=close length=-1 keepAlive=false", "  SomeHeader1: val1", "  SomeHeader2: val2"],
  },
  {
    name: `${H11} obs-fold over several lines, with HTAB and runs of whitespace`,
    input: lines("HTTP/1.1 200 OK", "Some: multi-line", " header", "\tnonsense", "    \t   \t\tI guess", "Connection: close", "More-nonsense: in the", "    last header  ", "Content-Length: 0", "", ""),
    expected: ["head 1.1 200 OK framing=length length=0 keepAlive=false", "  Some: multi-line header nonsense I guess", "  Connection: close", "  More-nonsense: in the last header", "  Content-Length: 0", "complete keepAlive=false"],
  },
  fail(`${H11} a folded line before any field`, lines("HTTP/1.1 200 OK", "  folded: line", "", ""), "BAD_HEADER_LINE @17"),
  fail(`${H11} spaces between a name and its colon`, lines("HTTP/1.1 200 OK", "foo  : line", "", ""), "BAD_HEADER_LINE @17"),
  fail(`${H11} a tab between a name and its colon`, lines("HTTP/1.1 200 OK", "foo\t: line", "", ""), "BAD_HEADER_LINE @17"),
  fail(`${H11} an empty field name`, lines("HTTP/1.1 200 OK", ": line", "", ""), "BAD_HEADER_LINE @17"),
  fail(`${H11} NUL after the reason phrase`, "HTTP/1.0 200 OK\u0000xxxx\r\n\r\n", "BAD_STATUS_LINE @0"),
  {
    name: `${H11} chunks of 5 and 16 bytes with a trailer`,
    input: TE + "5\r\n01234\r\n10\r\n0123456789abcdef\r\n0\r\nSome: header\r\n\r\n",
    expected: [...CHUNKED_HEAD, "body 012340123456789abcdef", "trailers Some: header", "complete keepAlive=true"],
  },
  {
    name: `${H11} a mixed-case size (aA)`,
    input: TE + "aA\r\n" + "x".repeat(0xaa) + "\r\n0\r\n\r\n",
    expected: [...CHUNKED_HEAD, `body ${"x".repeat(0xaa)}`, "complete keepAlive=true"],
  },
  { name: `${H11} a 100-digit chunk size`, input: TE + "9".repeat(100) + "\r\nxxx", expected: [...CHUNKED_HEAD, "error CHUNK_SIZE_OVERFLOW @47"] },
  { name: `${H11} NUL in a chunk size`, input: TE + "10\u0000\r\nxxx", expected: [...CHUNKED_HEAD, "error BAD_CHUNK_SIZE @47"] },
  {
    name: `${H11} extensions with values, quoted and unquoted`,
    input: TE + "5; hello=there\r\nxxxxx\r\n0; random=\"junk\"; some=more; canbe=lonnnnngg\r\n\r\n",
    expected: [...CHUNKED_HEAD, "body xxxxx", "complete keepAlive=true"],
  },
  { name: `${H11} spaces and tabs after a chunk size (h11 accepts them)`, input: TE + "5   \t \r\n01234\r\n0\r\n\r\n", expected: [...CHUNKED_HEAD, "error BAD_CHUNK_SIZE @47"] },
  {
    name: `${H11} spaces and tabs after a chunk size with lenientChunkSizeWhitespace`,
    input: TE + "5   \t \r\n01234\r\n0\r\n\r\n",
    options: { lenientChunkSizeWhitespace: true },
    expected: [...CHUNKED_HEAD, "body 01234", "complete keepAlive=true"],
  },
  { name: `${H11} chunk data followed by '__' instead of CRLF`, input: TE + "3\r\nxxx__1a\r\n", expected: [...CHUNKED_HEAD, "body xxx", "error BAD_CHUNK_DATA @53"] },
  { name: `${H11} chunk data followed by CR '_'`, input: TE + "3\r\nxxx\r_1a\r\n", expected: [...CHUNKED_HEAD, "body xxx", "error BAD_CHUNK_DATA @54"] },
  { name: `${H11} chunk data followed by '_' LF`, input: TE + "3\r\nxxx_\n1a\r\n", expected: [...CHUNKED_HEAD, "body xxx", "error BAD_CHUNK_DATA @53"] },
];

export const goCases: ResponseCase[] = [
  {
    name: `${GO} HTTP/1.0 with Connection: close and no length`,
    input: lines("HTTP/1.0 200 OK", "Connection: close", "", "Body here\n"),
    expected: ["head 1.0 200 OK framing=close length=-1 keepAlive=false", "  Connection: close", "body Body here\n", "complete keepAlive=false"],
  },
  {
    name: `${GO} a 204 followed by bytes with no request pending`,
    input: lines("HTTP/1.1 204 No Content", "", "Body should not be read!\n"),
    expected: ["head 1.1 204 No Content framing=none length=-1 keepAlive=true", "complete keepAlive=true", "error UNSOLICITED_RESPONSE @27"],
  },
  {
    name: `${GO} HTTP/1.0 with Content-Length and Connection: close`,
    input: lines("HTTP/1.0 200 OK", "Content-Length: 10", "Connection: close", "", "Body here\n"),
    expected: ["head 1.0 200 OK framing=length length=10 keepAlive=false", "  Content-Length: 10", "  Connection: close", "body Body here\n", "complete keepAlive=false"],
  },
  {
    name: `${GO} chunked with a zero-padded size and a LF inside the data`,
    input: TE + "0a\r\nBody here\n\r\n09\r\ncontinued\r\n0\r\n\r\n",
    expected: [...CHUNKED_HEAD, "body Body here\ncontinued", "complete keepAlive=true"],
  },
  fail(`${GO} chunked with a Content-Length (Go accepts it)`, lines("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "Content-Length: 10", "", "0a", "Body here\n", "0", "", ""), "TRANSFER_ENCODING_WITH_CONTENT_LENGTH @65"),
  {
    name: `${GO} chunked to HEAD: no body`,
    input: TE,
    options: { methods: ["HEAD"] },
    expected: ["head 1.1 200 OK framing=none length=-1 keepAlive=true", "  Transfer-Encoding: chunked", "complete keepAlive=true"],
  },
  {
    name: `${GO} HTTP/1.0 Content-Length to HEAD: no body, not persistent`,
    input: lines("HTTP/1.0 200 OK", "Content-Length: 256", "", ""),
    options: { methods: ["HEAD"] },
    expected: ["head 1.0 200 OK framing=none length=-1 keepAlive=false", "  Content-Length: 256", "complete keepAlive=false"],
  },
  {
    name: `${GO} an empty reason after SP, and none at all`,
    input: lines("HTTP/1.0 303 ", "", ""),
    expected: ["head 1.0 303  framing=close length=-1 keepAlive=false", "complete keepAlive=false"],
  },
  fail(`${GO} 206 multipart/byteranges with LF line ends (a Go raw string)`, "HTTP/1.1 206 Partial Content\nConnection: close\nContent-Type: multipart/byteranges; boundary=18a75608c8f47cef\n\nsome body", "BARE_LF @28"),
  {
    name: `${GO} keep-alive and close on one Connection line, and on two`,
    input: lines("HTTP/1.1 200 OK", "Content-Length: 0", "Connection: keep-alive", "Connection: close", "", ""),
    expected: ["head 1.1 200 OK framing=length length=0 keepAlive=false", "  Content-Length: 0", "  Connection: keep-alive", "  Connection: close", "complete keepAlive=false"],
  },
  {
    name: `${GO} HTTP/1.0 with a bogus Transfer-Encoding (Go ignores it): faulty framing, read to the close`,
    input: lines("HTTP/1.0 200 OK", "Transfer-Encoding: bogus", "", "Body here\n"),
    expected: ["head 1.0 200 OK framing=close length=-1 keepAlive=false codings=bogus", "  Transfer-Encoding: bogus", "body Body here\n", "complete keepAlive=false"],
  },
  fail(`${GO} HTTP/1.0 with a bogus Transfer-Encoding and a Content-Length`, lines("HTTP/1.0 200 OK", "Transfer-Encoding: bogus", "Content-Length: 10", "", "Body here\n"), "TRANSFER_ENCODING_WITH_CONTENT_LENGTH @63"),
  { name: `${GO} an empty stream is no response and no error`, input: "", expected: [] },
  fail(`${GO} the stream ends inside the head`, "HTTP/1.1 301 Moved Permanently\r\nFoo: bar", "UNEXPECTED_EOF @40"),
  fail(`${GO} the stream ends inside the status line`, "HTTP/1.1", "UNEXPECTED_EOF @8"),
  fail(`${GO} "HTTP/2.0" and the end of the stream`, "HTTP/2.0", "UNEXPECTED_EOF @8"),
  ...["20X Unknown", "abcd Unknown", "\u00e4\u00ba\u008c\u00e7\u0099\u00be/\u00e4\u00b8\u00a4\u00e7\u0099\u00be OK", " Unknown", "c8 OK", "0x12d Moved Permanently", "20 OK", "00 OK", "-10 OK", "1000 OK", "-1 OK", "-200 OK"].map((s) =>
    fail(`${GO} status "${s}"`, goStatus(s), "BAD_STATUS_LINE @0"),
  ),
  {
    name: `${GO} statuses 000, 001, 404 NOTFOUND and 999 are accepted`,
    input: ["000 OK", "001 OK", "404 NOTFOUND", "999 Done"].map((s) => lines(`HTTP/1.1 ${s}`, "Content-Length: 0", "", "")).join(""),
    options: { methods: gets(4) },
    expected: ["0 OK", "1 OK", "404 NOTFOUND", "999 Done"].flatMap((s) => [`head 1.1 ${s} framing=length length=0 keepAlive=true`, "  Content-Length: 0", "complete keepAlive=true"]),
  },
  {
    name: `${GO} version HTTP/1.2 is accepted`,
    input: goVersion("HTTP/1.2"),
    expected: ["head 1.2 200 OK framing=close length=-1 keepAlive=false", "complete keepAlive=false"],
  },
  fail(`${GO} version HTTP/2.0 (Go reads it as a version; here it is not HTTP/1.x)`, goVersion("HTTP/2.0"), "UNSUPPORTED_HTTP_VERSION @0"),
  ...["HTTP/1.100000000002", "HTTP/1.-1", "HTTP/A.B", "HTTP/1", "http/1.1"].map((v) => fail(`${GO} version "${v}"`, goVersion(v), "BAD_STATUS_LINE @0")),
];

export const h11GoCases: ResponseCase[] = [...h11Cases, ...goCases];
