/**
 * PEM (RFC 7468) decoding and encoding. CA files hold one or many blocks, often with comment lines
 * such as "# Subject: ..." around them; everything outside a block is ignored. A damaged file must
 * fail loudly with the line to look at, because a silently dropped CA shows up much later as an
 * opaque TLS failure on the device.
 */
import { Base64Error, decodeBase64, encodeBase64 } from "../base/base64";

export type PemErrorCode =
  | "PEM_NO_BLOCK" // no BEGIN line anywhere
  | "PEM_NO_END" // BEGIN without its END (end of text, or another BEGIN first)
  | "PEM_END_WITHOUT_BEGIN"
  | "PEM_LABEL_MISMATCH" // "BEGIN X" closed by "END Y"
  | "PEM_BAD_ARMOUR" // a line that starts like an armour line but is not one
  | "PEM_EMPTY" // a block with no body
  | "PEM_BAD_BASE64";

/** A PEM failure; `line` is 1-based. */
export class PemError extends Error {
  readonly code: PemErrorCode;
  readonly line: number;
  constructor(code: PemErrorCode, line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = "PemError";
    this.code = code;
    this.line = line;
  }
}

/** One decoded block: its label ("CERTIFICATE"), its bytes, and the line of its BEGIN. */
export interface PemBlock {
  label: string;
  der: Uint8Array;
  line: number;
}

// RFC 7468 label: printable ASCII except "-", words joined by single "-" or " ".
const ARMOUR = /^-----(BEGIN|END) ((?:[\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*)?)-----$/;
const LOOKS_LIKE_ARMOUR = /^-{3,}\s*(BEGIN|END)\b/;

/**
 * Decodes every PEM block in `text`, in order. Text outside blocks is ignored; lines inside a block
 * are its base64 body (whitespace and blank lines allowed). Throws PemError, never returns an
 * empty list. RFC 1421 encapsulated headers ("Proc-Type: ...") are not supported.
 */
export function decodePem(text: string): PemBlock[] {
  const lines = text.split("\n");
  const blocks: PemBlock[] = [];
  let label: string | null = null;
  let beginLine = 0;
  let body: string[] = [];
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const line = lines[n].trim(); // also drops the "\r" of CRLF files
    const m = ARMOUR.exec(line);
    if (!m) {
      if (LOOKS_LIKE_ARMOUR.test(line)) {
        throw new PemError("PEM_BAD_ARMOUR", lineNo, `malformed PEM armour line "${line.slice(0, 80)}"`);
      }
      if (label !== null) body.push(lines[n]); // untrimmed, so error columns are true columns
      continue;
    }
    const [, kind, name] = m;
    if (kind === "BEGIN") {
      if (label !== null) {
        throw new PemError("PEM_NO_END", beginLine, `"BEGIN ${label}" has no END before the next BEGIN at line ${lineNo}`);
      }
      label = name;
      beginLine = lineNo;
      body = [];
      continue;
    }
    if (label === null) throw new PemError("PEM_END_WITHOUT_BEGIN", lineNo, `"END ${name}" without a BEGIN`);
    if (name !== label) {
      throw new PemError("PEM_LABEL_MISMATCH", lineNo, `"END ${name}" closes "BEGIN ${label}" of line ${beginLine}`);
    }
    blocks.push({ label, der: decodeBody(body, beginLine, label), line: beginLine });
    label = null;
  }
  if (label !== null) throw new PemError("PEM_NO_END", beginLine, `"BEGIN ${label}" has no END`);
  if (blocks.length === 0) {
    // Points at the last line of the text (a final newline does not start another line).
    const last = lines.length > 1 && lines[lines.length - 1] === "" ? lines.length - 1 : lines.length;
    throw new PemError("PEM_NO_BLOCK", last, "no PEM block (-----BEGIN ...-----) found");
  }
  return blocks;
}

function decodeBody(body: string[], beginLine: number, label: string): Uint8Array {
  const joined = body.join("\n");
  let der: Uint8Array;
  try {
    der = decodeBase64(joined, true);
  } catch (e) {
    if (!(e instanceof Base64Error)) throw e;
    // Map the position in the joined body back to a line and column of the file.
    const before = joined.slice(0, e.position);
    const lineStart = before.lastIndexOf("\n") + 1;
    let line = beginLine + 1;
    for (let i = 0; i < before.length; i++) if (before.charCodeAt(i) === 10) line++;
    throw new PemError("PEM_BAD_BASE64", line, `in "${label}" block of line ${beginLine}, column ${e.position - lineStart + 1}: ${e.detail}`);
  }
  if (der.length === 0) throw new PemError("PEM_EMPTY", beginLine, `"BEGIN ${label}" block is empty`);
  return der;
}

/** Encodes bytes as one PEM block: base64 in 64-column lines, "\n" line ends, final newline. */
export function encodePem(label: string, der: Uint8Array): string {
  const b64 = encodeBase64(der);
  let out = `-----BEGIN ${label}-----\n`;
  for (let i = 0; i < b64.length; i += 64) out += b64.slice(i, i + 64) + "\n";
  return out + `-----END ${label}-----\n`;
}
