/**
 * The XS lane: every portable suite (host-tests/portable/*.portable.ts) runs inside the real XS
 * engine with only a device's globals, and each case's XS result must equal the same `expected`
 * that the Node run checks. Plus proofs that the lane is device-like and metered.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import {
  bundleForXs,
  bundleSourceForXs,
  CaseOutcome,
  DEVICE_GLOBALS,
  portableSuiteFiles,
  runInXs,
  runPortableSuiteInXs,
  XsCallError,
  XsExitError,
  XsLane,
  XsSuiteRun,
} from "./xs-lane";
import { openXsMeter } from "../bench/xs-meter";
import { PortableSuite } from "./portable/suite";

// Each case starts an XS process and bundles TypeScript for it: seconds on a loaded machine, so
// jest's 5 s default is no margin. What a case asserts about time is asserted inside it.
jest.setTimeout(60_000);

const portableDir = join(__dirname, "portable");
const files = portableSuiteFiles(portableDir);

function check(outcome: CaseOutcome | undefined, expected: unknown): void {
  if (!outcome) throw new Error("XS did not run this case");
  if (!outcome.ok) throw new Error(`in XS: ${outcome.error}`);
  expect(outcome.value).toEqual(expected);
}

describe("portable suites in XS", () => {
  test("there are portable suites to run", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const suite = (require(join(portableDir, file)) as { suite: PortableSuite }).suite;
    describe(`XS ${file}: ${suite.name}`, () => {
      let run: XsSuiteRun | undefined;
      let failure: unknown;
      beforeAll(async () => {
        try {
          run = await runPortableSuiteInXs(portableDir, file);
        } catch (e) {
          failure = e;
        }
      }, 120_000);

      test("bundles and loads in XS with the same cases as in Node", () => {
        if (failure) throw failure;
        expect(run?.suiteName).toBe(suite.name);
        expect(run?.caseNames).toEqual(suite.cases.map((c) => c.name));
      });

      suite.cases.forEach((c, i) => {
        test(c.name, () => {
          if (failure) throw failure;
          check(run?.outcomes[i], c.expected);
        });
      });
    });
  }
});

const CORE_ROOMS = ["base", "http", "tls", "client", "app"];

/** Every file of the core, found anew on each run. */
function coreFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? coreFiles(join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [join(dir, e.name)] : []))
    .sort();
}

describe("every core module loads in XS", () => {
  // The core is every room of modules/ but the device edge.
  const coreDir = join(__dirname, "..", "modules");
  const modules = CORE_ROOMS.flatMap((room) => coreFiles(join(coreDir, room)));
  let lane: XsLane | undefined;
  beforeAll(async () => {
    lane = await XsLane.start({ name: "core-modules" });
  }, 60_000);
  afterAll(async () => {
    await lane?.kill();
  });

  test("there are core modules", () => {
    expect(modules.length).toBeGreaterThan(0);
  });

  for (const file of modules) {
    const name = relative(coreDir, file);
    test(`${name}: bundles without Node or Moddable imports and its top level runs in XS`, async () => {
      const source = readFileSync(file, "utf8");
      // A triple-slash reference would pull Node's types past tsconfig.core.json's "types": [].
      expect(source).not.toMatch(/^\s*\/\/\/\s*<reference\s+(types|lib|path)=/m);
      const code = bundleForXs(file);
      if (!lane?.alive) lane = await XsLane.start({ name: "core-modules" });
      await expect(lane.load(name, code)).resolves.toEqual(expect.any(Array));
    });
  }
});

/** Bundles a snippet of TypeScript whose exports are then called in the lane. */
const snippet = (source: string): string => bundleSourceForXs(source, __dirname);

