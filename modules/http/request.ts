/**
 * Request encoder: the head of a GET, HEAD, POST, PUT, PATCH or DELETE request as bytes ready to
 * write, with the framing of its body (Content-Length when the length is known, else chunked).
 * The body itself, and the writer that hands head and body out in pieces that fit the socket's
 * write space, are in body.ts.
 */
import { asciiCodes, latin1Bytes } from "../base/bytes";
import { equalsAsciiCaseless, isFieldText, isToken, isVchar } from "./chars";
import type { HttpUrl } from "./url";

export type RequestErrorCode =
  | "REQUEST_BAD_METHOD"
  | "REQUEST_BAD_TARGET"
  | "REQUEST_BAD_HEADER_NAME"
  | "REQUEST_HEADER_INJECTION"
  | "REQUEST_FORBIDDEN_HEADER"
  /** A body given with GET or HEAD, whose semantics RFC 9110 leaves undefined (servers drop or reject it). */
  | "REQUEST_BODY_NOT_ALLOWED"
  /** A body of the wrong type, or a stream with a bad length. */
  | "REQUEST_BAD_BODY"
  /** A streamed body produced more or fewer bytes than its declared length. */
  | "REQUEST_BODY_LENGTH_MISMATCH"
  /** A streamed body's `read` threw or returned something that is not bytes. */
  | "REQUEST_BODY_FAILED"
  /** The head (request line and fields) is over MAX_REQUEST_HEAD_BYTES. */
  | "REQUEST_HEAD_TOO_LARGE";

export class RequestError extends Error {
  override readonly name = "RequestError";
  constructor(readonly code: RequestErrorCode, detail: string) {
    super(detail);
  }
}

export type RequestMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

/** The methods the client sends. Others (CONNECT, OPTIONS, TRACE) have no use on this device. */
export const REQUEST_METHODS: readonly RequestMethod[] = Object.freeze(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as RequestMethod[]);

/**
 * Safe methods (RFC 9110 9.2.1): sending one twice changes nothing on the server, so a request
 * lost on a stale kept-alive connection may be sent again even after it was written.
 */
export function isSafeMethod(method: RequestMethod): boolean {
  return method === "GET" || method === "HEAD";
}

/** Methods that take no body here: GET and HEAD (RFC 9110 9.3.1, 9.3.2: no defined semantics). */
export function methodTakesBody(method: RequestMethod): boolean {
  return !isSafeMethod(method);
}

/** The method, checked: a known name in upper case (methods are case-sensitive, RFC 9110 9.1). */
export function checkMethod(method: unknown): RequestMethod {
  if (method === undefined) return "GET";
  if (typeof method === "string" && REQUEST_METHODS.indexOf(method as RequestMethod) >= 0) return method as RequestMethod;
  const upper = typeof method === "string" ? method.toUpperCase() : "";
  const hint = REQUEST_METHODS.indexOf(upper as RequestMethod) >= 0 ? `: methods are case-sensitive, write ${upper}` : `: use one of ${REQUEST_METHODS.join(", ")}`;
  throw new RequestError("REQUEST_BAD_METHOD", `method ${JSON.stringify(String(method))} is not supported${hint}`);
}

export type HeaderInput = readonly (readonly [string, string])[] | Readonly<Record<string, string>>;

export interface RequestSpec {
  method?: RequestMethod;
  url: HttpUrl;
  /** Caller fields; they replace the defaults of the same name (User-Agent, Accept, Connection, Content-Type). */
  headers?: HeaderInput;
  userAgent?: string;
  /** Ask the server to keep the connection open (default true). */
  keepAlive?: boolean;
  /**
   * The body's framing: its length in bytes (Content-Length), "chunked" when unknown, undefined
   * for no body (POST, PUT and PATCH then send Content-Length: 0, as RFC 9110 8.6 asks).
   */
  bodyLength?: number | "chunked";
  /** Content-Type sent unless the caller gave one (text bodies: text/plain; charset=utf-8). */
  contentType?: string;
}

export const DEFAULT_USER_AGENT = "esp32-https-fetch/0.1 (Moddable XS)";

/**
 * Largest request head sent: what common servers accept (nginx and Apache refuse a head, or a
 * line of it, beyond about 8 KB) and the same limit the response parser applies to heads. It is
 * written in pieces that fit the socket's write space, so it costs its size in heap once.
 */
export const MAX_REQUEST_HEAD_BYTES = 8192;

/** Fields that the encoder owns: letting a caller set them would break framing or routing. */
const OWNED = Object.freeze(["host", "content-length", "transfer-encoding"]);
/** Fields whose values are secrets: never shown in a log. Lower case; compared without ASCII case. */
const SECRET = Object.freeze(["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token", "api-key"]);

/** origin-form (RFC 9112 section 3.2.1) as sent: "/" and then visible ASCII only. */
export function isRequestTarget(target: string): boolean {
  const codes = asciiCodes(target); // null: a char above 0x7f, never a vchar
  if (codes === null || codes[0] !== 0x2f) return false;
  for (let i = 1; i < codes.length; i++) if (!isVchar(codes[i])) return false;
  return true;
}

