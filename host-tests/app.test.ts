/**
 * The firmware's start-up and connectivity policy (modules/app/app.ts) with a fake device: a
 * scripted network, a fake clock that starts at 1970 like a fresh ESP32, fake Wi-Fi and SNTP.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, CLOCK_FLOOR_MS, SNTP_TIMEOUT_MS } from "../modules/app/app";
import type { DeviceHooks, WifiMessage } from "../modules/app/device-hooks";
import type { TimerHost } from "../modules/client/io";
import type { DerInput } from "../modules/tls/options";
import { AutoServer, FakeClock, MockNetwork } from "./support/mock-net-portable";

const SECRET = "correct-horse-battery";
const certDir = join(__dirname, "..", "certs");
const OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

interface Rig {
  app: App | null;
  lines: string[];
  net: MockNetwork;
  fake: FakeClock;
  clock: TimerHost;
  server: AutoServer;
  wifi: (message: WifiMessage) => void;
  sntpAsked: string[];
  /** Answers the pending SNTP request. */
  answer: (seconds: number | undefined, reason?: string) => void;
  registered: DerInput[];
  joins: number;
  rejoins: number;
  /** The period the heap sampler was started with, if it was. */
  sampling?: number;
}

function rig(config: Record<string, unknown>, options: { clockSet?: boolean; resources?: Record<string, string>; peak?: number } = {}): Rig {
  const fake = new FakeClock(options.clockSet ? Date.UTC(2026, 5, 1) : 5_000);
  let offset = 0;
  const clock: TimerHost = { now: () => fake.now() + offset, set: (cb, ms) => fake.set(cb, ms), clear: (id) => fake.clear(id) };
  const net = new MockNetwork();
  const server = new AutoServer(net, fake, { respond: () => OK });
  const r = { lines: [] as string[], net, fake, clock, server, sntpAsked: [] as string[], registered: [] as DerInput[], joins: 0, rejoins: 0 } as Rig;
  let pending: ((seconds: number | undefined, reason?: string) => void) | null = null;
  r.answer = (seconds, reason) => {
    const p = pending;
    pending = null;
    if (p) p(seconds, reason);
  };
  const resources = options.resources ?? {};
  const hooks: DeviceHooks = {
    log: (line) => r.lines.push(line),
    timers: clock,
    sockets: net,
    config,
    readResource: (name) => resources[name] ?? (name.endsWith(".pem") ? safeRead(name) : undefined),
    registerCa: (der) => r.registered.push(der),
    joinWifi: (ssid, password, onMessage) => {
      r.joins++;
      expect(ssid).toBe(config.ssid);
      expect(password).toBe(config.password ?? "");
      r.wifi = onMessage;
    },
    rejoinWifi: () => r.rejoins++,
    address: () => "192.168.1.50",
    requestTime: (host, done) => {
      r.sntpAsked.push(host);
      pending = done;
    },
    setTime: (seconds) => {
      offset = seconds * 1000 - fake.now();
    },
    memory: () => (r.sampling === undefined ? { systemFree: 123456, chunkUsed: 20000, slotUsed: 30000 } : { chunkUsed: 20000, slotUsed: 30000, peakUsed: options.peak }),
    sampleHeap: (periodMs) => {
      r.sampling = periodMs;
    },
  };
  r.app = App.start(hooks);
  return r;
}

function safeRead(name: string): string | undefined {
  try {
    return readFileSync(join(certDir, name), "utf8");
  } catch {
    return undefined;
  }
}

/** Moves time on until SNTP is asked again (a new request is pending). */
function nextAsk(r: Rig): void {
  const before = r.sntpAsked.length;
  for (let i = 0; i < 600 && r.sntpAsked.length === before; i++) r.fake.advance(1_000);
  expect(r.sntpAsked.length).toBeGreaterThan(before);
}

const BASE = { ssid: "Lab", password: SECRET, targets: "https://example.com/", interval: "10s", caFiles: "isrg-root-x1.pem,gts-root-r1.pem" };
const NOW_S = Date.UTC(2026, 5, 1) / 1000;

