/**
 * The device/simulator parity table: one row per classic failure (and the successes around
 * them), each with what the server does and the exact line the fetch loop must print for it.
 *
 * The same rows run against the host simulator in `npm test` (parity.test.ts) and against the
 * real firmware built for the Moddable SDK's simulator (`npm run parity:sdk`, tools/sdk/parity.ts),
 * which prints the firmware's line next to the simulator's. Lines are compared with what changes
 * from run to run taken out (see `normalise`). Both sides trust the shipped CAs (certs/*.pem)
 * plus the test root.
 */
import { createServer, type Server } from "node:net";
import type { ParityPki } from "./pki";
import { LOOPBACK, startHttpsServer, startOpensslServer, type TlsServerConfig, type ServerBehaviour } from "../support/test-servers";

/** Config keys both sides run with: short deadlines, a short body preview. */
export const PARITY_CONFIG: Readonly<Record<string, string>> = Object.freeze({
  interval: "1s",
  connectTimeout: "3s",
  handshakeTimeout: "3s",
  firstByteTimeout: "3s",
  idleTimeout: "3s",
  totalTimeout: "10s",
  preview: "16",
});

/** Where a case's servers are tracked for closing, and the certificates they use. */
export interface ParityEnv {
  pki: ParityPki;
  track(server: { close(): Promise<void> }): void;
}

export interface ParityCase {
  name: string;
  /** What the server does. */
  server: string;
  /** Starts the server(s); returns the URL to fetch. */
  start(env: ParityEnv): Promise<string>;
  /** The lines of this target's first fetches, normalised; one per fetch compared. */
  expected: string[];
  /** Fields whose values vary between runs for this case (a page that shows the session). */
  volatile?: string[];
  /**
   * Runs in the batch of connection-reuse rows: the client keeps at most 2 idle connections, so
   * among 8 targets a row's idle connection is gone before its next fetch.
   */
  reuse?: true;
}

/** Takes out what varies between runs: fetch numbers, ports, timings, the backoff. */
export function normalise(line: string, volatile: readonly string[] = []): string {
  let out = line
    .replace(/^fetch #\d+ /, "fetch ")
    .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT")
    .replace(/ (ms|connect|tls|ttfb|retry_in)=\d+/g, "")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "TIME");
  for (const key of volatile) out = out.replace(new RegExp(` ${key}=("(?:[^"\\\\]|\\\\.)*"|\\S+)`), ` ${key}=_`);
  return out;
}

async function https(env: ParityEnv, config: Partial<TlsServerConfig> & { cert: string; key?: string }, behaviour?: ServerBehaviour): Promise<string> {
  const server = await startHttpsServer({ key: env.pki.leaf.keyPem, ...config }, behaviour);
  env.track(server);
  return server.url("/");
}

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, () => resolve()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const OK = (bytes: number, body: string, conn = "new") => `fetch https://127.0.0.1:PORT/ status=200 bytes=${bytes} conn=${conn} body=${JSON.stringify(body)}`;

const UNTRUSTED = "fetch https://127.0.0.1:PORT/ error=TLS_CERT_UNTRUSTED phase=tls-handshake conn=new detail=\"certificate: auth err\" hint=\"the server's chain does not end at an embedded CA (or an intermediate is out of date): npm run probe -- https://127.0.0.1:PORT names the root to embed (npm run certs -- add \\\"<root CN>\\\")\"";

