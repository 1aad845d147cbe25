/**
 * The device profile: Node's TLS client configured to behave like Moddable's SecureSocket
 * (SDK 8.2.3, modules/crypt/ssl), and the device's checks of the chain as sent. The table that
 * turns Node/OpenSSL errors into the error texts SecureSocket throws is device-tls-errors.ts.
 *
 * What the profile copies from the SDK sources:
 * - Versions: the ClientHello offers `protocolVersion` (default 0x303) and that is also the lowest
 *   version accepted, so the client speaks exactly one version. No TLS 1.3.
 * - Cipher suites in the SDK's order (RSA key exchange first): the four AES-CBC RSA suites always,
 *   three DHE-RSA suites with manifest `config.tls.DHE_RSA`, three ECDHE suites with
 *   `config.tls.ECDHE_RSA` (both default true).
 * - Curves: secp256r1 only (supported_groups). Signature algorithms: ECDSA+SHA256, RSA+SHA256.
 * - Session cache: one entry for the whole device, keyed by host name, resumed by session ID
 *   (the stack sends no session-ticket extension).
 * - Trust: the connection's `secure.certificate` plus the CAs registered for every connection
 *   (`CertificateManager.register`) plus the roots of `secure.caStore` (the device supplies the
 *   one a chain names) plus the firmware's CA resources; never the host's root store.
 *   The host name is matched against subjectAltName only (dNSName with a leading "*." wildcard,
 *   or an IPv4 iPAddress), never the common name.
 * - Device-only failures that OpenSSL would not produce (see `deviceChainError`).
 *
 * What Node cannot copy (HOST_TLS_LIMITS): `tls_max_fragment_length` is not sent; SNI is not sent
 * for an IP address (the device sends it); OpenSSL adds the renegotiation SCSV; the device accepts
 * some chains OpenSSL refuses. Otherwise the ClientHello carries the device's suites, groups,
 * signature algorithms and extensions (checked in host-tests/host-edge-tls-handshake.test.ts).
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { constants as cryptoConstants, createPrivateKey, X509Certificate } from "node:crypto";
import { asBytes } from "../modules/base/bytes";
import { encodePem } from "../modules/tls/pem";
import { CHAIN_TEXTS, chainPolicyError, endsWithSentRoot, isIpv4, outsideValidity } from "../modules/tls/chain-policy";
import { parseCertificate } from "../modules/tls/x509";

/** Manifest switches of `config.tls` that select cipher suites at build time. */
export interface DeviceTlsSwitches {
  /** ECDHE-RSA-AES128-SHA256, ECDHE-RSA-AES128-GCM-SHA256, ECDHE-ECDSA-AES128-GCM-SHA256 (default true). */
  ECDHE_RSA?: boolean;
  /** DHE-RSA-AES128-SHA256, DHE-RSA-AES256-SHA256, DHE-RSA-AES128-GCM-SHA256 (default true). */
  DHE_RSA?: boolean;
}

/** One suite of modules/crypt/ssl/ssl_ciphersuites.js with its OpenSSL name. */
export interface DeviceCipherSuite {
  /** IANA code point. */
  code: number;
  iana: string;
  openssl: string;
  /** Which manifest switch adds it; "always" for the RSA key-exchange suites. */
  switch: "always" | "DHE_RSA" | "ECDHE_RSA";
}

