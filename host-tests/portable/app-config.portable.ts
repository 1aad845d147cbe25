import { appConfigWarnings, describeAppConfig, parseAppConfig } from "../../modules/app/config";
import { formatDuration } from "../../modules/app/config-values";
import { Json, PortableSuite } from "./suite";

const SECRET = "s3cret-Pa55word";
/** The least a command line must give. */
const BASE = { ssid: "Lab Net", password: SECRET };

/** Only the error a parse throws (or "ok"): "code:key". */
function code(raw: Record<string, unknown>): Json {
  try {
    parseAppConfig(raw);
    return "ok";
  } catch (e) {
    const err = e as { name: string; code: string; option: string };
    return `${err.name}:${err.code}:${err.option}`;
  }
}

/** The message of the error a parse throws. */
function message(raw: Record<string, unknown>): Json {
  try {
    parseAppConfig(raw);
    return "ok";
  } catch (e) {
    return String((e as Error).message);
  }
}

/** The parsed configuration as JSON (targets as hrefs). */
function parsed(raw: Record<string, unknown>): Json {
  const c = parseAppConfig(raw);
  const tls: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(c.tls)) tls[k] = v as Json;
  return {
    ssid: c.ssid,
    passwordSet: c.password !== "",
    targets: c.targets.map((t) => t.url.href),
    intervalMs: c.intervalMs,
    tls,
    timeouts: { ...c.timeouts },
    logFormat: c.logFormat,
    previewBytes: c.previewBytes,
    sntpHosts: c.sntpHosts,
  };
}

/** Every message a list of bad configurations produces, checked for the password. */
function leaks(): Json {
  const bad: Record<string, unknown>[] = [
    { ssid: "n", password: "Qz9!" },
    { ssid: "n", password: "x".repeat(70) },
    { ssid: "n", password: "g".repeat(64) },
    { ssid: "n", password: "caf\u00e9-caf\u00e9-caf\u00e9" },
    { ssid: "n", password: 12345678 },
    { ssid: "", password: SECRET },
    { ssid: "n", pasword: SECRET },
    { ssid: "n", password: SECRET, targets: "ftp://x/" },
    { ssid: "n", password: SECRET, verify: "maybe" },
  ];
  const found: Json[] = [];
  for (const raw of bad) {
    const m = String(message(raw));
    const pw = typeof raw.password === "string" ? raw.password : typeof raw.pasword === "string" ? raw.pasword : String(raw.password);
    if (m === "ok" || m.indexOf(pw) >= 0 || m.indexOf(SECRET) >= 0) found.push(m);
  }
  const ok = parseAppConfig(BASE);
  for (const line of describeAppConfig(ok)) if (line.indexOf(SECRET) >= 0) found.push(line);
  return found;
}

