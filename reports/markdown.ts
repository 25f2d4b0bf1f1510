import { meanOverSeeds } from "./replication.js";
import type { Results } from "./results.js";
import type { MetricName } from "../models/metrics.js";
import { rankingNote, rankingTables, vsReferenceText } from "./ranking.js";
import { shortLabels } from "./variant-labels.js";
import { familiesOf, type Perturbation, VERDICT_HEADER, verdictCells } from "./verdict.js";
import { humanNumber, pivot } from "./table.js";

/** Metrics every scenario's contract names, shown after the rank metrics when the run has them. */
const CONTRACT_METRICS: MetricName[] = [
  "watch.bytes",
  "etcd.writes",
  "npl.p99_s",
  "npl.slo_met",
  "dns.latency.p99_ms",
  "dns.failures",
  "conntrack.peak_entries.max_node",
];

/** summary.md: GitHub-flavoured Markdown for CI job summaries, every text from the results escaped. */
export function toMarkdown(raw: Results, perturbations: readonly Perturbation[] = []): string {
  // a replicated run shows means (the verdict adds intervals); the tidy files keep every seed
  const results = meanOverSeeds(raw);
  const { variants } = pivot(results);
  const sections = [
    `# ${escapeMarkdown(results.scenario)}`,
    `seed ${results.seed}, ${variants.length} variant(s)`,
    verdictSection(raw, perturbations),
    rankingSection(results),
    mainMetricsSection(results),
    assumptionsSection(results),
  ];
  return `${sections.filter((s) => s !== "").join("\n\n")}\n`;
}

/** Escapes text for a Markdown table cell or line: Markdown syntax with backslashes, HTML with entities. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!)
    .replace(/\r?\n/g, " ");
}

/** A table per family: its variants down, its ranked metrics across (value, rank, % against the reference). */
function rankingSection(results: Results): string {
  const tables = rankingTables(results);
  if (tables.length === 0) return "";
  const parts = tables.map((t) => {
    const header = [escapeMarkdown(t.family), ...t.columns.map((c) => escapeMarkdown(`${c.rule.metric} (${rankingNote(c)})`))];
    const rows = t.variants.map((v, row) => [
      escapeMarkdown(`${t.labels[row]}${v === t.reference ? " (reference)" : ""}${t.failed[row].length === 0 ? "" : " ✗"}`),
      ...t.columns.map((c) => {
        const cell = c.cells[row];
        if (cell === undefined) return "";
        const value = humanNumber(cell.value);
        const vs = vsReferenceText(cell.vsReferencePct);
        return `${cell.rank === 1 ? `**${value}**` : value} #${cell.rank}${vs === "" ? "" : ` (${vs})`}`;
      }),
    ]);
    return table(header, rows);
  });
  const failed = tables.some((t) => t.failed.some((f) => f.length > 0))
    ? "\n\n✗ failed (rejected writes, NOSPACE, SLO missed, DNS failures...): ranked after the others; report.html says why."
    : "";
  return `## Ranking\n\n${parts.join("\n\n")}${failed}`;
}

/** The answer first, one table per family so it fits GitHub's width: metric, winner, value, vs reference, holds. */
function verdictSection(results: Results, perturbations: readonly Perturbation[]): string {
  const rows = verdictCells(results, perturbations);
  if (rows.length === 0) return "";
  const families = [...new Set(rows.map((r) => r.family))];
  const h = VERDICT_HEADER;
  const tables = families.map((f) => {
    const mine = rows.filter((r) => r.family === f);
    const cells = mine.map((r) => [r.metric, r.winner, r.value, r.vsReference, r.holds].map(escapeMarkdown));
    return `### ${escapeMarkdown(f)}\n\n${table([h.metric, h.winner, h.value, h.vsReference, h.holds], cells)}`;
  });
  return `## Verdict\n\n${tables.join("\n\n")}`;
}

/**
 * The rank metrics then the contract metrics, per family with short labels, at most 4 metrics a table: split rather
 * than wide, so it fits GitHub's width.
 */
function mainMetricsSection(results: Results): string {
  const { variants, lines } = pivot(results);
  const wanted = [...new Set([...(results.rank ?? []).map((r) => r.metric), ...CONTRACT_METRICS])];
  const shown = wanted.flatMap((m) => lines.filter((l) => l.metric === m));
  if (shown.length === 0) return "";
  const column = new Map(variants.map((v, i) => [v, i]));
  const tables: string[] = [];
  for (const family of familiesOf(results)) {
    const members = family.variants.filter((v) => column.has(v));
    if (members.length === 0) continue;
    const labels = shortLabels(members).labels;
    for (let from = 0; from < shown.length; from += 4) {
      const chunk = shown.slice(from, from + 4);
      const header = [escapeMarkdown(family.name), ...chunk.map((l) => escapeMarkdown(`${l.metric} (${l.unit})`))];
      const rows = members.map((v, i) => [escapeMarkdown(labels[i]), ...chunk.map((l) => humanNumber(l.values[column.get(v)!]))]);
      tables.push(table(header, rows));
    }
  }
  return `## Main metrics\n\n${tables.join("\n\n")}`;
}

function assumptionsSection(results: Results): string {
  const assumptions = results.assumptions ?? [];
  const items = assumptions.map((a) => `- **${escapeMarkdown(a.name)}** = ${escapeMarkdown(a.value)}: ${escapeMarkdown(a.why)}`);
  return `## Assumptions\n\n${items.length === 0 ? "None declared." : items.join("\n")}`;
}

/** A GFM table from already escaped cells: the first column left-aligned, the numbers right-aligned. */
function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  const rule = `|${header.map((_, i) => (i === 0 ? " --- " : " ---: ")).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}
