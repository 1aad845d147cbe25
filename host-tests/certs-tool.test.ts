/**
 * `npm run certs`: the pure functions over text and bytes, then the CLI run in-process on
 * temporary certs/ directories and manifests (never the repository's own).
 */
import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { decodePem } from "../modules/tls/pem";
import { CertsIo, certsMain } from "../tools/certs/cli";
import {
  candidatesOf, caFileText, checkEntries, checkManifest, editCaFiles, fileNameFor, flashCost, normaliseFingerprint,
  readEntries, readManifest, renderList, selectCertificate,
} from "../tools/certs/store";

const FIXTURES = join(__dirname, "fixtures", "certs");
const fixture = (name: string) => readFileSync(join(FIXTURES, name), "utf8");
const derOf = (pem: string) => decodePem(pem)[0].der;
const NOW = Date.UTC(2026, 0, 1);
const ISRG_X1 = "96:BC:EC:06:26:49:76:F3:74:60:77:9A:CF:28:C5:A7:CF:E8:A3:C0:AA:E1:1A:8F:FC:EE:05:C0:BD:DF:08:C6";

/** The firmware's manifest layout: data takes ./certs/*, config.caFiles names the files. */
function manifestText(caFiles: string | string[]): string {
  return JSON.stringify({ config: { tlsVersion: "1.2", caFiles, tls: { DHE_RSA: true } }, data: { "*": "./certs/*" } }, null, "\t") + "\n";
}

