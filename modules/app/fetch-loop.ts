/**
 * The fetch loop: fetches each target again and again, one fetch at a time, and logs every fetch.
 *
 * - Each target has its own schedule: after a success its next fetch is due `intervalMs` later;
 *   after failures it backs off exponentially (`baseMs * factor^(n-1)`, with jitter, capped at
 *   `maxMs`; a 429/503 Retry-After in seconds is honoured up to the cap); a success resets it.
 *   The loop runs the target that is due first (ties: the one that waited longest).
 * - `pause()` (Wi-Fi down): no new fetch starts; a fetch under way finishes and is counted; idle
 *   connections are closed. `resume()`: every target is due at once. `stop()`: cancels the fetch
 *   under way and leaves no timer or socket behind.
 * - One log line per fetch, a summary per target every `summaryEvery` fetches, text or JSON lines
 *   (log-format.ts); never a secret.
 * - Jitter comes from the injected `random` so tests are deterministic. All time is the TimerHost's.
 */
import { SteadyClock, steadyClock } from "../client/clock";
import { ConfigError } from "../base/config-error";
import type { FetchHandle, FetchResult } from "../client/fetch-types";
import type { HttpClient } from "../client/http-client";
import { encodeRequestWithBody, prepareBody, RequestBody } from "../http/body";
import { HeaderInput, RequestError, RequestMethod } from "../http/request";
import type { LogSink, TimerHost } from "../client/io";
import { formatEvent, formatFetch, formatSummary, formatTarget, formatWarning, LogFormat, logUrl } from "./log-format";
import { DEFAULT_LATENCY_WINDOW, TargetStats, TargetStatsSnapshot } from "./stats";
import { HttpUrl, parseUrl, UrlError, withoutUserinfo } from "../http/url";

export interface LoopTarget {
  url: string;
  method?: RequestMethod;
  /** Request headers; secret values (Authorization...) are never logged. */
  headers?: HeaderInput;
  /** The request body (text or bytes: sent again on every fetch, so not a stream). */
  body?: string | Uint8Array;
  /** How the target appears in logs. Default: the URL with its query shown as `?…`. */
  label?: string;
  /** Fail a body larger than this (BODY_TOO_LARGE). Default: no limit (the body is only counted). */
  maxBodyBytes?: number;
}

export interface BackoffOptions {
  /** First delay after a failure. Default: `intervalMs`. */
  baseMs?: number;
  /** Growth per consecutive failure. Default 2. */
  factor?: number;
  /** Largest delay, jitter included. Default: the larger of 10 minutes and `intervalMs`. */
  maxMs?: number;
  /** Spread, 0..1: the delay is scaled by a random factor in [1 - jitter, 1 + jitter]. Default 0.2. */
  jitter?: number;
}

export interface FetchLoopOptions {
  client: HttpClient;
  timers: TimerHost;
  log: LogSink;
  targets: (string | LoopTarget)[];
  /** Time from the end of a successful fetch of a target to its next fetch. Default 60 s. */
  intervalMs?: number;
  backoff?: BackoffOptions;
  /** Random numbers in [0, 1) for the jitter. Default Math.random. */
  random?: () => number;
  /** A summary per target every N fetches; 0 for none. Default 10. */
  summaryEvery?: number;
  /** "text" (default) or "json" lines. */
  format?: LogFormat;
  /** Show the first N body bytes in each fetch line (capped at 256). Default 0. */
  previewBytes?: number;
  /** Latency window per target (successful fetches). Default 16. */
  latencyWindow?: number;
  /** Header names whose values are never logged, beyond the built-in secret ones. */
  secretHeaders?: string[];
  /** Called after each fetch is logged (for a display or the host simulator). */
  onResult?: (result: FetchResult, target: number, stats: TargetStatsSnapshot) => void;
}

interface Target {
  spec: LoopTarget;
  label: string;
  stats: TargetStats;
  /** When its next fetch is due (TimerHost time). */
  due: number;
  /** When it last started a fetch (ties go to the one that waited longest). */
  lastRun: number;
}

function option(name: string, value: unknown, fallback: number, min: number, max = Infinity): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value >= min && value <= max)) {
    throw new ConfigError("CONFIG_BAD_VALUE", name, `must be a number from ${min}${max === Infinity ? " up" : ` to ${max}`}, got ${String(value)}`);
  }
  return value;
}

export class FetchLoop {
  private readonly client: HttpClient;
  private readonly timers: TimerHost;
  private readonly log: LogSink;
  private readonly targets: Target[];
  private readonly format: LogFormat;
  private readonly intervalMs: number;
  private readonly baseMs: number;
  private readonly factor: number;
  private readonly maxMs: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private readonly summaryEvery: number;
  private readonly previewBytes: number;
  private readonly onResult: FetchLoopOptions["onResult"];
  private readonly secretHeaders: string[];
  private timer: unknown = null;
  private inFlight: FetchHandle | null = null;
  private running = false;
  private pausedFlag = false;
  private count = 0;
  /** Time for the schedule: never runs backwards (see clock.ts). */
  private readonly clock: SteadyClock;

