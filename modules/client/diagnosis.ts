/**
 * Failure diagnosis: what the engine saw, turned into a stable code, the phase, the raw detail and
 * a one-line fix. Every failed fetch is logged through here, so each classic HTTPS failure on the
 * device ends in a line that names the cause instead of a bare -2 or an alert number.
 *
 * SecureSocket reports every handshake or record error as message -2 without text; the engine
 * records the exception text itself (see the connection engine). The texts matched below are the
 * ones the Moddable SDK's TLS stack throws (modules/crypt/ssl, modules/crypt/etc/x509.js), checked
 * against its sources:
 * - `TLS: alert: L, D`: an alert RECEIVED from the server (see tls-alerts.ts).
 * - `TLS: certificate: auth err`: the chain did not verify: untrusted issuer, host name not in the
 *   SANs, a chain with only the leaf (the host-name match runs only while walking two or more
 *   certificates), or every certificate outside its dates (clock unset).
 * - `date validation failed`: a certificate outside its validity. Thrown synchronously by the
 *   SecureSocket constructor for the CA in `secure.certificate`, and during the handshake for the
 *   server's leaf when an intermediate still verifies.
 * - `Cert: unsupported algorithm: <oid with commas>`: a signature SecureSocket cannot verify.
 * - `x509: ...`, `BER: ...`, `unexpected date`: a certificate it cannot parse.
 * - `Resource not found: ca<N>.der`: the SDK CA store's index names a CA the manifest left out.
 * - `recordProtocol: bad data`: bytes that are not TLS (typically a plain-HTTP port).
 * - `<function>: cannot coerce undefined to object` (an XS TypeError): the stack's own fault after
 *   a ServerHello with a version lower than offered.
 * - A bare `Error` with no message: its stream reader ran past the end of a message.
 */
import { explainAlert, parseAlertText } from "../tls/alerts";
import type { TlsVersionName } from "../tls/options";

/** Where in a fetch the failure happened. */
export type Phase = "dns" | "connect" | "tls-handshake" | "tls-record" | "request" | "response" | "timeout";

/** Which deadline expired. */
export type TimeoutKind = "connect" | "handshake" | "first-byte" | "idle" | "total";

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
  | { kind: "dns"; host?: string; detail?: string }
  | { kind: "refused"; port?: number }
  | { kind: "reset"; phase: Phase }
  /** The body ended before its Content-Length or final chunk. */
  | { kind: "truncated-body"; received: number; expected?: number }
  /** A parse error from the HTTP core (any code string; known ones get specific hints). */
  | { kind: "http-parse"; error: { code: string; offset: number; message?: string } }
  /** A complete response with status >= 400: a result, not a transport failure. */
  | { kind: "http-status"; status: number; reason?: string; retryAfter?: string }
  | { kind: "redirect"; problem: RedirectProblem; location?: string; count?: number; limit?: number };

/** What else the engine knows, used to tell similar failures apart. All optional. */
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
  /** True when the server is known to send only its leaf certificate (e.g. from a probe). */
  leafOnlyChain?: boolean;
  /** True when no CA certificate was configured. */
  caSetEmpty?: boolean;
}

/** The log-ready result: stable code, phase, raw detail, one-line hint. */
export interface Diagnosis {
  code: string;
  phase: Phase;
  detail: string;
  hint: string;
}

/** A table lookup that ignores inherited names: codes come from outside ("__proto__" is a string too). */
function own<T>(table: { [key: string]: T }, key: string | number): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

const PROBE = (ctx: DiagnosisContext) => `npm run probe -- https://${ctx.host ?? "<host>"}`;

function clockNotSet(ctx: DiagnosisContext): boolean {
  return ctx.nowMs !== undefined && ctx.buildYear !== undefined && ctx.nowMs < Date.UTC(ctx.buildYear, 0, 1);
}