describe("store: pure functions", () => {
  const rsa = { file: "test-rsa.pem", text: `# comment\n${fixture("rsa2048-ca.pem")}` };
  const p384 = { file: "p384.pem", text: fixture("ec-p384-ca.pem") };

  test("readEntries: fingerprint, support and file size; a key block and a broken file are findings", () => {
    const { entries, findings } = readEntries([rsa, p384, { file: "key.pem", text: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" }, { file: "junk.pem", text: "nothing" }]);
    expect(entries.map((e) => e.file)).toEqual(["test-rsa.pem", "p384.pem"]);
    expect(entries[0].fingerprint).toBe(new X509Certificate(fixture("rsa2048-ca.pem")).fingerprint256);
    expect(entries[0].fileBytes).toBe(Buffer.byteLength(rsa.text));
    expect(entries[1].support.key).toBe("unsupported");
    expect(findings.map((f) => `${f.level}:${f.file}`)).toEqual(["error:key.pem", "error:junk.pem"]);
    expect(findings[0].text).toContain("never embed keys");
  });

  test("renderList: subject, issuer, fingerprint, key, expiry, sizes and the total", () => {
    const { entries } = readEntries([rsa, p384]);
    const text = renderList(entries, NOW);
    expect(text).toContain("test-rsa.pem\n  subject   CN=Test RSA Root CA, OU=Firmware, O=Example Test, C=US\n  issuer    self-signed\n");
    expect(text).toContain(`  sha-256   ${entries[0].fingerprint}\n  key       RSA 2048, signed sha256WithRSAEncryption\n  expires   2049-12-31 (8765 days left)\n`);
    expect(text).toContain(`  size      ${entries[0].der.length.toLocaleString("en")} B DER`);
    expect(text).toContain("device    NOT usable: EC secp384r1 key cannot be used by the stack (ECDSA P-256 only)");
    const cost = flashCost(entries);
    expect(cost.pemBytes).toBe(Buffer.byteLength(rsa.text) + Buffer.byteLength(p384.text));
    expect(text).toContain(`2 CA certificate(s) in 2 file(s): ${cost.pemBytes.toLocaleString("en")} B of flash as embedded`);
  });

  test("checkEntries: not a CA, expired, expiring soon, unusable key, duplicates", () => {
    const { entries } = readEntries([
      rsa,
      { file: "copy.pem", text: fixture("rsa2048-ca.pem") },
      { file: "leaf.pem", text: fixture("leaf-san.pem") },
      { file: "expired.pem", text: fixture("expired.pem") },
      { file: "ed.pem", text: fixture("ed25519-ca.pem") },
      { file: "pss.pem", text: fixture("rsa-pss-ca.pem") },
      p384,
    ]);
    const f = checkEntries(entries, NOW).map((x) => `${x.level}:${x.file}:${x.text}`);
    expect(f).toEqual(expect.arrayContaining([
      expect.stringMatching(/^error:copy\.pem:duplicate of test-rsa\.pem: same certificate/),
      expect.stringMatching(/^error:leaf\.pem:CN=device\.example\.test, O=Example Test, C=US: not a CA certificate/),
      expect.stringMatching(/^error:expired\.pem:.*: EXPIRED on 2021-01-01/),
      expect.stringMatching(/^error:ed\.pem:CN=Test Ed25519 Root CA.*ed25519 key cannot be used by the stack/),
      expect.stringMatching(/^error:pss\.pem:.*rsa-pss key cannot be used by the stack/),
      expect.stringMatching(/^error:p384\.pem:CN=Test EC P-384 Root CA, O=Example Test, C=FR: EC secp384r1 key cannot be used by the stack \(ECDSA P-256 only\)/),
    ]));
    // Within 180 days of the end: a warning, not an error.
    const soon = checkEntries(readEntries([rsa]).entries, Date.UTC(2049, 9, 1));
    expect(soon).toEqual([{ level: "warning", file: "test-rsa.pem", text: expect.stringMatching(/expires on 2049-12-31, within 180 days/) }]);
  });

  test("checkEntries: same subject and key in two different certificates is flagged", () => {
    // A copy with one signature byte changed: another certificate (fingerprint), same subject and key.
    const der = derOf(fixture("rsa2048-ca.pem"));
    const other = der.slice();
    other[other.length - 1] ^= 1;
    const { entries } = readEntries([{ file: "a.pem", text: caFileText(der, "t") }, { file: "b.pem", text: caFileText(other, "t") }]);
    expect(checkEntries(entries, NOW)).toEqual([
      { level: "warning", file: "b.pem", text: "same subject and key as a.pem (a re-issued copy of one root): keep the one expiring later" },
    ]);
  });

  test("readManifest / checkManifest: the firmware's layout, files missing either way", () => {
    const view = readManifest(manifestText("a.pem,b.pem"));
    expect(view).toEqual({ caFiles: ["a.pem", "b.pem"], caFilesForm: "string", dataEntries: ["./certs/*"] });
    expect(checkManifest(view, ["a.pem", "b.pem"])).toEqual([]);
    const f = checkManifest(view, ["a.pem", "c.pem", "README.md"]).map((x) => `${x.level}:${x.file}:${x.text}`);
    expect(f).toEqual([
      "warning:README.md:not a .pem file, but the manifest's data entry embeds it too (flash spent for nothing)",
      "error:c.pem:in certs/ but not in manifest config.caFiles (embedded, never trusted)",
      "error:b.pem:in manifest config.caFiles but not in certs/ (the firmware fails at start-up)",
    ]);
    const explicit = readManifest(JSON.stringify({ config: { caFiles: ["a.pem"] }, data: { "*": ["./certs/a"] } }));
    expect(checkManifest(explicit, ["a.pem", "b.pem"]).map((x) => x.text)).toEqual([
      "not embedded: no manifest data entry takes it",
      "in certs/ but not in manifest config.caFiles (embedded, never trusted)",
    ]);
    expect(checkManifest(readManifest("{}"), []).map((x) => x.level)).toEqual(["error", "error"]);
  });

  test("editCaFiles: only the caFiles value changes, string or array form", () => {
    const text = manifestText("a.pem,b.pem");
    const added = editCaFiles(text, "c.pem", "add")!;
    expect(added).toBe(text.replace('"a.pem,b.pem"', '"a.pem,b.pem,c.pem"'));
    expect(editCaFiles(added, "a.pem", "remove")).toBe(text.replace('"a.pem,b.pem"', '"b.pem,c.pem"'));
    expect(editCaFiles(text, "a.pem", "add")).toBe(text);
    const arrayText = manifestText(["a.pem"]);
    const arrayAdded = editCaFiles(arrayText, "b.pem", "add")!;
    expect(JSON.parse(arrayAdded)).toEqual(JSON.parse(manifestText(["a.pem", "b.pem"])));
    expect(arrayAdded).toBe(manifestText(["a.pem", "b.pem"])); // same layout as the tool that wrote it
    expect(editCaFiles(JSON.stringify({ config: {} }), "a.pem", "add")).toBeNull();
  });

  test("selectCertificate: CN any case, fingerprint with or without colons, ambiguity, suggestions", () => {
    const pool = candidatesOf(rootCertificates.map(derOf));
    const one = selectCertificate(pool, "isrg root x1");
    expect(one.kind === "one" && one.candidate.fingerprint).toBe(ISRG_X1);
    const byFp = selectCertificate(pool, ISRG_X1.split(":").join("").toLowerCase());
    expect(byFp.kind === "one" && byFp.candidate.fingerprint).toBe(ISRG_X1);
    expect(normaliseFingerprint(ISRG_X1)).toBe(ISRG_X1);
    const near = selectCertificate(pool, "ISRG Root");
    expect(near.kind).toBe("none");
    expect(near.kind === "none" && near.suggestions.length).toBeGreaterThanOrEqual(2);
    const twins = candidatesOf([derOf(fixture("rsa2048-ca.pem")), derOf(caFileText(derOf(fixture("rsa2048-ca.pem")), "x"))]);
    twins[1] = { ...twins[1], fingerprint: "00" }; // same CN, another certificate
    expect(selectCertificate(twins, "Test RSA Root CA").kind).toBe("ambiguous");
  });

  test("fileNameFor and caFileText: the firmware's header format", () => {
    const der = derOf(fixture("rsa2048-ca.pem"));
    const c = candidatesOf([der])[0];
    expect(fileNameFor(c.summary)).toBe("test-rsa-root-ca.pem");
    const text = caFileText(der, "unit test");
    expect(text).toMatch(/^# Subject: CN=Test RSA Root CA, OU=Firmware, O=Example Test, C=US\n# SHA-256: [0-9A-F:]{95}\n# Not after: 2049-12-31T23:59:59Z\n# Source: unit test\n-----BEGIN CERTIFICATE-----\n/);
    expect(decodePem(text)[0].der).toEqual(der);
  });
});

describe("certs CLI on a temporary project", () => {
  let dir: string;
  let certs: string;
  let out: string;
  let err: string;
  const io = (now = NOW): CertsIo => ({
    out: (t) => { out += t; }, err: (t) => { err += t; }, now: () => now, store: rootCertificates, storeName: "Mozilla test store", cwd: dir,
  });
  const run = (...argv: string[]) => {
    out = "";
    err = "";
    return certsMain([...argv, "--certs", certs], io());
  };
  const manifest = () => readFileSync(join(dir, "manifest.json"), "utf8");

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "certs-tool-"));
    certs = join(dir, "certs");
    mkdirSync(certs);
    writeFileSync(join(dir, "manifest.json"), manifestText(""));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("add by CN from the store writes the file and config.caFiles; list and check agree", () => {
    expect(run("add", "ISRG Root X1")).toBe(0);
    expect(out).toContain(`wrote isrg-root-x1.pem: CN=ISRG Root X1, O=Internet Security Research Group, C=US, SHA-256 ${ISRG_X1}`);
    expect(out).toContain('manifest.json: added "isrg-root-x1.pem" to config.caFiles');
    expect(readFileSync(join(certs, "isrg-root-x1.pem"), "utf8")).toMatch(/^# Subject: CN=ISRG Root X1.*\n# SHA-256: 96:BC.*\n# Not after: 2035-06-04T11:04:38Z\n# Source: Mozilla test store\n-----BEGIN/);
    expect(JSON.parse(manifest()).config.caFiles).toBe("isrg-root-x1.pem");
    expect(run("check")).toBe(0);
    expect(out).toBe("1 CA certificate(s) checked: 0 error(s), 0 warning(s)\n");
    expect(run("list")).toBe(0);
    expect(out).toContain("1 CA certificate(s) in 1 file(s)");
    // Adding it again, by fingerprint this time, is refused.
    expect(run("add", ISRG_X1)).toBe(1);
    expect(err).toContain("refused: CN=ISRG Root X1, O=Internet Security Research Group, C=US: already embedded as isrg-root-x1.pem");
  });

  test("add: unknown name suggests, ambiguous/unknown exit 1, non-CA and expired refused", () => {
    expect(run("add", "ISRG")).toBe(1);
    expect(err).toContain('no certificate "ISRG" in Node\'s Mozilla root store; did you mean:');
    expect(err).toContain("ISRG Root X1");
    const leaf = join(dir, "leaf.pem");
    writeFileSync(leaf, fixture("leaf-san.pem"));
    expect(run("add", leaf)).toBe(1);
    expect(err).toContain("refused: CN=device.example.test, O=Example Test, C=US: not a CA certificate");
    writeFileSync(join(dir, "expired.pem"), fixture("expired.pem"));
    expect(run("add", "expired.pem")).toBe(1);
    expect(err).toContain("EXPIRED on 2021-01-01");
    writeFileSync(join(dir, "ed.pem"), fixture("ed25519-ca.pem"));
    expect(run("add", "ed.pem")).toBe(1);
    expect(err).toContain("ed25519 key cannot be used by the stack");
    expect(readdirSync(certs)).toEqual([]);
    expect(JSON.parse(manifest()).config.caFiles).toBe("");
  });

  test("add from a file, --from picks from a bundle, --file names it; remove by CN and by file", () => {
    writeFileSync(join(dir, "ca.der"), derOf(fixture("rsa2048-ca.pem")));
    expect(run("add", "ca.der")).toBe(0);
    expect(existsSync(join(certs, "test-rsa-root-ca.pem"))).toBe(true);
    expect(readFileSync(join(certs, "test-rsa-root-ca.pem"), "utf8")).toContain("# Source: file ca.der");

    expect(run("add", "bundle.pem")).toBe(1); // no such file in cwd, and no such CN
    writeFileSync(join(dir, "bundle.pem"), fixture("ec-p256-ca.pem") + fixture("ec-p384-ca.pem"));
    expect(run("add", "bundle.pem")).toBe(1);
    expect(err).toContain('holds 2 certificates; pick one: npm run certs -- add "<CN or SHA-256>" --from bundle.pem');
    // A P-384 root is refused with the reason (SecureSocket verifies with RSA and P-256 only).
    expect(run("add", "test ec p-384 root ca", "--from", "bundle.pem")).toBe(1);
    expect(err).toContain("EC secp384r1 key cannot be used by the stack (ECDSA P-256 only)");
    expect(readdirSync(certs)).toEqual(["test-rsa-root-ca.pem"]);
    expect(run("add", "test ec p-256 root ca", "--from", "bundle.pem", "--file", "p256.pem")).toBe(0);
    expect(JSON.parse(manifest()).config.caFiles).toBe("test-rsa-root-ca.pem,p256.pem");
    expect(run("check")).toBe(0);

    expect(run("remove", "Test RSA Root CA")).toBe(0);
    expect(out).toBe('removed test-rsa-root-ca.pem\nmanifest.json: removed "test-rsa-root-ca.pem" from config.caFiles\n');
    expect(run("remove", "p256")).toBe(0);
    expect(JSON.parse(manifest()).config.caFiles).toBe("");
    expect(run("remove", "p256")).toBe(1);
    expect(readdirSync(certs)).toEqual([]);
  });

  test("check fails on an expired CA and on a manifest that disagrees with certs/", () => {
    writeFileSync(join(certs, "old.pem"), fixture("expired.pem"));
    writeFileSync(join(dir, "manifest.json"), manifestText("old.pem,gone.pem"));
    expect(run("check")).toBe(1);
    expect(out).toContain("ERROR: old.pem: CN=expired.example.test, O=Example Test, C=DE: not a CA certificate");
    expect(out).toContain("ERROR: old.pem: CN=expired.example.test, O=Example Test, C=DE: EXPIRED on 2021-01-01");
    expect(out).toContain("ERROR: gone.pem: in manifest config.caFiles but not in certs/");
    rmSync(join(dir, "manifest.json"));
    expect(run("check")).toBe(1);
    expect(out).toContain("ERROR: no manifest at");
  });

  test("a manifest without caFiles is not edited: the user is told the line to add", () => {
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ data: { "*": ["./certs/other"] } }));
    expect(run("add", "ISRG Root X1")).toBe(0);
    expect(out).toContain('add "isrg-root-x1.pem" to config.caFiles in manifest.json (it could not be edited safely)');
    expect(out).toContain('the manifest\'s data section does not take it: add "./certs/isrg-root-x1" to "data"');
  });

  test("usage errors exit 2", () => {
    expect(run()).toBe(2);
    expect(run("frobnicate")).toBe(2);
    expect(run("add")).toBe(2);
    expect(run("list", "--bogus")).toBe(2);
    expect(err).toContain("npm run certs -- --help");
  });

  test("--help, -h and help print the usage to stdout and exit 0", () => {
    for (const ask of [["--help"], ["-h"], ["help"], ["add", "--help"]]) {
      expect(run(...ask)).toBe(0);
      expect(out).toContain("usage: npm run certs");
      expect(err).toBe("");
    }
  });

  test("the repository's own certs/ and manifest.json pass check", () => {
    out = "";
    const code = certsMain(["check"], { ...io(Date.now()), cwd: join(__dirname, "..") });
    expect(out).toMatch(/0 error\(s\)/);
    expect(code).toBe(0);
  });
});
