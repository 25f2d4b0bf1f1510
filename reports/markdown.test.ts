import { describe, expect, it } from "vitest";
import type { Results } from "./results.js";
import { escapeMarkdown, toMarkdown } from "./markdown.js";

const row = (variant: string, metric: string, unit: string, value: number) => ({ scenario: "s", variant, seed: 7, metric, unit, value });

const results: Results = {
  scenario: "packing",
  seed: 7,
  variants: ["alg=a", "alg=b|c"],
  rank: [{ metric: "endpointslice.count", better: "lower" }],
  assumptions: [{ name: "pod <startup>", value: "5 s", why: "a *guess*" }],
  rows: [
    row("alg=a", "endpointslice.count", "count", 1200),
    row("alg=b|c", "endpointslice.count", "count", 900),
    row("alg=a", "etcd.writes", "count", 5),
    row("alg=b|c", "etcd.writes", "count", 6),
    row("alg=a", "npl.p99_s", "s", 0.25),
    row("alg=a", "kubeproxy.syncs", "count", 3),
    row("alg=a", "conntrack.entries.max_node@10s", "entries", 4),
  ],
};

describe("summary.md", () => {
  it("gives the title, seed, ranking, the main metrics and the assumptions", () => {
    expect(toMarkdown(results)).toBe(
      [
        "# packing",
        "",
        "seed 7, 2 variant(s)",
        "",
        "## Verdict",
        "",
        // one family of every variant, the first (alg=a) the reference: b|c wins, 900 against 1,200 = -25 %
        "### variants",
        "",
        "| metric | winner | value | vs reference | holds under uncertainty |",
        "| --- | ---: | ---: | ---: | ---: |",
        "| endpointslice.count (lower) | b\\|c | 900 count | -25 % vs a | not tested (bench run --sensitivity) |",
        "",
        "## Ranking",
        "",
        "| variants | endpointslice.count (count, lower is better) |",
        "| --- | ---: |",
        "| a (reference) | 1,200 #2 |",
        "| b\\|c | **900** #1 (-25 %) |",
        "",
        "## Main metrics",
        "",
        "| variants | endpointslice.count (count) | etcd.writes (count) | npl.p99\\_s (s) |",
        "| --- | ---: | ---: | ---: |",
        "| a | 1,200 | 5 | 0.25 |",
        "| b\\|c | 900 | 6 |  |",
        "",
        "## Assumptions",
        "",
        "- **pod &lt;startup&gt;** = 5 s: a \\*guess\\*",
        "",
      ].join("\n"),
    );
  });

  it("leaves out the ranking and metric tables when there is nothing to put in them", () => {
    const md = toMarkdown({ scenario: "empty", seed: 1, rows: [row("default", "kubeproxy.syncs", "count", 1)] });
    expect(md).toBe("# empty\n\nseed 1, 1 variant(s)\n\n## Assumptions\n\nNone declared.\n");
  });

  it("escapes Markdown and HTML in every text from the results", () => {
    expect(escapeMarkdown("<script>alert(1)</script> a|b *c* _d_ `e` [f](g) ~h~ \\ &amp;\nnext")).toBe(
      "&lt;script&gt;alert(1)&lt;/script&gt; a\\|b \\*c\\* \\_d\\_ \\`e\\` \\[f\\](g) \\~h\\~ \\\\ &amp;amp; next",
    );
    const md = toMarkdown({
      ...results,
      scenario: "<script>alert(1)</script>",
      variants: ["<img src=x onerror=alert(1)>"],
      rows: [row("<img src=x onerror=alert(1)>", "etcd.writes", "count", 1)],
    });
    expect(md).not.toMatch(/<script|<img/);
    expect(md).toContain("# &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(md).toContain("| &lt;img src=x onerror=alert(1)&gt; | 1 |");
  });
});
