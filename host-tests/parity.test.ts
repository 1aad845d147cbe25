/**
 * The device/simulator parity table (parity/cases.ts) against the host simulator: every row's
 * line, exactly, after taking out what varies between runs. The same rows run against the
 * firmware on the Moddable SDK's simulator with `npm run parity:sdk`.
 */
import { batches, linesFor, normalise, PARITY_CASES, type ParityEnv } from "./parity/cases";
import { runOnHost, wanted } from "./parity/host-run";
import { makeParityPki, type ParityPki } from "./parity/pki";

let pki: ParityPki;
const servers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  pki = await makeParityPki();
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  pki?.cleanup();
});

test("every row of the parity table gives its line on the host simulator", async () => {
  const env: ParityEnv = { pki, track: (s) => servers.push(s) };
  const seen: Record<string, string[]> = {};
  const expected: Record<string, string[]> = {};
  // The batches run side by side, as separate simulators (a device runs one firmware, but the
  // lines do not depend on what other targets do, apart from the reuse rows kept apart).
  await Promise.all(batches(PARITY_CASES).map(async (rows) => {
    const urls: string[] = [];
    for (const row of rows) urls.push(await row.start(env));
    const lines = await runOnHost(rows, urls, pki.root.certPath);
    rows.forEach((row, i) => {
      seen[row.name] = linesFor(lines, urls[i]).slice(0, wanted(row)).map((l) => normalise(l, row.volatile));
      expected[row.name] = row.expected;
    });
  }));
  expect(seen).toEqual(expected);
}, 120_000);

test("the table covers the classic failures the issue lists", () => {
  expect(PARITY_CASES.map((c) => c.name)).toEqual(expect.arrayContaining([
    "TLS 1.2, full chain", "TLS 1.3 only", "root not embedded", "leaf only", "leaf under the root, sent alone",
    "expired leaf", "wrong host name", "handshake stall", "no shared cipher suite", "16 KB records", "keep-alive reuse",
    "close_notify, TCP left open", "plain HTTP on the HTTPS port", "DNS failure", "refused port",
  ]));
});
