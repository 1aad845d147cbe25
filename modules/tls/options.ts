/**
 * TLS options: the user-facing model, the exact `secure` dictionary SecureSocket reads, and the
 * validation between them.
 *
 * The SDK typings leave `secure` as `any`, so a typo or a wrong type is silently ignored on the
 * device and shows up later as an alert number. Everything is checked here, on the host and the
 * device alike, before a socket is opened.
 *
 * Facts from the Moddable SDK sources (modules/crypt/ssl) that shape this file:
 * - The session refuses `protocolVersion` outside 0x301..0x303 ("protocolVersion: not supported");
 *   there is no TLS 1.3.
 * - When `protocolVersion` is given it is also the lowest version the client accepts: a ServerHello
 *   with a lower version makes the client send fatal alert 70 itself. Without it the client offers
 *   TLS 1.2 but silently accepts a server that answers 1.0 or 1.1. So it is always set here.
 * - `tls_max_fragment_length` is a byte count, turned into the RFC 6066 code by rounding down to a
 *   power of two between 512 and 4096; only those four values are accepted here so that what is
 *   asked for is what is sent.
 * - `applicationLayerProtocolNegotiation` takes a string or an array of strings/buffers, each
 *   1..255 bytes. The stack sends it but never reads the server's choice.
 * - `certificate` registers one CA for the connection and checks its dates against the clock at
 *   construction; more CAs go through the static `CertificateManager.register` of module
 *   `ssl/cert`, which is process-wide and does not check dates.
 * - `serverName` replaces the host name for SNI and for the host-name check.
 */
import { ConfigError } from "../base/config-error";
import { CaStore } from "./ca-store";
import { deepFreeze } from "../base/freeze";

/** The TLS versions SecureSocket implements, by their usual names. */
export type TlsVersionName = "1.0" | "1.1" | "1.2";

/** `protocolVersion` wire values (major 3, minor 1..3) by version name. */
export const TLS_PROTOCOL_VERSIONS: { readonly [V in TlsVersionName]: 0x301 | 0x302 | 0x303 } = deepFreeze({
  "1.0": 0x301,
  "1.1": 0x302,
  "1.2": 0x303,
});

/** Fragment lengths RFC 6066 can ask for, in bytes. */
export const MAX_FRAGMENT_LENGTHS = Object.freeze([512, 1024, 2048, 4096] as const);
export type MaxFragmentLength = (typeof MAX_FRAGMENT_LENGTHS)[number];

/**
 * Certificate or key bytes in DER. On the device a resource (a host buffer) is accepted as well;
 * it cannot be inspected from the core, so it is passed through unchecked.
 */
export type DerInput = ArrayBuffer | ArrayBufferView;

/** SecureSocket's `secure` dictionary, with the key names and value types the SDK reads. */
export interface SecureDictionary {
  /** 0x301 TLS 1.0, 0x302 TLS 1.1, 0x303 TLS 1.2: the version offered and the lowest accepted. */
  protocolVersion: 0x301 | 0x302 | 0x303;
  /** One DER CA certificate trusted for this connection (dates checked at construction). */
  certificate?: DerInput;
  /**
   * Not SecureSocket's: roots the edge supplies when a handshake asks for one (the device edge
   * answers the stack's CA lookup from it; the host edge trusts them all).
   */
  caStore?: CaStore;
  /** Verify the server's chain and host name (SDK default true). */
  verify: boolean;
  /** Trace the handshake with `trace()`. */
  trace?: boolean;
  /** Session cache (SDK default on): a resumed session skips certificate verification. */
  cache: boolean;
  /** Maximum fragment length in bytes (512, 1024, 2048 or 4096). */
  tls_max_fragment_length?: MaxFragmentLength;
  /** ALPN protocol names offered. */
  applicationLayerProtocolNegotiation?: string[];
  /** Client private key, PKCS#8 DER (RSA: the stack signs CertificateVerify with PKCS#1 v1.5). */
  clientKey?: DerInput;
  /** Client certificate chain, DER, leaf first. */
  clientCertificates?: DerInput[];
  /** SNI and host-name check name, when it differs from the host connected to. */
  serverName?: string;
}

