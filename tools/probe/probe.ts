/**
 * The measuring half of `npm run probe`: handshakes from the host with node:tls, configured like
 * the device's SecureSocket (host/device-tls.ts), whose results feed the verdict in
 * tools/probe/verdict.ts.
 *
 * - One handshake per TLS version 1.0 to 1.3 (min = max; security level 0 so OpenSSL 3 still
 *   speaks 1.0/1.1 and SHA-1 suites).
 * - One handshake per SecureSocket cipher suite, curve secp256r1 only, at TLS 1.2 (or the best
 *   version below it the server accepts).
 * - One device-profile connection with a GET of the path, whose raw TCP stream is read by the
 *   record reader (host/tls-records.ts): the chain exactly as sent and the largest record.
 * - One hand-made ClientHello with max_fragment_length (client-hello.ts): Node cannot send it.
 */
import { X509Certificate } from "node:crypto";
import * as net from "node:net";
import { Duplex } from "node:stream";
import * as tls from "node:tls";
import { DEVICE_CIPHER_SUITES, deviceNameMatches, nodeTlsOptions } from "../../host/device-tls";
import { RecordReader } from "../../host/tls-records";
import type { CompatFacts, KnownRoot, MaxFragmentOutcome, ProbeVersion, SuiteResult, VersionResult } from "./compat-facts";
import { encodeRequest } from "../../modules/http/request";
import { ResponseParser } from "../../modules/http/response";
import { TLS_PROTOCOL_VERSIONS, TlsVersionName } from "../../modules/tls/options";
import type { HttpUrl } from "../../modules/http/url";
import { buildClientHello, readServerAnswer, ServerAnswer } from "./client-hello";

export interface ProbeOptions {
  /** Per-connection limit, ms. */
  timeoutMs: number;
  /** Known roots: certs/ (embedded), Node's store, --roots. */
  roots: KnownRoot[];
  /** max_fragment_length asked for in the hand-made ClientHello, bytes. */
  maxFragmentLength: number;
  /** The --certs DIR given, repeated in the certs commands the verdict prints. */
  certsDir?: string;
  /** Handshakes run at once. */
  concurrency?: number;
  now?: () => number;
}

/** The server could not be reached at all: no verdict, exit 2. */
export class NetworkError extends Error {}

const NODE_VERSION: { [V in ProbeVersion]: tls.SecureVersion } = { "1.0": "TLSv1", "1.1": "TLSv1.1", "1.2": "TLSv1.2", "1.3": "TLSv1.3" };
const ALL_SUITES = "ALL:@SECLEVEL=0";

interface HandshakeOk {
  ok: true;
  chain: Uint8Array[];
}
interface HandshakeFailed {
  ok: false;
  detail: string;
}

/** Node's reason for a failed handshake, short. */
function reason(err: NodeJS.ErrnoException): string {
  const alert = /alert number (\d+)/.exec(err.message);
  if (alert) return `alert ${alert[1]}`;
  return err.code ? `${err.code}` : err.message;
}

/** The chain Node shows (leaf first, following issuerCertificate until it loops). */
function peerChain(sock: tls.TLSSocket): Uint8Array[] {
  const out: Uint8Array[] = [];
  let cert = sock.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
  while (cert && cert.raw && out.length < 10) {
    out.push(new Uint8Array(cert.raw));
    if (!cert.issuerCertificate || cert.issuerCertificate === cert || cert.issuerCertificate.fingerprint256 === cert.fingerprint256) break;
    cert = cert.issuerCertificate;
  }
  return out;
}

/** One handshake; never throws. */
function handshake(host: string, port: number, options: tls.ConnectionOptions, timeoutMs: number): Promise<HandshakeOk | HandshakeFailed> {
  return new Promise((resolve) => {
    const sock = tls.connect({ host, port, rejectUnauthorized: false, ...options });
    const timer = setTimeout(() => finish({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
    function finish(result: HandshakeOk | HandshakeFailed): void {
      clearTimeout(timer);
      sock.destroy();
      resolve(result);
    }
    sock.once("secureConnect", () => finish({ ok: true, chain: peerChain(sock) }));
    sock.once("error", (err: NodeJS.ErrnoException) => finish({ ok: false, detail: reason(err) }));
    sock.once("close", () => finish({ ok: false, detail: "closed by the server" }));
  });
}

/** Runs `jobs` with at most `n` at once, results in order. */
async function pool<T>(jobs: (() => Promise<T>)[], n: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, jobs.length)) }, worker));
  return out;
}

