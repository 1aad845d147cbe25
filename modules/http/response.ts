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
  /**
   * The version as received: "1.0", "1.1", or a later "1.x", which has the semantics of 1.1
   * (RFC 9110 section 2.5: a recipient treats a higher minor version as the highest it knows).
   */
  version: string;
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

/**
 * Limits, and the leniencies: each accepts one kind of input that RFC 9112 does not require a
 * client to accept, and each is off unless turned on knowingly. What the parser accepts without
 * an option is what the RFC requires of a user agent (obs-fold, a list of identical
 * Content-Length values) or cannot change the framing (empty lines before a status line, a
 * missing reason phrase); see the README's parser section.
 */
export interface ResponseParserOptions {
  /** Limit for one head (status line and fields, with line ends) and for a trailer section. Default 8 KiB. */
  maxHeaderBytes?: number;
  /** Limit for one chunk-size line with its extensions. Default 1 KiB. */
  maxChunkLineBytes?: number;
  /**
   * Accept a bare LF as a line end (status line, fields, chunk lines, after chunk data). RFC 9112
   * section 2.2: a recipient MAY do so. Off by default: a server and an intermediary that split
   * lines differently see different messages (response splitting, section 11.1). Error: BARE_LF.
   */
  lenientLineEndings?: boolean;
  /**
   * Accept spaces or tabs before the line end of a chunk-size line ("5 \r\n", "5;a=b \r\n").
   * RFC 9112 section 7.1 allows none there (BWS only around ";" and "="). Off by default: parsers
   * that disagree on where a chunk size ends disagree on the body (smuggling). Error: BAD_CHUNK_SIZE
   * (after the size) or BAD_CHUNK_EXTENSION (after an extension).
   */
  lenientChunkSizeWhitespace?: boolean;
  /**
   * Accept any text without control characters after ";" on a chunk-size line ("5;", "5;=x",
   * unbalanced quotes). RFC 9112 section 7.1.1 requires `token [= token / quoted-string]`. Off by
   * default: malformed extensions are a smuggling vector (a quote that one parser ends and another
   * does not). Error: BAD_CHUNK_EXTENSION.
   */
  lenientChunkExtensions?: boolean;
  /**
   * Accept a response with both Transfer-Encoding and Content-Length, framed by Transfer-Encoding
   * and never reused. RFC 9112 section 6.3 rule 3: such a message "ought to be handled as an
   * error" (a sign of response splitting, section 11.1). Error: TRANSFER_ENCODING_WITH_CONTENT_LENGTH.
   */
  lenientTransferEncodingWithContentLength?: boolean;
  /**
   * Count and drop bytes that arrive after a response that ended the connection (`Connection:
   * close`, or an HTTP/1.0 response without keep-alive) instead of failing. RFC 9112 section 9.6:
   * the connection ends with that response; anything after it belongs to no request (a queued
   * response meant for someone else, or garbage). Error: DATA_AFTER_CLOSE, raised after the
   * complete response was delivered.
   */
  lenientDataAfterClose?: boolean;
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
/*
 * Character classes below are positive ("HTAB, printable, obs-text"; text here is latin1, so
 * nothing is above 0xFF): the XS build in the test lane mis-negates a class that starts at \x00,
 * so `[^\x00-\x08...]` would match control characters there.
 */
/**
 * status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 section 4). The SP
 * before an empty reason may be missing, as llhttp, h11 and Go accept: it cannot change framing.
 */
const STATUS_LINE = /^HTTP\/(\d)\.(\d) (\d{3})(?: ([\t\x20-\x7e\x80-\xff]*))?$/;
const CONTENT_LENGTH = /^[0-9]+$/;
const HEX = /^[0-9A-Fa-f]+/;
const TRAILING_WHITESPACE = /[ \t]+$/;
const BLANK = /^[ \t]+$/;
/** After the size, only BWS and ";" may start the rest of the line. */
const LEADS_TO_EXTENSION = /^[ \t]*;/;
/**
 * chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), name a token, value
 * a token or a quoted-string (RFC 9112 section 7.1.1, RFC 9110 section 5.6.4). Linear: no two
 * alternatives can match the same character.
 */
const CHUNK_EXTENSIONS = /^(?:[ \t]*;[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[ \t]*=[ \t]*(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+|"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"))?)*$/;
/** With lenientChunkExtensions: anything without control characters after the ";". */
const LENIENT_CHUNK_EXTENSIONS = /^[ \t]*;[\t\x20-\x7e\x80-\xff]*$/;

export class ResponseParser {
  private state = State.StatusLine;
  private readonly maxHeaderBytes: number;
  private readonly maxChunkLineBytes: number;
  private readonly handler: ResponseHandler;
  private readonly lenientLineEndings: boolean;
  private readonly lenientChunkSizeWhitespace: boolean;
  private readonly lenientChunkExtensions: boolean;
  private readonly lenientTransferEncodingWithContentLength: boolean;
  private readonly lenientDataAfterClose: boolean;
  /** Methods of the requests whose final response has not begun, oldest first from `nextPending`. */
  private readonly pendingMethods: string[] = [];
  private nextPending = 0;

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

