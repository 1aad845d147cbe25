/**
 * What the firmware manifests compile and preload, read without the SDK, and the modules the
 * firmware really imports (walked from main.ts). The CI guard (host-tests/manifest-preload.test.ts)
 * compares them: a module left out of `preload` is instantiated in RAM at every start (mcconfig's
 * `*` pattern does not preload `.ts` modules, so each is listed by its exact name), and a module
 * compiled but never imported is flash spent on tool-only code.
 *
 * Only this repository's own manifests are read (includes starting with "./"); the SDK's are not
 * needed to know which of our modules are built.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

export interface ManifestModules {
  /** Module names (e.g. "modules/http/url") this manifest and its local includes compile from this repository. */
  compiled: Set<string>;
  /** Every `preload` entry, SDK modules included. */
  preload: Set<string>;
}

interface ManifestJson {
  include?: string | string[];
  modules?: Record<string, string | string[]>;
  preload?: string[];
}

/** A module name for a repository file: its path from the repository root without `.ts`. */
function moduleName(root: string, file: string): string {
  return relative(root, file).replace(/\\/g, "/").replace(/\.ts$/, "");
}

function localSources(root: string, dir: string, value: string | string[]): string[] {
  const files: string[] = [];
  for (const source of Array.isArray(value) ? value : [value]) {
    if (!source.startsWith("./")) continue; // an SDK module ($(MODULES)/...)
    const path = resolve(dir, source);
    if (path.endsWith("/*")) {
      const folder = path.slice(0, -2);
      for (const f of readdirSync(folder)) if (f.endsWith(".ts") && !f.endsWith(".d.ts")) files.push(moduleName(root, join(folder, f)));
    } else if (existsSync(`${path}.ts`)) files.push(moduleName(root, `${path}.ts`));
    else throw new Error(`${source}: no such module file`);
  }
  return files;
}

/** Reads a manifest of this repository and the local manifests it includes. */
export function readManifestModules(root: string, manifest: string): ManifestModules {
  const result: ManifestModules = { compiled: new Set(), preload: new Set() };
  const visit = (path: string): void => {
    const json = JSON.parse(readFileSync(path, "utf8")) as ManifestJson;
    const dir = dirname(path);
    const includes = json.include === undefined ? [] : Array.isArray(json.include) ? json.include : [json.include];
    for (const inc of includes) if (inc.startsWith("./")) visit(resolve(dir, inc));
    for (const value of Object.values(json.modules ?? {})) for (const m of localSources(root, dir, value)) result.compiled.add(m);
    for (const p of json.preload ?? []) result.preload.add(p);
  };
  visit(resolve(root, manifest));
  return result;
}

/** The relative imports of a TypeScript file that stay at run time (`import type` is erased). */
export function runtimeImports(text: string): string[] {
  const specifiers: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^;"']*?\s+from\s+)?["']([^"']+)["'];/gm)) {
    if (m[1] === undefined && m[2].startsWith(".")) specifiers.push(m[2]);
  }
  return specifiers;
}

/** Every repository module the entry file imports, directly or not (the entry itself excluded). */
export function importedModules(root: string, entry: string): Set<string> {
  const seen = new Set<string>();
  const walk = (file: string): void => {
    for (const spec of runtimeImports(readFileSync(file, "utf8"))) {
      const target = `${resolve(dirname(file), spec)}.ts`;
      const name = moduleName(root, target);
      if (seen.has(name)) continue;
      if (!existsSync(target)) throw new Error(`${moduleName(root, file)} imports ${spec}: no such file`);
      seen.add(name);
      walk(target);
    }
  };
  walk(resolve(root, entry));
  return seen;
}

/** True when a module holds only types: it compiles to nothing, and no import of it stays at run time. */
export function isTypeOnly(text: string): boolean {
  const out = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  return out.replace(/\/\/.*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, "").replace(/export \{\};?/g, "").trim() === "";
}
