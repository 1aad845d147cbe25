/**
 * The connection engine over the host edge against loopback servers, in one place: servers made
 * from the test PKI, HttpClients on a NodeSocketFactory that trust its root, a fetch as a promise,
 * and a `closeAll()` that leaves no socket, server or idle connection behind (call it after each
 * test; the soak run and the benchmark call it at the end).
 */
import { createServer as createHttpsServer } from "node:https";
import { spawn } from "node:child_process";
import { connect, type AddressInfo } from "node:net";
import type { FetchRequest, FetchResult } from "../../modules/client/fetch-types";
import type { HttpClientOptions } from "../../modules/client/options";
import { HttpClient } from "../../modules/client/http-client";
import { NodeSocketFactory, nodeTimers } from "../../host/node-socket";
import { NodeTlsSocket } from "../../host/node-tls-socket";
import type { NodeSocketOptions, SocketStats } from "../../host/socket-events";
import {
  startHttpServer, startHttpsServer, startOpensslServer,
  type OpensslServer, type ServerBehaviour, type TestServer, type TlsServerConfig,
} from "./test-servers";
import { makeTestPki, type TestCert, type TestPki } from "./test-pki";

/** A Node `https` server (see `EngineHarness.nodeHttps`) with its counters. */
export interface NodeHttpsServer {
  url(path?: string): string;
  /** The test root, PEM, for Node clients (https.Agent, undici). */
  caPem: string;
  /** TCP connections accepted, TLS handshakes completed, requests answered. */
  readonly connections: number;
  readonly handshakes: number;
  readonly requests: number;
  close(): Promise<void>;
}

/** Behaviour of `EngineHarness.nodeHttps`. */
export interface NodeHttpsOptions {
  /** After this many answers on one connection, the next request gets the connection closed, unanswered. */
  dropAfter?: number;
}

/** What `EngineHarness.client` returns. */
export interface HarnessClient {
  client: HttpClient;
  /** The host edge the client connects through (its sockets, their stats). */
  net: NodeSocketFactory;
  /** Lines the client and the host edge logged (TLS warnings, host-edge warnings). */
  logs: string[];
}

/** One fetch as a promise (the engine calls back exactly once). */
export function fetchOnce(client: HttpClient, request: string | FetchRequest): Promise<FetchResult> {
  return new Promise((resolve) => client.fetch(typeof request === "string" ? { url: request } : request, resolve));
}

/** Statistics of the TLS sockets a factory still holds, newest last (e.g. the pooled connection). */
export function tlsStats(net: NodeSocketFactory): SocketStats[] {
  return net.sockets.filter((s): s is NodeTlsSocket => s instanceof NodeTlsSocket).map((s) => s.stats);
}

export class EngineHarness {
  private readonly servers: { close(): Promise<void> }[] = [];
  private readonly factories: NodeSocketFactory[] = [];
  private readonly clients: HttpClient[] = [];
  private made: TestPki | undefined;

  /** The test PKI (after `start()`). */
  get pki(): TestPki {
    if (!this.made) throw new Error("EngineHarness: call start() first");
    return this.made;
  }

  /** Makes the test PKI (about a second). */
  async start(): Promise<this> {
    this.made ??= await makeTestPki();
    return this;
  }

  /** Closes everything and removes the PKI directory. */
  async stop(): Promise<void> {
    await this.closeAll();
    this.made?.cleanup();
    this.made = undefined;
  }

  /** HTTPS with the full chain of `pki.leaf` unless `config` says otherwise. */
  async https(config: Partial<TlsServerConfig> = {}, behaviour: ServerBehaviour = {}): Promise<TestServer> {
    return this.keep(await startHttpsServer({ cert: this.pki.fullChain(this.pki.leaf), key: this.pki.leaf.keyPem, ...config }, behaviour));
  }

  async http(behaviour: ServerBehaviour = {}): Promise<TestServer> {
    return this.keep(await startHttpServer(behaviour));
  }

  /** `openssl s_server -www` with `leaf` (default `pki.leaf`) and the intermediate as its chain. */
  async openssl(args: string[], leaf: TestCert = this.pki.leaf): Promise<OpensslServer> {
    return this.keep(await startOpensslServer(leaf.certPath, leaf.keyPath, args, this.pki.intermediate.certPath));
  }

