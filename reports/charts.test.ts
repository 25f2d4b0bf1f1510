import { readFileSync } from "node:fs";
import { DNS_PLACEMENTS_CHARTS } from "../test/fixtures/charts.js";
import { describe, expect, it } from "vitest";
import type { ResultRow, Results } from "./results.js";
import { renderCharts } from "./charts.js";
import { toHtml } from "./html.js";
import { fromJson } from "./json.js";
import { shortLabels } from "./variant-labels.js";

const ALL_CHARTS = DNS_PLACEMENTS_CHARTS;

/** A trimmed dns-placements run: every chart has rows. */
const sample = (): Results => fromJson(readFileSync(new URL("../test/fixtures/dns-placements.json", import.meta.url), "utf8"));

function results(rows: [variant: string, metric: string, unit: string, value: number][], variants?: string[]): Results {
  const table: ResultRow[] = rows.map(([variant, metric, unit, value]) => ({ scenario: "s", variant, seed: 1, metric, unit, value }));
  return { scenario: "s", seed: 1, rows: table, ...(variants === undefined ? {} : { variants }) };
}

/** The text ECharts drew, entities left as they are. */
const texts = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

describe("charts", () => {
  it("draws every chart the sample run has rows for, each an SVG with content", () => {
    const charts = renderCharts(sample());
    expect(charts.map((c) => c.id)).toEqual(ALL_CHARTS);
    for (const c of charts) {
      expect(c.svg.startsWith("<svg")).toBe(true);
      expect(c.svg).toMatch(/<path d="M/);
    }
  });

  it("gives byte-identical HTML for the same results, however many charts were drawn before", () => {
    const first = toHtml(sample());
    renderCharts(sample());
    expect(toHtml(sample())).toBe(first);
    expect(first).not.toMatch(/\bzr\d+-/);
  });

  it("keeps ids and classes unique across the charts of a page", () => {
    const charts = renderCharts(sample());
    for (const c of charts) {
      for (const [, name] of c.svg.matchAll(/(?:class|id)="([^"]+)"/g)) expect(name.startsWith(`${c.id}-`)).toBe(true);
    }
  });

  it("leaves out the charts whose rows no variant has, and the variants without rows from each chart", () => {
    expect(renderCharts(results([]))).toEqual([]);
    expect(toHtml(results([]))).not.toContain("<h2>Charts</h2>");
    const r = results(
      [
        ["mode=a", "watch.bytes", "bytes", 5e9],
        ["mode=b", "watch.bytes", "bytes", 7e9],
        ["mode=b", "dns.latency_ms@q0.5", "ms", 1],
        ["mode=b", "dns.latency_ms@q1", "ms", 3],
        ["mode=b", "dns.memory_bytes", "bytes", 1e9],
      ],
      ["mode=a", "mode=b"],
    );
    const charts = renderCharts(r);
    expect(charts.map((c) => c.id)).toEqual(["chart-watch-bytes", "chart-dns-latency-cdf", "chart-dns-cost"]);
    const [bytes, cdf, cost] = charts.map((c) => texts(c.svg));
    expect(bytes).toEqual(expect.arrayContaining(["a", "b", "5 GB", "7 GB", "variants: mode", "bytes sent (bytes)"]));
    expect(cdf).not.toContain("a");
    expect(cost).toContain("memory (bytes)");
    expect(cost).not.toContain("CPU (cores)");
  });

  it("puts the latency axis on a log scale only when the values span two decades", () => {
    const cdf = (top: number): string[] =>
      texts(
        renderCharts(
          results([
            ["v", "npl.latency_s@q0.5", "s", 0.01],
            ["v", "npl.latency_s@q1", "s", top],
          ]),
        )[0].svg,
      );
    expect(cdf(10)).toContain("latency (s, log scale)");
    expect(cdf(0.5)).toContain("latency (s)");
  });

  it("draws conntrack occupancy in time order and one fill bar per variant", () => {
    const r = results([
      ["v", "conntrack.entries.max_node@20s", "entries", 3],
      ["v", "conntrack.entries.max_node@0s", "entries", 1],
      ["v", "conntrack.entries.max_node.max", "entries", 3],
      ["v", "endpointslice.fill.slices@le0", "count", 1],
      ["v", "endpointslice.fill.slices@le1", "count", 4],
    ]);
    const [fill, conntrack] = renderCharts(r);
    expect(fill.id).toBe("chart-slice-fill");
    expect(texts(fill.svg)).toEqual(expect.arrayContaining(["0", "(0, 1]", "slices (count)"]));
    expect(conntrack.id).toBe("chart-conntrack");
    expect(texts(conntrack.svg)).toEqual(expect.arrayContaining(["simulated time (s)", "entries (entries)"]));
  });

  it("draws hostile names as text: ECharts escapes what it prints", () => {
    const hostile = `<img src=x onerror=alert(1)> & "q" 'a'`;
    const r = (variants: string[]): Results => ({
      ...results(
        variants.flatMap(
          (v, i) =>
            [
              [v, "watch.bytes", "<b>count</b>", i],
              [v, "npl.latency_s@q1", "s", i],
            ] as [string, string, string, number][],
        ),
      ),
      scenario: "<script>alert(1)</script>",
    });
    for (const variants of [
      [hostile, "x=1"],
      [`p=${hostile}`, "p=1"],
    ]) {
      const html = toHtml(r(variants));
      expect(html).not.toMatch(/<script|<img|<b>count/i);
      expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
      const drawn = renderCharts(r(variants)).flatMap((c) => texts(c.svg));
      expect(drawn).toContain("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot; &#39;a&#39;");
      expect(drawn).toContain("bytes sent (&lt;b&gt;count&lt;/b&gt;)");
    }
  });
});

describe("short variant labels", () => {
  it("shows the values of the keys that vary, named once", () => {
    expect(shortLabels(["c.algorithm=k8s,c.max=100", "c.algorithm=compact,c.max=100", "c.algorithm=k8s,c.max=500"])).toEqual({
      labels: ["k8s, 100", "compact, 100", "k8s, 500"],
      keys: ["c.algorithm", "c.max"],
    });
    expect(shortLabels(["mode=a,n=1", "mode=b,n=1"])).toEqual({ labels: ["a", "b"], keys: ["mode"] });
    expect(shortLabels(["x=a,b,y=1", "x=c,y=1"])).toEqual({ labels: ["a,b", "c"], keys: ["x"] });
  });

  it("marks a key a variant does not set, and keeps full labels where shortening cannot", () => {
    expect(shortLabels(["mode=e,truncate=true", "mode=s,max=100"]).labels).toEqual(["e, true, –", "s, –, 100"]);
    expect(shortLabels(["default"])).toEqual({ labels: ["default"], keys: [] });
    expect(shortLabels(["a=1", "<img>"])).toEqual({ labels: ["a=1", "<img>"], keys: [] });
    expect(shortLabels(["a=1"])).toEqual({ labels: ["a=1"], keys: [] });
  });
});