export const suite: PortableSuite = {
  name: "Application configuration",
  cases: [
    {
      name: "defaults: example.com every 60 s, TLS 1.2 verified, text log, 64-byte preview, pool.ntp.org",
      run: () => parsed(BASE),
      expected: {
        ssid: "Lab Net", passwordSet: true, targets: ["https://example.com/"], intervalMs: 60000,
        tls: { tls: "1.2", verify: true },
        timeouts: { connect: 10000, handshake: 15000, firstByte: 10000, idle: 10000, total: 30000 },
        logFormat: "text", previewBytes: 64, sntpHosts: ["pool.ntp.org"],
      },
    },
    {
      name: "command-line strings for every key",
      run: () => parsed({
        ssid: "Lab Net", password: "", targets: " https://a.example/x , http://10.0.0.2:8080/ ,", interval: "30s",
        tlsVersion: "1.1", verify: "false", maxFragmentLength: "2048", connectTimeout: "5s", handshakeTimeout: "8000",
        firstByteTimeout: "2.5s", idleTimeout: "500ms", totalTimeout: "1m", logFormat: "json", preview: "0", sntp: "time.google.com,pool.ntp.org",
      }),
      expected: {
        ssid: "Lab Net", passwordSet: false, targets: ["https://a.example/x", "http://10.0.0.2:8080/"], intervalMs: 30000,
        tls: { tls: "1.1", verify: false, maxFragmentLength: 2048 },
        timeouts: { connect: 5000, handshake: 8000, firstByte: 2500, idle: 500, total: 60000 },
        logFormat: "json", previewBytes: 0, sntpHosts: ["time.google.com", "pool.ntp.org"],
      },
    },
    {
      name: "typed manifest values: numbers, booleans, arrays",
      run: () => parsed({ ...BASE, targets: ["https://a.example/"], interval: 5000, tlsVersion: 1.2, verify: true, preview: 16, sntp: ["ntp.example"] }),
      expected: {
        ssid: "Lab Net", passwordSet: true, targets: ["https://a.example/"], intervalMs: 5000,
        tls: { tls: "1.2", verify: true },
        timeouts: { connect: 10000, handshake: 15000, firstByte: 10000, idle: 10000, total: 30000 },
        logFormat: "text", previewBytes: 16, sntpHosts: ["ntp.example"],
      },
    },
    { name: "the SDK's own keys (tls object, file, sntp) are accepted", run: () => code({ ...BASE, tls: { DHE_RSA: true, ECDHE_RSA: true }, file: { root: "/" } }), expected: "ok" },
    { name: "openssl-style version TLSv1.2", run: () => (parsed({ ...BASE, tlsVersion: "TLSv1.2" }) as { tls: Json }).tls, expected: { tls: "1.2", verify: true } },
    { name: "boolean words: on/off, yes/no, 1/0", run: () => [code({ ...BASE, verify: "off" }), code({ ...BASE, verify: "YES" }), code({ ...BASE, verify: "0" })], expected: ["ok", "ok", "ok"] },
    { name: "64 hex digits is a raw WPA key", run: () => code({ ssid: "n", password: "0123456789abcdef".repeat(4) }), expected: "ok" },
    { name: "a 32-byte SSID is the longest", run: () => [code({ ssid: "x".repeat(32) }), code({ ssid: "\u00e9".repeat(17) })], expected: ["ok", "ConfigError:CONFIG_BAD_VALUE:ssid"] },

    { name: "ssid is required", run: () => message({}), expected: "ssid: is required: add ssid=... to the mcconfig command line" },
    { name: "ssid empty", run: () => code({ ssid: "" }), expected: "ConfigError:CONFIG_BAD_VALUE:ssid" },
    { name: "ssid a number", run: () => code({ ssid: 42 }), expected: "ConfigError:CONFIG_BAD_TYPE:ssid" },
    { name: "password too short, without quoting it", run: () => message({ ssid: "n", password: "abc" }), expected: "password: is too short: a WPA2 passphrase has 8 to 63 characters (leave it out for an open network)" },
    { name: "password too long", run: () => code({ ssid: "n", password: "x".repeat(65) }), expected: "ConfigError:CONFIG_BAD_VALUE:password" },
    { name: "password of 64 characters that is not hex", run: () => code({ ssid: "n", password: "z".repeat(64) }), expected: "ConfigError:CONFIG_BAD_VALUE:password" },
    { name: "password not ASCII", run: () => code({ ssid: "n", password: "passw\u00f6rd1" }), expected: "ConfigError:CONFIG_BAD_VALUE:password" },
    { name: "password a number", run: () => message({ ssid: "n", password: 12345678 }), expected: "password: must be a string (got a number)" },
    { name: "no message or summary line ever contains the password", run: () => leaks(), expected: [] },

    { name: "a typo of a key is named with the key meant", run: () => message({ ...BASE, pasword: "x" }), expected: "pasword: is not a configuration key; did you mean password? (Wi-Fi password: empty for an open network, else 8 to 63 characters or 64 hex digits (never logged))" },
    { name: "target (singular) is a typo of targets", run: () => code({ ...BASE, target: "https://a/" }), expected: "ConfigError:CONFIG_UNKNOWN_OPTION:target" },
    { name: "tls=1.2 would replace the SDK's cipher switches: refused, pointing to tlsVersion", run: () => message({ ...BASE, tls: "1.2" }), expected: 'tls: was set to "1.2", but "tls" is the SDK\'s cipher-suite switch object (config.tls.ECDHE_RSA): overriding it turns forward-secret suites off. Use tlsVersion=1.2 instead' },
    { name: "an unrelated key is left alone", run: () => code({ ...BASE, rotation: 90, brightness: "50" }), expected: "ok" },

    { name: "targets empty", run: () => code({ ...BASE, targets: " , " }), expected: "ConfigError:CONFIG_BAD_VALUE:targets" },
    { name: "targets: the bad URL is named by index with the URL parser's reason", run: () => message({ ...BASE, targets: "https://a.example/,ftp://b.example/" }), expected: 'targets[1]: scheme "ftp:" is not supported (use http: or https:): "ftp://b.example/"' },
    { name: "targets with credentials are refused", run: () => code({ ...BASE, targets: "https://u:p@a.example/" }), expected: "ConfigError:CONFIG_BAD_VALUE:targets[0]" },
    { name: "too many targets", run: () => code({ ...BASE, targets: Array.from({ length: 9 }, (_, i) => `https://h${i}.example/`).join(",") }), expected: "ConfigError:CONFIG_BAD_VALUE:targets" },
    { name: "targets a number", run: () => code({ ...BASE, targets: 1 }), expected: "ConfigError:CONFIG_BAD_TYPE:targets" },

    { name: "interval without a valid unit", run: () => message({ ...BASE, interval: "10 minutes" }), expected: 'interval: must be a duration such as 30s, 500ms, 5m or a number of ms, got "10 minutes"' },
    { name: "interval below one second", run: () => message({ ...BASE, interval: "200ms" }), expected: 'interval: must be from 1s to 24h, got "200ms"' },
    { name: "interval as a bare number is milliseconds, and the message says so", run: () => message({ ...BASE, interval: "5" }), expected: 'interval: must be from 1s to 24h, got "5" (a number without a unit is milliseconds: write 5s for seconds)' },
    { name: "interval negative", run: () => code({ ...BASE, interval: -5 }), expected: "ConfigError:CONFIG_BAD_VALUE:interval" },
    { name: "interval a boolean", run: () => code({ ...BASE, interval: true }), expected: "ConfigError:CONFIG_BAD_TYPE:interval" },
    { name: "TLS 1.3 is refused with SecureSocket's limit", run: () => message({ ...BASE, tlsVersion: "1.3" }), expected: 'tlsVersion: "1.3" is not available: Moddable SecureSocket implements TLS up to 1.2; use "1.2" (a TLS 1.3-only server cannot be reached directly)' },
    { name: "unknown TLS version", run: () => code({ ...BASE, tlsVersion: "1.5" }), expected: "ConfigError:CONFIG_TLS_VERSION_UNKNOWN:tlsVersion" },
    { name: "verify must be a boolean word", run: () => message({ ...BASE, verify: "maybe" }), expected: 'verify: must be true or false, got "maybe"' },
    { name: "maxFragmentLength not a power of two", run: () => code({ ...BASE, maxFragmentLength: "1000" }), expected: "ConfigError:CONFIG_BAD_VALUE:maxFragmentLength" },
    { name: "a timeout longer than the total is refused", run: () => message({ ...BASE, handshakeTimeout: "40s" }), expected: "handshakeTimeout: (40s) is longer than totalTimeout (30s), so it could never fire" },
    { name: "timeout of zero", run: () => code({ ...BASE, connectTimeout: "0" }), expected: "ConfigError:CONFIG_BAD_VALUE:connectTimeout" },
    { name: "logFormat other than text or json", run: () => code({ ...BASE, logFormat: "yaml" }), expected: "ConfigError:CONFIG_BAD_VALUE:logFormat" },
    { name: "preview above the engine's 256-byte limit", run: () => message({ ...BASE, preview: "1000" }), expected: 'preview: must be a whole number from 0 to 256, got "1000"' },
    { name: "preview not a whole number", run: () => code({ ...BASE, preview: "1.5" }), expected: "ConfigError:CONFIG_BAD_VALUE:preview" },
    { name: "sntp with a scheme", run: () => code({ ...BASE, sntp: "ntp://pool.ntp.org" }), expected: "ConfigError:CONFIG_BAD_VALUE:sntp[0]" },
    { name: "sntp empty", run: () => code({ ...BASE, sntp: "" }), expected: "ConfigError:CONFIG_BAD_VALUE:sntp" },
    { name: "configuration not an object", run: () => code(null as unknown as Record<string, unknown>), expected: "ConfigError:CONFIG_BAD_OPTIONS:config" },

    {
      name: "warnings: plain http and verification off",
      run: () => appConfigWarnings(parseAppConfig({ ...BASE, targets: "http://a.example/,https://b.example/", verify: "false" })).map((w) => w.code),
      expected: ["CONFIG_PLAIN_HTTP", "TLS_VERIFY_OFF"],
    },
    { name: "no warnings for the defaults", run: () => appConfigWarnings(parseAppConfig(BASE)).length, expected: 0 },
    { name: "legacy TLS warns", run: () => appConfigWarnings(parseAppConfig({ ...BASE, tlsVersion: "1.0" })).map((w) => w.code), expected: ["TLS_LEGACY_VERSION"] },
    {
      name: "summary lines hide the password",
      run: () => describeAppConfig(parseAppConfig({ ...BASE, verify: "false", maxFragmentLength: 4096 })),
      expected: [
        'ssid "Lab Net", password set (hidden)',
        "targets https://example.com/",
        "interval 60s, TLS 1.2, verify OFF (insecure), max fragment 4096",
        "timeouts connect 10s, handshake 15s, first byte 10s, idle 10s, total 30s",
        "log text, preview 64 bytes, sntp pool.ntp.org",
      ],
    },
    { name: "durations print in their natural unit", run: () => [250, 1500, 60000, 300000, 3600000].map(formatDuration), expected: ["250ms", "1.5s", "60s", "5m", "1h"] },
  ],
};
