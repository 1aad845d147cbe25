/**
 * Supplies the root a handshake asks for from the firmware's CA store (modules/tls/ca-store.ts).
 *
 * SecureSocket's certificate manager (ssl_cert.js) finds a chain's root in two places: the CAs
 * registered as DER (kept in the heap for the whole run), and its own store, `findCert("ca.ski",
 * keyId)`, which looks the chain's authority key identifier up in the `ca.ski` index and reads
 * `ca<N>.der`. This answers that same lookup from the firmware's store first: the matching PEM
 * is decoded now (not parsed: its dates come from the store's index), checked for dates as the
 * SDK checks its own, and dropped after the handshake
 * (the session deletes its certificate manager). A key identifier the store does not know goes
 * on to the SDK's own store, so its diagnosis ("Resource not found: caN.der") is unchanged.
 */
/// <reference path="./sdk-extra.d.ts" />
import X509 from "x509";
import type { CaStore } from "../tls/ca-store";

interface CertificateManagerInternals {
  findCert(fname: string, keyId: ArrayBuffer | undefined): object | undefined;
}

/** Makes the connection's certificate manager ask `store` first for a root by key identifier. */
export function supplyRoots(secureSocket: object, store: CaStore): void {
  const manager = (secureSocket as { ssl?: { certificateManager?: CertificateManagerInternals } }).ssl?.certificateManager;
  if (!manager) return;
  const sdkStore = manager.findCert;
  // defineProperty, not assignment: the preloaded prototype is frozen, and assigning over a
  // frozen inherited property throws.
  Object.defineProperty(manager, "findCert", {
    value: (fname: string, keyId: ArrayBuffer | undefined): object | undefined => {
      const ca = keyId === undefined ? undefined : store.findRoot(new Uint8Array(keyId));
      if (!ca) return sdkStore.call(manager, fname, keyId);
      const now = Date.now();
      if (!(ca.notBefore < now && now < ca.notAfter)) {
        trace(`date validation failed on certificate resource ${ca.file}\n`);
        return undefined;
      }
      const der = ca.der;
      return X509.decodeSPKI(der.byteOffset === 0 && der.byteLength === der.buffer.byteLength ? der.buffer : der.slice().buffer);
    },
  });
}
