/**
 * The `targets` configuration key: what the firmware fetches, and how.
 *
 * Three shapes, all checked at start-up with a line that names the key at fault:
 * - a comma-separated list of URLs (`targets=https://a/,https://b/`), each fetched with GET;
 * - an array of URLs or of target objects, in the manifest's `config`;
 * - the same array as a JSON string, the only way an mcconfig command line (every value a string)
 *   or a `--config` file passed through it can carry objects: `targets='[{"url":...}]'`.
 *
 * A target object: `{"url": "...", "method": "POST", "headers": {"Content-Type": "application/json"},
 * "body": "..."}`. `method` defaults to GET; `body` is text, or any other JSON value, which is
 * sent as JSON (with Content-Type application/json unless the headers say otherwise).
 *
 * Header values never reach a message or a log line: errors say what is wrong with a value (CR at
 * 5), never the value, and the summary shows secret fields (Authorization, Cookie, the names in
 * `secretHeaders`...) redacted.
 */
import { utf8Bytes } from "../base/bytes";
import { ConfigError } from "../base/config-error";
import { checkHeaders, checkMethod, methodTakesBody, redactHeaders, RequestError, RequestMethod } from "../http/request";
import { HttpUrl, parseUrl, UrlError } from "../http/url";

/** One validated target. */
export interface TargetConfig {
  url: HttpUrl;
  method: RequestMethod;
  /** Request header fields, checked (no CR/LF, tokens as names, none the client owns). */
  headers: [string, string][];
  /** The body text, when the target has one. */
  body?: string;
}

export const TARGET_LIMITS = Object.freeze({
  maxTargets: 8,
  /** A body from the configuration is held in RAM for every fetch: larger ones belong in a stream. */
  maxBodyBytes: 4096,
  maxHeaders: 16,
});

const TARGET_KEYS = Object.freeze(["url", "method", "headers", "body"]);

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? "a string" : typeof value;
}

function urlOf(key: string, text: string): HttpUrl {
  try {
    return parseUrl(text);
  } catch (e) {
    if (e instanceof UrlError) throw new ConfigError("CONFIG_BAD_VALUE", key, e.message);
    throw e;
  }
}

/** A request check turned into a configuration error at `key`. */
function asConfigError(key: string, e: unknown): unknown {
  return e instanceof RequestError ? new ConfigError("CONFIG_BAD_VALUE", key, `${e.code}: ${e.message}`) : e;
}

function headersOf(key: string, value: unknown): [string, string][] {
  if (value === undefined || value === null) return [];
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError("CONFIG_BAD_TYPE", key, `must be an object of header fields, such as {"Content-Type": "application/json"}, got ${describe(value)}`);
  }
  const record = value as Record<string, unknown>;
  const pairs: [string, string][] = [];
  for (const name of Object.keys(record)) {
    const v = record[name];
    if (typeof v !== "string") throw new ConfigError("CONFIG_BAD_TYPE", `${key}.${name}`, `must be a string, got ${describe(v)}`);
    pairs.push([name, v]);
  }
  if (pairs.length > TARGET_LIMITS.maxHeaders) throw new ConfigError("CONFIG_BAD_VALUE", key, `has ${pairs.length} fields; at most ${TARGET_LIMITS.maxHeaders}`);
  try {
    checkHeaders(pairs);
  } catch (e) {
    throw asConfigError(key, e);
  }
  return pairs;
}

function hasHeader(headers: [string, string][], name: string): boolean {
  return headers.some(([n]) => n.toLowerCase() === name);
}

