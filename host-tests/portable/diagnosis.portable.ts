import { diagnose, DiagnosisContext, Failure, formatDiagnosis } from "../../modules/client/diagnosis";
import { explainAlert, parseAlertText, TLS_ALERTS, tlsAlert } from "../../modules/tls/alerts";
import { Json, PortableCase, PortableSuite } from "./suite";

const NOW = Date.UTC(2026, 5, 1);
const CLOCK_1970 = 5000;
const CTX: DiagnosisContext = { offeredTls: "1.2", verify: true, nowMs: NOW, buildYear: 2026, host: "api.example.com" };

type Row = [name: string, failure: Failure, ctx: DiagnosisContext, code: string, phase: string];

// One row per code path of diagnose(): [case, failure, context, expected code, expected phase].
const ROWS: Row[] = [
  // Received alerts.
  ["alert 70 after offering 1.2", { kind: "tls-error", text: "TLS: alert: 2, 70" }, CTX, "TLS_ALERT_PROTOCOL_VERSION", "tls-handshake"],
  ["alert 40", { kind: "tls-error", text: "TLS: alert: 2, 40" }, CTX, "TLS_ALERT_HANDSHAKE_FAILURE", "tls-handshake"],
  ["alert 112 at warning level", { kind: "tls-error", text: "TLS: alert: 1, 112" }, CTX, "TLS_ALERT_UNRECOGNIZED_NAME", "tls-handshake"],
  ["alert 20 on a record", { kind: "tls-error", text: "alert: 2, 20", phase: "tls-record" }, CTX, "TLS_ALERT_BAD_RECORD_MAC", "tls-record"],
  ["alert number not in the registry", { kind: "tls-error", text: "TLS: alert: 2, 199" }, CTX, "TLS_ALERT_UNKNOWN", "tls-handshake"],
  // Certificate verification.
  ["auth err, clock at 1970", { kind: "tls-error", text: "TLS: certificate: auth err" }, { ...CTX, nowMs: CLOCK_1970 }, "TLS_CLOCK_NOT_SET", "tls-handshake"],
  ["leaf sent alone, no embedded CA signed it", { kind: "tls-error", text: "certificate: auth err: the server sent only its leaf certificate, and no embedded CA signed it" }, CTX, "TLS_CERT_LEAF_ONLY", "tls-handshake"],
  ["leaf used as an issuer", { kind: "tls-error", text: "certificate: auth err: certificate 2 of the chain signs certificate 1 but is not a CA (no basicConstraints CA:TRUE)" }, CTX, "TLS_CERT_NOT_CA", "tls-handshake"],
  ["SHA-1 signature", { kind: "tls-error", text: "certificate: auth err: certificate 1 of the chain is signed with sha1WithRSAEncryption, too weak to trust" }, CTX, "TLS_CERT_WEAK_SIGNATURE", "tls-handshake"],
  ["RSA key under 2048 bits", { kind: "tls-error", text: "certificate: auth err: certificate 2 of the chain has a 1024-bit RSA key, under the 2048 bits required" }, CTX, "TLS_CERT_WEAK_KEY", "tls-handshake"],
  ["IP host without an IP entry", { kind: "tls-error", text: "certificate: auth err: no IP address entry 127.0.0.1 in the certificate's subjectAltName" }, CTX, "TLS_CERT_NAME_MISMATCH", "tls-handshake"],
  ["host name not listed", { kind: "tls-error", text: "certificate: auth err: api.example.com is not a DNS name in the certificate's subjectAltName" }, CTX, "TLS_CERT_NAME_MISMATCH", "tls-handshake"],
  ["not TLS (the edges' text)", { kind: "tls-error", text: 'not TLS: the first bytes from the server (HTTP/) are not a TLS record' }, CTX, "TLS_NOT_TLS", "tls-handshake"],
  ["the simulator's failed connect, seen at the first write", { kind: "tls-error", text: "no TCP connection (refused or unreachable: the socket does not say which)", phase: "tls-handshake" }, CTX, "CONNECT_FAILED", "connect"],
  ["auth err, otherwise", { kind: "tls-error", text: "TLS: certificate: auth err" }, CTX, "TLS_CERT_UNTRUSTED", "tls-handshake"],
  ["auth err, no context at all", { kind: "tls-error", text: "TLS: certificate: auth err" }, {}, "TLS_CERT_UNTRUSTED", "tls-handshake"],
  ["date failure, clock at 1970", { kind: "tls-error", text: "Error: date validation failed" }, { ...CTX, nowMs: CLOCK_1970 }, "TLS_CLOCK_NOT_SET", "tls-handshake"],
  ["date failure from the constructor, clock at 1970", { kind: "tls-error", text: "date validation failed", phase: "connect" }, { ...CTX, nowMs: CLOCK_1970 }, "TLS_CLOCK_NOT_SET", "connect"],
  ["date failure from the constructor: the CA", { kind: "tls-error", text: "date validation failed", phase: "connect" }, CTX, "TLS_CA_EXPIRED", "connect"],
  ["date failure in the handshake: the server's certificate", { kind: "tls-error", text: "date validation failed" }, CTX, "TLS_CERT_EXPIRED", "tls-handshake"],
  ["SDK CA store entry not in the build", { kind: "tls-error", text: "URIError: Resource not found: ca106.der" }, CTX, "TLS_CA_RESOURCE_MISSING", "tls-handshake"],
  ["TLS resource missing", { kind: "tls-error", text: "URIError: Resource not found: ca.ski" }, CTX, "TLS_RESOURCE_MISSING", "tls-handshake"],
  ["RSASSA-PSS signature", { kind: "tls-error", text: "Error: Cert: unsupported algorithm: 1,2,840,113549,1,1,10" }, CTX, "TLS_CERT_UNSUPPORTED_ALGORITHM", "tls-handshake"],
  ["unknown signature OID", { kind: "tls-error", text: "Cert: unsupported algorithm: 1,2,3" }, CTX, "TLS_CERT_UNSUPPORTED_ALGORITHM", "tls-handshake"],
  ["certificate on P-521", { kind: "tls-error", text: "Error: x509: unsupported curve" }, CTX, "TLS_CERT_UNSUPPORTED_KEY", "tls-handshake"],
  ["certificate with explicit curve parameters", { kind: "tls-error", text: "x509: support named curves only for now" }, CTX, "TLS_CERT_UNSUPPORTED_KEY", "tls-handshake"],
  ["unparsable server certificate", { kind: "tls-error", text: "Error: x509: malformed TBS" }, CTX, "TLS_CERT_MALFORMED", "tls-handshake"],
  ["unparsable embedded CA", { kind: "tls-error", text: "Error: x509: malformed input", phase: "connect" }, CTX, "TLS_CERT_MALFORMED", "connect"],
  ["BER error", { kind: "tls-error", text: "Error: BER: not a sequence" }, CTX, "TLS_CERT_MALFORMED", "tls-handshake"],
  ["certificate date format", { kind: "tls-error", text: "Error: unexpected date" }, CTX, "TLS_CERT_MALFORMED", "tls-handshake"],
  // Negotiation and protocol.
  ["cipher not offered (SDK spelling)", { kind: "tls-error", text: "TLS: handshake: unsuppoorted cipher" }, CTX, "TLS_NO_SHARED_CIPHER", "tls-handshake"],
  ["key exchange not supported", { kind: "tls-error", text: "TLS: serverKeyExchange: unsupported algorithm: 5" }, CTX, "TLS_NO_SHARED_CIPHER", "tls-handshake"],
  ["server picked another curve", { kind: "tls-error", text: "TLS: unsupported curve" }, CTX, "TLS_UNSUPPORTED_CURVE", "tls-handshake"],
  ["server sent explicit curve", { kind: "tls-error", text: "TLS: invalid curve type" }, CTX, "TLS_UNSUPPORTED_CURVE", "tls-handshake"],
  ["key exchange signature", { kind: "tls-error", text: "TLS: serverKeyExchange: failed to verify signature" }, CTX, "TLS_SERVER_SIGNATURE_INVALID", "tls-handshake"],
  ["finished check", { kind: "tls-error", text: "TLS: finished: auth err" }, CTX, "TLS_HANDSHAKE_INTEGRITY", "tls-handshake"],
  ["record MAC (CBC)", { kind: "tls-error", text: "TLS: recordProtocol: auth failed" }, CTX, "TLS_RECORD_AUTH_FAILED", "tls-record"],
  ["record tag (GCM)", { kind: "tls-error", text: "TLS: recordProtocol auth failed" }, CTX, "TLS_RECORD_AUTH_FAILED", "tls-record"],
  ["plain HTTP on the port", { kind: "tls-error", text: "TLS: recordProtocol: bad data" }, CTX, "TLS_NOT_TLS", "tls-handshake"],
  ["unknown handshake message", { kind: "tls-error", text: "TLS: handshake: unknown type: 4" }, CTX, "TLS_PROTOCOL_ERROR", "tls-handshake"],
  ["compression", { kind: "tls-error", text: "TLS: handshake: unsupported compression" }, CTX, "TLS_PROTOCOL_ERROR", "tls-handshake"],
  ["change cipher spec", { kind: "tls-error", text: "TLS: changeCipherSpec: bad type" }, CTX, "TLS_PROTOCOL_ERROR", "tls-handshake"],
  ["client certificate signing", { kind: "tls-error", text: "TLS: certificateVerify: unimplemented" }, CTX, "TLS_CLIENT_CERT_UNSUPPORTED", "tls-handshake"],
  ["bad protocolVersion", { kind: "tls-error", text: "TLS: protocolVersion: not supported", phase: "connect" }, CTX, "TLS_CONFIG_VERSION", "connect"],
  ["bad ALPN name", { kind: "tls-error", text: "Error: invalid protocol" }, CTX, "TLS_CONFIG_ALPN", "tls-handshake"],
  ["write overflow", { kind: "tls-error", text: "Error: can't write all data" }, CTX, "REQUEST_WRITE_OVERFLOW", "request"],
  ["write too large", { kind: "tls-error", text: "Error: too large", phase: "tls-record" }, CTX, "REQUEST_WRITE_OVERFLOW", "tls-record"],
  ["heap exhausted", { kind: "tls-error", text: "memory full" }, CTX, "OUT_OF_MEMORY", "tls-record"],
  ["stream reader ran past the end", { kind: "tls-error", text: "Error" }, CTX, "TLS_MALFORMED_MESSAGE", "tls-handshake"],
  ["empty text", { kind: "tls-error", text: "" }, CTX, "TLS_MALFORMED_MESSAGE", "tls-handshake"],
  ["the device's own alert 70 (server below the required version)", { kind: "tls-error", text: "TLS: alert sent: 2, 70" }, CTX, "TLS_SERVER_VERSION_TOO_LOW", "tls-handshake"],
  ["the server's close_notify during the handshake", { kind: "tls-error", text: "TLS: handshake closed by the server (close_notify)" }, CTX, "TLS_HANDSHAKE_CLOSED", "tls-handshake"],
  ["a forged link in the chain (the edges' text)", { kind: "tls-error", text: "certificate: auth err: certificate 1 of the chain is not signed by certificate 2" }, CTX, "TLS_CERT_CHAIN_BROKEN", "tls-handshake"],
  ["stack fault after a lower server version", { kind: "tls-error", text: "TypeError: unpacketize: cannot coerce undefined to object" }, CTX, "TLS_STACK_FAULT", "tls-handshake"],
  ["unknown text", { kind: "tls-error", text: "RangeError: something new" }, CTX, "TLS_ERROR_UNKNOWN", "tls-handshake"],
  // Socket errors without text.
  ["-2 in the handshake", { kind: "socket-error", phase: "tls-handshake" }, CTX, "TLS_ERROR_UNKNOWN", "tls-handshake"],
  ["-2 in the handshake, clock at 1970", { kind: "socket-error", phase: "tls-handshake" }, { ...CTX, nowMs: CLOCK_1970 }, "TLS_CLOCK_NOT_SET", "tls-handshake"],
  ["-2 on a record", { kind: "socket-error", phase: "tls-record" }, CTX, "TLS_ERROR_UNKNOWN", "tls-record"],
  ["-2 while resolving", { kind: "socket-error", phase: "dns" }, CTX, "DNS_FAILED", "dns"],
  ["-2 while connecting", { kind: "socket-error", phase: "connect" }, CTX, "CONNECT_FAILED", "connect"],
  ["-2 in the response", { kind: "socket-error", phase: "response" }, CTX, "SOCKET_ERROR", "response"],
  // Disconnects.
  ["closed in the handshake", { kind: "disconnect", phase: "tls-handshake" }, CTX, "TLS_HANDSHAKE_CLOSED", "tls-handshake"],
  ["closed before any response byte", { kind: "disconnect", phase: "response", tlsEstablished: true, bytesReceived: 0 }, CTX, "CONNECTION_CLOSED_EARLY", "response"],
  ["closed while sending", { kind: "disconnect", phase: "request" }, {}, "CONNECTION_CLOSED_EARLY", "request"],
  ["closed mid-response", { kind: "disconnect", phase: "response", bytesReceived: 120 }, CTX, "CONNECTION_CLOSED", "response"],
  ["closed while connecting", { kind: "disconnect", phase: "connect" }, CTX, "CONNECTION_CLOSED", "connect"],
  // Timeouts.
  ["connect timeout", { kind: "timeout", which: "connect", ms: 10000 }, CTX, "TIMEOUT_CONNECT", "timeout"],
  ["handshake timeout", { kind: "timeout", which: "handshake" }, CTX, "TIMEOUT_HANDSHAKE", "timeout"],
  ["first byte timeout", { kind: "timeout", which: "first-byte" }, CTX, "TIMEOUT_FIRST_BYTE", "timeout"],
  ["idle timeout", { kind: "timeout", which: "idle" }, CTX, "TIMEOUT_IDLE", "timeout"],
  ["total timeout", { kind: "timeout", which: "total" }, CTX, "TIMEOUT_TOTAL", "timeout"],
  // Network.
  ["DNS", { kind: "dns", host: "api.example.com" }, CTX, "DNS_FAILED", "dns"],
  ["reset in the handshake", { kind: "reset", phase: "tls-handshake" }, CTX, "CONNECTION_RESET", "tls-handshake"],
  ["reset in the response", { kind: "reset", phase: "response" }, CTX, "CONNECTION_RESET", "response"],
  ["DNS timeout", { kind: "timeout", which: "dns", ms: 10000 }, CTX, "TIMEOUT_DNS", "timeout"],
  // HTTP parse errors.
  ["bad status line", { kind: "http-parse", error: { code: "BAD_STATUS_LINE", offset: 0 } }, CTX, "HTTP_BAD_STATUS_LINE", "response"],
  ["bad header line", { kind: "http-parse", error: { code: "BAD_HEADER_LINE", offset: 17 } }, CTX, "HTTP_BAD_HEADER_LINE", "response"],
  ["headers too large", { kind: "http-parse", error: { code: "HEADERS_TOO_LARGE", offset: 8192 } }, CTX, "HTTP_HEADERS_TOO_LARGE", "response"],
  ["bad content length", { kind: "http-parse", error: { code: "BAD_CONTENT_LENGTH", offset: 40 } }, CTX, "HTTP_BAD_CONTENT_LENGTH", "response"],
  ["conflicting content length", { kind: "http-parse", error: { code: "CONFLICTING_CONTENT_LENGTH", offset: 60 } }, CTX, "HTTP_CONFLICTING_CONTENT_LENGTH", "response"],
  ["bad transfer encoding", { kind: "http-parse", error: { code: "BAD_TRANSFER_ENCODING", offset: 60 } }, CTX, "HTTP_BAD_TRANSFER_ENCODING", "response"],
  ["bad chunk size", { kind: "http-parse", error: { code: "BAD_CHUNK_SIZE", offset: 99 } }, CTX, "HTTP_BAD_CHUNK_SIZE", "response"],
  ["chunk size overflow", { kind: "http-parse", error: { code: "CHUNK_SIZE_OVERFLOW", offset: 99 } }, CTX, "HTTP_CHUNK_SIZE_OVERFLOW", "response"],
  ["bad chunk data", { kind: "http-parse", error: { code: "BAD_CHUNK_DATA", offset: 99 } }, CTX, "HTTP_BAD_CHUNK_DATA", "response"],
  ["upgrade not requested", { kind: "http-parse", error: { code: "UPGRADE_NOT_REQUESTED", offset: 0 } }, CTX, "HTTP_UPGRADE_NOT_REQUESTED", "response"],
  ["unexpected EOF", { kind: "http-parse", error: { code: "UNEXPECTED_EOF", offset: 30 } }, CTX, "HTTP_UNEXPECTED_EOF", "response"],
  ["parser finished", { kind: "http-parse", error: { code: "PARSER_FINISHED", offset: 300 } }, CTX, "HTTP_PARSER_FINISHED", "response"],
  ["truncated body from the parser", { kind: "http-parse", error: { code: "TRUNCATED_BODY", offset: 300 } }, CTX, "BODY_TRUNCATED", "response"],
  ["parse code not known", { kind: "http-parse", error: { code: "SOMETHING_NEW", offset: 3 } }, CTX, "HTTP_PARSE_ERROR", "response"],
  // HTTP status.
  ["400", { kind: "http-status", status: 400 }, CTX, "HTTP_STATUS_400", "response"],
  ["401", { kind: "http-status", status: 401 }, CTX, "HTTP_STATUS_401", "response"],
  ["403", { kind: "http-status", status: 403 }, CTX, "HTTP_STATUS_403", "response"],
  ["404", { kind: "http-status", status: 404, reason: "Not Found" }, CTX, "HTTP_STATUS_404", "response"],
  ["408", { kind: "http-status", status: 408 }, CTX, "HTTP_STATUS_408", "response"],
  ["429", { kind: "http-status", status: 429, retryAfter: "30" }, CTX, "HTTP_STATUS_429", "response"],
  ["500", { kind: "http-status", status: 500 }, CTX, "HTTP_STATUS_500", "response"],
  ["502", { kind: "http-status", status: 502 }, CTX, "HTTP_STATUS_502", "response"],
  ["503", { kind: "http-status", status: 503 }, CTX, "HTTP_STATUS_503", "response"],
  ["504", { kind: "http-status", status: 504 }, CTX, "HTTP_STATUS_504", "response"],
  ["other 4xx", { kind: "http-status", status: 418 }, CTX, "HTTP_STATUS_418", "response"],
  ["other 5xx", { kind: "http-status", status: 507 }, CTX, "HTTP_STATUS_507", "response"],
  // Redirects.
  ["too many redirects", { kind: "redirect", problem: "too-many", count: 6, limit: 5 }, CTX, "REDIRECT_TOO_MANY", "response"],
  ["redirect loop", { kind: "redirect", problem: "loop", location: "https://api.example.com/a" }, CTX, "REDIRECT_LOOP", "response"],
  ["downgrade", { kind: "redirect", problem: "downgrade", location: "http://api.example.com/" }, CTX, "REDIRECT_DOWNGRADE_REFUSED", "response"],
  ["missing Location", { kind: "redirect", problem: "missing-location" }, CTX, "REDIRECT_MISSING_LOCATION", "response"],
];

