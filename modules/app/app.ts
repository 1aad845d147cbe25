/**
 * The firmware's start-up and connectivity policy, with the device behind injected hooks so that
 * every rule below runs in tests:
 *
 * 1. The configuration is validated first (config.ts); a bad value stops start-up with one
 *    line naming the key, before Wi-Fi is touched.
 * 2. The configuration is logged; then the embedded CA files (PEM) are decoded one at a time,
 *    checked and indexed, each root logged with its subject CN, expiry and size as it is read
 *    (only a 32-byte record per root stays in the heap). A damaged file stops start-up, naming it.
 * 3. Wi-Fi is joined; every state change is logged. The fetch loop runs only while the link is up
 *    and has an address: a drop pauses it (a fetch under way finishes and is counted), the return
 *    of the address resumes it, and the link is re-joined with a growing delay.
 * 4. TLS never starts with an unset clock: until `now()` passes CLOCK_FLOOR_MS the loop is not
 *    started; SNTP is asked, server after server, with a growing delay between rounds.
 * 5. After each fetch the free memory is logged, where the build exposes it, on the next turn:
 *    never from inside a socket callback (see deferMemoryLog).
 */
import { appConfigWarnings, AppConfig, describeAppConfig, LogFormat, parseAppConfig } from "./config";
import type { DeviceHooks, MemorySnapshot, WifiMessage } from "./device-hooks";
import { formatAppLine } from "./log-format";
import { ConfigError } from "../base/config-error";
import { FetchLoop } from "./fetch-loop";
import { HttpClient } from "../client/http-client";
import { trustCaFiles } from "../tls/ca-store";
import type { DerInput } from "../tls/options";
import { caDateProblem, isoDate } from "../tls/ca-problems";
import type { CertificateSummary } from "../tls/x509";
import { ClientIdentity, loadClientIdentity } from "../tls/client-identity";
import { deepFreeze } from "../base/freeze";

/** Before this instant (2025-01-01) the device clock is taken as unset: no certificate date can be checked. */
export const CLOCK_FLOOR_MS = Date.UTC(2025, 0, 1);
/** The year of CLOCK_FLOOR_MS, for the engine's diagnosis of an unset clock. */
const CLOCK_FLOOR_YEAR = 2025;

/** Growing delays for SNTP rounds and Wi-Fi re-joins, in ms. */
export const RETRY_DELAYS_MS = deepFreeze([2_000, 5_000, 10_000, 30_000, 60_000]);
/** An SNTP request without an answer after this long counts as failed. */
export const SNTP_TIMEOUT_MS = 10_000;

function retryDelay(attempt: number): number {
  return RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)];
}

function cn(summary: CertificateSummary): string {
  const attr = summary.subject.attributes.filter((a) => a.type === "CN").pop();
  return attr ? attr.value : summary.subject.text;
}


/**
 * The client certificate and key for mutual TLS, when configured. Throws ConfigError (key
 * `clientCertificate` or `clientKey`) for a file that is not embedded or that SecureSocket could
 * not use; the key's text is dropped once decoded.
 */
export function loadClientFiles(config: AppConfig, read: (name: string) => string | undefined): ClientIdentity | null {
  const certFile = config.clientCertificate;
  const keyFile = config.clientKey;
  if (certFile === undefined || keyFile === undefined) return null;
  const certText = read(certFile);
  if (certText === undefined) throw new ConfigError("CONFIG_BAD_VALUE", "clientCertificate", `"${certFile}" is not embedded in the firmware: add it to the manifest's data section`);
  const keyText = read(keyFile);
  if (keyText === undefined) throw new ConfigError("CONFIG_BAD_VALUE", "clientKey", `"${keyFile}" is not embedded in the firmware: add it to the manifest's data section`);
  return loadClientIdentity(certFile, certText, keyFile, keyText);
}


/** What the app keeps of each CA after start-up: the parsed summaries are dropped to spare the heap. */
interface CaValidity {
  file: string;
  notBefore: number;
  notAfter: number;
}

type Phase = "wifi" | "clock" | "running" | "stopped";

