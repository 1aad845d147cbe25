/**
 * Example: another Moddable app using this project's client through manifest_client.json.
 *
 * It GETs a small resource, POSTs a JSON reading with an Authorization header and reads the JSON
 * answer, then uploads 100 KB produced piece by piece and downloads 1 MB consumed piece by piece,
 * logging each result (or the decoded error) and the heap after `Debug.gc()` after each step.
 *
 * Configure with mcconfig: `url=https://host:port` (the server; `npm run demo-server` serves
 * https://127.0.0.1:8443), `token=...`, `ca=root.pem` (an embedded PEM file), and, on an ESP32,
 * `ssid=... password=...` (manifest_net.json joins Wi-Fi and sets the clock before this runs).
 */
import config from "mc/config";
import Debug from "debug";
import Instrumentation from "instrumentation";
import Timer from "timer";
import { createDeviceClient } from "modules/device/client";
import { FetchError, FetchResponse } from "modules/client/fetch-api";
import type { StreamBody } from "modules/http/body";

const settings = config as unknown as { url?: string; token?: string; ca?: string };
const base = settings.url ?? "https://127.0.0.1:8443";
const { fetch } = createDeviceClient({ caFiles: [settings.ca ?? "root.pem"], timeouts: { total: 60_000 } });

/** Heap in use after a collection (debug builds): chunk + slot bytes, as the heap benchmark counts. */
function heap(): string {
  Debug.gc();
  const chunk = Instrumentation.get(Instrumentation.map("XS Chunk Heap Used") as number) ?? 0;
  const slot = Instrumentation.get(Instrumentation.map("XS Slot Heap Used") as number) ?? 0;
  return `chunk=${chunk} slot=${slot} sum=${chunk + slot}`;
}

/** Logs the heap on the next turn (never inside a socket callback), once per label. */
function heapSoon(label: string, done: string[]): void {
  if (done.indexOf(label) >= 0) return;
  done.push(label);
  Timer.set(() => trace(`example heap at=${label} ${heap()}\n`), 0);
}

/** A body of `total` bytes made piece by piece, as a sensor log or a file would be read. */
function generated(total: number, measured: string[]): StreamBody {
  let sent = 0;
  return {
    length: total,
    read(max: number): Uint8Array | null {
      for (const part of [10, 50, 90]) if (sent >= (total * part) / 100) heapSoon(`upload-${part}%`, measured);
      if (sent >= total) return null;
      const piece = new Uint8Array(Math.min(max, total - sent));
      for (let i = 0; i < piece.length; i++) piece[i] = 48 + ((sent + i) % 10);
      sent += piece.length;
      return piece;
    },
  };
}

function failed(step: string, e: unknown): void {
  if (e instanceof FetchError) trace(`example ${step} error=${e.code} phase=${e.phase} detail="${e.detail}" hint="${e.hint}"\n`);
  else trace(`example ${step} error ${String(e)}\n`);
}

async function run(): Promise<void> {
  trace(`example heap at=start ${heap()}\n`);
  const measured: string[] = [];
  const auth = { Authorization: `Bearer ${settings.token ?? "demo-token"}` };
  try {
    const r = await fetch(`${base}/status`, { headers: auth });
    trace(`example get status=${r.status} bytes=${r.result.bytes}\n`);
  } catch (e) {
    failed("get", e);
  }
  trace(`example heap at=after-get ${heap()}\n`);
  try {
    const r: FetchResponse = await fetch(`${base}/telemetry`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...auth },
      body: JSON.stringify({ device: "example", temperature: 21.5 }),
    });
    const answer = (await r.json()) as { bytes?: number };
    trace(`example post status=${r.status} server_saw_bytes=${answer.bytes} conn=${r.result.conn} ms=${r.result.timings.total}\n`);
  } catch (e) {
    failed("post", e);
  }
  trace(`example heap at=after-post ${heap()}\n`);
  try {
    const r = await fetch(`${base}/upload`, { method: "PUT", body: generated(100 * 1024, measured), headers: auth });
    trace(`example upload status=${r.status} ${await r.text()}\n`);
  } catch (e) {
    failed("upload", e);
  }
  trace(`example heap at=after-upload ${heap()}\n`);
  try {
    let bytes = 0;
    const r = await fetch(`${base}/large/1048576`, {
      onBody: (piece) => {
        bytes += piece.length;
        for (const part of [10, 50, 90]) if (bytes >= (1048576 * part) / 100) heapSoon(`download-${part}%`, measured);
      },
    });
    trace(`example download status=${r.status} bytes=${bytes}\n`);
  } catch (e) {
    failed("download", e);
  }
  trace(`example heap at=after-download ${heap()}\n`);
  trace("example done\n");
}

// On the next turn: the host's network setup (manifest_net) has finished by then.
Timer.set(() => void run(), 0);
