/**
 * SDK check of connection integrity in the firmware itself, on the SDK's Linux simulator
 * (`npx tsx tools/sdk/integrity-check.ts`): the firmware built with the simulator's loopback root
 * and a JSON `targets` on mcconfig's command line, run in mcsim against local servers that
 * - require a 3 KB and a 7.5 KB `Authorization: Bearer` header (heads sent in pieces);
 * - answer /a with a response that ends exactly where SecureSocket's 1024-byte pieces end,
 *   followed in the same write by an unsolicited extra response, and /b on the same origin
 *   (target b must get its own answer, never the extra one);
 * - reset the connection mid-body, and send a forged TLS record mid-body.
 * Measured (SDK 8.2.3, lin): all pass; the reset is BODY_TRUNCATED there, because the lin socket
 * reports a reset as -1, where lwip on the ESP32 reports -2 (CONNECTION_RESET).
 * Prints the firmware's lines; exits 1 when an outcome differs. Skips (exit 0) without an SDK.
 */
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { appLines, buildFirmware, findSdk, isSdk, REPO_ROOT, runFirmware } from "./firmware";
import { startBodyServer } from "../../host-tests/support/body-server";
import { response, startScriptedServer, type ScriptedRequest } from "../../host-tests/support/hostile-server";

const FIX = join(REPO_ROOT, "host", "fixtures");
const pem = (dir: string, name: string) => readFileSync(join(FIX, dir, name), "utf8");
const bearer = (n: number) => `Bearer ${"eyJhbGciOiJSUzI1NiJ9.".repeat(Math.ceil(n / 21)).slice(0, n)}`;

/** The answer to a request, padded to exactly `size` bytes on the wire. */
function exactly(text: string, size: number): string {
  let body = text + " ".repeat(Math.max(0, size - response(text).length));
  while (response(body).length > size) body = body.slice(0, -1);
  return response(body);
}

async function main(): Promise<void> {
  const sdk = findSdk();
  if (!isSdk(sdk)) {
    console.log(`integrity-check skipped: ${sdk.skip}`);
    return;
  }
  const tls = { cert: pem("sim-pki", "leaf.pem") + pem("sim-pki", "intermediate.pem"), key: pem("sim-pki", "leaf.key") };
  const token3k = bearer(3 * 1024);
  const token7k = bearer(7500);
  const small = await startBodyServer({ tls, requireAuthorization: token3k });
  const large = await startBodyServer({ tls, requireAuthorization: token7k });
  const hostile = await startScriptedServer({
    tls,
    onRequest: (r: ScriptedRequest) => {
      if (r.path === "/a") return void r.stream.write(exactly("answer to /a", 2048) + response("EVIL unsolicited"));
      if (r.path === "/b") return void r.stream.write(response("answer to /b"));
      const head = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n";
      r.stream.write(head + "x".repeat(3000), () => setTimeout(() => {
        if (r.path === "/reset") r.raw.resetAndDestroy();
        else {
          const forged = Buffer.alloc(5 + 64, 0x5a);
          forged.set([23, 3, 3, 0, 64]);
          r.raw.write(forged);
        }
      }, 50));
    },
  });
  try {
    const targets = [
      { url: small.url("/jwt3k"), headers: { Authorization: token3k } },
      { url: large.url("/jwt7k"), headers: { Authorization: token7k } },
      { url: hostile.url("/a") },
      { url: hostile.url("/b") },
      { url: hostile.url("/reset") },
      { url: hostile.url("/forged") },
    ];
    const started = Date.now();
    const build = buildFirmware(sdk, {
      name: "integrity",
      extraData: [join(FIX, "sim-pki", "root.pem")],
      config: { ssid: "sim", password: "simulator-pw", caFiles: "root.pem", targets: JSON.stringify(targets), interval: "2s", preview: "32", sntp: "127.0.0.1" },
    });
    console.log(`built in ${Math.round((Date.now() - started) / 1000)} s`);
    const run = await runFirmware(sdk, build, { seconds: 150, until: (lines) => lines.filter((l) => l.startsWith("fetch #")).length >= 12 });
    const lines = appLines(run.lines);
    for (const l of lines) console.log(`| ${l.length > 400 ? `${l.slice(0, 400)}...` : l}`);
    const fetches = lines.filter((l) => l.startsWith("fetch #"));
    const of = (path: string) => fetches.filter((l) => l.indexOf(`${path} `) > 0);
    const checks: [string, boolean][] = [
      ["3 KB Authorization: status=200", of("/jwt3k").length > 0 && of("/jwt3k").every((l) => / status=200 /.test(l))],
      ["7.5 KB Authorization: status=200", of("/jwt7k").length > 0 && of("/jwt7k").every((l) => / status=200 /.test(l))],
      ["/a keeps its own answer", of("/a").length > 0 && of("/a").every((l) => /body="answer to \/a/.test(l))],
      ["/b never logs the extra response", of("/b").length > 0 && of("/b").every((l) => /body="answer to \/b"/.test(l)) && !fetches.some((l) => /EVIL/.test(l))],
      // The SDK's lin socket reports a reset as a disconnect (recv's error is dropped, the hang-up
      // that follows is -1), so there it is BODY_TRUNCATED; lwip (ESP32) reports -2: CONNECTION_RESET.
      ["a reset mid-body: CONNECTION_RESET (lwip) or BODY_TRUNCATED (lin)", of("/reset").length > 0 && of("/reset").every((l) => / error=(CONNECTION_RESET|BODY_TRUNCATED) /.test(l))],
      ["a forged record: TLS_RECORD_AUTH_FAILED", of("/forged").length > 0 && of("/forged").every((l) => / error=TLS_RECORD_AUTH_FAILED /.test(l))],
      ["no token in a line", !lines.some((l) => l.indexOf(token3k.slice(7, 60)) >= 0)],
    ];
    for (const [name, ok] of checks) console.log(`${ok ? "ok  " : "FAIL"} ${name}`);
    if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
  } finally {
    await small.close();
    await large.close();
    await hostile.close();
  }
}

void main();
