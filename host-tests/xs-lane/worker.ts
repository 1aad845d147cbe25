/**
 * A minimal driver for the XS engine's `xsnap-worker` process (built by the `@agoric/xsnap` package).
 *
 * Protocol (see xsnap-worker.c): the parent writes netstrings (`<len>:<bytes>,`) to the child's fd 3
 * and reads netstrings from its fd 4. A message `e<code>` evaluates `code` as a script (one "crank");
 * the child answers `.<meter JSON>\x01<reply bytes>` where the reply is the script's completion value
 * if it is an ArrayBuffer (else empty), or `!<text>` if the script threw. A message `?<bytes>` from the
 * child is an `issueCommand` call waiting for our `/<bytes>` answer. `q` asks the child to quit.
 * With `-l <limit>` every crank may spend at most `limit` meter units (XS's computation counter);
 * a crank over it ends the process with exit code 17 ("too much computation").
 */
import { spawn, ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { Readable, Writable } from "node:stream";

/** Meter units one crank may spend by default: about 0.3 s of a tight loop on the host. */
export const DEFAULT_METER_LIMIT = 100_000_000;
/** The worker reads `-l` with atoi and reports the meter as a 32-bit integer. */
export const MAX_METER_LIMIT = 0x7fffffff;
/** Wall-clock guard per crank, in case the meter does not catch something (e.g. a blocked worker). */
export const DEFAULT_CRANK_TIMEOUT_MS = 60_000;

const EXIT_MESSAGES: Record<number, string> = {
  1: "bad argument usage",
  2: "I/O error",
  11: "not enough memory",
  12: "stack overflow",
  15: "unhandled exception",
  16: "property (key) name space exhausted",
  17: "too much computation",
};
export const EXIT_TOO_MUCH_COMPUTATION = 17;

/** Where `npm ci` builds the worker (the package's postinstall runs make and cc). */
export function xsnapWorkerPath(): string {
  const pkg = dirname(require.resolve("@agoric/xsnap/package.json"));
  const platform = process.platform === "darwin" ? "mac" : "lin";
  return join(pkg, "xsnap-native", "xsnap", "build", "bin", platform, "release", "xsnap-worker");
}

/** What a crank reports besides its reply. */
export interface XsMeterUsage {
  /** Meter units the whole crank spent (evaluating the script and draining the job queue). */
  compute: number;
  /** Bytes the XS heap has allocated so far. */
  allocate: number;
  currentHeapCount: number;
}

export interface XsReply extends XsMeterUsage {
  bytes: Uint8Array;
}

/** The evaluated script threw; `message` is XS's text of the exception. */
export class XsScriptError extends Error {
  override name = "XsScriptError";
}

/** The worker process ended (or was killed) while work was pending. */
export class XsExitError extends Error {
  override name = "XsExitError";
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
  ) {
    super(message);
  }
  /** True when the worker stopped because a crank spent more than its meter limit. */
  get tooMuchComputation(): boolean {
    return this.exitCode === EXIT_TOO_MUCH_COMPUTATION;
  }
}

export interface XsWorkerOptions {
  /** Shown in errors. */
  name?: string;
  /** Meter units per crank; 0 disables the limit (never do that in tests). */
  meterLimit?: number;
  crankTimeoutMs?: number;
  /** Receives the worker's stdout/stderr (XS `trace` output); by default it is kept for error texts. */
  onOutput?: (text: string) => void;
}

/** Reads netstrings from a byte stream. */
class NetstringReader {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly onMessage: (msg: Buffer) => void, private readonly onError: (e: Error) => void) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      const colon = this.buf.indexOf(0x3a);
      if (colon < 0) {
        if (this.buf.length > 10) this.onError(new Error("xsnap protocol error: netstring length too long"));
        return;
      }
      const lenText = this.buf.subarray(0, colon).toString("latin1");
      if (!/^[0-9]{1,9}$/.test(lenText)) {
        this.onError(new Error(`xsnap protocol error: bad netstring length ${JSON.stringify(lenText)}`));
        return;
      }
      const len = Number(lenText);
      const end = colon + 1 + len;
      if (this.buf.length < end + 1) return;
      if (this.buf[end] !== 0x2c) {
        this.onError(new Error("xsnap protocol error: netstring without trailing comma"));
        return;
      }
      const msg = this.buf.subarray(colon + 1, end);
      this.buf = this.buf.subarray(end + 1);
      this.onMessage(msg);
    }
  }
}

