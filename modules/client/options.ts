/**
 * The client's options, their defaults, and their checks: a wrong setting is refused (ConfigError)
 * before any socket opens.
 */
import { ConfigError } from "../base/config-error";
import type { LogSink, SocketFactory, TimerHost } from "./io";
import type { ResponseLeniency, ResponseParserOptions } from "../http/response";
import type { TlsUserOptions } from "../tls/options";
import type { WarningSink } from "./warnings";

/** Deadlines, in milliseconds. Every one is bounded: there is no "wait forever". */
export interface Timeouts {
  /** From `connect(address, port)` to message 1; also the deadline of the DNS lookup before it (TIMEOUT_DNS). Default 10 s. */
  connect: number;
  /** From the TLS wrap to its message 1. An ESP32 handshake takes 1 to 3 s. Default 15 s. */
  handshake: number;
  /** From the start of the request write to the first response byte. Default 10 s. */
  firstByte: number;
  /** Longest gap between two response bytes once the response has started. Default 10 s. */
  idle: number;
  /** The whole fetch, redirects and the retry included. Default 30 s. */
  total: number;
}

/** The default deadlines: the engine's, and the firmware configuration's (app/config.ts). */
export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = Object.freeze({ connect: 10_000, handshake: 15_000, firstByte: 10_000, idle: 10_000, total: 30_000 });

/** The defaults of the other numeric options (see HttpClientOptions for why each). */
export const CLIENT_DEFAULTS = Object.freeze({ maxRedirects: 5, maxIdleConnections: 2, maxIdleMs: 90_000 });

export interface HttpClientOptions {
  sockets: SocketFactory;
  timers: TimerHost;
  /** TLS options for https (verification on by default); checked at construction. */
  tls?: TlsUserOptions;
  timeouts?: Partial<Timeouts>;
  /** Redirects followed per fetch; 0 returns the 3xx as the result. Default 5. */
  maxRedirects?: number;
  /** Follow a redirect from https to plain http. Default false: refused, because it is insecure. */
  allowHttpsToHttpRedirect?: boolean;
  /** Keep connections open for reuse. Default true. */
  keepAlive?: boolean;
  /** Idle connections kept (each TLS connection holds several KB of heap). Default 2. */
  maxIdleConnections?: number;
  /**
   * An idle connection older than this is closed instead of reused. Default 90 s: longer than the
   * loop's default 60 s interval and within common server keep-alive limits (nginx 75 s); a server
   * that closes sooner is noticed (-1 while idle), and one that vanished silently costs a
   * first-byte timeout and one retry.
   */
  maxIdleMs?: number;
  /** User-Agent header (default: this project's). */
  userAgent?: string;
  /** Limit for a response head. Default 8 KiB. */
  maxHeaderBytes?: number;
  /**
   * Response parser leniencies, all off by default (see modules/http/response-options.ts for the
   * RFC rule and the risk of each): turn one on only for a known server that needs it.
   */
  responseLeniency?: ResponseLeniency;
  /** Where TLS warnings (verification off, legacy version: once, or per connection) and callback errors go. */
  log?: LogSink;
  /** Receives each warning instead of `log` (the fetch loop uses it to format its lines). */
  onWarning?: WarningSink;
  /** The year the firmware was built: a clock before it is diagnosed as unset. */
  buildYear?: number;
}

/** The checked numbers of a client's options, defaults filled in. */
export interface ClientLimits {
  timeouts: Timeouts;
  maxRedirects: number;
  /** Idle connections kept; 0 when keep-alive is off. */
  maxIdle: number;
  maxIdleMs: number;
  /** What each connection's response parser is given: the head limit and the leniencies turned on. */
  parser: ResponseParserOptions;
}

function positiveNumber(option: string, value: unknown, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new ConfigError("CONFIG_BAD_VALUE", option, `must be a ${allowZero ? "non-negative" : "positive"} number, got ${String(value)}`);
  }
  return value;
}

/** Checks the options' shape (before anything else in them); throws ConfigError. */
export function checkClientOptions(options: HttpClientOptions): void {
  if (!options || typeof options !== "object") throw new ConfigError("CONFIG_BAD_OPTIONS", "client options", "must be an object");
  if (!options.sockets || !options.timers) throw new ConfigError("CONFIG_BAD_OPTIONS", "client options", "need sockets (a SocketFactory) and timers (a TimerHost)");
}

/** Checks the options' numbers and fills in the defaults; throws ConfigError. */
export function clientLimits(options: HttpClientOptions): ClientLimits {
  const t = options.timeouts ?? {};
  return {
    timeouts: {
      connect: positiveNumber("timeouts.connect", t.connect, DEFAULT_TIMEOUTS.connect),
      handshake: positiveNumber("timeouts.handshake", t.handshake, DEFAULT_TIMEOUTS.handshake),
      firstByte: positiveNumber("timeouts.firstByte", t.firstByte, DEFAULT_TIMEOUTS.firstByte),
      idle: positiveNumber("timeouts.idle", t.idle, DEFAULT_TIMEOUTS.idle),
      total: positiveNumber("timeouts.total", t.total, DEFAULT_TIMEOUTS.total),
    },
    maxRedirects: Math.floor(positiveNumber("maxRedirects", options.maxRedirects, CLIENT_DEFAULTS.maxRedirects, true)),
    maxIdle: options.keepAlive === false ? 0 : Math.floor(positiveNumber("maxIdleConnections", options.maxIdleConnections, CLIENT_DEFAULTS.maxIdleConnections, true)),
    maxIdleMs: positiveNumber("maxIdleMs", options.maxIdleMs, CLIENT_DEFAULTS.maxIdleMs),
    parser: parserOptions(options),
  };
}

const LENIENCIES = Object.freeze(["lenientLineEndings", "lenientChunkSizeWhitespace", "lenientChunkExtensions", "lenientTransferEncodingWithContentLength", "lenientDataAfterClose"] as const);

/** The leniencies of `responseLeniency` that are on (exactly `true`), by name. */
export function lenienciesOn(leniency: ResponseLeniency | undefined): string[] {
  const on: string[] = [];
  if (leniency) for (const name of LENIENCIES) if (leniency[name] === true) on.push(name);
  return on;
}

function parserOptions(options: HttpClientOptions): ResponseParserOptions {
  const out: ResponseParserOptions = {};
  if (options.maxHeaderBytes !== undefined) out.maxHeaderBytes = options.maxHeaderBytes;
  for (const name of lenienciesOn(options.responseLeniency)) out[name as (typeof LENIENCIES)[number]] = true;
  return out;
}
