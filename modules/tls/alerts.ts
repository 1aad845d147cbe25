/**
 * The IANA TLS alert registry, explained for this setting: an ESP32 client on Moddable
 * SecureSocket, TLS 1.2 at most, fixed cipher suites, only the secp256r1 curve, embedded CAs.
 *
 * Who sends what (from the SDK sources, modules/crypt/ssl):
 * - The error text `alert: <level>, <description>` (class TLS) is thrown only by the alert record parser,
 *   i.e. for an alert the device RECEIVED; the throw ends the handshake before anything is sent
 *   back. Any received alert other than close_notify throws, warning level (1) included.
 * - The client itself sends only two alerts: close_notify when it closes, and fatal
 *   protocol_version (70) when the ServerHello names a version lower than `protocolVersion`. That
 *   sent alert is never turned into an error text: SecureSocket then reports the connection as
 *   established (message 1) and the server closes it, so it surfaces as a disconnect before the
 *   first response byte (the console shows `ALERT! (2, 70`).
 * - When the device rejects the server (untrusted chain, host mismatch, dates), it sends no alert;
 *   the texts are `certificate: auth err` or `date validation failed` instead.
 * So a received 42-49 alert is the server complaining about the device's client certificate.
 */
import { deepFreeze } from "../base/freeze";
import type { TlsVersionName } from "./options";

/** Alert levels on the wire. */
export const TLS_ALERT_LEVEL = Object.freeze({ warning: 1, fatal: 2 } as const);

/** One registry entry with its meaning and the likely cause and fix on this device. */
export interface TlsAlertInfo {
  /** The AlertDescription number. */
  readonly description: number;
  /** IANA name, without the "_RESERVED" suffix of obsolete entries. */
  readonly name: string;
  /** Stable diagnosis code: TLS_ALERT_ + upper-case name. */
  readonly code: string;
  /** No longer sent by current implementations (kept so old servers' numbers still get a name). */
  readonly reserved: boolean;
  /** Always fatal in TLS 1.2/1.3 (a warning level for it is a peer bug). */
  readonly alwaysFatal: boolean;
  /** The SecureSocket client can send this alert itself (see the module comment). */
  readonly deviceSends: boolean;
  /** Likely cause when the server sends it to this device. */
  readonly cause: string;
  /** What to do about it. */
  readonly fix: string;
}

type Row = [description: number, name: string, flags: "" | "F" | "R" | "FR", cause: string, fix: string];

const CIPHERS = "the device offers AES-CBC with RSA key exchange always, DHE-RSA (manifest config.tls.DHE_RSA) and ECDHE-RSA/ECDHE-ECDSA AES128-GCM (config.tls.ECDHE_RSA), the secp256r1 curve only and SHA-256 signatures";
const CLIENT_CERT = "the server rejected the device's client certificate";
const RETRY_TRACE = "retry; if it repeats, compare with openssl s_client -tls1_2 against the same host and port";

