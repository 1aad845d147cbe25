/**
 * A hand-made TLS 1.2 ClientHello carrying max_fragment_length (RFC 6066 section 4), and a reader
 * for the server's first answer. Node's TLS client cannot send that extension, so the probe sends
 * this one on a bare TCP connection, reads the ServerHello (or the alert) and hangs up: that is
 * enough to learn whether the server honours the request (it must echo the extension), ignores
 * it, or aborts the handshake because of it. Pure logic over bytes; no handshake is completed.
 */

/** RFC 6066 max_fragment_length codes by length in bytes. */
export const MFL_CODES: { readonly [bytes: number]: number } = { 512: 1, 1024: 2, 2048: 3, 4096: 4 };

const EXT_SERVER_NAME = 0;
const EXT_MAX_FRAGMENT_LENGTH = 1;
const EXT_SUPPORTED_GROUPS = 10;
const EXT_EC_POINT_FORMATS = 11;
const EXT_SIGNATURE_ALGORITHMS = 13;

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

function u24(n: number): number[] {
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

function ext(type: number, body: number[]): number[] {
  return [...u16(type), ...u16(body.length), ...body];
}

export interface ClientHelloOptions {
  /** 0x0301..0x0303. */
  version: number;
  /** IANA cipher suite code points, in order. */
  suites: readonly number[];
  /** SNI host name; omitted for an IP address. */
  serverName?: string;
  /** max_fragment_length in bytes (512, 1024, 2048, 4096); omitted when undefined. */
  maxFragmentLength?: number;
  /** 32 random bytes (tests pass fixed ones). */
  random: Uint8Array;
}

/**
 * One TLS record holding a ClientHello like SecureSocket's: the given version and suites, no
 * compression, secp256r1 only, uncompressed points, signature algorithms ECDSA-P256-SHA256 and
 * RSA-PKCS1-SHA256, and the extensions asked for.
 */
export function buildClientHello(o: ClientHelloOptions): Uint8Array {
  const exts: number[] = [];
  if (o.serverName) {
    const name = Array.from(o.serverName, (c) => c.charCodeAt(0) & 0xff);
    const entry = [0, ...u16(name.length), ...name];
    exts.push(...ext(EXT_SERVER_NAME, [...u16(entry.length), ...entry]));
  }
  if (o.maxFragmentLength !== undefined) {
    const code = MFL_CODES[o.maxFragmentLength];
    if (code === undefined) throw new RangeError(`max_fragment_length must be 512, 1024, 2048 or 4096, not ${o.maxFragmentLength}`);
    exts.push(...ext(EXT_MAX_FRAGMENT_LENGTH, [code]));
  }
  exts.push(...ext(EXT_SUPPORTED_GROUPS, [...u16(2), ...u16(23)]));
  exts.push(...ext(EXT_EC_POINT_FORMATS, [1, 0]));
  exts.push(...ext(EXT_SIGNATURE_ALGORITHMS, [...u16(4), 0x04, 0x03, 0x04, 0x01]));
  const suites = o.suites.flatMap((s) => u16(s));
  const body = [
    ...u16(o.version), ...o.random, 0, // no session id
    ...u16(suites.length), ...suites, 1, 0, // null compression only
    ...u16(exts.length), ...exts,
  ];
  const handshake = [1, ...u24(body.length), ...body];
  // Record version 0x0301 in the ClientHello, as most clients send for compatibility.
  return Uint8Array.from([22, 3, 1, ...u16(handshake.length), ...handshake]);
}

export type ServerAnswer =
  | { kind: "server-hello"; version: number; suite: number; extensions: number[]; maxFragmentLength: number | null }
  | { kind: "alert"; level: number; description: number }
  | { kind: "malformed"; detail: string };

/**
 * Reads the server's first handshake answer from the bytes received so far. Returns undefined
 * while more bytes are needed.
 */
export function readServerAnswer(bytes: Uint8Array): ServerAnswer | undefined {
  let at = 0;
  const handshake: number[] = [];
  while (bytes.length - at >= 5) {
    const type = bytes[at];
    const length = (bytes[at + 3] << 8) | bytes[at + 4];
    if (bytes[at + 1] !== 3 || length > 18432) return { kind: "malformed", detail: "not a TLS record" };
    if (bytes.length - at < 5 + length) return undefined;
    const payload = bytes.subarray(at + 5, at + 5 + length);
    at += 5 + length;
    if (type === 21) {
      if (payload.length < 2) return { kind: "malformed", detail: "short alert" };
      return { kind: "alert", level: payload[0], description: payload[1] };
    }
    if (type !== 22) return { kind: "malformed", detail: `record type ${type} before the ServerHello` };
    for (let i = 0; i < payload.length; i++) handshake.push(payload[i]);
    if (handshake.length < 4) continue;
    if (handshake[0] !== 2) return { kind: "malformed", detail: `handshake message ${handshake[0]} instead of ServerHello` };
    const len = (handshake[1] << 16) | (handshake[2] << 8) | handshake[3];
    if (handshake.length < 4 + len) continue;
    return serverHello(handshake.slice(4, 4 + len));
  }
  return undefined;
}

function serverHello(b: number[]): ServerAnswer {
  if (b.length < 38) return { kind: "malformed", detail: "short ServerHello" };
  const version = (b[0] << 8) | b[1];
  let at = 34;
  at += 1 + b[at]; // session id
  if (b.length < at + 3) return { kind: "malformed", detail: "short ServerHello" };
  const suite = (b[at] << 8) | b[at + 1];
  at += 3; // suite, compression
  const extensions: number[] = [];
  let maxFragmentLength: number | null = null;
  if (b.length >= at + 2) {
    const end = at + 2 + ((b[at] << 8) | b[at + 1]);
    at += 2;
    while (at + 4 <= end && end <= b.length) {
      const type = (b[at] << 8) | b[at + 1];
      const len = (b[at + 2] << 8) | b[at + 3];
      extensions.push(type);
      if (type === EXT_MAX_FRAGMENT_LENGTH && len === 1) {
        const code = b[at + 4];
        for (const bytes of Object.keys(MFL_CODES)) if (MFL_CODES[Number(bytes)] === code) maxFragmentLength = Number(bytes);
      }
      at += 4 + len;
    }
  }
  return { kind: "server-hello", version, suite, extensions, maxFragmentLength };
}
