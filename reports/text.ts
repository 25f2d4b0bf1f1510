import { meanOverSeeds } from "./replication.js";
import type { MetricName } from "../models/metrics.js";
import type { Results } from "./results.js";
import { humanNumber, pivot } from "./table.js";
import { type Perturbation, verdictCells } from "./verdict.js";

/** Shown in the terminal when the run has them (after its rank metrics); else its first plain metrics. */
const KEY_METRICS: MetricName[] = ["npl.p99_s", "watch.bytes", "etcd.writes", "dns.latency.p99_ms", "dns.failures"];

/**
 * The terminal summary, at most `width` columns: the verdict per family (winner, margin over the reference, whether it
 * holds), then the key metrics with variants down. Everything else is in results.csv and report.html.
 */
export function toTextSummary(raw: Results, perturbations: readonly Perturbation[] = [], width = 120): string {
  // a replicated run shows means (the verdict adds intervals); the tidy files keep every seed
  const results = meanOverSeeds(raw);
  const clip = (s: string, w: number): string => (s.length > w ? `${s.slice(0, Math.max(0, w - 1))}…` : s);
  const { variants, lines } = pivot(results);
  const out = [clip(`${results.scenario}: seed ${results.seed}, ${variants.length} variant(s)`, width)];

  const verdict = verdictCells(raw, perturbations);
  if (verdict.length > 0) {
    out.push("", "verdict (winner per family and ranked metric; vs the family's reference)");
    for (const family of [...new Set(verdict.map((v) => v.family))]) {
      out.push(clip(`  ${family}`, width));
      for (const v of verdict.filter((x) => x.family === family)) {
        out.push(clip(`    ${v.metric}: ${v.winner}, ${v.value}, ${v.vsReference}`, width));
        out.push(clip(`      holds: ${v.holds}`, width));
      }
    }
  }

  const wanted = [...new Set([...(results.rank ?? []).map((r) => r.metric), ...KEY_METRICS])];
  let shown = wanted.flatMap((m) => lines.filter((l) => l.metric === m));
  if (shown.length === 0) shown = lines.slice(0, 6);
  const labelWidth = Math.min(40, Math.max(7, ...variants.map((v) => v.length)));
  const columns: { title: string; cells: string[]; w: number }[] = [];
  let used = labelWidth;
  for (const l of shown) {
    const title = `${l.metric} (${l.unit})`;
    const cells = l.values.map(humanNumber);
    const w = Math.max(title.length, ...cells.map((c) => c.length));
    if (used + 2 + w > width) break;
    used += 2 + w;
    columns.push({ title, cells, w });
  }
  if (columns.length > 0) {
    const row = (label: string, cells: string[]): string =>
      [clip(label, labelWidth).padEnd(labelWidth), ...cells.map((c, i) => c.padStart(columns[i].w))].join("  ").trimEnd();
    out.push(
      "",
      row(
        "variant",
        columns.map((c) => c.title),
      ),
      row(
        "-".repeat(labelWidth),
        columns.map((c) => "-".repeat(c.w)),
      ),
    );
    variants.forEach((v, i) => {
      out.push(
        row(
          v,
          columns.map((c) => c.cells[i]),
        ),
      );
    });
  }
  return `${out.join("\n")}\n`;
}
