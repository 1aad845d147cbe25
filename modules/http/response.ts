/**
 * Incremental HTTP/1.x response parser: bytes in, callbacks out, in the manner of llhttp.
 *
 * - Bytes may be split anywhere; the parser keeps at most one partial line (bounded by the
 *   header limit) and never accumulates body bytes: each body piece is handed out as a view
 *   (`subarray`) of the input it arrived in, valid only during the callback.
 * - Strict by default: each tolerance is a named option (response-options.ts).
 * - A response must answer a request recorded with `expectResponseTo`; any other byte is an error.
 * - Message framing follows RFC 9112 section 6.3 exactly (response-framing.ts); the head's lines
 *   are read in response-head.ts, chunk-size lines in chunked.ts.
 * - Any malformed input throws `HttpParseError` (stable code, byte offset). After an error the
 *   parser is dead and throws the same error again; it never loops without consuming input.
 */
import { chunkSize } from "./chunked";
import { HttpParseError, HttpParseErrorCode, printable } from "./errors";
import { HeaderList } from "./headers";
import { checkFramingFields, decideFraming, type FramingInfo } from "./response-framing";
import { noFramingFields, parseStatusLine, readFieldSection, ResponseHead } from "./response-head";
import { ParserSettings, ResponseParserOptions, resolveOptions } from "./response-options";
import { LineBuffer } from "./line-buffer";

export type { BodyFraming, FramingInfo } from "./response-framing";
export type { ResponseHead } from "./response-head";
export type { ResponseLeniency, ResponseParserOptions } from "./response-options";
export { DEFAULT_MAX_CHUNK_LINE_BYTES, DEFAULT_MAX_HEADER_BYTES } from "./response-options";

export interface ResponseHandler {
  /**
   * An interim 1xx response (100, 102, 103): reported, then skipped. A 101 is reported here too,
   * just before the parser fails with UPGRADE_NOT_REQUESTED.
   */
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

export class ResponseParser {
  private state = State.StatusLine;
  private readonly handler: ResponseHandler;
  private readonly settings: ParserSettings;
  /** Methods of the requests whose final response has not begun, oldest first from `nextPending`. */
  private readonly pendingMethods: string[] = [];
  private nextPending = 0;

  /** Bytes consumed before the current input: offsets in errors count from the stream's start. */
  private base = 0;
  /** Lines and sections that began in an earlier input, and the last line read. */
  private readonly lines = new LineBuffer();
  /** Stream offset of the current line's first byte (for errors). */
  private lineStart = 0;
  /** Stream offset of the current field section (after the status line, or of the trailers). */
  private sectionStart = 0;
  /** Bytes of the current head (status line, leading empty lines, fields) or trailer section. */
  private headBytes = 0;

  private head: ResponseHead | null = null;
  private keepAlive = false;
  private remaining = 0;
  private trailers: HeaderList | null = null;
  private failure: HttpParseError | null = null;
  private started = false;

  /** Bytes dropped after a response that closed the connection (only with lenientDataAfterClose). */
  ignoredBytes = 0;

  constructor(handler: ResponseHandler, options: ResponseParserOptions = {}) {
    this.handler = handler;
    this.settings = resolveOptions(options);
  }

  /**
   * Records a request sent on this connection, in order: its response is framed by its method (a
   * response to HEAD has no body). Call it before the request's bytes can be answered. A response
   * with no request recorded is UNSOLICITED_RESPONSE: bytes never count as an answer to a request
   * that was not sent.
   */
  expectResponseTo(method: string): void {
    if (this.nextPending > 0 && this.nextPending === this.pendingMethods.length) {
      this.pendingMethods.length = 0;
      this.nextPending = 0;
    }
    this.pendingMethods.push(method.toUpperCase());
  }

  /** Requests recorded whose final response has not begun (its status line not yet read). */
  get pendingResponses(): number {
    return this.pendingMethods.length - this.nextPending;
  }

  /** True once any byte of the current response has arrived (false between responses). */
  get responseStarted(): boolean {
    return this.started;
  }

