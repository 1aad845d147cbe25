import { buildSecureOptions, TlsUserOptions } from "../../modules/tls/options";
import { Json, PortableSuite } from "./suite";

const CA = Uint8Array.of(0x30, 0x82, 0x01, 0x00);
const CA2 = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00);
const PEM = Uint8Array.from("-----BEGIN CERTIFICATE-----", (c) => c.charCodeAt(0));

/** The JSON view of a build: the secure dictionary with bytes as lengths, warning codes, extra CAs. */
function build(options?: unknown): Json {
  const r = buildSecureOptions(options as TlsUserOptions);
  const secure: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(r.secure)) {
    if (v instanceof Uint8Array) secure[k] = `der:${v.length}`;
    else if (Array.isArray(v)) secure[k] = v.map((x) => (typeof x === "string" ? x : `der:${(x as Uint8Array).length}`));
    else secure[k] = v as Json;
  }
  return {
    secure,
    tls: r.tls,
    register: r.registerCertificates.length,
    warnings: r.warnings.map((w) => `${w.code}${w.everyConnection ? "!" : ""}`),
  };
}

/** Only the error code a build throws (or "ok"). */
function code(options: unknown): Json {
  try {
    buildSecureOptions(options as TlsUserOptions);
    return "ok";
  } catch (e) {
    const err = e as { name: string; code: string; option: string };
    return `${err.name}:${err.code}:${err.option}`;
  }
}

