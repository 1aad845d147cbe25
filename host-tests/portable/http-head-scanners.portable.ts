/**
 * The response head's scanners (modules/http/response-head.ts): the plain-section check, the
 * non-plain byte check and the status line, against the regexes they replaced (see
 * replaced-regexes.ts), on every edge code in every position that matters.
 */
import { hasNonPlainByte, isPlainSection, isStatusLine, parseStatusLine } from "../../modules/http/response-head";
import { acceptsCase, BYTE_CODES, bytesOf, outcome, sameResultCase, withEdgeCodes } from "./regex-oracle";
import { NOT_PLAIN, oldStatusLine, PLAIN_SECTION, STATUS_LINE } from "./replaced-regexes";
import { Json, PortableSuite } from "./suite";

/** A section's bytes after a status line and before body bytes: the scan must keep to [from, to). */
const BEFORE = "HTTP/1.1 200 OK\r\n";
const AFTER = "\r\nbody";

function inContext(scan: (bytes: Uint8Array, from: number, to: number) => boolean): (text: string) => boolean {
  return (text) => scan(bytesOf(BEFORE + text + AFTER), BEFORE.length, BEFORE.length + text.length);
}

const SECTIONS = [
  "",
  "\r\n",
  "\r",
  "\n",
  "\r\n\r\n",
  "A: b\r\n\r\n",
  "A:\r\n\r\n",
  ":b\r\n\r\n",
  "A b\r\n\r\n",
  "A: b\r\nC: d\r\n\r\n",
  "A: b\r\n",
  "A: b\r\n\r",
  "A: b\n\r\n",
  "A: b\r\n \r\n\r\n",
  ...withEdgeCodes(["%: v\r\n\r\n", "X%Y: v\r\n\r\n", "X%: v\r\n\r\n", "X: a%b\r\n\r\n", "X: %\r\n\r\n", "X: v%\r\n\r\n", "X: v\r%\r\n", "X: v\r\n%\r\n", "X: v\r\n\r\n%", "X: v\r\n\r%", "%\r\n"], BYTE_CODES),
];

/** parseStatusLine as data in the shape of oldStatusLine (replaced-regexes.ts). */
export function statusLine(line: string): Json {
  const r = outcome(() => {
    const h = parseStatusLine(line, 0);
    return { version: h.version, status: h.status, reason: h.reason };
  }) as { code?: string; message?: string };
  if (r.code === "BAD_STATUS_LINE") return { code: r.code };
  if (r.code) return { code: r.code, message: String(r.message).replace(`${r.code} at byte 0: `, "") };
  return r as Json;
}

const STATUS_LINES = [
  "",
  "HTTP/1.1 200",
  "HTTP/1.1 200 ",
  "HTTP/1.1 200 OK",
  "HTTP/1.1 200  two spaces",
  "HTTP/1.1 20",
  "HTTP/1.1 2000",
  "HTTP/1.1 200OK",
  "HTTP/11.1 200 OK",
  "HTTP/1.10 200 OK",
  "HTTP/1 200 OK",
  "http/1.1 200 OK",
  "HTTP/1.0 404 Not Found",
  "HTTP/1.9 999 x",
  "HTTP/2.0 200 OK",
  "HTTP/0.9 200 OK",
  "HTTP/1.1 200 \u00e9t\u00e9",
  ...withEdgeCodes(["%HTTP/1.1 200 OK", "H%TP/1.1 200 OK", "HTTP/%.1 200 OK", "HTTP/1%1 200 OK", "HTTP/1.% 200 OK", "HTTP/1.1%200 OK", "HTTP/1.1 %00 OK", "HTTP/1.1 20% OK", "HTTP/1.1 200%OK", "HTTP/1.1 200%", "HTTP/1.1 200 %", "HTTP/1.1 200 O%K", "HTTP/1.1 200 OK%"]),
];

export const suite: PortableSuite = {
  name: "Response head scanners against the regexes they replaced",
  cases: [
    acceptsCase("plain section: each edge byte in a name, a value, a line end, after the end", SECTIONS, inContext(isPlainSection), (s) => PLAIN_SECTION.test(s)),
    acceptsCase("plain section scanned alone (the whole array)", SECTIONS, (s) => isPlainSection(bytesOf(s), 0, s.length), (s) => PLAIN_SECTION.test(s)),
    acceptsCase("non-plain byte: each edge byte, and CR before LF, before other bytes and at the end", ["", "\r", "\r\n", "\n\r", "a\rb", ...withEdgeCodes(["%", "ab%cd", "%\n", "\r%", "%\r", "%\r\n"], BYTE_CODES)], inContext(hasNonPlainByte), (s) => NOT_PLAIN.test(s)),
    acceptsCase("status line: each edge code in each position", STATUS_LINES, isStatusLine, (s) => STATUS_LINE.test(s)),
    sameResultCase("status line: version, status and reason as the regex's groups gave them", STATUS_LINES, statusLine, oldStatusLine),
  ],
};
