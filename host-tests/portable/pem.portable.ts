import { decodeBase64, encodeBase64 } from "../../modules/base/base64";
import { latin1Bytes, toHex } from "../../modules/base/bytes";
import { decodePem, encodePem } from "../../modules/tls/pem";
import { fingerprintSha256 } from "../../modules/tls/x509";
import { EC_P256_CA, RSA_CA } from "./cert-fixtures";
import { PortableSuite } from "./suite";

/** Two roots with comment lines around and between them, as the files in certs/ are laid out. */
const BUNDLE = `# Test bundle: two roots\n# Subject: CN=Test RSA Root CA\n${RSA_CA}\n# Subject: CN=Test EC P-256 Root CA\n${EC_P256_CA}`;

const blocks = (text: string) => decodePem(text).map((b) => ({ label: b.label, line: b.line, bytes: b.der.length, fingerprint: fingerprintSha256(b.der) }));

const BODY = "MIIB\nAAAA\n";

/** Bytes 0 to 255 in base64. */
const ALL_BYTES = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w==";

export const suite: PortableSuite = {
  name: "base64 and PEM",
  cases: [
    {
      name: "base64 encodes the RFC 4648 vectors",
      run: () => ["", "f", "fo", "foo", "foob", "fooba", "foobar"].map((s) => encodeBase64(latin1Bytes(s))),
      expected: ["", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"],
    },
    { name: "base64 decodes every byte value", run: () => toHex(decodeBase64(ALL_BYTES)).length, expected: 512 },
    { name: "base64 skips PEM whitespace only when asked", run: () => toHex(decodeBase64(" Zm9v\r\nYmFy\t", true)), expected: "666f6f626172" },
    { name: "base64 invalid character", run: () => toHex(decodeBase64("Zm9v!mFy")), expected: {
      thrown: "Base64Error",
      code: "BASE64_BAD_CHAR",
      message: "invalid base64 character \"!\" at position 4",
    } },
    { name: "base64 whitespace not allowed by default", run: () => toHex(decodeBase64("Zm9v YmFy")), expected: {
      thrown: "Base64Error",
      code: "BASE64_BAD_CHAR",
      message: "invalid base64 character U+0020 at position 4",
    } },
    { name: "base64 wrong length", run: () => toHex(decodeBase64("Zm9vYmF")), expected: {
      thrown: "Base64Error",
      code: "BASE64_BAD_LENGTH",
      message: "base64 length 7 is not a multiple of 4 (1 character(s) or padding missing) at position 7",
    } },
    { name: "base64 data after padding", run: () => toHex(decodeBase64("Zg==Zm9v")), expected: {
      thrown: "Base64Error",
      code: "BASE64_BAD_PADDING",
      message: "base64 padding \"=\" is followed by data at position 2",
    } },
    { name: "base64 non-canonical last character", run: () => toHex(decodeBase64("Zh==")), expected: {
      thrown: "Base64Error",
      code: "BASE64_BAD_PADDING",
      message: "non-zero unused bits in base64 character \"h\" before the padding at position 1",
    } },
    { name: "PEM bundle with comment lines", run: () => blocks(BUNDLE), expected: [{ label: "CERTIFICATE", line: 3, bytes: 887, fingerprint: "B2:6C:20:16:11:51:1F:31:90:DD:2D:83:3E:F0:C9:43:5B:D2:F9:D8:1B:97:AD:03:6E:CC:B1:49:59:33:15:EB" }, { label: "CERTIFICATE", line: 26, bytes: 462, fingerprint: "DD:CF:52:51:A4:A5:B8:B1:97:85:96:15:26:95:0D:7B:62:67:CD:E7:EA:EE:95:24:E7:C3:19:B3:04:CB:F8:62" }] },
    { name: "PEM bundle with CRLF line ends", run: () => blocks(BUNDLE.split("\n").join("\r\n")), expected: [{ label: "CERTIFICATE", line: 3, bytes: 887, fingerprint: "B2:6C:20:16:11:51:1F:31:90:DD:2D:83:3E:F0:C9:43:5B:D2:F9:D8:1B:97:AD:03:6E:CC:B1:49:59:33:15:EB" }, { label: "CERTIFICATE", line: 26, bytes: 462, fingerprint: "DD:CF:52:51:A4:A5:B8:B1:97:85:96:15:26:95:0D:7B:62:67:CD:E7:EA:EE:95:24:E7:C3:19:B3:04:CB:F8:62" }] },
    {
      name: "PEM encoder writes 64-column lines",
      run: () => encodePem("TEST", Uint8Array.from({ length: 100 }, (_, i) => i)),
      expected: "-----BEGIN TEST-----\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v\nMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5f\nYGFiYw==\n-----END TEST-----\n",
    },
    { name: "PEM encoder output is the fixture text again", run: () => encodePem("CERTIFICATE", decodePem(RSA_CA)[0].der) === RSA_CA, expected: true },
    { name: "PEM no block", run: () => blocks("# only comments\n"), expected: {
      thrown: "PemError",
      code: "PEM_NO_BLOCK",
      message: "line 1: no PEM block (-----BEGIN ...-----) found",
    } },
    { name: "PEM BEGIN without END", run: () => blocks(`# c\n-----BEGIN CERTIFICATE-----\n${BODY}`), expected: { thrown: "PemError", code: "PEM_NO_END", message: "line 2: \"BEGIN CERTIFICATE\" has no END" } },
    { name: "PEM second BEGIN before END", run: () => blocks(`-----BEGIN CERTIFICATE-----\n${BODY}-----BEGIN CERTIFICATE-----\n${BODY}-----END CERTIFICATE-----\n`), expected: {
      thrown: "PemError",
      code: "PEM_NO_END",
      message: "line 1: \"BEGIN CERTIFICATE\" has no END before the next BEGIN at line 4",
    } },
    { name: "PEM END without BEGIN", run: () => blocks(`${RSA_CA}-----END CERTIFICATE-----\n`), expected: {
      thrown: "PemError",
      code: "PEM_END_WITHOUT_BEGIN",
      message: "line 22: \"END CERTIFICATE\" without a BEGIN",
    } },
    { name: "PEM mismatched labels", run: () => blocks(`-----BEGIN CERTIFICATE-----\n${BODY}-----END PRIVATE KEY-----\n`), expected: {
      thrown: "PemError",
      code: "PEM_LABEL_MISMATCH",
      message: "line 4: \"END PRIVATE KEY\" closes \"BEGIN CERTIFICATE\" of line 1",
    } },
    { name: "PEM empty body", run: () => blocks(`-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n`), expected: { thrown: "PemError", code: "PEM_EMPTY", message: "line 1: \"BEGIN CERTIFICATE\" block is empty" } },
    { name: "PEM malformed armour", run: () => blocks(`-----BEGIN CERTIFICATE----\n${BODY}-----END CERTIFICATE-----\n`), expected: {
      thrown: "PemError",
      code: "PEM_BAD_ARMOUR",
      message: "line 1: malformed PEM armour line \"-----BEGIN CERTIFICATE----\"",
    } },
    { name: "PEM bad base64 reported at its line and column", run: () => blocks(RSA_CA.replace("MQswCQYD", "MQswC?YD")), expected: {
      thrown: "PemError",
      code: "PEM_BAD_BASE64",
      message: "line 3: in \"CERTIFICATE\" block of line 1, column 6: invalid base64 character \"?\"",
    } },
  ],
};