/** The options users write. Every field is optional; defaults are the safe choice. */
export interface TlsUserOptions {
  /** TLS version, default "1.2". Older versions only by explicit choice (and a warning). */
  tls?: TlsVersionName;
  /** Verify the server certificate, default true. `false` is logged loudly on every connection. */
  verify?: boolean;
  /**
   * Session resumption cache, default true (saves a full handshake of one to three seconds). The
   * SDK keeps one session, keyed by host name, and a resumed session skips certificate checks:
   * set false when testing trust failures.
   */
  cache?: boolean;
  /** Ask the server for smaller records (helps heap only where the server honours it). */
  maxFragmentLength?: MaxFragmentLength;
  /** ALPN names, default ["http/1.1"]; [] sends no ALPN extension. */
  alpn?: string[];
  /** Trusted CA certificates, DER. Empty: only the CAs built into the firmware's resources. */
  caCertificates?: DerInput[];
  /** Trusted roots kept out of the heap until a handshake needs one (modules/tls/ca-store.ts). */
  caStore?: CaStore;
  /** Client certificate chain for mutual TLS, DER, leaf first; needs `clientKey`. */
  clientCertificates?: DerInput[];
  /** Client private key, PKCS#8 DER; needs `clientCertificates`. */
  clientKey?: DerInput;
  /** Name for SNI and the host-name check when it differs from the URL's host. */
  serverName?: string;
  /** Trace the TLS handshake to the console. */
  trace?: boolean;
}

/** Stable codes of the warnings `buildSecureOptions` returns. */
export type TlsWarningCode = "TLS_LEGACY_VERSION" | "TLS_VERIFY_OFF" | "TLS_NO_CA";

/** A warning to log; `everyConnection` ones are logged on each connection, the others once. */
export interface TlsWarning {
  code: TlsWarningCode;
  message: string;
  everyConnection: boolean;
}

/** What `buildSecureOptions` returns. */
export interface SecureOptions {
  /** The dictionary to pass as `new SecureSocket({sock, host, secure})`. */
  secure: SecureDictionary;
  /** CAs beyond the first: register each once with `CertificateManager.register` (module `ssl/cert`). */
  registerCertificates: DerInput[];
  /** The version chosen, for logs and for the diagnosis of alert 70. */
  tls: TlsVersionName;
  warnings: TlsWarning[];
}

/** Defaults, in one place, for documentation and tests. */
export const TLS_DEFAULTS = deepFreeze({
  tls: "1.2" as TlsVersionName,
  verify: true,
  cache: true,
  // What curl and browsers send, so servers are configured for it; and an HTTP/2-only server
  // answers alert 120 (a clear diagnosis) instead of HTTP/2 frames the HTTP/1.1 parser cannot read.
  alpn: ["http/1.1"],
});