/** A TCP connection, or NetworkError. */
function tcpConnect(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new NetworkError(`cannot reach ${host}:${port}: no TCP connection within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once("connect", () => {
      clearTimeout(timer);
      resolve(sock);
    });
    sock.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      sock.destroy();
      reject(new NetworkError(`cannot reach ${host}:${port}: ${err.code ?? err.message}`));
    });
  });
}

/** The device's options for `version`, verification off: the verdict judges trust itself. */
function deviceOptions(url: HttpUrl, version: TlsVersionName): tls.ConnectionOptions {
  return nodeTlsOptions({
    host: url.host, secure: { protocolVersion: TLS_PROTOCOL_VERSIONS[version], verify: false }, deviceProfile: true, switches: {}, trusted: [],
  });
}

interface DeviceConnection {
  chain: Uint8Array[];
  maxRecordLength: number;
  httpStatus?: number;
  detail?: string;
}

/**
 * A connection that GETs the path, reading the raw TCP stream on the way to Node's TLS (records,
 * the chain as sent). Ends at the end of the response, at `limitBytes`, or on time.
 */
function sniffedGet(url: HttpUrl, options: tls.ConnectionOptions, timeoutMs: number, limitBytes = 1 << 20): Promise<DeviceConnection> {
  return new Promise((resolve) => {
    const result: DeviceConnection = { chain: [], maxRecordLength: 0 };
    const reader = new RecordReader({ certificates: (chain) => { result.chain = chain; } });
    const raw = net.connect({ host: url.host, port: url.port });
    const bridge = new Duplex({
      read: () => { raw.resume(); },
      write: (chunk: Buffer, _enc, done) => { raw.write(chunk, () => done()); },
      final: (done) => { raw.end(); done(); },
      destroy: (err, done) => { raw.destroy(); done(err); },
    });
    raw.on("data", (data: Buffer) => {
      reader.push(data);
      if (!bridge.push(data)) raw.pause();
    });
    raw.on("end", () => bridge.push(null));
    raw.on("error", (err) => bridge.destroy(err));
    const sock = tls.connect({ ...options, socket: bridge });
    let received = 0;
    const timer = setTimeout(() => finish(`no complete response within ${timeoutMs} ms`), timeoutMs);
    function finish(detail?: string): void {
      clearTimeout(timer);
      if (detail !== undefined && result.detail === undefined) result.detail = detail;
      result.maxRecordLength = reader.maxRecordLength;
      sock.destroy();
      raw.destroy();
      resolve(result);
    }
    const parser = new ResponseParser({
      onHead: (head) => { result.httpStatus = head.status; },
      onBody: () => undefined,
      onComplete: () => finish(),
    });
    parser.expectResponseTo("GET");
    sock.once("secureConnect", () => {
      sock.write(encodeRequest({ url, keepAlive: false, userAgent: "esp32-https-fetch probe" }));
    });
    sock.on("data", (data: Buffer) => {
      received += data.length;
      try {
        parser.push(new Uint8Array(data));
      } catch (e) {
        finish(`response: ${(e as Error).message}`);
      }
      if (received > limitBytes) finish();
    });
    sock.once("end", () => {
      try {
        parser.finish();
      } catch {
        // a cut response still measured its records
      }
      finish();
    });
    sock.once("error", (err: NodeJS.ErrnoException) => finish(reason(err)));
  });
}

type HelloAnswer = { kind: "answer"; answer: ServerAnswer } | { kind: "closed" | "timeout" | "error"; detail: string };

/** Sends one hand-made ClientHello and reads the first answer. */
function sendHello(url: HttpUrl, version: TlsVersionName, mfl: number | undefined, timeoutMs: number): Promise<HelloAnswer> {
  return new Promise((resolve) => {
    const random = new Uint8Array(32);
    for (let i = 0; i < 32; i++) random[i] = Math.floor(Math.random() * 256);
    const hello = buildClientHello({
      version: TLS_PROTOCOL_VERSIONS[version], suites: DEVICE_CIPHER_SUITES.map((s) => s.code),
      serverName: net.isIP(url.host) ? undefined : url.host, maxFragmentLength: mfl, random,
    });
    const sock = net.connect({ host: url.host, port: url.port }, () => sock.write(hello));
    let got = new Uint8Array(0);
    const timer = setTimeout(() => finish({ kind: "timeout", detail: `no ServerHello within ${timeoutMs} ms` }), timeoutMs);
    function finish(r: HelloAnswer): void {
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    }
    sock.on("data", (data: Buffer) => {
      const next = new Uint8Array(got.length + data.length);
      next.set(got);
      next.set(data, got.length);
      got = next;
      const answer = readServerAnswer(got);
      if (answer) finish({ kind: "answer", answer });
    });
    sock.once("error", (err: NodeJS.ErrnoException) => finish({ kind: "error", detail: err.code ?? err.message }));
    sock.once("close", () => finish({ kind: "closed", detail: "the server closed the connection" }));
  });
}

function helloText(h: HelloAnswer): string {
  if (h.kind !== "answer") return h.detail;
  const a = h.answer;
  return a.kind === "alert" ? `alert ${a.level}, ${a.description}` : a.kind === "malformed" ? `unreadable answer: ${a.detail}` : "a ServerHello";
}

/**
 * Whether the server honours max_fragment_length: a ClientHello like the device's with the
 * extension, and, when that fails, the same without it (so a server that refuses the device's
 * hello for another reason is not blamed on the extension).
 */
async function probeMaxFragment(url: HttpUrl, version: TlsVersionName, mfl: number, timeoutMs: number): Promise<{ outcome: MaxFragmentOutcome; detail: string }> {
  const withMfl = await sendHello(url, version, mfl, timeoutMs);
  if (withMfl.kind === "answer" && withMfl.answer.kind === "server-hello") {
    return withMfl.answer.maxFragmentLength === mfl
      ? { outcome: "honoured", detail: `the ServerHello echoes max_fragment_length ${mfl}` }
      : { outcome: "ignored", detail: "the ServerHello does not echo max_fragment_length: records stay up to 16 KB" };
  }
  const without = await sendHello(url, version, undefined, timeoutMs);
  if (without.kind === "answer" && without.answer.kind === "server-hello") {
    return { outcome: "refused", detail: `the server answers ${helloText(withMfl)} to a ClientHello asking for ${mfl}-byte fragments, and a ServerHello without it` };
  }
  return { outcome: "not-tested", detail: `the server answers the device's ClientHello with ${helloText(without)} even without the extension` };
}

/** Measures the server and returns the facts for assessCompat. Throws NetworkError when unreachable. */
export async function probeServer(url: HttpUrl, o: ProbeOptions): Promise<CompatFacts> {
  const now = o.now ?? Date.now;
  const concurrency = o.concurrency ?? 4;
  (await tcpConnect(url.host, url.port, o.timeoutMs)).destroy();
  const servername = net.isIP(url.host) ? undefined : url.host;

  const versionList: ProbeVersion[] = ["1.0", "1.1", "1.2", "1.3"];
  const versionRuns = await pool(versionList.map((v) => () => handshake(url.host, url.port, {
    servername, minVersion: NODE_VERSION[v], maxVersion: NODE_VERSION[v], ciphers: v === "1.3" ? undefined : ALL_SUITES,
  }, o.timeoutMs)), concurrency);
  const versions: VersionResult[] = versionList.map((version, i) => {
    const r = versionRuns[i];
    return r.ok ? { version, accepted: true } : { version, accepted: false, detail: r.detail };
  });
  const deviceVersion = (["1.2", "1.1", "1.0"] as TlsVersionName[]).find((v) => versions.some((x) => x.version === v && x.accepted)) ?? null;

  let suites: SuiteResult[] = [];
  let chain: Uint8Array[] = [];
  let chainSource: CompatFacts["chainSource"] = "wire";
  let maxRecordLength: number | null = null;
  let httpStatus: number | undefined;
  let maxFragment: CompatFacts["maxFragment"] = { requested: o.maxFragmentLength, outcome: "not-tested", detail: "no TLS version the device speaks was accepted" };
  if (deviceVersion !== null) {
    const runs = await pool(DEVICE_CIPHER_SUITES.map((s) => () => handshake(url.host, url.port, {
      ...deviceOptions(url, deviceVersion), ciphers: `${s.openssl}:@SECLEVEL=0`,
    }, o.timeoutMs)), concurrency);
    suites = DEVICE_CIPHER_SUITES.map((s, i) => {
      const r = runs[i];
      if (r.ok) return { suite: s.openssl, switch: s.switch, accepted: true };
      // OpenSSL will not offer a SHA-256 or GCM suite below TLS 1.2: neither does the device.
      const detail = r.detail === "ERR_SSL_NO_CIPHERS_AVAILABLE" ? `a TLS 1.2 suite, not usable at TLS ${deviceVersion}` : r.detail;
      return { suite: s.openssl, switch: s.switch, accepted: false, detail };
    });
    // The GET that reads the chain as sent and the record sizes: as the device when a suite is
    // shared, else with any suite at the same version (the chain is the same).
    const shared = suites.some((s) => s.accepted);
    const options = shared ? deviceOptions(url, deviceVersion)
      : { servername, minVersion: NODE_VERSION[deviceVersion], maxVersion: NODE_VERSION[deviceVersion], ciphers: ALL_SUITES, rejectUnauthorized: false };
    const conn = await sniffedGet(url, options, o.timeoutMs);
    chain = conn.chain;
    maxRecordLength = conn.chain.length || conn.maxRecordLength ? conn.maxRecordLength : null;
    httpStatus = conn.httpStatus;
    maxFragment = { requested: o.maxFragmentLength, ...(await probeMaxFragment(url, deviceVersion, o.maxFragmentLength, o.timeoutMs)) };
  }
  if (chain.length === 0) {
    // No device connection: take the chain from any handshake that worked (Node's view).
    const any = versionRuns.find((r): r is HandshakeOk => r.ok && r.chain.length > 0);
    if (any) {
      chain = any.chain;
      chainSource = "node";
    }
  }
  let hostNameMatches: boolean | null = null;
  if (chain.length) {
    try {
      hostNameMatches = deviceNameMatches(new X509Certificate(chain[0]).subjectAltName, url.host);
    } catch {
      hostNameMatches = null;
    }
  }
  const facts: CompatFacts = {
    host: url.host, port: url.port, versions, suiteVersion: deviceVersion, suites, chain, chainSource, hostNameMatches,
    roots: o.roots, maxRecordLength, maxFragment, nowMs: now(),
  };
  if (httpStatus !== undefined) facts.httpStatus = httpStatus;
  if (o.certsDir !== undefined) facts.certsDir = o.certsDir;
  return facts;
}
