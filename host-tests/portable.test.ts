/** Runs every portable suite (host-tests/portable/*.portable.ts) under Node; the XS lane runs the same files in XS. */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { PortableSuite, runCase } from "./portable/suite";

const dir = join(__dirname, "portable");
const files = readdirSync(dir).filter((f) => f.endsWith(".portable.ts")).sort();

test("there are portable suites to run", () => {
  expect(files.length).toBeGreaterThan(0);
});

for (const file of files) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const suite = (require(join(dir, file)) as { suite: PortableSuite }).suite;
  describe(`${file}: ${suite.name}`, () => {
    for (const c of suite.cases) {
      test(c.name, () => {
        expect(runCase(c)).toEqual(c.expected);
      });
    }
  });
}
