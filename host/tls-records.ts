/**
 * Reads the TLS record layer of the bytes a server sends, before they reach Node's TLS stack.
 *
 * Node's TLS client hides what the device's stack sees and reacts to, so the host edge looks at
 * the raw stream itself:
 * - the length of every record (servers that send 16 KB records exhaust an ESP32's heap);
 * - alerts sent in the clear during the handshake, with their level: SecureSocket aborts on any
 *   alert but close_notify, warning level included, where OpenSSL ignores warnings;
 * - the certificate chain exactly as the server sent it (Node only shows the chain it built),
 *   because the device fails a chain of one certificate however good the CA is.
 *
 * Only TLS 1.2 and older are read: after the server's ChangeCipherSpec everything is encrypted and
 * only record lengths are counted. Pure logic, no I/O.
 */
import { concatBytes } from "../modules/base/bytes";

/** Record content types (RFC 5246 6.2.1). */
export const RECORD_TYPE = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
} as const;

const HANDSHAKE_CERTIFICATE = 11;
const HANDSHAKE_CERTIFICATE_REQUEST = 13;

/** What the reader reports as it goes. */
export interface RecordEvents {
  /** A plaintext alert (before the server's ChangeCipherSpec). */
  alert?(level: number, description: number): void;
  /** The server's Certificate message: the DER certificates in the order sent. */
  certificates?(chain: Uint8Array[]): void;
  /** The server's CertificateRequest: it asks the client for a certificate (mutual TLS). */
  certificateRequest?(): void;
}

/** Counts and plaintext facts about one direction of a TLS connection. */
/**
 * Bytes on the wire for one application-data record of `plaintext` bytes under the negotiated
 * suite (OpenSSL name) and version: header, explicit IV or nonce, MAC or tag, CBC padding.
 */
export function recordBytes(plaintext: number, cipher: string | undefined, protocol: string | undefined): number {
  const name = cipher ?? "";
  if (protocol === "TLSv1.3") return 5 + plaintext + 1 + 16; // inner content type, AEAD tag
  if (/GCM|CCM/.test(name)) return 5 + 8 + plaintext + 16; // explicit nonce, tag
  if (/CHACHA20/.test(name)) return 5 + plaintext + 16;
  const mac = /SHA384$/.test(name) ? 48 : /SHA256$/.test(name) ? 32 : 20;
  const iv = protocol === "TLSv1" ? 0 : 16; // TLS 1.0 CBC has no explicit IV
  return 5 + iv + Math.ceil((plaintext + mac + 1) / 16) * 16;
}

export class RecordReader {
  /** Largest record payload seen (the 5-byte header excluded), in bytes. */
  maxRecordLength = 0;
  /** Records seen. */
  records = 0;
  /** Records per content type. */
  readonly byType = new Map<number, number>();
  /** The record layer could not be parsed (not TLS, or a payload over 2^14 + 2048). */
  malformed = false;
  /** The sender has switched to encrypted records. */
  encrypted = false;

  private pending = new Uint8Array(0);
  private handshake = new Uint8Array(0);

  constructor(private readonly events: RecordEvents = {}) {}

  /** Part of a record has arrived and waits for the rest. */
  get partial(): boolean {
    return this.pending.length > 0;
  }

  /** Feeds bytes in the order received. */
  push(chunk: Uint8Array): void {
    if (this.malformed) return;
    const buf = this.pending.length ? concatBytes([this.pending, chunk]) : chunk;
    let at = 0;
    while (buf.length - at >= 5) {
      const type = buf[at];
      const length = (buf[at + 3] << 8) | buf[at + 4];
      // RFC 5246 6.2.3: a ciphertext fragment is at most 2^14 + 2048 bytes.
      if (type < 20 || type > 24 || buf[at + 1] !== 3 || length > 16384 + 2048) {
        this.malformed = true;
        return;
      }
      if (buf.length - at < 5 + length) break;
      this.record(type, buf.subarray(at + 5, at + 5 + length));
      at += 5 + length;
    }
    this.pending = buf.slice(at);
  }

  private record(type: number, payload: Uint8Array): void {
    this.records++;
    this.byType.set(type, (this.byType.get(type) ?? 0) + 1);
    if (payload.length > this.maxRecordLength) this.maxRecordLength = payload.length;
    if (this.encrypted) return;
    if (type === RECORD_TYPE.changeCipherSpec) {
      this.encrypted = true;
    } else if (type === RECORD_TYPE.alert && payload.length === 2) {
      this.events.alert?.(payload[0], payload[1]);
    } else if (type === RECORD_TYPE.handshake) {
      this.handshakeBytes(payload);
    }
  }

