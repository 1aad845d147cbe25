/**
 * Mutual TLS failures: a handshake that failed after the server asked for a client certificate
 * (the edges report the CertificateRequest as `clientCertificateRequested`) has one of two causes
 * the generic TLS codes would hide:
 *
 * - TLS_CLIENT_CERT_REQUIRED: the device had no certificate to send, and the server ended the
 *   handshake (OpenSSL and Node answer handshake_failure (40), TLS 1.3 servers certificate_required
 *   (116)).
 * - TLS_CLIENT_CERT_REJECTED: the device sent its certificate and the server refused it, with an
 *   alert that says why (unknown_ca 48, certificate_expired 45, bad_certificate 42, decrypt_error
 *   51...), or by closing the connection (a Node server that checks the certificate after the
 *   handshake closes it without an alert).
 */
import type { Diagnosis, Failure } from "./diagnosis";
import { explainAlert, parseAlertText } from "../tls/alerts";

const CONFIGURE = "embed the device's certificate and key and set clientCertificate and clientKey (HttpClient: tls.clientCertificates and tls.clientKey; see docs/configuration.md, mutual TLS)";

/** The text of a failure, for the detail. */
function failureText(failure: Failure): string {
  if (failure.kind === "tls-error") return failure.text;
  if (failure.kind === "disconnect") return "the server closed the connection during the handshake";
  return "the handshake failed";
}

/** Whether the failure ended the TLS handshake (rather than the connect, or a later record). */
function inHandshake(failure: Failure): boolean {
  if (failure.kind === "tls-error") return failure.phase === undefined || failure.phase === "tls-handshake";
  if (failure.kind === "disconnect") return !failure.tlsEstablished;
  if (failure.kind === "socket-error") return failure.phase === "tls-handshake";
  return false;
}

/**
 * The diagnosis of a handshake failure after a CertificateRequest, or undefined when the server
 * did not ask for a certificate (or the failure is not a handshake failure).
 */
export function clientCertificateDiagnosis(failure: Failure, requested: boolean, sent: boolean): Diagnosis | undefined {
  if (!requested || !inHandshake(failure)) return undefined;
  const text = failureText(failure);
  if (!sent) {
    return {
      code: "TLS_CLIENT_CERT_REQUIRED",
      phase: "tls-handshake",
      detail: `the server asked for a client certificate and the device has none (${text})`,
      hint: `this server requires mutual TLS: ${CONFIGURE}`,
    };
  }
  const alert = failure.kind === "tls-error" ? parseAlertText(failure.text) : undefined;
  const why = alert
    ? explainAlert(alert).hint
    : "the server closed the handshake after the device sent its certificate: most often it does not trust the certificate's issuer (have the certificate issued by a CA the server trusts, and put the intermediate after the leaf in the clientCertificate file), or the certificate has expired";
  return {
    code: "TLS_CLIENT_CERT_REJECTED",
    phase: "tls-handshake",
    detail: `the server refused the device's client certificate (${text})`,
    hint: why,
  };
}
