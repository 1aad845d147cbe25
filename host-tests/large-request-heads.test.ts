/**
 * Request heads beyond one write: a 3 KB `Authorization: Bearer <JWT>` (common for cloud IoT
 * endpoints) and heads up to the 8 KB limit go out in pieces that never exceed what the socket's
 * `write()` reports, over the host edge's TLS (which reports space as SecureSocket does: the TCP
 * socket's write space minus 128) and plain TCP.
 */
import { engineHarnessPerFile, fetchOnce } from "./support/engine-harness";
import { MAX_REQUEST_HEAD_BYTES } from "../modules/http/request";

jest.setTimeout(20_000);

const h = engineHarnessPerFile();

/** A JWT-shaped bearer token of `n` characters. */
const token = (n: number) => `eyJhbGciOiJSUzI1NiJ9.${"x".repeat(Math.max(0, n - 20))}`.slice(0, n);

describe.each([["TLS", true], ["plain TCP", false]])("%s", (_name, tls) => {
  test.each([3 * 1024, 6 * 1024, MAX_REQUEST_HEAD_BYTES - 400])("a %i-byte Authorization header is sent whole", async (size) => {
    const server = tls ? await h.https() : await h.http();
    const { client } = h.client();
    const value = `Bearer ${token(size)}`;
    const result = await fetchOnce(client, { url: server.url("/"), headers: { Authorization: value } });
    expect(result.error?.code).toBeUndefined();
    expect(result.status).toBe(200);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toContain(`\r\nAuthorization: ${value}`);
  });

  test("a head over the limit is refused before anything is sent, without quoting the secret", async () => {
    const server = tls ? await h.https() : await h.http();
    const { client } = h.client();
    const secret = token(MAX_REQUEST_HEAD_BYTES);
    const result = await fetchOnce(client, { url: server.url("/"), headers: { Authorization: `Bearer ${secret}` } });
    expect(result.error?.code).toBe("REQUEST_HEAD_TOO_LARGE");
    expect(result.conn).toBe("none");
    expect(JSON.stringify(result.error)).not.toContain(secret.slice(0, 40));
    expect(server.connections).toBe(0);
  });
});
