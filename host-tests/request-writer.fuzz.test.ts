/** The request writer under random write spaces and random stream piece sizes: exact bytes, never a piece over its space. */
import fc from "fast-check";
import { latin1 } from "../modules/base/bytes";
import { encodeRequestWithBody, prepareBody, RequestWriter, StreamBody } from "../modules/http/body";
import { parseUrl } from "../modules/http/url";
import { dechunk } from "./support/chunked-portable";

const url = parseUrl("https://example.com/in");

function source(total: number, pieces: number[], declare: boolean): StreamBody {
  let sent = 0;
  let i = 0;
  const s: StreamBody = {
    read(max) {
      if (sent >= total) return null;
      // Pieces of the chosen sizes, sometimes more than asked (the writer keeps the rest).
      const n = Math.min(total - sent, Math.max(1, pieces[i++ % pieces.length]));
      const out = new Uint8Array(n);
      for (let k = 0; k < n; k++) out[k] = 32 + ((sent + k) % 90);
      sent += n;
      void max;
      return out;
    },
  };
  if (declare) s.length = total;
  return s;
}

function expected(total: number): string {
  let out = "";
  for (let k = 0; k < total; k++) out += String.fromCharCode(32 + (k % 90));
  return out;
}

test("any spaces, any piece sizes, with or without a length: the body arrives exactly, every piece fits", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 20000 }),
      fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 8 }),
      fc.boolean(),
      (total, pieces, spaces, declare) => {
        fc.pre(spaces.some((s) => s > 0));
        const body = prepareBody(source(total, pieces, declare));
        const head = encodeRequestWithBody({ method: "POST", url }, body);
        const w = new RequestWriter(head, body);
        let text = "";
        let zeroRun = 0;
        for (let i = 0; !w.done; i++) {
          const space = spaces[i % spaces.length];
          const p = w.next(space);
          expect(p.length).toBeLessThanOrEqual(space);
          text += latin1(p);
          zeroRun = space > 0 && p.length === 0 ? zeroRun + 1 : 0;
          expect(zeroRun).toBeLessThan(3); // with space, the writer always progresses or finishes
          if (i > 200000) throw new Error("no end");
        }
        expect(text.slice(0, head.length)).toBe(latin1(head));
        const bodyText = text.slice(head.length);
        expect(declare ? bodyText : dechunk(bodyText)).toBe(expected(total));
      },
    ),
    { numRuns: 300 },
  );
});