/** The running application: Wi-Fi, clock and the fetch loop, driven by device events. */
export class App {
  // Of the configuration, only what is read after start-up is kept (the rest is garbage once the
  // client and the loop are built: on the device every kept object stays in the heap).
  private readonly ssid: string;
  private readonly password: string;
  private readonly sntpHosts: string[];
  readonly loop: FetchLoop;
  readonly client: HttpClient;
  /** The embedded CAs' dates, checked again once the clock is set. */
  private readonly caValidity: CaValidity[];
  private readonly hooks: DeviceHooks;
  private readonly format: LogFormat;
  private online = false;
  private linkUp = false;
  private phase: Phase = "wifi";
  private started = false;
  private sntpRound = 0;
  private sntpTimer: unknown = null;
  private sntpPending = false;
  /** Which SNTP request is current: an answer to an older one (before a drop) is ignored. */
  private sntpRequest = 0;
  private rejoinTimer: unknown = null;
  private rejoinAttempt = 0;
  private memoryTimer: unknown = null;

  private constructor(hooks: DeviceHooks, config: AppConfig, identity: ClientIdentity | null) {
    this.hooks = hooks;
    this.ssid = config.ssid;
    this.password = config.password;
    this.sntpHosts = config.sntpHosts;
    this.format = config.logFormat;
    // The CA files are read one at a time and each root is logged as it is read: only its 32-byte
    // index record stays (the PEM stays in flash and is decoded when a handshake asks for it). A
    // CA the stack cannot use is never handed to it: a P-384 root, once registered, turned every
    // failing chain into "cannot coerce to bigint" (measured).
    const cas = trustCaFiles(config.caFiles, (file) => hooks.readResource(file), (ca, refusal) => {
      if (refusal !== undefined) {
        this.line("ca", "refused", { file: ca.file, cn: cn(ca.summary), reason: `${refusal}: not registered; remove it from caFiles` });
      } else {
        this.line("ca", "registered", { file: ca.file, cn: cn(ca.summary), expires: isoDate(ca.summary.notAfter), bytes: ca.der.length });
      }
    });
    if (cas.trusted === 0 && config.tls.verify && config.targets.some((t) => t.url.scheme === "https")) {
      const why = cas.read === 0 ? "no CA embedded (caFiles is empty)" : "no usable CA (every embedded one was refused)";
      this.line("ca", "WARNING", { problem: `${why}: every https fetch will fail TLS_CERT_UNTRUSTED unless the SDK's own ca*.der resources cover it` });
    }
    if (identity) this.line("client-cert", "loaded", { file: config.clientCertificate ?? "", cn: cn(identity.leaf), expires: isoDate(identity.leaf.notAfter) });
    const caStore = cas.store;
    // The store's index holds its roots' dates; only the others' are kept here.
    this.caValidity = cas.unindexed.map((ca) => ({ file: ca.file, notBefore: ca.summary.notBefore, notAfter: ca.summary.notAfter }));
    const ders: DerInput[] = cas.unindexed.map((ca) => ca.der);
    this.client = new HttpClient({
      sockets: hooks.sockets,
      timers: hooks.timers,
      tls: identity ? { ...config.tls, caStore, caCertificates: ders, clientCertificates: identity.certificates, clientKey: identity.key } : { ...config.tls, caStore, caCertificates: ders },
      timeouts: config.timeouts,
      log: hooks.log,
      buildYear: CLOCK_FLOOR_YEAR,
    });
    this.loop = new FetchLoop({
      client: this.client,
      timers: hooks.timers,
      log: hooks.log,
      targets: config.targets.map((t) => ({ url: t.url.href, method: t.method, headers: t.headers, body: t.body })),
      secretHeaders: config.secretHeaders,
      intervalMs: config.intervalMs,
      format: config.logFormat,
      previewBytes: config.previewBytes,
      // On the next turn: onResult runs inside the socket's callback, and a garbage collection
      // there can free the just-closed socket under the SDK's C code (it crashed the simulator).
      onResult: (result) => {
        this.deferMemoryLog();
        if (this.hooks.onFetch) this.hooks.onFetch(result);
      },
    });
  }

