/**
 * Memory figures from `instrumentation` (present in debug builds, `mcconfig -d`), after a garbage
 * collection by `debug` so they show live data rather than garbage not yet collected.
 */
import Debug from "debug";
import Instrumentation from "instrumentation";
import type { MemorySnapshot } from "../app/device-hooks";

function read(name: "System Free Memory" | "XS Chunk Heap Used" | "XS Slot Heap Used"): number | undefined {
  const index = Instrumentation.map(name);
  return index === undefined ? undefined : Instrumentation.get(index);
}

export function memory(): MemorySnapshot {
  Debug.gc();
  const snapshot: MemorySnapshot = {};
  const free = read("System Free Memory");
  const chunk = read("XS Chunk Heap Used");
  const slot = read("XS Slot Heap Used");
  // The simulator reports 0: no figure rather than a false one.
  if (free !== undefined && free > 0) snapshot.systemFree = free;
  if (chunk !== undefined) snapshot.chunkUsed = chunk;
  if (slot !== undefined) snapshot.slotUsed = slot;
  return snapshot;
}
