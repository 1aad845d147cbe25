/**
 * The record-layer reader of the host edge: the same facts whatever way the bytes are cut.
 */
import { parseCertificateList, RecordReader, RECORD_TYPE } from "../host/tls-records";
import { seededRandom } from "./support/feed";

function record(type: number, payload: number[]): number[] {
  return [type, 3, 3, payload.length >> 8, payload.length & 255, ...payload];
}

function u24(n: number): number[] {
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** A Certificate handshake message holding fake "certificates" of the given sizes. */
function certificateMessage(sizes: number[]): number[] {
  const list: number[] = [];
  sizes.forEach((size, i) => list.push(...u24(size), ...new Array(size).fill(0x30 + i)));
  const body = [...u24(list.length), ...list];
  return [11, ...u24(body.length), ...body];
}

/** ServerHello (dummy body), a Certificate spread over two records, a warning alert, CCS, data. */
function serverStream(): Uint8Array {
  const hello = [2, ...u24(4), 3, 3, 0, 0];
  const cert = certificateMessage([300, 120]);
  const firstPart = cert.slice(0, 200);
  const rest = cert.slice(200);
  return new Uint8Array([
    ...record(RECORD_TYPE.handshake, [...hello, ...firstPart]),
    ...record(RECORD_TYPE.handshake, rest),
    ...record(RECORD_TYPE.alert, [1, 112]),
    ...record(RECORD_TYPE.changeCipherSpec, [1]),
    ...record(RECORD_TYPE.alert, [9, 9]), // encrypted: not an alert to read
    ...record(RECORD_TYPE.applicationData, new Array(700).fill(7)),
  ]);
}

function readAll(bytes: Uint8Array, cuts: number[]) {
  const alerts: string[] = [];
  const chains: number[][] = [];
  const reader = new RecordReader({
    alert: (level, description) => alerts.push(`${level},${description}`),
    certificates: (chain) => chains.push(chain.map((c) => c.length)),
  });
  let at = 0;
  for (const cut of cuts) {
    reader.push(bytes.subarray(at, cut));
    at = cut;
  }
  reader.push(bytes.subarray(at));
  return { alerts, chains, max: reader.maxRecordLength, records: reader.records, malformed: reader.malformed, encrypted: reader.encrypted };
}

describe("RecordReader", () => {
  const bytes = serverStream();
  const whole = readAll(bytes, []);

  test("reads records, the chain as sent, plaintext alerts; stops reading after ChangeCipherSpec", () => {
    expect(whole).toEqual({ alerts: ["1,112"], chains: [[300, 120]], max: 700, records: 6, malformed: false, encrypted: true });
  });

  test("the same facts byte by byte and at random cuts", () => {
    const everyByte = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect(readAll(bytes, everyByte)).toEqual(whole);
    for (let seed = 1; seed <= 20; seed++) {
      const rnd = seededRandom(seed);
      const cuts = Array.from({ length: 6 }, () => Math.floor(rnd() * bytes.length)).sort((a, b) => a - b);
      expect(readAll(bytes, cuts)).toEqual(whole);
    }
  });

  test("bytes that are not TLS mark the stream malformed and stop the reader", () => {
    const r = readAll(new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n\r\n"), []);
    expect(r.malformed).toBe(true);
    expect(r.records).toBe(0);
  });

  test("parseCertificateList refuses lengths that run past the message", () => {
    const body = new Uint8Array(certificateMessage([10]).slice(4));
    expect(parseCertificateList(body)?.map((c) => c.length)).toEqual([10]);
    expect(parseCertificateList(body.subarray(0, body.length - 1))).toBeUndefined();
  });
});
