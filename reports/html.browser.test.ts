/**
 * report.html opened in a real browser (Debian's Chromium driven by playwright-core): the charts draw, nothing
 * errors, nothing from the results runs. The fixture is dns-placements' results.json with most time series and the
 * phase metrics cut, which leaves rows for every chart.
 */
import { DNS_PLACEMENTS_CHARTS } from "../test/fixtures/charts.js";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { Results } from "./results.js";
import { toHtml } from "./html.js";
import { fromJson } from "./json.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`skipping the report.html browser test: no Chromium at ${CHROMIUM}; install the Debian package chromium or set CHROMIUM_PATH`);

const CHARTS = DNS_PLACEMENTS_CHARTS;
const SCRIPT_NAME = "<script>alert(1)</script>";
const IMG_VARIANT = "dns.placement=<img src=x onerror=alert(2)>";

/** The fixture with a scenario name and a variant label that would run script if they were ever markup. */
function hostileResults(): Results {
  const results = fromJson(readFileSync(new URL("../test/fixtures/dns-placements.json", import.meta.url), "utf8"));
  const target = results.variants![0];
  const rename = (v: string): string => (v === target ? IMG_VARIANT : v);
  return {
    ...results,
    scenario: SCRIPT_NAME,
    variants: results.variants!.map(rename),
    rows: results.rows.map((r) => ({ ...r, scenario: SCRIPT_NAME, variant: rename(r.variant) })),
  };
}

describe("report.html in Chromium", () => {
  it.skipIf(!haveChromium)("draws every chart with no error, and shows hostile names as text without running them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "report-html-"));
    const file = join(dir, "report.html");
    const results = hostileResults();
    writeFileSync(file, toHtml(results));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      page.on("dialog", (d) => {
        problems.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      await page.goto(pathToFileURL(file).href, { waitUntil: "load" });

      expect(await page.locator("h1").textContent()).toBe(SCRIPT_NAME);
      // the answer first: the verdict table is the first table, a row per ranked metric of the family
      const verdict = page.locator("table").first();
      expect(await verdict.getAttribute("class")).toBe("verdict");
      expect(await verdict.locator("th").allTextContents()).toEqual(["family", "metric", "winner", "value", "vs reference", "holds under uncertainty"]);
      expect(await verdict.locator("tr").count()).toBe(1 + (results.rank?.length ?? 0));
      expect(await verdict.locator("td").first().textContent()).toBe(results.families?.[0].name ?? "variants");
      expect(await page.locator("img, script").count()).toBe(0);
      expect(await page.getByText(IMG_VARIANT, { exact: true }).count()).toBeGreaterThan(0);
      expect(await page.locator("figure.chart").evaluateAll((figures) => figures.map((f) => f.id))).toEqual(CHARTS);
      for (const id of CHARTS) {
        const svg = page.locator(`#${id} > svg`);
        const box = await svg.boundingBox();
        expect(box, id).not.toBeNull();
        expect(box!.width, id).toBeGreaterThan(100);
        expect(box!.height, id).toBeGreaterThan(100);
        expect(await svg.locator("path").count(), id).toBeGreaterThan(10);
        expect(await svg.locator("text").count(), id).toBeGreaterThan(3);
      }
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
