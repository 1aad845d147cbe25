/**
 * The firmware's configuration: the raw values of `mc/config` in, a validated typed configuration
 * out, or a ConfigError that names the key.
 *
 * Every key can be set in the manifest's `config` (typed JSON values) or overridden on the mcconfig
 * command line (`mcconfig -d -m -p esp32 ssid="My Net" password=secret targets=https://a/,https://b/`),
 * where every value arrives as a string. Both forms are accepted; anything else stops start-up
 * with a message that names the key, before the device joins Wi-Fi or opens a socket.
 *
 * The Wi-Fi password never appears in an error, a warning or a summary line: errors about it
 * describe the rule it breaks, and the summary only says whether one is set.
 *
 * `mc/config` also carries the SDK's own keys. One matters here: `tls` is the SDK's object of
 * cipher-suite switches (`{DHE_RSA, ECDHE_RSA}`, read by ssl/ciphersuites). A command-line
 * `tls=1.2` replaces that object with a string and silently turns forward-secret suites off, so the
 * TLS version has its own key, `tlsVersion`, and a string `tls` is refused with that explanation.
 */
import { utf8Bytes } from "../base/bytes";
import { ConfigError } from "../base/config-error";
import { buildSecureOptions, TlsUserOptions, TlsVersionName, TlsWarning } from "../tls/options";
import { MAX_PREVIEW_BYTES } from "../client/body";
import { DEFAULT_TIMEOUTS, Timeouts } from "../client/options";
import { describeTarget, parseSecretHeaders, parseTargets, TargetConfig, TARGET_LIMITS } from "./targets";
import { deepFreeze } from "../base/freeze";
import { booleanOf, describe, durationOf, formatDuration, integerOf, list, text } from "./config-values";

export type LogFormat = "text" | "json";

/** The validated configuration. */
export interface AppConfig {
  ssid: string;
  /** Empty for an open network. Never log it: use `describeAppConfig`. */
  password: string;
  /** Fetched one at a time, each on its own schedule. */
  targets: TargetConfig[];
  /** Header names whose values are never logged, beyond the built-in ones (Authorization...). */
  secretHeaders: string[];
  /** Embedded PEM files with the client certificate chain and its key, for mutual TLS (both or neither). */
  clientCertificate?: string;
  clientKey?: string;
  /** Time from a successful fetch of a target to its next fetch, ms (failures back off from it). */
  intervalMs: number;
  /** TLS options for the connection engine (validated with buildSecureOptions). */
  tls: TlsUserOptions & { tls: TlsVersionName; verify: boolean };
  /** Deadlines in milliseconds, as the connection engine takes them. */
  timeouts: Timeouts;
  logFormat: LogFormat;
  /** Body bytes shown in each fetch's log line (0: none). */
  previewBytes: number;
  /** SNTP servers, tried in turn. */
  sntpHosts: string[];
  /** Embedded PEM files with the trusted CA certificates (names of the firmware's data resources). */
  caFiles: string[];
  /** Period of the heap sampler behind `peak_used` in `mem heap` lines, ms; 0: off. */
  heapSampleMs: number;
}

/** Something allowed but worth a line at start-up (plain http target, verification off...). */
export interface AppConfigWarning {
  code: "CONFIG_PLAIN_HTTP" | TlsWarning["code"];
  message: string;
}

/** Defaults, in one place for the README, the manifest and the tests (the timeouts are the engine's). */
export const APP_DEFAULTS = deepFreeze({
  targets: "https://example.com/",
  intervalMs: 60_000,
  tlsVersion: "1.2" as TlsVersionName,
  verify: true,
  timeouts: DEFAULT_TIMEOUTS,
  logFormat: "text" as LogFormat,
  previewBytes: 64,
  sntp: "pool.ntp.org",
});

/** Limits of the values accepted. */
export const APP_LIMITS = deepFreeze({
  maxTargets: TARGET_LIMITS.maxTargets,
  minIntervalMs: 1_000,
  maxIntervalMs: 24 * 3_600_000,
  minTimeoutMs: 100,
  maxTimeoutMs: 600_000,
  /** The engine keeps at most this many body bytes for a preview. */
  maxPreviewBytes: MAX_PREVIEW_BYTES,
  maxSntpHosts: 4,
});

