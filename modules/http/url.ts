/**
 * URLs for http: and https: targets, as the device can use them: an IPv4 stack, no userinfo,
 * ASCII host names. Also resolves a redirect's Location against the request URL (RFC 3986 5.2).
 */
import { utf8Bytes } from "../base/bytes";
import { hasCtl, isAlpha, isDigit, isDigits, isHexDigit, isVchar } from "./chars";

export type UrlErrorCode =
  | "URL_SYNTAX"
  | "URL_UNSUPPORTED_SCHEME"
  | "URL_MISSING_HOST"
  | "URL_USERINFO"
  | "URL_IPV6"
  | "URL_BAD_HOST"
  | "URL_BAD_PORT"
  | "URL_BAD_CHARACTER"
  | "URL_TOO_LONG";

/**
 * Longest URL accepted, in characters: its path goes into a request head of at most 8 KB
 * (MAX_REQUEST_HEAD_BYTES in request.ts) beside the other fields, and it is repeated in log lines.
 * Common servers and proxies accept request targets of this size; longer ones often get a 414.
 */
export const MAX_URL_LENGTH = 2048;

/** Characters of a refused URL quoted in its error (after redaction). */
const QUOTED_URL_LENGTH = 100;

/**
 * A URL as an error or log line may show it, whatever its shape: userinfo removed (everything
 * before the last `@` of the authority, with or without `//`), the query and fragment shown as
 * `?…`, cut to 100 characters. Parses nothing, so it is safe on any input. Its regexes are made
 * inside the functions, on error and log paths only: never preloaded (see chars.ts).
 */
