/**
 * The reference for the heap benchmark: the Moddable SDK's own `examples/network/http/httpsget`,
 * copied at run time into a temporary folder (nothing of the SDK is kept in this repository) and
 * pointed at a loopback server. Its request is the example's own (`http` Request over
 * SecureSocket, a new connection each time, `response: String`); what changes is only what a
 * local run needs: the host and port, the test root as `secure.certificate` instead of the SDK
 * store's ca67, a run of `count` requests one after another, and the same `mem heap` lines
 * (Debug.gc() first) as this firmware's, so both are measured the same way.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import { join } from "node:path";
import type { Sdk } from "./firmware";

export interface HttpsgetOptions {
  host: string;
  port: number;
  /** The root that anchors the server's chain (PEM). */
  rootPem: string;
  count: number;
  /** Sample the heap every this many ms for `peak_used`, as the firmware's heapSample does (0: not). */
  sampleMs?: number;
}

/** Writes the adapted example into `dir`; returns its manifest's path. */
export function writeHttpsget(sdk: Sdk, dir: string, options: HttpsgetOptions): string {
  const example = join(sdk.moddable, "examples", "network", "http", "httpsget");
  mkdirSync(dir, { recursive: true });
  // The original, kept beside the adaptation for whoever compares them.
  copyFileSync(join(example, "main.js"), join(dir, "original-main.js"));
  const manifest = JSON.parse(readFileSync(join(example, "manifest.json"), "utf8")) as {
    include: string[];
    resources?: Record<string, string[]>;
    config?: Record<string, unknown>;
  };
  manifest.include.push("$(MODULES)/base/debug/manifest.json", "$(MODULES)/base/instrumentation/manifest.json");
  manifest.resources = { "*": ["./root"] };
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest, null, "\t"));
  writeFileSync(join(dir, "root.der"), new X509Certificate(options.rootPem).raw);
  writeFileSync(join(dir, "main.js"), mainJs(options));
  return join(dir, "manifest.json");
}

function mainJs(o: HttpsgetOptions): string {
  return `import {Request} from "http";
import SecureSocket from "securesocket";
import Resource from "Resource";
import Debug from "debug";
import Instrumentation from "instrumentation";
import Timer from "timer";

const CHUNK = Instrumentation.map("XS Chunk Heap Used");
const SLOT = Instrumentation.map("XS Slot Heap Used");
// The firmware's HeapPeakSampler (modules/device/memory.ts, config heapSample), the same way.
let peak = 0;
function sample() {
	const used = Instrumentation.get(CHUNK) + Instrumentation.get(SLOT);
	if (used > peak) peak = used;
}
${o.sampleMs ? `Timer.repeat(sample, ${o.sampleMs});` : ""}

function heap(at) {
	sample();
	const peakUsed = peak;
	peak = 0;
	Debug.gc();
	trace(\`mem heap at=\${at} chunk_used=\${Instrumentation.get(CHUNK)} slot_used=\${Instrumentation.get(SLOT)}${o.sampleMs ? " peak_used=\${peakUsed}" : ""}\\n\`);
}

let n = 0;
function fetch() {
	const started = Date.now();
	let status = 0;
	let request = new Request({host: ${JSON.stringify(o.host)}, path: "/", response: String,
		port: ${o.port}, Socket: SecureSocket, secure: {certificate: new Resource("root.der")}});
	request.callback = function(message, value) {
		if (Request.status === message)
			status = value;
		else if (Request.responseComplete === message || Request.error === message) {
			request = undefined;
			trace(\`fetch #\${++n} status=\${status} ms=\${Date.now() - started}\${Request.error === message ? " error" : ""}\\n\`);
			Timer.set(() => {
				heap("after-fetch");
				if (n < ${o.count}) fetch();
				else trace("bench done\\n");
			}, 0);
		}
	}
}

heap("start");
fetch();
`;
}
