/**
 * Server compatibility verdict: can an ESP32 running Moddable's SecureSocket talk to this server?
 *
 * `npm run probe` measures a server from the host (versions, cipher suites, the chain as sent,
 * record sizes) and hands the facts here; this module decides, without any I/O, so the same rules
 * run under jest, in the XS lane and, if wanted, on the device itself. The rules follow the
 * measured SecureSocket limits (SDK 8.2.3):
 * - TLS 1.2 at most; `protocolVersion` is both offered and required, so a server without 1.2 needs
 *   the firmware's `tlsVersion` lowered, and a TLS 1.3-only server answers alert 70.
 * - A fixed list of cipher suites (four RSA key-exchange suites always, DHE-RSA and ECDHE ones by
 *   manifest switch), curve secp256r1 only: the probe tries each one alone.
 * - A chain of one certificate fails verification whatever the CA (the host-name match runs only
 *   while walking two or more); the host name is matched against subjectAltName only.
 * - Signatures: RSA PKCS#1 v1.5 and ECDSA; keys RSA and P-256 (P-384 untested); see x509.ts.
 * - Trust comes only from the CAs embedded in the firmware (certs/), never from a host store.
 * - Whole records are buffered before decryption: 16 KB records cost 16 KB of heap.
 */
import { CertificateSummary, fingerprintSha256, parseCertificate, secureSocketSupport, Support } from "../../modules/tls/x509";
import { chainPolicyError } from "../../modules/tls/chain-policy";
import type { AnchorInfo, CompatFacts, CompatReport, KnownRoot, ProbeVersion } from "./compat-facts";

/**
 * Record payloads above this size are worth a warning: they must fit the device's heap whole.
 * 4 KB of plaintext plus room for the cipher's IV, MAC and padding.
 */
export const LARGE_RECORD = 4096 + 256;

/** "RSA 2048", "RSA-PSS 2048", "EC secp256r1", "Ed25519": a certificate's key in a few words. */
export function keyDescription(s: CertificateSummary): string {
  const k = s.publicKey;
  if (k.type === "rsa") return `RSA ${k.bits}`;
  if (k.type === "rsa-pss") return `RSA-PSS ${k.bits}`;
  if (k.type === "ec") return `EC ${k.curve}`;
  return k.type === "ed25519" ? "Ed25519" : k.type === "ed448" ? "Ed448" : `unknown key ${k.oid}`;
}

/** The subject's CN (the last one when there are several), or null. */
export function commonNameOf(s: CertificateSummary): string | null {
  for (let i = s.subject.attributes.length - 1; i >= 0; i--) {
    if (s.subject.attributes[i].type === "CN") return s.subject.attributes[i].value;
  }
  return null;
}

function worst(a: Support, b: Support): Support {
  if (a === "unsupported" || b === "unsupported") return "unsupported";
  return a === "unknown" || b === "unknown" ? "unknown" : "supported";
}

/** True when `root` can have issued `cert`: same name, and same key id when both carry one. */
export function issuedBy(cert: CertificateSummary, root: CertificateSummary): boolean {
  if (cert.issuer.text !== root.subject.text) return false;
  return cert.authorityKeyId === null || root.subjectKeyId === null || cert.authorityKeyId === root.subjectKeyId;
}

interface ParsedRoot {
  root: KnownRoot;
  summary: CertificateSummary;
  fingerprint: string;
}

/** How `npm run certs -- add` names a root: its CN when that is unique in its source, else its fingerprint. */
function addSelector(root: ParsedRoot, all: ParsedRoot[]): string {
  const cn = commonNameOf(root.summary);
  if (cn !== null && !/["\\$`]/.test(cn)) {
    const same = all.filter((r) => r.root.source === root.root.source && r.fingerprint !== root.fingerprint
      && (commonNameOf(r.summary) ?? "").toLowerCase() === cn.toLowerCase());
    if (same.length === 0) return `"${cn}"`;
  }
  return root.fingerprint.split(":").join("");
}

function quoteArg(text: string): string {
  return /^[A-Za-z0-9_./:@=-]+$/.test(text) ? text : `"${text.replace(/(["\\$`])/g, "\\$1")}"`;
}

/** The certs command that embeds `root`. */
function addCommand(root: ParsedRoot, all: ParsedRoot[], certsOption: string): string {
  const from = root.root.source === "roots" && root.root.file ? ` --from ${quoteArg(root.root.file)}` : "";
  return `npm run certs -- add ${addSelector(root, all)}${from}${certsOption}`;
}

