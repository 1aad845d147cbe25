/**
 * The host simulator (`npm start`): the firmware's own start-up policy and fetch loop (the
 * modules main.ts runs, through app/app.ts) on Node, with the device edge replaced by host
 * implementations of the same interfaces: Socket/SecureSocket over node:net/node:tls (with the
 * device profile: what fails here fails on the device), timers, and the log to stdout in the
 * serial console's format.
 *
 * With no target it starts an HTTPS server on 127.0.0.1 (the loopback PKI in
 * host/fixtures/sim-pki: full chain, trusted through an embedded root) and fetches from it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { App } from "../modules/app/app";
import type { DeviceHooks } from "../modules/app/device-hooks";
import { APP_CONFIG_KEYS } from "../modules/app/config";
import { decodePem } from "../modules/tls/pem";
import { NodeSocketFactory, nodeTimers, stdoutLog } from "./node-socket";
import { startHttpsServer, TestServer } from "../host-tests/support/test-servers";

export const SIM_PKI_DIR = join(__dirname, "fixtures", "sim-pki");

export interface SimulatorOptions {
  /** URLs to fetch; none: the embedded loopback server. */
  targets: string[];
  /** mc/config keys passed through as they are (interval, tlsVersion, verify, timeouts, logFormat...). */
  config: Record<string, string>;
  /** PEM files with trusted CAs (default: certs/*.pem of the firmware, or the simulator root). */
  caFiles: string[];
  /** Stop after this many fetches (default: run until interrupted). */
  count?: number;
  /** Behave like SecureSocket (default true). */
  deviceProfile: boolean;
}

export const USAGE = `usage: npm start -- [options] [URL ...]

With no URL, starts an HTTPS server on 127.0.0.1 and fetches from it (5 fetches, 1 s apart).

options (any firmware config key works as --key value; see the README's configuration table):
  --count N             stop after N fetches
  --interval T          time between fetches: ms or 500ms, 30s, 5m (default 60s; 1s for the demo)
  --tls-version V       1.2 (default), 1.1 or 1.0
  --no-verify           do not verify certificates (INSECURE, logged on every connection)
  --ca FILE             trust the CA certificates in this PEM file (repeatable; default certs/*.pem)
  --log-format F        text (default) or json
  --no-device-profile   use Node's TLS defaults instead of SecureSocket's limits
  --config FILE         read config keys from a JSON file: targets as URLs or an array of
                        {"url", "method", "headers", "body"}; caFiles, clientCertificate and
                        clientKey as paths relative to the file
  --client-certificate FILE, --client-key FILE
                        a client certificate (PEM) and its key for servers that require one
  -h, --help            this text`;

export class UsageError extends Error {}

/** What the simulator's console and error stream are (tests run it in-process). */
export interface SimulatorIo {
  out(line: string): void;
  err(line: string): void;
}

