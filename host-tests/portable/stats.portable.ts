import type { FetchResult } from "../../modules/client/fetch-types";
import { TargetStats } from "../../modules/app/stats";
import { Json, PortableSuite } from "./suite";

function result(ok: boolean, total: number, extra: Partial<FetchResult> = {}): FetchResult {
  const r: FetchResult = { ok, url: "https://example.com/", finalUrl: "https://example.com/", status: ok ? 200 : 0, reason: "", bytes: ok ? 10 : 0, timings: { total }, conn: "new", redirects: 0, retried: false, ...extra };
  if (!ok && !r.error) r.error = { code: "TIMEOUT_IDLE", phase: "timeout", detail: "", hint: "" };
  return r;
}

export const suite: PortableSuite = {
  name: "per-target statistics",
  cases: [
    {
      name: "latency over a window: min, median (even and odd counts), max; failures do not count",
      run: () => {
        const s = new TargetStats("t", 4);
        const out: Json[] = [];
        for (const ms of [50, 10, 30]) s.record(result(true, ms));
        out.push(s.latency() as unknown as Json);
        s.record(result(false, 9999));
        s.record(result(true, 20));
        out.push(s.latency() as unknown as Json);
        s.record(result(true, 100)); // the window drops the oldest sample (50)
        out.push(s.latency() as unknown as Json);
        return out;
      },
      expected: [
        { samples: 3, min: 10, median: 30, max: 50 },
        { samples: 4, min: 10, median: 25, max: 50 },
        { samples: 4, min: 10, median: 25, max: 100 },
      ],
    },
    {
      name: "counters: failures by code in order of appearance, streak, connections, retries",
      run: () => {
        const s = new TargetStats("t");
        s.record(result(false, 1, { error: { code: "B", phase: "response", detail: "", hint: "" }, status: 500 }));
        s.record(result(false, 1));
        s.record(result(false, 1, { error: { code: "B", phase: "response", detail: "", hint: "" }, status: 503 }));
        const streak = s.failureStreak;
        s.record(result(true, 5, { conn: "reused" }));
        s.record(result(true, 5, { retried: true, redirects: 2 }));
        const snap = s.snapshot();
        return { streak, byCode: snap.failuresByCode, keys: Object.keys(snap.failuresByCode), after: snap.failureStreak, opened: snap.connectionsOpened, reused: snap.connectionsReused, retries: snap.retries, redirects: snap.redirects, last: [snap.lastStatus, snap.lastError], bytes: snap.bytes };
      },
      expected: { streak: 3, byCode: { B: 2, TIMEOUT_IDLE: 1 }, keys: ["B", "TIMEOUT_IDLE"], after: 0, opened: 4, reused: 2, retries: 1, redirects: 2, last: [200, ""], bytes: 20 },
    },
  ],
};