function deviceTime(ctx: DiagnosisContext): string {
  return ctx.nowMs === undefined ? "unknown" : new Date(ctx.nowMs).toISOString();
}

const CLOCK_HINT = (ctx: DiagnosisContext) =>
  `device clock is ${deviceTime(ctx)}, before the firmware build year ${ctx.buildYear}: certificate dates cannot be checked; set the time with SNTP before the first HTTPS request`;

/** Names of signature OIDs the stack reports with commas. */
const SIGNATURE_OIDS: { [oid: string]: string } = {
  "1,2,840,113549,1,1,10": "RSASSA-PSS",
  "1,3,101,112": "Ed25519",
  "1,3,101,113": "Ed448",
  "1,2,840,113549,1,1,2": "MD2 with RSA",
  "1,2,840,113549,1,1,3": "MD4 with RSA",
};

interface TextRule {
  /** Matched against the captured text. */
  test: RegExp;
  code: string;
  /** Default phase when the engine gave none. */
  phase: Phase;
  hint: (ctx: DiagnosisContext, m: RegExpExecArray, phase: Phase) => string;
}

const NO_SHARED_CIPHER_HINT =
  "the server chose a cipher suite or key exchange SecureSocket did not offer: keep manifest config.tls.ECDHE_RSA and DHE_RSA true, and make the server accept ECDHE-RSA-AES128-GCM-SHA256 or AES128-SHA256";

const CERT_MALFORMED_HINT = (phase: Phase) =>
  phase === "connect"
    ? "an embedded certificate could not be parsed: check each CA is DER (not PEM text) and complete"
    : "the server sent a certificate SecureSocket cannot parse (unusual encoding or extension): check the chain with openssl s_client -showcerts";

