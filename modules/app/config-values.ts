/**
 * Reading one configuration value from the raw `mc/config` object: text, lists, booleans, durations
 * and whole numbers, each refused with a ConfigError naming the key. A value is quoted in an error
 * only after URL redaction (describe), so userinfo never reaches a log line.
 */
import { ConfigError } from "../base/config-error";
import { redactedUrl } from "../http/url";
import { deepFreeze } from "../base/freeze";

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  // Redacted as a URL would be: a value meant for another key may be a URL with userinfo.
  if (typeof value === "string") return JSON.stringify(redactedUrl(value));
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return typeof value;
}

/** A required or optional string; numbers and booleans from a typed manifest are refused where text is meant. */
export function text(raw: Readonly<Record<string, unknown>>, key: string, fallback?: string): string {
  const value = raw[key];
  if (value === undefined || value === null) {
    if (fallback === undefined) throw new ConfigError("CONFIG_BAD_VALUE", key, `is required: add ${key}=... to the mcconfig command line`);
    return fallback;
  }
  if (typeof value !== "string") throw new ConfigError("CONFIG_BAD_TYPE", key, `must be a string, got ${describe(value)}`);
  return value;
}

/** A comma-separated list from the command line, or an array of strings from the manifest. */
export function list(raw: Readonly<Record<string, unknown>>, key: string, fallback: string): string[] {
  const value = raw[key] ?? fallback;
  let items: unknown[];
  if (typeof value === "string") items = value.split(",");
  else if (Array.isArray(value)) items = value;
  else throw new ConfigError("CONFIG_BAD_TYPE", key, `must be a comma-separated string or an array of strings, got ${describe(value)}`);
  return items.map((item, i) => {
    if (typeof item !== "string") throw new ConfigError("CONFIG_BAD_TYPE", `${key}[${i}]`, `must be a string, got ${describe(item)}`);
    return item.trim();
  }).filter((item) => item !== "");
}

const BOOLEAN_WORDS: { readonly [word: string]: boolean } = deepFreeze({
  true: true, false: false, yes: true, no: false, on: true, off: false, "1": true, "0": false,
});

export function booleanOf(raw: Readonly<Record<string, unknown>>, key: string, fallback: boolean): boolean {
  const value = raw[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const word = value.trim().toLowerCase();
    if (Object.prototype.hasOwnProperty.call(BOOLEAN_WORDS, word)) return BOOLEAN_WORDS[word];
  }
  throw new ConfigError(typeof value === "string" ? "CONFIG_BAD_VALUE" : "CONFIG_BAD_TYPE", key, `must be true or false, got ${describe(value)}`);
}

const UNITS: { readonly [unit: string]: number } = deepFreeze({ ms: 1, s: 1_000, m: 60_000, h: 3_600_000 });

/** A duration: a number of ms (typed or text), or text with a unit (500ms, 30s, 5m, 1h). */
export function durationOf(raw: Readonly<Record<string, unknown>>, key: string, fallback: number, min: number, max: number): number {
  const value = raw[key];
  if (value === undefined || value === null) return fallback;
  let ms: number;
  if (typeof value === "number") ms = value;
  else if (typeof value === "string") {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(value);
    if (!m) throw new ConfigError("CONFIG_BAD_VALUE", key, `must be a duration such as 30s, 500ms, 5m or a number of ms, got ${describe(value)}`);
    ms = Number(m[1]) * UNITS[(m[2] ?? "ms").toLowerCase()];
  } else throw new ConfigError("CONFIG_BAD_TYPE", key, `must be a duration such as 30s or a number of ms, got ${describe(value)}`);
  if (!isFinite(ms) || ms < min || ms > max) {
    // `interval=5` meant as seconds is the likely slip: say how the number was read.
    const unitless = typeof value === "number" || /^\s*[\d.]+\s*$/.test(value as string);
    const read = unitless && ms >= 0 && ms < min ? ` (a number without a unit is milliseconds: write ${ms}s for seconds)` : "";
    throw new ConfigError("CONFIG_BAD_VALUE", key, `must be from ${formatDuration(min)} to ${formatDuration(max)}, got ${describe(value)}${read}`);
  }
  return Math.round(ms);
}

/** 1500 -> "1.5s", 60000 -> "60s", 250 -> "250ms". */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 120_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1_000}s`;
}

export function integerOf(raw: Readonly<Record<string, unknown>>, key: string, fallback: number, min: number, max: number): number {
  const value = raw[key];
  if (value === undefined || value === null) return fallback;
  let n: number;
  if (typeof value === "number") n = value;
  else if (typeof value === "string" && /^\s*\d+\s*$/.test(value)) n = Number(value);
  else throw new ConfigError(typeof value === "string" ? "CONFIG_BAD_VALUE" : "CONFIG_BAD_TYPE", key, `must be a whole number from ${min} to ${max}, got ${describe(value)}`);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError("CONFIG_BAD_VALUE", key, `must be a whole number from ${min} to ${max}, got ${describe(value)}`);
  return n;
}
