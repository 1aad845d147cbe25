/**
 * Runs a portable suite (`*.portable.ts`, see host-tests/portable/suite.ts) inside the XS lane:
 * one bundle per suite, one worker per suite, one crank (and so one meter budget) per case.
 * A case that kills the worker (e.g. over the meter limit) is reported as that case's error and
 * the remaining cases go on in a fresh worker.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { bundleSourceForXs } from "./bundle";
import { Json, XsLane } from "./lane";
import { XsWorkerOptions } from "./worker";

export type CaseOutcome = { ok: true; value: Json; units: number } | { ok: false; error: string };

export interface XsSuiteRun {
  suiteName: string;
  caseNames: string[];
  outcomes: CaseOutcome[];
  bundleBytes: number;
}

/** The `*.portable.ts` files of `dir`, sorted. */
export function portableSuiteFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".portable.ts"))
    .sort();
}

/** The generated entry: imports the suite and `runCase` from the suite's own `./suite` module. */
function entrySource(dir: string, file: string): string {
  return [
    `import { suite } from ${JSON.stringify(join(dir, file))};`,
    `import { runCase } from ${JSON.stringify(join(dir, "suite"))};`,
    `export function suiteName(): string { return suite.name; }`,
    `export function caseNames(): string[] { return suite.cases.map((c) => c.name); }`,
    `export function runCaseAt(i: number) { return runCase(suite.cases[i]); }`,
  ].join("\n");
}

export async function runPortableSuiteInXs(dir: string, file: string, options: XsWorkerOptions = {}): Promise<XsSuiteRun> {
  const bundle = bundleSourceForXs(entrySource(dir, file), dir, `${file}.xs-entry.ts`);
  const start = async (): Promise<XsLane> => {
    const lane = await XsLane.start({ name: file, ...options });
    await lane.load("suite", bundle);
    return lane;
  };
  let lane = await start();
  try {
    const suiteName = (await lane.call("suite", "suiteName")).value as string;
    const caseNames = (await lane.call("suite", "caseNames")).value as string[];
    const outcomes: CaseOutcome[] = [];
    for (let i = 0; i < caseNames.length; i++) {
      if (!lane.alive) lane = await start();
      try {
        const r = await lane.call("suite", "runCaseAt", [i]);
        outcomes.push({ ok: true, value: r.value, units: r.units });
      } catch (e) {
        outcomes.push({ ok: false, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return { suiteName, caseNames, outcomes, bundleBytes: Buffer.byteLength(bundle) };
  } finally {
    await lane.kill();
  }
}