// Rules for exception texts, most specific first. Alerts are handled before these.
const TEXT_RULES: TextRule[] = [
  {
    // The device edge's text when the stack itself sent an alert and ended the handshake without
    // a cipher (modules/device/tls-socket.ts): with 70, the server answered below protocolVersion.
    test: /alert sent: 2, 70\b/,
    code: "TLS_SERVER_VERSION_TOO_LOW",
    phase: "tls-handshake",
    hint: (ctx) =>
      `the server answered with a TLS version below the required ${ctx.offeredTls ?? "1.2"}; the device refused it and sent nothing: enable TLS 1.2 on the server (check with openssl s_client -connect ${ctx.host ?? "<host>"}:443 -tls1_2); a lower tlsVersion does not help, SecureSocket's TLS 1.0/1.1 handshakes fail (TLS_STACK_FAULT)`,
  },
  {
    test: /handshake closed by the server \(close_notify\)/,
    code: "TLS_HANDSHAKE_CLOSED",
    phase: "tls-handshake",
    hint: (ctx) => `the server ended the handshake with close_notify (a silent refusal of the TLS version, SNI or ciphers); the device sent nothing: compare with openssl s_client -connect ${ctx.host ?? "<host>"}:443 -tls1_2`,
  },
  {
    test: /alert sent: \d+, \d+|handshake ended without a cipher/,
    code: "TLS_HANDSHAKE_REFUSED",
    phase: "tls-handshake",
    hint: (ctx) => `the device ended the handshake with an alert of its own and sent nothing: run with secure trace: true, or ${PROBE(ctx)}, to see which server message it refused`,
  },
  {
    test: /certificate: auth err/,
    code: "TLS_CERT_UNTRUSTED",
    phase: "tls-handshake",
    hint: (ctx) =>
      `the server's chain did not verify: untrusted root, host name not in its SANs, a leaf-only chain or an expired intermediate; run ${PROBE(ctx)} (or openssl s_client -connect ${ctx.host ?? "<host>"}:443 -showcerts): embed the root it names, check the SANs list the host, and that 2+ certificates are sent`,
  },
  {
    // The SDK's CA store: the ca.ski index names the CA, but the ca<N>.der resource itself is only
    // in the firmware when the manifest lists it; the Resource constructor then throws this URIError.
    test: /Resource not found: (ca\d+)\.der/,
    code: "TLS_CA_RESOURCE_MISSING",
    phase: "tls-handshake",
    hint: (_ctx, m) => `the server's CA is ${m[1]} of the SDK CA store, but ${m[1]}.der is not in the firmware: add "$(MODULES)/crypt/data/${m[1]}" to the manifest resources, or embed that root in caCertificates`,
  },
  {
    test: /Resource not found: (\S+)/,
    code: "TLS_RESOURCE_MISSING",
    phase: "tls-handshake",
    hint: (_ctx, m) => `the firmware lacks the resource ${m[1]} the TLS stack reads: include the SDK's TLS manifest (modules/crypt/tls.json) and its resources`,
  },
  {
    test: /Cert: unsupported algorithm:\s*([\d,]+)/,
    code: "TLS_CERT_UNSUPPORTED_ALGORITHM",
    phase: "tls-handshake",
    hint: (_ctx, m) => {
      const name = own(SIGNATURE_OIDS, m[1]) ?? `OID ${m[1].split(",").join(".")}`;
      return `a certificate in the chain (or the embedded CA) is signed with ${name}, which SecureSocket cannot verify (it checks RSA PKCS#1 v1.5 and ECDSA only): use an endpoint whose chain uses RSA or ECDSA signatures`;
    },
  },
  {
    test: /x509: (unsupported curve|support named curves only)/,
    code: "TLS_CERT_UNSUPPORTED_KEY",
    phase: "tls-handshake",
    hint: () => "a certificate's EC key is not on P-256 or P-384, the only curves SecureSocket reads in certificates: use an RSA or P-256/P-384 certificate chain",
  },
  {
    test: /x509: |BER: |unexpected (date|timezone)|PKCS8: |PKCS1: /,
    code: "TLS_CERT_MALFORMED",
    phase: "tls-handshake",
    hint: (_ctx, _m, phase) => CERT_MALFORMED_HINT(phase),
  },
  {
    test: /handshake: unsupp?oo?rted cipher|serverKeyExchange: unsupported algorithm/,
    code: "TLS_NO_SHARED_CIPHER",
    phase: "tls-handshake",
    hint: () => NO_SHARED_CIPHER_HINT,
  },
  {
    test: /^(TLS: )?(unsupported curve|invalid curve type)$/,
    code: "TLS_UNSUPPORTED_CURVE",
    phase: "tls-handshake",
    hint: () => "the server chose an ECDHE curve other than secp256r1, the only one offered: enable P-256 (prime256v1) on the server, or set manifest config.tls.ECDHE_RSA false to fall back to RSA/DHE key exchange",
  },
  {
    test: /serverKeyExchange: failed to verify signature/,
    code: "TLS_SERVER_SIGNATURE_INVALID",
    phase: "tls-handshake",
    hint: () => "the server's key-exchange signature does not match its certificate: look for a TLS-intercepting proxy or a misconfigured server key; retry with cache: false",
  },
  {
    test: /finished: auth err/,
    code: "TLS_HANDSHAKE_INTEGRITY",
    phase: "tls-handshake",
    hint: () => "the handshake's Finished check failed (altered handshake or a stale resumed session): set cache: false and retry; if it repeats, look for a middlebox",
  },
  {
    test: /recordProtocol:? auth failed/,
    code: "TLS_RECORD_AUTH_FAILED",
    phase: "tls-record",
    hint: () => "a TLS record from the server failed authentication (its MAC or tag did not verify): the bytes were altered on the way (a middlebox, an attack) or the server's TLS is faulty; the connection was dropped and nothing of the record was used; retry, and if it repeats, capture with trace: true and check the path to the server",
  },
  {
    test: /recordProtocol: bad data/,
    code: "TLS_NOT_TLS",
    phase: "tls-handshake",
    hint: () => "the server answered with bytes that are not TLS, typically plain HTTP: check the port is an HTTPS port (443) and the URL scheme",
  },
  {
    test: /handshake: unknown type: (\d+)/,
    code: "TLS_PROTOCOL_ERROR",
    phase: "tls-handshake",
    hint: (_ctx, m) => `the server sent handshake message type ${m[1]}, which SecureSocket does not implement (4 NewSessionTicket, 22 CertificateStatus): capture with trace: true; try another endpoint`,
  },
  {
    test: /handshake: unsupported compression|changeCipherSpec: bad type|clientKeyExchange: no DH params/,
    code: "TLS_PROTOCOL_ERROR",
    phase: "tls-handshake",
    hint: () => "the server broke the TLS 1.2 handshake sequence as SecureSocket implements it: capture with trace: true and compare with openssl s_client -tls1_2",
  },
  {
    test: /certificateVerify: |clientKeyExchange: no cert/,
    code: "TLS_CLIENT_CERT_UNSUPPORTED",
    phase: "tls-handshake",
    hint: () => "SecureSocket could not sign with the client certificate: it needs an RSA client key and an RSA or ECDHE-RSA key exchange (set manifest config.tls.DHE_RSA false)",
  },
  {
    // The ServerHello check for a version below `protocolVersion` only flags alert 70 and returns
    // before a cipher suite is chosen; the next message that needs the suite (ServerKeyExchange)
    // then fails with XS's TypeError text `<function>: cannot coerce undefined to object`.
    test: /cannot coerce undefined to object/,
    code: "TLS_STACK_FAULT",
    phase: "tls-handshake",
    hint: (ctx) =>
      `SecureSocket failed internally; seen on every TLS 1.0/1.1 handshake of SDK 8.2.3 (in ClientKeyExchange)${ctx.offeredTls && ctx.offeredTls !== "1.2" ? `, and tlsVersion is ${ctx.offeredTls}` : ""}: use tlsVersion 1.2 and a server that accepts it (openssl s_client -connect ${ctx.host ?? "<host>"}:443 -tls1_2)`,
  },
  {
    test: /protocolVersion: not supported/,
    code: "TLS_CONFIG_VERSION",
    phase: "connect",
    hint: () => 'secure.protocolVersion is outside 0x301..0x303: build the options with buildSecureOptions and tls: "1.2"',
  },
  {
    test: /invalid protocol/,
    code: "TLS_CONFIG_ALPN",
    phase: "tls-handshake",
    hint: () => "an ALPN name is empty or longer than 255 bytes: fix the alpn option",
  },
  {
    test: /can't write all data|^(Error: )?too large$/,
    code: "REQUEST_WRITE_OVERFLOW",
    phase: "request",
    hint: () => "the request was written faster than the socket accepts: write at most the writable count per callback",
  },
  {
    test: /memory full|not enough memory|allocation failed/i,
    code: "OUT_OF_MEMORY",
    phase: "tls-record",
    hint: () => "the heap ran out (SecureSocket buffers a whole TLS record, up to 16 KB, before decrypting it): free heap before the request, set maxFragmentLength: 4096 for servers that honour it, or raise the XS chunk heap in the manifest",
  },
];