// Short rows keep the table readable; the cause and fix texts are written for this device.
const ROWS: readonly Row[] = deepFreeze<Row[]>([
  [0, "close_notify", "", "the server closed the TLS connection (normal at the end, not an error)", "if it came before the response, the server gave up on the request: check request framing and timeouts"],
  [10, "unexpected_message", "F", "the server got a TLS message it did not expect (often a stale resumed session or a middlebox)", `restart the device to drop its cached session; ${RETRY_TRACE}`],
  [20, "bad_record_mac", "F", "the server could not authenticate a record from the device (corruption, middlebox, or key mismatch after resumption)", `restart the device to drop its cached session; ${RETRY_TRACE}`],
  [21, "decryption_failed", "FR", "an old server could not decrypt a record from the device", "treat as bad_record_mac (20): retry; restart the device to drop its cached session"],
  [22, "record_overflow", "F", "a record was larger than the server accepts (with maxFragmentLength set, the device must write no more per record)", "write the request in pieces no larger than maxFragmentLength, or drop maxFragmentLength"],
  [30, "decompression_failure", "FR", "compression failed; SecureSocket offers no compression, so a middlebox is likely", RETRY_TRACE],
  [40, "handshake_failure", "F", `no cipher suite, curve or signature algorithm in common (or the server requires a client certificate): ${CIPHERS}`, "keep config.tls.ECDHE_RSA and DHE_RSA true in the manifest and make the server accept ECDHE-RSA-AES128-GCM-SHA256 or AES128-SHA256 with P-256 (check with openssl s_client -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -curves prime256v1)"],
  [41, "no_certificate", "R", "an SSL 3.0 server wanted a client certificate", "configure clientCertificates and clientKey, and use TLS 1.2"],
  [42, "bad_certificate", "", `${CLIENT_CERT}: it is corrupt or its signature does not verify`, "check that clientCertificates is the right DER chain (leaf first) and clientKey is its PKCS#8 key"],
  [43, "unsupported_certificate", "", `${CLIENT_CERT}: its type is not accepted`, "use an RSA client certificate (SecureSocket signs CertificateVerify with RSA only)"],
  [44, "certificate_revoked", "", `${CLIENT_CERT}: it was revoked`, "issue a new client certificate"],
  [45, "certificate_expired", "", `${CLIENT_CERT}: it expired or is not yet valid`, "renew the client certificate"],
  [46, "certificate_unknown", "", `${CLIENT_CERT} for an unspecified reason`, "check the client certificate's chain, key usage and issuer against the server's configuration"],
  [47, "illegal_parameter", "F", "the server found a value it cannot accept in the handshake (a key share, an extension, or the SNI name)", "when connecting by IP address, connect by DNS host name instead (SecureSocket sends the host as SNI even when it is an address); otherwise compare with openssl s_client -tls1_2"],
  [48, "unknown_ca", "F", `${CLIENT_CERT}: it does not trust its issuer`, "have the client certificate issued by a CA the server trusts, and send the intermediate in clientCertificates"],
  [49, "access_denied", "F", "the server accepted the device's identity but refuses access", "authorise this client certificate on the server"],
  [50, "decode_error", "F", "the server could not parse the device's ClientHello (an extension it mishandles)", "retry without maxFragmentLength; compare with openssl s_client -tls1_2"],
  [51, "decrypt_error", "F", "a handshake signature or Finished check failed on the server (client key not matching the client certificate, or a middlebox)", "check clientKey belongs to clientCertificates[0]; retry"],
  [60, "export_restriction", "FR", "an export-era server refused the negotiation", "use a server with current TLS 1.2 configuration"],
  [70, "protocol_version", "F", "the server refuses the TLS version the device offered", "offer TLS 1.2"],
  [71, "insufficient_security", "F", `the server wants stronger cipher suites than offered: ${CIPHERS}`, "set config.tls.ECDHE_RSA true in the manifest so ECDHE-RSA-AES128-GCM-SHA256 is offered"],
  [80, "internal_error", "F", "the server failed internally (sometimes on an extension it does not support)", "retry later; if it repeats, retry without maxFragmentLength and with alpn: []"],
  [86, "inappropriate_fallback", "F", "the server saw a version-fallback signal; SecureSocket never sends one, so a middlebox rewrote the handshake", "check for a TLS-intercepting proxy on the network"],
  [90, "user_canceled", "", "the server aborted the handshake", RETRY_TRACE],
  [100, "no_renegotiation", "", "the server refuses renegotiation (a warning, but SecureSocket aborts on any alert)", RETRY_TRACE],
  [109, "missing_extension", "F", "a TLS 1.3 server missed an extension it requires: it expects TLS 1.3, which SecureSocket lacks", "the device cannot speak TLS 1.3: use an endpoint that still accepts TLS 1.2, or a TLS 1.2 proxy"],
  [110, "unsupported_extension", "F", "the server refuses an extension the device sent", "retry without maxFragmentLength and with alpn: []"],
  [111, "certificate_unobtainable", "R", "the server could not fetch a client certificate by URL (SecureSocket never asks for that)", RETRY_TRACE],
  [112, "unrecognized_name", "", "the server has no certificate for the SNI name the device sent (SNI comes from the host, or serverName)", "connect with the exact DNS name the server serves (not an IP address), or set serverName"],
  [113, "bad_certificate_status_response", "F", "an OCSP stapling problem; SecureSocket never asks for stapling, so the server or a middlebox is misbehaving", RETRY_TRACE],
  [114, "bad_certificate_hash_value", "FR", "a certificate hash mismatch (obsolete extension SecureSocket never sends)", RETRY_TRACE],
  [115, "unknown_psk_identity", "F", "the server expects a pre-shared key; SecureSocket does not support PSK", "use certificate-based TLS on this server"],
  [116, "certificate_required", "F", "the server requires a client certificate and got none", "configure clientCertificates and clientKey (mutual TLS)"],
  [120, "no_application_protocol", "F", "the server accepts none of the ALPN names offered (the default is http/1.1)", "set alpn to the protocol this server expects, or alpn: [] to send none; an HTTP/2-only server cannot be used"],
  [121, "ech_required", "F", "the server requires Encrypted Client Hello (TLS 1.3 only)", "the device cannot use this endpoint directly: use a TLS 1.2 endpoint or proxy"],
]);

