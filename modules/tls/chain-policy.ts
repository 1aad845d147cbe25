/**
 * The certificate policy both edges apply to the chain a server sends, on top of what the TLS
 * stack checks, and the exact error texts both edges give for it. One home, so the device
 * (modules/device/tls-socket.ts, inside SecureSocket's verify) and the host simulator
 * (host/device-tls.ts, on the Certificate message read off the wire) refuse the same chains with
 * the same words, and the diagnosis (client/diagnosis-tls.ts) matches those words.
 *
 * Why each rule (SDK 8.2.3, modules/crypt/ssl/ssl_cert.js, read and measured on its simulator):
 * - A certificate that signs another must be a CA (basicConstraints CA:TRUE): the SDK never reads
 *   basicConstraints, so a leaf used as an issuer was accepted.
 * - SHA-1 and MD5 signatures are refused: the SDK verifies them (collisions are practical).
 * - RSA keys under 2048 bits are refused anywhere in the chain as sent: the SDK takes any size.
 * - The host name is matched by the rules of RFC 6125: an IP address only against an iPAddress
 *   entry of subjectAltName. The SDK compares the text of every entry, so a DNS entry holding
 *   "127.0.0.1" matched an IP host.
 * A chain the policy lets through still goes through the stack's own verification.
 */
import { parseCertificate, isCaCertificate, type CertificateSummary } from "./x509";

/** Digests too weak to trust in a certificate signature. */
const WEAK_HASHES: readonly string[] = Object.freeze(["sha1", "md5", "md4", "md2"]);
/** The smallest RSA key accepted anywhere in the chain. */
export const MIN_RSA_BITS = 2048;

/** The error texts, as both edges report them (the stack's own "certificate: auth err", then why). */
export const CHAIN_TEXTS = Object.freeze({
  authErr: "certificate: auth err",
  leafDates: "date validation failed",
  leafOnly: "certificate: auth err: the server sent only its leaf certificate, and no embedded CA signed it",
  rootNotEmbedded: "certificate: auth err: the server sent its leaf and a root that is not embedded",
  notSignedByNext: (i: number) => `certificate: auth err: certificate ${i} of the chain is not signed by certificate ${i + 1}`,
  notCa: (i: number) => `certificate: auth err: certificate ${i + 1} of the chain signs certificate ${i} but is not a CA (no basicConstraints CA:TRUE)`,
  weakSignature: (i: number, name: string) => `certificate: auth err: certificate ${i} of the chain is signed with ${name}, too weak to trust`,
  weakKey: (i: number, bits: number) => `certificate: auth err: certificate ${i} of the chain has a ${bits}-bit RSA key, under the ${MIN_RSA_BITS} bits required`,
  ipNotInSan: (host: string) => `certificate: auth err: no IP address entry ${host} in the certificate's subjectAltName`,
  nameNotInSan: (host: string) => `certificate: auth err: ${host} is not a DNS name in the certificate's subjectAltName`,
});

/** True for a dotted-quad IPv4 address (the only kind of address the device connects to). */
export function isIpv4(host: string): boolean {
  const parts = host.split(".");
  if (parts.length !== 4) return false;
  for (const p of parts) if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return false;
  return true;
}

/** The host-name check of RFC 6125 as the device applies it: DNS entries (one leading "*." label), or an IP entry for an address. */
export function nameError(leaf: CertificateSummary, host: string): string | undefined {
  const san = leaf.subjectAltName;
  if (isIpv4(host)) return san && san.ips.indexOf(host) >= 0 ? undefined : CHAIN_TEXTS.ipNotInSan(host);
  const name = host.toLowerCase();
  for (const entry of san ? san.dns : []) {
    const value = entry.toLowerCase();
    if (value.charCodeAt(0) === 42) {
      if (value.charCodeAt(1) !== 46 || value.indexOf("*", 1) > 0) continue;
      const dot = name.indexOf(".");
      if (dot > 0 && value.slice(1) === name.slice(dot)) return undefined;
    } else if (value === name) return undefined;
  }
  return CHAIN_TEXTS.nameNotInSan(host);
}

function selfIssued(c: CertificateSummary): boolean {
  return c.subject.text === c.issuer.text;
}

/**
 * The policy's verdict on a chain as the server sent it (leaf first), or undefined when it lets
 * the chain through to the stack. Certificates this parser cannot read are left to the stack.
 * The signature on a self-issued last certificate (a root the server sent along) is not judged:
 * nothing relies on it.
 */
export function chainPolicyError(chain: readonly Uint8Array[], host: string): string | undefined {
  const parsed: CertificateSummary[] = [];
  for (const der of chain) {
    try {
      parsed.push(parseCertificate(der));
    } catch {
      return undefined;
    }
  }
  for (let i = 0; i < parsed.length; i++) {
    const c = parsed[i];
    const rootSent = i === parsed.length - 1 && i > 0 && selfIssued(c);
    // RSA-PSS is refused by the stack itself ("Cert: unsupported algorithm"), whatever its hash.
    const hash = c.signatureAlgorithm.name === "rsassaPss" ? null : c.signatureAlgorithm.hash;
    if (!rootSent && hash !== null && WEAK_HASHES.indexOf(hash) >= 0) return CHAIN_TEXTS.weakSignature(i + 1, c.signatureAlgorithm.name);
    if (c.publicKey.type === "rsa" && c.publicKey.bits !== null && c.publicKey.bits < MIN_RSA_BITS) return CHAIN_TEXTS.weakKey(i + 1, c.publicKey.bits);
    if (i > 0 && !isCaCertificate(c)) return CHAIN_TEXTS.notCa(i);
  }
  return parsed.length ? nameError(parsed[0], host) : undefined;
}

/**
 * True when the chain has two or more certificates and ends with a self-issued one: a root the
 * server sent along. Sending a root proves nothing (trust comes from the embedded copy), and the
 * stack's walk throws "invalid buffer" comparing a root that has no authorityKeyIdentifier (as
 * most roots have none); the edges walk the chain without it.
 */
export function endsWithSentRoot(chain: readonly Uint8Array[]): boolean {
  if (chain.length < 2) return false;
  try {
    return selfIssued(parseCertificate(chain[chain.length - 1]));
  } catch {
    return false;
  }
}

/** True when `now` (ms) is outside the certificate's validity. */
export function outsideValidity(der: Uint8Array, now: number): boolean {
  try {
    const c = parseCertificate(der);
    return now < c.notBefore || now > c.notAfter;
  } catch {
    return false;
  }
}

/**
 * The text both edges give when the server's first bytes are not a TLS record header (content
 * type 20 to 23, version 3.x): typically a plain-HTTP port. Undefined while fewer than 5 bytes
 * came or when the header is TLS.
 */
export function notTlsText(first: Uint8Array): string | undefined {
  if (first.length < 5) return undefined;
  if (first[0] >= 20 && first[0] <= 23 && first[1] === 3) return undefined;
  let shown = "";
  for (let i = 0; i < 5; i++) {
    const b = first[i];
    shown += b > 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\x${(b < 16 ? "0" : "") + b.toString(16)}`;
  }
  return `not TLS: the first bytes from the server (${shown}) are not a TLS record`;
}
