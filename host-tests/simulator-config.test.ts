/**
 * `npm start -- --config file.json` end to end: target objects (POST, JSON body, Authorization)
 * and mutual TLS read from a config file, against servers that check them; secrets never in a line.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, startSimulator } from "../host/simulator";
import { startBodyServer } from "./support/body-server";

const FIXTURES = join(__dirname, "..", "host", "fixtures");
const pem = (dir: string, name: string) => readFileSync(join(FIXTURES, dir, name), "utf8");
const TLS = { cert: pem("sim-pki", "leaf.pem") + pem("sim-pki", "intermediate.pem"), key: pem("sim-pki", "leaf.key") };
const TOKEN = "Bearer cfg-5a4b3c2d1e";

let dir = "";
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "sim-config-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(config: object): Promise<string[]> {
  const file = join(dir, "config.json");
  writeFileSync(file, JSON.stringify(config));
  const lines: string[] = [];
  const sim = await startSimulator(parseArgs(["--config", file, "--count", "1"]), (l) => lines.push(l));
  await sim.finished;
  return lines;
}

test("a POST with a JSON body and an Authorization header, from the config file; the server checks both", async () => {
  const server = await startBodyServer({ tls: TLS, requireAuthorization: TOKEN, requireJson: true });
  try {
    writeFileSync(join(dir, "root.pem"), pem("sim-pki", "root.pem"));
    const lines = await run({
      targets: [{ url: server.url("/telemetry"), method: "POST", headers: { "Content-Type": "application/json", Authorization: TOKEN }, body: { t: 21.5 } }],
      caFiles: "root.pem",
      interval: "1s",
    });
    const fetch = lines.find((l) => l.startsWith("fetch #1"));
    expect(fetch).toMatch(/ status=200 /);
    expect(server.requests[0]).toMatchObject({ method: "POST", path: "/telemetry", text: '{"t":21.5}' });
    expect(lines.some((l) => /^target #1 POST .* headers="Content-Type: application\/json, Authorization: <redacted>"/.test(l))).toBe(true);
    expect(lines.join("\n")).not.toContain(TOKEN.slice(7));
  } finally {
    await server.close();
  }
}, 20_000);

test("mutual TLS from the config file: the client certificate is sent and accepted", async () => {
  const server = await startBodyServer({ tls: { ...TLS, clientCa: pem("sim-client", "client-ca.pem") } });
  try {
    const lines = await run({
      targets: server.url("/"),
      caFiles: [join(FIXTURES, "sim-pki", "root.pem")],
      clientCertificate: join(FIXTURES, "sim-client", "client.pem"),
      clientKey: join(FIXTURES, "sim-client", "client.key"),
      interval: "1s",
    });
    expect(lines.find((l) => l.startsWith("fetch #1"))).toMatch(/ status=200 /);
    expect(lines).toContain('client-cert loaded file=client.pem cn=device-1 expires=' + lines.find((l) => l.startsWith("client-cert"))?.split("expires=")[1]);
    expect(server.requests[0].clientCn).toBe("device-1");
    const key = pem("sim-client", "client.key").split("\n")[1];
    expect(lines.join("\n")).not.toContain(key.slice(0, 20));
  } finally {
    await server.close();
  }
}, 20_000);

test("bad input in the config file stops start-up with the key named: a missing key file, a key of another certificate", async () => {
  // A file that cannot be read is the simulator's own usage error, naming the option and the path.
  await expect(run({ targets: "https://127.0.0.1:1/", clientCertificate: join(FIXTURES, "sim-client", "client.pem"), clientKey: join(dir, "nowhere.key") }))
    .rejects.toThrow(/--client-key .*nowhere\.key: no such file/);
  const other = await run({ targets: "https://127.0.0.1:1/", clientCertificate: join(FIXTURES, "sim-client", "client.pem"), clientKey: join(FIXTURES, "sim-client", "other.key") });
  expect(other[0]).toMatch(/^config error key=clientKey code=CONFIG_CLIENT_KEY_MISMATCH /);
  const injected = await run({ targets: [{ url: "https://127.0.0.1:1/", headers: { "X-A": "a\r\nX-Evil: 1" } }] });
  expect(injected[0]).toMatch(/^config error key=targets\[0\]\.headers code=CONFIG_BAD_VALUE /);
  const get = await run({ targets: [{ url: "https://127.0.0.1:1/", body: "x" }] });
  expect(get[0]).toMatch(/^config error key=targets\[0\]\.body /);
});
