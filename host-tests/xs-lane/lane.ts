/**
 * The device-like XS lane: an xsnap worker stripped down to the globals a Moddable device has,
 * into which bundles (see bundle.ts) are loaded and whose exported functions are called with
 * JSON arguments (plus Uint8Array arguments), returning JSON results and the meter units spent.
 */
import { XsScriptError, XsWorker, XsWorkerOptions } from "./worker";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A call argument: JSON data, or bytes (sent as base64 and arriving as a Uint8Array). */
export type XsArg = Json | Uint8Array;

/**
 * Globals kept in the lane: the ECMAScript built-ins XS provides plus XS's own `trace`, `global`,
 * `Compartment`, `ModuleSource` and `TypedArray`, all present on a device. Every other global of the
 * worker is deleted before any code under test runs: xsnap's `issueCommand`, `print`, `setImmediate`,
 * `gc`, `performance`, `currentMeterLimit`, `resetMeter`, `TextEncoder`, `TextDecoder`, `Base64`,
 * `harden`, and anything a later xsnap adds. (Also absent, as on a device: `setTimeout`,
 * `queueMicrotask`, `console`, `Intl`, `structuredClone`, `atob`, `btoa`.)
 */
export const DEVICE_GLOBALS: readonly string[] = [
  "AggregateError", "Array", "ArrayBuffer", "Atomics", "BigInt", "BigInt64Array", "BigUint64Array", "Boolean",
  "DataView", "Date", "Error", "EvalError", "FinalizationRegistry", "Float32Array", "Float64Array", "Int16Array",
  "Int32Array", "Int8Array", "JSON", "Map", "Math", "Number", "Object", "Promise", "Proxy", "RangeError",
  "ReferenceError", "Reflect", "RegExp", "Set", "SharedArrayBuffer", "String", "Symbol", "SyntaxError", "TypeError",
  "URIError", "Uint16Array", "Uint32Array", "Uint8Array", "Uint8ClampedArray", "WeakMap", "WeakRef", "WeakSet",
  "decodeURI", "decodeURIComponent", "encodeURI", "encodeURIComponent", "escape", "isFinite", "isNaN",
  "parseFloat", "parseInt", "unescape", "Infinity", "NaN", "undefined", "Function", "eval", "globalThis",
  "trace", "global", "Compartment", "ModuleSource", "TypedArray",
];

/** Built-in methods that the device's XS lacks; deleted if this worker's XS has them. */
export const MISSING_ON_DEVICE: readonly (readonly [string, string])[] = [["Array.prototype", "toSorted"]];

/** The lane's hook lives under a registered symbol, so no string-named global is added. */
const HOOK = 'globalThis[Symbol.for("xs-lane")]';

/**
 * Runs first in every worker. It keeps, in its closure, what the lane itself needs from xsnap
 * (TextEncoder to return JSON bytes, Base64 to receive byte arguments, resetMeter/currentMeterLimit
 * to meter one call), then deletes every global a device lacks.
 */
const PRELUDE = `(function (deviceGlobals, missingOnDevice) {
  "use strict";
  const g = globalThis;
  const encoder = new g.TextEncoder();
  const base64Decode = g.Base64.decode;
  const resetMeter = g.resetMeter;
  const currentMeterLimit = g.currentMeterLimit;
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const keep = new Set(deviceGlobals);
  const removed = [];
  for (const key of Reflect.ownKeys(g)) {
    if (typeof key === "string" && !keep.has(key)) {
      if (!delete g[key]) throw new Error("xs lane: cannot remove global " + key);
      removed.push(key);
    }
  }
  for (const [path, key] of missingOnDevice) {
    const target = path.split(".").reduce((o, k) => o[k], g);
    if (Object.prototype.hasOwnProperty.call(target, key)) {
      if (!delete target[key]) throw new Error("xs lane: cannot remove " + path + "." + key);
      removed.push(path + "." + key);
    }
  }
  const encode = (value) => {
    const u = encoder.encode(stringify(value));
    return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength);
  };
  const describe = (e) => ({
    name: String(e && e.name),
    message: String(e && e.message),
    stack: e && typeof e.stack === "string" ? e.stack : null,
  });
  const modules = Object.create(null);
  let staged;
  let settled;
  const lane = Object.freeze({
    define(name, exports) {
      modules[name] = exports;
      return encode(Object.keys(exports));
    },
    stage(json, byteArgs) {
      const args = parse(json);
      for (const [i, b64] of byteArgs) args[i] = new Uint8Array(base64Decode(b64));
      staged = args;
    },
    call(name, entry) {
      const args = staged || [];
      staged = undefined;
      const exports = modules[name];
      if (!exports) throw new Error("xs lane: no bundle loaded as " + name);
      const fn = exports[entry];
      if (typeof fn !== "function") throw new TypeError("xs lane: " + name + " exports no function " + entry);
      const limit = currentMeterLimit();
      const before = resetMeter(limit, 0);
      let value;
      let error;
      let threw = false;
      try {
        value = fn.apply(undefined, args);
      } catch (e) {
        threw = true;
        error = e;
      }
      const units = resetMeter(limit, 0);
      resetMeter(limit, before + units);
      if (threw) return encode({ thrown: describe(error), units });
      if (value !== null && (typeof value === "object" || typeof value === "function") && typeof value.then === "function") {
        settled = undefined;
        value.then(
          (v) => { settled = { value: v === undefined ? null : v }; },
          (e) => { settled = { thrown: describe(e) }; },
        );
        return encode({ pending: true, units });
      }
      return encode({ value: value === undefined ? null : value, units });
    },
    settled() {
      const s = settled;
      settled = undefined;
      return encode(s === undefined ? { pending: true } : s);
    },
  });
  Object.defineProperty(g, Symbol.for("xs-lane"), { value: lane });
  return encode({ removed });
})(${JSON.stringify(DEVICE_GLOBALS)}, ${JSON.stringify(MISSING_ON_DEVICE)})`;

