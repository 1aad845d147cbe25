import fc from "fast-check";
import { latin1Bytes, concatBytes } from "../modules/base/bytes";
import { HttpParseError } from "../modules/http/errors";
import { ResponseParser, ResponseHandler } from "../modules/http/response";
import { feedAllWays, transcribe } from "./support/feed";

function recorder() {
  const events: string[] = [];
  const handler: ResponseHandler = {
    onHead: (h, f) => events.push(`head ${h.status} ${f.kind}`),
    onBody: (d) => events.push(`body ${d.length}`),
    onComplete: (k) => events.push(`complete ${k}`),
  };
  return { events, handler };
}

describe("ResponseParser behaviour beyond the case table", () => {
  test("body pieces are views of the input, not copies", () => {
    const input = latin1Bytes("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody");
    const seen: Uint8Array[] = [];
    const p = new ResponseParser({ onHead: () => {}, onBody: (d) => seen.push(d), onComplete: () => {} });
    p.expectResponseTo("GET");
    p.push(input);
    expect(seen).toHaveLength(1);
    expect(seen[0].buffer).toBe(input.buffer);
    expect(seen[0].byteOffset).toBe(input.length - 4);
  });

  test("a response to HEAD in the middle of a pipeline is framed by its own request", () => {
    const text =
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab" +
      "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n" +
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc";
    expect(feedAllWays(text, { methods: ["GET", "head", "GET"] })).toEqual([
      "head 1.1 200 OK framing=length length=2 keepAlive=true", "  Content-Length: 2", "body ab", "complete keepAlive=true",
      "head 1.1 200 OK framing=none length=-1 keepAlive=true", "  Content-Length: 9", "complete keepAlive=true",
      "head 1.1 200 OK framing=length length=1 keepAlive=true", "  Content-Length: 1", "body c", "complete keepAlive=true",
    ]);
  });

  test("after an error the parser stays failed and rethrows the same error", () => {
    const { handler } = recorder();
    const p = new ResponseParser(handler);
    p.expectResponseTo("GET");
    let first: unknown;
    try { p.push(latin1Bytes("NOPE\r\n")); } catch (e) { first = e; }
    expect(first).toBeInstanceOf(HttpParseError);
    expect(() => p.push(latin1Bytes("HTTP/1.1 200 OK\r\n"))).toThrow(first as Error);
    expect(() => p.finish()).toThrow(first as Error);
  });

  test("push after finish is a typed error", () => {
    const { handler } = recorder();
    const p = new ResponseParser(handler);
    p.finish();
    expect(() => p.push(Uint8Array.of(1))).toThrow(expect.objectContaining({ code: "PARSER_FINISHED" }));
  });

  test("responseStarted, pendingResponses and idle tell a stale keep-alive close from a cut response", () => {
    const { handler } = recorder();
    const p = new ResponseParser(handler);
    expect(p.idle).toBe(true);
    p.expectResponseTo("GET");
    p.expectResponseTo("GET");
    expect(p.idle).toBe(false);
    expect(p.pendingResponses).toBe(2);
    p.push(latin1Bytes("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"));
    expect(p.pendingResponses).toBe(1);
    expect(p.responseStarted).toBe(false);
    p.push(latin1Bytes("H"));
    expect(p.responseStarted).toBe(true);
    expect(p.idle).toBe(false);
    expect(p.offset).toBe(40);
    p.push(latin1Bytes("TTP/1.1 204 No Content\r\n\r\n"));
    expect(p.pendingResponses).toBe(0);
    expect(p.responseStarted).toBe(false);
    expect(p.idle).toBe(true);
  });

  test("an idle parser refuses the first byte of anything: no request, no response", () => {
    const { events, handler } = recorder();
    const p = new ResponseParser(handler);
    p.expectResponseTo("GET");
    p.push(latin1Bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
    expect(p.idle).toBe(true);
    expect(() => p.push(latin1Bytes("H"))).toThrow(expect.objectContaining({ code: "UNSOLICITED_RESPONSE", offset: 38 }));
    expect(events).toEqual(["head 200 length", "complete true"]);
  });

  test("the queue of expected responses is reused, not grown, across many requests", () => {
    const { handler } = recorder();
    const p = new ResponseParser(handler);
    const one = latin1Bytes("HTTP/1.1 204 No Content\r\n\r\n");
    for (let i = 0; i < 1000; i++) {
      p.expectResponseTo("GET");
      p.push(one);
    }
    expect((p as unknown as { pendingMethods: string[] }).pendingMethods.length).toBeLessThanOrEqual(1);
    expect(p.pendingResponses).toBe(0);
  });

  test("limits must be positive integers", () => {
    const { handler } = recorder();
    expect(() => new ResponseParser(handler, { maxHeaderBytes: 0 })).toThrow(/maxHeaderBytes/);
    expect(() => new ResponseParser(handler, { maxChunkLineBytes: 1.5 })).toThrow(/maxChunkLineBytes/);
  });

  test("a long chunk extension line is bounded", () => {
    const text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + "e".repeat(5000);
    expect(feedAllWays(text, { maxChunkLineBytes: 100, eof: false })).toEqual([
      "head 1.1 200 OK framing=chunked length=-1 keepAlive=true", "  Transfer-Encoding: chunked", "error BAD_CHUNK_SIZE @47",
    ]);
  });
});

describe("properties", () => {
  const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/);
  const value = fc.stringMatching(/^[!-~]([ -~]{0,30}[!-~])?$/);
  const responseArb = fc.record({
    status: fc.integer({ min: 200, max: 599 }).filter((s) => s !== 204 && s !== 304),
    headers: fc.array(fc.tuple(token, value).filter(([n]) => !/^(content-length|transfer-encoding|connection)$/i.test(n)), { maxLength: 10 }),
    body: fc.uint8Array({ maxLength: 300 }),
    chunked: fc.boolean(),
    chunkSizes: fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 10 }),
  });

  function encode(r: { status: number; headers: [string, string][]; body: Uint8Array; chunked: boolean; chunkSizes: number[] }): Uint8Array {
    let head = `HTTP/1.1 ${r.status} Reason\r\n`;
    for (const [n, v] of r.headers) head += `${n}: ${v}\r\n`;
    if (!r.chunked) return concatBytes([latin1Bytes(`${head}Content-Length: ${r.body.length}\r\n\r\n`), r.body]);
    const parts = [latin1Bytes(`${head}Transfer-Encoding: chunked\r\n\r\n`)];
    let at = 0;
    let i = 0;
    while (at < r.body.length) {
      const n = Math.min(r.chunkSizes[i++ % r.chunkSizes.length], r.body.length - at);
      parts.push(latin1Bytes(`${n.toString(16)}\r\n`), r.body.subarray(at, at + n), latin1Bytes("\r\n"));
      at += n;
    }
    parts.push(latin1Bytes("0\r\n\r\n"));
    return concatBytes(parts);
  }

  test("well-formed responses give their body back exactly, however the bytes are split", () => {
    fc.assert(
      fc.property(responseArb, fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 40 }), (r, cuts) => {
        const bytes = encode(r);
        const sizes: number[] = [];
        let left = bytes.length;
        for (let i = 0; left > 0; i++) {
          const n = Math.min(left, cuts[i % cuts.length]);
          sizes.push(n);
          left -= n;
        }
        const body: Uint8Array[] = [];
        const heads: string[][] = [];
        let completed = 0;
        const p = new ResponseParser({
          onHead: (h) => heads.push(h.headers.entries().map(([n, v]) => `${n}:${v}`)),
          onBody: (d) => body.push(d.slice()),
          onComplete: () => completed++,
        });
        p.expectResponseTo("GET");
        let at = 0;
        for (const n of sizes) { p.push(bytes.subarray(at, at + n)); at += n; }
        p.finish();
        expect(completed).toBe(1);
        expect(concatBytes(body)).toEqual(r.body);
        expect(heads[0].slice(0, r.headers.length)).toEqual(r.headers.map(([n, v]) => `${n}:${v}`));
        expect(transcribe(bytes, sizes)).toEqual(transcribe(bytes, [bytes.length]));
      }),
      { numRuns: 400 },
    );
  });

  test("arbitrary bytes only ever raise HttpParseError, and held memory stays under the limits", () => {
    const prefix = fc.constantFrom("", "HTTP/1.1 200 OK\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n");
    fc.assert(
      fc.property(prefix, fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }), fc.boolean(), (pre, pieces, eof) => {
        const p = new ResponseParser({ onHead: () => {}, onBody: () => {}, onComplete: () => {} }, { maxHeaderBytes: 256, maxChunkLineBytes: 64 });
        p.expectResponseTo("GET");
        try {
          p.push(latin1Bytes(pre));
          for (const piece of pieces) {
            p.push(piece);
            const held = (p as unknown as { lines: { bytes: Uint8Array | null } }).lines.bytes;
            expect(held === null || held.length <= 512).toBe(true);
          }
          if (eof) p.finish();
        } catch (e) {
          if (!(e instanceof HttpParseError)) throw e;
          expect(typeof e.code).toBe("string");
          expect(e.offset).toBeGreaterThanOrEqual(0);
          expect(e.offset).toBeLessThanOrEqual(p.offset + 200);
        }
      }),
      { numRuns: 3000 },
    );
  });

  test("a megabyte of garbage without a line end fails at the header limit, not later", () => {
    const p = new ResponseParser({ onHead: () => {}, onBody: () => {}, onComplete: () => {} });
    p.expectResponseTo("GET");
    const junk = new Uint8Array(1024).fill(0x41);
    let thrown: HttpParseError | undefined;
    for (let i = 0; i < 1024 && !thrown; i++) {
      try { p.push(junk); } catch (e) { thrown = e as HttpParseError; }
    }
    expect(thrown?.code).toBe("HEADERS_TOO_LARGE");
    expect(p.offset).toBeLessThanOrEqual(8192 + 1024);
  });
});
