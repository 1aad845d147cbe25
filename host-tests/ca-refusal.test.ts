/**
 * A CA the stack cannot use is refused at start: one `ca refused` line naming the file and why,
 * and it never reaches SecureSocket (neither the CA store nor CertificateManager.register).
 * Measured on the SDK's simulator: with a P-384 root registered, every chain that failed
 * verification ended in "cannot coerce to bigint" instead of its real cause.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App } from "../modules/app/app";
import type { DeviceHooks } from "../modules/app/device-hooks";
import { caRefusal, loadCaFiles } from "../modules/tls/ca-store";
import type { DerInput } from "../modules/tls/options";
import { FakeClock, MockNetwork } from "./support/mock-net-portable";

const fixtures = join(__dirname, "fixtures", "certs");
const fixture = (name: string) => readFileSync(join(fixtures, name), "utf8");
const RESOURCES: Record<string, string> = {
  "rsa.pem": fixture("rsa2048-ca.pem"),
  "p256.pem": fixture("ec-p256-ca.pem"),
  "p384.pem": fixture("ec-p384-ca.pem"),
  "ed25519.pem": fixture("ed25519-ca.pem"),
  "leaf.pem": fixture("leaf-san.pem"),
};

function start(caFiles: string): { app: App | null; lines: string[]; registered: DerInput[] } {
  const lines: string[] = [];
  const registered: DerInput[] = [];
  const fake = new FakeClock(Date.UTC(2026, 5, 1));
  const hooks: DeviceHooks = {
    log: (line) => lines.push(line),
    timers: { now: () => fake.now(), set: (cb, ms) => fake.set(cb, ms), clear: (id) => fake.clear(id) },
    sockets: new MockNetwork(),
    config: { ssid: "Lab", password: "correct-horse-battery", targets: "https://example.com/", caFiles },
    readResource: (name) => RESOURCES[name],
    registerCa: (der) => registered.push(der),
    joinWifi: () => {},
    rejoinWifi: () => {},
    requestTime: () => {},
    setTime: () => {},
  };
  return { app: App.start(hooks), lines, registered };
}

test("caRefusal: RSA and P-256 roots are usable; P-384, Ed25519 and a leaf are refused with the reason", () => {
  const refusal = (file: string) => caRefusal(loadCaFiles([file], (n) => RESOURCES[n])[0]);
  expect(refusal("rsa.pem")).toBeUndefined();
  expect(refusal("p256.pem")).toBeUndefined();
  expect(refusal("p384.pem")).toMatch(/EC secp384r1 key cannot be used by the stack \(ECDSA P-256 only\)/);
  expect(refusal("ed25519.pem")).toMatch(/ed25519 key cannot be used by the stack/);
  expect(refusal("leaf.pem")).toMatch(/not a CA certificate/);
});

test("a P-384 root among usable ones: logged as refused, never handed to the stack; start-up goes on", () => {
  const r = start("p384.pem,rsa.pem,p256.pem");
  expect(r.app).not.toBeNull();
  expect(r.lines).toContainEqual(expect.stringMatching(/^ca refused file=p384\.pem cn="Test EC P-384 Root CA" reason=".*secp384r1 key cannot be used by the stack.*not registered; remove it from caFiles"$/));
  expect(r.lines.filter((l) => l.startsWith("ca registered")).map((l) => /file=(\S+)/.exec(l)![1])).toEqual(["rsa.pem", "p256.pem"]);
  // What reaches SecureSocket: the store's roots (none is registered as DER: all have a key identifier).
  expect(r.registered).toEqual([]);
  const handed = r.app!.client.tls.secure.caStore!.all().map((d) => Buffer.from(d).toString("base64"));
  const der = (file: string) => Buffer.from(loadCaFiles([file], (n) => RESOURCES[n])[0].der).toString("base64");
  expect(handed).toEqual([der("rsa.pem"), der("p256.pem")]);
  expect(r.lines.join("\n")).toContain("wifi joining ssid=Lab");
});

test("when every CA is refused, the warning says so", () => {
  const r = start("p384.pem");
  expect(r.app!.client.tls.secure.caStore!.size).toBe(0);
  expect(r.registered).toEqual([]);
  expect(r.lines).toContainEqual(expect.stringMatching(/^ca WARNING problem="no usable CA \(every embedded one was refused\): every https fetch will fail TLS_CERT_UNTRUSTED/));
});
