/**
 * The client for other Moddable apps: an HttpClient on the device's sockets and timers, trusting
 * the CAs of embedded PEM files, with an optional client certificate for mutual TLS, and a
 * `fetch()` over it. Include `manifest_client.json` and:
 *
 *   import { createDeviceClient } from "modules/device/client";
 *   const { fetch } = createDeviceClient({ caFiles: ["isrg-root-x1.pem"] });
 *   fetch("https://example.com/api", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })
 *     .then((r) => r.json());
 *
 * Wi-Fi must be up and the clock set before the first https fetch (certificate dates are checked
 * against it): `$(MODDABLE)/examples/manifest_net.json` does both before `main` on an ESP32.
 * Everything is checked here, before any socket opens: a missing or unusable file throws a
 * ConfigError naming the option (`caFiles`, `clientCertificate`, `clientKey`).
 */
import { ConfigError } from "../base/config-error";
import { createFetch, FetchFunction } from "../client/fetch-api";
import { HttpClient } from "../client/http-client";
import type { HttpClientOptions } from "../client/options";
import { loadClientIdentity } from "../tls/client-identity";
import type { TlsUserOptions } from "../tls/options";
import { trustCaFiles } from "../tls/ca-store";
import { readResource, registerCa } from "./resources";
import { DeviceSocketFactory } from "./sockets";
import { deviceTimers } from "./timers";

export interface DeviceClientOptions extends Omit<HttpClientOptions, "sockets" | "timers" | "tls"> {
  /** Embedded PEM files (data resources) whose certificates are trusted. */
  caFiles?: string[];
  /** Embedded PEM file with the client certificate (RSA, chain leaf first), for mutual TLS. */
  clientCertificate?: string;
  /** Embedded PEM file with its private key (PKCS#8 or PKCS#1, not encrypted). */
  clientKey?: string;
  /** TLS options other than the certificates (version, verify, cache, maxFragmentLength, alpn, serverName, trace). */
  tls?: Omit<TlsUserOptions, "caCertificates" | "caStore" | "clientCertificates" | "clientKey">;
}

export interface DeviceClient {
  client: HttpClient;
  fetch: FetchFunction;
}

function text(option: string, file: string): string {
  const t = readResource(file);
  if (t === undefined) throw new ConfigError("CONFIG_BAD_VALUE", option, `"${file}" is not embedded in the firmware: add it to the manifest's data section`);
  return t;
}


/** Builds the client (throws ConfigError for bad options or files) and registers its CAs. */
export function createDeviceClient(options: DeviceClientOptions = {}): DeviceClient {
  const { caFiles, clientCertificate, clientKey, tls, ...rest } = options;
  // The CA files are read as the firmware reads them (modules/tls/ca-store.ts): a root the stack
  // cannot use is left out, the others stay in flash and are decoded when a handshake needs one.
  const cas = trustCaFiles(caFiles ?? [], (file) => readResource(file));
  const user: TlsUserOptions = { ...(tls ?? {}), caStore: cas.store, caCertificates: cas.unindexed.map((ca) => ca.der) };
  if (clientCertificate !== undefined || clientKey !== undefined) {
    if (clientCertificate === undefined || clientKey === undefined) {
      throw new ConfigError("CONFIG_CLIENT_AUTH_INCOMPLETE", clientCertificate === undefined ? "clientCertificate" : "clientKey", "clientCertificate and clientKey go together");
    }
    const identity = loadClientIdentity(clientCertificate, text("clientCertificate", clientCertificate), clientKey, text("clientKey", clientKey));
    user.clientCertificates = identity.certificates;
    user.clientKey = identity.key;
  }
  const client = new HttpClient({ ...rest, sockets: new DeviceSocketFactory(), timers: deviceTimers, tls: user });
  // A root without a key identifier goes with each connection, or is registered once.
  for (const der of client.tls.registerCertificates) registerCa(der);
  return { client, fetch: createFetch(client) };
}
