/**
 * A clock for deadlines and durations that never runs backwards.
 *
 * The device's TimerHost reads `Date.now()`, which steps when SNTP sets or corrects the clock. A
 * step back would stretch every deadline computed from it (a 10 s timeout could wait an hour) and
 * make durations negative. Here such a step is absorbed: time stands still across it, and a timer
 * that fires tells the clock that at least its delay has passed (timers count real milliseconds),
 * so deadlines keep their real length. Certificate-date checks and the diagnosis still use the
 * TimerHost's own `now()`.
 */
import type { TimerHost } from "./io";

export interface SteadyClock {
  /** Follows `timers.now()` but never decreases. */
  now(): number;
  /** Real time has reached at least `t` of this clock (a timer set for then has fired). */
  reach(t: number): void;
}

export function steadyClock(timers: TimerHost): SteadyClock {
  let last = timers.now();
  let offset = 0;
  const now = (): number => {
    const t = timers.now();
    if (t + offset < last) offset = last - t;
    last = t + offset;
    return last;
  };
  return {
    now,
    reach(t: number): void {
      if (now() < t) {
        offset += t - last;
        last = t;
      }
    },
  };
}