  /** Bytes dropped after a response that closed the connection (only with lenientDataAfterClose). */
  ignoredBytes = 0;

  constructor(handler: ResponseHandler, options: ResponseParserOptions = {}) {
    this.handler = handler;
    this.maxHeaderBytes = positive(options.maxHeaderBytes, DEFAULT_MAX_HEADER_BYTES, "maxHeaderBytes");
    this.maxChunkLineBytes = positive(options.maxChunkLineBytes, DEFAULT_MAX_CHUNK_LINE_BYTES, "maxChunkLineBytes");
    this.lenientLineEndings = options.lenientLineEndings === true;
    this.lenientChunkSizeWhitespace = options.lenientChunkSizeWhitespace === true;
    this.lenientChunkExtensions = options.lenientChunkExtensions === true;
    this.lenientTransferEncodingWithContentLength = options.lenientTransferEncodingWithContentLength === true;
    this.lenientDataAfterClose = options.lenientDataAfterClose === true;
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
          else if (b === LF) {
            if (!this.lenientLineEndings) this.bareLf(this.base + pos);
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
          if (!this.lenientDataAfterClose) this.fail("DATA_AFTER_CLOSE", this.base + pos, "bytes after a response that closed the connection");
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
      if (end === lf && !this.lenientLineEndings) this.bareLf(origin + lf);
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
   * Reads one line ending in CRLF (or a bare LF with lenientLineEndings): a status line or a
   * chunk-size line. Returns the index after the LF, or -1 when the input ran out first, in which
   * case the piece is kept, never more than `budget` bytes.
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
    if (last >= 0 && line.charCodeAt(last) === CR) line = line.slice(0, last);
    else if (!this.lenientLineEndings) this.bareLf(this.lineStart + length - 1);
    this.line = line;
    this.lineBytes = length;
    return lf + 1;
  }

  private bareLf(offset: number): never {
    this.fail("BARE_LF", offset, "a line ends in LF without CR (RFC 9112 section 2.2; lenientLineEndings accepts it)");
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
    // HTTP/0.9 has no status line and HTTP/2 and 3 are not text on a TCP stream: a status line
    // that claims them is not HTTP/1.x, whatever follows (RFC 9112 section 2.3).
    if (m[1] !== "1") this.fail("UNSUPPORTED_HTTP_VERSION", this.lineStart, `HTTP/${m[1]}.${m[2]} is not HTTP/1.x`);
    // Any three digits (RFC 9110 section 15): reported as received; what a code outside 100-599
    // means is the caller's to decide (RFC 9110 says to treat it as 5xx).
    this.head = { version: `1.${m[2]}`, status: Number(m[3]), reason: m[4] ?? "", headers: new HeaderList() };
    this.framingFields = { connection: [], contentLength: [], transferEncoding: [] };
    this.state = State.Headers;
  }

  private endHead(): void {
    const head = this.head as ResponseHead;
    const { status } = head;
    // Framing fields are checked on every head, also where they do not frame the body (1xx, 204,
    // 304, HEAD): a malformed or ambiguous message is malformed whatever its status.
    const length = this.contentLength(head);
    const transferEncoding = this.framingFields.transferEncoding.length > 0;
    if (transferEncoding && length >= 0 && !this.lenientTransferEncodingWithContentLength) {
      this.fail("TRANSFER_ENCODING_WITH_CONTENT_LENGTH", this.lineStart, "both Transfer-Encoding and Content-Length (RFC 9112 section 6.3 rule 3)");
    }
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
    const framing = this.decideFraming(head, method, length);
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

  /**
   * The head's Content-Length, -1 without one. RFC 9112 section 6.3 rule 5: a list of identical
   * values (repeated fields or "3, 3") is that value; differing or invalid values are an error.
   */
  private contentLength(head: ResponseHead): number {
    const fields = this.framingFields.contentLength;
    let length = -1;
    for (let i = 0; i < fields.length; i++) {
      const field = head.headers.valueAt(fields[i]);
      const values = field.indexOf(",") < 0 ? [field] : field.split(",");
      for (const raw of values) {
        const v = raw.trim();
        if (!CONTENT_LENGTH.test(v)) this.fail("BAD_CONTENT_LENGTH", this.lineStart, `Content-Length "${printable(v.slice(0, 32))}" is not a number`);
        const n = Number(v);
        if (!(n <= Number.MAX_SAFE_INTEGER)) this.fail("BAD_CONTENT_LENGTH", this.lineStart, `Content-Length ${v.slice(0, 32)} is too large`);
        if (length >= 0 && n !== length) this.fail("CONFLICTING_CONTENT_LENGTH", this.lineStart, `Content-Length values differ: ${length} and ${n}`);
        length = n;
      }
    }
    return length;
  }

  /** RFC 9112 section 6.3, in its order; `length` is the checked Content-Length (-1 for none). */
  private decideFraming(head: ResponseHead, method: string, length: number): FramingInfo {
    const { headers, status } = head;
    const valuesAt = (indices: number[]) => indices.map((i) => headers.valueAt(i));
    const connection = listTokens(valuesAt(this.framingFields.connection));
    let keepAlive = head.version !== "1.0" ? connection.indexOf("close") < 0 : connection.indexOf("keep-alive") >= 0;
    const info = (kind: BodyFraming, bodyLength: number, codings: string[] = []): FramingInfo => ({ kind, length: bodyLength, keepAlive, codings });

    // 1. Responses to HEAD, 1xx, 204 and 304 end at the end of the head, whatever their fields say.
    if (method === "HEAD" || status === 204 || status === 304) return info("none", -1);

    // 3. Transfer-Encoding overrides Content-Length (both together only with the leniency).
    const transferEncoding = this.framingFields.transferEncoding;
    if (transferEncoding.length > 0) {
      const codings = listTokens(valuesAt(transferEncoding)).map((t) => t.split(";")[0].trim());
      if (codings.length === 0) this.fail("BAD_TRANSFER_ENCODING", this.lineStart, "empty Transfer-Encoding");
      for (const c of codings) if (!TOKEN.test(c)) this.fail("BAD_TRANSFER_ENCODING", this.lineStart, `"${printable(c.slice(0, 32))}" is not a transfer coding`);
      const chunkedAt = codings.indexOf("chunked");
      const others = codings.filter((c) => c !== "chunked");
      // Both fields present (lenient): a sign of response splitting; never reuse the connection.
      // HTTP/1.0 has no Transfer-Encoding: its framing is faulty, so close after it (RFC 9112 section 6.1).
      if (length >= 0 || head.version === "1.0") keepAlive = false;
      if (chunkedAt >= 0 && codings.lastIndexOf("chunked") !== chunkedAt) {
        this.fail("BAD_TRANSFER_ENCODING", this.lineStart, `"chunked" is applied more than once: "${codings.join(", ")}"`);
      }
      if (chunkedAt === codings.length - 1) return info("chunked", -1, others);
      // 4. Chunked is not the final coding: the body runs until the server closes the connection.
      keepAlive = false;
      return info("close", -1, others);
    }

    // 5. Content-Length.
    if (length >= 0) return info("length", length);

    // 7. Otherwise the body runs until the server closes the connection.
    keepAlive = false;
    return info("close", -1);
  }

  /** chunk-size [ chunk-ext ] (RFC 9112 section 7.1), line end already removed. */
  private onChunkSizeLine(line: string): void {
    const m = HEX.exec(line);
    if (!m) this.fail("BAD_CHUNK_SIZE", this.lineStart, `chunk size "${printable(line.slice(0, 32))}" is not hexadecimal`);
    const hex = m[0];
    const digits = hex.replace(/^0+/, "");
    // 13 hex digits hold at most 2^52 - 1; one more digit could exceed exact integers.
    if (digits.length > 13) this.fail("CHUNK_SIZE_OVERFLOW", this.lineStart, `chunk size ${hex.slice(0, 20)} is too large`);
    if (line.length > hex.length) this.checkChunkExtensions(line.slice(hex.length), hex);
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

  /** What follows the chunk size: nothing but extensions, or whitespace with the leniency. */
  private checkChunkExtensions(rest: string, hex: string): void {
    if (this.lenientChunkSizeWhitespace) rest = rest.replace(TRAILING_WHITESPACE, "");
    if (rest === "") return;
    if (!LEADS_TO_EXTENSION.test(rest)) {
      const blank = BLANK.test(rest);
      this.fail("BAD_CHUNK_SIZE", this.lineStart, blank ? `whitespace after chunk size ${hex} (lenientChunkSizeWhitespace accepts it)` : `chunk size ${hex} is followed by "${printable(rest.slice(0, 32))}"`);
    }
    if (!(this.lenientChunkExtensions ? LENIENT_CHUNK_EXTENSIONS : CHUNK_EXTENSIONS).test(rest)) {
      this.fail("BAD_CHUNK_EXTENSION", this.lineStart, `malformed chunk extension "${printable(rest.slice(0, 32))}" after size ${hex}`);
    }
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
