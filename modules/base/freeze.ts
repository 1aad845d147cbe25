/**
 * Freezing module-level tables. Firmware modules are preloaded: the linker (xsl) puts their
 * objects in flash and warns "not frozen" about each one left writable, because a write would copy
 * it to RAM. XS's `Object.freeze(x, true)` freezes deeply, but the second argument is XS-only
 * (Node ignores it and TypeScript does not declare it): this helper does the same in both engines.
 */

/** Freezes `value` and every object it holds (functions are left as they are), and returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
