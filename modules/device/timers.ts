/** The TimerHost of the device: `Date.now()` and `timer`'s one-shot timers. */
import Timer from "timer";
import type { TimerHost } from "../client/io";

export const deviceTimers: TimerHost = Object.freeze({
  now: () => Date.now(),
  set: (callback: () => void, ms: number) => Timer.set(() => callback(), ms),
  clear: (id: unknown) => Timer.clear(id as Timer),
});
