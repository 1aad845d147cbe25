/**
 * The stale-connection retry policy: when a request that failed on a reused (kept-alive)
 * connection is sent once more, on a new connection.
 *
 * A reused connection that fails before any response byte may have gone stale while it sat idle:
 * the server closed or reset it (-1, -2, a failed write), or the network dropped it silently (no first byte
 * in time). The request is then sent once more, never twice, and only where sending it again
 * cannot repeat an effect on the server:
 * - GET and HEAD (safe methods, RFC 9110 9.2.1): whenever no response byte came, even though the
 *   request was written (the server cannot have acted on it in a way that matters).
 * - Every other method (POST, PUT, PATCH, DELETE), with or without a body: only when not one byte
 *   of the request was handed to the socket on the reused connection (it failed before the first
 *   write: the server closed it while idle and the close was seen first). Once a byte is written
 *   the server may have received the whole request and acted on it, so the failure is reported
 *   instead, with a note that the request was not sent again.
 * A body stream is never read before the first write, so a retried request never needs it twice.
 * (Retries after a failed fetch, with backoff, are the fetch loop's: app/fetch-loop.ts.)
 */
import type { Failure } from "./diagnosis";
import { isSafeMethod, RequestMethod } from "../http/request";

/** What the policy looks at. */
export interface RetryFacts {
  /** The request went on an idle connection from the pool. */
  reused: boolean;
  /** This fetch was already sent again once. */
  alreadyRetried: boolean;
  /** A response byte arrived on the connection. */
  responseStarted: boolean;
  method: RequestMethod;
  /** Request bytes handed to the socket on this connection. */
  requestBytesWritten: number;
}

/** Send again, or not; `notRetried` says why not when the method was the reason (for the detail). */
export type RetryVerdict = { retry: true } | { retry: false; notRetried?: string };

export function staleRetry(failure: Failure, facts: RetryFacts): RetryVerdict {
  if (!facts.reused || facts.alreadyRetried || facts.responseStarted) return { retry: false };
  const stale = failure.kind === "disconnect" || failure.kind === "reset" || failure.kind === "socket-error" || failure.kind === "tls-error" ||
    (failure.kind === "timeout" && failure.which === "first-byte");
  if (!stale) return { retry: false };
  if (!isSafeMethod(facts.method) && facts.requestBytesWritten > 0) {
    return { retry: false, notRetried: `a ${facts.method} was written on a kept-alive connection that then failed, and the server may have acted on it` };
  }
  return { retry: true };
}
