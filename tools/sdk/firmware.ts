/**
 * Builds this firmware (or another Moddable app) with the user's own Moddable SDK for its Linux
 * simulator (`mcconfig -p lin`) and runs it in `mcsim`, collecting the lines it traces.
 *
 * Used by the optional SDK checks (`npm run check:sdk`, the heap benchmark, the device/simulator
 * parity table). Nothing here builds the SDK: it uses `$MODDABLE` when the user has one, and
 * `findSdk()` says why it cannot when not.
 *
 * Why an overlay manifest: a check needs extra PEM files embedded (a loopback test root) and
 * config keys set, without touching the repository's `manifest.json`. The overlay includes it and
 * adds data; mcconfig resolves each manifest's relative paths against its own folder.
 *
 * Why a stable output folder per build name: a first `mcconfig -p lin` compiles the XS engine
 * (about 2 minutes on two cores); later builds into the same folder only redo what changed.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";

export const REPO_ROOT = resolve(__dirname, "..", "..");

export interface Sdk {
  moddable: string;
  /** Folder with mcconfig, mcsim, xsl... */
  bin: string;
}

/** The user's SDK, or the reason there is none usable (to print as "skipped: ..."). */
export function findSdk(env: NodeJS.ProcessEnv = process.env): Sdk | { skip: string } {
  const moddable = env.MODDABLE;
  if (!moddable) return { skip: "MODDABLE is not set (install the Moddable SDK and export MODDABLE=/path/to/moddable)" };
  if (!existsSync(join(moddable, "modules"))) return { skip: `MODDABLE=${moddable} does not look like a Moddable SDK (no modules/ folder)` };
  const bin = join(moddable, "build", "bin", "lin", "release");
  for (const tool of ["mcconfig", "mcsim"]) {
    if (!existsSync(join(bin, tool))) return { skip: `no ${join(bin, tool)}: build the SDK's host tools first, as its getting-started guide says` };
  }
  const xvfb = spawnSync("sh", ["-c", "command -v xvfb-run"], { encoding: "utf8" });
  if (xvfb.status !== 0) return { skip: "no xvfb-run: mcsim needs a display (apt-get install xvfb xauth)" };
  return { moddable, bin };
}

export function isSdk(found: Sdk | { skip: string }): found is Sdk {
  return "bin" in found;
}

export interface BuildOptions {
  /** Names the output folder, reused between builds of the same name. */
  name: string;
  /** The app's manifest (default: this repository's firmware). */
  manifest?: string;
  /** mc/config keys as `key=value` on mcconfig's command line. */
  config?: Record<string, string>;
  /** Extra files embedded as data (resources), e.g. a test root's PEM. */
  extraData?: string[];
  /** Debug build (`-d`): instrumentation and `Debug.gc()` for heap figures. Default true. */
  debug?: boolean;
}

export interface Build {
  /** The simulator library mcsim runs. */
  library: string;
  /** mcconfig's and make's output, for warnings such as xsl's `not frozen`. */
  log: string;
}

export function outputRoot(): string {
  return process.env.SDK_CHECK_OUT ?? join(tmpdir(), "esp32-https-fetch-sdk");
}

