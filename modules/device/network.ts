/**
 * Wi-Fi, address, SNTP and the clock: thin wrappers over `wifi`, `net`, `sntp` and `time`, with
 * the shapes of app/app.ts's DeviceHooks. The policy (when to join, retry, set the clock) is in
 * app/app.ts.
 */
import Net from "net";
import SNTP from "sntp";
import Time from "time";
import WiFi from "wifi";
import type { WifiMessage } from "../app/device-hooks";

/**
 * The station and the credentials to re-join with. An instance, not module variables: this module
 * is preloaded (in flash), where module-level state cannot change.
 */
export class WifiStation {
  /** The station, kept reachable for the whole run. */
  station: WiFi | undefined = undefined;
  private credentials: { ssid: string; password?: string } | undefined = undefined;

  /** Joins a network in station mode; every notification the policy knows goes to `onMessage`. */
  join(ssid: string, password: string, onMessage: (message: WifiMessage) => void): void {
    this.credentials = password === "" ? { ssid } : { ssid, password };
    WiFi.mode = 1; // station
    this.station = new WiFi(this.credentials, (message) => {
      if (message === "connect" || message === "gotIP" || message === "lostIP" || message === "disconnect") onMessage(message);
    });
  }

  /** Asks the station to join again after a drop. */
  rejoin(): void {
    if (this.credentials) WiFi.connect(this.credentials);
  }
}

/** The station's IPv4 address, when it has one. */
export function address(): string | undefined {
  try {
    const ip = Net.get("IP");
    return typeof ip === "string" && ip !== "" ? ip : undefined;
  } catch {
    return undefined;
  }
}

/** One SNTP exchange: `done(seconds)` or `done(undefined, reason)`, once. */
export function requestTime(host: string, done: (seconds: number | undefined, reason?: string) => void): void {
  let settled = false;
  new SNTP({ host }, (message, value) => {
    if (settled) return;
    if (message === SNTP.time) {
      settled = true;
      done(value);
    } else if (message === SNTP.error) {
      settled = true;
      done(undefined, "the SNTP module gave up (no answer or no DNS)");
    }
    // SNTP.retry: the module tries again by itself.
  });
}

/** Sets the system clock (seconds since 1970). */
export function setTime(seconds: number): void {
  Time.set(seconds);
}