export const PARITY_CASES: readonly ParityCase[] = [
  {
    name: "TLS 1.2, full chain",
    server: "Node TLS server, leaf + intermediate under the embedded test root",
    start: (env) => https(env, { cert: env.pki.fullChain(env.pki.leaf) }),
    expected: [OK(5, "hello")],
  },
  {
    name: "keep-alive reuse",
    server: "the same, answering with Content-Length and keeping the connection",
    start: (env) => https(env, { cert: env.pki.fullChain(env.pki.leaf) }, { routes: { "/": { body: "again" } } }),
    reuse: true,
    expected: [OK(5, "again"), OK(5, "again", "reused")],
  },
  {
    name: "TLS 1.3 only",
    server: "Node TLS server with minVersion TLSv1.3",
    start: (env) => https(env, { cert: env.pki.fullChain(env.pki.leaf), minVersion: "TLSv1.3" }),
    expected: [
      "fetch https://127.0.0.1:PORT/ error=TLS_ALERT_PROTOCOL_VERSION phase=tls-handshake conn=new detail=\"alert: 2, 70\" hint=\"server sent protocol_version (70): the server refuses TLS 1.2, the highest version SecureSocket has: the server is TLS 1.3-only and the device is the limited side; fix: the device cannot speak TLS 1.3: enable TLS 1.2 on the server, or use an endpoint or proxy that accepts it\"",
    ],
  },
  {
    name: "root not embedded",
    server: "leaf + intermediate under a root the device does not embed",
    start: (env) => https(env, { cert: env.pki.foreignLeaf.certPem + env.pki.foreignIntermediate.certPem }),
    expected: [UNTRUSTED],
  },
  {
    name: "root not embedded, sent too",
    server: "leaf + intermediate + that root, which the device does not embed",
    start: (env) => https(env, { cert: env.pki.foreignLeaf.certPem + env.pki.foreignIntermediate.certPem + env.pki.foreignRoot.certPem }),
    expected: [UNTRUSTED],
  },
  {
    name: "leaf only",
    server: "sends its leaf without the intermediate",
    start: (env) => https(env, { cert: env.pki.leaf.certPem }),
    expected: [
      "fetch https://127.0.0.1:PORT/ error=TLS_CERT_LEAF_ONLY phase=tls-handshake conn=new detail=\"certificate: auth err: the server sent only its leaf certificate, and no embedded CA signed it\" hint=\"the server sends its leaf alone and no embedded CA signed that leaf: configure the server to send its intermediate too (fullchain.pem); if a private CA signs server certificates directly, embed that CA\"",
    ],
  },
  {
    name: "leaf under the root, sent alone",
    server: "a leaf signed directly by the embedded root, sent alone (two-tier private PKI)",
    start: (env) => https(env, { cert: env.pki.directLeaf.certPem }),
    expected: [OK(5, "hello")],
  },
  {
    name: "leaf under the root, root sent too",
    server: "the same leaf, followed by the embedded root itself",
    start: (env) => https(env, { cert: env.pki.directLeaf.certPem + env.pki.root.certPem }),
    expected: [OK(5, "hello")],
  },
  {
    name: "expired leaf",
    server: "full chain, the leaf's validity ended yesterday",
    start: (env) => https(env, { cert: env.pki.fullChain(env.pki.expiredLeaf) }),
    expected: [
      "fetch https://127.0.0.1:PORT/ error=TLS_CERT_EXPIRED phase=tls-handshake conn=new detail=\"date validation failed\" hint=\"the server's certificate is expired or not yet valid at device time TIME: renew it on the server (openssl s_client -connect 127.0.0.1:PORT | openssl x509 -noout -dates), or correct the clock\"",
    ],
  },
  {
    name: "wrong host name",
    server: "full chain, the leaf is for DNS:wrong.example only",
    start: (env) => https(env, { cert: env.pki.fullChain(env.pki.wrongHostLeaf) }),
    expected: [
      "fetch https://127.0.0.1:PORT/ error=TLS_CERT_NAME_MISMATCH phase=tls-handshake conn=new detail=\"certificate: auth err: no IP address entry 127.0.0.1 in the certificate's subjectAltName\" hint=\"the URL's host is the address 127.0.0.1, and the certificate lists no IP:127.0.0.1 entry (a DNS entry holding the same text does not count): add IP:127.0.0.1 to its subjectAltName, or use a host name the certificate lists\"",
    ],
  },
  {
    name: "IP host, name only as DNS text",
    server: "full chain, the leaf lists DNS:127.0.0.1 and no IP entry",
    start: (env) => https(env, { cert: env.pki.fullChain(env.pki.dnsTextLeaf) }),
    expected: [
      "fetch https://127.0.0.1:PORT/ error=TLS_CERT_NAME_MISMATCH phase=tls-handshake conn=new detail=\"certificate: auth err: no IP address entry 127.0.0.1 in the certificate's subjectAltName\" hint=\"the URL's host is the address 127.0.0.1, and the certificate lists no IP:127.0.0.1 entry (a DNS entry holding the same text does not count): add IP:127.0.0.1 to its subjectAltName, or use a host name the certificate lists\"",
    ],
  },
  {
    name: "leaf used as an issuer",
    server: "leaf, then a CA:false certificate that signed it, then the intermediate",
    start: (env) => https(env, { cert: env.pki.underLeaf.certPem + env.pki.leafIssuer.certPem + env.pki.intermediate.certPem }),
    expected: [
      "fetch https://127.0.0.1:PORT/ error=TLS_CERT_NOT_CA phase=tls-handshake conn=new detail=\"certificate: auth err: certificate 2 of the chain signs certificate 1 but is not a CA (no basicConstraints CA:TRUE)\" hint=\"a certificate that is not a CA signed the next one down the chain (a leaf used as an issuer): issue server certificates from a CA certificate (basicConstraints critical, CA:TRUE); reissue it (or ask the server's owner to)\"",
    ],
  },
  {
    name: "SHA-1 signature",
    server: "full chain, the leaf signed with SHA-1",
    start: (env) => https(env, { cert: env.pki.fullChain(env.pki.sha1Leaf), ciphers: "DEFAULT@SECLEVEL=0" }),
    expected: [
      "fetch https://127.0.0.1:PORT/ error=TLS_CERT_WEAK_SIGNATURE phase=tls-handshake conn=new detail=\"certificate: auth err: certificate 1 of the chain is signed with sha1WithRSAEncryption, too weak to trust\" hint=\"a certificate in the chain has a SHA-1 or MD5 signature, which can be forged: reissue it (or ask the server's owner to) with SHA-256\"",
    ],
  },
  {
    name: "RSA key under 2048 bits",
    server: "full chain, the leaf's key is RSA 1024",
    start: (env) => https(env, { cert: env.pki.fullChain(env.pki.weakKeyLeaf), key: env.pki.weakKeyLeaf.keyPem, ciphers: "DEFAULT@SECLEVEL=0" }),
    expected: [
      "fetch https://127.0.0.1:PORT/ error=TLS_CERT_WEAK_KEY phase=tls-handshake conn=new detail=\"certificate: auth err: certificate 1 of the chain has a 1024-bit RSA key, under the 2048 bits required\" hint=\"a certificate in the chain has an RSA key under 2048 bits: reissue it (or ask the server's owner to) with an RSA 2048-bit or ECDSA P-256 key\"",
    ],
  },
  {
    name: "handshake stall",
    server: "accepts TCP and never answers the ClientHello",
    start: async (env) => {
      const server = await startHttpsServer({ cert: "", key: "" }, { stall: "accept" });
      env.track(server);
      return server.url("/");
    },
    expected: [
      "fetch https://127.0.0.1:PORT/ error=TIMEOUT_HANDSHAKE phase=timeout conn=new detail=\"handshake timeout after 3000 ms (handshaking)\" hint=\"the TLS handshake did not finish: it takes 1 to 3 s on an ESP32 (more with RSA-4096), so allow 10 s or more with handshakeTimeout; a server that accepts TCP and never answers the ClientHello also ends here\"",
    ],
  },
  {
    name: "no shared cipher suite",
    server: "TLS 1.2 with CHACHA20-POLY1305 suites only",
    start: (env) => https(env, { cert: env.pki.fullChain(env.pki.leaf), maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-CHACHA20-POLY1305" }),
    expected: [
      "fetch https://127.0.0.1:PORT/ error=TLS_ALERT_HANDSHAKE_FAILURE phase=tls-handshake conn=new detail=\"alert: 2, 40\" hint=\"server sent handshake_failure (40): no cipher suite, curve or signature algorithm in common (or the server requires a client certificate): the device offers AES-CBC with RSA key exchange always, DHE-RSA (manifest config.tls.DHE_RSA) and ECDHE-RSA/ECDHE-ECDSA AES128-GCM (config.tls.ECDHE_RSA), the secp256r1 curve only and SHA-256 signatures; fix: keep config.tls.ECDHE_RSA and DHE_RSA true in the manifest and make the server accept ECDHE-RSA-AES128-GCM-SHA256 or AES128-SHA256 with P-256 (check with openssl s_client -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -curves prime256v1)\"",
    ],
  },
  {
    name: "16 KB records",
    server: "a 40,000-byte body written in 16 KB TLS records",
    start: (env) => https(env, { cert: env.pki.fullChain(env.pki.leaf) }, { routes: { "/": { body: "r".repeat(40_000), writeSize: 16_384 } } }),
    expected: [OK(40000, "rrrrrrrrrrrrrrrr")],
  },
  {
    name: "close_notify, TCP left open",
    server: "openssl s_server -www: an HTTP/1.0 page ended by close_notify, TCP kept open",
    start: async (env) => {
      const server = await startOpensslServer(env.pki.leaf.certPath, env.pki.leaf.keyPath, ["-tls1_2"], env.pki.intermediate.certPath);
      env.track(server);
      return server.url("/");
    },
    volatile: ["bytes", "body"],
    reuse: true,
    expected: [
      "fetch https://127.0.0.1:PORT/ status=200 bytes=_ conn=new body=_",
      "fetch https://127.0.0.1:PORT/ status=200 bytes=_ conn=new body=_",
    ],
  },
  {
    name: "plain HTTP on the HTTPS port",
    server: "a plain HTTP server that answers the ClientHello with 400 Bad Request and closes; the URL says https",
    start: async (env) => {
      const server = createServer((sock) => {
        sock.on("error", () => {});
        sock.once("data", () => sock.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
      });
      await new Promise<void>((resolve) => server.listen(0, LOOPBACK, () => resolve()));
      env.track({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
      return `https://${LOOPBACK}:${(server.address() as { port: number }).port}/`;
    },
    expected: [
      "fetch https://127.0.0.1:PORT/ error=TLS_NOT_TLS phase=tls-handshake conn=new detail=\"not TLS: the first bytes from the server (HTTP/) are not a TLS record\" hint=\"127.0.0.1:PORT answered with bytes that are not TLS, typically plain HTTP: use the server's HTTPS port, or an http:// URL for this one\"",
    ],
  },
  {
    name: "DNS failure",
    server: "a name under .invalid (RFC 6761: never resolves)",
    start: async () => "https://parity-check.invalid/",
    expected: [
      "fetch https://parity-check.invalid/ error=DNS_FAILED phase=dns detail=\"could not resolve parity-check.invalid\" hint=\"the name server has no address for this name: check the host name's spelling, that Wi-Fi is connected and that DHCP gave a DNS server\"",
    ],
  },
  {
    name: "refused port",
    server: "nothing listens on the port",
    start: async () => `https://${LOOPBACK}:${await closedPort()}/`,
    expected: [
      "fetch https://127.0.0.1:PORT/ error=CONNECT_FAILED phase=connect conn=new detail=\"no TCP connection (refused or unreachable: the socket does not say which)\" hint=\"nothing answered on 127.0.0.1:PORT: check the port in the URL, that the server is running and listening on this address, and that no firewall drops it\"",
    ],
  },
];

/**
 * The rows in groups the firmware can take at once (its `targets` key holds at most 8 URLs); the
 * connection-reuse rows together in a group of their own.
 */
export function batches(rows: readonly ParityCase[], size = 8): ParityCase[][] {
  const out: ParityCase[][] = [];
  const reuse = rows.filter((r) => r.reuse);
  const rest = rows.filter((r) => !r.reuse);
  for (let i = 0; i < rest.length; i += size) out.push(rest.slice(i, i + size));
  if (reuse.length) out.push(reuse);
  return out;
}

/** The fetch lines of one target, in order, from a run's log (the URL is the line's second word). */
export function linesFor(lines: readonly string[], url: string): string[] {
  return lines.filter((l) => l.startsWith("fetch #") && l.split(" ")[2] === url);
}