/** Encodes a request head. Every field is checked: CR, LF or NUL anywhere is refused (header injection). */
export function encodeRequest(spec: RequestSpec): Uint8Array {
  const method = checkMethod(spec.method);
  const target = spec.url.path;
  if (!isRequestTarget(target)) throw new RequestError("REQUEST_BAD_TARGET", `request target ${JSON.stringify(target)} has a space or control character`);
  checkValue("Host", spec.url.hostHeader);
  const framing = framingField(method, spec.bodyLength);

  const caller = checkHeaders(spec.headers);
  const given = caller.map(([name]) => name.toLowerCase());
  // Defaults stand only where the caller gave no field of the same name.
  const defaults: [string, string][] = [
    ["User-Agent", spec.userAgent ?? DEFAULT_USER_AGENT],
    ["Accept", "*/*"],
    ["Connection", spec.keepAlive === false ? "close" : "keep-alive"],
  ];
  if (spec.contentType !== undefined && framing !== null) defaults.push(["Content-Type", spec.contentType]);
  for (const d of defaults) checkValue(d[0], d[1]);
  const fields: (readonly [string, string])[] = [["Host", spec.url.hostHeader]];
  for (const d of defaults) if (given.indexOf(d[0].toLowerCase()) < 0) fields.push(d);
  for (const f of caller) fields.push(f);
  if (framing) fields.push(framing);
  let head = `${method} ${target} HTTP/1.1\r\n`;
  for (const [n, v] of fields) head += `${n}: ${v}\r\n`;
  head += "\r\n";
  if (head.length > MAX_REQUEST_HEAD_BYTES) {
    // No field is quoted: the largest is often a secret (a bearer token).
    throw new RequestError("REQUEST_HEAD_TOO_LARGE", `the request head is ${head.length} bytes, over the ${MAX_REQUEST_HEAD_BYTES} servers commonly accept: shorten the URL or the header values`);
  }
  return latin1Bytes(head);
}

/** Content-Length or Transfer-Encoding for the body, or null when the request carries none. */
function framingField(method: RequestMethod, length: number | "chunked" | undefined): [string, string] | null {
  if (length === undefined) return methodTakesBody(method) && method !== "DELETE" ? ["Content-Length", "0"] : null;
  if (!methodTakesBody(method)) {
    throw new RequestError("REQUEST_BODY_NOT_ALLOWED", `a ${method} request has no body: send it with POST, PUT or PATCH, or put the data in the URL's query`);
  }
  if (length === "chunked") return ["Transfer-Encoding", "chunked"];
  if (typeof length !== "number" || !(length >= 0) || Math.floor(length) !== length || length > 0x1fffffffffffff) {
    throw new RequestError("REQUEST_BAD_BODY", `body length must be a whole number of bytes, got ${String(length)}`);
  }
  return ["Content-Length", String(length)];
}

/** The caller's header fields as pairs, each name and value checked. */
export function checkHeaders(headers: HeaderInput | undefined): (readonly [string, string])[] {
  const pairs = headerPairs(headers);
  for (const [name, value] of pairs) {
    if (typeof name !== "string" || !isToken(name)) throw new RequestError("REQUEST_BAD_HEADER_NAME", `header name ${JSON.stringify(String(name))} is not a token`);
    checkValue(name, value);
    if (OWNED.indexOf(name.toLowerCase()) >= 0) throw new RequestError("REQUEST_FORBIDDEN_HEADER", `header ${name} is set by the client and may not be given`);
  }
  return pairs;
}

function checkValue(name: string, value: string): void {
  if (typeof value !== "string") throw new RequestError("REQUEST_HEADER_INJECTION", `header ${name} has a non-string value`);
  // CR, LF or NUL are named wherever they are, before any other bad character.
  let other = false;
  // The codes as bytes in one pass where the value is ASCII (a long token is common): in XS a
  // charCodeAt loop is quadratic (see asciiCodes).
  const codes = asciiCodes(value);
  for (let i = 0; i < value.length; i++) {
    const c = codes !== null ? codes[i] : value.charCodeAt(i);
    if (isFieldText(c)) continue;
    if (c === 0x0d || c === 0x0a || c === 0) {
      const what = c === 0x0d ? "CR" : c === 0x0a ? "LF" : "NUL";
      throw new RequestError("REQUEST_HEADER_INJECTION", `header ${name} contains ${what} at ${i}: refused (header injection)`);
    }
    other = true;
  }
  if (other) throw new RequestError("REQUEST_HEADER_INJECTION", `header ${name} contains a control character or a character above U+00FF`);
}

/** Header input as a list of pairs (an object's keys in their order). */
export function headerPairs(headers: HeaderInput | undefined): (readonly [string, string])[] {
  if (!headers) return [];
  if (Array.isArray(headers)) return headers as (readonly [string, string])[];
  const rec = headers as Readonly<Record<string, string>>;
  return Object.keys(rec).map((k) => [k, rec[k]] as const);
}

/**
 * True for fields whose values must never reach a log: Authorization, Proxy-Authorization, Cookie,
 * the usual API-key fields, and any name in `extra` (compared without case).
 */
export function isSecretHeader(name: string, extra?: readonly string[]): boolean {
  const text = typeof name === "string" ? name : String(name);
  for (let i = 0; i < SECRET.length; i++) if (equalsAsciiCaseless(text, SECRET[i])) return true;
  if (!extra) return false;
  const lower = name.toLowerCase();
  for (const e of extra) if (e.toLowerCase() === lower) return true;
  return false;
}

/** A header list safe to log: secret values replaced by a marker. */
export function redactHeaders(headers: HeaderInput | undefined, extraSecret?: readonly string[]): [string, string][] {
  return headerPairs(headers).map(([n, v]) => [n, isSecretHeader(n, extraSecret) ? "<redacted>" : v]);
}
