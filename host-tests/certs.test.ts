/**
 * The CA certificates embedded in the firmware (certs/*.pem): each parses with the core's own PEM
 * and X.509 code (the code the device runs at start), is a CA SecureSocket can use, has not
 * expired, and carries a truthful comment header; the manifest embeds exactly these files and
 * registers every one of them.
 */
import { X509Certificate } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadCaFiles } from "../modules/tls/ca-store";
import { CA_EXPIRY_WARNING_DAYS, caProblems } from "../modules/tls/ca-problems";
import { parseAppConfig } from "../modules/app/config";
import { decodePem } from "../modules/tls/pem";
import { fingerprintSha256, isCaCertificate, parseCertificate, secureSocketSupport } from "../modules/tls/x509";

const root = join(__dirname, "..");
const certDir = join(root, "certs");
const files = readdirSync(certDir).sort();
const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")) as {
  config: Record<string, unknown>;
  data: Record<string, string | string[]>;
};
const DAY = 86_400_000;

test("certs/ holds only PEM files (the manifest embeds the whole folder)", () => {
  expect(files.length).toBeGreaterThan(0);
  expect(files.filter((f) => !f.endsWith(".pem"))).toEqual([]);
});

test("the manifest embeds exactly the files of certs/ and registers each of them", () => {
  const sources = Object.values(manifest.data).flatMap((v) => (Array.isArray(v) ? v : [v]));
  expect(sources).toEqual(["./certs/*"]);
  const config = parseAppConfig({ ...manifest.config, ssid: "test" });
  expect([...config.caFiles].sort()).toEqual(files);
});

describe.each(files)("%s", (file) => {
  const text = readFileSync(join(certDir, file), "utf8");
  const blocks = decodePem(text);

  test("one certificate, a CA, usable by SecureSocket as a trust anchor", () => {
    expect(blocks.map((b) => b.label)).toEqual(["CERTIFICATE"]);
    const s = parseCertificate(blocks[0].der);
    expect(isCaCertificate(s)).toBe(true);
    expect(secureSocketSupport(s).key).not.toBe("unsupported");
    // Node agrees with the core on what this certificate is.
    const node = new X509Certificate(blocks[0].der);
    expect(node.ca).toBe(true);
    expect(fingerprintSha256(blocks[0].der)).toBe(node.fingerprint256);
  });

  test("not expired; a warning when it expires within 180 days", () => {
    const s = parseCertificate(blocks[0].der);
    const now = Date.now();
    expect(now).toBeLessThan(s.notAfter);
    expect(now).toBeGreaterThan(s.notBefore);
    if (s.notAfter - now < CA_EXPIRY_WARNING_DAYS * DAY) {
      console.warn(`certs/${file} expires on ${new Date(s.notAfter).toISOString().slice(0, 10)}: replace it before devices stop trusting their servers`);
    }
  });

  test("the comment header states the subject, SHA-256 fingerprint and expiry truthfully", () => {
    const node = new X509Certificate(blocks[0].der);
    const header = text.slice(0, text.indexOf("-----BEGIN"));
    const field = (name: string) => {
      const m = new RegExp(`^# ${name}: (.*)$`, "m").exec(header);
      return m ? m[1] : undefined;
    };
    expect(field("Subject")).toBe(node.subject.split("\n").reverse().join(", "));
    expect(field("SHA-256")).toBe(node.fingerprint256);
    expect(field("Not after")).toBe(new Date(node.validTo).toISOString().replace(".000Z", "Z"));
  });
});

test("the start-up loader reads every embedded file and finds no problem today", () => {
  const cas = loadCaFiles(files, (name) => readFileSync(join(certDir, name), "utf8"));
  expect(cas.map((ca) => ca.file)).toEqual(files);
  for (const ca of cas) {
    const problems = caProblems(ca.summary, Date.now()).filter((p) => p.severity === "error").map((p) => p.text);
    expect({ file: ca.file, problems }).toEqual({ file: ca.file, problems: [] });
  }
});
