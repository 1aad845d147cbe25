/**
 * Line assembly for the response parser: finds line and section ends in each input and keeps the
 * part of a line or field section that began in an earlier input, within a budget, so the parser
 * never holds more than one partial line or section.
 */
import { latin1 } from "../base/bytes";
import { HttpParseError, HttpParseErrorCode } from "./errors";

export const LF = 10;
export const CR = 13;
/** How held section bytes end: at a line start, after a lone CR there, or mid-line. */
const TAIL_LINE_START = 0;
const TAIL_CR = 1;
const TAIL_TEXT = 2;

export class LineBuffer {
  /** Bytes held from earlier input; the first `length` are in use. */
  bytes: Uint8Array | null = null;
  length = 0;
  /** How the held section bytes end (see `sectionEnd`). */
  private scanTail = TAIL_LINE_START;

  /** Stream offset of the first byte of the line last started by `readLine`. */
  lineStart = 0;
  /** The last complete line read, without its line end (a final CR removed). */
  line = "";
  /** Whether that line ended in CRLF (else a bare LF). */
  lineHadCr = true;
  /** Bytes (with the line end and any held part) of that line. */
  lineBytes = 0;

  /**
   * Reads one line ending in LF from `input` at `pos` (stream offset `base + pos`). Returns the
   * index after the LF, with `line` set, or -1 when the input ran out first, in which case the
   * piece is held. A line over `budget` bytes is `tooLong` (`what` names the line in the error).
   */
  readLine(input: Uint8Array, pos: number, base: number, budget: number, tooLong: HttpParseErrorCode, what: string): number {
    if (this.length === 0) this.lineStart = base + pos;
    const lf = input.indexOf(LF, pos);
    const held = this.length;
    const length = held + (lf < 0 ? input.length - pos : lf - pos + 1);
    if (length > budget) throw new HttpParseError(tooLong, this.lineStart, `the ${what} is over ${budget} bytes`);
    if (lf < 0) {
      this.hold(input, pos, input.length);
      return -1;
    }
    let line: string;
    if (held === 0) {
      line = latin1(input, pos, lf);
    } else {
      this.hold(input, pos, lf);
      line = latin1(this.bytes as Uint8Array, 0, this.length);
      this.length = 0;
    }
    const last = line.length - 1;
    this.lineHadCr = last >= 0 && line.charCodeAt(last) === CR;
    this.line = this.lineHadCr ? line.slice(0, last) : line;
    this.lineBytes = length;
    return lf + 1;
  }

  /**
   * Where the current field section ends in `input` (the index after the LF of its empty line),
   * or -1 when it does not end within the input and `budget`. Held bytes count; `scanTail` says
   * how they ended.
   */
  sectionEnd(input: Uint8Array, pos: number, budget: number): number {
    const held = this.length;
    const limit = pos + (budget - held);
    let tail = held > 0 ? this.scanTail : TAIL_LINE_START;
    let at = pos;
    for (;;) {
      const lf = input.indexOf(LF, at);
      if (lf < 0 || lf >= limit) {
        const rest = input.length - at;
        if (rest > 0) this.scanTail = tail === TAIL_LINE_START && rest === 1 && input[at] === CR ? TAIL_CR : TAIL_TEXT;
        else this.scanTail = tail;
        return -1;
      }
      if (tail === TAIL_LINE_START ? lf === at || (lf === at + 1 && input[at] === CR) : tail === TAIL_CR && lf === at) return lf + 1;
      tail = TAIL_LINE_START;
      at = lf + 1;
    }
  }

  /** The held bytes (the first `n` are in use, `n` returned by `take`), emptied; a large buffer is let go. */
  take(): Uint8Array {
    const bytes = this.bytes as Uint8Array;
    this.length = 0;
    if (bytes.length > 1024) this.bytes = null;
    return bytes;
  }

  hold(input: Uint8Array, from: number, to: number): void {
    const n = to - from;
    const need = this.length + n;
    if (!this.bytes || this.bytes.length < need) {
      let size = this.bytes ? this.bytes.length * 2 : 256;
      while (size < need) size *= 2;
      const grown = new Uint8Array(size);
      if (this.bytes) grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(input.subarray(from, to), this.length);
    this.length = need;
  }
}
