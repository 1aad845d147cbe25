/**
 * Per-target statistics of the fetch loop, in bounded memory: counters, failures by code, and the
 * latency of the last successful fetches in a fixed-size window.
 */
import type { FetchResult } from "../client/fetch-types";

export interface LatencySummary {
  /** Samples in the window (at most the window size). */
  samples: number;
  min: number;
  median: number;
  max: number;
}

/** A plain-data snapshot of one target's statistics. */
export interface TargetStatsSnapshot {
  /** The target as logged (query redacted). */
  label: string;
  fetches: number;
  successes: number;
  failures: number;
  /** Failure count per diagnosis code, in the order the codes first appeared. */
  failuresByCode: { [code: string]: number };
  /** Status of the last response (0: the last fetch got none). */
  lastStatus: number;
  /** Code of the last failure, "" when the last fetch succeeded or none ran. */
  lastError: string;
  /** Consecutive failures up to now (the backoff step). */
  failureStreak: number;
  /** Body bytes of every fetch. */
  bytes: number;
  /** Total ms of successful fetches over the window; null before the first success. */
  latency: LatencySummary | null;
  /** Connections opened for this target vs reused from the keep-alive pool. */
  connectionsOpened: number;
  connectionsReused: number;
  redirects: number;
  /** Requests sent again after a stale keep-alive connection. */
  retries: number;
}

export const DEFAULT_LATENCY_WINDOW = 16;

export class TargetStats {
  fetches = 0;
  successes = 0;
  failures = 0;
  lastStatus = 0;
  lastError = "";
  failureStreak = 0;
  bytes = 0;
  connectionsOpened = 0;
  connectionsReused = 0;
  redirects = 0;
  retries = 0;
  /** Failures by code, in first-seen order (codes are names, so keys keep insertion order); made at the first failure. */
  private byCode: { [code: string]: number } | null = null;
  /** The last `windowSize` durations, a ring; made at the first success, then its size for good (the heap stays flat). */
  private window: Float64Array | null = null;
  private samples = 0;
  private next = 0;

  constructor(readonly label: string, private readonly windowSize = DEFAULT_LATENCY_WINDOW) {
    if (!(Number.isInteger(windowSize) && windowSize > 0)) throw new RangeError(`latency window must be a positive integer, got ${windowSize}`);
  }

  record(result: FetchResult): void {
    this.fetches++;
    this.bytes += result.bytes;
    this.lastStatus = result.status;
    this.redirects += result.redirects;
    // A retried fetch first reused a stale connection, then opened a new one.
    if (result.retried) {
      this.retries++;
      this.connectionsReused++;
    }
    if (result.conn === "new") this.connectionsOpened++;
    else if (result.conn === "reused") this.connectionsReused++;
    if (result.ok) {
      this.successes++;
      this.failureStreak = 0;
      this.lastError = "";
      if (this.window === null) this.window = new Float64Array(this.windowSize);
      this.window[this.next] = result.timings.total;
      this.next = (this.next + 1) % this.windowSize;
      if (this.samples < this.windowSize) this.samples++;
      return;
    }
    this.failures++;
    this.failureStreak++;
    const code = result.error ? result.error.code : "UNKNOWN";
    this.lastError = code;
    if (this.byCode === null) this.byCode = {};
    this.byCode[code] = (this.byCode[code] ?? 0) + 1;
  }

  latency(): LatencySummary | null {
    const n = this.samples;
    if (n === 0 || this.window === null) return null;
    // Until the ring is full, the samples are its first n entries. A typed array sorts numerically.
    const sorted = this.window.slice(0, n).sort();
    const median = n % 2 ? sorted[(n - 1) / 2] : Math.round((sorted[n / 2 - 1] + sorted[n / 2]) / 2);
    return { samples: n, min: sorted[0], median, max: sorted[n - 1] };
  }

  snapshot(): TargetStatsSnapshot {
    const failuresByCode: { [code: string]: number } = {};
    if (this.byCode !== null) for (const c of Object.keys(this.byCode)) failuresByCode[c] = this.byCode[c];
    return {
      label: this.label,
      fetches: this.fetches,
      successes: this.successes,
      failures: this.failures,
      failuresByCode,
      lastStatus: this.lastStatus,
      lastError: this.lastError,
      failureStreak: this.failureStreak,
      bytes: this.bytes,
      latency: this.latency(),
      connectionsOpened: this.connectionsOpened,
      connectionsReused: this.connectionsReused,
      redirects: this.redirects,
      retries: this.retries,
    };
  }
}
