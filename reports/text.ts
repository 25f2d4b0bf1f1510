import type { Results } from "../engine/results.js";
import { humanNumber, pivot } from "./table.js";

/** The terminal summary: one line per metric, one column per variant (time-series points left out). */
export function toTextSummary(results: Results, maxWidth = 28): string {
  const { variants, lines } = pivot(results);
  const clip = (s: string): string => (s.length > maxWidth ? s.slice(0, maxWidth - 1) + "…" : s);
  const header = ["metric", "unit", ...variants.map(clip)];
  const body = lines.map((l) => [l.metric, l.unit, ...l.values.map(humanNumber)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const fmt = (r: string[]): string => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  return [fmt(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(fmt)].join("\n") + "\n";
}
