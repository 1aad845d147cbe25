/**
 * What the app's start-up and connectivity policy (app.ts) needs from the device: modules/device
 * supplies it on the firmware, host/ on the host simulator, and tests fake it.
 */
import type { FetchResult } from "../client/fetch-types";
import type { LogSink, SocketFactory, TimerHost } from "../client/io";
import type { DerInput } from "../tls/options";

/** Wi-Fi notifications, as Moddable's `wifi` module names them. */
export type WifiMessage = "connect" | "gotIP" | "lostIP" | "disconnect";

/** Memory figures in bytes, each present only where the build exposes it. */
export interface MemorySnapshot {
  systemFree?: number;
  /** XS's chunk and slot heaps (a device or SDK-simulator debug build). */
  chunkUsed?: number;
  slotUsed?: number;
  /** The host simulator's JavaScript heap (Node's): not an XS figure, so it has its own name. */
  hostHeapUsed?: number;
  /** The largest chunk + slot sample since the last snapshot, garbage included (see `sampleHeap`). */
  peakUsed?: number;
}

/** Everything the policy needs from the device (modules/device supplies it; tests fake it). */
export interface DeviceHooks {
  log: LogSink;
  timers: TimerHost;
  sockets: SocketFactory;
  /** The raw `mc/config` object. */
  config: Readonly<Record<string, unknown>>;
  /** The text of an embedded resource, or undefined when no resource has that name. */
  readResource(name: string): string | undefined;
  /** Registers one trusted CA (DER) for every TLS connection. */
  registerCa(der: DerInput): void;
  /** Starts joining the network (called once); Wi-Fi messages go to `onMessage`. */
  joinWifi(ssid: string, password: string, onMessage: (message: WifiMessage) => void): void;
  /** Asks to join again after a drop. */
  rejoinWifi(): void;
  /** The address once there is one (for the log). */
  address?(): string | undefined;
  /** One SNTP request: `done(seconds)` with Unix time, or `done(undefined, reason)`. May never call back. */
  requestTime(host: string, done: (seconds: number | undefined, reason?: string) => void): void;
  /** Sets the device clock, in seconds since 1970. */
  setTime(seconds: number): void;
  /** Free memory now; Debug.gc() first where available, so the figures are live data. */
  memory?(): MemorySnapshot;
  /**
   * Samples the XS heap every `periodMs` from now on, so that `memory()` also gives the largest
   * sample since the last snapshot (a handshake's peak falls between two snapshots). Only asked for
   * when the configuration sets heapSample: a timer this frequent costs CPU on a device.
   */
  sampleHeap?(periodMs: number): void;
  /** Each fetch's result once it is logged (the host simulator counts them). */
  onFetch?(result: FetchResult): void;
  /**
   * How to change a configuration key where this runs, for the line after a configuration error
   * (default: the firmware's, an mcconfig key=value and a rebuild; the host simulator has flags).
   */
  configAdvice?: string;
}
