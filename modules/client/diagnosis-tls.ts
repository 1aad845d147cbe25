/**
 * TLS error texts turned into codes and fixes.
 *
 * SecureSocket reports every handshake or record error as message -2 without text; both edges
 * record the exception text (modules/device/tls-socket.ts, host/device-tls.ts) and give the same
 * words for the same failure, without the `TLS: ` class prefix. The texts matched below are the
 * ones the Moddable SDK's TLS stack throws (modules/crypt/ssl, modules/crypt/etc/x509.js), checked
 * against its sources, plus the edges' own (tls/chain-policy.ts, client/io.ts):
 * - `alert: L, D`: an alert RECEIVED from the server (see tls/alerts.ts).
 * - `certificate: auth err`: the stack's chain walk refused the chain (untrusted root, an
 *   intermediate out of date); `certificate: auth err: <why>` when the edges' chain policy did.
 * - `date validation failed`: a certificate outside its validity. Thrown synchronously by the
 *   SecureSocket constructor for the CA in `secure.certificate`, and during the handshake for the
 *   server's leaf.
 * - `Cert: unsupported algorithm: <oid with commas>`: a signature SecureSocket cannot verify.
 * - `x509: ...`, `BER: ...`, `unexpected date`: a certificate it cannot parse.
 * - `Resource not found: ca<N>.der`: the SDK CA store's index names a CA the manifest left out.
 * - `not TLS: ...` (the edges) or `recordProtocol: bad data`: bytes that are not TLS.
 * - `<function>: cannot coerce undefined to object` (an XS TypeError): the stack's own fault.
 * - A bare `Error` with no message: its stream reader ran past the end of a message.
 */
import { deepFreeze } from "../base/freeze";
import { explainAlert, parseAlertText } from "../tls/alerts";
import { MIN_RSA_BITS } from "../tls/chain-policy";
import { NO_TCP_CONNECTION } from "./io";
import {
  clockHint, clockNotSet, deviceTime, hostPort, own, probeCommand, sClient,
  type Diagnosis, type DiagnosisContext, type Failure, type Phase,
} from "./diagnosis-context";

/** Names of signature OIDs the stack reports with commas. */
const SIGNATURE_OIDS: { readonly [oid: string]: string } = Object.freeze({
  "1,2,840,113549,1,1,10": "RSASSA-PSS",
  "1,3,101,112": "Ed25519",
  "1,3,101,113": "Ed448",
  "1,2,840,113549,1,1,2": "MD2 with RSA",
  "1,2,840,113549,1,1,3": "MD4 with RSA",
});

interface TextRule {
  /**
   * Matches the captured text. A function, not a RegExp: a RegExp built while the module is
   * preloaded lives in flash, and XS then gives each match a buffer from the system heap that it
   * never frees and that its GC can corrupt (docs/firmware.md#preloaded-regexp). A literal inside
   * a function is compiled into the XS heap when it runs, which is safe; diagnosis is a cold path.
   */
  match: (text: string) => RegExpExecArray | null;
  code: string;
  /** Default phase when the engine gave none. */
  phase: Phase;
  /** The phase whatever the engine saw (a TCP failure the stack only noticed while writing). */
  fixedPhase?: true;
  hint: (ctx: DiagnosisContext, m: RegExpExecArray, phase: Phase) => string;
}

/** The fix when the TCP connection never came up; also the transport diagnosis's (diagnosis.ts). */
export const NO_CONNECTION_HINT = (ctx: DiagnosisContext) =>
  `nothing answered on ${hostPort(ctx)}: check the port in the URL, that the server is running and listening on this address, and that no firewall drops it`;

const NO_SHARED_CIPHER_HINT =
  "the server chose a cipher suite or key exchange SecureSocket did not offer: keep manifest config.tls.ECDHE_RSA and DHE_RSA true, and make the server accept ECDHE-RSA-AES128-GCM-SHA256 or AES128-SHA256";

