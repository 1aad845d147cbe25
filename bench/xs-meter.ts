/**
 * XS meter readings for the benchmark: how many XS computation units (the engine's own meter,
 * counted per executed instruction, deterministic and independent of the host's speed) one
 * function call spends inside the real XS engine, in the device-like lane (see docs/xs-lane.md).
 *
 * Usage, e.g. for the response parser's cost per KiB of body:
 *
 *   import { openXsMeter } from "./xs-meter";
 *   const meter = await openXsMeter(join(__dirname, "xs-entry.ts"));   // bundles the entry once
 *   try {
 *     const small = await meter.measure("parseAll", [responseWith1KiBBody]);   // Uint8Array args are fine
 *     const large = await meter.measure("parseAll", [responseWith1MiBBody]);
 *     // small.units / large.units: meter units of that call alone; small.value: its JSON result
 *   } finally {
 *     await meter.close();
 *   }
 *
 * The entry is a TypeScript module exporting plain functions (e.g. one that feeds its Uint8Array
 * argument to the parser and returns a small JSON summary). Only the call itself is metered: turning
 * the arguments into values (Uint8Array from base64) happens in an earlier crank, and encoding the
 * result happens after the meter is read. To get "units per KiB", divide by the input size; to
 * separate the header cost from the body cost, measure responses with the same head and different
 * body sizes (the slope is the body's cost) or with a large header section and an empty body.
 *
 * Limits: one call may spend at most `meterLimit` units (default 2e9, close to the worker's maximum
 * 2^31 - 1, several seconds of host time); the arguments travel inside a script, and the worker
 * parses scripts of up to 8 MiB, so keep byte arguments under about 5 MiB.
 */
import { bundleForXs, Json, MAX_METER_LIMIT, XsArg, XsLane } from "../host-tests/xs-lane";

export interface XsMeterReading {
  /** Meter units the call spent. */
  units: number;
  /** What the function returned (JSON data). */
  value: Json;
}

export interface XsMeter {
  /** Calls export `fn` of the entry with `args` and returns the units it spent. */
  measure(fn: string, args?: readonly XsArg[]): Promise<XsMeterReading>;
  close(): Promise<void>;
}

/** Bundles `entryFile` (an absolute path) once and keeps one XS worker for any number of calls. */
export async function openXsMeter(entryFile: string, meterLimit = 2_000_000_000): Promise<XsMeter> {
  const lane = await XsLane.start({ name: "xs-meter", meterLimit: Math.min(meterLimit, MAX_METER_LIMIT) });
  try {
    await lane.load("entry", bundleForXs(entryFile));
  } catch (e) {
    await lane.kill();
    throw e;
  }
  return {
    async measure(fn, args = []) {
      const r = await lane.call("entry", fn, args);
      return { units: r.units, value: r.value };
    },
    close: () => lane.close(),
  };
}

/** One-shot form: the meter units `fn` of `entryFile` spends on `args`. */
export async function xsMeterUnits(entryFile: string, fn: string, args: readonly XsArg[] = []): Promise<number> {
  const meter = await openXsMeter(entryFile);
  try {
    return (await meter.measure(fn, args)).units;
  } finally {
    await meter.close();
  }
}