function alertDiagnosis(text: string, phase: Phase | undefined, ctx: DiagnosisContext): Diagnosis | undefined {
  const alert = parseAlertText(text);
  if (!alert) return undefined;
  const { code, hint } = explainAlert(alert, ctx.offeredTls);
  return { code, phase: phase ?? "tls-handshake", detail: text, hint };
}

function tlsTextDiagnosis(text: string, given: Failure & { kind: "tls-error" }, ctx: DiagnosisContext): Diagnosis {
  const alert = alertDiagnosis(text, given.phase, ctx);
  if (alert) return alert;

  // A date failure, or a chain that did not verify, with a clock before the build: the clock is
  // the cause (every validity check fails at 1970), whatever else may also be wrong.
  if (/date validation failed|certificate: auth err/.test(text) && clockNotSet(ctx)) {
    return { code: "TLS_CLOCK_NOT_SET", phase: given.phase ?? "tls-handshake", detail: text, hint: CLOCK_HINT(ctx) };
  }
  if (/date validation failed/.test(text)) {
    // Thrown by the constructor: it is the configured CA; during the handshake: the server's leaf.
    if (given.phase === "connect") {
      return {
        code: "TLS_CA_EXPIRED",
        phase: "connect",
        detail: text,
        hint: `the embedded CA certificate is outside its validity at device time ${deviceTime(ctx)}: replace it with the current root (${PROBE(ctx)} shows it), or check the clock`,
      };
    }
    return {
      code: "TLS_CERT_EXPIRED",
      phase: given.phase ?? "tls-handshake",
      detail: text,
      hint: `the server's certificate is expired or not yet valid at device time ${deviceTime(ctx)}: renew it on the server (openssl s_client -connect ${ctx.host ?? "<host>"}:443 | openssl x509 -noout -dates), or correct the clock`,
    };
  }
  if (/certificate: auth err/.test(text)) {
    if (ctx.leafOnlyChain) {
      return {
        code: "TLS_CERT_LEAF_ONLY",
        phase: given.phase ?? "tls-handshake",
        detail: text,
        hint: "the server sends only its leaf certificate and SecureSocket matches the host name only while walking a chain of 2+ certificates: configure the server to send its intermediate (fullchain.pem)",
      };
    }
    if (ctx.caSetEmpty) {
      return {
        code: "TLS_CERT_UNTRUSTED",
        phase: given.phase ?? "tls-handshake",
        detail: text,
        hint: `no CA certificate is configured and the firmware's built-in CAs do not cover this server: embed its root CA (${PROBE(ctx)} shows it)`,
      };
    }
  }
  for (const rule of TEXT_RULES) {
    const m = rule.test.exec(text);
    if (m) {
      const phase = given.phase ?? rule.phase;
      return { code: rule.code, phase, detail: text, hint: rule.hint(ctx, m, phase) };
    }
  }
  if (/^(Error|TLS)?:?\s*$/.test(text)) {
    return {
      code: "TLS_MALFORMED_MESSAGE",
      phase: given.phase ?? "tls-handshake",
      detail: text,
      hint: "the TLS stack read past the end of a message (truncated or non-TLS data): check the port is HTTPS, retry, and capture with trace: true",
    };
  }
  return {
    code: "TLS_ERROR_UNKNOWN",
    phase: given.phase ?? "tls-handshake",
    detail: text,
    hint: "an error text this firmware does not know yet: re-run with trace: true and compare with openssl s_client -tls1_2",
  };
}

