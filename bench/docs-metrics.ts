/** `npm run docs:metrics`: writes the metric reference generated from the catalog into README.md, between its markers. */
import { readFileSync, writeFileSync } from "node:fs";
import { END, metricReference, START } from "../reports/metric-reference.js";

const path = new URL("../README.md", import.meta.url);
const readme = readFileSync(path, "utf8");
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start < 0 || end < start) {
  process.stderr.write(`README.md has no ${START} ... ${END} markers\n`);
  process.exit(2);
}
writeFileSync(path, readme.slice(0, start) + metricReference() + readme.slice(end + END.length));
process.stdout.write("README.md: metric reference updated\n");
