/**
 * Memory figures from `instrumentation` (present in debug builds, `mcconfig -d`), after a garbage
 * collection by `debug` so they show live data rather than garbage not yet collected.
 */
import Debug from "debug";
import Instrumentation from "instrumentation";
import Timer from "timer";
import type { MemorySnapshot } from "../app/device-hooks";

function read(name: "System Free Memory" | "XS Chunk Heap Used" | "XS Slot Heap Used"): number | undefined {
  const index = Instrumentation.map(name);
  return index === undefined ? undefined : Instrumentation.get(index);
}

/**
 * The largest chunk + slot figure seen by a repeating timer (garbage included: what the heap
 * must hold at that moment). A handshake runs between timer turns, so this samples it; the
 * figure is for comparing builds measured the same way, not an exact high-water mark.
 */
export class HeapPeakSampler {
  private peak = 0;
  private started = false;

  start(periodMs: number): void {
    if (this.started) return;
    this.started = true;
    Timer.repeat(() => this.sample(), periodMs);
  }

  private sample(): void {
    const used = (read("XS Chunk Heap Used") ?? 0) + (read("XS Slot Heap Used") ?? 0);
    if (used > this.peak) this.peak = used;
  }

  /** The peak since the last call (undefined before any sample), and a new period begins. */
  take(): number | undefined {
    if (!this.started) return undefined;
    this.sample();
    const peak = this.peak;
    this.peak = 0;
    return peak > 0 ? peak : undefined;
  }
}

export function memory(sampler?: HeapPeakSampler): MemorySnapshot {
  const peak = sampler ? sampler.take() : undefined;
  Debug.gc();
  const snapshot: MemorySnapshot = {};
  if (peak !== undefined) snapshot.peakUsed = peak;
  const free = read("System Free Memory");
  const chunk = read("XS Chunk Heap Used");
  const slot = read("XS Slot Heap Used");
  // The simulator reports 0: no figure rather than a false one.
  if (free !== undefined && free > 0) snapshot.systemFree = free;
  if (chunk !== undefined) snapshot.chunkUsed = chunk;
  if (slot !== undefined) snapshot.slotUsed = slot;
  return snapshot;
}