const TIMEOUT_HINTS: { [K in TimeoutKind]: string } = {
  connect: "no TCP answer in time: check Wi-Fi, that the host is reachable from this network and the port is open (firewall), then raise the connect timeout",
  handshake: "the TLS handshake did not finish: it takes 1 to 3 s on an ESP32 (more with RSA-4096), so allow 10 s or more; a plain-HTTP port also waits here silently",
  "first-byte": "the request was sent but no response started: check the request is complete (Host header, Content-Length) and the server is not overloaded; raise the first-byte timeout for slow endpoints",
  idle: "the response stalled mid-way: the network or server paused; the end of a body must come from Content-Length or chunked framing, never from waiting for a close",
  total: "the whole fetch exceeded its time budget: raise the total timeout or fetch less (Range, smaller resources)",
};

const TIMEOUT_CODES: { [K in TimeoutKind]: string } = {
  connect: "TIMEOUT_CONNECT",
  handshake: "TIMEOUT_HANDSHAKE",
  "first-byte": "TIMEOUT_FIRST_BYTE",
  idle: "TIMEOUT_IDLE",
  total: "TIMEOUT_TOTAL",
};

const TRUNCATED_HINT = "the connection ended before the whole body arrived: retry (with Range for large bodies)";

const PARSE_HINTS: { [code: string]: string } = {
  BAD_STATUS_LINE: "the response does not start with an HTTP/1.x status line: the server may be speaking HTTP/2 or another protocol on this port; check the URL and alpn",
  BAD_HEADER_LINE: "a response header line is malformed: the server or a proxy sends broken headers; report it to the server owner",
  HEADERS_TOO_LARGE: "the response headers exceed the header limit: raise the limit or ask the server to send fewer or shorter headers (cookies)",
  BAD_CONTENT_LENGTH: "the Content-Length header is not a valid number: the server's response framing is broken",
  CONFLICTING_CONTENT_LENGTH: "the response has several different Content-Length values: its framing is ambiguous and refused (request smuggling risk)",
  BAD_TRANSFER_ENCODING: "the Transfer-Encoding header is not one this client decodes (only chunked): ask the server for an identity or chunked body",
  BAD_CHUNK_SIZE: "a chunk-size line of the chunked body is malformed: the server or a proxy corrupted the body",
  CHUNK_SIZE_OVERFLOW: "a chunk size is larger than this client accepts: the body framing is broken or hostile",
  BAD_CHUNK_DATA: "a chunk is not followed by CRLF: the chunked body is corrupted",
  UNSUPPORTED_HTTP_VERSION: "the status line names another HTTP version (HTTP/2, HTTP/0.9): this client speaks HTTP/1.x only; check the port and the server's protocol settings",
  BARE_LF: "the server ends lines with a bare LF instead of CRLF (RFC 9112 section 2.2): a broken HTTP implementation; fix the server (the client option responseLeniency.lenientLineEndings accepts it)",
  TRANSFER_ENCODING_WITH_CONTENT_LENGTH: "the response has both Transfer-Encoding and Content-Length: its framing is ambiguous (response splitting risk) and refused; fix the server or proxy",
  BAD_CHUNK_EXTENSION: "a chunk extension in the chunked body is malformed: the server or a proxy sends broken chunked framing",
  UPGRADE_NOT_REQUESTED: "the server switched protocols (101) although no upgrade was requested: check the URL",
  UNSOLICITED_RESPONSE: "bytes arrived when no request was pending: the connection is out of step (server bug or injected data), so it is closed and never reused",
  DATA_AFTER_CLOSE: "the server sent bytes after a response that closed the connection: they answer no request and are refused; report it to the server owner",
  UNEXPECTED_EOF: "the connection closed in the middle of the response head: the server crashed or a proxy cut the response; retry",
  PARSER_FINISHED: "bytes arrived after the response was complete: the server sent more than its framing said (engine bug or server bug); report it",
};