/** SecureSocket's suites in the order its ClientHello lists them. */
export const DEVICE_CIPHER_SUITES: readonly DeviceCipherSuite[] = [
  { code: 0x002f, iana: "TLS_RSA_WITH_AES_128_CBC_SHA", openssl: "AES128-SHA", switch: "always" },
  { code: 0x0035, iana: "TLS_RSA_WITH_AES_256_CBC_SHA", openssl: "AES256-SHA", switch: "always" },
  { code: 0x003c, iana: "TLS_RSA_WITH_AES_128_CBC_SHA256", openssl: "AES128-SHA256", switch: "always" },
  { code: 0x003d, iana: "TLS_RSA_WITH_AES_256_CBC_SHA256", openssl: "AES256-SHA256", switch: "always" },
  { code: 0x0067, iana: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", openssl: "DHE-RSA-AES128-SHA256", switch: "DHE_RSA" },
  { code: 0x006b, iana: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", openssl: "DHE-RSA-AES256-SHA256", switch: "DHE_RSA" },
  { code: 0x009e, iana: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", openssl: "DHE-RSA-AES128-GCM-SHA256", switch: "DHE_RSA" },
  { code: 0xc027, iana: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", openssl: "ECDHE-RSA-AES128-SHA256", switch: "ECDHE_RSA" },
  { code: 0xc02f, iana: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", openssl: "ECDHE-RSA-AES128-GCM-SHA256", switch: "ECDHE_RSA" },
  { code: 0xc02b, iana: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", openssl: "ECDHE-ECDSA-AES128-GCM-SHA256", switch: "ECDHE_RSA" },
];

/** The supported_groups the device sends (OpenSSL name of secp256r1). */
export const DEVICE_CURVES = "prime256v1";
/** The signature_algorithms the device sends: {SHA256, ECDSA}, {SHA256, RSA PKCS#1}. */
export const DEVICE_SIGALGS = "ECDSA+SHA256:RSA+SHA256";

/** `protocolVersion` values and Node's names for them. */
export const TLS_VERSION_NAMES: Readonly<Record<number, tls.SecureVersion>> = {
  0x301: "TLSv1",
  0x302: "TLSv1.1",
  0x303: "TLSv1.2",
};
/** ssl/constants: the version offered when `protocolVersion` is not given. */
export const DEVICE_DEFAULT_VERSION = 0x303;

/** What the host edge cannot reproduce, for logs and docs. */
export const HOST_TLS_LIMITS = {
  maxFragmentLength:
    "Node's TLS client cannot send the max_fragment_length extension: tls_max_fragment_length is accepted and ignored on the host, so servers send full-size (16 KB) records",
  sniForIp:
    "Node sends no SNI when the host is an IP address; the device sends the address as SNI",
  renegotiationScsv:
    "OpenSSL always lists TLS_EMPTY_RENEGOTIATION_INFO_SCSV (0x00ff) after the device's suites; the device sends no renegotiation signal",
  permissiveDevice:
    "the SDK's chain walk skips a certificate its successor did not sign (ssl_cert.js verify: `continue`), so a forged leaf before a real intermediate or root passed; the device edge (modules/device/tls-socket.ts) now checks every link first, which is OpenSSL's verdict too (auth err). An expired leaf is skipped by the walk as well, then refused when the handshake registers it as the peer certificate: `date validation failed`, which the host edge reproduces (deviceLeafDateError)",
} as const;

/** OpenSSL 3's SSL_OP_NO_EXTENDED_MASTER_SECRET (not among Node's crypto.constants). */
const SSL_OP_NO_EXTENDED_MASTER_SECRET = 1;

/** The cipher list (OpenSSL names, device order) for the given manifest switches. */
export function deviceCipherSuites(switches: DeviceTlsSwitches = {}): string[] {
  const ecdhe = switches.ECDHE_RSA ?? true;
  const dhe = switches.DHE_RSA ?? true;
  return DEVICE_CIPHER_SUITES
    .filter((s) => s.switch === "always" || (s.switch === "ECDHE_RSA" ? ecdhe : dhe))
    .map((s) => s.openssl);
}

/** A class of error whose `String()` is "TLS: message", like the SDK's TLSError. */
export class TlsStackError extends Error {
  constructor(message: string) {
    super(message);
  }
}
TlsStackError.prototype.name = "TLS";

/** Certificate bytes as the device takes them (DER) or as files usually hold them (PEM text). */
export type CertInput = ArrayBuffer | ArrayBufferView | string;

/** PEM text for Node from DER bytes or PEM text. */
export function toPem(cert: CertInput, label = "CERTIFICATE"): string {
  if (typeof cert === "string") return cert;
  return encodePem(label, asBytes(cert));
}

/** The SecureSocket `secure` keys the host edge reads. */
export interface SecureKeys {
  protocolVersion?: number;
  certificate?: CertInput;
  verify?: boolean;
  trace?: boolean;
  cache?: boolean;
  tls_max_fragment_length?: number;
  applicationLayerProtocolNegotiation?: unknown;
  clientKey?: ArrayBuffer | ArrayBufferView;
  clientCertificates?: (ArrayBuffer | ArrayBufferView)[];
  serverName?: string;
  /** The firmware's roots, decoded on demand on the device (modules/tls/ca-store.ts). */
  caStore?: { all(): Uint8Array[] };
}

/** The checks SecureSocket's constructor makes (it throws before any byte is sent). */
export function checkSecureDictionary(secure: SecureKeys, now = Date.now()): void {
  const v = secure.protocolVersion;
  if (v !== undefined && v !== 0 && TLS_VERSION_NAMES[v] === undefined) {
    throw new TlsStackError("protocolVersion: not supported");
  }
  if (secure.certificate !== undefined && secure.verify !== false) {
    // CertificateManager.register checks the dates of `secure.certificate` at construction.
    const cert = new X509Certificate(toPem(secure.certificate));
    if (!(Date.parse(cert.validFrom) < now && now < Date.parse(cert.validTo))) throw new Error("date validation failed");
  }
}

/** ALPN names as the SDK accepts them: a string or an array of strings/buffers. */
function alpnNames(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => (typeof item === "string" ? item : Buffer.from(asBytes(item as ArrayBufferView)).toString("latin1")));
}

/**
 * The device's host-name match (ssl_cert.js, with the chain policy's rule for addresses):
 * subjectAltName dNSName (case-insensitive, a leading "*" matches one label) for a name, an IPv4
 * iPAddress entry for an address; the common name is never used.
 */
export function deviceNameMatches(subjectAltName: string | undefined, host: string): boolean {
  const name = host.toLowerCase();
  const ip = isIpv4(name);
  for (const entry of (subjectAltName ?? "").split(/,\s*/)) {
    const colon = entry.indexOf(":");
    if (colon < 0) continue;
    const kind = entry.slice(0, colon);
    const value = entry.slice(colon + 1).toLowerCase();
    if (kind === "DNS" && !ip) {
      if (value.charCodeAt(0) === 42) {
        if (value.indexOf("*", 1) > 0) continue;
        const dot = name.indexOf(".");
        if (dot >= 0 && value.slice(1) === name.slice(dot)) return true;
      } else if (value === name) return true;
    } else if (kind === "IP Address" && ip && value === name) {
      return true;
    }
  }
  return false;
}

/** What `nodeTlsOptions` needs besides the `secure` dictionary. */
export interface TlsOptionContext {
  host: string;
  secure: SecureKeys;
  /** Device profile (default) or plain Node TLS defaults. */
  deviceProfile: boolean;
  switches: DeviceTlsSwitches;
  /** Registered and built-in CAs, trusted on every connection. */
  trusted: CertInput[];
  /** A session to resume. */
  session?: Buffer;
}

/** The `tls.connect` options for one connection (without `socket`). */
export function nodeTlsOptions(ctx: TlsOptionContext): tls.ConnectionOptions {
  const { secure, host } = ctx;
  const name = secure.serverName ?? host;
  const verify = secure.verify ?? true;
  // The store's roots: the device decodes the one a chain names; Node takes the whole set.
  const stored = secure.caStore ? secure.caStore.all() : [];
  const cas = [secure.certificate, ...ctx.trusted, ...stored].filter((c): c is CertInput => c !== undefined).map((c) => toPem(c));
  const options: tls.ConnectionOptions = {
    rejectUnauthorized: verify,
    ALPNProtocols: alpnNames(secure.applicationLayerProtocolNegotiation),
    session: ctx.session,
  };
  if (!net.isIP(name)) options.servername = name;
  if (cas.length || ctx.deviceProfile) options.ca = cas; // an empty list trusts nothing, as on the device
  if (secure.clientKey && secure.clientCertificates?.length) {
    options.key = createPrivateKey({ key: Buffer.from(asBytes(secure.clientKey)), format: "der", type: "pkcs8" })
      .export({ format: "pem", type: "pkcs8" });
    options.cert = secure.clientCertificates.map((c) => toPem(c)).join("");
  }
  if (!verify) {
    options.checkServerIdentity = () => undefined;
  } else if (ctx.deviceProfile) {
    options.checkServerIdentity = (_host, cert) =>
      deviceNameMatches(cert.subjectaltname, name) ? undefined
        : Object.assign(new Error(`subjectAltName match failed for ${name}`), { code: "ERR_TLS_CERT_ALTNAME_INVALID" });
  } else if (name !== host) {
    options.checkServerIdentity = (_host, cert) => tls.checkServerIdentity(name, cert);
  }
  if (!ctx.deviceProfile) return options;

  const version = TLS_VERSION_NAMES[secure.protocolVersion || DEVICE_DEFAULT_VERSION];
  options.maxVersion = version;
  options.minVersion = secure.protocolVersion ? version : "TLSv1";
  // OpenSSL 3 refuses TLS 1.0/1.1 and the SHA-1 suites above security level 0.
  const seclevel = options.minVersion === "TLSv1.2" ? "" : ":@SECLEVEL=0";
  options.ciphers = deviceCipherSuites(ctx.switches).join(":") + seclevel;
  options.ecdhCurve = DEVICE_CURVES;
  options.sigalgs = DEVICE_SIGALGS;
  // The stack resumes by session ID and sends no session_ticket extension; it knows neither
  // encrypt_then_mac nor extended_master_secret, so a server that insists on them fails here too.
  options.secureOptions = cryptoConstants.SSL_OP_NO_TICKET | cryptoConstants.SSL_OP_NO_ENCRYPT_THEN_MAC | SSL_OP_NO_EXTENDED_MASTER_SECRET;
  return options;
}

/** Signature algorithms ssl_cert.js can verify (RSA PKCS#1 v1.5, DSA-SHA1, ECDSA with SHA-2). */
const DEVICE_SIGNATURE_OIDS = new Set([
  "1.2.840.113549.1.1.4", "1.2.840.113549.1.1.5", "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12",
  "1.2.840.113549.1.1.13", "1.2.840.113549.1.1.14", "1.2.840.10040.4.3", "1.3.14.3.2.27",
  "1.2.840.10045.4.3.1", "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4",
]);

/** True when the CA's key verifies the certificate's signature (and the names chain). */
function signedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  try {
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/**
 * The device's verdict on the chain as sent, where it fails and OpenSSL would not, or fails with
 * other words (verify on, full handshake only: a resumed session sends no Certificate message).
 * The same checks, in the same order, as modules/device/tls-socket.ts:
 * - a certificate signed with an algorithm ssl_cert.js does not know (RSA-PSS, Ed25519, ...):
 *   `Cert: unsupported algorithm: <OID with commas>`;
 * - the chain policy (tls/chain-policy.ts): issuers are CAs, no SHA-1, RSA keys of 2048 bits or
 *   more, an IP host needs an IP entry;
 * - every certificate signed by the one after it;
 * - a root sent after the chain is left out (the device walks without it);
 * - a leaf sent alone (or with a root): out of date, or signed by no trusted CA (`trusted`: the connection's CA,
 *   the registered and the built-in ones), is refused with the edges' own texts.
 * Returns the error text, or undefined when the device would go on.
 */
export function deviceChainError(chain: Uint8Array[], host: string, trusted: readonly CertInput[] = [], now = Date.now()): string | undefined {
  for (const der of chain) {
    let oid: string;
    try {
      oid = parseCertificate(der).signatureAlgorithm.oid;
    } catch {
      continue; // OpenSSL reports undecodable certificates itself
    }
    if (!DEVICE_SIGNATURE_OIDS.has(oid)) return `Cert: unsupported algorithm: ${oid.split(".").join(",")}`;
  }
  const policy = chainPolicyError(chain, host);
  if (policy) return policy;
  let certs: X509Certificate[];
  try {
    certs = chain.map((der) => new X509Certificate(der));
  } catch {
    return undefined;
  }
  for (let i = 0; i + 1 < certs.length; i++) {
    if (!signedBy(certs[i], certs[i + 1])) return CHAIN_TEXTS.notSignedByNext(i + 1);
  }
  // A root sent along is left out, as the device edge does; OpenSSL judges longer chains.
  const rootSent = endsWithSentRoot(chain);
  if (certs.length - (rootSent ? 1 : 0) !== 1) return undefined;
  if (outsideValidity(chain[0], now)) return CHAIN_TEXTS.leafDates;
  for (const ca of trusted) {
    let anchor: X509Certificate;
    try {
      anchor = new X509Certificate(toPem(ca));
    } catch {
      continue;
    }
    if (signedBy(certs[0], anchor)) return undefined;
  }
  return rootSent ? CHAIN_TEXTS.rootNotEmbedded : CHAIN_TEXTS.leafOnly;
}

/**
 * The device's text for a chain OpenSSL refused for dates. SecureSocket's verify skips a leaf
 * outside its validity when a chain of two or more certificates otherwise verifies; the handshake
 * then registers the leaf as the peer certificate, and that checks its dates and throws "date
 * validation failed" (ssl_handshake.js certificate, ssl_cert.js register). An intermediate or a
 * leaf-only chain out of date fails verify itself: "certificate: auth err" (the mapping table).
 */
export function deviceLeafDateError(code: string | undefined, chain: readonly Uint8Array[] | undefined, now = Date.now()): string | undefined {
  if ((code !== "CERT_HAS_EXPIRED" && code !== "CERT_NOT_YET_VALID") || !chain || chain.length < 2) return undefined;
  let leaf;
  try {
    leaf = parseCertificate(chain[0]);
  } catch {
    return undefined;
  }
  return now < leaf.notBefore || now > leaf.notAfter ? "date validation failed" : undefined;
}
