/**
 * What `npm run probe` measured of a server (CompatFacts) and the verdict's report (CompatReport):
 * the data that verdict.ts decides on, kept apart from its rules.
 */
import type { Support } from "../../modules/tls/x509";

export type ProbeVersion = "1.0" | "1.1" | "1.2" | "1.3";

/** One handshake with a single TLS version offered. */
export interface VersionResult {
  version: ProbeVersion;
  accepted: boolean;
  /** The error or alert when refused. */
  detail?: string;
}

/** One handshake with a single device cipher suite offered. */
export interface SuiteResult {
  /** OpenSSL name, e.g. "ECDHE-RSA-AES128-GCM-SHA256". */
  suite: string;
  /** What puts it in the device's ClientHello: always, or the manifest switch config.tls.X. */
  switch: "always" | "DHE_RSA" | "ECDHE_RSA";
  accepted: boolean;
  detail?: string;
}

/** A CA certificate the probe knows of. */
export interface KnownRoot {
  der: Uint8Array;
  /** "certs": embedded in the firmware; "mozilla": Node's copy of the Mozilla store; "roots": a file given to the probe. */
  source: "certs" | "mozilla" | "roots";
  /** The file it came from (certs/ file name, or the roots file path). */
  file?: string;
}

export type MaxFragmentOutcome = "honoured" | "ignored" | "refused" | "not-tested";

/** Everything the probe measured. */
export interface CompatFacts {
  /** Host name or IPv4 address as the device would connect to it. */
  host: string;
  port: number;
  versions: VersionResult[];
  /** The version the suite handshakes used (null: no version the device speaks was accepted). */
  suiteVersion: ProbeVersion | null;
  suites: SuiteResult[];
  /** Certificates the server sent, leaf first (empty when unseen). */
  chain: Uint8Array[];
  /** "wire": read off the TLS records exactly as sent; "node": Node's view (may add a root from its store). */
  chainSource: "wire" | "node";
  /** Device rule: does the leaf's subjectAltName cover the host? null when unknown. */
  hostNameMatches: boolean | null;
  roots: KnownRoot[];
  /** Largest TLS record payload received, bytes (null when not measured). */
  maxRecordLength: number | null;
  maxFragment: { requested: number; outcome: MaxFragmentOutcome; detail: string };
  /** HTTP status of the probe's GET, when one was made. */
  httpStatus?: number;
  /** The certs directory the probe was given (added to the certs commands as --certs DIR). */
  certsDir?: string;
  /** The time to check validity against, ms since 1970. */
  nowMs: number;
}

/** One certificate of the chain, summarised for the report. */
export interface ChainEntry {
  subject: string;
  issuer: string;
  key: string;
  signature: string;
  notAfter: number;
  fingerprint: string;
  /** Can the device check this certificate's signature (with its issuer's key)? */
  signatureSupport: Support;
  isCa: boolean;
}

/** The root that anchors the chain. */
export interface AnchorInfo {
  subject: string;
  fingerprint: string;
  key: string;
  notAfter: number;
  /** Index of the chain certificate it issued. */
  position: number;
  /** Where it is known from; "certs" means it is embedded. */
  sources: KnownRoot["source"][];
  embedded: boolean;
  /** The file in certs/ holding it, when embedded. */
  file?: string;
  /** The command that embeds it, when it is not. */
  addCommand?: string;
}

export interface CompatReport {
  canConnect: boolean;
  /** Why not (when canConnect is false), each with its fix at the same index. */
  problems: string[];
  fixes: string[];
  /** Why it works (when canConnect is true). */
  because: string[];
  /** Does not stop the connection, but worth knowing. */
  warnings: string[];
  /** Firmware settings the connection needs (e.g. tlsVersion=1.1), as mcconfig key=value. */
  settings: string[];
  chain: ChainEntry[];
  anchor: AnchorInfo | null;
  /** Suites the device may negotiate, in the device's order. */
  sharedSuites: string[];
  /** The TLS version the device should use, null when none. */
  deviceVersion: "1.0" | "1.1" | "1.2" | null;
}
