/**
 * The states of a fetch and their deadlines. Each state is bounded by its own timeout and the
 * whole fetch by `total`; one timer per fetch is set for the nearest deadline, and bytes only move
 * `lastByteAt` (the timer, when it fires early, is set again).
 */
import type { SteadyClock } from "./clock";
import type { Failure, Phase } from "./diagnosis";
import type { TimerHost } from "./io";
import type { Timeouts } from "./options";

export type ExchangeState = "resolving" | "connecting" | "handshaking" | "sending" | "waiting" | "receiving" | "done";

/** The phase a failure in this state is reported in. */
export function phaseOf(state: ExchangeState): Phase {
  switch (state) {
    case "resolving":
      return "dns";
    case "connecting":
      return "connect";
    case "handshaking":
      return "tls-handshake";
    case "sending":
      return "request";
    default:
      return "response";
  }
}

export class Deadlines {
  readonly startedAt: number;
  /** Start of resolving, connecting or handshaking. */
  phaseStart = 0;
  /** Start of the request write (timings measure the first byte from here). */
  requestStart = 0;
  /** The last piece of the request handed to the socket: a body keeps the request alive while it moves. */
  lastWriteAt = 0;
  /** The end of the request write: the first-byte deadline counts from here once it is all written. */
  sentAt = 0;
  lastByteAt = 0;
  private timer: unknown = null;
  private timerAt = 0;

  constructor(private readonly clock: SteadyClock, private readonly timers: TimerHost, readonly timeouts: Timeouts) {
    this.startedAt = clock.now();
  }

  now(): number {
    return this.clock.now();
  }

  /** The deadline of the current state. */
  private stateDeadline(state: ExchangeState): number {
    const t = this.timeouts;
    switch (state) {
      case "resolving": // the lookup has its own deadline, as long as a connect's
      case "connecting":
        return this.phaseStart + t.connect;
      case "handshaking":
        return this.phaseStart + t.handshake;
      case "sending":
        // A long body may take longer than firstByte to write: it is given idle time per piece.
        return Math.max(this.requestStart + t.firstByte, this.lastWriteAt + t.idle);
      case "waiting":
        return this.sentAt + t.firstByte;
      case "receiving":
        return this.lastByteAt + t.idle;
      default:
        return Infinity;
    }
  }

  /** Sets the timer for the nearest deadline (kept when it is already set for it). */
  rearm(state: ExchangeState, onTimer: () => void): void {
    const deadline = Math.min(this.startedAt + this.timeouts.total, this.stateDeadline(state));
    if (this.timer !== null && this.timerAt === deadline) return;
    this.arm(Math.max(0, deadline - this.now()), onTimer);
    this.timerAt = deadline;
  }

  /** Sets the one timer to `ms` from now; the clock is brought to its due time when it fires. */
  arm(ms: number, callback: () => void): void {
    this.clear();
    const due = this.now() + ms;
    this.timerAt = NaN;
    this.timer = this.timers.set(() => {
      this.timer = null;
      this.clock.reach(due);
      callback();
    }, ms);
  }

  clear(): void {
    if (this.timer !== null) {
      this.timers.clear(this.timer);
      this.timer = null;
    }
  }

  /** When the timer fires: the timeout that passed, or null when bytes came since (wait on). */
  expired(state: ExchangeState): Failure | null {
    const now = this.now();
    const total = this.startedAt + this.timeouts.total;
    const phase = this.stateDeadline(state);
    if (now < total && now < phase) return null;
    const t = this.timeouts;
    if (phase <= total && now >= phase) {
      switch (state) {
        case "resolving":
          return { kind: "timeout", which: "dns", ms: t.connect };
        case "connecting":
          return { kind: "timeout", which: "connect", ms: t.connect };
        case "handshaking":
          return { kind: "timeout", which: "handshake", ms: t.handshake };
        case "receiving":
          return { kind: "timeout", which: "idle", ms: t.idle };
        default:
          return { kind: "timeout", which: "first-byte", ms: t.firstByte };
      }
    }
    return { kind: "timeout", which: "total", ms: t.total };
  }
}
