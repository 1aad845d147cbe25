/**
 * Declarations for the Moddable SDK modules this firmware uses that `@moddable/typings` does not
 * declare. Only what the device edge calls is declared.
 */
declare module "ssl/cert" {
  /** The TLS stack's certificate store (modules/crypt/ssl/ssl_cert.js). */
  export default class CertificateManager {
    /**
     * Trusts a CA (DER) for every later TLS connection, process-wide. Duplicates are ignored; the
     * certificate's dates are not checked here.
     */
    static register(certificate: ArrayBuffer | Uint8Array): void;
  }
}

declare module "x509" {
  /** The SDK's certificate decoder (modules/crypt/etc/x509), as the TLS stack calls it. */
  const X509: {
    decode(der: unknown): object;
    decodeSPKI(der: unknown): object | undefined;
  };
  export default X509;
}
