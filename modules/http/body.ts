/**
 * Request bodies, and the writer that hands a request (head, then body) to the socket in pieces no
 * larger than the write space it reports (the value of `write()` or of message 3).
 *
 * A body is text (sent as UTF-8), bytes, or a stream: an object whose `read(max)` returns the next
 * piece each time it is asked, so data larger than the heap never has to be held at once. A
 * stream with a known `length` goes out with Content-Length, one without as chunked
 * (RFC 9112 7.1). A stream is read only as fast as the socket takes it, and cannot be read twice:
 * a request with a stream body is never sent again by the client (no stale-connection retry once
 * the stream was read, no 307/308 re-send).
 */
import { utf8Bytes } from "../base/bytes";
import { encodeRequest, RequestError, RequestSpec } from "./request";

/** A body produced piece by piece. */
export interface StreamBody {
  /** Total bytes, when known: sent as Content-Length (the stream must produce exactly that many). */
  length?: number;
  /**
   * The next piece, ideally at most `max` bytes (a longer one is kept and sent in parts); an empty
   * piece or null at the end. Called only when the socket has room, and not again before the
   * previous piece is all written: the stream may fill the same buffer again on the next call.
   */
  read(max: number): Uint8Array | ArrayBuffer | string | null | undefined;
}

export type RequestBody = string | Uint8Array | ArrayBuffer | StreamBody;

/** A body checked and ready to frame. */
export interface PreparedBody {
  /** Fixed bytes; undefined for a stream. */
  bytes?: Uint8Array;
  stream?: StreamBody;
  /** Content-Length, or "chunked". */
  length: number | "chunked";
  /** Default Content-Type (text bodies only). */
  contentType?: string;
  /** Fixed bytes can be sent again (307/308, stale retry); a stream cannot. */
  replayable: boolean;
}

const TEXT_CONTENT_TYPE = "text/plain; charset=utf-8";
/** A fixed body up to this size goes out in the same write as the head (one TLS record). */
const MERGE_WITH_HEAD = 512;
/** Smallest chunk asked of a stream, whatever the write space (a chunk too big for it is sent in parts). */
const MIN_CHUNK = 64;

/** Checks a body and works out its framing. Throws RequestError REQUEST_BAD_BODY. */
export function prepareBody(body: RequestBody | undefined | null): PreparedBody | null {
  if (body === undefined || body === null) return null;
  if (typeof body === "string") {
    const bytes = utf8Bytes(body);
    return { bytes, length: bytes.length, contentType: TEXT_CONTENT_TYPE, replayable: true };
  }
  if (body instanceof Uint8Array) return { bytes: body, length: body.length, replayable: true };
  if (body instanceof ArrayBuffer) return { bytes: new Uint8Array(body), length: body.byteLength, replayable: true };
  if (ArrayBuffer.isView(body)) {
    const v = body as ArrayBufferView;
    return { bytes: new Uint8Array(v.buffer, v.byteOffset, v.byteLength), length: v.byteLength, replayable: true };
  }
  if (typeof body === "object" && typeof (body as StreamBody).read === "function") {
    const stream = body as StreamBody;
    const length = stream.length;
    if (length === undefined) return { stream, length: "chunked", replayable: false };
    if (typeof length !== "number" || !(length >= 0) || Math.floor(length) !== length || length > 0x1fffffffffffff) {
      throw new RequestError("REQUEST_BAD_BODY", `stream length must be a whole number of bytes, got ${String(length)}`);
    }
    return { stream, length, replayable: false };
  }
  throw new RequestError("REQUEST_BAD_BODY", `body must be a string, a Uint8Array, an ArrayBuffer or a stream { read(max) }, got ${body === null ? "null" : typeof body}`);
}

/** The head of a request for `body` (framing and default Content-Type added). */
export function encodeRequestWithBody(spec: RequestSpec, body: PreparedBody | null): Uint8Array {
  if (!body) return encodeRequest(spec);
  const full: RequestSpec = { ...spec, bodyLength: body.length };
  if (body.contentType !== undefined) full.contentType = body.contentType;
  return encodeRequest(full);
}

function hex(n: number): string {
  return n.toString(16);
}

/** Bytes of a piece a stream returned. */
function pieceBytes(piece: unknown): Uint8Array | null {
  if (piece === null || piece === undefined) return null;
  if (piece instanceof Uint8Array) return piece;
  if (piece instanceof ArrayBuffer) return new Uint8Array(piece);
  if (typeof piece === "string") return utf8Bytes(piece);
  throw new RequestError("REQUEST_BODY_FAILED", `the body stream's read() returned ${typeof piece}, not bytes, a string or null`);
}

/**
 * Hands out a request's bytes in pieces that fit the write space the socket reports, so a small
 * TCP window never blocks or overflows. `next(space)` gives at most `space` bytes, or an empty
 * piece when there is nothing to send now (done, or no space). A stream is read only in `next`.
 *
 * Errors of a stream (it threw, returned a wrong type, or produced more or fewer bytes than its
 * length) are thrown from `next` as RequestError.
 */
