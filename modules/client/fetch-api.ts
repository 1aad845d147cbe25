/**
 * A `fetch()` over the engine, in the shape JavaScript developers know (and the SDK's ECMA-419
 * `examples/io/tcp/fetch` follows): `fetch(url, {method, headers, body})` returns a promise of a
 * Response with `status`, `ok`, `headers.get()`, `text()`, `json()` and `arrayBuffer()`, with
 * this client's deadlines, redirect rules, keep-alive and decoded errors.
 *
 * Where it differs from the web's fetch, because of the device:
 * - The promise settles once the whole response has arrived. The body is kept in memory only up
 *   to `maxBodyBytes` (default 16 KB; more fails with BODY_TOO_LARGE). A larger body is read piece
 *   by piece with `onBody`, and is then not kept at all (`text()` and the others reject).
 * - A request body can be a stream, `{ length?, read(max) }`, read only as fast as the socket
 *   takes it: data larger than the heap can be sent (see body.ts).
 * - A failure without a response (DNS, TCP, TLS, timeout, a broken response) rejects with a
 *   FetchError carrying the diagnosis (`code`, `phase`, `detail`, `hint`). An HTTP error status
 *   is a response, as on the web: `ok` is false and the promise resolves.
 */
import { utf8 } from "../base/bytes";
import type { Diagnosis } from "./diagnosis";
import type { FetchHandle, FetchRequest, FetchResult } from "./fetch-types";
import type { HeaderList } from "../http/headers";
import type { RequestBody } from "../http/body";
import type { HeaderInput, RequestMethod } from "../http/request";

/** The default in-memory body limit of `fetch()`, in bytes. */
export const FETCH_DEFAULT_MAX_BODY_BYTES = 16384;

export interface FetchInit {
  /** GET (default), HEAD, POST, PUT, PATCH or DELETE. */
  method?: RequestMethod;
  /** Request header fields; secret ones (Authorization, Cookie...) never reach a log. */
  headers?: HeaderInput;
  /** Text (sent as UTF-8), bytes, or a stream `{ length?, read(max) }`. Not with GET or HEAD. */
  body?: RequestBody;
  /** Keep at most this many body bytes for text()/json()/arrayBuffer() (default 16 KB, at most 16 KB). */
  maxBodyBytes?: number;
  /** Each body piece as it arrives (a view valid only during the call); the body is then not kept. */
  onBody?: (piece: Uint8Array) => void;
  /** Called with a function that cancels the fetch (its promise then rejects with code CANCELLED). */
  onCancel?: (cancel: () => void) => void;
}

/** A failure without a usable response; the fields are the engine's diagnosis. */
export class FetchError extends Error {
  override readonly name = "FetchError";
  readonly code: string;
  readonly phase: string;
  readonly detail: string;
  readonly hint: string;
  constructor(d: Diagnosis) {
    super(`${d.code}: ${d.detail}`);
    this.code = d.code;
    this.phase = d.phase;
    this.detail = d.detail;
    this.hint = d.hint;
  }
}

/** The response of `fetch()`. */
export class FetchResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  /** The final URL (after redirects). */
  readonly url: string;
  readonly redirected: boolean;
  /** Header fields: `get(name)` (values of repeated fields joined by ", "), `has`, `getAll`, `entries()`. */
  readonly headers: HeaderList;
  /** The whole result: timings, connection reuse, retries, and the diagnosis of an error status. */
  readonly result: FetchResult;
  private readonly data: Uint8Array | null;
  private used = false;

  /** @internal */
  constructor(result: FetchResult, data: Uint8Array | null) {
    this.result = result;
    this.ok = result.status >= 200 && result.status < 300;
    this.status = result.status;
    this.statusText = result.reason;
    this.url = result.finalUrl;
    this.redirected = result.redirects > 0;
    this.headers = result.headers as HeaderList;
    this.data = data;
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  /** The body's bytes (a copy). */
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.take().then((b) => b.slice().buffer as ArrayBuffer);
  }

  /** The body as UTF-8 text. */
  text(): Promise<string> {
    return this.take().then((b) => utf8(b));
  }

  /** The body parsed as JSON. */
  json(): Promise<unknown> {
    return this.text().then((t) => JSON.parse(t) as unknown);
  }

  private take(): Promise<Uint8Array> {
    if (this.used) return Promise.reject(new TypeError("the body has already been read"));
    this.used = true;
    if (!this.data) return Promise.reject(new TypeError("the body was handed to onBody and not kept"));
    return Promise.resolve(this.data);
  }
}

/** What `createFetch` needs of a client: HttpClient has it. */
export interface FetchEngine {
  fetch(request: FetchRequest, done: (result: FetchResult) => void): FetchHandle;
}

export type FetchFunction = (url: string, init?: FetchInit) => Promise<FetchResponse>;

/** Whether a failed result still carries a whole response (an HTTP error status), or none. */
function isHttpStatus(result: FetchResult): boolean {
  return result.status >= 400 && result.error !== undefined && result.error.code.indexOf("HTTP_STATUS_") === 0;
}

/** A `fetch()` bound to a client. */
export function createFetch(client: FetchEngine): FetchFunction {
  return (url, init = {}) => new Promise<FetchResponse>((resolve, reject) => {
    const streamed = typeof init.onBody === "function";
    const limit = init.maxBodyBytes ?? FETCH_DEFAULT_MAX_BODY_BYTES;
    if (!(typeof limit === "number" && limit >= 0 && limit <= FETCH_DEFAULT_MAX_BODY_BYTES)) {
      return reject(new RangeError(`maxBodyBytes must be from 0 to ${FETCH_DEFAULT_MAX_BODY_BYTES}; read larger bodies with onBody`));
    }
    const request: FetchRequest = { url, method: init.method, headers: init.headers, body: init.body };
    if (streamed) request.onBody = init.onBody;
    else {
      request.captureBytes = limit;
      request.maxBodyBytes = limit;
    }
    let cancelled = false;
    const handle = client.fetch(request, (result) => {
      if (result.status > 0 && (result.ok || isHttpStatus(result))) {
        return resolve(new FetchResponse(result, streamed ? null : result.body ?? new Uint8Array(0)));
      }
      reject(new FetchError(result.error ?? { code: "FETCH_FAILED", phase: "response", detail: `status ${result.status}`, hint: "" }));
    });
    if (init.onCancel) {
      init.onCancel(() => {
        if (cancelled) return;
        cancelled = true;
        handle.cancel();
        reject(new FetchError({ code: "CANCELLED", phase: "request", detail: "the fetch was cancelled", hint: "" }));
      });
    }
  });
}
