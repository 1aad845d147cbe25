/**
 * `npm run parity:sdk`: the parity table (host-tests/parity/cases.ts) run against the real
 * firmware, built for the Moddable SDK's Linux simulator and run in mcsim, and against the host
 * simulator, side by side with the same servers, config keys and CAs (the shipped certs/*.pem
 * plus the test root). Prints, for each row, the firmware's line, the simulator's line and
 * whether they agree; `--markdown FILE` also writes the table, as Markdown, to FILE (for the docs).
 *
 * Needs `$MODDABLE` with the SDK's host tools built; without them it says why it skipped and
 * exits 0. Exit 1 when a row disagrees.
 */
import { writeFileSync } from "node:fs";
import { basename } from "node:path";
import { appLines, buildFirmware, findSdk, isSdk, runFirmware, type Sdk } from "./firmware";
import { batches, linesFor, normalise, PARITY_CASES, PARITY_CONFIG, type ParityCase, type ParityEnv } from "../../host-tests/parity/cases";
import { complete, runOnHost, shippedCaFiles, wanted } from "../../host-tests/parity/host-run";
import { makeParityPki } from "../../host-tests/parity/pki";

interface Row {
  name: string;
  server: string;
  firmware: string[];
  simulator: string[];
  agree: boolean;
}

async function runOnFirmware(sdk: Sdk, rows: readonly ParityCase[], urls: readonly string[], rootPem: string): Promise<string[]> {
  const caFiles = [...shippedCaFiles(), rootPem].map((f) => basename(f)).join(",");
  const build = buildFirmware(sdk, {
    name: "parity",
    extraData: [rootPem],
    config: { ssid: "parity", password: "parity-check", targets: urls.join(","), caFiles, ...PARITY_CONFIG },
  });
  const run = await runFirmware(sdk, build, { seconds: 60, until: (lines) => complete(lines, rows, urls) });
  return appLines(run.lines);
}

function cell(lines: string[]): string {
  return lines.length ? lines.join("<br>") : "(no line)";
}

function markdown(rows: Row[]): string {
  const esc = (t: string) => t.replace(/\|/g, "\\|");
  const out = ["| case | server | firmware (SDK simulator) | host simulator | agree |", "| --- | --- | --- | --- | --- |"];
  for (const r of rows) {
    out.push(`| ${esc(r.name)} | ${esc(r.server)} | \`${esc(cell(r.firmware)).replace(/<br>/g, "`<br>`")}\` | ${r.agree ? "same" : `\`${esc(cell(r.simulator)).replace(/<br>/g, "`<br>`")}\``} | ${r.agree ? "yes" : "**no**"} |`);
  }
  return out.join("\n");
}

async function main(): Promise<void> {
  const found = findSdk();
  if (!isSdk(found)) {
    console.log(`parity:sdk skipped: ${found.skip}`);
    return;
  }
  const at = process.argv.indexOf("--markdown");
  const markdownFile = at > 0 ? process.argv[at + 1] : undefined;
  if (at > 0 && !markdownFile) {
    console.error("usage: npm run parity:sdk [-- --markdown FILE]");
    process.exitCode = 2;
    return;
  }
  const pki = await makeParityPki();
  const servers: { close(): Promise<void> }[] = [];
  const env: ParityEnv = { pki, track: (s) => servers.push(s) };
  const rows: Row[] = [];
  try {
    for (const group of batches(PARITY_CASES)) {
      const urls: string[] = [];
      for (const c of group) urls.push(await c.start(env));
      console.error(`parity:sdk: firmware with ${group.length} target(s): ${group.map((c) => c.name).join("; ")}`);
      const firmware = await runOnFirmware(found, group, urls, pki.root.certPath);
      const host = await runOnHost(group, urls, pki.root.certPath);
      group.forEach((c, i) => {
        const pick = (lines: string[]) => linesFor(lines, urls[i]).slice(0, wanted(c)).map((l) => normalise(l, c.volatile));
        const f = pick(firmware);
        const s = pick(host);
        rows.push({ name: c.name, server: c.server, firmware: f, simulator: s, agree: f.length === wanted(c) && JSON.stringify(f) === JSON.stringify(s) });
      });
      const unexpected = firmware.filter((l) => /exception|### |cannot coerce|Error:/i.test(l));
      if (unexpected.length) console.error(`parity:sdk: firmware console:\n  ${unexpected.slice(0, 10).join("\n  ")}`);
    }
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    pki.cleanup();
  }
  for (const r of rows) {
    console.log(`${r.agree ? "SAME" : "DIFF"}  ${r.name}`);
    console.log(`  firmware:  ${cell(r.firmware)}`);
    if (!r.agree) console.log(`  simulator: ${cell(r.simulator)}`);
  }
  if (markdownFile) writeFileSync(markdownFile, `${markdown(rows)}\n`);
  const differ = rows.filter((r) => !r.agree).length;
  console.error(`parity:sdk: ${rows.length - differ} of ${rows.length} rows agree`);
  if (differ) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