  /**
   * Node's own HTTPS server answering every GET with `body` (200, Content-Length, keep-alive):
   * head and body leave in one write, so a loopback round trip costs no Nagle delay. For load
   * (soak, benchmark), and for a keep-alive connection dropped as a request arrives (`dropAfter`).
   */
  async nodeHttps(body: string, options: NodeHttpsOptions = {}): Promise<NodeHttpsServer> {
    const counts = { connections: 0, handshakes: 0, requests: 0 };
    const answered = new WeakMap<object, number>();
    const server = createHttpsServer({ cert: this.pki.fullChain(this.pki.leaf), key: this.pki.leaf.keyPem }, (req, res) => {
      counts.requests++;
      const n = answered.get(req.socket) ?? 0;
      if (options.dropAfter !== undefined && n >= options.dropAfter) {
        req.socket.destroy(); // the keep-alive race: the server gave up on the connection as the request came
        return;
      }
      answered.set(req.socket, n + 1);
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
      res.end(body);
    });
    server.on("connection", () => counts.connections++);
    server.on("secureConnection", () => counts.handshakes++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    return this.keep({
      url: (path = "/") => `https://127.0.0.1:${port}${path}`,
      caPem: this.pki.root.certPem,
      get connections() { return counts.connections; },
      get handshakes() { return counts.handshakes; },
      get requests() { return counts.requests; },
      close: () => new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    });
  }

  /**
   * A TCP port that never completes a connection: a child process listens with a backlog of 1,
   * blocks its event loop so it never accepts, and `fill` connections fill its accept queue; the
   * kernel then drops every further SYN, as a host behind a silent firewall does. `close()` ends
   * the child and the fillers.
   */
  async unaccepting(fill = 3): Promise<{ port: number; close(): Promise<void> }> {
    const script = "const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>{" +
      "process.stdout.write(s.address().port+'\\n',()=>Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0));});";
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
      child.once("error", reject);
      child.once("exit", () => reject(new Error("the listener exited")));
    });
    const fillers = Array.from({ length: fill }, () => connect({ host: "127.0.0.1", port }).on("error", () => undefined));
    await new Promise((resolve) => setTimeout(resolve, 50));
    return this.keep({
      port,
      close: async () => {
        for (const f of fillers) f.destroy();
        child.kill("SIGKILL");
        await exited;
      },
    });
  }

  /** Closed by `closeAll()`. */
  keep<T extends { close(): Promise<void> }>(server: T): T {
    this.servers.push(server);
    return server;
  }

  /** A host edge (device profile unless `options` turns it off), closed by `closeAll()`. */
  factory(options: NodeSocketOptions = {}): NodeSocketFactory {
    const f = new NodeSocketFactory(options);
    this.factories.push(f);
    return f;
  }

  /**
   * An HttpClient trusting the test root with the session cache off (trust failures must not be
   * hidden by a resumed session), on a new host edge; CAs beyond the first are registered on the
   * edge, as the device edge registers them with CertificateManager.
   */
  client(options: Partial<HttpClientOptions> = {}, socketOptions: NodeSocketOptions = {}): HarnessClient {
    const logs: string[] = [];
    const net = this.factory({ log: (line) => logs.push(line), ...socketOptions });
    const client = new HttpClient({
      sockets: net, timers: nodeTimers, log: (line) => logs.push(line),
      tls: { caCertificates: [this.pki.root.der], cache: false }, ...options,
    });
    for (const der of client.tls.registerCertificates) net.register(der);
    this.clients.push(client);
    return { client, net, logs };
  }

  /** Closes every idle connection, socket and server made so far. */
  async closeAll(): Promise<void> {
    for (const c of this.clients.splice(0)) c.closeIdle();
    for (const f of this.factories.splice(0)) f.closeAll();
    await Promise.all(this.servers.splice(0).map((s) => s.close()));
  }
}

/**
 * For a jest test file: a harness whose PKI is made once before the file's tests and removed
 * after them, with every server, socket and idle connection closed after each test.
 */
export function engineHarnessPerFile(): EngineHarness {
  const h = new EngineHarness();
  beforeAll(() => h.start(), 60_000);
  afterEach(() => h.closeAll());
  afterAll(() => h.stop());
  return h;
}
