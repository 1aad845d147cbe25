/**
 * Incremental HTTP/1.x response parser: bytes in, callbacks out, in the manner of llhttp.
 *
 * - Bytes may be split anywhere; the parser keeps at most one partial line (bounded by the
 *   header limit) and never accumulates body bytes: each body piece is handed out as a view
 *   (`subarray`) of the input it arrived in, valid only during the callback.
 * - Message framing follows RFC 9112 section 6.3 exactly; see `decideFraming`.
 * - Any malformed input throws `HttpParseError` (stable code, byte offset). After an error the
 *   parser is dead and throws the same error again; it never loops without consuming input.
 */
import { ascii, hasNativeAsciiDecoder, latin1 } from "../base/bytes";
import { HttpParseError, HttpParseErrorCode } from "./errors";
import { HeaderList, listTokens } from "./headers";

export interface ResponseHead {
  /** "1.0" or "1.1"; a higher 1.x minor version is treated as 1.1 (RFC 9110 section 2.5). */
  version: "1.0" | "1.1";
  status: number;
  reason: string;
  headers: HeaderList;
}

/** How the body of a response is delimited (RFC 9112 section 6.3). */
export type BodyFraming = "none" | "length" | "chunked" | "close";

export interface FramingInfo {
  kind: BodyFraming;
  /** Content-Length for "length"; -1 otherwise. */
  length: number;
  /** Whether the connection may carry another request after this response. */
  keepAlive: boolean;
  /** Transfer codings other than chunked, as listed by the server (the body carries them encoded). */
  codings: string[];
}

export interface ResponseHandler {
  /** An interim 1xx response (100, 102, 103): reported, then skipped. */
  onInformational?(head: ResponseHead): void;
  /** The final response's head, with how its body is framed. */
  onHead(head: ResponseHead, framing: FramingInfo): void;
  /** A piece of body: a view into the input, valid only during this call. */
  onBody(data: Uint8Array): void;
  /** Trailer fields after a chunked body, when there were any. */
  onTrailers?(trailers: HeaderList): void;
  /** The response is complete. */
  onComplete(keepAlive: boolean): void;
}

export interface ResponseParserOptions {
  /** Limit for one head (status line and fields, with line ends) and for a trailer section. Default 8 KiB. */
  maxHeaderBytes?: number;
  /** Limit for one chunk-size line with its extensions. Default 1 KiB. */
  maxChunkLineBytes?: number;
}

export const DEFAULT_MAX_HEADER_BYTES = 8192;
export const DEFAULT_MAX_CHUNK_LINE_BYTES = 1024;

const enum State {
  StatusLine,
  Headers,
  BodyLength,
  BodyClose,
  ChunkSize,
  ChunkData,
  ChunkDataCR,
  ChunkDataLF,
  Trailers,
  /** A response that does not keep the connection alive has ended; later bytes are ignored. */
  Closed,
  Finished,
  Failed,
}

const LF = 10;
const CR = 13;
/** How bytes held from an earlier input end: at a line start, after a lone CR there, or mid-line. */
const TAIL_LINE_START = 0;
const TAIL_CR = 1;
const TAIL_TEXT = 2;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Controls other than HTAB are not field content (RFC 9110 section 5.5); bare CR and NUL included. */
const BAD_FIELD_CHAR = /[\x00-\x08\x0a-\x1f\x7f]/;
/**
 * A plain section holds only printable ASCII, HTAB, LF, and CR before LF: it needs no per-field
 * control-character check. The regex engine scans natively on V8 and XS alike.
 */
const NOT_PLAIN = /[^\t\n\r\x20-\x7e]|\r(?!\n)/;
const STATUS_LINE = /^HTTP\/(\d)\.(\d) (\d{3})(?: ([^\x00-\x08\x0a-\x1f\x7f]*))?$/;
const CONTENT_LENGTH = /^[0-9]+$/;
const HEX = /^[0-9A-Fa-f]+/;
/** What may follow the hex size: BWS-separated extensions (RFC 9112 section 7.1.1), no controls. */
const CHUNK_EXTENSIONS = /^[ \t]*(;[^\x00-\x08\x0a-\x1f\x7f]*)?$/;

