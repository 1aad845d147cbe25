/**
 * The redirect policy: which responses are followed (301, 302, 303, 307, 308 with a Location, up
 * to a limit), how the Location resolves, and what is refused: a loop, https to http unless
 * allowed, and secret headers (Authorization...) sent on to another origin.
 */
import { diagnose, Diagnosis } from "./diagnosis";
import type { HeaderInput } from "../http/request";
import { isSecretHeader } from "../http/request";
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

/** The next hop of a redirect: its URL and the headers to send there. */
export interface RedirectHop {
  url: HttpUrl;
  headers: HeaderInput | undefined;
}

/** The hop a redirect response leads to, or the diagnosis why it is refused. */
export function nextHop(from: HttpUrl, head: ResponseHead, headers: HeaderInput | undefined, state: RedirectState): RedirectHop | Diagnosis {
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
  // Credentials are for the origin they were given for (as curl and browsers do).
  return { url: next, headers: next.origin !== from.origin && headers ? withoutSecrets(headers) : headers };
}

export function isRedirectHop(step: RedirectHop | Diagnosis): step is RedirectHop {
  return (step as RedirectHop).url !== undefined;
}

function withoutSecrets(headers: HeaderInput): [string, string][] {
  const pairs: [string, string][] = Array.isArray(headers)
    ? (headers as [string, string][]).slice()
    : Object.keys(headers).map((k) => [k, (headers as Record<string, string>)[k]] as [string, string]);
  return pairs.filter(([name]) => !isSecretHeader(name));
}