export const suite: PortableSuite = {
  name: "TLS options",
  cases: [
    {
      name: "defaults: TLS 1.2 (0x303, also the minimum), verify, cache, ALPN http/1.1; no CA warns once",
      run: () => build(),
      expected: { secure: { protocolVersion: 0x303, verify: true, cache: true, applicationLayerProtocolNegotiation: ["http/1.1"] }, tls: "1.2", register: 0, warnings: ["TLS_NO_CA"] },
    },
    {
      name: "one CA goes to secure.certificate; further CAs are returned for CertificateManager.register",
      run: () => build({ caCertificates: [CA, CA2.buffer] }),
      expected: { secure: { protocolVersion: 0x303, verify: true, cache: true, applicationLayerProtocolNegotiation: ["http/1.1"], certificate: "der:4" }, tls: "1.2", register: 1, warnings: [] },
    },
    {
      name: "every option set",
      run: () => build({ tls: "1.2", verify: true, cache: false, trace: true, maxFragmentLength: 2048, alpn: [], caCertificates: [CA], clientCertificates: [CA2], clientKey: CA, serverName: "api.example.com" }),
      expected: { secure: { protocolVersion: 0x303, verify: true, cache: false, trace: true, tls_max_fragment_length: 2048, certificate: "der:4", clientKey: "der:4", clientCertificates: ["der:5"], serverName: "api.example.com" }, tls: "1.2", register: 0, warnings: [] },
    },
    { name: "TLS 1.1 only when chosen, with a warning", run: () => build({ tls: "1.1", caCertificates: [CA] }), expected: { secure: { protocolVersion: 0x302, verify: true, cache: true, applicationLayerProtocolNegotiation: ["http/1.1"], certificate: "der:4" }, tls: "1.1", register: 0, warnings: ["TLS_LEGACY_VERSION"] } },
    { name: "TLS 1.0 maps to 0x301", run: () => (build({ tls: "1.0", caCertificates: [CA] }) as { secure: { protocolVersion: number } }).secure.protocolVersion, expected: 0x301 },
    { name: "verify:false warns on every connection and needs no CA", run: () => (build({ verify: false }) as { warnings: Json }).warnings, expected: ["TLS_VERIFY_OFF!"] },
    { name: "TLS 1.3 is a configuration error", run: () => code({ tls: "1.3" }), expected: "ConfigError:CONFIG_TLS_VERSION_UNSUPPORTED:tls" },
    { name: "TLS 1.3 message says SecureSocket stops at 1.2", run: () => buildSecureOptions({ tls: "1.3" as never }) as unknown as Json, expected: { thrown: "ConfigError", code: "CONFIG_TLS_VERSION_UNSUPPORTED", message: 'tls: "1.3" is not available: Moddable SecureSocket implements TLS up to 1.2; use "1.2" (a TLS 1.3-only server cannot be reached directly)' } },
    { name: "unknown version string", run: () => code({ tls: "TLSv1.2" }), expected: "ConfigError:CONFIG_TLS_VERSION_UNKNOWN:tls" },
    { name: "version as a number", run: () => code({ tls: 1.2 }), expected: "ConfigError:CONFIG_BAD_TYPE:tls" },
    { name: "version as 0x303", run: () => code({ tls: 0x303 }), expected: "ConfigError:CONFIG_BAD_TYPE:tls" },
    { name: "verify as a string", run: () => code({ verify: "false" }), expected: "ConfigError:CONFIG_BAD_TYPE:verify" },
    { name: "cache as a number", run: () => code({ cache: 0 }), expected: "ConfigError:CONFIG_BAD_TYPE:cache" },
    { name: "trace as a string", run: () => code({ trace: "yes" }), expected: "ConfigError:CONFIG_BAD_TYPE:trace" },
    { name: "unknown option (typo)", run: () => code({ verfy: false }), expected: "ConfigError:CONFIG_UNKNOWN_OPTION:verfy" },
    { name: "options not an object", run: () => code("1.2"), expected: "ConfigError:CONFIG_BAD_OPTIONS:tls options" },
    { name: "options an array", run: () => code([]), expected: "ConfigError:CONFIG_BAD_OPTIONS:tls options" },
    { name: "null options are the defaults", run: () => code(null), expected: "ok" },
    { name: "max fragment length must be 512..4096 power of two", run: () => code({ maxFragmentLength: 1000 }), expected: "ConfigError:CONFIG_BAD_VALUE:maxFragmentLength" },
    { name: "max fragment length as code 1..4 is refused", run: () => code({ maxFragmentLength: 4 }), expected: "ConfigError:CONFIG_BAD_VALUE:maxFragmentLength" },
    { name: "max fragment length as a string", run: () => code({ maxFragmentLength: "4096" }), expected: "ConfigError:CONFIG_BAD_TYPE:maxFragmentLength" },
    { name: "max fragment length 512", run: () => code({ maxFragmentLength: 512 }), expected: "ok" },
    { name: "alpn not an array", run: () => code({ alpn: "http/1.1" }), expected: "ConfigError:CONFIG_BAD_TYPE:alpn" },
    { name: "alpn entry not a string", run: () => code({ alpn: [1] }), expected: "ConfigError:CONFIG_BAD_TYPE:alpn[0]" },
    { name: "alpn entry empty", run: () => code({ alpn: ["h2", ""] }), expected: "ConfigError:CONFIG_BAD_VALUE:alpn[1]" },
    { name: "alpn entry too long", run: () => code({ alpn: ["x".repeat(256)] }), expected: "ConfigError:CONFIG_BAD_VALUE:alpn[0]" },
    { name: "CA list not an array", run: () => code({ caCertificates: CA }), expected: "ConfigError:CONFIG_BAD_TYPE:caCertificates" },
    { name: "CA as a string", run: () => code({ caCertificates: ["MIIB"] }), expected: "ConfigError:CONFIG_BAD_TYPE:caCertificates[0]" },
    { name: "CA in PEM", run: () => code({ caCertificates: [CA, PEM] }), expected: "ConfigError:CONFIG_CERT_NOT_DER:caCertificates[1]" },
    { name: "CA not a SEQUENCE", run: () => code({ caCertificates: [Uint8Array.of(4, 1, 0)] }), expected: "ConfigError:CONFIG_CERT_NOT_DER:caCertificates[0]" },
    { name: "CA empty", run: () => code({ caCertificates: [new Uint8Array(0)] }), expected: "ConfigError:CONFIG_BAD_VALUE:caCertificates[0]" },
    { name: "CA as a DataView is accepted", run: () => code({ caCertificates: [new DataView(CA.buffer)] }), expected: "ok" },
    { name: "client certificate without key", run: () => code({ clientCertificates: [CA] }), expected: "ConfigError:CONFIG_CLIENT_AUTH_INCOMPLETE:clientKey" },
    { name: "client key without certificate", run: () => code({ clientKey: CA }), expected: "ConfigError:CONFIG_CLIENT_AUTH_INCOMPLETE:clientCertificates" },
    { name: "client key in PEM", run: () => code({ clientCertificates: [CA], clientKey: PEM }), expected: "ConfigError:CONFIG_CERT_NOT_DER:clientKey" },
    { name: "serverName not a string", run: () => code({ serverName: 1 }), expected: "ConfigError:CONFIG_BAD_TYPE:serverName" },
    { name: "serverName with a scheme", run: () => code({ serverName: "https://x.example" }), expected: "ConfigError:CONFIG_BAD_VALUE:serverName" },
  ],
};
