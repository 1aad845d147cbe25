import { decodePem } from "../../modules/tls/pem";
import { DerError, readDer } from "../../modules/tls/der";
import {
  fingerprintSha256, isCaCertificate, parseCertificate, secureSocketSupport,
} from "../../modules/tls/x509";
import { EC_P256_CA, EC_P384_CA, ED25519_CA, EXPIRED, LEAF_PLAIN, LEAF_SAN, RSA_CA, RSA_PSS_CA } from "./cert-fixtures";
import { latin1Bytes, toHex } from "../../modules/base/bytes";
import { sha256 } from "../../modules/base/sha256";
import { Json, PortableSuite } from "./suite";

const der = (pem: string) => decodePem(pem)[0].der;

/** The whole summary plus the derived facts: every field must come out the same in XS. */
const summary = (pem: string): Json => {
  const s = parseCertificate(der(pem));
  return { ...s, fingerprint: fingerprintSha256(der(pem)), isCa: isCaCertificate(s), secureSocket: { ...secureSocketSupport(s) } } as unknown as Json;
};

const errorOf = (fn: () => unknown): Json => {
  try {
    fn();
    return "no error";
  } catch (e) {
    return e instanceof DerError ? { code: e.code, offset: e.offset, message: e.message } : String(e);
  }
};

/** `bytes` with its first element's length bytes replaced, the contents left as they are. */
const withHeader = (bytes: Uint8Array, header: number[]): Uint8Array => {
  const el = readDer(bytes);
  const out = new Uint8Array(header.length + bytes.length - el.valueStart);
  out.set(header);
  out.set(bytes.subarray(el.valueStart), header.length);
  return out;
};