/** The keys this module reads, with the one-line documentation the README table repeats. */
export const APP_CONFIG_KEYS: { readonly [key: string]: string } = deepFreeze({
  ssid: "Wi-Fi network name (required, 1 to 32 bytes)",
  password: "Wi-Fi password: empty for an open network, else 8 to 63 characters or 64 hex digits (never logged)",
  targets: `what is fetched, at most ${APP_LIMITS.maxTargets} targets: comma-separated http(s) URLs (GET), or a JSON array of URLs and objects {"url", "method", "headers", "body"} (default ${APP_DEFAULTS.targets})`,
  secretHeaders: "comma-separated header names whose values are never logged, beyond Authorization, Proxy-Authorization, Cookie and the usual API-key fields",
  clientCertificate: "embedded PEM file with the client certificate (RSA; chain leaf first) for servers that require one (mutual TLS); needs clientKey",
  clientKey: "embedded PEM file with the client certificate's RSA private key (PKCS#8 or PKCS#1, not encrypted; never logged)",
  interval: "time from a successful fetch of a target to its next one (failures back off): 1s to 24h, such as 30s, 5m, 1h or 1500ms; a number without a unit is ms (default 60s)",
  tlsVersion: `TLS version offered and required: 1.2 (default), 1.1 or 1.0; there is no 1.3 in SecureSocket`,
  verify: "verify server certificates: true (default) or false (INSECURE, logged on every connection)",
  maxFragmentLength: "ask servers for TLS records of at most 512, 1024, 2048 or 4096 bytes (RFC 6066; default: not asked)",
  connectTimeout: `TCP connect deadline (default ${formatDuration(DEFAULT_TIMEOUTS.connect)})`,
  handshakeTimeout: `TLS handshake deadline (default ${formatDuration(DEFAULT_TIMEOUTS.handshake)})`,
  firstByteTimeout: `request sent to first response byte deadline (default ${formatDuration(DEFAULT_TIMEOUTS.firstByte)})`,
  idleTimeout: `longest silence while a response arrives (default ${formatDuration(DEFAULT_TIMEOUTS.idle)})`,
  totalTimeout: `deadline for a whole fetch, redirects included (default ${formatDuration(DEFAULT_TIMEOUTS.total)})`,
  logFormat: "log lines: text (default) or json (one JSON object per line)",
  preview: `body bytes shown per fetch, 0 to ${APP_LIMITS.maxPreviewBytes} (default ${APP_DEFAULTS.previewBytes})`,
  sntp: `comma-separated SNTP servers, tried in turn (default ${APP_DEFAULTS.sntp})`,
  caFiles: "comma-separated names of the embedded PEM files whose CA certificates are trusted (the manifest lists every file in certs/)",
  heapSample: `for measuring: sample the XS heap every N ms (1 to 1000) in a debug build and add the largest sample since the last line (garbage included) to each mem heap line as peak_used; 0 (default) is off`,
});

const TIMEOUT_KEYS: { readonly [key: string]: keyof Timeouts } = deepFreeze({
  connectTimeout: "connect",
  handshakeTimeout: "handshake",
  firstByteTimeout: "firstByte",
  idleTimeout: "idle",
  totalTimeout: "total",
});

/**
 * Keys the Moddable SDK itself puts in `mc/config`; they are never reported as typos. (`tls` is
 * here too: as an object it is the SDK's; as a string it is refused on its own.)
 */
const SDK_KEYS = deepFreeze(["file", "sntp", "tls", "screen", "touch", "rotation", "format", "led", "button", "dump", "http", "main"]);

