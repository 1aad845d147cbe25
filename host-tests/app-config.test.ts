/** Properties of the configuration parser that a case table cannot cover: the password never leaks. */
import fc from "fast-check";
import { APP_CONFIG_KEYS, describeAppConfig, parseAppConfig } from "../modules/app/config";

/** Printable passwords long enough that finding one inside a message is never a coincidence. */
const password = fc.string({ unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#%&*+-=?@^_~ "), minLength: 12, maxLength: 80 });

/** Values that break each key, as they come from a command line. */
const breakers: Record<string, string[]> = {
  ssid: ["", "x".repeat(40)],
  targets: ["", "ftp://x/", "https://u:p@h/", "not a url"],
  interval: ["0", "10 minutes", "-1"],
  tlsVersion: ["1.3", "2"],
  verify: ["perhaps"],
  maxFragmentLength: ["100"],
  connectTimeout: ["0"],
  totalTimeout: ["1s"],
  logFormat: ["xml"],
  preview: ["9999"],
  sntp: ["", "ntp://x"],
};

function messageOf(raw: Record<string, unknown>): string {
  try {
    return describeAppConfig(parseAppConfig(raw)).join("\n");
  } catch (e) {
    return String((e as Error).message);
  }
}

test("no error message or summary line contains the password, whatever else is wrong", () => {
  const keys = Object.keys(breakers);
  fc.assert(
    fc.property(password, fc.constantFrom(...keys), fc.nat(), (pw, key, pick) => {
      const values = breakers[key];
      const raw: Record<string, unknown> = { ssid: "net", password: pw, [key]: values[pick % values.length] };
      expect(messageOf(raw)).not.toContain(pw);
      // The password given under a mistyped key is not echoed either.
      expect(messageOf({ ssid: "net", pasword: pw })).not.toContain(pw);
    }),
    { numRuns: 300 },
  );
});

test("every documented key is accepted on its own with a typical command-line value", () => {
  const typical: Record<string, string> = {
    ssid: "net", password: "password1", targets: "https://example.com/", interval: "30s", tlsVersion: "1.2",
    verify: "true", maxFragmentLength: "4096", connectTimeout: "5s", handshakeTimeout: "10s", firstByteTimeout: "5s",
    idleTimeout: "5s", totalTimeout: "30s", logFormat: "json", preview: "32", sntp: "pool.ntp.org", caFiles: "isrg-root-x1.pem,gts-root-r1.pem",
    secretHeaders: "X-Device-Key", clientCertificate: "client.pem", clientKey: "client.key", heapSample: "5",
  };
  // Keys that only come in pairs.
  const partner: Record<string, string> = { clientCertificate: "clientKey", clientKey: "clientCertificate" };
  expect(Object.keys(typical).sort()).toEqual(Object.keys(APP_CONFIG_KEYS).sort());
  for (const key of Object.keys(typical)) {
    const raw: Record<string, string> = { ssid: "net", [key]: typical[key] };
    if (partner[key]) raw[partner[key]] = typical[partner[key]];
    expect(() => parseAppConfig(raw)).not.toThrow();
  }
});

test("the configuration reference's key table documents every key", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const doc: string = require("node:fs").readFileSync(require("node:path").join(__dirname, "..", "docs", "configuration.md"), "utf8");
  const table = doc.slice(doc.indexOf("| key | meaning |"), doc.indexOf("\n\n", doc.indexOf("| key | meaning |")));
  expect(table.split("\n").length).toBeGreaterThan(Object.keys(APP_CONFIG_KEYS).length / 2);
  for (const key of Object.keys(APP_CONFIG_KEYS)) expect(table).toContain(`\`${key}\``);
});
