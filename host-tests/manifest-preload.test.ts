/**
 * The firmware's manifests, checked without the SDK: every module the firmware imports is
 * preloaded by its exact name (mcconfig's `*` pattern does not preload `.ts` modules, and a module
 * that is not preloaded is instantiated in RAM at every start); nothing compiled is left unused
 * (tool-only code stays out of the firmware); the client fragment (manifest_client.json) stands on
 * its own; and no firmware module keeps module-level state or an unfrozen table, which xsl reports
 * as `not frozen` / `no const` (the SDK check lists those warnings; this is the part CI can see).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { importedModules, isTypeOnly, readManifestModules, runtimeImports } from "../tools/sdk/manifest-modules";

const root = join(__dirname, "..");
const firmware = readManifestModules(root, "manifest.json");
const client = readManifestModules(root, "manifest_client.json");
const imported = importedModules(root, "main.ts");

const sorted = (s: Iterable<string>) => [...s].sort();

test("the walk finds the firmware's modules in every room", () => {
  for (const room of ["base", "http", "tls", "client", "app", "device"]) {
    expect(sorted(imported).some((m) => m.startsWith(`modules/${room}/`))).toBe(true);
  }
});

test("every module the firmware imports is compiled and preloaded by its exact name", () => {
  expect(sorted(imported).filter((m) => !firmware.compiled.has(m))).toEqual([]);
  expect(sorted(imported).filter((m) => !firmware.preload.has(m))).toEqual([]);
});

const typeOnly = (m: string) => isTypeOnly(readFileSync(join(root, `${m}.ts`), "utf8"));

test("the firmware compiles only modules it imports, or the client library's (no tool-only module)", () => {
  // The client fragment is compiled whole (its public API included, for apps built on it); the
  // firmware's own manifest adds only what main.ts imports. Type-only modules compile to nothing.
  const compiled = sorted(firmware.compiled).filter((m) => m !== "main" && !typeOnly(m));
  expect(compiled.filter((m) => !imported.has(m) && !client.compiled.has(m))).toEqual([]);
  expect(compiled.filter((m) => !m.startsWith("modules/"))).toEqual([]);
});

test("main is compiled but not preloaded (its body starts the firmware at boot)", () => {
  expect(firmware.compiled.has("main")).toBe(true);
  expect(firmware.preload.has("main")).toBe(false);
});

test("every preload entry of this repository names a compiled module", () => {
  const ours = sorted(firmware.preload).filter((m) => m.startsWith("modules/"));
  expect(ours.filter((m) => !firmware.compiled.has(m))).toEqual([]);
});

test("manifest_client.json is self-contained: its modules import only its own modules, all preloaded", () => {
  const missing: string[] = [];
  for (const m of client.compiled) {
    for (const spec of runtimeImports(readFileSync(join(root, `${m}.ts`), "utf8"))) {
      const target = join(m, "..", spec).replace(/\\/g, "/");
      if (!client.compiled.has(target)) missing.push(`${m} -> ${target}`);
    }
  }
  expect(missing).toEqual([]);
  expect(sorted(client.compiled).filter((m) => !client.preload.has(m) && !typeOnly(m))).toEqual([]);
  expect(sorted(client.compiled).filter((m) => m.startsWith("modules/app/"))).toEqual([]);
});

describe("no module-level state or unfrozen table in a firmware module", () => {
  const modules = sorted(firmware.compiled).filter((m) => m !== "main");
  test.each(modules)("%s", (m) => {
    const text = readFileSync(join(root, `${m}.ts`), "utf8");
    // Module level = no indentation. A `let`/`var` there is state a preloaded module cannot change.
    expect(text.match(/^(export )?(let|var) .*/gm) ?? []).toEqual([]);
    // A table (object or array literal, Map, Set) must be frozen where it is made.
    const unfrozen = (text.match(/^(export )?const \w+(: [^=]+)? = (\{|\[|new (Map|Set)\b|\w+\.map\().*/gm) ?? []);
    expect(unfrozen).toEqual([]);
  });
});
