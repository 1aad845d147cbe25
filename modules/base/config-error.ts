/**
 * The typed error for a configuration the firmware must refuse before it opens a socket.
 *
 * A wrong option is a programming mistake, not a network failure: it is thrown at once with a
 * stable code and the name of the option, so the log says what to change instead of the device
 * failing later with an alert number.
 */
export type ConfigErrorCode =
  /** The options argument is not a plain object. */
  | "CONFIG_BAD_OPTIONS"
  /** An option name that does not exist (usually a typo: `verfy`). */
  | "CONFIG_UNKNOWN_OPTION"
  /** An option of the wrong type (`tls: 1.2` instead of `"1.2"`). */
  | "CONFIG_BAD_TYPE"
  /** An option of the right type but an unusable value. */
  | "CONFIG_BAD_VALUE"
  /** A TLS version that exists but that SecureSocket does not implement (`"1.3"`). */
  | "CONFIG_TLS_VERSION_UNSUPPORTED"
  /** A TLS version string that is not a TLS version at all. */
  | "CONFIG_TLS_VERSION_UNKNOWN"
  /** A certificate or key that is not DER (typically PEM text). */
  | "CONFIG_CERT_NOT_DER"
  /** A client certificate without its key, or a key without a certificate. */
  | "CONFIG_CLIENT_AUTH_INCOMPLETE"
  /** A client key SecureSocket cannot sign with (EC, encrypted), or that is not a private key. */
  | "CONFIG_CLIENT_KEY_UNSUPPORTED"
  /** A client key that is not the key of the client certificate. */
  | "CONFIG_CLIENT_KEY_MISMATCH";

/** Thrown for an option the firmware refuses; `option` names it, `code` is stable for tests and logs. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly code: ConfigErrorCode,
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
  }
}
