/**
 * A screenshot of a report's first screen, for the README: npx tsx test/scripts/screenshot.ts out/15k-nodes/report.html docs/report.png
 * Needs Chromium (Debian's chromium, or CHROMIUM_PATH).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [report, png, height = "1400"] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (report === undefined || png === undefined) {
  process.stderr.write("usage: screenshot.ts <report.html> <out.png> [height]\n");
  process.exit(2);
}
if (!existsSync(executablePath)) {
  process.stderr.write(`no Chromium at ${executablePath}: install Debian's chromium or set CHROMIUM_PATH\n`);
  process.exit(2);
}
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: Number(height) } });
  await page.goto(pathToFileURL(resolve(report)).href, { waitUntil: "load" });
  await page.screenshot({ path: png });
  process.stdout.write(`wrote ${png}\n`);
} finally {
  await browser.close();
}
