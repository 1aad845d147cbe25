import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs, startSimulator, UsageError } from "../host/simulator";

describe("simulator command line", () => {
  test("URLs, count, CA files, switches and config keys as --kebab-case flags", () => {
    const o = parseArgs(["--count", "3", "--interval=2s", "--tls-version", "1.1", "--no-verify", "--ca", "a.pem", "--ca=b.pem", "--log-format", "json", "--no-device-profile", "https://a.example/", "http://b.example/x"]);
    expect(o).toEqual({
      targets: ["https://a.example/", "http://b.example/x"],
      config: { interval: "2s", tlsVersion: "1.1", verify: "false", logFormat: "json" },
      caFiles: ["a.pem", "b.pem"],
      count: 3,
      deviceProfile: false,
    });
  });
  test("bad flags are usage errors that say what is wrong", () => {
    expect(() => parseArgs(["--count", "0"])).toThrow(new UsageError('--count must be a positive whole number, got "0"'));
    expect(() => parseArgs(["--ca"])).toThrow("--ca needs a value");
    expect(() => parseArgs(["--config", "/nonexistent.json"])).toThrow(/--config \/nonexistent.json/);
    expect(() => parseArgs(["--h@x", "1"])).toThrow("unknown option --h@x");
    expect(() => parseArgs(["--help"])).toThrow(UsageError);
  });
  test("npm start -- --help prints the usage to stdout and exits 0; a bad flag goes to stderr with exit 2", () => {
    const run = (...argv: string[]) => spawnSync(process.execPath, ["--import", "tsx", join(__dirname, "..", "host", "simulator.ts"), ...argv], { encoding: "utf8", timeout: 60_000 });
    const help = run("--help");
    expect({ status: help.status, usage: help.stdout.startsWith("usage: npm start"), stderr: help.stderr }).toEqual({ status: 0, usage: true, stderr: "" });
    const bad = run("--count", "0");
    // One line that says what is wrong and where the usage is.
    expect({ status: bad.status, stdout: bad.stdout, stderr: bad.stderr }).toEqual({ status: 2, stdout: "", stderr: 'error: --count must be a positive whole number, got "0" (npm start -- --help for usage)\n' });
  });
});

describe("simulator runs the firmware's loop on the host", () => {
  test("with no target: a loopback HTTPS server, a full chain trusted through the embedded root, keep-alive", async () => {
    const lines: string[] = [];
    const sim = await startSimulator({ targets: [], config: { interval: "1s" }, caFiles: [], count: 3, deviceProfile: true }, (l) => lines.push(l));
    await sim.finished;
    const fetches = lines.filter((l) => l.startsWith("fetch #"));
    expect(fetches).toHaveLength(3);
    // Node's heap is reported under its own name, never under XS's chunk/slot names.
    const mem = lines.filter((l) => l.startsWith("mem heap"));
    expect(mem.length).toBeGreaterThan(0);
    for (const l of mem) expect(l).toMatch(/^mem heap at=\S+ host_heap_used=\d+$/);
    expect(fetches[0]).toMatch(/^fetch #1 https:\/\/127\.0\.0\.1:\d+\/ status=200 bytes=30 ms=\d+ connect=\d+ tls=\d+ ttfb=\d+ conn=new /);
    expect(fetches[1]).toMatch(/ status=200 bytes=30 ms=\d+ ttfb=\d+ conn=reused /);
    expect(lines).toContain("wifi online address=127.0.0.1");
    expect(lines.some((l) => /^ca registered file=root\.pem cn="Simulator Root CA"/.test(l))).toBe(true);
    expect(sim.server?.connections).toBe(1);
    expect(lines[lines.length - 1]).toBe("loop stopped fetches=3");
  }, 20_000);

  test("a configuration error stops start-up with the key named, before anything connects", async () => {
    const lines: string[] = [];
    const sim = await startSimulator({ targets: [], config: { interval: "0s" }, caFiles: [], count: 1, deviceProfile: true }, (l) => lines.push(l));
    await sim.finished;
    expect(sim.app).toBeNull();
    expect(lines[0]).toMatch(/^config error key=interval /);
    expect(sim.server?.connections).toBe(0);
  });

  test("trusting the wrong CA fails with the decoded certificate error, and the loop goes on", async () => {
    const lines: string[] = [];
    const sim = await startSimulator(
      { targets: [], config: { interval: "1s" }, caFiles: [require.resolve("./fixtures/certs/ec-p256-ca.pem")], count: 1, deviceProfile: true },
      (l) => lines.push(l),
    );
    await sim.finished;
    const fetch = lines.find((l) => l.startsWith("fetch #1"));
    expect(fetch).toMatch(/ error=TLS_CERT_\w+ phase=tls-handshake /);
    expect(fetch).toMatch(/hint="/);
  }, 20_000);
});