export const suite: PortableSuite = {
  name: "X.509 certificate summaries",
  cases: [
    {
      name: "SHA-256 known answers: FIPS 180-4 examples and 1000 bytes",
      run: () => [
        toHex(sha256(new Uint8Array(0))),
        toHex(sha256(latin1Bytes("abc"))),
        toHex(sha256(latin1Bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
        toHex(sha256(Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff))),
      ],
      expected: ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "a8af099bf2e878609558dbf69d8f88f4a31040a8cf84b549a0cfa912f12ffc3f"],
    },
    { name: "RSA 2048 root CA", run: () => summary(RSA_CA), expected: {
      version: 3,
      serialHex: "23606E3787C72907780A28B718FF2945",
      signatureAlgorithm: { oid: "1.2.840.113549.1.1.11", name: "sha256WithRSAEncryption", hash: "sha256" },
      issuer: {
        attributes: [{ oid: "2.5.4.6", type: "C", value: "US" }, { oid: "2.5.4.10", type: "O", value: "Example Test" }, { oid: "2.5.4.11", type: "OU", value: "Firmware" }, { oid: "2.5.4.3", type: "CN", value: "Test RSA Root CA" }],
        text: "CN=Test RSA Root CA, OU=Firmware, O=Example Test, C=US",
      },
      subject: {
        attributes: [{ oid: "2.5.4.6", type: "C", value: "US" }, { oid: "2.5.4.10", type: "O", value: "Example Test" }, { oid: "2.5.4.11", type: "OU", value: "Firmware" }, { oid: "2.5.4.3", type: "CN", value: "Test RSA Root CA" }],
        text: "CN=Test RSA Root CA, OU=Firmware, O=Example Test, C=US",
      },
      notBefore: 1704067200000,
      notAfter: 2524607999000,
      publicKey: { type: "rsa", oid: "1.2.840.113549.1.1.1", bits: 2048, curve: null },
      basicConstraints: { ca: true, pathLen: 1 },
      keyUsage: ["keyCertSign", "cRLSign"],
      extendedKeyUsage: null,
      subjectAltName: null,
      subjectKeyId: "5E3CB57A578878FD2FA3F307A0B6198D5DD2151F",
      authorityKeyId: null,
      extensions: [{ oid: "2.5.29.19", critical: true }, { oid: "2.5.29.15", critical: true }, { oid: "2.5.29.14", critical: false }],
      tbs: { start: 4, end: 611 },
      spki: { start: 246, end: 540 },
      fingerprint: "B2:6C:20:16:11:51:1F:31:90:DD:2D:83:3E:F0:C9:43:5B:D2:F9:D8:1B:97:AD:03:6E:CC:B1:49:59:33:15:EB",
      isCa: true,
      secureSocket: {
        signature: "supported",
        key: "supported",
        reason: "sha256WithRSAEncryption and RSA 2048-bit key are handled",
      },
    } },
    { name: "EC P-256 root CA, notAfter as GeneralizedTime", run: () => summary(EC_P256_CA), expected: {
      version: 3,
      serialHex: "60BDE189B0C379E82FAD4425858F0281",
      signatureAlgorithm: { oid: "1.2.840.10045.4.3.2", name: "ecdsa-with-SHA256", hash: "sha256" },
      issuer: {
        attributes: [{ oid: "2.5.4.6", type: "C", value: "DE" }, { oid: "2.5.4.10", type: "O", value: "Example Test" }, { oid: "2.5.4.3", type: "CN", value: "Test EC P-256 Root CA" }],
        text: "CN=Test EC P-256 Root CA, O=Example Test, C=DE",
      },
      subject: {
        attributes: [{ oid: "2.5.4.6", type: "C", value: "DE" }, { oid: "2.5.4.10", type: "O", value: "Example Test" }, { oid: "2.5.4.3", type: "CN", value: "Test EC P-256 Root CA" }],
        text: "CN=Test EC P-256 Root CA, O=Example Test, C=DE",
      },
      notBefore: 1704067200000,
      notAfter: 2682374400000,
      publicKey: { type: "ec", oid: "1.2.840.10045.2.1", bits: 256, curve: "secp256r1" },
      basicConstraints: { ca: true, pathLen: null },
      keyUsage: ["keyCertSign", "cRLSign"],
      extendedKeyUsage: null,
      subjectAltName: null,
      subjectKeyId: "50116EE1180ADB8D6FBF05CF9552CE49BF0CDC27",
      authorityKeyId: null,
      extensions: [{ oid: "2.5.29.19", critical: true }, { oid: "2.5.29.15", critical: true }, { oid: "2.5.29.14", critical: false }],
      tbs: { start: 4, end: 376 },
      spki: { start: 217, end: 308 },
      fingerprint: "DD:CF:52:51:A4:A5:B8:B1:97:85:96:15:26:95:0D:7B:62:67:CD:E7:EA:EE:95:24:E7:C3:19:B3:04:CB:F8:62",
      isCa: true,
      secureSocket: {
        signature: "supported",
        key: "supported",
        reason: "ecdsa-with-SHA256 and EC secp256r1 key are handled",
      },
    } },
    { name: "EC P-384 root CA", run: () => summary(EC_P384_CA), expected: {
      version: 3,
      serialHex: "417D50DC1E639FF8BE8A41BFC33D2F70",
      signatureAlgorithm: { oid: "1.2.840.10045.4.3.3", name: "ecdsa-with-SHA384", hash: "sha384" },
      issuer: {
        attributes: [{ oid: "2.5.4.6", type: "C", value: "FR" }, { oid: "2.5.4.10", type: "O", value: "Example Test" }, { oid: "2.5.4.3", type: "CN", value: "Test EC P-384 Root CA" }],
        text: "CN=Test EC P-384 Root CA, O=Example Test, C=FR",
      },
      subject: {
        attributes: [{ oid: "2.5.4.6", type: "C", value: "FR" }, { oid: "2.5.4.10", type: "O", value: "Example Test" }, { oid: "2.5.4.3", type: "CN", value: "Test EC P-384 Root CA" }],
        text: "CN=Test EC P-384 Root CA, O=Example Test, C=FR",
      },
      notBefore: 1704067200000,
      notAfter: 2335219200000,
      publicKey: { type: "ec", oid: "1.2.840.10045.2.1", bits: 384, curve: "secp384r1" },
      basicConstraints: { ca: true, pathLen: 1 },
      keyUsage: ["keyCertSign", "cRLSign"],
      extendedKeyUsage: null,
      subjectAltName: null,
      subjectKeyId: "1FA3851774ED8137D12DDBAF2FCD90BD813A9E7D",
      authorityKeyId: null,
      extensions: [{ oid: "2.5.29.19", critical: true }, { oid: "2.5.29.15", critical: true }, { oid: "2.5.29.14", critical: false }],
      tbs: { start: 4, end: 406 },
      spki: { start: 215, end: 335 },
      fingerprint: "78:38:4B:67:35:9C:D7:1A:E6:8C:B7:CE:F1:97:96:9D:D3:D6:26:B2:96:50:8C:2F:DB:EC:F0:E8:2E:E1:A4:26",
      isCa: true,
      secureSocket: {
        signature: "supported",
        key: "unsupported",
        reason: 'EC secp384r1 key cannot be used by the stack (ECDSA P-256 only); registered, it turns every failing chain into "cannot coerce to bigint"',
      },
    } },
    { name: "RSA-PSS root CA", run: () => summary(RSA_PSS_CA), expected: {
      version: 3,
      serialHex: "48F4FDEC1E8522521ABBB2538F6647C5",
      signatureAlgorithm: { oid: "1.2.840.113549.1.1.10", name: "rsassaPss", hash: "sha256" },
      issuer: {
        attributes: [{ oid: "2.5.4.6", type: "C", value: "US" }, { oid: "2.5.4.10", type: "O", value: "Example Test" }, { oid: "2.5.4.3", type: "CN", value: "Test RSA-PSS Root CA" }],
        text: "CN=Test RSA-PSS Root CA, O=Example Test, C=US",
      },
      subject: {
        attributes: [{ oid: "2.5.4.6", type: "C", value: "US" }, { oid: "2.5.4.10", type: "O", value: "Example Test" }, { oid: "2.5.4.3", type: "CN", value: "Test RSA-PSS Root CA" }],
        text: "CN=Test RSA-PSS Root CA, O=Example Test, C=US",
      },
      notBefore: 1704067200000,
      notAfter: 2335219200000,
      publicKey: { type: "rsa-pss", oid: "1.2.840.113549.1.1.10", bits: 2048, curve: null },
      basicConstraints: { ca: true, pathLen: 1 },
      keyUsage: ["keyCertSign", "cRLSign"],
      extendedKeyUsage: null,
      subjectAltName: null,
      subjectKeyId: "63A4DB35506F64F82265269247F1272E1DBBC89F",
      authorityKeyId: null,
      extensions: [{ oid: "2.5.29.19", critical: true }, { oid: "2.5.29.15", critical: true }, { oid: "2.5.29.14", critical: false }],
      tbs: { start: 4, end: 632 },
      spki: { start: 269, end: 561 },
      fingerprint: "B6:F4:B9:49:41:71:96:A0:DE:D7:49:C6:43:D3:A7:A0:E1:9B:24:8E:CE:D4:80:DF:FC:79:8E:83:C0:15:80:EC",
      isCa: true,
      secureSocket: {
        signature: "unsupported",
        key: "unsupported",
        reason: "signature rsassaPss is not handled (the stack throws \"Cert: unsupported algorithm\"); rsa-pss key cannot be used by the stack",
      },
    } },
    { name: "Ed25519 root CA", run: () => summary(ED25519_CA), expected: {
      version: 3,
      serialHex: "7C90F11ECC4D160626DC5B2E734A1ABE",
      signatureAlgorithm: { oid: "1.3.101.112", name: "Ed25519", hash: null },
      issuer: {
        attributes: [{ oid: "2.5.4.6", type: "C", value: "US" }, { oid: "2.5.4.10", type: "O", value: "Example Test" }, { oid: "2.5.4.3", type: "CN", value: "Test Ed25519 Root CA" }],
        text: "CN=Test Ed25519 Root CA, O=Example Test, C=US",
      },
      subject: {
        attributes: [{ oid: "2.5.4.6", type: "C", value: "US" }, { oid: "2.5.4.10", type: "O", value: "Example Test" }, { oid: "2.5.4.3", type: "CN", value: "Test Ed25519 Root CA" }],
        text: "CN=Test Ed25519 Root CA, O=Example Test, C=US",
      },
      notBefore: 1704067200000,
      notAfter: 2335219200000,
      publicKey: { type: "ed25519", oid: "1.3.101.112", bits: null, curve: null },
      basicConstraints: { ca: true, pathLen: 1 },
      keyUsage: ["keyCertSign", "cRLSign"],
      extendedKeyUsage: null,
      subjectAltName: null,
      subjectKeyId: "00D8E28B294D2C6BA6D625C1986B755B2959CBCD",
      authorityKeyId: null,
      extensions: [{ oid: "2.5.29.19", critical: true }, { oid: "2.5.29.15", critical: true }, { oid: "2.5.29.14", critical: false }],
      tbs: { start: 4, end: 323 },
      spki: { start: 208, end: 252 },
      fingerprint: "68:DA:11:50:A6:48:03:E8:35:DE:D8:91:76:09:50:9D:1B:E2:5C:7C:70:1B:C7:46:2B:7D:AE:C5:84:B8:8C:21",
      isCa: true,
      secureSocket: {
        signature: "unsupported",
        key: "unsupported",
        reason: "signature Ed25519 is not handled (the stack throws \"Cert: unsupported algorithm\"); ed25519 key cannot be used by the stack",
      },
    } },
    { name: "leaf with DNS and IP subjectAltNames", run: () => summary(LEAF_SAN), expected: {
      version: 3,
      serialHex: "9FDE84F7F5FB0B52AB1D4D0F104F8852",
      signatureAlgorithm: { oid: "1.2.840.113549.1.1.11", name: "sha256WithRSAEncryption", hash: "sha256" },
      issuer: {
        attributes: [{ oid: "2.5.4.6", type: "C", value: "US" }, { oid: "2.5.4.10", type: "O", value: "Example Test" }, { oid: "2.5.4.11", type: "OU", value: "Firmware" }, { oid: "2.5.4.3", type: "CN", value: "Test RSA Root CA" }],
        text: "CN=Test RSA Root CA, OU=Firmware, O=Example Test, C=US",
      },
      subject: {
        attributes: [{ oid: "2.5.4.6", type: "C", value: "US" }, { oid: "2.5.4.10", type: "O", value: "Example Test" }, { oid: "2.5.4.3", type: "CN", value: "device.example.test" }],
        text: "CN=device.example.test, O=Example Test, C=US",
      },
      notBefore: 1735689600000,
      notAfter: 2051222400000,
      publicKey: { type: "ec", oid: "1.2.840.10045.2.1", bits: 256, curve: "secp256r1" },
      basicConstraints: { ca: false, pathLen: null },
      keyUsage: ["digitalSignature", "keyEncipherment"],
      extendedKeyUsage: ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"],
      subjectAltName: { dns: ["device.example.test", "*.example.test"], ips: ["192.0.2.1", "2001:db8::1"] },
      subjectKeyId: "24723E91696417F127BC40687752F23F283D42E1",
      authorityKeyId: "5E3CB57A578878FD2FA3F307A0B6198D5DD2151F",
      extensions: [{ oid: "2.5.29.19", critical: true }, { oid: "2.5.29.15", critical: true }, { oid: "2.5.29.37", critical: false }, { oid: "2.5.29.17", critical: false }, { oid: "2.5.29.14", critical: false }, { oid: "2.5.29.35", critical: false }],
      tbs: { start: 4, end: 543 },
      spki: { start: 231, end: 322 },
      fingerprint: "4A:99:21:E9:56:E1:07:62:F2:55:A1:BF:CE:BA:AA:DF:4C:AE:57:52:49:8E:11:A8:BA:8B:50:98:46:36:37:35",
      isCa: false,
      secureSocket: {
        signature: "supported",
        key: "supported",
        reason: "sha256WithRSAEncryption and EC secp256r1 key are handled",
      },
    } },
    { name: "SHA-1 leaf, no basicConstraints, multi-valued RDN, UTF-8", run: () => summary(LEAF_PLAIN), expected: {
      version: 3,
      serialHex: "FF01",
      signatureAlgorithm: { oid: "1.2.840.113549.1.1.5", name: "sha1WithRSAEncryption", hash: "sha1" },
      issuer: {
        attributes: [{ oid: "2.5.4.6", type: "C", value: "US" }, { oid: "2.5.4.10", type: "O", value: "Example Test" }, { oid: "2.5.4.11", type: "OU", value: "Firmware" }, { oid: "2.5.4.3", type: "CN", value: "Test RSA Root CA" }],
        text: "CN=Test RSA Root CA, OU=Firmware, O=Example Test, C=US",
      },
      subject: {
        attributes: [{ oid: "2.5.4.6", type: "C", value: "FR" }, { oid: "2.5.4.10", type: "O", value: "Société d'Essai, S.A." }, { oid: "2.5.4.11", type: "OU", value: "Lab" }, { oid: "2.5.4.3", type: "CN", value: "plain.example.test" }],
        text: "OU=Lab + CN=plain.example.test, O=Société d'Essai\\, S.A., C=FR",
      },
      notBefore: 1795413583000,
      notAfter: 1953179983000,
      publicKey: { type: "rsa", oid: "1.2.840.113549.1.1.1", bits: 3072, curve: null },
      basicConstraints: null,
      keyUsage: ["digitalSignature"],
      extendedKeyUsage: null,
      subjectAltName: null,
      subjectKeyId: "873F6D38E68F7C21B41248D8E4346CF1777D18FA",
      authorityKeyId: "5E3CB57A578878FD2FA3F307A0B6198D5DD2151F",
      extensions: [{ oid: "2.5.29.15", critical: false }, { oid: "2.5.29.14", critical: false }, { oid: "2.5.29.35", critical: false }],
      tbs: { start: 4, end: 742 },
      spki: { start: 239, end: 661 },
      fingerprint: "DF:2D:BD:D1:8E:9B:72:FD:F8:42:B3:1C:0D:F9:B5:8E:1D:7F:78:62:00:24:9E:39:6A:CB:06:8B:61:43:2B:2C",
      isCa: false,
      secureSocket: {
        signature: "supported",
        key: "supported",
        reason: "sha1WithRSAEncryption and RSA 3072-bit key are handled",
      },
    } },
    { name: "expired leaf", run: () => summary(EXPIRED), expected: {
      version: 3,
      serialHex: "9EC39D3DF72F24665728B96C6D73A7E2",
      signatureAlgorithm: { oid: "1.2.840.10045.4.3.2", name: "ecdsa-with-SHA256", hash: "sha256" },
      issuer: {
        attributes: [{ oid: "2.5.4.6", type: "C", value: "DE" }, { oid: "2.5.4.10", type: "O", value: "Example Test" }, { oid: "2.5.4.3", type: "CN", value: "Test EC P-256 Root CA" }],
        text: "CN=Test EC P-256 Root CA, O=Example Test, C=DE",
      },
      subject: {
        attributes: [{ oid: "2.5.4.6", type: "C", value: "DE" }, { oid: "2.5.4.10", type: "O", value: "Example Test" }, { oid: "2.5.4.3", type: "CN", value: "expired.example.test" }],
        text: "CN=expired.example.test, O=Example Test, C=DE",
      },
      notBefore: 1577836800000,
      notAfter: 1609459200000,
      publicKey: { type: "ec", oid: "1.2.840.10045.2.1", bits: 256, curve: "secp256r1" },
      basicConstraints: { ca: false, pathLen: null },
      keyUsage: null,
      extendedKeyUsage: null,
      subjectAltName: { dns: ["expired.example.test"], ips: [] },
      subjectKeyId: "24723E91696417F127BC40687752F23F283D42E1",
      authorityKeyId: "50116EE1180ADB8D6FBF05CF9552CE49BF0CDC27",
      extensions: [{ oid: "2.5.29.19", critical: false }, { oid: "2.5.29.17", critical: false }, { oid: "2.5.29.35", critical: false }, { oid: "2.5.29.14", critical: false }],
      tbs: { start: 4, end: 418 },
      spki: { start: 215, end: 306 },
      fingerprint: "31:E2:1C:C4:C2:6A:9E:58:0C:75:F5:1D:45:39:39:BA:B3:4F:45:83:4A:94:C0:CA:BB:06:4A:04:02:20:9B:6C",
      isCa: false,
      secureSocket: {
        signature: "supported",
        key: "supported",
        reason: "ecdsa-with-SHA256 and EC secp256r1 key are handled",
      },
    } },
    {
      name: "truncated certificate",
      run: () => errorOf(() => parseCertificate(der(RSA_CA).subarray(0, 500))),
      expected: { code: "DER_TRUNCATED", offset: 0, message: "element 0x30 claims 883 bytes, 496 remain (offset 0)" },
    },
    {
      name: "one byte of trailing data",
      run: () => {
        const d = der(EC_P256_CA);
        const longer = new Uint8Array(d.length + 1);
        longer.set(d);
        return errorOf(() => parseCertificate(longer));
      },
      expected: { code: "DER_TRAILING_DATA", offset: 462, message: "1 byte(s) after the element (offset 462)" },
    },
    {
      name: "indefinite length refused",
      run: () => errorOf(() => parseCertificate(withHeader(der(EC_P256_CA), [0x30, 0x80]))),
      expected: {
        code: "DER_INDEFINITE_LENGTH",
        offset: 0,
        message: "element 0x30 has an indefinite length (offset 0)",
      },
    },
    {
      name: "cut inside the TBS with consistent outer length",
      run: () => {
        const d = der(ED25519_CA);
        // Outer SEQUENCE re-encoded to end at byte 200, inside the TBS: the TBS header now overruns.
        const cut = d.subarray(4, 200);
        return errorOf(() => parseCertificate(Uint8Array.from([0x30, 0x81, cut.length, ...cut])));
      },
      expected: { code: "DER_TRUNCATED", offset: 3, message: "element 0x30 claims 315 bytes, 192 remain (offset 3)" },
    },
    {
      name: "fingerprint and ranges of a CA, and the key-id link to its leaf",
      run: () => {
        const ca = parseCertificate(der(RSA_CA));
        const leaf = parseCertificate(der(LEAF_SAN));
        return { fingerprint: fingerprintSha256(der(RSA_CA)), tbs: { ...ca.tbs }, spki: { ...ca.spki }, linked: leaf.authorityKeyId === ca.subjectKeyId, leafIsCa: isCaCertificate(leaf) };
      },
      expected: {
        fingerprint: "B2:6C:20:16:11:51:1F:31:90:DD:2D:83:3E:F0:C9:43:5B:D2:F9:D8:1B:97:AD:03:6E:CC:B1:49:59:33:15:EB",
        tbs: { start: 4, end: 611 },
        spki: { start: 246, end: 540 },
        linked: true,
        leafIsCa: false,
      },
    },
  ],
};
