/**
 * The XS lane: runs bundled TypeScript inside the real XS engine (xsnap-worker), with the globals of
 * a Moddable device only and a meter limit per call. See docs/xs-lane.md.
 *
 *   const r = await runInXs(bundleForXs("/abs/entry.ts"), "parse", [bytes]);  // { value, units, crankUnits }
 */
export { bundleForXs, bundleSourceForXs, XS_TARGET } from "./bundle";
export { runInXs, XsLane, XsCallError, DEVICE_GLOBALS, MISSING_ON_DEVICE } from "./lane";
export type { Json, XsArg, XsCallResult } from "./lane";
export { XsWorker, XsExitError, XsScriptError, xsnapWorkerPath, DEFAULT_METER_LIMIT, MAX_METER_LIMIT } from "./worker";
export type { XsWorkerOptions, XsReply, XsMeterUsage } from "./worker";
export { runPortableSuiteInXs, portableSuiteFiles } from "./portable";
export type { CaseOutcome, XsSuiteRun } from "./portable";
