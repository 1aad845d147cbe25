/** `npm run bench`: every benchmark, each printing ratios against a reference measured in the same run. */
import { benchParser, printParserBench } from "./parser";

function main(): void {
  printParserBench(benchParser());
}

main();
