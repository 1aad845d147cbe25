/**
 * Running the real fetch loop for the integration tests, and its log lines with what varies from
 * run to run made constant.
 */
import { FetchLoop, type FetchLoopOptions } from "../../modules/app/fetch-loop";
import { nodeTimers } from "../../host/node-socket";
import { sleep } from "./socket-run";

/**
 * A fetch line with what varies from run to run made constant: durations become N, the
 * loopback port becomes PORT. Everything else is compared to the letter.
 */
export function shape(line: string): string {
  return line.replace(/\b(ms|connect|tls|ttfb|ms_min|ms_median|ms_max)=\d+/g, "$1=N").replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT");
}


/**
 * Runs a fetch loop until it has finished `count` fetches (or `maxMs` passed), then stops it:
 * whatever happens, no timer or socket of the loop is left. Returns every line it logged.
 */
export async function runLoop(options: Omit<FetchLoopOptions, "timers" | "log">, count: number, maxMs = 10_000): Promise<string[]> {
  const logs: string[] = [];
  const loop = new FetchLoop({ timers: nodeTimers, log: (l) => logs.push(l), ...options });
  const until = Date.now() + maxMs;
  loop.start();
  try {
    while (loop.fetches < count && Date.now() < until) await sleep(5);
  } finally {
    loop.stop();
  }
  return logs;
}