/** Builds for `-p lin`; throws with mcconfig's output when the build fails. */
export function buildFirmware(sdk: Sdk, options: BuildOptions): Build {
  const root = join(outputRoot(), options.name);
  const out = join(root, "out");
  mkdirSync(out, { recursive: true });
  let manifest = options.manifest ?? join(REPO_ROOT, "manifest.json");
  if (options.extraData && options.extraData.length > 0) {
    // The app's name is its manifest folder's name: keep it "main"-like and stable per build name.
    const overlayDir = join(root, "app");
    mkdirSync(overlayDir, { recursive: true });
    const data: Record<string, string[]> = { "*": options.extraData.map((f) => resolve(f)) };
    writeFileSync(join(overlayDir, "manifest.json"), JSON.stringify({ include: [manifest], data }, null, "\t"));
    manifest = join(overlayDir, "manifest.json");
  }
  const args = [...(options.debug === false ? [] : ["-d"]), "-m", "-p", "lin", "-o", out, manifest];
  for (const [key, value] of Object.entries(options.config ?? {})) args.push(`${key}=${value}`);
  const env = { ...process.env, MODDABLE: sdk.moddable, PATH: `${sdk.bin}:${join(REPO_ROOT, "node_modules", ".bin")}:${process.env.PATH ?? ""}` };
  const run = spawnSync(join(sdk.bin, "mcconfig"), args, { env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, cwd: root });
  const log = `${run.stdout ?? ""}${run.stderr ?? ""}`;
  if (run.status !== 0) throw new Error(`mcconfig failed (exit ${run.status}):\n${log.split("\n").slice(-40).join("\n")}`);
  const appName = basename(resolve(manifest, ".."));
  const library = join(out, "bin", "lin", "mc", options.debug === false ? "release" : "debug", appName, "mc.so");
  if (!existsSync(library)) throw new Error(`mcconfig succeeded but ${library} is missing`);
  return { library, log };
}

/** xsl's preload warnings (`not frozen`, `no const`) from a build log, one per line. */
export function preloadWarnings(log: string): string[] {
  return log.split("\n").filter((l) => /^### warning: .*: (not frozen|no const)$/.test(l.trim()));
}

export interface RunOptions {
  /** Longest run, in seconds. */
  seconds: number;
  /** Stop early once this returns true for the lines so far. */
  until?: (lines: string[]) => boolean;
  /** Extra environment (mcsim reads none of ours; for completeness). */
  env?: Record<string, string>;
}

export interface Run {
  lines: string[];
  /** True when `until` ended the run, false when the time ran out. */
  finished: boolean;
}

/**
 * Runs a built app in mcsim under a virtual display, line-buffered, and stops it. Instrumentation
 * lines (`instruments: ...`) are kept: heap checks read them.
 */
export function runFirmware(sdk: Sdk, build: Build, options: RunOptions): Promise<Run> {
  return new Promise((resolvePromise) => {
    const child = spawn("xvfb-run", ["-a", "stdbuf", "-oL", "-eL", join(sdk.bin, "mcsim"), build.library], {
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const lines: string[] = [];
    let partial = "";
    let finished = false;
    const stop = (): void => {
      try {
        process.kill(-child.pid!, "SIGINT");
      } catch {
        // Already gone.
      }
      setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // Already gone.
        }
      }, 2000).unref();
    };
    const onData = (chunk: Buffer): void => {
      partial += chunk.toString("utf8");
      const parts = partial.split("\n");
      partial = parts.pop() ?? "";
      lines.push(...parts);
      if (!finished && options.until?.(lines)) {
        finished = true;
        stop();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const timer = setTimeout(stop, options.seconds * 1000);
    child.on("close", () => {
      clearTimeout(timer);
      if (partial) lines.push(partial);
      resolvePromise({ lines, finished });
    });
  });
}

/** The firmware's own log lines: everything but mcsim's instrumentation and exception traces. */
export function appLines(lines: string[]): string[] {
  return lines.filter((l) => !l.startsWith("instruments") && !/: exception: throw!$/.test(l));
}

/** Heap figures (chunk + slot used, bytes) from mcsim's `instruments:` lines, in order. */
export function instrumentHeap(lines: string[]): number[] {
  const key = lines.find((l) => l.startsWith("instruments key:"));
  if (!key) return [];
  const names = key.slice("instruments key:".length).split(",").map((s) => s.trim());
  const chunk = names.indexOf("Chunk used");
  const slot = names.indexOf("Slot used");
  return lines
    .filter((l) => l.startsWith("instruments:"))
    .map((l) => l.slice("instruments:".length).split(",").map(Number))
    .map((v) => v[chunk] + v[slot]);
}