/** Optimal string alignment distance, cut off above 2 (only near misses matter). */
function nearMiss(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 2) return false;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = [];
  for (let i = 0; i <= x.length; i++) {
    d.push([]);
    for (let j = 0; j <= y.length; j++) {
      if (i === 0 || j === 0) {
        d[i].push(i + j);
        continue;
      }
      let v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) v = Math.min(v, d[i - 2][j - 2] + 1);
      d[i].push(v);
    }
  }
  const limit = b.length >= 6 ? 2 : 1;
  return d[x.length][y.length] <= limit;
}

function ssidOf(raw: Readonly<Record<string, unknown>>): string {
  const ssid = text(raw, "ssid");
  if (ssid === "") throw new ConfigError("CONFIG_BAD_VALUE", "ssid", "is empty: give the Wi-Fi network name, e.g. ssid=\"My Network\"");
  const bytes = utf8Bytes(ssid).length;
  if (bytes > 32) throw new ConfigError("CONFIG_BAD_VALUE", "ssid", `is ${bytes} bytes long; a Wi-Fi network name has at most 32`);
  return ssid;
}

/** The password is checked against WPA2's rules; no message quotes it or says how long it is. */
function passwordOf(raw: Readonly<Record<string, unknown>>): string {
  const value = raw.password;
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw new ConfigError("CONFIG_BAD_TYPE", "password", `must be a string (got a ${typeof value})`);
  if (value === "") return "";
  if (/[^\x20-\x7e]/.test(value)) {
    throw new ConfigError("CONFIG_BAD_VALUE", "password", "contains a character outside printable ASCII, which WPA2 passphrases cannot hold (check the shell quoting)");
  }
  if (value.length === 64) {
    if (!/^[0-9A-Fa-f]{64}$/.test(value)) throw new ConfigError("CONFIG_BAD_VALUE", "password", "has 64 characters, so it must be a hex key (0-9, a-f); a passphrase has at most 63");
    return value;
  }
  if (value.length < 8) throw new ConfigError("CONFIG_BAD_VALUE", "password", "is too short: a WPA2 passphrase has 8 to 63 characters (leave it out for an open network)");
  if (value.length > 63) throw new ConfigError("CONFIG_BAD_VALUE", "password", "is too long: a WPA2 passphrase has 8 to 63 characters (or 64 hex digits)");
  return value;
}

/** The name of an embedded PEM file (client certificate and key): both given, or neither. */
function clientFilesOf(raw: Readonly<Record<string, unknown>>): { clientCertificate?: string; clientKey?: string } {
  const files: { clientCertificate?: string; clientKey?: string } = {};
  for (const key of ["clientCertificate", "clientKey"] as const) {
    const value = raw[key];
    if (value === undefined || value === null || value === "") continue;
    if (typeof value !== "string") throw new ConfigError("CONFIG_BAD_TYPE", key, `must be the name of an embedded PEM file, got ${describe(value)}`);
    if (!/^[A-Za-z0-9._-]+\.(pem|key|crt)$/.test(value)) {
      throw new ConfigError("CONFIG_BAD_VALUE", key, `must be the name of an embedded .pem, .crt or .key file (letters, digits, . _ -), got ${describe(value)}`);
    }
    files[key] = value;
  }
  if (files.clientCertificate !== undefined && files.clientKey === undefined) {
    throw new ConfigError("CONFIG_CLIENT_AUTH_INCOMPLETE", "clientKey", "is required with clientCertificate: name the embedded PEM file with its private key");
  }
  if (files.clientKey !== undefined && files.clientCertificate === undefined) {
    throw new ConfigError("CONFIG_CLIENT_AUTH_INCOMPLETE", "clientCertificate", "is required with clientKey: name the embedded PEM file with the client certificate");
  }
  return files;
}

