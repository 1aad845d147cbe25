/**
 * The regular expressions the HTTP core used before it scanned by char codes, and the few lines
 * of code around them: the oracles of the scanner suites (`*-scanners.portable.ts`) and of
 * host-tests/http-scanners.fuzz.test.ts. Tests are not preloaded, so regexes are safe here.
 */
import { ChunkLineLeniency } from "../../modules/http/chunked";
import { HttpParseError } from "../../modules/http/errors";
import { Json } from "./suite";

/** response-head.ts */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
export const BAD_FIELD_CHAR = /[\x00-\x08\x0a-\x1f\x7f]/;
export const PLAIN_SECTION = /^(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e]*\r\n)*\r\n$/;
export const NOT_PLAIN = /[^\t\n\r\x20-\x7e]|\r(?!\n)/;
export const STATUS_LINE = /^HTTP\/(\d)\.(\d) (\d{3})(?: ([\t\x20-\x7e\x80-\xff]*))?$/;
/** response-framing.ts */
export const CONTENT_LENGTH = /^[0-9]+$/;
/** request.ts */
export const TARGET = /^\/[\x21-\x7e]*$/;
export const SECRET = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-auth-token|api-key)$/i;
/** url.ts */
export const CTL = /[\x00-\x1f\x7f]/;
export const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
export const URL_PARTS = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^#]*)/;
export const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
export const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;
export const PATH_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/;
/** chunked.ts */
const HEX = /^[0-9A-Fa-f]+/;
const TRAILING_WHITESPACE = /[ \t]+$/;
const BLANK = /^[ \t]+$/;
const LEADS_TO_EXTENSION = /^[ \t]*;/;
const CHUNK_EXTENSIONS = /^(?:[ \t]*;[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[ \t]*=[ \t]*(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+|"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"))?)*$/;
const LENIENT_CHUNK_EXTENSIONS = /^[ \t]*;[\t\x20-\x7e\x80-\xff]*$/;

/** errors.ts: printable(). */
export function oldPrintable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** response-head.ts: the obs-fold trim. */
export function oldTrim(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, "");
}

/** chunkSize as it was, with its regexes. */
export function oldChunkSize(line: string, offset: number, leniency: ChunkLineLeniency): number {
  const m = HEX.exec(line);
  if (!m) throw new HttpParseError("BAD_CHUNK_SIZE", offset, `chunk size "${oldPrintable(line.slice(0, 32))}" is not hexadecimal`);
  const hex = m[0];
  const digits = hex.replace(/^0+/, "");
  if (digits.length > 13) throw new HttpParseError("CHUNK_SIZE_OVERFLOW", offset, `chunk size ${hex.slice(0, 20)} is too large`);
  if (line.length > hex.length) {
    let rest = line.slice(hex.length);
    if (leniency.lenientChunkSizeWhitespace) rest = rest.replace(TRAILING_WHITESPACE, "");
    if (rest !== "") {
      if (!LEADS_TO_EXTENSION.test(rest)) {
        const blank = BLANK.test(rest);
        throw new HttpParseError("BAD_CHUNK_SIZE", offset, blank ? `whitespace after chunk size ${hex} (lenientChunkSizeWhitespace accepts it)` : `chunk size ${hex} is followed by "${oldPrintable(rest.slice(0, 32))}"`);
      }
      if (!(leniency.lenientChunkExtensions ? LENIENT_CHUNK_EXTENSIONS : CHUNK_EXTENSIONS).test(rest)) {
        throw new HttpParseError("BAD_CHUNK_EXTENSION", offset, `malformed chunk extension "${oldPrintable(rest.slice(0, 32))}" after size ${hex}`);
      }
    }
  }
  return digits === "" ? 0 : parseInt(digits, 16);
}

/** The old status-line reading: version, status and reason, or the error. */
export function oldStatusLine(line: string): Json {
  const m = STATUS_LINE.exec(line);
  if (!m) return { code: "BAD_STATUS_LINE" };
  if (m[1] !== "1") return { code: "UNSUPPORTED_HTTP_VERSION", message: `HTTP/${m[1]}.${m[2]} is not HTTP/1.x` };
  const minor = m[2];
  return { version: minor === "1" ? "1.1" : minor === "0" ? "1.0" : `1.${minor}`, status: Number(m[3]), reason: m[4] ?? "" };
}

/** The old check of a request field value: the message of the first error, or "ok". */
export function oldCheckValue(value: string): Json {
  const bad = /[\r\n\x00]/.exec(value);
  if (bad) return `header X contains ${bad[0] === "\r" ? "CR" : bad[0] === "\n" ? "LF" : "NUL"} at ${bad.index}: refused (header injection)`;
  if (/[^\x09\x20-\x7e\x80-\xff]/.test(value)) return "header X contains a control character or a character above U+00FF";
  return "ok";
}