export interface XsCallResult {
  value: Json;
  /** Meter units spent by the call itself (argument staging and result encoding excluded). */
  units: number;
  /** Meter units of the whole crank that made the call (includes the lane's own overhead and, for a promise, the job queue). */
  crankUnits: number;
}

/** The called function threw inside XS (or its promise rejected). */
export class XsCallError extends Error {
  override name = "XsCallError";
  constructor(
    message: string,
    readonly errorName: string,
    readonly errorMessage: string,
    readonly xsStack: string | null,
  ) {
    super(message);
  }
}

interface CallReply {
  value?: Json;
  thrown?: { name: string; message: string; stack: string | null };
  pending?: boolean;
  units?: number;
}

function decodeJson<T>(bytes: Uint8Array): T {
  return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")) as T;
}

/** One device-like XS worker. Start with `XsLane.start()`, then `load` bundles and `call` their exports. */
export class XsLane {
  private constructor(
    readonly worker: XsWorker,
    /** Globals and built-ins the prelude deleted. */
    readonly removed: string[],
  ) {}

  static async start(options: XsWorkerOptions = {}): Promise<XsLane> {
    const worker = new XsWorker(options);
    try {
      const reply = await worker.evaluate(PRELUDE);
      return new XsLane(worker, decodeJson<{ removed: string[] }>(reply.bytes).removed);
    } catch (e) {
      await worker.kill();
      throw e;
    }
  }

  get alive(): boolean {
    return this.worker.alive;
  }

  /** Evaluates a bundle from `bundleForXs` and registers its exports as `name`; returns the export names. */
  async load(name: string, bundleCode: string): Promise<string[]> {
    // Evaluated inside a function so that the bundle's top-level `var __xsExports` adds no global.
    const script = `${HOOK}.define(${JSON.stringify(name)}, (function () {\n${bundleCode}\nreturn __xsExports;\n})());\n`;
    const reply = await this.worker.evaluate(script).catch((e: unknown) => {
      throw e instanceof XsScriptError ? new XsScriptError(`loading ${name} in XS: ${e.message}`) : e;
    });
    return decodeJson<string[]>(reply.bytes);
  }

  /** Calls export `entry` of bundle `name` with `args`; the result must be JSON data. */
  async call(name: string, entry: string, args: readonly XsArg[] = []): Promise<XsCallResult> {
    if (args.length > 0) {
      const byteArgs: [number, string][] = [];
      const jsonArgs = args.map((a, i) => {
        if (a instanceof Uint8Array) {
          byteArgs.push([i, Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64")]);
          return null;
        }
        return a;
      });
      await this.worker.evaluate(`${HOOK}.stage(${JSON.stringify(JSON.stringify(jsonArgs))}, ${JSON.stringify(byteArgs)});`);
    }
    const reply = await this.worker.evaluate(`${HOOK}.call(${JSON.stringify(name)}, ${JSON.stringify(entry)})`);
    let result = decodeJson<CallReply>(reply.bytes);
    const units = result.units ?? 0;
    let crankUnits = reply.compute;
    if (result.pending) {
      const settled = await this.worker.evaluate(`${HOOK}.settled()`);
      result = decodeJson<CallReply>(settled.bytes);
      if (result.pending) throw new XsCallError(`${name}.${entry}: its promise did not settle (the lane has no timers)`, "Error", "promise did not settle", null);
      crankUnits += settled.compute;
    }
    if (result.thrown) {
      const t = result.thrown;
      throw new XsCallError(`${name}.${entry} threw in XS: ${t.name}: ${t.message}`, t.name, t.message, t.stack);
    }
    return { value: result.value === undefined ? null : result.value, units, crankUnits };
  }

  close(): Promise<void> {
    return this.worker.close();
  }

  kill(): Promise<void> {
    return this.worker.kill();
  }
}

/**
 * Runs one call in a fresh device-like worker: loads `bundleCode` (from `bundleForXs`), calls its
 * export `entry` with `args`, and returns the JSON result and the meter units the call spent.
 */
export async function runInXs(bundleCode: string, entry: string, args: readonly XsArg[] = [], options: XsWorkerOptions = {}): Promise<XsCallResult> {
  const lane = await XsLane.start(options);
  try {
    await lane.load("main", bundleCode);
    return await lane.call("main", entry, args);
  } finally {
    await lane.kill();
  }
}
