/**
 * The host edge's table from a Node/OpenSSL TLS error to what SecureSocket (SDK 8.2.3) does for
 * the same failure: message -2 with the exception text the device edge records. One row per
 * kind of error, each with the SDK source that says why; the device profile itself (versions,
 * suites, trust, the chain checks) is device-tls.ts.
 */
import { CHAIN_TEXTS } from "../modules/tls/chain-policy";

/** Text of a received alert as the SDK's alert parser throws it. */
export function alertText(level: number, description: number): string {
  return `alert: ${level}, ${description}`;
}

/**
 * OpenSSL's names of received alerts (the reason strings Node turns into ERR_SSL_* codes) and the
 * AlertDescription numbers. OpenSSL reports only fatal received alerts this way; alerts sent in
 * the clear are read off the wire instead (tls-records.ts), with their real level.
 */
const OPENSSL_ALERTS: Readonly<Record<string, number>> = {
  UNEXPECTED_MESSAGE: 10, BAD_RECORD_MAC: 20, DECRYPTION_FAILED: 21, RECORD_OVERFLOW: 22,
  DECOMPRESSION_FAILURE: 30, HANDSHAKE_FAILURE: 40, NO_CERTIFICATE: 41, BAD_CERTIFICATE: 42,
  UNSUPPORTED_CERTIFICATE: 43, CERTIFICATE_REVOKED: 44, CERTIFICATE_EXPIRED: 45, CERTIFICATE_UNKNOWN: 46,
  ILLEGAL_PARAMETER: 47, UNKNOWN_CA: 48, ACCESS_DENIED: 49, DECODE_ERROR: 50, DECRYPT_ERROR: 51,
  EXPORT_RESTRICTION: 60, PROTOCOL_VERSION: 70, INSUFFICIENT_SECURITY: 71, INTERNAL_ERROR: 80,
  INAPPROPRIATE_FALLBACK: 86, USER_CANCELLED: 90, NO_RENEGOTIATION: 100, MISSING_EXTENSION: 109,
  UNSUPPORTED_EXTENSION: 110, CERTIFICATE_UNOBTAINABLE: 111, UNRECOGNIZED_NAME: 112,
  BAD_CERTIFICATE_STATUS_RESPONSE: 113, BAD_CERTIFICATE_HASH_VALUE: 114, UNKNOWN_PSK_IDENTITY: 115,
  CERTIFICATE_REQUIRED: 116, NO_APPLICATION_PROTOCOL: 120,
};

/** Node's codes for a chain or host name OpenSSL (or checkServerIdentity) refused. */
const CERTIFICATE_CODES = new Set([
  "UNABLE_TO_GET_ISSUER_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT", "CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID",
  "CERT_SIGNATURE_FAILURE", "CERT_UNTRUSTED", "CERT_REJECTED", "INVALID_CA", "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE", "UNABLE_TO_DECRYPT_CERT_SIGNATURE", "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "ERR_TLS_CERT_ALTNAME_INVALID", "HOSTNAME_MISMATCH", "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD", "CA_MD_TOO_WEAK", "CA_KEY_TOO_SMALL", "EE_KEY_TOO_SMALL",
]);

/** What the device does where Node reports an error: message -2 with this `lastError` text. */
export type DeviceOutcome = { kind: "error"; text: string };

/** One row of the mapping from a Node/OpenSSL error code to what SecureSocket does. */
export interface TlsErrorMapping {
  /** Node's `err.code` values this row handles, for the reader. */
  codes: string;
  /** Why the device does this (SDK source). */
  why: string;
  /** The outcome for a code this row handles, undefined for others. */
  outcome(code: string): DeviceOutcome | undefined;
}

const error = (text: string): DeviceOutcome => ({ kind: "error", text });
const ALERT_CODE = /^ERR_SSL_(?:SSLV3_ALERT|TLSV1_ALERT|TLSV13_ALERT|TLSV1)_([A-Z_]+)$/;

