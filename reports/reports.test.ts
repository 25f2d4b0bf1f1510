import { describe, expect, it } from "vitest";
import type { Results } from "./results.js";
import { toCsv } from "./csv.js";
import { escapeHtml, toHtml } from "./html.js";
import { fromJson, toJson } from "./json.js";
import { humanNumber } from "./table.js";
import { toTextSummary } from "./text.js";

const results: Results = {
  scenario: 's,1 "quoted"',
  seed: 3,
  variants: ["a=1", "a=2"],
  assumptions: [{ name: "x", value: "<1>", why: "because & so" }],
  rows: [
    { scenario: 's,1 "quoted"', variant: "a=1", seed: 3, metric: "etcd.writes", unit: "count", value: 12 },
    { scenario: 's,1 "quoted"', variant: "a=1", seed: 3, metric: "npl.p99_s", unit: "s", value: 0.1 + 0.2 },
    { scenario: 's,1 "quoted"', variant: "a=2", seed: 3, metric: "etcd.writes", unit: "count", value: -0 },
    { scenario: 's,1 "quoted"', variant: "a=2", seed: 3, metric: "x@10s", unit: "count", value: 1 },
  ],
};

describe("reports", () => {
  it("writes CSV with the exact header, quoting and shortest round-trip numbers", () => {
    expect(toCsv(results)).toBe(
      [
        "scenario,variant,seed,metric,unit,value",
        '"s,1 ""quoted""",a=1,3,etcd.writes,count,12',
        '"s,1 ""quoted""",a=1,3,npl.p99_s,s,0.30000000000000004',
        '"s,1 ""quoted""",a=2,3,etcd.writes,count,0',
        '"s,1 ""quoted""",a=2,3,x@10s,count,1',
        "",
      ].join("\n"),
    );
  });

  it("writes JSON that reads back to the same table", () => {
    const text = toJson(results);
    expect(text.startsWith('{\n  "scenario": "s,1 \\"quoted\\"",\n  "seed": 3,')).toBe(true);
    const back = fromJson(text);
    expect(back.rows).toEqual(results.rows.map((r) => ({ ...r, value: Object.is(r.value, -0) ? 0 : r.value })));
    expect(back.variants).toEqual(["a=1", "a=2"]);
    expect(() => fromJson("[1]")).toThrow(/not a results.json/);
  });

  it("escapes everything it prints in HTML", () => {
    const html = toHtml({ ...results, scenario: "<script>alert(1)</script>" });
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;1&gt;");
    expect(html).toContain("because &amp; so");
    expect(escapeHtml(`"'&`)).toBe("&quot;&#39;&amp;");
  });

  it("summarises the key metrics by variant for the terminal, leaving series points out, within 120 columns", () => {
    const text = toTextSummary(results);
    expect(text.split("\n")[0]).toBe('s,1 "quoted": seed 3, 2 variant(s)');
    expect(text).toMatch(/variant\s+npl\.p99_s \(s\)\s+etcd\.writes \(count\)\n[- ]+\na=1\s+0\.3\s+12\na=2\s+0\n/);
    expect(text).not.toContain("x@10s");
    const wide: Results = {
      ...results,
      variants: Array.from({ length: 14 }, (_, i) => `controller.algorithm=algorithm-number-${i},controller.maxEndpointsPerSlice=100`),
      rows: Array.from({ length: 14 }, (_, i) =>
        ["npl.p99_s", "watch.bytes", "etcd.writes", "dns.latency.p99_ms", "dns.failures"].map((metric) => ({
          scenario: "s",
          variant: `controller.algorithm=algorithm-number-${i},controller.maxEndpointsPerSlice=100`,
          seed: 3,
          metric,
          unit: "count",
          value: 3.7e12 * (i + 1),
        })),
      ).flat(),
    };
    for (const line of toTextSummary(wide).split("\n")) expect(line.length).toBeLessThanOrEqual(120);
  });

  it("formats numbers for people", () => {
    expect([1234567, 0.30000000000000004, 2.5e-7, 12.5, undefined].map(humanNumber)).toEqual(["1,234,567", "0.3", "2.500e-7", "12.5", ""]);
  });
});

