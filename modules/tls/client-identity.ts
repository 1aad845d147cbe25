/**
 * The client's identity for mutual TLS: a certificate chain and its private key, from PEM text,
 * checked so that everything SecureSocket would fail on late (and silently) fails at start-up
 * instead, naming the configuration key.
 *
 * What SDK 8.2.3's TLS stack can do as a client (modules/crypt/ssl, etc/pkcs8.js):
 * - It decodes the client key with `PKCS8.parse`, which reads an RSA key in PKCS#8 only, and signs
 *   CertificateVerify with RSA PKCS#1 v1.5 only. An EC key cannot be used; a PKCS#1 file
 *   ("RSA PRIVATE KEY") is wrapped into PKCS#8 here; an encrypted key is refused.
 * - It sends `clientCertificates` as they are, leaf first, when the server asks for a certificate.
 * - It never checks that the key belongs to the certificate: a wrong key shows up only as the
 *   server's alert (decrypt_error, 51). Here the RSA modulus and exponent of the key and of the
 *   certificate are compared.
 *
 * The key's bytes never reach a message: errors name the file and what is wrong, nothing more.
 */
import { ConfigError } from "../base/config-error";
import { childrenOf, DerElement, integerBytesOf, oidOf, readDer, Tag } from "./der";
import { decodePem, PemBlock } from "./pem";
import { CertificateSummary, parseCertificate } from "./x509";

/** A certificate chain (leaf first) and its key, ready for SecureSocket's `secure` dictionary. */
export interface ClientIdentity {
  /** DER, leaf first: `secure.clientCertificates`. */
  certificates: Uint8Array[];
  /** PKCS#8 DER of an RSA key: `secure.clientKey`. */
  key: Uint8Array;
  /** The leaf, for the start-up line (subject, expiry). */
  leaf: CertificateSummary;
}

const RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
const EC_PUBLIC_KEY = "1.2.840.10045.2.1";

