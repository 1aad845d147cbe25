/** formatAppLine quotes a text value exactly when it holds what /[\s"=]/ matches (every UTF-16 code unit). */
import { formatAppLine } from "../modules/app/log-format";

test("quoting matches the regular expression for every code unit", () => {
  const oracle = /[\s"=]/;
  const wrong: number[] = [];
  for (let c = 0; c <= 0xffff; c++) {
    const v = `a${String.fromCharCode(c)}b`;
    const quoted = formatAppLine("text", "t", "e", { k: v }) !== `t e k=${v}`;
    if (quoted !== oracle.test(v)) wrong.push(c);
  }
  expect(wrong).toEqual([]);
});
