/**
 * SDK check of the example app that uses the client through manifest_client.json
 * (`npx tsx tools/sdk/example-check.ts`): builds examples/post-json for the SDK's Linux simulator,
 * runs it in mcsim against the demo servers (a POST with JSON and Authorization, a 100 KB upload
 * produced piece by piece, a 1 MB download consumed piece by piece) and prints its lines, with the
 * heap after `Debug.gc()` at each step. Exits 1 when a step failed; skips (exit 0) without an SDK.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { appLines, buildFirmware, findSdk, isSdk, REPO_ROOT, runFirmware } from "./firmware";
import { startBodyServer } from "../../host-tests/support/body-server";

const FIX = join(REPO_ROOT, "host", "fixtures");
const pem = (dir: string, name: string) => readFileSync(join(FIX, dir, name), "utf8");

async function main(): Promise<void> {
  const sdk = findSdk();
  if (!isSdk(sdk)) {
    console.log(`example-check skipped: ${sdk.skip}`);
    return;
  }
  const token = "example-check-token";
  const server = await startBodyServer({
    tls: { cert: pem("sim-pki", "leaf.pem") + pem("sim-pki", "intermediate.pem"), key: pem("sim-pki", "leaf.key") },
    requireAuthorization: `Bearer ${token}`,
  });
  try {
    const started = Date.now();
    const build = buildFirmware(sdk, {
      name: "example-post-json",
      manifest: join(REPO_ROOT, "examples", "post-json", "manifest.json"),
      config: { url: server.url("").replace(/\/$/, ""), token },
    });
    console.log(`built in ${Math.round((Date.now() - started) / 1000)} s`);
    const run = await runFirmware(sdk, build, { seconds: 180, until: (lines) => lines.some((l) => l.startsWith("example done")) });
    const lines = appLines(run.lines).filter((l) => l.startsWith("example"));
    for (const l of lines) console.log(`| ${l}`);
    for (const r of server.requests) console.log(`  server saw ${r.method} ${r.path} bytes=${r.bytes} chunked=${r.headers["transfer-encoding"] === "chunked"}`);
    const ok = ["post status=200", "upload status=200", "download status=200 bytes=1048576"].every((s) => lines.some((l) => l.indexOf(s) >= 0));
    console.log(ok ? "example-check: OK" : "example-check: FAILED");
    if (!ok) process.exitCode = 1;
  } finally {
    await server.close();
  }
}

void main();