const KNOWN_OPTIONS = deepFreeze([
  "tls", "verify", "cache", "maxFragmentLength", "alpn", "caCertificates", "caStore",
  "clientCertificates", "clientKey", "serverName", "trace",
]);

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `string "${value}"`;
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${String(value)}`;
  return typeof value;
}

function bool(options: TlsUserOptions, key: "verify" | "cache" | "trace", fallback: boolean): boolean {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new ConfigError("CONFIG_BAD_TYPE", key, `must be true or false, got ${describe(value)}`);
  return value;
}

function tlsVersion(value: unknown): TlsVersionName {
  if (value === undefined) return TLS_DEFAULTS.tls;
  if (typeof value !== "string") {
    throw new ConfigError("CONFIG_BAD_TYPE", "tls", `must be the string "1.0", "1.1" or "1.2", got ${describe(value)}`);
  }
  if (value === "1.0" || value === "1.1" || value === "1.2") return value;
  if (value === "1.3") {
    throw new ConfigError("CONFIG_TLS_VERSION_UNSUPPORTED", "tls",
      `"1.3" is not available: Moddable SecureSocket implements TLS up to 1.2; use "1.2" (a TLS 1.3-only server cannot be reached directly)`);
  }
  throw new ConfigError("CONFIG_TLS_VERSION_UNKNOWN", "tls", `unknown TLS version "${value}": use "1.2" (or "1.1"/"1.0" for legacy servers)`);
}

/** Bytes of a DER input when the core can see them; undefined for an opaque host buffer. */
function viewOf(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return undefined;
}

function isHostBuffer(value: unknown): boolean {
  return typeof value === "object" && value !== null && typeof (value as { byteLength?: unknown }).byteLength === "number";
}

/** Checks one DER item: a SEQUENCE (0x30) that is not PEM text. */
function der(option: string, value: unknown): DerInput {
  const bytes = viewOf(value);
  if (!bytes) {
    if (isHostBuffer(value)) return value as DerInput;
    throw new ConfigError("CONFIG_BAD_TYPE", option, `must be DER bytes (Uint8Array or ArrayBuffer), got ${describe(value)}`);
  }
  if (bytes.length === 0) throw new ConfigError("CONFIG_BAD_VALUE", option, "is empty");
  // "-----BEGIN": PEM text pasted where DER is needed, the most common mistake with embedded CAs.
  if (bytes[0] === 0x2d) {
    throw new ConfigError("CONFIG_CERT_NOT_DER", option, "is PEM text, not DER: convert it (openssl x509 -outform der) or decode the base64 body");
  }
  if (bytes[0] !== 0x30) {
    throw new ConfigError("CONFIG_CERT_NOT_DER", option, `is not DER: expected a SEQUENCE (first byte 0x30), got 0x${bytes[0].toString(16).padStart(2, "0")}`);
  }
  // The SDK copies certificates with `new Uint8Array(cert)`, which reads a DataView as an empty
  // array-like: hand it a Uint8Array (or the ArrayBuffer itself) instead.
  return value instanceof ArrayBuffer ? value : bytes;
}

function derList(option: string, value: unknown): DerInput[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ConfigError("CONFIG_BAD_TYPE", option, `must be an array of DER certificates, got ${describe(value)}`);
  return value.map((item, i) => der(`${option}[${i}]`, item));
}

function alpnList(value: unknown): string[] {
  if (value === undefined) return TLS_DEFAULTS.alpn.slice();
  if (!Array.isArray(value)) throw new ConfigError("CONFIG_BAD_TYPE", "alpn", `must be an array of protocol names such as ["http/1.1"], got ${describe(value)}`);
  return value.map((name, i) => {
    if (typeof name !== "string") throw new ConfigError("CONFIG_BAD_TYPE", `alpn[${i}]`, `must be a string, got ${describe(name)}`);
    // The stack throws "invalid protocol" for names outside 1..255 bytes; refuse them here instead.
    // Names are ASCII tokens (IANA registry), so length in characters is the length in bytes.
    if (name.length < 1 || name.length > 255 || !/^[\x21-\x7e]+$/.test(name)) {
      throw new ConfigError("CONFIG_BAD_VALUE", `alpn[${i}]`, `must be 1 to 255 printable ASCII characters, got ${describe(name)}`);
    }
    return name;
  });
}

/**
 * Validates user TLS options and builds SecureSocket's `secure` dictionary.
 * Throws `ConfigError` for anything the device must not try; returns warnings for what is allowed
 * but weakens the connection (legacy versions, verification off, no CA).
 */
export function buildSecureOptions(userOptions?: TlsUserOptions): SecureOptions {
  if (userOptions === undefined || userOptions === null) userOptions = {};
  if (typeof userOptions !== "object" || Array.isArray(userOptions)) {
    throw new ConfigError("CONFIG_BAD_OPTIONS", "tls options", `must be an object, got ${describe(userOptions)}`);
  }
  for (const key of Object.keys(userOptions)) {
    if (KNOWN_OPTIONS.indexOf(key) < 0) {
      throw new ConfigError("CONFIG_UNKNOWN_OPTION", key, `is not a TLS option (known: ${KNOWN_OPTIONS.join(", ")})`);
    }
  }
  const options = userOptions;
  const warnings: TlsWarning[] = [];

  const tls = tlsVersion(options.tls);
  if (tls !== "1.2") {
    warnings.push({
      code: "TLS_LEGACY_VERSION",
      message: `TLS ${tls} chosen explicitly: it is deprecated (RFC 8996), most servers refuse it with alert 70, and SecureSocket's own TLS 1.0/1.1 handshakes failed in ClientKeyExchange on SDK 8.2.3 (TLS_STACK_FAULT); use "1.2"`,
      everyConnection: false,
    });
  }

  const verify = bool(options, "verify", TLS_DEFAULTS.verify);
  if (!verify) {
    warnings.push({
      code: "TLS_VERIFY_OFF",
      message: "certificate verification is OFF: any server, or anyone on the network path, can impersonate this host; embed its root CA and set verify: true",
      everyConnection: true,
    });
  }
  const cache = bool(options, "cache", TLS_DEFAULTS.cache);
  const trace = bool(options, "trace", false);

  const secure: SecureDictionary = { protocolVersion: TLS_PROTOCOL_VERSIONS[tls], verify, cache };
  if (trace) secure.trace = true;

  if (options.maxFragmentLength !== undefined) {
    const m = options.maxFragmentLength as unknown;
    if (typeof m !== "number") throw new ConfigError("CONFIG_BAD_TYPE", "maxFragmentLength", `must be a number of bytes, got ${describe(m)}`);
    if ((MAX_FRAGMENT_LENGTHS as readonly number[]).indexOf(m) < 0) {
      throw new ConfigError("CONFIG_BAD_VALUE", "maxFragmentLength", `must be 512, 1024, 2048 or 4096 bytes (RFC 6066), got ${m}`);
    }
    secure.tls_max_fragment_length = m as MaxFragmentLength;
  }

  const alpn = alpnList(options.alpn);
  if (alpn.length) secure.applicationLayerProtocolNegotiation = alpn;

  const cas = derList("caCertificates", options.caCertificates);
  if (cas.length) secure.certificate = cas[0];
  if (options.caStore !== undefined) {
    if (!(options.caStore instanceof CaStore)) throw new ConfigError("CONFIG_BAD_TYPE", "caStore", `must be a CaStore, got ${describe(options.caStore)}`);
    secure.caStore = options.caStore;
  }
  if (!cas.length && (secure.caStore === undefined || secure.caStore.size === 0) && verify) {
    warnings.push({
      code: "TLS_NO_CA",
      message: "no CA certificates given: only CAs built into the firmware resources are trusted; embed the server's root CA (npm run probe -- https://host shows it)",
      everyConnection: false,
    });
  }

  const clientCertificates = derList("clientCertificates", options.clientCertificates);
  const clientKey = options.clientKey === undefined ? undefined : der("clientKey", options.clientKey);
  if (clientCertificates.length && clientKey === undefined) {
    throw new ConfigError("CONFIG_CLIENT_AUTH_INCOMPLETE", "clientKey", "is required with clientCertificates (PKCS#8 DER of the certificate's key)");
  }
  if (clientKey !== undefined && !clientCertificates.length) {
    throw new ConfigError("CONFIG_CLIENT_AUTH_INCOMPLETE", "clientCertificates", "are required with clientKey (DER, leaf first)");
  }
  if (clientKey !== undefined) {
    secure.clientKey = clientKey;
    secure.clientCertificates = clientCertificates;
  }

  if (options.serverName !== undefined) {
    const name = options.serverName as unknown;
    if (typeof name !== "string") throw new ConfigError("CONFIG_BAD_TYPE", "serverName", `must be a host name string, got ${describe(name)}`);
    if (!/^[A-Za-z0-9.-]{1,253}$/.test(name)) throw new ConfigError("CONFIG_BAD_VALUE", "serverName", `must be a DNS host name, got ${describe(name)}`);
    secure.serverName = name;
  }

  return { secure, registerCertificates: cas.slice(1), tls, warnings };
}