function entry(row: Row): TlsAlertInfo {
  const [description, name, flags, cause, fix] = row;
  return {
    description,
    name,
    code: `TLS_ALERT_${name.toUpperCase()}`,
    reserved: flags.indexOf("R") >= 0,
    alwaysFatal: flags.indexOf("F") >= 0,
    deviceSends: description === 0 || description === 70,
    cause,
    fix,
  };
}

/** Every registry entry this project knows, in number order. */
export const TLS_ALERTS: readonly TlsAlertInfo[] = deepFreeze(ROWS.map(entry));

/** The registry entry for an AlertDescription number, or undefined. */
export function tlsAlert(description: number): TlsAlertInfo | undefined {
  for (const a of TLS_ALERTS) if (a.description === description) return a;
  return undefined;
}

/** A received alert as parsed from a SecureSocket error text. */
export interface ReceivedAlert {
  level: number;
  description: number;
}

/**
 * Parses `alert: 2, 70` (or `TLS: alert: 2, 70`, the exception as a string) into level and description.
 * The SDK formats the level first, then the description.
 */
export function parseAlertText(text: string): ReceivedAlert | undefined {
  const m = /\balert:\s*(\d{1,3})\s*,\s*(\d{1,3})\b/.exec(text);
  return m ? { level: Number(m[1]), description: Number(m[2]) } : undefined;
}

/** What the diagnosis reports for a received alert. */
export interface AlertExplanation {
  code: string;
  hint: string;
}

/**
 * Explains an alert the device received, as one log line. Protocol_version depends on what was
 * offered: with 1.2 offered the device is the limited side (no TLS 1.3 in SecureSocket); with 1.0
 * or 1.1 offered the fix is to raise the version.
 */
export function explainAlert(alert: ReceivedAlert, offered?: TlsVersionName): AlertExplanation {
  const info = tlsAlert(alert.description);
  const levelNote = alert.level === TLS_ALERT_LEVEL.warning ? " (warning level, but SecureSocket aborts on any alert)" : "";
  if (!info) {
    return {
      code: "TLS_ALERT_UNKNOWN",
      hint: `server sent alert ${alert.description}, not in the IANA registry${levelNote}: compare with openssl s_client -tls1_2 against the same host and port`,
    };
  }
  let cause = info.cause;
  let fix = info.fix;
  if (info.description === 70) {
    if (offered === "1.2") {
      cause = "the server refuses TLS 1.2, the highest version SecureSocket has: the server is TLS 1.3-only and the device is the limited side";
      fix = "the device cannot speak TLS 1.3: enable TLS 1.2 on the server, or use an endpoint or proxy that accepts it";
    } else if (offered === "1.0" || offered === "1.1") {
      cause = `the server refuses TLS ${offered}, which this configuration offers`;
      fix = "set tlsVersion to 1.2 (the default)";
    } else {
      cause = "the server refuses the TLS version offered: with 1.0/1.1 offered the configuration is limited, with 1.2 the server is TLS 1.3-only";
      fix = "set tlsVersion to 1.2; if it already is, the server needs TLS 1.2 enabled (SecureSocket has no TLS 1.3)";
    }
  }
  return { code: info.code, hint: `server sent ${info.name} (${info.description})${levelNote}: ${cause}; fix: ${fix}` };
}
