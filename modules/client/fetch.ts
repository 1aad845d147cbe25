/**
 * One fetch, from URL to result: its hops through redirects (one Exchange each), its one retry,
 * its deadlines, and its one `FetchResult`.
 *
 * - A reused connection that fails before any response byte had gone stale while idle: the
 *   request may be sent once more on a new connection (retry.ts says exactly when). A
 *   request that got response bytes is never sent again, nor one whose body may have reached the
 *   server.
 * - Whether and where a redirect goes is redirects.ts's.
 * - Every fetch ends in exactly one `FetchResult`, never a throw, never from within `fetch()`,
 *   never after `cancel()`; failures carry the diagnosis. A finished fetch leaves no timer set
 *   and no socket callback of its own behind (a closed socket keeps `closedCallback`, see io.ts).
 */
import { checkBodyOptions } from "./body";
import { clientCertificateDiagnosis } from "./client-cert";
import { Deadlines } from "./deadlines";
import { diagnose, Diagnosis, Failure, Phase } from "./diagnosis";
import { ClientContext, Exchange, ExchangeOwner } from "./exchange";
import type { FetchRequest, FetchResult, FetchTimings } from "./fetch-types";
import { encodeRequestWithBody, PreparedBody, prepareBody, RequestWriter } from "../http/body";
import { checkMethod, HeaderInput, RequestError, RequestMethod, RequestSpec } from "../http/request";
import type { ResponseHead } from "../http/response";
import { isRedirectHop, nextHop, unfollowableRedirect } from "./redirects";
import { staleRetry } from "./retry";
import { HttpUrl, parseUrl, redactedUrl, UrlError, withoutUserinfo } from "../http/url";

export class Fetch implements ExchangeOwner {
  readonly time: Deadlines;
  /** The current hop's exchange (null before the first). */
  private exchange: Exchange | null = null;
  private finished = false;
  private url: HttpUrl | null = null;
  private readonly visited: string[] = [];
  private redirects = 0;
  private retried = false;
  /** True while `fetch()` is still on the stack: a result then waits for a timer. */
  private starting = true;
  private cancelled = false;
  private method: RequestMethod = "GET";
  private headers: HeaderInput | undefined;
  /** The body, checked; null without one, or once a redirect turned the request into a GET. */
  private body: PreparedBody | null = null;
  /** Why the last failure was not retried, when a body was the reason (for the diagnosis). */
  private notRetried = "";

  constructor(readonly client: ClientContext, readonly request: FetchRequest, private readonly done: (r: FetchResult) => void) {
    this.time = new Deadlines(client.clock, client.options.timers, client.limits.timeouts);
    this.headers = request ? request.headers : undefined;
  }

  start(): void {
    try {
      if (!this.request || typeof this.request !== "object") throw new RequestError("REQUEST_BAD_TARGET", "the request must be an object with a url");
      this.method = checkMethod(this.request.method);
      checkBodyOptions(this.request);
      this.body = prepareBody(this.request.body);
      const url = parseUrl(this.request.url);
      this.url = url;
      this.encode(url); // check the headers and the body's framing now: bad input fails before any socket opens
      this.visited.push(url.href);
    } catch (e) {
      this.starting = false;
      this.finishLater(this.result(inputDiagnosis(e)));
      return;
    }
    this.time.arm(this.client.limits.timeouts.total, () => this.onTimer());
    this.hop(false);
    this.starting = false;
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.markDone();
    this.time.clear();
    this.dropConnection();
  }

  private encode(url: HttpUrl): Uint8Array {
    const spec: RequestSpec = { method: this.method, url, headers: this.headers, keepAlive: this.client.limits.maxIdle > 0 };
    if (this.client.options.userAgent !== undefined) spec.userAgent = this.client.options.userAgent;
    return encodeRequestWithBody(spec, this.body);
  }

  writer(url: HttpUrl): RequestWriter {
    return new RequestWriter(this.encode(url), this.body);
  }

  /** A new exchange for the current URL: on an idle connection unless `fresh`. */
  private hop(fresh: boolean): void {
    const url = this.url as HttpUrl;
    const exchange = new Exchange(this, url, this.method);
    this.exchange = exchange;
    exchange.begin(fresh ? null : this.client.pool.take(url.origin));
  }

  rearm(): void {
    this.time.rearm((this.exchange as Exchange).state, () => this.onTimer());
  }

  /** A complete response: follow its redirect, or finish. */
  responseComplete(): void {
    const exchange = this.exchange as Exchange;
    const head = exchange.head as ResponseHead;
    if (exchange.redirectHop) return this.redirect(head);
    const unfollowable = unfollowableRedirect(head, this.client.limits.maxRedirects);
    if (unfollowable) return this.failWith(unfollowable, head);
    // A status outside 100-599 is invalid; RFC 9110 section 15 says to handle it as a 5xx.
    if (head.status >= 400 || head.status < 100) {
      const f: Failure = { kind: "http-status", status: head.status, reason: head.reason };
      const retryAfter = head.headers.get("retry-after");
      if (retryAfter !== undefined) f.retryAfter = retryAfter;
      return this.failWith(diagnose(f), head);
    }
    this.finish(this.result(undefined, head));
  }

  private redirect(head: ResponseHead): void {
    const step = nextHop(this.url as HttpUrl, head, this.headers, {
      redirects: this.redirects,
      maxRedirects: this.client.limits.maxRedirects,
      visited: this.visited,
      allowHttpsToHttp: this.client.options.allowHttpsToHttpRedirect === true,
    }, { method: this.method, hasBody: this.body !== null, replayable: this.body === null || this.body.replayable });
    if (!isRedirectHop(step)) return this.failWith(step, head);
    this.headers = step.headers;
    this.method = step.method;
    if (step.dropBody) this.body = null;
    this.redirects++;
    this.visited.push(step.url.href);
    this.url = step.url;
    this.hop(false);
  }