export function redactedUrl(input: string): string {
  let text = input.replace(/^(\s*(?:[A-Za-z][A-Za-z0-9+.-]*:)?[/\\]*)[^/?#\\]*@/, "$1");
  text = withoutUserinfo(text);
  const query = text.search(/[?#]/);
  if (query >= 0) text = `${text.slice(0, query)}?…`;
  return text.length > QUOTED_URL_LENGTH ? `${text.slice(0, QUOTED_URL_LENGTH)}...` : text;
}

export class UrlError extends Error {
  override readonly name = "UrlError";
  /** The refused input, redacted (see `redactedUrl`): errors are logged, and so is this. */
  readonly input: string;
  constructor(readonly code: UrlErrorCode, input: string, detail: string) {
    const shown = redactedUrl(input);
    super(`${detail}: ${JSON.stringify(shown)}`);
    this.input = shown;
  }
}

export interface HttpUrl {
  scheme: "http" | "https";
  /** Lower-case host name or dotted IPv4 address. */
  host: string;
  port: number;
  /** Path and query, percent-encoded, starting with "/" (fragment removed). */
  path: string;
  /** "https://host" or "https://host:port" when the port is not the default: the connection key. */
  origin: string;
  /** Value of the Host header: host, with ":port" when not the default. */
  hostHeader: string;
  /** The normalized URL. */
  href: string;
}

/**
 * Removes `user:password@` from anything URL-like in free text: everything from `//` to the last
 * `@` before a space or the path, quotes and backslashes included (a password may hold them).
 */
export function withoutUserinfo(text: string): string {
  return text.replace(/(\/\/)[^/?#\s]*@/g, "$1");
}

const DEFAULT_PORT = Object.freeze({ http: 80, https: 443 } as const);

/**
 * The index of the ":" that ends a scheme (ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), RFC 3986
 * section 3.1) at the start of `text`, or -1.
 */
export function schemeEnd(text: string): number {
  if (!isAlpha(text.charCodeAt(0))) return -1;
  let i = 1;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x3a) return i;
    if (!(isAlpha(c) || isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e)) return -1;
    i++;
  }
}

/**
 * An absolute URL's parts: the scheme as written, the authority (up to the first "/", "?" or
 * "#" after "//"), and the path and query (up to the fragment). Null unless `text` starts with
 * a scheme and "://".
 */
export function splitUrl(text: string): { scheme: string; authority: string; rest: string } | null {
  const colon = schemeEnd(text);
  if (colon < 0 || text.charCodeAt(colon + 1) !== 0x2f || text.charCodeAt(colon + 2) !== 0x2f) return null;
  const n = text.length;
  let end = colon + 3;
  for (; end < n; end++) {
    const c = text.charCodeAt(end);
    if (c === 0x2f || c === 0x3f || c === 0x23) break;
  }
  const hash = text.indexOf("#", end);
  return { scheme: text.slice(0, colon), authority: text.slice(colon + 3, end), rest: text.slice(end, hash < 0 ? n : hash) };
}

/** The four numbers of a dotted IPv4 address of 1 to 3 digits each (values not checked), or null. */
export function ipv4Parts(host: string): string[] | null {
  const parts = host.split(".");
  if (parts.length !== 4) return null;
  for (let i = 0; i < 4; i++) if (parts[i].length > 3 || !isDigits(parts[i])) return null;
  return parts;
}

/** A host name label (RFC 1123, and "_" as in service names), lower case: 1 to 63 characters, no "-" at either end. */
export function isHostLabel(label: string): boolean {
  const n = label.length;
  if (n === 0 || n > 63) return false;
  for (let i = 0; i < n; i++) {
    const c = label.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || isDigit(c) || c === 0x5f || (c === 0x2d && i !== 0 && i !== n - 1))) return false;
  }
  return true;
}

/**
 * Characters kept as they are in a path or query (unreserved, sub-delims, ":", "@", "/", "?"
 * and "%"); anything else is percent-encoded as UTF-8.
 */
export function isPathSafe(c: number): boolean {
  if (c >= 0x61) return c <= 0x7a || c === 0x7e; // a-z ~
  if (c >= 0x3f) return c <= 0x5a || c === 0x5f; // ? @ A-Z _
  return c === 0x21 || (c >= 0x24 && c <= 0x3b) || c === 0x3d; // ! $%&'()*+,-./ 0-9 :; =
}

/** Parses an absolute http: or https: URL. Throws UrlError with a specific code and message. */
export function parseUrl(input: string): HttpUrl {
  if (typeof input !== "string") throw new UrlError("URL_SYNTAX", String(input), "a URL must be a string");
  const text = input.trim();
  if (text.length > MAX_URL_LENGTH) throw new UrlError("URL_TOO_LONG", input, `URL of ${text.length} characters; at most ${MAX_URL_LENGTH} are sent and logged`);
  // Control characters anywhere would let a URL smuggle extra header lines into a request.
  if (hasCtl(text)) throw new UrlError("URL_BAD_CHARACTER", input, "control character (CR, LF, NUL, TAB...) in URL");
  const m = splitUrl(text);
  if (!m) {
    // "http:" or "https:" without "//" is a syntax error; any other scheme is named.
    const colon = schemeEnd(text);
    if (colon >= 0) {
      const scheme = text.slice(0, colon).toLowerCase();
      if (scheme !== "http" && scheme !== "https") throw new UrlError("URL_UNSUPPORTED_SCHEME", input, `scheme "${scheme}:" is not supported (use http: or https:)`);
    }
    throw new UrlError("URL_SYNTAX", input, "not an absolute URL (expected https://host/path)");
  }
  const scheme = m.scheme.toLowerCase();
  if (scheme !== "http" && scheme !== "https") throw new UrlError("URL_UNSUPPORTED_SCHEME", input, `scheme "${scheme}:" is not supported (use http: or https:)`);
  const authority = m.authority;
  if (authority.indexOf("@") >= 0) throw new UrlError("URL_USERINFO", input, "user:password@ in a URL is not supported (it would leak into logs); send an Authorization header instead");
  if (authority.startsWith("[")) throw new UrlError("URL_IPV6", input, "IPv6 literal addresses are not supported: the device's network stack is IPv4 only");
  let host = authority;
  let port: number = DEFAULT_PORT[scheme];
  const colon = authority.lastIndexOf(":");
  if (colon >= 0) {
    host = authority.slice(0, colon);
    const portText = authority.slice(colon + 1);
    if (portText !== "") {
      if (portText.length > 5 || !isDigits(portText) || Number(portText) < 1 || Number(portText) > 65535) {
        throw new UrlError("URL_BAD_PORT", input, `port "${portText}" is not a number from 1 to 65535`);
      }
      port = Number(portText);
    }
  }
  host = checkHost(host, input);
  const rest = m.rest;
  const path = encodePath(rest === "" ? "/" : rest.charCodeAt(0) === 0x3f ? `/${rest}` : rest);
  const defaultPort = port === DEFAULT_PORT[scheme];
  const hostHeader = defaultPort ? host : `${host}:${port}`;
  const origin = `${scheme}://${hostHeader}`;
  return { scheme, host, port, path, origin, hostHeader, href: origin + path };
}

/** Whether `text` is all VCHAR (no space, control or non-ASCII character). */
export function isVisibleAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (!isVchar(text.charCodeAt(i))) return false;
  return true;
}

/** One or more digits and dots, nothing else: meant as an IPv4 address. */
export function isDigitsAndDots(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!(isDigit(c) || c === 0x2e)) return false;
  }
  return true;
}

