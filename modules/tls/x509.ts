/**
 * X.509 certificate summary (RFC 5280) from DER, without verifying any signature. The connection
 * engine, the start-up log and the cert tools need the same facts: who a certificate is for, who
 * issued it, when it expires, what key and algorithm it uses, and whether Moddable's TLS stack
 * can handle them. Malformed input throws DerError (see der.ts).
 */
import { toHex } from "../base/bytes";
import {
  bitStringOf, booleanOf, childrenOf, DerElement, DerError, DerReader, expectTag, integerBytesOf, oidOf, readDer,
  smallIntegerOf, stringOf, Tag, timeOf, valueOf,
} from "./der";
import { sha256 } from "../base/sha256";
import { deepFreeze } from "../base/freeze";
import { algorithmOf, publicKeyOf, type AlgorithmInfo, type PublicKeyInfo } from "./x509-algorithms";

/** One attribute of a distinguished name, e.g. {oid: "2.5.4.3", type: "CN", value: "Example"}. */
export interface NameAttribute {
  oid: string;
  /** OpenSSL's short name (CN, O, OU, C, ...), or the dotted OID when unknown. */
  type: string;
  /** The text; a value that is not a string type is "#" and the hex of its DER (RFC 4514). */
  value: string;
}

export interface DistinguishedName {
  /** Attributes in DER order (usually C first, CN last); multi-valued RDNs are flattened. */
  attributes: NameAttribute[];
  /** Readable form, most specific first: "CN=..., O=..., C=..." (RFC 4514 order and escaping). */
  text: string;
}

/** Offsets [start, end) into the certificate's DER, including the element header. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface CertificateSummary {
  /** 1, 2 or 3. */
  version: number;
  /** Upper-case hex without leading zero bytes, "-" in front if negative, as OpenSSL prints it. */
  serialHex: string;
  signatureAlgorithm: AlgorithmInfo;
  issuer: DistinguishedName;
  subject: DistinguishedName;
  /** Validity bounds, milliseconds since the epoch. */
  notBefore: number;
  notAfter: number;
  publicKey: PublicKeyInfo;
  /** null when the extension is absent. */
  basicConstraints: { ca: boolean; pathLen: number | null } | null;
  /** Key usage bit names (digitalSignature, keyCertSign, ...); null when absent. */
  keyUsage: string[] | null;
  /** Extended key usage OIDs; null when absent. */
  extendedKeyUsage: string[] | null;
  /** DNS names and IP addresses (dotted IPv4, RFC 5952 IPv6); null when absent. */
  subjectAltName: { dns: string[]; ips: string[] } | null;
  /** Upper-case hex, null when absent. */
  subjectKeyId: string | null;
  authorityKeyId: string | null;
  /** Every extension present, in order. */
  extensions: { oid: string; critical: boolean }[];
  /** The signed part, and the SubjectPublicKeyInfo. */
  tbs: ByteRange;
  spki: ByteRange;
}

const NAME_TYPES: Record<string, string> = deepFreeze({
  "2.5.4.3": "CN", "2.5.4.4": "SN", "2.5.4.5": "serialNumber", "2.5.4.6": "C", "2.5.4.7": "L",
  "2.5.4.8": "ST", "2.5.4.9": "street", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.12": "title",
  "2.5.4.13": "description", "2.5.4.15": "businessCategory", "2.5.4.17": "postalCode", "2.5.4.41": "name",
  "2.5.4.42": "GN", "2.5.4.43": "initials", "2.5.4.44": "generationQualifier", "2.5.4.46": "dnQualifier",
  "2.5.4.65": "pseudonym", "2.5.4.97": "organizationIdentifier", "1.2.840.113549.1.9.1": "emailAddress",
  "0.9.2342.19200300.100.1.1": "UID", "0.9.2342.19200300.100.1.25": "DC",
  "1.3.6.1.4.1.311.60.2.1.1": "jurisdictionL", "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionST",
  "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionC",
});

const KEY_USAGE_BITS = deepFreeze([
  "digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement",
  "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly",
]);

const hex = (bytes: Uint8Array) => toHex(bytes).toUpperCase();

