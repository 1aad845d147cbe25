/**
 * Request encoder: GET and HEAD requests as bytes ready to write, and a writer that hands them
 * out in pieces no larger than the socket's current write space.
 */
import { latin1Bytes } from "../base/bytes";
import type { HttpUrl } from "./url";

export type RequestErrorCode = "REQUEST_BAD_METHOD" | "REQUEST_BAD_TARGET" | "REQUEST_BAD_HEADER_NAME" | "REQUEST_HEADER_INJECTION" | "REQUEST_FORBIDDEN_HEADER";

export class RequestError extends Error {
  override readonly name = "RequestError";
  constructor(readonly code: RequestErrorCode, detail: string) {
    super(detail);
  }
}

export type RequestMethod = "GET" | "HEAD";

export type HeaderInput = readonly (readonly [string, string])[] | Readonly<Record<string, string>>;

export interface RequestSpec {
  method?: RequestMethod;
  url: HttpUrl;
  /** Caller fields; they replace the defaults of the same name (User-Agent, Accept, Connection). */
  headers?: HeaderInput;
  userAgent?: string;
  /** Ask the server to keep the connection open (default true). */
  keepAlive?: boolean;
}

export const DEFAULT_USER_AGENT = "esp32-https-fetch/0.1 (Moddable XS)";

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TARGET = /^\/[\x21-\x7e]*$/;
/** Fields that the encoder owns: letting a caller set them would break framing or routing. */
const OWNED = ["host", "content-length", "transfer-encoding"];
/** Fields whose values are secrets: never shown in a log. */
const SECRET = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-auth-token|api-key)$/i;

/** Encodes a request head. Every field is checked: CR, LF or NUL anywhere is refused (header injection). */
export function encodeRequest(spec: RequestSpec): Uint8Array {
  const method = spec.method ?? "GET";
  if (method !== "GET" && method !== "HEAD") {
    throw new RequestError("REQUEST_BAD_METHOD", `method ${JSON.stringify(String(method))} is not supported: only GET and HEAD`);
  }
  const target = spec.url.path;
  if (!TARGET.test(target)) throw new RequestError("REQUEST_BAD_TARGET", `request target ${JSON.stringify(target)} has a space or control character`);
  checkValue("Host", spec.url.hostHeader);

  const caller: (readonly [string, string])[] = headerPairs(spec.headers);
  const given: string[] = [];
  for (const [name, value] of caller) {
    if (!TOKEN.test(name)) throw new RequestError("REQUEST_BAD_HEADER_NAME", `header name ${JSON.stringify(name)} is not a token`);
    checkValue(name, value);
    const lower = name.toLowerCase();
    if (OWNED.indexOf(lower) >= 0) throw new RequestError("REQUEST_FORBIDDEN_HEADER", `header ${name} is set by the client and may not be given`);
    given.push(lower);
  }
  // Defaults stand only where the caller gave no field of the same name.
  const defaults: [string, string][] = [
    ["User-Agent", spec.userAgent ?? DEFAULT_USER_AGENT],
    ["Accept", "*/*"],
    ["Connection", spec.keepAlive === false ? "close" : "keep-alive"],
  ];
  checkValue("User-Agent", defaults[0][1]);
  const fields: (readonly [string, string])[] = [["Host", spec.url.hostHeader]];
  for (const d of defaults) if (given.indexOf(d[0].toLowerCase()) < 0) fields.push(d);
  for (const f of caller) fields.push(f);
  let head = `${method} ${target} HTTP/1.1\r\n`;
  for (const [n, v] of fields) head += `${n}: ${v}\r\n`;
  return latin1Bytes(`${head}\r\n`);
}

function checkValue(name: string, value: string): void {
  if (typeof value !== "string") throw new RequestError("REQUEST_HEADER_INJECTION", `header ${name} has a non-string value`);
  const bad = /[\r\n\x00]/.exec(value);
  if (bad) {
    const what = bad[0] === "\r" ? "CR" : bad[0] === "\n" ? "LF" : "NUL";
    throw new RequestError("REQUEST_HEADER_INJECTION", `header ${name} contains ${what} at ${bad.index}: refused (header injection)`);
  }
  if (/[^\x09\x20-\x7e\x80-\xff]/.test(value)) {
    throw new RequestError("REQUEST_HEADER_INJECTION", `header ${name} contains a control character or a character above U+00FF`);
  }
}

function headerPairs(headers: HeaderInput | undefined): (readonly [string, string])[] {
  if (!headers) return [];
  if (Array.isArray(headers)) return headers as (readonly [string, string])[];
  const rec = headers as Readonly<Record<string, string>>;
  return Object.keys(rec).map((k) => [k, rec[k]] as const);
}

/** True for fields whose values must never reach a log. */
export function isSecretHeader(name: string): boolean {
  return SECRET.test(name);
}

/** A header list safe to log: secret values replaced by a marker. */
export function redactHeaders(headers: HeaderInput | undefined): [string, string][] {
  return headerPairs(headers).map(([n, v]) => [n, isSecretHeader(n) ? "<redacted>" : v]);
}

/**
 * Hands out a request's bytes in pieces that fit the write space the socket reports (the value
 * of `write()` or of message 3), so a small TCP window never blocks or overflows.
 */
export class RequestWriter {
  private at = 0;
  constructor(private readonly bytes: Uint8Array) {}

  /** The next piece, at most `space` bytes; empty when done or when there is no space. */
  next(space: number): Uint8Array {
    const n = Math.max(0, Math.min(space, this.bytes.length - this.at));
    const piece = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return piece;
  }

  get done(): boolean {
    return this.at >= this.bytes.length;
  }

  get written(): number {
    return this.at;
  }

  get total(): number {
    return this.bytes.length;
  }
}