function checkHost(raw: string, input: string): string {
  if (raw === "") throw new UrlError("URL_MISSING_HOST", input, "no host in URL");
  if (!isVisibleAscii(raw)) throw new UrlError("URL_BAD_HOST", input, "non-ASCII host name: write it in punycode (xn--...)");
  if (raw.indexOf("%") >= 0) throw new UrlError("URL_BAD_HOST", input, "percent-encoded host names are not supported");
  const lower = raw.toLowerCase();
  const host = lower.charCodeAt(lower.length - 1) === 0x2e ? lower.slice(0, -1) : lower;
  const ip = ipv4Parts(host);
  if (ip) {
    for (let i = 0; i < 4; i++) if (Number(ip[i]) > 255) throw new UrlError("URL_BAD_HOST", input, `"${host}" is not a valid IPv4 address`);
    return host;
  }
  if (isDigitsAndDots(host)) throw new UrlError("URL_BAD_HOST", input, `"${host}" is not a valid IPv4 address`);
  if (host.length > 253) throw new UrlError("URL_BAD_HOST", input, "host name longer than 253 characters");
  for (const label of host.split(".")) {
    if (!isHostLabel(label)) throw new UrlError("URL_BAD_HOST", input, `"${host}" is not a valid host name`);
  }
  return host;
}

/** Percent-encodes what may not stand in a request target; existing %XX escapes are kept. */
function encodePath(path: string): string {
  let out = "";
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 0x25 && !(isHexDigit(path.charCodeAt(i + 1)) && isHexDigit(path.charCodeAt(i + 2)))) {
      out += "%25";
    } else if (isPathSafe(c)) {
      out += path[i];
    } else {
      let end = i + 1;
      // Keep a surrogate pair together so it encodes as one UTF-8 sequence.
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < path.length) end++;
      for (const b of utf8Bytes(path.slice(i, end))) out += `%${b < 16 ? "0" : ""}${b.toString(16).toUpperCase()}`;
      i = end - 1;
    }
  }
  return out;
}

/**
 * Resolves a Location value against the URL of the request that got it (RFC 3986 section 5.2,
 * as RFC 9110 section 10.2.2 asks). The result is parsed, so it obeys every rule of `parseUrl`.
 */
export function resolveUrl(base: HttpUrl, reference: string): HttpUrl {
  const ref = reference.trim();
  if (hasCtl(ref)) throw new UrlError("URL_BAD_CHARACTER", reference, "control character in redirect location");
  if (ref === "") throw new UrlError("URL_SYNTAX", reference, "empty redirect location");
  if (schemeEnd(ref) >= 0) return parseUrl(ref);
  if (ref.startsWith("//")) return parseUrl(`${base.scheme}:${ref}`);
  const hash = ref.indexOf("#");
  const noFragment = hash >= 0 ? ref.slice(0, hash) : ref;
  const baseQuery = base.path.indexOf("?");
  const basePath = baseQuery >= 0 ? base.path.slice(0, baseQuery) : base.path;
  let target: string;
  if (noFragment === "") target = base.path;
  else if (noFragment.startsWith("?")) target = basePath + noFragment;
  else {
    const q = noFragment.indexOf("?");
    const refPath = q >= 0 ? noFragment.slice(0, q) : noFragment;
    const query = q >= 0 ? noFragment.slice(q) : "";
    const merged = refPath.startsWith("/") ? refPath : basePath.slice(0, basePath.lastIndexOf("/") + 1) + refPath;
    target = removeDotSegments(merged) + query;
  }
  return parseUrl(`${base.scheme}://${base.hostHeader}${target}`);
}

/** RFC 3986 section 5.2.4. */
export function removeDotSegments(path: string): string {
  const input = path.split("/");
  const out: string[] = [];
  for (let i = 0; i < input.length; i++) {
    const seg = input[i];
    const last = i === input.length - 1;
    if (seg === ".") {
      if (last) out.push("");
    } else if (seg === "..") {
      if (out.length > 1) out.pop();
      if (last) out.push("");
    } else out.push(seg);
  }
  const joined = out.join("/");
  return joined.startsWith("/") ? joined : `/${joined}`;
}