function netstring(body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${body.length}:`, "latin1"), body, Buffer.from(",", "latin1")]);
}

interface Pending {
  resolve: (r: XsReply) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** One xsnap-worker process. Cranks are queued: one runs at a time. */
export class XsWorker {
  readonly name: string;
  readonly meterLimit: number;
  private readonly child: ChildProcess;
  private readonly toWorker: Writable;
  private readonly crankTimeoutMs: number;
  private queue: Promise<unknown> = Promise.resolve();
  private pending: Pending | undefined;
  private exited: XsExitError | undefined;
  private output = "";
  private readonly exitPromise: Promise<void>;

  constructor(options: XsWorkerOptions = {}) {
    this.name = options.name ?? "xs";
    this.meterLimit = options.meterLimit ?? DEFAULT_METER_LIMIT;
    this.crankTimeoutMs = options.crankTimeoutMs ?? DEFAULT_CRANK_TIMEOUT_MS;
    if (!Number.isInteger(this.meterLimit) || this.meterLimit < 0 || this.meterLimit > MAX_METER_LIMIT) {
      throw new RangeError(`meterLimit must be an integer from 0 to ${MAX_METER_LIMIT}`);
    }
    const bin = xsnapWorkerPath();
    if (!existsSync(bin)) {
      throw new Error(`xsnap-worker is not built (${bin}); run npm ci, whose postinstall of @agoric/xsnap builds it with make and cc`);
    }
    const args = [this.name.replace(/^-+/, "")];
    if (this.meterLimit > 0) args.push("-l", String(this.meterLimit));
    this.child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe", "pipe", "pipe"] });
    const stdio = this.child.stdio as unknown as [null, Readable, Readable, Writable, Readable];
    this.toWorker = stdio[3];
    this.toWorker.on("error", () => {
      /* reported through the exit */
    });
    const onOutput = options.onOutput ?? ((text: string) => {
      this.output = (this.output + text).slice(-4000);
    });
    stdio[1].setEncoding("utf8").on("data", onOutput);
    stdio[2].setEncoding("utf8").on("data", onOutput);
    const reader = new NetstringReader(
      (msg) => this.onMessage(msg),
      (e) => this.fail(e),
    );
    stdio[4].on("data", (chunk: Buffer) => reader.push(chunk));
    this.exitPromise = new Promise((resolve) => {
      // "close" comes after the output pipes are drained, so the worker's last words are in the message.
      this.child.on("close", (code, signal) => {
        const why = code === 0 ? "exited" : signal ? `was killed by ${signal}` : `exited with code ${code} (${EXIT_MESSAGES[code ?? -1] ?? "unknown error"})`;
        let message = `XS worker ${this.name} ${why}`;
        if (code === EXIT_TOO_MUCH_COMPUTATION) {
          message = `XS computation limit exceeded: a call spent more than ${this.meterLimit} meter units (worker ${this.name} exited with code 17, too much computation)`;
        }
        const out = this.output.trim();
        if (out && code !== 0) message += `; worker output: ${out}`;
        this.exited = new XsExitError(message, code, signal);
        this.settle(undefined, this.exited);
        resolve();
      });
      this.child.on("error", (e) => {
        this.exited = new XsExitError(`XS worker ${this.name} failed to start: ${e.message}`, null, null);
        this.settle(undefined, this.exited);
        resolve();
      });
    });
  }

  /** True while the process is running. */
  get alive(): boolean {
    return this.exited === undefined;
  }

  /** Evaluates `code` as a script in one crank. The reply's bytes are the completion value if it is an ArrayBuffer. */
  evaluate(code: string): Promise<XsReply> {
    const run = this.queue.then(() => this.send(Buffer.concat([Buffer.from("e", "latin1"), Buffer.from(code, "utf8")])));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Asks the worker to quit and waits for it. */
  async close(): Promise<void> {
    if (this.exited) return;
    await this.queue;
    if (this.exited) return;
    this.toWorker.write(netstring(Buffer.from("q", "latin1")));
    this.toWorker.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await this.exitPromise;
    clearTimeout(timer);
  }

  /** Ends the process at once. */
  async kill(): Promise<void> {
    if (!this.exited) this.child.kill("SIGKILL");
    await this.exitPromise;
  }

  private send(message: Buffer): Promise<XsReply> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise<XsReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new Error(`XS worker ${this.name}: no reply within ${this.crankTimeoutMs} ms`));
      }, this.crankTimeoutMs);
      this.pending = { resolve, reject, timer };
      this.toWorker.write(netstring(message));
    });
  }

  private onMessage(msg: Buffer): void {
    const kind = msg[0];
    if (kind === 0x3f /* ? */) {
      // issueCommand from inside XS: the device-like lane removes it, so answer with empty bytes.
      this.toWorker.write(netstring(Buffer.from("/", "latin1")));
      return;
    }
    if (kind === 0x2e /* . */) {
      const sep = msg.indexOf(1, 1);
      const meter = sep >= 0 ? (JSON.parse(msg.subarray(1, sep).toString("utf8")) as { compute: number; allocate: number; currentHeapCount: number }) : { compute: 0, allocate: 0, currentHeapCount: 0 };
      const bytes = new Uint8Array(msg.subarray(sep >= 0 ? sep + 1 : 1));
      this.settle({ bytes, compute: meter.compute, allocate: meter.allocate, currentHeapCount: meter.currentHeapCount });
      return;
    }
    if (kind === 0x21 /* ! */) {
      this.settle(undefined, new XsScriptError(msg.subarray(1).toString("utf8")));
      return;
    }
    this.fail(new Error(`xsnap protocol error: unexpected message ${JSON.stringify(msg.subarray(0, 40).toString("latin1"))}`));
  }

  private settle(reply: XsReply | undefined, error?: Error): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    if (error) p.reject(error);
    else p.resolve(reply as XsReply);
  }

  private fail(e: Error): void {
    this.settle(undefined, e);
    if (!this.exited) this.child.kill("SIGKILL");
  }
}
