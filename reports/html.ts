import { meanOverSeeds } from "./replication.js";
import type { Results } from "./results.js";
import { renderCharts } from "./charts.js";
import { rankingNote, rankingTables, vsReferenceText } from "./ranking.js";
import { type Perturbation, VERDICT_HEADER, verdictCells, type VerdictCells } from "./verdict.js";
import { humanNumber, pivot } from "./table.js";

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/**
 * report.html: one self-contained file (no scripts, no network; charts are inline SVG drawn at report time), every
 * printed text escaped.
 */
export function toHtml(raw: Results, perturbations: readonly Perturbation[] = []): string {
  // a replicated run shows means (the verdict adds intervals); the tidy files keep every seed
  const results = meanOverSeeds(raw);
  const { variants, lines } = pivot(results);
  const e = escapeHtml;
  const head = `<tr><th>metric</th><th>unit</th>${variants.map((v) => `<th>${e(v)}</th>`).join("")}</tr>`;
  const rows = lines
    .map((l) => `<tr><td>${e(l.metric)}</td><td>${e(l.unit)}</td>${l.values.map((v) => `<td class="n">${e(humanNumber(v))}</td>`).join("")}</tr>`)
    .join("\n");
  const charts = renderCharts(
    results,
    perturbations.map((p) => ({ ...p, results: meanOverSeeds(p.results) })),
  )
    .map((c) => `<figure class="chart" id="${e(c.id)}">\n${c.svg}\n</figure>`)
    .join("\n");
  const assumptions = (results.assumptions ?? []).map((a) => `<li><b>${e(a.name)}</b> = ${e(a.value)}: ${e(a.why)}</li>`).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${e(results.scenario)} — k8s-netscale</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px}td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f4f4}td.best{background:#e3f4e1;font-weight:600}.rank{color:#777;font-weight:normal}.failed{color:#b00;font-size:90%}table.ranking{margin-bottom:1em}figure.chart{margin:1.5em 0}figure.chart svg{max-width:100%;height:auto}</style>
</head><body>
<h1>${e(results.scenario)}</h1>
<p>seed ${e(String(results.seed))}, ${variants.length} variant(s)</p>
${verdictHtml(raw, perturbations)}
${rankingHtml(results)}
${charts === "" ? "" : `<h2>Charts</h2>\n${charts}`}
<h2>Results</h2>
<table>
${head}
${rows}
</table>
<h2>Assumptions</h2>
${assumptions === "" ? "<p>None declared.</p>" : `<ul>\n${assumptions}\n</ul>`}
</body></html>
`;
}

/** A table per family: its variants down, its ranked metrics across (value, rank, % against the reference). */
function rankingHtml(results: Results): string {
  const tables = rankingTables(results);
  if (tables.length === 0) return "";
  const e = escapeHtml;
  const parts = tables.map((t) => {
    const head = `<tr><th>${e(t.family)}</th>${t.columns.map((c) => `<th>${e(c.rule.metric)}<br><span class="rank">${e(rankingNote(c))}</span></th>`).join("")}</tr>`;
    const body = t.variants.map((v, row) => {
      const cells = t.columns.map((c) => {
        const cell = c.cells[row];
        if (cell === undefined) return "<td></td>";
        const vs = vsReferenceText(cell.vsReferencePct);
        return `<td class="n${cell.rank === 1 ? " best" : ""}">${e(humanNumber(cell.value))} <span class="rank">#${cell.rank}${vs === "" ? "" : ` ${e(vs)}`}</span></td>`;
      });
      const name = `${t.labels[row]}${v === t.reference ? " (reference)" : ""}`;
      const failed = t.failed[row].length === 0 ? "" : `<br><span class="failed">failed: ${e(t.failed[row].join("; "))}</span>`;
      return `<tr><td title="${e(v)}">${e(name)}${failed}</td>${cells.join("")}</tr>`;
    });
    return `<table class="ranking">\n${head}\n${body.join("\n")}\n</table>`;
  });
  return `<h2>Ranking</h2>\n${parts.join("\n")}`;
}

/** The answer first: per family and ranked metric, the winner, its margin over the reference, and whether it holds. */
function verdictHtml(results: Results, perturbations: readonly Perturbation[]): string {
  const rows = verdictCells(results, perturbations);
  if (rows.length === 0) return "";
  const e = escapeHtml;
  const keys = Object.keys(VERDICT_HEADER) as (keyof VerdictCells)[];
  const head = `<tr>${keys.map((k) => `<th>${e(VERDICT_HEADER[k])}</th>`).join("")}</tr>`;
  const body = rows.map((r) => `<tr>${keys.map((k) => `<td${k === "value" ? ' class="n"' : ""}>${e(r[k])}</td>`).join("")}</tr>`);
  return `<h2>Verdict</h2>\n<table class="verdict">\n${head}\n${body.join("\n")}\n</table>`;
}
