import type { Results } from "./results.js";
import { rankVariants } from "./ranking.js";
import { humanNumber, pivot } from "./table.js";

/** The terminal summary: one line per metric, one column per variant (time-series points left out). */
export function toTextSummary(results: Results, maxWidth = 28): string {
  const { variants, lines } = pivot(results);
  const clip = (s: string): string => (s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s);
  const header = ["metric", "unit", ...variants.map(clip)];
  const body = lines.map((l) => [l.metric, l.unit, ...l.values.map(humanNumber)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const fmt = (r: string[]): string =>
    r
      .map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join("  ")
      .trimEnd();
  const table = `${[fmt(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(fmt)].join("\n")}\n`;
  return table + rankingText(results);
}

function rankingText(results: Results): string {
  const rankings = rankVariants(results).filter((r) => r.places.length > 0);
  if (rankings.length === 0) return "";
  const lines = ["", "ranking (best first)"];
  for (const r of rankings) {
    lines.push(`  ${r.rule.metric} (${r.rule.better} is better, ${r.unit}):`);
    for (const p of r.places) lines.push(`    ${String(p.rank).padStart(2)}. ${humanNumber(p.value).padStart(16)}  ${p.variant}`);
  }
  return `${lines.join("\n")}\n`;
}
