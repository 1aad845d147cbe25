/**
 * Bundles TypeScript for the XS lane with esbuild: one self-contained script, platform neutral
 * (a Node built-in import fails to bundle), ES2022 syntax, its exports in `var __xsExports`.
 * `XsLane.load` evaluates the bundle inside a function and hands `__xsExports` to the lane
 * explicitly, so loading a bundle adds no global.
 */
import { buildSync, BuildOptions } from "esbuild";

export const XS_TARGET = "es2022";

const common: BuildOptions = {
  bundle: true,
  write: false,
  format: "iife",
  globalName: "__xsExports",
  platform: "neutral",
  target: XS_TARGET,
  legalComments: "none",
  logLevel: "silent",
};

function text(result: { outputFiles?: { text: string }[] }): string {
  const out = result.outputFiles?.[0];
  if (!out) throw new Error("esbuild produced no output");
  return out.text;
}

/** Bundles the module at `entryFile` (absolute path) and everything it imports. */
export function bundleForXs(entryFile: string): string {
  return text(buildSync({ ...common, entryPoints: [entryFile] }));
}

/** Bundles TypeScript source given as text; its relative imports resolve from `resolveDir`. */
export function bundleSourceForXs(source: string, resolveDir: string, sourcefile = "xs-entry.ts"): string {
  return text(buildSync({ ...common, stdin: { contents: source, loader: "ts", resolveDir, sourcefile } }));
}