export class ResponseParser {
  private state = State.StatusLine;
  private readonly maxHeaderBytes: number;
  private readonly maxChunkLineBytes: number;
  private readonly handler: ResponseHandler;
  private readonly pendingMethods: string[] = [];

  /** Bytes consumed before the current input: offsets in errors count from the stream's start. */
  private base = 0;
  /** A line that began in an earlier input. */
  private partial: Uint8Array | null = null;
  private partialLength = 0;
  /** Stream offset of the current line's first byte. */
  private lineStart = 0;
  /** Stream offset of the current field section (after the status line, or of the trailers). */
  private sectionStart = 0;
  /** Bytes of the current head (status line, leading empty lines, fields) or trailer section. */
  private headBytes = 0;
  /** How held section bytes end (see `sectionEnd`). */
  private scanTail = TAIL_LINE_START;

  private head: ResponseHead | null = null;
  private keepAlive = false;
  private remaining = 0;
  private trailers: HeaderList | null = null;
  private failure: HttpParseError | null = null;
  private started = false;

  /** Bytes that arrived after a response that closes the connection; they belong to no response. */
  ignoredBytes = 0;

  constructor(handler: ResponseHandler, options: ResponseParserOptions = {}) {
    this.handler = handler;
    this.maxHeaderBytes = positive(options.maxHeaderBytes, DEFAULT_MAX_HEADER_BYTES, "maxHeaderBytes");
    this.maxChunkLineBytes = positive(options.maxChunkLineBytes, DEFAULT_MAX_CHUNK_LINE_BYTES, "maxChunkLineBytes");
  }

  /**
   * Records the method of a request sent on this connection, in order, so the matching response
   * is framed right (a response to HEAD has no body). Without a record, GET is assumed.
   */
  expectResponseTo(method: string): void {
    this.pendingMethods.push(method.toUpperCase());
  }

  /** True once any byte of the current response has arrived (false between responses). */
  get responseStarted(): boolean {
    return this.started;
  }

  /** True between responses on a connection that may be reused. */
  get idle(): boolean {
    return this.state === State.StatusLine && !this.started;
  }

  /** True after a response that ends the connection, or after `finish`. */
  get closed(): boolean {
    return this.state === State.Closed || this.state === State.Finished;
  }

  /** Total bytes pushed so far. */
  get offset(): number {
    return this.base;
  }

  /** Feeds bytes as they arrive; callbacks run before it returns. */
  push(input: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (this.state === State.Finished) throw new HttpParseError("PARSER_FINISHED", this.base, "push after the end of the stream");
    try {
      this.consume(input);
      this.base += input.length;
    } catch (e) {
      if (e instanceof HttpParseError) {
        this.failure = e;
        this.state = State.Failed;
      }
      throw e;
    }
  }

  /**
   * The peer has closed the stream. Completes a close-delimited body; anything else that is
   * unfinished is an error (a body cut short is TRUNCATED_BODY, a cut head UNEXPECTED_EOF).
   */
  finish(): void {
    if (this.failure) throw this.failure;
    const state = this.state;
    this.state = State.Finished;
    switch (state) {
      case State.Closed:
      case State.Finished:
        return;
      case State.StatusLine:
        if (!this.started) return;
        return this.fail("UNEXPECTED_EOF", this.base, "the stream ended inside a status line");
      case State.Headers:
        return this.fail("UNEXPECTED_EOF", this.base, "the stream ended inside the header section");
      case State.BodyClose:
        this.started = false;
        this.handler.onComplete(false);
        return;
      case State.BodyLength:
        return this.fail("TRUNCATED_BODY", this.base, `the stream ended ${this.remaining} bytes before the end of the Content-Length body`);
      case State.ChunkSize:
      case State.ChunkData:
      case State.ChunkDataCR:
      case State.ChunkDataLF:
        return this.fail("TRUNCATED_BODY", this.base, "the stream ended inside a chunked body");
      case State.Trailers:
        return this.fail("UNEXPECTED_EOF", this.base, "the stream ended inside the trailer section");
      default:
        return;
    }
  }

