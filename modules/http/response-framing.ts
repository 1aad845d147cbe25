/**
 * How a response's body is delimited (RFC 9112 section 6.3), decided from the fields that frame
 * it: Connection, Content-Length and Transfer-Encoding, noted by index as the head is read.
 */
import { HttpParseError, printable } from "./errors";
import { listTokens } from "./headers";
import { ResponseHead, TOKEN } from "./response-head";

/** How the body of a response is delimited (RFC 9112 section 6.3). */
export type BodyFraming = "none" | "length" | "chunked" | "close";

export interface FramingInfo {
  kind: BodyFraming;
  /** Content-Length for "length"; -1 otherwise. */
  length: number;
  /** Whether the connection may carry another request after this response. */
  keepAlive: boolean;
  /** Transfer codings other than chunked, as listed by the server (the body carries them encoded). */
  codings: string[];
}

/** Indices in a head's HeaderList of the fields that decide framing. */
export interface FramingFields {
  connection: number[];
  contentLength: number[];
  transferEncoding: number[];
}

export function noFramingFields(): FramingFields {
  return { connection: [], contentLength: [], transferEncoding: [] };
}

/** Notes the field just added at `index` if it frames the message, so framing needs no lookups. */
export function noteFramingField(fields: FramingFields, name: string, index: number): void {
  const n = name.length;
  if (n !== 10 && n !== 14 && n !== 17) return;
  const lower = name.toLowerCase();
  if (lower === "connection") fields.connection.push(index);
  else if (lower === "content-length") fields.contentLength.push(index);
  else if (lower === "transfer-encoding") fields.transferEncoding.push(index);
}

const CONTENT_LENGTH = /^[0-9]+$/;

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
    const values = field.indexOf(",") < 0 ? [field] : field.split(",");
    for (const raw of values) {
      const v = raw.trim();
      if (!CONTENT_LENGTH.test(v)) throw new HttpParseError("BAD_CONTENT_LENGTH", offset, `Content-Length "${printable(v.slice(0, 32))}" is not a number`);
      const n = Number(v);
      if (!(n <= Number.MAX_SAFE_INTEGER)) throw new HttpParseError("BAD_CONTENT_LENGTH", offset, `Content-Length ${v.slice(0, 32)} is too large`);
      if (length >= 0 && n !== length) throw new HttpParseError("CONFLICTING_CONTENT_LENGTH", offset, `Content-Length values differ: ${length} and ${n}`);
      length = n;
    }
  }
  if (length >= 0 && fields.transferEncoding.length > 0 && !allowBoth) {
    throw new HttpParseError("TRANSFER_ENCODING_WITH_CONTENT_LENGTH", offset, "both Transfer-Encoding and Content-Length (RFC 9112 section 6.3 rule 3)");
  }
  return length;
}

/**
 * RFC 9112 section 6.3, in its order, for a final response to `method`; `length` is the checked
 * Content-Length (-1 for none). `offset` is where errors are reported (the end of the head).
 */
export function decideFraming(head: ResponseHead, fields: FramingFields, method: string, length: number, offset: number): FramingInfo {
  const { headers, status } = head;
  const valuesAt = (indices: number[]) => indices.map((i) => headers.valueAt(i));
  const connection = listTokens(valuesAt(fields.connection));
  let keepAlive = head.version !== "1.0" ? connection.indexOf("close") < 0 : connection.indexOf("keep-alive") >= 0;
  const info = (kind: BodyFraming, bodyLength: number, codings: string[] = []): FramingInfo => ({ kind, length: bodyLength, keepAlive, codings });

  // 1. Responses to HEAD, 1xx, 204 and 304 end at the end of the head, whatever their fields say.
  if (method === "HEAD" || status === 204 || status === 304) return info("none", -1);

  // 3. Transfer-Encoding overrides Content-Length (both together only with the leniency).
  if (fields.transferEncoding.length > 0) {
    const codings = listTokens(valuesAt(fields.transferEncoding)).map((t) => t.split(";")[0].trim());
    if (codings.length === 0) throw new HttpParseError("BAD_TRANSFER_ENCODING", offset, "empty Transfer-Encoding");
    for (const c of codings) if (!TOKEN.test(c)) throw new HttpParseError("BAD_TRANSFER_ENCODING", offset, `"${printable(c.slice(0, 32))}" is not a transfer coding`);
    const chunkedAt = codings.indexOf("chunked");
    const others = codings.filter((c) => c !== "chunked");
    // Both fields present (lenient): a sign of response splitting; never reuse the connection.
    // HTTP/1.0 has no Transfer-Encoding: its framing is faulty, so close after it (RFC 9112 section 6.1).
    if (length >= 0 || head.version === "1.0") keepAlive = false;
    if (chunkedAt >= 0 && codings.lastIndexOf("chunked") !== chunkedAt) {
      throw new HttpParseError("BAD_TRANSFER_ENCODING", offset, `"chunked" is applied more than once: "${codings.join(", ")}"`);
    }
    if (chunkedAt === codings.length - 1) return info("chunked", -1, others);
    // 4. Chunked is not the final coding: the body runs until the server closes the connection.
    keepAlive = false;
    return info("close", -1, others);
  }

  // 5. Content-Length.
  if (length >= 0) return info("length", length);

  // 7. Otherwise the body runs until the server closes the connection.
  keepAlive = false;
  return info("close", -1);
}
