/**
 * For the host-edge test files: the test PKI made once per file, host-edge factories and servers
 * closed after each test, and the device's usual TLS settings.
 */
import type { SecureDictionary } from "../../modules/client/io";
import { NodeSocketFactory } from "../../host/node-socket";
import { startHttpsServer, type ServerBehaviour, type TestServer, type TlsServerConfig } from "./test-servers";
import { makeTestPki, type TestPki } from "./test-pki";

export interface HostEdgeRig {
  /** The test PKI (inside tests and hooks). */
  readonly pki: TestPki;
  /** Servers closed after each test. */
  readonly servers: { close(): Promise<void> }[];
  factory(options?: ConstructorParameters<typeof NodeSocketFactory>[0]): NodeSocketFactory;
  /** HTTPS with the full chain of `pki.leaf` unless `config` says otherwise. */
  https(config?: Partial<TlsServerConfig>, behaviour?: ServerBehaviour): Promise<TestServer>;
  /** The device's usual settings: TLS 1.2, the root CA, no session cache (trust tests). */
  secure(extra?: Partial<SecureDictionary>): SecureDictionary;
}

export function hostEdgeRigPerFile(): HostEdgeRig {
  let made: TestPki | undefined;
  const servers: { close(): Promise<void> }[] = [];
  const factories: NodeSocketFactory[] = [];
  const pki = (): TestPki => {
    if (!made) throw new Error("the test PKI is made in beforeAll");
    return made;
  };
  beforeAll(async () => {
    made = await makeTestPki();
  }, 60_000);
  afterEach(async () => {
    for (const f of factories.splice(0)) f.closeAll();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  afterAll(() => made?.cleanup());
  return {
    get pki() {
      return pki();
    },
    servers,
    factory(options = {}) {
      const f = new NodeSocketFactory(options);
      factories.push(f);
      return f;
    },
    async https(config = {}, behaviour = {}) {
      const s = await startHttpsServer({ cert: pki().fullChain(pki().leaf), key: pki().leaf.keyPem, ...config }, behaviour);
      servers.push(s);
      return s;
    },
    secure(extra = {}) {
      return { protocolVersion: 0x303, verify: true, cache: false, certificate: pki().root.der, ...extra } as SecureDictionary;
    },
  };
}
