/** The shape of a response parser case, shared by the case tables. */
import type { FeedOptions } from "../support/feed";

export interface ResponseCase {
  name: string;
  /** The bytes as latin1 text. */
  input: string;
  options?: FeedOptions;
  /** The transcript (see support/feed.ts): the same for every way the bytes are split. */
  expected: string[];
}

/** Lines joined with CRLF. */
export const lines = (...l: string[]): string => l.join("\r\n");
