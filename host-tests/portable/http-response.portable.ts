import { responseCases } from "../cases/response-cases";
import { feedAllWays } from "../support/feed";
import { PortableSuite } from "./suite";

export const suite: PortableSuite = {
  name: "response parser: every case fed whole, byte by byte and at seeded random splits",
  cases: responseCases.map((c) => ({ name: c.name, run: () => feedAllWays(c.input, c.options), expected: c.expected })),
};
