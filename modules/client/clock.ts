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

/**
 * A class rather than closures over an object: its methods stay in flash with the preloaded
 * module, so an instance costs its three fields, not two functions and their scope.
 */
export class SteadyClock {
  private last: number;
  private offset = 0;

  constructor(private readonly timers: TimerHost) {
    this.last = timers.now();
  }

  /** Follows `timers.now()` but never decreases. */
  now(): number {
    const t = this.timers.now();
    if (t + this.offset < this.last) this.offset = this.last - t;
    this.last = t + this.offset;
    return this.last;
  }

  /** Real time has reached at least `t` of this clock (a timer set for then has fired). */
  reach(t: number): void {
    if (this.now() < t) {
      this.offset += t - this.last;
      this.last = t;
    }
  }
}

export function steadyClock(timers: TimerHost): SteadyClock {
  return new SteadyClock(timers);
}
