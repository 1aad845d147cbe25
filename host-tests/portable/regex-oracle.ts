/**
 * Helpers for the scanner suites (`http-*-scanners.portable.ts`): the HTTP core checks text by
 * char codes, and each scanner must accept and refuse exactly what the regular expression it
 * replaced did. Those regexes are kept in the tests as the oracle (replaced-regexes.ts):
 * `expected` is what the regex says, computed in Node (where jest reads it; the XS lane compares
 * its run against the same value), and `run` is what the scanner says, in Node and inside XS.
 */
import { Json, PortableCase } from "./suite";

/**
 * Every char code from 0x00 to 0x101 (so each class boundary: 0x00, 0x08, 0x09, 0x0a, 0x1f,
 * 0x20, 0x7e, 0x7f, 0x80, 0xff, 0x100), and codes above that case folding or decoding touch:
 * dotted and dotless i, long s, Kelvin sign, a line separator, surrogates, BOM, U+FFFD.
 */
export const EDGE_CODES: readonly number[] = (() => {
  const codes: number[] = [];
  for (let c = 0; c <= 0x101; c++) codes.push(c);
  codes.push(0x130, 0x131, 0x17f, 0x2028, 0x212a, 0xd800, 0xdc00, 0xfeff, 0xfffd);
  return codes;
})();

/** The edge codes that fit in a byte, for scanners over bytes. */
export const BYTE_CODES: readonly number[] = EDGE_CODES.filter((c) => c <= 0xff);

/** `templates` with each edge code in place of "%": every input a scanner sees in a case. */
export function withEdgeCodes(templates: readonly string[], codes: readonly number[] = EDGE_CODES): string[] {
  const out: string[] = [];
  for (const t of templates) for (const c of codes) out.push(t.split("%").join(String.fromCharCode(c)));
  return out;
}

/** Text as a test name or result may show it: printable ASCII as is, anything else as \xHH or \uHHHH (no regex: runs in XS). */
export function shown(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x5c) out += text[i];
    else if (c <= 0xff) out += `\\x${(c < 16 ? "0" : "") + c.toString(16)}`;
    else out += `\\u${c.toString(16).padStart(4, "0")}`;
  }
  return out;
}

/** The inputs a predicate accepts, shown: a failure lists exactly the inputs on which scanner and oracle differ. */
function accepted(inputs: readonly string[], accepts: (text: string) => boolean): Json {
  return inputs.filter((s) => accepts(s)).map(shown);
}

/** A case whose scanner must accept exactly the inputs its regex oracle accepts. */
export function acceptsCase(name: string, inputs: readonly string[], scanner: (text: string) => boolean, oracle: (text: string) => boolean): PortableCase {
  return {
    name,
    run: () => accepted(inputs, scanner),
    get expected() {
      return accepted(inputs, oracle);
    },
  };
}

/** A case whose scanner must give, for each input, the same result (JSON) as its regex oracle. */
export function sameResultCase(name: string, inputs: readonly string[], scanner: (text: string) => Json, oracle: (text: string) => Json): PortableCase {
  const results = (f: (text: string) => Json): Json => inputs.map((s) => [shown(s), f(s)]);
  return {
    name,
    run: () => results(scanner),
    get expected() {
      return results(oracle);
    },
  };
}

/** What `f` returned, or the code and message of what it threw: errors compare as data. */
export function outcome(f: () => Json): Json {
  try {
    return f();
  } catch (e) {
    const err = e as { code?: unknown; message?: unknown };
    return { code: String(err.code), message: String(err.message) };
  }
}

/** Text as bytes, one per char code (codes above 0xFF are not used with this). */
export function bytesOf(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
