/**
 * The HTTP client: one GET or HEAD at a time per `fetch()`, from URL to result, over anything
 * shaped like Moddable's Socket/SecureSocket (io.ts), with time from the injected TimerHost.
 *
 * Where each part lives:
 * - options.ts: the options, their defaults and checks (a wrong setting throws ConfigError here,
 *   before any socket opens);
 * - fetch.ts: one fetch across redirects and its one retry, ending in exactly one FetchResult
 *   (fetch-types.ts), never a throw; exchange.ts: one request and response on one connection,
 *   with the deadlines of deadlines.ts; redirects.ts: the redirect policy; body.ts: preview,
 *   capture and body limits;
 * - pool.ts and connection.ts: keep-alive, an idle connection per origin kept and reused;
 * - warnings.ts: warnings about weakened settings, given when connections open;
 * - diagnosis.ts: what a failure means and what to do about it.
 */
import { SteadyClock, steadyClock } from "./clock";
import type { DiagnosisContext } from "./diagnosis";
import type { ClientContext } from "./exchange";
import { Fetch } from "./fetch";
import type { FetchHandle, FetchRequest, FetchResult } from "./fetch-types";
import { checkClientOptions, ClientLimits, clientLimits, HttpClientOptions, lenienciesOn, Timeouts } from "./options";
import { IdlePool } from "./pool";
import { ConnectionWarnings, EngineWarning, WarningSink } from "./warnings";
import { buildSecureOptions, SecureOptions } from "../tls/options";

export class HttpClient implements ClientContext {
  /** The validated TLS options: `tls.registerCertificates` are for the device edge to register. */
  readonly tls: SecureOptions;
  readonly timeouts: Timeouts;
  /** @internal */ readonly limits: ClientLimits;
  /** @internal */ readonly pool: IdlePool;
  /** @internal What fetches read of the options given: sockets, timers, log, userAgent, redirect opt-in, buildYear. */
  readonly options: HttpClientOptions;
  /** @internal Time for deadlines and durations: never runs backwards (see clock.ts). */
  readonly clock: SteadyClock;
  /** Receives warnings; defaults to a text line on `log`. */
  onWarning: WarningSink | undefined;
  /** TLS option warnings, and the insecure opt-ins of the client itself. */
  private readonly warnings: ConnectionWarnings;

  /** Throws ConfigError for bad options: a wrong setting is refused before any socket opens. */
  constructor(options: HttpClientOptions) {
    checkClientOptions(options);
    // Only what later fetches read: the caller's object, with its TLS options and CA list, is
    // not kept alive by the client (on the device it would stay in the heap for the whole run).
    const kept: HttpClientOptions = { sockets: options.sockets, timers: options.timers };
    if (options.allowHttpsToHttpRedirect !== undefined) kept.allowHttpsToHttpRedirect = options.allowHttpsToHttpRedirect;
    if (options.userAgent !== undefined) kept.userAgent = options.userAgent;
    if (options.log !== undefined) kept.log = options.log;
    if (options.buildYear !== undefined) kept.buildYear = options.buildYear;
    this.options = kept;
    this.tls = buildSecureOptions(options.tls);
    this.limits = clientLimits(options);
    this.timeouts = this.limits.timeouts;
    this.onWarning = options.onWarning;
    const warnings: EngineWarning[] = this.tls.warnings.slice();
    if (options.allowHttpsToHttpRedirect === true) {
      warnings.push({
        code: "REDIRECT_DOWNGRADE_ALLOWED",
        message: "allowHttpsToHttpRedirect is on: a server (or anyone able to alter its redirect) can move a request, headers included, to unencrypted http",
        everyConnection: false,
      });
    }
    const lenient = lenienciesOn(options.responseLeniency);
    if (lenient.length > 0) {
      warnings.push({
        code: "RESPONSE_LENIENCY_ON",
        message: `the response parser accepts what RFC 9112 lets it refuse (${lenient.join(", ")}): malformed framing from a server or a path is taken as it comes`,
        everyConnection: false,
      });
    }
    this.warnings = new ConnectionWarnings(warnings);
    this.clock = steadyClock(options.timers);
    this.pool = new IdlePool(this.clock, this.limits.maxIdle, this.limits.maxIdleMs);
  }

  /**
   * Starts a fetch. `done` gets exactly one result, never from within this call, and never after
   * `cancel()`. Bad input (URL, headers) becomes an error result too.
   */
  fetch(request: FetchRequest, done: (result: FetchResult) => void): FetchHandle {
    const fetch = new Fetch(this, request, done);
    fetch.start();
    return { cancel: () => fetch.cancel() };
  }

  /** Idle connections held for reuse. */
  get idleConnections(): number {
    return this.pool.size;
  }

  /** Closes every idle connection (for example before Wi-Fi goes down or the loop stops). */
  closeIdle(): void {
    this.pool.closeAll();
  }

  /** @internal Warnings for a new connection (see ConnectionWarnings). */
  warn(host: string, tls: boolean): void {
    this.warnings.give(host, tls, this.onWarning, this.options.log);
  }

  /** @internal */
  context(host: string, port?: number): DiagnosisContext {
    const ctx: DiagnosisContext = {
      offeredTls: this.tls.tls,
      verify: this.tls.secure.verify,
      nowMs: this.options.timers.now(),
      host,
    };
    if (port !== undefined) ctx.port = port;
    if (this.options.buildYear !== undefined) ctx.buildYear = this.options.buildYear;
    return ctx;
  }
}