test("a configuration error stops start-up with one line naming the key, before Wi-Fi or any socket", () => {
  const r = rig({ ...BASE, interval: "often" });
  expect(r.app).toBeNull();
  expect(r.joins).toBe(0);
  expect(r.net.connects).toEqual([]);
  expect(r.lines[0]).toBe('config error key=interval code=CONFIG_BAD_VALUE message="interval: must be a duration such as 30s, 500ms, 5m or a number of ms, got \\"often\\""');
  expect(r.lines[1]).toMatch(/^app stopped/);
});

/** The lines after the configuration's own `config value` lines. */
const afterConfig = (lines: string[]) => lines.filter((l) => !/^config value /.test(l));

test("a missing or damaged CA file stops start-up naming the file", () => {
  const missing = rig({ ...BASE, caFiles: "nope.pem" });
  expect(missing.joins).toBe(0);
  expect(afterConfig(missing.lines)[0]).toMatch(/key=caFiles .*"nope.pem\\" is not embedded/);
  const damaged = rig({ ...BASE, caFiles: "isrg-root-x1.pem,bad.pem" }, { resources: { "bad.pem": "-----BEGIN CERTIFICATE-----\nMII$\n-----END CERTIFICATE-----\n" } });
  expect(damaged.app).toBeNull();
  expect(damaged.joins).toBe(0);
  expect(afterConfig(damaged.lines)[0]).toMatch(/^ca registered file=isrg-root-x1\.pem/);
  expect(afterConfig(damaged.lines)[1]).toMatch(/key=caFiles .*bad\.pem.*line 2/);
});

test("start-up logs the configuration without the password, each CA with CN, expiry and size, then joins Wi-Fi", () => {
  const r = rig(BASE);
  expect(r.app).not.toBeNull();
  expect(r.lines.join("\n")).not.toContain(SECRET);
  expect(r.lines).toContain('config value text="ssid \\"Lab\\", password set (hidden)"');
  expect(r.lines).toContain("ca registered file=isrg-root-x1.pem cn=\"ISRG Root X1\" expires=2035-06-04 bytes=1391");
  expect(r.lines).toContain("ca registered file=gts-root-r1.pem cn=\"GTS Root R1\" expires=2036-06-22 bytes=1371");
  // Both roots have a subject key identifier: they stay in the store (flash), none is registered as DER.
  expect(r.registered.length).toBe(0);
  expect(r.app!.client.tls.secure.certificate).toBeUndefined();
  expect(r.app!.client.tls.secure.caStore!.size).toBe(2);
  expect(r.lines).toContain("mem heap at=start free=123456 chunk_used=20000 slot_used=30000");
  expect(r.lines[r.lines.length - 1]).toBe("wifi joining ssid=Lab");
  expect(r.joins).toBe(1);
});

test("no TLS with the clock at 1970: SNTP first, server after server, retried; the loop starts once the time is set", () => {
  const r = rig({ ...BASE, sntp: "a.ntp,b.ntp" });
  r.wifi("connect");
  r.wifi("gotIP");
  expect(r.lines).toContain("wifi online address=192.168.1.50");
  expect(r.sntpAsked).toEqual(["a.ntp"]);
  r.answer(undefined, "no DNS");
  expect(r.sntpAsked).toEqual(["a.ntp", "b.ntp"]);
  r.fake.advance(SNTP_TIMEOUT_MS); // b.ntp never answers
  expect(r.lines.filter((l) => l.startsWith("clock sntp-failed")).length).toBe(2);
  expect(r.lines).toContain("clock retry in_ms=2000");
  r.fake.advance(60_000);
  expect(r.net.connects).toEqual([]); // still no time: nothing connected
  const asked = r.sntpAsked.length;
  expect(asked).toBeGreaterThan(2);
  // A server answering with a 1970 time is refused too.
  nextAsk(r);
  r.answer(10);
  expect(r.lines.some((l) => /clock sntp-failed .*before 2025-01-01/.test(l))).toBe(true);
  expect(r.net.connects).toEqual([]);
  nextAsk(r);
  r.answer(NOW_S);
  expect(r.clock.now()).toBeGreaterThanOrEqual(CLOCK_FLOOR_MS);
  expect(r.lines.some((l) => l.startsWith("clock set now=2026-06-01"))).toBe(true);
  r.fake.advance(1_000);
  expect(r.net.connects).toEqual(["example.com:443"]);
  expect(r.app!.waitingForClock).toBe(false);
});

