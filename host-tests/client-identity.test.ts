/** The client identity for mutual TLS: certificate chain and key from PEM, checked at start-up. */
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../modules/base/config-error";
import { loadClientIdentity } from "../modules/tls/client-identity";

const dir = join(__dirname, "..", "host", "fixtures", "sim-client");
const pem = (name: string) => readFileSync(join(dir, name), "utf8");

function refusal(certFile: string, certText: string, keyFile: string, keyText: string): { code: string; option: string; message: string } {
  try {
    loadClientIdentity(certFile, certText, keyFile, keyText);
  } catch (e) {
    if (e instanceof ConfigError) return { code: e.code, option: e.option, message: e.message };
    throw e;
  }
  throw new Error("not refused");
}

describe("loadClientIdentity", () => {
  test("an RSA certificate and its PKCS#8 key: the DER SecureSocket takes", () => {
    const id = loadClientIdentity("client.pem", pem("client.pem"), "client.key", pem("client.key"));
    expect(id.certificates).toHaveLength(1);
    expect(id.leaf.subject.text).toContain("device-1");
    const expected = createPrivateKey(pem("client.key")).export({ format: "der", type: "pkcs8" });
    expect(Buffer.from(id.key).equals(expected)).toBe(true);
  });

  test("a PKCS#1 key (RSA PRIVATE KEY) is wrapped into the same PKCS#8 bytes", () => {
    const id = loadClientIdentity("client.pem", pem("client.pem"), "client-pkcs1.key", pem("client-pkcs1.key"));
    const expected = createPrivateKey(pem("client.key")).export({ format: "der", type: "pkcs8" });
    expect(Buffer.from(id.key).equals(expected)).toBe(true);
  });

  test("certificate and key in one file; a chain keeps its order, leaf first", () => {
    const both = pem("client.pem") + pem("client-ca.pem") + pem("client.key");
    const id = loadClientIdentity("device.pem", both, "device.pem", both);
    expect(id.certificates).toHaveLength(2);
    expect(id.leaf.subject.text).toContain("device-1");
  });

  test("a key that is not the certificate's is refused, naming both files and no key bytes", () => {
    const r = refusal("client.pem", pem("client.pem"), "other.key", pem("other.key"));
    expect(r).toMatchObject({ code: "CONFIG_CLIENT_KEY_MISMATCH", option: "clientKey" });
    expect(r.message).toContain('"other.key" is not the key of the certificate in "client.pem"');
    const body = pem("other.key").split("\n")[1];
    expect(r.message).not.toContain(body.slice(0, 16));
  });

  test("EC certificates and keys are refused: SecureSocket signs CertificateVerify with RSA only", () => {
    expect(refusal("client-ec.pem", pem("client-ec.pem"), "client-ec.key", pem("client-ec.key"))).toMatchObject({ code: "CONFIG_CLIENT_KEY_UNSUPPORTED", option: "clientCertificate" });
    expect(refusal("client.pem", pem("client.pem"), "client-ec.key", pem("client-ec.key"))).toMatchObject({ code: "CONFIG_CLIENT_KEY_UNSUPPORTED", option: "clientKey" });
    const sec1 = createPrivateKey(pem("client-ec.key")).export({ format: "pem", type: "sec1" }) as string;
    expect(refusal("client.pem", pem("client.pem"), "ec.key", sec1)).toMatchObject({ code: "CONFIG_CLIENT_KEY_UNSUPPORTED", option: "clientKey" });
  });

  test("an encrypted key is refused with the command that decrypts it", () => {
    const r = refusal("client.pem", pem("client.pem"), "client-encrypted.key", pem("client-encrypted.key"));
    expect(r.code).toBe("CONFIG_CLIENT_KEY_UNSUPPORTED");
    expect(r.message).toContain("openssl pkcs8 -topk8 -nocrypt");
  });

  test("files without the expected blocks, damaged PEM, two keys", () => {
    expect(refusal("client.key", pem("client.key"), "client.key", pem("client.key"))).toMatchObject({ code: "CONFIG_BAD_VALUE", option: "clientCertificate" });
    expect(refusal("client.pem", pem("client.pem"), "client.pem", pem("client.pem"))).toMatchObject({ code: "CONFIG_BAD_VALUE", option: "clientKey" });
    expect(refusal("client.pem", pem("client.pem"), "k", "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----\n")).toMatchObject({ option: "clientKey" });
    expect(refusal("client.pem", pem("client.pem"), "k", pem("client.key") + pem("other.key")).message).toContain("2 private keys");
    expect(refusal("client.pem", "not pem", "client.key", pem("client.key"))).toMatchObject({ option: "clientCertificate" });
    // A truncated key body: readable base64, broken DER.
    const lines = pem("client.key").split("\n");
    const cut = [lines[0], ...lines.slice(1, 6), lines[lines.length - 2], ""].join("\n");
    expect(refusal("client.pem", pem("client.pem"), "k", cut)).toMatchObject({ code: "CONFIG_BAD_VALUE", option: "clientKey" });
  });
});