describe("the lane is device-like", () => {
  const xsnapOnly = ["issueCommand", "print", "setImmediate", "gc", "performance", "currentMeterLimit", "resetMeter", "TextEncoder", "TextDecoder", "Base64", "harden"];
  const neverOnDevice = ["setTimeout", "setInterval", "queueMicrotask", "console", "Intl", "structuredClone", "atob", "btoa", "Buffer", "process", "require", "fetch", "URL", "crypto"];

  test("only a device's globals are left", async () => {
    const code = snippet(`
      export function globals() { return Object.getOwnPropertyNames(globalThis).sort(); }
      export function types(names: string[]) { return names.map((n) => typeof (globalThis as any)[n]); }
      export function toSorted() { return typeof (Array.prototype as any).toSorted; }
    `);
    const lane = await XsLane.start();
    try {
      await lane.load("g", code);
      const globals = (await lane.call("g", "globals")).value as string[];
      expect(globals.filter((n) => !DEVICE_GLOBALS.includes(n))).toEqual([]);
      for (const name of ["Array", "Uint8Array", "DataView", "Promise", "JSON", "Math", "trace"]) expect(globals).toContain(name);
      const gone = [...xsnapOnly, ...neverOnDevice];
      expect((await lane.call("g", "types", [gone])).value).toEqual(gone.map(() => "undefined"));
      expect((await lane.call("g", "toSorted")).value).toBe("undefined");
      for (const name of xsnapOnly) expect(lane.removed).toContain(name);
    } finally {
      await lane.kill();
    }
  });

  test.each([
    ["setTimeout", "setTimeout(() => undefined, 0);"],
    ["Buffer", `Buffer.from("x");`],
    ["TextDecoder", "new TextDecoder().decode(new Uint8Array(1));"],
    ["TextEncoder", `new TextEncoder().encode("x");`],
    ["console", `console.log("x");`],
    ["queueMicrotask", "queueMicrotask(() => undefined);"],
    ["atob", `atob("eA==");`],
    ["structuredClone", "structuredClone({});"],
  ])("a bundle using %s fails in the lane", async (name, statement) => {
    const code = snippet(`declare const Buffer: any, TextDecoder: any, TextEncoder: any, console: any, setTimeout: any, queueMicrotask: any, atob: any, structuredClone: any;
      export function use() { ${statement} return "ran"; }`);
    const error = await runInXs(code, "use").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(XsCallError);
    expect((error as XsCallError).errorName).toBe("ReferenceError");
    expect((error as XsCallError).message).toContain(name);
  });

  test("Array.prototype.toSorted is missing, as on a device", async () => {
    const code = snippet(`export function sort() { return (([3, 1, 2] as any).toSorted()); }`);
    await expect(runInXs(code, "sort")).rejects.toThrow(/TypeError/);
  });

  test("a Node built-in import does not even bundle", () => {
    expect(() => snippet(`import { readFileSync } from "node:fs"; export const f = readFileSync;`)).toThrow(/node:fs/);
  });

  test("arguments: JSON and bytes arrive, JSON comes back", async () => {
    const code = snippet(`export function f(bytes: Uint8Array, o: { k: string[] }) {
      return { isBytes: bytes instanceof Uint8Array, sum: bytes.reduce((a, b) => a + b, 0), len: bytes.length, k: o.k }; }`);
    const big = new Uint8Array(100_000).fill(1);
    const r = await runInXs(code, "f", [big, { k: ["a", "\u20ac"] }]);
    expect(r.value).toEqual({ isBytes: true, sum: 100_000, len: 100_000, k: ["a", "\u20ac"] });
  });

  test("a promise result is awaited (the job queue drains after each call)", async () => {
    const code = snippet(`export async function f(n: number) { await null; return n + 1; }
      export async function g() { await null; throw new RangeError("late"); }`);
    const lane = await XsLane.start();
    try {
      await lane.load("p", code);
      expect((await lane.call("p", "f", [41])).value).toBe(42);
      await expect(lane.call("p", "g")).rejects.toThrow("RangeError: late");
    } finally {
      await lane.kill();
    }
  });
});

describe("the lane is metered", () => {
  test("an infinite loop fails fast with a clear error", async () => {
    const code = snippet(`export function spin() { for (;;) { /* runaway */ } }`);
    const t0 = Date.now();
    const error = await runInXs(code, "spin", [], { meterLimit: 10_000_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(XsExitError);
    expect((error as XsExitError).tooMuchComputation).toBe(true);
    expect((error as Error).message).toMatch(/XS computation limit exceeded: a call spent more than 10000000 meter units/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  test("the default limit also stops a runaway loop, within seconds", async () => {
    const code = snippet(`export function spin() { let i = 0; while (i >= 0) i = (i + 1) % 7; return i; }`);
    const t0 = Date.now();
    await expect(runInXs(code, "spin")).rejects.toThrow(/computation limit exceeded/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  test("a runaway case fails alone; the suite's other cases still run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xs-lane-"));
    try {
      writeFileSync(join(dir, "suite.ts"), `export * from ${JSON.stringify(join(portableDir, "suite"))};\n`);
      writeFileSync(
        join(dir, "spin.portable.ts"),
        `import { PortableSuite } from "./suite";
        export const suite: PortableSuite = { name: "spin", cases: [
          { name: "spins", run: () => { for (;;) { /* runaway */ } }, expected: null },
          { name: "adds", run: () => 1 + 1, expected: 2 },
        ] };\n`,
      );
      const run = await runPortableSuiteInXs(dir, "spin.portable.ts", { meterLimit: 5_000_000 });
      expect(run.outcomes[0]).toEqual({ ok: false, error: expect.stringMatching(/computation limit exceeded/) });
      expect(run.outcomes[1]).toMatchObject({ ok: true, value: 2 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("meter units of a call are deterministic and grow with the work", async () => {
    const code = snippet(`export function sum(bytes: Uint8Array) { let s = 0; for (let i = 0; i < bytes.length; i++) s = (s + bytes[i]) | 0; return s; }`);
    const lane = await XsLane.start();
    try {
      await lane.load("m", code);
      const small = await lane.call("m", "sum", [new Uint8Array(1024)]);
      const again = await lane.call("m", "sum", [new Uint8Array(1024)]);
      const big = await lane.call("m", "sum", [new Uint8Array(64 * 1024)]);
      expect(small.units).toBeGreaterThan(0);
      expect(again.units).toBe(small.units);
      expect(big.units / small.units).toBeGreaterThan(50);
      expect(big.units / small.units).toBeLessThan(70);
      expect(small.crankUnits).toBeGreaterThanOrEqual(small.units);
    } finally {
      await lane.kill();
    }
  });

  test("bench/xs-meter measures a core function's units per input size", async () => {
    const meter = await openXsMeter(join(__dirname, "..", "modules", "base", "bytes.ts"));
    try {
      const small = await meter.measure("toHex", [new Uint8Array(1024).fill(0xab)]);
      const large = await meter.measure("toHex", [new Uint8Array(32 * 1024).fill(0xab)]);
      expect(small.value).toBe("ab".repeat(1024));
      expect((large.value as string).length).toBe(64 * 1024);
      expect(small.units).toBeGreaterThan(1024);
      expect(large.units).toBeGreaterThan(16 * small.units);
    } finally {
      await meter.close();
    }
  });
});
