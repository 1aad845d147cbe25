import { assessCompat, verdictLine } from "../../tools/probe/verdict";
import type { CompatFacts, KnownRoot, SuiteResult } from "../../tools/probe/compat-facts";
import { decodePem } from "../../modules/tls/pem";
import { EC_P256_CA, ED25519_CA, EXPIRED, LEAF_SAN, RSA_CA, RSA_PSS_CA } from "./cert-fixtures";
import { Json, PortableSuite } from "./suite";

const der = (pem: string) => decodePem(pem)[0].der;
const NOW = Date.UTC(2026, 0, 1);

/** SecureSocket's suites, device order, with the switch that adds them. */
const DEVICE_SUITES: [string, SuiteResult["switch"]][] = [
  ["AES128-SHA", "always"], ["AES256-SHA", "always"], ["AES128-SHA256", "always"], ["AES256-SHA256", "always"],
  ["DHE-RSA-AES128-SHA256", "DHE_RSA"], ["DHE-RSA-AES256-SHA256", "DHE_RSA"], ["DHE-RSA-AES128-GCM-SHA256", "DHE_RSA"],
  ["ECDHE-RSA-AES128-SHA256", "ECDHE_RSA"], ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE_RSA"], ["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE_RSA"],
];
const suites = (accepted: (name: string) => boolean): SuiteResult[] =>
  DEVICE_SUITES.map(([suite, sw]) => (accepted(suite) ? { suite, switch: sw, accepted: true } : { suite, switch: sw, accepted: false, detail: "alert 40" }));
const RSA_SUITES = suites((s) => s.indexOf("ECDSA") < 0);

const versions = (...accepted: string[]): CompatFacts["versions"] =>
  (["1.0", "1.1", "1.2", "1.3"] as const).map((version) => (accepted.indexOf(version) >= 0 ? { version, accepted: true } : { version, accepted: false, detail: "alert 70" }));

const EMBEDDED_RSA: KnownRoot = { der: der(RSA_CA), source: "certs", file: "test-rsa.pem" };

/** A server that works: TLS 1.2 and 1.3, RSA suites, leaf + CA sent, root embedded. */
function facts(over: Partial<CompatFacts> = {}): CompatFacts {
  return {
    host: "device.example.test", port: 443, versions: versions("1.2", "1.3"), suiteVersion: "1.2", suites: RSA_SUITES,
    chain: [der(LEAF_SAN), der(RSA_CA)], chainSource: "wire", hostNameMatches: true, roots: [EMBEDDED_RSA],
    maxRecordLength: 2048, maxFragment: { requested: 4096, outcome: "ignored", detail: "" }, nowMs: NOW, ...over,
  };
}

/** The verdict as data. */
function judge(over: Partial<CompatFacts> = {}): Json {
  const r = assessCompat(facts(over));
  return {
    canConnect: r.canConnect, line: verdictLine(r), warnings: r.warnings, settings: r.settings,
    anchor: r.anchor ? { subject: r.anchor.subject, embedded: r.anchor.embedded, position: r.anchor.position, sources: r.anchor.sources, addCommand: r.anchor.addCommand ?? null } : null,
  };
}

const line = (over: Partial<CompatFacts>): Json => verdictLine(assessCompat(facts(over)));
const warnings = (over: Partial<CompatFacts>): Json => assessCompat(facts(over)).warnings;

/** RSA_CA with one signature byte changed: another certificate with the same name and key. */
const twin = (() => {
  const d = der(RSA_CA).slice();
  d[d.length - 1] ^= 1;
  return d;
})();

const RSA_ROOT = "CN=Test RSA Root CA, OU=Firmware, O=Example Test, C=US";