function pemOf(option: string, file: string, text: string): PemBlock[] {
  try {
    return decodePem(text);
  } catch (e) {
    throw new ConfigError("CONFIG_BAD_VALUE", option, `"${file}" ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** An unsigned big-endian integer without its leading zero bytes. */
function magnitude(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Modulus and public exponent of an RSAPublicKey or RSAPrivateKey (PKCS#1) SEQUENCE. */
function rsaNumbers(el: DerElement, isPrivate: boolean): [Uint8Array, Uint8Array] {
  const r = childrenOf(el, Tag.SEQUENCE, isPrivate ? "RSAPrivateKey" : "RSAPublicKey");
  if (isPrivate) r.next(Tag.INTEGER, "version");
  return [magnitude(integerBytesOf(r.next(Tag.INTEGER, "modulus"))), magnitude(integerBytesOf(r.next(Tag.INTEGER, "publicExponent")))];
}

/** A PKCS#8 PrivateKeyInfo around a PKCS#1 RSAPrivateKey (RFC 5208), as `openssl pkcs8 -topk8 -nocrypt` writes it. */
function wrapPkcs1(pkcs1: Uint8Array): Uint8Array {
  const header = (tag: number, length: number): number[] => {
    if (length < 0x80) return [tag, length];
    const bytes: number[] = [];
    for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
    return [tag, 0x80 | bytes.length, ...bytes];
  };
  const version = [0x02, 0x01, 0x00];
  const algorithm = [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];
  const octet = header(0x04, pkcs1.length);
  const inner = version.length + algorithm.length + octet.length + pkcs1.length;
  const outer = header(0x30, inner);
  const out = new Uint8Array(outer.length + inner);
  out.set(outer, 0);
  out.set(version, outer.length);
  out.set(algorithm, outer.length + version.length);
  out.set(octet, outer.length + version.length + algorithm.length);
  out.set(pkcs1, out.length - pkcs1.length);
  return out;
}

/** The PKCS#8 key and its PKCS#1 part, from the key file's one private-key block. */
function keyOf(file: string, blocks: PemBlock[]): { pkcs8: Uint8Array; pkcs1: DerElement } {
  const keys = blocks.filter((b) => /PRIVATE KEY$/.test(b.label));
  if (keys.length === 0) throw new ConfigError("CONFIG_BAD_VALUE", "clientKey", `"${file}" holds no PRIVATE KEY block`);
  if (keys.length > 1) throw new ConfigError("CONFIG_BAD_VALUE", "clientKey", `"${file}" holds ${keys.length} private keys: keep only the client certificate's`);
  const block = keys[0];
  const unsupported = (why: string) => new ConfigError("CONFIG_CLIENT_KEY_UNSUPPORTED", "clientKey", `"${file}" line ${block.line}: ${why}`);
  if (block.label === "ENCRYPTED PRIVATE KEY") throw unsupported("the key is encrypted; SecureSocket needs it in clear (openssl pkcs8 -topk8 -nocrypt -in key.pem), so protect the firmware image instead");
  if (block.label === "EC PRIVATE KEY") throw unsupported("an EC key: SecureSocket signs the client's CertificateVerify with RSA only; issue the device an RSA certificate");
  try {
    if (block.label === "RSA PRIVATE KEY") return { pkcs8: wrapPkcs1(block.der), pkcs1: readDer(block.der) };
    if (block.label !== "PRIVATE KEY") throw unsupported(`a "${block.label}" block is not a key SecureSocket reads (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY")`);
    const info = childrenOf(readDer(block.der), Tag.SEQUENCE, "PrivateKeyInfo");
    info.next(Tag.INTEGER, "version");
    const oid = oidOf(childrenOf(info.next(Tag.SEQUENCE, "privateKeyAlgorithm")).next(Tag.OID, "algorithm"));
    if (oid === EC_PUBLIC_KEY) throw unsupported("an EC key: SecureSocket signs the client's CertificateVerify with RSA only; issue the device an RSA certificate");
    if (oid !== RSA_ENCRYPTION) throw unsupported(`a key of algorithm ${oid}: SecureSocket signs with RSA keys only`);
    const octets = info.next(Tag.OCTET_STRING, "privateKey");
    return { pkcs8: block.der, pkcs1: readDer(block.der, octets.valueStart, octets.end) };
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError("CONFIG_BAD_VALUE", "clientKey", `"${file}" line ${block.line}: not a readable private key: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Decodes and checks a client certificate file (the chain, leaf first) and its key file (they may
 * be the same file). Throws ConfigError with key `clientCertificate` or `clientKey`.
 */
export function loadClientIdentity(certFile: string, certText: string, keyFile: string, keyText: string): ClientIdentity {
  const certBlocks = pemOf("clientCertificate", certFile, certText).filter((b) => b.label === "CERTIFICATE");
  if (certBlocks.length === 0) throw new ConfigError("CONFIG_BAD_VALUE", "clientCertificate", `"${certFile}" holds no CERTIFICATE block`);
  const summaries = certBlocks.map((b) => {
    try {
      return parseCertificate(b.der);
    } catch (e) {
      throw new ConfigError("CONFIG_BAD_VALUE", "clientCertificate", `"${certFile}" line ${b.line}: not a readable certificate: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  const leaf = summaries[0];
  if (leaf.publicKey.type !== "rsa") {
    throw new ConfigError("CONFIG_CLIENT_KEY_UNSUPPORTED", "clientCertificate",
      `"${certFile}": the certificate has an ${leaf.publicKey.type.toUpperCase()} key; SecureSocket signs the client's CertificateVerify with RSA only: issue the device an RSA certificate`);
  }
  const { pkcs8, pkcs1 } = keyOf(keyFile, pemOf("clientKey", keyFile, keyText));
  let match: boolean;
  try {
    const der = certBlocks[0].der;
    const spki = childrenOf(readDer(der, leaf.spki.start, leaf.spki.end), Tag.SEQUENCE, "subjectPublicKeyInfo");
    spki.next(Tag.SEQUENCE, "algorithm");
    const bits = spki.next(Tag.BIT_STRING, "subjectPublicKey");
    // BIT STRING contents: one byte of unused bits (0), then the RSAPublicKey.
    const [certN, certE] = rsaNumbers(readDer(der, bits.valueStart + 1, bits.end), false);
    const [keyN, keyE] = rsaNumbers(pkcs1, true);
    match = sameBytes(certN, keyN) && sameBytes(certE, keyE);
  } catch (e) {
    throw new ConfigError("CONFIG_BAD_VALUE", "clientKey", `"${keyFile}": not a readable RSA key: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!match) {
    throw new ConfigError("CONFIG_CLIENT_KEY_MISMATCH", "clientKey",
      `"${keyFile}" is not the key of the certificate in "${certFile}" (the RSA moduli differ): the server would reject the handshake; embed the key the certificate was issued for`);
  }
  return { certificates: certBlocks.map((b) => b.der), key: pkcs8, leaf };
}
