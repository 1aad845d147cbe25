/**
 * Every bad input to every command (`npm start`, `npm run certs`, `npm run probe`) gets one clear
 * line and a non-zero exit: never a stack trace, never the firmware's build wording inside a host
 * tool, never a secret. The commands run in-process; one case of each runs the real entry point.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { simulatorMain } from "../host/simulator";
import { certsMain } from "../tools/certs/cli";
import { probeMain } from "../tools/probe/cli";

jest.setTimeout(30_000);

const root = join(__dirname, "..");
const simRoot = join(root, "host", "fixtures", "sim-pki", "root.pem");
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "cli-bad-input-"));
  mkdirSync(join(work, "a dir"));
  writeFileSync(join(work, "empty.pem"), "");
  writeFileSync(join(work, "not-pem.pem"), "hello\n");
  writeFileSync(join(work, "broken.pem"), "-----BEGIN CERTIFICATE-----\nMII$\n-----END CERTIFICATE-----\n");
  writeFileSync(join(work, "bad.json"), '{"password": "hunter2SECRET", ');
  writeFileSync(join(work, "array.json"), "[]");
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Outcome {
  code: number;
  out: string;
  err: string;
}

async function sim(...argv: string[]): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await simulatorMain(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

function certs(...argv: string[]): Outcome {
  let out = "";
  let err = "";
  const code = certsMain(argv, {
    out: (t) => { out += t; }, err: (t) => { err += t; }, now: () => Date.now(), store: rootCertificates, storeName: "test store", cwd: work,
  });
  return { code, out, err };
}

async function probe(...argv: string[]): Promise<Outcome> {
  let out = "";
  let err = "";
  const code = await probeMain(argv, { out: (t) => { out += t; }, err: (t) => { err += t; }, cwd: work, store: rootCertificates, now: () => Date.now() });
  return { code, out, err };
}

/** One clear line, a non-zero exit, no stack trace, no firmware build wording, no secret. */
function expectOneClearLine(o: Outcome, says: RegExp): void {
  expect(o.code).not.toBe(0);
  const text = `${o.out}\n${o.err}`;
  expect(text).not.toMatch(/^\s+at /m);
  expect(text).not.toMatch(/mcconfig|rebuild|manifest's data section/);
  expect(text).not.toContain("hunter2SECRET");
  const lines = o.err.trim().split("\n").filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(says);
}

describe("npm start", () => {
  test.each([
    [["--ca", "/missing.pem"], /--ca \/missing\.pem: no such file/],
    [["--ca", "a dir"], /is a directory/],
    [["--ca", "empty.pem"], /--ca .*empty\.pem: .*no PEM block/],
    [["--ca", "not-pem.pem"], /--ca .*not-pem\.pem: .*no PEM block/],
    [["--ca", "broken.pem"], /--ca .*broken\.pem/],
    [["--config", "/missing.json"], /--config \/missing\.json: no such file/],
    [["--config", "bad.json"], /not valid JSON/],
    [["--config", "array.json"], /expected a JSON object/],
    [["--count", "0"], /--count must be a positive whole number/],
    [["--count"], /--count needs a value/],
    [["--h@x", "1"], /unknown option/],
    [["--frobnicate", "1", "https://127.0.0.1:1/"], /unknown option --frobnicate/],
    [["--client-certificate", "/missing.pem", "--client-key", "/missing.key", "https://127.0.0.1:1/"], /--client-certificate \/missing\.pem: no such file/],
  ])("%j", async (argv, says) => {
    const o = await sim(...argv.map((a) => (a.includes("/") || a.startsWith("-") ? a : join(work, a))));
    expectOneClearLine(o, says);
    expect(o.code).toBe(2);
  });

  test.each([
    [["--interval", "often", "https://127.0.0.1:1/"], /key=interval/],
    [["--tls-version", "1.3", "https://127.0.0.1:1/"], /key=tlsVersion/],
    [["not a url"], /key=targets/],
    [[`https://user:hunter2SECRET@127.0.0.1:1/`], /key=targets/],
  ])("the firmware's own check: %j", async (argv, says) => {
    const o = await sim(...argv);
    expect(o.code).toBe(1);
    expect(o.out).toMatch(says);
    expect(o.out).not.toMatch(/mcconfig|rebuild/);
    expect(o.out).toMatch(/npm start -- --help/);
    expect(o.out).not.toContain("hunter2SECRET");
  });

  test("a CA file named .crt, or with a space in its name, is embedded under a name the firmware takes", async () => {
    const crt = join(work, "my root.crt");
    writeFileSync(crt, require("node:fs").readFileSync(simRoot, "utf8"));
    const o = await sim("--ca", crt, "--count", "1");
    expect(o.code).toBe(0);
    expect(o.out).toMatch(/ca registered file=my_root\.pem cn="Simulator Root CA"/);
    expect(o.out).toMatch(/status=200/);
  });
});

describe("npm run certs", () => {
  test.each([
    [[], /usage: npm run certs/],
    [["frobnicate"], /unknown command "frobnicate"/],
    [["add"], /add takes one NAME/],
    [["list", "--bogus"], /unknown option --bogus/],
    [["list", "--certs"], /--certs needs a value/],
    [["list", "--certs", "not-pem.pem"], /not-pem\.pem/],
    [["add", "not-pem.pem", "--certs", "."], /./],
    [["add", "Some Root", "--from", "/missing.pem"], /missing\.pem/],
    [["add", "Some Root", "--from", "a dir"], /a dir/],
    [["remove", "x.pem", "--certs", "/missing-dir"], /./],
  ])("%j", (argv, says) => {
    const o = certs(...argv);
    expect(o.code).not.toBe(0);
    const text = `${o.out}\n${o.err}`;
    expect(text).not.toMatch(/^\s+at /m);
    if (argv.length) expectOneClearLine(o, says);
    else expect(o.err).toMatch(says);
  });
});

describe("npm run probe", () => {
  test.each([
    [["not a url"], /URL_SYNTAX|not an absolute URL/],
    [["http://127.0.0.1/"], /not https/],
    [["https://127.0.0.1/", "https://127.0.0.2/"], /one URL at a time/],
    [["https://127.0.0.1/", "--mfl", "3000"], /--mfl must be/],
    [["https://127.0.0.1/", "--timeout", "soon"], /--timeout must be/],
    [["https://127.0.0.1/", "--roots", "/missing.pem"], /missing\.pem/],
    [["https://127.0.0.1/", "--bogus"], /unknown option --bogus/],
    [["https://user:hunter2SECRET@127.0.0.1/"], /URL_USERINFO|user:password@/],
    [[`https://127.0.0.1/${"x".repeat(5000)}`], /characters; at most 2048/],
  ])("%j", async (argv, says) => {
    expectOneClearLine(await probe(...argv), says);
  });
});

describe("the real entry points", () => {
  const tsx = join(root, "node_modules", ".bin", "tsx");
  function run(script: string, args: string[]): Outcome {
    try {
      const out = execFileSync(tsx, [join(root, script), ...args], { cwd: work, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 20_000 });
      return { code: 0, out, err: "" };
    } catch (e) {
      const x = e as { status: number; stdout: string; stderr: string };
      return { code: x.status, out: x.stdout, err: x.stderr };
    }
  }
  test("npm start -- --ca /missing.pem", () => expectOneClearLine(run("host/simulator.ts", ["--ca", "/missing.pem"]), /--ca \/missing\.pem: no such file/));
  test("npm run certs -- list --certs /missing", () => {
    const o = run("tools/certs/cli.ts", ["add", "x", "--from", "/missing.pem"]);
    expectOneClearLine(o, /missing\.pem/);
  });
  test("npm run probe -- ftp://x", () => expectOneClearLine(run("tools/probe/cli.ts", ["ftp://x"]), /not supported/));
});