const STATUS_HINTS: { [status: number]: string } = {
  400: "the server rejected the request as malformed: check the path encoding, Host header and query string",
  401: "authentication required or rejected: check the Authorization header or API key (never log it)",
  403: "the server refuses this client: check API key permissions, IP allow-lists and that the User-Agent is accepted",
  404: "the path does not exist on this host: check the URL path, its case and the API version",
  408: "the server timed out waiting for the request: send the whole request promptly after the handshake",
  429: "rate limited: wait for Retry-After before the next request and lower the fetch frequency",
  500: "the server failed internally: retry later with backoff; report it if it persists",
  502: "a gateway got a bad answer from its upstream: retry later with backoff",
  503: "the service is unavailable (overload or maintenance): honour Retry-After and retry with backoff",
  504: "a gateway timed out waiting for its upstream: retry later with backoff, or request less data",
};

/** Redacts what could be secret in a URL for a log line: userinfo and the query. */
function redactUrl(url: string): string {
  return url.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/?#@]*@/, "$1").replace(/[?#].*$/, (rest) => (rest.length > 1 ? "?…" : ""));
}

function statusDiagnosis(f: Failure & { kind: "http-status" }): Diagnosis {
  const s = f.status;
  let hint = own(STATUS_HINTS, s);
  if (!hint && (s < 100 || s > 599)) hint = "the status code is outside 100-599, which RFC 9110 says to handle as a server error: report it to the server owner";
  if (!hint) {
    hint = s >= 500
      ? "the server reported an error: retry later with backoff"
      : "the server refused the request: check the URL, headers and credentials for this endpoint";
  }
  if ((s === 429 || s === 503) && f.retryAfter !== undefined) hint += ` (Retry-After: ${f.retryAfter})`;
  const detail = `HTTP ${s}${f.reason ? ` ${f.reason}` : ""}`;
  return { code: `HTTP_STATUS_${s}`, phase: "response", detail, hint };
}