  // --- failures ---

  /**
   * Ends the fetch with the diagnosis of `failure` (or retries it, see below). `detail` is appended
   * to the diagnosis's detail; `phase` replaces a phase the diagnosis could only guess.
   */
  fail(failure: Failure, detail?: string, phase?: Phase): void {
    if (this.finished || this.retryStale(failure)) return;
    const exchange = this.exchange;
    const mutual = exchange ? clientCertificateDiagnosis(failure, exchange.clientCertificateRequested, this.client.tls.secure.clientCertificates !== undefined) : undefined;
    const d = mutual ?? diagnose(failure, this.client.context((this.url as HttpUrl).host, (this.url as HttpUrl).port));
    if (detail !== undefined && detail !== "") d.detail = `${d.detail}: ${detail}`;
    if (phase !== undefined && d.phase === "tls-handshake") d.phase = phase;
    this.failWith(this.withRetryNote(d));
  }

  /** Says why a stale-looking failure was not retried, when the request's body was the reason. */
  private withRetryNote(d: Diagnosis): Diagnosis {
    if (this.notRetried !== "") d.detail = `${d.detail} (not sent again: ${this.notRetried})`;
    return d;
  }

  failWith(d: Diagnosis, head: ResponseHead | null = this.exchange ? this.exchange.head : null): void {
    if (this.finished) return;
    this.dropConnection();
    this.finish(this.result(d, head));
  }

  private dropConnection(): void {
    if (this.exchange) this.exchange.drop();
  }

  /** Sends the request once more on a new connection when the retry policy (retry.ts) says so. */
  private retryStale(failure: Failure): boolean {
    const exchange = this.exchange;
    if (!exchange) return false;
    const verdict = staleRetry(failure, {
      reused: exchange.reused,
      alreadyRetried: this.retried,
      responseStarted: exchange.firstByteAt >= 0,
      method: this.method,
      requestBytesWritten: exchange.requestBytesWritten,
    });
    if (!verdict.retry) {
      if (verdict.notRetried !== undefined) this.notRetried = verdict.notRetried;
      return false;
    }
    this.retried = true;
    exchange.drop();
    this.hop(true);
    return true;
  }

  private onTimer(): void {
    if (this.finished) return;
    const state = (this.exchange as Exchange).state;
    const failure = this.time.expired(state);
    if (!failure) return this.rearm(); // bytes came since: wait on
    if (this.retryStale(failure)) return;
    const d = diagnose(failure, this.client.context((this.url as HttpUrl).host, (this.url as HttpUrl).port));
    d.detail = `${d.detail} (${state})`;
    this.failWith(this.withRetryNote(d));
  }

  // --- the result ---

  private result(error: Diagnosis | undefined, head?: ResponseHead | null): FetchResult {
    const url = this.url;
    const exchange = this.exchange;
    const timings: FetchTimings = { total: this.time.now() - this.time.startedAt };
    if (exchange && !exchange.reused) {
      if (exchange.connectMs !== undefined) timings.connect = exchange.connectMs;
      if (exchange.tlsMs !== undefined) timings.tls = exchange.tlsMs;
    }
    if (exchange && exchange.firstByteAt >= 0) timings.ttfb = exchange.firstByteAt - this.time.requestStart;
    const body = exchange ? exchange.body : null;
    const r: FetchResult = {
      ok: error === undefined,
      url: this.visited.length ? this.visited[0] : redactedUrl(String(this.request && this.request.url)),
      finalUrl: url ? url.href : redactedUrl(String(this.request && this.request.url)),
      status: head ? head.status : 0,
      reason: head ? head.reason : "",
      bytes: body ? body.bytes : 0,
      timings,
      conn: !exchange || !exchange.opened ? "none" : exchange.reused ? "reused" : "new",
      redirects: this.redirects,
      retried: this.retried,
    };
    if (head) r.headers = head.headers;
    if (body && head) {
      const preview = body.previewText();
      if (preview !== undefined) r.preview = preview;
      const captured = body.captured();
      if (captured !== undefined) r.body = captured;
    }
    if (error) r.error = error;
    return r;
  }

  private markDone(): void {
    this.finished = true;
    if (this.exchange) this.exchange.state = "done";
  }

  private finish(result: FetchResult): void {
    if (this.starting) return this.finishLater(result);
    this.markDone();
    this.time.clear();
    this.deliver(result);
  }

  /** Delivers from a timer, so that `done` never runs inside fetch(). */
  private finishLater(result: FetchResult): void {
    this.markDone();
    this.time.arm(0, () => this.deliver(result));
  }

  private deliver(result: FetchResult): void {
    if (this.cancelled) return;
    try {
      this.done(result);
    } catch (e) {
      const log = this.client.options.log;
      if (log) log(`error fetch callback threw: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/** A diagnosis for input the fetch refused before sending anything. */
function inputDiagnosis(e: unknown): Diagnosis {
  if (e instanceof UrlError || e instanceof RequestError) {
    return { code: e.code, phase: "request", detail: withoutUserinfo(e.message), hint: e instanceof UrlError ? "fix the URL" : e.code.indexOf("REQUEST_BAD_BODY") === 0 || e.code === "REQUEST_BODY_NOT_ALLOWED" ? "fix the request body" : e.code === "REQUEST_BAD_METHOD" ? "fix the request method" : "fix the request headers" };
  }
  return { code: "REQUEST_INVALID", phase: "request", detail: withoutUserinfo(String(e instanceof Error ? e.message : e)), hint: "fix the request" };
}