  /** Handshake messages may span records and records may hold several messages. */
  private handshakeBytes(payload: Uint8Array): void {
    const buf = concatBytes([this.handshake, payload]);
    let at = 0;
    while (buf.length - at >= 4) {
      const length = (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3];
      if (buf.length - at < 4 + length) break;
      if (buf[at] === HANDSHAKE_CERTIFICATE) {
        const chain = parseCertificateList(buf.subarray(at + 4, at + 4 + length));
        if (chain) this.events.certificates?.(chain);
      } else if (buf[at] === HANDSHAKE_CERTIFICATE_REQUEST) {
        this.events.certificateRequest?.();
      }
      at += 4 + length;
    }
    this.handshake = buf.slice(at);
  }
}

/** The body of a TLS 1.2 Certificate message: a 3-byte total, then 3-byte length + DER each. */
export function parseCertificateList(body: Uint8Array): Uint8Array[] | undefined {
  if (body.length < 3) return undefined;
  const total = (body[0] << 16) | (body[1] << 8) | body[2];
  if (total + 3 > body.length) return undefined;
  const out: Uint8Array[] = [];
  let at = 3;
  while (at + 3 <= 3 + total) {
    const n = (body[at] << 16) | (body[at + 1] << 8) | body[at + 2];
    if (at + 3 + n > 3 + total) return undefined;
    out.push(body.slice(at + 3, at + 3 + n));
    at += 3 + n;
  }
  return out;
}

/** The parts of a ClientHello the device profile controls. */
export interface ClientHelloSummary {
  /** legacy_version, e.g. 0x0303. */
  version: number;
  cipherSuites: number[];
  /** Extension types in the order sent. */
  extensions: number[];
  /** supported_groups (10). */
  groups: number[];
  /** signature_algorithms (13), as 16-bit SignatureScheme values. */
  signatureAlgorithms: number[];
  /** server_name (0), when present. */
  serverName?: string;
  /** application_layer_protocol_negotiation (16). */
  alpn: string[];
  /** Session ID length (non-zero when resuming by session ID). */
  sessionIdLength: number;
}

/** TLS extension numbers named in tests and docs. */
export const TLS_EXTENSION = {
  serverName: 0, maxFragmentLength: 1, supportedGroups: 10, ecPointFormats: 11, signatureAlgorithms: 13,
  alpn: 16, encryptThenMac: 22, extendedMasterSecret: 23, sessionTicket: 35, supportedVersions: 43,
  renegotiationInfo: 0xff01,
} as const;

/**
 * Parses the first record of a client's stream (a ClientHello in one handshake record). Returns
 * undefined when the bytes are not one.
 */
export function parseClientHello(bytes: Uint8Array): ClientHelloSummary | undefined {
  if (bytes.length < 9 || bytes[0] !== RECORD_TYPE.handshake || bytes[5] !== 1) return undefined;
  const u16 = (at: number) => (bytes[at] << 8) | bytes[at + 1];
  const end = Math.min(bytes.length, 5 + u16(3));
  let at = 9;
  const version = u16(at);
  at += 2 + 32;
  const sessionIdLength = bytes[at];
  at += 1 + sessionIdLength;
  const cipherSuites: number[] = [];
  const suitesEnd = at + 2 + u16(at);
  for (at += 2; at < suitesEnd; at += 2) cipherSuites.push(u16(at));
  at += 1 + bytes[at]; // compression methods
  const out: ClientHelloSummary = { version, cipherSuites, extensions: [], groups: [], signatureAlgorithms: [], alpn: [], sessionIdLength };
  if (at + 2 > end) return out;
  const extEnd = Math.min(end, at + 2 + u16(at));
  for (at += 2; at + 4 <= extEnd;) {
    const type = u16(at);
    const length = u16(at + 2);
    const body = at + 4;
    out.extensions.push(type);
    if (type === TLS_EXTENSION.supportedGroups || type === TLS_EXTENSION.signatureAlgorithms) {
      const list = type === TLS_EXTENSION.supportedGroups ? out.groups : out.signatureAlgorithms;
      for (let i = body + 2; i < body + 2 + u16(body); i += 2) list.push(u16(i));
    } else if (type === TLS_EXTENSION.serverName) {
      out.serverName = Buffer.from(bytes.subarray(body + 5, body + 5 + u16(body + 3))).toString("latin1");
    } else if (type === TLS_EXTENSION.alpn) {
      for (let i = body + 2; i < body + 2 + u16(body); i += 1 + bytes[i]) {
        out.alpn.push(Buffer.from(bytes.subarray(i + 1, i + 1 + bytes[i])).toString("latin1"));
      }
    }
    at = body + length;
  }
  return out;
}
