/**
 * The final response's body as a fetch keeps it: counted, cut off at `maxBodyBytes`, its first
 * bytes kept as a preview (text, for a log line) and as a capture, and each piece handed to
 * `onBody`. Redirect bodies never get here.
 */
import { utf8 } from "../base/bytes";
import type { Diagnosis } from "./diagnosis";
import type { FetchRequest } from "./fetch-types";
import type { FramingInfo } from "../http/response";

/** Largest body preview, in bytes (it is for a log line). */
export const MAX_PREVIEW_BYTES = 256;
/** Largest body capture, in bytes (the device's heap is small). */
export const MAX_CAPTURE_BYTES = 16384;

const TOO_LARGE_HINT = "raise maxBodyBytes or fetch a smaller resource (Range)";

export type BodyRequest = Pick<FetchRequest, "previewBytes" | "captureBytes" | "maxBodyBytes" | "onBody">;

/** The checks a request's body options get before anything is sent; throws RangeError or TypeError. */
export function checkBodyOptions(request: BodyRequest): void {
  for (const key of ["previewBytes", "captureBytes", "maxBodyBytes"] as const) {
    const v = request[key];
    if (v !== undefined && !(typeof v === "number" && v >= 0 && isFinite(v))) throw new RangeError(`${key} must be a number of bytes (0 or more), got ${String(v)}`);
  }
  if (request.onBody !== undefined && typeof request.onBody !== "function") throw new TypeError("onBody must be a function");
}

/** One response body. After a failure it takes nothing more. */
export class BodyReceiver {
  /** Body bytes received (the piece that crossed `maxBodyBytes` included). */
  bytes = 0;
  /** BODY_TOO_LARGE or BODY_CONSUMER_FAILED: the fetch ends with it. */
  failure: Diagnosis | null = null;
  private readonly preview: Uint8Array | null;
  private previewLength = 0;
  private readonly capture: Uint8Array | null;
  private captureLength = 0;

  constructor(private readonly request: BodyRequest, framing: FramingInfo) {
    const preview = Math.min(MAX_PREVIEW_BYTES, Math.max(0, Math.floor(request.previewBytes ?? 0)));
    const capture = Math.min(MAX_CAPTURE_BYTES, Math.max(0, Math.floor(request.captureBytes ?? 0)));
    this.preview = preview > 0 ? new Uint8Array(preview) : null;
    this.capture = capture > 0 ? new Uint8Array(capture) : null;
    const max = request.maxBodyBytes;
    if (max !== undefined && framing.kind === "length" && framing.length > max) {
      this.failure = { code: "BODY_TOO_LARGE", phase: "response", detail: `Content-Length ${framing.length} is over maxBodyBytes ${max}`, hint: TOO_LARGE_HINT };
    }
  }

  push(data: Uint8Array): void {
    if (this.failure) return;
    this.bytes += data.length;
    const max = this.request.maxBodyBytes;
    if (max !== undefined && this.bytes > max) {
      this.failure = { code: "BODY_TOO_LARGE", phase: "response", detail: `body over maxBodyBytes ${max}`, hint: TOO_LARGE_HINT };
      return;
    }
    if (this.preview && this.previewLength < this.preview.length) {
      const n = Math.min(data.length, this.preview.length - this.previewLength);
      this.preview.set(data.subarray(0, n), this.previewLength);
      this.previewLength += n;
    }
    if (this.capture && this.captureLength < this.capture.length) {
      const n = Math.min(data.length, this.capture.length - this.captureLength);
      this.capture.set(data.subarray(0, n), this.captureLength);
      this.captureLength += n;
    }
    if (this.request.onBody) {
      try {
        this.request.onBody(data);
      } catch (e) {
        this.failure = { code: "BODY_CONSUMER_FAILED", phase: "response", detail: e instanceof Error ? e.message : String(e), hint: "the onBody callback threw: fix the body consumer" };
      }
    }
  }

  /** The preview as text (UTF-8, cut anywhere), when one was asked for. */
  previewText(): string | undefined {
    return this.preview ? utf8(this.preview, 0, this.previewLength) : undefined;
  }

  /** A copy of the captured bytes, when a capture was asked for. */
  captured(): Uint8Array | undefined {
    return this.capture ? this.capture.slice(0, this.captureLength) : undefined;
  }
}
