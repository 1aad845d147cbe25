import { clientCertificateDiagnosis } from "../../modules/client/client-cert";
import type { Failure } from "../../modules/client/diagnosis";
import { Json, PortableSuite } from "./suite";

const code = (f: Failure, requested: boolean, sent: boolean): Json => {
  const d = clientCertificateDiagnosis(f, requested, sent);
  return d ? d.code : null;
};

export const suite: PortableSuite = {
  name: "mutual TLS failures",
  cases: [
    { name: "asked, none sent, alert 40: required", run: () => code({ kind: "tls-error", text: "TLS: alert: 2, 40", phase: "tls-handshake" }, true, false), expected: "TLS_CLIENT_CERT_REQUIRED" },
    { name: "asked, none sent, alert 116 or a close: required", run: () => [code({ kind: "tls-error", text: "alert: 2, 116" }, true, false), code({ kind: "disconnect", phase: "tls-handshake", tlsEstablished: false }, true, false)], expected: ["TLS_CLIENT_CERT_REQUIRED", "TLS_CLIENT_CERT_REQUIRED"] },
    { name: "asked, sent, alert 48 or a close: rejected", run: () => [code({ kind: "tls-error", text: "TLS: alert: 2, 48", phase: "tls-handshake" }, true, true), code({ kind: "disconnect", phase: "tls-handshake", tlsEstablished: false }, true, true)], expected: ["TLS_CLIENT_CERT_REJECTED", "TLS_CLIENT_CERT_REJECTED"] },
    {
      name: "the reason of a rejection is the alert's (expired: renew)",
      run: () => { const d = clientCertificateDiagnosis({ kind: "tls-error", text: "TLS: alert: 2, 45" }, true, true); return d ? /certificate_expired \(45\).*renew/.test(d.hint) : false; },
      expected: true,
    },
    {
      name: "not asked, or not in the handshake: left to the general diagnosis",
      run: () => [
        code({ kind: "tls-error", text: "TLS: alert: 2, 40", phase: "tls-handshake" }, false, false),
        code({ kind: "tls-error", text: "TLS: alert: 2, 20", phase: "tls-record" }, true, true),
        code({ kind: "disconnect", phase: "response", tlsEstablished: true }, true, true),
        code({ kind: "timeout", which: "handshake", ms: 1000 }, true, false),
      ],
      expected: [null, null, null, null],
    },
    { name: "the hint for a missing certificate names the configuration keys", run: () => { const d = clientCertificateDiagnosis({ kind: "tls-error", text: "TLS: alert: 2, 40" }, true, false); return d ? d.hint.indexOf("clientCertificate and clientKey") > 0 : false; }, expected: true },
  ],
};
