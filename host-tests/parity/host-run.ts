/**
 * Runs parity rows against the host simulator: the firmware's own app and fetch loop on Node with
 * the host edge (host/simulator.ts), the same config keys and CAs as the firmware build.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { startSimulator } from "../../host/simulator";
import { linesFor, PARITY_CONFIG, type ParityCase } from "./cases";

/** The shipped CAs (certs/*.pem), as the manifest embeds them. */
export function shippedCaFiles(): string[] {
  const dir = join(__dirname, "..", "..", "certs");
  return readdirSync(dir).filter((f) => f.endsWith(".pem")).sort().map((f) => join(dir, f));
}

/** How many fetch lines a row compares (at least one). */
export function wanted(row: ParityCase): number {
  return Math.max(1, row.expected.length);
}

/** True once every target has the lines its row compares. */
export function complete(lines: readonly string[], rows: readonly ParityCase[], urls: readonly string[]): boolean {
  return rows.every((row, i) => linesFor(lines, urls[i]).length >= wanted(row));
}

/** Runs one batch (at most 8 rows) until each target has its lines, or `seconds` pass; returns the log. */
export async function runOnHost(rows: readonly ParityCase[], urls: readonly string[], rootPem: string, seconds = 40): Promise<string[]> {
  const lines: string[] = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const sim = await startSimulator(
    { targets: [...urls], config: { ...PARITY_CONFIG }, caFiles: [...shippedCaFiles(), rootPem], deviceProfile: true },
    (line) => {
      lines.push(line);
      if (complete(lines, rows, urls)) done();
    },
  );
  const timer = setTimeout(done, seconds * 1000);
  await finished;
  clearTimeout(timer);
  await sim.stop();
  return lines;
}
