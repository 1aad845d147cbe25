/**
 * The redirect policy: which responses are followed (301, 302, 303, 307, 308 with a Location, up
 * to a limit), how the Location resolves, and what is refused: a loop, https to http unless
 * allowed, and secret headers (Authorization...) sent on to another origin.
 *
 * The method and body on the next hop (RFC 9110 15.4, as browsers' fetch and curl do):
 * - 303 See Other: GET without a body (HEAD stays HEAD).
 * - 301 and 302 after a POST: GET without a body. RFC 9110 allows it ("for historical reasons");
 *   browsers and curl (without --post301/--post302) do it, and servers count on it.
 *   Other methods keep their method and body on 301/302.
 * - 307 and 308: same method, same body. A body given as a stream cannot be read twice, so that
 *   redirect fails with REDIRECT_BODY_NOT_REPLAYABLE instead of sending a truncated request.
 * When the body is dropped, so are the fields that described it (Content-Type, Content-Encoding,
 * Content-Language, Content-Location), as the fetch standard says.
 */
import { diagnose, Diagnosis } from "./diagnosis";
import type { HeaderInput, RequestMethod } from "../http/request";
import { headerPairs, isSecretHeader } from "../http/request";
import type { ResponseHead } from "../http/response";
import { HttpUrl, resolveUrl } from "../http/url";

const REDIRECT_STATUSES: readonly number[] = Object.freeze([301, 302, 303, 307, 308]);

export function isRedirectStatus(status: number): boolean {
  return REDIRECT_STATUSES.indexOf(status) >= 0;
}

/** Whether this response is a redirect to follow (rather than the result). */
export function followsRedirect(head: ResponseHead, maxRedirects: number): boolean {
  return maxRedirects > 0 && isRedirectStatus(head.status) && head.headers.has("location");
}

/** A redirect status that is not followed because its Location is missing, or null. */
export function unfollowableRedirect(head: ResponseHead, maxRedirects: number): Diagnosis | null {
  return isRedirectStatus(head.status) && maxRedirects > 0 ? diagnose({ kind: "redirect", problem: "missing-location" }) : null;
}

/** Where a fetch stands in its redirects. */
export interface RedirectState {
  /** Redirects followed so far. */
  redirects: number;
  maxRedirects: number;
  /** Every URL requested so far (for loop detection). */
  visited: readonly string[];
  allowHttpsToHttp: boolean;
}

/** The next hop of a redirect: its URL, method, and the headers to send there. */
export interface RedirectHop {
  url: HttpUrl;
  method: RequestMethod;
  headers: HeaderInput | undefined;
  /** The body is not sent on (the method became GET). */
  dropBody: boolean;
}

/** The request being redirected: its method, and whether it has a body and can send it again. */
export interface RedirectedRequest {
  method: RequestMethod;
  hasBody: boolean;
  replayable: boolean;
}

/** The method on the hop after a redirect with this status (see the module comment). */
export function redirectMethod(status: number, method: RequestMethod): RequestMethod {
  if (status === 303) return method === "HEAD" ? "HEAD" : "GET";
  if ((status === 301 || status === 302) && method === "POST") return "GET";
  return method;
}

const BODY_FIELDS: readonly string[] = Object.freeze(["content-type", "content-encoding", "content-language", "content-location"]);

/** The hop a redirect response leads to, or the diagnosis why it is refused. */
export function nextHop(from: HttpUrl, head: ResponseHead, headers: HeaderInput | undefined, state: RedirectState, request: RedirectedRequest): RedirectHop | Diagnosis {
  const location = head.headers.get("location") as string;
  let next: HttpUrl;
  try {
    next = resolveUrl(from, location);
  } catch (e) {
    return { code: "REDIRECT_BAD_LOCATION", phase: "response", detail: e instanceof Error ? e.message : String(e), hint: "the server's Location header is not a usable http(s) URL: request the final URL directly" };
  }
  if (state.redirects >= state.maxRedirects) {
    return diagnose({ kind: "redirect", problem: "too-many", location: next.href, count: state.redirects + 1, limit: state.maxRedirects });
  }
  if (state.visited.indexOf(next.href) >= 0) {
    return diagnose({ kind: "redirect", problem: "loop", location: next.href });
  }
  if (from.scheme === "https" && next.scheme === "http" && !state.allowHttpsToHttp) {
    return diagnose({ kind: "redirect", problem: "downgrade", location: next.href });
  }
  const method = redirectMethod(head.status, request.method);
  const dropBody = method !== request.method;
  if (request.hasBody && !dropBody && !request.replayable) {
    return {
      code: "REDIRECT_BODY_NOT_REPLAYABLE",
      phase: "response",
      detail: `${head.status} to ${next.href} asks for the ${request.method} to be sent again with its body, but the body is a stream, which cannot be read twice`,
      hint: "send the request to the final URL directly, or give the body as text or bytes so it can be sent again",
    };
  }
  let sent = headers;
  // Credentials are for the origin they were given for (as curl and browsers do).
  if (sent && next.origin !== from.origin) sent = withoutSecrets(sent);
  if (sent && dropBody) sent = headerPairs(sent).filter(([name]) => BODY_FIELDS.indexOf(name.toLowerCase()) < 0);
  return { url: next, method, headers: sent, dropBody };
}

export function isRedirectHop(step: RedirectHop | Diagnosis): step is RedirectHop {
  return (step as RedirectHop).url !== undefined;
}

function withoutSecrets(headers: HeaderInput): (readonly [string, string])[] {
  return headerPairs(headers).filter(([name]) => !isSecretHeader(name));
}
