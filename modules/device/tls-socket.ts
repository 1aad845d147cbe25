/**
 * SecureSocket with the exception text kept: SecureSocket catches every exception of its TLS
 * stack and reports only message -2. Its socket callback calls `this.messageHandler(n)` inside
 * that try/catch, so this subclass overrides `messageHandler`, records the exception's text as
 * `lastError`, and rethrows so SecureSocket behaves exactly as before (closes and reports -2).
 */
import SecureSocket from "securesocket";
import type { SocketMessage } from "../core/io";
import type { SecureDictionary } from "../core/tls-options";

/** The parts of SecureSocket this file uses that its typings do not declare. */
interface SecureSocketInternals {
  messageHandler(bytesAvailable: number): void;
}

/** The text of an exception as the diagnosis matches it: the message, or the class name when empty. */
export function exceptionText(e: unknown): string {
  if (e instanceof Error) return e.message !== "" ? e.message : e.name;
  return String(e);
}

export class CapturingSecureSocket extends SecureSocket {
  /** SecureSocket calls `this.callback(message, value)`; set by the owner right after construction. */
  callback: ((message: SocketMessage, value?: number) => void) | null = null;
  /** The text of the exception that ended the connection, if one did. */
  lastError: string | undefined = undefined;

  constructor(dictionary: { sock: object; host: string; secure: SecureDictionary }) {
    super(dictionary);
  }

  messageHandler(bytesAvailable: number): void {
    try {
      (SecureSocket.prototype as unknown as SecureSocketInternals).messageHandler.call(this, bytesAvailable);
    } catch (e) {
      this.lastError = exceptionText(e);
      throw e;
    }
  }
}