/** Summarises a DER certificate. Throws DerError when it is not a well-formed certificate. */
export function parseCertificate(der: Uint8Array): CertificateSummary {
  const cert = childrenOf(readDer(der), Tag.SEQUENCE, "certificate");
  const tbsEl = cert.next(Tag.SEQUENCE, "tbsCertificate");
  const outerAlg = cert.next(Tag.SEQUENCE, "signatureAlgorithm");
  bitStringOf(cert.next(Tag.BIT_STRING, "signatureValue"));
  cert.finish("certificate");

  const tbs = new DerReader(tbsEl);
  const versionEl = tbs.optional(0xa0);
  let version = 1;
  if (versionEl) {
    const v = childrenOf(versionEl);
    version = smallIntegerOf(v.next(Tag.INTEGER, "version")) + 1;
    v.finish("version");
  }
  const serialHex = serialText(integerBytesOf(tbs.next(Tag.INTEGER, "serialNumber")));
  const innerAlg = tbs.next(Tag.SEQUENCE, "signature");
  if (!sameBytes(valueOf(innerAlg), valueOf(outerAlg))) {
    throw new DerError("DER_BAD_VALUE", innerAlg.start, "signature algorithm in tbsCertificate differs from the outer one");
  }
  const issuer = nameOf(tbs.next(Tag.SEQUENCE, "issuer"));
  const validity = childrenOf(tbs.next(Tag.SEQUENCE, "validity"));
  const notBefore = timeOf(validity.next(undefined, "notBefore"));
  const notAfter = timeOf(validity.next(undefined, "notAfter"));
  validity.finish("validity");
  const subject = nameOf(tbs.next(Tag.SEQUENCE, "subject"));
  const spkiEl = tbs.next(Tag.SEQUENCE, "subjectPublicKeyInfo");
  tbs.optional(0x81); // issuerUniqueID
  tbs.optional(0x82); // subjectUniqueID
  const extsEl = tbs.optional(0xa3);
  tbs.finish("tbsCertificate");

  const summary: CertificateSummary = {
    version, serialHex, signatureAlgorithm: algorithmOf(outerAlg), issuer, subject, notBefore, notAfter,
    publicKey: publicKeyOf(spkiEl), basicConstraints: null, keyUsage: null, extendedKeyUsage: null,
    subjectAltName: null, subjectKeyId: null, authorityKeyId: null, extensions: [],
    tbs: { start: tbsEl.start, end: tbsEl.end }, spki: { start: spkiEl.start, end: spkiEl.end },
  };
  if (extsEl) readExtensions(extsEl, summary);
  return summary;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function serialText(v: Uint8Array): string {
  let bytes = v;
  let sign = "";
  if (v[0] & 0x80) {
    // Negative (old certificates have some): print the magnitude, as OpenSSL does.
    bytes = new Uint8Array(v.length);
    let carry = 1;
    for (let i = v.length - 1; i >= 0; i--) {
      const x = (~v[i] & 0xff) + carry;
      bytes[i] = x & 0xff;
      carry = x >> 8;
    }
    sign = "-";
  }
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  // Zero is "0", as OpenSSL and Node print it.
  return bytes.length === 1 && bytes[0] === 0 ? "0" : sign + hex(bytes.subarray(i));
}

/** RFC 4514 escaping for the readable form. */
function escapeValue(v: string): string {
  let out = v.replace(/[,+"\\<>;]/g, "\\$&");
  if (out.startsWith("#") || out.startsWith(" ")) out = "\\" + out;
  if (v.length > 1 && v.endsWith(" ")) out = out.slice(0, -1) + "\\ ";
  return out;
}

function nameOf(el: DerElement): DistinguishedName {
  const attributes: NameAttribute[] = [];
  const rdnTexts: string[] = [];
  const rdns = childrenOf(el);
  while (!rdns.done) {
    const rdn = childrenOf(rdns.next(Tag.SET, "relative distinguished name"));
    const parts: string[] = [];
    while (!rdn.done) {
      const atv = childrenOf(rdn.next(Tag.SEQUENCE, "attribute"));
      const oid = oidOf(atv.next(Tag.OID, "attribute type"));
      const valueEl = atv.next(undefined, "attribute value");
      atv.finish("attribute");
      const text = stringOf(valueEl);
      const value = text !== null ? text : "#" + toHex(valueEl.bytes.subarray(valueEl.start, valueEl.end));
      const type = NAME_TYPES[oid] || oid;
      attributes.push({ oid, type, value });
      parts.push(`${type}=${text !== null ? escapeValue(value) : value}`);
    }
    rdnTexts.push(parts.join(" + "));
  }
  return { attributes, text: rdnTexts.reverse().join(", ") };
}

function ipText(el: DerElement): string {
  const v = valueOf(el);
  if (v.length === 4) return v.join(".");
  if (v.length !== 16) throw new DerError("DER_BAD_VALUE", el.start, `IP address of ${v.length} bytes`);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((v[i] << 8) | v[i + 1]);
  // RFC 5952: the longest run of two or more zero groups (the first if tied) becomes "::".
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    if (j > i) i = j;
  }
  const text = groups.map((g) => g.toString(16));
  if (best < 0) return text.join(":");
  return text.slice(0, best).join(":") + "::" + text.slice(best + bestLen).join(":");
}

function readExtensions(el: DerElement, s: CertificateSummary): void {
  const exts = childrenOf(childrenOf(el).next(Tag.SEQUENCE, "extensions"));
  while (!exts.done) {
    const ext = childrenOf(exts.next(Tag.SEQUENCE, "extension"));
    const oidEl = ext.next(Tag.OID, "extension id");
    const oid = oidOf(oidEl);
    const criticalEl = ext.optional(Tag.BOOLEAN);
    const critical = criticalEl ? booleanOf(criticalEl) : false;
    const octets = ext.next(Tag.OCTET_STRING, "extension value");
    const value = readDer(octets.bytes, octets.valueStart, octets.end);
    ext.finish("extension");
    if (s.extensions.some((e) => e.oid === oid)) {
      throw new DerError("DER_BAD_VALUE", oidEl.start, `extension ${oid} appears twice`);
    }
    s.extensions.push({ oid, critical });
    switch (oid) {
      case "2.5.29.19": { // basicConstraints
        const bc = childrenOf(value, Tag.SEQUENCE, "basicConstraints");
        const caEl = bc.optional(Tag.BOOLEAN);
        const pathEl = bc.optional(Tag.INTEGER);
        bc.finish("basicConstraints");
        s.basicConstraints = { ca: caEl ? booleanOf(caEl) : false, pathLen: pathEl ? smallIntegerOf(pathEl) : null };
        break;
      }
      case "2.5.29.15": { // keyUsage
        const bits = bitStringOf(expectTag(value, Tag.BIT_STRING, "keyUsage")).bytes;
        s.keyUsage = KEY_USAGE_BITS.filter((_, i) => i >> 3 < bits.length && bits[i >> 3] & (0x80 >> (i & 7)));
        break;
      }
      case "2.5.29.37": { // extKeyUsage
        const eku = childrenOf(value, Tag.SEQUENCE, "extKeyUsage");
        s.extendedKeyUsage = [];
        while (!eku.done) s.extendedKeyUsage.push(oidOf(eku.next(Tag.OID, "key purpose")));
        break;
      }
      case "2.5.29.17": { // subjectAltName
        const names = childrenOf(value, Tag.SEQUENCE, "subjectAltName");
        const san = { dns: [] as string[], ips: [] as string[] };
        while (!names.done) {
          const n = names.next();
          if (n.tag === 0x82) san.dns.push(stringOf({ ...n, tag: Tag.IA5_STRING }) as string);
          else if (n.tag === 0x87) san.ips.push(ipText(n));
        }
        s.subjectAltName = san;
        break;
      }
      case "2.5.29.14": // subjectKeyIdentifier
        s.subjectKeyId = hex(valueOf(expectTag(value, Tag.OCTET_STRING, "subjectKeyIdentifier")));
        break;
      case "2.5.29.35": { // authorityKeyIdentifier
        const keyId = childrenOf(value, Tag.SEQUENCE, "authorityKeyIdentifier").optional(0x80);
        s.authorityKeyId = keyId ? hex(valueOf(keyId)) : null;
        break;
      }
    }
  }
}

/** SHA-256 of the whole certificate as "AB:CD:...", the form browsers and OpenSSL show. */
export function fingerprintSha256(der: Uint8Array): string {
  return toHex(sha256(der), ":").toUpperCase();
}

/**
 * True for a CA certificate by RFC 5280 4.2.1.9 and 4.2.1.3: basicConstraints says CA and, when
 * keyUsage is present, it allows keyCertSign. This is also OpenSSL's check (Node's `x509.ca`).
 */
export function isCaCertificate(s: CertificateSummary): boolean {
  return !!s.basicConstraints && s.basicConstraints.ca && (s.keyUsage === null || s.keyUsage.indexOf("keyCertSign") >= 0);
}

export type Support = "supported" | "unsupported" | "unknown";

export interface SecureSocketSupport {
  /**
   * Can the stack check the signature on this certificate? It is made with the issuer's key, so
   * for ECDSA the issuer's curve matters too: that is the `key` verdict of the issuer.
   */
  signature: Support;
  /** Can the stack check signatures made with this certificate's key (what a CA must allow)? */
  key: Support;
  /** Why, in a sentence, for logs and the cert tools. */
  reason: string;
}

/**
 * Whether Moddable's SecureSocket (SDK 8.2.3) can work with this certificate's algorithms.
 * Measured: RSA PKCS#1 and ECDSA P-256 chains verify; RSA-PSS and unusual curves fail with
 * "Cert: unsupported algorithm". Read in the SDK sources but not measured here: the signature
 * switch (ssl_cert.js) knows RSA PKCS#1 with MD5/SHA-1/SHA-224/256/384/512, DSA-SHA1 and ECDSA
 * with SHA-224..512, nothing else (so no Ed25519/Ed448); key decoding (x509.js) knows RSA and the
 * EC curves secp256r1 and secp384r1, but a P-384 root was measured unusable on the SDK's
 * simulator: "unsupported". MD5 and DSA signatures are "unknown", which nobody should rely on. For a root registered
 * as trust anchor only `key` matters: the stack never checks a root's own signature.
 */
export function secureSocketSupport(s: CertificateSummary): SecureSocketSupport {
  const alg = s.signatureAlgorithm;
  const k = s.publicKey;
  const rsaPkcs1 = /^sha(1|224|256|384|512)WithRSAEncryption$/.test(alg.name);
  const ecdsa = /^ecdsa-with-SHA(224|256|384|512)$/.test(alg.name);
  const signature: Support = rsaPkcs1 || ecdsa ? "supported"
    : alg.name === "md5WithRSAEncryption" || alg.name === "dsa-with-SHA1" ? "unknown" : "unsupported";
  const key: "supported" | "unsupported" = k.type === "rsa" || k.curve === "secp256r1" ? "supported" : "unsupported";
  const keyText = k.type === "ec" ? `EC ${k.curve} key` : k.type === "rsa" ? `RSA ${k.bits}-bit key` : `${k.type} key`;
  const reasons: string[] = [];
  if (signature === "unsupported") reasons.push(`signature ${alg.name} is not handled (the stack throws "Cert: unsupported algorithm")`);
  if (signature === "unknown") reasons.push(`signature ${alg.name} is in the SDK sources but untested`);
  // Measured with a P-384 root registered: SecureSocket cannot anchor a chain on it (secp256r1
  // only), and every chain that fails verification then ends in "cannot coerce to bigint" from the
  // stack's fallback loop over the registered roots instead of its real cause.
  if (key === "unsupported") {
    reasons.push(k.type === "ec" ? `${keyText} cannot be used by the stack (ECDSA P-256 only); registered, it turns every failing chain into "cannot coerce to bigint"` : `${keyText} cannot be used by the stack`);
  }
  return { signature, key, reason: reasons.length ? reasons.join("; ") : `${alg.name} and ${keyText} are handled` };
}
