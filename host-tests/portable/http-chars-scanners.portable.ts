/**
 * The character classes of the HTTP core (modules/http/chars.ts) and the request checks built
 * on them, against the regexes they replaced (see replaced-regexes.ts).
 */
import { hasCtl, hasFieldControl, isAlpha, isCtl, isDigit, isDigits, isFieldText, isHexDigit, isSpTab, isTchar, isToken, isVchar, skipSpTab, trimSpTabEnd } from "../../modules/http/chars";
import { printable } from "../../modules/http/errors";
import { checkHeaders, isRequestTarget, isSecretHeader } from "../../modules/http/request";
import { acceptsCase, EDGE_CODES, outcome, sameResultCase, shown, withEdgeCodes } from "./regex-oracle";
import { BAD_FIELD_CHAR, CONTENT_LENGTH, CTL, oldCheckValue, oldPrintable, oldTrim, SECRET, TARGET, TOKEN } from "./replaced-regexes";
import { Json, PortableSuite } from "./suite";

const ONE_CHAR = withEdgeCodes(["%"]);
const code0 = (f: (c: number) => boolean) => (s: string) => f(s.charCodeAt(0));

/** The class regexes of the core before it scanned by char codes, each over one character. */
const CLASSES: readonly [string, (c: number) => boolean, RegExp][] = [
  ["tchar", isTchar, /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/],
  ["DIGIT", isDigit, /^\d$/],
  ["HEXDIG", isHexDigit, /^[0-9A-Fa-f]$/],
  ["ALPHA", isAlpha, /^[A-Za-z]$/],
  ["SP or HTAB", isSpTab, /^[ \t]$/],
  ["VCHAR", isVchar, /^[\x21-\x7e]$/],
  ["CTL", isCtl, /^[\x00-\x1f\x7f]$/],
  ["field text (HTAB, SP, VCHAR, obs-text)", isFieldText, /^[\t\x20-\x7e\x80-\xff]$/],
];

const SECRET_NAMES = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token", "api-key"];

/** Each secret name as is, in upper case, and with each letter in turn replaced by an edge code. */
function secretNameInputs(): string[] {
  const out = ["", "cookies", "xcookie", "cookie ", " cookie", "Cookie\u0000", "authorizatio"];
  for (const name of SECRET_NAMES) {
    out.push(name, name.toUpperCase(), name[0].toUpperCase() + name.slice(1));
    for (let i = 0; i < name.length; i += 3) out.push(...withEdgeCodes([`${name.slice(0, i)}%${name.slice(i + 1)}`], EDGE_CODES.filter((c) => c >= 0x41)));
  }
  return out;
}

function checkValue(value: string): Json {
  const r = outcome(() => (checkHeaders([["X", value]]), "ok"));
  return typeof r === "string" ? r : (r as { message: Json }).message;
}

export const suite: PortableSuite = {
  name: "HTTP character classes and request checks: scanners against the regexes they replaced",
  cases: [
    ...CLASSES.map(([name, scanner, oracle]) => acceptsCase(`${name}: every edge code`, ONE_CHAR, code0(scanner), (s) => oracle.test(s))),
    acceptsCase("token: empty, one character, and a character before, after and inside", ["", ...withEdgeCodes(["%", "a%", "%b", "a%b", "%%", "Content-%Length"])], isToken, (s) => TOKEN.test(s)),
    acceptsCase("digits (Content-Length): empty, alone, around digits", ["", ...withEdgeCodes(["%", "1%", "%2", "1%2"])], isDigits, (s) => CONTENT_LENGTH.test(s)),
    acceptsCase("a control other than HTAB in a field value (bare CR and NUL included)", ["", ...withEdgeCodes(["%", "ab%cd", "%\r\n"])], hasFieldControl, (s) => BAD_FIELD_CHAR.test(s)),
    acceptsCase("a CTL anywhere (URLs)", ["", ...withEdgeCodes(["%", "https://h.io/%x"])], hasCtl, (s) => CTL.test(s)),
    sameResultCase("SP and HTAB trimmed both ends, as the obs-fold regex did", ["", " ", "\t \t", ...withEdgeCodes([" %", "%\t", " a%b \t", "\t%%\t"])], (s) => s.slice(skipSpTab(s, 0, s.length), trimSpTabEnd(s, skipSpTab(s, 0, s.length), s.length)), oldTrim),
    acceptsCase("request target: / then VCHAR only", ["", "/", "//", "/a?b=c", ...withEdgeCodes(["%", "/%", "%/", "/a%b", "/%%"])], isRequestTarget, (s) => TARGET.test(s)),
    acceptsCase("secret field names: ASCII case only (no Kelvin sign, long s or dotless i)", secretNameInputs(), (s) => isSecretHeader(s), (s) => SECRET.test(s)),
    sameResultCase("request field values: CR, LF or NUL named with its index before any other bad character", ["", ...withEdgeCodes(["%", "ab%cd", "%\n", "\r%", "a%b\u0000", "%\u0100"])], checkValue, oldCheckValue),
    sameResultCase("printable: each character outside 0x20-0x7E as \\xHH", ["", "ok", "\ud83d\ude00", ...withEdgeCodes(["%", "a%b", "%%"])], printable, oldPrintable),
    { name: "the oracle inputs are shown unambiguously", run: () => [shown("a\\b"), shown("\u0000\u00ff\u0100")], expected: ["a\\x5cb", "\\x00\\xff\\u0100"] },
  ],
};
