/** `npm run bench`: every benchmark, each printing ratios against a reference measured in the same run. */
import { benchParser, printParserBench } from "./parser";
import { benchXsParser, printXsParser } from "./xs-parser";
import { benchFetch, printFetchBench } from "./fetch";

async function main(): Promise<void> {
  printParserBench(benchParser());
  console.log("");
  printXsParser(await benchXsParser());
  console.log("");
  printFetchBench(await benchFetch());
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
