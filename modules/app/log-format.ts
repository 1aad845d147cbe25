/**
 * Log lines of the fetch loop: one line per fetch, a summary per target every N fetches, in a
 * human-readable key=value form with a stable key order, or as JSON lines (each object's first key
 * is `event`: fetch, summary, target, warning, or a loop event).
 *
 *   fetch #12 https://example.com/ status=200 bytes=1256 ms=1834 connect=310 tls=1420 ttfb=95 conn=new
 *   fetch #13 https://example.com/ error=TLS_ALERT_PROTOCOL_VERSION phase=tls-handshake ms=912 conn=new detail="..." hint="..." retry_in=2000
 *
 * Nothing secret reaches a line: request headers are never printed (a target's header list goes
 * through `redactHeaders`), URLs carry no userinfo (parseUrl refuses it), and a query string is
 * shown as `?…` unless the caller labels the target otherwise.
 */
import type { FetchResult } from "../client/fetch-types";
import { warningLine } from "../client/warnings";
import { HeaderInput, redactHeaders } from "../http/request";
import type { TargetStatsSnapshot } from "./stats";
import { deepFreeze } from "../base/freeze";

export type LogFormat = "text" | "json";

/** A URL for a log line: the query (often an API key) is replaced by `?…`. */
export function logUrl(href: string): string {
  const q = href.indexOf("?");
  return q < 0 ? href : `${href.slice(0, q)}?…`;
}

/** A quoted value: JSON string syntax, so quotes, backslashes and control characters are escaped. */
function quote(text: string): string {
  return JSON.stringify(text);
}

/** Extra facts for a fetch line that the result alone does not hold. */
export interface FetchLineExtras {
  /** The delay before this target's next fetch, shown on failures (the backoff). */
  retryInMs?: number;
}

/** Ordered key/value pairs of one fetch: the text and JSON forms list the same keys in the same order. */
function fetchFields(result: FetchResult, extras: FetchLineExtras): [string, string | number | boolean][] {
  const f: [string, string | number | boolean][] = [];
  const t = result.timings;
  const hasResponse = result.status > 0;
  if (hasResponse) {
    f.push(["status", result.status], ["bytes", result.bytes], ["ms", t.total]);
  }
  if (result.error) {
    f.push(["error", result.error.code], ["phase", result.error.phase]);
    if (!hasResponse) f.push(["ms", t.total]);
  }
  if (result.conn !== "reused") {
    if (t.connect !== undefined) f.push(["connect", t.connect]);
    if (t.tls !== undefined) f.push(["tls", t.tls]);
  }
  if (t.ttfb !== undefined && hasResponse) f.push(["ttfb", t.ttfb]);
  if (result.conn !== "none") f.push(["conn", result.conn]);
  if (result.retried) f.push(["retried", 1]);
  if (result.redirects) f.push(["redirects", result.redirects], ["final", logUrl(result.finalUrl)]);
  if (result.error) {
    if (!(hasResponse && result.error.detail === `HTTP ${result.status}${result.reason ? ` ${result.reason}` : ""}`)) f.push(["detail", result.error.detail]);
    f.push(["hint", result.error.hint]);
  }
  if (result.preview !== undefined) f.push(["body", result.preview]);
  if (!result.ok && extras.retryInMs !== undefined) f.push(["retry_in", extras.retryInMs]);
  return f;
}

const QUOTED = deepFreeze(["detail", "hint", "body"]);

/** One line for one fetch. `label` is the target as it should appear (see `logUrl`). */
export function formatFetch(format: LogFormat, n: number, label: string, result: FetchResult, extras: FetchLineExtras = {}): string {
  const fields = fetchFields(result, extras);
  if (format === "json") {
    const o: { [k: string]: string | number | boolean } = { event: "fetch", fetch: n, url: label, ok: result.ok };
    for (const [k, v] of fields) o[k] = v;
    return JSON.stringify(o);
  }
  let line = `fetch #${n} ${label}`;
  for (const [k, v] of fields) line += ` ${k}=${QUOTED.indexOf(k) >= 0 ? quote(String(v)) : String(v)}`;
  return line;
}

/** One summary line for one target. */
export function formatSummary(format: LogFormat, s: TargetStatsSnapshot): string {
  const errors = Object.keys(s.failuresByCode).map((c) => `${c}:${s.failuresByCode[c]}`).join(",");
  if (format === "json") {
    return JSON.stringify({ event: "summary", summary: s.label, fetches: s.fetches, ok: s.successes, failed: s.failures, last_status: s.lastStatus, bytes: s.bytes, latency: s.latency, conn_new: s.connectionsOpened, conn_reused: s.connectionsReused, retries: s.retries, errors: s.failuresByCode });
  }
  let line = `summary ${s.label} fetches=${s.fetches} ok=${s.successes} failed=${s.failures} last_status=${s.lastStatus} bytes=${s.bytes}`;
  if (s.latency) line += ` ms_min=${s.latency.min} ms_median=${s.latency.median} ms_max=${s.latency.max}`;
  line += ` conn_new=${s.connectionsOpened} conn_reused=${s.connectionsReused}`;
  if (s.retries) line += ` retries=${s.retries}`;
  if (errors) line += ` errors=${errors}`;
  return line;
}

/** The line that announces a target when the loop starts: secret header values are redacted. */
export function formatTarget(format: LogFormat, index: number, label: string, method: string, intervalMs: number, headers: HeaderInput | undefined, secretHeaders?: readonly string[]): string {
  const shown = redactHeaders(headers, secretHeaders).map(([n, v]) => `${n}: ${v}`);
  if (format === "json") return JSON.stringify({ event: "target", target: index, url: label, method, every_ms: intervalMs, headers: shown });
  return `target #${index} ${method} ${label} every=${intervalMs}ms${shown.length ? ` headers=${quote(shown.join(", "))}` : ""}`;
}

/** A warning about a weakened setting (verification off, legacy TLS, an insecure opt-in). */
export function formatWarning(format: LogFormat, w: { code: string; message: string }, host: string): string {
  if (format === "json") return JSON.stringify({ event: "warning", warning: w.code, host, message: w.message });
  return warningLine(w, host);
}

/** A loop event: started, paused, resumed, stopped. */
export function formatEvent(format: LogFormat, event: string, detail: { [k: string]: string | number } = {}): string {
  if (format === "json") return JSON.stringify({ event, ...detail });
  let line = `loop ${event}`;
  for (const k of Object.keys(detail)) line += ` ${k}=${detail[k]}`;
  return line;
}

/**
 * Whether a text value must be quoted: it holds what the regex /[\s"=]/ matches. Written out
 * rather than as that regex inside the loop, which XS compiled again for every value of every line.
 */
function needsQuotes(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 0x22 || c === 0x3d || c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x1680) return true;
    if (c >= 0x2000 && (c <= 0x200a || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff)) return true;
  }
  return false;
}

/** A start-up line: `<topic> <event> k=v ...` as text, or `{"event":"<topic>.<event>",...}` as JSON. */
export function formatAppLine(format: LogFormat, topic: string, event: string, detail: { [k: string]: string | number } = {}): string {
  if (format === "json") return JSON.stringify({ event: `${topic}.${event}`, ...detail });
  let line = `${topic} ${event}`;
  for (const k of Object.keys(detail)) {
    const v = detail[k];
    line += ` ${k}=${typeof v === "string" && needsQuotes(v) ? JSON.stringify(v) : v}`;
  }
  return line;
}