export const suite: PortableSuite = {
  name: "server compatibility verdict",
  cases: [
    {
      name: "TLS 1.2, shared suites, two certificates, embedded root: yes",
      run: () => judge(),
      expected: {
        canConnect: true,
        line: `the device can connect: yes, because the server accepts TLS 1.2, it sends 2 certificates (leaf and intermediates), its root "${RSA_ROOT}" is embedded (certs/test-rsa.pem), they share 9 cipher suites, e.g. AES128-SHA`,
        warnings: [], settings: [],
        anchor: { subject: RSA_ROOT, embedded: true, position: 0, sources: ["certs"], addCommand: null },
      },
    },
    {
      name: "TLS 1.3 only: no, alert 70",
      run: () => line({ versions: versions("1.3"), suiteVersion: null, suites: [] }),
      expected: 'the device can connect: no, because device.example.test:443 speaks only TLS 1.3 and SecureSocket stops at TLS 1.2 (the device gets "alert: 2, 70", TLS_ALERT_PROTOCOL_VERSION); fix: enable TLS 1.2 on the server (with ECDHE-RSA-AES128-GCM-SHA256 or AES128-SHA256), or reach it through a TLS 1.2 proxy',
    },
    {
      name: "no handshake at all: no, check the port",
      run: () => line({ versions: versions(), suiteVersion: null, suites: [], chain: [] }),
      expected: "the device can connect: no, because device.example.test:443 completed no TLS handshake with any version from 1.0 to 1.3; fix: check that the port serves HTTPS (not plain HTTP) and that the server is up",
    },
    {
      name: "TLS 1.1 at most: yes, with tlsVersion=1.1 and a warning",
      run: () => {
        const r = assessCompat(facts({ versions: versions("1.0", "1.1"), suiteVersion: "1.1", suites: suites((s) => s === "AES128-SHA" || s === "AES256-SHA") }));
        return { canConnect: r.canConnect, settings: r.settings, warnings: r.warnings, line: verdictLine(r) };
      },
      expected: {
        canConnect: true, settings: ["tlsVersion=1.1"],
        warnings: ["TLS 1.1 is legacy; SecureSocket offers only the version configured, so the firmware needs tlsVersion=1.1"],
        line: `the device can connect: yes, because the server accepts TLS 1.1 (not 1.2), it sends 2 certificates (leaf and intermediates), its root "${RSA_ROOT}" is embedded (certs/test-rsa.pem), they share 2 cipher suites, e.g. AES128-SHA; needs tlsVersion=1.1`,
      },
    },
    {
      name: "no shared suite: no",
      run: () => line({ suites: suites(() => false) }),
      expected: "the device can connect: no, because no cipher suite in common at TLS 1.2: the server accepted none of AES128-SHA, AES256-SHA, AES128-SHA256, AES256-SHA256, DHE-RSA-AES128-SHA256, DHE-RSA-AES256-SHA256, DHE-RSA-AES128-GCM-SHA256, ECDHE-RSA-AES128-SHA256, ECDHE-RSA-AES128-GCM-SHA256, ECDHE-ECDSA-AES128-GCM-SHA256 with curve secp256r1; fix: enable ECDHE-RSA-AES128-GCM-SHA256 (or AES128-SHA256) with curve P-256 on the server",
    },
    {
      name: "only ECDHE suites shared: yes, and the manifest switch must stay on",
      run: () => warnings({ suites: suites((s) => s.indexOf("ECDHE-RSA") === 0) }),
      expected: ["every shared suite needs manifest config.tls.ECDHE_RSA true (the default); do not turn it off"],
    },
    {
      name: "leaf only, no known root signed it: no, send the intermediate",
      run: () => line({ chain: [der(LEAF_SAN)], roots: [] }),
      expected: `the device can connect: no, because device.example.test:443 sends only its leaf certificate, and no embedded CA signed it ("TLS_CERT_LEAF_ONLY"); fix: configure the server to send its intermediate certificate(s) after the leaf (the full chain, e.g. fullchain.pem); for a private CA that signs server certificates directly, embed that CA`,
    },
    {
      name: "leaf only, signed directly by the embedded root: yes (two-tier PKI)",
      run: () => line({ chain: [der(LEAF_SAN)] }),
      expected: `the device can connect: yes, because the server accepts TLS 1.2, it sends only its leaf, signed directly by a root CA (a two-tier PKI the firmware verifies), its root "${RSA_ROOT}" is embedded (certs/test-rsa.pem), they share 9 cipher suites, e.g. AES128-SHA`,
    },
    {
      name: "root known only from the Mozilla store: no, with the add command by CN",
      run: () => judge({ roots: [{ der: der(RSA_CA), source: "mozilla" }] }),
      expected: {
        canConnect: false,
        line: `the device can connect: no, because the chain is anchored by "${RSA_ROOT}", which is not embedded in the firmware; fix: npm run certs -- add "Test RSA Root CA"`,
        warnings: [], settings: [],
        anchor: { subject: RSA_ROOT, embedded: false, position: 0, sources: ["mozilla"], addCommand: 'npm run certs -- add "Test RSA Root CA"' },
      },
    },
    {
      name: "two store roots with the same CN: the command names the fingerprint",
      run: () => (judge({ roots: [{ der: der(RSA_CA), source: "mozilla" }, { der: twin, source: "mozilla" }] }) as { anchor: { addCommand: Json } }).anchor.addCommand,
      expected: "npm run certs -- add B26C201611511F3190DD2D833EF0C9435BD2F9D81B97AD036ECCB149593315EB",
    },
    {
      name: "root from a --roots file, probe given --certs: both repeated in the command, quoted when needed",
      run: () => (judge({ roots: [{ der: der(RSA_CA), source: "roots", file: "pki/roots.pem" }], certsDir: "/tmp/my certs" }) as { anchor: { addCommand: Json } }).anchor.addCommand,
      expected: 'npm run certs -- add "Test RSA Root CA" --from pki/roots.pem --certs "/tmp/my certs"',
    },
    {
      name: "an embedded root wins over the same root in the store",
      run: () => (judge({ roots: [{ der: der(RSA_CA), source: "mozilla" }, EMBEDDED_RSA] }) as { anchor: Json }).anchor,
      expected: { subject: RSA_ROOT, embedded: true, position: 0, sources: ["mozilla", "certs"], addCommand: null },
    },
    {
      name: "no known root: no, add the operator's root from a file",
      run: () => line({ roots: [], certsDir: "certs" }),
      expected: `the device can connect: no, because no known root CA issued "${RSA_ROOT}" (neither in certs/ nor in the Mozilla store); fix: get that root's PEM from the server's operator and embed it: npm run certs -- add path/to/root.pem --certs certs`,
    },
    {
      name: "an RSA-PSS signed certificate in the chain: no",
      run: () => line({ chain: [der(LEAF_SAN), der(RSA_PSS_CA), der(RSA_CA)] }),
      expected: 'the device can connect: no, because chain certificate 1 (CN=Test RSA-PSS Root CA, O=Example Test, C=US) is signed with rsassaPss, which SecureSocket cannot verify ("Cert: unsupported algorithm"); fix: have the certificate issued with RSA PKCS#1 v1.5 (sha256WithRSAEncryption) or ECDSA P-256 signatures',
    },
    {
      name: "an Ed25519 leaf: no",
      run: () => assessCompat(facts({ chain: [der(ED25519_CA), der(RSA_CA)], roots: [EMBEDDED_RSA, { der: der(ED25519_CA), source: "certs", file: "ed.pem" }] })).problems,
      expected: [
        'the leaf is signed with Ed25519, which SecureSocket cannot verify ("Cert: unsupported algorithm")',
        'the root "CN=Test Ed25519 Root CA, O=Example Test, C=US" has an Ed25519 key SecureSocket cannot use',
      ],
    },
    {
      name: "an expired leaf: no",
      run: () => line({ chain: [der(EXPIRED), der(EC_P256_CA)], roots: [{ der: der(EC_P256_CA), source: "certs", file: "p256.pem" }], hostNameMatches: null }),
      expected: 'the device can connect: no, because the leaf expired on 2021-01-01 (the device checks dates: "date validation failed"); fix: renew the server\'s certificate or send a current intermediate',
    },
    {
      name: "host name not in subjectAltName: no",
      run: () => line({ hostNameMatches: false, host: "other.example.test" }),
      expected: "the device can connect: no, because the leaf's subjectAltName does not name other.example.test (the device never uses the common name); fix: connect with a host name the certificate lists, or reissue it with other.example.test in subjectAltName",
    },
    {
      name: "16 KB records: a warning that depends on max_fragment_length",
      run: () => (["honoured", "ignored", "refused", "not-tested"] as const).map((outcome) =>
        warnings({ maxRecordLength: 16401, maxFragment: { requested: 4096, outcome, detail: "" } })),
      expected: [
        ["the server sends TLS records of up to 16401 bytes; SecureSocket buffers a whole record before decrypting it (the server honours max_fragment_length: set maxFragmentLength=4096 to cap records)"],
        ["the server sends TLS records of up to 16401 bytes; SecureSocket buffers a whole record before decrypting it (the server ignores max_fragment_length, so leave that much heap free)"],
        ["the server sends TLS records of up to 16401 bytes; SecureSocket buffers a whole record before decrypting it (and it refuses max_fragment_length: do not set maxFragmentLength)"],
        ["the server sends TLS records of up to 16401 bytes; SecureSocket buffers a whole record before decrypting it (max_fragment_length was not tested)"],
      ],
    },
    {
      name: "small records, but max_fragment_length refused: a warning",
      run: () => warnings({ maxFragment: { requested: 1024, outcome: "refused", detail: "" } }),
      expected: ["the server aborts a handshake that asks for max_fragment_length 1024: do not set maxFragmentLength"],
    },
    {
      name: "chain from Node's view (TLS 1.3) is marked as such",
      run: () => warnings({ chainSource: "node" }),
      expected: ["the chain was taken from Node's view of a TLS 1.3 handshake, not from the wire; it may include a root from Node's store"],
    },
    {
      name: "every problem is listed with its fix",
      run: () => {
        const r = assessCompat(facts({ chain: [der(LEAF_SAN)], roots: [], hostNameMatches: false, suites: suites(() => false) }));
        return { problems: r.problems.length, fixes: r.fixes.length, canConnect: r.canConnect };
      },
      expected: { problems: 3, fixes: 3, canConnect: false },
    },
  ],
};
