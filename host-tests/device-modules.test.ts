/**
 * mcconfig compiles each module on its own, so a device module that imports an SDK module
 * declared only in sdk-extra.d.ts must reference that file itself; the project-wide type-check
 * cannot see a missing reference (it failed the firmware build once: TS7016 for "x509").
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = join(__dirname, "..", "modules", "device");
const declared = [...readFileSync(join(dir, "sdk-extra.d.ts"), "utf8").matchAll(/declare module "([^"]+)"/g)].map((m) => m[1]);
const files = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));

test("sdk-extra.d.ts declares modules", () => {
  expect(declared).toEqual(expect.arrayContaining(["ssl/cert", "x509"]));
});

test.each(files)("%s references sdk-extra.d.ts when it imports a module declared there", (file) => {
  const text = readFileSync(join(dir, file), "utf8");
  const imported = [...text.matchAll(/^import[^"]*"([^"]+)";/gm)].map((m) => m[1]);
  const needs = imported.filter((m) => declared.includes(m));
  if (needs.length > 0) expect(text).toMatch(/^\/\/\/ <reference path="\.\/sdk-extra\.d\.ts" \/>$/m);
});
