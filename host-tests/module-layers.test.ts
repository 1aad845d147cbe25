/**
 * The rooms of `modules/` and the one way their imports point:
 *
 *   base  <  http, tls  <  client  <  app  <  device
 *
 * A module imports from its own room or from a room below it, never from above; http and tls
 * stand side by side and import nothing from each other. Only `device` imports SDK modules (the
 * rest is the sans-I/O core that runs unchanged on XS and Node), and nothing under `modules/`
 * imports from outside it. No import circle either, type-only imports included: a circle of types
 * is still two modules that cannot be read (or moved) one without the other.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(__dirname, "..");
const MODULES = join(ROOT, "modules");

/** Each room's rank: an import must go to the same room or to a lower rank. */
const RANKS: Readonly<Record<string, number>> = Object.freeze({ base: 0, http: 1, tls: 1, client: 2, app: 3, device: 4 });
/** The only room that may import SDK modules (socket, securesocket, timer...). */
const SDK_ROOM = "device";

interface Import {
  /** As written in the source. */
  specifier: string;
  /** The file it resolves to (relative to the repository), for a relative import. */
  target?: string;
}

function listModules(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listModules(path));
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(path);
  }
  return out.sort();
}

/** Every module a source imports: import and export-from statements (type-only ones too) and `import("...")`. */
export function importSpecifiers(source: string): string[] {
  const noBlockComments = source.replace(/\/\*[\s\S]*?\*\//g, "");
  const found: string[] = [];
  for (const m of noBlockComments.matchAll(/^\s*(?:(?:import|export)\b[^"';]*?\bfrom|import)\s*["']([^"']+)["']/gm)) found.push(m[1]);
  for (const m of noBlockComments.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) found.push(m[1]);
  return found;
}

function resolveImport(fromFile: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const base = resolve(dirname(fromFile), specifier);
  for (const candidate of [`${base}.ts`, join(base, "index.ts"), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return relative(ROOT, candidate);
  }
  throw new Error(`${relative(ROOT, fromFile)}: import "${specifier}" resolves to no file`);
}

/** The room of a repository-relative path under modules/, or undefined outside. */
function roomOf(path: string): string | undefined {
  const parts = path.split(/[\\/]/);
  return parts[0] === "modules" && parts.length > 2 ? parts[1] : undefined;
}

/** Why an import from `from` breaks the layer order, or undefined when it is allowed. */
export function layerViolation(from: string, imp: Import): string | undefined {
  const room = roomOf(from);
  if (room === undefined || !(room in RANKS)) return `${from}: not in a known room (${Object.keys(RANKS).join(", ")})`;
  if (imp.target === undefined) {
    return room === SDK_ROOM ? undefined : `${from} imports "${imp.specifier}": only modules/${SDK_ROOM} may import SDK or platform modules`;
  }
  const to = roomOf(imp.target);
  if (to === undefined) return `${from} imports ${imp.target}, outside modules/`;
  if (!(to in RANKS)) return `${from} imports ${imp.target}: not in a known room`;
  if (to === room || RANKS[to] < RANKS[room]) return undefined;
  return RANKS[to] === RANKS[room]
    ? `${from} imports ${imp.target}: ${room} and ${to} stand side by side and import nothing from each other`
    : `${from} imports ${imp.target}: ${room} may not import from ${to}, a room above it`;
}

/** Every import circle in a graph (file -> files it imports), each listed once, as a path back to its start. */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    seen.add(node);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const at = stack.indexOf(next);
      if (at >= 0) cycles.push([...stack.slice(at), next]);
      else if (!seen.has(next)) visit(next);
    }
    stack.pop();
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) if (!done.has(node)) visit(node);
  return cycles;
}

const files = listModules(MODULES);
const imports = new Map<string, Import[]>(
  files.map((file) => [
    relative(ROOT, file),
    importSpecifiers(readFileSync(file, "utf8")).map((specifier) => ({ specifier, target: resolveImport(file, specifier) })),
  ]),
);

describe("the checks themselves", () => {
  test("find imports of every form", () => {
    const source = [
      `/** import { no } from "./in-a-comment"; */`,
      `import { a } from "./a";`,
      `import type { B } from "../x/b";`,
      `import {\n  c,\n  d,\n} from "./c";`,
      `export { e } from "./e";`,
      `export type { F } from "./f";`,
      `import "./side-effect";`,
      `type G = typeof import("./g");`,
      `import Timer from "timer";`,
      `export type Code = "NOT_AN_IMPORT";`,
      `export const from = "nor-this";`,
    ].join("\n");
    expect(importSpecifiers(source)).toEqual(["./a", "../x/b", "./c", "./e", "./f", "./side-effect", "timer", "./g"]);
  });

  test("refuse an import up the order, across http and tls, of the SDK outside device, and out of modules/", () => {
    expect(layerViolation("modules/http/url.ts", { specifier: "../base/bytes", target: "modules/base/bytes.ts" })).toBeUndefined();
    expect(layerViolation("modules/app/app.ts", { specifier: "../client/io", target: "modules/client/io.ts" })).toBeUndefined();
    expect(layerViolation("modules/device/timers.ts", { specifier: "timer" })).toBeUndefined();
    expect(layerViolation("modules/client/x.ts", { specifier: "../app/log-format", target: "modules/app/log-format.ts" })).toMatch(/room above/);
    expect(layerViolation("modules/base/x.ts", { specifier: "../http/url", target: "modules/http/url.ts" })).toMatch(/room above/);
    expect(layerViolation("modules/tls/x.ts", { specifier: "../http/url", target: "modules/http/url.ts" })).toMatch(/side by side/);
    expect(layerViolation("modules/http/x.ts", { specifier: "../tls/pem", target: "modules/tls/pem.ts" })).toMatch(/side by side/);
    expect(layerViolation("modules/client/x.ts", { specifier: "timer" })).toMatch(/only modules\/device/);
    expect(layerViolation("modules/client/x.ts", { specifier: "../../host/node-socket", target: "host/node-socket.ts" })).toMatch(/outside modules/);
  });

  test("find circles, short and long, and nothing in a tree", () => {
    const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));
    expect(findCycles(graph({ a: ["b"], b: ["c"], c: [] }))).toEqual([]);
    expect(findCycles(graph({ a: ["b", "c"], b: ["c"], c: [] }))).toEqual([]);
    expect(findCycles(graph({ a: ["a"] }))).toEqual([["a", "a"]]);
    expect(findCycles(graph({ a: ["b"], b: ["c"], c: ["a"] }))).toEqual([["a", "b", "c", "a"]]);
  });
});

describe("modules/", () => {
  test("holds modules in every room", () => {
    const rooms = new Set([...imports.keys()].map(roomOf));
    expect([...rooms].sort()).toEqual(Object.keys(RANKS).sort());
  });

  test("imports point down the layer order: base < http, tls < client < app < device", () => {
    const violations: string[] = [];
    for (const [file, list] of imports) {
      for (const imp of list) {
        const why = layerViolation(file, imp);
        if (why !== undefined) violations.push(why);
      }
    }
    expect(violations).toEqual([]);
  });

  test("has no import circle, type-only imports included", () => {
    const graph = new Map([...imports].map(([file, list]) => [file, list.flatMap((i) => (i.target === undefined ? [] : [i.target]))]));
    expect(findCycles(graph).map((cycle) => cycle.join(" -> "))).toEqual([]);
  });
});