const tableCases: PortableCase[] = ROWS.map(([name, failure, ctx, code, phase]) => ({
  name: `${name} -> ${code}`,
  run: () => {
    const d = diagnose(failure, ctx);
    return { code: d.code, phase: d.phase };
  },
  expected: { code, phase },
}));

function hint(failure: Failure, ctx: DiagnosisContext = CTX): string {
  return diagnose(failure, ctx).hint;
}

/** Whether each fragment occurs in the text, so a case shows which one went missing. */
function mentions(text: string, fragments: string[]): Json {
  const out: { [k: string]: Json } = {};
  for (const f of fragments) out[f] = text.indexOf(f) >= 0;
  return out;
}

function allTrue(fragments: string[]): Json {
  const out: { [k: string]: Json } = {};
  for (const f of fragments) out[f] = true;
  return out;
}

function mentionCase(name: string, text: () => string, fragments: string[]): PortableCase {
  return { name, run: () => mentions(text(), fragments), expected: allTrue(fragments) };
}

function alertJson(text: string): Json {
  const a = parseAlertText(text);
  return a ? { level: a.level, description: a.description } : null;
}

const ALERT_NUMBERS = [0, 10, 20, 21, 22, 30, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 60, 70, 71, 80, 86, 90, 100, 109, 110, 111, 112, 113, 114, 115, 116, 120, 121];