  /**
   * Validates, loads the CAs and starts joining Wi-Fi. Returns null when start-up stopped on a
   * configuration error (already logged); nothing was connected then.
   */
  static start(hooks: DeviceHooks): App | null {
    const raw = hooks.config;
    const format: LogFormat = raw.logFormat === "json" ? "json" : "text";
    let app: App;
    try {
      const config = parseAppConfig(raw);
      const identity = loadClientFiles(config, (name) => hooks.readResource(name));
      // Logged before the CA files are read: each root's line follows as it is read, and a damaged
      // CA file stops start-up after them.
      for (const text of describeAppConfig(config)) hooks.log(formatAppLine(format, "config", "value", { text }));
      for (const w of appConfigWarnings(config)) hooks.log(formatAppLine(format, "config", "WARNING", { code: w.code, message: w.message }));
      app = new App(hooks, config, identity);
      if (config.heapSampleMs > 0 && hooks.sampleHeap) hooks.sampleHeap(config.heapSampleMs);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      hooks.log(formatAppLine(format, "config", "error", { key: e.option, code: e.code, message: e.message }));
      hooks.log(formatAppLine(format, "app", "stopped", { reason: `configuration error: ${hooks.configAdvice ?? "fix the key above (mcconfig ... key=value) and rebuild"}` }));
      return null;
    }
    app.begin();
    return app;
  }

  private line(topic: string, event: string, detail?: { [k: string]: string | number }): void {
    try {
      this.hooks.log(formatAppLine(this.format, topic, event, detail));
    } catch {
      // A failing log sink must not stop the device.
    }
  }

  private begin(): void {
    // The client passes the first CA per connection (secure.certificate); the rest are registered
    // once for every connection (CertificateManager.register).
    for (const der of this.client.tls.registerCertificates) this.hooks.registerCa(der);
    this.logMemory("start");
    this.line("wifi", "joining", { ssid: this.ssid });
    this.hooks.joinWifi(this.ssid, this.password, (message) => this.onWifi(message));
  }

  private onWifi(message: WifiMessage): void {
    if (this.phase === "stopped") return;
    switch (message) {
      case "connect":
        this.linkUp = true;
        this.line("wifi", "connected", { ssid: this.ssid });
        return;
      case "gotIP": {
        this.linkUp = true;
        this.rejoinAttempt = 0;
        this.clearRejoin();
        const address = this.hooks.address ? this.hooks.address() : undefined;
        this.line("wifi", "online", address ? { address } : {});
        this.setOnline(true);
        return;
      }
      case "lostIP":
        this.line("wifi", "lost-address");
        this.setOnline(false);
        return;
      case "disconnect":
        this.linkUp = false;
        this.line("wifi", "disconnected", { ssid: this.ssid });
        this.setOnline(false);
        this.scheduleRejoin();
        return;
    }
  }

  private setOnline(online: boolean): void {
    if (this.online === online) return;
    this.online = online;
    if (!online) {
      this.cancelSntp();
      if (this.started) this.loop.pause();
      return;
    }
    if (this.clockValid()) {
      if (!this.started) this.line("clock", "ok", { now: new Date(this.hooks.timers.now()).toISOString() });
      this.clockReady(undefined);
    } else this.syncClock();
  }

  private scheduleRejoin(): void {
    if (this.rejoinTimer !== null) return;
    const delay = retryDelay(this.rejoinAttempt++);
    this.line("wifi", "rejoin", { in_ms: delay });
    this.rejoinTimer = this.hooks.timers.set(() => {
      this.rejoinTimer = null;
      if (this.phase === "stopped" || this.linkUp) return;
      this.hooks.rejoinWifi();
      // If that attempt fails silently, try again later.
      this.scheduleRejoin();
    }, delay);
  }

  private clearRejoin(): void {
    if (this.rejoinTimer !== null) {
      this.hooks.timers.clear(this.rejoinTimer);
      this.rejoinTimer = null;
    }
  }

  private clockValid(): boolean {
    return this.hooks.timers.now() >= CLOCK_FLOOR_MS;
  }

  /** One SNTP round: every server in turn until one answers; then a pause and another round. */
  private syncClock(): void {
    this.phase = this.started ? this.phase : "clock";
    this.line("clock", "unset", { now: new Date(this.hooks.timers.now()).toISOString(), reason: "certificate dates cannot be checked: asking SNTP before any TLS connection" });
    this.askServer(0);
  }

