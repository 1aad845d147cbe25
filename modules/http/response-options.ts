/**
 * The response parser's options. Limits, and the leniencies: each accepts one kind of input that RFC 9112 does not require a
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

/** The leniencies alone, as a client passes them through to the parsers of its connections. */
export type ResponseLeniency = Pick<
  ResponseParserOptions,
  "lenientLineEndings" | "lenientChunkSizeWhitespace" | "lenientChunkExtensions" | "lenientTransferEncodingWithContentLength" | "lenientDataAfterClose"
>;

export const DEFAULT_MAX_HEADER_BYTES = 8192;
export const DEFAULT_MAX_CHUNK_LINE_BYTES = 1024;

/** The options with every default applied, checked once when a parser is made. */
export interface ParserSettings {
  readonly maxHeaderBytes: number;
  readonly maxChunkLineBytes: number;
  readonly lenientLineEndings: boolean;
  readonly lenientChunkSizeWhitespace: boolean;
  readonly lenientChunkExtensions: boolean;
  readonly lenientTransferEncodingWithContentLength: boolean;
  readonly lenientDataAfterClose: boolean;
}

/** Applies the defaults; a limit that is not a positive integer is a RangeError. */
export function resolveOptions(options: ResponseParserOptions): ParserSettings {
  return {
    maxHeaderBytes: positive(options.maxHeaderBytes, DEFAULT_MAX_HEADER_BYTES, "maxHeaderBytes"),
    maxChunkLineBytes: positive(options.maxChunkLineBytes, DEFAULT_MAX_CHUNK_LINE_BYTES, "maxChunkLineBytes"),
    lenientLineEndings: options.lenientLineEndings === true,
    lenientChunkSizeWhitespace: options.lenientChunkSizeWhitespace === true,
    lenientChunkExtensions: options.lenientChunkExtensions === true,
    lenientTransferEncodingWithContentLength: options.lenientTransferEncodingWithContentLength === true,
    lenientDataAfterClose: options.lenientDataAfterClose === true,
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