function targetOf(key: string, item: unknown): TargetConfig {
  if (typeof item === "string") return { url: urlOf(key, item.trim()), method: "GET", headers: [] };
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    throw new ConfigError("CONFIG_BAD_TYPE", key, `must be a URL or an object {"url", "method", "headers", "body"}, got ${describe(item)}`);
  }
  const spec = item as Record<string, unknown>;
  for (const k of Object.keys(spec)) {
    if (TARGET_KEYS.indexOf(k) < 0) throw new ConfigError("CONFIG_UNKNOWN_OPTION", `${key}.${k}`, `is not a target key (known: ${TARGET_KEYS.join(", ")})`);
  }
  if (typeof spec.url !== "string") throw new ConfigError(spec.url === undefined ? "CONFIG_BAD_VALUE" : "CONFIG_BAD_TYPE", `${key}.url`, spec.url === undefined ? "is required" : `must be a URL string, got ${describe(spec.url)}`);
  const url = urlOf(`${key}.url`, spec.url.trim());
  let method: RequestMethod;
  try {
    method = checkMethod(spec.method);
  } catch (e) {
    throw asConfigError(`${key}.method`, e);
  }
  const headers = headersOf(`${key}.headers`, spec.headers);
  const target: TargetConfig = { url, method, headers };
  if (spec.body !== undefined && spec.body !== null) {
    if (!methodTakesBody(method)) {
      throw new ConfigError("CONFIG_BAD_VALUE", `${key}.body`, `a ${method} request has no body: set "method" to POST, PUT or PATCH, or drop "body"`);
    }
    let body: string;
    if (typeof spec.body === "string") body = spec.body;
    else {
      body = JSON.stringify(spec.body);
      if (!hasHeader(headers, "content-type")) headers.push(["Content-Type", "application/json"]);
    }
    const bytes = utf8Bytes(body).length;
    if (bytes > TARGET_LIMITS.maxBodyBytes) {
      throw new ConfigError("CONFIG_BAD_VALUE", `${key}.body`, `is ${bytes} bytes; a configured body has at most ${TARGET_LIMITS.maxBodyBytes} (produce larger ones with a stream, see docs/client.md)`);
    }
    target.body = body;
  }
  return target;
}

/** The raw `targets` value as a list of items (URL strings or target objects). */
function itemsOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value !== "string") {
    throw new ConfigError("CONFIG_BAD_TYPE", "targets", `must be comma-separated URLs, an array, or a JSON array as text, got ${describe(value)}`);
  }
  const text = value.trim();
  if (text.startsWith("[") || text.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      // Not the parser's message: Node's quotes the text, which may hold a header's secret.
      throw new ConfigError("CONFIG_BAD_VALUE", "targets", `looks like JSON but does not parse: check the brackets, quotes and commas, and the shell quoting, e.g. targets='[{"url":"https://example.com/"}]'`);
    }
    return Array.isArray(parsed) ? parsed : [parsed];
  }
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** Parses and checks `targets`. Throws ConfigError naming `targets`, `targets[i]` or `targets[i].<key>`. */
export function parseTargets(value: unknown): TargetConfig[] {
  const items = itemsOf(value);
  if (items.length === 0) throw new ConfigError("CONFIG_BAD_VALUE", "targets", "is empty: give at least one URL, e.g. targets=https://example.com/");
  if (items.length > TARGET_LIMITS.maxTargets) {
    throw new ConfigError("CONFIG_BAD_VALUE", "targets", `has ${items.length} targets; at most ${TARGET_LIMITS.maxTargets} are fetched (one fetch at a time)`);
  }
  return items.map((item, i) => targetOf(`targets[${i}]`, item));
}

/** Names of headers the user marks secret, beyond the built-in ones (`secretHeaders`). */
export function parseSecretHeaders(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  let items: unknown = value;
  if (typeof value === "string") {
    const text = value.trim();
    // A JSON array as text, as a command line or a --config file passes an array.
    if (text.startsWith("[")) {
      try {
        items = JSON.parse(text);
      } catch {
        throw new ConfigError("CONFIG_BAD_VALUE", "secretHeaders", "looks like a JSON array but does not parse: check the shell quoting");
      }
    } else items = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  }
  if (!Array.isArray(items)) throw new ConfigError("CONFIG_BAD_TYPE", "secretHeaders", `must be comma-separated header names or an array, got ${describe(value)}`);
  return items.map((name, i) => {
    if (typeof name !== "string" || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
      throw new ConfigError("CONFIG_BAD_VALUE", `secretHeaders[${i}]`, "must be a header name (a token such as X-Api-Key)");
    }
    return name;
  });
}

/** A target for a log line: method (unless GET), URL, headers with secret values redacted, body size only. */
export function describeTarget(target: TargetConfig, secretHeaders: readonly string[]): string {
  let text = target.method === "GET" ? target.url.href : `${target.method} ${target.url.href}`;
  if (target.headers.length) text += ` headers: ${redactHeaders(target.headers, secretHeaders).map(([n, v]) => `${n}: ${v}`).join(", ")}`;
  if (target.body !== undefined) text += ` body: ${utf8Bytes(target.body).length} bytes`;
  return text;
}
