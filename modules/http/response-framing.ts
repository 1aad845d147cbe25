/**
 * How a response's body is delimited (RFC 9112 section 6.3), decided from the fields that frame
 * it: Connection, Content-Length and Transfer-Encoding, noted by index as the head is read
 * (response-head.ts).
 */
import { HttpParseError, printable } from "./errors";
import { HeaderList, listTokens } from "./headers";
import { isDigits, isToken } from "./chars";
import { FramingFields, ResponseHead } from "./response-head";

/** How the body of a response is delimited (RFC 9112 section 6.3). */
export type BodyFraming = "none" | "length" | "chunked" | "close";

export interface FramingInfo {
  kind: BodyFraming;
  /** Content-Length for "length"; -1 otherwise. */
  length: number;
  /** Whether the connection may carry another request after this response. */
  keepAlive: boolean;
  /** Transfer codings other than chunked, as listed by the server (the body carries them encoded). */
  codings: readonly string[];
}

/** The codings of almost every response: shared, so a response costs no array for them. */
const NO_CODINGS: readonly string[] = Object.freeze([]);

/**
 * Checks the framing fields of any head, also where they do not frame the body (1xx, 204, 304,
 * HEAD): a malformed or ambiguous message is malformed whatever its status. Returns the
 * Content-Length, -1 without one. RFC 9112 section 6.3 rule 5: a list of identical values
 * (repeated fields or "3, 3") is that value; differing or invalid values are an error. Both
 * Transfer-Encoding and Content-Length are an error unless `allowBoth` (rule 3).
 */
export function checkFramingFields(head: ResponseHead, fields: FramingFields, allowBoth: boolean, offset: number): number {
  const indices = fields.contentLength;
  let length = -1;
  for (let i = 0; i < indices.length; i++) {
    const field = head.headers.valueAt(indices[i]);
    if (field.indexOf(",") < 0) {
      length = sameLength(length, field, offset);
      continue;
    }
    for (const v of field.split(",")) length = sameLength(length, v.trim(), offset);
  }
  if (length >= 0 && fields.transferEncoding.length > 0 && !allowBoth) {
    throw new HttpParseError("TRANSFER_ENCODING_WITH_CONTENT_LENGTH", offset, "both Transfer-Encoding and Content-Length (RFC 9112 section 6.3 rule 3)");
  }
  return length;
}

/** The Content-Length value `v` (trimmed), which must equal `length` when that is already known (>= 0). */
function sameLength(length: number, v: string, offset: number): number {
  if (!isDigits(v)) throw new HttpParseError("BAD_CONTENT_LENGTH", offset, `Content-Length "${printable(v.slice(0, 32))}" is not a number`);
  const n = Number(v);
  if (!(n <= Number.MAX_SAFE_INTEGER)) throw new HttpParseError("BAD_CONTENT_LENGTH", offset, `Content-Length ${v.slice(0, 32)} is too large`);
  if (length >= 0 && n !== length) throw new HttpParseError("CONFLICTING_CONTENT_LENGTH", offset, `Content-Length values differ: ${length} and ${n}`);
  return n;
}

/** Whether one of the fields at `indices` lists `token` (lower case), as a list element (RFC 9110 section 5.6.1). */
function listsToken(headers: HeaderList, indices: number[], token: string): boolean {
  for (let i = 0; i < indices.length; i++) {
    const value = headers.valueAt(indices[i]).toLowerCase();
    // Most values do not contain the token at all: no split for them.
    if (value.indexOf(token) < 0) continue;
    const parts = value.split(",");
    for (let k = 0; k < parts.length; k++) if (parts[k].trim() === token) return true;
  }
  return false;
}

/**
 * RFC 9112 section 6.3, in its order, for a final response to `method`; `length` is the checked
 * Content-Length (-1 for none). `offset` is where errors are reported (the end of the head).
 */
export function decideFraming(head: ResponseHead, fields: FramingFields, method: string, length: number, offset: number): FramingInfo {
  const headers = head.headers;
  const status = head.status;
  let keepAlive = head.version !== "1.0" ? !listsToken(headers, fields.connection, "close") : listsToken(headers, fields.connection, "keep-alive");

  // 1. Responses to HEAD, 1xx, 204 and 304 end at the end of the head, whatever their fields say.
  if (method === "HEAD" || status === 204 || status === 304) return { kind: "none", length: -1, keepAlive, codings: NO_CODINGS };

  // 3. Transfer-Encoding overrides Content-Length (both together only with the leniency).
  const te = fields.transferEncoding;
  if (te.length > 0) {
    const values: string[] = [];
    for (let i = 0; i < te.length; i++) values.push(headers.valueAt(te[i]));
    const codings = listTokens(values).map((t) => t.split(";")[0].trim());
    if (codings.length === 0) throw new HttpParseError("BAD_TRANSFER_ENCODING", offset, "empty Transfer-Encoding");
    for (const c of codings) if (!isToken(c)) throw new HttpParseError("BAD_TRANSFER_ENCODING", offset, `"${printable(c.slice(0, 32))}" is not a transfer coding`);
    const chunkedAt = codings.indexOf("chunked");
    const others = codings.filter((c) => c !== "chunked");
    // Both fields present (lenient): a sign of response splitting; never reuse the connection.
    // HTTP/1.0 has no Transfer-Encoding: its framing is faulty, so close after it (RFC 9112 section 6.1).
    if (length >= 0 || head.version === "1.0") keepAlive = false;
    if (chunkedAt >= 0 && codings.lastIndexOf("chunked") !== chunkedAt) {
      throw new HttpParseError("BAD_TRANSFER_ENCODING", offset, `"chunked" is applied more than once: "${codings.join(", ")}"`);
    }
    if (chunkedAt === codings.length - 1) return { kind: "chunked", length: -1, keepAlive, codings: others };
    // 4. Chunked is not the final coding: the body runs until the server closes the connection.
    return { kind: "close", length: -1, keepAlive: false, codings: others };
  }

  // 5. Content-Length.
  if (length >= 0) return { kind: "length", length, keepAlive, codings: NO_CODINGS };

  // 7. Otherwise the body runs until the server closes the connection.
  return { kind: "close", length: -1, keepAlive: false, codings: NO_CODINGS };
}