/**
 * The mapping, in one place: `deviceOutcome` applies the first row that handles a code. Codes no
 * row handles get -2 without `lastError` (the device would have thrown some text; which one is
 * not known).
 */
export const TLS_ERROR_MAPPINGS: readonly TlsErrorMapping[] = [
  {
    codes: "ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_<NAME>, and ERR_SSL_TLSV1_<NAME> for alerts 110-114 -> alert: 2, <number>",
    why: "ssl_alert.js throws TLSError(`alert: ${level}, ${description}`) for every received alert but close_notify; OpenSSL reports only fatal ones (warnings are read off the wire, tls-records.ts)",
    outcome: (code) => {
      const m = ALERT_CODE.exec(code);
      return m && OPENSSL_ALERTS[m[1]] !== undefined ? error(alertText(2, OPENSSL_ALERTS[m[1]])) : undefined;
    },
  },
  {
    codes: `${[...CERTIFICATE_CODES].join(", ")} -> certificate: auth err`,
    why: "ssl_handshake.js throws it whenever CertificateManager.verify returns false: untrusted chain, host-name mismatch, dates (ssl_cert.js only traces the reason)",
    outcome: (code) => (CERTIFICATE_CODES.has(code) ? error(CHAIN_TEXTS.authErr) : undefined),
  },
  {
    codes: "ERR_SSL_WRONG_CURVE -> unsupported curve",
    why: "ServerKeyExchange with a named curve other than secp256r1 (ssl_handshake.js)",
    outcome: (code) => (code === "ERR_SSL_WRONG_CURVE" ? error("unsupported curve") : undefined),
  },
  {
    codes: "ERR_SSL_WRONG_CIPHER_RETURNED -> handshake: unsuppoorted cipher",
    why: "ServerHello names a suite the device did not offer (the SDK's spelling)",
    outcome: (code) => (code === "ERR_SSL_WRONG_CIPHER_RETURNED" ? error("handshake: unsuppoorted cipher") : undefined),
  },
  {
    codes: "ERR_SSL_CIPHER_OPERATION_FAILED -> recordProtocol auth failed",
    why: "an AES-GCM record whose tag does not verify (ssl_record.js, GCM branch: its text has no colon)",
    outcome: (code) => (code === "ERR_SSL_CIPHER_OPERATION_FAILED" ? error("recordProtocol auth failed") : undefined),
  },
  {
    codes: "ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC, ERR_SSL_BAD_RECORD_MAC -> recordProtocol: auth failed",
    why: "a record's MAC or GCM tag does not verify (ssl_record.js)",
    outcome: (code) => (code === "ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC" || code === "ERR_SSL_BAD_RECORD_MAC"
      ? error("recordProtocol: auth failed") : undefined),
  },
  {
    codes: "ERR_SSL_UNSUPPORTED_PROTOCOL -> alert sent: 2, 70",
    why: "a ServerHello below protocolVersion makes the stack send fatal alert 70 itself and end the handshake with no cipher; SecureSocket then reports message 1, and what is written next leaves in clear text (measured with the SDK's lin build). The device edge (modules/device/tls-socket.ts) turns that message 1 into -2 with this text and writes nothing",
    outcome: (code) => (code === "ERR_SSL_UNSUPPORTED_PROTOCOL" ? error("alert sent: 2, 70") : undefined),
  },
];

/** What SecureSocket does for a Node TLS error, per TLS_ERROR_MAPPINGS; undefined when unknown. */
export function deviceOutcome(err: { code?: string }): DeviceOutcome | undefined {
  const code = err.code ?? "";
  for (const row of TLS_ERROR_MAPPINGS) {
    const outcome = row.outcome(code);
    if (outcome) return outcome;
  }
  return undefined;
}

/** SecureSocket's error text for a Node TLS error; undefined when unknown or not an error text. */
export function deviceErrorText(err: { code?: string }): string | undefined {
  const outcome = deviceOutcome(err);
  return outcome?.kind === "error" ? outcome.text : undefined;
}
