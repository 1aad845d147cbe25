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

/**
 * An armour line ("-----BEGIN X-----" / "-----END X-----") as its kind and label, or null.
 * RFC 7468 label: printable ASCII except "-", words joined by single "-" or " ". Written out by
 * hand rather than as a module-level RegExp: a RegExp made while the module is preloaded lives in
 * flash, and XS gives each match on it a system-heap buffer that it never frees and that its GC
 * can corrupt (docs/firmware.md#preloaded-regexp).
 */
export function parseArmour(line: string): { kind: "BEGIN" | "END"; label: string } | null {
  if (!line.startsWith("-----") || !line.endsWith("-----")) return null;
  const kind = line.startsWith("BEGIN ", 5) ? "BEGIN" : line.startsWith("END ", 5) ? "END" : null;
  if (kind === null) return null;
  const start = 5 + kind.length + 1;
  const end = line.length - 5;
  if (end < start) return null;
  let previousWasSeparator = true; // no separator first
  for (let i = start; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x2d || c === 0x20) {
      if (previousWasSeparator) return null;
      previousWasSeparator = true;
    } else if (c >= 0x21 && c <= 0x7e) {
      previousWasSeparator = false;
    } else {
      return null;
    }
  }
  if (previousWasSeparator && end > start) return null; // nor last
  return { kind, label: line.slice(start, end) };
}

/** A line that starts like an armour line but is not one ("---BEGIN", "----- END"...). */
function looksLikeArmour(line: string): boolean {
  // The RegExp is compiled when this runs (into the XS heap), and only for lines starting with "-".
  return line.charCodeAt(0) === 0x2d && /^-{3,}\s*(BEGIN|END)\b/.test(line);
}

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
    const armour = parseArmour(line);
    if (!armour) {
      if (looksLikeArmour(line)) {
        throw new PemError("PEM_BAD_ARMOUR", lineNo, `malformed PEM armour line "${line.slice(0, 80)}"`);
      }
      if (label !== null) body.push(lines[n]); // untrimmed, so error columns are true columns
      continue;
    }
    const { kind, label: name } = armour;
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
