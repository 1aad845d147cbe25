/**
 * The algorithms of an X.509 certificate (x509.ts): its signature algorithm and its public key,
 * named as OpenSSL and Node name them, from the OID tables below.
 */
import { bitStringOf, childrenOf, DerElement, DerError, integerBytesOf, oidOf, readDer, Tag } from "./der";
import { deepFreeze } from "../base/freeze";

export interface AlgorithmInfo {
  oid: string;
  /** OpenSSL's name ("sha256WithRSAEncryption", "ecdsa-with-SHA256", "rsassaPss", "Ed25519"), or the OID. */
  name: string;
  /** The digest ("sha256"), null where the algorithm has none (Ed25519) or it is unknown. */
  hash: string | null;
}


export interface PublicKeyInfo {
  /** As Node's KeyObject.asymmetricKeyType names them. */
  type: "rsa" | "rsa-pss" | "ec" | "ed25519" | "ed448" | "unknown";
  /** The SPKI algorithm OID. */
  oid: string;
  /** RSA modulus bits, or the EC curve size; null for Edwards and unknown keys. */
  bits: number | null;
  /** EC curve name (secp256r1, secp384r1, secp521r1, ...) or its OID; null for other keys. */
  curve: string | null;
}


const HASHES: Record<string, string> = deepFreeze({
  "1.2.840.113549.2.5": "md5", "1.3.14.3.2.26": "sha1", "2.16.840.1.101.3.4.2.4": "sha224",
  "2.16.840.1.101.3.4.2.1": "sha256", "2.16.840.1.101.3.4.2.2": "sha384", "2.16.840.1.101.3.4.2.3": "sha512",
});


const RSA_PSS = "1.2.840.113549.1.1.10";

const SIGNATURES: Record<string, [name: string, hash: string | null]> = deepFreeze({
  "1.2.840.113549.1.1.4": ["md5WithRSAEncryption", "md5"],
  "1.2.840.113549.1.1.5": ["sha1WithRSAEncryption", "sha1"],
  "1.2.840.113549.1.1.14": ["sha224WithRSAEncryption", "sha224"],
  "1.2.840.113549.1.1.11": ["sha256WithRSAEncryption", "sha256"],
  "1.2.840.113549.1.1.12": ["sha384WithRSAEncryption", "sha384"],
  "1.2.840.113549.1.1.13": ["sha512WithRSAEncryption", "sha512"],
  [RSA_PSS]: ["rsassaPss", "sha1"], // the hash comes from the parameters; SHA-1 is their default
  "1.2.840.10045.4.1": ["ecdsa-with-SHA1", "sha1"],
  "1.2.840.10045.4.3.1": ["ecdsa-with-SHA224", "sha224"],
  "1.2.840.10045.4.3.2": ["ecdsa-with-SHA256", "sha256"],
  "1.2.840.10045.4.3.3": ["ecdsa-with-SHA384", "sha384"],
  "1.2.840.10045.4.3.4": ["ecdsa-with-SHA512", "sha512"],
  "1.2.840.10040.4.3": ["dsa-with-SHA1", "sha1"],
  "1.3.101.112": ["Ed25519", null],
  "1.3.101.113": ["Ed448", null],
});


const CURVES: Record<string, [name: string, bits: number]> = deepFreeze({
  "1.2.840.10045.3.1.7": ["secp256r1", 256],
  "1.3.132.0.34": ["secp384r1", 384],
  "1.3.132.0.35": ["secp521r1", 521],
  "1.3.132.0.10": ["secp256k1", 256],
  "1.3.36.3.3.2.8.1.1.7": ["brainpoolP256r1", 256],
  "1.3.36.3.3.2.8.1.1.11": ["brainpoolP384r1", 384],
  "1.3.36.3.3.2.8.1.1.13": ["brainpoolP512r1", 512],
});


export function algorithmOf(el: DerElement): AlgorithmInfo {
  const alg = childrenOf(el, Tag.SEQUENCE, "algorithm");
  const oid = oidOf(alg.next(Tag.OID, "algorithm"));
  const known = SIGNATURES[oid];
  let hash = known ? known[1] : null;
  if (oid === RSA_PSS && !alg.done) {
    // RSASSA-PSS-params: [0] hashAlgorithm, absent for the SHA-1 default.
    const params = childrenOf(alg.next(Tag.SEQUENCE, "RSASSA-PSS parameters"));
    const hashEl = params.optional(0xa0);
    if (hashEl) {
      const hashOid = oidOf(childrenOf(childrenOf(hashEl).next(Tag.SEQUENCE, "hashAlgorithm")).next(Tag.OID, "hash"));
      hash = HASHES[hashOid] || hashOid;
    }
  }
  return { oid, name: known ? known[0] : oid, hash };
}


export function publicKeyOf(el: DerElement): PublicKeyInfo {
  const spki = childrenOf(el);
  const alg = childrenOf(spki.next(Tag.SEQUENCE, "public key algorithm"));
  const oid = oidOf(alg.next(Tag.OID, "public key algorithm"));
  const params = alg.done ? null : alg.next();
  const keyEl = spki.next(Tag.BIT_STRING, "subjectPublicKey");
  bitStringOf(keyEl);
  spki.finish("subjectPublicKeyInfo");
  switch (oid) {
    case "1.2.840.113549.1.1.1":
    case RSA_PSS: {
      const rsa = childrenOf(readDer(keyEl.bytes, keyEl.valueStart + 1, keyEl.end), Tag.SEQUENCE, "RSA public key");
      const modulus = integerBytesOf(rsa.next(Tag.INTEGER, "modulus"));
      let i = 0;
      while (i < modulus.length && modulus[i] === 0) i++;
      const bits = i < modulus.length ? (modulus.length - i) * 8 - Math.clz32(modulus[i]) + 24 : 0;
      return { type: oid === RSA_PSS ? "rsa-pss" : "rsa", oid, bits, curve: null };
    }
    case "1.2.840.10045.2.1": {
      if (!params || params.tag !== Tag.OID) {
        throw new DerError("DER_UNEXPECTED", params ? params.start : el.start, "EC key without a named curve");
      }
      const curveOid = oidOf(params);
      const known = CURVES[curveOid];
      return { type: "ec", oid, bits: known ? known[1] : null, curve: known ? known[0] : curveOid };
    }
    case "1.3.101.112":
      return { type: "ed25519", oid, bits: null, curve: null };
    case "1.3.101.113":
      return { type: "ed448", oid, bits: null, curve: null };
    default:
      return { type: "unknown", oid, bits: null, curve: null };
  }
}