function tlsVersionOf(raw: Readonly<Record<string, unknown>>): TlsVersionName {
  if (typeof raw.tls === "string" || typeof raw.tls === "number") {
    throw new ConfigError("CONFIG_BAD_VALUE", "tls",
      `was set to ${describe(raw.tls)}, but "tls" is the SDK's cipher-suite switch object (config.tls.ECDHE_RSA): overriding it turns forward-secret suites off. Use tlsVersion=${String(raw.tls)} instead`);
  }
  const value = raw.tlsVersion;
  if (value === undefined || value === null) return APP_DEFAULTS.tlsVersion;
  // "1.2" from the command line; 1.2 (a number) from a typed manifest; "TLSv1.2" as openssl writes it.
  const name = typeof value === "number" ? value.toFixed(1) : typeof value === "string" ? value.trim().replace(/^tlsv?/i, "") : value;
  try {
    // buildSecureOptions owns the rules and the wording (TLS 1.3 is refused with the reason).
    return buildSecureOptions({ tls: name as TlsVersionName, verify: false }).tls;
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.code, "tlsVersion", e.message.slice(e.option.length + 2));
    throw e;
  }
}

function logFormatOf(raw: Readonly<Record<string, unknown>>): LogFormat {
  const value = raw.logFormat;
  if (value === undefined || value === null) return APP_DEFAULTS.logFormat;
  if (value === "text" || value === "json") return value;
  throw new ConfigError(typeof value === "string" ? "CONFIG_BAD_VALUE" : "CONFIG_BAD_TYPE", "logFormat", `must be text or json, got ${describe(value)}`);
}

function caFilesOf(raw: Readonly<Record<string, unknown>>): string[] {
  const files = list(raw, "caFiles", "");
  files.forEach((file, i) => {
    if (!/^[A-Za-z0-9._-]+\.pem$/.test(file)) {
      throw new ConfigError("CONFIG_BAD_VALUE", `caFiles[${i}]`, `must be the name of an embedded .pem file (letters, digits, . _ -), got ${describe(file)}`);
    }
  });
  return files;
}

function sntpHostsOf(raw: Readonly<Record<string, unknown>>): string[] {
  const hosts = list(raw, "sntp", APP_DEFAULTS.sntp);
  if (hosts.length === 0) throw new ConfigError("CONFIG_BAD_VALUE", "sntp", "is empty: certificate dates cannot be checked without the time; give a server such as pool.ntp.org");
  if (hosts.length > APP_LIMITS.maxSntpHosts) throw new ConfigError("CONFIG_BAD_VALUE", "sntp", `has ${hosts.length} servers; at most ${APP_LIMITS.maxSntpHosts}`);
  hosts.forEach((host, i) => {
    if (!/^[A-Za-z0-9.-]{1,253}$/.test(host) || host.startsWith(".") || host.startsWith("-")) {
      throw new ConfigError("CONFIG_BAD_VALUE", `sntp[${i}]`, `must be a host name or IPv4 address (no scheme or port), got ${describe(host)}`);
    }
  });
  return hosts;
}

/** Refuses a key that is one or two typing mistakes away from a known one (`pasword`, `target`). */
function checkTypos(raw: Readonly<Record<string, unknown>>): void {
  const known = Object.keys(APP_CONFIG_KEYS);
  for (const key of Object.keys(raw)) {
    if (known.indexOf(key) >= 0 || SDK_KEYS.indexOf(key) >= 0) continue;
    for (const candidate of known) {
      if (nearMiss(key, candidate)) {
        throw new ConfigError("CONFIG_UNKNOWN_OPTION", key, `is not a configuration key; did you mean ${candidate}? (${APP_CONFIG_KEYS[candidate]})`);
      }
    }
  }
}

/**
 * Validates the raw `mc/config` object. Throws ConfigError naming the first bad key; never
 * includes the password in a message.
 */