  /**
   * True when no response is in progress and none is awaited: any byte that arrives now is an
   * error (UNSOLICITED_RESPONSE, or DATA_AFTER_CLOSE once closed). The parser holds no bytes
   * while idle, so a connection whose parser is idle has nothing buffered in the parser.
   */
  get idle(): boolean {
    return this.state === State.StatusLine && !this.started && this.pendingResponses === 0;
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
            // Desynchronisation guard: a response must answer a request that was sent.
            if (this.pendingResponses === 0) this.fail("UNSOLICITED_RESPONSE", this.base + pos, "bytes arrived with no request pending");
            this.started = true;
            this.headBytes = 0;
          }
          const next = this.readLine(input, pos, this.settings.maxHeaderBytes - this.headBytes, "HEADERS_TOO_LARGE", "status line");
          if (next < 0) return;
          this.headBytes += this.lines.lineBytes;
          pos = next;
          // Robustness (RFC 9112 section 2.2): empty lines before a status line are skipped; some
          // servers send a stray CRLF after a body.
          if (this.lines.line !== "") this.onStatusLine(this.lines.line);
          break;
        }
        case State.Headers:
        case State.Trailers: {
          const lines = this.lines;
          const held = lines.length;
          if (held === 0) this.sectionStart = this.base + pos;
          const budget = this.settings.maxHeaderBytes - this.headBytes;
          const stop = lines.sectionEnd(input, pos, budget);
          if (stop < 0) {
            // The section goes on past this input: keep it, within the limit.
            if (held + end - pos > budget) this.sectionTooLarge();
            lines.hold(input, pos, end);
            return;
          }
          if (held === 0) {
            this.readSection(input, pos, stop);
          } else {
            lines.hold(input, pos, stop);
            this.readSection(lines.take(), 0, held + stop - pos);
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
          const next = this.readLine(input, pos, this.settings.maxChunkLineBytes, "BAD_CHUNK_SIZE", "chunk-size line");
          if (next < 0) return;
          pos = next;
          this.onChunkSizeLine(this.lines.line);
          break;
        }
        case State.ChunkData:
          pos = this.deliver(input, pos);
          if (this.remaining === 0) this.state = State.ChunkDataCR;
          break;
        case State.ChunkDataCR: {
          const b = input[pos];
          if (b === CR) { this.state = State.ChunkDataLF; pos++; }
          else if (b === LF) {
            if (!this.settings.lenientLineEndings) this.bareLf(this.base + pos);
            this.state = State.ChunkSize;
            pos++;
          }
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
          if (!this.settings.lenientDataAfterClose) this.fail("DATA_AFTER_CLOSE", this.base + pos, "bytes after a response that closed the connection");
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

  private sectionTooLarge(): never {
    const what = this.state === State.Trailers ? "trailer section" : "response head";
    this.fail("HEADERS_TOO_LARGE", this.sectionStart, `the ${what} is over ${this.settings.maxHeaderBytes} bytes`);
  }

  /** Processes the complete section `bytes[from, to)` (it starts at stream offset `sectionStart`). */
  private readSection(bytes: Uint8Array, from: number, to: number): void {
    const origin = this.sectionStart;
    if (this.state === State.Trailers) {
      this.lineStart = origin + readFieldSection(bytes, from, to, origin, this.trailers as HeaderList, null, this.settings.lenientLineEndings);
      this.endTrailers();
    } else {
      this.lineStart = origin + readFieldSection(bytes, from, to, origin, (this.head as ResponseHead).headers, this.framingFields, this.settings.lenientLineEndings);
      this.endHead();
    }
  }

  /** Indices in the current head's HeaderList of the fields that decide framing; reused for every head. */
  private readonly framingFields = noFramingFields();

  /**
   * Reads one line ending in CRLF (or a bare LF with lenientLineEndings): a status line or a
   * chunk-size line, into `lines.line`. Returns the index after the LF, or -1 when the input ran
   * out first (the piece is held, never more than `budget` bytes).
   */
  private readLine(input: Uint8Array, pos: number, budget: number, tooLong: HttpParseErrorCode, what: string): number {
    const next = this.lines.readLine(input, pos, this.base, budget, tooLong, what);
    this.lineStart = this.lines.lineStart;
    if (next >= 0 && !this.lines.lineHadCr && !this.settings.lenientLineEndings) this.bareLf(this.base + next - 1);
    return next;
  }

  private bareLf(offset: number): never {
    this.fail("BARE_LF", offset, "a line ends in LF without CR (RFC 9112 section 2.2; lenientLineEndings accepts it)");
  }

  private onStatusLine(line: string): void {
    this.head = parseStatusLine(line, this.lineStart);
    const f = this.framingFields;
    f.connection.length = 0;
    f.contentLength.length = 0;
    f.transferEncoding.length = 0;
    this.state = State.Headers;
  }

  private endHead(): void {
    const head = this.head as ResponseHead;
    const { status } = head;
    const length = checkFramingFields(head, this.framingFields, this.settings.lenientTransferEncodingWithContentLength, this.lineStart);
    if (status >= 100 && status < 200) {
      // Interim response: report, then read the next head (RFC 9112 section 6.3 item 1, RFC 9110 section 15.2).
      this.state = State.StatusLine;
      this.started = false;
      this.head = null;
      if (this.handler.onInformational) this.handler.onInformational(head);
      if (status === 101) {
        // This client never sends Upgrade, so the connection now speaks a protocol it cannot read.
        const upgrade = head.headers.get("upgrade");
        this.fail("UPGRADE_NOT_REQUESTED", this.lineStart, `101 Switching Protocols${upgrade === undefined ? "" : ` to "${printable(upgrade.slice(0, 32))}"`}, but no upgrade was requested`);
      }
      return;
    }
    const method = this.pendingMethods[this.nextPending++];
    const framing = decideFraming(head, this.framingFields, method, length, this.lineStart);
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

  private onChunkSizeLine(line: string): void {
    const size = chunkSize(line, this.lineStart, this.settings);
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
