/**
 * SDK check of requests with bodies and mutual TLS in the firmware itself, on the SDK's Linux
 * simulator (`npx tsx tools/sdk/bodies-check.ts`): the firmware built with the simulator's
 * loopback root and client certificate embedded and a JSON `targets` on mcconfig's command line
 * (a POST with a JSON body and Authorization, a GET that needs a client certificate, a 1 MB
 * response), run in mcsim against local servers that check them; then the device's diagnosis of
 * mutual-TLS refusals: a server that does not trust the client certificate
 * (TLS_CLIENT_CERT_REJECTED) and, built without a certificate, a server that requires one
 * (TLS_CLIENT_CERT_REQUIRED). Prints the firmware's lines and what the servers saw; exits 1 when
 * an outcome differs. Skips (exit 0) without an SDK.
 */
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { appLines, buildFirmware, findSdk, isSdk, REPO_ROOT, runFirmware } from "./firmware";
import { startBodyServer } from "../../host-tests/support/body-server";

const FIX = join(REPO_ROOT, "host", "fixtures");
const pem = (dir: string, name: string) => readFileSync(join(FIX, dir, name), "utf8");
const TOKEN = "Bearer sdk-check-token";

async function main(): Promise<void> {
  const sdk = findSdk();
  if (!isSdk(sdk)) {
    console.log(`bodies-check skipped: ${sdk.skip}`);
    return;
  }
  const tls = { cert: pem("sim-pki", "leaf.pem") + pem("sim-pki", "intermediate.pem"), key: pem("sim-pki", "leaf.key") };
  const post = await startBodyServer({ tls, requireAuthorization: TOKEN, requireJson: true });
  const mtls = await startBodyServer({ tls: { ...tls, clientCa: pem("sim-client", "client-ca.pem") } });
  // Trusts another CA for client certificates: the device's is refused.
  const other = await startBodyServer({ tls: { ...tls, clientCa: pem("sim-pki", "root.pem") } });
  try {
    const targets = [
      { url: post.url("/telemetry"), method: "POST", headers: { "Content-Type": "application/json", Authorization: TOKEN }, body: { device: "sim", t: 21.5 } },
      { url: mtls.url("/mtls") },
      { url: post.url("/large/1048576") },
      { url: other.url("/refused") },
    ];
    const started = Date.now();
    const build = buildFirmware(sdk, {
      name: "bodies",
      extraData: [join(FIX, "sim-pki", "root.pem"), join(FIX, "sim-client", "client.pem"), join(FIX, "sim-client", "client.key")],
      config: {
        ssid: "sim", password: "simulator-pw", caFiles: "root.pem", targets: JSON.stringify(targets),
        clientCertificate: "client.pem", clientKey: "client.key", interval: "2s", preview: "48", sntp: "127.0.0.1",
      },
    });
    console.log(`built in ${Math.round((Date.now() - started) / 1000)} s`);
    const run = await runFirmware(sdk, build, {
      seconds: 120,
      until: (lines) => lines.filter((l) => l.startsWith("fetch #")).length >= 4,
    });
    const lines = appLines(run.lines);
    for (const l of lines) console.log(`| ${l}`);
    console.log("servers saw:");
    for (const r of [...post.requests, ...mtls.requests, ...other.requests]) console.log(`  ${r.method} ${r.path} bytes=${r.bytes} auth=${r.headers.authorization === TOKEN} client=${r.clientCn ?? "-"}`);
    const fetches = lines.filter((l) => l.startsWith("fetch #"));
    const leaked = lines.some((l) => l.indexOf("sdk-check-token") >= 0);
    const expect = [/telemetry status=200 /, /mtls status=200 /, /large\/1048576 status=200 bytes=1048576 /, /refused error=TLS_CLIENT_CERT_REJECTED /];
    const missed = expect.filter((re) => !fetches.some((l) => re.test(l)));

    // Built again without the client certificate: the server that requires one.
    const noCert = buildFirmware(sdk, {
      name: "bodies",
      extraData: [join(FIX, "sim-pki", "root.pem"), join(FIX, "sim-client", "client.pem"), join(FIX, "sim-client", "client.key")],
      config: { ssid: "sim", password: "simulator-pw", caFiles: "root.pem", targets: JSON.stringify([{ url: mtls.url("/required") }]), interval: "2s", sntp: "127.0.0.1" },
    });
    const second = await runFirmware(sdk, noCert, { seconds: 90, until: (l) => l.some((x) => x.startsWith("fetch #1")) });
    const required = appLines(second.lines).filter((l) => l.startsWith("fetch #"));
    for (const l of required) console.log(`| ${l}`);
    if (!required.some((l) => / error=TLS_CLIENT_CERT_REQUIRED /.test(l))) missed.push(/TLS_CLIENT_CERT_REQUIRED/);

    console.log(`fetches ${fetches.length}, outcomes missed: ${missed.map(String).join(" ") || "none"}, token in a line: ${leaked}`);
    if (missed.length > 0 || leaked) process.exitCode = 1;
  } finally {
    await post.close();
    await mtls.close();
    await other.close();
  }
}

void main();
