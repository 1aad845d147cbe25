/** Embedded data and the CA store: resources as text, and CA registration with `ssl/cert`. */
/// <reference path="./sdk-extra.d.ts" />
import Resource from "Resource";
import CertificateManager from "ssl/cert";
import type { DerInput } from "../tls/options";

/** The text of an embedded resource (PEM), or undefined when the firmware has none of that name. */
export function readResource(name: string): string | undefined {
  if (!Resource.exists(name)) return undefined;
  // Read in place: String.fromArrayBuffer takes the resource's host buffer (mapped flash), so the
  // only copy in the heap is the string itself (a slice first would copy the file twice).
  return String.fromArrayBuffer(new Resource(name) as unknown as ArrayBuffer);
}

/** Trusts a CA (DER) for every TLS connection. */
export function registerCa(der: DerInput): void {
  CertificateManager.register(der as ArrayBuffer | Uint8Array);
}
