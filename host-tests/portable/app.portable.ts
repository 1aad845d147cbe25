import { formatAppLine } from "../../modules/app/log-format";
import { loadCaFiles } from "../../modules/tls/ca-store";
import { caProblems } from "../../modules/tls/ca-problems";
import { ED25519_CA, EXPIRED, LEAF_PLAIN, RSA_CA } from "./cert-fixtures";
import { Json, PortableSuite } from "./suite";

const FILES: { [name: string]: string } = {
  "rsa.pem": `# Subject: CN=Test RSA Root CA\n${RSA_CA}`,
  "two.pem": RSA_CA + ED25519_CA,
  "leaf.pem": LEAF_PLAIN,
  "expired.pem": EXPIRED,
  "ed25519.pem": ED25519_CA,
  "key.pem": "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n",
  "broken.pem": "-----BEGIN CERTIFICATE-----\nMIIB!\n-----END CERTIFICATE-----\n",
  "truncated.pem": "-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n",
};
const read = (name: string) => FILES[name];

/** Only the error a load throws (or "ok"): "code:key: message". */
function load(files: string[]): Json {
  try {
    return loadCaFiles(files, read).map((ca) => `${ca.file}:${ca.der.length}`);
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return `${String(err.code)}: ${String(err.message)}`;
  }
}

function problems(file: string, at: number | undefined): Json {
  return caProblems(loadCaFiles([file], read)[0].summary, at).map((p) => p.text);
}

/** The problems' codes and severities, without their texts. */
function kinds(file: string, at: number | undefined): Json {
  return caProblems(loadCaFiles([file], read)[0].summary, at).map((p) => `${p.severity} ${p.code}`);
}

export const suite: PortableSuite = {
  name: "firmware start-up helpers",
  cases: [
    { name: "text line: topic, event, key=value, values with spaces quoted", run: () => formatAppLine("text", "ca", "registered", { file: "a.pem", cn: "ISRG Root X1", bytes: 1391 }), expected: 'ca registered file=a.pem cn="ISRG Root X1" bytes=1391' },
    { name: "text line with quotes inside a value", run: () => formatAppLine("text", "config", "value", { text: 'ssid "Lab"' }), expected: 'config value text="ssid \\"Lab\\""' },
    { name: "JSON line: event is topic.event", run: () => formatAppLine("json", "wifi", "online", { address: "10.0.0.2" }), expected: '{"event":"wifi.online","address":"10.0.0.2"}' },
    { name: "comment lines around a PEM block are ignored", run: () => load(["rsa.pem"]), expected: ["rsa.pem:887"] },
    { name: "a file may hold several certificates", run: () => load(["two.pem"]), expected: ["two.pem:887", "two.pem:397"] },
    { name: "a file not embedded names the file and the fix", run: () => load(["rsa.pem", "missing.pem"]), expected: 'CONFIG_BAD_VALUE: caFiles: "missing.pem" is not embedded in the firmware: add it to the manifest\'s data section' },
    { name: "bad base64 names the file and line", run: () => load(["broken.pem"]), expected: 'CONFIG_BAD_VALUE: caFiles: "broken.pem" line 2: in "CERTIFICATE" block of line 1, column 5: invalid base64 character "!"' },
    { name: "a block that is not a certificate does not count", run: () => load(["key.pem"]), expected: 'CONFIG_BAD_VALUE: caFiles: "key.pem" holds no CERTIFICATE block' },
    { name: "an unreadable certificate names the file", run: () => (String(load(["truncated.pem"])).indexOf('caFiles: "truncated.pem" line 1: not a readable certificate') >= 0), expected: true },
    { name: "a good root has no problem in 2030", run: () => problems("rsa.pem", Date.UTC(2030, 0, 1)), expected: [] },
    { name: "a root close to its expiry is reported", run: () => problems("rsa.pem", Date.UTC(2049, 9, 1)), expected: ["expires on 2049-12-31, within 180 days: plan its replacement"] },
    { name: "an expired root is reported", run: () => problems("rsa.pem", Date.UTC(2050, 0, 2)), expected: ["EXPIRED on 2049-12-31: chains ending here fail; replace it"] },
    { name: "before its validity: the clock is suspect", run: () => problems("rsa.pem", Date.UTC(2023, 0, 1)), expected: ["not valid before 2024-01-01: check the clock"] },
    { name: "without a clock only the structural checks run", run: () => problems("expired.pem", undefined), expected: ["not a CA certificate (basicConstraints CA:false or no keyCertSign): it cannot anchor a chain"] },
    { name: "an Ed25519 root cannot be used by SecureSocket", run: () => (problems("ed25519.pem", undefined) as string[]).length, expected: 1 },
    { name: "an expiring root is a warning; expired, not yet valid, not a CA and an unusable key are errors", run: () => [
      kinds("rsa.pem", Date.UTC(2049, 9, 1)), kinds("rsa.pem", Date.UTC(2050, 0, 2)), kinds("rsa.pem", Date.UTC(2023, 0, 1)), kinds("expired.pem", undefined), kinds("ed25519.pem", undefined),
    ], expected: [["warning CA_EXPIRES_SOON"], ["error CA_EXPIRED"], ["error CA_NOT_YET_VALID"], ["error CA_NOT_A_CA"], ["error CA_KEY_UNSUPPORTED"]] },
  ],
};
