/**
 * trustCaFiles (modules/tls/ca-store.ts): the CA files read into the store one file at a time, as
 * the firmware and device clients do at start, so that start-up's heap grows with the largest
 * file rather than with the number of roots.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../modules/base/config-error";
import { loadCaFiles, trustCaFiles } from "../modules/tls/ca-store";

const fixture = (name: string) => readFileSync(join(__dirname, "fixtures", "certs", name), "utf8");
const FILES: Record<string, string> = {
  "bundle.pem": fixture("bundle.pem"),
  "p256.pem": fixture("ec-p256-ca.pem"),
  "p384.pem": fixture("ec-p384-ca.pem"),
};

test("each file's certificates are handed over before the next file is read", () => {
  const events: string[] = [];
  const read = (name: string) => {
    events.push(`read ${name}`);
    return FILES[name];
  };
  trustCaFiles(["bundle.pem", "p256.pem"], read, (ca) => events.push(`seen ${ca.file}#${ca.block}`));
  expect(events).toEqual(["read bundle.pem", "seen bundle.pem#0", "seen bundle.pem#1", "read p256.pem", "seen p256.pem#0"]);
});

test("a root the stack cannot use is seen with its refusal and left out of the store", () => {
  const refusals: (string | undefined)[] = [];
  const cas = trustCaFiles(["p384.pem", "p256.pem"], (n) => FILES[n], (_ca, refusal) => refusals.push(refusal));
  expect(refusals[0]).toMatch(/secp384r1 key cannot be used/);
  expect(refusals[1]).toBeUndefined();
  expect(cas.read).toBe(2);
  expect(cas.trusted).toBe(1);
  expect(cas.store.size + cas.unindexed.length).toBe(1);
});

test("the store finds every trusted root, and keeps no room beyond them", () => {
  const names = ["bundle.pem", "p256.pem"];
  const cas = trustCaFiles(names, (n) => FILES[n]);
  expect(cas.trusted).toBe(3);
  expect(cas.store.size).toBe(3);
  expect(cas.unindexed).toEqual([]);
  expect(cas.store.all().length).toBe(3);
  expect(cas.store.validity().map((v) => v.file)).toEqual(["bundle.pem", "bundle.pem", "p256.pem"]);
  expect((cas.store as unknown as { index: Uint8Array }).index.length).toBe(3 * 32);
  // A root added after the store was compacted finds its file again.
  const [again] = loadCaFiles(["bundle.pem"], (n) => FILES[n]);
  expect(cas.store.add({ ...again, file: "copy.pem" })).toBe(true);
  expect(cas.store.validity().map((v) => v.file)).toEqual(["bundle.pem", "bundle.pem", "p256.pem", "copy.pem"]);
});

test("a missing file stops with the file's name after the files before it were seen", () => {
  const seen: string[] = [];
  expect(() => trustCaFiles(["p256.pem", "gone.pem"], (n) => FILES[n], (ca) => seen.push(ca.file))).toThrow(ConfigError);
  expect(seen).toEqual(["p256.pem"]);
});
