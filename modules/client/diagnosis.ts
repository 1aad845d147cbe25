/**
 * Failure diagnosis: what the engine saw, turned into a stable code, the phase, the raw detail and
 * a one-line fix. Every failed fetch is logged through here, so each classic HTTPS failure on the
 * device ends in a line that names the cause instead of a bare -2 or an alert number, and the
 * host simulator, which feeds it the same failures, prints the same line.
 *
 * This file holds the transport rules (socket errors, disconnects, deadlines, name resolution)
 * and the dispatch; TLS texts are in diagnosis-tls.ts, HTTP results in diagnosis-http.ts.
 */
import {
  clockHint, clockNotSet, hostPort, sClient,
  type Diagnosis, type DiagnosisContext, type Failure, type TimeoutKind,
} from "./diagnosis-context";
import { parseDiagnosis, redirectDiagnosis, statusDiagnosis } from "./diagnosis-http";
import { NO_CONNECTION_HINT, tlsTextDiagnosis } from "./diagnosis-tls";
import { NO_TCP_CONNECTION } from "./io";

export type { Diagnosis, DiagnosisContext, Failure, Phase, RedirectProblem, TimeoutKind } from "./diagnosis-context";

const TIMEOUT_HINTS: { readonly [K in TimeoutKind]: string } = Object.freeze({
  dns: "the name server did not answer in time: check Wi-Fi and that DHCP gave a reachable DNS server, then raise connectTimeout (it bounds the lookup too)",
  connect: "no TCP answer in time: check Wi-Fi, that the host is reachable from this network and the port is open (firewall), then raise connectTimeout",
  handshake: "the TLS handshake did not finish: it takes 1 to 3 s on an ESP32 (more with RSA-4096), so allow 10 s or more with handshakeTimeout; a server that accepts TCP and never answers the ClientHello also ends here",
  "first-byte": "the request was sent but no response started: check the request is complete (Host header, Content-Length) and the server is not overloaded; raise firstByteTimeout for slow endpoints",
  idle: "the response stalled mid-way: the network or server paused; the end of a body must come from Content-Length or chunked framing (or a close), never from waiting",
  total: "the whole fetch exceeded its time budget: raise totalTimeout or fetch less (Range, smaller resources)",
});

const TIMEOUT_CODES: { readonly [K in TimeoutKind]: string } = Object.freeze({
  dns: "TIMEOUT_DNS",
  connect: "TIMEOUT_CONNECT",
  handshake: "TIMEOUT_HANDSHAKE",
  "first-byte": "TIMEOUT_FIRST_BYTE",
  idle: "TIMEOUT_IDLE",
  total: "TIMEOUT_TOTAL",
});

const SOCKET_ERROR_DETAIL = "socket error -2 (no text)";

function socketErrorDiagnosis(failure: Failure & { kind: "socket-error" }, ctx: DiagnosisContext): Diagnosis {
  const phase = failure.phase;
  if (phase === "tls-handshake" || phase === "tls-record") {
    if (phase === "tls-handshake" && clockNotSet(ctx)) {
      return { code: "TLS_CLOCK_NOT_SET", phase, detail: SOCKET_ERROR_DETAIL, hint: clockHint(ctx) };
    }
    return {
      code: "TLS_ERROR_UNKNOWN",
      phase,
      detail: SOCKET_ERROR_DETAIL,
      hint: `SecureSocket ended the connection without an error text: compare with ${sClient(ctx)}`,
    };
  }
  if (phase === "dns") return diagnose({ kind: "dns" }, ctx);
  if (phase === "connect") {
    // The device's socket reports refused, unreachable and reset alike (a bare -2); the host
    // edge's Node does know ECONNREFUSED, but says the same so both lines agree.
    return { code: "CONNECT_FAILED", phase: "connect", detail: NO_TCP_CONNECTION, hint: NO_CONNECTION_HINT(ctx) };
  }
  return { code: "SOCKET_ERROR", phase, detail: SOCKET_ERROR_DETAIL, hint: "the connection failed mid-way: retry with backoff; check Wi-Fi signal strength" };
}

function disconnectDiagnosis(failure: Failure & { kind: "disconnect" }, ctx: DiagnosisContext): Diagnosis {
  const detail = `disconnected (-1) in ${failure.phase}${failure.bytesReceived !== undefined ? ` after ${failure.bytesReceived} response bytes` : ""}`;
  if (failure.phase === "tls-handshake") {
    return {
      code: "TLS_HANDSHAKE_CLOSED",
      phase: failure.phase,
      detail,
      hint: `the server closed during the handshake without an alert (silent refusal of the TLS version, SNI or ciphers): compare with ${sClient(ctx)}`,
    };
  }
  if ((failure.phase === "request" || failure.phase === "response") && !failure.bytesReceived) {
    return {
      code: "CONNECTION_CLOSED_EARLY",
      phase: failure.phase,
      detail,
      hint: "the server closed before answering: a reused idle connection or a server that drops the request; retried on a new connection",
    };
  }
  return { code: "CONNECTION_CLOSED", phase: failure.phase, detail, hint: "the server closed the connection unexpectedly: retry with backoff" };
}

/** Turns what the engine saw into a log-ready diagnosis. Never throws. */
export function diagnose(failure: Failure, ctx: DiagnosisContext = {}): Diagnosis {
  switch (failure.kind) {
    case "tls-error":
      return tlsTextDiagnosis(String(failure.text), failure, ctx);

    case "socket-error":
      return socketErrorDiagnosis(failure, ctx);

    case "disconnect":
      return disconnectDiagnosis(failure, ctx);

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
        detail: `could not resolve ${failure.host ?? ctx.host ?? "host"}`,
        hint: "the name server has no address for this name: check the host name's spelling, that Wi-Fi is connected and that DHCP gave a DNS server",
      };

    case "reset":
      return {
        code: "CONNECTION_RESET",
        phase: failure.phase,
        detail: `the peer reset the connection (TCP RST or abort) in ${failure.phase}`,
        hint: failure.phase === "tls-handshake"
          ? `the server or a firewall reset the handshake (often a refused TLS version or SNI): compare with ${sClient(ctx)}`
          : "the server (or a proxy or firewall in between) reset the connection: check the server's logs and limits (request size, keep-alive, rate), then any middlebox; retried with backoff",
      };

    case "http-parse":
      return parseDiagnosis(failure);

    case "http-status":
      return statusDiagnosis(failure);

    case "redirect":
      return redirectDiagnosis(failure);
  }
  // Reached only from untyped callers; a log line is still better than a throw.
  return { code: "UNKNOWN_FAILURE", phase: "response", detail: String((failure as { kind?: unknown }).kind), hint: `unrecognised failure kind (${hostPort(ctx)}): this is an engine bug; report it` };
}

/** The diagnosis as one console line: `CODE [phase] detail -> hint`. */
export function formatDiagnosis(d: Diagnosis): string {
  return `${d.code} [${d.phase}] ${d.detail} -> ${d.hint}`;
}
