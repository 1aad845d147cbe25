/**
 * The chunk-size line of a chunked body (RFC 9112 section 7.1): `chunk-size [ chunk-ext ]`.
 */
import { isFieldText, isHexDigit, isTchar, skipSpTab, trimSpTabEnd } from "./chars";
import { HttpParseError, printable } from "./errors";

const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

export interface ChunkLineLeniency {
  readonly lenientChunkSizeWhitespace: boolean;
  readonly lenientChunkExtensions: boolean;
}

/** The size on a chunk-size line (line end removed) that starts at stream offset `offset`. */
export function chunkSize(line: string, offset: number, leniency: ChunkLineLeniency): number {
  const n = line.length;
  let end = 0;
  while (end < n && isHexDigit(line.charCodeAt(end))) end++;
  if (end === 0) throw new HttpParseError("BAD_CHUNK_SIZE", offset, `chunk size "${printable(line.slice(0, 32))}" is not hexadecimal`);
  let zeros = 0;
  while (zeros < end && line.charCodeAt(zeros) === 0x30) zeros++;
  // 13 hex digits hold at most 2^52 - 1; one more digit could exceed exact integers.
  if (end - zeros > 13) throw new HttpParseError("CHUNK_SIZE_OVERFLOW", offset, `chunk size ${line.slice(0, end > 20 ? 20 : end)} is too large`);
  if (n > end) checkChunkExtensions(line, end, offset, leniency);
  return zeros === end ? 0 : parseInt(line.slice(zeros, end), 16);
}

/** What follows the chunk size, `line[from, ...)`: nothing but extensions, or whitespace with the leniency. */
function checkChunkExtensions(line: string, from: number, offset: number, leniency: ChunkLineLeniency): void {
  const to = leniency.lenientChunkSizeWhitespace ? trimSpTabEnd(line, from, line.length) : line.length;
  if (to === from) return;
  const hex = line.slice(0, from);
  // After the size, only BWS and ";" may start the rest of the line.
  const semicolon = skipSpTab(line, from, to);
  if (semicolon === to || line.charCodeAt(semicolon) !== SEMICOLON) {
    throw new HttpParseError("BAD_CHUNK_SIZE", offset, semicolon === to ? `whitespace after chunk size ${hex} (lenientChunkSizeWhitespace accepts it)` : `chunk size ${hex} is followed by "${printable(line.slice(from, from + 32 < to ? from + 32 : to))}"`);
  }
  if (!(leniency.lenientChunkExtensions ? isLenientChunkExtensions(line, semicolon + 1, to) : isChunkExtensions(line, from, to))) {
    throw new HttpParseError("BAD_CHUNK_EXTENSION", offset, `malformed chunk extension "${printable(line.slice(from, from + 32 < to ? from + 32 : to))}" after size ${hex}`);
  }
}

/**
 * Whether `line[from, to)` is chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ),
 * a name a token and a value a token or a quoted-string (RFC 9112 section 7.1.1, RFC 9110
 * section 5.6.4). Each step is decided by one character: no backtracking.
 */
export function isChunkExtensions(line: string, from: number, to: number): boolean {
  let i = from;
  while (i < to) {
    i = skipSpTab(line, i, to);
    if (i >= to || line.charCodeAt(i) !== SEMICOLON) return false;
    i = skipSpTab(line, i + 1, to);
    const name = i;
    while (i < to && isTchar(line.charCodeAt(i))) i++;
    if (i === name) return false;
    const equals = skipSpTab(line, i, to);
    if (equals >= to || line.charCodeAt(equals) !== EQUALS) continue;
    i = skipSpTab(line, equals + 1, to);
    if (i >= to) return false;
    if (line.charCodeAt(i) !== DQUOTE) {
      const value = i;
      while (i < to && isTchar(line.charCodeAt(i))) i++;
      if (i === value) return false;
      continue;
    }
    i = quotedStringEnd(line, i + 1, to);
    if (i < 0) return false;
  }
  return true;
}

/**
 * The index after the closing DQUOTE of a quoted-string whose content starts at `from`, or -1:
 * qdtext is HTAB, SP, "!", 0x23-0x5B, 0x5D-0x7E and obs-text; a quoted-pair is "\" and HTAB, SP,
 * VCHAR or obs-text.
 */
function quotedStringEnd(line: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c === DQUOTE) return i + 1;
    if (c === BACKSLASH) {
      if (++i >= to || !isFieldText(line.charCodeAt(i))) return -1;
    } else if (!isFieldText(c)) return -1;
  }
  return -1;
}

/** With lenientChunkExtensions: after the ";", anything but control characters (HTAB allowed). */
function isLenientChunkExtensions(line: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isFieldText(line.charCodeAt(i))) return false;
  return true;
}