export const suite: PortableSuite = {
  name: "TLS alerts and failure diagnosis",
  cases: [
    ...tableCases,
    {
      name: "the registry holds every required alert, each with a code, a cause and a fix",
      run: () => ALERT_NUMBERS.filter((n) => {
        const a = tlsAlert(n);
        return !a || !a.cause || !a.fix || a.code !== `TLS_ALERT_${a.name.toUpperCase()}`;
      }),
      expected: [],
    },
    { name: "registry numbers are sorted and unique", run: () => TLS_ALERTS.every((a, i) => i === 0 || TLS_ALERTS[i - 1].description < a.description), expected: true },
    { name: "the device itself sends only close_notify and protocol_version", run: () => TLS_ALERTS.filter((a) => a.deviceSends).map((a) => a.description), expected: [0, 70] },
    { name: "reserved entries", run: () => TLS_ALERTS.filter((a) => a.reserved).map((a) => a.description), expected: [21, 30, 41, 60, 111, 114] },
    {
      name: "every alert's diagnosis code",
      run: () => ALERT_NUMBERS.map((n) => diagnose({ kind: "tls-error", text: `TLS: alert: 2, ${n}` }, CTX).code),
      expected: ALERT_NUMBERS.map((n) => `TLS_ALERT_${(tlsAlert(n) as { name: string }).name.toUpperCase()}`),
    },
    { name: "alert text parsing: level first", run: () => alertJson("TLS: alert: 1, 112"), expected: { level: 1, description: 112 } },
    { name: "alert text parsing: bare message", run: () => alertJson("alert: 2, 70"), expected: { level: 2, description: 70 } },
    { name: "alert text parsing: not an alert", run: () => alertJson("TLS: certificate: auth err"), expected: null },
    mentionCase("70 after offering 1.2: the device is the limited side (no TLS 1.3)", () => hint({ kind: "tls-error", text: "TLS: alert: 2, 70" }), ["protocol_version (70)", "TLS 1.3", "device is the limited side"]),
    mentionCase("70 after offering 1.1: raise to 1.2", () => hint({ kind: "tls-error", text: "TLS: alert: 2, 70" }, { offeredTls: "1.1" }), ["TLS 1.1", "tlsVersion to 1.2"]),
    mentionCase("70 with the offer unknown: both readings", () => explainAlert({ level: 2, description: 70 }).hint, ["1.0/1.1", "TLS 1.3"]),
    mentionCase("40 names the manifest switches and the curve", () => hint({ kind: "tls-error", text: "TLS: alert: 2, 40" }), ["config.tls.DHE_RSA", "config.tls.ECDHE_RSA", "secp256r1"]),
    mentionCase("a warning-level alert still aborts", () => hint({ kind: "tls-error", text: "TLS: alert: 1, 112" }), ["warning level", "SNI"]),
    mentionCase("48 received means the server rejects the client certificate", () => hint({ kind: "tls-error", text: "TLS: alert: 2, 48" }), ["client certificate"]),
    mentionCase("auth err names the probe for the root to embed", () => hint({ kind: "tls-error", text: "certificate: auth err" }), ["npm run probe -- https://api.example.com", "certs -- add"]),
    mentionCase("hints keep the target's port", () => hint({ kind: "tls-error", text: "certificate: auth err" }, { ...CTX, host: "127.0.0.1", port: 19443 }), ["npm run probe -- https://127.0.0.1:19443"]),
    mentionCase("openssl commands keep the target's port", () => hint({ kind: "tls-error", text: "alert sent: 2, 70" }, { ...CTX, host: "127.0.0.1", port: 19443 }), ["-connect 127.0.0.1:19443"]),
    mentionCase("the default port is left out of the probe command", () => hint({ kind: "tls-error", text: "certificate: auth err" }), ["npm run probe -- https://api.example.com names"]),
    mentionCase("an IP host with a DNS-only certificate is told to add an IP entry", () => hint({ kind: "tls-error", text: "certificate: auth err: no IP address entry 10.0.0.5 in the certificate's subjectAltName" }), ["IP:10.0.0.5", "DNS entry holding the same text does not count"]),
    {
      name: "no hint names a configuration key the firmware does not have",
      run: () => ROWS.map(([name, f, ctx]) => [name, diagnose(f, ctx).hint] as const)
        .filter(([, h]) => /trace: true|cache: false|\btls: "/.test(h)).map(([name]) => name),
      expected: [],
    },
    {
      name: "no hint hard-codes port 443",
      run: () => ROWS.map(([name, f]) => [name, diagnose(f, { ...CTX, port: 8443 }).hint] as const).filter(([, h]) => /:443\b/.test(h)).map(([name]) => name),
      expected: [],
    },
    mentionCase("clock not set says SNTP", () => hint({ kind: "tls-error", text: "date validation failed" }, { ...CTX, nowMs: CLOCK_1970 }), ["1970-01-01T00:00:05.000Z", "2026", "SNTP"]),
    mentionCase("expired certificate shows the device time", () => hint({ kind: "tls-error", text: "date validation failed" }), ["2026-06-01T00:00:00.000Z", "renew"]),
    mentionCase("a missing CA resource names the manifest line", () => hint({ kind: "tls-error", text: "URIError: Resource not found: ca106.der" }), ['"$(MODULES)/crypt/data/ca106"']),
    mentionCase("PSS is named", () => hint({ kind: "tls-error", text: "Cert: unsupported algorithm: 1,2,840,113549,1,1,10" }), ["RSASSA-PSS"]),
    mentionCase("unknown OIDs are shown dotted", () => hint({ kind: "tls-error", text: "Cert: unsupported algorithm: 1,2,3" }), ["OID 1.2.3"]),
    mentionCase("429 passes Retry-After on", () => hint({ kind: "http-status", status: 429, retryAfter: "30" }), ["Retry-After: 30"]),
    {
      name: "redirect details drop credentials and query strings",
      run: () => diagnose({ kind: "redirect", problem: "loop", location: "https://user:pw@api.example.com/a?token=SECRET#x" }).detail,
      expected: "redirect loop to https://api.example.com/a?…",
    },
    {
      name: "one console line",
      run: () => formatDiagnosis(diagnose({ kind: "http-status", status: 404, reason: "Not Found" })),
      expected: "HTTP_STATUS_404 [response] HTTP 404 Not Found -> the path does not exist on this host: check the URL path, its case and the API version",
    },
    {
      name: "every hint is one line",
      run: () => ROWS.filter(([, f, ctx]) => /[\r\n]/.test(diagnose(f, ctx).hint)).map(([name]) => name),
      expected: [],
    },
  ],
};
