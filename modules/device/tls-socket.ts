/**
 * SecureSocket with the exception text kept, the holes of SDK 8.2.3's TLS stack closed, and the
 * project's certificate policy applied. The host simulator does the same in host/device-tls.ts,
 * with the same texts (tls/chain-policy.ts); the parity table (tools/sdk/parity.ts) checks both.
 *
 * - Error text: SecureSocket catches every exception of its TLS stack and reports only message
 *   -2. Its socket callback calls `this.messageHandler(n)` inside that try/catch, so this subclass
 *   overrides `messageHandler`, records the exception's text as `lastError`, and rethrows so
 *   SecureSocket behaves exactly as before (closes and reports -2).
 * - No "connected" without a cipher: when a server answers with a TLS version below
 *   `protocolVersion`, the stack sends alert 70 itself, ends the handshake and SecureSocket
 *   reports message 1 anyway; whatever is written next leaves in clear text (seen on the SDK's
 *   simulator: the request, Authorization header included). Message 1 is let through only when
 *   the session holds no alert and has both record ciphers; else it becomes -2 with the text
 *   `alert sent: <level>, <description>` and nothing is ever written.
 * - Every link of the chain checked: the stack's chain walk skips a certificate that the next one
 *   did not sign (`continue` in ssl_cert.js verify), so a forged leaf followed by a real
 *   intermediate or root passed verification (seen on the simulator). Before the stack's own
 *   walk, each certificate the server sent must be signed by the one after it; then the chain
 *   policy (issuers are CAs, no SHA-1, RSA of 2048 bits or more, an IP host needs an IP entry).
 * - A leaf sent alone: the stack matches the host name only while walking two or more
 *   certificates, so a leaf signed directly by an embedded root (a two-tier private PKI) was
 *   refused. Here it is walked as [leaf, leaf]: the first pass matches the name and checks the
 *   dates, the self-check fails, and the final pass verifies the leaf against the embedded CAs.
 *   A leaf no embedded CA signed is reported as such.
 * - close_notify: the stack notes a received close_notify in its session (`alert`, description
 *   0) and reports nothing, so a body delimited by the end of the connection never ended while the
 *   server kept TCP open (`openssl s_server -www`). It is reported as -1 (the peer is done).
 * - Not TLS: a plain-HTTP answer is taken for a record header announcing some 20 KB, and the
 *   stack waits for it. The first record header is checked, and a non-TLS one ends the handshake.
 * - A root the server sends after its chain is left out of the walk (trust comes from the embedded
 *   copy): the walk threw "invalid buffer (in comp)" on a root without authorityKeyIdentifier
 *   whenever it reached it (measured: a leaf and a root that is not embedded).
 * - A registered CA whose key type does not fit a signature (an EC root against an RSA-signed
 *   certificate) made the stack's loop over every CA throw "cannot coerce to bigint", failing
 *   every chain it had not yet matched: such a CA now simply did not sign it.
 * - The SDK's Linux simulator reports a connect to a closed port as connected; the ClientHello
 *   write then throws "write failed". Before any byte came back that is a failed TCP connection,
 *   reported with the same text as the device's -2 on connect (client/io.ts).
 */
/// <reference path="./sdk-extra.d.ts" />
import SecureSocket from "securesocket";
import X509 from "x509";
import { asBytes } from "../base/bytes";
import { NO_TCP_CONNECTION, type SocketMessage } from "../client/io";
import { CHAIN_TEXTS, chainPolicyError, endsWithSentRoot, notTlsText, outsideValidity } from "../tls/chain-policy";
import type { SecureDictionary } from "../tls/options";

/** The parts of SecureSocket and its session this file uses that the typings do not declare. */
interface SecureSocketInternals {
  messageHandler(bytesAvailable: number): void;
}
interface CertificateManagerInternals {
  verify(certs: unknown[], options: unknown): boolean;
  _verify(spki: unknown, x509: unknown): boolean;
}
interface SessionInternals {
  alert?: { level: number; description: number };
  /** Set by the stack when the server's CertificateRequest arrives (deleted after Finished). */
  clientCerts?: unknown;
  /** The record being read; its first 5 bytes are the header once they came. */
  packetBuffer?: Uint8Array;
  clientCipher: unknown;
  serverCipher: unknown;
  certificateManager?: CertificateManagerInternals;
}

/** The text of an exception as the diagnosis matches it: the message, or the class name when empty. */
export function exceptionText(e: unknown): string {
  if (e instanceof Error) return e.message !== "" ? e.message : e.name;
  return String(e);
}

type Callback = (message: SocketMessage, value?: number) => void;

/**
 * Why a handshake ended without a cipher. The session's `alert` is one the stack sent itself, or a
 * close_notify the server sent (the stack throws for any other alert it receives).
 */
function cipherlessText(alert: { level: number; description: number } | undefined): string {
  if (!alert) return "handshake ended without a cipher";
  if (alert.description === 0) return "handshake closed by the server (close_notify)";
  return `alert sent: ${alert.level}, ${alert.description}`;
}

