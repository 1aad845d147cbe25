/**
 * Firmware entry: wires the device edge (modules/device) to the start-up and fetch policy
 * (modules/app/app.ts). Everything that decides anything is in the core, where it is tested.
 */
import config from "mc/config";
import { App } from "./modules/app/app";
import { traceLog } from "./modules/device/log";
import { HeapPeakSampler, memory } from "./modules/device/memory";
import { address, requestTime, setTime, WifiStation } from "./modules/device/network";
import { readResource, registerCa } from "./modules/device/resources";
import { DeviceSocketFactory } from "./modules/device/sockets";
import { deviceTimers } from "./modules/device/timers";

traceLog("https-fetch: starting");
const wifi = new WifiStation();
// Started only when the configuration asks for it (heapSample), until then it costs one object.
const sampler = new HeapPeakSampler();
App.start({
  log: traceLog,
  timers: deviceTimers,
  sockets: new DeviceSocketFactory(),
  config: config as Readonly<Record<string, unknown>>,
  readResource,
  registerCa,
  joinWifi: (ssid, password, onMessage) => wifi.join(ssid, password, onMessage),
  rejoinWifi: () => wifi.rejoin(),
  address,
  requestTime,
  setTime,
  memory: () => memory(sampler),
  sampleHeap: (periodMs) => sampler.start(periodMs),
});
