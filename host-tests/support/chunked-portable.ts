/** A strict decoder of chunked request bodies for portable suites (runs in XS too): sizes in hex, CRLF after each chunk, last chunk 0. */
export function dechunk(text: string): string {
  let at = 0;
  let out = "";
  for (;;) {
    const eol = text.indexOf("\r\n", at);
    if (eol < 0) return "no size line";
    const size = parseInt(text.slice(at, eol), 16);
    at = eol + 2;
    if (size === 0) return text.slice(at) === "\r\n" ? out : "bad end";
    out += text.slice(at, at + size);
    at += size;
    if (text.slice(at, at + 2) !== "\r\n") return "bad chunk";
    at += 2;
  }
}
