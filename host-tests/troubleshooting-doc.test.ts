/**
 * A user with a code from a log line finds it in docs/troubleshooting.md in one step: every
 * failure and warning code the core can give has a row there, named in full (a row may name a
 * family, such as the TLS alerts, as long as it also names each code or the registry it draws on).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TLS_ALERTS } from "../modules/tls/alerts";

const ROOT = join(__dirname, "..");
const doc = readFileSync(join(ROOT, "docs", "troubleshooting.md"), "utf8");

/** Codes no log line and no FetchError can show: their own text says where they go instead. */
const NOT_SHOWN: Readonly<Record<string, string>> = Object.freeze({
  PARSER_ERROR: "a parser exception without a code: shown as HTTP_PARSE_ERROR",
  CA_NOT_A_CA: "ca WARNING lines show the problem's text (one row covers them)",
  CA_KEY_UNSUPPORTED: "as CA_NOT_A_CA",
  CA_EXPIRED: "as CA_NOT_A_CA",
  CA_NOT_YET_VALID: "as CA_NOT_A_CA",
  CA_EXPIRES_SOON: "as CA_NOT_A_CA",
  CANCELLED: "only the client API's cancel (docs/client.md)",
  FETCH_FAILED: "only the client API (docs/client.md)",
});

/** `code: "X"` literals in the core's source. */
function codesInSource(): string[] {
  const codes = new Set<string>();
  for (const room of ["client", "app", "tls", "http"]) {
    const dir = join(ROOT, "modules", room);
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      for (const m of readFileSync(join(dir, file), "utf8").matchAll(/\bcode: "([A-Z][A-Z0-9_]+)"/g)) codes.add(m[1]);
    }
  }
  return [...codes].sort();
}

/** The members of a string-union type `export type <name> = | "A" | "B";` in a core file. */
function unionMembers(file: string, name: string): string[] {
  const m = new RegExp(`export type ${name} =([^;]+);`).exec(readFileSync(join(ROOT, "modules", file), "utf8"));
  if (!m) throw new Error(`no type ${name} in ${file}`);
  return [...m[1].matchAll(/"([A-Z][A-Z0-9_]+)"/g)].map((x) => x[1]);
}

test("the URL, request and parser error codes have rows (the parser's as HTTP_<code>)", () => {
  const codes = [
    ...unionMembers("http/url.ts", "UrlErrorCode"),
    ...unionMembers("http/request.ts", "RequestErrorCode"),
    // The diagnosis names a parse failure HTTP_<code>; a truncated body is BODY_TRUNCATED however it was found.
    ...unionMembers("http/errors.ts", "HttpParseErrorCode").map((c) => (c === "TRUNCATED_BODY" ? "BODY_TRUNCATED" : `HTTP_${c}`)),
  ];
  expect(codes.length).toBeGreaterThan(30);
  expect(codes.filter((code) => !new RegExp(`\\b${code}\\b`).test(doc))).toEqual([]);
});

test("the source holds the codes this test reads (the pattern still matches)", () => {
  expect(codesInSource()).toEqual(expect.arrayContaining(["TLS_CERT_UNTRUSTED", "BODY_TOO_LARGE", "TLS_VERIFY_OFF", "CONFIG_PLAIN_HTTP"]));
});

test("every code the core gives has a row in docs/troubleshooting.md", () => {
  const missing = codesInSource().filter((code) => !(code in NOT_SHOWN) && !new RegExp(`\\b${code}\\b`).test(doc));
  expect(missing).toEqual([]);
});

test("the TLS alerts' row covers every alert code of the registry", () => {
  expect(TLS_ALERTS.length).toBeGreaterThan(20);
  expect(doc).toContain("`TLS_ALERT_<name>`");
  expect(doc).toContain("`TLS_ALERT_UNKNOWN`");
  expect(TLS_ALERTS.every((a) => a.code === `TLS_ALERT_${a.name.toUpperCase()}`)).toBe(true);
});