/** The text of an input file, or a UsageError that says in one line what is wrong with it. */
function readInputFile(what: string, path: string): string {
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new UsageError(`${what} ${path}: is a directory, not a file`);
    size = stat.size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${what} ${path}: ${code === "ENOENT" ? "no such file" : `cannot be read (${code ?? String(e)})`}`);
  }
  if (size > 1024 * 1024) throw new UsageError(`${what} ${path}: ${size} bytes is too large for a PEM file`);
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`${what} ${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/** A CA file's text, checked: at least one PEM certificate, each decoding. */
function readCaFile(path: string): string {
  const text = readInputFile("--ca", path);
  let certificates = 0;
  try {
    certificates = decodePem(text).filter((b) => b.label === "CERTIFICATE").length;
  } catch (e) {
    throw new UsageError(`--ca ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (certificates === 0) throw new UsageError(`--ca ${path}: holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return text;
}

/**
 * The name a file is embedded under: the firmware takes resource names of letters, digits and
 * `. _ -` ending in `.pem` (CAs) or `.pem`/`.key` (client credentials); any other file name (a
 * `.crt`, a space) is rewritten to one, unique among `taken`.
 */
function embeddedName(path: string, taken: Set<string>, extension: ".pem" | ".key"): string {
  const stem = basename(path, extname(path)).replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "") || "file";
  let name = `${stem}${extension}`;
  for (let n = 2; taken.has(name); n++) name = `${stem}-${n}${extension}`;
  taken.add(name);
  return name;
}

/** Keys whose values name embedded files: in a config file they are paths, relative to the file. */
const FILE_KEYS = ["clientCertificate", "clientKey"];

/**
 * A `--config` file: the firmware's config keys, in the manifest's shapes (typed values, `targets`
 * as comma-separated URLs or an array of URLs and target objects). `caFiles`, `clientCertificate`
 * and `clientKey` are paths here (relative to the file); the simulator embeds them as the firmware
 * embeds its data resources, under their file names.
 */
function readConfigFile(options: SimulatorOptions, parsed: Record<string, unknown>, base: string): void {
  for (const [k, v] of Object.entries(parsed)) {
    if (k === "targets" && typeof v === "string") options.targets.push(...v.split(",").map((s) => s.trim()).filter(Boolean));
    else if (k === "targets") options.config.targets = JSON.stringify(v);
    else if (k === "caFiles") {
      const files = typeof v === "string" ? v.split(",") : Array.isArray(v) ? v.map(String) : [String(v)];
      options.caFiles.push(...files.map((f) => resolve(base, f.trim())).filter((f) => f !== base));
    } else if (FILE_KEYS.indexOf(k) >= 0 && typeof v === "string") options.config[k] = resolve(base, v);
    else options.config[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
}

/** Parses the command line. */
export function parseArgs(argv: string[]): SimulatorOptions {
  const options: SimulatorOptions = { targets: [], config: {}, caFiles: [], deviceProfile: true };
  const takeValue = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") throw new UsageError("");
    if (!arg.startsWith("--")) {
      options.targets.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = takeValue(i, flag);
      i++;
      return v;
    };
    switch (flag) {
      case "--count": {
        const v = value();
        if (!/^[1-9]\d*$/.test(v)) throw new UsageError(`--count must be a positive whole number, got "${v}"`);
        options.count = Number(v);
        break;
      }
      case "--ca":
        options.caFiles.push(value());
        break;
      case "--no-verify":
        options.config.verify = "false";
        break;
      case "--no-device-profile":
        options.deviceProfile = false;
        break;
      case "--config": {
        const file = value();
        let parsed: unknown;
        const text = readInputFile("--config", file);
        try {
          parsed = JSON.parse(text);
        } catch (e) {
          // Not the parser's message: newer ones quote the text, which may hold the Wi-Fi password.
          const at = /position (\d+)/.exec(e instanceof Error ? e.message : "");
          throw new UsageError(`--config ${file}: not valid JSON${at ? ` (at byte ${at[1]})` : ""}`);
        }
        if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new UsageError(`--config ${file}: expected a JSON object of config keys`);
        readConfigFile(options, parsed as Record<string, unknown>, dirname(resolve(file)));
        break;
      }
      default: {
        // --some-key value → config key someKey, as mcconfig's key=value.
        const key = flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
        // The firmware ignores keys it does not know (mc/config holds the SDK's too); a flag here
        // is typed by hand, so an unknown one is a mistake.
        if (!Object.prototype.hasOwnProperty.call(APP_CONFIG_KEYS, key)) throw new UsageError(`unknown option ${flag}`);
        options.config[key] = value();
      }
    }
  }
  return options;
}

export interface RunningSimulator {
  app: App | null;
  factory: NodeSocketFactory;
  server: TestServer | null;
  /** Resolves when the run ends (count reached, or stopped). */
  finished: Promise<void>;
  stop(): Promise<void>;
}

/** Starts the simulator; `log` receives every console line. */
export async function startSimulator(options: SimulatorOptions, log = stdoutLog): Promise<RunningSimulator> {
  const config: Record<string, unknown> = { ssid: "simulator", password: "", ...options.config };
  let server: TestServer | null = null;
  let caFiles = options.caFiles;
  let count = options.count;
  const demo = options.targets.length === 0 && config.targets === undefined;
  if (demo) {
    if (caFiles.length === 0) caFiles = [join(SIM_PKI_DIR, "root.pem")];
    if (config.interval === undefined) config.interval = "1s";
    if (count === undefined) count = 5;
  } else {
    if (options.targets.length) config.targets = options.targets.join(",");
    if (caFiles.length === 0) caFiles = defaultCaFiles();
  }
  // Resources are looked up by file name, as the firmware's data resources are. Every input file
  // is checked here, so a bad one is a usage error naming the flag, not a firmware message.
  const resources = new Map<string, string>();
  const taken = new Set<string>();
  for (const file of caFiles) resources.set(embeddedName(file, taken, ".pem"), readCaFile(file));
  config.caFiles = [...resources.keys()].join(",");
  for (const key of FILE_KEYS) {
    const path = config[key];
    if (typeof path !== "string" || path === "") continue;
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const name = embeddedName(path, taken, key === "clientKey" ? ".key" : ".pem");
    resources.set(name, readInputFile(flag, path));
    config[key] = name;
  }
  if (demo) {
    const pem = (name: string) => readFileSync(join(SIM_PKI_DIR, name), "utf8");
    server = await startHttpsServer(
      { cert: pem("leaf.pem") + pem("intermediate.pem"), key: pem("leaf.key") },
      { routes: { "/": { body: '{"hello":"from the simulator"}', headers: [["Content-Type", "application/json"]] } } },
    );
    config.targets = server.url("/");
  }

  const factory = new NodeSocketFactory({ deviceProfile: options.deviceProfile });
  let fetches = 0;
  let resolveFinished: () => void = () => {};
  const finished = new Promise<void>((r) => (resolveFinished = r));
  let app: App | null = null;
  const hooks: DeviceHooks = {
    log,
    timers: nodeTimers,
    sockets: factory,
    config,
    readResource: (name) => resources.get(name),
    registerCa: (der) => factory.register(der),
    // The host is online and its clock is set: Wi-Fi joins at once and SNTP answers with it.
    joinWifi: (_ssid, _password, onMessage) => {
      setImmediate(() => {
        onMessage("connect");
        onMessage("gotIP");
      });
    },
    rejoinWifi: () => {},
    address: () => "127.0.0.1",
    requestTime: (_host, done) => setImmediate(() => done(Math.floor(Date.now() / 1000))),
    setTime: () => {},
    configAdvice: "fix the option above (npm start -- --help) and run again",
    // Node's heap, named as such: it is no measure of XS's chunk or slot heaps.
    memory: () => ({ hostHeapUsed: process.memoryUsage().heapUsed }),
    onFetch: () => {
      fetches++;
      // Stopped on the next turn: this runs inside the socket's callback.
      if (count !== undefined && fetches >= count) setImmediate(() => void stop());
    },
  };
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    app?.stop();
    factory.closeAll();
    if (server) await server.close();
    resolveFinished();
  };
  app = App.start(hooks);
  if (!app) await stop();
  return { app, factory, server, finished, stop };
}

/** The firmware's embedded CAs: every PEM file in certs/. */
function defaultCaFiles(): string[] {
  const dir = resolve(dirname(__dirname), "certs");
  return readdirSync(dir).filter((f) => f.endsWith(".pem")).sort().map((f) => join(dir, f));
}

/**
 * `npm start`: resolves to the exit code. Bad input of any kind is one line on `io.err` and a
 * non-zero code (2: the command line or an input file; 1: the firmware refused its configuration,
 * or the run failed), never a stack trace.
 */
export async function simulatorMain(argv: string[], io: SimulatorIo = { out: stdoutLog, err: (l) => process.stderr.write(`${l}\n`) }): Promise<number> {
  let sim: RunningSimulator;
  try {
    const options = parseArgs(argv);
    sim = await startSimulator(options, io.out);
  } catch (e) {
    if (e instanceof UsageError && e.message === "") {
      io.out(USAGE);
      return 0;
    }
    if (e instanceof UsageError) {
      io.err(`error: ${e.message} (npm start -- --help for usage)`);
      return 2;
    }
    io.err(`error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  const interrupt = () => void sim.stop();
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  await sim.finished;
  process.off("SIGINT", interrupt);
  process.off("SIGTERM", interrupt);
  return sim.app ? 0 : 1;
}

if (require.main === module) {
  simulatorMain(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
