/**
 * Portable test suites: cases written once that run in Node under jest and inside the XS engine.
 *
 * A case's `run` uses only the core (no jest, no Node API) and returns JSON-shaped data (numbers,
 * strings, booleans, null, arrays, plain objects; bytes as hex strings). `expected` is what it must
 * return. The jest runner checks `run()` against `expected`; the XS lane bundles the same suite,
 * runs every case inside XS and checks its result against the same `expected`.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface PortableCase {
  name: string;
  run: () => Json;
  expected: Json;
}

export interface PortableSuite {
  name: string;
  cases: PortableCase[];
}

/** Runs a case and turns any thrown error into data, so a failure is compared, not fatal. */
export function runCase(c: PortableCase): Json {
  try {
    return c.run();
  } catch (e) {
    const err = e as { name?: unknown; code?: unknown; message?: unknown };
    return { thrown: String(err && err.name), code: err && err.code !== undefined ? String(err.code) : null, message: String(err && err.message) };
  }
}

/** Runs `f` and returns the `code` of what it threw ("no error" when it returned). */
export function errorCode(f: () => unknown): Json {
  try {
    f();
    return "no error";
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}