export class CapturingSecureSocket extends SecureSocket {
  /** The text of the exception that ended the connection, if one did. */
  lastError: string | undefined = undefined;
  /** The server asked for a client certificate during the handshake (mutual TLS). */
  clientCertificateRequested = false;
  private owner: Callback | null = null;
  /** Why the edge's own chain checks refused the chain (the stack then throws "certificate: auth err"). */
  private chainProblem: string | undefined = undefined;
  /** Bytes came from the server (the TCP connection is real). */
  private heard = false;
  private closeNotified = false;

  constructor(dictionary: { sock: object; host: string; secure: SecureDictionary }) {
    super(dictionary);
    if (dictionary.secure.verify !== false) this.checkChains(dictionary.host);
  }

  /** SecureSocket calls `this.callback(message, value)`; the owner sets it right after construction. */
  get callback(): Callback {
    return this.guard;
  }
  set callback(fn: Callback | null) {
    this.owner = fn;
  }

  private session(): SessionInternals | undefined {
    return (this as unknown as { ssl?: SessionInternals }).ssl;
  }

  private readonly guard: Callback = (message, value) => {
    if (message === 1) {
      const session = this.session();
      if (!session || session.alert !== undefined || !session.clientCipher || !session.serverCipher) {
        // Thrown inside SecureSocket's messageHandler: recorded below, then -2 and a close.
        throw new Error(cipherlessText(session?.alert));
      }
    }
    if (this.owner) this.owner(message, value);
  };

  /** Records a CertificateRequest while the session still shows it (the stack drops it after Finished). */
  private noteCertificateRequest(): void {
    const session = this.session();
    if (session && session.clientCerts !== undefined) this.clientCertificateRequested = true;
  }

  /** Puts the link check, the chain policy and the leaf-alone walk around the stack's chain walk. */
  private checkChains(host: string): void {
    const manager = this.session()?.certificateManager;
    if (!manager) return;
    const walk = manager.verify;
    const check = manager._verify;
    // defineProperty, not assignment: the prototype is frozen, and assigning over a frozen
    // inherited property throws.
    Object.defineProperty(manager, "_verify", {
      // A CA whose key cannot check this signature (an EC key against an RSA signature) did not
      // sign it: the stack's fallback loop tries every registered CA, and such a pair threw
      // "cannot coerce to bigint" out of the whole handshake (measured with a P-384 root embedded).
      value: (spki: unknown, x509: unknown): boolean => {
        try {
          return check.call(manager, spki, x509);
        } catch (e) {
          if (e instanceof TypeError) return false;
          throw e;
        }
      },
    });
    Object.defineProperty(manager, "verify", {
      value: (certs: unknown[], options: unknown): boolean => {
        for (let i = 0; i + 1 < certs.length; i++) {
          const issuerKey = X509.decodeSPKI(certs[i + 1]);
          if (!issuerKey || !manager._verify(issuerKey, X509.decode(certs[i]))) return this.refuse(CHAIN_TEXTS.notSignedByNext(i + 1));
        }
        const ders = certs.map((c) => asBytes(c as ArrayBuffer));
        const name = (options as { tls_server_name?: string }).tls_server_name ?? host;
        const policy = chainPolicyError(ders, name);
        if (policy) return this.refuse(policy);
        const rootSent = endsWithSentRoot(ders);
        const chain = rootSent ? certs.slice(0, -1) : certs;
        if (chain.length !== 1) return walk.call(manager, chain, options);
        if (outsideValidity(ders[0], Date.now())) return this.refuse(CHAIN_TEXTS.leafDates);
        return walk.call(manager, [chain[0], chain[0]], options) || this.refuse(rootSent ? CHAIN_TEXTS.rootNotEmbedded : CHAIN_TEXTS.leafOnly);
      },
    });
  }

  private refuse(problem: string): false {
    this.chainProblem = problem;
    return false;
  }

  messageHandler(bytesAvailable: number): void {
    if (this.closeNotified) return;
    if (bytesAvailable > 0) this.heard = true;
    const handshaking = (this as unknown as { handshaking?: boolean }).handshaking === true;
    try {
      (SecureSocket.prototype as unknown as SecureSocketInternals).messageHandler.call(this, bytesAvailable);
      this.noteCertificateRequest();
      const session = this.session();
      if (handshaking && session?.packetBuffer && session.packetBuffer.length >= 5) {
        const notTls = notTlsText(session.packetBuffer.subarray(0, 5));
        if (notTls) throw new Error(notTls);
      }
      if (!handshaking && session?.alert?.description === 0) {
        // The server's close_notify: no more data will come on this connection.
        this.closeNotified = true;
        if (this.owner) this.owner(-1);
      }
    } catch (e) {
      this.noteCertificateRequest();
      const text = exceptionText(e);
      if (this.chainProblem !== undefined && text === CHAIN_TEXTS.authErr) this.lastError = this.chainProblem;
      else if (handshaking && !this.heard && /^write failed/.test(text)) this.lastError = NO_TCP_CONNECTION;
      else this.lastError = text;
      throw e;
    }
  }
}
