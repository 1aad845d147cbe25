/**
 * HTTP results as diagnoses: parse errors of the response, statuses of 400 and above, refused
 * redirects. The fixes speak of the server and the URL: the transport worked.
 */
import { own, type Diagnosis, type Failure } from "./diagnosis-context";
import { redactedUrl } from "../http/url";

const TRUNCATED_HINT = "the connection ended before the whole body arrived: retry (with Range for large bodies)";

const PARSE_HINTS: { readonly [code: string]: string } = Object.freeze({
  BAD_STATUS_LINE: "the response does not start with an HTTP/1.x status line: the server may be speaking HTTP/2 or another protocol on this port; check the URL and alpn",
  BAD_HEADER_LINE: "a response header line is malformed: the server or a proxy sends broken headers; report it to the server owner",
  HEADERS_TOO_LARGE: "the response headers exceed the header limit: raise the limit or ask the server to send fewer or shorter headers (cookies)",
  BAD_CONTENT_LENGTH: "the Content-Length header is not a valid number: the server's response framing is broken",
  CONFLICTING_CONTENT_LENGTH: "the response has several different Content-Length values: its framing is ambiguous and refused (request smuggling risk)",
  BAD_TRANSFER_ENCODING: "the Transfer-Encoding header is not one this client decodes (only chunked): ask the server for an identity or chunked body",
  BAD_CHUNK_SIZE: "a chunk-size line of the chunked body is malformed: the server or a proxy corrupted the body",
  CHUNK_SIZE_OVERFLOW: "a chunk size is larger than this client accepts: the body framing is broken or hostile",
  BAD_CHUNK_DATA: "a chunk is not followed by CRLF: the chunked body is corrupted",
  UNSUPPORTED_HTTP_VERSION: "the status line names another HTTP version (HTTP/2, HTTP/0.9): this client speaks HTTP/1.x only; check the port and the server's protocol settings",
  BARE_LF: "the server ends lines with a bare LF instead of CRLF (RFC 9112 section 2.2): a broken HTTP implementation; fix the server (the client option responseLeniency.lenientLineEndings accepts it)",
  TRANSFER_ENCODING_WITH_CONTENT_LENGTH: "the response has both Transfer-Encoding and Content-Length: its framing is ambiguous (response splitting risk) and refused; fix the server or proxy",
  BAD_CHUNK_EXTENSION: "a chunk extension in the chunked body is malformed: the server or a proxy sends broken chunked framing",
  UPGRADE_NOT_REQUESTED: "the server switched protocols (101) although no upgrade was requested: check the URL",
  UNSOLICITED_RESPONSE: "bytes arrived when no request was pending: the connection is out of step (server bug or injected data), so it is closed and never reused",
  DATA_AFTER_CLOSE: "the server sent bytes after a response that closed the connection: they answer no request and are refused; report it to the server owner",
  UNEXPECTED_EOF: "the connection closed in the middle of the response head: the server crashed or a proxy cut the response; retry",
  PARSER_FINISHED: "bytes arrived after the response was complete: the server sent more than its framing said (engine bug or server bug); report it",
});

const STATUS_HINTS: { readonly [status: number]: string } = Object.freeze({
  400: "the server rejected the request as malformed: check the path encoding, Host header and query string",
  401: "authentication required or rejected: check the Authorization header or API key (never log it)",
  403: "the server refuses this client: check API key permissions, IP allow-lists and that the User-Agent is accepted",
  404: "the path does not exist on this host: check the URL path, its case and the API version",
  408: "the server timed out waiting for the request: send the whole request promptly after the handshake",
  429: "rate limited: wait for Retry-After before the next request and lower the fetch frequency",
  500: "the server failed internally: retry later with backoff; report it if it persists",
  502: "a gateway got a bad answer from its upstream: retry later with backoff",
  503: "the service is unavailable (overload or maintenance): honour Retry-After and retry with backoff",
  504: "a gateway timed out waiting for its upstream: retry later with backoff, or request less data",
});

export function statusDiagnosis(f: Failure & { kind: "http-status" }): Diagnosis {
  const s = f.status;
  let hint = own(STATUS_HINTS, s);
  if (!hint && (s < 100 || s > 599)) hint = "the status code is outside 100-599, which RFC 9110 says to handle as a server error: report it to the server owner";
  if (!hint) {
    hint = s >= 500
      ? "the server reported an error: retry later with backoff"
      : "the server refused the request: check the URL, headers and credentials for this endpoint";
  }
  if ((s === 429 || s === 503) && f.retryAfter !== undefined) hint += ` (Retry-After: ${f.retryAfter})`;
  const detail = `HTTP ${s}${f.reason ? ` ${f.reason}` : ""}`;
  return { code: `HTTP_STATUS_${s}`, phase: "response", detail, hint };
}

export function redirectDiagnosis(f: Failure & { kind: "redirect" }): Diagnosis {
  const where = f.location !== undefined ? ` to ${redactedUrl(f.location)}` : "";
  switch (f.problem) {
    case "too-many":
      return {
        code: "REDIRECT_TOO_MANY",
        phase: "response",
        detail: `${f.count ?? "too many"} redirects${f.limit !== undefined ? ` (limit ${f.limit})` : ""}${where}`,
        hint: "the redirect chain is longer than allowed: request the final URL directly (curl -sIL shows the chain)",
      };
    case "loop":
      return {
        code: "REDIRECT_LOOP",
        phase: "response",
        detail: `redirect loop${where}`,
        hint: "the server redirects back to a URL already visited (often a missing cookie or a www/non-www rule): request the final URL directly",
      };
    case "downgrade":
      return {
        code: "REDIRECT_DOWNGRADE_REFUSED",
        phase: "response",
        detail: `refused https to http redirect${where}`,
        hint: "the server redirects to plain http, which would send the request unencrypted: fix the server's redirect or use the https URL it should serve",
      };
    case "missing-location":
      return {
        code: "REDIRECT_MISSING_LOCATION",
        phase: "response",
        detail: "redirect status without a Location header",
        hint: "the server sent a 3xx without Location, so there is nowhere to go: report it to the server owner",
      };
  }
}

/** A parse error of the HTTP core as a diagnosis; a truncated body is BODY_TRUNCATED however it was found. */
export function parseDiagnosis(f: Failure & { kind: "http-parse" }): Diagnosis {
  const e = f.error;
  const code = String(e.code);
  const detail = `${code} at byte ${e.offset}${e.message ? `: ${e.message}` : ""}`;
  if (code === "TRUNCATED_BODY") return { code: "BODY_TRUNCATED", phase: "response", detail, hint: TRUNCATED_HINT };
  const known = own(PARSE_HINTS, code);
  return {
    code: known ? `HTTP_${code}` : "HTTP_PARSE_ERROR",
    phase: "response",
    detail,
    hint: known ?? "the response could not be parsed: capture the raw response (curl -v) and compare",
  };
}
