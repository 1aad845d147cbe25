/**
 * SecureSocket with the exception text kept, and two holes of SDK 8.2.3's TLS stack closed.
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
 *   `TLS: alert sent: <level>, <description>` and nothing is ever written.
 * - Every link of the chain checked: the stack's chain walk skips a certificate that the next one
 *   did not sign (`continue` in ssl_cert.js verify), so a forged leaf followed by a real
 *   intermediate or root passed verification (seen on the simulator). Before the stack's own
 *   walk, each certificate the server sent must be signed by the one after it.
 */
/// <reference path="./sdk-extra.d.ts" />
import SecureSocket from "securesocket";
import X509 from "x509";
import type { SocketMessage } from "../client/io";
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
  if (!alert) return "TLS: handshake ended without a cipher";
  if (alert.description === 0) return "TLS: handshake closed by the server (close_notify)";
  return `TLS: alert sent: ${alert.level}, ${alert.description}`;
}

export class CapturingSecureSocket extends SecureSocket {
  /** The text of the exception that ended the connection, if one did. */
  lastError: string | undefined = undefined;
  /** The server asked for a client certificate during the handshake (mutual TLS). */
  clientCertificateRequested = false;
  private owner: Callback | null = null;
  /** Index of the first certificate not signed by the next one, when the chain check failed. */
  private brokenLink = -1;

  constructor(dictionary: { sock: object; host: string; secure: SecureDictionary }) {
    super(dictionary);
    if (dictionary.secure.verify !== false) this.checkEveryLink();
  }

  /** SecureSocket calls `this.callback(message, value)`; the owner sets it right after construction. */
  get callback(): Callback {
    return this.guard;
  }
  set callback(fn: Callback | null) {
    this.owner = fn;
  }

  private readonly guard: Callback = (message, value) => {
    if (message === 1) {
      const session = (this as unknown as { ssl?: SessionInternals }).ssl;
      if (!session || session.alert !== undefined || !session.clientCipher || !session.serverCipher) {
        // Thrown inside SecureSocket's messageHandler: recorded below, then -2 and a close.
        throw new Error(cipherlessText(session?.alert));
      }
    }
    if (this.owner) this.owner(message, value);
  };

  /** Records a CertificateRequest while the session still shows it (the stack drops it after Finished). */
  private noteCertificateRequest(): void {
    const session = (this as unknown as { ssl?: SessionInternals }).ssl;
    if (session && session.clientCerts !== undefined) this.clientCertificateRequested = true;
  }

  /** Puts a check of every signature in the server's chain before the stack's own chain walk. */
  private checkEveryLink(): void {
    const session = (this as unknown as { ssl?: SessionInternals }).ssl;
    const manager = session?.certificateManager;
    if (!manager) return;
    const walk = manager.verify;
    // defineProperty, not assignment: the prototype is frozen, and assigning over a frozen
    // inherited property throws.
    Object.defineProperty(manager, "verify", {
      value: (certs: unknown[], options: unknown): boolean => {
        for (let i = 0; i + 1 < certs.length; i++) {
          const issuerKey = X509.decodeSPKI(certs[i + 1]);
          if (!issuerKey || !manager._verify(issuerKey, X509.decode(certs[i]))) {
            this.brokenLink = i;
            return false;
          }
        }
        return walk.call(manager, certs, options);
      },
    });
  }

  messageHandler(bytesAvailable: number): void {
    try {
      (SecureSocket.prototype as unknown as SecureSocketInternals).messageHandler.call(this, bytesAvailable);
      this.noteCertificateRequest();
    } catch (e) {
      this.noteCertificateRequest();
      const text = exceptionText(e);
      this.lastError = this.brokenLink >= 0 && /certificate: auth err/.test(text)
        ? `${text}: certificate ${this.brokenLink + 1} of the chain is not signed by certificate ${this.brokenLink + 2}`
        : text;
      throw e;
    }
  }
}
