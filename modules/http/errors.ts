/**
 * The typed error of the HTTP core. Every malformed or truncated response ends in one of these,
 * with a stable code for the diagnosis table and the byte offset (from the start of the
 * connection's response stream) where the problem was found.
 */
export type HttpParseErrorCode =
  | "BAD_STATUS_LINE"
  | "UNSUPPORTED_HTTP_VERSION"
  | "BAD_HEADER_LINE"
  | "BARE_LF"
  | "HEADERS_TOO_LARGE"
  | "BAD_CONTENT_LENGTH"
  | "CONFLICTING_CONTENT_LENGTH"
  | "BAD_TRANSFER_ENCODING"
  | "TRANSFER_ENCODING_WITH_CONTENT_LENGTH"
  | "BAD_CHUNK_SIZE"
  | "BAD_CHUNK_EXTENSION"
  | "CHUNK_SIZE_OVERFLOW"
  | "BAD_CHUNK_DATA"
  | "UPGRADE_NOT_REQUESTED"
  | "UNSOLICITED_RESPONSE"
  | "DATA_AFTER_CLOSE"
  | "TRUNCATED_BODY"
  | "UNEXPECTED_EOF"
  | "PARSER_FINISHED";

export class HttpParseError extends Error {
  override readonly name = "HttpParseError";
  constructor(
    readonly code: HttpParseErrorCode,
    readonly offset: number,
    detail: string,
  ) {
    super(`${code} at byte ${offset}: ${detail}`);
  }
}

/** Makes raw header text safe to show in an error message. */
export function printable(text: string): string {
  let out = "";
  let kept = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) continue;
    out += `${text.slice(kept, i)}\\x${c < 16 ? "0" : ""}${c.toString(16)}`;
    kept = i + 1;
  }
  return kept === 0 ? text : out + text.slice(kept);
}
