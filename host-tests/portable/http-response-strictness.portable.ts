import { strictnessCases } from "../cases/response-strictness-cases";
import { feedAllWays } from "../support/feed";
import { PortableSuite } from "./suite";

export const suite: PortableSuite = {
  name: "response parser strictness, leniencies and connection guards: fed whole, byte by byte and at seeded random splits",
  cases: strictnessCases.map((c) => ({ name: c.name, run: () => feedAllWays(c.input, c.options), expected: c.expected })),
};
