/**
 * SDK check of requests with bodies and mutual TLS in the firmware itself, on the SDK's Linux
 * simulator (`npx tsx tools/sdk/bodies-check.ts`): the firmware built with the simulator's
 * loopback root and client certificate embedded and a JSON `targets` on mcconfig's command line
 * (a POST with a JSON body and Authorization, a GET that needs a client certificate), run in
 * mcsim against local servers that check them. Prints the firmware's lines and what the servers
 * saw; exits 1 when a target did not succeed. Skips (exit 0) without an SDK.
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
  try {
    const targets = [
      { url: post.url("/telemetry"), method: "POST", headers: { "Content-Type": "application/json", Authorization: TOKEN }, body: { device: "sim", t: 21.5 } },
      { url: mtls.url("/mtls") },
      { url: post.url("/large/1048576") },
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
      until: (lines) => lines.filter((l) => l.startsWith("fetch #")).length >= 6,
    });
    const lines = appLines(run.lines);
    for (const l of lines) console.log(`| ${l}`);
    console.log("servers saw:");
    for (const r of [...post.requests, ...mtls.requests]) console.log(`  ${r.method} ${r.path} bytes=${r.bytes} auth=${r.headers.authorization === TOKEN} client=${r.clientCn ?? "-"}`);
    const fetches = lines.filter((l) => l.startsWith("fetch #"));
    const failed = fetches.filter((l) => !/ status=200 /.test(l));
    const leaked = lines.some((l) => l.indexOf("sdk-check-token") >= 0);
    console.log(`fetches ${fetches.length}, failed ${failed.length}, token in a line: ${leaked}`);
    if (fetches.length < 3 || failed.length > 0 || leaked) process.exitCode = 1;
  } finally {
    await post.close();
    await mtls.close();
  }
}

void main();
