/**
 * Local servers for trying requests with bodies and mutual TLS with `npm start -- --config ...`
 * (`npm run demo-server`), on 127.0.0.1 with the simulator's loopback PKI (host/fixtures/sim-pki):
 *
 * - https://127.0.0.1:8443/telemetry answers 200 only to a request with
 *   `Authorization: Bearer demo-token` and, for POST/PUT/PATCH, a JSON body sent as
 *   application/json (else 401 or 400); config: examples/config/post-json.json.
 * - https://127.0.0.1:8444/ requires a client certificate issued by the simulator's client CA
 *   (host/fixtures/sim-client); config: examples/config/mtls.json.
 *
 * Each request is printed with its method, path, body size and client certificate; header values
 * are not printed. Ctrl-C stops both.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startBodyServer } from "../host-tests/support/body-server";

const root = join(__dirname, "..", "host", "fixtures");
const pem = (dir: string, name: string) => readFileSync(join(root, dir, name), "utf8");

export const DEMO_TOKEN = "Bearer demo-token";

async function main(): Promise<void> {
  const tls = { cert: pem("sim-pki", "leaf.pem") + pem("sim-pki", "intermediate.pem"), key: pem("sim-pki", "leaf.key") };
  const post = await startBodyServer({ tls, requireAuthorization: DEMO_TOKEN, requireJson: true, port: 8443 });
  const mtls = await startBodyServer({ tls: { ...tls, clientCa: pem("sim-client", "client-ca.pem") }, port: 8444 });
  console.log(`demo: ${post.url("/telemetry")} (Authorization: ${DEMO_TOKEN.split(" ")[0]} <token>, JSON body)`);
  console.log(`demo: ${mtls.url("/")} (client certificate from the simulator's client CA)`);
  let shown = [0, 0];
  const timer = setInterval(() => {
    [post, mtls].forEach((s, i) => {
      for (const r of s.requests.slice(shown[i])) {
        console.log(`demo: ${r.method} ${r.path} bytes=${r.bytes}${r.clientCn ? ` client=${r.clientCn}` : ""} authorization=${r.headers.authorization ? "present" : "absent"}`);
      }
      for (const e of s.tlsErrors.splice(0)) console.log(`demo: TLS handshake failed: ${e}`);
    });
    shown = [post.requests.length, mtls.requests.length];
  }, 200);
  const stop = () => {
    clearInterval(timer);
    void Promise.all([post.close(), mtls.close()]);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (require.main === module) void main();