  private fail(code: HttpParseErrorCode, offset: number, detail: string): never {
    const e = new HttpParseError(code, offset, detail);
    this.failure = e;
    this.state = State.Failed;
    throw e;
  }

  private consume(input: Uint8Array): void {
    const end = input.length;
    let pos = 0;
    while (pos < end) {
      switch (this.state) {
        case State.StatusLine: {
          if (!this.started) {
            this.started = true;
            this.headBytes = 0;
          }
          const next = this.readLine(input, pos, this.maxHeaderBytes - this.headBytes, "HEADERS_TOO_LARGE");
          if (next < 0) return;
          this.headBytes += this.lineBytes;
          pos = next;
          // Robustness (RFC 9112 section 2.2): empty lines before a status line are skipped; some
          // servers send a stray CRLF after a body.
          if (this.line !== "") this.onStatusLine(this.line);
          break;
        }
        case State.Headers:
        case State.Trailers: {
          const held = this.partialLength;
          if (held === 0) this.sectionStart = this.base + pos;
          const budget = this.maxHeaderBytes - this.headBytes;
          const stop = this.sectionEnd(input, pos, budget);
          if (stop < 0) {
            // The section goes on past this input: keep it, within the limit.
            if (held + end - pos > budget) this.sectionTooLarge();
            this.hold(input, pos, end);
            return;
          }
          if (held === 0) {
            this.readSection(input, pos, stop);
          } else {
            this.hold(input, pos, stop);
            const bytes = this.partial as Uint8Array;
            this.partialLength = 0;
            if (bytes.length > 1024) this.partial = null;
            this.readSection(bytes, 0, held + stop - pos);
          }
          pos = stop;
          break;
        }
        case State.BodyLength:
          pos = this.deliver(input, pos);
          if (this.remaining === 0) this.complete();
          break;
        case State.BodyClose:
          this.handler.onBody(pos === 0 ? input : input.subarray(pos));
          return;
        case State.ChunkSize: {
          const next = this.readLine(input, pos, this.maxChunkLineBytes, "BAD_CHUNK_SIZE");
          if (next < 0) return;
          pos = next;
          this.onChunkSizeLine(this.line);
          break;
        }
        case State.ChunkData:
          pos = this.deliver(input, pos);
          if (this.remaining === 0) this.state = State.ChunkDataCR;
          break;
        case State.ChunkDataCR: {
          const b = input[pos];
          if (b === CR) { this.state = State.ChunkDataLF; pos++; }
          else if (b === LF) { this.state = State.ChunkSize; pos++; }
          else this.fail("BAD_CHUNK_DATA", this.base + pos, "chunk data is longer than its size (expected CRLF)");
          break;
        }
        case State.ChunkDataLF: {
          if (input[pos] !== LF) this.fail("BAD_CHUNK_DATA", this.base + pos, "chunk data is not followed by CRLF");
          this.state = State.ChunkSize;
          pos++;
          break;
        }
        case State.Closed:
          this.ignoredBytes += end - pos;
          return;
        default:
          return;
      }
    }
  }

  /** Hands out up to `remaining` body bytes from `pos` as a view; returns the position after them. */
  private deliver(input: Uint8Array, pos: number): number {
    const n = input.length - pos < this.remaining ? input.length - pos : this.remaining;
    this.remaining -= n;
    this.handler.onBody(input.subarray(pos, pos + n));
    return pos + n;
  }

