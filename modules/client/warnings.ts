/**
 * Warnings about weakened settings (TLS options, insecure opt-ins): given when a connection
 * opens, once per client or on every connection, to the client's warning sink or as a text line
 * on its log.
 */
import type { LogSink } from "./io";

/** A warning about a weakened setting (TLS options, insecure opt-ins), for the log. */
export interface EngineWarning {
  code: string;
  message: string;
  /** Logged on every new connection rather than once. */
  everyConnection: boolean;
}

export type WarningSink = (warning: EngineWarning, host: string) => void;

/** The text log line of a warning (the fetch loop's text format uses the same line). */
export function warningLine(w: { code: string; message: string }, host: string): string {
  return `warning ${w.code} host=${host} ${w.message}`;
}

/** The warnings of one client, and which once-only ones it has given. */
export class ConnectionWarnings {
  /** Codes of once-only warnings already given. */
  private readonly warned: string[] = [];

  constructor(private readonly warnings: readonly EngineWarning[]) {}

  /**
   * Warnings for a new connection: the once-only ones the first time, the every-connection ones
   * (TLS ones) on each new TLS connection. `sink` wins over a text line on `log`.
   */
  give(host: string, tls: boolean, sink: WarningSink | undefined, log: LogSink | undefined): void {
    const to = sink ?? (log ? (w: EngineWarning, h: string) => log(warningLine(w, h)) : undefined);
    if (!to) return;
    for (const w of this.warnings) {
      if (w.code.indexOf("TLS_") === 0 && !tls) continue;
      if (!w.everyConnection) {
        if (this.warned.indexOf(w.code) >= 0) continue;
        this.warned.push(w.code);
      }
      try {
        to(w, host);
      } catch {
        // A failing log sink must not break a connection.
      }
    }
  }
}