export function parseAppConfig(raw: Readonly<Record<string, unknown>>): AppConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError("CONFIG_BAD_OPTIONS", "config", `must be an object, got ${describe(raw)}`);
  }
  checkTypos(raw);
  const ssid = ssidOf(raw);
  const password = passwordOf(raw);
  const targets = parseTargets(raw.targets ?? APP_DEFAULTS.targets);
  const secretHeaders = parseSecretHeaders(raw.secretHeaders);
  const clientFiles = clientFilesOf(raw);
  const intervalMs = durationOf(raw, "interval", APP_DEFAULTS.intervalMs, APP_LIMITS.minIntervalMs, APP_LIMITS.maxIntervalMs);

  const tls: AppConfig["tls"] = { tls: tlsVersionOf(raw), verify: booleanOf(raw, "verify", APP_DEFAULTS.verify) };
  if (raw.maxFragmentLength !== undefined && raw.maxFragmentLength !== null) {
    const n = integerOf(raw, "maxFragmentLength", 0, 512, 4096);
    if ([512, 1024, 2048, 4096].indexOf(n) < 0) {
      throw new ConfigError("CONFIG_BAD_VALUE", "maxFragmentLength", `must be 512, 1024, 2048 or 4096 bytes (RFC 6066), got ${n}`);
    }
    tls.maxFragmentLength = n as 512 | 1024 | 2048 | 4096;
  }

  const timeouts = { ...APP_DEFAULTS.timeouts };
  for (const key of Object.keys(TIMEOUT_KEYS)) {
    const field = TIMEOUT_KEYS[key];
    timeouts[field] = durationOf(raw, key, APP_DEFAULTS.timeouts[field], APP_LIMITS.minTimeoutMs, APP_LIMITS.maxTimeoutMs);
  }
  for (const key of ["connectTimeout", "handshakeTimeout", "firstByteTimeout", "idleTimeout"]) {
    const field = TIMEOUT_KEYS[key];
    if (timeouts[field] > timeouts.total) {
      throw new ConfigError("CONFIG_BAD_VALUE", key, `(${formatDuration(timeouts[field])}) is longer than totalTimeout (${formatDuration(timeouts.total)}), so it could never fire`);
    }
  }

  return {
    ssid,
    password,
    targets,
    secretHeaders,
    ...clientFiles,
    intervalMs,
    tls,
    timeouts,
    logFormat: logFormatOf(raw),
    previewBytes: integerOf(raw, "preview", APP_DEFAULTS.previewBytes, 0, APP_LIMITS.maxPreviewBytes),
    sntpHosts: sntpHostsOf(raw),
    caFiles: caFilesOf(raw),
    heapSampleMs: integerOf(raw, "heapSample", 0, 0, 1000),
  };
}

/** What is allowed but weakens the result: one line each at start-up. */
export function appConfigWarnings(config: AppConfig): AppConfigWarning[] {
  const warnings: AppConfigWarning[] = [];
  for (const { url } of config.targets) {
    if (url.scheme === "http") {
      warnings.push({ code: "CONFIG_PLAIN_HTTP", message: `${url.href} is plain http: no encryption, no server authentication (its headers and body travel in clear)` });
    }
  }
  if (config.targets.some((t) => t.url.scheme === "https")) {
    for (const w of buildSecureOptions(config.tls).warnings) {
      // TLS_NO_CA is about the options' own CA list; the firmware registers its CAs separately.
      if (w.code !== "TLS_NO_CA") warnings.push({ code: w.code, message: w.message });
    }
  }
  return warnings;
}

/**
 * The configuration as log lines, safe to print: the password is reduced to whether one is set.
 */
export function describeAppConfig(config: AppConfig): string[] {
  const t = config.timeouts;
  return [
    `ssid "${config.ssid}", password ${config.password === "" ? "none (open network)" : "set (hidden)"}`,
    `targets ${config.targets.map((t) => describeTarget(t, config.secretHeaders)).join("; ")}`,
    `interval ${formatDuration(config.intervalMs)}, TLS ${config.tls.tls}, verify ${config.tls.verify ? "on" : "OFF (insecure)"}` +
      (config.tls.maxFragmentLength ? `, max fragment ${config.tls.maxFragmentLength}` : ""),
    `timeouts connect ${formatDuration(t.connect)}, handshake ${formatDuration(t.handshake)}, first byte ${formatDuration(t.firstByte)}, idle ${formatDuration(t.idle)}, total ${formatDuration(t.total)}`,
    `log ${config.logFormat}, preview ${config.previewBytes} bytes, sntp ${config.sntpHosts.join(", ")}`,
  ].concat(config.clientCertificate ? [`client certificate ${config.clientCertificate}, key ${config.clientKey} (mutual TLS)`] : []);
}