export class RequestWriter {
  /** Bytes of the frame being handed out, and the position in it. */
  private frame: Uint8Array;
  private at = 0;
  private out = 0;
  private fixedBody: Uint8Array | null = null;
  private readonly stream: StreamBody | null;
  private readonly chunked: boolean;
  /** Stream bytes received beyond what fit the last frame. */
  private spare: Uint8Array | null = null;
  private streamed = 0;
  private streamEnded = false;
  private finished = false;
  private readStarted = false;
  private readonly declared: number;

  constructor(head: Uint8Array, body: PreparedBody | null = null) {
    this.frame = head;
    this.stream = body && body.stream ? body.stream : null;
    this.chunked = body !== null && body.length === "chunked";
    this.declared = body && typeof body.length === "number" ? body.length : -1;
    const bytes = body && body.bytes ? body.bytes : null;
    if (bytes && bytes.length > 0) {
      if (bytes.length <= MERGE_WITH_HEAD) {
        const merged = new Uint8Array(head.length + bytes.length);
        merged.set(head, 0);
        merged.set(bytes, head.length);
        this.frame = merged;
      } else this.fixedBody = bytes;
    }
    if ((!this.stream && !this.fixedBody) || this.declared === 0) this.streamEnded = true;
  }

  /** The next piece, at most `space` bytes; empty when done or when there is no space. */
  next(space: number): Uint8Array {
    if (space <= 0 || this.finished) return this.frame.subarray(0, 0);
    if (this.at >= this.frame.length && !this.nextFrame(space)) {
      this.finished = true;
      return this.frame.subarray(0, 0);
    }
    const n = Math.min(space, this.frame.length - this.at);
    const piece = this.frame.subarray(this.at, this.at + n);
    this.at += n;
    this.out += n;
    if (this.at >= this.frame.length && this.streamEnded && !this.fixedBody) this.finished = true;
    return piece;
  }

  /** Builds the frame after the current one; false when the request is complete. */
  private nextFrame(space: number): boolean {
    this.at = 0;
    if (this.fixedBody) {
      this.frame = this.fixedBody;
      this.fixedBody = null;
      this.streamEnded = true;
      return true;
    }
    if (this.streamEnded) return false;
    const overhead = this.chunked ? hex(space).length + 4 : 0;
    const want = Math.max(MIN_CHUNK, space - overhead);
    const data = this.read(want);
    if (data === null) {
      this.streamEnded = true;
      if (this.declared >= 0 && this.streamed !== this.declared) {
        throw new RequestError("REQUEST_BODY_LENGTH_MISMATCH", `the body stream ended after ${this.streamed} bytes, but its length is ${this.declared}`);
      }
      if (!this.chunked) return false;
      this.frame = utf8Bytes("0\r\n\r\n");
      return true;
    }
    if (!this.chunked) {
      this.frame = data;
      return true;
    }
    const size = utf8Bytes(`${hex(data.length)}\r\n`);
    const frame = new Uint8Array(size.length + data.length + 2);
    frame.set(size, 0);
    frame.set(data, size.length);
    frame[frame.length - 2] = 13;
    frame[frame.length - 1] = 10;
    this.frame = frame;
    return true;
  }

  /** Up to `want` bytes from the stream (or what is left of its last piece); null at its end. */
  private read(want: number): Uint8Array | null {
    let data = this.spare;
    this.spare = null;
    if (!data) {
      const stream = this.stream as StreamBody;
      this.readStarted = true;
      // A stream with a known length is not asked for more than it has left.
      const max = this.declared >= 0 ? Math.min(want, Math.max(1, this.declared - this.streamed)) : want;
      let piece: unknown;
      try {
        piece = stream.read(max);
      } catch (e) {
        throw new RequestError("REQUEST_BODY_FAILED", `the body stream's read() threw: ${e instanceof Error ? e.message : String(e)}`);
      }
      data = pieceBytes(piece);
      if (!data || data.length === 0) return null;
    }
    if (data.length > want) {
      this.spare = data.subarray(want);
      data = data.subarray(0, want);
    }
    this.streamed += data.length;
    if (this.declared >= 0 && this.streamed > this.declared) {
      throw new RequestError("REQUEST_BODY_LENGTH_MISMATCH", `the body stream produced more than its length of ${this.declared} bytes`);
    }
    // A stream whose length is reached is not asked again: its end is known.
    if (this.declared >= 0 && this.streamed === this.declared && !this.spare) this.streamEnded = true;
    return data;
  }

  /** Every byte of the request was handed out. */
  get done(): boolean {
    return this.finished;
  }

  /** Bytes handed out so far (head included). */
  get written(): number {
    return this.out;
  }

  /** The body stream was read at least once: the request can no longer be sent again. */
  get streamRead(): boolean {
    return this.readStarted;
  }
}
