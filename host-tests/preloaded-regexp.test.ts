/**
 * No RegExp is created while a firmware module is preloaded.
 *
 * A RegExp built at module level (a literal in a top-level statement or in a module-level table)
 * is made by xsl at build time and lives in flash without its match buffer. In XS (SDK 8.2.3 and
 * upstream, `fxAllocateRegExpData` in xs/sources/xsre.c) every exec/test/match/replace/split on
 * such a RegExp takes that buffer from the system heap, never frees it, and hands it to the GC as
 * if it were an XS chunk: a leak per match on the heap Wi-Fi and TLS share, and, when a GC runs
 * while the match result is built, a corrupted pointer and a crash (measured in the simulator:
 * a segfault in `fx_RegExp_prototype_exec` at start with about a hundred roots embedded). A
 * literal inside a function is compiled into the XS heap when the function runs, which is safe.
 * See docs/firmware.md#preloaded-regexp.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ts from "typescript";
import { readManifestModules } from "../tools/sdk/manifest-modules";

const root = join(__dirname, "..");

/** Regular expressions a module creates when it is evaluated (outside any function), as "line: text". */
function moduleLevelRegExps(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return; // compiled into the XS heap when it runs
    const isLiteral = node.kind === ts.SyntaxKind.RegularExpressionLiteral;
    const isConstructed = (ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === "RegExp";
    if (isLiteral || isConstructed) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      found.push(`${line + 1}: ${node.getText(source).slice(0, 60)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test("the scan finds module-level RegExps, in tables and constructed, and skips those in functions", () => {
  const text = [
    "const A = /a/;",
    "const TABLE = Object.freeze([{ test: /b/g }]);",
    "const C = new RegExp('c');",
    "export function f(s: string) { return /d/.test(s); }",
    "const g = (s: string) => /e/.exec(s);",
    "class K { m() { return /h/; } static S = /i/; }",
  ].join("\n");
  expect(moduleLevelRegExps("x.ts", text)).toEqual(["1: /a/", "2: /b/g", "3: new RegExp('c')", "6: /i/"]);
});

test("no preloaded module of this repository creates a RegExp at module level", () => {
  const modules = new Set<string>();
  for (const manifest of ["manifest.json", "manifest_client.json"]) {
    for (const m of readManifestModules(root, manifest).preload) if (m.startsWith("modules/")) modules.add(m);
  }
  expect(modules.size).toBeGreaterThan(30);
  const found: string[] = [];
  for (const m of [...modules].sort()) {
    const file = join(root, `${m}.ts`);
    for (const hit of moduleLevelRegExps(file, readFileSync(file, "utf8"))) found.push(`${m}.ts:${hit}`);
  }
  expect(found).toEqual([]);
});
