/**
 * The shapes of a failure diagnosis, and the small helpers every rule table shares: what the
 * engine saw (`Failure`), what else it knows (`DiagnosisContext`), and the log-ready result
 * (`Diagnosis`). The rules live by concern: TLS error texts (diagnosis-tls.ts), HTTP results
 * (diagnosis-http.ts), transport failures and the dispatch (diagnosis.ts).
 */
import type { TlsVersionName } from "../tls/options";

/** Where in a fetch the failure happened. */
export type Phase = "dns" | "connect" | "tls-handshake" | "tls-record" | "request" | "response" | "timeout";

/** Which deadline expired. */
export type TimeoutKind = "dns" | "connect" | "handshake" | "first-byte" | "idle" | "total";

/** A redirect the engine refused to follow. */
export type RedirectProblem = "too-many" | "loop" | "downgrade" | "missing-location";

/** What the engine saw, one variant per kind of failure. */
export type Failure =
  /** An exception text captured from the TLS stack (or thrown by the SecureSocket constructor: phase "connect"). */
  | { kind: "tls-error"; text: string; phase?: "connect" | "tls-handshake" | "tls-record" }
  /** Socket message -2 with no text. */
  | { kind: "socket-error"; phase: Phase }
  /** Socket message -1. `tlsEstablished`: SecureSocket had reported message 1; `bytesReceived`: response bytes so far. */
  | { kind: "disconnect"; phase: Phase; tlsEstablished?: boolean; bytesReceived?: number }
  | { kind: "timeout"; which: TimeoutKind; ms?: number }
  /** The name did not resolve (the edge's resolver answered with no address). */
  | { kind: "dns"; host?: string }
  /** -2 with no TLS text on an established connection: the peer (or a middlebox) reset it. */
  | { kind: "reset"; phase: Phase }
  /** A parse error from the HTTP core (any code string; known ones get specific hints). */
  | { kind: "http-parse"; error: { code: string; offset: number; message?: string } }
  /** A complete response with status >= 400: a result, not a transport failure. */
  | { kind: "http-status"; status: number; reason?: string; retryAfter?: string }
  | { kind: "redirect"; problem: RedirectProblem; location?: string; count?: number; limit?: number };

/** What else the engine knows, used to tell similar failures apart and to write runnable hints. All optional. */
export interface DiagnosisContext {
  /** The TLS version offered (from buildSecureOptions). */
  offeredTls?: TlsVersionName;
  /** Whether certificate verification was on. */
  verify?: boolean;
  /** The device clock, ms since 1970 (Date.now()). */
  nowMs?: number;
  /** The year the firmware was built: a clock before it has not been set. */
  buildYear?: number;
  /** The host name connected to. */
  host?: string;
  /** The port connected to (default 443). */
  port?: number;
}

/** The log-ready result: stable code, phase, raw detail, one-line hint. */
export interface Diagnosis {
  code: string;
  phase: Phase;
  detail: string;
  hint: string;
}

/** A table lookup that ignores inherited names: codes come from outside ("__proto__" is a string too). */
export function own<T>(table: { readonly [key: string]: T }, key: string | number): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** `host:port` of the target as `openssl s_client -connect` takes it. */
export function hostPort(ctx: DiagnosisContext): string {
  return `${ctx.host ?? "<host>"}:${ctx.port ?? 443}`;
}

/** The probe command for this target, with its port when it is not 443. */
export function probeCommand(ctx: DiagnosisContext): string {
  const port = ctx.port !== undefined && ctx.port !== 443 ? `:${ctx.port}` : "";
  return `npm run probe -- https://${ctx.host ?? "<host>"}${port}`;
}

/** `openssl s_client` offering TLS 1.2 to this target, for comparing what the server does. */
export function sClient(ctx: DiagnosisContext, extra = ""): string {
  return `openssl s_client -connect ${hostPort(ctx)} -tls1_2${extra}`;
}

export function clockNotSet(ctx: DiagnosisContext): boolean {
  return ctx.nowMs !== undefined && ctx.buildYear !== undefined && ctx.nowMs < Date.UTC(ctx.buildYear, 0, 1);
}

export function deviceTime(ctx: DiagnosisContext): string {
  return ctx.nowMs === undefined ? "unknown" : new Date(ctx.nowMs).toISOString();
}

export function clockHint(ctx: DiagnosisContext): string {
  return `device clock is ${deviceTime(ctx)}, before the firmware build year ${ctx.buildYear}: certificate dates cannot be checked; set the time with SNTP before the first HTTPS request`;
}
