/**
 * What a fetch is asked for and what it answers: the request, the result with its timings, and
 * the handle that cancels it. Types only: the engine that fills them is exchange.ts.
 */
import type { Diagnosis } from "./diagnosis";
import type { HeaderList } from "../http/headers";
import type { RequestBody } from "../http/body";
import type { HeaderInput, RequestMethod } from "../http/request";

export interface FetchRequest {
  url: string;
  method?: RequestMethod;
  /** Extra request headers; secret ones (Authorization...) never reach a log. */
  headers?: HeaderInput;
  /**
   * The request body (not with GET or HEAD): text (UTF-8), bytes, or a stream `{ length?, read(max) }`
   * read piece by piece as the socket takes it. A stream is never sent twice: no stale-connection
   * retry once it was read, no 307/308 re-send (REDIRECT_BODY_NOT_REPLAYABLE).
   */
  body?: RequestBody;
  /** Keep the first N body bytes as text in `result.preview` (capped at MAX_PREVIEW_BYTES). */
  previewBytes?: number;
  /** Keep the first N body bytes in `result.body` (capped at MAX_CAPTURE_BYTES). */
  captureBytes?: number;
  /** Fail with BODY_TOO_LARGE (and close) when the body grows beyond this. Default: no limit. */
  maxBodyBytes?: number;
  /** Each body piece as it arrives (a view valid only during the call). */
  onBody?: (data: Uint8Array) => void;
}

export interface FetchTimings {
  /** TCP connect, ms (new connections only). */
  connect?: number;
  /** TLS handshake, ms (new https connections only). */
  tls?: number;
  /** Request start to first response byte, ms. */
  ttfb?: number;
  /** The whole fetch, ms. */
  total: number;
}

export interface FetchResult {
  /** A complete response with status below 400. */
  ok: boolean;
  /** The URL asked for (normalized when it parsed). */
  url: string;
  /** The URL of the last request (differs after redirects). */
  finalUrl: string;
  /** Status of the final response; 0 when there was none. */
  status: number;
  reason: string;
  /** Body bytes of the final response (redirect bodies are not counted). */
  bytes: number;
  /** Connect/TLS/TTFB of the final request's connection; total of the whole fetch. */
  timings: FetchTimings;
  /** Whether the final request went on a new or a reused connection; "none" if none was made. */
  conn: "new" | "reused" | "none";
  redirects: number;
  /** The request was sent again on a new connection after a reused one had gone stale. */
  retried: boolean;
  /** Headers of the final response. */
  headers?: HeaderList;
  /** The first `previewBytes` of the body as text (UTF-8, cut anywhere). */
  preview?: string;
  /** The first `captureBytes` of the body. */
  body?: Uint8Array;
  /** Why it failed (also set for status >= 400). */
  error?: Diagnosis;
}

/** Cancels a fetch: the socket is closed, timers cleared, and `done` is not called. */
export interface FetchHandle {
  cancel(): void;
}