  /** Throws ConfigError for bad options or a target URL that cannot be fetched: refused at start-up. */
  constructor(options: FetchLoopOptions) {
    if (!options || !options.client || !options.timers || typeof options.log !== "function") {
      throw new ConfigError("CONFIG_BAD_OPTIONS", "loop options", "need client, timers and log");
    }
    this.client = options.client;
    this.timers = options.timers;
    this.log = options.log;
    this.clock = steadyClock(options.timers);
    this.format = options.format ?? "text";
    if (this.format !== "text" && this.format !== "json") throw new ConfigError("CONFIG_BAD_VALUE", "format", `must be "text" or "json", got ${String(this.format)}`);
    this.intervalMs = option("intervalMs", options.intervalMs, 60000, 1);
    const b = options.backoff ?? {};
    this.baseMs = option("backoff.baseMs", b.baseMs, this.intervalMs, 1);
    this.factor = option("backoff.factor", b.factor, 2, 1);
    this.maxMs = option("backoff.maxMs", b.maxMs, Math.max(600000, this.intervalMs), this.baseMs);
    this.jitter = option("backoff.jitter", b.jitter, 0.2, 0, 1);
    this.random = options.random ?? Math.random;
    this.summaryEvery = Math.floor(option("summaryEvery", options.summaryEvery, 10, 0));
    this.previewBytes = Math.floor(option("previewBytes", options.previewBytes, 0, 0, 256));
    const windowSize = Math.floor(option("latencyWindow", options.latencyWindow, DEFAULT_LATENCY_WINDOW, 1, 1024));
    this.onResult = options.onResult;
    this.secretHeaders = options.secretHeaders ?? [];
    if (!Array.isArray(options.targets) || options.targets.length === 0) {
      throw new ConfigError("CONFIG_BAD_VALUE", "targets", "must list at least one URL");
    }
    this.targets = options.targets.map((t, i) => {
      const spec: LoopTarget = typeof t === "string" ? { url: t } : t;
      const name = `targets[${i}]`;
      if (!spec || typeof spec.url !== "string") throw new ConfigError("CONFIG_BAD_TYPE", name, "must be a URL string or { url }");
      let url: HttpUrl;
      try {
        url = parseUrl(spec.url);
      } catch (e) {
        const message = withoutUserinfo(e instanceof Error ? e.message : String(e));
        throw new ConfigError("CONFIG_BAD_VALUE", `${name}.url`, `${e instanceof UrlError ? `${e.code}: ` : ""}${message}`);
      }
      try {
        // The same checks the engine makes, at start-up: a bad method, header or body is a configuration error.
        if (spec.body !== undefined && typeof spec.body !== "string" && !(spec.body instanceof Uint8Array)) throw new RequestError("REQUEST_BAD_BODY", "a loop target's body is text or bytes (it is sent again on every fetch)");
        encodeRequestWithBody({ method: spec.method, url, headers: spec.headers }, prepareBody(spec.body));
      } catch (e) {
        const code = e instanceof RequestError ? e.code : "";
        const option = code === "REQUEST_BAD_METHOD" ? `${name}.method` : code === "REQUEST_BAD_BODY" || code.indexOf("REQUEST_BODY") === 0 ? `${name}.body` : `${name}.headers`;
        throw new ConfigError("CONFIG_BAD_VALUE", option, `${e instanceof RequestError ? `${e.code}: ` : ""}${e instanceof Error ? e.message : String(e)}`);
      }
      const href = url.href;
      const label = spec.label ?? logUrl(href);
      return { spec, label, stats: new TargetStats(label, windowSize), due: 0, lastRun: -Infinity };
    });
    if (!this.client.onWarning) this.client.onWarning = (w, host) => this.emit(formatWarning(this.format, w, host));
  }

  /** Starts fetching (every target is due at once). Does nothing when already running. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const now = this.clock.now();
    this.targets.forEach((t, i) => {
      t.due = now;
      this.emit(formatTarget(this.format, i + 1, t.label, t.spec.method ?? "GET", this.intervalMs, t.spec.headers, this.secretHeaders));
    });
    this.emit(formatEvent(this.format, "started", { targets: this.targets.length }));
    this.schedule();
  }

  /** No new fetch until `resume()` (for example while Wi-Fi is down); a fetch under way finishes and counts. */
  pause(): void {
    if (!this.running || this.pausedFlag) return;
    this.pausedFlag = true;
    this.clearTimer();
    this.client.closeIdle();
    this.emit(formatEvent(this.format, "paused", { fetches: this.count }));
  }