  /**
   * Where the current field section ends in `input` (the index after the LF of its empty line),
   * or -1 when it does not end within the input and `budget`. Bytes held from earlier input
   * count; `scanTail` says how they ended.
   */
  private sectionEnd(input: Uint8Array, pos: number, budget: number): number {
    const held = this.partialLength;
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

  private sectionTooLarge(): never {
    const what = this.state === State.Trailers ? "trailer section" : "response head";
    this.fail("HEADERS_TOO_LARGE", this.sectionStart, `the ${what} is over ${this.maxHeaderBytes} bytes`);
  }

  /** Processes the complete section `bytes[from, to)` (it starts at stream offset `sectionStart`). */
  private readSection(bytes: Uint8Array, from: number, to: number): void {
    // Decoded as ASCII first (natively where the engine can), then one regex scan tells whether
    // the per-field checks can be skipped: far cheaper on XS than a JS loop over every byte.
    let text = ascii(bytes, from, to);
    const clean = !NOT_PLAIN.test(text);
    // Where `ascii` is the native UTF-8 decoder, bytes above 0x7F came out as other characters.
    if (!clean && hasNativeAsciiDecoder) text = latin1(bytes, from, to);
    this.sectionClean = clean;
    const origin = this.sectionStart;
    let i = 0;
    while (i < text.length) {
      const lf = text.indexOf("\n", i);
      this.lineStart = origin + i;
      const end = lf > i && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
      const start = i;
      i = lf + 1;
      this.onHeadLine(text, start, end);
    }
    this.sectionClean = false;
  }

  /** Indices in the current head's HeaderList of the fields that decide framing. */
  private framingFields: { connection: number[]; contentLength: number[]; transferEncoding: number[] } = { connection: [], contentLength: [], transferEncoding: [] };

  /** True while the lines handed to onHeadLine are known to hold no control character. */
  private sectionClean = false;

  /** The last complete line read, without its line end. */
  private line = "";

  /**
   * Reads one line ending in LF (a preceding CR is dropped; a bare LF is accepted as RFC 9112
   * section 2.2 allows): a status line or a chunk-size line. Returns the index after the LF, or -1
   * when the input ran out first, in which case the piece is kept, never more than `budget` bytes.
   */
  private readLine(input: Uint8Array, pos: number, budget: number, tooLong: HttpParseErrorCode): number {
    if (this.partialLength === 0) this.lineStart = this.base + pos;
    const lf = input.indexOf(LF, pos);
    const held = this.partialLength;
    const length = held + (lf < 0 ? input.length - pos : lf - pos + 1);
    if (length > budget) {
      if (tooLong === "HEADERS_TOO_LARGE") this.fail(tooLong, this.lineStart, `the status line is over ${budget} bytes`);
      this.fail(tooLong, this.lineStart, `chunk-size line over ${budget} bytes`);
    }
    if (lf < 0) {
      this.hold(input, pos, input.length);
      return -1;
    }
    let line: string;
    if (held === 0) {
      line = latin1(input, pos, lf);
    } else {
      this.hold(input, pos, lf);
      line = latin1(this.partial as Uint8Array, 0, this.partialLength);
      this.partialLength = 0;
    }
    const last = line.length - 1;
    this.line = last >= 0 && line.charCodeAt(last) === CR ? line.slice(0, last) : line;
    this.lineBytes = length;
    return lf + 1;
  }

  /** Bytes (with the line end and any held part) of the last complete line read. */
  private lineBytes = 0;

  private hold(input: Uint8Array, from: number, to: number): void {
    const n = to - from;
    const need = this.partialLength + n;
    if (!this.partial || this.partial.length < need) {
      let size = this.partial ? this.partial.length * 2 : 256;
      while (size < need) size *= 2;
      const grown = new Uint8Array(size);
      if (this.partial) grown.set(this.partial.subarray(0, this.partialLength));
      this.partial = grown;
    }
    this.partial.set(input.subarray(from, to), this.partialLength);
    this.partialLength = need;
  }

  /** One line of a field section: `text[start, end)`, without its line end. */
  private onHeadLine(text: string, start: number, end: number): void {
    if (start === end) {
      if (this.state === State.Trailers) this.endTrailers();
      else this.endHead();
      return;
    }
    const fields = this.state === State.Trailers ? (this.trailers as HeaderList) : (this.head as ResponseHead).headers;
    const first = text.charCodeAt(start);
    if (first === 32 || first === 9) {
      // Obsolete line folding: a client replaces each obs-fold with SP (RFC 9112 section 5.2).
      // Whitespace before the first field is refused (RFC 9112 section 2.2).
      const extra = text.slice(start, end).replace(/^[ \t]+|[ \t]+$/g, "");
      if (!this.sectionClean && BAD_FIELD_CHAR.test(extra)) this.fail("BAD_HEADER_LINE", this.lineStart, "control character in a folded field value");
      if (!fields.appendToLast(extra)) this.fail("BAD_HEADER_LINE", this.lineStart, "whitespace before the first header field");
      return;
    }
    let colon = text.indexOf(":", start);
    if (colon >= end) colon = -1;
    if (colon <= start) this.fail("BAD_HEADER_LINE", this.lineStart, colon === start ? "empty header name" : "header line without a colon");
    const name = text.slice(start, colon);
    if (!TOKEN.test(name)) {
      this.fail("BAD_HEADER_LINE", this.lineStart, /[ \t]$/.test(name) ? `whitespace between header name and colon in "${printable(name)}"` : `invalid header name "${printable(name)}"`);
    }
    let a = colon + 1;
    let b = end;
    while (a < b && (text.charCodeAt(a) === 32 || text.charCodeAt(a) === 9)) a++;
    while (b > a && (text.charCodeAt(b - 1) === 32 || text.charCodeAt(b - 1) === 9)) b--;
    const value = text.slice(a, b);
    if (!this.sectionClean && BAD_FIELD_CHAR.test(value)) this.fail("BAD_HEADER_LINE", this.lineStart, `control character in the value of ${name}`);
    fields.add(name, value);
    // The fields that frame the message are noted as they arrive, so framing needs no lookups.
    const n = name.length;
    if (this.state === State.Headers && (n === 10 || n === 14 || n === 17)) {
      const lower = name.toLowerCase();
      const at = fields.size - 1;
      if (lower === "connection") this.framingFields.connection.push(at);
      else if (lower === "content-length") this.framingFields.contentLength.push(at);
      else if (lower === "transfer-encoding") this.framingFields.transferEncoding.push(at);
    }
  }

  private onStatusLine(line: string): void {
    const m = STATUS_LINE.exec(line);
    if (!m) this.fail("BAD_STATUS_LINE", this.lineStart, `not an HTTP/1.x status line: "${printable(line.slice(0, 64))}"`);
    if (m[1] !== "1") this.fail("BAD_STATUS_LINE", this.lineStart, `HTTP/${m[1]}.${m[2]} is not HTTP/1.x`);
    const status = Number(m[3]);
    if (status < 100 || status > 599) this.fail("BAD_STATUS_LINE", this.lineStart, `status code ${m[3]} is outside 100-599`);
    this.head = { version: m[2] === "0" ? "1.0" : "1.1", status, reason: m[4] ?? "", headers: new HeaderList() };
    this.framingFields = { connection: [], contentLength: [], transferEncoding: [] };
    this.state = State.Headers;
  }

  private endHead(): void {
    const head = this.head as ResponseHead;
    const { status } = head;
    if (status < 200) {
      if (status === 101) this.fail("UPGRADE_NOT_REQUESTED", this.lineStart, "101 Switching Protocols, but no upgrade was requested");
      // Interim response: report, then read the next head (RFC 9112 section 6.3 item 1, RFC 9110 section 15.2).
      this.state = State.StatusLine;
      this.started = false;
      this.head = null;
      if (this.handler.onInformational) this.handler.onInformational(head);
      return;
    }
    const method = this.pendingMethods.length > 0 ? (this.pendingMethods.shift() as string) : "GET";
    const framing = this.decideFraming(head, method);
    this.keepAlive = framing.keepAlive;
    this.handler.onHead(head, framing);
    switch (framing.kind) {
      case "none":
        this.complete();
        return;
      case "length":
        this.remaining = framing.length;
        if (this.remaining === 0) this.complete();
        else this.state = State.BodyLength;
        return;
      case "chunked":
        this.state = State.ChunkSize;
        return;
      case "close":
        this.state = State.BodyClose;
        return;
    }
  }

  /** RFC 9112 section 6.3, in its order. */
  private decideFraming(head: ResponseHead, method: string): FramingInfo {
    const { headers, status } = head;
    const valuesAt = (indices: number[]) => indices.map((i) => headers.valueAt(i));
    const connection = listTokens(valuesAt(this.framingFields.connection));
    let keepAlive = head.version === "1.1" ? connection.indexOf("close") < 0 : connection.indexOf("keep-alive") >= 0;
    const info = (kind: BodyFraming, length: number, codings: string[] = []): FramingInfo => ({ kind, length, keepAlive, codings });

    // 1. Responses to HEAD, 1xx, 204 and 304 end at the end of the head, whatever their fields say.
    if (method === "HEAD" || status === 204 || status === 304) return info("none", -1);

    // 3. Transfer-Encoding overrides Content-Length.
    const transferEncoding = this.framingFields.transferEncoding;
    const lengths = valuesAt(this.framingFields.contentLength);
    if (transferEncoding.length > 0) {
      const codings = listTokens(valuesAt(transferEncoding)).map((t) => t.split(";")[0].trim());
      if (codings.length === 0) this.fail("BAD_TRANSFER_ENCODING", this.lineStart, "empty Transfer-Encoding");
      const chunkedAt = codings.indexOf("chunked");
      const others = codings.filter((c) => c !== "chunked");
      // Both fields present: a sign of response splitting; process Transfer-Encoding, never reuse the connection.
      // HTTP/1.0 has no Transfer-Encoding (RFC 9112 section 6.1): the framing is suspect, so close after it too.
      if (lengths.length > 0 || head.version === "1.0") keepAlive = false;
      if (chunkedAt >= 0 && codings.lastIndexOf("chunked") !== chunkedAt) {
        this.fail("BAD_TRANSFER_ENCODING", this.lineStart, `"chunked" is applied more than once: "${codings.join(", ")}"`);
      }
      if (chunkedAt === codings.length - 1) return info("chunked", -1, others);
      // 4. Chunked is not the final coding: the body runs until the server closes the connection.
      keepAlive = false;
      return info("close", -1, others);
    }

    // 5. Content-Length: a list of identical values is one value; differing values are an error.
    if (lengths.length > 0) {
      let length = -1;
      for (const field of lengths) {
        for (const raw of field.split(",")) {
          const v = raw.trim();
          if (!CONTENT_LENGTH.test(v)) this.fail("BAD_CONTENT_LENGTH", this.lineStart, `Content-Length "${printable(v.slice(0, 32))}" is not a number`);
          const n = Number(v);
          if (!(n <= Number.MAX_SAFE_INTEGER)) this.fail("BAD_CONTENT_LENGTH", this.lineStart, `Content-Length ${v.slice(0, 32)} is too large`);
          if (length >= 0 && n !== length) this.fail("CONFLICTING_CONTENT_LENGTH", this.lineStart, `Content-Length values differ: ${length} and ${n}`);
          length = n;
        }
      }
      return info("length", length);
    }

    // 7. Otherwise the body runs until the server closes the connection.
    keepAlive = false;
    return info("close", -1);
  }

  private onChunkSizeLine(line: string): void {
    const m = HEX.exec(line);
    if (!m) this.fail("BAD_CHUNK_SIZE", this.lineStart, `chunk size "${printable(line.slice(0, 32))}" is not hexadecimal`);
    const digits = m[0].replace(/^0+/, "");
    // 13 hex digits hold at most 2^52 - 1; one more digit could exceed exact integers.
    if (digits.length > 13) this.fail("CHUNK_SIZE_OVERFLOW", this.lineStart, `chunk size ${m[0].slice(0, 20)} is too large`);
    if (!CHUNK_EXTENSIONS.test(line.slice(m[0].length))) {
      this.fail("BAD_CHUNK_SIZE", this.lineStart, `malformed chunk extension after size ${m[0]}`);
    }
    const size = digits === "" ? 0 : parseInt(digits, 16);
    if (size === 0) {
      this.trailers = new HeaderList();
      this.headBytes = 0;
      this.state = State.Trailers;
      return;
    }
    this.remaining = size;
    this.state = State.ChunkData;
  }

  private endTrailers(): void {
    const trailers = this.trailers as HeaderList;
    this.trailers = null;
    if (trailers.size > 0 && this.handler.onTrailers) this.handler.onTrailers(trailers);
    this.complete();
  }

  private complete(): void {
    this.head = null;
    this.started = false;
    this.state = this.keepAlive ? State.StatusLine : State.Closed;
    this.handler.onComplete(this.keepAlive);
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** Makes raw header text safe to show in an error message. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