describe("ranking", () => {
  const r: Results = {
    scenario: "s",
    seed: 1,
    variants: ["x=a", "x=b", "x=c"],
    rank: [
      { metric: "w", better: "lower" },
      { metric: "q", better: "higher" },
      { metric: "absent", better: "lower" },
    ],
    rows: [
      { scenario: "s", variant: "x=a", seed: 1, metric: "w", unit: "count", value: 5000 },
      { scenario: "s", variant: "x=b", seed: 1, metric: "w", unit: "count", value: 3 },
      { scenario: "s", variant: "x=c", seed: 1, metric: "w", unit: "count", value: 5000 },
      { scenario: "s", variant: "x=a", seed: 1, metric: "q", unit: "ratio", value: 0.5 },
      { scenario: "s", variant: "x=b", seed: 1, metric: "q", unit: "ratio", value: 0.9 },
    ],
  };

  it("orders variants best first per rule, ties sharing a rank, each against the reference", async () => {
    const { rankFamilies } = await import("./verdict.js");
    const [family] = rankFamilies(r);
    const [w, q] = family.metrics;
    // one family of every variant, the first (x=a) the reference: b is 3 against 5,000 = -99.94 %
    expect(w.places.map((p) => [p.rank, p.variant, p.value, p.vsReferencePct])).toEqual([
      [1, "x=b", 3, ((3 - 5000) / 5000) * 100],
      [2, "x=a", 5000, 0],
      [2, "x=c", 5000, 0],
    ]);
    expect(q.places.map((p) => p.variant)).toEqual(["x=b", "x=a"]);
    expect(family.metrics).toHaveLength(2);
    // the terminal states the winner of the one family
    expect(toTextSummary(r)).toMatch(/verdict .*\n {2}variants\n {4}w \(lower\): b, 3 count, -99.9 % vs a\n {6}holds: not tested/);
  });

  it("tabulates each family's variants by short label, with value, rank and difference from the reference", () => {
    const html = toHtml(r);
    expect(html).toContain(
      '<tr><td title="x=a">a (reference)</td><td class="n">5,000 <span class="rank">#2</span></td><td class="n">0.5 <span class="rank">#2</span></td></tr>',
    );
    expect(html).toContain(
      '<tr><td title="x=b">b</td><td class="n best">3 <span class="rank">#1 -99.9 %</span></td><td class="n best">0.9 <span class="rank">#1 +80 %</span></td></tr>',
    );
    expect(html).not.toContain(">absent<");
    expect(toHtml({ ...r, rank: [] })).not.toContain("<h2>Ranking</h2>");
  });
});

describe("gate Markdown", () => {
  it("leads with the largest regressions, in six columns, at most 30 rows", async () => {
    const { gateMarkdown } = await import("./gate.js");
    const check = (metric: string, baseline: number, current: number, status: "regressed" | "improved") => ({
      variant: "v",
      metric,
      unit: "count",
      baseline,
      current,
      rule: "exact",
      better: "lower" as const,
      status,
    });
    // +10 %, +300 % and +50 % regressions, and a -90 % improvement: regressions by size, then the improvement
    const checks = [check("a", 100, 110, "regressed"), check("b", 100, 400, "regressed"), check("c", 100, 150, "regressed"), check("d", 100, 10, "improved")];
    const md = gateMarkdown({ scenario: "s", seed: 1, checks, failures: checks.slice(0, 3) });
    const rows = md.split("\n").filter((l) => l.startsWith("| regressed") || l.startsWith("| improved"));
    expect(rows.map((r) => r.split(" | ")[2])).toEqual(["b", "c", "a", "d"]);
    expect(md).toContain("| status | variant | metric | baseline | current | change |");
    const many = Array.from({ length: 40 }, (_, i) => check(`m${i}`, 100, 101 + i, "regressed"));
    const long = gateMarkdown({ scenario: "s", seed: 1, checks: many, failures: many });
    expect(long.split("\n").filter((l) => l.startsWith("| regressed"))).toHaveLength(30);
    expect(long).toContain("... and 10 more");
  });
});

describe("gate text", () => {
  it("prints control characters from a results file as ?, never as terminal escape sequences", async () => {
    const { gateText } = await import("./gate.js");
    const check = {
      variant: "v\u001b[31m",
      metric: "m\u0007",
      unit: "count",
      baseline: 1,
      current: 2,
      rule: "exact",
      better: "lower" as const,
      status: "regressed" as const,
    };
    const text = gateText({ scenario: "s\u001b]0;title\u0007", seed: 1, checks: [check], failures: [check] });
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(text).toContain("v?[31m");
    expect(text).toContain("FAIL: s?]0;title? (seed 1)");
  });
});
