import { parseUrl, resolveUrl, removeDotSegments, HttpUrl } from "../../modules/http/url";
import { PortableSuite, Json, errorCode } from "./suite";

const show = (u: HttpUrl): Json => ({ scheme: u.scheme, host: u.host, port: u.port, path: u.path, origin: u.origin, hostHeader: u.hostHeader });
const code = errorCode;
const base = () => parseUrl("https://api.example.com/v1/items/list?page=2");

export const suite: PortableSuite = {
  name: "URLs",
  cases: [
    { name: "https with default port", run: () => show(parseUrl("https://example.com")), expected: { scheme: "https", host: "example.com", port: 443, path: "/", origin: "https://example.com", hostHeader: "example.com" } },
    { name: "http with explicit non-default port, query kept, fragment dropped", run: () => show(parseUrl("http://10.0.0.7:8080/a/b?x=1&y=2#top")), expected: { scheme: "http", host: "10.0.0.7", port: 8080, path: "/a/b?x=1&y=2", origin: "http://10.0.0.7:8080", hostHeader: "10.0.0.7:8080" } },
    { name: "explicit default port is dropped from Host", run: () => parseUrl("https://example.com:443/x").hostHeader, expected: "example.com" },
    { name: "scheme and host are case-insensitive; trailing dot removed", run: () => parseUrl("HTTPS://WWW.Example.COM./").href, expected: "https://www.example.com/" },
    { name: "query without path", run: () => parseUrl("https://h.io?q=1").path, expected: "/?q=1" },
    { name: "spaces and non-ASCII in the path are percent-encoded as UTF-8", run: () => parseUrl("https://h.io/a b/\u00fc\u20ac").path, expected: "/a%20b/%C3%BC%E2%82%AC" },
    { name: "existing escapes are kept, a stray % is encoded", run: () => parseUrl("https://h.io/a%2Fb/100%").path, expected: "/a%2Fb/100%25" },
    { name: "empty port means default", run: () => parseUrl("http://h.io:/").port, expected: 80 },
    { name: "userinfo is refused", run: () => code(() => parseUrl("https://user:pw@h.io/")), expected: "URL_USERINFO" },
    { name: "IPv6 literal is refused", run: () => code(() => parseUrl("https://[::1]:8443/")), expected: "URL_IPV6" },
    { name: "ftp is refused", run: () => code(() => parseUrl("ftp://h.io/")), expected: "URL_UNSUPPORTED_SCHEME" },
    { name: "mailto-like scheme is refused", run: () => code(() => parseUrl("mailto:a@b.c")), expected: "URL_UNSUPPORTED_SCHEME" },
    { name: "relative URL is a syntax error", run: () => code(() => parseUrl("/just/a/path")), expected: "URL_SYNTAX" },
    { name: "missing host", run: () => code(() => parseUrl("https:///x")), expected: "URL_MISSING_HOST" },
    { name: "port 0 and 65536 are refused", run: () => [code(() => parseUrl("https://h.io:0/")), code(() => parseUrl("https://h.io:65536/"))], expected: ["URL_BAD_PORT", "URL_BAD_PORT"] },
    { name: "non-numeric port", run: () => code(() => parseUrl("https://h.io:https/")), expected: "URL_BAD_PORT" },
    { name: "CR LF in a URL is refused (header injection)", run: () => code(() => parseUrl("https://h.io/a\r\nX-Evil: 1")), expected: "URL_BAD_CHARACTER" },
    { name: "non-ASCII host asks for punycode", run: () => code(() => parseUrl("https://b\u00fccher.de/")), expected: "URL_BAD_HOST" },
    { name: "bad IPv4 octet", run: () => code(() => parseUrl("http://10.0.0.300/")), expected: "URL_BAD_HOST" },
    { name: "host label with underscore and hyphen", run: () => parseUrl("https://my_dev-1.local/").host, expected: "my_dev-1.local" },
    { name: "host label starting with a hyphen is refused", run: () => code(() => parseUrl("https://-bad.io/")), expected: "URL_BAD_HOST" },
    { name: "resolve: absolute path", run: () => resolveUrl(base(), "/v2/x").href, expected: "https://api.example.com/v2/x" },
    { name: "resolve: relative path merges with the base directory", run: () => resolveUrl(base(), "detail?id=3").href, expected: "https://api.example.com/v1/items/detail?id=3" },
    { name: "resolve: dot segments", run: () => resolveUrl(base(), "../../up/./here").href, expected: "https://api.example.com/up/here" },
    { name: "resolve: query only keeps the path", run: () => resolveUrl(base(), "?page=3").href, expected: "https://api.example.com/v1/items/list?page=3" },
    { name: "resolve: scheme-relative keeps the scheme", run: () => resolveUrl(base(), "//cdn.example.net/f").href, expected: "https://cdn.example.net/f" },
    { name: "resolve: absolute URL with another scheme", run: () => resolveUrl(base(), "http://example.com:8080/").href, expected: "http://example.com:8080/" },
    { name: "resolve: fragment only keeps the request target", run: () => resolveUrl(base(), "#frag").href, expected: "https://api.example.com/v1/items/list?page=2" },
    { name: "resolve: empty location is an error", run: () => code(() => resolveUrl(base(), "  ")), expected: "URL_SYNTAX" },
    { name: "resolve: non-default port kept", run: () => resolveUrl(parseUrl("https://h.io:8443/a/b"), "c").href, expected: "https://h.io:8443/a/c" },
    { name: "remove dot segments (RFC 3986 5.2.4 examples)", run: () => [removeDotSegments("/a/b/c/./../../g"), removeDotSegments("/mid/content=5/../6"), removeDotSegments("/../a"), removeDotSegments("/a/.")], expected: ["/a/g", "/mid/6", "/a", "/a/"] },
  ],
};