  /** Fetching again: every target is due at once (its failure streak, and so its backoff, stays). */
  resume(): void {
    if (!this.running || !this.pausedFlag) return;
    this.pausedFlag = false;
    const now = this.clock.now();
    for (const t of this.targets) t.due = now;
    this.emit(formatEvent(this.format, "resumed"));
    this.schedule();
  }

  /** Stops for good: cancels the fetch under way (it is not counted), closes connections, clears the timer. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.pausedFlag = false;
    this.clearTimer();
    if (this.inFlight) {
      this.inFlight.cancel();
      this.inFlight = null;
    }
    this.client.closeIdle();
    this.emit(formatEvent(this.format, "stopped", { fetches: this.count }));
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  get active(): boolean {
    return this.running;
  }

  /** Fetches finished so far. */
  get fetches(): number {
    return this.count;
  }

  /** Statistics of every target, as plain data. */
  stats(): TargetStatsSnapshot[] {
    return this.targets.map((t) => t.stats.snapshot());
  }

  /** The delay after the n-th consecutive failure (n >= 1), jittered and capped. */
  backoffDelay(failures: number, retryAfterMs = 0): number {
    const raw = this.baseMs * Math.pow(this.factor, Math.max(0, failures - 1));
    const spread = 1 - this.jitter + 2 * this.jitter * this.random();
    const delay = Math.min(this.maxMs, Math.max(retryAfterMs, Math.round(Math.min(raw, this.maxMs) * spread)));
    return delay < 0 ? 0 : delay;
  }

  private schedule(): void {
    if (!this.running || this.pausedFlag || this.inFlight || this.timer !== null) return;
    let next: Target | null = null;
    for (const t of this.targets) {
      if (!next || t.due < next.due || (t.due === next.due && t.lastRun < next.lastRun)) next = t;
    }
    const target = next as Target;
    const wait = Math.max(0, target.due - this.clock.now());
    this.timer = this.timers.set(() => {
      this.timer = null;
      this.clock.reach(target.due);
      this.run(target);
    }, wait);
  }

  private run(target: Target): void {
    if (!this.running || this.pausedFlag) return;
    target.lastRun = this.clock.now();
    const spec = target.spec;
    try {
      this.inFlight = this.client.fetch(
        { url: spec.url, method: spec.method, headers: spec.headers, body: spec.body as RequestBody | undefined, previewBytes: this.previewBytes, maxBodyBytes: spec.maxBodyBytes },
        (result) => this.finished(target, result),
      );
    } catch (e) {
      // The engine turns every failure into a result; should it ever throw, the loop goes on.
      this.emit(formatEvent(this.format, "error", { in: "fetch", message: e instanceof Error ? e.message : String(e) }));
      target.due = this.clock.now() + this.backoffDelay(target.stats.failureStreak + 1);
      this.schedule();
    }
  }

  private finished(target: Target, result: FetchResult): void {
    this.inFlight = null;
    this.count++;
    // Paused means the network is going away: do not keep the connection this fetch used.
    if (this.pausedFlag) this.client.closeIdle();
    target.stats.record(result);
    const now = this.clock.now();
    let retryIn: number | undefined;
    if (result.ok) target.due = now + this.intervalMs;
    else {
      retryIn = this.backoffDelay(target.stats.failureStreak, retryAfterMs(result));
      target.due = now + retryIn;
    }
    this.emit(formatFetch(this.format, this.count, target.label, result, retryIn === undefined ? {} : { retryInMs: retryIn }));
    if (this.summaryEvery > 0 && this.count % this.summaryEvery === 0) {
      for (const t of this.targets) this.emit(formatSummary(this.format, t.stats.snapshot()));
    }
    if (this.onResult) {
      try {
        this.onResult(result, this.targets.indexOf(target), target.stats.snapshot());
      } catch (e) {
        this.emit(formatEvent(this.format, "error", { in: "onResult", message: e instanceof Error ? e.message : String(e) }));
      }
    }
    this.schedule();
  }

  private clearTimer(): void {
    if (this.timer !== null) {
      this.timers.clear(this.timer);
      this.timer = null;
    }
  }

  private emit(line: string): void {
    try {
      this.log(line);
    } catch {
      // A failing log sink must not stop the loop.
    }
  }
}

/**
 * Retry-After in delta-seconds on a 429 or 503, in ms; 0 when absent or an HTTP date. Any number
 * of digits counts: a huge value is a long wait (Infinity), which the backoff caps at its ceiling,
 * rather than one ignored.
 */
function retryAfterMs(result: FetchResult): number {
  if (result.status !== 429 && result.status !== 503) return 0;
  const v = result.headers ? result.headers.get("retry-after") : undefined;
  return v !== undefined && /^\d+$/.test(v.trim()) ? Number(v.trim()) * 1000 : 0;
}