test("a clock already set skips SNTP", () => {
  const r = rig(BASE, { clockSet: true });
  r.wifi("gotIP");
  expect(r.sntpAsked).toEqual([]);
  expect(r.lines.some((l) => l.startsWith("clock ok now=2026-06-01"))).toBe(true);
  r.fake.advance(100);
  expect(r.net.connects).toEqual(["example.com:443"]);
});

test("a Wi-Fi drop pauses the loop (the fetch under way is counted), re-joins with growing delays, and resumes on a new address", () => {
  const r = rig(BASE, { clockSet: true });
  r.wifi("connect");
  r.wifi("gotIP");
  r.fake.advance(20); // the first fetch is under way
  r.wifi("disconnect");
  expect(r.lines).toContain("wifi disconnected ssid=Lab");
  expect(r.lines.some((l) => l.startsWith("loop paused"))).toBe(true);
  r.fake.advance(1_000); // the fetch under way finishes and is counted
  expect(r.app!.loop.fetches).toBe(1);
  const connects = r.net.connects.length;
  r.fake.advance(120_000); // offline: no fetch
  expect(r.net.connects.length).toBe(connects);
  expect(r.rejoins).toBeGreaterThanOrEqual(3);
  expect(r.lines.filter((l) => l.startsWith("wifi rejoin")).slice(0, 3)).toEqual(["wifi rejoin in_ms=2000", "wifi rejoin in_ms=5000", "wifi rejoin in_ms=10000"]);
  r.wifi("connect");
  r.wifi("gotIP");
  expect(r.lines.some((l) => l.startsWith("loop resumed"))).toBe(true);
  r.fake.advance(100);
  expect(r.net.connects.length).toBe(connects + 1);
  expect(r.app!.loop.stats()[0].failures).toBe(0);
  expect(r.lines.some((l) => l.startsWith("mem heap at=after-fetch"))).toBe(true);
});

test("losing only the address also pauses; stop() leaves no timer behind", () => {
  const r = rig(BASE, { clockSet: true });
  r.wifi("gotIP");
  r.fake.advance(1_000);
  r.wifi("lostIP");
  expect(r.app!.loop.paused).toBe(true);
  r.app!.stop();
  expect(r.fake.pending).toBe(0);
});

test("verification off is announced loudly at start", () => {
  const r = rig({ ...BASE, verify: "false" });
  expect(r.lines.some((l) => /^config WARNING code=TLS_VERIFY_OFF/.test(l))).toBe(true);
});

test("JSON log lines", () => {
  const r = rig({ ...BASE, logFormat: "json" });
  const last = JSON.parse(r.lines[r.lines.length - 1]);
  expect(last).toEqual({ event: "wifi.joining", ssid: "Lab" });
  for (const line of r.lines) expect(typeof (JSON.parse(line) as { event?: unknown }).event).toBe("string");
});

test("once the clock is set, an embedded CA that expires soon (or has expired) is reported", () => {
  const r = rig({ ...BASE, caFiles: "digicert-global-root-ca.pem,isrg-root-x1.pem" });
  r.wifi("gotIP");
  r.answer(Date.UTC(2031, 7, 1) / 1000);
  expect(r.lines).toContain('ca WARNING file=digicert-global-root-ca.pem problem="expires on 2031-11-10, within 180 days: plan its replacement"');
  expect(r.lines.filter((l) => l.startsWith("ca WARNING")).length).toBe(1);
});

test("heapSample starts the device's heap sampler and each mem line carries its peak; without it, no sampler", () => {
  const off = rig(BASE);
  expect(off.sampling).toBeUndefined();
  expect(off.lines.find((l) => l.startsWith("mem heap at=start"))).not.toContain("peak_used");
  const on = rig({ ...BASE, heapSample: "2" }, { peak: 61234 });
  expect(on.sampling).toBe(2);
  expect(on.lines).toContain("mem heap at=start chunk_used=20000 slot_used=30000 peak_used=61234");
});
