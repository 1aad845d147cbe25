/** `npm run bench`: every benchmark, each printing ratios against a reference measured in the same run. */
import { benchParser, printParserBench } from "./parser";
import { benchXsParser, printXsParser } from "./xs-parser";

async function main(): Promise<void> {
  printParserBench(benchParser());
  console.log("");
  printXsParser(await benchXsParser());
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