  private askServer(index: number): void {
    if (!this.online || this.phase === "stopped") return;
    const host = this.sntpHosts[index];
    const request = ++this.sntpRequest;
    const finish = (seconds: number | undefined, reason: string | undefined) => {
      if (request !== this.sntpRequest) return;
      this.sntpRequest++;
      this.sntpPending = false;
      if (this.sntpTimer !== null) {
        this.hooks.timers.clear(this.sntpTimer);
        this.sntpTimer = null;
      }
      if (!this.online || this.phase === "stopped") return;
      if (seconds !== undefined && seconds * 1000 >= CLOCK_FLOOR_MS) {
        this.hooks.setTime(seconds);
        this.sntpRound = 0;
        this.clockReady(host);
        return;
      }
      this.line("clock", "sntp-failed", { server: host, reason: seconds !== undefined ? `answered ${new Date(seconds * 1000).toISOString()}, before ${isoDate(CLOCK_FLOOR_MS)}` : reason ?? "no answer" });
      if (index + 1 < this.sntpHosts.length) return this.askServer(index + 1);
      const delay = retryDelay(this.sntpRound++);
      this.line("clock", "retry", { in_ms: delay });
      this.sntpTimer = this.hooks.timers.set(() => {
        this.sntpTimer = null;
        this.askServer(0);
      }, delay);
    };
    this.sntpPending = true;
    this.line("clock", "sntp", { server: host });
    this.sntpTimer = this.hooks.timers.set(() => {
      this.sntpTimer = null;
      finish(undefined, `no answer within ${SNTP_TIMEOUT_MS} ms`);
    }, SNTP_TIMEOUT_MS);
    try {
      this.hooks.requestTime(host, (seconds, reason) => finish(seconds, reason));
    } catch (e) {
      finish(undefined, e instanceof Error ? e.message : String(e));
    }
  }

  private cancelSntp(): void {
    this.sntpRequest++;
    if (this.sntpTimer !== null) {
      this.hooks.timers.clear(this.sntpTimer);
      this.sntpTimer = null;
    }
    this.sntpPending = false;
  }

  private clockReady(server: string | undefined): void {
    const now = this.hooks.timers.now();
    if (server !== undefined) this.line("clock", "set", { now: new Date(now).toISOString(), server });
    if (!this.started) {
      // Structural problems were logged at registration; now that the time is known, the dates.
      const store = this.client.tls.secure.caStore;
      for (const ca of store ? store.validity().concat(this.caValidity) : this.caValidity) {
        const problem = caDateProblem(ca, now);
        if (problem) this.line("ca", "WARNING", { file: ca.file, problem: problem.text });
      }
      this.started = true;
      this.phase = "running";
      this.loop.start();
    } else {
      this.phase = "running";
      this.loop.resume();
    }
  }

  private deferMemoryLog(): void {
    if (!this.hooks.memory || this.memoryTimer !== null) return;
    this.memoryTimer = this.hooks.timers.set(() => {
      this.memoryTimer = null;
      if (this.phase !== "stopped") this.logMemory("after-fetch");
    }, 0);
  }

  /** Logs the memory figures the build exposes (none in a release build without instrumentation). */
  logMemory(when: string): void {
    if (!this.hooks.memory) return;
    let m: MemorySnapshot;
    try {
      m = this.hooks.memory();
    } catch {
      return;
    }
    const detail: { [k: string]: string | number } = { at: when };
    if (m.systemFree !== undefined) detail.free = m.systemFree;
    if (m.chunkUsed !== undefined) detail.chunk_used = m.chunkUsed;
    if (m.slotUsed !== undefined) detail.slot_used = m.slotUsed;
    if (m.hostHeapUsed !== undefined) detail.host_heap_used = m.hostHeapUsed;
    if (m.peakUsed !== undefined) detail.peak_used = m.peakUsed;
    if (Object.keys(detail).length === 1) return;
    this.line("mem", "heap", detail);
  }

  /** True while SNTP is being asked (for tests and the console). */
  get waitingForClock(): boolean {
    return this.sntpPending || this.sntpTimer !== null;
  }

  /** Stops everything: the loop, SNTP and re-join timers. */
  stop(): void {
    if (this.phase === "stopped") return;
    this.phase = "stopped";
    this.cancelSntp();
    this.clearRejoin();
    if (this.memoryTimer !== null) {
      this.hooks.timers.clear(this.memoryTimer);
      this.memoryTimer = null;
    }
    this.loop.stop();
  }
}