function redirectDiagnosis(f: Failure & { kind: "redirect" }): Diagnosis {
  const where = f.location !== undefined ? ` to ${redactUrl(f.location)}` : "";
  switch (f.problem) {
    case "too-many":
      return {
        code: "REDIRECT_TOO_MANY",
        phase: "response",
        detail: `${f.count ?? "too many"} redirects${f.limit !== undefined ? ` (limit ${f.limit})` : ""}${where}`,
        hint: "the redirect chain is longer than allowed: request the final URL directly (curl -sIL shows the chain)",
      };
    case "loop":
      return {
        code: "REDIRECT_LOOP",
        phase: "response",
        detail: `redirect loop${where}`,
        hint: "the server redirects back to a URL already visited (often a missing cookie or a www/non-www rule): request the final URL directly",
      };
    case "downgrade":
      return {
        code: "REDIRECT_DOWNGRADE_REFUSED",
        phase: "response",
        detail: `refused https to http redirect${where}`,
        hint: "the server redirects to plain http, which would send the request unencrypted: fix the server's redirect or use the https URL it should serve",
      };
    case "missing-location":
      return {
        code: "REDIRECT_MISSING_LOCATION",
        phase: "response",
        detail: "redirect status without a Location header",
        hint: "the server sent a 3xx without Location, so there is nowhere to go: report it to the server owner",
      };
  }
}