function parseRoots(roots: KnownRoot[]): ParsedRoot[] {
  const out: ParsedRoot[] = [];
  for (const root of roots) {
    try {
      out.push({ root, summary: parseCertificate(root.der), fingerprint: fingerprintSha256(root.der) });
    } catch {
      // A root that does not parse cannot anchor anything; the certs tool reports it.
    }
  }
  return out;
}

/**
 * The root anchoring the chain: for the lowest chain position whose issuer is a known root, that
 * root (an embedded one preferred, then any). Returns null when no known root issued any of them.
 */
function findAnchor(chain: CertificateSummary[], roots: ParsedRoot[]): { position: number; matches: ParsedRoot[] } | null {
  let fallback: { position: number; matches: ParsedRoot[] } | null = null;
  for (let i = 0; i < chain.length; i++) {
    const matches = roots.filter((r) => issuedBy(chain[i], r.summary));
    if (matches.length === 0) continue;
    if (matches.some((m) => m.root.source === "certs")) return { position: i, matches };
    if (fallback === null) fallback = { position: i, matches };
  }
  return fallback;
}

const VERSION_ORDER: ("1.2" | "1.1" | "1.0")[] = ["1.2", "1.1", "1.0"];

/** Decides whether the device can connect, with the reasons and fixes. Pure. */
export function assessCompat(f: CompatFacts): CompatReport {
  const r: CompatReport = {
    canConnect: false, problems: [], fixes: [], because: [], warnings: [], settings: [], chain: [], anchor: null,
    sharedSuites: [], deviceVersion: null,
  };
  const problem = (text: string, fix: string) => {
    r.problems.push(text);
    r.fixes.push(fix);
  };
  const server = `${f.host}:${f.port}`;
  const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

  // Versions.
  const accepted = (v: ProbeVersion) => f.versions.some((x) => x.version === v && x.accepted);
  for (const v of VERSION_ORDER) {
    if (accepted(v)) {
      r.deviceVersion = v;
      break;
    }
  }
  if (r.deviceVersion === null) {
    if (accepted("1.3")) {
      problem(`${server} speaks only TLS 1.3 and SecureSocket stops at TLS 1.2 (the device gets "alert: 2, 70", TLS_ALERT_PROTOCOL_VERSION)`,
        "enable TLS 1.2 on the server (with ECDHE-RSA-AES128-GCM-SHA256 or AES128-SHA256), or reach it through a TLS 1.2 proxy");
    } else {
      problem(`${server} completed no TLS handshake with any version from 1.0 to 1.3`,
        "check that the port serves HTTPS (not plain HTTP) and that the server is up");
    }
  } else if (r.deviceVersion === "1.2") {
    r.because.push("the server accepts TLS 1.2");
  } else {
    r.because.push(`the server accepts TLS ${r.deviceVersion} (not 1.2)`);
    r.settings.push(`tlsVersion=${r.deviceVersion}`);
    r.warnings.push(`TLS ${r.deviceVersion} is legacy; SecureSocket offers only the version configured, so the firmware needs tlsVersion=${r.deviceVersion}`);
  }

  // Chain as sent.
  const summaries: CertificateSummary[] = [];
  for (let i = 0; i < f.chain.length; i++) {
    try {
      summaries.push(parseCertificate(f.chain[i]));
    } catch (e) {
      problem(`certificate ${i} the server sent does not parse (${e instanceof Error ? e.message : String(e)})`,
        "fix the server's certificate file; the device cannot parse what it sends");
      break;
    }
  }
  const roots = parseRoots(f.roots);
  const anchor = summaries.length === f.chain.length ? findAnchor(summaries, roots) : null;
  const anchorRoot = anchor ? (anchor.matches.find((m) => m.root.source === "certs") ?? anchor.matches[0]) : null;
  /** The key that verifies chain[i]: the next one sent, or the anchor for the anchored position. */
  const issuerOf = (i: number): CertificateSummary | null =>
    anchor && anchorRoot && i === anchor.position ? anchorRoot.summary : i + 1 < summaries.length ? summaries[i + 1] : null;
  for (let i = 0; i < summaries.length; i++) {
    const s = summaries[i];
    const own = secureSocketSupport(s);
    const issuer = issuerOf(i);
    const issuerKey = issuer ? secureSocketSupport(issuer).key : "supported";
    // A self-signed certificate at the end is a root: the stack never checks its own signature.
    const selfSigned = s.issuer.text === s.subject.text && i === summaries.length - 1 && i > 0;
    const signature = selfSigned ? "supported" : s.signatureAlgorithm.name.startsWith("ecdsa") ? worst(own.signature, issuerKey) : own.signature;
    r.chain.push({
      subject: s.subject.text, issuer: s.issuer.text, key: keyDescription(s), signature: s.signatureAlgorithm.name,
      notAfter: s.notAfter, fingerprint: fingerprintSha256(f.chain[i]), signatureSupport: signature,
      isCa: !!s.basicConstraints && s.basicConstraints.ca,
    });
    const what = i === 0 ? "the leaf" : `chain certificate ${i} (${s.subject.text})`;
    if (signature === "unsupported") {
      problem(`${what} is signed with ${s.signatureAlgorithm.name}, which SecureSocket cannot verify ("Cert: unsupported algorithm")`,
        "have the certificate issued with RSA PKCS#1 v1.5 (sha256WithRSAEncryption) or ECDSA P-256 signatures");
    } else if (signature === "unknown") {
      r.warnings.push(`${what}: ${own.reason}${issuer ? `; issuer key ${keyDescription(issuer)}` : ""}: untested on a device`);
    }
    if (i > 0 && secureSocketSupport(s).key === "unsupported" && (!anchor || i <= anchor.position)) {
      problem(`${what} has an ${keyDescription(s)} key the stack cannot use to verify the certificate below it`,
        "use a chain whose CAs have RSA or EC P-256 keys");
    }
    if (f.nowMs > s.notAfter && (!anchor || i <= anchor.position)) {
      problem(`${what} expired on ${date(s.notAfter)} (the device checks dates: "date validation failed")`,
        "renew the server's certificate or send a current intermediate");
    } else if (f.nowMs < s.notBefore) {
      problem(`${what} is not valid before ${date(s.notBefore)}`, "check the server's certificate dates");
    }
  }

  if (f.chain.length === 0) {
    if (r.deviceVersion !== null) r.warnings.push("the certificate chain was not seen, so trust was not judged");
  } else if (f.chain.length === 1) {
    // The firmware verifies a leaf sent alone against the embedded CAs (modules/device/tls-socket.ts):
    // fine when a known root signed it directly (the anchor check below says whether it is embedded).
    if (anchor && anchor.position === 0) r.because.push("it sends only its leaf, signed directly by a root CA (a two-tier PKI the firmware verifies)");
    else {
      problem(`${server} sends only its leaf certificate, and no embedded CA signed it ("TLS_CERT_LEAF_ONLY")`,
        "configure the server to send its intermediate certificate(s) after the leaf (the full chain, e.g. fullchain.pem); for a private CA that signs server certificates directly, embed that CA");
    }
  } else {
    r.because.push(`it sends ${f.chain.length} certificates (leaf and intermediates)`);
  }
  if (f.chainSource === "node" && f.chain.length > 0) {
    r.warnings.push("the chain was taken from Node's view of a TLS 1.3 handshake, not from the wire; it may include a root from Node's store");
  }

  const policy = f.chain.length ? chainPolicyError(f.chain, f.host) : undefined;
  if (policy && !/subjectAltName/.test(policy)) {
    problem(`the firmware refuses this chain: ${policy.replace("certificate: auth err: ", "")}`,
      "reissue the certificate: every issuer a CA (CA:TRUE), SHA-256 signatures, RSA keys of 2048 bits or more");
  }
  if (f.hostNameMatches === false) {
    problem(`the leaf's subjectAltName does not name ${f.host} (the device never uses the common name)`,
      `connect with a host name the certificate lists, or reissue it with ${f.host} in subjectAltName`);
  }

  // Trust anchor.
  const certsOption = f.certsDir === undefined ? "" : ` --certs ${quoteArg(f.certsDir)}`;
  if (summaries.length > 0 && summaries.length === f.chain.length) {
    if ((!anchor || !anchorRoot) && summaries.length === 1) {
      r.warnings.push(`the root cannot be found until the server sends the certificate of its issuer "${summaries[0].issuer.text}"`);
    } else if (!anchor || !anchorRoot) {
      const last = summaries[summaries.length - 1];
      problem(`no known root CA issued "${last.issuer.text}" (neither in certs/ nor in the Mozilla store)`,
        `get that root's PEM from the server's operator and embed it: npm run certs -- add path/to/root.pem${certsOption}`);
    } else {
      const sources: KnownRoot["source"][] = [];
      for (const m of anchor.matches) if (sources.indexOf(m.root.source) < 0) sources.push(m.root.source);
      const embedded = anchorRoot.root.source === "certs";
      const info: AnchorInfo = {
        subject: anchorRoot.summary.subject.text, fingerprint: anchorRoot.fingerprint, key: keyDescription(anchorRoot.summary),
        notAfter: anchorRoot.summary.notAfter, position: anchor.position, sources, embedded,
      };
      if (embedded && anchorRoot.root.file !== undefined) info.file = anchorRoot.root.file;
      r.anchor = info;
      const rootKey = secureSocketSupport(anchorRoot.summary).key;
      if (!embedded) {
        info.addCommand = addCommand(anchorRoot, roots, certsOption);
        problem(`the chain is anchored by "${info.subject}", which is not embedded in the firmware`, info.addCommand);
      } else {
        r.because.push(`its root "${info.subject}" is embedded (certs/${info.file ?? "?"})`);
      }
      if (rootKey === "unsupported") {
        problem(`the root "${info.subject}" has an ${info.key} key SecureSocket cannot use`, "the server needs a chain to a root with an RSA or EC P-256 key");
      } else if (rootKey === "unknown") {
        r.warnings.push(`the root "${info.subject}" has an ${info.key} key: in the SDK sources but untested on a device`);
      }
      if (f.nowMs > anchorRoot.summary.notAfter) {
        problem(`the root "${info.subject}" expired on ${date(anchorRoot.summary.notAfter)}`, "the server needs a chain to a current root");
      }
    }
  }

  // Cipher suites (only meaningful when a device version was accepted).
  if (r.deviceVersion !== null) {
    const shared = f.suites.filter((s) => s.accepted);
    r.sharedSuites = shared.map((s) => s.suite);
    if (shared.length === 0) {
      const leaf = summaries[0];
      const ecKey = leaf && leaf.publicKey.type === "ec" && leaf.publicKey.curve !== "secp256r1";
      problem(`no cipher suite in common at TLS ${f.suiteVersion ?? r.deviceVersion}: the server accepted none of ${f.suites.map((s) => s.suite).join(", ")} with curve secp256r1`,
        ecKey
          ? `the server's key is EC ${leaf.publicKey.curve} and the device offers only secp256r1: serve an RSA or EC P-256 certificate`
          : "enable ECDHE-RSA-AES128-GCM-SHA256 (or AES128-SHA256) with curve P-256 on the server");
    } else {
      r.because.push(`they share ${shared.length === 1 ? "the cipher suite" : `${shared.length} cipher suites, e.g.`} ${shared[0].suite}`);
      if (shared.every((s) => s.switch !== "always")) {
        const switches: string[] = [];
        for (const s of shared) if (switches.indexOf(s.switch) < 0) switches.push(s.switch);
        r.warnings.push(`every shared suite needs manifest config.tls.${switches.join(" or config.tls.")} true (the default); do not turn it off`);
      }
    }
  }

  // Records and max_fragment_length: heap, not connectivity.
  if (f.maxRecordLength !== null && f.maxRecordLength > LARGE_RECORD) {
    const mfl = f.maxFragment;
    const advice = mfl.outcome === "honoured" ? `the server honours max_fragment_length: set maxFragmentLength=${mfl.requested} to cap records`
      : mfl.outcome === "ignored" ? "the server ignores max_fragment_length, so leave that much heap free"
        : mfl.outcome === "refused" ? "and it refuses max_fragment_length: do not set maxFragmentLength"
          : "max_fragment_length was not tested";
    r.warnings.push(`the server sends TLS records of up to ${f.maxRecordLength} bytes; SecureSocket buffers a whole record before decrypting it (${advice})`);
  } else if (f.maxFragment.outcome === "refused") {
    r.warnings.push(`the server aborts a handshake that asks for max_fragment_length ${f.maxFragment.requested}: do not set maxFragmentLength`);
  }

  r.canConnect = r.problems.length === 0 && r.deviceVersion !== null && r.sharedSuites.length > 0;
  return r;
}

/** The verdict line: "the device can connect: yes, because ...; fix: ...". */
export function verdictLine(r: CompatReport): string {
  if (r.canConnect) {
    const settings = r.settings.length ? `; needs ${r.settings.join(" ")}` : "";
    return `the device can connect: yes, because ${r.because.join(", ")}${settings}`;
  }
  const fixes: string[] = [];
  for (const fix of r.fixes) if (fixes.indexOf(fix) < 0) fixes.push(fix);
  return `the device can connect: no, because ${r.problems.join("; ")}; fix: ${fixes.join("; ")}`;
}