const CERT_MALFORMED_HINT = (ctx: DiagnosisContext, phase: Phase) =>
  phase === "connect"
    ? "an embedded certificate could not be parsed: check each CA is DER (not PEM text) and complete"
    : `the server sent a certificate SecureSocket cannot parse (unusual encoding or extension): check the chain with openssl s_client -connect ${hostPort(ctx)} -showcerts`;

const REISSUE = "reissue it (or ask the server's owner to)";

// Rules for exception texts, most specific first. Alerts are handled before these.
const TEXT_RULES: readonly TextRule[] = deepFreeze<TextRule[]>([
  {
    // The device edge's text when the stack itself sent an alert and ended the handshake without
    // a cipher (modules/device/tls-socket.ts): with 70, the server answered below protocolVersion.
    match: (text) => /alert sent: 2, 70\b/.exec(text),
    code: "TLS_SERVER_VERSION_TOO_LOW",
    phase: "tls-handshake",
    hint: (ctx) =>
      `the server answered with a TLS version below the required ${ctx.offeredTls ?? "1.2"}; the device refused it and sent nothing: enable TLS 1.2 on the server (check with ${sClient(ctx)}); a lower tlsVersion does not help, SecureSocket's TLS 1.0/1.1 handshakes fail (TLS_STACK_FAULT)`,
  },
  {
    match: (text) => /handshake closed by the server \(close_notify\)/.exec(text),
    code: "TLS_HANDSHAKE_CLOSED",
    phase: "tls-handshake",
    hint: (ctx) => `the server ended the handshake with close_notify (a silent refusal of the TLS version, SNI or ciphers); the device sent nothing: compare with ${sClient(ctx)}`,
  },
  {
    match: (text) => /^not TLS: |recordProtocol: bad data/.exec(text),
    code: "TLS_NOT_TLS",
    phase: "tls-handshake",
    hint: (ctx) => `${hostPort(ctx)} answered with bytes that are not TLS, typically plain HTTP: use the server's HTTPS port, or an http:// URL for this one`,
  },
  {
    match: (text) => new RegExp(`^${NO_TCP_CONNECTION.replace(/[()]/g, "\\$&")}`).exec(text),
    code: "CONNECT_FAILED",
    phase: "connect",
    fixedPhase: true,
    hint: (ctx) => NO_CONNECTION_HINT(ctx),
  },
  {
    match: (text) => /sent only its leaf certificate/.exec(text),
    code: "TLS_CERT_LEAF_ONLY",
    phase: "tls-handshake",
    hint: () => "the server sends its leaf alone and no embedded CA signed that leaf: configure the server to send its intermediate too (fullchain.pem); if a private CA signs server certificates directly, embed that CA",
  },
  {
    match: (text) => /a root that is not embedded/.exec(text),
    code: "TLS_CERT_UNTRUSTED",
    phase: "tls-handshake",
    hint: (ctx) => `the server's leaf is signed by a root CA the firmware does not embed: ${probeCommand(ctx)} names it; embed it (npm run certs -- add "<root CN>") if you trust it`,
  },
  {
    match: (text) => /is not signed by certificate \d+/.exec(text),
    code: "TLS_CERT_CHAIN_BROKEN",
    phase: "tls-handshake",
    hint: (ctx) => `the server's chain is out of order or holds a certificate that does not belong to it (refused: a forged leaf looks the same): send the leaf, then each issuer in order; check with openssl s_client -connect ${hostPort(ctx)} -showcerts`,
  },
  {
    match: (text) => /is not a CA \(no basicConstraints CA:TRUE\)/.exec(text),
    code: "TLS_CERT_NOT_CA",
    phase: "tls-handshake",
    hint: () => `a certificate that is not a CA signed the next one down the chain (a leaf used as an issuer): issue server certificates from a CA certificate (basicConstraints critical, CA:TRUE); ${REISSUE}`,
  },
  {
    match: (text) => /is signed with \S+, too weak to trust/.exec(text),
    code: "TLS_CERT_WEAK_SIGNATURE",
    phase: "tls-handshake",
    hint: () => `a certificate in the chain has a SHA-1 or MD5 signature, which can be forged: ${REISSUE} with SHA-256`,
  },
  {
    match: (text) => /-bit RSA key, under the \d+ bits required/.exec(text),
    code: "TLS_CERT_WEAK_KEY",
    phase: "tls-handshake",
    hint: () => `a certificate in the chain has an RSA key under ${MIN_RSA_BITS} bits: ${REISSUE} with an RSA ${MIN_RSA_BITS}-bit or ECDSA P-256 key`,
  },
  {
    match: (text) => /no IP address entry (\S+) in the certificate's subjectAltName/.exec(text),
    code: "TLS_CERT_NAME_MISMATCH",
    phase: "tls-handshake",
    hint: (_ctx, m) => `the URL's host is the address ${m[1]}, and the certificate lists no IP:${m[1]} entry (a DNS entry holding the same text does not count): add IP:${m[1]} to its subjectAltName, or use a host name the certificate lists`,
  },
  {
    match: (text) => /(\S+) is not a DNS name in the certificate's subjectAltName/.exec(text),
    code: "TLS_CERT_NAME_MISMATCH",
    phase: "tls-handshake",
    hint: (ctx, m) => `the certificate is not for ${m[1]}: use a host name it lists (openssl s_client -connect ${hostPort(ctx)} | openssl x509 -noout -ext subjectAltName), or reissue it with DNS:${m[1]}`,
  },
  {
    match: (text) => /certificate: auth err/.exec(text),
    code: "TLS_CERT_UNTRUSTED",
    phase: "tls-handshake",
    hint: (ctx) =>
      `the server's chain does not end at an embedded CA (or an intermediate is out of date): ${probeCommand(ctx)} names the root to embed (npm run certs -- add "<root CN>")`,
  },
  {
    // The SDK's CA store: the ca.ski index names the CA, but the ca<N>.der resource itself is only
    // in the firmware when the manifest lists it; the Resource constructor then throws this URIError.
    match: (text) => /Resource not found: (ca\d+)\.der/.exec(text),
    code: "TLS_CA_RESOURCE_MISSING",
    phase: "tls-handshake",
    hint: (_ctx, m) => `the server's CA is ${m[1]} of the SDK CA store, but ${m[1]}.der is not in the firmware: add "$(MODULES)/crypt/data/${m[1]}" to the manifest resources, or embed that root in caFiles`,
  },
  {
    match: (text) => /Resource not found: (\S+)/.exec(text),
    code: "TLS_RESOURCE_MISSING",
    phase: "tls-handshake",
    hint: (_ctx, m) => `the firmware lacks the resource ${m[1]} the TLS stack reads: include the SDK's TLS manifest (modules/crypt/tls.json) and its resources`,
  },
  {
    match: (text) => /Cert: unsupported algorithm:\s*([\d,]+)/.exec(text),
    code: "TLS_CERT_UNSUPPORTED_ALGORITHM",
    phase: "tls-handshake",
    hint: (_ctx, m) => {
      const name = own(SIGNATURE_OIDS, m[1]) ?? `OID ${m[1].split(",").join(".")}`;
      return `a certificate in the chain (or the embedded CA) is signed with ${name}, which SecureSocket cannot verify (it checks RSA PKCS#1 v1.5 and ECDSA only): use an endpoint whose chain uses RSA or ECDSA signatures`;
    },
  },
  {
    match: (text) => /x509: (unsupported curve|support named curves only)/.exec(text),
    code: "TLS_CERT_UNSUPPORTED_KEY",
    phase: "tls-handshake",
    hint: () => "a certificate's EC key is not on P-256 or P-384, the only curves SecureSocket reads in certificates: use an RSA or P-256/P-384 certificate chain",
  },
  {
    match: (text) => /x509: |BER: |unexpected (date|timezone)|PKCS8: |PKCS1: /.exec(text),
    code: "TLS_CERT_MALFORMED",
    phase: "tls-handshake",
    hint: (ctx, _m, phase) => CERT_MALFORMED_HINT(ctx, phase),
  },
  {
    match: (text) => /handshake: unsupp?oo?rted cipher|serverKeyExchange: unsupported algorithm/.exec(text),
    code: "TLS_NO_SHARED_CIPHER",
    phase: "tls-handshake",
    hint: () => NO_SHARED_CIPHER_HINT,
  },
  {
    match: (text) => /^(TLS: )?(unsupported curve|invalid curve type)$/.exec(text),
    code: "TLS_UNSUPPORTED_CURVE",
    phase: "tls-handshake",
    hint: () => "the server chose an ECDHE curve other than secp256r1, the only one offered: enable P-256 (prime256v1) on the server, or set manifest config.tls.ECDHE_RSA false to fall back to RSA/DHE key exchange",
  },
  {
    match: (text) => /serverKeyExchange: failed to verify signature/.exec(text),
    code: "TLS_SERVER_SIGNATURE_INVALID",
    phase: "tls-handshake",
    hint: () => "the server's key-exchange signature does not match its certificate: look for a TLS-intercepting proxy or a misconfigured server key",
  },
  {
    match: (text) => /finished: auth err/.exec(text),
    code: "TLS_HANDSHAKE_INTEGRITY",
    phase: "tls-handshake",
    hint: () => "the handshake's Finished check failed (an altered handshake, or a resumed session the server no longer holds): retry; if it repeats after a restart of the device, look for a middlebox",
  },
  {
    match: (text) => /recordProtocol:? auth failed/.exec(text),
    code: "TLS_RECORD_AUTH_FAILED",
    phase: "tls-record",
    hint: (ctx) => `a TLS record from the server failed authentication (its MAC or tag did not verify): the bytes were altered on the way (a middlebox, an attack) or the server's TLS is faulty; the connection was dropped and nothing of the record was used; retry, and if it repeats, compare with ${sClient(ctx)} and check the path to the server`,
  },
  {
    match: (text) => /handshake: unknown type: (\d+)/.exec(text),
    code: "TLS_PROTOCOL_ERROR",
    phase: "tls-handshake",
    hint: (ctx, m) => `the server sent handshake message type ${m[1]}, which SecureSocket does not implement (4 NewSessionTicket, 22 CertificateStatus): ${probeCommand(ctx)}; try another endpoint`,
  },
  {
    match: (text) => /handshake: unsupported compression|changeCipherSpec: bad type|clientKeyExchange: no DH params/.exec(text),
    code: "TLS_PROTOCOL_ERROR",
    phase: "tls-handshake",
    hint: (ctx) => `the server broke the TLS 1.2 handshake sequence as SecureSocket implements it: compare with ${sClient(ctx)}`,
  },
  {
    match: (text) => /certificateVerify: |clientKeyExchange: no cert/.exec(text),
    code: "TLS_CLIENT_CERT_UNSUPPORTED",
    phase: "tls-handshake",
    hint: () => "SecureSocket could not sign with the client certificate: it needs an RSA client key and an RSA or ECDHE-RSA key exchange (set manifest config.tls.DHE_RSA false)",
  },
  {
    // The ServerHello check for a version below `protocolVersion` only flags alert 70 and returns
    // before a cipher suite is chosen; the next message that needs the suite (ServerKeyExchange)
    // then fails with XS's TypeError text `<function>: cannot coerce undefined to object`.
    match: (text) => /cannot coerce undefined to object/.exec(text),
    code: "TLS_STACK_FAULT",
    phase: "tls-handshake",
    hint: (ctx) =>
      `SecureSocket failed internally; seen on every TLS 1.0/1.1 handshake of SDK 8.2.3 (in ClientKeyExchange)${ctx.offeredTls && ctx.offeredTls !== "1.2" ? `, and tlsVersion is ${ctx.offeredTls}` : ""}: use tlsVersion 1.2 and a server that accepts it (${sClient(ctx)})`,
  },
  {
    match: (text) => /protocolVersion: not supported/.exec(text),
    code: "TLS_CONFIG_VERSION",
    phase: "connect",
    hint: () => "secure.protocolVersion is outside 0x301..0x303: set tlsVersion to 1.2",
  },
  {
    match: (text) => /invalid protocol/.exec(text),
    code: "TLS_CONFIG_ALPN",
    phase: "tls-handshake",
    hint: () => "an ALPN name is empty or longer than 255 bytes: fix the alpn option",
  },
  {
    match: (text) => /can't write all data|^(Error: )?too large$/.exec(text),
    code: "REQUEST_WRITE_OVERFLOW",
    phase: "request",
    hint: () => "the request was written faster than the socket accepts: write at most the writable count per callback",
  },
  {
    match: (text) => /memory full|not enough memory|allocation failed/i.exec(text),
    code: "OUT_OF_MEMORY",
    phase: "tls-record",
    hint: () => "the heap ran out (SecureSocket buffers a whole TLS record, up to 16 KB, before decrypting it): free heap before the request, set maxFragmentLength=4096 for servers that honour it, or raise the XS chunk heap in the manifest",
  },
]);