/** Turns what the engine saw into a log-ready diagnosis. Never throws. */
export function diagnose(failure: Failure, ctx: DiagnosisContext = {}): Diagnosis {
  switch (failure.kind) {
    case "tls-error":
      return tlsTextDiagnosis(String(failure.text), failure, ctx);

    case "socket-error": {
      const detail = "socket error -2 (no text)";
      if (failure.phase === "tls-handshake" || failure.phase === "tls-record") {
        if (failure.phase === "tls-handshake" && clockNotSet(ctx)) {
          return { code: "TLS_CLOCK_NOT_SET", phase: failure.phase, detail, hint: CLOCK_HINT(ctx) };
        }
        return {
          code: "TLS_ERROR_UNKNOWN",
          phase: failure.phase,
          detail,
          hint: "SecureSocket hides the cause of -2: capture the exception text (the engine's SecureSocket subclass) or re-run with trace: true",
        };
      }
      if (failure.phase === "dns") return diagnose({ kind: "dns" }, ctx);
      if (failure.phase === "connect") {
        return { code: "CONNECT_FAILED", phase: "connect", detail, hint: "the TCP connection failed: check Wi-Fi, the host's address and that the port is open" };
      }
      return { code: "SOCKET_ERROR", phase: failure.phase, detail, hint: "the connection failed mid-way: retry with backoff; check Wi-Fi signal strength" };
    }

    case "disconnect": {
      const detail = `disconnected (-1) in ${failure.phase}${failure.bytesReceived !== undefined ? ` after ${failure.bytesReceived} response bytes` : ""}`;
      if (failure.phase === "tls-handshake") {
        return {
          code: "TLS_HANDSHAKE_CLOSED",
          phase: failure.phase,
          detail,
          hint: `the server closed during the handshake without an alert (silent refusal of the TLS version, SNI or ciphers): compare with openssl s_client -connect ${ctx.host ?? "<host>"}:443 -tls1_2`,
        };
      }
      if ((failure.phase === "request" || failure.phase === "response") && !failure.bytesReceived) {
        return {
          code: "CONNECTION_CLOSED_EARLY",
          phase: failure.phase,
          detail,
          hint: failure.tlsEstablished && ctx.offeredTls
            ? `the server closed before answering: a reused idle connection, or a server answering below TLS ${ctx.offeredTls} (a device edge without the cipher guard then sends alert 70 silently; its console shows ALERT! (2, 70)); retry on a new connection`
            : "the server closed before answering: a reused idle connection or a server that drops the request; retry on a new connection",
        };
      }
      return { code: "CONNECTION_CLOSED", phase: failure.phase, detail, hint: "the server closed the connection unexpectedly: retry with backoff" };
    }

    case "timeout":
      return {
        code: TIMEOUT_CODES[failure.which],
        phase: "timeout",
        detail: `${failure.which} timeout${failure.ms !== undefined ? ` after ${failure.ms} ms` : ""}`,
        hint: TIMEOUT_HINTS[failure.which],
      };

    case "dns":
      return {
        code: "DNS_FAILED",
        phase: "dns",
        detail: `could not resolve ${failure.host ?? ctx.host ?? "host"}${failure.detail ? `: ${failure.detail}` : ""}`,
        hint: "check the host name's spelling, that Wi-Fi is connected and that DHCP gave a DNS server",
      };

    case "refused":
      return {
        code: "CONNECT_REFUSED",
        phase: "connect",
        detail: `connection refused${failure.port !== undefined ? ` on port ${failure.port}` : ""}`,
        hint: "nothing listens on that port: check the port (443 for https) and that the server is running",
      };

    case "reset":
      return {
        code: "CONNECTION_RESET",
        phase: failure.phase,
        detail: `the peer reset the connection (TCP RST or abort) in ${failure.phase}`,
        hint: failure.phase === "tls-handshake"
          ? "the server or a firewall reset the handshake (often a refused TLS version or SNI): compare with openssl s_client -tls1_2"
          : "the server (or a proxy or firewall in between) reset the connection: check the server's logs and limits (request size, keep-alive, rate), then any middlebox; retried with backoff",
      };

    case "truncated-body":
      return {
        code: "BODY_TRUNCATED",
        phase: "response",
        detail: `body ended after ${failure.received} bytes${failure.expected !== undefined ? ` of ${failure.expected}` : ""}`,
        hint: TRUNCATED_HINT,
      };

    case "http-parse": {
      const e = failure.error;
      const code = String(e.code);
      const detail = `${code} at byte ${e.offset}${e.message ? `: ${e.message}` : ""}`;
      // One concept, one code: a truncated body is the same failure however it was detected.
      if (code === "TRUNCATED_BODY") {
        return { code: "BODY_TRUNCATED", phase: "response", detail, hint: TRUNCATED_HINT };
      }
      const known = own(PARSE_HINTS, code);
      return {
        code: known ? `HTTP_${code}` : "HTTP_PARSE_ERROR",
        phase: "response",
        detail,
        hint: known ?? "the response could not be parsed: capture the raw response (curl -v) and compare",
      };
    }

    case "http-status":
      return statusDiagnosis(failure);

    case "redirect":
      return redirectDiagnosis(failure);
  }
  // Reached only from untyped callers; a log line is still better than a throw.
  return { code: "UNKNOWN_FAILURE", phase: "response", detail: String((failure as { kind?: unknown }).kind), hint: "unrecognised failure kind: this is an engine bug; report it" };
}

/** The diagnosis as one console line: `CODE [phase] detail -> hint`. */
export function formatDiagnosis(d: Diagnosis): string {
  return `${d.code} [${d.phase}] ${d.detail} -> ${d.hint}`;
}
