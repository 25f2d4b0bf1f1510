import { describe, expect, it } from "vitest";
import { compareMarkdown, compareRuns, compareText } from "./compare.js";
import type { Results } from "./results.js";

const results = (rows: [string, string, number][]): Results => ({
  scenario: "s",
  seed: 1,
  rows: rows.map(([variant, metric, value]) => ({ scenario: "s", variant, seed: 1, metric, unit: "count", value })),
});

describe("bench compare", () => {
  const base = results([
    ["a", "etcd.writes", 100],
    ["a", "watch.bytes", 1000],
    ["a", "dns.failures", 0],
    ["a", "etcd.db_size@60s", 5],
    ["b", "etcd.writes", 10],
  ]);
  const now = results([
    ["a", "etcd.writes", 110],
    ["a", "watch.bytes", 500],
    ["a", "dns.failures", 3],
    ["a", "etcd.db_size@60s", 6],
    ["c", "etcd.writes", 7],
  ]);

  it("gives both values, the difference and the relative change, largest first, then missing and new, then the same", () => {
    // watch.bytes -50 %, etcd.writes +10 %, dns.failures from 0 (infinite) first; b missing, c new
    expect(compareRuns(base, now).map((d) => [d.variant, d.metric, d.base, d.current, d.delta, d.pct])).toEqual([
      ["a", "dns.failures", 0, 3, 3, Number.POSITIVE_INFINITY],
      ["a", "watch.bytes", 1000, 500, -500, -50],
      ["a", "etcd.writes", 100, 110, 10, 10],
      ["b", "etcd.writes", 10, undefined, undefined, undefined],
      ["c", "etcd.writes", undefined, 7, undefined, undefined],
    ]);
    expect(compareRuns(base, now, { series: true }).some((d) => d.metric === "etcd.db_size@60s")).toBe(true);
  });

  it("prints a table and Markdown of what changed", () => {
    const diffs = compareRuns(base, now);
    const text = compareText(diffs);
    expect(text).toMatch(/a\s+watch\.bytes\s+1,000\s+500\s+-500\s+-50 %\s+count/);
    expect(text).toContain("5 of 5 metrics differ");
    expect(compareText(compareRuns(base, base))).toBe("no differences (4 metrics compared)\n");
    expect(compareMarkdown("old|run", "new", diffs)).toContain("## old\\|run → new");
  });
});