function alertDiagnosis(text: string, phase: Phase | undefined, ctx: DiagnosisContext): Diagnosis | undefined {
  const alert = parseAlertText(text);
  if (!alert) return undefined;
  const { code, hint } = explainAlert(alert, ctx.offeredTls);
  return { code, phase: phase ?? "tls-handshake", detail: text, hint };
}

/** A TLS error text as a diagnosis. */
export function tlsTextDiagnosis(text: string, given: Failure & { kind: "tls-error" }, ctx: DiagnosisContext): Diagnosis {
  const alert = alertDiagnosis(text, given.phase, ctx);
  if (alert) return alert;

  // A date failure, or a chain the stack refused, with a clock before the build: the clock is
  // the cause (every validity check fails at 1970), whatever else may also be wrong.
  if (/^(?:TLS: |Error: )?(certificate: auth err|date validation failed)$/.test(text) && clockNotSet(ctx)) {
    return { code: "TLS_CLOCK_NOT_SET", phase: given.phase ?? "tls-handshake", detail: text, hint: clockHint(ctx) };
  }
  if (/date validation failed/.test(text)) {
    // Thrown by the constructor: it is the configured CA; during the handshake: the server's leaf.
    if (given.phase === "connect") {
      return {
        code: "TLS_CA_EXPIRED",
        phase: "connect",
        detail: text,
        hint: `the embedded CA certificate is outside its validity at device time ${deviceTime(ctx)}: replace it with the current root (${probeCommand(ctx)} shows it), or check the clock`,
      };
    }
    return {
      code: "TLS_CERT_EXPIRED",
      phase: given.phase ?? "tls-handshake",
      detail: text,
      hint: `the server's certificate is expired or not yet valid at device time ${deviceTime(ctx)}: renew it on the server (openssl s_client -connect ${hostPort(ctx)} | openssl x509 -noout -dates), or correct the clock`,
    };
  }
  for (const rule of TEXT_RULES) {
    const m = rule.match(text);
    if (m) {
      const phase = rule.fixedPhase ? rule.phase : given.phase ?? rule.phase;
      return { code: rule.code, phase, detail: text, hint: rule.hint(ctx, m, phase) };
    }
  }
  if (/^(Error|TLS)?:?\s*$/.test(text)) {
    return {
      code: "TLS_MALFORMED_MESSAGE",
      phase: given.phase ?? "tls-handshake",
      detail: text,
      hint: `the TLS stack read past the end of a message (truncated or non-TLS data): check the port is the server's HTTPS port, retry, and compare with ${sClient(ctx)}`,
    };
  }
  return {
    code: "TLS_ERROR_UNKNOWN",
    phase: given.phase ?? "tls-handshake",
    detail: text,
    hint: `an error text this firmware does not know yet: run ${probeCommand(ctx)} and compare with ${sClient(ctx)}; please report the detail`,
  };
}
