import { h11GoCases } from "../cases/response-h11-go-cases";
import { llhttpCases } from "../cases/response-llhttp-cases";
import { feedAllWays } from "../support/feed";
import { PortableSuite } from "./suite";

export const suite: PortableSuite = {
  name: "response parser on cases from llhttp's, h11's and Go's suites: fed whole, byte by byte and at seeded random splits",
  cases: [...llhttpCases, ...h11GoCases].map((c) => ({ name: c.name, run: () => feedAllWays(c.input, c.options), expected: c.expected })),
};
