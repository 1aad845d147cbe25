/**
 * The character classes of HTTP and URL text, as range checks over char codes, and the scans
 * built on them that more than one module uses.
 *
 * No RegExp at module level, nor on the path of each fetch: a RegExp created while a module is
 * preloaded lives in flash without its match buffer, and XS (Moddable SDK 8.2.3,
 * `fxAllocateRegExpData` in xsre.c) then takes that buffer from the system heap on every use,
 * leaks it, and hands it to the GC, which can corrupt the heap mid-match. A regex written inside
 * a function avoids that but is compiled on every call (only the redaction of refused URLs, an
 * error path, still has some). Functions over char codes cost no RAM once preloaded.
 *
 * XS as the SDK builds it for devices and for its simulator keeps no string-offset cache, so
 * `text.charCodeAt(i)` walks the string from its start: these scans are for short strings (a
 * name, a line). Long input is scanned as bytes (response-head.ts; `asciiCodes` in base/bytes.ts
 * for request header values).
 */

const HTAB = 0x09;
const SP = 0x20;

/** tchar (RFC 9110 section 5.6.2): "!#$%&'*+-.^_`|~", DIGIT, ALPHA. */
export function isTchar(c: number): boolean {
  if (c >= 0x61) return c <= 0x7a || c === 0x7c || c === 0x7e; // a-z | ~
  if (c >= 0x41) return c <= 0x5a || c >= 0x5e; // A-Z ^ _ ` (0x5b-0x5d are [ \ ])
  if (c >= 0x30) return c <= 0x39; // 0-9
  return c === 0x21 || (c >= 0x23 && c <= 0x27) || c === 0x2a || c === 0x2b || c === 0x2d || c === 0x2e; // ! #$%&' * + - .
}

/** token (RFC 9110 section 5.6.2): one or more tchar. Field names and transfer codings. */
export function isToken(text: string): boolean {
  const n = text.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) if (!isTchar(text.charCodeAt(i))) return false;
  return true;
}

/** DIGIT (RFC 5234): 0-9 only. */
export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** HEXDIG, either case. */
export function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** ALPHA (RFC 5234): A-Z, a-z. */
export function isAlpha(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/** One or more DIGIT and nothing else. */
export function isDigits(text: string): boolean {
  const n = text.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

/** SP or HTAB: the whitespace of OWS and BWS (RFC 9110 section 5.6.3). */
export function isSpTab(c: number): boolean {
  return c === SP || c === HTAB;
}

/** VCHAR (RFC 5234): visible ASCII, 0x21-0x7E. */
export function isVchar(c: number): boolean {
  return c >= 0x21 && c <= 0x7e;
}

/** CTL (RFC 5234): 0x00-0x1F and DEL. Bytes above 0x7F are not controls here. */
export function isCtl(c: number): boolean {
  return c < 0x20 || c === 0x7f;
}

/** HTAB, SP, VCHAR or obs-text (0x80-0xFF): what a field value, a reason phrase or a quoted-pair may hold. */
export function isFieldText(c: number): boolean {
  return c === HTAB || (c >= SP && c <= 0xff && c !== 0x7f);
}

/** Whether `text` holds a CTL other than HTAB: not field content (RFC 9110 section 5.5); bare CR and NUL included. */
export function hasFieldControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < SP ? c !== HTAB : c === 0x7f) return true;
  }
  return false;
}

/** Whether `text` holds a CTL anywhere. */
export function hasCtl(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isCtl(text.charCodeAt(i))) return true;
  return false;
}

/** The first index in `text[from, to)` that is not SP or HTAB (`to` when there is none). */
export function skipSpTab(text: string, from: number, to: number): number {
  while (from < to && isSpTab(text.charCodeAt(from))) from++;
  return from;
}

/** The end of `text[from, to)` once its trailing SP and HTAB are removed. */
export function trimSpTabEnd(text: string, from: number, to: number): number {
  while (to > from && isSpTab(text.charCodeAt(to - 1))) to--;
  return to;
}

/**
 * Whether `text` equals `lower` (lower-case ASCII) but for the case of ASCII letters. Only those:
 * `toLowerCase` would also fold e.g. the Kelvin sign to "k".
 */
export function equalsAsciiCaseless(text: string, lower: string): boolean {
  const n = text.length;
  if (n !== lower.length) return false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c !== lower.charCodeAt(i) && !(c >= 0x41 && c <= 0x5a && c + 0x20 === lower.charCodeAt(i))) return false;
  }
  return true;
}
